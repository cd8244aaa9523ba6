//! The metrics engine's dataset, read from the store — all at once ([`load`]), or kept in memory
//! and refreshed after a sync by re-reading only what the sync wrote ([`MetricsCache`]).

use crate::{App, AppError, Result};
use bosun_core::model::{StatusCategory, WorkType};
use bosun_core::time::Ts;
use bosun_metrics::data::*;
use bosun_metrics::dora::{Analysis, DoraOptions, analyse, analyse_beside, named_repos};
use bosun_store::metric_changes;
use bosun_store::rusqlite::{Connection, params, params_from_iter};
use std::collections::{HashMap, HashSet};

fn work_type(s: &str) -> WorkType {
    match s {
        "feature" => WorkType::Feature,
        "defect" => WorkType::Defect,
        "risk" => WorkType::Risk,
        "debt" => WorkType::Debt,
        _ => WorkType::Other,
    }
}

fn category(s: &str) -> StatusCategory {
    StatusCategory::parse(s).unwrap_or(StatusCategory::Todo)
}

/// Rows restricted to some ids (a JSON array bound as `?1`), or every row.
struct Only(Option<String>);

impl Only {
    fn all() -> Only {
        Only(None)
    }

    fn ids(ids: &[i64]) -> Only {
        Only(Some(
            serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()),
        ))
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

    fn params(&self) -> impl bosun_store::rusqlite::Params + '_ {
        params_from_iter(self.0.iter())
    }
}

/// The small tables behind attribution and scoping: re-read and compared whole when the identity
/// version moved (any difference means a full reload), and turned into lookups for the rest.
#[derive(Debug, Clone, PartialEq)]
struct Identity {
    repos: Vec<Repo>,
    people: Vec<Person>,
    /// (account id, person, bot)
    accounts: Vec<(i64, Option<i64>, bool)>,
    /// (email, person)
    emails: Vec<(String, i64)>,
    /// (service id, key)
    services: Vec<(i64, Option<String>)>,
}

struct Lookups {
    accounts: HashMap<i64, (Option<i64>, bool)>,
    by_email: HashMap<String, i64>,
    bots: HashSet<i64>,
}

impl Identity {
    fn load(conn: &Connection) -> Result<Identity> {
        let mut s = conn.prepare_cached("SELECT r.id, r.full_name, t.key, r.service FROM repos r LEFT JOIN teams t ON t.id = r.team_id ORDER BY r.id")?;
        let repos = s
            .query_map([], |r| {
                Ok(Repo {
                    id: r.get(0)?,
                    full_name: r.get(1)?,
                    team: r.get(2)?,
                    service: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut s = conn.prepare_cached("SELECT p.id, p.name, t.key, p.is_bot FROM people p LEFT JOIN teams t ON t.id = p.team_id ORDER BY p.id")?;
        let people = s
            .query_map([], |r| {
                Ok(Person {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    team: r.get(2)?,
                    is_bot: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut s =
            conn.prepare_cached("SELECT id, person_id, is_bot, login FROM accounts ORDER BY id")?;
        let accounts = s
            .query_map([], |r| {
                let login: Option<String> = r.get(3)?;
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get::<_, bool>(2)? || login.is_some_and(|l| l.ends_with("[bot]")),
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut s =
            conn.prepare_cached("SELECT lower(email), person_id FROM person_emails ORDER BY 1, 2")?;
        let emails = s
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut s = conn.prepare_cached("SELECT id, key FROM services ORDER BY id")?;
        let services = s
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Identity {
            repos,
            people,
            accounts,
            emails,
            services,
        })
    }

    fn lookups(&self) -> Lookups {
        Lookups {
            accounts: self
                .accounts
                .iter()
                .map(|&(id, person, bot)| (id, (person, bot)))
                .collect(),
            by_email: self.emails.iter().cloned().collect(),
            bots: self
                .people
                .iter()
                .filter(|p| p.is_bot)
                .map(|p| p.id)
                .collect(),
        }
    }
}

impl Lookups {
    /// (person, bot) behind an account.
    fn who(&self, account: Option<i64>) -> (Option<i64>, bool) {
        account
            .and_then(|a| self.accounts.get(&a).copied())
            .unwrap_or((None, false))
    }
}

/// Commits, pull requests and deployments of some repositories (or all).
struct Code {
    commits: Vec<Commit>,
    pull_requests: Vec<PullRequest>,
    deployments: Vec<Deployment>,
}

fn load_code(conn: &Connection, l: &Lookups, only: &Only) -> Result<Code> {
    let q = |sql: String| conn.prepare(&sql).map_err(AppError::from);
    let by_repo = only.clause("WHERE", "repo_id");
    let by_pr = only.pr_clause("WHERE", "pr_id");
    let and_pr = only.pr_clause("AND", "pr_id");

    let mut parents: HashMap<(i64, String), Vec<String>> = HashMap::new();
    let mut s = q(format!(
        "SELECT repo_id, sha, parent_sha FROM commit_parents {by_repo} ORDER BY repo_id, sha, position"
    ))?;
    for row in s.query_map(only.params(), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (repo, sha, parent) = row?;
        parents.entry((repo, sha)).or_default().push(parent);
    }
    let mut commits = Vec::new();
    let mut s = q(format!(
        "SELECT repo_id, sha, authored_at, committed_at, author_account_id, author_email, author_name,
                substr(message, 1, coalesce(nullif(instr(message, char(10)), 0) - 1, length(message)))
         FROM commits {by_repo} ORDER BY repo_id, committed_at, sha"
    ))?;
    let rows = s.query_map(only.params(), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Ts>(2)?,
            r.get::<_, Ts>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, String>(7)?,
        ))
    })?;
    for row in rows {
        let (repo, sha, authored, committed, account, email, name, subject) = row?;
        let (mut person, mut bot) = l.who(account);
        if person.is_none() {
            person = email
                .as_deref()
                .and_then(|e| l.by_email.get(&e.to_lowercase()).copied());
        }
        bot |= person.is_some_and(|p| l.bots.contains(&p))
            || name.as_deref().is_some_and(|n| n.ends_with("[bot]"));
        let parents = parents.remove(&(repo, sha.clone())).unwrap_or_default();
        commits.push(Commit {
            repo,
            sha,
            authored_at: authored,
            committed_at: committed,
            parents,
            author: person,
            author_is_bot: bot,
            subject,
        });
    }

    let mut pr_commits: HashMap<i64, Vec<String>> = HashMap::new();
    let mut s = q(format!(
        "SELECT pr_id, sha FROM pr_commits {by_pr} ORDER BY pr_id, position"
    ))?;
    for row in s.query_map(only.params(), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })? {
        let (pr, sha) = row?;
        pr_commits.entry(pr).or_default().push(sha);
    }
    let mut reviews: HashMap<i64, Vec<Review>> = HashMap::new();
    let mut s = q(format!(
        "SELECT pr_id, reviewer_account_id, state, submitted_at FROM reviews WHERE submitted_at IS NOT NULL {and_pr} ORDER BY pr_id, submitted_at, id"
    ))?;
    for row in s.query_map(only.params(), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<i64>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Ts>(3)?,
        ))
    })? {
        let (pr, account, state, at) = row?;
        let (reviewer, bot) = l.who(account);
        reviews.entry(pr).or_default().push(Review {
            reviewer,
            reviewer_is_bot: bot,
            state,
            at,
        });
    }
    let mut requested: HashMap<i64, Vec<i64>> = HashMap::new();
    let and_rr = only.pr_clause("AND", "rr.pr_id");
    let mut s = q(format!(
        "SELECT rr.pr_id, a.person_id FROM review_requests rr JOIN accounts a ON a.id = rr.account_id WHERE a.person_id IS NOT NULL {and_rr}"
    ))?;
    for row in s.query_map(only.params(), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (pr, person) = row?;
        requested.entry(pr).or_default().push(person);
    }
    let mut ready: HashMap<i64, Ts> = HashMap::new();
    let mut s = q(format!(
        "SELECT pr_id, max(created_at) FROM pr_events WHERE event = 'ready_for_review' {and_pr} GROUP BY pr_id"
    ))?;
    for row in s.query_map(only.params(), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Ts>(1)?))
    })? {
        let (pr, at) = row?;
        ready.insert(pr, at);
    }
    let mut pull_requests = Vec::new();
    let mut s = q(format!(
        "SELECT id, repo_id, number, title, coalesce(body, ''), author_account_id, created_at, draft, merged_at, closed_at,
                merge_commit_sha, head_sha, coalesce(additions, 0), coalesce(deletions, 0), labels
         FROM pull_requests {by_repo} ORDER BY repo_id, number"
    ))?;
    let rows = s.query_map(only.params(), |r| {
        Ok((
            (
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ),
            (
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, Ts>(6)?,
                r.get::<_, bool>(7)?,
                r.get::<_, Option<Ts>>(8)?,
                r.get::<_, Option<Ts>>(9)?,
            ),
            (
                r.get::<_, Option<String>>(10)?,
                r.get::<_, Option<String>>(11)?,
                r.get::<_, i64>(12)?,
                r.get::<_, i64>(13)?,
                r.get::<_, String>(14)?,
            ),
        ))
    })?;
    for row in rows {
        let (
            (id, repo, number, title, body),
            (account, created, draft, merged, closed),
            (merge_sha, head, adds, dels, labels),
        ) = row?;
        let (author, bot) = l.who(account);
        pull_requests.push(PullRequest {
            id,
            repo,
            number,
            title,
            body,
            author,
            author_is_bot: bot || author.is_some_and(|p| l.bots.contains(&p)),
            created_at: created,
            ready_at: ready.get(&id).copied(),
            draft,
            merged_at: merged,
            closed_at: closed,
            merge_commit_sha: merge_sha,
            head_sha: head,
            additions: adds,
            deletions: dels,
            labels: serde_json::from_str(&labels).unwrap_or_default(),
            commits: pr_commits.remove(&id).unwrap_or_default(),
            reviews: reviews.remove(&id).unwrap_or_default(),
            requested: requested.remove(&id).unwrap_or_default(),
        });
    }

    let by_dep_repo = only.clause("WHERE", "d.repo_id");
    // A workflow run's latest status is its latest attempt's conclusion (its outcome).
    let mut s = q(format!(
        "SELECT d.id, d.external_id, d.repo_id, d.environment, d.production, d.sha, d.created_at,
                (SELECT min(created_at) FROM deployment_statuses s WHERE s.deployment_id = d.id AND s.state = 'success'),
                d.kind, coalesce(d.description, ''), coalesce(d.payload, ''),
                CASE WHEN d.kind = 'workflow_run' THEN
                    (SELECT s.state || ' ' || s.created_at FROM deployment_statuses s WHERE s.deployment_id = d.id
                     ORDER BY s.created_at DESC, s.id DESC LIMIT 1) END
         FROM deployments d {by_dep_repo} ORDER BY d.repo_id, d.id"
    ))?;
    let mut deployments: Vec<Deployment> = s
        .query_map(only.params(), |r| {
            let kind: String = r.get(8)?;
            let created: Ts = r.get(6)?;
            let success: Option<Ts> = r.get(7)?;
            let latest: Option<String> = r.get(11)?;
            let (succeeded_at, failed_at) = match kind.as_str() {
                "github_deployment" => (success, None),
                "workflow_run" => workflow_run_outcome(latest.as_deref()),
                // Tags and releases have no statuses: they are deployments when made.
                _ => (Some(created), None),
            };
            Ok(Deployment {
                id: r.get(0)?,
                external_id: r.get(1)?,
                repo: r.get(2)?,
                environment: r.get(3)?,
                production: r.get(4)?,
                sha: r.get(5)?,
                created_at: created,
                succeeded_at,
                failed_at,
                kind,
                description: r.get(9)?,
                payload: r.get(10)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    uncount_covered(&mut deployments);
    Ok(Code {
        commits,
        pull_requests,
        deployments,
    })
}

/// (succeeded at, failed at) of a workflow run from its latest status, `"<state> <time>"`.
fn workflow_run_outcome(latest: Option<&str>) -> (Option<Ts>, Option<Ts>) {
    let Some((state, at)) = latest.and_then(|l| l.rsplit_once(' ')) else {
        return (None, None);
    };
    let at: Option<Ts> = at.parse().ok();
    match bosun_core::model::RunOutcome::of_state(state) {
        bosun_core::model::RunOutcome::Deployed => (at, None),
        bosun_core::model::RunOutcome::Failed => (None, at),
        _ => (None, None),
    }
}

/// Seconds of slack around a workflow run when finding the GitHub deployments its jobs made.
const RUN_SLACK: Ts = 60;

/// A deploy workflow whose job targets an environment also leaves a GitHub deployment: the run is
/// the deployment, so a GitHub deployment of the same repository and commit created while a
/// counted production run (one that deployed or failed as a deployment) ran — from its creation to its end,
/// a minute either side — is not counted again (`production` off in the dataset).
fn uncount_covered(deployments: &mut [Deployment]) {
    let mut runs: HashMap<(i64, String), Vec<(Ts, Ts)>> = HashMap::new();
    for d in deployments
        .iter()
        .filter(|d| d.kind == "workflow_run" && d.production)
    {
        if let Some(end) = d.succeeded_at.or(d.failed_at) {
            runs.entry((d.repo, d.sha.clone()))
                .or_default()
                .push((d.created_at - RUN_SLACK, end + RUN_SLACK));
        }
    }
    if runs.is_empty() {
        return;
    }
    for d in deployments
        .iter_mut()
        .filter(|d| d.kind == "github_deployment" && d.production)
    {
        if runs
            .get(&(d.repo, d.sha.clone()))
            .is_some_and(|spans| spans.iter().any(|(a, b)| (*a..=*b).contains(&d.created_at)))
        {
            d.production = false;
        }
    }
}

/// Every incident, or those of some services (`0`: incidents with no service).
fn load_incidents(conn: &Connection, services: Option<&[i64]>) -> Result<Vec<Incident>> {
    let only = services.map_or_else(Only::all, Only::ids);
    // (Written so that the index on the service is used.)
    let of = "i.service_id IN (SELECT value FROM json_each(?1))
              OR (i.service_id IS NULL AND 0 IN (SELECT value FROM json_each(?1)))";
    let (of_services, and_of_services) = match only.0 {
        Some(_) => (
            format!("WHERE {of}"),
            format!("AND l.incident_id IN (SELECT i.id FROM incidents i WHERE {of})"),
        ),
        None => (String::new(), String::new()),
    };
    let mut notes: HashMap<i64, Vec<String>> = HashMap::new();
    let mut s = conn.prepare_cached(&format!(
        "SELECT l.incident_id, l.summary FROM incident_log_entries l
         WHERE l.kind = 'annotate' AND l.summary IS NOT NULL {and_of_services}
         ORDER BY l.created_at, l.id"
    ))?;
    for row in s.query_map(only.params(), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })? {
        let (inc, note) = row?;
        notes.entry(inc).or_default().push(note);
    }
    let mut s = conn.prepare_cached(&format!(
        "SELECT i.id, i.external_id, sv.key, i.created_at, i.resolved_at, i.deployment_id, i.urgency, i.title
         FROM incidents i LEFT JOIN services sv ON sv.id = i.service_id {of_services} ORDER BY i.created_at, i.id"
    ))?;
    let mut incidents = s
        .query_map(only.params(), |r| {
            Ok(Incident {
                id: r.get(0)?,
                external_id: r.get(1)?,
                service: r.get(2)?,
                created_at: r.get(3)?,
                resolved_at: r.get(4)?,
                deployment: r.get(5)?,
                notes: Vec::new(),
                urgency: r.get(6)?,
                title: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for i in &mut incidents {
        i.notes = notes.remove(&i.id).unwrap_or_default();
    }
    Ok(incidents)
}

fn load_sprints(conn: &Connection) -> Result<Vec<Sprint>> {
    let mut s = conn.prepare_cached(
        "SELECT s.id, s.name, t.key, s.state, s.start_at, s.end_at, s.complete_at FROM sprints s LEFT JOIN teams t ON t.id = s.team_id ORDER BY s.start_at, s.id",
    )?;
    let sprints = s
        .query_map([], |r| {
            Ok(Sprint {
                id: r.get(0)?,
                name: r.get(1)?,
                team: r.get(2)?,
                state: r.get(3)?,
                start_at: r.get(4)?,
                end_at: r.get(5)?,
                complete_at: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(sprints)
}

fn load_tickets(
    conn: &Connection,
    l: &Lookups,
    people: &[Person],
    sprints: &[Sprint],
    only: &Only,
) -> Result<Vec<Ticket>> {
    let q = |sql: String| conn.prepare(&sql).map_err(AppError::from);
    let by_ticket = only.clause("WHERE", "ticket_id");
    let and_ticket = only.clause("AND", "ticket_id");
    let sprint_team: HashMap<i64, Option<String>> =
        sprints.iter().map(|s| (s.id, s.team.clone())).collect();
    let mut periods: HashMap<i64, Vec<StatusPeriod>> = HashMap::new();
    let mut s = q(format!(
        "SELECT ticket_id, status, status_category, entered_at, left_at FROM ticket_status_periods {by_ticket} ORDER BY ticket_id, position"
    ))?;
    for row in s.query_map(only.params(), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Ts>(3)?,
            r.get::<_, Option<Ts>>(4)?,
        ))
    })? {
        let (t, status, cat, entered, left) = row?;
        periods.entry(t).or_default().push(StatusPeriod {
            category: category(&cat),
            status,
            entered_at: entered,
            left_at: left,
        });
    }
    let mut stays: HashMap<i64, Vec<SprintStay>> = HashMap::new();
    let mut s = q(format!(
        "SELECT ticket_id, sprint_id, added_at, removed_at FROM sprint_membership {by_ticket} ORDER BY ticket_id, coalesce(added_at, 0), position"
    ))?;
    for row in s.query_map(only.params(), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Option<Ts>>(2)?,
            r.get::<_, Option<Ts>>(3)?,
        ))
    })? {
        let (t, sprint, added, removed) = row?;
        stays.entry(t).or_default().push(SprintStay {
            sprint,
            added_at: added,
            removed_at: removed,
        });
    }
    let mut blocked: HashMap<i64, Vec<String>> = HashMap::new();
    let mut s = q(format!(
        "SELECT ticket_id, other_key FROM ticket_links WHERE direction = 'inward' AND lower(link_type) = 'blocks' {and_ticket} ORDER BY ticket_id, other_key"
    ))?;
    for row in s.query_map(only.params(), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })? {
        let (t, other) = row?;
        blocked.entry(t).or_default().push(other);
    }
    let person_team: HashMap<i64, Option<String>> =
        people.iter().map(|p| (p.id, p.team.clone())).collect();
    let by_id = only.clause("WHERE", "t.id");
    let mut s = q(format!(
        "SELECT t.id, t.key, t.summary, coalesce(t.work_type, 'other'), coalesce(t.status, ''), coalesce(t.status_category, 'todo'),
                t.created_at, t.resolved_at, t.story_points, t.assignee_account_id, t.flagged
         FROM tickets t {by_id} ORDER BY t.id"
    ))?;
    let rows = s.query_map(only.params(), |r| {
        Ok((
            (
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ),
            (
                r.get::<_, String>(5)?,
                r.get::<_, Ts>(6)?,
                r.get::<_, Option<Ts>>(7)?,
                r.get::<_, Option<f64>>(8)?,
                r.get::<_, Option<i64>>(9)?,
                r.get::<_, bool>(10)?,
            ),
        ))
    })?;
    let mut tickets = Vec::new();
    for row in rows {
        let (
            (id, key, summary, wt, status),
            (cat, created, resolved, points, assignee_account, flagged),
        ) = row?;
        let assignee = l.who(assignee_account).0;
        let stays = stays.remove(&id).unwrap_or_default();
        // A ticket belongs to the team whose sprint it was in last, else its assignee's team.
        let team = stays
            .iter()
            .rev()
            .find_map(|s| sprint_team.get(&s.sprint).cloned().flatten())
            .or_else(|| assignee.and_then(|a| person_team.get(&a).cloned().flatten()));
        tickets.push(Ticket {
            id,
            key,
            summary,
            team,
            work_type: work_type(&wt),
            status,
            status_category: category(&cat),
            created_at: created,
            resolved_at: resolved,
            story_points: points,
            assignee,
            flagged,
            blocked_by: blocked.remove(&id).unwrap_or_default(),
            periods: periods.remove(&id).unwrap_or_default(),
            sprints: stays,
        });
    }
    Ok(tickets)
}

fn assemble(conn: &Connection, ident: &Identity) -> Result<Dataset> {
    let l = ident.lookups();
    let code = load_code(conn, &l, &Only::all())?;
    let sprints = load_sprints(conn)?;
    let tickets = load_tickets(conn, &l, &ident.people, &sprints, &Only::all())?;
    Ok(Dataset {
        repos: ident.repos.clone(),
        commits: code.commits,
        pull_requests: code.pull_requests,
        deployments: code.deployments,
        incidents: load_incidents(conn, None)?,
        tickets,
        sprints,
        people: ident.people.clone(),
    })
}

/// In `all`, ordered by `order` whose first key is the repository, replace the runs of the
/// repositories `repos` (sorted) by their items in `fresh`: the same result as removing them,
/// adding `fresh` and sorting again, without moving the other repositories' items.
fn replace_runs<T>(
    all: &mut Vec<T>,
    mut fresh: Vec<T>,
    repos: &[i64],
    repo: impl Fn(&T) -> i64,
    order: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    fresh.sort_by(&order);
    let mut fresh = fresh.into_iter().peekable();
    for r in repos {
        let range = repo_range(all, *r, &repo);
        let mut run = Vec::new();
        while let Some(x) = fresh.next_if(|x| repo(x) <= *r) {
            if repo(&x) == *r {
                run.push(x);
            }
        }
        all.splice(range, run);
    }
}

/// In `all`, ordered by id, replace the items with these `ids` by their version in `fresh` (or
/// drop them when it has none): the same result as removing them, adding `fresh` and sorting
/// again, without moving the others.
fn replace_by_id<T>(all: &mut Vec<T>, ids: &[i64], fresh: Vec<T>, id: impl Fn(&T) -> i64) {
    let mut fresh: HashMap<i64, T> = fresh.into_iter().map(|x| (id(&x), x)).collect();
    for i in ids {
        match (all.binary_search_by_key(i, &id), fresh.remove(i)) {
            (Ok(k), Some(x)) => all[k] = x,
            (Ok(k), None) => {
                all.remove(k);
            }
            (Err(k), Some(x)) => all.insert(k, x),
            (Err(_), None) => {}
        }
    }
}

/// Everything the metrics read, in one pass over the store.
pub fn load(conn: &Connection) -> Result<Dataset> {
    assemble(conn, &Identity::load(conn)?)
}

/// What a refresh re-read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Everything was re-read (first load, or people, accounts, teams, repositories or services
    /// changed).
    pub full: bool,
    /// Repositories and services the change log named.
    pub repos: usize,
    pub services: usize,
    /// What was re-read, ascending: the repositories (those logged, those of the services whose
    /// incidents changed and those their notes name), the tickets and the sprints. The signal
    /// cache re-evaluates their teams too.
    pub repo_ids: Vec<i64>,
    pub ticket_ids: Vec<i64>,
    pub sprint_ids: Vec<i64>,
}

impl Refreshed {
    /// Both refreshes together.
    pub fn merge(&mut self, other: &Refreshed) {
        self.full |= other.full;
        self.repos += other.repos;
        self.services += other.services;
        union(&mut self.repo_ids, &other.repo_ids);
        union(&mut self.ticket_ids, &other.ticket_ids);
        union(&mut self.sprint_ids, &other.sprint_ids);
    }
}

/// `ids` and `more`, ascending, each once.
pub(crate) fn union(ids: &mut Vec<i64>, more: &[i64]) {
    ids.extend(more);
    ids.sort_unstable();
    ids.dedup();
}

/// The dataset and the DORA analysis of every deployment, kept in memory between syncs. A refresh
/// drains the store's change log (`metric_changes`, kept by triggers) and re-reads and
/// re-analyses only the repositories, incidents, tickets and sprints that were written.
pub struct MetricsCache {
    pub data: Dataset,
    pub analysis: Analysis,
    opts: DoraOptions,
    identity: Identity,
    lookups: Lookups,
    /// [`metric_changes::identity_version`] when `identity` was read.
    identity_version: i64,
}

impl MetricsCache {
    pub fn load(conn: &Connection, opts: DoraOptions) -> Result<MetricsCache> {
        metric_changes::drain(conn)?;
        // Before reading: a write in between shows as a newer version next time.
        let identity_version = metric_changes::identity_version(conn)?;
        let identity = Identity::load(conn)?;
        let data = assemble(conn, &identity)?;
        let analysis = analyse(&data, &opts);
        Ok(MetricsCache {
            data,
            analysis,
            opts,
            lookups: identity.lookups(),
            identity,
            identity_version,
        })
    }

    pub fn refresh(&mut self, conn: &Connection) -> Result<Refreshed> {
        let changes = metric_changes::drain(conn)?;
        let version = metric_changes::identity_version(conn)?;
        if version != self.identity_version {
            // Something was written: reload everything if it changed what the cache holds.
            if Identity::load(conn)? != self.identity {
                *self = MetricsCache::load(conn, self.opts.clone())?;
                return Ok(Refreshed {
                    full: true,
                    ..Default::default()
                });
            }
            self.identity_version = version;
        }
        let mut done = Refreshed {
            full: false,
            repos: changes.repos.len(),
            services: changes.services.len(),
            repo_ids: changes.repos.clone(),
            ticket_ids: changes.tickets.clone(),
            sprint_ids: changes.sprints.clone(),
        };
        if changes.is_empty() {
            return Ok(done);
        }
        let (identity, l) = (&self.identity, &self.lookups);
        let mut repos: HashSet<i64> = changes.repos.iter().copied().collect();
        if !changes.services.is_empty() {
            let _s = tracing::debug_span!("incidents").entered();
            // Service 0 stands for the incidents with none.
            let keys: Vec<Option<&str>> = changes
                .services
                .iter()
                .filter_map(|id| match id {
                    0 => Some(None),
                    _ => identity
                        .services
                        .iter()
                        .find(|(s, _)| s == id)
                        .map(|(_, k)| k.as_deref()),
                })
                .collect();
            let fresh = load_incidents(conn, Some(&changes.services))?;
            let changed = |i: &Incident| keys.contains(&i.service.as_deref());
            let d = &mut self.data;
            // The deployments their notes name, before and after, may be another service's.
            repos.extend(named_repos(
                d.incidents.iter().filter(|i| changed(i)).chain(&fresh),
                &d.deployments,
            ));
            d.incidents.retain(|i| !changed(i));
            d.incidents.extend(fresh);
            d.incidents.sort_by_key(|i| (i.created_at, i.id));
            repos.extend(
                d.repos
                    .iter()
                    .filter(|r| {
                        r.service
                            .as_deref()
                            .is_some_and(|s| keys.contains(&Some(s)))
                    })
                    .map(|r| r.id),
            );
        }
        if !repos.is_empty() {
            let mut ids: Vec<i64> = repos.iter().copied().collect();
            ids.sort_unstable();
            done.repo_ids = ids.clone();
            let code = tracing::debug_span!("load_code")
                .in_scope(|| load_code(conn, l, &Only::ids(&ids)))?;
            let _s = tracing::debug_span!("merge_code").entered();
            // The analysis reads every incident (a note may name any deployment): lend them.
            let d = &mut self.data;
            let part = Dataset {
                repos: std::mem::take(&mut d.repos),
                commits: code.commits,
                pull_requests: code.pull_requests,
                deployments: code.deployments,
                incidents: std::mem::take(&mut d.incidents),
                ..Default::default()
            };
            // Beside the other repositories' deployments: an incident naming one of those is
            // linked there, and the window rule must leave it out here too.
            let others: Vec<&Deployment> = d
                .deployments
                .iter()
                .filter(|x| ids.binary_search(&x.repo).is_err())
                .collect();
            let fresh = tracing::debug_span!("analyse")
                .in_scope(|| analyse_beside(&part, &others, &self.opts));
            let _r = tracing::debug_span!("replace").entered();
            d.repos = part.repos;
            d.incidents = part.incidents;
            // All ordered by repository first (as loaded and analysed): replace the repositories'
            // runs.
            let a = &mut self.analysis;
            replace_runs(
                &mut a.records,
                fresh.records,
                &ids,
                |r| r.repo,
                |x, y| (x.repo, x.at, x.id).cmp(&(y.repo, y.at, y.id)),
            );
            // Within a repository, in the fresh analysis's order (a stable sort keeps it).
            replace_runs(
                &mut a.warnings,
                fresh.warnings,
                &ids,
                |w| w.repo,
                |x, y| x.repo.cmp(&y.repo),
            );
            replace_runs(
                &mut d.commits,
                part.commits,
                &ids,
                |c| c.repo,
                |x, y| (x.repo, x.committed_at, &x.sha).cmp(&(y.repo, y.committed_at, &y.sha)),
            );
            replace_runs(
                &mut d.pull_requests,
                part.pull_requests,
                &ids,
                |p| p.repo,
                |x, y| (x.repo, x.number).cmp(&(y.repo, y.number)),
            );
            replace_runs(
                &mut d.deployments,
                part.deployments,
                &ids,
                |x| x.repo,
                |x, y| (x.repo, x.id).cmp(&(y.repo, y.id)),
            );
        }
        if !changes.sprints.is_empty() {
            // A sprint's team decides its tickets' team: re-read them all.
            self.data.sprints = load_sprints(conn)?;
            self.data.tickets =
                load_tickets(conn, l, &identity.people, &self.data.sprints, &Only::all())?;
        } else if !changes.tickets.is_empty() {
            let _s = tracing::debug_span!("tickets").entered();
            let fresh = load_tickets(
                conn,
                l,
                &identity.people,
                &self.data.sprints,
                &Only::ids(&changes.tickets),
            )?;
            replace_by_id(&mut self.data.tickets, &changes.tickets, fresh, |t| t.id);
        }
        Ok(done)
    }
}

impl App {
    /// The metrics dataset, loaded from the store.
    pub fn dataset(&self) -> Result<Dataset> {
        let store = self.store()?;
        load(store.conn())
    }

    /// A repository id by `owner/name`, name or id.
    pub fn repo_id(&self, key: &str) -> Result<i64> {
        let store = self.store()?;
        let id: Option<i64> = store
            .conn()
            .query_row(
                "SELECT id FROM repos WHERE full_name = ?1 OR name = ?1 OR CAST(id AS TEXT) = ?1 ORDER BY id LIMIT 1",
                params![key],
                |r| r.get(0),
            )
            .ok();
        id.ok_or_else(|| AppError::NotFound(format!("no repository {key:?}")))
    }

    /// The team key for `--team` (a key or a name).
    pub fn team_key(&self, key: &str) -> Result<String> {
        let store = self.store()?;
        store
            .conn()
            .query_row(
                "SELECT key FROM teams WHERE key = ?1 OR lower(name) = lower(?1)",
                params![key],
                |r| r.get(0),
            )
            .map_err(|_| {
                AppError::NotFound(format!(
                    "no team {key:?} (teams come from [[teams]] in the config)"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workflow_runs_latest_status_is_its_outcome() {
        assert_eq!(workflow_run_outcome(Some("success 100")), (Some(100), None));
        assert_eq!(workflow_run_outcome(Some("failure 200")), (None, Some(200)));
        assert_eq!(
            workflow_run_outcome(Some("timed_out 300")),
            (None, Some(300))
        );
        for other in ["cancelled 1", "skipped 1", "action_required 1", "stale 1"] {
            assert_eq!(workflow_run_outcome(Some(other)), (None, None), "{other}");
        }
        assert_eq!(workflow_run_outcome(None), (None, None));
    }

    fn dep(id: i64, kind: &str, sha: &str, created: Ts, end: Option<Ts>) -> Deployment {
        Deployment {
            id,
            external_id: id.to_string(),
            repo: 1,
            environment: "production".into(),
            production: true,
            sha: sha.into(),
            created_at: created,
            succeeded_at: end,
            failed_at: None,
            kind: kind.into(),
            description: String::new(),
            payload: String::new(),
        }
    }

    #[test]
    fn a_github_deployment_made_by_a_counted_run_is_not_counted_twice() {
        let mut ds = vec![
            // The run deployed abc from 1000 to 1600; its job left a GitHub deployment at 1300.
            dep(1, "workflow_run", "abc", 1_000, Some(1_600)),
            dep(2, "github_deployment", "abc", 1_300, Some(1_500)),
            // Another commit, or long after the run: separate deploys.
            dep(3, "github_deployment", "def", 1_300, Some(1_500)),
            dep(4, "github_deployment", "abc", 9_000, Some(9_100)),
            // A cancelled run (no outcome) covers nothing.
            dep(5, "workflow_run", "ghi", 1_000, None),
            dep(6, "github_deployment", "ghi", 1_100, Some(1_200)),
        ];
        uncount_covered(&mut ds);
        let counted: Vec<i64> = ds.iter().filter(|d| d.production).map(|d| d.id).collect();
        assert_eq!(counted, [1, 3, 4, 5, 6]);
    }
}
