//! The tray: an icon that shows the state (ok / needs attention / syncing) and the menu (open,
//! today's brief, sync now, pause alerts, quit). Delivered alerts become native notifications
//! unless alerts are paused.

use bosun_api::{Api, AppEvent};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

const OK: &[u8] = include_bytes!("../../assets/tray-ok.png");
const ATTENTION: &[u8] = include_bytes!("../../assets/tray-attention.png");
const SYNCING: &[u8] = include_bytes!("../../assets/tray-syncing.png");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ok,
    Attention,
    Syncing,
}

impl State {
    fn icon(self) -> &'static [u8] {
        match self {
            State::Ok => OK,
            State::Attention => ATTENTION,
            State::Syncing => SYNCING,
        }
    }

    fn tooltip(self, high: u64) -> String {
        match self {
            State::Ok => "Bosun: all quiet".into(),
            State::Attention => format!("Bosun: {high} high-severity signals need you"),
            State::Syncing => "Bosun: syncing…".into(),
        }
    }
}

#[derive(Clone)]
pub struct Tray {
    icon: TrayIcon,
    api: Arc<Api>,
    high: Arc<AtomicU64>,
    state: Arc<Mutex<State>>,
}

impl Tray {
    pub fn build(app: &AppHandle, api: Arc<Api>) -> tauri::Result<Tray> {
        let open = MenuItem::with_id(app, "open", "Open Bosun", true, None::<&str>)?;
        let brief = MenuItem::with_id(app, "brief", "Today's brief", true, None::<&str>)?;
        let sync = MenuItem::with_id(app, "sync", "Sync now", true, None::<&str>)?;
        let hour = MenuItem::with_id(app, "pause-1h", "For 1 hour", true, None::<&str>)?;
        let tomorrow =
            MenuItem::with_id(app, "pause-tomorrow", "Until tomorrow", true, None::<&str>)?;
        let resume = MenuItem::with_id(app, "resume", "Resume alerts", true, None::<&str>)?;
        let pause = Submenu::with_items(app, "Pause alerts", true, &[&hour, &tomorrow, &resume])?;
        let quit = MenuItem::with_id(app, "quit", "Quit Bosun", true, None::<&str>)?;
        let sep = PredefinedMenuItem::separator(app)?;
        let sep2 = PredefinedMenuItem::separator(app)?;
        let menu = Menu::with_items(app, &[&open, &brief, &sep, &sync, &pause, &sep2, &quit])?;
        let menu_api = api.clone();
        let icon = TrayIconBuilder::with_id("bosun")
            .icon(Image::from_bytes(OK)?)
            .tooltip(State::Ok.tooltip(0))
            .menu(&menu)
            .on_menu_event(move |app, event| {
                let api = menu_api.clone();
                match event.id.as_ref() {
                    "open" => {
                        if let Some(w) = app.get_webview_window("main") {
                            let _ = w.show();
                            let _ = w.set_focus();
                        }
                    }
                    "brief" => crate::navigate(app, "today"),
                    "sync" => {
                        // `sync_now` spawns on the async runtime; menu events arrive on the main
                        // thread, outside it.
                        tauri::async_runtime::spawn(async move {
                            if let Err(e) = api.sync_now() {
                                tracing::warn!("sync now: {e}");
                            }
                        });
                    }
                    "pause-1h" => api.pause_alerts(Some(api.app().now() + 3600)),
                    "pause-tomorrow" => {
                        let now = api.app().now();
                        api.pause_alerts(Some((now.div_euclid(86_400) + 1) * 86_400 + 8 * 3600));
                    }
                    "resume" => api.pause_alerts(None),
                    "quit" => app.exit(0),
                    _ => {}
                }
            })
            .build(app)?;
        Ok(Tray {
            icon,
            api,
            high: Arc::new(AtomicU64::new(0)),
            state: Arc::new(Mutex::new(State::Ok)),
        })
    }

    fn set(&self, s: State) {
        let mut cur = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if *cur == s {
            return;
        }
        *cur = s;
        if let Ok(img) = Image::from_bytes(s.icon()) {
            let _ = self.icon.set_icon(Some(img));
        }
        let _ = self
            .icon
            .set_tooltip(Some(s.tooltip(self.high.load(Ordering::SeqCst))));
    }

    fn settled(&self) -> State {
        if self.high.load(Ordering::SeqCst) > 0 {
            State::Attention
        } else {
            State::Ok
        }
    }

    pub fn on_event(&self, app: &AppHandle, e: &AppEvent) {
        match e {
            AppEvent::SyncStarted { .. } => self.set(State::Syncing),
            AppEvent::SyncFinished { .. } => self.set(self.settled()),
            AppEvent::SignalsChanged { high, .. } => {
                self.high.store(*high, Ordering::SeqCst);
                if !self.api.is_syncing() {
                    self.set(self.settled());
                }
            }
            // Alerts arrive already under the daily budget, quiet hours and "escalate only if it
            // persists" (the signal engine decided); the tray's pause is the last word.
            AppEvent::Alert {
                title,
                body,
                reason,
                ..
            } if self.api.alerts_paused_until().is_none() => {
                let _ = app
                    .notification()
                    .builder()
                    .title(title)
                    .body(notification_body(body, reason))
                    .show();
            }
            _ => {}
        }
    }
}

/// A notification's text: the alert's first lines and why it fired.
fn notification_body(body: &str, reason: &str) -> String {
    let mut text: String = body.lines().take(3).collect::<Vec<_>>().join("\n");
    if text.chars().count() > 280 {
        text = text.chars().take(279).collect::<String>() + "…";
    }
    if reason.is_empty() {
        text
    } else {
        format!("{text}\nWhy: {reason}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_says_what_and_why_in_a_few_lines() {
        let body = "PR #12 waits for a first review\nline 2\nline 3\nline 4";
        assert_eq!(
            notification_body(body, "new high signal"),
            "PR #12 waits for a first review\nline 2\nline 3\nWhy: new high signal"
        );
        let long = "x".repeat(400);
        let text = notification_body(&long, "");
        assert_eq!(text.chars().count(), 280);
        assert!(text.ends_with('…'));
    }
}
