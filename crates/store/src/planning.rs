//! Planning records: tickets with their changelog, links, status periods and sprint stays; sprints.

use crate::{Result, accounts};
use bosun_core::model::{Sprint, Ticket};
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, params};

pub fn upsert_sprint(
    conn: &Connection,
    source_id: Option<i64>,
    provider: &str,
    s: &Sprint,
) -> Result<i64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO sprints (source_id, provider, external_id, board_id, name, state, goal, start_at, end_at, complete_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (provider, external_id) DO UPDATE SET
             source_id = coalesce(excluded.source_id, sprints.source_id), board_id = excluded.board_id,
             name = excluded.name, state = excluded.state, goal = excluded.goal, start_at = excluded.start_at,
             end_at = excluded.end_at, complete_at = excluded.complete_at
         RETURNING id",
    )?;
    Ok(stmt.query_row(
        params![
            source_id,
            provider,
            s.external_id,
            s.board_id,
            s.name,
            s.state,
            s.goal,
            s.start_at,
            s.end_at,
            s.complete_at
        ],
        |r| r.get(0),
    )?)
}

/// Write a ticket with everything derived from its changelog. Changes are upserted (a changelog
/// only grows); links, status periods and sprint stays are replaced.
pub fn upsert_ticket(
    conn: &Connection,
    source_id: Option<i64>,
    provider: &str,
    t: &Ticket,
) -> Result<i64> {
    let assignee = accounts::upsert_opt(conn, t.assignee.as_ref())?;
    let reporter = accounts::upsert_opt(conn, t.reporter.as_ref())?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO tickets (source_id, provider, external_id, key, project_key, summary, description, issue_type,
                              work_type, status, status_category, priority, assignee_account_id, reporter_account_id,
                              story_points, flagged, labels, parent_key, created_at, updated_at, resolved_at, due_at,
                              html_url, components)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)
         ON CONFLICT (provider, key) DO UPDATE SET
             source_id = coalesce(excluded.source_id, tickets.source_id), external_id = excluded.external_id,
             project_key = excluded.project_key, summary = excluded.summary, description = excluded.description,
             issue_type = excluded.issue_type, work_type = excluded.work_type, status = excluded.status,
             status_category = excluded.status_category, priority = excluded.priority,
             assignee_account_id = excluded.assignee_account_id, reporter_account_id = excluded.reporter_account_id,
             story_points = excluded.story_points, flagged = excluded.flagged, labels = excluded.labels,
             parent_key = excluded.parent_key, created_at = excluded.created_at, updated_at = excluded.updated_at,
             resolved_at = excluded.resolved_at, due_at = excluded.due_at, html_url = excluded.html_url,
             components = excluded.components
         RETURNING id",
    )?;
    let id: i64 = stmt.query_row(
        params![
            source_id,
            provider,
            t.external_id,
            t.key,
            t.project_key,
            t.summary,
            t.description,
            t.issue_type,
            t.work_type.as_str(),
            t.status,
            t.status_category.as_str(),
            t.priority,
            assignee,
            reporter,
            t.story_points,
            t.flagged,
            crate::to_json(&t.labels)?,
            t.parent_key,
            t.created_at,
            t.updated_at,
            t.resolved_at,
            t.due_at,
            t.html_url,
            crate::to_json(&t.components)?
        ],
        |r| r.get(0),
    )?;
    let mut ch = conn.prepare_cached(
        "INSERT INTO ticket_changes (ticket_id, external_id, author_account_id, created_at, field, from_value, from_string,
                                     to_value, to_string)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (ticket_id, external_id) DO UPDATE SET
             author_account_id = excluded.author_account_id, created_at = excluded.created_at, field = excluded.field,
             from_value = excluded.from_value, from_string = excluded.from_string, to_value = excluded.to_value,
             to_string = excluded.to_string",
    )?;
    for c in &t.changes {
        let author = accounts::upsert_opt(conn, c.author.as_ref())?;
        ch.execute(params![
            id,
            c.external_id,
            author,
            c.created_at,
            c.field,
            c.from_value,
            c.from_string,
            c.to_value,
            c.to_string
        ])?;
    }
    conn.execute("DELETE FROM ticket_links WHERE ticket_id = ?1", [id])?;
    let mut ln = conn.prepare_cached(
        "INSERT OR IGNORE INTO ticket_links (ticket_id, link_type, direction, description, other_key) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for l in &t.links {
        ln.execute(params![
            id,
            l.link_type,
            l.direction,
            l.description,
            l.other_key
        ])?;
    }
    conn.execute(
        "DELETE FROM ticket_status_periods WHERE ticket_id = ?1",
        [id],
    )?;
    let mut sp = conn.prepare_cached(
        "INSERT INTO ticket_status_periods (ticket_id, position, status, status_category, entered_at, left_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, p) in t.status_periods.iter().enumerate() {
        sp.execute(params![
            id,
            i as i64,
            p.status,
            p.category.as_str(),
            p.entered_at,
            p.left_at
        ])?;
    }
    conn.execute("DELETE FROM sprint_membership WHERE ticket_id = ?1", [id])?;
    let mut sm = conn.prepare_cached(
        "INSERT OR REPLACE INTO sprint_membership (sprint_id, ticket_id, position, added_at, removed_at)
         SELECT s.id, ?2, ?3, ?4, ?5 FROM sprints s WHERE s.provider = ?6 AND s.external_id = ?1",
    )?;
    for (i, s) in t.sprint_stays.iter().enumerate() {
        sm.execute(params![
            s.sprint_external_id,
            id,
            i as i64,
            s.added_at,
            s.removed_at,
            provider
        ])?;
    }
    Ok(id)
}

/// Stored `updated_at` of a ticket (to skip unchanged ones).
pub fn ticket_version(conn: &Connection, provider: &str, key: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT updated_at FROM tickets WHERE provider = ?1 AND key = ?2",
            params![provider, key],
            |r| r.get(0),
        )
        .optional()?)
}

/// Stored `updated_at` of every ticket of a project (key → version), to skip the unchanged ones
/// of a listing with one read.
pub fn ticket_versions(
    conn: &Connection,
    provider: &str,
    project_key: &str,
) -> Result<std::collections::HashMap<String, Ts>> {
    let mut stmt = conn
        .prepare("SELECT key, updated_at FROM tickets WHERE provider = ?1 AND project_key = ?2")?;
    let rows = stmt
        .query_map(params![provider, project_key], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The source a ticket (by key) was synced from, when known.
pub fn ticket_source(conn: &Connection, key: &str) -> Result<Option<i64>> {
    let s: Option<Option<i64>> = conn
        .query_row("SELECT source_id FROM tickets WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(s.flatten())
}

/// The Jira project a team's tickets are in: the project of most tickets assigned to its members,
/// else of most tickets; none before any ticket is synced.
pub fn team_project(conn: &Connection, team: Option<&str>) -> Result<Option<String>> {
    let mine: Option<String> = conn
        .query_row(
            "SELECT t.project_key FROM tickets t
               JOIN accounts a ON a.id = t.assignee_account_id
               JOIN people p ON p.id = a.person_id
               JOIN teams tm ON tm.id = p.team_id
              WHERE tm.key = ?1 AND t.project_key IS NOT NULL
              GROUP BY t.project_key ORDER BY count(*) DESC, t.project_key LIMIT 1",
            [team.unwrap_or_default()],
            |r| r.get(0),
        )
        .optional()?;
    if mine.is_some() {
        return Ok(mine);
    }
    Ok(conn
        .query_row(
            "SELECT project_key FROM tickets WHERE project_key IS NOT NULL
              GROUP BY project_key ORDER BY count(*) DESC, project_key LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?)
}

/// What decides whether a ticket was unplanned work: its labels, issue type and summary.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketMarks {
    pub id: i64,
    pub labels: Vec<String>,
    pub issue_type: Option<String>,
    pub summary: String,
}

/// Every ticket's labels, issue type and summary.
pub fn ticket_marks(conn: &Connection) -> Result<Vec<TicketMarks>> {
    let mut stmt =
        conn.prepare("SELECT id, labels, issue_type, summary FROM tickets ORDER BY id")?;
    let rows = stmt
        .query_map([], |r| {
            let labels: String = r.get(1)?;
            Ok(TicketMarks {
                id: r.get(0)?,
                labels: serde_json::from_str(&labels).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?,
                issue_type: r.get(2)?,
                summary: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A team's member as capacity planning reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    pub person_id: i64,
    pub name: String,
    pub utc_offset_minutes: Option<i32>,
}

/// The people of team `team` who take sprint work (members, not its manager; no bots), by name.
pub fn sprint_members(conn: &Connection, team: &str) -> Result<Vec<MemberRow>> {
    let mut s = conn.prepare(
        "SELECT p.id, p.name, p.utc_offset_minutes FROM team_members m
         JOIN teams t ON t.id = m.team_id JOIN people p ON p.id = m.person_id
         WHERE t.key = ?1 AND m.role = 'member' AND p.is_bot = 0 ORDER BY p.name, p.id",
    )?;
    let rows = s.query_map([team], |r| {
        Ok(MemberRow {
            person_id: r.get(0)?,
            name: r.get(1)?,
            utc_offset_minutes: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (person, start, end): the first-level on-call shifts of people overlapping `[from, to)`; an
/// open start or end (a person named in the escalation policy directly) is `from` or `to`.
pub fn first_oncall_shifts(conn: &Connection, from: Ts, to: Ts) -> Result<Vec<(i64, Ts, Ts)>> {
    let mut s = conn.prepare(
        "SELECT DISTINCT a.person_id, max(coalesce(s.start_at, ?1), ?1), min(coalesce(s.end_at, ?2), ?2)
         FROM oncall_shifts s JOIN accounts a ON a.id = s.account_id
         WHERE s.level = 1 AND a.person_id IS NOT NULL
           AND coalesce(s.start_at, ?1) < ?2 AND coalesce(s.end_at, ?2) > ?1
         ORDER BY 1, 2",
    )?;
    let rows = s.query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (parent key, child key): every ticket naming a parent (an epic, or the story of a sub-task),
/// by parent then child.
pub fn parent_links(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut s = conn.prepare(
        "SELECT parent_key, key FROM tickets WHERE parent_key IS NOT NULL AND parent_key <> ''
         ORDER BY parent_key, key",
    )?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A ticket's key, title and status, by key (any case).
pub fn ticket_brief(
    conn: &Connection,
    key: &str,
) -> Result<Option<(String, String, Option<String>)>> {
    Ok(conn
        .query_row(
            "SELECT key, summary, status FROM tickets WHERE key = ?1 COLLATE NOCASE LIMIT 1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}
