//! Reads and writes that the examples and benchmarks use to pick records and to simulate a small
//! sync beside what the connectors write. The app does not use them.

use crate::Result;
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, params};

/// (external id, login) of an account.
pub fn account_handle(conn: &Connection, id: i64) -> Result<Option<(String, Option<String>)>> {
    Ok(conn
        .query_row(
            "SELECT external_id, login FROM accounts WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The repository with the most GitHub deployments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusiestRepo {
    pub repo_id: i64,
    /// The latest commit on its default branch.
    pub head_sha: String,
    /// Its highest pull request number.
    pub last_pr_number: i64,
}

/// The repository with the most GitHub deployments (the lowest id among equals).
pub fn busiest_deployed_repo(conn: &Connection) -> Result<Option<BusiestRepo>> {
    Ok(conn
        .query_row(
            "SELECT d.repo_id, (SELECT sha FROM commits c WHERE c.repo_id = d.repo_id AND on_default_branch = 1 ORDER BY committed_at DESC, sha LIMIT 1),
                    (SELECT max(number) FROM pull_requests p WHERE p.repo_id = d.repo_id)
             FROM deployments d WHERE d.kind = 'github_deployment' GROUP BY d.repo_id ORDER BY count(*) DESC, d.repo_id LIMIT 1",
            [],
            |r| {
                Ok(BusiestRepo {
                    repo_id: r.get(0)?,
                    head_sha: r.get(1)?,
                    last_pr_number: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// (author, reviewer) accounts of the latest pull request of `repo` reviewed by someone other
/// than its author, a human.
pub fn last_reviewed_pair(conn: &Connection, repo: i64) -> Result<Option<(i64, i64)>> {
    Ok(conn
        .query_row(
            "SELECT p.author_account_id, r.reviewer_account_id FROM pull_requests p JOIN reviews r ON r.pr_id = p.id
             JOIN accounts a ON a.id = p.author_account_id
             WHERE p.repo_id = ?1 AND r.reviewer_account_id != p.author_account_id AND NOT a.is_bot AND a.login NOT LIKE '%[bot]'
             ORDER BY p.number DESC LIMIT 1",
            [repo],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The latest incident of the service `repo` belongs to.
pub fn last_incident_of_repo(conn: &Connection, repo: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT i.id FROM incidents i JOIN services s ON s.id = i.service_id JOIN repos r ON r.service = s.key WHERE r.id = ?1 ORDER BY i.created_at DESC LIMIT 1",
            [repo],
            |r| r.get(0),
        )
        .optional()?)
}

/// Add an annotation to an incident's log.
pub fn add_incident_note(
    conn: &Connection,
    incident: i64,
    external_id: &str,
    at: Ts,
    summary: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO incident_log_entries (incident_id, external_id, kind, created_at, summary) VALUES (?1, ?2, 'annotate', ?3, ?4)",
        params![incident, external_id, at, summary],
    )?;
    Ok(())
}

/// Move the first ticket not done (by id) to done at `at`.
pub fn finish_first_open_ticket(conn: &Connection, at: Ts) -> Result<()> {
    conn.execute(
        "UPDATE tickets SET status = 'Done', status_category = 'done', resolved_at = ?1, updated_at = ?1
         WHERE id = (SELECT id FROM tickets WHERE status_category != 'done' ORDER BY id LIMIT 1)",
        [at],
    )?;
    Ok(())
}

/// How many pull requests have an external id starting with `prefix`.
pub fn pull_requests_with_prefix(conn: &Connection, prefix: &str) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM pull_requests WHERE external_id LIKE ?1 || '%'",
        [prefix],
        |r| r.get(0),
    )?)
}
