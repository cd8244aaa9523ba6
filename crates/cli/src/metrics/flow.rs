//! `bosun metrics flow`: flow time, efficiency, load, velocity, distribution and aging work.

use super::{Report, hm, print_json, summary, write_chart};
use bosun_core::time::{Ts, rfc3339};
use bosun_metrics::{charts, flow};

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
    let m = flow::flow(&data, &scope);
    write_chart(&chart, charts::cumulative_flow(&m.cumulative_flow))?;
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
    for a in m.aging.iter().take(if explain { usize::MAX } else { 10 }) {
        println!(
            "    {:<10} {:>9} {}{}",
            a.key,
            hm(a.age_secs as f64),
            a.summary,
            if a.over_p85 { "  ← past p85" } else { "" }
        );
    }
    if explain {
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
    Ok(())
}
