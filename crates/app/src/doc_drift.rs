//! Doc drift (docs/onboarding.md): the indexed documents (Markdown, text and HTML) checked
//! against the local git repositories (the `git` sources) and the incident tool's services. A
//! document that names a file, an environment variable, a make target, an endpoint, a
//! configuration key or a script's option that a repository's history removed or renamed — and
//! that no repository has at HEAD — is stale on that line, with the commit as evidence and the
//! fix in words; so is one naming a service by a name it no longer has. What no
//! repository ever had says nothing (it may live in a repository Bosun has no clone of), so the
//! rest of a handbook raises nothing.

use crate::Result;
use bosun_connectors::git::drift::{self, Change, Facts};
use bosun_core::model::Provider;
use bosun_knowledge::chunk::DocKind;
use bosun_knowledge::files::kind_of;
use bosun_knowledge::references::{DocText, Names, RefKind, Reference, references};
use bosun_signals::input::{StaleDocInput, StaleKind, StaleRefInput};
use bosun_store::Connection;
use bosun_store::onboarding as db;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

/// One local repository's facts, with its name and team.
pub struct Repo {
    pub name: String,
    pub team: Option<String>,
    pub facts: Arc<Facts>,
}

impl Repo {
    /// The name as this repository would hold it: a leading `<repo>/` dropped.
    fn local<'a>(&self, name: &'a str) -> &'a str {
        name.strip_prefix(&format!("{}/", self.name))
            .unwrap_or(name)
    }

    /// The file at HEAD a doc's path names: itself, or the one file it is the tail of.
    fn file_at_head(&self, path: &str) -> Option<String> {
        let p = self.local(path);
        if self.facts.files.contains(p) {
            return Some(p.to_string());
        }
        if !self.facts.tails.contains(p) {
            return None;
        }
        let tail = format!("/{p}");
        let mut found = self.facts.files.iter().filter(|f| f.ends_with(&tail));
        match (found.next(), found.next()) {
            (Some(f), None) => Some(f.clone()),
            _ => None, // two files end so: which one the doc means is not known
        }
    }

    /// The repository has what `r` names at HEAD. An option of a script this repository does
    /// not have (or cannot tell apart) counts as had: the script's own path says what is wrong.
    pub fn has(&self, r: &Reference) -> bool {
        let n = self.local(&r.name);
        match r.kind {
            RefKind::Path => self.facts.files.contains(n) || self.facts.tails.contains(n),
            RefKind::EnvVar => self.facts.names.contains(n),
            RefKind::MakeTarget => self.facts.targets.contains(n),
            RefKind::Endpoint => self.facts.endpoints.contains(n),
            RefKind::ConfigKey => self.facts.keys.contains(last_segment(n)),
            RefKind::ScriptOption => {
                let Some(script) = r.of.as_deref().and_then(|s| self.file_at_head(s)) else {
                    return true;
                };
                self.facts
                    .options
                    .get(&script)
                    .is_some_and(|o| o.contains(n))
            }
        }
    }

    fn gone(&self, r: &Reference) -> Option<&Change> {
        let n = self.local(&r.name);
        match r.kind {
            RefKind::Path => self.facts.gone_files.get(n),
            RefKind::EnvVar => self.facts.gone_names.get(n),
            RefKind::MakeTarget => self.facts.gone_targets.get(n),
            RefKind::Endpoint => self.facts.gone_endpoints.get(n),
            RefKind::ConfigKey => self.facts.gone_keys.get(last_segment(n)),
            RefKind::ScriptOption => {
                let script = r.of.as_deref().and_then(|s| self.file_at_head(s))?;
                self.facts.gone_options.get(&format!("{script} {n}"))
            }
        }
    }
}

/// A dotted key's last segment (`retries` of `api.retries`): configuration files nest keys.
fn last_segment(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

fn stale_kind(k: RefKind) -> StaleKind {
    match k {
        RefKind::Path => StaleKind::Path,
        RefKind::EnvVar => StaleKind::EnvVar,
        RefKind::MakeTarget => StaleKind::MakeTarget,
        RefKind::Endpoint => StaleKind::Endpoint,
        RefKind::ConfigKey => StaleKind::ConfigKey,
        RefKind::ScriptOption => StaleKind::ScriptOption,
    }
}

/// A stale reference, the team of what it points into, and who made it stale (an email), when
/// a commit did.
pub type Stale = (StaleRefInput, Option<String>, Option<String>);

/// What `text` (a Markdown or text document) names that went stale in one of `repos`.
pub fn stale_refs(text: &str, repos: &[Repo]) -> Vec<Stale> {
    stale_among(references(text), repos)
}

/// What `refs` name that went stale in one of `repos`: names no repository has at HEAD that one
/// of them removed or renamed (the latest such change), with that repository's team and the
/// change's author email.
pub fn stale_among(refs_in: Vec<Reference>, repos: &[Repo]) -> Vec<Stale> {
    let mut refs = Vec::new();
    for r in refs_in {
        if repos.iter().any(|repo| repo.has(&r)) {
            continue;
        }
        let Some((repo, change)) = repos
            .iter()
            .filter_map(|repo| repo.gone(&r).map(|c| (repo, c)))
            .max_by_key(|(_, c)| c.at)
        else {
            continue;
        };
        refs.push((
            StaleRefInput {
                kind: stale_kind(r.kind),
                name: r.name.clone(),
                line: r.line,
                of: r.of.clone(),
                repo: repo.name.clone(),
                sha: change.sha.clone(),
                at: change.at,
                summary: change.summary.clone(),
                // A dotted key renamed keeps its prefix (`api.retries` → `api.max_retries`).
                renamed_to: change.renamed_to.as_ref().map(|to| match r.kind {
                    RefKind::ConfigKey if r.name.contains('.') => {
                        let prefix = &r.name[..r.name.len() - last_segment(&r.name).len()];
                        format!("{prefix}{to}")
                    }
                    _ => to.clone(),
                }),
            },
            repo.team.clone(),
            Some(change.author_email.clone()),
        ));
    }
    refs
}

/// The services' names no live service has, compiled once, with what became of each.
pub struct FormerNames {
    former: Vec<db::FormerService>,
    names: Names,
}

impl FormerNames {
    pub fn new(former: Vec<db::FormerService>) -> FormerNames {
        let names: Vec<&str> = former.iter().map(|f| f.name.as_str()).collect();
        let names = Names::new(&names);
        FormerNames { former, names }
    }
}

/// The lines of a document naming a service by a name it no longer has (renamed or deleted in
/// the incident tool, as Bosun saw across syncs).
pub fn stale_services(doc: &DocText, former: &FormerNames) -> Vec<Stale> {
    let FormerNames { former, names } = former;
    names
        .find(doc)
        .into_iter()
        .map(|(line, i)| {
            let f = &former[i];
            let provider = Provider::parse(&f.provider)
                .map_or_else(|| f.provider.clone(), |p| p.label().to_string());
            (
                StaleRefInput {
                    kind: StaleKind::Service,
                    name: f.name.clone(),
                    line,
                    of: None,
                    repo: provider,
                    sha: f.external_id.clone(),
                    at: f.at,
                    summary: String::new(),
                    renamed_to: f.now.clone(),
                },
                f.team.clone(),
                None,
            )
        })
        .collect()
}

/// Facts read, by repository path, with the HEAD they were read at: walking a history again is
/// needed only when HEAD moved (signals are evaluated after every sync).
type FactsCache = Mutex<HashMap<PathBuf, (String, Arc<Facts>)>>;
static FACTS: LazyLock<FactsCache> = LazyLock::new(Default::default);

/// `g`'s facts, read again only when its HEAD moved since the last read.
fn cached_facts(g: &bosun_connectors::git::GitRepo) -> bosun_connectors::Result<Arc<Facts>> {
    let head = g
        .raw()
        .head()
        .ok()
        .and_then(|h| h.target())
        .map(|o| o.to_string())
        .unwrap_or_default();
    let key = g.root().to_path_buf();
    let mut cache = FACTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((at, f)) = cache.get(&key)
        && *at == head
    {
        return Ok(f.clone());
    }
    let f = Arc::new(drift::facts(g, drift::MAX_COMMITS)?);
    cache.insert(key, (head, f.clone()));
    Ok(f)
}

/// The local repositories Bosun syncs, read for their names now and gone.
pub fn repos(conn: &Connection) -> Result<Vec<Repo>> {
    let mut out = Vec::new();
    for s in bosun_store::sync_state::sources(conn)? {
        if s.kind != Provider::Git || !s.enabled {
            continue;
        }
        let Ok((settings, _)) = bosun_connectors::git::GitSettings::from_source(&s) else {
            continue;
        };
        let facts = match bosun_connectors::git::open(&settings.path).and_then(|g| cached_facts(&g))
        {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!("doc drift: {} not read: {e}", settings.path);
                continue;
            }
        };
        let (name, team) = db::source_repos(conn, s.id)?
            .into_iter()
            .next()
            .unwrap_or_else(|| {
                let name = Path::new(&settings.path)
                    .file_name()
                    .map(|n| n.to_string_lossy().trim_end_matches(".git").to_string())
                    .unwrap_or_default();
                (name, None)
            });
        out.push(Repo { name, team, facts });
    }
    Ok(out)
}

/// Every indexed document (Markdown and text, read from its folder) with the references that
/// went stale in a local repository. Empty when no git source is configured.
pub fn stale_docs(conn: &Connection) -> Result<Vec<StaleDocInput>> {
    let repos = repos(conn)?;
    let former = db::former_services(conn)?;
    if repos.is_empty() && former.is_empty() {
        return Ok(Vec::new());
    }
    let former = FormerNames::new(former);
    let mut out = Vec::new();
    for d in db::indexed_docs(conn)? {
        // The documents of the docs folders, by the indexer's own reading of their names.
        let Some(kind) = kind_of(&d.path) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(Path::new(&d.root).join(&d.path)) else {
            continue;
        };
        let doc = DocText::read(&text, kind == DocKind::Html);
        let mut refs = stale_among(doc.references(), &repos);
        refs.extend(stale_services(&doc, &former));
        refs.sort_by(|a, b| a.0.line.cmp(&b.0.line).then(a.0.name.cmp(&b.0.name)));
        let Some(latest) = refs.iter().max_by_key(|(r, _, _)| r.at) else {
            continue;
        };
        let team = latest.1.clone();
        let owner = match &latest.2 {
            Some(email) => db::person_by_email(conn, email)?,
            None => None,
        };
        let project = bosun_store::planning::team_project(conn, team.as_deref())?;
        let folder = Path::new(&d.root)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| d.root.clone());
        out.push(StaleDocInput {
            folder,
            path: d.path,
            team,
            owner,
            project,
            refs: refs.into_iter().map(|(r, _, _)| r).collect(),
            edited: d.mtime,
        });
    }
    Ok(out)
}
