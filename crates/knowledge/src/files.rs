//! Finding documents under a root: `.gitignore` (and `.ignore`) respected, hidden entries skipped,
//! symbolic links never followed out of the root, binaries and huge files skipped with a note.

use crate::chunk::DocKind;
use crate::error::{KnowledgeError, Result};
use std::path::{Path, PathBuf};

/// Files larger than this are skipped (a note says so).
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// Which files under a root are documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Filter {
    /// Every file (a docs folder).
    All,
    /// Only a repository's docs: READMEs, and anything under docs/, doc/, adr/, decisions/,
    /// runbooks/ or playbooks/ (a synced git work tree).
    RepoDocs,
}

/// A file under an indexed folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Relative to the root, with `/` separators.
    pub rel: String,
    /// Its absolute path.
    pub abs: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time (unix seconds), when known.
    pub mtime: Option<i64>,
}

/// A file read for indexing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    /// A document to index.
    Doc {
        /// Its kind.
        kind: DocKind,
        /// Its text.
        text: String,
    },
    /// A file left out.
    Skipped {
        /// Why.
        note: String,
    },
}

/// The kind of document a path holds, by its extension; `None` for files not indexed.
pub fn kind_of(rel: &str) -> Option<DocKind> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "md" | "markdown" | "mdx" | "mkd" => Some(DocKind::Markdown),
        "html" | "htm" | "xhtml" => Some(DocKind::Html),
        "txt" | "text" | "rst" | "adoc" | "asciidoc" | "org" => Some(DocKind::Text),
        "" => Some(DocKind::Text),
        _ => None,
    }
}

/// Whether `filter` indexes the file at `rel`.
pub fn accepts(filter: Filter, rel: &str) -> bool {
    match filter {
        Filter::All => true,
        Filter::RepoDocs => {
            let parts: Vec<&str> = rel.split('/').collect();
            let name = parts.last().copied().unwrap_or("");
            name.to_ascii_lowercase().starts_with("readme")
                || parts[..parts.len() - 1].iter().any(|p| {
                    matches!(
                        p.to_ascii_lowercase().as_str(),
                        "docs"
                            | "doc"
                            | "adr"
                            | "adrs"
                            | "decisions"
                            | "runbooks"
                            | "runbook"
                            | "playbooks"
                    )
                })
        }
    }
}

fn mtime(m: &std::fs::Metadata) -> Option<i64> {
    m.modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs() as i64)
}

/// The relative path of `abs` under `root` with `/` separators, if it is under it.
pub fn relative(root: &Path, abs: &Path) -> Option<String> {
    let rel = abs.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Does `abs` stay inside `root` without following a link out? Every directory between the root
/// and the file must be a real directory (a link to a directory is never followed, as in
/// [`walk`]), and the file itself may be a link only to a file inside the root.
pub fn stays_inside(root: &Path, abs: &Path) -> bool {
    let Ok(rel) = abs.strip_prefix(root) else {
        return false;
    };
    let parts: Vec<_> = rel.components().collect();
    let Some((_, dirs)) = parts.split_last() else {
        return false;
    };
    let mut dir = root.to_path_buf();
    for c in dirs {
        dir.push(c);
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            _ => return false,
        }
    }
    match std::fs::symlink_metadata(abs) {
        Ok(m) if m.file_type().is_symlink() => {
            match (std::fs::canonicalize(root), std::fs::canonicalize(abs)) {
                (Ok(r), Ok(t)) => t.starts_with(r),
                _ => false,
            }
        }
        // A file that is gone stays "inside": the caller removes it from the index.
        _ => true,
    }
}

/// Is this path (relative to the root) excluded by a .gitignore, a hidden component or a symlink
/// leaving the root (a linked directory on the way, or a link to outside)? Used by the watcher for
/// single paths.
pub fn included(root: &Path, filter: Filter, abs: &Path) -> bool {
    let Some(rel) = relative(root, abs) else {
        return false;
    };
    if rel.split('/').any(|p| p.starts_with('.')) || !accepts(filter, &rel) {
        return false;
    }
    if !stays_inside(root, abs) {
        return false;
    }
    let mut builder = ignore::gitignore::GitignoreBuilder::new(root);
    // Every .gitignore between the root and the file.
    let mut dir = root.to_path_buf();
    let _ = builder.add(dir.join(".gitignore"));
    let _ = builder.add(dir.join(".ignore"));
    let parts: Vec<&str> = rel.split('/').collect();
    for p in &parts[..parts.len() - 1] {
        dir.push(p);
        let _ = builder.add(dir.join(".gitignore"));
        let _ = builder.add(dir.join(".ignore"));
    }
    match builder.build() {
        Ok(gi) => !gi
            .matched_path_or_any_parents(abs, abs.is_dir())
            .is_ignore(),
        Err(_) => true,
    }
}

/// Every candidate file under `root`, sorted by path. Symbolic links to files inside the root are
/// kept (under the link's path); links leaving the root, and links to directories, are not followed.
pub fn walk(root: &Path, filter: Filter) -> Result<Vec<FileEntry>> {
    let canonical_root = std::fs::canonicalize(root).map_err(|e| KnowledgeError::io(root, e))?;
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .follow_links(false)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .ignore(true)
        .parents(true)
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!("skipping an unreadable entry under {}: {e}", root.display());
                continue;
            }
        };
        let Some(ft) = entry.file_type() else {
            continue;
        };
        let abs = entry.path().to_path_buf();
        let Some(rel) = relative(root, &abs) else {
            continue;
        };
        if !accepts(filter, &rel) {
            continue;
        }
        let meta = if ft.is_symlink() {
            // Follow only when the target stays inside the root and is a file.
            match std::fs::canonicalize(&abs) {
                Ok(target) if target.starts_with(&canonical_root) => {
                    match std::fs::metadata(&target) {
                        Ok(m) if m.is_file() => m,
                        _ => continue,
                    }
                }
                _ => {
                    tracing::info!("not following {} out of {}", abs.display(), root.display());
                    continue;
                }
            }
        } else if ft.is_file() {
            match entry.metadata() {
                Ok(m) => m,
                Err(_) => continue,
            }
        } else {
            continue;
        };
        out.push(FileEntry {
            rel,
            abs,
            size: meta.len(),
            mtime: mtime(&meta),
        });
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

/// Read a file for indexing, or say why it is skipped.
pub fn load(abs: &Path, rel: &str, size: u64) -> Result<(Loaded, Vec<u8>)> {
    if size > MAX_FILE_BYTES {
        return Ok((
            Loaded::Skipped {
                note: format!(
                    "too large ({:.1} MiB; the limit is {} MiB)",
                    size as f64 / 1048576.0,
                    MAX_FILE_BYTES / 1048576
                ),
            },
            Vec::new(),
        ));
    }
    let bytes = std::fs::read(abs).map_err(|e| KnowledgeError::io(abs, e))?;
    let loaded = classify(rel, &bytes);
    Ok((loaded, bytes))
}

/// Decide what the bytes of `rel` are.
pub fn classify(rel: &str, bytes: &[u8]) -> Loaded {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Loaded::Skipped {
            note: format!("too large (limit {} MiB)", MAX_FILE_BYTES / 1048576),
        };
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Loaded::Skipped {
            note: "binary file".into(),
        };
    }
    let Some(kind) = kind_of(rel) else {
        let ext = rel.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        return Loaded::Skipped {
            note: format!("not a document type (.{ext})"),
        };
    };
    match std::str::from_utf8(bytes) {
        Ok(t) => Loaded::Doc {
            kind,
            text: t.to_string(),
        },
        Err(_) => Loaded::Skipped {
            note: "not UTF-8 text".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_docs_filter() {
        assert!(accepts(Filter::RepoDocs, "README.md"));
        assert!(accepts(Filter::RepoDocs, "svc/README"));
        assert!(accepts(Filter::RepoDocs, "docs/adr/0001.md"));
        assert!(accepts(Filter::RepoDocs, "ops/runbooks/x.md"));
        assert!(!accepts(Filter::RepoDocs, "src/main.rs"));
        assert!(!accepts(Filter::RepoDocs, "docs"));
    }

    #[test]
    fn classification() {
        assert!(matches!(
            classify("a.md", b"# x"),
            Loaded::Doc {
                kind: DocKind::Markdown,
                ..
            }
        ));
        assert!(matches!(
            classify("a.png", b"\x89PNG\0\0"),
            Loaded::Skipped { .. }
        ));
        assert!(matches!(
            classify("a.rs", b"fn main() {}"),
            Loaded::Skipped { .. }
        ));
        assert!(matches!(
            classify("a.txt", &[0xff, 0xfe, b'a']),
            Loaded::Skipped { .. }
        ));
    }
}
