//! The signal engine on hand-built data: each kind just below and just past its threshold, the
//! lifecycle across evaluations, and the alert plan (budget, quiet hours, persistence).

use bosun_core::model::{StatusCategory, WorkType};
use bosun_core::time::{DAY, HOUR, Ts};
use bosun_metrics::data::*;
use bosun_signals::alerts::{AlertKind, AlertSettings, Candidate, Outcome, plan};
use bosun_signals::input::*;
use bosun_signals::lifecycle::{Event, Status, Stored, reconcile};
use bosun_signals::{
    Extra, Input, Kind, Lookups, Scope, Settings, Severity, Signal, evaluate, evaluate_with,
};

mod kinds;

/// Monday 2026-11-16 00:00 UTC.
const MON: Ts = 1_794_787_200;
const ALICE: i64 = 1;
const BOB: i64 = 2;
const CARA: i64 = 3;

fn world() -> (Dataset, Extra) {
    let data = Dataset {
        repos: vec![Repo {
            id: 10,
            full_name: "acme/api".into(),
            team: Some("core".into()),
            service: Some("api".into()),
        }],
        people: [
            (ALICE, "Alice Adams"),
            (BOB, "Bob Brown"),
            (CARA, "Cara Chen"),
        ]
        .iter()
        .map(|(id, n)| Person {
            id: *id,
            name: n.to_string(),
            team: Some("core".into()),
            is_bot: false,
        })
        .collect(),
        ..Default::default()
    };
    let mut extra = Extra::default();
    for (id, n, login) in [
        (ALICE, "Alice Adams", "alice"),
        (BOB, "Bob Brown", "bob"),
        (CARA, "Cara Chen", "cara"),
    ] {
        extra.people.insert(
            id,
            PersonExtra {
                name: n.into(),
                utc_offset_minutes: Some(0),
                slack_id: Some(format!("U{id}")),
                github_login: Some(login.into()),
                team: Some("core".into()),
                ..Default::default()
            },
        );
    }
    extra.teams.push(TeamExtra {
        key: "core".into(),
        name: "Core".into(),
        manager: Some(CARA),
        members: vec![ALICE, BOB],
        channels: vec!["core".into()],
    });
    (data, extra)
}

fn pr(id: i64, created: Ts) -> PullRequest {
    PullRequest {
        id,
        repo: 10,
        number: id,
        title: format!("Change {id} (API-{id})"),
        body: String::new(),
        author: Some(ALICE),
        author_is_bot: false,
        created_at: created,
        ready_at: None,
        draft: false,
        merged_at: None,
        closed_at: None,
        merge_commit_sha: None,
        head_sha: Some(format!("sha{id}")),
        additions: 10,
        deletions: 5,
        labels: Vec::new(),
        commits: Vec::new(),
        reviews: Vec::new(),
        requested: vec![BOB],
    }
}

fn review(who: i64, state: &str, at: Ts) -> Review {
    Review {
        reviewer: Some(who),
        reviewer_is_bot: false,
        state: state.into(),
        at,
    }
}

fn run(data: &Dataset, extra: &Extra, as_of: Ts) -> Vec<Signal> {
    run_with(data, extra, as_of, &Settings::default())
}

fn run_with(data: &Dataset, extra: &Extra, as_of: Ts, settings: &Settings) -> Vec<Signal> {
    evaluate(input(data, extra), settings, as_of, &Scope::all())
}

fn input<'a>(data: &'a Dataset, extra: &'a Extra) -> Input<'a> {
    Input { data, extra }
}

fn of(signals: &[Signal], kind: Kind) -> Vec<&Signal> {
    signals.iter().filter(|s| s.kind == kind).collect()
}

/// Every signal is explained and evidenced.
fn explained(signals: &[Signal]) {
    for s in signals {
        assert!(!s.why.is_empty() && s.why.ends_with('.'), "{s:?}");
        assert!(!s.evidence.is_empty(), "{s:?}");
        assert!(s.dedupe_key.starts_with(s.kind.as_str()), "{s:?}");
    }
}

#[test]
fn review_waiting_counts_working_hours_against_the_sla() {
    let (mut data, extra) = world();
    // Ready on Friday 09:00: Friday 15 h + Monday 9 h = 24 working hours by Monday 09:00.
    let fri_9 = MON - 3 * DAY + 9 * HOUR;
    data.pull_requests.push(pr(1, fri_9));
    let at_sla = MON + 9 * HOUR;
    assert!(of(&run(&data, &extra, at_sla), Kind::ReviewWaiting).is_empty());
    let past = run(&data, &extra, at_sla + 60);
    let s = of(&past, Kind::ReviewWaiting);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].severity, Severity::Medium);
    assert!(s[0].why.contains("24 working hours"), "{}", s[0].why);
    assert!(
        s[0].why.contains("review requested from Bob Brown"),
        "{}",
        s[0].why
    );
    let sug = s[0].suggestion.as_ref().unwrap();
    assert_eq!(sug.target.people, vec![BOB]);
    explained(&past);
    // Past 72 working hours: high. A review clears it.
    let later = run(&data, &extra, MON + 2 * DAY + 10 * HOUR);
    assert_eq!(of(&later, Kind::ReviewWaiting)[0].severity, Severity::High);
    data.pull_requests[0]
        .reviews
        .push(review(BOB, "COMMENTED", MON + 8 * HOUR));
    assert!(of(&run(&data, &extra, at_sla + 60), Kind::ReviewWaiting).is_empty());
}

#[test]
fn approved_but_unmerged() {
    let (mut data, extra) = world();
    let mut p = pr(2, MON);
    p.reviews.push(review(BOB, "APPROVED", MON + HOUR));
    data.pull_requests.push(p);
    let limit = MON + HOUR + 24 * HOUR;
    assert!(of(&run(&data, &extra, limit), Kind::ApprovedUnmerged).is_empty());
    let s = run(&data, &extra, limit + 1);
    let a = of(&s, Kind::ApprovedUnmerged);
    assert_eq!(a.len(), 1);
    assert!(a[0].why.contains("approved by Bob Brown"), "{}", a[0].why);
    // Changes requested after the approval: not "approved".
    data.pull_requests[0]
        .reviews
        .push(review(CARA, "CHANGES_REQUESTED", MON + 2 * HOUR));
    assert!(of(&run(&data, &extra, limit + 1), Kind::ApprovedUnmerged).is_empty());
}

fn check(sha: &str, name: &str, conclusion: &str, at: Ts) -> CheckRun {
    CheckRun {
        sha: sha.into(),
        name: name.into(),
        conclusion: Some(conclusion.into()),
        started_at: Some(at - 60),
        completed_at: Some(at),
        html_url: None,
    }
}

#[test]
fn failing_checks_for_more_than_four_hours() {
    let (mut data, mut extra) = world();
    let mut p = pr(3, MON);
    p.reviews.push(review(BOB, "COMMENTED", MON + 60));
    data.pull_requests.push(p);
    extra.checks.insert(
        10,
        vec![
            check("sha3", "build", "success", MON + 100),
            check("sha3", "test", "failure", MON + HOUR),
            check("sha3", "test", "failure", MON + 2 * HOUR),
        ],
    );
    let limit = MON + HOUR + 4 * HOUR;
    assert!(of(&run(&data, &extra, limit), Kind::FailingChecks).is_empty());
    let s = run(&data, &extra, limit + 1);
    let f = of(&s, Kind::FailingChecks);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Medium);
    assert!(f[0].why.contains("(test)"), "{}", f[0].why);
    // `test` ran twice on the same commit: the second run was a re-run, and it failed too.
    assert!(
        f[0].why
            .contains("; re-run and still failing: test (1 re-run)."),
        "{}",
        f[0].why
    );
    assert_eq!(
        f[0].evidence[1].title, "failure, still failing after 1 re-run",
        "{:?}",
        f[0].evidence
    );
    // A re-run that passed: no longer failing.
    extra
        .checks
        .get_mut(&10)
        .unwrap()
        .push(check("sha3", "test", "success", MON + 3 * HOUR));
    assert!(of(&run(&data, &extra, limit + 1), Kind::FailingChecks).is_empty());
}

#[test]
fn oversized_prs_over_the_line_limit() {
    let (mut data, extra) = world();
    let mut p = pr(4, MON);
    p.additions = 500;
    p.deletions = 100; // 600: at the limit
    data.pull_requests.push(p);
    assert!(of(&run(&data, &extra, MON + HOUR), Kind::OversizedPr).is_empty());
    data.pull_requests[0].deletions = 101;
    let s = run(&data, &extra, MON + HOUR);
    let o = of(&s, Kind::OversizedPr);
    assert_eq!(o.len(), 1);
    assert_eq!(o[0].severity, Severity::Low);
    assert!(o[0].why.contains("601 lines"), "{}", o[0].why);
}

#[test]
fn stale_prs_after_seven_quiet_days() {
    let (mut data, mut extra) = world();
    data.pull_requests.push(pr(5, MON));
    extra.prs.insert(
        5,
        PrExtra {
            last_activity: Some(MON + DAY),
            ..Default::default()
        },
    );
    let limit = MON + DAY + 7 * DAY;
    assert!(of(&run(&data, &extra, limit), Kind::StalePr).is_empty());
    let s = run(&data, &extra, limit + 1);
    assert_eq!(of(&s, Kind::StalePr).len(), 1);
    // Bot PRs are not stale by default.
    data.pull_requests[0].author_is_bot = true;
    assert!(of(&run(&data, &extra, limit + 1), Kind::StalePr).is_empty());
}

fn ticket(id: i64, key: &str, status: &str, cat: StatusCategory, since: Ts) -> Ticket {
    Ticket {
        id,
        key: key.into(),
        summary: format!("Work {key}"),
        team: Some("core".into()),
        work_type: WorkType::Feature,
        status: status.into(),
        status_category: cat,
        created_at: since - DAY,
        resolved_at: None,
        story_points: Some(3.0),
        assignee: Some(ALICE),
        flagged: false,
        blocked_by: Vec::new(),
        periods: vec![
            StatusPeriod {
                category: StatusCategory::Todo,
                status: "To Do".into(),
                entered_at: since - DAY,
                left_at: Some(since),
            },
            StatusPeriod {
                category: cat,
                status: status.into(),
                entered_at: since,
                left_at: None,
            },
        ],
        sprints: Vec::new(),
    }
}

#[test]
fn tickets_blocked_by_a_flag_or_an_open_link_for_over_a_day() {
    let (mut data, mut extra) = world();
    let mut t = ticket(20, "API-20", "In Progress", StatusCategory::Active, MON);
    t.flagged = true;
    data.tickets.push(t);
    extra.tickets.insert(
        20,
        TicketExtra {
            flagged_at: Some(MON + 2 * HOUR),
            last_change_at: Some(MON + 2 * HOUR),
            ..Default::default()
        },
    );
    let limit = MON + 2 * HOUR + DAY;
    assert!(of(&run(&data, &extra, limit), Kind::TicketBlocked).is_empty());
    let s = run(&data, &extra, limit + 1);
    let b = of(&s, Kind::TicketBlocked);
    assert_eq!(b.len(), 1);
    assert!(b[0].why.contains("flagged"), "{}", b[0].why);
    assert_eq!(b[0].since, Some(MON + 2 * HOUR));

    // An "is blocked by" link to an open ticket blocks; to a finished one it does not.
    let (mut data, mut extra) = world();
    let mut t = ticket(21, "API-21", "In Progress", StatusCategory::Active, MON);
    t.blocked_by = vec!["API-22".into()];
    data.tickets.push(t);
    data.tickets.push(ticket(
        22,
        "API-22",
        "In Progress",
        StatusCategory::Active,
        MON,
    ));
    extra.tickets.insert(
        21,
        TicketExtra {
            blocked_link_at: [("API-22".to_string(), MON + HOUR)].into(),
            ..Default::default()
        },
    );
    let s = run(&data, &extra, MON + 4 * DAY);
    let b = of(&s, Kind::TicketBlocked);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].subject.reference, "API-21");
    assert_eq!(b[0].severity, Severity::High, "over three days");
    data.tickets[1] = ticket(22, "API-22", "Done", StatusCategory::Done, MON + 2 * HOUR);
    assert!(of(&run(&data, &extra, MON + 4 * DAY), Kind::TicketBlocked).is_empty());
}

#[test]
fn open_incidents_and_deployment_failure_streaks() {
    let (mut data, mut extra) = world();
    data.incidents.push(Incident {
        id: 30,
        external_id: "PINC1".into(),
        service: Some("api".into()),
        created_at: MON + HOUR,
        resolved_at: None,
        deployment: None,
        notes: Vec::new(),
        urgency: Some("high".into()),
        title: "API 5xx".into(),
    });
    extra.incidents.insert(
        30,
        IncidentExtra {
            number: Some(7),
            status: "triggered".into(),
            team: Some("core".into()),
            ..Default::default()
        },
    );
    for (i, state) in [(40, "success"), (41, "failure"), (42, "failure")] {
        data.deployments.push(Deployment {
            id: i,
            external_id: format!("d{i}"),
            repo: 10,
            environment: "production".into(),
            production: true,
            sha: format!("abcdef{i}"),
            created_at: MON + (i - 40) * HOUR,
            succeeded_at: (state == "success").then_some(MON + (i - 40) * HOUR),
            failed_at: None,
            kind: bosun_core::model::DeploymentKind::GithubDeployment,
            description: String::new(),
            payload: String::new(),
        });
        extra.deployments.insert(
            i,
            DeploymentExtra {
                state: state.into(),
                at: MON + (i - 40) * HOUR + 60,
                url: None,
            },
        );
    }
    // One failure is not a streak (the default is two in a row).
    let one = run(&data, &extra, MON + HOUR + 90);
    assert!(of(&one, Kind::DeployFailureStreak).is_empty());
    let s = run(&data, &extra, MON + 3 * HOUR);
    let streak = of(&s, Kind::DeployFailureStreak);
    assert_eq!(streak.len(), 1);
    assert_eq!(streak[0].severity, Severity::Medium);
    let inc = of(&s, Kind::IncidentOpen);
    assert_eq!(inc.len(), 1);
    assert_eq!(inc[0].severity, Severity::High);
    // The deployments of the day before are the suspects.
    assert!(
        inc[0].evidence.iter().any(|e| e.reference == "d40"),
        "{:?}",
        inc[0].evidence
    );
    explained(&s);
    // Resolved: gone.
    data.incidents[0].resolved_at = Some(MON + 2 * HOUR);
    extra.incidents.get_mut(&30).unwrap().status = "resolved".into();
    assert!(of(&run(&data, &extra, MON + 3 * HOUR), Kind::IncidentOpen).is_empty());
}

#[test]
fn the_same_incident_three_times_in_thirty_days_on_a_service_is_a_risk() {
    let (mut data, mut extra) = world();
    // "Disk usage above 85%/90%/95%" on api, 10 days apart; another kind once; another service.
    fn add(data: &mut Dataset, extra: &mut Extra, id: i64, service: &str, title: &str, at: Ts) {
        data.incidents.push(Incident {
            id,
            external_id: format!("P{id}"),
            service: Some(service.into()),
            created_at: at,
            resolved_at: Some(at + HOUR),
            deployment: None,
            notes: Vec::new(),
            urgency: Some("low".into()),
            title: title.into(),
        });
        extra.incidents.insert(
            id,
            IncidentExtra {
                status: "resolved".into(),
                team: Some("core".into()),
                ..Default::default()
            },
        );
    }
    add(
        &mut data,
        &mut extra,
        50,
        "api",
        "Disk usage above 85%",
        MON - 20 * DAY,
    );
    add(
        &mut data,
        &mut extra,
        51,
        "api",
        "Disk usage above 90%",
        MON - 10 * DAY,
    );
    add(
        &mut data,
        &mut extra,
        52,
        "api",
        "Latency high",
        MON - 5 * DAY,
    );
    add(
        &mut data,
        &mut extra,
        53,
        "web",
        "Disk usage above 85%",
        MON - 4 * DAY,
    );
    // Two of a kind: not yet.
    assert!(of(&run(&data, &extra, MON), Kind::RepeatIncidents).is_empty());
    add(
        &mut data,
        &mut extra,
        54,
        "api",
        "Disk usage above 95%",
        MON - DAY,
    );
    let s = run(&data, &extra, MON);
    let r = of(&s, Kind::RepeatIncidents);
    assert_eq!(r.len(), 1, "{r:#?}");
    assert_eq!(r[0].severity, Severity::Medium);
    assert_eq!(r[0].team.as_deref(), Some("core"));
    let refs: Vec<&str> = r[0].evidence.iter().map(|e| e.reference.as_str()).collect();
    assert_eq!(
        refs,
        ["P54", "P51", "P50"],
        "newest first, only the one kind"
    );
    explained(&s);
    // A month on, the first has left the 30 days: gone.
    assert!(of(&run(&data, &extra, MON + 11 * DAY), Kind::RepeatIncidents).is_empty());
}

#[test]
fn a_scoped_evaluation_only_looks_at_its_teams_and_the_global_part() {
    let (mut data, extra) = world();
    let mut p = pr(6, MON);
    p.additions = 2000;
    data.pull_requests.push(p);
    let all = run(&data, &extra, MON + HOUR);
    assert_eq!(of(&all, Kind::OversizedPr).len(), 1);
    let other = evaluate(
        Input {
            data: &data,
            extra: &extra,
        },
        &Settings::default(),
        MON + HOUR,
        &Scope::teams([Some("other".to_string())]),
    );
    assert!(of(&other, Kind::OversizedPr).is_empty());
}

fn stored(id: i64, s: &Signal, status: Status, first: Ts) -> Stored {
    Stored {
        id,
        dedupe_key: s.dedupe_key.clone(),
        kind: s.kind,
        severity: s.severity,
        status,
        team: s.team.clone(),
        first_seen_at: first,
        snoozed_until: None,
        escalated_at: None,
    }
}

#[test]
fn the_lifecycle_deduplicates_escalates_resolves_and_reopens() {
    let (mut data, extra) = world();
    let fri_9 = MON - 3 * DAY + 9 * HOUR;
    data.pull_requests.push(pr(1, fri_9));
    let t1 = MON + 10 * HOUR;
    let fresh = of(&run(&data, &extra, t1), Kind::ReviewWaiting)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    // New.
    let tr = reconcile(&[], &fresh, t1, |_| true);
    assert_eq!(tr.len(), 1);
    assert_eq!((tr[0].event, tr[0].status), (Event::New, Status::Open));
    // Seen again (acknowledged stays acknowledged, first seen kept).
    let st = vec![stored(9, &fresh[0], Status::Acknowledged, t1)];
    let tr = reconcile(&st, &fresh, t1 + HOUR, |_| true);
    assert_eq!(
        (tr[0].event, tr[0].status),
        (Event::Seen, Status::Acknowledged)
    );
    assert_eq!(tr[0].first_seen_at, t1);
    // Worse: escalated, open again.
    let t2 = MON + 3 * DAY;
    let worse = of(&run(&data, &extra, t2), Kind::ReviewWaiting)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(worse[0].severity, Severity::High);
    let tr = reconcile(&st, &worse, t2, |_| true);
    assert_eq!(
        (tr[0].event, tr[0].status),
        (Event::Escalated, Status::Open)
    );
    assert_eq!(tr[0].escalated_at, Some(t2));
    // Snoozed: stays snoozed until the snooze ends.
    let mut snoozed = stored(9, &fresh[0], Status::Snoozed, t1);
    snoozed.snoozed_until = Some(t1 + 5 * HOUR);
    let tr = reconcile(std::slice::from_ref(&snoozed), &fresh, t1 + HOUR, |_| true);
    assert_eq!(tr[0].status, Status::Snoozed);
    let tr = reconcile(&[snoozed], &fresh, t1 + 6 * HOUR, |_| true);
    assert_eq!(
        (tr[0].event, tr[0].status),
        (Event::SnoozeEnded, Status::Open)
    );
    // The condition clears: resolved — unless the evaluation did not cover it.
    let tr = reconcile(&st, &[], t2, |_| true);
    assert_eq!(
        (tr[0].event, tr[0].status),
        (Event::Resolved, Status::Resolved)
    );
    assert!(reconcile(&st, &[], t2, |_| false).is_empty());
    // Back again after resolution: a new episode.
    let resolved = vec![stored(9, &fresh[0], Status::Resolved, t1)];
    let tr = reconcile(&resolved, &fresh, t2, |_| true);
    assert_eq!((tr[0].event, tr[0].first_seen_at), (Event::Reopened, t2));
}

fn candidate(id: i64, severity: Severity, kind: AlertKind, since: Ts) -> Candidate {
    Candidate {
        signal_id: id,
        kind,
        severity,
        since,
        title: format!("signal {id}"),
        why: "because.".into(),
        already: false,
        held_alert: None,
        urgent_incident: false,
        team: None,
    }
}

#[test]
fn a_new_high_urgency_incident_on_my_team_pages_at_once_outside_budget_and_quiet_hours() {
    let s = AlertSettings {
        daily_budget: 1,
        incident_teams: vec!["harbor".into()],
        ..Default::default()
    };
    let night = MON + 23 * HOUR; // in the default quiet hours (19:00-08:00)
    let noon = MON + 12 * HOUR;
    let page = |id: i64, team: &str, kind: AlertKind| Candidate {
        urgent_incident: true,
        team: Some(team.into()),
        ..candidate(id, Severity::High, kind, night - 60)
    };
    // At night with the budget spent: my team's page is delivered; another team's is held, as
    // is an ordinary high signal; an escalation of a page is an ordinary escalation.
    let d = plan(
        vec![
            page(1, "harbor", AlertKind::New),
            page(2, "compass", AlertKind::New),
            candidate(3, Severity::High, AlertKind::New, night - 60),
        ],
        5,
        &s,
        night,
    );
    let outcome = |d: &[bosun_signals::alerts::Decision], id: i64| {
        d.iter()
            .find(|x| x.candidate.signal_id == id)
            .map(|x| x.outcome.clone())
    };
    assert_eq!(outcome(&d, 1), Some(Outcome::Page));
    assert!(d[0].reason.contains("at once"), "{}", d[0].reason);
    assert_eq!(outcome(&d, 2), Some(Outcome::HeldQuietHours));
    assert_eq!(outcome(&d, 3), Some(Outcome::HeldQuietHours));
    // By day, the page does not spend the budget: the ordinary signal still gets the one alert.
    let d = plan(
        vec![
            page(1, "harbor", AlertKind::New),
            candidate(3, Severity::High, AlertKind::New, noon),
        ],
        0,
        &s,
        noon,
    );
    assert_eq!(outcome(&d, 1), Some(Outcome::Page));
    assert_eq!(outcome(&d, 3), Some(Outcome::Deliver));
    // Never twice for one episode.
    let mut again = page(1, "harbor", AlertKind::New);
    again.already = true;
    assert!(plan(vec![again], 0, &s, night).is_empty());
    // No teams named: every team's page pages.
    let every = AlertSettings {
        incident_teams: vec![],
        ..s.clone()
    };
    assert_eq!(
        outcome(
            &plan(vec![page(2, "compass", AlertKind::New)], 5, &every, night),
            2
        ),
        Some(Outcome::Page)
    );
}

#[test]
fn alerts_obey_the_daily_budget_most_severe_first() {
    let s = AlertSettings {
        daily_budget: 2,
        ..Default::default()
    };
    let noon = MON + 12 * HOUR;
    let c = vec![
        candidate(1, Severity::Medium, AlertKind::New, noon),
        candidate(2, Severity::High, AlertKind::New, noon),
        candidate(3, Severity::Low, AlertKind::New, noon),
        candidate(4, Severity::Medium, AlertKind::New, noon - 60),
    ];
    let d = plan(c.clone(), 0, &s, noon);
    // Low is below the minimum severity; of the rest, two are delivered: high, then the older medium.
    let outcome = |id: i64| {
        d.iter()
            .find(|x| x.candidate.signal_id == id)
            .map(|x| x.outcome.clone())
    };
    assert_eq!(outcome(2), Some(Outcome::Deliver));
    assert_eq!(outcome(4), Some(Outcome::Deliver));
    assert_eq!(outcome(1), Some(Outcome::OverBudget));
    assert_eq!(outcome(3), None);
    assert!(
        d.iter()
            .find(|x| x.candidate.signal_id == 1)
            .unwrap()
            .reason
            .contains("daily budget of 2")
    );
    // One already delivered today: only one more.
    let d = plan(c.clone(), 1, &s, noon);
    assert_eq!(
        d.iter().filter(|x| x.outcome == Outcome::Deliver).count(),
        1
    );
    // Never twice for the same episode.
    let mut done = c;
    for x in &mut done {
        x.already = true;
    }
    assert!(plan(done, 0, &s, noon).is_empty());
}

#[test]
fn alerts_wait_for_the_end_of_quiet_hours_and_escalations_must_persist() {
    let s = AlertSettings::default(); // quiet 19:00–08:00 UTC
    let night = MON + 23 * HOUR;
    let d = plan(
        vec![candidate(1, Severity::High, AlertKind::New, night)],
        0,
        &s,
        night,
    );
    assert_eq!(d[0].outcome, Outcome::HeldQuietHours);
    // The held alert is released in the morning.
    let mut held = candidate(1, Severity::High, AlertKind::New, night);
    held.already = true;
    held.held_alert = Some(77);
    let morning = MON + DAY + 8 * HOUR;
    let d = plan(vec![held.clone()], 0, &s, morning);
    assert_eq!(d[0].outcome, Outcome::Deliver);
    // Still quiet: stays held, nothing new recorded.
    assert!(plan(vec![held], 0, &s, MON + DAY + 7 * HOUR).is_empty());
    // An escalation alerts only after it persisted 4 hours.
    let esc = candidate(2, Severity::High, AlertKind::Escalated, MON + 9 * HOUR);
    assert!(plan(vec![esc.clone()], 0, &s, MON + 13 * HOUR - 1).is_empty());
    let d = plan(vec![esc], 0, &s, MON + 13 * HOUR);
    assert_eq!(d[0].outcome, Outcome::Deliver);
    assert!(
        d[0].reason.contains("still so after 4 h"),
        "{}",
        d[0].reason
    );
}

#[test]
fn flaky_checks_flip_on_the_same_commit_across_prs() {
    let (mut data, mut extra) = world();
    for id in [7, 8] {
        let mut p = pr(id, MON);
        p.merged_at = Some(MON + DAY);
        data.pull_requests.push(p);
    }
    // Two fail→pass flips on PR 7's head, one on PR 8's: three flips across two PRs.
    let mut runs = Vec::new();
    for (sha, t) in [
        ("sha7", MON + HOUR),
        ("sha7", MON + 3 * HOUR),
        ("sha8", MON + 5 * HOUR),
    ] {
        runs.push(check(sha, "e2e", "failure", t));
        runs.push(check(sha, "e2e", "success", t + 600));
    }
    extra.checks.insert(10, runs.clone());
    let s = run(&data, &extra, MON + 2 * DAY);
    let f = of(&s, Kind::FlakyCheck);
    assert_eq!(f.len(), 1, "{s:#?}");
    assert!(f[0].why.contains("e2e"), "{}", f[0].why);
    // Two flips are below the default of three.
    extra.checks.insert(10, runs[..4].to_vec());
    assert!(of(&run(&data, &extra, MON + 2 * DAY), Kind::FlakyCheck).is_empty());
    // Three flips on one PR only: not clustered across PRs.
    let mut one_pr = runs[..4].to_vec();
    one_pr.push(check("sha7", "e2e", "failure", MON + 6 * HOUR));
    one_pr.push(check("sha7", "e2e", "success", MON + 6 * HOUR + 600));
    extra.checks.insert(10, one_pr);
    assert!(of(&run(&data, &extra, MON + 2 * DAY), Kind::FlakyCheck).is_empty());
    // Out of the 14-day window: gone.
    extra.checks.insert(10, runs);
    assert!(of(&run(&data, &extra, MON + 20 * DAY), Kind::FlakyCheck).is_empty());
}

#[test]
fn incident_followups_past_their_due_date() {
    let (mut data, mut extra) = world();
    data.tickets
        .push(ticket(50, "API-50", "To Do", StatusCategory::Todo, MON));
    extra.tickets.insert(
        50,
        TicketExtra {
            labels: vec!["postmortem".into()],
            due_at: Some(MON + 5 * DAY),
            ..Default::default()
        },
    );
    assert!(
        of(
            &run(&data, &extra, MON + 5 * DAY),
            Kind::IncidentFollowupsOverdue
        )
        .is_empty()
    );
    let s = run(&data, &extra, MON + 5 * DAY + 1);
    let f = of(&s, Kind::IncidentFollowupsOverdue);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Medium);
    let late = run(&data, &extra, MON + 20 * DAY);
    assert_eq!(
        of(&late, Kind::IncidentFollowupsOverdue)[0].severity,
        Severity::High
    );
    // Without a due date: 14 days after creation (created a day before MON).
    extra.tickets.get_mut(&50).unwrap().due_at = None;
    assert!(
        of(
            &run(&data, &extra, MON + 13 * DAY),
            Kind::IncidentFollowupsOverdue
        )
        .is_empty()
    );
    assert_eq!(
        of(
            &run(&data, &extra, MON + 13 * DAY + 1),
            Kind::IncidentFollowupsOverdue
        )
        .len(),
        1
    );
    // Not a follow-up label: nothing.
    extra.tickets.get_mut(&50).unwrap().labels = vec!["frontend".into()];
    assert!(
        of(
            &run(&data, &extra, MON + 20 * DAY),
            Kind::IncidentFollowupsOverdue
        )
        .is_empty()
    );
}

#[test]
fn failed_deploy_workflow_runs_make_a_streak_that_cancelled_runs_do_not_break() {
    let (mut data, mut extra) = world();
    // Runs of the deploy workflow: success, timed out, cancelled, failure (oldest first).
    for (i, state) in [
        (50, "success"),
        (51, "timed_out"),
        (52, "cancelled"),
        (53, "failure"),
    ] {
        let at = MON + (i - 50) * HOUR;
        data.deployments.push(Deployment {
            id: i,
            external_id: format!("run{i}"),
            repo: 10,
            environment: "production".into(),
            production: true,
            sha: format!("abcdef{i}"),
            created_at: at,
            succeeded_at: (state == "success").then_some(at + 60),
            failed_at: matches!(state, "failure" | "timed_out").then_some(at + 60),
            kind: bosun_core::model::DeploymentKind::WorkflowRun,
            description: String::new(),
            payload: String::new(),
        });
        extra.deployments.insert(
            i,
            DeploymentExtra {
                state: state.into(),
                at: at + 60,
                url: None,
            },
        );
    }
    let s = run(&data, &extra, MON + 4 * HOUR);
    let streak = of(&s, Kind::DeployFailureStreak);
    assert_eq!(streak.len(), 1, "{s:#?}");
    let refs: Vec<&str> = streak[0]
        .evidence
        .iter()
        .filter(|e| e.kind == "deployment")
        .map(|e| e.reference.as_str())
        .collect();
    assert_eq!(refs, ["run53", "run51"]);
}
