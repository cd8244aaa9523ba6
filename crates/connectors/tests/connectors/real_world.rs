//! The GitHub and GitLab connectors on an organisation shaped like a real one
//! (`bosun_demo::real_world`). GitHub,
//! with the token a manager first pastes (`repo`, no `read:org`): everything syncs; archived
//! repositories are skipped (the source does not include them); the empty repository, which
//! GitHub answers with 409, is a warning, not a failed sync.

use crate::support::{harness_on, world};
use bosun_connectors::github::GithubSettings;
use bosun_demo::RealWorld;
use bosun_demo::real_world::{BOTS, EMPTY, machine_user};
use bosun_fakes::ServeOptions;
use bosun_fakes::github::REAL_WORLD_SCOPES;
use std::sync::Arc;

const BIG_REPO_PULLS: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_world_shaped_organisation_syncs_with_only_the_empty_repository_warned() {
    let shaped = Arc::new((*world()).clone().real_world_shaped(RealWorld {
        big_repo_pulls: BIG_REPO_PULLS,
    }));
    let opts = ServeOptions {
        github_scopes: REAL_WORLD_SCOPES.to_string(),
        ..Default::default()
    };
    let settings = GithubSettings {
        owner: "tidewater".into(),
        ..Default::default()
    };
    let h = harness_on(shaped.clone(), &opts, settings).await;
    let stats = h.sync().await.unwrap();
    assert!(stats.errors.is_empty(), "{:?}", stats.errors);
    assert_eq!(
        stats.warnings,
        [format!(
            "tidewater/{EMPTY}: the repository is empty (HTTP 409: Git Repository is empty); no commits to sync"
        )]
    );

    // Every repository but the archived ones, the forks and the empty one included.
    let synced: Vec<&bosun_demo::world::Repo> =
        shaped.repos.iter().filter(|r| !r.archived).collect();
    assert_eq!(stats.repos, 9);
    assert_eq!(stats.repos as usize, synced.len());
    assert_eq!(h.count("SELECT count(*) FROM repos").await, 9);
    let pulls: usize = synced.iter().map(|r| r.pulls.len()).sum();
    let reviews: usize = synced
        .iter()
        .flat_map(|r| r.pulls.iter())
        .map(|p| p.reviews.len())
        .sum();
    let commits: usize = synced.iter().map(|r| r.commits.len()).sum();
    assert_eq!(
        h.count("SELECT count(*) FROM pull_requests").await,
        pulls as i64
    );
    assert_eq!(
        h.count("SELECT count(*) FROM reviews").await,
        reviews as i64
    );
    assert_eq!(
        h.count("SELECT count(*) FROM commits").await,
        commits as i64
    );
    let big = h
        .count(
            "SELECT count(*) FROM pull_requests p JOIN repos r ON r.id = p.repo_id
             WHERE r.name = 'harbor-gateway'",
        )
        .await;
    assert_eq!(big as usize, world().repos[0].pulls.len() + BIG_REPO_PULLS);
    assert_eq!(stats.pull_requests_fetched as usize, pulls);
    // Fork history from outside contributors is kept, with no account to link.
    let fork_commits = h
        .count(
            "SELECT count(*) FROM commits c JOIN repos r ON r.id = c.repo_id
             WHERE r.name = 'grpc-gateway'",
        )
        .await;
    assert_eq!(fork_commits, 25);
    assert_eq!(
        h.count("SELECT count(*) FROM commits c JOIN repos r ON r.id = c.repo_id WHERE r.name = 'infra-sandbox'")
            .await,
        0
    );
    // No CODEOWNERS anywhere: nothing stored, nothing failed.
    assert_eq!(h.count("SELECT count(*) FROM code_owners").await, 0);

    // Bots are bots by their type; the machine user is an account like a person's.
    for (login, _) in BOTS {
        let sql: &'static str = match login {
            "dependabot[bot]" => {
                "SELECT count(*) FROM accounts WHERE is_bot = 1 AND login = 'dependabot[bot]'"
            }
            "renovate[bot]" => {
                "SELECT count(*) FROM accounts WHERE is_bot = 1 AND login = 'renovate[bot]'"
            }
            _ => "SELECT count(*) FROM accounts WHERE is_bot = 1 AND login = 'github-actions[bot]'",
        };
        assert_eq!(h.count(sql).await, 1, "{login}");
    }
    assert_eq!(machine_user(&shaped), "tidewater-release-bot");
    assert_eq!(
        h.count(
            "SELECT count(*) FROM accounts WHERE is_bot = 0 AND login = 'tidewater-release-bot'"
        )
        .await,
        1
    );
    // Profiles without a public name stay nameless; the others got their names.
    let accounts: Vec<(String, Option<String>)> =
        h.db.read(|s| {
            let mut stmt = s.conn().prepare(
                "SELECT login, display_name FROM accounts WHERE provider = 'github' AND is_bot = 0",
            ).map_err(crate::support::sql_err)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(crate::support::sql_err)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(crate::support::sql_err)?;
            Ok(rows)
        })
        .await
        .unwrap();
    let mut nameless = 0;
    for (login, name) in &accounts {
        let u = &shaped.users[shaped.user_by_login(login).unwrap()];
        assert_eq!(name.is_some(), u.public_name, "{login}: {name:?}");
        nameless += usize::from(name.is_none());
    }
    assert!(
        nameless >= 8,
        "{nameless} of {} accounts nameless",
        accounts.len()
    );
}

/// The same organisation on GitLab, with a project access token: archived projects are left
/// out, the forks and the empty project sync without a warning (GitLab lists an empty
/// repository's commits as `[]`), everything else arrives, and only the tools' bots are bots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_world_shaped_organisation_on_gitlab_syncs_cleanly() {
    use bosun_connectors::Db;
    use bosun_connectors::engine::{self, SyncJob};
    use bosun_core::model::Provider;
    use bosun_store::Store;
    use bosun_store::sync_state::{self, NewSource};

    let shaped = Arc::new((*world()).clone().real_world_shaped(RealWorld {
        big_repo_pulls: BIG_REPO_PULLS,
    }));
    let fake = bosun_fakes::start_gitlab(shaped.clone(), &ServeOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bosun.db")).unwrap();
    store
        .write(|tx| {
            sync_state::add_source(
                tx,
                &NewSource {
                    kind: Provider::Gitlab,
                    name: "gitlab",
                    base_url: Some(&fake.base_url),
                    settings: serde_json::json!({"group": "tidewater"}),
                    demo: false,
                },
                0,
            )
        })
        .unwrap();
    let db = Db::new(store);
    let source = db
        .read(|s| Ok(sync_state::sources(s.conn())?.remove(0)))
        .await
        .unwrap();
    let out = engine::run(
        &db,
        vec![SyncJob {
            source,
            token: Some(bosun_core::Sensitive::new(
                bosun_fakes::DEMO_TOKEN.to_string(),
            )),
        }],
        &crate::support::fast_http(),
        &bosun_core::FixedClock(bosun_core::time::from_ts(crate::support::as_of_ts())),
        Arc::new(bosun_connectors::NullSink),
    )
    .await
    .unwrap();
    assert!(out[0].ok, "{:?}", out[0].error);
    assert!(out[0].warnings.is_empty(), "{:?}", out[0].warnings);
    let count = |sql: &str| {
        let (db, sql) = (db.clone(), sql.to_string());
        async move {
            db.read(move |s| {
                s.conn()
                    .query_row(&sql, [], |r| r.get::<_, i64>(0))
                    .map_err(crate::support::sql_err)
            })
            .await
            .unwrap()
        }
    };
    let synced: Vec<&bosun_demo::world::Repo> =
        shaped.repos.iter().filter(|r| !r.archived).collect();
    assert_eq!(synced.len(), 9);
    assert_eq!(count("SELECT count(*) FROM repos").await, 9);
    let pulls: usize = synced.iter().map(|r| r.pulls.len()).sum();
    let commits: usize = synced.iter().map(|r| r.commits.len()).sum();
    assert_eq!(
        count("SELECT count(*) FROM pull_requests").await,
        pulls as i64
    );
    assert_eq!(count("SELECT count(*) FROM commits").await, commits as i64);
    assert_eq!(
        count(
            "SELECT count(*) FROM pull_requests p JOIN repos r ON r.id = p.repo_id
             WHERE r.name = 'harbor-gateway'"
        )
        .await as usize,
        world().repos[0].pulls.len() + BIG_REPO_PULLS
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM commits c JOIN repos r ON r.id = c.repo_id
             WHERE r.name = 'grpc-gateway'"
        )
        .await,
        25
    );
    assert_eq!(
        count(&format!(
            "SELECT count(*) FROM commits c JOIN repos r ON r.id = c.repo_id WHERE r.name = '{EMPTY}'"
        ))
        .await,
        0
    );
    // The apps are bots by their names; the machine user is an account like a person's.
    for (login, _) in BOTS {
        assert_eq!(
            count(match login {
                "dependabot[bot]" =>
                    "SELECT count(*) FROM accounts WHERE provider = 'gitlab' AND is_bot = 1 AND login = 'dependabot[bot]'",
                "renovate[bot]" =>
                    "SELECT count(*) FROM accounts WHERE provider = 'gitlab' AND is_bot = 1 AND login = 'renovate[bot]'",
                _ =>
                    "SELECT count(*) FROM accounts WHERE provider = 'gitlab' AND is_bot = 1 AND login = 'github-actions[bot]'",
            })
            .await,
            1,
            "{login}"
        );
    }
    assert_eq!(
        count(
            "SELECT count(*) FROM accounts WHERE provider = 'gitlab' AND is_bot = 0 AND login = 'tidewater-release-bot'"
        )
        .await,
        1
    );
}
