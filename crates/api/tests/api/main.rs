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
    assert_eq!(escape.code, ErrorCode::NotFound);
    let other = endpoints::call(
        &api,
        "doc",
        serde_json::json!({"root": dir.path().display().to_string(), "file": "secret.txt"}),
    )
    .await
    .unwrap_err();
    assert_eq!(other.code, ErrorCode::NotFound);
}

/// Issue 16.1: `doc` read any file under any root — a git source's whole work tree (`.env`,
/// `.git/config`), hidden and non-document files in a docs folder, and `/` for a repository whose
/// `core.worktree` is `/`. Only files stored as indexed documents are served now, as regular files
/// within the size limit, and every refusal is the same error as a missing file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doc_endpoint_refuses_git_worktree_files_and_anything_not_an_indexed_document() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let text = "# Rotating credentials\n\nRun `vault rotate db` then restart the gateway.\n";
    for f in ["runbook.md", "swapped.md", "pipe.md", "grows.md"] {
        std::fs::write(docs.join(f), text).unwrap();
    }
    std::fs::write(docs.join(".hidden.md"), "# hidden\n").unwrap();
    std::fs::write(docs.join("secrets.yml"), "password: hunter2\n").unwrap();
    std::fs::write(dir.path().join("outside.md"), "# outside the root\n").unwrap();
    // A git source's work tree: its docs are indexed, its other files are not documents.
    let repo_dir = dir.path().join("repo");
    let repo = git2::Repository::init(&repo_dir).unwrap();
    repo.config()
        .unwrap()
        .set_str("remote.origin.url", "https://x:ghp_secret@github.com/a/b")
        .unwrap();
    std::fs::write(repo_dir.join(".env"), "BOSUN_GITHUB_TOKEN=ghp_secret\n").unwrap();
    std::fs::create_dir_all(repo_dir.join("docs")).unwrap();
    std::fs::write(repo_dir.join("docs/guide.md"), text).unwrap();
    std::fs::create_dir_all(repo_dir.join("config")).unwrap();
    std::fs::write(repo_dir.join("config/secrets.yml"), "token: x\n").unwrap();

    let api = api(&dir.path().join("data"));
    api.start(StartOptions::default()).await;
    let add_git = |name: &str, path: &std::path::Path| {
        api.app()
            .add_source(bosun_app::NewSourceSpec {
                kind: bosun_core::model::Provider::Git,
                name: name.into(),
                base_url: None,
                settings: serde_json::json!({"path": path.display().to_string()}),
                token: None,
            })
            .unwrap();
    };
    add_git("repo", &repo_dir);
    api.app()
        .index_add(&docs, &bosun_knowledge::index::NoEvents)
        .unwrap();
    let docs_root = docs.canonicalize().unwrap().display().to_string();
    let repo_root = repo_dir.canonicalize().unwrap().display().to_string();
    let read = |root: &str, file: &str| {
        let api = api.clone();
        let args = serde_json::json!({"root": root, "file": file});
        async move { endpoints::call(&api, "doc", args).await }
    };
    // What is indexed is served.
    assert_eq!(
        read(&docs_root, "runbook.md").await.unwrap()["lines"][0],
        "# Rotating credentials"
    );
    assert_eq!(
        read(&repo_root, "docs/guide.md").await.unwrap()["lines"][0],
        "# Rotating credentials"
    );

    // Indexed once, then swapped for a link out of the root, a FIFO (which must not block the
    // read) and a file over the size limit.
    std::fs::remove_file(docs.join("swapped.md")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("outside.md"), docs.join("swapped.md")).unwrap();
    std::fs::remove_file(docs.join("pipe.md")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(docs.join("pipe.md"))
        .status()
        .unwrap();
    assert!(fifo.success());
    std::fs::write(docs.join("grows.md"), "x".repeat(3 * 1024 * 1024)).unwrap();

    // A repository whose work tree is `/`, added after indexing (indexing `/` would walk the disk).
    let everything = dir.path().join("everything");
    git2::Repository::init(&everything)
        .unwrap()
        .config()
        .unwrap()
        .set_str("core.worktree", "/")
        .unwrap();
    add_git("everything", &everything);

    let refused = [
        (repo_root.as_str(), ".env"),
        (repo_root.as_str(), ".git/config"),
        (repo_root.as_str(), "config/secrets.yml"),
        (docs_root.as_str(), ".hidden.md"),
        (docs_root.as_str(), "secrets.yml"),
        (docs_root.as_str(), "../outside.md"),
        (docs_root.as_str(), "swapped.md"),
        (docs_root.as_str(), "pipe.md"),
        (docs_root.as_str(), "grows.md"),
        (docs_root.as_str(), "missing.md"),
        ("/", "etc/passwd"),
        ("/", "proc/self/environ"),
    ];
    for (root, file) in refused {
        let e = tokio::time::timeout(std::time::Duration::from_secs(10), read(root, file))
            .await
            .unwrap_or_else(|_| panic!("{root} {file}: the read blocked"))
            .expect_err(&format!("{root} {file} was served"));
        assert_eq!(e.code, ErrorCode::NotFound, "{root} {file}: {e:?}");
        assert_eq!(
            e.message,
            format!("{file:?} is not an indexed document under {root:?}"),
            "the same error whether the file exists or not"
        );
    }
}

/// Issue 16.8: `ask` took any length of question (a 1 MB one searched for a minute). Past
/// 2,000 characters it is refused at once with `invalid_input`; 2,000 are still answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_refuses_a_question_longer_than_2000_characters() {
    let dir = tempfile::tempdir().unwrap();
    let api = api(dir.path());
    api.start(StartOptions::default()).await;
    let long = "é".repeat(2_001);
    let started = std::time::Instant::now();
    let e = endpoints::call(&api, "ask", serde_json::json!({"question": long}))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(
        e.message.contains("2001") && e.message.contains("2000"),
        "{}",
        e.message
    );
    let huge = "why ".repeat(250_000);
    let e = endpoints::call(&api, "ask", serde_json::json!({"question": huge}))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let fits = "é".repeat(2_000);
    endpoints::call(&api, "ask", serde_json::json!({"question": fits}))
        .await
        .unwrap();
}

/// Issue 16.8: a Jira source's `web_url` (where its ticket links point) took any string, so a
/// `javascript:` URL became every ticket's link. Settings refuse anything but http(s) URLs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_refuse_javascript_and_other_non_http_urls() {
    let dir = tempfile::tempdir().unwrap();
    let api = api(dir.path());
    api.start(StartOptions::default()).await;
    let bad_urls = [
        "javascript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
    ];
    for bad in bad_urls {
        let web = serde_json::json!({
            "kind": "jira", "name": "j", "base_url": "https://acme.atlassian.net",
            "settings": {"project": "TIDE", "web_url": bad},
        });
        let e = endpoints::call(&api, "add_source", web).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "web_url {bad}: {e:?}");
        let base = serde_json::json!({
            "kind": "jira", "name": "j", "base_url": bad,
            "settings": {"project": "TIDE"},
        });
        let e = endpoints::call(&api, "add_source", base).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "base_url {bad}: {e:?}");
    }
    let sources = endpoints::call(&api, "settings", serde_json::Value::Null)
        .await
        .unwrap();
    assert!(
        !sources.to_string().contains("javascript"),
        "nothing was stored: {sources}"
    );
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

/// The token file unlocked through the API stays unlocked when the API makes its app again
/// (as it does after the first-run wizard): the passphrase is asked once per run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlocked_token_file_stays_unlocked_when_the_app_is_made_again() {
    let dir = tempfile::tempdir().unwrap();
    let first = api(dir.path());
    let short = endpoints::call(
        &first,
        "use_token_file",
        serde_json::json!({"passphrase": "short"}),
    )
    .await
    .unwrap_err();
    assert_eq!(short.code, ErrorCode::InvalidInput);
    assert!(
        short.message.contains("at least 8 characters"),
        "{}",
        short.message
    );
    let made = endpoints::call(
        &first,
        "use_token_file",
        serde_json::json!({"passphrase": "correct horse battery"}),
    )
    .await
    .unwrap();
    assert_eq!(made["store"]["store"], "file");
    assert_eq!(made["store"]["locked"], false);
    assert!(dir.path().join("tokens.enc").exists());
    // A second API on the same data dir (the next run) starts locked.
    let next = api(dir.path());
    let status = endpoints::call(&next, "token_store", serde_json::Value::Null)
        .await
        .unwrap();
    assert_eq!(status["locked"], true);
    let again = endpoints::call(
        &first,
        "use_token_file",
        serde_json::json!({"passphrase": "correct horse battery"}),
    )
    .await
    .unwrap_err();
    assert_eq!(again.code, ErrorCode::InvalidInput, "one file only");
    first.replace_app(|_| Ok(())).unwrap();
    let status = endpoints::call(&first, "token_store", serde_json::Value::Null)
        .await
        .unwrap();
    assert_eq!(status["locked"], false, "{status}");
}
