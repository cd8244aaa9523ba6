//! Schema migrations. Each migration only adds (tables, columns, indexes); the list is append-only
//! and versions are stored in `PRAGMA user_version`.

use crate::{Result, StoreError};
use rusqlite::Connection;
use std::path::Path;

pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "metric_changes",
        sql: include_str!("migrations/0002_metric_changes.sql"),
    },
    Migration {
        version: 3,
        name: "signals",
        sql: include_str!("migrations/0003_signals.sql"),
    },
    Migration {
        version: 4,
        name: "identity",
        sql: include_str!("migrations/0004_identity.sql"),
    },
    Migration {
        version: 5,
        name: "signal_reads",
        sql: include_str!("migrations/0005_signal_reads.sql"),
    },
    Migration {
        version: 6,
        name: "action_claims",
        sql: include_str!("migrations/0006_action_claims.sql"),
    },
    Migration {
        version: 7,
        name: "identity_decisions",
        sql: include_str!("migrations/0007_identity_decisions.sql"),
    },
    Migration {
        version: 8,
        name: "oncall",
        sql: include_str!("migrations/0008_oncall.sql"),
    },
    Migration {
        version: 9,
        name: "alert_pages",
        sql: include_str!("migrations/0009_alert_pages.sql"),
    },
    Migration {
        version: 10,
        name: "account_time_zones",
        sql: include_str!("migrations/0010_account_time_zones.sql"),
    },
    Migration {
        version: 11,
        name: "goals_and_risks",
        sql: include_str!("migrations/0011_goals_and_risks.sql"),
    },
    Migration {
        version: 12,
        name: "chat_edits",
        sql: include_str!("migrations/0012_chat_edits.sql"),
    },
    Migration {
        version: 13,
        name: "action_slack_dms",
        sql: include_str!("migrations/0013_action_slack_dms.sql"),
    },
    Migration {
        version: 14,
        name: "changed_files_and_service_names",
        sql: include_str!("migrations/0014_changed_files_and_service_names.sql"),
    },
];

pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The schema version of the database (SQLite's `user_version`).
pub fn schema_version(conn: &Connection) -> Result<u32> {
    Ok(user_version(conn)?)
}

/// [`schema_version`] with SQLite's own error (opening maps it to its own).
pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Bring `conn` to the latest schema. `path` is the database file (for the backup) or `None` for
/// an in-memory database.
pub fn migrate(conn: &mut Connection, path: Option<&Path>) -> Result<()> {
    run(conn, path, MIGRATIONS)
}

fn run(conn: &mut Connection, path: Option<&Path>, migrations: &[Migration]) -> Result<()> {
    let open_err = |e| match path {
        Some(p) => StoreError::open(p, e),
        None => StoreError::Sqlite(e),
    };
    let current = user_version(conn).map_err(open_err)?;
    let latest = migrations.last().map_or(0, |m| m.version);
    if current > latest {
        return Err(StoreError::TooNew {
            found: current,
            latest,
        });
    }
    if current == latest {
        return Ok(());
    }
    if current > 0
        && let Some(path) = path
    {
        backup(conn, path, current)?;
    }
    // Each step under the write lock (BEGIN IMMEDIATE), the version read again inside it: two
    // processes or threads opening a new database at once apply each migration once, and the
    // second sees the first's work instead of failing on "table already exists".
    for m in migrations.iter().filter(|m| m.version > current) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now = user_version(&tx).map_err(open_err)?;
        if now >= m.version {
            continue;
        }
        if now == 0 {
            let objects: i64 = tx
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
                    [],
                    |r| r.get(0),
                )
                .map_err(open_err)?;
            if objects > 0 {
                return Err(StoreError::Foreign(
                    path.map(Path::to_path_buf).unwrap_or_default(),
                ));
            }
        }
        tx.execute_batch(m.sql).map_err(|e| StoreError::Migration {
            version: m.version,
            name: m.name,
            source: e,
        })?;
        tx.pragma_update(None, "user_version", m.version)?;
        tx.commit()?;
    }
    Ok(())
}

/// Copy the whole database (consistently, WAL included) to `<file>.backup-v<version>-<unix time>`
/// (with `.<n>` added when that name is taken: two openers of one old file each keep a whole copy
/// instead of writing into the same one).
fn backup(conn: &Connection, path: &Path, version: u32) -> Result<()> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let target = reserve_backup_name(path, version, stamp)?;
    conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])
        .map_err(StoreError::Backup)?;
    Ok(())
}

/// Create an empty, owner-only file under the first free backup name (`create_new` is atomic, so no
/// two openers get the same one); `VACUUM INTO` accepts an empty target.
fn reserve_backup_name(path: &Path, version: u32, stamp: u64) -> Result<std::path::PathBuf> {
    let base = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    for n in 0..1000u32 {
        let mut name = base.clone();
        name.push(format!(".backup-v{version}-{stamp}"));
        if n > 0 {
            name.push(format!(".{n}"));
        }
        let target = path.with_file_name(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&target) {
            Ok(_) => return Ok(target),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => {
                return Err(StoreError::Io {
                    path: target,
                    source,
                });
            }
        }
    }
    Err(StoreError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::AlreadyExists, "no free backup name"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_openers_of_a_new_database_migrate_it_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bosun.db");
        for _ in 0..5 {
            let _ = std::fs::remove_file(&path);
            let results: Vec<_> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..4)
                    .map(|_| s.spawn(|| crate::Store::open(&path).map(|_| ())))
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            for r in results {
                r.unwrap();
            }
        }
    }

    #[test]
    fn migrations_are_numbered_in_order_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(
                m.version as usize,
                i + 1,
                "migration {} out of order",
                m.name
            );
        }
    }

    #[test]
    fn migrations_only_add() {
        // A migration may create and add; it must never drop, rename or rewrite existing data.
        let forbidden = ["DROP ", "RENAME ", "DELETE FROM", "UPDATE "];
        for m in MIGRATIONS {
            let upper: String = m
                .sql
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
                .to_uppercase();
            // Triggers may contain DELETE/UPDATE in their bodies (FTS maintenance); strip them.
            let without_triggers = strip_triggers(&upper);
            for word in forbidden {
                assert!(
                    !without_triggers.contains(word),
                    "migration v{} contains {word}",
                    m.version
                );
            }
        }
    }

    fn strip_triggers(sql: &str) -> String {
        let mut out = String::new();
        let mut rest = sql;
        while let Some(start) = rest.find("CREATE TRIGGER") {
            out.push_str(&rest[..start]);
            let after = &rest[start..];
            let end = after.find("END;").map_or(after.len(), |e| e + 4);
            rest = &after[end..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn migrates_an_empty_memory_database_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, None).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), latest_version());
        migrate(&mut conn, None).unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(tables > 40, "only {tables} tables");
    }

    #[test]
    fn backs_up_the_file_before_migrating_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bosun.db");
        let mut conn = Connection::open(&path).unwrap();
        run(&mut conn, Some(&path), &MIGRATIONS[..1]).unwrap();
        conn.execute("INSERT INTO meta (key, value) VALUES ('before', 'v1')", [])
            .unwrap();
        let next = Migration {
            version: 2,
            name: "extra",
            sql: "CREATE TABLE extra (x INTEGER);",
        };
        let all: Vec<Migration> = vec![
            Migration {
                version: 1,
                name: MIGRATIONS[0].name,
                sql: MIGRATIONS[0].sql,
            },
            next,
        ];
        run(&mut conn, Some(&path), &all).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 2);
        let backups: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("bosun.db.backup-v1-"))
            .collect();
        assert_eq!(backups.len(), 1, "{backups:?}");
        let backup = Connection::open(dir.path().join(&backups[0])).unwrap();
        assert_eq!(schema_version(&backup).unwrap(), 1);
        let kept: String = backup
            .query_row("SELECT value FROM meta WHERE key = 'before'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(kept, "v1");
        let has_extra: i64 = backup
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'extra'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(has_extra, 0, "the backup is the pre-migration database");
    }

    #[test]
    fn refuses_a_foreign_sqlite_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE notes (x TEXT);").unwrap();
        drop(conn);
        let err = crate::Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Foreign(_)), "{err}");
    }

    #[test]
    fn a_garbage_file_gives_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("garbage.db");
        std::fs::write(
            &path,
            b"this is not a database, just text that is long enough to look like one",
        )
        .unwrap();
        let err = crate::Store::open(&path).unwrap_err();
        assert!(err.to_string().contains("garbage.db"), "{err}");
    }

    #[test]
    fn fts5_is_compiled_in() {
        let store = crate::Store::open_in_memory().unwrap();
        let c = store.conn();
        c.execute(
            "INSERT INTO sources (id, kind, name, created_at) VALUES (1, 'docs', 'd', 0)",
            [],
        )
        .unwrap();
        c.execute("INSERT INTO documents (id, source_id, root, path, kind, content_hash, size, indexed_at) VALUES (1, 1, '/r', 'a.md', 'markdown', 'h', 1, 0)", []).unwrap();
        c.execute("INSERT INTO chunks (document_id, ordinal, heading_path, text, byte_start, byte_end, line_start, line_end, token_estimate) VALUES (1, 0, 'Runbook', 'rotate the database credentials', 0, 10, 1, 2, 5)", []).unwrap();
        let hits: i64 = c
            .query_row(
                "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'credential'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(hits, 1, "porter stemming + FTS5");
    }

    #[test]
    fn refuses_a_newer_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        let err = migrate(&mut conn, None).unwrap_err();
        assert!(
            matches!(err, StoreError::TooNew { found: 999, .. }),
            "{err}"
        );
    }
}
