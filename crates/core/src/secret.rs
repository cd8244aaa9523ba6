//! Secrets are a type: [`Sensitive`] never prints its content and refuses to be serialized, so a
//! token cannot end up in a log line, a JSON response or the database by accident.

use serde::{Serialize, Serializer};
use std::fmt;

/// A secret value: printed as `<redacted>`, never serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wrap a secret.
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The secret itself. Call this only at the point of use (an HTTP header, the keychain).
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> Serialize for Sensitive<T> {
    fn serialize<S: Serializer>(&self, _serializer: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("refusing to serialize a secret"))
    }
}

impl From<String> for Sensitive<String> {
    fn from(value: String) -> Self {
        Sensitive(value)
    }
}

/// `N` bytes from the kernel's random source (`/dev/urandom`): keys and tokens.
pub fn random_bytes<const N: usize>() -> std::io::Result<[u8; N]> {
    use std::io::Read;
    let mut b = [0u8; N];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut b)?;
    Ok(b)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_or_serializes_the_secret() {
        let token = Sensitive::new("ghp_supersecret".to_string());
        assert_eq!(format!("{token:?}"), "<redacted>");
        assert_eq!(format!("{token}"), "<redacted>");
        let err = serde_json::to_string(&token).unwrap_err();
        assert!(err.to_string().contains("refusing to serialize a secret"));
        assert_eq!(token.expose(), "ghp_supersecret");
    }
}
