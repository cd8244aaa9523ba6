//! Identity's merge suggestions (issue 15, 3): every link a rule made (same email, a GitHub
//! noreply trail, same name) is shown to the manager, who accepts or rejects it; the answer is
//! kept across syncs and restarts, audited, and applied at once.

use bosun_app::{App, AppError, Paths};
use bosun_core::clock::FixedClock;
use bosun_store::audit;
use std::sync::Arc;

const AS_OF: &str = "2026-11-20T09:00:00Z";

fn app(dir: &std::path::Path) -> App {
    let as_of = chrono::DateTime::parse_from_rfc3339(AS_OF)
        .unwrap()
        .with_timezone(&chrono::Utc);
    App::new(Paths::in_dir(dir), Arc::new(FixedClock(as_of))).unwrap()
}

fn add_account(
    app: &App,
    provider: &str,
    id: &str,
    login: Option<&str>,
    name: &str,
    email: Option<&str>,
) {
    app.store()
        .unwrap()
        .conn()
        .execute(
            "INSERT INTO accounts (provider, external_id, login, display_name, email) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![provider, id, login, name, email],
        )
        .unwrap();
}

/// The person each account belongs to now (by handle).
fn person_of(app: &App, provider: &str, id: &str) -> (i64, String) {
    app.store()
        .unwrap()
        .conn()
        .query_row(
            "SELECT person_id, match_method FROM accounts WHERE provider = ?1 AND external_id = ?2",
            [provider, id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn handles(app: &App) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = app
        .identity_suggestions()
        .unwrap()
        .into_iter()
        .map(|s| {
            let (a, b) = if s.a.handle < s.b.handle {
                (s.a.handle, s.b.handle)
            } else {
                (s.b.handle, s.a.handle)
            };
            (a, b, s.method)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn suggestions_are_answered_kept_across_restarts_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path());
    // A GitHub login and a Jira account with the same name; a Slack account sharing the GitHub
    // profile's address.
    add_account(
        &a,
        "github",
        "101",
        Some("mkeller"),
        "Mia Keller",
        Some("mia@example.org"),
    );
    add_account(&a, "jira", "5b10-j9", None, "Mia Keller", None);
    add_account(&a, "slack", "U01", None, "mia", Some("mia@example.org"));
    let report = a.resolve_identity().unwrap();
    assert_eq!((report.people, report.suggestions), (1, 2));
    assert_eq!(
        handles(&a),
        vec![
            (
                "github:mkeller".into(),
                "jira:5b10-j9".into(),
                "name".into()
            ),
            ("github:mkeller".into(), "slack:U01".into(), "email".into()),
        ]
    );
    let one = a.identity_suggestions().unwrap();
    assert_eq!(one[0].why, "they have the same name", "least sure first");
    assert_eq!(one[1].why, "they share an email address");
    assert_eq!(one[0].person.as_deref(), Some("Mia Keller"));

    // "Different people": the Jira account becomes a person of its own.
    let r = a
        .decide_identity("jira:5b10-j9", "github:mkeller", false)
        .unwrap();
    assert_eq!((r.people, r.suggestions, r.unmatched), (2, 1, 1));
    let (gh, _) = person_of(&a, "github", "101");
    let (jira, method) = person_of(&a, "jira", "5b10-j9");
    assert_ne!(gh, jira);
    assert_eq!(method, "unmatched");
    assert_eq!(person_of(&a, "slack", "U01").0, gh);

    // Kept across a restart and a re-resolution (what every sync does).
    drop(a);
    let a = app(dir.path());
    a.resolve_identity().unwrap();
    assert_ne!(
        person_of(&a, "github", "101").0,
        person_of(&a, "jira", "5b10-j9").0
    );
    assert_eq!(
        handles(&a),
        vec![("github:mkeller".into(), "slack:U01".into(), "email".into())]
    );

    // "Same person": confirmed for sure, no longer suggested.
    let r = a
        .decide_identity("github:mkeller", "slack:U01", true)
        .unwrap();
    assert_eq!(r.suggestions, 0);
    assert_eq!(person_of(&a, "slack", "U01").1, "confirmed");
    assert!(a.identity_suggestions().unwrap().is_empty());

    // A changed mind: the rejected pair accepted after all.
    a.decide_identity("github:mkeller", "jira:5b10-j9", true)
        .unwrap();
    assert_eq!(
        person_of(&a, "github", "101").0,
        person_of(&a, "jira", "5b10-j9").0
    );

    // Each answer is in the ledger, which verifies.
    let store = a.store().unwrap();
    let entries = audit::entries(store.conn(), None).unwrap();
    let answers: Vec<&str> = entries
        .iter()
        .filter(|e| e.action.starts_with("identity."))
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(answers.len(), 3, "{answers:?}");
    assert!(answers.contains(&"identity.reject") && answers.contains(&"identity.accept"));
    assert!(audit::verify(store.conn()).unwrap().ok);
}

#[test]
fn an_unknown_or_identical_account_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path());
    add_account(&a, "github", "101", Some("mkeller"), "Mia Keller", None);
    a.resolve_identity().unwrap();
    let e = a
        .decide_identity("github:mkeller", "jira:nobody", true)
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound(_)), "{e}");
    assert!(e.to_string().contains("jira:nobody"), "{e}");
    let e = a
        .decide_identity("github:mkeller", "github:mkeller", false)
        .unwrap_err();
    assert!(matches!(e, AppError::InvalidInput(_)), "{e}");
}

/// Real data: GitHub's own push-event example (octokit/webhooks, MIT, kept in the connector's
/// fixtures) — the pusher's commits carry a noreply address
/// (`21031067+Codertocat@users.noreply.github.com`) and the sender is the login `Codertocat`. The
/// commit author (a `git` account keyed by address) and the GitHub login are suggested as one
/// person by the noreply rule, and rejecting it keeps them apart.
#[test]
fn a_real_noreply_trail_is_suggested_and_can_be_rejected() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../connectors/tests/fixtures/github/webhooks/push.event.1.json"),
    )
    .unwrap();
    let push: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sender = &push["sender"];
    let pusher = &push["pusher"];
    let dir = tempfile::tempdir().unwrap();
    let a = app(dir.path());
    let login = sender["login"].as_str().unwrap();
    add_account(
        &a,
        "github",
        &sender["id"].to_string(),
        Some(login),
        login,
        None,
    );
    let email = pusher["email"].as_str().unwrap().to_lowercase();
    add_account(
        &a,
        "git",
        &email,
        None,
        pusher["name"].as_str().unwrap(),
        Some(&email),
    );
    a.resolve_identity().unwrap();
    let s = a.identity_suggestions().unwrap();
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(s[0].method, "noreply");
    let gh = format!("github:{login}");
    let git = format!("git:{email}");
    assert_eq!(
        person_of(&a, "github", &sender["id"].to_string()).0,
        person_of(&a, "git", &email).0
    );
    a.decide_identity(&gh, &git, false).unwrap();
    assert_ne!(
        person_of(&a, "github", &sender["id"].to_string()).0,
        person_of(&a, "git", &email).0
    );
    assert!(a.identity_suggestions().unwrap().is_empty());
}
