//! Goals and investment balance on a real Jira payload nobody here wrote (go-jira's recorded
//! `issues_in_sprint.json`, MIT, in the connectors' fixtures): issue AR-86, whose Agile API `epic`
//! object names AR-37, normalized by the Jira connector, stored, and read back through the app —
//! an epic rule links it to a goal, a label rule does not, and once done it counts in its month's
//! investment balance (a copy of it labelled `hotfix` as unplanned work).

use bosun_app::goals::{GoalInput, KeyResultInput, Measure};
use bosun_app::{App, Paths};
use bosun_connectors::jira::api as jira;
use bosun_connectors::jira::history::{DEFAULT_WAITING, StatusMap};
use bosun_connectors::jira::normalize::{FieldIds, Normalizer, WorkTypes};
use bosun_core::clock::FixedClock;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

fn fixture(rel: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../connectors/tests/fixtures/jira/go-jira")
        .join(rel);
    serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap()
}

fn normalizer() -> Normalizer {
    let fields: Vec<jira::Field> = serde_json::from_value(fixture("all_fields.json")).unwrap();
    let mut statuses = StatusMap::new(
        &DEFAULT_WAITING
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
    );
    let all: Vec<jira::Status> = serde_json::from_value(fixture("all_statuses.json")).unwrap();
    for s in &all {
        statuses.add(&s.name, &s.status_category.key);
    }
    Normalizer {
        fields: FieldIds::from_fields(&fields, None),
        statuses,
        work_types: WorkTypes::new(&HashMap::new()),
        web: "https://example.atlassian.net".into(),
    }
}

#[test]
fn a_real_issue_serves_its_epics_goal_and_counts_in_its_month() {
    let dir = tempfile::tempdir().unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2015-12-20T12:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let app = App::new(Paths::in_dir(dir.path()), Arc::new(FixedClock(now))).unwrap();
    let n = normalizer();
    let issue = fixture("issues_in_sprint.json")["issues"][0].clone();
    // The same issue, done: its real "Done" status (resolved 2015-12-07, as recorded).
    let done_status = fixture("all_statuses.json")
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Done")
        .unwrap()
        .clone();
    let mut done = issue.clone();
    done["fields"]["status"] = done_status;
    let mut hotfix = done.clone();
    hotfix["key"] = "AR-87".into();
    hotfix["id"] = "99887".into();
    hotfix["fields"]["labels"] = serde_json::json!(["hotfix"]);
    {
        let store = app.store().unwrap();
        for raw in [&done, &hotfix] {
            let i: jira::Issue = serde_json::from_value(raw.clone()).unwrap();
            let t = n.ticket(&i, &[]).unwrap().ticket;
            bosun_store::planning::upsert_ticket(store.conn(), None, "jira", &t).unwrap();
        }
    }
    let id = app
        .save_goal(&GoalInput {
            title: "Moderation".into(),
            quarter: "2015-Q4".into(),
            epics: vec!["AR-37".into()],
            key_results: vec![KeyResultInput {
                title: "Ship it".into(),
                measure: Measure::Items,
                ..KeyResultInput::default()
            }],
            ..GoalInput::default()
        })
        .unwrap();
    app.save_goal(&GoalInput {
        title: "Unrelated".into(),
        quarter: "2015-Q4".into(),
        labels: vec!["moderation".into()],
        ..GoalInput::default()
    })
    .unwrap();
    let view = app.goals(Some("2015-Q4"), None).unwrap();
    let g = view.goals.iter().find(|g| g.id == id).unwrap();
    let keys: Vec<&str> = g.work.iter().map(|w| w.key.as_str()).collect();
    assert_eq!(keys, ["AR-86", "AR-87"], "both children of epic AR-37");
    assert_eq!((g.items_done, g.items_total), (2, 2));
    assert_eq!(g.epics, ["AR-37"]);
    assert_eq!(g.work[0].via, "epic AR-37");
    assert_eq!(
        g.work[0].url.as_deref(),
        Some("https://example.atlassian.net/browse/AR-86")
    );
    let other = view.goals.iter().find(|g| g.title == "Unrelated").unwrap();
    assert_eq!(other.items_total, 0);
    // Nothing finished in the quarter is unaligned: both serve Moderation.
    assert!(
        view.unaligned.iter().all(|u| u.unaligned == 0),
        "{:?}",
        view.unaligned
    );

    // Investment balance: December 2015 holds both, the hotfix as unplanned work.
    let inv = app.investment(None, 1).unwrap();
    let dec = inv.months.iter().find(|m| m.month == "2015-12").unwrap();
    let items = |c: &str| {
        dec.shares
            .iter()
            .find(|s| s.category.as_str() == c)
            .map_or(0, |s| s.items)
    };
    assert_eq!(items("feature"), 1, "a Task is feature work");
    assert_eq!(items("unplanned"), 1, "the hotfix label wins over its type");
    assert_eq!(
        dec.shares.iter().map(|s| s.items).sum::<usize>(),
        2,
        "sums to its tickets"
    );
}
