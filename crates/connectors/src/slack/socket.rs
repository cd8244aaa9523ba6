//! Slack Socket Mode: Bosun on a laptop has no public URL, so it connects out to Slack over a
//! WebSocket, as Slack designed that mode for (https://api.slack.com/apis/socket-mode).
//!
//! `apps.connections.open` with the app-level token (`xapp-…`) gives a one-time `wss://` URL.
//! Slack then sends `hello`, envelopes (`slash_commands`, `interactive`, `events_api`) that must
//! be acknowledged by `envelope_id` within three seconds, and `disconnect` when it wants a fresh
//! connection (`refresh_requested`, `link_disabled`, `warning`). [`SocketMode::run`]
//! acknowledges each envelope as soon as it is read — before any work — and hands it to the
//! caller through a channel, reconnects to a fresh URL on `disconnect` at once and after a
//! dropped socket with backoff, and passes each `envelope_id` on at most once even when Slack
//! redelivers it on a new connection. Credentials refused stop it with the error.

use crate::events::EventSink;
use crate::http::{Auth, HttpClient, HttpConfig, origin_of};
use crate::{ConnectorError, Result};
use bosun_core::Sensitive;
use futures_util::{SinkExt, StreamExt};
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

/// Slack's deadline for an acknowledgement.
pub const ACK_WITHIN: Duration = Duration::from_secs(3);
/// Envelope ids remembered to drop redeliveries.
const REMEMBERED: usize = 10_000;

/// What an envelope is (`type`): a typed code, with anything new as `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvelopeType {
    /// The connection is ready.
    Hello,
    /// Slack wants this connection closed: reconnect to a fresh URL.
    Disconnect,
    /// A slash command (`/standup harbor`).
    SlashCommands,
    /// A button press or another Block Kit interaction.
    Interactive,
    /// An Events API event (an app mention).
    EventsApi,
    /// A type this version does not know: acknowledged and ignored.
    #[serde(other)]
    Other,
}

/// One frame Slack sends.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope {
    #[serde(rename = "type")]
    pub kind: EnvelopeType,
    #[serde(default)]
    pub envelope_id: Option<String>,
    #[serde(default)]
    pub payload: Value,
    /// `disconnect`: why.
    #[serde(default)]
    pub reason: Option<String>,
    /// 0 the first time; Slack counts its redeliveries.
    #[serde(default)]
    pub retry_attempt: Option<u32>,
}

/// A slash command's payload (the fields Bosun reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlashCommand {
    /// `/standup`.
    pub command: String,
    /// What follows the command.
    #[serde(default)]
    pub text: String,
    /// Who typed it (a Slack user id).
    pub user_id: String,
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(default)]
    pub channel_id: Option<String>,
    #[serde(default)]
    pub team_id: Option<String>,
    /// Where the answer goes (valid for 30 minutes, five answers).
    #[serde(default)]
    pub response_url: Option<String>,
}

/// What an envelope brought, for the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Command(SlashCommand),
    /// An `interactive` payload (a button press), as Slack sent it.
    Interaction(Value),
    /// An `events_api` payload, as Slack sent it.
    Event(Value),
}

/// An acknowledged envelope, passed on once.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub envelope_id: String,
    pub incoming: Incoming,
    /// Slack's redelivery count when this copy was the first Bosun saw.
    pub retry_attempt: u32,
}

/// What a run saw, for its caller and its tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SocketStats {
    /// WebSocket connections opened.
    pub connections: u64,
    pub hellos: u64,
    /// `disconnect` frames obeyed.
    pub refreshes: u64,
    /// Connections lost without a `disconnect`.
    pub drops: u64,
    pub acknowledged: u64,
    pub delivered: u64,
    /// Envelopes seen before (Slack's redeliveries), acknowledged and not passed on again.
    pub duplicates: u64,
    /// Frames that were not a Slack envelope (not JSON, no type, a command without a user).
    pub malformed: u64,
}

/// Where a running client is, published while [`SocketMode::run`] runs (Settings shows it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "phase")]
pub enum SocketPhase {
    /// Asking for a URL, or connecting to it.
    #[default]
    Connecting,
    /// Slack said `hello` on the current connection.
    Connected {
        /// The Slack app the connection belongs to (`connection_info.app_id`).
        app_id: Option<String>,
    },
    /// The last attempt failed; another follows after a backoff.
    Retrying { error: String },
    /// Slack refused the app-level token: nothing more is tried.
    Refused { error: String },
    /// Told to stop.
    Stopped,
}

/// A running client's phase and counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SocketStatus {
    #[serde(flatten)]
    pub phase: SocketPhase,
    pub stats: SocketStats,
}

/// What a one-off connection ([`SocketMode::probe`]) saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probe {
    /// The Slack app the token belongs to, from `hello`.
    pub app_id: Option<String>,
    /// Connections Slack counts for this app, this one included (`num_connections`).
    pub num_connections: Option<u64>,
}

/// The Socket Mode client of one Slack app.
pub struct SocketMode {
    api: String,
    http: HttpClient,
    status: watch::Sender<SocketStatus>,
    /// First wait after a dropped connection; doubles up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
}

impl SocketMode {
    /// A client calling `apps.connections.open` on `api` (`https://slack.com`) with `app_token`.
    pub fn new(
        api: &str,
        app_token: Sensitive<String>,
        cfg: HttpConfig,
        sink: Arc<dyn EventSink>,
    ) -> Result<SocketMode> {
        let api = api.trim_end_matches('/').to_string();
        let http = HttpClient::new(
            "slack-socket",
            &api,
            Auth::Bearer(app_token),
            HeaderMap::new(),
            cfg,
            sink,
        )?;
        Ok(SocketMode {
            api,
            http,
            status: watch::Sender::new(SocketStatus::default()),
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
        })
    }

    /// Publish the client's phase and counts on `status` instead of its own channel.
    pub fn with_status(mut self, status: watch::Sender<SocketStatus>) -> SocketMode {
        self.status = status;
        self
    }

    /// Follow the client's phase and counts while it runs.
    pub fn status(&self) -> watch::Receiver<SocketStatus> {
        self.status.subscribe()
    }

    fn publish(&self, phase: SocketPhase, stats: &SocketStats) {
        self.status.send_replace(SocketStatus {
            phase,
            stats: stats.clone(),
        });
    }

    /// Check the token and the connection once: a fresh URL, a WebSocket to it, Slack's `hello`
    /// (within `wait`), then close — before Slack sends this connection anything to acknowledge.
    pub async fn probe(&self, wait: Duration) -> Result<Probe> {
        let url = self.open().await?;
        let unavailable = |last: String| ConnectorError::Unavailable {
            url: redact_ticket(&url),
            attempts: 1,
            last,
        };
        let hello = async {
            let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
                .await
                .map_err(|e| unavailable(e.to_string()))?;
            while let Some(frame) = ws.next().await {
                let text = match frame.map_err(|e| unavailable(e.to_string()))? {
                    Message::Text(t) => t,
                    Message::Close(_) => break,
                    _ => continue,
                };
                let v: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                if v["type"] == "hello" {
                    let _ = ws.close(None).await;
                    return Ok(Probe {
                        app_id: v["connection_info"]["app_id"].as_str().map(str::to_string),
                        num_connections: v["num_connections"].as_u64(),
                    });
                }
            }
            Err(unavailable(
                "the connection closed before Slack said hello".into(),
            ))
        };
        tokio::time::timeout(wait, hello)
            .await
            .unwrap_or_else(|_| Err(unavailable(format!("no hello within {wait:?}"))))
    }

    /// `apps.connections.open`: a fresh WebSocket URL.
    pub async fn open(&self) -> Result<String> {
        let v = super::post_api(&self.http, &self.api, "apps.connections.open", &json!({})).await?;
        let ws = v.get("url").and_then(Value::as_str).unwrap_or_default();
        if !(ws.starts_with("wss://") || ws.starts_with("ws://")) {
            return Err(ConnectorError::Malformed {
                url: format!("{}/api/apps.connections.open", self.api),
                detail: format!("no WebSocket URL in the answer (url: {ws:?})"),
            });
        }
        Ok(ws.to_string())
    }

    /// Connect, acknowledge and pass envelopes on to `out` until `stop` turns true (or `out` is
    /// closed); `out` is unbounded so that a slow consumer never delays an acknowledgement; reconnect whenever Slack asks or the connection drops. Ends with an error only
    /// when Slack refuses the app token.
    pub async fn run(
        &self,
        out: mpsc::UnboundedSender<Delivery>,
        mut stop: watch::Receiver<bool>,
    ) -> Result<SocketStats> {
        let mut stats = SocketStats::default();
        let mut seen = Seen::default();
        let mut failures: u32 = 0;
        let stopped = |stats: SocketStats| {
            self.publish(SocketPhase::Stopped, &stats);
            Ok(stats)
        };
        loop {
            if *stop.borrow() || out.is_closed() {
                return stopped(stats);
            }
            self.publish(SocketPhase::Connecting, &stats);
            let opened = match self.open().await {
                Ok(url) => tokio_tungstenite::connect_async(url.as_str())
                    .await
                    .map(|(ws, _)| ws)
                    .map_err(|e| ConnectorError::Unavailable {
                        url: redact_ticket(&url),
                        attempts: 1,
                        last: e.to_string(),
                    }),
                Err(e) => Err(e),
            };
            let ws = match opened {
                Ok(ws) => ws,
                Err(e @ ConnectorError::Auth { .. }) => {
                    let error = e.to_string();
                    self.publish(SocketPhase::Refused { error }, &stats);
                    return Err(e);
                }
                Err(e) => {
                    failures += 1;
                    tracing::warn!("slack socket mode: {e}; retrying");
                    let error = e.to_string();
                    self.publish(SocketPhase::Retrying { error }, &stats);
                    if self.wait(failures, &mut stop).await {
                        return stopped(stats);
                    }
                    continue;
                }
            };
            stats.connections += 1;
            let ended = session(ws, &out, &mut seen, &mut stop, &mut stats, &self.status).await;
            match ended {
                Ended::Stopped => return stopped(stats),
                Ended::Refresh(reason) => {
                    tracing::info!("slack socket mode: disconnect ({reason}); reconnecting");
                    stats.refreshes += 1;
                    failures = 0;
                }
                Ended::Dropped(why) => {
                    tracing::warn!("slack socket mode: connection lost ({why}); reconnecting");
                    stats.drops += 1;
                    failures += 1;
                    let error = format!("connection lost: {why}");
                    self.publish(SocketPhase::Retrying { error }, &stats);
                    if self.wait(failures, &mut stop).await {
                        return stopped(stats);
                    }
                }
            }
        }
    }

    /// Back off before the `failures`th retry; true when told to stop meanwhile.
    async fn wait(&self, failures: u32, stop: &mut watch::Receiver<bool>) -> bool {
        let factor = 1u32 << failures.saturating_sub(1).min(16);
        let delay = self.backoff.saturating_mul(factor).min(self.max_backoff);
        tokio::select! {
            _ = tokio::time::sleep(delay) => *stop.borrow(),
            _ = stop.changed() => true,
        }
    }
}

/// The ticket of a Socket Mode URL is a credential for one connection: left out of messages.
fn redact_ticket(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_string()
}

/// How one connection ended.
enum Ended {
    Stopped,
    Refresh(String),
    Dropped(String),
}

/// The envelope ids already passed on (the last [`REMEMBERED`]).
#[derive(Default)]
struct Seen {
    ids: HashSet<String>,
    order: VecDeque<String>,
}

impl Seen {
    /// True the first time `id` is seen.
    fn first(&mut self, id: &str) -> bool {
        if self.ids.contains(id) {
            return false;
        }
        self.ids.insert(id.to_string());
        self.order.push_back(id.to_string());
        if self.order.len() > REMEMBERED
            && let Some(old) = self.order.pop_front()
        {
            self.ids.remove(&old);
        }
        true
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn session(
    mut ws: Ws,
    out: &mpsc::UnboundedSender<Delivery>,
    seen: &mut Seen,
    stop: &mut watch::Receiver<bool>,
    stats: &mut SocketStats,
    status: &watch::Sender<SocketStatus>,
) -> Ended {
    loop {
        let frame = tokio::select! {
            _ = stop.changed() => {
                let _ = ws.close(None).await;
                return Ended::Stopped;
            }
            f = ws.next() => f,
        };
        let text = match frame {
            None => return Ended::Dropped("the connection closed".into()),
            Some(Err(e)) => return Ended::Dropped(e.to_string()),
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Ping(p))) => {
                if let Err(e) = ws.send(Message::Pong(p)).await {
                    return Ended::Dropped(e.to_string());
                }
                continue;
            }
            Some(Ok(Message::Close(_))) => return Ended::Dropped("closed by Slack".into()),
            Some(Ok(_)) => continue,
        };
        let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
            stats.malformed += 1;
            tracing::warn!("slack socket mode: a frame that is not JSON ignored");
            continue;
        };
        let id = value
            .get("envelope_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        // Acknowledge first, whatever follows: Slack redelivers what is not acknowledged within
        // three seconds, and the work (a note, an answer) may take longer.
        if let Some(id) = &id {
            if let Err(e) = ws
                .send(Message::text(json!({ "envelope_id": id }).to_string()))
                .await
            {
                return Ended::Dropped(e.to_string());
            }
            stats.acknowledged += 1;
        }
        // `hello` names the app in `connection_info`, outside the payload.
        let app_id = value["connection_info"]["app_id"]
            .as_str()
            .map(str::to_string);
        let envelope: Envelope = match serde_json::from_value(value) {
            Ok(e) => e,
            Err(e) => {
                stats.malformed += 1;
                tracing::warn!("slack socket mode: an envelope Bosun cannot read: {e}");
                continue;
            }
        };
        let incoming = match envelope.kind {
            EnvelopeType::Hello => {
                stats.hellos += 1;
                status.send_replace(SocketStatus {
                    phase: SocketPhase::Connected { app_id },
                    stats: stats.clone(),
                });
                continue;
            }
            EnvelopeType::Disconnect => {
                let _ = ws.close(None).await;
                return Ended::Refresh(envelope.reason.unwrap_or_else(|| "no reason".into()));
            }
            EnvelopeType::Other => continue,
            EnvelopeType::SlashCommands => {
                match serde_json::from_value::<SlashCommand>(envelope.payload) {
                    Ok(c) => Incoming::Command(c),
                    Err(e) => {
                        stats.malformed += 1;
                        tracing::warn!("slack socket mode: a slash command Bosun cannot read: {e}");
                        continue;
                    }
                }
            }
            EnvelopeType::Interactive => Incoming::Interaction(envelope.payload),
            EnvelopeType::EventsApi => Incoming::Event(envelope.payload),
        };
        let Some(id) = id else {
            stats.malformed += 1;
            continue;
        };
        if !seen.first(&id) {
            stats.duplicates += 1;
            continue;
        }
        let delivery = Delivery {
            envelope_id: id,
            incoming,
            retry_attempt: envelope.retry_attempt.unwrap_or(0),
        };
        if out.send(delivery).is_err() {
            let _ = ws.close(None).await;
            return Ended::Stopped;
        }
        stats.delivered += 1;
        status.send_modify(|s| s.stats = stats.clone());
    }
}

/// Answer a slash command at its `response_url`: only Slack's (`https://hooks.slack.com`) or
/// one on the origin of the Slack API Bosun talks to (the fake Slack), never anywhere else.
pub async fn respond(
    api: &str,
    response_url: &str,
    body: &Value,
    cfg: HttpConfig,
    sink: Arc<dyn EventSink>,
) -> Result<()> {
    let origin = origin_of(response_url);
    let allowed = origin.as_deref() == Some("https://hooks.slack.com")
        || (origin.is_some() && origin == origin_of(api));
    if !allowed {
        return Err(ConnectorError::ForeignOrigin {
            url: redact_ticket(response_url),
            origin: origin_of(api).unwrap_or_default(),
        });
    }
    let http = HttpClient::new(
        "slack-response",
        response_url,
        Auth::None,
        HeaderMap::new(),
        cfg,
        sink,
    )?;
    match http.post_value(response_url, body).await {
        // Slack answers a response URL with a plain `ok`, not JSON: any 2xx is delivered.
        Ok(_) | Err(ConnectorError::Malformed { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}
