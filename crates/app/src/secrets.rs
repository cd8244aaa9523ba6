//! Tokens live in the OS keychain (Secret Service on Linux) or in an environment variable; never
//! in the database, the config file or a log line. They travel as `Sensitive<String>`.

use crate::{AppError, Result};
use bosun_core::Sensitive;
use serde::Serialize;

const SERVICE: &str = "bosun";

/// Where a source's token comes from (shown to the user; never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum TokenOrigin {
    Environment(String),
    Keychain,
    Demo,
    /// The source needs no token (a local git repository).
    NotNeeded,
    Missing,
    /// The keychain could not be asked (locked or absent).
    Unknown(String),
}

fn entry(source: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("source:{source}")).map_err(keychain_error)
}

fn keychain_error(e: keyring::Error) -> AppError {
    let hint = "set the token in an environment variable instead (e.g. BOSUN_GITHUB_TOKEN)";
    match e {
        keyring::Error::NoStorageAccess(inner) => AppError::Keychain(format!(
            "the OS keychain is locked or unavailable ({inner}); {hint}"
        )),
        keyring::Error::PlatformFailure(inner) => {
            AppError::Keychain(format!("the OS keychain failed ({inner}); {hint}"))
        }
        other => AppError::Keychain(format!("{other}; {hint}")),
    }
}

/// The environment variables checked for a source, most specific first.
pub fn env_vars(kind: &str, source: &str) -> Vec<String> {
    let name: String = source
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    vec![
        format!("BOSUN_TOKEN_{name}"),
        format!("BOSUN_{}_TOKEN", kind.to_uppercase()),
    ]
}

/// Store `token` for `source` in the keychain.
pub fn store(source: &str, token: &Sensitive<String>) -> Result<()> {
    entry(source)?
        .set_password(token.expose())
        .map_err(keychain_error)
}

/// Forget the stored token of `source` (absent is fine).
pub fn delete(source: &str) -> Result<()> {
    match entry(source)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keychain_error(e)),
    }
}

/// The token of a source: environment first (explicit beats stored), then the keychain.
pub fn resolve(kind: &str, source: &str) -> Result<Option<(Sensitive<String>, TokenOrigin)>> {
    for var in env_vars(kind, source) {
        if let Ok(v) = std::env::var(&var)
            && !v.trim().is_empty()
        {
            return Ok(Some((
                Sensitive::new(v.trim().to_string()),
                TokenOrigin::Environment(var),
            )));
        }
    }
    let unreadable = |e: keyring::Error| {
        AppError::Keychain(format!(
            "no token in {} and the OS keychain could not be read ({e})",
            env_vars(kind, source).join(" or ")
        ))
    };
    match entry(source)?.get_password() {
        Ok(t) => Ok(Some((Sensitive::new(t), TokenOrigin::Keychain))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(unreadable(e)),
    }
}

/// Where the token would come from, without failing when the keychain is unavailable.
pub fn origin(kind: &str, source: &str) -> TokenOrigin {
    match resolve(kind, source) {
        Ok(Some((_, o))) => o,
        Ok(None) => TokenOrigin::Missing,
        Err(e) => TokenOrigin::Unknown(e.to_string()),
    }
}

/// Whether the OS keychain answers (a lookup of an entry that does not exist).
pub fn probe() -> std::result::Result<(), String> {
    match entry("doctor-probe")
        .map_err(|e| e.to_string())?
        .get_password()
    {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keychain_error(e).to_string()),
    }
}
