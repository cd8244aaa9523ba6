//! The weekly delivery digest: one message per team for its channel (deployments, failures, lead
//! time, pull requests merged, work finished, incidents, each against the week before), drafted
//! once a week on `[notes] digest_day` and sent only when the manager approves it. Like every
//! draft it waits in Signals & actions, the policy decides again at approval, and every step is
//! audited.

use crate::{App, AppError, Result};
use bosun_core::time::{DAY, Ts, WEEK};
use bosun_metrics::data::Dataset;
use bosun_metrics::dora::{self, Analysis, DoraOptions, Scope};
use bosun_metrics::{flow, prs};
use bosun_signals::{Settings, Suggestion};
use chrono::{Datelike, Timelike};

/// A digest drafted for a team.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DigestDraft {
    pub team: String,
    pub channel: String,
    /// The action draft (none when this week's was drafted already).
    pub action: Option<i64>,
    pub text: String,
}

/// `3d 7h`, `5h 20m`: a duration as a channel reads it.
fn human(secs: f64) -> String {
    let s = secs.round() as i64;
    let (d, h, m) = (s / DAY, (s % DAY) / 3600, (s % 3600) / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else {
        format!("{h}h {m:02}m")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The digest of `team` for the week ending `until`, against the week before.
pub fn text(
    data: &Dataset,
    analysis: &Analysis,
    bots: dora::Bots,
    team: &str,
    name: &str,
    until: Ts,
) -> String {
    let week = |since: Ts, until: Ts| Scope {
        since,
        until,
        team: Some(team.to_string()),
        repo: None,
    };
    let (now, before) = (
        week(until - WEEK, until),
        week(until - 2 * WEEK, until - WEEK),
    );
    let (m, p) = (
        dora::dora_with(data, analysis, &now, bots),
        dora::dora_with(data, analysis, &before, bots),
    );
    let (pr, pp) = (
        prs::pr_metrics(data, analysis, &now),
        prs::pr_metrics(data, analysis, &before),
    );
    let f = flow::flow(data, &now);
    let day = |t: Ts| bosun_core::time::from_ts(t).format("%-d %b").to_string();
    let was = |a: Option<f64>| a.map_or(String::new(), |a| format!(" (week before: {})", human(a)));
    let mut lines = vec![format!(
        "Weekly delivery — {name}, {} to {}",
        day(until - WEEK),
        day(until)
    )];
    lines.push(format!(
        "• {} to production ({} failed; the week before: {}, {} failed)",
        plural(m.deployments, "deployment", "deployments"),
        m.change_failure_rate.failed,
        p.deployments,
        p.change_failure_rate.failed
    ));
    if let Some(l) = m.lead_time_seconds.median {
        lines.push(format!(
            "• Lead time for changes: median {}{}",
            human(l),
            was(p.lead_time_seconds.median)
        ));
    }
    // Figures lead with their label ("Pull requests merged: 10"): the team's totals, worded so
    // the policy's individual-metric rule ("10 pull requests merged" about a person) never mistakes
    // them for one person's.
    lines.push(format!(
        "• Pull requests merged: {}{}",
        pr.merged,
        pr.cycle_seconds.median.map_or(String::new(), |c| format!(
            ", cycle time median {}{}",
            human(c),
            was(pp.cycle_seconds.median)
        ))
    ));
    lines.push(format!("• Work items finished: {}", f.finished));
    // Incidents count only where the team's repositories name their services: without that
    // mapping (an organisation that never configured it) "0 incidents" would be a false claim.
    let services: Vec<&str> = data
        .repos
        .iter()
        .filter(|r| r.team.as_deref() == Some(team))
        .filter_map(|r| r.service.as_deref())
        .collect();
    if !services.is_empty() {
        let incidents = data
            .incidents
            .iter()
            .filter(|i| i.created_at > until - WEEK && i.created_at <= until)
            .filter(|i| i.service.as_deref().is_some_and(|s| services.contains(&s)))
            .count();
        lines.push(format!(
            "• {} on the team's services",
            plural(incidents, "incident", "incidents")
        ));
    }
    lines.push("Every number links to its records in Bosun's Delivery page.".into());
    lines.join("\n")
}

/// The `meta` key of the ISO week whose digests were drafted last.
const DRAFTED_WEEK: &str = "digest.drafted_week";

/// Monday = 0 … Sunday = 6, from `mon`…`sun` (or full names).
fn weekday(s: &str) -> Option<u32> {
    let s = s.trim().to_ascii_lowercase();
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .position(|d| s.starts_with(d))
        .map(|i| i as u32)
}

impl App {
    /// Draft this week's digest for every team with a channel, when it is due (on
    /// `[notes] digest_day`, from `brief_at` on, in my time zone) and not drafted yet this week.
    /// `force` drafts now whatever the day (`bosun notes digest`). Returns what was drafted.
    pub fn draft_digests(&self, force: bool) -> Result<Vec<DigestDraft>> {
        let setting = self.config.notes.digest_day.trim();
        if !force && setting.eq_ignore_ascii_case("off") {
            return Ok(Vec::new());
        }
        let now = self.now();
        let mut store = self.store()?;
        let offset = self.my_offset_minutes(store.conn());
        let local = bosun_core::time::from_ts(now + i64::from(offset) * 60);
        let iso = local.iso_week();
        let week = format!("{}-W{:02}", iso.year(), iso.week());
        if !force {
            let day = weekday(setting).ok_or_else(|| AppError::Config {
                path: "[notes] digest_day".into(),
                message: format!("{setting:?} is not a day of the week (mon … sun, or \"off\")"),
            })?;
            let at = crate::config::parse_clock(&self.config.notes.brief_at).unwrap_or(9 * 60);
            let minute = i64::from(local.hour() * 60 + local.minute());
            if local.weekday().num_days_from_monday() != day || minute < at {
                return Ok(Vec::new());
            }
            // Once a week: the minute tick asks all day, the metrics are loaded once.
            if bosun_store::meta::get(store.conn(), DRAFTED_WEEK)?.as_deref() == Some(&week) {
                return Ok(Vec::new());
            }
        }
        let data = crate::metrics::load(store.conn())?;
        let analysis = dora::analyse(&data, &DoraOptions::default());
        let settings = Settings::default();
        let extra = crate::signals::load_extra(store.conn(), &self.config, &settings, now)?;
        let drafter = crate::drafts::Drafter::load(self, store.conn(), extra)?;
        let mut out = Vec::new();
        for t in &self.config.teams {
            let Some(channel) = drafter
                .extra()
                .teams
                .iter()
                .find(|x| x.key == t.key)
                .and_then(|x| x.channels.first())
            else {
                continue;
            };
            let body = text(
                &data,
                &analysis,
                self.config.metrics.lead_time_bots,
                &t.key,
                &t.name,
                now,
            );
            let summary = format!(
                "Message in #{channel}: weekly delivery digest for {}",
                t.name
            );
            let sug = Suggestion::channel_message(channel.clone(), body.clone(), summary.clone());
            let key = format!("digest:{}:{week}", t.key);
            let trace = serde_json::json!({ "team": t.key, "week": key, "channel": channel });
            let action = drafter.write(
                &mut store,
                &crate::drafts::OwnDraft::of(&sug, &key, "weekly_digest", "digest.draft", trace),
            )?;
            out.push(DigestDraft {
                team: t.key.clone(),
                channel: channel.clone(),
                action,
                text: body,
            });
        }
        bosun_store::meta::set(store.conn(), DRAFTED_WEEK, &week)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An organisation that never mapped repositories to services (most real ones, at first):
    /// the digest leaves incidents out rather than claim "0 incidents"; mapped, it counts them.
    #[test]
    fn incidents_are_counted_only_where_services_are_known() {
        use bosun_metrics::data::{Incident, Repo};
        let until = 1_795_132_800; // Friday 20 November 2026
        let mut data = Dataset {
            repos: vec![Repo {
                id: 1,
                full_name: "acme/api".into(),
                team: Some("core".into()),
                service: None,
            }],
            incidents: vec![Incident {
                id: 1,
                external_id: "P1".into(),
                service: Some("api".into()),
                created_at: until - DAY,
                resolved_at: None,
                deployment: None,
                notes: Vec::new(),
                urgency: Some("high".into()),
                title: "API down".into(),
            }],
            ..Dataset::default()
        };
        let analysis = dora::analyse(&data, &DoraOptions::default());
        let t = text(
            &data,
            &analysis,
            dora::Bots::default(),
            "core",
            "Core",
            until,
        );
        assert!(
            t.starts_with("Weekly delivery — Core, 13 Nov to 20 Nov\n"),
            "{t}"
        );
        assert!(
            t.contains("• 0 deployments to production (0 failed; the week before: 0, 0 failed)"),
            "{t}"
        );
        assert!(
            !t.contains("incident"),
            "no service mapping, no incident claim: {t}"
        );
        data.repos[0].service = Some("api".into());
        let t = text(
            &data,
            &analysis,
            dora::Bots::default(),
            "core",
            "Core",
            until,
        );
        assert!(t.contains("• 1 incident on the team's services"), "{t}");
    }

    #[test]
    fn days_of_the_week() {
        assert_eq!(weekday("fri"), Some(4));
        assert_eq!(weekday("Friday"), Some(4));
        assert_eq!(weekday("mon"), Some(0));
        assert_eq!(weekday("someday"), None);
        assert_eq!(human(3.0 * 86_400.0 + 7.0 * 3600.0), "3d 7h");
        assert_eq!(human(5.0 * 3600.0 + 20.0 * 60.0), "5h 20m");
    }
}
