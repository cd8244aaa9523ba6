//! Reads for Slack commands: who a Slack user is to Bosun, their teams, and how many commands
//! they sent lately (from the audit ledger, where every command is recorded).

use crate::Result;
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, params};

/// The audit action of a Slack command and its answer.
pub const COMMAND_ACTION: &str = "slack.command";

/// The audit actor of a Slack user.
pub fn actor(slack_user: &str) -> String {
    format!("slack:{slack_user}")
}

/// The person a Slack account is linked to: (person id, name, the account's own name when the
/// account is not linked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asker {
    pub person_id: Option<i64>,
    pub name: String,
}

/// Who the Slack user `slack_user` is: their person when identity linked them, else the
/// account's name, else nobody Bosun knows (`None`).
pub fn asker(conn: &Connection, slack_user: &str) -> Result<Option<Asker>> {
    Ok(conn
        .query_row(
            "SELECT a.person_id, coalesce(p.name, a.display_name, a.login, a.external_id)
               FROM accounts a LEFT JOIN people p ON p.id = a.person_id
              WHERE a.provider = 'slack' AND a.external_id = ?1",
            [slack_user],
            |r| {
                Ok(Asker {
                    person_id: r.get(0)?,
                    name: r.get(1)?,
                })
            },
        )
        .optional()?)
}

/// The keys of the teams `person` belongs to or manages, in order.
pub fn teams_of(conn: &Connection, person: i64) -> Result<Vec<String>> {
    let mut s = conn.prepare(
        "SELECT key FROM teams WHERE manager_person_id = ?1
          UNION SELECT t.key FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.person_id = ?1
          ORDER BY 1",
    )?;
    let rows = s.query_map([person], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Every team's key, in order.
pub fn all_teams(conn: &Connection) -> Result<Vec<String>> {
    let mut s = conn.prepare("SELECT key FROM teams ORDER BY key")?;
    let rows = s.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Commands the Slack user sent since `since` (audited ones).
pub fn commands_since(conn: &Connection, slack_user: &str, since: Ts) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM audit_entries WHERE action = ?1 AND actor = ?2 AND at >= ?3",
        params![COMMAND_ACTION, actor(slack_user), since],
        |r| r.get(0),
    )?)
}

/// The Slack account id of `person` (their first linked Slack account).
pub fn slack_id_of(conn: &Connection, person: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT external_id FROM accounts WHERE provider = 'slack' AND person_id = ?1 ORDER BY id LIMIT 1",
            [person],
            |r| r.get(0),
        )
        .optional()?)
}
