use bosun_core::{Code, HasCode};
use std::path::Path;

/// A result whose error is a [`KnowledgeError`].
pub type Result<T, E = KnowledgeError> = std::result::Result<T, E>;

/// Why indexing, search or the evaluation failed.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// A file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] bosun_store::StoreError),
    /// The embedding model could not be loaded or run.
    #[error("embedding model: {0}")]
    Model(String),
    /// The caller asked for something malformed.
    #[error("{0}")]
    InvalidInput(String),
    /// Something asked for does not exist (a folder not indexed).
    #[error("{0}")]
    NotFound(String),
    #[error("eval set {path}: {message}")]
    /// An evaluation set could not be read or is malformed.
    EvalSet {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The file watcher failed.
    #[error("file watcher: {0}")]
    Watch(String),
    /// Indexing was stopped.
    #[error("indexing cancelled")]
    Cancelled,
}

impl KnowledgeError {
    /// An I/O error on `path`.
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
