//! The morning brief: one line for a notification ("Today: 3 blockers, 2 PRs waiting > 1 day")
//! and a short note behind it, raised once per working day at the configured local time.

use crate::fmt::{self, DAY};
use crate::input::Input;
use crate::links;
use crate::note::{Item, Link, Note, NoteKind, Section};
use crate::standup::{BLOCKER_KINDS, grouped};
use crate::triage::Triage;
use bosun_core::time::Ts;
use bosun_signals::Kind;

/// The morning brief: its one-line headline and the note behind it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Brief {
    /// The notification's text.
    pub headline: String,
    /// Blockers in the brief.
    pub blockers: usize,
    /// Pull requests waiting for a review for more than a day.
    pub waiting_over_a_day: usize,
    /// The brief itself.
    pub note: Note,
}

/// Whether the brief is due at `now`: a working day, at or after `at_minutes` past local midnight,
/// and not yet raised since today's brief time.
pub fn due(now: Ts, at_minutes: i64, offset_minutes: i32, last_raised: Option<Ts>) -> bool {
    let today = fmt::local_date(now, offset_minutes);
    if fmt::is_weekend(today) {
        return false;
    }
    let moment = fmt::day_start(today, offset_minutes) + at_minutes * 60;
    now >= moment && last_raised.is_none_or(|l| l < moment)
}

/// Whose brief it is, in words: "all teams", "team harbor", "teams harbor and pier".
fn scope(teams: &[String]) -> String {
    match teams {
        [] => "all teams".into(),
        [one] => format!("team {one}"),
        [rest @ .., last] => format!("teams {} and {last}", rest.join(", ")),
    }
}

/// The brief for the manager's `teams` (all teams when empty).
pub fn brief(input: &Input<'_>, teams: &[String], triage: &Triage, as_of: Ts) -> Brief {
    let mine =
        |team: Option<&str>| teams.is_empty() || team.is_some_and(|t| teams.iter().any(|x| x == t));
    let offset = input
        .extra
        .team_offset_minutes(teams.first().map(String::as_str));
    let mut blockers = Section::new("Blockers", "Nothing is blocking anyone.");
    let found: Vec<_> = input
        .signals
        .iter()
        .filter(|s| {
            BLOCKER_KINDS.contains(&s.kind)
                && s.kind != Kind::ReviewWaiting
                && mine(s.team.as_deref())
        })
        .collect();
    blockers.items = grouped(&found);
    let blocker_count = blockers.items.len();
    let waiting: Vec<_> = triage
        .queue
        .iter()
        .filter(|e| e.waiting_hours >= 24.0)
        .collect();
    let mut reviews = Section::new(
        "Waiting for review for more than a day",
        "No pull request has waited a day for review.",
    );
    for e in waiting.iter().take(10) {
        reviews.items.push(
            Item::new(format!(
                "{} “{}” by {} — {} h; suggested: {}",
                e.pr.rsplit('/').next().unwrap_or(&e.pr),
                e.title.trim(),
                e.author,
                e.waiting_hours,
                if e.suggested_reviewers.is_empty() {
                    "those already requested".to_string()
                } else {
                    e.suggested_reviewers
                        .iter()
                        .map(|r| r.name.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ))
            .link(Link::new(
                e.pr.rsplit('/').next().unwrap_or(&e.pr),
                e.url.clone(),
            )),
        );
    }
    let mut sprints = Section::new("Sprints", "No sprint needs attention.");
    let sprint_signals: Vec<_> = input
        .signals
        .iter()
        .filter(|s| {
            matches!(s.kind, Kind::SprintAtRisk | Kind::SprintScopeCreep) && mine(s.team.as_deref())
        })
        .collect();
    sprints.items = grouped(&sprint_signals);
    let mut incidents = Section::new("Incidents", "No incident is open.");
    for i in input
        .data
        .incidents
        .iter()
        .filter(|i| i.created_at <= as_of && i.resolved_at.is_none_or(|r| r > as_of))
        .filter(|i| {
            mine(
                input
                    .extra
                    .incidents
                    .get(&i.id)
                    .and_then(|x| x.team.as_deref()),
            )
        })
        .filter(|i| as_of - i.created_at < 14 * DAY)
    {
        incidents.items.push(
            Item::new(format!(
                "“{}” open for {}",
                i.title.trim(),
                fmt::duration(as_of - i.created_at)
            ))
            .link(links::incident(input, i)),
        );
    }
    let headline = format!(
        "Today: {}, {} waiting > 1 day",
        fmt::plural(blocker_count, "blocker", "blockers"),
        fmt::plural(waiting.len(), "PR", "PRs")
    );
    let note = Note {
        kind: NoteKind::Brief,
        title: format!(
            "Morning brief — {}",
            fmt::long_date(fmt::local_date(as_of, offset))
        ),
        subtitle: format!(
            "{headline}. For {}. Written {}.",
            scope(teams),
            fmt::when(as_of, offset)
        ),
        sections: vec![blockers, reviews, sprints, incidents],
    };
    Brief {
        headline,
        blockers: blocker_count,
        waiting_over_a_day: waiting.len(),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Friday 20 November 2026, 00:00 UTC.
    const FRI: Ts = 1_795_132_800;

    #[test]
    fn the_brief_is_due_once_per_working_day_after_its_time() {
        let at = 8 * 60 + 45;
        assert!(!due(FRI + 8 * 3600, at, 0, None), "too early");
        assert!(due(FRI + 9 * 3600, at, 0, None));
        assert!(
            !due(FRI + 9 * 3600, at, 0, Some(FRI + 8 * 3600 + 50 * 60)),
            "already raised"
        );
        assert!(
            due(FRI + 9 * 3600, at, 0, Some(FRI - 15 * 3600)),
            "raised yesterday"
        );
        assert!(!due(FRI + DAY + 9 * 3600, at, 0, None), "Saturday");
        // 08:45 in UTC+2 is 06:45 UTC.
        assert!(due(FRI + 7 * 3600, at, 120, None));
    }
}
