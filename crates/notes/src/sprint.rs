//! The sprint health report: the sprint's numbers in words (commitment against done, scope
//! changes, planning accuracy), the burndown chart, what is blocked or at risk and why, the
//! carry-over candidates and the Monte Carlo forecast's probability of finishing.

use crate::fmt;
use crate::input::Input;
use crate::links;
use crate::note::{Chart, Item, Note, NoteKind, Section};
use bosun_core::time::Ts;
use bosun_metrics::charts;
use bosun_metrics::data::Sprint;
use bosun_metrics::sprint::{self as health, SprintHealth, SprintOptions};

/// The sprint a report is about when none is named: the team's sprint running at `as_of`, else
/// the one that started last before it.
pub fn current<'a>(input: &Input<'a>, team: Option<&str>, as_of: Ts) -> Option<&'a Sprint> {
    let started = |s: &&Sprint| {
        (team.is_none() || s.team.as_deref() == team) && s.start_at.is_some_and(|t| t <= as_of)
    };
    let data = input.data;
    data.sprints
        .iter()
        .filter(started)
        .filter(|s| s.end_at.is_some_and(|e| e > as_of) && s.state != "closed")
        .min_by_key(|s| (s.team.clone(), s.start_at, s.id))
        .or_else(|| {
            data.sprints
                .iter()
                .filter(started)
                .max_by_key(|s| (s.start_at, s.id))
        })
}

fn ticket_item(input: &Input<'_>, i: &health::Item, prefix: &str, closed: bool) -> Item {
    let points = i.points.map(|p| format!("{} pts", fmt::points(p)));
    // A closed sprint's items are described as they were then: today's status would mislead.
    let detail = match (closed, points) {
        (true, Some(p)) => format!(" ({p})"),
        (true, None) => String::new(),
        (false, Some(p)) => format!(" ({}, {p})", i.status),
        (false, None) => format!(" ({})", i.status),
    };
    let mut text = format!("{prefix}{} “{}”{detail}", i.key, i.summary.trim());
    if let Some(a) = input.ticket(&i.key).and_then(|t| t.assignee) {
        text.push_str(&format!(" — {}", input.name(Some(a))));
    }
    if let Some(why) = &i.why {
        text.push_str(&format!(": {why}"));
    }
    let item = Item::new(text);
    match input.ticket(&i.key) {
        Some(t) => item.link(links::ticket(input, t)),
        None => item,
    }
}

/// The report on `sprint` at `as_of`; `None` when the sprint has no dates yet (a future sprint).
pub fn report(
    input: &Input<'_>,
    sprint: &Sprint,
    as_of: Ts,
    opts: &SprintOptions,
) -> Option<(SprintHealth, Note)> {
    let h = health::sprint_health(input.data, sprint, as_of, opts)?;
    let offset = input.extra.team_offset_minutes(sprint.team.as_deref());
    let total_days = ((h.end - h.start) as f64 / fmt::DAY as f64).ceil().max(1.0) as i64;
    let day = (((h.at - h.start) as f64 / fmt::DAY as f64).ceil() as i64).clamp(0, total_days);
    let in_sprint_points = h.completed_points + h.remaining_points;
    let mut summary = Section::new("Summary", "");
    let state = if sprint.state == "closed" {
        format!(
            "Closed; it ran {} – {}.",
            fmt::short_date(fmt::local_date(h.start, offset)),
            fmt::short_date(fmt::local_date(h.end, offset))
        )
    } else {
        format!(
            "Day {day} of {total_days}; ends {}.",
            fmt::long_date(fmt::local_date(h.end, offset))
        )
    };
    summary.lead = Some(format!(
        "{state} {} of {} points done ({} of {} items); {} points committed at the start.",
        fmt::points(h.completed_points),
        fmt::points(in_sprint_points),
        h.completed.len(),
        h.completed.len() + h.carry_over.len(),
        fmt::points(h.committed_points)
    ));
    let sprint_link = links::sprint(sprint);
    summary.items.push(
        Item::new(format!(
            "Planning accuracy: {} of {} committed items done{}.",
            h.planning_accuracy.part,
            h.planning_accuracy.total,
            h.planning_accuracy_points
                .map_or(String::new(), |p| format!(
                    " ({:.0}% of committed points)",
                    p * 100.0
                ))
        ))
        .link(sprint_link.clone()),
    );
    summary.items.push(
        Item::new(format!(
            "Scope: {} added and {} removed after the start{}.",
            fmt::plural(h.added.len(), "item", "items"),
            fmt::plural(h.removed.len(), "item", "items"),
            h.scope_change
                .map_or(String::new(), |s| format!(" — a {:.0}% change", s * 100.0))
        ))
        .link(sprint_link.clone()),
    );
    match &h.forecast {
        Some(f) => summary.items.push(
            Item::new(format!(
                "Forecast: {:.0}% chance of finishing the remaining {} points in the {} left ({} runs over {} of the team's recent sprint days; half the runs finish at least {} points).",
                f.probability * 100.0,
                fmt::points(f.remaining_points),
                fmt::plural(f.working_days_left, "working day", "working days"),
                f.runs,
                f.history_days,
                fmt::points(f.expected_points_p50.round())
            ))
            .link(sprint_link.clone()),
        ),
        None if sprint.state == "closed" => summary.items.push(
            Item::new(format!(
                "Finished with {} of {} points done; {} carried over.",
                fmt::points(h.completed_points),
                fmt::points(in_sprint_points),
                fmt::plural(h.carry_over.len(), "item", "items")
            ))
            .link(sprint_link.clone()),
        ),
        None => {}
    }
    let mut burndown = Section::new("Burndown", "");
    burndown.lead = Some(format!(
        "{} points left{}.",
        fmt::points(h.remaining_points),
        h.burndown.last().map_or(String::new(), |p| format!(
            "; the ideal line is at {}",
            fmt::points((p.ideal_points * 10.0).round() / 10.0)
        ))
    ));
    burndown.chart = Some(Chart {
        file: format!(
            "burndown-sprint-{}-{}.svg",
            sprint.id,
            fmt::local_date(as_of, offset).format("%Y-%m-%d")
        ),
        title: format!("{} burndown", sprint.name),
        svg: charts::burndown(&h.burndown, h.end),
    });
    burndown.items.push(
        Item::new(format!(
            "Remaining points per day since {}, against the ideal line.",
            fmt::short_date(fmt::local_date(h.start, offset))
        ))
        .link(sprint_link.clone()),
    );

    let closed = sprint.state == "closed";
    let list = |heading: &str, empty: &str, items: &[health::Item], prefix: &str| {
        let mut s = Section::new(heading, empty);
        s.items = items
            .iter()
            .map(|i| ticket_item(input, i, prefix, closed))
            .collect();
        s
    };
    let risk = list(
        if closed {
            "At risk at the end"
        } else {
            "At risk"
        },
        "Nothing at risk: every remaining item is moving.",
        &h.at_risk,
        "",
    );
    let blocked = list(
        if closed {
            "Blocked at the end"
        } else {
            "Blocked"
        },
        "Nothing is blocked.",
        &h.blocked,
        "",
    );
    let mut scope = Section::new(
        "Scope changes",
        "No items added or removed after the start.",
    );
    for i in &h.added {
        scope.items.push(ticket_item(
            input,
            i,
            &format!(
                "Added {}: ",
                i.at.map_or(String::new(), |t| fmt::short_date(fmt::local_date(
                    t, offset
                )))
            ),
            closed,
        ));
    }
    for i in &h.removed {
        scope.items.push(ticket_item(
            input,
            i,
            &format!(
                "Removed {}: ",
                i.at.map_or(String::new(), |t| fmt::short_date(fmt::local_date(
                    t, offset
                )))
            ),
            closed,
        ));
    }
    let carry = if sprint.state == "closed" {
        list(
            "Carried over",
            "Nothing carried over: everything in the sprint was done.",
            &h.carry_over,
            "",
        )
    } else {
        let mut s = list(
            "Carry-over candidates",
            "Nothing left: everything in the sprint is done.",
            &h.carry_over,
            "",
        );
        s.lead =
            Some("Not done yet; what is not started or blocked is most likely to move on.".into());
        s
    };
    let done = list("Completed", "Nothing completed yet.", &h.completed, "");
    // Incident follow-ups of the team, open: planned into this sprint or waiting outside it.
    let mut follow_ups = Section::new(
        "Incident follow-ups",
        "No open incident follow-up for this team.",
    );
    if !closed {
        let in_sprint = |t: &bosun_metrics::data::Ticket| {
            t.sprints
                .iter()
                .any(|s| s.sprint == sprint.id && s.removed_at.is_none())
        };
        let open = crate::follow_ups::open(input, as_of, |t| {
            in_sprint(t) || (sprint.team.is_some() && t.team == sprint.team)
        });
        let planned = open.iter().filter(|f| in_sprint(f.ticket)).count();
        if !open.is_empty() {
            follow_ups.lead = Some(match planned {
                0 => format!("{} open, none planned into this sprint.", open.len()),
                p => format!(
                    "{} open: {p} in this sprint, {} outside it.",
                    open.len(),
                    open.len() - p
                ),
            });
        }
        for f in &open {
            let mut item = crate::follow_ups::item(input, f, as_of, offset, true);
            if !in_sprint(f.ticket) {
                item.text = format!("Not in the sprint: {}", item.text);
            }
            follow_ups.items.push(item);
        }
    }
    let title = format!("Sprint health — {}", sprint.name);
    let note = Note {
        kind: NoteKind::SprintHealth,
        title,
        subtitle: format!(
            "Written {}. Committed = in the sprint when it started (from the board's history).",
            fmt::when(as_of, offset)
        ),
        sections: if closed {
            vec![summary, burndown, risk, blocked, scope, carry, done]
        } else {
            vec![
                summary, burndown, risk, blocked, scope, carry, done, follow_ups,
            ]
        },
    };
    Some((h, note))
}
