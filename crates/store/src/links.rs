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
    }
}
