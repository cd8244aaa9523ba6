//! The Slack connector on real Slack message payloads: the 29 messages of slack-go's own tests
//! (Debian's golang-github-slack-go-slack-dev, `tests/fixtures/slack/slack-go`), decoded with the
//! connector's types, then served over HTTP as a channel's history to a real sync beside a
//! channel Slack answers `channel_not_found` for and one the settings name that no longer exists.
//!
//! What real Slack sends that the generated organisation never did: hidden `message_changed` and
//! `message_deleted` records (applied to the message they name), channel events (`channel_join`,
//! `channel_topic`, …: nobody's message), a legacy `file_comment` whose author is
//! `comment.user`, and a per-channel error that must not fail the other channels.

use axum::Router;
use axum::extract::{Path as UrlPath, Query};
use axum::routing::get;
use bosun_connectors::Db;
use bosun_connectors::engine::{self, SyncJob};
use bosun_connectors::events::VecSink;
use bosun_connectors::slack::api;
use bosun_connectors::slack::normalize::{Record, record};
use bosun_core::model::Provider;
use bosun_core::{FixedClock, Sensitive};
use bosun_store::Store;
use bosun_store::sync_state::{self, NewSource};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

fn payloads() -> serde_json::Map<String, Value> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/slack/slack-go/messages.json");
    match serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap() {
        Value::Object(m) => m,
        _ => panic!("{}: not an object", p.display()),
    }
}

fn decode(name: &str, v: &Value) -> api::Message {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_real_message_decodes_and_is_a_message_an_edit_a_deletion_or_a_channel_event() {
    let all = payloads();
    assert_eq!(all.len(), 29);
    let mut events = Vec::new();
    for (name, v) in &all {
        let r = record(&decode(name, v));
        let subtype = v.get("subtype").and_then(Value::as_str).unwrap_or("");
        let is_event = subtype.starts_with("channel_") || subtype.starts_with("group_");
        match &r {
            Record::Event => events.push(name.as_str()),
            Record::Message(m) => {
                assert!(!is_event, "{name} ({subtype}) kept as a message");
                assert!(m.author.is_some(), "{name}: no author");
            }
            Record::Deleted { .. } => assert_eq!(subtype, "message_deleted"),
        }
        assert_eq!(is_event, r == Record::Event, "{name} ({subtype})");
    }
    assert_eq!(events.len(), 16, "{events:?}");

    // The edit is the message it names, as it is now.
    let Record::Message(m) = record(&decode("changed", &all["messageChangedMessage"])) else {
        panic!("an edit is a message")
    };
    assert_eq!(
        (m.ts.as_str(), m.text.as_str(), m.edited_at),
        ("1355517523.000005", "Hello, world!", Some(1_358_878_755))
    );
    assert_eq!(m.author.unwrap().external_id, "U2147483697");
    // A deletion names the deleted message, at the deletion's time.
    assert_eq!(
        record(&decode("deleted", &all["messageDeletedMessage"])),
        Record::Deleted {
            ts: "1358878749.000002".into(),
            at: 1_358_878_755
        }
    );
    // A file comment is its commenter's, with the comment as its text.
    let Record::Message(c) = record(&decode("comment", &all["testComment"])) else {
        panic!("a file comment is a message")
    };
    assert_eq!(c.author.unwrap().external_id, "U2147483697");
    assert_eq!(c.text, "another comment");
    // An app's message is the app's; an edited message says when.
    let Record::Message(b) = record(&decode("bot", &all["botMessage"])) else {
        panic!("a bot message is a message")
    };
    assert_eq!(
        b.author.map(|a| (a.external_id, a.is_bot)),
        Some(("BB12033".into(), true))
    );
    let Record::Message(e) = record(&decode("edited", &all["editedMessage"])) else {
        panic!()
    };
    assert_eq!(e.edited_at, Some(1_433_314_416));
    // A reply points at its thread; a parent does not point at itself.
    let Record::Message(child) = record(&decode("child", &all["channelRepliesChildMessage"]))
    else {
        panic!()
    };
    assert_eq!(child.thread_ts.as_deref(), Some("1493305433.915644"));
    let Record::Message(parent) = record(&decode("parent", &all["channelRepliesParentMessage"]))
    else {
        panic!()
    };
    assert_eq!((parent.thread_ts, parent.reply_count), (None, Some(2)));
}

/// A Slack Web API on 127.0.0.1: `general` holds the real messages (newest first, as Slack
/// pages them), `gone` answers `channel_not_found`.
async fn slack(history: Vec<Value>, replies: Vec<Value>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route(
        "/api/{method}",
        get(
            move |UrlPath(method): UrlPath<String>, Query(q): Query<HashMap<String, String>>| {
                let (history, replies) = (history.clone(), replies.clone());
                async move {
                    let channel = q.get("channel").map(String::as_str);
                    axum::Json(match (method.as_str(), channel) {
                        ("auth.test", _) => {
                            json!({"ok": true, "url": "https://test.slack.com/", "user_id": "U2147483697"})
                        }
                        ("users.list", _) => json!({"ok": true, "members": [
                            {"id": "U2147483697", "name": "tester", "profile": {"real_name": "Tester"}},
                            {"id": "U2147483828", "name": "cal", "profile": {}}
                        ]}),
                        ("conversations.list", _) => json!({"ok": true, "channels": [
                            {"id": "C2147483705", "name": "general", "is_member": true},
                            {"id": "C0GONE", "name": "gone", "is_member": true}
                        ]}),
                        ("conversations.history", Some("C2147483705")) => {
                            json!({"ok": true, "messages": history, "has_more": false})
                        }
                        ("conversations.replies", Some("C2147483705")) => {
                            json!({"ok": true, "messages": replies, "has_more": false})
                        }
                        _ => json!({"ok": false, "error": "channel_not_found"}),
                    })
                }
            },
        ),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn sync(db: &Db) -> engine::SourceOutcome {
    let source = db
        .read(|s| Ok(sync_state::sources(s.conn())?.remove(0)))
        .await
        .unwrap();
    let job = SyncJob {
        source,
        token: Some(Sensitive::new("xoxb-test".to_string())),
    };
    let now = bosun_core::time::from_ts(1_700_000_000);
    engine::run(
        db,
        vec![job],
        &crate::support::fast_http(),
        &FixedClock(now),
        Arc::new(VecSink::default()),
    )
    .await
    .unwrap()
    .remove(0)
}

/// (ts, text, author's Slack id, deleted) of every stored message, by ts.
async fn stored(db: &Db) -> Vec<(String, String, Option<String>, bool)> {
    db.read(|s| {
        let mut st = s
            .conn()
            .prepare(
                "SELECT m.ts, m.text, a.external_id, m.deleted_at IS NOT NULL FROM chat_messages m
                   LEFT JOIN accounts a ON a.id = m.author_account_id ORDER BY m.ts",
            )
            .map_err(crate::support::sql_err)?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .and_then(|r| r.collect::<Result<Vec<_>, _>>())
            .map_err(crate::support::sql_err)?;
        Ok(rows)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_history_syncs_with_edits_and_deletions_applied_events_left_out_and_a_lost_channel_warned()
 {
    let all = payloads();
    let p = |n: &str| all[n].clone();
    // The message the real deletion names, older than the deletion (so read after it).
    let mut doomed = p("simpleMessage");
    doomed["ts"] = json!("1358878749.000002");
    doomed["text"] = json!("this one will be deleted");
    let history = vec![
        p("channelRepliesParentMessage"),
        p("testComment"),
        p("testPost"),
        p("editedMessage"),
        p("starredMessage"),
        p("channelArchiveMessage"),
        p("messageDeletedMessage"),
        doomed,
        p("channelJoinMessage"),
        p("botMessage"),
        p("simpleMessage"),
    ];
    // The deletion and the edit share a ts in slack-go's examples; Slack's never do.
    let mut changed = p("messageChangedMessage");
    changed["ts"] = json!("1358878755.000002");
    let mut history = history;
    history.insert(6, changed);
    let replies = vec![
        p("channelRepliesParentMessage"),
        p("channelRepliesChildMessage"),
    ];
    let base = slack(history, replies).await;

    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bosun.db")).unwrap();
    store
        .write(|tx| {
            sync_state::add_source(
                tx,
                &NewSource {
                    kind: Provider::Slack,
                    name: "slack",
                    base_url: Some(&base),
                    settings: json!({"channels": ["general", "gone", "old-name"]}),
                    demo: false,
                },
                0,
            )
        })
        .unwrap();
    let db = Db::new(store);

    let out = sync(&db).await;
    assert!(out.ok, "{:?}", out.error);
    assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
    assert!(
        out.warnings[0].starts_with("#old-name: no such channel")
            && out.warnings[0].contains("general, gone"),
        "{}",
        out.warnings[0]
    );
    assert!(
        out.warnings[1].starts_with("#gone: ") && out.warnings[1].contains("channel_not_found"),
        "{}",
        out.warnings[1]
    );
    let want = vec![
        // The edit applied to the message it names.
        ("1355517523.000005".into(), "Hello, world!".into(), Some("U2147483697".into()), false),
        ("1358877455.000010".into(), "Pushing is the answer".into(), Some("BB12033".into()), false),
        // The deleted message: a tombstone, its text gone (its older copy, read after the
        // deletion, did not bring it back).
        ("1358878749.000002".into(), String::new(), Some("U2147483697".into()), true),
        ("1433314126.000003".into(), "is testing".into(), Some("U2147483697".into()), false),
        ("1433314408.000004".into(), "hello edited".into(), Some("U2147483697".into()), false),
        (
            "1433315416.000008".into(),
            "<@U2147483697|tester> shared a file: <https://test.slack.com/files/tester/abc/test_post|test post>".into(),
            Some("U2147483697".into()),
            false,
        ),
        // The file comment is its commenter's.
        ("1433316360.000009".into(), "another comment".into(), Some("U2147483697".into()), false),
        ("1493305433.915644".into(), "test".into(), Some("U1234".into()), false),
        ("1493305444.920992".into(), "foo".into(), Some("U5678".into()), false),
    ];
    assert_eq!(
        stored(&db).await,
        want,
        "the join and the archiving are nobody's messages"
    );
    // The channel that failed has its error on its job; a second sync changes nothing.
    let failed: i64 = db
        .read(|s| {
            s.conn()
                .query_row(
                    "SELECT count(*) FROM jobs WHERE scope = '#gone' AND last_error LIKE '%channel_not_found%'",
                    [],
                    |r| r.get(0),
                )
                .map_err(crate::support::sql_err)
        })
        .await
        .unwrap();
    assert_eq!(failed, 1);
    let again = sync(&db).await;
    assert!(again.ok);
    assert_eq!(stored(&db).await, want);
}
