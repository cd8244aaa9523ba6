//! `bosun metrics dora --git PATH --release-tags REGEX` against plain git.
//!
//! The expected numbers come from `git for-each-ref` (tag dates: the tagger date of an annotated
//! tag, the tagged commit's committer date for a lightweight one) and `git rev-list --no-merges
//! TAG --not EARLIER-TAGS...` in tag-date order (each non-merge commit belongs to the earliest-dated
//! matching tag that contains it; commits by `[bot]` authors are changes too, counted as bots'), so the two share no
//! code. One repository is Bosun's own history with tags placed on pinned commits, and its numbers
//! were also worked out by hand (below); the other is built with the real `git` binary to have
//! merges, a backport branch, a bot commit and tags whose dates disagree with the graph.

use crate::support::json;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn git(repo: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ana Author")
        .env("GIT_AUTHOR_EMAIL", "ana@example.com")
        .env("GIT_COMMITTER_NAME", "Carl Committer")
        .env("GIT_COMMITTER_EMAIL", "carl@example.com")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// One deployed change: sha, lead time, and whether a bot wrote it.
type Change = (String, i64, bool);

/// Tag name → (date, changes) computed with plain git.
fn plain_git(
    repo: &Path,
    pattern: &str,
    since: i64,
    until: i64,
) -> BTreeMap<String, (i64, Vec<Change>)> {
    let re = |name: &str| name.starts_with(pattern.trim_start_matches('^'));
    let mut tags: Vec<(i64, String)> = Vec::new();
    for line in git(
        repo,
        &[
            "for-each-ref",
            "--format=%(refname:short) %(objecttype) %(taggerdate:unix)",
            "refs/tags",
        ],
        &[],
    )
    .lines()
    {
        let parts: Vec<&str> = line.split(' ').collect();
        let (name, kind) = (parts[0], parts[1]);
        if !re(name) {
            continue;
        }
        let date = if kind == "tag" {
            parts[2].parse().unwrap()
        } else {
            git(repo, &["log", "-1", "--format=%ct", name], &[])
                .trim()
                .parse()
                .unwrap()
        };
        tags.push((date, name.to_string()));
    }
    tags.sort();
    let mut out = BTreeMap::new();
    let mut earlier: Vec<String> = Vec::new();
    for (date, name) in tags {
        let mut args = vec![
            "rev-list".to_string(),
            "--no-merges".into(),
            "--format=%at %an".into(),
            name.clone(),
        ];
        if !earlier.is_empty() {
            args.push("--not".into());
            args.extend(earlier.iter().cloned());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let text = git(repo, &args, &[]);
        let mut changes = Vec::new();
        let mut lines = text.lines();
        while let (Some(header), Some(fields)) = (lines.next(), lines.next()) {
            let sha = header.trim_start_matches("commit ").to_string();
            let (at, author) = fields.split_once(' ').unwrap();
            changes.push((
                sha,
                date - at.parse::<i64>().unwrap(),
                author.ends_with("[bot]"),
            ));
        }
        changes.sort();
        earlier.push(name.clone());
        if (since..=until).contains(&date) {
            out.insert(name, (date, changes));
        }
    }
    out
}

fn bosun_dora(repo: &Path, pattern: &str, window: &[&str]) -> Value {
    let scratch = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--json",
        "metrics",
        "dora",
        "--git",
        repo.to_str().unwrap(),
        "--release-tags",
        pattern,
    ];
    args.extend_from_slice(window);
    json(scratch.path(), &args)
}

fn by_tag(v: &Value) -> BTreeMap<String, (i64, Vec<Change>)> {
    v["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut changes: Vec<Change> = r["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["sha"].as_str().unwrap().to_string(),
                        c["lead_time_secs"].as_i64().unwrap(),
                        c["bot"].as_bool().unwrap(),
                    )
                })
                .collect();
            changes.sort();
            (
                r["external_id"].as_str().unwrap().to_string(),
                (r["at"].as_i64().unwrap(), changes),
            )
        })
        .collect()
}

fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .to_rfc3339()
}

fn median(mut v: Vec<i64>) -> f64 {
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    }
}

fn assert_matches_plain_git(repo: &Path, pattern: &str, since: i64, until: i64) -> Value {
    let since_s = rfc3339(since);
    let until_s = rfc3339(until);
    let window = ["--since", &since_s, "--until", &until_s];
    let expected = plain_git(repo, pattern, since, until);
    let got = bosun_dora(repo, pattern, &window);
    assert_eq!(
        by_tag(&got),
        expected,
        "per tag: its date and the commits it deploys first, with their lead times"
    );
    let leads: Vec<i64> = expected
        .values()
        .flat_map(|(_, c)| c.iter().map(|(_, l, _)| *l))
        .collect();
    let human: Vec<i64> = expected
        .values()
        .flat_map(|(_, c)| c.iter().filter(|(_, _, bot)| !bot).map(|(_, l, _)| *l))
        .collect();
    let lead = &got["lead_time_seconds"];
    assert_eq!(
        lead["bots"].as_u64().unwrap() as usize,
        leads.len() - human.len(),
        "bot changes counted apart"
    );
    if !human.is_empty() {
        assert_eq!(lead["median_without_bots"].as_f64().unwrap(), median(human));
    }
    assert_eq!(
        got["deployments"].as_u64().unwrap() as usize,
        expected.len()
    );
    assert_eq!(
        got["lead_time_seconds"]["n"].as_u64().unwrap() as usize,
        leads.len()
    );
    if !leads.is_empty() {
        assert_eq!(
            got["lead_time_seconds"]["median"].as_f64().unwrap(),
            median(leads)
        );
    }
    got
}

/// Bosun's own first commits (never rewritten), with tags a test places on them.
const HISTORY: [(&str, i64); 7] = [
    ("5c7ce762c2d8ed6e57fd99aa6d9c01ff075ef322", 1_795_626_572),
    ("35848843195255dd0b6d64add152cd399ee0486f", 1_795_627_513),
    ("55706d9ce4bd619af91db2dae2b4f583aef40628", 1_795_628_311),
    ("2bd42b20e61ac1c1b1e4720dc9ef760aefa1eb4d", 1_795_629_176),
    ("6ade7ec33da981fffb9f90ab67908e8615b456d2", 1_795_631_963),
    ("0d5cb760c88e3cddf9b3097f39eda38429acd389", 1_795_632_487),
    ("026c4e58c49732ad9521dc76810dda7064f6a4da", 1_795_632_511),
];

#[test]
fn dora_from_tags_matches_plain_git_on_bosuns_own_history() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("bosun.git");
    let out = Command::new("git")
        .args(["clone", "-q", "--bare", "--no-local"])
        .arg(&root)
        .arg(&repo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cloning the repository under test: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (sha, _) in HISTORY {
        let ok = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["cat-file", "-e", &format!("{sha}^{{commit}}")])
            .status()
            .unwrap()
            .success();
        assert!(
            ok,
            "commit {sha} is missing: this test needs the full history (not a shallow clone)"
        );
    }
    let annotated = |name: &str, sha: &str, date: &str| {
        git(
            &repo,
            &["tag", "-a", name, "-m", name, sha],
            &[("GIT_COMMITTER_DATE", date)],
        );
    };
    annotated("v0.1.0", HISTORY[1].0, "@1795628000 +0000");
    git(&repo, &["tag", "v0.2.0", HISTORY[4].0], &[]); // lightweight: the commit's date
    annotated("v0.3.0", HISTORY[6].0, "@1795640000 +0000");
    annotated("nightly-1", HISTORY[5].0, "@1795633000 +0000"); // does not match the pattern

    let all = assert_matches_plain_git(&repo, "^v", 1_795_600_000, 1_795_700_000);
    // By hand: v0.1.0 (tagged at 1795628000) first ships the first two commits, 1428 s and 487 s
    // after they were written; v0.2.0 (lightweight, so 1795631963, its commit's date) the next
    // three: 3652 s, 2787 s, 0 s; v0.3.0 (1795640000) the last two: 7513 s, 7489 s. Sorted:
    // 0, 487, 1428, 2787, 3652, 7489, 7513 → median 2787; p75 at rank 4.5 → (3652 + 7489) / 2;
    // p90 at rank 5.4 → 7489 + 0.4 × 24.
    let lead = &all["lead_time_seconds"];
    assert_eq!(
        (lead["n"].as_u64(), lead["median"].as_f64()),
        (Some(7), Some(2787.0))
    );
    assert_eq!(lead["p75"].as_f64(), Some(5570.5));
    assert!((lead["p90"].as_f64().unwrap() - 7498.6).abs() < 1e-9);
    assert_eq!(all["deployments"], 3);
    assert_eq!(
        all["deployment_days_per_week"].as_f64().unwrap(),
        1.0 / (100_000.0 / 604_800.0)
    );

    // The window selects tags by date; a commit still belongs to its first tag.
    let late = assert_matches_plain_git(&repo, "^v", 1_795_630_000, 1_795_700_000);
    assert_eq!(
        (
            late["deployments"].as_u64(),
            late["lead_time_seconds"]["n"].as_u64()
        ),
        (Some(2), Some(5))
    );
    assert_eq!(late["lead_time_seconds"]["median"].as_f64(), Some(3652.0));
}

#[test]
fn dora_from_tags_matches_plain_git_with_merges_backports_and_bots() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("svc");
    std::fs::create_dir(&repo).unwrap();
    let day = 86_400;
    let t0 = 1_767_600_000; // 2026-01-05
    let at = |secs: i64| format!("@{secs} +0000");
    let commit = |file: &str, when: i64, author: &str| {
        std::fs::write(repo.join(file), format!("{file} {when}")).unwrap();
        git(&repo, &["add", file], &[]);
        let date = at(when);
        git(
            &repo,
            &["commit", "-q", "-m", &format!("change {file}")],
            &[
                ("GIT_AUTHOR_DATE", &date),
                ("GIT_COMMITTER_DATE", &date),
                ("GIT_AUTHOR_NAME", author),
            ],
        );
    };
    git(&repo, &["init", "-q", "-b", "main"], &[]);
    commit("a", t0, "Ana Author");
    commit("b", t0 + day, "Ana Author");
    let tag = |name: &str, when: i64, annotated: bool| {
        let date = at(when);
        if annotated {
            git(
                &repo,
                &["tag", "-a", name, "-m", name],
                &[("GIT_COMMITTER_DATE", &date)],
            );
        } else {
            git(&repo, &["tag", name], &[]);
        }
    };
    tag("v1.0.0", t0 + 2 * day, true);
    // A feature branch merged with a merge commit, and a bot's dependency bump.
    git(&repo, &["checkout", "-q", "-b", "feature"], &[]);
    commit("c", t0 + 3 * day, "Bea Builder");
    commit("d", t0 + 3 * day + 3600, "Bea Builder");
    git(&repo, &["checkout", "-q", "main"], &[]);
    commit("e", t0 + 4 * day, "Ana Author");
    let date = at(t0 + 5 * day);
    git(
        &repo,
        &["merge", "-q", "--no-ff", "-m", "Merge feature", "feature"],
        &[("GIT_AUTHOR_DATE", &date), ("GIT_COMMITTER_DATE", &date)],
    );
    commit("deps", t0 + 5 * day + 60, "dependabot[bot]");
    // A backport branch from v1.0.0 with its own patch release.
    git(
        &repo,
        &["checkout", "-q", "-b", "release-1.0", "v1.0.0"],
        &[],
    );
    commit("fix", t0 + 6 * day, "Carl Committer");
    tag("v1.0.1", t0 + 6 * day + 7200, true);
    git(&repo, &["checkout", "-q", "main"], &[]);
    commit("f", t0 + 7 * day, "Ana Author");
    tag("v1.1.0", t0 + 8 * day, false); // lightweight: the commit's date (t0 + 7d)
    // An annotated tag made late on an old commit: its date, not the graph, decides.
    git(
        &repo,
        &["tag", "-a", "v0.9.0", "-m", "late", "HEAD~3"],
        &[("GIT_COMMITTER_DATE", &at(t0 + 9 * day))],
    );
    tag("build-42", t0 + 9 * day, true);

    let all = assert_matches_plain_git(&repo, "^v", t0 - day, t0 + 30 * day);
    assert_eq!(all["deployments"], 4);
    let tags = by_tag(&all);
    assert_eq!(tags["v1.0.1"].1.len(), 1, "the backport ships only its fix");
    assert_eq!(
        tags["v1.1.0"].1.len(),
        5,
        "c, d, e, f and the bot's bump — not the merge commit"
    );
    assert_eq!(
        all["lead_time_seconds"]["bots"], 1,
        "the bot's bump is said apart"
    );
    // The human-only view leaves it out of n and the median, and still says it was there.
    let human = bosun_dora(
        &repo,
        "^v",
        &[
            "--since",
            &rfc3339(t0 - day),
            "--until",
            &rfc3339(t0 + 30 * day),
            "--exclude-bots",
        ],
    );
    let (l, h) = (&all["lead_time_seconds"], &human["lead_time_seconds"]);
    assert_eq!(h["n"].as_u64(), l["n"].as_u64().map(|n| n - 1));
    assert_eq!(
        (&h["bots"], &h["bots_excluded"]),
        (&l["bots"], &Value::Bool(true))
    );
    assert_eq!(h["median"], l["median_without_bots"]);
    assert!(
        tags["v0.9.0"].1.is_empty(),
        "everything it contains was shipped by an earlier-dated tag"
    );

    // The window keeps tags dated inside it only.
    let window = assert_matches_plain_git(&repo, "^v", t0 + 5 * day, t0 + 30 * day);
    assert_eq!(window["deployments"], 3);

    // A bare clone gives the same numbers.
    let bare = tmp.path().join("svc.git");
    let out = Command::new("git")
        .args(["clone", "-q", "--bare", "--no-local"])
        .arg(&repo)
        .arg(&bare)
        .output()
        .unwrap();
    assert!(out.status.success());
    let from_bare = bosun_dora(
        &bare,
        "^v",
        &[
            "--since",
            &rfc3339(t0 - day),
            "--until",
            &rfc3339(t0 + 30 * day),
        ],
    );
    assert_eq!(by_tag(&from_bare), by_tag(&all));
}
