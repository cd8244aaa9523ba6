//! The standup: per team member, what they finished since their last working day (merged pull
//! requests, reviews given, tickets done), what is in progress and what blocks them — each with
//! links. Weekends are skipped (a Monday standup looks back to Friday) and so is time off (someone
//! back from leave looks back to the last day they worked; someone off today is marked out).

use crate::fmt;
use crate::input::Input;
use crate::links;
use crate::note::{Item, Note, NoteKind, Section};
use bosun_core::model::StatusCategory;
use bosun_core::time::Ts;
use bosun_metrics::data::PullRequest;
use bosun_signals::{Kind, Signal};
use chrono::NaiveDate;

/// The signals that block a person (rather than ask something of the manager).
pub const BLOCKER_KINDS: [Kind; 5] = [
    Kind::TicketBlocked,
    Kind::ChatBlocker,
    Kind::ReviewWaiting,
    Kind::FailingChecks,
    Kind::IncidentOpen,
];

/// When the standup of `date` is held: at `as_of`'s time of day on that date (today's standup is
/// `as_of` itself; one for an earlier date looks at that morning), never after `as_of`.
pub fn moment(date: NaiveDate, as_of: Ts, offset: i32) -> Ts {
    let today = fmt::day_start(fmt::local_date(as_of, offset), offset);
    as_of.min(fmt::day_start(date, offset) + (as_of - today))
}

/// The window a person's "done" covers: from the start of their last working day before `date`
/// (skipping weekends and their time off, at most two weeks back) to the standup's [`moment`].
pub fn window(input: &Input<'_>, person: i64, date: NaiveDate, as_of: Ts, offset: i32) -> (Ts, Ts) {
    let mut day = fmt::previous_working_day(date);
    for _ in 0..10 {
        let start = fmt::day_start(day, offset);
        if input.off_on(person, start, offset).is_none() {
            break;
        }
        day = fmt::previous_working_day(day);
    }
    (fmt::day_start(day, offset), moment(date, as_of, offset))
}

fn quoted(s: &str) -> String {
    format!("“{}”", s.trim())
}

fn review_word(state: &str) -> &'static str {
    match state.to_ascii_uppercase().as_str() {
        "APPROVED" => "approved",
        "CHANGES_REQUESTED" => "asked for changes",
        _ => "commented",
    }
}

/// Where an open pull request stands, in a few words ([`bosun_metrics::review`]).
pub fn pr_state(input: &Input<'_>, pr: &PullRequest, as_of: Ts) -> String {
    use bosun_metrics::review::ReviewState;
    if pr.draft {
        return "draft".into();
    }
    let s = crate::triage::standing(input, pr, as_of);
    let waited = fmt::duration(as_of - s.since);
    match s.state {
        ReviewState::Approved => "approved, not merged yet".into(),
        ReviewState::ChangesRequested => "changes requested".into(),
        ReviewState::WaitingForReview if s.again => {
            format!("updated after changes were requested, waiting {waited} for another review")
        }
        ReviewState::WaitingForReview => format!("waiting {waited} for a first review"),
        ReviewState::InReview => {
            let comments = pr
                .reviews
                .iter()
                .filter(|r| !r.reviewer_is_bot && r.reviewer != pr.author && r.at <= as_of)
                .count();
            format!(
                "{} so far, no verdict",
                fmt::plural(comments, "comment", "comments")
            )
        }
    }
}

/// Signals blocking `person`: about them, or about their open pull requests and tickets.
pub fn blockers_of<'a>(input: &Input<'a>, person: i64) -> Vec<&'a Signal> {
    let mut out: Vec<&Signal> = input
        .signals
        .iter()
        .filter(|s| BLOCKER_KINDS.contains(&s.kind) && s.person == Some(person))
        .collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.dedupe_key.cmp(&b.dedupe_key))
    });
    out
}

/// A signal as a statement: its title, why, and its links.
pub fn signal_item(s: &Signal) -> Item {
    Item::new(format!("{} — {}", s.title, s.why)).links(links::signal(s))
}

/// One item per subject: signals about the same pull request or ticket (a blocked status and the
/// chat message naming it) become one line with every reason and every link, in the given order.
pub fn grouped(signals: &[&Signal]) -> Vec<Item> {
    let mut order: Vec<&str> = Vec::new();
    let mut by: std::collections::HashMap<&str, Vec<&Signal>> = std::collections::HashMap::new();
    for s in signals {
        let key = s.subject.reference.as_str();
        if !by.contains_key(key) {
            order.push(key);
        }
        by.entry(key).or_default().push(s);
    }
    order
        .into_iter()
        .map(|k| {
            let group = &by[k];
            let mut item = Item::new(
                format!(
                    "{} — {}",
                    group[0].title,
                    group
                        .iter()
                        .map(|s| s.why.trim_end_matches('.'))
                        .collect::<Vec<_>>()
                        .join("; ")
                ) + ".",
            );
            for s in group {
                for l in links::signal(s) {
                    if !item.links.iter().any(|x| x.url == l.url) {
                        item.links.push(l);
                    }
                }
            }
            item
        })
        .collect()
}

struct Person {
    done: Vec<Item>,
    doing: Vec<Item>,
    blockers: Vec<Item>,
}

fn person(input: &Input<'_>, p: i64, from: Ts, to: Ts) -> Person {
    let data = input.data;
    let mut done = Vec::new();
    let mut merged: Vec<&PullRequest> = data
        .pull_requests
        .iter()
        .filter(|pr| pr.author == Some(p) && pr.merged_at.is_some_and(|m| m >= from && m < to))
        .collect();
    merged.sort_by_key(|pr| (pr.merged_at, pr.id));
    for pr in merged {
        done.push(
            Item::new(format!("Merged {} {}", input.pr_ref(pr), quoted(&pr.title)))
                .link(links::pr(input, pr)),
        );
    }
    // Reviews given: one line per pull request, with the latest verdict.
    let mut reviewed: Vec<(&PullRequest, &bosun_metrics::data::Review)> = Vec::new();
    for pr in &data.pull_requests {
        if pr.author == Some(p) {
            continue;
        }
        if let Some(r) = pr
            .reviews
            .iter()
            .filter(|r| r.reviewer == Some(p) && r.at >= from && r.at < to)
            .max_by_key(|r| r.at)
        {
            reviewed.push((pr, r));
        }
    }
    reviewed.sort_by_key(|(pr, r)| (r.at, pr.id));
    for (pr, r) in reviewed {
        done.push(
            Item::new(format!(
                "Reviewed {} {} ({}, by {})",
                input.pr_ref(pr),
                quoted(&pr.title),
                review_word(&r.state),
                input.name(pr.author)
            ))
            .link(links::review(input, pr, p, r.at)),
        );
    }
    let mut finished: Vec<_> = data
        .tickets
        .iter()
        .filter(|t| t.assignee == Some(p) && t.done_at().is_some_and(|d| d >= from && d < to))
        .collect();
    finished.sort_by_key(|t| (t.done_at(), t.id));
    for t in finished {
        done.push(
            Item::new(format!("Finished {} {}", t.key, quoted(&t.summary)))
                .link(links::ticket(input, t)),
        );
    }

    let mut doing = Vec::new();
    let mut open: Vec<&PullRequest> = data
        .pull_requests
        .iter()
        .filter(|pr| {
            pr.author == Some(p)
                && pr.created_at <= to
                && pr.merged_at.is_none_or(|m| m > to)
                && pr.closed_at.is_none_or(|c| c > to)
        })
        .collect();
    open.sort_by_key(|pr| (pr.created_at, pr.id));
    for pr in open {
        doing.push(
            Item::new(format!(
                "{} {} — {}",
                input.pr_ref(pr),
                quoted(&pr.title),
                pr_state(input, pr, to)
            ))
            .link(links::pr(input, pr)),
        );
    }
    let mut active: Vec<_> = data
        .tickets
        .iter()
        .filter(|t| {
            t.assignee == Some(p)
                && matches!(
                    t.category_at(to),
                    Some(StatusCategory::Active | StatusCategory::Waiting)
                )
        })
        .collect();
    active.sort_by_key(|t| (t.started_at(), t.id));
    for t in active {
        let status = t
            .periods
            .iter()
            .rev()
            .find(|x| x.entered_at <= to)
            .map_or(t.status.clone(), |x| x.status.clone());
        let since = t
            .periods
            .iter()
            .rev()
            .find(|x| x.entered_at <= to)
            .map(|x| x.entered_at);
        let text = match since {
            Some(s) => format!(
                "{} {} — {} for {}",
                t.key,
                quoted(&t.summary),
                status,
                fmt::duration(to - s)
            ),
            None => format!("{} {} — {}", t.key, quoted(&t.summary), status),
        };
        doing.push(Item::new(text).link(links::ticket(input, t)));
    }
    let blockers = grouped(&blockers_of(input, p));
    Person {
        done,
        doing,
        blockers,
    }
}

/// The standup of `team` held on `date`, written at `as_of`.
pub fn standup(input: &Input<'_>, team: &str, date: NaiveDate, as_of: Ts) -> Note {
    let offset = input.extra.team_offset_minutes(Some(team));
    let team_name = input
        .extra
        .team(team)
        .map_or(team.to_string(), |t| t.name.clone());
    let members = input.members(team);
    let mut sections = Vec::new();
    let (mut merged, mut reviews, mut tickets, mut blocked) = (0, 0, 0, 0);
    let mut out_today = Vec::new();
    for &p in &members {
        let (from, to) = window(input, p, date, as_of, offset);
        let x = person(input, p, from, to);
        merged += x
            .done
            .iter()
            .filter(|i| i.text.starts_with("Merged"))
            .count();
        reviews += x
            .done
            .iter()
            .filter(|i| i.text.starts_with("Reviewed"))
            .count();
        tickets += x
            .done
            .iter()
            .filter(|i| i.text.starts_with("Finished"))
            .count();
        blocked += usize::from(!x.blockers.is_empty());
        let since = fmt::local_date(from, offset);
        let mut s = Section::new(input.name(Some(p)), "");
        let off = input.off_on(p, fmt::day_start(date, offset), offset);
        let lead = match off {
            Some(o) => {
                out_today.push(input.name(Some(p)));
                format!(
                    "Out today (time off {} – {}). Since {}:",
                    fmt::short_date(o.starts_on),
                    fmt::short_date(o.ends_on),
                    fmt::long_date(since)
                )
            }
            None => format!("Since {}:", fmt::long_date(since)),
        };
        s.lead = Some(lead);
        let group = |title: &str, items: Vec<Item>, empty: &str| {
            let mut i = Item::new(title);
            if items.is_empty() {
                i = i.detail(Item::new(empty));
            }
            for d in items {
                i = i.detail(d);
            }
            i
        };
        s.items.push(group(
            "Done",
            x.done,
            "Nothing merged, reviewed or finished on the board.",
        ));
        s.items.push(group(
            "In progress",
            x.doing,
            "No open pull requests or tickets in progress.",
        ));
        s.items
            .push(group("Blockers", x.blockers, "None that Bosun can see."));
        sections.push(s);
    }
    // Team-wide: what concerns the whole team rather than one person.
    let team_signals: Vec<&Signal> = input
        .signals
        .iter()
        .filter(|s| {
            s.team.as_deref() == Some(team)
                && matches!(
                    s.kind,
                    Kind::SprintAtRisk
                        | Kind::SprintScopeCreep
                        | Kind::DeployFailureStreak
                        | Kind::IncidentOpen
                )
        })
        .collect();
    let team_items = grouped(&team_signals);
    let mut lead = format!(
        "{} merged, {} given, {} finished; {} with a blocker.",
        fmt::plural(merged, "pull request", "pull requests"),
        fmt::plural(reviews, "review", "reviews"),
        fmt::plural(tickets, "ticket", "tickets"),
        fmt::plural(blocked, "person", "people"),
    );
    if !out_today.is_empty() {
        lead.push_str(&format!(" Out today: {}.", out_today.join(", ")));
    }
    let mut team_section = Section::new("Team", "Nothing team-wide needs attention.");
    team_section.lead = Some(lead);
    team_section.items = team_items;
    sections.insert(0, team_section);
    Note {
        kind: NoteKind::Standup,
        title: format!("Standup — {team_name}"),
        subtitle: format!(
            "For {}{}, as of {}: done since {} (each person's last working day, time off skipped). One section per person; every line links to its record.",
            fmt::long_date(date),
            if fmt::is_weekend(date) {
                " (not a working day)"
            } else {
                ""
            },
            fmt::when(as_of, offset),
            fmt::long_date(fmt::previous_working_day(date)),
        ),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::TimeOff;
    use crate::testkit::{DAY, HOUR, MON, Org, review};

    #[test]
    fn a_standup_on_a_saturday_says_what_it_covers() {
        let org = Org::new();
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let sat = MON + 5 * DAY + 9 * HOUR;
        let note = standup(&org.input(), "t", day("2026-11-21"), sat);
        assert!(
            note.subtitle.starts_with(
                "For Saturday 21 November 2026 (not a working day), as of Sat 21 Nov 09:00 UTC: done since Friday 20 November 2026"
            ),
            "{}",
            note.subtitle
        );
        let mon = standup(&org.input(), "t", day("2026-11-16"), MON + 9 * HOUR);
        assert!(
            mon.subtitle.contains("done since Friday 13 November 2026"),
            "{}",
            mon.subtitle
        );
    }

    #[test]
    fn monday_looks_back_to_friday_everyone_appears_and_time_off_is_respected() {
        let mut org = Org::new();
        let fri = MON - 3 * DAY;
        org.pr(1, fri - 2 * DAY, Some(fri + 15 * HOUR)); // Ana, merged Friday: done
        org.pr(1, fri - 3 * DAY, Some(fri - DAY + 10 * HOUR)); // merged Thursday: not
        org.pr(2, fri, None)
            .reviews
            .push(review(1, "APPROVED", fri + 16 * HOUR));
        org.pr(4, fri - 2 * DAY, Some(fri - 2 * DAY + 12 * HOUR)); // Dev, Wednesday
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Ben is off today; Dev was off on Thursday and Friday.
        org.more.time_off.push(TimeOff {
            person: 2,
            starts_on: day("2026-11-16"),
            ends_on: day("2026-11-17"),
        });
        org.more.time_off.push(TimeOff {
            person: 4,
            starts_on: day("2026-11-12"),
            ends_on: day("2026-11-13"),
        });
        let note = standup(&org.input(), "t", day("2026-11-16"), MON + 9 * HOUR);
        let md = note.to_markdown();
        let headings: Vec<&str> = note.sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(
            headings,
            ["Team", "Ana", "Ben", "Cleo", "Dev"],
            "the manager is not a member"
        );
        let section = |name: &str| {
            md.split(&format!("## {name}\n"))
                .nth(1)
                .unwrap()
                .split("\n## ")
                .next()
                .unwrap()
                .to_string()
        };
        let ana = section("Ana");
        assert!(ana.contains("Since Friday 13 November 2026:"), "{ana}");
        assert!(ana.contains("Merged api#1 “Change 1”"), "{ana}");
        assert!(
            !ana.contains("api#2"),
            "Thursday is before the window: {ana}"
        );
        assert!(
            ana.contains("Reviewed api#3 “Change 3” (approved, by Ben)"),
            "{ana}"
        );
        assert!(section("Ben").contains("Out today (time off Mon 16 Nov – Tue 17 Nov)."));
        assert!(
            section("Ben").contains("api#3 “Change 3” — approved, not merged yet"),
            "{}",
            section("Ben")
        );
        let cleo = section("Cleo");
        assert!(
            cleo.contains("Nothing merged, reviewed or finished on the board."),
            "{cleo}"
        );
        assert!(
            cleo.contains("No open pull requests or tickets in progress."),
            "{cleo}"
        );
        // Dev was away Thursday and Friday: his last working day was Wednesday.
        let dev = section("Dev");
        assert!(dev.contains("Since Wednesday 11 November 2026:"), "{dev}");
        assert!(dev.contains("Merged api#4"), "{dev}");
        assert!(md.contains("2 pull requests merged, 1 review given, 0 tickets finished; 0 people with a blocker. Out today: Ben."), "{md}");
    }
}
