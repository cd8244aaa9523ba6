//! `bosun metrics investment`: where each team's finished work went, per month.

use super::print_json;
use bosun_app::App;
use bosun_metrics::investment::Category;

#[allow(clippy::print_stdout)]
pub(super) fn run(
    app: &App,
    team: Option<&str>,
    months: u32,
    explain: bool,
    json: bool,
) -> anyhow::Result<()> {
    let v = app.investment(team, months)?;
    if json {
        return print_json(&v);
    }
    println!(
        "Investment balance — {}, {} → {} (finished tickets per month)",
        v.team
            .as_deref()
            .map_or("every team".to_string(), |t| format!("team {t}")),
        &v.since[..10],
        &v.until[..10]
    );
    print!("  {:<8} {:<10} {:>5}", "month", "team", "items");
    for c in Category::ALL {
        print!(" {:>10}", c.as_str());
    }
    println!();
    for m in &v.months {
        print!(
            "  {:<8} {:<10} {:>5}",
            m.month,
            m.team.as_deref().unwrap_or("-"),
            m.items
        );
        for s in &m.shares {
            print!(" {:>4} {:>4.0}%", s.items, s.share_items * 100.0);
        }
        println!();
        if explain {
            for t in &m.tickets {
                println!(
                    "      {:<10} {:<9}{}",
                    t.key,
                    t.category.as_str(),
                    t.unplanned_because
                        .as_deref()
                        .map_or_else(String::new, |w| format!(" ({w})"))
                );
            }
        }
    }
    if v.months.is_empty() {
        println!("  No ticket was finished in the window.");
    }
    println!();
    for r in &v.rules {
        println!("  {r}");
    }
    Ok(())
}
