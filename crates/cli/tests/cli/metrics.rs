//! `bosun metrics` on the synced demo organisation: every metric non-trivial and explained, and the
//! DORA evidence matching what the generator actually did (which deployments it made bad, which it
//! made to fix them).

use crate::support::{AS_OF, json, ok, run};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const SINCE: &str = "2026-05-21";

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

/// What the generator did, from the same seed, months and as-of as `demo sync`.
struct Truth {
    /// deployment external id → reason (release, hotfix, revert, rollback, retry)
    reasons: BTreeMap<String, String>,
    /// external ids of the deployments the generator made bad
    bad: BTreeSet<String>,
    /// incidents a bad deployment caused (external id)
    caused: BTreeSet<String>,
}

fn truth() -> Truth {
    let as_of = chrono::DateTime::parse_from_rfc3339(AS_OF)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let world = bosun_app::demo::world(bosun_app::demo::DemoOptions::default(), as_of).unwrap();
    let mut t = Truth {
        reasons: BTreeMap::new(),
        bad: BTreeSet::new(),
        caused: BTreeSet::new(),
    };
    for repo in &world.repos {
        for d in &repo.deployments {
            t.reasons.insert(d.id.to_string(), d.reason.clone());
        }
    }
    // The mobile app's release tags: a hotfix tag means the release before it crashed.
    for repo in &world.local_repos {
        let mut tags: Vec<_> = repo.tags.iter().collect();
        tags.sort_by_key(|t| t.tagger.at);
        for (i, tag) in tags.iter().enumerate() {
            let hotfix = tag.message.starts_with("Hotfix");
            t.reasons.insert(
                tag.name.clone(),
                if hotfix { "hotfix" } else { "release" }.to_string(),
            );
            if hotfix && i > 0 {
                t.bad.insert(tags[i - 1].name.clone());
            }
        }
    }
    for i in &world.incidents {
        if let Some((_, dep)) = i.caused_by {
            t.bad.insert(dep.to_string());
            t.caused.insert(i.id.clone());
        }
    }
    t
}

#[test]
fn metrics_on_the_demo_are_non_trivial_explained_and_match_what_the_generator_did() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["--as-of", AS_OF, "demo", "sync"]);
    let m = |args: &[&str]| -> Value {
        let mut all = vec!["--as-of", AS_OF, "--json", "metrics"];
        all.extend_from_slice(args);
        json(d, &all)
    };

    // DORA: the contract's fields, sensible values.
    let dora = m(&["dora", "--since", SINCE]);
    let deployments = int(&dora["deployments"]);
    assert!(
        (200..2000).contains(&deployments),
        "{deployments} deployments in 6 months"
    );
    let weeks = (int(&dora["until"]) - int(&dora["since"])) as f64 / 604_800.0;
    assert!(
        (num(&dora["deployment_frequency_per_week"]) - deployments as f64 / weeks).abs() < 1e-9
    );
    let days = num(&dora["deployment_days_per_week"]);
    assert!(days > 3.0 && days <= 7.0, "{days} deployment days per week");
    let lead = &dora["lead_time_seconds"];
    assert!(int(&lead["n"]) > 1000, "{lead}");
    let (median, p75, p90) = (num(&lead["median"]), num(&lead["p75"]), num(&lead["p90"]));
    assert!(3600.0 < median && median <= p75 && p75 <= p90, "{lead}");
    let cfr = &dora["change_failure_rate"];
    let (failed, total) = (int(&cfr["failed"]), int(&cfr["total"]));
    assert_eq!(total, deployments);
    assert!(failed > 10 && failed < total / 3, "{cfr}");
    assert!((num(&cfr["value"]) - failed as f64 / total as f64).abs() < 1e-12);
    let recovery = &dora["recovery_time_seconds"];
    assert_eq!(
        int(&recovery["n"]) + dora["unrecovered"].as_array().unwrap().len() as i64,
        failed
    );
    assert!(num(&recovery["median"]) > 0.0);
    let rework = &dora["rework_rate"];
    assert!(
        int(&rework["unplanned"]) > 5 && int(&rework["total"]) == deployments,
        "{rework}"
    );
    assert_eq!(dora["level"]["year"], 2024);
    for key in [
        "deployment_frequency",
        "lead_time",
        "change_failure_rate",
        "recovery_time",
        "overall",
    ] {
        assert!(
            dora["level"][key].is_string(),
            "level.{key}: {}",
            dora["level"]
        );
    }
    assert!(dora["quick_check"]["lead_time"].is_string());
    let weekly = dora["weekly"].as_array().unwrap();
    assert!(weekly.len() >= 26);
    assert_eq!(
        weekly.iter().map(|w| int(&w["deployments"])).sum::<i64>(),
        deployments
    );
    assert!(
        dora["warnings"].as_array().unwrap().is_empty(),
        "{}",
        dora["warnings"]
    );

    // The evidence is what the generator did.
    let t = truth();
    let evidence = dora["evidence"].as_array().unwrap();
    assert_eq!(evidence.len() as i64, deployments);
    let mut failed_seen = 0;
    for r in evidence {
        let ext = r["external_id"].as_str().unwrap();
        let reason = t
            .reasons
            .get(ext)
            .unwrap_or_else(|| panic!("deployment {ext} is not one the generator made"));
        let failures = r["failures"].as_array().unwrap();
        if t.bad.contains(ext) {
            assert!(
                !failures.is_empty(),
                "bad deployment {ext} is not counted as failed: {r}"
            );
        }
        if !failures.is_empty() {
            failed_seen += 1;
            if !t.bad.contains(ext) {
                // Only the window rule may blame a good deployment, and only for an incident the
                // generator did not cause by a deploy (an incident is an incident).
                for f in failures {
                    assert_eq!(
                        f["kind"], "incident_after",
                        "good deployment {ext} failed: {r}"
                    );
                    assert!(
                        !t.caused.contains(f["incident_ref"].as_str().unwrap()),
                        "{r}"
                    );
                }
            }
        }
        let unplanned = r["unplanned"].as_str();
        match reason.as_str() {
            "hotfix" | "revert" | "rollback" => {
                assert_eq!(unplanned, Some(reason.as_str()), "deployment {ext}: {r}")
            }
            _ => assert!(
                matches!(unplanned, None | Some("incident_fix")),
                "{ext} ({reason}) is not rework: {r}"
            ),
        }
        for c in r["changes"].as_array().unwrap() {
            assert!(int(&c["lead_time_secs"]) >= 0, "{c}");
        }
    }
    assert_eq!(failed_seen, failed);
    let bad_in_window = evidence
        .iter()
        .filter(|r| t.bad.contains(r["external_id"].as_str().unwrap()))
        .count();
    assert!(
        bad_in_window > 10,
        "{bad_in_window} bad deployments in the window"
    );

    // Scopes partition: every team's deployments add up to the whole.
    let teams: i64 = ["harbor", "compass", "lighthouse"]
        .iter()
        .map(|team| {
            let v = m(&["dora", "--since", SINCE, "--team", team]);
            assert!(int(&v["deployments"]) > 0, "team {team}");
            int(&v["deployments"])
        })
        .sum();
    let local = m(&["dora", "--since", SINCE, "--repo", "lighthouse-mobile"]);
    assert_eq!(
        teams, deployments,
        "team scopes partition the deployments (local repo: {})",
        local["deployments"]
    );

    // PRs, flow and sprint: non-trivial, with their records.
    let prs = m(&["prs", "--since", SINCE]);
    let merged = int(&prs["merged"]);
    assert!(merged > 300, "{merged} merged");
    assert_eq!(prs["evidence"].as_array().unwrap().len() as i64, merged);
    for stage in [
        "coding_seconds",
        "pickup_seconds",
        "review_seconds",
        "deploy_seconds",
        "cycle_seconds",
    ] {
        assert!(int(&prs[stage]["n"]) > 100, "{stage}: {}", prs[stage]);
        assert!(num(&prs[stage]["median"]) > 0.0, "{stage}: {}", prs[stage]);
    }
    assert_eq!(
        prs["sizes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| int(&s["count"]))
            .sum::<i64>(),
        merged
    );
    assert!(prs["review_load"].as_array().unwrap().len() >= 10);

    let flow = m(&["flow", "--since", SINCE]);
    assert!(int(&flow["finished"]) > 100, "{}", flow["finished"]);
    let eff = num(&flow["flow_efficiency"]);
    assert!(eff > 0.0 && eff < 1.0, "{eff}");
    assert!(int(&flow["load"]) > 0);
    assert!(!flow["aging"].as_array().unwrap().is_empty());
    assert_eq!(
        flow["evidence"].as_array().unwrap().len() as i64,
        int(&flow["finished"])
    );

    let sprint = m(&["sprint", "--team", "compass"]);
    assert!(!sprint["committed"].as_array().unwrap().is_empty());
    let p = num(&sprint["forecast"]["probability"]);
    assert!((0.0..=1.0).contains(&p));
    assert_eq!(int(&sprint["forecast"]["runs"]), 10_000);
    assert_eq!(
        m(&["sprint", "--team", "compass"]),
        sprint,
        "the forecast is seeded"
    );

    // --explain lists the records; --chart writes an SVG.
    let text = ok(
        d,
        &[
            "--as-of",
            AS_OF,
            "metrics",
            "dora",
            "--since",
            SINCE,
            "--explain",
        ],
    );
    let some_bad = evidence
        .iter()
        .find(|r| t.bad.contains(r["external_id"].as_str().unwrap()))
        .unwrap();
    assert!(
        text.contains(some_bad["external_id"].as_str().unwrap()),
        "the failed deployment is listed"
    );
    assert!(text.contains("FAILED: incident"), "with its evidence");
    assert!(text.contains("lead time"));
    let svg = d.join("dora.svg");
    ok(
        d,
        &[
            "--as-of",
            AS_OF,
            "metrics",
            "dora",
            "--since",
            SINCE,
            "--chart",
            svg.to_str().unwrap(),
        ],
    );
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("deployments per week"),
        "{}",
        &svg[..svg.len().min(300)]
    );
    let lead = std::fs::read_to_string(d.join("dora-lead-time.svg")).unwrap();
    assert!(lead.contains("Lead time for changes"));
    for (metric, title) in [
        ("prs", "PR cycle time by stage"),
        ("flow", "Cumulative flow"),
    ] {
        let path = d.join(format!("{metric}.svg"));
        ok(
            d,
            &[
                "--as-of",
                AS_OF,
                "metrics",
                metric,
                "--chart",
                path.to_str().unwrap(),
            ],
        );
        assert!(
            std::fs::read_to_string(path).unwrap().contains(title),
            "{metric}"
        );
    }
    let path = d.join("burndown.svg");
    ok(
        d,
        &[
            "--as-of",
            AS_OF,
            "metrics",
            "sprint",
            "--team",
            "compass",
            "--chart",
            path.to_str().unwrap(),
        ],
    );
    assert!(
        std::fs::read_to_string(path)
            .unwrap()
            .contains("Sprint burndown")
    );
    let text = ok(d, &["--as-of", AS_OF, "metrics", "prs", "--explain"]);
    assert!(
        text.contains("tidewater/") && text.contains("first reviewer"),
        "{}",
        &text[..text.len().min(2000)]
    );

    // Investment balance (issue 20.2): each team's months sum to its finished tickets — the same
    // count as flow's over the same window — every ticket counted once, the demo's postmortem
    // follow-ups as unplanned.
    let inv = m(&["investment", "--months", "6"]);
    assert_eq!(inv["since"], "2026-06-01T00:00:00Z");
    let months = inv["months"].as_array().unwrap();
    assert!(months.len() >= 18, "6 months × 3 teams: {}", months.len());
    let mut keys = BTreeSet::new();
    let mut unplanned = 0;
    for mo in months {
        let shares: i64 = mo["shares"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| int(&s["items"]))
            .sum();
        assert_eq!(shares, int(&mo["items"]), "{}", mo["month"]);
        assert_eq!(mo["tickets"].as_array().unwrap().len() as i64, shares);
        for t in mo["tickets"].as_array().unwrap() {
            assert!(
                keys.insert(t["key"].as_str().unwrap().to_string()),
                "{t} twice"
            );
            if t["category"] == "unplanned" {
                unplanned += 1;
                assert!(
                    t["unplanned_because"]
                        .as_str()
                        .unwrap()
                        .starts_with("incident follow-up"),
                    "{t}"
                );
            }
        }
    }
    assert!(
        unplanned > 0,
        "the demo's postmortem follow-ups count as unplanned"
    );
    for team in ["compass", "harbor", "lighthouse"] {
        let total: i64 = months
            .iter()
            .filter(|mo| mo["team"] == team)
            .map(|mo| int(&mo["items"]))
            .sum();
        let flow = m(&["flow", "--team", team, "--since", "2026-06-01T00:00:00Z"]);
        assert_eq!(total, int(&flow["finished"]), "{team}");
    }
}

#[test]
fn bad_metric_arguments_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (args, expect) in [
        (&["metrics", "dora", "--team", "nosuch"][..], "no team"),
        (
            &[
                "metrics",
                "dora",
                "--since",
                "2026-02-01",
                "--until",
                "2026-01-01",
            ][..],
            "--since must be before --until",
        ),
        (
            &["metrics", "dora", "--since", "yesterday-ish"][..],
            "expected RFC 3339",
        ),
        (
            &[
                "metrics",
                "dora",
                "--git",
                "/nonexistent/repo",
                "--release-tags",
                "^v",
            ][..],
            "/nonexistent/repo",
        ),
        (
            &["metrics", "dora", "--git", ".", "--release-tags", "("][..],
            "--release-tags",
        ),
    ] {
        let out = run(d, args);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{args:?}: {err}");
    }
}
