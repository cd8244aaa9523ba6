//! `bosun doctor`: every check with ok, warn or fail and a one-line reason; fails (exit 1) only
//! when a check fails.

use bosun_app::App;
use bosun_app::doctor::{Level, Report};

/// The report, and whether every check passed or warned.
pub fn run(app: &App, json: bool) -> anyhow::Result<bool> {
    let report = crate::runtime()?.block_on(app.doctor())?;
    print(&report, json)
}

/// Print a report of checks (the doctor's, `bosun slack check`'s); true when none failed.
pub fn print(report: &Report, json: bool) -> anyhow::Result<bool> {
    if json {
        crate::print_json(&report)?;
    } else {
        for c in &report.checks {
            println!("{:<4}  {:<24} {}", c.level.as_str(), c.name, c.reason);
        }
        let count = |l: Level| report.checks.iter().filter(|c| c.level == l).count();
        println!(
            "{} ok, {} warn, {} fail",
            count(Level::Ok),
            count(Level::Warn),
            count(Level::Fail)
        );
    }
    Ok(report.ok)
}
