//! A small sync's worth of writes, through the store functions the connectors use, in one
//! transaction: in the busiest repository a new pull request (two commits, a review) is
//! squash-merged and deployed to production, an incident on its service gets a note naming that
//! deployment, and a ticket moves to done. Shared by the metrics cache test and benchmark.

use bosun_core::model::{
    Account, Commit, Deployment, DeploymentKind, DeploymentStatus, PrState, Provider, PullRequest,
    PullRequestBundle, Review,
};
use bosun_store::code;
use bosun_store::rusqlite::{Connection, OptionalExtension, params};

#[allow(dead_code)] // the test reads these, the benchmark does not
pub struct SmallSync {
    pub repo: i64,
    pub deployment_external_id: String,
}

fn account(conn: &Connection, id: i64) -> Account {
    conn.query_row(
        "SELECT external_id, login FROM accounts WHERE id = ?1",
        [id],
        |r| {
            Ok(Account {
                provider: Provider::Github,
                external_id: r.get(0)?,
                login: r.get(1)?,
                display_name: None,
                email: None,
                is_bot: false,
                html_url: None,
            })
        },
    )
    .expect("the account")
}

/// Write it all in `store`, in one transaction.
pub fn apply(store: &mut bosun_store::Store, at: i64, n: u32) -> SmallSync {
    let tx = store.begin().unwrap();
    let (repo, head, number): (i64, String, i64) = tx
        .query_row(
            "SELECT d.repo_id, (SELECT sha FROM commits c WHERE c.repo_id = d.repo_id AND on_default_branch = 1 ORDER BY committed_at DESC, sha LIMIT 1),
                    (SELECT max(number) FROM pull_requests p WHERE p.repo_id = d.repo_id)
             FROM deployments d WHERE d.kind = 'github_deployment' GROUP BY d.repo_id ORDER BY count(*) DESC, d.repo_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let (author, reviewer): (i64, i64) = tx
        .query_row(
            "SELECT p.author_account_id, r.reviewer_account_id FROM pull_requests p JOIN reviews r ON r.pr_id = p.id
             JOIN accounts a ON a.id = p.author_account_id
             WHERE p.repo_id = ?1 AND r.reviewer_account_id != p.author_account_id AND NOT a.is_bot AND a.login NOT LIKE '%[bot]'
             ORDER BY p.number DESC LIMIT 1",
            [repo],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
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
    let incident: Option<i64> = tx
        .query_row(
            "SELECT i.id FROM incidents i JOIN services s ON s.id = i.service_id JOIN repos r ON r.service = s.key WHERE r.id = ?1 ORDER BY i.created_at DESC LIMIT 1",
            [repo],
            |r| r.get(0),
        )
        .optional()
        .unwrap();
    if let Some(incident) = incident {
        tx.execute(
            "INSERT INTO incident_log_entries (incident_id, external_id, kind, created_at, summary) VALUES (?1, ?2, 'annotate', ?3, ?4)",
            params![incident, format!("small-note-{n}"), at + 600, format!("Started after deployment {external}")],
        )
        .unwrap();
    }
    tx.execute(
        "UPDATE tickets SET status = 'Done', status_category = 'done', resolved_at = ?1, updated_at = ?1
         WHERE id = (SELECT id FROM tickets WHERE status_category != 'done' ORDER BY id LIMIT 1)",
        [at],
    )
    .unwrap();
    tx.commit().unwrap();
    SmallSync {
        repo,
        deployment_external_id: external,
    }
}
