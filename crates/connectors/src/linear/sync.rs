//! Incremental, resumable Linear sync of one source: its teams (all, or the keys it names), each
//! with its workflow states, its cycles, and its issues updated since the team's cursor. Each
//! changed issue is read with its whole history and written in one transaction; an issue stored
//! at its listed `updatedAt` is skipped, and a team's cursor is saved when its issues are all
//! written, so a killed sync redoes only what it had not finished.
//!
//! Rate limits: Linear answers a spent budget with `RATELIMITED` and the reset times in its
//! `X-RateLimit-Requests-Reset` / `X-RateLimit-Complexity-Reset` headers (epoch milliseconds),
//! which the HTTP client waits for ([`crate::http`]). Pages are 50 issues, well within the
//! complexity a single query may cost.

use super::{api, normalize, queries};
use crate::db::Db;
use crate::events::{Event, EventSink};
use crate::http::{Auth, HttpConfig};
use crate::jira::history::{DEFAULT_WAITING, StatusMap};
use crate::jira::normalize::WorkTypes;
use crate::session::{Opening, Session, store_err};
use crate::{ConnectorError, Result};
use bosun_core::Sensitive;
use bosun_core::model::WorkType;
use bosun_core::time::{Ts, rfc3339};
use bosun_store::planning;
use bosun_store::sync_state::{self, Source};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::task::JoinSet;

/// Linear's API address; a source's `base_url` replaces it (the demo's fake).
pub const LINEAR_API: &str = "https://api.linear.app";

/// The `settings` JSON of a Linear source.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearSettings {
    /// Team keys to sync (`ENG`); empty: every team the key can see.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
    /// States that count as waiting (default: review, blocked, on hold, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_statuses: Option<Vec<String>>,
    /// Label → work type overrides, e.g. `{"Improvement": "debt"}`.
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub work_types: HashMap<String, WorkType>,
    /// Issues per page (at most 100; default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct LinearStats {
    pub requests: u64,
    pub teams: u64,
    pub cycles: u64,
    pub issues_fetched: u64,
    pub issues_unchanged: u64,
    pub warnings: Vec<String>,
}

struct Ctx {
    s: Session,
    url: String,
    first: u32,
    waiting: Vec<String>,
    types: WorkTypes,
    fetched: AtomicU64,
    unchanged: AtomicU64,
}

/// Issues whose history is read at once.
const ISSUE_PARALLELISM: usize = 6;

impl Ctx {
    /// Run a query; its data and raw answer. GraphQL errors without data fail the request;
    /// errors beside data are warnings.
    async fn post<T: DeserializeOwned>(
        &self,
        op: &str,
        query: &str,
        variables: serde_json::Value,
    ) -> Result<(T, Vec<u8>)> {
        let body = json!({"query": query, "variables": variables, "operationName": op});
        let resp = self.s.http.query(&self.url, &body).await?;
        let answer: api::Answer<T> = resp.json()?;
        let first_error = answer.errors.first().map(|e| e.message.clone());
        match (answer.data, first_error) {
            (Some(data), None) => Ok((data, resp.body)),
            (Some(data), Some(e)) => {
                self.s.warn(format!("{op}: {e}"));
                Ok((data, resp.body))
            }
            (None, Some(e)) => Err(ConnectorError::Http {
                url: format!("{} ({op})", self.url),
                status: 200,
                message: e,
            }),
            (None, None) => Err(ConnectorError::Malformed {
                url: format!("{} ({op})", self.url),
                detail: "an answer with neither data nor errors".into(),
            }),
        }
    }

    /// Every page of a connection: `get` runs one page's query after a cursor.
    async fn all<T, F, Fut>(&self, mut get: F) -> Result<Vec<T>>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: std::future::Future<Output = Result<api::Connection<T>>>,
    {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = get(after.take()).await?;
            out.extend(page.nodes);
            match (page.page_info.has_next_page, page.page_info.end_cursor) {
                (true, Some(c)) => after = Some(c),
                _ => return Ok(out),
            }
        }
    }
}

/// Sync a Linear source: every team it names (or can see), one after the other.
pub async fn sync_source(
    db: &Db,
    source: &Source,
    token: Sensitive<String>,
    cfg: HttpConfig,
    now: Ts,
    sink: Arc<dyn EventSink>,
) -> Result<LinearStats> {
    let settings: LinearSettings = crate::wire::settings(source)?;
    let api = Opening::base_url(source, LINEAR_API);
    let url = format!("{api}/graphql");
    let how = Opening {
        api,
        auth: Auth::Raw(token),
        headers: reqwest::header::HeaderMap::new(),
    };
    let ctx = Arc::new(Ctx {
        s: Session::open(db, source, how, cfg, now, sink.clone())?,
        url,
        first: settings.page_size.unwrap_or(50).clamp(1, 100),
        waiting: settings
            .waiting_statuses
            .clone()
            .unwrap_or_else(|| DEFAULT_WAITING.iter().map(|s| s.to_string()).collect()),
        types: WorkTypes::new(&settings.work_types),
        fetched: AtomicU64::new(0),
        unchanged: AtomicU64::new(0),
    });
    // The key works, and whose it is.
    let _: (api::Viewer, _) = ctx.post("Viewer", queries::VIEWER, json!({})).await?;
    let first = ctx.first;
    let teams = ctx
        .all(|after| {
            let ctx = ctx.clone();
            async move {
                let (t, _): (api::Teams, _) = ctx
                    .post(
                        "Teams",
                        queries::TEAMS,
                        json!({"first": first, "after": after}),
                    )
                    .await?;
                Ok(t.teams)
            }
        })
        .await?;
    let wanted: Vec<String> = settings.teams.iter().map(|t| t.to_uppercase()).collect();
    let teams: Vec<api::Team> = teams
        .into_iter()
        .filter(|t| wanted.is_empty() || wanted.contains(&t.key.to_uppercase()))
        .collect();
    for w in &wanted {
        if !teams.iter().any(|t| &t.key.to_uppercase() == w) {
            ctx.s.warn(format!("team {w} is not visible to this key"));
        }
    }
    sink.emit(Event::SourceStarted {
        source: source.name.clone(),
        scopes: teams.len(),
    });
    let mut cycles = 0;
    for t in &teams {
        cycles += ctx.s.job("linear-team", &t.key, sync_team(&ctx, t)).await?;
    }
    Ok(LinearStats {
        requests: ctx.s.http.request_count(),
        teams: teams.len() as u64,
        cycles,
        issues_fetched: ctx.fetched.load(Ordering::Relaxed),
        issues_unchanged: ctx.unchanged.load(Ordering::Relaxed),
        warnings: ctx.s.take_warnings(),
    })
}

/// One team: states, cycles (written as sprints), then its changed issues. The cycles written.
async fn sync_team(ctx: &Arc<Ctx>, team: &api::Team) -> Result<u64> {
    let first = ctx.first;
    let tid = team.id.clone();
    let states = ctx
        .all(|after| {
            let (ctx, tid) = (ctx.clone(), tid.clone());
            async move {
                let (t, _): (api::TeamStates, _) = ctx
                    .post(
                        "WorkflowStates",
                        queries::WORKFLOW_STATES,
                        json!({"team": tid, "first": first, "after": after}),
                    )
                    .await?;
                t.team
                    .map(|t| t.states)
                    .ok_or_else(|| ConnectorError::NotFound {
                        url: ctx.url.clone(),
                    })
            }
        })
        .await?;
    let mut map = StatusMap::new(&ctx.waiting);
    normalize::add_states(&mut map, &states);
    let cycles = ctx
        .all(|after| {
            let (ctx, tid) = (ctx.clone(), tid.clone());
            async move {
                let (t, _): (api::TeamCycles, _) = ctx
                    .post(
                        "Cycles",
                        queries::CYCLES,
                        json!({"team": tid, "first": first, "after": after}),
                    )
                    .await?;
                t.cycles_or_not_found(&ctx.url)
            }
        })
        .await?;
    let sprints: Vec<_> = cycles
        .iter()
        .map(|c| normalize::sprint(c, &team.key, ctx.s.now))
        .collect();
    let n = sprints.len() as u64;
    let sid = ctx.s.source_id;
    ctx.s
        .db
        .write(move |tx| {
            for sp in &sprints {
                planning::upsert_sprint(tx, Some(sid), "linear", sp).map_err(store_err)?;
            }
            Ok(())
        })
        .await?;
    issues(ctx, team, Arc::new(map)).await?;
    Ok(n)
}

impl api::TeamCycles {
    fn cycles_or_not_found(self, url: &str) -> Result<api::Connection<api::Cycle>> {
        self.team
            .map(|t| t.cycles)
            .ok_or_else(|| ConnectorError::NotFound { url: url.into() })
    }
}

async fn issues(ctx: &Arc<Ctx>, team: &api::Team, states: Arc<StatusMap>) -> Result<()> {
    let scope = format!("{}:issues", team.key);
    let cursor = ctx.s.cursor_ts(&scope).await?;
    let since = rfc3339(cursor.unwrap_or(0));
    let first = ctx.first;
    let tid = team.id.clone();
    let listed = ctx
        .all(|after| {
            let (ctx, tid, since) = (ctx.clone(), tid.clone(), since.clone());
            async move {
                let (i, _): (api::Issues, _) = ctx
                    .post(
                        "Issues",
                        queries::ISSUES,
                        json!({"team": tid, "since": since, "first": first, "after": after}),
                    )
                    .await?;
                Ok(i.issues)
            }
        })
        .await?;
    let max = listed.iter().map(|i| i.updated_at.0).max().max(cursor);
    let project = team.key.clone();
    let versions = ctx
        .s
        .db
        .read(move |s| planning::ticket_versions(s.conn(), "linear", &project).map_err(store_err))
        .await?;
    let mut todo = Vec::new();
    for i in listed {
        if versions.get(&i.identifier) == Some(&i.updated_at.0) {
            ctx.unchanged.fetch_add(1, Ordering::Relaxed);
        } else {
            todo.push(i);
        }
    }
    let total = todo.len() as u64;
    let mut done = 0;
    let mut set: JoinSet<Result<()>> = JoinSet::new();
    let mut queue = todo.into_iter();
    loop {
        while set.len() < ISSUE_PARALLELISM {
            let Some(i) = queue.next() else { break };
            let (ctx, states, key) = (ctx.clone(), states.clone(), team.key.clone());
            set.spawn(async move { issue(&ctx, i, &key, &states).await });
        }
        let Some(joined) = set.join_next().await else {
            break;
        };
        joined.map_err(|e| ConnectorError::task_failed("issue", e))??;
        done += 1;
        if done % 10 == 0 || done == total {
            ctx.s.progress(&team.key, "issues", done, total);
        }
    }
    let Some(c) = max else { return Ok(()) };
    let (sid, now) = (ctx.s.source_id, ctx.s.now);
    ctx.s
        .db
        .write(move |tx| {
            sync_state::set_cursor(tx, sid, &scope, &c.to_string(), now).map_err(store_err)
        })
        .await
}

/// One issue with its whole history, written in one transaction.
async fn issue(ctx: &Ctx, i: api::Issue, team_key: &str, states: &StatusMap) -> Result<()> {
    let first = ctx.first;
    let mut raws: Vec<Vec<u8>> = Vec::new();
    let mut history = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let (h, raw): (api::IssueHistory, _) = ctx
            .post(
                "IssueHistory",
                queries::ISSUE_HISTORY,
                json!({"id": i.id, "first": first, "after": after}),
            )
            .await?;
        raws.push(raw);
        let Some(of) = h.issue else {
            return Err(ConnectorError::NotFound {
                url: format!("{} (issue {})", ctx.url, i.identifier),
            });
        };
        history.extend(of.history.nodes);
        match (
            of.history.page_info.has_next_page,
            of.history.page_info.end_cursor,
        ) {
            (true, Some(c)) => after = Some(c),
            _ => break,
        }
    }
    let ticket = normalize::ticket(&i, &history, team_key, states, &ctx.types);
    let (sid, now, key) = (ctx.s.source_id, ctx.s.now, i.identifier.clone());
    let raw = crate::wire::join_raw(raws.iter().map(Vec::as_slice));
    ctx.s
        .db
        .write(move |tx| {
            planning::upsert_ticket(tx, Some(sid), "linear", &ticket).map_err(store_err)?;
            sync_state::save_raw(tx, sid, "linear.issue.history", &key, None, &raw, now)
                .map_err(store_err)
        })
        .await?;
    ctx.fetched.fetch_add(1, Ordering::Relaxed);
    Ok(())
}
