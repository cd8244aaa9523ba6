//! The sync engine: run each source's connector, record start/finish on the source, keep going
//! when one source fails, and report what happened.

use crate::db::Db;
use crate::events::{Event, EventSink};
use crate::http::HttpConfig;
use crate::{ConnectorError, Result, git, github, jira, pagerduty, slack};
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
    /// Records fetched (pull requests, tickets, incidents, messages, commits).
    pub items: u64,
    /// What was refused or skipped on the way (bad timestamps, odd references), one line each.
    pub warnings: Vec<String>,
}

/// What one connector run reports, whatever the provider.
#[derive(Debug, Clone, Default)]
struct Report {
    requests: u64,
    not_modified: u64,
    items: u64,
    warnings: Vec<String>,
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
        let (error, code, report) = match res {
            Ok(r) => (None, None, r),
            Err(e) => (
                Some(e.to_string()),
                Some(bosun_core::HasCode::code(&e)),
                Report::default(),
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
            ok: error.is_none(),
            error,
            error_code: code,
            requests: report.requests,
            not_modified: report.not_modified,
            items: report.items,
            warnings: report.warnings,
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
) -> Result<Report> {
    let token = || {
        token
            .clone()
            .ok_or_else(|| ConnectorError::Config(format!("source {} has no token", source.name)))
    };
    Ok(match source.kind.as_str() {
        "github" => {
            let s = github::sync_source(db, source, token()?, cfg.clone(), now, sink).await?;
            Report {
                requests: s.requests,
                not_modified: s.not_modified,
                items: s.pull_requests_fetched,
                warnings: s.errors.into_iter().chain(s.warnings).collect(),
            }
        }
        "jira" => {
            let s = jira::sync_source(db, source, token()?, cfg.clone(), now, sink).await?;
            Report {
                requests: s.requests,
                not_modified: s.not_modified,
                items: s.tickets_fetched,
                warnings: s.refused,
            }
        }
        "pagerduty" => {
            let s = pagerduty::sync_source(db, source, token()?, cfg.clone(), now, sink).await?;
            Report {
                requests: s.requests,
                not_modified: 0,
                items: s.incidents_fetched,
                warnings: Vec::new(),
            }
        }
        "slack" => {
            let s = slack::sync_source(db, source, token()?, cfg.clone(), now, sink).await?;
            Report {
                requests: s.requests,
                not_modified: 0,
                items: s.messages,
                warnings: Vec::new(),
            }
        }
        "git" => {
            let s = git::sync_source(db, source, now, sink).await?;
            Report {
                requests: 0,
                not_modified: 0,
                items: s.commits_walked,
                warnings: s.notes,
            }
        }
        other => {
            return Err(ConnectorError::Config(format!(
                "source {}: unknown kind {other:?}",
                source.name
            )));
        }
    })
}
