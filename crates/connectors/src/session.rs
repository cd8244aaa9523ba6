//! What every provider sync shares: the HTTP client, the store, the source, the injected "now",
//! the event sink, and the bookkeeping (cursors, validators, raw payloads, jobs) done the same way
//! for every provider.

use crate::db::Db;
use crate::events::{Event, EventSink};
use crate::http::HttpClient;
use crate::{ConnectorError, Result};
use bosun_core::time::Ts;
use bosun_store::Connection;
use bosun_store::StoreError;
use bosun_store::sync_state;
use std::sync::Arc;

pub fn store_err(e: StoreError) -> ConnectorError {
    ConnectorError::Store(e)
}

pub struct Session {
    pub http: HttpClient,
    pub db: Db,
    pub source_id: i64,
    pub source: String,
    /// The API base URL (no trailing slash).
    pub api: String,
    pub now: Ts,
    pub sink: Arc<dyn EventSink>,
    /// What was skipped with the rest synced, for the sync's outcome ([`Self::warn`]).
    warnings: std::sync::Mutex<Vec<String>>,
}

/// How a session reaches its provider: the base URL (no trailing slash), the credentials and
/// the headers every request carries.
pub struct Opening {
    pub api: String,
    pub auth: crate::http::Auth,
    pub headers: reqwest::header::HeaderMap,
}

impl Opening {
    /// `source`'s base URL, else `default` (a provider's public API), without a trailing slash.
    pub fn base_url(source: &sync_state::Source, default: &str) -> String {
        source
            .base_url
            .as_deref()
            .unwrap_or(default)
            .trim_end_matches('/')
            .to_string()
    }
}

impl Session {
    /// A session of `source`: its HTTP client (named after the source, reporting to `sink`)
    /// and its bookkeeping, at `now`. Every provider's sync opens one this way.
    pub fn open(
        db: &Db,
        source: &sync_state::Source,
        how: Opening,
        cfg: crate::http::HttpConfig,
        now: Ts,
        sink: Arc<dyn EventSink>,
    ) -> Result<Session> {
        let http = HttpClient::new(
            &source.name,
            &how.api,
            how.auth,
            how.headers,
            cfg,
            sink.clone(),
        )?;
        Ok(Session {
            http,
            db: db.clone(),
            source_id: source.id,
            source: source.name.clone(),
            api: how.api,
            now,
            sink,
            warnings: Default::default(),
        })
    }

    /// Note something skipped without stopping the sync (a refused sub-resource, a record
    /// missing what the connector reads): logged, and reported with the sync's outcome.
    pub fn warn(&self, text: String) {
        tracing::warn!(source = %self.source, "{text}");
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(text);
    }

    /// The warnings so far, emptied.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// A URL relative to the API base (validators and raw-payload URLs survive a moved base).
    pub fn rel(&self, url: &str) -> String {
        url.strip_prefix(&self.api).unwrap_or(url).to_string()
    }

    pub async fn cursor(&self, scope: &str) -> Result<Option<String>> {
        let (sid, scope) = (self.source_id, scope.to_string());
        self.db
            .read(move |s| sync_state::cursor(s.conn(), sid, &scope).map_err(store_err))
            .await
    }

    pub async fn cursor_ts(&self, scope: &str) -> Result<Option<Ts>> {
        Ok(self.cursor(scope).await?.and_then(|v| v.parse().ok()))
    }

    pub fn set_cursor(&self, tx: &Connection, scope: &str, value: &str) -> Result<()> {
        sync_state::set_cursor(tx, self.source_id, scope, value, self.now).map_err(store_err)
    }

    pub fn save_raw(&self, tx: &Connection, kind: &str, key: &str, body: &[u8]) -> Result<()> {
        sync_state::save_raw(tx, self.source_id, kind, key, None, body, self.now).map_err(store_err)
    }

    /// The sha256 of the raw payload stored for (kind, key): unchanged payloads need no work.
    pub async fn raw_sha(&self, kind: &str, key: &str) -> Result<Option<String>> {
        let (sid, kind, key) = (self.source_id, kind.to_string(), key.to_string());
        self.db
            .read(move |s| sync_state::raw_sha(s.conn(), sid, &kind, &key).map_err(store_err))
            .await
    }

    pub fn progress(&self, scope: &str, phase: &str, done: u64, total: u64) {
        self.sink.emit(Event::Progress {
            source: self.source.clone(),
            scope: scope.to_string(),
            phase: phase.to_string(),
            done,
            total,
            pass: crate::events::Pass::Full,
            eta_secs: None,
        });
    }

    /// Run `work` as job (kind, scope): recorded as running, then done or failed with its error.
    pub async fn job<T, F>(&self, kind: &str, scope: &str, work: F) -> Result<T>
    where
        F: std::future::Future<Output = Result<T>>,
    {
        let (sid, now, k, s) = (
            self.source_id,
            self.now,
            kind.to_string(),
            scope.to_string(),
        );
        self.db
            .write(move |tx| sync_state::job_started(tx, sid, &k, &s, now).map_err(store_err))
            .await?;
        let result = work.await;
        let err = result.as_ref().err().map(|e| e.to_string());
        let (k, s) = (kind.to_string(), scope.to_string());
        self.db
            .write(move |tx| {
                sync_state::job_finished(tx, sid, &k, &s, now, err.as_deref()).map_err(store_err)
            })
            .await?;
        if result.is_ok() {
            self.sink.emit(Event::ScopeFinished {
                source: self.source.clone(),
                scope: scope.to_string(),
                items: 0,
                pass: crate::events::Pass::Full,
            });
        }
        result
    }
}

/// The sha256 (hex) of a payload, as `save_raw` records it.
pub fn sha256_hex(body: &[u8]) -> String {
    sync_state::sha256_hex(body)
}
