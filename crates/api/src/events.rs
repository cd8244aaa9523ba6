//! One typed event vocabulary with namespaced names (`sync://progress`, `index://progress`,
//! `signals://changed`, `app://phase`). The engines emit into sinks they are given; the bus
//! numbers the events, keeps the recent ones for HTTP long-polling (`bosun serve`) and hands each
//! to its subscribers (the desktop forwards them to the webview and the tray).

use bosun_connectors::EventSink;
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppEvent {
    /// The app's start-up phase changed (starting → ready, or failed).
    Phase {
        phase: crate::status::Phase,
    },
    /// A sync began (every source, or one).
    SyncStarted {
        sources: Vec<String>,
    },
    /// Progress of one source's sync: `done` of `total` items in `step`, in `pass` (full, recent
    /// or backfill), with the step's time left at its observed rate (`null` until known).
    SyncProgress {
        source: String,
        scope: String,
        step: String,
        done: u64,
        total: u64,
        pass: String,
        eta_secs: Option<u64>,
    },
    /// A source's pass (full, recent or backfill): `scopes_done` of `scopes` repositories, with the
    /// pass's time left (`null` until one has finished).
    SyncPass {
        source: String,
        pass: String,
        scopes_done: u64,
        scopes: u64,
        eta_secs: Option<u64>,
        finished: bool,
    },
    /// Recent data is in (a first sync's recent pass): the pages should reload; backfills go on.
    SyncRecent {
        sources: Vec<String>,
    },
    /// One source finished (with its error, if any).
    SourceSynced {
        source: String,
        error: Option<String>,
    },
    /// The whole sync finished; the pages should reload.
    SyncFinished {
        ok: bool,
        message: String,
        items: u64,
    },
    /// Indexing docs for Ask: `files_done` of `files` in `root`.
    IndexProgress {
        root: String,
        files_done: u64,
        files: u64,
        chunks: u64,
    },
    IndexFinished {
        documents: i64,
        chunks: i64,
    },
    /// The open signals changed (after a sync, an acknowledgement, a snooze).
    SignalsChanged {
        open: u64,
        high: u64,
    },
    /// Alerts were paused or resumed.
    AlertsPaused {
        until: Option<String>,
    },
    /// An alert was delivered under the budget and quiet hours (a new or escalated signal, or
    /// the morning brief): the desktop shows it as a native notification unless paused.
    Alert {
        #[ts(type = "number")]
        id: i64,
        /// new, escalated or brief.
        alert: String,
        severity: Option<String>,
        title: String,
        body: String,
        /// Why it fired.
        reason: String,
    },
}

impl AppEvent {
    /// The namespaced event name (also the Tauri event name).
    pub fn name(&self) -> &'static str {
        match self {
            AppEvent::Phase { .. } => "app://phase",
            AppEvent::SyncStarted { .. } => "sync://started",
            AppEvent::SyncProgress { .. } => "sync://progress",
            AppEvent::SyncPass { .. } => "sync://pass",
            AppEvent::SyncRecent { .. } => "sync://recent",
            AppEvent::SourceSynced { .. } => "sync://source",
            AppEvent::SyncFinished { .. } => "sync://finished",
            AppEvent::IndexProgress { .. } => "index://progress",
            AppEvent::IndexFinished { .. } => "index://finished",
            AppEvent::SignalsChanged { .. } => "signals://changed",
            AppEvent::AlertsPaused { .. } => "alerts://paused",
            AppEvent::Alert { .. } => "alerts://delivered",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EventEnvelope {
    /// Increasing from 1 within one launch.
    #[ts(type = "number")]
    pub seq: u64,
    pub name: String,
    pub event: AppEvent,
}

type Listener = Box<dyn Fn(&EventEnvelope) + Send + Sync>;

/// Keeps the last [`EventBus::KEEP`] events; progress is throttled per source.
pub struct EventBus {
    state: Mutex<BusState>,
    seq: tokio::sync::watch::Sender<u64>,
    listeners: Mutex<Vec<Listener>>,
}

struct BusState {
    next: u64,
    recent: VecDeque<EventEnvelope>,
    last_progress: Option<(String, Instant)>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            state: Mutex::new(BusState {
                next: 1,
                recent: VecDeque::new(),
                last_progress: None,
            }),
            seq: tokio::sync::watch::channel(0).0,
            listeners: Mutex::new(Vec::new()),
        }
    }
}

impl EventBus {
    pub const KEEP: usize = 256;
    const PROGRESS_EVERY: Duration = Duration::from_millis(150);

    pub fn emit(&self, event: AppEvent) {
        let env = {
            let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if let AppEvent::SyncProgress { source, .. }
            | AppEvent::IndexProgress { root: source, .. } = &event
            {
                let now = Instant::now();
                if let Some((last, at)) = &s.last_progress
                    && last == source
                    && now.duration_since(*at) < Self::PROGRESS_EVERY
                {
                    return;
                }
                s.last_progress = Some((source.clone(), now));
            }
            let env = EventEnvelope {
                seq: s.next,
                name: event.name().to_string(),
                event,
            };
            s.next += 1;
            s.recent.push_back(env.clone());
            while s.recent.len() > Self::KEEP {
                s.recent.pop_front();
            }
            env
        };
        self.seq.send_replace(env.seq);
        for l in self
            .listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            l(&env);
        }
    }

    /// Called with every event from now on (the desktop: forward to the webview, update the tray).
    pub fn subscribe(&self, f: impl Fn(&EventEnvelope) + Send + Sync + 'static) {
        self.listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Box::new(f));
    }

    /// The kept events numbered after `after`.
    pub fn since(&self, after: u64) -> Vec<EventEnvelope> {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.recent.iter().filter(|e| e.seq > after).cloned().collect()
    }

    /// Events after `after`, waiting up to `timeout` for the first one (HTTP long-polling).
    pub async fn wait(&self, after: u64, timeout: Duration) -> Vec<EventEnvelope> {
        let mut rx = self.seq.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.since(after);
            if !got.is_empty() {
                return got;
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => continue,
                _ => return Vec::new(),
            }
        }
    }
}

/// The sync engine's events, translated and forwarded to the bus. Recent data in marks the
/// API's kept data stale (sets `stale`), so the pages that reload read it.
pub struct SyncSink {
    pub bus: std::sync::Arc<EventBus>,
    pub stale: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl EventSink for SyncSink {
    fn emit(&self, event: bosun_connectors::Event) {
        use bosun_connectors::Event as E;
        let bus = &self.bus;
        match event {
            E::SourceStarted { source, scopes } => bus.emit(AppEvent::SyncProgress {
                source,
                scope: String::new(),
                step: "started".into(),
                done: 0,
                total: scopes as u64,
                pass: bosun_connectors::Pass::Full.as_str().into(),
                eta_secs: None,
            }),
            E::Progress {
                source,
                scope,
                phase,
                done,
                total,
                pass,
                eta_secs,
            } => bus.emit(AppEvent::SyncProgress {
                source,
                scope,
                step: phase,
                done,
                total,
                pass: pass.as_str().into(),
                eta_secs,
            }),
            E::PassStarted {
                source,
                pass,
                scopes,
                ..
            } => bus.emit(AppEvent::SyncPass {
                source,
                pass: pass.as_str().into(),
                scopes_done: 0,
                scopes: scopes as u64,
                eta_secs: None,
                finished: false,
            }),
            E::PassProgress {
                source,
                pass,
                scopes_done,
                scopes,
                eta_secs,
            } => bus.emit(AppEvent::SyncPass {
                source,
                pass: pass.as_str().into(),
                scopes_done: scopes_done as u64,
                scopes: scopes as u64,
                eta_secs,
                finished: false,
            }),
            E::PassFinished { source, pass, .. } => bus.emit(AppEvent::SyncPass {
                source,
                pass: pass.as_str().into(),
                scopes_done: 0,
                scopes: 0,
                eta_secs: Some(0),
                finished: true,
            }),
            E::RecentSynced { sources } => {
                self.stale.store(true, std::sync::atomic::Ordering::SeqCst);
                bus.emit(AppEvent::SyncRecent { sources });
            }
            E::SourceFinished { source, error } => {
                bus.emit(AppEvent::SourceSynced { source, error })
            }
            E::RateLimited { .. } | E::Retrying { .. } | E::ScopeFinished { .. } => {}
        }
    }
}

/// The indexer's events, forwarded to the bus.
pub struct IndexSink(pub std::sync::Arc<EventBus>);

impl bosun_knowledge::index::IndexSink for IndexSink {
    fn event(&self, e: &bosun_knowledge::index::IndexEvent) {
        use bosun_knowledge::index::IndexEvent as E;
        if let E::Progress {
            root,
            files_done,
            files,
            chunks,
            ..
        } = e
        {
            self.0.emit(AppEvent::IndexProgress {
                root: root.clone(),
                files_done: *files_done as u64,
                files: *files as u64,
                chunks: *chunks as u64,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn events_are_numbered_kept_and_waited_for() {
        let bus = std::sync::Arc::new(EventBus::default());
        let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        bus.subscribe(move |e| s.lock().unwrap().push(e.name.clone()));
        bus.emit(AppEvent::SyncStarted {
            sources: vec!["a".into()],
        });
        bus.emit(AppEvent::SignalsChanged { open: 3, high: 1 });
        assert_eq!(bus.since(0).len(), 2);
        assert_eq!(bus.since(1)[0].name, "signals://changed");
        assert_eq!(
            *seen.lock().unwrap(),
            vec!["sync://started", "signals://changed"]
        );
        // Nothing new: the wait times out empty; a later event wakes it.
        assert!(bus.wait(2, Duration::from_millis(20)).await.is_empty());
        let b = bus.clone();
        let waiter = tokio::spawn(async move { b.wait(2, Duration::from_secs(5)).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        bus.emit(AppEvent::AlertsPaused { until: None });
        let got = waiter.await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].seq, 3);
    }

    #[test]
    fn progress_is_throttled_per_source_and_the_ring_is_bounded() {
        let bus = EventBus::default();
        for i in 0..50 {
            bus.emit(AppEvent::SyncProgress {
                source: "gh".into(),
                scope: "r".into(),
                step: "pulls".into(),
                done: i,
                total: 50,
                pass: "recent".into(),
                eta_secs: None,
            });
        }
        assert_eq!(bus.since(0).len(), 1, "bursts of progress collapse");
        for _ in 0..(EventBus::KEEP + 10) {
            bus.emit(AppEvent::AlertsPaused { until: None });
        }
        assert_eq!(bus.since(0).len(), EventBus::KEEP);
    }
}
