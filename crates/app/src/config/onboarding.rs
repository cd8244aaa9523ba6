//! `[onboarding]`: who joined when (where no provider says), how recent a joiner is listed, and
//! which ticket labels mark a good first ticket.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[onboarding]` in the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OnboardingConfig {
    /// Join dates: a person (an email, `provider:login`, a key or a name) = `YYYY-MM-DD`. Anyone
    /// else's join date is their first activity, when it came well after the synced history
    /// begins.
    pub joined: BTreeMap<String, NaiveDate>,
    /// People who joined within this many days are listed as joiners.
    pub window_days: i64,
    /// Labels of a good first ticket (any case).
    pub starter_labels: Vec<String>,
}

impl Default for OnboardingConfig {
    fn default() -> Self {
        OnboardingConfig {
            joined: BTreeMap::new(),
            window_days: 90,
            starter_labels: [
                "good-first-issue",
                "good first issue",
                "good-first-bug",
                "starter",
                "beginner",
                "onboarding",
                "first-timers-only",
                "easy",
            ]
            .map(str::to_string)
            .to_vec(),
        }
    }
}
