//! What a first run asks GitHub before any source exists: who a token is and what it may read
//! (its scopes, its rate limit), the organisations and repositories it sees, the organisation's
//! teams with their members and repositories, its members, and the code owners of a repository.
//!
//! Every call here reads; nothing is stored. A refusal that only means "this token may not read
//! that" (403, 404) is an answer ([`Refusable::Refused`]) so the wizard can say what is missing in
//! plain words and go on with what it has.

use super::api;
use super::normalize;
use crate::events::{EventSink, NullSink};
use crate::http::{Auth, HttpClient, HttpConfig, Response, github_headers};
use crate::{ConnectorError, Result};
use bosun_core::Sensitive;
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// GitHub's public API, the base when none is named.
pub const PUBLIC_API: &str = "https://api.github.com";

/// A client for `api` (GitHub's public API when `None`) with `token`, and the base it talks to.
pub fn client(
    api: Option<&str>,
    token: Sensitive<String>,
    cfg: HttpConfig,
) -> Result<(String, HttpClient)> {
    let api = api
        .filter(|a| !a.trim().is_empty())
        .unwrap_or(PUBLIC_API)
        .trim_end_matches('/')
        .to_string();
    let sink: Arc<dyn EventSink> = Arc::new(NullSink);
    let http = HttpClient::new(
        "github",
        &api,
        Auth::Bearer(token),
        github_headers(),
        cfg,
        sink,
    )?;
    Ok((api, http))
}

/// What kind of token GitHub says this is (from its prefix and the headers it answers with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A classic personal access token (`ghp_`): scopes in `X-OAuth-Scopes`.
    Classic,
    /// A fine-grained personal access token (`github_pat_`): permissions per repository, not
    /// listed in any header; what it may read shows when a request is refused.
    FineGrained,
    /// An OAuth or GitHub CLI token (`gho_`): scopes in `X-OAuth-Scopes`.
    Oauth,
    /// A GitHub App token (`ghs_`, `ghu_`).
    App,
    /// Anything else (GitHub Enterprise, a fake provider).
    Other,
}

impl TokenKind {
    pub fn of(token: &str) -> TokenKind {
        match token {
            t if t.starts_with("github_pat_") => TokenKind::FineGrained,
            t if t.starts_with("ghp_") => TokenKind::Classic,
            t if t.starts_with("gho_") => TokenKind::Oauth,
            t if t.starts_with("ghs_") || t.starts_with("ghu_") => TokenKind::App,
            _ => TokenKind::Other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateLimit {
    pub limit: u64,
    pub remaining: u64,
    /// Unix seconds when the window resets.
    pub reset: u64,
}

/// Who a token is and what it may do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenCheck {
    pub login: String,
    pub name: Option<String>,
    pub kind: TokenKind,
    /// The scopes GitHub lists for it (`X-OAuth-Scopes`); `None` when it lists none (a
    /// fine-grained or app token).
    pub scopes: Option<Vec<String>>,
    pub rate_limit: Option<RateLimit>,
}

fn header_str<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn header_u64(h: &HeaderMap, name: &str) -> Option<u64> {
    header_str(h, name).and_then(|v| v.trim().parse().ok())
}

/// The scopes in an `X-OAuth-Scopes` header (`"repo, read:org"`).
pub fn parse_scopes(h: &HeaderMap) -> Option<Vec<String>> {
    header_str(h, "x-oauth-scopes").map(|v| {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

pub fn parse_rate_limit(h: &HeaderMap) -> Option<RateLimit> {
    Some(RateLimit {
        limit: header_u64(h, "x-ratelimit-limit")?,
        remaining: header_u64(h, "x-ratelimit-remaining")?,
        reset: header_u64(h, "x-ratelimit-reset").unwrap_or(0),
    })
}

/// Whether `scopes` grant `needed` (a parent scope grants its children: `repo` grants
/// `repo:status`, `admin:org` and `write:org` grant `read:org`, `user` grants `read:user`).
pub fn grants(scopes: &[String], needed: &str) -> bool {
    scopes.iter().any(|s| {
        s == needed
            || match needed {
                "read:org" => s == "write:org" || s == "admin:org",
                "read:user" | "user:email" => s == "user",
                n if n.starts_with("repo:") || n == "public_repo" => s == "repo",
                _ => false,
            }
    })
}

/// `GET /user` with the token: who it is, its scopes and its rate limit.
pub async fn check_token(http: &HttpClient, api: &str, token: &str) -> Result<TokenCheck> {
    let url = format!("{api}/user");
    let (user, resp): (api::User, Response) =
        http.get_json(&url, None)
            .await?
            .ok_or_else(|| ConnectorError::Malformed {
                url: url.clone(),
                detail: "304 without a conditional request".into(),
            })?;
    let scopes = parse_scopes(&resp.headers);
    let mut kind = TokenKind::of(token);
    if kind == TokenKind::Other && scopes.is_some() {
        kind = TokenKind::Classic;
    }
    Ok(TokenCheck {
        login: user.login,
        name: user.name.filter(|n| !n.trim().is_empty()),
        kind,
        scopes,
        rate_limit: parse_rate_limit(&resp.headers),
    })
}

/// An answer GitHub may refuse to give this token (403 or 404): what it said instead.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Refusable<T> {
    Ok(T),
    Refused(String),
}

impl<T> Refusable<T> {
    pub fn ok(self) -> Option<T> {
        match self {
            Refusable::Ok(v) => Some(v),
            Refusable::Refused(_) => None,
        }
    }
}

fn refusable<T>(r: Result<T>) -> Result<Refusable<T>> {
    match r {
        Ok(v) => Ok(Refusable::Ok(v)),
        Err(ConnectorError::NotFound { .. }) => {
            Ok(Refusable::Refused("not found (HTTP 404)".into()))
        }
        Err(ConnectorError::Http {
            status: status @ (403 | 404),
            message,
            ..
        }) => Ok(Refusable::Refused(format!("HTTP {status}: {message}"))),
        Err(e) => Err(e),
    }
}

async fn all<T: serde::de::DeserializeOwned>(http: &HttpClient, url: &str) -> Result<Vec<T>> {
    Ok(http
        .get_all::<T>(url, None, |_| true)
        .await?
        .map(|(v, _)| v)
        .unwrap_or_default())
}

#[derive(Debug, Clone, Deserialize)]
struct OrgListed {
    login: String,
    #[serde(default)]
    description: Option<String>,
}

/// An owner of repositories the token sees: an organisation, or the token's own user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner {
    pub login: String,
    pub description: Option<String>,
    /// The token's own account (its personal repositories), not an organisation.
    pub is_user: bool,
}

/// The organisations the token's user belongs to (`GET /user/orgs`; needs `read:org` for
/// private memberships), then the user's own account.
pub async fn owners(http: &HttpClient, api: &str, me: &str) -> Result<Vec<Owner>> {
    let listed = refusable(all::<OrgListed>(http, &format!("{api}/user/orgs?per_page=100")).await)?;
    let mut out: Vec<Owner> = listed
        .ok()
        .unwrap_or_default()
        .into_iter()
        .map(|o| Owner {
            login: o.login,
            description: o.description.filter(|d| !d.trim().is_empty()),
            is_user: false,
        })
        .collect();
    if out.is_empty() {
        // Without read:org GitHub will not list the user's organisations; the repositories the
        // token reaches (one page, most recently pushed) still name their owners.
        let url = format!("{api}/user/repos?per_page=100&sort=pushed");
        if let Refusable::Ok(Some((repos, _))) =
            refusable(http.get_json::<Vec<api::Repo>>(&url, None).await)?
        {
            for r in repos {
                let login = r.owner.login;
                if !login.eq_ignore_ascii_case(me) && !out.iter().any(|o| o.login == login) {
                    out.push(Owner {
                        login,
                        description: None,
                        is_user: false,
                    });
                }
            }
        }
    }
    out.push(Owner {
        login: me.to_string(),
        description: None,
        is_user: true,
    });
    Ok(out)
}

#[derive(Debug, Clone, Deserialize)]
struct RepoListed {
    name: String,
    full_name: String,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    fork: bool,
    #[serde(default)]
    disabled: bool,
    #[serde(default)]
    pushed_at: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    default_branch: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// A repository as the wizard lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepoInfo {
    pub name: String,
    pub full_name: String,
    pub description: Option<String>,
    pub archived: bool,
    pub fork: bool,
    /// No commits yet (GitHub reports size 0).
    pub empty: bool,
    pub pushed_at: Option<String>,
    pub default_branch: Option<String>,
}

/// The repositories of `owner` (an organisation, else a user), newest push first.
pub async fn repos(http: &HttpClient, api: &str, owner: &str) -> Result<Vec<RepoInfo>> {
    let url = format!("{api}/orgs/{owner}/repos?per_page=100&type=all");
    let listed = match all::<RepoListed>(http, &url).await {
        Err(ConnectorError::NotFound { .. }) => {
            all::<RepoListed>(
                http,
                &format!("{api}/users/{owner}/repos?per_page=100&type=owner"),
            )
            .await?
        }
        other => other?,
    };
    let mut out: Vec<RepoInfo> = listed
        .into_iter()
        .map(|r| RepoInfo {
            name: r.name,
            full_name: r.full_name,
            description: r.description.filter(|d| !d.trim().is_empty()),
            archived: r.archived || r.disabled,
            fork: r.fork,
            empty: r.size == Some(0),
            pushed_at: r.pushed_at,
            default_branch: r.default_branch,
        })
        .collect();
    out.sort_by(|a, b| b.pushed_at.cmp(&a.pushed_at).then(a.name.cmp(&b.name)));
    Ok(out)
}

/// A GitHub account as the wizard lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub login: String,
    pub name: Option<String>,
    pub is_bot: bool,
}

fn member(u: api::User) -> Member {
    Member {
        is_bot: u.kind.as_deref() == Some("Bot") || bosun_core::model::is_bot_login(&u.login),
        name: u.name.filter(|n| !n.trim().is_empty()),
        login: u.login,
    }
}

#[derive(Debug, Clone, Deserialize)]
struct TeamListed {
    slug: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
}

/// A team of the organisation with its members and repositories.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamInfo {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub members: Vec<Member>,
    /// `owner/name` of the team's repositories.
    pub repos: Vec<String>,
}

/// The organisation's teams with their members and repositories (`read:org`); refused when
/// the token may not read them.
pub async fn teams(http: &HttpClient, api: &str, org: &str) -> Result<Refusable<Vec<TeamInfo>>> {
    let listed = match refusable(
        all::<TeamListed>(http, &format!("{api}/orgs/{org}/teams?per_page=100")).await,
    )? {
        Refusable::Ok(t) => t,
        Refusable::Refused(why) => return Ok(Refusable::Refused(why)),
    };
    let mut out = Vec::new();
    for t in listed {
        let base = format!("{api}/orgs/{org}/teams/{}", t.slug);
        let members =
            refusable(all::<api::User>(http, &format!("{base}/members?per_page=100")).await)?
                .ok()
                .unwrap_or_default();
        let repos = refusable(all::<api::Repo>(http, &format!("{base}/repos?per_page=100")).await)?
            .ok()
            .unwrap_or_default();
        out.push(TeamInfo {
            slug: t.slug,
            name: t.name,
            description: t.description.filter(|d| !d.trim().is_empty()),
            members: members.into_iter().map(member).collect(),
            repos: repos.into_iter().map(|r| r.full_name).collect(),
        });
    }
    Ok(Refusable::Ok(out))
}

/// The organisation's members (`GET /orgs/{org}/members`: all of them with `read:org`, the
/// public ones without).
pub async fn members(http: &HttpClient, api: &str, org: &str) -> Result<Refusable<Vec<Member>>> {
    let listed =
        refusable(all::<api::User>(http, &format!("{api}/orgs/{org}/members?per_page=100")).await)?;
    Ok(match listed {
        Refusable::Ok(users) => Refusable::Ok(users.into_iter().map(member).collect()),
        Refusable::Refused(why) => Refusable::Refused(why),
    })
}

/// A public profile's name (`GET /users/{login}`), `None` when it shows none.
pub async fn profile_name(http: &HttpClient, api: &str, login: &str) -> Result<Option<String>> {
    let url = format!("{api}/users/{login}");
    match refusable(http.get_json::<api::User>(&url, None).await)? {
        Refusable::Ok(Some((u, _))) => Ok(u.name.filter(|n| !n.trim().is_empty())),
        _ => Ok(None),
    }
}

/// Authors of a repository's most recently updated pull requests (one page): who is active
/// when the organisation's teams and members cannot be read.
pub async fn recent_authors(http: &HttpClient, api: &str, full: &str) -> Result<Vec<Member>> {
    let url =
        format!("{api}/repos/{full}/pulls?state=all&sort=updated&direction=desc&per_page=100");
    let page = match refusable(http.get_json::<Vec<api::Pull>>(&url, None).await)? {
        Refusable::Ok(Some((p, _))) => p,
        _ => return Ok(Vec::new()),
    };
    let mut out: Vec<Member> = Vec::new();
    for p in page {
        if let Some(u) = p.user
            && !out.iter().any(|m| m.login == u.login)
        {
            out.push(member(u));
        }
    }
    Ok(out)
}

/// Owners named by a repository's CODEOWNERS (`@org/team` and `@user`), in file order, each
/// once; empty when it has none.
pub async fn code_owners(http: &HttpClient, api: &str, full: &str) -> Result<Vec<String>> {
    for path in [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] {
        let url = format!("{api}/repos/{full}/contents/{path}");
        match refusable(http.get_json::<api::Content>(&url, None).await)? {
            Refusable::Ok(Some((content, _))) => {
                let mut owners: Vec<String> = Vec::new();
                for rule in normalize::codeowners(&content, &url)? {
                    for o in rule.owners {
                        if !owners.contains(&o) {
                            owners.push(o);
                        }
                    }
                }
                return Ok(owners);
            }
            _ => continue,
        }
    }
    Ok(Vec::new())
}

/// Names of a repository's workflows that look like deploys; none when Actions is off or the
/// token may not read them.
pub async fn deploy_workflows(http: &HttpClient, api: &str, full: &str) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Listed {
        workflows: Vec<api::Workflow>,
    }
    let url = format!("{api}/repos/{full}/actions/workflows?per_page=100");
    Ok(
        match refusable(http.get_json::<Listed>(&url, None).await)? {
            Refusable::Ok(Some((l, _))) => l
                .workflows
                .into_iter()
                .filter(|w| super::actions::looks_like_deploy(&w.name, &w.path))
                .map(|w| w.name)
                .collect(),
            _ => Vec::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn scopes_and_rate_limit_come_from_the_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-oauth-scopes",
            HeaderValue::from_static("repo, read:org,  workflow"),
        );
        h.insert("x-ratelimit-limit", HeaderValue::from_static("5000"));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("4987"));
        h.insert("x-ratelimit-reset", HeaderValue::from_static("1764979200"));
        assert_eq!(
            parse_scopes(&h).unwrap(),
            vec!["repo", "read:org", "workflow"]
        );
        assert_eq!(
            parse_rate_limit(&h),
            Some(RateLimit {
                limit: 5000,
                remaining: 4987,
                reset: 1_764_979_200
            })
        );
        // An empty header is "no scopes", its absence "not a scoped token".
        h.insert("x-oauth-scopes", HeaderValue::from_static(""));
        assert_eq!(parse_scopes(&h), Some(vec![]));
        assert_eq!(parse_scopes(&HeaderMap::new()), None);
    }

    #[test]
    fn parent_scopes_grant_their_children() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(grants(&s(&["admin:org"]), "read:org"));
        assert!(grants(&s(&["write:org"]), "read:org"));
        assert!(!grants(&s(&["repo"]), "read:org"));
        assert!(grants(&s(&["repo"]), "repo:status"));
        assert!(grants(&s(&["user"]), "read:user"));
        assert!(!grants(&s(&["public_repo"]), "repo"));
    }

    #[test]
    fn token_kinds_by_prefix() {
        assert_eq!(TokenKind::of("github_pat_11ABC"), TokenKind::FineGrained);
        assert_eq!(TokenKind::of("ghp_abc"), TokenKind::Classic);
        assert_eq!(TokenKind::of("gho_abc"), TokenKind::Oauth);
        assert_eq!(TokenKind::of("ghs_abc"), TokenKind::App);
        assert_eq!(TokenKind::of("bosun-demo-token"), TokenKind::Other);
    }
}
