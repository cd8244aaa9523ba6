//! The metrics cache after a small sync gives exactly what a full reload gives, having re-read
//! only what the sync touched.

#[path = "../examples/support/small_sync.rs"]
mod small_sync;
#[path = "support/demo.rs"]
mod support;

use bosun_app::metrics::{MetricsCache, Refreshed, load};
use bosun_metrics::dora::{DoraOptions, Scope, analyse, dora};

#[test]
fn a_refresh_after_a_small_sync_equals_a_full_reload() {
    let dir = tempfile::tempdir().unwrap();
    let (app, as_of) = support::synced_demo(dir.path());

    let mut store = app.store().unwrap();
    let opts = DoraOptions::default();
    let mut cache = MetricsCache::load(store.conn(), opts.clone()).unwrap();
    assert_eq!(
        cache.refresh(store.conn()).unwrap(),
        Refreshed::default(),
        "nothing changed"
    );
    let before = cache.data.deployments.len();

    let at = as_of.timestamp() - 3600;
    let small = small_sync::apply(&mut store, at, 1);
    let done = cache.refresh(store.conn()).unwrap();
    assert!(!done.full, "{done:?}");
    assert_eq!(
        (done.repos, done.services, done.tickets, done.sprints),
        (1, 1, 1, 0),
        "{done:?}"
    );
    assert_eq!(cache.data.deployments.len(), before + 1);

    let full = load(store.conn()).unwrap();
    assert!(
        cache.data == full,
        "the refreshed dataset is the reloaded one"
    );
    let reanalysed = analyse(&full, &opts);
    let json = |a: &bosun_metrics::dora::Analysis| {
        serde_json::to_string(&(&a.records, &a.warnings)).unwrap()
    };
    assert_eq!(
        json(&cache.analysis),
        json(&reanalysed),
        "and so is its analysis"
    );

    // The new deployment is in, with its changes and the incident note that names it.
    let record = cache
        .analysis
        .records
        .iter()
        .find(|r| r.external_id == small.deployment_external_id)
        .expect("the new deployment");
    assert_eq!(
        (record.repo, record.changes.len()),
        (small.repo, 2),
        "the squash-merged PR's two commits: {record:?} {:?}",
        cache.analysis.warnings
    );
    assert!(
        !record.failures.is_empty(),
        "the incident note names it: {record:?}"
    );
    let scope = Scope {
        since: at - 86_400,
        until: at + 86_400,
        team: None,
        repo: Some(small.repo),
    };
    let m = dora(&cache.data, &cache.analysis, &scope);
    assert!(
        m.evidence
            .iter()
            .any(|r| r.external_id == small.deployment_external_id)
    );

    // Another small sync, then an identity change (a person joins another team): full reload.
    small_sync::apply(&mut store, at + 600, 2);
    assert!(!cache.refresh(store.conn()).unwrap().full);
    store.conn().execute("UPDATE people SET team_id = (SELECT max(id) FROM teams) WHERE id = (SELECT min(id) FROM people)", []).unwrap();
    assert!(cache.refresh(store.conn()).unwrap().full);
    assert!(cache.data == load(store.conn()).unwrap());
}
