use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

pub const AS_OF: &str = "2026-11-20T09:00:00Z";

pub fn bosun() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bosun"));
    c.env_remove("BOSUN_DATA_DIR")
        .env_remove("BOSUN_CONFIG")
        .env_remove("BOSUN_GITHUB_TOKEN")
        .env_remove("BOSUN_TOKENS_PASSPHRASE");
    c
}

/// Run `bosun --data-dir DIR ARGS...`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    bosun()
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("bosun runs")
}

pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "bosun {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let text = ok(dir, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not one JSON document ({e}): {text}"))
}

/// `bosun demo providers` running in the background; killed on drop.
pub struct Providers {
    child: Child,
    pub github: String,
    pub jira: String,
    pub pagerduty: String,
    pub slack: String,
    pub token: String,
}

impl Providers {
    pub fn start(months: &str) -> Providers {
        let mut child = bosun()
            .args([
                "--as-of",
                AS_OF,
                "--json",
                "demo",
                "providers",
                "--months",
                months,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        Providers {
            child,
            github: v["providers"]["github"].as_str().unwrap().to_string(),
            jira: v["providers"]["jira"].as_str().unwrap().to_string(),
            pagerduty: v["providers"]["pagerduty"].as_str().unwrap().to_string(),
            slack: v["providers"]["slack"].as_str().unwrap().to_string(),
            token: v["token"].as_str().unwrap().to_string(),
        }
    }
}

impl Drop for Providers {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn canonical(dir: &Path) -> Vec<String> {
    let store = bosun_store::Store::open(&dir.join("bosun.db")).unwrap();
    bosun_store::dump::canonical(store.conn()).unwrap()
}

pub fn count(v: &serde_json::Value, entity: &str) -> i64 {
    v["counts"][entity]
        .as_i64()
        .unwrap_or_else(|| panic!("no count for {entity}: {v}"))
}
