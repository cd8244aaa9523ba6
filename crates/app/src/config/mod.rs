//! Configuration in layers: commented defaults embedded in the binary, then the user's TOML
//! file, then `BOSUN_<SECTION>_<KEY>` environment variables; validated once into [`Config`].
//! Bosun never rewrites the user's file.

mod actions;
mod alerts;
mod notes;
mod onboarding;
mod planning;
mod slack;

use crate::{AppError, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub use actions::{ActionsConfig, IncidentsConfig};
pub use alerts::AlertsConfig;
pub use notes::{LlmConfig, NotesConfig, PrivacyConfig, parse_clock, validate};
pub use onboarding::OnboardingConfig;
pub use planning::{CompanyHoliday, PlanningConfig, PlanningPerson, TimeOffRange};
pub use slack::SlackConfig;

pub const DEFAULTS: &str = include_str!("../defaults.toml");
pub const VERSION: i64 = 1;

/// The file's name, beside the configuration file.
pub const ORG_FILE: &str = "org.toml";

/// Where the organisation file of the configuration `config_file` lives.
pub fn org_file(config_file: &Path) -> PathBuf {
    config_file.with_file_name(ORG_FILE)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub version: i64,
    pub teams: Vec<TeamConfig>,
    pub people: Vec<PersonConfig>,
    pub services: Vec<ServiceConfig>,
    pub identity: IdentityConfig,
    pub metrics: MetricsConfig,
    pub sync: SyncConfig,
    pub signals: bosun_signals::Settings,
    pub alerts: AlertsConfig,
    pub actions: ActionsConfig,
    #[serde(default)]
    pub incidents: IncidentsConfig,
    #[serde(default)]
    pub planning: PlanningConfig,
    #[serde(default)]
    pub onboarding: OnboardingConfig,
    #[serde(default)]
    pub slack: SlackConfig,
    pub notes: NotesConfig,
    pub llm: LlmConfig,
    pub privacy: PrivacyConfig,
    pub retention: RetentionConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamConfig {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub manager: Option<String>,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub repos: Vec<String>,
    #[serde(default)]
    pub boards: Vec<String>,
    #[serde(default)]
    pub channels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonConfig {
    pub name: String,
    pub accounts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    pub name: String,
    #[serde(default)]
    pub repo: Option<String>,
    #[serde(default)]
    pub pagerduty: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    pub me: String,
    /// People who report to `me` directly (besides the members of teams `me` manages).
    pub reports: Vec<String>,
    pub company_domains: Vec<String>,
    pub bot_patterns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Whether DORA's lead time counts bots' changes (the definition) or leaves them out.
    pub lead_time_bots: bosun_metrics::dora::Bots,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncConfig {
    pub concurrency: usize,
    pub timeout_secs: u64,
    pub max_attempts: u32,
    pub max_rate_wait_secs: u64,
}

/// How long synced data is kept (docs/data.md); 0 = forever. Applied after every sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Days a provider's raw response is kept after it was fetched.
    pub raw_payloads_days: u32,
    /// Days a chat message keeps its text after it was posted (the message itself stays).
    pub chat_text_days: u32,
}

impl Config {
    /// Load the layers. A missing file is fine (defaults); an unreadable or invalid one is an
    /// error naming the file and the problem. The organisation Bosun keeps for you
    /// ([`ORG_FILE`], beside `path`) comes between the defaults and your file.
    pub fn load(path: &Path) -> Result<Config> {
        let read = |path: &Path| match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(AppError::Config {
                path: path.display().to_string(),
                message: e.to_string(),
            }),
        };
        let user = read(path)?;
        let org_path = org_file(path);
        let org = read(&org_path)?;
        let env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("BOSUN_"))
            .collect();
        if let Some(text) = &org {
            // Checked on its own first, so a broken file names itself.
            Config::from_layers(Some(text), &[], &org_path.display().to_string())?;
        }
        Config::from_all_layers(
            org.as_deref(),
            user.as_deref(),
            &env,
            &path.display().to_string(),
        )
    }

    pub fn defaults() -> Config {
        Config::from_layers(None, &[], "<defaults>")
            .unwrap_or_else(|e| unreachable!("built-in defaults are valid: {e}"))
    }

    pub fn from_layers(
        user: Option<&str>,
        env: &[(String, String)],
        origin: &str,
    ) -> Result<Config> {
        Config::from_all_layers(None, user, env, origin)
    }

    /// The layers in order: defaults, the organisation Bosun keeps (`org`), the user's file,
    /// the environment. Teams and people of `org` and the user's file add up (a team the user's
    /// file names by the same key replaces Bosun's); any other setting the user's file names wins.
    pub fn from_all_layers(
        org: Option<&str>,
        user: Option<&str>,
        env: &[(String, String)],
        origin: &str,
    ) -> Result<Config> {
        let err = |message: String| AppError::Config {
            path: origin.to_string(),
            message,
        };
        let mut merged: toml::Table = DEFAULTS
            .parse()
            .map_err(|e: toml::de::Error| err(format!("built-in defaults: {e}")))?;
        let parse = |text: &str| -> Result<toml::Table> {
            let table: toml::Table = text
                .parse()
                .map_err(|e: toml::de::Error| err(e.to_string().trim().to_string()))?;
            if let Some(v) = table.get("version").and_then(toml::Value::as_integer)
                && v > VERSION
            {
                return Err(err(format!(
                    "written for config version {v}; this Bosun understands version {VERSION}"
                )));
            }
            Ok(table)
        };
        let org = org.map(parse).transpose()?;
        let mut user = user.map(parse).transpose()?;
        if let Some(table) = org {
            if let Some(u) = user.as_mut() {
                add_up_lists(&table, u);
            }
            merge(&mut merged, table, "").map_err(err)?;
        }
        if let Some(table) = user {
            merge(&mut merged, table, "").map_err(err)?;
        }
        apply_env(&mut merged, env).map_err(err)?;
        let config: Config = toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| err(e.to_string().trim().to_string()))?;
        config.validate().map_err(err)?;
        Ok(config)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let mut keys = std::collections::BTreeSet::new();
        for t in &self.teams {
            if !is_valid_key(&t.key) {
                return Err(format!(
                    "[[teams]] key {:?}: use letters, digits, '-' and '_'",
                    t.key
                ));
            }
            if !keys.insert(t.key.clone()) {
                return Err(format!("[[teams]] key {:?} appears twice", t.key));
            }
        }
        if self.sync.concurrency == 0 || self.sync.concurrency > 64 {
            return Err(format!(
                "[sync] concurrency must be between 1 and 64, not {}",
                self.sync.concurrency
            ));
        }
        if self.sync.max_attempts == 0 {
            return Err("[sync] max_attempts must be at least 1".into());
        }
        if self.sync.timeout_secs == 0 {
            return Err("[sync] timeout_secs must be at least 1".into());
        }
        self.alerts.settings(0).map_err(|e| match e {
            AppError::Config { message, .. } => format!("[alerts] {message}"),
            e => e.to_string(),
        })?;
        if self.actions.max_attempts == 0 {
            return Err("[actions] max_attempts must be at least 1".into());
        }
        if !(0..=24 * 60).contains(&self.incidents.update_every_minutes) {
            return Err(format!(
                "[incidents] update_every_minutes must be between 0 (off) and 1440, not {}",
                self.incidents.update_every_minutes
            ));
        }
        notes::validate(&self.notes, &self.llm, &self.privacy)?;
        self.planning.check()?;
        Ok(())
    }

    pub fn http(&self) -> bosun_connectors::http::HttpConfig {
        bosun_connectors::http::HttpConfig {
            timeout: std::time::Duration::from_secs(self.sync.timeout_secs),
            max_attempts: self.sync.max_attempts,
            max_rate_wait: std::time::Duration::from_secs(self.sync.max_rate_wait_secs),
            concurrency: self.sync.concurrency,
            ..Default::default()
        }
    }
}

/// Whether `key` may name a team or a source: letters, digits, `-` and `_`, not empty.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Before the user's file is laid over Bosun's organisation: its `teams` and `people` become
/// Bosun's plus its own (a team of the same key is the user's), instead of replacing them.
fn add_up_lists(org: &toml::Table, user: &mut toml::Table) {
    let key_of = |v: &toml::Value| {
        v.get("key")
            .and_then(toml::Value::as_str)
            .map(str::to_string)
    };
    for list in ["teams", "people"] {
        let (Some(toml::Value::Array(ours)), Some(toml::Value::Array(theirs))) =
            (org.get(list), user.get(list))
        else {
            continue;
        };
        let their_keys: Vec<String> = theirs.iter().filter_map(key_of).collect();
        let mut all: Vec<toml::Value> = ours
            .iter()
            .filter(|v| key_of(v).is_none_or(|k| !their_keys.contains(&k)))
            .cloned()
            .collect();
        all.extend(theirs.iter().cloned());
        user.insert(list.to_string(), toml::Value::Array(all));
    }
}

/// Overlay `over` on `base`; a key the defaults do not know is an error (typos are caught). A
/// table the defaults leave empty is a map the user fills (`[onboarding] joined`): taken whole.
fn merge(
    base: &mut toml::Table,
    over: toml::Table,
    prefix: &str,
) -> std::result::Result<(), String> {
    for (k, v) in over {
        let name = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) if b.is_empty() => *b = o,
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o, &name)?,
            (Some(slot), v) => {
                if std::mem::discriminant(slot) != std::mem::discriminant(&v) {
                    return Err(format!(
                        "{name} should be a {}, not a {}",
                        slot.type_str(),
                        v.type_str()
                    ));
                }
                *slot = v;
            }
            (None, _) => return Err(format!("unknown setting {name}")),
        }
    }
    Ok(())
}

fn apply_env(table: &mut toml::Table, env: &[(String, String)]) -> std::result::Result<(), String> {
    for (section, v) in table.iter_mut() {
        let toml::Value::Table(t) = v else { continue };
        for (key, slot) in t.iter_mut() {
            let var = format!("BOSUN_{}_{}", section.to_uppercase(), key.to_uppercase());
            let Some((_, raw)) = env.iter().find(|(k, _)| *k == var) else {
                continue;
            };
            if matches!(slot, toml::Value::Array(_) | toml::Value::Table(_)) {
                continue; // lists come from the file only
            }
            *slot = match slot {
                toml::Value::Integer(_) => toml::Value::Integer(
                    raw.trim()
                        .parse()
                        .map_err(|_| format!("{var}={raw:?} is not a whole number"))?,
                ),
                toml::Value::Float(_) => toml::Value::Float(
                    raw.trim()
                        .parse()
                        .map_err(|_| format!("{var}={raw:?} is not a number"))?,
                ),
                toml::Value::Boolean(_) => toml::Value::Boolean(
                    raw.trim()
                        .parse()
                        .map_err(|_| format!("{var}={raw:?} is not true/false"))?,
                ),
                _ => toml::Value::String(raw.clone()),
            };
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_documented() {
        let c = Config::defaults();
        assert_eq!(c.sync.concurrency, 8);
        // Every default setting carries a comment.
        let mut prev = "";
        for line in DEFAULTS.lines() {
            if line.contains(" = ") && !line.starts_with('#') {
                assert!(prev.starts_with('#'), "undocumented setting: {line}");
            }
            prev = line;
        }
    }

    #[test]
    fn layers_apply_in_order() {
        let env = vec![("BOSUN_SYNC_TIMEOUT_SECS".to_string(), "7".to_string())];
        let c = Config::from_layers(
            Some("[sync]\ntimeout_secs = 60\nconcurrency = 2\n"),
            &env,
            "t",
        )
        .unwrap();
        assert_eq!((c.sync.timeout_secs, c.sync.concurrency), (7, 2));
    }

    #[test]
    fn a_map_the_defaults_leave_empty_takes_any_key_and_typos_elsewhere_still_fail() {
        let c = Config::from_layers(
            Some("[onboarding]\njoined = { \"ana@example.com\" = 2026-11-23 }\n"),
            &[],
            "f",
        )
        .unwrap();
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(c.onboarding.joined.get("ana@example.com"), Some(&d));
        let e = Config::from_layers(Some("[onboarding]\nwindow_dayz = 30\n"), &[], "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown setting onboarding.window_dayz"), "{e}");
    }

    #[test]
    fn bad_files_give_clear_errors() {
        let e = Config::from_layers(Some("[sync\nconcurrency = 2"), &[], "/home/x/config.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("/home/x/config.toml") && e.contains("line 1"),
            "{e}"
        );
        let e = Config::from_layers(Some("[sync]\nconcurency = 2\n"), &[], "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown setting sync.concurency"), "{e}");
        let e = Config::from_layers(Some("[sync]\nconcurrency = \"lots\"\n"), &[], "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("sync.concurrency should be a integer"), "{e}");
        let e = Config::from_layers(Some("version = 9\n"), &[], "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("version 9"), "{e}");
        let e = Config::from_layers(Some("[sync]\nconcurrency = 0\n"), &[], "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("between 1 and 64"), "{e}");
        let env = vec![("BOSUN_SYNC_CONCURRENCY".to_string(), "many".to_string())];
        assert!(
            Config::from_layers(None, &env, "f")
                .unwrap_err()
                .to_string()
                .contains("BOSUN_SYNC_CONCURRENCY")
        );
    }
}
