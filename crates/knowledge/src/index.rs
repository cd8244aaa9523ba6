//! Indexing: documents → chunks → vectors, incrementally and resumably.
//!
//! Each file is hashed; an unchanged hash means nothing to do. A changed file is re-chunked and
//! only chunks whose text is new are embedded (vectors of unchanged chunks, and of a renamed file's
//! previous path, are reused). Files are committed in small batches, each file with all its chunks
//! and vectors in the same transaction, so a run killed at any moment keeps every finished file and
//! the next run embeds only what is left. The model that made the vectors is pinned per index
//! (`knowledge.model`); a different model re-embeds everything in the background and never mixes
//! vectors of two models in one search.

use crate::chunk::{self, DocKind};
use crate::embed::Embedder;
use crate::error::{KnowledgeError, Result};
use crate::files::{self, FileEntry, Filter, Loaded};
use bosun_store::Store;
use bosun_store::knowledge as kstore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Texts sent to the model per batch; also how many changed files may be lost to a crash.
pub const EMBED_BATCH: usize = 64;

/// A folder whose documents are indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Root {
    /// Absolute, canonical.
    pub path: String,
    /// Which of its files are indexed.
    pub filter: Filter,
    /// When it was added (unix seconds).
    pub added_at: i64,
}

/// The indexed folders.
pub fn roots(store: &Store) -> Result<Vec<Root>> {
    Ok(match kstore::setting(store.conn(), "roots")? {
        Some(json) => serde_json::from_str(&json).unwrap_or_default(),
        None => Vec::new(),
    })
}

/// Register a root (idempotent). Returns the canonical path.
pub fn add_root(store: &Store, path: &Path, filter: Filter, now: i64) -> Result<Root> {
    let abs = std::fs::canonicalize(path).map_err(|e| KnowledgeError::io(path, e))?;
    if !abs.is_dir() {
        return Err(KnowledgeError::InvalidInput(format!(
            "{} is not a folder",
            path.display()
        )));
    }
    let mut all = roots(store)?;
    let path = abs.display().to_string();
    if let Some(r) = all.iter().find(|r| r.path == path) {
        return Ok(r.clone());
    }
    let root = Root {
        path,
        filter,
        added_at: now,
    };
    all.push(root.clone());
    let json =
        serde_json::to_string(&all).map_err(|e| KnowledgeError::InvalidInput(e.to_string()))?;
    kstore::set_setting(store.conn(), "roots", &json)?;
    Ok(root)
}

/// The model pinned for this index, if any: (id, dimensions).
pub fn pinned_model(store: &Store) -> Result<Option<(String, usize)>> {
    let id = kstore::setting(store.conn(), "model")?;
    let dims = kstore::setting(store.conn(), "dims")?.and_then(|d| d.parse().ok());
    Ok(id.zip(dims))
}

/// Pin `embedder`'s model. Returns the previously pinned model when it was a different one (its
/// vectors are ignored from now on and everything is re-embedded).
pub fn pin_model(store: &Store, embedder: &dyn Embedder) -> Result<Option<String>> {
    let previous = pinned_model(store)?;
    let same = previous
        .as_ref()
        .is_some_and(|(id, dims)| id == embedder.model_id() && *dims == embedder.dims());
    if !same {
        kstore::set_setting(store.conn(), "model", embedder.model_id())?;
        kstore::set_setting(store.conn(), "dims", &embedder.dims().to_string())?;
    }
    Ok(previous.filter(|_| !same).map(|(id, _)| id))
}

/// What indexing reports as it goes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum IndexEvent {
    /// Indexing a folder started.
    Started {
        /// The folder.
        root: String,
        /// Files to look at.
        files: usize,
        /// Their total size.
        bytes: u64,
    },
    /// A file was indexed.
    Progress {
        /// The folder.
        root: String,
        /// Files done.
        files_done: usize,
        /// Files in all.
        files: usize,
        /// Chunks written so far.
        chunks: usize,
        /// Seconds left at the current rate, once there is a rate.
        eta_secs: Option<f64>,
        /// The file.
        path: String,
    },
    /// A file was left out.
    Skipped {
        /// The folder.
        root: String,
        /// The file.
        path: String,
        /// Why.
        note: String,
    },
    /// A file is gone from the folder, and from the index.
    Removed {
        /// The folder.
        root: String,
        /// The file.
        path: String,
    },
    /// Chunks are being embedded.
    Embedding {
        /// Chunks embedded.
        done: usize,
        /// Chunks to embed.
        total: usize,
        /// Seconds left at the current rate, once there is a rate.
        eta_secs: Option<f64>,
    },
}

/// Where indexing reports its progress.
pub trait IndexSink: Send + Sync {
    /// One event.
    fn event(&self, e: &IndexEvent);
}

/// Discards events.
pub struct NoEvents;
impl IndexSink for NoEvents {
    fn event(&self, _: &IndexEvent) {}
}

/// Collects events (tests).
#[derive(Default)]
pub struct Collect(pub std::sync::Mutex<Vec<IndexEvent>>);
impl IndexSink for Collect {
    fn event(&self, e: &IndexEvent) {
        if let Ok(mut v) = self.0.lock() {
            v.push(e.clone());
        }
    }
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IndexReport {
    /// Files looked at.
    pub files: usize,
    /// New or changed documents written.
    pub indexed: usize,
    /// Documents unchanged since the last run.
    pub unchanged: usize,
    /// Files left out.
    pub skipped: usize,
    /// Documents removed.
    pub removed: usize,
    /// Chunks written.
    pub chunks_written: usize,
    /// Texts the model embedded in this run.
    pub embedded: usize,
    /// Chunk vectors reused from an earlier version (unchanged chunk, renamed file).
    pub reused_vectors: usize,
    /// No model: BM25 only.
    pub bm25_only: bool,
    /// Set when the pinned model changed in this run (the old model's id).
    pub model_changed_from: Option<String>,
    /// The run was stopped before the end.
    pub cancelled: bool,
    /// How long it took.
    pub elapsed_secs: f64,
}

impl IndexReport {
    fn add(&mut self, o: &IndexReport) {
        self.files += o.files;
        self.indexed += o.indexed;
        self.unchanged += o.unchanged;
        self.skipped += o.skipped;
        self.removed += o.removed;
        self.chunks_written += o.chunks_written;
        self.embedded += o.embedded;
        self.reused_vectors += o.reused_vectors;
        self.cancelled |= o.cancelled;
    }
}

/// A document that is not a file: a ticket, a pull request.
#[derive(Debug, Clone)]
pub struct TextDoc {
    /// Where it is shown from (`ticket/PAY-1042`).
    pub path: String,
    /// What it is (`ticket`, `pull_request`).
    pub kind: &'static str,
    /// Its title.
    pub title: String,
    /// Its text.
    pub text: String,
    /// When it last changed (unix seconds).
    pub mtime: Option<i64>,
}

/// One document waiting for its vectors.
struct Pending {
    rel: String,
    kind: String,
    title: Option<String>,
    hash: String,
    size: i64,
    mtime: Option<i64>,
    chunks: Vec<chunk::Chunk>,
    vectors: Vec<Option<Vec<f32>>>,
}

/// The hex SHA-256 of a document's bytes (unchanged documents are skipped).
pub fn content_hash(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The text a chunk is embedded as: its heading path (or the document title) for context, then
/// the text.
pub fn embed_text(title: Option<&str>, heading_path: &str, text: &str) -> String {
    let context = if heading_path.is_empty() {
        title.unwrap_or("")
    } else {
        heading_path
    };
    if context.is_empty() {
        text.to_string()
    } else {
        format!("{context}\n\n{text}")
    }
}

/// Indexes folders and documents into a store, embedding with the model when there is one.
pub struct Indexer<'a> {
    store: &'a mut Store,
    embedder: Option<&'a mut (dyn Embedder + 'static)>,
    sink: &'a dyn IndexSink,
    now: i64,
    cancel: Option<&'a AtomicBool>,
    model_changed_from: Option<String>,
}

impl<'a> Indexer<'a> {
    /// `embedder` None = BM25 only. `now` is the injected clock's time.
    pub fn new(
        store: &'a mut Store,
        embedder: Option<&'a mut (dyn Embedder + 'static)>,
        sink: &'a dyn IndexSink,
        now: i64,
    ) -> Result<Indexer<'a>> {
        let model_changed_from = match &embedder {
            Some(e) => pin_model(store, &**e)?,
            None => None,
        };
        Ok(Indexer {
            store,
            embedder,
            sink,
            now,
            cancel: None,
            model_changed_from,
        })
    }

    /// Stop between files when the flag is set (progress is kept).
    pub fn with_cancel(mut self, flag: &'a AtomicBool) -> Self {
        self.cancel = Some(flag);
        self
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    fn model_id(&self) -> Option<String> {
        self.embedder.as_ref().map(|e| e.model_id().to_string())
    }

    fn base_report(&self) -> IndexReport {
        IndexReport {
            bm25_only: self.embedder.is_none(),
            model_changed_from: self.model_changed_from.clone(),
            ..Default::default()
        }
    }

    /// Index every document under `root`; documents that disappeared are removed. Then embed any
    /// chunk still lacking a vector from the pinned model (a model change, an earlier BM25-only run).
    pub fn index_root(&mut self, root: &Path, filter: Filter) -> Result<IndexReport> {
        let started = Instant::now();
        let root_str = root.display().to_string();
        let entries = files::walk(root, filter)?;
        let mut report = self.base_report();
        let seen: HashSet<String> = entries.iter().map(|e| e.rel.clone()).collect();
        let r = self.index_entries(&root_str, &entries)?;
        report.add(&r);
        if !report.cancelled {
            // Removals after additions: a renamed file has already taken its vectors along.
            for doc in kstore::documents_under(self.store.conn(), &root_str)? {
                if !seen.contains(&doc.path) {
                    kstore::delete_document(self.store.conn(), doc.id)?;
                    self.sink.event(&IndexEvent::Removed {
                        root: root_str.clone(),
                        path: doc.path.clone(),
                    });
                    report.removed += 1;
                }
            }
            report.embedded += self.embed_missing()?;
        }
        report.elapsed_secs = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Re-index only these paths (relative to `root`): changed or new files are indexed, missing
    /// ones removed. The watcher calls this.
    pub fn index_paths(
        &mut self,
        root: &Path,
        filter: Filter,
        rels: &[String],
    ) -> Result<IndexReport> {
        let started = Instant::now();
        let root_str = root.display().to_string();
        let mut report = self.base_report();
        let mut entries = Vec::new();
        let mut gone = Vec::new();
        for rel in rels {
            let abs = root.join(rel);
            let meta = std::fs::symlink_metadata(&abs);
            let is_file = match &meta {
                Ok(m) if m.file_type().is_symlink() => {
                    let root_c =
                        std::fs::canonicalize(root).map_err(|e| KnowledgeError::io(root, e))?;
                    std::fs::canonicalize(&abs).is_ok_and(|t| t.starts_with(&root_c) && t.is_file())
                }
                Ok(m) => m.is_file(),
                Err(_) => false,
            };
            if is_file && files::included(root, filter, &abs) {
                let m = std::fs::metadata(&abs).map_err(|e| KnowledgeError::io(&abs, e))?;
                entries.push(FileEntry {
                    rel: rel.clone(),
                    abs,
                    size: m.len(),
                    mtime: m
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map(|d| d.as_secs() as i64),
                });
            } else if !abs.exists() || !files::included(root, filter, &abs) {
                gone.push(rel.clone());
            }
        }
        let r = self.index_entries(&root_str, &entries)?;
        report.add(&r);
        for rel in gone {
            if let Some(doc) = kstore::document_by_path(self.store.conn(), &root_str, &rel)? {
                kstore::delete_document(self.store.conn(), doc.id)?;
                self.sink.event(&IndexEvent::Removed {
                    root: root_str.clone(),
                    path: rel.clone(),
                });
                report.removed += 1;
            }
            // A deleted directory: everything under it.
            let prefix = format!("{rel}/");
            for doc in kstore::documents_under(self.store.conn(), &root_str)? {
                if doc.path.starts_with(&prefix) && !root.join(&doc.path).exists() {
                    kstore::delete_document(self.store.conn(), doc.id)?;
                    report.removed += 1;
                }
            }
        }
        report.elapsed_secs = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Index documents that are not files (tickets, pull requests) under a virtual root such as
    /// `store:tickets`; documents of that root not in `docs` are removed.
    pub fn index_texts(&mut self, root: &str, docs: &[TextDoc]) -> Result<IndexReport> {
        let started = Instant::now();
        let mut report = self.base_report();
        report.files = docs.len();
        let mut pending: Vec<Pending> = Vec::new();
        let mut to_embed = 0;
        for d in docs {
            let hash = content_hash(d.text.as_bytes());
            if self.unchanged(root, &d.path, &hash)? {
                report.unchanged += 1;
                continue;
            }
            let chunked = chunk::chunk(DocKind::Markdown, &d.text);
            let p = self.prepare(
                root,
                &d.path,
                d.kind,
                Some(d.title.clone()),
                hash,
                d.text.len() as i64,
                d.mtime,
                chunked,
            )?;
            to_embed += p.vectors.iter().filter(|v| v.is_none()).count();
            pending.push(p);
            if to_embed >= EMBED_BATCH {
                self.flush(root, &mut pending, &mut report)?;
                to_embed = 0;
            }
        }
        self.flush(root, &mut pending, &mut report)?;
        let keep: HashSet<&str> = docs.iter().map(|d| d.path.as_str()).collect();
        for doc in kstore::documents_under(self.store.conn(), root)? {
            if !keep.contains(doc.path.as_str()) {
                kstore::delete_document(self.store.conn(), doc.id)?;
                report.removed += 1;
            }
        }
        report.elapsed_secs = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Is this document already indexed with this content (and, with a model, fully embedded)?
    fn unchanged(&self, root: &str, rel: &str, hash: &str) -> Result<bool> {
        Ok(kstore::document_by_path(self.store.conn(), root, rel)?
            .is_some_and(|d| d.content_hash == hash))
    }

    fn index_entries(&mut self, root: &str, entries: &[FileEntry]) -> Result<IndexReport> {
        let mut report = IndexReport {
            files: entries.len(),
            ..Default::default()
        };
        let total_bytes: u64 = entries.iter().map(|e| e.size).sum();
        self.sink.event(&IndexEvent::Started {
            root: root.to_string(),
            files: entries.len(),
            bytes: total_bytes,
        });
        let started = Instant::now();
        let mut done_bytes: u64 = 0;
        let mut pending: Vec<Pending> = Vec::new();
        let mut to_embed = 0;
        for (k, e) in entries.iter().enumerate() {
            if self.cancelled() {
                report.cancelled = true;
                break;
            }
            done_bytes += e.size;
            let (loaded, bytes) = match files::load(&e.abs, &e.rel, e.size) {
                Ok(x) => x,
                Err(err) => (
                    Loaded::Skipped {
                        note: format!("unreadable: {err}"),
                    },
                    Vec::new(),
                ),
            };
            let hash = content_hash(&bytes);
            match loaded {
                Loaded::Skipped { note } => {
                    let existing = kstore::document_by_path(self.store.conn(), root, &e.rel)?;
                    if existing.is_some_and(|d| {
                        d.status == "skipped"
                            && d.note.as_deref() == Some(&note)
                            && d.content_hash == hash
                    }) {
                        report.unchanged += 1;
                    } else {
                        kstore::put_document(
                            self.store.conn(),
                            &kstore::NewDocument {
                                root,
                                path: &e.rel,
                                kind: "other",
                                title: None,
                                content_hash: &hash,
                                size: e.size as i64,
                                mtime: e.mtime,
                                indexed_at: self.now,
                                status: "skipped",
                                note: Some(&note),
                            },
                        )?;
                        self.sink.event(&IndexEvent::Skipped {
                            root: root.to_string(),
                            path: e.rel.clone(),
                            note,
                        });
                        report.skipped += 1;
                    }
                }
                Loaded::Doc { kind, text } => {
                    if self.unchanged(root, &e.rel, &hash)? {
                        report.unchanged += 1;
                    } else {
                        let chunked = chunk::chunk(kind, &text);
                        let title = chunked.title.clone().or_else(|| {
                            Some(e.rel.rsplit('/').next().unwrap_or(&e.rel).to_string())
                        });
                        let p = self.prepare(
                            root,
                            &e.rel,
                            kind.as_str(),
                            title,
                            hash,
                            e.size as i64,
                            e.mtime,
                            chunked,
                        )?;
                        to_embed += p.vectors.iter().filter(|v| v.is_none()).count();
                        pending.push(p);
                    }
                }
            }
            if to_embed >= EMBED_BATCH || (pending.len() >= 256) {
                self.flush(root, &mut pending, &mut report)?;
                to_embed = 0;
            }
            let elapsed = started.elapsed().as_secs_f64();
            let eta = (done_bytes > 0 && elapsed > 0.5)
                .then(|| elapsed * (total_bytes - done_bytes) as f64 / done_bytes as f64);
            self.sink.event(&IndexEvent::Progress {
                root: root.to_string(),
                files_done: k + 1,
                files: entries.len(),
                chunks: report.chunks_written,
                eta_secs: eta,
                path: e.rel.clone(),
            });
        }
        self.flush(root, &mut pending, &mut report)?;
        Ok(report)
    }

    /// Chunk a changed document and find vectors it can reuse.
    #[allow(clippy::too_many_arguments)]
    fn prepare(
        &self,
        root: &str,
        rel: &str,
        kind: &str,
        title: Option<String>,
        hash: String,
        size: i64,
        mtime: Option<i64>,
        chunked: chunk::Chunked,
    ) -> Result<Pending> {
        let mut reuse: HashMap<(String, String), Vec<f32>> = HashMap::new();
        if let Some(model) = self.model_id() {
            let conn = self.store.conn();
            let mut sources: Vec<i64> = kstore::documents_with_hash(conn, &hash)?
                .into_iter()
                .map(|d| d.id)
                .collect();
            if let Some(d) = kstore::document_by_path(conn, root, rel)? {
                sources.push(d.id);
            }
            for id in sources {
                for (h, t, v) in kstore::document_vectors(conn, id, &model)? {
                    reuse.entry((h, t)).or_insert(v);
                }
            }
        }
        let vectors = chunked
            .chunks
            .iter()
            .map(|c| {
                reuse
                    .get(&(c.heading_path.clone(), c.text.clone()))
                    .cloned()
            })
            .collect();
        Ok(Pending {
            rel: rel.to_string(),
            kind: kind.to_string(),
            title: title.or(chunked.title),
            hash,
            size,
            mtime,
            chunks: chunked.chunks,
            vectors,
        })
    }

    /// Embed what the pending documents lack, then write them, all in one transaction.
    fn flush(
        &mut self,
        root: &str,
        pending: &mut Vec<Pending>,
        report: &mut IndexReport,
    ) -> Result<()> {
        if pending.is_empty() {
            return Ok(());
        }
        if let Some(embedder) = self.embedder.as_deref_mut() {
            let mut texts = Vec::new();
            let mut slots = Vec::new();
            for (i, p) in pending.iter().enumerate() {
                for (j, c) in p.chunks.iter().enumerate() {
                    if p.vectors[j].is_none() {
                        texts.push(embed_text(p.title.as_deref(), &c.heading_path, &c.text));
                        slots.push((i, j));
                    } else {
                        report.reused_vectors += 1;
                    }
                }
            }
            if !texts.is_empty() {
                let vectors = embedder.embed(&texts)?;
                report.embedded += texts.len();
                for ((i, j), v) in slots.into_iter().zip(vectors) {
                    pending[i].vectors[j] = Some(v);
                }
            }
        }
        let model = self.model_id();
        let tx = self.store.begin()?;
        for p in pending.drain(..) {
            let id = kstore::put_document(
                &tx,
                &kstore::NewDocument {
                    root,
                    path: &p.rel,
                    kind: &p.kind,
                    title: p.title.as_deref(),
                    content_hash: &p.hash,
                    size: p.size,
                    mtime: p.mtime,
                    indexed_at: self.now,
                    status: "indexed",
                    note: None,
                },
            )?;
            for (ordinal, (c, v)) in p.chunks.iter().zip(&p.vectors).enumerate() {
                let chunk_id = kstore::insert_chunk(
                    &tx,
                    id,
                    &kstore::NewChunk {
                        ordinal: ordinal as i64,
                        heading_path: &c.heading_path,
                        text: &c.text,
                        byte_start: c.byte_start as i64,
                        byte_end: c.byte_end as i64,
                        line_start: c.line_start as i64,
                        line_end: c.line_end as i64,
                        token_estimate: c.token_estimate as i64,
                    },
                )?;
                if let (Some(m), Some(v)) = (&model, v) {
                    kstore::put_embedding(&tx, chunk_id, m, v)?;
                }
            }
            report.indexed += 1;
            report.chunks_written += p.chunks.len();
        }
        tx.commit()?;
        Ok(())
    }

    /// Embed every chunk that has no vector from the pinned model, in committed batches (a model
    /// change, or chunks indexed while no model was available). Returns how many were embedded.
    pub fn embed_missing(&mut self) -> Result<usize> {
        let Some(model) = self.model_id() else {
            return Ok(0);
        };
        let total = kstore::counts(self.store.conn(), Some(&model))?;
        let total_missing = (total.chunks - total.embedded).max(0) as usize;
        let mut done = 0;
        let started = Instant::now();
        let mut skip_titles: HashMap<i64, Option<String>> = HashMap::new();
        loop {
            if self.cancelled() {
                break;
            }
            let batch = kstore::chunks_without_embedding(self.store.conn(), &model, EMBED_BATCH)?;
            if batch.is_empty() {
                break;
            }
            let mut texts = Vec::with_capacity(batch.len());
            for (id, heading, text) in &batch {
                let title = match skip_titles.get(id) {
                    Some(t) => t.clone(),
                    None => {
                        let t = kstore::chunk_rows(self.store.conn(), &[*id])?
                            .pop()
                            .and_then(|r| r.title);
                        skip_titles.insert(*id, t.clone());
                        t
                    }
                };
                texts.push(embed_text(title.as_deref(), heading, text));
            }
            let Some(embedder) = self.embedder.as_deref_mut() else {
                break;
            };
            let vectors = embedder.embed(&texts)?;
            let tx = self.store.begin()?;
            for ((id, _, _), v) in batch.iter().zip(&vectors) {
                kstore::put_embedding(&tx, *id, &model, v)?;
            }
            tx.commit()?;
            done += batch.len();
            let elapsed = started.elapsed().as_secs_f64();
            self.sink.event(&IndexEvent::Embedding {
                done,
                total: total_missing,
                eta_secs: (elapsed > 0.5 && done > 0)
                    .then(|| elapsed * (total_missing.saturating_sub(done)) as f64 / done as f64),
            });
        }
        // Every chunk has a vector from the pinned model: other models' vectors are dead weight.
        if !self.cancelled() && self.model_changed_from.is_some() {
            kstore::delete_other_embeddings(self.store.conn(), &model)?;
        }
        Ok(done)
    }
}
