//! A fake Linear GraphQL API (the six operations Bosun sends) serving the demo world's teams,
//! sprints (as cycles), tickets (as issues) and their changelogs (as issue history).
//!
//! Transport: `POST /graphql` with `{"query", "variables", "operationName"}`, answered
//! `200 {"data": ...}`. The fake dispatches on `operationName` (or, when it is absent, the name
//! after `query` in the document) and never parses the selection set: every operation answers
//! the full set of fields documented on its function, whatever was selected. The key is read
//! from `Authorization: <key>` (or `Bearer <key>`); bad credentials and rate limits are
//! answered 400 with GraphQL `errors`, and the `X-RateLimit-Requests-*` and
//! `X-RateLimit-Complexity-*` headers ride on every answer (`http::Style::Linear`).
//!
//! Lists are Relay connections: `first` (50 by default, at most 250) and `after` (an opaque
//! cursor, the base64 of the item's place in the list), answered as
//! `{"nodes": [...], "pageInfo": {"hasNextPage", "endCursor", ...}}`.
//!
//! Ids (all stable across runs and ports): a team is [`team_id`] of its world key and has the
//! key [`team_key`]; an issue is [`issue_id`] of the ticket's id and is named [`identifier`]
//! (its team's key and the number of its Jira key); people are [`user_id`], sprints
//! [`cycle_id`], statuses [`state_id`] (one workflow state per status name, the same ids in
//! every team, typed by [`state_type`]), links [`relation_id`], changelog entries
//! [`history_id`] and labels [`label_id`]. Times are RFC 3339 UTC with milliseconds.

use crate::faults::Faults;
use crate::http::{self, Guard, json_response};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::post;
use bosun_core::time::{Ts, from_ts, parse_user_time};
use bosun_demo::World;
use bosun_demo::world::{Change, ChangeItem, Sprint, Ticket};
use chrono::SecondsFormat;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// Where issue URLs point (`https://linear.app/{urlKey}/issue/{identifier}`).
pub const WEB: &str = "https://linear.app";
/// `first` when not given.
pub const DEFAULT_FIRST: usize = 50;
/// The largest `first` honoured (larger ones are cut to it).
pub const MAX_FIRST: usize = 250;
/// The operations the fake answers.
pub const OPERATIONS: [&str; 6] = [
    "Viewer",
    "Teams",
    "Cycles",
    "WorkflowStates",
    "Issues",
    "IssueHistory",
];

// ---------------------------------------------------------------------------------------------
// Ids and names
// ---------------------------------------------------------------------------------------------

/// A Linear team key for a world team key: its first three alphanumerics upper-cased
/// (`harbor` → `HAR`, `compass` → `COM`, `lighthouse` → `LIG`), followed by the number of a
/// scaled copy (`harbor-2` → `HAR2`), so that the teams of a scaled world keep distinct keys.
pub fn team_key(team: &str) -> String {
    let (base, copy) = match team.rsplit_once('-') {
        Some((b, n)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => (b, n),
        _ => (team, ""),
    };
    let head: String = base
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(3)
        .collect();
    format!("{}{copy}", head.to_ascii_uppercase())
}

/// A team's id, from its world key: `team-{key}` (`team-harbor`).
pub fn team_id(team: &str) -> String {
    format!("team-{team}")
}

/// An issue's id, from its ticket's id: `issue-{id}`.
pub fn issue_id(ticket_id: i64) -> String {
    format!("issue-{ticket_id}")
}

/// The number of a Jira key (`TIDE-123` → 123; 0 when it has none).
pub fn issue_number(jira_key: &str) -> i64 {
    jira_key
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// An issue's identifier: its team's [`team_key`] and the number of its Jira key
/// (`TIDE-123` of team `harbor` → `HAR-123`). Jira numbers are unique in the world's one
/// project, so identifiers are unique across teams.
pub fn identifier(team: &str, jira_key: &str) -> String {
    format!("{}-{}", team_key(team), issue_number(jira_key))
}

/// A person's user id: `user-{person key}`.
pub fn user_id(person_key: &str) -> String {
    format!("user-{person_key}")
}

/// A sprint's cycle id: `cycle-{sprint id}`.
pub fn cycle_id(sprint_id: i64) -> String {
    format!("cycle-{sprint_id}")
}

/// A link's relation id: `rel-{link id}` (both tickets of a link carry the same id, as a Linear
/// relation is one object seen from both issues).
pub fn relation_id(link_id: i64) -> String {
    format!("rel-{link_id}")
}

/// A changelog entry's history id: `hist-{change id}`.
pub fn history_id(change_id: i64) -> String {
    format!("hist-{change_id}")
}

/// Lower-case ASCII alphanumerics, any run of other characters one `-` (`In Review` →
/// `in-review`, `Won't Do` → `won-t-do`).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// A status's workflow state id: `state-{slug}` (`state-in-progress`).
pub fn state_id(status: &str) -> String {
    format!("state-{}", slug(status))
}

/// A label's id: `label-{slug}`.
pub fn label_id(name: &str) -> String {
    format!("label-{}", slug(name))
}

/// The Linear state type of a status name: "backlog" for Backlog; "unstarted" for To Do-like
/// names (To Do, Todo, Open, Selected for Development, New); "completed" for Done-like ones
/// (Done, Closed, Resolved, Completed, Released); "canceled" for Won't Do-like ones (Won't Do,
/// Won't Fix, Cancelled, Canceled, Declined, Rejected, Duplicate, Invalid, Obsolete); "started"
/// for everything else (In Progress, In Review, Blocked, ...).
pub fn state_type(status: &str) -> &'static str {
    match slug(status).as_str() {
        "backlog" | "icebox" | "triage" => "backlog",
        "to-do" | "todo" | "open" | "new" | "selected-for-development" | "ready" => "unstarted",
        "done" | "closed" | "resolved" | "completed" | "complete" | "released" | "shipped" => {
            "completed"
        }
        "won-t-do" | "wont-do" | "won-t-fix" | "wont-fix" | "cancelled" | "canceled"
        | "declined" | "rejected" | "duplicate" | "invalid" | "obsolete" | "abandoned" => {
            "canceled"
        }
        _ => "started",
    }
}

/// The label standing for an issue type: Story → Feature, Bug, Tech Debt, Risk, Task and Epic
/// as they are, any other verbatim.
pub fn type_label(issue_type: &str) -> &str {
    match issue_type {
        "Story" => "Feature",
        other => other,
    }
}

/// Linear's priority (number, label) for a Jira priority name: Highest/Urgent (and
/// Critical/Blocker) 1 "Urgent", High 2, Medium 3, Low/Lowest 4, anything else 0 "No priority".
pub fn priority(name: &str) -> (u8, &'static str) {
    match name {
        "Highest" | "Urgent" | "Critical" | "Blocker" => (1, "Urgent"),
        "High" => (2, "High"),
        "Medium" => (3, "Medium"),
        "Low" | "Lowest" => (4, "Low"),
        _ => (0, "No priority"),
    }
}

/// Linear's relation type for a Jira link type: Blocks → "blocks", Duplicate → "duplicate",
/// Relates and anything else → "related".
pub fn relation_type(link_type: &str) -> &'static str {
    match link_type.to_ascii_lowercase().as_str() {
        "blocks" => "blocks",
        "duplicate" | "duplicates" => "duplicate",
        _ => "related",
    }
}

/// RFC 3339 UTC with milliseconds (`2026-11-20T09:00:00.000Z`).
fn ts(t: Ts) -> String {
    from_ts(t).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A number as GraphQL's `Float` prints it: integral values without a fraction (`3`, `0.5`).
fn num(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// The sprint ids of a changelog `Sprint` value (`"5, 6"`).
fn sprint_list(v: Option<&str>) -> Vec<i64> {
    v.unwrap_or("")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// The ticket's current sprint: the last of its sprints, if the ticket is still in it by its
/// changelog's latest `Sprint` change (what the fake Jira's Sprint field ends with).
pub fn current_sprint(t: &Ticket) -> Option<i64> {
    let last = *t.sprints.last()?;
    let latest = t
        .changelog
        .iter()
        .rev()
        .flat_map(|c| c.items.iter().rev())
        .find(|i| i.field == "Sprint");
    match latest {
        None => Some(last),
        Some(i) => sprint_list(i.to.as_deref()).contains(&last).then_some(last),
    }
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

struct TeamInfo {
    /// The world's team key.
    world_key: String,
    id: String,
    key: String,
    name: String,
    description: String,
}

struct Index {
    teams: Vec<TeamInfo>,
    /// A team by its id or its Linear key.
    team_by_arg: HashMap<String, usize>,
    /// Per team: its tickets ordered by (updatedAt, id).
    issues: Vec<Vec<usize>>,
    /// Every ticket, ordered by (updatedAt, id).
    all_issues: Vec<usize>,
    /// Per team: its sprints by start (a cycle's number is its place here, from 1).
    cycles: Vec<Vec<usize>>,
    cycle_number: HashMap<i64, usize>,
    /// A ticket by its Jira key.
    ticket_by_key: HashMap<String, usize>,
    /// A ticket by its issue id or identifier.
    ticket_by_arg: HashMap<String, usize>,
    /// A person by Jira account id (what the changelog's assignee items hold).
    person_by_account: HashMap<String, usize>,
    /// The workflow states: every status name of the world.
    states: Vec<String>,
}

#[derive(Clone)]
struct Linear {
    world: Arc<World>,
    idx: Arc<Index>,
}

/// The fake Linear GraphQL API over `world`, accepting `token`.
pub fn router(world: Arc<World>, faults: Arc<Faults>, token: String) -> Router {
    let idx = index(&world);
    let guard = Guard {
        faults: faults.clone(),
        token,
        style: http::Style::Linear,
    };
    Router::new()
        .route("/graphql", post(graphql))
        .with_state(Linear {
            world,
            idx: Arc::new(idx),
        })
        .route_layer(axum::middleware::from_fn_with_state(guard, http::guard))
        .merge(crate::github::admin_router(faults))
}

fn index(w: &World) -> Index {
    let teams: Vec<TeamInfo> = w
        .org
        .teams
        .iter()
        .map(|t| TeamInfo {
            world_key: t.key.clone(),
            id: team_id(&t.key),
            key: team_key(&t.key),
            name: t.name.clone(),
            description: t.mission.clone(),
        })
        .collect();
    let mut team_by_arg = HashMap::new();
    for (i, t) in teams.iter().enumerate() {
        team_by_arg.insert(t.id.clone(), i);
        team_by_arg.insert(t.key.clone(), i);
    }
    let mut all_issues: Vec<usize> = (0..w.tickets.len()).collect();
    let order: Vec<(Ts, String)> = w
        .tickets
        .iter()
        .map(|t| (t.updated_at, issue_id(t.id)))
        .collect();
    all_issues.sort_by(|a, b| order[*a].cmp(&order[*b]));
    let issues = teams
        .iter()
        .map(|team| {
            all_issues
                .iter()
                .copied()
                .filter(|&i| w.tickets[i].team == team.world_key)
                .collect()
        })
        .collect();
    let mut cycle_number = HashMap::new();
    let cycles = teams
        .iter()
        .map(|team| {
            let mut list: Vec<usize> = (0..w.sprints.len())
                .filter(|&i| w.sprints[i].team == team.world_key)
                .collect();
            list.sort_by_key(|&i| (w.sprints[i].start, w.sprints[i].id));
            for (n, &i) in list.iter().enumerate() {
                cycle_number.insert(w.sprints[i].id, n + 1);
            }
            list
        })
        .collect();
    let mut ticket_by_key = HashMap::new();
    let mut ticket_by_arg = HashMap::new();
    for (i, t) in w.tickets.iter().enumerate() {
        ticket_by_key.insert(t.key.clone(), i);
        ticket_by_arg.insert(issue_id(t.id), i);
        ticket_by_arg.insert(identifier(&t.team, &t.key), i);
    }
    let person_by_account = w
        .org
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.jira.clone(), i))
        .collect();
    // The fake Jira's workflow first, then any other status the world's tickets know.
    let mut states: Vec<String> = crate::jira::STATUSES
        .iter()
        .map(|s| s.to_string())
        .collect();
    for t in &w.tickets {
        let seen = t
            .changelog
            .iter()
            .flat_map(|c| &c.items)
            .filter(|i| i.field == "status");
        let names = std::iter::once(Some(&t.status))
            .chain(seen.flat_map(|i| [i.from_string.as_ref(), i.to_string.as_ref()]))
            .flatten();
        for name in names {
            if !states.contains(name) {
                states.push(name.clone());
            }
        }
    }
    Index {
        teams,
        team_by_arg,
        issues,
        all_issues,
        cycles,
        cycle_number,
        ticket_by_key,
        ticket_by_arg,
        person_by_account,
        states,
    }
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

/// What an operation answered.
enum Outcome {
    /// `200 {"data": ...}`, with the query's complexity.
    Data(Value, u64),
    /// `200 {"data": {field: null}, "errors": [Entity not found: entity]}`.
    NotFound {
        field: &'static str,
        entity: &'static str,
    },
    /// `400 {"errors": [...]}` with this message and code.
    Refused(String, &'static str),
}

type Vars = Map<String, Value>;

fn refused(status: StatusCode, message: &str, code: &str) -> Response {
    json_response(
        status,
        &json!({"errors": [{"message": message, "extensions": {"code": code}}]}),
    )
}

/// The operation's name: `operationName`, else the name after `query` in the document.
fn operation_name(body: &Value) -> Option<String> {
    if let Some(op) = body
        .get("operationName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        return Some(op.to_string());
    }
    let query = body.get("query").and_then(Value::as_str)?;
    let rest = query.trim_start().strip_prefix("query")?;
    let name: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// `POST /graphql`.
async fn graphql(State(l): State<Linear>, body: Bytes) -> Response {
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return refused(
                StatusCode::BAD_REQUEST,
                "POST body must be a JSON object with a `query`",
                "BAD_REQUEST",
            );
        }
    };
    let vars: Vars = body
        .get("variables")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let outcome = match operation_name(&body).as_deref() {
        Some("Viewer") => viewer(&l),
        Some("Teams") => teams(&l, &vars),
        Some("Cycles") => cycles(&l, &vars),
        Some("WorkflowStates") => workflow_states(&l, &vars),
        Some("Issues") => issues(&l, &vars),
        Some("IssueHistory") => issue_history(&l, &vars),
        _ => {
            return refused(
                StatusCode::BAD_REQUEST,
                "Unknown operation",
                "GRAPHQL_VALIDATION_FAILED",
            );
        }
    };
    match outcome {
        Outcome::Data(data, complexity) => {
            let mut r = http::json(&json!({ "data": data }));
            r.headers_mut()
                .insert("x-complexity", HeaderValue::from(complexity));
            r
        }
        Outcome::NotFound { field, entity } => {
            let mut r = http::json(&json!({
                "data": { field: null },
                "errors": [{
                    "message": format!("Entity not found: {entity}"),
                    "path": [field],
                    "extensions": {
                        "code": "INVALID_INPUT",
                        "userPresentableMessage": format!("Could not find referenced {entity}.")
                    }
                }]
            }));
            r.headers_mut()
                .insert("x-complexity", HeaderValue::from(1u64));
            r
        }
        Outcome::Refused(message, code) => refused(StatusCode::BAD_REQUEST, &message, code),
    }
}

/// A string variable, `None` when absent or null.
fn var_str<'a>(vars: &'a Vars, name: &str) -> Option<&'a str> {
    vars.get(name).and_then(Value::as_str)
}

/// `first` and `after`: how many items from which place.
struct PageArgs {
    first: usize,
    start: usize,
}

fn page_args(vars: &Vars) -> Result<PageArgs, Outcome> {
    let first = match vars.get("first") {
        None | Some(Value::Null) => DEFAULT_FIRST,
        Some(v) => match v.as_i64() {
            Some(n) => usize::try_from(n.max(1)).unwrap_or(1).min(MAX_FIRST),
            None => {
                return Err(Outcome::Refused(
                    format!(
                        "Variable \"$first\" got invalid value {v}; Int cannot represent non-integer value"
                    ),
                    "GRAPHQL_VALIDATION_FAILED",
                ));
            }
        },
    };
    let start = match var_str(vars, "after") {
        None => 0,
        Some(c) => match decode_cursor(c) {
            Some(i) => i + 1,
            None => {
                return Err(Outcome::Refused(
                    format!("Argument Validation Error: invalid cursor {c:?}"),
                    "INVALID_INPUT",
                ));
            }
        },
    };
    Ok(PageArgs { first, start })
}

/// The cursor of the item at `place` in its list: the base64 of the place.
fn cursor(place: usize) -> String {
    http::base64_wrapped(place.to_string().as_bytes())
        .trim_end()
        .to_string()
}

fn decode_cursor(c: &str) -> Option<usize> {
    let bytes = http::base64_decode(c.trim())?;
    String::from_utf8(bytes).ok()?.parse().ok()
}

/// One page of a list of `total` items as a Relay connection, rendering only the page.
fn connection(total: usize, page: &PageArgs, render: impl Fn(usize) -> Value) -> Value {
    let start = page.start.min(total);
    let end = start.saturating_add(page.first).min(total);
    let nodes: Vec<Value> = (start..end).map(render).collect();
    let (start_cursor, end_cursor) = if end > start {
        (json!(cursor(start)), json!(cursor(end - 1)))
    } else {
        (Value::Null, Value::Null)
    };
    json!({
        "nodes": nodes,
        "pageInfo": {
            "hasNextPage": end < total,
            "hasPreviousPage": start > 0,
            "startCursor": start_cursor,
            "endCursor": end_cursor
        }
    })
}

/// A plausible complexity: a point per object, times the page size for lists.
fn complexity(page: &PageArgs, per_node: u64) -> u64 {
    1 + page.first as u64 * per_node
}

fn user_json(w: &World, person: usize) -> Value {
    let p = &w.org.people[person];
    json!({
        "id": user_id(&p.key),
        "name": p.name,
        "displayName": p.key,
        "email": p.email,
        "active": true,
        "app": false
    })
}

fn state_json(name: &str) -> Value {
    json!({"id": state_id(name), "name": name, "type": state_type(name)})
}

fn team_ref(team: &TeamInfo) -> Value {
    json!({"id": team.id, "key": team.key, "name": team.name})
}

fn org_url_key(w: &World) -> &str {
    &w.org.company.github_org
}

/// The team named by the `team` variable (its id or key).
fn team_arg(l: &Linear, vars: &Vars) -> Option<usize> {
    var_str(vars, "team").and_then(|t| l.idx.team_by_arg.get(t).copied())
}

/// The team (`team`) and the page (`first`, `after`) of a team's connection; Linear's answers
/// for an unknown team or bad paging arguments otherwise.
fn team_page(l: &Linear, vars: &Vars) -> Result<(usize, PageArgs), Outcome> {
    let ti = team_arg(l, vars).ok_or(Outcome::NotFound {
        field: "team",
        entity: "Team",
    })?;
    Ok((ti, page_args(vars)?))
}

/// `Viewer` → `{"viewer": user, "organization": {"id", "name", "urlKey"}}`: the manager the
/// demo's key belongs to and the organisation (`org-{github org}`, urlKey the GitHub org).
fn viewer(l: &Linear) -> Outcome {
    let w = &l.world;
    let c = &w.org.company;
    Outcome::Data(
        json!({
            "viewer": user_json(w, crate::jira::me(w)),
            "organization": {"id": format!("org-{}", c.github_org), "name": c.name, "urlKey": org_url_key(w)}
        }),
        2,
    )
}

/// `Teams` (`first`, `after`) → `{"teams": connection of {"id", "key", "name", "description"}}`.
fn teams(l: &Linear, vars: &Vars) -> Outcome {
    let page = match page_args(vars) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let teams = &l.idx.teams;
    let conn = connection(teams.len(), &page, |i| {
        let mut v = team_ref(&teams[i]);
        v["description"] = json!(teams[i].description);
        v
    });
    Outcome::Data(json!({ "teams": conn }), complexity(&page, 1))
}

fn cycle_json(w: &World, s: &Sprint, number: usize) -> Value {
    let completed = s.complete.filter(|c| *c <= w.as_of);
    let created = s.start - 86_400;
    let updated = completed.unwrap_or(if s.start <= w.as_of { s.start } else { created });
    json!({
        "id": cycle_id(s.id),
        "number": number,
        "name": s.name,
        "description": s.goal,
        "startsAt": ts(s.start),
        "endsAt": ts(s.end),
        "completedAt": completed.map(ts),
        "createdAt": ts(created),
        "updatedAt": ts(updated)
    })
}

/// `Cycles` (`team`, `first`, `after`) → `{"team": {"id", "key", "name", "cycles": connection}}`:
/// the team's sprints by start, numbered from 1 (`id`, `number`, `name`, `description` (the
/// goal), `startsAt`, `endsAt`, `completedAt`, `createdAt`, `updatedAt`).
fn cycles(l: &Linear, vars: &Vars) -> Outcome {
    let (ti, page) = match team_page(l, vars) {
        Ok(at) => at,
        Err(o) => return o,
    };
    let w = &l.world;
    let list = &l.idx.cycles[ti];
    let conn = connection(list.len(), &page, |i| {
        cycle_json(w, &w.sprints[list[i]], i + 1)
    });
    let mut team = team_ref(&l.idx.teams[ti]);
    team["cycles"] = conn;
    Outcome::Data(json!({ "team": team }), complexity(&page, 1))
}

/// `WorkflowStates` (`team`, `first`, `after`) → `{"team": {"id", "key", "name", "states":
/// connection of {"id", "name", "type", "position"}}}`: one state per status name of the world.
fn workflow_states(l: &Linear, vars: &Vars) -> Outcome {
    let (ti, page) = match team_page(l, vars) {
        Ok(at) => at,
        Err(o) => return o,
    };
    let states = &l.idx.states;
    let conn = connection(states.len(), &page, |i| {
        let mut v = state_json(&states[i]);
        v["position"] = json!(i);
        v
    });
    let mut team = team_ref(&l.idx.teams[ti]);
    team["states"] = conn;
    Outcome::Data(json!({ "team": team }), complexity(&page, 1))
}

/// A reference to another ticket by its Jira key: `{"id", "identifier"}` (null when unknown).
fn issue_ref(l: &Linear, key: &str) -> Value {
    match l.idx.ticket_by_key.get(key) {
        Some(&i) => {
            let t = &l.world.tickets[i];
            json!({"id": issue_id(t.id), "identifier": identifier(&t.team, &t.key)})
        }
        None => Value::Null,
    }
}

/// When the ticket first entered a started-type state.
fn started_at(t: &Ticket) -> Option<Ts> {
    t.changelog
        .iter()
        .filter(|c| {
            c.items.iter().any(|i| {
                i.field == "status"
                    && i.to_string
                        .as_deref()
                        .is_some_and(|s| state_type(s) == "started")
            })
        })
        .map(|c| c.at)
        .min()
}

fn issue_json(l: &Linear, t: &Ticket) -> Value {
    let w = &l.world;
    let ident = identifier(&t.team, &t.key);
    let (prio, prio_label) = priority(&t.priority);
    let kind = state_type(&t.status);
    let mut labels: Vec<&str> = t.labels.iter().map(String::as_str).collect();
    let tl = type_label(&t.issue_type);
    if !labels.contains(&tl) {
        labels.push(tl);
    }
    let labels: Vec<Value> = labels
        .into_iter()
        .map(|n| json!({"id": label_id(n), "name": n}))
        .collect();
    let this = json!({"id": issue_id(t.id), "identifier": ident});
    // A link to a ticket the world does not have (none in practice) is left out: a Linear
    // relation always has both issues.
    let relations: Vec<Value> = t
        .links
        .iter()
        .filter(|k| k.direction != "inward")
        .filter_map(|k| {
            let other = issue_ref(l, &k.other);
            (!other.is_null()).then(|| json!({"id": relation_id(k.id), "type": relation_type(&k.link_type), "issue": this, "relatedIssue": other}))
        })
        .collect();
    let inverse: Vec<Value> = t
        .links
        .iter()
        .filter(|k| k.direction == "inward")
        .filter_map(|k| {
            let other = issue_ref(l, &k.other);
            (!other.is_null()).then(|| json!({"id": relation_id(k.id), "type": relation_type(&k.link_type), "issue": other, "relatedIssue": this}))
        })
        .collect();
    let cycle = current_sprint(t).map(|s| {
        json!({
            "id": cycle_id(s),
            "number": l.idx.cycle_number.get(&s),
            "name": w.sprints.iter().find(|x| x.id == s).map(|x| x.name.clone())
        })
    });
    let team = l.idx.teams.iter().find(|x| x.world_key == t.team);
    json!({
        "id": issue_id(t.id),
        "identifier": ident,
        "number": issue_number(&t.key),
        "title": t.summary,
        "description": t.description,
        "priority": prio,
        "priorityLabel": prio_label,
        "estimate": t.story_points.map(num),
        "createdAt": ts(t.created_at),
        "updatedAt": ts(t.updated_at),
        "startedAt": started_at(t).map(ts),
        "completedAt": t.resolved_at.filter(|_| kind == "completed").map(ts),
        "canceledAt": t.resolved_at.filter(|_| kind == "canceled").map(ts),
        "dueDate": t.due_at.map(|d| from_ts(d).format("%Y-%m-%d").to_string()),
        "url": format!("{WEB}/{}/issue/{ident}", org_url_key(w)),
        "team": team.map(team_ref),
        "state": state_json(&t.status),
        "assignee": t.assignee.map(|a| user_json(w, a)),
        "creator": user_json(w, t.reporter),
        "labels": {"nodes": labels},
        "parent": t.parent.as_deref().map(|k| issue_ref(l, k)),
        "project": null,
        "cycle": cycle,
        "relations": {"nodes": relations},
        "inverseRelations": {"nodes": inverse}
    })
}

/// `Issues` (`team` (id or key; all teams when absent), `since`, `first`, `after`) →
/// `{"issues": connection}`: the team's tickets updated at or after `since`, by (updatedAt, id)
/// ascending. An unknown team has no issues.
fn issues(l: &Linear, vars: &Vars) -> Outcome {
    let page = match page_args(vars) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let since_ms = match var_str(vars, "since") {
        None => None,
        Some(s) => match chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| t.timestamp_millis())
            .ok()
            .or_else(|| parse_user_time(s).map(|t| t.timestamp_millis()))
        {
            Some(ms) => Some(ms),
            None => {
                return Outcome::Refused(
                    format!(
                        "Variable \"$since\" got invalid value {s:?}; DateTime cannot represent an invalid date-time string"
                    ),
                    "GRAPHQL_VALIDATION_FAILED",
                );
            }
        },
    };
    let w = &l.world;
    let empty = Vec::new();
    let list = match var_str(vars, "team") {
        None => &l.idx.all_issues,
        Some(t) => l
            .idx
            .team_by_arg
            .get(t)
            .map_or(&empty, |&ti| &l.idx.issues[ti]),
    };
    let list: Vec<usize> = list
        .iter()
        .copied()
        .filter(|&i| since_ms.is_none_or(|s| w.tickets[i].updated_at.saturating_mul(1000) >= s))
        .collect();
    let conn = connection(list.len(), &page, |i| issue_json(l, &w.tickets[list[i]]));
    Outcome::Data(json!({ "issues": conn }), complexity(&page, 12))
}

/// The first item of `field` in a change.
fn item<'a>(c: &'a Change, fields: &[&str]) -> Option<&'a ChangeItem> {
    c.items.iter().find(|i| fields.contains(&i.field.as_str()))
}

const STATUS: &[&str] = &["status"];
const SPRINT: &[&str] = &["Sprint"];
const ASSIGNEE: &[&str] = &["assignee"];
const ESTIMATE: &[&str] = &[
    "Story Points",
    "Story point estimate",
    crate::jira::STORY_POINTS_FIELD,
];

/// A changelog assignee value: a Jira account id (what the generator writes), else the person's
/// name or key.
fn person_of(l: &Linear, id: Option<&str>, name: Option<&str>) -> Option<usize> {
    let people = &l.world.org.people;
    id.and_then(|a| l.idx.person_by_account.get(a).copied())
        .or_else(|| {
            let n = name?;
            people.iter().position(|p| p.name == n || p.key == n)
        })
}

fn estimate_of(value: Option<&str>, text: Option<&str>) -> Value {
    text.or(value)
        .and_then(|s| s.trim().parse::<f64>().ok())
        .map_or(Value::Null, num)
}

fn history_json(l: &Linear, c: &Change) -> Value {
    let w = &l.world;
    let status = item(c, STATUS);
    let sprint = item(c, SPRINT);
    let assignee = item(c, ASSIGNEE);
    let estimate = item(c, ESTIMATE);
    let state = |s: Option<&String>| s.map_or(Value::Null, |n| state_json(n));
    let cycle = |v: Option<&String>| {
        sprint_list(v.map(String::as_str))
            .last()
            .map_or(Value::Null, |s| json!({"id": cycle_id(*s)}))
    };
    let user = |id: Option<&String>, name: Option<&String>| {
        person_of(l, id.map(String::as_str), name.map(String::as_str))
            .map_or(Value::Null, |p| user_json(w, p))
    };
    let (from_state, to_state) = status.map_or((Value::Null, Value::Null), |i| {
        (state(i.from_string.as_ref()), state(i.to_string.as_ref()))
    });
    let (from_cycle, to_cycle) = sprint.map_or((Value::Null, Value::Null), |i| {
        (cycle(i.from.as_ref()), cycle(i.to.as_ref()))
    });
    let (from_assignee, to_assignee) = assignee.map_or((Value::Null, Value::Null), |i| {
        (
            user(i.from.as_ref(), i.from_string.as_ref()),
            user(i.to.as_ref(), i.to_string.as_ref()),
        )
    });
    let (from_estimate, to_estimate) = estimate.map_or((Value::Null, Value::Null), |i| {
        (
            estimate_of(i.from.as_deref(), i.from_string.as_deref()),
            estimate_of(i.to.as_deref(), i.to_string.as_deref()),
        )
    });
    let id_of = |v: &Value| v.get("id").cloned().unwrap_or(Value::Null);
    json!({
        "id": history_id(c.id),
        "createdAt": ts(c.at),
        "updatedAt": ts(c.at),
        "actor": user_json(w, c.author),
        "fromStateId": id_of(&from_state),
        "toStateId": id_of(&to_state),
        "fromState": from_state,
        "toState": to_state,
        "fromCycleId": id_of(&from_cycle),
        "toCycleId": id_of(&to_cycle),
        "fromCycle": from_cycle,
        "toCycle": to_cycle,
        "fromAssigneeId": id_of(&from_assignee),
        "toAssigneeId": id_of(&to_assignee),
        "fromAssignee": from_assignee,
        "toAssignee": to_assignee,
        "fromEstimate": from_estimate,
        "toEstimate": to_estimate
    })
}

/// Whether a change shows in Linear's history: it touches the status, sprint, assignee or
/// estimate.
fn in_history(c: &Change) -> bool {
    [STATUS, SPRINT, ASSIGNEE, ESTIMATE]
        .iter()
        .any(|f| item(c, f).is_some())
}

/// `IssueHistory` (`id` (issue id or identifier), `first`, `after`) → `{"issue": {"id",
/// "identifier", "history": connection}}`, oldest first: one node per changelog entry touching
/// the status, sprint, assignee or estimate.
fn issue_history(l: &Linear, vars: &Vars) -> Outcome {
    let Some(&ti) = var_str(vars, "id").and_then(|id| l.idx.ticket_by_arg.get(id)) else {
        return Outcome::NotFound {
            field: "issue",
            entity: "Issue",
        };
    };
    let page = match page_args(vars) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let t = &l.world.tickets[ti];
    let mut changes: Vec<&Change> = t.changelog.iter().filter(|c| in_history(c)).collect();
    changes.sort_by_key(|c| (c.at, c.id));
    let conn = connection(changes.len(), &page, |i| history_json(l, changes[i]));
    Outcome::Data(
        json!({"issue": {"id": issue_id(t.id), "identifier": identifier(&t.team, &t.key), "history": conn}}),
        complexity(&page, 3),
    )
}

#[cfg(test)]
#[path = "linear_tests.rs"]
mod tests;
