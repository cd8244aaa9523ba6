//! The live check of Slack commands (Settings → Slack commands, `bosun slack check`): is
//! `[slack] commands` on, which Slack source answers, does Slack accept its app-level token
//! (`apps.connections.open`), does a WebSocket get Slack's `hello` (or, in the app, is the
//! running listener connected), does the bot token carry the scopes commands and approvals need,
//! and does Bosun know the manager's own Slack account (the only one whose presses count).
//!
//! Storing an app-level token ([`App::store_slack_app_token`]) checks it live first, so a token
//! Slack refuses is never kept; the change is audited (never the token).

use crate::doctor::{Check, Level, Report, check};
use crate::secrets::{self, StoreKind, TokenOrigin};
use crate::{App, AppError, Result};
use bosun_connectors::events::NullSink;
use bosun_connectors::slack::socket::{Probe, SocketMode, SocketPhase, SocketStatus};
use bosun_core::Sensitive;
use bosun_core::model::Provider;
use bosun_store::sync_state::Source;
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// How long a check waits for Slack's `hello`.
const HELLO_WITHIN: Duration = Duration::from_secs(8);

/// Bot-token scopes Slack commands and approvals use, and what goes missing without each.
const BOT_SCOPES: [(&str, &str); 4] = [
    ("commands", "slash commands"),
    (
        "chat:write",
        "answers to @mentions and drafts offered to you",
    ),
    ("im:write", "drafts offered to you in a direct message"),
    ("app_mentions:read", "@Bosun mentions"),
];

/// The audit action of a stored app-level token.
pub const APP_TOKEN_ACTION: &str = "slack.app_token";

/// Slack commands as configured, without asking Slack anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlackCommandsSetup {
    /// `[slack] commands` in the configuration.
    pub commands: bool,
    /// The Slack source that answers (the first one), if any.
    pub source: Option<String>,
    /// Where its app-level token comes from (`missing` when it has none).
    pub app_token: TokenOrigin,
}

/// An app-level token Slack accepted and Bosun stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppTokenStored {
    pub source: String,
    /// Where it is kept: the keychain or the encrypted token file.
    pub store: StoreKind,
    /// The Slack app the token belongs to, from Slack's `hello`.
    pub app_id: Option<String>,
}

impl App {
    /// The first Slack source, if any.
    fn slack_source(&self) -> Result<Option<Source>> {
        let store = self.store()?;
        let sources = bosun_store::sync_state::sources(store.conn())?;
        Ok(sources.into_iter().find(|s| s.kind == Provider::Slack))
    }

    /// A Slack source's app-level token and where it comes from: the demo's fixed one, the
    /// environment (`BOSUN_SLACK_APP_TOKEN`, `BOSUN_TOKEN_<SOURCE>_APP`), or the token store
    /// (`<source>.app`).
    pub async fn slack_app_token(
        &self,
        s: &Source,
    ) -> Result<Option<(Sensitive<String>, TokenOrigin)>> {
        if s.demo {
            let t = bosun_fakes::slack_socket::DEMO_APP_TOKEN.to_string();
            return Ok(Some((Sensitive::new(t), TokenOrigin::Demo)));
        }
        let entry = crate::chatops::app_token_entry(&s.name);
        let mut vars = vec!["BOSUN_SLACK_APP_TOKEN".to_string()];
        vars.push(secrets::env_vars(Provider::Slack, &entry)[0].clone());
        for var in vars {
            if let Ok(t) = std::env::var(&var)
                && !t.trim().is_empty()
            {
                let t = Sensitive::new(t.trim().to_string());
                return Ok(Some((t, TokenOrigin::Environment(var))));
            }
        }
        let tokens = self.tokens().clone();
        let stored = tokio::task::spawn_blocking(move || {
            let kind = tokens.kind();
            tokens.get(&entry).map(|t| (t, kind))
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(match stored? {
            (Some(t), StoreKind::Keychain) => Some((t, TokenOrigin::Keychain)),
            (Some(t), StoreKind::File) => Some((t, TokenOrigin::TokenFile)),
            (None, _) => None,
        })
    }

    /// Slack commands as configured: on or off, the source, where its app-level token is.
    pub async fn slack_commands_setup(&self) -> Result<SlackCommandsSetup> {
        let source = self.slack_source()?;
        let app_token = match &source {
            Some(s) => match self.slack_app_token(s).await {
                Ok(Some((_, origin))) => origin,
                Ok(None) => TokenOrigin::Missing,
                Err(e) => TokenOrigin::Unknown(e.to_string()),
            },
            None => TokenOrigin::Missing,
        };
        Ok(SlackCommandsSetup {
            commands: self.config.slack.commands,
            source: source.map(|s| s.name),
            app_token,
        })
    }

    /// A Socket Mode client for `source` with `token`.
    fn socket_client(&self, source: &Source, token: Sensitive<String>) -> Result<SocketMode> {
        let api = source.base_url.as_deref().unwrap_or("https://slack.com");
        Ok(SocketMode::new(
            api,
            token,
            self.config.http(),
            Arc::new(NullSink),
        )?)
    }

    /// Check Slack commands live. `listening` is the status of the listener this process runs,
    /// if it runs one: reported as it is instead of opening a second connection.
    pub async fn check_slack_commands(&self, listening: Option<SocketStatus>) -> Result<Report> {
        let mut checks = vec![if self.config.slack.commands {
            check("slack_commands", Level::Ok, "on ([slack] commands)")
        } else {
            check(
                "slack_commands",
                Level::Warn,
                "off: set `commands = true` under [slack] in the configuration to answer them",
            )
        }];
        let Some(source) = self.slack_source()? else {
            checks.push(check(
                "slack_source",
                Level::Fail,
                "no Slack source: add one with the app's bot token (xoxb-…) under Sources",
            ));
            return Ok(report(checks));
        };
        checks.push(check(
            "slack_source",
            Level::Ok,
            format!("{} answers the commands", source.name),
        ));
        checks.push(self.check_app_token_and_socket(&source, listening).await?);
        checks.extend(self.check_bot_token(&source).await);
        checks.push(self.check_manager_account()?);
        Ok(report(checks))
    }

    /// The app-level token (Slack accepts it) and the connection (hello received).
    async fn check_app_token_and_socket(
        &self,
        source: &Source,
        listening: Option<SocketStatus>,
    ) -> Result<Check> {
        let name = "slack_socket_mode";
        let (token, origin) = match self.slack_app_token(source).await {
            Ok(Some(t)) => t,
            Ok(None) => {
                return Ok(check(
                    name,
                    Level::Fail,
                    format!(
                        "no app-level token for {}: paste it here (xapp-…, Basic Information → App-Level Tokens, scope connections:write) or run `bosun slack app-token {}`",
                        source.name, source.name
                    ),
                ));
            }
            Err(e) => return Ok(check(name, Level::Fail, e.to_string())),
        };
        let from = origin_label(&origin);
        if let Some(status) = listening {
            let stats = &status.stats;
            let counts = format!(
                "{} envelope(s) handled over {} connection(s), {} reconnect(s) Slack asked for, {} drop(s)",
                stats.delivered, stats.connections, stats.refreshes, stats.drops
            );
            return Ok(match status.phase {
                SocketPhase::Connected { app_id } => check(
                    name,
                    Level::Ok,
                    format!(
                        "listening: connected to Slack as app {} (token from {from}); {counts}",
                        app_id.as_deref().unwrap_or("?")
                    ),
                ),
                SocketPhase::Connecting => check(
                    name,
                    Level::Warn,
                    format!("connecting to Slack (token from {from}); {counts}"),
                ),
                SocketPhase::Retrying { error } => check(
                    name,
                    Level::Fail,
                    format!("not connected, retrying: {error} (token from {from})"),
                ),
                SocketPhase::Refused { error } => check(
                    name,
                    Level::Fail,
                    format!("Slack refused the app-level token from {from}: {error}"),
                ),
                SocketPhase::Stopped => check(name, Level::Warn, "the listener stopped"),
            });
        }
        let probe: std::result::Result<Probe, _> = match self.socket_client(source, token) {
            Ok(c) => c.probe(HELLO_WITHIN).await.map_err(AppError::from),
            Err(e) => Err(e),
        };
        let why_not = if self.config.slack.commands {
            "nothing listens in this process (the desktop app and `bosun serve` do at start; `bosun slack listen` in a terminal)"
        } else {
            "nothing answers while [slack] commands is off"
        };
        Ok(match probe {
            Ok(p) => check(
                name,
                Level::Ok,
                format!(
                    "Slack accepted the app-level token from {from} and said hello (app {}, {} connection(s)); {why_not}",
                    p.app_id.as_deref().unwrap_or("?"),
                    p.num_connections.map_or("?".into(), |n| n.to_string())
                ),
            ),
            Err(e) => check(
                name,
                Level::Fail,
                format!(
                    "the app-level token from {from}: {}",
                    explain(&e.to_string())
                ),
            ),
        })
    }

    /// The bot token: `auth.test`, and the scopes it was granted (`x-oauth-scopes`).
    async fn check_bot_token(&self, source: &Source) -> Vec<Check> {
        let name = "slack_bot_token";
        let token = match crate::service::source_token(self.tokens(), source).await {
            Ok(Some(t)) => t,
            Ok(None) => return vec![check(name, Level::Fail, "no bot token (xoxb-…)")],
            Err(e) => {
                return vec![check(
                    name,
                    Level::Fail,
                    format!(
                        "{e}: answers to @mentions and drafts offered in Slack need the bot token"
                    ),
                )];
            }
        };
        let base = source.base_url.as_deref().unwrap_or("https://slack.com");
        let url = format!("{}/api/auth.test", base.trim_end_matches('/'));
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
        {
            Ok(c) => c,
            Err(e) => return vec![check(name, Level::Fail, e.to_string())],
        };
        let resp = match client.post(&url).bearer_auth(token.expose()).send().await {
            Ok(r) => r,
            Err(e) => return vec![check(name, Level::Fail, format!("{base} unreachable: {e}"))],
        };
        let scopes: Option<Vec<String>> = resp
            .headers()
            .get("x-oauth-scopes")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
        let status = resp.status();
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        if body["ok"].as_bool() != Some(true) {
            let error = body["error"]
                .as_str()
                .map_or(format!("HTTP {}", status.as_u16()), str::to_string);
            return vec![check(
                name,
                Level::Fail,
                format!("Slack refused the bot token: {}", explain(&error)),
            )];
        }
        let who = format!(
            "bot {} in workspace {}",
            body["user"].as_str().unwrap_or("?"),
            body["team"].as_str().unwrap_or("?")
        );
        let mut out = vec![check(name, Level::Ok, format!("Slack accepted it: {who}"))];
        match scopes {
            Some(granted) => {
                let missing: Vec<String> = BOT_SCOPES
                    .iter()
                    .filter(|(s, _)| !granted.iter().any(|g| g == s))
                    .map(|(s, what)| format!("{s} ({what})"))
                    .collect();
                out.push(if missing.is_empty() {
                    check(
                        "slack_bot_scopes",
                        Level::Ok,
                        "commands, chat:write, im:write and app_mentions:read granted",
                    )
                } else {
                    check(
                        "slack_bot_scopes",
                        Level::Warn,
                        format!(
                            "missing {}: add them in the app's OAuth & Permissions (packaging/slack/manifest.yml lists them) and reinstall it",
                            missing.join(", ")
                        ),
                    )
                });
            }
            None => out.push(check(
                "slack_bot_scopes",
                Level::Warn,
                "Slack did not say which scopes the bot token has (no x-oauth-scopes header)",
            )),
        }
        out
    }

    /// The manager's Slack account: drafts are offered there, and only its presses count.
    fn check_manager_account(&self) -> Result<Check> {
        let store = self.store()?;
        let conn = store.conn();
        let Some(me) = self.me(conn)? else {
            return Ok(check(
                "slack_manager",
                Level::Warn,
                "Bosun does not know who you are (`me` in the organisation): drafts are not offered in Slack and nobody's press counts",
            ));
        };
        Ok(match bosun_store::chatops::slack_id_of(conn, me)? {
            Some(id) => check(
                "slack_manager",
                Level::Ok,
                format!("drafts are offered to your Slack account {id}; only its presses count"),
            ),
            None => check(
                "slack_manager",
                Level::Warn,
                "your Slack account is not linked to you (Team → people, after a Slack sync): drafts are not offered in Slack",
            ),
        })
    }

    /// Check an app-level token live (a URL, a WebSocket, Slack's `hello`), then keep it for
    /// the Slack source `source` in the token store, audited. A token Slack refuses is not kept.
    pub async fn store_slack_app_token(
        &self,
        source: &str,
        token: Sensitive<String>,
    ) -> Result<AppTokenStored> {
        let token = Sensitive::new(token.expose().trim().to_string());
        if !token.expose().starts_with("xapp-") {
            return Err(AppError::InvalidInput(
                "that is not an app-level token: Slack's start with xapp- (Basic Information → App-Level Tokens, scope connections:write)".into(),
            ));
        }
        let store = self.store()?;
        let found = bosun_store::sync_state::sources(store.conn())?
            .into_iter()
            .find(|s| s.name == source && s.kind == Provider::Slack)
            .ok_or_else(|| AppError::NotFound(format!("no Slack source named {source}")))?;
        drop(store);
        if found.demo {
            return Err(AppError::InvalidInput(
                "this is the demo: its Slack needs no app-level token".into(),
            ));
        }
        let probe = self
            .socket_client(&found, token.clone())?
            .probe(HELLO_WITHIN)
            .await
            .map_err(|e| {
                AppError::InvalidInput(format!(
                    "Slack did not accept the app-level token, so it was not kept: {}",
                    explain(&e.to_string())
                ))
            })?;
        let tokens = self.tokens().clone();
        let entry = crate::chatops::app_token_entry(source);
        let kept =
            tokio::task::spawn_blocking(move || tokens.set(&entry, &token).map(|()| tokens.kind()))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))??;
        let now = self.now();
        let mut store = self.store()?;
        store.write(|tx| {
            bosun_store::audit::append(
                tx,
                &bosun_store::audit::NewEntry {
                    at: now,
                    actor: "manager",
                    action: APP_TOKEN_ACTION,
                    subject: Some(&format!("source:{source}")),
                    result: "ok",
                    trace: json!({"store": kept, "app_id": probe.app_id}),
                },
            )
        })?;
        Ok(AppTokenStored {
            source: source.to_string(),
            store: kept,
            app_id: probe.app_id,
        })
    }
}

fn report(checks: Vec<Check>) -> Report {
    Report {
        ok: checks.iter().all(|c| c.level != Level::Fail),
        checks,
    }
}

fn origin_label(origin: &TokenOrigin) -> String {
    match origin {
        TokenOrigin::Environment(var) => var.clone(),
        TokenOrigin::Keychain => "the OS keychain".into(),
        TokenOrigin::TokenFile => "the encrypted token file".into(),
        TokenOrigin::Demo => "the demo".into(),
        TokenOrigin::NotNeeded | TokenOrigin::Missing => "nowhere".into(),
        TokenOrigin::Unknown(why) => format!("an unreadable store ({why})"),
    }
}

/// Slack's error codes said in words (the code kept).
fn explain(error: &str) -> String {
    let hint = [
        ("not_allowed_token_type", "that is not the kind of token this call takes (an app-level token is xapp-…, a bot token xoxb-…)"),
        ("invalid_auth", "Slack does not know this token (revoked, regenerated, or from another workspace)"),
        ("token_revoked", "the token was revoked: generate a new one"),
        ("account_inactive", "the app or its workspace is deactivated"),
        ("not_authed", "no token reached Slack"),
    ]
    .into_iter()
    .find(|(code, _)| error.contains(code));
    match hint {
        Some((_, hint)) => format!("{error} — {hint}"),
        None => error.to_string(),
    }
}
