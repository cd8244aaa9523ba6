//! Integration tests of the knowledge engine: exact spans on the demo handbook, sources and
//! skips, BM25-only fallback, thresholds, identifier boost, resume, live re-indexing, model
//! changes, and (with the real model that `scripts/models` caches) hybrid retrieval quality.

mod live;
mod real_model;
mod references;
mod sources;
mod spans;
mod support;
