//! Normalized records: what a connector produces from a provider payload and the store persists.
//! Provider-neutral where the concept is shared (a pull request is a pull request on GitHub or
//! GitLab); timestamps are UTC seconds ([`Ts`]).

use crate::time::Ts;
use serde::{Deserialize, Serialize};

/// A tool Bosun reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Provider {
    /// GitHub.
    Github,
    /// GitLab (gitlab.com or self-managed).
    Gitlab,
    /// Jira.
    Jira,
    /// Linear.
    Linear,
    /// PagerDuty.
    Pagerduty,
    /// Slack.
    Slack,
    /// A local git repository.
    Git,
}

impl Provider {
    /// Its name in the store and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Provider::Github => "github",
            Provider::Gitlab => "gitlab",
            Provider::Jira => "jira",
            Provider::Linear => "linear",
            Provider::Pagerduty => "pagerduty",
            Provider::Slack => "slack",
            Provider::Git => "git",
        }
    }

    /// Its name as people write it (`PagerDuty`).
    pub const fn label(self) -> &'static str {
        match self {
            Provider::Github => "GitHub",
            Provider::Gitlab => "GitLab",
            Provider::Jira => "Jira",
            Provider::Linear => "Linear",
            Provider::Pagerduty => "PagerDuty",
            Provider::Slack => "Slack",
            Provider::Git => "git",
        }
    }

    /// The value [`Self::as_str`] names; `None` for anything else.
    pub fn parse(s: &str) -> Option<Provider> {
        Some(match s {
            "github" => Provider::Github,
            "gitlab" => Provider::Gitlab,
            "jira" => Provider::Jira,
            "linear" => Provider::Linear,
            "pagerduty" => Provider::Pagerduty,
            "slack" => Provider::Slack,
            "git" => Provider::Git,
            _ => return None,
        })
    }
}

/// An outbound action Bosun can draft. Every one is a draft until the manager approves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ActionKind {
    /// A Slack direct message to one person.
    SlackDm,
    /// A message in a Slack channel.
    SlackMessage,
    /// A comment on a pull request's conversation.
    PrComment,
    /// A comment on a ticket.
    TicketComment,
    /// Ask people to review a pull request.
    ReviewerRequest,
    /// Move a ticket to another status.
    TicketTransition,
    /// Create a ticket (a postmortem's follow-up).
    TicketCreate,
}

impl ActionKind {
    /// Every kind, in order.
    pub const ALL: [ActionKind; 7] = [
        ActionKind::SlackDm,
        ActionKind::SlackMessage,
        ActionKind::PrComment,
        ActionKind::TicketComment,
        ActionKind::ReviewerRequest,
        ActionKind::TicketTransition,
        ActionKind::TicketCreate,
    ];

    /// Its name in the store and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            ActionKind::SlackDm => "slack_dm",
            ActionKind::SlackMessage => "slack_message",
            ActionKind::PrComment => "pr_comment",
            ActionKind::TicketComment => "ticket_comment",
            ActionKind::ReviewerRequest => "reviewer_request",
            ActionKind::TicketTransition => "ticket_transition",
            ActionKind::TicketCreate => "ticket_create",
        }
    }

    /// The kind [`Self::as_str`] names.
    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The provider the action goes through.
    pub const fn provider(self) -> Provider {
        match self {
            ActionKind::SlackDm | ActionKind::SlackMessage => Provider::Slack,
            ActionKind::PrComment | ActionKind::ReviewerRequest => Provider::Github,
            ActionKind::TicketComment | ActionKind::TicketTransition | ActionKind::TicketCreate => {
                Provider::Jira
            }
        }
    }
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str()) // honours a width
    }
}

/// Where an action (a draft Bosun wrote for the manager) stands: drafted, decided, delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ActionStatus {
    /// Waiting for the manager.
    Draft,
    /// Approved, waiting to be sent (now, or after a deferral).
    Approved,
    /// Claimed by a deliverer, being sent.
    Sending,
    /// Delivered.
    Sent,
    /// Delivery failed for good.
    Failed,
    /// The manager said no.
    Rejected,
    /// The policy refused to send it.
    Denied,
    /// Its reason went away before anyone decided.
    Withdrawn,
}

impl ActionStatus {
    /// Every status, in the order an action goes through them.
    pub const ALL: [ActionStatus; 8] = [
        ActionStatus::Draft,
        ActionStatus::Approved,
        ActionStatus::Sending,
        ActionStatus::Sent,
        ActionStatus::Failed,
        ActionStatus::Rejected,
        ActionStatus::Denied,
        ActionStatus::Withdrawn,
    ];

    /// Its name in the store and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Draft => "draft",
            ActionStatus::Approved => "approved",
            ActionStatus::Sending => "sending",
            ActionStatus::Sent => "sent",
            ActionStatus::Failed => "failed",
            ActionStatus::Rejected => "rejected",
            ActionStatus::Denied => "denied",
            ActionStatus::Withdrawn => "withdrawn",
        }
    }

    /// The status [`Self::as_str`] names; `None` for anything else.
    pub fn parse(s: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl std::fmt::Display for ActionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str()) // honours a width (`{:<9}`)
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An account on one provider. `external_id` is the provider's stable id (GitHub's numeric user
/// id, a Jira accountId); `login` is the handle people see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The provider it comes from.
    pub provider: Provider,
    /// The provider's stable id for it.
    pub external_id: String,
    /// The handle people see (`octocat`).
    pub login: Option<String>,
    /// The name the account shows.
    pub display_name: Option<String>,
    /// The address the provider gives, if any.
    pub email: Option<String>,
    /// A bot (the provider says so, or a `[bot]` login).
    pub is_bot: bool,
    /// The account's profile page.
    pub html_url: Option<String>,
}

/// GitHub marks apps with a `[bot]` suffix and `type: "Bot"`; both count.
pub fn is_bot_login(login: &str) -> bool {
    login.ends_with("[bot]")
}

/// A repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repo {
    /// The provider it comes from.
    pub provider: Provider,
    /// The provider's stable id for it.
    pub external_id: String,
    /// The organisation or user that owns it.
    pub owner: String,
    /// Its name.
    pub name: String,
    /// The branch deployments come from (`main`).
    pub default_branch: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// Its page on the provider's website.
    pub html_url: Option<String>,
    /// Archived: read-only, no longer worked on.
    pub archived: bool,
}

impl Repo {
    /// `owner/name`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// One line of a CODEOWNERS file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeOwnerRule {
    /// The path pattern (gitignore syntax).
    pub pattern: String,
    /// Its owners: users and `org/team`s, without the `@`.
    pub owners: Vec<String>,
}

/// Parse a CODEOWNERS file: comments and blank lines skipped, later rules win (order kept).
pub fn parse_codeowners(text: &str) -> Vec<CodeOwnerRule> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let pattern = parts.next()?.to_string();
            let owners: Vec<String> = parts
                .map(|o| o.trim_start_matches('@').to_string())
                .collect();
            Some(CodeOwnerRule { pattern, owners })
        })
        .collect()
}

/// A git commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// The commit sha.
    pub sha: String,
    /// The git author name.
    pub author_name: Option<String>,
    /// The git author address.
    pub author_email: Option<String>,
    /// The author's provider account, when the provider links one.
    pub author: Option<Account>,
    /// When it was authored.
    pub authored_at: Ts,
    /// The git committer name.
    pub committer_name: Option<String>,
    /// The git committer address.
    pub committer_email: Option<String>,
    /// The committer's provider account, when the provider links one.
    pub committer: Option<Account>,
    /// When it was committed.
    pub committed_at: Ts,
    /// The commit message.
    pub message: String,
    /// The parents' shas (two or more for a merge).
    pub parents: Vec<String>,
    /// Its page on the provider's website.
    pub html_url: Option<String>,
}

/// Whether a pull request is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrState {
    /// Open.
    Open,
    /// Closed, merged or not.
    Closed,
}

impl PrState {
    /// Its name in the store and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            PrState::Open => "open",
            PrState::Closed => "closed",
        }
    }
}

/// A pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// The provider's stable id (not the number).
    pub external_id: String,
    /// The number in its repository (`#123`).
    pub number: i64,
    /// The title.
    pub title: String,
    /// The description (Markdown), if any.
    pub body: Option<String>,
    /// Open or closed (merged pull requests are closed).
    pub state: PrState,
    /// A draft, not ready for review.
    pub draft: bool,
    /// Merged.
    pub merged: bool,
    /// Who opened it.
    pub author: Option<Account>,
    /// When it was created.
    pub created_at: Ts,
    /// When it last changed.
    pub updated_at: Ts,
    /// When it was closed (merged or not).
    pub closed_at: Option<Ts>,
    /// When it was merged.
    pub merged_at: Option<Ts>,
    /// Who merged it.
    pub merged_by: Option<Account>,
    /// The commit the merge made on the base branch.
    pub merge_commit_sha: Option<String>,
    /// The head commit.
    pub head_sha: Option<String>,
    /// The branch it merges from.
    pub head_ref: Option<String>,
    /// The branch it merges into.
    pub base_ref: Option<String>,
    /// Lines added.
    pub additions: Option<i64>,
    /// Lines removed.
    pub deletions: Option<i64>,
    /// Files changed.
    pub changed_files: Option<i64>,
    /// Commits on it.
    pub commits_count: Option<i64>,
    /// Its labels.
    pub labels: Vec<String>,
    /// Its page on the provider's website.
    pub html_url: Option<String>,
    /// Reviewers whose review is currently requested (pending).
    pub requested_reviewers: Vec<Account>,
    /// Teams whose review is currently requested (slugs).
    pub requested_teams: Vec<String>,
}

/// A review of a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The provider's stable id for it.
    pub external_id: String,
    /// Who reviewed.
    pub reviewer: Option<Account>,
    /// APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING.
    pub state: String,
    /// When it was submitted (none while pending).
    pub submitted_at: Option<Ts>,
    /// The review's summary text, if any.
    pub body: Option<String>,
    /// The commit it reviewed.
    pub commit_sha: Option<String>,
    /// Its page on the provider's website.
    pub html_url: Option<String>,
}

/// Where a pull request comment sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentKind {
    /// A comment on a line of the diff.
    Review,
    /// A comment in the PR conversation.
    Issue,
}

impl CommentKind {
    /// Its name in the store and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            CommentKind::Review => "review",
            CommentKind::Issue => "issue",
        }
    }
}

/// A comment on a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrComment {
    /// The provider's stable id for it.
    pub external_id: String,
    /// On the diff or in the conversation.
    pub kind: CommentKind,
    /// The pull request it is on.
    pub pr_number: i64,
    /// Who wrote it, when the account is known.
    pub author: Option<Account>,
    /// The text (Markdown).
    pub body: String,
    /// The file it is on (diff comments).
    pub path: Option<String>,
    /// The line it is on (diff comments).
    pub line: Option<i64>,
    /// The comment it answers (diff comments).
    pub in_reply_to: Option<String>,
    /// The review it belongs to (diff comments).
    pub review_external_id: Option<String>,
    /// When it was created.
    pub created_at: Ts,
    /// When it last changed.
    pub updated_at: Option<Ts>,
    /// Its page on the provider's website.
    pub html_url: Option<String>,
}

/// A CI check run on a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRun {
    /// The provider's stable id for it.
    pub external_id: String,
    /// The commit it ran on.
    pub head_sha: String,
    /// The check's name (`ci / test`).
    pub name: String,
    /// queued, in_progress, completed.
    pub status: String,
    /// success, failure, neutral, cancelled, skipped, timed_out, action_required.
    pub conclusion: Option<String>,
    /// When it started.
    pub started_at: Option<Ts>,
    /// When it finished.
    pub completed_at: Option<Ts>,
    /// The app that ran it (`github-actions`).
    pub app: Option<String>,
    /// Its page on the provider's website.
    pub html_url: Option<String>,
}

/// A pull-request timeline event (ready_for_review, review_requested, convert_to_draft, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrEvent {
    /// The provider's stable id for it.
    pub external_id: String,
    /// The event (`ready_for_review`, `review_requested`, ...).
    pub event: String,
    /// Who did it.
    pub actor: Option<Account>,
    /// The account the event is about (the requested reviewer, the assignee).
    pub subject: Option<Account>,
    /// The label, or the requested team as `team:<slug>`, if any.
    pub detail: Option<String>,
    /// When it happened.
    pub created_at: Ts,
}

/// Everything about one pull request, written in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequestBundle {
    /// The pull request.
    pub pr: PullRequest,
    /// Its commits.
    pub commits: Vec<Commit>,
    /// Its reviews.
    pub reviews: Vec<Review>,
    /// The check runs on its commits.
    pub check_runs: Vec<CheckRun>,
    /// Its timeline events.
    pub events: Vec<PrEvent>,
    /// The files it changed (empty when they could not be read: the ones stored are kept).
    #[serde(default)]
    pub files: Vec<PrFile>,
}

/// A file a pull request changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrFile {
    /// Its path after the change.
    pub path: String,
    /// `added`, `modified`, `removed`, `renamed`, `copied`, `changed` or `unchanged`.
    pub status: String,
    /// Lines added.
    pub additions: i64,
    /// Lines removed.
    pub deletions: i64,
    /// Its path before, when renamed.
    pub previous_path: Option<String>,
}

/// What a deployment was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentKind {
    /// A GitHub deployment with statuses.
    GithubDeployment,
    /// A GitLab deployment to an environment: one status, where it ended.
    GitlabDeployment,
    /// A git tag matching the release pattern.
    Tag,
    /// A published release.
    Release,
    /// A run of a deploy workflow (GitHub Actions): its one status is the run's outcome
    /// ([`RunOutcome`]).
    WorkflowRun,
}

impl DeploymentKind {
    /// Its name in the store and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeploymentKind::GithubDeployment => "github_deployment",
            DeploymentKind::GitlabDeployment => "gitlab_deployment",
            DeploymentKind::Tag => "tag",
            DeploymentKind::Release => "release",
            DeploymentKind::WorkflowRun => "workflow_run",
        }
    }

    /// The kind [`Self::as_str`] names; `None` for anything else.
    pub fn parse(s: &str) -> Option<DeploymentKind> {
        [
            DeploymentKind::GithubDeployment,
            DeploymentKind::GitlabDeployment,
            DeploymentKind::Tag,
            DeploymentKind::Release,
            DeploymentKind::WorkflowRun,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// What a completed run of a deploy workflow means for delivery, from GitHub's `status` and
/// `conclusion`: `success` deployed; `failure` and `timed_out` are failed deployments (they count,
/// and they count as failed); `cancelled`, `skipped`, `neutral`, `action_required`, `stale` and
/// anything unknown deployed nothing; a run not `completed` has no outcome yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// It deployed.
    Deployed,
    /// A deployment that failed.
    Failed,
    /// It deployed nothing.
    NotDeployed,
    /// Not finished yet.
    Running,
}

impl RunOutcome {
    /// The outcome of a run with GitHub's `status` and `conclusion`.
    pub fn of(status: &str, conclusion: Option<&str>) -> RunOutcome {
        if status != "completed" {
            return RunOutcome::Running;
        }
        match conclusion {
            Some("success") => RunOutcome::Deployed,
            Some("failure" | "timed_out") => RunOutcome::Failed,
            _ => RunOutcome::NotDeployed,
        }
    }

    /// The outcome a stored workflow-run status (`state` = the run's conclusion) stands for.
    pub fn of_state(state: &str) -> RunOutcome {
        RunOutcome::of("completed", Some(state))
    }

    /// Counted as a deployment (successful or failed).
    pub fn is_deployment(self) -> bool {
        matches!(self, RunOutcome::Deployed | RunOutcome::Failed)
    }
}

/// One status of a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentStatus {
    /// The provider's stable id for it.
    pub external_id: String,
    /// queued, in_progress, success, failure, error, inactive, pending.
    pub state: String,
    /// What it says, if anything.
    pub description: Option<String>,
    /// The environment it names, if any.
    pub environment: Option<String>,
    /// When it was set.
    pub created_at: Ts,
    /// Where the deploy log is, if anywhere.
    pub log_url: Option<String>,
}

/// A deployment: a commit delivered to an environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// The provider's stable id for it.
    pub external_id: String,
    /// What it was read from.
    pub kind: DeploymentKind,
    /// The commit deployed.
    pub sha: String,
    /// The branch or tag deployed, if known.
    pub ref_name: Option<String>,
    /// The environment (`production`, `staging`).
    pub environment: String,
    /// It deploys to production.
    pub production: bool,
    /// The task (`deploy`), if any.
    pub task: Option<String>,
    /// Its description, if any.
    pub description: Option<String>,
    /// Who or what started it.
    pub creator: Option<Account>,
    /// When it was created.
    pub created_at: Ts,
    /// When its status last changed.
    pub updated_at: Option<Ts>,
    /// Provider-specific payload as JSON text (e.g. `{"rollback_of": "..."}`).
    pub payload: Option<String>,
    /// Its statuses, oldest first.
    pub statuses: Vec<DeploymentStatus>,
}

/// Environments treated as production when the provider does not say.
pub fn is_production_environment(env: &str) -> bool {
    let e = env.to_ascii_lowercase();
    e == "production"
        || e == "prod"
        || e.starts_with("production-")
        || e.starts_with("prod-")
        || e == "live"
}

/// A published release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// The provider's stable id for it.
    pub external_id: String,
    /// The tag it publishes.
    pub tag_name: String,
    /// The release's title, if any.
    pub name: Option<String>,
    /// The branch or commit it was made from.
    pub target_commitish: Option<String>,
    /// A draft, not published.
    pub draft: bool,
    /// Marked as a pre-release.
    pub prerelease: bool,
    /// When it was created.
    pub created_at: Option<Ts>,
    /// When it was published.
    pub published_at: Option<Ts>,
    /// Who published it.
    pub author: Option<Account>,
    /// The release notes (Markdown), if any.
    pub body: Option<String>,
    /// Its page on the provider's website.
    pub html_url: Option<String>,
}

/// A git tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The tag name (`v1.2.3`).
    pub name: String,
    /// The commit it points at.
    pub sha: String,
    /// Tagger date for annotated tags (local git); `None` when the provider does not say.
    pub tagged_at: Option<Ts>,
    /// An annotated tag; `None` when the provider does not say.
    pub annotated: Option<bool>,
    /// An annotated tag's message.
    pub message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codeowners_parse_keeps_order_and_strips_at() {
        let rules = parse_codeowners("# owners\n*  @org/team # everyone\n\n/src/ @alice @bob\n");
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].pattern, "*");
        assert_eq!(rules[0].owners, vec!["org/team"]);
        assert_eq!(rules[1].owners, vec!["alice", "bob"]);
    }

    #[test]
    fn run_outcomes() {
        use RunOutcome::*;
        assert_eq!(RunOutcome::of("completed", Some("success")), Deployed);
        assert_eq!(RunOutcome::of("completed", Some("failure")), Failed);
        assert_eq!(RunOutcome::of("completed", Some("timed_out")), Failed);
        for c in [
            "cancelled",
            "skipped",
            "neutral",
            "action_required",
            "stale",
            "startup_failure",
        ] {
            assert_eq!(RunOutcome::of("completed", Some(c)), NotDeployed, "{c}");
        }
        assert_eq!(RunOutcome::of("completed", None), NotDeployed);
        assert_eq!(RunOutcome::of("in_progress", None), Running);
        assert_eq!(RunOutcome::of("queued", Some("success")), Running);
        assert!(Deployed.is_deployment() && Failed.is_deployment());
        assert!(!NotDeployed.is_deployment() && !Running.is_deployment());
    }

    #[test]
    fn production_environments() {
        assert!(is_production_environment("production"));
        assert!(is_production_environment("Prod-EU"));
        assert!(!is_production_environment("staging"));
        assert!(!is_production_environment("preview-123"));
    }
}

// ---------------------------------------------------------------------------------------------
// Planning: tickets and sprints (Jira)
// ---------------------------------------------------------------------------------------------

/// The Flow Framework's work types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkType {
    /// New value for users.
    Feature,
    /// A fix of something broken.
    Defect,
    /// Security, compliance, risk reduction.
    Risk,
    /// Technical debt paid down.
    Debt,
    /// Anything else.
    Other,
}

impl WorkType {
    /// Its name in the store and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            WorkType::Feature => "feature",
            WorkType::Defect => "defect",
            WorkType::Risk => "risk",
            WorkType::Debt => "debt",
            WorkType::Other => "other",
        }
    }
}

/// Where a status sits in the flow: not started, being worked, waiting, finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusCategory {
    /// Not started.
    Todo,
    /// Being worked on.
    Active,
    /// Waiting (review, blocked, ...).
    Waiting,
    /// Finished.
    Done,
}

impl StatusCategory {
    /// Its name in the store and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            StatusCategory::Todo => "todo",
            StatusCategory::Active => "active",
            StatusCategory::Waiting => "waiting",
            StatusCategory::Done => "done",
        }
    }

    /// The value [`Self::as_str`] names; `None` for anything else.
    pub fn parse(s: &str) -> Option<StatusCategory> {
        Some(match s {
            "todo" => StatusCategory::Todo,
            "active" => StatusCategory::Active,
            "waiting" => StatusCategory::Waiting,
            "done" => StatusCategory::Done,
            _ => return None,
        })
    }
}

/// One field change in a ticket's changelog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketChange {
    /// Unique per ticket: the changelog history id and the item's index.
    pub external_id: String,
    /// Who made the change.
    pub author: Option<Account>,
    /// When.
    pub created_at: Ts,
    /// The field changed (`status`, `assignee`, `Sprint`, ...).
    pub field: String,
    /// The id before, if any.
    pub from_value: Option<String>,
    /// The text before, if any.
    pub from_string: Option<String>,
    /// The id after, if any.
    pub to_value: Option<String>,
    /// The text after, if any.
    pub to_string: Option<String>,
}

/// A link from a ticket to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketLink {
    /// The link type's name ("Blocks", "Relates").
    pub link_type: String,
    /// "inward" (this ticket "is blocked by" the other) or "outward" (this ticket "blocks" it).
    pub direction: String,
    /// The phrase for this direction ("is blocked by").
    pub description: Option<String>,
    /// The other ticket's key.
    pub other_key: String,
}

/// A stay in one status, reconstructed from the changelog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusPeriod {
    /// The status's name.
    pub status: String,
    /// Where that status sits in the flow.
    pub category: StatusCategory,
    /// When the ticket entered it.
    pub entered_at: Ts,
    /// When it left (none while still there).
    pub left_at: Option<Ts>,
}

/// A stay in one sprint, reconstructed from the changelog's Sprint field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SprintStay {
    /// The sprint.
    pub sprint_external_id: String,
    /// When the ticket was added (none when it was there from the start).
    pub added_at: Option<Ts>,
    /// When it was removed (none while still there).
    pub removed_at: Option<Ts>,
}

/// A ticket (a Jira issue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// The provider's stable id for it.
    pub external_id: String,
    /// The key people use (`PAY-1042`).
    pub key: String,
    /// Its project (`PAY`).
    pub project_key: Option<String>,
    /// The title.
    pub summary: String,
    /// The description, if any.
    pub description: Option<String>,
    /// The issue type as the provider names it (`Story`, `Bug`).
    pub issue_type: Option<String>,
    /// The Flow Framework type.
    pub work_type: WorkType,
    /// The current status's name.
    pub status: Option<String>,
    /// Where the current status sits in the flow.
    pub status_category: StatusCategory,
    /// The priority, as the provider names it.
    pub priority: Option<String>,
    /// Who it is assigned to.
    pub assignee: Option<Account>,
    /// Who reported it.
    pub reporter: Option<Account>,
    /// Its estimate in story points.
    pub story_points: Option<f64>,
    /// Flagged (Jira's impediment flag).
    pub flagged: bool,
    /// Its labels.
    pub labels: Vec<String>,
    /// Its components (names).
    #[serde(default)]
    pub components: Vec<String>,
    /// The epic or parent ticket.
    pub parent_key: Option<String>,
    /// When it was created.
    pub created_at: Ts,
    /// When it last changed.
    pub updated_at: Ts,
    /// When it was resolved.
    pub resolved_at: Option<Ts>,
    /// When it is due.
    pub due_at: Option<Ts>,
    /// Its page on the provider's website.
    pub html_url: Option<String>,
    /// Links to other tickets.
    pub links: Vec<TicketLink>,
    /// The changelog.
    pub changes: Vec<TicketChange>,
    /// Its stays in each status, in order.
    pub status_periods: Vec<StatusPeriod>,
    /// Its stays in sprints, in order.
    pub sprint_stays: Vec<SprintStay>,
}

/// A sprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sprint {
    /// The provider's stable id for it.
    pub external_id: String,
    /// The board it belongs to.
    pub board_id: Option<String>,
    /// Its name.
    pub name: String,
    /// future, active, closed.
    pub state: String,
    /// The sprint goal, if any.
    pub goal: Option<String>,
    /// When it starts.
    pub start_at: Option<Ts>,
    /// When it is planned to end.
    pub end_at: Option<Ts>,
    /// When it was completed.
    pub complete_at: Option<Ts>,
}

// ---------------------------------------------------------------------------------------------
// Operations: services and incidents (PagerDuty)
// ---------------------------------------------------------------------------------------------

/// A service incidents are raised on (PagerDuty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// The provider it comes from.
    pub provider: Provider,
    /// The provider's stable id for it.
    pub external_id: String,
    /// Its name.
    pub name: String,
    /// Its page on the provider's website.
    pub html_url: Option<String>,
    /// The escalation policy that pages for it (the provider's id), when known.
    pub escalation_policy: Option<String>,
}

/// Someone on call: one level of an escalation policy, from `start` to `end` (PagerDuty's
/// `/oncalls`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnCallShift {
    /// The provider it comes from.
    pub provider: Provider,
    /// Who is on call.
    pub user: Account,
    /// The escalation policy (the provider's id) and its name.
    pub policy: String,
    /// The policy's name, when given.
    pub policy_name: Option<String>,
    /// 1 is paged first.
    pub level: i64,
    /// The schedule behind it (none for a person named in the policy directly).
    pub schedule: Option<String>,
    /// The schedule's name, when given.
    pub schedule_name: Option<String>,
    /// When it starts; `None`: always (a person named in the policy).
    pub start: Option<Ts>,
    /// When it ends; `None`: never.
    pub end: Option<Ts>,
}

/// One entry of an incident's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentLogEntry {
    /// The provider's stable id for it.
    pub external_id: String,
    /// trigger, acknowledge, annotate, resolve, notify, assign, escalate, ...
    pub kind: String,
    /// When it happened.
    pub created_at: Ts,
    /// Who did it, when a person.
    pub agent: Option<Account>,
    /// What it says.
    pub summary: Option<String>,
}

/// An incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// The provider it comes from.
    pub provider: Provider,
    /// The provider's stable id for it.
    pub external_id: String,
    /// Its number on the provider (`#1234`).
    pub number: Option<i64>,
    /// The title.
    pub title: String,
    /// triggered, acknowledged, resolved.
    pub status: String,
    /// `high` or `low`.
    pub urgency: Option<String>,
    /// The priority, as the provider names it.
    pub priority: Option<String>,
    /// The service it is on.
    pub service_external_id: Option<String>,
    /// When it was created.
    pub created_at: Ts,
    /// When someone acknowledged it.
    pub acknowledged_at: Option<Ts>,
    /// When it was resolved.
    pub resolved_at: Option<Ts>,
    /// Its page on the provider's website.
    pub html_url: Option<String>,
    /// (assignee, assigned at).
    pub assignees: Vec<(Account, Option<Ts>)>,
    /// Its log, oldest first.
    pub log: Vec<IncidentLogEntry>,
}

// ---------------------------------------------------------------------------------------------
// Chat (Slack)
// ---------------------------------------------------------------------------------------------

/// A chat channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatChannel {
    /// The provider it comes from.
    pub provider: Provider,
    /// The provider's stable id for it.
    pub external_id: String,
    /// Its name.
    pub name: String,
    /// The channel's purpose, if set.
    pub purpose: Option<String>,
}

/// A chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// The message's id within its channel (Slack's `ts`).
    pub ts: String,
    /// The thread it replies in (its first message's `ts`).
    pub thread_ts: Option<String>,
    /// Who posted it.
    pub author: Option<Account>,
    /// The text.
    pub text: String,
    /// When it was posted.
    pub posted_at: Ts,
    /// Replies in its thread (on a thread's first message).
    pub reply_count: Option<i64>,
    /// When it was last edited, if it was.
    pub edited_at: Option<Ts>,
}
