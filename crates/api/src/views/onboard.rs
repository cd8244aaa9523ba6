//! Team → New joiners: the people who joined recently, and one joiner's 30-day plan and
//! progress (for the manager's eyes only).

use super::common::NoArgs;
use crate::error::Result;
use crate::state::Api;
use bosun_app::onboard::{JoinersView, OnboardPlan};
use serde::Deserialize;
use ts_rs::TS;

/// Whose plan.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct OnboardArgs {
    /// A name, email, key or account.
    pub person: String,
}

pub fn joiners(api: &Api, _: NoArgs) -> Result<JoinersView> {
    api.ready()?;
    Ok(api.app().joiners()?)
}

pub fn onboard_plan(api: &Api, args: OnboardArgs) -> Result<OnboardPlan> {
    api.ready()?;
    Ok(api.app().onboard_plan(&args.person)?)
}
