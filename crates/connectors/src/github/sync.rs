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

use super::actions::{self, DeployRule, EnvDeployment, RepoWorkflows, WorkflowInfo};
use super::{api, normalize};
use crate::db::Db;
use crate::events::{Event, EventSink};
use crate::http::{Auth, Fetched, HttpClient, HttpConfig, Response, github_headers};
use crate::{ConnectorError, Result};
use bosun_core::Sensitive;
use bosun_core::model::PullRequestBundle;
use bosun_core::time::Ts;
use bosun_store::rusqlite::Connection;
use bosun_store::sync_state::{self, Source};
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
}

/// Which deployment environments count as production, from a source's settings.
#[derive(Debug, Clone, Default)]
pub struct Production {
    names: Vec<String>,
    pattern: Option<regex::Regex>,
}

impl Production {
    pub fn from_settings(s: &GithubSettings) -> Result<Production> {
        let pattern = s
            .production_pattern
            .as_deref()
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
            names: s
                .production_environments
                .iter()
                .map(|n| n.trim().to_lowercase())
                .collect(),
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

struct Ctx {
    http: HttpClient,
    db: Db,
    source_id: i64,
    source: String,
    api: String,
    per_page: u32,
    now: Ts,
    sink: Arc<dyn EventSink>,
    prs_fetched: AtomicU64,
    prs_unchanged: AtomicU64,
    production: Production,
    /// Which workflows deploy (none: the workflow-runs phase does nothing).
    deploy: DeployRule,
    /// What was skipped without stopping the sync (a pull request's refused sub-resource, an
    /// item missing what the connector reads), for the sync's outcome.
    warnings: std::sync::Mutex<Vec<String>>,
}

const DAY: i64 = 86_400;
/// Cursor scope prefix recording when a nameless user's profile was last asked for.
const PROFILE_SCOPE: &str = "profile:";
/// How long a profile without a public name is trusted before asking again.
const PROFILE_RECHECK_SECS: i64 = 7 * DAY;
/// Pull requests fetched concurrently per repository.
const PR_PARALLELISM: usize = 12;
/// Repositories synced concurrently.
const REPO_PARALLELISM: usize = 4;

fn store_err(e: StoreError) -> ConnectorError {
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
    let api = source
        .base_url
        .clone()
        .unwrap_or_else(|| "https://api.github.com".into())
        .trim_end_matches('/')
        .to_string();
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

/// Sync every repository of a GitHub source. Repositories are independent: one failing does not
/// stop the others; the error of each is kept in its job and returned together.
pub async fn sync_source(
    db: &Db,
    source: &Source,
    token: Sensitive<String>,
    cfg: HttpConfig,
    now: Ts,
    sink: Arc<dyn EventSink>,
) -> Result<SyncStats> {
    let settings: GithubSettings = serde_json::from_value(source.settings.clone())
        .map_err(|e| ConnectorError::Config(format!("source {}: {e}", source.name)))?;
    let production = Production::from_settings(&settings)
        .map_err(|e| ConnectorError::Config(format!("source {}: {e}", source.name)))?;
    if settings.owner.is_empty() {
        return Err(ConnectorError::Config(format!(
            "source {}: no owner",
            source.name
        )));
    }
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
    });

    let repos = list_repos(&ctx.http, &ctx.api, ctx.per_page, &settings).await?;
    sink.emit(Event::SourceStarted {
        source: source.name.clone(),
        scopes: repos.len(),
    });
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

    let mut set = JoinSet::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(REPO_PARALLELISM));
    let profiles_ctx = ctx.clone();
    for (repo_id, full, branch) in ids.clone() {
        let ctx = ctx.clone();
        let permits = permits.clone();
        set.spawn(async move {
            let _p = permits.acquire_owned().await;
            let res = sync_repo_job(&ctx, repo_id, &full, &branch).await;
            (full, res)
        });
    }
    let mut errors = Vec::new();
    let mut first_error = None;
    while let Some(joined) = set.join_next().await {
        let (full, res) =
            joined.map_err(|e| ConnectorError::Config(format!("repository task failed: {e}")))?;
        if let Err(e) = res {
            errors.push(format!("{full}: {e}"));
            first_error.get_or_insert(e);
        }
    }
    // Names (and public emails) of the people seen, for matching them across tools.
    if let Err(e) = profiles(&profiles_ctx).await {
        errors.push(format!("user profiles: {e}"));
        first_error.get_or_insert(e);
    }
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

/// Fetch the profile of every human GitHub account that has no name yet.
async fn profiles(ctx: &Arc<Ctx>) -> Result<()> {
    let logins: Vec<String> = ctx
        .db
        .read(|s| {
            let mut stmt = s.conn().prepare(
                "SELECT login FROM accounts WHERE provider = 'github' AND is_bot = 0 AND display_name IS NULL AND login IS NOT NULL ORDER BY login",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?.collect::<bosun_store::rusqlite::Result<Vec<String>>>()?;
            Ok(rows)
        })
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
    review_comments(ctx, repo_id, full).await?;
    issue_comments(ctx, repo_id, full).await?;
    deployments(ctx, repo_id, full).await?;
    workflow_runs(ctx, repo_id, full, branch).await?;
    releases_and_tags(ctx, repo_id, full).await?;
    let items = ctx.prs_fetched.load(Ordering::Relaxed);
    ctx.sink.emit(Event::ScopeFinished {
        source: ctx.source.clone(),
        scope: full.to_string(),
        items,
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

impl Ctx {
    fn warn(&self, text: String) {
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

    async fn etag(&self, url: &str) -> Result<Option<String>> {
        let (sid, url) = (self.source_id, url.to_string());
        let api = self.api.clone();
        self.db
            .read(move |s| sync_state::etag(s.conn(), sid, &rel(&api, &url)).map_err(store_err))
            .await
    }

    async fn cursor(&self, scope: String) -> Result<Option<Ts>> {
        let sid = self.source_id;
        let v = self
            .db
            .read(move |s| sync_state::cursor(s.conn(), sid, &scope).map_err(store_err))
            .await?;
        Ok(v.and_then(|v| v.parse().ok()))
    }

    /// Save a phase's cursor and first-page ETag together (the phase is complete).
    async fn finish_phase(
        &self,
        scope: String,
        cursor: Option<Ts>,
        url: String,
        etag: Option<String>,
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
                Ok(())
            })
            .await
    }

    fn progress(&self, scope: &str, phase: &str, done: u64, total: u64) {
        self.sink.emit(Event::Progress {
            source: self.source.clone(),
            scope: scope.to_string(),
            phase: phase.to_string(),
            done,
            total,
        });
    }
}

/// Decode each item of a JSON array page separately, keeping its raw JSON; with `key`, the page
/// is an object holding the array under that key (`{"total_count": 3, "workflow_runs": [...]}`).
fn items<T: DeserializeOwned>(resp: &Response, key: Option<&str>) -> Result<Vec<(T, Vec<u8>)>> {
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
            let raw = serde_json::to_vec(&v).unwrap_or_default();
            let t = serde_json::from_value(v).map_err(|e| ConnectorError::Malformed {
                url: resp.url.clone(),
                detail: format!("item {i}: {e}"),
            })?;
            Ok((t, raw))
        })
        .collect()
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
    mut keep_going: impl FnMut(&[(T, Vec<u8>)]) -> bool,
) -> Result<Option<(Vec<(T, Vec<u8>)>, Option<String>)>> {
    let mut out = Vec::new();
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
        let page = items::<T>(&resp, key)?;
        if keep_going(&page) {
            next = resp.next.clone();
        }
        out.extend(page);
    }
    Ok(Some((out, first_etag)))
}

/// A URL relative to the source's API base: validators and raw-payload URLs stay valid when the
/// base moves (a demo restarted on a new port, a GitHub Enterprise host renamed).
fn rel(api: &str, url: &str) -> String {
    url.strip_prefix(api).unwrap_or(url).to_string()
}

fn save_raw(
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

async fn commits(ctx: &Ctx, repo_id: i64, full: &str, branch: &str) -> Result<()> {
    let scope = format!("{full}:commits");
    let cursor = ctx.cursor(scope.clone()).await?;
    // Newest first down to a day before the cursor (commit dates are set by clients and can
    // arrive out of order). The URL never changes, so an unchanged branch is one 304.
    let url = format!(
        "{}/repos/{full}/commits?sha={branch}&per_page={pp}",
        ctx.api,
        pp = ctx.per_page
    );
    let floor = cursor.map(|c| c - DAY);
    let keep = |page: &[(api::Commit, Vec<u8>)]| match (floor, page.last()) {
        (Some(f), Some((c, _))) => c.commit.committer.date.0 >= f,
        _ => true,
    };
    let etag = ctx.etag(&url).await?;
    let listed = match all_items::<api::Commit>(&ctx.http, &url, etag.as_deref(), keep).await {
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
    let Some((list, first_etag)) = listed else {
        return Ok(());
    };
    let max = list
        .iter()
        .map(|(c, _)| c.commit.committer.date.0)
        .max()
        .max(cursor);
    let total = list.len() as u64;
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
        ctx.progress(
            full,
            "commits",
            ((n + 1) * 200).min(total as usize) as u64,
            total,
        );
    }
    ctx.finish_phase(scope, max, url, first_etag).await
}

async fn pulls(ctx: &Arc<Ctx>, repo_id: i64, full: &str) -> Result<Vec<i64>> {
    let scope = format!("{full}:pulls");
    let cursor = ctx.cursor(scope.clone()).await?;
    let url = format!(
        "{}/repos/{full}/pulls?state=all&sort=updated&direction=desc&per_page={pp}",
        ctx.api,
        pp = ctx.per_page
    );
    let etag = ctx.etag(&url).await?;
    let keep = |page: &[(api::Pull, Vec<u8>)]| match (cursor, page.last()) {
        (Some(c), Some((p, _))) => p.updated_at.0 >= c,
        _ => true,
    };
    let Some((list, first_etag)) =
        all_items::<api::Pull>(&ctx.http, &url, etag.as_deref(), keep).await?
    else {
        return Ok(Vec::new());
    };
    let max = list.iter().map(|(p, _)| p.updated_at.0).max().or(cursor);
    let versions = ctx
        .db
        .read(move |s| code::pull_request_versions(s.conn(), repo_id).map_err(store_err))
        .await?;
    let todo: Vec<api::Pull> = list
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| cursor.is_none_or(|c| p.updated_at.0 >= c))
        .filter(|p| {
            let unchanged = versions.get(&p.number) == Some(&p.updated_at.0);
            if unchanged {
                ctx.prs_unchanged.fetch_add(1, Ordering::Relaxed);
            }
            !unchanged
        })
        .collect();
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
        let number = joined
            .map_err(|e| ConnectorError::Config(format!("pull request task failed: {e}")))??;
        fetched.push(number);
        done += 1;
        if done.is_multiple_of(10) || done == total {
            ctx.progress(full, "pull requests", done, total);
        }
    }
    ctx.finish_phase(scope, max, url, first_etag).await?;
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
    let (reviews, commits, timeline, checks) = tokio::try_join!(
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
    let raw = join_raw(items.iter().map(|(_, r)| r.as_slice()));
    Ok((items.into_iter().map(|(t, _)| t).collect(), raw))
}

fn join_raw<'a>(parts: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = vec![b'['];
    for (i, p) in parts.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(p);
    }
    out.push(b']');
    out
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
    let raw = join_raw(raws.iter().map(Vec::as_slice));
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
        joined.map_err(|e| ConnectorError::Config(format!("check-run task failed: {e}")))??;
    }
    Ok(())
}

async fn review_comments(ctx: &Ctx, repo_id: i64, full: &str) -> Result<()> {
    let scope = format!("{full}:review_comments");
    let cursor = ctx.cursor(scope.clone()).await?;
    let url = format!(
        "{}/repos/{full}/pulls/comments?sort=updated&direction=desc&per_page={pp}",
        ctx.api,
        pp = ctx.per_page
    );
    let etag = ctx.etag(&url).await?;
    let keep = |page: &[(api::ReviewComment, Vec<u8>)]| match (cursor, page.last()) {
        (Some(c), Some((x, _))) => x.updated_at.0 >= c,
        _ => true,
    };
    let Some((list, first_etag)) =
        all_items::<api::ReviewComment>(&ctx.http, &url, etag.as_deref(), keep).await?
    else {
        return Ok(());
    };
    let mut recs = Vec::new();
    for (c, raw) in list
        .iter()
        .filter(|(c, _)| cursor.is_none_or(|k| c.updated_at.0 >= k))
    {
        match normalize::review_comment(c) {
            Some(comment) => recs.push((comment, raw.clone())),
            None => ctx.warn(format!(
                "{full}: review comment {} names no pull request (neither pull_request_url nor _links.pull_request); skipped",
                c.id
            )),
        }
    }
    write_comments(ctx, repo_id, full, scope, cursor, url, first_etag, recs).await
}

async fn issue_comments(ctx: &Ctx, repo_id: i64, full: &str) -> Result<()> {
    let scope = format!("{full}:issue_comments");
    let cursor = ctx.cursor(scope.clone()).await?;
    let url = format!(
        "{}/repos/{full}/issues/comments?sort=updated&direction=desc&per_page={pp}",
        ctx.api,
        pp = ctx.per_page
    );
    let etag = ctx.etag(&url).await?;
    let keep = |page: &[(api::IssueComment, Vec<u8>)]| match (cursor, page.last()) {
        (Some(c), Some((x, _))) => x.updated_at.0 >= c,
        _ => true,
    };
    let Some((list, first_etag)) =
        all_items::<api::IssueComment>(&ctx.http, &url, etag.as_deref(), keep).await?
    else {
        return Ok(());
    };
    let recs = list
        .iter()
        .filter(|(c, _)| cursor.is_none_or(|k| c.updated_at.0 >= k))
        .filter_map(|(c, raw)| normalize::issue_comment(c).map(|x| (x, raw.clone())))
        .collect();
    write_comments(ctx, repo_id, full, scope, cursor, url, first_etag, recs).await
}

/// Write comments; the cursor advances past every comment whose PR is known, and stays before
/// the first one whose PR is not synced yet (it is picked up next time).
#[allow(clippy::too_many_arguments)]
async fn write_comments(
    ctx: &Ctx,
    repo_id: i64,
    full: &str,
    scope: String,
    cursor: Option<Ts>,
    url: String,
    first_etag: Option<String>,
    recs: Vec<(bosun_core::model::PrComment, Vec<u8>)>,
) -> Result<()> {
    let (sid, now, full_s) = (ctx.source_id, ctx.now, full.to_string());
    let (max, missing) = ctx
        .db
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
        .await?;
    let new_cursor = match missing {
        Some(m) => Some(cursor.map_or(m - 1, |c| c.max(m - 1))),
        None => max.or(cursor),
    };
    // With comments pending, the first page is not "done": keep its validator out.
    ctx.finish_phase(
        scope,
        new_cursor,
        url,
        if missing.is_some() { None } else { first_etag },
    )
    .await
}

async fn deployments(ctx: &Arc<Ctx>, repo_id: i64, full: &str) -> Result<()> {
    let scope = format!("{full}:deployments");
    let cursor = ctx.cursor(scope.clone()).await?;
    let url = format!(
        "{}/repos/{full}/deployments?per_page={pp}",
        ctx.api,
        pp = ctx.per_page
    );
    let etag = ctx.etag(&url).await?;
    let floor = cursor.map(|c| c - DAY);
    let keep = |page: &[(api::Deployment, Vec<u8>)]| match (floor, page.last()) {
        (Some(f), Some((d, _))) => d.created_at.0 >= f,
        _ => true,
    };
    let listed = all_items::<api::Deployment>(&ctx.http, &url, etag.as_deref(), keep).await?;
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
    if let Some((list, etag)) = listed {
        first_etag = etag;
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
            let surl = format!(
                "{}/repos/{full}/deployments/{}/statuses?per_page={pp}",
                ctx.api,
                d.id,
                pp = ctx.per_page
            );
            let (statuses, sraw) = list_raw::<api::DeploymentStatus>(&ctx.http, &surl).await?;
            let rec = normalize::deployment(&d, &statuses, &ctx.production);
            refreshed.push(rec.external_id.clone());
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
    ctx.finish_phase(scope, max, url, first_etag).await
}

/// Cursor scope holding a repository's workflows (`{full}:workflows`), for when their list is
/// unchanged (304).
fn workflows_scope(full: &str) -> String {
    format!("{full}:workflows")
}

/// A repository's workflows: every page of `actions/workflows`, conditionally (the list read last
/// time is kept, as JSON, under [`workflows_scope`]).
async fn repo_workflows(ctx: &Ctx, full: &str) -> Result<Vec<api::Workflow>> {
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
    match workflow_runs_of(ctx, repo_id, full, branch).await {
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

async fn workflow_runs_of(ctx: &Arc<Ctx>, repo_id: i64, full: &str, branch: &str) -> Result<()> {
    let workflows: Vec<api::Workflow> = repo_workflows(ctx, full)
        .await?
        .into_iter()
        .filter(|w| ctx.deploy.is_deploy_workflow(w))
        .collect();
    if workflows.is_empty() {
        return Ok(());
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
    let mut versions = ctx
        .db
        .read(move |s| {
            code::deployment_versions(s.conn(), repo_id, "workflow_run").map_err(store_err)
        })
        .await?;
    for w in workflows {
        let scope = format!("{full}:workflow_runs:{}", w.id);
        let cursor = ctx.cursor(scope.clone()).await?;
        let floor = cursor.map(|c| c - DAY);
        // One URL (so an unchanged first page is a 304), newest first, paged down to the floor.
        // No search filter (`created`, `branch`, `status`): GitHub caps filtered lists at 1,000.
        let url = format!(
            "{}/repos/{full}/actions/workflows/{}/runs?per_page={pp}&exclude_pull_requests=true",
            ctx.api,
            w.id,
            pp = ctx.per_page
        );
        let etag = ctx.etag(&url).await?;
        let keep = |page: &[(api::WorkflowRun, Vec<u8>)]| match (floor, page.last()) {
            (Some(f), Some((r, _))) => r.created_at.0 >= f,
            _ => true,
        };
        let Some((list, first_etag)) = all_items_in::<api::WorkflowRun>(
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
        let mut recs = Vec::new();
        for (run, raw) in &list {
            if !completed(run) || !actions::is_candidate(run, branch, &ctx.deploy, &envs) {
                continue;
            }
            let id = run.id.to_string();
            if versions.get(&id) == Some(&Some(run.updated_at.0)) {
                continue;
            }
            versions.insert(id, Some(run.updated_at.0));
            recs.push((
                normalize::workflow_run_deployment(run, &w, &environment, production),
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
        if total > 0 {
            ctx.progress(full, "workflow runs", total, total);
        }
        // A run still going may finish further down the list: without a validator the next sync
        // reads the pages again instead of stopping at an unchanged first page.
        let first_etag = first_etag.filter(|_| pending.is_none());
        ctx.finish_phase(scope, new_cursor, url, first_etag).await?;
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
    let settings: GithubSettings = serde_json::from_value(source.settings.clone())
        .map_err(|e| ConnectorError::Config(format!("source {}: {e}", source.name)))?;
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
        let raw = join_raw(list.iter().map(|(_, r)| r.as_slice()));
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
