//! Doc-first answers (docs/knowledge.md): local folders, repository docs and ticket/PR text are cut
//! into heading-aware chunks with exact byte and line spans, indexed in SQLite FTS5 and embedded
//! with a local model, and searched with a weighted BM25 + dense fusion that cites file and lines —
//! or says it found nothing. A debounced watcher keeps the index live; indexing is incremental
//! (content hashes) and resumable. No Tauri, HTTP or CLI here: the app service calls in, with the
//! time.

#![warn(missing_docs)]

pub mod calibrate;
pub mod chunk;
pub mod cite;
pub mod embed;
mod error;
pub mod eval;
pub mod experts;
pub mod files;
pub mod html;
pub mod index;
pub mod lexical;
pub mod references;
pub mod search;
pub mod vectors;
pub mod watch;
pub mod written;

pub use error::{KnowledgeError, Result};
