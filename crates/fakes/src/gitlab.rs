//! A fake GitLab REST API v4 (the subset Bosun reads) serving the demo world's repositories as
//! the projects of one group, named like the GitHub organisation (`tidewater`): merge requests
//! with their approvals, discussions and commits, repository commits, CI pipelines and jobs
//! (from the check runs), environments and deployments, releases, tags and the CODEOWNERS file.
//!
//! Lists use GitLab's offset pagination (`page`, `per_page` 20 by default and at most 100, the
//! `X-Page`/`X-Next-Page`/`X-Total`/... headers and a `Link` header); the group's projects also
//! answer keyset pagination (`pagination=keyset`, `id_after`). Times are RFC 3339 UTC with
//! milliseconds. The token is read from `PRIVATE-TOKEN` or `Authorization: Bearer`
//! (`http::Style::GitLab`).
//!
//! Ids: projects keep the repository's id, merge requests the pull request's (`iid` its number),
//! jobs the check run's, deployments the deployment's. A merge request's notes keep the id of
//! the review, review comment, conversation comment or timeline event they come from: the demo
//! world draws all of these from one counter, each kind above its own base (`bosun_demo::ids`),
//! so they never collide. Pipelines, deployables, environments and forked-from projects have no
//! counterpart in the world and get the ids [`PIPELINE_ID_OFFSET`], [`DEPLOYABLE_ID_OFFSET`],
//! [`DEPLOY_PIPELINE_ID_OFFSET`], [`environment_id`] and [`upstream_project_id`] give them.

use crate::faults::Faults;
use crate::http::{self, Guard, base_of, encode, json, json_response};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bosun_core::time::{Ts, from_ts, parse_user_time};
use bosun_demo::World;
use bosun_demo::world::{Commit, Deployment, Pull, PullEvent, Repo};
use chrono::SecondsFormat;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Where `web_url`s point (the real site's shape; the demo group does not exist there).
const WEB: &str = "https://gitlab.com";
/// The group's id (the GitHub organisation's, as a GitLab group).
pub const GROUP_ID: i64 = 9001;
/// A pipeline's id: this plus the smallest id of the check runs of its commit.
pub const PIPELINE_ID_OFFSET: i64 = 5_000_000;
/// A deployment's deploy job (`deployable`): this plus the deployment's id.
pub const DEPLOYABLE_ID_OFFSET: i64 = 7_000_000;
/// The pipeline a deployment's deploy job ran in: this plus the deployment's id. These pipelines
/// carry only the deploy job and are not among the project's CI pipelines (the check runs').
pub const DEPLOY_PIPELINE_ID_OFFSET: i64 = 8_000_000;
/// The largest `per_page` GitLab honours.
const MAX_PER_PAGE: usize = 100;
/// `per_page` when not given.
const DEFAULT_PER_PAGE: usize = 20;

/// One CI pipeline: the check runs of one commit.
struct Pipeline {
    id: i64,
    iid: usize,
    sha: String,
    reference: String,
    status: &'static str,
    source: &'static str,
    created_at: Ts,
    updated_at: Ts,
    /// Indices into the repository's check runs, by id.
    runs: Vec<usize>,
}

/// A pull request's review comments and conversation comments (indices into its repository's
/// lists).
type PullComments = (Vec<usize>, Vec<usize>);

struct Index {
    repo_by_id: HashMap<i64, usize>,
    repo_by_name: HashMap<String, usize>,
    commit_by_sha: Vec<HashMap<String, usize>>,
    pull_by_iid: Vec<HashMap<i64, usize>>,
    /// Per repository and pull request number: its review comments and conversation comments
    /// (indices into the repository's lists).
    comments: Vec<HashMap<i64, PullComments>>,
    /// Per repository: its pipelines, in order of their first check run.
    pipelines: Vec<Vec<Pipeline>>,
}

#[derive(Clone)]
struct Gl {
    world: Arc<World>,
    idx: Arc<Index>,
}

/// What a list endpoint reads of its request: the query (its filters and page), the path and
/// the headers (the `Link` URLs are built on the address the client used).
struct Listing {
    q: HashMap<String, String>,
    uri: Uri,
    h: HeaderMap,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Listing {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let q = Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
            .map(|Query(q)| q)
            .unwrap_or_default();
        Ok(Listing {
            q,
            uri: parts.uri.clone(),
            h: parts.headers.clone(),
        })
    }
}

/// The fake GitLab's routes for `world`, accepting `token`.
pub fn router(world: Arc<World>, faults: Arc<Faults>, token: String) -> Router {
    let idx = Index {
        repo_by_id: world
            .repos
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id, i))
            .collect(),
        repo_by_name: world
            .repos
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), i))
            .collect(),
        commit_by_sha: world
            .repos
            .iter()
            .map(|r| {
                r.commits
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.sha.clone(), i))
                    .collect()
            })
            .collect(),
        pull_by_iid: world
            .repos
            .iter()
            .map(|r| {
                r.pulls
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.number, i))
                    .collect()
            })
            .collect(),
        comments: world.repos.iter().map(comments_by_pull).collect(),
        pipelines: world.repos.iter().map(pipelines_of).collect(),
    };
    let gl = Gl {
        world,
        idx: Arc::new(idx),
    };
    let guard = Guard {
        faults: faults.clone(),
        token,
        style: http::Style::GitLab,
    };
    const MR: &str = "/api/v4/projects/{id}/merge_requests/{iid}";
    Router::new()
        .route("/api/v4/user", get(user_me))
        .route("/api/v4/groups/{id}", get(group_get))
        .route("/api/v4/groups/{id}/projects", get(group_projects))
        .route("/api/v4/projects/{id}", get(project_get))
        .route("/api/v4/projects/{id}/merge_requests", get(mr_list))
        .route(MR, get(mr_get))
        .route(&format!("{MR}/approvals"), get(mr_approvals))
        .route(&format!("{MR}/discussions"), get(mr_discussions))
        .route(&format!("{MR}/commits"), get(mr_commits))
        .route(
            "/api/v4/projects/{id}/repository/commits",
            get(commits_list),
        )
        .route("/api/v4/projects/{id}/repository/tags", get(tags))
        .route(
            "/api/v4/projects/{id}/repository/files/{file_path}/raw",
            get(file_raw),
        )
        .route("/api/v4/projects/{id}/pipelines", get(pipelines))
        .route(
            "/api/v4/projects/{id}/pipelines/{pipeline_id}/jobs",
            get(pipeline_jobs),
        )
        .route("/api/v4/projects/{id}/environments", get(environments))
        .route("/api/v4/projects/{id}/deployments", get(deployments))
        .route("/api/v4/projects/{id}/releases", get(releases))
        .with_state(gl)
        .route_layer(axum::middleware::from_fn_with_state(guard, http::guard))
        .merge(crate::github::admin_router(faults))
}

fn comments_by_pull(r: &Repo) -> HashMap<i64, PullComments> {
    let mut m: HashMap<i64, PullComments> = HashMap::new();
    for (i, c) in r.review_comments.iter().enumerate() {
        m.entry(c.pull_number).or_default().0.push(i);
    }
    for (i, c) in r.issue_comments.iter().enumerate() {
        m.entry(c.number).or_default().1.push(i);
    }
    m
}

/// One pipeline per commit with check runs, in order of the commit's first check run.
fn pipelines_of(r: &Repo) -> Vec<Pipeline> {
    let mut order: Vec<&str> = Vec::new();
    let mut runs: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in r.check_runs.iter().enumerate() {
        let list = runs.entry(c.head_sha.as_str()).or_default();
        if list.is_empty() {
            order.push(c.head_sha.as_str());
        }
        list.push(i);
    }
    order
        .into_iter()
        .enumerate()
        .map(|(k, sha)| {
            let mut list = runs.remove(sha).unwrap_or_default();
            list.sort_by_key(|&i| r.check_runs[i].id);
            let checks = || list.iter().map(|&i| &r.check_runs[i]);
            let pull = checks()
                .find_map(|c| c.pull_number)
                .and_then(|n| r.pulls.iter().find(|p| p.number == n));
            let conclusion = |names: &[&str]| {
                checks().any(|c| c.conclusion.as_deref().is_some_and(|x| names.contains(&x)))
            };
            let status = if checks().any(|c| c.status != "completed") {
                "running"
            } else if conclusion(&["failure", "timed_out"]) {
                "failed"
            } else if conclusion(&["cancelled"]) {
                "canceled"
            } else {
                "success"
            };
            Pipeline {
                id: checks().map(|c| c.id).min().unwrap_or_default() + PIPELINE_ID_OFFSET,
                iid: k + 1,
                sha: sha.to_string(),
                reference: pull.map_or_else(|| r.default_branch.clone(), |p| p.head_ref.clone()),
                status,
                source: if pull.is_some() {
                    "merge_request_event"
                } else {
                    "push"
                },
                created_at: checks().map(|c| c.started_at).min().unwrap_or_default(),
                updated_at: checks()
                    .map(|c| c.completed_at.unwrap_or(c.started_at))
                    .max()
                    .unwrap_or_default(),
                runs: list,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Plumbing: answers, times, pagination
// ---------------------------------------------------------------------------------------------

/// Why GitLab refuses a request.
#[derive(Debug)]
enum Refused {
    /// 404 `{"message": "404 <what> Not Found"}`.
    NotFound(&'static str),
    /// 400 `{"error": "<parameter> is invalid"}`.
    Invalid(String),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::NotFound(what) => json_response(
                StatusCode::NOT_FOUND,
                &json!({"message": format!("404 {what} Not Found")}),
            ),
            Refused::Invalid(key) => json_response(
                StatusCode::BAD_REQUEST,
                &json!({"error": format!("{key} is invalid")}),
            ),
        }
    }
}

/// A handler's answer: a response, or GitLab's refusal.
type Answer = Result<Response, Refused>;

/// RFC 3339 UTC with milliseconds, as GitLab writes times (`2026-11-20T09:00:00.000Z`).
fn ts(t: Ts) -> String {
    from_ts(t).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A time filter (`updated_after`, ...) in milliseconds: RFC 3339 or a date (midnight UTC);
/// GitLab's 400 when malformed.
fn time_param(q: &HashMap<String, String>, key: &str) -> Result<Option<i64>, Refused> {
    let Some(v) = q.get(key) else {
        return Ok(None);
    };
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(Some(t.timestamp_millis()));
    }
    match parse_user_time(v) {
        Some(t) => Ok(Some(t.timestamp_millis())),
        None => Err(Refused::Invalid(key.to_string())),
    }
}

/// Whether `t` lies within the `{prefix}_after` / `{prefix}_before` bounds (inclusive after,
/// exclusive before, in milliseconds).
fn within(t: Ts, (after, before): (Option<i64>, Option<i64>)) -> bool {
    let ms = t.saturating_mul(1000);
    after.is_none_or(|a| ms >= a) && before.is_none_or(|b| ms < b)
}

/// The `{prefix}_after` and `{prefix}_before` filters of a listing.
fn bounds(
    q: &HashMap<String, String>,
    prefix: &str,
) -> Result<(Option<i64>, Option<i64>), Refused> {
    Ok((
        time_param(q, &format!("{prefix}_after"))?,
        time_param(q, &format!("{prefix}_before"))?,
    ))
}

/// `sort=asc|desc` (`default` when absent or unknown).
fn descending(q: &HashMap<String, String>, default_desc: bool) -> bool {
    match q.get("sort").map(String::as_str) {
        Some("asc") => false,
        Some("desc") => true,
        _ => default_desc,
    }
}

fn per_page(q: &HashMap<String, String>) -> usize {
    q.get("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(DEFAULT_PER_PAGE)
        .min(MAX_PER_PAGE)
}

/// The URL of this listing (`base` + the path as asked, encoded ids kept) with the query `q`
/// less `drop`, plus `extra` (after the rest, in order).
fn url_with(
    base: &str,
    path: &str,
    q: &HashMap<String, String>,
    drop: &[&str],
    extra: &[(&str, String)],
) -> String {
    let mut pairs: Vec<(String, String)> = q
        .iter()
        .filter(|(k, _)| !drop.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    pairs.sort();
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let qs = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!("{base}{path}?{qs}")
}

fn set_header(r: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

/// One page of `items` in GitLab's offset pagination: only the page asked for is rendered, with
/// `X-Page`, `X-Per-Page`, `X-Next-Page` and `X-Prev-Page` (empty when there is none), `X-Total`,
/// `X-Total-Pages`, and a `Link` header (`prev`, `next`, `first`, `last`) on this server.
fn offset_page<T>(req: &Listing, items: &[T], render: impl Fn(&T) -> Value) -> Answer {
    let Listing { q, uri, h } = req;
    let page = q
        .get("page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let per_page = per_page(q);
    let total = items.len();
    let last = total.div_ceil(per_page).max(1);
    let slice: Vec<Value> = items
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(render)
        .collect();
    let mut r = json(&Value::Array(slice));
    let next = (page < last).then_some(page + 1);
    let prev = (page > 1).then(|| (page - 1).min(last));
    let show = |p: Option<usize>| p.map(|p| p.to_string()).unwrap_or_default();
    set_header(&mut r, "x-page", &page.to_string());
    set_header(&mut r, "x-per-page", &per_page.to_string());
    set_header(&mut r, "x-next-page", &show(next));
    set_header(&mut r, "x-prev-page", &show(prev));
    set_header(&mut r, "x-total", &total.to_string());
    set_header(&mut r, "x-total-pages", &last.to_string());
    let base = base_of(h);
    let link = |p: usize, rel: &str| {
        let url = url_with(
            &base,
            uri.path(),
            q,
            &["page", "per_page"],
            &[("page", p.to_string()), ("per_page", per_page.to_string())],
        );
        format!("<{url}>; rel=\"{rel}\"")
    };
    let links: Vec<String> = [
        prev.map(|p| link(p, "prev")),
        next.map(|p| link(p, "next")),
        Some(link(1, "first")),
        Some(link(last, "last")),
    ]
    .into_iter()
    .flatten()
    .collect();
    set_header(&mut r, "link", &links.join(", "));
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

fn user_json(w: &World, u: usize) -> Value {
    let u = &w.users[u];
    json!({
        "id": u.id,
        "username": u.login,
        "name": u.name,
        "state": "active",
        "locked": false,
        "avatar_url": null,
        "web_url": format!("{WEB}/{}", u.login)
    })
}

fn group_path(w: &World) -> &str {
    &w.org.company.github_org
}

fn namespace_json(w: &World) -> Value {
    let g = group_path(w);
    json!({"id": GROUP_ID, "name": w.org.company.name, "path": g, "kind": "group", "full_path": g})
}

/// The id of the project a fork was forked from (outside the group): a stable hash of its path.
pub fn upstream_project_id(path_with_namespace: &str) -> i64 {
    let h = Sha256::digest(path_with_namespace.as_bytes());
    let n = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
    1_000_000_000 + i64::from(n % 100_000_000)
}

fn web(w: &World, r: &Repo) -> String {
    format!("{WEB}/{}/{}", group_path(w), r.name)
}

fn project_json(w: &World, r: &Repo) -> Value {
    let g = group_path(w);
    let last_activity = r
        .commits
        .iter()
        .map(|c| c.committer.at)
        .chain(r.pulls.iter().map(|p| p.updated_at))
        .chain(std::iter::once(r.created_at))
        .max()
        .unwrap_or(r.created_at);
    json!({
        "id": r.id,
        "name": r.name,
        "name_with_namespace": format!("{} / {}", w.org.company.name, r.name),
        "path": r.name,
        "path_with_namespace": format!("{g}/{}", r.name),
        "namespace": namespace_json(w),
        "default_branch": r.default_branch,
        "description": r.description,
        "visibility": "private",
        "web_url": web(w, r),
        "archived": r.archived,
        "created_at": ts(r.created_at),
        "last_activity_at": ts(last_activity),
        "empty_repo": r.is_empty(),
        "forked_from_project": r.fork_of.as_ref().map(|f| json!({
            "id": upstream_project_id(f),
            "name": f.rsplit('/').next().unwrap_or(f),
            "path_with_namespace": f,
            "web_url": format!("{WEB}/{f}")
        }))
    })
}

fn commit_json(w: &World, r: &Repo, c: &Commit) -> Value {
    json!({
        "id": c.sha,
        "short_id": &c.sha[..c.sha.len().min(8)],
        "title": c.message.lines().next().unwrap_or(""),
        "message": c.message,
        "author_name": c.author.name,
        "author_email": c.author.email,
        "authored_date": ts(c.author.at),
        "committer_name": c.committer.name,
        "committer_email": c.committer.email,
        "committed_date": ts(c.committer.at),
        "created_at": ts(c.committer.at),
        "parent_ids": c.parents,
        "web_url": format!("{}/-/commit/{}", web(w, r), c.sha)
    })
}

fn mr_state(p: &Pull) -> &'static str {
    if p.merged_at.is_some() {
        "merged"
    } else if p.closed_at.is_some() {
        "closed"
    } else {
        "opened"
    }
}

/// The merge request's reviewers: those asked, then those who reviewed, each once.
fn reviewers(p: &Pull) -> Vec<usize> {
    let mut seen = HashSet::new();
    p.requested_reviewers
        .iter()
        .copied()
        .chain(p.reviews.iter().map(|rv| rv.reviewer))
        .filter(|u| seen.insert(*u))
        .collect()
}

impl Gl {
    /// The project `id` names: its numeric id or its full path (`tidewater/NAME`).
    fn project(&self, id: &str) -> Result<(usize, &Repo), Refused> {
        let i = match id.parse::<i64>() {
            Ok(n) => self.idx.repo_by_id.get(&n),
            Err(_) => id
                .strip_prefix(group_path(&self.world))
                .and_then(|s| s.strip_prefix('/'))
                .and_then(|name| self.idx.repo_by_name.get(name)),
        };
        let &i = i.ok_or(Refused::NotFound("Project"))?;
        Ok((i, &self.world.repos[i]))
    }

    fn pull(&self, ri: usize, iid: &str) -> Option<&Pull> {
        let n: i64 = iid.parse().ok()?;
        let pi = *self.idx.pull_by_iid[ri].get(&n)?;
        Some(&self.world.repos[ri].pulls[pi])
    }

    /// Notes written by people on the merge request (not system notes).
    fn user_notes_count(&self, ri: usize, p: &Pull) -> usize {
        let commented = p
            .reviews
            .iter()
            .filter(|rv| rv.state == "COMMENTED" && !rv.body.is_empty())
            .count();
        let (review, issue) = self.idx.comments[ri]
            .get(&p.number)
            .map_or((0, 0), |(a, b)| (a.len(), b.len()));
        commented + review + issue
    }

    fn mr_json(&self, ri: usize, p: &Pull) -> Value {
        let w = &self.world;
        let r = &w.repos[ri];
        let g = group_path(w);
        let state = mr_state(p);
        let merger = p.merged_by.map(|u| user_json(w, u));
        json!({
            "id": p.id,
            "iid": p.number,
            "project_id": r.id,
            "title": p.title,
            "description": p.body,
            "state": state,
            "created_at": ts(p.created_at),
            "updated_at": ts(p.updated_at),
            "merged_at": p.merged_at.map(ts),
            "closed_at": p.closed_at.filter(|_| state == "closed").map(ts),
            "author": user_json(w, p.author),
            "merge_user": merger,
            "merged_by": merger,
            "closed_by": (state == "closed").then(|| user_json(w, p.author)),
            "reviewers": reviewers(p).into_iter().map(|u| user_json(w, u)).collect::<Vec<_>>(),
            "assignee": user_json(w, p.author),
            "assignees": [user_json(w, p.author)],
            "source_branch": p.head_ref,
            "target_branch": p.base_ref,
            "source_project_id": r.id,
            "target_project_id": r.id,
            "draft": p.draft,
            "work_in_progress": p.draft,
            "sha": p.head_sha(r),
            "merge_commit_sha": p.merge_commit_sha,
            "squash_commit_sha": null,
            "labels": p.labels,
            "web_url": format!("{}/-/merge_requests/{}", web(w, r), p.number),
            "user_notes_count": self.user_notes_count(ri, p),
            "references": {
                "short": format!("!{}", p.number),
                "relative": format!("!{}", p.number),
                "full": format!("{g}/{}!{}", r.name, p.number)
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Discussions
// ---------------------------------------------------------------------------------------------

/// One note of a merge request's discussion, before rendering.
struct Note {
    id: i64,
    /// `None` (a plain or system note), `DiffNote` or `DiscussionNote`.
    kind: Option<&'static str>,
    body: String,
    author: usize,
    at: Ts,
    system: bool,
    /// A diff note's (path, line, head sha).
    position: Option<(String, i64, String)>,
}

impl Note {
    fn system(id: i64, body: String, author: usize, at: Ts) -> Note {
        Note {
            id,
            kind: None,
            body,
            author,
            at,
            system: true,
            position: None,
        }
    }

    fn json(&self, w: &World, p: &Pull) -> Value {
        let mut v = json!({
            "id": self.id,
            "type": self.kind,
            "body": self.body,
            "author": user_json(w, self.author),
            "created_at": ts(self.at),
            "updated_at": ts(self.at),
            "system": self.system,
            "noteable_id": p.id,
            "noteable_type": "MergeRequest",
            "noteable_iid": p.number,
            "resolvable": self.kind.is_some(),
            "resolved": false
        });
        if let (Some((path, line, sha)), Some(o)) = (&self.position, v.as_object_mut()) {
            o.insert(
                "position".into(),
                json!({
                    "base_sha": null,
                    "start_sha": null,
                    "head_sha": sha,
                    "position_type": "text",
                    "new_path": path,
                    "old_path": path,
                    "new_line": line,
                    "old_line": null
                }),
            );
        }
        v
    }
}

/// The system note GitLab writes for a pull request's timeline event, if it writes one.
fn event_note(w: &World, p: &Pull, e: &PullEvent) -> Option<String> {
    let login = || e.subject.map(|u| w.users[u].login.as_str());
    Some(match e.event.as_str() {
        "review_requested" => format!("requested review from @{}", login()?),
        "review_request_removed" => format!("removed review request for @{}", login()?),
        "assigned" => format!("assigned to @{}", login()?),
        "unassigned" => format!("unassigned @{}", login()?),
        "labeled" => format!("added ~\"{}\" label", e.label.as_deref()?),
        "unlabeled" => format!("removed ~\"{}\" label", e.label.as_deref()?),
        "ready_for_review" => "marked this merge request as **ready**".into(),
        "convert_to_draft" => "marked this merge request as **draft**".into(),
        "merged" => "merged".into(),
        // GitHub closes a pull request as it merges it; GitLab notes only the merge.
        "closed" if p.merged_at.is_none() => "closed".into(),
        "reopened" => "reopened".into(),
        _ => return None,
    })
}

/// A discussion's id: 40 hex digits derived from the project, the merge request and its first
/// note.
fn discussion_id(project: i64, iid: i64, first_note: i64) -> String {
    let d = Sha256::digest(format!("{project}/{iid}/{first_note}").as_bytes());
    d.iter().take(20).map(|b| format!("{b:02x}")).collect()
}

/// A merge request's discussions, each `(individual_note, notes)`, ordered by their first
/// note's time (then id); a thread's notes by time, then id.
fn discussions(
    w: &World,
    r: &Repo,
    comments: Option<&PullComments>,
    p: &Pull,
) -> Vec<(bool, Vec<Note>)> {
    let mut out: Vec<(bool, Vec<Note>)> = Vec::new();
    for rv in &p.reviews {
        let body = match rv.state.as_str() {
            "APPROVED" => "approved this merge request",
            "CHANGES_REQUESTED" => "requested changes",
            "DISMISSED" => "unapproved this merge request",
            "COMMENTED" if !rv.body.is_empty() => {
                out.push((
                    false,
                    vec![Note {
                        id: rv.id,
                        kind: Some("DiscussionNote"),
                        body: rv.body.clone(),
                        author: rv.reviewer,
                        at: rv.submitted_at,
                        system: false,
                        position: None,
                    }],
                ));
                continue;
            }
            _ => continue,
        };
        out.push((
            true,
            vec![Note::system(
                rv.id,
                body.into(),
                rv.reviewer,
                rv.submitted_at,
            )],
        ));
    }
    let (review, issue) = comments.map_or((&[][..], &[][..]), |(a, b)| (&a[..], &b[..]));
    // Review comment threads: a reply joins the thread of the comment its chain starts from.
    let parent: HashMap<i64, Option<i64>> = review
        .iter()
        .map(|&i| (r.review_comments[i].id, r.review_comments[i].in_reply_to))
        .collect();
    let root_of = |mut id: i64| {
        let mut seen = HashSet::new();
        while let Some(Some(up)) = parent.get(&id) {
            if !seen.insert(id) {
                break;
            }
            id = *up;
        }
        id
    };
    let mut threads: Vec<(i64, Vec<Note>)> = Vec::new();
    for &i in review {
        let c = &r.review_comments[i];
        let root = root_of(c.id);
        let note = Note {
            id: c.id,
            kind: Some("DiffNote"),
            body: c.body.clone(),
            author: c.author,
            at: c.created_at,
            system: false,
            position: Some((c.path.clone(), c.line, c.commit_sha.clone())),
        };
        match threads.iter_mut().find(|(r, _)| *r == root) {
            Some((_, notes)) => notes.push(note),
            None => threads.push((root, vec![note])),
        }
    }
    for (_, mut notes) in threads {
        notes.sort_by_key(|n| (n.at, n.id));
        out.push((false, notes));
    }
    for &i in issue {
        let c = &r.issue_comments[i];
        out.push((
            true,
            vec![Note {
                id: c.id,
                kind: None,
                body: c.body.clone(),
                author: c.author,
                at: c.created_at,
                system: false,
                position: None,
            }],
        ));
    }
    for e in &p.events {
        if let Some(body) = event_note(w, p, e) {
            out.push((true, vec![Note::system(e.id, body, e.actor, e.at)]));
        }
    }
    out.sort_by_key(|(_, notes)| notes.first().map(|n| (n.at, n.id)));
    out
}

// ---------------------------------------------------------------------------------------------
// Handlers: user, group, projects
// ---------------------------------------------------------------------------------------------

/// `GET /user`: the token's user (the company's manager, by their current login).
async fn user_me(State(gl): State<Gl>) -> Answer {
    let w = &gl.world;
    let me = w
        .org
        .person(&w.org.company.me)
        .map(|p| p.github.clone())
        .unwrap_or_default();
    match w.user_by_login(&me) {
        Some(u) => Ok(json(&user_json(w, u))),
        None => Err(Refused::NotFound("User")),
    }
}

impl Gl {
    fn group_known(&self, id: &str) -> bool {
        id == group_path(&self.world) || id == GROUP_ID.to_string()
    }
}

async fn group_get(State(gl): State<Gl>, Path(id): Path<String>) -> Answer {
    if !gl.group_known(&id) {
        return Err(Refused::NotFound("Group"));
    }
    let w = &gl.world;
    let g = group_path(w);
    Ok(json(&json!({
        "id": GROUP_ID,
        "name": w.org.company.name,
        "path": g,
        "full_path": g,
        "description": "",
        "visibility": "private",
        "parent_id": null,
        "web_url": format!("{WEB}/groups/{g}")
    })))
}

/// `GET /groups/{id}/projects`: every repository (`archived` filters). With
/// `pagination=keyset` (ordered by id; `id_after`/`id_before`), the next page is only named by
/// a `Link` header; otherwise offset pagination, ordered by `order_by` (`created_at` by default,
/// `id`, `name`, `path`, `last_activity_at`, `updated_at`), newest first unless `sort=asc`.
async fn group_projects(State(gl): State<Gl>, Path(id): Path<String>, req: Listing) -> Answer {
    let q = &req.q;
    let uri = &req.uri;
    let h = &req.h;
    if !gl.group_known(&id) {
        return Err(Refused::NotFound("Group"));
    }
    let w = &gl.world;
    let archived = q.get("archived").map(|a| a == "true");
    let mut list: Vec<&Repo> = w
        .repos
        .iter()
        .filter(|r| archived.is_none_or(|a| r.archived == a))
        .collect();
    if q.get("pagination").is_some_and(|p| p == "keyset") {
        let desc = descending(q, false);
        list.sort_by_key(|r| r.id);
        if desc {
            list.reverse();
        }
        let after = q.get("id_after").and_then(|v| v.parse::<i64>().ok());
        let before = q.get("id_before").and_then(|v| v.parse::<i64>().ok());
        list.retain(|r| after.is_none_or(|a| r.id > a) && before.is_none_or(|b| r.id < b));
        let per_page = per_page(q);
        let more = list.len() > per_page;
        list.truncate(per_page);
        let mut resp = json(&Value::Array(
            list.iter().map(|r| project_json(w, r)).collect(),
        ));
        if let (true, Some(last)) = (more, list.last()) {
            let key = if desc { "id_before" } else { "id_after" };
            let url = url_with(
                &base_of(h),
                uri.path(),
                q,
                &["id_after", "id_before"],
                &[(key, last.id.to_string())],
            );
            set_header(&mut resp, "link", &format!("<{url}>; rel=\"next\""));
        }
        return Ok(resp);
    }
    let last_activity = |r: &Repo| {
        r.commits
            .iter()
            .map(|c| c.committer.at)
            .chain(r.pulls.iter().map(|p| p.updated_at))
            .max()
            .unwrap_or(r.created_at)
    };
    match q.get("order_by").map(String::as_str) {
        Some("id") => list.sort_by_key(|r| r.id),
        Some("name" | "path") => list.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id))),
        Some("last_activity_at" | "updated_at") => list.sort_by_key(|r| (last_activity(r), r.id)),
        _ => list.sort_by_key(|r| (r.created_at, r.id)),
    }
    if descending(q, true) {
        list.reverse();
    }
    offset_page(&req, &list, |r| project_json(w, r))
}

async fn project_get(State(gl): State<Gl>, Path(id): Path<String>) -> Answer {
    let (_, r) = gl.project(&id)?;
    Ok(json(&project_json(&gl.world, r)))
}

// ---------------------------------------------------------------------------------------------
// Handlers: merge requests
// ---------------------------------------------------------------------------------------------

/// `GET /projects/{id}/merge_requests`: filtered by `state` (`all` by default, `opened`,
/// `closed`, `merged`), `updated_after`/`updated_before`, `created_after`/`created_before`,
/// `source_branch`, `target_branch`; ordered by `order_by` (`created_at` by default, or
/// `updated_at`) then iid, newest first unless `sort=asc`.
async fn mr_list(State(gl): State<Gl>, Path(id): Path<String>, req: Listing) -> Answer {
    let q = &req.q;
    let (ri, r) = gl.project(&id)?;
    let (updated, created) = (bounds(q, "updated")?, bounds(q, "created")?);
    let state = q.get("state").map_or("all", String::as_str);
    let by_updated = q.get("order_by").is_some_and(|o| o == "updated_at");
    let mut list: Vec<&Pull> = r
        .pulls
        .iter()
        .filter(|p| state == "all" || mr_state(p) == state)
        .filter(|p| within(p.updated_at, updated) && within(p.created_at, created))
        .filter(|p| q.get("source_branch").is_none_or(|b| &p.head_ref == b))
        .filter(|p| q.get("target_branch").is_none_or(|b| &p.base_ref == b))
        .collect();
    list.sort_by_key(|p| {
        (
            if by_updated {
                p.updated_at
            } else {
                p.created_at
            },
            p.number,
        )
    });
    if descending(q, true) {
        list.reverse();
    }
    offset_page(&req, &list, |p| gl.mr_json(ri, p))
}

type MrPath = Path<(String, String)>;

impl Gl {
    /// The project and merge request a path names, or GitLab's 404.
    fn mr(&self, (id, iid): &(String, String)) -> Result<(usize, &Repo, &Pull), Refused> {
        let (ri, r) = self.project(id)?;
        let p = self
            .pull(ri, iid)
            .ok_or(Refused::NotFound("Merge Request"))?;
        Ok((ri, r, p))
    }
}

/// `GET /projects/{id}/merge_requests/{iid}`: the merge request, with its `changes_count` (a
/// string, as GitLab sends it).
async fn mr_get(State(gl): State<Gl>, Path(at): MrPath) -> Answer {
    let (ri, _, p) = gl.mr(&at)?;
    let mut v = gl.mr_json(ri, p);
    if let Some(o) = v.as_object_mut() {
        o.insert("changes_count".into(), json!(p.changed_files.to_string()));
    }
    Ok(json(&v))
}

/// `GET .../approvals`: approved by the reviewers whose last review approves, in the order they
/// first approved; one approval is required.
async fn mr_approvals(State(gl): State<Gl>, Path(at): MrPath) -> Answer {
    let (_, r, p) = gl.mr(&at)?;
    let w = &gl.world;
    let by = approvers(p);
    let approved = !by.is_empty();
    Ok(json(&json!({
        "id": p.id,
        "iid": p.number,
        "project_id": r.id,
        "title": p.title,
        "state": mr_state(p),
        "approved": approved,
        "approvals_required": 1,
        "approvals_left": if approved { 0 } else { 1 },
        "approved_by": by.into_iter().map(|u| json!({"user": user_json(w, u)})).collect::<Vec<_>>()
    })))
}

/// The reviewers whose last review is an approval, in the order of their first approval.
fn approvers(p: &Pull) -> Vec<usize> {
    let mut last: HashMap<usize, &str> = HashMap::new();
    for rv in &p.reviews {
        last.insert(rv.reviewer, rv.state.as_str());
    }
    let mut seen = HashSet::new();
    p.reviews
        .iter()
        .filter(|rv| rv.state == "APPROVED" && last.get(&rv.reviewer) == Some(&"APPROVED"))
        .map(|rv| rv.reviewer)
        .filter(|u| seen.insert(*u))
        .collect()
}

/// `GET .../discussions`: the merge request's discussions ([`discussions`]), paginated.
async fn mr_discussions(State(gl): State<Gl>, Path(at): MrPath, req: Listing) -> Answer {
    let (ri, r, p) = gl.mr(&at)?;
    let w = &gl.world;
    let list = discussions(w, r, gl.idx.comments[ri].get(&p.number), p);
    offset_page(&req, &list, |(individual, notes)| {
        json!({
            "id": discussion_id(r.id, p.number, notes.first().map_or(0, |n| n.id)),
            "individual_note": individual,
            "notes": notes.iter().map(|n| n.json(w, p)).collect::<Vec<_>>()
        })
    })
}

/// `GET .../commits`: the merge request's commits, newest first.
async fn mr_commits(State(gl): State<Gl>, Path(at): MrPath, req: Listing) -> Answer {
    let (_, r, p) = gl.mr(&at)?;
    let list: Vec<usize> = p.commits.iter().rev().copied().collect();
    offset_page(&req, &list, |&i| commit_json(&gl.world, r, &r.commits[i]))
}

// ---------------------------------------------------------------------------------------------
// Handlers: repository
// ---------------------------------------------------------------------------------------------

/// `GET /projects/{id}/repository/commits`: as the fake GitHub lists them — the default branch
/// (`ref_name` absent or the default branch) is its first-parent chain, any other known ref (a
/// commit, a merge request's source branch) its ancestors; committed at or after `since`, at or
/// before `until`; newest first. An unknown ref, like an empty repository, has no commits.
async fn commits_list(State(gl): State<Gl>, Path(id): Path<String>, req: Listing) -> Answer {
    let q = &req.q;
    let (ri, r) = gl.project(&id)?;
    let since = time_param(q, "since")?;
    let until = time_param(q, "until")?;
    let by_sha = &gl.idx.commit_by_sha[ri];
    let reference = q.get("ref_name").unwrap_or(&r.default_branch);
    let mut list: Vec<usize> = if *reference == r.default_branch {
        r.main.clone()
    } else {
        let head = by_sha.get(reference).copied().or_else(|| {
            r.pulls
                .iter()
                .rev()
                .find(|p| &p.head_ref == reference)
                .and_then(|p| p.commits.last().copied())
        });
        ancestors(r, by_sha, head)
    };
    list.retain(|&i| {
        let t = r.commits[i].committer.at.saturating_mul(1000);
        since.is_none_or(|s| t >= s) && until.is_none_or(|u| t <= u)
    });
    list.reverse();
    offset_page(&req, &list, |&i| commit_json(&gl.world, r, &r.commits[i]))
}

/// The commits reachable from `head`, oldest first.
fn ancestors(r: &Repo, by_sha: &HashMap<String, usize>, head: Option<usize>) -> Vec<usize> {
    let mut seen = HashSet::new();
    let mut stack: Vec<usize> = head.into_iter().collect();
    while let Some(i) = stack.pop() {
        if seen.insert(i) {
            stack.extend(
                r.commits[i]
                    .parents
                    .iter()
                    .filter_map(|p| by_sha.get(p).copied()),
            );
        }
    }
    let mut out: Vec<usize> = seen.into_iter().collect();
    out.sort_by_key(|&i| (r.commits[i].committer.at, i));
    out
}

/// `GET /projects/{id}/repository/tags`: newest first.
async fn tags(State(gl): State<Gl>, Path(id): Path<String>, req: Listing) -> Answer {
    let (ri, r) = gl.project(&id)?;
    let w = &gl.world;
    let list: Vec<_> = r.tags.iter().rev().collect();
    offset_page(&req, &list, |t| {
        let commit = gl.idx.commit_by_sha[ri].get(&t.sha).map_or_else(
            || json!({"id": t.sha}),
            |&i| commit_json(w, r, &r.commits[i]),
        );
        json!({
            "name": t.name,
            "message": null,
            "target": t.sha,
            "commit": commit,
            "release": null,
            "protected": false
        })
    })
}

/// `GET /projects/{id}/repository/files/{file_path}/raw`: the CODEOWNERS file at the root, as
/// text; GitLab's 404 for any other file, an empty one, or an empty repository.
async fn file_raw(State(gl): State<Gl>, Path((id, file_path)): Path<(String, String)>) -> Answer {
    let (_, r) = gl.project(&id)?;
    if file_path != "CODEOWNERS" || r.codeowners.is_empty() || r.is_empty() {
        return Err(Refused::NotFound("File"));
    }
    let mut resp = r.codeowners.clone().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    set_header(&mut resp, "x-gitlab-file-path", &file_path);
    set_header(&mut resp, "x-gitlab-ref", &r.default_branch);
    Ok(resp)
}

// ---------------------------------------------------------------------------------------------
// Handlers: CI
// ---------------------------------------------------------------------------------------------

/// `GET /projects/{id}/pipelines`: filtered by `updated_after`/`updated_before`, `sha`, `ref`,
/// `status`, `source`; ordered by `order_by` (`id` by default, `updated_at`), newest first unless
/// `sort=asc`.
async fn pipelines(State(gl): State<Gl>, Path(id): Path<String>, req: Listing) -> Answer {
    let q = &req.q;
    let (ri, r) = gl.project(&id)?;
    let updated = bounds(q, "updated")?;
    let mut list: Vec<&Pipeline> = gl.idx.pipelines[ri]
        .iter()
        .filter(|p| within(p.updated_at, updated))
        .filter(|p| q.get("sha").is_none_or(|s| &p.sha == s))
        .filter(|p| q.get("ref").is_none_or(|s| &p.reference == s))
        .filter(|p| q.get("status").is_none_or(|s| p.status == s))
        .filter(|p| q.get("source").is_none_or(|s| p.source == s))
        .collect();
    match q.get("order_by").map(String::as_str) {
        Some("updated_at") => list.sort_by_key(|p| (p.updated_at, p.id)),
        _ => list.sort_by_key(|p| p.id),
    }
    if descending(q, true) {
        list.reverse();
    }
    let w = &gl.world;
    offset_page(&req, &list, |p| {
        json!({
            "id": p.id,
            "iid": p.iid,
            "project_id": r.id,
            "sha": p.sha,
            "ref": p.reference,
            "status": p.status,
            "source": p.source,
            "created_at": ts(p.created_at),
            "updated_at": ts(p.updated_at),
            "web_url": format!("{}/-/pipelines/{}", web(w, r), p.id)
        })
    })
}

fn job_status(status: &str, conclusion: Option<&str>) -> &'static str {
    if status != "completed" {
        return "running";
    }
    match conclusion {
        Some("success") => "success",
        Some("failure" | "timed_out") => "failed",
        Some("cancelled") => "canceled",
        // Skipped, neutral, or a conclusion GitLab has no status for.
        _ => "skipped",
    }
}

/// `GET /projects/{id}/pipelines/{pipeline_id}/jobs`: one job per check run of the pipeline's
/// commit, by id (retried or not: check runs are never retried).
async fn pipeline_jobs(
    State(gl): State<Gl>,
    Path((id, pipeline_id)): Path<(String, String)>,
    req: Listing,
) -> Answer {
    let (ri, r) = gl.project(&id)?;
    let Some(pl) = pipeline_id
        .parse::<i64>()
        .ok()
        .and_then(|pid| gl.idx.pipelines[ri].iter().find(|p| p.id == pid))
    else {
        return Err(Refused::NotFound("Pipeline"));
    };
    let w = &gl.world;
    offset_page(&req, &pl.runs, |&i| {
        let c = &r.check_runs[i];
        json!({
            "id": c.id,
            "name": c.name,
            "stage": "test",
            "status": job_status(&c.status, c.conclusion.as_deref()),
            "ref": pl.reference,
            "tag": false,
            "created_at": ts(c.started_at),
            "started_at": ts(c.started_at),
            "finished_at": c.completed_at.map(ts),
            "duration": c.completed_at.map(|e| (e - c.started_at) as f64),
            "web_url": format!("{}/-/jobs/{}", web(w, r), c.id),
            "commit": {"id": c.head_sha},
            "pipeline": {"id": pl.id, "project_id": r.id, "sha": pl.sha, "ref": pl.reference, "status": pl.status},
            "retried": false,
            "allow_failure": false
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Handlers: environments, deployments, releases
// ---------------------------------------------------------------------------------------------

/// An environment's tier, guessed from its name as GitLab guesses it.
fn tier(name: &str) -> &'static str {
    let n = name.to_ascii_lowercase();
    let starts = |ps: &[&str]| ps.iter().any(|p| n.starts_with(p));
    if n == "prod" || n == "live" || starts(&["production", "prod-", "prod_"]) {
        "production"
    } else if starts(&["stag", "stg", "pre", "model", "demo"]) {
        "staging"
    } else if starts(&["test", "qa", "qc"]) {
        "testing"
    } else if starts(&["dev", "review", "trunk"]) {
        "development"
    } else {
        "other"
    }
}

/// An environment's slug: lower case, runs of other characters as one `-`.
fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    s.trim_matches('-').chars().take(24).collect()
}

/// The project's environments: the distinct names its deployments went to, by name.
fn environment_names(r: &Repo) -> Vec<&str> {
    let mut names: Vec<&str> = r
        .deployments
        .iter()
        .map(|d| d.environment.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// An environment's id: `100 × the project's id + 1 + its place` among the project's environment
/// names in alphabetical order (`production` before `staging`).
pub fn environment_id(project_id: i64, place: usize) -> i64 {
    project_id * 100 + 1 + place as i64
}

fn environment_ref(r: &Repo, name: &str) -> Value {
    let place = environment_names(r)
        .iter()
        .position(|n| *n == name)
        .unwrap_or_default();
    json!({"id": environment_id(r.id, place), "name": name, "tier": tier(name)})
}

/// `GET /projects/{id}/environments`: every environment a deployment went to (whatever the
/// repository's delivery), by name.
async fn environments(State(gl): State<Gl>, Path(id): Path<String>, req: Listing) -> Answer {
    let q = &req.q;
    let (_, r) = gl.project(&id)?;
    let names = environment_names(r);
    let list: Vec<(usize, &str)> = names
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, n)| q.get("name").is_none_or(|x| x == n))
        .collect();
    offset_page(&req, &list, |&(place, name)| {
        json!({
            "id": environment_id(r.id, place),
            "name": name,
            "slug": slug(name),
            "tier": tier(name),
            "state": "available",
            "external_url": null
        })
    })
}

/// The status that ends a deployment on GitLab: its first success, else its first failure, else
/// its latest status. GitLab ends a deployment once and never marks it inactive when a later one
/// supersedes it, as GitHub's statuses do.
fn final_status(d: &Deployment) -> Option<&bosun_demo::world::DeploymentStatus> {
    let first = |states: &[&str]| {
        d.statuses
            .iter()
            .find(|s| states.contains(&s.state.as_str()))
    };
    first(&["success"])
        .or_else(|| first(&["failure", "error"]))
        .or(d.statuses.last())
}

/// A deployment's status, from its final status's state.
fn deployment_status(d: &Deployment) -> &'static str {
    match final_status(d).map(|s| s.state.as_str()) {
        Some("success" | "inactive") => "success",
        Some("failure" | "error") => "failed",
        Some("in_progress" | "queued" | "pending") => "running",
        _ => "created",
    }
}

/// `GET /projects/{id}/deployments`: one per deployment (whatever the repository's delivery),
/// filtered by `environment`, `status`, `updated_after`/`updated_before`; ordered by `order_by`
/// (`id` by default, `iid`, `created_at`, `updated_at`, `finished_at`), oldest first unless
/// `sort=desc`. `iid` is the deployment's place in the repository's list, from 1.
async fn deployments(State(gl): State<Gl>, Path(id): Path<String>, req: Listing) -> Answer {
    let q = &req.q;
    let (_, r) = gl.project(&id)?;
    let updated = bounds(q, "updated")?;
    let updated_at = |d: &Deployment| final_status(d).map_or(d.created_at, |s| s.at);
    let mut list: Vec<(usize, &Deployment)> = r
        .deployments
        .iter()
        .enumerate()
        .filter(|(_, d)| q.get("environment").is_none_or(|e| &d.environment == e))
        .filter(|(_, d)| q.get("status").is_none_or(|s| deployment_status(d) == s))
        .filter(|(_, d)| within(updated_at(d), updated))
        .collect();
    match q.get("order_by").map(String::as_str) {
        Some("iid") => list.sort_by_key(|(i, _)| *i),
        Some("created_at") => list.sort_by_key(|(_, d)| (d.created_at, d.id)),
        Some("updated_at" | "finished_at") => list.sort_by_key(|(_, d)| (updated_at(d), d.id)),
        _ => list.sort_by_key(|(_, d)| d.id),
    }
    if descending(q, false) {
        list.reverse();
    }
    let w = &gl.world;
    offset_page(&req, &list, |&(i, d)| {
        let status = deployment_status(d);
        let updated = updated_at(d);
        let finished = matches!(status, "success" | "failed").then(|| ts(updated));
        json!({
            "id": d.id,
            "iid": i + 1,
            "ref": r.default_branch,
            "sha": d.sha,
            "created_at": ts(d.created_at),
            "updated_at": ts(updated),
            "finished_at": finished,
            "status": status,
            "user": user_json(w, d.creator),
            "environment": environment_ref(r, &d.environment),
            "deployable": {
                "id": d.id + DEPLOYABLE_ID_OFFSET,
                "status": status,
                "web_url": format!("{}/-/jobs/{}", web(w, r), d.id + DEPLOYABLE_ID_OFFSET),
                "stage": "deploy",
                "name": "deploy",
                "ref": r.default_branch,
                "created_at": ts(d.created_at),
                "finished_at": finished,
                "pipeline": {
                    "id": d.id + DEPLOY_PIPELINE_ID_OFFSET,
                    "project_id": r.id,
                    "sha": d.sha,
                    "ref": r.default_branch,
                    "status": status
                }
            }
        })
    })
}

/// `GET /projects/{id}/releases`: newest first.
async fn releases(State(gl): State<Gl>, Path(id): Path<String>, req: Listing) -> Answer {
    let (_, r) = gl.project(&id)?;
    let w = &gl.world;
    let mut list: Vec<_> = r.releases.iter().collect();
    list.sort_by_key(|x| std::cmp::Reverse((x.created_at, x.id)));
    offset_page(&req, &list, |x| {
        json!({
            "tag_name": x.tag,
            "name": x.name,
            "description": x.body,
            "created_at": ts(x.created_at),
            "released_at": ts(x.created_at),
            "author": user_json(w, x.author),
            "commit": {"id": x.sha},
            "upcoming_release": false,
            "_links": {"self": format!("{}/-/releases/{}", web(w, r), x.tag)}
        })
    })
}

#[cfg(test)]
#[path = "gitlab_tests.rs"]
mod tests;
