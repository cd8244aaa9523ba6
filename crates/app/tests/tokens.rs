//! Tokens where no OS keychain answers (issue 15, item 2): adding a source fails with an error
//! that names the encrypted token file, and once the file is chosen and unlocked a source's token
//! goes there and its sync reads it; another process must unlock the file first, and says so.
//!
//! CI runs the suite with a real Secret Service (`.ci/run`). To take it away, each test here runs
//! itself again in a child process whose session bus address leads nowhere, so the keychain
//! client fails exactly as on a headless Linux without Secret Service.

use bosun_app::secrets::{StoreKind, TokenFileError, TokenOrigin};
use bosun_app::{App, AppError, NewGithubSource, Paths};
use bosun_core::clock::FixedClock;
use bosun_core::{Code, HasCode, Sensitive};
use std::path::Path;
use std::sync::Arc;

const AS_OF: &str = "2026-11-20T09:00:00Z";
const CHILD: &str = "BOSUN_TEST_WITHOUT_KEYCHAIN";

/// In the parent: run `test` again in a child without a session bus, assert it passed, and
/// return false. In that child: true (go on with the test).
fn without_keychain(test: &str) -> bool {
    if std::env::var_os(CHILD).is_some() {
        return true;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/bosun-test-no-session-bus",
        )
        .env_remove("BOSUN_TOKENS_PASSPHRASE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the test without a keychain failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

fn app(dir: &Path) -> App {
    let now = chrono::DateTime::parse_from_rfc3339(AS_OF)
        .unwrap()
        .with_timezone(&chrono::Utc);
    App::new(Paths::in_dir(dir), Arc::new(FixedClock(now))).unwrap()
}

fn secret(s: &str) -> Sensitive<String> {
    Sensitive::new(s.to_string())
}

fn github(name: &str, base_url: Option<String>) -> NewGithubSource {
    NewGithubSource {
        name: name.into(),
        owner: "tidewater".into(),
        repos: vec!["compass-billing".into()],
        base_url,
        token: Some(secret(bosun_app::demo::DEMO_TOKEN)),
    }
}

#[test]
fn without_a_keychain_adding_a_source_names_the_encrypted_file_and_records_nothing() {
    if !without_keychain(
        "without_a_keychain_adding_a_source_names_the_encrypted_file_and_records_nothing",
    ) {
        return;
    }
    assert!(
        bosun_app::secrets::probe().is_err(),
        "no keychain answers here"
    );
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let e = app.add_github_source(github("gh", None)).unwrap_err();
    assert_eq!(e.code(), Code::Keychain, "{e}");
    let message = e.to_string();
    assert!(
        message.contains("encrypted file") && message.contains("bosun tokens use-file"),
        "the error names the file store: {message}"
    );
    assert!(
        app.sources().unwrap().is_empty(),
        "no source without its token"
    );
    let view = app.token_store().unwrap();
    assert_eq!(view.status.store, StoreKind::Keychain);
    assert!(!view.status.keychain_ok && view.status.keychain_problem.is_some());
    assert!(!view.status.locked);
    assert!(!dir.path().join("tokens.enc").exists());
}

#[test]
fn without_a_keychain_a_token_goes_to_the_unlocked_file_and_its_sync_reads_it() {
    if !without_keychain(
        "without_a_keychain_a_token_goes_to_the_unlocked_file_and_its_sync_reads_it",
    ) {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339(AS_OF)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let world = bosun_app::demo::world(
        bosun_app::demo::DemoOptions {
            months: 1,
            ..Default::default()
        },
        as_of,
    )
    .unwrap();
    let fakes = rt
        .block_on(bosun_app::demo::start(Arc::new(world), 0))
        .unwrap();
    let sink = || -> Arc<dyn bosun_connectors::EventSink> { Arc::new(bosun_connectors::NullSink) };

    let app = app(dir.path());
    let moved = app
        .use_token_file(&secret("correct horse battery"))
        .unwrap();
    assert!(moved.moved.is_empty(), "{moved:?}");
    let added = app
        .add_github_source(github("gh", Some(fakes.github.base_url.clone())))
        .unwrap();
    assert_eq!(added.token, TokenOrigin::TokenFile);
    let file = std::fs::read_to_string(dir.path().join("tokens.enc")).unwrap();
    assert!(file.contains("\"gh\""), "the entry is named: {file}");
    assert!(
        !file.contains(bosun_app::demo::DEMO_TOKEN),
        "never in clear"
    );
    let out = rt.block_on(app.sync(Some("gh"), sink())).unwrap();
    assert!(out[0].ok && out[0].items > 0, "{:?}", out[0]);
    let view = app.token_store().unwrap();
    assert_eq!(view.status.store, StoreKind::File);
    assert!(!view.status.locked);
    assert_eq!(view.sources, ["gh"]);

    // The next process starts locked: the sync says to unlock the file (no internal error).
    let later = self::app(dir.path());
    assert!(later.token_store().unwrap().status.locked);
    assert_eq!(later.sources().unwrap()[0].token, TokenOrigin::TokenFile);
    let out = rt.block_on(later.sync(Some("gh"), sink())).unwrap();
    let error = out[0].error.clone().unwrap_or_default();
    assert!(
        !out[0].ok && error.contains("unlock the token file"),
        "{error}"
    );
    match later.unlock_tokens(&secret("correct horse batterY")) {
        Err(AppError::TokenFile {
            error: TokenFileError::WrongPassphrase,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    later
        .unlock_tokens(&secret("correct horse battery"))
        .unwrap();
    let out = rt.block_on(later.sync(Some("gh"), sink())).unwrap();
    assert!(out[0].ok, "{:?}", out[0]);

    // Removing the source forgets its token in the file.
    later.remove_source("gh").unwrap();
    assert!(later.token_store().unwrap().sources.is_empty());
    // Back to the keychain: refused while none answers, and the file (with its tokens) stays.
    later
        .add_github_source(github("gh2", Some(fakes.github.base_url.clone())))
        .unwrap();
    assert_eq!(later.use_keychain().unwrap_err().code(), Code::Keychain);
    assert_eq!(later.token_store().unwrap().sources, ["gh2"]);
    rt.block_on(fakes.shutdown());
}

/// With a keychain (CI's Secret Service), `use_token_file` moves the keychain's tokens into the
/// file (and out of the keychain), and `use_keychain` moves them back and removes the file.
#[test]
fn with_a_keychain_tokens_move_to_the_file_and_back() {
    if std::env::var("BOSUN_TEST_KEYCHAIN").as_deref() != Ok("1") {
        // Needs a Secret Service: `.ci/run` starts one and sets BOSUN_TEST_KEYCHAIN=1.
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    // Keychain entries are per source name, whatever the data dir: a name of this test's own.
    let name = "tokens-test-move";
    let added = app
        .add_github_source(github(name, Some("http://127.0.0.1:9/api".into())))
        .unwrap();
    assert_eq!(added.token, TokenOrigin::Keychain);
    let moved = app
        .use_token_file(&secret("correct horse battery"))
        .unwrap();
    assert_eq!(moved.moved, [name]);
    assert_eq!(moved.not_read, None);
    assert_eq!(app.sources().unwrap()[0].token, TokenOrigin::TokenFile);
    assert_eq!(
        app.tokens().get(name).unwrap().unwrap().expose(),
        bosun_app::demo::DEMO_TOKEN
    );
    // Out of the keychain (asked directly: the App now reads the file).
    let entry = keyring::Entry::new("bosun", &format!("source:{name}")).unwrap();
    assert!(matches!(entry.get_password(), Err(keyring::Error::NoEntry)));
    let back = app.use_keychain().unwrap();
    assert_eq!(back.moved, [name]);
    assert!(!dir.path().join("tokens.enc").exists());
    assert_eq!(app.sources().unwrap()[0].token, TokenOrigin::Keychain);
    assert_eq!(
        app.tokens().get(name).unwrap().unwrap().expose(),
        bosun_app::demo::DEMO_TOKEN
    );
    // The moves are in the audit ledger.
    let store = app.store().unwrap();
    let actions: Vec<String> = bosun_store::audit::entries(store.conn(), None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"tokens.use_file".to_string())
            && actions.contains(&"tokens.use_keychain".to_string()),
        "{actions:?}"
    );
    app.remove_source(name).unwrap();
    assert!(app.tokens().get(name).unwrap().is_none());
}
