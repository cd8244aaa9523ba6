//! The live index: a `notify` watcher over the indexed roots whose events are debounced into
//! batches of changed paths (an editor's save-rename-chmod dance becomes one change). The caller
//! re-indexes just those paths; unchanged content is recognised by its hash and costs nothing.

use crate::error::{KnowledgeError, Result};
use crate::files::{self, Filter};
use notify::{RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long the watcher waits for changes to settle.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(400);

/// Watches the indexed folders for changed documents.
pub struct DocWatcher {
    _watcher: notify::RecommendedWatcher,
    rx: Receiver<notify::Result<notify::Event>>,
    roots: Vec<(PathBuf, Filter)>,
    debounce: Duration,
}

/// Changed paths (relative, `/`-separated) under one root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// The folder.
    pub root: PathBuf,
    /// Its filter.
    pub filter: Filter,
    /// The changed paths.
    pub paths: Vec<String>,
}

impl DocWatcher {
    /// Watch these roots (absolute, canonical) recursively.
    pub fn new(roots: &[(PathBuf, Filter)], debounce: Duration) -> Result<DocWatcher> {
        let (tx, rx) = channel();
        // Linked directories are not watched through (their files are not documents of the root).
        let mut watcher = notify::RecommendedWatcher::new(
            move |e| {
                let _ = tx.send(e);
            },
            notify::Config::default().with_follow_symlinks(false),
        )
        .map_err(|e| KnowledgeError::Watch(e.to_string()))?;
        for (root, _) in roots {
            watcher
                .watch(root, RecursiveMode::Recursive)
                .map_err(|e| KnowledgeError::Watch(format!("{}: {e}", root.display())))?;
        }
        Ok(DocWatcher {
            _watcher: watcher,
            rx,
            roots: roots.to_vec(),
            debounce,
        })
    }

    /// Wait up to `timeout` for changes, then until they have been quiet for the debounce period.
    /// Returns an empty list when nothing changed in time; `Err` when the watcher is gone.
    pub fn next_batch(&self, timeout: Duration) -> Result<Vec<Changes>> {
        let mut paths: BTreeSet<PathBuf> = BTreeSet::new();
        let deadline = Instant::now() + timeout;
        // The first event.
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(Ok(e)) => {
                    if self.collect(e, &mut paths) {
                        break;
                    }
                }
                Ok(Err(e)) => tracing::warn!("file watcher: {e}"),
                Err(RecvTimeoutError::Timeout) => return Ok(Vec::new()),
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(KnowledgeError::Watch("the watcher stopped".into()));
                }
            }
        }
        // Until quiet.
        loop {
            match self.rx.recv_timeout(self.debounce) {
                Ok(Ok(e)) => {
                    self.collect(e, &mut paths);
                }
                Ok(Err(e)) => tracing::warn!("file watcher: {e}"),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        Ok(self.group(paths))
    }

    /// Keep the event's paths that belong to a root; true when any did.
    fn collect(&self, e: notify::Event, into: &mut BTreeSet<PathBuf>) -> bool {
        use notify::EventKind;
        if matches!(e.kind, EventKind::Access(_)) {
            return false;
        }
        let mut any = false;
        for p in e.paths {
            if self.roots.iter().any(|(r, _)| p.starts_with(r) && p != *r) {
                any |= into.insert(p);
            }
        }
        any
    }

    fn group(&self, paths: BTreeSet<PathBuf>) -> Vec<Changes> {
        let mut out: Vec<Changes> = Vec::new();
        for p in paths {
            // The most specific root.
            let Some((root, filter)) = self
                .roots
                .iter()
                .filter(|(r, _)| p.starts_with(r))
                .max_by_key(|(r, _)| r.as_os_str().len())
            else {
                continue;
            };
            let rels = expand(root, *filter, &p);
            if rels.is_empty() {
                continue;
            }
            match out.iter_mut().find(|c| c.root == *root) {
                Some(c) => {
                    for r in rels {
                        if !c.paths.contains(&r) {
                            c.paths.push(r);
                        }
                    }
                }
                None => out.push(Changes {
                    root: root.clone(),
                    filter: *filter,
                    paths: rels,
                }),
            }
        }
        out
    }
}

/// A changed path as relative paths to re-index: a directory that appeared (moved in, renamed)
/// stands for every file under it; a hidden path (`.git/…`) for nothing.
fn expand(root: &Path, filter: Filter, abs: &Path) -> Vec<String> {
    let Some(rel) = files::relative(root, abs) else {
        return Vec::new();
    };
    if rel.split('/').any(|p| p.starts_with('.')) {
        return Vec::new();
    }
    let is_dir = std::fs::symlink_metadata(abs).is_ok_and(|m| m.is_dir());
    if is_dir {
        return files::walk(abs, Filter::All)
            .map(|entries| {
                entries
                    .into_iter()
                    .map(|e| format!("{rel}/{}", e.rel))
                    .filter(|r| files::accepts(filter, r))
                    .collect()
            })
            .unwrap_or_default();
    }
    vec![rel]
}
