//! The plain data the metrics are computed from. A loader fills it from the store; tests build it
//! by hand. Ids are the store's row ids (or any stable id in tests); times are UTC seconds.

use bosun_core::model::{DeploymentKind, StatusCategory, WorkType};
use bosun_core::time::Ts;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

/// Commits, pull requests and deployments are ordered by repository first (the loader's `ORDER
/// BY repo_id`, kept by the app's caches): a team's are found by binary search ([`of_repos`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dataset {
    /// The repositories.
    pub repos: Vec<Repo>,
    /// The commits, by repository.
    pub commits: Vec<Commit>,
    /// The pull requests, by repository.
    pub pull_requests: Vec<PullRequest>,
    /// The deployments, by repository.
    pub deployments: Vec<Deployment>,
    /// The incidents.
    pub incidents: Vec<Incident>,
    /// The tickets.
    pub tickets: Vec<Ticket>,
    /// The sprints.
    pub sprints: Vec<Sprint>,
    /// The people.
    pub people: Vec<Person>,
}

impl Dataset {
    /// Puts commits, pull requests and deployments in repository order, keeping each
    /// repository's in the order they were (for a dataset built in another order, as tests do).
    pub fn order_by_repo(&mut self) {
        self.commits.sort_by_key(|c| c.repo);
        self.pull_requests.sort_by_key(|p| p.repo);
        self.deployments.sort_by_key(|d| d.repo);
    }
}

/// A repository.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repo {
    /// Its store id.
    pub id: i64,
    /// `owner/name`.
    pub full_name: String,
    /// The team that owns it (a team key).
    pub team: Option<String>,
    /// The deployed service (links incidents to deployments).
    pub service: Option<String>,
}

/// A commit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Commit {
    /// Its repository.
    pub repo: i64,
    /// Its sha.
    pub sha: String,
    /// When it was authored.
    pub authored_at: Ts,
    /// When it was committed.
    pub committed_at: Ts,
    /// Its parents' shas.
    pub parents: Vec<String>,
    /// The person who authored it, when known.
    pub author: Option<i64>,
    /// A bot authored it.
    pub author_is_bot: bool,
    /// First line of the message.
    pub subject: String,
}

/// A review of a pull request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    /// Who reviewed (person id), when known.
    pub reviewer: Option<i64>,
    /// A bot reviewed.
    pub reviewer_is_bot: bool,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`, `PENDING`.
    pub state: String,
    /// When it was submitted.
    pub at: Ts,
}

/// A pull request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PullRequest {
    /// Its store id.
    pub id: i64,
    /// Its repository.
    pub repo: i64,
    /// Its number in the repository.
    pub number: i64,
    /// Its title.
    pub title: String,
    /// Its description.
    pub body: String,
    /// Who opened it (person id), when known.
    pub author: Option<i64>,
    /// A bot opened it.
    pub author_is_bot: bool,
    /// When it was opened.
    pub created_at: Ts,
    /// Left draft (the last `ready_for_review`), when it ever was a draft.
    pub ready_at: Option<Ts>,
    /// A draft now.
    pub draft: bool,
    /// When it was merged.
    pub merged_at: Option<Ts>,
    /// When it was closed (merged or not).
    pub closed_at: Option<Ts>,
    /// The commit the merge made.
    pub merge_commit_sha: Option<String>,
    /// Its head commit.
    pub head_sha: Option<String>,
    /// Lines added.
    pub additions: i64,
    /// Lines removed.
    pub deletions: i64,
    /// Its labels.
    pub labels: Vec<String>,
    /// The PR's own commits (their shas), in order.
    pub commits: Vec<String>,
    /// Its reviews.
    pub reviews: Vec<Review>,
    /// People whose review is requested right now.
    pub requested: Vec<i64>,
}

impl PullRequest {
    /// When the PR asked for review: leaving draft, else opening.
    pub fn ready(&self) -> Ts {
        self.ready_at.unwrap_or(self.created_at)
    }

    /// Lines changed: additions plus deletions.
    pub fn size(&self) -> i64 {
        self.additions + self.deletions
    }
}

/// A deployment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deployment {
    /// Its store id.
    pub id: i64,
    /// The provider's id (what incident notes mention: "deployment 3000123").
    pub external_id: String,
    /// Its repository.
    pub repo: i64,
    /// The environment (`production`, `staging`).
    pub environment: String,
    /// It deploys to production.
    pub production: bool,
    /// The commit deployed.
    pub sha: String,
    /// When it started.
    pub created_at: Ts,
    /// When it finished successfully (None: never succeeded — not a deployment for DORA, unless
    /// it failed as a deployment, below).
    pub succeeded_at: Option<Ts>,
    /// When it finished as a failed deployment: a deploy workflow run that concluded `failure` or
    /// `timed_out` counts as a deployment, and as a failed one. (A GitHub deployment whose job
    /// failed does not: it never reached production.) At most one of the two is set.
    pub failed_at: Option<Ts>,
    /// What it was read from: a GitHub deployment, a tag, a release, a deploy workflow's run.
    pub kind: DeploymentKind,
    /// Its description.
    pub description: String,
    /// Provider payload (`{"rollback_of": 12}`), as JSON text.
    pub payload: String,
}

/// An incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    /// Its store id.
    pub id: i64,
    /// The provider's id.
    pub external_id: String,
    /// The service key, matched against `Repo::service`.
    pub service: Option<String>,
    /// When it started.
    pub created_at: Ts,
    /// When it was resolved.
    pub resolved_at: Option<Ts>,
    /// An explicit link to a deployment (store id), when recorded.
    pub deployment: Option<i64>,
    /// Notes on the incident's timeline (annotations), searched for deploy references.
    pub notes: Vec<String>,
    /// `high` or `low`.
    pub urgency: Option<String>,
    /// Its title.
    pub title: String,
}

/// A stay in one status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusPeriod {
    /// Where the status sits in the flow.
    pub category: StatusCategory,
    /// The status's name.
    pub status: String,
    /// When the ticket entered it.
    pub entered_at: Ts,
    /// When it left (none while still there).
    pub left_at: Option<Ts>,
}

/// A stay in one sprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SprintStay {
    /// The sprint's store id.
    pub sprint: i64,
    /// When the ticket was added (none: from the start).
    pub added_at: Option<Ts>,
    /// When it was removed (none while still there).
    pub removed_at: Option<Ts>,
}

/// A ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ticket {
    /// Its store id.
    pub id: i64,
    /// Its key (`PAY-1042`).
    pub key: String,
    /// Its title.
    pub summary: String,
    /// Its team (a team key).
    pub team: Option<String>,
    /// Its Flow Framework type.
    pub work_type: WorkType,
    /// Its current status's name.
    pub status: String,
    /// Where its current status sits in the flow.
    pub status_category: StatusCategory,
    /// When it was created.
    pub created_at: Ts,
    /// When it was resolved.
    pub resolved_at: Option<Ts>,
    /// Its estimate.
    pub story_points: Option<f64>,
    /// Who it is assigned to (person id).
    pub assignee: Option<i64>,
    /// Flagged as an impediment.
    pub flagged: bool,
    /// Keys of tickets this one "is blocked by".
    pub blocked_by: Vec<String>,
    /// Its stays in each status, in order.
    pub periods: Vec<StatusPeriod>,
    /// Its stays in sprints, in order.
    pub sprints: Vec<SprintStay>,
}

impl Ticket {
    /// When work started: the first entry into an active or waiting status.
    pub fn started_at(&self) -> Option<Ts> {
        self.periods
            .iter()
            .find(|p| matches!(p.category, StatusCategory::Active | StatusCategory::Waiting))
            .map(|p| p.entered_at)
    }

    /// When it was done: entering done for the last time (it may have been reopened).
    pub fn done_at(&self) -> Option<Ts> {
        let last = self.periods.last()?;
        (last.category == StatusCategory::Done)
            .then_some(last.entered_at)
            .or(self
                .resolved_at
                .filter(|_| self.status_category == StatusCategory::Done))
    }

    /// The category the ticket was in at `t`.
    pub fn category_at(&self, t: Ts) -> Option<StatusCategory> {
        if t < self.created_at {
            return None;
        }
        self.periods
            .iter()
            .rev()
            .find(|p| p.entered_at <= t)
            .map(|p| p.category)
            .or(Some(StatusCategory::Todo))
    }

    /// Whether it was in `sprint` at `t`.
    pub fn in_sprint_at(&self, sprint: i64, t: Ts) -> bool {
        self.sprints.iter().any(|s| {
            s.sprint == sprint
                && s.added_at.is_none_or(|a| a <= t)
                && s.removed_at.is_none_or(|r| r > t)
        })
    }
}

/// A sprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sprint {
    /// Its store id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its team (a team key).
    pub team: Option<String>,
    /// `future`, `active` or `closed`.
    pub state: String,
    /// When it starts.
    pub start_at: Option<Ts>,
    /// When it is planned to end.
    pub end_at: Option<Ts>,
    /// When it was completed.
    pub complete_at: Option<Ts>,
}

/// A person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    /// Their store id.
    pub id: i64,
    /// Their name.
    pub name: String,
    /// Their team (a team key).
    pub team: Option<String>,
    /// A bot.
    pub is_bot: bool,
}

/// Where `repo`'s items are in `all` when it is ordered by repository first (`of` gives an item's
/// repository), as the app loads pull requests, commits and deployments and its caches keep them.
pub fn repo_range<T>(all: &[T], repo: i64, of: impl Fn(&T) -> i64) -> std::ops::Range<usize> {
    all.partition_point(|x| of(x) < repo)..all.partition_point(|x| of(x) <= repo)
}

/// The items of `repos` (ascending; `None`: every item), in `all`'s order, found by binary search.
/// `all` must be ordered by repository first, as the app loads pull requests, commits and
/// deployments, its caches keep them and [`Dataset`] documents (checked in debug builds only:
/// checking 459k commits on each of a team's calls cost more than the team's metrics).
pub fn of_repos<'a, T>(
    all: &'a [T],
    repos: Option<&[i64]>,
    of: impl Fn(&T) -> i64 + Copy,
) -> Vec<&'a T> {
    debug_assert!(
        all.is_sorted_by_key(of),
        "of_repos needs items ordered by repository"
    );
    match repos {
        None => all.iter().collect(),
        Some(ids) => ids
            .iter()
            .flat_map(|r| &all[repo_range(all, *r, of)])
            .collect(),
    }
}

/// Lookups built once per dataset.
pub struct Index<'a> {
    /// The dataset indexed.
    pub data: &'a Dataset,
    /// Repository id → repository.
    pub repo_by_id: HashMap<i64, &'a Repo>,
    /// (repo, sha) → commit index.
    pub commit_at: HashMap<(i64, &'a str), usize>,
    /// (repo, merge commit sha) → PR index.
    pub pr_by_merge_sha: HashMap<(i64, &'a str), usize>,
    /// (repo, number) → PR index.
    pub pr_by_number: HashMap<(i64, i64), usize>,
    /// PR id → PR index.
    pub pr_by_id: HashMap<i64, usize>,
    /// Incident id → incident index.
    pub incident_by_id: HashMap<i64, usize>,
}

impl<'a> Index<'a> {
    /// Build the lookups of `data`.
    pub fn new(data: &'a Dataset) -> Index<'a> {
        Index {
            data,
            repo_by_id: data.repos.iter().map(|r| (r.id, r)).collect(),
            commit_at: data
                .commits
                .iter()
                .enumerate()
                .map(|(i, c)| ((c.repo, c.sha.as_str()), i))
                .collect(),
            pr_by_merge_sha: data
                .pull_requests
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    p.merge_commit_sha
                        .as_deref()
                        .filter(|_| p.merged_at.is_some())
                        .map(|s| ((p.repo, s), i))
                })
                .collect(),
            pr_by_number: data
                .pull_requests
                .iter()
                .enumerate()
                .map(|(i, p)| ((p.repo, p.number), i))
                .collect(),
            pr_by_id: data
                .pull_requests
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id, i))
                .collect(),
            incident_by_id: data
                .incidents
                .iter()
                .enumerate()
                .map(|(i, x)| (x.id, i))
                .collect(),
        }
    }

    /// The commit `sha` of `repo`.
    pub fn commit(&self, repo: i64, sha: &str) -> Option<&'a Commit> {
        self.commit_at
            .get(&(repo, sha))
            .map(|&i| &self.data.commits[i])
    }

    /// The pull request with this store id.
    pub fn pull_request(&self, id: i64) -> Option<&'a PullRequest> {
        self.pr_by_id.get(&id).map(|&i| &self.data.pull_requests[i])
    }

    /// The incident with this store id.
    pub fn incident(&self, id: i64) -> Option<&'a Incident> {
        self.incident_by_id
            .get(&id)
            .map(|&i| &self.data.incidents[i])
    }

    /// The team owning `repo`.
    pub fn team_of_repo(&self, repo: i64) -> Option<&'a str> {
        self.repo_by_id.get(&repo).and_then(|r| r.team.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::of_repos;

    #[test]
    fn of_repos_finds_a_repositorys_items_in_order() {
        let of = |x: &(i64, u32)| x.0;
        let sorted = vec![(1, 0), (1, 1), (2, 2), (3, 3), (3, 4), (5, 5)];
        assert_eq!(
            of_repos(&sorted, Some(&[1, 3]), of),
            vec![&(1, 0), &(1, 1), &(3, 3), &(3, 4)]
        );
        assert!(of_repos(&sorted, Some(&[4]), of).is_empty());
        assert!(of_repos(&sorted, Some(&[]), of).is_empty());
        assert_eq!(of_repos(&sorted, None, of).len(), 6);
    }
}
