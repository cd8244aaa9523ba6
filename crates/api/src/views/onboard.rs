//! Team → New joiners: the people who joined recently, and one joiner's 30-day plan and
//! progress (for the manager's eyes only).

use super::common::NoArgs;
use crate::error::Result;
use crate::state::Api;
use bosun_app::onboard::{JoinersView, OnboardDrafts, OnboardPlan};
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
    api.with_data(|app, data, _| Ok(app.onboard_plan_of(data, &args.person)?))
}

/// Draft the welcome message and the buddy introduction (approved before anything is sent).
pub fn draft_onboarding(api: &Api, args: OnboardArgs) -> Result<OnboardDrafts> {
    api.ready()?;
    api.with_data(|app, data, _| Ok(app.draft_onboarding_of(data, &args.person)?))
}

/// A join date to keep (`None`: forget the one set in the app).
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct JoinDateArgs {
    /// A name, email, key or account.
    pub person: String,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// Keep the day someone joined their team (audited); the joiners as they are then.
pub fn set_join_date(api: &Api, args: JoinDateArgs) -> Result<JoinersView> {
    api.ready()?;
    let date = args
        .date
        .as_deref()
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|e| {
                crate::error::ApiError::invalid(format!("date {d:?}: {e} (YYYY-MM-DD)"))
            })
        })
        .transpose()?;
    Ok(api.app().set_join_date(&args.person, date)?)
}
