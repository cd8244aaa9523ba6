//! `bosun incident --metrics`: incident metrics per service or team over a window, against the
//! window before it (definitions in `bosun_metrics::incident_stats`).

use crate::{App, Result};
use bosun_core::time::{DAY, Ts, rfc3339};
use bosun_metrics::dora::{self, DoraOptions, FailureEvidence};
use bosun_metrics::incident_stats::{self, GroupBy, IncidentTimes};
use bosun_store::incidents as rows;
use serde::Serialize;
use std::collections::HashSet;

/// The default window: the last 90 days.
pub const DEFAULT_DAYS: i64 = 90;

/// One service's or team's incident metrics.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncidentStatsView {
    /// The service or team key (`none`: not mapped).
    pub key: String,
    /// Started in the window.
    pub count: usize,
    /// Started in the window before (as long).
    pub previous: usize,
    /// Start to acknowledgement, seconds: median, 90th percentile, over `acknowledged` incidents.
    pub acknowledge_median_secs: Option<f64>,
    pub acknowledge_p90_secs: Option<f64>,
    pub acknowledged: usize,
    /// Start to resolution, seconds: median, 90th percentile, over `resolved` incidents.
    pub resolve_median_secs: Option<f64>,
    pub resolve_p90_secs: Option<f64>,
    pub resolved: usize,
    /// Of `count`, those a failed deployment's evidence names (what change failure rate counts).
    pub linked_to_deployment: usize,
    /// Of `count`, those repeating an earlier one on the service within 30 days.
    pub repeats: usize,
    /// The titles that repeated.
    pub repeated_titles: Vec<String>,
}

/// `bosun incident --metrics`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncidentMetricsView {
    pub from: String,
    pub to: String,
    /// `service` or `team`.
    pub by: String,
    /// Most incidents first.
    pub groups: Vec<IncidentStatsView>,
}

impl App {
    /// Incident metrics over the `days` before now, per service (or team when `by_team`).
    pub fn incident_metrics(&self, days: i64, by_team: bool) -> Result<IncidentMetricsView> {
        let days = days.max(1);
        let to: Ts = self.now();
        let from = to - days * DAY;
        let store = self.store()?;
        let conn = store.conn();
        let all: Vec<IncidentTimes> = rows::list(conn)?
            .into_iter()
            .map(|i| IncidentTimes {
                id: i.id,
                service: i.service,
                team: i.team,
                title: i.title,
                started_at: i.created_at,
                acknowledged_at: i.acknowledged_at,
                resolved_at: i.resolved_at,
            })
            .collect();
        let data = crate::metrics::load(conn)?;
        drop(store);
        let analysis = dora::analyse(&data, &DoraOptions::default());
        let linked: HashSet<i64> = analysis
            .records
            .iter()
            .flat_map(|r| &r.failures)
            .filter_map(|f| match f {
                FailureEvidence::IncidentLink { incident, .. }
                | FailureEvidence::IncidentAfter { incident, .. } => Some(*incident),
                _ => None,
            })
            .collect();
        let by = if by_team {
            GroupBy::Team
        } else {
            GroupBy::Service
        };
        let groups = incident_stats::incident_stats(&all, &linked, by, from, to)
            .into_iter()
            .map(|s| IncidentStatsView {
                key: s.key,
                count: s.count,
                previous: s.previous,
                acknowledge_median_secs: s.time_to_acknowledge.median,
                acknowledge_p90_secs: s.time_to_acknowledge.p90,
                acknowledged: s.time_to_acknowledge.n,
                resolve_median_secs: s.time_to_resolve.median,
                resolve_p90_secs: s.time_to_resolve.p90,
                resolved: s.time_to_resolve.n,
                linked_to_deployment: s.linked_to_deployment.part,
                repeats: s.repeats,
                repeated_titles: s.repeated_titles,
            })
            .collect();
        Ok(IncidentMetricsView {
            from: rfc3339(from),
            to: rfc3339(to),
            by: if by_team { "team" } else { "service" }.into(),
            groups,
        })
    }
}
