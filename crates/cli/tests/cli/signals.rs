//! `bosun signals`, `bosun actions` and `bosun audit` on the synced demo organisation: real
//! signals of many kinds, each explained and evidenced; drafts whose approval reaches the fake
//! provider exactly once (and can be seen there); a ledger that verifies, and stops verifying
//! after a manual edit.

use crate::support::{AS_OF, bosun, json, ok, run};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};

/// A plain HTTP GET (the fakes' admin endpoints need no token).
fn http_get(base: &str, path: &str) -> Value {
    let host = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    // A chunked body: keep the JSON between the first '[' or '{' and the last ']' or '}'.
    let start = body.find(['[', '{']).unwrap_or(0);
    let end = body.rfind([']', '}']).map_or(body.len(), |e| e + 1);
    serde_json::from_str(&body[start..end]).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// `bosun demo providers` for the data dir (it serves the journaled writes too).
struct Fakes {
    child: Child,
    urls: Value,
}

impl Fakes {
    fn start(dir: &Path) -> Fakes {
        let mut child = bosun()
            .arg("--data-dir")
            .arg(dir)
            .args(["--as-of", AS_OF, "--json", "demo", "providers"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        Fakes {
            child,
            urls: v["providers"].clone(),
        }
    }

    fn url(&self, provider: &str) -> String {
        self.urls[provider].as_str().unwrap().to_string()
    }
}

impl Drop for Fakes {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn journal_lines(dir: &Path, provider: &str, needle: &str) -> usize {
    std::fs::read_to_string(dir.join("demo-fakes").join(format!("{provider}.jsonl")))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(needle))
        .count()
}

/// A draft the policy would let go right now (no recipient in quiet hours or over the cap).
fn sendable<'a>(actions: &'a [Value], kinds: &[&str]) -> &'a Value {
    actions
        .iter()
        .find(|a| {
            a["status"] == "draft"
                && kinds.contains(&a["kind"].as_str().unwrap_or(""))
                && a["decision"]["defer"].as_array().is_some_and(Vec::is_empty)
                && a["decision"]["deny"].as_array().is_some_and(|d| {
                    d.iter()
                        .all(|x| x.as_str().unwrap_or("").contains("approval"))
                })
        })
        .unwrap_or_else(|| panic!("no sendable {kinds:?} draft in {actions:#?}"))
}

#[test]
fn signals_drafts_exactly_once_delivery_and_a_tamper_evident_ledger_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["--as-of", AS_OF, "demo", "sync"]);

    // Signals: at least eight kinds, each explained and evidenced.
    let v = json(d, &["--as-of", AS_OF, "--json", "signals"]);
    let signals = v["signals"].as_array().unwrap();
    let kinds: BTreeSet<&str> = signals
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.len() >= 8, "only {} kinds: {kinds:?}", kinds.len());
    for s in signals {
        assert!(s["id"].as_i64().is_some(), "{s}");
        assert!(
            ["low", "medium", "high"].contains(&s["severity"].as_str().unwrap()),
            "{s}"
        );
        let why = s["why"].as_str().unwrap();
        assert!(why.len() > 20 && why.ends_with('.'), "a one-line why: {s}");
        assert!(!why.contains('\n'), "{why}");
        let evidence = s["evidence"].as_array().unwrap();
        assert!(!evidence.is_empty(), "no evidence: {s}");
        for e in evidence {
            assert!(
                !e["ref"].as_str().unwrap().is_empty() && !e["kind"].as_str().unwrap().is_empty(),
                "{e}"
            );
        }
        assert_eq!(s["status"], "open");
    }
    // The demo's stuck PRs, blocked tickets and open incidents are among them.
    for k in ["review_waiting", "ticket_blocked"] {
        assert!(kinds.contains(k), "{k} missing from {kinds:?}");
    }
    assert!(v["applied"]["new"].as_u64().unwrap() as usize == signals.len());
    assert!(v["applied"]["drafts"].as_u64().unwrap() > 0);
    // Alerts: at most the daily budget (5) notified besides the pages (new urgent incidents,
    // outside the budget), the rest kept with the reason.
    let alerts = v["alerts"].as_array().unwrap();
    let notified = alerts.iter().filter(|a| a["delivered"] == true).count();
    let paged = v["applied"]["alerts_paged"].as_u64().unwrap() as usize;
    assert!(notified - paged <= 5 && !alerts.is_empty(), "{alerts:#?}");
    if alerts.len() > 5 {
        assert!(
            alerts
                .iter()
                .any(|a| a["suppressed_reason"] == "daily_budget")
        );
    }

    // De-duplicated across runs: the same signals, nothing new, no second draft or alert.
    let again = json(d, &["--as-of", AS_OF, "--json", "signals"]);
    let ids = |v: &Value| -> BTreeSet<i64> {
        v["signals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&v), ids(&again));
    assert_eq!(again["applied"]["new"], 0);
    assert_eq!(again["applied"]["drafts"], 0);
    assert_eq!(again["applied"]["alerts_delivered"], 0);

    // Drafts, until approved.
    let list = json(d, &["--json", "actions", "list"]);
    let actions = list["actions"].as_array().unwrap();
    assert!(
        actions
            .iter()
            .all(|a| a["status"] == "draft" || a["status"] == "denied")
    );
    let comment = sendable(actions, &["pr_comment", "reviewer_request"]);
    let id = comment["id"].as_i64().unwrap().to_string();
    let key = comment["idempotency_key"].as_str().unwrap().to_string();

    let sent = json(d, &["--as-of", AS_OF, "--json", "actions", "approve", &id]);
    assert_eq!(sent["action"]["status"], "sent", "{sent:#}");
    assert_eq!(sent["attempts"].as_array().unwrap().len(), 1);
    // Exactly one write at the fake GitHub...
    let marker_lines = journal_lines(d, "github", &key);
    if comment["kind"] == "pr_comment" {
        assert_eq!(marker_lines, 1);
    }
    // ...visible through the fake provider itself.
    let fakes = Fakes::start(d);
    let writes = http_get(&fakes.url("github"), "/_fake/github/writes");
    let target = &comment["target"];
    let repo_name = target["repo"].as_str().unwrap().rsplit('/').next().unwrap();
    let mine: Vec<&Value> = writes
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["repo"] == repo_name && w["number"] == target["number"])
        .collect();
    assert_eq!(mine.len(), 1, "{writes:#}");
    drop(fakes);

    // Approving again is refused (it is no longer a draft), and nothing more is written.
    let out = run(d, &["--as-of", AS_OF, "actions", "approve", &id]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a draft"));
    // `actions send` has nothing due.
    assert!(ok(d, &["--as-of", AS_OF, "actions", "send"]).contains("Nothing is due"));
    let writes_after = std::fs::read_to_string(d.join("demo-fakes/github.jsonl")).unwrap();
    assert_eq!(writes_after.lines().count(), 1);

    // A Slack nudge: delivered to the fake Slack once, with its idempotency key in the metadata.
    if let Some(slack) = actions.iter().find(|a| {
        a["status"] == "draft"
            && a["kind"].as_str().unwrap().starts_with("slack")
            && a["decision"]["defer"].as_array().is_some_and(Vec::is_empty)
            && a["decision"]["deny"]
                .as_array()
                .is_some_and(|d| d.len() == 1)
    }) {
        let sid = slack["id"].as_i64().unwrap().to_string();
        let r = json(d, &["--as-of", AS_OF, "--json", "actions", "approve", &sid]);
        assert_eq!(r["action"]["status"], "sent", "{r:#}");
        assert_eq!(
            journal_lines(d, "slack", slack["idempotency_key"].as_str().unwrap()),
            1
        );
    }

    // Reject another draft.
    let list = json(d, &["--json", "actions", "list", "--status", "draft"]);
    let other = list["actions"][0]["id"].as_i64().unwrap().to_string();
    let r = json(d, &["--json", "actions", "reject", &other]);
    assert_eq!(r["status"], "rejected");

    // The ledger holds the decisions, approvals and attempts, and verifies.
    let log = json(d, &["--json", "audit", "log", "--limit", "200"]);
    let actions_logged: BTreeSet<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "policy.decide",
        "action.approve",
        "action.send",
        "action.reject",
    ] {
        assert!(actions_logged.contains(a), "{a} not in {actions_logged:?}");
    }
    let v = json(d, &["--json", "audit", "verify"]);
    assert_eq!(v["ok"], true, "{v:#}");
    let n = v["entries"].as_i64().unwrap();
    assert!(n >= 5);
    assert!(ok(d, &["audit", "verify"]).contains("intact"));

    // A manual edit with the sqlite3 shell (the guard triggers dropped first).
    let conn = bosun_store::Connection::open(d.join("bosun.db")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_entries_no_update;
         UPDATE audit_entries SET result = result || '!' WHERE seq = 3;",
    )
    .unwrap();
    drop(conn);
    let out = run(d, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("entry 3: edited"), "{stdout}");
    assert!(
        stderr.starts_with("error[store]:") && stderr.contains("entry 3"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_policy_is_reported_and_the_previous_one_stays_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["--as-of", AS_OF, "demo", "sync"]);
    ok(d, &["--as-of", AS_OF, "signals"]);
    let policy = d.join("policy").join("agreements.rego");
    let good = std::fs::read_to_string(&policy).unwrap();
    // Raise the two-reviewer threshold beyond any PR: the next evaluation uses it...
    std::fs::write(
        &policy,
        good.replace("two_reviewer_lines := 400", "two_reviewer_lines := 1000000"),
    )
    .unwrap();
    let v = json(d, &["--as-of", AS_OF, "--json", "signals"]);
    let rules = |v: &Value| -> BTreeSet<String> {
        v["signals"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["detail"]["rule"].as_str().map(str::to_string))
            .collect()
    };
    assert!(!rules(&v).contains("two_reviewers"), "{:?}", rules(&v));
    let before = rules(&v);
    // ...then break the file: a clear error naming it, and the edited policy stays in force.
    std::fs::write(
        &policy,
        "package bosun.agreements\n\nviolations contains v if {\n  v := \n}\n",
    )
    .unwrap();
    let out = run(d, &["--as-of", AS_OF, "--json", "signals"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning:")
            && stderr.contains("agreements.rego")
            && stderr.contains("previous policy stays in force"),
        "{stderr}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules(&v), before);
}
