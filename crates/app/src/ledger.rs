//! Where the audit ledger's anchor and its key live (the anchor itself: `bosun_store::audit::anchor`).
//!
//! The anchor file is `<data dir>/audit-anchor.json`. Its MAC key is 32 random bytes kept in the
//! OS keychain (service `bosun`, entry `audit-anchor:<data dir id>`), so that someone who can edit
//! the database and the data dir still cannot forge an anchor. Where no keychain answers (a
//! headless Linux without Secret Service), the key is a file beside the config
//! (`audit-anchor.key`, readable by the user only): that still catches edits made through the
//! database alone, but not someone who reads the key file; `bosun doctor` and `audit verify` say
//! which it is.
//!
//! The anchor file names where its key is, so a later run looks there: a ledger anchored with the
//! keychain is not silently re-keyed to a file when the keychain is locked one day; it is
//! reported as not checked instead.

use crate::paths::Paths;
use bosun_core::secret::{hex, random_bytes};
use bosun_store::audit::anchor::{Anchor, AnchorKey, KeyPlace};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

const SERVICE: &str = "bosun";

/// The anchor file of these paths' database.
pub fn anchor_path(paths: &Paths) -> PathBuf {
    paths.data_dir.join("audit-anchor.json")
}

/// The key file used when no keychain answers.
pub fn key_file(paths: &Paths) -> PathBuf {
    paths
        .config_file
        .parent()
        .map_or_else(|| paths.data_dir.clone(), PathBuf::from)
        .join("audit-anchor.key")
}

/// The keychain entry of this data dir's key: one per data dir (the demo's and the real one
/// differ), named by a hash of its path.
fn keychain_entry(paths: &Paths) -> Result<keyring::Entry, String> {
    let dir = std::fs::canonicalize(&paths.data_dir).unwrap_or_else(|_| paths.data_dir.clone());
    let id = hex(&Sha256::digest(dir.to_string_lossy().as_bytes())[..8]);
    keyring::Entry::new(SERVICE, &format!("audit-anchor:{id}")).map_err(|e| e.to_string())
}

fn parse(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Which place the anchor file says its key is in, if there is an anchor file.
fn anchored_with(paths: &Paths) -> Option<KeyPlace> {
    let text = std::fs::read_to_string(anchor_path(paths)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    serde_json::from_value(v.get("key")?.clone()).ok()
}

enum Found {
    Key([u8; 32]),
    Absent,
    Unavailable(String),
}

fn from_keychain(paths: &Paths) -> Found {
    let entry = match keychain_entry(paths) {
        Ok(e) => e,
        Err(e) => return Found::Unavailable(e),
    };
    match entry.get_password() {
        Ok(t) => parse(&t).map_or_else(
            || Found::Unavailable("the keychain's audit-anchor key is not 32 hex bytes".into()),
            Found::Key,
        ),
        Err(keyring::Error::NoEntry) => Found::Absent,
        Err(e) => Found::Unavailable(e.to_string()),
    }
}

fn from_file(paths: &Paths) -> Found {
    let path = key_file(paths);
    match std::fs::read_to_string(&path) {
        Ok(t) => parse(&t).map_or_else(
            || Found::Unavailable(format!("{} is not a key (32 hex bytes)", path.display())),
            Found::Key,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Found::Absent,
        Err(e) => Found::Unavailable(format!("{}: {e}", path.display())),
    }
}

/// The anchor of `paths`' ledger, making its key on first use (in the keychain when it answers,
/// else in the key file). `Err` says why the ledger cannot be checked against its anchor now.
pub fn anchor(paths: &Paths) -> Result<Anchor, String> {
    let at = anchor_path(paths);
    let with =
        |bytes, place, existed| Anchor::new(at.clone(), AnchorKey::new(bytes, place), existed);
    let keychain = || match from_keychain(paths) {
        Found::Key(k) => Ok(Some(k)),
        Found::Absent => Ok(None),
        Found::Unavailable(e) => Err(e),
    };
    match anchored_with(paths) {
        Some(KeyPlace::Keychain) => {
            match keychain() {
                Ok(Some(k)) => return Ok(with(k, KeyPlace::Keychain, true)),
                Ok(None) => {
                    return Err("the ledger was anchored with a key in the OS keychain, and that key is gone".into());
                }
                Err(e) => {
                    return Err(format!(
                        "the ledger was anchored with a key in the OS keychain, which cannot be read now ({e})"
                    ));
                }
            }
        }
        Some(KeyPlace::File) => match from_file(paths) {
            Found::Key(k) => return Ok(with(k, KeyPlace::File, true)),
            Found::Absent => {
                return Err(format!(
                    "the ledger was anchored with the key file {}, and it is gone",
                    key_file(paths).display()
                ));
            }
            Found::Unavailable(e) => return Err(e),
        },
        None => {}
    }
    // No anchor file: a key found means the anchor was made before (and deleted since).
    let keychain_answer = keychain();
    if let Ok(Some(k)) = keychain_answer {
        return Ok(with(k, KeyPlace::Keychain, true));
    }
    if let Found::Key(k) = from_file(paths) {
        return Ok(with(k, KeyPlace::File, true));
    }
    let bytes = random_bytes::<32>().map_err(|e| format!("no random bytes for a key: {e}"))?;
    if keychain_answer.is_ok() {
        let stored = keychain_entry(paths)
            .and_then(|e| e.set_password(&hex(&bytes)).map_err(|e| e.to_string()));
        if stored.is_ok() {
            return Ok(with(bytes, KeyPlace::Keychain, false));
        }
    }
    let path = key_file(paths);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    bosun_store::write_private_file(&path, hex(&bytes).as_bytes()).map_err(|e| e.to_string())?;
    Ok(with(bytes, KeyPlace::File, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_as_hex() {
        let k = [0xab; 32];
        assert_eq!(parse(&hex(&k)), Some(k));
        assert_eq!(parse("zz"), None);
        assert_eq!(parse(&"g".repeat(64)), None);
    }
}
