//! The live check of Slack commands against the fake Slack over real HTTP and a real
//! WebSocket: a Slack source with no app-level token fails the check with what to do; a bot
//! token or a token Slack refuses is not kept; the demo app's token is checked with Slack's
//! `hello`, kept in the encrypted token file, audited without the token; the check then passes
//! (app id from `hello`, the bot token's scopes from `x-oauth-scopes`); a running listener is
//! reported as it is; a refused bot token fails with Slack's code explained.

use bosun_app::NewSourceSpec;
use bosun_app::doctor::{Level, Report};
use bosun_app::secrets::{StoreKind, TokenOrigin};
use bosun_app::{App, AppError, Paths, demo};
use bosun_connectors::slack::socket::{SocketPhase, SocketStatus};
use bosun_core::Sensitive;
use bosun_core::clock::FixedClock;
use bosun_core::model::Provider;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn level(r: &Report, name: &str) -> (Level, String) {
    let c = r
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name} in {r:?}"));
    (c.level, c.reason.clone())
}

fn slack_source(app: &App, name: &str, base: &str, bot: &str) {
    app.add_source(NewSourceSpec {
        kind: Provider::Slack,
        name: name.into(),
        base_url: Some(base.into()),
        settings: json!({"channels": ["*"]}),
        token: Some(Sensitive::new(bot.into())),
    })
    .unwrap();
}

#[test]
fn the_live_check_finds_what_is_missing_keeps_only_tokens_slack_accepts_and_reads_the_listener() {
    let dir = tempfile::tempdir().unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let app = Arc::new(App::new(Paths::in_dir(dir.path()), Arc::new(FixedClock(as_of))).unwrap());
    app.use_token_file(&Sensitive::new("correct horse battery".into()))
        .unwrap();
    let months = demo::DemoOptions {
        months: 2,
        ..Default::default()
    };
    let world = Arc::new(demo::world(months, as_of).unwrap());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let providers = demo::start(world, 0).await.unwrap();
        let base = providers.slack.base_url.clone();
        slack_source(&app, "acme", &base, bosun_fakes::DEMO_TOKEN);

        // No app-level token yet: the check fails and says where to put one.
        let setup = app.slack_commands_setup().await.unwrap();
        assert_eq!(setup.source.as_deref(), Some("acme"));
        assert_eq!(setup.app_token, TokenOrigin::Missing);
        let r = app.check_slack_commands(None).await.unwrap();
        assert!(!r.ok);
        let (l, why) = level(&r, "slack_socket_mode");
        assert_eq!(l, Level::Fail);
        assert!(
            why.contains("no app-level token for acme") && why.contains("xapp-"),
            "{why}"
        );
        assert_eq!(level(&r, "slack_commands").0, Level::Ok);
        assert_eq!(level(&r, "slack_bot_token").0, Level::Ok);

        // A bot token, and an app-level token Slack does not know: refused, nothing kept.
        let e = app
            .store_slack_app_token("acme", Sensitive::new(bosun_fakes::DEMO_TOKEN.into()))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::InvalidInput(_)), "{e}");
        let e = app
            .store_slack_app_token("acme", Sensitive::new("xapp-1-someone-else".into()))
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains("invalid_auth") && e.to_string().contains("not kept"),
            "{e}"
        );
        assert!(app.tokens().get("acme.app").unwrap().is_none());
        let e = app
            .store_slack_app_token("nope", Sensitive::new("xapp-1-x".into()))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e}");

        // The right one: checked with Slack's hello, kept in the token file, audited without it.
        let token = bosun_fakes::slack_socket::DEMO_APP_TOKEN;
        let kept = app
            .store_slack_app_token("acme", Sensitive::new(format!(" {token}\n")))
            .await
            .unwrap();
        assert_eq!(kept.store, StoreKind::File);
        assert_eq!(kept.app_id.as_deref(), Some("ABOSUN0001"));
        assert_eq!(
            app.tokens().get("acme.app").unwrap().unwrap().expose(),
            token
        );
        let audit = app.audit_entries(50).unwrap();
        let entry = audit
            .iter()
            .find(|e| e.action == bosun_app::slack_check::APP_TOKEN_ACTION)
            .expect("the stored token is audited");
        assert_eq!(entry.subject.as_deref(), Some("source:acme"));
        assert!(!serde_json::to_string(&entry.trace).unwrap().contains(token));
        assert_eq!(
            app.slack_commands_setup().await.unwrap().app_token,
            TokenOrigin::TokenFile
        );

        // Now the check passes, with a one-off connection (nothing listens in this process).
        let r = app.check_slack_commands(None).await.unwrap();
        let (l, why) = level(&r, "slack_socket_mode");
        assert_eq!(l, Level::Ok, "{why}");
        assert!(
            why.contains("said hello") && why.contains("ABOSUN0001"),
            "{why}"
        );
        assert!(why.contains("nothing listens in this process"), "{why}");
        let (l, why) = level(&r, "slack_bot_scopes");
        assert_eq!(l, Level::Ok, "{why}");
        // Nobody synced yet: Bosun cannot know the manager's Slack account.
        assert_eq!(level(&r, "slack_manager").0, Level::Warn);
        assert!(r.ok, "{r:?}");

        // With the listener running, its own connection is reported.
        let (report, mut status) = tokio::sync::watch::channel(SocketStatus::default());
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let listener = {
            let app = app.clone();
            tokio::spawn(async move {
                app.listen_slack(stopped, Arc::new(bosun_connectors::NullSink), Some(report))
                    .await
            })
        };
        tokio::time::timeout(Duration::from_secs(30), async {
            while !matches!(status.borrow().phase, SocketPhase::Connected { .. }) {
                status.changed().await.unwrap();
            }
        })
        .await
        .expect("the listener connects");
        let now = status.borrow().clone();
        let r = app.check_slack_commands(Some(now)).await.unwrap();
        let (l, why) = level(&r, "slack_socket_mode");
        assert_eq!(l, Level::Ok, "{why}");
        assert!(
            why.starts_with("listening: connected to Slack as app ABOSUN0001"),
            "{why}"
        );
        stop.send(true).unwrap();
        let stats = listener.await.unwrap().unwrap().unwrap();
        assert_eq!(stats.hellos, 1);
        assert_eq!(status.borrow().phase, SocketPhase::Stopped);

        // A bot token Slack refuses: the check says so, with the code explained.
        slack_source(&app, "other", &base, "xoxb-revoked");
        let r = app.check_slack_commands(None).await.unwrap();
        assert_eq!(level(&r, "slack_source").1, "acme answers the commands");
        drop(r);
        app.remove_source("acme").unwrap();
        let r = app.check_slack_commands(None).await.unwrap();
        let (l, why) = level(&r, "slack_bot_token");
        assert_eq!(l, Level::Fail);
        assert!(
            why.contains("invalid_auth") && why.contains("Slack does not know"),
            "{why}"
        );
        assert!(!r.ok);
        providers.shutdown().await;
    });
}
