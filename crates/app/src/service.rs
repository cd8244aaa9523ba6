//! The app service proper.

use crate::config::Config;
use crate::paths::Paths;
use crate::secrets::{self, TokenOrigin, TokenStore};
use crate::{AppError, Result};
use bosun_connectors::engine::{self, SourceOutcome, Stage, SyncJob};
use bosun_connectors::{Db, Event, EventSink};
use bosun_core::model::Provider;
use bosun_core::time::{Ts, rfc3339};
use bosun_core::{Clock, Sensitive};
use bosun_store::Store;
use bosun_store::audit::anchor::Anchor;
use bosun_store::sync_state::{self, Job, NewSource, Source};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct App {
    pub paths: Paths,
    pub config: Config,
    clock: Arc<dyn Clock>,
    /// This process's deliverer id: who holds the outbox claims it takes (see `outbox`).
    deliverer: String,
    /// The audit ledger's anchor (found or made on first use; see `ledger`).
    ledger: std::sync::OnceLock<std::result::Result<Anchor, String>>,
    /// Where the sources' tokens are kept, and the token file's key once unlocked.
    tokens: TokenStore,
}

/// A source as the user sees it: never its token, only where the token comes from.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub id: i64,
    pub name: String,
    pub kind: Provider,
    pub base_url: Option<String>,
    pub settings: serde_json::Value,
    pub enabled: bool,
    pub demo: bool,
    pub token: TokenOrigin,
    pub last_sync_started_at: Option<String>,
    pub last_sync_finished_at: Option<String>,
    pub last_sync_status: Option<String>,
    pub last_error: Option<String>,
    /// A first sync split in two passes: how far it is (none for a source synced in one pass).
    pub history: Option<HistoryView>,
}

/// A source's first sync split in a recent pass and a backfill (docs/sync.md#the-first-sync).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryView {
    /// `recent` (the recent pass is not complete yet), `backfilling` or `complete`.
    pub state: String,
    /// The backfill's progress: repositories backfilled, in whole percent.
    pub percent: u32,
    /// The backfill reads what changed before this day (UTC, `YYYY-MM-DD`).
    pub older_than: String,
    /// For people: "backfilling, 40 % (older than 2026-11-05)".
    pub summary: String,
}

impl HistoryView {
    pub fn new(f: &sync_state::FirstSync) -> HistoryView {
        let state = if f.backfill_done {
            "complete"
        } else if f.recent_done {
            "backfilling"
        } else {
            "recent"
        };
        let older_than = rfc3339(f.window_start).chars().take(10).collect::<String>();
        let summary = match state {
            "complete" => format!("complete (backfilled what is older than {older_than})"),
            "recent" => format!(
                "syncing the recent pass (since {older_than}), then backfilling, {} %",
                f.percent()
            ),
            _ => format!("backfilling, {} % (older than {older_than})", f.percent()),
        };
        HistoryView {
            state: state.to_string(),
            percent: f.percent(),
            older_than,
            summary,
        }
    }
}

/// A source of any kind: `settings` is the connector's settings JSON (validated here).
#[derive(Debug, Clone)]
pub struct NewSourceSpec {
    pub kind: Provider,
    pub name: String,
    pub base_url: Option<String>,
    pub settings: serde_json::Value,
    pub token: Option<Sensitive<String>>,
}

#[derive(Debug, Clone)]
pub struct NewGithubSource {
    pub name: String,
    pub owner: String,
    pub repos: Vec<String>,
    pub base_url: Option<String>,
    pub token: Option<Sensitive<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub provider: String,
    pub id: String,
    pub login: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    /// How the account was linked (email, noreply, name, override, only) and how sure.
    pub match_method: Option<String>,
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub key: String,
    pub name: String,
    pub email: Option<String>,
    pub is_bot: bool,
    pub team: Option<String>,
    pub team_name: Option<String>,
    pub manager: Option<String>,
    pub accounts: Vec<AccountView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeopleView {
    pub people: Vec<PersonView>,
    pub unmatched: Vec<AccountView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceStatus {
    #[serde(flatten)]
    pub source: SourceView,
    pub jobs: Vec<Job>,
    pub cursors: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub data_dir: String,
    pub database: String,
    pub initialized: bool,
    pub schema_version: u32,
    pub size_bytes: u64,
    pub sources: Vec<SourceStatus>,
    pub counts: BTreeMap<String, i64>,
    /// "ok" when `--check` ran SQLite's integrity check and it passed.
    pub integrity: Option<String>,
}

/// A random id for this process's deliverer (`<pid>-<16 random hex>`): two processes, or two
/// `App`s in one test, never share one. Falls back on the clock's nanoseconds without
/// `/dev/urandom`.
fn deliverer_id() -> String {
    use std::io::Read;
    let mut b = [0u8; 8];
    let random = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .is_ok();
    if !random {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        b = nanos.to_le_bytes();
    }
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{hex}", std::process::id())
}

fn time(ts: Option<Ts>) -> Option<String> {
    ts.map(rfc3339)
}

/// The source's first-sync history as a view (none when it synced in one pass, or the store
/// cannot say).
fn history(store: &Store, s: &Source) -> Option<HistoryView> {
    sync_state::first_sync(store.conn(), s.id)
        .ok()
        .flatten()
        .map(|f| HistoryView::new(&f))
}

fn view(s: &Source, token: TokenOrigin) -> SourceView {
    SourceView {
        id: s.id,
        name: s.name.clone(),
        kind: s.kind,
        base_url: s.base_url.clone(),
        settings: s.settings.clone(),
        enabled: s.enabled,
        demo: s.demo,
        token,
        last_sync_started_at: time(s.last_sync_started_at),
        last_sync_finished_at: time(s.last_sync_finished_at),
        last_sync_status: s.last_sync_status.clone(),
        last_error: s.last_error.clone(),
        history: None,
    }
}

/// The token a source's requests carry: the demo's for a demo source, none for a local git
/// repository, else from the environment or the token store (read off the async runtime: a
/// keychain call may block). No token is a `NotFound` that says how to give one.
pub(crate) async fn source_token(
    tokens: &TokenStore,
    source: &Source,
) -> Result<Option<Sensitive<String>>> {
    if source.demo {
        return Ok(Some(Sensitive::new(bosun_fakes::DEMO_TOKEN.to_string())));
    }
    if source.kind == Provider::Git {
        return Ok(None);
    }
    let (kind, name, base) = (source.kind, source.name.clone(), source.base_url.clone());
    let tokens = tokens.clone();
    let resolved =
        tokio::task::spawn_blocking(move || tokens.resolve(kind, &name, base.as_deref()))
            .await
            .map_err(|e| AppError::Keychain(e.to_string()))??;
    match resolved {
        Some((t, _)) => Ok(Some(t)),
        None => {
            let hint = secrets::missing_hint(source.kind, &source.name);
            Err(AppError::NotFound(format!(
                "no token for source {}: run `bosun sources add` with --token-stdin, or {hint}",
                source.name
            )))
        }
    }
}

fn token_origin(tokens: &TokenStore, s: &Source) -> TokenOrigin {
    match (s.demo, s.kind) {
        (_, Provider::Git) => TokenOrigin::NotNeeded,
        (true, _) => TokenOrigin::Demo,
        _ => tokens.origin(s.kind, &s.name, s.base_url.as_deref()),
    }
}

impl App {
    pub fn new(paths: Paths, clock: Arc<dyn Clock>) -> Result<App> {
        let config = Config::load(&paths.config_file)?;
        Ok(App {
            tokens: TokenStore::new(&paths),
            paths,
            config,
            clock,
            deliverer: deliverer_id(),
            ledger: std::sync::OnceLock::new(),
        })
    }

    /// Where the sources' tokens are kept (the keychain or the encrypted file).
    pub fn tokens(&self) -> &TokenStore {
        &self.tokens
    }

    /// Share `other`'s token store (and so its unlocked key) when it is this data dir's: an
    /// `App` made again for the same data dir (the API does after the first-run wizard) must
    /// not ask for the passphrase again.
    pub fn share_tokens(&mut self, other: &App) {
        if other.tokens.file_path() == self.tokens.file_path() {
            self.tokens = other.tokens.clone();
        }
    }

    /// Who the audit ledger names for what the manager does: `user:<[identity] me>`, else
    /// `user:<$USER>`.
    pub(crate) fn actor(&self) -> String {
        let me = self.config.identity.me.trim();
        if me.is_empty() {
            let user = std::env::var("USER").unwrap_or_else(|_| "manager".into());
            format!("user:{user}")
        } else {
            format!("user:{me}")
        }
    }

    /// The id this process's outbox claims carry.
    pub fn deliverer(&self) -> &str {
        &self.deliverer
    }

    pub fn now(&self) -> Ts {
        self.clock.now().timestamp()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// Open (creating and migrating if needed) the database.
    /// Open the database, its audit ledger anchored outside it (see `ledger`).
    pub fn store(&self) -> Result<Store> {
        let mut store = Store::open(&self.paths.database())?;
        if let Ok(anchor) = self.ledger_anchor() {
            // A refusal (the ledger no longer agrees with its anchor) is `audit verify`'s to
            // report; opening goes on.
            store.anchor_ledger(anchor.clone())?;
        }
        Ok(store)
    }

    /// The audit ledger's anchor, or why the ledger cannot be checked against one now.
    pub fn ledger_anchor(&self) -> std::result::Result<&Anchor, &str> {
        // On a thread of its own: the keychain client blocks on its own runtime, which it may
        // not do on a thread driving async tasks (an API handler, a sync).
        self.ledger
            .get_or_init(|| {
                std::thread::scope(|s| {
                    s.spawn(|| crate::ledger::anchor(&self.paths))
                        .join()
                        .unwrap_or_else(|_| Err("finding the ledger's key panicked".into()))
                })
            })
            .as_ref()
            .map_err(String::as_str)
    }

    pub fn sources(&self) -> Result<Vec<SourceView>> {
        let store = self.store()?;
        Ok(sync_state::sources(store.conn())?
            .iter()
            .map(|s| SourceView {
                history: history(&store, s),
                ..view(s, token_origin(&self.tokens, s))
            })
            .collect())
    }

    fn find_source(&self, store: &Store, key: &str) -> Result<Source> {
        let by_name = sync_state::source_by_name(store.conn(), key)?;
        let by_id = match key.parse::<i64>() {
            Ok(id) => sync_state::source_by_id(store.conn(), id)?,
            Err(_) => None,
        };
        by_name.or(by_id).ok_or_else(|| {
            AppError::NotFound(format!(
                "no source named or numbered {key:?} (see `bosun sources list`)"
            ))
        })
    }

    pub fn add_github_source(&self, s: NewGithubSource) -> Result<SourceView> {
        let valid_name = crate::config::is_valid_key(&s.name);
        if !valid_name {
            return Err(AppError::InvalidInput(format!(
                "source name {:?}: use letters, digits, '-' and '_'",
                s.name
            )));
        }
        if s.owner.trim().is_empty() {
            return Err(AppError::InvalidInput(
                "a GitHub source needs --owner (an organisation or user)".into(),
            ));
        }
        if let Some(url) = &s.base_url
            && !bosun_core::is_web_url(url)
        {
            return Err(AppError::InvalidInput(format!(
                "--base-url {url:?} is not an http(s) URL"
            )));
        }
        let mut store = self.store()?;
        if sync_state::source_by_name(store.conn(), &s.name)?.is_some() {
            return Err(AppError::InvalidInput(format!(
                "a source named {:?} already exists",
                s.name
            )));
        }
        // The token is kept first: no source is recorded if it cannot be kept safely.
        if let Some(token) = &s.token {
            self.tokens.set(&s.name, token)?;
        }
        let settings = serde_json::to_value(bosun_connectors::github::GithubSettings {
            owner: s.owner.trim().to_string(),
            repos: s.repos.clone(),
            ..Default::default()
        })
        .map_err(|e| AppError::InvalidInput(e.to_string()))?;
        let base = s.base_url.as_deref().map(|u| u.trim_end_matches('/'));
        let now = self.now();
        let id = store.write(|tx| {
            sync_state::add_source(
                tx,
                &NewSource {
                    kind: Provider::Github,
                    name: &s.name,
                    base_url: base,
                    settings: settings.clone(),
                    demo: false,
                },
                now,
            )
        })?;
        let src = sync_state::source_by_id(store.conn(), id)?
            .ok_or_else(|| AppError::NotFound("source vanished".into()))?;
        Ok(view(&src, token_origin(&self.tokens, &src)))
    }

    /// Add a source of any kind. The settings are checked against the connector's own type and
    /// the token (if any) goes to the keychain before anything is recorded.
    pub fn add_source(&self, spec: NewSourceSpec) -> Result<SourceView> {
        use bosun_connectors::{git, jira, pagerduty, slack};
        let valid_name = crate::config::is_valid_key(&spec.name);
        if !valid_name {
            return Err(AppError::InvalidInput(format!(
                "source name {:?}: use letters, digits, '-' and '_'",
                spec.name
            )));
        }
        if let Some(url) = &spec.base_url
            && !bosun_core::is_web_url(url)
        {
            return Err(AppError::InvalidInput(format!(
                "--base-url {url:?} is not an http(s) URL"
            )));
        }
        let bad = |e: serde_json::Error| {
            AppError::InvalidInput(format!("{} source settings: {e}", spec.kind))
        };
        match spec.kind {
            Provider::Github => drop(
                serde_json::from_value::<bosun_connectors::github::GithubSettings>(
                    spec.settings.clone(),
                )
                .map_err(bad)?,
            ),
            Provider::Gitlab => {
                let s: bosun_connectors::gitlab::GitlabSettings =
                    serde_json::from_value(spec.settings.clone()).map_err(bad)?;
                if s.group.as_deref().is_none_or(|g| g.trim().is_empty()) && s.projects.is_empty() {
                    return Err(AppError::InvalidInput(
                        "a GitLab source needs --group PATH or --project PATH".into(),
                    ));
                }
            }
            Provider::Linear => drop(
                serde_json::from_value::<bosun_connectors::linear::LinearSettings>(
                    spec.settings.clone(),
                )
                .map_err(bad)?,
            ),
            Provider::Jira => {
                let s: jira::JiraSettings =
                    serde_json::from_value(spec.settings.clone()).map_err(bad)?;
                if let Some(web) = &s.web_url
                    && !bosun_core::is_web_url(web)
                {
                    return Err(AppError::InvalidInput(format!(
                        "web_url {web:?} is not an http(s) URL"
                    )));
                }
                if s.project.trim().is_empty() {
                    return Err(AppError::InvalidInput(
                        "a Jira source needs --project KEY".into(),
                    ));
                }
                if spec.base_url.is_none() {
                    return Err(AppError::InvalidInput(
                        "a Jira source needs --base-url https://SITE.atlassian.net".into(),
                    ));
                }
            }
            Provider::Pagerduty => drop(
                serde_json::from_value::<pagerduty::PagerDutySettings>(spec.settings.clone())
                    .map_err(bad)?,
            ),
            Provider::Slack => {
                let s: slack::SlackSettings =
                    serde_json::from_value(spec.settings.clone()).map_err(bad)?;
                if s.channels.is_empty() {
                    return Err(AppError::InvalidInput(
                        "a Slack source needs at least one --channel (or --channel '*')".into(),
                    ));
                }
            }
            Provider::Git => {
                let source = Source {
                    id: 0,
                    kind: Provider::Git,
                    name: spec.name.clone(),
                    base_url: None,
                    settings: spec.settings.clone(),
                    enabled: true,
                    demo: false,
                    created_at: 0,
                    last_sync_started_at: None,
                    last_sync_finished_at: None,
                    last_sync_status: None,
                    last_error: None,
                };
                let (settings, _) = git::GitSettings::from_source(&source)
                    .map_err(|e| AppError::InvalidInput(e.to_string()))?;
                git::read::open(&settings.path)
                    .map_err(|e| AppError::InvalidInput(e.to_string()))?;
            }
        }
        let mut store = self.store()?;
        if sync_state::source_by_name(store.conn(), &spec.name)?.is_some() {
            return Err(AppError::InvalidInput(format!(
                "a source named {:?} already exists",
                spec.name
            )));
        }
        if let Some(token) = &spec.token {
            self.tokens.set(&spec.name, token)?;
        }
        let base = spec.base_url.as_deref().map(|u| u.trim_end_matches('/'));
        let now = self.now();
        let id = store.write(|tx| {
            sync_state::add_source(
                tx,
                &NewSource {
                    kind: spec.kind,
                    name: &spec.name,
                    base_url: base,
                    settings: spec.settings.clone(),
                    demo: false,
                },
                now,
            )
        })?;
        let src = sync_state::source_by_id(store.conn(), id)?
            .ok_or_else(|| AppError::NotFound("source vanished".into()))?;
        Ok(view(&src, token_origin(&self.tokens, &src)))
    }

    /// Resolve identities across all accounts and apply the config's teams.
    pub fn resolve_identity(&self) -> Result<crate::identity::IdentityReport> {
        let mut store = self.store()?;
        crate::identity::apply(&mut store, &self.config, self.now())
    }

    /// Identity's open merge suggestions (links a rule made), for the manager to answer.
    pub fn identity_suggestions(&self) -> Result<Vec<crate::identity::MatchSuggestionView>> {
        crate::identity::suggestions(&self.store()?)
    }

    /// Answer a suggestion (or say so of any two accounts): `same` links them for sure, otherwise
    /// no rule links them again. Kept in the store across syncs, audited, and applied at once.
    pub fn decide_identity(
        &self,
        a: &str,
        b: &str,
        same: bool,
    ) -> Result<crate::identity::IdentityReport> {
        let (a, b) = (a.trim(), b.trim());
        if a == b {
            return Err(AppError::InvalidInput(format!(
                "{a} and {b} are the same account"
            )));
        }
        let mut store = self.store()?;
        for h in [a, b] {
            if !crate::identity::known_handle(&store, h)? {
                return Err(AppError::NotFound(format!(
                    "no synced account {h} (accounts are named provider:login, as `bosun people` shows them)"
                )));
            }
        }
        let now = self.now();
        let who = self.actor();
        store.write(|tx| {
            bosun_store::identity::decide_match(tx, a, b, same, &who, now)?;
            bosun_store::audit::append(
                tx,
                &bosun_store::audit::NewEntry {
                    at: now,
                    actor: &who,
                    action: if same {
                        "identity.accept"
                    } else {
                        "identity.reject"
                    },
                    subject: Some(&format!("accounts:{a}+{b}")),
                    result: "ok",
                    trace: serde_json::json!({"a": a, "b": b, "same": same}),
                },
            )?;
            Ok(())
        })?;
        crate::identity::apply(&mut store, &self.config, now)
    }

    pub fn remove_source(&self, key: &str) -> Result<SourceView> {
        let mut store = self.store()?;
        let src = self.find_source(&store, key)?;
        store.write(|tx| sync_state::remove_source(tx, src.id))?;
        if !src.demo
            && let Err(e) = self.tokens.delete(&src.name)
        {
            tracing::warn!("source removed, but its stored token could not be deleted: {e}");
        }
        Ok(view(&src, TokenOrigin::Missing))
    }

    pub fn reload_config(&mut self) -> Result<()> {
        self.config = Config::load(&self.paths.config_file)?;
        Ok(())
    }

    /// Sync every enabled source, or only `only` (a name or id). One failing source does not
    /// stop the others; each outcome says what happened.
    pub async fn sync(
        &self,
        only: Option<&str>,
        sink: Arc<dyn EventSink>,
    ) -> Result<Vec<SourceOutcome>> {
        match only {
            Some(key) => self.sync_many(&[key], sink).await,
            None => self.sync_many(&[], sink).await,
        }
    }

    /// Sync the named sources (every enabled one when `keys` is empty).
    pub async fn sync_many(
        &self,
        keys: &[&str],
        sink: Arc<dyn EventSink>,
    ) -> Result<Vec<SourceOutcome>> {
        let store = self.store()?;
        let sources: Vec<Source> = if keys.is_empty() {
            sync_state::sources(store.conn())?
                .into_iter()
                .filter(|s| s.enabled)
                .collect()
        } else {
            keys.iter()
                .map(|k| self.find_source(&store, k))
                .collect::<Result<_>>()?
        };
        if sources.is_empty() {
            return Err(AppError::NotFound(
                "no sources to sync: add one with `bosun sources add`, or try `bosun demo sync`"
                    .into(),
            ));
        }
        let mut jobs = Vec::new();
        let mut missing = Vec::new();
        for source in sources {
            let token = match source_token(&self.tokens, &source).await {
                Ok(token) => token,
                Err(e) => {
                    missing.push((source.name.clone(), source.kind, e.to_string()));
                    continue;
                }
            };
            jobs.push(SyncJob { source, token });
        }
        let db = Db::new(store);
        let http = self.config.http();
        let clock = self.clock.as_ref();
        // Current data first (a first sync's recent pass), people resolved, and the pages told;
        // then the backfills still pending (docs/sync.md#the-first-sync).
        let mut outcomes =
            engine::run_stage(&db, &jobs, &http, clock, sink.clone(), Stage::Current).await?;
        let mut backfilling = Vec::new();
        for job in &jobs {
            let sid = job.source.id;
            if db
                .read(move |s| Ok(sync_state::backfill_pending(s.conn(), sid)?))
                .await?
            {
                backfilling.push(job.source.name.clone());
            }
        }
        if !backfilling.is_empty() {
            if outcomes.iter().any(|o| o.ok) {
                let (config, now) = (self.config.clone(), self.now());
                db.with_store(move |store| crate::identity::apply(store, &config, now))
                    .await??;
            }
            sink.emit(Event::RecentSynced {
                sources: outcomes.iter().map(|o| o.source.clone()).collect(),
            });
            let history = engine::run_stage(&db, &jobs, &http, clock, sink, Stage::History).await?;
            outcomes = engine::merge_outcomes(outcomes, history);
        }
        for (source, kind, error) in missing {
            outcomes.push(SourceOutcome {
                source,
                kind,
                ok: false,
                error: Some(error),
                error_code: Some(bosun_core::Code::Auth),
                requests: 0,
                not_modified: 0,
                items: 0,
                warnings: Vec::new(),
            });
        }
        // New accounts may have arrived: link them to people (cheap, and idempotent).
        if outcomes.iter().any(|o| o.ok) {
            let mut store = db
                .into_inner()
                .ok_or_else(|| AppError::Demo("the store is still in use after the sync".into()))?;
            crate::identity::apply(&mut store, &self.config, self.now())?;
            let kept = self.apply_retention(&mut store)?;
            if kept.raw_payloads_deleted + kept.chat_messages_blanked > 0 {
                tracing::info!(
                    "retention: {} raw payloads deleted, {} chat messages' text removed",
                    kept.raw_payloads_deleted,
                    kept.chat_messages_blanked
                );
            }
        }
        Ok(outcomes)
    }

    /// The workflows of every repository of a GitHub source, each marked when it looks like a
    /// deploy (proposed for `deploy_workflows`) and when the source's `deploy_workflows` already
    /// name it. Asks GitHub with the source's token, like a sync.
    pub async fn source_workflows(
        &self,
        key: &str,
    ) -> Result<Vec<bosun_connectors::github::actions::RepoWorkflows>> {
        let source = {
            let store = self.store()?;
            self.find_source(&store, key)?
        };
        if source.kind != Provider::Github {
            return Err(AppError::InvalidInput(format!(
                "source {} is a {} source; workflows are GitHub's",
                source.name, source.kind
            )));
        }
        let token = source_token(&self.tokens, &source).await?.ok_or_else(|| {
            AppError::InvalidInput(format!("source {} needs no token", source.name))
        })?;
        let sink: Arc<dyn EventSink> = Arc::new(bosun_connectors::events::NullSink);
        Ok(
            bosun_connectors::github::list_workflows(&source, token, self.config.http(), sink)
                .await?,
        )
    }

    /// Keep syncing git sources as their repositories change (a commit, a fetch, a new tag),
    /// until `stop` resolves. `on_sync` sees each re-sync's outcome.
    pub async fn watch_git(
        &self,
        sink: Arc<dyn EventSink>,
        stop: impl std::future::Future<Output = ()>,
        on_ready: impl FnOnce(),
        mut on_sync: impl FnMut(&[SourceOutcome]),
    ) -> Result<()> {
        use bosun_connectors::git;
        let store = self.store()?;
        let mut watched: Vec<(std::path::PathBuf, String)> = Vec::new();
        for s in sync_state::sources(store.conn())?
            .into_iter()
            .filter(|s| s.kind == Provider::Git && s.enabled)
        {
            let (settings, _) = git::GitSettings::from_source(&s)?;
            watched.push((std::path::PathBuf::from(settings.path), s.name));
        }
        drop(store);
        if watched.is_empty() {
            return Err(AppError::NotFound(
                "no git sources to watch: add one with `bosun sources add git PATH`".into(),
            ));
        }
        let paths: Vec<std::path::PathBuf> = watched.iter().map(|(p, _)| p.clone()).collect();
        let mut watcher = git::watch(&paths, git::DEFAULT_DEBOUNCE)?;
        on_ready();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                changed = watcher.changed() => {
                    let Some(path) = changed else { return Ok(()) };
                    if let Some((_, name)) = watched.iter().find(|(p, _)| *p == path) {
                        let outcomes = self.sync(Some(name), sink.clone()).await?;
                        on_sync(&outcomes);
                    }
                }
                () = &mut stop => return Ok(()),
            }
        }
    }

    /// People with their accounts and teams, and the accounts nobody could be matched to.
    pub fn people(&self) -> Result<PeopleView> {
        let store = self.store()?;
        let conn = store.conn();
        let view = |a: bosun_store::accounts::AccountRow| AccountView {
            provider: a.provider,
            id: a.external_id,
            login: a.login,
            name: a.display_name,
            email: a.email,
            match_method: a.match_method,
            confidence: a.match_confidence,
        };
        let mut people = Vec::new();
        for p in bosun_store::identity::people_with_accounts(conn)? {
            let accounts = bosun_store::accounts::of_person(conn, p.id)?
                .into_iter()
                .map(view)
                .collect();
            people.push(PersonView {
                key: p.key,
                name: p.name,
                email: p.primary_email,
                is_bot: p.is_bot,
                team: p.team_key,
                team_name: p.team_name,
                manager: p.manager,
                accounts,
            });
        }
        // Accounts tied to nobody else: each is a person of its own (see identity::UNMATCHED),
        // listed here too so the manager can review them.
        let unmatched = bosun_store::accounts::unmatched(conn, crate::identity::UNMATCHED)?
            .into_iter()
            .map(view)
            .collect();
        Ok(PeopleView { people, unmatched })
    }

    pub fn status(&self, check: bool) -> Result<Status> {
        let db = self.paths.database();
        let base = Status {
            data_dir: self.paths.data_dir.display().to_string(),
            database: db.display().to_string(),
            initialized: false,
            schema_version: 0,
            size_bytes: 0,
            sources: Vec::new(),
            counts: BTreeMap::new(),
            integrity: None,
        };
        if !db.exists() {
            return Ok(base);
        }
        let store = self.store()?;
        let conn = store.conn();
        let mut sources = Vec::new();
        for s in sync_state::sources(conn)? {
            let jobs = sync_state::jobs(conn, s.id)?;
            let cursors = sync_state::cursors(conn, s.id)?.len();
            sources.push(SourceStatus {
                source: SourceView {
                    history: history(&store, &s),
                    ..view(&s, token_origin(&self.tokens, &s))
                },
                jobs,
                cursors,
            });
        }
        let integrity = if check {
            store.integrity_check()?;
            Some("ok".to_string())
        } else {
            None
        };
        Ok(Status {
            initialized: true,
            schema_version: bosun_store::migrations::schema_version(conn)?,
            size_bytes: std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0),
            sources,
            counts: bosun_store::counts::counts(conn)?,
            integrity,
            ..base
        })
    }
}
