//! Sync bookkeeping: sources, cursors, conditional-request validators (ETags), jobs and the raw
//! payloads kept (compressed) so a normalizer fix can re-derive records without re-fetching.

use crate::{Result, StoreError};
use bosun_core::model::Provider;
use bosun_core::time::Ts;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub id: i64,
    pub kind: Provider,
    pub name: String,
    pub base_url: Option<String>,
    pub settings: serde_json::Value,
    pub enabled: bool,
    pub demo: bool,
    pub created_at: Ts,
    pub last_sync_started_at: Option<Ts>,
    pub last_sync_finished_at: Option<Ts>,
    pub last_sync_status: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewSource<'a> {
    pub kind: Provider,
    pub name: &'a str,
    pub base_url: Option<&'a str>,
    pub settings: serde_json::Value,
    pub demo: bool,
}

const SOURCE_COLUMNS: &str =
    "id, kind, name, base_url, settings, enabled, demo, created_at, last_sync_started_at,
     last_sync_finished_at, last_sync_status, last_error";

fn source_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Source> {
    let settings: String = r.get(4)?;
    Ok(Source {
        id: r.get(0)?,
        kind: crate::provider_column(r, 1)?,
        name: r.get(2)?,
        base_url: r.get(3)?,
        settings: serde_json::from_str(&settings).unwrap_or(serde_json::Value::Null),
        enabled: r.get(5)?,
        demo: r.get(6)?,
        created_at: r.get(7)?,
        last_sync_started_at: r.get(8)?,
        last_sync_finished_at: r.get(9)?,
        last_sync_status: r.get(10)?,
        last_error: r.get(11)?,
    })
}

/// Add a source; a source with the same name is an error.
pub fn add_source(conn: &Connection, s: &NewSource<'_>, now: Ts) -> Result<i64> {
    if source_by_name(conn, s.name)?.is_some() {
        return Err(StoreError::Invalid(format!(
            "a source named {:?} already exists",
            s.name
        )));
    }
    conn.execute(
        "INSERT INTO sources (kind, name, base_url, settings, demo, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![s.kind.as_str(), s.name, s.base_url, s.settings.to_string(), s.demo, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Add the source or, when one with this name exists, update its URL and settings (demo mode
/// re-creates its sources on every start, on new ports).
pub fn put_source(conn: &Connection, s: &NewSource<'_>, now: Ts) -> Result<i64> {
    match source_by_name(conn, s.name)? {
        Some(existing) => {
            conn.execute(
                "UPDATE sources SET kind = ?2, base_url = ?3, settings = ?4, demo = ?5 WHERE id = ?1",
                params![existing.id, s.kind.as_str(), s.base_url, s.settings.to_string(), s.demo],
            )?;
            Ok(existing.id)
        }
        None => add_source(conn, s, now),
    }
}

pub fn sources(conn: &Connection) -> Result<Vec<Source>> {
    let mut stmt = conn.prepare(&format!("SELECT {SOURCE_COLUMNS} FROM sources ORDER BY id"))?;
    let rows = stmt
        .query_map([], source_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn source_by_name(conn: &Connection, name: &str) -> Result<Option<Source>> {
    Ok(conn
        .query_row(
            &format!("SELECT {SOURCE_COLUMNS} FROM sources WHERE name = ?1"),
            [name],
            source_from_row,
        )
        .optional()?)
}

pub fn source_by_id(conn: &Connection, id: i64) -> Result<Option<Source>> {
    Ok(conn
        .query_row(
            &format!("SELECT {SOURCE_COLUMNS} FROM sources WHERE id = ?1"),
            [id],
            source_from_row,
        )
        .optional()?)
}

/// Remove a source and its sync bookkeeping. Synced records stay (they may be referenced by
/// signals and notes); `repos.source_id` is cleared.
pub fn remove_source(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM sources WHERE id = ?1", [id])? > 0)
}

pub fn mark_sync_started(conn: &Connection, source_id: i64, now: Ts) -> Result<()> {
    conn.execute(
        "UPDATE sources SET last_sync_started_at = ?2, last_sync_status = 'running' WHERE id = ?1",
        params![source_id, now],
    )?;
    Ok(())
}

pub fn mark_sync_finished(
    conn: &Connection,
    source_id: i64,
    now: Ts,
    error: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE sources SET last_sync_finished_at = ?2, last_sync_status = ?3, last_error = ?4 WHERE id = ?1",
        params![source_id, now, if error.is_some() { "failed" } else { "ok" }, error],
    )?;
    Ok(())
}

pub fn cursor(conn: &Connection, source_id: i64, scope: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT value FROM cursors WHERE source_id = ?1 AND scope = ?2",
            params![source_id, scope],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn set_cursor(
    conn: &Connection,
    source_id: i64,
    scope: &str,
    value: &str,
    now: Ts,
) -> Result<()> {
    conn.execute(
        "INSERT INTO cursors (source_id, scope, value, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (source_id, scope) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![source_id, scope, value, now],
    )?;
    Ok(())
}

pub fn cursors(conn: &Connection, source_id: i64) -> Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare("SELECT scope, value FROM cursors WHERE source_id = ?1 ORDER BY scope")?;
    let rows = stmt
        .query_map([source_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn etag(conn: &Connection, source_id: i64, url: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT etag FROM etags WHERE source_id = ?1 AND url = ?2",
            params![source_id, url],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn set_etag(conn: &Connection, source_id: i64, url: &str, etag: &str, now: Ts) -> Result<()> {
    conn.execute(
        "INSERT INTO etags (source_id, url, etag, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (source_id, url) DO UPDATE SET etag = excluded.etag, updated_at = excluded.updated_at",
        params![source_id, url, etag, now],
    )?;
    Ok(())
}

/// Cursor scope holding a source's [`FirstSync`].
pub const FIRST_SYNC_SCOPE: &str = "first_sync";
/// Cursor scopes starting with this hold where a backfill stopped (`backfill:<scope>:<phase>`).
pub const BACKFILL_PREFIX: &str = "backfill:";

/// A source's first sync, split in two passes (docs/sync.md#the-first-sync): a recent pass over
/// what changed since `window_start`, then a backfill of everything older. Kept as JSON under
/// [`FIRST_SYNC_SCOPE`]; a source without one syncs in one pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FirstSync {
    /// The recent pass covers what changed at or after this time; the backfill what is older.
    pub window_start: Ts,
    /// A pass over every scope ended without an error (so recent data is complete).
    pub recent_done: bool,
    /// Every scope is backfilled: the source syncs like any other from now on.
    pub backfill_done: bool,
    /// Scopes (repositories) the backfill covers, as of its last run.
    pub scopes: u32,
    /// The scopes whose backfill is complete, sorted (emptied once `backfill_done`).
    #[serde(default)]
    pub backfilled: Vec<String>,
}

impl FirstSync {
    pub fn new(window_start: Ts) -> FirstSync {
        FirstSync {
            window_start,
            recent_done: false,
            backfill_done: false,
            scopes: 0,
            backfilled: Vec::new(),
        }
    }

    /// Whether `scope`'s backfill is complete.
    pub fn is_backfilled(&self, scope: &str) -> bool {
        self.backfill_done
            || self
                .backfilled
                .binary_search_by(|s| s.as_str().cmp(scope))
                .is_ok()
    }

    /// Record `scope`'s backfill as complete (kept sorted, no duplicates).
    pub fn mark_backfilled(&mut self, scope: &str) {
        if let Err(at) = self.backfilled.binary_search_by(|s| s.as_str().cmp(scope)) {
            self.backfilled.insert(at, scope.to_string());
        }
    }

    /// How much of the backfill is done, in whole percent (100 once done; 0 before it counted
    /// its scopes).
    pub fn percent(&self) -> u32 {
        if self.backfill_done {
            return 100;
        }
        if self.scopes == 0 {
            return 0;
        }
        ((self.backfilled.len() as u64 * 100) / u64::from(self.scopes)).min(99) as u32
    }
}

pub fn first_sync(conn: &Connection, source_id: i64) -> Result<Option<FirstSync>> {
    cursor(conn, source_id, FIRST_SYNC_SCOPE)?
        .map(|v| {
            serde_json::from_str(&v).map_err(|e| {
                StoreError::Corrupt(format!("source {source_id}: {FIRST_SYNC_SCOPE} {v:?}: {e}"))
            })
        })
        .transpose()
}

pub fn set_first_sync(conn: &Connection, source_id: i64, state: &FirstSync, now: Ts) -> Result<()> {
    let value = serde_json::to_string(state)
        .map_err(|e| StoreError::Invalid(format!("{FIRST_SYNC_SCOPE}: {e}")))?;
    set_cursor(conn, source_id, FIRST_SYNC_SCOPE, &value, now)
}

/// Whether a source's backfill is still to do (it has a first sync that is not done).
pub fn backfill_pending(conn: &Connection, source_id: i64) -> Result<bool> {
    Ok(first_sync(conn, source_id)?.is_some_and(|f| !f.backfill_done))
}

/// Set a cursor unless it is already set (where a backfill starts: it may have moved on since).
pub fn set_cursor_if_absent(
    conn: &Connection,
    source_id: i64,
    scope: &str,
    value: &str,
    now: Ts,
) -> Result<()> {
    conn.execute(
        "INSERT INTO cursors (source_id, scope, value, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (source_id, scope) DO NOTHING",
        params![source_id, scope, value, now],
    )?;
    Ok(())
}

/// Delete the cursors whose scope starts with `prefix` (a finished backfill's positions); how
/// many there were.
pub fn delete_cursors_with_prefix(
    conn: &Connection,
    source_id: i64,
    prefix: &str,
) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM cursors WHERE source_id = ?1 AND substr(scope, 1, length(?2)) = ?2",
        params![source_id, prefix],
    )?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    pub source_id: i64,
    pub kind: String,
    pub scope: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub started_at: Option<Ts>,
    pub finished_at: Option<Ts>,
}

pub fn job_started(
    conn: &Connection,
    source_id: i64,
    kind: &str,
    scope: &str,
    now: Ts,
) -> Result<()> {
    conn.execute(
        "INSERT INTO jobs (source_id, kind, scope, state, attempts, started_at) VALUES (?1, ?2, ?3, 'running', 1, ?4)
         ON CONFLICT (source_id, kind, scope) DO UPDATE SET state = 'running', attempts = jobs.attempts + 1,
             started_at = excluded.started_at, finished_at = NULL",
        params![source_id, kind, scope, now],
    )?;
    Ok(())
}

pub fn job_finished(
    conn: &Connection,
    source_id: i64,
    kind: &str,
    scope: &str,
    now: Ts,
    error: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE jobs SET state = ?4, finished_at = ?5, last_error = ?6
         WHERE source_id = ?1 AND kind = ?2 AND scope = ?3",
        params![
            source_id,
            kind,
            scope,
            if error.is_some() { "failed" } else { "done" },
            now,
            error
        ],
    )?;
    Ok(())
}

pub fn jobs(conn: &Connection, source_id: i64) -> Result<Vec<Job>> {
    let mut stmt = conn.prepare(
        "SELECT source_id, kind, scope, state, attempts, last_error, started_at, finished_at FROM jobs
         WHERE source_id = ?1 ORDER BY kind, scope",
    )?;
    let rows = stmt
        .query_map([source_id], |r| {
            Ok(Job {
                source_id: r.get(0)?,
                kind: r.get(1)?,
                scope: r.get(2)?,
                state: r.get(3)?,
                attempts: r.get(4)?,
                last_error: r.get(5)?,
                started_at: r.get(6)?,
                finished_at: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Keep the latest raw payload for (source, kind, key), deflate-compressed.
pub fn save_raw(
    conn: &Connection,
    source_id: i64,
    kind: &str,
    key: &str,
    url: Option<&str>,
    body: &[u8],
    now: Ts,
) -> Result<()> {
    let sha = hex(&Sha256::digest(body));
    let mut enc = DeflateEncoder::new(Vec::with_capacity(body.len() / 4), Compression::fast());
    enc.write_all(body)
        .map(|_| ())
        .map_err(|e| StoreError::Invalid(format!("compressing payload: {e}")))?;
    let compressed = enc
        .finish()
        .map_err(|e| StoreError::Invalid(format!("compressing payload: {e}")))?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO raw_payloads (source_id, kind, key, url, fetched_at, sha256, encoding, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'deflate', ?7)
         ON CONFLICT (source_id, kind, key) DO UPDATE SET
             url = excluded.url, fetched_at = excluded.fetched_at, sha256 = excluded.sha256, body = excluded.body
         WHERE raw_payloads.sha256 <> excluded.sha256",
    )?;
    stmt.execute(params![source_id, kind, key, url, now, sha, compressed])?;
    Ok(())
}

/// The sha256 of the stored raw payload for (source, kind, key).
pub fn raw_sha(conn: &Connection, source_id: i64, kind: &str, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT sha256 FROM raw_payloads WHERE source_id = ?1 AND kind = ?2 AND key = ?3",
            params![source_id, kind, key],
            |r| r.get(0),
        )
        .optional()?)
}

/// The hex sha256 `save_raw` records for a body.
pub fn sha256_hex(body: &[u8]) -> String {
    hex(&Sha256::digest(body))
}

/// A raw payload, decompressed.
pub fn raw(conn: &Connection, source_id: i64, kind: &str, key: &str) -> Result<Option<Vec<u8>>> {
    let blob: Option<Vec<u8>> = conn
        .query_row(
            "SELECT body FROM raw_payloads WHERE source_id = ?1 AND kind = ?2 AND key = ?3",
            params![source_id, kind, key],
            |r| r.get(0),
        )
        .optional()?;
    blob.map(|b| {
        let mut out = Vec::new();
        DeflateDecoder::new(b.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| {
                StoreError::Corrupt(format!("raw payload {kind}/{key} does not decompress: {e}"))
            })?;
        Ok(out)
    })
    .transpose()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The first enabled source of `kind`.
pub fn first_enabled_source(conn: &Connection, kind: Provider) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM sources WHERE kind = ?1 AND enabled = 1 ORDER BY id LIMIT 1",
            [kind.as_str()],
            |r| r.get(0),
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn raw_payloads_round_trip_compressed() {
        let mut store = Store::open_in_memory().unwrap();
        let body = br#"{"number": 1, "title": "hello"}"#.repeat(50);
        store
            .write(|tx| {
                let id = add_source(
                    tx,
                    &NewSource {
                        kind: Provider::Github,
                        name: "gh",
                        base_url: None,
                        settings: serde_json::json!({}),
                        demo: false,
                    },
                    1,
                )?;
                save_raw(tx, id, "github.pull", "o/r#1", Some("http://x"), &body, 5)?;
                save_raw(tx, id, "github.pull", "o/r#1", Some("http://x"), &body, 6)?;
                Ok(())
            })
            .unwrap();
        let stored: Vec<u8> = store
            .conn()
            .query_row("SELECT body FROM raw_payloads", [], |r| r.get(0))
            .unwrap();
        assert!(
            stored.len() < body.len() / 4,
            "not compressed: {} bytes",
            stored.len()
        );
        assert_eq!(
            raw(store.conn(), 1, "github.pull", "o/r#1")
                .unwrap()
                .unwrap(),
            body
        );
        // An identical payload does not touch the row (fetched_at stays at the first fetch).
        let fetched: i64 = store
            .conn()
            .query_row("SELECT fetched_at FROM raw_payloads", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fetched, 5);
    }

    #[test]
    fn the_first_sync_state_round_trips_and_backfill_positions_go_by_prefix() {
        let mut store = Store::open_in_memory().unwrap();
        let id = store
            .write(|tx| {
                add_source(
                    tx,
                    &NewSource {
                        kind: Provider::Github,
                        name: "gh",
                        base_url: None,
                        settings: serde_json::json!({}),
                        demo: false,
                    },
                    1,
                )
            })
            .unwrap();
        assert_eq!(first_sync(store.conn(), id).unwrap(), None);
        let mut state = FirstSync::new(1_000);
        state.scopes = 3;
        state.mark_backfilled("o/b");
        state.mark_backfilled("o/a");
        state.mark_backfilled("o/b");
        assert_eq!(state.backfilled, vec!["o/a", "o/b"]);
        assert!(state.is_backfilled("o/a") && !state.is_backfilled("o/c"));
        assert_eq!(state.percent(), 66, "2 of 3, rounded down");
        store
            .write(|tx| {
                set_first_sync(tx, id, &state, 5)?;
                set_cursor_if_absent(tx, id, "backfill:o/a:pulls", "/p?page=3", 5)?;
                set_cursor_if_absent(tx, id, "backfill:o/a:pulls", "/p?page=1", 5)?;
                set_cursor(tx, id, "backfill:o/ab:pulls", "/q", 5)?;
                set_cursor(tx, id, "o/a:pulls", "77", 5)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(first_sync(store.conn(), id).unwrap(), Some(state.clone()));
        assert!(backfill_pending(store.conn(), id).unwrap());
        assert_eq!(
            cursor(store.conn(), id, "backfill:o/a:pulls")
                .unwrap()
                .as_deref(),
            Some("/p?page=3"),
            "an existing position is kept"
        );
        let gone = store
            .write(|tx| delete_cursors_with_prefix(tx, id, "backfill:o/a:"))
            .unwrap();
        assert_eq!(gone, 1);
        let left: Vec<String> = cursors(store.conn(), id)
            .unwrap()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        assert_eq!(left, vec!["backfill:o/ab:pulls", "first_sync", "o/a:pulls"]);
        state.backfill_done = true;
        assert_eq!(state.percent(), 100);
    }

    #[test]
    fn duplicate_source_names_are_refused_and_put_updates() {
        let mut store = Store::open_in_memory().unwrap();
        let s = NewSource {
            kind: Provider::Github,
            name: "gh",
            base_url: Some("http://a"),
            settings: serde_json::json!({}),
            demo: true,
        };
        store.write(|tx| add_source(tx, &s, 1)).unwrap();
        assert!(store.write(|tx| add_source(tx, &s, 1)).is_err());
        let moved = NewSource {
            base_url: Some("http://b"),
            ..s
        };
        let id = store.write(|tx| put_source(tx, &moved, 2)).unwrap();
        assert_eq!(
            source_by_id(store.conn(), id)
                .unwrap()
                .unwrap()
                .base_url
                .as_deref(),
            Some("http://b")
        );
    }
}
