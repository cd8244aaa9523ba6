//! Slack: daily standup notes in team channels (some naming what blocks them or which PR waits
//! for review), manager replies in threads, deploy announcements and incident chatter.

use super::Gen;
use crate::calendar::{DAY, HOUR};
use crate::org::Role;
use crate::world::Message;
use bosun_core::time::Ts;
use std::collections::BTreeMap;

const MIN: i64 = 60;

impl Gen {
    pub(super) fn build_chat(&mut self) {
        let mut out: Vec<(String, Ts, Option<usize>, String, Option<usize>)> = Vec::new(); // (channel, at, user, text, thread parent)
        let teams = self.org.teams.clone();
        for team in &teams {
            let mut rng = self.rng.fork(&format!("chat/{}", team.key));
            let manager = self.team_people(&team.key, Some(Role::Manager))[0];
            for e in self.team_people(&team.key, Some(Role::Engineer)) {
                let cal = self.cals[e].clone();
                let first = cal.local_day(self.start);
                let last = cal.local_day(self.as_of);
                for day in first..=last {
                    if !cal.is_working_day(day) {
                        continue;
                    }
                    let at = cal.day_start(day) + rng.range(10 * MIN, 50 * MIN);
                    if at > self.as_of || rng.chance(0.08) {
                        continue; // forgot to post
                    }
                    let (text, flagged) = self.standup_text(e, at);
                    out.push((team.slack_channel.clone(), at, Some(e), text, None));
                    if flagged && rng.chance(0.5) {
                        let reply_at = at + rng.range(5 * MIN, 50 * MIN);
                        if reply_at <= self.as_of {
                            let first_name = self.org.people[e]
                                .name
                                .split(' ')
                                .next()
                                .unwrap_or("")
                                .to_string();
                            let reply =
                                format!("Thanks {first_name}, I'll follow up on this today.");
                            out.push((
                                team.slack_channel.clone(),
                                reply_at,
                                Some(manager),
                                reply,
                                Some(out.len() - 1),
                            ));
                        }
                    }
                }
            }
        }
        // Deploy announcements and incident chatter.
        let repos: Vec<(String, Vec<(Ts, String, String, String)>)> = self
            .repos
            .iter()
            .map(|r| {
                (
                    r.name.clone(),
                    r.deployments
                        .iter()
                        .filter(|d| {
                            d.environment == "production"
                                && d.statuses.last().is_some_and(|s| s.state == "success")
                        })
                        .map(|d| {
                            (
                                d.statuses.last().map_or(d.created_at, |s| s.at),
                                d.sha.clone(),
                                d.reason.clone(),
                                d.description.clone(),
                            )
                        })
                        .collect(),
                )
            })
            .collect();
        if self.org.channels.iter().any(|c| c.name == "deploys") {
            for (name, deps) in &repos {
                for (at, sha, reason, _) in deps {
                    if *at >= self.start && *at <= self.as_of {
                        let suffix = if reason == "release" {
                            String::new()
                        } else {
                            format!(" ({reason})")
                        };
                        out.push((
                            "deploys".into(),
                            *at,
                            None,
                            format!("Deployed {name} {} to production{suffix}", &sha[..7]),
                            None,
                        ));
                    }
                }
            }
        }
        if self.org.channels.iter().any(|c| c.name == "incidents") {
            for inc in self.incidents.clone() {
                let Some(&who) = inc.assignees.first() else {
                    continue;
                };
                if let Some(ack) = inc.acknowledged_at.filter(|a| *a <= self.as_of) {
                    out.push((
                        "incidents".into(),
                        ack + MIN,
                        Some(who),
                        format!("Investigating {}: {}", inc.id, inc.title),
                        None,
                    ));
                    let parent = out.len() - 1;
                    if let Some(res) = inc.resolved_at.filter(|r| *r <= self.as_of) {
                        out.push((
                            "incidents".into(),
                            res + MIN,
                            Some(who),
                            format!("{} resolved.", inc.id),
                            Some(parent),
                        ));
                    }
                }
            }
        }
        // Slack timestamps: seconds plus a per-channel sequence, unique and ordered.
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by(|&a, &b| (&out[a].0, out[a].1, a).cmp(&(&out[b].0, out[b].1, b)));
        let mut ts_of: Vec<String> = vec![String::new(); out.len()];
        let mut seq: BTreeMap<(String, Ts), u32> = BTreeMap::new();
        for &i in &order {
            let n = seq.entry((out[i].0.clone(), out[i].1)).or_insert(0);
            *n += 1;
            ts_of[i] = format!("{}.{:06}", out[i].1, *n * 100);
        }
        for &i in &order {
            let (channel, at, user, text, parent) = &out[i];
            self.messages.push(Message {
                channel: channel.clone(),
                ts: ts_of[i].clone(),
                thread_ts: parent.map(|p| ts_of[p].clone()),
                user: *user,
                text: text.clone(),
                at: *at,
            });
        }
    }

    /// One engineer's standup at `at`; the flag says it names a blocker or a waiting PR.
    fn standup_text(&self, e: usize, at: Ts) -> (String, bool) {
        let act = &self.activity[e];
        let user_ids: Vec<usize> = self
            .users
            .iter()
            .enumerate()
            .filter(|(_, u)| u.person == Some(e))
            .map(|(i, _)| i)
            .collect();
        let mut yesterday: Vec<String> = Vec::new();
        for p in self.plans.iter().filter(|p| user_ids.contains(&p.author)) {
            if let (Some(m), Some(n)) = (p.merged_at, p.number) {
                if m < at && m >= at - 30 * HOUR {
                    yesterday.push(format!("merged {}#{n}", self.repos[p.repo].name));
                }
            }
        }
        let mut today: Vec<String> = act
            .tickets
            .iter()
            .filter(|(_, s, f)| *s <= at && f.is_none_or(|f| f > at))
            .map(|(k, _, _)| k.clone())
            .collect();
        today.dedup();
        let mut blockers = Vec::new();
        for (key, from, until, blocker) in &act.blocked {
            if *from <= at && at < *until {
                blockers.push(match blocker {
                    Some(b) => format!("blocked on {key}: waiting for {b} to land"),
                    None => format!("blocked on {key}: waiting on access from another team"),
                });
            }
        }
        for (p, ready, first) in &act.waiting {
            let plan = &self.plans[*p];
            let Some(n) = plan.number else { continue };
            let still_waiting =
                first.is_none_or(|f| f > at) && plan.closed_at.is_none_or(|c| c > at);
            if still_waiting && *ready + DAY <= at {
                let hours = (at - ready) / HOUR;
                blockers.push(format!(
                    "waiting for review on {}#{n} ({hours}h)",
                    self.repos[plan.repo].name
                ));
            }
        }
        let mut parts = Vec::new();
        parts.push(if yesterday.is_empty() {
            "Yesterday: reviews and investigation".to_string()
        } else {
            format!("Yesterday: {}", yesterday.join(", "))
        });
        parts.push(if today.is_empty() {
            "Today: picking up the next ticket".to_string()
        } else {
            format!("Today: {}", today.join(", "))
        });
        let flagged = !blockers.is_empty();
        parts.push(if flagged {
            format!("Blockers: {}", blockers.join("; "))
        } else {
            "No blockers".to_string()
        });
        (parts.join(". ") + ".", flagged)
    }
}
