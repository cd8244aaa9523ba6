//! Slack payloads. Every answer is HTTP 200 with `{"ok": true|false, ...}`; see `check`.

use crate::{ConnectorError, Result};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Profile {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub real_name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Member {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub real_name: Option<String>,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default)]
    pub profile: Profile,
    /// Seconds east of UTC of the member's time zone.
    #[serde(default)]
    pub tz_offset: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Purpose {
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Channel {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub purpose: Option<Purpose>,
    #[serde(default)]
    pub is_member: Option<bool>,
}

/// A message's `subtype`: what kind of record it is. Slack adds subtypes over time; one Bosun
/// does not know is a channel event (`Other`), never a person's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subtype {
    /// Posted by an app or integration.
    BotMessage,
    /// `/me does something`.
    MeMessage,
    /// A thread reply also sent to the channel.
    ThreadBroadcast,
    /// The legacy form of a thread broadcast.
    ReplyBroadcast,
    /// A file shared with a comment.
    FileShare,
    /// A comment on a file (legacy): its author is `comment.user`.
    FileComment,
    /// A hidden record of an edit: `message` is the new version.
    MessageChanged,
    /// A hidden record of a deletion: `deleted_ts` names the message.
    MessageDeleted,
    /// Anything else: joins, leaves, topic, purpose and name changes, archiving, pins, bots
    /// added — the channel's events.
    #[serde(other)]
    Other,
}

/// `edited` on a message that was changed.
#[derive(Debug, Clone, Deserialize)]
pub struct Edited {
    pub ts: String,
}

/// `comment` on a legacy `file_comment`.
#[derive(Debug, Clone, Deserialize)]
pub struct FileComment {
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// One of the `files` of a `file_share` (older payloads name the sharer only there).
#[derive(Debug, Clone, Deserialize)]
pub struct File {
    #[serde(default)]
    pub user: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Message {
    pub ts: String,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub bot_id: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub thread_ts: Option<String>,
    #[serde(default)]
    pub reply_count: Option<i64>,
    #[serde(default)]
    pub subtype: Option<Subtype>,
    #[serde(default)]
    pub edited: Option<Edited>,
    /// `message_changed`: the message as it is now.
    #[serde(default)]
    pub message: Option<Box<Message>>,
    /// `message_deleted`: the deleted message's `ts`.
    #[serde(default)]
    pub deleted_ts: Option<String>,
    /// `message_deleted` / `message_changed`: the message as it was.
    #[serde(default)]
    pub previous_message: Option<Box<Message>>,
    #[serde(default)]
    pub comment: Option<FileComment>,
    #[serde(default)]
    pub files: Vec<File>,
}

/// `ok: false` becomes an error: credentials problems are `auth`, rate limiting is retried by
/// the caller, a missing channel is `not_found`, anything else names Slack's error code.
pub fn check(v: &Value, url: &str) -> Result<()> {
    match v.get("ok").and_then(Value::as_bool) {
        Some(true) => return Ok(()),
        Some(false) => {}
        None => {
            return Err(ConnectorError::Malformed {
                url: url.to_string(),
                detail: "no `ok` field: not a Slack Web API answer".into(),
            });
        }
    }
    let error = v
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("unknown_error")
        .to_string();
    let url = url.split('?').next().unwrap_or(url).to_string();
    Err(match error.as_str() {
        "invalid_auth"
        | "not_authed"
        | "account_inactive"
        | "token_revoked"
        | "token_expired"
        | "missing_scope"
        | "not_allowed_token_type"
        | "invalid_token" => ConnectorError::Auth {
            url: format!("{url} ({error})"),
            status: 200,
        },
        "channel_not_found" | "thread_not_found" => ConnectorError::NotFound {
            url: format!("{url} ({error})"),
        },
        _ => ConnectorError::Http {
            url,
            status: 200,
            message: error,
        },
    })
}

/// The `response_metadata.next_cursor` of a page (empty = last page).
pub fn next_cursor(v: &Value) -> Option<String> {
    v.get("response_metadata")
        .and_then(|m| m.get("next_cursor"))
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}
