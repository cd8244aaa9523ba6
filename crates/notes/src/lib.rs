//! The manager's weekly notes, as a pure engine: data and `as_of` in, notes out — standup, PR
//! triage, sprint health report, 1:1 prep pack and the morning brief — every statement carrying
//! links to the records behind it. Rendering to Markdown, and the redaction and answer checks of
//! the optional LLM polish. No I/O and no clock: the same input gives byte-identical notes.

#![warn(missing_docs)]

pub mod brief;
pub mod fmt;
pub mod follow_ups;
pub mod html;
pub mod input;
pub mod links;
pub mod note;
pub mod one_on_one;
pub mod polish;
pub mod redact;
pub mod slack;
pub mod sprint;
pub mod standup;
#[cfg(test)]
mod testkit;
pub mod triage;

pub use bosun_signals as signals;
pub use input::{Input, More, PrivateNote, TimeOff};
pub use note::{Chart, Item, Link, Note, NoteKind, Section};
