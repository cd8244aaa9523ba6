//! `bosun metrics dora|prs|flow|sprint`: readable tables, `--json`, `--explain`, `--chart FILE`.

use anyhow::Context;
use bosun_app::{App, AppError};
use bosun_core::time::{Ts, rfc3339};
use bosun_metrics::data::Dataset;
use bosun_metrics::dora::{self, DoraOptions, LeadTimeStart, Scope};
use bosun_metrics::stats::{Ratio, Summary};
use bosun_metrics::{charts, flow, prs, sprint};
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
    /// Flow time, efficiency, load, velocity, distribution and aging work.
    Flow,
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
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
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

/// A dataset read straight from a git repository: one repo, its commits, tags as deployments.
fn git_dataset(
    path: &std::path::Path,
    pattern: &str,
    bot_patterns: &[String],
) -> anyhow::Result<Dataset> {
    use bosun_connectors::git;
    use bosun_metrics::data::{Commit, Deployment, Repo};
    let re = regex_lite(pattern)?;
    let repo = git::open(path)?;
    let refs = repo.refs()?;
    let commits = repo.commits(&[])?;
    let mut d = Dataset {
        repos: vec![Repo {
            id: 1,
            full_name: path.display().to_string(),
            team: None,
            service: None,
        }],
        ..Default::default()
    };
    d.commits = commits
        .iter()
        .map(|c| Commit {
            repo: 1,
            sha: c.sha.clone(),
            authored_at: c.authored_at,
            committed_at: c.committed_at,
            parents: c.parents.clone(),
            author: None,
            author_is_bot: bosun_identity::is_bot_author(
                c.author_name.as_deref(),
                c.author_email.as_deref(),
                bot_patterns,
            ),
            subject: c.message.lines().next().unwrap_or("").to_string(),
        })
        .collect();
    let dates: std::collections::HashMap<&str, Ts> = commits
        .iter()
        .map(|c| (c.sha.as_str(), c.committed_at))
        .collect();
    for (i, t) in refs.tags.iter().filter(|t| re(&t.name)).enumerate() {
        let at = t
            .tagged_at
            .or_else(|| dates.get(t.sha.as_str()).copied())
            .unwrap_or(0);
        d.deployments.push(Deployment {
            id: i as i64 + 1,
            external_id: t.name.clone(),
            repo: 1,
            environment: "production".into(),
            production: true,
            sha: t.sha.clone(),
            created_at: at,
            succeeded_at: Some(at),
            failed_at: None,
            kind: "tag".into(),
            description: t.name.clone(),
            payload: String::new(),
        });
    }
    Ok(d)
}

/// The release-tag pattern, with the same regex engine the git connector uses.
fn regex_lite(pattern: &str) -> anyhow::Result<impl Fn(&str) -> bool> {
    let re = bosun_connectors::git::release_pattern(pattern)
        .map_err(|e| AppError::InvalidInput(format!("--release-tags {pattern:?}: {e}")))?;
    Ok(move |s: &str| re.is_match(s))
}

#[allow(clippy::print_stdout)]
pub fn run(app: &App, args: MetricsArgs, json: bool) -> anyhow::Result<()> {
    let until = match &args.until {
        Some(u) => time_arg(u)?,
        None => app.now(),
    };
    let since = match &args.since {
        Some(s) => time_arg(s)?,
        None => until - 90 * 86_400,
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
    match args.metric {
        Metric::Dora {
            git,
            release_tags,
            lead_time_start,
            incident_window_hours,
            exclude_bots,
        } => {
            let data = match (&git, &release_tags) {
                (Some(path), Some(pattern)) => {
                    git_dataset(path, pattern, &app.config.identity.bot_patterns)?
                }
                _ => app.dataset()?,
            };
            let bots = if exclude_bots {
                dora::Bots::Exclude
            } else {
                app.config.metrics.lead_time_bots
            };
            let opts = DoraOptions {
                lead_time_start: match lead_time_start {
                    StartArg::Author => LeadTimeStart::AuthorTime,
                    StartArg::Committer => LeadTimeStart::CommitterTime,
                    StartArg::PrFirstCommit => LeadTimeStart::PrFirstCommit,
                },
                incident_window_secs: incident_window_hours * 3600,
            };
            let analysis = dora::analyse(&data, &opts);
            let m = dora::dora_with(&data, &analysis, &scope, bots);
            write_chart(&args.chart, charts::deployment_frequency(&m.weekly))?;
            if let Some(path) = &args.chart {
                // The lead-time distribution goes next to it: FILE-lead-time.svg.
                let stem = path
                    .file_stem()
                    .map_or("dora".into(), |s| s.to_string_lossy().into_owned());
                write_chart(
                    &Some(path.with_file_name(format!("{stem}-lead-time.svg"))),
                    charts::lead_time_distribution(&m.lead_times()),
                )?;
            }
            if json {
                return print_json(&m);
            }
            let lv = |l: Option<&str>| l.unwrap_or("-").to_string();
            let subject = git
                .as_ref()
                .map_or(what, |p| format!("{} (tags as deployments)", p.display()));
            println!("DORA — {subject}, {window}");
            println!("  {:<34} {:<48} DORA 2024 cluster", "", "");
            println!(
                "  {:<34} {:<48} {}",
                "Deployment frequency",
                format!(
                    "{} deployments, {:.2}/week on {:.2} days/week",
                    m.deployments, m.deployment_frequency_per_week, m.deployment_days_per_week
                ),
                lv(m.level.deployment_frequency)
            );
            println!(
                "  {:<34} {:<48} {}",
                "Lead time for changes",
                summary(&m.lead_time_seconds.summary()),
                lv(m.level.lead_time)
            );
            println!(
                "  {:<34} {:<48} {}",
                "Change failure rate",
                pct_of(
                    m.change_failure_rate.value,
                    m.change_failure_rate.failed,
                    m.change_failure_rate.total,
                    "deployments failed"
                ),
                lv(m.level.change_failure_rate)
            );
            let unrec = if m.unrecovered.is_empty() {
                String::new()
            } else {
                format!("; {} not recovered", m.unrecovered.len())
            };
            println!(
                "  {:<34} {:<48} {}",
                "Failed deployment recovery time",
                format!("{}{unrec}", summary(&m.recovery_time_seconds)),
                lv(m.level.recovery_time)
            );
            println!(
                "  {:<34} {}",
                "Deployment rework rate",
                pct_of(
                    m.rework_rate.value,
                    m.rework_rate.unplanned,
                    m.rework_rate.total,
                    "deployments unplanned"
                )
            );
            println!(
                "  {:<34} {:<48} {}",
                "Overall (the slowest key)",
                "",
                lv(m.level.overall)
            );
            println!(
                "Definitions: a deployment is a successful production deployment; lead time runs from the commit's"
            );
            println!(
                "author time to the first deployment containing it; change failure rate = failed deployments /"
            );
            println!(
                "deployments (an incident link, rollback, revert, hotfix, or an incident on the service within"
            );
            println!(
                "{incident_window_hours}h and before the next deploy); recovery runs to the next good deploy or the incident's resolution."
            );
            for w in &m.warnings {
                println!("warning: {w}");
            }
            if args.explain {
                explain_deployments(&data, &m);
            }
        }
        Metric::Prs => {
            let data = app.dataset()?;
            let analysis = dora::analyse(&data, &DoraOptions::default());
            let m = prs::pr_metrics(&data, &analysis, &scope);
            write_chart(&args.chart, charts::pr_stages(&m.weekly))?;
            if json {
                return print_json(&m);
            }
            println!("Pull requests — {what}, {window}");
            println!(
                "  {} merged by people ({} without a review); bots and self-reviews excluded",
                m.merged, m.merged_without_review
            );
            println!("  {:<10} {}", "Coding", summary(&m.coding_seconds));
            println!("  {:<10} {}", "Pickup", summary(&m.pickup_seconds));
            println!("  {:<10} {}", "Review", summary(&m.review_seconds));
            println!("  {:<10} {}", "Deploy", summary(&m.deploy_seconds));
            println!("  {:<10} {}", "Cycle", summary(&m.cycle_seconds));
            println!(
                "  Sizes (lines changed): {}",
                m.sizes
                    .iter()
                    .map(|s| format!("{} {}", s.label, s.count))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            println!("  Review load (reviews given in the window · pending now):");
            for l in &m.review_load {
                println!("    {:<22} {:>4} · {}", l.name, l.reviews, l.pending);
            }
            if args.explain {
                explain_prs(&data, &m);
            }
        }
        Metric::Flow => {
            let data = app.dataset()?;
            let m = flow::flow(&data, &scope);
            write_chart(&args.chart, charts::cumulative_flow(&m.cumulative_flow))?;
            if json {
                return print_json(&m);
            }
            println!("Flow — {what}, {window}");
            println!(
                "  Finished        {} items ({:.1}/week, {:.1} points/week)",
                m.finished, m.velocity_items_per_week, m.velocity_points_per_week
            );
            println!("  Flow time       {}", summary(&m.flow_time_seconds));
            println!(
                "  Flow efficiency {} active of total (median per item {})",
                m.flow_efficiency
                    .map_or("-".into(), |e| format!("{:.0}%", e * 100.0)),
                m.flow_efficiency_median
                    .map_or("-".into(), |e| format!("{:.0}%", e * 100.0))
            );
            println!("  Flow load       {} items in progress", m.load);
            let mix = |d: &std::collections::BTreeMap<&str, usize>| {
                let mut v: Vec<(&&str, &usize)> = d.iter().collect();
                v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                v.iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(" · ")
            };
            println!(
                "  Distribution    finished: {}; in progress: {}",
                mix(&m.distribution_finished),
                mix(&m.distribution_in_progress)
            );
            let p85 = m.p85_flow_seconds.map_or("-".into(), hm);
            println!("  Aging work (85th percentile of flow time: {p85}):");
            for a in m
                .aging
                .iter()
                .take(if args.explain { usize::MAX } else { 10 })
            {
                println!(
                    "    {:<10} {:>9} {}{}",
                    a.key,
                    hm(a.age_secs as f64),
                    a.summary,
                    if a.over_p85 { "  ← past p85" } else { "" }
                );
            }
            if args.explain {
                println!("\nItems finished in the window ({}):", m.evidence.len());
                println!(
                    "  {:<10} {:<8} {:<17} {:<17} {:>9} {:>9} {:>6}",
                    "ticket", "type", "started", "done", "flow", "active", "points"
                );
                let t = |v: Option<Ts>| v.map_or("-".to_string(), |t| rfc3339(t)[..16].to_string());
                let d = |v: Option<i64>| v.map_or("-".to_string(), |s| hm(s as f64));
                for i in &m.evidence {
                    println!(
                        "  {:<10} {:<8} {:<17} {:<17} {:>9} {:>9} {:>6}",
                        i.key,
                        format!("{:?}", i.work_type).to_lowercase(),
                        t(i.started_at),
                        t(i.done_at),
                        d(i.flow_secs),
                        d(i.active_secs),
                        i.story_points.map_or("-".into(), |p| p.to_string())
                    );
                }
            }
        }
        Metric::Sprint {
            sprint: which,
            runs,
            seed,
        } => {
            let data = app.dataset()?;
            let s = choose_sprint(&data, which.as_deref(), team.as_deref(), until)?;
            let h = sprint::sprint_health(
                &data,
                s,
                until,
                &sprint::SprintOptions {
                    seed,
                    runs,
                    ..Default::default()
                },
            )
            .ok_or_else(|| AppError::NotFound(format!("sprint {} has no dates", s.name)))?;
            write_chart(&args.chart, charts::burndown(&h.burndown, h.end))?;
            if json {
                return print_json(&h);
            }
            println!(
                "{} ({}, {}) — {} → {}",
                h.name,
                h.team.as_deref().unwrap_or("-"),
                h.state,
                &rfc3339(h.start)[..10],
                &rfc3339(h.end)[..10]
            );
            println!(
                "  Committed at start  {} items, {} points ({} carried in)",
                h.committed.len(),
                h.committed_points,
                h.carried_in.len()
            );
            println!(
                "  Added / removed     {} / {} (scope change {})",
                h.added.len(),
                h.removed.len(),
                h.scope_change
                    .map_or("-".into(), |s| format!("{:.0}%", s * 100.0))
            );
            println!(
                "  Completed           {} items, {} points",
                h.completed.len(),
                h.completed_points
            );
            println!(
                "  Planning accuracy   {} (points {})",
                pct(&h.planning_accuracy, "committed items done"),
                h.planning_accuracy_points
                    .map_or("-".into(), |p| format!("{:.0}%", p * 100.0))
            );
            println!("  Remaining           {} points", h.remaining_points);
            if let Some(f) = &h.forecast {
                println!(
                    "  Forecast            {:.0}% chance to finish by the end ({} working days left; {} runs, seed {}, from {} days of history)",
                    f.probability * 100.0,
                    f.working_days_left,
                    f.runs,
                    f.seed,
                    f.history_days
                );
            }
            let mut lists = vec![
                ("Blocked", &h.blocked),
                ("At risk", &h.at_risk),
                (
                    if h.state == "closed" {
                        "Carried over"
                    } else {
                        "Not done yet (would carry over)"
                    },
                    &h.carry_over,
                ),
                ("Added after start", &h.added),
            ];
            if args.explain {
                lists.extend([
                    ("Removed after start", &h.removed),
                    ("Committed at start", &h.committed),
                    ("Completed", &h.completed),
                ]);
            }
            for (title, items) in lists {
                if !items.is_empty() {
                    println!("  {title}:");
                    for i in items {
                        println!(
                            "    {:<10} {:<60} {}",
                            i.key,
                            i.summary.chars().take(60).collect::<String>(),
                            i.why.as_deref().unwrap_or("")
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}

/// Every deployment in the window with what it shipped, why it failed and how it recovered.
#[allow(clippy::print_stdout)]
fn explain_deployments(data: &Dataset, m: &dora::Dora) {
    use dora::FailureEvidence as F;
    let repo = |id: i64| {
        data.repos
            .iter()
            .find(|r| r.id == id)
            .map_or_else(|| format!("repo {id}"), |r| r.full_name.clone())
    };
    let pr = |id: i64| {
        data.pull_requests
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| format!("PR {id}"), |p| format!("#{}", p.number))
    };
    let dep = |id: i64| {
        m.evidence.iter().find(|r| r.id == id).map_or_else(
            || format!("deployment {id}"),
            |r| format!("deployment {}", r.external_id),
        )
    };
    println!(
        "\nDeployments in the window ({}), oldest first:",
        m.evidence.len()
    );
    let mut records: Vec<&dora::DeploymentRecord> = m.evidence.iter().collect();
    records.sort_by_key(|r| (r.at, r.id));
    for r in records {
        let prs: Vec<String> = r.pull_requests.iter().map(|&p| pr(p)).collect();
        println!(
            "  {} {} {} in {}: {} change(s){}",
            &rfc3339(r.at)[..16],
            r.external_id,
            short(&r.sha),
            repo(r.repo),
            r.changes.len(),
            if prs.is_empty() {
                String::new()
            } else {
                format!(" from {}", prs.join(" "))
            }
        );
        for f in &r.failures {
            let why = match f {
                F::IncidentLink { incident_ref, .. } => format!("incident {incident_ref} names it"),
                F::Rollback { deployment } => format!("rolled back by {}", dep(*deployment)),
                F::Revert { deployment, commit } => {
                    format!("reverted by {} ({})", dep(*deployment), short(commit))
                }
                F::Hotfix {
                    deployment,
                    pull_request,
                } => {
                    format!(
                        "hotfixed by {}{}",
                        dep(*deployment),
                        pull_request
                            .map(|p| format!(" ({})", pr(p)))
                            .unwrap_or_default()
                    )
                }
                F::IncidentAfter {
                    incident_ref,
                    minutes_after,
                    ..
                } => {
                    format!(
                        "incident {incident_ref} started {} later on its service",
                        hm(*minutes_after as f64 * 60.0)
                    )
                }
                F::DeployFailed => "the deploy workflow run failed".to_string(),
            };
            println!("      FAILED: {why}");
        }
        if !r.failures.is_empty() {
            match r.recovery_secs {
                Some(s) => println!("      recovered after {}", hm(s as f64)),
                None => println!("      not recovered yet"),
            }
        }
        if let Some(u) = r.unplanned {
            println!(
                "      unplanned work: {}",
                serde_json::to_value(u)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            );
        }
        for c in &r.changes {
            println!(
                "      {} lead time {}{}",
                short(&c.sha),
                hm(c.lead_time_secs as f64),
                c.pull_request
                    .map(|p| format!(" ({})", pr(p)))
                    .unwrap_or_default()
            );
        }
    }
}

/// Every pull request behind the PR numbers, with its stages.
#[allow(clippy::print_stdout)]
fn explain_prs(data: &Dataset, m: &prs::PrMetrics) {
    let repo = |id: i64| {
        data.repos
            .iter()
            .find(|r| r.id == id)
            .map_or_else(|| format!("repo {id}"), |r| r.full_name.clone())
    };
    let person = |id: Option<i64>| {
        id.and_then(|i| data.people.iter().find(|p| p.id == i))
            .map_or("-".to_string(), |p| p.name.clone())
    };
    let dep = |id: Option<i64>| {
        id.and_then(|i| data.deployments.iter().find(|d| d.id == i))
            .map_or("-".to_string(), |d| d.external_id.clone())
    };
    let f = |v: Option<i64>| v.map_or("-".to_string(), |s| hm(s as f64));
    println!(
        "\nPull requests merged in the window ({}):",
        m.evidence.len()
    );
    println!(
        "  {:<36} {:>6} {:>9} {:>9} {:>9} {:>9}  {:<20} deployment",
        "pull request", "lines", "coding", "pickup", "review", "deploy", "first reviewer"
    );
    for r in &m.evidence {
        println!(
            "  {:<36} {:>6} {:>9} {:>9} {:>9} {:>9}  {:<20} {}",
            format!("{}#{}", repo(r.repo), r.number),
            r.size,
            f(r.coding_secs),
            f(r.pickup_secs),
            f(r.review_secs),
            f(r.deploy_secs),
            person(r.first_reviewer),
            dep(r.deployment)
        );
    }
}

/// The sprint asked for, else the team's active sprint (or its latest).
pub fn choose_sprint<'a>(
    data: &'a Dataset,
    which: Option<&str>,
    team: Option<&str>,
    at: Ts,
) -> anyhow::Result<&'a bosun_metrics::data::Sprint> {
    let found = bosun_metrics::sprint::choose_sprint(data, which, team, at);
    found.ok_or_else(|| {
        let names: Vec<&str> = data
            .sprints
            .iter()
            .filter(|s| team.is_none_or(|t| s.team.as_deref() == Some(t)))
            .rev()
            .take(5)
            .map(|s| s.name.as_str())
            .collect();
        AppError::NotFound(format!(
            "no such sprint{} (recent: {})",
            team.map(|t| format!(" for team {t}")).unwrap_or_default(),
            names.join(", ")
        ))
        .into()
    })
}
