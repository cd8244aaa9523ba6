//! Knowledge benchmarks (not tests; `bench/knowledge.sh` runs them in a release build):
//!
//! - `throughput --docs DIR --copies N`: index N distinct copies of DIR through the whole pipeline
//!   (walk, hash, chunk, embed, write) and, in the same run, embed the very same chunk texts with
//!   fastembed directly; prints chunks/s for both and the pipeline's overhead.
//! - `latency --chunks N`: a store of N chunks (handbook text with varied words, unit vectors),
//!   then p50/p95 of hybrid search for the eval questions (query embedding timed separately).
//!
//! cargo run --release -p bosun-knowledge --example bench -- throughput --docs demo/docs --copies 4
//! cargo run --release -p bosun-knowledge --example bench -- latency --chunks 100000

#![allow(clippy::print_stdout, clippy::print_stderr)]

use bosun_knowledge::chunk;
use bosun_knowledge::embed::{self, Embedder};
use bosun_knowledge::eval::EvalSet;
use bosun_knowledge::files::{self, Filter, Loaded};
use bosun_knowledge::index::{self, Indexer, NoEvents};
use bosun_knowledge::lexical::LexicalIndex;
use bosun_knowledge::search::{self, Context, Mode, Params};
use bosun_knowledge::vectors::VectorIndex;
use bosun_store::Store;
use bosun_store::knowledge as kstore;
use std::path::{Path, PathBuf};
use std::time::Instant;

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    match args.first().map(String::as_str) {
        Some("throughput") => throughput(
            Path::new(&value("--docs").unwrap_or_else(|| "demo/docs".into())),
            value("--copies").map_or(Ok(4), |v| v.parse())?,
        ),
        Some("latency") => latency(
            value("--chunks").map_or(Ok(10_000), |v| v.parse())?,
            Path::new(&value("--questions").unwrap_or_else(|| "demo/eval/questions.toml".into())),
            Path::new(&value("--docs").unwrap_or_else(|| "demo/docs".into())),
        ),
        _ => Err(
            "usage: bench throughput [--docs DIR] [--copies N] | bench latency [--chunks N]".into(),
        ),
    }
}

/// Copy `src` into `dst` `copies` times, each copy's files made distinct by a trailing line.
fn make_corpus(src: &Path, dst: &Path, copies: usize) -> Result<(), Error> {
    for c in 0..copies {
        for e in files::walk(src, Filter::All)? {
            let to = dst.join(format!("copy{c}")).join(&e.rel);
            std::fs::create_dir_all(to.parent().ok_or("no parent")?)?;
            let mut text = std::fs::read_to_string(&e.abs)?;
            text.push_str(&format!("\nCopy {c}.\n"));
            std::fs::write(to, text)?;
        }
    }
    Ok(())
}

fn throughput(docs: &Path, copies: usize) -> Result<(), Error> {
    let tmp = tempfile::tempdir()?;
    let corpus = tmp.path().join("corpus");
    make_corpus(docs, &corpus, copies)?;
    let corpus = corpus.canonicalize()?;
    let mut model = embed::load_default().map_err(|e| e.to_string())?;
    // Warm the runtime so neither side pays the first-run cost.
    model.embed(&["warm up".to_string()])?;

    // The pipeline.
    let mut store = Store::open(&tmp.path().join("bench.db"))?;
    let t = Instant::now();
    let report = Indexer::new(&mut store, Some(&mut model), &NoEvents, 0)?
        .index_root(&corpus, Filter::All)?;
    let pipeline = t.elapsed().as_secs_f64();

    // fastembed alone, on the same texts (what the pipeline embedded), in the same batches.
    let mut texts = Vec::new();
    for e in files::walk(&corpus, Filter::All)? {
        let (loaded, _) = files::load(&e.abs, &e.rel, e.size)?;
        if let Loaded::Doc { kind, text } = loaded {
            let c = chunk::chunk(kind, &text);
            let title = c.title.clone().or_else(|| Some(e.rel.clone()));
            for ch in c.chunks {
                texts.push(index::embed_text(
                    title.as_deref(),
                    &ch.heading_path,
                    &ch.text,
                ));
            }
        }
    }
    let t = Instant::now();
    for batch in texts.chunks(index::EMBED_BATCH) {
        model.embed_raw(batch)?;
    }
    let raw = t.elapsed().as_secs_f64();
    // fastembed alone again, the texts sorted by length first (less padding: what the pipeline does).
    let mut sorted = texts.clone();
    sorted.sort_by_key(String::len);
    let t = Instant::now();
    for batch in sorted.chunks(index::EMBED_BATCH) {
        model.embed_raw(batch)?;
    }
    let raw_sorted = t.elapsed().as_secs_f64();
    let chunks = report.chunks_written as f64;
    println!(
        "corpus: {} files, {} chunks ({} copies of {})",
        report.files,
        report.chunks_written,
        copies,
        docs.display()
    );
    println!(
        "pipeline (walk, hash, chunk, embed, write): {pipeline:.1} s = {:.1} chunks/s",
        chunks / pipeline
    );
    println!(
        "fastembed alone on the same {} texts:      {raw:.1} s = {:.1} chunks/s",
        texts.len(),
        texts.len() as f64 / raw
    );
    println!(
        "fastembed alone, same texts sorted by length: {raw_sorted:.1} s = {:.1} chunks/s",
        texts.len() as f64 / raw_sorted
    );
    println!(
        "pipeline overhead: {:+.1}% against fastembed as called, {:+.1}% against fastembed on length-sorted batches",
        (pipeline / raw - 1.0) * 100.0,
        (pipeline / raw_sorted - 1.0) * 100.0
    );
    Ok(())
}

/// A deterministic PRNG (xorshift) for synthetic data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn f32(&mut self) -> f32 {
        (self.next() % 2_000_001) as f32 / 1_000_000.0 - 1.0
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn latency(n: usize, questions: &Path, docs: &Path) -> Result<(), Error> {
    let tmp = tempfile::tempdir()?;
    let mut store = Store::open(&tmp.path().join("bench.db"))?;
    // Real handbook chunks as the text pool; each synthetic chunk mixes two of them and a few
    // random words so FTS postings look like a big wiki's.
    let mut pool = Vec::new();
    for e in files::walk(docs, Filter::All)? {
        if let (Loaded::Doc { kind, text }, _) = files::load(&e.abs, &e.rel, e.size)? {
            for c in chunk::chunk(kind, &text).chunks {
                pool.push((c.heading_path, c.text));
            }
        }
    }
    let words: Vec<String> = pool
        .iter()
        .flat_map(|(_, t)| t.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let model_id = embed::MINILM_ID;
    let dims = embed::MINILM_DIMS;
    let t = Instant::now();
    let tx = store.begin()?;
    let per_doc = 20;
    for d in 0..n.div_ceil(per_doc) {
        let path = format!("synthetic/{d:06}.md");
        let doc = kstore::put_document(
            &tx,
            &kstore::NewDocument {
                root: "/bench",
                path: &path,
                kind: "markdown",
                title: Some("synthetic"),
                content_hash: &format!("{d}"),
                size: 1,
                mtime: None,
                indexed_at: 0,
                status: "indexed",
                note: None,
            },
        )?;
        for o in 0..per_doc.min(n - d * per_doc) {
            let (h, a) = &pool[(rng.next() % pool.len() as u64) as usize];
            let (_, b) = &pool[(rng.next() % pool.len() as u64) as usize];
            let extra: Vec<&str> = (0..20)
                .map(|_| words[(rng.next() % words.len() as u64) as usize].as_str())
                .collect();
            let cut = (0..=b.len().min(400))
                .rev()
                .find(|&i| b.is_char_boundary(i))
                .unwrap_or(0);
            let text = format!("{a}\n{}\n{}", &b[..cut], extra.join(" "));
            let id = kstore::insert_chunk(
                &tx,
                doc,
                &kstore::NewChunk {
                    ordinal: o as i64,
                    heading_path: h,
                    text: &text,
                    byte_start: 0,
                    byte_end: text.len() as i64,
                    line_start: 1,
                    line_end: 1,
                    token_estimate: 300,
                },
            )?;
            let mut v: Vec<f32> = (0..dims).map(|_| rng.f32()).collect();
            embed::normalize(&mut v);
            kstore::put_embedding(&tx, id, model_id, &v)?;
        }
    }
    tx.commit()?;
    kstore::set_setting(store.conn(), "model", model_id)?;
    kstore::set_setting(store.conn(), "dims", &dims.to_string())?;
    let build = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let vectors = VectorIndex::load(&store, model_id, dims)?;
    let load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let lexical = LexicalIndex::load(&store)?;
    let lexical_load = t.elapsed().as_secs_f64();
    let set = EvalSet::load(questions)?;
    let mut model = embed::load_default().map_err(|e| e.to_string())?;
    let qs: Vec<String> = set.questions.iter().map(|q| q.question.clone()).collect();
    let mut embed_ms = Vec::new();
    let mut qv = Vec::new();
    for q in &qs {
        let t = Instant::now();
        qv.push(
            model
                .embed(std::slice::from_ref(q))?
                .pop()
                .ok_or("no vector")?,
        );
        embed_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let params = Params::default();
    let ctx = Context::default();
    let mut search_ms = Vec::new();
    for round in 0..4 {
        for (q, v) in qs.iter().zip(&qv) {
            let t = Instant::now();
            let r = search::search(
                &store,
                &lexical,
                Some(&vectors),
                Some(v),
                q,
                Mode::Hybrid,
                &params,
                &ctx,
                5,
            )?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if round > 0 {
                search_ms.push(ms);
            }
            std::hint::black_box(r);
        }
    }
    // The two sides alone, to see where the time goes.
    let (mut lexical_ms, mut dense_ms) = (Vec::new(), Vec::new());
    for (q, v) in qs.iter().zip(&qv) {
        let t = Instant::now();
        std::hint::black_box(
            lexical
                .score(&bosun_knowledge::lexical::query_stems(q))
                .top(50),
        );
        lexical_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        std::hint::black_box(vectors.top_k(v, 50));
        dense_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    lexical_ms.sort_by(f64::total_cmp);
    dense_ms.sort_by(f64::total_cmp);
    println!(
        "  of which BM25 p50 {:.1} ms, p95 {:.1} ms; dense scan p50 {:.1} ms, p95 {:.1} ms",
        percentile(&lexical_ms, 0.5),
        percentile(&lexical_ms, 0.95),
        percentile(&dense_ms, 0.5),
        percentile(&dense_ms, 0.95)
    );
    search_ms.sort_by(f64::total_cmp);
    embed_ms.sort_by(f64::total_cmp);
    let total: Vec<f64> = {
        let mut t: Vec<f64> = search_ms
            .iter()
            .map(|s| s + percentile(&embed_ms, 0.5))
            .collect();
        t.sort_by(f64::total_cmp);
        t
    };
    println!(
        "{n} chunks (built in {build:.1} s; vectors loaded in {:.0} ms, {:.0} MB; BM25 index built in {:.0} ms, {:.0} MB)",
        load * 1000.0,
        (vectors.len() * dims * 4) as f64 / 1e6,
        lexical_load * 1000.0,
        lexical.heap_bytes() as f64 / 1e6
    );
    println!(
        "hybrid search: p50 {:.1} ms, p95 {:.1} ms over {} queries; query embedding p50 {:.1} ms, p95 {:.1} ms; together p95 {:.1} ms",
        percentile(&search_ms, 0.5),
        percentile(&search_ms, 0.95),
        search_ms.len(),
        percentile(&embed_ms, 0.5),
        percentile(&embed_ms, 0.95),
        percentile(&total, 0.95)
    );
    let _ = PathBuf::new();
    Ok(())
}
