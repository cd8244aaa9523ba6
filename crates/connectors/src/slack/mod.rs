//! Slack (Web API): the channels the user selects, their history and threads, users mapped to
//! people, `chat.postMessage` for approved actions, and Socket Mode (`socket`) for slash commands
//! and button presses without a public URL.

pub mod api;
pub mod normalize;
pub mod socket;
mod sync;

pub use sync::{SlackSettings, SlackStats, post_api, post_message, sync_source};
