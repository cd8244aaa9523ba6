//! GitLab REST v4 payloads, as much of them as Bosun reads. Fields GitLab may leave out or send
//! as `null` (they vary with the GitLab version, the edition and the token's rights) are
//! `Option`s; the ids and times a valid payload always has are required, so a payload of the
//! wrong shape is rejected instead of becoming a half-empty record.

use serde::Deserialize;

pub use crate::wire::Time;

/// A user as GitLab embeds it (`author`, `reviewers`, `merge_user`, ...).
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub web_url: Option<String>,
    /// Only `/users/:id` for an administrator, and newer versions, say it.
    #[serde(default)]
    pub bot: Option<bool>,
    #[serde(default)]
    pub public_email: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Group {
    pub id: i64,
    pub full_path: String,
    #[serde(default)]
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Namespace {
    pub full_path: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ForkedFrom {
    pub path_with_namespace: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Project {
    pub id: i64,
    /// The project's path (its URL name), unique in its namespace.
    pub path: String,
    pub path_with_namespace: String,
    pub namespace: Namespace,
    /// `null` for a project without a repository (or an empty one).
    #[serde(default)]
    pub default_branch: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub web_url: Option<String>,
    #[serde(default)]
    pub archived: bool,
    #[serde(default)]
    pub empty_repo: Option<bool>,
    #[serde(default)]
    pub forked_from_project: Option<ForkedFrom>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MergeRequest {
    pub id: i64,
    pub iid: i64,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `opened`, `closed`, `merged` or `locked`.
    pub state: String,
    pub created_at: Time,
    pub updated_at: Time,
    #[serde(default)]
    pub merged_at: Option<Time>,
    #[serde(default)]
    pub closed_at: Option<Time>,
    #[serde(default)]
    pub author: Option<User>,
    /// Who merged it (GitLab ≥ 14.7); `merged_by` is the older, deprecated name.
    #[serde(default)]
    pub merge_user: Option<User>,
    #[serde(default)]
    pub merged_by: Option<User>,
    #[serde(default)]
    pub reviewers: Vec<User>,
    #[serde(default)]
    pub source_branch: Option<String>,
    #[serde(default)]
    pub target_branch: Option<String>,
    /// GitLab ≥ 13.2; `work_in_progress` before.
    #[serde(default)]
    pub draft: Option<bool>,
    #[serde(default)]
    pub work_in_progress: Option<bool>,
    /// The source branch's head.
    #[serde(default)]
    pub sha: Option<String>,
    #[serde(default)]
    pub merge_commit_sha: Option<String>,
    #[serde(default)]
    pub squash_commit_sha: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub web_url: Option<String>,
    /// The single-MR endpoint's count of changed files, as a string (`"35"`, or `"1000+"`).
    #[serde(default)]
    pub changes_count: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Approver {
    pub user: User,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Approvals {
    #[serde(default)]
    pub approved_by: Vec<Approver>,
}

/// Where a diff note sits.
#[derive(Debug, Clone, Deserialize)]
pub struct Position {
    #[serde(default)]
    pub new_path: Option<String>,
    #[serde(default)]
    pub old_path: Option<String>,
    #[serde(default)]
    pub new_line: Option<i64>,
    #[serde(default)]
    pub old_line: Option<i64>,
    #[serde(default)]
    pub head_sha: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Note {
    pub id: i64,
    /// `null`, `DiffNote` or `DiscussionNote`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub author: Option<User>,
    pub created_at: Time,
    #[serde(default)]
    pub updated_at: Option<Time>,
    /// Written by GitLab for an action ("approved this merge request").
    #[serde(default)]
    pub system: bool,
    #[serde(default)]
    pub position: Option<Position>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Discussion {
    pub id: String,
    #[serde(default)]
    pub individual_note: bool,
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// A commit as the commit lists give it. `authored_date` and `committed_date` are missing from
/// some older payloads, which give only `created_at`.
#[derive(Debug, Clone, Deserialize)]
pub struct Commit {
    pub id: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub author_name: Option<String>,
    #[serde(default)]
    pub author_email: Option<String>,
    #[serde(default)]
    pub authored_date: Option<Time>,
    #[serde(default)]
    pub committer_name: Option<String>,
    #[serde(default)]
    pub committer_email: Option<String>,
    #[serde(default)]
    pub committed_date: Option<Time>,
    #[serde(default)]
    pub created_at: Option<Time>,
    #[serde(default)]
    pub parent_ids: Vec<String>,
    #[serde(default)]
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Pipeline {
    pub id: i64,
    pub sha: String,
    #[serde(rename = "ref", default)]
    pub ref_name: Option<String>,
    pub status: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub created_at: Option<Time>,
    #[serde(default)]
    pub updated_at: Option<Time>,
    #[serde(default)]
    pub web_url: Option<String>,
}

/// A job's commit; GitLab's own API examples show it without its sha.
#[derive(Debug, Clone, Deserialize)]
pub struct JobCommit {
    #[serde(default)]
    pub id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Job {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub stage: Option<String>,
    /// created, pending, running, success, failed, canceled, skipped, manual, ...
    pub status: String,
    #[serde(default)]
    pub created_at: Option<Time>,
    #[serde(default)]
    pub started_at: Option<Time>,
    #[serde(default)]
    pub finished_at: Option<Time>,
    #[serde(default)]
    pub web_url: Option<String>,
    #[serde(default)]
    pub commit: Option<JobCommit>,
    #[serde(default)]
    pub allow_failure: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Environment {
    pub id: i64,
    pub name: String,
    /// production, staging, testing, development or other (GitLab ≥ 13.10).
    #[serde(default)]
    pub tier: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EnvironmentRef {
    pub name: String,
    #[serde(default)]
    pub tier: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Deployable {
    #[serde(default)]
    pub web_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Deployment {
    pub id: i64,
    #[serde(default)]
    pub iid: Option<i64>,
    #[serde(rename = "ref", default)]
    pub ref_name: Option<String>,
    pub sha: String,
    pub created_at: Time,
    #[serde(default)]
    pub updated_at: Option<Time>,
    #[serde(default)]
    pub finished_at: Option<Time>,
    /// created, running, success, failed, canceled, skipped, blocked.
    pub status: String,
    #[serde(default)]
    pub user: Option<User>,
    pub environment: EnvironmentRef,
    #[serde(default)]
    pub deployable: Option<Deployable>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReleaseCommit {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReleaseLinks {
    #[serde(rename = "self", default)]
    pub self_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Release {
    pub tag_name: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub created_at: Option<Time>,
    #[serde(default)]
    pub released_at: Option<Time>,
    #[serde(default)]
    pub author: Option<User>,
    #[serde(default)]
    pub commit: Option<ReleaseCommit>,
    #[serde(default)]
    pub upcoming_release: bool,
    #[serde(rename = "_links", default)]
    pub links: Option<ReleaseLinks>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Tag {
    pub name: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub commit: Option<ReleaseCommit>,
}
