//! The change logs caches drain (`metric_changes`, `signal_changes`): rows of `(kind, key)` that
//! triggers write beside every write, taken and cleared in one statement.

use crate::Result;
use rusqlite::Connection;
use std::collections::BTreeMap;

/// What one drain took, by kind; each list sorted.
#[derive(Debug, Default)]
pub(crate) struct Drained(BTreeMap<String, Vec<i64>>);

impl Drained {
    /// The keys logged under `kind` (removed from what is left).
    pub(crate) fn take(&mut self, kind: &str) -> Vec<i64> {
        self.0.remove(kind).unwrap_or_default()
    }

    /// The kinds nobody took: a trigger this code does not know (the caller reloads everything).
    pub(crate) fn unknown(self) -> Vec<String> {
        self.0.into_keys().collect()
    }
}

/// Take everything `table` logged and clear it, atomically. `table` is one of this crate's names.
pub(crate) fn drain(conn: &Connection, table: &'static str) -> Result<Drained> {
    let mut stmt = conn.prepare_cached(&format!("DELETE FROM {table} RETURNING kind, key"))?;
    let mut out: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (kind, key) = row?;
        out.entry(kind).or_default().push(key);
    }
    for keys in out.values_mut() {
        keys.sort_unstable();
    }
    Ok(Drained(out))
}
