use bosun_knowledge::embed::Embedder;
use bosun_knowledge::embed::HashEmbedder;
use bosun_knowledge::files::Filter;
use bosun_knowledge::index::{IndexReport, Indexer, NoEvents};
use bosun_knowledge::lexical::LexicalIndex;
use bosun_knowledge::search::{self, Context, Mode, Params, Results};
use bosun_knowledge::vectors::VectorIndex;
use bosun_store::Store;
use std::path::{Path, PathBuf};

pub fn demo_docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../demo/docs")
        .canonicalize()
        .unwrap()
}

pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

pub fn index(store: &mut Store, root: &Path, embedder: Option<&mut HashEmbedder>) -> IndexReport {
    let e: Option<&mut (dyn Embedder + 'static)> = match embedder {
        Some(e) => Some(e),
        None => None,
    };
    let mut indexer = Indexer::new(store, e, &NoEvents, 1_000).unwrap();
    indexer.index_root(root, Filter::All).unwrap()
}

/// Hybrid search with the hash embedder (or BM25 when `embedder` is None).
pub fn ask(
    store: &Store,
    embedder: Option<&mut HashEmbedder>,
    q: &str,
    params: &Params,
) -> Results {
    match embedder {
        Some(e) => {
            let v = VectorIndex::load(store, e.model_id(), e.dims()).unwrap();
            let qv = e.embed(&[q.to_string()]).unwrap().pop().unwrap();
            search::search(
                store,
                &LexicalIndex::load(store).unwrap(),
                Some(&v),
                Some(&qv),
                q,
                Mode::Hybrid,
                params,
                &Context::default(),
                5,
            )
            .unwrap()
        }
        None => search::search(
            store,
            &LexicalIndex::load(store).unwrap(),
            None,
            None,
            q,
            Mode::Hybrid,
            params,
            &Context::default(),
            5,
        )
        .unwrap(),
    }
}

pub fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}
