//! What changed since the metrics engine last read the store. Migration 0002's triggers record the
//! repository, service, ticket or sprint behind every write; the app's metrics cache drains the
//! log and re-reads only those.

use crate::Result;
use rusqlite::Connection;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    pub repos: Vec<i64>,
    /// Services whose incidents changed (0: incidents with no service).
    pub services: Vec<i64>,
    pub tickets: Vec<i64>,
    pub sprints: Vec<i64>,
    /// Kinds a trigger logged that this code does not know: the reader reloads everything.
    pub unknown: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.repos.is_empty()
            && self.services.is_empty()
            && self.tickets.is_empty()
            && self.sprints.is_empty()
            && self.unknown.is_empty()
    }
}

/// Take what changed and clear the log, atomically.
pub fn drain(conn: &Connection) -> Result<Changes> {
    let mut log = crate::change_log::drain(conn, "metric_changes")?;
    Ok(Changes {
        repos: log.take("repo"),
        services: log.take("service"),
        tickets: log.take("ticket"),
        sprints: log.take("sprint"),
        unknown: log.unknown(),
    })
}

/// How many times who is who (people, accounts, e-mails, teams, members, repositories, services)
/// has changed: migration 0004's triggers count the writes that change it. A cache that saw the
/// same number has nothing of it to re-read.
pub fn identity_version(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT n FROM identity_version WHERE id = 1")?
        .query_row([], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn a_kind_this_code_does_not_know_is_reported_not_dropped() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        c.execute_batch(
            "INSERT INTO metric_changes (kind, key) VALUES ('repo', 9), ('repo', 4), ('epic', 1);",
        )
        .unwrap();
        let changes = drain(c).unwrap();
        assert_eq!(changes.repos, vec![4, 9]);
        assert_eq!(changes.unknown, vec!["epic".to_string()]);
        assert!(!changes.is_empty());
        assert!(drain(c).unwrap().is_empty(), "drained once");
    }

    #[test]
    fn writes_are_logged_by_what_they_touch_and_drained_once() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        c.execute_batch(
            "INSERT INTO repos (id, provider, external_id, owner, name, full_name) VALUES (7, 'github', '1', 'o', 'r', 'o/r');
             INSERT INTO services (id, provider, external_id, key, name) VALUES (3, 'pagerduty', 'P1', 'api', 'API');",
        )
        .unwrap();
        assert!(
            drain(c).unwrap().is_empty(),
            "repositories and services are compared whole, not logged"
        );
        c.execute_batch(
            "INSERT INTO commits (repo_id, sha, authored_at, committed_at, message, parent_count) VALUES (7, 'abc', 1, 1, 'm', 0);
             INSERT INTO pull_requests (id, repo_id, number, title, state, created_at, updated_at) VALUES (70, 7, 1, 't', 'open', 1, 1);
             INSERT INTO incidents (id, provider, external_id, title, status, service_id, created_at) VALUES (5, 'pagerduty', 'Q1', 'x', 'triggered', 3, 1);",
        )
        .unwrap();
        assert_eq!(
            drain(c).unwrap(),
            Changes {
                repos: vec![7],
                services: vec![3],
                ..Default::default()
            }
        );
        assert!(drain(c).unwrap().is_empty(), "drained once");

        // Rows hanging off a PR or an incident log their repository or service; upserts too.
        c.execute_batch(
            "INSERT INTO reviews (pr_id, external_id, state, submitted_at) VALUES (70, 'r1', 'APPROVED', 2)
                 ON CONFLICT DO UPDATE SET state = excluded.state;
             INSERT INTO reviews (pr_id, external_id, state, submitted_at) VALUES (70, 'r1', 'COMMENTED', 2)
                 ON CONFLICT DO UPDATE SET state = excluded.state;
             INSERT INTO incident_log_entries (incident_id, external_id, kind, created_at) VALUES (5, 'L1', 'annotate', 2);",
        )
        .unwrap();
        assert_eq!(
            drain(c).unwrap(),
            Changes {
                repos: vec![7],
                services: vec![3],
                ..Default::default()
            }
        );

        c.execute_batch(
            "INSERT INTO sprints (id, provider, external_id, name, state) VALUES (9, 'jira', '9', 'S1', 'active');
             INSERT INTO tickets (id, provider, external_id, key, summary, created_at, updated_at) VALUES (11, 'jira', '11', 'K-1', 's', 1, 1);
             INSERT INTO sprint_membership (sprint_id, ticket_id) VALUES (9, 11);
             DELETE FROM commits WHERE sha = 'abc';",
        )
        .unwrap();
        assert_eq!(
            drain(c).unwrap(),
            Changes {
                repos: vec![7],
                services: vec![],
                tickets: vec![11],
                sprints: vec![9],
                unknown: vec![],
            }
        );
    }

    #[test]
    fn identity_writes_are_counted_unless_they_change_nothing() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        let v = || identity_version(c).unwrap();
        let start = v();
        c.execute_batch(
            "INSERT INTO people (id, key, name, created_at) VALUES (1, 'ada', 'Ada', 0);
             INSERT INTO accounts (id, provider, external_id, login) VALUES (2, 'github', '2', 'ada');",
        )
        .unwrap();
        assert_eq!(v(), start + 2, "an insert counts");
        // A sync's upsert of the same account, and columns the caches do not read: no change.
        let upsert = "INSERT INTO accounts (provider, external_id, login, display_name) VALUES ('github', '2', 'ada', ?1)
                      ON CONFLICT (provider, external_id) DO UPDATE SET login = excluded.login, display_name = excluded.display_name";
        c.execute(upsert, ["Ada L."]).unwrap();
        c.execute("UPDATE people SET title = 'Engineer' WHERE id = 1", [])
            .unwrap();
        assert_eq!(v(), start + 2);
        // The account linked to its person, a person moving team, a member removed: each counts.
        c.execute_batch(
            "UPDATE accounts SET person_id = 1 WHERE id = 2;
             INSERT INTO teams (id, key, name) VALUES (3, 'core', 'Core');
             UPDATE people SET team_id = 3 WHERE id = 1;
             INSERT INTO team_members (team_id, person_id) VALUES (3, 1);
             DELETE FROM team_members;",
        )
        .unwrap();
        assert_eq!(v(), start + 7);
        // Data the caches log by repository or ticket is not identity.
        c.execute_batch(
            "INSERT INTO repos (id, provider, external_id, owner, name, full_name) VALUES (7, 'github', '1', 'o', 'r', 'o/r');
             INSERT INTO commits (repo_id, sha, authored_at, committed_at, message, parent_count) VALUES (7, 'abc', 1, 1, 'm', 0);",
        )
        .unwrap();
        assert_eq!(v(), start + 8, "the repository counts, its commit does not");
    }
}
