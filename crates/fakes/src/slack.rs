//! A fake Slack Web API (`/api/<method>`): users, channels, history with cursor pagination,
//! thread replies, and `chat.postMessage` (what approved actions send). Posted messages go to the
//! fake's journal (see `writes`): they appear in `conversations.history` of their channel (a DM's
//! channel is `D<user id>`, with `metadata` when `include_all_metadata=true`) and in
//! `GET /_fake/slack/posted` (also `/_fake/slack/writes`; `POST /_fake/slack/lose-responses`).

use crate::faults::Faults;
use crate::http::{self, Guard, json};
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use bosun_demo::World;
use bosun_demo::world::Message;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone)]
struct Slack {
    world: Arc<World>,
    posted: Arc<crate::writes::Journal>,
    /// `views.open` and `chat.update` calls, in order (`GET /_fake/slack/calls`).
    calls: Arc<std::sync::Mutex<Vec<Value>>>,
}

type Q = Query<HashMap<String, String>>;

/// The fake Slack Web API over `world`, accepting `token` (writes kept in memory).
pub fn router(world: Arc<World>, faults: Arc<Faults>, token: String) -> Router {
    router_with(
        world,
        faults,
        token,
        crate::writes::Journal::open(None)
            .unwrap_or_else(|_| unreachable!("an in-memory journal opens")),
    )
}

/// The fake Slack keeping posted messages in `posted`.
pub fn router_with(
    world: Arc<World>,
    faults: Arc<Faults>,
    token: String,
    posted: Arc<crate::writes::Journal>,
) -> Router {
    let admin_journal = posted.clone();
    let state = Slack {
        world,
        posted: posted.clone(),
        calls: Arc::default(),
    };
    let calls = state.calls.clone();
    let guard = Guard {
        faults: faults.clone(),
        token,
        style: http::Style::SlackOk,
    };
    Router::new()
        .route("/api/auth.test", get(auth_test).post(auth_test))
        .route("/api/users.list", get(users_list))
        .route("/api/conversations.list", get(conversations_list))
        .route("/api/conversations.history", get(history))
        .route("/api/conversations.replies", get(replies))
        .route("/api/chat.postMessage", post(post_message))
        .route("/api/conversations.open", post(open_dm))
        .route("/api/views.open", post(views_open))
        .route("/api/chat.update", post(chat_update))
        .route("/api/chat.postEphemeral", post(post_ephemeral))
        .with_state(state)
        .route_layer(axum::middleware::from_fn_with_state(guard, http::guard))
        .route(
            "/_fake/slack/calls",
            get(move || {
                let calls = calls.clone();
                async move {
                    json(&Value::Array(
                        calls.lock().unwrap_or_else(|e| e.into_inner()).clone(),
                    ))
                }
            }),
        )
        .route(
            "/_fake/slack/posted",
            get(move || {
                let posted = posted.clone();
                async move { json(&Value::Array(posted.all())) }
            }),
        )
        .merge(crate::writes::admin("slack", admin_journal))
        .merge(crate::github::admin_router(faults))
}

fn err(error: &str) -> Response {
    json(&json!({"ok": false, "error": error}))
}

fn limit_of(q: &HashMap<String, String>, default: usize) -> usize {
    q.get("limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
        .clamp(1, 1000)
}

/// Cursor pagination: the cursor is an opaque offset. The error is the ready-made answer.
#[allow(clippy::result_large_err)]
fn cursor_page<T: Clone>(
    q: &HashMap<String, String>,
    items: &[T],
    default_limit: usize,
) -> Result<(Vec<T>, String), Response> {
    let start: usize = match q.get("cursor").filter(|c| !c.is_empty()) {
        Some(c) => c
            .strip_prefix("dXNlcjp")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| err("invalid_cursor"))?,
        None => 0,
    };
    let n = limit_of(q, default_limit);
    let page = items.iter().skip(start).take(n).cloned().collect();
    let next = if start + n < items.len() {
        format!("dXNlcjp{}", start + n)
    } else {
        String::new()
    };
    Ok((page, next))
}

/// The bot token's scopes, as Slack lists them in `x-oauth-scopes` (the repository's manifest).
pub const BOT_SCOPES: &str = "commands,app_mentions:read,channels:history,channels:read,groups:history,groups:read,users:read,users:read.email,chat:write,im:write";

async fn auth_test(State(s): State<Slack>) -> Response {
    let mut r = json(
        &json!({"ok": true, "url": "https://tidewater.slack.com/", "team": s.world.org.company.name, "user": "bosun", "team_id": s.world.org.company.slack_team, "user_id": "UBOSUNBOT", "bot_id": "BBOSUN01"}),
    );
    r.headers_mut().insert(
        "x-oauth-scopes",
        axum::http::HeaderValue::from_static(BOT_SCOPES),
    );
    r
}

async fn users_list(State(s): State<Slack>, Query(q): Q) -> Response {
    let w = &s.world;
    let mut members: Vec<Value> = w
        .org
        .people
        .iter()
        .map(|p| {
            let handle = p.email.split('@').next().unwrap_or("").replace('.', "");
            json!({
                "id": p.slack, "team_id": w.org.company.slack_team, "name": handle, "deleted": false,
                "real_name": p.name, "tz_offset": p.utc_offset * 3600, "is_bot": false, "is_admin": p.role == bosun_demo::org::Role::Manager,
                "profile": {"real_name": p.name, "display_name": p.name.split(' ').next().unwrap_or(""), "email": p.email, "title": p.title}
            })
        })
        .collect();
    members.push(json!({"id": "UDEPLOYBT", "team_id": w.org.company.slack_team, "name": "deploybot", "deleted": false, "real_name": "Deploy Bot", "is_bot": true, "profile": {"real_name": "Deploy Bot", "display_name": "deploybot", "bot_id": "BDEPLOY1"}}));
    match cursor_page(&q, &members, 200) {
        Ok((page, next)) => {
            json(&json!({"ok": true, "members": page, "response_metadata": {"next_cursor": next}}))
        }
        Err(r) => r,
    }
}

async fn conversations_list(State(s): State<Slack>, Query(q): Q) -> Response {
    let w = &s.world;
    let channels: Vec<Value> = w
        .org
        .channels
        .iter()
        .map(|c| json!({"id": c.id, "name": c.name, "is_channel": true, "is_archived": false, "is_member": true, "purpose": {"value": c.purpose}, "topic": {"value": ""}, "num_members": w.org.people.len()}))
        .collect();
    match cursor_page(&q, &channels, 100) {
        Ok((page, next)) => {
            json(&json!({"ok": true, "channels": page, "response_metadata": {"next_cursor": next}}))
        }
        Err(r) => r,
    }
}

fn channel_name<'a>(w: &'a World, id: &str) -> Option<&'a str> {
    w.org
        .channels
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.name.as_str())
}

fn ts_num(ts: &str) -> f64 {
    ts.parse().unwrap_or(0.0)
}

fn message_json(w: &World, m: &Message, replies: &[&Message]) -> Value {
    let user = m
        .user
        .map_or("UDEPLOYBT".to_string(), |p| w.org.people[p].slack.clone());
    let mut v = json!({"type": "message", "user": user, "text": m.text, "ts": m.ts});
    if m.user.is_none() {
        v["subtype"] = json!("bot_message");
        v["bot_id"] = json!("BDEPLOY1");
    }
    if let Some(t) = &m.thread_ts {
        v["thread_ts"] = json!(t);
    } else if !replies.is_empty() {
        v["thread_ts"] = json!(m.ts);
        v["reply_count"] = json!(replies.len());
        v["latest_reply"] = json!(replies.last().map(|r| r.ts.clone()));
    }
    v
}

/// `conversations.history`: top-level messages newest first, `oldest`/`latest` exclusive
/// bounds (unless `inclusive=true`), cursor pagination with `has_more`.
async fn history(State(s): State<Slack>, Query(q): Q) -> Response {
    let w = &s.world;
    let Some(channel) = q.get("channel") else {
        return err("channel_not_found");
    };
    let Some(name) = channel_name(w, channel)
        .map(str::to_string)
        .or_else(|| dm_user(w, channel))
    else {
        return err("channel_not_found");
    };
    let name = name.as_str();
    let inclusive = q.get("inclusive").is_some_and(|v| v == "true" || v == "1");
    let oldest = q.get("oldest").map(|v| ts_num(v));
    let latest = q.get("latest").map(|v| ts_num(v));
    let in_range = |ts: f64| {
        oldest.is_none_or(|o| if inclusive { ts >= o } else { ts > o })
            && latest.is_none_or(|l| if inclusive { ts <= l } else { ts < l })
    };
    let mut top: Vec<&Message> = w
        .messages
        .iter()
        .filter(|m| m.channel == name && m.thread_ts.is_none() && in_range(ts_num(&m.ts)))
        .collect();
    top.sort_by(|a, b| ts_num(&b.ts).total_cmp(&ts_num(&a.ts)));
    let mut rendered: Vec<Value> = top
        .iter()
        .map(|m| {
            let replies: Vec<&Message> = w
                .messages
                .iter()
                .filter(|r| r.channel == name && r.thread_ts.as_deref() == Some(m.ts.as_str()))
                .collect();
            message_json(w, m, &replies)
        })
        .collect();
    let metadata = q
        .get("include_all_metadata")
        .is_some_and(|v| v == "true" || v == "1");
    let mut posted = posted_in(&s, channel, metadata, &in_range);
    posted.append(&mut rendered);
    let rendered = posted;
    match cursor_page(&q, &rendered, 100) {
        Ok((page, next)) => json(
            &json!({"ok": true, "messages": page, "has_more": !next.is_empty(), "pin_count": 0, "response_metadata": {"next_cursor": next}}),
        ),
        Err(r) => r,
    }
}

/// `conversations.replies`: the parent then its replies, oldest first.
async fn replies(State(s): State<Slack>, Query(q): Q) -> Response {
    let w = &s.world;
    let (Some(channel), Some(ts)) = (q.get("channel"), q.get("ts")) else {
        return err("invalid_arguments");
    };
    let Some(name) = channel_name(w, channel) else {
        return err("channel_not_found");
    };
    let Some(parent) = w.messages.iter().find(|m| m.channel == name && &m.ts == ts) else {
        return err("thread_not_found");
    };
    let thread: Vec<&Message> = w
        .messages
        .iter()
        .filter(|r| r.channel == name && r.thread_ts.as_deref() == Some(ts.as_str()))
        .collect();
    let mut all = vec![message_json(w, parent, &thread)];
    all.extend(thread.iter().map(|r| message_json(w, r, &[])));
    match cursor_page(&q, &all, 100) {
        Ok((page, next)) => json(
            &json!({"ok": true, "messages": page, "has_more": !next.is_empty(), "response_metadata": {"next_cursor": next}}),
        ),
        Err(r) => r,
    }
}

/// `chat.postMessage` with a JSON body `{channel, text, thread_ts?}`.
async fn post_message(State(s): State<Slack>, body: axum::body::Bytes) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return err("invalid_json");
    };
    let (Some(channel), Some(text)) = (
        v.get("channel").and_then(Value::as_str),
        v.get("text").and_then(Value::as_str),
    ) else {
        return err("no_text");
    };
    let w = &s.world;
    let known_channel = channel_name(w, channel).is_some();
    let known_user = w.org.people.iter().any(|p| p.slack == channel);
    if !known_channel && !known_user {
        return err("channel_not_found");
    }
    // Posting to a user id opens (or reuses) the DM with them.
    let channel = if known_user {
        format!("D{channel}")
    } else {
        channel.to_string()
    };
    let ts = format!("{}.{:06}", w.as_of + 60, s.posted.len() + 1);
    let mut message = json!({"type": "message", "user": "UBOSUNBOT", "bot_id": "BBOSUN01", "text": text, "ts": ts, "channel": channel, "thread_ts": v.get("thread_ts")});
    if let Some(m) = v.get("metadata") {
        message["metadata"] = m.clone();
    }
    if let Some(b) = v.get("blocks") {
        message["blocks"] = b.clone();
    }
    s.posted.record(message.clone());
    if s.posted.lose_answer() {
        return crate::writes::lost();
    }
    let mut shown = message.clone();
    if let Some(o) = shown.as_object_mut() {
        o.remove("metadata");
        o.remove("channel");
    }
    json(&json!({"ok": true, "channel": channel, "ts": ts, "message": shown}))
}

fn record_call(s: &Slack, method: &str, body: &Value) {
    s.calls
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(json!({"method": method, "body": body}));
}

/// `views.open` with `{trigger_id, view}`: a modal shown to whoever pressed (recorded).
async fn views_open(State(s): State<Slack>, body: axum::body::Bytes) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return err("invalid_json");
    };
    if v.get("trigger_id")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return err("invalid_trigger_id");
    }
    let Some(view) = v
        .get("view")
        .filter(|x| x.get("type") == Some(&json!("modal")))
    else {
        return err("invalid_arguments");
    };
    record_call(&s, "views.open", &v);
    let mut shown = view.clone();
    shown["id"] = json!("VFAKE0001");
    json(&json!({"ok": true, "view": shown}))
}

/// `chat.update` with `{channel, ts, text, blocks?}`: a message Bosun posted, replaced (recorded).
async fn chat_update(State(s): State<Slack>, body: axum::body::Bytes) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return err("invalid_json");
    };
    let (Some(channel), Some(ts)) = (
        v.get("channel").and_then(Value::as_str),
        v.get("ts").and_then(Value::as_str),
    ) else {
        return err("cant_update_message");
    };
    let known = s.posted.all().iter().any(|m| {
        m.get("ts").and_then(Value::as_str) == Some(ts)
            && (m.get("channel").and_then(Value::as_str) == Some(channel)
                || m.get("channel").and_then(Value::as_str) == Some(&format!("D{channel}")))
    });
    if !known {
        return err("message_not_found");
    }
    record_call(&s, "chat.update", &v);
    json(&json!({"ok": true, "channel": channel, "ts": ts, "text": v.get("text")}))
}

/// `chat.postEphemeral` with `{channel, user, text}`: a message only `user` sees (recorded).
async fn post_ephemeral(State(s): State<Slack>, body: axum::body::Bytes) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return err("invalid_json");
    };
    let (Some(channel), Some(user)) = (
        v.get("channel").and_then(Value::as_str),
        v.get("user").and_then(Value::as_str),
    ) else {
        return err("invalid_arguments");
    };
    if channel_name(&s.world, channel).is_none() {
        return err("channel_not_found");
    }
    if !s.world.org.people.iter().any(|p| p.slack == user) {
        return err("user_not_in_channel");
    }
    record_call(&s, "chat.postEphemeral", &v);
    json(&json!({"ok": true, "message_ts": format!("{}.{:06}", s.world.as_of + 61, 1)}))
}

/// `conversations.open` with `{users: "<user id>"}`: the DM channel `D<user id>`.
async fn open_dm(State(s): State<Slack>, body: axum::body::Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or_default();
    let user = v.get("users").and_then(Value::as_str).unwrap_or_default();
    if user.contains(',') || !s.world.org.people.iter().any(|p| p.slack == user) {
        return err("user_not_found");
    }
    json(&json!({"ok": true, "channel": {"id": format!("D{user}"), "is_im": true, "user": user}}))
}

/// A DM channel `D<user id>`: the user's id when they exist.
fn dm_user(w: &World, channel: &str) -> Option<String> {
    let user = channel.strip_prefix('D')?;
    w.org
        .people
        .iter()
        .any(|p| p.slack == user)
        .then(|| channel.to_string())
}

/// Messages Bosun posted in `channel` (a channel id or a DM id), newest first.
fn posted_in(
    s: &Slack,
    channel: &str,
    metadata: bool,
    in_range: &dyn Fn(f64) -> bool,
) -> Vec<Value> {
    let mut out: Vec<Value> = s
        .posted
        .all()
        .into_iter()
        .filter(|m| {
            m["channel"] == channel
                && m["thread_ts"].is_null()
                && in_range(ts_num(m["ts"].as_str().unwrap_or("0")))
        })
        .map(|mut m| {
            if let Some(o) = m.as_object_mut() {
                o.remove("channel");
                o.remove("thread_ts");
                if !metadata {
                    o.remove("metadata");
                }
            }
            m
        })
        .collect();
    out.reverse();
    out
}
