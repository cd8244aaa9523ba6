//! Planning: each team's capacity for its next sprint.

use crate::error::Result;
use crate::state::Api;
use serde::Deserialize;
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
