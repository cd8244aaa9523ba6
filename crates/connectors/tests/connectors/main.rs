//! Connector contract tests: the real GitHub connector against the fake GitHub over HTTP, and
//! every real GitHub payload we have decoded with the connector's own types.

mod github_contract;
mod github_realdata;
mod support;
