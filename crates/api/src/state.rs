//! The state behind every door: the app service, the data cache, the event bus and the
//! start-up phase. Built fully before any door uses it; start-up work (the demo sync) runs
//! afterwards and moves the phase from `Starting` to `Ready` or `Failed`.

use crate::error::{ApiError, ErrorCode, Result};
use crate::events::{AppEvent, EventBus, IndexSink};
use crate::status::{AppInfo, Phase};
use bosun_app::demo::{self, DemoOptions, Providers};
use bosun_app::signals::SignalCache;
use bosun_app::{App, Paths};
use bosun_connectors::EventSink;
use bosun_connectors::slack::socket::SocketStatus;
use bosun_core::Clock;
use bosun_core::time::{Ts, rfc3339};
use bosun_metrics::data::Dataset;
use bosun_metrics::dora::Analysis;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// How the app starts.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// Serve the demo organisation: fake providers on 127.0.0.1, synced through the real
    /// connectors, kept running so "sync now" works.
    pub demo: Option<DemoOptions>,
    /// Folders to index for Ask once the pages are ready (in the background) (the demo's handbook in demo mode).
    pub index: Vec<PathBuf>,
    /// "desktop" or "browser".
    pub door: String,
}

/// When the signals are evaluated: now (after a sync), or at the moment the kept data was
/// last evaluated (on start-up, the preload for the pages evaluated them seconds before).
#[derive(Debug, Clone, Copy)]
enum Moment {
    Now,
    Cached,
}

pub struct Api {
    app: RwLock<Arc<App>>,
    /// The dataset, its DORA analysis and the signals' records, kept between syncs.
    cache: Mutex<Option<SignalCache>>,
    pub bus: Arc<EventBus>,
    /// The small state kept between requests (see [`Shared`]).
    shared: Mutex<Shared>,
    syncing: AtomicBool,
    indexing: AtomicBool,
    stale: Arc<AtomicBool>,
    /// Serving the demo organisation (from launch, or since the welcome page's "explore").
    demo: AtomicBool,
    /// The periodic tick runs (started once, by the first start-up that ends ready).
    ticking: AtomicBool,
    door: String,
    providers: tokio::sync::Mutex<Option<Providers>>,
    /// The Slack commands listener (Socket Mode), when one was started.
    slack: Mutex<Option<SlackListener>>,
}

/// A Slack commands listener started by [`Api::start_slack`].
struct SlackListener {
    /// Turned true to stop it.
    stop: tokio::sync::watch::Sender<bool>,
    /// Its connection's phase and counts.
    status: tokio::sync::watch::Receiver<SocketStatus>,
    /// False once it found nothing to listen for (commands off, no app-level token).
    active: Arc<AtomicBool>,
}

/// What the API remembers between requests, behind one lock held only to read or write it.
struct Shared {
    phase: Phase,
    /// A throwaway data dir made for "explore the demo", removed at shutdown.
    throwaway: Option<PathBuf>,
    /// When the last sync finished, and its error when it failed.
    last_sync: (Option<Ts>, Option<String>),
    alerts_paused_until: Option<Ts>,
    /// Delivered alerts already announced as events (primed at start with what was delivered
    /// before this launch, so a restart does not repeat them).
    announced: HashSet<i64>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Api {
    /// The API over an app service; the phase is `Starting` until [`Api::start`] finishes.
    pub fn new(paths: Paths, clock: Arc<dyn Clock>, opts: &StartOptions) -> Result<Arc<Api>> {
        let app = App::new(paths, clock)?;
        Ok(Arc::new(Api {
            app: RwLock::new(Arc::new(app)),
            cache: Mutex::new(None),
            bus: Arc::new(EventBus::default()),
            shared: Mutex::new(Shared {
                phase: Phase::Starting {
                    step: "opening the database".into(),
                },
                throwaway: None,
                last_sync: (None, None),
                alerts_paused_until: None,
                announced: HashSet::new(),
            }),
            syncing: AtomicBool::new(false),
            indexing: AtomicBool::new(false),
            stale: Arc::new(AtomicBool::new(false)),
            demo: AtomicBool::new(opts.demo.is_some()),
            ticking: AtomicBool::new(false),
            door: opts.door.clone(),
            providers: tokio::sync::Mutex::new(None),
            slack: Mutex::new(None),
        }))
    }

    fn shared(&self) -> std::sync::MutexGuard<'_, Shared> {
        lock(&self.shared)
    }

    pub fn app(&self) -> Arc<App> {
        self.app.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn phase(&self) -> Phase {
        self.shared().phase.clone()
    }

    fn set_phase(&self, phase: Phase) {
        self.shared().phase = phase.clone();
        self.bus.emit(AppEvent::Phase { phase });
    }

    /// Prepare the data: in demo mode generate, serve and sync the demo organisation; then
    /// index the folders to index and load the metrics. Ends `Ready` or `Failed`.
    pub async fn start(self: &Arc<Self>, opts: StartOptions) {
        let index = opts.index.clone();
        // A panic in start-up work must end as `Failed`, not as a screen stuck on "starting".
        let api = self.clone();
        let done = tokio::spawn(async move { api.start_inner(opts).await })
            .await
            .unwrap_or_else(|e| Err(ApiError::internal(format!("start-up crashed: {e}"))));
        match done {
            Ok(()) => {
                self.set_phase(Phase::Ready);
                // The demo's sync evaluated the signals; on existing data, evaluate them now so
                // Today and the tray do not wait for the next sync.
                if !self.is_demo() {
                    let app = self.app();
                    self.refresh_signals(&app, Moment::Cached).await;
                }
                self.start_slack();
                if !self.ticking.swap(true, Ordering::SeqCst) {
                    let api = self.clone();
                    tokio::spawn(async move {
                        loop {
                            tokio::time::sleep(Self::TICK).await;
                            api.tick().await;
                        }
                    });
                }
            }
            Err(error) => {
                tracing::error!("start-up failed: {error}");
                self.set_phase(Phase::Failed { error });
                return;
            }
        }
        // Indexing docs for Ask can take minutes with embeddings: the pages are usable
        // meanwhile, Ask answers from what is indexed so far, and progress arrives as events.
        if !index.is_empty() {
            self.indexing.store(true, Ordering::SeqCst);
            let api = self.clone();
            let done = tokio::task::spawn_blocking(move || api.index(&index)).await;
            self.indexing.store(false, Ordering::SeqCst);
            match done {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!("indexing failed: {e}"),
                Err(e) => tracing::warn!("indexing failed: {e}"),
            }
        }
    }

    async fn start_inner(self: &Arc<Self>, opts: StartOptions) -> Result<()> {
        {
            let app = self.app();
            let store = app.store()?;
            let before = bosun_store::alerts::delivered_unseen(store.conn(), &HashSet::new())?;
            self.shared().announced.extend(before.iter().map(|a| a.id));
        }
        if let Some(d) = opts.demo {
            self.set_phase(Phase::Starting {
                step: "generating the demo organisation".into(),
            });
            let current = self.app();
            let mut app = App::new(current.paths.clone(), current.clock())?;
            let as_of = app.clock().now();
            let world = Arc::new(
                tokio::task::spawn_blocking(move || demo::world(d, as_of))
                    .await
                    .map_err(|e| ApiError::internal(e.to_string()))??,
            );
            if demo::write_config(&app, &world.org, world.as_of)? {
                app.reload_config()?;
            }
            let providers = demo::start_with(world.clone(), 0, Some(app.demo_fakes_dir())).await?;
            demo::register(&app, &providers)?;
            if let Err(e) = bosun_app::demo_slack::announce(&app, &providers.slack.base_url) {
                tracing::warn!("`bosun demo slack` will not find this demo: {e}");
            }
            demo::write_local_repos(&app, &world)?;
            *self.app.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(app);
            *self.providers.lock().await = Some(providers);
            self.set_phase(Phase::Starting {
                step: "syncing the demo organisation through the real connectors".into(),
            });
            self.sync_blocking_phase(demo::SOURCES).await?;
            let app = self.app();
            tokio::task::spawn_blocking(move || demo::plant_goals(&app, &world))
                .await
                .map_err(|e| ApiError::internal(e.to_string()))??;
        }
        self.set_phase(Phase::Starting {
            step: "loading metrics".into(),
        });
        let api = self.clone();
        tokio::task::spawn_blocking(move || api.with_data(|_, _, _| Ok(())))
            .await
            .map_err(|e| ApiError::internal(e.to_string()))??;
        Ok(())
    }

    fn index(&self, roots: &[PathBuf]) -> Result<()> {
        let app = self.app();
        let sink = IndexSink(self.bus.clone());
        for root in roots {
            let out = app.index_add(root, &sink)?;
            let status = app.index_status()?;
            tracing::info!("indexed {} ({} roots)", root.display(), out.len());
            self.bus.emit(AppEvent::IndexFinished {
                documents: status.documents,
                chunks: status.chunks,
            });
        }
        Ok(())
    }

    async fn sync_blocking_phase(self: &Arc<Self>, keys: &[&str]) -> Result<()> {
        self.syncing.store(true, Ordering::SeqCst);
        self.bus.emit(AppEvent::SyncStarted {
            sources: keys.iter().map(|k| k.to_string()).collect(),
        });
        let app = self.app();
        let sink = SyncSink {
            bus: self.bus.clone(),
            stale: self.stale.clone(),
        };
        let result = app.sync_many(keys, Arc::new(sink)).await;
        self.syncing.store(false, Ordering::SeqCst);
        self.stale.store(true, Ordering::SeqCst);
        let now = app.now();
        let (ok, message, items) = match &result {
            Ok(outcomes) => {
                let failed: Vec<String> = outcomes
                    .iter()
                    .filter(|o| !o.ok)
                    .map(|o| format!("{}: {}", o.source, o.error.clone().unwrap_or_default()))
                    .collect();
                let items = outcomes.iter().map(|o| o.items).sum();
                if failed.is_empty() {
                    (true, format!("{} sources synced", outcomes.len()), items)
                } else {
                    (false, failed.join("; "), items)
                }
            }
            Err(e) => (false, e.to_string(), 0),
        };
        if result.is_ok() {
            self.refresh_signals(&app, Moment::Now).await;
        }
        self.shared().last_sync = (Some(now), (!ok).then(|| message.clone()));
        self.bus.emit(AppEvent::SyncFinished {
            ok,
            message: message.clone(),
            items,
        });
        result?;
        if ok {
            Ok(())
        } else {
            Err(ApiError::new(ErrorCode::ProviderUnavailable, message))
        }
    }

    /// Evaluate the signals over the fresh data (lifecycle, alerts, action drafts) and say how
    /// many are open. The kept data is refreshed where the syncs wrote, not reloaded.
    async fn refresh_signals(self: &Arc<Self>, app: &Arc<App>, at: Moment) {
        let (api, app) = (self.clone(), app.clone());
        let done = tokio::task::spawn_blocking(move || {
            let mut cache = lock(&api.cache);
            let view = match at {
                Moment::Now => app.refresh_signals_in(&mut cache, &["open"]),
                Moment::Cached => app.refresh_signals_at_cache_moment(&mut cache, &["open"]),
            };
            if view.is_err() {
                // A refresh that failed half-way leaves nothing to trust: read afresh next time.
                *cache = None;
            }
            // The risk register's proposals follow the same evidence (the notes and the Risks
            // page read them).
            if let (Ok(_), Some(c)) = (&view, cache.as_ref()) {
                let risks = app.live_signals().and_then(|signals| {
                    app.risks_with(&bosun_app::risks::RiskInputs {
                        data: &c.metrics().data,
                        analysis: &c.metrics().analysis,
                        signals: &signals,
                    })
                });
                if let Err(e) = risks {
                    tracing::warn!("risks not evaluated: {e}");
                }
            }
            view
        })
        .await;
        match done {
            Ok(Ok(view)) => {
                let high = view
                    .signals
                    .iter()
                    .filter(|s| matches!(s.severity.as_str(), "high" | "critical"))
                    .count() as u64;
                self.bus.emit(AppEvent::SignalsChanged {
                    open: view.signals.len() as u64,
                    high,
                });
            }
            Ok(Err(e)) => tracing::warn!("signals not evaluated: {e}"),
            Err(e) => tracing::warn!("signals not evaluated: {e}"),
        }
        self.announce_alerts();
    }

    /// How often [`Api::tick`] runs once the app is ready.
    pub const TICK: Duration = Duration::from_secs(60);

    /// The periodic work of a running app: deliver approved actions that were deferred (the
    /// recipient's quiet hours) once they are due, and raise the morning brief when it is due
    /// and announce it. Skipped while starting or syncing.
    pub async fn tick(self: &Arc<Self>) {
        if self.ready().is_err() || self.is_syncing() {
            return;
        }
        let app = self.app();
        // (The outbox's future is not `Send`: run it on a blocking thread, like the endpoints.)
        let sending = tokio::task::spawn_blocking(move || {
            tokio::runtime::Handle::current().block_on(app.send_due())
        });
        match sending.await {
            Ok(Ok(sent)) if !sent.is_empty() => {
                tracing::info!("{} deferred actions sent", sent.len())
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("deferred actions: {e}"),
            Err(e) => tracing::warn!("deferred actions: {e}"),
        }
        let app = self.app();
        match tokio::task::spawn_blocking(move || app.brief_if_due()).await {
            Ok(Ok(Some(_))) => self.announce_alerts(),
            Ok(Ok(None)) => {}
            Ok(Err(e)) => tracing::warn!("morning brief: {e}"),
            Err(e) => tracing::warn!("morning brief: {e}"),
        }
        // Status updates of open incidents at [incidents] update_every_minutes: drafts only.
        let app = self.app();
        match tokio::task::spawn_blocking(move || app.draft_status_updates()).await {
            Ok(Ok(d)) if !d.is_empty() => {
                tracing::info!("{} incident status updates drafted", d.len());
                self.mark_stale();
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("incident status updates: {e}"),
            Err(e) => tracing::warn!("incident status updates: {e}"),
        }
        // The weekly digest drafts (on [notes] digest_day): drafts only, for the manager.
        let app = self.app();
        match tokio::task::spawn_blocking(move || app.draft_digests(false)).await {
            Ok(Ok(d)) if d.iter().any(|d| d.action.is_some()) => {
                tracing::info!("weekly digests drafted for {} teams", d.len());
                self.mark_stale();
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("weekly digest: {e}"),
            Err(e) => tracing::warn!("weekly digest: {e}"),
        }
    }

    /// Emit an [`AppEvent::Alert`] for every delivered alert not announced yet, oldest first.
    pub fn announce_alerts(&self) {
        let app = self.app();
        let fresh = app.store().map_err(ApiError::from).and_then(|store| {
            bosun_store::alerts::delivered_unseen(store.conn(), &self.shared().announced)
                .map_err(ApiError::from)
        });
        match fresh {
            Ok(fresh) => {
                for a in fresh {
                    self.shared().announced.insert(a.id);
                    self.bus.emit(AppEvent::Alert {
                        id: a.id,
                        alert: a.kind,
                        severity: a.severity,
                        title: a.title,
                        body: a.body,
                        reason: a.reason,
                    });
                }
            }
            Err(e) => tracing::warn!("alerts not announced: {e}"),
        }
    }

    /// Sync every source now, in the background; progress and the end arrive as events.
    pub fn sync_now(self: &Arc<Self>) -> Result<bool> {
        self.ready()?;
        if self.is_syncing() {
            return Ok(false);
        }
        let api = self.clone();
        tokio::spawn(async move {
            let keys: Vec<String> = if api.is_demo() {
                demo::SOURCES.iter().map(|s| s.to_string()).collect()
            } else {
                Vec::new()
            };
            let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            if let Err(e) = api.sync_blocking_phase(&refs).await {
                tracing::warn!("sync failed: {e}");
            }
        });
        Ok(true)
    }

    pub fn is_syncing(&self) -> bool {
        self.syncing.load(Ordering::SeqCst)
    }

    /// `Err(not_ready)` until start-up is done; `Err(<the failure>)` when it failed.
    pub fn ready(&self) -> Result<()> {
        match self.phase() {
            Phase::Ready => Ok(()),
            Phase::Starting { step } => Err(ApiError::new(
                ErrorCode::NotReady,
                format!("Bosun is starting: {step}"),
            )),
            Phase::Failed { error } => Err(error),
        }
    }

    /// Run `f` over the metrics dataset and the DORA analysis, loading or refreshing the cache
    /// first (only what the last sync touched is re-read).
    /// The records changed outside a sync (an identity answer): the next read refreshes.
    pub fn mark_stale(&self) {
        self.stale.store(true, Ordering::SeqCst);
    }

    pub fn with_data<T>(
        &self,
        f: impl FnOnce(&App, &Dataset, &Analysis) -> Result<T>,
    ) -> Result<T> {
        let app = self.app();
        let mut cache = lock(&self.cache);
        match cache.as_mut() {
            None => {
                let store = app.store()?;
                *cache = Some(app.signal_cache(store.conn())?);
                self.stale.store(false, Ordering::SeqCst);
            }
            Some(c) if self.stale.swap(false, Ordering::SeqCst) => {
                let store = app.store()?;
                c.refresh_metrics(store.conn())?;
            }
            Some(_) => {}
        }
        let c = cache
            .as_ref()
            .ok_or_else(|| ApiError::internal("metrics cache empty"))?;
        f(&app, &c.metrics().data, &c.metrics().analysis)
    }

    pub fn pause_alerts(&self, until: Option<Ts>) {
        self.shared().alerts_paused_until = until;
        self.bus.emit(AppEvent::AlertsPaused {
            until: until.map(rfc3339),
        });
    }

    pub fn alerts_paused_until(&self) -> Option<Ts> {
        let until = self.shared().alerts_paused_until;
        until.filter(|u| *u > self.app().now())
    }

    pub fn info(&self) -> AppInfo {
        let app = self.app();
        let (last, err) = self.shared().last_sync.clone();
        AppInfo {
            phase: self.phase(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            demo: self.is_demo(),
            configured: app.sources().map(|s| !s.is_empty()).unwrap_or(true),
            door: self.door.clone(),
            data_dir: app.paths.data_dir.display().to_string(),
            now: rfc3339(app.now()),
            syncing: self.is_syncing(),
            indexing: self.indexing.load(Ordering::SeqCst),
            last_sync_finished_at: last.map(rfc3339),
            last_sync_error: err,
            alerts_paused_until: self.alerts_paused_until().map(rfc3339),
            event_seq: self.bus.since(0).last().map_or(0, |e| e.seq),
        }
    }

    /// Answer Slack commands over Socket Mode in the background while the app runs (when the
    /// Slack source has an app-level token and `[slack] commands` is on; the demo's always has
    /// one). A listener already running is stopped first (a new app, the demo explored).
    pub fn start_slack(self: &Arc<Self>) {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let (report, status) = tokio::sync::watch::channel(SocketStatus::default());
        let active = Arc::new(AtomicBool::new(true));
        let listener = SlackListener {
            stop,
            status,
            active: active.clone(),
        };
        if let Some(old) = lock(&self.slack).replace(listener) {
            let _ = old.stop.send(true);
        }
        let app = self.app();
        tokio::spawn(async move {
            let sink = Arc::new(bosun_connectors::events::NullSink);
            match app.listen_slack(stopped, sink, Some(report)).await {
                Ok(Some(stats)) => tracing::info!(?stats, "slack commands: stopped"),
                Ok(None) => {
                    active.store(false, Ordering::SeqCst);
                    tracing::debug!("slack commands: no Slack app token; not listening");
                }
                Err(e) => tracing::warn!("slack commands: {e}"),
            }
        });
    }

    /// The Slack commands listener's connection, when one runs in this process.
    pub fn slack_status(&self) -> Option<SocketStatus> {
        let listener = lock(&self.slack);
        let l = listener.as_ref()?;
        l.active
            .load(Ordering::SeqCst)
            .then(|| l.status.borrow().clone())
    }

    /// Stop the demo's fake providers (at exit) and remove the throwaway demo folder made by
    /// [`Api::explore_demo`].
    pub async fn shutdown(&self) {
        if let Some(listener) = lock(&self.slack).take() {
            let _ = listener.stop.send(true);
        }
        bosun_app::demo_slack::withdraw();
        if let Some(p) = self.providers.lock().await.take() {
            p.shutdown().await;
        }
        let throwaway = self.shared().throwaway.take();
        if let Some(dir) = throwaway
            && let Err(e) = std::fs::remove_dir_all(&dir)
        {
            tracing::warn!("the demo folder {} was not removed: {e}", dir.display());
        }
    }

    pub fn is_demo(&self) -> bool {
        self.demo.load(Ordering::SeqCst)
    }

    /// Run `change` on a fresh app service over the same paths (it re-reads the configuration),
    /// then serve that one: what changes the configuration (the wizard, Settings' organisation)
    /// goes through here. The kept metrics are read afresh.
    pub fn replace_app<T>(
        &self,
        change: impl FnOnce(&mut App) -> bosun_app::Result<T>,
    ) -> Result<T> {
        let current = self.app();
        let mut app = App::new(current.paths.clone(), current.clock())?;
        // The token file, once unlocked, stays unlocked.
        app.share_tokens(&current);
        let out = change(&mut app)?;
        *self.app.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(app);
        *lock(&self.cache) = None;
        Ok(out)
    }

    /// From the welcome page: serve the demo organisation instead, in a new throwaway folder
    /// (the user's own data dir is left as it is). Start-up runs again in the background; the
    /// phase says how far it is. Returns the folder.
    pub fn explore_demo(self: &Arc<Self>) -> Result<String> {
        self.ready()?;
        if self.demo.swap(true, Ordering::SeqCst) {
            return Err(ApiError::invalid("the demo is already being served"));
        }
        let dir = bosun_app::paths::demo_temp_dir().map_err(|e| {
            self.demo.store(false, Ordering::SeqCst);
            ApiError::internal(format!("no folder for the demo: {e}"))
        })?;
        let current = self.app();
        let app = App::new(Paths::in_dir(&dir), current.clock())?;
        *self.app.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(app);
        *lock(&self.cache) = None;
        self.shared().throwaway = Some(dir.clone());
        self.set_phase(Phase::Starting {
            step: "generating the demo organisation".into(),
        });
        let api = self.clone();
        let opts = StartOptions {
            demo: Some(DemoOptions::default()),
            index: crate::demo_docs().into_iter().collect(),
            door: self.door.clone(),
        };
        tokio::spawn(async move { api.start(opts).await });
        Ok(dir.display().to_string())
    }
}

/// The sync engine's events, translated and forwarded to the bus. Recent data in marks the
/// API's kept data stale, so the pages that reload read it.
pub struct SyncSink {
    /// Where the translated events go.
    pub bus: Arc<EventBus>,
    /// Set when recent data arrived: the pages' kept data is stale.
    pub stale: Arc<AtomicBool>,
}

impl EventSink for SyncSink {
    fn emit(&self, event: bosun_connectors::Event) {
        use bosun_connectors::Event as E;
        let bus = &self.bus;
        match event {
            E::SourceStarted { source, scopes } => bus.emit(AppEvent::SyncProgress {
                source,
                scope: String::new(),
                step: "started".into(),
                done: 0,
                total: scopes as u64,
                pass: bosun_connectors::Pass::Full.as_str().into(),
                eta_secs: None,
            }),
            E::Progress {
                source,
                scope,
                phase,
                done,
                total,
                pass,
                eta_secs,
            } => bus.emit(AppEvent::SyncProgress {
                source,
                scope,
                step: phase,
                done,
                total,
                pass: pass.as_str().into(),
                eta_secs,
            }),
            E::PassStarted {
                source,
                pass,
                scopes,
                ..
            } => bus.emit(AppEvent::SyncPass {
                source,
                pass: pass.as_str().into(),
                scopes_done: 0,
                scopes: scopes as u64,
                eta_secs: None,
                finished: false,
            }),
            E::PassProgress {
                source,
                pass,
                scopes_done,
                scopes,
                eta_secs,
            } => bus.emit(AppEvent::SyncPass {
                source,
                pass: pass.as_str().into(),
                scopes_done: scopes_done as u64,
                scopes: scopes as u64,
                eta_secs,
                finished: false,
            }),
            E::PassFinished { source, pass, .. } => bus.emit(AppEvent::SyncPass {
                source,
                pass: pass.as_str().into(),
                scopes_done: 0,
                scopes: 0,
                eta_secs: Some(0),
                finished: true,
            }),
            E::RecentSynced { sources } => {
                self.stale.store(true, Ordering::SeqCst);
                bus.emit(AppEvent::SyncRecent { sources });
            }
            E::SourceFinished { source, error } => {
                bus.emit(AppEvent::SourceSynced { source, error })
            }
            E::RateLimited { .. } | E::Retrying { .. } | E::ScopeFinished { .. } => {}
        }
    }
}
