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

#[derive(Debug, clap::Args)]
pub struct ForecastArgs {
    /// The epic (or any parent ticket): its key. Without it, every epic with work left.
    pub key: Option<String>,
    /// Instead: forecast every finished epic from its halfway point and say how many landed by
    /// the 85 % date.
    #[arg(long, conflicts_with = "key")]
    pub backtest: bool,
    /// Only this team's epics (without KEY, or with --backtest).
    #[arg(long, conflicts_with = "key")]
    pub team: Option<String>,
}

#[allow(clippy::print_stdout)]
pub fn forecast(app: &App, a: ForecastArgs, json: bool) -> anyhow::Result<()> {
    if a.backtest {
        let b = app.forecast_backtest(a.team.as_deref())?;
        if json {
            return print_json(&b);
        }
        for c in &b.cases {
            println!(
                "{:<12} forecast {} → 85 % by {}, finished {}: {}",
                c.key,
                &bosun_core::time::rfc3339(c.at)[..10],
                c.p85.as_deref().unwrap_or("–"),
                &bosun_core::time::rfc3339(c.finished)[..10],
                if c.on_time { "on time" } else { "late" }
            );
        }
        match b.on_time_share {
            Some(s) => println!(
                "{} of {} finished epics landed by the 85 % date forecast at their halfway point ({:.0} %).",
                b.on_time,
                b.cases.len(),
                s * 100.0
            ),
            None => println!(
                "No finished epic with {} or more child tickets to backtest.",
                b.min_children
            ),
        }
        return Ok(());
    }
    let Some(key) = a.key else {
        let epics = app.open_epics(a.team.as_deref())?;
        if json {
            return print_json(&serde_json::json!({ "epics": epics }));
        }
        if epics.is_empty() {
            println!(
                "No epic with work left (a forecast needs tickets that name an epic as parent)."
            );
        }
        for v in &epics {
            let f = &v.forecast;
            println!(
                "{:<12} {:<36} {:>3}/{:<3} 50 % {}  85 % {}  95 % {}",
                v.key,
                v.summary.as_deref().unwrap_or(""),
                f.done,
                f.total,
                f.dates
                    .as_ref()
                    .and_then(|d| d.p50.as_deref())
                    .unwrap_or("never"),
                f.dates
                    .as_ref()
                    .and_then(|d| d.p85.as_deref())
                    .unwrap_or("never"),
                f.dates
                    .as_ref()
                    .and_then(|d| d.p95.as_deref())
                    .unwrap_or("never"),
            );
        }
        return Ok(());
    };
    let v = app.forecast(&key)?;
    if json {
        return print_json(&v);
    }
    print_forecast(&v);
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_forecast(v: &bosun_app::forecast::ForecastView) {
    let f = &v.forecast;
    println!(
        "{}{}{}: {} of {} done, {} left.",
        v.key,
        v.summary
            .as_deref()
            .map(|s| format!(" “{s}”"))
            .unwrap_or_default(),
        v.team
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default(),
        f.done,
        f.total,
        f.remaining
    );
    match &f.dates {
        Some(d) => {
            let at = |x: &Option<String>| x.clone().unwrap_or_else(|| "never at this pace".into());
            println!(
                "  Done by {} (50 %), {} (85 %), {} (95 %).",
                at(&d.p50),
                at(&d.p85),
                at(&d.p95)
            );
        }
        None => println!("  No date: the team finished nothing lately."),
    }
    println!(
        "  Pace: {:.1} tickets a week ({:.0} % of the team's {:.1}); scope growing {:.1} a week; {} runs, seed {}.",
        f.throughput_per_week,
        f.share * 100.0,
        f.team_throughput_per_week,
        f.growth_per_week,
        f.runs,
        f.seed
    );
    for c in &f.caveats {
        println!("  Note: {c}");
    }
}
