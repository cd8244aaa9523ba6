//! What the onboarding plan and progress read: each person's firsts (commit, pull request,
//! review, on-call shift, chat message), their pull requests, the team's people, the indexed
//! documents and which of them name a term, and who responded to a team's incidents.

use crate::Result;
use bosun_core::time::Ts;
use rusqlite::{Connection, params};

/// The first time a person did something, with its web page when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstRow {
    pub person_id: i64,
    pub at: Ts,
    pub url: Option<String>,
}

fn firsts(conn: &Connection, sql: &str) -> Result<Vec<FirstRow>> {
    let mut s = conn.prepare(sql)?;
    let rows = s.query_map([], |r| {
        Ok(FirstRow {
            person_id: r.get(0)?,
            at: r.get(1)?,
            url: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Each person's first authored commit.
pub fn first_commits(conn: &Connection) -> Result<Vec<FirstRow>> {
    firsts(
        conn,
        "SELECT person_id, at, url FROM (
           SELECT a.person_id, c.authored_at AS at, c.html_url AS url,
                  row_number() OVER (PARTITION BY a.person_id ORDER BY c.authored_at, c.id) AS n
           FROM commits c JOIN accounts a ON a.id = c.author_account_id
           WHERE a.person_id IS NOT NULL AND a.is_bot = 0)
         WHERE n = 1 ORDER BY person_id",
    )
}

/// Each person's first submitted review of someone else's pull request.
pub fn first_reviews(conn: &Connection) -> Result<Vec<FirstRow>> {
    firsts(
        conn,
        "SELECT person_id, at, url FROM (
           SELECT a.person_id, r.submitted_at AS at, coalesce(r.html_url, p.html_url) AS url,
                  row_number() OVER (PARTITION BY a.person_id ORDER BY r.submitted_at, r.id) AS n
           FROM reviews r JOIN accounts a ON a.id = r.reviewer_account_id
           JOIN pull_requests p ON p.id = r.pr_id
           LEFT JOIN accounts pa ON pa.id = p.author_account_id
           WHERE a.person_id IS NOT NULL AND a.is_bot = 0 AND r.submitted_at IS NOT NULL
             AND (pa.person_id IS NULL OR pa.person_id <> a.person_id))
         WHERE n = 1 ORDER BY person_id",
    )
}

/// Each person's first on-call shift (any level) with a start.
pub fn first_oncall(conn: &Connection) -> Result<Vec<FirstRow>> {
    firsts(
        conn,
        "SELECT a.person_id, min(s.start_at), NULL FROM oncall_shifts s
         JOIN accounts a ON a.id = s.account_id
         WHERE a.person_id IS NOT NULL AND s.start_at IS NOT NULL
         GROUP BY a.person_id ORDER BY a.person_id",
    )
}

/// Each person's first chat message.
pub fn first_messages(conn: &Connection) -> Result<Vec<FirstRow>> {
    firsts(
        conn,
        "SELECT a.person_id, min(m.posted_at), NULL FROM chat_messages m
         JOIN accounts a ON a.id = m.author_account_id
         WHERE a.person_id IS NOT NULL AND a.is_bot = 0 AND m.deleted_at IS NULL
         GROUP BY a.person_id ORDER BY a.person_id",
    )
}

/// A pull request a person opened.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthoredPr {
    pub person_id: i64,
    pub repo: String,
    pub number: i64,
    pub title: String,
    pub created_at: Ts,
    pub merged_at: Option<Ts>,
    pub url: Option<String>,
}

/// Every pull request people (not bots) opened, by person then time.
pub fn authored_prs(conn: &Connection) -> Result<Vec<AuthoredPr>> {
    let mut s = conn.prepare(
        "SELECT a.person_id, r.full_name, p.number, p.title, p.created_at, p.merged_at, p.html_url
         FROM pull_requests p JOIN accounts a ON a.id = p.author_account_id
         JOIN repos r ON r.id = p.repo_id
         WHERE a.person_id IS NOT NULL AND a.is_bot = 0
         ORDER BY a.person_id, p.created_at, p.id",
    )?;
    let rows = s.query_map([], |r| {
        Ok(AuthoredPr {
            person_id: r.get(0)?,
            repo: r.get(1)?,
            number: r.get(2)?,
            title: r.get(3)?,
            created_at: r.get(4)?,
            merged_at: r.get(5)?,
            url: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A member of a team.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamPerson {
    pub person_id: i64,
    /// The person's key.
    pub key: String,
    pub team: String,
    pub name: String,
    /// `member` or `manager`.
    pub role: String,
    pub title: Option<String>,
}

/// Every team's people (no bots), by team then name.
pub fn team_people(conn: &Connection) -> Result<Vec<TeamPerson>> {
    let mut s = conn.prepare(
        "SELECT p.id, p.key, t.key, p.name, m.role, p.title FROM team_members m
         JOIN teams t ON t.id = m.team_id JOIN people p ON p.id = m.person_id
         WHERE p.is_bot = 0 ORDER BY t.key, p.name, p.id",
    )?;
    let rows = s.query_map([], |r| {
        Ok(TeamPerson {
            person_id: r.get(0)?,
            key: r.get(1)?,
            team: r.get(2)?,
            name: r.get(3)?,
            role: r.get(4)?,
            title: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (person, GitHub login): the GitHub accounts linked to people.
pub fn github_logins(conn: &Connection) -> Result<Vec<(i64, String)>> {
    let mut s = conn.prepare(
        "SELECT person_id, login FROM accounts
         WHERE provider = 'github' AND person_id IS NOT NULL AND login IS NOT NULL ORDER BY 1, 2",
    )?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A file a merged pull request changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    pub repo_id: i64,
    pub pr_id: i64,
    pub path: String,
}

/// The files changed by pull requests merged since `since`, one row per pull request and file.
pub fn merged_changes(conn: &Connection, since: Ts) -> Result<Vec<ChangedFile>> {
    let mut s = conn.prepare(
        "SELECT p.repo_id, p.id, f.path FROM pr_files f
         JOIN pull_requests p ON p.id = f.pr_id
         WHERE p.merged_at >= ?1 ORDER BY p.repo_id, p.id, f.path",
    )?;
    let rows = s.query_map([since], |r| {
        Ok(ChangedFile {
            repo_id: r.get(0)?,
            pr_id: r.get(1)?,
            path: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A name a service of the incident tool no longer has: renamed (`now` is its name today) or
/// deleted (`now` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormerService {
    pub provider: String,
    pub external_id: String,
    pub name: String,
    pub now: Option<String>,
    /// When Bosun saw the rename or the deletion.
    pub at: Ts,
    pub team: Option<String>,
}

/// Every former name of a service, and the names of deleted ones, leaving out any name a live
/// service has today (a name given back, or taken by another service).
pub fn former_services(conn: &Connection) -> Result<Vec<FormerService>> {
    let live: std::collections::HashSet<String> = conn
        .prepare("SELECT lower(name) FROM services WHERE gone_at IS NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut s = conn.prepare(
        "SELECT s.provider, s.external_id, n.name, CASE WHEN s.gone_at IS NULL THEN s.name END,
                n.replaced_at, t.key
         FROM service_names n JOIN services s ON s.id = n.service_id
         LEFT JOIN teams t ON t.id = s.team_id
         UNION ALL
         SELECT s.provider, s.external_id, s.name, NULL, s.gone_at, t.key
         FROM services s LEFT JOIN teams t ON t.id = s.team_id WHERE s.gone_at IS NOT NULL
         ORDER BY 1, 2, 3",
    )?;
    let rows = s.query_map([], |r| {
        Ok(FormerService {
            provider: r.get(0)?,
            external_id: r.get(1)?,
            name: r.get(2)?,
            now: r.get(3)?,
            at: r.get(4)?,
            team: r.get(5)?,
        })
    })?;
    let all: Vec<FormerService> = rows.collect::<rusqlite::Result<_>>()?;
    Ok(all
        .into_iter()
        .filter(|f| !live.contains(&f.name.to_lowercase()))
        .collect())
}

/// An indexed document (not a ticket or pull request).
#[derive(Debug, Clone, PartialEq)]
pub struct DocRow {
    pub id: i64,
    pub root: String,
    pub path: String,
    pub title: Option<String>,
    pub mtime: Option<Ts>,
}

/// Every indexed document of the docs folders, by root then path.
pub fn indexed_docs(conn: &Connection) -> Result<Vec<DocRow>> {
    let mut s = conn.prepare(
        "SELECT id, root, path, title, mtime FROM documents
         WHERE status = 'indexed' AND kind NOT IN ('ticket', 'pull_request') ORDER BY root, path",
    )?;
    let rows = s.query_map([], |r| {
        Ok(DocRow {
            id: r.get(0)?,
            root: r.get(1)?,
            path: r.get(2)?,
            title: r.get(3)?,
            mtime: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (document, passages): the documents whose passages contain `phrase` (words in order, as the
/// full-text index reads them), with how many passages do.
pub fn docs_naming(conn: &Connection, phrase: &str) -> Result<Vec<(i64, i64)>> {
    let words: Vec<String> = phrase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let expr = format!("\"{}\"", words.join(" "));
    let mut s = conn.prepare(
        "SELECT c.document_id, count(*) FROM chunks_fts f JOIN chunks c ON c.id = f.rowid
         WHERE chunks_fts MATCH ?1 GROUP BY c.document_id ORDER BY 1",
    )?;
    let rows = s.query_map([expr], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (repository, path): the files review comments pointed at since `since`.
pub fn reviewed_paths(conn: &Connection, since: Ts) -> Result<Vec<(i64, String)>> {
    let mut s = conn.prepare(
        "SELECT p.repo_id, c.path FROM pr_comments c JOIN pull_requests p ON p.id = c.pr_id
         WHERE c.path IS NOT NULL AND c.created_at >= ?1 ORDER BY 1, 2",
    )?;
    let rows = s.query_map(params![since], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (team, service, person, incidents): who was assigned the incidents of each team's services
/// since `since`, most first.
pub fn incident_responders(
    conn: &Connection,
    since: Ts,
) -> Result<Vec<(String, String, i64, i64)>> {
    let mut s = conn.prepare(
        "SELECT t.key, sv.name, a.person_id, count(DISTINCT i.id) FROM incidents i
         JOIN services sv ON sv.id = i.service_id JOIN teams t ON t.id = sv.team_id
         JOIN incident_assignments ia ON ia.incident_id = i.id
         JOIN accounts a ON a.id = ia.account_id
         WHERE a.person_id IS NOT NULL AND i.created_at >= ?1
         GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC, 2, 3",
    )?;
    let rows = s.query_map(params![since], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (service, team) of the services a team owns.
pub fn team_services(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut s = conn.prepare(
        "SELECT DISTINCT sv.name, t.key FROM services sv JOIN teams t ON t.id = sv.team_id
         ORDER BY 2, 1",
    )?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A team's display name, when the team exists.
pub fn team_name(conn: &Connection, team: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row("SELECT name FROM teams WHERE key = ?1", [team], |r| {
            r.get(0)
        })
        .optional()?)
}

/// The person an email belongs to (any of their emails), if any.
pub fn person_by_email(conn: &Connection, email: &str) -> Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT person_id FROM person_emails WHERE email = ?1",
            [email],
            |r| r.get(0),
        )
        .optional()?)
}

/// (repository name, its team's key) of the repositories a source synced.
pub fn source_repos(conn: &Connection, source: i64) -> Result<Vec<(String, Option<String>)>> {
    let mut s = conn.prepare(
        "SELECT r.name, t.key FROM repos r LEFT JOIN teams t ON t.id = r.team_id
         WHERE r.source_id = ?1 ORDER BY r.name",
    )?;
    let rows = s.query_map([source], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
