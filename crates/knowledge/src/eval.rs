//! The retrieval eval harness: questions with a gold file and line span (or none: unanswerable),
//! scored for BM25 only, dense only and hybrid.
//!
//! Metrics, over the ranking before the confidence threshold:
//! - recall@k: the gold file is among the top k passages (answerable questions);
//! - MRR: mean of 1 / rank of the first passage from the gold file (0 past the candidates);
//! - citation-span accuracy: the top passage is in the gold file *and* its cited lines overlap the
//!   gold lines;
//! - span precision: of the lines the top passage cites, the share that are gold lines (0 when the
//!   passage is from another file), averaged over answerable questions;
//! - rejection rate: unanswerable questions whose best score is below the threshold (so `ask`
//!   says it found nothing); the false-rejection rate is the same for answerable questions.

use crate::embed::Embedder;
use crate::error::{KnowledgeError, Result};
use crate::lexical::LexicalIndex;
use crate::search::{self, Context, Mode, Params};
use crate::vectors::VectorIndex;
use bosun_store::Store;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One question of an evaluation set, with where its answer is.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Question {
    /// Its id.
    pub id: String,
    /// The question.
    pub question: String,
    /// The corpus answers it (else search must decline).
    pub answerable: bool,
    /// The file holding the answer.
    #[serde(default)]
    pub file: Option<String>,
    /// The answer's first line (1-based).
    #[serde(default)]
    pub start_line: Option<usize>,
    /// The answer's last line (1-based, inclusive).
    #[serde(default)]
    pub end_line: Option<usize>,
    /// A label for grouping results (`paraphrase`, `identifier`, ...).
    #[serde(default)]
    pub kind: Option<String>,
}

/// An evaluation set: questions about a corpus (a TOML file).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct EvalSet {
    /// The folder the questions are about (optional: the caller may pass it).
    #[serde(default)]
    pub corpus: Option<String>,
    /// The Debian package shipping the corpus (`bench/knowledge-eval.sh` fetches it when the
    /// folder is not installed).
    #[serde(default)]
    pub package: Option<String>,
    /// `tuned` (weights, calibration or citation rules were looked at on it) or `held-out`.
    #[serde(default)]
    pub role: Option<String>,
    /// Only these files of the corpus (relative paths); all when empty.
    #[serde(default)]
    pub files: Vec<String>,
    /// The questions.
    pub questions: Vec<Question>,
}

impl EvalSet {
    /// Read and check an evaluation set (answerable questions name their span).
    pub fn load(path: &Path) -> Result<EvalSet> {
        let text = std::fs::read_to_string(path).map_err(|e| KnowledgeError::io(path, e))?;
        let set: EvalSet = toml::from_str(&text).map_err(|e| KnowledgeError::EvalSet {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        for q in &set.questions {
            if q.answerable && (q.file.is_none() || q.start_line.is_none() || q.end_line.is_none())
            {
                return Err(KnowledgeError::EvalSet {
                    path: path.display().to_string(),
                    message: format!(
                        "{}: an answerable question needs file, start_line and end_line",
                        q.id
                    ),
                });
            }
        }
        Ok(set)
    }
}

/// How one search mode did on an evaluation set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodScores {
    /// The mode.
    pub method: Mode,
    /// Answerable questions.
    pub answerable: usize,
    /// Unanswerable questions.
    pub unanswerable: usize,
    /// Share of answerable questions whose first passage is from the gold file.
    pub recall_at_1: f64,
    /// Share of answerable questions with a gold-file passage in the first five.
    pub recall_at_5: f64,
    /// Mean reciprocal rank of the first gold-file passage.
    pub mrr: f64,
    /// Share of answerable questions whose first passage's cited lines overlap the gold lines.
    pub span_accuracy: f64,
    /// Mean share of the first passage's cited lines that are gold lines (0 from another file).
    pub span_precision: f64,
    /// Share of unanswerable questions search declined.
    pub rejection_rate: f64,
    /// Share of answerable questions search declined.
    pub false_rejection_rate: f64,
}

/// One question's outcome (for looking into failures).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionOutcome {
    /// The question's id.
    pub id: String,
    /// The search mode.
    pub method: Mode,
    /// 1-based rank of the first passage from the gold file.
    pub rank: Option<usize>,
    /// The first passage's cited lines overlap the gold lines.
    pub span_hit: bool,
    /// Share of the first passage's cited lines that are gold lines.
    pub span_precision: f64,
    /// The best passage's score.
    pub best_score: Option<f32>,
    /// The value the confidence gate looks at, and whether an identifier bypassed it.
    pub confidence: Option<f32>,
    /// An identifier of the question was found verbatim (the gate was bypassed).
    pub named: bool,
    /// Search cited something (it did not refuse).
    pub answered: bool,
    /// The first passage (`file:lines`).
    pub top: Option<String>,
}

/// Embed every question once (reused across methods and parameter sweeps).
pub fn embed_questions(set: &EvalSet, embedder: &mut dyn Embedder) -> Result<Vec<Vec<f32>>> {
    let texts: Vec<String> = set.questions.iter().map(|q| q.question.clone()).collect();
    embedder.embed(&texts)
}

/// Score one method.
pub fn evaluate(
    store: &Store,
    lexical: &LexicalIndex,
    vectors: Option<&VectorIndex>,
    query_vectors: Option<&[Vec<f32>]>,
    set: &EvalSet,
    mode: Mode,
    params: &Params,
    ctx: &Context,
) -> Result<(MethodScores, Vec<QuestionOutcome>)> {
    let mut outcomes = Vec::new();
    let (mut r1, mut r5, mut rr, mut span, mut rejected, mut false_rej) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let mut precision = 0.0;
    let (mut answerable, mut unanswerable) = (0usize, 0usize);
    for (i, q) in set.questions.iter().enumerate() {
        let qv = query_vectors.map(|v| v[i].as_slice());
        let res = search::search(
            store,
            lexical,
            vectors,
            qv,
            &q.question,
            mode,
            params,
            ctx,
            10,
        )?;
        let best = res.hits.first().map(|h| h.score);
        let below = res.answers().is_empty();
        let mut outcome = QuestionOutcome {
            id: q.id.clone(),
            method: mode,
            rank: None,
            span_hit: false,
            span_precision: 0.0,
            best_score: best,
            confidence: res.confidence,
            named: res.hits.first().is_some_and(|h| h.identifier),
            answered: !below,
            top: res.hits.first().map(|h| {
                format!(
                    "{}:{}-{} (chunk {}-{})",
                    h.chunk.path, h.cite_start, h.cite_end, h.chunk.line_start, h.chunk.line_end
                )
            }),
        };
        if q.answerable {
            answerable += 1;
            let file = q.file.as_deref().unwrap_or_default();
            let (gs, ge) = (
                q.start_line.unwrap_or(0) as i64,
                q.end_line.unwrap_or(0) as i64,
            );
            let rank = res
                .hits
                .iter()
                .position(|h| h.chunk.path == file)
                .map(|p| p + 1);
            if let Some(r) = rank {
                rr += 1.0 / r as f64;
                if r == 1 {
                    r1 += 1.0;
                }
                if r <= 5 {
                    r5 += 1.0;
                }
            }
            if let Some(top) = res.hits.first()
                && top.chunk.path == file
            {
                let p = span_precision(top.cite_start, top.cite_end, gs, ge);
                precision += p;
                outcome.span_precision = p;
                if p > 0.0 {
                    span += 1.0;
                    outcome.span_hit = true;
                }
            }
            if below {
                false_rej += 1.0;
            }
            outcome.rank = rank;
        } else {
            unanswerable += 1;
            if below {
                rejected += 1.0;
            }
        }
        outcomes.push(outcome);
    }
    let a = answerable.max(1) as f64;
    Ok((
        MethodScores {
            method: mode,
            answerable,
            unanswerable,
            recall_at_1: r1 / a,
            recall_at_5: r5 / a,
            mrr: rr / a,
            span_accuracy: span / a,
            span_precision: precision / a,
            rejection_rate: rejected / unanswerable.max(1) as f64,
            false_rejection_rate: false_rej / a,
        },
        outcomes,
    ))
}

/// Share of the cited lines `cs..=ce` that fall in the gold lines `gs..=ge` (inclusive, 1-based).
pub fn span_precision(cs: i64, ce: i64, gs: i64, ge: i64) -> f64 {
    let cited = (ce - cs + 1).max(1);
    let overlap = (ce.min(ge) - cs.max(gs) + 1).max(0);
    overlap as f64 / cited as f64
}

/// A plain-text table of scores.
pub fn table(scores: &[MethodScores]) -> String {
    let mut out = String::from(
        "method   recall@1  recall@5   MRR    span acc.  span prec.  rejected (unanswerable)  false rejections\n",
    );
    for s in scores {
        out.push_str(&format!(
            "{:<8} {:>8.3} {:>9.3} {:>6.3} {:>10.3} {:>11.3} {:>15.3} ({}) {:>17.3}\n",
            s.method.as_str(),
            s.recall_at_1,
            s.recall_at_5,
            s.mrr,
            s.span_accuracy,
            s.span_precision,
            s.rejection_rate,
            s.unanswerable,
            s.false_rejection_rate
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_precision_is_the_share_of_cited_lines_that_are_gold() {
        // The whole chunk 10-29 cited for gold 12-16: 5 of 20 lines.
        assert!((span_precision(10, 29, 12, 16) - 0.25).abs() < 1e-9);
        // Exactly the gold paragraph.
        assert!((span_precision(12, 16, 12, 16) - 1.0).abs() < 1e-9);
        // Inside the gold lines: every cited line is gold.
        assert!((span_precision(13, 14, 12, 16) - 1.0).abs() < 1e-9);
        // Next to it, touching nothing.
        assert_eq!(span_precision(17, 20, 12, 16), 0.0);
        // One line shared.
        assert!((span_precision(16, 19, 12, 16) - 0.25).abs() < 1e-9);
    }
}
