//! Slack payloads → Bosun records.

use super::api;
use bosun_core::model::{Account, ChatChannel, ChatMessage, Provider};

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

pub fn message(m: &api::Message) -> ChatMessage {
    let author = match (&m.user, &m.bot_id) {
        (Some(u), _) => Some(Account {
            provider: Provider::Slack,
            external_id: u.clone(),
            login: None,
            display_name: None,
            email: None,
            is_bot: false,
            html_url: None,
        }),
        (None, Some(b)) => Some(Account {
            provider: Provider::Slack,
            external_id: b.clone(),
            login: None,
            display_name: None,
            email: None,
            is_bot: true,
            html_url: None,
        }),
        _ => None,
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
    }
}
