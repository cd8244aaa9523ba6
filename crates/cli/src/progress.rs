//! Sync progress on stderr: per source a bar of its pass (repositories done, with the pass's ETA),
//! under it a bar per repository in progress (its phase, with the phase's ETA), and notes for
//! rate limits and finished passes. Bars are hidden when stderr is not a terminal; the notes are
//! printed all the same.

use bosun_connectors::events::{Event, EventSink, Pass};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub struct Bars {
    multi: MultiProgress,
    state: Mutex<State>,
    started: Instant,
}

#[derive(Default)]
struct State {
    /// Per source: its pass's bar and when the pass started.
    passes: HashMap<String, (ProgressBar, Instant)>,
    /// Per (source, repository).
    scopes: HashMap<(String, String), ProgressBar>,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// `ETA 1m05s`, `ETA 8s`, `ETA 2h03m`; empty without an estimate.
pub fn eta_text(secs: Option<u64>) -> String {
    match secs {
        None => String::new(),
        Some(s) if s < 60 => format!("ETA {s}s"),
        Some(s) if s < 3600 => format!("ETA {}m{:02}s", s / 60, s % 60),
        Some(s) => format!("ETA {}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// What a pass is called on its bar.
pub fn pass_label(pass: Pass) -> &'static str {
    match pass {
        Pass::Full => "sync",
        Pass::Recent => "recent pass",
        Pass::Backfill => "backfill",
    }
}

/// A repository bar's message: the phase (with the pass when it is not an ordinary one) and
/// its ETA.
pub fn phase_message(pass: Pass, phase: &str, eta_secs: Option<u64>) -> String {
    let mut m = match pass {
        Pass::Full => phase.to_string(),
        Pass::Recent | Pass::Backfill => format!("{} · {phase}", pass_label(pass)),
    };
    let eta = eta_text(eta_secs);
    if !eta.is_empty() {
        m.push_str(" · ");
        m.push_str(&eta);
    }
    m
}

impl Bars {
    pub fn new() -> Bars {
        Bars {
            multi: MultiProgress::new(),
            state: Mutex::new(State::default()),
            started: Instant::now(),
        }
    }

    fn note(&self, line: String) {
        if self.multi.is_hidden() {
            eprintln!("{line}");
        } else {
            let _ = self.multi.println(line);
        }
    }

    fn scope_bar(&self, state: &mut State, source: &str, scope: &str) -> ProgressBar {
        state
            .scopes
            .entry((source.to_string(), scope.to_string()))
            .or_insert_with(|| {
                let b = self.multi.add(ProgressBar::new(0));
                b.set_style(style("  {prefix:>28} {bar:30} {pos:>6}/{len:<6} {msg}"));
                b.set_prefix(scope.to_string());
                b
            })
            .clone()
    }
}

impl EventSink for Bars {
    fn emit(&self, event: Event) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            Event::PassStarted {
                source,
                pass,
                scopes,
                ..
            } => {
                let b = self.multi.insert(0, ProgressBar::new(scopes as u64));
                b.set_style(style("{prefix:>30} {bar:30} {pos:>6}/{len:<6} {msg}"));
                b.set_prefix(format!("{source} {}", pass_label(pass)));
                b.set_message("repositories");
                if let Some((old, _)) = state.passes.insert(source, (b, Instant::now())) {
                    old.finish_and_clear();
                }
            }
            Event::PassProgress {
                source,
                scopes_done,
                eta_secs,
                ..
            } => {
                if let Some((b, _)) = state.passes.get(&source) {
                    b.set_position(scopes_done as u64);
                    let eta = eta_text(eta_secs);
                    b.set_message(if eta.is_empty() {
                        "repositories".to_string()
                    } else {
                        format!("repositories · {eta}")
                    });
                }
            }
            Event::PassFinished {
                source,
                pass,
                error,
            } => {
                if let Some((b, started)) = state.passes.remove(&source) {
                    b.finish_and_clear();
                    let secs = started.elapsed().as_secs_f64();
                    let how = error.map_or_else(String::new, |e| format!(" (with errors: {e})"));
                    self.note(format!(
                        "{source}: {} done in {secs:.1}s, {:.1}s after the start{how}",
                        pass_label(pass),
                        self.started.elapsed().as_secs_f64()
                    ));
                }
            }
            Event::Progress {
                source,
                scope,
                phase,
                done,
                total,
                pass,
                eta_secs,
            } => {
                let b = self.scope_bar(&mut state, &source, &scope);
                b.set_length(total);
                b.set_position(done);
                b.set_message(phase_message(pass, &phase, eta_secs));
            }
            Event::ScopeFinished { source, scope, .. } => {
                if let Some(b) = state.scopes.remove(&(source, scope)) {
                    b.finish_and_clear();
                }
            }
            Event::RateLimited {
                source, wait_secs, ..
            } => self.note(format!("{source}: rate limited, waiting {wait_secs}s")),
            Event::SourceFinished {
                source,
                error: Some(e),
            } => self.note(format!("{source}: failed: {e}")),
            Event::RecentSynced { sources } => self.note(format!(
                "Recent data synced in {:.1}s ({}); backfilling history.",
                self.started.elapsed().as_secs_f64(),
                sources.join(", ")
            )),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etas_read_as_minutes_and_hours() {
        assert_eq!(eta_text(None), "");
        assert_eq!(eta_text(Some(8)), "ETA 8s");
        assert_eq!(eta_text(Some(65)), "ETA 1m05s");
        assert_eq!(eta_text(Some(7380)), "ETA 2h03m");
        assert_eq!(
            phase_message(Pass::Backfill, "pull requests", Some(65)),
            "backfill · pull requests · ETA 1m05s"
        );
        assert_eq!(phase_message(Pass::Full, "commits", None), "commits");
    }
}
