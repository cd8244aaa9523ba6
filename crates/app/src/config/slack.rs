//! `[slack]`: slash commands over Socket Mode.

use serde::{Deserialize, Serialize};

/// `[slack]` in the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    /// Answer slash commands (`/standup`, `/ask`, …) over Socket Mode while the app or `bosun
    /// serve` runs, when the Slack source has an app-level token.
    pub commands: bool,
    /// Documents an `/ask` answer may show to a whole channel (policy permitting): paths as
    /// Ask shows them, or the names of indexed folders; a prefix matches what is under it.
    pub shareable_docs: Vec<String>,
}

impl Default for SlackConfig {
    fn default() -> Self {
        SlackConfig {
            commands: true,
            shareable_docs: Vec::new(),
        }
    }
}

impl SlackConfig {
    /// Whether a document Ask cited (`file` under the indexed folder `root`) is shareable.
    pub fn shareable(&self, root: &str, file: &str) -> bool {
        let folder = std::path::Path::new(root)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        self.shareable_docs.iter().any(|p| {
            let p = p.trim().trim_end_matches('/');
            !p.is_empty()
                && (p == folder
                    || p == root.trim_end_matches('/')
                    || file == p
                    || file.starts_with(&format!("{p}/")))
        })
    }
}
