//! Slack: daily standup notes in team channels (some naming what blocks them or which PR waits
//! for review), manager replies in threads, deploy announcements and incident chatter.

use super::Gen;
use crate::calendar::{DAY, HOUR};
use crate::org::Role;
use crate::world::Message;
use bosun_core::time::Ts;
use std::collections::BTreeMap;

const MIN: i64 = 60;

/// A message before it gets its Slack timestamp.
struct Draft {
    channel: String,
    at: Ts,
    user: Option<usize>,
    text: String,
    /// Index of the draft this one replies to in a thread.
    parent: Option<usize>,
}

impl Gen {
    pub(super) fn build_chat(&mut self) {
        let mut out: Vec<Draft> = Vec::new();
        let draft =
            |channel: &str, at: Ts, user: Option<usize>, text: String, parent: Option<usize>| {
                Draft {
                    channel: channel.to_string(),
                    at,
                    user,
                    text,
                    parent,
                }
            };
        let teams = self.org.teams.clone();
        for team in &teams {
            let mut rng = self.rng.fork(&format!("chat/{}", team.key));
            let manager = self.team_people(&team.key, Some(Role::Manager))[0];
            for e in self.team_people(&team.key, Some(Role::Engineer)) {
                let cal = self.cals[e].clone();
                for day in cal.local_day(self.start)..=cal.local_day(self.as_of) {
                    if !cal.is_working_day(day) {
                        continue;
                    }
                    let at = cal.day_start(day) + rng.range(10 * MIN, 50 * MIN);
                    if at > self.as_of || rng.chance(0.08) {
                        continue; // forgot to post
                    }
                    let (text, flagged) = self.standup_text(e, at);
                    out.push(draft(&team.slack_channel, at, Some(e), text, None));
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
                            out.push(draft(
                                &team.slack_channel,
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
        // Deploy announcements.
        if self.org.channels.iter().any(|c| c.name == "deploys") {
            for r in &self.repos {
                for d in &r.deployments {
                    let Some(done) = d.statuses.last().filter(|s| s.state == "success") else {
                        continue;
                    };
                    if d.environment != "production" || done.at < self.start || done.at > self.as_of
                    {
                        continue;
                    }
                    let suffix = if d.reason == "release" {
                        String::new()
                    } else {
                        format!(" ({})", d.reason)
                    };
                    let text = format!("Deployed {} {} to production{suffix}", r.name, &d.sha[..7]);
                    out.push(draft("deploys", done.at, None, text, None));
                }
            }
        }
        // Incident chatter: the on-call person opens a thread and closes it.
        if self.org.channels.iter().any(|c| c.name == "incidents") {
            for inc in &self.incidents {
                let Some(&who) = inc.assignees.first() else {
                    continue;
                };
                let Some(ack) = inc.acknowledged_at.filter(|a| *a <= self.as_of) else {
                    continue;
                };
                out.push(draft(
                    "incidents",
                    ack + MIN,
                    Some(who),
                    format!("Investigating {}: {}", inc.id, inc.title),
                    None,
                ));
                let parent = out.len() - 1;
                if let Some(res) = inc.resolved_at.filter(|r| *r <= self.as_of) {
                    out.push(draft(
                        "incidents",
                        res + MIN,
                        Some(who),
                        format!("{} resolved.", inc.id),
                        Some(parent),
                    ));
                }
            }
        }
        // A joiner says hello on their first day, and posts standups from then on.
        for (e, joined) in self.joiners() {
            let key = self.org.people[e].key.clone();
            let mut rng = self.rng.fork(&format!("chat/joiner/{key}"));
            let team = self.org.people[e].team.clone();
            let Some(channel) = teams
                .iter()
                .find(|t| t.key == team)
                .map(|t| t.slack_channel.clone())
            else {
                continue;
            };
            let cal = self.cals[e].clone();
            let first = cal.local_day(joined + 12 * HOUR);
            let name = self.org.people[e].name.clone();
            let hello_at = cal.day_start(first) + 2 * HOUR;
            if hello_at <= self.as_of {
                let first_name = name.split(' ').next().unwrap_or("").to_string();
                out.push(draft(
                    &channel,
                    hello_at,
                    Some(e),
                    format!("Hi all, I'm {first_name}: I joined {} today. Looking forward to working with you!", self.org.teams.iter().find(|t| t.key == team).map_or(team.as_str(), |t| t.name.as_str())),
                    None,
                ));
            }
            for day in (first + 1)..=cal.local_day(self.as_of) {
                if !cal.is_working_day(day) {
                    continue;
                }
                let at = cal.day_start(day) + rng.range(10 * MIN, 50 * MIN);
                if at > self.as_of {
                    continue;
                }
                let (text, _) = self.standup_text(e, at);
                out.push(draft(&channel, at, Some(e), text, None));
            }
        }
        // Slack timestamps: seconds plus a per-channel sequence, unique and ordered.
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by(|&a, &b| {
            (&out[a].channel, out[a].at, a).cmp(&(&out[b].channel, out[b].at, b))
        });
        let mut ts_of: Vec<String> = vec![String::new(); out.len()];
        let mut seq: BTreeMap<(String, Ts), u32> = BTreeMap::new();
        for &i in &order {
            let n = seq.entry((out[i].channel.clone(), out[i].at)).or_insert(0);
            *n += 1;
            ts_of[i] = format!("{}.{:06}", out[i].at, *n * 100);
        }
        for &i in &order {
            let d = &out[i];
            self.messages.push(Message {
                channel: d.channel.clone(),
                ts: ts_of[i].clone(),
                thread_ts: d.parent.map(|p| ts_of[p].clone()),
                user: d.user,
                text: d.text.clone(),
                at: d.at,
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
            if let (Some(m), Some(n)) = (p.merged_at, p.number)
                && m < at
                && m >= at - 30 * HOUR
            {
                yesterday.push(format!("merged {}#{n}", self.repos[p.repo].name));
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
