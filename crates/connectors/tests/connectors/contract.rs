//! One contract every HTTP connector passes, against its fake provider over real HTTP:
//! the whole world arrives (through pagination), a re-sync changes nothing, rate limits and
//! server errors are ridden out, malformed and truncated payloads fail clearly without
//! half-written records, and a sync aborted at any moment resumes to exactly the same rows.

use crate::support::{as_of_ts, fast_http, world};
use bosun_connectors::Db;
use bosun_connectors::engine::{self, SyncJob};
use bosun_connectors::events::{Event, VecSink};
use bosun_core::{Code, FixedClock, Sensitive};
use bosun_demo::World;
use bosun_fakes::faults::{Burst, FaultConfig, SecondaryLimit};
use bosun_fakes::{RunningFake, ServeOptions};
use bosun_store::Store;
use bosun_store::sync_state::{self, NewSource};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Github,
    Gitlab,
    Linear,
    Jira,
    PagerDuty,
    Slack,
}

pub struct Provider {
    pub kind: Kind,
    pub fake: RunningFake,
    pub _dir: tempfile::TempDir,
    pub db: Db,
    pub sink: Arc<VecSink>,
}

fn kind_of(k: Kind) -> bosun_core::model::Provider {
    use bosun_core::model::Provider;
    match k {
        Kind::Github => Provider::Github,
        Kind::Gitlab => Provider::Gitlab,
        Kind::Linear => Provider::Linear,
        Kind::Jira => Provider::Jira,
        Kind::PagerDuty => Provider::Pagerduty,
        Kind::Slack => Provider::Slack,
    }
}

/// A path fragment each provider serves many list pages from (for fault injection).
pub fn list_path(k: Kind) -> &'static str {
    match k {
        Kind::Github => "/pulls",
        Kind::Gitlab => "/merge_requests",
        Kind::Linear => "/graphql",
        Kind::Jira => "/search",
        Kind::PagerDuty => "/log_entries",
        Kind::Slack => "conversations.history",
    }
}

pub async fn provider(kind: Kind) -> Provider {
    let w = world();
    let opts = ServeOptions::default();
    let (fake, settings) = match kind {
        Kind::Github => (
            bosun_fakes::start_github(w.clone(), &opts).await.unwrap(),
            json!({"owner": "tidewater"}),
        ),
        Kind::Gitlab => (
            bosun_fakes::start_gitlab(w.clone(), &opts).await.unwrap(),
            json!({"group": "tidewater", "per_page": 30}),
        ),
        Kind::Linear => (
            bosun_fakes::start_linear(w.clone(), &opts).await.unwrap(),
            json!({"page_size": 20}),
        ),
        Kind::Jira => (
            bosun_fakes::start_jira(w.clone(), &opts).await.unwrap(),
            json!({"project": "TIDE", "email": "maya.okafor@tidewater.dev", "web_url": "https://tidewater.atlassian.net", "page_size": 40}),
        ),
        Kind::PagerDuty => (
            bosun_fakes::start_pagerduty(w.clone(), &opts)
                .await
                .unwrap(),
            json!({}),
        ),
        Kind::Slack => (
            bosun_fakes::start_slack(w.clone(), &opts).await.unwrap(),
            json!({"channels": ["*"]}),
        ),
    };
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bosun.db")).unwrap();
    store
        .write(|tx| {
            sync_state::add_source(
                tx,
                &NewSource {
                    kind: kind_of(kind),
                    name: kind_of(kind).as_str(),
                    base_url: Some(&fake.base_url),
                    settings: settings.clone(),
                    demo: false,
                },
                0,
            )
        })
        .unwrap();
    Provider {
        kind,
        fake,
        _dir: dir,
        db: Db::new(store),
        sink: Arc::new(VecSink::default()),
    }
}

impl Provider {
    /// Sync through the engine (as the app does); the error of the source, if any.
    pub async fn sync(&self) -> Result<(), (Code, String)> {
        let source = self
            .db
            .read(|s| Ok(sync_state::sources(s.conn())?.remove(0)))
            .await
            .unwrap();
        let job = SyncJob {
            source,
            token: Some(Sensitive::new(bosun_fakes::DEMO_TOKEN.to_string())),
        };
        let out = engine::run(
            &self.db,
            vec![job],
            &fast_http(),
            &FixedClock(bosun_core::time::from_ts(as_of_ts())),
            self.sink.clone(),
        )
        .await
        .unwrap();
        match out[0].error.clone() {
            None => Ok(()),
            Some(e) => Err((out[0].error_code.unwrap_or(Code::Internal), e)),
        }
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let sql = sql.to_string();
        self.db
            .read(move |s| {
                s.conn()
                    .query_row(&sql, [], |r| r.get(0))
                    .map_err(crate::support::sql_err)
            })
            .await
            .unwrap()
    }

    pub async fn dump(&self) -> Vec<String> {
        self.db
            .read(|s| Ok(bosun_store::dump::canonical(s.conn())?))
            .await
            .unwrap()
    }
}

/// (what, SQL count, expected from the world).
pub fn expectations(kind: Kind, w: &World) -> Vec<(&'static str, &'static str, i64)> {
    match kind {
        Kind::Github => vec![
            (
                "pull requests",
                "SELECT count(*) FROM pull_requests",
                w.repos.iter().map(|r| r.pulls.len() as i64).sum(),
            ),
            (
                "reviews",
                "SELECT count(*) FROM reviews",
                w.repos
                    .iter()
                    .flat_map(|r| &r.pulls)
                    .map(|p| p.reviews.len() as i64)
                    .sum(),
            ),
            (
                "commits",
                "SELECT count(*) FROM commits",
                w.repos.iter().map(|r| r.commits.len() as i64).sum(),
            ),
            (
                "deployments",
                "SELECT count(*) FROM deployments",
                w.repos
                    .iter()
                    .map(|r| r.github_deployments().len() as i64)
                    .sum(),
            ),
        ],
        Kind::Gitlab => gitlab_expectations(w),
        Kind::Linear => linear_expectations(w),
        Kind::Jira => vec![
            (
                "tickets",
                "SELECT count(*) FROM tickets",
                w.tickets.len() as i64,
            ),
            (
                "changelog items",
                "SELECT count(*) FROM ticket_changes",
                w.tickets
                    .iter()
                    .flat_map(|t| &t.changelog)
                    .map(|c| c.items.len() as i64)
                    .sum(),
            ),
            (
                "sprints",
                "SELECT count(*) FROM sprints",
                w.sprints.len() as i64,
            ),
            (
                "links",
                "SELECT count(*) FROM ticket_links",
                w.tickets.iter().map(|t| t.links.len() as i64).sum(),
            ),
            (
                "flagged",
                "SELECT count(*) FROM tickets WHERE flagged = 1",
                w.tickets.iter().filter(|t| t.flagged).count() as i64,
            ),
            (
                "resolved",
                "SELECT count(*) FROM tickets WHERE resolved_at IS NOT NULL",
                w.tickets.iter().filter(|t| t.resolved_at.is_some()).count() as i64,
            ),
            (
                "status periods",
                "SELECT count(*) FROM ticket_status_periods",
                w.tickets
                    .iter()
                    .map(|t| {
                        1 + t
                            .changelog
                            .iter()
                            .flat_map(|c| &c.items)
                            .filter(|i| i.field == "status")
                            .count() as i64
                    })
                    .sum(),
            ),
        ],
        Kind::PagerDuty => vec![
            (
                "incidents",
                "SELECT count(*) FROM incidents",
                w.incidents.len() as i64,
            ),
            (
                "log entries",
                "SELECT count(*) FROM incident_log_entries",
                w.incidents.iter().map(|i| i.log.len() as i64).sum(),
            ),
            (
                "services",
                "SELECT count(*) FROM services",
                w.org.services.len() as i64,
            ),
            (
                "open incidents",
                "SELECT count(*) FROM incidents WHERE resolved_at IS NULL",
                w.incidents
                    .iter()
                    .filter(|i| i.resolved_at.is_none())
                    .count() as i64,
            ),
            (
                "users",
                "SELECT count(*) FROM accounts WHERE provider = 'pagerduty' AND email IS NOT NULL",
                w.org.people.len() as i64,
            ),
        ],
        Kind::Slack => vec![
            (
                "channels",
                "SELECT count(*) FROM chat_channels",
                w.org.channels.len() as i64,
            ),
            (
                "messages",
                "SELECT count(*) FROM chat_messages",
                w.messages.len() as i64,
            ),
            (
                "thread replies",
                "SELECT count(*) FROM chat_messages WHERE thread_ts IS NOT NULL",
                w.messages.iter().filter(|m| m.thread_ts.is_some()).count() as i64,
            ),
            (
                "users",
                "SELECT count(*) FROM accounts WHERE provider = 'slack' AND email IS NOT NULL",
                w.org.people.len() as i64,
            ),
        ],
    }
}

/// What the Linear connector stores of the world the fake Linear serves: every ticket (keyed by
/// its team's key), every sprint as a cycle, every link from both sides, the resolved ones, and
/// a status period per status change plus the first.
fn linear_expectations(w: &World) -> Vec<(&'static str, &'static str, i64)> {
    vec![
        (
            "issues",
            "SELECT count(*) FROM tickets WHERE provider = 'linear'",
            w.tickets.len() as i64,
        ),
        (
            "cycles",
            "SELECT count(*) FROM sprints WHERE provider = 'linear'",
            w.sprints.len() as i64,
        ),
        (
            "relations",
            "SELECT count(*) FROM ticket_links",
            w.tickets.iter().map(|t| t.links.len() as i64).sum(),
        ),
        (
            "resolved",
            "SELECT count(*) FROM tickets WHERE resolved_at IS NOT NULL",
            w.tickets.iter().filter(|t| t.resolved_at.is_some()).count() as i64,
        ),
        (
            "status periods",
            "SELECT count(*) FROM ticket_status_periods",
            w.tickets
                .iter()
                .map(|t| {
                    1 + t
                        .changelog
                        .iter()
                        .flat_map(|c| &c.items)
                        .filter(|i| i.field == "status")
                        .count() as i64
                })
                .sum(),
        ),
        (
            "estimated",
            "SELECT count(*) FROM tickets WHERE story_points IS NOT NULL",
            w.tickets
                .iter()
                .filter(|t| t.story_points.is_some())
                .count() as i64,
        ),
    ]
}

/// What the GitLab connector stores of the world the fake GitLab serves: a merge request per
/// pull request; a review per approval, change request or dismissal, and per thread someone other
/// than the author opens (a review's summary, a diff comment that is not a reply, a conversation
/// comment); a comment per note that is not a system note; every job of every pipeline as a check
/// run; every deployment, whatever the repository's delivery on GitHub.
fn gitlab_expectations(w: &World) -> Vec<(&'static str, &'static str, i64)> {
    let pulls = || {
        w.repos
            .iter()
            .flat_map(|r| r.pulls.iter().map(move |p| (r, p)))
    };
    let by_other =
        |p: &bosun_demo::world::Pull, author: usize| author != p.author && !w.users[author].is_bot;
    let decided: i64 = pulls()
        .flat_map(|(_, p)| &p.reviews)
        .filter(|v| {
            matches!(
                v.state.as_str(),
                "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED"
            )
        })
        .count() as i64;
    let summaries = |other_only: bool| -> i64 {
        pulls()
            .flat_map(|(_, p)| p.reviews.iter().map(move |v| (p, v)))
            .filter(|(p, v)| {
                v.state == "COMMENTED"
                    && !v.body.is_empty()
                    && (!other_only || by_other(p, v.reviewer))
            })
            .count() as i64
    };
    fn pull_of(r: &bosun_demo::world::Repo, n: i64) -> Option<&bosun_demo::world::Pull> {
        r.pulls.iter().find(|p| p.number == n)
    }
    let threads: i64 = w
        .repos
        .iter()
        .flat_map(|r| r.review_comments.iter().map(move |c| (r, c)))
        .filter(|(r, c)| {
            c.in_reply_to.is_none()
                && pull_of(r, c.pull_number).is_some_and(|p| by_other(p, c.author))
        })
        .count() as i64
        + w.repos
            .iter()
            .flat_map(|r| r.issue_comments.iter().map(move |c| (r, c)))
            .filter(|(r, c)| pull_of(r, c.number).is_some_and(|p| by_other(p, c.author)))
            .count() as i64;
    let notes: i64 = w
        .repos
        .iter()
        .map(|r| {
            (r.review_comments
                .iter()
                .filter(|c| pull_of(r, c.pull_number).is_some())
                .count()
                + r.issue_comments
                    .iter()
                    .filter(|c| pull_of(r, c.number).is_some())
                    .count()) as i64
        })
        .sum::<i64>()
        + summaries(false);
    let out = vec![
        (
            "merge requests",
            "SELECT count(*) FROM pull_requests",
            pulls().count() as i64,
        ),
        (
            "merged",
            "SELECT count(*) FROM pull_requests WHERE merged_at IS NOT NULL",
            pulls().filter(|(_, p)| p.merged_at.is_some()).count() as i64,
        ),
        (
            "approvals and change requests",
            "SELECT count(*) FROM reviews WHERE state <> 'COMMENTED'",
            decided,
        ),
        (
            "reviews",
            "SELECT count(*) FROM reviews",
            decided + summaries(true) + threads,
        ),
        ("comments", "SELECT count(*) FROM pr_comments", notes),
        (
            "commits",
            "SELECT count(*) FROM commits",
            w.repos.iter().map(|r| r.commits.len() as i64).sum(),
        ),
        (
            "check runs",
            "SELECT count(*) FROM check_runs",
            w.repos.iter().map(|r| r.check_runs.len() as i64).sum(),
        ),
        (
            "deployments",
            "SELECT count(*) FROM deployments WHERE kind = 'gitlab_deployment'",
            w.repos.iter().map(|r| r.deployments.len() as i64).sum(),
        ),
        (
            "releases",
            "SELECT count(*) FROM releases",
            w.repos.iter().map(|r| r.releases.len() as i64).sum(),
        ),
        (
            "tags",
            "SELECT count(*) FROM tags",
            w.repos.iter().map(|r| r.tags.len() as i64).sum(),
        ),
        (
            "GitLab accounts",
            "SELECT count(*) FROM accounts WHERE provider = 'gitlab' AND display_name IS NOT NULL",
            gitlab_users(w),
        ),
    ];
    for (what, _, want) in &out {
        assert!(
            *want > 0,
            "the world has no {what}: the check would prove nothing"
        );
    }
    out
}

/// The world's users a GitLab sync meets: the authors, mergers and requested reviewers of pull
/// requests, reviewers, comment authors, deployment creators and release authors.
fn gitlab_users(w: &World) -> i64 {
    let mut seen = std::collections::HashSet::new();
    for r in &w.repos {
        for p in &r.pulls {
            seen.insert(p.author);
            seen.extend(p.merged_by);
            seen.extend(p.requested_reviewers.iter().copied());
            seen.extend(p.reviews.iter().map(|v| v.reviewer));
        }
        seen.extend(r.review_comments.iter().map(|c| c.author));
        seen.extend(r.issue_comments.iter().map(|c| c.author));
        seen.extend(r.deployments.iter().map(|d| d.creator));
        seen.extend(r.releases.iter().map(|d| d.author));
    }
    seen.len() as i64
}

pub async fn assert_complete(p: &Provider) {
    for (what, sql, want) in expectations(p.kind, &world()) {
        assert_eq!(p.count(sql).await, want, "{:?}: {what}", p.kind);
    }
}

pub async fn complete_and_idempotent(kind: Kind) {
    let p = provider(kind).await;
    p.sync().await.unwrap();
    assert_complete(&p).await;
    let first = p.dump().await;
    p.sync().await.unwrap();
    assert_eq!(
        p.dump().await,
        first,
        "{kind:?}: a second sync changed stored rows"
    );
}

pub async fn rate_limits_are_ridden_out(kind: Kind) {
    let p = provider(kind).await;
    p.fake.faults.set(FaultConfig {
        secondary_rate_limit: Some(SecondaryLimit {
            requests: 3,
            retry_after_secs: 1,
            status: 429,
            no_retry_after: false,
        }),
        ..Default::default()
    });
    p.sync().await.unwrap();
    // Linear answers a spent budget with 400 and `RATELIMITED`; the others with 429.
    let status = if matches!(kind, Kind::Linear) {
        400
    } else {
        429
    };
    assert_eq!(
        p.fake.faults.stats().by_status.get(&status).copied(),
        Some(3)
    );
    assert!(
        p.sink
            .events()
            .iter()
            .any(|e| matches!(e, Event::RateLimited { wait_secs: 1, .. }))
    );
    assert_complete(&p).await;
}

pub async fn server_errors_are_retried(kind: Kind) {
    let p = provider(kind).await;
    p.fake.faults.set(FaultConfig {
        server_errors: Some(Burst {
            count: 3,
            path_contains: Some(list_path(kind).into()),
            status: 503,
        }),
        ..Default::default()
    });
    p.sync().await.unwrap();
    assert_eq!(
        p.sink
            .events()
            .iter()
            .filter(|e| matches!(e, Event::Retrying { .. }))
            .count(),
        3
    );
    assert_complete(&p).await;
}

pub async fn bad_payloads_fail_clearly_and_recover(kind: Kind) {
    for fault in ["malformed", "truncated"] {
        let p = provider(kind).await;
        let burst = Some(Burst {
            count: 1,
            path_contains: Some(list_path(kind).into()),
            status: 200,
        });
        p.fake.faults.set(if fault == "malformed" {
            FaultConfig {
                malformed: burst,
                ..Default::default()
            }
        } else {
            FaultConfig {
                truncate: burst,
                ..Default::default()
            }
        });
        let (code, msg) = p.sync().await.unwrap_err();
        assert_eq!(code, Code::MalformedPayload, "{kind:?} {fault}: {msg}");
        assert!(
            msg.contains(list_path(kind)),
            "{kind:?}: the error names the URL: {msg}"
        );
        if fault == "truncated" {
            assert!(msg.contains("truncated"), "{msg}");
        }
        p.fake.faults.clear();
        p.sync().await.unwrap();
        assert_complete(&p).await;
    }
}

/// Abort the sync at spread-out moments (dropping it at an await point, as a crash would stop it
/// between transactions), resume each time, and compare with an uninterrupted sync.
pub async fn aborted_syncs_resume_to_the_same_rows(kind: Kind) {
    let reference = provider(kind).await;
    let started = std::time::Instant::now();
    reference.sync().await.unwrap();
    let full = started.elapsed();
    let expected = reference.dump().await;

    let p = Arc::new(provider(kind).await);
    let mut aborted = 0;
    for fraction in [0.1, 0.25, 0.4, 0.6, 0.8] {
        let task = {
            let p = p.clone();
            tokio::spawn(async move { p.sync().await })
        };
        tokio::time::sleep(full.mul_f64(fraction).max(Duration::from_millis(5))).await;
        if !task.is_finished() {
            task.abort();
            aborted += 1;
        }
        let _ = task.await;
    }
    assert!(
        aborted >= 2,
        "{kind:?}: only {aborted} syncs were aborted mid-way"
    );
    p.sync().await.unwrap();
    let got = p.dump().await;
    if got != expected {
        let missing: Vec<_> = expected
            .iter()
            .filter(|l| !got.contains(l))
            .take(3)
            .collect();
        let extra: Vec<_> = got
            .iter()
            .filter(|l| !expected.contains(l))
            .take(3)
            .collect();
        panic!("{kind:?}: resumed rows differ\nmissing: {missing:#?}\nextra: {extra:#?}");
    }
}

pub async fn wrong_credentials_are_an_auth_error(kind: Kind) {
    let p = provider(kind).await;
    let source =
        p.db.read(|s| Ok(sync_state::sources(s.conn())?.remove(0)))
            .await
            .unwrap();
    let job = SyncJob {
        source,
        token: Some(Sensitive::new("wrong".to_string())),
    };
    let out = engine::run(
        &p.db,
        vec![job],
        &fast_http(),
        &FixedClock(bosun_core::time::from_ts(as_of_ts())),
        p.sink.clone(),
    )
    .await
    .unwrap();
    assert_eq!(
        out[0].error_code,
        Some(Code::Auth),
        "{kind:?}: {:?}",
        out[0].error
    );
}

macro_rules! contract {
    ($($module:ident => $kind:expr),* $(,)?) => {$(
        mod $module {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn complete_and_idempotent() { super::complete_and_idempotent($kind).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn rate_limits_are_ridden_out() { super::rate_limits_are_ridden_out($kind).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn server_errors_are_retried() { super::server_errors_are_retried($kind).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn bad_payloads_fail_clearly_and_recover() { super::bad_payloads_fail_clearly_and_recover($kind).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn aborted_syncs_resume_to_the_same_rows() { super::aborted_syncs_resume_to_the_same_rows($kind).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn wrong_credentials_are_an_auth_error() { super::wrong_credentials_are_an_auth_error($kind).await }
        }
    )*};
}

contract! {
    github => Kind::Github,
    gitlab => Kind::Gitlab,
    linear => Kind::Linear,
    jira => Kind::Jira,
    pagerduty => Kind::PagerDuty,
    slack => Kind::Slack,
}
