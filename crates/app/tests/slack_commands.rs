//! Slack commands end to end on the synced demo: the fake Slack's Socket Mode over a real
//! WebSocket, [`App::listen_slack`] answering, answers read back from the commands' response
//! URLs. The manager's `/standup harbor` is exactly the CLI's standup as Slack blocks; a member
//! gets their own team's; a stranger, a member's `/brief` and a member past the rate limit are
//! refused by policy; `/ask` cites the handbook; a reconnect Slack asks for loses and repeats
//! nothing; every command is audited with its Slack user id and the ledger verifies.

#[path = "support/demo.rs"]
mod support;

use bosun_app::App;
use bosun_app::demo;
use bosun_core::model::ActionStatus;
use bosun_knowledge::index::NoEvents;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

struct Slack {
    base: String,
    http: reqwest::Client,
}

impl Slack {
    async fn send(&self, line: &str, user: &str) -> (String, Value) {
        let (command, text) = line.split_once(' ').unwrap_or((line, ""));
        let v: Value = self
            .http
            .post(format!("{}/_fake/slack/socket/command", self.base))
            .json(&json!({"command": command, "text": text, "user_id": user}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = v["envelope_id"].as_str().unwrap().to_string();
        for _ in 0..600 {
            let got = self.responses(&id).await;
            if let Some(first) = got.first() {
                return (id, first.clone());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no answer to {line} within 60 s");
    }

    /// `GET path` on the fake Slack, as JSON.
    async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn responses(&self, id: &str) -> Vec<Value> {
        let v = self
            .get(&format!("/_fake/slack/socket/responses/{id}"))
            .await;
        v.as_array().unwrap().clone()
    }

    /// The messages Bosun posted to the fake Slack.
    async fn posted(&self) -> Vec<Value> {
        let v = self.get("/_fake/slack/posted").await;
        v.as_array().unwrap().clone()
    }

    /// Press a button of a message as `user`; the reply posted to the press's response URL.
    async fn press(&self, action_id: &str, value: &str, user: &str, key: &str) -> Value {
        let url = format!("{}/_fake/slack/respond/{key}", self.base);
        self.http
            .post(format!("{}/_fake/slack/socket/interaction", self.base))
            .json(&json!({"type": "block_actions", "user": {"id": user},
                "actions": [{"action_id": action_id, "value": value, "type": "button"}],
                "response_url": url}))
            .send()
            .await
            .unwrap();
        for _ in 0..600 {
            if let Some(first) = self.responses(key).await.first() {
                return first.clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no answer to the press {key}");
    }

    /// Queue any interaction payload (a press without a response URL, a submitted modal).
    async fn interact(&self, payload: Value) {
        self.http
            .post(format!("{}/_fake/slack/socket/interaction", self.base))
            .json(&payload)
            .send()
            .await
            .unwrap();
    }

    /// The `views.open` and `chat.update` calls Bosun made.
    async fn calls(&self, method: &str) -> Vec<Value> {
        let v = self.get("/_fake/slack/calls").await;
        v.as_array()
            .unwrap()
            .iter()
            .filter(|c| c["method"] == method)
            .map(|c| c["body"].clone())
            .collect()
    }

    async fn post_json(&self, path: &str, body: Value) {
        self.http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
    }

    async fn fault(&self, fault: &str) {
        self.http
            .post(format!("{}/_fake/slack/socket/fault", self.base))
            .json(&json!({ "fault": fault }))
            .send()
            .await
            .unwrap();
    }
}

fn text_of(reply: &Value) -> String {
    reply["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn slack_id(app: &App, person: &str) -> String {
    let store = app.store().unwrap();
    let p = bosun_app::notes::resolve_person(store.conn(), person).unwrap();
    bosun_store::chatops::slack_id_of(store.conn(), p.id)
        .unwrap()
        .unwrap()
}

#[test]
fn slash_commands_answer_from_the_engines_as_policy_allows_and_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (app, as_of) = support::synced_demo(dir.path());
    // Evaluating the signals drafts the actions that wait for approval (as the app does).
    app.refresh_signals(&["open"]).unwrap();
    assert!(
        !app.actions(&[ActionStatus::Draft])
            .unwrap()
            .actions
            .is_empty()
    );
    let docs = bosun_api_docs();
    app.index_add(&docs.join("incidents"), &NoEvents).unwrap();
    let world = Arc::new(support::world(as_of));
    let manager = slack_id(&app, &world.org.company.me);
    let harbor = world.org.teams.iter().find(|t| t.key == "harbor").unwrap();
    let member_key = &world
        .org
        .people
        .iter()
        .find(|p| p.team == harbor.key && p.key != harbor.manager)
        .unwrap()
        .key;
    let member = slack_id(&app, member_key);
    let expected_standup = bosun_notes::slack::message(&app.standup(Some("harbor"), None).unwrap());

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let providers = demo::start(world.clone(), 0).await.unwrap();
        demo::register(&app, &providers).unwrap();
        let app = Arc::new(App::new(app.paths.clone(), app.clock()).unwrap());
        let slack = Slack {
            base: providers.slack.base_url.clone(),
            http: reqwest::Client::new(),
        };
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let listener = {
            let app = app.clone();
            tokio::spawn(async move {
                app.listen_slack(stopped, Arc::new(bosun_connectors::NullSink), None)
                    .await
            })
        };

        // The manager's standup: the CLI's note, as blocks, to the manager only.
        let (first, reply) = slack.send("/standup harbor", &manager).await;
        assert_eq!(reply["response_type"], "ephemeral");
        assert_eq!(
            reply["blocks"],
            serde_json::to_value(&expected_standup.blocks).unwrap()
        );
        assert_eq!(reply["text"], json!(expected_standup.text));

        // A member's /standup is their own team's.
        let (_, reply) = slack.send("/standup", &member).await;
        assert_eq!(reply["blocks"][0]["text"]["text"], "Standup — Harbor");

        // Slack asks for a fresh connection: the next command still arrives, once.
        slack.fault("refresh").await;
        let (triage, reply) = slack.send("/triage harbor", &manager).await;
        assert!(text_of(&reply).contains("Waiting for review"), "{reply}");

        // /ask cites the handbook, file and lines.
        let (_, reply) = slack
            .send("/ask how do I declare an incident", &member)
            .await;
        let text = text_of(&reply);
        assert!(
            text.contains("incident-process.md") && text.contains("lines"),
            "{text}"
        );

        // Refusals: a stranger; /brief is the manager's; the rate limit (6 a minute).
        let (_, reply) = slack.send("/standup harbor", "U0STRANGER").await;
        assert!(
            text_of(&reply).contains("only members of the manager's teams"),
            "{reply}"
        );
        let (_, reply) = slack.send("/brief", &member).await;
        assert!(text_of(&reply).contains("for the manager only"), "{reply}");
        let (_, reply) = slack.send("/brief", &manager).await;
        assert!(text_of(&reply).contains("Morning brief"), "{reply}");
        let mut limited = None;
        for _ in 0..4 {
            let (_, reply) = slack.send("/triage", &member).await;
            if text_of(&reply).contains("at most 6 commands a minute") {
                limited = Some(reply);
            }
        }
        assert!(limited.is_some(), "the member's 7th command is refused");

        // Drafts waiting for approval are offered to the manager, one DM each, with buttons.
        // A backlog comes ten at a time (the next ten 30 s later).
        let drafts = app.actions(&[ActionStatus::Draft]).unwrap().actions;
        let expected = drafts
            .len()
            .min(bosun_app::slack_approvals::OFFER_PER_ROUND);
        let mut offered = Vec::new();
        for _ in 0..100 {
            offered = slack
                .posted()
                .await
                .into_iter()
                .filter(|m| m["channel"] == json!(format!("D{manager}")) && m["blocks"].is_array())
                .collect();
            if offered.len() >= expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(offered.len(), expected, "one DM per draft, ten a round");
        assert!(offered.len() >= 3, "the demo has drafts to approve, edit and reject");
        let ids: std::collections::BTreeSet<&str> = offered
            .iter()
            .map(|m| m["blocks"][2]["elements"][0]["value"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), offered.len(), "no draft offered twice");
        let first_draft = &offered[0];
        let id = first_draft["blocks"][2]["elements"][0]["value"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            first_draft["blocks"][2]["elements"][0]["action_id"],
            "bosun_approve"
        );
        // A member's press does not count; the manager's approves and sends, once.
        let reply = slack
            .press("bosun_approve", &id, &member, "press-member")
            .await;
        assert!(
            reply["text"].as_str().unwrap().contains("Only the manager"),
            "{reply}"
        );
        assert_eq!(app.actions(&[ActionStatus::Draft]).unwrap().actions.len(), drafts.len());
        let reply = slack.press("bosun_approve", &id, &manager, "press-1").await;
        assert_eq!(reply["replace_original"], true);
        let said = reply["text"].as_str().unwrap().to_string();
        assert!(said.starts_with("Approved"), "{said}");
        let again = slack.press("bosun_approve", &id, &manager, "press-2").await;
        assert!(
            again["text"].as_str().unwrap().starts_with("Nothing done"),
            "{again}"
        );
        let action = app
            .actions(&[])
            .unwrap()
            .actions
            .into_iter()
            .find(|a| a.row.id.to_string() == id)
            .unwrap();
        assert_ne!(action.row.status, ActionStatus::Draft);
        assert_eq!(
            action.row.decided_by.as_deref(),
            Some(format!("slack:{manager}").as_str())
        );
        assert_eq!(
            (action.row.status.as_str(), action.provider.as_str()),
            ("sent", "slack"),
            "{said}"
        );
        assert!(said.starts_with("Approved in Slack and sent"), "{said}");
        // The nudge itself reached Slack once (whatever else was offered meanwhile).
        let sent_copies = slack
            .posted()
            .await
            .into_iter()
            .filter(|m| m["text"] == json!(action.row.body) && !m["blocks"].is_array())
            .count();
        assert_eq!(sent_copies, 1, "sent exactly once, the second press did nothing");
        // Rejecting another draft from Slack.
        let id2 = offered[1]["blocks"][2]["elements"][2]["value"].as_str().unwrap();
        assert_eq!(offered[1]["blocks"][2]["elements"][2]["action_id"], "bosun_reject");
        let reply = slack.press("bosun_reject", id2, &manager, "press-3").await;
        assert!(reply["text"].as_str().unwrap().starts_with("Rejected in Slack"), "{reply}");

        // Edit…: a modal holding the draft's text; submitting it approves the edited text and
        // the draft's message says so.
        let third = &offered[2];
        assert_eq!(third["blocks"][2]["elements"][1]["action_id"], "bosun_edit");
        let id3 = third["blocks"][2]["elements"][1]["value"].as_str().unwrap().to_string();
        let before = app
            .actions(&[ActionStatus::Draft])
            .unwrap()
            .actions
            .into_iter()
            .find(|a| a.row.id.to_string() == id3)
            .unwrap();
        slack
            .interact(json!({"type": "block_actions", "user": {"id": manager}, "trigger_id": "trigger-1",
                "actions": [{"action_id": "bosun_edit", "value": id3, "type": "button"}]}))
            .await;
        let mut views = Vec::new();
        for _ in 0..100 {
            views = slack.calls("views.open").await;
            if !views.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(views.len(), 1);
        assert_eq!(views[0]["trigger_id"], "trigger-1");
        assert_eq!(views[0]["view"]["private_metadata"], json!(id3));
        assert_eq!(
            views[0]["view"]["blocks"][0]["element"]["initial_value"],
            json!(before.row.body.chars().take(3000).collect::<String>())
        );
        let edited = "Edited in Slack: could you take a look today?";
        slack
            .interact(json!({"type": "view_submission", "user": {"id": manager},
                "view": {"callback_id": "bosun_edit", "private_metadata": id3,
                    "state": {"values": {"body": {"text": {"type": "plain_text_input", "value": edited}}}}}}))
            .await;
        let mut updates = Vec::new();
        for _ in 0..100 {
            updates = slack.calls("chat.update").await;
            if !updates.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(updates.len(), 1);
        assert_eq!(updates[0]["ts"], third["ts"]);
        assert!(
            updates[0]["text"].as_str().unwrap().starts_with("Edited and approved"),
            "{}",
            updates[0]
        );
        let after = app
            .actions(&[])
            .unwrap()
            .actions
            .into_iter()
            .find(|a| a.row.id.to_string() == id3)
            .unwrap();
        assert_eq!(after.row.body, edited);
        assert_eq!(after.row.decided_by.as_deref(), Some(format!("slack:{manager}").as_str()));

        // An @mention is the command it names, answered in its thread to the asker only (the
        // manager here: the member has used up the minute's commands).
        let channel = world.org.channels.iter().find(|c| c.name == "harbor").unwrap().id.clone();
        slack
            .post_json(
                "/_fake/slack/socket/event",
                json!({"type": "app_mention", "user": manager, "channel": channel,
                    "text": "<@UBOSUNBOT> standup harbor", "ts": "1795170000.000100"}),
            )
            .await;
        let mut ephemeral = Vec::new();
        for _ in 0..100 {
            ephemeral = slack.calls("chat.postEphemeral").await;
            if !ephemeral.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(ephemeral.len(), 1);
        assert_eq!(ephemeral[0]["user"], json!(manager));
        assert_eq!(ephemeral[0]["channel"], json!(channel));
        assert_eq!(ephemeral[0]["thread_ts"], "1795170000.000100");
        assert_eq!(ephemeral[0]["blocks"][0]["text"]["text"], "Standup — Harbor");

        // Each command was answered once, even across the reconnect.
        assert_eq!(slack.responses(&first).await.len(), 1);
        assert_eq!(slack.responses(&triage).await.len(), 1);
        stop.send(true).unwrap();
        let stats = tokio::time::timeout(Duration::from_secs(10), listener)
            .await
            .unwrap()
            .unwrap()
            .unwrap()
            .expect("the demo listens");
        // 11 commands, 4 presses with a reply, the Edit… press, the submitted modal, a mention.
        assert_eq!(stats.delivered, 11 + 4 + 2 + 1, "{stats:?}");
        assert_eq!(stats.refreshes, 1, "{stats:?}");
        assert_eq!(stats.duplicates, 0, "{stats:?}");
        providers.shutdown().await;
    });

    // Every command is in the audit ledger with its Slack user and the policy's codes.
    let entries = app.audit_entries(100).unwrap();
    let commands: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "slack.command")
        .collect();
    assert_eq!(commands.len(), 12, "11 slash commands and the mention");
    let stranger = commands
        .iter()
        .find(|e| e.actor == "slack:U0STRANGER")
        .unwrap();
    assert_eq!(stranger.result, "denied");
    let trace: Value = serde_json::from_str(&stranger.trace).unwrap();
    assert_eq!(trace["codes"], json!(["not_a_member"]));
    assert_eq!(
        commands
            .iter()
            .filter(|e| e.actor == format!("slack:{member}") && e.result == "denied")
            .count(),
        2,
        "the member's /brief and the command past the limit"
    );
    assert!(app.audit_verify().unwrap().ok);
}

/// The demo handbook (`demo/docs`).
fn bosun_api_docs() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../demo/docs")
        .canonicalize()
        .unwrap()
}
