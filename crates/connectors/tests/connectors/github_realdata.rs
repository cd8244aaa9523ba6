//! Every real GitHub payload in the fixtures decodes with the connector's types and normalizes to
//! sensible records.

use bosun_connectors::github::{GithubSettings, Production, api, normalize};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> serde_json::Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/github")
        .join(rel);
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

fn decode<T: DeserializeOwned>(v: &serde_json::Value, what: &str) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{what}: {e}"))
}

#[test]
fn openapi_examples_decode() {
    let pulls: Vec<api::Pull> = decode(
        &fixture("openapi/pulls_list__200__default.json"),
        "pulls list",
    );
    let p = normalize::pull(&pulls[0]);
    assert_eq!(p.number, 1347);
    assert_eq!(
        p.author.as_ref().and_then(|a| a.login.as_deref()),
        Some("octocat")
    );
    assert_eq!(p.labels, vec!["bug"]);
    let details: api::Pull = decode(&fixture("openapi/pulls_get__200__default.json"), "pull");
    let d = normalize::pull(&details);
    assert_eq!(
        (d.additions, d.deletions, d.changed_files),
        (Some(100), Some(3), Some(5))
    );
    assert!(
        d.requested_reviewers
            .iter()
            .any(|a| a.login.as_deref() == Some("other_user"))
    );
    assert_eq!(d.requested_teams, vec!["justice-league"]);

    let reviews: Vec<api::Review> = decode(
        &fixture("openapi/pulls_list-reviews__200__default.json"),
        "reviews",
    );
    assert_eq!(normalize::review(&reviews[0]).state, "APPROVED");
    let comments: Vec<api::ReviewComment> = decode(
        &fixture("openapi/pulls_list-review-comments__200__default.json"),
        "review comments",
    );
    let c = normalize::review_comment(&comments[0]).unwrap();
    assert_eq!((c.pr_number, c.in_reply_to.as_deref()), (1, Some("8")));
    // Older review comments carry their pull request only in `_links.pull_request.href`: the
    // real example without `pull_request_url` still names PR 1, and one with neither is skipped
    // (None: the sync warns and goes on) rather than failing the repository.
    let mut old = fixture("openapi/pulls_list-review-comments__200__default.json")[0].clone();
    old.as_object_mut().unwrap().remove("pull_request_url");
    let c: api::ReviewComment = decode(&old, "review comment without pull_request_url");
    assert_eq!(normalize::review_comment(&c).map(|c| c.pr_number), Some(1));
    old.as_object_mut().unwrap().remove("_links");
    let c: api::ReviewComment = decode(&old, "review comment naming no pull request");
    assert!(normalize::review_comment(&c).is_none());
    for f in [
        "openapi/pulls_list-commits__200__default.json",
        "openapi/repos_list-commits__200__default.json",
    ] {
        let commits: Vec<api::Commit> = decode(&fixture(f), f);
        let c = normalize::commit(&commits[0]);
        assert_eq!(c.sha, "6dcb09b5b57875f334f61aebed695e2e4193db5e");
        assert_eq!(c.parents.len(), 1);
        assert!(c.authored_at > 1_000_000_000);
    }
    let checks: api::CheckRuns = decode(
        &fixture("openapi/checks_list-for-ref__200__default.json"),
        "check runs",
    );
    assert_eq!(checks.total_count, 1);
    assert_eq!(
        normalize::check_run(&checks.check_runs[0])
            .conclusion
            .as_deref(),
        Some("neutral")
    );
    let deps: Vec<api::Deployment> = decode(
        &fixture("openapi/repos_list-deployments__200__default.json"),
        "deployments",
    );
    let statuses: Vec<api::DeploymentStatus> = decode(
        &fixture("openapi/repos_list-deployment-statuses__200__default.json"),
        "statuses",
    );
    let default = Production::default();
    let d = normalize::deployment(&deps[0], &statuses, &default);
    assert!(d.production && d.environment == "production");
    // A source that names its production environments decides, whatever GitHub's flag says.
    let rule = |names: &[&str], pattern: Option<&str>| {
        Production::from_settings(&GithubSettings {
            production_environments: names.iter().map(|n| n.to_string()).collect(),
            production_pattern: pattern.map(str::to_string),
            ..Default::default()
        })
        .unwrap()
    };
    let only_prd = rule(&["prd"], None);
    assert!(!normalize::deployment(&deps[0], &statuses, &only_prd).production);
    let regional = rule(&[], Some("prod(uction)?-(eu|us)"));
    let mut eu = deps[0].clone();
    eu.environment = "Production-EU".into();
    eu.production_environment = None;
    assert!(normalize::deployment(&eu, &statuses, &regional).production);
    assert!(!normalize::deployment(&deps[0], &statuses, &regional).production);
    // Without a rule, GitHub's flag wins over the name, and the name decides without the flag.
    let mut staging_flagged = deps[0].clone();
    staging_flagged.environment = "staging".into();
    assert!(normalize::deployment(&staging_flagged, &statuses, &default).production);
    staging_flagged.production_environment = None;
    assert!(!normalize::deployment(&staging_flagged, &statuses, &default).production);
    assert!(
        Production::from_settings(&GithubSettings {
            production_pattern: Some("prod(".into()),
            ..Default::default()
        })
        .is_err()
    );
    assert_eq!(d.statuses[0].state, "success");
    let releases: Vec<api::Release> = decode(
        &fixture("openapi/repos_list-releases__200__default.json"),
        "releases",
    );
    assert_eq!(normalize::release(&releases[0]).tag_name, "v1.0.0");
    let tags: Vec<api::Tag> = decode(
        &fixture("openapi/repos_list-tags__200__default.json"),
        "tags",
    );
    assert_eq!(normalize::tag(&tags[0]).name, "v0.1");
    let timeline: Vec<api::TimelineItem> = decode(
        &fixture("openapi/issues_list-events-for-timeline__200__default.json"),
        "timeline",
    );
    let events = normalize::events(&timeline);
    assert!(
        events
            .iter()
            .any(|e| e.event == "labeled" && e.detail.as_deref() == Some("beta"))
    );
    assert!(
        events.iter().all(|e| e.event != "commented"),
        "comments are not events"
    );
}

fn webhooks(prefix: &str) -> Vec<(PathBuf, serde_json::Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github/webhooks");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{prefix}."))
        })
        .map(|p| {
            let v = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            (p, v)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty(), "no {prefix} fixtures");
    out
}

#[test]
fn webhook_payload_objects_decode() {
    let mut n = 0;
    for (p, v) in webhooks("pull_request") {
        let pr: api::Pull = decode(&v["pull_request"], &p.display().to_string());
        let rec = normalize::pull(&pr);
        assert!(
            rec.number > 0 && rec.updated_at >= rec.created_at,
            "{}",
            p.display()
        );
        if rec.merged {
            assert!(rec.merged_at.is_some() && rec.merge_commit_sha.is_some());
        }
        n += 1;
    }
    for (p, v) in webhooks("pull_request_review") {
        let r: api::Review = decode(&v["review"], &p.display().to_string());
        assert!(!normalize::review(&r).state.is_empty());
        n += 1;
    }
    for (p, v) in webhooks("pull_request_review_comment") {
        let c: api::ReviewComment = decode(&v["comment"], &p.display().to_string());
        assert!(normalize::review_comment(&c).unwrap().pr_number > 0);
        n += 1;
    }
    for (p, v) in webhooks("check_run") {
        let c: api::CheckRun = decode(&v["check_run"], &p.display().to_string());
        assert_eq!(normalize::check_run(&c).head_sha.len(), 40);
        n += 1;
    }
    for (p, v) in webhooks("deployment") {
        if let Some(d) = v.get("deployment") {
            let d: api::Deployment = decode(d, &p.display().to_string());
            assert!(
                !normalize::deployment(&d, &[], &Production::default())
                    .sha
                    .is_empty()
            );
            n += 1;
        }
        if let Some(s) = v.get("deployment_status") {
            let s: api::DeploymentStatus = decode(s, &p.display().to_string());
            assert!(!s.state.is_empty());
            n += 1;
        }
    }
    for (p, v) in webhooks("release") {
        let r: api::Release = decode(&v["release"], &p.display().to_string());
        assert!(!normalize::release(&r).tag_name.is_empty());
        n += 1;
    }
    for (p, v) in webhooks("issue_comment") {
        let c: api::IssueComment = decode(&v["comment"], &p.display().to_string());
        // Comments on issues are not PR comments; on PRs they are.
        let on_pr = v["issue"].get("pull_request").is_some();
        assert_eq!(
            normalize::issue_comment(&c).is_some(),
            on_pr,
            "{}",
            p.display()
        );
        n += 1;
    }
    assert!(n >= 50, "decoded {n} webhook objects");
}

/// Workflow runs and workflows as GitHub sends them: the OpenAPI example of the runs list and the
/// `workflow_run` / `workflow` objects of webhook deliveries (the same schema as the REST list),
/// with their nulls and odd fields — no `path` or `display_title` on older runs, `name: ""`, a
/// `path` ending in `@ref`, `status` "queued" in a `completed` delivery, events such as
/// `workflow_dispatch`, `repository_dispatch`, `pull_request` and `dynamic` (GitHub Pages).
#[test]
fn workflow_runs_decode_and_only_the_right_ones_are_deployments() {
    use bosun_connectors::github::actions::{self, DeployRule};
    use bosun_core::model::{DeploymentKind, RunOutcome};

    let list: api::WorkflowRuns = decode(
        &fixture("openapi/actions_list-workflow-runs-for-repo__200__default.json"),
        "workflow runs",
    );
    assert_eq!(list.total_count, Some(1));
    let run = &list.workflow_runs[0];
    assert_eq!(run.id, 30_433_642);
    assert_eq!(
        run.path.as_deref(),
        Some(".github/workflows/build.yml@main")
    );
    assert_eq!(actions::file_stem(run.path.as_deref().unwrap()), "build");
    assert_eq!(
        (
            run.head_branch.as_deref(),
            run.event.as_str(),
            run.run_attempt
        ),
        (Some("master"), "push", Some(1))
    );
    // Queued: not a deployment yet, whatever the branch.
    assert_eq!(
        RunOutcome::of(run.status.as_deref().unwrap(), run.conclusion.as_deref()),
        RunOutcome::Running
    );
    let rule = DeployRule::new(&["build.yml".into()], None);
    assert!(actions::is_candidate(run, "master", &rule, &[]));
    assert!(!actions::is_candidate(run, "main", &rule, &[]));
    let workflow = api::Workflow {
        id: run.workflow_id,
        name: run.name.clone().unwrap_or_default(),
        path: run.path.clone().unwrap_or_default(),
        state: None,
        html_url: None,
    };
    assert!(rule.is_deploy_workflow(&workflow));
    let d = normalize::workflow_run_deployment(run, &workflow, "production", true);
    assert_eq!(d.kind, DeploymentKind::WorkflowRun);
    assert_eq!(
        (
            d.external_id.as_str(),
            d.sha.as_str(),
            d.ref_name.as_deref()
        ),
        (
            "30433642",
            "acb5820ced9479c074f688cc328bf03f341a511d",
            Some("master")
        )
    );
    assert_eq!(d.task.as_deref(), Some(".github/workflows/build.yml"));
    assert_eq!(d.description.as_deref(), Some("Update README.md"));
    assert_eq!(
        d.creator.as_ref().and_then(|a| a.login.as_deref()),
        Some("octocat")
    );

    // Webhook deliveries: (file, outcome, counts under the default-branch rule on their branch).
    let mut seen = 0;
    for (p, v) in webhooks("workflow_run") {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let run: api::WorkflowRun = decode(&v["workflow_run"], &name);
        let wf: api::Workflow = decode(&v["workflow"], &name);
        assert_eq!(wf.id, run.workflow_id, "{name}");
        let outcome = RunOutcome::of(
            run.status.as_deref().unwrap_or(""),
            run.conclusion.as_deref(),
        );
        let branch = run.head_branch.clone().unwrap_or_default();
        let rule = DeployRule::new(std::slice::from_ref(&wf.path), None);
        assert!(rule.is_deploy_workflow(&wf), "{name}");
        let candidate = actions::is_candidate(&run, &branch, &rule, &[]);
        let rec = normalize::workflow_run_deployment(&run, &wf, "production", true);
        // The description falls back past a missing title and an empty name.
        assert!(
            !rec.description.as_deref().unwrap_or("").is_empty(),
            "{name}"
        );
        match name.as_str() {
            // A manual dispatch on main, still queued although delivered as "completed".
            "workflow_run.completed.0.json" => {
                assert!(run.path.is_none() && run.display_title.is_none());
                assert_eq!(outcome, RunOutcome::Running);
                assert!(candidate);
                // No title: the head commit's subject.
                assert_eq!(
                    rec.description.as_deref(),
                    Some("Update milestone-created.yml")
                );
                assert!(rec.creator.is_none(), "no actor in this delivery");
            }
            // repository_dispatch with `name: ""`: succeeded, but not a push or a dispatch.
            "workflow_run.completed.1.json" | "workflow_run.completed.2.json" => {
                assert_eq!(run.name.as_deref(), Some(""));
                assert_eq!(outcome, RunOutcome::Deployed);
                assert!(!candidate);
                assert_eq!(rec.statuses[0].state, "success");
            }
            "workflow_run.requested.3.json" => assert_eq!(outcome, RunOutcome::Running),
            // Completed with `action_required`: deployed nothing.
            "workflow_run.requested.4.json" => {
                assert_eq!(outcome, RunOutcome::NotDeployed);
                assert!(!outcome.is_deployment());
            }
            other => panic!("unexpected fixture {other}"),
        }
        seen += 1;
    }
    assert_eq!(seen, 5);

    // A GitHub Pages deployment names the dynamic workflow run that made it.
    let pages = fixture("webhooks/deployment.created.1.json");
    let run: api::WorkflowRun = decode(&pages["workflow_run"], "pages workflow_run");
    let wf: api::Workflow = decode(&pages["workflow"], "pages workflow");
    assert_eq!(
        (run.event.as_str(), wf.path.as_str()),
        ("dynamic", "dynamic/pages/pages-build-deployment")
    );
    assert!(actions::looks_like_deploy(&wf.name, &wf.path));
    assert!(!actions::is_candidate(
        &run,
        "gh-pages",
        &DeployRule::new(&["pages-build-deployment".into()], None),
        &[]
    ));
    // A pull request run waiting for an environment's reviewers.
    let review = fixture("webhooks/deployment_review.requested.0.json");
    let run: api::WorkflowRun = decode(&review["workflow_run"], "deployment review run");
    assert_eq!(
        (run.event.as_str(), run.status.as_deref()),
        ("pull_request", Some("waiting"))
    );
    assert_eq!(
        RunOutcome::of(run.status.as_deref().unwrap(), run.conclusion.as_deref()),
        RunOutcome::Running
    );
}

/// A real `/pulls/{n}/files` answer (PyGithub's recording of its own pull request 31): every
/// file decodes, with its status and line counts, patches and all.
#[test]
fn pull_request_files_decode() {
    let files: Vec<api::PullFile> = decode(
        &fixture("pygithub/pulls_31_files.json"),
        "pull request files",
    );
    assert_eq!(files.len(), 45);
    let first = normalize::pull_file(&files[0]);
    assert_eq!(
        (
            first.path.as_str(),
            first.status.as_str(),
            first.additions,
            first.deletions
        ),
        ("codegen/templates/GithubObject.py", "modified", 1, 1)
    );
    let under_src = files
        .iter()
        .filter(|f| f.filename.starts_with("src/"))
        .count();
    assert_eq!(under_src, 38);
    assert!(files.iter().all(|f| f.previous_filename.is_none()));
}
