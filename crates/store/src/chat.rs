//! Chat records: channels and messages.

use crate::{Result, accounts};
use bosun_core::model::{ChatChannel, ChatMessage};
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, params};

/// The `meta` key of the Slack workspace's address (`https://acme.slack.com/`), from `auth.test`.
pub const WORKSPACE_URL: &str = "slack.workspace_url";

/// A message's permalink: `<workspace>archives/<channel id>/p<ts without the dot>`.
pub fn permalink(workspace: &str, channel_id: &str, ts: &str) -> String {
    format!(
        "{}/archives/{channel_id}/p{}",
        workspace.trim_end_matches('/'),
        ts.replace('.', "")
    )
}

pub fn upsert_channel(conn: &Connection, c: &ChatChannel) -> Result<i64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO chat_channels (provider, external_id, name, purpose) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (provider, external_id) DO UPDATE SET name = excluded.name, purpose = excluded.purpose
         RETURNING id",
    )?;
    Ok(stmt.query_row(
        params![c.provider.as_str(), c.external_id, c.name, c.purpose],
        |r| r.get(0),
    )?)
}

/// Store a message, or its newer version: an older copy (an earlier `edited_at`) never
/// replaces a newer text, and a deleted message stays deleted.
pub fn upsert_message(conn: &Connection, channel_id: i64, m: &ChatMessage) -> Result<()> {
    let author = accounts::upsert_opt(conn, m.author.as_ref())?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO chat_messages (channel_id, ts, thread_ts, author_account_id, text, posted_at, reply_count, edited_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (channel_id, ts) DO UPDATE SET
             thread_ts = excluded.thread_ts, author_account_id = excluded.author_account_id,
             text = CASE WHEN chat_messages.deleted_at IS NOT NULL THEN ''
                         WHEN coalesce(excluded.edited_at, 0) >= coalesce(chat_messages.edited_at, 0) THEN excluded.text
                         ELSE chat_messages.text END,
             edited_at = nullif(max(coalesce(excluded.edited_at, 0), coalesce(chat_messages.edited_at, 0)), 0),
             posted_at = excluded.posted_at, reply_count = coalesce(excluded.reply_count, chat_messages.reply_count)",
    )?;
    stmt.execute(params![
        channel_id,
        m.ts,
        m.thread_ts,
        author,
        m.text,
        m.posted_at,
        m.reply_count,
        m.edited_at
    ])?;
    Ok(())
}

/// Record that the message `ts` of a channel was deleted at `at`: its text is blanked and it is
/// kept as a tombstone (so an older copy read later does not bring it back).
pub fn delete_message(conn: &Connection, channel_id: i64, ts: &str, at: Ts) -> Result<()> {
    let posted_at = ts
        .split('.')
        .next()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(at);
    conn.prepare_cached(
        "INSERT INTO chat_messages (channel_id, ts, text, posted_at, deleted_at) VALUES (?1, ?2, '', ?3, ?4)
         ON CONFLICT (channel_id, ts) DO UPDATE SET text = '', deleted_at = coalesce(chat_messages.deleted_at, excluded.deleted_at)",
    )?
    .execute(params![channel_id, ts, posted_at, at])?;
    Ok(())
}

/// Remove what was stored as a message at `ts` but is a channel event (a join, a topic change):
/// stores written before events were told apart heal on the next read.
pub fn forget_event(conn: &Connection, channel_id: i64, ts: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM chat_messages WHERE channel_id = ?1 AND ts = ?2")?
        .execute(params![channel_id, ts])?;
    Ok(())
}

/// The provider's id of the channel `name` names (its name without `#`, or its id).
pub fn channel_external_id(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT external_id FROM chat_channels WHERE name = ?1 OR external_id = ?1 ORDER BY id LIMIT 1",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

#[cfg(test)]
mod permalink_tests {
    #[test]
    fn a_permalink_is_the_workspace_the_channel_and_the_ts_without_its_dot() {
        assert_eq!(
            super::permalink("https://acme.slack.com/", "C01", "1700000000.000100"),
            "https://acme.slack.com/archives/C01/p1700000000000100"
        );
    }
}
