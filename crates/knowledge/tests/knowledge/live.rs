//! Incremental and live indexing: resume after a crash without re-embedding, edits, deletes and
//! renames seen by the watcher, progress events.

use crate::support::*;
use bosun_knowledge::embed::HashEmbedder;
use bosun_knowledge::files::Filter;
use bosun_knowledge::index::{Collect, IndexEvent, Indexer, NoEvents};
use bosun_knowledge::search::Params;
use bosun_knowledge::watch::DocWatcher;
use bosun_store::Store;
use std::path::Path;
use std::time::Duration;

/// A folder of `n` documents, each a few chunks long.
fn corpus(root: &Path, n: usize) {
    for i in 0..n {
        let mut text = format!("# Document {i}\n\nIntro of document {i} about topic{i}.\n");
        for s in 0..3 {
            text.push_str(&format!(
                "\n## Section {s}\n\n{}\n",
                format!("word{i} section{s} filler text ").repeat(30)
            ));
        }
        write(root, &format!("doc{i:03}.md"), &text);
    }
}

#[test]
fn a_crashed_run_resumes_without_re_embedding_finished_files() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path(), 60);
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("bosun.db");
    let root = dir.path().canonicalize().unwrap();
    // The first run dies part-way: the model fails after 150 texts (as if the process were killed).
    let mut crashing = HashEmbedder::new("hash", 32);
    crashing.fail_after = Some(150);
    {
        let mut store = Store::open(&db).unwrap();
        let mut ix = Indexer::new(&mut store, Some(&mut crashing), &NoEvents, 1).unwrap();
        assert!(ix.index_root(&root, Filter::All).is_err());
    }
    let store = Store::open(&db).unwrap();
    let kept_docs = count(&store, "SELECT count(*) FROM documents");
    let kept_chunks = count(&store, "SELECT count(*) FROM chunks");
    assert!(
        kept_docs > 0 && kept_docs < 60,
        "{kept_docs} documents survived the crash"
    );
    // Whatever survived is complete: every chunk of a kept document has its vector.
    assert_eq!(
        count(&store, "SELECT count(*) FROM embeddings"),
        kept_chunks
    );
    drop(store);
    // The second run embeds only what is left.
    let mut store = Store::open(&db).unwrap();
    let mut fresh = HashEmbedder::new("hash", 32);
    let report = index(&mut store, &root, Some(&mut fresh));
    let total_chunks = count(&store, "SELECT count(*) FROM chunks");
    assert_eq!(report.unchanged as i64, kept_docs);
    assert_eq!(
        fresh.embedded as i64,
        total_chunks - kept_chunks,
        "finished files were embedded again"
    );
    assert_eq!(count(&store, "SELECT count(*) FROM documents"), 60);
    assert_eq!(
        count(&store, "SELECT count(*) FROM embeddings"),
        total_chunks
    );
    // And a third run has nothing to do.
    let mut idle = HashEmbedder::new("hash", 32);
    let report = index(&mut store, &root, Some(&mut idle));
    assert_eq!(
        (idle.embedded, report.indexed, report.unchanged),
        (0, 0, 60)
    );
}

#[test]
fn progress_reports_files_chunks_and_an_eta() {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path(), 12);
    let mut store = Store::open_in_memory().unwrap();
    let mut e = HashEmbedder::new("hash", 16);
    let events = Collect::default();
    let root = dir.path().canonicalize().unwrap();
    Indexer::new(&mut store, Some(&mut e), &events, 1)
        .unwrap()
        .index_root(&root, Filter::All)
        .unwrap();
    let events = events.0.into_inner().unwrap();
    assert!(matches!(events[0], IndexEvent::Started { files: 12, .. }));
    let progress: Vec<(usize, usize)> = events
        .iter()
        .filter_map(|e| match e {
            IndexEvent::Progress {
                files_done, files, ..
            } => Some((*files_done, *files)),
            _ => None,
        })
        .collect();
    assert_eq!(progress.len(), 12);
    assert_eq!(progress.last(), Some(&(12, 12)));
}

/// Wait for the watcher to report a batch touching `rel`, then re-index it.
fn settle(
    w: &DocWatcher,
    store: &mut Store,
    e: &mut HashEmbedder,
    rel: &str,
) -> bosun_knowledge::index::IndexReport {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut total = bosun_knowledge::index::IndexReport::default();
    while std::time::Instant::now() < deadline {
        let batches = w.next_batch(Duration::from_millis(500)).unwrap();
        let mut seen = false;
        for c in batches {
            seen |= c.paths.iter().any(|p| p == rel);
            let mut ix = Indexer::new(store, Some(&mut *e), &NoEvents, 2).unwrap();
            let r = ix.index_paths(&c.root, c.filter, &c.paths).unwrap();
            total.indexed += r.indexed;
            total.removed += r.removed;
            total.embedded += r.embedded;
            total.reused_vectors += r.reused_vectors;
            total.unchanged += r.unchanged;
        }
        if seen {
            return total;
        }
    }
    panic!("the watcher never reported {rel}");
}

#[test]
fn the_watcher_reindexes_edited_deleted_and_renamed_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(
        &root,
        "runbook.md",
        "# Runbook\n\n## Restart\n\nRestart the gateway with the blue button.\n\n## Escalate\n\nPage the secondary.\n",
    );
    write(
        &root,
        "other.md",
        "# Other\n\nUnrelated notes about lunch.\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    let mut e = HashEmbedder::new("hash", 64);
    index(&mut store, &root, Some(&mut e));
    let watcher =
        DocWatcher::new(&[(root.clone(), Filter::All)], Duration::from_millis(150)).unwrap();
    let p = Params {
        threshold_hybrid: 0.0,
        ..Params::default()
    };

    // Edit: the new words are found, the old ones gone, and only the changed chunk is embedded.
    let before = e.embedded;
    write(
        &root,
        "runbook.md",
        "# Runbook\n\n## Restart\n\nRestart the gateway with the purple lever.\n\n## Escalate\n\nPage the secondary.\n",
    );
    let r = settle(&watcher, &mut store, &mut e, "runbook.md");
    assert_eq!(r.indexed, 1);
    assert_eq!(
        e.embedded - before,
        1,
        "only the edited section is embedded again"
    );
    assert!(
        ask(&store, Some(&mut e), "purple lever", &p).hits[0]
            .chunk
            .text
            .contains("purple lever")
    );
    assert!(
        ask(&store, Some(&mut e), "blue button", &p)
            .hits
            .iter()
            .all(|h| !h.chunk.text.contains("blue button"))
    );

    // Rename: the new path is indexed with the old vectors, the old path disappears.
    let before = e.embedded;
    std::fs::rename(root.join("runbook.md"), root.join("gateway-runbook.md")).unwrap();
    let r = settle(&watcher, &mut store, &mut e, "gateway-runbook.md");
    assert_eq!(e.embedded, before, "a renamed file is not embedded again");
    assert!(r.reused_vectors > 0);
    let paths: Vec<String> =
        bosun_store::knowledge::documents_under(store.conn(), &root.display().to_string())
            .unwrap()
            .into_iter()
            .map(|d| d.path)
            .collect();
    assert_eq!(paths, vec!["gateway-runbook.md", "other.md"]);

    // Delete: gone from the index and from answers.
    std::fs::remove_file(root.join("other.md")).unwrap();
    let r = settle(&watcher, &mut store, &mut e, "other.md");
    assert_eq!(r.removed, 1);
    assert!(
        ask(&store, Some(&mut e), "lunch notes", &p)
            .hits
            .iter()
            .all(|h| h.chunk.path != "other.md")
    );

    // A folder moved in is indexed whole; editors' hidden temp files are not.
    let sub = tempfile::tempdir().unwrap();
    write(sub.path(), "adr/0009.md", "# ADR 9\n\nWe choose tabs.\n");
    write(&root, ".runbook.md.swp", "junk");
    std::fs::rename(sub.path().join("adr"), root.join("adr")).unwrap();
    settle(&watcher, &mut store, &mut e, "adr/0009.md");
    assert!(
        bosun_store::knowledge::document_by_path(
            store.conn(),
            &root.display().to_string(),
            "adr/0009.md"
        )
        .unwrap()
        .is_some()
    );
    assert!(
        bosun_store::knowledge::document_by_path(
            store.conn(),
            &root.display().to_string(),
            ".runbook.md.swp"
        )
        .unwrap()
        .is_none()
    );
}

/// Issue 16.8: the watcher re-indexed `root/link/secret.md` when `link` was a symbolic link to a
/// directory outside the root (only the last path component was checked). Every component is
/// checked now, and a linked directory is never followed.
#[test]
fn watch_does_not_index_through_a_directory_link_out_of_its_root() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    let root = dir.path().join("docs").canonicalize().unwrap();
    let outside = dir.path().join("outside");
    write(
        &outside,
        "secret.md",
        "# Secret\n\nThe root password is hunter2.\n",
    );
    write(&root, "runbook.md", "# Runbook\n\nRestart the gateway.\n");
    std::os::unix::fs::symlink(&outside, root.join("link")).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let mut e = HashEmbedder::new("hash", 64);
    index(&mut store, &root, Some(&mut e));
    let rels = [
        "link/secret.md".to_string(),
        "link".to_string(),
        "runbook.md".to_string(),
    ];
    let mut ix = Indexer::new(&mut store, Some(&mut e), &NoEvents, 2).unwrap();
    ix.index_paths(&root, Filter::All, &rels).unwrap();
    drop(ix);
    let paths: Vec<String> =
        bosun_store::knowledge::documents_under(store.conn(), &root.display().to_string())
            .unwrap()
            .into_iter()
            .map(|d| d.path)
            .collect();
    assert_eq!(paths, vec!["runbook.md"]);
    assert!(!bosun_knowledge::files::included(
        &root,
        Filter::All,
        &root.join("link/secret.md")
    ));
}
