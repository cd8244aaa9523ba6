//! What the signal engine must look at again: migration 0003's triggers record the repository,
//! ticket, sprint, incident or chat channel behind every write; the app's signal cache drains the
//! log (its own, beside the metrics cache's `metric_changes`).

use crate::Result;
use rusqlite::Connection;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    pub repos: Vec<i64>,
    pub tickets: Vec<i64>,
    pub sprints: Vec<i64>,
    pub incidents: Vec<i64>,
    /// Chat channels with new or edited messages.
    pub channels: Vec<i64>,
    /// Kinds a trigger logged that this code does not know: the reader re-evaluates everything.
    pub unknown: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.repos.is_empty()
            && self.tickets.is_empty()
            && self.sprints.is_empty()
            && self.incidents.is_empty()
            && self.channels.is_empty()
            && self.unknown.is_empty()
    }
}

/// Take what changed and clear the log, atomically.
pub fn drain(conn: &Connection) -> Result<Changes> {
    let mut log = crate::change_log::drain(conn, "signal_changes")?;
    Ok(Changes {
        repos: log.take("repo"),
        tickets: log.take("ticket"),
        sprints: log.take("sprint"),
        incidents: log.take("incident"),
        channels: log.take("chat"),
        unknown: log.unknown(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn writes_are_logged_and_drained_once_independently_of_the_metrics_log() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        c.execute_batch(
            "INSERT INTO repos (id, provider, external_id, owner, name, full_name) VALUES (7, 'github', '1', 'o', 'r', 'o/r');
             INSERT INTO pull_requests (id, repo_id, number, title, state, created_at, updated_at) VALUES (70, 7, 1, 't', 'open', 1, 1);
             INSERT INTO pr_comments (pr_id, kind, external_id, body, created_at) VALUES (70, 'issue', 'c1', 'hi', 2);
             INSERT INTO chat_channels (id, provider, external_id, name) VALUES (4, 'slack', 'C1', 'harbor');
             INSERT INTO chat_messages (channel_id, ts, text, posted_at) VALUES (4, '1.0', 'blocked on X-1', 1);
             INSERT INTO tickets (id, provider, external_id, key, summary, created_at, updated_at) VALUES (9, 'jira', '9', 'X-1', 's', 1, 1);",
        )
        .unwrap();
        let metrics = crate::metric_changes::drain(c).unwrap();
        assert_eq!(metrics.repos, vec![7]);
        let ours = drain(c).unwrap();
        assert_eq!(
            ours,
            Changes {
                repos: vec![7],
                tickets: vec![9],
                channels: vec![4],
                ..Default::default()
            }
        );
        assert!(drain(c).unwrap().is_empty());
        c.execute("UPDATE tickets SET summary = 'changed' WHERE id = 9", [])
            .unwrap();
        assert_eq!(drain(c).unwrap().tickets, vec![9]);
    }
}
