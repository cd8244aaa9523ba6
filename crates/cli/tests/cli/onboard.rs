//! `bosun onboard` on the demo: Inês Duarte joined Harbor 14 days before "now" (the generator's
//! ground truth: `joined_days_ago = 14`, three `good-first-issue` tickets in Harbor's next
//! sprint). She is the only joiner; her plan lists set-up guides and Harbor's pages first, the
//! team's repositories, at least three people to meet with the on-call buddy, the three starter
//! tickets, an on-call shadow shift after her first week, and her progress: the first pull
//! request she opened, linked, within her fourteen days.

use crate::support::{AS_OF, bosun, json, ok};
use std::path::Path;

fn synced_with_docs() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    ok(
        d.path(),
        &["--as-of", AS_OF, "demo", "sync", "--months", "2"],
    );
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/docs");
    let out = bosun()
        .arg("--data-dir")
        .arg(d.path())
        .env("BOSUN_EMBEDDINGS", "off")
        .args(["index", "add", docs.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

#[test]
fn the_new_joiner_gets_a_plan_with_reasons_and_her_progress() {
    let d = synced_with_docs();
    let dir = d.path();
    let list = json(dir, &["--as-of", AS_OF, "--json", "onboard"]);
    let joiners = list["joiners"].as_array().unwrap();
    assert_eq!(joiners.len(), 1, "{list}");
    assert_eq!(joiners[0]["name"], "Inês Duarte");
    assert_eq!(joiners[0]["team"], "harbor");
    assert_eq!(joiners[0]["joined"], "2026-11-06");
    assert_eq!(joiners[0]["joined_from"], "first_activity");

    let p = json(dir, &["--as-of", AS_OF, "--json", "onboard", "ines"]);
    assert_eq!(p["person"]["name"], "Inês Duarte");
    assert_eq!(p["team"], "harbor");
    // Week-1 reading: at least five documents, each with its reason; set-up guides first, then
    // Harbor's own pages; never a dated postmortem.
    let docs = p["docs"].as_array().unwrap();
    assert!(docs.len() >= 5, "{p}");
    assert!(
        docs.iter()
            .all(|d| !d["reason"].as_str().unwrap().is_empty())
    );
    let paths: Vec<&str> = docs.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(docs[0]["kind"], "setup_guide", "{paths:?}");
    for must in [
        "onboarding/dev-environment-setup.md",
        "teams/harbor.md",
        "services/gateway.md",
    ] {
        assert!(paths.contains(&must), "{must} in {paths:?}");
    }
    assert!(
        !paths.iter().any(|p| p.starts_with("incidents/20")),
        "{paths:?}"
    );
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("compass") || p.contains("billing")),
        "{paths:?}"
    );
    // The team's repositories, busiest first.
    let code: Vec<&str> = p["code"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["repo"].as_str().unwrap())
        .collect();
    assert_eq!(code.len(), 2, "{code:?}");
    assert!(code.contains(&"tidewater/harbor-gateway") && code.contains(&"tidewater/harbor-auth"));
    // People: her manager, an on-call buddy, teammates, code owners — each with a reason.
    let people = p["people"].as_array().unwrap();
    assert!(people.len() >= 3, "{p}");
    assert_eq!(people[0]["name"], "Maya Okafor");
    assert!(
        people
            .iter()
            .all(|m| !m["reason"].as_str().unwrap().is_empty())
    );
    assert!(people.iter().any(|m| {
        m["roles"]
            .as_array()
            .unwrap()
            .contains(&"on_call_buddy".into())
    }));
    assert!(people.iter().all(|m| m["name"] != "Inês Duarte"));
    // First tickets: the three starters, small, unassigned, unblocked, in the next sprint.
    let tickets = p["tickets"].as_array().unwrap();
    assert!(tickets.len() >= 3, "{p}");
    for t in &tickets[..3] {
        let why = t["reason"].as_str().unwrap();
        assert!(
            why.contains("labelled good-first-issue") && why.contains("unassigned"),
            "{why}"
        );
        assert!(why.contains("nothing blocks it"), "{why}");
        assert!(t["points"].as_f64().unwrap() <= 2.0);
    }
    // A shadow shift once she has a week in the team.
    let shadow = &p["shadow"];
    assert!(
        shadow["start"].as_str().unwrap() >= "2026-11-13",
        "{shadow}"
    );
    // Progress: her first pull request, linked, inside her two weeks; no tenth merged yet.
    let ms = p["progress"]["milestones"].as_array().unwrap();
    let get = |k: &str| ms.iter().find(|m| m["kind"] == k).unwrap();
    let opened = get("first_pr_opened");
    assert!(
        opened["url"].as_str().unwrap().contains("/pull/"),
        "{opened}"
    );
    let day = opened["days"].as_f64().unwrap();
    assert!((0.0..14.0).contains(&day), "{opened}");
    assert!(get("first_commit")["days"].as_f64().unwrap() <= day);
    assert!(get("tenth_pr_merged")["at"].is_null());
    assert!(p["progress"]["prs_opened"].as_u64().unwrap() >= 2);

    // The human view says the same, section by section.
    let text = ok(dir, &["--as-of", AS_OF, "onboard", "Inês Duarte"]);
    for part in [
        "Week 1: read",
        "Code to know",
        "People to meet",
        "First tickets",
        "On-call shadow",
        "first pull request opened",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    // Someone who is not in a team has no plan, said plainly.
    let out = crate::support::run(dir, &["--as-of", AS_OF, "onboard", "dependabot"]);
    assert!(!out.status.success());
}
