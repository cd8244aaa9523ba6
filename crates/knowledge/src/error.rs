use bosun_core::{Code, HasCode};
use std::path::Path;

pub type Result<T, E = KnowledgeError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] bosun_store::StoreError),
    #[error("embedding model: {0}")]
    Model(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("eval set {path}: {message}")]
    EvalSet { path: String, message: String },
    #[error("file watcher: {0}")]
    Watch(String),
    #[error("indexing cancelled")]
    Cancelled,
}

impl KnowledgeError {
    pub fn io(path: &Path, source: std::io::Error) -> KnowledgeError {
        KnowledgeError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

impl HasCode for KnowledgeError {
    fn code(&self) -> Code {
        match self {
            KnowledgeError::Io { .. } => Code::Io,
            KnowledgeError::Store(e) => e.code(),
            KnowledgeError::Model(_) => Code::Internal,
            KnowledgeError::InvalidInput(_) => Code::InvalidInput,
            KnowledgeError::NotFound(_) => Code::NotFound,
            KnowledgeError::EvalSet { .. } => Code::InvalidInput,
            KnowledgeError::Watch(_) => Code::Io,
            KnowledgeError::Cancelled => Code::Cancelled,
        }
    }
}
