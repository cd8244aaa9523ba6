//! Exactly-once delivery of approved actions against the fake providers: a lost answer (the write
//! landed, the client saw a 502), a crash after the write landed but before it was recorded, and a
//! crash before the write went out — each ends with exactly one write at the provider; and two
//! deliverers at once (the app's tick and `bosun actions send`) never send one action twice.

use bosun_app::demo::{self, DemoOptions, Providers};
use bosun_app::{App, Paths};
use bosun_connectors::http::{Auth, HttpClient, HttpConfig};
use bosun_connectors::outbox::{self, Outbound};
use bosun_core::clock::FixedClock;
use bosun_core::model::ActionKind;
use bosun_core::model::ActionStatus;
use bosun_store::{actions, audit};
use serde_json::{Value, json};
use std::sync::Arc;

const AS_OF: &str = "2026-11-20T09:00:00Z";

struct Setup {
    _dir: tempfile::TempDir,
    app: App,
    fakes: Providers,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[actions]\nretry_backoff_ms = 10\n",
    )
    .unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339(AS_OF)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let app = App::new(Paths::in_dir(dir.path()), Arc::new(FixedClock(as_of))).unwrap();
    let world = Arc::new(
        demo::world(
            DemoOptions {
                months: 1,
                ..Default::default()
            },
            as_of,
        )
        .unwrap(),
    );
    let fakes = demo::start(world, 0).await.unwrap();
    demo::register(&app, &fakes).unwrap();
    Setup {
        _dir: dir,
        app,
        fakes,
    }
}

/// A client for a fake's admin endpoints (a client talks to one origin only).
fn admin(base: &str) -> HttpClient {
    HttpClient::new(
        "admin",
        base,
        Auth::None,
        Default::default(),
        HttpConfig::default(),
        Arc::new(bosun_connectors::NullSink),
    )
    .unwrap()
}

impl Setup {
    /// A draft, as `bosun signals` would have written it.
    fn draft(&self, kind: ActionKind, target: Value, body: &str) -> (i64, String) {
        let store = self.app.store().unwrap();
        let key = format!("bosun-test-{kind}-{}", body.replace(' ', "-"));
        let id = actions::insert_draft(
            store.conn(),
            &actions::NewAction {
                kind,
                signal_id: None,
                signal_key: None,
                target: &target.to_string(),
                preview: body,
                body,
                summary: body,
                idempotency_key: &key,
                created_at: self.app.now(),
                decision: "{}",
            },
        )
        .unwrap()
        .unwrap();
        (id, key)
    }

    async fn lose_next_answer(&self, base: &str, provider: &str) {
        admin(base)
            .post_value(
                &format!("{base}/_fake/{provider}/lose-responses"),
                &json!({"count": 1}),
            )
            .await
            .unwrap();
    }

    async fn writes(&self, base: &str, path: &str) -> Vec<Value> {
        let (v, _) = admin(base)
            .get_json::<Vec<Value>>(&format!("{base}{path}"), None)
            .await
            .unwrap()
            .unwrap();
        v
    }

    fn status(&self, id: i64) -> actions::ActionRow {
        actions::get(self.app.store().unwrap().conn(), id)
            .unwrap()
            .unwrap()
    }
}

/// The claim of a deliverer that crashed: its lease is over by now.
fn crashed(s: &Setup) -> actions::Lease<'static> {
    actions::Lease {
        owner: "crashed-deliverer",
        until: s.app.now(),
    }
}

/// A Slack user the outbox can DM (person 501).
fn slack_recipient(s: &Setup) {
    let user = s.fakes.world.org.people[1].slack.clone();
    s.app
        .store()
        .unwrap()
        .conn()
        .execute_batch(&format!(
            "INSERT INTO people (id, key, name, created_at) VALUES (501, 'p501', 'Test Person', 0);
             INSERT INTO accounts (provider, external_id, person_id) VALUES ('slack', '{user}', 501);"
        ))
        .unwrap();
}

/// Another process on the same data directory (its own deliverer id), at `clock`.
fn other_process(s: &Setup, clock: chrono::DateTime<chrono::Utc>) -> App {
    App::new(Paths::in_dir(s._dir.path()), Arc::new(FixedClock(clock))).unwrap()
}

fn fixed_now(s: &Setup) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(s.app.now(), 0).unwrap()
}

async fn posted_with(s: &Setup, key: &str) -> usize {
    let posted = s
        .writes(&s.fakes.slack.base_url, "/_fake/slack/posted")
        .await;
    posted
        .iter()
        .filter(|m| m["metadata"]["event_payload"]["idempotency_key"] == key)
        .count()
}

/// Issue 16 (4): a `sending` action was taken for a crash leftover, so the one-minute tick (or
/// `bosun actions send`) re-claimed a DM still in flight to a slow Slack and sent it twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_deliverers_against_a_slow_slack_send_one_message() {
    let s = setup().await;
    slack_recipient(&s);
    let (dm, key) = s.draft(
        ActionKind::SlackDm,
        json!({"people": [501]}),
        "Quick sync today?",
    );
    // Slack takes 1.5 s to write, and reads at once.
    s.fakes.slack.faults.set(bosun_fakes::FaultConfig {
        delay_ms: Some(1500),
        delay_path_contains: Some("chat.postMessage".into()),
        ..Default::default()
    });
    let tick = other_process(&s, fixed_now(&s));
    assert_ne!(tick.deliverer(), s.app.deliverer());
    let (approved, ticked) = tokio::join!(s.app.approve_action(dm, None), async {
        // The tick fires while the approval's write is in flight.
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        let row = s.status(dm);
        assert_eq!(
            (row.status.as_str(), row.claimed_by.as_deref()),
            ("sending", Some(s.app.deliverer())),
            "the approval holds the claim"
        );
        tick.send_due().await
    });
    let approved = approved.unwrap();
    assert_eq!(
        approved.action.row.status,
        ActionStatus::Sent,
        "{approved:#?}"
    );
    assert!(
        ticked.unwrap().is_empty(),
        "the tick leaves a live claim alone"
    );
    assert_eq!(posted_with(&s, &key).await, 1, "exactly one message");
    s.fakes.shutdown().await;
}

/// A deliverer that died holding a claim: nobody takes it while the lease runs; afterwards the
/// next deliverer re-takes it, finds the message at Slack and records it, without a second one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_lease_is_recovered_without_a_duplicate() {
    let s = setup().await;
    slack_recipient(&s);
    let (dm, key) = s.draft(
        ActionKind::SlackDm,
        json!({"people": [501]}),
        "Any blockers?",
    );
    let now = s.app.now();
    let lease = s.app.claim_lease_secs();
    {
        let store = s.app.store().unwrap();
        assert!(
            actions::decide(
                store.conn(),
                dm,
                ActionStatus::Approved,
                now,
                "user:test",
                None,
                "{}",
                None
            )
            .unwrap()
        );
        let dead = actions::Lease {
            owner: "dead-deliverer",
            until: now + lease,
        };
        assert!(actions::start_sending(store.conn(), dm, now, dead).unwrap());
    }
    let user = s.fakes.world.org.people[1].slack.clone();
    let client = HttpClient::new(
        "slack",
        &s.fakes.slack.base_url,
        Auth::Bearer(bosun_core::Sensitive::new(demo::DEMO_TOKEN.to_string())),
        outbox::headers(bosun_core::model::Provider::Slack),
        HttpConfig::default(),
        Arc::new(bosun_connectors::NullSink),
    )
    .unwrap();
    outbox::send(
        &client,
        &s.fakes.slack.base_url,
        &Outbound::SlackDm {
            user,
            text: "Any blockers?".into(),
        },
        &key,
    )
    .await
    .unwrap();

    // While the lease runs, nobody touches it.
    assert!(s.app.send_due().await.unwrap().is_empty());
    let halfway = other_process(&s, fixed_now(&s) + chrono::Duration::seconds(lease - 1));
    assert!(halfway.send_due().await.unwrap().is_empty());
    assert_eq!(s.status(dm).status, ActionStatus::Sending);

    // After it: looked up at Slack, found, recorded; still one message.
    let later = other_process(&s, fixed_now(&s) + chrono::Duration::seconds(lease));
    let d = later.send_due().await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].attempts[0].result, "already_delivered", "{d:#?}");
    let row = s.status(dm);
    assert_eq!(
        (row.status.as_str(), row.attempts, row.claimed_by.as_deref()),
        ("sent", 2, Some(later.deliverer()))
    );
    assert_eq!(posted_with(&s, &key).await, 1);
    let store = s.app.store().unwrap();
    let retaken = audit::entries(store.conn(), None)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "action.send" && e.result == "attempt")
        .unwrap();
    let trace: Value = serde_json::from_str(&retaken.trace).unwrap();
    assert_eq!(trace["retaken"], true, "{trace}");
    drop(store);
    s.fakes.shutdown().await;
}

fn pr_target(s: &Setup) -> (String, i64) {
    let w = &s.fakes.world;
    let repo = &w.repos[0];
    (
        format!("{}/{}", w.org.company.github_org, repo.name),
        repo.pulls[0].number,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_not_sent_twice() {
    let s = setup().await;
    let (repo, number) = pr_target(&s);
    let (id, key) = s.draft(
        ActionKind::PrComment,
        json!({"repo": repo, "number": number}),
        "Still needed?",
    );
    let gh = s.fakes.github.base_url.clone();
    s.lose_next_answer(&gh, "github").await;
    let d = s.app.approve_action(id, None).await.unwrap();
    let results: Vec<&str> = d.attempts.iter().map(|a| a.result.as_str()).collect();
    assert_eq!(results, ["retry", "already_delivered"], "{d:#?}");
    assert_eq!(d.action.row.status, ActionStatus::Sent);
    assert_eq!(d.action.row.attempts, 2);
    let writes = s.writes(&gh, "/_fake/github/writes").await;
    let mine: Vec<&Value> = writes
        .iter()
        .filter(|w| {
            w["comment"]["body"]
                .as_str()
                .is_some_and(|b| b.contains(&key))
        })
        .collect();
    assert_eq!(mine.len(), 1, "{writes:#?}");
    assert_eq!(
        d.receipt.as_ref().unwrap().id,
        mine[0]["comment"]["id"].to_string()
    );

    // Slack (metadata) and Jira (a comment property) find their lost writes the same way.
    let w = &s.fakes.world;
    let user = w.org.people[1].slack.clone();
    let store = s.app.store().unwrap();
    store
        .conn()
        .execute_batch(&format!(
            "INSERT INTO people (id, key, name, created_at) VALUES (501, 'p501', 'Test Person', 0);
             INSERT INTO accounts (provider, external_id, person_id) VALUES ('slack', '{user}', 501);"
        ))
        .unwrap();
    drop(store);
    let (dm, dm_key) = s.draft(
        ActionKind::SlackDm,
        json!({"people": [501]}),
        "Could you take a look?",
    );
    let slack = s.fakes.slack.base_url.clone();
    s.lose_next_answer(&slack, "slack").await;
    let d = s.app.approve_action(dm, None).await.unwrap();
    assert_eq!(d.action.row.status, ActionStatus::Sent, "{d:#?}");
    let posted = s.writes(&slack, "/_fake/slack/posted").await;
    assert_eq!(
        posted
            .iter()
            .filter(|m| m["metadata"]["event_payload"]["idempotency_key"] == dm_key.as_str())
            .count(),
        1,
        "{posted:#?}"
    );
    assert_eq!(posted[0]["channel"], format!("D{user}"));

    let ticket = w.tickets[0].key.clone();
    let (tc, tc_key) = s.draft(
        ActionKind::TicketComment,
        json!({"ticket": ticket}),
        "Any news on this follow-up?",
    );
    let jira = s.fakes.jira.base_url.clone();
    s.lose_next_answer(&jira, "jira").await;
    let d = s.app.approve_action(tc, None).await.unwrap();
    assert_eq!(d.action.row.status, ActionStatus::Sent, "{d:#?}");
    let jw = s.writes(&jira, "/_fake/jira/writes").await;
    assert_eq!(
        jw.iter()
            .filter(|e| e.to_string().contains(&tc_key))
            .count(),
        1,
        "{jw:#?}"
    );

    // A ticket created for a postmortem's follow-up: the answer lost, found again by its label,
    // created once.
    let (tk, tk_key) = s.draft(
        ActionKind::TicketCreate,
        json!({"project": w.org.company.jira_project, "title": "Add a regression test"}),
        "Follow-up from the postmortem of incident Q1.",
    );
    s.lose_next_answer(&jira, "jira").await;
    let d = s.app.approve_action(tk, None).await.unwrap();
    assert_eq!(d.action.row.status, ActionStatus::Sent, "{d:#?}");
    let jw = s.writes(&jira, "/_fake/jira/writes").await;
    let label = bosun_connectors::outbox::jira_key_label(&tk_key);
    let created: Vec<&Value> = jw
        .iter()
        .filter(|e| e["kind"] == "issue" && e.to_string().contains(&label))
        .collect();
    assert_eq!(created.len(), 1, "{jw:#?}");
    assert_eq!(
        created[0]["issue"]["fields"]["summary"],
        "Add a regression test"
    );

    // Every attempt is in the ledger, which verifies.
    let store = s.app.store().unwrap();
    let entries = audit::entries(store.conn(), None).unwrap();
    let sends = entries
        .iter()
        .filter(|e| {
            e.action == "action.send" && e.subject.as_deref() == Some(&format!("action:{id}"))
        })
        .map(|e| e.result.as_str())
        .collect::<Vec<_>>();
    assert_eq!(
        sends,
        ["sent", "attempt", "retry", "attempt"],
        "newest first"
    );
    assert!(audit::verify(store.conn()).unwrap().ok);
    drop(store);
    s.fakes.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_approval_and_the_answer_never_double_sends() {
    let s = setup().await;
    let (repo, number) = pr_target(&s);
    let gh = s.fakes.github.base_url.clone();

    // Crash after the write landed, before it was recorded: claimed (`sending`), the request went
    // out, the process died.
    let (landed, key) = s.draft(
        ActionKind::PrComment,
        json!({"repo": repo, "number": number}),
        "First",
    );
    let (crashed_early, key2) = s.draft(
        ActionKind::ReviewerRequest,
        json!({"repo": repo, "number": number, "people": []}),
        "Ask for a review",
    );
    {
        let store = s.app.store().unwrap();
        for id in [landed, crashed_early] {
            assert!(
                actions::decide(
                    store.conn(),
                    id,
                    ActionStatus::Approved,
                    s.app.now(),
                    "user:test",
                    None,
                    "{}",
                    None
                )
                .unwrap()
            );
            assert!(actions::start_sending(store.conn(), id, s.app.now(), crashed(&s)).unwrap());
        }
    }
    let client = HttpClient::new(
        "github",
        &gh,
        Auth::Bearer(bosun_core::Sensitive::new(demo::DEMO_TOKEN.to_string())),
        outbox::headers(bosun_core::model::Provider::Github),
        HttpConfig::default(),
        Arc::new(bosun_connectors::NullSink),
    )
    .unwrap();
    outbox::send(
        &client,
        &gh,
        &Outbound::PrComment {
            repo: repo.clone(),
            number,
            text: "First".into(),
        },
        &key,
    )
    .await
    .unwrap();
    assert_eq!(s.status(landed).status, ActionStatus::Sending);

    // The next run: the comment is found at the provider and recorded, without writing again;
    // the reviewer request has no reviewer (a bad draft) and fails for good, on the record.
    let d = s.app.send_due().await.unwrap();
    assert_eq!(d.len(), 2);
    let comment = d.iter().find(|x| x.action.row.id == landed).unwrap();
    assert_eq!(comment.action.row.status, ActionStatus::Sent);
    assert_eq!(comment.attempts[0].result, "already_delivered");
    let writes = s.writes(&gh, "/_fake/github/writes").await;
    assert_eq!(
        writes
            .iter()
            .filter(|w| w["comment"]["body"]
                .as_str()
                .is_some_and(|b| b.contains(&key)))
            .count(),
        1
    );
    let bad = s.status(crashed_early);
    assert_eq!(bad.status, ActionStatus::Failed, "{key2}");
    assert!(bad.last_error.unwrap().contains("no reviewer"));
    assert!(
        s.app.send_due().await.unwrap().is_empty(),
        "nothing left due"
    );

    // Crash before the write went out: the next run looks, finds nothing, sends once.
    let (early, key3) = s.draft(
        ActionKind::PrComment,
        json!({"repo": repo, "number": number}),
        "Second",
    );
    {
        let store = s.app.store().unwrap();
        actions::decide(
            store.conn(),
            early,
            ActionStatus::Approved,
            s.app.now(),
            "user:test",
            None,
            "{}",
            None,
        )
        .unwrap();
        actions::start_sending(store.conn(), early, s.app.now(), crashed(&s)).unwrap();
    }
    let d = s.app.deliver(&[early]).await.unwrap();
    assert_eq!(d[0].attempts[0].result, "sent");
    assert_eq!(d[0].action.row.attempts, 2);
    let writes = s.writes(&gh, "/_fake/github/writes").await;
    assert_eq!(
        writes
            .iter()
            .filter(|w| w["comment"]["body"]
                .as_str()
                .is_some_and(|b| b.contains(&key3)))
            .count(),
        1
    );
    s.fakes.shutdown().await;
}

fn at(clock: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(clock)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// Issue 16 (7): the policy was asked only at approval, so an action approved (and deferred)
/// before the policy was edited went out under the old rules.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_edited_after_approval_decides_at_send_time() {
    let s = setup().await;
    slack_recipient(&s);
    let (dm, key) = s.draft(
        ActionKind::SlackDm,
        json!({"people": [501]}),
        "Standup moved?",
    );
    // Approved on Thursday night: deferred to the recipient's morning.
    let night = other_process(&s, at("2026-11-19T22:00:00Z"));
    let d = night.approve_action(dm, None).await.unwrap();
    assert_eq!(d.action.row.status, ActionStatus::Approved);
    assert!(d.action.row.not_before.is_some(), "{d:#?}");
    // The manager then forbids DMs.
    let dir = s.app.policy_dir();
    let file = dir.join("actions.rego");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\ndeny contains \"no direct messages\" if input.action.kind == \"slack_dm\"\n");
    std::fs::write(&file, text).unwrap();
    let d = s.app.send_due().await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].action.row.status, ActionStatus::Denied, "{d:#?}");
    assert!(d[0].attempts.is_empty());
    assert_eq!(posted_with(&s, &key).await, 0, "nothing was sent");
    s.fakes.shutdown().await;
}

/// Issue 16 (7): several approvals given at night to one person were released together in the
/// morning, past the daily cap (3), since the cap was counted only at approval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn night_approvals_released_together_respect_the_daily_cap() {
    let s = setup().await;
    slack_recipient(&s);
    let night = other_process(&s, at("2026-11-19T22:00:00Z"));
    let mut keys = Vec::new();
    for i in 0..5 {
        let (dm, key) = s.draft(
            ActionKind::SlackDm,
            json!({"people": [501]}),
            &format!("Note {i}"),
        );
        let d = night.approve_action(dm, None).await.unwrap();
        assert_eq!(d.action.row.status, ActionStatus::Approved);
        keys.push(key);
    }
    // Friday 09:00 for the recipient: the tick releases them.
    let d = s.app.send_due().await.unwrap();
    let sent = d
        .iter()
        .filter(|x| x.action.row.status == ActionStatus::Sent)
        .count();
    let held = d
        .iter()
        .filter(|x| {
            x.action.row.status == ActionStatus::Approved && x.action.row.not_before.is_some()
        })
        .count();
    assert_eq!((sent, held), (3, 2), "{d:#?}");
    let mut posted = 0;
    for k in &keys {
        posted += posted_with(&s, k).await;
    }
    assert_eq!(posted, 3);
    s.fakes.shutdown().await;
}

/// Issue 16 (7): the policy matched an individual metric by its wording, so a manager's edit that
/// reworded one ("eighteen reviews", "Test: 18!") went out. The policy now reads what the text
/// structurally carries: a figure about a named person in what the edit added.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_adding_a_persons_figure_is_denied_however_it_is_worded() {
    let s = setup().await;
    slack_recipient(&s);
    let (dm, key) = s.draft(
        ActionKind::SlackDm,
        json!({"people": [501]}),
        "Could you look at the review queue today?",
    );
    let edited = "Could you look at the review queue today? Test Person: eighteen reviews this sprint, more than anyone!";
    let d = s.app.approve_action(dm, Some(edited)).await.unwrap();
    assert_eq!(d.action.row.status, ActionStatus::Denied, "{d:#?}");
    let decision = &d.action.row.decision;
    assert_eq!(
        decision["codes"],
        json!(["individual_metric"]),
        "{decision}"
    );
    assert_eq!(posted_with(&s, &key).await, 0, "nothing was sent");

    // The same draft, edited without a figure, goes.
    let (dm, key) = s.draft(
        ActionKind::SlackDm,
        json!({"people": [501]}),
        "Standup notes are up.",
    );
    let d = s
        .app
        .approve_action(dm, Some("Test Person, standup notes are up: have a look."))
        .await
        .unwrap();
    assert_eq!(d.action.row.status, ActionStatus::Sent, "{d:#?}");
    assert_eq!(posted_with(&s, &key).await, 1);
    s.fakes.shutdown().await;
}
