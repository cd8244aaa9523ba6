//! Lookups shared by the detectors, built once per evaluation.

use crate::input::{Input, PersonExtra};
use crate::model::{Evidence, Subject};
use crate::{Scope, Settings};
use bosun_core::time::Ts;
use bosun_metrics::data::{PullRequest, Repo, Ticket};
use std::collections::{HashMap, HashSet};

pub struct Ctx<'a> {
    pub input: Input<'a>,
    pub settings: &'a Settings,
    pub as_of: Ts,
    pub scope: &'a Scope,
    pub repos: HashMap<i64, &'a Repo>,
    /// Full and short repository names → id.
    pub repo_by_name: HashMap<&'a str, i64>,
    pub person_by_login: HashMap<&'a str, i64>,
    /// Review requests pending now, per person (every open PR, not only the scope's).
    pub pending: HashMap<i64, usize>,
    pub lookups: Option<&'a Lookups>,
}

/// What evaluations at one `as_of` can share while the data stays the same: which pull requests
/// name each ticket key (title, branch or description) and when they were last active — the
/// regular-expression scan over every pull request that linking tickets to their activity needs.
/// A cache builds them once and updates the repositories a sync wrote.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    as_of: Ts,
    /// Ticket key → the pull requests naming it, active in the 90 days before `as_of`.
    mentions: HashMap<String, Vec<Mention>>,
    /// Repository → the keys its pull requests name (to take them back out).
    keys_of_repo: HashMap<i64, HashSet<String>>,
}

#[derive(Debug, Clone)]
pub struct Mention {
    /// The pull request's latest activity (at most `as_of`).
    pub last: Ts,
    /// (repository, number): the dataset's order, which breaks ties.
    order: (i64, i64),
    /// `owner/name#N`.
    pub reference: String,
}

/// How far back a pull request's activity counts for the tickets it names.
pub const ACTIVITY_HORIZON_DAYS: i64 = 90;

impl Lookups {
    /// Over every pull request.
    pub fn new(input: Input<'_>, as_of: Ts) -> Lookups {
        let mut l = Lookups {
            as_of,
            ..Default::default()
        };
        l.add(input, |_| true);
        l
    }

    /// Again for the pull requests of these repositories (their text, branch or activity may
    /// have changed).
    pub fn update_repos(&mut self, input: Input<'_>, repos: &HashSet<i64>) {
        for r in repos {
            for k in self.keys_of_repo.remove(r).unwrap_or_default() {
                if let Some(v) = self.mentions.get_mut(&k) {
                    v.retain(|m| m.order.0 != *r);
                }
            }
        }
        self.add(input, |p| repos.contains(&p.repo));
    }

    fn add(&mut self, input: Input<'_>, which: impl Fn(&PullRequest) -> bool) {
        let names: HashMap<i64, &str> = input
            .data
            .repos
            .iter()
            .map(|r| (r.id, r.full_name.as_str()))
            .collect();
        for pr in input.data.pull_requests.iter().filter(|p| which(p)) {
            let Some(last) = last_activity(input, pr, self.as_of) else {
                continue;
            };
            for k in named_keys(input, pr) {
                self.keys_of_repo
                    .entry(pr.repo)
                    .or_default()
                    .insert(k.clone());
                self.mentions.entry(k).or_default().push(Mention {
                    last,
                    order: (pr.repo, pr.number),
                    reference: format!("{}#{}", names.get(&pr.repo).unwrap_or(&"?"), pr.number),
                });
            }
        }
    }

    /// The `as_of` the lookups were built for.
    pub fn as_of(&self) -> Ts {
        self.as_of
    }

    /// The latest activity on a pull request naming `key` (the first in dataset order among
    /// equals).
    pub fn latest(&self, key: &str) -> Option<&Mention> {
        self.mentions.get(key).and_then(|v| {
            v.iter()
                .max_by(|a, b| a.last.cmp(&b.last).then(b.order.cmp(&a.order)))
        })
    }
}

/// A pull request's latest activity (commit, review, comment, event; at least its creation, at
/// most `as_of`), when it counts: created by `as_of` and active in the horizon.
pub fn last_activity(input: Input<'_>, pr: &PullRequest, as_of: Ts) -> Option<Ts> {
    let last = input
        .extra
        .prs
        .get(&pr.id)
        .and_then(|x| x.last_activity)
        .unwrap_or(pr.created_at)
        .max(pr.created_at)
        .min(as_of);
    (last >= as_of - ACTIVITY_HORIZON_DAYS * 86_400 && pr.created_at <= as_of).then_some(last)
}

/// The ticket keys a pull request names: in its title, branch or description (its first 2,000
/// bytes).
pub fn named_keys(input: Input<'_>, pr: &PullRequest) -> Vec<String> {
    let x = input.extra.prs.get(&pr.id);
    let mut text = String::with_capacity(pr.title.len() + 64);
    text.push_str(&pr.title);
    if let Some(r) = x.and_then(|x| x.head_ref.as_deref()) {
        text.push(' ');
        text.push_str(r);
    }
    text.push(' ');
    text.push_str(pr.body.get(..pr.body.len().min(2000)).unwrap_or(""));
    crate::text::ticket_keys(&text)
}

impl<'a> Ctx<'a> {
    pub fn new(input: Input<'a>, settings: &'a Settings, as_of: Ts, scope: &'a Scope) -> Ctx<'a> {
        let repos: HashMap<i64, &Repo> = input.data.repos.iter().map(|r| (r.id, r)).collect();
        let mut repo_by_name = HashMap::new();
        for r in &input.data.repos {
            repo_by_name.insert(r.full_name.as_str(), r.id);
            let short = r.full_name.rsplit('/').next().unwrap_or(&r.full_name);
            repo_by_name.entry(short).or_insert(r.id);
        }
        let person_by_login = input
            .extra
            .people
            .iter()
            .filter_map(|(id, p)| p.github_login.as_deref().map(|l| (l, *id)))
            .collect();
        let mut pending: HashMap<i64, usize> = HashMap::new();
        for pr in input.data.pull_requests.iter().filter(|p| is_open(p)) {
            for r in &pr.requested {
                *pending.entry(*r).or_default() += 1;
            }
        }
        Ctx {
            input,
            settings,
            as_of,
            scope,
            repos,
            repo_by_name,
            person_by_login,
            pending,
            lookups: None,
        }
    }

    pub fn repo_team(&self, repo: i64) -> Option<&'a str> {
        self.repos.get(&repo).and_then(|r| r.team.as_deref())
    }

    pub fn repo_name(&self, repo: i64) -> &'a str {
        self.repos.get(&repo).map_or("?", |r| r.full_name.as_str())
    }

    pub fn repo_in_scope(&self, repo: i64) -> bool {
        self.scope.includes(self.repo_team(repo))
    }

    pub fn person(&self, id: i64) -> Option<&'a PersonExtra> {
        self.input.extra.people.get(&id)
    }

    pub fn name(&self, id: Option<i64>) -> String {
        self.input.extra.person_name(id)
    }

    pub fn first_name(&self, id: Option<i64>) -> String {
        let n = self.name(id);
        n.split(' ').next().unwrap_or(&n).to_string()
    }

    /// `owner/name#N`.
    pub fn pr_ref(&self, pr: &PullRequest) -> String {
        format!("{}#{}", self.repo_name(pr.repo), pr.number)
    }

    /// `name#N` (short, for sentences).
    pub fn pr_short(&self, pr: &PullRequest) -> String {
        let full = self.repo_name(pr.repo);
        format!("{}#{}", full.rsplit('/').next().unwrap_or(full), pr.number)
    }

    pub fn pr_url(&self, pr: &PullRequest) -> Option<&'a str> {
        self.input
            .extra
            .prs
            .get(&pr.id)
            .and_then(|x| x.html_url.as_deref())
    }

    pub fn pr_subject(&self, pr: &PullRequest) -> Subject {
        Subject {
            kind: "pull_request".into(),
            reference: self.pr_ref(pr),
            title: format!("{} {}", self.pr_short(pr), pr.title),
            url: self.pr_url(pr).map(str::to_string),
        }
    }

    pub fn pr_evidence(&self, pr: &PullRequest) -> Evidence {
        Evidence::new("pull_request", self.pr_ref(pr), pr.title.clone())
            .url(self.pr_url(pr))
            .at(Some(pr.created_at))
    }

    pub fn ticket_url(&self, t: &Ticket) -> Option<&'a str> {
        self.input
            .extra
            .tickets
            .get(&t.id)
            .and_then(|x| x.html_url.as_deref())
    }

    pub fn ticket_subject(&self, t: &Ticket) -> Subject {
        Subject {
            kind: "ticket".into(),
            reference: t.key.clone(),
            title: format!("{} {}", t.key, t.summary),
            url: self.ticket_url(t).map(str::to_string),
        }
    }

    pub fn ticket_evidence(&self, t: &Ticket) -> Evidence {
        Evidence::new(
            "ticket",
            t.key.clone(),
            format!("{} ({})", t.summary, t.status),
        )
        .url(self.ticket_url(t))
    }

    /// The team's time zone (its manager's), for working hours.
    pub fn team_offset(&self, team: Option<&str>) -> i32 {
        self.input.extra.team_offset_minutes(team)
    }
}

pub fn is_open(pr: &PullRequest) -> bool {
    pr.merged_at.is_none() && pr.closed_at.is_none()
}
