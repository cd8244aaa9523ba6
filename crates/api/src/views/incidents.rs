//! Incidents: the list, and one incident whole (timeline, suspect changes, responders, runbook,
//! status update drafts) — the same as `bosun incident`.

use crate::error::Result;
use crate::state::Api;
use bosun_app::incident_summary::IncidentSummaryNote;
use bosun_app::incidents::{IncidentFilter, IncidentSummary, IncidentView};
use bosun_app::postmortem::{DraftedTickets, KeptFollowUps, PostmortemView};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct IncidentListArgs {
    /// Only the incidents of this team's services.
    pub team: Option<String>,
    /// Only the incidents of this service (its key).
    pub service: Option<String>,
    /// Only those not resolved.
    pub open: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct IncidentList {
    /// Newest first.
    pub incidents: Vec<IncidentSummary>,
    /// Every team with an incident, for the filter.
    pub teams: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct IncidentArgs {
    /// Its PagerDuty id or number.
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct IncidentMetricsArgs {
    /// The window's length in days, ending now (default 90).
    #[ts(type = "number | null")]
    pub days: Option<i64>,
    /// Per team instead of per service.
    pub by_team: bool,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct PostmortemArgs {
    /// Its PagerDuty id or number.
    pub id: String,
    /// Also write it to the notes folder.
    pub export: bool,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct IncidentSummaryArgs {
    /// Its PagerDuty id or number.
    pub id: String,
    /// Rewrite it with the configured language model.
    pub polish: bool,
}

pub fn incidents(api: &Api, args: IncidentListArgs) -> Result<IncidentList> {
    api.ready()?;
    let app = api.app();
    let all = app.incidents(&IncidentFilter::default())?;
    let mut teams: Vec<String> = all.iter().filter_map(|i| i.team.clone()).collect();
    teams.sort();
    teams.dedup();
    let incidents = all
        .into_iter()
        .filter(|i| args.team.is_none() || i.team == args.team)
        .filter(|i| args.service.is_none() || i.service == args.service)
        .filter(|i| !args.open || i.resolved_at.is_none())
        .collect();
    Ok(IncidentList { incidents, teams })
}

pub fn incident(api: &Api, args: IncidentArgs) -> Result<IncidentView> {
    api.ready()?;
    Ok(api.app().incident(&args.id)?)
}

pub fn incident_summary(api: &Api, args: IncidentSummaryArgs) -> Result<IncidentSummaryNote> {
    api.ready()?;
    let app = api.app();
    Ok(tokio::runtime::Handle::current().block_on(app.incident_summary(&args.id, args.polish))?)
}

pub fn postmortem(api: &Api, args: PostmortemArgs) -> Result<PostmortemView> {
    api.ready()?;
    Ok(api.app().postmortem(&args.id, args.export)?)
}

pub fn keep_follow_ups(api: &Api, args: IncidentArgs) -> Result<KeptFollowUps> {
    api.ready()?;
    Ok(api.app().keep_follow_ups(&args.id)?)
}

pub fn draft_follow_up_tickets(api: &Api, args: IncidentArgs) -> Result<DraftedTickets> {
    api.ready()?;
    Ok(api.app().draft_follow_up_tickets(&args.id)?)
}

pub fn incident_metrics(
    api: &Api,
    args: IncidentMetricsArgs,
) -> Result<bosun_app::incident_metrics::IncidentMetricsView> {
    api.ready()?;
    Ok(api.app().incident_metrics(
        args.days
            .unwrap_or(bosun_app::incident_metrics::DEFAULT_DAYS),
        args.by_team,
    )?)
}
