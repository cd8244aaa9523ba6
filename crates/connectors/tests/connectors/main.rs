//! Connector tests: one contract every HTTP connector passes against its fake provider over
//! HTTP, GitHub specifics, local git repositories built with hand-set dates, and every real
//! provider payload we have decoded with the connectors' own types.

mod contract;
mod first_sync;
mod git_local;
mod github_actions;
mod github_contract;
mod github_realdata;
mod gitlab_realdata;
mod jira_pagerduty_realdata;
mod linear_schema;
mod llm;
mod origin;
mod real_world;
mod slack_realdata;
mod slack_socket;
mod support;
