//! A team on GitLab and Linear gets the numbers a team on GitHub and Jira gets. The generator's
//! one world is synced twice through the real connectors and fakes over HTTP: as the demo does
//! (GitHub, Jira, PagerDuty, local git) and with GitLab and Linear in place of GitHub and Jira.
//! Every team's DORA keys over the last six weeks (deployments, each one's changes and lead
//! times, change failures, recovery) and the health of each of its dated sprints must come out
//! the same — the GitHub side being checked against the generator elsewhere
//! (`crates/cli/tests/cli/metrics.rs`) — and identity must link everyone's GitLab and Linear
//! accounts. Two differences are the tools', not Bosun's: Linear has no impediment flag, and
//! its upcoming cycles have dates where a future Jira sprint may have none.

#[path = "support/demo.rs"]
mod demo_support;

use bosun_app::demo;
use bosun_app::{App, Paths};
use bosun_core::clock::FixedClock;
use bosun_core::model::Provider;
use bosun_core::time::{DAY, to_ts};
use bosun_fakes::ServeOptions;
use bosun_metrics::dora::{self, Bots, DoraOptions, Scope};
use bosun_metrics::sprint;
use bosun_store::sync_state::{self, NewSource};
use std::sync::Arc;

#[test]
fn gitlab_and_linear_give_every_team_the_numbers_github_and_jira_give() {
    let a = tempfile::tempdir().unwrap();
    let (github, as_of) = demo_support::synced_demo(a.path());
    let world = Arc::new(demo_support::world(as_of));

    let b = tempfile::tempdir().unwrap();
    let mut app = App::new(Paths::in_dir(b.path()), Arc::new(FixedClock(as_of))).unwrap();
    // The demo's configuration, each team's board being its Linear team's key.
    let mut config = demo::config_toml(&world.org, world.as_of);
    for t in &world.org.teams {
        config = config.replace(
            &format!("boards = [\"{}\"]", t.board_id),
            &format!("boards = [\"{}\"]", bosun_fakes::linear::team_key(&t.key)),
        );
    }
    std::fs::create_dir_all(app.paths.config_file.parent().unwrap()).unwrap();
    std::fs::write(&app.paths.config_file, config).unwrap();
    app.reload_config().unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    let outcomes = rt.block_on(async {
        let opts = ServeOptions::default();
        let gitlab = bosun_fakes::start_gitlab(world.clone(), &opts)
            .await
            .unwrap();
        let linear = bosun_fakes::start_linear(world.clone(), &opts)
            .await
            .unwrap();
        let pagerduty = bosun_fakes::start_pagerduty(world.clone(), &opts)
            .await
            .unwrap();
        let sources = [
            (
                Provider::Gitlab,
                "gitlab",
                &gitlab.base_url,
                serde_json::json!({"group": world.org.company.github_org}),
            ),
            (
                Provider::Linear,
                "linear",
                &linear.base_url,
                serde_json::json!({}),
            ),
            (
                Provider::Pagerduty,
                "pagerduty",
                &pagerduty.base_url,
                serde_json::json!({}),
            ),
        ];
        let mut store = app.store().unwrap();
        store
            .write(|tx| {
                for (kind, name, url, settings) in &sources {
                    sync_state::put_source(
                        tx,
                        &NewSource {
                            kind: *kind,
                            name,
                            base_url: Some(url),
                            settings: settings.clone(),
                            demo: true,
                        },
                        0,
                    )?;
                }
                Ok(())
            })
            .unwrap();
        demo::write_local_repos(&app, &world).unwrap();
        app.sync_many(&[], Arc::new(bosun_connectors::NullSink))
            .await
            .unwrap()
    });
    for o in &outcomes {
        assert!(o.ok, "{}: {:?}", o.source, o.error);
    }

    // Identity links everyone's GitLab and Linear accounts to the person (by name and email,
    // no handle configured), and no GitLab or Linear account of a person is left unmatched.
    let people = app.people().unwrap();
    for person in &world.org.people {
        let p = people
            .people
            .iter()
            .find(|p| p.email.as_deref() == Some(person.email.as_str()))
            .unwrap_or_else(|| panic!("{} is not a person", person.name));
        for provider in ["gitlab", "linear"] {
            assert!(
                p.accounts.iter().any(|a| a.provider == provider),
                "{} has no {provider} account: {:?}",
                person.name,
                p.accounts
            );
        }
    }
    let strays: Vec<_> = people
        .unmatched
        .iter()
        .filter(|a| matches!(a.provider.as_str(), "gitlab" | "linear"))
        .filter(|a| !a.login.as_deref().is_some_and(|l| l.contains("bot")))
        .collect();
    assert!(strays.is_empty(), "unmatched: {strays:?}");

    let (gh, gl) = (github.dataset().unwrap(), app.dataset().unwrap());
    let opts = DoraOptions::default();
    let (gh_analysis, gl_analysis) = (dora::analyse(&gh, &opts), dora::analyse(&gl, &opts));
    let until = to_ts(as_of);
    let (mut deployments, mut sprints) = (0, 0);
    for t in &world.org.teams {
        let scope = Scope {
            since: until - 42 * DAY,
            until,
            team: Some(t.key.clone()),
            repo: None,
        };
        let want = dora::dora_with(&gh, &gh_analysis, &scope, Bots::Count);
        let got = dora::dora_with(&gl, &gl_analysis, &scope, Bots::Count);
        assert!(want.deployments > 0, "{}: no deployments to compare", t.key);
        deployments += got.deployments;
        let (g, w) = (keys(&got), keys(&want));
        for (k, v) in &w {
            let near: Vec<(&String, &serde_json::Value)> = g
                .iter()
                .filter(|(gk, _)| gk.get(..52) == k.get(..52))
                .collect();
            assert_eq!(
                g.get(k),
                Some(v),
                "team {}: {k} on GitLab differs from GitHub; GitLab has {near:?}",
                t.key
            );
        }

        // Every sprint of the team, by name: on Jira a board's, on Linear a team's cycles.
        let names: Vec<&str> = gh
            .sprints
            .iter()
            .filter(|s| s.team.as_deref() == Some(t.key.as_str()))
            .map(|s| s.name.as_str())
            .collect();
        assert!(names.len() >= 3, "team {}: {} sprints", t.key, names.len());
        for name in names {
            let pick = |d| bosun_app::metrics::choose_sprint(d, Some(name), Some(&t.key), until);
            let (js, ls) = (pick(&gh).unwrap(), pick(&gl).unwrap());
            let health = |d, s| {
                let h = sprint::sprint_health(d, s, until, &sprint::SprintOptions::default());
                let mut v = serde_json::to_value(&h).unwrap();
                // Tickets are keyed by each tool's own keys (TIDE-12 / HAR-12) and sprints by
                // their own ids: compare what the keys stand for.
                strip_keys(&mut v);
                v
            };
            let (want, got) = (health(&gh, js), health(&gl, ls));
            // A future Jira sprint without dates has no health; Linear's upcoming cycles always
            // have dates, and so a plan.
            if want.is_null() {
                continue;
            }
            sprints += 1;
            assert_eq!(
                got, want,
                "team {}: sprint {name}'s health on Linear differs from Jira",
                t.key
            );
        }
    }
    assert!(deployments > 20, "only {deployments} deployments compared");
    assert!(sprints >= 9, "only {sprints} sprints compared");
}

/// DORA's keys as the two stores can agree on them (store ids differ): the counts, rates,
/// distributions and weeks, and each deployment's commit, time, changes and lead times.
fn keys(d: &dora::Dora) -> std::collections::BTreeMap<String, serde_json::Value> {
    let v = serde_json::to_value(d).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for k in [
        "deployments",
        "change_failure_rate",
        "lead_time_seconds",
        "recovery_time_seconds",
        "rework_rate",
        "weekly",
        "level",
    ] {
        out.insert(k.to_string(), v[k].clone());
    }
    for e in v["evidence"].as_array().unwrap() {
        let mut changes: Vec<String> = e["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| format!("{} {} {}", c["sha"], c["lead_time_secs"], c["bot"]))
            .collect();
        // Each tool lists a pull request's commits in its own order.
        changes.sort();
        let failures: Vec<String> = e["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}", f["kind"], f["minutes_after"]))
            .collect();
        out.insert(
            format!("deployment {} at {}", e["sha"], e["at"]),
            serde_json::json!({"changes": changes, "failures": failures, "recovery": e["recovery_secs"], "unplanned": e["unplanned"]}),
        );
    }
    out
}

/// Replace ticket keys (`ABC-123` → `-123`) and drop ids, so that the same tickets under two
/// tools' keys compare equal.
fn strip_keys(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            // A key alone, or in a sentence ("blocked by TIDE-132").
            let words: Vec<String> = s
                .split(' ')
                .map(|w| match w.split_once('-') {
                    Some((head, n))
                        if !head.is_empty()
                            && head
                                .chars()
                                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                            && !n.is_empty()
                            && n.chars().all(|c| c.is_ascii_digit()) =>
                    {
                        format!("-{n}")
                    }
                    _ => w.to_string(),
                })
                .collect();
            // Linear has no impediment flag: the one thing Jira's side can say more.
            *s = words.join(" ").replace("; flagged as an impediment", "");
        }
        serde_json::Value::Array(a) => {
            a.iter_mut().for_each(strip_keys);
            // Lists of tickets come in each store's order: compare them as sets.
            if a.iter().all(|x| x.get("key").is_some()) {
                a.sort_by_key(|x| x.to_string());
            }
        }
        serde_json::Value::Object(o) => {
            for k in [
                "id",
                "external_id",
                "sprint_id",
                "board_id",
                "html_url",
                "url",
            ] {
                o.remove(k);
            }
            o.values_mut().for_each(strip_keys);
        }
        _ => {}
    }
}
