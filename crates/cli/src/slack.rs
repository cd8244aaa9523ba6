//! `bosun slack listen`: answer Slack's slash commands over Socket Mode from this terminal; and
//! `bosun demo slack "/standup harbor" [--as PERSON]`: type one into the running demo's Slack.

use crate::print_json;
use anyhow::Context;
use bosun_app::App;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, clap::Subcommand)]
pub enum SlackCommand {
    /// Answer /standup, /sprint-health, /triage, /ask and /brief over Socket Mode until
    /// interrupted (needs the Slack source's app-level token: docs/slack.md).
    Listen,
    /// Check Slack commands live: the app-level token and a connection (Slack's hello), the
    /// bot token and its scopes, your own Slack account; exit 1 when a check fails.
    Check,
    /// Check a Slack app-level token (`xapp-…`, scope connections:write) live — a connection
    /// and Slack's hello — then store it for SOURCE (the keychain or the token file), audited.
    AppToken {
        /// The Slack source it belongs to.
        source: String,
        /// Read the token from standard input (else BOSUN_SLACK_APP_TOKEN).
        #[arg(long)]
        token_stdin: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct DemoSlackArgs {
    /// The command as typed in Slack, e.g. "/standup harbor" or "/ask how do I declare an incident".
    pub line: String,
    /// Who types it: a person of the demo (name, email or key) or a raw Slack user id
    /// [default: the demo's manager].
    #[arg(long = "as", value_name = "PERSON")]
    pub as_user: Option<String>,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 60)]
    pub wait: u64,
}

#[derive(Debug, clap::Args)]
pub struct DemoPressArgs {
    /// The button: approve or reject.
    #[arg(value_parser = ["approve", "reject"])]
    pub button: String,
    /// The draft's id (`bosun actions list`).
    pub id: i64,
    /// Who presses it [default: the demo's manager].
    #[arg(long = "as", value_name = "PERSON")]
    pub as_user: Option<String>,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 60)]
    pub wait: u64,
}

pub fn press(
    data_dir: Option<&std::path::Path>,
    args: DemoPressArgs,
    json: bool,
) -> anyhow::Result<()> {
    let running = bosun_app::demo_slack::running(data_dir)?;
    let rt = crate::runtime()?;
    let reply = rt
        .block_on(bosun_app::demo_slack::press(
            &running,
            args.button == "approve",
            args.id,
            args.as_user.as_deref(),
            Duration::from_secs(args.wait),
        ))
        .with_context(|| format!("pressing {} on draft #{}", args.button, args.id))?;
    if json {
        print_json(&reply)?;
    } else {
        print!("{}", bosun_app::demo_slack::render(&reply));
    }
    Ok(())
}

pub fn listen(app: App) -> anyhow::Result<()> {
    let rt = crate::runtime()?;
    rt.block_on(async {
        let app = Arc::new(app);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = stop.send(true);
            }
        });
        eprintln!("Listening for Slack commands (Ctrl-C to stop)…");
        match app
            .listen_slack(stopped, Arc::new(bosun_connectors::events::NullSink), None)
            .await?
        {
            Some(stats) => {
                eprintln!(
                    "Stopped: {} command(s) answered over {} connection(s) ({} reconnect(s) Slack asked for, {} dropped).",
                    stats.delivered, stats.connections, stats.refreshes, stats.drops
                );
                Ok(())
            }
            None => anyhow::bail!(
                "nothing to listen for: no Slack source has an app-level token (store it as `<source>.app` or set BOSUN_SLACK_APP_TOKEN; docs/slack.md), or [slack] commands is off"
            ),
        }
    })
}

pub fn demo(
    data_dir: Option<&std::path::Path>,
    args: DemoSlackArgs,
    json: bool,
) -> anyhow::Result<()> {
    let running = bosun_app::demo_slack::running(data_dir)?;
    let rt = crate::runtime()?;
    let reply = rt
        .block_on(bosun_app::demo_slack::send(
            &running,
            &args.line,
            args.as_user.as_deref(),
            Duration::from_secs(args.wait),
        ))
        .with_context(|| format!("sending {:?} to the demo's Slack", args.line))?;
    if json {
        print_json(&reply)?;
    } else {
        print!("{}", bosun_app::demo_slack::render(&reply));
    }
    Ok(())
}

pub fn app_token(
    app: &App,
    source: &str,
    token: Option<bosun_core::Sensitive<String>>,
) -> anyhow::Result<()> {
    let token = match token {
        Some(t) => t,
        None => bosun_core::Sensitive::new(std::env::var("BOSUN_SLACK_APP_TOKEN").context(
            "give the token on standard input (--token-stdin) or in BOSUN_SLACK_APP_TOKEN",
        )?),
    };
    let kept = crate::runtime()?.block_on(app.store_slack_app_token(source, token))?;
    println!(
        "Slack accepted the app-level token (app {}); stored for {source}. `bosun serve`, the desktop app and `bosun slack listen` now answer slash commands.",
        kept.app_id.as_deref().unwrap_or("?")
    );
    Ok(())
}

/// `bosun slack check`: true when no check failed.
pub fn check(app: &App, json: bool) -> anyhow::Result<bool> {
    let report = crate::runtime()?.block_on(app.check_slack_commands(None))?;
    crate::doctor::print(&report, json)
}
