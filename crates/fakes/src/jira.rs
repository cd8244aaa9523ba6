//! A fake Jira Cloud (REST v3 and Agile 1.0, the subset Bosun reads) serving the demo world's
//! project, boards, sprints and issues with changelogs. Shapes follow Atlassian's examples
//! (`shared/realdata/jira-examples`): v3 descriptions are Atlassian Document Format, timestamps
//! look like `2026-11-20T10:00:00.000+0100`, the search's changelog expansion is truncated and
//! the rest is paged from `/issue/{key}/changelog`.

use crate::faults::Faults;
use crate::http::{self, Guard, json, json_response};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use bosun_core::time::{Ts, from_ts};
use bosun_demo::World;
use bosun_demo::world::{Sprint, Ticket};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// Histories included inline by `expand=changelog`; the rest must be paged.
pub const INLINE_HISTORIES: usize = 20;
/// The custom field holding story points.
pub const STORY_POINTS_FIELD: &str = "customfield_10016";
/// The custom field holding the sprints.
pub const SPRINT_FIELD: &str = "customfield_10020";
/// The custom field holding the "Flagged" impediment.
pub const FLAGGED_FIELD: &str = "customfield_10021";
/// The site written into payload `self` links (as Jira Cloud writes its own). Clients page by
/// `startAt`/`nextPageToken`, never by these, and fixed links keep bodies identical across ports.
pub const SITE: &str = "https://tidewater.atlassian.net";

#[derive(Clone)]
struct Jira {
    world: Arc<World>,
    by_key: Arc<HashMap<String, usize>>,
    /// The writes, for the tickets created through the API.
    journal: Arc<crate::writes::Journal>,
}

type Q = Query<HashMap<String, String>>;

/// The fake Jira Cloud REST API over `world`, accepting `token`; tickets created through the
/// API (kept in `journal`) are found by their labels.
pub fn router(
    world: Arc<World>,
    faults: Arc<Faults>,
    token: String,
    journal: Arc<crate::writes::Journal>,
) -> Router {
    let by_key = world
        .tickets
        .iter()
        .enumerate()
        .map(|(i, t)| (t.key.clone(), i))
        .collect();
    let state = Jira {
        world,
        by_key: Arc::new(by_key),
        journal,
    };
    let guard = Guard {
        faults: faults.clone(),
        token,
        style: http::Style::Http401,
    };
    Router::new()
        .route("/rest/api/3/myself", get(myself))
        .route("/rest/api/3/field", get(fields))
        .route("/rest/api/3/status", get(statuses))
        .route("/rest/api/3/search/jql", get(search_jql))
        .route("/rest/api/3/search", get(search_classic))
        .route("/rest/api/3/issue/{key}/changelog", get(changelog))
        .route("/rest/agile/1.0/board", get(boards))
        .route("/rest/agile/1.0/board/{id}/sprint", get(board_sprints))
        .with_state(state)
        .route_layer(axum::middleware::from_fn_with_state(guard, http::guard))
        .merge(crate::github::admin_router(faults))
}

/// Jira's timestamp format with a numeric offset: `2026-11-20T10:00:00.000+0100`.
pub fn jira_time(ts: Ts, offset_hours: i64) -> String {
    let local = from_ts(ts + offset_hours * 3600);
    let sign = if offset_hours < 0 { '-' } else { '+' };
    format!(
        "{}.000{sign}{:02}00",
        local.format("%Y-%m-%dT%H:%M:%S"),
        offset_hours.abs()
    )
}

pub(crate) fn status_json(base: &str, name: &str) -> Value {
    let (id, cat) = status_def(name);
    let (cat_id, cat_name, color) = match cat {
        "new" => (2, "To Do", "blue-gray"),
        "done" => (3, "Done", "green"),
        _ => (4, "In Progress", "yellow"),
    };
    json!({
        "self": format!("{base}/rest/api/3/status/{id}"),
        "id": id,
        "name": name,
        "statusCategory": {"self": format!("{base}/rest/api/3/statuscategory/{cat_id}"), "id": cat_id, "key": cat, "colorName": color, "name": cat_name}
    })
}

/// The demo workflow: (status id, status category key).
pub(crate) fn status_def(name: &str) -> (&'static str, &'static str) {
    match name {
        "To Do" => ("10000", "new"),
        "In Progress" => ("3", "indeterminate"),
        "In Review" => ("10101", "indeterminate"),
        "Blocked" => ("10102", "indeterminate"),
        _ => ("10001", "done"),
    }
}

pub(crate) const STATUSES: &[&str] = &["To Do", "In Progress", "In Review", "Blocked", "Done"];

pub(crate) fn user_json(w: &World, base: &str, person: usize) -> Value {
    let p = &w.org.people[person];
    json!({
        "self": format!("{base}/rest/api/3/user?accountId={}", p.jira),
        "accountId": p.jira,
        "accountType": "atlassian",
        "emailAddress": p.email,
        "displayName": p.name,
        "active": true,
        "timeZone": format!("Etc/GMT{}{}", if p.utc_offset > 0 { "-" } else { "+" }, p.utc_offset.abs())
    })
}

fn adf(text: &str) -> Value {
    let paragraphs: Vec<Value> = text
        .split("\n\n")
        .map(|para| json!({"type": "paragraph", "content": [{"type": "text", "text": para}]}))
        .collect();
    json!({"type": "doc", "version": 1, "content": paragraphs})
}

fn sprint_json(base: &str, s: &Sprint, as_of: Ts) -> Value {
    let mut v = json!({
        "id": s.id,
        "self": format!("{base}/rest/agile/1.0/sprint/{}", s.id),
        "state": s.state,
        "name": s.name,
        "originBoardId": s.board_id,
        "boardId": s.board_id,
        "goal": s.goal
    });
    if s.state != "future" {
        let o = v.as_object_mut();
        if let Some(o) = o {
            o.insert("startDate".into(), json!(jira_time(s.start, 0)));
            o.insert("endDate".into(), json!(jira_time(s.end, 0)));
            o.insert("createdDate".into(), json!(jira_time(s.start - 86_400, 0)));
            if let Some(c) = s.complete.filter(|c| *c <= as_of) {
                o.insert("completeDate".into(), json!(jira_time(c, 0)));
            }
        }
    }
    v
}

fn issue_type_id(name: &str) -> &'static str {
    match name {
        "Story" => "10001",
        "Task" => "10002",
        "Bug" => "10004",
        "Tech Debt" => "10010",
        "Risk" => "10011",
        "Epic" => "10000",
        _ => "10002",
    }
}

fn history_json(w: &World, base: &str, t: &Ticket, h: usize) -> Value {
    let c = &t.changelog[h];
    let offset = w.org.people[c.author].utc_offset;
    let items: Vec<Value> = c
        .items
        .iter()
        .map(|i| {
            let field_id = match i.field.as_str() {
                "Sprint" => SPRINT_FIELD,
                "Flagged" => FLAGGED_FIELD,
                "Link" => "issuelinks",
                other => other,
            };
            json!({
                "field": i.field,
                "fieldtype": if field_id.starts_with("customfield_") { "custom" } else { "jira" },
                "fieldId": field_id,
                "from": i.from,
                "fromString": i.from_string,
                "to": i.to,
                "toString": i.to_string
            })
        })
        .collect();
    json!({"id": c.id.to_string(), "author": user_json(w, base, c.author), "created": jira_time(c.at, offset), "items": items})
}

fn issue_json(w: &World, base: &str, t: &Ticket) -> Value {
    let sprints: Vec<Value> = t
        .sprints
        .iter()
        .filter_map(|id| w.sprints.iter().find(|s| s.id == *id))
        .map(|s| sprint_json(base, s, w.as_of))
        .collect();
    let links: Vec<Value> = t
        .links
        .iter()
        .map(|l| {
            let other = json!({
                "id": w.tickets.iter().find(|x| x.key == l.other).map_or(0, |x| x.id).to_string(),
                "key": l.other,
                "self": format!("{base}/rest/api/3/issue/{}", l.other),
                "fields": {"status": w.tickets.iter().find(|x| x.key == l.other).map(|x| status_json(base, &x.status))}
            });
            let side = if l.direction == "inward" { "inwardIssue" } else { "outwardIssue" };
            json!({
                "id": l.id.to_string(),
                "type": {"id": "10000", "name": l.link_type, "inward": "is blocked by", "outward": "blocks"},
                side: other
            })
        })
        .collect();
    let reporter_offset = w.org.people[t.reporter].utc_offset;
    let total = t.changelog.len();
    let histories: Vec<Value> = (0..total.min(INLINE_HISTORIES))
        .map(|h| history_json(w, base, t, h))
        .collect();
    let project = &w.org.company.jira_project;
    json!({
        "expand": "renderedFields,names,schema,operations,editmeta,changelog",
        "id": t.id.to_string(),
        "self": format!("{base}/rest/api/3/issue/{}", t.id),
        "key": t.key,
        "fields": {
            "summary": t.summary,
            "description": adf(&t.description),
            "issuetype": {"id": issue_type_id(&t.issue_type), "name": t.issue_type, "subtask": false, "hierarchyLevel": if t.issue_type == "Epic" { 1 } else { 0 }},
            "project": {"id": "10000", "key": project, "name": w.org.company.jira_project_name},
            "status": status_json(base, &t.status),
            "priority": {"id": "3", "name": t.priority},
            "assignee": t.assignee.map(|a| user_json(w, base, a)),
            "reporter": user_json(w, base, t.reporter),
            "labels": t.labels,
            "created": jira_time(t.created_at, reporter_offset),
            "updated": jira_time(t.updated_at, reporter_offset),
            "resolutiondate": t.resolved_at.map(|r| jira_time(r, reporter_offset)),
            "resolution": t.resolved_at.map(|_| json!({"id": "10000", "name": "Done"})),
            "duedate": t.due_at.map(|d| from_ts(d).format("%Y-%m-%d").to_string()),
            "issuelinks": links,
            "parent": t.parent.as_ref().map(|k| {
                let epic = w.tickets.iter().find(|x| &x.key == k);
                json!({
                    "id": epic.map_or(0, |x| x.id).to_string(),
                    "key": k,
                    "self": format!("{base}/rest/api/3/issue/{k}"),
                    "fields": {
                        "summary": epic.map(|x| x.summary.clone()),
                        "status": epic.map(|x| status_json(base, &x.status)),
                        "issuetype": {"id": "10000", "name": "Epic", "subtask": false, "hierarchyLevel": 1}
                    }
                })
            }),
            STORY_POINTS_FIELD: t.story_points,
            SPRINT_FIELD: if sprints.is_empty() { Value::Null } else { Value::Array(sprints) },
            FLAGGED_FIELD: if t.flagged { json!([{"self": format!("{base}/rest/api/3/customFieldOption/10019"), "value": "Impediment", "id": "10019"}]) } else { Value::Null }
        },
        "changelog": {"startAt": 0, "maxResults": INLINE_HISTORIES, "total": total, "histories": histories}
    })
}

/// The manager the demo's token belongs to (an index into the world's people).
pub(crate) fn me(w: &World) -> usize {
    w.org
        .people
        .iter()
        .position(|p| p.key == w.org.company.me)
        .unwrap_or(0)
}

async fn myself(State(j): State<Jira>) -> Response {
    let w = &j.world;
    json(&user_json(w, SITE, me(w)))
}

async fn fields(State(_j): State<Jira>) -> Response {
    json(&json!([
        {"id": "summary", "key": "summary", "name": "Summary", "custom": false, "schema": {"type": "string", "system": "summary"}},
        {"id": "status", "key": "status", "name": "Status", "custom": false, "schema": {"type": "status", "system": "status"}},
        {"id": "customfield_10014", "key": "customfield_10014", "name": "Epic Link", "custom": true, "schema": {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-epic-link", "customId": 10014}},
        {"id": STORY_POINTS_FIELD, "key": STORY_POINTS_FIELD, "name": "Story point estimate", "custom": true, "schema": {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points", "customId": 10016}},
        {"id": SPRINT_FIELD, "key": SPRINT_FIELD, "name": "Sprint", "custom": true, "schema": {"type": "array", "items": "json", "custom": "com.pyxis.greenhopper.jira:gh-sprint", "customId": 10020}},
        {"id": FLAGGED_FIELD, "key": FLAGGED_FIELD, "name": "Flagged", "custom": true, "schema": {"type": "array", "items": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes", "customId": 10021}}
    ]))
}

async fn statuses(State(_j): State<Jira>) -> Response {
    let base = SITE;
    json(&Value::Array(
        STATUSES.iter().map(|s| status_json(base, s)).collect(),
    ))
}

fn bad_jql(message: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({"errorMessages": [format!("Error in the JQL Query: {message}")], "errors": {}}),
    )
}

/// The subset of JQL Bosun sends: `project = KEY [AND updated >= "YYYY-MM-DD[ HH:mm]"]
/// [ORDER BY updated|key|created ASC|DESC]`. Dates are read as UTC. The tickets created through
/// the API are in the project too: newer than every world ticket, they come last in ascending
/// order and first in descending order.
fn run_jql(j: &Jira, jql: &str) -> Result<Vec<Hit>, String> {
    let w = &j.world;
    let (filter, order) = match jql.to_ascii_lowercase().find(" order by ") {
        Some(i) => (&jql[..i], Some(jql[i + 10..].trim())),
        None => (jql, None),
    };
    let mut project = None;
    let mut since: Option<Ts> = None;
    for clause in filter
        .split(" AND ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        if let Some(rest) = clause.strip_prefix("project") {
            project = Some(
                rest.trim()
                    .trim_start_matches('=')
                    .trim()
                    .trim_matches('"')
                    .to_string(),
            );
        } else if let Some(rest) = clause.strip_prefix("updated") {
            let value = rest
                .trim()
                .strip_prefix(">=")
                .ok_or("only `updated >=` is supported")?
                .trim()
                .trim_matches('"');
            let parsed = chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M")
                .or_else(|_| {
                    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                        .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
                })
                .map_err(|_| format!("the date {value:?} is not valid"))?;
            since = Some(parsed.and_utc().timestamp());
        } else {
            return Err(format!("the clause {clause:?} is not supported"));
        }
    }
    if project.as_deref() != Some(w.org.company.jira_project.as_str()) {
        return Err(format!(
            "the value '{}' does not exist for the field 'project'",
            project.unwrap_or_default()
        ));
    }
    let mut ids: Vec<usize> = (0..w.tickets.len())
        .filter(|&i| since.is_none_or(|s| w.tickets[i].updated_at >= s))
        .collect();
    let (field, desc) = match order.map(|o| o.to_ascii_lowercase()) {
        Some(o) => {
            let mut parts = o.split_whitespace();
            (
                parts.next().unwrap_or("created").to_string(),
                parts.next() == Some("desc"),
            )
        }
        None => ("created".to_string(), true),
    };
    match field.as_str() {
        "updated" => ids.sort_by_key(|&i| (w.tickets[i].updated_at, w.tickets[i].id)),
        "key" => ids.sort_by_key(|&i| w.tickets[i].id),
        "created" => ids.sort_by_key(|&i| (w.tickets[i].created_at, w.tickets[i].id)),
        other => return Err(format!("ordering by {other:?} is not supported")),
    }
    let mut hits: Vec<Hit> = ids.into_iter().map(Hit::World).collect();
    let created = crate::writes::created_issues(&j.journal)
        .into_iter()
        .filter(|_| since.is_none_or(|s| w.as_of >= s))
        .map(Hit::Created);
    hits.extend(created);
    if desc {
        hits.reverse();
    }
    Ok(hits)
}

/// A search result: a ticket of the world, or one created through the API.
enum Hit {
    World(usize),
    Created(Value),
}

impl Hit {
    fn json(&self, w: &World) -> Value {
        match self {
            Hit::World(i) => issue_json(w, SITE, &w.tickets[*i]),
            Hit::Created(v) => v.clone(),
        }
    }
}

fn max_results(q: &HashMap<String, String>) -> usize {
    q.get("maxResults")
        .and_then(|v| v.parse().ok())
        .unwrap_or(50usize)
        .clamp(1, 100)
}

/// `GET /rest/api/3/search/jql` — the enhanced search, paged by an opaque `nextPageToken`.
async fn search_jql(State(j): State<Jira>, Query(q): Q) -> Response {
    let w = &j.world;
    // `labels = "x"`: the tickets created through the API with that label.
    let jql = q.get("jql").map_or("", String::as_str).trim();
    if let Some(rest) = jql.strip_prefix("labels") {
        let label = rest.trim().trim_start_matches('=').trim().trim_matches('"');
        let issues: Vec<Value> = crate::writes::created_issues(&j.journal)
            .into_iter()
            .filter(|i| {
                i["fields"]["labels"]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|x| x == label))
            })
            .collect();
        return json(&json!({"issues": issues, "isLast": true}));
    }
    let ids = match run_jql(&j, q.get("jql").map_or("", String::as_str)) {
        Ok(ids) => ids,
        Err(e) => return bad_jql(&e),
    };
    let start: usize = match q.get("nextPageToken") {
        Some(t) => match t.strip_prefix("tok-").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &json!({"errorMessages": ["Invalid nextPageToken."], "errors": {}}),
                );
            }
        },
        None => 0,
    };
    let n = max_results(&q);
    let page: Vec<Value> = ids.iter().skip(start).take(n).map(|h| h.json(w)).collect();
    let is_last = start + n >= ids.len();
    let mut body = json!({"issues": page, "isLast": is_last});
    if !is_last {
        body["nextPageToken"] = json!(format!("tok-{}", start + n));
    }
    json(&body)
}

/// `GET /rest/api/3/search` — the classic search, paged by `startAt` (Jira Data Center).
async fn search_classic(State(j): State<Jira>, Query(q): Q) -> Response {
    let w = &j.world;
    let ids = match run_jql(&j, q.get("jql").map_or("", String::as_str)) {
        Ok(ids) => ids,
        Err(e) => return bad_jql(&e),
    };
    let start: usize = q.get("startAt").and_then(|v| v.parse().ok()).unwrap_or(0);
    let n = max_results(&q);
    let page: Vec<Value> = ids.iter().skip(start).take(n).map(|h| h.json(w)).collect();
    json(
        &json!({"expand": "schema,names", "startAt": start, "maxResults": n, "total": ids.len(), "issues": page}),
    )
}

async fn changelog(State(j): State<Jira>, Path(key): Path<String>, Query(q): Q) -> Response {
    let w = &j.world;
    let Some(&i) = j.by_key.get(&key) else {
        return json_response(
            StatusCode::NOT_FOUND,
            &json!({"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}}),
        );
    };
    let t = &w.tickets[i];
    let start: usize = q.get("startAt").and_then(|v| v.parse().ok()).unwrap_or(0);
    let n = max_results(&q);
    let base = SITE;
    let values: Vec<Value> = (start..t.changelog.len().min(start + n))
        .map(|h| history_json(w, base, t, h))
        .collect();
    let is_last = start + n >= t.changelog.len();
    let mut body = json!({
        "self": format!("{base}/rest/api/3/issue/{key}/changelog?startAt={start}&maxResults={n}"),
        "maxResults": n, "startAt": start, "total": t.changelog.len(), "isLast": is_last, "values": values
    });
    if !is_last {
        body["nextPage"] = json!(format!(
            "{base}/rest/api/3/issue/{key}/changelog?startAt={}&maxResults={n}",
            start + n
        ));
    }
    json(&body)
}

fn agile_page(q: &HashMap<String, String>, items: Vec<Value>) -> Response {
    let start: usize = q.get("startAt").and_then(|v| v.parse().ok()).unwrap_or(0);
    let n = q
        .get("maxResults")
        .and_then(|v| v.parse().ok())
        .unwrap_or(50usize)
        .clamp(1, 50);
    let total = items.len();
    let values: Vec<Value> = items.into_iter().skip(start).take(n).collect();
    json(
        &json!({"maxResults": n, "startAt": start, "total": total, "isLast": start + n >= total, "values": values}),
    )
}

async fn boards(State(j): State<Jira>, Query(q): Q) -> Response {
    let w = &j.world;
    let base = SITE;
    let project = &w.org.company.jira_project;
    if q.get("projectKeyOrId").is_some_and(|p| p != project) {
        return agile_page(&q, Vec::new());
    }
    let items = w
        .org
        .teams
        .iter()
        .map(|t| {
            json!({
                "id": t.board_id,
                "self": format!("{base}/rest/agile/1.0/board/{}", t.board_id),
                "name": format!("{} board", t.name),
                "type": "scrum",
                "location": {"projectId": 10000, "projectKey": project, "displayName": w.org.company.jira_project_name}
            })
        })
        .collect();
    agile_page(&q, items)
}

async fn board_sprints(State(j): State<Jira>, Path(id): Path<i64>, Query(q): Q) -> Response {
    let w = &j.world;
    if !w.org.teams.iter().any(|t| t.board_id == id) {
        return json_response(
            StatusCode::NOT_FOUND,
            &json!({"errorMessages": ["Board does not exist or you do not have permission to see it."], "errors": {}}),
        );
    }
    let base = SITE;
    let states: Option<Vec<&str>> = q.get("state").map(|s| s.split(',').collect());
    let items = w
        .sprints
        .iter()
        .filter(|s| {
            s.board_id == id
                && states
                    .as_ref()
                    .is_none_or(|st| st.contains(&s.state.as_str()))
        })
        .map(|s| sprint_json(base, s, w.as_of))
        .collect();
    agile_page(&q, items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jira_times_carry_their_offset() {
        let ts = bosun_core::time::parse_rfc3339("2026-11-20T09:00:00Z").unwrap();
        assert_eq!(jira_time(ts, 1), "2026-11-20T10:00:00.000+0100");
        assert_eq!(jira_time(ts, -5), "2026-11-20T04:00:00.000-0500");
        assert_eq!(jira_time(ts, 0), "2026-11-20T09:00:00.000+0000");
    }
}
