//! GitHub Actions as the delivery pipeline: which workflows deploy, and which of their runs are
//! deployments (pure rules; the requests are in `sync.rs`).
//!
//! A source names its deploy workflows (`deploy_workflows`: names or file paths such as
//! `deploy.yml`). A **completed** run of one of them is a deployment when it ran on the
//! repository's default branch for a `push` or a `workflow_dispatch` — or, when the source names a
//! `deploy_environment`, when one of its jobs deployed to that environment (GitHub records such a
//! job as a deployment to the environment, for the run's commit, while the run ran). What the run
//! concluded decides the rest ([`bosun_core::model::RunOutcome`]).

use super::api;
use bosun_core::time::Ts;
use serde::Serialize;

/// Words in a workflow's name or file name that suggest it deploys: a word starting with
/// `deploy`, `release`, `publish`, `ship` or `production`, or the word `cd` or `prod`.
const PREFIXES: &[&str] = &["deploy", "release", "publish", "ship", "production"];
const WORDS: &[&str] = &["cd", "prod"];

/// The words of a name: split at anything not a letter or digit and at lower→upper case changes
/// (`deployProd` → deploy, prod), lowercased.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The file name of a workflow path without its directory, `@ref` suffix or extension:
/// `.github/workflows/deploy.yml@main` → `deploy`.
pub fn file_stem(path: &str) -> &str {
    let path = path.split('@').next().unwrap_or(path);
    let file = path.rsplit('/').next().unwrap_or(path);
    file.strip_suffix(".yml")
        .or_else(|| file.strip_suffix(".yaml"))
        .unwrap_or(file)
}

/// Whether a workflow looks like it deploys, from its name or its file name (any case): what
/// `bosun sources workflows` proposes as a deploy workflow.
pub fn looks_like_deploy(name: &str, path: &str) -> bool {
    words(name)
        .into_iter()
        .chain(words(file_stem(path)))
        .any(|w| PREFIXES.iter().any(|p| w.starts_with(p)) || WORDS.contains(&w.as_str()))
}

/// Whether a configured entry (`deploy.yml`, `.github/workflows/deploy.yml`, `Deploy`) names this
/// workflow: its name, its path or its file name, any case.
pub fn names_workflow(entry: &str, name: &str, path: &str) -> bool {
    let entry = entry.trim();
    if entry.is_empty() {
        return false;
    }
    let path = path.split('@').next().unwrap_or(path);
    let file = path.rsplit('/').next().unwrap_or(path);
    [name, path, file]
        .iter()
        .any(|x| x.eq_ignore_ascii_case(entry))
}

/// The deploy workflows of a source's settings.
#[derive(Debug, Clone, Default)]
pub struct DeployRule {
    pub workflows: Vec<String>,
    /// Runs count when a job deployed here (instead of the default-branch rule).
    pub environment: Option<String>,
}

impl DeployRule {
    pub fn new(workflows: &[String], environment: Option<&str>) -> DeployRule {
        DeployRule {
            workflows: workflows
                .iter()
                .map(|w| w.trim().to_string())
                .filter(|w| !w.is_empty())
                .collect(),
            environment: environment
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_string),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.workflows.is_empty()
    }

    pub fn is_deploy_workflow(&self, w: &api::Workflow) -> bool {
        self.workflows
            .iter()
            .any(|e| names_workflow(e, &w.name, &w.path))
    }
}

/// A GitHub deployment already stored for the repository (the trace a job leaves when it deploys
/// to an environment).
#[derive(Debug, Clone)]
pub struct EnvDeployment {
    pub environment: String,
    pub sha: String,
    pub created_at: Ts,
}

/// Seconds of slack around a run's span when matching its jobs' deployments (clocks, queueing).
const SLACK: i64 = 60;

/// Whether a run of a deploy workflow is a deployment candidate (before its conclusion): under
/// the default-branch rule, a run on `default_branch` for a push or a manual dispatch; under an
/// environment rule, a run that left a deployment to that environment for its commit while it ran.
pub fn is_candidate(
    run: &api::WorkflowRun,
    default_branch: &str,
    rule: &DeployRule,
    envs: &[EnvDeployment],
) -> bool {
    match &rule.environment {
        None => {
            run.head_branch.as_deref() == Some(default_branch)
                && matches!(run.event.as_str(), "push" | "workflow_dispatch")
        }
        Some(env) => {
            let start = run.run_started_at.unwrap_or(run.created_at).0 - SLACK;
            let end = run.updated_at.0 + SLACK;
            envs.iter().any(|d| {
                d.environment.eq_ignore_ascii_case(env)
                    && d.sha == run.head_sha
                    && (start..=end).contains(&d.created_at)
            })
        }
    }
}

/// One workflow of a repository, as `bosun sources workflows` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct WorkflowInfo {
    pub id: i64,
    pub name: String,
    pub path: String,
    pub state: Option<String>,
    /// Its name or file name looks like a deploy ([`looks_like_deploy`]): proposed.
    pub looks_like_deploy: bool,
    /// The source's `deploy_workflows` name it: its runs are deployments.
    pub configured: bool,
}

/// A repository's workflows, or why they could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct RepoWorkflows {
    pub repo: String,
    pub default_branch: String,
    pub workflows: Vec<WorkflowInfo>,
    /// Set when GitHub refused (Actions disabled, a token without `actions:read`).
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deploy_looking_workflows() {
        for (name, path) in [
            ("Deploy", ".github/workflows/main.yml"),
            ("CI", ".github/workflows/deploy.yml"),
            ("Build and deploy", ".github/workflows/build.yml"),
            ("Deployment", ".github/workflows/x.yml"),
            ("Release", ".github/workflows/x.yml"),
            ("Publish to npm", ".github/workflows/x.yml"),
            ("Ship it", ".github/workflows/x.yml"),
            ("CI/CD", ".github/workflows/pipeline.yml"),
            ("x", ".github/workflows/cd.yaml"),
            ("x", ".github/workflows/ci-cd.yml"),
            ("Production", ".github/workflows/x.yml"),
            ("x", ".github/workflows/deploy-prod.yml@main"),
            ("deployProd", ".github/workflows/x.yml"),
            ("RELEASES", ".github/workflows/x.yml"),
            (
                "pages build and deployment",
                "dynamic/pages/pages-build-deployment",
            ),
        ] {
            assert!(looks_like_deploy(name, path), "{name} {path}");
        }
        for (name, path) in [
            ("CI", ".github/workflows/ci.yml"),
            ("CodeQL", ".github/workflows/codeql.yml"),
            ("Lint", ".github/workflows/lint.yml"),
            ("Relationships", ".github/workflows/abcd.yml"),
            ("Product docs", ".github/workflows/products.yml"),
            ("", ".github/workflows/test.yml"),
            (
                "Dependabot Updates",
                "dynamic/dependabot/dependabot-updates",
            ),
        ] {
            assert!(!looks_like_deploy(name, path), "{name} {path}");
        }
    }

    #[test]
    fn file_stems() {
        assert_eq!(file_stem(".github/workflows/deploy.yml@main"), "deploy");
        assert_eq!(file_stem(".github/workflows/release.yaml"), "release");
        assert_eq!(
            file_stem("dynamic/pages/pages-build-deployment"),
            "pages-build-deployment"
        );
    }

    #[test]
    fn configured_entries_name_a_workflow_by_name_path_or_file() {
        let (name, path) = ("Deploy to production", ".github/workflows/deploy.yml@main");
        assert!(names_workflow("deploy.yml", name, path));
        assert!(names_workflow("DEPLOY.YML", name, path));
        assert!(names_workflow(".github/workflows/deploy.yml", name, path));
        assert!(names_workflow("deploy to production", name, path));
        assert!(!names_workflow("deploy", name, path));
        assert!(!names_workflow("", name, path));
        assert!(!names_workflow("ci.yml", name, path));
    }

    fn run(branch: Option<&str>, event: &str, started: Ts, updated: Ts) -> api::WorkflowRun {
        serde_json::from_value(serde_json::json!({
            "id": 1, "workflow_id": 2, "head_branch": branch, "head_sha": "abc", "event": event,
            "status": "completed", "conclusion": "success",
            "created_at": bosun_core::time::rfc3339(started),
            "run_started_at": bosun_core::time::rfc3339(started),
            "updated_at": bosun_core::time::rfc3339(updated),
        }))
        .unwrap()
    }

    #[test]
    fn the_default_branch_rule_takes_pushes_and_dispatches_on_the_default_branch() {
        let rule = DeployRule::new(&["deploy.yml".into()], None);
        let t = 1_700_000_000;
        assert!(is_candidate(
            &run(Some("main"), "push", t, t + 60),
            "main",
            &rule,
            &[]
        ));
        assert!(is_candidate(
            &run(Some("main"), "workflow_dispatch", t, t + 60),
            "main",
            &rule,
            &[]
        ));
        assert!(!is_candidate(
            &run(Some("feature"), "push", t, t + 60),
            "main",
            &rule,
            &[]
        ));
        assert!(!is_candidate(
            &run(None, "push", t, t + 60),
            "main",
            &rule,
            &[]
        ));
        for event in ["pull_request", "schedule", "repository_dispatch", "dynamic"] {
            assert!(!is_candidate(
                &run(Some("main"), event, t, t + 60),
                "main",
                &rule,
                &[]
            ));
        }
    }

    #[test]
    fn the_environment_rule_takes_runs_that_deployed_there() {
        let rule = DeployRule::new(&["deploy.yml".into()], Some("Production"));
        let t = 1_700_000_000;
        let env = |e: &str, sha: &str, at: Ts| EnvDeployment {
            environment: e.into(),
            sha: sha.into(),
            created_at: at,
        };
        // A tag push (head_branch is the tag) that deployed to production counts.
        let r = run(Some("v1.2.0"), "push", t, t + 600);
        assert!(is_candidate(
            &r,
            "main",
            &rule,
            &[env("production", "abc", t + 300)]
        ));
        // Another environment, another commit, or a deployment outside the run: no.
        assert!(!is_candidate(
            &r,
            "main",
            &rule,
            &[env("staging", "abc", t + 300)]
        ));
        assert!(!is_candidate(
            &r,
            "main",
            &rule,
            &[env("production", "def", t + 300)]
        ));
        assert!(!is_candidate(
            &r,
            "main",
            &rule,
            &[env("production", "abc", t + 3600)]
        ));
        // Not even the default branch counts without the environment.
        assert!(!is_candidate(
            &run(Some("main"), "push", t, t + 60),
            "main",
            &rule,
            &[]
        ));
    }
}
