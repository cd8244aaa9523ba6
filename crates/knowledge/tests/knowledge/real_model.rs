//! With the real model (int8 all-MiniLM-L6-v2 on ONNX Runtime, cached by `scripts/models`, which
//! `scripts/setup` runs): hybrid retrieval on the demo handbook beats both single methods, cites
//! the gold lines, and refuses questions the handbook does not answer.

use crate::support::*;
use bosun_knowledge::calibrate;
use bosun_knowledge::embed::{self, Embedder, MiniLm};
use bosun_knowledge::eval::{self, EvalSet};
use bosun_knowledge::files::Filter;
use bosun_knowledge::index::{Indexer, NoEvents};
use bosun_knowledge::lexical::LexicalIndex;
use bosun_knowledge::search::{self, Context, Mode, Params};
use bosun_knowledge::vectors::VectorIndex;
use bosun_store::Store;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

struct Indexed {
    store: Store,
    model: MiniLm,
    vectors: VectorIndex,
    lexical: LexicalIndex,
}

fn shared() -> std::sync::MutexGuard<'static, Indexed> {
    static CELL: OnceLock<Mutex<Indexed>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut model = embed::load_default().unwrap_or_else(|e| {
            panic!("the embedding model is needed for these tests: {e}. Run scripts/setup (or scripts/models).")
        });
        let mut store = Store::open_in_memory().unwrap();
        Indexer::new(&mut store, Some(&mut model), &NoEvents, 1)
            .unwrap()
            .index_root(&demo_docs(), Filter::All)
            .unwrap();
        let vectors = VectorIndex::load(&store, model.model_id(), model.dims()).unwrap();
        let lexical = LexicalIndex::load(&store).unwrap();
        Mutex::new(Indexed {
            store,
            model,
            vectors,
            lexical,
        })
    })
    .lock()
    .unwrap_or_else(|e| e.into_inner())
}

fn ask(ix: &mut Indexed, q: &str) -> search::Results {
    let qv = ix.model.embed(&[q.to_string()]).unwrap().pop().unwrap();
    search::search(
        &ix.store,
        &ix.lexical,
        Some(&ix.vectors),
        Some(&qv),
        q,
        Mode::Hybrid,
        &Params::default(),
        &Context::default(),
        5,
    )
    .unwrap()
}

#[test]
fn hybrid_beats_bm25_and_dense_on_the_demo_eval_set_and_cites_the_gold_lines() {
    let mut ix = shared();
    let set = EvalSet::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/eval/questions.toml"),
    )
    .unwrap();
    assert!(set.questions.len() >= 40);
    let qv = eval::embed_questions(&set, &mut ix.model).unwrap();
    let p = Params::default();
    let baseline = Params {
        identifier_boost: 0.0,
        ..p
    };
    let score = |mode, params: &Params| {
        eval::evaluate(
            &ix.store,
            &ix.lexical,
            Some(&ix.vectors),
            Some(&qv),
            &set,
            mode,
            params,
            &Context::default(),
        )
        .unwrap()
        .0
    };
    let bm25 = score(Mode::Bm25, &baseline);
    let dense = score(Mode::Dense, &baseline);
    let hybrid = score(Mode::Hybrid, &p);
    let table = eval::table(&[bm25.clone(), dense.clone(), hybrid.clone()]);
    for single in [&bm25, &dense] {
        assert!(hybrid.mrr > single.mrr, "{table}");
        assert!(hybrid.recall_at_1 > single.recall_at_1, "{table}");
        assert!(hybrid.recall_at_5 >= single.recall_at_5, "{table}");
    }
    assert!(hybrid.recall_at_5 >= 0.9, "{table}");
    // Passage level (whole chunks cited): hybrid finds the gold lines most often.
    let whole = |mode, params: &Params| {
        score(
            mode,
            &Params {
                cite_lines: false,
                ..*params
            },
        )
    };
    let (bm25_whole, dense_whole, hybrid_whole) = (
        whole(Mode::Bm25, &baseline),
        whole(Mode::Dense, &baseline),
        whole(Mode::Hybrid, &p),
    );
    assert!(
        hybrid_whole.span_accuracy > bm25_whole.span_accuracy
            && hybrid_whole.span_accuracy >= dense_whole.span_accuracy,
        "{}",
        eval::table(&[bm25_whole, dense_whole, hybrid_whole.clone()])
    );
    // Citing the paragraph that answers instead of the chunk: far fewer lines that are not the
    // answer, for a small loss of questions whose gold lines are touched at all.
    assert!(
        hybrid.span_precision >= hybrid_whole.span_precision + 0.1,
        "{table} vs whole chunks {:.3}",
        hybrid_whole.span_precision
    );
    assert!(
        hybrid.span_accuracy >= hybrid_whole.span_accuracy - 0.1,
        "{table} vs whole chunks {:.3}",
        hybrid_whole.span_accuracy
    );
    assert!(hybrid.rejection_rate >= 0.6, "{table}");
    assert!(hybrid.false_rejection_rate <= 0.15, "{table}");

    // The gold citation, and refusals, through the same search `ask` runs.

    let res = ask(&mut ix, "who decides the severity during an incident?");
    let hit = res.answers()[0];
    let top = &hit.chunk;
    assert_eq!(top.path, "incidents/incident-process.md");
    assert!(
        top.line_start <= 35 && top.line_end >= 38,
        "{}-{}",
        top.line_start,
        top.line_end
    );
    // The cited lines are the paragraph that answers, inside that passage.
    assert_eq!((hit.cite_start, hit.cite_end), (35, 38));
    for q in [
        "What is the parental leave policy?",
        "What is the salary band for a Senior Engineer?",
    ] {
        let res = ask(&mut ix, q);
        assert!(
            res.answers().is_empty(),
            "{q}: {:?}",
            res.answers()
                .iter()
                .map(|h| (&h.chunk.path, h.score))
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn long_texts_are_embedded_whole_in_windows() {
    let mut model = embed::load_default().unwrap_or_else(|e| panic!("{e}: run scripts/setup"));
    let filler = "The quarterly planning meeting covers roadmap items and staffing. ".repeat(40);
    let tail = "Rotate the signing key of the authentication service every ninety days.";
    let long = format!("{filler}{tail}");
    let v = model
        .embed(&[long.clone(), tail.to_string(), filler.clone()])
        .unwrap();
    assert_eq!(v[0].len(), 384);
    let norm: f32 = v[0].iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-3);
    let sim = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    // The tail (beyond the model's 256-token window) still shapes the vector.
    assert!(
        sim(&v[0], &v[1]) > sim(&v[2], &v[1]) + 0.02,
        "{} vs {}",
        sim(&v[0], &v[1]),
        sim(&v[2], &v[1])
    );
}

#[test]
fn the_handbook_calibrates_its_own_gate_from_questions_answered_elsewhere() {
    let mut ix = shared();
    let ix = &mut *ix;
    let cal = calibrate::measure(&ix.store, &ix.vectors, &mut ix.model)
        .unwrap()
        .expect("the handbook has vectors");
    assert_eq!(cal.model, ix.model.model_id());
    assert!(cal.null_dense.len() >= calibrate::MIN_SAMPLES, "{cal:?}");
    assert!(cal.null_dense.is_sorted_by(|a, b| a <= b));
    // Pseudo-questions are scored against *other* documents: were their own chunk counted, the
    // median would sit near 0.8 (a sentence against the passage it comes from).
    let median = cal.quantile(0.5).unwrap();
    assert!(median > 0.3 && median < 0.65, "median {median}");
    let gate = cal.gate().unwrap();
    assert!(
        gate >= calibrate::MIN_GATE && gate <= median,
        "gate {gate}, median {median}"
    );
    // Kept in the store for its model, and read back the same.
    cal.save(&ix.store).unwrap();
    assert_eq!(
        calibrate::Calibration::load(&ix.store, ix.model.model_id()).unwrap(),
        Some(cal.clone())
    );
    assert_eq!(
        calibrate::Calibration::load(&ix.store, "another-model").unwrap(),
        None
    );
    // With the calibrated gate, the handbook still answers its own question and refuses one it
    // cannot answer.
    let ctx = Context {
        calibration: Some(cal),
        ..Context::default()
    };
    let search = |ix: &mut Indexed, q: &str| {
        let qv = ix.model.embed(&[q.to_string()]).unwrap().pop().unwrap();
        search::search(
            &ix.store,
            &ix.lexical,
            Some(&ix.vectors),
            Some(&qv),
            q,
            Mode::Hybrid,
            &Params::default(),
            &ctx,
            5,
        )
        .unwrap()
    };
    let res = search(ix, "who decides the severity during an incident?");
    assert_eq!(res.gate, gate);
    assert_eq!(
        res.answers().first().map(|h| h.chunk.path.as_str()),
        Some("incidents/incident-process.md")
    );
    let res = search(ix, "What is the parental leave policy?");
    assert!(res.answers().is_empty(), "{:?}", res.confidence);
}
