//! Socket Mode against the fake Slack over a real WebSocket: commands arrive once and are
//! acknowledged within Slack's three seconds; a `disconnect` (refresh), a dropped socket, a
//! redelivered envelope and malformed frames lose and duplicate nothing; a slow consumer does not
//! delay acknowledgements; an answer reaches the command's `response_url`; a wrong app token (or a
//! bot token) stops the client with an auth error.

use crate::support::{fast_http, world};
use bosun_connectors::ConnectorError;
use bosun_connectors::events::VecSink;
use bosun_connectors::slack::socket::{self, Delivery, Incoming, SocketMode, SocketStats};
use bosun_core::Sensitive;
use bosun_fakes::slack_socket::DEMO_APP_TOKEN;
use bosun_fakes::{RunningFake, ServeOptions};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

struct Listening {
    fake: RunningFake,
    rx: mpsc::UnboundedReceiver<Delivery>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<bosun_connectors::Result<SocketStats>>,
    admin: reqwest::Client,
}

async fn listen(token: &str) -> Listening {
    let fake = bosun_fakes::start_slack(world(), &ServeOptions::default())
        .await
        .unwrap();
    let mut client = SocketMode::new(
        &fake.base_url,
        Sensitive::new(token.to_string()),
        fast_http(),
        Arc::new(VecSink::default()),
    )
    .unwrap();
    client.backoff = Duration::from_millis(50);
    let (tx, rx) = mpsc::unbounded_channel();
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(async move { client.run(tx, stopped).await });
    Listening {
        fake,
        rx,
        stop,
        task,
        admin: reqwest::Client::new(),
    }
}

impl Listening {
    async fn post(&self, path: &str, body: Value) -> Value {
        self.admin
            .post(format!("{}{path}", self.fake.base_url))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn get(&self, path: &str) -> Value {
        self.admin
            .get(format!("{}{path}", self.fake.base_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn command(&self, text: &str) -> String {
        let (command, rest) = text.split_once(' ').unwrap_or((text, ""));
        let v = self
            .post(
                "/_fake/slack/socket/command",
                json!({"command": command, "text": rest, "user_id": "U0MAYA", "user_name": "maya"}),
            )
            .await;
        v["envelope_id"].as_str().unwrap().to_string()
    }

    async fn fault(&self, fault: &str) {
        let v = self
            .post("/_fake/slack/socket/fault", json!({ "fault": fault }))
            .await;
        assert_eq!(v["ok"], true, "{v}");
    }

    async fn next(&mut self) -> Delivery {
        tokio::time::timeout(Duration::from_secs(20), self.rx.recv())
            .await
            .expect("a delivery within 20 s")
            .expect("the client is running")
    }

    /// Nothing more arrives within `ms`.
    async fn quiet(&mut self, ms: u64) {
        if let Ok(Some(d)) = tokio::time::timeout(Duration::from_millis(ms), self.rx.recv()).await {
            panic!("unexpected delivery {d:?}");
        }
    }

    async fn connections(&self) -> u64 {
        self.get("/_fake/slack/socket/state").await["connections"]
            .as_u64()
            .unwrap()
    }

    async fn finish(self) -> SocketStats {
        self.stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .unwrap()
            .unwrap()
            .unwrap()
    }
}

fn command_text(d: &Delivery) -> (String, String) {
    match &d.incoming {
        Incoming::Command(c) => (c.command.clone(), c.text.clone()),
        other => panic!("not a command: {other:?}"),
    }
}

async fn wait_for(mut ok: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if ok().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not met within 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_arrive_once_through_refreshes_drops_redeliveries_and_bad_frames() {
    let mut l = listen(DEMO_APP_TOKEN).await;
    let first = l.command("/standup harbor").await;
    let d = l.next().await;
    assert_eq!(d.envelope_id, first);
    assert_eq!(
        command_text(&d),
        ("/standup".to_string(), "harbor".to_string())
    );
    assert_eq!(d.retry_attempt, 0);

    // Slack sends the same envelope again (once the fake has its acknowledgement):
    // acknowledged again, not passed on twice.
    wait_for(async || {
        l.get("/_fake/slack/socket/acks")
            .await
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["envelope_id"] == json!(first))
    })
    .await;
    l.fault("redeliver").await;
    l.quiet(400).await;

    // A frame that is not JSON and an envelope without a type change nothing.
    l.fault("malformed").await;
    let second = l.command("/triage").await;
    assert_eq!(l.next().await.envelope_id, second);

    // Slack asks for a fresh connection: the client reconnects and the next command arrives.
    l.fault("refresh").await;
    wait_for(async || l.connections().await == 2).await;
    let third = l.command("/ask how do I declare an incident").await;
    let d = l.next().await;
    assert_eq!(d.envelope_id, third);
    assert_eq!(
        command_text(&d),
        (
            "/ask".to_string(),
            "how do I declare an incident".to_string()
        )
    );

    // The socket drops without a word: reconnected with backoff, nothing lost.
    l.fault("drop").await;
    wait_for(async || l.connections().await == 3).await;
    let fourth = l.command("/sprint-health compass").await;
    assert_eq!(l.next().await.envelope_id, fourth);

    // Link disabled is a disconnect too.
    l.fault("link_disabled").await;
    wait_for(async || l.connections().await == 4).await;
    let fifth = l.command("/brief").await;
    assert_eq!(l.next().await.envelope_id, fifth);
    l.quiet(300).await;

    // Every envelope acknowledged within Slack's three seconds, on its first delivery.
    let acks = l.get("/_fake/slack/socket/acks").await;
    for id in [&first, &second, &third, &fourth, &fifth] {
        let a = acks
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["envelope_id"] == json!(id) && a["attempt"] == json!(0))
            .unwrap_or_else(|| panic!("{id} acknowledged: {acks}"));
        assert!(a["after_ms"].as_u64().unwrap() < 3_000, "{a}");
    }
    let state = l.get("/_fake/slack/socket/state").await;
    assert_eq!(state["unacked"], json!([]), "{state}");
    let stats = l.finish().await;
    assert_eq!(stats.connections, 4, "{stats:?}");
    assert_eq!((stats.refreshes, stats.drops), (2, 1), "{stats:?}");
    assert_eq!(stats.delivered, 5, "{stats:?}");
    assert_eq!(stats.duplicates, 1, "{stats:?}");
    assert_eq!(stats.malformed, 2, "{stats:?}");
    assert_eq!(stats.hellos, 4, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_does_not_delay_acknowledgements_and_an_answer_reaches_the_response_url() {
    // The consumer below takes 1.5 s per command on purpose.
    let mut l = listen(DEMO_APP_TOKEN).await;
    let ids = [
        l.command("/standup harbor").await,
        l.command("/standup compass").await,
        l.command("/standup lighthouse").await,
    ];
    let mut got = Vec::new();
    for _ in 0..3 {
        let d = l.next().await;
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        got.push(d);
    }
    assert_eq!(
        got.iter()
            .map(|d| d.envelope_id.clone())
            .collect::<Vec<_>>(),
        ids
    );
    // Although the last was taken 3 s after it arrived, each was acknowledged on arrival: none
    // was redelivered for lateness.
    let acks = l.get("/_fake/slack/socket/acks").await;
    assert_eq!(acks.as_array().unwrap().len(), 3, "{acks}");
    assert!(
        acks.as_array()
            .unwrap()
            .iter()
            .all(|a| a["attempt"] == json!(0) && a["after_ms"].as_u64().unwrap() < 3_000),
        "{acks}"
    );

    // The answer goes to the command's response URL (on the fake's origin).
    let Incoming::Command(c) = &got[0].incoming else {
        panic!()
    };
    let body = json!({"response_type": "ephemeral", "text": "Standup for harbor"});
    socket::respond(
        &l.fake.base_url,
        c.response_url.as_deref().unwrap(),
        &body,
        fast_http(),
        Arc::new(VecSink::default()),
    )
    .await
    .unwrap();
    let answered = l
        .get(&format!("/_fake/slack/socket/responses/{}", ids[0]))
        .await;
    assert_eq!(answered, json!([body]));
    // Never to another origin.
    let err = socket::respond(
        &l.fake.base_url,
        "http://127.0.0.1:9/elsewhere",
        &body,
        fast_http(),
        Arc::new(VecSink::default()),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::ForeignOrigin { .. }), "{err}");
    l.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_app_token_or_a_bot_token_stops_the_client_with_an_auth_error() {
    for token in ["xapp-1-wrong", bosun_fakes::DEMO_TOKEN] {
        let l = listen(token).await;
        let err = tokio::time::timeout(Duration::from_secs(10), l.task)
            .await
            .unwrap()
            .unwrap()
            .unwrap_err();
        assert!(matches!(err, ConnectorError::Auth { .. }), "{token}: {err}");
    }
}
