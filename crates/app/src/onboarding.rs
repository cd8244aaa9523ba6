//! The first run, shared by `bosun init` in a terminal and the welcome page of the app: check a
//! token live (who it is, what it may read, its rate limit, and what is missing in plain
//! words), discover the organisation (repositories with the active ones chosen, teams with
//! their members and repositories from GitHub's Teams API or code owners, people, deploy
//! workflows), then keep the choices: the sources (tokens to the keychain) and the
//! organisation file ([`crate::org`]). Nothing is written before [`App::finish_onboarding`].

use crate::org::{OrgSettings, OrgTeam};
use crate::service::NewSourceSpec;
use crate::{App, AppError, Result, secrets};
use bosun_connectors::github::discover::{self, Refusable, TokenKind};
use bosun_core::Sensitive;
use bosun_core::model::Provider;
use bosun_core::time::{DAY, Ts, rfc3339};
use serde::{Deserialize, Serialize};

/// Repositories pushed to within this many days are preselected.
pub const ACTIVE_DAYS: i64 = 180;
/// Profiles looked up for names at most (one request each).
const MAX_PROFILES: usize = 60;

/// A permission the token lacks and what that means for you.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Missing {
    /// The scope or permission, as GitHub names it (`read:org`).
    pub permission: String,
    /// What Bosun cannot do without it, in plain words.
    pub consequence: String,
}

/// An owner of repositories the token can see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OwnerChoice {
    pub login: String,
    pub description: Option<String>,
    /// The token's own account rather than an organisation.
    pub is_user: bool,
}

/// A GitHub token, checked live.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GithubCheck {
    /// The API checked (`https://api.github.com` or an Enterprise / fake one).
    pub base_url: String,
    pub login: String,
    pub name: Option<String>,
    /// classic, fine_grained, oauth, app or other.
    pub kind: String,
    /// The scopes GitHub lists (classic and OAuth tokens); null when it lists none.
    pub scopes: Option<Vec<String>>,
    pub missing: Vec<Missing>,
    /// Fine-grained tokens list no permissions: what they may read shows in the next step.
    pub permissions_note: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub rate_limit_remaining: Option<u64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub rate_limit_limit: Option<u64>,
    pub rate_limit_resets_at: Option<String>,
    pub owners: Vec<OwnerChoice>,
}

/// Where to find the token of a first-run step.
#[derive(Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct TokenInput {
    /// A pasted token (never returned, never logged).
    pub token: Option<String>,
    /// Use the GitHub CLI's token (`gh auth token`).
    pub from_gh_cli: bool,
}

impl std::fmt::Debug for TokenInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenInput")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("from_gh_cli", &self.from_gh_cli)
            .finish()
    }
}

/// A repository as the wizard offers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RepoChoice {
    pub name: String,
    pub full_name: String,
    pub description: Option<String>,
    pub archived: bool,
    pub fork: bool,
    pub empty: bool,
    pub pushed_at: Option<String>,
    /// Preselected: active (pushed within 180 days), not archived, not a fork, not empty.
    pub selected: bool,
    /// Why it is not preselected.
    pub why_not: Option<String>,
    /// Workflows whose names look like deploys (proposed as the delivery pipeline).
    pub deploy_workflows: Vec<String>,
}

/// A person as the wizard offers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonChoice {
    /// `github:login`: what teams, `me` and reports name.
    pub handle: String,
    pub login: String,
    pub name: Option<String>,
    pub is_bot: bool,
}

/// Where a proposed team comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TeamOrigin {
    /// GitHub's Teams API.
    GithubTeam,
    /// A team named in the repositories' CODEOWNERS (members unknown without `read:org`).
    CodeOwners,
    /// Nothing names teams: one team of everyone active, to rename and split.
    Suggested,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TeamChoice {
    pub key: String,
    pub name: String,
    pub origin: TeamOrigin,
    /// Handles (`github:login`).
    pub members: Vec<String>,
    /// `owner/name`.
    pub repos: Vec<String>,
}

/// What GitHub shows of an owner, for the wizard to propose.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GithubDiscovery {
    pub owner: String,
    pub repos: Vec<RepoChoice>,
    pub teams: Vec<TeamChoice>,
    /// Why teams were not read from GitHub, when they were not.
    pub teams_note: Option<String>,
    /// Humans first (by name), bots last.
    pub people: Vec<PersonChoice>,
    /// Where the people come from, in words.
    pub people_note: String,
    /// You, from the token.
    pub me: PersonChoice,
    /// Members proposed as your direct reports: those of GitHub teams whose members include you.
    pub proposed_reports: Vec<String>,
}

/// An optional source (Jira, PagerDuty, Slack), checked live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourceCheck {
    pub ok: bool,
    /// Who the token is, when the provider says.
    pub who: Option<String>,
    /// What was checked or what went wrong, in words.
    pub detail: String,
}

/// The GitHub part of a finished wizard.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct GithubSetup {
    /// The source's name (default `github`).
    pub name: String,
    pub base_url: Option<String>,
    pub owner: String,
    /// The repositories chosen (names within `owner`).
    pub repos: Vec<String>,
    /// Workflows whose runs are deployments.
    pub deploy_workflows: Vec<String>,
    #[serde(flatten)]
    pub token: TokenInput,
}

/// Another source of a finished wizard.
#[derive(Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct OtherSetup {
    /// jira, pagerduty or slack.
    pub kind: String,
    pub name: String,
    pub base_url: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub settings: serde_json::Value,
    pub token: Option<String>,
}

impl OtherSetup {
    /// The kind as a provider; a name Bosun does not know is invalid input.
    pub fn provider(&self) -> Result<Provider> {
        Provider::parse(&self.kind).ok_or_else(|| {
            AppError::InvalidInput(format!(
                "unknown source kind {:?} (jira, pagerduty or slack)",
                self.kind
            ))
        })
    }
}

impl std::fmt::Debug for OtherSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtherSetup")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Everything the wizard chose.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Setup {
    pub github: Option<GithubSetup>,
    pub others: Vec<OtherSetup>,
    pub org: OrgSettings,
}

/// What finishing wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finished {
    pub sources: Vec<String>,
    pub org_file: String,
    pub teams: usize,
    pub reports: usize,
}

/// The GitHub CLI's token for `host` (`gh auth token`), when it is installed and logged in.
pub fn gh_cli_token(host: Option<&str>) -> Option<Sensitive<String>> {
    let mut cmd = std::process::Command::new("gh");
    cmd.args(["auth", "token"]);
    if let Some(h) = host.filter(|h| *h != "api.github.com" && *h != "github.com") {
        cmd.args(["--hostname", h]);
    }
    let out = cmd.stderr(std::process::Stdio::null()).output().ok()?;
    let token = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !token.is_empty()).then(|| Sensitive::new(token))
}

/// Whether the GitHub CLI has a token to offer.
pub fn gh_cli_available() -> bool {
    gh_cli_token(None).is_some()
}

fn host_of(base_url: Option<&str>) -> Option<String> {
    let url = base_url?;
    let rest = url.split("://").nth(1)?;
    Some(rest.split(['/', ':']).next()?.to_string())
}

impl TokenInput {
    /// The token: the pasted one, or the GitHub CLI's.
    pub fn resolve(&self, base_url: Option<&str>) -> Result<Sensitive<String>> {
        if let Some(t) = self
            .token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            return Ok(Sensitive::new(t.to_string()));
        }
        if self.from_gh_cli {
            return gh_cli_token(host_of(base_url).as_deref()).ok_or_else(|| {
                AppError::InvalidInput(
                    "the GitHub CLI has no token: run `gh auth login`, or paste a token".into(),
                )
            });
        }
        Err(AppError::InvalidInput(
            "paste a token (or use the GitHub CLI's)".into(),
        ))
    }
}

/// What a classic token's missing scopes mean.
fn missing_scopes(scopes: &[String]) -> Vec<Missing> {
    let mut out = Vec::new();
    if !discover::grants(scopes, "repo") {
        out.push(Missing {
            permission: "repo".into(),
            consequence: "Bosun sees only public repositories: private ones, their pull requests, \
                          checks and deployments stay out of every number."
                .into(),
        });
    }
    if !discover::grants(scopes, "read:org") {
        out.push(Missing {
            permission: "read:org".into(),
            consequence: "Bosun cannot read your organisation's teams and private members: it \
                          proposes people from recent pull requests instead, and you name the \
                          teams."
                .into(),
        });
    }
    out
}

fn days_ago(now: Ts, at: Option<&str>) -> Option<i64> {
    let t = bosun_core::time::parse_rfc3339(at?)?;
    Some((now - t) / DAY)
}

fn team_key(s: &str) -> String {
    let k: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let k = k.trim_matches('-').to_string();
    if k.is_empty() { "team".into() } else { k }
}

fn person(m: &discover::Member) -> PersonChoice {
    PersonChoice {
        handle: format!("github:{}", m.login),
        login: m.login.clone(),
        name: m.name.clone(),
        is_bot: m.is_bot,
    }
}

impl App {
    /// Check a GitHub token live: who it is, its scopes (what is missing, in words), its rate
    /// limit, and the organisations it sees.
    pub async fn check_github(
        &self,
        base_url: Option<&str>,
        token: &TokenInput,
    ) -> Result<GithubCheck> {
        let token = token.resolve(base_url)?;
        let (api, http) = discover::client(base_url, token.clone(), self.config.http())?;
        let check = discover::check_token(&http, &api, token.expose())
            .await
            .map_err(|e| match e {
                bosun_connectors::ConnectorError::Auth { .. } => AppError::InvalidInput(format!(
                    "GitHub at {api} refused this token (HTTP 401): it is wrong, expired or revoked"
                )),
                e => e.into(),
            })?;
        let owners = discover::owners(&http, &api, &check.login).await?;
        let (missing, permissions_note) = match (&check.scopes, check.kind) {
            (Some(s), _) => (missing_scopes(s), None),
            (None, TokenKind::FineGrained) => (
                Vec::new(),
                Some(
                    "A fine-grained token lists no permissions: give it read access to Contents, \
                     Pull requests, Actions, Deployments and Metadata on the repositories, and \
                     Members on the organisation; the next step shows what it may read."
                        .into(),
                ),
            ),
            (None, _) => (
                Vec::new(),
                Some(
                    "GitHub lists no scopes for this token; the next step shows what it may read."
                        .into(),
                ),
            ),
        };
        Ok(GithubCheck {
            base_url: api,
            login: check.login,
            name: check.name,
            kind: serde_json::to_value(check.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            scopes: check.scopes,
            missing,
            permissions_note,
            rate_limit_remaining: check.rate_limit.as_ref().map(|r| r.remaining),
            rate_limit_limit: check.rate_limit.as_ref().map(|r| r.limit),
            rate_limit_resets_at: check
                .rate_limit
                .as_ref()
                .filter(|r| r.reset > 0)
                .map(|r| rfc3339(r.reset as i64)),
            owners: owners
                .into_iter()
                .map(|o| OwnerChoice {
                    login: o.login,
                    description: o.description,
                    is_user: o.is_user,
                })
                .collect(),
        })
    }

    /// Discover an owner's repositories, teams, people and deploy workflows, and propose
    /// choices: active repositories, GitHub's teams (else code owners' teams, else one team of
    /// everyone active), you from the token, your reports from your teams.
    pub async fn discover_github(
        &self,
        base_url: Option<&str>,
        token: &TokenInput,
        owner: &str,
    ) -> Result<GithubDiscovery> {
        let owner = owner.trim();
        if owner.is_empty() {
            return Err(AppError::InvalidInput(
                "choose an organisation or user".into(),
            ));
        }
        let token = token.resolve(base_url)?;
        let (api, http) = discover::client(base_url, token.clone(), self.config.http())?;
        let me_check = discover::check_token(&http, &api, token.expose()).await?;
        let now = self.now();
        let listed = discover::repos(&http, &api, owner).await?;
        let mut repos = Vec::new();
        for r in listed {
            let age = days_ago(now, r.pushed_at.as_deref());
            let why_not = if r.archived {
                Some("archived".to_string())
            } else if r.fork {
                Some("a fork".to_string())
            } else if r.empty {
                Some("empty".to_string())
            } else {
                match age {
                    Some(d) if d > ACTIVE_DAYS => Some(format!("no push for {d} days")),
                    _ => None,
                }
            };
            repos.push(RepoChoice {
                selected: why_not.is_none(),
                why_not,
                name: r.name,
                full_name: r.full_name,
                description: r.description,
                archived: r.archived,
                fork: r.fork,
                empty: r.empty,
                pushed_at: r.pushed_at,
                deploy_workflows: Vec::new(),
            });
        }
        // Deploy workflows of the chosen repositories (GitHub Actions as the pipeline).
        for r in repos.iter_mut().filter(|r| r.selected) {
            r.deploy_workflows = discover::deploy_workflows(&http, &api, &r.full_name).await?;
        }
        let chosen: Vec<String> = repos
            .iter()
            .filter(|r| r.selected)
            .map(|r| r.full_name.clone())
            .collect();

        let mut people: Vec<discover::Member> = Vec::new();
        let add = |people: &mut Vec<discover::Member>, m: discover::Member| {
            if !people.iter().any(|p| p.login == m.login) {
                people.push(m);
            }
        };
        let is_org = !owner.eq_ignore_ascii_case(&me_check.login);
        let mut teams = Vec::new();
        let mut teams_note = None;
        if is_org {
            match discover::teams(&http, &api, owner).await? {
                Refusable::Ok(t) if !t.is_empty() => {
                    for t in t {
                        for m in &t.members {
                            add(&mut people, m.clone());
                        }
                        teams.push(TeamChoice {
                            key: team_key(&t.slug),
                            name: t.name,
                            origin: TeamOrigin::GithubTeam,
                            members: t
                                .members
                                .iter()
                                .map(|m| format!("github:{}", m.login))
                                .collect(),
                            repos: t.repos.into_iter().filter(|r| chosen.contains(r)).collect(),
                        });
                    }
                }
                Refusable::Ok(_) => teams_note = Some(format!("{owner} has no teams on GitHub")),
                Refusable::Refused(why) => {
                    teams_note = Some(format!(
                        "GitHub would not list {owner}'s teams to this token ({why}): it needs read:org"
                    ))
                }
            }
        } else {
            teams_note = Some(format!("{owner} is a personal account: it has no teams"));
        }
        // Without GitHub's teams, code owners name some.
        if teams.is_empty() {
            let mut by_team: Vec<(String, Vec<String>)> = Vec::new();
            for full in &chosen {
                for o in discover::code_owners(&http, &api, full).await? {
                    let Some(slug) = o
                        .strip_prefix('@')
                        .and_then(|o| o.split_once('/'))
                        .map(|(_, s)| s.to_string())
                    else {
                        continue;
                    };
                    match by_team.iter_mut().find(|(s, _)| *s == slug) {
                        Some((_, r)) if !r.contains(full) => r.push(full.clone()),
                        Some(_) => {}
                        None => by_team.push((slug, vec![full.clone()])),
                    }
                }
            }
            for (slug, repos) in by_team {
                teams.push(TeamChoice {
                    key: team_key(&slug),
                    name: slug.replace(['-', '_'], " "),
                    origin: TeamOrigin::CodeOwners,
                    members: Vec::new(),
                    repos,
                });
            }
        }
        // People: the organisation's members (all of them with read:org, the public ones
        // without), and whoever opened the chosen repositories' recent pull requests (bots too,
        // told apart): members who never push are rare, active outsiders are not.
        let members = if is_org {
            discover::members(&http, &api, owner).await?
        } else {
            Refusable::Refused("a personal account".into())
        };
        let from_members = match members {
            Refusable::Ok(m) if !m.is_empty() => {
                let n = m.len();
                for m in m {
                    add(&mut people, m);
                }
                n
            }
            _ => 0,
        };
        for full in chosen.iter().take(30) {
            for m in discover::recent_authors(&http, &api, full).await? {
                add(&mut people, m);
            }
        }
        let people_note = if from_members > 0 {
            format!(
                "{from_members} members of {owner} GitHub lists to this token, and the authors of recent pull requests in the chosen repositories"
            )
        } else {
            "the authors of recent pull requests in the chosen repositories (GitHub listed no members of the organisation to this token)".to_string()
        };
        add(
            &mut people,
            discover::Member {
                login: me_check.login.clone(),
                name: me_check.name.clone(),
                is_bot: false,
            },
        );
        // Names, where lists gave none (profiles, a bounded number of requests).
        for m in people
            .iter_mut()
            .filter(|m| m.name.is_none() && !m.is_bot)
            .take(MAX_PROFILES)
        {
            m.name = discover::profile_name(&http, &api, &m.login).await?;
        }
        let mut people: Vec<PersonChoice> = people.iter().map(person).collect();
        people.sort_by(|a, b| {
            a.is_bot.cmp(&b.is_bot).then_with(|| {
                let key = |p: &PersonChoice| {
                    p.name
                        .clone()
                        .unwrap_or_else(|| p.login.clone())
                        .to_lowercase()
                };
                key(a).cmp(&key(b))
            })
        });
        if teams.is_empty() {
            teams.push(TeamChoice {
                key: team_key(owner),
                name: owner.to_string(),
                origin: TeamOrigin::Suggested,
                members: people
                    .iter()
                    .filter(|p| !p.is_bot)
                    .map(|p| p.handle.clone())
                    .collect(),
                repos: chosen.clone(),
            });
        }
        let me = people
            .iter()
            .find(|p| p.login == me_check.login)
            .cloned()
            .unwrap_or_else(|| {
                person(&discover::Member {
                    login: me_check.login.clone(),
                    name: me_check.name.clone(),
                    is_bot: false,
                })
            });
        let mut proposed_reports: Vec<String> = Vec::new();
        // Only a team GitHub names says whom you work with; a suggested team of everyone active
        // proposes nobody.
        for t in teams
            .iter()
            .filter(|t| t.origin == TeamOrigin::GithubTeam && t.members.contains(&me.handle))
        {
            for m in t.members.iter().filter(|m| **m != me.handle) {
                if !proposed_reports.contains(m) {
                    proposed_reports.push(m.clone());
                }
            }
        }
        Ok(GithubDiscovery {
            owner: owner.to_string(),
            repos,
            teams,
            teams_note,
            people,
            people_note,
            me,
            proposed_reports,
        })
    }

    /// Check a Jira, PagerDuty or Slack token live (one cheap authenticated request).
    pub async fn check_other_source(&self, s: &OtherSetup) -> Result<SourceCheck> {
        let kind = s.provider()?;
        let token = s
            .token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| AppError::InvalidInput(format!("paste the {} token", s.kind)))?;
        let base = s
            .base_url
            .clone()
            .filter(|b| !b.trim().is_empty())
            .or_else(|| secrets::default_base_url(kind).map(str::to_string))
            .ok_or_else(|| {
                AppError::InvalidInput(format!("a {} source needs its site's URL", s.kind))
            })?;
        if !bosun_core::is_web_url(&base) {
            return Err(AppError::InvalidInput(format!(
                "{base:?} is not an http(s) URL"
            )));
        }
        let base = base.trim_end_matches('/');
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(
                self.config.sync.timeout_secs,
            ))
            .build()
            .map_err(|e| AppError::InvalidInput(e.to_string()))?;
        let req = match kind {
            Provider::Jira => {
                let r = client.get(format!("{base}/rest/api/3/myself"));
                match s
                    .settings
                    .get("email")
                    .and_then(|e| e.as_str())
                    .filter(|e| !e.is_empty())
                {
                    Some(e) => r.basic_auth(e, Some(token)),
                    None => r.bearer_auth(token),
                }
            }
            // Any valid key may read its account's abilities (an account key has no user).
            Provider::Pagerduty => client
                .get(format!("{base}/abilities"))
                .header("authorization", format!("Token token={token}"))
                .header("accept", "application/vnd.pagerduty+json;version=2"),
            Provider::Slack => client
                .post(format!("{base}/api/auth.test"))
                .bearer_auth(token),
            Provider::Gitlab => client
                .get(format!("{}/user", bosun_connectors::gitlab::api_base(base)))
                .bearer_auth(token),
            Provider::Linear => client
                .post(format!("{base}/graphql"))
                .header("authorization", token)
                .json(&serde_json::json!({
                    "query": bosun_connectors::linear::queries::VIEWER,
                    "operationName": "Viewer",
                })),
            other @ (Provider::Github | Provider::Git) => {
                return Err(AppError::InvalidInput(format!(
                    "no live check for {other} sources (gitlab, jira, linear, pagerduty or slack)"
                )));
            }
        };
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                return Ok(SourceCheck {
                    ok: false,
                    who: None,
                    detail: format!("{base} did not answer: {e}"),
                });
            }
        };
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        let refused = |why: String| SourceCheck {
            ok: false,
            who: None,
            detail: why,
        };
        Ok(match (kind, status) {
            (_, 401 | 403) => refused(format!("{base} refused the token (HTTP {status})")),
            (Provider::Slack, 200) if body["ok"].as_bool() == Some(true) => SourceCheck {
                ok: true,
                who: body["user"].as_str().map(|u| {
                    format!(
                        "{u} in {}",
                        body["team"].as_str().unwrap_or("the workspace")
                    )
                }),
                detail: "authenticated".into(),
            },
            (Provider::Linear, 200 | 400) if body["data"]["viewer"].is_object() => SourceCheck {
                ok: true,
                who: body["data"]["viewer"]["name"].as_str().map(|u| {
                    format!(
                        "{u} in {}",
                        body["data"]["organization"]["name"]
                            .as_str()
                            .unwrap_or("the workspace")
                    )
                }),
                detail: "authenticated".into(),
            },
            (Provider::Linear, _) => refused(format!(
                "Linear refused the key ({})",
                body["errors"][0]["message"].as_str().unwrap_or("no data")
            )),
            (Provider::Gitlab, 200) => SourceCheck {
                ok: true,
                who: body["username"].as_str().map(str::to_string),
                detail: "authenticated".into(),
            },
            (Provider::Slack, _) => refused(format!(
                "Slack refused the token ({})",
                body["error"].as_str().unwrap_or("not ok")
            )),
            (_, 200) => SourceCheck {
                ok: true,
                who: body["displayName"]
                    .as_str()
                    .or(body["user"]["name"].as_str())
                    .map(str::to_string),
                detail: "authenticated".into(),
            },
            (_, s) => refused(format!("HTTP {s} from {base}")),
        })
    }

    /// Keep what the wizard chose: the sources (tokens to the keychain first: nothing is
    /// recorded for a token that cannot be kept) and the organisation file, then apply identity.
    pub fn finish_onboarding(&mut self, setup: Setup) -> Result<Finished> {
        setup.org.validate()?;
        let mut added = Vec::new();
        if let Some(g) = &setup.github {
            let token = g.token.resolve(g.base_url.as_deref())?;
            let name = if g.name.trim().is_empty() {
                "github".to_string()
            } else {
                g.name.trim().to_string()
            };
            let settings = serde_json::to_value(bosun_connectors::github::GithubSettings {
                owner: g.owner.trim().to_string(),
                repos: g.repos.clone(),
                deploy_workflows: g.deploy_workflows.clone(),
                ..Default::default()
            })
            .map_err(|e| AppError::InvalidInput(e.to_string()))?;
            let base = g
                .base_url
                .as_deref()
                .map(|b| b.trim().trim_end_matches('/'))
                .filter(|b| !b.is_empty() && *b != discover::PUBLIC_API)
                .map(str::to_string);
            self.add_source(NewSourceSpec {
                kind: Provider::Github,
                name: name.clone(),
                base_url: base,
                settings,
                token: Some(token),
            })?;
            added.push(name);
        }
        for o in &setup.others {
            let kind = o.provider()?;
            let name = if o.name.trim().is_empty() {
                kind.to_string()
            } else {
                o.name.trim().to_string()
            };
            self.add_source(NewSourceSpec {
                kind,
                name: name.clone(),
                base_url: o.base_url.clone().filter(|b| !b.trim().is_empty()),
                settings: if o.settings.is_null() {
                    serde_json::json!({})
                } else {
                    o.settings.clone()
                },
                token: o
                    .token
                    .clone()
                    .filter(|t| !t.trim().is_empty())
                    .map(Sensitive::new),
            })?;
            added.push(name);
        }
        self.save_org_settings(&setup.org)?;
        Ok(Finished {
            sources: added,
            org_file: self.org_file().display().to_string(),
            teams: setup.org.teams.len(),
            reports: setup.org.reports.len(),
        })
    }
}

/// The organisation the wizard proposes from a discovery (what `bosun init --yes` keeps).
pub fn proposed_org(d: &GithubDiscovery) -> OrgSettings {
    OrgSettings {
        me: d.me.handle.clone(),
        reports: d.proposed_reports.clone(),
        teams: d
            .teams
            .iter()
            .map(|t| OrgTeam {
                key: t.key.clone(),
                name: t.name.clone(),
                manager: None,
                members: t.members.clone(),
                repos: t.repos.clone(),
                ..Default::default()
            })
            .collect(),
        people: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_scopes_are_named_with_what_they_cost() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(missing_scopes(&s(&["repo", "read:org"])).is_empty());
        assert!(missing_scopes(&s(&["repo", "admin:org"])).is_empty());
        let m = missing_scopes(&s(&["repo"]));
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].permission, "read:org");
        assert!(m[0].consequence.contains("teams"));
        let m = missing_scopes(&s(&[]));
        assert_eq!(
            m.iter().map(|m| m.permission.as_str()).collect::<Vec<_>>(),
            vec!["repo", "read:org"]
        );
    }

    #[test]
    fn team_keys_are_valid_config_keys() {
        assert_eq!(team_key("Platform Team"), "platform-team");
        assert_eq!(team_key("core_api"), "core_api");
        assert_eq!(team_key("!!"), "team");
    }

    #[test]
    fn hosts_of_enterprise_urls() {
        assert_eq!(
            host_of(Some("https://ghe.acme.io/api/v3")).as_deref(),
            Some("ghe.acme.io")
        );
        assert_eq!(
            host_of(Some("http://127.0.0.1:9000")).as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(host_of(None), None);
    }
}
