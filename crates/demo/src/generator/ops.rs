//! The time-ordered sweep: commit graphs, deployments, bad deploys with their incidents and
//! remediation, releases; then CI runs, other incidents and postmortem follow-ups.

use super::Gen;
use super::work::{PlanPr, PrKind};
use crate::calendar::{DAY, HOUR};
use crate::ids;
use crate::org::{MergeStrategy, Role};
use crate::text;
use crate::world::{
    CheckRun, Commit, Deployment, DeploymentStatus, Incident, IssueComment, LogEntry, Pull,
    PullEvent, Release, Review, ReviewComment, Signature, Tag, Ticket,
};
use bosun_core::Rng;
use bosun_core::time::Ts;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

const MIN: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Release,
    Retry,
    Hotfix,
    Revert,
    Rollback,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Release => "release",
            Reason::Retry => "retry",
            Reason::Hotfix => "hotfix",
            Reason::Revert => "revert",
            Reason::Rollback => "rollback",
        }
    }
}

#[derive(Debug, Clone)]
pub struct DeployPlan {
    pub repo: usize,
    pub at: Ts,
    pub reason: Reason,
    /// The sha to deploy (rollbacks); None = the default branch head.
    pub sha: Option<String>,
    /// The deployment this one rolls back or retries.
    pub of: Option<i64>,
}

#[derive(Clone, Copy)]
enum Ev {
    Open(usize),
    Land(usize),
    Deploy(usize),
}

impl Ev {
    /// At the same second: openings, then landings, then deployments.
    fn rank(self) -> u8 {
        match self {
            Ev::Open(_) => 0,
            Ev::Land(_) => 1,
            Ev::Deploy(_) => 2,
        }
    }
}

/// The sweep's events in time order; at the same second by [`Ev::rank`], then as scheduled.
#[derive(Default)]
struct Schedule {
    events: Vec<Ev>,
    heap: BinaryHeap<Reverse<(Ts, u8, usize)>>,
}

impl Schedule {
    fn push(&mut self, at: Ts, ev: Ev) {
        self.events.push(ev);
        self.heap
            .push(Reverse((at, ev.rank(), self.events.len() - 1)));
    }

    /// The next event and its time.
    fn pop(&mut self) -> Option<(Ts, Ev)> {
        let Reverse((at, _, e)) = self.heap.pop()?;
        Some((at, self.events[e]))
    }
}

/// A bad production deployment being handled: what the remediation and the incident share.
struct BadDeploy<'a> {
    repo: usize,
    /// The bad deployment's id and sha.
    dep_id: i64,
    sha: &'a str,
    /// When the incident fires.
    trigger: Ts,
    /// The on-call engineer (a person).
    oncall: usize,
    /// The incident's id.
    incident: String,
}

/// A production deployment's description, by why it was made.
fn deploy_description(reason: Reason, sha: &str) -> String {
    let short = &sha[..7];
    match reason {
        Reason::Rollback => format!("Rollback to {short}"),
        Reason::Retry => format!("Retry deploy of {short}"),
        Reason::Hotfix => format!("Hotfix deploy {short}"),
        Reason::Revert => format!("Deploy revert {short}"),
        Reason::Release => format!("Deploy {short} to production"),
    }
}

/// A production deployment's payload: what it rolls back or retries, or why it was made.
fn deploy_payload(reason: Reason, of: Option<i64>) -> serde_json::Value {
    match (reason, of) {
        (Reason::Rollback, Some(of)) => serde_json::json!({ "rollback_of": of }),
        (Reason::Retry, Some(of)) => serde_json::json!({ "retry_of": of }),
        (r, _) if r != Reason::Release => serde_json::json!({ "reason": r.as_str() }),
        _ => serde_json::json!({}),
    }
}

#[derive(Default, Clone)]
struct RepoState {
    head: Option<String>,
    next_number: i64,
    last_deployed: Option<String>,
    /// (deployment id, sha) of the last successful production deployment.
    last_good: Option<(i64, String)>,
    /// PR plans landed since the last successful deployment.
    landed: Vec<usize>,
    freeze_until: Ts,
    version: (i64, i64, i64),
    forced_bad: bool,
}

const GITHUB_NAME: &str = "GitHub";
const GITHUB_EMAIL: &str = "noreply@github.com";

impl Gen {
    fn sig_for_user(&self, user: usize, at: Ts, rng: &mut Rng) -> Signature {
        let u = &self.users[user];
        if u.is_bot {
            return Signature {
                name: u.login.clone(),
                email: format!("{}+{}@users.noreply.github.com", u.id, u.login),
                user: Some(user),
                at,
            };
        }
        let person = u.person.map(|p| &self.org.people[p]);
        match person {
            // Commits from a personal address GitHub cannot link to the account.
            Some(p) if !p.extra_emails.is_empty() && rng.chance(0.3) => Signature {
                name: p.name.clone(),
                email: p.extra_emails[0].clone(),
                user: None,
                at,
            },
            Some(p) if u.login != p.github => Signature {
                name: p.name.clone(),
                email: format!("{}+{}@users.noreply.github.com", u.id, u.login),
                user: Some(user),
                at,
            },
            Some(p) => Signature {
                name: p.name.clone(),
                email: p.email.clone(),
                user: Some(user),
                at,
            },
            None => Signature {
                name: u.name.clone(),
                email: format!("{}@users.noreply.github.com", u.login),
                user: Some(user),
                at,
            },
        }
    }

    fn github_sig(at: Ts) -> Signature {
        Signature {
            name: GITHUB_NAME.into(),
            email: GITHUB_EMAIL.into(),
            user: None,
            at,
        }
    }

    fn push_commit(
        &mut self,
        repo: usize,
        author: Signature,
        committer: Signature,
        message: String,
        parents: Vec<String>,
    ) -> usize {
        let n = self.repos[repo].commits.len().to_string();
        let sha = self.sha(&[
            &self.repos[repo].name,
            &n,
            &message,
            &author.at.to_string(),
            &parents.join(","),
        ]);
        self.repos[repo].commits.push(Commit {
            sha,
            author,
            committer,
            message,
            parents,
        });
        self.repos[repo].commits.len() - 1
    }

    /// Production deploy times: working days, a Poisson-ish number per day around the repo's
    /// weekly cadence, during the owning team's working hours.
    pub(super) fn plan_deploys(&mut self) {
        for repo in 0..self.repos.len() {
            let mut rng = self.rng.fork(&format!("deploys/{}", self.repos[repo].name));
            let team = self.repos[repo].team.clone();
            let manager = self.team_people(&team, Some(Role::Manager))[0];
            let cal = self.cals[manager].clone();
            let per_day = self.org.repos[repo].deploys_per_week / 5.0;
            let mut day = cal.local_day(self.start);
            let last = cal.local_day(self.as_of);
            while day <= last {
                if cal.working_days[crate::calendar::weekday(day)] {
                    let mut n = 0;
                    let mut p = per_day;
                    while p > 0.0 {
                        if rng.chance(p.min(1.0)) {
                            n += 1;
                        }
                        p -= 1.0;
                    }
                    for _ in 0..n {
                        let at = cal.day_start(day) + rng.range(HOUR, 8 * HOUR + 30 * MIN);
                        if at > self.start && at <= self.as_of {
                            self.deploy_plans.push(DeployPlan {
                                repo,
                                at,
                                reason: Reason::Release,
                                sha: None,
                                of: None,
                            });
                        }
                    }
                }
                day += 1;
            }
        }
    }

    /// The sweep: see the module docs.
    pub(super) fn sweep(&mut self) {
        let mut rng = self.rng.fork("sweep");
        let mut state: Vec<RepoState> = vec![
            RepoState {
                next_number: 1,
                version: (1, 0, 0),
                ..Default::default()
            };
            self.repos.len()
        ];
        self.seed_history(&mut state, &mut rng);
        let mut schedule = self.schedule();
        // A recent joiner's pull requests draw from their own stream, so that adding a joiner
        // changes nothing else of the history.
        let mut joiner_rng = self.rng.fork("sweep/joiners");
        while let Some((at, ev)) = schedule.pop() {
            if at > self.as_of {
                break;
            }
            match ev {
                Ev::Open(p) if self.by_joiner(p) => self.open(p, &mut state, &mut joiner_rng),
                Ev::Land(p) if self.by_joiner(p) => self.land(p, &mut state, &mut joiner_rng),
                Ev::Open(p) => self.open(p, &mut state, &mut rng),
                Ev::Land(p) => self.land(p, &mut state, &mut rng),
                Ev::Deploy(d) => {
                    for ev in self.deploy(d, at, &mut state, &mut rng) {
                        let at = self.when(ev);
                        schedule.push(at, ev);
                    }
                }
            }
        }
        self.materialize_pulls(&mut rng);
        self.main_lines(&state);
    }

    /// Plan `p` is a recent joiner's.
    fn by_joiner(&self, p: usize) -> bool {
        self.users[self.plans[p].author]
            .person
            .is_some_and(|i| self.org.people[i].joined_days_ago.is_some())
    }

    /// Some history before the window in every repository, and a baseline deployment.
    fn seed_history(&mut self, state: &mut [RepoState], rng: &mut Rng) {
        #[allow(clippy::needless_range_loop)] // the body writes to self.repos[repo] too
        for repo in 0..self.repos.len() {
            let team = self.repos[repo].team.clone();
            let people = self.team_people(&team, Some(Role::Engineer));
            let mut parent: Vec<String> = Vec::new();
            let base = self.start - 20 * DAY;
            for (i, msg) in [
                "Initial commit",
                "Add CI workflow",
                "Add CODEOWNERS",
                "Service skeleton",
            ]
            .iter()
            .enumerate()
            {
                let user = self.person_user[people[i % people.len()]];
                let at = base + i as i64 * DAY;
                let sig = self.sig_for_user(user, at, rng);
                let idx = self.push_commit(repo, sig.clone(), sig, msg.to_string(), parent.clone());
                parent = vec![self.repos[repo].commits[idx].sha.clone()];
            }
            let head = parent[0].clone();
            let id = self.id() + ids::DEPLOYMENT;
            let bot = self.bot_user("github-actions[bot]");
            let at = self.start - 5 * DAY;
            self.repos[repo].deployments.push(Deployment {
                id,
                sha: head.clone(),
                environment: "production".into(),
                description: "Initial production deploy".into(),
                created_at: at,
                creator: bot,
                statuses: vec![DeploymentStatus {
                    id: id * 10,
                    state: "success".into(),
                    description: "Deployed".into(),
                    at: at + 5 * MIN,
                }],
                reason: "release".into(),
                payload: serde_json::json!({}),
            });
            if self.org.repos[repo].release_tags {
                self.repos[repo].tags.push(Tag {
                    name: "v1.0.0".into(),
                    sha: head.clone(),
                });
                self.repos[repo].releases.push(Release {
                    id: id + 1,
                    tag: "v1.0.0".into(),
                    sha: head.clone(),
                    name: "v1.0.0".into(),
                    body: "First production release.".into(),
                    created_at: at,
                    author: bot,
                });
            }
            state[repo].head = Some(head.clone());
            state[repo].last_deployed = Some(head.clone());
            state[repo].last_good = Some((id, head));
        }
    }

    /// The planned events: pull requests opened and landed (up to `as_of`), deployments.
    fn schedule(&self) -> Schedule {
        let mut schedule = Schedule::default();
        for p in 0..self.plans.len() {
            let plan = &self.plans[p];
            if plan.created_at <= self.as_of {
                schedule.push(plan.created_at, Ev::Open(p));
                if let Some(m) = plan.merged_at.filter(|m| *m <= self.as_of) {
                    schedule.push(m, Ev::Land(p));
                }
            }
        }
        for d in 0..self.deploy_plans.len() {
            schedule.push(self.deploy_plans[d].at, Ev::Deploy(d));
        }
        schedule
    }

    /// When an event added during the sweep happens (a landing never planned: never).
    fn when(&self, ev: Ev) -> Ts {
        match ev {
            Ev::Open(p) => self.plans[p].created_at,
            Ev::Land(p) => self.plans[p].merged_at.unwrap_or(Ts::MAX),
            Ev::Deploy(d) => self.deploy_plans[d].at,
        }
    }

    /// A pull request opens: its number, and its commits (up to `as_of`) on the repository's head.
    fn open(&mut self, p: usize, state: &mut [RepoState], rng: &mut Rng) {
        let repo = self.plans[p].repo;
        let number = state[repo].next_number;
        state[repo].next_number += 1;
        self.plans[p].number = Some(number);
        let mut parent = state[repo].head.clone().into_iter().collect::<Vec<_>>();
        let commits = self.plans[p].commits.clone();
        let author = self.plans[p].author;
        let as_of = self.as_of;
        for (t, msg, _) in commits.iter().filter(|c| c.0 <= as_of) {
            let a = self.sig_for_user(author, *t, rng);
            let mut c = a.clone();
            if rng.chance(0.15) {
                c.at = t + rng.range(10 * MIN, 5 * HOUR); // rebased or amended later
            }
            c.at = c.at.min(self.as_of);
            let idx = self.push_commit(repo, a, c, msg.clone(), parent.clone());
            parent = vec![self.repos[repo].commits[idx].sha.clone()];
            self.plans[p].commit_idx.push(idx);
        }
    }

    /// A planned deployment at `at`: staging first for half of the repositories, then production;
    /// a failed job is retried, a bad deploy starts an incident and its remediation. Returns the
    /// events this adds to the schedule.
    fn deploy(&mut self, d: usize, at: Ts, state: &mut [RepoState], rng: &mut Rng) -> Vec<Ev> {
        let plan = self.deploy_plans[d].clone();
        let repo = plan.repo;
        let st = &state[repo];
        if plan.reason == Reason::Release && (at < st.freeze_until || st.head == st.last_deployed) {
            return Vec::new();
        }
        let Some(sha) = plan.sha.clone().or_else(|| st.head.clone()) else {
            return Vec::new();
        };
        let bot = self.bot_user("github-actions[bot]");
        let id = self.id() + ids::DEPLOYMENT;
        let job_failed = plan.reason == Reason::Release && rng.chance(0.04);
        let done_at = at + rng.range(3 * MIN, 9 * MIN);
        if repo.is_multiple_of(2) {
            // Staging first, for half of the repos.
            let sid = self.id() + ids::DEPLOYMENT;
            self.repos[repo].deployments.push(Deployment {
                id: sid,
                sha: sha.clone(),
                environment: "staging".into(),
                description: format!("Deploy {} to staging", &sha[..7]),
                created_at: at - 15 * MIN,
                creator: bot,
                statuses: statuses(sid, at - 15 * MIN, at - 10 * MIN, true),
                reason: plan.reason.as_str().into(),
                payload: serde_json::json!({}),
            });
        }
        let mut sts = statuses(id, at, done_at.min(self.as_of), !job_failed);
        if done_at > self.as_of {
            sts.pop();
        }
        self.repos[repo].deployments.push(Deployment {
            id,
            sha: sha.clone(),
            environment: "production".into(),
            description: deploy_description(plan.reason, &sha),
            created_at: at,
            creator: bot,
            statuses: sts,
            reason: plan.reason.as_str().into(),
            payload: deploy_payload(plan.reason, plan.of),
        });
        if job_failed {
            self.deploy_plans.push(DeployPlan {
                repo,
                at: at + rng.range(25 * MIN, 60 * MIN),
                reason: Reason::Retry,
                sha: Some(sha),
                of: Some(id),
            });
            return vec![Ev::Deploy(self.deploy_plans.len() - 1)];
        }
        if done_at > self.as_of {
            return Vec::new();
        }
        let deployed_prs = std::mem::take(&mut state[repo].landed);
        state[repo].last_deployed = Some(sha.clone());
        if plan.reason != Reason::Rollback {
            self.release(
                repo,
                &sha,
                done_at,
                plan.reason,
                &deployed_prs,
                &mut state[repo],
            );
        }
        // Every repo gets at least one bad deploy in the last three weeks (the demo must show
        // failures), on top of the usual ~8% rate.
        let recent = self.as_of - 21 * DAY;
        let force = at >= recent && !state[repo].forced_bad && plan.reason == Reason::Release;
        let bad = plan.reason == Reason::Release
            && !deployed_prs.is_empty()
            && (force || rng.chance(0.08));
        if !bad {
            state[repo].last_good = Some((id, sha));
            return Vec::new();
        }
        state[repo].forced_bad = true;
        let mut new = Vec::new();
        self.bad_deploy(
            repo,
            id,
            &sha,
            done_at,
            &deployed_prs,
            &mut state[repo],
            rng,
            &mut new,
        );
        new
    }

    /// Every commit reachable from each repository's default branch head, oldest first.
    fn main_lines(&mut self, state: &[RepoState]) {
        for repo in &mut self.repos {
            let by_sha: HashMap<&str, usize> = repo
                .commits
                .iter()
                .enumerate()
                .map(|(i, c)| (c.sha.as_str(), i))
                .collect();
            let head = state[repo_index(&self.org, &repo.name)].head.clone();
            let mut seen = vec![false; repo.commits.len()];
            let mut stack: Vec<usize> = head
                .as_deref()
                .and_then(|h| by_sha.get(h).copied())
                .into_iter()
                .collect();
            while let Some(i) = stack.pop() {
                if std::mem::replace(&mut seen[i], true) {
                    continue;
                }
                for p in &repo.commits[i].parents {
                    if let Some(&j) = by_sha.get(p.as_str()) {
                        stack.push(j);
                    }
                }
            }
            let mut main: Vec<usize> = (0..repo.commits.len()).filter(|i| seen[*i]).collect();
            main.sort_by_key(|&i| (repo.commits[i].committer.at, i));
            repo.main = main;
        }
    }

    fn land(&mut self, p: usize, state: &mut [RepoState], rng: &mut Rng) {
        let repo = self.plans[p].repo;
        if self.plans[p].commit_idx.is_empty() {
            return;
        }
        let merged_at = self.plans[p].merged_at.unwrap_or(self.as_of);
        let merger = self.plans[p].merged_by.unwrap_or(self.plans[p].author);
        let number = self.plans[p].number.unwrap_or(0);
        let title = self.plans[p].title.clone();
        let head = state[repo].head.clone();
        let pr_head = self.repos[repo].commits[*self.plans[p].commit_idx.last().unwrap_or(&0)]
            .sha
            .clone();
        let landed = match self.repos[repo].merge_strategy {
            MergeStrategy::Squash => {
                let msgs: Vec<String> = self.plans[p]
                    .commit_idx
                    .iter()
                    .map(|&i| format!("* {}", self.repos[repo].commits[i].message))
                    .collect();
                let author = self.sig_for_user(self.plans[p].author, merged_at, rng);
                self.push_commit(
                    repo,
                    author,
                    Self::github_sig(merged_at),
                    format!("{title} (#{number})\n\n{}", msgs.join("\n")),
                    head.into_iter().collect(),
                )
            }
            MergeStrategy::Merge => {
                let author = self.sig_for_user(merger, merged_at, rng);
                let org = self.org.company.github_org.clone();
                let branch = self.plans[p].head_ref.clone();
                let parents: Vec<String> =
                    head.into_iter().chain(std::iter::once(pr_head)).collect();
                self.push_commit(
                    repo,
                    author,
                    Self::github_sig(merged_at),
                    format!("Merge pull request #{number} from {org}/{branch}\n\n{title}"),
                    parents,
                )
            }
            MergeStrategy::Rebase => {
                let mut parent: Vec<String> = head.into_iter().collect();
                let mut last = 0;
                for i in self.plans[p].commit_idx.clone() {
                    let c = self.repos[repo].commits[i].clone();
                    last = self.push_commit(
                        repo,
                        c.author,
                        Self::github_sig(merged_at),
                        c.message,
                        parent.clone(),
                    );
                    parent = vec![self.repos[repo].commits[last].sha.clone()];
                }
                last
            }
        };
        let sha = self.repos[repo].commits[landed].sha.clone();
        self.plans[p].merge_commit_sha = Some(sha.clone());
        state[repo].head = Some(sha);
        state[repo].landed.push(p);
    }

    fn release(
        &mut self,
        repo: usize,
        sha: &str,
        at: Ts,
        reason: Reason,
        prs: &[usize],
        st: &mut RepoState,
    ) {
        if !self.org.repos[repo].release_tags {
            return;
        }
        let (ma, mi, pa) = st.version;
        st.version = if matches!(reason, Reason::Release) {
            (ma, mi + 1, 0)
        } else {
            (ma, mi, pa + 1)
        };
        let (ma, mi, pa) = st.version;
        let tag = format!("v{ma}.{mi}.{pa}");
        let notes: Vec<String> = prs
            .iter()
            .map(|&p| {
                format!(
                    "- {} (#{})",
                    self.plans[p].title,
                    self.plans[p].number.unwrap_or(0)
                )
            })
            .collect();
        let id = self.id() + ids::RELEASE;
        let bot = self.bot_user("github-actions[bot]");
        self.repos[repo].tags.push(Tag {
            name: tag.clone(),
            sha: sha.to_string(),
        });
        self.repos[repo].releases.push(Release {
            id,
            tag: tag.clone(),
            sha: sha.to_string(),
            name: tag,
            body: if notes.is_empty() {
                "Maintenance release.".into()
            } else {
                format!("## Changes\n{}", notes.join("\n"))
            },
            created_at: at,
            author: bot,
        });
    }

    /// The team member on call in the week containing `at` (weekly rotation over engineers).
    pub(super) fn on_call(&self, team: &str, at: Ts) -> usize {
        let engineers = self.team_people(team, Some(Role::Engineer));
        let week = at.div_euclid(7 * DAY) as usize;
        // Whoever is next in the rotation and not on a day off.
        (0..engineers.len())
            .map(|k| engineers[(week + k) % engineers.len()])
            .find(|&e| !self.cals[e].days_off.contains(&self.cals[e].local_day(at)))
            .unwrap_or(engineers[week % engineers.len()])
    }

    /// Every team's on-call shifts from the start to two weeks after `as_of`: level 1 as
    /// [`Self::on_call`] decides day by day (consecutive days of one person merged), level 2 the
    /// team's manager, always.
    pub(super) fn on_call_shifts(&self) -> Vec<crate::world::OnCall> {
        let mut out = Vec::new();
        let (first, last) = (
            self.start.div_euclid(DAY),
            (self.as_of + 15 * DAY).div_euclid(DAY),
        );
        for team in &self.org.teams {
            if self.team_people(&team.key, Some(Role::Engineer)).is_empty() {
                continue;
            }
            let mut current: Option<crate::world::OnCall> = None;
            for day in first..last {
                let person = self.on_call(&team.key, day * DAY + 12 * HOUR);
                match &mut current {
                    Some(c) if c.person == person => c.end = Some((day + 1) * DAY),
                    _ => {
                        out.extend(current.take());
                        current = Some(crate::world::OnCall {
                            team: team.key.clone(),
                            person,
                            level: 1,
                            start: Some(day * DAY),
                            end: Some((day + 1) * DAY),
                        });
                    }
                }
            }
            out.extend(current);
            if let Some(m) = self.org.people.iter().position(|p| p.key == team.manager) {
                out.push(crate::world::OnCall {
                    team: team.key.clone(),
                    person: m,
                    level: 2,
                    start: None,
                    end: None,
                });
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn bad_deploy(
        &mut self,
        repo: usize,
        dep_id: i64,
        sha: &str,
        deployed: Ts,
        prs: &[usize],
        st: &mut RepoState,
        rng: &mut Rng,
        new: &mut Vec<Ev>,
    ) {
        let team = self.repos[repo].team.clone();
        let trigger = deployed + rng.range(6 * MIN, 100 * MIN);
        let oncall = self.on_call(&team, trigger);
        let mates: Vec<usize> = self
            .team_people(&team, Some(Role::Engineer))
            .into_iter()
            .filter(|&p| p != oncall)
            .collect();
        let reviewer = self.person_user[rng.pick(&mates)];
        let culprit = prs
            .iter()
            .copied()
            .rev()
            .find(|&p| self.plans[p].kind != PrKind::Bot)
            .unwrap_or(prs[prs.len() - 1]);
        let choice = rng.weighted(&[0.35, 0.4, 0.25]);
        let bad = BadDeploy {
            repo,
            dep_id,
            sha,
            trigger,
            oncall,
            incident: format!(
                "Q{}{:05}",
                (b'A' + (repo % 26) as u8) as char,
                self.incidents.len() + 101
            ),
        };
        let deploy_delay = rng.range(8 * MIN, 15 * MIN);
        let (remedy_deploy_at, summary) = match choice {
            0 | 1 => {
                let revert = choice == 0;
                self.remedy_pr(&bad, revert, reviewer, culprit, deploy_delay, rng, new)
            }
            _ => {
                let Some(remedy) = self.rollback(&bad, st, rng, new) else {
                    return;
                };
                remedy
            }
        };
        let resolved = remedy_deploy_at + rng.range(12 * MIN, 35 * MIN);
        st.freeze_until = resolved + HOUR;
        self.bad_deploy_incident(bad, &summary, resolved, rng);
    }

    /// A revert (or a hotfix) of the culprit pull request by the on-call engineer, reviewed by a
    /// teammate, and its deploy. Returns when that deploy is planned and what the incident says.
    fn remedy_pr(
        &mut self,
        bad: &BadDeploy<'_>,
        revert: bool,
        reviewer: usize,
        culprit: usize,
        deploy_delay: Ts,
        rng: &mut Rng,
        new: &mut Vec<Ev>,
    ) -> (Ts, String) {
        let (repo, trigger, inc_id) = (bad.repo, bad.trigger, &bad.incident);
        let oncall_user = self.person_user[bad.oncall];
        let culprit_title = self.plans[culprit].title.clone();
        let culprit_number = self.plans[culprit].number.unwrap_or(0);
        let created = trigger
            + if revert {
                rng.range(15 * MIN, 35 * MIN)
            } else {
                rng.range(30 * MIN, 70 * MIN)
            };
        let review = created + rng.range(5 * MIN, 20 * MIN);
        let merged = review + rng.range(3 * MIN, 10 * MIN);
        let org = self.org.company.github_org.clone();
        let repo_name = self.repos[repo].name.clone();
        let (title, body, labels, head_ref) = if revert {
            (
                format!("Revert \"{culprit_title}\""),
                format!(
                    "Reverts {org}/{repo_name}#{culprit_number}.\n\nIt caused incident {inc_id} after deploy {}.",
                    &bad.sha[..7]
                ),
                vec!["revert".to_string()],
                format!("revert-{culprit_number}"),
            )
        } else {
            (
                format!(
                    "Hotfix: {}",
                    culprit_title
                        .split_once(' ')
                        .map_or(culprit_title.as_str(), |x| x.1)
                ),
                format!(
                    "Fixes the regression from #{culprit_number} that caused incident {inc_id}."
                ),
                vec!["hotfix".to_string()],
                format!("hotfix/{culprit_number}"),
            )
        };
        let plan = PlanPr {
            repo,
            kind: if revert {
                PrKind::Revert
            } else {
                PrKind::Hotfix
            },
            author: oncall_user,
            title,
            body,
            head_ref,
            labels,
            ticket: None,
            commits: vec![(
                created - 4 * MIN,
                if revert {
                    format!("Revert \"{culprit_title}\"")
                } else {
                    "Fix regression".into()
                },
                false,
            )],
            created_at: created,
            ready_at: None,
            requested: vec![(reviewer, created + 30)],
            reviews: vec![(reviewer, review, "APPROVED")],
            merged_at: Some(merged),
            merged_by: Some(oncall_user),
            closed_at: Some(merged),
            additions: rng.range(3, 60),
            deletions: rng.range(3, 80),
            changed_files: rng.range(1, 4),
            number: None,
            commit_idx: Vec::new(),
            merge_commit_sha: None,
        };
        self.plans.push(plan);
        let p = self.plans.len() - 1;
        new.push(Ev::Open(p));
        new.push(Ev::Land(p));
        let d = DeployPlan {
            repo,
            at: merged + deploy_delay,
            reason: if revert {
                Reason::Revert
            } else {
                Reason::Hotfix
            },
            sha: None,
            of: Some(bad.dep_id),
        };
        self.deploy_plans.push(d.clone());
        new.push(Ev::Deploy(self.deploy_plans.len() - 1));
        (
            d.at,
            if revert {
                format!("Reverting #{culprit_number}")
            } else {
                format!("Hotfix for #{culprit_number} in progress")
            },
        )
    }

    /// A rollback to the last good deployment (none without one). Returns when it is planned and
    /// what the incident says.
    fn rollback(
        &mut self,
        bad: &BadDeploy<'_>,
        st: &RepoState,
        rng: &mut Rng,
        new: &mut Vec<Ev>,
    ) -> Option<(Ts, String)> {
        let (_, good_sha) = st.last_good.clone()?;
        let at = bad.trigger + rng.range(10 * MIN, 25 * MIN);
        self.deploy_plans.push(DeployPlan {
            repo: bad.repo,
            at,
            reason: Reason::Rollback,
            sha: Some(good_sha.clone()),
            of: Some(bad.dep_id),
        });
        new.push(Ev::Deploy(self.deploy_plans.len() - 1));
        Some((at, format!("Rolling back to {}", &good_sha[..7])))
    }

    /// The incident a bad deploy causes: paged to the on-call engineer, acknowledged, annotated
    /// (`summary`, naming the deploy 60% of the time), resolved at `resolved`.
    fn bad_deploy_incident(
        &mut self,
        bad: BadDeploy<'_>,
        summary: &str,
        resolved: Ts,
        rng: &mut Rng,
    ) {
        let BadDeploy {
            repo,
            dep_id,
            sha,
            trigger,
            oncall,
            incident: inc_id,
        } = bad;
        let service_key = self.repos[repo].service.clone();
        let service_name = self
            .org
            .services
            .iter()
            .find(|s| s.key == service_key)
            .map_or(service_key.clone(), |s| s.name.clone());
        let ack = trigger + rng.range(2 * MIN, 14 * MIN);
        let title = format!(
            "{service_name}: {}",
            rng.pick(&[
                "elevated 5xx error rate",
                "checkout failures spiking",
                "p99 latency above SLO",
                "error budget burn alert",
                "health checks failing"
            ])
        );
        let explicit = rng.chance(0.6);
        let mut log = vec![
            LogEntry {
                id: format!("R{inc_id}T"),
                kind: "trigger_log_entry".into(),
                at: trigger,
                agent: None,
                summary: format!("Triggered through the API: {title}"),
            },
            LogEntry {
                id: format!("R{inc_id}N"),
                kind: "notify_log_entry".into(),
                at: trigger + 20,
                agent: Some(oncall),
                summary: "Notified on-call by push and phone".into(),
            },
            LogEntry {
                id: format!("R{inc_id}A"),
                kind: "acknowledge_log_entry".into(),
                at: ack,
                agent: Some(oncall),
                summary: "Acknowledged".into(),
            },
        ];
        log.push(LogEntry {
            id: format!("R{inc_id}N2"),
            kind: "annotate_log_entry".into(),
            at: ack + 3 * MIN,
            agent: Some(oncall),
            summary: if explicit {
                format!(
                    "Caused by deploy {} (deployment {dep_id}). {summary}.",
                    &sha[..7]
                )
            } else {
                format!("Investigating. {summary}.")
            },
        });
        log.push(LogEntry {
            id: format!("R{inc_id}R"),
            kind: "resolve_log_entry".into(),
            at: resolved,
            agent: Some(oncall),
            summary: "Resolved".into(),
        });
        self.incidents.push(Incident {
            id: inc_id,
            number: self.incidents.len() as i64 + 1001,
            title,
            service: service_key,
            urgency: "high".into(),
            priority: Some(if rng.chance(0.4) { "P1" } else { "P2" }.into()),
            created_at: trigger,
            acknowledged_at: Some(ack),
            resolved_at: Some(resolved),
            assignees: vec![oncall],
            caused_by: Some((repo, dep_id)),
            log,
        });
    }

    /// Turn plans into pull requests as GitHub shows them at `as_of`.
    fn materialize_pulls(&mut self, rng: &mut Rng) {
        let as_of = self.as_of;
        let plans = std::mem::take(&mut self.plans);
        for plan in &plans {
            let Some(number) = plan.number else { continue };
            let repo = plan.repo;
            let reviews = self.pull_reviews(plan, number, rng);
            let merged_at = plan
                .merged_at
                .filter(|m| *m <= as_of && plan.merge_commit_sha.is_some());
            let closed_at = plan
                .closed_at
                .filter(|c| *c <= as_of)
                .filter(|_| plan.merged_at.is_none() || merged_at.is_some());
            let events = self.pull_events(plan, merged_at, closed_at);
            // A conversation comment now and then.
            if rng.chance(0.15)
                && let Some(first) = reviews.first()
            {
                let cid = self.id() + ids::ISSUE_COMMENT;
                self.repos[repo].issue_comments.push(IssueComment {
                    id: cid,
                    number,
                    author: first.reviewer,
                    body: format!(
                        "@{} could you add a note to the changelog?",
                        self.users[plan.author].login
                    ),
                    created_at: first.submitted_at,
                });
            }
            let open = closed_at.is_none();
            let requested_reviewers: Vec<usize> = if open {
                plan.requested
                    .iter()
                    .filter(|(u, at)| *at <= as_of && !reviews.iter().any(|r| r.reviewer == *u))
                    .map(|r| r.0)
                    .collect()
            } else {
                Vec::new()
            };
            let commits: Vec<usize> = plan.commit_idx.clone();
            let updated = self.pull_updated_at(plan, number, &reviews, &events);
            let pr_id = self.repos[repo].id * ids::PULLS_PER_REPO + number;
            self.repos[repo].pulls.push(Pull {
                id: pr_id,
                number,
                title: plan.title.clone(),
                body: plan.body.clone(),
                author: plan.author,
                created_at: plan.created_at,
                updated_at: updated.min(as_of),
                draft: plan.ready_at.is_some_and(|r| r > as_of) && open,
                head_ref: plan.head_ref.clone(),
                base_ref: "main".into(),
                commits,
                additions: plan.additions,
                deletions: plan.deletions,
                changed_files: plan.changed_files,
                labels: plan.labels.clone(),
                requested_reviewers,
                reviews,
                events,
                merged_at,
                merged_by: merged_at.and(plan.merged_by),
                merge_commit_sha: merged_at.and(plan.merge_commit_sha.clone()),
                closed_at,
                ticket: plan.ticket.clone(),
                files: Vec::new(),
            });
        }
        for r in &mut self.repos {
            r.pulls.sort_by_key(|p| p.number);
        }
        self.plans = plans;
    }

    /// A pull request's reviews up to `as_of`, each on the head at its time; a review that does
    /// not approve leaves comments on the diff, which the author answers with their next push.
    fn pull_reviews(&mut self, plan: &PlanPr, number: i64, rng: &mut Rng) -> Vec<Review> {
        let as_of = self.as_of;
        let repo = plan.repo;
        let mut reviews = Vec::new();
        let head_sha_at = |t: Ts, repo_commits: &[Commit]| -> String {
            plan.commit_idx
                .iter()
                .rev()
                .map(|&i| &repo_commits[i])
                .find(|c| c.author.at <= t)
                .or_else(|| plan.commit_idx.first().map(|&i| &repo_commits[i]))
                .map_or(String::new(), |c| c.sha.clone())
        };
        for (u, at, state) in plan.reviews.iter().filter(|r| r.1 <= as_of) {
            let id = self.id() + ids::REVIEW;
            let commit_sha = head_sha_at(*at, &self.repos[repo].commits);
            let body = match *state {
                "APPROVED" => text::approval_body(rng).to_string(),
                "CHANGES_REQUESTED" => "A few things to fix before this can go in.".to_string(),
                _ => "Some questions inline.".to_string(),
            };
            if *state != "APPROVED" {
                for k in 0..rng.range(1, 2) {
                    let cid = self.id() + ids::REVIEW_COMMENT;
                    let path = text::file_path(rng, &self.repos[repo].name);
                    self.repos[repo].review_comments.push(ReviewComment {
                        id: cid,
                        pull_number: number,
                        review_id: id,
                        author: *u,
                        body: text::review_comment(rng).to_string(),
                        path: path.clone(),
                        line: 10 + k * 17 + rng.range(0, 40),
                        commit_sha: commit_sha.clone(),
                        in_reply_to: None,
                        created_at: *at,
                    });
                    let reply_at = plan
                        .commits
                        .iter()
                        .map(|c| c.0)
                        .find(|t| t > at)
                        .unwrap_or(at + HOUR);
                    if reply_at <= as_of {
                        let rid = self.id() + ids::REVIEW_COMMENT;
                        self.repos[repo].review_comments.push(ReviewComment {
                            id: rid,
                            pull_number: number,
                            review_id: id + 1,
                            author: plan.author,
                            body: text::reply_comment(rng).to_string(),
                            path,
                            line: 10 + k * 17,
                            commit_sha: commit_sha.clone(),
                            in_reply_to: Some(cid),
                            created_at: reply_at,
                        });
                    }
                }
            }
            reviews.push(Review {
                id,
                reviewer: *u,
                state: state.to_string(),
                submitted_at: *at,
                body,
                commit_sha,
            });
        }
        reviews
    }

    /// A pull request's timeline up to `as_of`: labels, ready for review, review requests, merged,
    /// closed; in time order.
    fn pull_events(
        &mut self,
        plan: &PlanPr,
        merged_at: Option<Ts>,
        closed_at: Option<Ts>,
    ) -> Vec<PullEvent> {
        let as_of = self.as_of;
        let mut events = Vec::new();
        for l in &plan.labels {
            events.push(self.pull_event("labeled", plan.author, None, Some(l), plan.created_at));
        }
        if let Some(r) = plan.ready_at.filter(|r| *r <= as_of) {
            events.push(self.pull_event("ready_for_review", plan.author, None, None, r));
        }
        for (u, at) in plan.requested.iter().filter(|r| r.1 <= as_of) {
            events.push(self.pull_event("review_requested", plan.author, Some(*u), None, *at));
        }
        let closer = plan.merged_by.unwrap_or(plan.author);
        if let Some(m) = merged_at {
            events.push(self.pull_event("merged", closer, None, None, m));
        }
        if let Some(c) = closed_at {
            events.push(self.pull_event("closed", closer, None, None, c));
        }
        events.sort_by_key(|e| (e.at, e.id));
        events
    }

    fn pull_event(
        &mut self,
        event: &str,
        actor: usize,
        subject: Option<usize>,
        label: Option<&String>,
        at: Ts,
    ) -> PullEvent {
        PullEvent {
            id: self.id() + ids::PULL_EVENT,
            event: event.into(),
            actor,
            subject,
            label: label.cloned(),
            at,
        }
    }

    /// When a pull request last changed: its latest commit, review, event or comment.
    fn pull_updated_at(
        &self,
        plan: &PlanPr,
        number: i64,
        reviews: &[Review],
        events: &[PullEvent],
    ) -> Ts {
        let repo = &self.repos[plan.repo];
        let mut updated = plan.created_at;
        for &i in &plan.commit_idx {
            updated = updated.max(repo.commits[i].committer.at);
        }
        for r in reviews {
            updated = updated.max(r.submitted_at);
        }
        for e in events {
            updated = updated.max(e.at);
        }
        for c in repo
            .review_comments
            .iter()
            .filter(|c| c.pull_number == number)
        {
            updated = updated.max(c.created_at);
        }
        for c in repo.issue_comments.iter().filter(|c| c.number == number) {
            updated = updated.max(c.created_at);
        }
        updated
    }

    /// CI: each check runs on every pushed commit of a PR; the repo's flaky check sometimes
    /// fails and passes on a re-run of the same commit; some open PRs are left failing.
    pub(super) fn check_runs(&mut self) {
        let as_of = self.as_of;
        for repo in 0..self.repos.len() {
            let mut rng = self.rng.fork(&format!("ci/{}", self.repos[repo].name));
            let checks = self.org.repos[repo].checks.clone();
            let flaky = self.org.repos[repo].flaky_check.clone();
            let mut open_seen = 0;
            let pulls = self.repos[repo].pulls.clone();
            for pr in &pulls {
                let open = pr.closed_at.is_none();
                if open && !pr.draft {
                    open_seen += 1;
                }
                let failing_head = open && !pr.draft && open_seen % 6 == 2;
                for (k, &ci) in pr.commits.iter().enumerate() {
                    let commit = self.repos[repo].commits[ci].clone();
                    let is_head = k + 1 == pr.commits.len();
                    for (n, name) in checks.iter().enumerate() {
                        let started = commit.committer.at + rng.range(30, 3 * MIN);
                        if started > as_of {
                            continue;
                        }
                        let completed = started + rng.range(2 * MIN, 14 * MIN);
                        let flaky_fail = flaky.as_deref() == Some(name.as_str()) && rng.chance(0.2);
                        let random_fail = !is_head && n == 1 && rng.chance(0.04);
                        let fail = (failing_head && is_head && n == 1) || random_fail || flaky_fail;
                        self.push_run(
                            repo,
                            &commit.sha,
                            name,
                            started,
                            completed,
                            if fail { "failure" } else { "success" },
                            pr.number,
                        );
                        if flaky_fail && !(failing_head && is_head && n == 1) {
                            let again = completed + rng.range(10 * MIN, 90 * MIN);
                            if again <= as_of {
                                self.push_run(
                                    repo,
                                    &commit.sha,
                                    name,
                                    again,
                                    again + rng.range(2 * MIN, 14 * MIN),
                                    "success",
                                    pr.number,
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_run(
        &mut self,
        repo: usize,
        sha: &str,
        name: &str,
        started: Ts,
        completed: Ts,
        conclusion: &str,
        pr: i64,
    ) {
        let id = self.id() + ids::CHECK_RUN;
        let done = completed <= self.as_of;
        self.repos[repo].check_runs.push(CheckRun {
            id,
            head_sha: sha.to_string(),
            name: name.to_string(),
            status: if done { "completed" } else { "in_progress" }.into(),
            conclusion: done.then(|| conclusion.to_string()),
            started_at: started,
            completed_at: done.then_some(completed),
            pull_number: Some(pr),
        });
    }

    /// Pages that have nothing to do with a deploy: mostly low urgency, any time of day, never
    /// within three hours after a deploy of the same service.
    pub(super) fn noise_incidents(&mut self) {
        let mut rng = self.rng.fork("noise-incidents");
        let services = self.org.services.clone();
        for s in &services {
            let Some(repo) = self.repos.iter().position(|r| r.service == s.key) else {
                continue;
            };
            let weeks = (self.as_of - self.start) / (7 * DAY);
            for _ in 0..(weeks / 4).max(1) {
                let mut at = self.start + rng.range(0, self.as_of - self.start);
                for _ in 0..20 {
                    let near = self.repos[repo]
                        .deployments
                        .iter()
                        .any(|d| at >= d.created_at && at <= d.created_at + 3 * HOUR);
                    if !near {
                        break;
                    }
                    at += 3 * HOUR;
                }
                let resolved = at + rng.range(10 * MIN, 3 * HOUR);
                if resolved > self.as_of - HOUR {
                    continue;
                }
                let oncall = self.on_call(&s.team, at);
                let title = text::incident_noise_title(&mut rng, &s.name);
                let id = format!("QN{:05}", self.incidents.len() + 101);
                let ack = at + rng.range(MIN, 20 * MIN);
                self.incidents.push(Incident {
                    id: id.clone(),
                    number: self.incidents.len() as i64 + 1001,
                    title: title.clone(),
                    service: s.key.clone(),
                    urgency: if rng.chance(0.7) { "low" } else { "high" }.into(),
                    priority: None,
                    created_at: at,
                    acknowledged_at: Some(ack),
                    resolved_at: Some(resolved),
                    assignees: vec![oncall],
                    caused_by: None,
                    log: vec![
                        LogEntry {
                            id: format!("R{id}T"),
                            kind: "trigger_log_entry".into(),
                            at,
                            agent: None,
                            summary: format!("Triggered through the API: {title}"),
                        },
                        LogEntry {
                            id: format!("R{id}A"),
                            kind: "acknowledge_log_entry".into(),
                            at: ack,
                            agent: Some(oncall),
                            summary: "Acknowledged".into(),
                        },
                        LogEntry {
                            id: format!("R{id}R"),
                            kind: "resolve_log_entry".into(),
                            at: resolved,
                            agent: Some(oncall),
                            summary: "Resolved".into(),
                        },
                    ],
                });
            }
        }
    }

    /// One incident still open at `as_of`.
    pub(super) fn open_incident(&mut self) {
        let Some(s) = self.org.services.first().cloned() else {
            return;
        };
        let at = self.as_of - 50 * MIN;
        let oncall = self.on_call(&s.team, at);
        let id = "QOPEN0001".to_string();
        let title = format!("{}: p99 latency above SLO", s.name);
        self.incidents.push(Incident {
            id: id.clone(),
            number: self.incidents.len() as i64 + 1001,
            title: title.clone(),
            service: s.key.clone(),
            urgency: "high".into(),
            priority: Some("P2".into()),
            created_at: at,
            acknowledged_at: Some(at + 6 * MIN),
            resolved_at: None,
            assignees: vec![oncall],
            caused_by: None,
            log: vec![
                LogEntry {
                    id: format!("R{id}T"),
                    kind: "trigger_log_entry".into(),
                    at,
                    agent: None,
                    summary: format!("Triggered through the API: {title}"),
                },
                LogEntry {
                    id: format!("R{id}A"),
                    kind: "acknowledge_log_entry".into(),
                    at: at + 6 * MIN,
                    agent: Some(oncall),
                    summary: "Acknowledged".into(),
                },
                LogEntry {
                    id: format!("R{id}N"),
                    kind: "annotate_log_entry".into(),
                    at: at + 15 * MIN,
                    agent: Some(oncall),
                    summary: "Upstream dependency slow; watching".into(),
                },
            ],
        });
        self.incidents.sort_by_key(|i| (i.created_at, i.number));
    }

    /// Postmortem follow-ups for incidents caused by deploys: some done, some overdue.
    pub(super) fn postmortem_followups(&mut self) {
        let mut rng = self.rng.fork("postmortems");
        let incidents = self.incidents.clone();
        for inc in incidents.iter().filter(|i| i.caused_by.is_some()) {
            let Some(resolved) = inc.resolved_at else {
                continue;
            };
            let Some(team) = self
                .org
                .services
                .iter()
                .find(|s| s.key == inc.service)
                .map(|s| s.team.clone())
            else {
                continue;
            };
            let owner = inc.assignees[0];
            let cal = self.cals[owner].clone();
            let created = cal.add_work(resolved, 9 * HOUR);
            if created > self.as_of {
                continue;
            }
            let manager = self.team_people(&team, Some(Role::Manager))[0];
            let idx = self.tickets.len();
            let what = rng.pick(&[
                "Add an alert for the failure mode",
                "Add a regression test",
                "Update the runbook",
                "Add a canary step",
            ]);
            let ticket = self.next_ticket(&team, manager, created);
            self.tickets.push(Ticket {
                summary: format!("Postmortem {}: {what}", inc.id),
                description: format!("Follow-up from incident {} ({}).", inc.id, inc.title),
                priority: "High".into(),
                assignee: Some(owner),
                story_points: Some(2.0),
                labels: vec!["postmortem".into(), inc.id.to_lowercase()],
                due_at: Some(cal.add_work(created, 10 * 9 * HOUR)),
                ..ticket
            });
            if rng.chance(0.65) {
                let start = cal.add_work(created, rng.range(2 * HOUR, 30 * HOUR));
                let done = cal.add_work(start, rng.range(3 * HOUR, 20 * HOUR));
                if start <= self.as_of {
                    self.set_status(idx, "In Progress", start, owner);
                }
                if done <= self.as_of {
                    self.set_status(idx, "Done", done, owner);
                }
            }
        }
    }
}

fn repo_index(org: &crate::org::Org, name: &str) -> usize {
    org.repos.iter().position(|r| r.name == name).unwrap_or(0)
}

fn statuses(id: i64, at: Ts, done: Ts, ok: bool) -> Vec<DeploymentStatus> {
    vec![
        DeploymentStatus {
            id: id * 10 + 1,
            state: "queued".into(),
            description: "Queued".into(),
            at,
        },
        DeploymentStatus {
            id: id * 10 + 2,
            state: "in_progress".into(),
            description: "Deploying".into(),
            at: at + 40,
        },
        DeploymentStatus {
            id: id * 10 + 3,
            state: if ok { "success" } else { "failure" }.into(),
            description: if ok {
                "Deployment finished successfully."
            } else {
                "Health checks failed; deploy aborted."
            }
            .into(),
            at: done,
        },
    ]
}
