//! Sprints: scope creep (work added after the start) and risk (the Monte Carlo forecast of
//! `bosun metrics sprint`, same seed and runs, says the remaining points likely won't fit).

use crate::ctx::Ctx;
use crate::model::{Evidence, Kind, Severity, Signal, Subject, Suggestion};
use crate::text::plural;
use bosun_metrics::data::{Sprint, Ticket};
use bosun_metrics::sprint::{Item, SprintData, SprintHealth, SprintOptions, sprint_health_in};
use std::collections::HashMap;

pub fn detect(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    let data = cx.input.data;
    let active: Vec<&Sprint> = data
        .sprints
        .iter()
        .filter(|s| {
            s.state == "active"
                && cx.scope.includes(s.team.as_deref())
                && s.start_at.is_some_and(|t| t <= cx.as_of)
                && s.end_at.is_some_and(|t| t > cx.as_of)
        })
        .collect();
    if active.is_empty() {
        return;
    }
    // The sprints and tickets of each team with an active sprint: sprint health scans every
    // ticket it is given (references, not copies).
    let mut per_team: HashMap<Option<&str>, SprintData<'_>> = HashMap::new();
    for s in &active {
        per_team
            .entry(s.team.as_deref())
            .or_insert_with(|| SprintData {
                sprints: Vec::new(),
                tickets: Vec::new(),
            });
    }
    for s in &data.sprints {
        if let Some(d) = per_team.get_mut(&s.team.as_deref()) {
            d.sprints.push(s);
        }
    }
    for t in cx.tickets.iter().copied() {
        if let Some(d) = per_team.get_mut(&t.team.as_deref()) {
            d.tickets.push(t);
        }
    }
    // A blocker may be another team's ticket: sprint health reads whether it is done (as `bosun
    // metrics sprint`, which reads every ticket, does). Only done-ness is read of them: their
    // team differs, so they count in no history, and in the sprint only if they are in it.
    for (team, d) in per_team.iter_mut() {
        let mut others: Vec<&Ticket> = d
            .tickets
            .iter()
            .flat_map(|t| t.blocked_by.iter())
            .filter_map(|k| cx.ticket(k))
            .filter(|b| b.team.as_deref() != *team)
            .collect();
        others.sort_by_key(|t| t.id);
        others.dedup_by_key(|t| t.id);
        d.tickets.extend(others);
    }
    let opts = SprintOptions {
        seed: cx.settings.forecast_seed,
        runs: cx.settings.forecast_runs,
        ..Default::default()
    };
    for sprint in active {
        let Some(d) = per_team.get(&sprint.team.as_deref()) else {
            continue;
        };
        let Some(h) = sprint_health_in(d, sprint, cx.as_of, &opts) else {
            continue;
        };
        out.extend(scope_creep(cx, sprint, &h));
        out.extend(at_risk(cx, sprint, &h));
    }
}

fn subject(s: &Sprint) -> Subject {
    Subject {
        kind: "sprint".into(),
        reference: format!("sprint-{}", s.id),
        title: s.name.clone(),
        url: None,
    }
}

fn points(items: &[Item]) -> f64 {
    items.iter().filter_map(|i| i.points).sum()
}

fn item_evidence(i: &Item, why: &str) -> Evidence {
    Evidence::new(
        "ticket",
        i.key.clone(),
        format!(
            "{} ({}, {} pts){}",
            i.summary,
            i.status,
            i.points.unwrap_or(0.0),
            if why.is_empty() {
                String::new()
            } else {
                format!(": {why}")
            }
        ),
    )
    .at(i.at)
}

fn scope_creep(cx: &Ctx<'_>, sprint: &Sprint, h: &SprintHealth) -> Option<Signal> {
    let committed = h.committed.len();
    if committed == 0 || h.added.is_empty() {
        return None;
    }
    let added_pts = points(&h.added);
    let item_share = h.added.len() as f64 / committed as f64;
    let point_share = if h.committed_points > 0.0 {
        added_pts / h.committed_points
    } else {
        0.0
    };
    let share = item_share.max(point_share);
    if share < cx.settings.scope_creep_share {
        return None;
    }
    let severity = if share >= 2.0 * cx.settings.scope_creep_share {
        Severity::High
    } else {
        Severity::Medium
    };
    let mut s = Signal::new(Kind::SprintScopeCreep, subject(sprint), severity);
    s.team = sprint.team.clone();
    s.since = h.added.first().and_then(|i| i.at);
    s.why = format!(
        "{} added after {} started ({} points): +{:.0}% of the {} committed ({} points){}.",
        plural(h.added.len(), "item", "items"),
        sprint.name,
        added_pts,
        share * 100.0,
        plural(committed, "item", "items"),
        h.committed_points,
        if h.removed.is_empty() {
            String::new()
        } else {
            format!("; {} removed", h.removed.len())
        }
    );
    s.evidence = h.added.iter().map(|i| item_evidence(i, "added")).collect();
    Some(s)
}

fn at_risk(cx: &Ctx<'_>, sprint: &Sprint, h: &SprintHealth) -> Option<Signal> {
    let f = h.forecast.as_ref()?;
    // Without a past sprint day to sample, the forecast can say nothing (it is not "0%").
    if f.history_days == 0
        || f.remaining_points <= 0.0
        || f.probability >= cx.settings.sprint_risk_probability
    {
        return None;
    }
    let severity = if f.probability < cx.settings.sprint_risk_high_probability {
        Severity::High
    } else {
        Severity::Medium
    };
    let mut s = Signal::new(Kind::SprintAtRisk, subject(sprint), severity);
    s.team = sprint.team.clone();
    s.since = sprint.start_at;
    s.why = format!(
        "{:.0}% chance to finish the remaining {} points of {} in {} (Monte Carlo, {} runs over {} past sprint days; {} blocked, {} at risk).",
        f.probability * 100.0,
        f.remaining_points,
        sprint.name,
        plural(f.working_days_left, "working day", "working days"),
        f.runs,
        f.history_days,
        h.blocked.len(),
        h.at_risk.len()
    );
    for i in &h.blocked {
        s.evidence
            .push(item_evidence(i, i.why.as_deref().unwrap_or("blocked")));
    }
    for i in &h.at_risk {
        s.evidence
            .push(item_evidence(i, i.why.as_deref().unwrap_or("at risk")));
    }
    for i in h
        .carry_over
        .iter()
        .filter(|c| !h.blocked.iter().chain(&h.at_risk).any(|b| b.key == c.key))
    {
        s.evidence.push(item_evidence(i, "not done yet"));
    }
    let channel = cx.team_channel(sprint.team.as_deref());
    s.suggestion = channel.map(|c| Suggestion::channel_message(
        c.clone(),
        format!(
            "{}: {} points are left with {} to go, and the forecast gives us about a {:.0}% chance to finish. Let's use standup to agree what we finish and what moves to the next sprint.",
            sprint.name,
            f.remaining_points,
            plural(f.working_days_left, "working day", "working days"),
            f.probability * 100.0
        ),
        format!("Message in #{c}: {} is at risk", sprint.name),
    ));
    Some(s)
}
