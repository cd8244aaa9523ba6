//! The retrieval eval: index a corpus with the real model, then score BM25 only, dense only and
//! hybrid on an eval set. `bench/knowledge-eval.sh` runs it on both corpora.
//!
//! cargo run --release -p bosun-knowledge --example eval -- --questions demo/eval/questions.toml \
//!     [--docs DIR] [--db FILE] [--tune] [--fails] [--json] [--fixed-gate] [--outcomes FILE]
//!
//! `--before` uses the fixed gate and cites whole passages (the rules before calibration and
//! line citations); `--fixed-gate` answers by the fixed cosine bar instead of the index's calibration;
//! `--outcomes FILE` appends one JSON line per question (hybrid) for looking into the numbers.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use bosun_knowledge::calibrate;
use bosun_knowledge::embed::{self, Embedder};
use bosun_knowledge::eval::{self, EvalSet};
use bosun_knowledge::files::Filter;
use bosun_knowledge::index::{Indexer, NoEvents};
use bosun_knowledge::lexical::LexicalIndex;
use bosun_knowledge::search::{Context, Mode, Params};
use bosun_knowledge::vectors::VectorIndex;
use bosun_store::Store;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let questions = PathBuf::from(value("--questions").ok_or("--questions FILE is required")?);
    let set = EvalSet::load(&questions)?;
    let docs = value("--docs")
        .or(set.corpus.clone())
        .ok_or("--docs DIR is required (or `corpus` in the eval set)")?;
    // A corpus restricted to some files is copied into a private folder first (next to `--db`
    // when one is kept, so that a second run finds the same root and embeds nothing again).
    let tmp = tempfile::tempdir()?;
    let db = value("--db").map_or_else(|| tmp.path().join("eval.db"), PathBuf::from);
    let root = if set.files.is_empty() {
        std::fs::canonicalize(&docs)?
    } else {
        let copy = if value("--db").is_some() {
            db.with_extension("corpus")
        } else {
            tmp.path().join("corpus")
        };
        for f in &set.files {
            let to = copy.join(f);
            std::fs::create_dir_all(to.parent().unwrap_or(tmp.path()))?;
            std::fs::copy(PathBuf::from(&docs).join(f), &to)?;
        }
        std::fs::canonicalize(copy)?
    };
    let mut store = Store::open(&db)?;
    let mut model = embed::load_default()?;
    let started = std::time::Instant::now();
    let report = {
        let mut indexer = Indexer::new(&mut store, Some(&mut model), &NoEvents, 0)?;
        indexer.index_root(&root, Filter::All)?
    };
    eprintln!(
        "indexed {} ({} files, {} chunks written, {} embedded) in {:.1}s",
        root.display(),
        report.files,
        report.chunks_written,
        report.embedded,
        started.elapsed().as_secs_f64()
    );
    let vectors = VectorIndex::load(&store, model.model_id(), model.dims())?;
    let lexical = LexicalIndex::load(&store)?;
    let qv = eval::embed_questions(&set, &mut model)?;
    // The index's own background (docs/knowledge.md#not-found); `--fixed-gate` uses the fixed bar.
    let started = std::time::Instant::now();
    let calibration = if flag("--fixed-gate") || flag("--before") {
        None
    } else {
        calibrate::measure(&store, &vectors, &mut model)?
    };
    if let Some(c) = &calibration {
        eprintln!(
            "calibration: {} pseudo-questions in {:.1}s, null cosine p50 {:.3} p90 {:.3}, gate {:?}",
            c.null_dense.len(),
            started.elapsed().as_secs_f64(),
            c.quantile(0.5).unwrap_or(0.0),
            c.quantile(0.9).unwrap_or(0.0),
            c.gate()
        );
    }
    let ctx = Context {
        calibration,
        ..Context::default()
    };
    // `--before`: the rules before issue 18 (fixed gate, whole passages cited).
    let params = Params {
        cite_lines: !flag("--before"),
        ..Params::default()
    };
    if flag("--tune") {
        let mut grid = Vec::new();
        for w in [0.2, 0.3, 0.4, 0.5, 0.6, 0.7] {
            for k in [2.0, 4.0, 6.0, 8.0, 12.0, 20.0] {
                let p = Params {
                    dense_weight: w,
                    bm25_k: k,
                    ..params
                };
                let (s, _) = eval::evaluate(
                    &store,
                    &lexical,
                    Some(&vectors),
                    Some(&qv),
                    &set,
                    Mode::Hybrid,
                    &p,
                    &ctx,
                )?;
                grid.push((s.mrr + s.recall_at_1 + s.span_accuracy, w, k, s));
            }
        }
        grid.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (o, w, k, s) in grid.iter().take(12) {
            println!(
                "w={w:.1} k={k:>4}  objective={o:.3} r@1={:.3} r@5={:.3} mrr={:.3} span={:.3}",
                s.recall_at_1, s.recall_at_5, s.mrr, s.span_accuracy
            );
        }
        // Thresholds for the default weights: rejected unanswerable vs rejected answerable.
        for mode in [Mode::Bm25, Mode::Dense, Mode::Hybrid] {
            let p = if mode == Mode::Hybrid {
                params
            } else {
                Params {
                    identifier_boost: 0.0,
                    ..params
                }
            };
            let (_, outs) = eval::evaluate(
                &store,
                &lexical,
                Some(&vectors),
                Some(&qv),
                &set,
                mode,
                &p,
                &ctx,
            )?;
            let mut line = format!("{:<7}", mode.as_str());
            for t in [0.15f32, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55] {
                let (mut rej, mut una, mut frej, mut ans) = (0, 0, 0, 0);
                for (q, o) in set.questions.iter().zip(&outs) {
                    let below = o.confidence.is_none_or(|s| s < t) && !o.named;
                    if q.answerable {
                        ans += 1;
                        frej += below as usize
                    } else {
                        una += 1;
                        rej += below as usize
                    }
                }
                line.push_str(&format!("  t={t:.2}: {rej}/{una} rej, {frej}/{ans} false"));
            }
            println!("{line}");
        }
        return Ok(());
    }
    let mut all = Vec::new();
    for mode in [Mode::Bm25, Mode::Dense, Mode::Hybrid] {
        let p = match mode {
            // The single methods are the plain baselines: no identifier boost.
            Mode::Bm25 | Mode::Dense => Params {
                identifier_boost: 0.0,
                ..params
            },
            Mode::Hybrid => params,
        };
        let (scores, outcomes) = eval::evaluate(
            &store,
            &lexical,
            Some(&vectors),
            Some(&qv),
            &set,
            mode,
            &p,
            &ctx,
        )?;
        if let Some(path) = value("--outcomes")
            && mode == Mode::Hybrid
        {
            let mut lines = String::new();
            for (q, o) in set.questions.iter().zip(&outcomes) {
                let mut v = serde_json::to_value(o)?;
                v["answerable"] = q.answerable.into();
                v["set"] = questions.display().to_string().into();
                v["null_percentile"] = ctx
                    .calibration
                    .as_ref()
                    .zip(o.confidence)
                    .map(|(c, x)| c.percentile(x))
                    .into();
                lines.push_str(&v.to_string());
                lines.push('\n');
            }
            use std::io::Write;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?
                .write_all(lines.as_bytes())?;
        }
        if flag("--fails") {
            for (q, o) in set.questions.iter().zip(&outcomes) {
                let bad = if q.answerable {
                    o.rank != Some(1) || o.span_precision < 0.5 || !o.answered
                } else {
                    o.answered
                };
                if bad {
                    println!(
                        "{:<7} {:<4} rank={:?} answered={} prec={:.2} best={:.3} conf={:.3} top={} gold={}:{}-{}  {}",
                        mode.as_str(),
                        q.id,
                        o.rank,
                        o.answered,
                        o.span_precision,
                        o.best_score.unwrap_or(0.0),
                        o.confidence.unwrap_or(0.0),
                        o.top.as_deref().unwrap_or("-"),
                        q.file.as_deref().unwrap_or("-"),
                        q.start_line.unwrap_or(0),
                        q.end_line.unwrap_or(0),
                        q.question
                    );
                }
            }
        }
        all.push(scores);
    }
    if flag("--json") {
        println!("{}", serde_json::to_string_pretty(&all)?);
    } else {
        println!(
            "{} [{}] ({} questions, {} unanswerable; {} chunks)",
            questions.display(),
            set.role.as_deref().unwrap_or("tuned"),
            set.questions.len(),
            all[0].unanswerable,
            lexical.len()
        );
        print!("{}", eval::table(&all));
    }
    Ok(())
}
