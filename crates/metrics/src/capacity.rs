//! Sprint capacity (docs/metric-definitions.md, "Capacity"): what a team can commit to in a
//! sprint, from who is there.
//!
//! - **A person's working day**: a day of the person's own calendar (their UTC offset) that is not
//!   a weekend day of their country, whose working hours (09:00–18:00 local) overlap the sprint
//!   by at least half. It is lost to a public holiday of their country ([`Holidays`]), a company
//!   day off, or their time off; a day they are first on call for during their working hours
//!   counts `1 - oncall_day_cost` (on-call load: pages, handovers, tired mornings).
//! - **Person-days**: the sum over the team of each person's available days.
//! - **Focus factor**: points (and items) the team finished per available person-day over its
//!   last closed sprints, every finished ticket of the team counted on the day it was done.
//! - **Capacity** = focus factor × the sprint's person-days.
//! - **Recommendation**: a seeded Monte Carlo run of the sprint, each working day drawing a day of
//!   the team's history (points per person-day) times that day's person-days; the commitment is
//!   the most points finished in `confidence` of the runs, with the share of runs that finish it.

use crate::holidays::{Holidays, is_weekend};
use crate::stats::quantile_of;
use bosun_core::Rng;
use bosun_core::time::{DAY, HOUR, Ts};
use chrono::{DateTime, NaiveDate};
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

/// Local working hours: a person's working day is this span of their local day.
const WORK_START: i64 = 9 * HOUR;
const WORK_END: i64 = 18 * HOUR;

/// How capacity is computed.
#[derive(Debug, Clone)]
pub struct CapacityOptions {
    /// Monte Carlo seed (same seed, same recommendation).
    pub seed: u64,
    /// Monte Carlo runs.
    pub runs: usize,
    /// Closed sprints the focus factor learns from.
    pub history_sprints: usize,
    /// Share of a working day first on-call duty takes (0 to 1).
    pub oncall_day_cost: f64,
    /// The chance of finishing the recommended commitment (0.85: "85 % chance to finish").
    pub confidence: f64,
}

impl Default for CapacityOptions {
    fn default() -> Self {
        CapacityOptions {
            seed: 42,
            runs: 10_000,
            history_sprints: 6,
            oncall_day_cost: 0.5,
            confidence: 0.85,
        }
    }
}

/// A span of time the team works in: a sprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SprintWindow {
    /// The sprint's store id (none for a sprint projected from the cadence).
    pub sprint_id: Option<i64>,
    /// Its name.
    pub name: String,
    /// When it starts.
    pub start: Ts,
    /// When it ends.
    pub end: Ts,
    /// Not in the tracker yet: the next sprint projected from the current one's length.
    pub projected: bool,
}

/// A person on the team, with what takes their days.
#[derive(Debug, Clone, Default)]
pub struct Member {
    /// Their store id.
    pub id: i64,
    /// Their name.
    pub name: String,
    /// Their working time zone, minutes east of UTC.
    pub utc_offset_minutes: i32,
    /// Their country (ISO 3166-1 alpha-2), for public holidays and weekends.
    pub country: Option<String>,
    /// Days off, first and last local date inclusive.
    pub time_off: Vec<(NaiveDate, NaiveDate)>,
    /// First-level on-call shifts, start and end.
    pub oncall: Vec<(Ts, Ts)>,
}

/// A day the whole company is off.
#[derive(Debug, Clone)]
pub struct CompanyDay {
    /// The date (everyone's local date).
    pub date: NaiveDate,
    /// Its name.
    pub name: String,
}

/// What the capacity of one team reads.
#[derive(Debug, Clone)]
pub struct TeamInput {
    /// The team's key.
    pub team: String,
    /// The sprint to plan.
    pub target: SprintWindow,
    /// The team's closed sprints, any order (the latest `history_sprints` before the target count).
    pub history: Vec<SprintWindow>,
    /// The team's people.
    pub members: Vec<Member>,
    /// Company days off.
    pub company_days: Vec<CompanyDay>,
    /// The team's finished tickets: when each was done and its points.
    pub done: Vec<(Ts, Option<f64>)>,
}

/// A dated reason a day is lost.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DayNote {
    /// The local date, `YYYY-MM-DD`.
    pub date: String,
    /// Why (the holiday's name, "time off", "first on call").
    pub why: String,
}

/// One person's days in the sprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonCapacity {
    /// Their store id.
    pub person_id: i64,
    /// Their name.
    pub name: String,
    /// Their country, if known.
    pub country: Option<String>,
    /// Their UTC offset, minutes.
    pub utc_offset_minutes: i32,
    /// Working days of their calendar inside the sprint, before anything is taken off.
    pub working_days: u32,
    /// Public holidays of their country on those days.
    pub holidays: Vec<DayNote>,
    /// Company days off on those days.
    pub company_days: Vec<DayNote>,
    /// Their time off on those days.
    pub time_off: Vec<DayNote>,
    /// Days they are first on call during working hours.
    pub oncall: Vec<DayNote>,
    /// Working days left, on-call days counted in part.
    pub available_days: f64,
}

/// One closed sprint the focus factor learned from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistorySprint {
    /// The sprint.
    pub name: String,
    /// When it started.
    pub start: Ts,
    /// Available person-days in it (today's team, that sprint's days off).
    pub person_days: f64,
    /// Points finished in it.
    pub points: f64,
    /// Tickets finished in it.
    pub items: u32,
}

/// A commitment and its chance.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Commitment {
    /// Points to commit to.
    pub points: f64,
    /// Tickets to commit to.
    pub items: u32,
    /// Share of the simulated sprints that finish those points.
    pub probability: f64,
}

/// A team's capacity for a sprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TeamCapacity {
    /// The team's key.
    pub team: String,
    /// The sprint's name.
    pub sprint: String,
    /// The sprint.
    pub window: SprintWindow,
    /// Working days in the sprint on the company calendar (weekdays less company days off).
    pub working_days: u32,
    /// Available person-days.
    pub person_days: f64,
    /// Person-days before holidays, time off and on call.
    pub person_days_possible: u32,
    /// Points per available person-day over the history (none without history).
    pub focus_points_per_day: Option<f64>,
    /// Tickets per available person-day over the history.
    pub focus_items_per_day: Option<f64>,
    /// Focus factor × person-days, in points.
    pub capacity_points: Option<f64>,
    /// Focus factor × person-days, in tickets.
    pub capacity_items: Option<f64>,
    /// What to commit to with `confidence` chance (none without history).
    pub recommendation: Option<Commitment>,
    /// Commitments at 50 %, 85 % and 95 %.
    pub alternatives: Vec<Commitment>,
    /// Monte Carlo runs and seed.
    pub runs: usize,
    /// See `runs`.
    pub seed: u64,
    /// Each person's days.
    pub people: Vec<PersonCapacity>,
    /// The sprints learned from, latest first.
    pub history: Vec<HistorySprint>,
    /// What the numbers could not account for, in plain words.
    pub caveats: Vec<String>,
}

fn date_of(ts: Ts) -> NaiveDate {
    DateTime::from_timestamp(ts, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default()
}

fn day_start(date: NaiveDate) -> Ts {
    date.and_hms_opt(0, 0, 0)
        .map_or(0, |d| d.and_utc().timestamp())
}

/// How a person's local date relates to a window.
#[derive(Debug, Clone, PartialEq)]
enum Day {
    /// Not a working day of theirs in the window.
    Outside,
    /// A working day, lost for the reason given.
    Lost(Loss, String),
    /// A working day, this share of it available (on-call days less).
    Available(f64, bool),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Loss {
    Holiday,
    Company,
    TimeOff,
}

fn person_day(
    m: &Member,
    date: NaiveDate,
    w: &SprintWindow,
    company: &[CompanyDay],
    holidays: &Holidays,
    opts: &CapacityOptions,
) -> Day {
    let offset = i64::from(m.utc_offset_minutes) * 60;
    let work_from = day_start(date) + WORK_START - offset;
    let work_to = day_start(date) + WORK_END - offset;
    let overlap = work_to.min(w.end) - work_from.max(w.start);
    if overlap * 2 < WORK_END - WORK_START || is_weekend(m.country.as_deref(), date) {
        return Day::Outside;
    }
    if let Some(c) = company.iter().find(|c| c.date == date) {
        return Day::Lost(Loss::Company, c.name.clone());
    }
    if let Some(name) = m.country.as_deref().and_then(|c| holidays.on(c, date)) {
        return Day::Lost(Loss::Holiday, name.to_string());
    }
    if m.time_off.iter().any(|(a, b)| *a <= date && date <= *b) {
        return Day::Lost(Loss::TimeOff, "time off".to_string());
    }
    let on_call = m
        .oncall
        .iter()
        .any(|(a, b)| (*b).min(work_to) - (*a).max(work_from) >= (WORK_END - WORK_START) / 2);
    if on_call {
        Day::Available(1.0 - opts.oncall_day_cost.clamp(0.0, 1.0), true)
    } else {
        Day::Available(1.0, false)
    }
}

/// Every date a person's working day in `w` may fall on (a day either side for time zones).
fn dates(w: &SprintWindow) -> impl Iterator<Item = NaiveDate> {
    let first = date_of(w.start - DAY);
    let last = date_of(w.end + DAY);
    first.iter_days().take_while(move |d| *d <= last)
}

/// Each person's days in `w`, and the team's available person-days per date.
fn days_in(
    input: &TeamInput,
    w: &SprintWindow,
    holidays: &Holidays,
    opts: &CapacityOptions,
) -> (Vec<PersonCapacity>, Vec<(NaiveDate, f64)>) {
    let mut per_date: Vec<(NaiveDate, f64)> = Vec::new();
    let mut people = Vec::new();
    for m in &input.members {
        let mut p = PersonCapacity {
            person_id: m.id,
            name: m.name.clone(),
            country: m.country.clone(),
            utc_offset_minutes: m.utc_offset_minutes,
            working_days: 0,
            holidays: Vec::new(),
            company_days: Vec::new(),
            time_off: Vec::new(),
            oncall: Vec::new(),
            available_days: 0.0,
        };
        for date in dates(w) {
            let note = |why: String| DayNote {
                date: date.to_string(),
                why,
            };
            match person_day(m, date, w, &input.company_days, holidays, opts) {
                Day::Outside => continue,
                Day::Lost(kind, why) => {
                    p.working_days += 1;
                    match kind {
                        Loss::Holiday => p.holidays.push(note(why)),
                        Loss::Company => p.company_days.push(note(why)),
                        Loss::TimeOff => p.time_off.push(note(why)),
                    }
                }
                Day::Available(share, on_call) => {
                    p.working_days += 1;
                    p.available_days += share;
                    if on_call {
                        p.oncall.push(note("first on call".to_string()));
                    }
                    match per_date.iter_mut().find(|(d, _)| *d == date) {
                        Some((_, v)) => *v += share,
                        None => per_date.push((date, share)),
                    }
                }
            }
        }
        people.push(p);
    }
    per_date.sort_by_key(|(d, _)| *d);
    (people, per_date)
}

/// The capacity of `input.team` for `input.target`.
pub fn team_capacity(
    input: &TeamInput,
    holidays: &Holidays,
    opts: &CapacityOptions,
) -> TeamCapacity {
    let target = &input.target;
    let (people, target_days) = days_in(input, target, holidays, opts);
    let person_days: f64 = people.iter().map(|p| p.available_days).sum();
    let company = Member {
        country: None,
        ..Member::default()
    };
    let working_days = dates(target)
        .filter(|d| {
            matches!(
                person_day(&company, *d, target, &[], holidays, opts),
                Day::Available(..)
            ) && !input.company_days.iter().any(|c| c.date == *d)
        })
        .count() as u32;

    // History: the latest closed sprints before the target.
    let mut past: Vec<&SprintWindow> = input
        .history
        .iter()
        .filter(|s| s.end <= target.start)
        .collect();
    past.sort_by_key(|s| std::cmp::Reverse(s.start));
    past.truncate(opts.history_sprints);
    let mut history = Vec::new();
    // Per working date of the history: (points, items, person-days).
    let mut daily: Vec<(f64, f64, f64)> = Vec::new();
    for s in &past {
        let (_, days) = days_in(input, s, holidays, opts);
        let in_sprint: Vec<&(Ts, Option<f64>)> = input
            .done
            .iter()
            .filter(|(at, _)| *at >= s.start && *at < s.end)
            .collect();
        let mut by_date: HashMap<NaiveDate, (f64, f64)> = HashMap::default();
        for (at, pts) in &in_sprint {
            let e = by_date.entry(date_of(*at)).or_default();
            e.0 += pts.unwrap_or(0.0);
            e.1 += 1.0;
        }
        for (d, pd) in &days {
            if *pd >= 0.5 {
                let (pts, items) = by_date.get(d).copied().unwrap_or_default();
                daily.push((pts / pd, items / pd, *pd));
            }
        }
        history.push(HistorySprint {
            name: s.name.clone(),
            start: s.start,
            person_days: days.iter().map(|(_, v)| v).sum(),
            points: in_sprint.iter().filter_map(|(_, p)| *p).sum(),
            items: in_sprint.len() as u32,
        });
    }
    let history_days: f64 = history.iter().map(|h| h.person_days).sum();
    let focus = |f: fn(&HistorySprint) -> f64| -> Option<f64> {
        (history_days > 0.0).then(|| history.iter().map(f).sum::<f64>() / history_days)
    };
    let focus_points = focus(|h| h.points);
    let focus_items = focus(|h| f64::from(h.items));

    let mut caveats = Vec::new();
    let unknown: Vec<&str> = people
        .iter()
        .filter(|p| !p.country.as_deref().is_some_and(|c| holidays.knows(c)))
        .map(|p| p.name.as_str())
        .collect();
    if !unknown.is_empty() {
        caveats.push(format!(
            "No country known for {} (public holidays not counted): set it under [[planning.people]].",
            unknown.join(", ")
        ));
    }
    let (y0, y1) = (
        chrono::Datelike::year(&date_of(target.start)),
        chrono::Datelike::year(&date_of(target.end)),
    );
    if !holidays.covers(y0) || !holidays.covers(y1) {
        caveats.push(format!(
            "The holiday dataset covers {}–{} only: update it (scripts/update-holidays).",
            holidays.years().0,
            holidays.years().1
        ));
    }
    if target.projected {
        caveats.push(
            "The next sprint is not in the tracker yet: projected from the current sprint's length."
                .to_string(),
        );
    }
    if history.is_empty() {
        caveats.push("No closed sprint to learn a focus factor from.".to_string());
    }

    // The Monte Carlo run of the target sprint.
    let (recommendation, alternatives) = if daily.is_empty() || target_days.is_empty() {
        (None, Vec::new())
    } else {
        let mut rng = Rng::seed(opts.seed);
        let mut totals: Vec<(f64, f64)> = Vec::with_capacity(opts.runs);
        for _ in 0..opts.runs {
            let (mut pts, mut items) = (0.0, 0.0);
            for (_, pd) in &target_days {
                let (p, i, _) = daily[rng.range(0, daily.len() as i64 - 1) as usize];
                pts += p * pd;
                items += i * pd;
            }
            totals.push((pts, items));
        }
        let at = |confidence: f64| -> Commitment {
            let mut p: Vec<f64> = totals.iter().map(|t| t.0).collect();
            let mut i: Vec<f64> = totals.iter().map(|t| t.1).collect();
            let points = quantile_of(&mut p, 1.0 - confidence).unwrap_or(0.0).floor();
            let items = quantile_of(&mut i, 1.0 - confidence).unwrap_or(0.0).floor();
            let probability =
                totals.iter().filter(|t| t.0 >= points).count() as f64 / totals.len() as f64;
            Commitment {
                points,
                items: items as u32,
                probability,
            }
        };
        (
            Some(at(opts.confidence)),
            [0.5, 0.85, 0.95].into_iter().map(at).collect(),
        )
    };

    TeamCapacity {
        team: input.team.clone(),
        sprint: target.name.clone(),
        window: target.clone(),
        working_days,
        person_days,
        person_days_possible: people.iter().map(|p| p.working_days).sum(),
        focus_points_per_day: focus_points,
        focus_items_per_day: focus_items,
        capacity_points: focus_points.map(|f| f * person_days),
        capacity_items: focus_items.map(|f| f * person_days),
        recommendation,
        alternatives,
        runs: opts.runs,
        seed: opts.seed,
        people,
        history,
        caveats,
    }
}

/// The sprint after `current`, projected from its length (a tracker often creates the next
/// sprint only at planning).
pub fn projected_after(current: &SprintWindow) -> SprintWindow {
    let len = (current.end - current.start).max(DAY);
    // Sprints usually end the evening (or the minutes) before the next starts: round up to the
    // start of the next day's same time as the current start.
    let gap = (current.start - current.end).rem_euclid(DAY);
    let start = current.end + gap;
    SprintWindow {
        sprint_id: None,
        name: format!("Sprint after {}", current.name),
        start,
        end: start + len,
        projected: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(s: &str) -> Ts {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    fn window(name: &str, start: &str, days: i64) -> SprintWindow {
        let start = at(start);
        SprintWindow {
            sprint_id: None,
            name: name.to_string(),
            start,
            end: start + days * DAY - 30 * 60,
            projected: false,
        }
    }

    fn member(id: i64, country: Option<&str>, offset_hours: i32) -> Member {
        Member {
            id,
            name: format!("p{id}"),
            utc_offset_minutes: offset_hours * 60,
            country: country.map(str::to_string),
            ..Member::default()
        }
    }

    /// Sprint of 2026-11-23 (Mon 09:30 UTC) to 2026-12-07 09:00: ten weekdays. Worked by hand:
    /// - US (UTC-5): Thanksgiving (Thu 26th) lost: 9 available;
    /// - JP (UTC+9): Mon 23rd starts 18:30 local (no overlap) and is Labor Thanksgiving Day anyway;
    ///   Mon 7th Dec ends 18:00 local (a whole day): 10 working days, 10 available;
    /// - DE (UTC+1): three days off (Tue–Thu 1–3 Dec) and first on call Mon 30th: 10 - 3 - 0.5 =
    ///   6.5;
    /// - unknown country (UTC+0): 10.
    #[test]
    fn a_persons_days_follow_their_zone_country_time_off_and_on_call() {
        let target = window("S", "2026-11-23T09:30:00Z", 14);
        let mut de = member(3, Some("DE"), 1);
        de.time_off.push((d("2026-12-01"), d("2026-12-03")));
        de.oncall
            .push((at("2026-11-30T00:00:00Z"), at("2026-12-01T00:00:00Z")));
        let input = TeamInput {
            team: "t".into(),
            target: target.clone(),
            history: Vec::new(),
            members: vec![
                member(1, Some("US"), -5),
                member(2, Some("JP"), 9),
                de,
                member(4, None, 0),
            ],
            company_days: Vec::new(),
            done: Vec::new(),
        };
        let c = team_capacity(&input, Holidays::bundled(), &CapacityOptions::default());
        let by = |id: i64| c.people.iter().find(|p| p.person_id == id).unwrap();
        assert_eq!(by(1).working_days, 10);
        assert_eq!(
            by(1).holidays,
            vec![DayNote {
                date: "2026-11-26".into(),
                why: "Thanksgiving Day".into()
            }]
        );
        assert_eq!(by(1).available_days, 9.0);
        assert_eq!(by(2).working_days, 10);
        assert!(by(2).holidays.is_empty(), "{:?}", by(2).holidays);
        assert_eq!(by(2).available_days, 10.0);
        assert_eq!(by(3).time_off.len(), 3);
        assert_eq!(by(3).oncall.len(), 1);
        assert_eq!(by(3).oncall[0].date, "2026-11-30");
        assert_eq!(by(3).available_days, 6.5);
        assert_eq!(by(4).available_days, 10.0);
        assert_eq!(c.person_days, 35.5);
        assert_eq!(c.person_days_possible, 40);
        assert_eq!(c.working_days, 10);
        assert!(c.recommendation.is_none());
        assert!(
            c.caveats.iter().any(|x| x.contains("p4")),
            "{:?}",
            c.caveats
        );
    }

    /// History: two sprints of two people (10 + 10 person-days each), finishing 2 points every
    /// working day (so 0.1 points per person-day, every day alike). Focus = 40 / 40 = 1 point
    /// per person-day; the target sprint loses a company day for both (18 person-days): capacity
    /// 18; every run draws the same daily rate, so the 85 % commitment is 18 points, certain.
    #[test]
    fn focus_factor_capacity_and_a_certain_commitment_by_hand() {
        let s1 = window("S1", "2026-10-26T09:30:00Z", 14);
        let s2 = window("S2", "2026-11-09T09:30:00Z", 14);
        let target = window("S3", "2026-11-23T09:30:00Z", 14);
        let mut done = Vec::new();
        for s in [&s1, &s2] {
            let mut day = date_of(s.start);
            while day_start(day) + 12 * HOUR < s.end {
                if !is_weekend(None, day) {
                    done.push((day_start(day) + 12 * HOUR, Some(1.0)));
                    done.push((day_start(day) + 13 * HOUR, Some(1.0)));
                }
                day = day.checked_add_days(Days::new(1)).unwrap();
            }
        }
        let input = TeamInput {
            team: "t".into(),
            target,
            history: vec![s1, s2],
            members: vec![member(1, None, 0), member(2, None, 0)],
            company_days: vec![CompanyDay {
                date: d("2026-12-04"),
                name: "Offsite".into(),
            }],
            done,
        };
        let c = team_capacity(&input, Holidays::bundled(), &CapacityOptions::default());
        assert_eq!(c.history.len(), 2);
        assert_eq!(c.history[0].name, "S2");
        assert_eq!(c.history[0].person_days, 20.0);
        assert_eq!(c.history[0].points, 20.0);
        assert_eq!(c.focus_points_per_day, Some(1.0));
        assert_eq!(c.focus_items_per_day, Some(1.0));
        assert_eq!(c.working_days, 9);
        assert_eq!(c.person_days, 18.0);
        assert_eq!(c.capacity_points, Some(18.0));
        let r = c.recommendation.unwrap();
        assert_eq!((r.points, r.items, r.probability), (18.0, 18, 1.0));
        assert_eq!(c.people[0].company_days[0].why, "Offsite");
    }

    /// A spread history, one person: of five working days, Mon, Wed and Fri finish 2 points and
    /// Tue and Thu nothing (focus 6 / 5 = 1.2 points per person-day, capacity 6 in a five-day
    /// sprint). Each simulated day is busy with chance 3/5, so the sprint finishes 2 × X points,
    /// X ~ Binomial(5, 3/5): P(X ≤ 1) = 0.087, P(X ≤ 2) = 0.317, P(X ≤ 3) = 0.663. The 85 %
    /// commitment (the 15th percentile) is X = 2 → 4 points, finished with P(X ≥ 2) = 0.913; the
    /// median is X = 3 → 6 points.
    #[test]
    fn the_commitment_is_the_pessimistic_quantile_of_the_simulation() {
        let s1 = window("S1", "2026-11-16T09:30:00Z", 7);
        let target = window("S2", "2026-11-23T09:30:00Z", 7);
        let mut done = Vec::new();
        for day in ["2026-11-16", "2026-11-18", "2026-11-20"] {
            done.push((day_start(d(day)) + 12 * HOUR, Some(2.0)));
        }
        let input = TeamInput {
            team: "t".into(),
            target,
            history: vec![s1],
            members: vec![member(1, None, 0)],
            company_days: Vec::new(),
            done,
        };
        let opts = CapacityOptions::default();
        let c = team_capacity(&input, Holidays::bundled(), &opts);
        assert_eq!(c.focus_points_per_day, Some(6.0 / 5.0));
        assert!((c.capacity_points.unwrap() - 6.0).abs() < 1e-9);
        let r = c.recommendation.unwrap();
        assert_eq!(r.points, 4.0);
        assert!((r.probability - 0.913).abs() < 0.01, "{}", r.probability);
        let median = &c.alternatives[0];
        assert_eq!(median.points, 6.0);
    }

    #[test]
    fn the_next_sprint_is_projected_from_the_current_cadence() {
        let cur = window("Harbor 52", "2026-11-23T09:30:00Z", 14);
        let next = projected_after(&cur);
        assert_eq!(next.start, at("2026-12-07T09:30:00Z"));
        assert_eq!(next.end - next.start, cur.end - cur.start);
        assert!(next.projected && next.sprint_id.is_none());
    }
}
