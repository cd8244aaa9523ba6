//! The `actions` table: the outbox. An action is a draft until the manager approves, edits or
//! rejects it; an approved action is sent through a connector with an idempotency key, so a crash
//! anywhere between approval and the provider's answer never sends it twice.
//!
//! Statuses: `draft` → `approved` (maybe deferred by `not_before`) → `sending` → `sent`; a
//! transient failure goes back to `approved` with `last_error`; `failed` after the last attempt;
//! `rejected` by the manager, `denied` by policy, `withdrawn` when its signal cleared first.
//!
//! A `sending` action is claimed: `claimed_by` (the deliverer, a random id per process) holds it
//! until `claimed_until`. Several deliverers may run at once (the app's tick, `bosun actions
//! send`, another window); none touches a live claim, and an expired one (its holder crashed or
//! hung) is re-taken as [`Claimed::Retaken`], which obliges the new holder to look the write up at
//! the provider before writing it.

use crate::{Result, code_at};
use bosun_core::model::{ActionKind, ActionStatus};
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct NewAction<'a> {
    pub kind: ActionKind,
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

/// Whether an action with this idempotency key exists (in any status).
pub fn exists(conn: &Connection, idempotency_key: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM actions WHERE idempotency_key = ?1)")?
        .query_row([idempotency_key], |r| r.get(0))?)
}

/// What a draft sets out to do: its kind, its recipients (the target as stored) and the subject
/// of the signal behind it (`pull_request:acme/api#7`). Two signals about one pull request that
/// would both DM its reviewer share an intent: one draft is enough.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Intent {
    pub kind: ActionKind,
    pub target: String,
    pub subject: String,
}

impl Intent {
    /// The intent of a draft for a signal with this dedupe key (`kind:subject_kind:reference`).
    pub fn new(kind: ActionKind, target: &str, signal_key: &str) -> Intent {
        Intent {
            kind,
            target: target.to_string(),
            subject: signal_key
                .split_once(':')
                .map_or(signal_key, |(_, s)| s)
                .to_string(),
        }
    }
}

/// The intents of the drafts waiting for the manager.
pub fn draft_intents(conn: &Connection) -> Result<std::collections::HashSet<Intent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, target, signal_key FROM actions WHERE status = 'draft' AND signal_key IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Intent::new(
            kind_at(r, 0)?,
            &r.get::<_, String>(1)?,
            &r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = std::collections::HashSet::new();
    for r in rows {
        out.insert(r?);
    }
    Ok(out)
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
                a.kind.as_str(),
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
    pub kind: ActionKind,
    pub status: ActionStatus,
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
    /// The deliverer holding a `sending` action, and until when.
    pub claimed_by: Option<String>,
    pub claimed_until: Option<Ts>,
}

const SELECT: &str = "SELECT id, kind, status, signal_id, signal_key, target, preview, body, summary, idempotency_key,
        created_at, decided_at, decided_by, sent_at, attempts, last_error, result, decision, not_before,
        claimed_by, claimed_until FROM actions";

fn kind_at(r: &Row<'_>, i: usize) -> rusqlite::Result<ActionKind> {
    code_at(r, i, ActionKind::parse, "action kind")
}

fn row(r: &Row<'_>) -> rusqlite::Result<ActionRow> {
    let json = |t: Option<String>| t.and_then(|t| serde_json::from_str(&t).ok());
    Ok(ActionRow {
        id: r.get(0)?,
        kind: kind_at(r, 1)?,
        status: code_at(r, 2, ActionStatus::parse, "action status")?,
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
        claimed_by: r.get(19)?,
        claimed_until: r.get(20)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<ActionRow>> {
    Ok(conn
        .query_row(&format!("{SELECT} WHERE id = ?1"), [id], row)
        .optional()?)
}

/// Actions in any of `statuses` (all when empty), oldest first.
pub fn list(conn: &Connection, statuses: &[ActionStatus]) -> Result<Vec<ActionRow>> {
    let list = crate::to_json(&statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>())?;
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE ?1 = '[]' OR status IN (SELECT value FROM json_each(?1)) ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([list], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The actions of `kind` drafted in `series` (the key that groups a series of drafts, such as
/// `incident:Q1`), oldest first.
pub fn in_series(conn: &Connection, series: &str, kind: ActionKind) -> Result<Vec<ActionRow>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE signal_key = ?1 AND kind = ?2 ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([series, kind.as_str()], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Approve (optionally with an edited body), reject or deny a draft. False when it is no longer
/// a draft (someone decided first).
pub fn decide(
    conn: &Connection,
    id: i64,
    status: ActionStatus,
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
        params![id, status.as_str(), at, by, body, decision, not_before],
    )?;
    Ok(n == 1)
}

/// Who claims an action and until when.
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    /// The deliverer's id.
    pub owner: &'a str,
    pub until: Ts,
}

/// How an action was claimed, with the attempt number it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claimed {
    /// An approved, due action: first attempt, or a retry after a failure on the record.
    Fresh { attempt: i64 },
    /// A `sending` action whose lease expired: the write may have landed, look before writing.
    Retaken { attempt: i64 },
}

impl Claimed {
    pub fn attempt(self) -> i64 {
        match self {
            Claimed::Fresh { attempt } | Claimed::Retaken { attempt } => attempt,
        }
    }

    /// Whether the provider must be asked first (anything but a first, fresh attempt).
    pub fn must_look(self) -> bool {
        match self {
            Claimed::Fresh { attempt } => attempt > 1,
            Claimed::Retaken { .. } => true,
        }
    }
}

/// Claim an approved action for sending (one attempt more). False when it is not approved or not
/// yet due.
pub fn start_sending(conn: &Connection, id: i64, at: Ts, lease: Lease<'_>) -> Result<bool> {
    let n = conn.execute(
        "UPDATE actions SET status = 'sending', attempts = attempts + 1, claimed_by = ?3, claimed_until = ?4
         WHERE id = ?1 AND status = 'approved' AND (not_before IS NULL OR not_before <= ?2)",
        params![id, at, lease.owner, lease.until],
    )?;
    Ok(n == 1)
}

/// Claim an action for one attempt: an approved, due one, or a `sending` one whose lease expired
/// at `at` (one attempt more either way). `None` when it is neither — another deliverer's claim is
/// live, or the action was sent, failed or not approved.
pub fn claim(conn: &Connection, id: i64, at: Ts, lease: Lease<'_>) -> Result<Option<Claimed>> {
    let attempt = |conn: &Connection| -> Result<i64> {
        Ok(
            conn.query_row("SELECT attempts FROM actions WHERE id = ?1", [id], |r| {
                r.get(0)
            })?,
        )
    };
    if start_sending(conn, id, at, lease)? {
        return Ok(Some(Claimed::Fresh {
            attempt: attempt(conn)?,
        }));
    }
    let n = conn.execute(
        "UPDATE actions SET attempts = attempts + 1, claimed_by = ?3, claimed_until = ?4
         WHERE id = ?1 AND status = 'sending' AND coalesce(claimed_until, 0) <= ?2",
        params![id, at, lease.owner, lease.until],
    )?;
    Ok(if n == 1 {
        Some(Claimed::Retaken {
            attempt: attempt(conn)?,
        })
    } else {
        None
    })
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

/// A failed attempt by `owner`: back to `approved` (retry at `not_before`) or `failed` for good.
/// False (nothing changed) when `owner` no longer holds the claim: its lease expired and another
/// deliverer took the action over.
pub fn mark_attempt_failed(
    conn: &Connection,
    id: i64,
    owner: &str,
    error: &str,
    retry_at: Option<Ts>,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE actions SET status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'approved' END,
             last_error = ?2, not_before = ?3, claimed_until = NULL
         WHERE id = ?1 AND status = 'sending' AND claimed_by = ?4",
        params![id, error, retry_at, owner],
    )?;
    Ok(n == 1)
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

/// Approved actions that are due, and `sending` actions whose lease expired (a crash or a hang);
/// never an action another deliverer is sending right now.
pub fn due(conn: &Connection, at: Ts) -> Result<Vec<ActionRow>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE (status = 'sending' AND coalesce(claimed_until, 0) <= ?1)
            OR (status = 'approved' AND (not_before IS NULL OR not_before <= ?1)) ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([at], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
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

/// Every human person with the logins of their accounts: what an action's text may name them by
/// (see `bosun_signals::carries`).
pub fn nameable_people(conn: &Connection) -> Result<Vec<(i64, String, Vec<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name, coalesce(json_group_array(a.login) FILTER (WHERE a.login IS NOT NULL), '[]')
         FROM people p LEFT JOIN accounts a ON a.person_id = p.id
         WHERE p.is_bot = 0 GROUP BY p.id ORDER BY p.id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            let logins: String = r.get(2)?;
            Ok((r.get(0)?, r.get(1)?, crate::json_list(&logins)))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Drafts not yet offered to the manager in Slack, oldest first.
pub fn drafts_without_dm(conn: &Connection) -> Result<Vec<ActionRow>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE status = 'draft' AND id NOT IN (SELECT action_id FROM action_slack_dms) ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Claim the Slack message of draft `id` before posting it: false when it was claimed already.
pub fn claim_dm(conn: &Connection, id: i64, channel: &str, now: Ts) -> Result<bool> {
    Ok(conn.execute(
        "INSERT INTO action_slack_dms (action_id, channel, sent_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (action_id) DO NOTHING",
        rusqlite::params![id, channel, now],
    )? == 1)
}

/// The posted message of draft `id` (its channel and ts as Slack answered).
pub fn dm_posted(conn: &Connection, id: i64, channel: &str, ts: &str) -> Result<()> {
    conn.execute(
        "UPDATE action_slack_dms SET channel = ?2, ts = ?3 WHERE action_id = ?1",
        rusqlite::params![id, channel, ts],
    )?;
    Ok(())
}

/// The Slack message that offered draft `id`: its channel and ts (none while claimed).
pub fn dm_of(conn: &Connection, id: i64) -> Result<Option<(String, Option<String>)>> {
    Ok(conn
        .query_row(
            "SELECT channel, ts FROM action_slack_dms WHERE action_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Give the claim back (the post failed): the draft is offered again next time.
pub fn unclaim_dm(conn: &Connection, id: i64) -> Result<()> {
    conn.execute(
        "DELETE FROM action_slack_dms WHERE action_id = ?1 AND ts IS NULL",
        [id],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn approved(conn: &Connection) -> i64 {
        let id = insert_draft(
            conn,
            &NewAction {
                kind: ActionKind::SlackDm,
                signal_id: None,
                signal_key: None,
                target: "{}",
                preview: "Hi",
                body: "Hi",
                summary: "Hi",
                idempotency_key: "k1",
                created_at: 100,
                decision: "{}",
            },
        )
        .unwrap()
        .unwrap();
        assert!(
            decide(
                conn,
                id,
                ActionStatus::Approved,
                100,
                "user:me",
                None,
                "{}",
                None
            )
            .unwrap()
        );
        id
    }

    /// Issue 16 (4): a `sending` action was always taken for a crash leftover, so a second
    /// deliverer re-claimed an action still in flight and sent it twice.
    #[test]
    fn a_live_claim_is_never_taken_by_a_second_deliverer() {
        let store = Store::open_in_memory().unwrap();
        let conn = store.conn();
        let id = approved(conn);
        let a = Lease {
            owner: "deliverer-a",
            until: 400,
        };
        let b = Lease {
            owner: "deliverer-b",
            until: 700,
        };
        assert_eq!(
            claim(conn, id, 100, a).unwrap(),
            Some(Claimed::Fresh { attempt: 1 })
        );
        // B at any time before A's lease ends: not due, not claimable.
        for at in [100, 250, 399] {
            assert!(due(conn, at).unwrap().is_empty(), "due at {at}");
            assert_eq!(claim(conn, id, at, b).unwrap(), None, "claimed at {at}");
        }
        // B cannot undo A's claim either.
        assert!(!mark_attempt_failed(conn, id, "deliverer-b", "boom", Some(100)).unwrap());
        let row = get(conn, id).unwrap().unwrap();
        assert_eq!(
            (row.status.as_str(), row.claimed_by.as_deref(), row.attempts),
            ("sending", Some("deliverer-a"), 1)
        );
        // Once the lease is over, B re-takes it, and must look at the provider first.
        assert_eq!(due(conn, 400).unwrap().len(), 1);
        let retaken = claim(conn, id, 400, b).unwrap().unwrap();
        assert_eq!(retaken, Claimed::Retaken { attempt: 2 });
        assert!(retaken.must_look());
        // A, back from its hang, no longer holds it.
        assert!(!mark_attempt_failed(conn, id, "deliverer-a", "late", Some(400)).unwrap());
        assert!(mark_attempt_failed(conn, id, "deliverer-b", "502", Some(400)).unwrap());
        assert_eq!(
            get(conn, id).unwrap().unwrap().status,
            ActionStatus::Approved
        );
        let again = claim(conn, id, 400, a).unwrap().unwrap();
        assert_eq!(again, Claimed::Fresh { attempt: 3 });
        assert!(again.must_look(), "a retry looks first too");
    }

    #[test]
    fn a_claim_from_before_leases_counts_as_expired() {
        let store = Store::open_in_memory().unwrap();
        let conn = store.conn();
        let id = approved(conn);
        conn.execute(
            "UPDATE actions SET status = 'sending', attempts = 1 WHERE id = ?1",
            [id],
        )
        .unwrap();
        assert_eq!(due(conn, 100).unwrap().len(), 1);
        let lease = Lease {
            owner: "d",
            until: 200,
        };
        assert_eq!(
            claim(conn, id, 100, lease).unwrap(),
            Some(Claimed::Retaken { attempt: 2 })
        );
    }
}
