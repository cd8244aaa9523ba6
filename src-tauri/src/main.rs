//! `bosun-desktop`: the Tauri 2 shell. Window, tray, notifications and one command that
//! delegates to the shared API (`bosun_api::endpoints::call`); everything else is the app
//! service's. Without a display it falls back to browser mode (`bosun serve`).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod tray;

use bosun_api::{Api, ApiError, StartOptions};
use bosun_app::Paths;
use bosun_app::demo::DemoOptions;
use bosun_core::{Clock, FixedClock, SystemClock};
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tauri::{Emitter, Manager, WebviewUrl, WebviewWindowBuilder, WindowEvent};

#[derive(Debug, Parser)]
#[command(name = "bosun-desktop", version, about = "Bosun, the desktop app.")]
struct Args {
    /// Open the demo organisation: fake providers on 127.0.0.1, synced through the real
    /// connectors into --data-dir (default: a throwaway directory).
    #[arg(long)]
    demo: bool,
    /// Where Bosun keeps its database [default: the user's data dir; env BOSUN_DATA_DIR].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The injected "now" (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME")]
    as_of: Option<String>,
    /// Demo size (1 = the demo).
    #[arg(long, default_value_t = 1)]
    scale: u32,
    /// Browser mode even with a display.
    #[arg(long)]
    browser: bool,
}

struct Desktop {
    api: Arc<Api>,
}

/// The one command: every endpoint, by name, with typed `{code, message}` errors.
#[tauri::command]
async fn api(
    state: tauri::State<'_, Desktop>,
    name: String,
    args: serde_json::Value,
) -> Result<serde_json::Value, ApiError> {
    bosun_api::endpoints::call(&state.api, &name, args).await
}

fn has_display() -> bool {
    if cfg!(target_os = "linux") {
        std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
            || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
    } else {
        true
    }
}

#[allow(clippy::print_stderr)]
fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BOSUN_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    let clock: Arc<dyn Clock> = match &args.as_of {
        Some(s) => Arc::new(FixedClock(
            bosun_core::time::parse_user_time(s)
                .ok_or_else(|| anyhow::anyhow!("--as-of {s:?}: expected RFC 3339 or YYYY-MM-DD"))?,
        )),
        None => Arc::new(SystemClock),
    };
    let data_dir = match (&args.data_dir, args.demo) {
        (None, true) => {
            let dir = bosun_app::paths::demo_temp_dir()?;
            Some(dir)
        }
        (d, _) => d.clone(),
    };
    let throwaway = (args.data_dir.is_none() && args.demo)
        .then(|| data_dir.clone())
        .flatten();
    let paths = Paths::resolve(data_dir, args.config.clone());
    let browser = args.browser || !has_display();
    let opts = StartOptions {
        demo: args.demo.then_some(DemoOptions {
            scale: args.scale,
            ..Default::default()
        }),
        index: if args.demo {
            bosun_api::demo_docs().into_iter().collect()
        } else {
            Vec::new()
        },
        door: if browser { "browser" } else { "desktop" }.into(),
    };
    let api = Api::new(paths, clock, &opts)?;
    let result = if browser {
        browser_mode(api, opts, args.browser)
    } else {
        desktop(api, opts)
    };
    if let Some(dir) = throwaway {
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

/// No display: serve the same UI and API on 127.0.0.1 and print the URL.
#[allow(clippy::print_stdout, clippy::print_stderr)]
fn browser_mode(api: Arc<Api>, opts: StartOptions, asked: bool) -> anyhow::Result<()> {
    if !asked {
        eprintln!(
            "bosun-desktop: no display (neither DISPLAY nor WAYLAND_DISPLAY is set): falling back to browser mode."
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let running = bosun_server::serve(
            api.clone(),
            bosun_server::ServeOptions {
                port: 0,
                ui_dir: bosun_server::default_ui_dir(),
            },
        )
        .await?;
        println!("{}", running.url);
        eprintln!("Open the URL above in a browser. Ctrl-C stops Bosun.");
        let starting = api.clone();
        tokio::spawn(async move { starting.start(opts).await });
        tokio::signal::ctrl_c().await.ok();
        running.shutdown().await;
        api.shutdown().await;
        anyhow::Ok(())
    })
}

fn show_main(app: &tauri::AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// Show the window on a page (the tray's "Today's brief").
pub fn navigate(app: &tauri::AppHandle, page: &str) {
    show_main(app);
    let _ = app.emit("bosun:navigate", page);
}

fn desktop(shared: Arc<Api>, opts: StartOptions) -> anyhow::Result<()> {
    // (Not named `api`: that is the command `generate_handler!` refers to.)
    let for_setup = shared.clone();
    let for_exit = shared.clone();
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            show_main(app)
        }))
        .plugin(tauri_plugin_notification::init())
        .manage(Desktop { api: shared })
        .invoke_handler(tauri::generate_handler![api])
        .setup(move |app| {
            let handle = app.handle().clone();
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .title("Bosun")
                .inner_size(1320.0, 860.0)
                .min_inner_size(900.0, 600.0)
                .build()?;
            let tray = tray::Tray::build(&handle, for_setup.clone())?;
            let events = handle.clone();
            for_setup.bus.subscribe(move |e| {
                let _ = events.emit("bosun:event", e);
                tray.on_event(&events, &e.event);
            });
            let api = for_setup.clone();
            // Start-up ends with the signals evaluated (by the demo's sync or on the data at
            // hand) and announced as `signals://changed`, which sets the tray's state.
            tauri::async_runtime::spawn(async move { api.start(opts).await });
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps Bosun in the tray; Quit is in the tray menu.
            if let WindowEvent::CloseRequested { api, .. } = event {
                let _ = window.hide();
                api.prevent_close();
            }
        })
        .build(tauri::generate_context!())?
        .run(move |_app, event| {
            if let tauri::RunEvent::Exit = event {
                let api = for_exit.clone();
                tauri::async_runtime::block_on(async move { api.shutdown().await });
            }
        });
    Ok(())
}
