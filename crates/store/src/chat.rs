//! Chat records: channels and messages.

use crate::{Result, accounts};
use bosun_core::model::{ChatChannel, ChatMessage};
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

pub fn upsert_message(conn: &Connection, channel_id: i64, m: &ChatMessage) -> Result<()> {
    let author = accounts::upsert_opt(conn, m.author.as_ref())?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO chat_messages (channel_id, ts, thread_ts, author_account_id, text, posted_at, reply_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (channel_id, ts) DO UPDATE SET
             thread_ts = excluded.thread_ts, author_account_id = excluded.author_account_id, text = excluded.text,
             posted_at = excluded.posted_at, reply_count = coalesce(excluded.reply_count, chat_messages.reply_count)",
    )?;
    stmt.execute(params![
        channel_id,
        m.ts,
        m.thread_ts,
        author,
        m.text,
        m.posted_at,
        m.reply_count
    ])?;
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
