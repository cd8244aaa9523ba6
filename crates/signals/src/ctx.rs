//! Lookups shared by the detectors, built once per evaluation.

use crate::input::{Input, PersonExtra};
use crate::model::{Evidence, Subject};
use crate::{Scope, Settings};
use bosun_core::time::Ts;
use bosun_metrics::data::{PullRequest, Repo, Ticket};
use std::collections::HashMap;

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
