//! A person who joined recently (`joined_days_ago` in the organisation): the history before
//! they joined is generated without them (see [`Gen::team_people`]); this phase adds their first
//! weeks — small pull requests on the team's repositories and a review of a teammate's — and,
//! for the team, starter tickets in the next sprint (labelled `good-first-issue`, small,
//! unassigned, unblocked) for the onboarding plan to find.

use super::Gen;
use super::work::PrKind;
use crate::calendar::{DAY, HOUR};
use crate::world::Ticket;
use bosun_core::time::Ts;

/// The label the starter tickets carry.
pub const STARTER_LABEL: &str = "good-first-issue";

/// Starter tickets of a team with a recent joiner: (summary, points).
const STARTERS: [(&str, f64); 3] = [
    ("Fix the broken links in the {repo} README", 1.0),
    ("Add a unit test for {repo}'s request id propagation", 2.0),
    ("Log the request id in {repo}'s error responses", 2.0),
];

impl Gen {
    /// The recent joiners: (person, the day they joined, as a timestamp at the start of it).
    pub(super) fn joiners(&self) -> Vec<(usize, i64)> {
        self.org
            .people
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let ago = p.joined_days_ago?;
                let day = self.cals[i].local_day(self.as_of) - ago;
                Some((i, day * DAY - self.org.people[i].utc_offset * HOUR))
            })
            .collect()
    }

    /// Each joiner's first pull requests (about one every few working days after a first day
    /// of set-up) and one review of a teammate's.
    pub(super) fn plan_joiners(&mut self) {
        for (person, joined) in self.joiners() {
            let key = self.org.people[person].key.clone();
            let team = self.org.people[person].team.clone();
            let mut rng = self.rng.fork(&format!("joiner/{key}"));
            let repos = self.team_repos(&team);
            if repos.is_empty() {
                continue;
            }
            let cal = self.cals[person].clone();
            let mut begin = cal.next_working(joined + 2 * DAY + 10 * HOUR);
            let mut n = 0;
            while begin < self.as_of - 6 * HOUR {
                let repo = repos[n % repos.len()];
                let coding = rng.range(2 * HOUR, 5 * HOUR);
                self.plan_pr(&mut rng, repo, person, begin, None, PrKind::Chore, coding);
                n += 1;
                begin = cal.next_working(begin + rng.range(2, 4) * DAY);
            }
            // A first review: a teammate's pull request opened a week after they joined.
            let user = self.person_user[person];
            let when = joined + 7 * DAY;
            if let Some(plan) = self.plans.iter_mut().find(|p| {
                p.created_at > when
                    && p.merged_at.is_some_and(|m| m > p.created_at + 2 * HOUR)
                    && p.author != user
                    && self.repos[p.repo].team == team
            }) {
                let at = plan.created_at + HOUR;
                plan.reviews.push((user, at, "COMMENTED"));
                plan.reviews.sort_by_key(|r| r.1);
            }
        }
    }

    /// A ticket the size of a few hours, as every ticket of the generator is made.
    #[allow(clippy::too_many_arguments)]
    fn push_ticket(
        &mut self,
        team: &str,
        summary: String,
        description: String,
        points: f64,
        labels: Vec<String>,
        reporter: usize,
        created: Ts,
    ) -> usize {
        let ticket = self.next_ticket(team, reporter, created);
        self.tickets.push(Ticket {
            summary,
            description,
            priority: "Low".into(),
            story_points: Some(points),
            labels,
            ..ticket
        });
        self.tickets.len() - 1
    }

    /// Each joiner's onboarding ticket (accounts, laptop, environment), done in their first
    /// days; and starter tickets for each team with a recent joiner, in the team's next sprint.
    /// Made after every other ticket, so that no other ticket's key moves.
    pub(super) fn starter_tickets(&mut self) {
        for (person, joined) in self.joiners() {
            let team = self.org.people[person].team.clone();
            let name = self.org.people[person].name.clone();
            let manager = self.manager_of(&team);
            let created = joined - 3 * DAY;
            let t = self.push_ticket(
                &team,
                format!("Onboarding: accounts, laptop and dev environment for {name}"),
                "Accounts in GitHub, Jira, PagerDuty and Slack; the dev environment set up from the handbook.".into(),
                1.0,
                vec!["onboarding-checklist".into()],
                manager,
                created,
            );
            let cal = self.cals[person].clone();
            let start = cal.next_working(joined + 9 * HOUR);
            self.assign(t, person, created + HOUR, manager);
            self.set_status(t, "In Progress", start, person);
            self.set_status(t, "Done", cal.add_work(start, 10 * HOUR), person);
        }
        self.starters();
    }

    fn manager_of(&self, team: &str) -> usize {
        let key = self.org_team_manager(team);
        self.org
            .people
            .iter()
            .position(|p| p.key == key)
            .unwrap_or(0)
    }

    /// Starter tickets for each team with a recent joiner, in the team's next sprint.
    fn starters(&mut self) {
        let mut teams: Vec<String> = self
            .joiners()
            .into_iter()
            .map(|(p, _)| self.org.people[p].team.clone())
            .collect();
        teams.dedup();
        for team in teams {
            let Some(next) = self
                .sprints
                .iter()
                .position(|s| s.team == team && s.state == "future")
            else {
                continue;
            };
            let repos = self.team_repos(&team);
            let manager = self.manager_of(&team);
            for (k, (summary, points)) in STARTERS.iter().enumerate() {
                let repo = self.repos[repos[k % repos.len()]].name.clone();
                let summary = summary.replace("{repo}", &repo);
                let created = self.as_of - (3 - k as i64) * DAY - 5 * HOUR;
                let t = self.push_ticket(
                    &team,
                    summary.clone(),
                    format!(
                        "{summary}.\n\nA good first change in {repo}: small, no other ticket waits on it, and the code owners will pair on the review."
                    ),
                    *points,
                    vec![STARTER_LABEL.into(), repo],
                    manager,
                    created,
                );
                self.add_to_sprint(t, next, created + HOUR, manager);
            }
        }
    }

    fn org_team_manager(&self, team: &str) -> String {
        self.org
            .teams
            .iter()
            .find(|t| t.key == team)
            .map(|t| t.manager.clone())
            .unwrap_or_default()
    }
}
