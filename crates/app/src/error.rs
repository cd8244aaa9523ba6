use bosun_core::{Code, HasCode};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("configuration {path}: {message}")]
    Config { path: String, message: String },
    #[error("keychain: {0}")]
    Keychain(String),
    /// The encrypted token file: locked, a wrong passphrase, altered or unreadable.
    #[error("token file {path}: {error}")]
    TokenFile { path: String, error: TokenFileError },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] bosun_store::StoreError),
    #[error(transparent)]
    Connector(#[from] bosun_connectors::ConnectorError),
    #[error("demo: {0}")]
    Demo(String),
    /// A bug: something that cannot fail did (a value that would not serialise).
    #[error("internal error: {0}")]
    Internal(String),
    /// A bug: a value that would not serialise as JSON.
    #[error("internal error: could not write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Knowledge(#[from] bosun_knowledge::KnowledgeError),
    /// A policy file could not be read, compiled or evaluated: its own code (`io` or `config`).
    #[error("configuration policy: {0}")]
    Policy(#[from] bosun_policy::PolicyError),
    /// The policy refused to send an approved action.
    #[error("action {action} was not sent: {explain}")]
    PolicyDenied { action: i64, explain: String },
    /// The audit ledger does not verify: `problems` problems, the first at entry `first_seq`.
    #[error(
        "the audit ledger was tampered with: {problems} problem(s), first at entry {first_seq}: {first}"
    )]
    AuditTampered {
        problems: usize,
        first_seq: i64,
        first: String,
    },
    /// Delivering an approved action failed.
    #[error("action {action} failed: {error}")]
    SendFailed { action: i64, error: String },
}

/// The shortest passphrase accepted for a new file.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// What goes wrong with the encrypted token file (`secrets::token_file`).
#[derive(Debug, thiserror::Error)]
pub enum TokenFileError {
    #[error(
        "wrong passphrase (or the file's header was altered): nothing in it was read or changed"
    )]
    WrongPassphrase,
    #[error(
        "the entry of source {entry} does not open: it was altered, or moved from another entry (add that source's token again)"
    )]
    Tampered { entry: String },
    #[error("BOSUN_TOKENS_PASSPHRASE is not its passphrase (or the file's header was altered)")]
    WrongPassphraseInEnv,
    #[error("not a token file Bosun can read: {0}")]
    Malformed(String),
    #[error(
        "locked: unlock the token file (the app asks for its passphrase, `bosun` asks in a terminal, or set BOSUN_TOKENS_PASSPHRASE)"
    )]
    Locked,
    #[error("a passphrase needs at least {MIN_PASSPHRASE_CHARS} characters")]
    WeakPassphrase,
    #[error("{0}")]
    Crypto(String),
}

impl HasCode for AppError {
    fn code(&self) -> Code {
        match self {
            AppError::InvalidInput(_) => Code::InvalidInput,
            AppError::NotFound(_) => Code::NotFound,
            AppError::Config { .. } => Code::Config,
            AppError::Keychain(_) => Code::Keychain,
            AppError::TokenFile { error, .. } => {
                use TokenFileError as E;
                match error {
                    E::WrongPassphrase | E::WeakPassphrase => Code::InvalidInput,
                    E::WrongPassphraseInEnv => Code::Config,
                    E::Locked | E::Tampered { .. } | E::Malformed(_) | E::Crypto(_) => {
                        Code::Keychain
                    }
                }
            }
            AppError::Io { .. } => Code::Io,
            AppError::Store(e) => e.code(),
            AppError::Connector(e) => e.code(),
            AppError::Demo(_) | AppError::Internal(_) | AppError::Json(_) => Code::Internal,
            AppError::Knowledge(e) => e.code(),
            AppError::Policy(e) => e.code(),
            AppError::PolicyDenied { .. } => Code::PolicyDenied,
            AppError::AuditTampered { .. } => Code::Store,
            AppError::SendFailed { .. } => Code::ProviderUnavailable,
        }
    }
}
