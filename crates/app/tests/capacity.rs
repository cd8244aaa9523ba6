//! Capacity on the synced demo at 2026-11-20 (issue 20.3), against what the demo plants: the next
//! sprint (23 Nov – 7 Dec, projected: the tracker has no future sprint), a company day off (Fri
//! 4 Dec), Tomás's three days off (24–26 Nov), each person's country and time zone (Slack's
//! `tz_offset`), so Noah (US) loses Thanksgiving (26 Nov) and Priya (IN) Guru Nanak's birthday
//! (24 Nov), while Aiko (JP, UTC+9), whose Monday 23rd is over before the sprint starts at 09:30
//! UTC, does not lose Labor Thanksgiving Day. Time off given in the app and in a calendar file
//! counts too.

#[path = "support/demo.rs"]
mod support;

use bosun_metrics::capacity::{PersonCapacity, TeamCapacity};
use chrono::NaiveDate;

fn person<'a>(t: &'a TeamCapacity, name: &str) -> &'a PersonCapacity {
    t.people
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} in {}", t.team))
}

fn dates(notes: &[bosun_metrics::capacity::DayNote]) -> Vec<(&str, &str)> {
    notes
        .iter()
        .map(|n| (n.date.as_str(), n.why.as_str()))
        .collect()
}

#[test]
fn capacity_counts_the_holidays_time_off_and_on_call_planted_in_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, _) = support::synced_demo(dir.path());
    let view = app.capacity(None).unwrap();
    assert!(view.warnings.is_empty(), "{:?}", view.warnings);
    let keys: Vec<&str> = view.teams.iter().map(|t| t.team.as_str()).collect();
    assert_eq!(keys, ["compass", "harbor", "lighthouse"]);
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-23T09:30:00Z")
        .unwrap()
        .timestamp();
    for t in &view.teams {
        assert_eq!(t.window.start, start, "{}", t.team);
        assert!(t.window.projected);
        // Ten weekdays less the company day.
        assert_eq!(t.working_days, 9, "{}", t.team);
        // Harbor has a fifth engineer since two weeks (Inês, the onboarding demo's joiner).
        assert_eq!(
            t.people.len(),
            if t.team == "harbor" { 5 } else { 4 },
            "{}: the manager plans, engineers take work",
            t.team
        );
        for p in &t.people {
            assert_eq!(p.working_days, 10, "{}", p.name);
            assert_eq!(
                dates(&p.company_days),
                [("2026-12-04", "Tidewater recharge day")],
                "{}",
                p.name
            );
            // Every day is accounted for: lost days whole, on-call days in half.
            let expected = f64::from(p.working_days)
                - (p.holidays.len() + p.company_days.len() + p.time_off.len()) as f64
                - 0.5 * p.oncall.len() as f64;
            assert_eq!(p.available_days, expected, "{}", p.name);
        }
        let sum: f64 = t.people.iter().map(|p| p.available_days).sum();
        assert!((t.person_days - sum).abs() < 1e-9);
        // On call: the demo's weekly rotation puts someone first on call most working days (a day
        // the person on call has off counts as off, not as on call).
        let oncall: usize = t.people.iter().map(|p| p.oncall.len()).sum();
        assert!(oncall >= 5, "{}: {oncall} on-call days", t.team);
        // The focus factor is the history's points over its person-days.
        assert!(t.history.len() >= 3, "{}", t.team);
        let points: f64 = t.history.iter().map(|h| h.points).sum();
        let days: f64 = t.history.iter().map(|h| h.person_days).sum();
        let focus = t.focus_points_per_day.unwrap();
        assert!((focus - points / days).abs() < 1e-9);
        assert!((t.capacity_points.unwrap() - focus * t.person_days).abs() < 1e-9);
        let r = t.recommendation.as_ref().unwrap();
        assert!(
            r.points > 0.0 && r.points <= t.capacity_points.unwrap(),
            "{r:?}"
        );
        assert!((0.85..=1.0).contains(&r.probability), "{r:?}");
        assert_eq!(t.alternatives.len(), 3);
        assert!(t.alternatives[0].points >= t.alternatives[2].points);
    }
    let team = |k: &str| view.teams.iter().find(|t| t.team == k).unwrap();
    let noah = person(team("lighthouse"), "Noah Williams");
    assert_eq!(noah.country.as_deref(), Some("US"));
    assert_eq!(noah.utc_offset_minutes, -300);
    assert_eq!(dates(&noah.holidays), [("2026-11-26", "Thanksgiving Day")]);
    let priya = person(team("harbor"), "Priya Natarajan");
    assert_eq!(
        dates(&priya.holidays),
        [("2026-11-24", "Guru Nanak's Birthday")]
    );
    let aiko = person(team("harbor"), "Aiko Tanaka");
    assert_eq!(aiko.utc_offset_minutes, 540);
    assert!(aiko.holidays.is_empty(), "{:?}", aiko.holidays);
    let tomas = person(team("harbor"), "Tomás Ruiz");
    assert_eq!(
        dates(&tomas.time_off),
        [
            ("2026-11-24", "time off"),
            ("2026-11-25", "time off"),
            ("2026-11-26", "time off")
        ]
    );
    let harbor_days = team("harbor").person_days;
    // What Jonas's Monday 30th was worth before it became a day off (half when on call).
    let monday = if person(team("harbor"), "Jonas Becker")
        .oncall
        .iter()
        .any(|n| n.date == "2026-11-30")
    {
        0.5
    } else {
        1.0
    };

    // Time off recorded in the app (`bosun notes time-off`) and in a calendar file counts too.
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    app.add_time_off(
        "jonas.becker@tidewater.dev",
        d("2026-11-30"),
        d("2026-11-30"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("hannah.ics"),
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Out of office\r\nDTSTART;VALUE=DATE:20261201\r\n\
         DTEND;VALUE=DATE:20261203\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let config = app.paths.config_file.clone();
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(
        "\n[[planning.people]]\nwho = \"hannah.schmidt@tidewater.dev\"\ncountry = \"DE\"\ncalendar = \"hannah.ics\"\n\
         \n[[planning.people]]\nwho = \"nobody@example.com\"\n",
    );
    std::fs::write(&config, text).unwrap();
    app.reload_config().unwrap();
    let view = app.capacity(None).unwrap();
    let team = |k: &str| view.teams.iter().find(|t| t.team == k).unwrap();
    let jonas = person(team("harbor"), "Jonas Becker");
    assert_eq!(dates(&jonas.time_off), [("2026-11-30", "time off")]);
    assert!(jonas.oncall.iter().all(|n| n.date != "2026-11-30"));
    assert!((team("harbor").person_days - (harbor_days - monday)).abs() < 1e-9);
    let hannah = person(team("lighthouse"), "Hannah Schmidt");
    assert_eq!(
        dates(&hannah.time_off),
        [("2026-12-01", "time off"), ("2026-12-02", "time off")]
    );
    assert_eq!(view.warnings.len(), 1, "{:?}", view.warnings);
    assert!(view.warnings[0].contains("nobody@example.com"));
    // One team only, and a team without sprints is an error naming the teams' sprints.
    assert_eq!(app.capacity(Some("harbor")).unwrap().teams.len(), 1);
    assert!(app.capacity(Some("nope")).is_err());
}
