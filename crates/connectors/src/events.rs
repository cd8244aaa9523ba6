//! Progress events. The engine emits into a sink it is given: the CLI draws progress bars, the
//! desktop forwards to the webview, tests collect into a Vec.

use serde::Serialize;
use std::sync::Mutex;

/// What part of a sync to run (docs/sync.md#the-first-sync). A source whose first sync is split
/// does its recent pass in `Current` and its backfill in `History`; every other source does all
/// of its work in `Current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Everything new since the last sync (on a split first sync: the recent pass).
    Current,
    /// A pending backfill, resumed where it stopped.
    History,
}

/// Which pass of a sync an event belongs to (docs/sync.md#the-first-sync).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pass {
    /// An ordinary sync: everything newer than the cursors (the whole history on a first sync
    /// that is not split).
    #[default]
    Full,
    /// A first sync's recent pass: only what changed in the last `first_pass_days`.
    Recent,
    /// A first sync's backfill: everything older, resumable.
    Backfill,
}

impl Pass {
    pub fn as_str(self) -> &'static str {
        match self {
            Pass::Full => "full",
            Pass::Recent => "recent",
            Pass::Backfill => "backfill",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A source started syncing `scopes` units (repos, projects, ...).
    SourceStarted { source: String, scopes: usize },
    /// Progress within one scope: `done` of `total` items in `phase`, in `pass`. A backfill
    /// counts the items of the pages it has read and estimates `total` from the last page's
    /// number. `eta_secs`: the phase's time left at its observed rate (filled in by
    /// [`crate::eta::EtaSink`]; `None` until there are enough samples).
    Progress {
        source: String,
        scope: String,
        phase: String,
        done: u64,
        total: u64,
        pass: Pass,
        eta_secs: Option<u64>,
    },
    /// A pass over `scopes` units began. `window_start`: the recent pass covers what changed at
    /// or after it, the backfill what is older.
    PassStarted {
        source: String,
        pass: Pass,
        scopes: usize,
        window_start: Option<i64>,
    },
    /// `scopes_done` of the pass's `scopes` are finished; `eta_secs`: the pass's time left (see
    /// [`crate::eta::Tracker`]), `None` until one scope has finished.
    PassProgress {
        source: String,
        pass: Pass,
        scopes_done: usize,
        scopes: usize,
        eta_secs: Option<u64>,
    },
    /// A pass ended (with the first error, if any).
    PassFinished {
        source: String,
        pass: Pass,
        error: Option<String>,
    },
    /// The app finished the current stage of every source (recent passes included, identities
    /// resolved): what the pages show is current; backfills follow.
    RecentSynced { sources: Vec<String> },
    /// Waiting because of a rate limit.
    RateLimited {
        source: String,
        url: String,
        wait_secs: u64,
    },
    /// Retrying after a transient failure.
    Retrying {
        source: String,
        url: String,
        attempt: u32,
        reason: String,
    },
    ScopeFinished {
        source: String,
        scope: String,
        items: u64,
        pass: Pass,
    },
    SourceFinished {
        source: String,
        error: Option<String>,
    },
}

pub trait EventSink: Send + Sync {
    fn emit(&self, event: Event);
}

pub struct NullSink;

impl EventSink for NullSink {
    fn emit(&self, _event: Event) {}
}

/// Collects events (tests).
#[derive(Default)]
pub struct VecSink(pub Mutex<Vec<Event>>);

impl EventSink for VecSink {
    fn emit(&self, event: Event) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(event);
    }
}

impl VecSink {
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
