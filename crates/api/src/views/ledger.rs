//! Signals, action drafts and the audit ledger, as the store keeps them.

use super::common::NoArgs;
use super::common::{opt_time, time};
use crate::error::ApiError;
use crate::error::Result;
use crate::state::Api;
use bosun_app::App;
use bosun_core::model::{ActionKind, ActionStatus};
use bosun_signals::Severity;
use bosun_signals::lifecycle::Status;
use bosun_store::{actions, audit, signals};
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SignalView {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: String,
    pub severity: Severity,
    pub subject: String,
    pub title: String,
    /// One line: why am I seeing this.
    pub why: String,
    /// The records behind it (links, ids), as the signals engine wrote them.
    #[ts(type = "unknown")]
    pub evidence: serde_json::Value,
    #[ts(type = "unknown")]
    pub suggestion: Option<serde_json::Value>,
    pub team: Option<String>,
    pub person: Option<String>,
    pub status: Status,
    pub first_seen_at: String,
    pub last_seen_at: String,
    pub snoozed_until: Option<String>,
}

impl TryFrom<signals::SignalRow> for SignalView {
    type Error = ApiError;

    /// A stored severity or status this version does not know is an internal error, never a
    /// string passed along.
    fn try_from(s: signals::SignalRow) -> Result<SignalView> {
        let unknown = |what: &str, value: &str| {
            ApiError::internal(format!("signal {}: unknown {what} {value:?}", s.id))
        };
        Ok(SignalView {
            id: s.id,
            severity: Severity::parse(&s.severity)
                .ok_or_else(|| unknown("severity", &s.severity))?,
            status: Status::parse(&s.status).ok_or_else(|| unknown("status", &s.status))?,
            kind: s.kind,
            subject: format!("{} {}", s.subject_kind, s.subject_ref),
            title: s.title,
            why: s.why,
            evidence: s.evidence,
            suggestion: s.suggestion,
            team: s.team,
            person: s.person,
            first_seen_at: time(s.first_seen_at),
            last_seen_at: time(s.last_seen_at),
            snoozed_until: opt_time(s.snoozed_until),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ActionView {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: ActionKind,
    pub status: ActionStatus,
    pub summary: String,
    pub preview: String,
    pub body: String,
    #[ts(type = "unknown")]
    pub target: serde_json::Value,
    #[ts(type = "number | null")]
    pub signal_id: Option<i64>,
    pub created_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
    /// What policy decided (allowed, needs approval, denied) and why.
    #[ts(type = "unknown")]
    pub decision: serde_json::Value,
}

impl From<actions::ActionRow> for ActionView {
    fn from(a: actions::ActionRow) -> ActionView {
        ActionView {
            id: a.id,
            kind: a.kind,
            status: a.status,
            summary: a.summary,
            preview: a.preview,
            body: a.body,
            target: a.target,
            signal_id: a.signal_id,
            created_at: time(a.created_at),
            decided_at: opt_time(a.decided_at),
            decided_by: a.decided_by,
            sent_at: opt_time(a.sent_at),
            last_error: a.last_error,
            decision: a.decision,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SignalsPage {
    pub signals: Vec<SignalView>,
    /// The same signals, one card per subject.
    pub groups: Vec<SignalGroup>,
    /// Subjects with an open signal (what the counts everywhere say).
    pub open: u32,
    /// Subjects whose every signal is acknowledged or snoozed: listed, not counted.
    pub set_aside: u32,
    pub actions: Vec<ActionView>,
}

/// Every signal about one subject (a pull request, a ticket, a sprint, a path) as one card with
/// all its reasons: a pull request approved but unmerged, failing its checks and named in chat
/// is one thing to look at, not three.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SignalGroup {
    /// `kind reference`, e.g. `pull_request acme/api#7`.
    pub subject: String,
    pub title: String,
    /// The most severe open reason's (of all reasons, when none is open).
    pub severity: Severity,
    /// open when any reason is open; else acknowledged or snoozed.
    pub status: Status,
    pub team: Option<String>,
    pub person: Option<String>,
    /// Most severe first.
    pub reasons: Vec<SignalView>,
}

/// Signals grouped by subject, the most severe open subject first.
pub fn group_signals(signals: &[SignalView]) -> Vec<SignalGroup> {
    let mut order: Vec<&str> = Vec::new();
    let mut by: HashMap<&str, Vec<&SignalView>> = HashMap::new();
    for s in signals {
        by.entry(s.subject.as_str())
            .or_insert_with(|| {
                order.push(s.subject.as_str());
                Vec::new()
            })
            .push(s);
    }
    let mut groups: Vec<SignalGroup> = order
        .into_iter()
        .map(|subject| {
            let mut reasons: Vec<SignalView> = by[subject].iter().map(|s| (*s).clone()).collect();
            reasons.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
            let open: Vec<&SignalView> = reasons
                .iter()
                .filter(|r| r.status == Status::Open)
                .collect();
            let lead = open.first().copied().unwrap_or(&reasons[0]);
            SignalGroup {
                subject: subject.to_string(),
                title: lead.title.clone(),
                severity: lead.severity,
                status: if open.is_empty() {
                    lead.status
                } else {
                    Status::Open
                },
                team: lead.team.clone(),
                person: lead.person.clone(),
                reasons,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        (b.status == Status::Open)
            .cmp(&(a.status == Status::Open))
            .then(b.severity.cmp(&a.severity))
    });
    groups
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub result: String,
    pub trace: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AuditProblem {
    #[ts(type = "number")]
    pub seq: i64,
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AuditPage {
    /// The hash chain checked end to end.
    pub ok: bool,
    pub total: u32,
    pub problems: Vec<AuditProblem>,
    /// The newest entries first (at most 500).
    pub entries: Vec<AuditEntry>,
}

/// Open, acknowledged and snoozed signals, most severe first.
pub fn open_signals(app: &App) -> Result<Vec<SignalView>> {
    let store = app.store()?;
    signals::list(store.conn(), &["open", "acknowledged", "snoozed"])?
        .into_iter()
        .map(SignalView::try_from)
        .collect()
}

pub fn signals_page(api: &Api, _: NoArgs) -> Result<SignalsPage> {
    api.ready()?;
    let app = api.app();
    let store = app.store()?;
    let signals = open_signals(&app)?;
    let groups = group_signals(&signals);
    let open = groups.iter().filter(|g| g.status == Status::Open).count() as u32;
    Ok(SignalsPage {
        set_aside: groups.len() as u32 - open,
        open,
        groups,
        signals,
        actions: actions::list(store.conn(), &[])?
            .into_iter()
            .map(ActionView::from)
            .collect(),
    })
}

pub fn audit_page(api: &Api, _: NoArgs) -> Result<AuditPage> {
    api.ready()?;
    let app = api.app();
    let v = app.audit_verify()?;
    let store = app.store()?;
    Ok(AuditPage {
        ok: v.ok,
        total: v.entries as u32,
        problems: v
            .problems
            .into_iter()
            .map(|p| AuditProblem {
                seq: p.seq,
                kind: p.kind.as_str().to_string(),
                message: p.message,
            })
            .collect(),
        entries: audit::entries(store.conn(), Some(500))?
            .into_iter()
            .map(|e| AuditEntry {
                seq: e.seq,
                at: time(e.at),
                actor: e.actor,
                action: e.action,
                subject: e.subject,
                result: e.result,
                trace: e.trace,
                hash: e.hash,
            })
            .collect(),
    })
}

#[derive(Debug, Clone, Default, serde::Deserialize, TS)]
#[serde(default)]
pub struct ApproveArgs {
    #[ts(type = "number")]
    pub id: i64,
    /// The edited message; the draft's own body when absent.
    pub body: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, TS)]
#[serde(default)]
pub struct RejectArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub reason: Option<String>,
}

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ActionResult {
    #[ts(type = "number")]
    pub id: i64,
    /// The action's status now: sent, approved (deferred by policy), denied, failed, rejected.
    pub status: ActionStatus,
    /// The policy's warning, a deferral or the delivery error, when there is one.
    pub note: Option<String>,
}

/// Approve a draft (edited or not): policy decides, the outbox delivers, the ledger records.
pub fn approve_action(api: &Api, args: ApproveArgs) -> Result<ActionResult> {
    api.ready()?;
    let app = api.app();
    let body = args.body.filter(|b| !b.trim().is_empty());
    let d =
        tokio::runtime::Handle::current().block_on(app.approve_action(args.id, body.as_deref()))?;
    let note = d
        .policy_warning
        .clone()
        .or_else(|| d.action.row.last_error.clone())
        .or_else(|| d.attempts.last().and_then(|a| a.error.clone()));
    Ok(ActionResult {
        id: args.id,
        status: d.action.row.status,
        note,
    })
}

pub fn reject_action(api: &Api, args: RejectArgs) -> Result<ActionResult> {
    api.ready()?;
    let v = api.app().reject_action(args.id, args.reason.as_deref())?;
    Ok(ActionResult {
        id: args.id,
        status: v.row.status,
        note: None,
    })
}

#[derive(Debug, Clone, Default, serde::Deserialize, TS)]
#[serde(default)]
pub struct SignalStatusArgs {
    #[ts(type = "number")]
    pub id: i64,
    /// Snooze for this many hours; acknowledge when absent.
    pub snooze_hours: Option<u32>,
}

pub fn signal_status(api: &Api, args: SignalStatusArgs) -> Result<SignalView> {
    api.ready()?;
    let app = api.app();
    let until = args
        .snooze_hours
        .map(|h| app.now() + i64::from(h.clamp(1, 24 * 30)) * 3600);
    app.set_signal_status(args.id, until)?.try_into()
}
