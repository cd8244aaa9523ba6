//! The real-world shape served: no teams, no CODEOWNERS, nameless profiles, bots, forks,
//! archived and empty repositories, one big repository, and a token without `read:org`.

use crate::support::{BIG_REPO_PULLS, all_pages, demo, get, serve, shaped, strings};
use bosun_demo::real_world::{BOTS, EMPTY, machine_user};
use bosun_fakes::github::{DEMO_SCOPES, REAL_WORLD_SCOPES};
use reqwest::StatusCode;

#[tokio::test]
async fn without_read_org_teams_are_hidden_and_the_org_listing_refused() {
    let w = shaped();
    let fake = serve(w.clone(), REAL_WORLD_SCOPES).await;
    assert_eq!(
        get(&fake, "/user").await.header("x-oauth-scopes"),
        Some("repo")
    );
    let orgs = get(&fake, "/user/orgs").await;
    assert_eq!(orgs.status, StatusCode::FORBIDDEN);
    assert_eq!(
        orgs.body["message"],
        "You need at least read:org scope or user scope to list your organizations."
    );
    for path in [
        "/orgs/tidewater/teams",
        "/orgs/tidewater/teams/harbor/members",
        "/orgs/tidewater/teams/harbor/repos",
    ] {
        let a = get(&fake, path).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(a.body["message"], "Not Found");
        let accepted = a.header("x-accepted-oauth-scopes").unwrap();
        assert!(accepted.split(", ").any(|s| s == "read:org"), "{accepted}");
    }
    // The organisation itself answers anyone; its member list shows the public members only.
    assert_eq!(get(&fake, "/orgs/tidewater").await.status, StatusCode::OK);
    let (members, _) = all_pages(&fake, "/orgs/tidewater/members").await;
    let public: Vec<String> = w
        .users
        .iter()
        .filter(|u| u.public_member)
        .map(|u| u.login.clone())
        .collect();
    let all = w.users.iter().filter(|u| u.org_member).count();
    assert_eq!(strings(&members, "login"), public);
    assert_eq!(members.len(), all / 3);
    // The same token on the demo's shape is refused the same way: scopes, not shape, decide.
    let demo_fake = serve(demo(), REAL_WORLD_SCOPES).await;
    let teams = get(&demo_fake, "/orgs/tidewater/teams").await;
    assert_eq!(teams.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn with_read_org_the_organisation_has_no_teams() {
    let fake = serve(shaped(), DEMO_SCOPES).await;
    let teams = get(&fake, "/orgs/tidewater/teams").await;
    assert_eq!(teams.status, StatusCode::OK);
    assert_eq!(teams.body, serde_json::json!([]));
    let harbor = get(&fake, "/orgs/tidewater/teams/harbor/members").await;
    assert_eq!(harbor.status, StatusCode::NOT_FOUND);
    // Every member is listed with read:org, the machine user among them.
    let (members, _) = all_pages(&fake, "/orgs/tidewater/members").await;
    let logins = strings(&members, "login");
    assert_eq!(logins.len(), demo().org.people.len() + 1);
    assert!(logins.contains(&"tidewater-release-bot".to_string()));
}

#[tokio::test]
async fn no_repository_has_a_codeowners_file() {
    let w = shaped();
    let fake = serve(w.clone(), REAL_WORLD_SCOPES).await;
    for r in &w.repos {
        for path in [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] {
            let a = get(
                &fake,
                &format!("/repos/tidewater/{}/contents/{path}", r.name),
            )
            .await;
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{}/{path}", r.name);
            let message = if r.name == EMPTY {
                "This repository is empty."
            } else {
                "Not Found"
            };
            assert_eq!(a.body["message"], message, "{}", r.name);
        }
    }
}

#[tokio::test]
async fn two_thirds_of_the_people_show_no_name_and_bots_are_typed_bot() {
    let w = shaped();
    let fake = serve(w.clone(), REAL_WORLD_SCOPES).await;
    let mut nameless = 0;
    let accounts: Vec<&str> = w
        .users
        .iter()
        .filter(|u| u.person.is_some())
        .map(|u| u.login.as_str())
        .collect();
    for login in &accounts {
        let p = get(&fake, &format!("/users/{login}")).await;
        assert_eq!(p.status, StatusCode::OK, "{login}");
        assert_eq!(p.body["type"], "User");
        if p.body["name"].is_null() {
            nameless += 1;
        } else {
            assert!(p.body["name"].as_str().unwrap().contains(' '), "{login}");
        }
    }
    assert_eq!(nameless, accounts.len() * 2 / 3);
    for (login, _) in BOTS {
        let p = get(
            &fake,
            &format!("/users/{}", login.replace('[', "%5B").replace(']', "%5D")),
        )
        .await;
        assert_eq!(p.body["type"], "Bot", "{login}");
    }
    let machine = get(&fake, &format!("/users/{}", machine_user(&w))).await;
    assert_eq!(machine.body["type"], "User");
    // Bots and the machine user author pull requests and their commits.
    let (pulls, _) = all_pages(
        &fake,
        "/repos/tidewater/harbor-gateway/pulls?state=all&per_page=100",
    )
    .await;
    let authors: std::collections::HashSet<&str> = pulls
        .iter()
        .map(|p| p["user"]["login"].as_str().unwrap())
        .collect();
    for login in BOTS
        .iter()
        .map(|b| b.0.to_string())
        .chain([machine_user(&w)])
    {
        assert!(
            authors.contains(login.as_str()),
            "{login} authors pull requests"
        );
    }
    let bot_pull = pulls
        .iter()
        .find(|p| p["user"]["login"] == "renovate[bot]" && p["user"]["type"] == "Bot")
        .unwrap();
    let number = bot_pull["number"].as_i64().unwrap();
    let commits = get(
        &fake,
        &format!("/repos/tidewater/harbor-gateway/pulls/{number}/commits"),
    )
    .await;
    assert_eq!(commits.body[0]["author"]["login"], "renovate[bot]");
    assert_eq!(commits.body[0]["author"]["type"], "Bot");
}

#[tokio::test]
async fn forks_archived_and_an_empty_repository_that_answers_409() {
    let fake = serve(shaped(), REAL_WORLD_SCOPES).await;
    let (repos, _) = all_pages(&fake, "/orgs/tidewater/repos?per_page=4").await;
    assert_eq!(repos.len(), 11);
    let names = |key: &str| -> Vec<String> {
        repos
            .iter()
            .filter(|r| r[key] == true)
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("fork"), ["grpc-gateway", "pgx"]);
    assert_eq!(names("archived"), ["legacy-billing", "shipper-portal-v1"]);
    let fork = get(&fake, "/repos/tidewater/grpc-gateway").await;
    assert_eq!(fork.body["fork"], true);
    assert_eq!(
        fork.body["parent"]["full_name"],
        "grpc-ecosystem/grpc-gateway"
    );
    let empty = get(&fake, &format!("/repos/tidewater/{EMPTY}")).await;
    assert_eq!(empty.body["size"], 0);
    assert_eq!(empty.body["pushed_at"], empty.body["created_at"]);
    assert_eq!(empty.body["default_branch"], "main");
    let commits = get(&fake, &format!("/repos/tidewater/{EMPTY}/commits?sha=main")).await;
    assert_eq!(commits.status, StatusCode::CONFLICT);
    assert_eq!(commits.body["message"], "Git Repository is empty.");
    let pulls = get(&fake, &format!("/repos/tidewater/{EMPTY}/pulls?state=all")).await;
    assert_eq!(pulls.body, serde_json::json!([]));
    let workflows = get(
        &fake,
        &format!("/repos/tidewater/{EMPTY}/actions/workflows"),
    )
    .await;
    assert_eq!(workflows.body["total_count"], 0);
    // The archived repositories keep their history.
    let old = get(&fake, "/repos/tidewater/legacy-billing/commits").await;
    assert_eq!(old.status, StatusCode::OK);
    assert_eq!(old.body.as_array().unwrap().len(), 30);
}

#[tokio::test]
async fn the_big_repository_pages_through_all_its_pull_requests() {
    let before = demo().repos[0].pulls.len();
    let fake = serve(shaped(), REAL_WORLD_SCOPES).await;
    let (pulls, pages) = all_pages(
        &fake,
        "/repos/tidewater/harbor-gateway/pulls?state=all&sort=updated&direction=desc&per_page=100",
    )
    .await;
    assert_eq!(pulls.len(), before + BIG_REPO_PULLS);
    assert_eq!(pages, (before + BIG_REPO_PULLS).div_ceil(100));
    let numbers: std::collections::HashSet<i64> = pulls
        .iter()
        .map(|p| p["number"].as_i64().unwrap())
        .collect();
    assert_eq!(
        numbers.len(),
        pulls.len(),
        "no pull request twice across pages"
    );
    let closed = get(
        &fake,
        "/repos/tidewater/harbor-gateway/pulls?state=closed&per_page=1",
    )
    .await;
    let link = closed.header("link").unwrap().to_string();
    let open = demo().repos[0]
        .pulls
        .iter()
        .filter(|p| p.closed_at.is_none())
        .count();
    let last = format!("page={}>; rel=\"last\"", before + BIG_REPO_PULLS - open);
    assert!(link.contains(&last), "{link}");
}
