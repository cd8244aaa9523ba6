//! What gets indexed and how it is searched without the real model.

use crate::support::*;
use bosun_knowledge::embed::{Embedder, HashEmbedder};
use bosun_knowledge::files::{self, Filter};
use bosun_knowledge::index::{self, Indexer, NoEvents, TextDoc};
use bosun_knowledge::search::{self, Context, Mode, Params};
use bosun_knowledge::vectors::VectorIndex;
use bosun_store::Store;
use bosun_store::knowledge as kstore;

#[test]
fn gitignore_hidden_symlinks_binaries_and_huge_files() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "secret.md",
        "# Secret\n\nthe launch codes are here\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "guide.md",
        "# Guide\n\nHow to deploy the gateway safely.\n",
    );
    write(root, ".gitignore", "build/\n*.log\n");
    write(
        root,
        "build/out.md",
        "# Generated\n\nignored words zanzibar\n",
    );
    write(root, "debug.log", "log line zanzibar\n");
    write(root, ".hidden/notes.md", "# Hidden\n\nzanzibar\n");
    write(root, "nested/.gitignore", "private.md\n");
    write(root, "nested/private.md", "# Private\n\nzanzibar\n");
    write(
        root,
        "nested/public.txt",
        "Public\n======\n\nrotation schedule\n",
    );
    std::fs::write(root.join("logo.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(root.join("huge.md"), "a ".repeat(1_200_000)).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), root.join("leak.md")).unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("leakdir")).unwrap();
    std::os::unix::fs::symlink(root.join("guide.md"), root.join("alias.md")).unwrap();

    let mut store = Store::open_in_memory().unwrap();
    let report = index(&mut store, root, None);
    let root_s = root.display().to_string();
    let docs = kstore::documents_under(store.conn(), &root_s).unwrap();
    let indexed: Vec<&str> = docs
        .iter()
        .filter(|d| d.status == "indexed")
        .map(|d| d.path.as_str())
        .collect();
    assert_eq!(indexed, vec!["alias.md", "guide.md", "nested/public.txt"]);
    let skipped: Vec<(&str, &str)> = docs
        .iter()
        .filter(|d| d.status == "skipped")
        .map(|d| (d.path.as_str(), d.note.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(
        skipped
            .iter()
            .any(|(p, n)| *p == "huge.md" && n.starts_with("too large")),
        "{skipped:?}"
    );
    assert!(
        skipped
            .iter()
            .any(|(p, n)| *p == "logo.png" && *n == "binary file"),
        "{skipped:?}"
    );
    assert_eq!(report.skipped, 2);
    assert!(report.bm25_only);
    // Nothing from outside the root or from ignored paths is searchable.
    let res = ask(&store, None, "zanzibar launch codes", &Params::default());
    assert!(
        res.hits.is_empty(),
        "{:?}",
        res.hits.iter().map(|h| &h.chunk.path).collect::<Vec<_>>()
    );
    // The watcher's single-path check agrees with the walk.
    assert!(!files::included(
        root,
        Filter::All,
        &root.join("nested/private.md")
    ));
    assert!(!files::included(
        root,
        Filter::All,
        &root.join("build/out.md")
    ));
    assert!(files::included(
        root,
        Filter::All,
        &root.join("nested/public.txt")
    ));
}

#[test]
fn repository_filter_takes_readmes_docs_adrs_and_runbooks_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "README.md", "# Service\n\nwhat it does\n");
    write(root, "docs/adr/0001-x.md", "# ADR 1\n\ndecision\n");
    write(root, "ops/runbooks/restart.md", "# Restart\n\nsteps\n");
    write(root, "src/notes.md", "# Not docs\n\nsource notes\n");
    write(root, "CHANGELOG.md", "# Changes\n");
    let paths: Vec<String> = files::walk(root, Filter::RepoDocs)
        .unwrap()
        .into_iter()
        .map(|e| e.rel)
        .collect();
    assert_eq!(
        paths,
        vec!["README.md", "docs/adr/0001-x.md", "ops/runbooks/restart.md"]
    );
}

#[test]
fn without_a_model_search_is_bm25_and_rejects_what_matches_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let report = index(&mut store, &demo_docs(), None);
    assert!(report.bm25_only);
    assert_eq!(report.embedded, 0);
    assert_eq!(count(&store, "SELECT count(*) FROM embeddings"), 0);
    let res = ask(
        &store,
        None,
        "rotate the compass-payments Postgres credentials",
        &Params::default(),
    );
    assert_eq!(res.mode, Mode::Bm25);
    let top = &res.answers()[0].chunk;
    assert_eq!(top.path, "runbooks/rotate-payments-db-credentials.md");
    // Words that appear nowhere: nothing is cited, not the least bad passage.
    let res = ask(
        &store,
        None,
        "zygomorphic quokka lasagna",
        &Params::default(),
    );
    assert!(res.hits.is_empty() && res.answers().is_empty());
    // Weak matches fall below the threshold: candidates exist, answers do not.
    let res = ask(
        &store,
        None,
        "What is the parental leave policy?",
        &Params::default(),
    );
    assert!(
        res.answers().is_empty(),
        "{:?}",
        res.answers()
            .iter()
            .map(|h| (&h.chunk.path, h.score))
            .collect::<Vec<_>>()
    );
    assert!(
        res.best_score.is_some(),
        "BM25 found candidates, the threshold refused them"
    );
}

#[test]
fn identifier_queries_prefer_the_passage_that_names_the_identifier() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A passage about what error codes mean, without the code; and one naming the code once.
    write(
        root,
        "errors.md",
        "# What error codes mean\n\nWhat does an error code mean? What does it mean for the payment? It means the payment failed and what it means depends on the code. Does the code mean a retry?\n",
    );
    write(
        root,
        "payments.md",
        "# Ledger notes\n\nThe ledger reconciler emits PAY-1042 when a refund exceeds the captured amount; Compass owns it.\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    let mut e = HashEmbedder::new("hash", 64);
    index(&mut store, root, Some(&mut e));
    let q = "What does PAY-1042 mean?";
    // The lightest dense weight at which, without the boost, the wordy passage wins...
    let without = |w: f32| Params {
        dense_weight: w,
        identifier_boost: 0.0,
        threshold_hybrid: 0.0,
        ..Params::default()
    };
    let w = [0.3f32, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
        .into_iter()
        .find(|&w| ask(&store, Some(&mut e), q, &without(w)).hits[0].chunk.path == "errors.md")
        .expect("the setup must make the boost matter");
    // ...and with the default boost the passage naming the code wins.
    let with = ask(
        &store,
        Some(&mut e),
        q,
        &Params {
            identifier_boost: Params::default().identifier_boost,
            ..without(w)
        },
    );
    assert_eq!(with.hits[0].chunk.path, "payments.md", "dense weight {w}");
    assert!(with.hits[0].identifier);
    assert!(
        !with.answers().is_empty(),
        "a short identifier query is answered"
    );
    assert_eq!(search::identifiers(q, &[]), vec!["PAY-1042"]);
    // Known service names count as identifiers too.
    assert_eq!(
        search::identifiers("is compass-billing frozen?", &["compass-billing".into()]),
        vec!["compass-billing"]
    );
}

#[test]
fn a_model_change_reembeds_everything_and_never_mixes_models() {
    let mut store = Store::open_in_memory().unwrap();
    let root = demo_docs();
    let mut m1 = HashEmbedder::new("model-one", 32);
    index(&mut store, &root, Some(&mut m1));
    let chunks = count(&store, "SELECT count(*) FROM chunks");
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM embeddings WHERE model_id = 'model-one'"
        ),
        chunks
    );
    // A different model (and dimension): the pin moves, every chunk is embedded again, the old
    // vectors go, and the old model's index is empty rather than wrong.
    let mut m2 = HashEmbedder::new("model-two", 48);
    let report = index(&mut store, &root, Some(&mut m2));
    assert_eq!(report.model_changed_from.as_deref(), Some("model-one"));
    assert_eq!(report.unchanged, 43);
    assert_eq!(report.embedded as i64, chunks);
    assert_eq!(m2.embedded as i64, chunks);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM embeddings WHERE model_id = 'model-one'"
        ),
        0
    );
    assert_eq!(
        index::pinned_model(&store).unwrap(),
        Some(("model-two".into(), 48))
    );
    assert!(
        VectorIndex::load(&store, "model-one", 32)
            .unwrap()
            .is_empty()
    );
    // A query vector of the wrong size finds nothing densely but still answers by BM25.
    let v = VectorIndex::load(&store, "model-two", 48).unwrap();
    let wrong = m1
        .embed(&["rotate credentials".to_string()])
        .unwrap()
        .pop()
        .unwrap();
    let res = search::search(
        &store,
        &bosun_knowledge::lexical::LexicalIndex::load(&store).unwrap(),
        Some(&v),
        Some(&wrong),
        "rotate payments credentials",
        Mode::Hybrid,
        &Params::default(),
        &Context::default(),
        5,
    )
    .unwrap();
    assert!(!res.hits.is_empty());
    assert!(
        res.hits
            .iter()
            .all(|h| h.dense == Some(0.0) || h.dense.is_none())
    );
    // Same model again: nothing to do.
    let again = index(&mut store, &root, Some(&mut m2));
    assert_eq!(
        (again.embedded, again.indexed, again.model_changed_from),
        (0, 0, None)
    );
}

#[test]
fn tickets_and_pull_requests_are_documents_with_line_spans() {
    let mut store = Store::open_in_memory().unwrap();
    let mut e = HashEmbedder::new("hash", 32);
    let docs = vec![
        TextDoc { path: "TIDE-231".into(), kind: "ticket", title: "TIDE-231: flaky payments test".into(), text: "# TIDE-231: flaky payments test\n\nThe integration test for refunds fails one run in ten.\n".into(), mtime: Some(5) },
        TextDoc { path: "tidewater/harbor-gateway#12".into(), kind: "pull_request", title: "Fail open".into(), text: "# Fail open on Redis timeouts\n\nAdds GW_RATELIMIT_FAIL_OPEN.\n".into(), mtime: Some(6) },
    ];
    {
        let mut ix = Indexer::new(&mut store, Some(&mut e), &NoEvents, 10).unwrap();
        let r = ix.index_texts("store:tickets", &docs).unwrap();
        assert_eq!((r.indexed, r.chunks_written), (2, 2));
        let r = ix.index_texts("store:tickets", &docs[..1]).unwrap();
        assert_eq!((r.unchanged, r.removed), (1, 1));
    }
    let res = ask(
        &store,
        Some(&mut e),
        "TIDE-231 flaky refunds test",
        &Params::default(),
    );
    let top = &res.answers()[0].chunk;
    assert_eq!(
        (
            top.root.as_str(),
            top.path.as_str(),
            top.line_start,
            top.line_end
        ),
        ("store:tickets", "TIDE-231", 1, 3)
    );
}
