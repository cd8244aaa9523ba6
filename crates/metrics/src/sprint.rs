//! Sprint health (docs/metric-definitions.md), reconstructed from sprint membership over time:
//!
//! - **committed**: in the sprint when it started;
//! - **added** / **removed**: entered or left the sprint after it started;
//! - **completed**: in the sprint at its end (or now, for the active one) and done by then;
//! - **carry-over**: in the sprint at its end and not done (they move on); for the active sprint,
//!   what is left are the carry-over candidates;
//! - **planning accuracy** = committed items completed / committed items (and in points);
//! - **scope change** = (added + removed) / committed;
//! - **blocked** (a blocked status, a flag, or an open "is blocked by" link) and **at risk** (not
//!   started with half the sprint or more gone, or older than the team's 85th percentile);
//! - **burndown**: remaining points per day against the ideal line;
//! - **forecast**: a seeded Monte Carlo simulation (10,000 runs by default) of the remaining
//!   working days, each drawing a day of the team's completed points from its last sprints, and
//!   the probability that the remaining points get done by the end.

use crate::data::{Dataset, Sprint, Ticket};
use crate::stats::{Ratio, quantile, quantile_of, ratio};
use bosun_core::Rng;
use bosun_core::model::StatusCategory;
use bosun_core::time::{DAY, Ts};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Serialize;

/// How the sprint forecast is run.
#[derive(Debug, Clone)]
pub struct SprintOptions {
    /// The Monte Carlo seed (same seed, same forecast).
    pub seed: u64,
    /// Monte Carlo runs.
    pub runs: usize,
    /// Closed sprints of the team whose days feed the forecast.
    pub history_sprints: usize,
}

impl Default for SprintOptions {
    fn default() -> Self {
        SprintOptions {
            seed: 42,
            runs: 10_000,
            history_sprints: 6,
        }
    }
}

/// A ticket in a sprint report.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Its key.
    pub key: String,
    /// Its title.
    pub summary: String,
    /// Its estimate.
    pub points: Option<f64>,
    /// Its status's name.
    pub status: String,
    /// When it was added, removed or done (in those lists).
    pub at: Option<Ts>,
    /// Why it is listed (blocked, at risk).
    pub why: Option<String>,
}

/// One day of the burndown.
#[derive(Debug, Clone, Serialize)]
pub struct BurnPoint {
    /// The day.
    pub day: Ts,
    /// Points left.
    pub remaining_points: f64,
    /// Points left on the ideal line.
    pub ideal_points: f64,
}

/// The Monte Carlo forecast of the rest of a sprint.
#[derive(Debug, Clone, Serialize)]
pub struct Forecast {
    /// Probability of finishing the remaining points by the sprint end.
    pub probability: f64,
    /// Runs simulated.
    pub runs: usize,
    /// The seed.
    pub seed: u64,
    /// Working days left.
    pub working_days_left: usize,
    /// Points left.
    pub remaining_points: f64,
    /// Daily completed points the simulation draws from.
    pub history_days: usize,
    /// Points the team completes in the rest of the sprint: median and the pessimistic 15th
    /// percentile of the simulated runs.
    pub expected_points_p50: f64,
    /// See `expected_points_p50`.
    pub expected_points_p15: f64,
}

/// A sprint's health.
#[derive(Debug, Clone, Serialize)]
pub struct SprintHealth {
    /// The sprint's store id.
    pub sprint_id: i64,
    /// Its name.
    pub name: String,
    /// Its team.
    pub team: Option<String>,
    /// `future`, `active` or `closed`.
    pub state: String,
    /// When it started.
    pub start: Ts,
    /// When it ends.
    pub end: Ts,
    /// The moment evaluated: the sprint's end, or `as_of` while it runs.
    pub at: Ts,
    /// Tickets in it when it started.
    pub committed: Vec<Item>,
    /// Their points.
    pub committed_points: f64,
    /// Tickets added after it started.
    pub added: Vec<Item>,
    /// Tickets removed after it started.
    pub removed: Vec<Item>,
    /// Tickets done in it.
    pub completed: Vec<Item>,
    /// Their points.
    pub completed_points: f64,
    /// Tickets not done by its end (or not yet done).
    pub carry_over: Vec<Item>,
    /// Committed items that were already in an earlier sprint.
    pub carried_in: Vec<Item>,
    /// Committed tickets done / committed tickets.
    pub planning_accuracy: Ratio,
    /// Committed points done / committed points.
    pub planning_accuracy_points: Option<f64>,
    /// (Added + removed) / committed tickets.
    pub scope_change: Option<f64>,
    /// Tickets blocked now.
    pub blocked: Vec<Item>,
    /// Tickets unlikely to finish.
    pub at_risk: Vec<Item>,
    /// Points left.
    pub remaining_points: f64,
    /// Day by day.
    pub burndown: Vec<BurnPoint>,
    /// The forecast, while it runs and has history to draw from.
    pub forecast: Option<Forecast>,
}

fn item(t: &Ticket, at: Option<Ts>, why: Option<String>) -> Item {
    Item {
        key: t.key.clone(),
        summary: t.summary.clone(),
        points: t.story_points,
        status: t.status.clone(),
        at,
        why,
    }
}

fn points(items: &[Item]) -> f64 {
    items.iter().filter_map(|i| i.points).sum()
}

fn is_working_day(t: Ts) -> bool {
    let weekday = (t.div_euclid(DAY) + 3).rem_euclid(7);
    weekday < 5
}

fn done_by(t: &Ticket, at: Ts) -> bool {
    t.category_at(at) == Some(StatusCategory::Done)
}

/// Daily completed points of the team over its last closed sprints (working days only).
fn throughput_history(data: &SprintData<'_>, sprint: &Sprint, opts: &SprintOptions) -> Vec<f64> {
    let mut closed: Vec<&Sprint> = data
        .sprints
        .iter()
        .copied()
        .filter(|s| {
            s.team == sprint.team
                && s.id != sprint.id
                && s.state == "closed"
                && s.end_at
                    .is_some_and(|e| e <= sprint.start_at.unwrap_or(i64::MAX))
        })
        .collect();
    closed.sort_by_key(|s| std::cmp::Reverse(s.start_at));
    closed.truncate(opts.history_sprints);
    // When the team's pointed tickets were done, in ticket order (the order of the sums below).
    let done_points: Vec<(Ts, f64)> = data
        .tickets
        .iter()
        .filter(|t| t.team == sprint.team)
        .filter_map(|t| Some((t.done_at()?, t.story_points?)))
        .collect();
    let mut days = Vec::new();
    for s in closed {
        let (Some(start), Some(end)) = (s.start_at, s.end_at) else {
            continue;
        };
        let mut d = start.div_euclid(DAY) * DAY;
        while d < end {
            if is_working_day(d) {
                let done: f64 = done_points
                    .iter()
                    .filter(|(x, _)| *x >= d.max(start) && *x < (d + DAY).min(end))
                    .map(|(_, p)| p)
                    .sum();
                days.push(done);
            }
            d += DAY;
        }
    }
    days
}

/// The sprints and tickets [`sprint_health_in`] reads: all of a dataset's, or only those of the
/// sprint's team (what a caller evaluating many sprints gives, without copying tickets).
pub struct SprintData<'a> {
    /// The sprints.
    pub sprints: Vec<&'a Sprint>,
    /// The tickets.
    pub tickets: Vec<&'a Ticket>,
}

impl<'a> SprintData<'a> {
    /// Every sprint and ticket of `data`.
    pub fn of(data: &'a Dataset) -> SprintData<'a> {
        SprintData {
            sprints: data.sprints.iter().collect(),
            tickets: data.tickets.iter().collect(),
        }
    }

    /// For each team with sprints, what its sprints' health reads, in one pass over the tickets:
    /// the team's sprints; its tickets, the other teams' tickets in its sprints, and every ticket
    /// one of those names as a blocker, in `data`'s order. For a sprint of team `t`,
    /// `sprint_health_in(&teams[&t], ..)` equals `sprint_health(data, ..)`, without reading every
    /// ticket of the organisation per sprint (what Today, which shows every active sprint, does).
    pub fn per_team(data: &'a Dataset) -> HashMap<Option<&'a str>, SprintData<'a>> {
        let team_of: HashMap<i64, Option<&str>> = data
            .sprints
            .iter()
            .map(|s| (s.id, s.team.as_deref()))
            .collect();
        let mut by_key: HashMap<&str, Vec<usize>> = HashMap::default();
        for (i, t) in data.tickets.iter().enumerate() {
            by_key.entry(t.key.as_str()).or_default().push(i);
        }
        // Each team's sprints, and the indices of the tickets its part reads.
        let mut picked: HashMap<Option<&str>, (Vec<&Sprint>, Vec<usize>)> = HashMap::default();
        for s in &data.sprints {
            picked.entry(s.team.as_deref()).or_default().0.push(s);
        }
        let mut teams: Vec<Option<&str>> = Vec::new();
        for (i, t) in data.tickets.iter().enumerate() {
            teams.clear();
            teams.push(t.team.as_deref());
            teams.extend(t.sprints.iter().filter_map(|s| team_of.get(&s.sprint)));
            teams.sort_unstable();
            teams.dedup();
            for team in &teams {
                if let Some((_, v)) = picked.get_mut(team) {
                    v.push(i);
                    for k in &t.blocked_by {
                        v.extend(by_key.get(k.as_str()).into_iter().flatten());
                    }
                }
            }
        }
        picked
            .into_iter()
            .map(|(team, (sprints, mut ids))| {
                ids.sort_unstable();
                ids.dedup();
                let tickets = ids.into_iter().map(|i| &data.tickets[i]).collect();
                (team, SprintData { sprints, tickets })
            })
            .collect()
    }
}

/// The sprint asked for (by id or name, case-insensitively), else the team's active sprint,
/// else its latest started by `at`. `which` empty means none asked for.
pub fn choose_sprint<'a>(
    data: &'a Dataset,
    which: Option<&str>,
    team: Option<&str>,
    at: Ts,
) -> Option<&'a Sprint> {
    let mut candidates = data
        .sprints
        .iter()
        .filter(|s| team.is_none_or(|t| s.team.as_deref() == Some(t)));
    match which.filter(|w| !w.is_empty()) {
        Some(w) => candidates.find(|s| s.id.to_string() == w || s.name.eq_ignore_ascii_case(w)),
        None => {
            let candidates: Vec<&Sprint> = candidates.collect();
            candidates
                .iter()
                .find(|s| s.state == "active")
                .or_else(|| {
                    candidates
                        .iter()
                        .filter(|s| s.start_at.is_some_and(|st| st <= at))
                        .max_by_key(|s| s.start_at)
                })
                .copied()
        }
    }
}

/// The health of sprint `sprint_id` at `as_of`.
pub fn sprint_health(
    data: &Dataset,
    sprint: &Sprint,
    as_of: Ts,
    opts: &SprintOptions,
) -> Option<SprintHealth> {
    sprint_health_in(&SprintData::of(data), sprint, as_of, opts)
}

/// [`sprint_health`] over the sprints and tickets of `data`.
pub fn sprint_health_in(
    data: &SprintData<'_>,
    sprint: &Sprint,
    as_of: Ts,
    opts: &SprintOptions,
) -> Option<SprintHealth> {
    let (start, end) = (sprint.start_at?, sprint.end_at?);
    let at = if sprint.state == "closed" {
        sprint
            .complete_at
            .unwrap_or(end)
            .min(end.max(as_of))
            .min(end)
    } else {
        as_of.min(end)
    };
    let members: Vec<&Ticket> = data
        .tickets
        .iter()
        .copied()
        .filter(|t| t.sprints.iter().any(|s| s.sprint == sprint.id))
        .collect();
    let committed: Vec<&Ticket> = members
        .iter()
        .copied()
        .filter(|t| t.in_sprint_at(sprint.id, start))
        .collect();
    let committed_ids: HashSet<i64> = committed.iter().map(|t| t.id).collect();
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for t in &members {
        for s in t.sprints.iter().filter(|s| s.sprint == sprint.id) {
            if let Some(a) = s.added_at.filter(|a| *a > start && *a <= at)
                && (!committed_ids.contains(&t.id) || s.removed_at.is_some_and(|r| r < a))
            {
                added.push(item(t, Some(a), None));
            }
            if let Some(r) = s.removed_at.filter(|r| *r > start && *r <= at) {
                removed.push(item(t, Some(r), None));
            }
        }
    }
    added.sort_by(|a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
    removed.sort_by(|a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
    // In the sprint at the evaluated moment.
    let probe = if sprint.state == "closed" { at - 1 } else { at };
    let in_sprint: Vec<&Ticket> = members
        .iter()
        .copied()
        .filter(|t| t.in_sprint_at(sprint.id, probe))
        .collect();
    let completed: Vec<Item> = in_sprint
        .iter()
        .filter(|t| done_by(t, at))
        .map(|t| item(t, t.done_at(), None))
        .collect();
    let remaining: Vec<&Ticket> = in_sprint
        .iter()
        .copied()
        .filter(|t| !done_by(t, at))
        .collect();
    let carried_in: Vec<Item> = committed
        .iter()
        .filter(|t| {
            t.sprints
                .iter()
                .any(|s| s.sprint != sprint.id && s.added_at.is_some_and(|a| a < start))
        })
        .map(|t| item(t, None, None))
        .collect();
    let committed_done = committed
        .iter()
        .filter(|t| done_by(t, at) && t.in_sprint_at(sprint.id, probe))
        .count();
    let committed_items: Vec<Item> = committed.iter().map(|t| item(t, None, None)).collect();
    let committed_points = points(&committed_items);
    let committed_done_points: f64 = committed
        .iter()
        .filter(|t| done_by(t, at) && t.in_sprint_at(sprint.id, probe))
        .filter_map(|t| t.story_points)
        .sum();

    // Blocked and at risk, among what is left. A blocker is open unless a ticket with its key
    // is done by then: only the keys some remaining ticket names are looked for.
    let mut named: Vec<&str> = remaining
        .iter()
        .flat_map(|t| t.blocked_by.iter().map(String::as_str))
        .collect();
    named.sort_unstable();
    named.dedup();
    let done_keys: HashSet<&str> = if named.is_empty() {
        HashSet::default()
    } else {
        data.tickets
            .iter()
            .copied()
            .filter(|t| named.binary_search(&t.key.as_str()).is_ok() && done_by(t, at))
            .map(|t| t.key.as_str())
            .collect()
    };
    let history_flows: Vec<f64> = {
        let mut v: Vec<f64> = data
            .tickets
            .iter()
            .copied()
            .filter(|t| {
                t.team == sprint.team && t.done_at().is_some_and(|d| d <= at && d > at - 90 * DAY)
            })
            .filter_map(|t| Some((t.done_at()? - t.started_at()?) as f64))
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let p85 = quantile(&history_flows, 0.85);
    let elapsed = (at - start) as f64 / (end - start).max(1) as f64;
    let mut blocked = Vec::new();
    let mut at_risk = Vec::new();
    for t in &remaining {
        let open_blockers: Vec<&String> = t
            .blocked_by
            .iter()
            .filter(|b| !done_keys.contains(b.as_str()))
            .collect();
        let mut why = Vec::new();
        if t.status.to_lowercase().contains("block") {
            why.push(format!("status {}", t.status));
        }
        if t.flagged {
            why.push("flagged as an impediment".to_string());
        }
        if !open_blockers.is_empty() {
            why.push(format!(
                "blocked by {}",
                open_blockers
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !why.is_empty() {
            blocked.push(item(t, None, Some(why.join("; "))));
            continue;
        }
        match t.started_at() {
            None if elapsed >= 0.5 => at_risk.push(item(
                t,
                None,
                Some(format!(
                    "not started with {:.0}% of the sprint gone",
                    elapsed * 100.0
                )),
            )),
            Some(s) if p85.is_some_and(|p| (at - s) as f64 > p) => at_risk.push(item(
                t,
                Some(s),
                Some(format!(
                    "in progress for {:.1} days, longer than 85% of recent work ({:.1} days)",
                    (at - s) as f64 / DAY as f64,
                    p85.unwrap_or(0.0) / DAY as f64
                )),
            )),
            _ => {}
        }
    }
    // Burndown: points left each day (tickets in the sprint then and not done by then).
    let mut burndown = Vec::new();
    let total_days = ((end - start) as f64 / DAY as f64).max(1.0);
    let mut day = start;
    while day <= end {
        let t = day.min(at);
        if day > at + DAY {
            break;
        }
        let rem: f64 = members
            .iter()
            .filter(|x| x.in_sprint_at(sprint.id, t) && !done_by(x, t))
            .filter_map(|x| x.story_points)
            .sum();
        let ideal =
            committed_points * (1.0 - ((day - start) as f64 / DAY as f64) / total_days).max(0.0);
        burndown.push(BurnPoint {
            day: t,
            remaining_points: rem,
            ideal_points: ideal,
        });
        if t == at {
            break;
        }
        day += DAY;
    }
    let remaining_items: Vec<Item> = remaining.iter().map(|t| item(t, None, None)).collect();
    let remaining_points = points(&remaining_items);
    // Forecast for a running sprint.
    let forecast = (sprint.state != "closed" && at < end).then(|| {
        let history = throughput_history(data, sprint, opts);
        let mut d = at.div_euclid(DAY) * DAY + DAY;
        let mut days_left = 0;
        while d < end {
            if is_working_day(d) {
                days_left += 1;
            }
            d += DAY;
        }
        let mut rng = Rng::seed(opts.seed);
        let mut done_runs = 0usize;
        let mut totals = Vec::with_capacity(opts.runs);
        for _ in 0..opts.runs {
            let mut sum = 0.0;
            for _ in 0..days_left {
                if !history.is_empty() {
                    sum += history[rng.range(0, history.len() as i64 - 1) as usize];
                }
            }
            if sum >= remaining_points {
                done_runs += 1;
            }
            totals.push(sum);
        }
        Forecast {
            probability: if remaining_points <= 0.0 {
                1.0
            } else {
                done_runs as f64 / opts.runs.max(1) as f64
            },
            runs: opts.runs,
            seed: opts.seed,
            working_days_left: days_left,
            remaining_points,
            history_days: history.len(),
            expected_points_p50: quantile_of(&mut totals, 0.5).unwrap_or(0.0),
            expected_points_p15: quantile_of(&mut totals, 0.15).unwrap_or(0.0),
        }
    });
    let carry_over: Vec<Item> = if sprint.state == "closed" {
        remaining_items
    } else {
        remaining
            .iter()
            .map(|t| item(t, None, Some("not done yet".into())))
            .collect()
    };
    Some(SprintHealth {
        sprint_id: sprint.id,
        name: sprint.name.clone(),
        team: sprint.team.clone(),
        state: sprint.state.clone(),
        start,
        end,
        at,
        committed_points,
        planning_accuracy: ratio(committed_done, committed.len()),
        planning_accuracy_points: (committed_points > 0.0)
            .then(|| committed_done_points / committed_points),
        scope_change: (!committed.is_empty())
            .then(|| (added.len() + removed.len()) as f64 / committed.len() as f64),
        committed: committed_items,
        completed_points: points(&completed),
        completed,
        added,
        removed,
        carry_over,
        carried_in,
        blocked,
        at_risk,
        remaining_points,
        burndown,
        forecast,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SprintStay;
    use crate::testkit::*;
    use StatusCategory::*;

    fn stay(sprint: i64, added: Option<Ts>, removed: Option<Ts>) -> SprintStay {
        SprintStay {
            sprint,
            added_at: added,
            removed_at: removed,
        }
    }

    fn sprint(id: i64, start: Ts, state: &str) -> Sprint {
        Sprint {
            id,
            name: format!("Sprint {id}"),
            team: Some("core".into()),
            state: state.into(),
            start_at: Some(start),
            end_at: Some(start + 14 * D),
            complete_at: None,
        }
    }

    /// Sprint 2 runs from T0 + 14 days; history in sprint 1.
    fn dataset() -> Dataset {
        let s2 = T0 + 14 * D;
        let mut t1 = ticket(
            1,
            "core",
            &[(Todo, T0), (Active, s2 + D), (Done, s2 + 3 * D)],
            3.0,
        ); // committed, done
        t1.sprints = vec![stay(2, Some(s2 - H), None)];
        let mut t2 = ticket(2, "core", &[(Todo, T0)], 5.0); // committed, not started
        t2.sprints = vec![stay(1, Some(T0), Some(s2)), stay(2, Some(s2), None)]; // carried in from sprint 1
        let mut t3 = ticket(3, "core", &[(Todo, s2 + 2 * D), (Active, s2 + 3 * D)], 2.0); // added mid-sprint
        t3.sprints = vec![stay(2, Some(s2 + 2 * D), None)];
        let mut t4 = ticket(4, "core", &[(Todo, T0), (Active, s2 + D)], 8.0); // committed then removed
        t4.sprints = vec![stay(2, Some(s2 - H), Some(s2 + 4 * D))];
        let mut t5 = ticket(5, "core", &[(Todo, T0), (Active, s2 + D)], 1.0); // flagged
        t5.flagged = true;
        t5.status = "In Progress".into();
        t5.sprints = vec![stay(2, Some(s2 - H), None)];
        // History: sprint 1, where 2 points were done every working day.
        let mut history = Vec::new();
        for k in 0..10 {
            let day = T0 + (k / 5 * 7 + k % 5) * D + 10 * H;
            let mut h = ticket(
                100 + k,
                "core",
                &[(Todo, T0), (Active, T0 + H), (Done, day)],
                2.0,
            );
            h.sprints = vec![stay(1, Some(T0), None)];
            history.push(h);
        }
        let mut tickets = vec![t1, t2, t3, t4, t5];
        tickets.extend(history);
        Dataset {
            tickets,
            sprints: vec![sprint(1, T0, "closed"), sprint(2, s2, "active")],
            ..Default::default()
        }
    }

    #[test]
    fn commitment_scope_change_and_accuracy() {
        let data = dataset();
        let now = T0 + 14 * D + 7 * D; // a week into sprint 2 (a Monday)
        let h = sprint_health(&data, &data.sprints[1], now, &SprintOptions::default()).unwrap();
        let keys = |v: &[Item]| v.iter().map(|i| i.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&h.committed), ["T-1", "T-2", "T-4", "T-5"]);
        assert_eq!(h.committed_points, 17.0);
        assert_eq!(keys(&h.added), ["T-3"]);
        assert_eq!(keys(&h.removed), ["T-4"]);
        assert_eq!(keys(&h.completed), ["T-1"]);
        assert_eq!(keys(&h.carried_in), ["T-2"]);
        assert_eq!(
            (h.planning_accuracy.part, h.planning_accuracy.total),
            (1, 4)
        );
        assert_eq!(h.planning_accuracy_points, Some(3.0 / 17.0));
        assert_eq!(h.scope_change, Some(0.5));
        assert_eq!(keys(&h.blocked), ["T-5"]);
        assert_eq!(
            keys(&h.at_risk),
            ["T-2"],
            "not started with half the sprint gone"
        );
        assert_eq!(h.remaining_points, 8.0, "T-2 (5) + T-3 (2) + T-5 (1)");
        let first = &h.burndown[0];
        assert_eq!((first.remaining_points, first.ideal_points), (17.0, 17.0));
    }

    #[test]
    fn the_forecast_is_seeded_and_sensible() {
        let data = dataset();
        let now = T0 + 14 * D + 7 * D;
        let h = sprint_health(&data, &data.sprints[1], now, &SprintOptions::default()).unwrap();
        let f = h.forecast.unwrap();
        assert_eq!((f.runs, f.history_days), (10_000, 10));
        // Every history day completed 2 points; 4 working days left (Tue–Fri) → 8 points: exactly
        // the 8 remaining.
        assert_eq!(f.working_days_left, 4);
        assert_eq!(f.probability, 1.0);
        assert_eq!(f.expected_points_p50, 8.0);
        let again = sprint_health(&data, &data.sprints[1], now, &SprintOptions::default())
            .unwrap()
            .forecast
            .unwrap();
        assert_eq!(again.probability, f.probability);
        // With 9 points left it cannot make it.
        let mut more = data.clone();
        more.tickets[2].story_points = Some(3.0);
        let h = sprint_health(&more, &more.sprints[1], now, &SprintOptions::default()).unwrap();
        assert_eq!(h.forecast.unwrap().probability, 0.0);
    }

    /// A history that varies: half the working days of sprint 1 finished 4 points, half none.
    /// With 4 working days left and 8 points to do, the sprint makes it when at least 2 of the 4
    /// simulated days draw a 4: P = 1 − (1 + 4) / 16 = 11/16 = 0.6875. The simulated totals are
    /// 4 × Binomial(4, ½): P(≤ 4) = 5/16 and P(≤ 8) = 11/16, so the median total is 8 points and
    /// the 15th percentile 4.
    #[test]
    fn the_forecast_matches_the_probability_derived_by_hand() {
        let mut data = dataset();
        for t in data.tickets.iter_mut().filter(|t| t.id >= 100) {
            t.story_points = ((t.id - 100) % 2 == 0).then_some(4.0);
        }
        let now = T0 + 14 * D + 7 * D;
        for seed in [42, 7, 2026] {
            let opts = SprintOptions {
                seed,
                ..SprintOptions::default()
            };
            let f = sprint_health(&data, &data.sprints[1], now, &opts)
                .unwrap()
                .forecast
                .unwrap();
            assert_eq!((f.working_days_left, f.remaining_points), (4, 8.0));
            assert_eq!(f.history_days, 10);
            // 10,000 runs: the standard error is √(0.6875 × 0.3125 / 10,000) ≈ 0.0046.
            assert!(
                (f.probability - 0.6875).abs() < 0.015,
                "seed {seed}: {}",
                f.probability
            );
            assert_eq!(f.expected_points_p50, 8.0, "seed {seed}");
            assert_eq!(f.expected_points_p15, 4.0, "seed {seed}");
        }
    }

    #[test]
    fn each_teams_sprint_data_gives_what_all_the_data_gives() {
        let mut data = dataset();
        let s2 = T0 + 14 * D;
        // Another team: its own sprint, a ticket in core's sprint 2, and blockers of core's work
        // (one done, one not), one of which blocks through a ticket of its own in core's sprint.
        let mut other = sprint(3, s2, "active");
        other.team = Some("edge".into());
        data.sprints.push(other);
        let mut guest = ticket(40, "edge", &[(Todo, T0), (Active, s2 + D)], 3.0);
        guest.sprints = vec![stay(2, Some(s2 - H), None)];
        guest.blocked_by = vec!["T-41".into()];
        let blocker = ticket(41, "edge", &[(Todo, T0)], 1.0);
        let mut done = ticket(42, "edge", &[(Todo, T0), (Done, s2 + D)], 1.0);
        done.sprints = vec![stay(3, Some(s2), None)];
        data.tickets[2].blocked_by = vec!["T-42".into()];
        data.tickets[4].blocked_by = vec!["T-41".into()];
        data.tickets.extend([guest, blocker, done]);
        let teams = SprintData::per_team(&data);
        let now = s2 + 7 * D;
        let opts = SprintOptions::default();
        for s in &data.sprints {
            let all = serde_json::to_value(sprint_health(&data, s, now, &opts)).unwrap();
            let mine = &teams[&s.team.as_deref()];
            let part = serde_json::to_value(sprint_health_in(mine, s, now, &opts)).unwrap();
            assert_eq!(part, all, "sprint {}", s.id);
            assert!(mine.sprints.iter().all(|x| x.team == s.team));
        }
        let core = &teams[&Some("core")];
        let keys: Vec<&str> = core.tickets.iter().map(|t| t.key.as_str()).collect();
        assert!(keys.contains(&"T-40") && keys.contains(&"T-41") && keys.contains(&"T-42"));
        let h = sprint_health_in(core, &data.sprints[1], now, &opts).unwrap();
        let blocked: Vec<&str> = h.blocked.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            blocked,
            ["T-5", "T-40"],
            "T-3's blocker is done; T-5's and T-40's is not"
        );
    }

    #[test]
    fn a_closed_sprint_reports_carry_over() {
        let data = dataset();
        let h = sprint_health(
            &data,
            &data.sprints[0],
            T0 + 40 * D,
            &SprintOptions::default(),
        )
        .unwrap();
        assert!(h.forecast.is_none());
        assert_eq!(
            h.carry_over
                .iter()
                .map(|i| i.key.as_str())
                .collect::<Vec<_>>(),
            ["T-2"]
        );
        assert_eq!(h.completed.len(), 10);
    }
}
