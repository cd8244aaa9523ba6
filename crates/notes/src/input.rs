//! What the notes read: the metrics [`Dataset`], the signals engine's [`Extra`] (URLs, code
//! owners, chat, incidents, people and teams), the signals that hold now, and the few records only
//! notes need ([`More`]): review links, time off and the manager's private notes. The app loads
//! them from the store; tests build them by hand. Ids are store row ids.

use bosun_core::time::Ts;
use bosun_metrics::data::{Dataset, PullRequest, Ticket};
use bosun_signals::{Extra, Signal};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Everything a note is written from.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    /// The metrics' dataset: people, repositories, pull requests, tickets, ...
    pub data: &'a Dataset,
    /// What the signals know beyond the dataset (people's zones, teams, ...).
    pub extra: &'a Extra,
    /// What only the notes need.
    pub more: &'a More,
    /// The signals that hold at `as_of` (the blockers).
    pub signals: &'a [Signal],
}

/// What only the notes need, beyond the metrics' and the signals' data.
#[derive(Debug, Clone, Default)]
pub struct More {
    /// (pull request id, reviewer, submitted at) → the review's page.
    pub review_urls: HashMap<(i64, i64, Ts), String>,
    /// Who is away when.
    pub time_off: Vec<TimeOff>,
    /// The manager's private notes about people.
    pub private_notes: Vec<PrivateNote>,
    /// Pull request id → its base branch (stacked PRs wait on the one below).
    pub base_refs: HashMap<i64, String>,
    /// Every GitHub login (lower case) → its person (people may have several accounts).
    pub logins: HashMap<String, i64>,
    /// The labels of incident follow-up tickets (the signals' `followup_labels`).
    pub followup_labels: Vec<String>,
}

/// A person's days off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeOff {
    /// Who.
    pub person: i64,
    /// Inclusive dates.
    pub starts_on: NaiveDate,
    /// The last day off.
    pub ends_on: NaiveDate,
}

/// A private note the manager wrote about a person (for their 1:1s).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PrivateNote {
    /// Its id.
    pub id: i64,
    /// Whom it is about.
    pub person: i64,
    /// When it was written.
    pub created_at: Ts,
    /// The text.
    pub body: String,
    /// Something to follow up on.
    pub follow_up: bool,
    /// When the follow-up was done.
    pub done_at: Option<Ts>,
}

impl Input<'_> {
    /// A person's name (`someone` when unknown).
    pub fn name(&self, person: Option<i64>) -> String {
        person
            .and_then(|p| self.extra.people.get(&p))
            .map(|p| p.name.clone())
            .or_else(|| {
                person.and_then(|p| {
                    self.data
                        .people
                        .iter()
                        .find(|x| x.id == p)
                        .map(|x| x.name.clone())
                })
            })
            .unwrap_or_else(|| "someone".to_string())
    }

    /// The person is a bot.
    pub fn is_bot(&self, person: Option<i64>) -> bool {
        person.is_some_and(|p| {
            self.extra.people.get(&p).is_some_and(|x| x.is_bot)
                || self.data.people.iter().any(|x| x.id == p && x.is_bot)
        })
    }

    /// `harbor-gateway#179`.
    pub fn pr_ref(&self, pr: &PullRequest) -> String {
        let repo = self
            .data
            .repos
            .iter()
            .find(|r| r.id == pr.repo)
            .map_or("?", |r| {
                r.full_name.rsplit('/').next().unwrap_or(&r.full_name)
            });
        format!("{repo}#{}", pr.number)
    }

    /// `tidewater/harbor-gateway#179`.
    pub fn pr_full_ref(&self, pr: &PullRequest) -> String {
        let repo = self
            .data
            .repos
            .iter()
            .find(|r| r.id == pr.repo)
            .map_or("?", |r| r.full_name.as_str());
        format!("{repo}#{}", pr.number)
    }

    /// The ticket with this key.
    pub fn ticket(&self, key: &str) -> Option<&Ticket> {
        self.data.tickets.iter().find(|t| t.key == key)
    }

    /// Whether `person` is off on the calendar day of `t` (in the zone `offset_minutes`).
    pub fn off_on(&self, person: i64, t: Ts, offset_minutes: i32) -> Option<&TimeOff> {
        let day = crate::fmt::local_date(t, offset_minutes);
        self.more
            .time_off
            .iter()
            .find(|o| o.person == person && o.starts_on <= day && day <= o.ends_on)
    }

    /// Human members of a team, in name order (the manager is not a member here).
    pub fn members(&self, team: &str) -> Vec<i64> {
        let mut out: Vec<i64> = self
            .extra
            .team(team)
            .map(|t| t.members.clone())
            .unwrap_or_default();
        let manager = self.extra.team(team).and_then(|t| t.manager);
        out.retain(|p| Some(*p) != manager && !self.is_bot(Some(*p)));
        out.sort_by_key(|p| (self.name(Some(*p)), *p));
        out.dedup();
        out
    }
}
