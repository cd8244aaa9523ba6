//! What approved actions write to the fakes: Slack messages (channels and DMs), GitHub PR comments
//! and reviewer requests, Jira comments, transitions and created tickets — in the real APIs'
//! shapes. Writes are
//! kept in a journal (in memory, and in a JSON-lines file when the fakes are given a state
//! directory, so a later `bosun demo providers` or re-sync still sees them) and shown through the
//! providers' own read endpoints and `GET /_fake/<provider>/writes`.
//!
//! Like the real APIs, the fakes do not de-duplicate repeated writes: exactly-once delivery is the
//! client's job. `POST /_fake/<provider>/lose-responses {"count": N}` makes the next N writes land
//! but answer 502, the ambiguous failure a client must recover from without writing twice.

use crate::http::{self, Guard, json, json_response, not_found};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bosun_core::time::rfc3339;
use bosun_demo::World;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// One provider's writes.
pub struct Journal {
    path: Option<PathBuf>,
    entries: Mutex<Vec<Value>>,
    lose: AtomicU32,
}

impl Journal {
    /// A journal kept in `path` (JSON lines, loaded if it exists), or in memory only.
    pub fn open(path: Option<PathBuf>) -> std::io::Result<Arc<Journal>> {
        let mut entries = Vec::new();
        if let Some(p) = &path {
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir)?;
            }
            if let Ok(text) = std::fs::read_to_string(p) {
                entries = text
                    .lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect();
            }
        }
        Ok(Arc::new(Journal {
            path,
            entries: Mutex::new(entries),
            lose: AtomicU32::new(0),
        }))
    }

    /// Append a write (durably, when file-backed) and return it.
    pub fn record(&self, entry: Value) -> Value {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = &self.path {
            let line = format!("{entry}\n");
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .and_then(|mut f| {
                    f.write_all(line.as_bytes())?;
                    f.sync_all()
                });
            if let Err(e) = written {
                tracing::warn!("fake journal {}: {e}", p.display());
            }
        }
        entries.push(entry.clone());
        entry
    }

    /// Every write recorded, oldest first.
    pub fn all(&self) -> Vec<Value> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// How many writes were recorded.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// No write was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the answer to this write should be lost (the write itself landed).
    pub(crate) fn lose_answer(&self) -> bool {
        self.lose
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

pub(crate) fn lost() -> Response {
    json_response(
        StatusCode::BAD_GATEWAY,
        &json!({"message": "upstream connection reset"}),
    )
}

/// `GET /_fake/<name>/writes` and `POST /_fake/<name>/lose-responses`: test controls, no auth.
pub(crate) fn admin(name: &str, journal: Arc<Journal>) -> Router {
    let j2 = journal.clone();
    Router::new()
        .route(
            &format!("/_fake/{name}/writes"),
            get(move || {
                let j = journal.clone();
                async move { json(&Value::Array(j.all())) }
            }),
        )
        .route(
            &format!("/_fake/{name}/lose-responses"),
            post(move |axum::Json(v): axum::Json<Value>| {
                let j = j2.clone();
                async move {
                    let n = v.get("count").and_then(Value::as_u64).unwrap_or(1) as u32;
                    j.lose.store(n, Ordering::SeqCst);
                    json(&json!({"ok": true}))
                }
            }),
        )
}

// ---------------------------------------------------------------------------------------------
// GitHub
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
struct Gh {
    world: Arc<World>,
    journal: Arc<Journal>,
}

const API: &str = "https://api.github.com";
const BOT: &str = "bosun-app[bot]";

fn bot_user() -> Value {
    json!({"login": BOT, "id": 99_000_001, "type": "Bot", "site_admin": false,
           "url": format!("{API}/users/bosun-app%5Bbot%5D"), "html_url": "https://github.com/apps/bosun-app"})
}

impl Gh {
    fn pull(&self, owner: &str, name: &str, number: &str) -> Option<(usize, i64)> {
        if owner != self.world.org.company.github_org {
            return None;
        }
        let ri = self.world.repos.iter().position(|r| r.name == name)?;
        let n: i64 = number.parse().ok()?;
        self.world.repos[ri]
            .pulls
            .iter()
            .any(|p| p.number == n)
            .then_some((ri, n))
    }

    fn comments(&self, ri: usize, n: i64) -> Vec<Value> {
        let w = &self.world;
        let r = &w.repos[ri];
        let mut out: Vec<Value> = (0..r.issue_comments.len())
            .filter(|&i| r.issue_comments[i].number == n)
            .map(|i| crate::github::issue_comment_json(w, API, r, i))
            .collect();
        out.extend(
            self.journal
                .all()
                .into_iter()
                .filter(|e| {
                    e["kind"] == "comment" && e["repo"] == r.name.as_str() && e["number"] == n
                })
                .map(|e| e["comment"].clone()),
        );
        out
    }
}

pub(crate) fn github(world: Arc<World>, journal: Arc<Journal>, guard: Guard) -> Router {
    let state = Gh {
        world,
        journal: journal.clone(),
    };
    Router::new()
        .route(
            "/repos/{owner}/{repo}/issues/{number}/comments",
            get(gh_comments).post(gh_comment),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/requested_reviewers",
            get(gh_requested_reviewers).post(gh_request_reviewers),
        )
        .with_state(state)
        .route_layer(axum::middleware::from_fn_with_state(guard, http::guard))
        .merge(admin("github", journal))
}

async fn gh_comments(
    State(gh): State<Gh>,
    Path((owner, name, number)): Path<(String, String, String)>,
    Query(q): Query<HashMap<String, String>>,
    h: axum::http::HeaderMap,
) -> Response {
    let Some((ri, n)) = gh.pull(&owner, &name, &number) else {
        return not_found();
    };
    http::paginate(
        &http::base_of(&h),
        &format!("/repos/{owner}/{name}/issues/{number}/comments"),
        &q,
        gh.comments(ri, n),
        http::page_of(&q),
    )
}

async fn gh_comment(
    State(gh): State<Gh>,
    Path((owner, name, number)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let Some((_, n)) = gh.pull(&owner, &name, &number) else {
        return not_found();
    };
    let Some(text) = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("body").and_then(Value::as_str).map(str::to_string))
    else {
        return json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({"message": "Invalid request.\n\n\"body\" wasn't supplied.", "status": "422"}),
        );
    };
    let id = 900_000_000 + gh.journal.len() as i64 + 1;
    let at = rfc3339(gh.world.as_of + 60 + gh.journal.len() as i64);
    let comment = json!({
        "id": id,
        "node_id": format!("IC_{id}"),
        "url": format!("{API}/repos/{owner}/{name}/issues/comments/{id}"),
        "html_url": format!("https://github.com/{owner}/{name}/pull/{n}#issuecomment-{id}"),
        "body": text,
        "user": bot_user(),
        "created_at": at,
        "updated_at": at,
        "issue_url": format!("{API}/repos/{owner}/{name}/issues/{n}"),
        "author_association": "NONE"
    });
    gh.journal.record(json!({"provider": "github", "kind": "comment", "repo": name, "number": n, "comment": comment}));
    if gh.journal.lose_answer() {
        return lost();
    }
    json_response(StatusCode::CREATED, &comment)
}

impl Gh {
    /// Reviewers requested now: the world's, then the journal's requests.
    fn requested(&self, ri: usize, n: i64) -> Vec<Value> {
        let w = &self.world;
        let r = &w.repos[ri];
        let mut requested: Vec<Value> = r
            .pulls
            .iter()
            .find(|p| p.number == n)
            .map(|p| {
                p.requested_reviewers
                    .iter()
                    .map(|&u| crate::github::user_json(w, API, u))
                    .collect()
            })
            .unwrap_or_default();
        for e in self.journal.all() {
            if e["kind"] == "reviewers" && e["repo"] == r.name.as_str() && e["number"] == n {
                for l in e["reviewers"].as_array().into_iter().flatten() {
                    if let Some(u) = l.as_str().and_then(|l| w.user_by_login(l))
                        && !requested.iter().any(|x| x["login"] == l.clone())
                    {
                        requested.push(crate::github::user_json(w, API, u));
                    }
                }
            }
        }
        requested
    }
}

/// `GET .../pulls/{number}/requested_reviewers`: `{users, teams}`, the world's requests and the
/// ones Bosun made.
async fn gh_requested_reviewers(
    State(gh): State<Gh>,
    Path((owner, name, number)): Path<(String, String, String)>,
) -> Response {
    let Some((ri, n)) = gh.pull(&owner, &name, &number) else {
        return not_found();
    };
    json(&json!({"users": gh.requested(ri, n), "teams": []}))
}

async fn gh_request_reviewers(
    State(gh): State<Gh>,
    Path((owner, name, number)): Path<(String, String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let Some((ri, n)) = gh.pull(&owner, &name, &number) else {
        return not_found();
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or_default();
    let logins: Vec<String> = v
        .get("reviewers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let w = &gh.world;
    let unknown: Vec<&String> = logins
        .iter()
        .filter(|l| w.user_by_login(l).is_none_or(|u| w.users[u].is_bot))
        .collect();
    if logins.is_empty() || !unknown.is_empty() {
        return json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({"message": "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the repository.", "status": "422"}),
        );
    }
    gh.journal.record(json!({"provider": "github", "kind": "reviewers", "repo": name, "number": n, "reviewers": logins}));
    if gh.journal.lose_answer() {
        return lost();
    }
    let requested = gh.requested(ri, n);
    json_response(
        StatusCode::CREATED,
        &json!({"number": n, "url": format!("{API}/repos/{owner}/{name}/pulls/{n}"), "html_url": format!("https://github.com/{owner}/{name}/pull/{n}"), "requested_reviewers": requested, "requested_teams": []}),
    )
}

// ---------------------------------------------------------------------------------------------
// Jira
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
struct Jira {
    world: Arc<World>,
    journal: Arc<Journal>,
}

const SITE: &str = crate::jira::SITE;

/// Transition ids of the demo workflow: any status can move to any other.
fn transition_id(status: &str) -> &'static str {
    match status {
        "To Do" => "11",
        "In Progress" => "21",
        "In Review" => "31",
        "Blocked" => "41",
        _ => "51",
    }
}

impl Jira {
    fn ticket(&self, key: &str) -> Option<usize> {
        self.world.tickets.iter().position(|t| t.key == key)
    }

    /// The status now: the world's, then the journal's transitions.
    fn status(&self, i: usize) -> String {
        let t = &self.world.tickets[i];
        self.journal
            .all()
            .into_iter()
            .filter(|e| e["kind"] == "transition" && e["key"] == t.key.as_str())
            .filter_map(|e| e["to"].as_str().map(str::to_string))
            .next_back()
            .unwrap_or_else(|| t.status.clone())
    }

    /// A ticket created through the API.
    fn created(&self, key: &str) -> Option<Value> {
        created_issues(&self.journal)
            .into_iter()
            .find(|i| i["key"] == key)
    }

    fn comments(&self, key: &str) -> Vec<Value> {
        self.journal
            .all()
            .into_iter()
            .filter(|e| e["kind"] == "comment" && e["key"] == key)
            .map(|e| e["comment"].clone())
            .collect()
    }
}

pub(crate) fn jira(world: Arc<World>, journal: Arc<Journal>, guard: Guard) -> Router {
    let state = Jira {
        world,
        journal: journal.clone(),
    };
    Router::new()
        .route("/rest/api/3/issue", post(jira_create))
        .route("/rest/api/3/issue/{key}", get(jira_issue))
        .route(
            "/rest/api/3/issue/{key}/comment",
            get(jira_comments).post(jira_comment),
        )
        .route(
            "/rest/api/3/issue/{key}/transitions",
            get(jira_transitions).post(jira_transition),
        )
        .with_state(state)
        .route_layer(axum::middleware::from_fn_with_state(guard, http::guard))
        .merge(admin("jira", journal))
}

fn jira_error(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({"errorMessages": [message], "errors": {}}))
}

/// Jira's answer about an issue that does not exist (or that the token may not see).
fn no_such_issue() -> Response {
    jira_error(
        StatusCode::NOT_FOUND,
        "Issue does not exist or you do not have permission to see it.",
    )
}

/// The tickets created through the API (`POST /rest/api/3/issue`), oldest first, as Jira shows
/// an issue.
pub(crate) fn created_issues(journal: &Journal) -> Vec<Value> {
    journal
        .all()
        .into_iter()
        .filter(|e| e["kind"] == "issue")
        .map(|e| e["issue"].clone())
        .collect()
}

/// `POST /rest/api/3/issue`: a task in the demo's project, with a summary; labels, a description
/// (Atlassian Document Format) and an assignee kept. Keys follow the world's tickets.
async fn jira_create(State(j): State<Jira>, body: axum::body::Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or_default();
    let f = &v["fields"];
    let project = &j.world.org.company.jira_project;
    if f["project"]["key"].as_str() != Some(project.as_str()) {
        return json_response(
            StatusCode::BAD_REQUEST,
            &json!({"errorMessages": [], "errors": {"project": "Specify a valid project ID or key"}}),
        );
    }
    let summary = f["summary"].as_str().unwrap_or_default().trim();
    if summary.is_empty() {
        return json_response(
            StatusCode::BAD_REQUEST,
            &json!({"errorMessages": [], "errors": {"summary": "You must specify a summary of the issue."}}),
        );
    }
    if f.get("description")
        .is_some_and(|d| !d.is_null() && d.get("type") != Some(&json!("doc")))
    {
        return jira_error(
            StatusCode::BAD_REQUEST,
            "Operation value must be an Atlassian Document.",
        );
    }
    let highest = j
        .world
        .tickets
        .iter()
        .filter_map(|t| {
            t.key
                .rsplit_once('-')
                .and_then(|(_, n)| n.parse::<i64>().ok())
        })
        .max()
        .unwrap_or(0);
    let n = highest + 1 + created_issues(&j.journal).len() as i64;
    let id = (900_000 + n).to_string();
    let key = format!("{project}-{n}");
    // The assignee as Jira shows a user; an account nobody has is refused, as Jira does.
    let w = &j.world;
    let assignee = match f["assignee"]["accountId"].as_str() {
        Some(a) => match w.org.people.iter().position(|p| p.jira == a) {
            Some(i) => crate::jira::user_json(w, SITE, i),
            None => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &json!({"errorMessages": [], "errors": {"assignee": format!("User '{a}' cannot be assigned issues.")}}),
                );
            }
        },
        None => Value::Null,
    };
    let me = crate::jira::me(w);
    // Created at the world's "now": a demo whose clock stands still sees it at once.
    let at = crate::jira::jira_time(w.as_of, 0);
    let issue = json!({
        "id": id,
        "key": key,
        "self": format!("{SITE}/rest/api/3/issue/{id}"),
        "fields": {
            "summary": summary,
            "issuetype": {"name": f["issuetype"]["name"].as_str().unwrap_or("Task")},
            "project": {"id": "10000", "key": project, "name": w.org.company.jira_project_name},
            "labels": f["labels"].clone(),
            "assignee": assignee,
            "reporter": crate::jira::user_json(w, SITE, me),
            "priority": {"id": "3", "name": "Medium"},
            "description": f["description"].clone(),
            "duedate": f["duedate"].clone(),
            "status": crate::jira::status_json(SITE, "To Do"),
            "created": at,
            "updated": at,
        }
    });
    j.journal
        .record(json!({"provider": "jira", "kind": "issue", "key": key, "issue": issue}));
    if j.journal.lose_answer() {
        return lost();
    }
    json_response(
        StatusCode::CREATED,
        &json!({"id": issue["id"], "key": issue["key"], "self": issue["self"]}),
    )
}

async fn jira_issue(State(j): State<Jira>, Path(key): Path<String>) -> Response {
    if let Some(created) = j.created(&key) {
        return json(&created);
    }
    let Some(i) = j.ticket(&key) else {
        return no_such_issue();
    };
    let t = &j.world.tickets[i];
    let status = j.status(i);
    json(&json!({
        "id": t.id.to_string(),
        "key": t.key,
        "self": format!("{SITE}/rest/api/3/issue/{}", t.id),
        "fields": {"summary": t.summary, "status": crate::jira::status_json(SITE, &status),
                   "comment": {"comments": j.comments(&key), "total": j.comments(&key).len()}}
    }))
}

async fn jira_comments(State(j): State<Jira>, Path(key): Path<String>) -> Response {
    if j.ticket(&key).is_none() {
        return no_such_issue();
    }
    let comments = j.comments(&key);
    json(&json!({"startAt": 0, "maxResults": 5000, "total": comments.len(), "comments": comments}))
}

async fn jira_comment(
    State(j): State<Jira>,
    Path(key): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let Some(i) = j.ticket(&key) else {
        return no_such_issue();
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or_default();
    let Some(doc) = v
        .get("body")
        .filter(|b| b.get("type") == Some(&json!("doc")))
    else {
        return jira_error(
            StatusCode::BAD_REQUEST,
            "Comment body is not valid Atlassian Document Format.",
        );
    };
    let id = (10_000 + j.journal.len() + 1).to_string();
    let at = crate::jira::jira_time(j.world.as_of + 60 + j.journal.len() as i64, 0);
    let comment = json!({
        "self": format!("{SITE}/rest/api/3/issue/{}/comment/{id}", j.world.tickets[i].id),
        "id": id,
        "author": {"accountId": "bosun-app", "displayName": "Bosun", "accountType": "app"},
        "body": doc,
        "created": at,
        "updated": at,
        "properties": v.get("properties").cloned().unwrap_or(json!([]))
    });
    j.journal
        .record(json!({"provider": "jira", "kind": "comment", "key": key, "comment": comment}));
    if j.journal.lose_answer() {
        return lost();
    }
    json_response(StatusCode::CREATED, &comment)
}

async fn jira_transitions(State(j): State<Jira>, Path(key): Path<String>) -> Response {
    let Some(i) = j.ticket(&key) else {
        return no_such_issue();
    };
    let now = j.status(i);
    let list: Vec<Value> = crate::jira::STATUSES
        .iter()
        .filter(|s| **s != now)
        .map(|s| json!({"id": transition_id(s), "name": s, "to": crate::jira::status_json(SITE, s), "hasScreen": false}))
        .collect();
    json(&json!({"expand": "transitions", "transitions": list}))
}

async fn jira_transition(
    State(j): State<Jira>,
    Path(key): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let Some(i) = j.ticket(&key) else {
        return no_such_issue();
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or_default();
    let id = v["transition"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let now = j.status(i);
    let Some(to) = crate::jira::STATUSES
        .iter()
        .find(|s| transition_id(s) == id && **s != now)
    else {
        return jira_error(
            StatusCode::BAD_REQUEST,
            "Transition id is not valid for this issue.",
        );
    };
    j.journal.record(
        json!({"provider": "jira", "kind": "transition", "key": key, "from": now, "to": to}),
    );
    if j.journal.lose_answer() {
        return lost();
    }
    StatusCode::NO_CONTENT.into_response()
}
