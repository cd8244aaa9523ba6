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
    assert_eq!(joiners[0]["key"], "ines-duarte");
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
    // Each with its most-changed folders, counted from the files of its merged pull requests
    // (GitHub's /pulls/{n}/files), named in its reason.
    for c in p["code"].as_array().unwrap() {
        assert_eq!(c["busiest_from"], "merged_pull_requests", "{c}");
        let busiest = c["busiest"].as_array().unwrap();
        assert!(!busiest.is_empty() && busiest.len() <= 3, "{c}");
        let first = busiest[0].as_str().unwrap();
        assert!(
            c["reason"]
                .as_str()
                .unwrap()
                .contains(&format!("most changed: {first}")),
            "{c}"
        );
    }
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
    // A join date kept by the manager: Tomás, set as joined on 1 September, is a joiner too, and
    // the earlier joiner Inês's progress is compared with (his firsts since that day).
    ok(
        dir,
        &[
            "--as-of",
            AS_OF,
            "onboard",
            "Tomás Ruiz",
            "--joined",
            "2026-09-01",
        ],
    );
    let list = json(dir, &["--as-of", AS_OF, "--json", "onboard"]);
    let names: Vec<&str> = list["joiners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Inês Duarte", "Tomás Ruiz"]);
    assert_eq!(list["joiners"][1]["joined_from"], "app");
    let p = json(dir, &["--as-of", AS_OF, "--json", "onboard", "ines"]);
    assert_eq!(
        p["progress"]["earlier_joiners"],
        serde_json::json!(["Tomás Ruiz"])
    );
    let opened = p["progress"]["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "first_pr_opened")
        .unwrap()
        .clone();
    let norm = opened["team_norm_days"]
        .as_f64()
        .expect("a norm from the earlier joiner");
    assert!(norm >= 0.0, "{opened}");
    let audit = ok(dir, &["--as-of", AS_OF, "audit", "log"]);
    assert!(audit.contains("onboard.joined"), "{audit}");
    // A date to come is refused.
    assert!(
        !crate::support::run(
            dir,
            &[
                "--as-of",
                AS_OF,
                "onboard",
                "ines",
                "--joined",
                "2027-01-01"
            ]
        )
        .status
        .success()
    );

    // Join dates in the configuration: Priya's is taken; someone not synced yet is no error.
    let cfg = dir.join("config.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("\n[onboarding]\njoined = { \"priya.natarajan@tidewater.dev\" = 2026-10-01, \"new.person@example.com\" = 2026-11-16 }\n");
    std::fs::write(&cfg, text).unwrap();
    let list = json(dir, &["--as-of", AS_OF, "--json", "onboard"]);
    let joiners = list["joiners"].as_array().unwrap();
    let names: Vec<&str> = joiners
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Inês Duarte", "Priya Natarajan", "Tomás Ruiz"],
        "{list}"
    );
    assert_eq!(joiners[1]["joined"], "2026-10-01");
    assert_eq!(joiners[1]["joined_from"], "config");

    // A joiner of Lighthouse, whose mobile repository Bosun reads only from a local clone: its
    // most-changed folders come from the main line's commits.
    ok(
        dir,
        &[
            "--as-of",
            AS_OF,
            "onboard",
            "Amara Nwosu",
            "--joined",
            "2026-11-10",
        ],
    );
    let p = json(dir, &["--as-of", AS_OF, "--json", "onboard", "Amara Nwosu"]);
    let mobile = p["code"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["repo"].as_str().unwrap().ends_with("lighthouse-mobile"))
        .unwrap_or_else(|| panic!("{p}"));
    assert_eq!(mobile["busiest_from"], "commits", "{mobile}");
    assert_eq!(mobile["busiest"][0], "shared/src/", "{mobile}");
    assert!(
        mobile["reason"]
            .as_str()
            .unwrap()
            .contains("commits on its main line"),
        "{mobile}"
    );

    // Someone who is not in a team has no plan, said plainly.
    let out = crate::support::run(dir, &["--as-of", AS_OF, "onboard", "dependabot"]);
    assert!(!out.status.success());
}

/// Doc drift on the demo: the handbook's set-up guide names seven things the mobile repository
/// renamed or removed (`bosun_demo::drift::PLANTED`), beside names it still has. Exactly one
/// `stale_doc` signal, on that document, with exactly the planted references at their lines
/// and the commits as evidence — precision and recall 1 over the whole handbook — and a ticket
/// draft for the person who made the change, which approving sends once.
#[test]
fn stale_docs_are_found_exactly_with_their_commits_and_a_fix_ticket() {
    use bosun_demo::drift::{DOC, PLANTED, STILL_THERE};
    let d = synced_with_docs();
    let dir = d.path();
    let v = json(dir, &["--as-of", AS_OF, "--json", "signals"]);
    let stale: Vec<&serde_json::Value> = v["signals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "stale_doc")
        .collect();
    assert_eq!(stale.len(), 1, "{stale:#?}");
    let s = stale[0];
    assert_eq!(s["subject_ref"], format!("docs/{DOC}"));
    assert_eq!(s["team"], "lighthouse");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../demo/docs")
            .join(DOC),
    )
    .unwrap();
    // The planted names stand in the guide's mobile section, each on one line.
    let section = text
        .lines()
        .position(|l| l.starts_with("## The mobile app"))
        .unwrap();
    let line_of = |name: &str| {
        1 + section
            + text
                .lines()
                .skip(section)
                .position(|l| l.contains(name))
                .unwrap()
    };
    let evidence = s["evidence"].as_array().unwrap();
    let lines: Vec<(String, String)> = evidence
        .iter()
        .filter(|e| e["kind"] == "doc_line")
        .map(|e| {
            (
                e["ref"].as_str().unwrap().to_string(),
                e["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut want: Vec<(String, String)> = PLANTED
        .iter()
        .map(|(name, _, _)| (format!("{DOC}:{}", line_of(name)), format!("`{name}`")))
        .collect();
    let mut got = lines.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want, "precision and recall 1");
    for kept in STILL_THERE {
        assert!(
            !lines.iter().any(|(_, t)| t == &format!("`{kept}`")),
            "{kept} still exists"
        );
    }
    // Each stale line has its commit, renamed ones with the new name.
    let commits: Vec<&str> = evidence
        .iter()
        .filter(|e| e["kind"] == "commit")
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(commits.len(), PLANTED.len());
    for (name, _, to) in PLANTED {
        let c = commits
            .iter()
            .find(|c| c.contains(&format!("`{name}`")))
            .unwrap();
        match to {
            Some(to) => assert!(c.contains(&format!("renamed `{name}` to `{to}`")), "{c}"),
            None => assert!(c.contains(&format!("removed `{name}`")), "{c}"),
        }
    }
    // The suggested fix: a ticket in the team's project for the author of the latest change.
    let sug = &s["suggestion"];
    assert_eq!(sug["kind"], "ticket_create");
    assert!(sug["target"]["assignee"].is_i64(), "{sug}");
    assert!(
        sug["text"]
            .as_str()
            .unwrap()
            .contains("replace `scripts/bootstrap-ios.sh` with `scripts/setup-ios.sh`")
    );
    let actions = json(dir, &["--as-of", AS_OF, "--json", "actions", "list"]);
    let draft = actions["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "ticket_create" && a["summary"].as_str().unwrap().contains(DOC))
        .expect("the fix is drafted")
        .clone();
    assert_eq!(draft["status"], "draft");
    let id = draft["id"].as_i64().unwrap().to_string();
    let sent = json(
        dir,
        &["--as-of", AS_OF, "--json", "actions", "approve", &id],
    );
    assert_eq!(sent["action"]["status"], "sent", "{sent:#}");
    assert_eq!(sent["attempts"].as_array().unwrap().len(), 1);
}

/// The welcome message and the buddy introduction: drafted once each (a second `--draft`
/// drafts nothing), waiting for approval; the welcome, once approved, reaches the fake Slack's
/// team channel exactly once.
#[test]
fn the_welcome_draft_is_sent_once_when_approved() {
    let d = synced_with_docs();
    let dir = d.path();
    let drafts = json(
        dir,
        &["--as-of", AS_OF, "--json", "onboard", "ines", "--draft"],
    );
    assert_eq!(drafts["channel"], "harbor");
    let welcome = drafts["welcome"].as_i64().expect("a welcome draft");
    let buddy = drafts["buddy"].as_i64().expect("a buddy draft");
    assert!(drafts["buddy_name"].is_string());
    let again = json(
        dir,
        &["--as-of", AS_OF, "--json", "onboard", "ines", "--draft"],
    );
    assert!(
        again["welcome"].is_null() && again["buddy"].is_null(),
        "{again}"
    );
    let list = json(dir, &["--as-of", AS_OF, "--json", "actions", "list"]);
    let actions = list["actions"].as_array().unwrap();
    let of = |id: i64| actions.iter().find(|a| a["id"] == id).unwrap().clone();
    let w = of(welcome);
    assert_eq!(
        (w["kind"].as_str(), w["status"].as_str()),
        (Some("slack_message"), Some("draft"))
    );
    assert!(
        w["body"]
            .as_str()
            .unwrap()
            .starts_with("Please welcome Inês Duarte to Harbor!"),
        "{w}"
    );
    let b = of(buddy);
    assert_eq!(
        (b["kind"].as_str(), b["status"].as_str()),
        (Some("slack_dm"), Some("draft"))
    );
    assert!(b["body"].as_str().unwrap().contains("buddy"), "{b}");

    let key = w["idempotency_key"].as_str().unwrap().to_string();
    let sent = json(
        dir,
        &[
            "--as-of",
            AS_OF,
            "--json",
            "actions",
            "approve",
            &welcome.to_string(),
        ],
    );
    assert_eq!(sent["action"]["status"], "sent", "{sent:#}");
    let journal =
        std::fs::read_to_string(dir.join("demo-fakes").join("slack.jsonl")).unwrap_or_default();
    assert_eq!(
        journal.lines().filter(|l| l.contains(&key)).count(),
        1,
        "{journal}"
    );
    // Approving again sends nothing more.
    let _ = crate::support::run(
        dir,
        &["--as-of", AS_OF, "actions", "approve", &welcome.to_string()],
    );
    let journal =
        std::fs::read_to_string(dir.join("demo-fakes").join("slack.jsonl")).unwrap_or_default();
    assert_eq!(journal.lines().filter(|l| l.contains(&key)).count(), 1);
}
