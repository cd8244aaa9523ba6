//! `bosun metrics prs`: pull request cycle time by stage, sizes and review load.

use super::{Report, hm, print_json, summary, write_chart};
use bosun_metrics::charts;
use bosun_metrics::data::Dataset;
use bosun_metrics::dora::{self, DoraOptions};
use bosun_metrics::prs;

#[allow(clippy::print_stdout)]
pub(super) fn run(r: Report<'_>) -> anyhow::Result<()> {
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
    let data = app.dataset()?;
    let analysis = dora::analyse(&data, &DoraOptions::default());
    let m = prs::pr_metrics(&data, &analysis, &scope);
    write_chart(&chart, charts::pr_stages(&m.weekly))?;
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
    if explain {
        explain_prs(&data, &m);
    }
    Ok(())
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
