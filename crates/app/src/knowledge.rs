//! Doc-first answers behind every front door: index folders, repository docs and ticket/PR text,
//! keep the index live, and answer questions with cited passages and the people who know the topic.
//! The work is `bosun_knowledge`'s; this module owns the model (loaded once per process), the
//! sources known to the store, and the view types the CLI, HTTP and desktop share.

use crate::{App, AppError, Result};
use bosun_core::model::Provider;
use bosun_core::time::rfc3339;
use bosun_knowledge::calibrate::{self, Calibration};
use bosun_knowledge::embed::{self, Embedder, MiniLm};
use bosun_knowledge::experts::{self, Cited, Expert};
use bosun_knowledge::files::Filter;
use bosun_knowledge::index::{self, IndexReport, IndexSink, Indexer, TextDoc};
use bosun_knowledge::lexical::LexicalIndex;
use bosun_knowledge::search::{self, Context, Mode, Params};
use bosun_knowledge::vectors::VectorIndex;
use bosun_knowledge::watch::{DEFAULT_DEBOUNCE, DocWatcher};
use bosun_store::Store;
use bosun_store::knowledge as kstore;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

pub use bosun_knowledge;
pub use bosun_knowledge::index::IndexEvent;

/// Virtual roots for documents that live in the store.
pub const TICKETS_ROOT: &str = "store:tickets";
pub const PULL_REQUESTS_ROOT: &str = "store:pull_requests";
/// The longest question `ask` takes: a question is a sentence or two, and searching costs time in
/// proportion to its length (a 1 MB question took a minute).
pub const MAX_QUESTION_CHARS: usize = 2_000;
/// Ticket and PR documents shorter than this say too little to be worth a passage.
const MIN_STORE_DOC_CHARS: usize = 80;
/// At most this many of the most recently updated tickets (and as many pull requests).
const MAX_STORE_DOCS: usize = 5_000;

/// The embedding model, loaded once per process (or the reason it is unavailable).
type Model = std::result::Result<MiniLm, String>;
static MODEL: OnceLock<Mutex<Model>> = OnceLock::new();

/// The loaded model's id (or why there is none), known without its lock: status reads must never
/// wait for an embedding run that holds the model (Settings hung 100 s while docs were indexed).
static MODEL_ID: OnceLock<std::result::Result<String, String>> = OnceLock::new();

fn model() -> &'static Mutex<Model> {
    MODEL.get_or_init(|| {
        MODEL_LOADING.store(true, std::sync::atomic::Ordering::SeqCst);
        let m = if std::env::var("BOSUN_EMBEDDINGS").is_ok_and(|v| v == "off") {
            Err("embeddings are turned off (BOSUN_EMBEDDINGS=off)".to_string())
        } else {
            embed::load_default()
        };
        if let Err(e) = &m {
            tracing::info!("search falls back to BM25: {e}");
        }
        let _ = MODEL_ID.set(match &m {
            Ok(e) => Ok(e.model_id().to_string()),
            Err(e) => Err(e.clone()),
        });
        Mutex::new(m)
    })
}

const LOADING: &str = "the embedding model is loading";

/// Set when the model starts loading (once per process).
static MODEL_LOADING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The embedding model's id, or why there is none, without waiting on the model's lock (held
/// for as long as an indexing run embeds) or on another thread loading it.
fn model_id() -> std::result::Result<String, String> {
    if let Some(id) = MODEL_ID.get() {
        return id.clone();
    }
    if MODEL_LOADING.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(LOADING.into());
    }
    model();
    MODEL_ID
        .get()
        .cloned()
        .unwrap_or_else(|| Err(LOADING.into()))
}

/// Run `f` with the model, or with None and the reason it is unavailable.
fn with_model<T>(
    f: impl FnOnce(std::result::Result<&mut (dyn Embedder + 'static), &str>) -> T,
) -> T {
    let mut guard = model().lock().unwrap_or_else(|e| e.into_inner());
    match &mut *guard {
        Ok(m) => f(Ok(m as &mut (dyn Embedder + 'static))),
        Err(e) => f(Err(e.as_str())),
    }
}

/// The in-memory vectors of the last database asked, reused while the index is unchanged.
type VectorCache = Option<(
    (PathBuf, String, kstore::KnowledgeCounts),
    std::sync::Arc<VectorIndex>,
)>;
static VECTORS: Mutex<VectorCache> = Mutex::new(None);

/// The in-memory BM25 index of the last database asked, reused while the index is unchanged.
type LexicalCache = Option<(
    (PathBuf, kstore::KnowledgeCounts),
    std::sync::Arc<LexicalIndex>,
)>;
static LEXICAL: Mutex<LexicalCache> = Mutex::new(None);

#[derive(Debug, Clone, Serialize)]
pub struct IndexInfo {
    pub documents: i64,
    pub chunks: i64,
    /// The pinned embedding model; None = BM25 only.
    pub model: Option<String>,
    pub updated_at: Option<String>,
    /// How the last search ran: hybrid, or bm25 (no model).
    pub mode: &'static str,
    /// Why search is BM25 only, or what is still being embedded.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnswerView {
    /// Relative to `root` (for tickets and PRs: the key, `owner/repo#123`).
    pub file: String,
    /// The lines that answer (1-based, inclusive): the paragraph within the passage that holds
    /// the question's words, else the whole passage.
    pub start_line: i64,
    pub end_line: i64,
    /// The whole passage the cited lines are in (the context).
    pub context_start_line: i64,
    pub context_end_line: i64,
    pub score: f32,
    /// The whole passage's text.
    pub text: String,
    /// What the cited lines say (HTML: their visible text).
    pub cited_text: String,
    pub root: String,
    pub heading: String,
    pub indexed_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AskView {
    pub question: String,
    pub answers: Vec<AnswerView>,
    pub experts: Vec<Expert>,
    pub index: IndexInfo,
    /// The best candidate's score and the threshold it had to reach.
    pub best_score: Option<f32>,
    pub threshold: f32,
    /// Why nothing is cited, in words, from the numbers that decided it (none when cited).
    pub refusal: Option<String>,
    /// The language model's answer from the cited passages, when asked for and grounded.
    pub written: Option<crate::written_answer::WrittenAnswer>,
    /// Why there is no written answer, when one was asked for.
    pub written_note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RootView {
    pub path: String,
    pub kind: RootKind,
    pub documents: i64,
    pub skipped: i64,
    pub indexed_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndexStatusView {
    pub documents: i64,
    pub skipped: i64,
    pub chunks: i64,
    pub embedded: i64,
    pub model: Option<String>,
    /// The model this machine can load now (None: BM25 only, and `note` says why).
    pub available_model: Option<String>,
    pub updated_at: Option<String>,
    pub roots: Vec<RootView>,
    pub skipped_files: Vec<SkippedView>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkippedView {
    pub root: String,
    pub path: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndexOutcome {
    pub root: String,
    #[serde(flatten)]
    pub report: IndexReport,
}

/// A source of documents: a folder root with its filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FolderSource {
    pub(crate) path: PathBuf,
    pub(crate) filter: Filter,
    pub(crate) kind: RootKind,
}

/// What an indexed root is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RootKind {
    /// A docs folder the manager added.
    Folder,
    /// The working tree of a local git repository Bosun syncs.
    Repository,
    /// The synced tickets.
    Tickets,
    /// The synced pull requests.
    PullRequests,
}

impl RootKind {
    /// Its name in the API (`pull_requests`).
    pub const fn as_str(self) -> &'static str {
        match self {
            RootKind::Folder => "folder",
            RootKind::Repository => "repository",
            RootKind::Tickets => "tickets",
            RootKind::PullRequests => "pull_requests",
        }
    }
}

impl std::fmt::Display for RootKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str()) // honours a width
    }
}

fn time(ts: Option<i64>) -> Option<String> {
    ts.map(rfc3339)
}

impl App {
    /// Folders added with `index add`, and the work trees of git sources (their docs only).
    pub(crate) fn folder_sources(&self, store: &Store) -> Result<Vec<FolderSource>> {
        let mut out: Vec<FolderSource> = index::roots(store)?
            .into_iter()
            .map(|r| FolderSource {
                path: PathBuf::from(r.path),
                filter: r.filter,
                kind: RootKind::Folder,
            })
            .collect();
        for s in bosun_store::sync_state::sources(store.conn())? {
            if s.kind != Provider::Git || !s.enabled {
                continue;
            }
            let Some(path) = s.settings.get("path").and_then(|p| p.as_str()) else {
                continue;
            };
            let Ok(repo) = git2::Repository::open(path) else {
                continue;
            };
            let Some(wd) = repo.workdir().and_then(|w| std::fs::canonicalize(w).ok()) else {
                continue;
            };
            // A repository whose `core.worktree` is `/` would make the whole disk a root.
            if wd.parent().is_none() {
                tracing::warn!(
                    "source {}: its work tree is {}; its docs are not indexed",
                    s.name,
                    wd.display()
                );
                continue;
            }
            if !out.iter().any(|f| f.path == wd) {
                out.push(FolderSource {
                    path: wd,
                    filter: Filter::RepoDocs,
                    kind: RootKind::Repository,
                });
            }
        }
        Ok(out)
    }

    /// Ticket and pull request text from the store, as documents.
    fn store_documents(store: &Store) -> Result<(Vec<TextDoc>, Vec<TextDoc>)> {
        let conn = store.conn();
        let tickets = kstore::recent_ticket_texts(conn, MAX_STORE_DOCS)?
            .into_iter()
            .map(|t| TextDoc {
                title: format!("{}: {}", t.key, t.summary),
                text: format!("# {}: {}\n\n{}\n", t.key, t.summary, t.description),
                path: t.key,
                kind: "ticket",
                mtime: t.updated_at,
            })
            .filter(|d| d.text.len() >= MIN_STORE_DOC_CHARS)
            .collect();
        let prs = kstore::recent_pull_request_texts(conn, MAX_STORE_DOCS)?
            .into_iter()
            .map(|p| {
                let (repo, number, title) = (&p.repo, p.number, &p.title);
                TextDoc {
                    path: format!("{repo}#{number}"),
                    title: format!("{repo}#{number}: {title}"),
                    text: format!("# {repo}#{number}: {title}\n\n{}\n", p.body),
                    kind: "pull_request",
                    mtime: p.updated_at,
                }
            })
            .filter(|d| d.text.len() >= MIN_STORE_DOC_CHARS)
            .collect();
        Ok((tickets, prs))
    }

    /// Index the store's own sources (git work trees' docs, tickets, pull requests), incrementally.
    fn index_store_sources(
        &self,
        store: &mut Store,
        embedder: Option<&mut (dyn Embedder + 'static)>,
        sink: &dyn IndexSink,
    ) -> Result<Vec<IndexOutcome>> {
        let mut out = Vec::new();
        let repos: Vec<FolderSource> = self
            .folder_sources(store)?
            .into_iter()
            .filter(|f| f.kind == RootKind::Repository)
            .collect();
        let (tickets, prs) = Self::store_documents(store)?;
        let mut indexer = Indexer::new(store, embedder, sink, self.now())?;
        for r in repos {
            let report = indexer.index_root(&r.path, r.filter)?;
            out.push(IndexOutcome {
                root: r.path.display().to_string(),
                report,
            });
        }
        for (root, docs) in [(TICKETS_ROOT, tickets), (PULL_REQUESTS_ROOT, prs)] {
            let report = indexer.index_texts(root, &docs)?;
            if report.files > 0 || report.removed > 0 {
                out.push(IndexOutcome {
                    root: root.to_string(),
                    report,
                });
            }
        }
        Ok(out)
    }

    /// `bosun index add PATH`: remember the folder and index it (incrementally: unchanged files cost
    /// a hash), then refresh repository docs, tickets and pull requests from the store.
    pub fn index_add(&self, path: &Path, sink: &dyn IndexSink) -> Result<Vec<IndexOutcome>> {
        let mut store = self.store()?;
        let root = index::add_root(&store, path, Filter::All, self.now())?;
        with_model(|m| {
            let mut embedder = m.ok();
            let mut out = Vec::new();
            {
                let mut indexer =
                    Indexer::new(&mut store, embedder.as_deref_mut(), sink, self.now())?;
                let report = indexer.index_root(Path::new(&root.path), root.filter)?;
                out.push(IndexOutcome {
                    root: root.path.clone(),
                    report,
                });
            }
            out.extend(self.index_store_sources(&mut store, embedder, sink)?);
            Ok(out)
        })
    }

    /// `bosun index rebuild`: drop every document and index all sources again from scratch (the
    /// folders stay registered; the pinned model is the one available now).
    pub fn index_rebuild(&self, sink: &dyn IndexSink) -> Result<Vec<IndexOutcome>> {
        let mut store = self.store()?;
        store.write(|tx| kstore::clear(tx))?;
        self.index_update(&mut store, sink)
    }

    /// Index every source incrementally (what `index watch` does on start).
    fn index_update(&self, store: &mut Store, sink: &dyn IndexSink) -> Result<Vec<IndexOutcome>> {
        let folders: Vec<FolderSource> = self
            .folder_sources(store)?
            .into_iter()
            .filter(|f| f.kind == RootKind::Folder)
            .collect();
        with_model(|m| {
            let mut embedder = m.ok();
            let mut out = Vec::new();
            {
                let mut indexer = Indexer::new(store, embedder.as_deref_mut(), sink, self.now())?;
                for f in &folders {
                    if !f.path.is_dir() {
                        tracing::warn!(
                            "{} is gone; its documents stay until it returns",
                            f.path.display()
                        );
                        continue;
                    }
                    let report = indexer.index_root(&f.path, f.filter)?;
                    out.push(IndexOutcome {
                        root: f.path.display().to_string(),
                        report,
                    });
                }
            }
            out.extend(self.index_store_sources(store, embedder, sink)?);
            Ok(out)
        })
    }

    /// Keep the index live until `stop` is set: sources are brought up to date first, then every
    /// change under a folder or a repository's work tree is re-indexed within about a second
    /// (debounced); unchanged content costs a hash. `on_change` sees each batch's report.
    pub fn index_watch(
        &self,
        sink: &dyn IndexSink,
        stop: &AtomicBool,
        mut on_change: impl FnMut(&IndexOutcome),
    ) -> Result<()> {
        let mut store = self.store()?;
        for o in self.index_update(&mut store, sink)? {
            on_change(&o);
        }
        let sources = self.folder_sources(&store)?;
        let roots: Vec<(PathBuf, Filter)> = sources
            .iter()
            .filter(|s| s.path.is_dir())
            .map(|s| (s.path.clone(), s.filter))
            .collect();
        if roots.is_empty() {
            return Err(AppError::NotFound(
                "nothing to watch: add a folder with `bosun index add PATH`".into(),
            ));
        }
        let watcher = DocWatcher::new(&roots, DEFAULT_DEBOUNCE)?;
        while !stop.load(Ordering::Relaxed) {
            let batches = watcher.next_batch(Duration::from_millis(250))?;
            for c in batches {
                let report = with_model(|m| {
                    let mut indexer = Indexer::new(&mut store, m.ok(), sink, self.now())?;
                    let mut r = indexer.index_paths(&c.root, c.filter, &c.paths)?;
                    // A model change: finish re-embedding in the background of the watch.
                    r.embedded += indexer.embed_missing()?;
                    Ok::<_, AppError>(r)
                })?;
                on_change(&IndexOutcome {
                    root: c.root.display().to_string(),
                    report,
                });
            }
        }
        Ok(())
    }

    pub fn index_status(&self) -> Result<IndexStatusView> {
        let store = self.store()?;
        let pinned = index::pinned_model(&store)?;
        let mut counts = kstore::counts(store.conn(), pinned.as_ref().map(|p| p.0.as_str()))?;
        let available = model_id();
        let sources = self.folder_sources(&store)?;
        let per_root = kstore::root_counts(store.conn())?;
        // The total is the sum of the roots it lists, read at once: while an index is being
        // written, two separate counts could disagree ("0 documents" beside folders with 43).
        counts.documents = per_root.iter().map(|r| r.indexed).sum();
        counts.skipped = per_root.iter().map(|r| r.skipped).sum();
        let mut roots: Vec<RootView> = sources
            .iter()
            .map(|s| {
                let p = s.path.display().to_string();
                let c = per_root.iter().find(|r| r.root == p);
                RootView {
                    kind: s.kind,
                    documents: c.map_or(0, |c| c.indexed),
                    skipped: c.map_or(0, |c| c.skipped),
                    indexed_at: time(c.and_then(|c| c.indexed_at)),
                    path: p,
                }
            })
            .collect();
        for (root, kind) in [
            (TICKETS_ROOT, RootKind::Tickets),
            (PULL_REQUESTS_ROOT, RootKind::PullRequests),
        ] {
            if let Some(c) = per_root.iter().find(|r| r.root == root) {
                roots.push(RootView {
                    path: root.to_string(),
                    kind,
                    documents: c.indexed,
                    skipped: c.skipped,
                    indexed_at: time(c.indexed_at),
                });
            }
        }
        let skipped_files = kstore::skipped(store.conn(), 50)?
            .into_iter()
            .map(|d| SkippedView {
                root: d.root,
                path: d.path,
                note: d.note.unwrap_or_default(),
            })
            .collect();
        let note = match (&available, &pinned) {
            (Err(why), _) if why == LOADING => Some(format!("{why}; the index is being embedded")),
            (Err(why), _) => Some(format!("BM25 only: {why}")),
            (Ok(m), Some((p, _))) if m != p => Some(format!(
                "the index was embedded with {p}; it is re-embedded with {m} by `bosun index rebuild` or `bosun index watch`"
            )),
            _ if counts.embedded < counts.chunks => Some(format!(
                "{} of {} chunks have vectors; `bosun index watch` or `index add` embeds the rest",
                counts.embedded, counts.chunks
            )),
            _ => None,
        };
        Ok(IndexStatusView {
            documents: counts.documents,
            skipped: counts.skipped,
            chunks: counts.chunks,
            embedded: counts.embedded,
            model: pinned.map(|p| p.0),
            available_model: available.ok(),
            updated_at: time(counts.updated_at),
            roots,
            skipped_files,
            note,
        })
    }

    /// `bosun ask`: the best passages (file, lines, score, when indexed), who knows the topic, and
    /// nothing at all when no passage is confident enough.
    pub fn ask(&self, question: &str, limit: usize) -> Result<AskView> {
        if question.trim().is_empty() {
            return Err(AppError::InvalidInput(
                "ask what? The question is empty".into(),
            ));
        }
        let chars = question.chars().count();
        if chars > MAX_QUESTION_CHARS {
            return Err(AppError::InvalidInput(format!(
                "the question is {chars} characters long; ask in at most {MAX_QUESTION_CHARS}"
            )));
        }
        let store = self.store()?;
        let pinned = index::pinned_model(&store)?;
        let counts = kstore::counts(store.conn(), pinned.as_ref().map(|p| p.0.as_str()))?;
        let known = experts::known_names(&store)?;
        let params = Params::default();
        // The query vector, when the model that made the index's vectors is here.
        let (query_vector, note) = with_model(|m| match (m, &pinned) {
            (Err(why), _) => (None, Some(format!("BM25 only: {why}"))),
            (Ok(e), Some((id, dims))) if e.model_id() == id && e.dims() == *dims => {
                match e.embed(&[question.to_string()]) {
                    Ok(mut v) => (v.pop(), None),
                    Err(err) => (None, Some(format!("BM25 only: {err}"))),
                }
            }
            (Ok(e), Some((id, _))) => (
                None,
                Some(format!(
                    "BM25 only until the index, embedded with {id}, is re-embedded with {} (`bosun index rebuild` or `bosun index watch`)",
                    e.model_id()
                )),
            ),
            (Ok(_), None) => (None, Some("BM25 only: nothing is embedded yet".into())),
        });
        let vectors = match (&query_vector, &pinned) {
            (Some(_), Some((id, dims))) => Some(self.vectors(&store, id, *dims, &counts)?),
            _ => None,
        };
        if counts.documents == 0 {
            return Ok(AskView {
                question: question.to_string(),
                answers: Vec::new(),
                experts: Vec::new(),
                index: IndexInfo {
                    documents: 0,
                    chunks: 0,
                    model: pinned.map(|p| p.0),
                    updated_at: None,
                    mode: "bm25",
                    note: Some("nothing is indexed yet: run `bosun index add PATH`".into()),
                },
                best_score: None,
                threshold: params.threshold(Mode::Hybrid),
                refusal: Some("Nothing is indexed yet, so there is nothing to cite.".into()),
                written: None,
                written_note: None,
            });
        }
        let lexical = self.lexical(&store, &counts)?;
        let ctx = Context {
            known_names: known.clone(),
            calibration: match &vectors {
                Some(v) => self.calibration(&store, v, counts.chunks),
                None => None,
            },
        };
        let results = search::search(
            &store,
            &lexical,
            vectors.as_deref(),
            query_vector.as_deref(),
            question,
            Mode::Hybrid,
            &params,
            &ctx,
            limit.max(1),
        )?;
        let answers: Vec<&search::Hit> = results.answers();
        let cited: Vec<Cited<'_>> = answers
            .iter()
            .map(|h| Cited {
                root: &h.chunk.root,
                path: &h.chunk.path,
                text: &h.chunk.text,
            })
            .collect();
        let experts = if cited.is_empty() {
            Vec::new()
        } else {
            experts::experts(&store, question, &cited, &known, self.now(), 5)?
        };
        let refusal = answers.is_empty().then(|| refusal(&results));
        Ok(AskView {
            refusal,
            question: question.to_string(),
            answers: answers
                .iter()
                .map(|h| AnswerView {
                    file: h.chunk.path.clone(),
                    start_line: h.cite_start,
                    end_line: h.cite_end,
                    context_start_line: h.chunk.line_start,
                    context_end_line: h.chunk.line_end,
                    score: (h.score * 1000.0).round() / 1000.0,
                    text: h.chunk.text.clone(),
                    cited_text: bosun_knowledge::cite::cited_text(
                        &h.chunk,
                        h.cite_start,
                        h.cite_end,
                    ),
                    root: h.chunk.root.clone(),
                    heading: h.chunk.heading_path.clone(),
                    indexed_at: rfc3339(h.chunk.indexed_at),
                })
                .collect(),
            experts,
            index: IndexInfo {
                documents: counts.documents,
                chunks: counts.chunks,
                model: pinned.map(|p| p.0),
                updated_at: time(counts.updated_at),
                mode: results.mode.as_str(),
                note,
            },
            best_score: results.best_score.map(|s| (s * 1000.0).round() / 1000.0),
            threshold: results.threshold,
            written: None,
            written_note: None,
        })
    }

    /// The index's background similarity that sets the refusal gate (docs/knowledge.md#not-found):
    /// kept in `meta`, measured again with the model when another model made it or the index
    /// changed size by more than a fifth. None (the fixed gate) when it cannot be measured.
    fn calibration(
        &self,
        store: &Store,
        vectors: &VectorIndex,
        chunks: i64,
    ) -> Option<Calibration> {
        match Calibration::load(store, &vectors.model_id) {
            Ok(Some(c)) if c.fits(chunks) => return Some(c),
            Ok(_) => {}
            Err(e) => tracing::warn!("reading the refusal calibration: {e}"),
        }
        let measured = with_model(|m| match m {
            Ok(e) if e.model_id() == vectors.model_id => calibrate::measure(store, vectors, e),
            _ => Ok(None),
        });
        match measured {
            Ok(Some(c)) => {
                if let Err(e) = c.save(store) {
                    tracing::warn!("keeping the refusal calibration: {e}");
                }
                Some(c)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!("measuring the refusal calibration: {e}");
                None
            }
        }
    }

    fn lexical(
        &self,
        store: &Store,
        counts: &kstore::KnowledgeCounts,
    ) -> Result<std::sync::Arc<LexicalIndex>> {
        let key = (self.paths.database(), counts.clone());
        let mut cache = LEXICAL.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((k, v)) = &*cache
            && *k == key
        {
            return Ok(v.clone());
        }
        let v = std::sync::Arc::new(LexicalIndex::load(store)?);
        *cache = Some((key, v.clone()));
        Ok(v)
    }

    fn vectors(
        &self,
        store: &Store,
        model: &str,
        dims: usize,
        counts: &kstore::KnowledgeCounts,
    ) -> Result<std::sync::Arc<VectorIndex>> {
        let key = (self.paths.database(), model.to_string(), counts.clone());
        let mut cache = VECTORS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((k, v)) = &*cache
            && *k == key
        {
            return Ok(v.clone());
        }
        let v = std::sync::Arc::new(VectorIndex::load(store, model, dims)?);
        *cache = Some((key, v.clone()));
        Ok(v)
    }
}

/// Why a question gets no citation, from the number that decided it: the closest passage's
/// similarity in meaning (or its BM25 score without embeddings) against the bar, or, past that
/// bar, the best passage's score against the citation threshold.
fn refusal(r: &search::Results) -> String {
    let closeness = match r.mode {
        Mode::Bm25 => "word match (BM25)",
        Mode::Dense | Mode::Hybrid => "closeness in meaning",
    };
    match (r.confident, r.confidence, r.best_score) {
        (_, _, None) => "No passage shares a word or a meaning with the question.".into(),
        (false, Some(c), _) => format!(
            "Nothing in the docs answers this confidently: the closest passage's {closeness} is {c:.2}, and Bosun cites from {:.2} for these docs. It won't cite noise.",
            r.gate
        ),
        (false, None, _) => format!(
            "Nothing in the docs answers this confidently (Bosun cites from a {closeness} of {:.2}). It won't cite noise.",
            r.gate
        ),
        (true, _, Some(best)) => format!(
            "The question matches the docs, but no passage scores high enough to cite: the best scores {best:.2}, a citation needs {:.2}.",
            r.threshold
        ),
    }
}
