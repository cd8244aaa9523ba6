//! Normalized records: what a connector produces from a provider payload and the store persists.
//! Provider-neutral where the concept is shared (a pull request is a pull request on GitHub or
//! GitLab); timestamps are UTC seconds ([`Ts`]).

use crate::time::Ts;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Github,
    Jira,
    Pagerduty,
    Slack,
    Git,
}

impl Provider {
    pub const fn as_str(self) -> &'static str {
        match self {
            Provider::Github => "github",
            Provider::Jira => "jira",
            Provider::Pagerduty => "pagerduty",
            Provider::Slack => "slack",
            Provider::Git => "git",
        }
    }

    pub fn parse(s: &str) -> Option<Provider> {
        Some(match s {
            "github" => Provider::Github,
            "jira" => Provider::Jira,
            "pagerduty" => Provider::Pagerduty,
            "slack" => Provider::Slack,
            "git" => Provider::Git,
            _ => return None,
        })
    }
}

/// An account on one provider. `external_id` is the provider's stable id (GitHub's numeric user
/// id, a Jira accountId); `login` is the handle people see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub provider: Provider,
    pub external_id: String,
    pub login: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub is_bot: bool,
    pub html_url: Option<String>,
}

/// GitHub marks apps with a `[bot]` suffix and `type: "Bot"`; both count.
pub fn is_bot_login(login: &str) -> bool {
    login.ends_with("[bot]")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repo {
    pub provider: Provider,
    pub external_id: String,
    pub owner: String,
    pub name: String,
    pub default_branch: String,
    pub description: Option<String>,
    pub html_url: Option<String>,
    pub archived: bool,
}

impl Repo {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// One line of a CODEOWNERS file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeOwnerRule {
    pub pattern: String,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    pub sha: String,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub author: Option<Account>,
    pub authored_at: Ts,
    pub committer_name: Option<String>,
    pub committer_email: Option<String>,
    pub committer: Option<Account>,
    pub committed_at: Ts,
    pub message: String,
    pub parents: Vec<String>,
    pub html_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrState {
    Open,
    Closed,
}

impl PrState {
    pub const fn as_str(self) -> &'static str {
        match self {
            PrState::Open => "open",
            PrState::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    pub external_id: String,
    pub number: i64,
    pub title: String,
    pub body: Option<String>,
    pub state: PrState,
    pub draft: bool,
    pub merged: bool,
    pub author: Option<Account>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub closed_at: Option<Ts>,
    pub merged_at: Option<Ts>,
    pub merged_by: Option<Account>,
    pub merge_commit_sha: Option<String>,
    pub head_sha: Option<String>,
    pub head_ref: Option<String>,
    pub base_ref: Option<String>,
    pub additions: Option<i64>,
    pub deletions: Option<i64>,
    pub changed_files: Option<i64>,
    pub commits_count: Option<i64>,
    pub labels: Vec<String>,
    pub html_url: Option<String>,
    /// Reviewers whose review is currently requested (pending).
    pub requested_reviewers: Vec<Account>,
    pub requested_teams: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub external_id: String,
    pub reviewer: Option<Account>,
    /// APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING.
    pub state: String,
    pub submitted_at: Option<Ts>,
    pub body: Option<String>,
    pub commit_sha: Option<String>,
    pub html_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentKind {
    /// A comment on a line of the diff.
    Review,
    /// A comment in the PR conversation.
    Issue,
}

impl CommentKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            CommentKind::Review => "review",
            CommentKind::Issue => "issue",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrComment {
    pub external_id: String,
    pub kind: CommentKind,
    pub pr_number: i64,
    pub author: Option<Account>,
    pub body: String,
    pub path: Option<String>,
    pub line: Option<i64>,
    pub in_reply_to: Option<String>,
    pub review_external_id: Option<String>,
    pub created_at: Ts,
    pub updated_at: Option<Ts>,
    pub html_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRun {
    pub external_id: String,
    pub head_sha: String,
    pub name: String,
    /// queued, in_progress, completed.
    pub status: String,
    /// success, failure, neutral, cancelled, skipped, timed_out, action_required.
    pub conclusion: Option<String>,
    pub started_at: Option<Ts>,
    pub completed_at: Option<Ts>,
    pub app: Option<String>,
    pub html_url: Option<String>,
}

/// A pull-request timeline event (ready_for_review, review_requested, convert_to_draft, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrEvent {
    pub external_id: String,
    pub event: String,
    pub actor: Option<Account>,
    /// The account the event is about (the requested reviewer, the assignee).
    pub subject: Option<Account>,
    pub detail: Option<String>,
    pub created_at: Ts,
}

/// Everything about one pull request, written in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequestBundle {
    pub pr: PullRequest,
    pub commits: Vec<Commit>,
    pub reviews: Vec<Review>,
    pub check_runs: Vec<CheckRun>,
    pub events: Vec<PrEvent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentKind {
    /// A GitHub deployment with statuses.
    GithubDeployment,
    /// A git tag matching the release pattern.
    Tag,
    /// A published release.
    Release,
    /// A run of a deploy workflow (GitHub Actions): its one status is the run's outcome
    /// ([`RunOutcome`]).
    WorkflowRun,
}

impl DeploymentKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            DeploymentKind::GithubDeployment => "github_deployment",
            DeploymentKind::Tag => "tag",
            DeploymentKind::Release => "release",
            DeploymentKind::WorkflowRun => "workflow_run",
        }
    }
}

/// What a completed run of a deploy workflow means for delivery, from GitHub's `status` and
/// `conclusion`: `success` deployed; `failure` and `timed_out` are failed deployments (they count,
/// and they count as failed); `cancelled`, `skipped`, `neutral`, `action_required`, `stale` and
/// anything unknown deployed nothing; a run not `completed` has no outcome yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    Deployed,
    Failed,
    NotDeployed,
    Running,
}

impl RunOutcome {
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentStatus {
    pub external_id: String,
    /// queued, in_progress, success, failure, error, inactive, pending.
    pub state: String,
    pub description: Option<String>,
    pub environment: Option<String>,
    pub created_at: Ts,
    pub log_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    pub external_id: String,
    pub kind: DeploymentKind,
    pub sha: String,
    pub ref_name: Option<String>,
    pub environment: String,
    pub production: bool,
    pub task: Option<String>,
    pub description: Option<String>,
    pub creator: Option<Account>,
    pub created_at: Ts,
    pub updated_at: Option<Ts>,
    /// Provider-specific payload as JSON text (e.g. `{"rollback_of": "..."}`).
    pub payload: Option<String>,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub external_id: String,
    pub tag_name: String,
    pub name: Option<String>,
    pub target_commitish: Option<String>,
    pub draft: bool,
    pub prerelease: bool,
    pub created_at: Option<Ts>,
    pub published_at: Option<Ts>,
    pub author: Option<Account>,
    pub body: Option<String>,
    pub html_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub name: String,
    pub sha: String,
    /// Tagger date for annotated tags (local git); `None` when the provider does not say.
    pub tagged_at: Option<Ts>,
    pub annotated: Option<bool>,
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
    Feature,
    Defect,
    Risk,
    Debt,
    Other,
}

impl WorkType {
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
    Todo,
    Active,
    Waiting,
    Done,
}

impl StatusCategory {
    pub const fn as_str(self) -> &'static str {
        match self {
            StatusCategory::Todo => "todo",
            StatusCategory::Active => "active",
            StatusCategory::Waiting => "waiting",
            StatusCategory::Done => "done",
        }
    }

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketChange {
    /// Unique per ticket: the changelog history id and the item's index.
    pub external_id: String,
    pub author: Option<Account>,
    pub created_at: Ts,
    pub field: String,
    pub from_value: Option<String>,
    pub from_string: Option<String>,
    pub to_value: Option<String>,
    pub to_string: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketLink {
    /// The link type's name ("Blocks", "Relates").
    pub link_type: String,
    /// "inward" (this ticket "is blocked by" the other) or "outward" (this ticket "blocks" it).
    pub direction: String,
    /// The phrase for this direction ("is blocked by").
    pub description: Option<String>,
    pub other_key: String,
}

/// A stay in one status, reconstructed from the changelog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusPeriod {
    pub status: String,
    pub category: StatusCategory,
    pub entered_at: Ts,
    pub left_at: Option<Ts>,
}

/// A stay in one sprint, reconstructed from the changelog's Sprint field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SprintStay {
    pub sprint_external_id: String,
    pub added_at: Option<Ts>,
    pub removed_at: Option<Ts>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub external_id: String,
    pub key: String,
    pub project_key: Option<String>,
    pub summary: String,
    pub description: Option<String>,
    pub issue_type: Option<String>,
    pub work_type: WorkType,
    pub status: Option<String>,
    pub status_category: StatusCategory,
    pub priority: Option<String>,
    pub assignee: Option<Account>,
    pub reporter: Option<Account>,
    pub story_points: Option<f64>,
    pub flagged: bool,
    pub labels: Vec<String>,
    pub parent_key: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub resolved_at: Option<Ts>,
    pub due_at: Option<Ts>,
    pub html_url: Option<String>,
    pub links: Vec<TicketLink>,
    pub changes: Vec<TicketChange>,
    pub status_periods: Vec<StatusPeriod>,
    pub sprint_stays: Vec<SprintStay>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sprint {
    pub external_id: String,
    pub board_id: Option<String>,
    pub name: String,
    /// future, active, closed.
    pub state: String,
    pub goal: Option<String>,
    pub start_at: Option<Ts>,
    pub end_at: Option<Ts>,
    pub complete_at: Option<Ts>,
}

// ---------------------------------------------------------------------------------------------
// Operations: services and incidents (PagerDuty)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub provider: Provider,
    pub external_id: String,
    pub name: String,
    pub html_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentLogEntry {
    pub external_id: String,
    /// trigger, acknowledge, annotate, resolve, notify, assign, escalate, ...
    pub kind: String,
    pub created_at: Ts,
    pub agent: Option<Account>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub provider: Provider,
    pub external_id: String,
    pub number: Option<i64>,
    pub title: String,
    /// triggered, acknowledged, resolved.
    pub status: String,
    pub urgency: Option<String>,
    pub priority: Option<String>,
    pub service_external_id: Option<String>,
    pub created_at: Ts,
    pub acknowledged_at: Option<Ts>,
    pub resolved_at: Option<Ts>,
    pub html_url: Option<String>,
    /// (assignee, assigned at).
    pub assignees: Vec<(Account, Option<Ts>)>,
    pub log: Vec<IncidentLogEntry>,
}

// ---------------------------------------------------------------------------------------------
// Chat (Slack)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatChannel {
    pub provider: Provider,
    pub external_id: String,
    pub name: String,
    pub purpose: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// The message's id within its channel (Slack's `ts`).
    pub ts: String,
    pub thread_ts: Option<String>,
    pub author: Option<Account>,
    pub text: String,
    pub posted_at: Ts,
    pub reply_count: Option<i64>,
}
