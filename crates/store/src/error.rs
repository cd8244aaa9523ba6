use bosun_core::{Code, HasCode};
use std::path::{Path, PathBuf};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot open database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("no database at {0} (run a sync first)")]
    Missing(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "database schema is v{found}, this Bosun expects v{expected}; open it read-write once to migrate"
    )]
    SchemaMismatch { found: u32, expected: u32 },
    #[error(
        "database schema v{found} is newer than this Bosun understands (v{latest}); upgrade Bosun"
    )]
    TooNew { found: u32, latest: u32 },
    #[error("{0} is an SQLite file that is not a Bosun database")]
    Foreign(PathBuf),
    #[error("could not back up the database before migrating: {0}")]
    Backup(rusqlite::Error),
    #[error("migration v{version} ({name}) failed: {source}")]
    Migration {
        version: u32,
        name: &'static str,
        source: rusqlite::Error,
    },
    #[error("database integrity check failed: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
    #[error("could not write a value as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl StoreError {
    pub(crate) fn open(path: &Path, source: rusqlite::Error) -> StoreError {
        StoreError::Open {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl HasCode for StoreError {
    fn code(&self) -> Code {
        match self {
            StoreError::Missing(_) => Code::NotFound,
            StoreError::Io { .. } => Code::Io,
            StoreError::Invalid(_) => Code::InvalidInput,
            _ => Code::Store,
        }
    }
}
