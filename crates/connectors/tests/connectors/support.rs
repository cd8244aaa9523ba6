use bosun_connectors::engine::Stage;
use bosun_connectors::events::VecSink;
use bosun_connectors::github::{GithubSettings, SyncStats, sync_source, sync_stage};
use bosun_connectors::http::HttpConfig;
use bosun_connectors::{Db, Result};
use bosun_core::Sensitive;
use bosun_demo::{GenOptions, Org, World, generate};
use bosun_fakes::{RunningFake, ServeOptions, start_github};
use bosun_store::Store;
use bosun_store::sync_state::{self, NewSource, Source};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub const AS_OF: &str = "2026-11-20T09:00:00Z";

/// The demo world, two months of it (enough for pagination everywhere, quick to sync).
/// A test's own SQL error, as the connectors report store errors.
pub fn sql_err(e: rusqlite::Error) -> bosun_connectors::ConnectorError {
    bosun_connectors::ConnectorError::Store(e.into())
}

pub fn world() -> Arc<World> {
    static W: OnceLock<Arc<World>> = OnceLock::new();
    W.get_or_init(|| {
        let as_of = bosun_core::time::parse_user_time(AS_OF).unwrap();
        Arc::new(generate(
            &Org::bundled().unwrap(),
            &GenOptions {
                months: 2,
                ..GenOptions::new(as_of)
            },
        ))
    })
    .clone()
}

pub fn as_of_ts() -> i64 {
    bosun_core::time::parse_rfc3339(AS_OF).unwrap()
}

pub struct Harness {
    pub fake: RunningFake,
    pub _dir: tempfile::TempDir,
    pub db: Db,
    pub source: Source,
    pub sink: Arc<VecSink>,
}

/// Quick retries so fault tests do not sleep for long.
pub fn fast_http() -> HttpConfig {
    HttpConfig {
        base_backoff: Duration::from_millis(20),
        max_attempts: 4,
        timeout: Duration::from_secs(10),
        secondary_wait: Duration::from_millis(300),
        ..HttpConfig::default()
    }
}

pub async fn harness() -> Harness {
    harness_with(GithubSettings {
        owner: "tidewater".into(),
        ..Default::default()
    })
    .await
}

pub async fn harness_with(settings: GithubSettings) -> Harness {
    harness_on(world(), &ServeOptions::default(), settings).await
}

/// A harness whose fake GitHub serves `world` with `opts` (its token's scopes, say).
pub async fn harness_on(
    world: Arc<World>,
    opts: &ServeOptions,
    settings: GithubSettings,
) -> Harness {
    let fake = start_github(world, opts).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bosun.db")).unwrap();
    let settings = serde_json::to_value(settings).unwrap();
    let id = store
        .write(|tx| {
            sync_state::add_source(
                tx,
                &NewSource {
                    kind: bosun_core::model::Provider::Github,
                    name: "github",
                    base_url: Some(&fake.base_url),
                    settings: settings.clone(),
                    demo: true,
                },
                0,
            )
        })
        .unwrap();
    let source = sync_state::source_by_id(store.conn(), id).unwrap().unwrap();
    Harness {
        fake,
        _dir: dir,
        db: Db::new(store),
        source,
        sink: Arc::new(VecSink::default()),
    }
}

impl Harness {
    pub async fn sync(&self) -> Result<SyncStats> {
        self.sync_with(bosun_fakes::DEMO_TOKEN).await
    }

    pub async fn sync_with(&self, token: &str) -> Result<SyncStats> {
        self.sync_at(token, as_of_ts()).await
    }

    /// A sync at another "now" (what is re-checked weekly depends on it).
    pub async fn sync_at(&self, token: &str, now: i64) -> Result<SyncStats> {
        sync_source(
            &self.db,
            &self.source,
            Sensitive::new(token.to_string()),
            fast_http(),
            now,
            self.sink.clone(),
        )
        .await
    }

    /// One stage of the sync (a first sync's recent pass, or its backfill), with `sink`.
    pub async fn sync_stage(
        &self,
        stage: Stage,
        sink: Arc<dyn bosun_connectors::EventSink>,
    ) -> Result<SyncStats> {
        sync_stage(
            &self.db,
            &self.source,
            Sensitive::new(bosun_fakes::DEMO_TOKEN.to_string()),
            fast_http(),
            as_of_ts(),
            sink,
            stage,
        )
        .await
    }

    pub async fn text(&self, sql: &'static str) -> String {
        self.db
            .read(move |s| s.conn().query_row(sql, [], |r| r.get(0)).map_err(sql_err))
            .await
            .unwrap()
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        self.db
            .read(move |s| s.conn().query_row(sql, [], |r| r.get(0)).map_err(sql_err))
            .await
            .unwrap()
    }
}
