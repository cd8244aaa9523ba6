//! The audit ledger anchored outside the database (issue 16, item 5): cutting the newest entries
//! and rewriting the head, or editing an entry and re-chaining every hash after it, verifies as
//! intact on the database alone; through the app (which anchors the ledger whenever it opens
//! and closes the store) both are caught, and so is a deleted or forged anchor file.

use bosun_app::App;
use bosun_app::paths::Paths;
use bosun_core::FixedClock;
use bosun_store::audit::anchor::KeyPlace;
use bosun_store::audit::{self, NewEntry};
use rusqlite::Connection;
use std::path::Path;
use std::sync::Arc;

fn app(dir: &Path) -> App {
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    App::new(Paths::in_dir(dir), Arc::new(FixedClock(now))).unwrap()
}

/// Five approvals, each in its own store session, as the app writes them.
fn ledger_of_five(dir: &Path) {
    let a = app(dir);
    for i in 1..=5 {
        let mut store = a.store().unwrap();
        store
            .write(|tx| {
                audit::append(
                    tx,
                    &NewEntry {
                        at: 1_000 + i,
                        actor: "user",
                        action: "action.approve",
                        subject: Some(&format!("action:{i}")),
                        result: "ok",
                        trace: serde_json::json!({"i": i}),
                    },
                )?;
                Ok(())
            })
            .unwrap();
    }
}

/// What someone with the sqlite3 shell does: lift the guards, then edit.
fn shell(dir: &Path, sql: &str) {
    let conn = Connection::open(dir.join("bosun.db")).unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER IF EXISTS audit_entries_no_update; DROP TRIGGER IF EXISTS audit_entries_no_delete; {sql}"
    ))
    .unwrap();
}

/// The database's own verdict (what `audit verify` said before the anchor).
fn database_alone(dir: &Path) -> bool {
    let conn = Connection::open(dir.join("bosun.db")).unwrap();
    audit::verify(&conn).unwrap().ok
}

fn problems(dir: &Path) -> Vec<(i64, &'static str)> {
    let v = app(dir).audit_verify().unwrap();
    assert_eq!(v.ok, v.problems.is_empty());
    v.problems
        .iter()
        .map(|p| (p.seq, p.kind.as_str()))
        .collect()
}

#[test]
fn an_honest_ledger_is_anchored_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    ledger_of_five(dir.path());
    let v = app(dir.path()).audit_verify().unwrap();
    assert!(v.ok, "{v:?}");
    let anchor = v.anchor.expect("anchored");
    assert_eq!(anchor.seq, 5);
    assert!(Path::new(&anchor.path).starts_with(dir.path()));
    // CI runs the suite with a real Secret Service: the key is there, not in a file.
    if std::env::var("BOSUN_TEST_KEYCHAIN").as_deref() == Ok("1") {
        assert_eq!(anchor.key, KeyPlace::Keychain);
    }
    // The key is not in the data dir's database or the anchor file.
    let text = std::fs::read_to_string(&anchor.path).unwrap();
    assert!(text.contains("\"mac\""), "{text}");
}

#[test]
fn cutting_the_newest_entries_and_rewriting_the_head_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    ledger_of_five(dir.path());
    shell(
        dir.path(),
        "DELETE FROM audit_entries WHERE seq >= 4;
         UPDATE meta SET value = (SELECT seq || ':' || hash FROM audit_entries WHERE seq = 3)
         WHERE key = 'audit_head';",
    );
    assert!(database_alone(dir.path()), "the database alone cannot tell");
    assert_eq!(problems(dir.path()), vec![(4, "truncated")]);
    // Opening the store again (as every command does) does not bless the cut ledger.
    drop(app(dir.path()).store().unwrap());
    assert_eq!(problems(dir.path()), vec![(4, "truncated")]);
}

#[test]
fn an_edit_with_every_hash_recomputed_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    ledger_of_five(dir.path());
    shell(
        dir.path(),
        "UPDATE audit_entries SET result = 'denied' WHERE seq = 2;",
    );
    // Re-chain from the edit, as a careful forger would.
    let conn = Connection::open(dir.path().join("bosun.db")).unwrap();
    let mut all = audit::entries(&conn, None).unwrap();
    all.reverse();
    let mut prev = all[0].hash.clone();
    for e in &all[1..] {
        let canonical =
            serde_json::json!([prev, e.at, e.actor, e.action, e.subject, e.result, e.trace])
                .to_string();
        let h = bosun_core::secret::hex(&<sha2::Sha256 as sha2::Digest>::digest(
            canonical.as_bytes(),
        ));
        conn.execute(
            "UPDATE audit_entries SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            rusqlite::params![prev, h, e.seq],
        )
        .unwrap();
        prev = h;
    }
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'audit_head'",
        [format!("5:{prev}")],
    )
    .unwrap();
    drop(conn);
    assert!(database_alone(dir.path()), "the database alone cannot tell");
    assert_eq!(problems(dir.path()), vec![(5, "rechained")]);
}

#[test]
fn a_deleted_or_forged_anchor_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    ledger_of_five(dir.path());
    let anchor = bosun_app::ledger::anchor_path(&Paths::in_dir(dir.path()));
    let good = std::fs::read_to_string(&anchor).unwrap();
    // Pointing the anchor at an earlier entry (after cutting the ledger) needs the key.
    let forged = good.replace("\"seq\": 5", "\"seq\": 3");
    assert_ne!(forged, good);
    std::fs::write(&anchor, forged).unwrap();
    assert_eq!(problems(dir.path()), vec![(0, "anchor_forged")]);
    std::fs::remove_file(&anchor).unwrap();
    assert_eq!(problems(dir.path()), vec![(5, "anchor_missing")]);
    std::fs::write(&anchor, good).unwrap();
    assert_eq!(problems(dir.path()), vec![]);
}
