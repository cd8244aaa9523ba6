//! The written answer to a question, the orchestration half (issue 18.5): from the passages `ask`
//! cited (at most [`MAX_PASSAGES`], their cited lines), a language model writes one to three
//! sentences, each marked with the passage it rests on. The same privacy tier, redaction, daily
//! budget, timeout and `llm.call` audit as the notes' polish; an answer that cites nothing, cites a
//! passage it was not given, runs long or adds a link is discarded, and the passages stand alone.

use crate::knowledge::AskView;
use crate::notes::llm::{Reply, people_names};
use crate::{App, Result};
use bosun_knowledge::written::{self, Source};
use bosun_notes::redact::{PrivacyTier, redact};
use serde::Serialize;

/// At most this many passages go to the model (the best first).
pub const MAX_PASSAGES: usize = 3;
/// At most this many characters of each passage's cited lines.
pub const MAX_PASSAGE_CHARS: usize = 1_500;

/// One sentence of the written answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WrittenSentence {
    pub text: String,
    /// The answers it rests on, 1-based (`answers[n - 1]`).
    pub cites: Vec<usize>,
}

/// A written answer that passed the grounding check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WrittenAnswer {
    /// The sentences with their marks, as one paragraph (`… [1]. … [2].`).
    pub text: String,
    pub sentences: Vec<WrittenSentence>,
    pub model: String,
    pub tokens: u64,
    /// Its `llm.call` audit entry.
    pub audit_seq: i64,
}

fn clip(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

impl App {
    /// Write the answer to `view`'s question from its cited passages, or say in
    /// `view.written_note` why there is none. Never fails because of the model.
    pub async fn write_answer(&self, view: &mut AskView) -> Result<()> {
        if view.answers.is_empty() {
            view.written_note = Some("nothing is cited, so there is nothing to write from".into());
            return Ok(());
        }
        let tier = self.privacy_tier()?;
        if tier == PrivacyTier::Local {
            view.written_note = Some("privacy tier \"local\": no language model is called".into());
            return Ok(());
        }
        let labels: Vec<String> = view
            .answers
            .iter()
            .take(MAX_PASSAGES)
            .map(|a| format!("{}:{}-{}", a.file, a.start_line, a.end_line))
            .collect();
        let sources: Vec<Source<'_>> = view
            .answers
            .iter()
            .zip(&labels)
            .map(|(a, label)| Source {
                label,
                text: clip(
                    if a.cited_text.trim().is_empty() {
                        &a.text
                    } else {
                        &a.cited_text
                    },
                    MAX_PASSAGE_CHARS,
                ),
            })
            .collect();
        let store = self.store()?;
        let conn = store.conn();
        let names = people_names(conn)?;
        let prompt = redact(&written::prompt(&view.question, &sources), tier, &names);
        let (c, ms) = match self
            .call_model(conn, "ask", written::SYSTEM, &prompt)
            .await?
        {
            Reply::Refused { reason, .. } => {
                view.written_note = Some(reason);
                return Ok(());
            }
            Reply::Answered { completion, ms } => (completion, ms),
        };
        let answer = prompt.restore(&c.text);
        let verdict = written::check(&answer, &sources);
        let rejected = verdict.as_ref().err().map(|r| r.to_string());
        let seq = self.record_reply(conn, "ask", &prompt, &c, ms, rejected.as_deref())?;
        match verdict {
            Ok(sentences) => {
                view.written = Some(WrittenAnswer {
                    text: written::render(&sentences),
                    sentences: sentences
                        .into_iter()
                        .map(|s| WrittenSentence {
                            text: s.text,
                            cites: s.cites,
                        })
                        .collect(),
                    model: c.model,
                    tokens: c.prompt_tokens + c.completion_tokens,
                    audit_seq: seq,
                });
            }
            Err(r) => view.written_note = Some(format!("the written answer was discarded: {r}")),
        }
        Ok(())
    }
}
