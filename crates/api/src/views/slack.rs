//! Settings → Slack commands: whether they are on, which source answers, where its app-level
//! token is, whether this process's listener is connected; the live check; and storing an
//! app-level token (checked with Slack first), after which the listener starts again with it.

use super::common::NoArgs;
use crate::error::Result;
use crate::state::Api;
use bosun_app::doctor::Report;
use bosun_app::secrets::{StoreKind, TokenOrigin};
use bosun_connectors::slack::socket::{SocketPhase, SocketStatus};
use bosun_core::Sensitive;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use ts_rs::TS;

/// Where the listener's connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ListenerPhase {
    Connecting,
    Connected,
    Retrying,
    Refused,
    Stopped,
}

/// The Slack commands listener running in this app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListenerView {
    pub phase: ListenerPhase,
    /// The Slack app connected as (from Slack's `hello`).
    pub app_id: Option<String>,
    /// Why it is retrying, or why Slack refused the token.
    pub error: Option<String>,
    /// Commands, button presses and mentions received.
    pub delivered: u64,
    pub connections: u64,
    /// Reconnections Slack asked for, and connections lost.
    pub refreshes: u64,
    pub drops: u64,
}

impl From<SocketStatus> for ListenerView {
    fn from(s: SocketStatus) -> ListenerView {
        let (phase, app_id, error) = match s.phase {
            SocketPhase::Connecting => (ListenerPhase::Connecting, None, None),
            SocketPhase::Connected { app_id } => (ListenerPhase::Connected, app_id, None),
            SocketPhase::Retrying { error } => (ListenerPhase::Retrying, None, Some(error)),
            SocketPhase::Refused { error } => (ListenerPhase::Refused, None, Some(error)),
            SocketPhase::Stopped => (ListenerPhase::Stopped, None, None),
        };
        ListenerView {
            phase,
            app_id,
            error,
            delivered: s.stats.delivered,
            connections: s.stats.connections,
            refreshes: s.stats.refreshes,
            drops: s.stats.drops,
        }
    }
}

/// Slack commands as set up, without asking Slack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SlackCommandsView {
    /// `[slack] commands` in the configuration.
    pub commands: bool,
    /// The Slack source that answers, if any.
    pub source: Option<String>,
    /// Where its app-level token comes from.
    pub app_token: TokenOrigin,
    /// The listener in this app, when one runs.
    pub listening: Option<ListenerView>,
    /// Serving the demo (its fake Slack needs no token).
    pub demo: bool,
}

/// An app-level token to check and keep (its `Debug` is redacted).
#[derive(Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct SlackAppTokenArgs {
    /// The Slack source it belongs to.
    pub source: String,
    /// `xapp-…`.
    pub token: String,
}

impl std::fmt::Debug for SlackAppTokenArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SlackAppTokenArgs {{ source: {:?}, token: <redacted> }}",
            self.source
        )
    }
}

/// The token was kept; the listener starts again with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SlackAppTokenKept {
    /// Where it is kept.
    pub store: StoreKind,
    /// The Slack app it belongs to (from Slack's `hello`).
    pub app_id: Option<String>,
    pub commands: SlackCommandsView,
}

pub fn slack_commands(api: &Api, _: NoArgs) -> Result<SlackCommandsView> {
    let setup = tokio::runtime::Handle::current().block_on(api.app().slack_commands_setup())?;
    Ok(SlackCommandsView {
        commands: setup.commands,
        source: setup.source,
        app_token: setup.app_token,
        listening: api.slack_status().map(ListenerView::from),
        demo: api.is_demo(),
    })
}

/// The live check: the app-level token with Slack, the connection (the running listener's, or
/// a one-off), the bot token and its scopes, the manager's Slack account.
pub fn check_slack_commands(api: &Api, _: NoArgs) -> Result<Report> {
    let app = api.app();
    let listening = api.slack_status();
    Ok(tokio::runtime::Handle::current().block_on(app.check_slack_commands(listening))?)
}

/// Check an app-level token with Slack and keep it (audited), then listen with it.
pub fn set_slack_app_token(api: &Arc<Api>, args: SlackAppTokenArgs) -> Result<SlackAppTokenKept> {
    let app = api.app();
    let kept = tokio::runtime::Handle::current()
        .block_on(app.store_slack_app_token(&args.source, Sensitive::new(args.token)))?;
    api.start_slack();
    Ok(SlackAppTokenKept {
        store: kept.store,
        app_id: kept.app_id,
        commands: slack_commands(api, NoArgs::default())?,
    })
}
