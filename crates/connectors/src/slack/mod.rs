//! Slack (Web API): the channels the user selects, their history and threads, users mapped to
//! people, and `chat.postMessage` for approved actions.

pub mod api;
pub mod normalize;
mod sync;

pub use sync::{SlackSettings, SlackStats, client, post_message, sync_source};
