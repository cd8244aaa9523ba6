//! Errors on the wire: `{code, message}`, with a small code enum the UI switches on.

use bosun_core::{Code, HasCode};
use serde::Serialize;
use ts_rs::TS;

/// The codes the UI can switch on: the app service's [`Code`]s plus the API's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidInput,
    Config,
    NotFound,
    Store,
    ProviderUnavailable,
    Auth,
    RateLimited,
    MalformedPayload,
    Keychain,
    Io,
    Cancelled,
    PolicyDenied,
    Internal,
    /// The app is still starting (e.g. the demo organisation is being synced).
    NotReady,
    /// `bosun serve`: a request without the launch token, or from a foreign Host or Origin.
    Unauthorized,
}

impl From<Code> for ErrorCode {
    fn from(c: Code) -> Self {
        match c {
            Code::InvalidInput => ErrorCode::InvalidInput,
            Code::Config => ErrorCode::Config,
            Code::NotFound => ErrorCode::NotFound,
            Code::Store => ErrorCode::Store,
            Code::ProviderUnavailable => ErrorCode::ProviderUnavailable,
            Code::Auth => ErrorCode::Auth,
            Code::RateLimited => ErrorCode::RateLimited,
            Code::MalformedPayload => ErrorCode::MalformedPayload,
            Code::Keychain => ErrorCode::Keychain,
            Code::Io => ErrorCode::Io,
            Code::Cancelled => ErrorCode::Cancelled,
            Code::PolicyDenied => ErrorCode::PolicyDenied,
            Code::Internal => ErrorCode::Internal,
        }
    }
}

/// What every endpoint fails with, on every door (Tauri IPC, HTTP).
#[derive(Debug, Clone, PartialEq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::InvalidInput, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::NotFound, message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Internal, message)
    }
}

impl From<bosun_app::AppError> for ApiError {
    fn from(e: bosun_app::AppError) -> Self {
        ApiError::new(e.code().into(), e.to_string())
    }
}

impl From<bosun_store::StoreError> for ApiError {
    fn from(e: bosun_store::StoreError) -> Self {
        ApiError::new(e.code().into(), e.to_string())
    }
}

pub type Result<T, E = ApiError> = std::result::Result<T, E>;
