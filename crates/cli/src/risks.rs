//! `bosun risks`: the risk register — Bosun's proposals from evidence and the manager's decisions.

use crate::print_json;
use bosun_app::App;
use bosun_app::risks::{Condition, RiskEdit, RiskStatus, RiskView, RisksView};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RisksArgs {
    #[command(subcommand)]
    pub command: Option<RisksCommand>,
    /// Also list dismissed risks and those whose condition cleared.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum RisksCommand {
    /// Accept a proposal into the register.
    Accept {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Dismiss a proposal (say why with --note).
    Dismiss {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// Set a risk's likelihood, impact (1–5), owner, mitigation or review date; later evaluations
    /// keep them.
    Edit {
        id: i64,
        #[arg(long)]
        likelihood: Option<u8>,
        #[arg(long)]
        impact: Option<u8>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        mitigation: Option<String>,
        /// `YYYY-MM-DD` (an empty string clears it).
        #[arg(long)]
        review: Option<String>,
    },
    /// The accepted register as Markdown for leadership.
    Export {
        /// Write it to this file instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[allow(clippy::print_stdout)]
pub fn risks(app: &App, a: RisksArgs, json: bool) -> anyhow::Result<()> {
    let decided = match a.command {
        None => {
            let mut view = app.risks()?;
            if !a.all {
                view.risks.retain(|r| {
                    r.status != RiskStatus::Dismissed && r.condition != Condition::Cleared
                });
            }
            if json {
                return print_json(&view);
            }
            print_view(&view);
            return Ok(());
        }
        Some(RisksCommand::Accept { id, note }) => {
            app.decide_risk(id, RiskStatus::Accepted, note.as_deref())?
        }
        Some(RisksCommand::Dismiss { id, note }) => {
            app.decide_risk(id, RiskStatus::Dismissed, note.as_deref())?
        }
        Some(RisksCommand::Edit {
            id,
            likelihood,
            impact,
            owner,
            mitigation,
            review,
        }) => app.edit_risk(
            id,
            &RiskEdit {
                likelihood,
                impact,
                owner,
                mitigation,
                review,
            },
        )?,
        Some(RisksCommand::Export { out }) => {
            let md = app.risks_markdown()?;
            match out {
                Some(path) => {
                    std::fs::write(&path, &md)?;
                    println!("Wrote the risk register to {}.", path.display());
                }
                None => print!("{md}"),
            }
            return Ok(());
        }
    };
    if json {
        return print_json(&decided);
    }
    print_risk(&decided);
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_risk(r: &RiskView) {
    println!(
        "#{} {:<9} {:<8} L{} × I{} = {:>2}  {}",
        r.id,
        r.status_word(),
        r.condition_word(),
        r.likelihood,
        r.impact,
        r.score,
        r.title
    );
    println!("      why: {}", r.why);
    println!(
        "      owner: {}   review: {}   mitigation: {}",
        r.owner.as_deref().unwrap_or("—"),
        r.review.as_deref().unwrap_or("—"),
        r.mitigation
    );
    for e in r.evidence.iter().take(6) {
        println!(
            "      - {} {}: {}{}",
            e.kind,
            e.reference,
            e.title,
            e.url.as_deref().map_or(String::new(), |u| format!("  {u}"))
        );
    }
    if r.evidence.len() > 6 {
        println!("      … and {} more", r.evidence.len() - 6);
    }
}

#[allow(clippy::print_stdout)]
fn print_view(v: &RisksView) {
    for c in &v.changes {
        println!("Changed: {c}");
    }
    if !v.changes.is_empty() {
        println!();
    }
    if v.risks.is_empty() {
        println!("No risks proposed or in the register as of {}.", v.as_of);
    }
    for r in &v.risks {
        print_risk(r);
        println!();
    }
    if v.risks.iter().any(|r| r.status == RiskStatus::Proposed) {
        println!(
            "Accept with `bosun risks accept ID`, dismiss with `bosun risks dismiss ID --note why`."
        );
    }
}
