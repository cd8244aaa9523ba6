//! The data lifecycle's SQL (docs/data.md): what the database holds and how big each table is,
//! every row for an export, retention, a consistent copy and the checks before a restore, and
//! erasing a person (their strings replaced by a pseudonym everywhere, the full-text index
//! rebuilt, the audit ledger re-chained over the rewritten entries).

use crate::{Result, StoreError, audit, migrations};
use bosun_core::time::Ts;
use flate2::read::DeflateDecoder;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params, params_from_iter};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

/// One table of the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableInfo {
    pub name: String,
    pub rows: i64,
    /// Bytes of its pages, indexes included (SQLite's `dbstat`).
    pub bytes: i64,
    /// A full-text index rebuilt from other tables (never exported).
    pub derived: bool,
}

/// The tables of the schema, by name: `(name, without_rowid)` of the stored tables, and the
/// virtual (full-text) tables whose shadow tables are derived data.
struct Schema {
    tables: Vec<(String, bool)>,
    virtuals: Vec<String>,
}

fn schema(conn: &Connection) -> Result<Schema> {
    let mut stmt = conn.prepare(
        "SELECT name, coalesce(sql, '') FROM sqlite_master
         WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let virtuals: Vec<String> = rows
        .iter()
        .filter(|(_, sql)| {
            sql.trim_start()
                .to_ascii_uppercase()
                .starts_with("CREATE VIRTUAL TABLE")
        })
        .map(|(n, _)| n.clone())
        .collect();
    let tables = rows
        .iter()
        .filter(|(n, _)| owner_virtual(&virtuals, n).is_none())
        .map(|(n, sql)| {
            (
                n.clone(),
                sql.to_ascii_uppercase().contains("WITHOUT ROWID"),
            )
        })
        .collect();
    Ok(Schema { tables, virtuals })
}

/// The virtual table `name` is or belongs to (its shadow tables are `<name>_data`, ...).
fn owner_virtual<'a>(virtuals: &'a [String], name: &str) -> Option<&'a String> {
    virtuals
        .iter()
        .find(|v| name == v.as_str() || name.starts_with(&format!("{v}_")))
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Every table with its row count and size, the full-text indexes last.
pub fn tables(conn: &Connection) -> Result<Vec<TableInfo>> {
    let s = schema(conn)?;
    // Pages per object, indexes and shadow tables counted with the table they serve.
    let owners: HashMap<String, String> = conn
        .prepare("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('index', 'table')")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut bytes: HashMap<String, i64> = HashMap::new();
    let mut stmt = conn.prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (name, size) = row?;
        let table = owners.get(&name).cloned().unwrap_or(name);
        let table = owner_virtual(&s.virtuals, &table).cloned().unwrap_or(table);
        *bytes.entry(table).or_default() += size;
    }
    let mut out = Vec::new();
    for (name, _) in &s.tables {
        out.push(TableInfo {
            rows: count(conn, name)?,
            bytes: bytes.get(name).copied().unwrap_or(0),
            name: name.clone(),
            derived: false,
        });
    }
    for name in &s.virtuals {
        out.push(TableInfo {
            rows: count(conn, name)?,
            bytes: bytes.get(name).copied().unwrap_or(0),
            name: name.clone(),
            derived: true,
        });
    }
    Ok(out)
}

fn count(conn: &Connection, table: &str) -> Result<i64> {
    Ok(
        conn.query_row(&format!("SELECT count(*) FROM {}", quote(table)), [], |r| {
            r.get(0)
        })?,
    )
}

/// The whole file: `page_count × page_size`.
pub fn size_bytes(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        [],
        |r| r.get(0),
    )?)
}

/// Call `emit(table, row)` for every row of every stored table (not the derived full-text
/// indexes), tables by name, rows in storage order. Raw payloads come decompressed (their
/// `body` is the provider's response as text); other blobs as `{"hex": "…"}`. Returns the rows.
pub fn export(
    conn: &Connection,
    mut emit: impl FnMut(&str, serde_json::Map<String, serde_json::Value>) -> Result<()>,
) -> Result<u64> {
    let mut n = 0;
    for (table, without_rowid) in schema(conn)?.tables {
        let order = if without_rowid { "" } else { " ORDER BY rowid" };
        let mut stmt = conn.prepare(&format!("SELECT * FROM {}{order}", quote(&table)))?;
        let names: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let mut obj = serde_json::Map::new();
            for (i, name) in names.iter().enumerate() {
                let v = json_value(&table, name, row.get_ref(i)?)?;
                obj.insert(name.clone(), v);
            }
            emit(&table, obj)?;
            n += 1;
        }
    }
    Ok(n)
}

fn json_value(table: &str, column: &str, v: ValueRef<'_>) -> Result<serde_json::Value> {
    Ok(match v {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(f) => {
            serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into)
        }
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        ValueRef::Blob(b) if table == "raw_payloads" && column == "body" => {
            String::from_utf8_lossy(&inflate(b)?).into_owned().into()
        }
        ValueRef::Blob(b) => serde_json::json!({ "hex": crate::sync_state::hex(b) }),
    })
}

fn inflate(b: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    DeflateDecoder::new(b)
        .read_to_end(&mut out)
        .map_err(|e| StoreError::Invalid(format!("a raw payload does not decompress: {e}")))?;
    Ok(out)
}

/// What retention removes: raw payloads fetched, and the text of chat messages posted, before
/// these times (`None`: keep forever).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    pub raw_payloads_before: Option<Ts>,
    pub chat_text_before: Option<Ts>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Retained {
    pub raw_payloads_deleted: usize,
    pub chat_messages_blanked: usize,
}

/// Delete raw payloads and blank chat text older than the windows. The messages themselves
/// stay (who posted when still counts); only their text goes.
pub fn apply_retention(conn: &Connection, r: Retention) -> Result<Retained> {
    let mut out = Retained::default();
    if let Some(t) = r.raw_payloads_before {
        out.raw_payloads_deleted =
            conn.execute("DELETE FROM raw_payloads WHERE fetched_at < ?1", [t])?;
    }
    if let Some(t) = r.chat_text_before {
        out.chat_messages_blanked = conn.execute(
            "UPDATE chat_messages SET text = '' WHERE posted_at < ?1 AND text <> ''",
            [t],
        )?;
    }
    Ok(out)
}

/// Write a consistent copy of the database to `target` (which must not exist) with
/// `VACUUM INTO`: a snapshot of one read transaction, the WAL included, free pages left out.
pub fn copy_to(conn: &Connection, target: &Path) -> Result<()> {
    if target.exists() {
        return Err(StoreError::Invalid(format!(
            "{} already exists",
            target.display()
        )));
    }
    conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])?;
    Ok(())
}

/// [`copy_to`] from the SQLite file `source` (any SQLite file, opened read-only and never
/// migrated: a backup being restored).
pub fn copy_file_to(source: &Path, target: &Path) -> Result<()> {
    let src = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    copy_to(&src, target)
}

/// Fold the WAL into the database file and empty it; with `vacuum`, rebuild the file first so
/// that no freed page keeps deleted data.
pub fn compact(conn: &Connection, vacuum: bool) -> Result<()> {
    if vacuum {
        conn.execute_batch("VACUUM")?;
    }
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    if busy != 0 {
        return Err(StoreError::Invalid(
            "another connection kept the write-ahead log busy; close Bosun elsewhere and retry"
                .into(),
        ));
    }
    Ok(())
}

/// Check a database file before it replaces the live one: an SQLite file, a Bosun database, a
/// schema this build understands, and sound (`PRAGMA integrity_check`). Returns its schema
/// version.
pub fn check_copy(path: &Path) -> Result<u32> {
    let corrupt = |e: rusqlite::Error| StoreError::Corrupt(format!("{}: {e}", path.display()));
    if !path.is_file() {
        return Err(StoreError::Missing(path.to_path_buf()));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| StoreError::open(path, e))?;
    let version = migrations::user_version(&conn).map_err(corrupt)?;
    let has_meta: bool = conn
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get(0),
        )
        .map_err(corrupt)?;
    if version == 0 || !has_meta {
        return Err(StoreError::Foreign(path.to_path_buf()));
    }
    let latest = migrations::latest_version();
    if version > latest {
        return Err(StoreError::TooNew {
            found: version,
            latest,
        });
    }
    let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(corrupt)?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .map_err(corrupt)?
        .collect::<rusqlite::Result<_>>()
        .map_err(corrupt)?;
    if rows.len() != 1 || rows[0] != "ok" {
        return Err(StoreError::Corrupt(rows.join("; ")));
    }
    Ok(version)
}

/// A value kept in the `meta` table of a database file (a backup's config, its time).
pub fn file_meta(path: &Path, key: &str) -> Result<Option<String>> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| StoreError::open(path, e))?;
    crate::meta::get(&conn, key)
}

/// Set (or with `None`, remove) values in the `meta` table of a database file.
pub fn set_file_meta(path: &Path, values: &[(&str, Option<&str>)]) -> Result<()> {
    let conn = Connection::open(path).map_err(|e| StoreError::open(path, e))?;
    for (k, v) in values {
        match v {
            Some(v) => crate::meta::set(&conn, k, v)?,
            None => drop(conn.execute("DELETE FROM meta WHERE key = ?1", [k])?),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Forgetting a person
// ---------------------------------------------------------------------------------------------

/// What forgetting a person changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Forgotten {
    /// What they are called now, in every record and aggregate.
    pub pseudonym: String,
    /// How many distinct strings of theirs were looked for.
    pub strings: usize,
    pub chat_messages_erased: usize,
    pub private_notes_deleted: usize,
    pub emails_deleted: usize,
    pub accounts_pseudonymised: usize,
    pub raw_payloads_deleted: usize,
    /// Embeddings of rewritten chunks (they encoded the old text); re-indexing recomputes them.
    pub embeddings_deleted: usize,
    /// Rows whose text named them, rewritten, by table.
    pub rows_rewritten: BTreeMap<String, usize>,
    /// The first audit entry that named them: from there the chain was re-hashed.
    pub audit_rechained_from: Option<i64>,
    /// The ledger's head before the re-chaining.
    pub audit_previous_head: Option<String>,
}

/// The shortest `person-<hex>` (from a hash of the person's id and key) no one else uses; an
/// already forgotten person keeps theirs.
pub fn pseudonym(conn: &Connection, person_id: i64) -> Result<String> {
    let (key, name): (String, String) = conn
        .query_row(
            "SELECT key, name FROM people WHERE id = ?1",
            [person_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::Invalid(format!("no person {person_id}")))?;
    if key.starts_with("person-") && key == name {
        return Ok(key);
    }
    let digest = crate::sync_state::hex(&Sha256::digest(format!("{person_id}:{key}").as_bytes()));
    for len in 4..digest.len() {
        let candidate = format!("person-{}", &digest[..len]);
        let taken: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM people WHERE key = ?1 OR name = ?1)
                 OR EXISTS (SELECT 1 FROM accounts WHERE external_id = ?1 OR login = ?1)",
            [&candidate],
            |r| r.get(0),
        )?;
        if !taken {
            return Ok(candidate);
        }
    }
    Err(StoreError::Invalid("no free pseudonym".into()))
}

/// Every string that identifies the person: key, name and the parts of it (4 characters or
/// more, and not part of anyone else's name), emails, their accounts' ids, logins, display
/// names, emails and pages, and the names and emails on commits of their accounts. Longest first.
pub fn person_strings(conn: &Connection, person_id: i64) -> Result<Vec<String>> {
    let mut raw: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let (key, name, email): (String, String, Option<String>) = conn.query_row(
        "SELECT key, name, primary_email FROM people WHERE id = ?1",
        [person_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    raw.extend([key, name.clone()]);
    raw.extend(email);
    names.push(name);
    let column = |sql: &str| -> Result<Vec<String>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt
            .query_map([person_id], |r| r.get::<_, Option<String>>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows.into_iter().flatten().collect())
    };
    raw.extend(column(
        "SELECT email FROM person_emails WHERE person_id = ?1",
    )?);
    for col in ["external_id", "login", "email", "html_url"] {
        raw.extend(column(&format!(
            "SELECT {col} FROM accounts WHERE person_id = ?1"
        ))?);
    }
    let display = column("SELECT display_name FROM accounts WHERE person_id = ?1")?;
    raw.extend(display.iter().cloned());
    names.extend(display);
    for (name_col, email_col, account_col) in [
        ("author_name", "author_email", "author_account_id"),
        ("committer_name", "committer_email", "committer_account_id"),
    ] {
        let sql = |c: &str| {
            format!(
                "SELECT DISTINCT {c} FROM commits
                 WHERE {account_col} IN (SELECT id FROM accounts WHERE person_id = ?1)"
            )
        };
        let commit_names = column(&sql(name_col))?;
        raw.extend(commit_names.iter().cloned());
        names.extend(commit_names);
        raw.extend(column(&sql(email_col))?);
    }
    // Name parts, unless someone else's name has the same part.
    let others: BTreeSet<String> = {
        let mut stmt = conn.prepare(
            "SELECT name FROM people WHERE id <> ?1
             UNION SELECT display_name FROM accounts
                   WHERE display_name IS NOT NULL AND (person_id IS NULL OR person_id <> ?1)",
        )?;
        let rows = stmt
            .query_map([person_id], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.iter()
            .flat_map(|n| name_parts(n))
            .map(|p| p.to_lowercase())
            .collect()
    };
    for n in &names {
        for part in name_parts(n) {
            if !others.contains(&part.to_lowercase()) {
                raw.push(part);
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut out: Vec<String> = raw
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| s.chars().count() >= 3 && !s.chars().all(|c| c.is_ascii_digit()))
        .filter(|s| seen.insert(s.to_ascii_lowercase()))
        .collect();
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    Ok(out)
}

/// The parts of a name worth looking for on their own: 4 characters or more.
pub fn name_parts(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|p| p.chars().count() >= 4)
        .map(str::to_string)
        .collect()
}

/// `text` with every needle replaced by `with`; `None` when none occurs. Matching ignores ASCII
/// case and takes whole words only (not inside a longer run of letters and digits, so `Mark`
/// does not eat `Markdown`). `needles` go longest first.
pub fn scrub(text: &str, needles: &[String], with: &str) -> Option<String> {
    let mut current: Option<String> = None;
    for needle in needles {
        let hay = current.as_deref().unwrap_or(text);
        if let Some(replaced) = replace_words(hay, needle, with) {
            current = Some(replaced);
        }
    }
    current
}

fn replace_words(hay: &str, needle: &str, with: &str) -> Option<String> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let lower = hay.to_ascii_lowercase();
    let target = needle.to_ascii_lowercase();
    let mut out = String::new();
    let mut last = 0;
    let mut from = 0;
    while let Some(i) = lower[from..].find(&target) {
        let start = from + i;
        let end = start + target.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let starts_word = needle.chars().next().is_some_and(char::is_alphanumeric);
        let ends_word = needle
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        if (starts_word && word(before)) || (ends_word && word(after)) {
            from = start + target.chars().next().map_or(1, char::len_utf8);
            continue;
        }
        out.push_str(&hay[last..start]);
        out.push_str(with);
        last = end;
        from = end;
    }
    if last == 0 {
        return None;
    }
    out.push_str(&hay[last..]);
    Some(out)
}

fn contains_any(hay: &[u8], needles: &[String]) -> bool {
    let lower = hay.to_ascii_lowercase();
    needles.iter().any(|n| {
        let n = n.to_ascii_lowercase();
        lower.windows(n.len()).any(|w| w == n.as_bytes())
    })
}

/// Erase a person: their chat messages' text, private notes and emails go; their accounts and
/// their person row take the pseudonym; every other text that names them (commit authors, pull
/// request bodies, tickets, signals, actions, snapshots, documents, the audit ledger, ...) has
/// their strings replaced by it; raw payloads naming them are deleted; the full-text indexes are
/// rebuilt. Run inside one transaction, then [`compact`] with a vacuum so that no freed page
/// keeps the old text.
pub fn forget(conn: &Connection, person_id: i64) -> Result<Forgotten> {
    let pseudonym = pseudonym(conn, person_id)?;
    let needles: Vec<String> = person_strings(conn, person_id)?
        .into_iter()
        .filter(|s| !s.to_ascii_lowercase().contains(&pseudonym))
        .collect();
    let mut out = Forgotten {
        pseudonym: pseudonym.clone(),
        strings: needles.len(),
        ..Forgotten::default()
    };
    out.chat_messages_erased = conn.execute(
        "UPDATE chat_messages SET text = ''
         WHERE author_account_id IN (SELECT id FROM accounts WHERE person_id = ?1) AND text <> ''",
        [person_id],
    )?;
    out.private_notes_deleted = conn.execute(
        "DELETE FROM private_notes WHERE person_id = ?1",
        [person_id],
    )?;
    out.emails_deleted = conn.execute(
        "DELETE FROM person_emails WHERE person_id = ?1",
        [person_id],
    )?;
    let accounts: Vec<(i64, String)> = conn
        .prepare("SELECT id, provider FROM accounts WHERE person_id = ?1 ORDER BY provider, id")?
        .query_map([person_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut per_provider: HashMap<&str, usize> = HashMap::new();
    for (id, provider) in &accounts {
        let n = per_provider.entry(provider.as_str()).or_default();
        *n += 1;
        let external = if *n == 1 {
            pseudonym.clone()
        } else {
            format!("{pseudonym}-{n}")
        };
        conn.execute(
            "UPDATE accounts SET external_id = ?2, login = ?3, display_name = ?3, email = NULL,
                 html_url = NULL WHERE id = ?1",
            params![id, external, pseudonym],
        )?;
    }
    out.accounts_pseudonymised = accounts.len();
    conn.execute(
        "UPDATE people SET key = ?2, name = ?2, primary_email = NULL WHERE id = ?1",
        params![person_id, pseudonym],
    )?;

    // Raw payloads are compressed: look inside, delete those that name them.
    let mut doomed = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT id, body FROM raw_payloads")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let body: Vec<u8> = r.get(1)?;
            if contains_any(&inflate(&body)?, &needles) {
                doomed.push(r.get::<_, i64>(0)?);
            }
        }
    }
    for id in &doomed {
        conn.execute("DELETE FROM raw_payloads WHERE id = ?1", [id])?;
    }
    out.raw_payloads_deleted = doomed.len();

    let s = schema(conn)?;
    for (table, without_rowid) in &s.tables {
        if table == "audit_entries" || table == "raw_payloads" {
            continue;
        }
        let changed = rewrite_table(conn, table, *without_rowid, &needles, &pseudonym)?;
        if table == "chunks" {
            for id in &changed {
                out.embeddings_deleted +=
                    conn.execute("DELETE FROM embeddings WHERE chunk_id = ?1", [id])?;
            }
        }
        if !changed.is_empty() {
            out.rows_rewritten.insert(table.clone(), changed.len());
        }
    }
    for v in &s.virtuals {
        let sql: String =
            conn.query_row("SELECT sql FROM sqlite_master WHERE name = ?1", [v], |r| {
                r.get(0)
            })?;
        if sql.to_ascii_lowercase().contains("fts5") {
            conn.execute(
                &format!("INSERT INTO {0} ({0}) VALUES ('rebuild')", quote(v)),
                [],
            )?;
        }
    }
    let (from, previous) = rechain_audit(conn, &needles, &pseudonym)?;
    out.audit_rechained_from = from;
    out.audit_previous_head = previous;
    Ok(out)
}

/// A row's key values and its rewritten cells (column index, new text).
type RowUpdate = (Vec<Value>, Vec<(usize, String)>);

/// Rewrite the text cells of `table` that name the person. Returns the changed rows' rowids (or,
/// for a table without rowid, their positions).
fn rewrite_table(
    conn: &Connection,
    table: &str,
    without_rowid: bool,
    needles: &[String],
    with: &str,
) -> Result<Vec<i64>> {
    let cols: Vec<(String, bool)> = conn
        .prepare(&format!("PRAGMA table_info({})", quote(table)))?
        .query_map([], |r| {
            Ok((r.get::<_, String>(1)?, r.get::<_, i64>(5)? > 0))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let keys: Vec<String> = if without_rowid {
        cols.iter()
            .filter(|(_, pk)| *pk)
            .map(|(c, _)| quote(c))
            .collect()
    } else {
        vec!["rowid".to_string()]
    };
    let select = format!(
        "SELECT {}, {} FROM {}",
        keys.join(", "),
        cols.iter()
            .map(|(c, _)| quote(c))
            .collect::<Vec<_>>()
            .join(", "),
        quote(table)
    );
    let mut updates: Vec<RowUpdate> = Vec::new();
    {
        let mut stmt = conn.prepare(&select)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let mut changed = Vec::new();
            for i in 0..cols.len() {
                if let ValueRef::Text(t) = r.get_ref(keys.len() + i)? {
                    let text = String::from_utf8_lossy(t);
                    if let Some(new) = scrub(&text, needles, with) {
                        changed.push((i, new));
                    }
                }
            }
            if !changed.is_empty() {
                let key: Vec<Value> = (0..keys.len())
                    .map(|k| r.get::<_, Value>(k))
                    .collect::<rusqlite::Result<_>>()?;
                updates.push((key, changed));
            }
        }
    }
    let mut ids = Vec::new();
    for (n, (key, changed)) in updates.iter().enumerate() {
        let sets: Vec<String> = changed
            .iter()
            .enumerate()
            .map(|(j, (i, _))| format!("{} = ?{}", quote(&cols[*i].0), j + 1))
            .collect();
        let wheres: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(j, k)| format!("{k} = ?{}", changed.len() + j + 1))
            .collect();
        let sql = format!(
            "UPDATE {} SET {} WHERE {}",
            quote(table),
            sets.join(", "),
            wheres.join(" AND ")
        );
        let values: Vec<Value> = changed
            .iter()
            .map(|(_, s)| Value::Text(s.clone()))
            .chain(key.iter().cloned())
            .collect();
        conn.execute(&sql, params_from_iter(values))?;
        ids.push(match key.first() {
            Some(Value::Integer(id)) if !without_rowid => *id,
            _ => n as i64,
        });
    }
    Ok(ids)
}

/// Replace the person's strings in the audit ledger and re-hash the chain from the first entry
/// changed (the append-only triggers are lifted for the rewrite, inside the caller's
/// transaction, and put back). Returns that entry and the head before.
fn rechain_audit(
    conn: &Connection,
    needles: &[String],
    with: &str,
) -> Result<(Option<i64>, Option<String>)> {
    let mut all = audit::entries(conn, None)?;
    all.reverse();
    let fix = |s: &str| scrub(s, needles, with).unwrap_or_else(|| s.to_string());
    let first = all.iter().position(|e| {
        fix(&e.actor) != e.actor
            || e.subject.as_deref().map(fix) != e.subject
            || fix(&e.result) != e.result
            || fix(&e.trace) != e.trace
    });
    let Some(first) = first else {
        return Ok((None, None));
    };
    let previous_head = all.last().map(|e| format!("{}:{}", e.seq, e.hash));
    let triggers: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries'",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &triggers {
        conn.execute(&format!("DROP TRIGGER {}", quote(name)), [])?;
    }
    let mut prev = all[first].prev_hash.clone();
    for e in &all[first..] {
        let (actor, subject, result, trace) = (
            fix(&e.actor),
            e.subject.as_deref().map(fix),
            fix(&e.result),
            fix(&e.trace),
        );
        let h = audit::hash(
            &prev,
            e.at,
            &actor,
            &e.action,
            subject.as_deref(),
            &result,
            &trace,
        );
        conn.execute(
            "UPDATE audit_entries SET actor = ?2, subject = ?3, result = ?4, trace = ?5,
                 prev_hash = ?6, hash = ?7 WHERE seq = ?1",
            params![e.seq, actor, subject, result, trace, prev, h],
        )?;
        prev = h;
    }
    if let Some(last) = all.last() {
        crate::meta::set(conn, "audit_head", &format!("{}:{prev}", last.seq))?;
    }
    for (_, sql) in &triggers {
        conn.execute_batch(sql)?;
    }
    Ok((Some(all[first].seq), previous_head))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn scrub_takes_whole_words_in_any_case() {
        let n = vec![
            "maya.okafor@example.com".to_string(),
            "Okafor".to_string(),
            "Maya".to_string(),
        ];
        assert_eq!(
            scrub(
                "Ping MAYA (maya.okafor@example.com) re okafor-fix; Mayan art; Maya9",
                &n,
                "P"
            )
            .as_deref(),
            Some("Ping P (P) re P-fix; Mayan art; Maya9")
        );
        assert_eq!(scrub("nothing here", &n, "P"), None);
    }

    #[test]
    fn retention_removes_exactly_what_is_older_than_the_window() {
        let mut s = Store::open_in_memory().unwrap();
        s.write(|tx| {
            tx.execute_batch(
                "INSERT INTO sources (id, kind, name, created_at) VALUES (1, 'slack', 's', 0);
                 INSERT INTO chat_channels (id, provider, external_id, name) VALUES (1, 'slack', 'C1', 'c');",
            )?;
            for (i, at) in [99i64, 100, 101].iter().enumerate() {
                crate::sync_state::save_raw(tx, 1, "k", &format!("key{i}"), None, b"{}", *at)?;
                tx.execute(
                    "INSERT INTO chat_messages (channel_id, ts, text, posted_at) VALUES (1, ?1, 'hello', ?2)",
                    params![i.to_string(), at],
                )?;
            }
            Ok(())
        })
        .unwrap();
        let r = apply_retention(
            s.conn(),
            Retention {
                raw_payloads_before: Some(100),
                chat_text_before: Some(101),
            },
        )
        .unwrap();
        assert_eq!(r.raw_payloads_deleted, 1);
        assert_eq!(r.chat_messages_blanked, 2);
        let left: Vec<i64> = s
            .conn()
            .prepare("SELECT fetched_at FROM raw_payloads ORDER BY 1")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(left, vec![100, 101]);
        let texts: Vec<String> = s
            .conn()
            .prepare("SELECT text FROM chat_messages ORDER BY posted_at")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(texts, vec!["", "", "hello"]);
        // Keep forever: nothing changes.
        let r = apply_retention(s.conn(), Retention::default()).unwrap();
        assert_eq!(r, Retained::default());
    }

    #[test]
    fn the_tables_listed_are_every_table_and_sizes_add_up() {
        let s = Store::open_in_memory().unwrap();
        let t = tables(s.conn()).unwrap();
        assert!(t.iter().any(|t| t.name == "chat_messages" && !t.derived));
        assert!(t.iter().any(|t| t.name == "chunks_fts" && t.derived));
        assert!(!t.iter().any(|t| t.name.starts_with("chunks_fts_")));
        let sum: i64 = t.iter().map(|t| t.bytes).sum();
        assert!(sum > 0 && sum <= size_bytes(s.conn()).unwrap(), "{sum}");
    }
}
