//! The token store as the front doors offer it: `bosun tokens status|use-file|use-keychain` and
//! the API's `token_store`, `use_token_file` and `unlock_token_file`. The stores themselves are
//! in `secrets` (docs/tokens.md).

use crate::secrets::{Moved, TokenStoreStatus};
use crate::{App, Result};
use bosun_core::Sensitive;
use bosun_core::model::Provider;
use bosun_store::sync_state;
use serde::Serialize;

/// The store in use and the sources with a token in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokensView {
    #[serde(flatten)]
    pub status: TokenStoreStatus,
    /// The sources with a token in the store in use: the file's entries, or the sources the
    /// keychain answered for.
    pub sources: Vec<String>,
}

impl App {
    /// The sources that need a token (not the demo's, not local git), by name.
    fn token_sources(&self) -> Result<Vec<String>> {
        if !self.paths.database().exists() {
            return Ok(Vec::new());
        }
        Ok(sync_state::sources(self.store()?.conn())?
            .into_iter()
            .filter(|s| !s.demo && s.kind != Provider::Git)
            .map(|s| s.name)
            .collect())
    }

    /// Which store is in use, whether the file is locked, and which sources have a token there.
    pub fn token_store(&self) -> Result<TokensView> {
        let status = self.tokens().status();
        let sources = match status.store {
            crate::secrets::StoreKind::File => self.tokens().file_sources()?,
            crate::secrets::StoreKind::Keychain if status.keychain_ok => self
                .token_sources()?
                .into_iter()
                .filter(|s| self.tokens().holds(s).unwrap_or(false))
                .collect(),
            crate::secrets::StoreKind::Keychain => Vec::new(),
        };
        Ok(TokensView { status, sources })
    }

    /// Keep tokens in the encrypted file from now on, moving there those the keychain gives.
    pub fn use_token_file(&self, passphrase: &Sensitive<String>) -> Result<Moved> {
        let sources = self.token_sources()?;
        let moved = self.tokens().use_file(passphrase, &sources)?;
        self.audit_token_move("tokens.use_file", &moved)?;
        Ok(moved)
    }

    /// Keep tokens in the OS keychain again, moving there every token of the file.
    pub fn use_keychain(&self) -> Result<Moved> {
        let moved = self.tokens().use_keychain()?;
        self.audit_token_move("tokens.use_keychain", &moved)?;
        Ok(moved)
    }

    /// Unlock the token file for this process (the key stays in memory only).
    pub fn unlock_tokens(&self, passphrase: &Sensitive<String>) -> Result<()> {
        self.tokens().unlock(passphrase)
    }

    /// A move between the stores goes to the audit ledger (names only), when there is a database.
    fn audit_token_move(&self, action: &str, moved: &Moved) -> Result<()> {
        if !self.paths.database().exists() {
            return Ok(());
        }
        let now = self.now();
        let who = self.actor();
        self.store()?.write(|tx| {
            bosun_store::audit::append(
                tx,
                &bosun_store::audit::NewEntry {
                    at: now,
                    actor: &who,
                    action,
                    subject: None,
                    result: "ok",
                    trace: serde_json::json!({"moved": moved.moved, "not_read": moved.not_read}),
                },
            )?;
            Ok(())
        })?;
        Ok(())
    }
}
