//! The demo organisation as the wizard reads it, with the demo's token (`repo, read:org,
//! read:user`).

use crate::support::{all_pages, demo, get, serve, strings};
use bosun_fakes::github::DEMO_SCOPES;
use reqwest::StatusCode;

#[tokio::test]
async fn user_carries_a_classic_tokens_scopes_and_rate_limit_headers() {
    let fake = serve(demo(), DEMO_SCOPES).await;
    let a = get(&fake, "/user").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["login"], "mayaokafor");
    assert_eq!(a.body["name"], "Maya Okafor");
    assert_eq!(
        a.header("x-oauth-scopes"),
        Some("repo, read:org, read:user")
    );
    assert_eq!(a.header("x-accepted-oauth-scopes"), Some("user"));
    assert_eq!(a.header("x-ratelimit-limit"), Some("5000"));
    assert_eq!(a.header("x-ratelimit-resource"), Some("core"));
    let remaining: u64 = a.header("x-ratelimit-remaining").unwrap().parse().unwrap();
    let used: u64 = a.header("x-ratelimit-used").unwrap().parse().unwrap();
    assert_eq!(remaining + used, 5000);
    let reset: u64 = a.header("x-ratelimit-reset").unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(reset > now, "reset {reset} is in the future");
    // Every answer names the scopes, not only /user; the scopes are the server's to choose.
    let repos = get(&fake, "/orgs/tidewater/repos").await;
    assert_eq!(
        repos.header("x-oauth-scopes"),
        Some("repo, read:org, read:user")
    );
    let other = serve(demo(), "repo,  user").await;
    assert_eq!(
        get(&other, "/user").await.header("x-oauth-scopes"),
        Some("repo, user")
    );
}

#[tokio::test]
async fn the_users_organisations_and_the_organisation_in_githubs_shapes() {
    let fake = serve(demo(), DEMO_SCOPES).await;
    let a = get(&fake, "/user/orgs").await;
    assert_eq!(a.status, StatusCode::OK);
    let orgs = a.body.as_array().unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0]["login"], "tidewater");
    assert_eq!(orgs[0]["id"], 9000);
    assert_eq!(orgs[0]["url"], "https://api.github.com/orgs/tidewater");
    assert!(orgs[0]["description"].is_null());
    let org = get(&fake, "/orgs/tidewater").await;
    assert_eq!(org.status, StatusCode::OK);
    assert_eq!(org.body["login"], "tidewater");
    assert_eq!(org.body["name"], "Tidewater Labs");
    assert_eq!(org.body["type"], "Organization");
    assert_eq!(org.body["public_repos"], 0);
    assert_eq!(org.body["total_private_repos"], 6);
    // The repositories' owner is this organisation.
    let repos = get(&fake, "/orgs/tidewater/repos").await;
    assert_eq!(repos.body[0]["owner"]["id"], org.body["id"]);
    assert_eq!(
        get(&fake, "/orgs/elsewhere").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn teams_with_their_members_and_repositories_page_through_link_headers() {
    let w = demo();
    let fake = serve(w.clone(), DEMO_SCOPES).await;
    let (teams, pages) = all_pages(&fake, "/orgs/tidewater/teams?per_page=2").await;
    assert_eq!(pages, 2);
    assert_eq!(strings(&teams, "slug"), ["harbor", "compass", "lighthouse"]);
    assert_eq!(strings(&teams, "name"), ["Harbor", "Compass", "Lighthouse"]);
    assert_eq!(teams[0]["privacy"], "closed");
    assert!(
        teams[0]["members_url"]
            .as_str()
            .unwrap()
            .ends_with("/members{/member}")
    );
    for t in &w.org.teams {
        let people: Vec<String> = w
            .org
            .people
            .iter()
            .filter(|p| p.team == t.key)
            .map(|p| p.github.clone())
            .collect();
        assert!(people.len() > 2, "{} pages at 2 a page", t.key);
        let path = format!("/orgs/tidewater/teams/{}/members?per_page=2", t.key);
        let (members, pages) = all_pages(&fake, &path).await;
        assert_eq!(strings(&members, "login"), people, "{}", t.key);
        assert_eq!(pages, people.len().div_ceil(2));
        assert!(members.iter().all(|m| m["type"] == "User"));
        let repos: Vec<String> = w
            .repos
            .iter()
            .filter(|r| r.team == t.key)
            .map(|r| r.name.clone())
            .collect();
        let path = format!("/orgs/tidewater/teams/{}/repos?per_page=1", t.key);
        let (listed, pages) = all_pages(&fake, &path).await;
        assert_eq!(strings(&listed, "name"), repos, "{}", t.key);
        assert_eq!(pages, repos.len());
        assert!(listed.iter().all(|r| r["permissions"]["push"] == true));
    }
    let missing = get(&fake, "/orgs/tidewater/teams/nobody/members").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn organisation_members_page_and_bots_and_old_logins_are_not_members() {
    let w = demo();
    let fake = serve(w.clone(), DEMO_SCOPES).await;
    let first = get(&fake, "/orgs/tidewater/members?per_page=4").await;
    let link = first.header("link").unwrap();
    assert!(link.contains("page=4>; rel=\"last\""), "{link}");
    let (members, pages) = all_pages(&fake, "/orgs/tidewater/members?per_page=4").await;
    assert_eq!(pages, 4);
    let mut logins = strings(&members, "login");
    logins.sort();
    let mut people: Vec<String> = w.org.people.iter().map(|p| p.github.clone()).collect();
    people.sort();
    assert_eq!(logins, people);
}

#[tokio::test]
async fn repositories_carry_githubs_repository_fields() {
    let fake = serve(demo(), DEMO_SCOPES).await;
    let (repos, _) = all_pages(&fake, "/orgs/tidewater/repos").await;
    assert_eq!(repos.len(), 6);
    for r in &repos {
        assert_eq!(r["archived"], false, "{}", r["name"]);
        assert_eq!(r["fork"], false);
        assert_eq!(r["disabled"], false);
        assert_eq!(r["visibility"], "private");
        assert_eq!(r["default_branch"], "main");
        assert!(r["size"].as_i64().unwrap() > 0);
        assert!(r["pushed_at"].as_str().unwrap() > r["created_at"].as_str().unwrap());
    }
    let one = get(&fake, "/repos/tidewater/harbor-gateway").await;
    assert_eq!(one.body, repos[0]);
    assert!(one.body.get("parent").is_none());
    let owners = get(
        &fake,
        "/repos/tidewater/harbor-gateway/contents/.github/CODEOWNERS",
    )
    .await;
    assert_eq!(owners.status, StatusCode::OK);
}
