//! Sprints, tickets and the pull requests engineers open for them.

use super::Gen;
use crate::calendar::{DAY, HOUR};
use crate::ids;
use crate::org::Role;
use crate::text;
use crate::world::{Change, ChangeItem, Sprint, Ticket, TicketLink};
use bosun_core::time::Ts;

const MIN: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrKind {
    Regular,
    Chore,
    Bot,
    Revert,
    Hotfix,
}

/// A pull request planned with its whole life; the sweep gives it a number and commits, and
/// everything after `as_of` is cut when the world is assembled.
#[derive(Debug, Clone)]
pub struct PlanPr {
    pub repo: usize,
    pub kind: PrKind,
    pub author: usize,
    pub title: String,
    pub body: String,
    pub head_ref: String,
    pub labels: Vec<String>,
    pub ticket: Option<String>,
    /// (authored time, message, pushed with a failing check run).
    pub commits: Vec<(Ts, String, bool)>,
    pub created_at: Ts,
    /// When the PR left draft (None: never a draft). After `as_of` ⇒ still a draft.
    pub ready_at: Option<Ts>,
    /// (reviewer user, requested at).
    pub requested: Vec<(usize, Ts)>,
    /// (reviewer user, submitted at, state).
    pub reviews: Vec<(usize, Ts, &'static str)>,
    pub merged_at: Option<Ts>,
    pub merged_by: Option<usize>,
    pub closed_at: Option<Ts>,
    pub additions: i64,
    pub deletions: i64,
    pub changed_files: i64,
    /// Set by the sweep.
    pub number: Option<i64>,
    pub commit_idx: Vec<usize>,
    pub merge_commit_sha: Option<String>,
}

/// What a person was doing, kept for standup chatter.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    /// (ticket key, started, finished or None).
    pub tickets: Vec<(String, Ts, Option<Ts>)>,
    /// (ticket key, blocked from, until, blocker key).
    pub blocked: Vec<(String, Ts, Ts, Option<String>)>,
    /// (plan index, waiting for review from, first review at).
    pub waiting: Vec<(usize, Ts, Option<Ts>)>,
}

struct TicketDraft {
    team: String,
    issue_type: &'static str,
    points: f64,
    repo: usize,
}

impl Gen {
    /// Two-week sprints per team from the start of the world to the one after `as_of`.
    pub(super) fn plan_sprints(&mut self) {
        let len = self.org.calendar.sprint_length_days * DAY;
        let anchor = self
            .org
            .calendar
            .sprint_anchor
            .and_hms_opt(9, 30, 0)
            .map_or(0, |d| d.and_utc().timestamp());
        let first_k = (self.start - anchor).div_euclid(len);
        let last_k = (self.as_of - anchor).div_euclid(len) + 1;
        let teams = self.org.teams.clone();
        for t in &teams {
            let mut rng = self.rng.fork(&format!("sprints/{}", t.key));
            for k in first_k..=last_k {
                let start = anchor + k * len;
                let end = start + len - 30 * MIN;
                let complete = end + 20 * MIN;
                let state = if complete <= self.as_of {
                    "closed"
                } else if start <= self.as_of {
                    "active"
                } else {
                    "future"
                };
                self.sprints.push(Sprint {
                    id: t.board_id * ids::SPRINTS_PER_BOARD + ids::SPRINT + k,
                    board_id: t.board_id,
                    team: t.key.clone(),
                    name: format!("{} Sprint {}", t.name, k + 30),
                    state: state.to_string(),
                    goal: text::sprint_goal(&mut rng, &t.name),
                    start,
                    end,
                    complete: (state == "closed").then_some(complete),
                });
            }
        }
    }

    /// Tickets planned into sprints and worked; each worked ticket opens pull requests.
    pub(super) fn plan_work(&mut self) {
        let teams = self.org.teams.clone();
        for team in &teams {
            let mut rng = self.rng.fork(&format!("work/{}", team.key));
            let engineers = self.team_people(&team.key, Some(Role::Engineer));
            let manager = self.team_people(&team.key, Some(Role::Manager))[0];
            let repos = self.team_repos(&team.key);
            let sprint_idx: Vec<usize> = (0..self.sprints.len())
                .filter(|i| self.sprints[*i].team == team.key && self.sprints[*i].state != "future")
                .collect();
            let mut free_at: Vec<Ts> = engineers.iter().map(|_| 0).collect();
            let mut carry: Vec<usize> = Vec::new();
            let mut forced_block = false;
            for (n, &si) in sprint_idx.iter().enumerate() {
                let sprint = self.sprints[si].clone();
                let is_current = sprint.state == "active";
                let is_last_closed = sprint_idx
                    .get(n + 1)
                    .is_some_and(|&j| self.sprints[j].state == "active");
                // Commitment: carry-over first, then new tickets up to ~115% of capacity.
                let capacity: f64 = engineers
                    .iter()
                    .map(|&e| 13.0 * self.org.people[e].activity)
                    .sum::<f64>()
                    * 1.15;
                let mut committed: Vec<usize> = std::mem::take(&mut carry);
                let mut points: f64 = committed
                    .iter()
                    .map(|&t| self.tickets[t].story_points.unwrap_or(0.0))
                    .sum();
                while points < capacity {
                    let d = self.draft_ticket(&mut rng, &team.key, &repos);
                    points += d.points;
                    let created = sprint.start - rng.range(2 * HOUR, 12 * DAY);
                    let reporter = if rng.chance(0.5) {
                        manager
                    } else {
                        rng.pick(&engineers)
                    };
                    let t = self.new_ticket(&mut rng, d, reporter, created);
                    committed.push(t);
                }
                for &t in &committed {
                    self.add_to_sprint(t, si, sprint.start - 10 * MIN, manager);
                }
                // Scope creep: a little in most sprints, a lot in the current and last closed
                // sprints of the second team (the demo's "sprint with scope creep").
                let heavy =
                    (is_current || is_last_closed) && teams.len() > 1 && team.key == teams[1].key;
                let added = if heavy {
                    4
                } else if rng.chance(0.35) {
                    1
                } else {
                    0
                };
                let mut added_tickets = Vec::new();
                for a in 0..added {
                    let mut d = self.draft_ticket(&mut rng, &team.key, &repos);
                    if a == 0 && heavy {
                        d.issue_type = "Bug";
                    }
                    let at = sprint.start + rng.range(DAY, 8 * DAY);
                    if at > self.as_of {
                        continue;
                    }
                    let reporter = if rng.chance(0.6) {
                        manager
                    } else {
                        rng.pick(&engineers)
                    };
                    let created = at - rng.range(10 * MIN, 3 * HOUR);
                    let t = self.new_ticket(&mut rng, d, reporter, created);
                    self.add_to_sprint(t, si, at, manager);
                    added_tickets.push((t, at));
                }
                // Occasionally a committed ticket is descoped mid-sprint.
                let mut removed = None;
                if committed.len() > 4 && rng.chance(0.25) {
                    let t = committed[committed.len() - 1];
                    let at = sprint.start + rng.range(3 * DAY, 7 * DAY);
                    if at <= self.as_of {
                        self.remove_from_sprint(t, si, at, manager);
                        removed = Some(t);
                    }
                }
                // Work the tickets: assignees take them in order as they become free.
                let mut queue: Vec<(usize, Ts)> = committed
                    .iter()
                    .filter(|t| Some(**t) != removed)
                    .map(|&t| (t, sprint.start))
                    .chain(added_tickets.iter().copied())
                    .collect();
                queue.sort_by_key(|(t, at)| (*at, self.tickets[*t].id));
                for (t, available) in queue {
                    if self.tickets[t].resolved_at.is_some() {
                        continue; // finished while carried over
                    }
                    let assignee = match self.tickets[t].assignee {
                        Some(a) => a,
                        None => {
                            let weights: Vec<f64> = engineers
                                .iter()
                                .enumerate()
                                .map(|(i, &e)| {
                                    self.org.people[e].activity
                                        / (1.0
                                            + ((free_at[i] - available).max(0) as f64 / DAY as f64))
                                })
                                .collect();
                            let a = engineers[rng.weighted(&weights)];
                            self.assign(t, a, available, manager);
                            a
                        }
                    };
                    let ei = engineers.iter().position(|&e| e == assignee).unwrap_or(0);
                    let begin = self.cals[assignee].next_working(available.max(free_at[ei]));
                    if begin >= sprint.end || begin > self.as_of {
                        continue; // not started this sprint
                    }
                    // The demo needs something blocked right now in every active sprint.
                    let force_block = is_current
                        && !forced_block
                        && begin > self.as_of - 4 * DAY
                        && begin < self.as_of - 3 * HOUR;
                    forced_block |= force_block;
                    let next_free =
                        self.work_ticket(&mut rng, t, assignee, begin, &repos, force_block);
                    free_at[ei] = next_free;
                }
                // Unfinished tickets carry over to the next sprint.
                if sprint.state == "closed" {
                    for &t in committed.iter().chain(added_tickets.iter().map(|(t, _)| t)) {
                        let done = self.tickets[t].resolved_at.is_some_and(|r| r <= sprint.end);
                        if !done && Some(t) != removed {
                            carry.push(t);
                        }
                    }
                }
                // A chore or two without a ticket.
                for _ in 0..engineers.len() {
                    if rng.chance(0.5) {
                        let e = rng.pick(&engineers);
                        let at = sprint.start + rng.range(0, 9 * DAY);
                        if at < self.as_of {
                            let repo = rng.pick(&repos);
                            let begin = self.cals[e].next_working(at);
                            let coding = rng.log_normal(1.5 * HOUR as f64, 0.7) as i64;
                            self.plan_pr(&mut rng, repo, e, begin, None, PrKind::Chore, coding);
                        }
                    }
                }
            }
        }
    }

    fn draft_ticket(&self, rng: &mut bosun_core::Rng, team: &str, repos: &[usize]) -> TicketDraft {
        let issue_type = [
            "Story",
            "Story",
            "Story",
            "Story",
            "Bug",
            "Bug",
            "Task",
            "Tech Debt",
            "Risk",
        ];
        let points = [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 5.0, 5.0, 8.0];
        TicketDraft {
            team: team.to_string(),
            issue_type: rng.pick(&issue_type),
            points: rng.pick(&points),
            repo: rng.pick(repos),
        }
    }

    /// A new "To Do" ticket of `team` with the next id and key (keys count from 101), for the
    /// caller to fill in and push.
    pub(super) fn next_ticket(&self, team: &str, reporter: usize, created: Ts) -> Ticket {
        let n = self.tickets.len();
        let key = format!("{}-{}", self.org.company.jira_project, n + 101);
        Ticket::todo(ids::TICKET + n as i64, key, team, reporter, created)
    }

    fn new_ticket(
        &mut self,
        rng: &mut bosun_core::Rng,
        d: TicketDraft,
        reporter: usize,
        created: Ts,
    ) -> usize {
        let repo_name = self.repos[d.repo].name.clone();
        let summary = text::ticket_summary(rng, &repo_name, d.issue_type);
        let priority = rng.pick(&["Medium", "Medium", "Medium", "High", "Low"]);
        let labels = vec![repo_name.clone()];
        let ticket = self.next_ticket(&d.team, reporter, created);
        self.tickets.push(Ticket {
            summary: summary.clone(),
            description: format!("{summary}.\n\nRepository: {repo_name}. Acceptance: covered by tests, runbook updated if behaviour changes."),
            issue_type: d.issue_type.to_string(),
            priority: priority.to_string(),
            story_points: Some(d.points),
            labels,
            ..ticket
        });
        self.tickets.len() - 1
    }

    pub(super) fn change(&mut self, t: usize, author: usize, at: Ts, items: Vec<ChangeItem>) {
        let id = self.id() + ids::CHANGELOG;
        let ticket = &mut self.tickets[t];
        ticket.changelog.push(Change {
            id,
            author,
            at,
            items,
        });
        ticket.updated_at = ticket.updated_at.max(at);
    }

    fn item(
        field: &str,
        from: Option<String>,
        from_s: Option<String>,
        to: Option<String>,
        to_s: Option<String>,
    ) -> ChangeItem {
        ChangeItem {
            field: field.to_string(),
            from,
            from_string: from_s,
            to,
            to_string: to_s,
        }
    }

    fn sprint_field(&self, sprints: &[i64]) -> (Option<String>, Option<String>) {
        if sprints.is_empty() {
            return (None, None);
        }
        let ids = sprints
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let names = sprints
            .iter()
            .map(|s| {
                self.sprints
                    .iter()
                    .find(|x| x.id == *s)
                    .map_or(String::new(), |x| x.name.clone())
            })
            .collect::<Vec<_>>()
            .join(", ");
        (Some(ids), Some(names))
    }

    pub(super) fn add_to_sprint(&mut self, t: usize, si: usize, at: Ts, author: usize) {
        let sid = self.sprints[si].id;
        let before = self.tickets[t].sprints.clone();
        if before.contains(&sid) {
            return;
        }
        let mut after = before.clone();
        after.push(sid);
        let (f, fs) = self.sprint_field(&before);
        let (to, ts) = self.sprint_field(&after);
        self.tickets[t].sprints = after;
        self.change(
            t,
            author,
            at.max(self.tickets[t].created_at + MIN),
            vec![Self::item("Sprint", f, fs, to, ts)],
        );
    }

    fn remove_from_sprint(&mut self, t: usize, si: usize, at: Ts, author: usize) {
        let sid = self.sprints[si].id;
        let before = self.tickets[t].sprints.clone();
        let after: Vec<i64> = before.iter().copied().filter(|s| *s != sid).collect();
        let (f, fs) = self.sprint_field(&before);
        let (to, ts) = self.sprint_field(&after);
        self.tickets[t].sprints = after;
        self.change(t, author, at, vec![Self::item("Sprint", f, fs, to, ts)]);
    }

    pub(super) fn assign(&mut self, t: usize, person: usize, at: Ts, author: usize) {
        let acc = self.org.people[person].jira.clone();
        let name = self.org.people[person].name.clone();
        self.tickets[t].assignee = Some(person);
        let at = at.max(self.tickets[t].created_at + MIN);
        self.change(
            t,
            author,
            at,
            vec![Self::item("assignee", None, None, Some(acc), Some(name))],
        );
    }

    pub(super) fn set_status(&mut self, t: usize, to: &str, at: Ts, author: usize) {
        let ids = |s: &str| match s {
            "To Do" => "10000",
            "In Progress" => "3",
            "In Review" => "10101",
            "Blocked" => "10102",
            _ => "10001",
        };
        let from = self.tickets[t].status.clone();
        if from == to {
            return;
        }
        self.tickets[t].status = to.to_string();
        let mut items = vec![Self::item(
            "status",
            Some(ids(&from).into()),
            Some(from.clone()),
            Some(ids(to).into()),
            Some(to.into()),
        )];
        if to == "Done" {
            items.push(Self::item(
                "resolution",
                None,
                None,
                Some("10000".into()),
                Some("Done".into()),
            ));
            self.tickets[t].resolved_at = Some(at);
        }
        self.change(t, author, at, items);
    }

    /// Work ticket `t` starting at `begin`; returns when the engineer is free for the next one.
    fn work_ticket(
        &mut self,
        rng: &mut bosun_core::Rng,
        t: usize,
        person: usize,
        begin: Ts,
        repos: &[usize],
        force_block: bool,
    ) -> Ts {
        let cal = self.cals[person].clone();
        let key = self.tickets[t].key.clone();
        self.set_status(t, "In Progress", begin, person);
        let points = self.tickets[t].story_points.unwrap_or(2.0);
        // Blocked for a while, sometimes flagged and linked to what blocks it.
        let mut cursor = begin;
        if force_block || rng.chance(0.12) {
            let blocked_at = cal.add_work(begin, rng.range(HOUR, 6 * HOUR));
            let until = if force_block {
                self.as_of + 2 * DAY // still blocked at as_of
            } else {
                cal.add_work(blocked_at, rng.range(9 * HOUR, 4 * 9 * HOUR))
            };
            let blocker = if self.tickets.len() > 5 && (force_block || rng.chance(0.6)) {
                let other = rng.range(0, self.tickets.len() as i64 - 1) as usize;
                (other != t).then_some(other)
            } else {
                None
            };
            let flag = force_block || rng.chance(0.5);
            if blocked_at <= self.as_of {
                self.set_status(t, "Blocked", blocked_at, person);
                if flag {
                    self.tickets[t].flagged = true;
                    self.change(
                        t,
                        person,
                        blocked_at + MIN,
                        vec![Self::item(
                            "Flagged",
                            None,
                            None,
                            Some("Impediment".into()),
                            Some("Impediment".into()),
                        )],
                    );
                }
                if let Some(b) = blocker {
                    let other_key = self.tickets[b].key.clone();
                    let link_id =
                        ids::ISSUE_LINK + t as i64 * 10 + self.tickets[t].links.len() as i64;
                    self.tickets[t].links.push(TicketLink {
                        id: link_id,
                        link_type: "Blocks".into(),
                        direction: "inward".into(),
                        other: other_key.clone(),
                    });
                    self.tickets[b].links.push(TicketLink {
                        id: link_id,
                        link_type: "Blocks".into(),
                        direction: "outward".into(),
                        other: key.clone(),
                    });
                    self.change(
                        t,
                        person,
                        blocked_at + 2 * MIN,
                        vec![Self::item(
                            "Link",
                            None,
                            None,
                            Some(other_key.clone()),
                            Some(format!("This issue is blocked by {other_key}")),
                        )],
                    );
                }
                let blocker_key = blocker.map(|b| self.tickets[b].key.clone());
                self.activity[person]
                    .blocked
                    .push((key.clone(), blocked_at, until, blocker_key));
                if until <= self.as_of {
                    self.set_status(t, "In Progress", until, person);
                    if flag {
                        self.tickets[t].flagged = false;
                        self.change(
                            t,
                            person,
                            until + MIN,
                            vec![Self::item(
                                "Flagged",
                                Some("Impediment".into()),
                                Some("Impediment".into()),
                                None,
                                None,
                            )],
                        );
                    }
                    // Unblocked: the link stays but the blocker is resolved in spirit.
                }
                cursor = until;
            }
        }
        let n_prs = match points as i64 {
            0..=2 => 1,
            3 => 1 + i64::from(rng.chance(0.4)),
            _ => 2 + i64::from(rng.chance(0.4)),
        };
        let coding_total = (points * rng.log_normal(3.0 * HOUR as f64, 0.5)) as i64;
        let repo = repos[rng.range(0, repos.len() as i64 - 1) as usize];
        let ticket_repo = self.tickets[t]
            .labels
            .first()
            .and_then(|l| self.repos.iter().position(|r| &r.name == l))
            .unwrap_or(repo);
        let mut last_merge: Option<Ts> = None;
        let mut all_merged = true;
        let mut first_ready = None;
        let mut pr_start = cursor;
        for _ in 0..n_prs {
            let ticket_ref = (key.clone(), self.tickets[t].summary.clone());
            let p = self.plan_pr(
                rng,
                ticket_repo,
                person,
                pr_start,
                Some(ticket_ref),
                PrKind::Regular,
                coding_total / n_prs,
            );
            let plan = &self.plans[p];
            first_ready.get_or_insert(plan.ready_at.unwrap_or(plan.created_at));
            // Done when every PR is merged: an unmerged one keeps the ticket open.
            all_merged &= plan.merged_at.is_some();
            last_merge = last_merge.max(plan.merged_at);
            pr_start = plan.ready_at.unwrap_or(plan.created_at);
        }
        let ready = first_ready.unwrap_or(cursor);
        if ready <= self.as_of {
            self.set_status(t, "In Review", ready, person);
        }
        let done_at = last_merge
            .filter(|_| all_merged)
            .map(|m| m + rng.range(5 * MIN, 3 * HOUR));
        if let Some(done) = done_at.filter(|d| *d <= self.as_of) {
            self.set_status(t, "Done", done, person);
        }
        self.activity[person]
            .tickets
            .push((key, begin, done_at.filter(|d| *d <= self.as_of)));
        // The engineer moves on once the (last) PR is up for review.
        pr_start
    }

    /// Plan one human pull request starting (first commit) at `begin`; returns its plan index.
    pub(super) fn plan_pr(
        &mut self,
        rng: &mut bosun_core::Rng,
        repo: usize,
        person: usize,
        begin: Ts,
        ticket: Option<(String, String)>,
        kind: PrKind,
        coding: i64,
    ) -> usize {
        let cal = self.cals[person].clone();
        let repo_name = self.repos[repo].name.clone();
        let team = self.repos[repo].team.clone();
        // Chen sometimes works from his old account.
        let author = match self.org.people[person].extra_github.first() {
            Some(extra) if rng.chance(0.2) => self
                .users
                .iter()
                .position(|u| &u.login == extra)
                .unwrap_or(self.person_user[person]),
            _ => self.person_user[person],
        };
        let (title, head_ref, ticket_key) = match (&ticket, kind) {
            (Some((key, summary)), _) => {
                let slug: String = summary
                    .to_lowercase()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect();
                (
                    format!("{key} {summary}"),
                    format!("{}-{}", key.to_lowercase(), slug.trim_matches('-')),
                    Some(key.clone()),
                )
            }
            (None, _) => {
                let t = text::pr_title(rng, &repo_name);
                let slug: String = t
                    .to_lowercase()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect();
                (
                    format!("chore: {}", t.to_lowercase()),
                    format!("chore/{slug}"),
                    None,
                )
            }
        };
        let body = match &ticket_key {
            Some(k) => format!(
                "Closes {k}.\n\n## What\n{title}\n\n## Testing\nUnit tests added; verified locally."
            ),
            None => "Small maintenance change.".to_string(),
        };
        // Size: log-normal, a few very large.
        let mut additions = rng
            .log_normal(if kind == PrKind::Chore { 25.0 } else { 85.0 }, 1.1)
            .clamp(1.0, 4_000.0) as i64;
        if rng.chance(0.01) {
            additions = rng.range(1_200, 2_600);
        }
        let deletions = (additions as f64 * (0.1 + 0.5 * rng.f64())) as i64;
        let changed_files = (1 + additions / 45 + rng.range(0, 3)).min(80);
        // Coding: first commit at `begin`, PR opened after the coding time.
        let n_commits = 1 + (rng.log_normal(1.6, 0.7) as i64).min(8);
        let mut commits = Vec::new();
        for i in 0..n_commits {
            let at = cal.add_work(begin, coding * i / n_commits.max(1) + rng.range(0, 20 * 60));
            commits.push((at, format!("{} (part {})", title, i + 1), false));
        }
        let recent = begin > self.as_of - 4 * DAY;
        let opened_as_draft =
            kind == PrKind::Regular && rng.chance(if recent { 0.3 } else { 0.15 });
        let done_coding = cal.add_work(begin, coding);
        let (created_at, ready_at) = if opened_as_draft {
            let created = cal.add_work(begin, coding / 4 + HOUR);
            // Some drafts are early sketches that stay drafts for days.
            let ready = if recent || rng.chance(0.35) {
                cal.add_work(done_coding, rng.range(20 * HOUR, 80 * HOUR))
            } else {
                done_coding
            };
            (created, Some(ready))
        } else {
            (done_coding, None)
        };
        let ready = ready_at.unwrap_or(created_at);
        // Reviewers: teammates, two for large changes.
        let mates: Vec<usize> = self
            .team_people(&team, None)
            .into_iter()
            .filter(|&p| p != person)
            .collect();
        let n_reviewers = if additions + deletions > 400 { 2 } else { 1 };
        let mut reviewers: Vec<usize> = Vec::new();
        while reviewers.len() < n_reviewers.min(mates.len()) {
            let w: Vec<f64> = mates
                .iter()
                .map(|&m| {
                    if self.org.people[m].role == Role::Manager {
                        0.15
                    } else {
                        self.org.people[m].activity
                    }
                })
                .collect();
            let r = mates[rng.weighted(&w)];
            if !reviewers.contains(&r) {
                reviewers.push(r);
            }
        }
        let requested: Vec<(usize, Ts)> = reviewers
            .iter()
            .map(|&r| (self.person_user[r], ready + 30))
            .collect();
        // Review rounds.
        let stuck = rng.chance(0.05);
        // Approved and then forgotten: rare, but the demo wants a few near `as_of`.
        let forgotten = rng.chance(if begin > self.as_of - 6 * DAY {
            0.25
        } else {
            0.04
        });
        let mut reviews = Vec::new();
        let mut last_approval = 0;
        let mut rounds_end = ready;
        for &r in &reviewers {
            let rcal = &self.cals[r];
            let latency = if stuck {
                rng.range(27, 60) * HOUR
            } else {
                rng.log_normal(3.0 * HOUR as f64, 1.1) as i64
            };
            let mut t = rcal.add_work(ready, latency);
            for round in 0..3 {
                let state = if round == 2 {
                    "APPROVED"
                } else {
                    rng.pick(&[
                        "APPROVED",
                        "APPROVED",
                        "APPROVED",
                        "APPROVED",
                        "CHANGES_REQUESTED",
                        "CHANGES_REQUESTED",
                        "COMMENTED",
                    ])
                };
                reviews.push((self.person_user[r], t, state));
                if state == "APPROVED" {
                    last_approval = last_approval.max(t);
                    break;
                }
                // The author pushes a fix, the reviewer looks again.
                let fix = cal.add_work(t, rng.log_normal(2.0 * HOUR as f64, 0.8) as i64);
                commits.push((fix, "Address review comments".to_string(), false));
                t = rcal.add_work(fix, rng.log_normal(1.5 * HOUR as f64, 0.9) as i64);
            }
            rounds_end = rounds_end.max(t);
        }
        reviews.sort_by_key(|r| r.1);
        commits.sort_by_key(|c| c.0);
        let mut merged_at = None;
        let mut closed_at = None;
        if reviewers.is_empty() {
            merged_at = Some(cal.add_work(ready, HOUR));
        } else if rng.chance(0.04) {
            closed_at = Some(cal.add_work(rounds_end, rng.range(HOUR, 20 * HOUR)));
        } else {
            let wait = if forgotten {
                rng.range(30, 120) * HOUR
            } else {
                rng.log_normal(0.8 * HOUR as f64, 1.0) as i64
            };
            merged_at = Some(cal.add_work(last_approval.max(ready), wait));
        }
        let labels = match kind {
            PrKind::Chore => vec!["chore".to_string()],
            _ if additions + deletions > 1_000 => vec!["size/XL".to_string()],
            _ => Vec::new(),
        };
        let plan = PlanPr {
            repo,
            kind,
            author,
            title,
            body,
            head_ref,
            labels,
            ticket: ticket_key,
            commits,
            created_at,
            ready_at,
            requested,
            reviews,
            merged_at,
            merged_by: merged_at.map(|_| author),
            closed_at: closed_at.or(merged_at),
            additions,
            deletions,
            changed_files,
            number: None,
            commit_idx: Vec::new(),
            merge_commit_sha: None,
        };
        if let Some(first) = plan.reviews.first() {
            self.activity[person]
                .waiting
                .push((self.plans.len(), ready, Some(first.1)));
        } else {
            self.activity[person]
                .waiting
                .push((self.plans.len(), ready, None));
        }
        self.plans.push(plan);
        self.plans.len() - 1
    }

    /// Dependency bumps from the bots: weekly per repo; most get merged, some are ignored.
    pub(super) fn plan_bot_prs(&mut self) {
        let deps = [
            ("lodash", "4.17.20", "4.17.21"),
            ("golang.org/x/net", "0.23.0", "0.24.0"),
            ("jackson-databind", "2.17.0", "2.17.1"),
            ("react-dom", "18.2.0", "18.3.1"),
            ("pgx", "5.5.4", "5.5.5"),
            ("okhttp", "4.12.0", "5.0.0"),
            ("vite", "5.2.8", "5.2.11"),
        ];
        for repo in 0..self.repos.len() {
            let mut rng = self.rng.fork(&format!("bots/{}", self.repos[repo].name));
            let team = self.repos[repo].team.clone();
            let mates = self.team_people(&team, Some(Role::Engineer));
            let mut week_start = self.start + rng.range(0, 3 * DAY);
            let mut n = 0;
            while week_start < self.as_of {
                let bot_login = if n % 3 == 2 {
                    "renovate[bot]"
                } else {
                    "dependabot[bot]"
                };
                let author = self.bot_user(bot_login);
                let (dep, from, to) = deps[(n + repo) % deps.len()];
                let title = format!("Bump {dep} from {from} to {to}");
                let created_at = week_start;
                let reviewer = rng.pick(&mates);
                let ignored = rng.chance(0.2);
                let rcal = self.cals[reviewer].clone();
                let review_at =
                    rcal.add_work(created_at, rng.log_normal(6.0 * HOUR as f64, 0.8) as i64);
                let (reviews, merged_at, merged_by) = if ignored {
                    (Vec::new(), None, None)
                } else {
                    let merge = rcal.add_work(review_at, rng.range(5 * 60, 2 * HOUR));
                    (
                        vec![(self.person_user[reviewer], review_at, "APPROVED")],
                        Some(merge),
                        Some(self.person_user[reviewer]),
                    )
                };
                self.plans.push(PlanPr {
                    repo,
                    kind: PrKind::Bot,
                    author,
                    title: title.clone(),
                    body: format!("Bumps {dep} from {from} to {to}.\n\nDependabot will resolve any conflicts with this PR as long as you don't alter it yourself."),
                    head_ref: format!("dependabot/{}-{to}", dep.replace('/', "-")),
                    labels: vec!["dependencies".into()],
                    ticket: None,
                    commits: vec![(created_at - 60, title, false)],
                    created_at,
                    ready_at: None,
                    requested: vec![(self.person_user[reviewer], created_at + 5)],
                    reviews,
                    merged_at,
                    merged_by,
                    closed_at: merged_at,
                    additions: rng.range(2, 12),
                    deletions: rng.range(2, 12),
                    changed_files: rng.range(1, 2),
                    number: None,
                    commit_idx: Vec::new(),
                    merge_commit_sha: None,
                });
                week_start += 7 * DAY + rng.range(-DAY, DAY);
                n += 1;
            }
        }
    }

    /// Tickets nobody closed stay as they are; stamp `updated_at` from the changelog.
    pub(super) fn finish_tickets(&mut self) {
        let as_of = self.as_of;
        for t in &mut self.tickets {
            t.changelog.retain(|c| c.at <= as_of);
            t.changelog.sort_by_key(|c| (c.at, c.id));
            t.updated_at = t
                .changelog
                .iter()
                .map(|c| c.at)
                .max()
                .unwrap_or(t.created_at)
                .max(t.created_at);
        }
        self.tickets.retain(|t| t.created_at <= as_of);
    }
}
