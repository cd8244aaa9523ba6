//! The sync engine: run each source's connector, record start/finish on the source, keep going
//! when one source fails, and report what happened.

use crate::db::Db;
use crate::events::{Event, EventSink};
use crate::http::HttpConfig;
use crate::{ConnectorError, Result, github};
use bosun_core::Clock;
use bosun_core::Sensitive;
use bosun_store::sync_state::{self, Source};
use serde::Serialize;
use std::sync::Arc;

/// One source to sync with the credentials it needs.
pub struct SyncJob {
    pub source: Source,
    pub token: Option<Sensitive<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceOutcome {
    pub source: String,
    pub kind: String,
    pub ok: bool,
    pub error: Option<String>,
    pub error_code: Option<bosun_core::Code>,
    pub requests: u64,
    pub not_modified: u64,
    pub items: u64,
}

/// Sync `jobs` one source after another (each source parallelises internally). Records are
/// stamped with the clock's time when each source starts (a fixed clock makes runs repeatable).
pub async fn run(
    db: &Db,
    jobs: Vec<SyncJob>,
    cfg: &HttpConfig,
    clock: &dyn Clock,
    sink: Arc<dyn EventSink>,
) -> Result<Vec<SourceOutcome>> {
    let mut out = Vec::new();
    for job in jobs {
        let source = job.source;
        let sid = source.id;
        let now = clock.now().timestamp();
        db.write(move |tx| Ok(sync_state::mark_sync_started(tx, sid, now)?))
            .await?;
        let res = sync_one(db, &source, job.token, cfg, now, sink.clone()).await;
        let (ok, error, code, requests, not_modified, items) = match &res {
            Ok(s) => (
                true,
                None,
                None,
                s.requests,
                s.not_modified,
                s.pull_requests_fetched,
            ),
            Err(e) => (
                false,
                Some(e.to_string()),
                Some(bosun_core::HasCode::code(e)),
                0,
                0,
                0,
            ),
        };
        let err = error.clone();
        let finished = clock.now().timestamp();
        db.write(move |tx| {
            Ok(sync_state::mark_sync_finished(
                tx,
                sid,
                finished,
                err.as_deref(),
            )?)
        })
        .await?;
        sink.emit(Event::SourceFinished {
            source: source.name.clone(),
            error: error.clone(),
        });
        out.push(SourceOutcome {
            source: source.name.clone(),
            kind: source.kind.clone(),
            ok,
            error,
            error_code: code,
            requests,
            not_modified,
            items,
        });
    }
    Ok(out)
}

async fn sync_one(
    db: &Db,
    source: &Source,
    token: Option<Sensitive<String>>,
    cfg: &HttpConfig,
    now: i64,
    sink: Arc<dyn EventSink>,
) -> Result<github::SyncStats> {
    match source.kind.as_str() {
        "github" => {
            let token = token.ok_or_else(|| {
                ConnectorError::Config(format!("source {} has no token", source.name))
            })?;
            github::sync_source(db, source, token, cfg.clone(), now, sink).await
        }
        other => Err(ConnectorError::Config(format!(
            "source {}: unknown kind {other:?}",
            source.name
        ))),
    }
}
