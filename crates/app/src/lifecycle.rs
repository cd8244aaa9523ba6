//! The data lifecycle (docs/data.md): what Bosun stores, retention after every sync, exporting
//! everything, forgetting a person, and backups with a verified restore. The SQL is
//! `bosun_store::lifecycle`'s; this module adds the files around the database (the config, the
//! notes folder, logs, older copies) and the audit entries.

use crate::{App, AppError, Result};
use bosun_core::model::Provider;
use bosun_core::time::{DAY, rfc3339};
use bosun_store::lifecycle::{self, Forgotten, Retained, Retention, TableInfo};
use bosun_store::{Store, audit};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A table as the "What Bosun stores" page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredTable {
    pub name: String,
    pub rows: i64,
    pub bytes: i64,
    /// A full-text index rebuilt from other tables.
    pub derived: bool,
    /// How long its rows (or their text) are kept: "forever", "30 days", ...
    pub retention: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Storage {
    pub database: String,
    pub size_bytes: i64,
    pub wal_bytes: i64,
    pub tables: Vec<StoredTable>,
    /// Other files in the data dir (logs, notes, backups), with their sizes.
    pub files: Vec<StoredFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFile {
    pub path: String,
    pub bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    pub rows: u64,
    pub tables: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForgetReport {
    #[serde(flatten)]
    pub database: Forgotten,
    /// Files in the data dir (and notes folder) rewritten with the pseudonym.
    pub files_rewritten: Vec<String>,
    /// Files deleted: notes about the person, other copies of the database.
    pub files_deleted: Vec<String>,
    /// The re-chained ledger was anchored anew (outside the database): the entry the anchor
    /// recorded before.
    pub audit_anchor_moved_from: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupReport {
    pub file: String,
    pub bytes: u64,
    pub schema_version: u32,
    pub config_included: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreReport {
    pub restored_from: String,
    pub schema_version: u32,
    /// Where the database it replaced went.
    pub previous: Option<String>,
    /// Where the config it replaced went (when the backup carried a different one).
    pub previous_config: Option<String>,
    pub config_restored: bool,
    /// The restored ledger was anchored anew: the entry the anchor recorded before (of the
    /// database it replaced).
    pub audit_anchor_moved_from: Option<i64>,
}

fn io(path: &Path, e: std::io::Error) -> AppError {
    AppError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

/// `path` plus a suffix (`bosun.db` → `bosun.db.bak`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

fn days(n: u32) -> String {
    match n {
        0 => "forever".to_string(),
        1 => "1 day".to_string(),
        n => format!("{n} days"),
    }
}

impl App {
    /// The retention windows as of now (`None`: keep forever).
    pub fn retention(&self) -> Retention {
        let r = self.config.retention;
        let before = |d: u32| (d > 0).then(|| self.now() - i64::from(d) * DAY);
        Retention {
            raw_payloads_before: before(r.raw_payloads_days),
            chat_text_before: before(r.chat_text_days),
        }
    }

    /// Apply `[retention]` (after every successful sync).
    pub fn apply_retention(&self, store: &mut Store) -> Result<Retained> {
        let r = self.retention();
        Ok(store.write(|tx| lifecycle::apply_retention(tx, r))?)
    }

    /// Every table with its rows, size and retention, and the other files of the data dir.
    pub fn storage(&self) -> Result<Storage> {
        let store = self.store()?;
        let r = self.config.retention;
        let tables = lifecycle::tables(store.conn())?
            .into_iter()
            .map(|t: TableInfo| StoredTable {
                retention: match t.name.as_str() {
                    "raw_payloads" => days(r.raw_payloads_days),
                    "chat_messages" if r.chat_text_days > 0 => {
                        format!("text {}", days(r.chat_text_days))
                    }
                    _ => days(0),
                },
                name: t.name,
                rows: t.rows,
                bytes: t.bytes,
                derived: t.derived,
            })
            .collect();
        let db = self.paths.database();
        let len = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len() as i64);
        let mut files = Vec::new();
        for f in files_under(&self.paths.data_dir)? {
            if f == db || f == with_suffix(&db, "-wal") || f == with_suffix(&db, "-shm") {
                continue;
            }
            files.push(StoredFile {
                path: f
                    .strip_prefix(&self.paths.data_dir)
                    .unwrap_or(&f)
                    .display()
                    .to_string(),
                bytes: len(&f),
            });
        }
        Ok(Storage {
            database: db.display().to_string(),
            size_bytes: lifecycle::size_bytes(store.conn())?,
            wal_bytes: len(&with_suffix(&db, "-wal")),
            tables,
            files,
        })
    }

    /// Write every row of the database to `out` as JSON Lines: `{"table": ..., "row": {...}}`.
    pub fn export_data(&self, out: &mut dyn Write) -> Result<ExportReport> {
        let store = self.store()?;
        let mut tables = std::collections::BTreeSet::new();
        let rows = lifecycle::export(store.conn(), |table, row| {
            tables.insert(table.to_string());
            let line = serde_json::json!({ "table": table, "row": row });
            writeln!(out, "{line}").map_err(|e| bosun_store::StoreError::Io {
                path: PathBuf::from("<export>"),
                source: e,
            })
        })?;
        out.flush().map_err(|e| io(Path::new("<export>"), e))?;
        Ok(ExportReport {
            rows,
            tables: tables.len(),
        })
    }

    /// Erase a person (a key, name, email or account, as other commands take them): see
    /// [`lifecycle::forget`]; then the files of the data dir and the notes folder that name
    /// them are rewritten (notes about them and other copies of the database are deleted), the
    /// database is vacuumed and its WAL emptied, and the audit ledger records the pseudonym.
    pub fn forget(&self, person: &str) -> Result<ForgetReport> {
        let mut store = self.store()?;
        let who = crate::notes::resolve_person(store.conn(), person)?;
        // Git sources' repositories are the user's own, read and never written by Bosun.
        let repositories: Vec<PathBuf> = bosun_store::sync_state::sources(store.conn())?
            .iter()
            .filter(|s| s.kind == Provider::Git)
            .filter_map(|s| bosun_connectors::git::GitSettings::from_source(s).ok())
            .map(|(g, _)| PathBuf::from(g.path))
            .collect();
        let strings = lifecycle::person_strings(store.conn(), who.id)?;
        let now = self.now();
        let forgotten = store.write(|tx| {
            let f = lifecycle::forget(tx, who.id)?;
            audit::append(
                tx,
                &audit::NewEntry {
                    at: now,
                    actor: "user",
                    action: "data.forget",
                    subject: Some(&format!("person:{}", f.pseudonym)),
                    result: "ok",
                    trace: serde_json::json!({
                        "strings": f.strings,
                        "chat_messages_erased": f.chat_messages_erased,
                        "private_notes_deleted": f.private_notes_deleted,
                        "raw_payloads_deleted": f.raw_payloads_deleted,
                        "rows_rewritten": f.rows_rewritten,
                        "audit_rechained_from": f.audit_rechained_from,
                        "audit_previous_head": f.audit_previous_head,
                    }),
                },
            )?;
            Ok(f)
        })?;
        // The re-chain is ours: the anchor outside the database follows it (the ledger's own
        // entry above records the old head).
        let audit_anchor_moved_from = match (forgotten.audit_rechained_from, store.ledger_anchor())
        {
            (Some(_), Some(a)) => a.reset(store.conn())?,
            _ => None,
        };
        lifecycle::compact(store.conn(), true)?;
        drop(store);
        let mut report = ForgetReport {
            database: forgotten,
            files_rewritten: Vec::new(),
            files_deleted: Vec::new(),
            audit_anchor_moved_from,
        };
        let pseudonym = report.database.pseudonym.clone();
        let strings: Vec<String> = strings
            .into_iter()
            .filter(|s| !s.contains(&pseudonym))
            .collect();
        let mut roots = vec![self.paths.data_dir.clone()];
        let notes = self.notes_folder();
        if !notes.starts_with(&self.paths.data_dir) {
            roots.push(notes.clone());
        }
        // The config names people too (team members, `me`); outside the data dir it is still ours.
        if !roots.iter().any(|r| self.paths.config_file.starts_with(r))
            && self.paths.config_file.is_file()
        {
            scrub_file(&self.paths.config_file, &strings, &pseudonym, &mut report)?;
        }
        let db = self.paths.database();
        let slugs: Vec<String> = strings.iter().map(|s| slug(s)).collect();
        for root in roots {
            for f in files_under(&root)? {
                if f == db
                    || f == with_suffix(&db, "-wal")
                    || f == with_suffix(&db, "-shm")
                    || repositories.iter().any(|r| f.starts_with(r))
                {
                    continue;
                }
                let in_notes = f.starts_with(&notes);
                let name = f
                    .file_name()
                    .map(|n| n.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                let about_them =
                    in_notes && slugs.iter().any(|s| !s.is_empty() && name.contains(s));
                if about_them || is_sqlite(&f) {
                    std::fs::remove_file(&f).map_err(|e| io(&f, e))?;
                    report.files_deleted.push(f.display().to_string());
                } else {
                    scrub_file(&f, &strings, &pseudonym, &mut report)?;
                }
            }
        }
        Ok(report)
    }

    /// A consistent copy of the database (with the config inside it) at `out`, by default
    /// `<data dir>/backups/bosun-<time>.db`.
    pub fn backup(&self, out: Option<PathBuf>) -> Result<BackupReport> {
        let store = self.store()?;
        let target = match out {
            Some(p) => p,
            None => {
                let stamp = bosun_core::time::from_ts(self.now()).format("%Y%m%d-%H%M%S");
                self.paths
                    .data_dir
                    .join("backups")
                    .join(format!("bosun-{stamp}.db"))
            }
        };
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        lifecycle::copy_to(store.conn(), &target)?;
        let config = match std::fs::read_to_string(&self.paths.config_file) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(&self.paths.config_file, e)),
        };
        let at = rfc3339(self.now());
        lifecycle::set_file_meta(
            &target,
            &[
                ("backup_config", config.as_deref()),
                ("backup_at", Some(&at)),
            ],
        )?;
        restrict(&target)?;
        let schema_version = lifecycle::check_copy(&target)?;
        Ok(BackupReport {
            bytes: std::fs::metadata(&target).map_or(0, |m| m.len()),
            file: target.display().to_string(),
            schema_version,
            config_included: config.is_some(),
        })
    }

    /// Replace the database with a backup after checking it (an SQLite file, a Bosun database,
    /// not newer than this build, `integrity_check` ok). An existing database is replaced only
    /// with `force`, and kept as `bosun.db.bak`. A config carried by the backup is restored too
    /// (a different existing one is kept as `config.toml.bak`).
    pub fn restore(&self, file: &Path, force: bool) -> Result<RestoreReport> {
        let schema_version = lifecycle::check_copy(file)?;
        let db = self.paths.database();
        if db.exists() && !force {
            return Err(AppError::InvalidInput(format!(
                "{} exists: pass --force to replace it (it is kept as {})",
                db.display(),
                with_suffix(&db, ".bak").display()
            )));
        }
        std::fs::create_dir_all(&self.paths.data_dir).map_err(|e| io(&self.paths.data_dir, e))?;
        // Copy through SQLite first (a consistent file of the backup, whatever its journal).
        let incoming = with_suffix(&db, ".restoring");
        let _ = std::fs::remove_file(&incoming);
        lifecycle::copy_file_to(file, &incoming)?;
        let config = lifecycle::file_meta(&incoming, "backup_config")?;
        lifecycle::set_file_meta(&incoming, &[("backup_config", None), ("backup_at", None)])?;
        lifecycle::check_copy(&incoming)?;
        let mut previous = None;
        if db.exists() {
            // Fold the WAL in so that the .bak is the whole database.
            let old = Store::open(&db)?;
            lifecycle::compact(old.conn(), false)?;
            drop(old);
            let bak = with_suffix(&db, ".bak");
            std::fs::rename(&db, &bak).map_err(|e| io(&bak, e))?;
            for s in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(with_suffix(&db, s));
            }
            previous = Some(bak.display().to_string());
        }
        std::fs::rename(&incoming, &db).map_err(|e| io(&db, e))?;
        restrict(&db)?;
        // Migrate a backup from an older build; record the restore in its ledger and anchor that
        // ledger anew (the anchor recorded the replaced database's).
        let mut restored = Store::open(&db)?;
        let now = self.now();
        restored.write(|tx| {
            audit::append(
                tx,
                &audit::NewEntry {
                    at: now,
                    actor: "user",
                    action: "data.restore",
                    subject: None,
                    result: "ok",
                    trace: serde_json::json!({
                        "restored_from": file.display().to_string(),
                        "schema_version": schema_version,
                        "replaced": previous,
                    }),
                },
            )?;
            Ok(())
        })?;
        let audit_anchor_moved_from = match self.ledger_anchor() {
            Ok(a) => a.reset(restored.conn())?,
            Err(_) => None,
        };
        drop(restored);
        let mut previous_config = None;
        let mut config_restored = false;
        if let Some(text) = config {
            let path = &self.paths.config_file;
            match std::fs::read_to_string(path) {
                Ok(current) if current == text => {}
                Ok(_) => {
                    let bak = with_suffix(path, ".bak");
                    std::fs::rename(path, &bak).map_err(|e| io(&bak, e))?;
                    previous_config = Some(bak.display().to_string());
                    std::fs::write(path, &text).map_err(|e| io(path, e))?;
                    config_restored = true;
                }
                Err(_) => {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
                    }
                    std::fs::write(path, &text).map_err(|e| io(path, e))?;
                    config_restored = true;
                }
            }
        }
        Ok(RestoreReport {
            restored_from: file.display().to_string(),
            schema_version,
            previous,
            previous_config,
            config_restored,
            audit_anchor_moved_from,
        })
    }
}

/// Owner-only permissions (the database holds 1:1 notes and chat text).
#[cfg(unix)]
fn restrict(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| io(path, e))
}

#[cfg(not(unix))]
fn restrict(_: &Path) -> Result<()> {
    Ok(())
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Regular files under `dir`, recursively, never following symbolic links.
pub(crate) fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&d, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| io(&d, e))?;
            let kind = entry.file_type().map_err(|e| io(&entry.path(), e))?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"SQLite format 3\0")
}

/// Rewrite a text file with the person's strings replaced (written whole, then renamed); a
/// binary file that contains one is deleted.
fn scrub_file(
    path: &Path,
    strings: &[String],
    with: &str,
    report: &mut ForgetReport,
) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    match String::from_utf8(bytes) {
        Ok(text) => {
            if let Some(new) = lifecycle::scrub(&text, strings, with) {
                let tmp = with_suffix(path, ".forget-tmp");
                std::fs::write(&tmp, new).map_err(|e| io(&tmp, e))?;
                std::fs::rename(&tmp, path).map_err(|e| io(path, e))?;
                report.files_rewritten.push(path.display().to_string());
            }
        }
        Err(e) => {
            let lower = e.as_bytes().to_ascii_lowercase();
            let named = strings.iter().any(|s| {
                let s = s.to_ascii_lowercase();
                lower.windows(s.len()).any(|w| w == s.as_bytes())
            });
            if named {
                std::fs::remove_file(path).map_err(|e| io(path, e))?;
                report.files_deleted.push(path.display().to_string());
            }
        }
    }
    Ok(())
}
