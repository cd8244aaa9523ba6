//! Drafts approved from Slack (docs/slack.md#approvals): each draft that waits for approval is
//! also sent to the manager as one direct message with Approve, Edit and Reject buttons (Edit
//! opens a modal with the text; submitting it approves the edited text); a press is the same
//! approval as in the app — the policy asked again, delivered exactly once, audited with
//! the Slack user id — and counts only from the manager's own Slack account. The message is then
//! replaced by what happened.

use crate::outbox::Endpoint;
use crate::{App, AppError, Result};
use bosun_connectors::events::EventSink;
use bosun_connectors::slack::{self, socket};
use bosun_core::model::ActionStatus;
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
    #[serde(rename = "bosun_edit")]
    Edit,
    #[serde(rename = "bosun_reject")]
    Reject,
}

impl Button {
    fn action_id(self) -> &'static str {
        match self {
            Button::Approve => "bosun_approve",
            Button::Edit => "bosun_edit",
            Button::Reject => "bosun_reject",
        }
    }
}

/// The modal's `callback_id`, and where its text is (`block_id`, `action_id`).
const EDIT_VIEW: &str = "bosun_edit";
const EDIT_BLOCK: &str = "body";
const EDIT_INPUT: &str = "text";

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
    user: User,
    #[serde(default)]
    actions: Vec<Pressed>,
    #[serde(default)]
    response_url: Option<String>,
    /// Opens a modal (valid for three seconds).
    #[serde(default)]
    trigger_id: Option<String>,
}

/// A submitted modal (the fields Bosun reads).
#[derive(Debug, Deserialize)]
struct ViewSubmission {
    user: User,
    view: SubmittedView,
}

#[derive(Debug, Deserialize)]
struct SubmittedView {
    #[serde(default)]
    callback_id: String,
    #[serde(default)]
    private_metadata: String,
    #[serde(default)]
    state: Value,
}

/// An interaction's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum InteractionType {
    BlockActions,
    ViewSubmission,
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct Typed {
    #[serde(rename = "type")]
    kind: InteractionType,
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
                {"type": "button", "action_id": Button::Edit.action_id(),
                 "text": {"type": "plain_text", "text": "Edit…"}, "value": row.id.to_string()},
                {"type": "button", "action_id": Button::Reject.action_id(), "style": "danger",
                 "text": {"type": "plain_text", "text": "Reject"}, "value": row.id.to_string()},
            ]},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Nothing is sent until you approve; Edit… changes the text first."}]},
        ],
    })
}

/// The modal that edits draft `row` (its text at most Slack's 3000 characters).
fn edit_view(row: &actions::ActionRow) -> Value {
    let label: String = row.summary.chars().take(1900).collect();
    let initial: String = row.body.chars().take(3000).collect();
    json!({
        "type": "modal",
        "callback_id": EDIT_VIEW,
        "private_metadata": row.id.to_string(),
        "title": {"type": "plain_text", "text": format!("Edit draft #{}", row.id).chars().take(24).collect::<String>()},
        "submit": {"type": "plain_text", "text": "Approve and send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [{
            "type": "input",
            "block_id": EDIT_BLOCK,
            "label": {"type": "plain_text", "text": label},
            "element": {"type": "plain_text_input", "action_id": EDIT_INPUT, "multiline": true, "initial_value": initial},
        }],
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
            let sent = async {
                let message = draft_message(&row, &manager);
                let v = slack::post_api(&ep.http, &ep.api, "chat.postMessage", &message).await?;
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

    /// What an approval came to, in words (the text that replaces the draft's message).
    fn approved_words(d: &crate::outbox::Delivered, edited: bool) -> String {
        let how = if edited {
            "Edited and approved"
        } else {
            "Approved"
        };
        let explain = d.decision.as_ref().map(|x| x.explain()).unwrap_or_default();
        match d.action.row.status {
            ActionStatus::Sent => format!("{how} in Slack and sent: {}", d.action.row.summary),
            ActionStatus::Denied => format!("{how}, but the policy denied it: {explain}"),
            ActionStatus::Approved => {
                format!("{how}: {} — it waits ({explain}).", d.action.row.summary)
            }
            other => format!("{how}: {} ({other}).", d.action.row.summary),
        }
    }

    /// A press by someone other than the manager: audited, and the draft waits.
    fn refuse_press(&self, who: &str, id: i64, what: &str) -> Result<String> {
        let now = self.now();
        self.store()?.write(|tx| {
            bosun_store::audit::append(
                tx,
                &bosun_store::audit::NewEntry {
                    at: now,
                    actor: who,
                    action: "action.press_refused",
                    subject: Some(&format!("action:{id}")),
                    result: "denied",
                    trace: json!({"button": what, "reason": "not the manager's Slack account"}),
                },
            )
        })?;
        Ok("Only the manager Bosun works for can approve, edit or reject its drafts.".into())
    }

    /// An interaction from Slack: a button on a draft (Approve, Edit…, Reject) or the edit
    /// modal submitted, from the manager's account only. `bot` posts with the bot token (the
    /// modal, the message updated after an edit). Returns what the presser was told.
    pub async fn slack_interaction(
        &self,
        payload: &Value,
        api: &str,
        bot: Option<&Endpoint>,
        sink: Arc<dyn EventSink>,
    ) -> Result<Option<String>> {
        let Ok(t) = serde_json::from_value::<Typed>(payload.clone()) else {
            return Ok(None);
        };
        match t.kind {
            InteractionType::BlockActions => self.pressed(payload, api, bot, sink).await,
            InteractionType::ViewSubmission => self.submitted(payload, bot).await,
            InteractionType::Other => Ok(None),
        }
    }

    async fn pressed(
        &self,
        payload: &Value,
        api: &str,
        bot: Option<&Endpoint>,
        sink: Arc<dyn EventSink>,
    ) -> Result<Option<String>> {
        let Ok(p) = serde_json::from_value::<BlockActions>(payload.clone()) else {
            return Ok(None);
        };
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
            (self.refuse_press(&who, id, &pressed.action_id)?, false)
        } else {
            let outcome = match button {
                Button::Approve => self
                    .approve_action_by(id, None, &who)
                    .await
                    .map(|d| Self::approved_words(&d, false)),
                Button::Reject => self
                    .reject_action_by(id, None, &who)
                    .map(|a| format!("Rejected in Slack: {}", a.row.summary)),
                Button::Edit => {
                    let opened = self.open_editor(id, p.trigger_id.as_deref(), bot).await;
                    return match opened {
                        Ok(()) => Ok(Some(format!("Editing draft #{id}"))),
                        Err(e) => {
                            let text = format!("Nothing done: {e}.");
                            self.tell(api, p.response_url.as_deref(), &text, false, sink)
                                .await;
                            Ok(Some(text))
                        }
                    };
                }
            };
            match outcome {
                Ok(t) => (t, true),
                // Pressed twice, or decided in the app meanwhile: nothing happens twice.
                Err(AppError::InvalidInput(e)) => (format!("Nothing done: {e}."), true),
                Err(e) => return Err(e),
            }
        };
        self.tell(api, p.response_url.as_deref(), &text, replace, sink)
            .await;
        Ok(Some(text))
    }

    /// Answer a press at its response URL: the message replaced, or a line to the presser.
    async fn tell(
        &self,
        api: &str,
        url: Option<&str>,
        text: &str,
        replace: bool,
        sink: Arc<dyn EventSink>,
    ) {
        let Some(url) = url else { return };
        let body = if replace {
            replacement(text)
        } else {
            json!({"replace_original": false, "response_type": "ephemeral", "text": text})
        };
        if let Err(e) = socket::respond(api, url, &body, self.config.http(), sink).await {
            tracing::warn!("slack: the answer to a button press was not delivered: {e}");
        }
    }

    /// Open the edit modal of draft `id` (`views.open` with the press's trigger).
    async fn open_editor(
        &self,
        id: i64,
        trigger: Option<&str>,
        bot: Option<&Endpoint>,
    ) -> Result<()> {
        let row = {
            let store = self.store()?;
            actions::get(store.conn(), id)?
                .ok_or_else(|| AppError::InvalidInput(format!("no draft {id}")))?
        };
        if row.status != ActionStatus::Draft {
            return Err(AppError::InvalidInput(format!(
                "action {id} is {}, not a draft",
                row.status
            )));
        }
        let (Some(trigger), Some(ep)) = (trigger, bot) else {
            return Err(AppError::InvalidInput(
                "Slack sent no trigger to open an editor with, or Bosun has no bot token".into(),
            ));
        };
        let body = json!({"trigger_id": trigger, "view": edit_view(&row)});
        slack::post_api(&ep.http, &ep.api, "views.open", &body).await?;
        Ok(())
    }

    /// The edit modal submitted: approve the edited text (the manager's only), then replace the
    /// draft's message with what happened.
    async fn submitted(&self, payload: &Value, bot: Option<&Endpoint>) -> Result<Option<String>> {
        let Ok(p) = serde_json::from_value::<ViewSubmission>(payload.clone()) else {
            return Ok(None);
        };
        if p.view.callback_id != EDIT_VIEW {
            return Ok(None);
        }
        let id: i64 = p.view.private_metadata.parse().map_err(|_| {
            AppError::InvalidInput(format!(
                "an edit without a draft id: {:?}",
                p.view.private_metadata
            ))
        })?;
        let who = bosun_store::chatops::actor(&p.user.id);
        if self.manager_slack_id()?.as_deref() != Some(p.user.id.as_str()) {
            return Ok(Some(self.refuse_press(&who, id, EDIT_VIEW)?));
        }
        let text = p.view.state["values"][EDIT_BLOCK][EDIT_INPUT]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let said = match self.approve_action_by(id, Some(&text), &who).await {
            Ok(d) => Self::approved_words(&d, true),
            Err(AppError::InvalidInput(e)) => format!("Nothing done: {e}."),
            Err(e) => return Err(e),
        };
        // The draft's own message says what happened (chat.update with the bot token).
        let dm = {
            let store = self.store()?;
            actions::dm_of(store.conn(), id)?
        };
        if let (Some((channel, Some(ts))), Some(ep)) = (dm, bot) {
            let body = json!({
                "channel": channel,
                "ts": ts,
                "text": said,
                "blocks": replacement(&said)["blocks"],
            });
            if let Err(e) = slack::post_api(&ep.http, &ep.api, "chat.update", &body).await {
                tracing::warn!("slack: draft {id}'s message was not updated: {e}");
            }
        }
        Ok(Some(said))
    }
}
