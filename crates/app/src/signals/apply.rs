//! Writing an evaluation to the store: the lifecycle, alerts and drafts.

use crate::policy::{self, policy_error};
use crate::{AppError, Result};
use bosun_core::time::Ts;
use bosun_policy::Bundle;
use bosun_signals::alerts::{self, AlertKind, AlertSettings, Candidate, Outcome};
use bosun_signals::input::Extra;
use bosun_signals::lifecycle::{self, Event, Status, Stored};
use bosun_signals::{Kind, Scope, Severity, Signal};
use bosun_store::Connection;
use bosun_store::{actions, alerts as alert_rows, audit, signals as rows};
use serde::Serialize;

/// What one evaluation changed in the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub new: usize,
    pub reopened: usize,
    pub escalated: usize,
    pub resolved: usize,
    pub open: usize,
    pub alerts_delivered: usize,
    /// Of those delivered, the pages: new high-urgency incidents, outside the daily budget.
    pub alerts_paged: usize,
    pub alerts_held: usize,
    pub alerts_over_budget: usize,
    pub drafts: usize,
    pub drafts_withdrawn: usize,
    /// Suggestions not drafted because a draft with the same intent exists (one per intent).
    pub same_intent: usize,
}

fn stored(rows: Vec<rows::LifeRow>) -> Vec<Stored> {
    rows.into_iter()
        .filter_map(|r| {
            Some(Stored {
                id: r.id,
                kind: bosun_signals::Kind::parse(&r.kind)?,
                severity: Severity::parse(&r.severity)?,
                status: Status::parse(&r.status)?,
                dedupe_key: r.dedupe_key,
                team: r.team,
                first_seen_at: r.first_seen_at,
                snoozed_until: r.snoozed_until,
                escalated_at: r.escalated_at,
            })
        })
        .collect()
}

/// Whether a stored signal belongs to the part of the organisation `scope` covers.
pub fn covered(scope: &Scope, s: &Stored) -> bool {
    bosun_signals::is_global(s.kind) || scope.includes(s.team.as_deref())
}

/// The idempotency key of the draft for a signal's episode.
pub fn idempotency_key(dedupe_key: &str, episode: Ts, kind: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(format!("{dedupe_key}\n{episode}\n{kind}").as_bytes());
    let hex: String = d.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("bosun-{hex}")
}

/// A signal open after the lifecycle step, with its stored id: alerts and drafts are for these.
struct OpenSignal {
    id: i64,
    signal: Signal,
    first_seen_at: Ts,
    escalated_at: Option<Ts>,
}

/// Write a fresh evaluation: lifecycle, alerts and drafts, in one transaction. `bundle` decides
/// on the drafts (every decision goes to the audit ledger).
#[allow(clippy::too_many_arguments)]
pub fn apply(
    store: &mut bosun_store::Store,
    fresh: &[Signal],
    scope: &Scope,
    as_of: Ts,
    alert_settings: &AlertSettings,
    bundle: &Bundle,
    extra: &Extra,
) -> Result<Applied> {
    let tx = store.begin()?;
    let conn: &Connection = &tx;
    let mut done = Applied::default();
    let open = write_lifecycle(conn, fresh, scope, as_of, &mut done)?;
    done.open = open.len();
    write_alerts(conn, &open, as_of, alert_settings, &mut done)?;
    write_drafts(conn, &open, as_of, bundle, extra, &mut done)?;
    tx.commit()?;
    Ok(done)
}

/// Reconcile the stored signals in `scope` with the fresh ones: resolve those gone (withdrawing
/// their drafts), write the others. Returns the signals open now.
fn write_lifecycle(
    conn: &Connection,
    fresh: &[Signal],
    scope: &Scope,
    as_of: Ts,
    done: &mut Applied,
) -> Result<Vec<OpenSignal>> {
    let before = stored(rows::lifecycle_rows(conn)?);
    let transitions = lifecycle::reconcile(&before, fresh, as_of, |s| covered(scope, s));
    let mut open = Vec::new();
    for t in &transitions {
        match (&t.signal, t.event) {
            (None, _) => {
                if let Some(id) = t.id {
                    rows::resolve(conn, id, as_of)?;
                    done.resolved += 1;
                    done.drafts_withdrawn +=
                        actions::withdraw_for_signal(conn, &t.dedupe_key, as_of)?;
                }
            }
            (Some(sig), event) => {
                let id = write_signal(conn, sig, t, as_of)?;
                match event {
                    Event::New => done.new += 1,
                    Event::Reopened => done.reopened += 1,
                    Event::Escalated => done.escalated += 1,
                    _ => {}
                }
                if t.status == Status::Open {
                    open.push(OpenSignal {
                        id,
                        signal: sig.clone(),
                        first_seen_at: t.first_seen_at,
                        escalated_at: t.escalated_at,
                    });
                }
            }
        }
    }
    Ok(open)
}

/// Insert or update one signal as its transition leaves it; its stored id.
fn write_signal(
    conn: &Connection,
    sig: &Signal,
    t: &lifecycle::Transition,
    as_of: Ts,
) -> Result<i64> {
    let evidence = serde_json::to_string(&sig.evidence)?;
    let suggestion = sig
        .suggestion
        .as_ref()
        .and_then(|s| serde_json::to_string(s).ok());
    let detail = serde_json::json!({
        "subject_url": sig.subject.url,
        "subject_title": sig.subject.title,
        "since": sig.since,
        "rule": sig.rule,
    })
    .to_string();
    Ok(rows::upsert(
        conn,
        &rows::Write {
            dedupe_key: &sig.dedupe_key,
            kind: sig.kind.as_str(),
            severity: sig.severity.as_str(),
            subject_kind: &sig.subject.kind,
            subject_ref: &sig.subject.reference,
            title: &sig.title,
            why: &sig.why,
            evidence: &evidence,
            suggestion: suggestion.as_deref(),
            team: sig.team.as_deref(),
            person_id: sig.person,
            status: t.status.as_str(),
            first_seen_at: t.first_seen_at,
            seen_at: as_of,
            escalated_at: t.escalated_at,
            detail: &detail,
        },
    )?)
}

/// Alerts for the open signals (new, and escalated): held in quiet hours, over the daily budget
/// or delivered; an alert held earlier is released when it may go.
fn write_alerts(
    conn: &Connection,
    open: &[OpenSignal],
    as_of: Ts,
    alert_settings: &AlertSettings,
    done: &mut Applied,
) -> Result<()> {
    let mut candidates = Vec::new();
    for o in open {
        let (id, sig) = (&o.id, &o.signal);
        let mut push = |kind: AlertKind, since: Ts| -> Result<()> {
            let existing = alert_rows::existing(conn, *id, kind.as_str(), since)?;
            candidates.push(Candidate {
                signal_id: *id,
                kind,
                severity: sig.severity,
                since,
                title: sig.title.clone(),
                why: sig.why.clone(),
                already: existing.is_some(),
                held_alert: existing
                    .filter(|(_, delivered, why)| {
                        !delivered && why.as_deref() == Some("quiet_hours")
                    })
                    .map(|(a, _, _)| a),
                urgent_incident: sig.kind == Kind::IncidentOpen && sig.severity >= Severity::High,
                team: sig.team.clone(),
            });
            Ok(())
        };
        push(AlertKind::New, o.first_seen_at)?;
        if let Some(e) = &o.escalated_at {
            push(AlertKind::Escalated, *e)?;
        }
    }
    let delivered_today = alert_rows::delivered_since(conn, alert_settings.day_start(as_of))?;
    for d in alerts::plan(candidates, delivered_today, alert_settings, as_of) {
        let c = &d.candidate;
        let (delivered, suppressed) = match d.outcome {
            Outcome::Deliver | Outcome::Page => (true, None),
            Outcome::HeldQuietHours => (false, Some("quiet_hours")),
            Outcome::OverBudget => (false, Some("daily_budget")),
        };
        match d.outcome {
            Outcome::Deliver => done.alerts_delivered += 1,
            Outcome::Page => {
                done.alerts_delivered += 1;
                done.alerts_paged += 1;
            }
            Outcome::HeldQuietHours => done.alerts_held += 1,
            Outcome::OverBudget => done.alerts_over_budget += 1,
        }
        match c.held_alert {
            Some(a) => alert_rows::release(conn, a, as_of, delivered, &d.reason)?,
            None => {
                alert_rows::insert(
                    conn,
                    &alert_rows::NewAlert {
                        signal_id: c.signal_id,
                        kind: c.kind.as_str(),
                        severity: c.severity.as_str(),
                        episode_at: c.since,
                        fired_at: as_of,
                        title: &c.title,
                        body: &c.why,
                        reason: &d.reason,
                        delivered,
                        suppressed_reason: suppressed,
                        page: d.outcome == Outcome::Page,
                    },
                )?;
            }
        }
    }
    Ok(())
}

/// One draft per suggestion per episode, unless it exists already; the policy decides on all of
/// them in one batch, and every decision goes to the audit ledger.
fn write_drafts(
    conn: &Connection,
    open: &[OpenSignal],
    as_of: Ts,
    bundle: &Bundle,
    extra: &Extra,
    done: &mut Applied,
) -> Result<()> {
    let mut pending = Vec::new();
    let named = policy::nameable(conn)?;
    // One draft per intent: a pull request raised for two reasons (waiting for review, named in
    // chat) gets one nudge to its reviewer, not two. The most severe signal drafts it (`open`
    // comes most severe first); a draft still waiting for the manager counts too.
    let mut intents = actions::draft_intents(conn)?;
    for o in open {
        let (id, sig, first) = (&o.id, &o.signal, &o.first_seen_at);
        let Some(sug) = &sig.suggestion else { continue };
        let key = idempotency_key(&sig.dedupe_key, *first, sug.kind.as_str());
        if actions::exists(conn, &key)? {
            continue;
        }
        let target = serde_json::to_string(&sug.target)
            .map_err(|e| AppError::Internal(format!("a draft's target as JSON: {e}")))?;
        if !intents.insert(actions::Intent::new(sug.kind, &target, &sig.dedupe_key)) {
            done.same_intent += 1;
            continue;
        }
        let input = policy::policy_input(
            conn,
            extra,
            &policy::Asked {
                kind: sug.kind,
                body: &sug.text,
                generated: None,
                summary: &sug.summary,
                signal_kind: sig.kind.as_str(),
                people: &sug.target.people,
            },
            &named,
            None,
            as_of,
        )?;
        pending.push((*id, sig, sug, key, input, target));
    }
    let inputs: Vec<serde_json::Value> = pending.iter().map(|p| p.4.clone()).collect();
    let decisions = bundle.decide_all(&inputs).map_err(policy_error)?;
    for ((id, sig, sug, key, input, target), decision) in pending.into_iter().zip(decisions) {
        let decision = decision.at(as_of);
        let preview = format!("{}\n\n{}", sug.summary, sug.text);
        let decision_json = serde_json::to_string(&decision)
            .map_err(|e| AppError::Internal(format!("a policy decision as JSON: {e}")))?;
        let Some(action) = actions::insert_draft(
            conn,
            &actions::NewAction {
                kind: sug.kind,
                signal_id: Some(id),
                signal_key: Some(&sig.dedupe_key),
                target: &target,
                preview: &preview,
                body: &sug.text,
                summary: &sug.summary,
                idempotency_key: &key,
                created_at: as_of,
                decision: &decision_json,
            },
        )?
        else {
            continue;
        };
        done.drafts += 1;
        // Read the decision's fields, never its sentences: a draft is denied only by a `deny`;
        // waiting for the manager (`needs_approval`) and waiting for the recipient's working
        // hours (`defer`) keep it a draft, and approving it decides again.
        let denied = decision.denied();
        let subject = format!("action:{action}");
        audit::append(
            conn,
            &audit::NewEntry {
                at: as_of,
                actor: "policy",
                action: "policy.decide",
                subject: Some(&subject),
                result: if denied {
                    "denied"
                } else if decision.deferred() {
                    "deferred"
                } else {
                    "needs_approval"
                },
                trace: serde_json::json!({"stage": "draft", "signal": sig.dedupe_key, "decision": decision, "input": input}),
            },
        )?;
        if denied {
            actions::deny(conn, action, &decision_json, &decision.explain())?;
        }
    }
    Ok(())
}
