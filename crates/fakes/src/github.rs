//! A fake GitHub REST API (the subset Bosun reads) serving the demo world. Shapes follow
//! GitHub's OpenAPI examples (`shared/realdata/github-openapi-examples`).

use crate::faults::{FaultConfig, Faults};
use crate::http::{
    self, Guard, base_of, json, json_of, not_found, page_of, page_response, paginate,
    paginate_wrapped,
};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use bosun_core::time::{DAY, Ts, parse_rfc3339, rfc3339};
use bosun_demo::World;
use bosun_demo::actions;
use bosun_demo::world::{Commit, Pull, Repo, Signature};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

mod orgs;
mod scopes;

pub use scopes::{DEMO_SCOPES, REAL_WORLD_SCOPES, Scopes};

/// Where `html_url`s point (the real site's shape; the demo org does not exist there).
const WEB: &str = "https://github.com";
/// The API base written into payload `url` fields, as github.com writes it. Clients never follow
/// these (pagination uses the `Link` header, which names this server), and keeping them fixed
/// keeps bodies — and so ETags — identical across restarts on new ports.
const API: &str = "https://api.github.com";

struct Index {
    repo_by_name: HashMap<String, usize>,
    /// Per repository: its workflows and their runs, newest first (`bosun_demo::actions`).
    actions: Vec<(Vec<actions::Workflow>, Vec<actions::WorkflowRun>)>,
    commit_by_sha: Vec<HashMap<String, usize>>,
    checks_by_sha: Vec<HashMap<String, Vec<usize>>>,
    pull_by_number: Vec<HashMap<i64, usize>>,
}

#[derive(Clone)]
struct Gh {
    world: Arc<World>,
    idx: Arc<Index>,
    /// The token's OAuth scopes (a classic personal access token's).
    scopes: Arc<Scopes>,
}

type Q = Query<HashMap<String, String>>;

/// The fake GitHub's routes for `world`, accepting `token` with `scopes`.
pub fn router(world: Arc<World>, faults: Arc<Faults>, token: String, scopes: Scopes) -> Router {
    let idx = Index {
        // An empty repository has no workflow files, so no workflows.
        actions: world
            .repos
            .iter()
            .map(|r| {
                if r.is_empty() {
                    (Vec::new(), Vec::new())
                } else {
                    (actions::workflows(r), actions::runs(r))
                }
            })
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
        checks_by_sha: world
            .repos
            .iter()
            .map(|r| {
                let mut m: HashMap<String, Vec<usize>> = HashMap::new();
                for (i, c) in r.check_runs.iter().enumerate() {
                    m.entry(c.head_sha.clone()).or_default().push(i);
                }
                m
            })
            .collect(),
        pull_by_number: world
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
    };
    let scopes = Arc::new(scopes);
    let gh = Gh {
        world,
        idx: Arc::new(idx),
        scopes: scopes.clone(),
    };
    let guard = Guard {
        faults: faults.clone(),
        token,
        style: http::Style::Http401,
    };
    let api = Router::new()
        .route("/user", get(user_me))
        .route("/users/{login}", get(user_profile))
        .route("/rate_limit", get(rate_limit))
        .route("/user/orgs", get(orgs::user_orgs))
        .route("/orgs/{org}", get(orgs::org_get))
        .route("/orgs/{org}/members", get(orgs::org_members))
        .route("/orgs/{org}/teams", get(orgs::org_teams))
        .route(
            "/orgs/{org}/teams/{team_slug}/members",
            get(orgs::team_members),
        )
        .route("/orgs/{org}/teams/{team_slug}/repos", get(orgs::team_repos))
        .route("/orgs/{org}/repos", get(org_repos))
        .route("/user/repos", get(user_repos))
        .route("/repos/{owner}/{repo}", get(repo_get))
        .route("/repos/{owner}/{repo}/contents/{*path}", get(contents))
        .route("/repos/{owner}/{repo}/pulls", get(pulls_list))
        .route(
            "/repos/{owner}/{repo}/pulls/comments",
            get(repo_review_comments),
        )
        .route("/repos/{owner}/{repo}/pulls/{number}", get(pull_get))
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/reviews",
            get(pull_reviews),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/comments",
            get(pull_review_comments),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/commits",
            get(pull_commits),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/files",
            get(pull_files),
        )
        .route(
            "/repos/{owner}/{repo}/issues/comments",
            get(repo_issue_comments),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{number}/timeline",
            get(timeline),
        )
        .route("/repos/{owner}/{repo}/commits", get(commits_list))
        .route(
            "/repos/{owner}/{repo}/commits/{reference}/check-runs",
            get(check_runs),
        )
        .route("/repos/{owner}/{repo}/deployments", get(deployments))
        .route(
            "/repos/{owner}/{repo}/deployments/{id}/statuses",
            get(deployment_statuses),
        )
        .route(
            "/repos/{owner}/{repo}/actions/workflows",
            get(workflows_list),
        )
        .route("/repos/{owner}/{repo}/actions/runs", get(runs_list))
        .route(
            "/repos/{owner}/{repo}/actions/workflows/{workflow}/runs",
            get(workflow_runs_list),
        )
        .route("/repos/{owner}/{repo}/releases", get(releases))
        .route("/repos/{owner}/{repo}/tags", get(tags))
        .with_state(gh)
        .route_layer(axum::middleware::map_response_with_state(
            scopes,
            oauth_scopes,
        ))
        .route_layer(axum::middleware::from_fn_with_state(guard, http::guard));
    api.merge(admin_router(faults))
}

/// `X-OAuth-Scopes` on every authenticated answer, as GitHub sends it for a classic token.
async fn oauth_scopes(State(scopes): State<Arc<Scopes>>, mut r: Response) -> Response {
    if let Ok(v) = axum::http::HeaderValue::from_str(&scopes.header()) {
        r.headers_mut().insert("x-oauth-scopes", v);
    }
    r
}

/// `/_fake/faults` (GET, PUT) and `/_fake/stats` (GET, DELETE): test controls, no auth.
pub(crate) fn admin_router(faults: Arc<Faults>) -> Router {
    Router::new()
        .route(
            "/_fake/faults",
            get(|State(f): State<Arc<Faults>>| async move { json_of(&f.config()) }).put(
                |State(f): State<Arc<Faults>>, axum::Json(c): axum::Json<FaultConfig>| async move {
                    f.set(c);
                    json(&json!({"ok": true}))
                },
            ),
        )
        .route(
            "/_fake/stats",
            get(|State(f): State<Arc<Faults>>| async move { json_of(&f.stats()) }).delete(
                |State(f): State<Arc<Faults>>| async move {
                    f.reset_stats();
                    json(&json!({"ok": true}))
                },
            ),
        )
        .with_state(faults)
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

pub(crate) fn user_json(w: &World, base: &str, u: usize) -> Value {
    let u = &w.users[u];
    json!({
        "login": u.login,
        "id": u.id,
        "node_id": format!("MDQ6VXNlcj{}", u.id),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{}?v=4", u.id),
        "gravatar_id": "",
        "url": format!("{base}/users/{}", u.login),
        "html_url": format!("{WEB}/{}", u.login),
        "type": if u.is_bot { "Bot" } else { "User" },
        "site_admin": false
    })
}

fn repo_json(w: &World, base: &str, r: &Repo) -> Value {
    let org = &w.org.company.github_org;
    let pushed = r
        .commits
        .iter()
        .map(|c| c.committer.at)
        .max()
        .unwrap_or(r.created_at);
    // Kilobytes, as GitHub counts them: 0 for an empty repository.
    let size = match r.commits.len() {
        0 => 0,
        n => 120 + 37 * n,
    };
    json!({
        "id": r.id,
        "node_id": format!("MDEwOlJlcG9zaXRvcnk{}", r.id),
        "name": r.name,
        "full_name": format!("{org}/{}", r.name),
        "private": true,
        "owner": {"login": org, "id": orgs::ORG_ID, "type": "Organization", "url": format!("{base}/orgs/{org}"), "html_url": format!("{WEB}/{org}")},
        "html_url": format!("{WEB}/{org}/{}", r.name),
        "description": r.description,
        "fork": r.fork_of.is_some(),
        "url": format!("{base}/repos/{org}/{}", r.name),
        "language": r.language,
        "size": size,
        "default_branch": r.default_branch,
        "archived": r.archived,
        "disabled": false,
        "visibility": "private",
        "created_at": rfc3339(r.created_at),
        "updated_at": rfc3339(pushed),
        "pushed_at": rfc3339(pushed)
    })
}

fn sig_json(s: &Signature) -> Value {
    json!({"name": s.name, "email": s.email, "date": rfc3339(s.at)})
}

fn commit_json(w: &World, base: &str, r: &Repo, c: &Commit) -> Value {
    let org = &w.org.company.github_org;
    let api = format!("{base}/repos/{org}/{}", r.name);
    json!({
        "url": format!("{api}/commits/{}", c.sha),
        "sha": c.sha,
        "node_id": format!("C_{}", &c.sha[..12]),
        "html_url": format!("{WEB}/{org}/{}/commit/{}", r.name, c.sha),
        "commit": {
            "url": format!("{api}/git/commits/{}", c.sha),
            "author": sig_json(&c.author),
            "committer": sig_json(&c.committer),
            "message": c.message,
            "tree": {"sha": c.sha, "url": format!("{api}/git/trees/{}", c.sha)},
            "comment_count": 0,
            "verification": {"verified": false, "reason": "unsigned", "signature": null, "payload": null}
        },
        "author": c.author.user.map(|u| user_json(w, base, u)),
        "committer": c.committer.user.map(|u| user_json(w, base, u)),
        "parents": c.parents.iter().map(|p| json!({"sha": p, "url": format!("{api}/commits/{p}"), "html_url": format!("{WEB}/{org}/{}/commit/{p}", r.name)})).collect::<Vec<_>>()
    })
}

fn pull_json(w: &World, base: &str, r: &Repo, p: &Pull, full: bool) -> Value {
    let org = &w.org.company.github_org;
    let api = format!("{base}/repos/{org}/{}", r.name);
    let head_sha = p.head_sha(r).unwrap_or_default().to_string();
    let base_sha = r
        .main
        .last()
        .map(|&i| r.commits[i].sha.clone())
        .unwrap_or_default();
    let state = if p.closed_at.is_some() {
        "closed"
    } else {
        "open"
    };
    let repo_obj = repo_json(w, base, r);
    let labels: Vec<Value> = p
        .labels
        .iter()
        .map(|l| json!({"id": label_id(l), "node_id": format!("LA_{}", label_id(l)), "url": format!("{api}/labels/{l}"), "name": l, "color": "ededed", "default": false, "description": null}))
        .collect();
    let mut v = json!({
        "url": format!("{api}/pulls/{}", p.number),
        "id": p.id,
        "node_id": format!("PR_{}", p.id),
        "html_url": format!("{WEB}/{org}/{}/pull/{}", r.name, p.number),
        "diff_url": format!("{WEB}/{org}/{}/pull/{}.diff", r.name, p.number),
        "issue_url": format!("{api}/issues/{}", p.number),
        "commits_url": format!("{api}/pulls/{}/commits", p.number),
        "review_comments_url": format!("{api}/pulls/{}/comments", p.number),
        "number": p.number,
        "state": state,
        "locked": false,
        "title": p.title,
        "user": user_json(w, base, p.author),
        "body": p.body,
        "labels": labels,
        "milestone": null,
        "active_lock_reason": null,
        "created_at": rfc3339(p.created_at),
        "updated_at": rfc3339(p.updated_at),
        "closed_at": p.closed_at.map(rfc3339),
        "merged_at": p.merged_at.map(rfc3339),
        "merge_commit_sha": p.merge_commit_sha,
        "assignee": null,
        "assignees": [],
        "requested_reviewers": p.requested_reviewers.iter().map(|&u| user_json(w, base, u)).collect::<Vec<_>>(),
        "requested_teams": [],
        "head": {"label": format!("{org}:{}", p.head_ref), "ref": p.head_ref, "sha": head_sha, "user": repo_obj["owner"].clone(), "repo": repo_obj.clone()},
        "base": {"label": format!("{org}:{}", p.base_ref), "ref": p.base_ref, "sha": base_sha, "user": repo_obj["owner"].clone(), "repo": repo_obj},
        "author_association": if w.users[p.author].is_bot { "NONE" } else { "MEMBER" },
        "auto_merge": null,
        "draft": p.draft
    });
    if full {
        let extra = json!({
            "merged": p.merged_at.is_some(),
            "mergeable": if p.closed_at.is_none() { Value::Bool(true) } else { Value::Null },
            "rebaseable": p.closed_at.is_none(),
            "mergeable_state": if p.closed_at.is_none() { "clean" } else { "unknown" },
            "merged_by": p.merged_by.map(|u| user_json(w, base, u)),
            "comments": r.issue_comments.iter().filter(|c| c.number == p.number).count(),
            "review_comments": r.review_comments.iter().filter(|c| c.pull_number == p.number).count(),
            "maintainer_can_modify": false,
            "commits": p.commits.len(),
            "additions": p.additions,
            "deletions": p.deletions,
            "changed_files": p.changed_files
        });
        if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
            obj.extend(more);
        }
    }
    v
}

fn label_id(name: &str) -> u64 {
    name.bytes().fold(208_045_946u64, |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b))
    }) % 1_000_000_000
}

fn review_json(w: &World, base: &str, r: &Repo, p: &Pull, idx: usize) -> Value {
    let org = &w.org.company.github_org;
    let rv = &p.reviews[idx];
    json!({
        "id": rv.id,
        "node_id": format!("PRR_{}", rv.id),
        "user": user_json(w, base, rv.reviewer),
        "body": rv.body,
        "state": rv.state,
        "html_url": format!("{WEB}/{org}/{}/pull/{}#pullrequestreview-{}", r.name, p.number, rv.id),
        "pull_request_url": format!("{base}/repos/{org}/{}/pulls/{}", r.name, p.number),
        "submitted_at": rfc3339(rv.submitted_at),
        "commit_id": rv.commit_sha,
        "author_association": "MEMBER"
    })
}

fn review_comment_json(w: &World, base: &str, r: &Repo, i: usize) -> Value {
    let org = &w.org.company.github_org;
    let c = &r.review_comments[i];
    let api = format!("{base}/repos/{org}/{}", r.name);
    json!({
        "url": format!("{api}/pulls/comments/{}", c.id),
        "pull_request_review_id": c.review_id,
        "id": c.id,
        "node_id": format!("PRRC_{}", c.id),
        "diff_hunk": "@@ -16,7 +16,9 @@",
        "path": c.path,
        "position": c.line,
        "original_position": c.line,
        "commit_id": c.commit_sha,
        "original_commit_id": c.commit_sha,
        "in_reply_to_id": c.in_reply_to,
        "user": user_json(w, base, c.author),
        "body": c.body,
        "created_at": rfc3339(c.created_at),
        "updated_at": rfc3339(c.created_at),
        "html_url": format!("{WEB}/{org}/{}/pull/{}#discussion_r{}", r.name, c.pull_number, c.id),
        "pull_request_url": format!("{api}/pulls/{}", c.pull_number),
        "author_association": "MEMBER",
        "line": c.line,
        "side": "RIGHT"
    })
}

pub(crate) fn issue_comment_json(w: &World, base: &str, r: &Repo, i: usize) -> Value {
    let org = &w.org.company.github_org;
    let c = &r.issue_comments[i];
    let api = format!("{base}/repos/{org}/{}", r.name);
    json!({
        "id": c.id,
        "node_id": format!("IC_{}", c.id),
        "url": format!("{api}/issues/comments/{}", c.id),
        "html_url": format!("{WEB}/{org}/{}/pull/{}#issuecomment-{}", r.name, c.number, c.id),
        "body": c.body,
        "user": user_json(w, base, c.author),
        "created_at": rfc3339(c.created_at),
        "updated_at": rfc3339(c.created_at),
        "issue_url": format!("{api}/issues/{}", c.number),
        "author_association": "MEMBER"
    })
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

impl Gh {
    fn repo(&self, owner: &str, name: &str) -> Option<(usize, &Repo)> {
        if owner != self.world.org.company.github_org {
            return None;
        }
        let i = *self.idx.repo_by_name.get(name)?;
        Some((i, &self.world.repos[i]))
    }

    fn pull(&self, ri: usize, number: &str) -> Option<&Pull> {
        let n: i64 = number.parse().ok()?;
        let pi = *self.idx.pull_by_number[ri].get(&n)?;
        Some(&self.world.repos[ri].pulls[pi])
    }
}

/// One page of the listing at `path`, its `Link` header pointing back at the host asked (`h`).
pub(super) fn listing(
    h: &HeaderMap,
    q: &HashMap<String, String>,
    path: &str,
    items: Vec<Value>,
) -> Response {
    paginate(&base_of(h), path, q, items, page_of(q))
}

/// Like [`listing`] for long listings (pull requests, commits at scale): only the requested page of
/// `order` is rendered.
fn list_rendering_page<T>(
    h: &HeaderMap,
    q: &HashMap<String, String>,
    path: &str,
    order: &[T],
    render: impl Fn(&T) -> Value,
) -> Response {
    let page = page_of(q);
    let slice = order
        .iter()
        .skip(page.start())
        .take(page.per_page)
        .map(render)
        .collect();
    page_response(&base_of(h), path, q, order.len(), slice, page, None)
}

/// A repository-wide comment listing at `path`: the `count` comments created at or after `since`,
/// ordered by (creation, id) as `stamp` gives them, newest first with `direction=desc`.
fn comment_listing(
    h: &HeaderMap,
    q: &HashMap<String, String>,
    path: &str,
    count: usize,
    stamp: impl Fn(usize) -> (Ts, i64),
    render: impl Fn(usize) -> Value,
) -> Response {
    let since = q.get("since").and_then(|s| parse_rfc3339(s));
    let desc = q.get("direction").is_some_and(|d| d == "desc");
    let mut idx: Vec<usize> = (0..count)
        .filter(|&i| since.is_none_or(|s| stamp(i).0 >= s))
        .collect();
    idx.sort_by_key(|&i| stamp(i));
    if desc {
        idx.reverse();
    }
    listing(h, q, path, idx.into_iter().map(render).collect())
}

/// `GET /user`: the token's user. `X-OAuth-Scopes` (every answer) says what the token may do;
/// `X-Accepted-OAuth-Scopes` what this endpoint checks (`user`, for the private profile fields).
async fn user_me(State(gh): State<Gh>) -> Response {
    let w = &gh.world;
    let me = w
        .org
        .person(&w.org.company.me)
        .map(|p| p.github.clone())
        .unwrap_or_default();
    let mut r = match w.user_by_login(&me) {
        Some(u) => json(&profile_json(w, u)),
        None => return not_found(),
    };
    r.headers_mut().insert(
        "x-accepted-oauth-scopes",
        axum::http::HeaderValue::from_static("user"),
    );
    r
}

/// `GET /users/{login}`: the public profile (name; most people keep their email private).
async fn user_profile(State(gh): State<Gh>, Path(login): Path<String>) -> Response {
    let w = &gh.world;
    match w.user_by_login(&login) {
        Some(u) => json(&profile_json(w, u)),
        None => not_found(),
    }
}

/// A user's profile: `name` is null for an account that shows none.
fn profile_json(w: &World, u: usize) -> Value {
    let mut v = user_json(w, API, u);
    let user = &w.users[u];
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "name".into(),
            if user.public_name {
                json!(user.name)
            } else {
                Value::Null
            },
        );
        o.insert(
            "company".into(),
            json!(if user.is_bot {
                Value::Null
            } else {
                json!(format!("@{}", w.org.company.github_org))
            }),
        );
        o.insert("email".into(), Value::Null);
        o.insert("created_at".into(), json!(rfc3339(w.start - 900 * 86_400)));
    }
    v
}

async fn rate_limit(State(_gh): State<Gh>) -> Response {
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + 3600;
    json(
        &json!({"resources": {"core": {"limit": 5000, "used": 0, "remaining": 5000, "reset": reset}}, "rate": {"limit": 5000, "used": 0, "remaining": 5000, "reset": reset}}),
    )
}

async fn org_repos(
    State(gh): State<Gh>,
    Path(org): Path<String>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let w = &gh.world;
    if org != w.org.company.github_org {
        return not_found();
    }
    let base = API;
    let items: Vec<Value> = w.repos.iter().map(|r| repo_json(w, base, r)).collect();
    listing(&h, &q, &format!("/orgs/{org}/repos"), items)
}

/// `GET /user/repos`: the repositories the token's user can reach (here, every repository of the
/// organisation the user belongs to). Needs no organisation scope, unlike `/user/orgs`.
async fn user_repos(State(gh): State<Gh>, Query(q): Q, h: HeaderMap) -> Response {
    let w = &gh.world;
    let base = API;
    let items: Vec<Value> = w.repos.iter().map(|r| repo_json(w, base, r)).collect();
    listing(&h, &q, "/user/repos", items)
}

/// `GET /repos/{o}/{r}`; a fork also names the repository it forks (`parent`, `source`).
async fn repo_get(State(gh): State<Gh>, Path((owner, name)): Path<(String, String)>) -> Response {
    let Some((_, r)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    let mut v = repo_json(&gh.world, API, r);
    if let (Some(o), Some(upstream)) = (v.as_object_mut(), &r.fork_of) {
        let (up_owner, up_name) = upstream.split_once('/').unwrap_or(("", upstream));
        let parent = json!({
            "name": up_name,
            "full_name": upstream,
            "owner": {"login": up_owner, "type": "Organization"},
            "private": false,
            "fork": false,
            "html_url": format!("{WEB}/{upstream}"),
            "url": format!("{API}/repos/{upstream}")
        });
        o.insert("parent".into(), parent.clone());
        o.insert("source".into(), parent);
    }
    json(&v)
}

async fn contents(
    State(gh): State<Gh>,
    Path((owner, name, path)): Path<(String, String, String)>,
) -> Response {
    let Some((_, r)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    if r.is_empty() {
        return http::json_response(
            axum::http::StatusCode::NOT_FOUND,
            &json!({"message": "This repository is empty.", "documentation_url": "https://docs.github.com/rest/repos/contents#get-repository-content", "status": "404"}),
        );
    }
    if path != ".github/CODEOWNERS" || r.codeowners.is_empty() {
        return not_found();
    }
    let base = API;
    let text = r.codeowners.as_bytes();
    json(&json!({
        "type": "file",
        "encoding": "base64",
        "size": text.len(),
        "name": "CODEOWNERS",
        "path": path,
        "content": http::base64_wrapped(text),
        "sha": format!("{:040x}", text.len() * 2654435761usize),
        "url": format!("{base}/repos/{owner}/{name}/contents/{path}"),
        "html_url": format!("{WEB}/{owner}/{name}/blob/main/{path}")
    }))
}

async fn pulls_list(
    State(gh): State<Gh>,
    Path((owner, name)): Path<(String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let Some((_, r)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    let w = &gh.world;
    let state = q.get("state").map_or("open", String::as_str);
    let sort = q.get("sort").map_or("created", String::as_str);
    let default_dir = if sort == "created" { "desc" } else { "asc" };
    let desc = q.get("direction").map_or(default_dir, String::as_str) == "desc";
    let mut pulls: Vec<&Pull> = r
        .pulls
        .iter()
        .filter(|p| match state {
            "all" => true,
            "closed" => p.closed_at.is_some(),
            _ => p.closed_at.is_none(),
        })
        .collect();
    let key = |p: &Pull| -> (Ts, i64) {
        match sort {
            "updated" => (p.updated_at, p.number),
            "popularity" => (p.reviews.len() as Ts, p.number),
            _ => (p.created_at, p.number),
        }
    };
    pulls.sort_by_key(|p| key(p));
    if desc {
        pulls.reverse();
    }
    list_rendering_page(
        &h,
        &q,
        &format!("/repos/{owner}/{name}/pulls"),
        &pulls,
        |p| pull_json(w, API, r, p, false),
    )
}

/// The path of a pull request's listing, its repository and itself: what every pull request
/// sub-resource starts with (a 404 for an unknown repository or pull request).
type PullPath = Path<(String, String, String)>;

/// A listing of what hangs off a pull request (`/repos/o/r/{kind}/{n}/{what}`): `items` of the
/// repository and pull request, paginated; 404 when either is unknown.
fn pull_listing(
    gh: &Gh,
    (owner, name, number): &(String, String, String),
    (q, h): (&HashMap<String, String>, &HeaderMap),
    what: &str,
    items: impl FnOnce(&Repo, &Pull) -> Vec<Value>,
) -> Response {
    let Some((ri, r)) = gh.repo(owner, name) else {
        return not_found();
    };
    let Some(p) = gh.pull(ri, number) else {
        return not_found();
    };
    let kind = if what == "timeline" {
        "issues"
    } else {
        "pulls"
    };
    listing(
        h,
        q,
        &format!("/repos/{owner}/{name}/{kind}/{number}/{what}"),
        items(r, p),
    )
}

async fn pull_get(
    State(gh): State<Gh>,
    Path((owner, name, number)): Path<(String, String, String)>,
) -> Response {
    let Some((ri, r)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    let Some(p) = gh.pull(ri, &number) else {
        return not_found();
    };
    json(&pull_json(&gh.world, API, r, p, true))
}

async fn pull_reviews(
    State(gh): State<Gh>,
    Path(at): PullPath,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    pull_listing(&gh, &at, (&q, &h), "reviews", |r, p| {
        (0..p.reviews.len())
            .map(|i| review_json(&gh.world, API, r, p, i))
            .collect()
    })
}

async fn pull_review_comments(
    State(gh): State<Gh>,
    Path(at): PullPath,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    pull_listing(&gh, &at, (&q, &h), "comments", |r, p| {
        (0..r.review_comments.len())
            .filter(|&i| r.review_comments[i].pull_number == p.number)
            .map(|i| review_comment_json(&gh.world, API, r, i))
            .collect()
    })
}

async fn pull_commits(
    State(gh): State<Gh>,
    Path(at): PullPath,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    pull_listing(&gh, &at, (&q, &h), "commits", |r, p| {
        p.commits
            .iter()
            .map(|&i| commit_json(&gh.world, API, r, &r.commits[i]))
            .collect()
    })
}

async fn pull_files(
    State(gh): State<Gh>,
    Path(at): PullPath,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let (owner, name) = (at.0.clone(), at.1.clone());
    pull_listing(&gh, &at, (&q, &h), "files", |r, p| {
        let head = p.head_sha(r).unwrap_or_default();
        p.files
            .iter()
            .map(|f| {
                json!({
                    "sha": head,
                    "filename": f.path,
                    "status": f.status,
                    "additions": f.additions,
                    "deletions": f.deletions,
                    "changes": f.additions + f.deletions,
                    "blob_url": format!("{WEB}/{owner}/{name}/blob/{head}/{}", f.path),
                    "raw_url": format!("{WEB}/{owner}/{name}/raw/{head}/{}", f.path),
                    "contents_url": format!("{API}/repos/{owner}/{name}/contents/{}?ref={head}", f.path),
                })
            })
            .collect()
    })
}

async fn repo_review_comments(
    State(gh): State<Gh>,
    Path((owner, name)): Path<(String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let Some((_, r)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    let c = &r.review_comments;
    comment_listing(
        &h,
        &q,
        &format!("/repos/{owner}/{name}/pulls/comments"),
        c.len(),
        |i| (c[i].created_at, c[i].id),
        |i| review_comment_json(&gh.world, API, r, i),
    )
}

async fn repo_issue_comments(
    State(gh): State<Gh>,
    Path((owner, name)): Path<(String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let Some((_, r)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    let c = &r.issue_comments;
    comment_listing(
        &h,
        &q,
        &format!("/repos/{owner}/{name}/issues/comments"),
        c.len(),
        |i| (c[i].created_at, c[i].id),
        |i| issue_comment_json(&gh.world, API, r, i),
    )
}

async fn timeline(State(gh): State<Gh>, Path(at): PullPath, Query(q): Q, h: HeaderMap) -> Response {
    let name = at.1.clone();
    pull_listing(&gh, &at, (&q, &h), "timeline", |r, p| {
        timeline_items(&gh.world, &name, r, p)
    })
}

/// A pull request's timeline: its commits, reviews and events, oldest first.
fn timeline_items(w: &World, name: &str, r: &Repo, p: &Pull) -> Vec<Value> {
    let base = API;
    let org = &w.org.company.github_org;
    let api = format!("{base}/repos/{org}/{name}");
    let mut items: Vec<(Ts, Value)> = Vec::new();
    for &ci in &p.commits {
        let c = &r.commits[ci];
        items.push((
            c.committer.at,
            json!({
                "event": "committed",
                "sha": c.sha,
                "node_id": format!("C_{}", &c.sha[..12]),
                "url": format!("{api}/git/commits/{}", c.sha),
                "html_url": format!("{WEB}/{org}/{name}/commit/{}", c.sha),
                "author": sig_json(&c.author),
                "committer": sig_json(&c.committer),
                "message": c.message,
                "parents": c.parents.iter().map(|s| json!({"sha": s})).collect::<Vec<_>>()
            }),
        ));
    }
    for (i, rv) in p.reviews.iter().enumerate() {
        let mut v = review_json(w, base, r, p, i);
        if let Some(o) = v.as_object_mut() {
            o.insert("event".into(), json!("reviewed"));
        }
        items.push((rv.submitted_at, v));
    }
    for e in &p.events {
        let mut v = json!({
            "id": e.id,
            "node_id": format!("E_{}", e.id),
            "url": format!("{api}/issues/events/{}", e.id),
            "actor": user_json(w, base, e.actor),
            "event": e.event,
            "commit_id": if e.event == "merged" { json!(p.merge_commit_sha) } else { Value::Null },
            "commit_url": null,
            "created_at": rfc3339(e.at),
            "performed_via_github_app": null
        });
        if let Some(o) = v.as_object_mut() {
            if let Some(s) = e.subject {
                o.insert("requested_reviewer".into(), user_json(w, base, s));
                o.insert("review_requester".into(), user_json(w, base, e.actor));
            }
            if let Some(l) = &e.label {
                o.insert("label".into(), json!({"name": l, "color": "ededed"}));
            }
        }
        items.push((e.at, v));
    }
    items.sort_by_key(|(t, _)| *t);
    items.into_iter().map(|(_, v)| v).collect()
}

async fn commits_list(
    State(gh): State<Gh>,
    Path((owner, name)): Path<(String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let Some((ri, r)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    if r.is_empty() {
        return http::json_response(
            axum::http::StatusCode::CONFLICT,
            &json!({"message": "Git Repository is empty.", "documentation_url": "https://docs.github.com/rest/commits/commits#list-commits", "status": "409"}),
        );
    }
    let reference = q
        .get("sha")
        .cloned()
        .unwrap_or_else(|| r.default_branch.clone());
    if reference != r.default_branch && !gh.idx.commit_by_sha[ri].contains_key(&reference) {
        return not_found();
    }
    let since = q.get("since").and_then(|s| parse_rfc3339(s));
    let until = q.get("until").and_then(|s| parse_rfc3339(s));
    // Newest first, like `git log`.
    let mut list: Vec<usize> = if reference == r.default_branch {
        r.main.clone()
    } else {
        ancestors(r, &gh.idx.commit_by_sha[ri], &reference)
    };
    list.retain(|&i| {
        let t = r.commits[i].committer.at;
        since.is_none_or(|s| t >= s) && until.is_none_or(|u| t <= u)
    });
    list.reverse();
    list_rendering_page(
        &h,
        &q,
        &format!("/repos/{owner}/{name}/commits"),
        &list,
        |&i| commit_json(&gh.world, API, r, &r.commits[i]),
    )
}

fn ancestors(r: &Repo, by_sha: &HashMap<String, usize>, sha: &str) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<usize> = by_sha.get(sha).copied().into_iter().collect();
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

async fn check_runs(
    State(gh): State<Gh>,
    Path((owner, name, reference)): Path<(String, String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let Some((ri, r)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    if !gh.idx.commit_by_sha[ri].contains_key(&reference) {
        return not_found();
    }
    let w = &gh.world;
    let base = API;
    let all = q.get("filter").is_some_and(|f| f == "all");
    let mut runs: Vec<usize> = gh.idx.checks_by_sha[ri]
        .get(&reference)
        .cloned()
        .unwrap_or_default();
    runs.sort_by_key(|&i| std::cmp::Reverse((r.check_runs[i].started_at, r.check_runs[i].id)));
    if !all {
        let mut seen = std::collections::HashSet::new();
        runs.retain(|&i| seen.insert(r.check_runs[i].name.clone()));
    }
    let org = &w.org.company.github_org;
    let items: Vec<Value> = runs
        .iter()
        .map(|&i| {
            let c = &r.check_runs[i];
            json!({
                "id": c.id,
                "head_sha": c.head_sha,
                "node_id": format!("CR_{}", c.id),
                "external_id": "",
                "url": format!("{base}/repos/{org}/{name}/check-runs/{}", c.id),
                "html_url": format!("{WEB}/{org}/{name}/runs/{}", c.id),
                "details_url": format!("{WEB}/{org}/{name}/actions/runs/{}", c.id),
                "status": c.status,
                "conclusion": c.conclusion,
                "started_at": rfc3339(c.started_at),
                "completed_at": c.completed_at.map(rfc3339),
                "output": {"title": c.conclusion.as_deref().map(|x| format!("{} {x}", c.name)), "summary": null, "text": null, "annotations_count": 0},
                "name": c.name,
                "check_suite": {"id": c.id / 3},
                "app": {"id": 15368, "slug": "github-actions", "name": "GitHub Actions", "owner": {"login": "github", "id": 9919, "type": "Organization"}},
                "pull_requests": c.pull_number.map(|n| vec![json!({"number": n, "id": r.id * 1000 + n, "url": format!("{base}/repos/{org}/{name}/pulls/{n}")})]).unwrap_or_default()
            })
        })
        .collect();
    paginate_wrapped(
        &base_of(&h),
        &format!("/repos/{owner}/{name}/commits/{reference}/check-runs"),
        &q,
        items,
        page_of(&q),
        Some("check_runs"),
    )
}

async fn deployments(
    State(gh): State<Gh>,
    Path((owner, name)): Path<(String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let Some((_, r)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    let w = &gh.world;
    let base = API;
    let org = &w.org.company.github_org;
    // A repository delivering through Actions (no environments) has no GitHub deployments.
    let deployments = r.github_deployments();
    let mut list: Vec<usize> = (0..deployments.len())
        .filter(|&i| {
            q.get("environment")
                .is_none_or(|e| &deployments[i].environment == e)
        })
        .filter(|&i| q.get("sha").is_none_or(|s| &deployments[i].sha == s))
        .collect();
    list.sort_by_key(|&i| std::cmp::Reverse((deployments[i].created_at, deployments[i].id)));
    let items = list
        .iter()
        .map(|&i| {
            let d = &deployments[i];
            let updated = d.statuses.last().map_or(d.created_at, |s| s.at);
            json!({
                "url": format!("{base}/repos/{org}/{name}/deployments/{}", d.id),
                "id": d.id,
                "node_id": format!("DE_{}", d.id),
                "sha": d.sha,
                "ref": "main",
                "task": "deploy",
                "payload": d.payload,
                "original_environment": d.environment,
                "environment": d.environment,
                "description": d.description,
                "creator": user_json(w, base, d.creator),
                "created_at": rfc3339(d.created_at),
                "updated_at": rfc3339(updated),
                "statuses_url": format!("{base}/repos/{org}/{name}/deployments/{}/statuses", d.id),
                "repository_url": format!("{base}/repos/{org}/{name}"),
                "transient_environment": false,
                "production_environment": d.environment == "production"
            })
        })
        .collect();
    listing(&h, &q, &format!("/repos/{owner}/{name}/deployments"), items)
}

async fn deployment_statuses(
    State(gh): State<Gh>,
    Path((owner, name, id)): Path<(String, String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let Some((_, r)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    let Some(d) = id
        .parse::<i64>()
        .ok()
        .and_then(|id| r.github_deployments().iter().find(|d| d.id == id))
    else {
        return not_found();
    };
    let w = &gh.world;
    let base = API;
    let org = &w.org.company.github_org;
    let items = d
        .statuses
        .iter()
        .rev()
        .map(|s| {
            json!({
                "url": format!("{base}/repos/{org}/{name}/deployments/{}/statuses/{}", d.id, s.id),
                "id": s.id,
                "node_id": format!("DES_{}", s.id),
                "state": s.state,
                "creator": user_json(w, base, d.creator),
                "description": s.description,
                "environment": d.environment,
                "target_url": format!("{WEB}/{org}/{name}/actions/runs/{}", d.id),
                "log_url": format!("{WEB}/{org}/{name}/actions/runs/{}", d.id),
                "environment_url": "",
                "created_at": rfc3339(s.at),
                "updated_at": rfc3339(s.at),
                "deployment_url": format!("{base}/repos/{org}/{name}/deployments/{}", d.id),
                "repository_url": format!("{base}/repos/{org}/{name}")
            })
        })
        .collect();
    listing(
        &h,
        &q,
        &format!("/repos/{owner}/{name}/deployments/{id}/statuses"),
        items,
    )
}

async fn releases(
    State(gh): State<Gh>,
    Path((owner, name)): Path<(String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let Some((_, r)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    let w = &gh.world;
    let base = API;
    let org = &w.org.company.github_org;
    let items = r
        .releases
        .iter()
        .rev()
        .map(|x| {
            json!({
                "url": format!("{base}/repos/{org}/{name}/releases/{}", x.id),
                "html_url": format!("{WEB}/{org}/{name}/releases/tag/{}", x.tag),
                "id": x.id,
                "node_id": format!("RE_{}", x.id),
                "tag_name": x.tag,
                "target_commitish": x.sha,
                "name": x.name,
                "body": x.body,
                "draft": false,
                "prerelease": false,
                "immutable": false,
                "created_at": rfc3339(x.created_at),
                "published_at": rfc3339(x.created_at),
                "author": user_json(w, base, x.author),
                "assets": []
            })
        })
        .collect();
    listing(&h, &q, &format!("/repos/{owner}/{name}/releases"), items)
}

async fn tags(
    State(gh): State<Gh>,
    Path((owner, name)): Path<(String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let Some((_, r)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    let base = API;
    let org = &gh.world.org.company.github_org;
    let items = r
        .tags
        .iter()
        .rev()
        .map(|t| {
            json!({
                "name": t.name,
                "commit": {"sha": t.sha, "url": format!("{base}/repos/{org}/{name}/commits/{}", t.sha)},
                "zipball_url": format!("{base}/repos/{org}/{name}/zipball/refs/tags/{}", t.name),
                "tarball_url": format!("{base}/repos/{org}/{name}/tarball/refs/tags/{}", t.name),
                "node_id": format!("REF_{}", t.name)
            })
        })
        .collect();
    listing(&h, &q, &format!("/repos/{owner}/{name}/tags"), items)
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions: workflows and their runs
// ---------------------------------------------------------------------------------------------

fn workflow_json(base: &str, org: &str, repo: &str, wf: &actions::Workflow) -> Value {
    let file = wf.path.rsplit('/').next().unwrap_or(&wf.path);
    json!({
        "id": wf.id,
        "node_id": format!("W_{}", wf.id),
        "name": wf.name,
        "path": wf.path,
        "state": "active",
        "created_at": rfc3339(wf.created_at),
        "updated_at": rfc3339(wf.created_at),
        "url": format!("{base}/repos/{org}/{repo}/actions/workflows/{}", wf.id),
        "html_url": format!("{WEB}/{org}/{repo}/blob/main/{}", wf.path),
        "badge_url": format!("{WEB}/{org}/{repo}/workflows/{}/badge.svg", file)
    })
}

/// `GET /repos/{o}/{r}/actions/workflows`: `{total_count, workflows}`, paginated.
async fn workflows_list(
    State(gh): State<Gh>,
    Path((owner, name)): Path<(String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let Some((ri, _)) = gh.repo(&owner, &name) else {
        return not_found();
    };
    let base = API;
    let org = &gh.world.org.company.github_org;
    let items: Vec<Value> = gh.idx.actions[ri]
        .0
        .iter()
        .map(|wf| workflow_json(base, org, &name, wf))
        .collect();
    paginate_wrapped(
        &base_of(&h),
        &format!("/repos/{owner}/{name}/actions/workflows"),
        &q,
        items,
        page_of(&q),
        Some("workflows"),
    )
}

/// A `created` filter as GitHub's search syntax writes it — `>=D`, `>D`, `<=D`, `<D`, `D..D` or
/// `D` (a day), D a date or an RFC 3339 time — as an inclusive range; `None` when malformed.
pub(crate) fn created_range(v: &str) -> Option<(Ts, Ts)> {
    // (start, end) of a date (the whole day) or a time (that second).
    let point = |s: &str| -> Option<(Ts, Ts)> {
        if let Some(t) = parse_rfc3339(s) {
            return Some((t, t));
        }
        let t = bosun_core::time::parse_user_time(s)?.timestamp();
        Some((t, t + DAY - 1))
    };
    if let Some((a, b)) = v.split_once("..") {
        return Some((point(a)?.0, point(b)?.1));
    }
    if let Some(d) = v.strip_prefix(">=") {
        return Some((point(d)?.0, Ts::MAX));
    }
    if let Some(d) = v.strip_prefix("<=") {
        return Some((Ts::MIN, point(d)?.1));
    }
    if let Some(d) = v.strip_prefix('>') {
        return Some((point(d)?.1 + 1, Ts::MAX));
    }
    if let Some(d) = v.strip_prefix('<') {
        return Some((Ts::MIN, point(d)?.0 - 1));
    }
    point(v)
}

fn run_json(w: &World, base: &str, r: &Repo, run: &actions::WorkflowRun, prs: bool) -> Value {
    let org = &w.org.company.github_org;
    let api = format!("{base}/repos/{org}/{}", r.name);
    let commit = r.commits.iter().find(|c| c.sha == run.head_sha);
    let repo_min = json!({
        "id": r.id,
        "node_id": format!("MDEwOlJlcG9zaXRvcnk{}", r.id),
        "name": r.name,
        "full_name": format!("{org}/{}", r.name),
        "private": true,
        "owner": {"login": org, "id": 1, "type": "Organization"},
        "html_url": format!("{WEB}/{org}/{}", r.name),
        "url": api.clone()
    });
    let pull_requests: Vec<Value> = run
        .pull_number
        .filter(|_| prs)
        .and_then(|n| r.pulls.iter().find(|p| p.number == n))
        .map(|p| {
            json!({
                "url": format!("{api}/pulls/{}", p.number),
                "id": p.id,
                "number": p.number,
                "head": {"ref": p.head_ref, "sha": run.head_sha, "repo": {"id": r.id, "url": api.clone(), "name": r.name}},
                "base": {"ref": p.base_ref, "sha": "", "repo": {"id": r.id, "url": api.clone(), "name": r.name}}
            })
        })
        .into_iter()
        .collect();
    let url = format!("{api}/actions/runs/{}", run.id);
    let mut v = json!({
        "id": run.id,
        "name": run.name,
        "node_id": format!("WFR_{}", run.id),
        "check_suite_id": run.id + 1_000_000_000,
        "check_suite_node_id": format!("CS_{}", run.id),
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": run.path,
        "run_number": run.run_number,
        "event": run.event,
        "display_title": run.display_title,
        "status": run.status,
        "conclusion": run.conclusion,
        "workflow_id": run.workflow_id,
        "url": url,
        "html_url": format!("{WEB}/{org}/{}/actions/runs/{}", r.name, run.id),
        "pull_requests": pull_requests,
        "created_at": rfc3339(run.created_at),
        "updated_at": rfc3339(run.updated_at),
        "actor": user_json(w, base, run.actor),
        "run_attempt": run.run_attempt,
        "referenced_workflows": [],
        "run_started_at": rfc3339(run.run_started_at)
    });
    let more = json!({
        "triggering_actor": user_json(w, base, run.actor),
        "jobs_url": format!("{url}/jobs"),
        "logs_url": format!("{url}/logs"),
        "check_suite_url": format!("{api}/check-suites/{}", run.id + 1_000_000_000),
        "artifacts_url": format!("{url}/artifacts"),
        "cancel_url": format!("{url}/cancel"),
        "rerun_url": format!("{url}/rerun"),
        "previous_attempt_url": (run.run_attempt > 1).then(|| format!("{url}/attempts/{}", run.run_attempt - 1)),
        "workflow_url": format!("{api}/actions/workflows/{}", run.workflow_id),
        "head_commit": commit.map(|c| json!({
            "id": c.sha,
            "tree_id": c.sha,
            "message": c.message,
            "timestamp": rfc3339(c.committer.at),
            "author": {"name": c.author.name, "email": c.author.email},
            "committer": {"name": c.committer.name, "email": c.committer.email}
        })),
        "repository": repo_min.clone(),
        "head_repository": repo_min
    });
    if let (Some(o), Value::Object(m)) = (v.as_object_mut(), more) {
        o.extend(m);
    }
    v
}

/// The runs of a repository (of one workflow: its id or file name), filtered as GitHub filters
/// them (`branch`, `event`, `status` — a status or a conclusion —, `created`, `head_sha`), newest
/// first, as `{total_count, workflow_runs}` pages.
fn serve_runs(
    gh: &Gh,
    owner: &str,
    name: &str,
    workflow: Option<&str>,
    q: &HashMap<String, String>,
    h: &HeaderMap,
) -> Response {
    let Some((ri, r)) = gh.repo(owner, name) else {
        return not_found();
    };
    let (workflows, runs) = &gh.idx.actions[ri];
    let wf_id = match workflow {
        None => None,
        Some(key) => match workflows
            .iter()
            .find(|wf| wf.id.to_string() == key || wf.path.rsplit('/').next() == Some(key))
        {
            Some(wf) => Some(wf.id),
            None => return not_found(),
        },
    };
    let created = match q.get("created").map(|c| created_range(c)) {
        Some(None) => {
            return http::json_response(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &json!({"message": "Validation Failed", "errors": [{"resource": "WorkflowRun", "field": "created", "code": "invalid"}], "documentation_url": "https://docs.github.com/rest/actions/workflow-runs", "status": "422"}),
            );
        }
        Some(Some(range)) => Some(range),
        None => None,
    };
    let prs = q.get("exclude_pull_requests").is_none_or(|v| v != "true");
    let base = API;
    let items: Vec<Value> = runs
        .iter()
        .filter(|run| wf_id.is_none_or(|id| run.workflow_id == id))
        .filter(|run| q.get("branch").is_none_or(|b| &run.head_branch == b))
        .filter(|run| q.get("event").is_none_or(|e| &run.event == e))
        .filter(|run| q.get("head_sha").is_none_or(|s| &run.head_sha == s))
        .filter(|run| {
            q.get("status")
                .is_none_or(|s| &run.status == s || run.conclusion.as_ref() == Some(s))
        })
        .filter(|run| created.is_none_or(|(a, b)| (a..=b).contains(&run.created_at)))
        .map(|run| run_json(&gh.world, base, r, run, prs))
        .collect();
    let path = match workflow {
        Some(wf) => format!("/repos/{owner}/{name}/actions/workflows/{wf}/runs"),
        None => format!("/repos/{owner}/{name}/actions/runs"),
    };
    paginate_wrapped(
        &base_of(h),
        &path,
        q,
        items,
        page_of(q),
        Some("workflow_runs"),
    )
}

async fn runs_list(
    State(gh): State<Gh>,
    Path((owner, name)): Path<(String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    serve_runs(&gh, &owner, &name, None, &q, &h)
}

async fn workflow_runs_list(
    State(gh): State<Gh>,
    Path((owner, name, workflow)): Path<(String, String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    serve_runs(&gh, &owner, &name, Some(&workflow), &q, &h)
}

#[cfg(test)]
mod actions_tests {
    use super::created_range;

    #[test]
    fn created_filters_read_githubs_search_syntax() {
        let day = 1_767_225_600; // 2026-01-01T00:00:00Z
        assert_eq!(created_range(">=2026-01-01"), Some((day, i64::MAX)));
        assert_eq!(created_range(">2026-01-01"), Some((day + 86_400, i64::MAX)));
        assert_eq!(
            created_range("<=2026-01-01"),
            Some((i64::MIN, day + 86_399))
        );
        assert_eq!(created_range("<2026-01-01"), Some((i64::MIN, day - 1)));
        assert_eq!(created_range("2026-01-01"), Some((day, day + 86_399)));
        assert_eq!(
            created_range("2026-01-01..2026-01-02"),
            Some((day, day + 2 * 86_400 - 1))
        );
        assert_eq!(
            created_range(">=2026-01-01T00:00:10Z"),
            Some((day + 10, i64::MAX))
        );
        assert_eq!(created_range(">=yesterday"), None);
    }
}
