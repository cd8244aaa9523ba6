//! The app syncs a first GitHub sync in two stages (docs/sync.md#the-first-sync): the recent
//! pass of every source, people resolved and the pages told, then the backfill — and `status`
//! says how far the history is.

use bosun_app::demo::{self, DemoOptions, GITHUB_SOURCE};
use bosun_app::{App, HistoryView, Paths};
use bosun_connectors::Pass;
use bosun_connectors::events::{Event, EventSink};
use bosun_core::clock::FixedClock;
use bosun_store::Store;
use bosun_store::sync_state::FirstSync;
use std::sync::{Arc, Mutex};

const AS_OF: &str = "2026-11-20T09:00:00Z";

/// What the store held when the app said the recent data was in.
#[derive(Debug, Default, Clone, PartialEq)]
struct AtRecent {
    pulls: i64,
    older_pulls: i64,
    people_with_accounts: i64,
}

/// Records the events' order, and looks into the store when recent data is in.
struct Recorder {
    db: std::path::PathBuf,
    window_start: i64,
    events: Mutex<Vec<Event>>,
    at_recent: Mutex<Option<AtRecent>>,
}

impl EventSink for Recorder {
    fn emit(&self, event: Event) {
        if matches!(event, Event::RecentSynced { .. }) {
            let store = Store::open(&self.db).unwrap();
            let count =
                |sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
            *self.at_recent.lock().unwrap() = Some(AtRecent {
                pulls: count("SELECT count(*) FROM pull_requests"),
                older_pulls: count(&format!(
                    "SELECT count(*) FROM pull_requests WHERE updated_at < {}",
                    self.window_start
                )),
                people_with_accounts: count(
                    "SELECT count(DISTINCT person_id) FROM accounts WHERE provider = 'github' AND person_id IS NOT NULL",
                ),
            });
        }
        self.events.lock().unwrap().push(event);
    }
}

#[test]
fn recent_data_and_people_come_first_then_the_backfill_and_status_tells() {
    let dir = tempfile::tempdir().unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339(AS_OF)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut app = App::new(Paths::in_dir(dir.path()), Arc::new(FixedClock(as_of))).unwrap();
    let window_start = as_of.timestamp() - 30 * 86_400;
    let recorder = Arc::new(Recorder {
        db: app.paths.database(),
        window_start,
        events: Mutex::new(Vec::new()),
        at_recent: Mutex::new(None),
    });
    let rt = tokio::runtime::Runtime::new().unwrap();
    let report = rt
        .block_on(demo::sync(
            &mut app,
            DemoOptions {
                months: 2,
                ..Default::default()
            },
            recorder.clone(),
        ))
        .unwrap();
    assert!(
        report.outcomes.iter().all(|o| o.ok),
        "{:?}",
        report.outcomes
    );

    let events = recorder.events.lock().unwrap().clone();
    let at = |want: &dyn Fn(&Event) -> bool| {
        events
            .iter()
            .position(want)
            .unwrap_or_else(|| panic!("no such event in {} events", events.len()))
    };
    let recent_done = at(
        &|e| matches!(e, Event::PassFinished { source, pass: Pass::Recent, error: None } if source == GITHUB_SOURCE),
    );
    let slack_done =
        at(&|e| matches!(e, Event::SourceFinished { source, .. } if source == demo::SLACK_SOURCE));
    let told = at(&|e| matches!(e, Event::RecentSynced { .. }));
    let backfill = at(
        &|e| matches!(e, Event::PassStarted { source, pass: Pass::Backfill, .. } if source == GITHUB_SOURCE),
    );
    assert!(
        recent_done < slack_done && slack_done < told && told < backfill,
        "GitHub's recent pass, the other sources, the pages told, then the backfill: {recent_done} {slack_done} {told} {backfill}"
    );

    let seen = recorder.at_recent.lock().unwrap().clone().unwrap();
    assert!(seen.pulls > 0 && seen.older_pulls == 0, "{seen:?}");
    assert!(
        seen.people_with_accounts > 0,
        "people are resolved before the backfill: {seen:?}"
    );
    let store = app.store().unwrap();
    let older: i64 = store
        .conn()
        .query_row(
            &format!("SELECT count(*) FROM pull_requests WHERE updated_at < {window_start}"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(older > 0, "the backfill brought the older pull requests");

    let status = app.status(false).unwrap();
    let github = status
        .sources
        .iter()
        .find(|s| s.source.name == GITHUB_SOURCE)
        .unwrap();
    let history = github.source.history.clone().unwrap();
    assert_eq!(history.state, "complete");
    assert_eq!(history.percent, 100);
    assert_eq!(history.older_than, "2026-10-21");
    for other in status
        .sources
        .iter()
        .filter(|s| s.source.name != GITHUB_SOURCE)
    {
        assert_eq!(
            other.source.history, None,
            "{} syncs in one pass",
            other.source.name
        );
    }
}

#[test]
fn the_history_reads_as_a_sentence() {
    // 2026-11-05T00:00:00Z.
    let mut f = FirstSync::new(1_793_836_800);
    f.scopes = 10;
    assert_eq!(
        HistoryView::new(&f).summary,
        "syncing the recent pass (since 2026-11-05), then backfilling, 0 %"
    );
    f.recent_done = true;
    for r in ["o/a", "o/b", "o/c", "o/d"] {
        f.mark_backfilled(r);
    }
    let v = HistoryView::new(&f);
    assert_eq!(v.state, "backfilling");
    assert_eq!(v.percent, 40);
    assert_eq!(v.summary, "backfilling, 40 % (older than 2026-11-05)");
    f.backfill_done = true;
    assert_eq!(HistoryView::new(&f).state, "complete");
}
