//! What each page shows, computed from the app service and the metrics cache.

pub mod charts;
pub mod common;
pub mod data;
pub mod delivery;
pub mod incidents;
pub mod knowledge;
pub mod ledger;
pub mod notes;
pub mod onboard;
pub mod onboarding;
pub mod planning;
pub mod settings;
pub mod slack;
pub mod tokens;
pub mod work;
