//! Progress events. The engine emits into a sink it is given: the CLI draws progress bars, the
//! desktop forwards to the webview, tests collect into a Vec.

use serde::Serialize;
use std::sync::Mutex;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A source started syncing `scopes` units (repos, projects, ...).
    SourceStarted { source: String, scopes: usize },
    /// Progress within one scope: `done` of `total` items in `phase`.
    Progress {
        source: String,
        scope: String,
        phase: String,
        done: u64,
        total: u64,
    },
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
