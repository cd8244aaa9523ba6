//! The fake Linear's own tests, over real HTTP.

use super::*;
use crate::testkit::{Answer, demo, send};
use crate::{DEMO_TOKEN, FaultConfig, RunningFake, ServeOptions, start_linear};
use bosun_demo::Org;
use std::collections::HashSet;

async fn serve(world: Arc<World>) -> RunningFake {
    start_linear(world, &ServeOptions::default()).await.unwrap()
}

async fn post_as(fake: &RunningFake, auth: Option<&str>, op: &str, vars: Value) -> Answer {
    let mut req = reqwest::Client::new()
        .post(format!("{}/graphql", fake.base_url))
        .header("content-type", "application/json")
        .body(
            json!({"query": format!("query {op} {{ ignored }}"), "variables": vars, "operationName": op})
                .to_string(),
        );
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    send(req).await
}

async fn post(fake: &RunningFake, op: &str, vars: Value) -> Answer {
    post_as(fake, Some(DEMO_TOKEN), op, vars).await
}

/// Every node of a connection at `path` (e.g. `["issues"]`), page by page with `first`.
async fn all_nodes(
    fake: &RunningFake,
    op: &str,
    mut vars: Value,
    path: &[&str],
    first: usize,
) -> (Vec<Value>, usize) {
    let (mut nodes, mut pages) = (Vec::new(), 0);
    vars["first"] = json!(first);
    loop {
        let a = post(fake, op, vars.clone()).await;
        assert_eq!(a.status, 200, "{op}: {}", a.text);
        let mut conn = &a.body["data"];
        for p in path {
            conn = &conn[*p];
        }
        let page = conn["nodes"].as_array().unwrap();
        assert!(page.len() <= first);
        nodes.extend(page.iter().cloned());
        pages += 1;
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        vars["after"] = conn["pageInfo"]["endCursor"].clone();
        assert!(vars["after"].is_string());
    }
    (nodes, pages)
}

#[test]
fn ids_and_keys() {
    assert_eq!(team_key("harbor"), "HAR");
    assert_eq!(team_key("compass"), "COM");
    assert_eq!(team_key("lighthouse"), "LIG");
    assert_eq!(team_key("harbor-2"), "HAR2");
    assert_eq!(identifier("harbor", "TIDE-123"), "HAR-123");
    assert_eq!(issue_number("TIDE-123"), 123);
    assert_eq!(state_id("In Progress"), "state-in-progress");
    assert_eq!(state_id("Won't Do"), "state-won-t-do");
    assert_eq!(state_type("To Do"), "unstarted");
    assert_eq!(state_type("Backlog"), "backlog");
    assert_eq!(state_type("In Review"), "started");
    assert_eq!(state_type("Blocked"), "started");
    assert_eq!(state_type("Done"), "completed");
    assert_eq!(state_type("Won't Do"), "canceled");
    assert_eq!(state_type("Cancelled"), "canceled");
    assert_eq!(priority("Highest"), (1, "Urgent"));
    assert_eq!(priority("Medium"), (3, "Medium"));
    assert_eq!(priority(""), (0, "No priority"));
    assert_eq!(type_label("Story"), "Feature");
    assert_eq!(type_label("Tech Debt"), "Tech Debt");
    assert_eq!(num(3.0), json!(3));
    assert_eq!(num(0.5), json!(0.5));
    assert_eq!(decode_cursor(&cursor(1234)), Some(1234));
    for scale in [1, 2, 3] {
        let org = Org::bundled().unwrap().scaled(scale);
        let keys: HashSet<String> = org.teams.iter().map(|t| team_key(&t.key)).collect();
        assert_eq!(keys.len(), org.teams.len(), "scale {scale}: {keys:?}");
    }
}

#[tokio::test]
async fn auth_unknown_operations_and_rate_headers() {
    let fake = serve(demo()).await;
    for auth in [None, Some("wrong"), Some("Bearer wrong")] {
        let a = post_as(&fake, auth, "Viewer", json!({})).await;
        assert_eq!(a.status, 400, "{auth:?}");
        assert_eq!(
            a.body["errors"][0]["extensions"]["code"],
            "AUTHENTICATION_ERROR"
        );
        assert_eq!(
            a.body["errors"][0]["message"],
            "Authentication required, not authenticated"
        );
    }
    for auth in [DEMO_TOKEN.to_string(), format!("Bearer {DEMO_TOKEN}")] {
        let a = post_as(&fake, Some(&auth), "Viewer", json!({})).await;
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.body["data"]["viewer"]["id"], "user-maya-okafor");
        assert_eq!(a.body["data"]["organization"]["id"], "org-tidewater");
        assert_eq!(a.body["data"]["organization"]["urlKey"], "tidewater");
        assert_eq!(a.header("x-ratelimit-requests-limit"), Some("5000"));
        let reset: u64 = a
            .header("x-ratelimit-requests-reset")
            .unwrap()
            .parse()
            .unwrap();
        assert!(reset > 1_000_000_000_000, "milliseconds: {reset}");
        for h in [
            "x-ratelimit-requests-remaining",
            "x-ratelimit-complexity-limit",
            "x-ratelimit-complexity-remaining",
            "x-ratelimit-complexity-reset",
        ] {
            assert!(a.header(h).is_some(), "{h}");
        }
        assert!(a.header("x-complexity").unwrap().parse::<u64>().unwrap() > 0);
    }
    let a = post(&fake, "Nope", json!({})).await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.body,
        json!({"errors":[{"message":"Unknown operation","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]})
    );
}

#[tokio::test]
async fn teams_cycles_and_states() {
    let w = demo();
    let fake = serve(w.clone()).await;
    let (teams, pages) = all_nodes(&fake, "Teams", json!({}), &["teams"], 1).await;
    assert_eq!(pages, w.org.teams.len());
    let ids: Vec<&str> = teams.iter().map(|t| t["id"].as_str().unwrap()).collect();
    let want: Vec<String> = w.org.teams.iter().map(|t| team_id(&t.key)).collect();
    assert_eq!(ids, want);
    assert_eq!(teams[0]["key"], team_key(&w.org.teams[0].key));
    assert_eq!(teams[0]["name"], w.org.teams[0].name);
    for t in &w.org.teams {
        let vars = json!({"team": team_id(&t.key)});
        let (cycles, _) = all_nodes(&fake, "Cycles", vars.clone(), &["team", "cycles"], 4).await;
        let sprints = w.sprints.iter().filter(|s| s.team == t.key).count();
        assert_eq!(cycles.len(), sprints);
        let numbers: Vec<u64> = cycles
            .iter()
            .map(|c| c["number"].as_u64().unwrap())
            .collect();
        assert_eq!(numbers, (1..=sprints as u64).collect::<Vec<_>>());
        assert!(cycles.iter().any(|c| c["completedAt"].is_string()));
        assert!(cycles.iter().any(|c| c["completedAt"].is_null()));
        let (states, _) = all_nodes(&fake, "WorkflowStates", vars, &["team", "states"], 50).await;
        let names: Vec<&str> = states.iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            ["To Do", "In Progress", "In Review", "Blocked", "Done"]
        );
    }
    let a = post(&fake, "Cycles", json!({"team": "team-nope"})).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["data"], json!({"team": null}));
    assert_eq!(a.body["errors"][0]["message"], "Entity not found: Team");
    assert_eq!(a.body["errors"][0]["extensions"]["code"], "INVALID_INPUT");
}

#[tokio::test]
async fn issues_page_through_every_ticket_once_and_since_filters() {
    let w = demo();
    let fake = serve(w.clone()).await;
    let mut all = Vec::new();
    for t in &w.org.teams {
        let vars = json!({"team": team_id(&t.key), "since": null});
        let (nodes, pages) = all_nodes(&fake, "Issues", vars, &["issues"], 7).await;
        let want: HashSet<String> = w
            .tickets
            .iter()
            .filter(|x| x.team == t.key)
            .map(|x| identifier(&x.team, &x.key))
            .collect();
        let got: Vec<String> = nodes
            .iter()
            .map(|n| n["identifier"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got.len(), want.len(), "{}: once each", t.key);
        assert_eq!(got.iter().cloned().collect::<HashSet<_>>(), want);
        assert_eq!(pages, want.len().div_ceil(7));
        let order: Vec<(String, String)> = nodes
            .iter()
            .map(|n| {
                (
                    n["updatedAt"].as_str().unwrap().to_string(),
                    n["id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted, "{}: by (updatedAt, id)", t.key);
        // `since`: the tickets updated at or after the median update.
        let mut times: Vec<Ts> = w
            .tickets
            .iter()
            .filter(|x| x.team == t.key)
            .map(|x| x.updated_at)
            .collect();
        times.sort();
        let since = times[times.len() / 2];
        let vars = json!({"team": team_id(&t.key), "since": ts(since)});
        let (recent, _) = all_nodes(&fake, "Issues", vars, &["issues"], 50).await;
        let want = times.iter().filter(|x| **x >= since).count();
        assert_eq!(recent.len(), want);
        assert!(recent.len() < nodes.len());
        all.extend(nodes);
    }
    assert_eq!(all.len(), w.tickets.len());
    let idents: HashSet<&str> = all
        .iter()
        .map(|n| n["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(idents.len(), w.tickets.len(), "identifiers are unique");
    let ids: HashSet<&str> = all.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), w.tickets.len());
    // Relations: every link of the world, from both of its tickets.
    let links: usize = w.tickets.iter().map(|t| t.links.len()).sum();
    assert!(links > 0);
    let rels: usize = all
        .iter()
        .map(|n| {
            n["relations"]["nodes"].as_array().unwrap().len()
                + n["inverseRelations"]["nodes"].as_array().unwrap().len()
        })
        .sum();
    assert_eq!(rels, links);
    for n in &all {
        for r in n["relations"]["nodes"].as_array().unwrap() {
            assert!(idents.contains(r["relatedIssue"]["identifier"].as_str().unwrap()));
        }
        for r in n["inverseRelations"]["nodes"].as_array().unwrap() {
            assert!(idents.contains(r["issue"]["identifier"].as_str().unwrap()));
        }
        if !n["parent"].is_null() {
            assert!(idents.contains(n["parent"]["identifier"].as_str().unwrap()));
        }
        let state = n["state"]["type"].as_str().unwrap();
        assert_eq!(n["completedAt"].is_string(), state == "completed", "{n}");
        assert!(
            n["url"]
                .as_str()
                .unwrap()
                .ends_with(n["identifier"].as_str().unwrap())
        );
    }
    assert!(all.iter().any(|n| !n["parent"].is_null()));
    assert!(all.iter().any(|n| !n["cycle"].is_null()));
    assert!(all.iter().any(|n| {
        n["labels"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["name"] == "Feature")
    }));
    // The same ticket, the same node, and a ticket's cycle is the Jira Sprint field's last.
    let t = w.tickets.iter().find(|t| t.sprints.len() > 1).unwrap();
    let n = all.iter().find(|n| n["id"] == issue_id(t.id)).unwrap();
    assert_eq!(n["cycle"]["id"], cycle_id(*t.sprints.last().unwrap()));
    assert_eq!(n["identifier"], identifier(&t.team, &t.key));
    // Every ticket without a team filter.
    let (everything, _) = all_nodes(&fake, "Issues", json!({}), &["issues"], 250).await;
    assert_eq!(everything.len(), w.tickets.len());
}

#[tokio::test]
async fn issue_history_follows_the_changelog() {
    let w = demo();
    let fake = serve(w.clone()).await;
    let status_items = |t: &Ticket| {
        t.changelog
            .iter()
            .flat_map(|c| &c.items)
            .filter(|i| i.field == "status")
            .count()
    };
    let t = w.tickets.iter().max_by_key(|t| status_items(t)).unwrap();
    let vars = json!({"id": issue_id(t.id)});
    let (nodes, _) = all_nodes(&fake, "IssueHistory", vars, &["issue", "history"], 2).await;
    let statuses = nodes.iter().filter(|n| !n["toState"].is_null()).count();
    assert_eq!(statuses, status_items(t));
    let times: Vec<&str> = nodes
        .iter()
        .map(|n| n["createdAt"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "oldest first");
    let first = nodes.iter().find(|n| !n["toState"].is_null()).unwrap();
    assert_eq!(first["fromState"]["name"], "To Do");
    assert_eq!(first["fromState"]["type"], "unstarted");
    // Assignees: the changelog holds Jira account ids; the history names the users.
    let assigned = t
        .changelog
        .iter()
        .flat_map(|c| &c.items)
        .find(|i| i.field == "assignee");
    if let Some(i) = assigned {
        let p = w
            .org
            .people
            .iter()
            .find(|p| Some(&p.jira) == i.to.as_ref())
            .unwrap();
        assert!(
            nodes
                .iter()
                .any(|n| n["toAssignee"]["id"] == user_id(&p.key))
        );
    }
    // Sprints: the last id of each side's list.
    assert!(nodes.iter().any(|n| {
        n["toCycle"]["id"]
            .as_str()
            .is_some_and(|c| c.starts_with("cycle-"))
    }));
    // By identifier too; an unknown issue is not found.
    let a = post(
        &fake,
        "IssueHistory",
        json!({"id": identifier(&t.team, &t.key), "first": 250}),
    )
    .await;
    assert_eq!(
        a.body["data"]["issue"]["history"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        nodes.len()
    );
    let a = post(&fake, "IssueHistory", json!({"id": "issue-0"})).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["data"], json!({"issue": null}));
    assert_eq!(a.body["errors"][0]["message"], "Entity not found: Issue");
}

#[tokio::test]
async fn faults_and_rate_limits() {
    let fake = serve(demo()).await;
    fake.faults.set(FaultConfig {
        secondary_rate_limit: Some(crate::faults::SecondaryLimit {
            requests: 1,
            retry_after_secs: 7,
            status: 429,
            no_retry_after: false,
        }),
        ..Default::default()
    });
    let now_ms = chrono::Utc::now().timestamp_millis();
    let limited = post(&fake, "Teams", json!({})).await;
    assert_eq!(limited.status, 400);
    assert_eq!(
        limited.body,
        json!({"errors":[{"message":"Rate limit exceeded","extensions":{"code":"RATELIMITED"}}]})
    );
    assert_eq!(limited.header("retry-after"), None);
    assert_eq!(limited.header("x-ratelimit-requests-remaining"), Some("0"));
    let reset: i64 = limited
        .header("x-ratelimit-requests-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (now_ms + 5_000..=now_ms + 9_000).contains(&reset),
        "reset {reset} vs now {now_ms}"
    );
    assert_eq!(post(&fake, "Teams", json!({})).await.status, 200);
    fake.faults.set(FaultConfig {
        primary_rate_limit: Some(crate::faults::PrimaryLimit {
            remaining: 0,
            reset_after_secs: 30,
        }),
        ..Default::default()
    });
    let limited = post(&fake, "Teams", json!({})).await;
    assert_eq!(limited.status, 400);
    assert_eq!(
        limited.body["errors"][0]["extensions"]["code"],
        "RATELIMITED"
    );
    let reset: i64 = limited
        .header("x-ratelimit-requests-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!((now_ms..=now_ms + 32_000).contains(&reset));
    fake.faults.set(FaultConfig {
        server_errors: Some(crate::faults::Burst {
            count: 1,
            path_contains: Some("/graphql".into()),
            status: 503,
        }),
        ..Default::default()
    });
    assert_eq!(post(&fake, "Teams", json!({})).await.status, 503);
    assert_eq!(post(&fake, "Teams", json!({})).await.status, 200);
    fake.faults.set(FaultConfig {
        truncate: Some(crate::faults::Burst {
            count: 1,
            path_contains: None,
            status: 502,
        }),
        ..Default::default()
    });
    let cut = post(&fake, "Teams", json!({})).await;
    assert_eq!(cut.status, 200);
    assert!(cut.body.is_null(), "not JSON: {}", cut.text);
    fake.faults.clear();
    assert_eq!(post(&fake, "Teams", json!({})).await.status, 200);
}
