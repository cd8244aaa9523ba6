//! Jira Cloud (and Data Center through the classic search): project issues with their
//! changelogs, boards and sprints, through JQL search and the Agile API.

pub mod api;
pub mod history;
pub mod normalize;
mod sync;
pub mod time;

pub use sync::{JiraApi, JiraSettings, JiraStats, sync_source};
