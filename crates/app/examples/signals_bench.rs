//! Benchmark of the signal engine on a synced database (bench/signals.sh runs it on the scale-100
//! demo): loading what the detectors read, a full evaluation (every detector and the policy's
//! working agreements, every team), writing it (lifecycle, alerts, drafts with their policy
//! decisions), and the incremental path: after each small sync, the cache re-reads what the sync
//! wrote and re-evaluates only the teams it touched. Prints one JSON document; times in ms.
//!
//! Usage: signals_bench DB CONFIG AS_OF_UNIX_SECONDS [SMALL_SYNCS]
//! Warning: it writes into DB (run it on a copy).

#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "support/small_sync.rs"]
mod small_sync;
#[path = "support/timing.rs"]
mod timing;

use bosun_app::Config;
use bosun_app::signals::{SignalCache, apply, evaluate, load_extra};
use bosun_policy::Bundle;
use bosun_signals::{Input, Scope};
use std::time::Instant;
use timing::{median, ms};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: signals_bench DB CONFIG AS_OF_UNIX_SECONDS [SMALL_SYNCS]");
        std::process::exit(2);
    }
    let config = Config::load(std::path::Path::new(&args[2])).expect("the config");
    let as_of: i64 = args[3].parse().expect("AS_OF in unix seconds");
    let syncs: u32 = args.get(4).map_or(5, |s| s.parse().expect("a count"));
    // BOSUN_BENCH_TRACE=1: each phase's time on stderr (the spans of the cache and the detectors).
    timing::trace_if_asked("bosun_app=debug,bosun_signals=debug,bosun_policy=debug");
    let mut store = bosun_store::Store::open(std::path::Path::new(&args[1])).expect("the database");
    let bundle = Bundle::builtin();
    let settings = &config.signals;

    let t = Instant::now();
    let data = bosun_app::metrics::load(store.conn()).expect("the dataset");
    let load_dataset_ms = ms(t);
    let t = Instant::now();
    let extra = load_extra(store.conn(), &config, settings, as_of).expect("the extra records");
    let load_extra_ms = ms(t);
    let input = Input {
        data: &data,
        extra: &extra,
    };

    // Full evaluation, five times (the median counts; BOSUN_BENCH_FULL_RUNS=N for a profile).
    let runs: usize = std::env::var("BOSUN_BENCH_FULL_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let mut full = Vec::new();
    let mut detectors = Vec::new();
    let mut signals = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let d = bosun_signals::evaluate(input, settings, as_of, &Scope::all());
        detectors.push(ms(t));
        let t = Instant::now();
        signals = evaluate(input, settings, &bundle, as_of, &Scope::all()).expect("evaluate");
        full.push(ms(t));
        assert!(signals.len() >= d.len());
    }
    let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
    for s in &signals {
        *kinds.entry(s.kind.as_str()).or_default() += 1;
    }

    // Writing it: first time (everything new: signals, alerts, drafts, policy decisions), then
    // again with nothing changed.
    let alert_settings = config.alerts.settings(0).expect("alert settings");
    let t = Instant::now();
    let first = apply(
        &mut store,
        &signals,
        &Scope::all(),
        as_of,
        &alert_settings,
        &bundle,
        &extra,
    )
    .expect("apply");
    let apply_first_ms = ms(t);
    let t = Instant::now();
    let again = apply(
        &mut store,
        &signals,
        &Scope::all(),
        as_of,
        &alert_settings,
        &bundle,
        &extra,
    )
    .expect("apply");
    let apply_again_ms = ms(t);
    assert_eq!(again.new, 0);
    drop((data, extra));

    // Incremental: the cache after each small sync.
    let t = Instant::now();
    let mut cache = SignalCache::load(store.conn(), &config, &bundle, as_of).expect("cache");
    let cache_load_ms = ms(t);
    assert_eq!(
        cache.signals.len(),
        signals.len(),
        "the cache agrees with a full evaluation"
    );
    let first_small = bosun_store::fixtures::pull_requests_with_prefix(store.conn(), "small-")
        .map_or(0, |n| n as u32);
    let mut incremental = Vec::new();
    let mut teams = Vec::new();
    let mut equal = true;
    for i in 0..syncs {
        small_sync::apply(
            &mut store,
            as_of - 3600 + i64::from(i) * 60,
            first_small + i + 1,
        );
        let t = Instant::now();
        let r = cache
            .refresh(store.conn(), &config, &bundle, as_of)
            .expect("refresh");
        incremental.push(ms(t));
        assert!(!r.full, "a small sync is not a full re-evaluation: {r:?}");
        teams.push(r.teams.len());
        // The incremental result equals a full evaluation of the same data.
        let fresh = evaluate(
            Input {
                data: cache.data(),
                extra: &cache.extra,
            },
            settings,
            &bundle,
            as_of,
            &Scope::all(),
        )
        .expect("evaluate");
        equal &= fresh == cache.signals;
    }
    // As in the running app, where "now" has moved since the last sync: one more small sync,
    // refreshed ten minutes later (every team evaluated again, the windowed extra records re-read),
    // checked against a fresh read of the store at that moment.
    let later = as_of + 600;
    small_sync::apply(&mut store, as_of - 60, first_small + syncs + 1);
    let t = Instant::now();
    let r = cache
        .refresh(store.conn(), &config, &bundle, later)
        .expect("refresh");
    let moved_ms = ms(t);
    assert!(r.full, "the moment moved: {r:?}");
    // (Before the check below loads a second copy of everything.)
    let peak_rss_mib = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0);
    let data = bosun_app::metrics::load(store.conn()).expect("the dataset");
    let extra = load_extra(store.conn(), &config, settings, later).expect("the extra records");
    let fresh = evaluate(
        Input {
            data: &data,
            extra: &extra,
        },
        settings,
        &bundle,
        later,
        &Scope::all(),
    )
    .expect("evaluate");
    let moved_equal = fresh == cache.signals;
    let d = cache.data();
    println!(
        "{}",
        serde_json::json!({
            "scale": {
                "repos": d.repos.len(), "pull_requests": d.pull_requests.len(), "tickets": d.tickets.len(),
                "deployments": d.deployments.len(), "incidents": d.incidents.len(), "people": d.people.len(),
            },
            "signals": signals.len(),
            "kinds": kinds,
            "load_dataset_ms": load_dataset_ms,
            "load_extra_ms": load_extra_ms,
            "detectors_ms": median(detectors),
            "full_ms": full.clone(),
            "full_evaluation_ms": median(full),
            "apply_first_ms": apply_first_ms,
            "apply_first": first,
            "apply_again_ms": apply_again_ms,
            "cache_load_ms": cache_load_ms,
            "incremental_ms": incremental,
            "incremental_median_ms": median(incremental.clone()),
            "incremental_teams": teams,
            "incremental_equals_full": equal,
            "moved_ms": moved_ms,
            "moved_equals_store": moved_equal,
            "peak_rss_mib": peak_rss_mib,
        })
    );
}
