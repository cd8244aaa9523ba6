//! Demo mode: generate the demo organisation's activity, serve it from fake providers on
//! 127.0.0.1, and sync it through the real connectors.

use crate::{App, AppError, Result};
use bosun_connectors::EventSink;
use bosun_connectors::engine::SourceOutcome;
use bosun_connectors::github::GithubSettings;
use bosun_core::model::Provider;
use bosun_core::time::Ts;
use bosun_demo::{GenOptions, Org, World, generate};
use bosun_fakes::{RunningFake, ServeOptions};
use bosun_store::sync_state::{self, NewSource};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub const GITHUB_SOURCE: &str = "demo-github";
pub const JIRA_SOURCE: &str = "demo-jira";
pub const PAGERDUTY_SOURCE: &str = "demo-pagerduty";
pub const SLACK_SOURCE: &str = "demo-slack";
pub const GIT_SOURCE: &str = "demo-git";
/// Every demo source, in sync order.
pub const SOURCES: &[&str] = &[
    GITHUB_SOURCE,
    JIRA_SOURCE,
    PAGERDUTY_SOURCE,
    SLACK_SOURCE,
    GIT_SOURCE,
];
/// The token the fake providers accept.
pub const DEMO_TOKEN: &str = bosun_fakes::DEMO_TOKEN;
pub use bosun_demo::RealWorld;
/// The fake GitHub token's OAuth scopes: the demo's, and the real-world shape's default.
pub use bosun_fakes::github::{DEMO_SCOPES, REAL_WORLD_SCOPES};

#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub scale: u32,
    pub seed: u64,
    pub months: u32,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            scale: 1,
            seed: 7,
            months: 6,
        }
    }
}

/// The fake providers serving one generated world.
pub struct Providers {
    pub world: Arc<World>,
    pub github: RunningFake,
    pub jira: RunningFake,
    pub pagerduty: RunningFake,
    pub slack: RunningFake,
}

impl Providers {
    pub async fn shutdown(self) {
        self.github.shutdown().await;
        self.jira.shutdown().await;
        self.pagerduty.shutdown().await;
        self.slack.shutdown().await;
    }

    /// `(name, base URL)` of every running fake.
    pub fn urls(&self) -> Vec<(&'static str, String)> {
        [&self.github, &self.jira, &self.pagerduty, &self.slack]
            .iter()
            .map(|f| (f.name, f.base_url.clone()))
            .collect()
    }
}

pub fn world(opts: DemoOptions, as_of: DateTime<Utc>) -> Result<World> {
    if opts.scale == 0 || opts.scale > 1000 {
        return Err(AppError::InvalidInput(format!(
            "--scale must be between 1 and 1000, not {}",
            opts.scale
        )));
    }
    if opts.months == 0 || opts.months > 36 {
        return Err(AppError::InvalidInput(format!(
            "--months must be between 1 and 36, not {}",
            opts.months
        )));
    }
    let org = Org::bundled().map_err(|e| AppError::Demo(e.to_string()))?;
    Ok(generate(
        &org,
        &GenOptions {
            seed: opts.seed,
            scale: opts.scale,
            months: opts.months,
            as_of,
        },
    ))
}

/// Start the fake providers for `world`. `port` is the fake GitHub's (0 = any free port); the
/// others take the next three ports, or any free ports when `port` is 0.
pub async fn start(world: Arc<World>, port: u16) -> Result<Providers> {
    start_with(world, port, None).await
}

/// [`start`], journaling the writes the fakes receive (approved actions) under `state_dir`, one
/// `<provider>.jsonl` each, so that later runs of the fakes still show them.
pub async fn start_with(
    world: Arc<World>,
    port: u16,
    state_dir: Option<std::path::PathBuf>,
) -> Result<Providers> {
    let opts = FakesOptions {
        port,
        state_dir,
        ..Default::default()
    };
    start_serving(world, &opts).await
}

/// How the fake providers are served.
#[derive(Debug, Clone, Default)]
pub struct FakesOptions {
    /// The fake GitHub's port (0 = any free port); the others take the next three ports, or any
    /// free ports when it is 0.
    pub port: u16,
    /// Where the writes the fakes receive are journaled ([`start_with`]).
    pub state_dir: Option<std::path::PathBuf>,
    /// The fake GitHub token's OAuth scopes; `None`: [`DEMO_SCOPES`].
    pub github_scopes: Option<String>,
}

/// Start the fake providers for `world` as `opts` say.
pub async fn start_serving(world: Arc<World>, opts: &FakesOptions) -> Result<Providers> {
    let port = opts.port;
    let at = |k: u16| ServeOptions {
        port: if port == 0 { 0 } else { port + k },
        state_dir: opts.state_dir.clone(),
        github_scopes: opts
            .github_scopes
            .clone()
            .unwrap_or_else(|| DEMO_SCOPES.to_string()),
        ..Default::default()
    };
    let err = |e: bosun_fakes::FakeError| AppError::Demo(e.to_string());
    let github = bosun_fakes::start_github(world.clone(), &at(0))
        .await
        .map_err(err)?;
    let jira = bosun_fakes::start_jira(world.clone(), &at(1))
        .await
        .map_err(err)?;
    let pagerduty = bosun_fakes::start_pagerduty(world.clone(), &at(2))
        .await
        .map_err(err)?;
    let slack = bosun_fakes::start_slack(world.clone(), &at(3))
        .await
        .map_err(err)?;
    Ok(Providers {
        world,
        github,
        jira,
        pagerduty,
        slack,
    })
}

/// The configuration a manager of the demo company would write at `as_of`: teams, services, who
/// "me" is, and for planning each person's country and time off and the company's days off.
pub fn config_toml(org: &bosun_demo::Org, as_of: Ts) -> String {
    let q = |s: &str| format!("{s:?}");
    let list = |v: Vec<String>| {
        format!(
            "[{}]",
            v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
        )
    };
    let email_of = |key: &str| org.person(key).map_or(String::new(), |p| p.email.clone());
    let mut out = format!(
        "# Written by `bosun demo sync` for the demo organisation {}. Edit freely: Bosun never\n\
         # rewrites this file; every setting not written here keeps its default.\nversion = 1\n\n\
         [identity]\nme = {}\ncompany_domains = [{}]\n",
        org.company.name,
        q(&email_of(&org.company.me)),
        q(&org.company.domain)
    );
    for t in &org.teams {
        let members: Vec<String> = org
            .people
            .iter()
            .filter(|p| p.team == t.key && p.key != t.manager)
            .map(|p| p.email.clone())
            .collect();
        let repos: Vec<String> = org
            .repos
            .iter()
            .filter(|r| r.team == t.key)
            .map(|r| format!("{}/{}", org.company.github_org, r.name))
            .chain(
                org.local_repos
                    .iter()
                    .filter(|r| r.team == t.key)
                    .map(|r| r.name.clone()),
            )
            .collect();
        out.push_str(&format!(
            "\n[[teams]]\nkey = {}\nname = {}\nmanager = {}\nmembers = {}\nrepos = {}\nboards = [{}]\nchannels = [{}]\n",
            q(&t.key),
            q(&t.name),
            q(&email_of(&t.manager)),
            list(members),
            list(repos),
            q(&t.board_id.to_string()),
            q(&t.slack_channel)
        ));
    }
    for s in &org.services {
        let repo = org
            .repos
            .iter()
            .find(|r| r.service == s.key)
            .map(|r| format!("{}/{}", org.company.github_org, r.name));
        out.push_str(&format!(
            "\n[[services]]\nname = {}\npagerduty = {}\n",
            q(&s.key),
            q(&s.pagerduty_id)
        ));
        if let Some(r) = repo {
            out.push_str(&format!("repo = {}\n", q(&r)));
        }
    }
    for (date, name) in org.company_days(as_of) {
        out.push_str(&format!(
            "\n[[planning.holidays]]\ndate = {date}\nname = {}\n",
            q(&name)
        ));
    }
    for p in &org.people {
        out.push_str(&format!("\n[[planning.people]]\nwho = {}\n", q(&p.email)));
        if let Some(c) = &p.country {
            out.push_str(&format!("country = {}\n", q(c)));
        }
        // Consecutive days off as one range.
        let mut ranges: Vec<(chrono::NaiveDate, chrono::NaiveDate)> = Vec::new();
        for d in org.days_off(p, as_of) {
            match ranges.last_mut() {
                Some((_, to)) if to.succ_opt() == Some(d) => *to = d,
                _ => ranges.push((d, d)),
            }
        }
        if !ranges.is_empty() {
            let list: Vec<String> = ranges
                .iter()
                .map(|(a, b)| format!("{{ from = {a}, to = {b} }}"))
                .collect();
            out.push_str(&format!("time_off = [{}]\n", list.join(", ")));
        }
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    pub as_of: String,
    pub seed: u64,
    pub scale: u32,
    pub months: u32,
    pub providers: Vec<(String, String)>,
    pub outcomes: Vec<SourceOutcome>,
}

/// Register the demo sources for `providers` (their ports change every run).
pub fn register(app: &App, providers: &Providers) -> Result<()> {
    register_with(app, providers, None)
}

/// [`register`], the GitHub source with `first_pass_days` (unset: the default split).
pub fn register_with(app: &App, providers: &Providers, first_pass_days: Option<u32>) -> Result<()> {
    let org = &providers.world.org;
    let me = org.person(&org.company.me).map(|p| p.email.clone());
    let to_json = |v: std::result::Result<serde_json::Value, serde_json::Error>| {
        v.map_err(|e| AppError::Demo(e.to_string()))
    };
    // Repositories that deliver through GitHub Actions: their deploy workflow's runs are the
    // deployments (the other repositories have no such workflow).
    let actions = org
        .repos
        .iter()
        .any(|r| r.delivery == bosun_demo::org::Delivery::Actions);
    let github = to_json(serde_json::to_value(GithubSettings {
        owner: org.company.github_org.clone(),
        deploy_workflows: if actions {
            vec![bosun_demo::actions::DEPLOY_WORKFLOW_FILE.to_string()]
        } else {
            Vec::new()
        },
        first_pass_days,
        ..Default::default()
    }))?;
    let jira = to_json(serde_json::to_value(bosun_connectors::jira::JiraSettings {
        project: org.company.jira_project.clone(),
        email: me,
        web_url: Some(format!("https://{}", org.company.jira_site)),
        ..Default::default()
    }))?;
    let sources = [
        (Provider::Github, GITHUB_SOURCE, &providers.github, github),
        (Provider::Jira, JIRA_SOURCE, &providers.jira, jira),
        (
            Provider::Pagerduty,
            PAGERDUTY_SOURCE,
            &providers.pagerduty,
            serde_json::json!({}),
        ),
        (
            Provider::Slack,
            SLACK_SOURCE,
            &providers.slack,
            serde_json::json!({"channels": ["*"]}),
        ),
    ];
    let mut store = app.store()?;
    let now = app.now();
    store.write(|tx| {
        for (kind, name, fake, settings) in &sources {
            sync_state::put_source(
                tx,
                &NewSource {
                    kind: *kind,
                    name,
                    base_url: Some(&fake.base_url),
                    settings: settings.clone(),
                    demo: true,
                },
                now,
            )?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Write the demo's local-only repositories as real bare git repositories under
/// `<data dir>/demo-repos/`, rewritten from the generated history every run (same history, same
/// object ids), and register each as a git source whose matching tags are deployments.
pub fn write_local_repos(app: &App, world: &World) -> Result<Vec<std::path::PathBuf>> {
    let mut paths = Vec::new();
    for r in &world.local_repos {
        let path = app
            .paths
            .data_dir
            .join("demo-repos")
            .join(format!("{}.git", r.name));
        write_repo(&path, r).map_err(|e| AppError::Demo(format!("{}: {e}", path.display())))?;
        paths.push(path);
    }
    let mut store = app.store()?;
    let now = app.now();
    store.write(|tx| {
        for (r, path) in world.local_repos.iter().zip(&paths) {
            let settings = serde_json::json!({"path": path.display().to_string(), "release_tags": r.release_tags, "default_branch": "main"});
            sync_state::put_source(tx, &NewSource { kind: Provider::Git, name: GIT_SOURCE, base_url: None, settings, demo: true }, now)?;
        }
        Ok(())
    })?;
    Ok(paths)
}

fn write_repo(
    path: &std::path::Path,
    r: &bosun_demo::world::LocalRepo,
) -> std::result::Result<(), git2::Error> {
    use bosun_demo::world::FileOp;
    use git2::{Oid, Repository, Signature, Time};
    if path.exists() {
        std::fs::remove_dir_all(path).map_err(|e| git2::Error::from_str(&e.to_string()))?;
    }
    let repo = Repository::init_bare(path)?;
    let sig =
        |s: &bosun_demo::world::Signature| Signature::new(&s.name, &s.email, &Time::new(s.at, 0));
    let readme = repo.blob(format!("# {}\n\n{}\n", r.name, r.description).as_bytes())?;
    /// `base` with `blob` at `parts` (`None`: the file removed).
    fn put(
        repo: &Repository,
        base: Option<&git2::Tree<'_>>,
        parts: &[&str],
        blob: Option<Oid>,
    ) -> std::result::Result<Oid, git2::Error> {
        let mut b = repo.treebuilder(base)?;
        if parts.len() == 1 {
            match blob {
                Some(blob) => b.insert(parts[0], blob, 0o100644).map(drop)?,
                None => {
                    if b.get(parts[0])?.is_some() {
                        b.remove(parts[0])?;
                    }
                }
            }
        } else {
            let sub = base
                .and_then(|t| t.get_name(parts[0]))
                .and_then(|e| e.to_object(repo).ok())
                .and_then(|o| o.into_tree().ok());
            let oid = put(repo, sub.as_ref(), &parts[1..], blob)?;
            if repo.find_tree(oid)?.is_empty() {
                if b.get(parts[0])?.is_some() {
                    b.remove(parts[0])?;
                }
            } else {
                b.insert(parts[0], oid, 0o040000)?;
            }
        }
        b.write()
    }
    let put_path =
        |tree: Oid, path: &str, blob: Option<Oid>| -> std::result::Result<Oid, git2::Error> {
            let base = repo.find_tree(tree)?;
            let parts: Vec<&str> = path.split('/').collect();
            put(&repo, Some(&base), &parts, blob)
        };
    // What commit `c` itself writes, on top of `tree`: its file and line, then its operations.
    let apply =
        |tree: Oid, c: &bosun_demo::world::LocalCommit| -> std::result::Result<Oid, git2::Error> {
            let blob = repo.blob(format!("{}\n", c.line).as_bytes())?;
            let mut tree = put_path(tree, &c.path, Some(blob))?;
            for op in &c.ops {
                tree = match op {
                    FileOp::Write { path, content } => {
                        let blob = repo.blob(content.as_bytes())?;
                        put_path(tree, path, Some(blob))?
                    }
                    FileOp::Delete { path } => put_path(tree, path, None)?,
                    FileOp::Rename { from, to } => {
                        let blob = repo
                            .find_tree(tree)?
                            .get_path(std::path::Path::new(from))?
                            .id();
                        put_path(put_path(tree, from, None)?, to, Some(blob))?
                    }
                };
            }
            Ok(tree)
        };
    let empty = repo.treebuilder(None)?.write()?;
    let root = put_path(empty, "README.md", Some(readme))?;
    // Each commit's tree is its first parent's with its own changes; a merge also takes the
    // changes of the branch it merges (the commits back to its first parent).
    let mut ids: Vec<Oid> = Vec::with_capacity(r.commits.len());
    let mut trees: Vec<Oid> = Vec::with_capacity(r.commits.len());
    for c in &r.commits {
        let mut tree = c.parents.first().map_or(root, |&p| trees[p]);
        if let (Some(&first), Some(&second)) = (c.parents.first(), c.parents.get(1)) {
            let mut branch = Vec::new();
            let mut b = second;
            while b != first && branch.len() < 1_000 {
                branch.push(b);
                match r.commits[b].parents.first() {
                    Some(&p) => b = p,
                    None => break,
                }
            }
            for &b in branch.iter().rev() {
                tree = apply(tree, &r.commits[b])?;
            }
        }
        let tree = repo.find_tree(apply(tree, c)?)?;
        trees.push(tree.id());
        let parents: Vec<git2::Commit<'_>> = c
            .parents
            .iter()
            .map(|&p| repo.find_commit(ids[p]))
            .collect::<std::result::Result<_, _>>()?;
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        ids.push(repo.commit(
            None,
            &sig(&c.author)?,
            &sig(&c.committer)?,
            &c.message,
            &tree,
            &parent_refs,
        )?);
    }
    if let Some(&head) = ids.last() {
        repo.reference("refs/heads/main", head, true, "demo history")?;
        repo.set_head("refs/heads/main")?;
    }
    for t in &r.tags {
        let target = repo.find_object(ids[t.commit], None)?;
        repo.tag(&t.name, &target, &sig(&t.tagger)?, &t.message, false)?;
    }
    Ok(())
}

/// Write the demo company's config next to the data unless a config file already exists.
pub fn write_config(app: &App, org: &bosun_demo::Org, as_of: Ts) -> Result<bool> {
    let path = &app.paths.config_file;
    if path.exists() {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| AppError::Io {
            path: dir.display().to_string(),
            source: e,
        })?;
    }
    std::fs::write(path, config_toml(org, as_of)).map_err(|e| AppError::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    Ok(true)
}

/// The demo's goals, imported once after its first sync (a manager's edits survive the next).
pub fn plant_goals(app: &App, world: &World) -> Result<()> {
    let none = {
        let store = app.store()?;
        bosun_store::goals::all(store.conn())?.is_empty()
    };
    if none {
        app.import_goals_text(&bosun_demo::goals::goals_toml(world), "the demo's goals")?;
    }
    Ok(())
}

/// The demo world as `bosun demo sync` generated it (recorded in `meta`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoWorld {
    pub scale: u32,
    pub seed: u64,
    pub months: u32,
    pub as_of: String,
}

pub const DEMO_WORLD: &str = "demo_world";

/// Remember which world the demo sources serve, so that delivering an approved action to a demo
/// source can serve the same world again once the fakes have stopped.
fn record_world(app: &App, opts: DemoOptions, as_of: DateTime<Utc>) -> Result<()> {
    let w = DemoWorld {
        scale: opts.scale,
        seed: opts.seed,
        months: opts.months,
        as_of: as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let store = app.store()?;
    bosun_store::meta::set(store.conn(), DEMO_WORLD, &serde_json::to_string(&w)?)?;
    Ok(())
}

/// The whole demo: generate, serve, sync every demo source through the real connectors (and
/// resolve identities), stop the fakes.
pub async fn sync(
    app: &mut App,
    opts: DemoOptions,
    sink: Arc<dyn EventSink>,
) -> Result<DemoReport> {
    sync_with(app, opts, None, sink).await
}

/// [`sync`], the GitHub source's first sync split at `first_pass_days` (unset: the default;
/// 0: one pass).
pub async fn sync_with(
    app: &mut App,
    opts: DemoOptions,
    first_pass_days: Option<u32>,
    sink: Arc<dyn EventSink>,
) -> Result<DemoReport> {
    let as_of = app.clock().now();
    let world = Arc::new(
        tokio::task::spawn_blocking(move || world(opts, as_of))
            .await
            .map_err(|e| AppError::Demo(e.to_string()))??,
    );
    if write_config(app, &world.org, world.as_of)? {
        app.reload_config()?;
    }
    let local = world.clone();
    let providers = start_with(world, 0, Some(app.demo_fakes_dir())).await?;
    register_with(app, &providers, first_pass_days)?;
    record_world(app, opts, as_of)?;
    write_local_repos(app, &local)?;
    let outcomes = app.sync_many(SOURCES, sink).await;
    if outcomes.is_ok() {
        plant_goals(app, &local)?;
    }
    let urls = providers
        .urls()
        .into_iter()
        .map(|(n, u)| (n.to_string(), u))
        .collect();
    providers.shutdown().await;
    Ok(DemoReport {
        as_of: as_of.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        seed: opts.seed,
        scale: opts.scale,
        months: opts.months,
        providers: urls,
        outcomes: outcomes?,
    })
}
