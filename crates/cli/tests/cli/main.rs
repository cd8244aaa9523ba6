//! End-to-end tests of the `bosun` binary: real processes, real SQLite files, real HTTP to the
//! fake providers.

mod demo;
mod dora_git;
mod errors;
mod git;
mod install;
mod kill_resume;
mod knowledge;
mod lifecycle;
mod metrics;
mod metrics_reference;
mod notes;
mod onboard;
mod signals;
mod sources;
mod support;
