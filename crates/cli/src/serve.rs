//! `bosun serve [--demo] [--port P]`: the UI in a browser, on 127.0.0.1, the same backend as
//! the desktop app. The first line on stdout is the URL to open (it carries the launch token).

use anyhow::Context;
use bosun_api::{Api, Phase, StartOptions};
use bosun_app::Paths;
use bosun_app::demo::DemoOptions;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Serve the demo organisation: fake providers on 127.0.0.1, synced through the real
    /// connectors into --data-dir (default: a throwaway directory).
    #[arg(long)]
    pub demo: bool,
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Demo size (1 = the demo; 10 for benchmarks).
    #[arg(long, default_value_t = 1, requires = "demo")]
    pub scale: u32,
    /// The built UI [default: $BOSUN_UI_DIR, else an installed PREFIX/share/bosun/ui, else the
    /// checkout's ui/dist].
    #[arg(long, value_name = "DIR")]
    pub ui: Option<PathBuf>,
    /// Folder to index for Ask before serving (repeatable; in demo mode the demo handbook).
    #[arg(long = "index", value_name = "DIR")]
    pub index: Vec<PathBuf>,
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
pub fn run(
    data_dir: Option<PathBuf>,
    config: Option<PathBuf>,
    clock: std::sync::Arc<dyn bosun_core::Clock>,
    args: ServeArgs,
) -> anyhow::Result<ExitCode> {
    let (data_dir, throwaway) = match (data_dir, args.demo) {
        (None, true) => {
            let dir = bosun_app::paths::demo_temp_dir()
                .context("creating a private folder for the demo in the temp dir")?;
            (Some(dir.clone()), Some(dir))
        }
        (d, _) => (d, None),
    };
    let paths = Paths::resolve(data_dir, config);
    let mut index = args.index.clone();
    if args.demo && index.is_empty() {
        index.extend(bosun_api::demo_docs());
    }
    let opts = StartOptions {
        demo: args.demo.then_some(DemoOptions {
            scale: args.scale,
            ..Default::default()
        }),
        index,
        door: "browser".into(),
    };
    let api = Api::new(paths, clock, &opts)?;
    let rt = crate::runtime()?;
    let result = rt.block_on(async {
        let running = bosun_server::serve(
            api.clone(),
            bosun_server::ServeOptions {
                port: args.port,
                ui_dir: args.ui.clone().unwrap_or_else(bosun_server::default_ui_dir),
            },
        )
        .await?;
        println!("{}", running.url);
        std::io::stdout().flush().ok();
        eprintln!("Bosun is serving on 127.0.0.1 only; open the URL above. Ctrl-C stops it.");
        let starting = api.clone();
        api.bus.subscribe(|e| {
            if let bosun_api::AppEvent::Phase { phase } = &e.event {
                match phase {
                    Phase::Starting { step } => eprintln!("  … {step}"),
                    Phase::Ready => eprintln!("  ready"),
                    Phase::Failed { error } => {
                        eprintln!(
                            "error[{}]: {}",
                            serde_json::to_value(error.code)
                                .unwrap_or_default()
                                .as_str()
                                .unwrap_or("internal"),
                            error.message
                        )
                    }
                }
            }
        });
        tokio::spawn(async move { starting.start(opts).await });
        tokio::signal::ctrl_c().await.ok();
        eprintln!("stopping");
        running.shutdown().await;
        api.shutdown().await;
        anyhow::Ok(())
    });
    if let Some(dir) = throwaway {
        let _ = std::fs::remove_dir_all(dir);
    }
    result?;
    Ok(ExitCode::SUCCESS)
}
