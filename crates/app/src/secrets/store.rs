//! Which store keeps the sources' tokens, and the encrypted file's key while it is unlocked.
//!
//! The OS keychain by default. The encrypted file (`<data dir>/tokens.enc`, see
//! [`super::token_file`]) once the user chose it (`bosun tokens use-file`, or the app's welcome
//! page): the file's existence is the choice, so the record and the tokens cannot disagree.
//! `bosun tokens use-keychain` moves the tokens back and removes the file.
//!
//! The file's key is derived once per process from the passphrase (given to [`TokenStore::unlock`],
//! or read from `BOSUN_TOKENS_PASSPHRASE` when first needed) and kept in memory only, as
//! `Sensitive`. Every change to the file happens under an exclusive lock on
//! `tokens.enc.lock` (two processes adding tokens at once both keep theirs) and is written
//! atomically (a temporary file, synced, renamed over the old one), readable by the user only.

use super::keychain;
use super::token_file::{self, FileKey, Kdf, TokenFile, TokenFileError};
use crate::paths::Paths;
use crate::{AppError, Result};
use bosun_core::Sensitive;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const FILE_NAME: &str = "tokens.enc";
/// The passphrase of the token file for processes nobody types into (`bosun serve`, scripts).
pub const PASSPHRASE_VAR: &str = "BOSUN_TOKENS_PASSPHRASE";

/// Where tokens that are not in the environment are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum StoreKind {
    Keychain,
    File,
}

/// The token store as the user sees it (never a token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenStoreStatus {
    pub store: StoreKind,
    /// The encrypted file's path (whether or not it exists).
    pub file: String,
    /// The file store is in use and its key is not in memory (nor opened by
    /// `BOSUN_TOKENS_PASSPHRASE`): tokens cannot be read or added until it is unlocked.
    pub locked: bool,
    /// `BOSUN_TOKENS_PASSPHRASE` is set.
    pub passphrase_from_env: bool,
    /// Why the file could not be opened or read, when it could not (a wrong passphrase in the
    /// environment, a damaged file).
    pub file_problem: Option<String>,
    /// The OS keychain answers; when it does not, `keychain_problem` says why.
    pub keychain_ok: bool,
    pub keychain_problem: Option<String>,
}

/// What a move between the stores did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Moved {
    /// The sources whose token moved.
    pub moved: Vec<String>,
    /// Why some tokens could not be read from the keychain (they stay there, or are gone with
    /// it; add them again).
    pub not_read: Option<String>,
}

/// The token store of one data dir: cheap to clone, clones share the unlocked key.
#[derive(Debug, Clone)]
pub struct TokenStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    key: Mutex<Option<FileKey>>,
}

fn passphrase_from_env() -> Option<Sensitive<String>> {
    std::env::var(PASSPHRASE_VAR)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Sensitive::new)
}

impl TokenStore {
    pub fn new(paths: &Paths) -> TokenStore {
        TokenStore {
            inner: Arc::new(Inner {
                path: paths.data_dir.join(FILE_NAME),
                key: Mutex::new(None),
            }),
        }
    }

    /// The encrypted file (whether or not it exists).
    pub fn file_path(&self) -> &Path {
        &self.inner.path
    }

    pub fn kind(&self) -> StoreKind {
        if self.inner.path.exists() {
            StoreKind::File
        } else {
            StoreKind::Keychain
        }
    }

    fn err(&self, error: TokenFileError) -> AppError {
        AppError::TokenFile {
            path: self.inner.path.display().to_string(),
            error,
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Option<FileKey>> {
        self.inner.key.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The file, or `None` when the keychain is the store.
    fn read(&self) -> Result<Option<TokenFile>> {
        match std::fs::read(&self.inner.path) {
            Ok(bytes) => Ok(Some(TokenFile::parse(&bytes).map_err(|e| self.err(e))?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&self.inner.path, e)),
        }
    }

    /// The file's key: the one kept in memory, else the one `BOSUN_TOKENS_PASSPHRASE` opens,
    /// else [`TokenFileError::Locked`].
    fn key_for(&self, file: &TokenFile) -> Result<FileKey> {
        let mut kept = self.kept();
        if let Some(k) = kept.as_ref().filter(|k| file.fits(k)) {
            return Ok(k.clone());
        }
        let Some(passphrase) = passphrase_from_env() else {
            return Err(self.err(TokenFileError::Locked));
        };
        let key = file.unlock(&passphrase).map_err(|e| match e {
            TokenFileError::WrongPassphrase => self.err(TokenFileError::WrongPassphraseInEnv),
            other => self.err(other),
        })?;
        *kept = Some(key.clone());
        Ok(key)
    }

    /// Open the file with `passphrase` and keep its key in memory for this process.
    pub fn unlock(&self, passphrase: &Sensitive<String>) -> Result<()> {
        let file = self.read()?.ok_or_else(|| {
            AppError::NotFound(format!(
                "no token file at {} (tokens are in the OS keychain; `bosun tokens use-file` makes one)",
                self.inner.path.display()
            ))
        })?;
        let key = file.unlock(passphrase).map_err(|e| self.err(e))?;
        *self.kept() = Some(key);
        Ok(())
    }

    /// Whether the file store is in use and cannot be read now (tries `BOSUN_TOKENS_PASSPHRASE`).
    pub fn is_locked(&self) -> bool {
        match self.read() {
            Ok(Some(file)) => self.key_for(&file).is_err(),
            _ => false,
        }
    }

    /// Change the file under the cross-process lock: read, `change`, write atomically.
    fn edit<T>(&self, change: impl FnOnce(&mut TokenFile) -> Result<T>) -> Result<T> {
        let _lock = self.lock()?;
        let mut file = self.read()?.ok_or_else(|| {
            self.err(TokenFileError::Malformed(
                "it was removed while in use".into(),
            ))
        })?;
        let out = change(&mut file)?;
        self.write(&file)?;
        Ok(out)
    }

    fn lock(&self) -> Result<std::fs::File> {
        let path = self.inner.path.with_extension("enc.lock");
        private_dir(path.parent().unwrap_or(Path::new("."))).map_err(|e| io_error(&path, e))?;
        let f = private_open(&path, false).map_err(|e| io_error(&path, e))?;
        f.lock().map_err(|e| io_error(&path, e))?;
        Ok(f)
    }

    fn write(&self, file: &TokenFile) -> Result<()> {
        let path = &self.inner.path;
        let bytes = file.to_bytes().map_err(|e| self.err(e))?;
        write_atomically(path, &bytes).map_err(|e| io_error(path, e))
    }

    /// Keep `token` for `source` in the store in use.
    pub fn set(&self, source: &str, token: &Sensitive<String>) -> Result<()> {
        if self.kind() == StoreKind::Keychain {
            return keychain::set(source, token);
        }
        self.edit(|file| {
            let key = self.key_for(file)?;
            file.set(&key, source, token).map_err(|e| self.err(e))
        })
    }

    /// The token kept for `source` in the store in use.
    pub fn get(&self, source: &str) -> Result<Option<Sensitive<String>>> {
        let Some(file) = self.read()? else {
            return keychain::get(source);
        };
        if !file.contains(source) {
            return Ok(None);
        }
        let key = self.key_for(&file)?;
        file.get(&key, source).map_err(|e| self.err(e))
    }

    /// Forget the token of `source` (absent is fine; the file store needs no passphrase).
    pub fn delete(&self, source: &str) -> Result<()> {
        if self.kind() == StoreKind::Keychain {
            return keychain::delete(source);
        }
        self.edit(|file| {
            file.remove(source);
            Ok(())
        })
    }

    /// Whether the store in use holds a token for `source` (the file store answers without its
    /// passphrase: entry names are not secret).
    pub fn holds(&self, source: &str) -> Result<bool> {
        match self.read()? {
            Some(file) => Ok(file.contains(source)),
            None => Ok(keychain::get(source)?.is_some()),
        }
    }

    pub fn status(&self) -> TokenStoreStatus {
        let keychain = keychain::probe();
        let (store, locked, file_problem) = match self.read() {
            Ok(None) => (StoreKind::Keychain, false, None),
            Ok(Some(file)) => match self.key_for(&file) {
                Ok(_) => (StoreKind::File, false, None),
                Err(AppError::TokenFile {
                    error: TokenFileError::Locked,
                    ..
                }) => (StoreKind::File, true, None),
                Err(e) => (StoreKind::File, true, Some(e.to_string())),
            },
            Err(e) => (StoreKind::File, true, Some(e.to_string())),
        };
        TokenStoreStatus {
            store,
            file: self.inner.path.display().to_string(),
            locked,
            passphrase_from_env: passphrase_from_env().is_some(),
            file_problem,
            keychain_ok: keychain.is_ok(),
            keychain_problem: keychain.err(),
        }
    }

    /// The sources with a token in the file (empty when the keychain is the store).
    pub fn file_sources(&self) -> Result<Vec<String>> {
        Ok(self.read()?.map(|f| f.sources()).unwrap_or_default())
    }

    /// Make the encrypted file the store, for `passphrase`, and move into it the tokens of
    /// `sources` that the keychain gives (each removed from the keychain once the file is
    /// written). The file is unlocked afterwards.
    pub fn use_file(&self, passphrase: &Sensitive<String>, sources: &[String]) -> Result<Moved> {
        self.use_file_with(
            passphrase,
            sources,
            Kdf::new(token_file::MEMORY_KIB, token_file::ITERATIONS).map_err(|e| self.err(e))?,
        )
    }

    fn use_file_with(
        &self,
        passphrase: &Sensitive<String>,
        sources: &[String],
        kdf: Kdf,
    ) -> Result<Moved> {
        let _lock = self.lock()?;
        if self.read()?.is_some() {
            return Err(AppError::InvalidInput(format!(
                "tokens are already kept in the encrypted file {} (unlock it instead)",
                self.inner.path.display()
            )));
        }
        let (mut file, key) = TokenFile::create(passphrase, kdf).map_err(|e| self.err(e))?;
        let mut moved = Moved::default();
        for source in sources {
            match keychain::get(source) {
                Ok(Some(token)) => {
                    file.set(&key, source, &token).map_err(|e| self.err(e))?;
                    moved.moved.push(source.clone());
                }
                Ok(None) => {}
                // No keychain: nothing more to read from it.
                Err(e) => {
                    moved.not_read = Some(e.to_string());
                    break;
                }
            }
        }
        self.write(&file)?;
        *self.kept() = Some(key);
        for source in &moved.moved {
            if let Err(e) = keychain::delete(source) {
                tracing::warn!(
                    "{source}'s token is in the token file now; its keychain copy stays: {e}"
                );
            }
        }
        Ok(moved)
    }

    /// Make the OS keychain the store again: every token of the file goes to the keychain,
    /// then the file is removed. Nothing is removed if a token cannot be kept there.
    pub fn use_keychain(&self) -> Result<Moved> {
        let _lock = self.lock()?;
        let Some(file) = self.read()? else {
            return Err(AppError::InvalidInput(
                "tokens are already kept in the OS keychain".into(),
            ));
        };
        keychain::answers()?;
        let key = self.key_for(&file)?;
        let mut moved = Moved::default();
        for source in file.sources() {
            if let Some(token) = file.get(&key, &source).map_err(|e| self.err(e))? {
                keychain::set(&source, &token)?;
                moved.moved.push(source);
            }
        }
        std::fs::remove_file(&self.inner.path).map_err(|e| io_error(&self.inner.path, e))?;
        *self.kept() = None;
        Ok(moved)
    }
}

fn io_error(path: &Path, source: std::io::Error) -> AppError {
    AppError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Create `dir` (and parents) readable by the user only; an existing folder is left as is.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// Open (creating, mode 0600) `path` for writing; `truncate` empties it.
fn private_open(path: &Path, truncate: bool) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let f = o.open(path)?;
    // A file left over from before (another mode) is made private too.
    #[cfg(unix)]
    f.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(f)
}

/// Replace `path` with `bytes` all at once: a private temporary file beside it, synced, renamed
/// over it, and the folder synced.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir)?;
    let tmp = path.with_extension(format!("enc.tmp-{}", std::process::id()));
    let mut f = private_open(&tmp, true)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(s: &str) -> Sensitive<String> {
        Sensitive::new(s.to_string())
    }

    /// A file store made with cheap parameters (no keychain involved: no sources to move).
    fn file_store(dir: &Path) -> TokenStore {
        let store = TokenStore::new(&Paths::in_dir(dir));
        store
            .use_file_with(&pass("correct horse"), &[], Kdf::new(256, 1).unwrap())
            .unwrap();
        store
    }

    #[test]
    fn a_second_process_must_unlock_and_then_reads_the_same_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let first = file_store(dir.path());
        first.set("gh", &pass("ghp_one")).unwrap();
        // Another process: the same data dir, no key in memory.
        let second = TokenStore::new(&Paths::in_dir(dir.path()));
        assert_eq!(second.kind(), StoreKind::File);
        match second.get("gh") {
            Err(AppError::TokenFile {
                error: TokenFileError::Locked,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
        let e = second.get("gh").unwrap_err();
        assert_eq!(bosun_core::HasCode::code(&e), bosun_core::Code::Keychain);
        assert!(e.to_string().contains("unlock the token file"), "{e}");
        // Without a token in the file, there is nothing to unlock for.
        assert!(second.get("jira").unwrap().is_none());
        assert!(second.holds("gh").unwrap());
        second.unlock(&pass("correct horse")).unwrap();
        assert_eq!(second.get("gh").unwrap().unwrap().expose(), "ghp_one");
        // A clone shares the unlocked key (the API replaces its App, keeping the store).
        let clone = second.clone();
        clone.set("jira", &pass("jira-two")).unwrap();
        assert_eq!(
            first.get("jira").unwrap().unwrap().expose(),
            "jira-two",
            "both processes see each other's writes"
        );
        second.delete("gh").unwrap();
        assert_eq!(first.file_sources().unwrap(), ["jira"]);
    }

    #[test]
    fn a_wrong_passphrase_leaves_the_store_locked() {
        let dir = tempfile::tempdir().unwrap();
        file_store(dir.path()).set("gh", &pass("ghp_one")).unwrap();
        let other = TokenStore::new(&Paths::in_dir(dir.path()));
        match other.unlock(&pass("correct horsE")) {
            Err(AppError::TokenFile {
                error: TokenFileError::WrongPassphrase,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
        assert!(other.is_locked());
        assert!(other.status().locked);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_and_replaced_whole() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = file_store(dir.path());
        let path = dir.path().join(FILE_NAME);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        // Loosened by hand: the next write puts it back.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        store.set("gh", &pass("ghp_one")).unwrap();
        assert_eq!(mode(&path), 0o600);
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("tmp"))
            .collect();
        assert!(left.is_empty(), "no temporary file left: {left:?}");
    }

    #[test]
    fn a_flipped_byte_is_a_typed_error_never_a_wrong_token() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_store(dir.path());
        store.set("gh", &pass("ghp_one")).unwrap();
        let path = dir.path().join(FILE_NAME);
        let original = std::fs::read_to_string(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&original).unwrap();
        let sealed = v["tokens"]["gh"]["sealed"].as_str().unwrap().to_string();
        // Flip one bit of the first ciphertext byte (hex digit 0 ↔ 1, a ↔ b, …).
        let first = u8::from_str_radix(&sealed[..2], 16).unwrap() ^ 1;
        let flipped = format!("{first:02x}{}", &sealed[2..]);
        std::fs::write(&path, original.replace(&sealed, &flipped)).unwrap();
        match store.get("gh") {
            Err(AppError::TokenFile {
                error: TokenFileError::Tampered { entry },
                ..
            }) => assert_eq!(entry, "gh"),
            other => panic!("{other:?}"),
        }
        // A flipped byte in the check reads as a wrong passphrase, for a fresh process too.
        let check = v["check"]["sealed"].as_str().unwrap().to_string();
        let first = u8::from_str_radix(&check[..2], 16).unwrap() ^ 0x80;
        std::fs::write(
            &path,
            original.replace(&check, &format!("{first:02x}{}", &check[2..])),
        )
        .unwrap();
        match TokenStore::new(&Paths::in_dir(dir.path())).unlock(&pass("correct horse")) {
            Err(AppError::TokenFile {
                error: TokenFileError::WrongPassphrase,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
        // Garbage is malformed, not a panic.
        std::fs::write(&path, "{not json").unwrap();
        assert!(matches!(
            store.get("gh"),
            Err(AppError::TokenFile {
                error: TokenFileError::Malformed(_),
                ..
            })
        ));
    }

    #[test]
    fn a_second_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_store(dir.path());
        store.set("gh", &pass("ghp_one")).unwrap();
        let e = store
            .use_file_with(&pass("another one"), &[], Kdf::new(256, 1).unwrap())
            .unwrap_err();
        assert!(matches!(e, AppError::InvalidInput(_)), "{e:?}");
        assert_eq!(store.get("gh").unwrap().unwrap().expose(), "ghp_one");
    }
}
