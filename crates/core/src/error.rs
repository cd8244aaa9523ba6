//! Error codes shared by every front door (CLI, HTTP, Tauri). Libraries define their own
//! `thiserror` enums and map each variant to one of these codes; the UI switches on the code.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A small, stable set of error codes. Add variants; never rename one (the UI matches on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// The caller asked for something malformed (bad flag, bad id).
    InvalidInput,
    /// The configuration file or a setting is invalid.
    Config,
    /// Something asked for does not exist.
    NotFound,
    /// The local database failed or is corrupt.
    Store,
    /// A provider could not be reached or kept failing (network, 5xx, timeouts).
    ProviderUnavailable,
    /// A provider refused our credentials.
    Auth,
    /// A provider's rate limit was hit and waiting would exceed the allowed time.
    RateLimited,
    /// A provider answered with a payload we could not understand.
    MalformedPayload,
    /// The OS keychain is unavailable or locked.
    Keychain,
    /// A local file could not be read or written.
    Io,
    /// The operation was cancelled.
    Cancelled,
    /// A policy forbids the operation.
    PolicyDenied,
    /// A bug: it should never happen.
    Internal,
}

impl Code {
    /// The code as the front doors report it (`not_found`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::InvalidInput => "invalid_input",
            Code::Config => "config",
            Code::NotFound => "not_found",
            Code::Store => "store",
            Code::ProviderUnavailable => "provider_unavailable",
            Code::Auth => "auth",
            Code::RateLimited => "rate_limited",
            Code::MalformedPayload => "malformed_payload",
            Code::Keychain => "keychain",
            Code::Io => "io",
            Code::Cancelled => "cancelled",
            Code::PolicyDenied => "policy_denied",
            Code::Internal => "internal",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Implemented by every library error so that front doors can report `{code, message}`.
pub trait HasCode {
    /// What kind of failure this is.
    fn code(&self) -> Code;
}
