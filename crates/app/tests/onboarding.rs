//! The first run, as a new user meets it: a token checked live, the organisation discovered and
//! proposed, the choices kept, and a first sync — against the fake GitHub in its demo shape
//! (teams, code owners, a token with read:org) and in its real-world shape (no teams, no code
//! owners, nameless users, bots, forks, archived and empty repositories, a token without
//! read:org).

use bosun_app::demo::{self, DemoOptions, FakesOptions, RealWorld};
use bosun_app::onboarding::{GithubSetup, Setup, TeamOrigin, TokenInput, proposed_org};
use bosun_app::{App, Paths};
use bosun_core::clock::FixedClock;
use std::sync::Arc;

const AS_OF: &str = "2026-11-20T09:00:00Z";

fn as_of() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(AS_OF)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

fn token() -> TokenInput {
    TokenInput {
        token: Some(demo::DEMO_TOKEN.to_string()),
        from_gh_cli: false,
    }
}

/// Whether a Secret Service answers (CI runs a private one; see `.ci/run`).
fn keychain() -> bool {
    std::env::var("BOSUN_TEST_KEYCHAIN").as_deref() == Ok("1")
}

#[test]
fn a_demo_shaped_organisation_is_proposed_from_githubs_teams() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(Paths::in_dir(dir.path()), Arc::new(FixedClock(as_of()))).unwrap();
    let world = Arc::new(
        demo::world(
            DemoOptions {
                months: 1,
                ..Default::default()
            },
            as_of(),
        )
        .unwrap(),
    );
    let org = world.org.company.github_org.clone();
    let me_login = world
        .org
        .person(&world.org.company.me)
        .unwrap()
        .github
        .clone();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let providers = demo::start_serving(world.clone(), &FakesOptions::default())
            .await
            .unwrap();
        let base = Some(providers.github.base_url.as_str());
        let check = app.check_github(base, &token()).await.unwrap();
        assert_eq!(check.login, me_login);
        let scopes = check.scopes.clone().unwrap();
        assert!(scopes.iter().any(|s| s == "read:org"), "{scopes:?}");
        assert!(check.missing.is_empty(), "{:?}", check.missing);
        assert!(check.rate_limit_limit.is_some_and(|l| l > 0));
        assert!(check.owners.iter().any(|o| o.login == org && !o.is_user));

        let d = app.discover_github(base, &token(), &org).await.unwrap();
        assert_eq!(d.repos.len(), world.repos.len());
        // The demo's repositories are all active.
        assert!(d.repos.iter().all(|r| r.selected), "{:?}", d.repos);
        // Teams from GitHub's Teams API, as the demo organisation defines them.
        assert_eq!(d.teams.len(), world.org.teams.len());
        assert!(d.teams.iter().all(|t| t.origin == TeamOrigin::GithubTeam));
        for t in &world.org.teams {
            let found = d
                .teams
                .iter()
                .find(|x| x.name == t.name)
                .unwrap_or_else(|| panic!("team {} not found in {:?}", t.name, d.teams));
            let people = world.org.people.iter().filter(|p| p.team == t.key).count();
            assert_eq!(found.members.len(), people, "{}", t.name);
        }
        assert_eq!(d.me.handle, format!("github:{me_login}"));
        // Your reports: the other members of the teams you are in.
        let mine: Vec<&String> = d
            .teams
            .iter()
            .filter(|t| t.members.contains(&d.me.handle))
            .flat_map(|t| &t.members)
            .filter(|m| **m != d.me.handle)
            .collect();
        assert!(!mine.is_empty());
        for m in mine {
            assert!(d.proposed_reports.contains(m), "{m}");
        }
        // Deploy workflows are proposed where the demo delivers through Actions.
        assert!(
            d.repos.iter().any(|r| !r.deploy_workflows.is_empty()),
            "no deploy workflow proposed"
        );
        providers.shutdown().await;
    });
}

#[test]
#[allow(clippy::print_stderr)] // says when the keychain half is skipped
fn a_real_world_organisation_connects_without_editing_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::new(Paths::in_dir(dir.path()), Arc::new(FixedClock(as_of()))).unwrap();
    let world = Arc::new(
        demo::world(
            DemoOptions {
                months: 2,
                ..Default::default()
            },
            as_of(),
        )
        .unwrap()
        .real_world_shaped(RealWorld {
            big_repo_pulls: 150,
        }),
    );
    let org = world.org.company.github_org.clone();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let providers = rt
        .block_on(demo::start_serving(
            world.clone(),
            &FakesOptions {
                github_scopes: Some(demo::REAL_WORLD_SCOPES.to_string()),
                ..Default::default()
            },
        ))
        .unwrap();
    let base = providers.github.base_url.clone();
    let check = rt
        .block_on(app.check_github(Some(&base), &token()))
        .unwrap();
    // The token lacks read:org, and the wizard says what that costs in plain words.
    let missing: Vec<&str> = check
        .missing
        .iter()
        .map(|m| m.permission.as_str())
        .collect();
    assert_eq!(missing, vec!["read:org"]);
    assert!(check.missing[0].consequence.contains("teams"));
    // GitHub will not list its organisations to this token; the repositories it reaches name it.
    assert!(
        check.owners.iter().any(|o| o.login == org && !o.is_user),
        "{:?}",
        check.owners
    );

    let d = rt
        .block_on(app.discover_github(Some(&base), &token(), &org))
        .unwrap();
    // Archived repositories, forks and empty ones are listed but not chosen, with the reason.
    for r in &d.repos {
        if r.archived || r.fork || r.empty {
            assert!(!r.selected, "{} chosen", r.name);
            assert!(r.why_not.is_some());
        }
    }
    assert!(d.repos.iter().any(|r| r.archived));
    assert!(d.repos.iter().any(|r| r.fork));
    assert!(d.repos.iter().any(|r| r.empty));
    assert!(d.repos.iter().filter(|r| r.selected).count() >= 3);
    // No teams can be read and no code owners name any: one suggested team of everyone active.
    assert!(
        d.teams_note.as_deref().unwrap_or("").contains("read:org"),
        "{:?}",
        d.teams_note
    );
    assert_eq!(d.teams.len(), 1);
    assert_eq!(d.teams[0].origin, TeamOrigin::Suggested);
    // People from recent pull requests; bots are told apart and left out of the team.
    assert!(d.people.iter().any(|p| p.is_bot));
    assert!(d.people.iter().filter(|p| !p.is_bot).count() >= 5);
    assert!(d.teams[0].members.iter().all(|m| {
        d.people
            .iter()
            .find(|p| &p.handle == m)
            .is_some_and(|p| !p.is_bot)
    }));
    // A suggested team of everyone proposes no direct reports.
    assert!(d.proposed_reports.is_empty(), "{:?}", d.proposed_reports);
    // Some people show no name on GitHub: they are offered by login.
    assert!(d.people.iter().any(|p| !p.is_bot && p.name.is_none()));

    let mut org_settings = proposed_org(&d);
    org_settings.reports = d
        .people
        .iter()
        .filter(|p| !p.is_bot && p.handle != d.me.handle)
        .take(3)
        .map(|p| p.handle.clone())
        .collect();
    let setup = Setup {
        github: Some(GithubSetup {
            name: "github".into(),
            base_url: Some(base.clone()),
            owner: d.owner.clone(),
            repos: d
                .repos
                .iter()
                .filter(|r| r.selected)
                .map(|r| r.name.clone())
                .collect(),
            deploy_workflows: d
                .repos
                .iter()
                .flat_map(|r| r.deploy_workflows.clone())
                .collect(),
            token: token(),
        }),
        others: Vec::new(),
        org: org_settings.clone(),
    };
    if !keychain() {
        // Without a Secret Service the token cannot be kept, and nothing is recorded.
        let e = app.finish_onboarding(setup).unwrap_err();
        assert_eq!(
            bosun_core::HasCode::code(&e),
            bosun_core::Code::Keychain,
            "{e}"
        );
        assert!(app.sources().unwrap().is_empty());
        eprintln!("no test keychain (BOSUN_TEST_KEYCHAIN): the sync half is skipped");
        return;
    }
    let finished = app.finish_onboarding(setup).unwrap();
    assert_eq!(finished.sources, vec!["github"]);
    assert!(std::path::Path::new(&finished.org_file).is_file());
    // The configuration now carries the organisation, read back from org.toml.
    assert_eq!(app.config.identity.me, org_settings.me);
    assert_eq!(app.config.teams.len(), 1);
    assert_eq!(app.org_settings().unwrap(), org_settings);

    let outcomes = rt
        .block_on(app.sync(None, Arc::new(bosun_connectors::NullSink)))
        .unwrap();
    assert!(outcomes.iter().all(|o| o.ok), "{outcomes:?}");
    rt.block_on(providers.shutdown());
    // Reports are direct reports now, though nobody configured a person.
    let reports = app.direct_reports().unwrap();
    assert!(reports.len() >= 3, "{reports:?}");
    // Reviews by people nobody configured count.
    let data = app.dataset().unwrap();
    let analysis =
        bosun_metrics::dora::analyse(&data, &bosun_metrics::dora::DoraOptions::default());
    let until = as_of().timestamp();
    let m = bosun_metrics::prs::pr_metrics(
        &data,
        &analysis,
        &bosun_metrics::dora::Scope {
            since: until - 60 * 86_400,
            until,
            team: None,
            repo: None,
        },
    );
    assert!(m.merged > 20, "{}", m.merged);
    assert!(
        m.merged_without_review * 4 < m.merged,
        "{} of {}",
        m.merged_without_review,
        m.merged
    );
    assert!(m.review_load.iter().filter(|l| l.reviews > 0).count() >= 3);
}
