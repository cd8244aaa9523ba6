use bosun_core::{Code, HasCode};
use bosun_store::StoreError;

pub type Result<T, E = ConnectorError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error("{url}: HTTP {status}: {message}")]
    Http {
        url: String,
        status: u16,
        message: String,
    },
    #[error("{url}: the provider refused the credentials (HTTP {status}); check the token")]
    Auth { url: String, status: u16 },
    #[error("{url}: not found")]
    NotFound { url: String },
    #[error(
        "{url}: rate limited until {until} (unix time), longer than the allowed wait of {max_wait_secs}s"
    )]
    RateLimited {
        url: String,
        until: u64,
        max_wait_secs: u64,
    },
    #[error("{url}: gave up after {attempts} attempts: {last}")]
    Unavailable {
        url: String,
        attempts: u32,
        last: String,
    },
    #[error("{url}: malformed response: {detail}")]
    Malformed { url: String, detail: String },
    /// A URL (a next-page link, a redirect, a configured endpoint) outside the source's origin:
    /// nothing is sent there, and so no credentials.
    #[error(
        "{url}: not on the source's origin {origin}; nothing is sent there (no credentials leave it)"
    )]
    ForeignOrigin { url: String, origin: String },
    #[error("invalid source configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("sync cancelled")]
    Cancelled,
    /// A bug, not the user's doing: a background task panicked or was aborted.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ConnectorError {
    /// A background task that did not finish (it panicked or was cancelled): an internal error
    /// naming the task, never a configuration error.
    pub fn task_failed(task: &str, e: tokio::task::JoinError) -> Self {
        let how = if e.is_panic() {
            "panicked"
        } else {
            "was cancelled"
        };
        ConnectorError::Internal(format!("{task} task {how}: {e}"))
    }
}

impl HasCode for ConnectorError {
    fn code(&self) -> Code {
        match self {
            ConnectorError::Http { .. } | ConnectorError::Unavailable { .. } => {
                Code::ProviderUnavailable
            }
            ConnectorError::Auth { .. } => Code::Auth,
            ConnectorError::NotFound { .. } => Code::NotFound,
            ConnectorError::RateLimited { .. } => Code::RateLimited,
            ConnectorError::Malformed { .. } | ConnectorError::ForeignOrigin { .. } => {
                Code::MalformedPayload
            }
            ConnectorError::Config(_) => Code::Config,
            ConnectorError::Store(e) => e.code(),
            ConnectorError::Cancelled => Code::Cancelled,
            ConnectorError::Internal(_) => Code::Internal,
        }
    }
}
