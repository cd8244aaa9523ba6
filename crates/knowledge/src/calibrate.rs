//! Refusal calibrated per index, not fitted to one corpus.
//!
//! A fixed cosine bar does not transfer: a corpus about one subject puts every question of that
//! subject close to some passage, a varied one does not. So each index measures its own
//! background. Sentences taken from the corpus's own chunks stand for questions the corpus
//! *cannot* answer once their own document is set aside: for each sampled chunk, its first
//! sentence of some length is embedded and its best cosine similarity among the chunks of *other*
//! documents is kept. That is the similarity an in-domain question reaches without its answer
//! being there. A question is answered only when its best cosine clears a quantile
//! ([`NULL_QUANTILE`]) of that distribution and a floor ([`MIN_GATE`]) below which no passage is
//! meaningfully close.
//!
//! The distribution is computed when the index changes (it needs the model) and kept in `meta`
//! (`knowledge.calibration`) with the model and chunk count it was made for.

use crate::embed::Embedder;
use crate::error::Result;
use crate::vectors::VectorIndex;
use bosun_store::Store;
use bosun_store::knowledge as kstore;
use serde::{Deserialize, Serialize};

/// Chunks sampled (evenly by id) for pseudo-questions.
pub const SAMPLES: usize = 240;
/// The quantile of the null distribution a question's best cosine must reach: chosen on the tuned
/// corpora (handbook, Node.js, Git how-tos) as the highest that keeps false refusals within 10 %
/// on each; not looked at on the held-out ones.
pub const NULL_QUANTILE: f64 = 0.2;
/// No gate below this cosine, whatever the corpus (MiniLM puts unrelated texts around 0–0.2).
pub const MIN_GATE: f32 = 0.3;
/// Fewer pseudo-questions than this (a one-document corpus) and the fixed gate is used.
pub const MIN_SAMPLES: usize = 20;
/// A pseudo-question is a sentence of this many words (the first one that long, cut to the max).
const MIN_WORDS: usize = 6;
const MAX_WORDS: usize = 24;
/// Neighbours looked at to find the best chunk of another document.
const NEIGHBOURS: usize = 25;

/// One index's background similarity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The model whose cosines these are.
    pub model: String,
    /// Chunks in the index when it was measured.
    pub chunks: i64,
    /// For each pseudo-question, its best cosine among chunks of other documents, ascending.
    pub null_dense: Vec<f32>,
}

impl Calibration {
    /// The `q` quantile of the null distribution (nearest rank).
    pub fn quantile(&self, q: f64) -> Option<f32> {
        if self.null_dense.is_empty() {
            return None;
        }
        let n = self.null_dense.len();
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as usize).clamp(1, n);
        Some(self.null_dense[rank - 1])
    }

    /// The cosine a question's best passage must reach; `None` with too few samples.
    pub fn gate(&self) -> Option<f32> {
        if self.null_dense.len() < MIN_SAMPLES {
            return None;
        }
        self.quantile(NULL_QUANTILE).map(|g| g.max(MIN_GATE))
    }

    /// Share of pseudo-questions whose best cosine is below `cosine` (how unusual a question's
    /// closeness is for this corpus).
    pub fn percentile(&self, cosine: f32) -> f64 {
        if self.null_dense.is_empty() {
            return 0.0;
        }
        let below = self.null_dense.partition_point(|&c| c < cosine);
        below as f64 / self.null_dense.len() as f64
    }

    /// The calibration kept for `model` in the store, if any.
    pub fn load(store: &Store, model: &str) -> Result<Option<Calibration>> {
        let Some(json) = kstore::setting(store.conn(), "calibration")? else {
            return Ok(None);
        };
        // An unreadable or other model's calibration is as good as none: it is measured again.
        Ok(serde_json::from_str::<Calibration>(&json)
            .ok()
            .filter(|c| c.model == model))
    }

    /// Keep it in the store.
    pub fn save(&self, store: &Store) -> Result<()> {
        let json = serde_json::to_string(self)
            .map_err(|e| crate::error::KnowledgeError::InvalidInput(format!("calibration: {e}")))?;
        kstore::set_setting(store.conn(), "calibration", &json)?;
        Ok(())
    }

    /// Still describes an index of `chunks` chunks: measured on one within a fifth of its size.
    pub fn fits(&self, chunks: i64) -> bool {
        let (a, b) = (self.chunks.max(1) as f64, chunks.max(1) as f64);
        (a - b).abs() / a.max(b) <= 0.2
    }
}

/// The first sentence of `text` with at least [`MIN_WORDS`] words, cut to [`MAX_WORDS`]: what a
/// pseudo-question is made of. Markup and code-like lines are skipped.
pub fn pseudo_question(text: &str) -> Option<String> {
    let prose: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with(['#', '|', '<', '`', '$', '>', '-', '=', '*', '.', ':'])
                && l.chars().filter(|c| c.is_alphabetic()).count() * 2 > l.chars().count()
        })
        .collect();
    let joined = prose.join(" ");
    for sentence in joined.split_inclusive(['.', '?', '!']) {
        let words: Vec<&str> = sentence
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .collect();
        if words.len() >= MIN_WORDS {
            return Some(words[..words.len().min(MAX_WORDS)].join(" "));
        }
    }
    None
}

/// Measure an index's background with `embedder` (the model that made `vectors`). `None` when the
/// index has no vectors.
pub fn measure(
    store: &Store,
    vectors: &VectorIndex,
    embedder: &mut dyn Embedder,
) -> Result<Option<Calibration>> {
    if vectors.is_empty() || vectors.dims != embedder.dims() {
        return Ok(None);
    }
    let mut all: Vec<(i64, String)> = Vec::new();
    kstore::for_each_chunk_text(store.conn(), |id, text, _| {
        all.push((id, text.to_string()));
    })?;
    let chunks = all.len() as i64;
    let step = all.len().div_ceil(SAMPLES).max(1);
    let sampled: Vec<(i64, String)> = all
        .into_iter()
        .step_by(step)
        .filter_map(|(id, text)| pseudo_question(&text).map(|q| (id, q)))
        .collect();
    let mut null_dense = Vec::with_capacity(sampled.len());
    for batch in sampled.chunks(32) {
        let texts: Vec<String> = batch.iter().map(|(_, q)| q.clone()).collect();
        let qv = embedder.embed(&texts)?;
        let ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
        let own = kstore::chunk_rows(store.conn(), &ids)?;
        for ((id, _), v) in batch.iter().zip(&qv) {
            let Some(doc) = own
                .iter()
                .find(|r| r.chunk_id == *id)
                .map(|r| r.document_id)
            else {
                continue;
            };
            let near = vectors.top_k(v, NEIGHBOURS);
            let near_ids: Vec<i64> = near.iter().map(|(i, _)| *i).collect();
            let rows = kstore::chunk_rows(store.conn(), &near_ids)?;
            let best_other = near.iter().find(|(i, _)| {
                rows.iter()
                    .find(|r| r.chunk_id == *i)
                    .is_some_and(|r| r.document_id != doc)
            });
            if let Some((_, c)) = best_other {
                null_dense.push(*c);
            }
        }
    }
    null_dense.sort_by(f32::total_cmp);
    Ok(Some(Calibration {
        model: embedder.model_id().to_string(),
        chunks,
        null_dense,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal(values: &[f32]) -> Calibration {
        let mut null_dense = values.to_vec();
        null_dense.sort_by(f32::total_cmp);
        Calibration {
            model: "m".into(),
            chunks: 100,
            null_dense,
        }
    }

    #[test]
    fn quantiles_and_percentiles_follow_the_samples() {
        let values: Vec<f32> = (1..=40).map(|i| i as f32 / 100.0).collect();
        let c = cal(&values);
        assert_eq!(c.quantile(0.5), Some(0.20));
        assert_eq!(c.quantile(1.0), Some(0.40));
        assert_eq!(c.quantile(0.0), Some(0.01));
        assert!((c.percentile(0.205) - 0.5).abs() < 1e-9);
        assert_eq!(c.percentile(0.0), 0.0);
        assert_eq!(c.percentile(1.0), 1.0);
    }

    #[test]
    fn the_gate_is_the_null_quantile_above_the_floor_and_needs_samples() {
        // A corpus whose unrelated questions reach 0.40-0.60: the gate moves up with it.
        let high: Vec<f32> = (0..40).map(|i| 0.40 + i as f32 * 0.005).collect();
        let gate = cal(&high).gate().expect("enough samples");
        assert_eq!(gate, cal(&high).quantile(NULL_QUANTILE).expect("samples"));
        assert!(gate >= 0.40);
        // A varied corpus whose background is low: the floor holds.
        let low: Vec<f32> = (0..40).map(|i| 0.05 + i as f32 * 0.003).collect();
        assert_eq!(cal(&low).gate(), Some(MIN_GATE));
        // Too few samples to say anything.
        assert_eq!(cal(&high[..MIN_SAMPLES - 1]).gate(), None);
    }

    #[test]
    fn pseudo_questions_are_prose_sentences_of_some_length() {
        let text = "# Deploys\n\n```sh\nmake deploy --now\n```\nShip it.\nWe ship on Tuesdays after the change review has approved the release notes. Then rest.";
        assert_eq!(
            pseudo_question(text).as_deref(),
            Some("We ship on Tuesdays after the change review has approved the release notes.")
        );
        assert_eq!(pseudo_question("| a | b |\n|---|---|"), None);
    }

    #[test]
    fn a_calibration_fits_an_index_of_about_its_size() {
        let c = cal(&[0.3; 30]);
        assert!(c.fits(100) && c.fits(110) && c.fits(85));
        assert!(!c.fits(130) && !c.fits(70));
    }
}
