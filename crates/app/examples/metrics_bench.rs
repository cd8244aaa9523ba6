//! Benchmark of the metrics on a synced database (bench/metrics.sh runs it on the scale-100 demo):
//! a cold load, the analysis of every deployment, every metric for the whole organisation and
//! for each team, then small syncs each followed by a cache refresh and the organisation's DORA
//! recomputed. Prints one JSON document; times in milliseconds.
//!
//! Usage: metrics_bench DB AS_OF_UNIX_SECONDS [SMALL_SYNCS]
//! Warning: it writes the small syncs into DB (run it on a copy).

#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "support/small_sync.rs"]
mod small_sync;
#[path = "support/timing.rs"]
mod timing;

use bosun_app::metrics::{MetricsCache, load};
use bosun_metrics::dora::{DoraOptions, Scope, analyse, dora};
use bosun_metrics::{flow, prs, sprint};
use std::time::Instant;
use timing::{median, ms};

/// Peak resident memory of this process, from /proc (Linux).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: metrics_bench DB AS_OF_UNIX_SECONDS [SMALL_SYNCS]");
        std::process::exit(2);
    }
    let as_of: i64 = args[2].parse().expect("AS_OF in unix seconds");
    let syncs: u32 = args.get(3).map_or(5, |s| s.parse().expect("a count"));
    // BOSUN_BENCH_TRACE=1: the cache's phases (load, analyse, replace) on stderr as they end.
    timing::trace_if_asked("bosun_app=debug");
    let mut store = bosun_store::Store::open(std::path::Path::new(&args[1])).expect("the database");
    let opts = DoraOptions::default();

    // Cold: read everything, analyse every deployment, compute every metric.
    let t = Instant::now();
    let data = load(store.conn()).expect("load");
    let load_ms = ms(t);
    let t = Instant::now();
    let analysis = analyse(&data, &opts);
    let analyse_ms = ms(t);
    let teams: Vec<String> = {
        let mut t: Vec<String> = data.repos.iter().filter_map(|r| r.team.clone()).collect();
        t.sort();
        t.dedup();
        t
    };
    let six_months = Scope {
        since: as_of - 182 * 86_400,
        until: as_of,
        team: None,
        repo: None,
    };
    let t = Instant::now();
    let org = dora(&data, &analysis, &six_months);
    let org_dora_ms = ms(t);
    let t = Instant::now();
    let org_prs = prs::pr_metrics(&data, &analysis, &six_months);
    let org_prs_ms = ms(t);
    let t = Instant::now();
    let org_flow = flow::flow(&data, &six_months);
    let org_flow_ms = ms(t);
    let mut per_team = 0usize;
    let mut forecasts = 0usize;
    let sprint_data = sprint::SprintData::per_team(&data);
    let mut sampled = Vec::new();
    for (i, team) in teams.iter().enumerate() {
        let scope = Scope {
            team: Some(team.clone()),
            ..six_months.clone()
        };
        per_team += dora(&data, &analysis, &scope).deployments;
        per_team += prs::pr_metrics(&data, &analysis, &scope).merged;
        per_team += flow::flow(&data, &scope).finished;
        if let Some(s) = data
            .sprints
            .iter()
            .filter(|s| s.team.as_deref() == Some(team) && s.start_at.is_some_and(|st| st <= as_of))
            .max_by_key(|s| s.start_at)
        {
            let health = sprint::sprint_health_in(
                &sprint_data[&s.team.as_deref()],
                s,
                as_of,
                &sprint::SprintOptions::default(),
            );
            forecasts += usize::from(health.as_ref().is_some_and(|h| h.forecast.is_some()));
            if i.is_multiple_of(25) {
                sampled.push((s, health));
            }
        }
    }
    let other_metrics_ms = ms(t);
    // A sample of the teams' sprint health, each read from the team's part, against a reading of
    // every ticket of the organisation (not timed).
    let json = |h: &Option<sprint::SprintHealth>| serde_json::to_value(h).expect("json");
    let sprint_parts_equal = sampled.iter().all(|(s, h)| {
        json(h)
            == json(&sprint::sprint_health(
                &data,
                s,
                as_of,
                &sprint::SprintOptions::default(),
            ))
    });
    let sprint_parts_checked = sampled.len();
    drop(sampled);
    let compute_ms = analyse_ms + org_dora_ms + org_prs_ms + other_metrics_ms;
    let cold_peak_rss = peak_rss_mib();
    let scale = serde_json::json!({
        "repos": data.repos.len(), "commits": data.commits.len(), "pull_requests": data.pull_requests.len(),
        "deployments": data.deployments.len(), "incidents": data.incidents.len(), "tickets": data.tickets.len(),
        "teams": teams.len(),
    });
    let org_deployments = org.deployments;
    drop((data, analysis));

    // Warm: the desktop app's cache, refreshed after each small sync.
    let mut cache = MetricsCache::load(store.conn(), opts.clone()).expect("cache");
    let first = bosun_store::fixtures::pull_requests_with_prefix(store.conn(), "small-")
        .map_or(0, |n| n as u32);
    let mut refresh = Vec::new();
    let mut refresh_and_dora = Vec::new();
    let mut equal = true;
    for i in 0..syncs {
        small_sync::apply(&mut store, as_of - 3600 + i64::from(i) * 60, first + i + 1);
        let t = Instant::now();
        let done = cache.refresh(store.conn()).expect("refresh");
        refresh.push(ms(t));
        let m = dora(&cache.data, &cache.analysis, &six_months);
        refresh_and_dora.push(ms(t));
        assert!(!done.full, "a small sync is not a full reload: {done:?}");
        equal &= m.deployments == org_deployments + 1 + i as usize;
    }

    let out = serde_json::json!({
        "scale": scale,
        "org_six_months": {
            "deployments": org.deployments, "lead_time_n": org.lead_time_seconds.n, "failed": org.change_failure_rate.failed,
            "prs_merged": org_prs.merged, "flow_finished": org_flow.finished,
        },
        "load_ms": load_ms,
        "analyse_ms": analyse_ms,
        "org_dora_ms": org_dora_ms,
        "org_prs_ms": org_prs_ms,
        "org_flow_ms": org_flow_ms,
        "flow_teams_sprints_ms": other_metrics_ms,
        "dora_and_prs_ms": analyse_ms + org_dora_ms + org_prs_ms,
        "compute_ms": compute_ms,
        "cold_total_ms": load_ms + compute_ms,
        "per_team_checksum": per_team,
        "sprint_forecasts": forecasts,
        "sprint_parts_equal": sprint_parts_equal,
        "sprint_parts_checked": sprint_parts_checked,
        "small_syncs": syncs,
        "refresh_ms_median": median(refresh.clone()),
        "refresh_ms_max": refresh.iter().copied().fold(0.0, f64::max),
        "refresh_and_org_dora_ms_median": median(refresh_and_dora),
        "refresh_counts_each_new_deployment": equal,
        "peak_rss_mib_cold": cold_peak_rss,
        "peak_rss_mib": peak_rss_mib(),
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("json"));
}
