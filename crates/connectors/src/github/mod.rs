//! GitHub (github.com or GitHub Enterprise): REST payloads, their normalization, and the
//! incremental repository sync, with a first sync split into a recent pass and a backfill.

pub mod actions;
pub mod api;
mod backfill;
pub mod discover;
pub mod normalize;
mod sync;

pub use sync::{
    DEFAULT_FIRST_PASS_DAYS, GithubSettings, Production, SyncStats, list_workflows, sync_source,
    sync_stage,
};
