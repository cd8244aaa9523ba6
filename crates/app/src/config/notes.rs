//! `[notes]`, `[llm]` and `[privacy]`: where notes go and when the brief is due, the language
//! model that may polish them, and what leaves the machine.

use crate::{AppError, Result};
use bosun_notes::redact::PrivacyTier;
use serde::{Deserialize, Serialize};

/// `[notes]` in the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotesConfig {
    pub folder: String,
    pub one_on_one_days: i64,
    pub brief_at: String,
    /// The day the weekly delivery digest is drafted for each team's channel (`mon` … `sun`),
    /// or `off`.
    #[serde(default = "default_digest_day")]
    pub digest_day: String,
}

fn default_digest_day() -> String {
    "fri".into()
}

/// `[llm]` in the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    pub enabled: bool,
    pub base_url: String,
    pub model: String,
    pub timeout_secs: u64,
    pub max_tokens: u32,
    pub daily_token_budget: u64,
}

/// `[privacy]` in the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    pub tier: String,
}

impl PrivacyConfig {
    pub fn parsed(&self) -> Result<PrivacyTier> {
        PrivacyTier::parse(&self.tier).ok_or_else(|| AppError::Config {
            path: "[privacy]".into(),
            message: format!("tier {:?}: expected standard, names or local", self.tier),
        })
    }
}

/// `HH:MM` → minutes after midnight.
pub fn parse_clock(s: &str) -> Option<i64> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m)).then_some(h * 60 + m)
}

/// Checks for `Config::validate`: the message names the section.
pub fn validate(
    notes: &NotesConfig,
    llm: &LlmConfig,
    privacy: &PrivacyConfig,
) -> std::result::Result<(), String> {
    if notes.one_on_one_days < 1 {
        return Err("[notes] one_on_one_days must be at least 1".into());
    }
    if !notes.brief_at.is_empty() && parse_clock(&notes.brief_at).is_none() {
        return Err(format!(
            "[notes] brief_at {:?}: expected HH:MM (24-hour) or \"\" for no brief",
            notes.brief_at
        ));
    }
    let day = notes.digest_day.trim().to_ascii_lowercase();
    if day != "off"
        && !["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .any(|d| day.starts_with(d))
    {
        return Err(format!(
            "[notes] digest_day {:?}: expected a day of the week (mon … sun) or \"off\"",
            notes.digest_day
        ));
    }
    if llm.timeout_secs == 0 {
        return Err("[llm] timeout_secs must be at least 1".into());
    }
    if !(llm.base_url.starts_with("http://") || llm.base_url.starts_with("https://")) {
        return Err(format!(
            "[llm] base_url {:?}: expected an http(s) URL",
            llm.base_url
        ));
    }
    if PrivacyTier::parse(&privacy.tier).is_none() {
        return Err(format!(
            "[privacy] tier {:?}: expected standard, names or local",
            privacy.tier
        ));
    }
    Ok(())
}
