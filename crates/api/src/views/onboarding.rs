//! The welcome page and first-run wizard (the same steps as `bosun init`), and the organisation
//! (teams, people, you and your reports) as Settings edits it.

use super::common::NoArgs;
use crate::error::{ApiError, Result};
use crate::state::Api;
use bosun_app::onboarding::{
    self, Finished, GithubCheck, GithubDiscovery, OtherSetup, Setup, SourceCheck, TokenInput,
};
use bosun_app::org::OrgSettings;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use ts_rs::TS;

/// What the welcome page needs before the first step.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Welcome {
    /// Sources or an organisation exist: the wizard is not needed (it can still be run).
    pub configured: bool,
    pub demo: bool,
    /// The OS keychain answers; when it does not, `keychain_problem` says why.
    pub keychain_ok: bool,
    pub keychain_problem: Option<String>,
    /// The GitHub CLI is installed and logged in: its token can be used.
    pub gh_cli: bool,
    pub default_github_url: String,
    /// Where the configuration and the organisation file are.
    pub config_file: String,
    pub org_file: String,
}

pub fn welcome(api: &Api, _: NoArgs) -> Result<Welcome> {
    let app = api.app();
    let configured = !app.sources()?.is_empty();
    let keychain = bosun_app::secrets::probe();
    Ok(Welcome {
        configured,
        demo: api.is_demo(),
        keychain_ok: keychain.is_ok(),
        keychain_problem: keychain.err(),
        gh_cli: onboarding::gh_cli_available(),
        default_github_url: bosun_connectors::github::discover::PUBLIC_API.to_string(),
        config_file: app.paths.config_file.display().to_string(),
        org_file: app.org_file().display().to_string(),
    })
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct CheckGithubArgs {
    /// The API (default GitHub's public one; an Enterprise `…/api/v3`).
    pub base_url: Option<String>,
    #[serde(flatten)]
    pub token: TokenInput,
}

fn run<T>(f: impl std::future::Future<Output = bosun_app::Result<T>>) -> Result<T> {
    Ok(tokio::runtime::Handle::current().block_on(f)?)
}

fn base(u: &Option<String>) -> Option<&str> {
    u.as_deref().map(str::trim).filter(|u| !u.is_empty())
}

pub fn check_github(api: &Api, args: CheckGithubArgs) -> Result<GithubCheck> {
    let app = api.app();
    run(app.check_github(base(&args.base_url), &args.token))
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct DiscoverArgs {
    pub base_url: Option<String>,
    #[serde(flatten)]
    pub token: TokenInput,
    /// The organisation (or user) chosen.
    pub owner: String,
}

pub fn discover_github(api: &Api, args: DiscoverArgs) -> Result<GithubDiscovery> {
    let app = api.app();
    run(app.discover_github(base(&args.base_url), &args.token, &args.owner))
}

pub fn check_source(api: &Api, args: OtherSetup) -> Result<SourceCheck> {
    let app = api.app();
    run(app.check_other_source(&args))
}

/// The wizard's choices kept; the first sync starts in the background (progress as events).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FinishedView {
    #[serde(flatten)]
    pub finished: Finished,
    pub sync_started: bool,
}

pub fn finish(api: &Arc<Api>, setup: Setup) -> Result<FinishedView> {
    api.ready()?;
    if api.is_demo() {
        return Err(ApiError::invalid(
            "this is the demo: start Bosun without --demo to connect your organisation",
        ));
    }
    let finished = api.replace_app(|app| app.finish_onboarding(setup))?;
    Ok(FinishedView {
        finished,
        sync_started: api.sync_now()?,
    })
}

/// Leave the welcome page for the demo organisation (in a throwaway folder).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DemoStarted {
    pub data_dir: String,
}

pub fn explore_demo(api: &Arc<Api>, _: NoArgs) -> Result<DemoStarted> {
    Ok(DemoStarted {
        data_dir: api.explore_demo()?,
    })
}

/// The organisation as Settings edits it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OrgPage {
    /// What Bosun keeps (the wizard's choices and Settings' edits).
    pub org: OrgSettings,
    pub org_file: String,
    /// Teams your own config.toml defines (read-only here: Bosun never rewrites that file).
    pub config_teams: Vec<super::common::TeamRef>,
    /// Everyone Bosun knows, to pick members, reports and links from.
    pub people: Vec<OrgPersonOption>,
    /// Config references (team members, you, reports) that match nobody synced yet.
    pub unresolved: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OrgPersonOption {
    /// What a team, `me` or a report names: `github:login`, an email, ...
    pub handle: String,
    pub name: String,
    pub is_bot: bool,
}

fn org_page(app: &bosun_app::App, unresolved: Vec<String>) -> Result<OrgPage> {
    let org = app.org_settings()?;
    let ours: Vec<&str> = org.teams.iter().map(|t| t.key.as_str()).collect();
    let people = app.people()?;
    let mut options = Vec::new();
    for p in people.people.iter() {
        // One handle per person: their GitHub account when they have one, else their first.
        let handle = p
            .accounts
            .iter()
            .find(|a| a.provider == "github")
            .or(p.accounts.first())
            .map(|a| format!("{}:{}", a.provider, a.login.as_deref().unwrap_or(&a.id)))
            .or_else(|| p.email.clone());
        if let Some(handle) = handle {
            options.push(OrgPersonOption {
                handle,
                name: p.name.clone(),
                is_bot: p.is_bot,
            });
        }
    }
    options.sort_by(|a, b| {
        a.is_bot
            .cmp(&b.is_bot)
            .then(a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(OrgPage {
        org_file: app.org_file().display().to_string(),
        config_teams: super::common::teams(app)
            .into_iter()
            .filter(|t| !ours.contains(&t.key.as_str()))
            .collect(),
        org,
        people: options,
        unresolved,
    })
}

pub fn org_settings(api: &Api, _: NoArgs) -> Result<OrgPage> {
    api.ready()?;
    org_page(&api.app(), Vec::new())
}

pub fn save_org_settings(api: &Api, org: OrgSettings) -> Result<OrgPage> {
    api.ready()?;
    let report = api.replace_app(|app| app.save_org_settings(&org))?;
    api.mark_stale();
    org_page(&api.app(), report.unresolved)
}
