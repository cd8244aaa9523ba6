//! Planning: each team's capacity for its next sprint.

use crate::error::Result;
use crate::state::Api;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct CapacityArgs {
    /// A team key; every team with sprints when none.
    pub team: Option<String>,
}

pub fn capacity(api: &Api, args: CapacityArgs) -> Result<bosun_app::capacity::CapacityView> {
    api.ready()?;
    let team = args.team.as_deref().filter(|t| !t.is_empty());
    api.with_data(|app, data, _| Ok(app.capacity_of(data, team)?))
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct ForecastArgs {
    /// The epic's key.
    pub key: String,
}

pub fn forecast(api: &Api, args: ForecastArgs) -> Result<bosun_app::forecast::ForecastView> {
    api.ready()?;
    api.with_data(|app, data, _| Ok(app.forecast_of(data, &args.key)?))
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct EpicsArgs {
    /// A team key; every team when none.
    pub team: Option<String>,
}

pub fn open_epics(api: &Api, args: EpicsArgs) -> Result<Vec<bosun_app::forecast::ForecastView>> {
    api.ready()?;
    let team = args.team.as_deref().filter(|t| !t.is_empty());
    api.with_data(|app, data, _| Ok(app.open_epics_of(data, team)?))
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct GoalsArgs {
    /// `2026-Q4`; every quarter's goals when none.
    pub quarter: Option<String>,
    /// A team key; every team's goals when none.
    pub team: Option<String>,
}

pub fn goals(api: &Api, args: GoalsArgs) -> Result<bosun_app::goals::GoalsView> {
    api.ready()?;
    let quarter = args.quarter.as_deref().filter(|q| !q.is_empty());
    let team = args.team.as_deref().filter(|t| !t.is_empty());
    api.with_data(|app, data, analysis| Ok(app.goals_of(data, analysis, quarter, team)?))
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct GoalSaved {
    #[ts(type = "number")]
    pub id: i64,
}

pub fn save_goal(api: &Api, args: bosun_app::goals::GoalInput) -> Result<GoalSaved> {
    api.ready()?;
    let id = api
        .with_data(|app, data, analysis| Ok(app.save_goal_with(&args, Some((data, analysis)))?))?;
    Ok(GoalSaved { id })
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct GoalId {
    #[ts(type = "number")]
    pub id: i64,
}

pub fn delete_goal(api: &Api, args: GoalId) -> Result<GoalSaved> {
    api.ready()?;
    api.app().delete_goal(args.id)?;
    Ok(GoalSaved { id: args.id })
}

/// Every goal as it is stored, to edit.
pub fn goal_inputs(
    api: &Api,
    _: super::common::NoArgs,
) -> Result<Vec<bosun_app::goals::GoalInput>> {
    api.ready()?;
    Ok(api.app().goals_as_input()?)
}

/// Evaluate the proposals on the cached data and the stored open signals, then the register.
pub fn risks(api: &Api, _: super::common::NoArgs) -> Result<bosun_app::risks::RisksView> {
    api.ready()?;
    let signals = api.app().live_signals()?;
    api.with_data(|app, data, analysis| {
        Ok(app.risks_with(&bosun_app::risks::RiskInputs {
            data,
            analysis,
            signals: &signals,
        })?)
    })
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct DecideRiskArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub status: bosun_app::risks::RiskStatus,
    #[serde(default)]
    pub note: Option<String>,
}

pub fn decide_risk(api: &Api, args: DecideRiskArgs) -> Result<bosun_app::risks::RiskView> {
    api.ready()?;
    Ok(api
        .app()
        .decide_risk(args.id, args.status, args.note.as_deref())?)
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct EditRiskArgs {
    #[ts(type = "number")]
    pub id: i64,
    #[serde(flatten)]
    pub edit: bosun_app::risks::RiskEdit,
}

pub fn edit_risk(api: &Api, args: EditRiskArgs) -> Result<bosun_app::risks::RiskView> {
    api.ready()?;
    Ok(api.app().edit_risk(args.id, &args.edit)?)
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RisksMarkdown {
    pub markdown: String,
}

pub fn risks_markdown(api: &Api, _: super::common::NoArgs) -> Result<RisksMarkdown> {
    api.ready()?;
    Ok(RisksMarkdown {
        markdown: api.app().risks_markdown()?,
    })
}
