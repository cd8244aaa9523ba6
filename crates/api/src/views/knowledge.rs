//! Ask: answers from the team's docs with citations, and the cited file at its lines.

use crate::error::Result;
use crate::state::Api;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct AskArgs {
    pub question: String,
    /// At most this many passages [default 5].
    pub limit: Option<u32>,
    /// Also have the configured language model write a short answer from the cited passages
    /// (`[llm] enabled` does it always).
    pub write: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Citation {
    /// Relative to `root`; for tickets and pull requests, their key (`owner/repo#123`).
    pub file: String,
    pub root: String,
    /// The lines that answer (1-based, inclusive).
    pub start_line: i64,
    pub end_line: i64,
    /// The whole passage they are in (the context; `text` is its text).
    pub context_start_line: i64,
    pub context_end_line: i64,
    pub score: f32,
    pub heading: String,
    /// The whole passage's text.
    pub text: String,
    /// What the cited lines say.
    pub cited_text: String,
    pub indexed_at: String,
    /// The file can be opened at its lines (a file under an indexed folder).
    pub openable: bool,
    /// For a ticket or a pull request: its page at the provider.
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExpertView {
    pub name: String,
    pub team: Option<String>,
    pub score: f64,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Answer {
    pub question: String,
    /// Empty when nothing in the docs answers it (Bosun says so instead of citing noise).
    pub citations: Vec<Citation>,
    pub experts: Vec<ExpertView>,
    pub documents: i64,
    pub chunks: i64,
    /// hybrid, or bm25 (no embedding model).
    pub mode: String,
    pub note: Option<String>,
    pub index_updated_at: Option<String>,
    pub best_score: Option<f32>,
    pub threshold: f32,
    /// Why nothing is cited, in words, from the numbers that decided it.
    pub refusal: Option<String>,
    /// The language model's answer from the cited passages, grounded: each sentence names the
    /// citations (1-based) it rests on.
    pub written: Option<bosun_app::written_answer::WrittenAnswer>,
    /// Why there is no written answer, when one was asked for.
    pub written_note: Option<String>,
}

pub fn ask(api: &Api, args: AskArgs) -> Result<Answer> {
    api.ready()?;
    let app = api.app();
    let limit = args.limit.unwrap_or(5).clamp(1, 20) as usize;
    let mut v = app.ask(&args.question, limit)?;
    if args.write || app.config.llm.enabled {
        tokio::runtime::Handle::current().block_on(app.write_answer(&mut v))?;
    }
    let store = app.store()?;
    // A cited ticket or pull request links to its page (`TIDE-12`, `owner/repo#123`).
    let page = |root: &str, file: &str| -> Result<Option<String>> {
        Ok(match root {
            bosun_app::knowledge::TICKETS_ROOT => {
                bosun_store::links::ticket_page(store.conn(), file)?
            }
            bosun_app::knowledge::PULL_REQUESTS_ROOT => match file
                .rsplit_once('#')
                .and_then(|(repo, n)| Some((repo, n.parse::<i64>().ok()?)))
            {
                Some((repo, n)) => bosun_store::links::pull_request_page(store.conn(), repo, n)?,
                None => None,
            },
            _ => None,
        })
    };
    let urls: Vec<Option<String>> = v
        .answers
        .iter()
        .map(|a| page(&a.root, &a.file))
        .collect::<Result<_>>()?;
    Ok(Answer {
        written: v.written,
        written_note: v.written_note,
        refusal: v.refusal,
        question: v.question,
        citations: v
            .answers
            .into_iter()
            .zip(urls)
            .map(|(a, url)| Citation {
                url,
                openable: !a.root.starts_with("store:"),
                file: a.file,
                root: a.root,
                start_line: a.start_line,
                end_line: a.end_line,
                context_start_line: a.context_start_line,
                context_end_line: a.context_end_line,
                score: a.score,
                heading: a.heading,
                text: a.text,
                cited_text: a.cited_text,
                indexed_at: a.indexed_at,
            })
            .collect(),
        experts: v
            .experts
            .into_iter()
            .map(|e| ExpertView {
                name: e.name,
                team: e.team,
                score: e.score,
                reasons: e.reasons,
            })
            .collect(),
        documents: v.index.documents,
        chunks: v.index.chunks,
        mode: v.index.mode.to_string(),
        note: v.index.note,
        index_updated_at: v.index.updated_at,
        best_score: v.best_score,
        threshold: v.threshold,
    })
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct DocArgs {
    pub root: String,
    pub file: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DocView {
    pub root: String,
    pub file: String,
    pub path: String,
    /// The file's lines (line 1 first).
    pub lines: Vec<String>,
}

/// A cited file, read only when the index stored it as a document (see `App::read_document`):
/// missing and forbidden files fail alike with `not_found`.
pub fn doc(api: &Api, args: DocArgs) -> Result<DocView> {
    api.ready()?;
    let d = api.app().read_document(&args.root, &args.file)?;
    Ok(DocView {
        root: args.root,
        file: args.file,
        path: d.path.display().to_string(),
        lines: d.text.lines().map(str::to_string).collect(),
    })
}
