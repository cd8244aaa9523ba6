//! Settings: sources (tokens go to the token store — the OS keychain or the encrypted token
//! file — never back out), the configuration in
//! effect, the Ask index, and pausing alerts.

use super::common::NoArgs;
use super::common::{TeamRef, teams};
use crate::error::{ApiError, Result};
use crate::state::Api;
use bosun_app::NewSourceSpec;
use bosun_core::Sensitive;
use bosun_core::time::{DAY, HOUR};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SourceRow {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub kind: bosun_core::model::Provider,
    pub base_url: Option<String>,
    pub enabled: bool,
    pub demo: bool,
    /// Where the token comes from: keychain, token_file, environment, demo, not_needed, missing,
    /// unknown.
    pub token: String,
    pub token_detail: Option<String>,
    pub last_sync_finished_at: Option<String>,
    pub last_sync_status: Option<String>,
    pub last_error: Option<String>,
    /// A first sync split in a recent pass and a backfill, while it is not complete: "backfilling,
    /// 40 % (older than 2026-11-05)".
    pub history: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IndexRoot {
    pub path: String,
    pub kind: bosun_app::knowledge::RootKind,
    pub documents: i64,
    pub indexed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Settings {
    pub data_dir: String,
    pub config_file: String,
    pub sources: Vec<SourceRow>,
    pub teams: Vec<TeamRef>,
    pub me: String,
    pub bot_patterns: Vec<String>,
    pub index_documents: i64,
    pub index_chunks: i64,
    pub index_model: Option<String>,
    pub index_note: Option<String>,
    pub index_roots: Vec<IndexRoot>,
    pub alerts_paused_until: Option<String>,
}

pub fn settings(api: &Api, _: NoArgs) -> Result<Settings> {
    api.ready()?;
    let app = api.app();
    let index = app.index_status()?;
    Ok(Settings {
        data_dir: app.paths.data_dir.display().to_string(),
        config_file: app.paths.config_file.display().to_string(),
        sources: app.sources()?.into_iter().map(source_row).collect(),
        teams: teams(&app),
        me: app.config.identity.me.clone(),
        bot_patterns: app.config.identity.bot_patterns.clone(),
        index_documents: index.documents,
        index_chunks: index.chunks,
        index_model: index.model,
        index_note: index.note,
        index_roots: index
            .roots
            .into_iter()
            .map(|r| IndexRoot {
                path: r.path,
                kind: r.kind,
                documents: r.documents,
                indexed_at: r.indexed_at,
            })
            .collect(),
        alerts_paused_until: api.alerts_paused_until().map(bosun_core::time::rfc3339),
    })
}

fn source_row(s: bosun_app::SourceView) -> SourceRow {
    let token = serde_json::to_value(&s.token).unwrap_or_default();
    SourceRow {
        id: s.id,
        name: s.name,
        kind: s.kind,
        base_url: s.base_url,
        enabled: s.enabled,
        demo: s.demo,
        token: token["kind"].as_str().unwrap_or("unknown").to_string(),
        token_detail: token["detail"].as_str().map(str::to_string),
        last_sync_finished_at: s.last_sync_finished_at,
        last_sync_status: s.last_sync_status,
        last_error: s.last_error,
        history: s
            .history
            .filter(|h| h.state != "complete")
            .map(|h| h.summary),
    }
}

/// A new source. `token` is kept in the token store (the OS keychain or the encrypted file) and
/// never returned.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct AddSourceArgs {
    #[ts(as = "bosun_core::model::Provider")]
    pub kind: String,
    pub name: String,
    pub base_url: Option<String>,
    /// The connector's settings, e.g. {"owner": "acme"} for GitHub, {"path": "/src/app"} for git.
    #[ts(type = "Record<string, unknown>")]
    pub settings: serde_json::Value,
    pub token: Option<String>,
}

pub fn add_source(api: &Api, args: AddSourceArgs) -> Result<SourceRow> {
    api.ready()?;
    if args.name.trim().is_empty() {
        return Err(ApiError::invalid("a source needs a name"));
    }
    let app = api.app();
    let kind = bosun_core::model::Provider::parse(&args.kind).ok_or_else(|| {
        ApiError::invalid(format!(
            "unknown source kind {:?} (github, jira, pagerduty, slack or git)",
            args.kind
        ))
    })?;
    let view = app.add_source(NewSourceSpec {
        kind,
        name: args.name,
        base_url: args.base_url.filter(|u| !u.is_empty()),
        settings: if args.settings.is_null() {
            serde_json::json!({})
        } else {
            args.settings
        },
        token: args.token.filter(|t| !t.is_empty()).map(Sensitive::new),
    })?;
    Ok(source_row(view))
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct RemoveSourceArgs {
    /// A source name or id.
    pub source: String,
}

pub fn remove_source(api: &Api, args: RemoveSourceArgs) -> Result<SourceRow> {
    api.ready()?;
    Ok(source_row(api.app().remove_source(&args.source)?))
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct PauseArgs {
    /// Pause for this many hours; 0 resumes.
    pub hours: Option<u32>,
    /// Pause until 08:00 tomorrow (UTC).
    pub until_tomorrow: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Paused {
    pub until: Option<String>,
}

pub fn pause_alerts(api: &Api, args: PauseArgs) -> Result<Paused> {
    let now = api.app().now();
    let until = if args.until_tomorrow {
        Some((now.div_euclid(DAY) + 1) * DAY + 8 * HOUR)
    } else {
        match args.hours {
            Some(0) | None => None,
            Some(h) if h <= 24 * 14 => Some(now + i64::from(h) * 3600),
            Some(h) => {
                return Err(ApiError::invalid(format!(
                    "pause for at most 336 hours, not {h}"
                )));
            }
        }
    };
    api.pause_alerts(until);
    Ok(Paused {
        until: until.map(bosun_core::time::rfc3339),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SyncStarted {
    /// False when a sync was already running (its events keep coming).
    pub started: bool,
}

pub fn sync_now(api: &std::sync::Arc<Api>, _: NoArgs) -> Result<SyncStarted> {
    Ok(SyncStarted {
        started: api.sync_now()?,
    })
}
