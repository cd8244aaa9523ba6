//! Where the sources' tokens are kept: the OS keychain, or the encrypted token file (for a
//! machine where no keychain works), which each process unlocks once with its passphrase.

use super::common::NoArgs;
use crate::error::{ApiError, Result};
use crate::state::Api;
use bosun_app::secrets::StoreKind;
use bosun_core::Sensitive;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The token store: which one is in use, whether the encrypted file is locked, and the keychain.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TokenStoreView {
    /// `keychain` by default; `file` once the encrypted token file was chosen.
    pub store: StoreKind,
    /// The encrypted file's path (whether or not it exists).
    pub file: String,
    /// The file is in use and not unlocked in this process: tokens cannot be read or added.
    pub locked: bool,
    /// BOSUN_TOKENS_PASSPHRASE is set (it unlocks the file at each start).
    pub passphrase_from_env: bool,
    /// Why the file cannot be opened (a wrong BOSUN_TOKENS_PASSPHRASE, a damaged file).
    pub file_problem: Option<String>,
    /// The OS keychain answers; when it does not, `keychain_problem` says why.
    pub keychain_ok: bool,
    pub keychain_problem: Option<String>,
    /// The sources with a token in the store in use.
    pub sources: Vec<String>,
}

/// The encrypted token file was made.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TokenFileMade {
    pub store: TokenStoreView,
    /// The sources whose token moved there from the keychain.
    pub moved: Vec<String>,
    /// Why the keychain could not be read, when it could not.
    pub not_read: Option<String>,
}

/// A passphrase for the token file (never logged: its `Debug` is redacted).
#[derive(Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct PassphraseArgs {
    pub passphrase: String,
}

impl std::fmt::Debug for PassphraseArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PassphraseArgs { passphrase: <redacted> }")
    }
}

fn view(api: &Api) -> Result<TokenStoreView> {
    let v = api.app().token_store()?;
    let s = v.status;
    Ok(TokenStoreView {
        store: s.store,
        file: s.file,
        locked: s.locked,
        passphrase_from_env: s.passphrase_from_env,
        file_problem: s.file_problem,
        keychain_ok: s.keychain_ok,
        keychain_problem: s.keychain_problem,
        sources: v.sources,
    })
}

pub fn token_store(api: &Api, _: NoArgs) -> Result<TokenStoreView> {
    view(api)
}

pub fn use_token_file(api: &Api, args: PassphraseArgs) -> Result<TokenFileMade> {
    if api.is_demo() {
        return Err(ApiError::invalid(
            "this is the demo: its sources need no tokens",
        ));
    }
    let moved = api.app().use_token_file(&Sensitive::new(args.passphrase))?;
    Ok(TokenFileMade {
        store: view(api)?,
        moved: moved.moved,
        not_read: moved.not_read,
    })
}

pub fn unlock_token_file(api: &Api, args: PassphraseArgs) -> Result<TokenStoreView> {
    api.app().unlock_tokens(&Sensitive::new(args.passphrase))?;
    view(api)
}
