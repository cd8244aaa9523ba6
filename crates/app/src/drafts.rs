//! Drafts Bosun writes on its own, not from a signal: the weekly digest, an incident's status
//! updates, a postmortem's follow-up tickets. Each is asked of the policy, written once (by its
//! idempotency key), audited with the decision, and denied on arrival only when the policy denies
//! it — like the drafts signals suggest (`signals::apply`).

use crate::policy::{self, policy_error};
use crate::{AppError, Result};
use bosun_core::time::Ts;
use bosun_policy::Bundle;
use bosun_signals::carries::Named;
use bosun_signals::{ActionKind, Extra, Target};
use bosun_store::{Store, actions, audit};

/// One draft to write.
pub(crate) struct OwnDraft<'a> {
    pub kind: ActionKind,
    pub target: &'a Target,
    /// The text that would go out (for a ticket, its description).
    pub body: &'a str,
    /// One line: what it is and where it goes.
    pub summary: &'a str,
    /// Written once per key, whatever its status since.
    pub idempotency_key: &'a str,
    /// Drafts sharing this key are withdrawn together (`actions::withdraw_for_signal`).
    pub series: Option<&'a str>,
    /// What the policy sees as the signal kind (`weekly_digest`, `incident_open`, …).
    pub signal_kind: &'a str,
    /// The audit entry's action (`digest.draft`, …) and what else it records.
    pub audit_action: &'a str,
    pub trace: serde_json::Value,
}

impl<'a> OwnDraft<'a> {
    /// The draft of `sug` (its kind, target, text and summary), written once per `key`.
    pub fn of(
        sug: &'a bosun_signals::Suggestion,
        idempotency_key: &'a str,
        signal_kind: &'a str,
        audit_action: &'a str,
        trace: serde_json::Value,
    ) -> OwnDraft<'a> {
        OwnDraft {
            kind: sug.kind,
            target: &sug.target,
            body: &sug.text,
            summary: &sug.summary,
            idempotency_key,
            series: None,
            signal_kind,
            audit_action,
            trace,
        }
    }
}

/// What the policy and the store need, loaded once for a batch of drafts.
pub(crate) struct Drafter {
    bundle: Bundle,
    named: Vec<Named>,
    extra: Extra,
    /// Who drafts (the audit's actor).
    who: String,
    now: Ts,
}

impl Drafter {
    /// The policy bundle, the people a text may name, who drafts and when, for `app`;
    /// `extra` is what the policy knows of the people reached (their hours and caps).
    pub fn load(app: &crate::App, conn: &bosun_store::Connection, extra: Extra) -> Result<Drafter> {
        Ok(Drafter {
            bundle: app.policy(conn)?.bundle,
            named: policy::nameable(conn)?,
            extra,
            who: app.actor(),
            now: app.now(),
        })
    }

    /// What the policy knows of the people reached.
    pub fn extra(&self) -> &Extra {
        &self.extra
    }

    /// Write `d` unless a draft with its key exists: the new action's id, else `None`.
    pub fn write(&self, store: &mut Store, d: &OwnDraft<'_>) -> Result<Option<i64>> {
        if actions::exists(store.conn(), d.idempotency_key)? {
            return Ok(None);
        }
        let input = policy::policy_input(
            store.conn(),
            &self.extra,
            &policy::Asked {
                kind: d.kind,
                body: d.body,
                generated: None,
                summary: d.summary,
                signal_kind: d.signal_kind,
                people: &d.target.people,
            },
            &self.named,
            None,
            self.now,
        )?;
        let decision = self
            .bundle
            .decide(&input)
            .map_err(policy_error)?
            .at(self.now);
        let decision_json = serde_json::to_string(&decision)
            .map_err(|e| AppError::Internal(format!("a policy decision as JSON: {e}")))?;
        let target = serde_json::to_string(d.target)
            .map_err(|e| AppError::Internal(format!("a draft's target as JSON: {e}")))?;
        let preview = format!("{}\n\n{}", d.summary, d.body);
        let mut trace = d.trace.clone();
        trace["decision"] = serde_json::to_value(&decision)
            .map_err(|e| AppError::Internal(format!("a policy decision as JSON: {e}")))?;
        Ok(store.write(|tx| {
            let Some(id) = actions::insert_draft(
                tx,
                &actions::NewAction {
                    kind: d.kind,
                    signal_id: None,
                    signal_key: d.series,
                    target: &target,
                    preview: &preview,
                    body: d.body,
                    summary: d.summary,
                    idempotency_key: d.idempotency_key,
                    created_at: self.now,
                    decision: &decision_json,
                },
            )?
            else {
                return Ok(None);
            };
            audit::append(
                tx,
                &audit::NewEntry {
                    at: self.now,
                    actor: &self.who,
                    action: d.audit_action,
                    subject: Some(&format!("action:{id}")),
                    result: if decision.denied() {
                        "denied"
                    } else {
                        "needs_approval"
                    },
                    trace,
                },
            )?;
            if decision.denied() {
                actions::deny(tx, id, &decision_json, &decision.explain())?;
            }
            Ok(Some(id))
        })?)
    }
}
