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
