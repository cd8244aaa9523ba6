//! The signal cache after a small sync gives exactly what a full evaluation gives, having
//! re-evaluated only the teams the sync touched; writing an evaluation twice changes nothing the
//! second time; a scoped evaluation resolves only what it looked at.

#[path = "../examples/support/small_sync.rs"]
mod small_sync;

use bosun_app::demo::{self, DemoOptions};
use bosun_app::signals::{Reevaluated, SignalCache, apply, evaluate, load_extra};
use bosun_app::{App, Paths};
use bosun_core::clock::FixedClock;
use bosun_policy::Bundle;
use bosun_signals::{Input, Scope};
use std::sync::Arc;

const AS_OF: &str = "2026-11-20T09:00:00Z";

#[test]
fn the_signal_cache_matches_a_full_evaluation_and_writing_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339(AS_OF)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut app = App::new(Paths::in_dir(dir.path()), Arc::new(FixedClock(as_of))).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(demo::sync(
        &mut app,
        DemoOptions {
            months: 2,
            ..Default::default()
        },
        Arc::new(bosun_connectors::NullSink),
    ))
    .unwrap();
    let now = as_of.timestamp();
    let config = app.config.clone();
    let bundle = Bundle::builtin();
    let mut store = app.store().unwrap();

    let mut cache = SignalCache::load(store.conn(), &config, &bundle, now).unwrap();
    assert!(cache.signals.len() > 10, "{}", cache.signals.len());
    assert_eq!(
        cache.refresh(store.conn(), &config, &bundle, now).unwrap(),
        Reevaluated::default(),
        "nothing changed"
    );

    small_sync::apply(&mut store, now - 3600, 1);
    let r = cache.refresh(store.conn(), &config, &bundle, now).unwrap();
    assert!(!r.full && !r.teams.is_empty(), "{r:?}");
    let data = bosun_app::metrics::load(store.conn()).unwrap();
    let extra = load_extra(store.conn(), &config, &config.signals, now).unwrap();
    let full = evaluate(
        Input {
            data: &data,
            extra: &extra,
        },
        &config.signals,
        &bundle,
        now,
        &Scope::all(),
    )
    .unwrap();
    assert_eq!(cache.signals, full, "incremental = full");

    // Writing: everything new the first time; nothing the second.
    let alerts = config.alerts.settings(0).unwrap();
    let first = apply(
        &mut store,
        &full,
        &Scope::all(),
        now,
        &alerts,
        &bundle,
        &extra,
    )
    .unwrap();
    let unique = |global: bool| {
        full.iter()
            .filter(|s| !global || bosun_signals::is_global(s.kind))
            .map(|s| s.dedupe_key.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len()
    };
    assert_eq!(first.new, unique(false));
    assert!(first.drafts > 0);
    assert!(first.alerts_delivered <= 5);
    let again = apply(
        &mut store,
        &full,
        &Scope::all(),
        now + 60,
        &alerts,
        &bundle,
        &extra,
    )
    .unwrap();
    assert_eq!(
        (
            again.new,
            again.drafts,
            again.alerts_delivered,
            again.resolved
        ),
        (0, 0, 0, 0),
        "{again:?}"
    );

    // An empty evaluation of no team resolves only the global signals (incidents, follow-ups,
    // chat): it did not look at any team's records.
    let global = unique(true);
    let none = apply(
        &mut store,
        &[],
        &Scope::teams([]),
        now + 120,
        &alerts,
        &bundle,
        &extra,
    )
    .unwrap();
    assert_eq!(none.resolved, global);
    let open = bosun_store::signals::list(store.conn(), &["open"]).unwrap();
    assert_eq!(open.len(), unique(false) - global);
}
