//! A canonical dump of the synced records: every row of every record table, with surrogate ids
//! replaced by natural keys and rows sorted, so two databases that hold the same facts dump
//! identically whatever order they were written in. Used to prove that a killed and resumed sync
//! ends with exactly the rows of an uninterrupted one.

use crate::Result;
use rusqlite::Connection;
use rusqlite::types::ValueRef;

/// Natural-key expressions for foreign keys, by column name.
const KEYS: &[(&str, &str)] = &[
    (
        "source_id",
        "(SELECT name FROM sources WHERE id = source_id)",
    ),
    (
        "repo_id",
        "(SELECT provider || ':' || full_name FROM repos WHERE id = repo_id)",
    ),
    (
        "pr_id",
        "(SELECT r.full_name || '#' || p.number FROM pull_requests p JOIN repos r ON r.id = p.repo_id WHERE p.id = pr_id)",
    ),
    (
        "deployment_id",
        "(SELECT r.full_name || '/' || d.kind || '/' || d.external_id FROM deployments d JOIN repos r ON r.id = d.repo_id WHERE d.id = deployment_id)",
    ),
    (
        "ticket_id",
        "(SELECT provider || ':' || key FROM tickets WHERE id = ticket_id)",
    ),
    (
        "sprint_id",
        "(SELECT provider || ':' || external_id FROM sprints WHERE id = sprint_id)",
    ),
    (
        "incident_id",
        "(SELECT provider || ':' || external_id FROM incidents WHERE id = incident_id)",
    ),
    (
        "service_id",
        "(SELECT provider || ':' || external_id FROM services WHERE id = service_id)",
    ),
    (
        "channel_id",
        "(SELECT provider || ':' || external_id FROM chat_channels WHERE id = channel_id)",
    ),
    ("person_id", "(SELECT key FROM people WHERE id = person_id)"),
    ("team_id", "(SELECT key FROM teams WHERE id = team_id)"),
    (
        "manager_id",
        "(SELECT key FROM people WHERE id = manager_id)",
    ),
    (
        "manager_person_id",
        "(SELECT key FROM people WHERE id = manager_person_id)",
    ),
];

/// Tables holding synced facts (not bookkeeping such as jobs and run timestamps).
pub const RECORD_TABLES: &[&str] = &[
    "accounts",
    "repos",
    "code_owners",
    "commits",
    "commit_parents",
    "tags",
    "branches",
    "pull_requests",
    "pr_commits",
    "reviews",
    "review_requests",
    "pr_comments",
    "check_runs",
    "pr_events",
    "deployments",
    "deployment_statuses",
    "releases",
    "tickets",
    "ticket_changes",
    "ticket_status_periods",
    "ticket_links",
    "sprints",
    "sprint_membership",
    "services",
    "incidents",
    "incident_assignments",
    "incident_log_entries",
    "oncall_shifts",
    "chat_channels",
    "chat_messages",
    "cursors",
    "etags",
    "raw_payloads",
];

fn is_account_column(c: &str) -> bool {
    c.ends_with("account_id")
}

/// `table: row` lines, sorted.
pub fn canonical(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for table in RECORD_TABLES {
        let cols: Vec<String> = conn
            .prepare(&format!("PRAGMA table_info({table})"))?
            .query_map([], |r| r.get::<_, String>(1))?
            .collect::<rusqlite::Result<_>>()?;
        let exprs: Vec<String> = cols
            .iter()
            .filter(|c| c.as_str() != "id" && c.as_str() != "seq")
            .map(|c| {
                if is_account_column(c) {
                    format!("(SELECT provider || ':' || external_id FROM accounts WHERE id = {c}) AS {c}")
                } else if let Some((_, k)) = KEYS.iter().find(|(name, _)| *name == c.as_str()) {
                    format!("{k} AS {c}")
                } else if c == "body" && *table == "raw_payloads" {
                    "sha256 AS body".to_string()
                } else {
                    c.clone()
                }
            })
            .collect();
        let sql = format!("SELECT {} FROM {table}", exprs.join(", "));
        let mut stmt = conn.prepare(&sql)?;
        let n = stmt.column_count();
        let names: Vec<String> = (0..n)
            .map(|i| stmt.column_name(i).map(str::to_string).unwrap_or_default())
            .collect();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let mut line = format!("{table}:");
            for (i, name) in names.iter().enumerate() {
                let v = match row.get_ref(i)? {
                    ValueRef::Null => "∅".to_string(),
                    ValueRef::Integer(x) => x.to_string(),
                    ValueRef::Real(x) => x.to_string(),
                    ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
                };
                line.push_str(&format!(" {name}={v:?}"));
            }
            out.push(line);
        }
    }
    out.sort();
    Ok(out)
}
