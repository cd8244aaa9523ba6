//! `[planning]`: what capacity planning needs that no provider says — each person's country and
//! time off, company days off, and how on-call and the recommendation are weighed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// `[planning]` in the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanningConfig {
    /// Share of a working day first on-call duty takes (0 to 1).
    pub oncall_day_cost: f64,
    /// Closed sprints the focus factor learns from.
    pub history_sprints: usize,
    /// The chance of finishing the recommended commitment (0.5 to 0.99).
    pub confidence: f64,
    /// Days the whole company is off (`[[planning.holidays]]`).
    pub holidays: Vec<CompanyHoliday>,
    /// People's countries and time off (`[[planning.people]]`).
    pub people: Vec<PlanningPerson>,
}

impl Default for PlanningConfig {
    fn default() -> Self {
        PlanningConfig {
            oncall_day_cost: 0.5,
            history_sprints: 6,
            confidence: 0.85,
            holidays: Vec::new(),
            people: Vec::new(),
        }
    }
}

/// A company day off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyHoliday {
    pub date: NaiveDate,
    pub name: String,
}

/// One person's planning facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanningPerson {
    /// Who: an email, `provider:login` or a person key, as `bosun people` shows them.
    pub who: String,
    /// ISO 3166-1 alpha-2 country code, for public holidays and weekends (`US`, `DE`).
    #[serde(default)]
    pub country: Option<String>,
    /// Days off, first and last day inclusive.
    #[serde(default)]
    pub time_off: Vec<TimeOffRange>,
    /// An iCalendar file of their time off (an out-of-office calendar export): every event in it
    /// is time off. Relative paths are read from the configuration's folder.
    #[serde(default)]
    pub calendar: Option<String>,
}

/// Days off, first and last inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeOffRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl PlanningConfig {
    /// The settings' own consistency (the caller names the file).
    pub fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.oncall_day_cost) {
            return Err(format!(
                "[planning] oncall_day_cost = {}: a share of a day, 0 to 1",
                self.oncall_day_cost
            ));
        }
        if !(0.5..=0.99).contains(&self.confidence) {
            return Err(format!(
                "[planning] confidence = {}: a chance between 0.5 and 0.99",
                self.confidence
            ));
        }
        if self.history_sprints == 0 {
            return Err("[planning] history_sprints must be at least 1".into());
        }
        for p in &self.people {
            if let Some(c) = &p.country
                && (c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()))
            {
                return Err(format!(
                    "[[planning.people]] {}: country {c:?} is not a two-letter ISO 3166 code",
                    p.who
                ));
            }
            if let Some(r) = p.time_off.iter().find(|r| r.to < r.from) {
                return Err(format!(
                    "[[planning.people]] {}: time off {} to {} ends before it starts",
                    p.who, r.from, r.to
                ));
            }
        }
        Ok(())
    }
}
