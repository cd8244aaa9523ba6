//! The API crate's integration tests: the generated TypeScript is current, and endpoints answer
//! with typed errors before and after start-up.

use bosun_api::{Api, ErrorCode, Phase, StartOptions, endpoints};
use bosun_app::Paths;
use bosun_core::FixedClock;
use std::sync::Arc;

#[test]
fn generated_typescript_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/api.gen.ts");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    let fresh = endpoints::typescript();
    assert!(
        on_disk == fresh,
        "{} is stale: run `cargo run -p bosun-api --example gen-ts`",
        path.display()
    );
    for name in endpoints::NAMES {
        assert!(
            fresh.contains(&format!("  {name}: {{ args: ")),
            "{name} missing"
        );
    }
}

fn api(dir: &std::path::Path) -> Arc<Api> {
    let clock = Arc::new(FixedClock(
        chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00Z")
            .unwrap()
            .to_utc(),
    ));
    Api::new(Paths::in_dir(dir), clock, &StartOptions::default()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_are_not_ready_until_started_then_answer_from_an_empty_store() {
    let dir = tempfile::tempdir().unwrap();
    let api = api(dir.path());
    let err = endpoints::call(&api, "today", serde_json::Value::Null)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotReady);
    api.start(StartOptions::default()).await;
    assert_eq!(api.phase(), Phase::Ready);
    let today = endpoints::call(&api, "today", serde_json::Value::Null)
        .await
        .unwrap();
    assert_eq!(today["waiting_prs"], 0);
    assert_eq!(today["since_yesterday"], serde_json::json!([]));
    let delivery = endpoints::call(&api, "delivery", serde_json::json!({"days": 30}))
        .await
        .unwrap();
    assert_eq!(delivery["dora"]["deployments"], 0);
    assert_eq!(delivery["window"]["since"], "2026-10-21T09:00:00Z");
    // Typed errors: bad arguments, unknown teams and endpoints, empty questions.
    let bad = endpoints::call(&api, "delivery", serde_json::json!({"days": "x"}))
        .await
        .unwrap_err();
    assert_eq!(bad.code, ErrorCode::InvalidInput);
    let team = endpoints::call(&api, "delivery", serde_json::json!({"team": "nope"}))
        .await
        .unwrap_err();
    assert_eq!(team.code, ErrorCode::NotFound);
    let none = endpoints::call(&api, "drop_tables", serde_json::Value::Null)
        .await
        .unwrap_err();
    assert_eq!(none.code, ErrorCode::NotFound);
    let ask = endpoints::call(&api, "ask", serde_json::json!({"question": " "}))
        .await
        .unwrap_err();
    assert_eq!(ask.code, ErrorCode::InvalidInput);
    let sprint = endpoints::call(&api, "sprint", serde_json::Value::Null)
        .await
        .unwrap_err();
    assert_eq!(sprint.code, ErrorCode::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cited_files_are_readable_only_inside_indexed_folders() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(
        docs.join("runbook.md"),
        "# Rotating credentials\n\nRun `vault rotate db` then restart the gateway.\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("secret.txt"), "not for you").unwrap();
    let api = api(&dir.path().join("data"));
    api.start(StartOptions::default()).await;
    api.app()
        .index_add(&docs, &bosun_knowledge::index::NoEvents)
        .unwrap();
    let root = docs.canonicalize().unwrap().display().to_string();
    let doc = endpoints::call(
        &api,
        "doc",
        serde_json::json!({"root": root, "file": "runbook.md"}),
    )
    .await
    .unwrap();
    assert_eq!(doc["lines"][0], "# Rotating credentials");
    let escape = endpoints::call(
        &api,
        "doc",
        serde_json::json!({"root": root, "file": "../secret.txt"}),
    )
    .await
    .unwrap_err();
    assert_eq!(escape.code, ErrorCode::InvalidInput);
    let other = endpoints::call(
        &api,
        "doc",
        serde_json::json!({"root": dir.path().display().to_string(), "file": "secret.txt"}),
    )
    .await
    .unwrap_err();
    assert_eq!(other.code, ErrorCode::NotFound);
}

/// Delivered alerts become `alerts://delivered` events once each; what was delivered before the
/// launch is not repeated; the tick raises the morning brief when it is due (Friday 09:00, after
/// the default 08:45) and only once that day.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivered_alerts_and_the_brief_are_announced_once() {
    let dir = tempfile::tempdir().unwrap();
    let api = api(dir.path());
    {
        let store = api.app().store().unwrap();
        store
            .conn()
            .execute(
                "INSERT INTO alerts (signal_id, kind, fired_at, title, body, reason, delivered, delivered_at)
                 VALUES (NULL, 'brief', 1, 'old brief', '', 'morning brief', 1, 1)",
                [],
            )
            .unwrap();
    }
    api.start(StartOptions::default()).await;
    let alerts = |api: &Api| -> Vec<(String, String)> {
        api.bus
            .since(0)
            .into_iter()
            .filter_map(|e| match e.event {
                bosun_api::AppEvent::Alert { alert, title, .. } => Some((alert, title)),
                _ => None,
            })
            .collect()
    };
    api.announce_alerts();
    assert!(
        alerts(&api).is_empty(),
        "delivered before launch: not repeated"
    );
    api.tick().await;
    let got = alerts(&api);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "brief");
    assert!(!got[0].1.is_empty() && got[0].1 != "old brief");
    api.tick().await;
    api.announce_alerts();
    assert_eq!(alerts(&api).len(), 1, "once a day, announced once");
    // A held alert released later is announced when it is delivered.
    {
        let store = api.app().store().unwrap();
        store
            .conn()
            .execute(
                "INSERT INTO alerts (signal_id, kind, fired_at, title, body, reason, delivered, suppressed_reason)
                 VALUES (NULL, 'new', 2, 'held', '', 'quiet hours', 0, 'quiet_hours')",
                [],
            )
            .unwrap();
        api.announce_alerts();
        assert_eq!(alerts(&api).len(), 1, "held: not announced");
        store
            .conn()
            .execute(
                "UPDATE alerts SET delivered = 1, delivered_at = 3 WHERE title = 'held'",
                [],
            )
            .unwrap();
    }
    api.announce_alerts();
    let got = alerts(&api);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1], ("new".to_string(), "held".to_string()));
}
