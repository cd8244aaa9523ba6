//! Bosun's local store: one SQLite file (WAL, foreign keys on, FTS5 available) holding every
//! synced record, derived signal and audit entry. Opening a store migrates it, after backing the
//! file up. Writes go through small typed functions grouped by area; each takes a
//! `&rusqlite::Connection` so that callers compose them inside one transaction.

pub mod accounts;
pub mod actions;
pub mod alerts;
pub mod audit;
mod change_log;
pub mod chat;
pub mod chatops;
pub mod code;
pub mod counts;
pub mod dump;
mod error;
pub mod fixtures;
pub mod goals;
pub mod identity;
pub mod incidents;
pub mod knowledge;
pub mod lifecycle;
pub mod links;
pub mod meta;
pub mod metric_changes;
pub mod metrics_dataset;
pub mod migrations;
pub mod notes;
pub mod onboarding;
pub mod ops;
pub mod planning;
pub mod risks;
pub mod signal_changes;
pub mod signal_inputs;
pub mod signals;
pub mod sync_state;

pub use error::{Result, StoreError};
/// The connection every store function takes: callers pass [`Store::conn`] or a [`Tx`] along
/// and never write SQL themselves.
pub use rusqlite::Connection;

use rusqlite::{OpenFlags, Transaction};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// An open transaction ([`Store::begin`]). Store functions take it as a connection (it derefs
/// to one); its writes land on [`Tx::commit`] and are rolled back when it is dropped uncommitted.
pub struct Tx<'a>(Transaction<'a>);

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.0
    }
}

impl Tx<'_> {
    /// Make the transaction's writes land.
    pub fn commit(self) -> Result<()> {
        Ok(self.0.commit()?)
    }
}

/// An open Bosun database.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// The audit ledger's anchor outside the database, moved forward when the store is closed.
    anchor: Option<audit::anchor::Anchor>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Create `dir` (and missing parents) readable by the user only; an existing folder is left as is.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// A provider name column (`github`, `jira`, …) read as [`bosun_core::model::Provider`]; a name
/// this version does not know is a conversion error naming it.
pub(crate) fn provider_column(
    r: &rusqlite::Row<'_>,
    i: usize,
) -> rusqlite::Result<bosun_core::model::Provider> {
    let name: String = r.get(i)?;
    bosun_core::model::Provider::parse(&name).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown provider {name:?}").into(),
        )
    })
}

/// `value` as JSON text for a column or a bound parameter (an error, never a stand-in like `"[]"`).
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}

/// Column `i` of `r`, a code the store writes from an enum (an action's status, a deployment's
/// kind), read back with `parse`: a value this code does not know is an error naming it.
pub(crate) fn code_at<T>(
    r: &rusqlite::Row<'_>,
    i: usize,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    parse(&s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown {what} {s:?}").into(),
        )
    })
}

/// Make the database file readable and writable by the user only (by path: `chmod`, never an
/// `open` and `close` of our own. Closing any descriptor of a database file drops every POSIX lock
/// this process holds on it, SQLite's included, which lets another connection in the process write
/// over a transaction in flight; see SQLite's "How To Corrupt An SQLite Database File", 2.2).
fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// An exclusive lock on `<database>.lock`, held while a database is opened and migrated (released
/// when dropped). A file of its own: SQLite never opens it, so closing it cannot drop SQLite's locks.
struct OpenLock {
    _held: std::fs::File,
}

impl OpenLock {
    fn take(path: &Path) -> Result<OpenLock> {
        let mut name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".lock");
        let lock_path = path.with_file_name(name);
        let io = |source| StoreError::Io {
            path: lock_path.clone(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&lock_path).map_err(io)?;
        file.lock().map_err(io)?;
        Ok(OpenLock { _held: file })
    }
}

impl Store {
    /// Open (creating if needed) the database at `path` and bring its schema up to date. When a
    /// migration is pending on an existing database, a copy of the file is written next to it
    /// first (`<file>.backup-v<old>-<unix time>`).
    ///
    /// The database holds 1:1 notes, chat text and prompts: a folder created for it is private to
    /// the user (0700) and the file is too (0600, set on every open; SQLite gives its `-wal` and
    /// `-shm` files and migration backups copy the same mode).
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private_dir(dir).map_err(|e| StoreError::Io {
                path: dir.to_path_buf(),
                source: e,
            })?;
        }
        // Openers take turns (threads and processes alike): switching a new file to WAL and
        // migrating it are the steps where SQLite answers "database is locked" at once instead of
        // waiting its busy timeout.
        let _turn = OpenLock::take(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::open(path, e))?;
        // Before anything is written (the `-wal` and `-shm` files SQLite creates copy this mode);
        // the folder is private already, so the moment between creation and this is not exposed.
        make_private(path).map_err(|e| StoreError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
            anchor: None,
        };
        store.configure().map_err(|e| StoreError::open(path, e))?;
        migrations::migrate(&mut store.conn, Some(path))?;
        Ok(store)
    }

    /// A private in-memory database with the full schema (tests, benchmarks).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store {
            conn,
            path: None,
            anchor: None,
        };
        store.configure()?;
        migrations::migrate(&mut store.conn, None)?;
        Ok(store)
    }

    /// Open an existing database read-only (readers beside a writer; WAL allows both).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::open(path, e))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let version = migrations::user_version(&conn).map_err(|e| StoreError::open(path, e))?;
        if version != migrations::latest_version() {
            return Err(StoreError::SchemaMismatch {
                found: version,
                expected: migrations::latest_version(),
            });
        }
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            anchor: None,
        })
    }

    fn configure(&mut self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(Duration::from_secs(10))?;
        // journal_mode returns a row, so it cannot go through execute_batch.
        let _mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        self.conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;",
        )
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Keep the audit ledger anchored by `anchor`: moved to the ledger's head now and again when
    /// the store is closed (each time only if the ledger still agrees with it; see
    /// [`audit::anchor::Anchor::advance`]).
    pub fn anchor_ledger(
        &mut self,
        anchor: audit::anchor::Anchor,
    ) -> Result<audit::anchor::Advance> {
        let done = anchor.advance(&self.conn)?;
        self.anchor = Some(anchor);
        Ok(done)
    }

    /// The anchor this store keeps, if any.
    pub fn ledger_anchor(&self) -> Option<&audit::anchor::Anchor> {
        self.anchor.as_ref()
    }

    /// The connection, for reads and for composing writes.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Run `f` in one IMMEDIATE transaction: either all of its writes land or none do.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let tx = self.begin()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Begin an IMMEDIATE transaction (for callers whose closures return their own error type).
    pub fn begin(&mut self) -> Result<Tx<'_>> {
        Ok(Tx(self.conn.transaction_with_behavior(
            rusqlite::TransactionBehavior::Immediate,
        )?))
    }

    /// SQLite's `PRAGMA integrity_check`: `Ok(())` when the file is sound.
    pub fn integrity_check(&self) -> Result<()> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if rows.len() == 1 && rows[0] == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt(rows.join("; ")))
        }
    }
}

impl Drop for Store {
    /// Anchor what this store appended to the ledger. Best effort: a refusal (the ledger no
    /// longer agrees with its anchor) or a failed write leaves the anchor where it was, which
    /// `audit verify` reports.
    fn drop(&mut self) {
        if let Some(a) = &self.anchor {
            let _ = a.advance(&self.conn);
        }
    }
}

/// Write `bytes` to `path` readable by the user only, atomically (a temporary file beside it,
/// then a rename).
pub fn write_private_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    // A name of its own per write: two threads writing the same file at once (the audit anchor,
    // advanced by a sync and by an approval) must not rename each other's temporary file away.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = path.with_extension(format!("tmp-{}-{n}", std::process::id()));
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(&tmp).map_err(io)?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(io)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io)
}

/// Parse a JSON array column.
pub(crate) fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

#[cfg(test)]
mod write_tests {
    #[test]
    fn concurrent_writes_of_one_file_all_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("anchor.json");
        std::thread::scope(|s| {
            for i in 0..8 {
                let path = &path;
                s.spawn(move || {
                    for j in 0..50 {
                        super::write_private_file(path, format!("{i}-{j}").as_bytes()).unwrap();
                    }
                });
            }
        });
        let last = std::fs::read_to_string(&path).unwrap();
        assert!(last.ends_with("-49"), "{last}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }
}

#[cfg(all(test, unix))]
mod permission_tests {
    use super::Store;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    /// Issue 16.8: the data folder was created 0755 and the database 0644 (1:1 notes, chat text
    /// and prompts readable by every local user).
    #[test]
    fn data_dir_is_created_0700_and_the_database_is_0600() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("share/bosun");
        let db = data.join("bosun.db");
        let store = Store::open(&db).unwrap();
        store.conn().execute("CREATE TABLE t (x)", []).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&dir.path().join("share")), 0o700);
        assert_eq!(mode(&db), 0o600);
        let wal = data.join("bosun.db-wal");
        if wal.exists() {
            assert_eq!(mode(&wal), 0o600);
        }
        drop(store);
        // A database left readable by an older version is made private when opened.
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        Store::open(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
    }
}
