//! Flow metrics from ticket status histories (docs/metric-definitions.md; statuses mapped to
//! todo / active / waiting / done):
//!
//! - **flow time**: work started (first entry into active or waiting) → done;
//! - **flow efficiency**: time active / flow time, over the items finished in the window
//!   (reported as the ratio of the sums, and the median per item);
//! - **flow load**: items in progress (active or waiting) at the end of the window;
//! - **flow velocity**: items (and points) finished per week;
//! - **flow distribution**: finished items and items in progress by work type;
//! - **aging work in progress**: each item in progress against the 85th percentile of the flow
//!   times of items finished in the 90 days before the end of the window.

use crate::data::{Dataset, Ticket};
use crate::dora::Scope;
use crate::stats::{Summary, quantile, summarize};
use bosun_core::model::{StatusCategory, WorkType};
use bosun_core::time::{DAY, Ts};
use serde::Serialize;
use std::collections::BTreeMap;

/// A ticket as flow metrics see it.
#[derive(Debug, Clone, Serialize)]
pub struct FlowItem {
    /// Its key.
    pub key: String,
    /// Its Flow Framework type.
    pub work_type: WorkType,
    /// When work started.
    pub started_at: Option<Ts>,
    /// When it was done.
    pub done_at: Option<Ts>,
    /// Start to done, in seconds.
    pub flow_secs: Option<i64>,
    /// Time in active statuses, in seconds.
    pub active_secs: Option<i64>,
    /// Its estimate.
    pub story_points: Option<f64>,
}

/// A ticket in progress and how old it is.
#[derive(Debug, Clone, Serialize)]
pub struct AgingItem {
    /// Its key.
    pub key: String,
    /// Its title.
    pub summary: String,
    /// Seconds since work started.
    pub age_secs: i64,
    /// Its status's name.
    pub status: String,
    /// Older than the historical 85th percentile of flow time.
    pub over_p85: bool,
}

/// One day of the cumulative flow diagram: tickets per status category.
#[derive(Debug, Clone, Serialize)]
pub struct CfdDay {
    /// The day (midnight UTC).
    pub day: Ts,
    /// Not started.
    pub todo: usize,
    /// Being worked on.
    pub active: usize,
    /// Waiting.
    pub waiting: usize,
    /// Done.
    pub done: usize,
}

/// The flow metrics of a scope and window.
#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    /// Window start.
    pub since: Ts,
    /// Window end.
    pub until: Ts,
    /// Tickets finished in the window.
    pub finished: usize,
    /// Flow time of the finished tickets.
    pub flow_time_seconds: Summary,
    /// Sum of active time / sum of flow time over finished items.
    pub flow_efficiency: Option<f64>,
    /// The median of the finished tickets' own flow efficiencies.
    pub flow_efficiency_median: Option<f64>,
    /// Tickets in progress at the window's end.
    pub load: usize,
    /// Tickets finished per week.
    pub velocity_items_per_week: f64,
    /// Story points finished per week.
    pub velocity_points_per_week: f64,
    /// Finished tickets by work type.
    pub distribution_finished: BTreeMap<&'static str, usize>,
    /// Tickets in progress by work type.
    pub distribution_in_progress: BTreeMap<&'static str, usize>,
    /// 85th percentile of flow time over the 90 days before `until`.
    pub p85_flow_seconds: Option<f64>,
    /// Tickets in progress, oldest first.
    pub aging: Vec<AgingItem>,
    /// Day by day.
    pub cumulative_flow: Vec<CfdDay>,
    /// The finished tickets behind the numbers.
    pub evidence: Vec<FlowItem>,
}

/// Seconds spent in `category` between `from` and `to`.
pub fn time_in(t: &Ticket, category: StatusCategory, from: Ts, to: Ts) -> i64 {
    t.periods
        .iter()
        .filter(|p| p.category == category)
        .map(|p| (p.left_at.unwrap_or(to).min(to) - p.entered_at.max(from)).max(0))
        .sum()
}

fn in_scope(t: &Ticket, scope: &Scope) -> bool {
    scope
        .team
        .as_deref()
        .is_none_or(|team| t.team.as_deref() == Some(team))
}

/// The flow metrics of `scope`.
pub fn flow(data: &Dataset, scope: &Scope) -> Flow {
    let tickets: Vec<&Ticket> = data.tickets.iter().filter(|t| in_scope(t, scope)).collect();
    let finished: Vec<&Ticket> = tickets
        .iter()
        .copied()
        .filter(|t| t.done_at().is_some_and(|d| scope.contains(d)))
        .collect();
    let mut items = Vec::new();
    let mut flows = Vec::new();
    let mut effs = Vec::new();
    let (mut active_sum, mut flow_sum) = (0i64, 0i64);
    for t in &finished {
        let (start, done) = (t.started_at(), t.done_at());
        let (flow_secs, active_secs) = match (start, done) {
            (Some(s), Some(d)) if d >= s => {
                let active = time_in(t, StatusCategory::Active, s, d);
                (Some(d - s), Some(active))
            }
            _ => (None, None),
        };
        if let (Some(f), Some(a)) = (flow_secs, active_secs) {
            flows.push(f as f64);
            active_sum += a;
            flow_sum += f;
            if f > 0 {
                effs.push(a as f64 / f as f64);
            }
        }
        items.push(FlowItem {
            key: t.key.clone(),
            work_type: t.work_type,
            started_at: start,
            done_at: done,
            flow_secs,
            active_secs,
            story_points: t.story_points,
        });
    }
    let weeks = scope.weeks();
    let mut dist_done: BTreeMap<&'static str, usize> = BTreeMap::new();
    for t in &finished {
        *dist_done.entry(t.work_type.as_str()).or_default() += 1;
    }
    let in_progress: Vec<&Ticket> = tickets
        .iter()
        .copied()
        .filter(|t| {
            matches!(
                t.category_at(scope.until),
                Some(StatusCategory::Active | StatusCategory::Waiting)
            )
        })
        .collect();
    let mut dist_wip: BTreeMap<&'static str, usize> = BTreeMap::new();
    for t in &in_progress {
        *dist_wip.entry(t.work_type.as_str()).or_default() += 1;
    }
    // Aging against the 85th percentile of recent history.
    let mut history: Vec<f64> = tickets
        .iter()
        .filter(|t| {
            t.done_at()
                .is_some_and(|d| d <= scope.until && d > scope.until - 90 * DAY)
        })
        .filter_map(|t| Some((t.done_at()? - t.started_at()?) as f64))
        .filter(|f| *f >= 0.0)
        .collect();
    history.sort_by(f64::total_cmp);
    let p85 = quantile(&history, 0.85);
    let mut aging: Vec<AgingItem> = in_progress
        .iter()
        .filter_map(|t| {
            let age = scope.until - t.started_at()?;
            Some(AgingItem {
                key: t.key.clone(),
                summary: t.summary.clone(),
                age_secs: age,
                status: t.status.clone(),
                over_p85: p85.is_some_and(|p| age as f64 > p),
            })
        })
        .collect();
    aging.sort_by(|a, b| b.age_secs.cmp(&a.age_secs).then(a.key.cmp(&b.key)));
    // Cumulative flow, one point per day (end of day UTC).
    let mut cfd = Vec::new();
    let mut day = scope.since.div_euclid(DAY) * DAY + DAY - 1;
    while day < scope.until + DAY {
        let t = day.min(scope.until);
        let mut c = CfdDay {
            day: t,
            todo: 0,
            active: 0,
            waiting: 0,
            done: 0,
        };
        for tk in &tickets {
            match tk.category_at(t) {
                Some(StatusCategory::Todo) => c.todo += 1,
                Some(StatusCategory::Active) => c.active += 1,
                Some(StatusCategory::Waiting) => c.waiting += 1,
                Some(StatusCategory::Done) => c.done += 1,
                None => {}
            }
        }
        cfd.push(c);
        day += DAY;
    }
    Flow {
        since: scope.since,
        until: scope.until,
        finished: finished.len(),
        flow_time_seconds: summarize(flows),
        flow_efficiency: (flow_sum > 0).then(|| active_sum as f64 / flow_sum as f64),
        flow_efficiency_median: summarize(effs).median,
        load: in_progress.len(),
        velocity_items_per_week: finished.len() as f64 / weeks,
        velocity_points_per_week: finished.iter().filter_map(|t| t.story_points).sum::<f64>()
            / weeks,
        distribution_finished: dist_done,
        distribution_in_progress: dist_wip,
        p85_flow_seconds: p85,
        aging,
        cumulative_flow: cfd,
        evidence: items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;
    use StatusCategory::*;

    #[test]
    fn flow_time_efficiency_load_and_aging() {
        let data = Dataset {
            tickets: vec![
                // 1 day active, 1 day waiting, then done: flow 2 days, efficiency 50%.
                ticket(
                    1,
                    "core",
                    &[
                        (Todo, T0),
                        (Active, T0 + D),
                        (Waiting, T0 + 2 * D),
                        (Done, T0 + 3 * D),
                    ],
                    3.0,
                ),
                // Straight through in 1 day.
                ticket(
                    2,
                    "core",
                    &[(Todo, T0), (Active, T0 + D), (Done, T0 + 2 * D)],
                    1.0,
                ),
                // Still in progress for 5 days: older than the 85th percentile (≈ 1.85 days).
                ticket(3, "core", &[(Todo, T0), (Active, T0 + 2 * D)], 5.0),
                // Another team's.
                ticket(
                    4,
                    "web",
                    &[(Todo, T0), (Active, T0 + D), (Done, T0 + 2 * D)],
                    2.0,
                ),
            ],
            ..Default::default()
        };
        let f = flow(
            &data,
            &Scope {
                since: T0,
                until: T0 + 7 * D,
                team: Some("core".into()),
                repo: None,
            },
        );
        assert_eq!(f.finished, 2);
        assert_eq!(f.flow_time_seconds.median, Some(1.5 * D as f64));
        assert_eq!(
            f.flow_efficiency,
            Some(2.0 / 3.0),
            "2 active days / 3 flow days"
        );
        assert_eq!(f.flow_efficiency_median, Some(0.75));
        assert_eq!(f.load, 1);
        assert!((f.velocity_items_per_week - 2.0).abs() < 1e-9);
        assert!((f.velocity_points_per_week - 4.0).abs() < 1e-9);
        assert_eq!(f.aging.len(), 1);
        assert_eq!(f.aging[0].age_secs, 5 * D);
        assert!(f.aging[0].over_p85);
        assert_eq!(f.distribution_finished.get("feature"), Some(&2));
        let last = f.cumulative_flow.last().unwrap();
        assert_eq!(
            (last.todo, last.active, last.waiting, last.done),
            (0, 1, 0, 2)
        );
        let day2 = &f.cumulative_flow[1]; // end of day 2: t1 active, t2 active, t3 todo
        assert_eq!((day2.todo, day2.active), (1, 2));
    }

    /// Values derived by hand for a window that work crosses: an item started before the window,
    /// one reopened after done, one done before the window (history only), work in progress old
    /// and young, another team's item. Window: days 10–24 (two weeks).
    #[test]
    fn flow_across_the_window_with_a_reopened_item() {
        let core =
            |id, periods: &[(StatusCategory, Ts)], points| ticket(id, "core", periods, points);
        let data = Dataset {
            tickets: vec![
                // Started on day 8 (before the window), done on day 12: flow 4 d, active 1 + 1 = 2 d.
                core(
                    11,
                    &[
                        (Todo, T0),
                        (Active, T0 + 8 * D),
                        (Waiting, T0 + 9 * D),
                        (Active, T0 + 11 * D),
                        (Done, T0 + 12 * D),
                    ],
                    5.0,
                ),
                // Done on day 14, reopened on day 15, done again on day 18: done counts from the
                // last time (day 18), flow 13 → 18 = 5 d, active 1 + 3 = 4 d.
                core(
                    12,
                    &[
                        (Todo, T0 + 10 * D),
                        (Active, T0 + 13 * D),
                        (Done, T0 + 14 * D),
                        (Active, T0 + 15 * D),
                        (Done, T0 + 18 * D),
                    ],
                    3.0,
                ),
                // Done on day 5, before the window: not finished in it, but in the 90-day
                // history (flow 4 d).
                core(13, &[(Todo, T0), (Active, T0 + D), (Done, T0 + 5 * D)], 8.0),
                // In progress (waiting) since day 21: 3 days old at the end.
                core(
                    14,
                    &[
                        (Todo, T0 + 20 * D),
                        (Active, T0 + 21 * D),
                        (Waiting, T0 + 22 * D),
                    ],
                    1.0,
                ),
                // In progress since day 2: 22 days old at the end.
                core(15, &[(Todo, T0), (Active, T0 + 2 * D)], 2.0),
                // Another team's, done in the window.
                ticket(
                    16,
                    "web",
                    &[(Todo, T0), (Active, T0 + 11 * D), (Done, T0 + 12 * D)],
                    13.0,
                ),
            ],
            ..Default::default()
        };
        let f = flow(
            &data,
            &Scope {
                since: T0 + 10 * D,
                until: T0 + 24 * D,
                team: Some("core".into()),
                repo: None,
            },
        );
        assert_eq!(f.finished, 2);
        // Flow times 4 d and 5 d.
        assert_eq!(f.flow_time_seconds.median, Some(4.5 * D as f64));
        // (2 + 4) active days over (4 + 5) flow days; per item 0.5 and 0.8.
        assert_eq!(f.flow_efficiency, Some(6.0 / 9.0));
        assert!((f.flow_efficiency_median.unwrap() - 0.65).abs() < 1e-12);
        let reopened = f.evidence.iter().find(|i| i.key == "T-12").unwrap();
        assert_eq!(
            (reopened.done_at, reopened.flow_secs, reopened.active_secs),
            (Some(T0 + 18 * D), Some(5 * D), Some(4 * D))
        );
        // 2 items and 5 + 3 points over 2 weeks.
        assert!((f.velocity_items_per_week - 1.0).abs() < 1e-12);
        assert!((f.velocity_points_per_week - 4.0).abs() < 1e-12);
        assert_eq!(f.load, 2);
        assert_eq!(f.distribution_in_progress.get("feature"), Some(&2));
        // History 4, 4, 5 days: the 85th percentile at position 1.7 is 4 + 0.7 × 1 = 4.7 days.
        let p85 = f.p85_flow_seconds.unwrap();
        assert!((p85 - 4.7 * D as f64).abs() < 1e-6, "{p85}");
        let aging: Vec<(&str, i64, bool)> = f
            .aging
            .iter()
            .map(|a| (a.key.as_str(), a.age_secs, a.over_p85))
            .collect();
        assert_eq!(aging, vec![("T-15", 22 * D, true), ("T-14", 3 * D, false)]);
        // Cumulative flow at the end: 3 done, 1 active, 1 waiting; on day 15 (reopened): the
        // reopened item and the old one active, two done, the day-20 item not created yet.
        let last = f.cumulative_flow.last().unwrap();
        assert_eq!(
            (last.todo, last.active, last.waiting, last.done),
            (0, 1, 1, 3)
        );
        let day15 = (T0 + 15 * D).div_euclid(D) * D + D - 1;
        let c = f.cumulative_flow.iter().find(|c| c.day == day15).unwrap();
        assert_eq!((c.todo, c.active, c.waiting, c.done), (0, 2, 0, 2));
    }
}
