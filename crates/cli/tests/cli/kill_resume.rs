//! A sync of every provider (GitHub, Jira, PagerDuty, Slack) killed with SIGKILL at any moment and
//! re-run ends with exactly the rows of an uninterrupted sync, with no duplicates.

use crate::support::{AS_OF, Providers, bosun, canonical, ok};
use std::path::Path;
use std::time::{Duration, Instant};

/// The same sources demo mode uses, as a user would add them.
fn add_source(dir: &Path, providers: &Providers) {
    ok(
        dir,
        &[
            "sources",
            "add",
            "github",
            "--name",
            "gh",
            "--owner",
            "tidewater",
            "--base-url",
            &providers.github,
        ],
    );
    ok(
        dir,
        &[
            "sources",
            "add",
            "jira",
            "--name",
            "jira",
            "--base-url",
            &providers.jira,
            "--project",
            "TIDE",
            "--email",
            "maya.okafor@tidewater.dev",
        ],
    );
    ok(
        dir,
        &[
            "sources",
            "add",
            "pagerduty",
            "--name",
            "pd",
            "--base-url",
            &providers.pagerduty,
        ],
    );
    ok(
        dir,
        &[
            "sources",
            "add",
            "slack",
            "--name",
            "slack",
            "--base-url",
            &providers.slack,
            "--channel",
            "*",
        ],
    );
}

fn sync_cmd(dir: &Path, providers: &Providers) -> std::process::Command {
    let mut c = bosun();
    c.arg("--data-dir")
        .arg(dir)
        .args(["--as-of", AS_OF, "sync"]);
    for var in [
        "BOSUN_TOKEN_GH",
        "BOSUN_TOKEN_JIRA",
        "BOSUN_TOKEN_PD",
        "BOSUN_TOKEN_SLACK",
    ] {
        c.env(var, &providers.token);
    }
    c.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    c
}

fn pull_requests(dir: &Path) -> i64 {
    let Ok(store) = bosun_store::Store::open_read_only(&dir.join("bosun.db")) else {
        return 0;
    };
    store
        .conn()
        .query_row("SELECT count(*) FROM pull_requests", [], |r| r.get(0))
        .unwrap_or(0)
}

#[test]
fn a_sync_killed_at_any_moment_resumes_to_exactly_the_same_rows() {
    let providers = Providers::start("2");
    let reference = tempfile::tempdir().unwrap();
    add_source(reference.path(), &providers);
    let started = Instant::now();
    assert!(
        sync_cmd(reference.path(), &providers)
            .status()
            .unwrap()
            .success()
    );
    let full_time = started.elapsed();
    let total = pull_requests(reference.path());
    assert!(total > 100);

    let resumed = tempfile::tempdir().unwrap();
    add_source(resumed.path(), &providers);
    // Kill each run a fraction of a full sync into it, each time picking up where the last one
    // died, until a run finishes on its own.
    let mut kills = 0;
    let mut partial_seen = false;
    for attempt in 0..20 {
        let mut child = sync_cmd(resumed.path(), &providers).spawn().unwrap();
        let fraction = [0.2, 0.3, 0.15, 0.35][attempt % 4];
        std::thread::sleep(full_time.mul_f64(fraction).max(Duration::from_millis(40)));
        if child.try_wait().unwrap().is_some() {
            break;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        let n = pull_requests(resumed.path());
        partial_seen |= n > 0 && n < total;
    }
    assert!(kills >= 3, "only {kills} runs were killed mid-sync");
    assert!(
        partial_seen,
        "no kill landed in the middle of the pull requests"
    );
    assert!(
        sync_cmd(resumed.path(), &providers)
            .status()
            .unwrap()
            .success()
    );

    let (a, b) = (canonical(reference.path()), canonical(resumed.path()));
    if a != b {
        let only_a: Vec<_> = a.iter().filter(|l| !b.contains(l)).take(5).collect();
        let only_b: Vec<_> = b.iter().filter(|l| !a.contains(l)).take(5).collect();
        panic!(
            "resumed sync differs ({} vs {} rows)\nonly uninterrupted: {only_a:#?}\nonly resumed: {only_b:#?}",
            a.len(),
            b.len()
        );
    }
    let store = bosun_store::Store::open(&resumed.path().join("bosun.db")).unwrap();
    store.integrity_check().unwrap();
}
