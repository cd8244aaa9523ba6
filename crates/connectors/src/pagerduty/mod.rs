//! PagerDuty (REST API v2): users, services, incidents with their log entries.

pub mod api;
pub mod normalize;
mod sync;

pub use sync::{PagerDutySettings, PagerDutyStats, sync_source};
