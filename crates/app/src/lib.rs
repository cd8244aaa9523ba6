//! The app service: the one typed API behind every front door (the `bosun` CLI, `bosun serve`
//! and the desktop shell). It owns paths, configuration, secrets and the store, and delegates
//! the real work to the engine crates.

pub mod capacity;
pub mod chatops;
mod cited;
pub mod config;
pub mod demo;
pub mod demo_slack;
pub mod digest;
pub mod doc_drift;
pub mod doctor;
mod drafts;
mod error;
pub mod forecast;
pub mod goals;
pub mod identity;
pub mod incident_follow_ups;
pub mod incident_metrics;
pub mod incident_summary;
pub mod incidents;
pub mod investment;
pub mod knowledge;
pub mod ledger;
pub mod lifecycle;
pub mod logs;
pub mod metrics;
pub mod notes;
pub mod onboard;
pub mod onboarding;
pub mod org;
pub mod outbox;
pub mod paths;
pub mod policy;
pub mod postmortem;
pub mod risks;
pub mod secrets;
mod service;
pub mod signals;
pub mod slack_approvals;
pub mod slack_check;
pub mod status_updates;
pub mod time_off;
pub mod tokens;
pub mod written_answer;

pub use cited::CitedDocument;
pub use config::Config;
pub use error::{AppError, Result};
pub use paths::Paths;
pub use service::{
    AccountView, App, HistoryView, NewGithubSource, NewSourceSpec, PeopleView, PersonView,
    SourceStatus, SourceView, Status,
};
