//! `[actions]`: where the policy files are and how delivery retries.

use serde::{Deserialize, Serialize};

/// `[actions]` in the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionsConfig {
    pub policy_dir: String,
    pub max_attempts: u32,
    pub retry_backoff_ms: u64,
}

/// `[incidents]` in the configuration: status updates while an incident is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IncidentsConfig {
    /// Minutes between status update drafts while an incident is open; 0: none drafted.
    pub update_every_minutes: i64,
    /// The Slack channel (without `#`) responders follow the incident in.
    pub channel: String,
    /// The Slack channel for stakeholders' updates; empty: that draft is only shown.
    pub stakeholder_channel: String,
}

impl Default for IncidentsConfig {
    fn default() -> Self {
        IncidentsConfig {
            update_every_minutes: 30,
            channel: "incidents".into(),
            stakeholder_channel: String::new(),
        }
    }
}
