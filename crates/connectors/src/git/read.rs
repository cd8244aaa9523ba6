//! Reading a local git repository: pure and blocking, no store. Opens a work tree or a bare
//! repository by its exact path, lists branches and tags (annotated tags peeled to their commit,
//! with the tagger's date), and walks the commits reachable from every branch and tag, optionally
//! hiding commits already known (incremental).
//!
//! Used by the git sync (`super::sync_source`) and meant to be called directly by anything that
//! wants a repository's history without syncing it (e.g. DORA metrics over `--git PATH`).
//!
//! Conventions: times are UTC seconds (`Signature::when().seconds()`; the author's offset is
//! dropped); names, e-mails and messages are decoded as UTF-8, lossily; messages lose trailing
//! whitespace (as GitHub's API reports them); empty names and e-mails are `None`; accounts are
//! never set (a local repository has no provider accounts).

use crate::{ConnectorError, Result};
use bosun_core::model::{Commit, Tag};
use bosun_store::StoreError;
use git2::{ErrorCode, ObjectType, Oid, Repository, Sort};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// An open repository. Not `Sync` (libgit2 handles are per thread): open one per thread.
pub struct GitRepo {
    repo: Repository,
    /// Canonical absolute path of the work tree, or of the bare repository's directory.
    root: PathBuf,
    /// Canonical absolute path of the git directory (`<root>/.git` for a work tree, usually).
    git_dir: PathBuf,
}

/// A local branch and the commit it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// Short name (`main`, `feature/x`).
    pub name: String,
    pub sha: String,
}

/// One consistent reading of the repository's references.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refs {
    /// The branch HEAD points at (even when it has no commit yet); `None` when HEAD is detached.
    pub head: Option<String>,
    /// The branch `refs/remotes/origin/HEAD` names (`main` for `refs/remotes/origin/main`): the
    /// remote's default branch, in a clone.
    pub origin_head: Option<String>,
    /// Local branches (`refs/heads/*`), by name.
    pub branches: Vec<Branch>,
    /// Tags (`refs/tags/*`), by name, each peeled to its commit. `tagged_at` is the tagger's
    /// date for an annotated tag and the commit's committer date for a lightweight one.
    pub tags: Vec<Tag>,
    /// What was skipped and why (a tag pointing at a tree or blob, an unreadable reference).
    pub notes: Vec<String>,
}

impl Refs {
    /// Every commit a branch or a tag points at, without duplicates, in a stable order.
    pub fn tips(&self) -> Vec<String> {
        let mut seen = HashSet::new();
        self.branches
            .iter()
            .map(|b| &b.sha)
            .chain(self.tags.iter().map(|t| &t.sha))
            .filter(|s| seen.insert(s.as_str()))
            .cloned()
            .collect()
    }

    pub fn branch(&self, name: &str) -> Option<&Branch> {
        self.branches.iter().find(|b| b.name == name)
    }

    /// The repository's default branch when none is configured: the remote's default branch
    /// (`origin/HEAD`) when it exists locally, else `previous` (what an earlier reading chose)
    /// when it still exists, else HEAD's branch, else `main`. In a work tree HEAD is whatever is
    /// checked out, so it only decides when nothing steadier does, and a later checkout does
    /// not move the default branch of a caller that passes its previous choice.
    pub fn default_branch(&self, previous: Option<&str>) -> String {
        self.origin_head
            .as_deref()
            .filter(|b| self.branch(b).is_some())
            .or(previous.filter(|b| self.branch(b).is_some()))
            .or(self.head.as_deref())
            .unwrap_or("main")
            .to_string()
    }
}

/// Open the repository at exactly `path` (a work tree, its `.git` directory, or a bare
/// repository; parent directories are not searched). A path that is not a git repository is a
/// [`ConnectorError::Config`] naming the path.
pub fn open(path: impl AsRef<Path>) -> Result<GitRepo> {
    let path = path.as_ref();
    if !path.exists() {
        return Err(ConnectorError::Config(format!(
            "{}: no such file or directory",
            path.display()
        )));
    }
    let repo = Repository::open(path).map_err(|e| match e.code() {
        ErrorCode::NotFound => ConnectorError::Config(format!(
            "{} is not a git repository (neither a work tree nor a bare repository)",
            path.display()
        )),
        _ => ConnectorError::Config(format!(
            "{}: cannot open as a git repository: {}",
            path.display(),
            e.message()
        )),
    })?;
    let canon = |p: &Path| -> Result<PathBuf> {
        p.canonicalize().map_err(|e| {
            ConnectorError::Store(StoreError::Io {
                path: p.to_path_buf(),
                source: e,
            })
        })
    };
    let git_dir = canon(repo.path())?;
    let root = match repo.workdir() {
        Some(w) => canon(w)?,
        None => git_dir.clone(),
    };
    Ok(GitRepo {
        repo,
        root,
        git_dir,
    })
}

impl GitRepo {
    /// Canonical absolute path of the work tree, or of the bare repository.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Canonical absolute path of the git directory (refs, objects, HEAD).
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    pub fn is_bare(&self) -> bool {
        self.repo.is_bare()
    }

    /// The underlying libgit2 handle, for callers that need more than this module offers.
    pub fn raw(&self) -> &Repository {
        &self.repo
    }

    /// A name unique to this repository on this machine, as `(owner, name)`: the owner is the
    /// canonical path of the directory holding it and the name is its directory name without a
    /// `.git` suffix (`/home/me/src/bosun.git` → `("/home/me/src", "bosun")`; a bare repository
    /// that is itself called `.git` is named after its parent).
    pub fn identity(&self) -> (String, String) {
        let mut dir = self.root.as_path();
        let mut name = file_name(dir);
        let stripped = name.strip_suffix(".git").unwrap_or(&name).to_string();
        if stripped.is_empty() {
            if let Some(p) = dir.parent() {
                dir = p;
                name = file_name(dir);
            }
        } else {
            name = stripped;
        }
        let owner = dir
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|| "/".into());
        (owner, name)
    }

    /// The branch HEAD points at (possibly unborn), `None` when HEAD is detached or unreadable.
    pub fn head_branch(&self) -> Option<String> {
        let head = self.repo.find_reference("HEAD").ok()?;
        let target = head.symbolic_target().ok()??;
        target.strip_prefix("refs/heads/").map(str::to_string)
    }

    /// Branches, tags and HEAD, read once.
    pub fn refs(&self) -> Result<Refs> {
        let origin_head = self
            .repo
            .find_reference("refs/remotes/origin/HEAD")
            .ok()
            .and_then(|r| {
                r.symbolic_target()
                    .ok()
                    .flatten()
                    .and_then(|t| t.strip_prefix("refs/remotes/origin/"))
                    .map(str::to_string)
            });
        let mut out = Refs {
            head: self.head_branch(),
            origin_head,
            ..Refs::default()
        };
        let refs = self.repo.references().map_err(|e| self.err(e))?;
        for r in refs {
            let r = match r {
                Ok(r) => r,
                Err(e) => {
                    out.notes
                        .push(format!("unreadable reference skipped: {}", e.message()));
                    continue;
                }
            };
            let full = String::from_utf8_lossy(r.name_bytes()).into_owned();
            if let Some(name) = full.strip_prefix("refs/heads/") {
                let target = r.resolve().ok().and_then(|r| r.target());
                match target.map(|oid| (oid, self.object_kind(oid))) {
                    Some((oid, Some(ObjectType::Commit))) => out.branches.push(Branch {
                        name: name.to_string(),
                        sha: oid.to_string(),
                    }),
                    _ => out
                        .notes
                        .push(format!("branch {name} does not point at a commit; skipped")),
                }
            } else if let Some(name) = full.strip_prefix("refs/tags/") {
                let Some(oid) = r.resolve().ok().and_then(|r| r.target()) else {
                    out.notes
                        .push(format!("tag {name} cannot be resolved; skipped"));
                    continue;
                };
                match self.tag(name, oid)? {
                    Ok(t) => out.tags.push(t),
                    Err(note) => out.notes.push(note),
                }
            }
        }
        out.branches.sort_by(|a, b| a.name.cmp(&b.name));
        out.tags.sort_by(|a, b| a.name.cmp(&b.name));
        for n in &out.notes {
            tracing::info!(repo = %self.root.display(), "{n}");
        }
        Ok(out)
    }

    /// Local branches by name (non-commit targets skipped).
    pub fn branches(&self) -> Result<Vec<Branch>> {
        Ok(self.refs()?.branches)
    }

    /// Tags by name, peeled to commits, and notes on those skipped.
    pub fn tags(&self) -> Result<(Vec<Tag>, Vec<String>)> {
        let r = self.refs()?;
        Ok((r.tags, r.notes))
    }

    /// One tag: `Ok(Err(note))` when it does not lead to a commit.
    fn tag(&self, name: &str, oid: Oid) -> Result<Result<Tag, String>> {
        let obj = match self.repo.find_object(oid, None) {
            Ok(o) => o,
            Err(e) if e.code() == ErrorCode::NotFound => {
                return Ok(Err(format!(
                    "tag {name} points at a missing object {oid}; skipped"
                )));
            }
            Err(e) => return Err(self.err(e)),
        };
        if let Some(c) = obj.as_commit() {
            return Ok(Ok(Tag {
                name: name.to_string(),
                sha: oid.to_string(),
                tagged_at: Some(c.committer().when().seconds()),
                annotated: Some(false),
                message: None,
            }));
        }
        if let Some(t) = obj.as_tag() {
            let commit = match obj.peel_to_commit() {
                Ok(c) => c,
                Err(_) => {
                    let kind = t.target_type().map(|k| k.str()).unwrap_or("unknown object");
                    return Ok(Err(format!(
                        "tag {name} is an annotated tag of a {kind}, not of a commit; skipped"
                    )));
                }
            };
            let tagged_at = t
                .tagger()
                .map(|s| s.when().seconds())
                .unwrap_or_else(|| commit.committer().when().seconds());
            let message = t
                .message_bytes()
                .map(text)
                .map(|m| m.trim_end().to_string())
                .filter(|m| !m.is_empty());
            return Ok(Ok(Tag {
                name: name.to_string(),
                sha: commit.id().to_string(),
                tagged_at: Some(tagged_at),
                annotated: Some(true),
                message,
            }));
        }
        Ok(Err(format!(
            "tag {name} points at a {}, not a commit; skipped",
            obj.kind().map(|k| k.str()).unwrap_or("unknown object")
        )))
    }

    /// Commits reachable from every branch and tag but not from `hide`, newest first
    /// (topological, then by time). Shas in `hide` that are missing or are not commits are
    /// ignored (a tip rewritten away and garbage-collected hides nothing).
    pub fn commits(&self, hide: &[String]) -> Result<Vec<Commit>> {
        let tips = self.refs()?.tips();
        self.walk(&tips, hide)?
            .iter()
            .map(|sha| self.commit(sha))
            .collect()
    }

    /// Shas of the commits reachable from `from` but not from `hide`, newest first (topological,
    /// then by time). Missing or non-commit shas in either list are ignored.
    pub fn walk(&self, from: &[String], hide: &[String]) -> Result<Vec<String>> {
        Ok(self
            .walk_oids(&parse_oids(from), &parse_oids(hide))?
            .into_iter()
            .map(|o| o.to_string())
            .collect())
    }

    /// One commit by its full sha.
    pub fn commit(&self, sha: &str) -> Result<Commit> {
        let oid = Oid::from_str(sha).map_err(|e| self.err(e))?;
        self.load(oid)
    }

    /// Whether `sha` names a commit present in the repository.
    pub fn has_commit(&self, sha: &str) -> bool {
        Oid::from_str(sha)
            .ok()
            .is_some_and(|o| self.object_kind(o) == Some(ObjectType::Commit))
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors (both must be commits).
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        if ancestor == descendant {
            return Ok(self.has_commit(ancestor));
        }
        let (a, d) = match (Oid::from_str(ancestor), Oid::from_str(descendant)) {
            (Ok(a), Ok(d)) => (a, d),
            _ => return Ok(false),
        };
        if self.object_kind(a) != Some(ObjectType::Commit)
            || self.object_kind(d) != Some(ObjectType::Commit)
        {
            return Ok(false);
        }
        self.repo.graph_descendant_of(d, a).map_err(|e| self.err(e))
    }

    pub(crate) fn walk_oids(&self, from: &[Oid], hide: &[Oid]) -> Result<Vec<Oid>> {
        // libgit2 keeps the starting points in the reverse order of the calls and limits the
        // walk well only when the newest come first: push and hide oldest first, or hiding a
        // few old tips costs a walk of the whole history.
        let mut starts: Vec<(i64, Oid, bool)> = Vec::with_capacity(from.len() + hide.len());
        for (&oid, hidden) in from
            .iter()
            .map(|o| (o, false))
            .chain(hide.iter().map(|o| (o, true)))
        {
            if self.object_kind(oid) != Some(ObjectType::Commit) {
                continue;
            }
            let time = self.repo.find_commit(oid).map_err(|e| self.err(e))?.time();
            starts.push((time.seconds(), oid, hidden));
        }
        if !starts.iter().any(|s| !s.2) {
            return Ok(Vec::new());
        }
        starts.sort();
        let mut walk = self.repo.revwalk().map_err(|e| self.err(e))?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
            .map_err(|e| self.err(e))?;
        for (_, oid, hidden) in starts {
            if hidden {
                walk.hide(oid)
            } else {
                walk.push(oid)
            }
            .map_err(|e| self.err(e))?;
        }
        walk.map(|r| r.map_err(|e| self.err(e))).collect()
    }

    pub(crate) fn load(&self, oid: Oid) -> Result<Commit> {
        let c = self.repo.find_commit(oid).map_err(|e| self.err(e))?;
        let (a, m) = (c.author(), c.committer());
        Ok(Commit {
            sha: oid.to_string(),
            author_name: non_empty(a.name_bytes()),
            author_email: non_empty(a.email_bytes()),
            author: None,
            authored_at: a.when().seconds(),
            committer_name: non_empty(m.name_bytes()),
            committer_email: non_empty(m.email_bytes()),
            committer: None,
            committed_at: m.when().seconds(),
            message: text(c.message_bytes()).trim_end().to_string(),
            parents: c.parent_ids().map(|p| p.to_string()).collect(),
            html_url: None,
        })
    }

    /// The kind of object `oid` names, `None` when it is missing. Reads only the header.
    pub(crate) fn object_kind(&self, oid: Oid) -> Option<ObjectType> {
        let odb = self.repo.odb().ok()?;
        odb.read_header(oid).ok().map(|(_, kind)| kind)
    }

    /// A libgit2 failure while reading: an I/O error on the repository's path.
    pub(crate) fn err(&self, e: git2::Error) -> ConnectorError {
        git_error(&self.root, e)
    }
}

/// A libgit2 failure on `path`, as an I/O error naming the path (code `io`).
pub(crate) fn git_error(path: &Path, e: git2::Error) -> ConnectorError {
    ConnectorError::Store(StoreError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(format!("git: {}", e.message())),
    })
}

pub(crate) fn parse_oids(shas: &[String]) -> Vec<Oid> {
    shas.iter().filter_map(|s| Oid::from_str(s).ok()).collect()
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn non_empty(b: &[u8]) -> Option<String> {
    let s = text(b);
    (!s.is_empty()).then_some(s)
}
