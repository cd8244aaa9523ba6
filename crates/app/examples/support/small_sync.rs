//! A small sync's worth of writes, through the store functions the connectors use, in one
//! transaction: in the busiest repository a new pull request (two commits, a review) is
//! squash-merged and deployed to production, an incident on its service gets a note naming that
//! deployment, and a ticket moves to done. Shared by the metrics cache test and benchmark.

use bosun_core::model::{
    Account, Commit, Deployment, DeploymentKind, DeploymentStatus, PrState, Provider, PullRequest,
    PullRequestBundle, Review,
};
use bosun_store::Connection;
use bosun_store::{code, fixtures};

#[allow(dead_code)] // the test reads these, the benchmark does not
pub struct SmallSync {
    pub repo: i64,
    pub deployment_external_id: String,
}

fn account(conn: &Connection, id: i64) -> Account {
    let (external_id, login) = fixtures::account_handle(conn, id)
        .unwrap()
        .expect("the account");
    Account {
        provider: Provider::Github,
        external_id,
        login,
        display_name: None,
        email: None,
        is_bot: false,
        html_url: None,
    }
}

/// Write it all in `store`, in one transaction.
pub fn apply(store: &mut bosun_store::Store, at: i64, n: u32) -> SmallSync {
    let tx = store.begin().unwrap();
    let busiest = fixtures::busiest_deployed_repo(&tx).unwrap().unwrap();
    let (repo, head, number) = (busiest.repo_id, busiest.head_sha, busiest.last_pr_number);
    let (author, reviewer) = fixtures::last_reviewed_pair(&tx, repo).unwrap().unwrap();
    let (author, reviewer) = (account(&tx, author), account(&tx, reviewer));
    let sha = |k: &str| format!("{:0>40}", format!("{n:x}{k}"));
    let commit = |s: String, parent: &str, t: i64, msg: &str| Commit {
        sha: s,
        author_name: author.login.clone(),
        author_email: None,
        author: Some(author.clone()),
        authored_at: t,
        committer_name: author.login.clone(),
        committer_email: None,
        committer: Some(author.clone()),
        committed_at: t,
        message: msg.into(),
        parents: vec![parent.to_string()],
        html_url: None,
    };
    let (c1, c2, squash) = (sha("a1"), sha("a2"), sha("5a"));
    let number = number + 1;
    let bundle = PullRequestBundle {
        pr: PullRequest {
            external_id: format!("small-{n}"),
            number,
            title: format!("Small change {n}"),
            body: None,
            state: PrState::Closed,
            draft: false,
            merged: true,
            author: Some(author.clone()),
            created_at: at - 7200,
            updated_at: at - 1800,
            closed_at: Some(at - 1800),
            merged_at: Some(at - 1800),
            merged_by: Some(author.clone()),
            merge_commit_sha: Some(squash.clone()),
            head_sha: Some(c2.clone()),
            head_ref: Some(format!("small-{n}")),
            base_ref: Some("main".into()),
            additions: Some(42),
            deletions: Some(7),
            changed_files: Some(3),
            commits_count: Some(2),
            labels: vec![],
            html_url: None,
            requested_reviewers: vec![],
            requested_teams: vec![],
        },
        commits: vec![
            commit(c1.clone(), &head, at - 9000, "First step"),
            commit(c2.clone(), &c1, at - 8000, "Second step"),
        ],
        reviews: vec![Review {
            external_id: format!("small-review-{n}"),
            reviewer: Some(reviewer),
            state: "APPROVED".into(),
            submitted_at: Some(at - 3600),
            body: None,
            commit_sha: Some(c2.clone()),
            html_url: None,
        }],
        check_runs: vec![],
        events: vec![],
        files: vec![],
    };
    code::upsert_pull_request(&tx, repo, &bundle).unwrap();
    for c in &bundle.commits {
        code::upsert_commit(&tx, repo, c, false).unwrap();
    }
    code::upsert_commit(
        &tx,
        repo,
        &commit(
            squash.clone(),
            &head,
            at - 1800,
            &format!("Small change {n} (#{number})"),
        ),
        true,
    )
    .unwrap();
    let external = format!("{}", 990_000_000 + u64::from(n));
    let deployment = Deployment {
        external_id: external.clone(),
        kind: DeploymentKind::GithubDeployment,
        sha: squash,
        ref_name: Some("main".into()),
        environment: "production".into(),
        production: true,
        task: Some("deploy".into()),
        description: None,
        creator: Some(author),
        created_at: at - 900,
        updated_at: Some(at),
        payload: None,
        statuses: vec![DeploymentStatus {
            external_id: format!("{external}-1"),
            state: "success".into(),
            description: None,
            environment: Some("production".into()),
            created_at: at,
            log_url: None,
        }],
    };
    code::upsert_deployment(&tx, repo, &deployment).unwrap();
    if let Some(incident) = fixtures::last_incident_of_repo(&tx, repo).unwrap() {
        fixtures::add_incident_note(
            &tx,
            incident,
            &format!("small-note-{n}"),
            at + 600,
            &format!("Started after deployment {external}"),
        )
        .unwrap();
    }
    fixtures::finish_first_open_ticket(&tx, at).unwrap();
    tx.commit().unwrap();
    SmallSync {
        repo,
        deployment_external_id: external,
    }
}
