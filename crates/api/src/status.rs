//! The app's start-up phase and what the shell shows around every page (sources, sync state).

use crate::error::ApiError;
use serde::Serialize;
use ts_rs::TS;

/// `Starting` while the demo organisation (or the first load) is being prepared, then `Ready`;
/// `Failed` keeps the error so the UI can show it instead of empty pages.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Phase {
    Starting { step: String },
    Ready,
    Failed { error: ApiError },
}

/// What the shell around every page needs: the phase, the mode and the sync state.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AppInfo {
    pub phase: Phase,
    pub version: String,
    /// The fake providers serve the demo organisation (Tidewater Labs).
    pub demo: bool,
    /// Sources are configured; without any (and outside the demo) the app opens on the welcome
    /// page.
    pub configured: bool,
    /// "desktop" (Tauri IPC) or "browser" (`bosun serve`).
    pub door: String,
    pub data_dir: String,
    /// The injected "now" (RFC 3339).
    pub now: String,
    pub syncing: bool,
    /// Docs are being indexed for Ask (in the background; Ask answers from what is indexed).
    pub indexing: bool,
    pub last_sync_finished_at: Option<String>,
    pub last_sync_error: Option<String>,
    /// Tray and notification alerts are paused until this time.
    pub alerts_paused_until: Option<String>,
    /// The highest sequence number of the event stream so far.
    #[ts(type = "number")]
    pub event_seq: u64,
}
