//! Signals in the app: the extra records the detectors read ([`load_extra`], beside the metrics
//! [`Dataset`] from [`crate::metrics`]), one evaluation (detectors plus the policy bundle's working
//! agreements), and what it does to the store: the lifecycle (new, still open, escalated,
//! resolved), alerts under the budget and quiet hours, and a draft for every suggested action.
//!
//! [`SignalCache`] keeps the dataset and the last evaluation in memory: after a sync it re-reads
//! only what the sync wrote (the metrics cache) and re-evaluates only the teams it touched.
//!
//! The parts: [`load`] reads the extra records, [`apply`] writes an evaluation to the store,
//! [`cache`] keeps it in memory; the policy bundle in force is [`crate::policy`]'s.

mod apply;
mod cache;
mod load;

use crate::policy::policy_error;
use crate::{App, AppError, Result};
use bosun_core::time::{DAY, Ts};
use bosun_policy::Bundle;
use bosun_signals::{Evaluation, Input, Lookups, Scope, Settings, Signal};
use bosun_store::Connection;
use bosun_store::{alerts as alert_rows, signals as rows};
use serde::Serialize;

pub use crate::config::AlertsConfig;
pub use crate::policy::Policy;
pub use apply::{Applied, apply, covered, idempotency_key};
pub use bosun_signals::Kind;
pub use cache::{Reevaluated, SignalCache};
pub use load::{Part, load_extra, load_extra_part, load_roster};

/// Working agreements: the policy's violations for the evaluation's scope, as signals.
pub fn agreements(ev: &Evaluation<'_>, bundle: &Bundle) -> Result<Vec<Signal>> {
    let input = tracing::debug_span!("policy_input").in_scope(|| ev.policy_input());
    let _s = tracing::debug_span!("violations").entered();
    let violations: Vec<bosun_signals::agreements::Violation> = bundle
        .violations(input)
        .map_err(policy_error)?
        .into_iter()
        .map(|v| bosun_signals::agreements::Violation {
            rule: v.rule,
            subject_kind: v.subject_kind,
            subject_ref: v.subject_ref,
            severity: v.severity,
            why: v.why,
            suggest: v.suggest,
        })
        .collect();
    drop(_s);
    Ok(tracing::debug_span!("agreement_signals").in_scope(|| ev.agreement_signals(&violations)))
}

/// Every signal for the scope: the detectors and the working agreements, most severe first.
pub fn evaluate(
    input: Input<'_>,
    settings: &Settings,
    bundle: &Bundle,
    as_of: Ts,
    scope: &Scope,
) -> Result<Vec<Signal>> {
    evaluate_with(input, None, settings, bundle, as_of, scope)
}

/// [`evaluate`] with the detectors' [`Lookups`] kept from an earlier evaluation of the same data.
pub fn evaluate_with(
    input: Input<'_>,
    lookups: Option<&Lookups>,
    settings: &Settings,
    bundle: &Bundle,
    as_of: Ts,
    scope: &Scope,
) -> Result<Vec<Signal>> {
    let ev = Evaluation::new(input, lookups, settings, as_of, scope);
    // The working agreements run beside the detectors (one job among theirs).
    let (mut out, agreed) =
        ev.detect_with(|| tracing::debug_span!("agreements").in_scope(|| agreements(&ev, bundle)));
    out.extend(agreed?);
    bosun_signals::sort(&mut out);
    Ok(out)
}

impl App {
    /// The manager's time zone (the `me` person's), minutes east of UTC.
    pub fn my_offset_minutes(&self, conn: &Connection) -> i32 {
        let me = self.config.identity.me.trim();
        if me.is_empty() {
            return 0;
        }
        bosun_store::identity::offset_of(conn, me)
            .ok()
            .flatten()
            .unwrap_or(0)
    }

    /// Evaluate every signal now, write what changed (lifecycle, alerts, drafts) and return the
    /// stored signals in `statuses` (all when empty).
    pub fn refresh_signals(&self, statuses: &[&str]) -> Result<SignalsView> {
        self.refresh_signals_in(&mut None, statuses)
    }

    /// The dataset, the extra records and the signals at this moment, to keep (see
    /// [`SignalCache`]).
    pub fn signal_cache(&self, conn: &Connection) -> Result<SignalCache> {
        SignalCache::load(conn, &self.config, &self.policy(conn)?.bundle, self.now())
    }

    /// [`App::refresh_signals`] keeping what it read in `cache` for the next call (the running
    /// app's): the store is then re-read only where the syncs since wrote, and the signals are
    /// evaluated from memory.
    pub fn refresh_signals_in(
        &self,
        cache: &mut Option<SignalCache>,
        statuses: &[&str],
    ) -> Result<SignalsView> {
        self.refresh_signals_at(cache, statuses, self.now())
    }

    /// [`App::refresh_signals_in`] at the moment of the cache's last evaluation (now when there
    /// is no cache yet): on start-up, the cache just loaded for the pages was evaluated seconds
    /// ago, and evaluating again at "now" would re-read and re-evaluate everything for nothing.
    pub fn refresh_signals_at_cache_moment(
        &self,
        cache: &mut Option<SignalCache>,
        statuses: &[&str],
    ) -> Result<SignalsView> {
        let as_of = cache
            .as_ref()
            .map_or_else(|| self.now(), SignalCache::as_of);
        self.refresh_signals_at(cache, statuses, as_of)
    }

    fn refresh_signals_at(
        &self,
        cache: &mut Option<SignalCache>,
        statuses: &[&str],
        as_of: Ts,
    ) -> Result<SignalsView> {
        let mut store = self.store()?;
        let policy = self.policy(store.conn())?;
        let cache = match cache {
            Some(c) => {
                c.refresh(store.conn(), &self.config, &policy.bundle, as_of)?;
                c
            }
            None => cache.insert(SignalCache::load(
                store.conn(),
                &self.config,
                &policy.bundle,
                as_of,
            )?),
        };
        let mut alert_settings = self
            .config
            .alerts
            .settings(self.my_offset_minutes(store.conn()))?;
        // A page on the teams I manage alerts at once (every team's when I manage none).
        let me = self.me(store.conn())?;
        alert_settings.incident_teams = bosun_store::notes::teams_managed_by(store.conn(), me)?;
        let applied = apply(
            &mut store,
            &cache.signals,
            &Scope::all(),
            as_of,
            &alert_settings,
            &policy.bundle,
            &cache.extra,
        )?;
        let signals = rows::list(store.conn(), statuses)?;
        let alerts = alert_rows::list(store.conn(), alert_settings.day_start(as_of))?;
        Ok(SignalsView {
            as_of: bosun_core::time::rfc3339(as_of),
            applied,
            policy_warning: policy.warning,
            signals,
            alerts,
        })
    }

    /// Acknowledge a signal, or snooze it until `until`.
    pub fn set_signal_status(&self, id: i64, snooze_until: Option<Ts>) -> Result<rows::SignalRow> {
        let mut store = self.store()?;
        let status = if snooze_until.is_some() {
            "snoozed"
        } else {
            "acknowledged"
        };
        let (now, who) = (self.now(), self.actor());
        // The change and its audit entry in one transaction: every acknowledgement is audited.
        let changed = store.write(|tx| {
            if !rows::set_status(tx, id, status, now, snooze_until)? {
                return Ok(false);
            }
            let subject = format!("signal:{id}");
            bosun_store::audit::append(
                tx,
                &bosun_store::audit::NewEntry {
                    at: now,
                    actor: &who,
                    action: if snooze_until.is_some() {
                        "signal.snooze"
                    } else {
                        "signal.acknowledge"
                    },
                    subject: Some(&subject),
                    result: "ok",
                    trace: serde_json::json!({ "status": status, "snoozed_until": snooze_until }),
                },
            )?;
            Ok(true)
        })?;
        if !changed {
            return Err(AppError::NotFound(format!(
                "no open signal {id} (see `bosun signals`)"
            )));
        }
        rows::get(store.conn(), id)?.ok_or_else(|| AppError::NotFound(format!("no signal {id}")))
    }
}

/// `bosun signals`.
#[derive(Debug, Clone, Serialize)]
pub struct SignalsView {
    pub as_of: String,
    pub applied: Applied,
    pub policy_warning: Option<String>,
    pub signals: Vec<rows::SignalRow>,
    pub alerts: Vec<alert_rows::AlertRow>,
}
