//! The numbers behind each chart, for the UI to draw in the theme's colours: hover shows the values,
//! a click (or Enter) opens the records behind a bar. Exported notes and the CLI keep the metrics
//! engine's SVG (`bosun_metrics::charts`).

use super::common::time;
use bosun_core::time::{DAY, Ts, WEEK};
use bosun_metrics::charts::{LEAD_TIME_BUCKETS, lead_time_histogram};
use bosun_metrics::dora::Week;
use bosun_metrics::flow::CfdDay;
use bosun_metrics::prs::WeekStages;
use bosun_metrics::sprint::BurnPoint;
use serde::Serialize;
use ts_rs::TS;

/// How the series are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// One bar per point, the series stacked.
    StackedBars,
    /// The series stacked as areas (a cumulative flow diagram).
    StackedArea,
    /// One line per series.
    Lines,
}

/// What the values count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChartUnit {
    Count,
    Seconds,
    Points,
}

/// A series' colour, by meaning (the theme decides the shade).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Accent,
    Good,
    Warn,
    Bad,
    Muted,
    Purple,
}

/// One point of the x axis: a week, a day or a bucket, with the range it covers.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChartPoint {
    pub label: String,
    /// The range it covers: times (ISO 8601) for weeks and days, none for buckets.
    pub from: Option<String>,
    pub to: Option<String>,
    /// A bucket's range in seconds (lead time), when it is one.
    #[ts(type = "number | null")]
    pub min_secs: Option<i64>,
    #[ts(type = "number | null")]
    pub max_secs: Option<i64>,
    /// A week the window cuts (its first or last): fewer days than the others, drawn apart so it
    /// reads neither as a dip nor as a spike.
    pub partial: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChartSeries {
    pub name: String,
    pub tone: Tone,
    /// One value per point (none: no data that week).
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChartData {
    pub kind: ChartKind,
    pub unit: ChartUnit,
    pub points: Vec<ChartPoint>,
    pub series: Vec<ChartSeries>,
}

fn series(name: &str, tone: Tone, values: Vec<Option<f64>>) -> ChartSeries {
    ChartSeries {
        name: name.into(),
        tone,
        values,
    }
}

fn week_point(start: Ts, since: Ts, until: Ts) -> ChartPoint {
    let from = start.max(since);
    let to = (start + WEEK).min(until);
    ChartPoint {
        label: bosun_core::time::from_ts(start).format("%b %d").to_string(),
        from: Some(time(from)),
        to: Some(time(to)),
        min_secs: None,
        max_secs: None,
        partial: start < since || start + WEEK > until,
    }
}

fn day_point(day: Ts) -> ChartPoint {
    ChartPoint {
        label: bosun_core::time::from_ts(day).format("%b %d").to_string(),
        from: Some(time(day)),
        to: Some(time(day + DAY)),
        min_secs: None,
        max_secs: None,
        partial: false,
    }
}

/// Deployments per week: the successful and the failed ones stacked.
pub fn deployments_per_week(weeks: &[Week], since: Ts, until: Ts) -> ChartData {
    ChartData {
        kind: ChartKind::StackedBars,
        unit: ChartUnit::Count,
        points: weeks
            .iter()
            .map(|w| week_point(w.start, since, until))
            .collect(),
        series: vec![
            series(
                "succeeded",
                Tone::Accent,
                weeks
                    .iter()
                    .map(|w| Some((w.deployments - w.failed) as f64))
                    .collect(),
            ),
            series(
                "failed",
                Tone::Bad,
                weeks.iter().map(|w| Some(w.failed as f64)).collect(),
            ),
        ],
    }
}

/// How many changes took how long, over the engine's buckets.
pub fn lead_time(samples_secs: &[i64]) -> ChartData {
    let counts = lead_time_histogram(samples_secs);
    let mut min = 0;
    ChartData {
        kind: ChartKind::StackedBars,
        unit: ChartUnit::Count,
        points: LEAD_TIME_BUCKETS
            .iter()
            .map(|(label, max)| {
                let p = ChartPoint {
                    label: label.to_string(),
                    from: None,
                    to: None,
                    min_secs: Some(min),
                    max_secs: (*max != i64::MAX).then_some(*max),
                    partial: false,
                };
                min = *max;
                p
            })
            .collect(),
        series: vec![series(
            "changes",
            Tone::Accent,
            counts.iter().map(|c| Some(f64::from(*c))).collect(),
        )],
    }
}

/// The median of each pull request stage per week, stacked.
pub fn pr_stages(weeks: &[WeekStages], since: Ts, until: Ts) -> ChartData {
    let stage = |name: &str, tone: Tone, f: fn(&WeekStages) -> Option<f64>| {
        series(name, tone, weeks.iter().map(f).collect())
    };
    ChartData {
        kind: ChartKind::StackedBars,
        unit: ChartUnit::Seconds,
        points: weeks
            .iter()
            .map(|w| week_point(w.start, since, until))
            .collect(),
        series: vec![
            stage("coding", Tone::Purple, |w| w.coding_median_secs),
            stage("pickup", Tone::Warn, |w| w.pickup_median_secs),
            stage("review", Tone::Accent, |w| w.review_median_secs),
            stage("deploy", Tone::Good, |w| w.deploy_median_secs),
        ],
    }
}

/// Items per status category per day, done at the bottom.
pub fn cumulative_flow(days: &[CfdDay]) -> ChartData {
    let layer = |name: &str, tone: Tone, f: fn(&CfdDay) -> usize| {
        series(name, tone, days.iter().map(|d| Some(f(d) as f64)).collect())
    };
    ChartData {
        kind: ChartKind::StackedArea,
        unit: ChartUnit::Count,
        points: days.iter().map(|d| day_point(d.day)).collect(),
        series: vec![
            layer("done", Tone::Good, |d| d.done),
            layer("waiting", Tone::Bad, |d| d.waiting),
            layer("active", Tone::Accent, |d| d.active),
            layer("to do", Tone::Muted, |d| d.todo),
        ],
    }
}

/// A sprint's remaining points per day against the ideal line.
pub fn burndown(points: &[BurnPoint]) -> ChartData {
    ChartData {
        kind: ChartKind::Lines,
        unit: ChartUnit::Points,
        points: points.iter().map(|p| day_point(p.day)).collect(),
        series: vec![
            series(
                "remaining",
                Tone::Accent,
                points.iter().map(|p| Some(p.remaining_points)).collect(),
            ),
            series(
                "ideal",
                Tone::Muted,
                points.iter().map(|p| Some(p.ideal_points)).collect(),
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_weeks_are_marked_and_buckets_carry_their_range() {
        // A window from a Wednesday to a Tuesday: its first and last weeks are cut.
        let monday = 1_767_571_200; // 2026-01-05, a Monday
        let since = monday + 2 * DAY;
        let until = monday + 2 * WEEK + DAY;
        let weeks: Vec<Week> = (0..3)
            .map(|i| Week {
                start: monday + i * WEEK,
                deployments: 3,
                deployment_days: 2,
                failed: 1,
                lead_time_median_secs: None,
            })
            .collect();
        let c = deployments_per_week(&weeks, since, until);
        let partial: Vec<bool> = c.points.iter().map(|p| p.partial).collect();
        assert_eq!(partial, [true, false, true]);
        assert_eq!(c.points[0].from.as_deref(), Some("2026-01-07T00:00:00Z"));
        assert_eq!(c.series[0].values[1], Some(2.0));
        assert_eq!(c.series[1].values[1], Some(1.0));

        let l = lead_time(&[10, 3_700, 3_700, 40 * DAY]);
        assert_eq!(l.series[0].values[0], Some(1.0));
        assert_eq!(l.series[0].values[1], Some(2.0));
        assert_eq!(l.series[0].values[7], Some(1.0));
        assert_eq!(
            (l.points[1].min_secs, l.points[1].max_secs),
            (Some(3600), Some(4 * 3600))
        );
        assert_eq!(l.points[7].max_secs, None);
    }
}
