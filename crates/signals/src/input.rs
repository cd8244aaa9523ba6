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
    /// The metrics' dataset.
    pub data: &'a Dataset,
    /// What only the signals read.
    pub extra: &'a Extra,
}

/// What the signals read beyond the metrics' dataset.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// By repository id.
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
    /// By person id.
    pub people: HashMap<i64, PersonExtra>,
    /// The teams.
    pub teams: Vec<TeamExtra>,
    /// Documents naming what their repositories removed or renamed (the app reads the docs
    /// and the local repositories' history).
    pub stale_docs: Vec<StaleDocInput>,
}

/// A document with stale references.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StaleDocInput {
    /// The indexed folder (its name).
    pub folder: String,
    /// The file, relative to the folder.
    pub path: String,
    /// The team owning the repository the references point into.
    pub team: Option<String>,
    /// Who should fix it: the author of the latest change (a person's store id), when linked.
    pub owner: Option<i64>,
    /// The Jira project a fix ticket goes in (the team's).
    pub project: Option<String>,
    /// What it names that is gone, by line.
    pub refs: Vec<StaleRefInput>,
    /// When the document was last edited (its file's modification time), when known.
    pub edited: Option<Ts>,
}

/// What a stale reference names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StaleKind {
    /// A file of a repository.
    #[default]
    Path,
    /// An environment variable or constant.
    EnvVar,
    /// A make target.
    MakeTarget,
    /// An HTTP endpoint.
    Endpoint,
    /// A configuration key.
    ConfigKey,
    /// A long option of a script that is still there ([`StaleRefInput::of`]).
    ScriptOption,
    /// A service of the incident tool (PagerDuty), renamed or deleted there.
    Service,
}

impl StaleKind {
    /// The code evidence and JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            StaleKind::Path => "path",
            StaleKind::EnvVar => "env_var",
            StaleKind::MakeTarget => "make_target",
            StaleKind::Endpoint => "endpoint",
            StaleKind::ConfigKey => "config_key",
            StaleKind::ScriptOption => "script_option",
            StaleKind::Service => "service",
        }
    }

    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            StaleKind::Path => "file",
            StaleKind::EnvVar => "variable",
            StaleKind::MakeTarget => "make target",
            StaleKind::Endpoint => "endpoint",
            StaleKind::ConfigKey => "configuration key",
            StaleKind::ScriptOption => "option",
            StaleKind::Service => "service",
        }
    }
}

/// One stale reference and the change that made it stale: a commit, or for a service what
/// Bosun saw of it in the incident tool.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StaleRefInput {
    /// What it names.
    pub kind: StaleKind,
    /// As the document writes it.
    pub name: String,
    /// 1-based line of the document.
    pub line: usize,
    /// For an option, the script it is given to.
    pub of: Option<String>,
    /// The repository (its name) whose history removed or renamed it; for a service, the
    /// incident tool (`PagerDuty`).
    pub repo: String,
    /// The commit that removed or renamed it; for a service, its id in the incident tool.
    pub sha: String,
    /// When that commit was authored; for a service, when Bosun first saw it renamed or gone.
    pub at: Ts,
    /// The commit's subject line; for a service, its page in the incident tool.
    pub summary: String,
    /// What it became, when it was renamed.
    pub renamed_to: Option<String>,
}

/// What the signals know of a repository beyond the dataset.
#[derive(Debug, Clone, Default)]
pub struct RepoExtra {
    /// Its page.
    pub html_url: Option<String>,
    /// CODEOWNERS rules in file order (later rules win).
    pub code_owners: Vec<OwnerRule>,
}

/// One CODEOWNERS rule.
#[derive(Debug, Clone)]
pub struct OwnerRule {
    /// The path pattern.
    pub pattern: String,
    /// Logins (`alice`) and team slugs (`org/team`), as written.
    pub owners: Vec<String>,
}

/// What the signals know of a pull request beyond the dataset.
#[derive(Debug, Clone, Default)]
pub struct PrExtra {
    /// Its page.
    pub html_url: Option<String>,
    /// Its branch.
    pub head_ref: Option<String>,
    /// (person, when their review was last requested).
    pub requested_at: Vec<(i64, Ts)>,
    /// The latest commit, review, comment or timeline event.
    pub last_activity: Option<Ts>,
    /// Files the PR is known to touch (from its review comments).
    pub paths: Vec<String>,
}

/// A CI check run.
#[derive(Debug, Clone)]
pub struct CheckRun {
    /// The commit it ran on.
    pub sha: String,
    /// The check's name.
    pub name: String,
    /// success, failure, timed_out, cancelled, ... (`None` while running).
    pub conclusion: Option<String>,
    /// When it started.
    pub started_at: Option<Ts>,
    /// When it finished.
    pub completed_at: Option<Ts>,
    /// Its page.
    pub html_url: Option<String>,
}

impl CheckRun {
    /// It failed (`failure`, `timed_out`, `startup_failure`).
    pub fn failed(&self) -> bool {
        matches!(
            self.conclusion.as_deref(),
            Some("failure" | "timed_out" | "startup_failure")
        )
    }

    /// It passed.
    pub fn passed(&self) -> bool {
        self.conclusion.as_deref() == Some("success")
    }

    /// When it finished (or started, while running).
    pub fn at(&self) -> Ts {
        self.completed_at.or(self.started_at).unwrap_or(0)
    }
}

/// What the signals know of a ticket beyond the dataset.
#[derive(Debug, Clone, Default)]
pub struct TicketExtra {
    /// Its page.
    pub html_url: Option<String>,
    /// Its labels.
    pub labels: Vec<String>,
    /// When it is due.
    pub due_at: Option<Ts>,
    /// Its priority.
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

/// What the signals know of an incident beyond the dataset.
#[derive(Debug, Clone, Default)]
pub struct IncidentExtra {
    /// Its number on the provider.
    pub number: Option<i64>,
    /// triggered, acknowledged, resolved.
    pub status: String,
    /// Its page.
    pub html_url: Option<String>,
    /// The service's name.
    pub service_name: Option<String>,
    /// The team owning the service.
    pub team: Option<String>,
    /// Who it is assigned to (person ids).
    pub assignees: Vec<i64>,
}

/// How a deployment ended.
#[derive(Debug, Clone, Default)]
pub struct DeploymentExtra {
    /// The last status: success, failure, error, in_progress, ... (a workflow run's: its
    /// conclusion, such as timed_out or cancelled).
    pub state: String,
    /// When its last status was set.
    pub at: Ts,
    /// Its log or page.
    pub url: Option<String>,
}

impl DeploymentExtra {
    /// It failed (`failure`, `error`, `timed_out`).
    pub fn failed(&self) -> bool {
        matches!(self.state.as_str(), "failure" | "error" | "timed_out")
    }
}

/// A chat message.
#[derive(Debug, Clone)]
pub struct ChatMessage {
    /// Its store id.
    pub id: i64,
    /// Channel name, without `#`.
    pub channel: String,
    /// Its id in the channel (Slack's `ts`).
    pub ts: String,
    /// Who posted it (person id).
    pub author: Option<i64>,
    /// The text.
    pub text: String,
    /// When it was posted.
    pub posted_at: Ts,
    /// Its permalink.
    pub url: Option<String>,
}

/// What the signals know of a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonExtra {
    /// Their name.
    pub name: String,
    /// Minutes east of UTC, when known.
    pub utc_offset_minutes: Option<i32>,
    /// Their Slack user id.
    pub slack_id: Option<String>,
    /// Their GitHub login.
    pub github_login: Option<String>,
    /// Their Jira account id.
    pub jira_account: Option<String>,
    /// Their team (a team key).
    pub team: Option<String>,
    /// A bot.
    pub is_bot: bool,
}

/// A team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamExtra {
    /// Its key.
    pub key: String,
    /// Its name.
    pub name: String,
    /// Its manager (person id).
    pub manager: Option<i64>,
    /// Its members (person ids).
    pub members: Vec<i64>,
    /// Slack channels (names) of the team.
    pub channels: Vec<String>,
}

impl Extra {
    /// A person's name (`someone` when unknown).
    pub fn person_name(&self, id: Option<i64>) -> String {
        id.and_then(|p| self.people.get(&p))
            .map_or_else(|| "someone".to_string(), |p| p.name.clone())
    }

    /// The team with this key.
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

    /// A person's time zone, minutes east of UTC, when known.
    pub fn person_offset_minutes(&self, id: Option<i64>) -> Option<i32> {
        id.and_then(|p| self.people.get(&p))
            .and_then(|p| p.utc_offset_minutes)
    }
}
