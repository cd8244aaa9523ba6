//! The fake Slack's Socket Mode: `POST /api/apps.connections.open` (the app-level token
//! [`DEMO_APP_TOKEN`]; a bot token is refused as Slack does, `not_allowed_token_type`) answers a
//! `ws://` URL on this server; the WebSocket there sends `hello`, then the envelopes queued
//! through the admin routes, and expects each acknowledged by `envelope_id` — one not
//! acknowledged within three seconds, or sent on a connection that dropped, is delivered again
//! with `retry_attempt` raised, as Slack does.
//!
//! Admin routes (no token):
//! - `POST /_fake/slack/socket/command` `{command, text, user_id, channel_id?}` → `{envelope_id}`:
//!   a slash command as a user typed it, its `response_url` on this server;
//! - `POST /_fake/slack/socket/interaction` (any payload) → `{envelope_id}`;
//! - `POST /_fake/slack/socket/event` (an event, e.g. an `app_mention`) → `{envelope_id}`;
//! - `POST /_fake/slack/socket/fault` `{fault}`: `refresh` (a `disconnect`, reason
//!   `refresh_requested`, then the socket closed), `link_disabled`, `drop` (the socket dropped
//!   without a close frame), `redeliver` (the last acknowledged envelope sent again), `malformed`
//!   (a frame that is not JSON and an envelope without a type);
//! - `GET /_fake/slack/socket/acks` → `[{envelope_id, attempt, after_ms}]`;
//! - `GET /_fake/slack/socket/state` → `{connections, queued, unacked}`;
//! - `POST /_fake/slack/respond/{envelope_id}` (the `response_url`) and
//!   `GET /_fake/slack/socket/responses/{envelope_id}` → what was answered there.

use crate::http::json;
use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The app-level token the fake accepts for `apps.connections.open`.
pub const DEMO_APP_TOKEN: &str = "xapp-1-bosun-demo";
/// Slack's acknowledgement deadline.
const ACK_WITHIN: Duration = Duration::from_secs(3);

/// A fault the next frame of the open connection plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Refresh,
    LinkDisabled,
    Drop,
    Redeliver,
    Malformed,
}

#[derive(Default)]
struct Hub {
    queue: VecDeque<Value>,
    /// Sent, not yet acknowledged: the envelope and when it was sent.
    unacked: BTreeMap<String, (Value, Instant)>,
    acks: Vec<Value>,
    last_acked: Option<Value>,
    faults: VecDeque<Fault>,
    responses: HashMap<String, Vec<Value>>,
    next: u64,
    connections: u64,
}

/// The Socket Mode side of the fake Slack, shared by its routes and connections.
#[derive(Clone, Default)]
pub struct Socket {
    hub: Arc<Mutex<Hub>>,
    wake: Arc<Notify>,
}

impl Socket {
    fn hub(&self) -> std::sync::MutexGuard<'_, Hub> {
        self.hub.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queue an envelope of `kind` with `payload` (its `response_url` filled in by `make`).
    fn enqueue(&self, kind: &str, make: impl FnOnce(&str) -> Value) -> String {
        let id = {
            let mut h = self.hub();
            h.next += 1;
            let id = format!("fake-envelope-{:04}", h.next);
            h.queue.push_back(json!({
                "envelope_id": id,
                "type": kind,
                "payload": make(&id),
                "accepts_response_payload": kind == "slash_commands",
                "retry_attempt": 0,
                "retry_reason": "",
            }));
            id
        };
        self.wake.notify_waiters();
        id
    }
}

/// Routes: `apps.connections.open`, the WebSocket and the admin routes.
pub fn router(socket: Socket) -> Router {
    Router::new()
        .route("/api/apps.connections.open", post(open))
        .route("/_fake/slack/socket", get(upgrade))
        .route("/_fake/slack/socket/command", post(command))
        .route("/_fake/slack/socket/interaction", post(interaction))
        .route("/_fake/slack/socket/event", post(event))
        .route("/_fake/slack/socket/fault", post(fault))
        .route("/_fake/slack/socket/acks", get(acks))
        .route("/_fake/slack/socket/state", get(state))
        .route("/_fake/slack/socket/responses/{id}", get(responses))
        .route("/_fake/slack/respond/{id}", post(respond))
        .with_state(socket)
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string()
}

async fn open(headers: HeaderMap) -> Response {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("");
    if token.is_empty() {
        return json(&json!({"ok": false, "error": "not_authed"}));
    }
    if !token.starts_with("xapp-") {
        return json(&json!({"ok": false, "error": "not_allowed_token_type"}));
    }
    if token != DEMO_APP_TOKEN {
        return json(&json!({"ok": false, "error": "invalid_auth"}));
    }
    json(&json!({
        "ok": true,
        "url": format!("ws://{}/_fake/slack/socket?ticket=fake-ticket", host(&headers)),
    }))
}

async fn command(State(s): State<Socket>, headers: HeaderMap, body: String) -> Response {
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return json(&json!({"ok": false, "error": "the body is not JSON"}));
    };
    let base = format!("http://{}", host(&headers));
    let id = s.enqueue("slash_commands", |id| {
        json!({
            "token": "fake-verification-token",
            "team_id": "TTIDEWATER",
            "team_domain": "tidewater",
            "channel_id": v.get("channel_id").cloned().unwrap_or(json!("CFAKE0001")),
            "channel_name": v.get("channel_name").cloned().unwrap_or(json!("general")),
            "user_id": v.get("user_id").cloned().unwrap_or(Value::Null),
            "user_name": v.get("user_name").cloned().unwrap_or(Value::Null),
            "command": v.get("command").cloned().unwrap_or(Value::Null),
            "text": v.get("text").cloned().unwrap_or(json!("")),
            "api_app_id": "ABOSUN0001",
            "is_enterprise_install": "false",
            "response_url": format!("{base}/_fake/slack/respond/{id}"),
            "trigger_id": format!("trigger-{id}"),
        })
    });
    json(&json!({"ok": true, "envelope_id": id}))
}

async fn interaction(State(s): State<Socket>, body: String) -> Response {
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return json(&json!({"ok": false, "error": "the body is not JSON"}));
    };
    let id = s.enqueue("interactive", |_| v);
    json(&json!({"ok": true, "envelope_id": id}))
}

/// An Events API event (`{type: "app_mention", …}`), queued as Slack wraps it.
async fn event(State(s): State<Socket>, body: String) -> Response {
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return json(&json!({"ok": false, "error": "the body is not JSON"}));
    };
    let id = s.enqueue("events_api", |id| {
        json!({"type": "event_callback", "team_id": "TTIDEWATER", "api_app_id": "ABOSUN0001",
            "event_id": format!("Ev{id}"), "event": v})
    });
    json(&json!({"ok": true, "envelope_id": id}))
}

async fn fault(State(s): State<Socket>, body: String) -> Response {
    let name = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v.get("fault").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default();
    let f = match name.as_str() {
        "refresh" => Fault::Refresh,
        "link_disabled" => Fault::LinkDisabled,
        "drop" => Fault::Drop,
        "redeliver" => Fault::Redeliver,
        "malformed" => Fault::Malformed,
        _ => return json(&json!({"ok": false, "error": format!("unknown fault {name:?}")})),
    };
    s.hub().faults.push_back(f);
    s.wake.notify_waiters();
    json(&json!({"ok": true}))
}

async fn acks(State(s): State<Socket>) -> Response {
    json(&Value::Array(s.hub().acks.clone()))
}

async fn state(State(s): State<Socket>) -> Response {
    let h = s.hub();
    json(&json!({
        "connections": h.connections,
        "queued": h.queue.len(),
        "unacked": h.unacked.keys().collect::<Vec<_>>(),
    }))
}

async fn responses(State(s): State<Socket>, Path(id): Path<String>) -> Response {
    json(&Value::Array(
        s.hub().responses.get(&id).cloned().unwrap_or_default(),
    ))
}

async fn respond(State(s): State<Socket>, Path(id): Path<String>, body: String) -> Response {
    let v = serde_json::from_str::<Value>(&body).unwrap_or(Value::String(body));
    s.hub().responses.entry(id).or_default().push(v);
    json(&json!({"ok": true}))
}

async fn upgrade(State(s): State<Socket>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| connection(s, socket))
}

/// What the connection loop does next.
enum Step {
    Send(String),
    Close(Option<&'static str>),
    Drop,
}

async fn connection(s: Socket, mut ws: WebSocket) {
    {
        let mut h = s.hub();
        h.connections += 1;
        // What a lost connection had sent without an acknowledgement goes out again.
        let lost: Vec<Value> = std::mem::take(&mut h.unacked)
            .into_values()
            .map(|(v, _)| again(v, "timeout"))
            .collect();
        for v in lost.into_iter().rev() {
            h.queue.push_front(v);
        }
    }
    let hello = json!({"type": "hello", "num_connections": 1,
        "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
        "connection_info": {"app_id": "ABOSUN0001"}});
    if ws.send(Message::text(hello.to_string())).await.is_err() {
        return;
    }
    loop {
        for step in next_steps(&s) {
            match step {
                Step::Send(t) => {
                    if ws.send(Message::text(t)).await.is_err() {
                        return;
                    }
                }
                Step::Close(reason) => {
                    if let Some(reason) = reason {
                        let frame = json!({"type": "disconnect", "reason": reason,
                            "debug_info": {"host": "fake-slack"}});
                        let _ = ws.send(Message::text(frame.to_string())).await;
                    }
                    let _ = ws.send(Message::Close(None)).await;
                    return;
                }
                Step::Drop => return,
            }
        }
        tokio::select! {
            _ = s.wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            frame = ws.recv() => match frame {
                Some(Ok(Message::Text(t))) => acknowledge(&s, t.as_str()),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// `v` as a redelivery: `retry_attempt` raised, with Slack's reason.
fn again(mut v: Value, reason: &str) -> Value {
    let n = v.get("retry_attempt").and_then(Value::as_u64).unwrap_or(0) + 1;
    v["retry_attempt"] = json!(n);
    v["retry_reason"] = json!(reason);
    v
}

fn acknowledge(s: &Socket, text: &str) {
    let Some(id) = serde_json::from_str::<Value>(text).ok().and_then(|v| {
        v.get("envelope_id")
            .and_then(Value::as_str)
            .map(str::to_string)
    }) else {
        return;
    };
    let mut h = s.hub();
    if let Some((v, sent)) = h.unacked.remove(&id) {
        let attempt = v.get("retry_attempt").cloned().unwrap_or(json!(0));
        h.acks.push(json!({"envelope_id": id, "attempt": attempt,
            "after_ms": sent.elapsed().as_millis() as u64}));
        h.last_acked = Some(v);
    } else {
        h.acks
            .push(json!({"envelope_id": id, "attempt": null, "after_ms": null}));
    }
}

/// The frames to send now: a pending fault first, then envelopes past their deadline again,
/// then the queue.
fn next_steps(s: &Socket) -> Vec<Step> {
    let mut h = s.hub();
    let mut out = Vec::new();
    if let Some(f) = h.faults.pop_front() {
        match f {
            Fault::Refresh => return vec![Step::Close(Some("refresh_requested"))],
            Fault::LinkDisabled => return vec![Step::Close(Some("link_disabled"))],
            Fault::Drop => return vec![Step::Drop],
            Fault::Redeliver => {
                if let Some(v) = h.last_acked.clone() {
                    out.push(Step::Send(again(v, "timeout").to_string()));
                }
            }
            Fault::Malformed => {
                out.push(Step::Send("{\"envelope_id\": \"fake-broken".into()));
                out.push(Step::Send(
                    json!({"envelope_id": "fake-untyped", "payload": {}}).to_string(),
                ));
            }
        }
    }
    let late: Vec<String> = h
        .unacked
        .iter()
        .filter(|(_, (_, sent))| sent.elapsed() > ACK_WITHIN)
        .map(|(id, _)| id.clone())
        .collect();
    for id in late {
        if let Some((v, _)) = h.unacked.remove(&id) {
            let v = again(v, "timeout");
            out.push(Step::Send(v.to_string()));
            h.unacked.insert(id, (v, Instant::now()));
        }
    }
    while let Some(v) = h.queue.pop_front() {
        let id = v
            .get("envelope_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        out.push(Step::Send(v.to_string()));
        h.unacked.insert(id, (v, Instant::now()));
    }
    out
}
