//! Demo mode: generate the demo organisation's activity, serve it from fake providers on
//! 127.0.0.1, and sync it through the real connectors.

use crate::{App, AppError, Result};
use bosun_connectors::EventSink;
use bosun_connectors::engine::SourceOutcome;
use bosun_connectors::github::GithubSettings;
use bosun_demo::{GenOptions, Org, World, generate};
use bosun_fakes::{RunningFake, ServeOptions};
use bosun_store::sync_state::{self, NewSource};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;

pub const GITHUB_SOURCE: &str = "demo-github";
/// The token the fake providers accept.
pub const DEMO_TOKEN: &str = bosun_fakes::DEMO_TOKEN;

#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub scale: u32,
    pub seed: u64,
    pub months: u32,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            scale: 1,
            seed: 7,
            months: 6,
        }
    }
}

/// The fake providers serving one generated world.
pub struct Providers {
    pub world: Arc<World>,
    pub github: RunningFake,
}

impl Providers {
    pub async fn shutdown(self) {
        self.github.shutdown().await;
    }

    /// `(name, base URL)` of every running fake.
    pub fn urls(&self) -> Vec<(&'static str, String)> {
        vec![(self.github.name, self.github.base_url.clone())]
    }
}

pub fn world(opts: DemoOptions, as_of: DateTime<Utc>) -> Result<World> {
    if opts.scale == 0 || opts.scale > 1000 {
        return Err(AppError::InvalidInput(format!(
            "--scale must be between 1 and 1000, not {}",
            opts.scale
        )));
    }
    if opts.months == 0 || opts.months > 36 {
        return Err(AppError::InvalidInput(format!(
            "--months must be between 1 and 36, not {}",
            opts.months
        )));
    }
    let org = Org::bundled().map_err(|e| AppError::Demo(e.to_string()))?;
    Ok(generate(
        &org,
        &GenOptions {
            seed: opts.seed,
            scale: opts.scale,
            months: opts.months,
            as_of,
        },
    ))
}

/// Start the fake providers for `world` (port 0 = any free port).
pub async fn start(world: Arc<World>, port: u16) -> Result<Providers> {
    let github = bosun_fakes::start_github(
        world.clone(),
        &ServeOptions {
            port,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| AppError::Demo(e.to_string()))?;
    Ok(Providers { world, github })
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    pub as_of: String,
    pub seed: u64,
    pub scale: u32,
    pub months: u32,
    pub providers: Vec<(String, String)>,
    pub outcomes: Vec<SourceOutcome>,
}

/// Register the demo sources for `providers` (their ports change every run).
pub fn register(app: &App, providers: &Providers) -> Result<()> {
    let mut store = app.store()?;
    let settings = serde_json::to_value(GithubSettings {
        owner: providers.world.org.company.github_org.clone(),
        ..Default::default()
    })
    .map_err(|e| AppError::Demo(e.to_string()))?;
    let now = app.now();
    let url = providers.github.base_url.clone();
    store.write(|tx| {
        sync_state::put_source(
            tx,
            &NewSource {
                kind: "github",
                name: GITHUB_SOURCE,
                base_url: Some(&url),
                settings: settings.clone(),
                demo: true,
            },
            now,
        )
    })?;
    Ok(())
}

/// The whole demo: generate, serve, sync through the real connectors, stop the fakes.
pub async fn sync(app: &App, opts: DemoOptions, sink: Arc<dyn EventSink>) -> Result<DemoReport> {
    let as_of = app.clock().now();
    let world = Arc::new(
        tokio::task::spawn_blocking(move || world(opts, as_of))
            .await
            .map_err(|e| AppError::Demo(e.to_string()))??,
    );
    let providers = start(world, 0).await?;
    register(app, &providers)?;
    let outcomes = app.sync(Some(GITHUB_SOURCE), sink).await;
    let urls = providers
        .urls()
        .into_iter()
        .map(|(n, u)| (n.to_string(), u))
        .collect();
    providers.shutdown().await;
    Ok(DemoReport {
        as_of: as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        seed: opts.seed,
        scale: opts.scale,
        months: opts.months,
        providers: urls,
        outcomes: outcomes?,
    })
}
