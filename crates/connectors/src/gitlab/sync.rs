//! Incremental, resumable GitLab sync of one source: the projects of a group (subgroups
//! included) or a list of projects, on gitlab.com or a self-managed instance (REST v4).
//!
//! Per project, in order: CODEOWNERS (the root, `.gitlab/` or `docs/`), default-branch commits
//! (`since` a day before the commit cursor), merge requests (`updated_after` the cursor; each
//! changed one read with its approvals, discussions and commits and written in one transaction;
//! those stored at their listed version are skipped, so a resumed sync does only the unfinished
//! part), pipelines with their jobs (retried ones included) as check runs, deployments with the
//! environments' tiers, releases and tags. A phase's cursor is saved when the phase completes, so
//! a killed sync redoes exactly the phases it had not finished, per project.

use super::{api, normalize};
use crate::db::Db;
use crate::events::{Event, EventSink};
use crate::github::Production;
use crate::http::{Auth, Fetched, HttpConfig};
use crate::session::{Opening, Session, store_err};
use crate::{ConnectorError, Result};
use bosun_core::Sensitive;
use bosun_core::model::{CodeOwnerRule, PullRequestBundle, parse_codeowners};
use bosun_core::time::{DAY, Ts, rfc3339};
use bosun_store::code;
use bosun_store::sync_state::{self, Source};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::task::JoinSet;

/// The `settings` JSON of a GitLab source.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitlabSettings {
    /// The group whose projects are synced, subgroups included (`gitlab-org`, `acme/platform`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Projects by full path (`acme/platform/api`): these only (with or without a group).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<String>,
    /// Sync archived projects too.
    #[serde(default)]
    pub include_archived: bool,
    /// Page size for list endpoints (GitLab's maximum, 100, unless testing pagination).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    /// Which environments are production: exact names (any case)...
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub production_environments: Vec<String>,
    /// ...or a regular expression matched against the whole name. With neither, the
    /// environment's tier decides (`production`), else a name like production.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub production_pattern: Option<String>,
}

/// What one GitLab sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncStats {
    pub projects: u64,
    pub merge_requests_fetched: u64,
    pub merge_requests_unchanged: u64,
    pub requests: u64,
    pub not_modified: u64,
    /// Things skipped with the rest synced (a refused sub-resource, a commit without a date).
    pub warnings: Vec<String>,
}

/// gitlab.com's address; a self-managed instance is the source's `base_url`.
pub const GITLAB_COM: &str = "https://gitlab.com";

/// Merge requests read concurrently per project.
const MR_PARALLELISM: usize = 8;
/// Projects synced concurrently.
const PROJECT_PARALLELISM: usize = 4;

/// The REST base of an instance address: `https://gitlab.example.com` and
/// `https://gitlab.example.com/api/v4` both give the latter.
pub fn api_base(base: &str) -> String {
    let b = base.trim_end_matches('/');
    if b.ends_with("/api/v4") {
        b.to_string()
    } else {
        format!("{b}/api/v4")
    }
}

/// A path segment as GitLab wants a project or group path in a URL (`acme%2Fapi`).
pub fn encode_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.trim_matches('/').bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct Ctx {
    s: Session,
    per_page: u32,
    production: Production,
    fetched: AtomicU64,
    unchanged: AtomicU64,
}

/// A project to sync: its store id, full path, GitLab id and default branch.
#[derive(Debug, Clone)]
struct Project {
    repo_id: i64,
    full: String,
    id: i64,
    branch: String,
}

/// Sync every project of a GitLab source. Projects are independent: one failing does not stop
/// the others; their errors are returned together.
pub async fn sync_source(
    db: &Db,
    source: &Source,
    token: Sensitive<String>,
    cfg: HttpConfig,
    now: Ts,
    sink: Arc<dyn EventSink>,
) -> Result<SyncStats> {
    let settings: GitlabSettings = crate::wire::settings(source)?;
    let production = Production::new(
        &settings.production_environments,
        settings.production_pattern.as_deref(),
    )
    .map_err(|e| ConnectorError::Config(format!("source {}: {e}", source.name)))?;
    if settings.group.as_deref().is_none_or(str::is_empty) && settings.projects.is_empty() {
        return Err(ConnectorError::Config(format!(
            "source {}: name a group or some projects",
            source.name
        )));
    }
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT,
        reqwest::header::HeaderValue::from_static("application/json"),
    );
    let how = Opening {
        api: api_base(&Opening::base_url(source, GITLAB_COM)),
        auth: Auth::Bearer(token),
        headers,
    };
    let ctx = Arc::new(Ctx {
        s: Session::open(db, source, how, cfg, now, sink.clone())?,
        per_page: settings.per_page.unwrap_or(100).clamp(1, 100),
        production,
        fetched: AtomicU64::new(0),
        unchanged: AtomicU64::new(0),
    });
    let listed = list_projects(&ctx, &settings).await?;
    sink.emit(Event::SourceStarted {
        source: source.name.clone(),
        scopes: listed.len(),
    });
    let mut projects = Vec::new();
    for p in &listed {
        let rec = normalize::repo(p);
        let sid = ctx.s.source_id;
        let repo_id = ctx
            .s
            .db
            .write(move |tx| code::upsert_repo(tx, Some(sid), &rec).map_err(store_err))
            .await?;
        projects.push(Project {
            repo_id,
            full: p.path_with_namespace.clone(),
            id: p.id,
            branch: p.default_branch.clone().unwrap_or_else(|| "main".into()),
        });
    }
    let mut set = JoinSet::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(PROJECT_PARALLELISM));
    for p in projects.iter().cloned() {
        let (ctx, permits) = (ctx.clone(), permits.clone());
        set.spawn(async move {
            let _p = permits.acquire_owned().await;
            let full = p.full.clone();
            let res = ctx
                .s
                .job("gitlab-project", &full, sync_project(&ctx, &p))
                .await;
            (full, res)
        });
    }
    let mut errors = Vec::new();
    let mut first_error = None;
    while let Some(joined) = set.join_next().await {
        let (full, res) = joined.map_err(|e| ConnectorError::task_failed("project", e))?;
        if let Err(e) = res {
            errors.push(format!("{full}: {e}"));
            first_error.get_or_insert(e);
        }
    }
    let stats = SyncStats {
        projects: projects.len() as u64,
        merge_requests_fetched: ctx.fetched.load(Ordering::Relaxed),
        merge_requests_unchanged: ctx.unchanged.load(Ordering::Relaxed),
        requests: ctx.s.http.request_count(),
        not_modified: ctx.s.http.not_modified.load(Ordering::Relaxed),
        warnings: ctx.s.take_warnings(),
    };
    match first_error {
        Some(e) if errors.len() == 1 => Err(e),
        Some(_) => Err(ConnectorError::Unavailable {
            url: ctx.s.api.clone(),
            attempts: 1,
            last: errors.join("; "),
        }),
        None => Ok(stats),
    }
}

async fn list_projects(ctx: &Ctx, s: &GitlabSettings) -> Result<Vec<api::Project>> {
    let api = &ctx.s.api;
    if !s.projects.is_empty() {
        let mut out = Vec::new();
        for path in &s.projects {
            let url = format!("{api}/projects/{}", encode_path(path));
            if let Some((p, _)) = ctx.s.http.get_json::<api::Project>(&url, None).await? {
                out.push(p);
            }
        }
        return Ok(out);
    }
    let group = s.group.as_deref().unwrap_or_default();
    let mut url = format!(
        "{api}/groups/{}/projects?include_subgroups=true&with_shared=false&pagination=keyset&order_by=id&sort=asc&per_page={}",
        encode_path(group),
        ctx.per_page
    );
    if !s.include_archived {
        url.push_str("&archived=false");
    }
    let projects = ctx
        .s
        .http
        .get_all::<api::Project>(&url, None, |_| true)
        .await?
        .map(|(p, _)| p)
        .unwrap_or_default();
    Ok(projects
        .into_iter()
        .filter(|p| s.include_archived || !p.archived)
        .collect())
}

async fn sync_project(ctx: &Arc<Ctx>, p: &Project) -> Result<()> {
    codeowners(ctx, p).await?;
    commits(ctx, p).await?;
    merge_requests(ctx, p).await?;
    pipelines(ctx, p).await?;
    deployments(ctx, p).await?;
    releases_and_tags(ctx, p).await?;
    Ok(())
}

impl Ctx {
    fn project_url(&self, p: &Project) -> String {
        format!("{}/projects/{}", self.s.api, p.id)
    }

    /// `fetch`'s result, or an empty one with a warning when GitLab refuses it (403, 404).
    async fn unless_refused<T: Default>(
        &self,
        what: &str,
        fetch: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        match fetch.await {
            Err(ConnectorError::NotFound { url }) => {
                self.s.warn(format!(
                    "{what} not found (HTTP 404, {url}); kept without them"
                ));
                Ok(T::default())
            }
            Err(ConnectorError::Http {
                status: status @ (403 | 404),
                message,
                ..
            }) => {
                self.s.warn(format!(
                    "{what} refused (HTTP {status}: {message}); kept without them"
                ));
                Ok(T::default())
            }
            other => other,
        }
    }

    /// Every page of a list from `url`, each item decoded with its own raw JSON (a decoding
    /// failure names the page and the item).
    async fn items<T: DeserializeOwned>(&self, url: &str) -> Result<Vec<(T, Vec<u8>)>> {
        let mut out = Vec::new();
        let mut next = Some(url.to_string());
        while let Some(u) = next.take() {
            let resp = match self.s.http.get(&u, None).await? {
                Fetched::Ok(r) => r,
                Fetched::NotModified => break,
            };
            let values: Vec<serde_json::Value> = resp.json()?;
            for (i, v) in values.into_iter().enumerate() {
                let raw = crate::wire::raw_json(&v);
                let item = serde_json::from_value(v).map_err(|e| ConnectorError::Malformed {
                    url: resp.url.clone(),
                    detail: format!("item {i}: {e}"),
                })?;
                out.push((item, raw));
            }
            next = resp.next.clone();
        }
        Ok(out)
    }

    /// [`Self::items`], with the raw items as one JSON array.
    async fn list<T: DeserializeOwned>(&self, url: &str) -> Result<(Vec<T>, Vec<u8>)> {
        let items = self.items::<T>(url).await?;
        let raw = crate::wire::join_raw(items.iter().map(|(_, r)| r.as_slice()));
        Ok((items.into_iter().map(|(t, _)| t).collect(), raw))
    }

    /// Save a phase's cursor (the phase is complete).
    async fn finish(&self, scope: String, cursor: Option<Ts>) -> Result<()> {
        let Some(c) = cursor else { return Ok(()) };
        let (sid, now) = (self.s.source_id, self.s.now);
        self.s
            .db
            .write(move |tx| {
                sync_state::set_cursor(tx, sid, &scope, &c.to_string(), now).map_err(store_err)
            })
            .await
    }
}

/// GitLab's CODEOWNERS sections (`[Backend]`, `^[Optional][2] @lead`) are headings: the rules
/// under them are read like any other. A section's default owners are not carried down.
fn codeowners_rules(text: &str) -> Vec<CodeOwnerRule> {
    let plain: String = text
        .lines()
        .filter(|l| {
            let t = l.trim_start().trim_start_matches('^');
            !t.starts_with('[')
        })
        .map(|l| format!("{l}\n"))
        .collect();
    parse_codeowners(&plain)
}

async fn codeowners(ctx: &Ctx, p: &Project) -> Result<()> {
    for path in ["CODEOWNERS", ".gitlab/CODEOWNERS", "docs/CODEOWNERS"] {
        let url = format!(
            "{}/repository/files/{}/raw?ref={}",
            ctx.project_url(p),
            encode_path(path),
            encode_path(&p.branch)
        );
        match ctx.s.http.get(&url, None).await {
            Ok(Fetched::Ok(resp)) => {
                let text = String::from_utf8_lossy(&resp.body).into_owned();
                let rules = codeowners_rules(&text);
                let (repo_id, full) = (p.repo_id, p.full.clone());
                let (sid, now) = (ctx.s.source_id, ctx.s.now);
                return ctx
                    .s
                    .db
                    .write(move |tx| {
                        code::replace_code_owners(tx, repo_id, &rules).map_err(store_err)?;
                        sync_state::save_raw(
                            tx,
                            sid,
                            "gitlab.codeowners",
                            &full,
                            None,
                            &resp.body,
                            now,
                        )
                        .map_err(store_err)
                    })
                    .await;
            }
            Ok(Fetched::NotModified) => return Ok(()),
            Err(ConnectorError::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn commits(ctx: &Ctx, p: &Project) -> Result<()> {
    let scope = format!("{}:commits", p.full);
    let cursor = ctx.s.cursor_ts(&scope).await?;
    let mut url = format!(
        "{}/repository/commits?ref_name={}&per_page={}",
        ctx.project_url(p),
        encode_path(&p.branch),
        ctx.per_page
    );
    // A day before the cursor: commit dates are set by clients and arrive out of order.
    if let Some(c) = cursor {
        url.push_str(&format!("&since={}", encode_path(&rfc3339(c - DAY))));
    }
    let mut recs = Vec::new();
    for (c, raw) in ctx.items::<api::Commit>(&url).await? {
        match normalize::commit(&c) {
            Some(rec) => recs.push((rec, raw)),
            None => ctx
                .s
                .warn(format!("{}: commit {} has no date; skipped", p.full, c.id)),
        }
    }
    let max = recs.iter().map(|(c, _)| c.committed_at).max().max(cursor);
    let total = recs.len() as u64;
    for (n, chunk) in recs.chunks(200).enumerate() {
        let chunk = chunk.to_vec();
        let (repo_id, full) = (p.repo_id, p.full.clone());
        let (sid, now) = (ctx.s.source_id, ctx.s.now);
        ctx.s
            .db
            .write(move |tx| {
                for (c, raw) in &chunk {
                    code::upsert_commit(tx, repo_id, c, true).map_err(store_err)?;
                    sync_state::save_raw(
                        tx,
                        sid,
                        "gitlab.commit",
                        &format!("{full}@{}", c.sha),
                        None,
                        raw,
                        now,
                    )
                    .map_err(store_err)?;
                }
                Ok(())
            })
            .await?;
        ctx.s
            .progress(&p.full, "commits", ((n as u64 + 1) * 200).min(total), total);
    }
    ctx.finish(scope, max).await
}

async fn merge_requests(ctx: &Arc<Ctx>, p: &Project) -> Result<()> {
    let scope = format!("{}:merge_requests", p.full);
    let cursor = ctx.s.cursor_ts(&scope).await?;
    let mut url = format!(
        "{}/merge_requests?state=all&scope=all&order_by=updated_at&sort=asc&per_page={}",
        ctx.project_url(p),
        ctx.per_page
    );
    if let Some(c) = cursor {
        url.push_str(&format!("&updated_after={}", encode_path(&rfc3339(c))));
    }
    let listed = ctx.items::<api::MergeRequest>(&url).await?;
    let max = listed.iter().map(|(m, _)| m.updated_at.0).max().max(cursor);
    let repo_id = p.repo_id;
    let versions = ctx
        .s
        .db
        .read(move |s| code::pull_request_versions(s.conn(), repo_id).map_err(store_err))
        .await?;
    let todo: Vec<(api::MergeRequest, Vec<u8>)> = listed
        .into_iter()
        .filter(|(m, _)| {
            let same = versions.get(&m.iid) == Some(&m.updated_at.0);
            if same {
                ctx.unchanged.fetch_add(1, Ordering::Relaxed);
            }
            !same
        })
        .collect();
    let total = todo.len() as u64;
    let mut done = 0;
    let mut set: JoinSet<Result<()>> = JoinSet::new();
    let mut queue = todo.into_iter();
    loop {
        while set.len() < MR_PARALLELISM {
            let Some((m, raw)) = queue.next() else { break };
            let (ctx, p) = (ctx.clone(), p.clone());
            set.spawn(async move { merge_request(&ctx, &p, m, raw).await });
        }
        let Some(joined) = set.join_next().await else {
            break;
        };
        joined.map_err(|e| ConnectorError::task_failed("merge request", e))??;
        done += 1;
        if done % 10 == 0 || done == total {
            ctx.s.progress(&p.full, "merge requests", done, total);
        }
    }
    ctx.finish(scope, max).await
}

/// One merge request with its approvals, discussions and commits, written in one transaction.
async fn merge_request(ctx: &Ctx, p: &Project, m: api::MergeRequest, raw: Vec<u8>) -> Result<()> {
    let base = format!("{}/merge_requests/{}", ctx.project_url(p), m.iid);
    let pp = ctx.per_page;
    let mr = format!("{}!{}", p.full, m.iid);
    let (what_a, what_d, what_c) = (
        format!("{mr}: approvals"),
        format!("{mr}: discussions"),
        format!("{mr}: commits"),
    );
    let (url_a, url_d, url_c) = (
        format!("{base}/approvals"),
        format!("{base}/discussions?per_page={pp}"),
        format!("{base}/commits?per_page={pp}"),
    );
    let (approvals, discussions, commits) = tokio::try_join!(
        ctx.unless_refused(&what_a, async {
            Ok(ctx
                .s
                .http
                .get_json::<api::Approvals>(&url_a, None)
                .await?
                .map(|(a, r)| (a, r.body)))
        }),
        ctx.unless_refused(&what_d, ctx.list::<api::Discussion>(&url_d)),
        ctx.unless_refused(&what_c, ctx.list::<api::Commit>(&url_c)),
    )?;
    let (approvals, approvals_raw) = approvals.unwrap_or_default();
    let talk = normalize::conversation(&m, &discussions.0, &approvals);
    let bundle = PullRequestBundle {
        pr: normalize::pull(&m),
        // GitLab lists a merge request's commits newest first; a pull request's are oldest
        // first (the metrics follow a rebased chain from its last commit).
        commits: commits
            .0
            .iter()
            .rev()
            .filter_map(normalize::commit)
            .collect(),
        reviews: talk.reviews,
        check_runs: Vec::new(),
        events: talk.events,
        files: Vec::new(),
    };
    let comments = talk.comments;
    let (repo_id, sid, now) = (p.repo_id, ctx.s.source_id, ctx.s.now);
    ctx.s
        .db
        .write(move |tx| {
            code::upsert_pull_request(tx, repo_id, &bundle).map_err(store_err)?;
            for c in &comments {
                code::upsert_pr_comment(tx, repo_id, c).map_err(store_err)?;
            }
            let save = |kind: &str, body: &[u8]| {
                sync_state::save_raw(tx, sid, kind, &mr, None, body, now).map_err(store_err)
            };
            save("gitlab.merge_request", &raw)?;
            save("gitlab.merge_request.approvals", &approvals_raw)?;
            save("gitlab.merge_request.discussions", &discussions.1)?;
            save("gitlab.merge_request.commits", &commits.1)?;
            Ok(())
        })
        .await?;
    ctx.fetched.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

async fn pipelines(ctx: &Ctx, p: &Project) -> Result<()> {
    let scope = format!("{}:pipelines", p.full);
    let cursor = ctx.s.cursor_ts(&scope).await?;
    let mut url = format!(
        "{}/pipelines?order_by=updated_at&sort=asc&per_page={}",
        ctx.project_url(p),
        ctx.per_page
    );
    if let Some(c) = cursor {
        url.push_str(&format!("&updated_after={}", encode_path(&rfc3339(c))));
    }
    let (listed, _) = ctx.list::<api::Pipeline>(&url).await?;
    let max = listed
        .iter()
        .filter_map(|pl| pl.updated_at.or(pl.created_at).map(|t| t.0))
        .max()
        .max(cursor);
    let total = listed.len() as u64;
    for (i, pl) in listed.into_iter().enumerate() {
        let jobs_url = format!(
            "{}/pipelines/{}/jobs?include_retried=true&per_page={}",
            ctx.project_url(p),
            pl.id,
            ctx.per_page
        );
        let (jobs, raw) = ctx
            .unless_refused(
                &format!("{}: pipeline {} jobs", p.full, pl.id),
                ctx.list::<api::Job>(&jobs_url),
            )
            .await?;
        let runs: Vec<_> = jobs
            .iter()
            .map(|j| normalize::check_run(j, &pl.sha))
            .collect();
        let (repo_id, sid, now) = (p.repo_id, ctx.s.source_id, ctx.s.now);
        let key = format!("{}/pipelines/{}", p.full, pl.id);
        ctx.s
            .db
            .write(move |tx| {
                for r in &runs {
                    code::upsert_check_run(tx, repo_id, r).map_err(store_err)?;
                }
                sync_state::save_raw(tx, sid, "gitlab.pipeline.jobs", &key, None, &raw, now)
                    .map_err(store_err)
            })
            .await?;
        if (i + 1) % 10 == 0 || i as u64 + 1 == total {
            ctx.s.progress(&p.full, "pipelines", i as u64 + 1, total);
        }
    }
    ctx.finish(scope, max).await
}

async fn deployments(ctx: &Ctx, p: &Project) -> Result<()> {
    let scope = format!("{}:deployments", p.full);
    let cursor = ctx.s.cursor_ts(&scope).await?;
    // The environments' tiers (a deployment's embedded environment may not carry one).
    let (envs, _) = ctx
        .unless_refused(
            &format!("{}: environments", p.full),
            ctx.list::<api::Environment>(&format!(
                "{}/environments?per_page={}",
                ctx.project_url(p),
                ctx.per_page
            )),
        )
        .await?;
    let tiers: HashMap<String, String> = envs
        .into_iter()
        .filter_map(|e| Some((e.name, e.tier?)))
        .collect();
    let mut url = format!(
        "{}/deployments?order_by=updated_at&sort=asc&per_page={}",
        ctx.project_url(p),
        ctx.per_page
    );
    if let Some(c) = cursor {
        url.push_str(&format!("&updated_after={}", encode_path(&rfc3339(c))));
    }
    let listed = ctx.items::<api::Deployment>(&url).await?;
    let mut max = cursor;
    let total = listed.len() as u64;
    for (i, (mut d, raw)) in listed.into_iter().enumerate() {
        if d.environment.tier.is_none() {
            d.environment.tier = tiers.get(&d.environment.name).cloned();
        }
        let rec = normalize::deployment(&d, &ctx.production);
        max = max.max(rec.updated_at);
        let (repo_id, sid, now) = (p.repo_id, ctx.s.source_id, ctx.s.now);
        let key = format!("{}/deployments/{}", p.full, d.id);
        ctx.s
            .db
            .write(move |tx| {
                code::upsert_deployment(tx, repo_id, &rec).map_err(store_err)?;
                sync_state::save_raw(tx, sid, "gitlab.deployment", &key, None, &raw, now)
                    .map_err(store_err)
            })
            .await?;
        if (i + 1) % 10 == 0 || i as u64 + 1 == total {
            ctx.s.progress(&p.full, "deployments", i as u64 + 1, total);
        }
    }
    ctx.finish(scope, max).await
}

async fn releases_and_tags(ctx: &Ctx, p: &Project) -> Result<()> {
    let pp = ctx.per_page;
    let (releases, rraw) = ctx
        .unless_refused(
            &format!("{}: releases", p.full),
            ctx.list::<api::Release>(&format!("{}/releases?per_page={pp}", ctx.project_url(p))),
        )
        .await?;
    let (tags, traw) = ctx
        .list::<api::Tag>(&format!(
            "{}/repository/tags?per_page={pp}",
            ctx.project_url(p)
        ))
        .await?;
    let releases: Vec<_> = releases.iter().map(normalize::release).collect();
    let tags: Vec<_> = tags.iter().filter_map(normalize::tag).collect();
    let (repo_id, sid, now, full) = (p.repo_id, ctx.s.source_id, ctx.s.now, p.full.clone());
    ctx.s
        .db
        .write(move |tx| {
            for r in &releases {
                code::upsert_release(tx, repo_id, r).map_err(store_err)?;
            }
            code::replace_tags(tx, repo_id, &tags).map_err(store_err)?;
            sync_state::save_raw(tx, sid, "gitlab.releases", &full, None, &rraw, now)
                .map_err(store_err)?;
            sync_state::save_raw(tx, sid, "gitlab.tags", &full, None, &traw, now).map_err(store_err)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_and_paths() {
        assert_eq!(api_base("https://gitlab.com/"), "https://gitlab.com/api/v4");
        assert_eq!(
            api_base("https://git.example.com/api/v4"),
            "https://git.example.com/api/v4"
        );
        assert_eq!(encode_path("acme/platform/api"), "acme%2Fplatform%2Fapi");
        assert_eq!(encode_path(".gitlab/CODEOWNERS"), ".gitlab%2FCODEOWNERS");
        assert_eq!(
            encode_path("2026-01-01T00:00:00Z"),
            "2026-01-01T00%3A00%3A00Z"
        );
    }

    #[test]
    fn codeowners_sections_are_headings() {
        let rules = codeowners_rules(
            "[Backend] @lead\n*.rs @alice\n^[Docs][2]\ndocs/ @bob @acme/writers\n",
        );
        let got: Vec<(&str, Vec<&str>)> = rules
            .iter()
            .map(|r| {
                (
                    r.pattern.as_str(),
                    r.owners.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("*.rs", vec!["alice"]),
                ("docs/", vec!["bob", "acme/writers"])
            ]
        );
    }
}
