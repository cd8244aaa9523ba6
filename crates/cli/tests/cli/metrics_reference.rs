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

#[test]
fn dora_and_pr_metrics_agree_with_the_duckdb_reference_on_the_demo() {
    let venv = venv();
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["--as-of", AS_OF, "demo", "sync"]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/metrics-reference.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(dir.path())
        .arg(AS_OF)
        .env("BOSUN_BIN", env!("CARGO_BIN_EXE_bosun"))
        .env("BOSUN_VENV", &venv)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "bosun and the reference disagree:\n{report}"
    );
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
}
