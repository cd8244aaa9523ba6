//! What the metrics engine's dataset is read from: repositories, people, accounts and services
//! (the identity tables behind attribution), commits, pull requests with their commits, reviews,
//! review requests and readiness, deployments, incidents, sprints and tickets with their status
//! periods, sprint stays and blockers. The app turns these rows into the engine's types.
//!
//! The readers of code take the repositories to read (`None` = all), those of tickets the
//! tickets, those of incidents the services (`0` standing for incidents with no service): the
//! app re-reads only what a sync wrote.

use crate::Result;
use bosun_core::model::DeploymentKind;
use bosun_core::time::Ts;
use rusqlite::{Connection, Params, params_from_iter};

/// Rows restricted to some ids (a JSON array bound as `?1`), or every row.
struct Only(Option<String>);

impl Only {
    fn of(ids: Option<&[i64]>) -> Result<Only> {
        Ok(Only(ids.map(crate::to_json).transpose()?))
    }

    /// `WHERE <col> IN (the ids)`, or nothing (`kw` = "WHERE" or "AND").
    fn clause(&self, kw: &str, col: &str) -> String {
        match self.0 {
            Some(_) => format!("{kw} {col} IN (SELECT value FROM json_each(?1))"),
            None => String::new(),
        }
    }

    /// `WHERE <col> IN (the pull requests of the repositories)`, or nothing.
    fn pr_clause(&self, kw: &str, col: &str) -> String {
        match self.0 {
            Some(_) => format!(
                "{kw} {col} IN (SELECT id FROM pull_requests WHERE repo_id IN (SELECT value FROM json_each(?1)))"
            ),
            None => String::new(),
        }
    }

    fn params(&self) -> impl Params + '_ {
        params_from_iter(self.0.iter())
    }
}

/// Run `sql` with `only`'s parameter and collect its rows.
fn rows<T>(
    conn: &Connection,
    sql: &str,
    only: &Only,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut s = conn.prepare_cached(sql)?;
    let rows = s.query_map(only.params(), row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A JSON list of strings; empty when it does not parse.
fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// A repository with its team's key and its service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoRow {
    pub id: i64,
    pub full_name: String,
    pub team: Option<String>,
    pub service: Option<String>,
}

/// Every repository, by id.
pub fn repos(conn: &Connection) -> Result<Vec<RepoRow>> {
    rows(
        conn,
        "SELECT r.id, r.full_name, t.key, r.service FROM repos r LEFT JOIN teams t ON t.id = r.team_id ORDER BY r.id",
        &Only(None),
        |r| {
            Ok(RepoRow {
                id: r.get(0)?,
                full_name: r.get(1)?,
                team: r.get(2)?,
                service: r.get(3)?,
            })
        },
    )
}

/// A person with their team's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub team: Option<String>,
    pub is_bot: bool,
}

/// Every person, by id.
pub fn people(conn: &Connection) -> Result<Vec<PersonRow>> {
    rows(
        conn,
        "SELECT p.id, p.name, t.key, p.is_bot FROM people p LEFT JOIN teams t ON t.id = p.team_id ORDER BY p.id",
        &Only(None),
        |r| {
            Ok(PersonRow {
                id: r.get(0)?,
                name: r.get(1)?,
                team: r.get(2)?,
                is_bot: r.get(3)?,
            })
        },
    )
}

/// An account with the person behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub person_id: Option<i64>,
    pub is_bot: bool,
    pub login: Option<String>,
}

/// Every account, by id.
pub fn accounts(conn: &Connection) -> Result<Vec<AccountRow>> {
    rows(
        conn,
        "SELECT id, person_id, is_bot, login FROM accounts ORDER BY id",
        &Only(None),
        |r| {
            Ok(AccountRow {
                id: r.get(0)?,
                person_id: r.get(1)?,
                is_bot: r.get(2)?,
                login: r.get(3)?,
            })
        },
    )
}

/// (email in lower case, person): every person's email addresses, in order.
pub fn person_emails(conn: &Connection) -> Result<Vec<(String, i64)>> {
    rows(
        conn,
        "SELECT lower(email), person_id FROM person_emails ORDER BY 1, 2",
        &Only(None),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// (service, key): every service, by id.
pub fn services(conn: &Connection) -> Result<Vec<(i64, Option<String>)>> {
    rows(
        conn,
        "SELECT id, key FROM services ORDER BY id",
        &Only(None),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// (repository, commit, parent): the parents of the commits of `repos` (or all), in order.
pub fn commit_parents(
    conn: &Connection,
    repos: Option<&[i64]>,
) -> Result<Vec<(i64, String, String)>> {
    let only = Only::of(repos)?;
    let by_repo = only.clause("WHERE", "repo_id");
    rows(
        conn,
        &format!(
            "SELECT repo_id, sha, parent_sha FROM commit_parents {by_repo} ORDER BY repo_id, sha, position"
        ),
        &only,
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
}

/// A commit with its message's first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitRow {
    pub repo_id: i64,
    pub sha: String,
    pub authored_at: Ts,
    pub committed_at: Ts,
    pub author_account_id: Option<i64>,
    pub author_email: Option<String>,
    pub author_name: Option<String>,
    pub subject: String,
}

/// The commits of `repos` (or all), by repository then commit time.
pub fn commits(conn: &Connection, repos: Option<&[i64]>) -> Result<Vec<CommitRow>> {
    let only = Only::of(repos)?;
    let by_repo = only.clause("WHERE", "repo_id");
    rows(
        conn,
        &format!(
            "SELECT repo_id, sha, authored_at, committed_at, author_account_id, author_email, author_name,
                    substr(message, 1, coalesce(nullif(instr(message, char(10)), 0) - 1, length(message)))
             FROM commits {by_repo} ORDER BY repo_id, committed_at, sha"
        ),
        &only,
        |r| {
            Ok(CommitRow {
                repo_id: r.get(0)?,
                sha: r.get(1)?,
                authored_at: r.get(2)?,
                committed_at: r.get(3)?,
                author_account_id: r.get(4)?,
                author_email: r.get(5)?,
                author_name: r.get(6)?,
                subject: r.get(7)?,
            })
        },
    )
}

/// (pull request, commit): the commits of the pull requests of `repos` (or all), in order.
pub fn pr_commits(conn: &Connection, repos: Option<&[i64]>) -> Result<Vec<(i64, String)>> {
    let only = Only::of(repos)?;
    let by_pr = only.pr_clause("WHERE", "pr_id");
    rows(
        conn,
        &format!("SELECT pr_id, sha FROM pr_commits {by_pr} ORDER BY pr_id, position"),
        &only,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// A submitted review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    pub pr_id: i64,
    pub reviewer_account_id: Option<i64>,
    pub state: String,
    pub submitted_at: Ts,
}

/// The submitted reviews of the pull requests of `repos` (or all), by pull request in order.
pub fn reviews(conn: &Connection, repos: Option<&[i64]>) -> Result<Vec<ReviewRow>> {
    let only = Only::of(repos)?;
    let and_pr = only.pr_clause("AND", "pr_id");
    rows(
        conn,
        &format!(
            "SELECT pr_id, reviewer_account_id, state, submitted_at FROM reviews WHERE submitted_at IS NOT NULL {and_pr} ORDER BY pr_id, submitted_at, id"
        ),
        &only,
        |r| {
            Ok(ReviewRow {
                pr_id: r.get(0)?,
                reviewer_account_id: r.get(1)?,
                state: r.get(2)?,
                submitted_at: r.get(3)?,
            })
        },
    )
}

/// (pull request, person): the pending review requests of the pull requests of `repos` (or all)
/// to accounts linked to a person.
pub fn requested_reviewers(conn: &Connection, repos: Option<&[i64]>) -> Result<Vec<(i64, i64)>> {
    let only = Only::of(repos)?;
    let and_rr = only.pr_clause("AND", "rr.pr_id");
    rows(
        conn,
        &format!(
            "SELECT rr.pr_id, a.person_id FROM review_requests rr JOIN accounts a ON a.id = rr.account_id WHERE a.person_id IS NOT NULL {and_rr}"
        ),
        &only,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// (pull request, when): the last time each pull request of `repos` (or all) was marked ready
/// for review.
pub fn ready_for_review(conn: &Connection, repos: Option<&[i64]>) -> Result<Vec<(i64, Ts)>> {
    let only = Only::of(repos)?;
    let and_pr = only.pr_clause("AND", "pr_id");
    rows(
        conn,
        &format!(
            "SELECT pr_id, max(created_at) FROM pr_events WHERE event = 'ready_for_review' {and_pr} GROUP BY pr_id"
        ),
        &only,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// A pull request as the metrics read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestRow {
    pub id: i64,
    pub repo_id: i64,
    pub number: i64,
    pub title: String,
    /// Empty when there is none.
    pub body: String,
    pub author_account_id: Option<i64>,
    pub created_at: Ts,
    pub draft: bool,
    pub merged_at: Option<Ts>,
    pub closed_at: Option<Ts>,
    pub merge_commit_sha: Option<String>,
    pub head_sha: Option<String>,
    /// 0 when unknown.
    pub additions: i64,
    /// 0 when unknown.
    pub deletions: i64,
    pub labels: Vec<String>,
}

/// The pull requests of `repos` (or all), by repository then number.
pub fn pull_requests(conn: &Connection, repos: Option<&[i64]>) -> Result<Vec<PullRequestRow>> {
    let only = Only::of(repos)?;
    let by_repo = only.clause("WHERE", "repo_id");
    rows(
        conn,
        &format!(
            "SELECT id, repo_id, number, title, coalesce(body, ''), author_account_id, created_at, draft, merged_at, closed_at,
                    merge_commit_sha, head_sha, coalesce(additions, 0), coalesce(deletions, 0), labels
             FROM pull_requests {by_repo} ORDER BY repo_id, number"
        ),
        &only,
        |r| {
            Ok(PullRequestRow {
                id: r.get(0)?,
                repo_id: r.get(1)?,
                number: r.get(2)?,
                title: r.get(3)?,
                body: r.get(4)?,
                author_account_id: r.get(5)?,
                created_at: r.get(6)?,
                draft: r.get(7)?,
                merged_at: r.get(8)?,
                closed_at: r.get(9)?,
                merge_commit_sha: r.get(10)?,
                head_sha: r.get(11)?,
                additions: r.get(12)?,
                deletions: r.get(13)?,
                labels: json_list(&r.get::<_, String>(14)?),
            })
        },
    )
}

/// A deployment with what its statuses say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentRow {
    pub id: i64,
    pub external_id: String,
    pub repo_id: i64,
    pub environment: String,
    pub production: bool,
    pub sha: String,
    pub created_at: Ts,
    /// The first `success` status.
    pub first_success_at: Option<Ts>,
    /// What it was read from.
    pub kind: DeploymentKind,
    /// Empty when there is none.
    pub description: String,
    /// Empty when there is none.
    pub payload: String,
    /// A workflow run's latest status, `"<state> <time>"` (its latest attempt's conclusion).
    pub latest_run_status: Option<String>,
}

/// The deployments of `repos` (or all), by repository then id.
pub fn deployments(conn: &Connection, repos: Option<&[i64]>) -> Result<Vec<DeploymentRow>> {
    let only = Only::of(repos)?;
    let by_dep_repo = only.clause("WHERE", "d.repo_id");
    rows(
        conn,
        &format!(
            "SELECT d.id, d.external_id, d.repo_id, d.environment, d.production, d.sha, d.created_at,
                    (SELECT min(created_at) FROM deployment_statuses s WHERE s.deployment_id = d.id AND s.state = 'success'),
                    d.kind, coalesce(d.description, ''), coalesce(d.payload, ''),
                    CASE WHEN d.kind = 'workflow_run' THEN
                        (SELECT s.state || ' ' || s.created_at FROM deployment_statuses s WHERE s.deployment_id = d.id
                         ORDER BY s.created_at DESC, s.id DESC LIMIT 1) END
             FROM deployments d {by_dep_repo} ORDER BY d.repo_id, d.id"
        ),
        &only,
        |r| {
            Ok(DeploymentRow {
                id: r.get(0)?,
                external_id: r.get(1)?,
                repo_id: r.get(2)?,
                environment: r.get(3)?,
                production: r.get(4)?,
                sha: r.get(5)?,
                created_at: r.get(6)?,
                first_success_at: r.get(7)?,
                kind: crate::code_at(r, 8, DeploymentKind::parse, "deployment kind")?,
                description: r.get(9)?,
                payload: r.get(10)?,
                latest_run_status: r.get(11)?,
            })
        },
    )
}

/// The `WHERE` clause on incidents `i` of some services (written so that the index on the
/// service is used), and the `AND` clause on log entries `l` of those incidents.
fn of_services(only: &Only) -> (String, String) {
    let of = "i.service_id IN (SELECT value FROM json_each(?1))
              OR (i.service_id IS NULL AND 0 IN (SELECT value FROM json_each(?1)))";
    match only.0 {
        Some(_) => (
            format!("WHERE {of}"),
            format!("AND l.incident_id IN (SELECT i.id FROM incidents i WHERE {of})"),
        ),
        None => (String::new(), String::new()),
    }
}

/// (incident, note): the annotations of the incidents of `services` (or all; `0` = no service),
/// in order.
pub fn incident_notes(conn: &Connection, services: Option<&[i64]>) -> Result<Vec<(i64, String)>> {
    let only = Only::of(services)?;
    let (_, and_of_services) = of_services(&only);
    rows(
        conn,
        &format!(
            "SELECT l.incident_id, l.summary FROM incident_log_entries l
             WHERE l.kind = 'annotate' AND l.summary IS NOT NULL {and_of_services}
             ORDER BY l.created_at, l.id"
        ),
        &only,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// An incident with its service's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRow {
    pub id: i64,
    pub external_id: String,
    pub service: Option<String>,
    pub created_at: Ts,
    pub resolved_at: Option<Ts>,
    pub deployment_id: Option<i64>,
    pub urgency: Option<String>,
    pub title: String,
}

/// The incidents of `services` (or all; `0` = no service), by creation.
pub fn incidents(conn: &Connection, services: Option<&[i64]>) -> Result<Vec<IncidentRow>> {
    let only = Only::of(services)?;
    let (of_services, _) = of_services(&only);
    rows(
        conn,
        &format!(
            "SELECT i.id, i.external_id, sv.key, i.created_at, i.resolved_at, i.deployment_id, i.urgency, i.title
             FROM incidents i LEFT JOIN services sv ON sv.id = i.service_id {of_services} ORDER BY i.created_at, i.id"
        ),
        &only,
        |r| {
            Ok(IncidentRow {
                id: r.get(0)?,
                external_id: r.get(1)?,
                service: r.get(2)?,
                created_at: r.get(3)?,
                resolved_at: r.get(4)?,
                deployment_id: r.get(5)?,
                urgency: r.get(6)?,
                title: r.get(7)?,
            })
        },
    )
}

/// A sprint with its team's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SprintRow {
    pub id: i64,
    pub name: String,
    pub team: Option<String>,
    pub state: String,
    pub start_at: Option<Ts>,
    pub end_at: Option<Ts>,
    pub complete_at: Option<Ts>,
}

/// Every sprint, by start.
pub fn sprints(conn: &Connection) -> Result<Vec<SprintRow>> {
    rows(
        conn,
        "SELECT s.id, s.name, t.key, s.state, s.start_at, s.end_at, s.complete_at FROM sprints s LEFT JOIN teams t ON t.id = s.team_id ORDER BY s.start_at, s.id",
        &Only(None),
        |r| {
            Ok(SprintRow {
                id: r.get(0)?,
                name: r.get(1)?,
                team: r.get(2)?,
                state: r.get(3)?,
                start_at: r.get(4)?,
                end_at: r.get(5)?,
                complete_at: r.get(6)?,
            })
        },
    )
}

/// A time a ticket spent in one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPeriodRow {
    pub ticket_id: i64,
    pub status: String,
    pub status_category: String,
    pub entered_at: Ts,
    pub left_at: Option<Ts>,
}

/// The status periods of `tickets` (or all), by ticket in order.
pub fn status_periods(conn: &Connection, tickets: Option<&[i64]>) -> Result<Vec<StatusPeriodRow>> {
    let only = Only::of(tickets)?;
    let by_ticket = only.clause("WHERE", "ticket_id");
    rows(
        conn,
        &format!(
            "SELECT ticket_id, status, status_category, entered_at, left_at FROM ticket_status_periods {by_ticket} ORDER BY ticket_id, position"
        ),
        &only,
        |r| {
            Ok(StatusPeriodRow {
                ticket_id: r.get(0)?,
                status: r.get(1)?,
                status_category: r.get(2)?,
                entered_at: r.get(3)?,
                left_at: r.get(4)?,
            })
        },
    )
}

/// A ticket's stay in a sprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SprintStayRow {
    pub ticket_id: i64,
    pub sprint_id: i64,
    pub added_at: Option<Ts>,
    pub removed_at: Option<Ts>,
}

/// The sprint stays of `tickets` (or all), by ticket in order.
pub fn sprint_stays(conn: &Connection, tickets: Option<&[i64]>) -> Result<Vec<SprintStayRow>> {
    let only = Only::of(tickets)?;
    let by_ticket = only.clause("WHERE", "ticket_id");
    rows(
        conn,
        &format!(
            "SELECT ticket_id, sprint_id, added_at, removed_at FROM sprint_membership {by_ticket} ORDER BY ticket_id, coalesce(added_at, 0), position"
        ),
        &only,
        |r| {
            Ok(SprintStayRow {
                ticket_id: r.get(0)?,
                sprint_id: r.get(1)?,
                added_at: r.get(2)?,
                removed_at: r.get(3)?,
            })
        },
    )
}

/// (ticket, blocking key): the "is blocked by" links of `tickets` (or all), in order.
pub fn blocked_by(conn: &Connection, tickets: Option<&[i64]>) -> Result<Vec<(i64, String)>> {
    let only = Only::of(tickets)?;
    let and_ticket = only.clause("AND", "ticket_id");
    rows(
        conn,
        &format!(
            "SELECT ticket_id, other_key FROM ticket_links WHERE direction = 'inward' AND lower(link_type) = 'blocks' {and_ticket} ORDER BY ticket_id, other_key"
        ),
        &only,
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// A ticket as the metrics read it.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketRow {
    pub id: i64,
    pub key: String,
    pub summary: String,
    /// `other` when unknown.
    pub work_type: String,
    /// Empty when unknown.
    pub status: String,
    /// `todo` when unknown.
    pub status_category: String,
    pub created_at: Ts,
    pub resolved_at: Option<Ts>,
    pub story_points: Option<f64>,
    pub assignee_account_id: Option<i64>,
    pub flagged: bool,
}

/// Issue types that hold other tickets rather than being work themselves (an epic's stories are
/// the work): left out of the metrics dataset, so flow, sprint health, investment and signals
/// count the stories once and an epic open for months is not "aging work". `bosun forecast`
/// reads epics through their children.
pub const CONTAINER_ISSUE_TYPES: &[&str] = &["epic", "initiative"];

/// The tickets `tickets` (or all) that are work (not a [`CONTAINER_ISSUE_TYPES`]), by id.
pub fn tickets(conn: &Connection, tickets: Option<&[i64]>) -> Result<Vec<TicketRow>> {
    let only = Only::of(tickets)?;
    let containers = CONTAINER_ISSUE_TYPES
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let by_id = format!(
        "WHERE lower(coalesce(t.issue_type, '')) NOT IN ({containers}) {}",
        only.clause("AND", "t.id")
    );
    rows(
        conn,
        &format!(
            "SELECT t.id, t.key, t.summary, coalesce(t.work_type, 'other'), coalesce(t.status, ''), coalesce(t.status_category, 'todo'),
                    t.created_at, t.resolved_at, t.story_points, t.assignee_account_id, t.flagged
             FROM tickets t {by_id} ORDER BY t.id"
        ),
        &only,
        |r| {
            Ok(TicketRow {
                id: r.get(0)?,
                key: r.get(1)?,
                summary: r.get(2)?,
                work_type: r.get(3)?,
                status: r.get(4)?,
                status_category: r.get(5)?,
                created_at: r.get(6)?,
                resolved_at: r.get(7)?,
                story_points: r.get(8)?,
                assignee_account_id: r.get(9)?,
                flagged: r.get(10)?,
            })
        },
    )
}
