//! The sync engine: run each source's connector, record start/finish on the source, keep going
//! when one source fails, and report what happened.

use crate::db::Db;
use crate::eta::EtaSink;
pub use crate::events::Stage;
use crate::events::{Event, EventSink};
use crate::http::HttpConfig;
use crate::{ConnectorError, Result, git, github, gitlab, jira, linear, pagerduty, slack};
use bosun_core::Clock;
use bosun_core::Sensitive;
use bosun_core::model::Provider;
use bosun_store::sync_state::{self, Source};
use serde::Serialize;
use std::sync::Arc;

/// One source to sync with the credentials it needs.
#[derive(Clone)]
pub struct SyncJob {
    pub source: Source,
    pub token: Option<Sensitive<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceOutcome {
    pub source: String,
    pub kind: Provider,
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

impl SourceOutcome {
    /// This outcome followed by a later stage's of the same source: counts add up, the first
    /// error stays.
    pub fn then(mut self, later: SourceOutcome) -> SourceOutcome {
        self.ok = self.ok && later.ok;
        if self.error.is_none() {
            self.error = later.error;
            self.error_code = later.error_code;
        }
        self.requests += later.requests;
        self.not_modified += later.not_modified;
        self.items += later.items;
        for w in later.warnings {
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        self
    }
}

/// Merge a later stage's outcomes into the earlier ones, source by source.
pub fn merge_outcomes(
    earlier: Vec<SourceOutcome>,
    later: Vec<SourceOutcome>,
) -> Vec<SourceOutcome> {
    let mut later: Vec<Option<SourceOutcome>> = later.into_iter().map(Some).collect();
    let mut out: Vec<SourceOutcome> = earlier
        .into_iter()
        .map(|o| {
            match later
                .iter_mut()
                .find(|l| l.as_ref().is_some_and(|l| l.source == o.source))
                .and_then(Option::take)
            {
                Some(l) => o.then(l),
                None => o,
            }
        })
        .collect();
    out.extend(later.into_iter().flatten());
    out
}

/// What one connector run reports, whatever the provider.
#[derive(Debug, Clone, Default)]
struct Report {
    requests: u64,
    not_modified: u64,
    items: u64,
    warnings: Vec<String>,
}

/// Sync `jobs` completely: every source's current stage, then the backfills still pending.
/// Records are stamped with the clock's time when each source starts (a fixed clock makes runs
/// repeatable).
pub async fn run(
    db: &Db,
    jobs: Vec<SyncJob>,
    cfg: &HttpConfig,
    clock: &dyn Clock,
    sink: Arc<dyn EventSink>,
) -> Result<Vec<SourceOutcome>> {
    let current = run_stage(db, &jobs, cfg, clock, sink.clone(), Stage::Current).await?;
    let history = run_stage(db, &jobs, cfg, clock, sink, Stage::History).await?;
    Ok(merge_outcomes(current, history))
}

/// Run one stage of `jobs`, one source after another (each source parallelises internally). The
/// events get their ETAs here ([`EtaSink`]). In the `History` stage only sources with a backfill
/// pending run (and appear in the outcomes).
pub async fn run_stage(
    db: &Db,
    jobs: &[SyncJob],
    cfg: &HttpConfig,
    clock: &dyn Clock,
    sink: Arc<dyn EventSink>,
    stage: Stage,
) -> Result<Vec<SourceOutcome>> {
    let sink: Arc<dyn EventSink> = Arc::new(EtaSink::new(sink));
    let mut out = Vec::new();
    for job in jobs {
        let source = &job.source;
        let sid = source.id;
        if stage == Stage::History {
            let pending = db
                .read(move |s| Ok(sync_state::backfill_pending(s.conn(), sid)?))
                .await?;
            if !pending {
                continue;
            }
        }
        let now = clock.now().timestamp();
        db.write(move |tx| Ok(sync_state::mark_sync_started(tx, sid, now)?))
            .await?;
        let res = sync_one(db, source, job.token.clone(), cfg, now, sink.clone(), stage).await;
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
            kind: source.kind,
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
    stage: Stage,
) -> Result<Report> {
    let token = || {
        token
            .clone()
            .ok_or_else(|| ConnectorError::Config(format!("source {} has no token", source.name)))
    };
    if stage == Stage::History && source.kind != Provider::Github {
        // Only GitHub splits its first sync (docs/sync.md#the-first-sync).
        return Ok(Report::default());
    }
    Ok(match source.kind {
        Provider::Github => {
            let s = github::sync_stage(db, source, token()?, cfg.clone(), now, sink, stage).await?;
            Report {
                requests: s.requests,
                not_modified: s.not_modified,
                items: s.pull_requests_fetched,
                warnings: s.errors.into_iter().chain(s.warnings).collect(),
            }
        }
        Provider::Gitlab => {
            let s = gitlab::sync_source(db, source, token()?, cfg.clone(), now, sink).await?;
            Report {
                requests: s.requests,
                not_modified: s.not_modified,
                items: s.merge_requests_fetched,
                warnings: s.warnings,
            }
        }
        Provider::Linear => {
            let s = linear::sync_source(db, source, token()?, cfg.clone(), now, sink).await?;
            Report {
                requests: s.requests,
                not_modified: 0,
                items: s.issues_fetched,
                warnings: s.warnings,
            }
        }
        Provider::Jira => {
            let s = jira::sync_source(db, source, token()?, cfg.clone(), now, sink).await?;
            Report {
                requests: s.requests,
                not_modified: s.not_modified,
                items: s.tickets_fetched,
                warnings: s.refused,
            }
        }
        Provider::Pagerduty => {
            let s = pagerduty::sync_source(db, source, token()?, cfg.clone(), now, sink).await?;
            Report {
                requests: s.requests,
                not_modified: 0,
                items: s.incidents_fetched,
                warnings: s.warnings,
            }
        }
        Provider::Slack => {
            let s = slack::sync_source(db, source, token()?, cfg.clone(), now, sink).await?;
            Report {
                requests: s.requests,
                not_modified: 0,
                items: s.messages,
                warnings: s.warnings,
            }
        }
        Provider::Git => {
            let s = git::sync_source(db, source, now, sink).await?;
            Report {
                requests: 0,
                not_modified: 0,
                items: s.commits_walked,
                warnings: s.notes,
            }
        }
    })
}
