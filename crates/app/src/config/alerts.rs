//! `[alerts]`: the daily budget, quiet hours, the least severity alerted and when an open signal
//! escalates.

use crate::{AppError, Result};
use bosun_signals::Severity;
use bosun_signals::alerts::{self, AlertSettings};
use serde::{Deserialize, Serialize};

/// `[alerts]` in the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    pub daily_budget: usize,
    pub quiet_hours: String,
    pub min_severity: String,
    pub escalate_after_hours: f64,
}

impl AlertsConfig {
    /// The engine's settings, in the manager's time zone.
    pub fn settings(&self, utc_offset_minutes: i32) -> Result<AlertSettings> {
        let bad = |m: String| AppError::Config {
            path: "[alerts]".into(),
            message: m,
        };
        let (quiet_start, quiet_end) = alerts::parse_quiet_hours(&self.quiet_hours).map_err(bad)?;
        let min_severity = Severity::parse(&self.min_severity).ok_or_else(|| {
            bad(format!(
                "min_severity {:?}: expected low, medium or high",
                self.min_severity
            ))
        })?;
        Ok(AlertSettings {
            daily_budget: self.daily_budget,
            quiet_start,
            quiet_end,
            min_severity,
            escalate_after_hours: self.escalate_after_hours,
            utc_offset_minutes,
            incident_teams: Vec::new(),
        })
    }
}
