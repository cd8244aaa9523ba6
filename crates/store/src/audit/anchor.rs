//! The ledger's anchor: its head (sequence number and hash) recorded in a file beside the
//! database, with an HMAC-SHA256 over it under a key that lives outside the database (the OS
//! keychain; a key file when no keychain answers: the app decides, see `bosun_app::ledger`).
//!
//! Someone who edits the database can rewrite the head in `meta` and re-chain every hash after an
//! edit, but cannot write an anchor that verifies without the key. So, against the anchor:
//!
//! - fewer entries than anchored: the newest were cut ([`ProblemKind::Truncated`]);
//! - a different entry at the anchored sequence number: history was rewritten and re-chained
//!   ([`ProblemKind::Rechained`]);
//! - an anchor whose MAC does not verify: it was forged or copied ([`ProblemKind::AnchorForged`]);
//! - no anchor for a ledger that was anchored before (its key exists): it was deleted
//!   ([`ProblemKind::AnchorMissing`]).
//!
//! The anchor moves forward only from a consistent state ([`Anchor::advance`]): the entries
//! after the anchored one must chain from it and hash right, so a tampered ledger is never
//! blessed by the next write. Rewrites Bosun itself makes (forgetting a person re-chains the
//! ledger; restoring a backup replaces it) move it with [`Anchor::reset`], and say so in the
//! ledger.

use super::{Problem, ProblemKind, hash};
use crate::Result;
use bosun_core::Sensitive;
use bosun_core::secret::hex;
use hmac::{Hmac, Mac};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::path::{Path, PathBuf};

/// Where the anchor's key is kept (shown to the user; never the key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyPlace {
    /// The OS keychain (Secret Service).
    Keychain,
    /// A file readable by the user only: weaker, since whoever can read the database can usually
    /// read it too.
    File,
}

impl KeyPlace {
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyPlace::Keychain => "keychain",
            KeyPlace::File => "file",
        }
    }

    /// For people: where the key is.
    pub const fn describe(self) -> &'static str {
        match self {
            KeyPlace::Keychain => "key in the OS keychain",
            KeyPlace::File => "key in a file: weaker, see `bosun doctor`",
        }
    }
}

/// The MAC key: 32 random bytes.
#[derive(Clone)]
pub struct AnchorKey {
    bytes: Sensitive<[u8; 32]>,
    pub place: KeyPlace,
}

impl std::fmt::Debug for AnchorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnchorKey")
            .field("place", &self.place)
            .finish_non_exhaustive()
    }
}

impl AnchorKey {
    pub fn new(bytes: [u8; 32], place: KeyPlace) -> AnchorKey {
        AnchorKey {
            bytes: Sensitive::new(bytes),
            place,
        }
    }

    fn mac(&self, seq: i64, head: &str) -> String {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(self.bytes.expose())
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        m.update(format!("bosun-audit-anchor/1\n{seq}\n{head}").as_bytes());
        hex(&m.finalize().into_bytes())
    }
}

/// What the anchor file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct AnchorFile {
    version: u32,
    seq: i64,
    hash: String,
    key: KeyPlace,
    mac: String,
}

/// The anchored head, as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorInfo {
    pub path: String,
    pub key: KeyPlace,
    /// The anchored entry (0: the ledger was empty when anchored).
    pub seq: i64,
}

/// What [`Anchor::advance`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advance {
    /// The anchor now records this entry.
    Moved {
        from: i64,
        to: i64,
    },
    Unchanged,
    /// The ledger does not agree with the anchor: it stays where it was.
    Refused(Vec<Problem>),
}

/// The anchor of one database's ledger.
#[derive(Debug, Clone)]
pub struct Anchor {
    path: PathBuf,
    key: AnchorKey,
    /// The key existed before this process: a missing anchor file was deleted, not never made.
    key_existed: bool,
}

/// The last entry's sequence number and hash.
fn last(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

fn hash_at(conn: &Connection, seq: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT hash FROM audit_entries WHERE seq = ?1",
            [seq],
            |r| r.get(0),
        )
        .optional()?)
}

impl Anchor {
    /// The anchor file `path` under `key`. `key_existed`: the key was found, not just created (a
    /// missing anchor file is then a problem, not a first run).
    pub fn new(path: PathBuf, key: AnchorKey, key_existed: bool) -> Anchor {
        Anchor {
            path,
            key,
            key_existed,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn key_place(&self) -> KeyPlace {
        self.key.place
    }

    /// The anchor file: `Ok(None)` when absent; an unreadable or forged one is a problem.
    fn read(&self) -> std::result::Result<Option<AnchorFile>, Problem> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Problem {
                    seq: 0,
                    kind: ProblemKind::AnchorForged,
                    message: format!(
                        "the ledger's anchor {} cannot be read: {e}",
                        self.path.display()
                    ),
                });
            }
        };
        let forged = |why: String| Problem {
            seq: 0,
            kind: ProblemKind::AnchorForged,
            message: format!(
                "the ledger's anchor {} {why}: it was not written by Bosun with this data dir's key",
                self.path.display()
            ),
        };
        let f: AnchorFile =
            serde_json::from_str(&text).map_err(|e| forged(format!("is not an anchor ({e})")))?;
        if f.version != 1 || f.mac != self.key.mac(f.seq, &f.hash) {
            return Err(forged("does not verify".into()));
        }
        Ok(Some(f))
    }

    fn write(&self, seq: i64, head: &str) -> Result<()> {
        let f = AnchorFile {
            version: 1,
            seq,
            hash: head.to_string(),
            key: self.key.place,
            mac: self.key.mac(seq, head),
        };
        let text = serde_json::to_string_pretty(&f)?;
        crate::write_private_file(&self.path, text.as_bytes())
    }

    /// What is wrong with the ledger against its anchor (nothing, when it agrees or has nothing
    /// anchored yet), and the anchored head.
    pub fn check(&self, conn: &Connection) -> Result<(Vec<Problem>, Option<AnchorInfo>)> {
        let file = match self.read() {
            Ok(f) => f,
            Err(p) => return Ok((vec![p], None)),
        };
        let last = last(conn)?;
        let Some(f) = file else {
            let problems = match last {
                Some((seq, _)) if self.key_existed => vec![Problem {
                    seq,
                    kind: ProblemKind::AnchorMissing,
                    message: format!(
                        "the ledger's anchor {} is missing, although this ledger was anchored: entries cut from its end would go unnoticed",
                        self.path.display()
                    ),
                }],
                _ => Vec::new(),
            };
            return Ok((problems, None));
        };
        let info = AnchorInfo {
            path: self.path.display().to_string(),
            key: f.key,
            seq: f.seq,
        };
        let mut problems = Vec::new();
        let last_seq = last.as_ref().map_or(0, |l| l.0);
        if f.seq > last_seq {
            problems.push(Problem {
                seq: last_seq + 1,
                kind: ProblemKind::Truncated,
                message: if last_seq + 1 == f.seq {
                    format!(
                        "entry {} was removed from the end of the ledger (the anchor outside the database records {} entries)",
                        f.seq, f.seq
                    )
                } else {
                    format!(
                        "entries {}–{} were removed from the end of the ledger (the anchor outside the database records {} entries)",
                        last_seq + 1,
                        f.seq,
                        f.seq
                    )
                },
            });
        } else if f.seq > 0 && hash_at(conn, f.seq)?.as_deref() != Some(f.hash.as_str()) {
            problems.push(Problem {
                seq: f.seq,
                kind: ProblemKind::Rechained,
                message: format!(
                    "entry {} is not the entry anchored outside the database: the ledger up to it was rewritten and its hashes recomputed",
                    f.seq
                ),
            });
        }
        Ok((problems, Some(info)))
    }

    /// Move the anchor to the ledger's head, if the ledger agrees with the anchor and the entries
    /// after it chain from it. With no anchor file: create it when that is a first run (the key
    /// was just made, or the ledger is empty); otherwise refuse.
    pub fn advance(&self, conn: &Connection) -> Result<Advance> {
        let (problems, info) = self.check(conn)?;
        if !problems.is_empty() {
            return Ok(Advance::Refused(problems));
        }
        let Some((seq, head)) = last(conn)? else {
            if info.is_none() {
                self.write(0, super::GENESIS)?;
            }
            return Ok(Advance::Unchanged);
        };
        let from = info.as_ref().map_or(0, |i| i.seq);
        if info.is_some() && from == seq {
            return Ok(Advance::Unchanged);
        }
        if let Some(p) = self.broken_after(conn, from)? {
            return Ok(Advance::Refused(vec![p]));
        }
        self.write(seq, &head)?;
        Ok(Advance::Moved { from, to: seq })
    }

    /// The first entry after `from` that does not chain or hash right.
    fn broken_after(&self, conn: &Connection, from: i64) -> Result<Option<Problem>> {
        let mut prev = match from {
            0 => super::GENESIS.to_string(),
            s => hash_at(conn, s)?.unwrap_or_default(),
        };
        let mut stmt = conn.prepare(
            "SELECT seq, at, actor, action, subject, result, trace, prev_hash, hash
             FROM audit_entries WHERE seq > ?1 ORDER BY seq",
        )?;
        let mut rows = stmt.query([from])?;
        let mut expected = from + 1;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let subject: Option<String> = r.get(4)?;
            let prev_hash: String = r.get(7)?;
            let h: String = r.get(8)?;
            let recomputed = hash(
                &prev_hash,
                r.get(1)?,
                &r.get::<_, String>(2)?,
                &r.get::<_, String>(3)?,
                subject.as_deref(),
                &r.get::<_, String>(5)?,
                &r.get::<_, String>(6)?,
            );
            if seq != expected || prev_hash != prev || recomputed != h {
                return Ok(Some(Problem {
                    seq,
                    kind: ProblemKind::Edited,
                    message: format!(
                        "entry {seq}, written after the anchored head, does not chain from it: the anchor stays at entry {from}"
                    ),
                }));
            }
            prev = h;
            expected = seq + 1;
        }
        Ok(None)
    }

    /// Anchor the ledger as it is now, whatever the anchor said (after a rewrite Bosun made
    /// itself: forgetting a person, restoring a backup). Returns the sequence number it recorded
    /// before, when there was a valid anchor.
    pub fn reset(&self, conn: &Connection) -> Result<Option<i64>> {
        let before = self.read().ok().flatten().map(|f| f.seq);
        let (seq, head) = last(conn)?.unwrap_or((0, super::GENESIS.to_string()));
        self.write(seq, &head)?;
        Ok(before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use crate::audit::{append_test_entries, verify_anchored};

    fn add(store: &Store, n: i64) {
        append_test_entries(store.conn(), n);
    }

    fn anchor(dir: &Path, key: u8) -> Anchor {
        Anchor::new(
            dir.join("audit-anchor.json"),
            AnchorKey::new([key; 32], KeyPlace::File),
            true,
        )
    }

    fn tamper(store: &Store, sql: &str) {
        store
            .conn()
            .execute_batch(&format!(
                "DROP TRIGGER IF EXISTS audit_entries_no_update; DROP TRIGGER IF EXISTS audit_entries_no_delete; {sql}"
            ))
            .unwrap();
    }

    fn kinds(store: &Store, a: &Anchor) -> Vec<(i64, &'static str)> {
        let v = verify_anchored(store.conn(), a).unwrap();
        assert_eq!(v.ok, v.problems.is_empty());
        v.problems
            .iter()
            .map(|p| (p.seq, p.kind.as_str()))
            .collect()
    }

    /// Cut the newest entries and rewrite the head in `meta`: the database alone says intact.
    #[test]
    fn truncation_with_a_rewritten_head_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_memory().unwrap();
        let a = anchor(dir.path(), 7);
        a.advance(store.conn()).unwrap();
        add(&store, 5);
        assert_eq!(
            a.advance(store.conn()).unwrap(),
            Advance::Moved { from: 0, to: 5 }
        );
        tamper(
            &store,
            "DELETE FROM audit_entries WHERE seq >= 4;
             UPDATE meta SET value = (SELECT seq || ':' || hash FROM audit_entries WHERE seq = 3) WHERE key = 'audit_head';",
        );
        assert!(
            crate::audit::verify(store.conn()).unwrap().ok,
            "the database alone cannot tell"
        );
        assert_eq!(kinds(&store, &a), vec![(4, "truncated")]);
        // And the anchor does not move onto the cut ledger.
        assert!(matches!(
            a.advance(store.conn()).unwrap(),
            Advance::Refused(_)
        ));
        assert_eq!(kinds(&store, &a), vec![(4, "truncated")]);
    }

    /// Edit an entry and recompute every hash after it (and the head): the chain verifies, the
    /// anchor does not.
    #[test]
    fn an_edit_with_the_chain_recomputed_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_memory().unwrap();
        let a = anchor(dir.path(), 7);
        a.advance(store.conn()).unwrap();
        add(&store, 4);
        a.advance(store.conn()).unwrap();
        tamper(
            &store,
            "UPDATE audit_entries SET result = 'denied' WHERE seq = 2;",
        );
        let all = crate::audit::entries(store.conn(), None).unwrap();
        let mut prev = all.iter().find(|e| e.seq == 1).unwrap().hash.clone();
        for seq in 2..=4 {
            let e = all.iter().find(|e| e.seq == seq).unwrap();
            let h = hash(
                &prev,
                e.at,
                &e.actor,
                &e.action,
                e.subject.as_deref(),
                &e.result,
                &e.trace,
            );
            store
                .conn()
                .execute(
                    "UPDATE audit_entries SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
                    rusqlite::params![prev, h, seq],
                )
                .unwrap();
            prev = h;
        }
        store
            .conn()
            .execute(
                "UPDATE meta SET value = ?1 WHERE key = 'audit_head'",
                [format!("4:{prev}")],
            )
            .unwrap();
        assert!(
            crate::audit::verify(store.conn()).unwrap().ok,
            "the database alone cannot tell"
        );
        assert_eq!(kinds(&store, &a), vec![(4, "rechained")]);
    }

    #[test]
    fn a_forged_or_deleted_anchor_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_memory().unwrap();
        let a = anchor(dir.path(), 7);
        a.advance(store.conn()).unwrap();
        add(&store, 3);
        a.advance(store.conn()).unwrap();
        // Written with another key (or by hand): not ours.
        let other = anchor(dir.path(), 8);
        other.reset(store.conn()).unwrap();
        assert_eq!(kinds(&store, &a), vec![(0, "anchor_forged")]);
        std::fs::write(a.path(), "{}").unwrap();
        assert_eq!(kinds(&store, &a), vec![(0, "anchor_forged")]);
        std::fs::remove_file(a.path()).unwrap();
        assert_eq!(kinds(&store, &a), vec![(3, "anchor_missing")]);
        assert!(matches!(
            a.advance(store.conn()).unwrap(),
            Advance::Refused(_)
        ));
        // A first run (the key was just made) anchors instead.
        let first = Anchor::new(
            a.path().to_path_buf(),
            AnchorKey::new([7; 32], KeyPlace::File),
            false,
        );
        assert_eq!(
            first.advance(store.conn()).unwrap(),
            Advance::Moved { from: 0, to: 3 }
        );
        assert_eq!(kinds(&store, &a), vec![]);
    }

    #[test]
    fn the_anchor_follows_honest_appends_but_not_a_tampered_tail() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_memory().unwrap();
        let a = anchor(dir.path(), 7);
        assert_eq!(a.advance(store.conn()).unwrap(), Advance::Unchanged);
        add(&store, 2);
        assert_eq!(
            a.advance(store.conn()).unwrap(),
            Advance::Moved { from: 0, to: 2 }
        );
        add(&store, 2);
        assert_eq!(
            a.advance(store.conn()).unwrap(),
            Advance::Moved { from: 2, to: 4 }
        );
        assert_eq!(a.advance(store.conn()).unwrap(), Advance::Unchanged);
        add(&store, 1);
        tamper(
            &store,
            "UPDATE audit_entries SET result = 'denied' WHERE seq = 5;",
        );
        assert!(matches!(
            a.advance(store.conn()).unwrap(),
            Advance::Refused(_)
        ));
        let v = verify_anchored(store.conn(), &a).unwrap();
        assert_eq!(v.anchor.unwrap().seq, 4);
        // Bosun's own rewrite moves it explicitly.
        assert_eq!(a.reset(store.conn()).unwrap(), Some(4));
        assert_eq!(
            verify_anchored(store.conn(), &a)
                .unwrap()
                .anchor
                .unwrap()
                .seq,
            5
        );
    }
}
