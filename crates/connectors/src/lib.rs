//! Connectors fetch from providers over HTTP and normalize payloads into `bosun_core::model`
//! records; the sync engine writes those records into the store incrementally, resumably and
//! idempotently, keeping the raw payloads.
//!
//! Guarantees every connector keeps:
//! - a unit of work (one pull request with its reviews, commits, CI and events; one deployment
//!   with its statuses) is written in one transaction, so a killed sync never leaves half a record;
//! - cursors and conditional-request validators are saved only in the transaction that completes
//!   the work they describe, so a re-run after a kill redoes exactly the unfinished part;
//! - rate limits are honoured (reset time and `Retry-After`), 5xx and timeouts are retried with
//!   backoff and jitter, and malformed payloads fail with the URL and what was wrong.

mod db;
pub mod engine;
mod error;
pub mod eta;
pub mod events;
pub mod git;
pub mod github;
pub mod gitlab;
pub mod http;
pub mod jira;
pub mod linear;
pub mod llm;
pub mod outbox;
pub mod pagerduty;
pub mod session;
pub mod slack;
mod wire;

pub use db::Db;
pub use error::{ConnectorError, Result};
pub use events::{Event, EventSink, NullSink, Pass, VecSink};
