//! Slack payloads → Bosun records.

use super::api;
use bosun_core::model::{Account, ChatChannel, ChatMessage, Provider};
use bosun_core::time::Ts;

pub fn member(m: &api::Member) -> Account {
    Account {
        provider: Provider::Slack,
        external_id: m.id.clone(),
        login: m.name.clone(),
        display_name: m
            .profile
            .real_name
            .clone()
            .or_else(|| m.real_name.clone())
            .filter(|n| !n.is_empty()),
        email: m.profile.email.clone(),
        is_bot: m.is_bot,
        html_url: None,
    }
}

pub fn channel(c: &api::Channel) -> ChatChannel {
    ChatChannel {
        provider: Provider::Slack,
        external_id: c.id.clone(),
        name: c.name.clone(),
        purpose: c
            .purpose
            .as_ref()
            .and_then(|p| p.value.clone())
            .filter(|p| !p.is_empty()),
    }
}

/// Seconds of a Slack `ts` ("1700000000.000100").
pub fn ts_secs(ts: &str) -> i64 {
    ts.split('.')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// What one history record is to Bosun.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A person's or an app's message: new, or the new version of an edited one
    /// (`message_changed` carries it; its `edited_at` is set).
    Message(ChatMessage),
    /// `message_deleted`: the message `ts` was deleted at `at`.
    Deleted { ts: String, at: Ts },
    /// A channel event (a join, a leave, a topic change, …): nobody's message, not stored as one.
    Event,
}

fn slack_account(id: &str, is_bot: bool) -> Account {
    Account {
        provider: Provider::Slack,
        external_id: id.to_string(),
        login: None,
        display_name: None,
        email: None,
        is_bot,
        html_url: None,
    }
}

/// One record of `conversations.history` or `conversations.replies`.
pub fn record(m: &api::Message) -> Record {
    use api::Subtype as S;
    match m.subtype {
        None
        | Some(
            S::BotMessage | S::MeMessage | S::ThreadBroadcast | S::ReplyBroadcast | S::FileShare,
        ) => Record::Message(message(m)),
        Some(S::FileComment) => {
            let mut out = message(m);
            if let Some(c) = &m.comment {
                out.author = c.user.as_deref().map(|u| slack_account(u, false));
                if let Some(text) = c.comment.clone().filter(|t| !t.is_empty()) {
                    out.text = text;
                }
            }
            Record::Message(out)
        }
        Some(S::MessageChanged) => match m.message.as_deref() {
            // An edit of something that is itself not a message (a channel event) stays an event.
            Some(now) => match record(now) {
                Record::Message(mut out) => {
                    out.edited_at = Some(
                        now.edited
                            .as_ref()
                            .map_or_else(|| ts_secs(&m.ts), |e| ts_secs(&e.ts)),
                    );
                    Record::Message(out)
                }
                other => other,
            },
            None => Record::Event,
        },
        Some(S::MessageDeleted) => {
            match m
                .deleted_ts
                .clone()
                .or_else(|| m.previous_message.as_ref().map(|p| p.ts.clone()))
            {
                Some(ts) => Record::Deleted {
                    ts,
                    at: ts_secs(&m.ts),
                },
                None => Record::Event,
            }
        }
        Some(S::Other) => Record::Event,
    }
}

/// A message record as Bosun keeps it: its author (the user, else the app, else the file's
/// sharer), text, thread and edit time.
pub fn message(m: &api::Message) -> ChatMessage {
    let author = match (&m.user, &m.bot_id) {
        (Some(u), _) => Some(slack_account(u, false)),
        (None, Some(b)) => Some(slack_account(b, true)),
        _ => m
            .files
            .iter()
            .find_map(|f| f.user.as_deref())
            .map(|u| slack_account(u, false)),
    };
    // A thread parent carries thread_ts == ts; only replies point elsewhere.
    let thread_ts = m.thread_ts.clone().filter(|t| *t != m.ts);
    ChatMessage {
        ts: m.ts.clone(),
        thread_ts,
        author,
        text: m.text.clone().unwrap_or_default(),
        posted_at: ts_secs(&m.ts),
        reply_count: m.reply_count,
        edited_at: m.edited.as_ref().map(|e| ts_secs(&e.ts)),
    }
}
