//! Sync progress on stderr: one bar per repository, notes for rate limits. Hidden when stderr is
//! not a terminal.

use bosun_connectors::events::{Event, EventSink};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::sync::Mutex;

pub struct Bars {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    pub fn new() -> Bars {
        Bars {
            multi: MultiProgress::new(),
            bars: Mutex::new(HashMap::new()),
        }
    }

    fn bar(&self, scope: &str) -> ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        bars.entry(scope.to_string())
            .or_insert_with(|| {
                let b = self.multi.add(ProgressBar::new(0));
                b.set_style(
                    ProgressStyle::with_template("{prefix:>28} {bar:30} {pos:>5}/{len:<5} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                b.set_prefix(scope.to_string());
                b
            })
            .clone()
    }
}

impl EventSink for Bars {
    fn emit(&self, event: Event) {
        match event {
            Event::Progress {
                scope,
                phase,
                done,
                total,
                ..
            } => {
                let b = self.bar(&scope);
                b.set_length(total);
                b.set_position(done);
                b.set_message(phase);
            }
            Event::ScopeFinished { scope, .. } => {
                let b = self.bar(&scope);
                b.set_message("done");
                b.finish();
            }
            Event::RateLimited {
                source, wait_secs, ..
            } => {
                let _ = self
                    .multi
                    .println(format!("{source}: rate limited, waiting {wait_secs}s"));
            }
            Event::SourceFinished {
                source,
                error: Some(e),
            } => {
                let _ = self.multi.println(format!("{source}: failed: {e}"));
            }
            _ => {}
        }
    }
}
