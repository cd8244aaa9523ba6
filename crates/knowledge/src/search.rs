//! Hybrid retrieval: BM25 (in memory, `lexical`) and dense cosine similarity, fused with a weighted score,
//! plus a lexical boost for identifier-like queries (`PAY-1042`, `TIDE-231`, `GW_RATELIMIT_FAIL_OPEN`,
//! service names). Below a confidence threshold nothing is returned rather than noise.
//!
//! Scores are absolute, not per-query ranks, so one threshold works across queries:
//! `hybrid = w · cosine + (1 − w) · bm25 / (bm25 + k) + boost · [chunk contains the identifier]`.
//! The weights were tuned on `demo/eval/questions.toml` and checked on a second corpus
//! (docs/knowledge.md has the numbers).

use crate::calibrate::Calibration;
use crate::error::Result;
use crate::lexical::LexicalIndex;
pub use crate::lexical::query_terms;
use crate::vectors::VectorIndex;
use bosun_store::Store;
use bosun_store::knowledge::{self as kstore, ChunkRow};
use serde::Serialize;
use std::collections::HashMap;

/// How passages are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Words only (BM25).
    Bm25,
    /// Meaning only (the model's vectors).
    Dense,
    /// Both, fused.
    Hybrid,
}

impl Mode {
    /// Its name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Bm25 => "bm25",
            Mode::Dense => "dense",
            Mode::Hybrid => "hybrid",
        }
    }
}

/// Fusion weights and thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Params {
    /// Weight of the cosine similarity in the hybrid score (the rest goes to BM25).
    pub dense_weight: f32,
    /// BM25 saturation: bm25 / (bm25 + k).
    pub bm25_k: f32,
    /// Added when a chunk contains an identifier of the query verbatim.
    pub identifier_boost: f32,
    /// Hybrid: passages below this score are not cited (once the query is confident).
    pub threshold_hybrid: f32,
    /// Dense and hybrid: the query is answerable only when its best cosine similarity reaches this
    /// (or a passage names an identifier of the query). Cosine is the best-calibrated signal.
    pub threshold_dense: f32,
    /// BM25 only: the saturated BM25 score a passage needs.
    pub threshold_bm25: f32,
    /// Candidates taken from each side before fusion.
    pub candidates: usize,
    /// Cite the lines within a passage that answer (`cite`); false cites whole passages.
    pub cite_lines: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            dense_weight: 0.5,
            bm25_k: 8.0,
            identifier_boost: 0.25,
            threshold_hybrid: 0.30,
            threshold_dense: 0.35,
            threshold_bm25: 0.45,
            candidates: 50,
            cite_lines: true,
        }
    }
}

impl Params {
    /// The score a passage needs in `mode`.
    pub fn threshold(&self, mode: Mode) -> f32 {
        match mode {
            Mode::Bm25 => self.threshold_bm25,
            Mode::Dense => self.threshold_dense,
            Mode::Hybrid => self.threshold_hybrid,
        }
    }
}

/// A passage found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The chunk.
    #[serde(skip)]
    pub chunk: ChunkRow,
    /// Its score in the query's mode.
    pub score: f32,
    /// Its cosine similarity to the query, when vectors were used.
    pub dense: Option<f32>,
    /// Its saturated BM25 score, when words were used.
    pub bm25: Option<f32>,
    /// The chunk contains an identifier from the query.
    pub identifier: bool,
    /// First line cited (1-based): the lines within the chunk that answer (`cite`), else the
    /// chunk's first line.
    pub cite_start: i64,
    /// Last line cited (1-based, inclusive).
    pub cite_end: i64,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    /// The mode used.
    pub mode: Mode,
    /// Best first, whatever their score (see [`Results::answers`]).
    pub hits: Vec<Hit>,
    /// The best candidate's score, even when it was below the threshold.
    pub best_score: Option<f32>,
    /// The score a passage needs to be cited.
    pub threshold: f32,
    /// What decides whether the query is answered at all: the best cosine similarity (dense,
    /// hybrid) or the best BM25 score (BM25 only).
    pub confidence: Option<f32>,
    /// What `confidence` had to reach (the dense gate, or the BM25 threshold).
    pub gate: f32,
    /// Confident enough to cite anything.
    pub confident: bool,
}

impl Results {
    /// What `ask` cites: nothing unless the query is confident, then the hits at or above the
    /// threshold.
    pub fn answers(&self) -> Vec<&Hit> {
        if !self.confident {
            return Vec::new();
        }
        self.hits
            .iter()
            .filter(|h| h.score >= self.threshold)
            .collect()
    }
}

/// Identifier-like tokens: `PAY-1042`, `TIDE-231`, `GW_RATELIMIT_FAIL_OPEN`, `v2.3.1`, `SEV2`, and
/// any of `known` (service and repository names) that appear in the query.
pub fn identifiers(query: &str, known: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in query.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | ';' | '?' | '!' | '(' | ')' | '"' | '\'' | '`' | ':' | '=' | '/'
            )
    }) {
        let t = raw.trim_matches(|c: char| !c.is_alphanumeric());
        if t.len() < 3 {
            continue;
        }
        let has_digit = t.chars().any(|c| c.is_ascii_digit());
        let has_alpha = t.chars().any(|c| c.is_alphabetic());
        let has_sep = t.contains(['-', '_', '.']);
        let upper = t.chars().filter(|c| c.is_ascii_uppercase()).count();
        let lower = t.chars().filter(|c| c.is_lowercase()).count();
        let code = has_alpha && has_digit && (has_sep || (lower == 0 && upper >= 2));
        let constant = t.contains('_') && lower == 0 && upper >= 2;
        if (code || constant) && !out.iter().any(|o| o.eq_ignore_ascii_case(t)) {
            out.push(t.to_string());
        }
    }
    let lower = query.to_lowercase();
    for name in known {
        let n = name.to_lowercase();
        if n.len() >= 3
            && contains_word(&lower, &n)
            && !out.iter().any(|o| o.eq_ignore_ascii_case(&n))
        {
            out.push(name.clone());
        }
    }
    out
}

/// `needle` occurs in `hay` not glued to other letters or digits.
fn contains_word(hay: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let a = from + i;
        let b = a + needle.len();
        let before = hay[..a]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = hay[b..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            return true;
        }
        from = a + needle.len().max(1);
        while from < hay.len() && !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// What a search may use besides the query.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Service and repository names (identifier boost).
    pub known_names: Vec<String>,
    /// The index's background similarity (`calibrate`): it sets the dense gate. Without one (no
    /// vectors, too few documents) the fixed `Params::threshold_dense` is used.
    pub calibration: Option<Calibration>,
}

/// Search the index. `query_vector` is the query's embedding from the pinned model (None, or no
/// vectors, means BM25 whatever `mode` asks).
pub fn search(
    store: &Store,
    lexical: &LexicalIndex,
    vectors: Option<&VectorIndex>,
    query_vector: Option<&[f32]>,
    query: &str,
    mode: Mode,
    params: &Params,
    ctx: &Context,
    limit: usize,
) -> Result<Results> {
    let conn = store.conn();
    // Dense only when there are vectors and the query's has their dimension (a changed model).
    let dense_ready = match (vectors, query_vector) {
        (Some(v), Some(q)) => !v.is_empty() && v.dims == q.len(),
        _ => false,
    };
    let mode = if dense_ready { mode } else { Mode::Bm25 };
    let threshold = params.threshold(mode);
    let stems = crate::lexical::query_stems(query);
    let idents = identifiers(query, &ctx.known_names);

    // Candidates.
    let mut bm25: HashMap<i64, f32> = HashMap::new();
    let mut candidates: Vec<i64> = Vec::new();
    let push = |id: i64, c: &mut Vec<i64>| {
        if !c.contains(&id) {
            c.push(id);
        }
    };
    // BM25 of every chunk with a word of the query, in memory (see `lexical` for why not FTS5).
    let lexical_scores = if mode == Mode::Dense {
        crate::lexical::Scores::default()
    } else {
        lexical.score(&stems)
    };
    for (id, s) in lexical_scores.top(params.candidates) {
        bm25.insert(id, s as f32);
        push(id, &mut candidates);
    }
    if mode != Mode::Dense || params.identifier_boost > 0.0 {
        for ident in &idents {
            let words = crate::lexical::query_stems(ident);
            for (id, _) in lexical.score_all_of(&words).top(params.candidates) {
                push(id, &mut candidates);
            }
        }
    }
    let mut dense: HashMap<i64, f32> = HashMap::new();
    if mode != Mode::Bm25
        && let (Some(v), Some(q)) = (vectors, query_vector)
    {
        for (id, s) in v.top_k(q, params.candidates) {
            dense.insert(id, s);
            push(id, &mut candidates);
        }
        if mode == Mode::Hybrid {
            for &id in &candidates {
                if let std::collections::hash_map::Entry::Vacant(e) = dense.entry(id) {
                    e.insert(v.get(id).map_or(0.0, |row| crate::vectors::dot(row, q)));
                }
            }
        }
    }
    if mode == Mode::Hybrid {
        for &id in &candidates {
            if let Some(s) = lexical_scores.get(id) {
                bm25.entry(id).or_insert(s as f32);
            }
        }
    }

    let rows = kstore::chunk_rows(conn, &candidates)?;
    let mut hits: Vec<Hit> = rows
        .into_iter()
        .map(|row| {
            let d = dense.get(&row.chunk_id).copied();
            let b = bm25.get(&row.chunk_id).copied();
            let sat = b.map_or(0.0, |s| s / (s + params.bm25_k));
            let identifier = !idents.is_empty() && {
                let text = row.text.to_lowercase();
                let heading = row.heading_path.to_lowercase();
                idents.iter().any(|i| {
                    let i = i.to_lowercase();
                    contains_word(&text, &i) || contains_word(&heading, &i)
                })
            };
            let base = match mode {
                Mode::Bm25 => sat,
                Mode::Dense => d.unwrap_or(0.0),
                Mode::Hybrid => {
                    params.dense_weight * d.unwrap_or(0.0) + (1.0 - params.dense_weight) * sat
                }
            };
            let score = base
                + if identifier {
                    params.identifier_boost
                } else {
                    0.0
                };
            Hit {
                cite_start: row.line_start,
                cite_end: row.line_end,
                chunk: row,
                score,
                dense: d,
                bm25: b,
                identifier,
            }
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.chunk.chunk_id.cmp(&b.chunk.chunk_id))
    });
    let best_score = hits.first().map(|h| h.score);
    let (confidence, gate) = match mode {
        Mode::Bm25 => (best_score, params.threshold_bm25),
        Mode::Dense | Mode::Hybrid => (
            dense.values().copied().max_by(f32::total_cmp),
            ctx.calibration
                .as_ref()
                .and_then(Calibration::gate)
                .unwrap_or(params.threshold_dense),
        ),
    };
    // A short query around an identifier ("GW-429", "AUTH-401 reasons") is answered by the passage
    // naming it, whatever the cosine; a long question merely mentioning one is not.
    let other_terms = crate::lexical::query_terms(query)
        .iter()
        .filter(|t| !idents.iter().any(|i| i.to_lowercase().contains(t.as_str())))
        .count();
    let named = other_terms <= 3 && hits.first().is_some_and(|h| h.identifier);
    let confident = named || confidence.is_some_and(|c| c >= gate);
    hits.truncate(limit);
    // Within each passage, cite the lines that answer (the chunk stays the context).
    for hit in hits.iter_mut().filter(|_| params.cite_lines) {
        let (start, end) = crate::cite::cite(lexical, &stems, &hit.chunk);
        hit.cite_start = start;
        hit.cite_end = end;
    }
    Ok(Results {
        mode,
        hits,
        best_score,
        threshold,
        confidence,
        gate,
        confident,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_codes_constants_and_known_names() {
        let known = vec!["compass-billing".to_string(), "gateway".to_string()];
        assert_eq!(
            identifiers("What does PAY-1042 mean and whose bug is it?", &known),
            vec!["PAY-1042"]
        );
        assert_eq!(
            identifiers("When may on-call set GW_RATELIMIT_FAIL_OPEN=true?", &known),
            vec!["GW_RATELIMIT_FAIL_OPEN"]
        );
        assert_eq!(
            identifiers("the on-call follow-up", &known),
            Vec::<String>::new()
        );
        assert_eq!(
            identifiers("compass-billing freeze", &known),
            vec!["compass-billing"]
        );
        assert_eq!(identifiers("SEV2 TIDE-231", &[]), vec!["SEV2", "TIDE-231"]);
    }
}
