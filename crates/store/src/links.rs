//! Each record's page at its provider (its `html_url`), for the links out of the app. Only
//! http(s) addresses are returned: a `javascript:` or `data:` URL from a payload never becomes a
//! link ([`bosun_core::is_web_url`]).

use crate::Result;
use rusqlite::Connection;
use std::collections::HashMap;

/// Store id → web page, per kind of record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebLinks {
    pub pull_requests: HashMap<i64, String>,
    pub tickets: HashMap<i64, String>,
    pub incidents: HashMap<i64, String>,
}

/// Every pull request's, ticket's and incident's web page.
pub fn web_links(conn: &Connection) -> Result<WebLinks> {
    Ok(WebLinks {
        pull_requests: pages(
            conn,
            "SELECT id, html_url FROM pull_requests WHERE html_url IS NOT NULL",
        )?,
        tickets: pages(
            conn,
            "SELECT id, html_url FROM tickets WHERE html_url IS NOT NULL",
        )?,
        incidents: pages(
            conn,
            "SELECT id, html_url FROM incidents WHERE html_url IS NOT NULL",
        )?,
    })
}

/// The web page of a ticket by its key (`TIDE-12`), when it has one.
pub fn ticket_page(conn: &Connection, key: &str) -> Result<Option<String>> {
    one(
        conn,
        "SELECT html_url FROM tickets WHERE key = ?1 AND html_url IS NOT NULL LIMIT 1",
        &[&key],
    )
}

/// The web page of a pull request by its repository's full name and number.
pub fn pull_request_page(conn: &Connection, repo: &str, number: i64) -> Result<Option<String>> {
    one(
        conn,
        "SELECT p.html_url FROM pull_requests p JOIN repos r ON r.id = p.repo_id
         WHERE r.full_name = ?1 AND p.number = ?2 AND p.html_url IS NOT NULL LIMIT 1",
        &[&repo, &number],
    )
}

fn one(conn: &Connection, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    let url: Option<String> = conn
        .prepare_cached(sql)?
        .query_row(args, |r| r.get(0))
        .optional()?;
    Ok(url.filter(|u| bosun_core::is_web_url(u)))
}

fn pages(conn: &Connection, sql: &str) -> Result<HashMap<i64, String>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, url) = row?;
        if bosun_core::is_web_url(&url) {
            out.insert(id, url);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_pages_become_links() {
        let store = crate::Store::open_in_memory().unwrap();
        let c = store.conn();
        c.execute_batch(
            "INSERT INTO repos (id, provider, owner, name, full_name) VALUES (1, 'github', 'o', 'r', 'o/r');
             INSERT INTO pull_requests (id, repo_id, number, title, state, created_at, updated_at, html_url)
             VALUES (1, 1, 7, 't', 'open', 0, 0, 'https://github.com/o/r/pull/7'),
                    (2, 1, 8, 't', 'open', 0, 0, 'javascript:alert(1)'),
                    (3, 1, 9, 't', 'open', 0, 0, NULL);",
        )
        .unwrap();
        let l = web_links(c).unwrap();
        assert_eq!(l.pull_requests.len(), 1);
        assert_eq!(l.pull_requests[&1], "https://github.com/o/r/pull/7");
        assert_eq!(
            pull_request_page(c, "o/r", 7).unwrap().as_deref(),
            Some("https://github.com/o/r/pull/7")
        );
        assert_eq!(
            pull_request_page(c, "o/r", 8).unwrap(),
            None,
            "javascript: is no page"
        );
        assert_eq!(ticket_page(c, "NOPE-1").unwrap(), None);
    }
}
