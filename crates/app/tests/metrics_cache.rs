//! The metrics cache after a small sync gives exactly what a full reload gives, having re-read
//! only what the sync touched.

#[path = "../examples/support/small_sync.rs"]
mod small_sync;
#[path = "support/demo.rs"]
mod support;

use bosun_app::metrics::{MetricsCache, Refreshed, load};
use bosun_metrics::dora::{DoraOptions, Scope, analyse, dora};

/// An analysis's records and warnings, to compare (records hold floats).
fn records(a: &bosun_metrics::dora::Analysis) -> String {
    serde_json::to_string(&(&a.records, &a.warnings)).unwrap()
}

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
        (
            done.repos,
            done.services,
            done.ticket_ids.len(),
            done.sprint_ids.len()
        ),
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
    assert_eq!(
        records(&cache.analysis),
        records(&reanalysed),
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

/// An incident whose note names another service's deployment is linked there: re-analysing only
/// its own service's repositories (what a refresh after the note does) must drop the window rule's
/// blame on them, as a full analysis does.
#[test]
fn a_note_naming_another_services_deployment_is_followed_by_the_refresh() {
    use bosun_metrics::dora::FailureEvidence;
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = support::synced_demo(dir.path());
    let store = app.store().unwrap();
    let opts = DoraOptions::default();
    let mut cache = MetricsCache::load(store.conn(), opts.clone()).unwrap();
    let data = cache.data.clone();
    let service_of = |repo: i64| {
        data.repos
            .iter()
            .find(|r| r.id == repo)
            .and_then(|r| r.service.clone())
    };
    // A deployment blamed by the window rule for an incident, and a successful deployment of
    // another service's repository from before that incident.
    let (blamed, incident) = cache
        .analysis
        .records
        .iter()
        .find_map(|r| {
            r.failures.iter().find_map(|f| match f {
                FailureEvidence::IncidentAfter { incident, .. } => Some((r.id, *incident)),
                _ => None,
            })
        })
        .expect("a deployment blamed by the window rule");
    let inc = data.incidents.iter().find(|i| i.id == incident).unwrap();
    let blamed_repo = data
        .deployments
        .iter()
        .find(|d| d.id == blamed)
        .unwrap()
        .repo;
    let other = data
        .deployments
        .iter()
        .filter(|d| service_of(d.repo) != service_of(blamed_repo))
        .filter(|d| d.succeeded_at.is_some_and(|at| at <= inc.created_at))
        .max_by_key(|d| d.succeeded_at)
        .expect("another service's earlier deployment")
        .clone();
    let inc = inc.clone();
    store
        .conn()
        .execute(
            "INSERT INTO incident_log_entries (incident_id, external_id, kind, created_at, summary) VALUES (?1, 'note-elsewhere', 'annotate', ?2, ?3)",
            rusqlite::params![
                incident,
                inc.created_at + 60,
                format!("Caused by deployment {}", other.external_id)
            ],
        )
        .unwrap();

    let done = cache.refresh(store.conn()).unwrap();
    assert!(!done.full && done.services == 1, "{done:?}");
    let reanalysed = analyse(&load(store.conn()).unwrap(), &opts);
    assert_eq!(
        records(&cache.analysis),
        records(&reanalysed),
        "refresh = full analysis"
    );
    let still_blamed = cache.analysis.records.iter().any(|r| {
        r.id == blamed
            && r.failures.iter().any(|f| {
                matches!(f, FailureEvidence::IncidentAfter { incident: i, .. } if *i == incident)
            })
    });
    assert!(
        !still_blamed,
        "the incident is linked to {}",
        other.external_id
    );
}
