//! Settings → "What Bosun stores" and the doctor's checks (docs/data.md).

use super::common::NoArgs;
use crate::error::Result;
use crate::state::Api;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StoredTable {
    pub name: String,
    #[ts(type = "number")]
    pub rows: i64,
    #[ts(type = "number")]
    pub bytes: i64,
    /// A full-text index rebuilt from other tables (never exported).
    pub derived: bool,
    /// How long its rows (or their text) are kept: "forever", "30 days", "text 90 days".
    pub retention: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StoredFile {
    /// Relative to the data dir.
    pub path: String,
    #[ts(type = "number")]
    pub bytes: i64,
}

/// What Bosun stores: every table, its rows, size and retention, and the data dir's other files.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Storage {
    pub database: String,
    #[ts(type = "number")]
    pub size_bytes: i64,
    #[ts(type = "number")]
    pub wal_bytes: i64,
    pub tables: Vec<StoredTable>,
    pub files: Vec<StoredFile>,
}

pub fn storage(api: &Api, _: NoArgs) -> Result<Storage> {
    api.ready()?;
    let s = api.app().storage()?;
    Ok(Storage {
        database: s.database,
        size_bytes: s.size_bytes,
        wal_bytes: s.wal_bytes,
        tables: s
            .tables
            .into_iter()
            .map(|t| StoredTable {
                name: t.name,
                rows: t.rows,
                bytes: t.bytes,
                derived: t.derived,
                retention: t.retention,
            })
            .collect(),
        files: s
            .files
            .into_iter()
            .map(|f| StoredFile {
                path: f.path,
                bytes: f.bytes,
            })
            .collect(),
    })
}

/// `bosun doctor`'s checks.
pub type Doctor = bosun_app::doctor::Report;

pub fn doctor(api: &Api, _: NoArgs) -> Result<Doctor> {
    let app = api.app();
    Ok(tokio::runtime::Handle::current().block_on(app.doctor())?)
}
