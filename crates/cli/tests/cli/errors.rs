//! Bad input gets a one-line error and the documented exit code; nothing is lost.

use crate::support::{bosun, run};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(dir.path(), &["--as-of", "last tuesday", "status"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("error[invalid_input]: --as-of \"last tuesday\""),
        "{}",
        stderr(&o)
    );
    let o = run(dir.path(), &["demo", "sync", "--scale", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn a_corrupt_config_is_a_clear_failure_and_the_file_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[sync\nconcurrency = 3\n").unwrap();
    let o = run(dir.path(), &["status"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.starts_with("error[config]: configuration ")
            && e.contains("config.toml")
            && e.contains("line 1"),
        "{e}"
    );
    assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
    assert_eq!(
        std::fs::read_to_string(&cfg).unwrap(),
        "[sync\nconcurrency = 3\n"
    );
}

#[test]
fn sync_without_sources_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["sync"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("bosun demo sync"), "{}", stderr(&o));
}

#[test]
fn a_corrupt_database_is_reported_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bosun.db");
    std::fs::write(&db, vec![b'x'; 8192]).unwrap();
    let o = run(dir.path(), &["status"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("bosun.db"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&db).unwrap(), vec![b'x'; 8192]);
}

#[test]
fn status_of_an_empty_data_dir_explains_itself() {
    let dir = tempfile::tempdir().unwrap();
    let o = bosun()
        .arg("--data-dir")
        .arg(dir.path())
        .arg("status")
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("bosun demo sync"));
    assert!(
        !dir.path().join("bosun.db").exists(),
        "status creates nothing"
    );
}

#[test]
fn a_failed_sync_carries_the_code_of_its_cause() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // One attempt, on a port nothing listens on: the provider is unavailable, and the error says
    // so in its code (it used to read `error[error]`).
    std::fs::write(d.join("config.toml"), "[sync]\nmax_attempts = 1\n").unwrap();
    crate::support::ok(
        d,
        &[
            "sources",
            "add",
            "github",
            "--name",
            "gh",
            "--owner",
            "acme",
            "--base-url",
            "http://127.0.0.1:9",
        ],
    );
    let o = bosun()
        .arg("--data-dir")
        .arg(d)
        .args(["sync"])
        .env("BOSUN_GITHUB_TOKEN", "ghp_test")
        .env("BOSUN_GITHUB_TOKEN_ORIGIN", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    let last = e.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error[provider_unavailable]: 1 of 1 sources failed: gh:"),
        "{e}"
    );
}

#[test]
fn every_metric_definition_is_one_command_away() {
    let dir = tempfile::tempdir().unwrap();
    let list = crate::support::ok(dir.path(), &["metrics", "define"]);
    assert!(list.lines().count() >= 10, "{list}");
    let lead = crate::support::ok(dir.path(), &["metrics", "define", "lead_time"]);
    assert!(lead.starts_with("Lead time for changes\n\n"), "{lead}");
    assert!(lead.contains("author time"), "the docs' own words: {lead}");
    let o = run(dir.path(), &["metrics", "define", "velocity"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error[invalid_input]: no metric \"velocity\""));
}
