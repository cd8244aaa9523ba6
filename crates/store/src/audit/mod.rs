//! The audit ledger: append-only, hash-chained entries for every action attempt, approval, LLM
//! call and policy decision. Each entry's hash is `sha256` of a JSON array of the previous hash and
//! the entry's fields, so editing, deleting or reordering an entry breaks the chain from there on;
//! the latest sequence number and hash are also kept in `meta` (`audit_head`), so removing the
//! newest entries is caught too. Triggers refuse UPDATE and DELETE on the table.
//!
//! Whoever can edit the database can also rewrite that head, or re-chain every hash after an edit:
//! [`anchor`] keeps a keyed MAC of the head outside the database, which such an edit cannot
//! reach.

pub mod anchor;

use crate::Result;
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub at: Ts,
    /// Who: `user:<name>`, `bosun`, `policy`, `llm:<model>`.
    pub actor: &'a str,
    /// What: `action.approve`, `action.send`, `policy.decide`, `llm.call`, ...
    pub action: &'a str,
    /// What it was about: `action:12`, `signal:4`.
    pub subject: Option<&'a str>,
    /// ok, denied, failed, sent, ...
    pub result: &'a str,
    /// Details (JSON): inputs, decision, error, response ids.
    pub trace: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub at: Ts,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub result: String,
    pub trace: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The entry's hash: over the previous hash and its content (not its sequence number, so a
/// reordering shows as a broken chain rather than as edits).
pub(crate) fn hash(
    prev: &str,
    at: Ts,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    result: &str,
    trace: &str,
) -> String {
    let canonical =
        serde_json::json!([prev, at, actor, action, subject, result, trace]).to_string();
    let digest = Sha256::digest(canonical.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(v.and_then(|v| {
        let (seq, hash) = v.split_once(':')?;
        Some((seq.parse().ok()?, hash.to_string()))
    }))
}

/// Append one entry (call inside the transaction whose effect it records).
pub fn append(conn: &Connection, e: &NewEntry<'_>) -> Result<Entry> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let trace = e.trace.to_string();
    let h = hash(&prev, e.at, e.actor, e.action, e.subject, e.result, &trace);
    conn.execute(
        "INSERT INTO audit_entries (seq, at, actor, action, subject, result, trace, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![seq, e.at, e.actor, e.action, e.subject, e.result, trace, prev, h],
    )?;
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [format!("{seq}:{h}")],
    )?;
    Ok(Entry {
        seq,
        at: e.at,
        actor: e.actor.to_string(),
        action: e.action.to_string(),
        subject: e.subject.map(str::to_string),
        result: e.result.to_string(),
        trace,
        prev_hash: prev,
        hash: h,
    })
}

pub fn entries(conn: &Connection, limit: Option<usize>) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, subject, result, trace, prev_hash, hash FROM audit_entries
         ORDER BY seq DESC LIMIT ?1",
    )?;
    let rows = stmt
        .query_map([limit.map_or(-1, |l| l as i64)], |r| {
            Ok(Entry {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                subject: r.get(4)?,
                result: r.get(5)?,
                trace: r.get(6)?,
                prev_hash: r.get(7)?,
                hash: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// What is wrong with the ledger, as a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// An entry's content no longer matches its hash.
    Edited,
    /// Entries are missing from the middle of the chain.
    Deleted,
    /// Entries are out of order.
    Reordered,
    /// Entries were removed from the end.
    Truncated,
    /// The head record in the database is gone.
    HeadMissing,
    /// The chain is whole but is not the one anchored outside the database: it was rewritten
    /// and its hashes recomputed.
    Rechained,
    /// The anchor file is gone although this ledger was anchored before.
    AnchorMissing,
    /// The anchor file's MAC does not verify with this data dir's key.
    AnchorForged,
}

impl ProblemKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Edited => "edited",
            ProblemKind::Deleted => "deleted",
            ProblemKind::Reordered => "reordered",
            ProblemKind::Truncated => "truncated",
            ProblemKind::HeadMissing => "head_missing",
            ProblemKind::Rechained => "rechained",
            ProblemKind::AnchorMissing => "anchor_missing",
            ProblemKind::AnchorForged => "anchor_forged",
        }
    }
}

/// One thing wrong with the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The entry concerned (for a deletion: the first missing sequence number).
    pub seq: i64,
    pub kind: ProblemKind,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub ok: bool,
    pub entries: usize,
    pub head: Option<String>,
    pub problems: Vec<Problem>,
    /// The head recorded outside the database, when the ledger is anchored.
    pub anchor: Option<anchor::AnchorInfo>,
    /// Why the ledger was not checked against its anchor (its key cannot be read now).
    pub anchor_unchecked: Option<String>,
}

/// Walk the chain and say what is wrong, entry by entry.
pub fn verify(conn: &Connection) -> Result<Verification> {
    let mut all = entries(conn, None)?;
    all.reverse(); // by seq, ascending
    let mut problems = Vec::new();
    let mut prev_hash = GENESIS.to_string();
    let mut expected_seq = 1;
    // Hashes of the stored entries, to tell a reorder from an edit.
    let stored: std::collections::HashMap<&str, i64> =
        all.iter().map(|e| (e.hash.as_str(), e.seq)).collect();
    for e in &all {
        let gap = e.seq != expected_seq;
        let recomputed = hash(
            &e.prev_hash,
            e.at,
            &e.actor,
            &e.action,
            e.subject.as_deref(),
            &e.result,
            &e.trace,
        );
        let chained = e.prev_hash == prev_hash;
        let moved_from = stored.get(e.prev_hash.as_str()).copied();
        if gap || (!chained && moved_from.is_none() && e.prev_hash != GENESIS) {
            let missing_to = e.seq - 1;
            let first = if gap { expected_seq } else { e.seq - 1 };
            problems.push(Problem {
                seq: first.max(1),
                kind: ProblemKind::Deleted,
                message: if gap && first < missing_to {
                    format!("entries {first}–{missing_to} were deleted")
                } else if gap {
                    format!("entry {first} was deleted")
                } else {
                    format!(
                        "the entry before {} was deleted (its predecessor in the chain is missing)",
                        e.seq
                    )
                },
            });
        } else if !chained {
            problems.push(Problem {
                seq: e.seq,
                kind: ProblemKind::Reordered,
                message: match moved_from {
                    Some(s) => format!(
                        "entry {} should come right after entry {s}, not after entry {}: entries were reordered",
                        e.seq,
                        e.seq - 1
                    ),
                    None => format!("entry {} was the first entry: entries were reordered", e.seq),
                },
            });
        }
        if recomputed != e.hash {
            problems.push(Problem {
                seq: e.seq,
                kind: ProblemKind::Edited,
                message: format!(
                    "entry {} ({} by {}) was edited: its content no longer matches its hash",
                    e.seq, e.action, e.actor
                ),
            });
        }
        prev_hash = e.hash.clone();
        expected_seq = e.seq + 1;
    }
    let head = head(conn)?;
    match (&head, all.last()) {
        (Some((seq, h)), Some(last)) if *seq > last.seq => problems.push(Problem {
            seq: last.seq + 1,
            kind: ProblemKind::Truncated,
            message: format!(
                "entries {}–{seq} were removed from the end of the ledger",
                last.seq + 1
            ),
        }),
        (Some((seq, h)), Some(last)) if *seq == last.seq && *h != last.hash => {
            problems.push(Problem {
                seq: *seq,
                kind: ProblemKind::Edited,
                message: format!("entry {seq} is not the entry the ledger's head recorded"),
            })
        }
        (Some((seq, _)), None) => problems.push(Problem {
            seq: 1,
            kind: ProblemKind::Truncated,
            message: format!("all {seq} entries were removed"),
        }),
        (None, Some(last)) => problems.push(Problem {
            seq: last.seq,
            kind: ProblemKind::HeadMissing,
            message: "the ledger's head record is missing".into(),
        }),
        _ => {}
    }
    problems.sort_by_key(|p| p.seq);
    Ok(Verification {
        ok: problems.is_empty(),
        entries: all.len(),
        head: head.map(|(s, h)| format!("{s}:{h}")),
        problems,
        anchor: None,
        anchor_unchecked: None,
    })
}

/// [`verify`], and the ledger against its anchor outside the database.
pub fn verify_anchored(conn: &Connection, anchor: &anchor::Anchor) -> Result<Verification> {
    let mut v = verify(conn)?;
    let (problems, info) = anchor.check(conn)?;
    v.problems.extend(problems);
    v.problems.sort_by_key(|p| p.seq);
    v.ok = v.problems.is_empty();
    v.anchor = info;
    Ok(v)
}

/// Append `n` approvals of actions 1..=n (the ledgers of tests).
#[cfg(test)]
pub(crate) fn append_test_entries(conn: &Connection, n: i64) {
    for i in 1..=n {
        append(
            conn,
            &NewEntry {
                at: 1_000 + i,
                actor: "user:maya",
                action: "action.approve",
                subject: Some(&format!("action:{i}")),
                result: "ok",
                trace: serde_json::json!({"i": i}),
            },
        )
        .unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn ledger(n: i64) -> Store {
        let store = Store::open_in_memory().unwrap();
        append_test_entries(store.conn(), n);
        store
    }

    /// What a person with the sqlite3 shell would do: drop the guard, then edit.
    fn tamper(store: &Store, sql: &str) {
        store
            .conn()
            .execute_batch(&format!(
                "DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete; {sql}"
            ))
            .unwrap();
    }

    fn kinds(v: &Verification) -> Vec<(i64, &str)> {
        v.problems
            .iter()
            .map(|p| (p.seq, p.kind.as_str()))
            .collect()
    }

    #[test]
    fn an_intact_ledger_verifies() {
        let store = ledger(5);
        let v = verify(store.conn()).unwrap();
        assert!(v.ok, "{v:?}");
        assert_eq!(v.entries, 5);
        assert!(verify(ledger(0).conn()).unwrap().ok);
    }

    #[test]
    fn the_table_refuses_updates_and_deletes() {
        let store = ledger(2);
        let e = store
            .conn()
            .execute(
                "UPDATE audit_entries SET result = 'denied' WHERE seq = 1",
                [],
            )
            .unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
        assert!(
            store
                .conn()
                .execute("DELETE FROM audit_entries", [])
                .is_err()
        );
    }

    #[test]
    fn an_edited_entry_is_named() {
        let store = ledger(5);
        tamper(
            &store,
            "UPDATE audit_entries SET result = 'denied' WHERE seq = 3;",
        );
        let v = verify(store.conn()).unwrap();
        assert!(!v.ok);
        assert_eq!(kinds(&v), vec![(3, "edited")]);
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let store = ledger(5);
        tamper(&store, "DELETE FROM audit_entries WHERE seq = 2;");
        let v = verify(store.conn()).unwrap();
        assert_eq!(kinds(&v), vec![(2, "deleted")], "{v:?}");
    }

    #[test]
    fn removing_the_newest_entries_is_caught_by_the_head() {
        let store = ledger(5);
        tamper(&store, "DELETE FROM audit_entries WHERE seq >= 4;");
        let v = verify(store.conn()).unwrap();
        assert_eq!(kinds(&v), vec![(4, "truncated")], "{v:?}");
    }

    #[test]
    fn swapped_entries_are_reported_as_reordered() {
        let store = ledger(5);
        tamper(
            &store,
            "UPDATE audit_entries SET seq = -1 WHERE seq = 2;
             UPDATE audit_entries SET seq = 2 WHERE seq = 3;
             UPDATE audit_entries SET seq = 3 WHERE seq = -1;",
        );
        let v = verify(store.conn()).unwrap();
        assert!(!v.ok);
        assert_eq!(
            kinds(&v),
            vec![(2, "reordered"), (3, "reordered"), (4, "reordered")],
            "{v:?}"
        );
    }

    #[test]
    fn rewriting_history_with_recomputed_hashes_still_breaks_the_head() {
        let store = ledger(3);
        // Re-append a forged entry 3 with a valid hash over a changed result.
        let (prev, at): (String, i64) = store
            .conn()
            .query_row(
                "SELECT prev_hash, at FROM audit_entries WHERE seq = 3",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let forged = hash(
            &prev,
            at,
            "user:maya",
            "action.approve",
            Some("action:3"),
            "denied",
            "{\"i\":3}",
        );
        tamper(
            &store,
            &format!(
                "UPDATE audit_entries SET result = 'denied', hash = '{forged}' WHERE seq = 3;"
            ),
        );
        let v = verify(store.conn()).unwrap();
        assert_eq!(kinds(&v), vec![(3, "edited")], "{v:?}");
    }
}
