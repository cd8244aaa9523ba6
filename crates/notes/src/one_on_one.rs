//! The 1:1 prep pack for one direct report: what they shipped, the reviews they gave and got, the
//! blockers they hit and how long those lasted, the incidents they were on, the follow-ups from
//! the last 1:1 and the manager's private notes (kept on this machine, never sent to a model) —
//! framed as prompts for a conversation, never as a ranking: nothing compares them to anyone.

use crate::fmt::{self, DAY};
use crate::input::Input;
use crate::links;
use crate::note::{Item, Note, NoteKind, Section};
use crate::standup::{blockers_of, grouped};
use bosun_core::model::StatusCategory;
use bosun_core::time::Ts;
use bosun_metrics::data::PullRequest;

/// How the 1:1 prep pack is written.
#[derive(Debug, Clone)]
pub struct PrepOptions {
    /// Days the pack looks back (a typical 1:1 cadence).
    pub days: i64,
}

impl Default for PrepOptions {
    fn default() -> Self {
        PrepOptions { days: 14 }
    }
}

fn quoted(s: &str) -> String {
    format!("“{}”", s.trim())
}

/// The 1:1 prep pack for `person` at `as_of`.
pub fn one_on_one(input: &Input<'_>, person: i64, as_of: Ts, opts: &PrepOptions) -> Note {
    let data = input.data;
    let from = as_of - opts.days * DAY;
    let name = input.name(Some(person));
    let first = name.split_whitespace().next().unwrap_or(&name).to_string();
    let team = input
        .extra
        .people
        .get(&person)
        .and_then(|p| p.team.clone())
        .or_else(|| {
            data.people
                .iter()
                .find(|p| p.id == person)
                .and_then(|p| p.team.clone())
        });
    let offset = input
        .extra
        .person_offset_minutes(Some(person))
        .unwrap_or_else(|| input.extra.team_offset_minutes(team.as_deref()));
    let in_window = |t: Ts| t >= from && t < as_of;
    let mut talk: Vec<Item> = Vec::new();

    // Shipped.
    let mut shipped = Section::new(
        "Shipped",
        "No merged pull requests or finished tickets in this period.",
    );
    let mut merged: Vec<&PullRequest> = data
        .pull_requests
        .iter()
        .filter(|p| p.author == Some(person) && p.merged_at.is_some_and(in_window))
        .collect();
    merged.sort_by_key(|p| (p.merged_at, p.id));
    for p in &merged {
        shipped.items.push(
            Item::new(format!(
                "Merged {} {} ({} lines)",
                input.pr_ref(p),
                quoted(&p.title),
                p.size()
            ))
            .link(links::pr(input, p)),
        );
    }
    let mut finished: Vec<_> = data
        .tickets
        .iter()
        .filter(|t| t.assignee == Some(person) && t.done_at().is_some_and(in_window))
        .collect();
    finished.sort_by_key(|t| (t.done_at(), t.id));
    for t in &finished {
        shipped.items.push(
            Item::new(format!("Finished {} {}", t.key, quoted(&t.summary)))
                .link(links::ticket(input, t)),
        );
    }
    if !shipped.items.is_empty() {
        shipped.lead = Some(format!(
            "{} merged and {} finished in the last {} days.",
            fmt::plural(merged.len(), "pull request", "pull requests"),
            fmt::plural(finished.len(), "ticket", "tickets"),
            opts.days
        ));
        talk.push(Item::new(format!(
            "Recognise the work: {}{}.",
            merged
                .first()
                .map(|p| format!("{} {}", input.pr_ref(p), quoted(&p.title)))
                .or_else(|| finished
                    .first()
                    .map(|t| format!("{} {}", t.key, quoted(&t.summary))))
                .unwrap_or_default(),
            match merged.len() + finished.len() {
                0 | 1 => String::new(),
                n => format!(" and {} more", n - 1),
            }
        )));
    }

    // Reviews given.
    let mut given = Section::new("Reviews given", "No reviews given in this period.");
    let mut given_prs: Vec<(&PullRequest, Ts, &str)> = Vec::new();
    for p in data
        .pull_requests
        .iter()
        .filter(|p| p.author != Some(person))
    {
        if let Some(r) = p
            .reviews
            .iter()
            .filter(|r| r.reviewer == Some(person) && in_window(r.at))
            .max_by_key(|r| r.at)
        {
            given_prs.push((p, r.at, r.state.as_str()));
        }
    }
    given_prs.sort_by_key(|(p, at, _)| (*at, p.id));
    let mut authors: Vec<String> = given_prs
        .iter()
        .map(|(p, _, _)| input.name(p.author))
        .collect();
    authors.sort();
    authors.dedup();
    if !given_prs.is_empty() {
        given.lead = Some(format!(
            "Reviewed {} by {}.",
            fmt::plural(given_prs.len(), "pull request", "pull requests"),
            authors.join(", ")
        ));
        talk.push(Item::new(format!(
            "Thank them for reviewing {} — does the review load feel right?",
            fmt::plural(given_prs.len(), "pull request", "pull requests")
        )));
    }
    for (p, at, state) in &given_prs {
        given.items.push(
            Item::new(format!(
                "{} {} by {} — {}",
                input.pr_ref(p),
                quoted(&p.title),
                input.name(p.author),
                match *state {
                    "APPROVED" => "approved",
                    "CHANGES_REQUESTED" => "asked for changes",
                    _ => "commented",
                }
            ))
            .link(links::review(input, p, person, *at)),
        );
    }

    // Reviews received: their pull requests active in the window.
    let mut received = Section::new(
        "Reviews received",
        "None of their pull requests was reviewed in this period.",
    );
    let mut waits: Vec<i64> = Vec::new();
    let mut theirs: Vec<&PullRequest> = data
        .pull_requests
        .iter()
        .filter(|p| {
            p.author == Some(person)
                && p.reviews
                    .iter()
                    .any(|r| in_window(r.at) && r.reviewer != Some(person))
        })
        .collect();
    theirs.sort_by_key(|p| (p.created_at, p.id));
    for p in theirs {
        let mut by: Vec<String> = p
            .reviews
            .iter()
            .filter(|r| in_window(r.at) && r.reviewer != Some(person) && !r.reviewer_is_bot)
            .map(|r| input.name(r.reviewer))
            .collect();
        by.sort();
        by.dedup();
        if by.is_empty() {
            continue;
        }
        let first = p
            .reviews
            .iter()
            .filter(|r| !r.reviewer_is_bot && r.reviewer != Some(person) && r.at >= p.ready())
            .map(|r| r.at)
            .min();
        let wait = first.map(|f| f - p.ready());
        if let Some(w) = wait {
            waits.push(w);
        }
        received.items.push(
            Item::new(format!(
                "{} {} — reviewed by {}{}",
                input.pr_ref(p),
                quoted(&p.title),
                by.join(", "),
                wait.map_or(String::new(), |w| format!(
                    "; first review after {}",
                    fmt::duration(w)
                ))
            ))
            .link(links::pr(input, p)),
        );
    }
    if let Some(longest) = waits.iter().max().filter(|w| **w > 2 * DAY) {
        talk.push(Item::new(format!(
            "One of their pull requests waited {} for a first review — are reviews reaching them quickly enough?",
            fmt::duration(*longest)
        )));
    }

    // Blockers and how long they lasted.
    let mut blockers = Section::new("Blockers", "No blocked or waiting work in this period.");
    let mut longest: Option<(i64, String)> = None;
    let mut tickets: Vec<_> = data
        .tickets
        .iter()
        .filter(|t| t.assignee == Some(person))
        .collect();
    tickets.sort_by_key(|t| t.id);
    for t in tickets {
        for period in t.periods.iter().filter(|p| {
            p.category == StatusCategory::Waiting
                && p.entered_at < as_of
                && p.left_at.is_none_or(|l| l > from)
        }) {
            let end = period.left_at.filter(|l| *l <= as_of);
            let lasted = end.unwrap_or(as_of) - period.entered_at;
            let text = format!(
                "{} {} waited in “{}” for {}{} (from {})",
                t.key,
                quoted(&t.summary),
                period.status,
                fmt::duration(lasted),
                if end.is_none() { " so far" } else { "" },
                fmt::short_date(fmt::local_date(period.entered_at, offset))
            );
            if longest.as_ref().is_none_or(|(l, _)| lasted > *l) {
                longest = Some((lasted, t.key.clone()));
            }
            blockers
                .items
                .push(Item::new(text).link(links::ticket(input, t)));
        }
    }
    blockers.items.extend(grouped(&blockers_of(input, person)));
    if let Some((lasted, key)) = longest.filter(|(l, _)| *l >= DAY) {
        talk.push(Item::new(format!(
            "{key} waited {} — what would have unblocked it sooner, and can you help?",
            fmt::duration(lasted)
        )));
    }

    // Incidents.
    let mut incidents = Section::new("Incidents", "Not on any incident in this period.");
    let mut theirs: Vec<_> = data
        .incidents
        .iter()
        .filter(|i| {
            i.created_at < as_of
                && i.resolved_at.is_none_or(|r| r >= from)
                && input
                    .extra
                    .incidents
                    .get(&i.id)
                    .is_some_and(|x| x.assignees.contains(&person))
        })
        .collect();
    theirs.sort_by_key(|i| (i.created_at, i.id));
    for i in &theirs {
        let lasted = match i.resolved_at.filter(|r| *r <= as_of) {
            Some(r) => format!("resolved after {}", fmt::duration(r - i.created_at)),
            None => format!("open for {}", fmt::duration(as_of - i.created_at)),
        };
        incidents.items.push(
            Item::new(format!(
                "{} ({} urgency, {}) — {}",
                quoted(&i.title),
                i.urgency.as_deref().unwrap_or("unknown"),
                fmt::short_date(fmt::local_date(i.created_at, offset)),
                lasted
            ))
            .link(links::incident(input, i)),
        );
    }
    if !theirs.is_empty() {
        talk.push(Item::new(format!(
            "They were on {} — how did on-call feel, and is anything left to follow up?",
            fmt::plural(theirs.len(), "incident", "incidents")
        )));
    }

    // Incident follow-up tickets assigned to them, open.
    let mut tickets = Section::new(
        "Incident follow-ups",
        "No open incident follow-up assigned to them.",
    );
    let open = crate::follow_ups::open(input, as_of, |t| t.assignee == Some(person));
    for f in &open {
        tickets
            .items
            .push(crate::follow_ups::item(input, f, as_of, offset, false));
    }
    let late: Vec<String> = open
        .iter()
        .filter(|f| f.overdue(as_of))
        .map(|f| match f.incident {
            Some(i) => format!("{} (incident {})", f.ticket.key, i.external_id),
            None => f.ticket.key.clone(),
        })
        .collect();
    if !late.is_empty() {
        talk.push(Item::new(format!(
            "{} past {} due date: {} — {} time in the next sprint, or a new date?",
            fmt::plural(
                late.len(),
                "incident follow-up is",
                "incident follow-ups are"
            ),
            if late.len() == 1 { "its" } else { "their" },
            late.join(", "),
            if late.len() == 1 {
                "does it need"
            } else {
                "do they need"
            }
        )));
    }

    // The manager's notes: follow-ups first, then the rest. Private: never sent anywhere.
    let mut notes: Vec<_> = input
        .more
        .private_notes
        .iter()
        .filter(|n| n.person == person && n.created_at <= as_of)
        .collect();
    notes.sort_by_key(|n| (n.created_at, n.id));
    let mut followups = Section::new("Follow-ups from the last 1:1", "No open follow-ups.");
    followups.private = true;
    for n in notes
        .iter()
        .filter(|n| n.follow_up && n.done_at.is_none_or(|d| d > from))
    {
        let state = match n.done_at.filter(|d| *d <= as_of) {
            Some(d) => format!("done {}", fmt::short_date(fmt::local_date(d, offset))),
            None => "open".to_string(),
        };
        followups.items.push(
            Item::new(format!(
                "{} ({state}, noted {})",
                n.body.trim(),
                fmt::short_date(fmt::local_date(n.created_at, offset))
            ))
            .link(links::private_note(n)),
        );
    }
    let mut private = Section::new("Private notes", "No private notes yet.");
    private.private = true;
    private.lead = Some("Yours only: stored on this machine and never sent anywhere.".into());
    for n in notes.iter().filter(|n| !n.follow_up).rev().take(5) {
        private.items.push(
            Item::new(format!(
                "{}: {}",
                fmt::short_date(fmt::local_date(n.created_at, offset)),
                n.body.trim()
            ))
            .link(links::private_note(n)),
        );
    }

    let quiet = merged.is_empty()
        && finished.is_empty()
        && given_prs.is_empty()
        && received.items.is_empty()
        && blockers.items.is_empty()
        && theirs.is_empty();
    if quiet {
        talk.push(Item::new(format!(
            "Bosun saw no pull requests, reviews, tickets or incidents from {first} in the last {} days. Much good work leaves no trace here (time off, interviews, support, planning, mentoring): ask how they are and what has taken their time.",
            opts.days
        )));
    }
    talk.push(Item::new(format!(
        "Ask {first} what they want from the next {} days, and what you could take off their plate.",
        opts.days
    )));
    let mut talk_section = Section::new("To talk about", "");
    talk_section.lead = Some(
        "Prompts for a conversation, not a scorecard: nothing here compares them to anyone.".into(),
    );
    talk_section.items = talk;

    let mut sections = vec![
        talk_section,
        shipped,
        given,
        received,
        blockers,
        incidents,
        tickets,
    ];
    sections.push(followups);
    sections.push(private);
    let mut subtitle = format!(
        "The last {} days ({} – {}), written {}.",
        opts.days,
        fmt::short_date(fmt::local_date(from, offset)),
        fmt::short_date(fmt::local_date(as_of, offset)),
        fmt::when(as_of, offset)
    );
    if let Some(o) = input
        .more
        .time_off
        .iter()
        .filter(|o| {
            o.person == person
                && o.ends_on >= fmt::local_date(from, offset)
                && o.starts_on <= fmt::local_date(as_of, offset)
        })
        .max_by_key(|o| o.starts_on)
    {
        subtitle.push_str(&format!(
            " Time off in this period: {} – {}.",
            fmt::short_date(o.starts_on),
            fmt::short_date(o.ends_on)
        ));
    }
    Note {
        kind: NoteKind::OneOnOne,
        title: format!("1:1 prep — {name}"),
        subtitle,
        sections,
    }
}
