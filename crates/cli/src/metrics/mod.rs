//! `bosun metrics dora|prs|flow|sprint`: readable tables, `--json`, `--explain`, `--chart FILE`.

mod dora;
mod flow;
mod investment;
mod prs;
mod sprint;

use anyhow::Context;
use bosun_app::{App, AppError};
use bosun_core::time::{DAY, Ts, rfc3339};
use bosun_metrics::dora::Scope;
use bosun_metrics::stats::{Ratio, Summary};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct MetricsArgs {
    #[command(subcommand)]
    pub metric: Metric,
    /// Only this team's repositories and tickets (a [[teams]] key or name).
    #[arg(long, global = true)]
    pub team: Option<String>,
    /// Only this repository (owner/name or name).
    #[arg(long, global = true)]
    pub repo: Option<String>,
    /// Start of the window (RFC 3339 or YYYY-MM-DD) [default: 90 days before --until].
    #[arg(long, global = true)]
    pub since: Option<String>,
    /// End of the window [default: --as-of, i.e. now].
    #[arg(long, global = true)]
    pub until: Option<String>,
    /// List the records behind every number.
    #[arg(long, global = true)]
    pub explain: bool,
    /// Also write the metric's chart as SVG to this file (dora: deployments per week, and the
    /// lead-time distribution next to it as FILE-lead-time.svg).
    #[arg(long, global = true, value_name = "FILE")]
    pub chart: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Metric {
    /// DORA's five keys: deployment frequency, lead time, change failure rate, recovery, rework.
    Dora {
        /// Read a local (or bare) git repository directly, tags matching --release-tags being
        /// deployments; no sync needed.
        #[arg(long, value_name = "PATH", requires = "release_tags")]
        git: Option<PathBuf>,
        #[arg(long, value_name = "REGEX")]
        release_tags: Option<String>,
        /// Where a change's lead time starts.
        #[arg(long, value_enum, default_value = "author")]
        lead_time_start: StartArg,
        /// Hours after a deployment during which an incident on its service counts as caused by it.
        #[arg(long, default_value_t = 24)]
        incident_window_hours: i64,
        /// The human-only view: lead time leaves bots' changes out (their number is still
        /// reported). Default: `[metrics] lead_time_bots` in the config ("count").
        #[arg(long)]
        exclude_bots: bool,
    },
    /// Pull request cycle time by stage, sizes and review load.
    Prs,
    /// A metric's definition, as the docs give it (all metrics' names without KEY).
    Define {
        /// deployment_frequency, lead_time, change_failure_rate, recovery_time, rework_rate,
        /// deployment, levels, pr_cycle, flow or sprint.
        key: Option<String>,
    },
    /// Flow time, efficiency, load, velocity, distribution and aging work.
    Flow,
    /// Investment balance: each team's finished tickets per month by feature, defect, debt,
    /// risk, unplanned (incident follow-ups, hotfixes) and other, with the rules (--since and
    /// --until are not used: whole calendar months).
    Investment {
        /// Calendar months, the current one included.
        #[arg(long, default_value_t = bosun_app::investment::DEFAULT_MONTHS)]
        months: u32,
    },
    /// Sprint health: commitment, scope change, completion, blocked and at-risk items, forecast.
    Sprint {
        /// A sprint id or name [default: the team's active sprint].
        #[arg(long)]
        sprint: Option<String>,
        /// Monte Carlo runs.
        #[arg(long, default_value_t = 10_000)]
        runs: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StartArg {
    Author,
    Committer,
    PrFirstCommit,
}

pub fn hm(secs: f64) -> String {
    let s = secs.round() as i64;
    let neg = if s < 0 { "-" } else { "" };
    let s = s.abs();
    let (d, h, m) = (s / DAY, (s % DAY) / 3600, (s % 3600) / 60);
    match (d, h, m) {
        (0, 0, m) => format!("{neg}{m}m"),
        (0, h, m) => format!("{neg}{h}h {m:02}m"),
        (d, h, _) => format!("{neg}{d}d {h}h"),
    }
}

fn summary(s: &Summary) -> String {
    match (s.median, s.p75, s.p90) {
        (Some(m), Some(p75), Some(p90)) => format!(
            "median {}, p75 {}, p90 {} (n={})",
            hm(m),
            hm(p75),
            hm(p90),
            s.n
        ),
        _ => "no data (n=0)".to_string(),
    }
}

fn pct(r: &Ratio, what: &str) -> String {
    pct_of(r.value, r.part, r.total, what)
}

fn pct_of(value: Option<f64>, part: usize, total: usize, what: &str) -> String {
    match value {
        Some(v) => format!("{:.1}% ({part} of {total} {what})", v * 100.0),
        None => format!("no {what}"),
    }
}

fn time_arg(s: &str) -> anyhow::Result<Ts> {
    bosun_core::time::parse_user_time(s)
        .map(|t| t.timestamp())
        .ok_or_else(|| {
            AppError::InvalidInput(format!("{s:?}: expected RFC 3339 or YYYY-MM-DD")).into()
        })
}

fn write_chart(path: &Option<PathBuf>, svg: String) -> anyhow::Result<()> {
    if let Some(p) = path {
        std::fs::write(p, svg).with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}

fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    #[allow(clippy::print_stdout)]
    {
        println!("{}", serde_json::to_string_pretty(v)?);
    }
    Ok(())
}

/// What every subcommand reports on: its window and scope, and how to answer.
struct Report<'a> {
    app: &'a App,
    scope: Scope,
    /// The team's key (`--team`).
    team: Option<String>,
    until: Ts,
    /// What the scope covers, as the heading names it.
    what: String,
    /// The window, as the heading prints it.
    window: String,
    chart: Option<PathBuf>,
    explain: bool,
    json: bool,
}

pub fn run(app: &App, args: MetricsArgs, json: bool) -> anyhow::Result<()> {
    let until = match &args.until {
        Some(u) => time_arg(u)?,
        None => app.now(),
    };
    let since = match &args.since {
        Some(s) => time_arg(s)?,
        None => until - 90 * DAY,
    };
    if since >= until {
        return Err(AppError::InvalidInput("--since must be before --until".into()).into());
    }
    let git_mode = matches!(&args.metric, Metric::Dora { git: Some(_), .. });
    let team = if git_mode {
        None
    } else {
        args.team.as_deref().map(|t| app.team_key(t)).transpose()?
    };
    let repo = if git_mode {
        None
    } else {
        args.repo.as_deref().map(|r| app.repo_id(r)).transpose()?
    };
    let scope = Scope {
        since,
        until,
        team: team.clone(),
        repo,
    };
    let what = match (&team, &args.repo) {
        (Some(t), _) => format!("team {t}"),
        (None, Some(r)) => format!("repo {r}"),
        _ => "all repositories".to_string(),
    };
    let window = format!(
        "{} → {} ({:.1} weeks)",
        &rfc3339(since)[..10],
        &rfc3339(until)[..10],
        scope.weeks()
    );
    let r = Report {
        app,
        scope,
        team,
        until,
        what,
        window,
        chart: args.chart,
        explain: args.explain,
        json,
    };
    match args.metric {
        Metric::Dora {
            git,
            release_tags,
            lead_time_start,
            incident_window_hours,
            exclude_bots,
        } => dora::run(
            r,
            git,
            release_tags,
            lead_time_start,
            incident_window_hours,
            exclude_bots,
        ),
        Metric::Prs => prs::run(r),
        Metric::Define { key } => define(key.as_deref(), json),
        Metric::Flow => flow::run(r),
        Metric::Investment { months } => {
            investment::run(app, r.team.as_deref(), months, r.explain, json)
        }
        Metric::Sprint {
            sprint: which,
            runs,
            seed,
        } => sprint::run(r, which, runs, seed),
    }
}

/// `bosun metrics define [KEY]`: the definition behind a number (docs/metric-definitions.md).
#[allow(clippy::print_stdout)]
fn define(key: Option<&str>, json: bool) -> anyhow::Result<()> {
    use bosun_metrics::definitions::{METRICS, definition};
    let Some(key) = key else {
        if json {
            let all: Vec<_> = METRICS
                .iter()
                .map(|(k, name, _)| serde_json::json!({ "key": k, "name": name }))
                .collect();
            crate::print_json(&all)?;
        } else {
            for (k, name, _) in METRICS {
                println!("{k:<22} {name}");
            }
        }
        return Ok(());
    };
    let (name, text) = definition(key).ok_or_else(|| {
        AppError::InvalidInput(format!(
            "no metric {key:?}; one of: {}",
            METRICS.iter().map(|m| m.0).collect::<Vec<_>>().join(", ")
        ))
    })?;
    if json {
        crate::print_json(&serde_json::json!({ "key": key, "name": name, "text": text }))?;
    } else {
        println!("{name}\n\n{text}");
    }
    Ok(())
}
