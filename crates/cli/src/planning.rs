//! `bosun capacity`: each team's next sprint — who is there, what takes their days, and what to
//! commit to.

use crate::print_json;
use bosun_app::App;
use bosun_app::capacity::CapacityView;
use bosun_core::time::from_ts;
use bosun_metrics::capacity::{DayNote, TeamCapacity};

#[derive(Debug, clap::Args)]
pub struct CapacityArgs {
    /// Only this team (its key).
    #[arg(long)]
    pub team: Option<String>,
}

pub fn capacity(app: &App, a: CapacityArgs, json: bool) -> anyhow::Result<()> {
    let view = app.capacity(a.team.as_deref())?;
    if json {
        return print_json(&view);
    }
    print_view(&view);
    Ok(())
}

fn day(ts: i64) -> String {
    from_ts(ts).format("%a %-d %b").to_string()
}

fn lost(notes: &[&DayNote]) -> String {
    notes
        .iter()
        .map(|n| format!("{} {}", &n.date[5..], n.why))
        .collect::<Vec<_>>()
        .join("; ")
}

#[allow(clippy::print_stdout)]
fn print_team(t: &TeamCapacity) {
    println!(
        "{} — {}{} ({} – {}), {} working days",
        t.team,
        t.sprint,
        if t.window.projected {
            " (projected)"
        } else {
            ""
        },
        day(t.window.start),
        day(t.window.end),
        t.working_days
    );
    match &t.recommendation {
        Some(r) => {
            let alt = t
                .alternatives
                .iter()
                .map(|c| format!("{} points at {:.0} %", c.points, c.probability * 100.0))
                .collect::<Vec<_>>()
                .join(", ");
            println!(
                "  Commit {} points ({} tickets): {:.0} % chance to finish.  ({alt})",
                r.points,
                r.items,
                r.probability * 100.0
            );
        }
        None => println!("  No recommendation: no closed sprint to learn from."),
    }
    if let (Some(c), Some(f)) = (t.capacity_points, t.focus_points_per_day) {
        println!(
            "  Capacity {c:.1} points from {:.1} of {} person-days (focus {f:.2} points per person-day over {} sprints).",
            t.person_days,
            t.person_days_possible,
            t.history.len()
        );
    }
    println!(
        "  {:<24} {:<7} {:>4} {:>9}  Days lost",
        "Person", "Country", "Days", "Available"
    );
    for p in &t.people {
        let notes: Vec<&DayNote> = p
            .holidays
            .iter()
            .chain(&p.company_days)
            .chain(&p.time_off)
            .chain(&p.oncall)
            .collect();
        println!(
            "  {:<24} {:<7} {:>4} {:>9.1}  {}",
            p.name,
            p.country.as_deref().unwrap_or("?"),
            p.working_days,
            p.available_days,
            lost(&notes)
        );
    }
    for c in &t.caveats {
        println!("  Note: {c}");
    }
    println!();
}

#[allow(clippy::print_stdout)]
fn print_view(v: &CapacityView) {
    if v.teams.is_empty() {
        println!("No team has sprints yet: capacity plans a team's next sprint.");
    }
    for t in &v.teams {
        print_team(t);
    }
    for w in &v.warnings {
        println!("Warning: {w}");
    }
    println!("{}", v.holidays);
}
