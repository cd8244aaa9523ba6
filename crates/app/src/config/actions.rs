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
