//! Reading a cited document back (the API's `doc` endpoint): only a file the index stored as a
//! document, under a folder or repository work tree the index knows, as a regular file of at most
//! the indexer's size limit, opened without following a symbolic link. Every refusal is the same
//! "not an indexed document" error, so a caller learns nothing about which paths exist.

use crate::{App, AppError, Result};
use bosun_knowledge::files::{self, MAX_FILE_BYTES};
use bosun_store::knowledge as kstore;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// A cited document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitedDocument {
    /// The file's absolute path.
    pub path: PathBuf,
    pub text: String,
}

/// Why a read was refused: kept for the log, never shown to the caller.
type Refusal = String;

impl App {
    /// The text of `file` (relative, `/`-separated) under the indexed `root`, when it is stored
    /// as an indexed document. Missing, forbidden and unreadable files all fail with the same
    /// [`AppError::NotFound`].
    pub fn read_document(&self, root: &str, file: &str) -> Result<CitedDocument> {
        let store = self.store()?;
        let refused = |why: Refusal| {
            tracing::info!("doc {root:?} {file:?} refused: {why}");
            AppError::NotFound(format!(
                "{file:?} is not an indexed document under {root:?}"
            ))
        };
        let sources = self.folder_sources(&store)?;
        let Some(source) = sources
            .iter()
            .find(|s| s.path.display().to_string() == root)
        else {
            return Err(refused("not an indexed root".into()));
        };
        let rel = plain_relative(file).map_err(refused)?;
        let abs = source.path.join(&rel);
        if !files::included(&source.path, source.filter, &abs) {
            return Err(refused(
                "hidden, ignored or outside the root's filter".into(),
            ));
        }
        match kstore::document_by_path(store.conn(), root, file)? {
            Some(d) if d.status == "indexed" => {}
            _ => return Err(refused("not stored as an indexed document".into())),
        }
        let text = read_regular_file(&source.path, &abs).map_err(refused)?;
        Ok(CitedDocument { path: abs, text })
    }
}

/// `file` as a relative path of plain, non-hidden components (no `..`, no root, no `.x`).
fn plain_relative(file: &str) -> std::result::Result<PathBuf, Refusal> {
    let path = Path::new(file);
    if file.is_empty() || file.contains('\\') {
        return Err("empty or with a backslash".into());
    }
    for c in path.components() {
        match c {
            Component::Normal(n) if !n.to_string_lossy().starts_with('.') => {}
            other => return Err(format!("component {other:?}")),
        }
    }
    Ok(path.to_path_buf())
}

/// Read `abs` when it resolves inside `root` to a regular file no larger than the indexer reads.
/// The final open does not follow a symbolic link and does not block on a FIFO.
fn read_regular_file(root: &Path, abs: &Path) -> std::result::Result<String, Refusal> {
    let root = root.canonicalize().map_err(|e| format!("root: {e}"))?;
    let target = abs.canonicalize().map_err(|e| format!("resolve: {e}"))?;
    if !target.starts_with(&root) {
        return Err(format!("resolves outside the root to {}", target.display()));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = options.open(&target).map_err(|e| format!("open: {e}"))?;
    let meta = f.metadata().map_err(|e| format!("stat: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!("{} bytes, over the limit", meta.len()));
    }
    let mut bytes = Vec::new();
    f.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err("grew over the limit while read".into());
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8".into())
}

#[cfg(test)]
mod tests {
    use super::plain_relative;

    #[test]
    fn only_plain_relative_paths_name_a_document() {
        assert!(plain_relative("docs/runbook.md").is_ok());
        for bad in [
            "",
            "../secret.txt",
            "/etc/passwd",
            "docs/../../x",
            ".env",
            "docs/.hidden.md",
            ".git/config",
            "a\\b",
        ] {
            assert!(plain_relative(bad).is_err(), "{bad}");
        }
    }
}
