//! Local git repositories (a clone's work tree or a bare repository) as a source: commits,
//! branches and tags synced into the store, and tags matching a pattern as production
//! deployments. No API and no network: libgit2 reads the repository on disk.
//!
//! - [`read`]: open a repository, read its references, walk its commits (pure, blocking, no
//!   store; usable without syncing, e.g. for metrics straight from a path);
//! - [`sync_source`]: the incremental, resumable sync of a `git` source into the store;
//! - [`watch()`]: a debounced watcher on repositories' references, to re-sync on change.

pub mod drift;
pub mod read;
mod sync;
pub mod watch;

pub use read::{Branch, GitRepo, Refs, open};
pub use sync::{BATCH, GitSettings, GitStats, JOB_KIND, sync_source, tag_deployment};
pub use watch::{DEFAULT_DEBOUNCE, RepoWatcher, watch};

/// The regular expression a release-tag pattern compiles to (searched, not matched whole: anchor
/// it with `^`/`$`).
pub fn release_pattern(pattern: &str) -> std::result::Result<regex::Regex, regex::Error> {
    regex::Regex::new(pattern)
}
