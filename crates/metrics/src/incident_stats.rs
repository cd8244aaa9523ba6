//! Incident metrics per service and per team: how many started in the window against the window
//! before it, time to acknowledge and to resolve, the share linked to a deployment, and repeats.
//!
//! - An incident counts in the window it **started** in (`[from, to)`); the previous window is as
//!   long and ends at `from`.
//! - **Time to acknowledge / resolve**: start to acknowledgement / resolution, over the incidents
//!   of the window that have one (median and 90th percentile, [`crate::stats::summarize`]).
//! - **Linked to a deployment**: a failed deployment's evidence names the incident (the incident
//!   links it, or it started on the deployment's service within the incident window), the same
//!   evidence that makes the change failure rate and recovery time — so the linked count is the
//!   incidents behind the failed deployments.
//! - **Repeat**: an earlier incident on the same service with the same title, digits aside (so
//!   "Disk usage above 85%" and "Disk usage above 90%" are one kind), started within
//!   [`REPEAT_WINDOW_SECS`] before it.

use crate::stats::{Ratio, Summary, ratio, summarize};
use bosun_core::time::{DAY, Ts};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// An incident repeats one that started at most this long before it.
pub const REPEAT_WINDOW_SECS: i64 = 30 * DAY;

/// One incident's times, as the metrics need them.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentTimes {
    /// Its store id (what deployment evidence names).
    pub id: i64,
    /// Its service's key.
    pub service: Option<String>,
    /// The team owning the service.
    pub team: Option<String>,
    /// Its title.
    pub title: String,
    /// When it started.
    pub started_at: Ts,
    /// When it was first acknowledged.
    pub acknowledged_at: Option<Ts>,
    /// When it was resolved.
    pub resolved_at: Option<Ts>,
}

/// What to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// Per service.
    Service,
    /// Per team owning the service.
    Team,
}

/// The metrics of one service or team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentStats {
    /// The service or team key (`none` when unmapped).
    pub key: String,
    /// Started in the window.
    pub count: usize,
    /// Started in the window before.
    pub previous: usize,
    /// Seconds from start to acknowledgement.
    pub time_to_acknowledge: Summary,
    /// Seconds from start to resolution.
    pub time_to_resolve: Summary,
    /// Of `count`, those a failed deployment's evidence names.
    pub linked_to_deployment: Ratio,
    /// Of `count`, those repeating an earlier one (see the module's definition).
    pub repeats: usize,
    /// The kinds that repeated (titles as first seen), most repeats first.
    pub repeated_titles: Vec<String>,
}

/// A title with its digits aside: lower case, each run of digits as `#`, spaces collapsed.
pub fn title_kind(title: &str) -> String {
    let mut out = String::new();
    let mut in_digits = false;
    for c in title.to_lowercase().chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
            continue;
        }
        in_digits = false;
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// The ids of the incidents that repeat an earlier one (any time, by `started_at`).
pub fn repeats(all: &[IncidentTimes]) -> HashSet<i64> {
    let mut sorted: Vec<&IncidentTimes> = all.iter().collect();
    sorted.sort_by_key(|i| (i.started_at, i.id));
    let mut last: BTreeMap<(Option<&str>, String), Ts> = BTreeMap::new();
    let mut out = HashSet::new();
    for i in sorted {
        let k = (i.service.as_deref(), title_kind(&i.title));
        if let Some(prev) = last.get(&k)
            && i.started_at - prev <= REPEAT_WINDOW_SECS
        {
            out.insert(i.id);
        }
        last.insert(k, i.started_at);
    }
    out
}

/// The metrics of every service (or team) with an incident in `[from, to)` or the window before,
/// most incidents first. `linked` holds the ids failed deployments name.
pub fn incident_stats(
    all: &[IncidentTimes],
    linked: &HashSet<i64>,
    by: GroupBy,
    from: Ts,
    to: Ts,
) -> Vec<IncidentStats> {
    let prev_from = from - (to - from);
    let repeated = repeats(all);
    let key = |i: &IncidentTimes| -> String {
        match by {
            GroupBy::Service => i.service.clone(),
            GroupBy::Team => i.team.clone(),
        }
        .unwrap_or_else(|| "none".into())
    };
    let mut groups: BTreeMap<String, (Vec<&IncidentTimes>, usize)> = BTreeMap::new();
    for i in all {
        if i.started_at >= from && i.started_at < to {
            groups.entry(key(i)).or_default().0.push(i);
        } else if i.started_at >= prev_from && i.started_at < from {
            groups.entry(key(i)).or_default().1 += 1;
        }
    }
    let mut out: Vec<IncidentStats> = groups
        .into_iter()
        .map(|(key, (now, previous))| {
            let secs = |end: fn(&IncidentTimes) -> Option<Ts>| -> Vec<f64> {
                now.iter()
                    .filter_map(|i| end(i).map(|e| (e - i.started_at).max(0) as f64))
                    .collect()
            };
            let mut kinds: BTreeMap<String, (usize, String)> = BTreeMap::new();
            for i in now.iter().filter(|i| repeated.contains(&i.id)) {
                kinds
                    .entry(title_kind(&i.title))
                    .or_insert_with(|| (0, i.title.clone()))
                    .0 += 1;
            }
            let mut kinds: Vec<(usize, String)> = kinds.into_values().collect();
            kinds.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            IncidentStats {
                count: now.len(),
                previous,
                time_to_acknowledge: summarize(secs(|i| i.acknowledged_at)),
                time_to_resolve: summarize(secs(|i| i.resolved_at)),
                linked_to_deployment: ratio(
                    now.iter().filter(|i| linked.contains(&i.id)).count(),
                    now.len(),
                ),
                repeats: now.iter().filter(|i| repeated.contains(&i.id)).count(),
                repeated_titles: kinds.into_iter().map(|(_, t)| t).collect(),
                key,
            }
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc(
        id: i64,
        service: &str,
        title: &str,
        start: Ts,
        ack: Option<Ts>,
        res: Option<Ts>,
    ) -> IncidentTimes {
        IncidentTimes {
            id,
            service: Some(service.into()),
            team: Some(if service == "web" { "front" } else { "back" }.into()),
            title: title.into(),
            started_at: start,
            acknowledged_at: ack.map(|a| start + a),
            resolved_at: res.map(|r| start + r),
        }
    }

    #[test]
    fn titles_differing_in_digits_are_one_kind() {
        assert_eq!(
            title_kind("Disk usage above  85% on db-2"),
            "disk usage above #% on db-#"
        );
        assert_eq!(
            title_kind("Disk usage above 90% on db-11"),
            title_kind("disk usage above 85% on DB-2")
        );
    }

    #[test]
    fn counts_times_links_and_repeats_per_service_and_team() {
        let d = DAY;
        let all = vec![
            // The window is [100d, 130d); the one before [70d, 100d).
            inc(
                1,
                "api",
                "Disk usage above 85%",
                80 * d,
                Some(600),
                Some(3_600),
            ),
            inc(
                2,
                "api",
                "Disk usage above 90%",
                105 * d,
                Some(300),
                Some(7_200),
            ),
            inc(3, "api", "Latency high", 110 * d, Some(900), None),
            inc(4, "api", "Disk usage above 95%", 120 * d, None, None),
            inc(
                5,
                "web",
                "Certificate expiring",
                101 * d,
                Some(60),
                Some(120),
            ),
            // Too old to count anywhere, but a repeat needs the earlier one within 30 days.
            inc(
                6,
                "web",
                "Certificate expiring",
                20 * d,
                Some(60),
                Some(120),
            ),
        ];
        let linked: HashSet<i64> = [2, 5].into();
        let s = incident_stats(&all, &linked, GroupBy::Service, 100 * d, 130 * d);
        assert_eq!(s.len(), 2);
        let api = &s[0];
        assert_eq!((api.key.as_str(), api.count, api.previous), ("api", 3, 1));
        assert_eq!(api.time_to_acknowledge.n, 2);
        assert_eq!(api.time_to_acknowledge.median, Some(600.0));
        assert_eq!(api.time_to_resolve.n, 1);
        assert_eq!(api.time_to_resolve.median, Some(7_200.0));
        assert_eq!(
            (
                api.linked_to_deployment.part,
                api.linked_to_deployment.total
            ),
            (1, 3)
        );
        // 2 repeats 1 (25 days before), 4 repeats 2; 3 is its own kind.
        assert_eq!(api.repeats, 2);
        assert_eq!(
            api.repeated_titles,
            vec!["Disk usage above 90%".to_string()]
        );
        let web = &s[1];
        assert_eq!(
            (web.count, web.previous, web.repeats),
            (1, 0, 0),
            "81 days apart"
        );
        let teams = incident_stats(&all, &linked, GroupBy::Team, 100 * d, 130 * d);
        assert_eq!(
            teams
                .iter()
                .map(|t| (t.key.as_str(), t.count))
                .collect::<Vec<_>>(),
            vec![("back", 3), ("front", 1)]
        );
    }
}
