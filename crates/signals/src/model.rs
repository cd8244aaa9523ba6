//! What a signal is: a kind, a severity, the subject it is about, a one-line "why am I seeing
//! this", the records behind it and what the manager could do about it.

use bosun_core::time::Ts;
use serde::{Deserialize, Serialize};

/// What a signal is about; one detector each (see `docs/signals.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A ready pull request has waited too long for a human review.
    ReviewWaiting,
    /// An approved pull request stays unmerged.
    ApprovedUnmerged,
    /// A pull request's checks have been failing for a while.
    FailingChecks,
    /// A pull request too large to review well.
    OversizedPr,
    /// A pull request nobody touched for days.
    StalePr,
    /// One reviewer does much more than their share of a team's reviews.
    ReviewLoadImbalance,
    /// A ticket blocked for a while.
    TicketBlocked,
    /// A ticket in progress with no activity.
    TicketNoActivity,
    /// A ticket in progress longer than the team usually takes.
    TicketAging,
    /// Work added to a sprint after it started.
    SprintScopeCreep,
    /// A sprint unlikely to finish (Monte Carlo forecast).
    SprintAtRisk,
    /// An incident not resolved.
    IncidentOpen,
    /// Incident follow-up tickets past their due date.
    IncidentFollowupsOverdue,
    /// The same incident again and again on a service.
    RepeatIncidents,
    /// A check that fails, then passes on a re-run of the same commit.
    FlakyCheck,
    /// A repository's latest production deployments all failed.
    DeployFailureStreak,
    /// Code only one person has worked on lately.
    BusFactor,
    /// A chat message naming a blocker.
    ChatBlocker,
    /// A working agreement (a rule in the policy bundle) was broken.
    WorkingAgreement,
    /// A document names files, variables or make targets its repositories removed or renamed.
    StaleDoc,
}

impl Kind {
    /// Every kind, in order.
    pub const ALL: [Kind; 20] = [
        Kind::ReviewWaiting,
        Kind::ApprovedUnmerged,
        Kind::FailingChecks,
        Kind::OversizedPr,
        Kind::StalePr,
        Kind::ReviewLoadImbalance,
        Kind::TicketBlocked,
        Kind::TicketNoActivity,
        Kind::TicketAging,
        Kind::SprintScopeCreep,
        Kind::SprintAtRisk,
        Kind::IncidentOpen,
        Kind::IncidentFollowupsOverdue,
        Kind::RepeatIncidents,
        Kind::FlakyCheck,
        Kind::DeployFailureStreak,
        Kind::BusFactor,
        Kind::ChatBlocker,
        Kind::WorkingAgreement,
        Kind::StaleDoc,
    ];

    /// Its name in the store and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::ReviewWaiting => "review_waiting",
            Kind::ApprovedUnmerged => "approved_unmerged",
            Kind::FailingChecks => "failing_checks",
            Kind::OversizedPr => "oversized_pr",
            Kind::StalePr => "stale_pr",
            Kind::ReviewLoadImbalance => "review_load_imbalance",
            Kind::TicketBlocked => "ticket_blocked",
            Kind::TicketNoActivity => "ticket_no_activity",
            Kind::TicketAging => "ticket_aging",
            Kind::SprintScopeCreep => "sprint_scope_creep",
            Kind::SprintAtRisk => "sprint_at_risk",
            Kind::IncidentOpen => "incident_open",
            Kind::IncidentFollowupsOverdue => "incident_followups_overdue",
            Kind::RepeatIncidents => "repeat_incidents",
            Kind::FlakyCheck => "flaky_check",
            Kind::DeployFailureStreak => "deploy_failure_streak",
            Kind::BusFactor => "bus_factor",
            Kind::ChatBlocker => "chat_blocker",
            Kind::WorkingAgreement => "working_agreement",
            Kind::StaleDoc => "stale_doc",
        }
    }

    /// The kind [`Self::as_str`] names.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a signal matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SignalSeverity"))]
pub enum Severity {
    /// Worth knowing.
    Low,
    /// Worth acting on soon.
    Medium,
    /// Worth acting on now.
    High,
}

impl Severity {
    /// Its name in the store and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// The severity [`Self::as_str`] names.
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            _ => return None,
        })
    }
}

/// A link to one record: what it is, a human reference, a title and (when known) its URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// pull_request, review, check_run, ticket, sprint, incident, deployment, chat_message,
    /// person, code_owners.
    pub kind: String,
    /// e.g. `tidewater/harbor-auth#187`, `TIDE-262`, `#harbor 1795163495.000100`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Its title.
    pub title: String,
    /// Its page, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When it happened, when that matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Ts>,
}

impl Evidence {
    /// Evidence of `kind` without a page or a time yet.
    pub fn new(kind: &str, reference: impl Into<String>, title: impl Into<String>) -> Evidence {
        Evidence {
            kind: kind.to_string(),
            reference: reference.into(),
            title: title.into(),
            url: None,
            at: None,
        }
    }

    /// With a page.
    pub fn url(mut self, url: Option<&str>) -> Evidence {
        self.url = url.map(str::to_string);
        self
    }

    /// With a time.
    pub fn at(mut self, at: Option<Ts>) -> Evidence {
        self.at = at;
        self
    }
}

/// What the signal is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    /// pull_request, ticket, sprint, incident, repo, team, check, path.
    pub kind: String,
    /// A human reference (`repo#123`, `PAY-1042`).
    #[serde(rename = "ref")]
    pub reference: String,
    /// Its title.
    pub title: String,
    /// Its page, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

pub use bosun_core::model::ActionKind;

/// Where an action goes. Only the fields its kind needs are set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// People it reaches (store ids): the DM's recipient, the reviewers asked, the people a
    /// comment mentions. Policies check their quiet hours and daily caps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<i64>,
    /// A Slack channel name (without `#`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// `owner/name` of a repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The pull request's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    /// The ticket's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The status a transition moves the ticket to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The project a new ticket goes in (its key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// A new ticket's summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Whom a new ticket is assigned to (a store id). Not a recipient: nothing reaches them at
    /// once, so their quiet hours do not hold it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<i64>,
    /// A new ticket's labels, besides the ones Bosun adds to find it again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// A new ticket's due date (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
}

/// A suggested next step: a draft the manager may approve, edit or reject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// What to do.
    pub kind: ActionKind,
    /// Where it goes.
    pub target: Target,
    /// The message (or, for a reviewer request or a transition, the note that explains it).
    pub text: String,
    /// One line for the preview: who gets what.
    pub summary: String,
}

impl Suggestion {
    /// A Slack direct message to `person` (store id).
    pub fn dm(person: i64, text: String, summary: String) -> Suggestion {
        Suggestion {
            kind: ActionKind::SlackDm,
            target: Target {
                people: vec![person],
                ..Default::default()
            },
            text,
            summary,
        }
    }

    /// A message in the Slack channel `channel` (its name, without `#`).
    pub fn channel_message(channel: String, text: String, summary: String) -> Suggestion {
        Suggestion {
            kind: ActionKind::SlackMessage,
            target: Target {
                channel: Some(channel),
                ..Default::default()
            },
            text,
            summary,
        }
    }
}

/// Something the manager should know about, with the records behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Its kind.
    pub kind: Kind,
    /// Stable across syncs: the same condition on the same subject gives the same key.
    pub dedupe_key: String,
    /// How much it matters.
    pub severity: Severity,
    /// What it is about.
    pub subject: Subject,
    /// One line: what is going on.
    pub title: String,
    /// One line: why am I seeing this?
    pub why: String,
    /// The records behind it.
    pub evidence: Vec<Evidence>,
    /// What could be done; `None` when the signal is for the manager's eyes only.
    pub suggestion: Option<Suggestion>,
    /// The team it belongs to (a team key).
    pub team: Option<String>,
    /// The person most concerned (store id), when there is one.
    pub person: Option<i64>,
    /// When the condition began (the PR became ready, the ticket was blocked, ...).
    pub since: Option<Ts>,
    /// For working agreements: the rule that was broken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl Signal {
    /// A signal of `kind` about `subject`, titled after it, with a dedupe key from both.
    pub fn new(kind: Kind, subject: Subject, severity: Severity) -> Signal {
        Signal {
            kind,
            dedupe_key: format!("{}:{}:{}", kind.as_str(), subject.kind, subject.reference),
            severity,
            title: subject.title.clone(),
            subject,
            why: String::new(),
            evidence: Vec::new(),
            suggestion: None,
            team: None,
            person: None,
            since: None,
            rule: None,
        }
    }
}
