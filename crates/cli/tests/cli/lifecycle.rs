//! The data lifecycle end to end: forget leaves no string of the person anywhere in the data
//! dir or the export; backup and restore with their checks; doctor on the demo.

use crate::support::{AS_OF, json, ok, run};
use std::path::{Path, PathBuf};

/// Every regular file under `dir`, not following links.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                out.push(e.path());
            }
        }
    }
    out
}

/// (file, string) for every string found in a file, ignoring ASCII case.
fn find(files: &[PathBuf], strings: &[String]) -> Vec<(String, String)> {
    let mut hits = Vec::new();
    for f in files {
        let bytes = std::fs::read(f).unwrap().to_ascii_lowercase();
        for s in strings {
            let s = s.to_ascii_lowercase();
            if bytes.windows(s.len()).any(|w| w == s.as_bytes()) {
                hits.push((f.display().to_string(), s.clone()));
            }
        }
    }
    hits
}

/// The person's strings as `bosun people` shows them: name, its parts of 4+ characters that no
/// one else's name has, key, email, and every account's login, name, email and (non-numeric) id.
fn strings_of(people: &serde_json::Value, name: &str) -> Vec<String> {
    let all = people["people"].as_array().unwrap();
    let p = all.iter().find(|p| p["name"] == name).unwrap();
    let mut out = vec![name.to_string(), p["key"].as_str().unwrap().to_string()];
    let other_parts: Vec<String> = all
        .iter()
        .filter(|o| o["name"] != name)
        .flat_map(|o| {
            o["name"]
                .as_str()
                .unwrap()
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect();
    for part in name.split(|c: char| !c.is_alphanumeric()) {
        if part.chars().count() >= 4 && !other_parts.contains(&part.to_lowercase()) {
            out.push(part.to_string());
        }
    }
    out.extend(p["email"].as_str().map(str::to_string));
    for a in p["accounts"].as_array().unwrap() {
        for k in ["login", "name", "email", "id"] {
            if let Some(v) = a[k].as_str()
                && v.len() >= 3
                && !v.chars().all(|c| c.is_ascii_digit())
            {
                out.push(v.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The data dir's files, without the demo's git repositories: they stand for the user's own
/// repositories (a git source reads them; Bosun never writes there).
fn bosun_files(d: &Path) -> Vec<PathBuf> {
    files(d)
        .into_iter()
        .filter(|f| !f.starts_with(d.join("demo-repos")))
        .collect()
}

#[test]
#[allow(clippy::print_stderr)] // prints the figures (strings, files, hits) with --nocapture
fn forget_leaves_no_string_of_the_person_anywhere_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["--as-of", AS_OF, "demo", "sync", "--months", "2"]);
    let name = "Tomás Ruiz";
    // Their private note, an exported 1:1 pack, a backup and an export: all in the data dir.
    ok(
        d,
        &[
            "--as-of",
            AS_OF,
            "prep",
            "note",
            name,
            "Tomás wants to lead the Q1 migration",
            "--follow-up",
        ],
    );
    ok(
        d,
        &["--as-of", AS_OF, "prep", "one-on-one", name, "--export"],
    );
    ok(d, &["--as-of", AS_OF, "standup", "--export"]);
    ok(d, &["--as-of", AS_OF, "backup"]);
    ok(
        d,
        &[
            "data",
            "export",
            "--out",
            d.join("before.jsonl").to_str().unwrap(),
        ],
    );
    let people = json(d, &["people", "--json"]);
    let strings = strings_of(&people, name);
    assert!(strings.len() >= 8, "{strings:?}");
    let before = find(&bosun_files(d), &strings);
    assert!(
        before.iter().any(|(f, _)| f.ends_with("bosun.db")),
        "the person is in the database before: {before:?}"
    );
    let chat_before = json(d, &["status", "--json"])["counts"]["chat_messages"].clone();

    let report = json(d, &["--as-of", AS_OF, "--json", "forget", name]);
    let pseudonym = report["pseudonym"].as_str().unwrap().to_string();
    assert!(pseudonym.starts_with("person-"), "{report}");
    assert!(
        report["chat_messages_erased"].as_u64().unwrap() > 0,
        "{report}"
    );
    assert_eq!(report["private_notes_deleted"], 1, "{report}");

    let out = tempfile::tempdir().unwrap();
    let export = out.path().join("after.jsonl");
    ok(d, &["data", "export", "--out", export.to_str().unwrap()]);
    let mut everything = bosun_files(d);
    everything.push(export.clone());
    let after = find(&everything, &strings);
    eprintln!(
        "forget: {} strings checked in {} files ({} hits before), {} found after",
        strings.len(),
        everything.len(),
        before.len(),
        after.len()
    );
    assert!(after.is_empty(), "left behind: {after:?}");

    // The aggregates still count them, under the pseudonym.
    let people_after = json(d, &["people", "--json"]);
    assert_eq!(
        people_after["people"].as_array().unwrap().len(),
        people["people"].as_array().unwrap().len()
    );
    assert!(
        people_after["people"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == pseudonym.as_str()
                && !p["accounts"].as_array().unwrap().is_empty())
    );
    let status = json(d, &["status", "--json", "--check"]);
    assert_eq!(status["integrity"], "ok");
    assert_eq!(status["counts"]["chat_messages"], chat_before);
    // The ledger verifies and records the forget, without the person's strings.
    let verify = json(d, &["--json", "audit", "verify"]);
    assert_eq!(verify["ok"], true, "{verify}");
    let export_text = std::fs::read_to_string(&export).unwrap();
    let forget_entry = export_text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|l| l["table"] == "audit_entries" && l["row"]["action"] == "data.forget")
        .expect("the forget is in the ledger");
    assert_eq!(
        forget_entry["row"]["subject"],
        format!("person:{pseudonym}")
    );
}

#[test]
fn export_has_every_row_and_no_token() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["--as-of", AS_OF, "demo", "sync", "--months", "1"]);
    let text = ok(d, &["data", "export"]);
    let mut per_table: std::collections::BTreeMap<String, i64> = Default::default();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["row"].is_object(), "{line}");
        *per_table
            .entry(v["table"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let status = json(d, &["status", "--json"]);
    for (entity, n) in status["counts"].as_object().unwrap() {
        assert_eq!(
            per_table.get(entity).copied().unwrap_or(0),
            n.as_i64().unwrap(),
            "{entity}"
        );
    }
    assert!(
        !per_table.contains_key("chunks_fts_data"),
        "derived indexes are not exported"
    );
    // Raw payloads come decompressed: the provider's JSON.
    let raw = text
        .lines()
        .find(|l| l.contains("\"table\":\"raw_payloads\""))
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(raw).unwrap();
    assert!(
        v["row"]["body"]
            .as_str()
            .unwrap()
            .trim_start()
            .starts_with(['{', '['])
    );
    // Tokens are never in the database, so never in the export.
    assert!(!text.contains(bosun_fakes::DEMO_TOKEN));
}

#[test]
fn restore_checks_the_file_and_keeps_what_it_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["--as-of", AS_OF, "demo", "sync", "--months", "1"]);
    let counts = json(d, &["status", "--json"])["counts"].clone();
    let out = tempfile::tempdir().unwrap();
    let backup = out.path().join("b.db");
    let r = json(d, &["--json", "backup", "--out", backup.to_str().unwrap()]);
    assert_eq!(r["config_included"], true, "{r}");

    // Into an empty data dir: the records and the config come back.
    let fresh = tempfile::tempdir().unwrap();
    ok(fresh.path(), &["restore", backup.to_str().unwrap()]);
    // Every record, plus the restore itself in the audit ledger.
    let mut want = counts.clone();
    want["audit_entries"] = (counts["audit_entries"].as_i64().unwrap() + 1).into();
    assert_eq!(json(fresh.path(), &["status", "--json"])["counts"], want);
    assert_eq!(
        std::fs::read_to_string(fresh.path().join("config.toml")).unwrap(),
        std::fs::read_to_string(d.join("config.toml")).unwrap()
    );

    // Over an existing database: only with --force, and the old one is kept.
    let refused = run(d, &["restore", backup.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    ok(d, &["restore", "--force", backup.to_str().unwrap()]);
    assert!(d.join("bosun.db.bak").is_file());
    // The restore is in the restored ledger, and the anchor outside the database follows it
    // (it recorded the replaced database's head).
    for dir in [d, fresh.path()] {
        let v = json(dir, &["--json", "audit", "verify"]);
        assert_eq!(v["ok"], true, "{v:#}");
        let log = json(dir, &["--json", "audit", "log", "--limit", "1"]);
        assert_eq!(log["entries"][0]["action"], "data.restore", "{log:#}");
    }

    // A damaged file: refused, and the database is untouched.
    let bytes = std::fs::read(&backup).unwrap();
    let damaged = out.path().join("damaged.db");
    let mut cut = bytes.clone();
    for b in cut.iter_mut().skip(bytes.len() / 2).take(8192) {
        *b = 0x5a;
    }
    std::fs::write(&damaged, &cut).unwrap();
    let r = run(d, &["restore", "--force", damaged.to_str().unwrap()]);
    assert!(!r.status.success());
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("error[store]"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let garbage = out.path().join("garbage.db");
    std::fs::write(
        &garbage,
        b"not a database at all, just some text that is long enough",
    )
    .unwrap();
    assert!(
        !run(d, &["restore", "--force", garbage.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(json(d, &["status", "--json", "--check"])["counts"], want);

    // A backup from a newer Bosun: refused.
    let newer = out.path().join("newer.db");
    std::fs::copy(&backup, &newer).unwrap();
    let c = bosun_store::Connection::open(&newer).unwrap();
    c.pragma_update(
        None,
        "user_version",
        bosun_store::migrations::latest_version() + 1,
    )
    .unwrap();
    drop(c);
    let r = run(d, &["restore", "--force", newer.to_str().unwrap()]);
    assert!(!r.status.success());
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("newer"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
}

#[test]
fn doctor_on_the_demo_prints_every_check_and_checks_a_live_source() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["--as-of", AS_OF, "demo", "sync", "--months", "1"]);
    // A non-demo source against a fake GitHub, with its token in the environment.
    let p = crate::support::Providers::start("1");
    ok(
        d,
        &[
            "sources",
            "add",
            "github",
            "--name",
            "gh",
            "--owner",
            "tidewater",
            "--base-url",
            &p.github,
        ],
    );
    let doctor = |args: &[&str]| {
        let out = crate::support::bosun()
            .env("BOSUN_TOKEN_GH", &p.token)
            .env("BOSUN_MODELS_DIR", d.join("no-models"))
            .arg("--data-dir")
            .arg(d)
            .args(args)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, text) = doctor(&["doctor", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let level = |name: &str| {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no check {name}: {v}"))
            .clone()
    };
    for name in [
        "data_dir",
        "database",
        "database_permissions",
        "audit_ledger",
        "disk",
        "keychain",
        "model",
        "onnx_runtime",
        "source:demo-github",
        "source:gh",
        "clock",
    ] {
        let c = level(name);
        assert!(
            ["ok", "warn", "fail"].contains(&c["level"].as_str().unwrap()),
            "{c}"
        );
        assert!(!c["reason"].as_str().unwrap().is_empty());
    }
    assert_eq!(level("database")["level"], "ok");
    // Anchored: in the keychain (ok) where one answers, else a key file (warn, saying so).
    let ledger = level("audit_ledger");
    assert_ne!(ledger["level"], "fail", "{ledger}");
    assert!(
        ledger["reason"]
            .as_str()
            .unwrap()
            .contains("anchored outside the database"),
        "{ledger}"
    );
    assert_eq!(
        level("model")["level"],
        "warn",
        "no model files in the models dir"
    );
    let gh = level("source:gh");
    assert_eq!(gh["level"], "ok", "{gh}");
    assert!(
        gh["reason"].as_str().unwrap().contains("rate limit"),
        "{gh}"
    );
    assert!(
        level("source:demo-github")["reason"]
            .as_str()
            .unwrap()
            .contains("demo")
    );
    assert_eq!(
        level("clock")["level"],
        "ok",
        "the fake's Date is this machine's clock"
    );
    assert_eq!(code, Some(if v["ok"] == true { 0 } else { 1 }));
    // As of a fortnight ago, our clock disagrees with the provider's Date.
    let (_, text) = doctor(&["--as-of", AS_OF, "doctor", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let clock = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "clock")
        .unwrap()
        .clone();
    assert_eq!(clock["level"], "warn", "{clock}");
    // A wrong token fails the source and the exit status.
    let out = crate::support::bosun()
        .env("BOSUN_TOKEN_GH", "wrong-token")
        .arg("--data-dir")
        .arg(d)
        .args(["doctor"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("fail") && l.contains("source:gh")),
        "{text}"
    );
}

#[test]
fn doctor_fails_a_corrupt_database() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["--as-of", AS_OF, "demo", "sync", "--months", "1"]);
    let db = d.join("bosun.db");
    let store = bosun_store::Store::open(&db).unwrap();
    bosun_store::lifecycle::compact(store.conn(), false).unwrap();
    drop(store);
    let mut bytes = std::fs::read(&db).unwrap();
    let n = bytes.len();
    for b in bytes.iter_mut().skip(n / 2).take(16384) {
        *b = 0xa5;
    }
    std::fs::write(&db, &bytes).unwrap();
    let out = crate::support::bosun()
        .arg("--data-dir")
        .arg(d)
        .args(["doctor"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("fail") && l.contains("database")),
        "{text}"
    );
}
