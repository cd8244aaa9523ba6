//! Status updates at a cadence: while an incident is open, every `[incidents]
//! update_every_minutes` from its start a status update is drafted for the responders' channel
//! (and for the stakeholders' channel when one is configured), from what is known then. Drafts
//! only: they wait in Signals & actions for approval like every action. A newer update withdraws
//! the older one still waiting, and resolving the incident withdraws the last.

use crate::drafts::{Drafter, OwnDraft};
use crate::incidents::DraftView;
use crate::policy;
use crate::{App, Result};
use bosun_core::time::{DAY, Ts};
use bosun_signals::Suggestion;
use bosun_store::{actions, incidents as rows};
use serde::Serialize;

/// What was drafted for one incident.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusUpdateDraft {
    pub incident: String,
    /// `channel` or `stakeholders`.
    pub audience: String,
    /// Without `#`.
    pub channel: String,
    /// The draft (action id).
    pub action: i64,
    pub text: String,
}

/// The drafts of one incident share this key: a newer update withdraws the older.
fn series_key(incident: &str) -> String {
    format!("incident:{incident}:status_update")
}

/// The update due at `now` for an incident that started at `start`: the number of whole
/// cadences since the start.
pub fn slot(start: Ts, now: Ts, every_minutes: i64) -> i64 {
    (now - start).max(0) / (every_minutes * 60)
}

impl App {
    /// Draft the status updates that are due for every open incident (see the module), withdraw
    /// those of incidents resolved in the last week. Returns what was drafted.
    pub fn draft_status_updates(&self) -> Result<Vec<StatusUpdateDraft>> {
        let cfg = &self.config.incidents;
        let now = self.now();
        let all = {
            let store = self.store()?;
            rows::list(store.conn())?
        };
        let mut store = self.store()?;
        for i in all
            .iter()
            .filter(|i| i.resolved_at.is_some_and(|r| r >= now - 7 * DAY))
        {
            actions::withdraw_for_signal(store.conn(), &series_key(&i.external_id), now)?;
        }
        if cfg.update_every_minutes <= 0 {
            return Ok(Vec::new());
        }
        let due: Vec<&rows::IncidentRow> = all
            .iter()
            .filter(|i| i.resolved_at.is_none() && i.created_at <= now)
            .filter(|i| {
                let key = update_key(
                    &i.external_id,
                    slot(i.created_at, now, cfg.update_every_minutes),
                    "channel",
                );
                !actions::exists(store.conn(), &key).unwrap_or(true)
            })
            .collect();
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let bundle = self.policy(store.conn())?.bundle;
        let named = policy::nameable(store.conn())?;
        let extra = bosun_signals::Extra::default();
        let who = self.actor();
        let drafter = Drafter {
            bundle: &bundle,
            named: &named,
            extra: &extra,
            who: &who,
            now,
        };
        let mut out = Vec::new();
        for inc in due {
            let view = self.incident(&inc.external_id)?;
            let n = slot(inc.created_at, now, cfg.update_every_minutes);
            let series = series_key(&inc.external_id);
            actions::withdraw_for_signal(store.conn(), &series, now)?;
            for DraftView { audience, text, .. } in view.drafts {
                let channel = match audience {
                    "channel" => &cfg.channel,
                    _ => &cfg.stakeholder_channel,
                }
                .trim()
                .trim_start_matches('#')
                .to_string();
                if channel.is_empty() {
                    continue;
                }
                let summary = format!(
                    "Message in #{channel}: status update {} on {} {}",
                    n + 1,
                    inc.external_id,
                    inc.title
                );
                let sug =
                    Suggestion::channel_message(channel.clone(), text.clone(), summary.clone());
                let action = drafter.write(
                    &mut store,
                    &OwnDraft {
                        kind: sug.kind,
                        target: &sug.target,
                        body: &text,
                        summary: &summary,
                        idempotency_key: &update_key(&inc.external_id, n, audience),
                        series: Some(&series),
                        signal_kind: "incident_open",
                        audit_action: "incident.status_update_drafted",
                        trace: serde_json::json!({"incident": inc.external_id, "update": n + 1, "audience": audience, "channel": channel}),
                    },
                )?;
                if let Some(action) = action {
                    out.push(StatusUpdateDraft {
                        incident: inc.external_id.clone(),
                        audience: audience.to_string(),
                        channel,
                        action,
                        text,
                    });
                }
            }
        }
        Ok(out)
    }
}

fn update_key(incident: &str, slot: i64, audience: &str) -> String {
    format!("status-update:{incident}:{slot}:{audience}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_is_due_at_the_start_and_after_each_whole_cadence() {
        assert_eq!(slot(1_000, 1_000, 30), 0);
        assert_eq!(slot(1_000, 1_000 + 29 * 60, 30), 0);
        assert_eq!(slot(1_000, 1_000 + 30 * 60, 30), 1);
        assert_eq!(slot(1_000, 1_000 + 95 * 60, 30), 3);
        assert_eq!(slot(1_000, 500, 30), 0, "never negative");
    }
}
