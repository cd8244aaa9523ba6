//! The `actions` table: the outbox. An action is a draft until the manager approves, edits or
//! rejects it; an approved action is sent through a connector with an idempotency key, so a crash
//! anywhere between approval and the provider's answer never sends it twice.
//!
//! Statuses: `draft` → `approved` (maybe deferred by `not_before`) → `sending` → `sent`; a
//! transient failure goes back to `approved` with `last_error`; `failed` after the last attempt;
//! `rejected` by the manager, `denied` by policy, `withdrawn` when its signal cleared first.

use crate::Result;
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct NewAction<'a> {
    pub kind: &'a str,
    pub signal_id: Option<i64>,
    pub signal_key: Option<&'a str>,
    /// JSON.
    pub target: &'a str,
    pub preview: &'a str,
    pub body: &'a str,
    pub summary: &'a str,
    pub idempotency_key: &'a str,
    pub created_at: Ts,
    /// The policy's decision at drafting time (JSON).
    pub decision: &'a str,
}

/// Insert a draft; `None` when an action with this idempotency key already exists.
pub fn insert_draft(conn: &Connection, a: &NewAction<'_>) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO actions (kind, status, signal_id, signal_key, target, preview, body, summary, idempotency_key, created_at, decision)
             VALUES (?1, 'draft', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        )?
        .query_row(
            params![
                a.kind,
                a.signal_id,
                a.signal_key,
                a.target,
                a.preview,
                a.body,
                a.summary,
                a.idempotency_key,
                a.created_at,
                a.decision
            ],
            |r| r.get(0),
        )
        .optional()?)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionRow {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub signal_id: Option<i64>,
    pub signal_key: Option<String>,
    pub target: serde_json::Value,
    pub preview: String,
    pub body: String,
    pub summary: String,
    pub idempotency_key: String,
    pub created_at: Ts,
    pub decided_at: Option<Ts>,
    pub decided_by: Option<String>,
    pub sent_at: Option<Ts>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub result: Option<serde_json::Value>,
    pub decision: serde_json::Value,
    pub not_before: Option<Ts>,
}

const SELECT: &str = "SELECT id, kind, status, signal_id, signal_key, target, preview, body, summary, idempotency_key,
        created_at, decided_at, decided_by, sent_at, attempts, last_error, result, decision, not_before FROM actions";

fn row(r: &Row<'_>) -> rusqlite::Result<ActionRow> {
    let json = |t: Option<String>| t.and_then(|t| serde_json::from_str(&t).ok());
    Ok(ActionRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        status: r.get(2)?,
        signal_id: r.get(3)?,
        signal_key: r.get(4)?,
        target: json(r.get(5)?).unwrap_or_default(),
        preview: r.get(6)?,
        body: r.get(7)?,
        summary: r.get(8)?,
        idempotency_key: r.get(9)?,
        created_at: r.get(10)?,
        decided_at: r.get(11)?,
        decided_by: r.get(12)?,
        sent_at: r.get(13)?,
        attempts: r.get(14)?,
        last_error: r.get(15)?,
        result: json(r.get(16)?),
        decision: json(r.get(17)?).unwrap_or_default(),
        not_before: r.get(18)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<ActionRow>> {
    Ok(conn
        .query_row(&format!("{SELECT} WHERE id = ?1"), [id], row)
        .optional()?)
}

/// Actions in any of `statuses` (all when empty), oldest first.
pub fn list(conn: &Connection, statuses: &[&str]) -> Result<Vec<ActionRow>> {
    let list = serde_json::to_string(statuses).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE ?1 = '[]' OR status IN (SELECT value FROM json_each(?1)) ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([list], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Approve (optionally with an edited body), reject or deny a draft. False when it is no longer
/// a draft (someone decided first).
pub fn decide(
    conn: &Connection,
    id: i64,
    status: &str,
    at: Ts,
    by: &str,
    body: Option<&str>,
    decision: &str,
    not_before: Option<Ts>,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE actions SET status = ?2, decided_at = ?3, decided_by = ?4, body = coalesce(?5, body),
             decision = ?6, not_before = ?7
         WHERE id = ?1 AND status = 'draft'",
        params![id, status, at, by, body, decision, not_before],
    )?;
    Ok(n == 1)
}

/// Claim an approved action for sending (one attempt more). False when it is not approved or not
/// yet due.
pub fn start_sending(conn: &Connection, id: i64, at: Ts) -> Result<bool> {
    let n = conn.execute(
        "UPDATE actions SET status = 'sending', attempts = attempts + 1
         WHERE id = ?1 AND status = 'approved' AND (not_before IS NULL OR not_before <= ?2)",
        params![id, at],
    )?;
    Ok(n == 1)
}

/// Record the provider's answer.
pub fn mark_sent(conn: &Connection, id: i64, at: Ts, result: &str) -> Result<()> {
    conn.execute(
        "UPDATE actions SET status = 'sent', sent_at = ?2, result = ?3, last_error = NULL, not_before = NULL
         WHERE id = ?1 AND status = 'sending'",
        params![id, at, result],
    )?;
    Ok(())
}

/// A failed attempt: back to `approved` (retry at `not_before`) or `failed` for good.
pub fn mark_attempt_failed(
    conn: &Connection,
    id: i64,
    error: &str,
    retry_at: Option<Ts>,
) -> Result<()> {
    conn.execute(
        "UPDATE actions SET status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'approved' END,
             last_error = ?2, not_before = ?3
         WHERE id = ?1 AND status = 'sending'",
        params![id, error, retry_at],
    )?;
    Ok(())
}

/// Keep an approved action for later (the recipient's quiet hours), with the policy's reasons.
pub fn defer(conn: &Connection, id: i64, not_before: Ts, decision: &str) -> Result<()> {
    conn.execute(
        "UPDATE actions SET status = 'approved', not_before = ?2, decision = ?3 WHERE id = ?1 AND status IN ('approved', 'sending')",
        params![id, not_before, decision],
    )?;
    Ok(())
}

/// Policy refused an approved action at send time.
pub fn deny(conn: &Connection, id: i64, decision: &str, error: &str) -> Result<()> {
    conn.execute(
        "UPDATE actions SET status = 'denied', decision = ?2, last_error = ?3 WHERE id = ?1 AND status IN ('approved', 'sending', 'draft')",
        params![id, decision, error],
    )?;
    Ok(())
}

/// Drafts of a signal that cleared are withdrawn.
pub fn withdraw_for_signal(conn: &Connection, signal_key: &str, at: Ts) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE actions SET status = 'withdrawn', decided_at = ?2, decided_by = 'bosun'
         WHERE signal_key = ?1 AND status = 'draft'",
        params![signal_key, at],
    )?)
}

/// Approved actions that are due, and actions left `sending` by a crash.
pub fn due(conn: &Connection, at: Ts) -> Result<Vec<ActionRow>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE status = 'sending' OR (status = 'approved' AND (not_before IS NULL OR not_before <= ?1)) ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([at], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A crashed `sending` goes back to `approved` so it can be claimed again (after a check that it
/// did not land).
pub fn recover_sending(conn: &Connection, id: i64) -> Result<bool> {
    let n = conn.execute(
        "UPDATE actions SET status = 'approved' WHERE id = ?1 AND status = 'sending'",
        [id],
    )?;
    Ok(n == 1)
}

/// Messages sent (or being sent) to `person` since `since`, for per-person daily caps.
pub fn sent_to_person_since(conn: &Connection, person: i64, since: Ts) -> Result<usize> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM actions WHERE status IN ('sent', 'sending') AND coalesce(sent_at, decided_at) >= ?2
           AND EXISTS (SELECT 1 FROM json_each(json_extract(target, '$.people')) WHERE value = ?1)",
        params![person, since],
        |r| r.get(0),
    )?;
    Ok(n as usize)
}
