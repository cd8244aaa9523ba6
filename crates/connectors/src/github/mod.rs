//! GitHub (github.com or GitHub Enterprise): REST payloads, their normalization, and the
//! incremental repository sync.

pub mod actions;
pub mod api;
pub mod discover;
pub mod normalize;
mod sync;

pub use sync::{GithubSettings, Production, SyncStats, list_workflows, sync_source};
