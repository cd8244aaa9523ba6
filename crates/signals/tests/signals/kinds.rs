//! Boundary tests for the kinds the first tests left out: each just below its threshold (no
//! signal), at or just past it (the signal, with its severity, subject, why and evidence), and a
//! case that must never fire.

use super::*;

const DAN: i64 = 4;
const EVE: i64 = 5;
const FAY: i64 = 6;
const BOT: i64 = 9;

/// The world with a five-person team (Alice, Bob, Dan, Eve, Fay; Cara manages) and a bot.
fn big_team() -> (Dataset, Extra) {
    let (data, mut extra) = world();
    for (id, n, login, bot) in [
        (DAN, "Dan Diaz", "dan", false),
        (EVE, "Eve Evans", "eve", false),
        (FAY, "Fay Fox", "fay", false),
        (BOT, "Renovate Bot", "renovate[bot]", true),
    ] {
        extra.people.insert(
            id,
            PersonExtra {
                name: n.into(),
                utc_offset_minutes: Some(0),
                github_login: Some(login.into()),
                team: Some("core".into()),
                is_bot: bot,
                ..Default::default()
            },
        );
    }
    extra.teams[0].members = vec![ALICE, BOB, DAN, EVE, FAY, BOT];
    (data, extra)
}

/// PRs by Cara (not a member), merged at `at`, each reviewed once by one member: `counts` gives
/// how many for whom. Ids from `first`.
fn reviewed(data: &mut Dataset, first: i64, counts: &[(i64, usize)], at: Ts) {
    let mut id = first;
    for (who, n) in counts {
        for _ in 0..*n {
            let mut p = pr(id, at - DAY);
            p.author = Some(CARA);
            p.requested = Vec::new();
            p.merged_at = Some(at);
            p.reviews.push(review(*who, "APPROVED", at - HOUR));
            data.pull_requests.push(p);
            id += 1;
        }
    }
}

#[test]
fn review_load_imbalance_from_a_40_percent_share_and_twice_the_median() {
    let as_of = MON + 12 * HOUR;
    let at = MON - DAY;
    // Bob 4 of 11 (36%): below the share.
    let (mut data, extra) = big_team();
    reviewed(
        &mut data,
        100,
        &[(BOB, 4), (ALICE, 2), (DAN, 2), (EVE, 2), (FAY, 1)],
        at,
    );
    assert!(of(&run(&data, &extra, as_of), Kind::ReviewLoadImbalance).is_empty());

    // Bob 4 of 10 (40%), the median 2: at both thresholds.
    let (mut data, extra) = big_team();
    reviewed(
        &mut data,
        100,
        &[(BOB, 4), (ALICE, 2), (DAN, 2), (EVE, 1), (FAY, 1)],
        at,
    );
    // One open PR waits for Bob's review: shown as pending in the evidence.
    data.pull_requests.push(pr(200, MON));
    let s = run(&data, &extra, as_of);
    let r = of(&s, Kind::ReviewLoadImbalance);
    assert_eq!(r.len(), 1, "{s:#?}");
    let r = r[0];
    assert_eq!(r.severity, Severity::Medium);
    assert_eq!(
        (r.subject.kind.as_str(), r.subject.reference.as_str()),
        ("team", "core")
    );
    assert_eq!(r.subject.title, "Review load in Core");
    assert_eq!(r.person, Some(BOB));
    assert_eq!(r.since, Some(as_of - 14 * DAY));
    assert_eq!(
        r.why,
        "Bob Brown gave 4 of the 10 reviews Core members gave in the last 14 days (40%; the team's median is 2)."
    );
    let rows: Vec<(&str, &str)> = r
        .evidence
        .iter()
        .map(|e| (e.reference.as_str(), e.title.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("Bob Brown", "4 reviews given, 1 pending"),
            ("Alice Adams", "2 reviews given, 0 pending"),
            ("Dan Diaz", "2 reviews given, 0 pending"),
            ("Eve Evans", "1 review given, 0 pending"),
            ("Fay Fox", "1 review given, 0 pending"),
        ]
    );
    // Individual numbers are for the manager's eyes only: nothing to send.
    assert!(r.suggestion.is_none());
    explained(&s);

    // Twice the median but a 60% share: high.
    let (mut data, extra) = big_team();
    reviewed(
        &mut data,
        100,
        &[(BOB, 6), (ALICE, 1), (DAN, 1), (EVE, 1), (FAY, 1)],
        at,
    );
    let s = run(&data, &extra, as_of);
    assert_eq!(
        of(&s, Kind::ReviewLoadImbalance)[0].severity,
        Severity::High
    );

    // A 50% share but under twice the median (Bob 5, median 3): nothing.
    let (mut data, extra) = big_team();
    reviewed(&mut data, 100, &[(BOB, 5), (ALICE, 3), (DAN, 3)], at);
    assert!(of(&run(&data, &extra, as_of), Kind::ReviewLoadImbalance).is_empty());
}

#[test]
fn review_load_imbalance_never_counts_bots_self_reviews_or_old_reviews() {
    let as_of = MON + 12 * HOUR;
    let at = MON - DAY;
    // Bob 3 of 9: one more counted review of his would make 4 of 10 (40%, twice the median).
    // The bot member's 9 reviews never count.
    let (mut data, extra) = big_team();
    reviewed(
        &mut data,
        100,
        &[(BOB, 3), (ALICE, 2), (DAN, 2), (EVE, 1), (FAY, 1), (BOT, 9)],
        at,
    );
    // A second review of the same PR counts once.
    data.pull_requests[0]
        .reviews
        .push(review(BOB, "COMMENTED", at - 30 * 60));
    // Bob's reviews of a bot's PR, of his own PR, outside the 14-day window, and one recorded
    // as a bot's.
    for (case, id) in (300..304).enumerate() {
        let mut p = pr(id, at - DAY);
        p.author = Some(CARA);
        p.requested = Vec::new();
        p.merged_at = Some(at);
        p.reviews.push(review(BOB, "APPROVED", at - HOUR));
        match case {
            0 => p.author_is_bot = true,
            1 => p.author = Some(BOB),
            2 => {
                p.merged_at = Some(as_of - 15 * DAY);
                p.reviews[0].at = as_of - 15 * DAY - HOUR;
            }
            _ => p.reviews[0].reviewer_is_bot = true,
        }
        data.pull_requests.push(p);
    }
    assert!(of(&run(&data, &extra, as_of), Kind::ReviewLoadImbalance).is_empty());
    // One more review Bob gave does count: 4 of 10.
    reviewed(&mut data, 400, &[(BOB, 1)], at);
    let s = run(&data, &extra, as_of);
    let r = of(&s, Kind::ReviewLoadImbalance);
    assert_eq!(r.len(), 1);
    assert!(
        r[0].why.starts_with("Bob Brown gave 4 of the 10 reviews"),
        "{}",
        r[0].why
    );
}

#[test]
fn ticket_no_activity_after_three_working_days() {
    let (mut data, extra) = world();
    // Moved to In Progress on Friday 09:00: Fri 15 h + Mon, Tue 24 h + Wed 9 h = 3 working days.
    let fri_9 = MON - 3 * DAY + 9 * HOUR;
    data.tickets.push(ticket(
        60,
        "API-60",
        "In Progress",
        StatusCategory::Active,
        fri_9,
    ));
    let limit = MON + 2 * DAY + 9 * HOUR;
    assert!(of(&run(&data, &extra, limit), Kind::TicketNoActivity).is_empty());
    let s = run(&data, &extra, limit + 1);
    let n = of(&s, Kind::TicketNoActivity);
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].severity, Severity::Medium);
    assert_eq!(
        (n[0].subject.kind.as_str(), n[0].subject.reference.as_str()),
        ("ticket", "API-60")
    );
    assert_eq!(n[0].person, Some(ALICE));
    assert_eq!(n[0].since, Some(fri_9));
    assert_eq!(
        n[0].why,
        "API-60 is In Progress with Alice Adams but nothing linked has happened for 3 working days (last: moved to In Progress, 2026-11-13)."
    );
    assert_eq!(n[0].evidence.len(), 1);
    assert_eq!(n[0].evidence[0].reference, "API-60");
    assert_eq!(n[0].evidence[0].title, "Work API-60 (In Progress)");
    let sug = n[0].suggestion.as_ref().unwrap();
    assert_eq!(sug.target.people, vec![ALICE]);
    explained(&s);

    // A PR naming the ticket, active on Tuesday 09:00, resets the clock: quiet until Friday 09:00.
    let mut p = pr(61, MON);
    p.title = "Refund limits for API-60".into();
    data.pull_requests.push(p);
    let mut extra = extra;
    extra.prs.insert(
        61,
        PrExtra {
            last_activity: Some(MON + DAY + 9 * HOUR),
            ..Default::default()
        },
    );
    assert!(of(&run(&data, &extra, limit + 1), Kind::TicketNoActivity).is_empty());
    let fri = MON + 4 * DAY + 9 * HOUR;
    assert!(of(&run(&data, &extra, fri), Kind::TicketNoActivity).is_empty());
    let s = run(&data, &extra, fri + 1);
    let n = of(&s, Kind::TicketNoActivity);
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].since, Some(MON + DAY + 9 * HOUR));
    assert!(
        n[0].why
            .contains("(last: activity on acme/api#61, 2026-11-17)"),
        "{}",
        n[0].why
    );
    assert_eq!(n[0].evidence[1].kind, "pull_request");
    assert_eq!(n[0].evidence[1].reference, "acme/api#61");
    // A ticket update (changelog) counts as activity too.
    extra.tickets.insert(
        60,
        TicketExtra {
            last_change_at: Some(MON + 2 * DAY + 9 * HOUR),
            ..Default::default()
        },
    );
    assert!(of(&run(&data, &extra, fri + 1), Kind::TicketNoActivity).is_empty());
}

#[test]
fn ticket_no_activity_never_fires_for_done_or_unstarted_tickets() {
    let (mut data, extra) = world();
    let long_ago = MON - 30 * DAY;
    data.tickets
        .push(ticket(62, "API-62", "Done", StatusCategory::Done, long_ago));
    data.tickets.push(ticket(
        63,
        "API-63",
        "To Do",
        StatusCategory::Todo,
        long_ago,
    ));
    assert!(of(&run(&data, &extra, MON + 12 * HOUR), Kind::TicketNoActivity).is_empty());
}

/// Done tickets of the team: started at `start`, finished `days` later.
fn finished(data: &mut Dataset, first: i64, start: Ts, days: &[i64]) {
    for (i, d) in days.iter().enumerate() {
        let id = first + i as i64;
        let mut t = ticket(
            id,
            &format!("API-{id}"),
            "In Progress",
            StatusCategory::Active,
            start,
        );
        t.status = "Done".into();
        t.status_category = StatusCategory::Done;
        t.resolved_at = Some(start + d * DAY);
        t.periods.push(StatusPeriod {
            category: StatusCategory::Done,
            status: "Done".into(),
            entered_at: start + d * DAY,
            left_at: None,
        });
        t.periods[1].left_at = Some(start + d * DAY);
        data.tickets.push(t);
    }
}

#[test]
fn ticket_aging_past_the_team_85th_percentile() {
    let (mut data, extra) = world();
    // Flow times 1..6 days: the 85th percentile is 5.25 days (n = 6).
    finished(&mut data, 700, MON - 40 * DAY, &[1, 2, 3, 4, 5, 6]);
    let start = MON + 9 * HOUR;
    data.tickets.push(ticket(
        70,
        "API-70",
        "In Progress",
        StatusCategory::Active,
        start,
    ));
    // A PR on it keeps "no activity" out of the way.
    let p85 = 5 * DAY + 6 * HOUR;
    let limit = start + p85;
    assert!(of(&run(&data, &extra, limit), Kind::TicketAging).is_empty());
    let s = run(&data, &extra, limit + 1);
    let a = of(&s, Kind::TicketAging);
    assert_eq!(a.len(), 1, "{s:#?}");
    assert_eq!(a[0].severity, Severity::Medium);
    assert_eq!(a[0].subject.reference, "API-70");
    assert_eq!(a[0].subject.title, "API-70 Work API-70");
    assert_eq!(a[0].since, Some(start));
    assert_eq!(a[0].person, Some(ALICE));
    assert_eq!(
        a[0].why,
        "API-70 has been in progress for 5.3 days, longer than 85% of what the team finished in the last 90 days (5.2 days, n = 6)."
    );
    assert_eq!(a[0].evidence[0].reference, "API-70");
    assert_eq!(a[0].suggestion.as_ref().unwrap().target.people, vec![ALICE]);
    explained(&s);
    // Twice the percentile: high; just under, still medium.
    assert_eq!(
        of(&run(&data, &extra, start + 2 * p85), Kind::TicketAging)[0].severity,
        Severity::Medium
    );
    assert_eq!(
        of(&run(&data, &extra, start + 2 * p85 + 1), Kind::TicketAging)[0].severity,
        Severity::High
    );
}

#[test]
fn ticket_aging_needs_five_finished_tickets_and_never_fires_for_done_ones() {
    let (mut data, extra) = world();
    // Four finished in the window, a fifth 91 days ago: not enough history.
    finished(&mut data, 700, MON - 40 * DAY, &[1, 2, 3, 4]);
    finished(&mut data, 710, MON - 100 * DAY, &[2]);
    data.tickets.push(ticket(
        71,
        "API-71",
        "In Progress",
        StatusCategory::Active,
        MON - 30 * DAY,
    ));
    assert!(of(&run(&data, &extra, MON), Kind::TicketAging).is_empty());
    // With a fifth in the window it fires; a done ticket that took long never does.
    finished(&mut data, 720, MON - 20 * DAY, &[19]);
    let s = run(&data, &extra, MON);
    let a = of(&s, Kind::TicketAging);
    assert_eq!(a.len(), 1, "{a:#?}");
    assert_eq!(a[0].subject.reference, "API-71");
    assert_eq!(
        a[0].severity,
        Severity::High,
        "30 days against a 10-day percentile"
    );
}

fn sprint(id: i64, name: &str, state: &str, start: Ts, end: Ts) -> Sprint {
    Sprint {
        id,
        name: name.into(),
        team: Some("core".into()),
        state: state.into(),
        start_at: Some(start),
        end_at: Some(end),
        complete_at: (state == "closed").then_some(end),
    }
}

/// A to-do ticket of `points` in sprint `sprint` from `added` (None: from the start).
fn planned(id: i64, sprint: i64, points: f64, added: Option<Ts>) -> Ticket {
    let mut t = ticket(
        id,
        &format!("API-{id}"),
        "To Do",
        StatusCategory::Todo,
        MON - 10 * DAY,
    );
    t.periods.truncate(1);
    t.periods[0].left_at = None;
    t.story_points = Some(points);
    t.sprints.push(SprintStay {
        sprint,
        added_at: added,
        removed_at: None,
    });
    t
}

#[test]
fn sprint_scope_creep_from_a_fifth_of_the_commitment() {
    let (mut data, extra) = world();
    data.sprints
        .push(sprint(1, "Core 47", "active", MON, MON + 12 * DAY));
    for i in 0..10 {
        data.tickets.push(planned(800 + i, 1, 2.0, None));
    }
    let as_of = MON + 3 * DAY;
    // One item of 3 points added: 10% of the items, 15% of the 20 points.
    data.tickets.push(planned(820, 1, 3.0, Some(MON + DAY)));
    assert!(of(&run(&data, &extra, as_of), Kind::SprintScopeCreep).is_empty());
    // A second item of 1 point: 20% of the items (and of the points).
    data.tickets.push(planned(821, 1, 1.0, Some(MON + 2 * DAY)));
    let s = run(&data, &extra, as_of);
    let c = of(&s, Kind::SprintScopeCreep);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].severity, Severity::Medium);
    assert_eq!(
        (c[0].subject.kind.as_str(), c[0].subject.reference.as_str()),
        ("sprint", "sprint-1")
    );
    assert_eq!(c[0].team.as_deref(), Some("core"));
    assert_eq!(c[0].since, Some(MON + DAY));
    assert_eq!(
        c[0].why,
        "2 items added after Core 47 started (4 points): +20% of the 10 items committed (20 points)."
    );
    let ev: Vec<(&str, &str, Option<Ts>)> = c[0]
        .evidence
        .iter()
        .map(|e| (e.reference.as_str(), e.title.as_str(), e.at))
        .collect();
    assert_eq!(
        ev,
        [
            (
                "API-820",
                "Work API-820 (To Do, 3 pts): added",
                Some(MON + DAY)
            ),
            (
                "API-821",
                "Work API-821 (To Do, 1 pts): added",
                Some(MON + 2 * DAY)
            ),
        ]
    );
    explained(&s);
    // Points count too: 8 points added in two items is 40% of the points: high.
    data.tickets.last_mut().unwrap().story_points = Some(5.0);
    let s = run(&data, &extra, as_of);
    let c = of(&s, Kind::SprintScopeCreep);
    assert_eq!(c[0].severity, Severity::High);
    assert!(c[0].why.contains("(8 points): +40%"), "{}", c[0].why);
}

#[test]
fn sprint_scope_creep_never_fires_for_closed_or_future_sprints() {
    let (mut data, extra) = world();
    data.sprints.push(sprint(
        2,
        "Core 46",
        "closed",
        MON - 14 * DAY,
        MON - 2 * DAY,
    ));
    data.sprints
        .push(sprint(3, "Core 48", "future", MON + DAY, MON + 14 * DAY));
    for (sprint_id, start) in [(2, MON - 14 * DAY), (3, MON + DAY)] {
        data.tickets
            .push(planned(830 + sprint_id, sprint_id, 1.0, None));
        for i in 0..5 {
            data.tickets.push(planned(
                840 + 10 * sprint_id + i,
                sprint_id,
                5.0,
                Some(start + HOUR),
            ));
        }
    }
    let s = run(&data, &extra, MON + 2 * DAY);
    assert!(of(&s, Kind::SprintScopeCreep).is_empty());
    assert!(of(&s, Kind::SprintAtRisk).is_empty());
}

/// Team history: a closed sprint the week before MON whose five working days each finished
/// `daily[i]` points; the active sprint 4 runs Monday to Saturday 00:00.
fn sprint_world(daily: &[f64]) -> (Dataset, Extra) {
    let (mut data, extra) = world();
    let prev = MON - 7 * DAY;
    data.sprints
        .push(sprint(3, "Core 46", "closed", prev, prev + 5 * DAY));
    for (i, pts) in daily.iter().enumerate() {
        let id = 900 + i as i64;
        let done = prev + i as i64 * DAY + 12 * HOUR;
        let mut t = ticket(id, &format!("API-{id}"), "Done", StatusCategory::Done, done);
        t.story_points = Some(*pts);
        t.resolved_at = Some(done);
        data.tickets.push(t);
    }
    data.sprints
        .push(sprint(4, "Core 47", "active", MON, MON + 5 * DAY));
    (data, extra)
}

#[test]
fn sprint_at_risk_when_the_forecast_says_it_will_not_fit() {
    // Thursday noon: one working day (Friday) left; history: 2 points every day.
    let as_of = MON + 3 * DAY + 12 * HOUR;
    let (mut data, extra) = sprint_world(&[2.0; 5]);
    data.tickets.push(planned(950, 4, 2.0, None));
    // 2 points left, 2 a day: every run finishes.
    assert!(of(&run(&data, &extra, as_of), Kind::SprintAtRisk).is_empty());
    // 3 points left: no run finishes.
    data.tickets[5].story_points = Some(3.0);
    let s = run(&data, &extra, as_of);
    let r = of(&s, Kind::SprintAtRisk);
    assert_eq!(r.len(), 1, "{s:#?}");
    assert_eq!(r[0].severity, Severity::High);
    assert_eq!(r[0].subject.reference, "sprint-4");
    assert_eq!(r[0].subject.title, "Core 47");
    assert_eq!(r[0].since, Some(MON));
    assert_eq!(
        r[0].why,
        "0% chance to finish the remaining 3 points of Core 47 in 1 working day (Monte Carlo, 10000 runs over 5 past sprint days; 0 blocked, 1 at risk)."
    );
    assert_eq!(r[0].evidence.len(), 1);
    assert_eq!(r[0].evidence[0].reference, "API-950");
    assert_eq!(
        r[0].evidence[0].title,
        "Work API-950 (To Do, 3 pts): not started with 70% of the sprint gone"
    );
    let sug = r[0].suggestion.as_ref().unwrap();
    assert_eq!(sug.target.channel.as_deref(), Some("core"));
    explained(&s);

    // Two days of five finished 4 points, three nothing: about a 40% chance for 4 points: medium.
    let (mut data, extra) = sprint_world(&[4.0, 0.0, 4.0, 0.0, 0.0]);
    data.tickets.push(planned(950, 4, 4.0, None));
    let s = run(&data, &extra, as_of);
    let r = of(&s, Kind::SprintAtRisk);
    assert_eq!(r[0].severity, Severity::Medium);
    let pct: f64 = r[0].why.split('%').next().unwrap().parse().unwrap();
    assert!((37.0..=43.0).contains(&pct), "{}", r[0].why);
}

#[test]
fn sprint_at_risk_reads_a_blocker_of_another_team() {
    // Thursday noon, 3 points left with a history of 2 a day; the ticket is blocked by another
    // team's ticket: open, it is "blocked"; done (before now), it no longer blocks.
    let as_of = MON + 3 * DAY + 12 * HOUR;
    let (mut data, extra) = sprint_world(&[2.0; 5]);
    let mut t = planned(950, 4, 3.0, None);
    t.blocked_by = vec!["OPS-7".into()];
    data.tickets.push(t);
    let mut blocker = ticket(7, "OPS-7", "In Progress", StatusCategory::Active, MON);
    blocker.team = Some("ops".into());
    data.tickets.push(blocker.clone());
    data.tickets.sort_by_key(|t| t.id);
    let why = |data: &Dataset| {
        let s = run(data, &extra, as_of);
        of(&s, Kind::SprintAtRisk)[0].why.clone()
    };
    assert!(
        why(&data)
            .ends_with("(Monte Carlo, 10000 runs over 5 past sprint days; 1 blocked, 0 at risk)."),
        "{}",
        why(&data)
    );
    let done = ticket(7, "OPS-7", "Done", StatusCategory::Done, MON + DAY);
    data.tickets.retain(|t| t.id != 7);
    data.tickets.push(Ticket {
        team: Some("ops".into()),
        ..done
    });
    data.tickets.sort_by_key(|t| t.id);
    assert!(
        why(&data)
            .ends_with("(Monte Carlo, 10000 runs over 5 past sprint days; 0 blocked, 1 at risk)."),
        "{}",
        why(&data)
    );
}

#[test]
fn sprint_at_risk_never_fires_when_everything_is_done_or_without_history() {
    let as_of = MON + 3 * DAY + 12 * HOUR;
    // Done: nothing remains, whatever the history.
    let (mut data, extra) = sprint_world(&[0.0; 5]);
    let mut t = planned(950, 4, 8.0, None);
    t.status = "Done".into();
    t.status_category = StatusCategory::Done;
    t.periods[0].left_at = Some(MON + DAY);
    t.periods.push(StatusPeriod {
        category: StatusCategory::Done,
        status: "Done".into(),
        entered_at: MON + DAY,
        left_at: None,
    });
    data.tickets.push(t);
    assert!(of(&run(&data, &extra, as_of), Kind::SprintAtRisk).is_empty());
    // A team's first sprint has no history to forecast from: no verdict rather than "0%".
    let (mut data, extra) = world();
    data.sprints
        .push(sprint(4, "Core 1", "active", MON, MON + 5 * DAY));
    data.tickets.push(planned(950, 4, 8.0, None));
    assert!(of(&run(&data, &extra, as_of), Kind::SprintAtRisk).is_empty());
}

fn owners(extra: &mut Extra, rules: &[(&str, &[&str])]) {
    extra.repos.insert(
        10,
        RepoExtra {
            html_url: Some("https://github.com/acme/api".into()),
            code_owners: rules
                .iter()
                .map(|(p, o)| OwnerRule {
                    pattern: p.to_string(),
                    owners: o.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        },
    );
}

/// A PR by `author` touching `path`, merged at `merged` (None: open).
fn touching(
    extra: &mut Extra,
    id: i64,
    author: i64,
    path: &str,
    merged: Option<Ts>,
) -> PullRequest {
    let mut p = pr(id, merged.unwrap_or(MON) - DAY);
    p.author = Some(author);
    p.requested = Vec::new();
    p.merged_at = merged;
    extra.prs.insert(
        id,
        PrExtra {
            paths: vec![path.into()],
            ..Default::default()
        },
    );
    p
}

#[test]
fn bus_factor_when_one_person_knows_a_path() {
    let as_of = MON;
    let since = as_of - 90 * DAY;
    let (mut data, mut extra) = world();
    owners(&mut extra, &[("/src/billing/", &["alice"])]);
    let mut p = touching(
        &mut extra,
        1,
        ALICE,
        "src/billing/ledger.rs",
        Some(MON - 10 * DAY),
    );
    // Bob reviewed it exactly 90 days ago: he still counts, two people know the path.
    p.reviews.push(review(BOB, "APPROVED", since));
    data.pull_requests.push(p);
    assert!(of(&run(&data, &extra, as_of), Kind::BusFactor).is_empty());
    // A second earlier: outside the window, only Alice is left.
    data.pull_requests[0].reviews[0].at = since - 1;
    let s = run(&data, &extra, as_of);
    let b = of(&s, Kind::BusFactor);
    assert_eq!(b.len(), 1, "{s:#?}");
    assert_eq!(b[0].severity, Severity::Low, "no open PR touches it");
    assert_eq!(
        (b[0].subject.kind.as_str(), b[0].subject.reference.as_str()),
        ("path", "acme/api:/src/billing/")
    );
    assert_eq!(b[0].subject.title, "/src/billing/ in api");
    assert_eq!(
        b[0].subject.url.as_deref(),
        Some("https://github.com/acme/api")
    );
    assert_eq!(b[0].person, Some(ALICE));
    assert_eq!(b[0].team.as_deref(), Some("core"));
    assert_eq!(
        b[0].why,
        "Only Alice Adams authored, reviewed or actively owns /src/billing/ in api in the last 90 days (1 PR touching it; owners: alice)."
    );
    let ev: Vec<(&str, &str)> = b[0]
        .evidence
        .iter()
        .map(|e| (e.kind.as_str(), e.reference.as_str()))
        .collect();
    assert_eq!(
        ev,
        [
            ("code_owners", "acme/api:CODEOWNERS"),
            ("pull_request", "acme/api#1")
        ]
    );
    assert_eq!(b[0].evidence[0].title, "/src/billing/ alice");
    explained(&s);
    // An open PR touching it: medium.
    let open = touching(&mut extra, 2, ALICE, "src/billing/api.rs", None);
    data.pull_requests.push(open);
    let s = run(&data, &extra, as_of);
    let b = of(&s, Kind::BusFactor);
    assert_eq!(b[0].severity, Severity::Medium);
    assert!(b[0].why.contains("(2 PRs touching it;"), "{}", b[0].why);
}

#[test]
fn bus_factor_never_counts_bots_and_not_active_owners() {
    let as_of = MON;
    let (mut data, mut extra) = world();
    extra.people.insert(
        9,
        PersonExtra {
            name: "Renovate Bot".into(),
            github_login: Some("renovate".into()),
            is_bot: true,
            ..Default::default()
        },
    );
    owners(
        &mut extra,
        &[
            ("/deps/", &["renovate"]),
            ("/src/billing/", &["alice", "bob"]),
        ],
    );
    // Only a bot's PRs touch /deps/ (and its owner is a bot): nobody, not one person.
    let mut p = touching(&mut extra, 1, 9, "deps/lock.json", Some(MON - DAY));
    p.author_is_bot = true;
    data.pull_requests.push(p);
    // Alice's billing PR, approved by the bot: the bot does not make a second person.
    let mut p = touching(&mut extra, 2, ALICE, "src/billing/a.rs", Some(MON - DAY));
    let mut r = review(9, "APPROVED", MON - 2 * HOUR);
    r.reviewer_is_bot = true;
    p.reviews.push(r);
    data.pull_requests.push(p);
    let s = run(&data, &extra, as_of);
    let b = of(&s, Kind::BusFactor);
    assert_eq!(b.len(), 1, "{b:#?}");
    assert_eq!(b[0].subject.reference, "acme/api:/src/billing/");
    // Bob owns it too and reviewed elsewhere in the repository: two people, no signal.
    let mut elsewhere = touching(&mut extra, 3, ALICE, "README.md", Some(MON - DAY));
    elsewhere.reviews.push(review(BOB, "COMMENTED", MON - HOUR));
    data.pull_requests.push(elsewhere);
    assert!(of(&run(&data, &extra, as_of), Kind::BusFactor).is_empty());
}

#[test]
fn no_bus_factor_signal_for_a_path_no_pull_request_touched() {
    let as_of = MON;
    let (mut data, mut extra) = world();
    // Alice alone owns /migrations/ and works in the repository, but nobody touched the path in
    // the window: a lone CODEOWNERS line is not a risk seen in the work ("0 PRs touching it").
    owners(&mut extra, &[("/migrations/", &["alice"])]);
    let p = touching(&mut extra, 1, ALICE, "src/other.rs", Some(MON - DAY));
    data.pull_requests.push(p);
    assert!(of(&run(&data, &extra, as_of), Kind::BusFactor).is_empty());
}

#[test]
fn stale_conditions_are_capped_not_high_forever() {
    use bosun_signals::{STALE_LOW_DAYS, STALE_MEDIUM_DAYS, Subject, cap_stale};
    let subject = Subject {
        kind: "ticket".into(),
        reference: "T-1".into(),
        title: "T-1".into(),
        url: None,
    };
    let at = |kind: Kind, days: i64| {
        let mut s = bosun_signals::Signal::new(kind, subject.clone(), Severity::High);
        s.since = Some(MON - days * DAY);
        cap_stale(&mut s, MON);
        s
    };
    assert_eq!(
        at(Kind::IncidentFollowupsOverdue, STALE_MEDIUM_DAYS).severity,
        Severity::High
    );
    let medium = at(Kind::IncidentFollowupsOverdue, STALE_MEDIUM_DAYS + 1);
    assert_eq!(medium.severity, Severity::Medium);
    assert_eq!(
        medium.why,
        " Severity capped at medium: the condition has held for 31 days."
    );
    assert_eq!(
        at(Kind::IncidentFollowupsOverdue, 151).severity,
        Severity::Low
    );
    assert_eq!(
        at(Kind::StalePr, STALE_LOW_DAYS + 1).severity,
        Severity::Low
    );
    // An open incident is urgent however long it has been open.
    assert_eq!(at(Kind::IncidentOpen, 200).severity, Severity::High);
    // Already below the cap: unchanged, nothing added to why.
    let mut low = bosun_signals::Signal::new(Kind::BusFactor, subject.clone(), Severity::Low);
    low.since = Some(MON - 200 * DAY);
    cap_stale(&mut low, MON);
    assert_eq!((low.severity, low.why.as_str()), (Severity::Low, ""));
}

fn message(id: i64, author: i64, text: &str, at: Ts) -> ChatMessage {
    ChatMessage {
        id,
        channel: "core".into(),
        ts: format!("{at}.000{id}"),
        author: Some(author),
        text: text.into(),
        posted_at: at,
        url: Some(format!("https://acme.slack.com/archives/C1/p{id}")),
    }
}

#[test]
fn chat_blockers_in_the_last_48_hours() {
    let as_of = MON + 12 * HOUR;
    let (mut data, mut extra) = world();
    data.tickets.push(ticket(
        80,
        "API-80",
        "In Progress",
        StatusCategory::Active,
        MON - DAY,
    ));
    let mut blocker = ticket(
        81,
        "API-81",
        "In Progress",
        StatusCategory::Active,
        MON - DAY,
    );
    blocker.assignee = Some(CARA);
    blocker.summary = "Ledger schema".into();
    data.tickets.push(blocker);
    // Exactly 48 hours old: out of the window.
    let text = "Standup: blocked on API-80, waiting for API-81. Rest is fine.";
    extra
        .messages
        .push(message(1, BOB, text, as_of - 48 * HOUR));
    assert!(of(&run(&data, &extra, as_of), Kind::ChatBlocker).is_empty());
    extra.messages[0].posted_at = as_of - 48 * HOUR + 1;
    let s = run(&data, &extra, as_of);
    let c = of(&s, Kind::ChatBlocker);
    assert_eq!(c.len(), 1, "{s:#?}");
    assert_eq!(c[0].severity, Severity::Medium);
    assert_eq!(
        (c[0].subject.kind.as_str(), c[0].subject.reference.as_str()),
        ("ticket", "API-80")
    );
    assert_eq!(c[0].person, Some(BOB));
    assert_eq!(c[0].team.as_deref(), Some("core"));
    assert_eq!(c[0].since, Some(as_of - 48 * HOUR + 1));
    assert_eq!(
        c[0].why,
        "Bob Brown said in #core 48 h ago: \"blocked on API-80, waiting for API-81\"."
    );
    let ev: Vec<(&str, &str)> = c[0]
        .evidence
        .iter()
        .map(|e| (e.kind.as_str(), e.reference.as_str()))
        .collect();
    assert_eq!(
        ev,
        [
            ("ticket", "API-80"),
            (
                "chat_message",
                &*format!("#core {}.0001", as_of - 48 * HOUR)
            ),
            ("ticket", "API-81"),
        ]
    );
    // The blocker's assignee is asked for an ETA.
    let sug = c[0].suggestion.as_ref().unwrap();
    assert_eq!(sug.target.people, vec![CARA]);
    assert_eq!(
        sug.summary,
        "Slack DM to Cara Chen: API-80 waits for API-81"
    );
    explained(&s);

    // Mentioned again: one signal, counting the mentions.
    extra.messages.push(message(
        2,
        ALICE,
        "still blocked on API-80",
        as_of - 2 * HOUR,
    ));
    let s = run(&data, &extra, as_of);
    let c = of(&s, Kind::ChatBlocker);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].person, Some(ALICE));
    assert_eq!(
        c[0].why,
        "Alice Adams said in #core 2 h ago: \"blocked on API-80\" (mentioned 2 times since 48 h ago)."
    );
}

#[test]
fn chat_blockers_never_fire_for_bots_done_work_or_chatter() {
    let as_of = MON + 12 * HOUR;
    let (mut data, mut extra) = world();
    extra.people.insert(
        9,
        PersonExtra {
            name: "CI Bot".into(),
            is_bot: true,
            ..Default::default()
        },
    );
    data.tickets.push(ticket(
        82,
        "API-82",
        "Done",
        StatusCategory::Done,
        MON - DAY,
    ));
    data.tickets.push(ticket(
        83,
        "API-83",
        "In Progress",
        StatusCategory::Active,
        MON - DAY,
    ));
    let mut merged = pr(84, MON - DAY);
    merged.merged_at = Some(MON);
    data.pull_requests.push(merged);
    extra.messages = vec![
        message(1, 9, "blocked on API-83", as_of - HOUR),
        message(2, BOB, "blocked on API-82", as_of - HOUR),
        message(3, BOB, "waiting for review on api#84", as_of - HOUR),
        message(4, BOB, "API-83 is going well, no blockers", as_of - HOUR),
        message(5, BOB, "blocked on the coffee machine", as_of - HOUR),
    ];
    assert!(of(&run(&data, &extra, as_of), Kind::ChatBlocker).is_empty());
    // The same words about open work do fire (the cases above are not vacuous).
    extra.messages.push(message(
        6,
        BOB,
        "waiting for review on api#85",
        as_of - HOUR,
    ));
    data.pull_requests.push(pr(85, MON));
    let s = run(&data, &extra, as_of);
    let c = of(&s, Kind::ChatBlocker);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].subject.reference, "acme/api#85");
}

#[test]
fn kept_lookups_give_what_a_fresh_evaluation_gives() {
    let (mut data, mut extra) = world();
    let fri_9 = MON - 3 * DAY + 9 * HOUR;
    data.tickets.push(ticket(
        60,
        "API-60",
        "In Progress",
        StatusCategory::Active,
        fri_9,
    ));
    // Two PRs name the ticket with the same latest activity: the first in dataset order (by
    // repository and number, as the app loads them) wins.
    for id in [61, 62] {
        let mut p = pr(id, MON - 5 * DAY);
        p.title = format!("Part {id} of API-60");
        data.pull_requests.push(p);
        extra.prs.insert(
            id,
            PrExtra {
                last_activity: Some(MON),
                ..Default::default()
            },
        );
    }
    let as_of = MON + 4 * DAY;
    let kept = |data: &Dataset, extra: &Extra, lookups: &Lookups| {
        evaluate_with(
            input(data, extra),
            Some(lookups),
            &Settings::default(),
            as_of,
            &Scope::all(),
        )
    };
    let fresh = run(&data, &extra, as_of);
    let mut lookups = Lookups::new(input(&data, &extra), &Settings::default(), as_of);
    assert_eq!(kept(&data, &extra, &lookups), fresh);
    let why = |s: &[Signal]| of(s, Kind::TicketNoActivity)[0].why.clone();
    assert!(
        why(&fresh).contains("(last: activity on acme/api#61, 2026-11-16)"),
        "{}",
        why(&fresh)
    );
    // PR 61 no longer names the ticket and PR 62 moved: the repository's lookups are updated.
    data.pull_requests[0].title = "Part 61, no ticket".into();
    extra.prs.get_mut(&62).unwrap().last_activity = Some(MON + HOUR);
    lookups.update_repos(input(&data, &extra), &[10].into());
    let fresh = run(&data, &extra, as_of);
    assert_eq!(kept(&data, &extra, &lookups), fresh);
    assert!(
        why(&fresh).contains("(last: activity on acme/api#62, 2026-11-16)"),
        "{}",
        why(&fresh)
    );
    // Built for another moment, they are not used.
    let other = Lookups::new(input(&data, &extra), &Settings::default(), as_of - DAY);
    assert_eq!(kept(&data, &extra, &other), fresh);
}

#[test]
fn updating_a_repository_names_the_people_whose_review_counts_changed() {
    let (mut data, extra) = world();
    let as_of = MON + 4 * DAY;
    // Bob is asked to review PR 71 (open) and has reviewed PR 72; Alice authored both.
    let mut p71 = pr(71, MON);
    p71.requested = vec![BOB];
    let mut p72 = pr(72, MON);
    p72.requested = Vec::new();
    p72.reviews.push(review(BOB, "APPROVED", MON + DAY));
    data.pull_requests = vec![p71, p72];
    let settings = Settings::default();
    let mut lookups = Lookups::new(input(&data, &extra), &settings, as_of);
    let repo: std::collections::HashSet<i64> = [10].into();
    // Nothing changed: nobody is named.
    let same = lookups.update_repos(input(&data, &extra), &repo);
    assert!(same.is_empty(), "{same:?}");
    // Cara reviews PR 71 (her first review in the window); Bob's request stays pending.
    data.pull_requests[0]
        .reviews
        .push(review(CARA, "COMMENTED", MON + 2 * DAY));
    let changed = lookups.update_repos(input(&data, &extra), &repo);
    assert_eq!(changed, [CARA].into());
    // PR 71 is merged: Bob's pending request goes; a self-review never counts.
    data.pull_requests[0].merged_at = Some(MON + 3 * DAY);
    data.pull_requests[1]
        .reviews
        .push(review(ALICE, "COMMENTED", MON + 2 * DAY));
    let changed = lookups.update_repos(input(&data, &extra), &repo);
    assert_eq!(changed, [BOB].into());
    // The kept lookups still evaluate as fresh ones do.
    assert_eq!(
        evaluate_with(
            input(&data, &extra),
            Some(&lookups),
            &settings,
            as_of,
            &Scope::all(),
        ),
        run(&data, &extra, as_of)
    );
}

#[test]
fn kept_lookups_follow_a_ticket_that_moves_team_or_changes_its_key() {
    let (mut data, mut extra) = world();
    // API-31 is blocked by API-32 (open): a blocked signal, found through the key lookup.
    let mut t = ticket(31, "API-31", "In Progress", StatusCategory::Active, MON);
    t.blocked_by = vec!["API-32".into()];
    data.tickets.push(t);
    data.tickets.push(ticket(
        32,
        "API-32",
        "In Progress",
        StatusCategory::Active,
        MON,
    ));
    extra.tickets.insert(
        31,
        TicketExtra {
            blocked_link_at: [("API-32".to_string(), MON + HOUR)].into(),
            ..Default::default()
        },
    );
    let as_of = MON + 4 * DAY;
    let settings = Settings::default();
    // A fresh evaluation of each team, for comparison.
    let fresh = |data: &Dataset| -> Vec<Signal> {
        ["core", "edge"]
            .iter()
            .flat_map(|t| {
                evaluate(
                    input(data, &extra),
                    &settings,
                    as_of,
                    &Scope::teams([Some(t.to_string())]),
                )
            })
            .collect()
    };
    let mut lookups = Lookups::new(input(&data, &extra), &settings, as_of);
    let kept = |data: &Dataset, lookups: &Lookups| -> Vec<Signal> {
        ["core", "edge"]
            .iter()
            .flat_map(|t| {
                evaluate_with(
                    input(data, &extra),
                    Some(lookups),
                    &settings,
                    as_of,
                    &Scope::teams([Some(t.to_string())]),
                )
            })
            .collect()
    };
    let blocked = |s: &[Signal]| {
        of(s, Kind::TicketBlocked)
            .iter()
            .map(|s| (s.subject.reference.clone(), s.team.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        blocked(&kept(&data, &lookups)),
        [("API-31".to_string(), Some("core".to_string()))]
    );
    // API-31 moves to the edge team: it is evaluated with edge, not core.
    data.tickets[0].team = Some("edge".into());
    lookups.update_tickets(input(&data, &extra), &[31]);
    assert_eq!(kept(&data, &lookups), fresh(&data));
    assert_eq!(
        blocked(&kept(&data, &lookups)),
        [("API-31".to_string(), Some("edge".to_string()))]
    );
    // The blocker is renamed API-33 and done, and a new ticket takes the key API-32 (open): the
    // link names the new one, so API-31 is still blocked.
    data.tickets[1] = ticket(32, "API-33", "Done", StatusCategory::Done, MON + 2 * HOUR);
    data.tickets.push(ticket(
        34,
        "API-32",
        "In Progress",
        StatusCategory::Active,
        MON,
    ));
    lookups.update_tickets(input(&data, &extra), &[32, 34]);
    assert_eq!(kept(&data, &lookups), fresh(&data));
    assert_eq!(blocked(&kept(&data, &lookups)).len(), 1);
    // And when that one is done, it is not.
    data.tickets[2] = ticket(34, "API-32", "Done", StatusCategory::Done, MON + 3 * HOUR);
    lookups.update_tickets(input(&data, &extra), &[34]);
    assert_eq!(kept(&data, &lookups), fresh(&data));
    assert!(blocked(&kept(&data, &lookups)).is_empty());
}
