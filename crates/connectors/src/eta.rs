//! Time left, from the observed rate (docs/sync.md#progress-and-eta).
//!
//! [`Estimator`] is pure: every sample comes with its time. [`Tracker`] turns a sync's events into
//! the same events with their ETAs, plus the pass's progress; [`EtaSink`] runs it on a monotonic
//! clock between the connectors and whoever consumes the events.

use crate::events::{Event, EventSink, Pass};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Units per second over a sliding window of `(seconds, done)` samples, and the time left at
/// that rate.
#[derive(Debug, Clone)]
pub struct Estimator {
    window_secs: f64,
    min_samples: usize,
    min_span_secs: f64,
    /// Samples since the last restart (never fewer than the two that give a rate).
    samples: VecDeque<(f64, f64)>,
    /// Samples observed since the last restart, kept or not.
    seen: usize,
}

impl Estimator {
    /// A rate over the last `window_secs`, given only after `min_samples` samples spanning at
    /// least `min_span_secs`.
    pub fn new(window_secs: f64, min_samples: usize, min_span_secs: f64) -> Estimator {
        Estimator {
            window_secs,
            min_samples: min_samples.max(2),
            min_span_secs,
            samples: VecDeque::new(),
            seen: 0,
        }
    }

    /// `done` units were done at `t` seconds. Going backwards (fewer done, or an earlier time)
    /// starts over: the work restarted.
    pub fn observe(&mut self, t: f64, done: f64) {
        if self
            .samples
            .back()
            .is_some_and(|&(last_t, last_done)| done < last_done || t < last_t)
        {
            self.samples.clear();
            self.seen = 0;
        }
        self.samples.push_back((t, done));
        self.seen += 1;
        while self.samples.len() > 2 && self.samples[0].0 < t - self.window_secs {
            self.samples.pop_front();
        }
    }

    /// Units per second over the window; `None` with too few samples, too short a span, or no
    /// progress in the window (stalled).
    pub fn rate(&self) -> Option<f64> {
        let (&(t0, d0), &(t1, d1)) = (self.samples.front()?, self.samples.back()?);
        if self.seen < self.min_samples || t1 - t0 < self.min_span_secs || d1 <= d0 {
            return None;
        }
        Some((d1 - d0) / (t1 - t0))
    }

    /// Seconds left until `total` at the observed rate, rounded up; 0 once it is reached.
    pub fn eta(&self, total: f64) -> Option<u64> {
        let &(_, done) = self.samples.back()?;
        if done >= total {
            return Some(0);
        }
        self.rate()?;
        let (&(t0, d0), &(t1, d1)) = (self.samples.front()?, self.samples.back()?);
        // Left × span / progress (not left / rate): exact for whole numbers of seconds.
        let secs = (total - done) * (t1 - t0) / (d1 - d0);
        Some((secs - 1e-9).ceil().max(0.0) as u64)
    }
}

/// A phase: items over the last 30 s, after 3 samples spanning 2 s.
fn phase_estimator() -> Estimator {
    Estimator::new(30.0, 3, 2.0)
}

/// A pass: scopes over the last 5 minutes, from its start and one finished scope on.
fn pass_estimator() -> Estimator {
    Estimator::new(300.0, 2, 1.0)
}

struct PhaseState {
    est: Estimator,
    total: u64,
}

struct PassState {
    pass: Pass,
    scopes: usize,
    done: usize,
    est: Estimator,
}

/// Follows a sync's events: each phase of each scope gets an ETA from its own rate; a pass's ETA
/// is its unfinished scopes at the rate scopes have been finishing, and never less than the
/// slowest phase still running (known work left).
#[derive(Default)]
pub struct Tracker {
    phases: HashMap<(String, String, String), PhaseState>,
    passes: HashMap<String, PassState>,
}

impl Tracker {
    /// `event`, seen at `t` seconds, with its ETA filled in, followed by the pass progress it
    /// leads to.
    pub fn on_event(&mut self, t: f64, event: Event) -> Vec<Event> {
        match event {
            Event::SourceStarted { ref source, scopes } => {
                self.start(t, source, Pass::Full, scopes);
                vec![event]
            }
            Event::PassStarted {
                ref source,
                pass,
                scopes,
                ..
            } => {
                self.start(t, source, pass, scopes);
                let progress = self.pass_progress(source);
                std::iter::once(event).chain(progress).collect()
            }
            Event::Progress {
                source,
                scope,
                phase,
                done,
                total,
                pass,
                ..
            } => {
                let state = self
                    .phases
                    .entry((source.clone(), scope.clone(), phase.clone()))
                    .or_insert_with(|| PhaseState {
                        est: phase_estimator(),
                        total,
                    });
                state.est.observe(t, done as f64);
                state.total = total;
                let eta_secs = state.est.eta(total as f64);
                vec![Event::Progress {
                    source,
                    scope,
                    phase,
                    done,
                    total,
                    pass,
                    eta_secs,
                }]
            }
            Event::ScopeFinished {
                ref source,
                ref scope,
                ..
            } => {
                self.phases
                    .retain(|(s, sc, _), _| !(s == source && sc == scope));
                if let Some(p) = self.passes.get_mut(source) {
                    p.done += 1;
                    p.est.observe(t, p.done as f64);
                }
                let progress = self.pass_progress(source);
                std::iter::once(event).chain(progress).collect()
            }
            Event::PassFinished { ref source, .. } => {
                self.passes.remove(source);
                self.phases.retain(|(s, _, _), _| s != source);
                vec![event]
            }
            other => vec![other],
        }
    }

    fn start(&mut self, t: f64, source: &str, pass: Pass, scopes: usize) {
        self.phases.retain(|(s, _, _), _| s != source);
        let mut est = pass_estimator();
        est.observe(t, 0.0);
        self.passes.insert(
            source.to_string(),
            PassState {
                pass,
                scopes,
                done: 0,
                est,
            },
        );
    }

    fn pass_progress(&self, source: &str) -> Option<Event> {
        let p = self.passes.get(source)?;
        let slowest = self
            .phases
            .iter()
            .filter(|((s, _, _), _)| s == source)
            .filter_map(|(_, ph)| ph.est.eta(ph.total as f64))
            .max()
            .unwrap_or(0);
        let eta_secs = p.est.eta(p.scopes as f64).map(|e| e.max(slowest));
        Some(Event::PassProgress {
            source: source.to_string(),
            pass: p.pass,
            scopes_done: p.done.min(p.scopes),
            scopes: p.scopes,
            eta_secs,
        })
    }
}

/// Seconds on some monotonic clock.
pub type Seconds = Box<dyn Fn() -> f64 + Send + Sync>;

/// A sink that fills in ETAs ([`Tracker`]) before handing the events on.
pub struct EtaSink {
    inner: Arc<dyn EventSink>,
    tracker: Mutex<Tracker>,
    clock: Seconds,
}

impl EtaSink {
    /// Timed by the process's monotonic clock.
    pub fn new(inner: Arc<dyn EventSink>) -> EtaSink {
        let start = Instant::now();
        EtaSink::with_clock(inner, Box::new(move || start.elapsed().as_secs_f64()))
    }

    pub fn with_clock(inner: Arc<dyn EventSink>, clock: Seconds) -> EtaSink {
        EtaSink {
            inner,
            tracker: Mutex::new(Tracker::default()),
            clock,
        }
    }
}

impl EventSink for EtaSink {
    fn emit(&self, event: Event) {
        let t = (self.clock)();
        let out = self
            .tracker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .on_event(t, event);
        for e in out {
            self.inner.emit(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_taken_over_the_sliding_window() {
        let mut e = Estimator::new(30.0, 3, 2.0);
        e.observe(0.0, 0.0);
        e.observe(10.0, 20.0);
        assert_eq!(e.eta(100.0), None, "two samples are not enough");
        e.observe(20.0, 40.0);
        // 40 items in 20 s: 2/s; 60 left → 30 s.
        assert_eq!(e.rate(), Some(2.0));
        assert_eq!(e.eta(100.0), Some(30));
        // At 50 s the window (30 s) starts at 20 s: 5 items in 30 s; 55 left → 330 s.
        e.observe(50.0, 45.0);
        assert_eq!(e.eta(100.0), Some(330));
        // Done: no time left, whatever the rate.
        e.observe(51.0, 100.0);
        assert_eq!(e.eta(100.0), Some(0));
    }

    #[test]
    fn no_eta_while_stalled_too_short_or_restarted() {
        let mut e = Estimator::new(30.0, 3, 2.0);
        e.observe(0.0, 5.0);
        e.observe(0.5, 6.0);
        e.observe(1.0, 7.0);
        assert_eq!(e.eta(10.0), None, "1 s of samples is too short a span");
        e.observe(3.0, 7.0);
        // 2 items in 3 s; 3 left → 4.5 s, rounded up.
        assert_eq!(e.eta(10.0), Some(5));
        e.observe(40.0, 7.0);
        e.observe(60.0, 7.0);
        assert_eq!(e.eta(10.0), None, "no progress in the window");
        // A smaller count: the phase started over; three fresh samples are needed.
        e.observe(61.0, 1.0);
        e.observe(64.0, 4.0);
        assert_eq!(e.eta(10.0), None);
        e.observe(67.0, 7.0);
        // 6 items in 6 s; 3 left → 3 s.
        assert_eq!(e.eta(10.0), Some(3));
    }

    fn progress(scope: &str, done: u64, total: u64) -> Event {
        Event::Progress {
            source: "gh".into(),
            scope: scope.into(),
            phase: "pull requests".into(),
            done,
            total,
            pass: Pass::Recent,
            eta_secs: None,
        }
    }

    fn finished(scope: &str) -> Event {
        Event::ScopeFinished {
            source: "gh".into(),
            scope: scope.into(),
            items: 0,
            pass: Pass::Recent,
        }
    }

    fn eta_of(events: &[Event]) -> Vec<Option<u64>> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Progress { eta_secs, .. } | Event::PassProgress { eta_secs, .. } => {
                    Some(*eta_secs)
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn phases_and_the_pass_get_etas_from_their_own_rates() {
        let mut t = Tracker::default();
        let started = t.on_event(
            0.0,
            Event::PassStarted {
                source: "gh".into(),
                pass: Pass::Recent,
                scopes: 4,
                window_start: None,
            },
        );
        assert_eq!(
            started[1],
            Event::PassProgress {
                source: "gh".into(),
                pass: Pass::Recent,
                scopes_done: 0,
                scopes: 4,
                eta_secs: None,
            }
        );
        // Repository a: 10 PRs per 2 s → 5/s.
        assert_eq!(eta_of(&t.on_event(0.0, progress("a", 0, 100))), vec![None]);
        assert_eq!(eta_of(&t.on_event(2.0, progress("a", 10, 100))), vec![None]);
        // 20 in 4 s = 5/s; 80 left → 16 s.
        assert_eq!(
            eta_of(&t.on_event(4.0, progress("a", 20, 100))),
            vec![Some(16)]
        );
        // Repository b finishes at 10 s: 1 of 4 scopes in 10 s → 3 left → 30 s; a's phase (at
        // 20/100, 5/s) needs 16 s, less.
        let out = t.on_event(10.0, finished("b"));
        assert_eq!(out.len(), 2);
        assert_eq!(eta_of(&out), vec![Some(30)]);
        // a slows down: at 40 s its 30 s window keeps (4, 20) and (40, 22) — 2 items in 36 s;
        // 78 left → 1404 s.
        assert_eq!(
            eta_of(&t.on_event(40.0, progress("a", 22, 100))),
            vec![Some(1404)]
        );
        // 2 of 4 scopes in 40 s → 2 left → 40 s by scopes; a's phase, still running, needs
        // 1404 s and bounds the pass from below.
        let out = t.on_event(40.0, finished("c"));
        assert_eq!(eta_of(&out), vec![Some(1404)]);
        // a finishes (its phase is forgotten): 3 scopes in 41 s → 1 left → 13.7 → 14 s.
        let out = t.on_event(41.0, finished("a"));
        assert_eq!(
            out[1],
            Event::PassProgress {
                source: "gh".into(),
                pass: Pass::Recent,
                scopes_done: 3,
                scopes: 4,
                eta_secs: Some(14),
            }
        );
    }

    #[test]
    fn the_sink_times_events_with_the_clock_it_is_given() {
        let got = Arc::new(crate::events::VecSink::default());
        let ticks = Arc::new(Mutex::new(vec![0.0, 1.0, 2.0, 3.0].into_iter()));
        let sink = EtaSink::with_clock(
            got.clone(),
            Box::new(move || ticks.lock().unwrap().next().unwrap_or(9.0)),
        );
        for done in [0, 3, 6, 9] {
            sink.emit(progress("a", done, 12));
        }
        // At 2 s: 6 items in 2 s, 6 left → 2 s; at 3 s: 9 in 3 s, 3 left → 1 s.
        assert_eq!(eta_of(&got.events()), vec![None, None, Some(2), Some(1)]);
    }
}
