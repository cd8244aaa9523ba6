//! Fake providers for demo mode and tests. Each fake is a real HTTP server on 127.0.0.1 (random
//! port by default) that serves the generated [`World`] in the provider's own API shapes, with the
//! provider's pagination, conditional requests and rate limiting, plus switchable faults (5xx
//! bursts, rate limits, slow, truncated and malformed responses). The production connectors talk
//! to these exactly as they talk to the real services.

#![warn(missing_docs)]

pub mod faults;
pub mod github;
pub mod gitlab;
mod http;
pub mod jira;
pub mod linear;
pub mod openai;
pub mod pagerduty;
pub mod slack;
pub mod slack_socket;
#[cfg(test)]
mod testkit;
pub mod writes;

pub use faults::{FaultConfig, Faults};

use bosun_demo::World;
use std::net::SocketAddr;
use std::sync::Arc;

/// A token the fakes accept (any other is refused with 401, like the real APIs).
pub const DEMO_TOKEN: &str = "bosun-demo-token";

/// Why a fake could not start.
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    /// The port is taken or not ours to use.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The journal of writes could not be read or created.
    #[error("fake provider journal {path}: {source}")]
    Journal {
        /// The journal file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A fake server running in the background until dropped or [`RunningFake::shutdown`] is called.
pub struct RunningFake {
    /// The provider it fakes (`github`, `jira`, ...).
    pub name: &'static str,
    /// Its base URL (`http://127.0.0.1:<port>`).
    pub base_url: String,
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Its fault switchboard.
    pub faults: Arc<Faults>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningFake {
    /// Stop the server and wait until it has stopped.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningFake {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Options shared by all fakes.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// 0 = any free port.
    pub port: u16,
    /// The token accepted (any other is refused with 401).
    pub token: String,
    /// Where writes (messages, comments, reviewer requests, transitions) are journaled, one
    /// `<provider>.jsonl` each, to survive a restart; `None` keeps them in memory.
    pub state_dir: Option<std::path::PathBuf>,
    /// GitHub: the token's OAuth scopes, as a classic personal access token's
    /// (`X-OAuth-Scopes`); without `read:org` the team endpoints refuse it
    /// ([`github::REAL_WORLD_SCOPES`]).
    pub github_scopes: String,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            port: 0,
            token: DEMO_TOKEN.to_string(),
            state_dir: None,
            github_scopes: github::DEMO_SCOPES.to_string(),
        }
    }
}

impl ServeOptions {
    fn journal(&self, name: &str) -> Result<Arc<writes::Journal>, FakeError> {
        let path = self
            .state_dir
            .as_ref()
            .map(|d| d.join(format!("{name}.jsonl")));
        writes::Journal::open(path.clone()).map_err(|source| FakeError::Journal {
            path: path.map(|p| p.display().to_string()).unwrap_or_default(),
            source,
        })
    }

    fn guard(&self, faults: &Arc<Faults>, style: http::Style) -> http::Guard {
        http::Guard {
            faults: faults.clone(),
            token: self.token.clone(),
            style,
        }
    }
}

pub(crate) async fn spawn(
    name: &'static str,
    router: axum::Router,
    port: u16,
    faults: Arc<Faults>,
) -> Result<RunningFake, FakeError> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| FakeError::Bind { port, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| FakeError::Bind { port, source })?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    Ok(RunningFake {
        name,
        base_url: format!("http://{addr}"),
        addr,
        faults,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Start the fake GitHub for `world`.
pub async fn start_github(
    world: Arc<World>,
    opts: &ServeOptions,
) -> Result<RunningFake, FakeError> {
    let faults = Arc::new(Faults::default());
    let journal = opts.journal("github")?;
    let scopes = github::Scopes::parse(&opts.github_scopes);
    let router = github::router(world.clone(), faults.clone(), opts.token.clone(), scopes).merge(
        writes::github(world, journal, opts.guard(&faults, http::Style::Http401)),
    );
    spawn("github", router, opts.port, faults).await
}

/// Start the fake Jira for `world`.
pub async fn start_jira(world: Arc<World>, opts: &ServeOptions) -> Result<RunningFake, FakeError> {
    let faults = Arc::new(Faults::default());
    let journal = opts.journal("jira")?;
    let router = jira::router(
        world.clone(),
        faults.clone(),
        opts.token.clone(),
        journal.clone(),
    )
    .merge(writes::jira(
        world,
        journal,
        opts.guard(&faults, http::Style::Http401),
    ));
    spawn("jira", router, opts.port, faults).await
}

/// Start the fake PagerDuty for `world`.
pub async fn start_pagerduty(
    world: Arc<World>,
    opts: &ServeOptions,
) -> Result<RunningFake, FakeError> {
    let faults = Arc::new(Faults::default());
    let router = pagerduty::router(world, faults.clone(), opts.token.clone());
    spawn("pagerduty", router, opts.port, faults).await
}

/// Start the fake GitLab for `world` (its repositories as the projects of one group).
pub async fn start_gitlab(
    world: Arc<World>,
    opts: &ServeOptions,
) -> Result<RunningFake, FakeError> {
    let faults = Arc::new(Faults::default());
    let router = gitlab::router(world, faults.clone(), opts.token.clone());
    spawn("gitlab", router, opts.port, faults).await
}

/// Start the fake Linear (GraphQL) for `world` (its teams, sprints as cycles, tickets as issues).
pub async fn start_linear(
    world: Arc<World>,
    opts: &ServeOptions,
) -> Result<RunningFake, FakeError> {
    let faults = Arc::new(Faults::default());
    let router = linear::router(world, faults.clone(), opts.token.clone());
    spawn("linear", router, opts.port, faults).await
}

/// Start the fake Slack for `world`.
pub async fn start_slack(world: Arc<World>, opts: &ServeOptions) -> Result<RunningFake, FakeError> {
    let faults = Arc::new(Faults::default());
    let journal = opts.journal("slack")?;
    let router = slack::router_with(world, faults.clone(), opts.token.clone(), journal)
        .merge(slack_socket::router(slack_socket::Socket::default()));
    spawn("slack", router, opts.port, faults).await
}

/// Start the fake OpenAI-compatible server (no world: it polishes what it is sent).
pub async fn start_openai(opts: &ServeOptions) -> Result<RunningFake, FakeError> {
    let faults = Arc::new(Faults::default());
    let router = openai::router(faults.clone(), opts.token.clone());
    spawn("openai", router, opts.port, faults).await
}
