//! `bosun metrics sprint`: sprint health, with a Monte Carlo forecast.

use super::{Report, pct, print_json, write_chart};
use bosun_app::AppError;
use bosun_core::time::rfc3339;
use bosun_metrics::{charts, sprint};

#[allow(clippy::print_stdout)]
pub(super) fn run(
    r: Report<'_>,
    which: Option<String>,
    runs: usize,
    seed: u64,
) -> anyhow::Result<()> {
    let Report {
        app,
        team,
        until,
        chart,
        explain,
        json,
        ..
    } = r;
    let data = app.dataset()?;
    let s = bosun_app::metrics::choose_sprint(&data, which.as_deref(), team.as_deref(), until)?;
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
    write_chart(&chart, charts::burndown(&h.burndown, h.end))?;
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
    if explain {
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
    Ok(())
}
