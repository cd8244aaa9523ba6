//! The encrypted token file, `<data dir>/tokens.enc`: every source's token sealed with
//! AES-256-GCM under a key derived from a passphrase with Argon2id. The format and the threat
//! model are in docs/tokens.md and SECURITY.md.
//!
//! This module is the format and its cryptography only (no paths, no locking, no keychain):
//! `TokenFile` is the parsed file; a [`FileKey`] is what a passphrase unlocks.
//!
//! ```json
//! {
//!   "format": "bosun-tokens", "version": 1, "cipher": "aes-256-gcm",
//!   "kdf": {"algorithm": "argon2id", "version": 19, "memory_kib": 65536, "iterations": 3,
//!           "parallelism": 1, "salt": "<16 bytes, hex>"},
//!   "check":  {"nonce": "<12 bytes, hex>", "sealed": "<ciphertext and tag, hex>"},
//!   "tokens": {"<source name>": {"nonce": "…", "sealed": "…"}}
//! }
//! ```
//!
//! Every seal has its own random nonce. Its associated data names what it is
//! (`bosun-tokens/1 check`, `bosun-tokens/1 source <name>`), so an entry moved to another
//! source's name, or the check moved to an entry, does not open. The check (a known plaintext)
//! tells a wrong passphrase from a damaged entry.

use bosun_core::Sensitive;
use bosun_core::secret::{hex, random_bytes};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const FORMAT: &str = "bosun-tokens";
const VERSION: u32 = 1;
const CIPHER: &str = "aes-256-gcm";
const ALGORITHM: &str = "argon2id";
/// Argon2 version 1.3.
const ARGON2_VERSION: u32 = 0x13;
const CHECK_PLAINTEXT: &[u8] = b"bosun-tokens check";

/// The cost of a new file's key: 64 MiB and 3 passes (RFC 9106's second recommended option),
/// about a third of a second on a laptop.
pub const MEMORY_KIB: u32 = 64 * 1024;
pub const ITERATIONS: u32 = 3;
/// The most a file may ask for (a crafted file must not make Bosun allocate gigabytes).
const MAX_MEMORY_KIB: u32 = 1024 * 1024;
const MAX_ITERATIONS: u32 = 16;
const MAX_PARALLELISM: u32 = 16;
pub use crate::error::{MIN_PASSPHRASE_CHARS, TokenFileError};

type Result<T> = std::result::Result<T, TokenFileError>;

/// How the key is derived; stored in the file so the passphrase finds the same key later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kdf {
    pub algorithm: String,
    pub version: u32,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// 16 random bytes, hex.
    pub salt: String,
}

impl Kdf {
    /// Argon2id at the given cost with a fresh random salt.
    pub fn new(memory_kib: u32, iterations: u32) -> Result<Kdf> {
        let salt =
            random_bytes::<16>().map_err(|e| TokenFileError::Crypto(format!("no salt: {e}")))?;
        Ok(Kdf {
            algorithm: ALGORITHM.into(),
            version: ARGON2_VERSION,
            memory_kib,
            iterations,
            parallelism: 1,
            salt: hex(&salt),
        })
    }

    /// The 256-bit key of `passphrase` under these parameters (refused when they are out of
    /// bounds: a file cannot make Bosun spend unbounded memory or time).
    fn derive(&self, passphrase: &Sensitive<String>) -> Result<Sensitive<[u8; 32]>> {
        use argon2::{Algorithm, Argon2, Params, Version};
        let bad = |what: &str| TokenFileError::Malformed(format!("kdf: {what}"));
        if self.algorithm != ALGORITHM || self.version != ARGON2_VERSION {
            return Err(bad("only argon2id version 19 is known"));
        }
        if self.memory_kib > MAX_MEMORY_KIB
            || self.iterations > MAX_ITERATIONS
            || self.parallelism > MAX_PARALLELISM
        {
            return Err(bad("parameters beyond the limits Bosun accepts"));
        }
        let salt = unhex(&self.salt).ok_or_else(|| bad("salt is not hex"))?;
        if salt.len() < 16 {
            return Err(bad("salt shorter than 16 bytes"));
        }
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|e| bad(&e.to_string()))?;
        let mut key = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.expose().as_bytes(), &salt, &mut key)
            .map_err(|e| TokenFileError::Crypto(format!("argon2: {e}")))?;
        Ok(Sensitive::new(key))
    }
}

/// What a passphrase unlocks: the key, with the parameters it was derived under (a file
/// re-created since, with another salt, is not opened with it). Kept in memory only.
#[derive(Debug, Clone)]
pub struct FileKey {
    kdf: Kdf,
    key: Sensitive<[u8; 32]>,
}

/// One sealed value: a fresh 96-bit nonce and the ciphertext with its tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sealed {
    nonce: String,
    sealed: String,
}

/// The file as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenFile {
    format: String,
    version: u32,
    cipher: String,
    kdf: Kdf,
    check: Sealed,
    tokens: BTreeMap<String, Sealed>,
}

fn check_aad() -> Vec<u8> {
    format!("{FORMAT}/{VERSION} check").into_bytes()
}

fn source_aad(source: &str) -> Vec<u8> {
    format!("{FORMAT}/{VERSION} source {source}").into_bytes()
}

fn cipher(key: &FileKey) -> aes_gcm::Aes256Gcm {
    use aes_gcm::KeyInit;
    aes_gcm::Aes256Gcm::new(key.key.expose().into())
}

fn seal(key: &FileKey, aad: &[u8], plaintext: &[u8]) -> Result<Sealed> {
    use aes_gcm::aead::{Aead, Payload};
    let nonce =
        random_bytes::<12>().map_err(|e| TokenFileError::Crypto(format!("no nonce: {e}")))?;
    let sealed = cipher(key)
        .encrypt(
            &nonce.into(),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| TokenFileError::Crypto("encryption failed".into()))?;
    Ok(Sealed {
        nonce: hex(&nonce),
        sealed: hex(&sealed),
    })
}

/// The plaintext, or `None` when the seal does not authenticate (wrong key, altered bytes,
/// other associated data).
fn open(key: &FileKey, aad: &[u8], s: &Sealed) -> Option<Vec<u8>> {
    use aes_gcm::aead::{Aead, Payload};
    let nonce: [u8; 12] = unhex(&s.nonce)?.try_into().ok()?;
    let sealed = unhex(&s.sealed)?;
    cipher(key)
        .decrypt(&nonce.into(), Payload { msg: &sealed, aad })
        .ok()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl TokenFile {
    /// A new, empty file for `passphrase` (at least [`MIN_PASSPHRASE_CHARS`] characters), and
    /// its key.
    pub fn create(passphrase: &Sensitive<String>, kdf: Kdf) -> Result<(TokenFile, FileKey)> {
        if passphrase.expose().chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(TokenFileError::WeakPassphrase);
        }
        let key = FileKey {
            key: kdf.derive(passphrase)?,
            kdf: kdf.clone(),
        };
        let file = TokenFile {
            format: FORMAT.into(),
            version: VERSION,
            cipher: CIPHER.into(),
            kdf,
            check: seal(&key, &check_aad(), CHECK_PLAINTEXT)?,
            tokens: BTreeMap::new(),
        };
        Ok((file, key))
    }

    pub fn parse(bytes: &[u8]) -> Result<TokenFile> {
        let file: TokenFile =
            serde_json::from_slice(bytes).map_err(|e| TokenFileError::Malformed(e.to_string()))?;
        if file.format != FORMAT || file.version != VERSION || file.cipher != CIPHER {
            return Err(TokenFileError::Malformed(format!(
                "{} version {} with {} (this Bosun reads {FORMAT} version {VERSION} with {CIPHER})",
                file.format, file.version, file.cipher
            )));
        }
        Ok(file)
    }

    /// The file's text. An error, never an empty file, if it cannot be encoded.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = serde_json::to_vec_pretty(self)
            .map_err(|e| TokenFileError::Crypto(format!("encoding the token file: {e}")))?;
        out.push(b'\n');
        Ok(out)
    }

    /// The key of `passphrase`, checked against the file: a wrong passphrase is
    /// [`TokenFileError::WrongPassphrase`], never a key that opens nothing.
    pub fn unlock(&self, passphrase: &Sensitive<String>) -> Result<FileKey> {
        let key = FileKey {
            key: self.kdf.derive(passphrase)?,
            kdf: self.kdf.clone(),
        };
        match open(&key, &check_aad(), &self.check) {
            Some(p) if p == CHECK_PLAINTEXT => Ok(key),
            _ => Err(TokenFileError::WrongPassphrase),
        }
    }

    /// Whether `key` was derived for this file (it was not if the file was made again since).
    pub fn fits(&self, key: &FileKey) -> bool {
        key.kdf == self.kdf && open(key, &check_aad(), &self.check).is_some()
    }

    /// The sources with a token here (names are not secret: they are in the database too).
    pub fn sources(&self) -> Vec<String> {
        self.tokens.keys().cloned().collect()
    }

    pub fn contains(&self, source: &str) -> bool {
        self.tokens.contains_key(source)
    }

    /// The token of `source`, if the file has one.
    pub fn get(&self, key: &FileKey, source: &str) -> Result<Option<Sensitive<String>>> {
        if !self.fits(key) {
            return Err(TokenFileError::Locked);
        }
        let Some(sealed) = self.tokens.get(source) else {
            return Ok(None);
        };
        let tampered = || TokenFileError::Tampered {
            entry: source.to_string(),
        };
        let plain = open(key, &source_aad(source), sealed).ok_or_else(tampered)?;
        let token = String::from_utf8(plain).map_err(|_| tampered())?;
        Ok(Some(Sensitive::new(token)))
    }

    /// Keep `token` for `source` (replacing any).
    pub fn set(&mut self, key: &FileKey, source: &str, token: &Sensitive<String>) -> Result<()> {
        if !self.fits(key) {
            return Err(TokenFileError::Locked);
        }
        let sealed = seal(key, &source_aad(source), token.expose().as_bytes())?;
        self.tokens.insert(source.to_string(), sealed);
        Ok(())
    }

    /// Forget the token of `source` (needs no key); whether there was one.
    pub fn remove(&mut self, source: &str) -> bool {
        self.tokens.remove(source).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters: these tests are about the format, not the cost.
    fn kdf() -> Kdf {
        Kdf::new(256, 1).unwrap()
    }

    fn pass(s: &str) -> Sensitive<String> {
        Sensitive::new(s.to_string())
    }

    #[test]
    fn hex_round_trips_and_refuses_odd_or_non_hex() {
        assert_eq!(
            unhex(&hex(&[0, 1, 0xab, 0xff])),
            Some(vec![0, 1, 0xab, 0xff])
        );
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn tokens_round_trip_through_the_bytes() {
        let (mut file, key) = TokenFile::create(&pass("correct horse"), kdf()).unwrap();
        file.set(&key, "gh", &pass("ghp_one")).unwrap();
        file.set(&key, "jira", &pass("jira-two")).unwrap();
        let text = String::from_utf8(file.to_bytes().unwrap()).unwrap();
        assert!(
            !text.contains("ghp_one") && !text.contains("jira-two"),
            "{text}"
        );
        let again = TokenFile::parse(text.as_bytes()).unwrap();
        let key = again.unlock(&pass("correct horse")).unwrap();
        let get = |s| again.get(&key, s).unwrap().map(|t| t.expose().clone());
        assert_eq!(get("gh").as_deref(), Some("ghp_one"));
        assert_eq!(get("jira").as_deref(), Some("jira-two"));
        assert_eq!(get("slack"), None);
        assert_eq!(again.sources(), ["gh", "jira"]);
    }

    #[test]
    fn a_short_passphrase_is_refused() {
        assert!(matches!(
            TokenFile::create(&pass("1234567"), kdf()),
            Err(TokenFileError::WeakPassphrase)
        ));
    }

    #[test]
    fn a_wrong_passphrase_is_a_typed_error() {
        let (file, _) = TokenFile::create(&pass("correct horse"), kdf()).unwrap();
        assert!(matches!(
            file.unlock(&pass("correct hors")),
            Err(TokenFileError::WrongPassphrase)
        ));
    }

    #[test]
    fn a_key_of_another_file_opens_nothing_here() {
        let (mut a, key_a) = TokenFile::create(&pass("correct horse"), kdf()).unwrap();
        let (b, _) = TokenFile::create(&pass("correct horse"), kdf()).unwrap();
        a.set(&key_a, "gh", &pass("t")).unwrap();
        let mut b = b;
        assert!(matches!(
            b.set(&key_a, "gh", &pass("t")),
            Err(TokenFileError::Locked)
        ));
        assert!(matches!(b.get(&key_a, "gh"), Err(TokenFileError::Locked)));
    }

    #[test]
    fn swapped_entries_do_not_open() {
        let (mut file, key) = TokenFile::create(&pass("correct horse"), kdf()).unwrap();
        file.set(&key, "gh", &pass("ghp_one")).unwrap();
        file.set(&key, "jira", &pass("jira-two")).unwrap();
        let (gh, jira) = (file.tokens["gh"].clone(), file.tokens["jira"].clone());
        file.tokens.insert("gh".into(), jira);
        file.tokens.insert("jira".into(), gh);
        for s in ["gh", "jira"] {
            match file.get(&key, s) {
                Err(TokenFileError::Tampered { entry }) => assert_eq!(entry, s),
                other => panic!("{s}: {other:?}"),
            }
        }
        // The check, moved into an entry, does not open either.
        file.tokens.insert("gh".into(), file.check.clone());
        assert!(matches!(
            file.get(&key, "gh"),
            Err(TokenFileError::Tampered { .. })
        ));
    }

    #[test]
    fn out_of_bounds_parameters_are_refused_before_any_work() {
        let (mut file, _) = TokenFile::create(&pass("correct horse"), kdf()).unwrap();
        file.kdf.memory_kib = MAX_MEMORY_KIB + 1;
        assert!(matches!(
            file.unlock(&pass("correct horse")),
            Err(TokenFileError::Malformed(_))
        ));
        let mut text: serde_json::Value =
            serde_json::from_slice(&file.to_bytes().unwrap()).unwrap();
        text["version"] = 2.into();
        assert!(matches!(
            TokenFile::parse(text.to_string().as_bytes()),
            Err(TokenFileError::Malformed(_))
        ));
    }
}
