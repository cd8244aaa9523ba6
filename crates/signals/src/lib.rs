//! Blockers and risks as a pure engine (docs/signals.md): the metrics [`Dataset`], the extra
//! records in [`input::Extra`], [`Settings`] and `as_of` in; [`Signal`]s out, each with a kind, a
//! severity, a subject, a one-line "why", the records behind it and a suggested action. No I/O, no
//! clock: the same input gives the same signals.
//!
//! Beside the detectors: [`lifecycle`] decides what a fresh evaluation does to the stored signals
//! (new, still open, escalated, reopened, resolved), and [`alerts`] which of those become
//! notifications under a daily budget, quiet hours and "escalate only if it persists".
//!
//! Evaluation can be scoped to some teams ([`Scope`]): signals are partitioned by the team they
//! belong to, plus a small global part (open incidents, chat), so after a sync only the
//! teams whose records changed need to be evaluated again.

#![warn(missing_docs)]

pub mod agreements;
pub mod alerts;
pub mod carries;
mod ctx;
mod detect;
pub mod input;
pub mod lifecycle;
pub mod model;
pub mod reruns;
pub mod settings;
pub mod text;
pub mod time;

pub use bosun_metrics::data::Dataset;
pub use ctx::Lookups;
pub use detect::docs::fix as stale_doc_fix;
pub use detect::ops::incident_candidates;
pub use input::{Extra, Input};
pub use model::{ActionKind, Evidence, Kind, Severity, Signal, Subject, Suggestion, Target};
pub use settings::Settings;

use bosun_core::time::Ts;
use std::collections::BTreeSet;

/// Which part of the organisation to evaluate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// `None`: every team. Otherwise these teams (`None` inside = records with no team).
    pub teams: Option<BTreeSet<Option<String>>>,
}

impl Scope {
    /// Every team.
    pub fn all() -> Scope {
        Scope { teams: None }
    }

    /// These teams (`None` for records with no team).
    pub fn teams(teams: impl IntoIterator<Item = Option<String>>) -> Scope {
        Scope {
            teams: Some(teams.into_iter().collect()),
        }
    }

    /// Whether records of `team` are in scope.
    pub fn includes(&self, team: Option<&str>) -> bool {
        match &self.teams {
            None => true,
            // Called for every record: compare in place rather than allocate a key.
            Some(set) => set.iter().any(|t| t.as_deref() == team),
        }
    }
}

/// Whether signals of this kind come from the global part (always evaluated) rather than from
/// one team's records. (Incident follow-ups are their ticket's team's: a cache re-evaluates the
/// teams whose follow-ups name an incident that changed, see [`incident_candidates`].)
pub fn is_global(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::IncidentOpen | Kind::RepeatIncidents | Kind::ChatBlocker | Kind::StaleDoc
    )
}

/// Every signal that holds at `as_of`, most severe first. Team-scoped detectors only look at the
/// teams in `scope`; the global ones always run.
pub fn evaluate(input: Input<'_>, settings: &Settings, as_of: Ts, scope: &Scope) -> Vec<Signal> {
    evaluate_with(input, None, settings, as_of, scope)
}

/// [`evaluate`] with [`Lookups`] kept from an earlier evaluation of the same data (a cache
/// keeps them between syncs); without, they are built on the way.
pub fn evaluate_with(
    input: Input<'_>,
    lookups: Option<&Lookups>,
    settings: &Settings,
    as_of: Ts,
    scope: &Scope,
) -> Vec<Signal> {
    Evaluation::new(input, lookups, settings, as_of, scope).detect()
}

type Detector = fn(&ctx::Ctx<'_>, &mut Vec<Signal>);

/// One evaluation of the scope at `as_of`: what the detectors share is built once, for the
/// detectors and for the working agreements (the policy's input, then its violations as signals;
/// the policy engine itself is the caller's).
pub struct Evaluation<'a> {
    cx: ctx::Ctx<'a>,
}

impl<'a> Evaluation<'a> {
    /// An evaluation of `input` at `as_of` for `scope` (`lookups`: indexes built beforehand, else
    /// built now).
    pub fn new(
        input: Input<'a>,
        lookups: Option<&'a Lookups>,
        settings: &'a Settings,
        as_of: Ts,
        scope: &'a Scope,
    ) -> Evaluation<'a> {
        let cx = tracing::debug_span!("ctx")
            .in_scope(|| ctx::Ctx::new(input, lookups, settings, as_of, scope));
        Evaluation { cx }
    }

    /// The detectors' signals, most severe first.
    pub fn detect(&self) -> Vec<Signal> {
        self.detect_with(|| ()).0
    }

    /// The detectors' signals, most severe first, and what `also` returns: the detectors and
    /// `also` (the caller's working agreements) are jobs shared out to one thread per core (up
    /// to four), biggest first. The result does not depend on which thread ran what.
    pub fn detect_with<R: Send>(&self, also: impl FnOnce() -> R + Send) -> (Vec<Signal>, R) {
        // Roughly the most expensive first (measured on the scale-100 demo), so that the last
        // jobs to start are short.
        let detectors: [(&str, Detector); 10] = [
            ("sprints", detect::sprints::detect),
            ("ownership", detect::ownership::detect),
            ("checks", detect::checks::detect),
            ("prs", detect::prs::detect),
            ("tickets", detect::tickets::detect),
            ("ops", detect::ops::detect),
            ("deploys", detect::deploys::detect),
            ("reviews", detect::reviews::detect),
            ("chat", detect::chat::detect),
            ("docs", detect::docs::detect),
        ];
        let parent = tracing::Span::current();
        let also = std::sync::Mutex::new(Some(also));
        let extra = std::sync::Mutex::new(None);
        let next = std::sync::atomic::AtomicUsize::new(0);
        // Job 0 is `also`, job i the detector i - 1; each worker returns what it detected, by job.
        let work = || {
            let mut done: Vec<(usize, Vec<Signal>)> = Vec::new();
            loop {
                let job = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if job == 0 {
                    let f = also.lock().expect("not poisoned").take();
                    if let Some(f) = f {
                        let r = parent.in_scope(f);
                        *extra.lock().expect("not poisoned") = Some(r);
                    }
                    continue;
                }
                let Some((name, detect)) = detectors.get(job - 1) else {
                    return done;
                };
                let mut out = Vec::new();
                tracing::debug_span!(parent: &parent, "detect", name)
                    .in_scope(|| detect(&self.cx, &mut out));
                done.push((job, out));
            }
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let mut done = std::thread::scope(|s| {
            let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
            let mut done = work();
            for h in helpers {
                done.extend(
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                );
            }
            done
        });
        done.sort_by_key(|(job, _)| *job);
        let mut out: Vec<Signal> = done.into_iter().flat_map(|(_, s)| s).collect();
        for s in &mut out {
            cap_stale(s, self.cx.as_of);
        }
        sort(&mut out);
        let extra = extra.into_inner().expect("not poisoned");
        (out, extra.expect("job 0 ran"))
    }

    /// The working agreements' policy input: open pull requests, and pull requests merged and
    /// production deployments of the last [`agreements::WINDOW_DAYS`].
    pub fn policy_input(&self) -> serde_json::Value {
        agreements::policy_input(&self.cx)
    }

    /// Signals for the violations the policy found in [`Evaluation::policy_input`].
    pub fn agreement_signals(&self, violations: &[agreements::Violation]) -> Vec<Signal> {
        agreements::signals(&self.cx, violations)
    }
}

/// A condition that has held this many days is at most of medium severity.
pub const STALE_MEDIUM_DAYS: i64 = 30;
/// ... and after this many, of low severity.
pub const STALE_LOW_DAYS: i64 = 90;

/// Severity that does not shout forever: a condition that has held for weeks (a follow-up 150
/// days overdue, a pull request nobody touched for two months) is a planning question, not an
/// alarm. Its severity is capped at medium after [`STALE_MEDIUM_DAYS`] and low after
/// [`STALE_LOW_DAYS`], and its why says so. An open incident is never capped.
pub fn cap_stale(s: &mut Signal, as_of: Ts) {
    use bosun_core::time::DAY;
    if s.kind == Kind::IncidentOpen {
        return;
    }
    let Some(since) = s.since else { return };
    let days = (as_of - since) / DAY;
    let cap = if days > STALE_LOW_DAYS {
        Severity::Low
    } else if days > STALE_MEDIUM_DAYS {
        Severity::Medium
    } else {
        return;
    };
    if s.severity > cap {
        s.severity = cap;
        s.why.push_str(&format!(
            " Severity capped at {}: the condition has held for {days} days.",
            cap.as_str()
        ));
    }
}

/// Most severe first, then by kind and subject (a stable order for output and tests).
pub fn sort(signals: &mut [Signal]) {
    signals.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.kind.cmp(&b.kind))
            .then(a.dedupe_key.cmp(&b.dedupe_key))
    });
}
