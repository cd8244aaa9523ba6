//! The metrics engine's dataset, read from the store — all at once ([`load`]), or kept in memory
//! and refreshed after a sync by re-reading only what the sync wrote ([`MetricsCache`]).

use crate::{App, AppError, Result};
use bosun_core::model::DeploymentKind;
use bosun_core::model::{StatusCategory, WorkType};
use bosun_core::time::Ts;
use bosun_metrics::data::*;
use bosun_metrics::dora::{Analysis, DoraOptions, analyse, analyse_beside, named_repos};
use bosun_store::Connection;
use bosun_store::metrics_dataset as db;
use bosun_store::{code, identity, metric_changes};
use std::collections::{HashMap, HashSet};
use std::path::Path;

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
        let repos = db::repos(conn)?
            .into_iter()
            .map(|r| Repo {
                id: r.id,
                full_name: r.full_name,
                team: r.team,
                service: r.service,
            })
            .collect();
        let people = db::people(conn)?
            .into_iter()
            .map(|p| Person {
                id: p.id,
                name: p.name,
                team: p.team,
                is_bot: p.is_bot,
            })
            .collect();
        let accounts = db::accounts(conn)?
            .into_iter()
            .map(|a| {
                let bot = a.is_bot || a.login.is_some_and(|l| l.ends_with("[bot]"));
                (a.id, a.person_id, bot)
            })
            .collect();
        Ok(Identity {
            repos,
            people,
            accounts,
            emails: db::person_emails(conn)?,
            services: db::services(conn)?,
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

fn load_code(conn: &Connection, l: &Lookups, repos: Option<&[i64]>) -> Result<Code> {
    let mut parents: HashMap<(i64, String), Vec<String>> = HashMap::new();
    for (repo, sha, parent) in db::commit_parents(conn, repos)? {
        parents.entry((repo, sha)).or_default().push(parent);
    }
    let mut commits = Vec::new();
    for c in db::commits(conn, repos)? {
        let (mut person, mut bot) = l.who(c.author_account_id);
        if person.is_none() {
            person = c
                .author_email
                .as_deref()
                .and_then(|e| l.by_email.get(&e.to_lowercase()).copied());
        }
        bot |= person.is_some_and(|p| l.bots.contains(&p))
            || c.author_name
                .as_deref()
                .is_some_and(|n| n.ends_with("[bot]"));
        let parents = parents
            .remove(&(c.repo_id, c.sha.clone()))
            .unwrap_or_default();
        commits.push(Commit {
            repo: c.repo_id,
            sha: c.sha,
            authored_at: c.authored_at,
            committed_at: c.committed_at,
            parents,
            author: person,
            author_is_bot: bot,
            subject: c.subject,
        });
    }

    let mut pr_commits: HashMap<i64, Vec<String>> = HashMap::new();
    for (pr, sha) in db::pr_commits(conn, repos)? {
        pr_commits.entry(pr).or_default().push(sha);
    }
    let mut reviews: HashMap<i64, Vec<Review>> = HashMap::new();
    for r in db::reviews(conn, repos)? {
        let (reviewer, bot) = l.who(r.reviewer_account_id);
        reviews.entry(r.pr_id).or_default().push(Review {
            reviewer,
            reviewer_is_bot: bot,
            state: r.state,
            at: r.submitted_at,
        });
    }
    let mut requested: HashMap<i64, Vec<i64>> = HashMap::new();
    for (pr, person) in db::requested_reviewers(conn, repos)? {
        requested.entry(pr).or_default().push(person);
    }
    let ready: HashMap<i64, Ts> = db::ready_for_review(conn, repos)?.into_iter().collect();
    let mut pull_requests = Vec::new();
    for p in db::pull_requests(conn, repos)? {
        let (author, bot) = l.who(p.author_account_id);
        pull_requests.push(PullRequest {
            id: p.id,
            repo: p.repo_id,
            number: p.number,
            title: p.title,
            body: p.body,
            author,
            author_is_bot: bot || author.is_some_and(|a| l.bots.contains(&a)),
            created_at: p.created_at,
            ready_at: ready.get(&p.id).copied(),
            draft: p.draft,
            merged_at: p.merged_at,
            closed_at: p.closed_at,
            merge_commit_sha: p.merge_commit_sha,
            head_sha: p.head_sha,
            additions: p.additions,
            deletions: p.deletions,
            labels: p.labels,
            commits: pr_commits.remove(&p.id).unwrap_or_default(),
            reviews: reviews.remove(&p.id).unwrap_or_default(),
            requested: requested.remove(&p.id).unwrap_or_default(),
        });
    }

    let mut deployments: Vec<Deployment> = db::deployments(conn, repos)?
        .into_iter()
        .map(|d| {
            let (succeeded_at, failed_at) = match d.kind {
                DeploymentKind::GithubDeployment | DeploymentKind::GitlabDeployment => {
                    (d.first_success_at, None)
                }
                DeploymentKind::WorkflowRun => workflow_run_outcome(d.latest_run_status.as_deref()),
                // Tags and releases have no statuses: they are deployments when made.
                DeploymentKind::Tag | DeploymentKind::Release => (Some(d.created_at), None),
            };
            Deployment {
                id: d.id,
                external_id: d.external_id,
                repo: d.repo_id,
                environment: d.environment,
                production: d.production,
                sha: d.sha,
                created_at: d.created_at,
                succeeded_at,
                failed_at,
                kind: d.kind,
                description: d.description,
                payload: d.payload,
            }
        })
        .collect();
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
        .filter(|d| d.kind == DeploymentKind::WorkflowRun && d.production)
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
        .filter(|d| d.kind == DeploymentKind::GithubDeployment && d.production)
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
    let mut notes: HashMap<i64, Vec<String>> = HashMap::new();
    for (inc, note) in db::incident_notes(conn, services)? {
        notes.entry(inc).or_default().push(note);
    }
    Ok(db::incidents(conn, services)?
        .into_iter()
        .map(|i| Incident {
            notes: notes.remove(&i.id).unwrap_or_default(),
            id: i.id,
            external_id: i.external_id,
            service: i.service,
            created_at: i.created_at,
            resolved_at: i.resolved_at,
            deployment: i.deployment_id,
            urgency: i.urgency,
            title: i.title,
        })
        .collect())
}

fn load_sprints(conn: &Connection) -> Result<Vec<Sprint>> {
    Ok(db::sprints(conn)?
        .into_iter()
        .map(|s| Sprint {
            id: s.id,
            name: s.name,
            team: s.team,
            state: s.state,
            start_at: s.start_at,
            end_at: s.end_at,
            complete_at: s.complete_at,
        })
        .collect())
}

fn load_tickets(
    conn: &Connection,
    l: &Lookups,
    people: &[Person],
    sprints: &[Sprint],
    only: Option<&[i64]>,
) -> Result<Vec<Ticket>> {
    let sprint_team: HashMap<i64, Option<String>> =
        sprints.iter().map(|s| (s.id, s.team.clone())).collect();
    let mut periods: HashMap<i64, Vec<StatusPeriod>> = HashMap::new();
    for p in db::status_periods(conn, only)? {
        periods.entry(p.ticket_id).or_default().push(StatusPeriod {
            category: category(&p.status_category),
            status: p.status,
            entered_at: p.entered_at,
            left_at: p.left_at,
        });
    }
    let mut stays: HashMap<i64, Vec<SprintStay>> = HashMap::new();
    for s in db::sprint_stays(conn, only)? {
        stays.entry(s.ticket_id).or_default().push(SprintStay {
            sprint: s.sprint_id,
            added_at: s.added_at,
            removed_at: s.removed_at,
        });
    }
    let mut blocked: HashMap<i64, Vec<String>> = HashMap::new();
    for (t, other) in db::blocked_by(conn, only)? {
        blocked.entry(t).or_default().push(other);
    }
    let person_team: HashMap<i64, Option<String>> =
        people.iter().map(|p| (p.id, p.team.clone())).collect();
    let mut tickets = Vec::new();
    for t in db::tickets(conn, only)? {
        let assignee = l.who(t.assignee_account_id).0;
        let stays = stays.remove(&t.id).unwrap_or_default();
        // A ticket belongs to the team whose sprint it was in last, else its assignee's team.
        let team = stays
            .iter()
            .rev()
            .find_map(|s| sprint_team.get(&s.sprint).cloned().flatten())
            .or_else(|| assignee.and_then(|a| person_team.get(&a).cloned().flatten()));
        tickets.push(Ticket {
            id: t.id,
            key: t.key,
            summary: t.summary,
            team,
            work_type: work_type(&t.work_type),
            status: t.status,
            status_category: category(&t.status_category),
            created_at: t.created_at,
            resolved_at: t.resolved_at,
            story_points: t.story_points,
            assignee,
            flagged: t.flagged,
            blocked_by: blocked.remove(&t.id).unwrap_or_default(),
            periods: periods.remove(&t.id).unwrap_or_default(),
            sprints: stays,
        });
    }
    Ok(tickets)
}

fn assemble(conn: &Connection, ident: &Identity) -> Result<Dataset> {
    let l = ident.lookups();
    let code = load_code(conn, &l, None)?;
    let sprints = load_sprints(conn)?;
    let tickets = load_tickets(conn, &l, &ident.people, &sprints, None)?;
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
        if !changes.unknown.is_empty() {
            tracing::warn!(kinds = ?changes.unknown, "metrics: the change log names kinds this version does not know; reloading everything");
            *self = MetricsCache::load(conn, self.opts.clone())?;
            return Ok(Refreshed {
                full: true,
                ..Default::default()
            });
        }
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
            let code =
                tracing::debug_span!("load_code").in_scope(|| load_code(conn, l, Some(&ids)))?;
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
            self.data.tickets = load_tickets(conn, l, &identity.people, &self.data.sprints, None)?;
        } else if !changes.tickets.is_empty() {
            let _s = tracing::debug_span!("tickets").entered();
            let fresh = load_tickets(
                conn,
                l,
                &identity.people,
                &self.data.sprints,
                Some(&changes.tickets),
            )?;
            replace_by_id(&mut self.data.tickets, &changes.tickets, fresh, |t| t.id);
        }
        Ok(done)
    }
}

/// The sprint asked for (by id or name), else the team's active sprint, else its latest started
/// by `at` (see [`bosun_metrics::sprint::choose_sprint`]). When there is none, the error names
/// the team's recent sprints.
pub fn choose_sprint<'a>(
    data: &'a Dataset,
    which: Option<&str>,
    team: Option<&str>,
    at: Ts,
) -> Result<&'a Sprint> {
    bosun_metrics::sprint::choose_sprint(data, which, team, at).ok_or_else(|| {
        let recent: Vec<&str> = data
            .sprints
            .iter()
            .filter(|s| team.is_none_or(|t| s.team.as_deref() == Some(t)))
            .rev()
            .take(5)
            .map(|s| s.name.as_str())
            .collect();
        let for_team = team.map(|t| format!(" for team {t}")).unwrap_or_default();
        AppError::NotFound(match which.filter(|w| !w.is_empty()) {
            _ if recent.is_empty() => {
                format!("no sprints yet{for_team}: sync a Jira source with a board")
            }
            Some(w) => format!("no sprint {w:?}{for_team} (recent: {})", recent.join(", ")),
            None => format!(
                "no active or started sprint{for_team} (recent: {})",
                recent.join(", ")
            ),
        })
    })
}

/// A dataset read straight from a git repository (no store): one repository, its commits, and
/// the tags matching the release pattern as production deployments.
fn load_git(path: &Path, release_tags: &str, bot_patterns: &[String]) -> Result<Dataset> {
    use bosun_connectors::git;
    let re = git::release_pattern(release_tags)
        .map_err(|e| AppError::InvalidInput(format!("--release-tags {release_tags:?}: {e}")))?;
    let repo = git::open(path)?;
    let refs = repo.refs()?;
    let commits = repo.commits(&[])?;
    let mut d = Dataset {
        repos: vec![Repo {
            id: 1,
            full_name: path.display().to_string(),
            team: None,
            service: None,
        }],
        ..Default::default()
    };
    d.commits = commits
        .iter()
        .map(|c| Commit {
            repo: 1,
            sha: c.sha.clone(),
            authored_at: c.authored_at,
            committed_at: c.committed_at,
            parents: c.parents.clone(),
            author: None,
            author_is_bot: bosun_identity::is_bot_author(
                c.author_name.as_deref(),
                c.author_email.as_deref(),
                bot_patterns,
            ),
            subject: c.message.lines().next().unwrap_or("").to_string(),
        })
        .collect();
    let dates: HashMap<&str, Ts> = commits
        .iter()
        .map(|c| (c.sha.as_str(), c.committed_at))
        .collect();
    for (i, t) in refs
        .tags
        .iter()
        .filter(|t| re.is_match(&t.name))
        .enumerate()
    {
        let at = t
            .tagged_at
            .or_else(|| dates.get(t.sha.as_str()).copied())
            .unwrap_or(0);
        d.deployments.push(Deployment {
            id: i as i64 + 1,
            external_id: t.name.clone(),
            repo: 1,
            environment: "production".into(),
            production: true,
            sha: t.sha.clone(),
            created_at: at,
            succeeded_at: Some(at),
            failed_at: None,
            kind: DeploymentKind::Tag,
            description: t.name.clone(),
            payload: String::new(),
        });
    }
    Ok(d)
}

impl App {
    /// The metrics dataset, loaded from the store.
    pub fn dataset(&self) -> Result<Dataset> {
        let store = self.store()?;
        load(store.conn())
    }

    /// The dataset of the git repository at `path` alone (no store): its commits, and the tags
    /// matching `release_tags` as production deployments (commits' authors are bots by
    /// `[identity] bot_patterns`).
    pub fn git_dataset(&self, path: &Path, release_tags: &str) -> Result<Dataset> {
        load_git(path, release_tags, &self.config.identity.bot_patterns)
    }

    /// A repository id by `owner/name`, name or id.
    pub fn repo_id(&self, key: &str) -> Result<i64> {
        let store = self.store()?;
        let id = code::repo_id_by_key(store.conn(), key).ok().flatten();
        id.ok_or_else(|| AppError::NotFound(format!("no repository {key:?}")))
    }

    /// The team key for `--team` (a key or a name).
    pub fn team_key(&self, key: &str) -> Result<String> {
        let store = self.store()?;
        identity::team_key(store.conn(), key)
            .ok()
            .flatten()
            .ok_or_else(|| {
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

    fn dep(id: i64, kind: DeploymentKind, sha: &str, created: Ts, end: Option<Ts>) -> Deployment {
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
            kind,
            description: String::new(),
            payload: String::new(),
        }
    }

    #[test]
    fn a_github_deployment_made_by_a_counted_run_is_not_counted_twice() {
        let mut ds = vec![
            // The run deployed abc from 1000 to 1600; its job left a GitHub deployment at 1300.
            dep(1, DeploymentKind::WorkflowRun, "abc", 1_000, Some(1_600)),
            dep(
                2,
                DeploymentKind::GithubDeployment,
                "abc",
                1_300,
                Some(1_500),
            ),
            // Another commit, or long after the run: separate deploys.
            dep(
                3,
                DeploymentKind::GithubDeployment,
                "def",
                1_300,
                Some(1_500),
            ),
            dep(
                4,
                DeploymentKind::GithubDeployment,
                "abc",
                9_000,
                Some(9_100),
            ),
            // A cancelled run (no outcome) covers nothing.
            dep(5, DeploymentKind::WorkflowRun, "ghi", 1_000, None),
            dep(
                6,
                DeploymentKind::GithubDeployment,
                "ghi",
                1_100,
                Some(1_200),
            ),
        ];
        uncount_covered(&mut ds);
        let counted: Vec<i64> = ds.iter().filter(|d| d.production).map(|d| d.id).collect();
        assert_eq!(counted, [1, 3, 4, 5, 6]);
    }
}
