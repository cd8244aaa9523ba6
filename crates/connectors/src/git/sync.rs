//! Incremental, resumable sync of one local git repository (a `git` source).
//!
//! One job (kind `git-repo`, scope = the settings' path):
//! 1. read the references once (branches, tags peeled to commits, HEAD) and the tips cursor
//!    (`<path>:tips`: the default branch and every branch's and tag's commit at the last
//!    completed sync);
//! 2. plan: *incremental* when every old tip is still reachable from the current references and
//!    the default branch only moved forward, hiding the old tips from the walk so only new
//!    commits are read; *full* otherwise (first sync, history rewritten by a force-push or a
//!    deleted unmerged branch, a changed default branch, a previous run killed mid-way);
//! 3. walk and write the commits in transactions of [`BATCH`], `on_default_branch` set for the
//!    commits reachable from the default branch;
//! 4. in one last transaction: commits newly reachable from the default branch flagged, after a
//!    full walk the stored commits no longer reachable deleted and every flag made exact,
//!    branches and tags replaced, one production deployment per tag matching `release_tags`
//!    (deployments of tags gone or no longer matching deleted), and the new tips cursor.
//!
//! The first batch of a run that follows a completed sync marks the cursor dirty (a first sync
//! has no cursor to mark), so a run killed between batches is redone as a full walk that ends
//! with exactly the rows of an uninterrupted sync, whatever happened to the repository in
//! between. Running twice writes nothing the second time (the cursor is rewritten only when it
//! changes).
//!
//! The default branch is the configured one, else the remote's default branch (`origin/HEAD`),
//! else the one the previous sync used, else HEAD's branch, else `main`: checking out another
//! branch in a work tree does not move it.

use super::read::{self, GitRepo, Refs};
use crate::db::Db;
use crate::events::{Event, EventSink};
use crate::{ConnectorError, Result};
use bosun_core::model::{Commit, Deployment, DeploymentKind, DeploymentStatus, Provider, Repo};
use bosun_core::time::Ts;
use bosun_store::Connection;
use bosun_store::sync_state::{self, Source};
use bosun_store::{StoreError, code};
use git2::Oid;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Commits written per transaction.
pub const BATCH: usize = 1000;

/// Job kind in `jobs`.
pub const JOB_KIND: &str = "git-repo";

/// The `settings` JSON of a `git` source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitSettings {
    /// Absolute path of the work tree or bare repository.
    pub path: String,
    /// Tags whose name matches this regular expression (searched, so anchor it: `^v\d+`) are
    /// production deployments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_tags: Option<String>,
    /// The branch that counts as the default one. Else the remote's default branch
    /// (`origin/HEAD`), else the one chosen at the previous sync, else HEAD's branch, else
    /// `main` (see [`Refs::default_branch`]): checking out another branch in a work tree does not
    /// move it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_branch: Option<String>,
}

impl GitSettings {
    /// Decode and check a source's settings (absolute path, valid pattern).
    pub fn from_source(source: &Source) -> Result<(GitSettings, Option<Regex>)> {
        let s: GitSettings = crate::wire::settings(source)?;
        if !Path::new(&s.path).is_absolute() {
            return Err(ConnectorError::Config(format!(
                "source {}: path {:?} is not absolute",
                source.name, s.path
            )));
        }
        let re = s
            .release_tags
            .as_deref()
            .map(Regex::new)
            .transpose()
            .map_err(|e| {
                ConnectorError::Config(format!("source {}: release_tags: {e}", source.name))
            })?;
        Ok((s, re))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GitStats {
    /// `owner/name` of the repository row.
    pub repo: String,
    pub default_branch: String,
    /// The whole history was walked (first sync, rewritten history, interrupted run).
    pub full_walk: bool,
    /// Commits the walk returned (and wrote): only the new ones when incremental.
    pub commits_walked: u64,
    /// Stored commits deleted because no reference reaches them any more.
    pub commits_removed: u64,
    pub branches: u64,
    pub tags: u64,
    /// Tags matching `release_tags`, each one production deployment.
    pub deployments: u64,
    /// Tag deployments deleted (tag deleted or no longer matching).
    pub deployments_removed: u64,
    /// What was skipped and why.
    pub notes: Vec<String>,
}

/// The tips cursor: what the last completed sync saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Tips {
    default_branch: String,
    /// `heads/<name>` and `tags/<name>` → commit sha.
    refs: BTreeMap<String, String>,
    /// Set by the first batch of a run, cleared by its last transaction.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    dirty: bool,
}

impl Tips {
    fn of(refs: &Refs, default_branch: &str) -> Tips {
        let mut m = BTreeMap::new();
        for b in &refs.branches {
            m.insert(format!("heads/{}", b.name), b.sha.clone());
        }
        for t in &refs.tags {
            m.insert(format!("tags/{}", t.name), t.sha.clone());
        }
        Tips {
            default_branch: default_branch.to_string(),
            refs: m,
            dirty: false,
        }
    }

    /// The cursor's text. An error, never an empty cursor, if it cannot be written.
    fn encode(&self) -> Result<String> {
        serde_json::to_string(self)
            .map_err(|e| ConnectorError::Internal(format!("encoding the git cursor: {e}")))
    }
}

/// What the reading thread found before walking.
struct Prepared {
    owner: String,
    name: String,
    external_id: String,
    default_branch: String,
    refs: Refs,
    full: bool,
    total: u64,
    /// Incremental: already stored commits now reachable from the default branch.
    newly_default: Vec<String>,
    /// Full: every commit reachable from a reference, and those reachable from the default one.
    reachable: Option<Reachable>,
    notes: Vec<String>,
}

/// After a full walk: every commit reachable from a reference, and those reachable from the
/// default branch.
struct Reachable {
    all: HashSet<Oid>,
    on_default: HashSet<Oid>,
}

impl Reachable {
    fn contains(set: &HashSet<Oid>, sha: &str) -> bool {
        Oid::from_str(sha).is_ok_and(|o| set.contains(&o))
    }
}

enum Msg {
    Prepared(Box<Prepared>),
    Batch(Vec<(Commit, bool)>),
}

/// Sync one local git repository source. See the module documentation.
pub async fn sync_source(
    db: &Db,
    source: &Source,
    now: Ts,
    sink: Arc<dyn EventSink>,
) -> Result<GitStats> {
    let (settings, release) = GitSettings::from_source(source)?;
    sink.emit(Event::SourceStarted {
        source: source.name.clone(),
        scopes: 1,
    });
    let (sid, scope) = (source.id, settings.path.clone());
    db.write(move |tx| sync_state::job_started(tx, sid, JOB_KIND, &scope, now).map_err(store_err))
        .await?;
    let result = sync_repo(db, source, &settings, release, now, &sink).await;
    let err = result.as_ref().err().map(|e| e.to_string());
    let scope = settings.path.clone();
    db.write(move |tx| {
        sync_state::job_finished(tx, sid, JOB_KIND, &scope, now, err.as_deref()).map_err(store_err)
    })
    .await?;
    if let Ok(stats) = &result {
        sink.emit(Event::ScopeFinished {
            source: source.name.clone(),
            scope: settings.path.clone(),
            items: stats.commits_walked,
            pass: crate::events::Pass::Full,
        });
    }
    result
}

fn store_err(e: StoreError) -> ConnectorError {
    ConnectorError::Store(e)
}

fn cursor_scope(path: &str) -> String {
    format!("{path}:tips")
}

async fn sync_repo(
    db: &Db,
    source: &Source,
    settings: &GitSettings,
    release: Option<Regex>,
    now: Ts,
    sink: &Arc<dyn EventSink>,
) -> Result<GitStats> {
    let sid = source.id;
    let scope = cursor_scope(&settings.path);
    let scope_r = scope.clone();
    let old: Option<Tips> = db
        .read(move |s| sync_state::cursor(s.conn(), sid, &scope_r).map_err(store_err))
        .await?
        .and_then(|v| serde_json::from_str(&v).ok());

    let progress = |phase: &str, done: u64, total: u64| {
        sink.emit(Event::Progress {
            source: source.name.clone(),
            scope: settings.path.clone(),
            phase: phase.to_string(),
            done,
            total,
            pass: crate::events::Pass::Full,
            eta_secs: None,
        })
    };

    // The reading thread: libgit2 handles stay on it; batches come over a bounded channel so
    // reading and writing overlap and memory stays flat.
    let (tx, mut rx) = mpsc::channel::<Msg>(2);
    let path = settings.path.clone();
    let wanted_default = settings.default_branch.clone();
    let old_r = old.clone();
    let reader = tokio::task::spawn_blocking(move || {
        read_repo(&path, wanted_default.as_deref(), old_r.as_ref(), &tx)
    });

    let prep = match rx.recv().await {
        Some(Msg::Prepared(p)) => p,
        _ => {
            drop(rx);
            return Err(join_reader(reader).await.err().unwrap_or_else(|| {
                ConnectorError::Config("git reader stopped without an answer".into())
            }));
        }
    };
    let repo = Repo {
        provider: Provider::Git,
        external_id: prep.external_id.clone(),
        owner: prep.owner.clone(),
        name: prep.name.clone(),
        default_branch: prep.default_branch.clone(),
        description: None,
        html_url: None,
        archived: false,
    };
    let full_name = repo.full_name();
    let repo_id = db
        .write(move |tx| {
            if let Some(other) =
                code::repo_external_id(tx, Provider::Git.as_str(), &repo.full_name())
                    .map_err(store_err)?
                    .filter(|o| *o != repo.external_id)
            {
                return Err(ConnectorError::Config(format!(
                    "{} and {other} are both named {}; sync only one of them",
                    repo.external_id,
                    repo.full_name()
                )));
            }
            code::upsert_repo(tx, Some(sid), &repo).map_err(store_err)
        })
        .await;
    let repo_id = match repo_id {
        Ok(id) => id,
        Err(e) => {
            drop(rx);
            let _ = join_reader(reader).await;
            return Err(e);
        }
    };

    // Commits, one transaction per batch.
    let total = prep.total;
    let mut done = 0u64;
    progress("commits", 0, total);
    let mut marked_dirty = old.is_none();
    while let Some(msg) = rx.recv().await {
        let Msg::Batch(batch) = msg else { continue };
        let n = batch.len() as u64;
        let dirty = (!marked_dirty)
            .then(|| {
                let mut t = old.clone().unwrap_or_default();
                t.dirty = true;
                t.encode()
            })
            .transpose()?;
        marked_dirty = true;
        let scope = scope.clone();
        let res = db
            .write(move |tx| {
                for (c, on_default) in &batch {
                    code::upsert_commit(tx, repo_id, c, *on_default).map_err(store_err)?;
                }
                if let Some(d) = dirty {
                    sync_state::set_cursor(tx, sid, &scope, &d, now).map_err(store_err)?;
                }
                Ok(())
            })
            .await;
        if let Err(e) = res {
            drop(rx);
            let _ = join_reader(reader).await;
            return Err(e);
        }
        done += n;
        progress("commits", done, total);
    }
    join_reader(reader).await?;
    if done != total {
        return Err(ConnectorError::Config(format!(
            "{}: walked {total} commits but received {done}",
            settings.path
        )));
    }

    // References, deployments, reconciliation and the cursor, together.
    let Prepared {
        default_branch,
        refs,
        full,
        newly_default,
        reachable,
        mut notes,
        ..
    } = *prep;
    let tips = Tips::of(&refs, &default_branch).encode()?;
    let releases: Vec<Deployment> = refs
        .tags
        .iter()
        .filter(|t| release.as_ref().is_some_and(|re| re.is_match(&t.name)))
        .map(tag_deployment)
        .collect();
    let branches: Vec<(String, String)> = refs
        .branches
        .iter()
        .map(|b| (b.name.clone(), b.sha.clone()))
        .collect();
    let tags = refs.tags;
    let (n_branches, n_tags, n_deploys) = (
        branches.len() as u64,
        tags.len() as u64,
        releases.len() as u64,
    );
    progress("refs", 0, n_branches + n_tags);
    let (removed, deploys_removed) = db
        .write(move |tx| {
            finish(
                tx,
                sid,
                repo_id,
                &scope,
                now,
                &newly_default,
                reachable.as_ref(),
                &branches,
                &tags,
                &releases,
                &tips,
            )
        })
        .await?;
    progress("refs", n_branches + n_tags, n_branches + n_tags);
    notes.extend(refs.notes);
    Ok(GitStats {
        repo: full_name,
        default_branch,
        full_walk: full,
        commits_walked: done,
        commits_removed: removed,
        branches: n_branches,
        tags: n_tags,
        deployments: n_deploys,
        deployments_removed: deploys_removed,
        notes,
    })
}

async fn join_reader(h: tokio::task::JoinHandle<Result<()>>) -> Result<()> {
    h.await
        .map_err(|e| ConnectorError::task_failed("git reader", e))?
}

/// The last transaction of a sync. Returns (commits removed, deployments removed).
fn finish(
    tx: &Connection,
    sid: i64,
    repo_id: i64,
    scope: &str,
    now: Ts,
    newly_default: &[String],
    reachable: Option<&Reachable>,
    branches: &[(String, String)],
    tags: &[bosun_core::model::Tag],
    releases: &[Deployment],
    tips: &str,
) -> Result<(u64, u64)> {
    code::set_on_default_branch(tx, repo_id, newly_default, true).map_err(store_err)?;
    let mut removed = 0;
    if let Some(r) = reachable {
        let stored = code::commit_flags(tx, repo_id).map_err(store_err)?;
        let gone: Vec<String> = stored
            .iter()
            .filter(|(sha, _)| !Reachable::contains(&r.all, sha))
            .map(|(sha, _)| sha.clone())
            .collect();
        removed = code::delete_commits(tx, repo_id, &gone).map_err(store_err)? as u64;
        let (mut on, mut off) = (Vec::new(), Vec::new());
        for (sha, flag) in stored
            .into_iter()
            .filter(|(s, _)| Reachable::contains(&r.all, s))
        {
            match (flag, Reachable::contains(&r.on_default, &sha)) {
                (false, true) => on.push(sha),
                (true, false) => off.push(sha),
                _ => {}
            }
        }
        code::set_on_default_branch(tx, repo_id, &on, true).map_err(store_err)?;
        code::set_on_default_branch(tx, repo_id, &off, false).map_err(store_err)?;
    }
    code::replace_branches(tx, repo_id, branches).map_err(store_err)?;
    code::replace_tags(tx, repo_id, tags).map_err(store_err)?;
    for d in releases {
        code::upsert_deployment(tx, repo_id, d).map_err(store_err)?;
    }
    let keep: Vec<String> = releases.iter().map(|d| d.external_id.clone()).collect();
    let deploys_removed =
        code::delete_deployments_except(tx, repo_id, DeploymentKind::Tag.as_str(), &keep)
            .map_err(store_err)? as u64;
    let current = sync_state::cursor(tx, sid, scope).map_err(store_err)?;
    if current.as_deref() != Some(tips) {
        sync_state::set_cursor(tx, sid, scope, tips, now).map_err(store_err)?;
    }
    Ok((removed, deploys_removed))
}

/// A tag matching the release pattern: a production deployment of its commit at the tag's date,
/// finished successfully at the same moment.
pub fn tag_deployment(t: &bosun_core::model::Tag) -> Deployment {
    let at = t.tagged_at.unwrap_or_default();
    Deployment {
        external_id: t.name.clone(),
        kind: DeploymentKind::Tag,
        sha: t.sha.clone(),
        ref_name: Some(t.name.clone()),
        environment: "production".into(),
        production: true,
        task: None,
        description: t.message.clone(),
        creator: None,
        created_at: at,
        updated_at: None,
        payload: None,
        statuses: vec![DeploymentStatus {
            external_id: "tag".into(),
            state: "success".into(),
            description: None,
            environment: Some("production".into()),
            created_at: at,
            log_url: None,
        }],
    }
}

// ---------------------------------------------------------------------------------------------
// The reading thread
// ---------------------------------------------------------------------------------------------

/// Open, plan, walk and send; runs on a blocking thread. A closed channel (the writer gave up)
/// stops it quietly.
fn read_repo(
    path: &str,
    wanted_default: Option<&str>,
    old: Option<&Tips>,
    tx: &mpsc::Sender<Msg>,
) -> Result<()> {
    let repo = read::open(path)?;
    let refs = repo.refs()?;
    let mut notes = Vec::new();
    let default_branch = match wanted_default {
        Some(b) => b.to_string(),
        None => refs.default_branch(old.map(|t| t.default_branch.as_str())),
    };
    let default_tip = refs
        .branch(&default_branch)
        .and_then(|b| Oid::from_str(&b.sha).ok());
    if default_tip.is_none() && !refs.branches.is_empty() {
        notes.push(format!(
            "the default branch {default_branch} does not exist; no commit is on it"
        ));
    }
    let tips = read::parse_oids(&refs.tips());

    let hide = plan(&repo, &refs, &default_branch, default_tip, old)?;
    let full = hide.is_none();
    let (walk, newly_default, reachable) = match hide {
        None => {
            let all = repo.walk_oids(&tips, &[])?;
            let on_default: HashSet<Oid> = match default_tip {
                Some(t) => repo.walk_oids(&[t], &[])?.into_iter().collect(),
                None => HashSet::new(),
            };
            let walk: Vec<_> = all.iter().map(|&o| (o, on_default.contains(&o))).collect();
            let all = all.into_iter().collect();
            (walk, Vec::new(), Some(Reachable { all, on_default }))
        }
        Some((hide, old_default)) => {
            let new = repo.walk_oids(&tips, &hide)?;
            let on_default: HashSet<Oid> = match default_tip {
                Some(t) => repo
                    .walk_oids(&[t], old_default.as_slice())?
                    .into_iter()
                    .collect(),
                None => HashSet::new(),
            };
            let walked: HashSet<Oid> = new.iter().copied().collect();
            let newly: Vec<String> = on_default
                .iter()
                .filter(|o| !walked.contains(o))
                .map(Oid::to_string)
                .collect();
            (
                new.into_iter()
                    .map(|o| (o, on_default.contains(&o)))
                    .collect(),
                newly,
                None,
            )
        }
    };

    let (owner, name) = repo.identity();
    let prep = Prepared {
        owner,
        name,
        external_id: repo.root().to_string_lossy().into_owned(),
        default_branch,
        refs,
        full,
        total: walk.len() as u64,
        newly_default,
        reachable,
        notes,
    };
    if tx.blocking_send(Msg::Prepared(Box::new(prep))).is_err() {
        return Ok(());
    }
    for chunk in walk.chunks(BATCH) {
        let batch = chunk
            .iter()
            .map(|&(oid, on_default)| Ok((repo.load(oid)?, on_default)))
            .collect::<Result<Vec<_>>>()?;
        if tx.blocking_send(Msg::Batch(batch)).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// `Some((tips to hide, old default tip))` for an incremental walk, `None` for a full one.
fn plan(
    repo: &GitRepo,
    refs: &Refs,
    default_branch: &str,
    default_tip: Option<Oid>,
    old: Option<&Tips>,
) -> Result<Option<(Vec<Oid>, Option<Oid>)>> {
    let Some(old) = old else { return Ok(None) };
    if old.dirty || old.default_branch != default_branch {
        return Ok(None);
    }
    let now = Tips::of(refs, default_branch).refs;
    let old_default = old
        .refs
        .get(&format!("heads/{default_branch}"))
        .and_then(|s| Oid::from_str(s).ok());
    // The default branch only moves forward (else commits would leave it).
    if let (Some(o), Some(n)) = (old_default, default_tip)
        && o != n
        && !descends(repo, n, o)?
    {
        return Ok(None);
    }
    if old_default.is_some() && default_tip.is_none() {
        return Ok(None);
    }
    // Every old tip must still be reachable: else commits were rewritten away.
    let mut everything: Option<HashSet<Oid>> = None;
    let mut hide = Vec::new();
    for (name, sha) in &old.refs {
        let Ok(o) = Oid::from_str(sha) else {
            return Ok(None);
        };
        hide.push(o);
        if now.get(name) == Some(sha) {
            continue;
        }
        if repo.object_kind(o) != Some(git2::ObjectType::Commit) {
            return Ok(None);
        }
        let same = now.get(name).and_then(|s| Oid::from_str(s).ok());
        let mut found = false;
        for cand in same.into_iter().chain(default_tip) {
            if cand == o || descends(repo, cand, o)? {
                found = true;
                break;
            }
        }
        if !found {
            if everything.is_none() {
                let tips = read::parse_oids(&refs.tips());
                everything = Some(repo.walk_oids(&tips, &[])?.into_iter().collect());
            }
            if !everything.as_ref().is_some_and(|e| e.contains(&o)) {
                return Ok(None);
            }
        }
    }
    hide.sort();
    hide.dedup();
    Ok(Some((hide, old_default)))
}

fn descends(repo: &GitRepo, descendant: Oid, ancestor: Oid) -> Result<bool> {
    repo.raw()
        .graph_descendant_of(descendant, ancestor)
        .map_err(|e| repo.err(e))
}
