//! Status updates at a cadence: while an incident is open, every `[incidents]
//! update_every_minutes` from its start a status update is drafted for the responders' channel
//! (and for the stakeholders' channel when one is configured), from what is known then. Drafts
//! only: they wait in Signals & actions for approval like every action. A newer update withdraws
//! the older one still waiting, and resolving the incident withdraws the last.

use crate::drafts::{Drafter, OwnDraft};
use crate::incidents::DraftView;
use crate::{App, Result};
use bosun_core::model::ActionStatus;
use bosun_core::time::Ts;
use bosun_signals::Suggestion;
use bosun_store::{actions, incidents as rows};
use serde::Serialize;
use std::collections::HashSet;

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
        let mut store = self.store()?;
        let all = rows::list(store.conn())?;
        // Updates still waiting for an incident since resolved are withdrawn (read first: the
        // minute tick writes only when there is one).
        let resolved: HashSet<String> = all
            .iter()
            .filter(|i| i.resolved_at.is_some_and(|r| r <= now))
            .map(|i| series_key(&i.external_id))
            .collect();
        let stale: HashSet<String> = actions::list(store.conn(), &[ActionStatus::Draft])?
            .into_iter()
            .filter_map(|a| a.signal_key)
            .filter(|k| resolved.contains(k))
            .collect();
        for key in &stale {
            actions::withdraw_for_signal(store.conn(), key, now)?;
        }
        // Where updates go: the audiences with a channel.
        let audiences: Vec<(&str, String)> = [
            ("channel", &cfg.channel),
            ("stakeholders", &cfg.stakeholder_channel),
        ]
        .into_iter()
        .map(|(a, c)| (a, c.trim().trim_start_matches('#').to_string()))
        .filter(|(_, c)| !c.is_empty())
        .collect();
        if cfg.update_every_minutes <= 0 || audiences.is_empty() {
            return Ok(Vec::new());
        }
        // Due: an open incident none of whose updates for the current cadence was drafted yet.
        let mut due = Vec::new();
        for i in all
            .iter()
            .filter(|i| i.resolved_at.is_none() && i.created_at <= now)
        {
            let n = slot(i.created_at, now, cfg.update_every_minutes);
            let mut drafted = false;
            for (audience, _) in &audiences {
                drafted |= actions::exists(store.conn(), &update_key(&i.external_id, n, audience))?;
            }
            if !drafted {
                due.push(i);
            }
        }
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let drafter = Drafter::load(self, store.conn(), bosun_signals::Extra::default())?;
        let mut out = Vec::new();
        for inc in due {
            let view = self.incident(&inc.external_id)?;
            let n = slot(inc.created_at, now, cfg.update_every_minutes);
            let series = series_key(&inc.external_id);
            actions::withdraw_for_signal(store.conn(), &series, now)?;
            for DraftView { audience, text, .. } in view.drafts {
                let Some((_, channel)) = audiences.iter().find(|(a, _)| *a == audience) else {
                    continue;
                };
                let channel = channel.clone();
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
