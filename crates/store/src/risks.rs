//! The risk register: proposals from evidence, the manager's decisions on them, and what each
//! re-evaluation found (the condition holds, got worse, or cleared).

use crate::Result;
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// A stored risk.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskRow {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub title: String,
    pub status: String,
    pub condition: String,
    pub likelihood: i64,
    pub impact: i64,
    pub owner: Option<String>,
    pub mitigation: String,
    pub review_at: Option<Ts>,
    pub why: String,
    pub evidence: serde_json::Value,
    pub team: Option<String>,
    pub measure: f64,
    pub baseline: f64,
    pub first_seen_at: Ts,
    pub last_seen_at: Ts,
    pub cleared_at: Option<Ts>,
    pub decided_at: Option<Ts>,
    pub decided_by: Option<String>,
    pub note: Option<String>,
    pub edited: bool,
}

const SELECT: &str = "SELECT id, kind, subject, title, status, condition, likelihood, impact, owner, mitigation,
        review_at, why, evidence, team, measure, baseline, first_seen_at, last_seen_at, cleared_at, decided_at,
        decided_by, note, edited FROM risks";

fn row(r: &Row<'_>) -> rusqlite::Result<RiskRow> {
    let evidence: String = r.get(12)?;
    Ok(RiskRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        subject: r.get(2)?,
        title: r.get(3)?,
        status: r.get(4)?,
        condition: r.get(5)?,
        likelihood: r.get(6)?,
        impact: r.get(7)?,
        owner: r.get(8)?,
        mitigation: r.get(9)?,
        review_at: r.get(10)?,
        why: r.get(11)?,
        evidence: serde_json::from_str(&evidence).unwrap_or(serde_json::Value::Null),
        team: r.get(13)?,
        measure: r.get(14)?,
        baseline: r.get(15)?,
        first_seen_at: r.get(16)?,
        last_seen_at: r.get(17)?,
        cleared_at: r.get(18)?,
        decided_at: r.get(19)?,
        decided_by: r.get(20)?,
        note: r.get(21)?,
        edited: r.get(22)?,
    })
}

/// Every risk, newest first.
pub fn all(conn: &Connection) -> Result<Vec<RiskRow>> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY id DESC"))?;
    Ok(stmt
        .query_map([], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

/// One risk.
pub fn get(conn: &Connection, id: i64) -> Result<Option<RiskRow>> {
    Ok(conn
        .query_row(&format!("{SELECT} WHERE id = ?1"), [id], row)
        .optional()?)
}

/// A condition seen in the evidence now.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen<'a> {
    pub kind: &'a str,
    pub subject: &'a str,
    pub title: &'a str,
    pub likelihood: i64,
    pub impact: i64,
    pub owner: Option<&'a str>,
    pub mitigation: &'a str,
    pub review_at: Option<Ts>,
    pub why: &'a str,
    pub evidence: &'a serde_json::Value,
    pub team: Option<&'a str>,
    pub measure: f64,
}

/// What writing a seen condition changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A new proposal.
    Proposed,
    /// It had cleared and holds again.
    Returned,
    /// It is worse than when proposed or last decided (and was not before).
    Worse,
    /// As it was.
    Same,
}

/// Write a condition seen now: a new proposal, or the stored risk's evidence brought up to date.
/// The manager's own values (likelihood, impact, owner, mitigation, review date) are kept once
/// they edited them.
pub fn seen(conn: &Connection, s: &Seen<'_>, now: Ts) -> Result<(i64, Change)> {
    let evidence = crate::to_json(s.evidence)?;
    let old = conn
        .query_row(
            &format!("{SELECT} WHERE kind = ?1 AND subject = ?2"),
            params![s.kind, s.subject],
            row,
        )
        .optional()?;
    let Some(old) = old else {
        let id = conn.query_row(
            "INSERT INTO risks (kind, subject, title, status, condition, likelihood, impact, owner, mitigation,
                                review_at, why, evidence, team, measure, baseline, first_seen_at, last_seen_at)
             VALUES (?1, ?2, ?3, 'proposed', 'holds', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?13)
             RETURNING id",
            params![
                s.kind,
                s.subject,
                s.title,
                s.likelihood,
                s.impact,
                s.owner,
                s.mitigation,
                s.review_at,
                s.why,
                evidence,
                s.team,
                s.measure,
                now
            ],
            |r| r.get(0),
        )?;
        return Ok((id, Change::Proposed));
    };
    let condition = if s.measure > old.baseline + 1e-9 {
        "worse"
    } else {
        "holds"
    };
    let change = match (old.condition.as_str(), condition) {
        ("cleared", _) => Change::Returned,
        ("worse", "worse") => Change::Same,
        (_, "worse") => Change::Worse,
        _ => Change::Same,
    };
    // A risk that returns after clearing starts from what it is now.
    let baseline = if change == Change::Returned {
        s.measure
    } else {
        old.baseline
    };
    let condition = if change == Change::Returned {
        "holds"
    } else {
        condition
    };
    conn.execute(
        "UPDATE risks SET title = ?2, condition = ?3, why = ?4, evidence = ?5, team = ?6, measure = ?7,
                baseline = ?8, last_seen_at = ?9, cleared_at = NULL,
                likelihood = CASE WHEN edited THEN likelihood ELSE ?10 END,
                impact = CASE WHEN edited THEN impact ELSE ?11 END,
                owner = CASE WHEN edited THEN owner ELSE ?12 END,
                mitigation = CASE WHEN edited THEN mitigation ELSE ?13 END,
                review_at = CASE WHEN edited THEN review_at ELSE ?14 END
          WHERE id = ?1",
        params![
            old.id,
            s.title,
            condition,
            s.why,
            evidence,
            s.team,
            s.measure,
            baseline,
            now,
            s.likelihood,
            s.impact,
            s.owner,
            s.mitigation,
            s.review_at
        ],
    )?;
    Ok((old.id, change))
}

/// Mark every risk not among `seen` (ids) and not cleared yet as cleared. Returns them.
pub fn clear_unseen(conn: &Connection, seen: &[i64], now: Ts) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT id FROM risks WHERE condition != 'cleared' ORDER BY id")?;
    let ids: Vec<i64> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let gone: Vec<i64> = ids.into_iter().filter(|i| !seen.contains(i)).collect();
    for id in &gone {
        conn.execute(
            "UPDATE risks SET condition = 'cleared', cleared_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
    }
    Ok(gone)
}

/// The manager's decision: `accepted` or `dismissed` (or back to `proposed`). What it is now
/// becomes the baseline "worse" is measured from.
pub fn decide(
    conn: &Connection,
    id: i64,
    status: &str,
    by: &str,
    note: Option<&str>,
    now: Ts,
) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE risks SET status = ?2, decided_by = ?3, note = coalesce(?4, note), decided_at = ?5,
                baseline = measure, condition = CASE WHEN condition = 'worse' THEN 'holds' ELSE condition END
          WHERE id = ?1",
        params![id, status, by, note, now],
    )? > 0)
}

/// The manager's values for a risk.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit<'a> {
    pub likelihood: i64,
    pub impact: i64,
    pub owner: Option<&'a str>,
    pub mitigation: &'a str,
    pub review_at: Option<Ts>,
}

/// Set the manager's values; re-evaluations keep them from now on.
pub fn edit(conn: &Connection, id: i64, e: &Edit<'_>) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE risks SET likelihood = ?2, impact = ?3, owner = ?4, mitigation = ?5, review_at = ?6, edited = 1
          WHERE id = ?1",
        params![id, e.likelihood, e.impact, e.owner, e.mitigation, e.review_at],
    )? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen_with<'a>(measure: f64, evidence: &'a serde_json::Value) -> Seen<'a> {
        Seen {
            kind: "bus_factor",
            subject: "repo:acme/api",
            title: "Only Ana knows acme/api",
            likelihood: 3,
            impact: 4,
            owner: Some("Maya"),
            mitigation: "Pair",
            review_at: Some(100),
            why: "one head",
            evidence,
            team: Some("harbor"),
            measure,
        }
    }

    #[test]
    fn a_condition_is_proposed_then_worse_cleared_and_back() {
        let store = crate::Store::open_in_memory().unwrap();
        let c = store.conn();
        let ev = serde_json::json!([]);
        let (id, ch) = seen(c, &seen_with(2.0, &ev), 10).unwrap();
        assert_eq!(ch, Change::Proposed);
        assert_eq!(
            seen(c, &seen_with(2.0, &ev), 20).unwrap(),
            (id, Change::Same)
        );
        assert_eq!(
            seen(c, &seen_with(3.0, &ev), 30).unwrap(),
            (id, Change::Worse)
        );
        assert_eq!(get(c, id).unwrap().unwrap().condition, "worse");
        // Still worse than the baseline: said once, not at every evaluation.
        assert_eq!(
            seen(c, &seen_with(3.0, &ev), 40).unwrap(),
            (id, Change::Same)
        );
        // Deciding takes what it is now as the baseline.
        assert!(decide(c, id, "accepted", "user:maya", Some("on it"), 50).unwrap());
        let r = get(c, id).unwrap().unwrap();
        assert_eq!(
            (r.status.as_str(), r.condition.as_str(), r.baseline),
            ("accepted", "holds", 3.0)
        );
        assert_eq!(
            seen(c, &seen_with(3.0, &ev), 60).unwrap(),
            (id, Change::Same)
        );
        // The manager's values survive re-evaluation.
        edit(
            c,
            id,
            &Edit {
                likelihood: 5,
                impact: 2,
                owner: None,
                mitigation: "Hire",
                review_at: None,
            },
        )
        .unwrap();
        seen(c, &seen_with(3.0, &ev), 70).unwrap();
        let r = get(c, id).unwrap().unwrap();
        assert_eq!(
            (r.likelihood, r.impact, r.owner, r.mitigation.as_str()),
            (5, 2, None, "Hire")
        );
        // Not seen: cleared; seen again: back, from what it is then.
        assert_eq!(clear_unseen(c, &[], 80).unwrap(), vec![id]);
        assert!(clear_unseen(c, &[], 90).unwrap().is_empty(), "cleared once");
        let r = get(c, id).unwrap().unwrap();
        assert_eq!((r.condition.as_str(), r.cleared_at), ("cleared", Some(80)));
        assert_eq!(
            seen(c, &seen_with(1.0, &ev), 100).unwrap(),
            (id, Change::Returned)
        );
        let r = get(c, id).unwrap().unwrap();
        assert_eq!(
            (
                r.condition.as_str(),
                r.baseline,
                r.cleared_at,
                r.status.as_str()
            ),
            ("holds", 1.0, None, "accepted")
        );
    }
}
