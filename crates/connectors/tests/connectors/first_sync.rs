//! A first sync split in two (docs/sync.md#the-first-sync): the last 30 days of every repository
//! first, then a resumable backfill that ends exactly where a one-pass sync does.

use crate::github_contract::assert_complete;
use crate::support::{Harness, as_of_ts, harness_with, world};
use bosun_connectors::engine::Stage;
use bosun_connectors::events::{Event, EventSink, VecSink};
use bosun_connectors::github::GithubSettings;
use bosun_connectors::{Db, Pass};
use bosun_fakes::Faults;
use bosun_fakes::faults::{Burst, FaultConfig};
use bosun_store::sync_state;
use std::collections::BTreeSet;
use std::sync::Arc;

use bosun_core::time::DAY;

fn window() -> i64 {
    as_of_ts() - 30 * DAY
}

fn settings(first_pass_days: Option<u32>, per_page: Option<u32>) -> GithubSettings {
    GithubSettings {
        owner: "tidewater".into(),
        first_pass_days,
        per_page,
        ..Default::default()
    }
}

/// (repository, number) of the world's pull requests whose last update passes `keep`.
fn world_pulls(keep: impl Fn(i64) -> bool) -> BTreeSet<(String, i64)> {
    let w = world();
    let org = &w.org.company.github_org;
    w.repos
        .iter()
        .flat_map(|r| {
            r.pulls
                .iter()
                .filter(|p| keep(p.updated_at))
                .map(move |p| (format!("{org}/{}", r.name), p.number))
        })
        .collect()
}

async fn stored_pulls(db: &Db) -> BTreeSet<(String, i64)> {
    db.read(|s| {
        let mut stmt = s.conn().prepare(
            "SELECT r.full_name, p.number FROM pull_requests p JOIN repos r ON r.id = p.repo_id",
        ).map_err(crate::support::sql_err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(crate::support::sql_err)?
            .collect::<rusqlite::Result<_>>()
            .map_err(crate::support::sql_err)?;
        Ok(rows)
    })
    .await
    .unwrap()
}

async fn first_sync(h: &Harness) -> sync_state::FirstSync {
    let sid = h.source.id;
    h.db.read(move |s| Ok(sync_state::first_sync(s.conn(), sid)?))
        .await
        .unwrap()
        .expect("a first-sync state")
}

async fn backfill_positions(h: &Harness) -> Vec<(String, String)> {
    let sid = h.source.id;
    h.db.read(move |s| Ok(sync_state::cursors(s.conn(), sid)?))
        .await
        .unwrap()
        .into_iter()
        .filter(|(scope, _)| scope.starts_with(sync_state::BACKFILL_PREFIX))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recent_pass_holds_the_last_30_days_and_the_backfill_the_rest() {
    let h = harness_with(settings(None, Some(20))).await;
    let sink = Arc::new(VecSink::default());
    h.sync_stage(Stage::Current, sink.clone()).await.unwrap();

    let recent = world_pulls(|updated| updated >= window());
    let older = world_pulls(|updated| updated < window());
    assert!(
        recent.len() > 10 && older.len() > 10,
        "the world straddles the window: {} recent, {} older",
        recent.len(),
        older.len()
    );
    assert_eq!(stored_pulls(&h.db).await, recent, "exactly the recent ones");
    // Commits: those of the pages read, down to the one where the window ends (history order is
    // not date order); not the older pages.
    let commits = h.count("SELECT count(*) FROM commits").await;
    let all_commits: i64 = world().repos.iter().map(|r| r.commits.len() as i64).sum();
    assert!(
        commits > 0 && commits < all_commits,
        "{commits} of {all_commits} commits"
    );
    let before = format!(
        "SELECT (SELECT count(*) FROM deployments WHERE created_at < {w}) + (SELECT count(*) FROM pr_comments WHERE coalesce(updated_at, created_at) < {w})",
        w = window()
    );
    let before: &'static str = Box::leak(before.into_boxed_str());
    assert_eq!(h.count(before).await, 0, "no older deployment or comment");
    let state = first_sync(&h).await;
    assert_eq!(state.window_start, window());
    assert!(state.recent_done && !state.backfill_done, "{state:?}");
    let events = sink.events();
    assert!(events.contains(&Event::PassStarted {
        source: "github".into(),
        pass: Pass::Recent,
        scopes: world().repos.len(),
        window_start: Some(window()),
    }));
    assert!(
        events
            .iter()
            .all(|e| !matches!(e, Event::Progress { pass, .. } if *pass != Pass::Recent)),
        "every phase says it is the recent pass"
    );
    assert!(
        !backfill_positions(&h).await.is_empty(),
        "where each list stopped is kept for the backfill"
    );

    let sink = Arc::new(VecSink::default());
    h.sync_stage(Stage::History, sink.clone()).await.unwrap();
    assert_complete(&h).await;
    let state = first_sync(&h).await;
    assert!(
        state.backfill_done && state.backfilled.is_empty(),
        "{state:?}"
    );
    assert_eq!(backfill_positions(&h).await, Vec::new());
    let events = sink.events();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Progress { pass: Pass::Backfill, phase, done, total, .. }
            if phase == "pull requests" && done <= total && *done > 0
    )));
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(
                e,
                Event::ScopeFinished {
                    pass: Pass::Backfill,
                    ..
                }
            ))
            .count(),
        world().repos.len()
    );
    // Nothing left: a further backfill stage asks nothing.
    h.fake.faults.reset_stats();
    h.sync_stage(Stage::History, sink).await.unwrap();
    assert_eq!(h.fake.faults.stats().requests, 0);
}

/// The dump without the first-sync state (a one-pass sync has none).
async fn dump(db: &Db) -> Vec<String> {
    db.read(|s| Ok(bosun_store::dump::canonical(s.conn())?))
        .await
        .unwrap()
        .into_iter()
        .filter(|l| !l.contains(&format!("scope={:?}", sync_state::FIRST_SYNC_SCOPE)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_split_first_sync_ends_with_the_rows_and_cursors_of_a_one_pass_sync() {
    let one = harness_with(settings(Some(0), Some(20))).await;
    let split = harness_with(settings(None, Some(20))).await;
    one.sync().await.unwrap();
    split.sync().await.unwrap();
    assert!(first_sync(&split).await.backfill_done);
    let sid = one.source.id;
    assert_eq!(
        one.db
            .read(move |s| Ok(sync_state::first_sync(s.conn(), sid)?))
            .await
            .unwrap(),
        None,
        "first_pass_days = 0: one pass"
    );
    let (a, b) = (dump(&one.db).await, dump(&split.db).await);
    assert!(a.iter().any(|l| l.starts_with("cursors:")));
    assert!(a.iter().any(|l| l.starts_with("etags:")));
    if a != b {
        let missing: Vec<_> = a.iter().filter(|l| !b.contains(l)).take(5).collect();
        let extra: Vec<_> = b.iter().filter(|l| !a.contains(l)).take(5).collect();
        panic!("the split sync differs\nmissing: {missing:#?}\nextra: {extra:#?}");
    }
    // A few records compared in full, beyond the dump: the newest and the oldest pull request.
    let pulls = "SELECT number || ' ' || title || ' ' || updated_at || ' ' || coalesce(merged_at, '-') FROM pull_requests ORDER BY updated_at DESC, number LIMIT 1";
    assert_eq!(one.text(pulls).await, split.text(pulls).await);
    let oldest = "SELECT number || ' ' || title || ' ' || updated_at FROM pull_requests ORDER BY updated_at, number LIMIT 1";
    assert_eq!(one.text(oldest).await, split.text(oldest).await);

    // The next sync is an ordinary incremental one on both: the same requests, all but the
    // repository listing answered 304.
    one.fake.faults.reset_stats();
    split.fake.faults.reset_stats();
    one.sync().await.unwrap();
    split.sync().await.unwrap();
    let (sa, sb) = (one.fake.faults.stats(), split.fake.faults.stats());
    assert_eq!(sa.by_route, sb.by_route);
    assert_eq!(sa.by_status, sb.by_status);
}

/// Switches the fake's faults on once the backfill has written its first page of pull requests:
/// every later pull request fetch fails, which ends the backfill midway.
struct KillAfterFirstPage {
    faults: Arc<Faults>,
    inner: Arc<VecSink>,
}

impl EventSink for KillAfterFirstPage {
    fn emit(&self, event: Event) {
        if matches!(&event, Event::Progress { pass: Pass::Backfill, phase, .. } if phase == "pull requests")
            && self.faults.config().server_errors.is_none()
        {
            self.faults.set(FaultConfig {
                server_errors: Some(Burst {
                    count: 100_000,
                    path_contains: Some("/pulls/".into()),
                    status: 502,
                }),
                ..Default::default()
            });
        }
        self.inner.emit(event);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_killed_midway_resumes_without_refetching_recent_pull_requests() {
    const PER_PAGE: u32 = 10;
    let h = harness_with(settings(None, Some(PER_PAGE))).await;
    let sink = Arc::new(VecSink::default());
    h.sync_stage(Stage::Current, sink.clone()).await.unwrap();
    let recent = stored_pulls(&h.db).await;

    let killer = Arc::new(KillAfterFirstPage {
        faults: h.fake.faults.clone(),
        inner: sink.clone(),
    });
    h.sync_stage(Stage::History, killer)
        .await
        .expect_err("the backfill was cut off");
    // A write already handed to the store when its repository failed still commits: let it.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let state = first_sync(&h).await;
    assert!(!state.backfill_done, "{state:?}");
    let after_kill = stored_pulls(&h.db).await;
    let all = world_pulls(|_| true);
    assert!(
        after_kill.len() > recent.len() && after_kill.len() < all.len(),
        "killed midway: {} recent, {} after the kill, {} in all",
        recent.len(),
        after_kill.len(),
        all.len()
    );
    assert!(recent.is_subset(&after_kill));
    assert!(
        backfill_positions(&h)
            .await
            .iter()
            .any(|(scope, page)| scope.ends_with(":pulls") && page.contains("page=")),
        "the position past the first page is kept"
    );

    h.fake.faults.clear();
    h.fake.faults.reset_stats();
    h.sync_stage(Stage::History, sink.clone()).await.unwrap();
    assert_complete(&h).await;
    assert!(first_sync(&h).await.backfill_done);
    let stats = h.fake.faults.stats();
    // Each pull request not stored before is fetched once; none stored before (the recent ones
    // included) is fetched again.
    assert_eq!(
        stats.by_route["/repos/{owner}/{repo}/pulls/{number}"],
        (all.len() - after_kill.len()) as u64,
        "{stats:?}"
    );
    // And the lists are read on from where they stopped, not from their first page.
    let whole_walk: u64 = world()
        .repos
        .iter()
        .map(|r| r.pulls.len().div_ceil(PER_PAGE as usize) as u64)
        .sum();
    assert!(
        stats.by_route["/repos/{owner}/{repo}/pulls"] < whole_walk,
        "{} list pages read, {whole_walk} in all",
        stats.by_route["/repos/{owner}/{repo}/pulls"]
    );
}
