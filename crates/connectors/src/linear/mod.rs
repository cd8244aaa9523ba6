//! Linear (GraphQL): teams, their workflow states and cycles, and issues with their history,
//! relations and labels, normalized into the same tickets and sprints as Jira's (a cycle is a
//! sprint; a state's type is its flow category).

pub mod api;
pub mod normalize;
pub mod queries;
mod sync;

pub use sync::{LINEAR_API, LinearSettings, LinearStats, sync_source};
