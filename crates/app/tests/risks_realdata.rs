//! The risk register on data nobody here wrote: PagerDuty's own example incident ("The server is
//! on fire.", from its API reference, in `shared/realdata/pagerduty-examples`) normalized by the
//! PagerDuty connector and stored three times a week apart, as a service that keeps failing the
//! same way would be (its service from PagerDuty's example service list) — the signals engine sees repeat incidents and the register proposes the
//! risk, with the incidents as evidence, then clears it when they age out. And the register's
//! reading of the other signals it maps (bus factor) on signals as stored.

use bosun_app::risks::{Condition, RiskInputs, RiskKind};
use bosun_app::{App, Paths};
use bosun_connectors::pagerduty::{api as pd, normalize as pdn};
use bosun_core::clock::FixedClock;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn pagerduty_dir() -> Option<PathBuf> {
    let given = std::env::var_os("BOSUN_REALDATA").map(PathBuf::from);
    let dir = given
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realdata"))
        .join("pagerduty-examples");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        given.is_none(),
        "PagerDuty examples not found at {}",
        dir.display()
    );
    None
}

fn app_at(dir: &Path, t: i64) -> App {
    let now = chrono::DateTime::from_timestamp(t, 0).unwrap();
    App::new(Paths::in_dir(dir), Arc::new(FixedClock(now))).unwrap()
}

#[test]
fn a_real_incident_again_and_again_is_a_proposed_risk_until_it_ages_out() {
    let Some(pd_dir) = pagerduty_dir() else {
        return;
    };
    let list: Value = serde_json::from_slice(
        &std::fs::read(pd_dir.join("listIncidents__200__response.json")).unwrap(),
    )
    .unwrap();
    let incident: pd::Incident = serde_json::from_value(list["incidents"][0].clone()).unwrap();
    let first = pdn::incident(&incident, &[]);
    assert!(
        first.service_external_id.is_some(),
        "the example names its service"
    );
    let dir = tempfile::tempdir().unwrap();
    let day = 86_400;
    {
        let app = app_at(dir.path(), first.created_at);
        let store = app.store().unwrap();
        let services: Value = serde_json::from_slice(
            &std::fs::read(pd_dir.join("listServices__200__response.json")).unwrap(),
        )
        .unwrap();
        let svc: pd::Service = serde_json::from_value(services["services"][0].clone()).unwrap();
        bosun_store::ops::upsert_service(store.conn(), &pdn::service(&svc)).unwrap();
        for k in 0..3 {
            let mut again = first.clone();
            again.external_id = format!("{}-{k}", first.external_id);
            again.number = first.number.map(|n| n + k);
            again.created_at = first.created_at + k * 7 * day;
            again.acknowledged_at = first.acknowledged_at.map(|a| a + k * 7 * day);
            again.resolved_at = Some(again.created_at + 3_600);
            bosun_store::ops::upsert_incident(store.conn(), None, &again).unwrap();
        }
    }
    let now = first.created_at + 15 * day;
    let app = app_at(dir.path(), now);
    let view = app.risks().unwrap();
    let repeat: Vec<_> = view
        .risks
        .iter()
        .filter(|r| r.kind == RiskKind::RepeatIncidents)
        .collect();
    assert_eq!(repeat.len(), 1, "{:?}", view.risks);
    let r = repeat[0];
    assert_eq!(
        r.title,
        "Failing the same way again and again: My Application Service: \"The server is on fire.\" 3 times"
    );
    assert_eq!(
        r.evidence.iter().filter(|e| e.kind == "incident").count(),
        3,
        "{:?}",
        r.evidence
    );
    assert_eq!((r.likelihood, r.impact), (4, 3));
    // A year on, the incidents are out of the repeat window: the condition clears.
    let later = app_at(dir.path(), now + 365 * day);
    let view = later.risks().unwrap();
    let r = view.risks.iter().find(|x| x.id == repeat[0].id).unwrap();
    assert_eq!(r.condition, Condition::Cleared);
}

#[test]
fn bus_factor_signals_make_one_proposal_per_repository_with_open_work() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_at(dir.path(), 1_795_000_000);
    let row = |id: i64, path: &str, severity: &str| bosun_store::signals::SignalRow {
        id,
        kind: "bus_factor".into(),
        dedupe_key: format!("bus_factor:path:{path}"),
        severity: severity.into(),
        subject_kind: "path".into(),
        subject_ref: path.into(),
        title: path.into(),
        why: format!("Only Ana knows {path}."),
        evidence: serde_json::json!([{"kind": "pull_request", "ref": "acme/api#4", "title": "Fix it", "url": "https://github.com/acme/api/pull/4"}]),
        suggestion: None,
        team: Some("core".into()),
        person_id: Some(7),
        person: Some("Ana".into()),
        status: "open".into(),
        first_seen_at: 0,
        last_seen_at: 0,
        acknowledged_at: None,
        snoozed_until: None,
        resolved_at: None,
        escalated_at: None,
        detail: serde_json::json!({}),
    };
    let signals = vec![
        row(1, "acme/api:/billing/", "medium"),
        row(2, "acme/api:/auth/", "low"),
        // No open pull request touches web's only path: knowledge in one head, but no work
        // waiting on it — not proposed.
        row(3, "acme/web:*", "low"),
    ];
    let data = bosun_metrics::data::Dataset::default();
    let analysis = bosun_metrics::dora::analyse(&data, &Default::default());
    let view = app
        .risks_with(&RiskInputs {
            data: &data,
            analysis: &analysis,
            signals: &signals,
        })
        .unwrap();
    let bus: Vec<_> = view
        .risks
        .iter()
        .filter(|r| r.kind == RiskKind::BusFactor)
        .collect();
    assert_eq!(bus.len(), 1, "{:?}", view.risks);
    assert_eq!(bus[0].subject, "repo:acme/api");
    assert_eq!(bus[0].title, "Only Ana knows parts of acme/api");
    assert!(
        bus[0].why.starts_with("2 paths of acme/api"),
        "{}",
        bus[0].why
    );
    assert!(
        bus[0]
            .evidence
            .iter()
            .any(|e| e.url.as_deref() == Some("https://github.com/acme/api/pull/4"))
    );
}
