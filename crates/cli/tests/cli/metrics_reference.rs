//! Issue 4: `bosun metrics dora` and `metrics prs` agree exactly with an independent reference —
//! DuckDB SQL written from the definitions (bench/reference/) over a CSV export of the same
//! store — on the demo organisation, scope by scope (bench/metrics-reference.sh).

use crate::support::{AS_OF, ok};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The virtualenv scripts/setup makes (BOSUN_VENV, else ~/.cache/bosun/venv); it must have DuckDB.
fn venv() -> PathBuf {
    let venv = std::env::var_os("BOSUN_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache")
                });
            cache.join("bosun").join("venv")
        });
    let has_duckdb = Command::new(venv.join("bin").join("python"))
        .args(["-c", "import duckdb"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has_duckdb,
        "no Python with DuckDB in {}: run scripts/setup (or set BOSUN_VENV)",
        venv.display()
    );
    venv
}

/// `bench/metrics-reference.sh` on a synced data dir: (its stdout, stdout and stderr), after
/// asserting that it exited successfully (every scope agrees).
fn compare(dir: &Path, venv: &Path) -> (String, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/metrics-reference.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(dir)
        .arg(AS_OF)
        .env("BOSUN_BIN", env!("CARGO_BIN_EXE_bosun"))
        .env("BOSUN_VENV", venv)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let report = format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "bosun and the reference disagree:\n{report}"
    );
    (stdout, report)
}

#[test]
fn dora_and_pr_metrics_agree_with_the_duckdb_reference_on_the_demo() {
    let venv = venv();
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["--as-of", AS_OF, "demo", "sync"]);
    let (stdout, report) = compare(dir.path(), &venv);
    let scopes: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("agree") || l.starts_with("DIFFER"))
        .collect();
    // 6 months, the default window, 3 teams, 7 repositories, two halves.
    assert_eq!(scopes.len(), 14, "{report}");
    assert!(scopes.iter().all(|l| l.starts_with("agree")), "{report}");
    // Agreement on nothing proves nothing: the whole 6 months has deployments, changes,
    // failures and pull requests.
    let whole = scopes[0];
    assert!(
        whole.contains("6 months")
            && !whole.contains(" 0 deployments")
            && !whole.contains(" 0 failed"),
        "{report}"
    );

    // Deploy workflow runs (harbor-auth delivers through Actions): the demo's all succeeded, so
    // make some of them fail, time out or be cancelled, re-run one failure to success, and add a
    // failed run over a harbor-gateway GitHub deployment (the same deploy seen twice): both sides
    // must still agree, failed runs, covered deployments and all.
    let store = bosun_store::Store::open(&dir.path().join("bosun.db")).unwrap();
    let conn = store.conn();
    let runs: Vec<(i64, i64)> = conn
        .prepare(
            "SELECT d.id, s.created_at FROM deployments d JOIN deployment_statuses s ON s.deployment_id = d.id
             WHERE d.kind = 'workflow_run' ORDER BY d.created_at, d.id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(runs.len() > 20, "{} workflow runs in the demo", runs.len());
    for (i, (id, _)) in runs.iter().enumerate() {
        let state = match i % 35 {
            2 | 12 | 22 | 32 => "failure",
            3 | 17 => "timed_out",
            4 | 15 => "cancelled",
            _ => continue,
        };
        conn.execute(
            "UPDATE deployment_statuses SET state = ?1 WHERE deployment_id = ?2",
            rusqlite::params![state, id],
        )
        .unwrap();
    }
    conn.execute(
        "INSERT INTO deployment_statuses (deployment_id, external_id, state, created_at)
         VALUES (?1, 'attempt-2', 'success', ?2)",
        rusqlite::params![runs[2].0, runs[2].1 + 1800],
    )
    .unwrap();
    let covered = conn
        .execute(
            "INSERT INTO deployments (repo_id, kind, external_id, sha, environment, production, created_at, updated_at)
             SELECT d.repo_id, 'workflow_run', '999001', d.sha, 'production', 1, d.created_at - 100, d.created_at + 600
             FROM deployments d JOIN repos r ON r.id = d.repo_id
             WHERE r.name = 'harbor-gateway' AND d.kind = 'github_deployment' AND d.production = 1
             ORDER BY d.created_at DESC LIMIT 1 OFFSET 10",
            [],
        )
        .unwrap();
    assert_eq!(covered, 1);
    conn.execute(
        "INSERT INTO deployment_statuses (deployment_id, external_id, state, created_at)
         SELECT id, 'attempt-1', 'failure', updated_at FROM deployments WHERE external_id = '999001'",
        [],
    )
    .unwrap();
    drop(store);
    let (stdout, report) = compare(dir.path(), &venv);
    let whole = stdout.lines().find(|l| l.starts_with("agree")).unwrap();
    assert!(!whole.contains(" 0 failed"), "{report}");
    let dora = crate::support::json(
        dir.path(),
        &[
            "--as-of",
            AS_OF,
            "--json",
            "metrics",
            "dora",
            "--since",
            "2026-05-20",
            "--repo",
            "harbor-auth",
        ],
    );
    let failed_runs = dora["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["failures"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["kind"] == "deploy_failed")
        })
        .count();
    assert!(
        failed_runs >= 5,
        "{failed_runs} failed deploy runs: {report}"
    );
}
