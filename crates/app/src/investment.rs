//! Investment balance per team and month (issue 20.2): the metrics engine counts finished tickets
//! by category; this decides which were unplanned — incident follow-ups (a `[signals]
//! followup_labels` label) and hotfixes (a `hotfix` label or issue type, or a summary that starts
//! with "hotfix") — and says the rules with the numbers.

use crate::{App, Result};
use bosun_core::time::{Ts, from_ts, rfc3339};
use bosun_metrics::dora::Scope;
use bosun_metrics::investment::{self, Month};
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

/// Months shown when none are asked for: the current one and the five before.
pub const DEFAULT_MONTHS: u32 = 6;

/// `bosun metrics investment`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InvestmentView {
    /// The window: the first day of the oldest month to now.
    pub since: String,
    pub until: String,
    pub team: Option<String>,
    /// How each finished ticket was counted, in words.
    pub rules: Vec<String>,
    /// Per team and month, oldest first.
    pub months: Vec<Month>,
}

/// Why the ticket was unplanned work, when it was.
fn unplanned_because(
    labels: &[String],
    issue_type: Option<&str>,
    summary: &str,
    followup_labels: &[String],
) -> Option<String> {
    if let Some(l) = labels
        .iter()
        .find(|l| followup_labels.iter().any(|f| f.eq_ignore_ascii_case(l)))
    {
        return Some(format!("incident follow-up (label {l})"));
    }
    if let Some(l) = labels.iter().find(|l| l.eq_ignore_ascii_case("hotfix")) {
        return Some(format!("hotfix (label {l})"));
    }
    if issue_type.is_some_and(|t| t.eq_ignore_ascii_case("hotfix")) {
        return Some("hotfix (issue type)".into());
    }
    let s = summary.trim_start().to_ascii_lowercase();
    s.starts_with("hotfix")
        .then(|| "hotfix (summary)".to_string())
}

/// The first day (UTC) of the month `months - 1` months before `now`'s.
fn window_start(now: Ts, months: u32) -> Ts {
    let d = from_ts(now).date_naive();
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1)
        .and_then(|first| first.checked_sub_months(Months::new(months.saturating_sub(1))))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(now, |t| t.and_utc().timestamp())
}

impl App {
    /// The investment balance of `team` (every team apart when none) over the last `months`
    /// calendar months, the current one included.
    pub fn investment(&self, team: Option<&str>, months: u32) -> Result<InvestmentView> {
        let data = {
            let store = self.store()?;
            crate::metrics::load(store.conn())?
        };
        self.investment_of(&data, team, months)
    }

    /// [`App::investment`] over a dataset already loaded (the API's cached one).
    pub fn investment_of(
        &self,
        data: &bosun_metrics::data::Dataset,
        team: Option<&str>,
        months: u32,
    ) -> Result<InvestmentView> {
        let team = team.map(|t| self.team_key(t)).transpose()?;
        let now = self.now();
        let since = window_start(now, months.max(1));
        let store = self.store()?;
        let followup = &self.config.signals.followup_labels;
        let unplanned: HashMap<i64, String> = bosun_store::planning::ticket_marks(store.conn())?
            .into_iter()
            .filter_map(|m| {
                unplanned_because(&m.labels, m.issue_type.as_deref(), &m.summary, followup)
                    .map(|why| (m.id, why))
            })
            .collect();
        let scope = Scope {
            since,
            until: now,
            team: team.clone(),
            repo: None,
        };
        let months = investment::investment(data, &scope, &unplanned);
        let rules = vec![
            "A ticket counts once, in the month (UTC) it was done, for its team: items, and story points where it has them.".to_string(),
            format!(
                "Unplanned: incident follow-ups (a label among {}) and hotfixes (a \"hotfix\" label or issue type, or a summary starting \"hotfix\"); this wins over the work type.",
                followup.join(", ")
            ),
            "Otherwise its work type: feature, defect, debt or risk from its issue type (a Jira source's `work_types` setting overrides the defaults), else other.".to_string(),
        ];
        Ok(InvestmentView {
            since: rfc3339(since),
            until: rfc3339(now),
            team,
            rules,
            months,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unplanned_work_is_named_by_labels_type_or_summary() {
        let f = vec!["postmortem".to_string()];
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            unplanned_because(&l(&["PostMortem", "QA1"]), None, "x", &f).as_deref(),
            Some("incident follow-up (label PostMortem)")
        );
        assert_eq!(
            unplanned_because(&l(&["hotfix"]), None, "x", &f).as_deref(),
            Some("hotfix (label hotfix)")
        );
        assert!(unplanned_because(&[], Some("Hotfix"), "x", &f).is_some());
        assert!(unplanned_because(&[], None, "Hotfix: login 500s", &f).is_some());
        assert!(
            unplanned_because(&l(&["backend"]), Some("Story"), "Add hotfix docs", &f).is_none()
        );
    }

    #[test]
    fn the_window_starts_on_the_first_of_the_oldest_month() {
        let now = 1_795_000_000; // 2026-11-19
        assert_eq!(rfc3339(window_start(now, 6)), "2026-06-01T00:00:00Z");
        assert_eq!(rfc3339(window_start(now, 1)), "2026-11-01T00:00:00Z");
    }
}
