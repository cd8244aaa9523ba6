use crate::support::{AS_OF, canonical, count, json, ok};

#[test]
fn demo_sync_fills_a_real_database_that_passes_the_integrity_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["--as-of", AS_OF, "demo", "sync"]);
    let status = json(d, &["status", "--json", "--check"]);
    assert_eq!(status["integrity"], "ok");
    assert_eq!(
        status["schema_version"],
        bosun_store::migrations::latest_version()
    );
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
    // The demo's git repository lives in each data dir: its path is the only difference.
    let norm = |d: &std::path::Path| {
        canonical(d)
            .into_iter()
            .map(|l| l.replace(&d.display().to_string(), "<DATA>"))
            .collect::<Vec<_>>()
    };
    let (da, db) = (norm(a.path()), norm(b.path()));
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

#[test]
fn every_demo_person_is_one_person_across_tools() {
    let dir = tempfile::tempdir().unwrap();
    ok(
        dir.path(),
        &["--as-of", AS_OF, "demo", "sync", "--months", "2"],
    );
    let people = json(dir.path(), &["--json", "people"]);
    let humans: Vec<&serde_json::Value> = people["people"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["is_bot"] == false)
        .collect();
    assert_eq!(humans.len(), 16, "{people}");
    for p in &humans {
        let accounts = p["accounts"].as_array().unwrap();
        let providers: std::collections::BTreeSet<&str> = accounts
            .iter()
            .map(|a| a["provider"].as_str().unwrap())
            .collect();
        assert!(
            providers.len() >= 3,
            "{} is linked to {providers:?}",
            p["name"]
        );
        assert!(p["team"].is_string(), "{} has a team", p["name"]);
        for a in accounts {
            assert!(a["confidence"].as_f64().unwrap() >= 0.7, "{a}");
        }
    }
    let chen = humans.iter().find(|p| p["name"] == "Chen Wei").unwrap();
    let logins: Vec<&str> = chen["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["provider"] == "github")
        .filter_map(|a| a["login"].as_str())
        .collect();
    assert_eq!(logins.len(), 2, "both of Chen's GitHub logins: {logins:?}");
    let jonas = humans.iter().find(|p| p["name"] == "Jonas Becker").unwrap();
    assert!(
        jonas["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["provider"] == "git" && a["match_method"] == "name"),
        "his personal address"
    );
    let bots: Vec<&str> = people["people"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["is_bot"] == true)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        bots.contains(&"dependabot[bot]") && bots.contains(&"Deploy Bot"),
        "{bots:?}"
    );
    assert_eq!(
        people["unmatched"].as_array().unwrap().len(),
        0,
        "{}",
        people["unmatched"]
    );
    // Managers and teams come from the config the demo wrote.
    let tomas = humans.iter().find(|p| p["name"] == "Tomás Ruiz").unwrap();
    assert_eq!(
        (tomas["team"].as_str(), tomas["manager"].as_str()),
        (Some("harbor"), Some("Maya Okafor"))
    );
    assert!(dir.path().join("config.toml").exists());
}
