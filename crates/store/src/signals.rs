//! The `signals` table: one row per condition (its `dedupe_key`), across syncs and episodes.

use crate::Result;
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// A signal as written by an evaluation.
#[derive(Debug, Clone)]
pub struct Write<'a> {
    pub dedupe_key: &'a str,
    pub kind: &'a str,
    pub severity: &'a str,
    pub subject_kind: &'a str,
    pub subject_ref: &'a str,
    pub title: &'a str,
    pub why: &'a str,
    /// JSON array.
    pub evidence: &'a str,
    /// JSON object, when there is a suggestion.
    pub suggestion: Option<&'a str>,
    pub team: Option<&'a str>,
    pub person_id: Option<i64>,
    pub status: &'a str,
    pub first_seen_at: Ts,
    pub seen_at: Ts,
    pub escalated_at: Option<Ts>,
    /// JSON object (subject URL, since, rule).
    pub detail: &'a str,
}

/// Insert or update by `dedupe_key`. A row that comes back to `open` from `resolved` starts a new
/// episode (acknowledgement, snooze and resolution are cleared).
pub fn upsert(conn: &Connection, w: &Write<'_>) -> Result<i64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO signals (kind, dedupe_key, severity, subject_kind, subject_ref, title, why, evidence, suggested_action,
                              team_id, person_id, status, first_seen_at, last_seen_at, escalated_at, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, (SELECT id FROM teams WHERE key = ?10), ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (dedupe_key) DO UPDATE SET
             kind = excluded.kind, severity = excluded.severity, subject_kind = excluded.subject_kind,
             subject_ref = excluded.subject_ref, title = excluded.title, why = excluded.why, evidence = excluded.evidence,
             suggested_action = excluded.suggested_action, team_id = excluded.team_id, person_id = excluded.person_id,
             acknowledged_at = CASE WHEN signals.status = 'resolved' OR (excluded.status = 'open' AND signals.status = 'acknowledged') THEN NULL ELSE signals.acknowledged_at END,
             snoozed_until = CASE WHEN excluded.status = 'snoozed' THEN signals.snoozed_until ELSE NULL END,
             resolved_at = NULL,
             status = excluded.status, first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at,
             escalated_at = excluded.escalated_at, detail = excluded.detail
         RETURNING id",
    )?;
    Ok(stmt.query_row(
        params![
            w.kind,
            w.dedupe_key,
            w.severity,
            w.subject_kind,
            w.subject_ref,
            w.title,
            w.why,
            w.evidence,
            w.suggestion,
            w.team,
            w.person_id,
            w.status,
            w.first_seen_at,
            w.seen_at,
            w.escalated_at,
            w.detail
        ],
        |r| r.get(0),
    )?)
}

pub fn resolve(conn: &Connection, id: i64, at: Ts) -> Result<()> {
    conn.execute(
        "UPDATE signals SET status = 'resolved', resolved_at = ?2 WHERE id = ?1 AND status != 'resolved'",
        params![id, at],
    )?;
    Ok(())
}

/// What the lifecycle needs of every stored signal.
#[derive(Debug, Clone, PartialEq)]
pub struct LifeRow {
    pub id: i64,
    pub dedupe_key: String,
    pub kind: String,
    pub severity: String,
    pub status: String,
    pub team: Option<String>,
    pub first_seen_at: Ts,
    pub snoozed_until: Option<Ts>,
    pub escalated_at: Option<Ts>,
}

pub fn lifecycle_rows(conn: &Connection) -> Result<Vec<LifeRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.dedupe_key, s.kind, s.severity, s.status, t.key, s.first_seen_at, s.snoozed_until, s.escalated_at
         FROM signals s LEFT JOIN teams t ON t.id = s.team_id ORDER BY s.id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(LifeRow {
                id: r.get(0)?,
                dedupe_key: r.get(1)?,
                kind: r.get(2)?,
                severity: r.get(3)?,
                status: r.get(4)?,
                team: r.get(5)?,
                first_seen_at: r.get(6)?,
                snoozed_until: r.get(7)?,
                escalated_at: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A stored signal, as front doors show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalRow {
    pub id: i64,
    pub kind: String,
    pub dedupe_key: String,
    pub severity: String,
    pub subject_kind: String,
    pub subject_ref: String,
    pub title: String,
    pub why: String,
    pub evidence: serde_json::Value,
    pub suggestion: Option<serde_json::Value>,
    pub team: Option<String>,
    pub person_id: Option<i64>,
    pub person: Option<String>,
    pub status: String,
    pub first_seen_at: Ts,
    pub last_seen_at: Ts,
    pub acknowledged_at: Option<Ts>,
    pub snoozed_until: Option<Ts>,
    pub resolved_at: Option<Ts>,
    pub escalated_at: Option<Ts>,
    pub detail: serde_json::Value,
}

const SELECT: &str = "SELECT s.id, s.kind, s.dedupe_key, s.severity, s.subject_kind, s.subject_ref, s.title, s.why, s.evidence,
        s.suggested_action, t.key, s.person_id, p.name, s.status, s.first_seen_at, s.last_seen_at, s.acknowledged_at,
        s.snoozed_until, s.resolved_at, s.escalated_at, s.detail
     FROM signals s LEFT JOIN teams t ON t.id = s.team_id LEFT JOIN people p ON p.id = s.person_id";

fn row(r: &Row<'_>) -> rusqlite::Result<SignalRow> {
    let json = |i: usize| -> rusqlite::Result<serde_json::Value> {
        let t: String = r.get(i)?;
        Ok(serde_json::from_str(&t).unwrap_or(serde_json::Value::Null))
    };
    let suggestion: Option<String> = r.get(9)?;
    Ok(SignalRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        dedupe_key: r.get(2)?,
        severity: r.get(3)?,
        subject_kind: r.get(4)?,
        subject_ref: r.get(5)?,
        title: r.get(6)?,
        why: r.get(7)?,
        evidence: json(8)?,
        suggestion: suggestion.and_then(|s| serde_json::from_str(&s).ok()),
        team: r.get(10)?,
        person_id: r.get(11)?,
        person: r.get(12)?,
        status: r.get(13)?,
        first_seen_at: r.get(14)?,
        last_seen_at: r.get(15)?,
        acknowledged_at: r.get(16)?,
        snoozed_until: r.get(17)?,
        resolved_at: r.get(18)?,
        escalated_at: r.get(19)?,
        detail: json(20)?,
    })
}

/// Signals in any of `statuses` (all when empty), most severe first.
pub fn list(conn: &Connection, statuses: &[&str]) -> Result<Vec<SignalRow>> {
    let filter = if statuses.is_empty() {
        String::new()
    } else {
        "WHERE s.status IN (SELECT value FROM json_each(?1))".to_string()
    };
    let sql = format!(
        "{SELECT} {filter} ORDER BY CASE s.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, s.kind, s.dedupe_key"
    );
    let mut stmt = conn.prepare(&sql)?;
    let map = |r: &Row<'_>| row(r);
    let rows = if statuses.is_empty() {
        stmt.query_map([], map)?
            .collect::<rusqlite::Result<Vec<_>>>()?
    } else {
        let list = crate::to_json(statuses)?;
        stmt.query_map([list], map)?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    Ok(rows)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<SignalRow>> {
    Ok(conn
        .query_row(&format!("{SELECT} WHERE s.id = ?1"), [id], row)
        .optional()?)
}

/// Acknowledge (`snoozed_until` None) or snooze a signal that is not resolved. False when there
/// is no such unresolved signal.
pub fn set_status(
    conn: &Connection,
    id: i64,
    status: &str,
    at: Ts,
    snoozed_until: Option<Ts>,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE signals SET status = ?2,
             acknowledged_at = CASE WHEN ?2 = 'acknowledged' THEN ?3 ELSE acknowledged_at END,
             snoozed_until = ?4
         WHERE id = ?1 AND status != 'resolved'",
        params![id, status, at, snoozed_until],
    )?;
    Ok(n == 1)
}

/// The dedupe keys of the signals snoozed past `at`.
pub fn snoozed_keys(conn: &Connection, at: Ts) -> Result<Vec<String>> {
    let mut s = conn.prepare(
        "SELECT dedupe_key FROM signals WHERE status = 'snoozed' AND coalesce(snoozed_until, 0) > ?1",
    )?;
    let rows = s.query_map([at], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A signal's kind and title.
pub fn kind_and_title(conn: &Connection, id: i64) -> Result<Option<(String, String)>> {
    Ok(conn
        .query_row("SELECT kind, title FROM signals WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}
