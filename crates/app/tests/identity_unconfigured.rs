//! Nobody is dropped for being unconfigured: a GitHub-only organisation synced with no people in
//! the config gives exactly the pull request metrics (cycle times, who reviewed what, review
//! counts) that the same data gives once every person is configured.
//!
//! The regression it pins: an account that identity matched to no configured person had no
//! person, so its reviews counted for nobody and a reviewed, approved PR came out as "merged
//! without review".

use bosun_app::demo::{self, DemoOptions, GITHUB_SOURCE};
use bosun_app::{App, Paths};
use bosun_connectors::github::GithubSettings;
use bosun_core::clock::FixedClock;
use bosun_metrics::dora::{self, DoraOptions, Scope};
use bosun_metrics::prs;
use bosun_metrics::stats::Summary;
use bosun_store::sync_state::{self, NewSource};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const AS_OF: &str = "2026-11-20T09:00:00Z";

/// What a manager reads off the PR metrics, with people named by their GitHub logins (person ids
/// differ between the two identity set-ups; the logins do not).
#[derive(Debug, PartialEq)]
struct Seen {
    merged: usize,
    merged_without_review: usize,
    stages: Vec<Summary>,
    /// (repository, number) → who wrote it, who reviewed it first, and when.
    prs: BTreeMap<(i64, i64), PrSeen>,
    /// Reviewer → reviews given in the window.
    review_load: BTreeMap<String, usize>,
}

#[derive(Debug, PartialEq)]
struct PrSeen {
    author: Option<String>,
    first_reviewer: Option<String>,
    pickup_secs: Option<i64>,
}

fn seen(app: &App, since: i64, until: i64) -> Seen {
    let store = app.store().unwrap();
    let mut logins: HashMap<i64, Vec<String>> = HashMap::new();
    let mut stmt = store
        .conn()
        .prepare("SELECT person_id, login FROM accounts WHERE provider = 'github' AND person_id IS NOT NULL ORDER BY login")
        .unwrap();
    for row in stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
    {
        let (person, login) = row.unwrap();
        logins.entry(person).or_default().push(login);
    }
    let name = |p: Option<i64>| {
        p.map(|p| {
            logins
                .get(&p)
                .map_or(format!("person {p}"), |l| l.join("+"))
        })
    };
    let data = app.dataset().unwrap();
    let analysis = dora::analyse(&data, &DoraOptions::default());
    let scope = Scope {
        since,
        until,
        team: None,
        repo: None,
    };
    let m = prs::pr_metrics(&data, &analysis, &scope);
    Seen {
        merged: m.merged,
        merged_without_review: m.merged_without_review,
        stages: vec![
            m.coding_seconds,
            m.pickup_seconds,
            m.review_seconds,
            m.deploy_seconds,
            m.cycle_seconds,
        ],
        prs: m
            .evidence
            .iter()
            .map(|r| {
                (
                    (r.repo, r.number),
                    PrSeen {
                        author: name(r.author),
                        first_reviewer: name(r.first_reviewer),
                        pickup_secs: r.pickup_secs,
                    },
                )
            })
            .collect(),
        review_load: m
            .review_load
            .iter()
            .filter(|l| l.reviews > 0)
            .map(|l| (name(Some(l.person)).unwrap(), l.reviews))
            .collect(),
    }
}

#[test]
fn a_github_only_organisation_without_people_keeps_its_reviews() {
    let as_of = chrono::DateTime::parse_from_rfc3339(AS_OF)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::new(Paths::in_dir(dir.path()), Arc::new(FixedClock(as_of))).unwrap();
    assert!(app.config.people.is_empty() && app.config.teams.is_empty());
    let world = Arc::new(
        demo::world(
            DemoOptions {
                months: 2,
                ..Default::default()
            },
            as_of,
        )
        .unwrap(),
    );
    // Only GitHub, through the real connector against the fake GitHub; no config at all.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let providers = demo::start(world.clone(), 0).await.unwrap();
        let mut store = app.store().unwrap();
        store
            .write(|tx| {
                sync_state::put_source(
                    tx,
                    &NewSource {
                        kind: bosun_core::model::Provider::Github,
                        name: GITHUB_SOURCE,
                        base_url: Some(&providers.github.base_url),
                        settings: serde_json::to_value(GithubSettings {
                            owner: world.org.company.github_org.clone(),
                            ..Default::default()
                        })
                        .unwrap(),
                        demo: true,
                    },
                    app.now(),
                )?;
                Ok(())
            })
            .unwrap();
        drop(store);
        let outcomes = app
            .sync_many(&[GITHUB_SOURCE], Arc::new(bosun_connectors::NullSink))
            .await
            .unwrap();
        assert!(outcomes.iter().all(|o| o.ok), "{outcomes:?}");
        providers.shutdown().await;
    });
    let until = as_of.timestamp();
    let since = until - 60 * 86_400;
    let unconfigured = seen(&app, since, until);
    assert!(unconfigured.merged > 50, "{}", unconfigured.merged);
    // Most demo PRs are reviewed: the reviews of unconfigured accounts count.
    assert!(
        unconfigured.merged_without_review * 4 < unconfigured.merged,
        "{} of {} merged without review",
        unconfigured.merged_without_review,
        unconfigured.merged
    );
    let people = app.people().unwrap();
    assert!(
        !people.unmatched.is_empty(),
        "unconfigured accounts are listed for review"
    );
    assert!(
        people
            .unmatched
            .iter()
            .all(|a| a.match_method.as_deref() == Some("unmatched")),
        "{:?}",
        people.unmatched
    );

    // The same data, with every person of the organisation configured by hand.
    let mut config = demo::config_toml(&world.org, world.as_of);
    for p in &world.org.people {
        let accounts: Vec<String> = std::iter::once(&p.github)
            .chain(&p.extra_github)
            .map(|l| format!("\"github:{l}\""))
            .chain(std::iter::once(format!("{:?}", p.email)))
            .collect();
        config.push_str(&format!(
            "\n[[people]]\nname = {:?}\naccounts = [{}]\n",
            p.name,
            accounts.join(", ")
        ));
    }
    std::fs::write(&app.paths.config_file, config).unwrap();
    app.reload_config().unwrap();
    app.resolve_identity().unwrap();
    let configured = seen(&app, since, until);
    assert_eq!(unconfigured, configured);
}
