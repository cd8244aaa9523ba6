//! A local git repository as a source, driven the way a user would: built with the real `git`
//! binary and hand-set dates, added with `bosun sources add git`, synced, changed, re-synced and
//! watched.

use crate::support::{bosun, json, ok};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn git(repo: &Path, args: &[&str], date: &str) {
    git_at(repo, args, date, date);
}

/// Run git with an author date and a (possibly different) committer date.
fn git_at(repo: &Path, args: &[&str], date: &str, committed: &str) {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Ana Author")
        .env("GIT_AUTHOR_EMAIL", "ana@example.com")
        .env("GIT_COMMITTER_NAME", "Carl Committer")
        .env("GIT_COMMITTER_EMAIL", "carl@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", committed)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn commit(repo: &Path, file: &str, date: &str) {
    std::fs::write(repo.join(file), date).unwrap();
    git(repo, &["add", file], date);
    git(
        repo,
        &["commit", "-q", "-m", &format!("change {file}")],
        date,
    );
}

fn counts(dir: &Path) -> serde_json::Value {
    json(dir, &["status", "--json"])["counts"].clone()
}

#[test]
fn a_git_clone_is_a_deployment_source() {
    let repo_dir = tempfile::tempdir().unwrap();
    let repo = repo_dir.path().join("svc");
    std::fs::create_dir(&repo).unwrap();
    git(
        &repo,
        &["init", "-q", "-b", "main"],
        "2026-01-05T10:00:00 +0000",
    );
    commit(&repo, "a.txt", "2026-01-05T10:00:00 +0000");
    // Authored at 11:00 in UTC+1, committed (rebased) the next morning.
    std::fs::write(repo.join("b.txt"), "b").unwrap();
    git(&repo, &["add", "b.txt"], "2026-01-06T11:00:00 +0100");
    git_at(
        &repo,
        &["commit", "-q", "-m", "change b.txt"],
        "2026-01-06T11:00:00 +0100",
        "2026-01-07T08:30:00 +0000",
    );
    git(
        &repo,
        &["tag", "-a", "v1.0.0", "-m", "first release"],
        "2026-01-07T09:00:00 +0000",
    );
    commit(&repo, "c.txt", "2026-01-08T12:00:00 +0000");
    git(&repo, &["tag", "v1.1.0"], "2026-01-09T09:00:00 +0000"); // lightweight: the commit's date
    git(&repo, &["tag", "nightly-1"], "2026-01-09T09:00:00 +0000"); // does not match the pattern

    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    ok(
        d,
        &[
            "sources",
            "add",
            "git",
            repo.to_str().unwrap(),
            "--release-tags",
            "^v\\d+",
        ],
    );
    ok(d, &["sync"]);
    let c = counts(d);
    assert_eq!(c["commits"], 3);
    assert_eq!(c["tags"], 3);
    assert_eq!(c["deployments"], 2, "v1.0.0 and v1.1.0, not nightly-1");
    let store = bosun_store::Store::open(&d.join("bosun.db")).unwrap();
    let dates: Vec<(String, i64)> = store
        .conn()
        .prepare("SELECT external_id, created_at FROM deployments ORDER BY created_at")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let ts = |s: &str| bosun_core::time::parse_rfc3339(s).unwrap();
    // Annotated: the tagger's date; lightweight: the tagged commit's committer date.
    assert_eq!(
        dates,
        vec![
            ("v1.0.0".to_string(), ts("2026-01-07T09:00:00Z")),
            ("v1.1.0".to_string(), ts("2026-01-08T12:00:00Z"))
        ]
    );
    let (authored, committed): (i64, i64) = store
        .conn()
        .query_row(
            "SELECT authored_at, committed_at FROM commits WHERE message LIKE 'change b.txt%'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (authored, committed),
        (ts("2026-01-06T10:00:00Z"), ts("2026-01-07T08:30:00Z"))
    );
    drop(store);

    // New work is picked up incrementally.
    commit(&repo, "d.txt", "2026-01-12T10:00:00 +0000");
    git(
        &repo,
        &["tag", "-a", "v1.2.0", "-m", "second"],
        "2026-01-12T15:00:00 +0000",
    );
    let out = json(d, &["--json", "sync"]);
    assert_eq!(
        out["sources"][0]["items"], 1,
        "only the new commit was walked: {out}"
    );
    let c = counts(d);
    assert_eq!(
        (c["commits"].as_i64(), c["deployments"].as_i64()),
        (Some(4), Some(3))
    );
    // The git authors became people, by email.
    let people = json(d, &["--json", "people"]);
    let all = serde_json::to_string(&people).unwrap();
    assert!(all.contains("ana@example.com"), "{all}");
}

#[test]
fn watch_picks_up_new_commits_and_tags() {
    let repo_dir = tempfile::tempdir().unwrap();
    let repo = repo_dir.path().join("watched");
    std::fs::create_dir(&repo).unwrap();
    git(
        &repo,
        &["init", "-q", "-b", "main"],
        "2026-02-02T10:00:00 +0000",
    );
    commit(&repo, "a.txt", "2026-02-02T10:00:00 +0000");
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    ok(
        d,
        &[
            "sources",
            "add",
            "git",
            repo.to_str().unwrap(),
            "--name",
            "watched",
            "--release-tags",
            "^v",
        ],
    );
    let mut child = bosun()
        .arg("--data-dir")
        .arg(d)
        .args(["sync", "--watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Lines of both streams through channels, so that nothing here can wait forever.
    let lines = |r: Box<dyn std::io::Read + Send>| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(r).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        rx
    };
    let out = lines(Box::new(child.stdout.take().unwrap()));
    let err = lines(Box::new(child.stderr.take().unwrap()));
    let wait_for = |rx: &std::sync::mpsc::Receiver<String>, what: &str| -> String {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.contains(what) => return line,
                Ok(_) => {}
                Err(e) => panic!("no line with {what:?} within 30 s ({e})"),
            }
        }
    };
    let first = wait_for(&out, "watched: ");
    assert!(first.starts_with("watched: ok"), "{first}");
    // The watcher says when it is up (after it subscribed to the repository's changes).
    wait_for(&err, "Watching git sources");
    commit(&repo, "b.txt", "2026-02-03T10:00:00 +0000");
    git(
        &repo,
        &["tag", "-a", "v2.0.0", "-m", "go"],
        "2026-02-03T11:00:00 +0000",
    );
    let seen = wait_for(&out, "watched: ok");
    assert!(seen.contains("1 items fetched"), "{seen}");
    let _ = child.kill();
    let _ = child.wait();
    let c = counts(d);
    assert_eq!(
        (c["commits"].as_i64(), c["deployments"].as_i64()),
        (Some(2), Some(1))
    );
}
