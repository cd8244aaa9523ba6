//! The seeded generator. Phases, in order:
//!
//! 1. sprints for every team, two weeks each, aligned to the calendar anchor;
//! 2. work: tickets planned into sprints and worked by engineers on their own calendars, each
//!    ticket producing pull requests with review rounds (plus chores and bot PRs);
//! 3. one time-ordered sweep over PR openings, merges and deployments that builds each repo's
//!    commit graph (squash, merge or rebase), deploys the default branch, makes some deploys bad
//!    (an incident follows, then a revert, hotfix or rollback) and records releases;
//! 4. CI check runs per pushed commit (with a flaky check), incidents unrelated to deploys,
//!    postmortem follow-up tickets, chat messages; then everything is cut at `as_of`.

mod chat;
mod epics;
mod files;
mod joiners;
mod local;
mod ops;
mod work;

use crate::calendar::{Calendar, DAY, HOUR};
use crate::ids;
use crate::org::{Org, Role};
use crate::world::{self, World};
use bosun_core::Rng;
use bosun_core::time::Ts;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct GenOptions {
    pub seed: u64,
    pub scale: u32,
    pub months: u32,
    pub as_of: DateTime<Utc>,
}

impl GenOptions {
    pub fn new(as_of: DateTime<Utc>) -> GenOptions {
        GenOptions {
            seed: 7,
            scale: 1,
            months: 6,
            as_of,
        }
    }
}

/// Generate the world for `org` as of `opts.as_of`.
pub fn generate(org: &Org, opts: &GenOptions) -> World {
    let org = org.scaled(opts.scale);
    let mut g = Gen::new(org, opts);
    g.plan_sprints();
    g.plan_work();
    g.plan_bot_prs();
    g.plan_joiners();
    g.plan_deploys();
    g.sweep();
    g.check_runs();
    g.noise_incidents();
    g.open_incident();
    g.postmortem_followups();
    g.finish_tickets();
    g.starter_tickets();
    g.build_chat();
    g.plan_epics();
    g.pull_files();
    let local = g.local_repos();
    let mut w = g.into_world();
    w.local_repos = local;
    w
}

/// Internal state shared by the phases.
pub(crate) struct Gen {
    pub org: Org,
    pub seed: u64,
    pub scale: u32,
    pub rng: Rng,
    pub as_of: Ts,
    pub start: Ts,
    pub cals: Vec<Calendar>,
    pub users: Vec<world::User>,
    /// GitHub user index of each person's main login.
    pub person_user: Vec<usize>,
    pub repos: Vec<world::Repo>,
    pub sprints: Vec<world::Sprint>,
    pub tickets: Vec<world::Ticket>,
    pub plans: Vec<work::PlanPr>,
    pub deploy_plans: Vec<ops::DeployPlan>,
    pub incidents: Vec<world::Incident>,
    pub messages: Vec<world::Message>,
    /// Per-person records of what they did, for chat and notes.
    pub activity: Vec<work::Activity>,
    pub next_id: i64,
}

impl Gen {
    fn new(org: Org, opts: &GenOptions) -> Gen {
        let as_of = opts.as_of.timestamp();
        let start = as_of - i64::from(opts.months) * 30 * DAY - 12 * HOUR;
        let rng = Rng::seed(opts.seed);
        let mut cals = Vec::new();
        for p in &org.people {
            let mut cal = Calendar::new(p.utc_offset, &org.calendar.working_days);
            // Days off ahead of "now" (planted for capacity planning) change no activity.
            for off in &p.time_off {
                let Some(ago) = off.from_days_ago else {
                    continue;
                };
                let mut day = cal.local_day(as_of) - ago;
                let mut left = off.days;
                while left > 0 {
                    if cal.is_working_day(day) {
                        cal.days_off.push(day);
                        left -= 1;
                    }
                    day += 1;
                }
            }
            // A recent joiner: every working day before they joined is off.
            if let Some(ago) = p.joined_days_ago {
                let joined = cal.local_day(as_of) - ago;
                let first = cal.local_day(start) - 1;
                cal.days_off.extend(first..joined);
            }
            cals.push(cal);
        }
        let mut users = Vec::new();
        let mut person_user = Vec::new();
        for (i, p) in org.people.iter().enumerate() {
            person_user.push(users.len());
            users.push(world::User {
                id: ids::USER + users.len() as i64 * 7,
                login: p.github.clone(),
                name: p.name.clone(),
                email: Some(p.email.clone()),
                is_bot: false,
                person: Some(i),
                public_name: true,
                org_member: true,
                public_member: true,
            });
            for extra in &p.extra_github {
                users.push(world::User {
                    id: ids::USER + users.len() as i64 * 7,
                    login: extra.clone(),
                    name: p.name.clone(),
                    email: None,
                    is_bot: false,
                    person: Some(i),
                    public_name: true,
                    org_member: false,
                    public_member: false,
                });
            }
        }
        for b in &org.bots {
            users.push(world::User {
                id: ids::BOT_USER + users.len() as i64,
                login: b.github.clone(),
                name: b.name.clone(),
                email: None,
                is_bot: true,
                person: None,
                public_name: true,
                org_member: false,
                public_member: false,
            });
        }
        let repos = org
            .repos
            .iter()
            .enumerate()
            .map(|(i, r)| world::Repo {
                id: ids::REPO + i as i64 * 13,
                name: r.name.clone(),
                team: r.team.clone(),
                service: r.service.clone(),
                description: r.description.clone(),
                language: r.language.clone(),
                default_branch: "main".into(),
                merge_strategy: r.merge_strategy,
                delivery: r.delivery,
                codeowners: format!(
                    "# Code owners for {}. Later rules win.\n{}\n",
                    r.name,
                    r.codeowners
                        .iter()
                        .map(|l| l.replace("@tidewater/", &format!("@{}/", org.company.github_org)))
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
                fork_of: None,
                archived: false,
                created_at: start - 400 * DAY,
                commits: Vec::new(),
                main: Vec::new(),
                pulls: Vec::new(),
                check_runs: Vec::new(),
                deployments: Vec::new(),
                releases: Vec::new(),
                tags: Vec::new(),
                review_comments: Vec::new(),
                issue_comments: Vec::new(),
            })
            .collect();
        let activity = org
            .people
            .iter()
            .map(|_| work::Activity::default())
            .collect();
        Gen {
            seed: opts.seed,
            scale: opts.scale,
            rng,
            as_of,
            start,
            cals,
            users,
            person_user,
            repos,
            sprints: Vec::new(),
            tickets: Vec::new(),
            plans: Vec::new(),
            deploy_plans: Vec::new(),
            incidents: Vec::new(),
            messages: Vec::new(),
            activity,
            next_id: 1,
            org,
        }
    }

    pub fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// A deterministic 40-hex sha for `parts`.
    pub fn sha(&self, parts: &[&str]) -> String {
        let mut h = Sha256::new();
        h.update(self.seed.to_le_bytes());
        for p in parts {
            h.update(p.as_bytes());
            h.update([0]);
        }
        let d = h.finalize();
        d.iter().take(20).map(|b| format!("{b:02x}")).collect()
    }

    /// The team's people (of `role`), without recent joiners: the history before they joined is
    /// generated without them, and [`Gen::plan_joiners`] adds their first weeks.
    pub fn team_people(&self, team: &str, role: Option<Role>) -> Vec<usize> {
        self.org
            .people
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.team == team && role.is_none_or(|r| p.role == r) && p.joined_days_ago.is_none()
            })
            .map(|(i, _)| i)
            .collect()
    }

    pub fn team_repos(&self, team: &str) -> Vec<usize> {
        self.repos
            .iter()
            .enumerate()
            .filter(|(_, r)| r.team == team)
            .map(|(i, _)| i)
            .collect()
    }

    pub fn bot_user(&self, login: &str) -> usize {
        self.users
            .iter()
            .position(|u| u.login == login)
            .unwrap_or(0)
    }

    fn into_world(self) -> World {
        let oncalls = self.on_call_shifts();
        World {
            org: self.org,
            seed: self.seed,
            scale: self.scale,
            start: self.start,
            as_of: self.as_of,
            users: self.users,
            repos: self.repos,
            local_repos: Vec::new(),
            tickets: self.tickets,
            sprints: self.sprints,
            oncalls,
            incidents: self.incidents,
            messages: self.messages,
            github_teams: true,
        }
    }
}

#[cfg(test)]
mod tests;
