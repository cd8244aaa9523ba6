//! Watching local repositories' references: a debounced file-system watcher that says which
//! repository changed (a commit, a fetch, a new or deleted branch or tag, a checkout), so the
//! caller can re-sync it.
//!
//! Watched per repository: the git directory itself (`HEAD`, `packed-refs`), and `refs/`
//! recursively, in the common directory for linked work trees. Lock files, reflogs, the index and
//! every read (opening a file for reading, as a sync does) are ignored, so syncing a repository
//! does not make it "change".

use super::read;
use crate::{ConnectorError, Result};
use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Quiet time after the last change before a repository is reported.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(500);

/// A change is reported at the latest this many debounce periods after it started, even when
/// the repository keeps changing (a long fetch).
const MAX_WAIT_PERIODS: u32 = 10;

/// Reports repositories whose references changed. Dropping it stops watching.
pub struct RepoWatcher {
    rx: mpsc::Receiver<PathBuf>,
    _watcher: RecommendedWatcher,
}

impl RepoWatcher {
    /// The next repository that changed, as the path given to [`watch`]; `None` once watching
    /// has stopped. Several changes within the debounce time are reported once.
    pub async fn changed(&mut self) -> Option<PathBuf> {
        self.rx.recv().await
    }

    /// A repository that changed, if one is waiting.
    pub fn try_changed(&mut self) -> Option<PathBuf> {
        self.rx.try_recv().ok()
    }
}

struct Target {
    /// As the caller gave it.
    given: PathBuf,
    /// Where `HEAD` lives.
    git_dir: PathBuf,
    /// Where `refs/` and `packed-refs` live (the git directory but for a linked work tree).
    common_dir: PathBuf,
}

impl Target {
    /// Whether `p` is one of this repository's references (not a lock file).
    fn is_ref(&self, p: &Path) -> bool {
        if p.extension().is_some_and(|e| e == "lock") {
            return false;
        }
        if let Ok(rel) = p.strip_prefix(&self.common_dir)
            && (rel.starts_with("refs") || rel == Path::new("packed-refs"))
        {
            return true;
        }
        p.strip_prefix(&self.git_dir)
            .is_ok_and(|rel| rel == Path::new("HEAD"))
    }
}

/// Watch the references of each repository in `repos` (work trees or bare repositories; each
/// must open as a git repository). Must be called within a tokio runtime.
pub fn watch(repos: &[PathBuf], debounce: Duration) -> Result<RepoWatcher> {
    let handle = tokio::runtime::Handle::try_current().map_err(|_| {
        ConnectorError::Config("watching repositories needs a tokio runtime".into())
    })?;
    let mut targets = Vec::new();
    for given in repos {
        let repo = read::open(given)?;
        let common = repo
            .raw()
            .commondir()
            .canonicalize()
            .unwrap_or_else(|_| repo.git_dir().to_path_buf());
        targets.push(Target {
            given: given.clone(),
            git_dir: repo.git_dir().to_path_buf(),
            common_dir: common,
        });
    }
    let targets = std::sync::Arc::new(targets);

    let (raw_tx, raw_rx) = mpsc::unbounded_channel::<usize>();
    let t = targets.clone();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<Event>| {
        let hits: Vec<usize> = match res {
            Ok(ev) if ev.need_rescan() => (0..t.len()).collect(),
            Ok(ev) if relevant(&ev.kind) => (0..t.len())
                .filter(|&i| ev.paths.iter().any(|p| t[i].is_ref(p)))
                .collect(),
            Ok(_) => Vec::new(),
            // Events were lost (queue overflow): every repository may have changed.
            Err(_) => (0..t.len()).collect(),
        };
        for i in hits {
            let _ = raw_tx.send(i);
        }
    })
    .map_err(|e| ConnectorError::Config(format!("cannot watch repositories: {e}")))?;

    let mut watched = Vec::new();
    for t in targets.iter() {
        let refs = t.common_dir.join("refs");
        for (p, mode) in [
            (t.git_dir.clone(), RecursiveMode::NonRecursive),
            (t.common_dir.clone(), RecursiveMode::NonRecursive),
            (refs, RecursiveMode::Recursive),
        ] {
            if watched.contains(&p) || !p.exists() {
                continue;
            }
            watcher.watch(&p, mode).map_err(|e| {
                ConnectorError::Config(format!("cannot watch {}: {e}", p.display()))
            })?;
            watched.push(p);
        }
    }

    let (out_tx, out_rx) = mpsc::channel(64);
    let paths: Vec<PathBuf> = targets.iter().map(|t| t.given.clone()).collect();
    handle.spawn(debounce_loop(raw_rx, out_tx, paths, debounce));
    Ok(RepoWatcher {
        rx: out_rx,
        _watcher: watcher,
    })
}

/// Writes, creations, removals and renames count; reads do not.
fn relevant(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Report repository `i` once it has been quiet for `debounce` (or after the maximum wait).
async fn debounce_loop(
    mut raw: mpsc::UnboundedReceiver<usize>,
    out: mpsc::Sender<PathBuf>,
    paths: Vec<PathBuf>,
    debounce: Duration,
) {
    // Repository → (first change, last change) not reported yet.
    let mut pending: HashMap<usize, (Instant, Instant)> = HashMap::new();
    let max_wait = debounce * MAX_WAIT_PERIODS;
    let due = |(first, last): (Instant, Instant)| (last + debounce).min(first + max_wait);
    loop {
        let next = pending.values().map(|&v| due(v)).min();
        tokio::select! {
            ev = raw.recv() => match ev {
                Some(i) => {
                    let now = Instant::now();
                    pending.entry(i).and_modify(|v| v.1 = now).or_insert((now, now));
                }
                None => return,
            },
            _ = tokio::time::sleep_until(next.unwrap_or_else(Instant::now)), if next.is_some() => {
                let now = Instant::now();
                let mut ready: Vec<usize> =
                    pending.iter().filter(|(_, v)| due(**v) <= now).map(|(i, _)| *i).collect();
                ready.sort_unstable();
                for i in ready {
                    pending.remove(&i);
                    if out.send(paths[i].clone()).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}
