//! The optional LLM polish, the orchestration half: privacy tier, redaction (names per tier,
//! secrets and emails always, private sections never), the daily token budget counted from the
//! audit ledger, one call with a timeout, the answer checked before it may replace the
//! deterministic note, and an `llm.call` audit entry for every attempt. Any failure gives the
//! deterministic note back with the reason.

use crate::{App, Result};
use bosun_connectors::llm::{Completion, LlmEndpoint, complete};
use bosun_core::Sensitive;
use bosun_core::time::{DAY, Ts};
use bosun_notes::Note;
use bosun_notes::polish::{self, SYSTEM};
use bosun_notes::redact::{PrivacyTier, Redacted};
use bosun_store::Connection;
use bosun_store::audit::{self, NewEntry};
use serde::Serialize;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Polished {
    /// The Markdown to show: the model's prose, or the deterministic note.
    pub text: String,
    pub polished: bool,
    /// Why the deterministic note was kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub tokens: u64,
    /// The audit entry recording the call, when one was attempted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_seq: Option<i64>,
}

/// Tokens spent on `llm.call`s during the UTC day of `at`, from the audit ledger.
pub fn tokens_used_today(conn: &Connection, at: Ts) -> Result<u64> {
    let start = at.div_euclid(DAY) * DAY;
    let n = bosun_store::notes::llm_tokens_in_day(conn, start)?;
    Ok(n.max(0) as u64)
}

fn api_key() -> Option<Sensitive<String>> {
    crate::secrets::vars_for("llm", "llm")
        .into_iter()
        .find_map(|v| std::env::var(v).ok().filter(|t| !t.trim().is_empty()))
        .map(|t| Sensitive::new(t.trim().to_string()))
}

/// Names and logins the `names` tier hides.
pub(crate) fn people_names(conn: &Connection) -> Result<Vec<String>> {
    let mut names = bosun_store::notes::human_names(conn)?;
    // First names alone too ("Thanks Amara"), when they are long enough to be safe to match.
    let firsts: Vec<String> = names
        .iter()
        .filter_map(|n| {
            n.split_whitespace()
                .next()
                .filter(|f| f.len() >= 4 && *f != n.as_str())
        })
        .map(str::to_string)
        .collect();
    names.extend(firsts);
    names.sort();
    names.dedup();
    Ok(names)
}

impl App {
    pub fn privacy_tier(&self) -> Result<PrivacyTier> {
        self.config.privacy.parsed()
    }

    /// Polish `note` with the configured model, or say why not. Never fails because of the model:
    /// only a broken store is an error.
    pub async fn polish(&self, note: &Note) -> Result<Polished> {
        let fallback = |reason: String, seq: Option<i64>, tokens: u64| Polished {
            text: note.to_markdown(),
            polished: false,
            fallback: Some(reason),
            model: None,
            tokens,
            audit_seq: seq,
        };
        let tier = self.privacy_tier()?;
        if tier == PrivacyTier::Local {
            return Ok(fallback(
                "privacy tier \"local\": no language model is called".into(),
                None,
                0,
            ));
        }
        let store = self.store()?;
        let conn = store.conn();
        let names = people_names(conn)?;
        let prompt = polish::prompt(note, tier, &names);
        let subject = format!("note:{}", note.kind.slug());
        let (c, ms) = match self
            .call_model(conn, &subject, SYSTEM, &prompt.redacted)
            .await?
        {
            Reply::Refused { reason, seq } => return Ok(fallback(reason, Some(seq), 0)),
            Reply::Answered { completion, ms } => (completion, ms),
        };
        let tokens = c.prompt_tokens + c.completion_tokens;
        let verdict = polish::accept(note, &prompt, &c.text);
        let rejected = verdict.as_ref().err().map(|r| r.to_string());
        let seq = self.record_reply(
            conn,
            &subject,
            &prompt.redacted,
            &c,
            ms,
            rejected.as_deref(),
        )?;
        Ok(match verdict {
            Ok(text) => Polished {
                text,
                polished: true,
                fallback: None,
                model: Some(c.model),
                tokens,
                audit_seq: Some(seq),
            },
            Err(r) => fallback(format!("the answer was not used: {r}"), Some(seq), tokens),
        })
    }

    /// One call to the configured model with the redacted `prompt` under `system`: refused
    /// (audited `budget_exceeded`) when today's `llm.call`s and this one's estimate would pass
    /// the daily budget, audited `failed` when the call fails; else the answer, for the caller to
    /// judge and record with [`App::record_reply`].
    pub(crate) async fn call_model(
        &self,
        conn: &Connection,
        subject: &str,
        system: &str,
        prompt: &Redacted,
    ) -> Result<Reply> {
        let cfg = &self.config.llm;
        let now = self.now();
        let used = tokens_used_today(conn, now)?;
        let estimate = ((system.len() + prompt.text.len()) / 4) as u64 + u64::from(cfg.max_tokens);
        if used + estimate > cfg.daily_token_budget {
            let seq = self.record(
                conn,
                subject,
                "budget_exceeded",
                serde_json::json!({
                    "used_today": used, "estimate": estimate, "daily_token_budget": cfg.daily_token_budget,
                    "prompt_tokens": 0, "completion_tokens": 0,
                }),
            )?;
            return Ok(Reply::Refused {
                reason: format!(
                    "daily token budget: {used} of {} used today, this call needs about {estimate}",
                    cfg.daily_token_budget
                ),
                seq,
            });
        }
        let endpoint = LlmEndpoint {
            base_url: cfg.base_url.clone(),
            model: cfg.model.clone(),
            api_key: api_key(),
            timeout: Duration::from_secs(cfg.timeout_secs),
        };
        let started = Instant::now();
        let answer = complete(&endpoint, system, &prompt.text, cfg.max_tokens).await;
        let ms = started.elapsed().as_millis() as u64;
        match answer {
            Err(e) => {
                let seq = self.record(
                    conn,
                    subject,
                    "failed",
                    serde_json::json!({
                        "endpoint": cfg.base_url, "model": cfg.model, "error": e.to_string(),
                        "code": bosun_core::HasCode::code(&e).as_str(), "ms": ms,
                        "prompt": prompt.text, "redactions": redactions(prompt),
                        "prompt_tokens": 0, "completion_tokens": 0,
                    }),
                )?;
                Ok(Reply::Refused {
                    reason: format!("the model call failed: {e}"),
                    seq,
                })
            }
            Ok(completion) => Ok(Reply::Answered { completion, ms }),
        }
    }

    /// The `llm.call` entry of an answered call: `ok`, or `rejected` with the reason.
    pub(crate) fn record_reply(
        &self,
        conn: &Connection,
        subject: &str,
        prompt: &Redacted,
        c: &Completion,
        ms: u64,
        rejected: Option<&str>,
    ) -> Result<i64> {
        self.record(
            conn,
            subject,
            if rejected.is_none() { "ok" } else { "rejected" },
            serde_json::json!({
                "endpoint": self.config.llm.base_url, "model": c.model, "id": c.id, "ms": ms,
                "prompt": prompt.text, "response": c.text, "redactions": redactions(prompt),
                "prompt_tokens": c.prompt_tokens, "completion_tokens": c.completion_tokens,
                "rejected": rejected,
            }),
        )
    }

    fn record(
        &self,
        conn: &Connection,
        subject: &str,
        result: &str,
        trace: serde_json::Value,
    ) -> Result<i64> {
        let actor = format!("llm:{}", self.config.llm.model);
        Ok(audit::append(
            conn,
            &NewEntry {
                at: self.now(),
                actor: &actor,
                action: "llm.call",
                subject: Some(subject),
                result,
                trace,
            },
        )?
        .seq)
    }
}

/// What a model call came to, before its answer is judged.
pub(crate) enum Reply {
    /// No answer: the budget or the call said no (audited), and why.
    Refused { reason: String, seq: i64 },
    /// The model's answer, and how long it took.
    Answered { completion: Completion, ms: u64 },
}

fn redactions(prompt: &Redacted) -> serde_json::Value {
    serde_json::json!({
        "secrets": prompt.secrets,
        "emails": prompt.emails,
        "names": prompt.names_redacted(),
    })
}
