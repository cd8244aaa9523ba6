//! Incremental, resumable GitHub sync of one source (an organisation or a list of repos).
//!
//! Per repository, in order: CODEOWNERS, default-branch commits (`since` the commit cursor; an
//! empty repository, which GitHub answers with 409, is a warning),
//! pull requests (listed newest-updated first down to the PR cursor; each changed PR fetched with
//! its reviews, commits, timeline and CI and written in one transaction; PRs whose stored
//! `updated_at` already matches are skipped, so a resumed sync only does the unfinished part),
//! CI of still-open PRs (conditional), review and conversation comments (`since`), deployments
//! with statuses, runs of the source's deploy workflows (GitHub Actions as the delivery pipeline,
//! when it names some), releases and tags. Cursors and first-page ETags are saved only when a
//! phase completes.
//!
//! A source's first sync is split (docs/sync.md#the-first-sync): the `Current` stage bounds every
//! phase by a window of `first_pass_days` (the recent pass) and records where each list stopped;
//! the `History` stage ([`super::backfill`]) reads on from there.

use super::actions::{self, DeployRule, EnvDeployment, RepoWorkflows, WorkflowInfo};
use super::{api, normalize};
use crate::db::Db;
use crate::events::{Event, EventSink, Pass, Stage};
use crate::http::{Auth, Fetched, HttpClient, HttpConfig, Response, github_headers};
use crate::{ConnectorError, Result};
use bosun_core::Sensitive;
use bosun_core::model::PullRequestBundle;
use bosun_core::time::{DAY, Ts};
use bosun_store::Connection;
use bosun_store::sync_state::{self, BACKFILL_PREFIX, FirstSync, Source};
use bosun_store::{StoreError, code};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::task::JoinSet;

/// The `settings` JSON of a GitHub source.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubSettings {
    /// Organisation (or user) that owns the repositories.
    pub owner: String,
    /// Repository names to sync; empty = every repository of `owner`.
    #[serde(default)]
    pub repos: Vec<String>,
    /// Sync archived repositories too.
    #[serde(default)]
    pub include_archived: bool,
    /// Page size for list endpoints (GitHub's maximum, 100, unless testing pagination).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    /// Which deployment environments are production: exact names (any case)...
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub production_environments: Vec<String>,
    /// ...or a regular expression matched against the whole name (any case). With neither,
    /// GitHub's `production_environment` flag decides, else a name like production (`production`,
    /// `prod`, `production-eu`, `live`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub production_pattern: Option<String>,
    /// Workflows whose runs are deployments (GitHub Actions as the delivery pipeline): names or
    /// file paths, e.g. `deploy.yml`. Empty: workflow runs are not read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deploy_workflows: Vec<String>,
    /// With `deploy_workflows`: a run counts when one of its jobs deployed to this environment
    /// (on any branch or tag) instead of when it ran on the default branch for a push or a manual
    /// dispatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_environment: Option<String>,
    /// A first sync reads the last this many days first, over every repository, then backfills
    /// everything older (docs/sync.md#the-first-sync). 0: one pass. Unset: 30
    /// ([`DEFAULT_FIRST_PASS_DAYS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_pass_days: Option<u32>,
}

/// `first_pass_days` when a source does not say.
pub const DEFAULT_FIRST_PASS_DAYS: u32 = 30;

impl GithubSettings {
    pub fn first_pass_days(&self) -> u32 {
        self.first_pass_days.unwrap_or(DEFAULT_FIRST_PASS_DAYS)
    }
}

/// Which deployment environments count as production, from a source's settings.
#[derive(Debug, Clone, Default)]
pub struct Production {
    names: Vec<String>,
    pattern: Option<regex::Regex>,
}

impl Production {
    pub fn from_settings(s: &GithubSettings) -> Result<Production> {
        Production::new(&s.production_environments, s.production_pattern.as_deref())
    }

    /// Production is one of `names` (any case) or matches `pattern` (the whole name, any case);
    /// with neither, the provider's flag or the name decides ([`Self::is_production`]).
    pub fn new(names: &[String], pattern: Option<&str>) -> Result<Production> {
        let pattern = pattern
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                regex::RegexBuilder::new(&format!("^(?:{p})$"))
                    .case_insensitive(true)
                    .build()
                    .map_err(|e| {
                        ConnectorError::Config(format!(
                            "production_pattern {p:?} is not a regular expression: {e}"
                        ))
                    })
            })
            .transpose()?;
        Ok(Production {
            names: names.iter().map(|n| n.trim().to_lowercase()).collect(),
            pattern,
        })
    }

    /// Whether the user named the production environments (then they decide, not GitHub's flag).
    pub fn configured(&self) -> bool {
        !self.names.is_empty() || self.pattern.is_some()
    }

    /// Production or not: the configured names or pattern, else GitHub's flag, else the name.
    pub fn is_production(&self, environment: &str, flag: Option<bool>) -> bool {
        if self.configured() {
            return self.names.contains(&environment.to_lowercase())
                || self
                    .pattern
                    .as_ref()
                    .is_some_and(|p| p.is_match(environment));
        }
        flag.unwrap_or_else(|| bosun_core::model::is_production_environment(environment))
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncStats {
    pub repos: u64,
    pub pull_requests_fetched: u64,
    pub pull_requests_unchanged: u64,
    pub requests: u64,
    pub not_modified: u64,
    pub errors: Vec<String>,
    /// Things skipped with the rest synced: a pull request whose reviews (say) were refused, a
    /// review comment naming no pull request.
    pub warnings: Vec<String>,
}

impl SyncStats {
    /// These stats followed by a later stage's.
    pub fn then(mut self, later: SyncStats) -> SyncStats {
        self.repos = self.repos.max(later.repos);
        self.pull_requests_fetched += later.pull_requests_fetched;
        self.pull_requests_unchanged += later.pull_requests_unchanged;
        self.requests += later.requests;
        self.not_modified += later.not_modified;
        self.errors.extend(later.errors);
        // The same refusal seen by both stages (Actions off for a repository) is one warning.
        for w in later.warnings {
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        self
    }
}

pub(super) struct Ctx {
    pub(super) http: HttpClient,
    pub(super) db: Db,
    pub(super) source_id: i64,
    pub(super) source: String,
    pub(super) api: String,
    pub(super) per_page: u32,
    pub(super) now: Ts,
    pub(super) sink: Arc<dyn EventSink>,
    pub(super) prs_fetched: AtomicU64,
    pub(super) prs_unchanged: AtomicU64,
    pub(super) production: Production,
    /// Which workflows deploy (none: the workflow-runs phase does nothing).
    pub(super) deploy: DeployRule,
    /// What was skipped without stopping the sync (a pull request's refused sub-resource, an
    /// item missing what the connector reads), for the sync's outcome.
    warnings: std::sync::Mutex<Vec<String>>,
    /// The pass this run is (its events say so).
    pub(super) pass: Pass,
    /// While a first sync's backfill is pending: phases read only what changed at or after this
    /// (the backfill reads what is older).
    pub(super) window: Option<Ts>,
    /// The first sync's state when this run started (which repositories are backfilled).
    pub(super) first: Option<FirstSync>,
}

/// Cursor scope prefix recording when a nameless user's profile was last asked for.
const PROFILE_SCOPE: &str = "profile:";
/// How long a profile without a public name is trusted before asking again.
const PROFILE_RECHECK_SECS: i64 = 7 * DAY;
/// Pull requests fetched concurrently per repository.
pub(super) const PR_PARALLELISM: usize = 12;
/// Repositories synced concurrently.
const REPO_PARALLELISM: usize = 4;

pub(super) fn store_err(e: StoreError) -> ConnectorError {
    ConnectorError::Store(e)
}

/// The source's API base (`https://api.github.com` unless it names another) and a client bound
/// to it with the token.
fn client(
    source: &Source,
    token: Sensitive<String>,
    cfg: HttpConfig,
    sink: Arc<dyn EventSink>,
) -> Result<(String, HttpClient)> {
    let api = crate::session::Opening::base_url(source, "https://api.github.com");
    let http = HttpClient::new(
        &source.name,
        &api,
        Auth::Bearer(token),
        github_headers(),
        cfg,
        sink,
    )?;
    Ok((api, http))
}

/// Sync every repository of a GitHub source completely: the current stage, then a pending
/// backfill (see [`sync_stage`]). Repositories are independent: one failing does not stop the
/// others; the error of each is kept in its job and returned together.
pub async fn sync_source(
    db: &Db,
    source: &Source,
    token: Sensitive<String>,
    cfg: HttpConfig,
    now: Ts,
    sink: Arc<dyn EventSink>,
) -> Result<SyncStats> {
    let current = sync_stage(
        db,
        source,
        token.clone(),
        cfg.clone(),
        now,
        sink.clone(),
        Stage::Current,
    )
    .await;
    let history = sync_stage(db, source, token, cfg, now, sink, Stage::History).await;
    match (current, history) {
        (Ok(a), Ok(b)) => Ok(a.then(b)),
        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
    }
}

/// One stage of a GitHub source's sync. `Current`: every repository since its cursors — on a
/// split first sync bounded by the window (the recent pass). `History`: the backfill of the
/// repositories not backfilled yet, resumed where it stopped (nothing to do once it is done).
pub async fn sync_stage(
    db: &Db,
    source: &Source,
    token: Sensitive<String>,
    cfg: HttpConfig,
    now: Ts,
    sink: Arc<dyn EventSink>,
    stage: Stage,
) -> Result<SyncStats> {
    let settings: GithubSettings = crate::wire::settings(source)?;
    let production = Production::from_settings(&settings)
        .map_err(|e| ConnectorError::Config(format!("source {}: {e}", source.name)))?;
    if settings.owner.is_empty() {
        return Err(ConnectorError::Config(format!(
            "source {}: no owner",
            source.name
        )));
    }
    let first = match stage {
        Stage::Current => first_sync_plan(db, source.id, settings.first_pass_days(), now).await?,
        Stage::History => {
            let sid = source.id;
            match db
                .read(move |s| sync_state::first_sync(s.conn(), sid).map_err(store_err))
                .await?
            {
                Some(f) if !f.backfill_done => Some(f),
                _ => return Ok(SyncStats::default()),
            }
        }
    };
    let (pass, window) = match (stage, &first) {
        (Stage::History, Some(f)) => (Pass::Backfill, Some(f.window_start)),
        (Stage::Current, Some(f)) if !f.backfill_done => (
            if f.recent_done {
                Pass::Full
            } else {
                Pass::Recent
            },
            Some(f.window_start),
        ),
        _ => (Pass::Full, None),
    };
    let (api, http) = client(source, token, cfg, sink.clone())?;
    let ctx = Arc::new(Ctx {
        http,
        db: db.clone(),
        source_id: source.id,
        source: source.name.clone(),
        api,
        per_page: settings.per_page.unwrap_or(100).clamp(1, 100),
        now,
        sink: sink.clone(),
        prs_fetched: AtomicU64::new(0),
        prs_unchanged: AtomicU64::new(0),
        warnings: Default::default(),
        production,
        deploy: DeployRule::new(
            &settings.deploy_workflows,
            settings.deploy_environment.as_deref(),
        ),
        pass,
        window,
        first,
    });

    let repos = list_repos(&ctx.http, &ctx.api, ctx.per_page, &settings).await?;
    if stage == Stage::Current {
        sink.emit(Event::SourceStarted {
            source: source.name.clone(),
            scopes: repos.len(),
        });
    }
    let mut ids = Vec::new();
    for r in &repos {
        let rec = normalize::repo(r);
        let source_id = ctx.source_id;
        let id = ctx
            .db
            .write(move |tx| code::upsert_repo(tx, Some(source_id), &rec).map_err(store_err))
            .await?;
        ids.push((
            id,
            r.full_name.clone(),
            r.default_branch.clone().unwrap_or_else(|| "main".into()),
        ));
    }
    let todo: Vec<(i64, String, String)> = ids
        .iter()
        .filter(|(_, full, _)| pass != Pass::Backfill || !ctx.is_backfilled(full))
        .cloned()
        .collect();
    sink.emit(Event::PassStarted {
        source: source.name.clone(),
        pass,
        scopes: todo.len(),
        window_start: window,
    });

    let mut set = JoinSet::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(REPO_PARALLELISM));
    for (repo_id, full, branch) in todo {
        let ctx = ctx.clone();
        let permits = permits.clone();
        set.spawn(async move {
            let _p = permits.acquire_owned().await;
            let res = match ctx.pass {
                Pass::Backfill => super::backfill::repo_job(&ctx, repo_id, &full, &branch).await,
                Pass::Full | Pass::Recent => sync_repo_job(&ctx, repo_id, &full, &branch).await,
            };
            (full, res)
        });
    }
    let mut errors = Vec::new();
    let mut first_error = None;
    while let Some(joined) = set.join_next().await {
        let (full, res) = joined.map_err(|e| ConnectorError::task_failed("repository", e))?;
        if let Err(e) = res {
            errors.push(format!("{full}: {e}"));
            first_error.get_or_insert(e);
        }
    }
    // Names (and public emails) of the people seen, for matching them across tools.
    if let Err(e) = profiles(&ctx).await {
        errors.push(format!("user profiles: {e}"));
        first_error.get_or_insert(e);
    }
    if ctx.first.is_some() {
        let names: Vec<String> = ids.iter().map(|(_, full, _)| full.clone()).collect();
        record_first_sync(&ctx, pass, errors.is_empty(), names).await?;
    }
    sink.emit(Event::PassFinished {
        source: source.name.clone(),
        pass,
        error: errors.first().cloned(),
    });
    let stats = SyncStats {
        repos: ids.len() as u64,
        pull_requests_fetched: ctx.prs_fetched.load(Ordering::Relaxed),
        pull_requests_unchanged: ctx.prs_unchanged.load(Ordering::Relaxed),
        requests: ctx.http.request_count(),
        not_modified: ctx.http.not_modified.load(Ordering::Relaxed),
        errors,
        warnings: std::mem::take(&mut *ctx.warnings.lock().unwrap_or_else(|e| e.into_inner())),
    };
    match first_error {
        Some(e) if stats.errors.len() == 1 => Err(e),
        Some(_) => Err(ConnectorError::Unavailable {
            url: ctx.api.clone(),
            attempts: 1,
            last: stats.errors.join("; "),
        }),
        None => Ok(stats),
    }
}

/// The source's first-sync state: as recorded, or started now (the window ending `days` ago)
/// when the source has never synced — no cursor at all — and splits its first sync (`days` >
/// 0). `None`: one pass.
async fn first_sync_plan(db: &Db, sid: i64, days: u32, now: Ts) -> Result<Option<FirstSync>> {
    db.write(move |tx| {
        if let Some(f) = sync_state::first_sync(tx, sid).map_err(store_err)? {
            return Ok(Some(f));
        }
        if days == 0 || !sync_state::cursors(tx, sid).map_err(store_err)?.is_empty() {
            return Ok(None);
        }
        let f = FirstSync::new(now - i64::from(days) * DAY);
        sync_state::set_first_sync(tx, sid, &f, now).map_err(store_err)?;
        Ok(Some(f))
    })
    .await
}

/// After a pass: a current pass without errors completes the recent data; a backfill counts the
/// repositories (`repos`, every one listed) and is done once each is backfilled.
async fn record_first_sync(ctx: &Ctx, pass: Pass, clean: bool, repos: Vec<String>) -> Result<()> {
    let (sid, now) = (ctx.source_id, ctx.now);
    ctx.db
        .write(move |tx| {
            let Some(mut f) = sync_state::first_sync(tx, sid).map_err(store_err)? else {
                return Ok(());
            };
            let before = f.clone();
            match pass {
                Pass::Backfill => {
                    f.scopes = repos.len() as u32;
                    if clean && repos.iter().all(|r| f.is_backfilled(r)) {
                        f.backfill_done = true;
                        f.backfilled.clear();
                    }
                }
                Pass::Recent | Pass::Full => f.recent_done = f.recent_done || clean,
            }
            if f == before {
                return Ok(());
            }
            sync_state::set_first_sync(tx, sid, &f, now).map_err(store_err)
        })
        .await
}

/// Fetch the profile of every human GitHub account that has no name yet.
async fn profiles(ctx: &Ctx) -> Result<()> {
    let logins: Vec<String> = ctx
        .db
        .read(|s| bosun_store::accounts::nameless_github_logins(s.conn()).map_err(store_err))
        .await?;
    // A profile with no public name stays nameless: it is asked for again a week later, not on
    // every sync (an unchanged organisation's re-sync makes only conditional requests).
    let sid = ctx.source_id;
    let checked: HashMap<String, Ts> = ctx
        .db
        .read(move |s| sync_state::cursors(s.conn(), sid).map_err(store_err))
        .await?
        .into_iter()
        .filter_map(|(scope, v)| {
            Some((
                scope.strip_prefix(PROFILE_SCOPE)?.to_string(),
                v.parse().ok()?,
            ))
        })
        .collect();
    for login in logins {
        if checked
            .get(&login)
            .is_some_and(|at| ctx.now - at < PROFILE_RECHECK_SECS)
        {
            continue;
        }
        let url = format!("{}/users/{login}", ctx.api);
        let user = match ctx.http.get_json::<api::User>(&url, None).await {
            Ok(Some((u, _))) => Some(u),
            Ok(None) | Err(ConnectorError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        let account = user.as_ref().map(normalize::account);
        let (now, scope) = (ctx.now, format!("{PROFILE_SCOPE}{login}"));
        ctx.db
            .write(move |tx| {
                if let Some(a) = &account {
                    bosun_store::accounts::upsert(tx, a).map_err(store_err)?;
                }
                sync_state::set_cursor(tx, sid, &scope, &now.to_string(), now).map_err(store_err)
            })
            .await?;
    }
    Ok(())
}

async fn list_repos(
    http: &HttpClient,
    api: &str,
    per_page: u32,
    s: &GithubSettings,
) -> Result<Vec<api::Repo>> {
    if !s.repos.is_empty() {
        let mut out = Vec::new();
        for name in &s.repos {
            let url = format!("{api}/repos/{}/{}", s.owner, name);
            let Some((repo, _)) = http.get_json::<api::Repo>(&url, None).await? else {
                continue;
            };
            out.push(repo);
        }
        return Ok(out);
    }
    let url = format!("{api}/orgs/{}/repos?per_page={per_page}", s.owner);
    let listed = match http.get_all::<api::Repo>(&url, None, |_| true).await {
        Err(ConnectorError::NotFound { .. }) => {
            let url = format!("{api}/users/{}/repos?per_page={per_page}", s.owner);
            http.get_all::<api::Repo>(&url, None, |_| true).await?
        }
        other => other?,
    };
    let repos = listed.map(|(r, _)| r).unwrap_or_default();
    Ok(repos
        .into_iter()
        .filter(|r| s.include_archived || !r.archived)
        .collect())
}

async fn sync_repo_job(ctx: &Arc<Ctx>, repo_id: i64, full: &str, branch: &str) -> Result<()> {
    let (sid, now, scope) = (ctx.source_id, ctx.now, full.to_string());
    ctx.db
        .write(move |tx| {
            sync_state::job_started(tx, sid, "github-repo", &scope, now).map_err(store_err)
        })
        .await?;
    let result = sync_repo(ctx, repo_id, full, branch).await;
    let err = result.as_ref().err().map(|e| e.to_string());
    let scope = full.to_string();
    ctx.db
        .write(move |tx| {
            sync_state::job_finished(tx, sid, "github-repo", &scope, now, err.as_deref())
                .map_err(store_err)
        })
        .await?;
    result
}

async fn sync_repo(ctx: &Arc<Ctx>, repo_id: i64, full: &str, branch: &str) -> Result<()> {
    codeowners(ctx, repo_id, full).await?;
    commits(ctx, repo_id, full, branch).await?;
    let fetched = pulls(ctx, repo_id, full).await?;
    open_pr_checks(ctx, repo_id, full, &fetched).await?;
    comments::<api::ReviewComment>(ctx, repo_id, full).await?;
    comments::<api::IssueComment>(ctx, repo_id, full).await?;
    deployments(ctx, repo_id, full).await?;
    workflow_runs(ctx, repo_id, full, branch).await?;
    releases_and_tags(ctx, repo_id, full).await?;
    ctx.scope_finished(full);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/// The later of two optional bounds.
pub(super) fn later(a: Option<Ts>, b: Option<Ts>) -> Option<Ts> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

impl Ctx {
    /// Whether `full`'s backfill was complete when this run started.
    pub(super) fn is_backfilled(&self, full: &str) -> bool {
        self.first.as_ref().is_none_or(|f| f.is_backfilled(full))
    }

    pub(super) fn scope_finished(&self, full: &str) {
        self.sink.emit(Event::ScopeFinished {
            source: self.source.clone(),
            scope: full.to_string(),
            items: self.prs_fetched.load(Ordering::Relaxed),
            pass: self.pass,
        });
    }

    pub(super) fn warn(&self, text: String) {
        tracing::warn!(source = %self.source, "{text}");
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(text);
    }

    /// `fetch`'s result, or an empty one with a warning when the provider refuses it (403 that
    /// is not a rate limit, 404, 410).
    async fn unless_refused<T: Default>(
        &self,
        pr: &str,
        what: &str,
        fetch: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        match fetch.await {
            Err(ConnectorError::NotFound { .. }) => {
                self.warn(format!(
                    "{pr}: {what} not found (HTTP 404); the pull request is kept without them"
                ));
                Ok(T::default())
            }
            Err(ConnectorError::Http {
                status: status @ (403 | 404 | 410),
                message,
                ..
            }) => {
                self.warn(format!(
                    "{pr}: {what} refused (HTTP {status}: {message}); the pull request is kept without them"
                ));
                Ok(T::default())
            }
            other => other,
        }
    }

    pub(super) async fn etag(&self, url: &str) -> Result<Option<String>> {
        let (sid, url) = (self.source_id, url.to_string());
        let api = self.api.clone();
        self.db
            .read(move |s| sync_state::etag(s.conn(), sid, &rel(&api, &url)).map_err(store_err))
            .await
    }

    pub(super) async fn cursor_text(&self, scope: String) -> Result<Option<String>> {
        let sid = self.source_id;
        self.db
            .read(move |s| sync_state::cursor(s.conn(), sid, &scope).map_err(store_err))
            .await
    }

    pub(super) async fn cursor(&self, scope: String) -> Result<Option<Ts>> {
        Ok(self.cursor_text(scope).await?.and_then(|v| v.parse().ok()))
    }

    /// Where `scope`'s backfill starts: the page its first windowed listing stopped at, when this
    /// is that listing (`cursor` not set yet) and the repository is still to backfill.
    fn backfill_from(&self, full: &str, cursor: Option<Ts>, last_page: &str) -> Option<String> {
        (self.window.is_some() && cursor.is_none() && !self.is_backfilled(full))
            .then(|| last_page.to_string())
    }

    /// Save a phase's cursor and first-page ETag together (the phase is complete), and where its
    /// backfill starts (unless that is already recorded: the backfill may have moved on).
    pub(super) async fn finish_phase(
        &self,
        scope: String,
        cursor: Option<Ts>,
        url: String,
        etag: Option<String>,
        backfill_from: Option<String>,
    ) -> Result<()> {
        let (sid, now) = (self.source_id, self.now);
        let api = self.api.clone();
        self.db
            .write(move |tx| {
                if let Some(c) = cursor {
                    sync_state::set_cursor(tx, sid, &scope, &c.to_string(), now)
                        .map_err(store_err)?;
                }
                if let Some(e) = etag {
                    sync_state::set_etag(tx, sid, &rel(&api, &url), &e, now).map_err(store_err)?;
                }
                if let Some(page) = backfill_from {
                    let at = format!("{BACKFILL_PREFIX}{scope}");
                    sync_state::set_cursor_if_absent(tx, sid, &at, &rel(&api, &page), now)
                        .map_err(store_err)?;
                }
                Ok(())
            })
            .await
    }

    pub(super) fn progress(&self, scope: &str, phase: &str, done: u64, total: u64) {
        self.sink.emit(Event::Progress {
            source: self.source.clone(),
            scope: scope.to_string(),
            phase: phase.to_string(),
            done,
            total,
            pass: self.pass,
            eta_secs: None,
        });
    }
}

/// Decode each item of a JSON array page separately, keeping its raw JSON; with `key`, the page
/// is an object holding the array under that key (`{"total_count": 3, "workflow_runs": [...]}`).
pub(super) fn items<T: DeserializeOwned>(
    resp: &Response,
    key: Option<&str>,
) -> Result<Vec<(T, Vec<u8>)>> {
    let values: Vec<serde_json::Value> = match key {
        None => resp.json()?,
        Some(k) => {
            let mut page: serde_json::Map<String, serde_json::Value> = resp.json()?;
            let list = page.remove(k).ok_or_else(|| ConnectorError::Malformed {
                url: resp.url.clone(),
                detail: format!("no {k:?} in the page"),
            })?;
            serde_json::from_value(list).map_err(|e| ConnectorError::Malformed {
                url: resp.url.clone(),
                detail: format!("{k}: {e}"),
            })?
        }
    };
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let raw = crate::wire::raw_json(&v);
            let t = serde_json::from_value(v).map_err(|e| ConnectorError::Malformed {
                url: resp.url.clone(),
                detail: format!("item {i}: {e}"),
            })?;
            Ok((t, raw))
        })
        .collect()
}

/// The pages of a list read by [`list_pages`].
pub(super) struct Listing<T> {
    /// Every item, decoded, with its raw JSON.
    pub(super) items: Vec<(T, Vec<u8>)>,
    /// The first page's validator.
    pub(super) first_etag: Option<String>,
    /// The URL of the last page read (where a windowed listing stopped).
    pub(super) last_page: String,
}

/// All pages of a list, each item decoded with its raw JSON. `None` when the first page is
/// unchanged (304). `keep_going` sees each page's items.
async fn all_items<T: DeserializeOwned>(
    http: &HttpClient,
    url: &str,
    etag: Option<&str>,
    keep_going: impl FnMut(&[(T, Vec<u8>)]) -> bool,
) -> Result<Option<(Vec<(T, Vec<u8>)>, Option<String>)>> {
    all_items_in(http, url, etag, None, keep_going).await
}

/// [`all_items`] of pages that hold their list under `key` (GitHub's Actions endpoints).
async fn all_items_in<T: DeserializeOwned>(
    http: &HttpClient,
    url: &str,
    etag: Option<&str>,
    key: Option<&str>,
    keep_going: impl FnMut(&[(T, Vec<u8>)]) -> bool,
) -> Result<Option<(Vec<(T, Vec<u8>)>, Option<String>)>> {
    Ok(list_pages(http, url, etag, key, keep_going)
        .await?
        .map(|l| (l.items, l.first_etag)))
}

/// Pages of a list from `url` on, while `keep_going` says so (it sees each page's items).
pub(super) async fn list_pages<T: DeserializeOwned>(
    http: &HttpClient,
    url: &str,
    etag: Option<&str>,
    key: Option<&str>,
    mut keep_going: impl FnMut(&[(T, Vec<u8>)]) -> bool,
) -> Result<Option<Listing<T>>> {
    let mut out = Vec::new();
    let mut next = Some(url.to_string());
    let mut first_etag = None;
    let mut first = true;
    let mut last_page = url.to_string();
    while let Some(u) = next.take() {
        let resp = match http.get(&u, if first { etag } else { None }).await? {
            Fetched::NotModified => return Ok(None),
            Fetched::Ok(r) => r,
        };
        if first {
            first_etag = resp.etag.clone();
            first = false;
        }
        let page = items::<T>(&resp, key)?;
        if keep_going(&page) {
            next = resp.next.clone();
        }
        last_page = u;
        out.extend(page);
    }
    Ok(Some(Listing {
        items: out,
        first_etag,
        last_page,
    }))
}

/// A URL relative to the source's API base: validators and raw-payload URLs stay valid when the
/// base moves (a demo restarted on a new port, a GitHub Enterprise host renamed).
pub(super) fn rel(api: &str, url: &str) -> String {
    url.strip_prefix(api).unwrap_or(url).to_string()
}

pub(super) fn save_raw(
    tx: &Connection,
    sid: i64,
    kind: &str,
    key: &str,
    url: Option<&str>,
    body: &[u8],
    now: Ts,
) -> Result<()> {
    sync_state::save_raw(tx, sid, kind, key, url, body, now).map_err(store_err)
}

// ---------------------------------------------------------------------------------------------
// Phases
// ---------------------------------------------------------------------------------------------

async fn codeowners(ctx: &Ctx, repo_id: i64, full: &str) -> Result<()> {
    for path in [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] {
        let url = format!("{}/repos/{full}/contents/{path}", ctx.api);
        let etag = ctx.etag(&url).await?;
        match ctx
            .http
            .get_json::<api::Content>(&url, etag.as_deref())
            .await
        {
            Ok(None) => return Ok(()),
            Ok(Some((content, resp))) => {
                let rules = normalize::codeowners(&content, &url)?;
                let (sid, now, full) = (ctx.source_id, ctx.now, full.to_string());
                let api = ctx.api.clone();
                return ctx
                    .db
                    .write(move |tx| {
                        code::replace_code_owners(tx, repo_id, &rules).map_err(store_err)?;
                        save_raw(
                            tx,
                            sid,
                            "github.codeowners",
                            &full,
                            Some(&rel(&api, &resp.url)),
                            &resp.body,
                            now,
                        )?;
                        if let Some(e) = &resp.etag {
                            sync_state::set_etag(tx, sid, &rel(&api, &resp.url), e, now)
                                .map_err(store_err)?;
                        }
                        Ok(())
                    })
                    .await;
            }
            Err(ConnectorError::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The default branch's commits, newest first. `pub(super)`: the backfill reads on from where
/// the windowed listing stopped.
pub(super) fn commits_url(ctx: &Ctx, full: &str, branch: &str) -> String {
    format!(
        "{}/repos/{full}/commits?sha={branch}&per_page={pp}",
        ctx.api,
        pp = ctx.per_page
    )
}

async fn commits(ctx: &Ctx, repo_id: i64, full: &str, branch: &str) -> Result<()> {
    let scope = format!("{full}:commits");
    let cursor = ctx.cursor(scope.clone()).await?;
    // Newest first down to a day before the cursor (commit dates are set by clients and can
    // arrive out of order), and not below the window. The URL never changes, so an unchanged
    // branch is one 304.
    let url = commits_url(ctx, full, branch);
    let floor = later(cursor.map(|c| c - DAY), ctx.window);
    let keep = |page: &[(api::Commit, Vec<u8>)]| match (floor, page.last()) {
        (Some(f), Some((c, _))) => c.commit.committer.date.0 >= f,
        _ => true,
    };
    let etag = ctx.etag(&url).await?;
    let listing = match list_pages::<api::Commit>(&ctx.http, &url, etag.as_deref(), None, keep)
        .await
    {
        // GitHub's answer for a repository without a single commit: nothing to sync, and no
        // reason to fail the repository's other phases.
        Err(ConnectorError::Http { status: 409, .. }) => {
            ctx.warn(format!(
                "{full}: the repository is empty (HTTP 409: Git Repository is empty); no commits to sync"
            ));
            return Ok(());
        }
        other => other?,
    };
    let Some(listing) = listing else {
        return Ok(());
    };
    let list = listing.items;
    let max = list
        .iter()
        .map(|(c, _)| c.commit.committer.date.0)
        .max()
        .max(cursor);
    // Every commit listed, older than the window or not: the list is in history order, not date
    // order, so an older commit may come before the page where the listing stopped (the backfill
    // reads on from that page).
    write_commits(ctx, repo_id, full, &list, true).await?;
    let start = ctx.backfill_from(full, cursor, &listing.last_page);
    ctx.finish_phase(scope, max, url, listing.first_etag, start)
        .await
}

/// Write commits 200 to a transaction (with progress when `report`).
pub(super) async fn write_commits(
    ctx: &Ctx,
    repo_id: i64,
    full: &str,
    list: &[(api::Commit, Vec<u8>)],
    report: bool,
) -> Result<()> {
    for (n, chunk) in list.chunks(200).enumerate() {
        let recs: Vec<(bosun_core::model::Commit, Vec<u8>)> = chunk
            .iter()
            .map(|(c, raw)| (normalize::commit(c), raw.clone()))
            .collect();
        let (sid, now, full_s) = (ctx.source_id, ctx.now, full.to_string());
        ctx.db
            .write(move |tx| {
                for (c, raw) in &recs {
                    code::upsert_commit(tx, repo_id, c, true).map_err(store_err)?;
                    save_raw(
                        tx,
                        sid,
                        "github.commit",
                        &format!("{full_s}@{}", c.sha),
                        None,
                        raw,
                        now,
                    )?;
                }
                Ok(())
            })
            .await?;
        if report {
            let done = ((n + 1) * 200).min(list.len()) as u64;
            ctx.progress(full, "commits", done, list.len() as u64);
        }
    }
    Ok(())
}

/// Pull requests, most recently updated first.
pub(super) fn pulls_url(ctx: &Ctx, full: &str) -> String {
    format!(
        "{}/repos/{full}/pulls?state=all&sort=updated&direction=desc&per_page={pp}",
        ctx.api,
        pp = ctx.per_page
    )
}

async fn pulls(ctx: &Arc<Ctx>, repo_id: i64, full: &str) -> Result<Vec<i64>> {
    let scope = format!("{full}:pulls");
    let cursor = ctx.cursor(scope.clone()).await?;
    let url = pulls_url(ctx, full);
    let etag = ctx.etag(&url).await?;
    // Down to the cursor, and not below the window.
    let lower = later(cursor, ctx.window);
    let keep = |page: &[(api::Pull, Vec<u8>)]| match (lower, page.last()) {
        (Some(c), Some((p, _))) => p.updated_at.0 >= c,
        _ => true,
    };
    let Some(listing) =
        list_pages::<api::Pull>(&ctx.http, &url, etag.as_deref(), None, keep).await?
    else {
        return Ok(Vec::new());
    };
    let max = listing
        .items
        .iter()
        .map(|(p, _)| p.updated_at.0)
        .max()
        .or(cursor);
    let todo = changed_pulls(
        ctx,
        repo_id,
        listing
            .items
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| lower.is_none_or(|c| p.updated_at.0 >= c))
            .collect(),
    )
    .await?;
    let fetched = fetch_pulls(ctx, repo_id, full, todo, true).await?;
    let start = ctx.backfill_from(full, cursor, &listing.last_page);
    ctx.finish_phase(scope, max, url, listing.first_etag, start)
        .await?;
    Ok(fetched)
}

/// The pull requests of `listed` not stored at their listed version (the others are counted as
/// unchanged).
pub(super) async fn changed_pulls(
    ctx: &Ctx,
    repo_id: i64,
    listed: Vec<api::Pull>,
) -> Result<Vec<api::Pull>> {
    let versions = ctx
        .db
        .read(move |s| code::pull_request_versions(s.conn(), repo_id).map_err(store_err))
        .await?;
    Ok(listed
        .into_iter()
        .filter(|p| {
            let unchanged = versions.get(&p.number) == Some(&p.updated_at.0);
            if unchanged {
                ctx.prs_unchanged.fetch_add(1, Ordering::Relaxed);
            }
            !unchanged
        })
        .collect())
}

/// Fetch and write `todo`, [`PR_PARALLELISM`] at a time (with progress when `report`); the
/// numbers written.
pub(super) async fn fetch_pulls(
    ctx: &Arc<Ctx>,
    repo_id: i64,
    full: &str,
    todo: Vec<api::Pull>,
    report: bool,
) -> Result<Vec<i64>> {
    let total = todo.len() as u64;
    let mut done = 0u64;
    let mut fetched = Vec::new();
    let mut set: JoinSet<Result<i64>> = JoinSet::new();
    let mut queue = todo.into_iter();
    loop {
        while set.len() < PR_PARALLELISM {
            let Some(p) = queue.next() else { break };
            let ctx = ctx.clone();
            let full = full.to_string();
            set.spawn(async move { pull_request(&ctx, repo_id, &full, p).await });
        }
        let Some(joined) = set.join_next().await else {
            break;
        };
        let number = joined.map_err(|e| ConnectorError::task_failed("pull request", e))??;
        fetched.push(number);
        done += 1;
        if report && (done.is_multiple_of(10) || done == total) {
            ctx.progress(full, "pull requests", done, total);
        }
    }
    Ok(fetched)
}

/// Fetch one pull request with everything hanging off it and write it in one transaction.
async fn pull_request(ctx: &Ctx, repo_id: i64, full: &str, listed: api::Pull) -> Result<i64> {
    let n = listed.number;
    let base = format!("{}/repos/{full}", ctx.api);
    let details_url = format!("{base}/pulls/{n}");
    let (details, details_resp) = ctx
        .http
        .get_json::<api::Pull>(&details_url, None)
        .await?
        .ok_or_else(|| ConnectorError::Malformed {
            url: details_url.clone(),
            detail: "unexpected 304".into(),
        })?;
    let reviews_url = format!("{base}/pulls/{n}/reviews?per_page={pp}", pp = ctx.per_page);
    let commits_url = format!("{base}/pulls/{n}/commits?per_page={pp}", pp = ctx.per_page);
    let files_url = format!("{base}/pulls/{n}/files?per_page={pp}", pp = ctx.per_page);
    let timeline_url = format!(
        "{base}/issues/{n}/timeline?per_page={pp}",
        pp = ctx.per_page
    );
    let checks_url = format!(
        "{base}/commits/{}/check-runs?filter=all&per_page={pp}",
        details.head.sha,
        pp = ctx.per_page
    );
    // A sub-resource the provider refuses (403/404: a permission the token lacks, a PR being
    // transferred) is a warning on this PR, not the end of the repository's sync; what was read
    // before stays (reviews, checks and events are only added; commits kept when none came).
    let pr = format!("{full}#{n}");
    let (reviews, commits, files, timeline, checks) = tokio::try_join!(
        ctx.unless_refused(
            &pr,
            "reviews",
            list_raw::<api::Review>(&ctx.http, &reviews_url)
        ),
        ctx.unless_refused(
            &pr,
            "commits",
            list_raw::<api::Commit>(&ctx.http, &commits_url)
        ),
        ctx.unless_refused(
            &pr,
            "files",
            list_raw::<api::PullFile>(&ctx.http, &files_url)
        ),
        ctx.unless_refused(
            &pr,
            "timeline",
            list_raw::<api::TimelineItem>(&ctx.http, &timeline_url)
        ),
        ctx.unless_refused(&pr, "check runs", async {
            Ok(check_runs(&ctx.http, &checks_url, None)
                .await?
                .unwrap_or_default())
        }),
    )?;
    let bundle = PullRequestBundle {
        pr: normalize::pull(&details),
        commits: commits.0.iter().map(normalize::commit).collect(),
        reviews: reviews.0.iter().map(normalize::review).collect(),
        check_runs: checks.0.iter().map(normalize::check_run).collect(),
        events: normalize::events(&timeline.0),
        files: files.0.iter().map(normalize::pull_file).collect(),
    };
    let (sid, now, key) = (ctx.source_id, ctx.now, format!("{full}#{n}"));
    let head_sha = details.head.sha.clone();
    let checks_etag = checks.2.clone();
    let api = ctx.api.clone();
    ctx.db
        .write(move |tx| {
            code::upsert_pull_request(tx, repo_id, &bundle).map_err(store_err)?;
            save_raw(
                tx,
                sid,
                "github.pull",
                &key,
                Some(&rel(&api, &details_resp.url)),
                &details_resp.body,
                now,
            )?;
            save_raw(tx, sid, "github.pull.reviews", &key, None, &reviews.1, now)?;
            save_raw(tx, sid, "github.pull.commits", &key, None, &commits.1, now)?;
            save_raw(tx, sid, "github.pull.files", &key, None, &files.1, now)?;
            save_raw(
                tx,
                sid,
                "github.pull.timeline",
                &key,
                None,
                &timeline.1,
                now,
            )?;
            save_raw(
                tx,
                sid,
                "github.check_runs",
                &format!("{key}@{head_sha}"),
                None,
                &checks.1,
                now,
            )?;
            if let Some(e) = checks_etag {
                sync_state::set_etag(tx, sid, &rel(&api, &checks_url), &e, now)
                    .map_err(store_err)?;
            }
            Ok(())
        })
        .await?;
    ctx.prs_fetched.fetch_add(1, Ordering::Relaxed);
    Ok(n)
}

/// Every page of a small list, decoded, plus the raw items as one JSON array.
async fn list_raw<T: DeserializeOwned>(http: &HttpClient, url: &str) -> Result<(Vec<T>, Vec<u8>)> {
    let (items, _) = all_items::<T>(http, url, None, |_| true)
        .await?
        .unwrap_or_default();
    let raw = crate::wire::join_raw(items.iter().map(|(_, r)| r.as_slice()));
    Ok((items.into_iter().map(|(t, _)| t).collect(), raw))
}

/// Every check run of a commit (all attempts, so re-runs of a flaky check are visible), with
/// the raw pages and the first page's ETag; `None` when the first page is unchanged.
async fn check_runs(
    http: &HttpClient,
    url: &str,
    etag: Option<&str>,
) -> Result<Option<(Vec<api::CheckRun>, Vec<u8>, Option<String>)>> {
    let mut runs = Vec::new();
    let mut raws: Vec<Vec<u8>> = Vec::new();
    let mut next = Some(url.to_string());
    let mut first_etag = None;
    let mut first = true;
    while let Some(u) = next.take() {
        let resp = match http.get(&u, if first { etag } else { None }).await? {
            Fetched::NotModified => return Ok(None),
            Fetched::Ok(r) => r,
        };
        if first {
            first_etag = resp.etag.clone();
            first = false;
        }
        let page: api::CheckRuns = resp.json()?;
        raws.push(resp.body.clone());
        next = resp.next.clone();
        runs.extend(page.check_runs);
    }
    let raw = crate::wire::join_raw(raws.iter().map(Vec::as_slice));
    Ok(Some((runs, raw, first_etag)))
}

/// CI keeps running on open PRs without changing their `updated_at`: re-check their head
/// commits, conditionally.
async fn open_pr_checks(
    ctx: &Arc<Ctx>,
    repo_id: i64,
    full: &str,
    just_fetched: &[i64],
) -> Result<()> {
    let heads = ctx
        .db
        .read(move |s| code::open_pull_request_heads(s.conn(), repo_id).map_err(store_err))
        .await?;
    let todo: Vec<(i64, String)> = heads
        .into_iter()
        .filter(|(n, _)| !just_fetched.contains(n))
        .collect();
    let mut set: JoinSet<Result<()>> = JoinSet::new();
    let mut queue = todo.into_iter();
    loop {
        while set.len() < PR_PARALLELISM {
            let Some((n, sha)) = queue.next() else { break };
            let ctx = ctx.clone();
            let full = full.to_string();
            set.spawn(async move {
                let url = format!(
                    "{}/repos/{full}/commits/{sha}/check-runs?filter=all&per_page={pp}",
                    ctx.api,
                    pp = ctx.per_page
                );
                let etag = ctx.etag(&url).await?;
                let Some((page, raw, new_etag)) =
                    check_runs(&ctx.http, &url, etag.as_deref()).await?
                else {
                    return Ok(());
                };
                let runs: Vec<_> = page.iter().map(normalize::check_run).collect();
                let (sid, now) = (ctx.source_id, ctx.now);
                let api = ctx.api.clone();
                ctx.db
                    .write(move |tx| {
                        for r in &runs {
                            code::upsert_check_run(tx, repo_id, r).map_err(store_err)?;
                        }
                        save_raw(
                            tx,
                            sid,
                            "github.check_runs",
                            &format!("{full}#{n}@{sha}"),
                            None,
                            &raw,
                            now,
                        )?;
                        if let Some(e) = &new_etag {
                            sync_state::set_etag(tx, sid, &rel(&api, &url), e, now)
                                .map_err(store_err)?;
                        }
                        Ok(())
                    })
                    .await
            });
        }
        let Some(joined) = set.join_next().await else {
            break;
        };
        joined.map_err(|e| ConnectorError::task_failed("check-run", e))??;
    }
    Ok(())
}

/// A repository-wide comment listing: review comments (on diffs) or conversation comments.
pub(super) trait Comment: DeserializeOwned + Send + 'static {
    /// The phase, and its cursor's scope after the repository.
    const PHASE: &'static str;
    /// The listing's path under the repository.
    const PATH: &'static str;
    fn updated(&self) -> Ts;
    /// The record; `None` leaves the comment out (a conversation comment not on a pull request,
    /// a review comment naming none).
    fn record(&self) -> Option<bosun_core::model::PrComment>;
    /// Why a comment without a record is left out, when that deserves a warning.
    fn unreadable(&self, full: &str) -> Option<String>;
}

impl Comment for api::ReviewComment {
    const PHASE: &'static str = "review_comments";
    const PATH: &'static str = "pulls/comments";

    fn updated(&self) -> Ts {
        self.updated_at.0
    }

    fn record(&self) -> Option<bosun_core::model::PrComment> {
        normalize::review_comment(self)
    }

    fn unreadable(&self, full: &str) -> Option<String> {
        Some(format!(
            "{full}: review comment {} names no pull request (neither pull_request_url nor _links.pull_request); skipped",
            self.id
        ))
    }
}

impl Comment for api::IssueComment {
    const PHASE: &'static str = "issue_comments";
    const PATH: &'static str = "issues/comments";

    fn updated(&self) -> Ts {
        self.updated_at.0
    }

    fn record(&self) -> Option<bosun_core::model::PrComment> {
        normalize::issue_comment(self)
    }

    fn unreadable(&self, _full: &str) -> Option<String> {
        None
    }
}

/// The records of `listed`, with a warning for each comment left out that deserves one.
pub(super) fn comment_records<'a, C: Comment>(
    ctx: &Ctx,
    full: &str,
    listed: impl Iterator<Item = &'a (C, Vec<u8>)>,
) -> Vec<(bosun_core::model::PrComment, Vec<u8>)> {
    let mut recs = Vec::new();
    for (c, raw) in listed {
        match c.record() {
            Some(r) => recs.push((r, raw.clone())),
            None => {
                if let Some(w) = c.unreadable(full) {
                    ctx.warn(w);
                }
            }
        }
    }
    recs
}

/// A repository's comments of one kind, most recently updated first.
pub(super) fn comments_url<C: Comment>(ctx: &Ctx, full: &str) -> String {
    format!(
        "{}/repos/{full}/{}?sort=updated&direction=desc&per_page={pp}",
        ctx.api,
        C::PATH,
        pp = ctx.per_page
    )
}

pub(super) async fn comments<C: Comment>(ctx: &Ctx, repo_id: i64, full: &str) -> Result<()> {
    let scope = format!("{full}:{}", C::PHASE);
    let cursor = ctx.cursor(scope.clone()).await?;
    let url = comments_url::<C>(ctx, full);
    let etag = ctx.etag(&url).await?;
    // Down to the cursor, and not below the window.
    let lower = later(cursor, ctx.window);
    let keep = |page: &[(C, Vec<u8>)]| match (lower, page.last()) {
        (Some(c), Some((x, _))) => x.updated() >= c,
        _ => true,
    };
    let Some(listing) = list_pages::<C>(&ctx.http, &url, etag.as_deref(), None, keep).await? else {
        return Ok(());
    };
    // With a window the cursor is the newest comment listed that has a record, written now or
    // by the backfill (the one-pass cursor: the newest written); without, the newest written.
    let listed_max = ctx.window.and(
        listing
            .items
            .iter()
            .filter(|(c, _)| c.record().is_some())
            .map(|(c, _)| c.updated())
            .max(),
    );
    let recs = comment_records(
        ctx,
        full,
        listing
            .items
            .iter()
            .filter(|(c, _)| lower.is_none_or(|k| c.updated() >= k)),
    );
    let (max, missing) = store_comments(ctx, repo_id, full, recs).await?;
    let new_cursor = match missing {
        Some(m) => Some(cursor.map_or(m - 1, |c| c.max(m - 1))),
        None => later(max, listed_max).or(cursor),
    };
    let start = ctx.backfill_from(full, cursor, &listing.last_page);
    // With comments pending, the first page is not "done": keep its validator out.
    ctx.finish_phase(
        scope,
        new_cursor,
        url,
        if missing.is_some() {
            None
        } else {
            listing.first_etag
        },
        start,
    )
    .await
}

/// Write comments in one transaction; the newest written and the oldest whose pull request is
/// not stored yet (the cursor stays before it: it is picked up next time).
pub(super) async fn store_comments(
    ctx: &Ctx,
    repo_id: i64,
    full: &str,
    recs: Vec<(bosun_core::model::PrComment, Vec<u8>)>,
) -> Result<(Option<Ts>, Option<Ts>)> {
    let (sid, now, full_s) = (ctx.source_id, ctx.now, full.to_string());
    ctx.db
        .write(move |tx| {
            let mut max: Option<Ts> = None;
            let mut missing: Option<Ts> = None;
            for (c, raw) in &recs {
                let updated = c.updated_at.unwrap_or(c.created_at);
                if code::upsert_pr_comment(tx, repo_id, c).map_err(store_err)? {
                    let kind = format!("github.comment.{}", c.kind.as_str());
                    save_raw(
                        tx,
                        sid,
                        &kind,
                        &format!("{full_s}#{}", c.external_id),
                        None,
                        raw,
                        now,
                    )?;
                    max = max.max(Some(updated));
                } else {
                    missing = Some(missing.map_or(updated, |m: Ts| m.min(updated)));
                }
            }
            Ok((max, missing))
        })
        .await
}

/// A repository's deployments, newest first.
pub(super) fn deployments_url(ctx: &Ctx, full: &str) -> String {
    format!(
        "{}/repos/{full}/deployments?per_page={pp}",
        ctx.api,
        pp = ctx.per_page
    )
}

async fn deployments(ctx: &Arc<Ctx>, repo_id: i64, full: &str) -> Result<()> {
    let scope = format!("{full}:deployments");
    let cursor = ctx.cursor(scope.clone()).await?;
    let url = deployments_url(ctx, full);
    let etag = ctx.etag(&url).await?;
    // A day before the cursor, and not below the window.
    let floor = later(cursor.map(|c| c - DAY), ctx.window);
    let keep = |page: &[(api::Deployment, Vec<u8>)]| match (floor, page.last()) {
        (Some(f), Some((d, _))) => d.created_at.0 >= f,
        _ => true,
    };
    let listed =
        list_pages::<api::Deployment>(&ctx.http, &url, etag.as_deref(), None, keep).await?;
    if ctx.production.configured() {
        // The source names its production environments: deployments stored before follow the
        // rule too (GitHub's own flag is not re-read for them).
        let rule = ctx.production.clone();
        ctx.db
            .write(move |tx| {
                code::redecide_production(tx, repo_id, |env| rule.is_production(env, None))
                    .map_err(store_err)
            })
            .await?;
    }
    let states = ctx
        .db
        .read(move |s| code::deployment_states(s.conn(), repo_id).map_err(store_err))
        .await?;
    let mut refreshed: Vec<String> = Vec::new();
    let mut max = cursor;
    let mut first_etag = None;
    let mut start = None;
    if let Some(listing) = listed {
        first_etag = listing.first_etag;
        start = ctx.backfill_from(full, cursor, &listing.last_page);
        let list = listing.items;
        max = list.iter().map(|(d, _)| d.created_at.0).max().max(cursor);
        // Oldest first, so that a resumed sync never skips an older deployment.
        let mut todo: Vec<(api::Deployment, Vec<u8>)> = list
            .into_iter()
            .filter(|(d, _)| floor.is_none_or(|f| d.created_at.0 >= f))
            .filter(|(d, _)| states.get(&d.id.to_string()) != Some(&true))
            .collect();
        todo.sort_by_key(|(d, _)| (d.created_at.0, d.id));
        let total = todo.len() as u64;
        for (i, (d, raw)) in todo.into_iter().enumerate() {
            refreshed.push(store_deployment(ctx, repo_id, full, d, raw).await?);
            if (i + 1) % 10 == 0 || i as u64 + 1 == total {
                ctx.progress(full, "deployments", i as u64 + 1, total);
            }
        }
    }
    // Deployments still in progress last time may have finished since.
    let unfinished: Vec<String> = states
        .iter()
        .filter(|(id, done)| !**done && !refreshed.contains(id))
        .map(|(id, _)| id.clone())
        .collect();
    for id in unfinished {
        let surl = format!(
            "{}/repos/{full}/deployments/{id}/statuses?per_page={pp}",
            ctx.api,
            pp = ctx.per_page
        );
        let (statuses, sraw) = list_raw::<api::DeploymentStatus>(&ctx.http, &surl).await?;
        let recs = normalize::deployment_statuses(&statuses);
        let (sid, now, key) = (ctx.source_id, ctx.now, format!("{full}/{id}"));
        ctx.db
            .write(move |tx| {
                code::upsert_deployment_statuses(tx, repo_id, "github_deployment", &id, &recs)
                    .map_err(store_err)?;
                save_raw(
                    tx,
                    sid,
                    "github.deployment.statuses",
                    &key,
                    None,
                    &sraw,
                    now,
                )?;
                Ok(())
            })
            .await?;
    }
    ctx.finish_phase(scope, max, url, first_etag, start).await
}

/// Fetch a deployment's statuses and write it with them in one transaction; its id.
pub(super) async fn store_deployment(
    ctx: &Ctx,
    repo_id: i64,
    full: &str,
    d: api::Deployment,
    raw: Vec<u8>,
) -> Result<String> {
    let surl = format!(
        "{}/repos/{full}/deployments/{}/statuses?per_page={pp}",
        ctx.api,
        d.id,
        pp = ctx.per_page
    );
    let (statuses, sraw) = list_raw::<api::DeploymentStatus>(&ctx.http, &surl).await?;
    let rec = normalize::deployment(&d, &statuses, &ctx.production);
    let id = rec.external_id.clone();
    let (sid, now, key) = (ctx.source_id, ctx.now, format!("{full}/{}", d.id));
    ctx.db
        .write(move |tx| {
            code::upsert_deployment(tx, repo_id, &rec).map_err(store_err)?;
            save_raw(tx, sid, "github.deployment", &key, None, &raw, now)?;
            save_raw(
                tx,
                sid,
                "github.deployment.statuses",
                &key,
                None,
                &sraw,
                now,
            )?;
            Ok(())
        })
        .await?;
    Ok(id)
}

/// Cursor scope holding a repository's workflows (`{full}:workflows`), for when their list is
/// unchanged (304).
fn workflows_scope(full: &str) -> String {
    format!("{full}:workflows")
}

/// A repository's workflows: every page of `actions/workflows`, conditionally (the list read last
/// time is kept, as JSON, under [`workflows_scope`]).
pub(super) async fn repo_workflows(ctx: &Ctx, full: &str) -> Result<Vec<api::Workflow>> {
    let url = format!(
        "{}/repos/{full}/actions/workflows?per_page={pp}",
        ctx.api,
        pp = ctx.per_page
    );
    let etag = ctx.etag(&url).await?;
    let scope = workflows_scope(full);
    let sid = ctx.source_id;
    let kept = {
        let scope = scope.clone();
        ctx.db
            .read(move |s| sync_state::cursor(s.conn(), sid, &scope).map_err(store_err))
            .await?
    };
    let kept: Option<Vec<(i64, String, String)>> = kept.and_then(|v| serde_json::from_str(&v).ok());
    // A validator without the list it stands for (never written apart, but a reset cursor) is
    // not used.
    let etag = etag.filter(|_| kept.is_some());
    let listed =
        all_items_in::<api::Workflow>(&ctx.http, &url, etag.as_deref(), Some("workflows"), |_| {
            true
        })
        .await?;
    let Some((list, first_etag)) = listed else {
        return Ok(kept
            .unwrap_or_default()
            .into_iter()
            .map(|(id, name, path)| api::Workflow {
                id,
                name,
                path,
                state: None,
                html_url: None,
            })
            .collect());
    };
    let workflows: Vec<api::Workflow> = list.into_iter().map(|(w, _)| w).collect();
    let value = serde_json::to_string(
        &workflows
            .iter()
            .map(|w| (w.id, &w.name, &w.path))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let (now, api) = (ctx.now, ctx.api.clone());
    ctx.db
        .write(move |tx| {
            sync_state::set_cursor(tx, sid, &scope, &value, now).map_err(store_err)?;
            if let Some(e) = &first_etag {
                sync_state::set_etag(tx, sid, &rel(&api, &url), e, now).map_err(store_err)?;
            }
            Ok(())
        })
        .await?;
    Ok(workflows)
}

/// Runs still in progress this long after they were created no longer hold the cursor back (a
/// run waiting for an approval that never comes).
const PENDING_HOLD_SECS: i64 = 7 * DAY;

/// GitHub Actions as the delivery pipeline: the completed runs of the source's deploy workflows
/// that are deployments ([`actions::is_candidate`]) become deployment rows of kind `workflow_run`
/// with their outcome. Per workflow, runs are listed newest first, after the first sync down to a
/// day before the cursor (the newest run's creation, held before the oldest run still in
/// progress); a run whose stored `updated_at` matches is skipped. A repository where GitHub refuses Actions (disabled, a token without
/// `actions:read`: 403, 404) gets a warning, not a failed sync.
async fn workflow_runs(ctx: &Arc<Ctx>, repo_id: i64, full: &str, branch: &str) -> Result<()> {
    if !ctx.deploy.enabled() {
        return Ok(());
    }
    actions_refused(
        ctx,
        full,
        workflow_runs_of(ctx, repo_id, full, branch).await,
    )
}

/// A repository where GitHub refuses Actions (403, 404, 410) gets a warning, not a failed sync.
pub(super) fn actions_refused(ctx: &Ctx, full: &str, result: Result<()>) -> Result<()> {
    match result {
        Err(ConnectorError::NotFound { .. }) => {
            ctx.warn(format!(
                "{full}: GitHub Actions not found (HTTP 404: Actions disabled, or a token without actions:read); no deployments from workflow runs"
            ));
            Ok(())
        }
        Err(ConnectorError::Http {
            status: status @ (403 | 404 | 410),
            message,
            ..
        }) => {
            ctx.warn(format!(
                "{full}: GitHub Actions refused (HTTP {status}: {message}; a token without actions:read?); no deployments from workflow runs"
            ));
            Ok(())
        }
        other => other,
    }
}

/// What deciding which runs are deployments needs, per repository.
pub(super) struct RunRule {
    pub(super) workflows: Vec<api::Workflow>,
    envs: Vec<EnvDeployment>,
    environment: String,
    production: bool,
    /// Stored runs' `updated_at` by run id (updated as runs are written).
    versions: HashMap<String, Option<Ts>>,
}

/// The repository's deploy workflows and what deciding on their runs needs; `None` when it has
/// none.
pub(super) async fn run_rule(ctx: &Ctx, repo_id: i64, full: &str) -> Result<Option<RunRule>> {
    let workflows: Vec<api::Workflow> = repo_workflows(ctx, full)
        .await?
        .into_iter()
        .filter(|w| ctx.deploy.is_deploy_workflow(w))
        .collect();
    if workflows.is_empty() {
        return Ok(None);
    }
    let envs: Vec<EnvDeployment> = if ctx.deploy.environment.is_some() {
        ctx.db
            .read(move |s| code::environment_deployments(s.conn(), repo_id).map_err(store_err))
            .await?
            .into_iter()
            .map(|(environment, sha, created_at)| EnvDeployment {
                environment,
                sha,
                created_at,
            })
            .collect()
    } else {
        Vec::new()
    };
    let (environment, production) = match &ctx.deploy.environment {
        Some(e) => (e.clone(), ctx.production.is_production(e, None)),
        None => ("production".to_string(), true),
    };
    let versions = ctx
        .db
        .read(move |s| {
            code::deployment_versions(s.conn(), repo_id, "workflow_run").map_err(store_err)
        })
        .await?;
    Ok(Some(RunRule {
        workflows,
        envs,
        environment,
        production,
        versions,
    }))
}

/// A deploy workflow's runs, newest first (no search filter: GitHub caps filtered lists at
/// 1,000).
pub(super) fn runs_url(ctx: &Ctx, full: &str, w: &api::Workflow) -> String {
    format!(
        "{}/repos/{full}/actions/workflows/{}/runs?per_page={pp}&exclude_pull_requests=true",
        ctx.api,
        w.id,
        pp = ctx.per_page
    )
}

/// Write the completed runs of `list` that are deployments and not stored at their version; how
/// many.
pub(super) async fn write_runs(
    ctx: &Ctx,
    repo_id: i64,
    full: &str,
    branch: &str,
    w: &api::Workflow,
    rule: &mut RunRule,
    list: &[(api::WorkflowRun, Vec<u8>)],
) -> Result<u64> {
    let mut recs = Vec::new();
    for (run, raw) in list {
        let completed = run.status.as_deref() == Some("completed");
        if !completed || !actions::is_candidate(run, branch, &ctx.deploy, &rule.envs) {
            continue;
        }
        let id = run.id.to_string();
        if rule.versions.get(&id) == Some(&Some(run.updated_at.0)) {
            continue;
        }
        rule.versions.insert(id, Some(run.updated_at.0));
        recs.push((
            normalize::workflow_run_deployment(run, w, &rule.environment, rule.production),
            raw.clone(),
        ));
    }
    let total = recs.len() as u64;
    let (sid, now, full_s) = (ctx.source_id, ctx.now, full.to_string());
    ctx.db
        .write(move |tx| {
            for (d, raw) in &recs {
                code::upsert_deployment(tx, repo_id, d).map_err(store_err)?;
                save_raw(
                    tx,
                    sid,
                    "github.workflow_run",
                    &format!("{full_s}/{}", d.external_id),
                    None,
                    raw,
                    now,
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(total)
}

async fn workflow_runs_of(ctx: &Arc<Ctx>, repo_id: i64, full: &str, branch: &str) -> Result<()> {
    let Some(mut rule) = run_rule(ctx, repo_id, full).await? else {
        return Ok(());
    };
    for w in rule.workflows.clone() {
        let scope = format!("{full}:workflow_runs:{}", w.id);
        let cursor = ctx.cursor(scope.clone()).await?;
        // A day before the cursor, and not below the window.
        let floor = later(cursor.map(|c| c - DAY), ctx.window);
        // One URL (so an unchanged first page is a 304), newest first, paged down to the floor.
        let url = runs_url(ctx, full, &w);
        let etag = ctx.etag(&url).await?;
        let keep = |page: &[(api::WorkflowRun, Vec<u8>)]| match (floor, page.last()) {
            (Some(f), Some((r, _))) => r.created_at.0 >= f,
            _ => true,
        };
        let Some(listing) = list_pages::<api::WorkflowRun>(
            &ctx.http,
            &url,
            etag.as_deref(),
            Some("workflow_runs"),
            keep,
        )
        .await?
        else {
            continue;
        };
        let start = ctx.backfill_from(full, cursor, &listing.last_page);
        let mut list = listing.items;
        let completed = |r: &api::WorkflowRun| r.status.as_deref() == Some("completed");
        // The cursor: before the oldest run still going (recent ones), else the newest run seen.
        let pending = list
            .iter()
            .map(|(r, _)| r)
            .filter(|r| !completed(r) && ctx.now - r.created_at.0 < PENDING_HOLD_SECS)
            .map(|r| r.created_at.0)
            .min();
        let newest = list.iter().map(|(r, _)| r.created_at.0).max();
        let new_cursor = match pending {
            Some(p) => Some(p),
            None => newest.max(cursor),
        };
        if let Some(w) = ctx.window {
            list.retain(|(r, _)| r.created_at.0 >= w);
        }
        let total = write_runs(ctx, repo_id, full, branch, &w, &mut rule, &list).await?;
        if total > 0 {
            ctx.progress(full, "workflow runs", total, total);
        }
        // A run still going may finish further down the list: without a validator the next sync
        // reads the pages again instead of stopping at an unchanged first page.
        let first_etag = listing.first_etag.filter(|_| pending.is_none());
        ctx.finish_phase(scope, new_cursor, url, first_etag, start)
            .await?;
    }
    Ok(())
}

/// The workflows of every repository of a GitHub source, each marked when it looks like a deploy
/// (the proposal `bosun sources workflows` makes) and when the source's `deploy_workflows` name
/// it. A repository whose workflows GitHub refuses (403, 404) says so and the others are listed.
pub async fn list_workflows(
    source: &Source,
    token: Sensitive<String>,
    cfg: HttpConfig,
    sink: Arc<dyn EventSink>,
) -> Result<Vec<RepoWorkflows>> {
    let settings: GithubSettings = crate::wire::settings(source)?;
    let rule = DeployRule::new(
        &settings.deploy_workflows,
        settings.deploy_environment.as_deref(),
    );
    let (api, http) = client(source, token, cfg, sink)?;
    let per_page = settings.per_page.unwrap_or(100).clamp(1, 100);
    let mut out = Vec::new();
    for r in list_repos(&http, &api, per_page, &settings).await? {
        let url = format!(
            "{api}/repos/{}/actions/workflows?per_page={per_page}",
            r.full_name
        );
        let listed =
            all_items_in::<api::Workflow>(&http, &url, None, Some("workflows"), |_| true).await;
        let (workflows, error) = match listed {
            Ok(list) => (list.map(|(l, _)| l).unwrap_or_default(), None),
            Err(ConnectorError::NotFound { .. }) => (
                Vec::new(),
                Some(
                    "not found (HTTP 404): Actions disabled, or a token without actions:read"
                        .to_string(),
                ),
            ),
            Err(ConnectorError::Http {
                status: status @ (403 | 404 | 410),
                message,
                ..
            }) => (
                Vec::new(),
                Some(format!("refused (HTTP {status}: {message})")),
            ),
            Err(e) => return Err(e),
        };
        out.push(RepoWorkflows {
            repo: r.full_name.clone(),
            default_branch: r.default_branch.clone().unwrap_or_else(|| "main".into()),
            workflows: workflows
                .into_iter()
                .map(|(w, _)| WorkflowInfo {
                    looks_like_deploy: actions::looks_like_deploy(&w.name, &w.path),
                    configured: rule.is_deploy_workflow(&w),
                    id: w.id,
                    name: w.name,
                    path: w.path,
                    state: w.state,
                })
                .collect(),
            error,
        });
    }
    Ok(out)
}

async fn releases_and_tags(ctx: &Ctx, repo_id: i64, full: &str) -> Result<()> {
    let url = format!(
        "{}/repos/{full}/releases?per_page={pp}",
        ctx.api,
        pp = ctx.per_page
    );
    let etag = ctx.etag(&url).await?;
    if let Some((list, first_etag)) =
        all_items::<api::Release>(&ctx.http, &url, etag.as_deref(), |_| true).await?
    {
        let recs: Vec<_> = list
            .iter()
            .map(|(r, raw)| (normalize::release(r), raw.clone()))
            .collect();
        let (sid, now, full_s) = (ctx.source_id, ctx.now, full.to_string());
        let api = ctx.api.clone();
        ctx.db
            .write(move |tx| {
                for (r, raw) in &recs {
                    code::upsert_release(tx, repo_id, r).map_err(store_err)?;
                    save_raw(
                        tx,
                        sid,
                        "github.release",
                        &format!("{full_s}/{}", r.external_id),
                        None,
                        raw,
                        now,
                    )?;
                }
                if let Some(e) = &first_etag {
                    sync_state::set_etag(tx, sid, &rel(&api, &url), e, now).map_err(store_err)?;
                }
                Ok(())
            })
            .await?;
    }
    let url = format!(
        "{}/repos/{full}/tags?per_page={pp}",
        ctx.api,
        pp = ctx.per_page
    );
    let etag = ctx.etag(&url).await?;
    if let Some((list, first_etag)) =
        all_items::<api::Tag>(&ctx.http, &url, etag.as_deref(), |_| true).await?
    {
        let tags: Vec<_> = list.iter().map(|(t, _)| normalize::tag(t)).collect();
        let raw = crate::wire::join_raw(list.iter().map(|(_, r)| r.as_slice()));
        let (sid, now, full_s) = (ctx.source_id, ctx.now, full.to_string());
        let api = ctx.api.clone();
        ctx.db
            .write(move |tx| {
                code::replace_tags(tx, repo_id, &tags).map_err(store_err)?;
                save_raw(tx, sid, "github.tags", &full_s, None, &raw, now)?;
                if let Some(e) = &first_etag {
                    sync_state::set_etag(tx, sid, &rel(&api, &url), e, now).map_err(store_err)?;
                }
                Ok(())
            })
            .await?;
    }
    Ok(())
}
