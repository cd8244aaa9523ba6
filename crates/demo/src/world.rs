//! The generated world: provider-neutral facts that the fake GitHub, Jira, PagerDuty and Slack
//! serve in their own API shapes. Indices (`usize`) point into the `World`'s vectors.

use bosun_core::time::Ts;
use serde::Serialize;

use crate::org::{Delivery, MergeStrategy, Org};

#[derive(Debug, Clone, Serialize)]
pub struct World {
    pub org: Org,
    pub seed: u64,
    pub scale: u32,
    pub start: Ts,
    pub as_of: Ts,
    /// GitHub users: people's logins (and their old logins) and bots.
    pub users: Vec<User>,
    pub repos: Vec<Repo>,
    /// Repositories that exist only as local git history (see `org.local_repos`).
    pub local_repos: Vec<LocalRepo>,
    pub tickets: Vec<Ticket>,
    pub sprints: Vec<Sprint>,
    pub incidents: Vec<Incident>,
    /// Who is on call for each team's escalation policy (level 1 rotates, level 2 is the manager).
    pub oncalls: Vec<OnCall>,
    pub messages: Vec<Message>,
    /// The organisation's teams exist on GitHub too (team listings, `@org/team` owners); false
    /// for an organisation that never set GitHub teams up ([`crate::real_world`]).
    pub github_teams: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub email: Option<String>,
    pub is_bot: bool,
    /// Index into `org.people` (None for bots and machine users).
    pub person: Option<usize>,
    /// The profile shows `name` (false: GitHub answers `"name": null`, as for most accounts).
    pub public_name: bool,
    /// A member of the GitHub organisation (people's current logins, machine users).
    pub org_member: bool,
    /// A member who made the membership public (what a token that cannot read the organisation
    /// still sees in its member list).
    pub public_member: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Repo {
    pub id: i64,
    pub name: String,
    pub team: String,
    pub service: String,
    pub description: String,
    pub language: String,
    pub default_branch: String,
    pub merge_strategy: MergeStrategy,
    /// How its deploys reach GitHub ([`crate::actions`] turns them into workflow runs).
    pub delivery: Delivery,
    /// The CODEOWNERS file; empty: the repository has none (GitHub answers 404).
    pub codeowners: String,
    /// A fork of this repository (`owner/name`), for a fork.
    pub fork_of: Option<String>,
    pub archived: bool,
    pub created_at: Ts,
    pub commits: Vec<Commit>,
    /// Indices of default-branch commits, oldest first (the first-parent chain).
    pub main: Vec<usize>,
    pub pulls: Vec<Pull>,
    pub check_runs: Vec<CheckRun>,
    pub deployments: Vec<Deployment>,
    pub releases: Vec<Release>,
    pub tags: Vec<Tag>,
    pub review_comments: Vec<ReviewComment>,
    pub issue_comments: Vec<IssueComment>,
}

/// A repository with no code-host API: its history as git commits, and annotated release tags.
#[derive(Debug, Clone, Serialize)]
pub struct LocalRepo {
    pub name: String,
    pub team: String,
    pub description: String,
    pub release_tags: String,
    /// Oldest first; `parents` are indices into this list.
    pub commits: Vec<LocalCommit>,
    pub tags: Vec<LocalTag>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LocalCommit {
    pub author: Signature,
    pub committer: Signature,
    pub message: String,
    pub parents: Vec<usize>,
    /// The file this commit changes and a line it writes (gives every commit its own tree).
    pub path: String,
    pub line: String,
    /// More changes, applied after `path` in order (the planted tooling history of
    /// [`crate::drift`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ops: Vec<FileOp>,
}

/// A change to a local repository's files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum FileOp {
    Write { path: String, content: String },
    Delete { path: String },
    Rename { from: String, to: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct LocalTag {
    pub name: String,
    pub commit: usize,
    pub tagger: Signature,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    pub name: String,
    pub email: String,
    /// The GitHub user the email is linked to (None: GitHub shows `author: null`).
    pub user: Option<usize>,
    pub at: Ts,
}

#[derive(Debug, Clone, Serialize)]
pub struct Commit {
    pub sha: String,
    pub author: Signature,
    pub committer: Signature,
    pub message: String,
    pub parents: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pull {
    pub id: i64,
    pub number: i64,
    pub title: String,
    pub body: String,
    pub author: usize,
    pub created_at: Ts,
    pub updated_at: Ts,
    /// Still a draft at `as_of`.
    pub draft: bool,
    pub head_ref: String,
    pub base_ref: String,
    /// Indices into the repo's commits, in order.
    pub commits: Vec<usize>,
    pub additions: i64,
    pub deletions: i64,
    pub changed_files: i64,
    pub labels: Vec<String>,
    pub requested_reviewers: Vec<usize>,
    pub reviews: Vec<Review>,
    pub events: Vec<PullEvent>,
    pub merged_at: Option<Ts>,
    pub merged_by: Option<usize>,
    pub merge_commit_sha: Option<String>,
    pub closed_at: Option<Ts>,
    pub ticket: Option<String>,
    /// The files it changed.
    pub files: Vec<PullFile>,
}

/// A file a pull request changed.
#[derive(Debug, Clone, Serialize)]
pub struct PullFile {
    pub path: String,
    pub status: String,
    pub additions: i64,
    pub deletions: i64,
}

impl Pull {
    pub fn head_sha<'a>(&self, repo: &'a Repo) -> Option<&'a str> {
        self.commits.last().map(|i| repo.commits[*i].sha.as_str())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub id: i64,
    pub reviewer: usize,
    pub state: String,
    pub submitted_at: Ts,
    pub body: String,
    pub commit_sha: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PullEvent {
    pub id: i64,
    pub event: String,
    pub actor: usize,
    pub subject: Option<usize>,
    pub label: Option<String>,
    pub at: Ts,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckRun {
    pub id: i64,
    pub head_sha: String,
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub started_at: Ts,
    pub completed_at: Option<Ts>,
    pub pull_number: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deployment {
    pub id: i64,
    pub sha: String,
    pub environment: String,
    pub description: String,
    pub created_at: Ts,
    pub creator: usize,
    pub statuses: Vec<DeploymentStatus>,
    /// Why this deployment happened: "release", "hotfix", "revert", "rollback", "retry".
    pub reason: String,
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeploymentStatus {
    pub id: i64,
    pub state: String,
    pub description: String,
    pub at: Ts,
}

#[derive(Debug, Clone, Serialize)]
pub struct Release {
    pub id: i64,
    pub tag: String,
    pub sha: String,
    pub name: String,
    pub body: String,
    pub created_at: Ts,
    pub author: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub name: String,
    pub sha: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewComment {
    pub id: i64,
    pub pull_number: i64,
    pub review_id: i64,
    pub author: usize,
    pub body: String,
    pub path: String,
    pub line: i64,
    pub commit_sha: String,
    pub in_reply_to: Option<i64>,
    pub created_at: Ts,
}

#[derive(Debug, Clone, Serialize)]
pub struct IssueComment {
    pub id: i64,
    pub number: i64,
    pub author: usize,
    pub body: String,
    pub created_at: Ts,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ticket {
    pub id: i64,
    pub key: String,
    pub team: String,
    pub summary: String,
    pub description: String,
    /// Story, Bug, Task, Tech Debt, Risk.
    pub issue_type: String,
    pub priority: String,
    /// Index into `org.people`.
    pub reporter: usize,
    pub assignee: Option<usize>,
    pub story_points: Option<f64>,
    pub labels: Vec<String>,
    pub flagged: bool,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub resolved_at: Option<Ts>,
    pub due_at: Option<Ts>,
    pub status: String,
    /// Sprint ids the ticket is (or was) in; the last one is current.
    pub sprints: Vec<i64>,
    pub links: Vec<TicketLink>,
    pub changelog: Vec<Change>,
    /// The epic it belongs to (its key), if any.
    pub parent: Option<String>,
}

impl Ticket {
    /// A new "To Do" ticket: nobody assigned, no points, no labels, in no sprint; the caller sets
    /// the rest with struct update syntax.
    pub fn todo(id: i64, key: String, team: &str, reporter: usize, created: Ts) -> Ticket {
        Ticket {
            id,
            key,
            team: team.to_string(),
            summary: String::new(),
            description: String::new(),
            issue_type: "Task".into(),
            priority: "Medium".into(),
            reporter,
            assignee: None,
            story_points: None,
            labels: Vec::new(),
            flagged: false,
            created_at: created,
            updated_at: created,
            resolved_at: None,
            due_at: None,
            status: "To Do".into(),
            sprints: Vec::new(),
            links: Vec::new(),
            changelog: Vec::new(),
            parent: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TicketLink {
    pub id: i64,
    /// "Blocks" or "Relates".
    pub link_type: String,
    /// "inward" (this ticket "is blocked by" other) or "outward" (this ticket "blocks" other).
    pub direction: String,
    pub other: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub id: i64,
    pub author: usize,
    pub at: Ts,
    pub items: Vec<ChangeItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeItem {
    pub field: String,
    pub from: Option<String>,
    pub from_string: Option<String>,
    pub to: Option<String>,
    pub to_string: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sprint {
    pub id: i64,
    pub board_id: i64,
    pub team: String,
    pub name: String,
    pub state: String,
    pub goal: String,
    pub start: Ts,
    pub end: Ts,
    pub complete: Option<Ts>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub service: String,
    pub urgency: String,
    pub priority: Option<String>,
    pub created_at: Ts,
    pub acknowledged_at: Option<Ts>,
    pub resolved_at: Option<Ts>,
    /// Indices into `org.people`.
    pub assignees: Vec<usize>,
    /// (repo index, deployment id) when a deploy caused it.
    pub caused_by: Option<(usize, i64)>,
    pub log: Vec<LogEntry>,
}

impl Incident {
    pub fn status(&self) -> &'static str {
        if self.resolved_at.is_some() {
            "resolved"
        } else if self.acknowledged_at.is_some() {
            "acknowledged"
        } else {
            "triggered"
        }
    }
}

/// Someone on call for a team's escalation policy ([`escalation_policy_id`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnCall {
    pub team: String,
    /// Index into `org.people`.
    pub person: usize,
    /// 1 is paged first.
    pub level: u8,
    /// None: always (level 2, the manager named in the policy).
    pub start: Option<Ts>,
    pub end: Option<Ts>,
}

/// The PagerDuty id of a team's escalation policy (`PEHARBO` for `harbor`).
pub fn escalation_policy_id(team: &str) -> String {
    let key: String = team
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(5)
        .collect();
    format!("PE{}", key.to_ascii_uppercase())
}

#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub id: String,
    /// trigger_log_entry, notify_log_entry, acknowledge_log_entry, annotate_log_entry, resolve_log_entry.
    pub kind: String,
    pub at: Ts,
    pub agent: Option<usize>,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    /// Index into `org.people`; None for the deploy bot.
    pub user: Option<usize>,
    pub text: String,
    pub at: Ts,
}

impl Repo {
    /// The deployments GitHub's Deployments API shows: none for a repository that delivers
    /// through Actions (its deploys are workflow runs, [`crate::actions::runs`]).
    pub fn github_deployments(&self) -> &[Deployment] {
        match self.delivery {
            Delivery::Deployments => &self.deployments,
            Delivery::Actions => &[],
        }
    }
}

impl Repo {
    /// No commits at all: GitHub answers 409 "Git Repository is empty." to its commit list.
    pub fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }
}

impl World {
    pub fn repo(&self, name: &str) -> Option<&Repo> {
        self.repos.iter().find(|r| r.name == name)
    }

    pub fn user_by_login(&self, login: &str) -> Option<usize> {
        self.users.iter().position(|u| u.login == login)
    }
}
