//! Identity records: people, their emails, accounts' links to people, teams and membership.

use crate::Result;
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, params};

/// An account as identity resolution sees it.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: i64,
    pub provider: String,
    pub external_id: String,
    pub login: Option<String>,
    pub display_name: Option<String>,
    pub emails: Vec<String>,
    pub is_bot: bool,
}

/// Record every commit author that no provider account covers (local git history, GitHub
/// commits from unlinked addresses) as a `git` account keyed by email.
pub fn ensure_email_accounts(conn: &Connection) -> Result<usize> {
    Ok(conn.execute(
        "INSERT INTO accounts (provider, external_id, display_name, email)
         SELECT 'git', lower(author_email), max(author_name), lower(author_email) FROM commits
         WHERE author_account_id IS NULL AND author_email IS NOT NULL AND author_email <> ''
         GROUP BY lower(author_email)
         ON CONFLICT (provider, external_id) DO UPDATE SET display_name = coalesce(accounts.display_name, excluded.display_name)",
        [],
    )?)
}

/// Every account with every address seen for it (profile and authored commits).
pub fn accounts_with_emails(conn: &Connection) -> Result<Vec<AccountRow>> {
    let mut stmt = conn.prepare(
        "SELECT a.id, a.provider, a.external_id, a.login,
                coalesce(a.display_name, (SELECT c.author_name FROM commits c WHERE c.author_account_id = a.id
                                          AND c.author_name IS NOT NULL GROUP BY c.author_name
                                          ORDER BY count(*) DESC, c.author_name LIMIT 1)),
                a.is_bot,
                (SELECT group_concat(e, char(31)) FROM (
                    SELECT DISTINCT lower(a.email) AS e WHERE a.email IS NOT NULL AND a.email <> ''
                    UNION SELECT DISTINCT lower(c.author_email) FROM commits c
                          WHERE c.author_account_id = a.id AND c.author_email IS NOT NULL AND c.author_email <> ''))
         FROM accounts a ORDER BY a.provider, a.external_id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            let emails: Option<String> = r.get(6)?;
            Ok(AccountRow {
                id: r.get(0)?,
                provider: r.get(1)?,
                external_id: r.get(2)?,
                login: r.get(3)?,
                display_name: r.get(4)?,
                is_bot: r.get(5)?,
                emails: emails
                    .map(|e| e.split('\u{1f}').map(str::to_string).collect())
                    .unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Insert or update a person by key; returns the id.
pub fn upsert_person(
    conn: &Connection,
    key: &str,
    name: &str,
    primary_email: Option<&str>,
    is_bot: bool,
    now: Ts,
) -> Result<i64> {
    Ok(conn.query_row(
        "INSERT INTO people (key, name, primary_email, is_bot, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (key) DO UPDATE SET name = excluded.name, primary_email = excluded.primary_email, is_bot = excluded.is_bot
         RETURNING id",
        params![key, name, primary_email, is_bot, now],
        |r| r.get(0),
    )?)
}

/// Gives every person the UTC offset of their accounts (a Slack account's first; none known:
/// unchanged).
pub fn set_people_utc_offsets(conn: &Connection) -> Result<()> {
    conn.execute(
        "UPDATE people SET utc_offset_minutes = coalesce(
             (SELECT a.utc_offset_minutes FROM accounts a
              WHERE a.person_id = people.id AND a.utc_offset_minutes IS NOT NULL
              ORDER BY a.provider = 'slack' DESC, a.id LIMIT 1),
             utc_offset_minutes)",
        [],
    )?;
    Ok(())
}

pub fn set_person_emails(conn: &Connection, person_id: i64, emails: &[String]) -> Result<()> {
    conn.execute(
        "DELETE FROM person_emails WHERE person_id = ?1",
        [person_id],
    )?;
    let mut stmt = conn
        .prepare_cached("INSERT OR IGNORE INTO person_emails (email, person_id) VALUES (?1, ?2)")?;
    for e in emails {
        stmt.execute(params![e, person_id])?;
    }
    Ok(())
}

pub fn link_account(
    conn: &Connection,
    account_id: i64,
    person_id: Option<i64>,
    method: Option<&str>,
    confidence: Option<f64>,
) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET person_id = ?2, match_method = ?3, match_confidence = ?4 WHERE id = ?1",
        params![account_id, person_id, method, confidence],
    )?;
    Ok(())
}

pub fn upsert_team(conn: &Connection, key: &str, name: &str, manager: Option<i64>) -> Result<i64> {
    Ok(conn.query_row(
        "INSERT INTO teams (key, name, manager_person_id) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET name = excluded.name, manager_person_id = excluded.manager_person_id
         RETURNING id",
        params![key, name, manager],
        |r| r.get(0),
    )?)
}

/// Replace all team memberships and the team/manager fields of people.
pub fn reset_memberships(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM team_members", [])?;
    conn.execute("UPDATE people SET team_id = NULL, manager_id = NULL", [])?;
    Ok(())
}

pub fn add_member(
    conn: &Connection,
    team_id: i64,
    person_id: i64,
    role: &str,
    manager: Option<i64>,
) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO team_members (team_id, person_id, role) VALUES (?1, ?2, ?3)",
        params![team_id, person_id, role],
    )?;
    conn.execute(
        "UPDATE people SET team_id = ?2, manager_id = CASE WHEN ?3 = id THEN manager_id ELSE ?3 END WHERE id = ?1",
        params![person_id, team_id, manager],
    )?;
    Ok(())
}

/// `manager` manages `person` directly (a direct report named in the configuration).
pub fn set_manager(conn: &Connection, person_id: i64, manager: i64) -> Result<()> {
    conn.execute(
        "UPDATE people SET manager_id = ?2 WHERE id = ?1",
        params![person_id, manager],
    )?;
    Ok(())
}

/// The person an email, account or person-key reference points at (`email`,
/// `provider:login-or-id`, `key`).
pub fn person_by_ref(conn: &Connection, reference: &str) -> Result<Option<i64>> {
    let r = reference.trim();
    if let Some((provider, value)) = r.split_once(':').filter(|(p, _)| !p.contains('@')) {
        if provider == "email" {
            return person_by_ref(conn, value);
        }
        return Ok(conn
            .query_row(
                "SELECT person_id FROM accounts WHERE provider = ?1 AND (external_id = ?2 OR lower(login) = lower(?2)) AND person_id IS NOT NULL",
                params![provider, value],
                |x| x.get(0),
            )
            .optional()?);
    }
    if !r.contains('@') {
        // A person key (what `bosun forget` leaves in the config for a forgotten person).
        return Ok(conn
            .query_row("SELECT id FROM people WHERE key = ?1", [r], |x| x.get(0))
            .optional()?);
    }
    Ok(conn
        .query_row(
            "SELECT person_id FROM person_emails WHERE email = ?1
             UNION ALL SELECT id FROM people WHERE lower(primary_email) = lower(?1) LIMIT 1",
            [r],
            |x| x.get(0),
        )
        .optional()?)
}

pub fn set_repo_team(conn: &Connection, repo: &str, team_id: i64) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE repos SET team_id = ?2 WHERE full_name = ?1 OR name = ?1",
        params![repo, team_id],
    )?)
}

pub fn set_board_team(conn: &Connection, board: &str, team_id: i64) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE sprints SET team_id = ?2 WHERE board_id = ?1",
        params![board, team_id],
    )?)
}

/// Tie a service to its repository (and so to its team): `repos.service` and `services.repo_id`.
pub fn link_service(
    conn: &Connection,
    name: &str,
    repo: Option<&str>,
    pagerduty: Option<&str>,
) -> Result<()> {
    if let Some(repo) = repo {
        conn.execute(
            "UPDATE repos SET service = ?2 WHERE full_name = ?1 OR name = ?1",
            params![repo, name],
        )?;
    }
    if let Some(pd) = pagerduty {
        conn.execute(
            "UPDATE services SET key = ?2,
                 repo_id = (SELECT id FROM repos WHERE full_name = ?3 OR name = ?3 ORDER BY id LIMIT 1),
                 team_id = (SELECT team_id FROM repos WHERE full_name = ?3 OR name = ?3 ORDER BY id LIMIT 1)
             WHERE external_id = ?1",
            params![pd, name, repo.unwrap_or("")],
        )?;
    }
    Ok(())
}

/// The key of the team `key` names: its key, or its name in any case.
pub fn team_key(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT key FROM teams WHERE key = ?1 OR lower(name) = lower(?1)",
            params![key],
            |r| r.get(0),
        )
        .optional()?)
}

/// A person's name and time zone (minutes east of UTC, 0 when unknown).
pub fn name_and_offset(conn: &Connection, person: i64) -> Result<Option<(String, i32)>> {
    Ok(conn
        .query_row(
            "SELECT name, coalesce(utc_offset_minutes, 0) FROM people WHERE id = ?1",
            [person],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The time zone (minutes east of UTC, when known) of the person `handle` names: their primary
/// or another email address, or `provider:login` (else `provider:external id`) of an account.
pub fn offset_of(conn: &Connection, handle: &str) -> Result<Option<i32>> {
    Ok(conn
        .query_row(
            "SELECT p.utc_offset_minutes FROM people p
             WHERE lower(p.primary_email) = lower(?1)
                OR p.id IN (SELECT person_id FROM person_emails WHERE email = ?1)
                OR p.id IN (SELECT person_id FROM accounts WHERE provider || ':' || coalesce(login, external_id) = ?1)
             LIMIT 1",
            [handle],
            |r| r.get::<_, Option<i32>>(0),
        )
        .optional()?
        .flatten())
}

/// The manager's answer about two accounts (by handle): one person (`same`) or two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchDecision {
    pub a: String,
    pub b: String,
    pub same: bool,
}

/// A link a rule made, not yet answered.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchSuggestion {
    pub a: String,
    pub b: String,
    pub method: String,
    pub confidence: f64,
}

/// The pair in the order the tables keep it (`a < b`).
fn ordered<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b { (a, b) } else { (b, a) }
}

/// Every answer the manager gave.
pub fn match_decisions(conn: &Connection) -> Result<Vec<MatchDecision>> {
    let mut stmt = conn.prepare("SELECT a, b, same FROM identity_decisions ORDER BY a, b")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(MatchDecision {
                a: r.get(0)?,
                b: r.get(1)?,
                same: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Record (or change) the answer about two accounts; the pair is no longer suggested.
pub fn decide_match(
    conn: &Connection,
    a: &str,
    b: &str,
    same: bool,
    by: &str,
    now: Ts,
) -> Result<()> {
    let (a, b) = ordered(a, b);
    conn.execute(
        "INSERT INTO identity_decisions (a, b, same, decided_at, decided_by)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (a, b) DO UPDATE SET same = excluded.same,
             decided_at = excluded.decided_at, decided_by = excluded.decided_by",
        params![a, b, same, now, by],
    )?;
    conn.execute(
        "DELETE FROM identity_suggestions WHERE a = ?1 AND b = ?2",
        params![a, b],
    )?;
    Ok(())
}

/// Replace the open suggestions with `suggestions` (those already answered are left out).
pub fn set_match_suggestions(conn: &Connection, suggestions: &[MatchSuggestion]) -> Result<()> {
    conn.execute("DELETE FROM identity_suggestions", [])?;
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO identity_suggestions (a, b, method, confidence)
         SELECT ?1, ?2, ?3, ?4
         WHERE NOT EXISTS (SELECT 1 FROM identity_decisions WHERE a = ?1 AND b = ?2)",
    )?;
    for s in suggestions {
        let (a, b) = ordered(&s.a, &s.b);
        if a != b {
            stmt.execute(params![a, b, s.method, s.confidence])?;
        }
    }
    Ok(())
}

/// The open suggestions, least sure first (those most need a look).
pub fn match_suggestions(conn: &Connection) -> Result<Vec<MatchSuggestion>> {
    let mut stmt = conn.prepare(
        "SELECT a, b, method, confidence FROM identity_suggestions ORDER BY confidence, a, b",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(MatchSuggestion {
                a: r.get(0)?,
                b: r.get(1)?,
                method: r.get(2)?,
                confidence: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Whether an account has this handle (`provider:login`, or `provider:external_id` for an
/// account without a login — how identity names accounts).
pub fn account_handle_exists(conn: &Connection, handle: &str) -> Result<bool> {
    let Some((provider, rest)) = handle.split_once(':') else {
        return Ok(false);
    };
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE provider = ?1 AND coalesce(login, external_id) = ?2)",
        params![provider, rest],
        |r| r.get(0),
    )?)
}

/// A person with their team and manager, as the people page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonListRow {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub primary_email: Option<String>,
    pub is_bot: bool,
    pub team_key: Option<String>,
    pub team_name: Option<String>,
    /// The manager's name.
    pub manager: Option<String>,
}

/// The people with at least one account: people before bots, by team (those without last),
/// then name.
pub fn people_with_accounts(conn: &Connection) -> Result<Vec<PersonListRow>> {
    let mut s = conn.prepare(
        "SELECT p.id, p.key, p.name, p.primary_email, p.is_bot, t.key, t.name,
                (SELECT m.name FROM people m WHERE m.id = p.manager_id)
         FROM people p LEFT JOIN teams t ON t.id = p.team_id
         WHERE EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id)
         ORDER BY p.is_bot, t.key IS NULL, t.key, p.name",
    )?;
    let rows = s.query_map([], |r| {
        Ok(PersonListRow {
            id: r.get(0)?,
            key: r.get(1)?,
            name: r.get(2)?,
            primary_email: r.get(3)?,
            is_bot: r.get(4)?,
            team_key: r.get(5)?,
            team_name: r.get(6)?,
            manager: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// (key, id) of every person.
pub fn person_ids_by_key(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let mut s = conn.prepare("SELECT key, id FROM people")?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// (report's key, manager's name): the people whose manager is `me` (a lower-case primary email
/// or a person key).
pub fn reports_of(conn: &Connection, me: &str) -> Result<Vec<(String, String)>> {
    let mut s = conn.prepare(
        "SELECT p.key, m.name FROM people p JOIN people m ON m.id = p.manager_id
         WHERE lower(m.primary_email) = ?1 OR m.key = ?1",
    )?;
    let rows = s.query_map([me], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}
