//! Tickets: blocked (status, flag, label or an open "is blocked by" link) for over a day; in
//! progress with no linked activity; aging past the team's 85th percentile flow time.

use crate::ctx::Ctx;
use crate::model::{ActionKind, Evidence, Kind, Severity, Signal, Suggestion, Target};
use crate::time::{DAY, HOUR, human, working_secs};
use bosun_core::model::StatusCategory;
use bosun_core::time::Ts;
use bosun_metrics::data::Ticket;
use bosun_metrics::stats::quantile;
use std::collections::HashMap;

pub fn detect(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    let tickets: Vec<&Ticket> = cx
        .tickets
        .iter()
        .copied()
        .filter(|t| t.created_at <= cx.as_of)
        .collect();
    let open: Vec<&Ticket> = tickets
        .iter()
        .copied()
        .filter(|t| {
            !matches!(t.category_at(cx.as_of), Some(StatusCategory::Done))
                && t.status_category != StatusCategory::Done
        })
        .collect();
    // The tickets named as blockers, wherever they are.
    let blockers: HashMap<&str, &Ticket> = open
        .iter()
        .flat_map(|t| t.blocked_by.iter())
        .filter_map(|k| cx.ticket(k).map(|t| (k.as_str(), t)))
        .collect();
    let activity = linked_activity(cx, &open);
    let p85 = team_p85(cx, &tickets);
    for t in open {
        out.extend(blocked(cx, t, &blockers));
        out.extend(no_activity(cx, t, &activity));
        out.extend(aging(cx, t, &p85));
    }
}

fn base(cx: &Ctx<'_>, kind: Kind, t: &Ticket, severity: Severity) -> Signal {
    let mut s = Signal::new(kind, cx.ticket_subject(t), severity);
    s.team = t.team.clone();
    s.person = t.assignee;
    s.evidence.push(cx.ticket_evidence(t));
    s
}

/// When the ticket entered its current status.
fn status_since(t: &Ticket) -> Ts {
    t.periods.last().map_or(t.created_at, |p| p.entered_at)
}

fn blocked(cx: &Ctx<'_>, t: &Ticket, blockers: &HashMap<&str, &Ticket>) -> Option<Signal> {
    let extra = cx.input.extra.tickets.get(&t.id);
    let fallback = status_since(t);
    let mut reasons: Vec<(String, Ts)> = Vec::new();
    if t.status.to_lowercase().contains("block") {
        reasons.push((format!("status {}", t.status), fallback));
    }
    if t.flagged {
        reasons.push((
            "flagged as an impediment".into(),
            extra.and_then(|x| x.flagged_at).unwrap_or(fallback),
        ));
    }
    let labels: Vec<&String> = extra
        .map(|x| {
            x.labels
                .iter()
                .filter(|l| {
                    cx.settings
                        .blocked_labels
                        .iter()
                        .any(|b| b.eq_ignore_ascii_case(l))
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(l) = labels.first() {
        reasons.push((
            format!("label {l}"),
            extra.and_then(|x| x.blocked_label_at).unwrap_or(fallback),
        ));
    }
    let mut open_blockers: Vec<&Ticket> = Vec::new();
    for k in &t.blocked_by {
        let done = blockers
            .get(k.as_str())
            .is_some_and(|b| b.category_at(cx.as_of) == Some(StatusCategory::Done));
        if done {
            continue;
        }
        let at = extra
            .and_then(|x| x.blocked_link_at.get(k).copied())
            .unwrap_or(fallback);
        reasons.push((format!("blocked by {k} (open)"), at));
        if let Some(b) = blockers.get(k.as_str()) {
            open_blockers.push(b);
        }
    }
    let since = reasons.iter().map(|(_, t)| *t).min()?.min(cx.as_of);
    let blocked_for = cx.as_of - since;
    let limit = cx.settings.blocked_hours * HOUR as f64;
    if blocked_for as f64 <= limit {
        return None;
    }
    let severity = if blocked_for as f64 > 3.0 * limit {
        Severity::High
    } else {
        Severity::Medium
    };
    let mut s = base(cx, Kind::TicketBlocked, t, severity);
    s.since = Some(since);
    s.why = format!(
        "{} ({}) has been blocked for {}: {}.",
        t.key,
        cx.name(t.assignee),
        human(blocked_for),
        reasons
            .iter()
            .map(|(r, _)| r.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    );
    for b in &open_blockers {
        s.evidence.push(cx.ticket_evidence(b));
    }
    let channel = cx.team_channel(t.team.as_deref());
    s.suggestion = match open_blockers
        .iter()
        .find(|b| b.assignee.is_some() && b.assignee != t.assignee)
    {
        Some(b) => {
            let owner = b.assignee;
            Some(Suggestion {
                kind: ActionKind::SlackDm,
                target: Target {
                    people: owner.into_iter().collect(),
                    ..Default::default()
                },
                text: format!(
                    "Hi {} — {} \"{}\" ({}) has been blocked by your {} \"{}\" for {}. Is there an ETA, or something we can do to unblock it? {}",
                    cx.first_name(owner),
                    t.key,
                    t.summary,
                    cx.name(t.assignee),
                    b.key,
                    b.summary,
                    human(blocked_for),
                    cx.ticket_url(b).unwrap_or_default()
                ),
                summary: format!(
                    "Slack DM to {}: {} is blocked by {}",
                    cx.name(owner),
                    t.key,
                    b.key
                ),
            })
        }
        None => channel.map(|c| {
            Suggestion::channel_message(
                c.clone(),
                format!(
                    "{} \"{}\" has been blocked for {} ({}). Who can help unblock it? {}",
                    t.key,
                    t.summary,
                    human(blocked_for),
                    reasons
                        .iter()
                        .map(|(r, _)| r.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    cx.ticket_url(t).unwrap_or_default()
                ),
                format!("Message in #{c}: ask for help unblocking {}", t.key),
            )
        }),
    };
    Some(s)
}

/// The latest activity of the PRs that mention each open ticket (title, branch or description).
fn linked_activity(cx: &Ctx<'_>, open: &[&Ticket]) -> HashMap<String, (Ts, String)> {
    open.iter()
        .filter(|t| t.status_category == StatusCategory::Active)
        .filter_map(|t| {
            let m = cx.lookups().latest(&t.key)?;
            let (repo, number) = m.pr;
            Some((
                t.key.clone(),
                (m.last, format!("{}#{}", cx.repo_name(repo), number)),
            ))
        })
        .collect()
}

fn no_activity(
    cx: &Ctx<'_>,
    t: &Ticket,
    activity: &HashMap<String, (Ts, String)>,
) -> Option<Signal> {
    if t.status_category != StatusCategory::Active {
        return None;
    }
    let started = t.started_at()?;
    let mut last = started.max(status_since(t));
    let mut source = format!("moved to {}", t.status);
    if let Some(c) = cx
        .input
        .extra
        .tickets
        .get(&t.id)
        .and_then(|x| x.last_change_at)
        && c > last
        && c <= cx.as_of
    {
        last = c;
        source = "a ticket update".into();
    }
    if let Some((at, pr)) = activity.get(&t.key)
        && *at > last
    {
        last = *at;
        source = format!("activity on {pr}");
    }
    let idle = working_secs(last, cx.as_of, cx.team_offset(t.team.as_deref()));
    if (idle as f64) <= cx.settings.no_activity_days * DAY as f64 {
        return None;
    }
    let mut s = base(cx, Kind::TicketNoActivity, t, Severity::Medium);
    s.since = Some(last);
    s.why = format!(
        "{} is In Progress with {} but nothing linked has happened for {} working days (last: {source}, {}).",
        t.key,
        cx.name(t.assignee),
        idle / DAY,
        crate::time::date(last)
    );
    if let Some((at, pr)) = activity.get(&t.key) {
        s.evidence.push(
            Evidence::new("pull_request", pr.clone(), "latest linked activity").at(Some(*at)),
        );
    }
    s.suggestion = t.assignee.map(|a| Suggestion::dm(
        a,
        format!(
            "Hi {} — how is {} \"{}\" going? I haven't seen linked activity since {}. Anything blocking you, or should it go back to To Do? {}",
            cx.first_name(Some(a)),
            t.key,
            t.summary,
            crate::time::date(last),
            cx.ticket_url(t).unwrap_or_default()
        ),
        format!("Slack DM to {}: check in on {}", cx.name(Some(a)), t.key),
    ));
    Some(s)
}

/// Per team: the 85th percentile flow time of what it finished in the history window, and n.
fn team_p85(cx: &Ctx<'_>, tickets: &[&Ticket]) -> HashMap<Option<String>, (f64, usize)> {
    let since = cx.as_of - (cx.settings.aging_history_days * DAY as f64) as i64;
    let mut flows: HashMap<Option<String>, Vec<f64>> = HashMap::new();
    for t in tickets {
        let Some(done) = t.done_at() else { continue };
        if done <= since || done > cx.as_of {
            continue;
        }
        if let Some(start) = t.started_at().filter(|s| *s <= done) {
            flows
                .entry(t.team.clone())
                .or_default()
                .push((done - start) as f64);
        }
    }
    flows
        .into_iter()
        .filter_map(|(k, mut v)| {
            v.sort_by(f64::total_cmp);
            quantile(&v, 0.85).map(|q| (k, (q, v.len())))
        })
        .collect()
}

fn aging(cx: &Ctx<'_>, t: &Ticket, p85: &HashMap<Option<String>, (f64, usize)>) -> Option<Signal> {
    if !matches!(
        t.category_at(cx.as_of),
        Some(StatusCategory::Active | StatusCategory::Waiting)
    ) {
        return None;
    }
    let started = t.started_at()?;
    let &(p, n) = p85.get(&t.team)?;
    if n < 5 {
        return None;
    }
    let age = (cx.as_of - started) as f64;
    if age <= p {
        return None;
    }
    let severity = if age > 2.0 * p {
        Severity::High
    } else {
        Severity::Medium
    };
    let mut s = base(cx, Kind::TicketAging, t, severity);
    s.since = Some(started);
    s.why = format!(
        "{} has been in progress for {}, longer than 85% of what the team finished in the last {} days ({}, n = {n}).",
        t.key,
        human(age as i64),
        cx.settings.aging_history_days,
        human(p as i64)
    );
    s.suggestion = t.assignee.map(|a| Suggestion::dm(
        a,
        format!(
            "Hi {} — {} \"{}\" has been in progress for {}, longer than most of our work. Could we split it, or pair on it? {}",
            cx.first_name(Some(a)),
            t.key,
            t.summary,
            human(age as i64),
            cx.ticket_url(t).unwrap_or_default()
        ),
        format!("Slack DM to {}: {} is aging", cx.name(Some(a)), t.key),
    ));
    Some(s)
}
