//! GitLab (gitlab.com or self-managed, REST v4): payloads, their normalization into the same
//! records as GitHub's (a merge request is a pull request, a pipeline job a check run), and the
//! incremental per-project sync.

pub mod api;
pub mod normalize;
mod sync;

pub use sync::{GITLAB_COM, GitlabSettings, SyncStats, api_base, encode_path, sync_source};
