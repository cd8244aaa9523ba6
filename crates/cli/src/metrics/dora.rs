//! `bosun metrics dora`: DORA's five keys, from the store or straight from a git repository.

use super::{Report, StartArg, hm, pct_of, print_json, summary, write_chart};
use bosun_core::time::rfc3339;
use bosun_metrics::charts;
use bosun_metrics::data::Dataset;
use bosun_metrics::dora::{self, DoraOptions, LeadTimeStart};
use std::path::PathBuf;

#[allow(clippy::print_stdout)]
pub(super) fn run(
    r: Report<'_>,
    git: Option<PathBuf>,
    release_tags: Option<String>,
    lead_time_start: StartArg,
    incident_window_hours: i64,
    exclude_bots: bool,
) -> anyhow::Result<()> {
    let Report {
        app,
        scope,
        what,
        window,
        chart,
        explain,
        json,
        ..
    } = r;
    let data = match (&git, &release_tags) {
        (Some(path), Some(pattern)) => app.git_dataset(path, pattern)?,
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
    write_chart(&chart, charts::deployment_frequency(&m.weekly))?;
    if let Some(path) = &chart {
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
    if explain {
        explain_deployments(&data, &m);
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
