//! `bosun index …` and `bosun ask …`: arguments, progress and printing. The work is the app
//! service's (`bosun_app::knowledge`).

use bosun_app::App;
use bosun_app::knowledge::bosun_knowledge::index::IndexSink;
use bosun_app::knowledge::{AskView, IndexEvent, IndexOutcome, IndexStatusView};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Index a folder of docs (Markdown, text, HTML) and keep it in the index; re-running it
    /// re-indexes only what changed. Repository docs of git sources, tickets and pull requests
    /// from the store are refreshed too.
    Add {
        /// The folder.
        path: PathBuf,
    },
    /// What is indexed: documents, chunks, the embedding model, each folder, skipped files.
    Status,
    /// Drop the index and build it again from every folder and source.
    Rebuild,
    /// Keep the index live: re-index files as they change (Ctrl-C to stop).
    Watch,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The question, e.g. "who decides the severity during an incident?".
    #[arg(required = true, num_args = 1..)]
    pub question: Vec<String>,
    /// At most this many passages.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// Also have the configured language model write a one-to-three-sentence answer from the
    /// cited passages, each sentence marked with the passage it rests on; discarded when it is
    /// not grounded (`[llm] enabled` does it always).
    #[arg(long, conflicts_with = "no_write")]
    pub write: bool,
    /// Never call a language model for this question.
    #[arg(long)]
    pub no_write: bool,
}

/// Indexing progress on stderr (hidden when stderr is not a terminal).
struct Progress {
    bar: ProgressBar,
}

impl Progress {
    fn new() -> Progress {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{prefix:>12} {bar:30} {pos:>5}/{len:<5} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Progress { bar }
    }
}

fn eta(secs: Option<f64>) -> String {
    match secs {
        Some(s) if s >= 60.0 => format!("ETA {}m{:02}s", (s / 60.0) as u64, (s % 60.0) as u64),
        Some(s) => format!("ETA {s:.0}s"),
        None => String::new(),
    }
}

impl IndexSink for Progress {
    fn event(&self, e: &IndexEvent) {
        match e {
            IndexEvent::Started { files, .. } => {
                self.bar.set_prefix("indexing");
                self.bar.set_length(*files as u64);
                self.bar.set_position(0);
            }
            IndexEvent::Progress {
                files_done,
                chunks,
                eta_secs,
                ..
            } => {
                self.bar.set_position(*files_done as u64);
                self.bar
                    .set_message(format!("{chunks} chunks {}", eta(*eta_secs)));
            }
            IndexEvent::Embedding {
                done,
                total,
                eta_secs,
            } => {
                self.bar.set_prefix("embedding");
                self.bar.set_length(*total as u64);
                self.bar.set_position(*done as u64);
                self.bar.set_message(eta(*eta_secs));
            }
            IndexEvent::Skipped { path, note, .. } => {
                self.bar.println(format!("skipped {path}: {note}"));
            }
            IndexEvent::Removed { .. } => {}
        }
    }
}

fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    #[allow(clippy::print_stdout)]
    {
        println!("{}", serde_json::to_string_pretty(v)?);
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_outcome(o: &IndexOutcome) {
    let r = &o.report;
    let mut line = format!(
        "{}: {} files — {} new or changed, {} unchanged, {} skipped, {} removed; {} chunks written, {} embedded",
        o.root, r.files, r.indexed, r.unchanged, r.skipped, r.removed, r.chunks_written, r.embedded
    );
    if r.reused_vectors > 0 {
        line.push_str(&format!(", {} vectors reused", r.reused_vectors));
    }
    line.push_str(&format!(" ({:.1}s)", r.elapsed_secs));
    println!("{line}");
    if r.bm25_only {
        println!(
            "  BM25 only: no embedding model (run scripts/models); search still works, by keywords"
        );
    }
    if let Some(old) = &r.model_changed_from {
        println!("  the embedding model changed (was {old}): every chunk was re-embedded");
    }
    if r.cancelled {
        println!("  interrupted: run it again to finish (finished files are kept)");
    }
}

pub fn index(app: &App, cmd: IndexCommand, json: bool) -> anyhow::Result<()> {
    match cmd {
        IndexCommand::Add { path } => {
            let progress = Progress::new();
            let outcomes = app.index_add(&path, &progress)?;
            progress.bar.finish_and_clear();
            if json {
                print_json(
                    &serde_json::json!({ "indexed": outcomes, "status": app.index_status()? }),
                )?;
            } else {
                outcomes.iter().for_each(print_outcome);
            }
        }
        IndexCommand::Rebuild => {
            let progress = Progress::new();
            let outcomes = app.index_rebuild(&progress)?;
            progress.bar.finish_and_clear();
            if json {
                print_json(
                    &serde_json::json!({ "indexed": outcomes, "status": app.index_status()? }),
                )?;
            } else {
                outcomes.iter().for_each(print_outcome);
            }
        }
        IndexCommand::Status => {
            let s = app.index_status()?;
            if json {
                print_json(&s)?;
            } else {
                print_status(&s);
            }
        }
        IndexCommand::Watch => {
            let stop = Arc::new(AtomicBool::new(false));
            let flag = stop.clone();
            // One worker thread waits for Ctrl-C while the watcher blocks this one.
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()?;
            rt.spawn(async move {
                tokio::signal::ctrl_c().await.ok();
                flag.store(true, Ordering::Relaxed);
            });
            #[allow(clippy::print_stderr)]
            {
                eprintln!("Watching the indexed folders; Ctrl-C to stop.");
            }
            let progress = Progress::new();
            // A change that cannot be written as JSON stops the watch with that error.
            let mut failed = None;
            app.index_watch(&progress, &stop, |o| {
                if json {
                    match serde_json::to_string(o) {
                        #[allow(clippy::print_stdout)]
                        Ok(line) => println!("{line}"),
                        Err(e) => {
                            failed.get_or_insert(e);
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                } else if o.report.indexed + o.report.removed + o.report.skipped > 0 {
                    print_outcome(o);
                }
            })?;
            if let Some(e) = failed {
                return Err(e.into());
            }
        }
    }
    Ok(())
}

pub fn ask(app: &App, args: AskArgs, json: bool) -> anyhow::Result<()> {
    let question = args.question.join(" ");
    let mut view = app.ask(&question, args.limit)?;
    if !args.no_write && (args.write || app.config.llm.enabled) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(app.write_answer(&mut view))?;
        if let Some(why) = &view.written_note {
            eprintln!("note: no written answer ({why})");
        }
    }
    if json {
        print_json(&view)?;
    } else {
        print_answer(&view);
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_answer(v: &AskView) {
    let how = match (v.index.mode, &v.index.model) {
        ("hybrid", Some(m)) => format!("hybrid search: BM25 + {m}"),
        _ => "BM25 only".to_string(),
    };
    if v.answers.is_empty() {
        if v.index.documents == 0 {
            println!("Nothing is indexed yet: run `bosun index add PATH` first.");
        } else {
            println!(
                "Found nothing in the indexed docs that answers this ({} documents searched, {how}). {}",
                v.index.documents,
                v.refusal.as_deref().unwrap_or_default()
            );
        }
    } else {
        if let Some(w) = &v.written {
            println!("{}", w.text);
            println!(
                "(written by {} from the passages below; check them)",
                w.model
            );
            println!();
        }
        println!("{} passage(s), {how}:", v.answers.len());
        for (i, a) in v.answers.iter().enumerate() {
            println!();
            let root = if a.root.starts_with("store:") {
                String::new()
            } else {
                format!("  [{}]", a.root)
            };
            println!(
                "{}. {}:{}-{}  score {:.2}  (indexed {}){root}",
                i + 1,
                a.file,
                a.start_line,
                a.end_line,
                a.score,
                a.indexed_at
            );
            if !a.heading.is_empty() {
                println!("   § {}", a.heading);
            }
            let lines: Vec<&str> = a
                .cited_text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect();
            for l in lines.iter().take(8) {
                println!("   │ {l}");
            }
            if lines.len() > 8 {
                println!("   │ … ({} more lines)", lines.len() - 8);
            }
            if (a.context_start_line, a.context_end_line) != (a.start_line, a.end_line) {
                println!(
                    "   (in the passage {}-{})",
                    a.context_start_line, a.context_end_line
                );
            }
        }
        if !v.experts.is_empty() {
            println!();
            println!("Who knows this:");
            for e in &v.experts {
                let team = e
                    .team
                    .as_deref()
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default();
                println!("  {}{team} — {}", e.name, e.reasons.join("; "));
            }
        }
    }
    if let Some(n) = &v.index.note {
        println!();
        println!("Note: {n}");
    }
}

#[allow(clippy::print_stdout)]
fn print_status(s: &IndexStatusView) {
    println!(
        "Index     {} documents, {} chunks ({} with vectors), {} skipped files",
        s.documents, s.chunks, s.embedded, s.skipped
    );
    println!(
        "Model     {}",
        match (&s.model, &s.available_model) {
            (Some(m), _) => m.clone(),
            (None, Some(a)) => format!("none pinned yet ({a} available)"),
            (None, None) => "none: BM25 only".into(),
        }
    );
    println!("Updated   {}", s.updated_at.as_deref().unwrap_or("never"));
    if !s.roots.is_empty() {
        println!("Sources");
        for r in &s.roots {
            println!(
                "  {:<13} {}  {} documents, {} skipped, indexed {}",
                r.kind,
                r.path,
                r.documents,
                r.skipped,
                r.indexed_at.as_deref().unwrap_or("never")
            );
        }
    }
    if !s.skipped_files.is_empty() {
        println!("Skipped");
        for f in &s.skipped_files {
            println!("  {}/{}: {}", f.root, f.path, f.note);
        }
    }
    if let Some(n) = &s.note {
        println!("Note      {n}");
    }
}
