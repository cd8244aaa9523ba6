//! GitHub Actions in the demo: each repository's workflows and their runs, derived from what the
//! world already holds, so that the same deploys can be served as workflow runs.
//!
//! - Every repository has `CI` (one run per pushed commit of a pull request, from its check runs;
//!   a check re-run on the same commit is a second attempt) and `CodeQL` (no runs).
//! - A repository with `delivery = "actions"` also has `Deploy to production`
//!   (`.github/workflows/deploy.yml`): one run per production deployment, on `main`, for a `push`
//!   (a rollback is a `workflow_dispatch` of the older commit). A deploy job that failed and was
//!   retried is one run with two attempts — GitHub lists a run's latest attempt only — so it is
//!   one successful deployment at the retry's end, exactly as the GitHub deployments count it. A
//!   deploy still running at `as_of` is `in_progress`.

use crate::org::Delivery;
use crate::world::Repo;
use bosun_core::time::Ts;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The deploy workflow's file, what the demo source names in `deploy_workflows`.
pub const DEPLOY_WORKFLOW_FILE: &str = "deploy.yml";

#[derive(Debug, Clone, Serialize)]
pub struct Workflow {
    pub id: i64,
    pub name: String,
    pub path: String,
    pub created_at: Ts,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkflowRun {
    pub id: i64,
    pub workflow_id: i64,
    pub name: String,
    pub path: String,
    pub head_branch: String,
    pub head_sha: String,
    /// push, workflow_dispatch, pull_request.
    pub event: String,
    /// completed or in_progress.
    pub status: String,
    pub conclusion: Option<String>,
    pub run_number: i64,
    pub run_attempt: i64,
    pub created_at: Ts,
    pub run_started_at: Ts,
    pub updated_at: Ts,
    pub display_title: String,
    /// Index into `World::users`.
    pub actor: usize,
    pub pull_number: Option<i64>,
}

/// A repository's workflows: CI and CodeQL, and the deploy workflow when it delivers by Actions.
pub fn workflows(repo: &Repo) -> Vec<Workflow> {
    let mut out = vec![
        Workflow {
            id: repo.id * 10 + 1,
            name: "CI".into(),
            path: ".github/workflows/ci.yml".into(),
            created_at: repo.created_at,
        },
        Workflow {
            id: repo.id * 10 + 3,
            name: "CodeQL".into(),
            path: ".github/workflows/codeql.yml".into(),
            created_at: repo.created_at + 86_400,
        },
    ];
    if repo.delivery == Delivery::Actions {
        out.insert(
            1,
            Workflow {
                id: repo.id * 10 + 2,
                name: "Deploy to production".into(),
                path: format!(".github/workflows/{DEPLOY_WORKFLOW_FILE}"),
                created_at: repo.created_at,
            },
        );
    }
    out
}

/// Every run of the repository's workflows, newest first (GitHub's order).
pub fn runs(repo: &Repo) -> Vec<WorkflowRun> {
    let mut out = ci_runs(repo);
    if repo.delivery == Delivery::Actions {
        out.extend(deploy_runs(repo));
    }
    out.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
    out
}

fn subject<'a>(repo: &'a Repo, sha: &str) -> Option<&'a str> {
    repo.commits
        .iter()
        .find(|c| c.sha == sha)
        .and_then(|c| c.message.lines().next())
}

fn deploy_runs(repo: &Repo) -> Vec<WorkflowRun> {
    let workflow = repo.id * 10 + 2;
    let mut prod: Vec<&crate::world::Deployment> = repo
        .deployments
        .iter()
        .filter(|d| d.environment == "production")
        .collect();
    prod.sort_by_key(|d| (d.created_at, d.id));
    // A retry is another attempt of the run it retries.
    let mut attempts: BTreeMap<i64, Vec<&crate::world::Deployment>> = BTreeMap::new();
    let mut run_of: HashMap<i64, i64> = HashMap::new();
    for d in &prod {
        let retried = d
            .payload
            .get("retry_of")
            .and_then(serde_json::Value::as_i64)
            .and_then(|of| run_of.get(&of).copied());
        let run = retried.unwrap_or(d.id);
        run_of.insert(d.id, run);
        attempts.entry(run).or_default().push(d);
    }
    let mut runs: Vec<WorkflowRun> = attempts
        .into_values()
        .map(|a| {
            let (first, last) = (a[0], a[a.len() - 1]);
            let end = last
                .statuses
                .last()
                .filter(|s| matches!(s.state.as_str(), "success" | "failure"));
            let dispatch = first.reason == "rollback";
            WorkflowRun {
                id: first.id,
                workflow_id: workflow,
                name: "Deploy to production".into(),
                path: format!(".github/workflows/{DEPLOY_WORKFLOW_FILE}"),
                head_branch: repo.default_branch.clone(),
                head_sha: first.sha.clone(),
                event: if dispatch {
                    "workflow_dispatch"
                } else {
                    "push"
                }
                .into(),
                status: if end.is_some() {
                    "completed"
                } else {
                    "in_progress"
                }
                .into(),
                conclusion: end.map(|s| s.state.clone()),
                run_number: 0,
                run_attempt: a.len() as i64,
                created_at: first.created_at,
                run_started_at: last.created_at,
                updated_at: last.statuses.last().map_or(last.created_at, |s| s.at),
                display_title: if dispatch {
                    "Deploy to production".into()
                } else {
                    subject(repo, &first.sha)
                        .unwrap_or("Deploy to production")
                        .to_string()
                },
                actor: first.creator,
                pull_number: None,
            }
        })
        .collect();
    runs.sort_by_key(|r| (r.created_at, r.id));
    for (i, r) in runs.iter_mut().enumerate() {
        r.run_number = i as i64 + 1;
    }
    runs
}

/// One CI run per commit of a pull request that ran checks; a check that ran again on the same
/// commit (the flaky check's re-run) makes a second attempt.
fn ci_runs(repo: &Repo) -> Vec<WorkflowRun> {
    let workflow = repo.id * 10 + 1;
    let mut by_sha: BTreeMap<(&str, i64), Vec<&crate::world::CheckRun>> = BTreeMap::new();
    for c in &repo.check_runs {
        by_sha
            .entry((c.head_sha.as_str(), c.pull_number.unwrap_or(0)))
            .or_default()
            .push(c);
    }
    let mut runs: Vec<WorkflowRun> = by_sha
        .into_iter()
        .map(|((sha, pr), mut checks)| {
            checks.sort_by_key(|c| (c.started_at, c.id));
            // The latest run of each check decides; more than one run of a check is a re-run.
            let mut latest: BTreeMap<&str, &crate::world::CheckRun> = BTreeMap::new();
            let mut count: BTreeMap<&str, i64> = BTreeMap::new();
            for c in &checks {
                latest.insert(c.name.as_str(), c);
                *count.entry(c.name.as_str()).or_default() += 1;
            }
            let attempts = count.values().copied().max().unwrap_or(1);
            let done = latest.values().all(|c| c.conclusion.is_some());
            let failed = latest
                .values()
                .any(|c| c.conclusion.as_deref() == Some("failure"));
            let pull = repo.pulls.iter().find(|p| p.number == pr);
            WorkflowRun {
                id: checks[0].id + crate::ids::WORKFLOW_RUN,
                workflow_id: workflow,
                name: "CI".into(),
                path: ".github/workflows/ci.yml".into(),
                head_branch: pull.map_or_else(|| "main".into(), |p| p.head_ref.clone()),
                head_sha: sha.to_string(),
                event: "pull_request".into(),
                status: if done { "completed" } else { "in_progress" }.into(),
                conclusion: done.then(|| if failed { "failure" } else { "success" }.to_string()),
                run_number: 0,
                run_attempt: attempts,
                created_at: checks[0].started_at - 20,
                run_started_at: latest
                    .values()
                    .map(|c| c.started_at)
                    .min()
                    .unwrap_or(checks[0].started_at),
                updated_at: checks
                    .iter()
                    .map(|c| c.completed_at.unwrap_or(c.started_at))
                    .max()
                    .unwrap_or(checks[0].started_at),
                display_title: pull.map_or_else(|| "CI".into(), |p| p.title.clone()),
                actor: pull.map_or(0, |p| p.author),
                pull_number: (pr > 0).then_some(pr),
            }
        })
        .collect();
    runs.sort_by_key(|r| (r.created_at, r.id));
    for (i, r) in runs.iter_mut().enumerate() {
        r.run_number = i as i64 + 1;
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GenOptions, Org, generate};

    fn world() -> crate::World {
        let as_of = bosun_core::time::parse_user_time("2026-11-20T09:00:00Z").unwrap();
        generate(&Org::bundled().unwrap(), &GenOptions::new(as_of))
    }

    #[test]
    fn the_actions_repository_has_a_deploy_workflow_and_one_run_per_deploy() {
        let w = world();
        let auth = w.repo("harbor-auth").unwrap();
        assert_eq!(auth.delivery, Delivery::Actions);
        let names: Vec<String> = workflows(auth).into_iter().map(|w| w.path).collect();
        assert_eq!(
            names,
            [
                ".github/workflows/ci.yml",
                ".github/workflows/deploy.yml",
                ".github/workflows/codeql.yml"
            ]
        );
        let all = runs(auth);
        let deploys: Vec<&WorkflowRun> = all
            .iter()
            .filter(|r| r.workflow_id == auth.id * 10 + 2)
            .collect();
        // Every production deployment that is not a retry is a run; retries are attempts.
        let prod: Vec<_> = auth
            .deployments
            .iter()
            .filter(|d| d.environment == "production")
            .collect();
        let retries = prod.iter().filter(|d| d.reason == "retry").count();
        assert_eq!(deploys.len(), prod.len() - retries);
        assert!(deploys.len() > 20, "{} deploy runs", deploys.len());
        // A run's conclusion is its last attempt's; successes end when the deployment succeeded.
        for r in &deploys {
            assert_eq!(r.head_branch, "main");
            let d = prod.iter().find(|d| d.id == r.id).unwrap();
            assert_eq!(d.sha, r.head_sha);
            assert_eq!(r.event == "workflow_dispatch", d.reason == "rollback");
            if r.run_attempt == 1 {
                let last = d.statuses.last().unwrap();
                match r.conclusion.as_deref() {
                    Some(c) => assert_eq!((c, r.updated_at), (last.state.as_str(), last.at)),
                    None => assert_eq!(r.status, "in_progress"),
                }
            }
        }
        // Newest first.
        assert!(all.windows(2).all(|p| p[0].created_at >= p[1].created_at));
        // CI runs come from the checks: pull requests' commits, re-runs as attempts.
        assert!(all.iter().any(|r| r.event == "pull_request"));
    }

    #[test]
    fn a_retried_deploy_job_is_one_run_with_two_attempts() {
        use crate::world::{Deployment, DeploymentStatus};
        let w = world();
        let mut repo = w.repo("harbor-auth").unwrap().clone();
        repo.check_runs.clear();
        let status = |id: i64, state: &str, at: Ts| DeploymentStatus {
            id,
            state: state.into(),
            description: String::new(),
            at,
        };
        let dep =
            |id: i64, at: Ts, reason: &str, payload: serde_json::Value, end: &str| Deployment {
                id,
                sha: "a".repeat(40),
                environment: "production".into(),
                description: String::new(),
                created_at: at,
                creator: 0,
                statuses: vec![status(id * 10, end, at + 300)],
                reason: reason.into(),
                payload,
            };
        repo.deployments = vec![
            dep(1, 1_000, "release", serde_json::json!({}), "failure"),
            dep(
                2,
                3_000,
                "retry",
                serde_json::json!({"retry_of": 1}),
                "success",
            ),
            dep(3, 9_000, "release", serde_json::json!({}), "failure"),
        ];
        let r = runs(&repo);
        assert_eq!(r.len(), 2);
        // Newest first: the unretried failure, then the retried run.
        assert_eq!(
            (r[0].id, r[0].conclusion.as_deref(), r[0].run_attempt),
            (3, Some("failure"), 1)
        );
        assert_eq!(
            (r[1].id, r[1].conclusion.as_deref(), r[1].run_attempt),
            (1, Some("success"), 2)
        );
        assert_eq!(
            (r[1].created_at, r[1].run_started_at, r[1].updated_at),
            (1_000, 3_000, 3_300)
        );
    }
}
