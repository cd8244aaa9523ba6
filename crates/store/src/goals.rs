//! Goals (quarterly objectives), their key results and the rules that map work to them.

use crate::{Result, json_list};
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, params};

/// A stored goal.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalRow {
    pub id: i64,
    pub title: String,
    pub quarter: String,
    pub team: Option<String>,
    pub owner: Option<String>,
    pub description: String,
    pub due_at: Ts,
    pub created_at: Ts,
    pub updated_at: Ts,
}

/// A stored key result.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyResultRow {
    pub id: i64,
    pub goal_id: i64,
    pub position: i64,
    pub title: String,
    pub measure: String,
    pub metric: Option<String>,
    pub target: Option<f64>,
    pub baseline: Option<f64>,
}

/// A stored rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleRow {
    pub goal_id: i64,
    /// The key result it narrows (by position), when it belongs to one.
    pub key_result: Option<i64>,
    pub kind: String,
    pub value: String,
}

/// A goal to write, whole: its key results and rules replace the stored ones.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalWrite<'a> {
    pub title: &'a str,
    pub quarter: &'a str,
    pub team: Option<&'a str>,
    pub owner: Option<&'a str>,
    pub description: &'a str,
    pub due_at: Ts,
    pub key_results: Vec<KeyResultWrite<'a>>,
    /// `(kind, value)` mapping work to the goal.
    pub rules: Vec<(&'a str, &'a str)>,
}

/// A key result to write.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyResultWrite<'a> {
    pub title: &'a str,
    pub measure: &'a str,
    pub metric: Option<&'a str>,
    pub target: Option<f64>,
    pub baseline: Option<f64>,
    /// `(kind, value)` narrowing this key result's work.
    pub rules: Vec<(&'a str, &'a str)>,
}

/// Write goal `id` (a new one when `None`) with its key results and rules. Returns its id, or
/// `None` when there is no goal `id`.
pub fn save(conn: &Connection, id: Option<i64>, g: &GoalWrite<'_>, now: Ts) -> Result<Option<i64>> {
    let id = match id {
        Some(id) => {
            let n = conn.execute(
                "UPDATE goals SET title = ?2, quarter = ?3, team = ?4, owner = ?5, description = ?6,
                        due_at = ?7, updated_at = ?8
                  WHERE id = ?1",
                params![
                    id,
                    g.title,
                    g.quarter,
                    g.team,
                    g.owner,
                    g.description,
                    g.due_at,
                    now
                ],
            )?;
            if n == 0 {
                return Ok(None);
            }
            conn.execute("DELETE FROM key_results WHERE goal_id = ?1", [id])?;
            conn.execute("DELETE FROM goal_rules WHERE goal_id = ?1", [id])?;
            id
        }
        None => conn.query_row(
            "INSERT INTO goals (title, quarter, team, owner, description, due_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
            params![
                g.title,
                g.quarter,
                g.team,
                g.owner,
                g.description,
                g.due_at,
                now
            ],
            |r| r.get(0),
        )?,
    };
    let mut rule = conn.prepare_cached(
        "INSERT OR IGNORE INTO goal_rules (goal_id, key_result_id, kind, value) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (kind, value) in &g.rules {
        rule.execute(params![id, Option::<i64>::None, kind, value])?;
    }
    for (i, kr) in g.key_results.iter().enumerate() {
        let kr_id: i64 = conn.query_row(
            "INSERT INTO key_results (goal_id, position, title, measure, metric, target, baseline)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
            params![
                id,
                i as i64,
                kr.title,
                kr.measure,
                kr.metric,
                kr.target,
                kr.baseline
            ],
            |r| r.get(0),
        )?;
        for (kind, value) in &kr.rules {
            rule.execute(params![id, kr_id, kind, value])?;
        }
    }
    Ok(Some(id))
}

/// The goal of `quarter` titled `title`, when there is one.
pub fn find(conn: &Connection, quarter: &str, title: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM goals WHERE quarter = ?1 AND title = ?2",
            params![quarter, title],
            |r| r.get(0),
        )
        .optional()?)
}

/// Delete a goal (its key results and rules go with it). False when there was none.
pub fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM goals WHERE id = ?1", [id])? > 0)
}

/// A goal with its key results (in order) and rules.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredGoal {
    pub goal: GoalRow,
    pub key_results: Vec<KeyResultRow>,
    pub rules: Vec<RuleRow>,
}

/// Every goal, by quarter (latest first) then title.
pub fn all(conn: &Connection) -> Result<Vec<StoredGoal>> {
    let mut stmt = conn.prepare(
        "SELECT id, title, quarter, team, owner, description, due_at, created_at, updated_at
           FROM goals ORDER BY quarter DESC, title, id",
    )?;
    let goals = stmt
        .query_map([], |r| {
            Ok(GoalRow {
                id: r.get(0)?,
                title: r.get(1)?,
                quarter: r.get(2)?,
                team: r.get(3)?,
                owner: r.get(4)?,
                description: r.get(5)?,
                due_at: r.get(6)?,
                created_at: r.get(7)?,
                updated_at: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = conn.prepare(
        "SELECT id, goal_id, position, title, measure, metric, target, baseline
           FROM key_results ORDER BY goal_id, position",
    )?;
    let krs = stmt
        .query_map([], |r| {
            Ok(KeyResultRow {
                id: r.get(0)?,
                goal_id: r.get(1)?,
                position: r.get(2)?,
                title: r.get(3)?,
                measure: r.get(4)?,
                metric: r.get(5)?,
                target: r.get(6)?,
                baseline: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = conn.prepare(
        "SELECT r.goal_id, k.position, r.kind, r.value FROM goal_rules r
           LEFT JOIN key_results k ON k.id = r.key_result_id
          ORDER BY r.goal_id, k.position, r.id",
    )?;
    let rules = stmt
        .query_map([], |r| {
            Ok(RuleRow {
                goal_id: r.get(0)?,
                key_result: r.get(1)?,
                kind: r.get(2)?,
                value: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(goals
        .into_iter()
        .map(|g| StoredGoal {
            key_results: krs.iter().filter(|k| k.goal_id == g.id).cloned().collect(),
            rules: rules
                .iter()
                .filter(|r| r.goal_id == g.id)
                .cloned()
                .collect(),
            goal: g,
        })
        .collect())
}

/// What goal rules match a ticket by.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkItem {
    pub id: i64,
    pub key: String,
    pub summary: String,
    pub project_key: Option<String>,
    pub issue_type: Option<String>,
    pub labels: Vec<String>,
    pub components: Vec<String>,
    /// Its epic or parent.
    pub parent_key: Option<String>,
    /// Its parent's parent (an epic's initiative).
    pub grandparent_key: Option<String>,
    pub html_url: Option<String>,
}

/// Every ticket with what goal rules match it by.
pub fn work_items(conn: &Connection) -> Result<Vec<WorkItem>> {
    let mut stmt = conn.prepare(
        "SELECT t.id, t.key, t.summary, t.project_key, t.issue_type, t.labels, t.components,
                t.parent_key, p.parent_key, t.html_url
           FROM tickets t
           LEFT JOIN tickets p ON p.key = t.parent_key AND p.provider = t.provider
          ORDER BY t.id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(WorkItem {
                id: r.get(0)?,
                key: r.get(1)?,
                summary: r.get(2)?,
                project_key: r.get(3)?,
                issue_type: r.get(4)?,
                labels: json_list(&r.get::<_, String>(5)?),
                components: json_list(&r.get::<_, String>(6)?),
                parent_key: r.get(7)?,
                grandparent_key: r.get(8)?,
                html_url: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
