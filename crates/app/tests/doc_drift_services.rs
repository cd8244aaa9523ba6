//! Doc drift for services: a runbook naming a service the incident tool renamed or deleted since
//! an earlier sync. Two real syncs of the PagerDuty connector over HTTP against the fake
//! PagerDuty — the second one serving a world where "Web App" became "Web Storefront" and
//! "Billing" was deleted — then the documents read as the signal cache reads them.

use bosun_connectors::Db;
use bosun_connectors::engine::{self, SyncJob};
use bosun_connectors::events::VecSink;
use bosun_connectors::http::HttpConfig;
use bosun_core::model::Provider;
use bosun_core::{FixedClock, Sensitive};
use bosun_fakes::ServeOptions;
use bosun_signals::input::StaleKind;
use bosun_store::Store;
use bosun_store::sync_state::{self, NewSource};
use std::sync::Arc;
use std::time::Duration;

const AS_OF: &str = "2026-11-20T09:00:00Z";

async fn sync(db: &Db, at: &str) {
    let source = db
        .read(|s| Ok(sync_state::sources(s.conn())?.remove(0)))
        .await
        .unwrap();
    let job = SyncJob {
        source,
        token: Some(Sensitive::new(bosun_fakes::DEMO_TOKEN.to_string())),
    };
    let http = HttpConfig {
        base_backoff: Duration::from_millis(20),
        ..HttpConfig::default()
    };
    let clock = FixedClock(bosun_core::time::parse_user_time(at).unwrap());
    let out = engine::run(db, vec![job], &http, &clock, Arc::new(VecSink::default()))
        .await
        .unwrap();
    assert_eq!(out[0].error, None);
}

#[test]
fn a_runbook_naming_a_renamed_or_deleted_service_is_stale_on_those_lines() {
    let as_of = bosun_core::time::parse_user_time(AS_OF).unwrap();
    let before = bosun_app::demo::world(
        bosun_app::demo::DemoOptions {
            months: 1,
            ..Default::default()
        },
        as_of,
    )
    .unwrap();
    let mut after = before.clone();
    let web = after
        .org
        .services
        .iter_mut()
        .find(|s| s.name == "Web App")
        .unwrap();
    web.name = "Web Storefront".into();
    after.org.services.retain(|s| s.name != "Billing");
    // The deleted service's incidents go with it (PagerDuty deletes them too).
    after
        .incidents
        .retain(|i| i.service != "billing" && i.service != "PSVBILL");

    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let runbook = "# Storefront outage\n\
                   \n\
                   1. Page the Web App on-call from PagerDuty.\n\
                   2. If invoices fail too, escalate to `billing`.\n\
                   3. Billing in prose, the web app, Payments and `Gateway` are fine.\n";
    std::fs::write(docs.join("runbook.md"), runbook).unwrap();
    std::fs::write(
        docs.join("escalation.html"),
        "<html><body>\n<p>Escalate to <code>billing</code> first.</p>\n</body></html>\n",
    )
    .unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let opts = ServeOptions::default();
        let first = bosun_fakes::start_pagerduty(Arc::new(before), &opts)
            .await
            .unwrap();
        let mut store = Store::open(&dir.path().join("bosun.db")).unwrap();
        store
            .write(|tx| {
                sync_state::add_source(
                    tx,
                    &NewSource {
                        kind: Provider::Pagerduty,
                        name: "pagerduty",
                        base_url: Some(&first.base_url),
                        settings: serde_json::json!({}),
                        demo: false,
                    },
                    0,
                )
            })
            .unwrap();
        let db = Db::new(store);
        sync(&db, "2026-11-13T09:00:00Z").await;
        let second = bosun_fakes::start_pagerduty(Arc::new(after), &opts)
            .await
            .unwrap();
        let url = second.base_url.clone();
        db.write(move |tx| {
            tx.execute("UPDATE sources SET base_url = ?1", [&url])
                .map_err(|e| bosun_connectors::ConnectorError::Store(e.into()))?;
            Ok(())
        })
        .await
        .unwrap();
        sync(&db, AS_OF).await;

        let root = docs.to_string_lossy().to_string();
        db.write(move |tx| {
            for (path, kind) in [("runbook.md", "markdown"), ("escalation.html", "html")] {
                tx.execute(
                    "INSERT INTO documents (root, path, kind, content_hash, size, mtime, indexed_at)
                     VALUES (?1, ?2, ?3, 'h', 1, 1763110800, 1763110800)",
                    rusqlite::params![root, path, kind],
                )
                .map_err(|e| bosun_connectors::ConnectorError::Store(e.into()))?;
            }
            Ok(())
        })
        .await
        .unwrap();

        let (former, stale) = db
            .read(|s| {
                let former = bosun_store::onboarding::former_services(s.conn())?;
                let stale = bosun_app::doc_drift::stale_docs(s.conn())
                    .map_err(|e| bosun_store::StoreError::Invalid(e.to_string()))?;
                Ok((former, stale))
            })
            .await
            .unwrap();
        // Bosun saw the rename and the deletion at the second sync.
        let seen: Vec<(&str, Option<&str>)> = former
            .iter()
            .map(|f| (f.name.as_str(), f.now.as_deref()))
            .collect();
        assert_eq!(seen, [("Billing", None), ("Web App", Some("Web Storefront"))]);
        assert!(former.iter().all(|f| f.at == bosun_core::time::parse_user_time(AS_OF).unwrap().timestamp()));

        assert_eq!(stale.len(), 2, "{stale:?}");
        let html = stale.iter().find(|d| d.path == "escalation.html").unwrap();
        assert_eq!(
            html.refs.iter().map(|r| (r.line, r.name.as_str())).collect::<Vec<_>>(),
            [(2, "Billing")]
        );
        let md = stale.iter().find(|d| d.path == "runbook.md").unwrap();
        let refs: Vec<(usize, &str, Option<&str>)> = md
            .refs
            .iter()
            .map(|r| (r.line, r.name.as_str(), r.renamed_to.as_deref()))
            .collect();
        assert_eq!(
            refs,
            [(3, "Web App", Some("Web Storefront")), (4, "Billing", None)]
        );
        assert!(md.refs.iter().all(|r| r.kind == StaleKind::Service && r.repo == "PagerDuty"));
        let fixes: Vec<String> = md.refs.iter().map(bosun_signals::stale_doc_fix).collect();
        assert_eq!(
            fixes[0],
            "line 3: the service `Web App` is now `Web Storefront` (renamed in PagerDuty (Bosun saw it on 2026-11-20))"
        );
        assert!(fixes[1].contains("`Billing` no longer exists"), "{fixes:?}");
        // The runbook was edited before both changes.
        assert_eq!(md.edited, Some(1_763_110_800));
    });
}
