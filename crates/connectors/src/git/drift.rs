//! What a repository says about the names docs use (docs/onboarding.md, "doc drift"): the files
//! at HEAD, the environment-variable-like names and make targets its text files hold at HEAD,
//! and — walking its history from HEAD — the commit that last removed or renamed each file,
//! name or target that is gone. A doc naming something HEAD still has is fine; something the
//! history shows removed or renamed is stale, with that commit as evidence; something the
//! repository never had says nothing (it may live in another repository).

use super::read::GitRepo;
use crate::{ConnectorError, Result};
use bosun_core::time::Ts;
use git2::{Delta, DiffFindOptions, DiffOptions, Sort};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Commits walked at most, newest first.
pub const MAX_COMMITS: usize = 5_000;
/// Larger files are not read for names.
const MAX_BLOB: usize = 512 * 1024;

static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b").expect("valid"));
/// A string literal that is an absolute path: an endpoint (`"/v1/quotes"`).
static LITERAL_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'`](/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.{}:-]+)*)["'`]"#).expect("valid")
});
/// A key a configuration file defines (`retries: 2`, `timeout_ms = 300`, `"port": 80`).
static KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*["']?([A-Za-z_][A-Za-z0-9_-]*)["']?\s*[:=]"#).expect("valid")
});
/// A long option a script reads or prints (`--region`, `"--dry-run"`, `--tag)`).
static OPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^A-Za-z0-9_-])(--[a-z][a-z0-9]*(?:-[a-z0-9]+)*)\b").expect("valid")
});
static TARGET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)\s*:([^=]|$)").expect("valid"));

/// The commit that removed or renamed something.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub sha: String,
    pub at: Ts,
    pub author_name: String,
    pub author_email: String,
    pub summary: String,
    /// What it became, when it was renamed.
    pub renamed_to: Option<String>,
}

/// A repository's names, now and gone.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Files at HEAD.
    pub files: HashSet<String>,
    /// Every tail of those paths after a `/` (`b/c.sh` and `c.sh` of `a/b/c.sh`): a doc may
    /// name a file from any folder down.
    pub tails: HashSet<String>,
    /// Variable-like names (`UPPER_CASE_WITH_UNDERSCORES`) in HEAD's text files.
    pub names: HashSet<String>,
    /// Targets of HEAD's makefiles.
    pub targets: HashSet<String>,
    /// Files gone from HEAD: the latest commit that deleted or renamed each.
    pub gone_files: HashMap<String, Change>,
    /// Names gone from HEAD: the latest commit that removed their last use.
    pub gone_names: HashMap<String, Change>,
    /// Make targets gone from HEAD.
    pub gone_targets: HashMap<String, Change>,
    /// Absolute paths in string literals (endpoints) at HEAD.
    pub endpoints: HashSet<String>,
    /// Keys HEAD's configuration files define.
    pub keys: HashSet<String>,
    /// Endpoints gone from HEAD.
    pub gone_endpoints: HashMap<String, Change>,
    /// Configuration keys gone from HEAD.
    pub gone_keys: HashMap<String, Change>,
    /// The long options each file at HEAD names, by path (files naming none are left out).
    pub options: HashMap<String, HashSet<String>>,
    /// Options a file no longer names, keyed `"<path> <option>"`: the latest commit that removed
    /// the last mention in that file (a rename when it added exactly one new option).
    pub gone_options: HashMap<String, Change>,
    /// Commits walked.
    pub commits: usize,
    /// Each walked commit's author time and the files it changed, newest first: the areas of
    /// the repository that change most.
    pub changes: Vec<(Ts, Vec<String>)>,
}

fn is_makefile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "Makefile" || name == "makefile" || name == "GNUmakefile" || name.ends_with(".mk")
}

fn is_config(path: &str) -> bool {
    let lower = path.to_lowercase();
    [
        ".yaml",
        ".yml",
        ".toml",
        ".ini",
        ".json",
        ".properties",
        ".conf",
        ".cfg",
    ]
    .iter()
    .any(|e| lower.ends_with(e))
}

/// The names a text holds: variables, make targets, endpoints, configuration keys.
#[derive(Debug, Clone, Default)]
struct Found {
    names: HashSet<String>,
    targets: HashSet<String>,
    endpoints: HashSet<String>,
    keys: HashSet<String>,
    options: HashSet<String>,
}

fn scan(text: &str, path: &str, found: &mut Found) {
    let (makefile, config) = (is_makefile(path), is_config(path));
    for line in text.lines() {
        for c in NAME.captures_iter(line) {
            found.names.insert(c[1].to_string());
        }
        for c in LITERAL_PATH.captures_iter(line) {
            found.endpoints.insert(c[1].to_string());
        }
        if makefile && let Some(c) = TARGET.captures(line) {
            found.targets.insert(c[1].to_string());
        }
        if config && let Some(c) = KEY.captures(line) {
            found.keys.insert(c[1].to_string());
        }
        for c in OPTION.captures_iter(line) {
            found.options.insert(c[1].to_string());
        }
    }
}

/// What `removed` lost that `added` did not bring back, not at HEAD, recorded as gone by
/// `change` (a rename when exactly one new name took the place of exactly one old).
fn record_gone(
    removed: &HashSet<String>,
    added: &HashSet<String>,
    head: &HashSet<String>,
    gone: &mut HashMap<String, Change>,
    change: &dyn Fn(Option<String>) -> Change,
) {
    let lost: Vec<&String> = removed.difference(added).collect();
    let fresh: Vec<&String> = added.difference(removed).collect();
    let to = (lost.len() == 1 && fresh.len() == 1).then(|| fresh[0].clone());
    for n in lost {
        if !head.contains(n) {
            gone.entry(n.clone()).or_insert_with(|| change(to.clone()));
        }
    }
}

fn err(e: git2::Error) -> ConnectorError {
    ConnectorError::Config(format!("git: {}", e.message()))
}

/// Read `repo`'s facts: HEAD's files, names and targets, then up to `max_commits` commits of
/// history for what is gone.
pub fn facts(repo: &GitRepo, max_commits: usize) -> Result<Facts> {
    let r = repo.raw();
    let mut f = Facts::default();
    let Ok(head) = r.head().and_then(|h| h.peel_to_commit()) else {
        return Ok(f); // an empty repository names nothing
    };
    let tree = head.tree().map_err(err)?;
    let mut head_found = Found::default();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
            let path = format!("{dir}{}", entry.name().unwrap_or(""));
            if let Ok(blob) = r.find_blob(entry.id())
                && !blob.is_binary()
                && blob.size() <= MAX_BLOB
                && let Ok(text) = std::str::from_utf8(blob.content())
            {
                scan(text, &path, &mut head_found);
                let options = std::mem::take(&mut head_found.options);
                if !options.is_empty() {
                    f.options.insert(path.clone(), options);
                }
            }
            f.files.insert(path);
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(err)?;
    f.tails = f
        .files
        .iter()
        .flat_map(|p| {
            p.match_indices('/')
                .map(move |(i, _)| p[i + 1..].to_string())
        })
        .collect();
    f.names = head_found.names;
    f.targets = head_found.targets;
    f.endpoints = head_found.endpoints;
    f.keys = head_found.keys;
    let mut walk = r.revwalk().map_err(err)?;
    walk.push(head.id()).map_err(err)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
        .map_err(err)?;
    walk.simplify_first_parent().map_err(err)?;
    for oid in walk.take(max_commits) {
        let commit = r.find_commit(oid.map_err(err)?).map_err(err)?;
        f.commits += 1;
        let Ok(parent) = commit.parent(0) else {
            continue; // the first commit removed nothing
        };
        let change = |renamed_to: Option<String>| Change {
            sha: commit.id().to_string(),
            at: commit.author().when().seconds(),
            author_name: commit.author().name().unwrap_or("").to_string(),
            author_email: commit.author().email().unwrap_or("").to_string(),
            summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
            renamed_to,
        };
        let mut opts = DiffOptions::new();
        opts.ignore_submodules(true);
        let mut diff = r
            .diff_tree_to_tree(
                Some(&parent.tree().map_err(err)?),
                Some(&commit.tree().map_err(err)?),
                Some(&mut opts),
            )
            .map_err(err)?;
        diff.find_similar(Some(DiffFindOptions::new().renames(true)))
            .map_err(err)?;
        let mut changed = Vec::new();
        for d in diff.deltas() {
            let old = d.old_file().path().map(|p| p.to_string_lossy().to_string());
            let new = d.new_file().path().map(|p| p.to_string_lossy().to_string());
            if let Some(path) = new.clone().or(old.clone()) {
                changed.push(path);
            }
            match (d.status(), old) {
                (Delta::Deleted, Some(old)) if !f.files.contains(&old) => {
                    f.gone_files.entry(old).or_insert_with(|| change(None));
                }
                (Delta::Renamed, Some(old)) if !f.files.contains(&old) => {
                    f.gone_files
                        .entry(old)
                        .or_insert_with(|| change(new.clone()));
                }
                _ => {}
            }
        }
        f.changes.push((commit.author().when().seconds(), changed));
        // Names, targets, endpoints and keys: the lines this commit removed and added, file
        // by file.
        let mut removed: HashMap<String, Found> = HashMap::new();
        let mut added: HashMap<String, Found> = HashMap::new();
        diff.foreach(
            &mut |_, _| true,
            None,
            None,
            Some(&mut |delta, _, line| {
                let path = delta
                    .new_file()
                    .path()
                    .or(delta.old_file().path())
                    .map(|p| p.to_string_lossy().to_string())
                    .unwrap_or_default();
                let Ok(text) = std::str::from_utf8(line.content()) else {
                    return true;
                };
                let side = match line.origin() {
                    '-' => removed.entry(path.clone()).or_default(),
                    '+' => added.entry(path.clone()).or_default(),
                    _ => return true,
                };
                scan(text, &path, side);
                true
            }),
        )
        .map_err(err)?;
        let none = Found::default();
        for (path, lost) in &removed {
            let got = added.get(path).unwrap_or(&none);
            record_gone(
                &lost.names,
                &got.names,
                &f.names,
                &mut f.gone_names,
                &change,
            );
            record_gone(
                &lost.targets,
                &got.targets,
                &f.targets,
                &mut f.gone_targets,
                &change,
            );
            record_gone(
                &lost.endpoints,
                &got.endpoints,
                &f.endpoints,
                &mut f.gone_endpoints,
                &change,
            );
            record_gone(&lost.keys, &got.keys, &f.keys, &mut f.gone_keys, &change);
            // Options are the file's own: a script dropping `--region` is stale for docs
            // running that script even when another file still names `--region`.
            let empty = HashSet::new();
            let mut gone = HashMap::new();
            record_gone(
                &lost.options,
                &got.options,
                f.options.get(path).unwrap_or(&empty),
                &mut gone,
                &change,
            );
            for (option, c) in gone {
                f.gone_options
                    .entry(format!("{path} {option}"))
                    .or_insert(c);
            }
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{Repository, Signature, Time};

    /// Commit `files` (path, content; `None` deletes) on HEAD of `repo`.
    fn commit(repo: &Repository, at: i64, msg: &str, files: &[(&str, Option<&str>)]) {
        let mut index = repo.index().unwrap();
        for (path, content) in files {
            let full = repo.workdir().unwrap().join(path);
            match content {
                Some(c) => {
                    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                    std::fs::write(&full, c).unwrap();
                    index.add_path(std::path::Path::new(path)).unwrap();
                }
                None => {
                    std::fs::remove_file(&full).unwrap();
                    index.remove_path(std::path::Path::new(path)).unwrap();
                }
            }
        }
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = Signature::new("Ana", "ana@example.com", &Time::new(at, 0)).unwrap();
        let parents: Vec<git2::Commit<'_>> = repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
            .unwrap();
    }

    #[test]
    fn a_script_dropping_an_option_is_found_even_when_another_file_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let deploy = |opts: &str| {
            format!("#!/bin/sh\nwhile [ $# -gt 0 ]; do case $1 in\n{opts}\nesac; shift; done\n")
        };
        commit(
            &repo,
            1_000,
            "Deploy script",
            &[
                (
                    "scripts/deploy.sh",
                    Some(&deploy(
                        "  --region) R=$2;;\n  --dry-run) D=1;;\n  --verbose) V=1;;",
                    )),
                ),
                ("scripts/other.sh", Some("aws --region \"$R\" s3 ls\n")),
            ],
        );
        commit(
            &repo,
            2_000,
            "Deploy by zone; no dry runs",
            &[(
                "scripts/deploy.sh",
                Some(&deploy("  --zone) Z=$2;;\n  --verbose) V=1;;")),
            )],
        );
        let g = super::super::read::open(dir.path()).unwrap();
        let f = facts(&g, MAX_COMMITS).unwrap();
        assert!(f.options["scripts/deploy.sh"].contains("--zone"));
        assert!(f.options["scripts/other.sh"].contains("--region"));
        let region = &f.gone_options["scripts/deploy.sh --region"];
        assert_eq!(
            (
                region.summary.as_str(),
                region.at,
                region.renamed_to.as_deref()
            ),
            ("Deploy by zone; no dry runs", 2_000, None)
        );
        assert!(f.gone_options.contains_key("scripts/deploy.sh --dry-run"));
        assert!(!f.gone_options.contains_key("scripts/deploy.sh --verbose"));
        assert_eq!(f.gone_options.len(), 2);
    }

    #[test]
    fn renamed_and_removed_files_names_and_targets_are_found_with_their_commit() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let script = "#!/bin/sh\n# Sets up a laptop: installs the toolchain and seeds the database.\nset -eu\necho bootstrap\n";
        commit(
            &repo,
            1_000,
            "Initial tooling",
            &[
                ("scripts/bootstrap-dev.sh", Some(script)),
                (
                    "scripts/legacy-rollback.sh",
                    Some("#!/bin/sh\necho rollback\n"),
                ),
                (
                    "config/twctl.env",
                    Some("TWCTL_ENV=dev\nTWCTL_TOKEN_FILE=~/.twctl\n"),
                ),
                (
                    "Makefile",
                    Some("lint:\n\tcargo clippy\nseed-db:\n\t./seed\n"),
                ),
            ],
        );
        commit(
            &repo,
            2_000,
            "Rename the set-up script",
            &[
                ("scripts/bootstrap-dev.sh", None),
                ("scripts/dev-setup.sh", Some(script)),
            ],
        );
        commit(
            &repo,
            3_000,
            "Remove the legacy rollback",
            &[("scripts/legacy-rollback.sh", None)],
        );
        commit(
            &repo,
            4_000,
            "Credentials instead of a token file; no seed target",
            &[
                (
                    "config/twctl.env",
                    Some("TWCTL_ENV=dev\nTWCTL_CREDENTIALS=~/.twctl/credentials\n"),
                ),
                ("Makefile", Some("lint:\n\tcargo clippy\n")),
            ],
        );
        commit(
            &repo,
            4_500,
            "Add the API client",
            &[
                (
                    "config/app.yaml",
                    Some("api:\n  retries: 2\n  timeout_ms: 300\n"),
                ),
                (
                    "src/Routes.kt",
                    Some(
                        "const val QUOTES = \"/v1/quotes\"\nconst val BOOKINGS = \"/v1/bookings\"\n",
                    ),
                ),
            ],
        );
        commit(
            &repo,
            5_000,
            "Quotes API v2; retries is max_retries",
            &[
                (
                    "config/app.yaml",
                    Some("api:\n  max_retries: 2\n  timeout_ms: 300\n"),
                ),
                (
                    "src/Routes.kt",
                    Some(
                        "const val QUOTES = \"/v2/quotes\"\nconst val BOOKINGS = \"/v1/bookings\"\n",
                    ),
                ),
            ],
        );
        let g = super::super::read::open(dir.path()).unwrap();
        let f = facts(&g, MAX_COMMITS).unwrap();
        assert_eq!(f.commits, 6);
        assert_eq!(
            f.gone_endpoints["/v1/quotes"].renamed_to.as_deref(),
            Some("/v2/quotes")
        );
        assert_eq!(
            f.gone_keys["retries"].renamed_to.as_deref(),
            Some("max_retries")
        );
        assert!(f.endpoints.contains("/v1/bookings") && f.keys.contains("timeout_ms"));
        assert!(!f.gone_keys.contains_key("api") && !f.gone_endpoints.contains_key("/v1/bookings"));
        assert!(f.files.contains("scripts/dev-setup.sh"));
        assert!(f.tails.contains("dev-setup.sh") && !f.tails.contains("scripts/dev-setup.sh"));
        assert!(f.names.contains("TWCTL_ENV") && f.names.contains("TWCTL_CREDENTIALS"));
        assert!(f.targets.contains("lint"));
        let renamed = &f.gone_files["scripts/bootstrap-dev.sh"];
        assert_eq!(renamed.summary, "Rename the set-up script");
        assert_eq!(renamed.renamed_to.as_deref(), Some("scripts/dev-setup.sh"));
        let removed = &f.gone_files["scripts/legacy-rollback.sh"];
        assert_eq!(
            (removed.summary.as_str(), removed.renamed_to.as_deref()),
            ("Remove the legacy rollback", None)
        );
        let name = &f.gone_names["TWCTL_TOKEN_FILE"];
        assert_eq!(name.renamed_to.as_deref(), Some("TWCTL_CREDENTIALS"));
        assert_eq!(name.at, 4_000);
        assert_eq!(f.gone_targets["seed-db"].renamed_to, None);
        // What HEAD still has is never gone.
        assert!(!f.gone_files.contains_key("scripts/dev-setup.sh"));
        assert!(!f.gone_names.contains_key("TWCTL_ENV") && !f.gone_targets.contains_key("lint"));
        assert_eq!(
            f.gone_files.len() + f.gone_names.len() + f.gone_targets.len(),
            4
        );
    }
}
