//! What meeting notes read beside the metrics dataset and the signals' records (review links,
//! base branches, time off, GitHub logins, the files merged pull requests touched), the manager's
//! private notes and time off, the people notes are about, and the briefs raised.

use crate::Result;
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, params};

/// A private note the manager keeps about a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateNoteRow {
    pub id: i64,
    pub person_id: i64,
    pub created_at: Ts,
    pub body: String,
    pub follow_up: bool,
    pub done_at: Option<Ts>,
}

/// The private notes about `person` (or everyone), oldest first.
pub fn private_notes(conn: &Connection, person: Option<i64>) -> Result<Vec<PrivateNoteRow>> {
    let mut s = conn.prepare(
        "SELECT id, person_id, created_at, body, follow_up, done_at FROM private_notes
         WHERE ?1 IS NULL OR person_id = ?1 ORDER BY created_at, id",
    )?;
    let rows = s.query_map([person], |r| {
        Ok(PrivateNoteRow {
            id: r.get(0)?,
            person_id: r.get(1)?,
            created_at: r.get(2)?,
            body: r.get(3)?,
            follow_up: r.get(4)?,
            done_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Keep a private note about `person`; its id.
pub fn add_private_note(
    conn: &Connection,
    person: i64,
    at: Ts,
    body: &str,
    follow_up: bool,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO private_notes (person_id, created_at, body, follow_up) VALUES (?1, ?2, ?3, ?4)",
        params![person, at, body, follow_up],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Mark a private note done at `at`; whether it was not done yet.
pub fn complete_private_note(conn: &Connection, id: i64, at: Ts) -> Result<bool> {
    let n = conn.execute(
        "UPDATE private_notes SET done_at = ?2 WHERE id = ?1 AND done_at IS NULL",
        params![id, at],
    )?;
    Ok(n > 0)
}

/// (person, name): whom a private note is about.
pub fn private_note_person(conn: &Connection, id: i64) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT n.person_id, p.name FROM private_notes n JOIN people p ON p.id = n.person_id WHERE n.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Record time off from `starts_on` to `ends_on` (inclusive, `YYYY-MM-DD`); time off starting
/// the same day is replaced.
pub fn set_time_off(conn: &Connection, person: i64, starts_on: &str, ends_on: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO time_off (person_id, starts_on, ends_on) VALUES (?1, ?2, ?3)
         ON CONFLICT (person_id, starts_on) DO UPDATE SET ends_on = excluded.ends_on",
        params![person, starts_on, ends_on],
    )?;
    Ok(())
}

/// (person, starts on, ends on): every time off (dates as `YYYY-MM-DD`), in order.
pub fn time_off(conn: &Connection) -> Result<Vec<(i64, String, String)>> {
    let mut s = conn.prepare("SELECT person_id, starts_on, ends_on FROM time_off ORDER BY 1, 2")?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// (pull request, path): the files review comments point at on the pull requests merged between
/// `since` and `until`, each once, in order.
pub fn merged_pr_paths(conn: &Connection, since: Ts, until: Ts) -> Result<Vec<(i64, String)>> {
    let mut s = conn.prepare(
        "SELECT DISTINCT c.pr_id, c.path FROM pr_comments c JOIN pull_requests p ON p.id = c.pr_id
         WHERE p.merged_at >= ?1 AND p.merged_at <= ?2 AND c.path IS NOT NULL ORDER BY 1, 2",
    )?;
    let rows = s.query_map(params![since, until], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A submitted review's web page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewLinkRow {
    pub pr_id: i64,
    pub person_id: i64,
    pub submitted_at: Ts,
    pub html_url: String,
}

/// The web pages of the submitted reviews by people.
pub fn review_links(conn: &Connection) -> Result<Vec<ReviewLinkRow>> {
    let mut s = conn.prepare(
        "SELECT r.pr_id, a.person_id, r.submitted_at, r.html_url FROM reviews r JOIN accounts a ON a.id = r.reviewer_account_id
         WHERE a.person_id IS NOT NULL AND r.submitted_at IS NOT NULL AND r.html_url IS NOT NULL",
    )?;
    let rows = s.query_map([], |r| {
        Ok(ReviewLinkRow {
            pr_id: r.get(0)?,
            person_id: r.get(1)?,
            submitted_at: r.get(2)?,
            html_url: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// (pull request, base branch) of the open pull requests.
pub fn open_pr_base_refs(conn: &Connection) -> Result<Vec<(i64, String)>> {
    let mut s = conn.prepare(
        "SELECT id, base_ref FROM pull_requests WHERE state = 'open' AND base_ref IS NOT NULL",
    )?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// (login in lower case, person): the GitHub accounts linked to a person, oldest first.
pub fn github_logins(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let mut s = conn.prepare(
        "SELECT lower(login), person_id FROM accounts
         WHERE provider = 'github' AND login IS NOT NULL AND person_id IS NOT NULL ORDER BY id",
    )?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A person as notes name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonKeyRow {
    pub id: i64,
    pub key: String,
    pub name: String,
}

fn person_key_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PersonKeyRow> {
    Ok(PersonKeyRow {
        id: r.get(0)?,
        key: r.get(1)?,
        name: r.get(2)?,
    })
}

/// The people `q` names exactly: a person key, name or email, or an account's email, or
/// (`bare`: `q` without its `provider:` prefix) an account's id or login. By id.
pub fn people_named(conn: &Connection, q: &str, bare: &str) -> Result<Vec<PersonKeyRow>> {
    let mut s = conn.prepare(
        "SELECT DISTINCT p.id, p.key, p.name FROM people p
         WHERE p.key = ?1 OR lower(p.name) = lower(?1) OR lower(p.primary_email) = lower(?1)
            OR p.id IN (SELECT person_id FROM person_emails WHERE email = ?1)
            OR p.id IN (SELECT person_id FROM accounts WHERE external_id = ?2 OR lower(login) = lower(?2)
                        OR lower(email) = lower(?1))
         ORDER BY p.id",
    )?;
    let rows = s.query_map(params![q, bare], person_key_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The people (not bots) whose first name is `first`, by id.
pub fn people_by_first_name(conn: &Connection, first: &str) -> Result<Vec<PersonKeyRow>> {
    let mut s = conn.prepare(
        "SELECT id, key, name FROM people WHERE lower(name) LIKE lower(?1) || ' %' AND is_bot = 0 ORDER BY id",
    )?;
    let rows = s.query_map([first], person_key_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Every person who is not a bot, by id (for matching a name typed loosely).
pub fn humans(conn: &Connection) -> Result<Vec<PersonKeyRow>> {
    let mut s = conn.prepare("SELECT id, key, name FROM people WHERE is_bot = 0 ORDER BY id")?;
    let rows = s.query_map([], person_key_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// My direct reports when `me` is given (people I manage, or members of teams I manage), else
/// everyone with a team; never bots nor me. By name.
pub fn direct_reports(conn: &Connection, me: Option<i64>) -> Result<Vec<PersonKeyRow>> {
    let mut s = conn.prepare(
        "SELECT p.id, p.key, p.name FROM people p LEFT JOIN teams t ON t.id = p.team_id
         WHERE p.is_bot = 0 AND p.id IS NOT ?1
           AND ((?1 IS NULL AND p.team_id IS NOT NULL) OR p.manager_id = ?1 OR t.manager_person_id = ?1)
         ORDER BY p.name, p.id",
    )?;
    let rows = s.query_map([me], person_key_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Whether `person` reports to `manager`: directly, or as a member of a team they manage.
pub fn reports_to(conn: &Connection, person: i64, manager: i64) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM people WHERE id = ?1 AND manager_id = ?2)
             OR EXISTS (SELECT 1 FROM people q JOIN teams t ON t.id = q.team_id
                        WHERE q.id = ?1 AND t.manager_person_id = ?2)",
        params![person, manager],
        |r| r.get(0),
    )?)
}

/// (team key, manager): every team, by key.
pub fn team_managers(conn: &Connection) -> Result<Vec<(String, Option<i64>)>> {
    let mut s = conn.prepare("SELECT key, manager_person_id FROM teams ORDER BY key")?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The keys of the teams `manager` manages (none for `None`), in order.
pub fn teams_managed_by(conn: &Connection, manager: Option<i64>) -> Result<Vec<String>> {
    let mut s = conn.prepare("SELECT key FROM teams WHERE manager_person_id = ?1 ORDER BY key")?;
    let rows = s.query_map([manager], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// When the last morning brief was raised.
pub fn last_brief_at(conn: &Connection) -> Result<Option<Ts>> {
    Ok(conn.query_row(
        "SELECT max(fired_at) FROM alerts WHERE kind = 'brief'",
        [],
        |r| r.get(0),
    )?)
}

/// Record a morning brief raised (and delivered) at `at`, as a `brief` alert.
pub fn record_brief(conn: &Connection, at: Ts, headline: &str, body: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO alerts (signal_id, kind, fired_at, title, body, reason, delivered, delivered_at)
         VALUES (NULL, 'brief', ?1, ?2, ?3, 'morning brief', 1, ?1)",
        params![at, headline, body],
    )?;
    Ok(())
}

/// Tokens spent on `llm.call`s from `start` for a day, from the audit ledger.
pub fn llm_tokens_in_day(conn: &Connection, start: Ts) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(coalesce(json_extract(trace, '$.prompt_tokens'), 0)
                           + coalesce(json_extract(trace, '$.completion_tokens'), 0)), 0)
         FROM audit_entries WHERE action = 'llm.call' AND at >= ?1 AND at < ?1 + 86400",
        [start],
        |r| r.get(0),
    )?)
}

/// Every name and login of people and accounts that are not bots, each once, in order.
pub fn human_names(conn: &Connection) -> Result<Vec<String>> {
    let mut s = conn.prepare(
        "SELECT name FROM people WHERE is_bot = 0
         UNION SELECT login FROM accounts WHERE login IS NOT NULL AND is_bot = 0
         UNION SELECT display_name FROM accounts WHERE display_name IS NOT NULL AND is_bot = 0
         ORDER BY 1",
    )?;
    let rows = s.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}
