//! What a fresh evaluation does to the stored signals. A signal is de-duplicated across syncs by
//! its `dedupe_key`:
//!
//! - not stored → **new** (open);
//! - stored and resolved → **reopened** (a new episode: first seen now);
//! - stored, open or acknowledged, more severe than before → **escalated** (back to open: the
//!   manager acknowledged it at a lower severity);
//! - stored and snoozed → stays snoozed until `snoozed_until`, then open again;
//! - stored, not resolved, and no longer produced by an evaluation that covered it → **resolved**
//!   (the condition cleared).

use crate::model::{Kind, Severity, Signal};
use bosun_core::time::Ts;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Where a signal stands with the manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SignalStatus"))]
pub enum Status {
    /// Open: needs attention.
    Open,
    /// Seen by the manager; stays until the condition clears.
    Acknowledged,
    /// Put aside until a time.
    Snoozed,
    /// The condition no longer holds.
    Resolved,
}

impl Status {
    /// Its name in the store.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Acknowledged => "acknowledged",
            Status::Snoozed => "snoozed",
            Status::Resolved => "resolved",
        }
    }

    /// The status [`Self::as_str`] names.
    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "open" => Status::Open,
            "acknowledged" => Status::Acknowledged,
            "snoozed" => Status::Snoozed,
            "resolved" => Status::Resolved,
            _ => return None,
        })
    }
}

/// A signal as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    /// Its row id.
    pub id: i64,
    /// Its dedupe key.
    pub dedupe_key: String,
    /// Its kind.
    pub kind: Kind,
    /// Its severity when last seen.
    pub severity: Severity,
    /// Its status.
    pub status: Status,
    /// Its team.
    pub team: Option<String>,
    /// When this episode began.
    pub first_seen_at: Ts,
    /// Until when it is snoozed.
    pub snoozed_until: Option<Ts>,
    /// When it last escalated.
    pub escalated_at: Option<Ts>,
}

/// What happened to a signal in an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// First seen.
    New,
    /// Back after it was resolved.
    Reopened,
    /// Its severity rose.
    Escalated,
    /// Still there, nothing notable changed.
    Seen,
    /// A snooze ran out and the condition still holds.
    SnoozeEnded,
    /// The condition no longer holds.
    Resolved,
}

/// What to write for one signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The stored row (None for a new signal).
    pub id: Option<i64>,
    /// Its dedupe key.
    pub dedupe_key: String,
    /// What happened.
    pub event: Event,
    /// Its status after.
    pub status: Status,
    /// The fresh signal (None when resolved).
    pub signal: Option<Signal>,
    /// First seen in this episode.
    pub first_seen_at: Ts,
    /// When it last escalated.
    pub escalated_at: Option<Ts>,
}

/// Reconcile the stored signals with a fresh evaluation. `covered` says whether the evaluation
/// looked at a stored signal's part of the organisation (a scoped evaluation must not resolve
/// what it did not look at).
pub fn reconcile(
    stored: &[Stored],
    fresh: &[Signal],
    as_of: Ts,
    covered: impl Fn(&Stored) -> bool,
) -> Vec<Transition> {
    let by_key: HashMap<&str, &Stored> =
        stored.iter().map(|s| (s.dedupe_key.as_str(), s)).collect();
    let mut out = Vec::with_capacity(fresh.len());
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for sig in fresh {
        if !seen.insert(sig.dedupe_key.as_str()) {
            continue; // the same condition twice in one evaluation: keep the first
        }
        let t = match by_key.get(sig.dedupe_key.as_str()) {
            None => Transition {
                id: None,
                dedupe_key: sig.dedupe_key.clone(),
                event: Event::New,
                status: Status::Open,
                signal: Some(sig.clone()),
                first_seen_at: as_of,
                escalated_at: None,
            },
            Some(st) if st.status == Status::Resolved => Transition {
                id: Some(st.id),
                dedupe_key: sig.dedupe_key.clone(),
                event: Event::Reopened,
                status: Status::Open,
                signal: Some(sig.clone()),
                first_seen_at: as_of,
                escalated_at: None,
            },
            Some(st) => {
                let worse = sig.severity > st.severity;
                let escalated_at = if worse {
                    Some(as_of)
                } else if sig.severity < st.severity {
                    None
                } else {
                    st.escalated_at
                };
                let (event, status) = match st.status {
                    Status::Snoozed if st.snoozed_until.is_none_or(|u| u <= as_of) => {
                        (Event::SnoozeEnded, Status::Open)
                    }
                    Status::Snoozed => (
                        if worse { Event::Escalated } else { Event::Seen },
                        Status::Snoozed,
                    ),
                    _ if worse => (Event::Escalated, Status::Open),
                    s => (Event::Seen, s),
                };
                Transition {
                    id: Some(st.id),
                    dedupe_key: sig.dedupe_key.clone(),
                    event,
                    status,
                    signal: Some(sig.clone()),
                    first_seen_at: st.first_seen_at,
                    escalated_at,
                }
            }
        };
        out.push(t);
    }
    for st in stored {
        if st.status != Status::Resolved && !seen.contains(st.dedupe_key.as_str()) && covered(st) {
            out.push(Transition {
                id: Some(st.id),
                dedupe_key: st.dedupe_key.clone(),
                event: Event::Resolved,
                status: Status::Resolved,
                signal: None,
                first_seen_at: st.first_seen_at,
                escalated_at: st.escalated_at,
            });
        }
    }
    out
}
