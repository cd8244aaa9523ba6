//! The organisation endpoints a first-run wizard reads: the token's organisations, the
//! organisation, its members and its teams (with their members and repositories), in GitHub's
//! shapes and with GitHub's answers to a classic token without `read:org`:
//!
//! - `GET /user/orgs` is refused with 403 and GitHub's message (its documentation: "requires at
//!   least `user` or `read:org` scope ... Requests with insufficient scope will receive a
//!   `403 Forbidden` response").
//! - The team endpoints answer 404 Not Found. GitHub documents that these "OAuth access tokens
//!   require the `read:org` scope" without naming the status, and its troubleshooting guide says
//!   it answers 404, not 403, when "your OAuth access token [lacks] the required scopes", so as
//!   not to reveal what exists. `X-Accepted-OAuth-Scopes` names the scopes that would do, which
//!   is how clients (`gh`) tell a missing scope from a missing team. (A fine-grained token
//!   without the Members permission gets 403 "Resource not accessible by personal access token"
//!   instead; the fake serves classic tokens only.)
//! - `GET /orgs/{org}/members` lists only the public members: a token that cannot read the
//!   organisation cannot show that its user is a member, and GitHub returns concealed members
//!   only to members.
//! - `GET /orgs/{org}` answers anyone.

use super::{API, Gh, Q, WEB, listing, repo_json, user_json};
use crate::http::{json, json_response, not_found};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use bosun_core::time::rfc3339;
use bosun_demo::World;
use bosun_demo::org::Team;
use serde_json::{Value, json};

/// The organisation's id (also its repositories' `owner.id`).
pub(super) const ORG_ID: i64 = 9000;
/// Scopes GitHub accepts for reading teams and concealed members.
const READ_ORG_SCOPES: &str = "admin:org, read:org, write:org";

fn accepted(mut r: Response, scopes: &'static str) -> Response {
    r.headers_mut()
        .insert("x-accepted-oauth-scopes", HeaderValue::from_static(scopes));
    r
}

fn org_simple_json(w: &World) -> Value {
    let org = &w.org.company.github_org;
    let api = format!("{API}/orgs/{org}");
    json!({
        "login": org,
        "id": ORG_ID,
        "node_id": format!("O_{ORG_ID}"),
        "url": api,
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events"),
        "hooks_url": format!("{api}/hooks"),
        "issues_url": format!("{api}/issues"),
        "members_url": format!("{api}/members{{/member}}"),
        "public_members_url": format!("{api}/public_members{{/member}}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{ORG_ID}?v=4"),
        "description": Value::Null
    })
}

/// `GET /user/orgs`: the organisations of the token's user (the demo organisation).
pub(super) async fn user_orgs(State(gh): State<Gh>, Query(q): Q, h: HeaderMap) -> Response {
    if !gh.scopes.lists_orgs() {
        let r = json_response(
            StatusCode::FORBIDDEN,
            &json!({
                "message": "You need at least read:org scope or user scope to list your organizations.",
                "documentation_url": "https://docs.github.com/rest/orgs/orgs#list-organizations-for-the-authenticated-user",
                "status": "403"
            }),
        );
        return accepted(r, "admin:org, read:org, user, write:org");
    }
    let items = vec![org_simple_json(&gh.world)];
    let r = listing(&h, &q, "/user/orgs", items);
    accepted(r, "admin:org, read:org, user, write:org")
}

/// `GET /orgs/{org}`: the organisation's public profile.
pub(super) async fn org_get(State(gh): State<Gh>, Path(org): Path<String>) -> Response {
    let w = &gh.world;
    if org != w.org.company.github_org {
        return not_found();
    }
    let mut v = org_simple_json(w);
    let private = w.repos.len();
    let more = json!({
        "name": w.org.company.name,
        "company": Value::Null,
        "blog": format!("https://{}", w.org.company.domain),
        "location": Value::Null,
        "email": Value::Null,
        "twitter_username": Value::Null,
        "is_verified": false,
        "has_organization_projects": true,
        "has_repository_projects": true,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "html_url": format!("{WEB}/{org}"),
        "created_at": rfc3339(w.start - 1200 * 86_400),
        "updated_at": rfc3339(w.start),
        "archived_at": Value::Null,
        "type": "Organization",
        "total_private_repos": private,
        "owned_private_repos": private
    });
    if let (Some(o), Value::Object(m)) = (v.as_object_mut(), more) {
        o.extend(m);
    }
    json(&v)
}

/// `GET /orgs/{org}/members`: every member, or only the public ones without `read:org`.
pub(super) async fn org_members(
    State(gh): State<Gh>,
    Path(org): Path<String>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let w = &gh.world;
    if org != w.org.company.github_org {
        return not_found();
    }
    let all = gh.scopes.reads_org();
    let items = (0..w.users.len())
        .filter(|&u| w.users[u].org_member && (all || w.users[u].public_member))
        .map(|u| user_json(w, API, u))
        .collect();
    let path = format!("/orgs/{org}/members");
    accepted(listing(&h, &q, &path, items), READ_ORG_SCOPES)
}

/// The organisation's teams on GitHub (none when it never set them up), with their ids.
fn teams(w: &World) -> Vec<(i64, &Team)> {
    if !w.github_teams {
        return Vec::new();
    }
    w.org
        .teams
        .iter()
        .enumerate()
        .map(|(i, t)| (4_100 + i as i64, t))
        .collect()
}

fn team_json(w: &World, id: i64, t: &Team) -> Value {
    let org = &w.org.company.github_org;
    let api = format!("{API}/organizations/{ORG_ID}/team/{id}");
    json!({
        "id": id,
        "node_id": format!("T_{id}"),
        "url": api,
        "html_url": format!("{WEB}/orgs/{org}/teams/{}", t.key),
        "name": t.name,
        "slug": t.key,
        "description": t.mission,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": format!("{api}/members{{/member}}"),
        "repositories_url": format!("{api}/repos"),
        "parent": Value::Null
    })
}

/// Why a team endpoint does not answer with the team.
enum Refused {
    /// No such organisation or team.
    Missing,
    /// The token cannot read the organisation (no `read:org`): also 404, see the module docs.
    NoReadOrg,
}

impl Refused {
    fn response(self) -> Response {
        match self {
            Refused::Missing => not_found(),
            Refused::NoReadOrg => accepted(not_found(), READ_ORG_SCOPES),
        }
    }
}

/// The organisation exists and the token may read its teams.
fn team_access(gh: &Gh, org: &str) -> Result<(), Refused> {
    if org != gh.world.org.company.github_org {
        return Err(Refused::Missing);
    }
    if !gh.scopes.reads_org() {
        return Err(Refused::NoReadOrg);
    }
    Ok(())
}

/// `GET /orgs/{org}/teams`.
pub(super) async fn org_teams(
    State(gh): State<Gh>,
    Path(org): Path<String>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    if let Err(r) = team_access(&gh, &org) {
        return r.response();
    }
    let w = &gh.world;
    let items = teams(w)
        .into_iter()
        .map(|(id, t)| team_json(w, id, t))
        .collect();
    let path = format!("/orgs/{org}/teams");
    accepted(listing(&h, &q, &path, items), READ_ORG_SCOPES)
}

/// The team `slug` of a readable organisation.
fn team<'a>(gh: &'a Gh, org: &str, slug: &str) -> Result<&'a Team, Refused> {
    team_access(gh, org)?;
    teams(&gh.world)
        .into_iter()
        .find(|(_, t)| t.key == slug)
        .map(|(_, t)| t)
        .ok_or(Refused::Missing)
}

/// `GET /orgs/{org}/teams/{team_slug}/members`: the people of the team (their current logins).
pub(super) async fn team_members(
    State(gh): State<Gh>,
    Path((org, slug)): Path<(String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let t = match team(&gh, &org, &slug) {
        Ok(t) => t,
        Err(r) => return r.response(),
    };
    let w = &gh.world;
    let items = w
        .org
        .people
        .iter()
        .filter(|p| p.team == t.key)
        .filter_map(|p| w.user_by_login(&p.github))
        .map(|u| user_json(w, API, u))
        .collect();
    let path = format!("/orgs/{org}/teams/{slug}/members");
    accepted(listing(&h, &q, &path, items), READ_ORG_SCOPES)
}

/// `GET /orgs/{org}/teams/{team_slug}/repos`: the repositories the team owns, with the team's
/// role on them.
pub(super) async fn team_repos(
    State(gh): State<Gh>,
    Path((org, slug)): Path<(String, String)>,
    Query(q): Q,
    h: HeaderMap,
) -> Response {
    let t = match team(&gh, &org, &slug) {
        Ok(t) => t,
        Err(r) => return r.response(),
    };
    let w = &gh.world;
    let items = w
        .repos
        .iter()
        .filter(|r| r.team == t.key)
        .map(|r| {
            let mut v = repo_json(w, API, r);
            if let Some(o) = v.as_object_mut() {
                o.insert("role_name".into(), json!("maintain"));
                o.insert(
                    "permissions".into(),
                    json!({"admin": false, "maintain": true, "push": true, "triage": true, "pull": true}),
                );
            }
            v
        })
        .collect();
    let path = format!("/orgs/{org}/teams/{slug}/repos");
    accepted(listing(&h, &q, &path, items), READ_ORG_SCOPES)
}
