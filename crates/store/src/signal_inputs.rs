//! What the signal detectors read beside the metrics dataset: repository URLs and code owners,
//! recent pull requests with their review requests, activity and commented paths, check runs,
//! tickets with the changes the detectors look at, deployment outcomes, incidents, the chat
//! window and the roster (people, their accounts, teams and members).
//!
//! Most readers take an optional list of ids (`None` = all): the app re-reads only what a sync
//! touched.

use crate::Result;
use bosun_core::time::Ts;
use rusqlite::{Connection, params};

/// ` AND <col> IN (ids)`, or nothing for all. Ids are integers: safe to inline.
fn only(col: &str, ids: Option<&[i64]>) -> String {
    match ids {
        None => String::new(),
        Some(ids) => format!(
            " AND {col} IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    }
}

/// A JSON list of strings; empty when it does not parse.
fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Each repository's id and web URL (of `repos`, or all).
pub fn repo_urls(conn: &Connection, repos: Option<&[i64]>) -> Result<Vec<(i64, Option<String>)>> {
    let and_id_repo = only("id", repos);
    let mut s = conn.prepare(&format!(
        "SELECT id, html_url FROM repos WHERE 1 = 1{and_id_repo}"
    ))?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// One CODEOWNERS rule of a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeOwnerRow {
    pub repo_id: i64,
    pub pattern: String,
    /// Logins and team slugs, as written.
    pub owners: Vec<String>,
}

/// The CODEOWNERS rules (of `repos`, or all), by repository in file order.
pub fn code_owners(conn: &Connection, repos: Option<&[i64]>) -> Result<Vec<CodeOwnerRow>> {
    let and_repo = only("repo_id", repos);
    let mut s = conn.prepare(&format!(
        "SELECT repo_id, pattern, owners FROM code_owners WHERE 1 = 1{and_repo} ORDER BY repo_id, position"
    ))?;
    let rows = s.query_map([], |r| {
        Ok(CodeOwnerRow {
            repo_id: r.get(0)?,
            pattern: r.get(1)?,
            owners: json_list(&r.get::<_, String>(2)?),
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A pull request's links: its web URL and head branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrLinkRow {
    pub id: i64,
    pub html_url: Option<String>,
    pub head_ref: Option<String>,
}

/// Pull requests (of `repos`, or all) that are open or were merged or closed at `since` or later.
pub fn recent_prs(conn: &Connection, since: Ts, repos: Option<&[i64]>) -> Result<Vec<PrLinkRow>> {
    let and_repo = only("repo_id", repos);
    let mut s = conn.prepare(&format!(
        "SELECT id, html_url, head_ref FROM pull_requests
         WHERE (state = 'open' OR coalesce(merged_at, closed_at, 0) >= ?1){and_repo}"
    ))?;
    let rows = s.query_map([since], |r| {
        Ok(PrLinkRow {
            id: r.get(0)?,
            html_url: r.get(1)?,
            head_ref: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// (pull request, person, last requested at): the review requests on open pull requests (of
/// `repos`, or all) made at `as_of` or before, to people (accounts linked to a person).
pub fn review_requests(
    conn: &Connection,
    as_of: Ts,
    repos: Option<&[i64]>,
) -> Result<Vec<(i64, i64, Ts)>> {
    let and_p_repo = only("p.repo_id", repos);
    let mut s = conn.prepare(&format!(
        "SELECT e.pr_id, a.person_id, max(e.created_at) FROM pull_requests p
           CROSS JOIN pr_events e ON e.pr_id = p.id JOIN accounts a ON a.id = e.subject_account_id
         WHERE p.state = 'open' AND e.event = 'review_requested' AND a.person_id IS NOT NULL AND e.created_at <= ?1{and_p_repo}
         GROUP BY e.pr_id, a.person_id ORDER BY e.pr_id, a.person_id"
    ))?;
    let rows = s.query_map([as_of], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// (pull request, last activity): for each open pull request (of `repos`, or all), its latest
/// commit, review, comment or timeline event at `as_of` or before, else its creation.
pub fn pr_last_activity(
    conn: &Connection,
    as_of: Ts,
    repos: Option<&[i64]>,
) -> Result<Vec<(i64, Ts)>> {
    let and_p_repo = only("p.repo_id", repos);
    let mut s = conn.prepare(&format!(
        "SELECT p.id, max(
             coalesce((SELECT max(c.committed_at) FROM pr_commits pc CROSS JOIN commits c ON c.repo_id = p.repo_id AND c.sha = pc.sha
                       WHERE pc.pr_id = p.id AND c.committed_at <= ?1), 0),
             coalesce((SELECT max(submitted_at) FROM reviews WHERE pr_id = p.id AND submitted_at <= ?1), 0),
             coalesce((SELECT max(created_at) FROM pr_comments WHERE pr_id = p.id AND created_at <= ?1), 0),
             coalesce((SELECT max(created_at) FROM pr_events WHERE pr_id = p.id AND created_at <= ?1), 0),
             p.created_at)
         FROM pull_requests p WHERE p.state = 'open'{and_p_repo}"
    ))?;
    let rows = s.query_map([as_of], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// (pull request, path): the files review comments on open pull requests (of `repos`, or all)
/// point at, each once, in order.
pub fn open_pr_comment_paths(
    conn: &Connection,
    repos: Option<&[i64]>,
) -> Result<Vec<(i64, String)>> {
    let and_p_repo = only("p.repo_id", repos);
    let mut s = conn.prepare(&format!(
        "SELECT DISTINCT c.pr_id, c.path FROM pull_requests p CROSS JOIN pr_comments c ON c.pr_id = p.id
         WHERE p.state = 'open' AND c.path IS NOT NULL{and_p_repo} ORDER BY c.pr_id, c.path"
    ))?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// One check run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRunRow {
    pub repo_id: i64,
    pub head_sha: String,
    pub name: String,
    pub conclusion: Option<String>,
    pub started_at: Option<Ts>,
    pub completed_at: Option<Ts>,
    pub html_url: Option<String>,
}

/// Check runs (of `repos`, or all) finished or started at `since` or later, and every run on the
/// head of one of its repository's open pull requests; by repository, then id.
pub fn check_runs(conn: &Connection, since: Ts, repos: Option<&[i64]>) -> Result<Vec<CheckRunRow>> {
    let and_repo = only("repo_id", repos);
    let and_p_repo = only("p.repo_id", repos);
    let mut s = conn.prepare(&format!(
        "SELECT repo_id, head_sha, name, conclusion, started_at, completed_at, html_url FROM check_runs
         WHERE id IN (SELECT id FROM check_runs WHERE coalesce(completed_at, started_at, 0) >= ?1{and_repo}
                      UNION SELECT c.id FROM pull_requests p CROSS JOIN check_runs c ON c.repo_id = p.repo_id AND c.head_sha = p.head_sha
                      WHERE p.state = 'open'{and_p_repo})
         ORDER BY repo_id, id"
    ))?;
    let rows = s.query_map([since], |r| {
        Ok(CheckRunRow {
            repo_id: r.get(0)?,
            head_sha: r.get(1)?,
            name: r.get(2)?,
            conclusion: r.get(3)?,
            started_at: r.get(4)?,
            completed_at: r.get(5)?,
            html_url: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A ticket's fields the detectors read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    pub id: i64,
    pub html_url: Option<String>,
    pub labels: Vec<String>,
    pub due_at: Option<Ts>,
    pub priority: Option<String>,
}

/// Tickets (of `tickets`, or all) not done, or done (resolved, else updated) at `since` or later.
pub fn recent_tickets(
    conn: &Connection,
    since: Ts,
    tickets: Option<&[i64]>,
) -> Result<Vec<TicketRow>> {
    let and_id = only("id", tickets);
    let mut s = conn.prepare(&format!(
        "SELECT id, html_url, labels, due_at, priority FROM tickets
         WHERE (coalesce(status_category, 'todo') != 'done' OR coalesce(resolved_at, updated_at) >= ?1){and_id}"
    ))?;
    let rows = s.query_map([since], |r| {
        Ok(TicketRow {
            id: r.get(0)?,
            html_url: r.get(1)?,
            labels: json_list(&r.get::<_, String>(2)?),
            due_at: r.get(3)?,
            priority: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The changes of the tickets [`recent_tickets`] reads (of `tickets`, or all) made at `as_of` or
/// before. (From the tickets in the window to their changes: most tickets are done and old.)
fn ticket_changes_in_window(tickets: Option<&[i64]>) -> String {
    let and_c_ticket = only("c.ticket_id", tickets);
    format!(
        "FROM tickets t CROSS JOIN ticket_changes c ON c.ticket_id = t.id
         WHERE c.created_at <= ?1{and_c_ticket} AND (coalesce(t.status_category, 'todo') != 'done' OR coalesce(t.resolved_at, t.updated_at) >= ?2)"
    )
}

/// (ticket, last change): the latest change at `as_of` or before of each ticket
/// [`recent_tickets`] reads for `since`.
pub fn ticket_last_changes(
    conn: &Connection,
    as_of: Ts,
    since: Ts,
    tickets: Option<&[i64]>,
) -> Result<Vec<(i64, Ts)>> {
    let in_window = ticket_changes_in_window(tickets);
    let mut s = conn.prepare(&format!(
        "SELECT c.ticket_id, max(c.created_at) {in_window} GROUP BY c.ticket_id"
    ))?;
    let rows = s.query_map(params![as_of, since], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// One change of a ticket's field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketChangeRow {
    pub ticket_id: i64,
    pub created_at: Ts,
    pub field: String,
    pub from_string: Option<String>,
    pub to_string: Option<String>,
}

/// The `Flagged`, `Link` and `labels` changes (any case) at `as_of` or before of the tickets
/// [`recent_tickets`] reads for `since`, by ticket in order.
pub fn ticket_flag_changes(
    conn: &Connection,
    as_of: Ts,
    since: Ts,
    tickets: Option<&[i64]>,
) -> Result<Vec<TicketChangeRow>> {
    let in_window = ticket_changes_in_window(tickets);
    let mut s = conn.prepare(&format!(
        "SELECT c.ticket_id, c.created_at, c.field, c.from_string, c.to_string {in_window}
           AND lower(c.field) IN ('flagged', 'link', 'labels')
         ORDER BY c.ticket_id, c.created_at, c.id"
    ))?;
    let rows = s.query_map(params![as_of, since], |r| {
        Ok(TicketChangeRow {
            ticket_id: r.get(0)?,
            created_at: r.get(1)?,
            field: r.get(2)?,
            from_string: r.get(3)?,
            to_string: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// How a deployment's last status ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentOutcomeRow {
    pub deployment_id: i64,
    pub state: String,
    pub at: Ts,
    pub log_url: Option<String>,
}

/// The last status at `as_of` or before of each deployment (of `repos`, or all) created between
/// `since` and `as_of`.
pub fn deployment_outcomes(
    conn: &Connection,
    since: Ts,
    as_of: Ts,
    repos: Option<&[i64]>,
) -> Result<Vec<DeploymentOutcomeRow>> {
    let and_d_repo = only("d.repo_id", repos);
    let mut s = conn.prepare(&format!(
        "SELECT d.id, s.state, s.created_at, s.log_url FROM deployments d
           JOIN deployment_statuses s ON s.id = (SELECT id FROM deployment_statuses WHERE deployment_id = d.id AND created_at <= ?2
                                                 ORDER BY created_at DESC, id DESC LIMIT 1)
         WHERE d.created_at >= ?1 AND d.created_at <= ?2{and_d_repo}"
    ))?;
    let rows = s.query_map(params![since, as_of], |r| {
        Ok(DeploymentOutcomeRow {
            deployment_id: r.get(0)?,
            state: r.get(1)?,
            at: r.get(2)?,
            log_url: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// An incident with its service and the service's team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRow {
    pub id: i64,
    pub number: Option<i64>,
    pub status: String,
    pub html_url: Option<String>,
    pub service_name: Option<String>,
    /// The key of the team owning the service.
    pub team: Option<String>,
}

/// Incidents (of `ids`, or all) open, or resolved (else created) at `since` or later.
pub fn recent_incidents(
    conn: &Connection,
    since: Ts,
    ids: Option<&[i64]>,
) -> Result<Vec<IncidentRow>> {
    let and_id = only("i.id", ids);
    let mut s = conn.prepare(&format!(
        "SELECT i.id, i.number, i.status, i.html_url, sv.name, t.key FROM incidents i
           LEFT JOIN services sv ON sv.id = i.service_id LEFT JOIN teams t ON t.id = sv.team_id
         WHERE (i.status != 'resolved' OR coalesce(i.resolved_at, i.created_at) >= ?1){and_id}"
    ))?;
    let rows = s.query_map([since], |r| {
        Ok(IncidentRow {
            id: r.get(0)?,
            number: r.get(1)?,
            status: r.get(2)?,
            html_url: r.get(3)?,
            service_name: r.get(4)?,
            team: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// (incident, person): who is assigned to the incidents (of `ids`, or all), in order.
pub fn incident_assignees(conn: &Connection, ids: Option<&[i64]>) -> Result<Vec<(i64, i64)>> {
    let and_incident = only("ia.incident_id", ids);
    let mut s = conn.prepare(&format!(
        "SELECT ia.incident_id, a.person_id FROM incident_assignments ia JOIN accounts a ON a.id = ia.account_id
         WHERE a.person_id IS NOT NULL{and_incident} ORDER BY 1, 2"
    ))?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The keys of the teams owning the services of the incidents `ids` (`None` for a service without
/// a team), each once.
pub fn incident_teams(conn: &Connection, ids: &[i64]) -> Result<Vec<Option<String>>> {
    let list = crate::to_json(ids)?;
    let mut s = conn.prepare(
        "SELECT DISTINCT t.key FROM incidents i JOIN services sv ON sv.id = i.service_id LEFT JOIN teams t ON t.id = sv.team_id
         WHERE i.id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = s.query_map([list], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A chat message with its channel's name and its author's person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRow {
    pub id: i64,
    pub channel: String,
    pub ts: String,
    pub author_person_id: Option<i64>,
    pub text: String,
    pub posted_at: Ts,
    /// Its permalink, when the workspace's address is known.
    pub url: Option<String>,
}

/// The chat messages posted after `from` and up to `to`, in order.
pub fn chat_window(conn: &Connection, from: Ts, to: Ts) -> Result<Vec<ChatRow>> {
    let mut s = conn.prepare(
        "SELECT m.id, c.name, m.ts, a.person_id, m.text, m.posted_at, c.external_id FROM chat_messages m
           JOIN chat_channels c ON c.id = m.channel_id LEFT JOIN accounts a ON a.id = m.author_account_id
         WHERE m.posted_at > ?1 AND m.posted_at <= ?2 AND m.deleted_at IS NULL ORDER BY m.posted_at, m.id",
    )?;
    let workspace = crate::meta::get(conn, crate::chat::WORKSPACE_URL)?;
    let rows = s.query_map(params![from, to], |r| {
        let ts: String = r.get(2)?;
        let channel_id: String = r.get(6)?;
        Ok(ChatRow {
            id: r.get(0)?,
            channel: r.get(1)?,
            url: workspace
                .as_deref()
                .map(|w| crate::chat::permalink(w, &channel_id, &ts)),
            ts,
            author_person_id: r.get(3)?,
            text: r.get(4)?,
            posted_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A person with their team's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub utc_offset_minutes: Option<i32>,
    pub team: Option<String>,
    pub is_bot: bool,
}

/// Every person.
pub fn people(conn: &Connection) -> Result<Vec<PersonRow>> {
    let mut s = conn.prepare(
        "SELECT p.id, p.name, p.utc_offset_minutes, t.key, p.is_bot FROM people p LEFT JOIN teams t ON t.id = p.team_id",
    )?;
    let rows = s.query_map([], |r| {
        Ok(PersonRow {
            id: r.get(0)?,
            name: r.get(1)?,
            utc_offset_minutes: r.get(2)?,
            team: r.get(3)?,
            is_bot: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// An account linked to a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedAccountRow {
    pub person_id: i64,
    pub provider: String,
    pub external_id: String,
    pub login: Option<String>,
}

/// The accounts linked to people: by person, the surest link first (an email match before a
/// name match), then the oldest — so a person with two logins is always named by the same one.
pub fn linked_accounts(conn: &Connection) -> Result<Vec<LinkedAccountRow>> {
    let mut s = conn.prepare(
        "SELECT person_id, provider, external_id, login FROM accounts WHERE person_id IS NOT NULL
         ORDER BY person_id, coalesce(match_confidence, 0) DESC, id",
    )?;
    let rows = s.query_map([], |r| {
        Ok(LinkedAccountRow {
            person_id: r.get(0)?,
            provider: r.get(1)?,
            external_id: r.get(2)?,
            login: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A team and its manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRow {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub manager_person_id: Option<i64>,
}

/// Every team, by id.
pub fn teams(conn: &Connection) -> Result<Vec<TeamRow>> {
    let mut s = conn.prepare("SELECT id, key, name, manager_person_id FROM teams ORDER BY id")?;
    let rows = s.query_map([], |r| {
        Ok(TeamRow {
            id: r.get(0)?,
            key: r.get(1)?,
            name: r.get(2)?,
            manager_person_id: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// (team, person): the teams' members other than their managers, in order.
pub fn team_members(conn: &Connection) -> Result<Vec<(i64, i64)>> {
    let mut s = conn.prepare(
        "SELECT team_id, person_id FROM team_members WHERE role != 'manager' ORDER BY team_id, person_id",
    )?;
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}
