//! Provider accounts. Upserts merge what is known (a login seen on a PR, an email seen on a
//! commit) without ever erasing a field another payload filled in.

use crate::Result;
use bosun_core::model::Account;
use rusqlite::{Connection, OptionalExtension, params};

/// Insert or merge an account; returns its row id.
pub fn upsert(conn: &Connection, a: &Account) -> Result<i64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO accounts (provider, external_id, login, display_name, email, is_bot, html_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (provider, external_id) DO UPDATE SET
             login        = coalesce(excluded.login, accounts.login),
             display_name = coalesce(excluded.display_name, accounts.display_name),
             email        = coalesce(excluded.email, accounts.email),
             is_bot       = max(accounts.is_bot, excluded.is_bot),
             html_url     = coalesce(excluded.html_url, accounts.html_url)
         RETURNING id",
    )?;
    let id = stmt.query_row(
        params![
            a.provider.as_str(),
            a.external_id,
            a.login,
            a.display_name,
            a.email,
            a.is_bot,
            a.html_url
        ],
        |r| r.get(0),
    )?;
    Ok(id)
}

/// Records the UTC offset an account's provider gives (none: unknown, the old one kept).
pub fn set_utc_offset(conn: &Connection, account: i64, minutes: Option<i32>) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET utc_offset_minutes = coalesce(?2, utc_offset_minutes) WHERE id = ?1",
        params![account, minutes],
    )?;
    Ok(())
}

pub fn upsert_opt(conn: &Connection, a: Option<&Account>) -> Result<Option<i64>> {
    a.map(|a| upsert(conn, a)).transpose()
}

/// Find an account by provider and login.
pub fn find_by_login(conn: &Connection, provider: &str, login: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM accounts WHERE provider = ?1 AND login = ?2",
            params![provider, login],
            |r| r.get(0),
        )
        .optional()?)
}

/// (external id, login) of `person`'s first account with `provider`.
pub fn first_of_person(
    conn: &Connection,
    person: i64,
    provider: &str,
) -> Result<Option<(String, Option<String>)>> {
    Ok(conn
        .query_row(
            "SELECT external_id, login FROM accounts WHERE person_id = ?1 AND provider = ?2 ORDER BY id LIMIT 1",
            params![person, provider],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// An account as the people page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRow {
    pub provider: String,
    pub external_id: String,
    pub login: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub match_method: Option<String>,
    pub match_confidence: Option<f64>,
}

const ACCOUNT_ROW: &str = "SELECT provider, external_id, login, display_name, email, match_method, match_confidence FROM accounts";

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        provider: r.get(0)?,
        external_id: r.get(1)?,
        login: r.get(2)?,
        display_name: r.get(3)?,
        email: r.get(4)?,
        match_method: r.get(5)?,
        match_confidence: r.get(6)?,
    })
}

/// `person`'s accounts, by provider and id.
pub fn of_person(conn: &Connection, person: i64) -> Result<Vec<AccountRow>> {
    let mut s = conn.prepare(&format!(
        "{ACCOUNT_ROW} WHERE person_id = ?1 ORDER BY provider, external_id"
    ))?;
    let rows = s.query_map([person], account_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The accounts (not bots) tied to nobody else: without a person, or matched by
/// `unmatched_method` (a person of their own). By provider and id.
pub fn unmatched(conn: &Connection, unmatched_method: &str) -> Result<Vec<AccountRow>> {
    let mut s = conn.prepare(&format!(
        "{ACCOUNT_ROW} WHERE (person_id IS NULL OR match_method = ?1) AND is_bot = 0 ORDER BY provider, external_id"
    ))?;
    let rows = s.query_map([unmatched_method], account_row)?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The name of the person behind an account.
pub fn person_name(conn: &Connection, account: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT p.name FROM accounts a JOIN people p ON p.id = a.person_id WHERE a.id = ?1",
            [account],
            |r| r.get(0),
        )
        .optional()?)
}

/// The logins of the human GitHub accounts with no name yet, in order.
pub fn nameless_github_logins(conn: &Connection) -> Result<Vec<String>> {
    let mut s = conn.prepare(
        "SELECT login FROM accounts WHERE provider = 'github' AND is_bot = 0 AND display_name IS NULL AND login IS NOT NULL ORDER BY login",
    )?;
    let rows = s.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use bosun_core::model::Provider;

    fn account(login: Option<&str>, email: Option<&str>) -> Account {
        Account {
            provider: Provider::Github,
            external_id: "42".into(),
            login: login.map(str::to_string),
            display_name: None,
            email: email.map(str::to_string),
            is_bot: false,
            html_url: None,
        }
    }

    #[test]
    fn merges_fields_without_erasing() {
        let store = Store::open_in_memory().unwrap();
        let id1 = upsert(store.conn(), &account(Some("octo"), None)).unwrap();
        let id2 = upsert(store.conn(), &account(None, Some("octo@example.com"))).unwrap();
        assert_eq!(id1, id2);
        let (login, email): (String, String) = store
            .conn()
            .query_row(
                "SELECT login, email FROM accounts WHERE id = ?1",
                [id1],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (login.as_str(), email.as_str()),
            ("octo", "octo@example.com")
        );
        assert_eq!(
            find_by_login(store.conn(), "github", "octo").unwrap(),
            Some(id1)
        );
    }
}
