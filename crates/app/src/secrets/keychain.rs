//! The OS keychain (Secret Service on Linux) through the `keyring` crate: one entry per source,
//! service `bosun`, account `source:<name>`. Calls may block: callers on an async runtime run
//! them on the blocking pool.

use crate::{AppError, Result};
use bosun_core::Sensitive;

const SERVICE: &str = "bosun";

/// What to do when no keychain answers; every keychain error names both ways out.
pub const HINT: &str = "keep tokens in an encrypted file instead (`bosun tokens use-file`, or \
    the app's welcome page), or set the token in an environment variable (e.g. BOSUN_GITHUB_TOKEN)";

fn entry(source: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("source:{source}")).map_err(error)
}

/// Why the keychain did not answer, as a short sentence (no advice).
fn reason(e: keyring::Error) -> String {
    match e {
        keyring::Error::NoStorageAccess(inner) => {
            format!("the OS keychain is locked or unavailable ({inner})")
        }
        keyring::Error::PlatformFailure(inner) => format!("the OS keychain failed ({inner})"),
        other => other.to_string(),
    }
}

fn error(e: keyring::Error) -> AppError {
    AppError::Keychain(format!("{}; {HINT}", reason(e)))
}

/// Keep `token` for `source`.
pub fn set(source: &str, token: &Sensitive<String>) -> Result<()> {
    entry(source)?.set_password(token.expose()).map_err(error)
}

/// The token kept for `source`, if any.
pub fn get(source: &str) -> Result<Option<Sensitive<String>>> {
    match entry(source)?.get_password() {
        Ok(t) => Ok(Some(Sensitive::new(t))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(error(e)),
    }
}

/// Forget the token of `source` (absent is fine).
pub fn delete(source: &str) -> Result<()> {
    match entry(source)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(error(e)),
    }
}

/// Whether the OS keychain answers (a lookup of an entry that does not exist).
pub fn answers() -> Result<()> {
    get("doctor-probe").map(drop)
}

/// [`answers`], with why not as a short sentence.
pub fn probe() -> std::result::Result<(), String> {
    let entry = keyring::Entry::new(SERVICE, "source:doctor-probe").map_err(reason)?;
    match entry.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(reason(e)),
    }
}
