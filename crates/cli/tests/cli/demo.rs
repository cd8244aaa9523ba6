use crate::support::{AS_OF, canonical, count, json, ok};

#[test]
fn demo_sync_fills_a_real_database_that_passes_the_integrity_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["--as-of", AS_OF, "demo", "sync"]);
    let status = json(d, &["status", "--json", "--check"]);
    assert_eq!(status["integrity"], "ok");
    assert_eq!(status["schema_version"], 1);
    assert!(
        count(&status, "pull_requests") >= 300,
        "{}",
        status["counts"]
    );
    assert!(count(&status, "reviews") >= 300, "{}", status["counts"]);
    assert!(count(&status, "commits") >= 1000, "{}", status["counts"]);
    let deployments = count(&status, "deployments");
    assert!((36..2000).contains(&deployments), "{}", status["counts"]);
    assert!(
        count(&status, "check_runs") > 0
            && count(&status, "releases") > 0
            && count(&status, "code_owners") > 0
    );
    let source = &status["sources"][0];
    assert_eq!(source["name"], "demo-github");
    assert_eq!(source["last_sync_status"], "ok");
    assert_eq!(source["token"]["kind"], "demo");
    assert!(
        source["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["state"] == "done")
    );

    // Re-running is safe: same facts, nothing duplicated.
    let before = status["counts"].clone();
    ok(d, &["--as-of", AS_OF, "demo", "sync"]);
    let again = json(d, &["status", "--json"]);
    assert_eq!(again["counts"], before);
}

#[test]
fn same_seed_and_as_of_give_identical_databases() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for d in [a.path(), b.path()] {
        ok(
            d,
            &[
                "--as-of", AS_OF, "demo", "sync", "--months", "1", "--seed", "3",
            ],
        );
    }
    let (da, db) = (canonical(a.path()), canonical(b.path()));
    // Raw payloads embed the fakes' random ports; every normalized record must match.
    let records = |d: &[String]| {
        d.iter()
            .filter(|l| !l.starts_with("raw_payloads:") && !l.starts_with("etags:"))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (ra, rb) = (records(&da), records(&db));
    let only_a: Vec<_> = ra.iter().filter(|l| !rb.contains(l)).take(3).collect();
    let only_b: Vec<_> = rb.iter().filter(|l| !ra.contains(l)).take(3).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty() && ra.len() == rb.len(),
        "{only_a:#?}\n{only_b:#?}"
    );
    let c = tempfile::tempdir().unwrap();
    ok(
        c.path(),
        &[
            "--as-of", AS_OF, "demo", "sync", "--months", "1", "--seed", "4",
        ],
    );
    assert_ne!(
        records(&canonical(c.path())),
        records(&da),
        "another seed, other data"
    );
}

#[test]
fn json_output_is_one_document_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(
        dir.path(),
        &["--as-of", AS_OF, "--json", "demo", "sync", "--months", "1"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["outcomes"][0]["ok"], true);
    assert_eq!(v["as_of"], AS_OF);
}
