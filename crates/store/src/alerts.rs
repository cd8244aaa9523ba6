//! The `alerts` table: notifications derived from signals — delivered, held for the end of the
//! quiet hours, or kept without notifying because the daily budget was spent.

use crate::Result;
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    pub signal_id: i64,
    /// new, escalated.
    pub kind: &'a str,
    pub severity: &'a str,
    pub episode_at: Ts,
    pub fired_at: Ts,
    pub title: &'a str,
    pub body: &'a str,
    pub reason: &'a str,
    pub delivered: bool,
    /// quiet_hours (held), daily_budget.
    pub suppressed_reason: Option<&'a str>,
    /// A page: delivered outside the daily budget, which does not count it.
    pub page: bool,
}

pub fn insert(conn: &Connection, a: &NewAlert<'_>) -> Result<i64> {
    conn.execute(
        "INSERT INTO alerts (signal_id, kind, fired_at, title, body, reason, delivered, suppressed_reason, episode_at, severity, page, delivered_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, CASE WHEN ?7 THEN ?3 END)",
        params![
            a.signal_id,
            a.kind,
            a.fired_at,
            a.title,
            a.body,
            a.reason,
            a.delivered,
            a.suppressed_reason,
            a.episode_at,
            a.severity,
            a.page
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The alert already recorded for this signal, kind and episode: (id, delivered, suppressed).
pub fn existing(
    conn: &Connection,
    signal_id: i64,
    kind: &str,
    episode_at: Ts,
) -> Result<Option<(i64, bool, Option<String>)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, delivered, suppressed_reason FROM alerts WHERE signal_id = ?1 AND kind = ?2 AND episode_at = ?3
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![signal_id, kind, episode_at], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

/// Alerts delivered at or after `since`.
pub fn delivered_since(conn: &Connection, since: Ts) -> Result<usize> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM alerts WHERE delivered = 1 AND page = 0 AND delivered_at >= ?1",
        [since],
        |r| r.get(0),
    )?;
    Ok(n as usize)
}

/// Mark a held alert delivered (or over budget) now.
pub fn release(conn: &Connection, id: i64, at: Ts, delivered: bool, reason: &str) -> Result<()> {
    conn.execute(
        "UPDATE alerts SET delivered = ?3, delivered_at = CASE WHEN ?3 THEN ?2 END,
             suppressed_reason = CASE WHEN ?3 THEN NULL ELSE 'daily_budget' END, reason = ?4
         WHERE id = ?1",
        params![id, at, delivered, reason],
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRow {
    pub id: i64,
    pub signal_id: Option<i64>,
    pub kind: String,
    pub severity: Option<String>,
    pub fired_at: Ts,
    pub title: String,
    pub body: String,
    pub reason: String,
    pub delivered: bool,
    pub delivered_at: Option<Ts>,
    pub suppressed_reason: Option<String>,
}

const COLUMNS: &str = "id, signal_id, kind, severity, fired_at, title, body, reason, delivered, delivered_at, suppressed_reason";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertRow> {
    Ok(AlertRow {
        id: r.get(0)?,
        signal_id: r.get(1)?,
        kind: r.get(2)?,
        severity: r.get(3)?,
        fired_at: r.get(4)?,
        title: r.get(5)?,
        body: r.get(6)?,
        reason: r.get(7)?,
        delivered: r.get(8)?,
        delivered_at: r.get(9)?,
        suppressed_reason: r.get(10)?,
    })
}

/// Alerts fired at or after `since`, newest first.
pub fn list(conn: &Connection, since: Ts) -> Result<Vec<AlertRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM alerts
         WHERE fired_at >= ?1 OR (delivered = 0 AND suppressed_reason = 'quiet_hours')
         ORDER BY fired_at DESC, id DESC"
    ))?;
    let rows = stmt
        .query_map([since], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every delivered alert (signals and briefs) with an id not in `seen`, oldest first: what a
/// door has not shown as a notification yet.
pub fn delivered_unseen(
    conn: &Connection,
    seen: &std::collections::HashSet<i64>,
) -> Result<Vec<AlertRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM alerts WHERE delivered = 1 ORDER BY delivered_at, id"
    ))?;
    let rows = stmt
        .query_map([], row)?
        .filter(|r| r.as_ref().map_or(true, |a| !seen.contains(&a.id)))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
