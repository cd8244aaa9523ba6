//! "When will this be done" (docs/metric-definitions.md, "Forecast"): a seeded Monte Carlo run of
//! the weeks a body of work (an epic's child tickets) needs, from the team's throughput and the
//! work's own scope growth.
//!
//! - **Team throughput**: the team's finished tickets in each of the last `history_weeks` whole
//!   weeks before now (weeks end at now).
//! - **Share**: the part of that throughput that went to this work — its children finished since
//!   it began (its first ticket, within the history, at least a week back) over the team's finished
//!   tickets then (when none of them is, `fallback_share`: an even split
//!   across the team's open epics, and the caveats say so).
//! - **Growth**: children created per week after the work's first week (its initial scope), drawn
//!   per simulated week from the weeks it has existed (within the history window; a work younger
//!   than six weeks counts the weeks it has not lived yet as weeks without growth).
//! - **A run**: week after week, the remaining count grows by a drawn week's growth and shrinks by
//!   a drawn week's team throughput × share, until nothing remains; the 50/85/95 % quantiles of the
//!   runs' weeks are the dates (now + weeks).

use crate::stats::quantile_of;
use bosun_core::Rng;
use bosun_core::time::{Ts, WEEK};
use serde::Serialize;

/// Weeks of growth history a young epic's additions are spread over at least.
const MIN_GROWTH_WEEKS: usize = 6;

/// How the forecast runs.
#[derive(Debug, Clone)]
pub struct ForecastOptions {
    /// Monte Carlo seed (same seed, same dates).
    pub seed: u64,
    /// Runs.
    pub runs: usize,
    /// Whole weeks of history the throughput and growth draw from.
    pub history_weeks: usize,
    /// Weeks after which a run gives up (the work never finishes at that pace).
    pub max_weeks: usize,
    /// The share of the team's throughput assumed when none of the work finished in the history
    /// (the caller passes 1 / the team's open epics).
    pub fallback_share: f64,
}

impl Default for ForecastOptions {
    fn default() -> Self {
        ForecastOptions {
            seed: 42,
            runs: 10_000,
            history_weeks: 12,
            max_weeks: 156,
            fallback_share: 1.0,
        }
    }
}

/// One ticket of the work.
#[derive(Debug, Clone, PartialEq)]
pub struct Child {
    /// Its key.
    pub key: String,
    /// When it was created.
    pub created_at: Ts,
    /// When it was done.
    pub done_at: Option<Ts>,
}

/// Weeks from now at each confidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Quantiles {
    /// Half the runs finish by then.
    pub p50: f64,
    /// 85 % of the runs.
    pub p85: f64,
    /// 95 % of the runs.
    pub p95: f64,
}

/// Dates at each confidence, `YYYY-MM-DD` (UTC); none when that share of the runs did not
/// finish within `max_weeks` (never, at this pace).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Dates {
    /// Half the runs finish by then.
    pub p50: Option<String>,
    /// 85 % of the runs.
    pub p85: Option<String>,
    /// 95 % of the runs.
    pub p95: Option<String>,
}

/// One week of the burn-up: the scope and what was done by its end.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BurnUpWeek {
    /// The week's end.
    pub at: Ts,
    /// Tickets in the work by then.
    pub scope: u32,
    /// Tickets done by then.
    pub done: u32,
}

/// One future week of the cone: done by then, at each confidence, and the median scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConeWeek {
    /// The week's end.
    pub at: Ts,
    /// Done by then in half the runs (the median).
    pub done_p50: f64,
    /// Done by then in 85 % of the runs (the pessimistic line).
    pub done_p85: f64,
    /// Done by then in 95 % of the runs.
    pub done_p95: f64,
    /// The median run's scope by then.
    pub scope_p50: f64,
}

/// The forecast of one body of work.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Forecast {
    /// Tickets in it now.
    pub total: u32,
    /// Done.
    pub done: u32,
    /// Not done.
    pub remaining: u32,
    /// The team's finished tickets per week (mean over the history).
    pub team_throughput_per_week: f64,
    /// The work's share of it.
    pub share: f64,
    /// What the runs expect per week for this work: team throughput × share.
    pub throughput_per_week: f64,
    /// Tickets added per week (mean over the weeks drawn from).
    pub growth_per_week: f64,
    /// Weeks from now (none when the team finishes nothing).
    pub weeks: Option<Quantiles>,
    /// The dates.
    pub dates: Option<Dates>,
    /// Share of runs that never finished within `max_weeks`.
    pub unfinished_share: f64,
    /// Weekly history since the work's first ticket.
    pub burnup: Vec<BurnUpWeek>,
    /// Weekly projection up to the 95 % date.
    pub cone: Vec<ConeWeek>,
    /// Runs and seed.
    pub runs: usize,
    /// See `runs`.
    pub seed: u64,
    /// What the numbers assume, in words.
    pub caveats: Vec<String>,
}

/// `(week end, count)` per week over the `n` whole weeks ending at `now`, oldest first.
fn weekly(times: impl Iterator<Item = Ts> + Clone, now: Ts, n: usize) -> Vec<f64> {
    (0..n)
        .rev()
        .map(|k| {
            let end = now - k as i64 * WEEK;
            times
                .clone()
                .filter(|t| *t > end - WEEK && *t <= end)
                .count() as f64
        })
        .collect()
}

fn day(ts: Ts) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.date_naive().to_string())
        .unwrap_or_default()
}

/// The forecast at `now` of the work made of `children`, for a team that finished tickets at
/// `team_done` (its children among them).
pub fn forecast(children: &[Child], team_done: &[Ts], now: Ts, opts: &ForecastOptions) -> Forecast {
    let present: Vec<&Child> = children.iter().filter(|c| c.created_at <= now).collect();
    let done_at = |c: &&Child| c.done_at.filter(|d| *d <= now);
    let total = present.len() as u32;
    let done = present.iter().filter(|c| done_at(c).is_some()).count() as u32;
    let remaining = total - done;
    let mut caveats = Vec::new();

    let team = weekly(team_done.iter().copied(), now, opts.history_weeks);
    let team_sum: f64 = team.iter().sum();
    let window_start = now - opts.history_weeks as i64 * WEEK;
    // The share is measured since the work began (within the window): an epic worked in a burst
    // gets the part of the team it had then, not that part diluted over quieter weeks before.
    let first = present.iter().map(|c| c.created_at).min();
    let since = first.map_or(window_start, |f| f.max(window_start).min(now - WEEK));
    let own_done = present
        .iter()
        .filter_map(done_at)
        .filter(|d| *d > since)
        .count() as f64;
    let team_since = team_done
        .iter()
        .filter(|t| **t > since && **t <= now)
        .count() as f64;
    let share = if own_done > 0.0 && team_since > 0.0 {
        (own_done / team_since).min(1.0)
    } else {
        let fallback = opts.fallback_share.clamp(0.0, 1.0);
        caveats.push(format!(
            "None of its tickets was finished in the last {} weeks: the forecast assumes it gets \
             {:.0} % of the team's throughput (an even split across the team's open epics).",
            opts.history_weeks,
            fallback * 100.0
        ));
        fallback
    };
    let team_mean = team_sum / team.len().max(1) as f64;

    // Growth: children created each week after the first week, within the history window.
    let growth: Vec<f64> = match first {
        Some(f) => {
            let from = (f + WEEK).max(window_start);
            let weeks = ((now - from) / WEEK).max(0) as usize;
            weekly(
                present
                    .iter()
                    .map(|c| c.created_at)
                    .filter(move |t| *t > from),
                now,
                weeks,
            )
        }
        None => Vec::new(),
    };
    // A young epic's first additions are its breakdown, not a pace: until it has six weeks of
    // history, the weeks it has not lived yet count as weeks without growth.
    let mut growth = growth;
    if !growth.is_empty() && growth.len() < MIN_GROWTH_WEEKS {
        growth.resize(MIN_GROWTH_WEEKS, 0.0);
    }
    if growth.is_empty() && remaining > 0 {
        caveats.push(
            "Less than two weeks old: no scope growth to learn from, none assumed.".to_string(),
        );
    }
    let growth_mean = if growth.is_empty() {
        0.0
    } else {
        growth.iter().sum::<f64>() / growth.len() as f64
    };

    // Burn-up: weekly since the first ticket.
    let mut burnup = Vec::new();
    if let Some(f) = first {
        let weeks = ((now - f) / WEEK + 1) as usize;
        for k in (0..weeks).rev() {
            let at = now - k as i64 * WEEK;
            burnup.push(BurnUpWeek {
                at,
                scope: present.iter().filter(|c| c.created_at <= at).count() as u32,
                done: present
                    .iter()
                    .filter(|c| done_at(c).is_some_and(|d| d <= at))
                    .count() as u32,
            });
        }
    }

    let mut out = Forecast {
        total,
        done,
        remaining,
        team_throughput_per_week: team_mean,
        share,
        throughput_per_week: team_mean * share,
        growth_per_week: growth_mean,
        weeks: None,
        dates: None,
        unfinished_share: 0.0,
        burnup,
        cone: Vec::new(),
        runs: opts.runs,
        seed: opts.seed,
        caveats,
    };
    if remaining == 0 {
        out.weeks = Some(Quantiles {
            p50: 0.0,
            p85: 0.0,
            p95: 0.0,
        });
        let d = Some(day(now));
        out.dates = Some(Dates {
            p50: d.clone(),
            p85: d.clone(),
            p95: d,
        });
        return out;
    }
    if team_sum == 0.0 {
        out.caveats.push(format!(
            "The team finished nothing in the last {} weeks: no date can be forecast.",
            opts.history_weeks
        ));
        return out;
    }

    let mut rng = Rng::seed(opts.seed);
    let draw = |rng: &mut Rng, v: &[f64]| -> f64 {
        if v.is_empty() {
            0.0
        } else {
            v[rng.range(0, v.len() as i64 - 1) as usize]
        }
    };
    let mut weeks: Vec<f64> = Vec::with_capacity(opts.runs);
    let mut unfinished = 0usize;
    for _ in 0..opts.runs {
        let mut left = f64::from(remaining);
        let mut w = 0usize;
        while left > 1e-9 && w < opts.max_weeks {
            w += 1;
            left += draw(&mut rng, &growth);
            left -= draw(&mut rng, &team) * share;
        }
        if left > 1e-9 {
            unfinished += 1;
        }
        weeks.push(w as f64);
    }
    out.unfinished_share = unfinished as f64 / opts.runs as f64;
    if out.unfinished_share > 0.05 {
        out.caveats.push(format!(
            "{:.0} % of the runs did not finish within {} weeks: scope grows about as fast as it \
             is done.",
            out.unfinished_share * 100.0,
            opts.max_weeks
        ));
    }
    let q = |p: f64, v: &mut Vec<f64>| quantile_of(v, p).unwrap_or(0.0).ceil();
    let quant = Quantiles {
        p50: q(0.5, &mut weeks),
        p85: q(0.85, &mut weeks),
        p95: q(0.95, &mut weeks),
    };
    let date = |w: f64| (w < opts.max_weeks as f64).then(|| day(now + w as i64 * WEEK));
    out.dates = Some(Dates {
        p50: date(quant.p50),
        p85: date(quant.p85),
        p95: date(quant.p95),
    });

    // The cone: cumulative done and scope per future week, up to the 95 % date (a year at most).
    let horizon = (quant.p95 as usize).clamp(1, 52);
    let mut rng = Rng::seed(opts.seed ^ 0x5eed);
    let mut done_by: Vec<Vec<f64>> = vec![Vec::with_capacity(opts.runs); horizon];
    let mut scope_by: Vec<Vec<f64>> = vec![Vec::with_capacity(opts.runs); horizon];
    for _ in 0..opts.runs {
        let (mut d, mut s) = (f64::from(done), f64::from(total));
        for (dk, sk) in done_by.iter_mut().zip(scope_by.iter_mut()) {
            s += draw(&mut rng, &growth);
            d = (d + draw(&mut rng, &team) * share).min(s);
            dk.push(d);
            sk.push(s);
        }
    }
    out.cone = done_by
        .iter_mut()
        .zip(scope_by.iter_mut())
        .enumerate()
        .map(|(k, (d, s))| ConeWeek {
            at: now + (k as i64 + 1) * WEEK,
            done_p50: quantile_of(d, 0.5).unwrap_or(0.0),
            done_p85: quantile_of(d, 0.15).unwrap_or(0.0),
            done_p95: quantile_of(d, 0.05).unwrap_or(0.0),
            scope_p50: quantile_of(s, 0.5).unwrap_or(0.0),
        })
        .collect();
    out.weeks = Some(quant);
    out
}

/// One finished body of work, forecast from its halfway point.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BacktestCase {
    /// Its key.
    pub key: String,
    /// When the forecast was made: halfway between its first ticket and its last done.
    pub at: Ts,
    /// When it finished.
    pub finished: Ts,
    /// The 85 % date forecast then (none when no date could be).
    pub p85: Option<String>,
    /// Finished by the 85 % date.
    pub on_time: bool,
}

/// Forecasts each finished work (all children done, at least `min_children`) from its halfway
/// point, with only what was known then, and says whether it finished by the 85 % date.
pub fn backtest(
    works: &[(String, Vec<Child>)],
    team_done: &[Ts],
    min_children: usize,
    opts: &ForecastOptions,
) -> Vec<BacktestCase> {
    let mut out = Vec::new();
    for (key, children) in works {
        if children.len() < min_children || children.iter().any(|c| c.done_at.is_none()) {
            continue;
        }
        let (Some(first), Some(last)) = (
            children.iter().map(|c| c.created_at).min(),
            children.iter().filter_map(|c| c.done_at).max(),
        ) else {
            continue;
        };
        let at = first + (last - first) / 2;
        let f = forecast(children, team_done, at, opts);
        let p85 = f
            .weeks
            .as_ref()
            .filter(|w| w.p85 < opts.max_weeks as f64)
            .map(|w| at + w.p85 as i64 * WEEK);
        out.push(BacktestCase {
            key: key.clone(),
            at,
            finished: last,
            p85: p85.map(day),
            on_time: p85.is_some_and(|p| last <= p),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_core::time::DAY;

    const NOW: Ts = 1_790_000_000; // 2026-09-21T14:13:20Z

    fn child(k: usize, created_days_ago: i64, done_days_ago: Option<i64>) -> Child {
        Child {
            key: format!("T-{k}"),
            created_at: NOW - created_days_ago * DAY,
            done_at: done_days_ago.map(|d| NOW - d * DAY),
        }
    }

    /// Worked by hand: the team finishes exactly 4 tickets every week (12 weeks of history), the
    /// work's 6 finished children are all in the window, out of 48 team tickets: share 1/8, so
    /// 0.5 a week. 10 children, all created 100 days ago (no growth), 6 done: 4 left at 0.5 a week
    /// is 8 weeks in every run.
    #[test]
    fn a_steady_team_finishes_on_a_date_worked_by_hand() {
        let team: Vec<Ts> = (0..12)
            .flat_map(|w| (0..4).map(move |i| NOW - w * WEEK - DAY - i * 3600))
            .collect();
        let children: Vec<Child> = (0..10)
            .map(|k| child(k, 100, (k < 6).then_some(10 + k as i64)))
            .collect();
        let f = forecast(&children, &team, NOW, &ForecastOptions::default());
        assert_eq!((f.total, f.done, f.remaining), (10, 6, 4));
        assert_eq!(f.team_throughput_per_week, 4.0);
        assert_eq!(f.share, 6.0 / 48.0);
        assert_eq!(f.throughput_per_week, 0.5);
        assert_eq!(f.growth_per_week, 0.0);
        let w = f.weeks.unwrap();
        assert_eq!((w.p50, w.p85, w.p95), (8.0, 8.0, 8.0));
        assert_eq!(f.dates.unwrap().p85, Some(day(NOW + 8 * WEEK)));
        assert_eq!(f.unfinished_share, 0.0);
        // The cone reaches the remaining four by week 8, half a ticket a week.
        assert_eq!(f.cone.len(), 8);
        assert_eq!(f.cone[0].done_p50, 6.5);
        assert_eq!(f.cone[7].done_p85, 10.0);
        // The burn-up: 15 weekly points since the first ticket, all 10 in scope throughout.
        assert_eq!(f.burnup.len(), 15);
        assert!(f.burnup.iter().all(|b| b.scope == 10));
        assert_eq!(f.burnup.last().unwrap().done, 6);
    }

    /// Growth is accounted for: the same team and share, but one ticket added every week after
    /// the first (weekly growth 1 > throughput 0.5): the work never finishes, and says so.
    #[test]
    fn scope_that_grows_faster_than_it_is_done_never_finishes() {
        let team: Vec<Ts> = (0..12)
            .flat_map(|w| (0..4).map(move |i| NOW - w * WEEK - DAY - i * 3600))
            .collect();
        let mut children: Vec<Child> = (0..10)
            .map(|k| child(k, 100, (k < 6).then_some(10 + k as i64)))
            .collect();
        for w in 0..12 {
            children.push(child(100 + w, w as i64 * 7 + 2, None));
        }
        let f = forecast(&children, &team, NOW, &ForecastOptions::default());
        assert_eq!(f.growth_per_week, 1.0);
        assert_eq!(f.unfinished_share, 1.0);
        assert!(f.caveats.iter().any(|c| c.contains("did not finish")));
        assert_eq!(f.dates.unwrap().p50, None, "never, at this pace");
    }

    /// Nothing of the work finished yet: the team's whole throughput is assumed, with a caveat;
    /// a team that finishes nothing gets no date.
    #[test]
    fn without_history_it_says_what_it_assumed() {
        let team: Vec<Ts> = (0..12).map(|w| NOW - w * WEEK - DAY).collect();
        let children: Vec<Child> = (0..3).map(|k| child(k, 3, None)).collect();
        let opts = ForecastOptions {
            fallback_share: 0.5,
            ..ForecastOptions::default()
        };
        let f = forecast(&children, &team, NOW, &opts);
        assert_eq!(f.share, 0.5);
        assert_eq!(f.weeks.unwrap().p50, 6.0);
        assert!(f.caveats.iter().any(|c| c.contains("50 %")));
        assert!(f.caveats.iter().any(|c| c.contains("no scope growth")));
        let f = forecast(&children, &[], NOW, &ForecastOptions::default());
        assert!(f.weeks.is_none() && f.dates.is_none());
    }

    /// The backtest forecasts from the halfway point with what was known then.
    #[test]
    fn the_backtest_forecasts_each_finished_work_from_its_halfway_point() {
        let team: Vec<Ts> = (0..30)
            .flat_map(|w| (0..4).map(move |i| NOW - w * WEEK - DAY - i * 3600))
            .collect();
        // Four children created 60 days ago, one done every 7 days from 45 days ago: halfway is
        // 60 - (60 - 24) / 2 = 42 days ago, when one was done and three remained.
        let children: Vec<Child> = (0..4)
            .map(|k| child(k, 60, Some(45 - 7 * k as i64)))
            .collect();
        let cases = backtest(
            &[
                ("E-1".into(), children),
                ("E-2".into(), vec![child(9, 5, None)]),
            ],
            &team,
            2,
            &ForecastOptions::default(),
        );
        assert_eq!(cases.len(), 1, "E-2 is not finished");
        assert_eq!(cases[0].at, NOW - 42 * DAY);
        assert!(cases[0].p85.is_some());
    }
}
