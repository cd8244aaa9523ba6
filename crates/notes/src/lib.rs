//! The manager's weekly notes, as a pure engine: data and `as_of` in, notes out — standup, PR
//! triage, sprint health report and 1:1 prep pack — every statement carrying links to the records
//! behind it. Rendering to Markdown, and the redaction applied before the optional LLM polish.

pub mod note;
pub mod redact;
