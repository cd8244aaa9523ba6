//! Adding, listing, syncing and removing a real (non-demo) GitHub source against the fake GitHub,
//! with the token in the environment or in the OS keychain — never on disk.

use crate::support::{AS_OF, Providers, bosun, json, ok, run};
use std::io::Write;
use std::process::Stdio;

#[test]
fn a_github_source_syncs_with_a_token_from_the_environment() {
    let providers = Providers::start("1");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &[
            "sources",
            "add",
            "github",
            "--name",
            "acme",
            "--owner",
            "tidewater",
            "--repo",
            "harbor-auth",
            "--base-url",
            &providers.github,
        ],
    );
    // No token anywhere: a clear failure naming the variables to set.
    let o = run(d, &["sync"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("BOSUN_TOKEN_ACME") && e.contains("BOSUN_GITHUB_TOKEN"),
        "{e}"
    );

    let o = bosun()
        .arg("--data-dir")
        .arg(d)
        .args(["--as-of", AS_OF, "--json", "sync"])
        .env("BOSUN_GITHUB_TOKEN", &providers.token)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let status = json(d, &["status", "--json"]);
    assert_eq!(status["counts"]["repos"], 1, "only the chosen repository");
    assert!(status["counts"]["pull_requests"].as_i64().unwrap() > 10);
    // The token is nowhere on disk.
    for entry in std::fs::read_dir(d).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes
                .windows(providers.token.len())
                .any(|w| w == providers.token.as_bytes()),
            "token written to disk"
        );
    }
    let list = json(d, &["--json", "sources", "list"]);
    // Nothing stored: "missing" where a keychain answers, "unknown" where none runs.
    let kind = list["sources"][0]["token"]["kind"]
        .as_str()
        .unwrap()
        .to_string();
    let keychain = std::env::var("BOSUN_TEST_KEYCHAIN").as_deref() == Ok("1");
    assert_eq!(kind, if keychain { "missing" } else { "unknown" });
    ok(d, &["sources", "remove", "acme"]);
    assert_eq!(
        json(d, &["--json", "sources", "list"])["sources"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert!(
        json(d, &["status", "--json"])["counts"]["pull_requests"]
            .as_i64()
            .unwrap()
            > 10,
        "records stay"
    );
}

/// With a Secret Service running (`.ci/run` starts one), the token round-trips through the
/// keychain; without one, adding a token fails clearly and records nothing.
#[test]
fn tokens_go_to_the_keychain_or_nowhere() {
    let providers = Providers::start("1");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut child = bosun()
        .arg("--data-dir")
        .arg(d)
        .args([
            "sources",
            "add",
            "github",
            "--name",
            "kc",
            "--owner",
            "tidewater",
            "--repo",
            "compass-billing",
            "--base-url",
            &providers.github,
            "--token-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{}\n", providers.token).as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    if std::env::var("BOSUN_TEST_KEYCHAIN").as_deref() == Ok("1") {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let list = json(d, &["--json", "sources", "list"]);
        assert_eq!(list["sources"][0]["token"]["kind"], "keychain");
        let o = run(d, &["--as-of", AS_OF, "sync"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        ok(d, &["sources", "remove", "kc"]);
    } else {
        assert_eq!(o.status.code(), Some(1));
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(
            e.starts_with("error[keychain]:") && e.contains("BOSUN_GITHUB_TOKEN"),
            "{e}"
        );
        assert_eq!(
            json(d, &["--json", "sources", "list"])["sources"]
                .as_array()
                .unwrap()
                .len(),
            0,
            "no source without its token"
        );
    }
}
