//! Which signals become notifications. New (and reopened) signals at or above a minimum severity
//! alert once per episode; an escalation alerts only once it has persisted for a while; nothing
//! alerts during the manager's quiet hours (those alerts are held and released when the quiet
//! hours end, if the signal is still open); at most a daily budget of alerts is delivered per local
//! day, most severe first — the rest are kept, marked as over budget, for the Today page.
//!
//! A page is different: a new high-urgency incident on a service of the manager's teams
//! ([`AlertSettings::incident_teams`]) alerts at once, outside the daily budget and the quiet
//! hours (pausing alerts in the app still silences it).

use crate::model::Severity;
use crate::time::{DAY, HOUR, local_clock};
use bosun_core::time::Ts;
use serde::{Deserialize, Serialize};

/// When and how much the manager is interrupted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertSettings {
    /// Alerts delivered per local day at most.
    pub daily_budget: usize,
    /// Local minutes after midnight: quiet from `quiet_start` to `quiet_end` (may wrap midnight).
    pub quiet_start: i64,
    /// See `quiet_start`.
    pub quiet_end: i64,
    /// Signals below this severity never alert.
    pub min_severity: Severity,
    /// An escalation alerts once it has held this long.
    pub escalate_after_hours: f64,
    /// The manager's time zone, minutes east of UTC.
    pub utc_offset_minutes: i32,
    /// The teams whose high-urgency incidents alert at once; empty: every team's.
    pub incident_teams: Vec<String>,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            daily_budget: 5,
            quiet_start: 19 * 60,
            quiet_end: 8 * 60,
            min_severity: Severity::Medium,
            escalate_after_hours: 4.0,
            utc_offset_minutes: 0,
            incident_teams: Vec::new(),
        }
    }
}

/// `HH:MM-HH:MM` → (start, end) in minutes after midnight. Equal ends mean no quiet hours.
pub fn parse_quiet_hours(s: &str) -> Result<(i64, i64), String> {
    let bad = || format!("quiet hours {s:?}: expected HH:MM-HH:MM, e.g. \"19:00-08:00\"");
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let one = |t: &str| -> Result<i64, String> {
        let (h, m) = t.trim().split_once(':').ok_or_else(bad)?;
        let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if !(0..24).contains(&h) || !(0..60).contains(&m) {
            return Err(bad());
        }
        Ok(h * 60 + m)
    };
    Ok((one(a)?, one(b)?))
}

/// Whether local minute-of-day `m` is in the quiet window.
pub fn in_quiet(m: i64, start: i64, end: i64) -> bool {
    if start == end {
        false
    } else if start < end {
        m >= start && m < end
    } else {
        m >= start || m < end
    }
}

impl AlertSettings {
    /// Whether `t` falls in the manager's quiet hours.
    pub fn quiet_at(&self, t: Ts) -> bool {
        in_quiet(
            local_clock(t, self.utc_offset_minutes).0,
            self.quiet_start,
            self.quiet_end,
        )
    }

    /// Start of the manager's local day containing `t` (UTC seconds).
    pub fn day_start(&self, t: Ts) -> Ts {
        let off = i64::from(self.utc_offset_minutes) * 60;
        (t + off).div_euclid(DAY) * DAY - off
    }
}

/// Why a signal alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// It is new.
    New,
    /// It got worse (its severity rose).
    Escalated,
}

impl AlertKind {
    /// Its name in the store.
    pub const fn as_str(self) -> &'static str {
        match self {
            AlertKind::New => "new",
            AlertKind::Escalated => "escalated",
        }
    }
}

/// A signal that may deserve an alert now.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The stored signal.
    pub signal_id: i64,
    /// New or escalated.
    pub kind: AlertKind,
    /// Its severity now.
    pub severity: Severity,
    /// New: when it was first seen; escalated: when it escalated.
    pub since: Ts,
    /// The signal's title.
    pub title: String,
    /// The signal's one-line why.
    pub why: String,
    /// An alert of this kind was already recorded for this episode (delivered, held or over
    /// budget): never alert twice.
    pub already: bool,
    /// A held alert (quiet hours) from earlier, to release now.
    pub held_alert: Option<i64>,
    /// It is about an open high-urgency incident.
    pub urgent_incident: bool,
    /// The team it belongs to.
    pub team: Option<String>,
}

impl Candidate {
    /// A page: a new high-urgency incident on one of `settings`' incident teams.
    pub fn is_page(&self, settings: &AlertSettings) -> bool {
        self.urgent_incident
            && self.kind == AlertKind::New
            && (settings.incident_teams.is_empty()
                || self
                    .team
                    .as_ref()
                    .is_some_and(|t| settings.incident_teams.contains(t)))
    }
}

/// What happens to a candidate alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Delivered now.
    Deliver,
    /// Delivered now as a page ([`Candidate::is_page`]): outside the budget and quiet hours.
    Page,
    /// Held for the end of the quiet hours.
    HeldQuietHours,
    /// Not delivered: the day's budget was spent.
    OverBudget,
}

/// A candidate alert and what happens to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The candidate.
    pub candidate: Candidate,
    /// What happens to it.
    pub outcome: Outcome,
    /// Why it fired (or why it did not), for the notification and the record.
    pub reason: String,
}

/// Decide what to deliver now. `delivered_today` counts alerts already delivered in the
/// manager's current local day.
pub fn plan(
    candidates: Vec<Candidate>,
    delivered_today: usize,
    settings: &AlertSettings,
    as_of: Ts,
) -> Vec<Decision> {
    let mut eligible: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| c.severity >= settings.min_severity)
        .filter(|c| c.held_alert.is_some() || !c.already)
        .filter(|c| {
            c.kind != AlertKind::Escalated
                || (as_of - c.since) as f64 >= settings.escalate_after_hours * HOUR as f64
        })
        .collect();
    eligible.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then((b.kind == AlertKind::Escalated).cmp(&(a.kind == AlertKind::Escalated)))
            .then(a.since.cmp(&b.since))
            .then(a.signal_id.cmp(&b.signal_id))
    });
    let quiet = settings.quiet_at(as_of);
    let mut left = settings.daily_budget.saturating_sub(delivered_today);
    eligible
        .into_iter()
        .filter_map(|c| {
            if c.is_page(settings) {
                return Some(Decision {
                    reason: "a new high-urgency incident on your team's service: notified at once, outside the daily budget and quiet hours".into(),
                    outcome: Outcome::Page,
                    candidate: c,
                });
            }
            let what = match c.kind {
                AlertKind::New => format!("new {} signal", c.severity.as_str()),
                AlertKind::Escalated => format!(
                    "escalated to {} and still so after {:.0} h",
                    c.severity.as_str(),
                    (as_of - c.since) as f64 / HOUR as f64
                ),
            };
            if quiet {
                // Already held: stays held, nothing new to record.
                return c.held_alert.is_none().then(|| Decision {
                    reason: format!("{what}; held: quiet hours"),
                    outcome: Outcome::HeldQuietHours,
                    candidate: c,
                });
            }
            let (outcome, reason) = if left > 0 {
                left -= 1;
                (Outcome::Deliver, what)
            } else {
                (
                    Outcome::OverBudget,
                    format!(
                        "{what}; not notified: the daily budget of {} alerts is spent",
                        settings.daily_budget
                    ),
                )
            };
            Some(Decision {
                candidate: c,
                outcome,
                reason,
            })
        })
        .collect()
}
