//! Drafts approved from Slack (docs/slack.md#approvals): each draft that waits for approval is
//! also sent to the manager as one direct message with Approve and Reject buttons; a press is the
//! same approval as in the app — the policy asked again, delivered exactly once, audited with
//! the Slack user id — and counts only from the manager's own Slack account. The message is then
//! replaced by what happened.

use crate::outbox::Endpoint;
use crate::{App, AppError, Result};
use bosun_connectors::events::EventSink;
use bosun_connectors::slack::socket;
use bosun_notes::slack::escape;
use bosun_store::actions;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// A button Bosun puts on a draft (its `action_id` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Button {
    #[serde(rename = "bosun_approve")]
    Approve,
    #[serde(rename = "bosun_reject")]
    Reject,
}

impl Button {
    fn action_id(self) -> &'static str {
        match self {
            Button::Approve => "bosun_approve",
            Button::Reject => "bosun_reject",
        }
    }
}

#[derive(Debug, Deserialize)]
struct User {
    id: String,
}

#[derive(Debug, Deserialize)]
struct Pressed {
    action_id: String,
    #[serde(default)]
    value: String,
}

/// A `block_actions` payload (the fields Bosun reads).
#[derive(Debug, Deserialize)]
struct BlockActions {
    #[serde(rename = "type")]
    kind: String,
    user: User,
    #[serde(default)]
    actions: Vec<Pressed>,
    #[serde(default)]
    response_url: Option<String>,
}

/// Drafts offered per round (every 30 s): a backlog arrives a few at a time, never as a flood.
pub const OFFER_PER_ROUND: usize = 10;
/// Only drafts this recent are offered in Slack; older ones wait in the app.
pub const OFFER_WITHIN_SECS: i64 = 24 * 3600;

/// The characters of a draft's text shown in its message.
const BODY_CHARS: usize = 2500;

/// The message offering draft `row` to the manager.
pub fn draft_message(row: &actions::ActionRow, channel: &str) -> Value {
    let body: String = row.body.chars().take(BODY_CHARS).collect();
    let quoted = body
        .lines()
        .map(|l| format!("> {}", escape(l)))
        .collect::<Vec<_>>()
        .join("\n");
    json!({
        "channel": channel,
        "text": format!("Bosun drafted: {} — approve or reject", row.summary),
        "unfurl_links": false,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": format!("*Draft #{}* — {}", row.id, escape(&row.summary))}},
            {"type": "section", "text": {"type": "mrkdwn", "text": quoted}},
            {"type": "actions", "block_id": format!("bosun_action_{}", row.id), "elements": [
                {"type": "button", "action_id": Button::Approve.action_id(), "style": "primary",
                 "text": {"type": "plain_text", "text": "Approve and send"}, "value": row.id.to_string()},
                {"type": "button", "action_id": Button::Reject.action_id(), "style": "danger",
                 "text": {"type": "plain_text", "text": "Reject"}, "value": row.id.to_string()},
            ]},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "To edit the text first, open Signals & actions in Bosun. Nothing is sent until you approve."}]},
        ],
    })
}

fn replacement(text: &str) -> Value {
    json!({
        "replace_original": true,
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}}],
    })
}

impl App {
    /// The manager's Slack account (the only one whose presses count).
    fn manager_slack_id(&self) -> Result<Option<String>> {
        let store = self.store()?;
        let conn = store.conn();
        match self.me(conn)? {
            Some(me) => Ok(bosun_store::chatops::slack_id_of(conn, me)?),
            None => Ok(None),
        }
    }

    /// Offer the manager, in Slack, the drafts of the last day not offered yet
    /// ([`OFFER_PER_ROUND`] at a time): one message each, claimed before it is posted so that no
    /// draft is offered twice. Returns how many were posted.
    pub async fn offer_drafts_in_slack(&self, ep: &Endpoint) -> Result<usize> {
        let Some(manager) = self.manager_slack_id()? else {
            return Ok(0);
        };
        let since = self.now() - OFFER_WITHIN_SECS;
        let drafts: Vec<_> = {
            let store = self.store()?;
            actions::drafts_without_dm(store.conn())?
                .into_iter()
                .filter(|d| d.created_at >= since)
                .take(OFFER_PER_ROUND)
                .collect()
        };
        let mut posted = 0;
        for row in drafts {
            let now = self.now();
            let claimed = self
                .store()?
                .write(|tx| actions::claim_dm(tx, row.id, &manager, now))?;
            if !claimed {
                continue;
            }
            let url = format!("{}/api/chat.postMessage", ep.api.trim_end_matches('/'));
            let sent = async {
                let v: Value = ep
                    .http
                    .post_json(&url, &draft_message(&row, &manager))
                    .await?;
                bosun_connectors::slack::api::check(&v, &url)?;
                Ok::<_, bosun_connectors::ConnectorError>((
                    v.get("channel")
                        .and_then(Value::as_str)
                        .unwrap_or(&manager)
                        .to_string(),
                    v.get("ts")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                ))
            }
            .await;
            let mut store = self.store()?;
            match sent {
                Ok((channel, ts)) => {
                    store.write(|tx| actions::dm_posted(tx, row.id, &channel, &ts))?;
                    posted += 1;
                }
                Err(e) => {
                    store.write(|tx| actions::unclaim_dm(tx, row.id))?;
                    tracing::warn!("slack: draft {} was not offered: {e}", row.id);
                }
            }
        }
        Ok(posted)
    }

    /// A button pressed in Slack: Approve or Reject a draft, from the manager's account only.
    /// Returns the text that replaced the message (or told the presser why not).
    pub async fn slack_button(
        &self,
        payload: &Value,
        api: &str,
        sink: Arc<dyn EventSink>,
    ) -> Result<Option<String>> {
        let Ok(p) = serde_json::from_value::<BlockActions>(payload.clone()) else {
            return Ok(None);
        };
        if p.kind != "block_actions" {
            return Ok(None);
        }
        let Some(pressed) = p.actions.first() else {
            return Ok(None);
        };
        let Ok(button) = serde_json::from_value::<Button>(json!(pressed.action_id)) else {
            return Ok(None);
        };
        let id: i64 = pressed.value.parse().map_err(|_| {
            AppError::InvalidInput(format!("a button without a draft id: {:?}", pressed.value))
        })?;
        let who = bosun_store::chatops::actor(&p.user.id);
        let manager = self.manager_slack_id()?;
        let (text, replace) = if manager.as_deref() != Some(p.user.id.as_str()) {
            // Someone else's press: audited, and they are told; the draft waits.
            let now = self.now();
            self.store()?.write(|tx| {
                bosun_store::audit::append(
                    tx,
                    &bosun_store::audit::NewEntry {
                        at: now,
                        actor: &who,
                        action: "action.press_refused",
                        subject: Some(&format!("action:{id}")),
                        result: "denied",
                        trace: json!({"button": pressed.action_id, "reason": "not the manager's Slack account"}),
                    },
                )
            })?;
            (
                "Only the manager Bosun works for can approve or reject its drafts.".to_string(),
                false,
            )
        } else {
            let outcome = match button {
                Button::Approve => self.approve_action_by(id, None, &who).await.map(|d| {
                    match d.action.row.status.as_str() {
                        "sent" => format!("Approved in Slack and sent: {}", d.action.row.summary),
                        "denied" => format!(
                            "Approved, but the policy denied it: {}",
                            d.decision.map(|x| x.explain()).unwrap_or_default()
                        ),
                        "approved" => format!(
                            "Approved: {} — it waits ({}).",
                            d.action.row.summary,
                            d.decision.map(|x| x.explain()).unwrap_or_default()
                        ),
                        other => format!("Approved: {} ({other}).", d.action.row.summary),
                    }
                }),
                Button::Reject => self
                    .reject_action_by(id, None, &who)
                    .map(|a| format!("Rejected in Slack: {}", a.row.summary)),
            };
            match outcome {
                Ok(t) => (t, true),
                // Pressed twice, or decided in the app meanwhile: nothing happens twice.
                Err(AppError::InvalidInput(e)) => (format!("Nothing done: {e}."), true),
                Err(e) => return Err(e),
            }
        };
        if let Some(url) = &p.response_url {
            let body = if replace {
                replacement(&text)
            } else {
                json!({"replace_original": false, "response_type": "ephemeral", "text": text})
            };
            if let Err(e) = socket::respond(api, url, &body, self.config.http(), sink).await {
                tracing::warn!("slack: the answer to a button press was not delivered: {e}");
            }
        }
        Ok(Some(text))
    }
}
