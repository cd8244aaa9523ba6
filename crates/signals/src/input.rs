//! What the detectors read beyond the metrics [`Dataset`]: URLs, review request times, check runs,
//! code owners, ticket labels and due dates, incident states, deployment outcomes, recent chat,
//! people's time zones and chat handles, and the teams. The app loads it from the store; tests
//! build it by hand. Ids are store row ids.

use bosun_core::time::Ts;
use bosun_metrics::data::Dataset;
use std::collections::HashMap;

/// Everything a detector may read.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    pub data: &'a Dataset,
    pub extra: &'a Extra,
}

#[derive(Debug, Clone, Default)]
pub struct Extra {
    pub repos: HashMap<i64, RepoExtra>,
    /// By pull request id.
    pub prs: HashMap<i64, PrExtra>,
    /// By repository id: every check run, in any order.
    pub checks: HashMap<i64, Vec<CheckRun>>,
    /// By ticket id.
    pub tickets: HashMap<i64, TicketExtra>,
    /// By incident id.
    pub incidents: HashMap<i64, IncidentExtra>,
    /// By deployment id: how its last status ended.
    pub deployments: HashMap<i64, DeploymentExtra>,
    /// Recent chat messages (the loader keeps the chat window).
    pub messages: Vec<ChatMessage>,
    pub people: HashMap<i64, PersonExtra>,
    pub teams: Vec<TeamExtra>,
}

#[derive(Debug, Clone, Default)]
pub struct RepoExtra {
    pub html_url: Option<String>,
    /// CODEOWNERS rules in file order (later rules win).
    pub code_owners: Vec<OwnerRule>,
}

#[derive(Debug, Clone)]
pub struct OwnerRule {
    pub pattern: String,
    /// Logins (`alice`) and team slugs (`org/team`), as written.
    pub owners: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PrExtra {
    pub html_url: Option<String>,
    pub head_ref: Option<String>,
    /// (person, when their review was last requested).
    pub requested_at: Vec<(i64, Ts)>,
    /// The latest commit, review, comment or timeline event.
    pub last_activity: Option<Ts>,
    /// Files the PR is known to touch (from its review comments).
    pub paths: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CheckRun {
    pub sha: String,
    pub name: String,
    /// success, failure, timed_out, cancelled, ... (`None` while running).
    pub conclusion: Option<String>,
    pub started_at: Option<Ts>,
    pub completed_at: Option<Ts>,
    pub html_url: Option<String>,
}

impl CheckRun {
    pub fn failed(&self) -> bool {
        matches!(
            self.conclusion.as_deref(),
            Some("failure" | "timed_out" | "startup_failure")
        )
    }

    pub fn passed(&self) -> bool {
        self.conclusion.as_deref() == Some("success")
    }

    /// When it finished (or started, while running).
    pub fn at(&self) -> Ts {
        self.completed_at.or(self.started_at).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Default)]
pub struct TicketExtra {
    pub html_url: Option<String>,
    pub labels: Vec<String>,
    pub due_at: Option<Ts>,
    pub priority: Option<String>,
    /// The latest changelog entry (status, assignee, fields, links).
    pub last_change_at: Option<Ts>,
    /// When the current flag was raised (the last `Flagged` change), when known.
    pub flagged_at: Option<Ts>,
    /// When each "is blocked by" link was added (key → time), when the changelog says.
    pub blocked_link_at: HashMap<String, Ts>,
    /// When a blocking label was added, when known.
    pub blocked_label_at: Option<Ts>,
}

#[derive(Debug, Clone, Default)]
pub struct IncidentExtra {
    pub number: Option<i64>,
    /// triggered, acknowledged, resolved.
    pub status: String,
    pub html_url: Option<String>,
    pub service_name: Option<String>,
    /// The team owning the service.
    pub team: Option<String>,
    pub assignees: Vec<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct DeploymentExtra {
    /// The last status: success, failure, error, in_progress, ... (a workflow run's: its
    /// conclusion, such as timed_out or cancelled).
    pub state: String,
    pub at: Ts,
    pub url: Option<String>,
}

impl DeploymentExtra {
    pub fn failed(&self) -> bool {
        matches!(self.state.as_str(), "failure" | "error" | "timed_out")
    }
}

#[derive(Debug, Clone)]
pub struct ChatMessage {
    pub id: i64,
    /// Channel name, without `#`.
    pub channel: String,
    pub ts: String,
    pub author: Option<i64>,
    pub text: String,
    pub posted_at: Ts,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonExtra {
    pub name: String,
    /// Minutes east of UTC, when known.
    pub utc_offset_minutes: Option<i32>,
    pub slack_id: Option<String>,
    pub github_login: Option<String>,
    pub jira_account: Option<String>,
    pub team: Option<String>,
    pub is_bot: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamExtra {
    pub key: String,
    pub name: String,
    pub manager: Option<i64>,
    pub members: Vec<i64>,
    /// Slack channels (names) of the team.
    pub channels: Vec<String>,
}

impl Extra {
    pub fn person_name(&self, id: Option<i64>) -> String {
        id.and_then(|p| self.people.get(&p))
            .map_or_else(|| "someone".to_string(), |p| p.name.clone())
    }

    pub fn team(&self, key: &str) -> Option<&TeamExtra> {
        self.teams.iter().find(|t| t.key == key)
    }

    /// A team's time zone: its manager's, else UTC.
    pub fn team_offset_minutes(&self, key: Option<&str>) -> i32 {
        key.and_then(|k| self.team(k))
            .and_then(|t| t.manager)
            .and_then(|m| self.people.get(&m))
            .and_then(|p| p.utc_offset_minutes)
            .unwrap_or(0)
    }

    pub fn person_offset_minutes(&self, id: Option<i64>) -> Option<i32> {
        id.and_then(|p| self.people.get(&p))
            .and_then(|p| p.utc_offset_minutes)
    }
}
