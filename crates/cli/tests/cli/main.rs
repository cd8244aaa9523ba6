//! End-to-end tests of the `bosun` binary: real processes, real SQLite files, real HTTP to the
//! fake providers.

mod demo;
mod errors;
mod git;
mod kill_resume;
mod sources;
mod support;
