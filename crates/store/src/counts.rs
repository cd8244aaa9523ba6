//! Per-entity row counts (`bosun status`).

use crate::Result;
use rusqlite::Connection;
use std::collections::BTreeMap;

/// The entities `bosun status` reports, with the table each is counted in.
pub const ENTITIES: &[(&str, &str)] = &[
    ("repos", "repos"),
    ("accounts", "accounts"),
    ("people", "people"),
    ("teams", "teams"),
    ("commits", "commits"),
    ("pull_requests", "pull_requests"),
    ("pr_commits", "pr_commits"),
    ("reviews", "reviews"),
    ("review_requests", "review_requests"),
    ("pr_comments", "pr_comments"),
    ("pr_events", "pr_events"),
    ("check_runs", "check_runs"),
    ("deployments", "deployments"),
    ("deployment_statuses", "deployment_statuses"),
    ("releases", "releases"),
    ("tags", "tags"),
    ("code_owners", "code_owners"),
    ("tickets", "tickets"),
    ("ticket_changes", "ticket_changes"),
    ("ticket_links", "ticket_links"),
    ("sprints", "sprints"),
    ("services", "services"),
    ("incidents", "incidents"),
    ("incident_log_entries", "incident_log_entries"),
    ("oncall_shifts", "oncall_shifts"),
    ("chat_channels", "chat_channels"),
    ("chat_messages", "chat_messages"),
    ("documents", "documents"),
    ("chunks", "chunks"),
    ("signals", "signals"),
    ("actions", "actions"),
    ("audit_entries", "audit_entries"),
    ("raw_payloads", "raw_payloads"),
];

pub fn counts(conn: &Connection) -> Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for (name, table) in ENTITIES {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        out.insert((*name).to_string(), n);
    }
    Ok(out)
}
