//! `bosun goals`: the quarter's goals with their key results, progress and forecast, each team's
//! unaligned work; importing, exporting and deleting goals.

use crate::print_json;
use bosun_app::App;
use bosun_app::goals::GoalsView;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct GoalsArgs {
    #[command(subcommand)]
    pub command: Option<GoalsCommand>,
    /// Only this quarter's goals (`2026-Q4`); every quarter's when left out.
    #[arg(long)]
    pub quarter: Option<String>,
    /// Only this team's goals (its key).
    #[arg(long)]
    pub team: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum GoalsCommand {
    /// Add or replace goals from a TOML file of `[[goals]]` (a goal with a stored one's title and
    /// quarter replaces it); every goal is checked before any is written.
    Import { file: PathBuf },
    /// Print every goal as an import file (to edit and import again).
    Export,
    /// Delete a goal.
    Delete { id: i64 },
}

#[allow(clippy::print_stdout)]
pub fn goals(app: &App, a: GoalsArgs, json: bool) -> anyhow::Result<()> {
    match a.command {
        Some(GoalsCommand::Import { file }) => {
            let ids = app.import_goals(&file)?;
            if json {
                return print_json(&serde_json::json!({ "imported": ids }));
            }
            println!("Imported {} goal(s) from {}.", ids.len(), file.display());
            Ok(())
        }
        Some(GoalsCommand::Export) => {
            if json {
                return print_json(&serde_json::json!({ "goals": app.goals_as_input()? }));
            }
            print!("{}", app.goals_file_text()?);
            Ok(())
        }
        Some(GoalsCommand::Delete { id }) => {
            app.delete_goal(id)?;
            if json {
                return print_json(&serde_json::json!({ "deleted": id }));
            }
            println!("Deleted goal {id}.");
            Ok(())
        }
        None => {
            let view = app.goals(a.quarter.as_deref(), a.team.as_deref())?;
            if json {
                return print_json(&view);
            }
            print_view(&view);
            Ok(())
        }
    }
}

fn pct(p: Option<f64>) -> String {
    p.map_or("  ?".to_string(), |p| format!("{:>3.0}", p * 100.0))
}

#[allow(clippy::print_stdout)]
fn print_view(v: &GoalsView) {
    if v.goals.is_empty() {
        println!(
            "No goals yet: add them in the app's Goals page or `bosun goals import goals.toml`."
        );
    }
    for g in &v.goals {
        println!(
            "#{} {} — {}{}, due {} — {} % — {}",
            g.id,
            g.title,
            g.quarter,
            g.team.as_deref().map_or(String::new(), |t| format!(" {t}")),
            g.due,
            pct(g.progress).trim(),
            g.status.words()
        );
        if let Some(o) = &g.owner {
            println!("  Owner: {o}");
        }
        for k in &g.key_results {
            println!("  {} %  {} — {}", pct(k.progress), k.title, k.detail);
        }
        println!(
            "  Work: {} of {} tickets done ({} of {} points), {} pull request(s); via {}",
            g.items_done,
            g.items_total,
            g.points_done,
            g.points_total,
            g.pull_requests,
            g.rules.describe().join(", ")
        );
        if let Some(f) = &g.forecast {
            println!(
                "  Forecast: 50 % by {}, 85 % by {}, 95 % by {}",
                f.p50.as_deref().unwrap_or("never"),
                f.p85.as_deref().unwrap_or("never"),
                f.p95.as_deref().unwrap_or("never")
            );
        }
        println!();
    }
    if !v.unaligned.is_empty() {
        println!(
            "Unaligned work in {} (finished, linked to no goal):",
            v.quarter
        );
        for u in &v.unaligned {
            println!(
                "  {:<12} {:>3} of {:>3} ({} %)  e.g. {}",
                u.team.as_deref().unwrap_or("(no team)"),
                u.unaligned,
                u.finished,
                pct(u.share).trim(),
                u.examples.join(", ")
            );
        }
    }
}
