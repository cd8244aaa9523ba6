//! A fake PagerDuty REST API v2 (users, services, incidents, log entries, on-calls) serving the
//! demo world's services, incidents and on-call rotations. Classic offset pagination (`limit`, `offset`, `more`, `total`).

use crate::faults::Faults;
use crate::http::{self, Guard, json, json_response};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use bosun_core::time::{Ts, parse_rfc3339, rfc3339};
use bosun_demo::World;
use bosun_demo::world::{Incident, escalation_policy_id};
use serde_json::{Value, json};
use std::sync::Arc;

const API: &str = "https://api.pagerduty.com";
const WEB: &str = "https://tidewater.pagerduty.com";

#[derive(Clone)]
struct Pd {
    world: Arc<World>,
}

/// The fake PagerDuty REST API over `world`, accepting `token`.
pub fn router(world: Arc<World>, faults: Arc<Faults>, token: String) -> Router {
    let guard = Guard {
        faults: faults.clone(),
        token,
        style: http::Style::Http401,
    };
    Router::new()
        .route("/users", get(users))
        .route("/abilities", get(abilities))
        .route("/services", get(services))
        .route("/incidents", get(incidents))
        .route("/incidents/{id}/log_entries", get(log_entries))
        .route("/oncalls", get(oncalls))
        .with_state(Pd { world })
        .route_layer(axum::middleware::from_fn_with_state(guard, http::guard))
        .merge(crate::github::admin_router(faults))
}

/// `GET /abilities`: what the account may do (any valid key may ask; a first-run check does).
async fn abilities() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "abilities": ["teams", "read_only_users", "service_support_hours", "urgencies"]
    }))
}

/// Query pairs, keeping repeated keys such as `statuses[]`.
fn pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn get1<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
}

/// One page of `items` under `key`, with PagerDuty's `limit`/`offset`/`more`/`total`.
fn page(q: &[(String, String)], key: &str, items: Vec<Value>) -> Response {
    let limit: usize = get1(q, "limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(25usize)
        .clamp(1, 100);
    let offset: usize = get1(q, "offset").and_then(|v| v.parse().ok()).unwrap_or(0);
    let total = items.len();
    let slice: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    json(
        &json!({ key: slice, "limit": limit, "offset": offset, "more": offset + limit < total, "total": total }),
    )
}

fn user_ref(w: &World, person: usize) -> Value {
    let p = &w.org.people[person];
    json!({"id": p.pagerduty, "type": "user_reference", "summary": p.name, "self": format!("{API}/users/{}", p.pagerduty), "html_url": format!("{WEB}/users/{}", p.pagerduty)})
}

fn service_ref(w: &World, key: &str) -> Value {
    let s = w.org.services.iter().find(|s| s.key == key);
    let (id, name) = s.map_or(("PUNKNWN".to_string(), key.to_string()), |s| {
        (s.pagerduty_id.clone(), s.name.clone())
    });
    json!({"id": id, "type": "service_reference", "summary": name, "self": format!("{API}/services/{id}"), "html_url": format!("{WEB}/service-directory/{id}")})
}

fn policy_ref(w: &World, team: &str) -> Value {
    let id = escalation_policy_id(team);
    let name = w
        .org
        .teams
        .iter()
        .find(|t| t.key == team)
        .map_or(team.to_string(), |t| format!("{} escalation", t.name));
    json!({"id": id, "type": "escalation_policy_reference", "summary": name, "self": format!("{API}/escalation_policies/{id}"), "html_url": format!("{WEB}/escalation_policies/{id}")})
}

/// `GET /oncalls`: with `since` and `until`, every shift overlapping that window (without them,
/// who is on call now), optionally for `escalation_policy_ids[]`; level 2 (the manager named in
/// the policy) has no schedule and null times, as PagerDuty gives it.
async fn oncalls(State(pd): State<Pd>, uri: Uri) -> Response {
    let w = &pd.world;
    let q = pairs(&uri);
    let time = |k: &str| get1(&q, k).map(|s| parse_rfc3339(s).ok_or(s.to_string()));
    let (since, until) = match (time("since"), time("until")) {
        (Some(Err(s)), _) | (_, Some(Err(s))) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                &json!({"error": {"message": "Invalid Input Provided", "code": 2001, "errors": [format!("{s} is not a valid date")]}}),
            );
        }
        (s, u) => (
            s.and_then(Result::ok).unwrap_or(w.as_of),
            u.and_then(Result::ok).unwrap_or(w.as_of + 1),
        ),
    };
    let policies: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == "escalation_policy_ids[]")
        .map(|(_, v)| v.as_str())
        .collect();
    let items: Vec<Value> = w
        .oncalls
        .iter()
        .filter(|o| policies.is_empty() || policies.contains(&escalation_policy_id(&o.team).as_str()))
        .filter(|o| o.start.is_none_or(|s| s < until) && o.end.is_none_or(|e| e > since))
        .map(|o| {
            let team = w.org.teams.iter().find(|t| t.key == o.team);
            let schedule = o.start.map(|_| {
                let id = format!("PS{}", &escalation_policy_id(&o.team)[2..]);
                json!({"id": id, "type": "schedule_reference", "summary": format!("{} weekly rotation", team.map_or(o.team.as_str(), |t| t.name.as_str())), "self": format!("{API}/schedules/{id}"), "html_url": format!("{WEB}/schedules/{id}")})
            });
            json!({
                "user": user_ref(w, o.person),
                "schedule": schedule,
                "escalation_policy": policy_ref(w, &o.team),
                "escalation_level": o.level,
                "start": o.start.map(rfc3339),
                "end": o.end.map(rfc3339),
            })
        })
        .collect();
    page(&q, "oncalls", items)
}

async fn users(State(pd): State<Pd>, uri: Uri) -> Response {
    let w = &pd.world;
    let items = w
        .org
        .people
        .iter()
        .map(|p| {
            json!({
                "id": p.pagerduty, "type": "user", "summary": p.name, "name": p.name, "email": p.email,
                "time_zone": "UTC", "role": if p.role == bosun_demo::org::Role::Manager { "admin" } else { "user" },
                "self": format!("{API}/users/{}", p.pagerduty), "html_url": format!("{WEB}/users/{}", p.pagerduty)
            })
        })
        .collect();
    page(&pairs(&uri), "users", items)
}

async fn services(State(pd): State<Pd>, uri: Uri) -> Response {
    let w = &pd.world;
    let items = w
        .org
        .services
        .iter()
        .map(|s| {
            json!({
                "id": s.pagerduty_id, "type": "service", "summary": s.name, "name": s.name, "status": "active",
                "created_at": rfc3339(w.start - 400 * 86_400),
                "escalation_policy": policy_ref(w, &s.team),
                "self": format!("{API}/services/{}", s.pagerduty_id), "html_url": format!("{WEB}/service-directory/{}", s.pagerduty_id)
            })
        })
        .collect();
    page(&pairs(&uri), "services", items)
}

fn incident_json(w: &World, i: &Incident) -> Value {
    let status = i.status();
    let updated = [Some(i.created_at), i.acknowledged_at, i.resolved_at]
        .into_iter()
        .flatten()
        .chain(i.log.iter().map(|l| l.at))
        .max()
        .unwrap_or(i.created_at);
    json!({
        "id": i.id,
        "type": "incident",
        "summary": format!("[#{}] {}", i.number, i.title),
        "self": format!("{API}/incidents/{}", i.id),
        "html_url": format!("{WEB}/incidents/{}", i.id),
        "incident_number": i.number,
        "title": i.title,
        "created_at": rfc3339(i.created_at),
        "updated_at": rfc3339(updated),
        "status": status,
        "incident_key": format!("{:032x}", i.number * 7919),
        "service": service_ref(w, &i.service),
        "assignments": if status == "resolved" { vec![] } else { i.assignees.iter().map(|&a| json!({"at": rfc3339(i.created_at + 20), "assignee": user_ref(w, a)})).collect::<Vec<_>>() },
        "acknowledgements": i.acknowledged_at.filter(|_| status == "acknowledged").map(|at| vec![json!({"at": rfc3339(at), "acknowledger": user_ref(w, i.assignees[0])})]).unwrap_or_default(),
        "last_status_change_at": rfc3339(i.resolved_at.or(i.acknowledged_at).unwrap_or(i.created_at)),
        "resolved_at": i.resolved_at.map(rfc3339),
        "urgency": i.urgency,
        "priority": i.priority.as_ref().map(|p| json!({"id": format!("P{p}PRIO"), "type": "priority_reference", "summary": p})),
        "first_trigger_log_entry": {"id": i.log.first().map(|l| l.id.clone()), "type": "trigger_log_entry_reference"},
        "escalation_policy": w.org.services.iter().find(|s| s.key == i.service).map_or_else(
            || json!({"id": "PESCPOL", "type": "escalation_policy_reference", "summary": "Default"}),
            |s| policy_ref(w, &s.team),
        ),
        "teams": [],
        "alert_counts": {"all": 1, "triggered": i32::from(status != "resolved"), "resolved": i32::from(status == "resolved")}
    })
}

/// `GET /incidents`: `since`/`until` bound `created_at` (default: the last 30 days, like
/// PagerDuty), `date_range=all` lifts the bound, `statuses[]` filters, `sort_by=created_at[:asc|:desc]`.
async fn incidents(State(pd): State<Pd>, uri: Uri) -> Response {
    let w = &pd.world;
    let q = pairs(&uri);
    let since = get1(&q, "since").map(|s| parse_rfc3339(s).ok_or(s));
    let until = get1(&q, "until").map(|s| parse_rfc3339(s).ok_or(s));
    let (since, until): (Option<Ts>, Option<Ts>) = match (since, until) {
        (Some(Err(s)), _) | (_, Some(Err(s))) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                &json!({"error": {"message": "Invalid Input Provided", "code": 2001, "errors": [format!("{s} is not a valid date")]}}),
            );
        }
        (s, u) => (s.map(|x| x.unwrap_or(0)), u.map(|x| x.unwrap_or(0))),
    };
    let all = get1(&q, "date_range") == Some("all");
    let (lo, hi) = if all {
        (i64::MIN, i64::MAX)
    } else {
        (
            since.unwrap_or(w.as_of - 30 * 86_400),
            until.unwrap_or(i64::MAX),
        )
    };
    let statuses: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == "statuses[]")
        .map(|(_, v)| v.as_str())
        .collect();
    let mut list: Vec<&Incident> = w
        .incidents
        .iter()
        .filter(|i| i.created_at >= lo && i.created_at < hi)
        .filter(|i| statuses.is_empty() || statuses.contains(&i.status()))
        .collect();
    list.sort_by_key(|i| (i.created_at, i.number));
    if get1(&q, "sort_by").is_some_and(|s| s.ends_with(":desc")) {
        list.reverse();
    }
    page(
        &q,
        "incidents",
        list.into_iter().map(|i| incident_json(w, i)).collect(),
    )
}

async fn log_entries(
    State(pd): State<Pd>,
    Path(id): Path<String>,
    Query(_): Query<Vec<(String, String)>>,
    uri: Uri,
) -> Response {
    let w = &pd.world;
    let Some(inc) = w.incidents.iter().find(|i| i.id == id) else {
        return json_response(
            StatusCode::NOT_FOUND,
            &json!({"error": {"message": "Not Found", "code": 2100}}),
        );
    };
    let items: Vec<Value> = inc
        .log
        .iter()
        .map(|l| {
            let agent = match l.agent {
                Some(p) => user_ref(w, p),
                None => service_ref(w, &inc.service),
            };
            let mut v = json!({
                "id": l.id,
                "type": l.kind,
                "summary": l.summary,
                "self": format!("{API}/log_entries/{}?incident_id={}", l.id, inc.id),
                "html_url": format!("{WEB}/incidents/{}/log_entries/{}", inc.id, l.id),
                "created_at": rfc3339(l.at),
                "agent": agent,
                "channel": {"type": if l.kind == "annotate_log_entry" { "note" } else { "api" }, "summary": l.summary},
                "incident": {"id": inc.id, "type": "incident_reference", "summary": format!("[#{}] {}", inc.number, inc.title)}
            });
            if l.kind == "annotate_log_entry" {
                v["channel"]["summary"] = json!(l.summary);
            }
            v
        })
        .collect();
    page(&pairs(&uri), "log_entries", items)
}
