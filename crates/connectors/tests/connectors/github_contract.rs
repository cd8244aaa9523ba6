//! The GitHub connector's contract, over real HTTP against the fake GitHub: complete data through
//! pagination, conditional re-syncs, both rate limits, retries, and clear failures that leave no
//! half-written records behind.

use crate::support::{harness, world};
use bosun_connectors::ConnectorError;
use bosun_connectors::events::Event;
use bosun_core::{Code, HasCode};
use bosun_fakes::faults::{Burst, FaultConfig, PrimaryLimit, SecondaryLimit};
use std::collections::HashSet;
use std::time::Instant;

struct Expected {
    pulls: i64,
    reviews: i64,
    commits: i64,
    deployments: i64,
    statuses: i64,
    review_comments: i64,
    issue_comments: i64,
    events: i64,
    check_runs: i64,
    releases: i64,
    tags: i64,
    codeowners: i64,
}

fn expected() -> Expected {
    let w = world();
    let mut e = Expected {
        pulls: 0,
        reviews: 0,
        commits: 0,
        deployments: 0,
        statuses: 0,
        review_comments: 0,
        issue_comments: 0,
        events: 0,
        check_runs: 0,
        releases: 0,
        tags: 0,
        codeowners: 0,
    };
    for r in &w.repos {
        e.pulls += r.pulls.len() as i64;
        e.reviews += r.pulls.iter().map(|p| p.reviews.len() as i64).sum::<i64>();
        e.events += r.pulls.iter().map(|p| p.events.len() as i64).sum::<i64>();
        e.commits += r.commits.len() as i64;
        // A repository delivering through Actions shows no GitHub deployments (and this source
        // names no deploy workflow: see `actions.rs` for its runs).
        e.deployments += r.github_deployments().len() as i64;
        e.statuses += r
            .github_deployments()
            .iter()
            .map(|d| d.statuses.len() as i64)
            .sum::<i64>();
        e.review_comments += r.review_comments.len() as i64;
        e.issue_comments += r.issue_comments.len() as i64;
        let heads: HashSet<&str> = r.pulls.iter().filter_map(|p| p.head_sha(r)).collect();
        e.check_runs += r
            .check_runs
            .iter()
            .filter(|c| heads.contains(c.head_sha.as_str()))
            .count() as i64;
        e.releases += r.releases.len() as i64;
        e.tags += r.tags.len() as i64;
        e.codeowners += bosun_core::model::parse_codeowners(&r.codeowners).len() as i64;
    }
    e
}

pub async fn assert_complete(h: &crate::support::Harness) {
    let e = expected();
    assert_eq!(
        h.count("SELECT count(*) FROM pull_requests").await,
        e.pulls,
        "pull requests"
    );
    assert_eq!(
        h.count("SELECT count(*) FROM reviews").await,
        e.reviews,
        "reviews"
    );
    assert_eq!(
        h.count("SELECT count(*) FROM commits").await,
        e.commits,
        "commits"
    );
    assert_eq!(
        h.count("SELECT count(*) FROM deployments").await,
        e.deployments,
        "deployments"
    );
    assert_eq!(
        h.count("SELECT count(*) FROM deployment_statuses").await,
        e.statuses,
        "deployment statuses"
    );
    assert_eq!(
        h.count("SELECT count(*) FROM pr_comments WHERE kind = 'review'")
            .await,
        e.review_comments,
        "review comments"
    );
    assert_eq!(
        h.count("SELECT count(*) FROM pr_comments WHERE kind = 'issue'")
            .await,
        e.issue_comments,
        "issue comments"
    );
    assert_eq!(
        h.count("SELECT count(*) FROM pr_events").await,
        e.events,
        "timeline events"
    );
    assert_eq!(
        h.count("SELECT count(*) FROM check_runs").await,
        e.check_runs,
        "check runs"
    );
    assert_eq!(
        h.count("SELECT count(*) FROM releases").await,
        e.releases,
        "releases"
    );
    assert_eq!(h.count("SELECT count(*) FROM tags").await, e.tags, "tags");
    assert_eq!(
        h.count("SELECT count(*) FROM code_owners").await,
        e.codeowners,
        "code owners"
    );
    assert_no_half_written_pull_requests(h).await;
}

/// Every stored pull request has all of its commits (they are written in one transaction).
async fn assert_no_half_written_pull_requests(h: &crate::support::Harness) {
    let incomplete = h
        .count("SELECT count(*) FROM pull_requests p WHERE coalesce(p.commits_count, -1) <> (SELECT count(*) FROM pr_commits c WHERE c.pr_id = p.id)")
        .await;
    assert_eq!(
        incomplete, 0,
        "pull requests stored without all their commits"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_stores_the_whole_world_through_pagination() {
    let h = harness().await;
    let stats = h.sync().await.unwrap();
    assert_complete(&h).await;
    assert!(
        stats.requests > stats.pull_requests_fetched * 4,
        "per-PR endpoints were fetched"
    );
    // Merged PRs keep their merge commit, and squash commits name their PR.
    let squash_named = h
        .count(
            "SELECT count(*) FROM pull_requests p JOIN repos r ON r.id = p.repo_id JOIN commits c
               ON c.repo_id = p.repo_id AND c.sha = p.merge_commit_sha
             WHERE r.name = 'harbor-gateway' AND c.message LIKE '%(#' || p.number || ')%'",
        )
        .await;
    assert!(squash_named > 10);
    // Bots are flagged, drafts kept, flaky re-runs visible.
    assert!(
        h.count("SELECT count(*) FROM accounts WHERE is_bot = 1 AND login = 'dependabot[bot]'")
            .await
            == 1
    );
    assert!(
        h.count("SELECT count(*) FROM pull_requests WHERE draft = 1")
            .await
            >= 1
    );
    let reruns = h
        .count(
            "SELECT count(*) FROM check_runs a JOIN check_runs b ON a.repo_id = b.repo_id AND a.head_sha = b.head_sha
               AND a.name = b.name AND a.id <> b.id WHERE a.conclusion = 'failure' AND b.conclusion = 'success'",
        )
        .await;
    assert!(reruns >= 1, "flaky check re-runs stored");
    // Raw payloads are kept, compressed, for re-derivation.
    assert!(
        h.count("SELECT count(*) FROM raw_payloads WHERE kind = 'github.pull'")
            .await
            == expected().pulls
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_pages_are_followed_through_link_headers() {
    let h = crate::support::harness_with(bosun_connectors::github::GithubSettings {
        owner: "tidewater".into(),
        per_page: Some(7),
        ..Default::default()
    })
    .await;
    h.sync().await.unwrap();
    assert_complete(&h).await;
    // With 7 items a page every list of more than 7 took several requests.
    let stats = h.fake.faults.stats();
    assert!(
        stats.by_route["/repos/{owner}/{repo}/pulls"]
            >= world()
                .repos
                .iter()
                .map(|r| r.pulls.len().div_ceil(7) as u64)
                .sum::<u64>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resync_with_nothing_changed_only_sends_conditional_requests() {
    let h = harness().await;
    h.sync().await.unwrap();
    h.fake.faults.reset_stats();
    let stats = h.sync().await.unwrap();
    assert_eq!(stats.pull_requests_fetched, 0);
    let served = h.fake.faults.stats();
    let non_304: u64 = served
        .by_status
        .iter()
        .filter(|(s, _)| **s != 304)
        .map(|(_, n)| *n)
        .sum();
    // Only the repository listing (which GitHub cannot answer conditionally per page) is a 200.
    assert_eq!(non_304, 1, "{served:?}");
    assert!(served.not_modified >= 6 * 7, "{served:?}");
    assert_complete(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_primary_rate_limit_is_waited_out_until_reset() {
    let h = harness().await;
    h.fake.faults.set(FaultConfig {
        primary_rate_limit: Some(PrimaryLimit {
            remaining: 40,
            reset_after_secs: 2,
        }),
        ..Default::default()
    });
    let started = Instant::now();
    h.sync().await.unwrap();
    assert!(
        started.elapsed().as_secs_f64() >= 1.0,
        "waited for the reset"
    );
    assert!(
        h.sink
            .events()
            .iter()
            .any(|e| matches!(e, Event::RateLimited { .. }))
    );
    assert!(
        h.fake
            .faults
            .stats()
            .by_status
            .get(&403)
            .copied()
            .unwrap_or(0)
            >= 1
    );
    assert_complete(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secondary_rate_limit_honours_retry_after() {
    let h = harness().await;
    h.fake.faults.set(FaultConfig {
        secondary_rate_limit: Some(SecondaryLimit {
            requests: 3,
            retry_after_secs: 1,
            status: 429,
            no_retry_after: false,
        }),
        ..Default::default()
    });
    let started = Instant::now();
    h.sync().await.unwrap();
    assert!(started.elapsed().as_secs_f64() >= 1.0);
    assert_eq!(h.fake.faults.stats().by_status.get(&429).copied(), Some(3));
    assert_complete(&h).await;
    // 403 flavour of the secondary limit too.
    let h = harness().await;
    h.fake.faults.set(FaultConfig {
        secondary_rate_limit: Some(SecondaryLimit {
            requests: 2,
            retry_after_secs: 1,
            status: 403,
            no_retry_after: false,
        }),
        ..Default::default()
    });
    h.sync().await.unwrap();
    assert_complete(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abuse_detection_403_without_retry_after_waits_and_backs_off() {
    // GitHub's older secondary limit: 403, "abuse detection" wording, no Retry-After. It used to
    // fail the sync as a plain 403; now the client waits (the harness's secondary_wait stands
    // for GitHub's minute) and doubles the wait each time it repeats.
    let h = harness().await;
    h.fake.faults.set(FaultConfig {
        secondary_rate_limit: Some(SecondaryLimit {
            requests: 2,
            retry_after_secs: 0,
            status: 403,
            no_retry_after: true,
        }),
        ..Default::default()
    });
    let started = Instant::now();
    h.sync().await.unwrap();
    assert_eq!(h.fake.faults.stats().by_status.get(&403).copied(), Some(2));
    let waits: Vec<u64> = h
        .sink
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::RateLimited { wait_secs, .. } => Some(*wait_secs),
            _ => None,
        })
        .collect();
    assert_eq!(waits.len(), 2, "{waits:?}");
    // At least the 300 ms wait (two requests in flight may each wait once, side by side).
    assert!(
        started.elapsed().as_secs_f64() >= 0.3,
        "{:?}",
        started.elapsed()
    );
    assert_complete(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_sub_resource_of_one_pull_request_is_a_warning_and_the_sync_goes_on() {
    // Every repository's PR #5 has its reviews refused (403, not a rate limit): that used to
    // fail the repository's whole sync. Now the PR is kept without its reviews, with a warning,
    // and everything else arrives.
    let h = harness().await;
    h.fake.faults.set(FaultConfig {
        server_errors: Some(Burst {
            count: 10_000,
            path_contains: Some("/pulls/5/reviews".into()),
            status: 403,
        }),
        ..Default::default()
    });
    let stats = h.sync().await.unwrap();
    let w = world();
    let refused: Vec<&str> = w
        .repos
        .iter()
        .filter(|r| r.pulls.iter().any(|p| p.number == 5))
        .map(|r| r.name.as_str())
        .collect();
    assert!(!refused.is_empty());
    assert_eq!(stats.warnings.len(), refused.len(), "{:?}", stats.warnings);
    assert!(
        stats
            .warnings
            .iter()
            .all(|m| m.contains("#5: reviews refused (HTTP 403")),
        "{:?}",
        stats.warnings
    );
    let lost: i64 = w
        .repos
        .iter()
        .flat_map(|r| r.pulls.iter().filter(|p| p.number == 5))
        .map(|p| p.reviews.len() as i64)
        .sum();
    let e = expected();
    assert_eq!(h.count("SELECT count(*) FROM pull_requests").await, e.pulls);
    assert_eq!(
        h.count("SELECT count(*) FROM reviews").await,
        e.reviews - lost
    );
    assert_eq!(h.count("SELECT count(*) FROM commits").await, e.commits);
    assert_eq!(
        h.count("SELECT count(*) FROM deployments").await,
        e.deployments
    );
}

async fn display_name(h: &crate::support::Harness, login: &str) -> Option<String> {
    let l = login.to_string();
    h.db.read(move |s| {
        s.conn()
            .query_row(
                "SELECT display_name FROM accounts WHERE provider = 'github' AND login = ?1",
                [&l],
                |r| r.get::<_, Option<String>>(0),
            )
            .map_err(crate::support::sql_err)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nameless_profile_is_asked_for_weekly_not_on_every_sync() {
    let h = harness().await;
    h.sync().await.unwrap();
    let login: String = h
        .db
        .read(|s| {
            s.conn().query_row(
                "SELECT login FROM accounts WHERE provider = 'github' AND is_bot = 0 ORDER BY login LIMIT 1",
                [],
                |r| r.get(0),
            ).map_err(crate::support::sql_err)
        })
        .await
        .unwrap();
    // The user shows no public name (as most real GitHub users do).
    let l = login.clone();
    h.db.write(move |tx| {
        tx.execute(
            "UPDATE accounts SET display_name = NULL WHERE provider = 'github' AND login = ?1",
            [&l],
        )
        .map_err(crate::support::sql_err)?;
        Ok(())
    })
    .await
    .unwrap();
    // Asked for in the first sync: a re-sync in the same week does not ask again...
    h.sync_at(
        bosun_fakes::DEMO_TOKEN,
        crate::support::as_of_ts() + 3 * 86_400,
    )
    .await
    .unwrap();
    assert_eq!(display_name(&h, &login).await, None);
    // ...a week later it does (and the profile's name arrives).
    h.sync_at(
        bosun_fakes::DEMO_TOKEN,
        crate::support::as_of_ts() + 8 * 86_400,
    )
    .await
    .unwrap();
    assert!(display_name(&h, &login).await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_with_backoff() {
    let h = harness().await;
    // Fewer failures in a row than the client's attempts: every request eventually succeeds.
    h.fake.faults.set(FaultConfig {
        server_errors: Some(Burst {
            count: 3,
            path_contains: None,
            status: 502,
        }),
        ..Default::default()
    });
    h.sync().await.unwrap();
    let retries = h
        .sink
        .events()
        .iter()
        .filter(|e| matches!(e, Event::Retrying { .. }))
        .count();
    assert_eq!(retries, 3, "one retry per failure");
    assert_complete(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_that_keeps_failing_gives_a_clear_error_and_loses_nothing() {
    let h = harness().await;
    h.sync().await.unwrap();
    // Everything below /pulls/ now fails for good.
    h.fake.faults.set(FaultConfig {
        server_errors: Some(Burst {
            count: 10_000,
            path_contains: Some("/pulls".into()),
            status: 503,
        }),
        ..Default::default()
    });
    let err = h.sync().await.unwrap_err();
    assert_eq!(err.code(), Code::ProviderUnavailable, "{err}");
    assert!(err.to_string().contains("HTTP 503"), "{err}");
    assert_complete(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_fails_clearly_and_writes_no_half_records_then_recovers() {
    let h = harness().await;
    h.fake.faults.set(FaultConfig {
        malformed: Some(Burst {
            count: 1,
            path_contains: Some("/reviews".into()),
            status: 200,
        }),
        ..Default::default()
    });
    let err = h.sync().await.unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.code(), Code::MalformedPayload, "{msg}");
    assert!(
        msg.contains("/reviews") && msg.contains("malformed response"),
        "{msg}"
    );
    assert_no_half_written_pull_requests(&h).await;
    // The PR whose reviews were malformed was not written at all.
    let broken: i64 = h.count("SELECT count(*) FROM pull_requests p WHERE NOT EXISTS (SELECT 1 FROM pr_commits c WHERE c.pr_id = p.id)").await;
    assert_eq!(broken, 0);
    h.fake.faults.clear();
    h.sync().await.unwrap();
    assert_complete(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_json_is_reported_as_truncated() {
    let h = harness().await;
    h.fake.faults.set(FaultConfig {
        truncate: Some(Burst {
            count: 1,
            path_contains: Some("/deployments".into()),
            status: 200,
        }),
        ..Default::default()
    });
    let err = h.sync().await.unwrap_err();
    assert!(matches!(err, ConnectorError::Malformed { .. }), "{err}");
    assert!(err.to_string().contains("truncated"), "{err}");
    h.fake.faults.clear();
    h.sync().await.unwrap();
    assert_complete(&h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_an_auth_error() {
    let h = harness().await;
    let err = h.sync_with("not-the-token").await.unwrap_err();
    assert_eq!(err.code(), Code::Auth, "{err}");
    assert!(
        !err.to_string().contains("not-the-token"),
        "the token never appears in errors"
    );
    assert_eq!(h.count("SELECT count(*) FROM pull_requests").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_responses_time_out_and_are_retried() {
    let h = harness().await;
    h.fake.faults.set(FaultConfig {
        delay_ms: Some(30),
        ..Default::default()
    });
    // Delay on every response still syncs (just slower); the timeout path is covered by
    // the HTTP client's own tests.
    h.sync().await.unwrap();
    assert_complete(&h).await;
}
