//! GitHub REST payloads, as much of them as Bosun reads. Fields GitHub may send as `null` are
//! `Option`s; fields a valid payload always has are required, so a payload of the wrong shape is
//! rejected instead of becoming a half-empty record.

use serde::Deserialize;

pub use crate::wire::Time;

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub login: String,
    pub id: i64,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Owner {
    pub login: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Repo {
    pub id: i64,
    pub name: String,
    pub full_name: String,
    pub owner: Owner,
    #[serde(default)]
    pub default_branch: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub archived: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Team {
    pub slug: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Ref {
    #[serde(rename = "ref")]
    pub name: String,
    pub sha: String,
}

/// A pull request, from the list (no size fields) or the details endpoint (with them).
#[derive(Debug, Clone, Deserialize)]
pub struct Pull {
    pub id: i64,
    pub number: i64,
    pub state: String,
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    pub user: Option<User>,
    #[serde(default)]
    pub labels: Vec<Label>,
    pub created_at: Time,
    pub updated_at: Time,
    pub closed_at: Option<Time>,
    pub merged_at: Option<Time>,
    #[serde(default)]
    pub merge_commit_sha: Option<String>,
    #[serde(default)]
    pub requested_reviewers: Vec<User>,
    #[serde(default)]
    pub requested_teams: Vec<Team>,
    pub head: Ref,
    pub base: Ref,
    #[serde(default)]
    pub draft: Option<bool>,
    #[serde(default)]
    pub html_url: Option<String>,
    // Details only.
    #[serde(default)]
    pub merged: Option<bool>,
    #[serde(default)]
    pub merged_by: Option<User>,
    #[serde(default)]
    pub additions: Option<i64>,
    #[serde(default)]
    pub deletions: Option<i64>,
    #[serde(default)]
    pub changed_files: Option<i64>,
    #[serde(default)]
    pub commits: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Review {
    pub id: i64,
    pub user: Option<User>,
    #[serde(default)]
    pub body: Option<String>,
    pub state: String,
    #[serde(default)]
    pub submitted_at: Option<Time>,
    #[serde(default)]
    pub commit_id: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
}

/// A file of `/pulls/{n}/files`.
#[derive(Debug, Clone, Deserialize)]
pub struct PullFile {
    pub filename: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub additions: i64,
    #[serde(default)]
    pub deletions: i64,
    #[serde(default)]
    pub previous_filename: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GitSignature {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    pub date: Time,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GitCommit {
    pub author: GitSignature,
    pub committer: GitSignature,
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Parent {
    pub sha: String,
}

/// A commit from `/commits` or `/pulls/{n}/commits`.
#[derive(Debug, Clone, Deserialize)]
pub struct Commit {
    pub sha: String,
    pub commit: GitCommit,
    pub author: Option<User>,
    pub committer: Option<User>,
    pub parents: Vec<Parent>,
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct App {
    #[serde(default)]
    pub slug: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CheckRun {
    pub id: i64,
    pub head_sha: String,
    pub name: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub started_at: Option<Time>,
    pub completed_at: Option<Time>,
    #[serde(default)]
    pub app: Option<App>,
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CheckRuns {
    pub total_count: i64,
    pub check_runs: Vec<CheckRun>,
}

/// A timeline item. Items differ by `event`: `committed` has a sha and no id, `reviewed` has a
/// review id and `user`, issue events have `id`, `actor` and `created_at`.
#[derive(Debug, Clone, Deserialize)]
pub struct TimelineItem {
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub actor: Option<User>,
    #[serde(default)]
    pub created_at: Option<Time>,
    #[serde(default)]
    pub requested_reviewer: Option<User>,
    #[serde(default)]
    pub requested_team: Option<Team>,
    #[serde(default)]
    pub assignee: Option<User>,
    #[serde(default)]
    pub label: Option<Label>,
    #[serde(default)]
    pub commit_id: Option<String>,
}

/// Events Bosun keeps from the timeline (the rest are represented elsewhere or irrelevant).
pub const KEPT_EVENTS: &[&str] = &[
    "ready_for_review",
    "convert_to_draft",
    "review_requested",
    "review_request_removed",
    "review_dismissed",
    "merged",
    "closed",
    "reopened",
    "labeled",
    "unlabeled",
    "head_ref_force_pushed",
    "assigned",
    "unassigned",
];

#[derive(Debug, Clone, Deserialize)]
pub struct ReviewComment {
    pub id: i64,
    #[serde(default)]
    pub pull_request_review_id: Option<i64>,
    pub user: Option<User>,
    pub body: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub line: Option<i64>,
    #[serde(default)]
    pub original_line: Option<i64>,
    #[serde(default)]
    pub in_reply_to_id: Option<i64>,
    pub created_at: Time,
    pub updated_at: Time,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub pull_request_url: Option<String>,
    #[serde(default, rename = "_links")]
    pub links: Option<CommentLinks>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CommentLinks {
    #[serde(default)]
    pub pull_request: Option<Href>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Href {
    pub href: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IssueComment {
    pub id: i64,
    pub user: Option<User>,
    #[serde(default)]
    pub body: Option<String>,
    pub created_at: Time,
    pub updated_at: Time,
    pub html_url: String,
    pub issue_url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Deployment {
    pub id: i64,
    pub sha: String,
    #[serde(rename = "ref", default)]
    pub ref_name: Option<String>,
    #[serde(default)]
    pub task: Option<String>,
    #[serde(default)]
    pub payload: serde_json::Value,
    pub environment: String,
    #[serde(default)]
    pub description: Option<String>,
    pub creator: Option<User>,
    pub created_at: Time,
    pub updated_at: Time,
    #[serde(default)]
    pub production_environment: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DeploymentStatus {
    pub id: i64,
    pub state: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
    pub created_at: Time,
    #[serde(default)]
    pub log_url: Option<String>,
    #[serde(default)]
    pub target_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Release {
    pub id: i64,
    pub tag_name: String,
    #[serde(default)]
    pub target_commitish: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub prerelease: bool,
    #[serde(default)]
    pub created_at: Option<Time>,
    #[serde(default)]
    pub published_at: Option<Time>,
    pub author: Option<User>,
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TagCommit {
    pub sha: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Tag {
    pub name: String,
    pub commit: TagCommit,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Content {
    #[serde(rename = "type")]
    pub kind: String,
    pub encoding: Option<String>,
    pub content: Option<String>,
}

/// A workflow of a repository (`GET /repos/{o}/{r}/actions/workflows`).
#[derive(Debug, Clone, Deserialize)]
pub struct Workflow {
    pub id: i64,
    pub name: String,
    /// `.github/workflows/deploy.yml` (dynamic workflows: `dynamic/pages/pages-build-deployment`).
    pub path: String,
    /// active, deleted, disabled_fork, disabled_inactivity, disabled_manually.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Workflows {
    #[serde(default)]
    pub total_count: Option<i64>,
    pub workflows: Vec<Workflow>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HeadCommit {
    #[serde(default)]
    pub message: Option<String>,
}

/// A workflow run (`GET /repos/{o}/{r}/actions/runs`, `.../workflows/{id}/runs`; the same object
/// is a webhook's `workflow_run`). Only a run's latest attempt is listed. Real payloads leave out
/// `path` and `display_title` (older runs), send `name: ""`, a null `head_branch` (a run on a
/// deleted ref), a `path` with an `@ref` suffix, and events such as `dynamic` or
/// `repository_dispatch`.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowRun {
    pub id: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub display_title: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    pub workflow_id: i64,
    #[serde(default)]
    pub head_branch: Option<String>,
    pub head_sha: String,
    /// push, workflow_dispatch, pull_request, schedule, ...
    pub event: String,
    /// queued, in_progress, waiting, requested, pending, completed (null in GitHub's schema).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub run_number: Option<i64>,
    #[serde(default)]
    pub run_attempt: Option<i64>,
    pub created_at: Time,
    pub updated_at: Time,
    #[serde(default)]
    pub run_started_at: Option<Time>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub actor: Option<User>,
    #[serde(default)]
    pub triggering_actor: Option<User>,
    #[serde(default)]
    pub head_commit: Option<HeadCommit>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowRuns {
    #[serde(default)]
    pub total_count: Option<i64>,
    pub workflow_runs: Vec<WorkflowRun>,
}
