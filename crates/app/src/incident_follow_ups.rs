//! An incident's follow-up tickets, linked back to it: the tickets synced from the tracker that
//! carry its id as a label or name it in their summary, and the postmortem's ticket drafts not yet read back (waiting for
//! approval, queued, created since the last sync, or dropped).

use crate::Result;
use bosun_core::model::ActionStatus;
use bosun_core::model::StatusCategory;
use bosun_core::time::{Ts, from_ts};
use bosun_signals::Target;
use bosun_store::Connection;
use bosun_store::actions;
use bosun_store::incidents::{self as rows, FollowUpTicketRow};
use serde::Serialize;

/// Where a follow-up ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FollowUpState {
    /// A draft waiting for the manager's approval.
    Drafted,
    /// Approved, waiting to be created.
    Queued,
    /// Created in the tracker; not read back by a sync yet.
    Created,
    /// In the tracker and not done.
    Open,
    /// In the tracker and done.
    Done,
    /// Rejected, denied by policy or withdrawn: never created.
    Dropped,
    /// Creating it failed for good.
    Failed,
}

impl FollowUpState {
    /// The state of a draft from its action's status.
    fn of_action(status: ActionStatus) -> FollowUpState {
        match status {
            ActionStatus::Draft => FollowUpState::Drafted,
            ActionStatus::Approved | ActionStatus::Sending => FollowUpState::Queued,
            ActionStatus::Sent => FollowUpState::Created,
            ActionStatus::Failed => FollowUpState::Failed,
            ActionStatus::Rejected | ActionStatus::Denied | ActionStatus::Withdrawn => {
                FollowUpState::Dropped
            }
        }
    }
}

/// A follow-up of the incident.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FollowUpTicketView {
    /// The ticket's key, once created.
    pub key: Option<String>,
    pub summary: String,
    pub state: FollowUpState,
    /// The tracker's status name, once synced.
    pub status: Option<String>,
    pub assignee: Option<String>,
    /// `YYYY-MM-DD`.
    pub due: Option<String>,
    /// Past its due date and not done.
    pub overdue: bool,
    pub link: Option<String>,
    /// The draft's action id, when Bosun drafted it.
    pub action: Option<i64>,
}

/// Incident `external_id`'s follow-ups: synced tickets first (oldest first), then the drafts
/// whose ticket is not synced yet.
pub fn follow_ups(
    conn: &Connection,
    external_id: &str,
    now: Ts,
) -> Result<Vec<FollowUpTicketView>> {
    let drafts = actions::in_series(
        conn,
        &format!("incident:{external_id}"),
        bosun_core::model::ActionKind::TicketCreate,
    )?;
    let created_by = |key: &str| {
        drafts
            .iter()
            .find(|a| a.result.as_ref().and_then(|r| r["id"].as_str()) == Some(key))
            .map(|a| a.id)
    };
    let synced = rows::follow_up_tickets(conn, external_id)?;
    let mut out: Vec<FollowUpTicketView> = synced
        .iter()
        .map(|t: &FollowUpTicketRow| {
            let done = t.status_category == Some(StatusCategory::Done);
            FollowUpTicketView {
                key: Some(t.key.clone()),
                summary: t.summary.clone(),
                state: if done {
                    FollowUpState::Done
                } else {
                    FollowUpState::Open
                },
                status: t.status.clone(),
                assignee: t.assignee.clone(),
                due: t.due_at.map(|d| from_ts(d).format("%Y-%m-%d").to_string()),
                overdue: !done && t.due_at.is_some_and(|d| d < now),
                link: t.html_url.clone().filter(|u| bosun_core::is_web_url(u)),
                action: created_by(&t.key),
            }
        })
        .collect();
    for a in &drafts {
        let key = a
            .result
            .as_ref()
            .and_then(|r| r["id"].as_str())
            .filter(|k| !k.is_empty())
            .map(str::to_string);
        if key
            .as_deref()
            .is_some_and(|k| synced.iter().any(|t| t.key == k))
        {
            continue;
        }
        let t: Target = serde_json::from_value(a.target.clone())?;
        out.push(FollowUpTicketView {
            key,
            summary: t.title.clone().unwrap_or_else(|| a.summary.clone()),
            state: FollowUpState::of_action(a.status),
            status: None,
            assignee: match t.assignee {
                Some(p) => bosun_store::identity::name_and_offset(conn, p)?.map(|(n, _)| n),
                None => None,
            },
            due: t.due.clone(),
            overdue: false,
            link: a
                .result
                .as_ref()
                .and_then(|r| r["url"].as_str())
                .filter(|u| bosun_core::is_web_url(u))
                .map(str::to_string),
            action: Some(a.id),
        });
    }
    Ok(out)
}
