//! GitHub Actions as the delivery pipeline, over real HTTP against the fake GitHub: the demo's
//! harbor-auth delivers through its `deploy.yml` workflow (no GitHub deployments), and a source
//! naming that workflow stores each completed run on `main` as a deployment with its outcome —
//! incrementally, conditionally, through pagination, and with Actions refused as a warning.

use crate::support::{Harness, harness_with, world};
use bosun_connectors::github::GithubSettings;
use bosun_demo::actions::{self, WorkflowRun};
use bosun_fakes::faults::{Burst, FaultConfig};

fn settings(per_page: Option<u32>, environment: Option<&str>) -> GithubSettings {
    GithubSettings {
        owner: "tidewater".into(),
        per_page,
        deploy_workflows: vec!["deploy.yml".into()],
        deploy_environment: environment.map(str::to_string),
        ..Default::default()
    }
}

/// harbor-auth's deploy runs that are deployments: completed, on main, push or dispatch.
fn expected_runs() -> Vec<WorkflowRun> {
    let w = world();
    let repo = w.repo("harbor-auth").unwrap();
    actions::runs(repo)
        .into_iter()
        .filter(|r| r.workflow_id == repo.id * 10 + 2 && r.status == "completed")
        .collect()
}

async fn stored_runs(h: &Harness) -> Vec<(String, String, i64, Option<i64>, String, i64)> {
    h.db.read(|s| {
        let mut stmt = s
            .conn()
            .prepare(
                "SELECT d.external_id, d.sha, d.created_at, d.updated_at, st.state, st.created_at
             FROM deployments d JOIN repos r ON r.id = d.repo_id
             JOIN deployment_statuses st ON st.deployment_id = d.id
             WHERE d.kind = 'workflow_run' AND r.name = 'harbor-auth' AND d.production = 1
               AND d.environment = 'production' ORDER BY d.created_at, d.id",
            )
            .map_err(crate::support::sql_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .map_err(crate::support::sql_err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(crate::support::sql_err)?;
        Ok(rows)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completed_deploy_runs_on_main_become_deployments_with_their_outcome() {
    let h = harness_with(settings(None, None)).await;
    let stats = h.sync().await.unwrap();
    assert!(stats.warnings.is_empty(), "{:?}", stats.warnings);
    let mut want = expected_runs();
    want.sort_by_key(|r| (r.created_at, r.id));
    assert!(want.len() > 5, "{} deploy runs in two months", want.len());
    let got = stored_runs(&h).await;
    let want: Vec<_> = want
        .iter()
        .map(|r| {
            (
                r.id.to_string(),
                r.head_sha.clone(),
                r.created_at,
                Some(r.updated_at),
                r.conclusion.clone().unwrap(),
                r.updated_at,
            )
        })
        .collect();
    assert_eq!(got, want);
    // Only the deploy workflow's runs: CI runs and other repositories give no deployment rows,
    // and the GitHub deployments of the other repositories are there as before.
    assert_eq!(
        h.count("SELECT count(*) FROM deployments WHERE kind = 'workflow_run'")
            .await,
        want.len() as i64
    );
    let gh: i64 = world()
        .repos
        .iter()
        .map(|r| r.github_deployments().len() as i64)
        .sum();
    assert_eq!(
        h.count("SELECT count(*) FROM deployments WHERE kind = 'github_deployment'")
            .await,
        gh
    );
    // Each run's raw payload is kept; the task is the workflow file, the payload its attempt.
    assert_eq!(
        h.count("SELECT count(*) FROM raw_payloads WHERE kind = 'github.workflow_run'")
            .await,
        want.len() as i64
    );
    assert_eq!(
        h.count(
            "SELECT count(*) FROM deployments WHERE kind = 'workflow_run'
               AND task = '.github/workflows/deploy.yml' AND json_extract(payload, '$.run_attempt') >= 1"
        )
        .await,
        want.len() as i64
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_are_paged_and_a_resync_with_nothing_new_is_conditional() {
    let h = harness_with(settings(Some(7), None)).await;
    h.sync().await.unwrap();
    let w = world();
    let repo = w.repo("harbor-auth").unwrap();
    let deploy_runs = actions::runs(repo)
        .into_iter()
        .filter(|r| r.workflow_id == repo.id * 10 + 2)
        .count();
    let served = h.fake.faults.stats();
    assert!(
        served.by_route["/repos/{owner}/{repo}/actions/workflows/{workflow}/runs"]
            >= deploy_runs.div_ceil(7) as u64,
        "{served:?}"
    );
    assert_eq!(stored_runs(&h).await.len(), expected_runs().len());
    // Again, nothing changed: the workflow list and the first page of runs answer 304 (a run
    // still in progress at as-of keeps the runs unvalidated, so they are read again).
    h.fake.faults.reset_stats();
    h.sync().await.unwrap();
    let served = h.fake.faults.stats();
    let running = actions::runs(repo)
        .iter()
        .any(|r| r.workflow_id == repo.id * 10 + 2 && r.status != "completed");
    // Only the repository listing (not conditional) is a 200 otherwise.
    let non_304 = served.requests - served.not_modified;
    if running {
        assert!(non_304 >= 2, "{served:?}");
    } else {
        assert_eq!(non_304, 1, "{served:?}");
    }
    assert_eq!(stored_runs(&h).await.len(), expected_runs().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_refused_is_a_warning_for_the_repository_not_a_failed_sync() {
    for status in [403, 404] {
        let h = harness_with(settings(None, None)).await;
        h.fake.faults.set(FaultConfig {
            server_errors: Some(Burst {
                count: 10_000,
                path_contains: Some("/actions/".into()),
                status,
            }),
            ..Default::default()
        });
        let stats = h.sync().await.unwrap();
        // Every repository asks for its workflows; each refusal is one warning.
        assert_eq!(
            stats.warnings.len(),
            world().repos.len(),
            "{:?}",
            stats.warnings
        );
        assert!(
            stats
                .warnings
                .iter()
                .all(|m| m.contains("GitHub Actions")
                    && m.contains("no deployments from workflow runs")),
            "{:?}",
            stats.warnings
        );
        assert_eq!(
            h.count("SELECT count(*) FROM deployments WHERE kind = 'workflow_run'")
                .await,
            0
        );
        assert!(h.count("SELECT count(*) FROM pull_requests").await > 10);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_rule_needs_a_job_that_deployed_there() {
    // harbor-auth's deploy job targets no environment (it leaves no GitHub deployment), so under
    // `deploy_environment = "production"` none of its runs is a deployment.
    let h = harness_with(settings(None, Some("production"))).await;
    h.sync().await.unwrap();
    assert_eq!(
        h.count("SELECT count(*) FROM deployments WHERE kind = 'workflow_run'")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workflows_are_listed_with_the_deploy_proposal() {
    let h = harness_with(settings(None, None)).await;
    let repos = bosun_connectors::github::list_workflows(
        &h.source,
        bosun_core::Sensitive::new(bosun_fakes::DEMO_TOKEN.to_string()),
        crate::support::fast_http(),
        h.sink.clone(),
    )
    .await
    .unwrap();
    assert_eq!(repos.len(), world().repos.len());
    let auth = repos
        .iter()
        .find(|r| r.repo == "tidewater/harbor-auth")
        .unwrap();
    let marks: Vec<(&str, bool, bool)> = auth
        .workflows
        .iter()
        .map(|w| (w.path.as_str(), w.looks_like_deploy, w.configured))
        .collect();
    assert_eq!(
        marks,
        [
            (".github/workflows/ci.yml", false, false),
            (".github/workflows/deploy.yml", true, true),
            (".github/workflows/codeql.yml", false, false),
        ]
    );
    let gateway = repos
        .iter()
        .find(|r| r.repo == "tidewater/harbor-gateway")
        .unwrap();
    assert!(gateway.workflows.iter().all(|w| !w.looks_like_deploy));
}
