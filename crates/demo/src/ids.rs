//! Id ranges of the demo world. Most ids are the generator's counter (`Gen::id`, counting up from
//! 2) plus the base of their kind, so no two kinds of object share an id and an id in a dump says
//! what it names. The counter stays far below the gaps between the bases.

/// GitHub users who are people: `USER + 7 × their place in the user list`.
pub const USER: i64 = 10_000;
/// GitHub bot users: `BOT_USER + their place in the user list`.
pub const BOT_USER: i64 = 49_000_000;
/// Bot users the real-world shape adds (after the generator's).
pub const REAL_WORLD_BOT_USER: i64 = 49_100_000;
/// Repositories: `REPO + 13 × their place`.
pub const REPO: i64 = 700_000;
/// Repositories the real-world shape adds: `REAL_WORLD_REPO + 13 × their place`.
pub const REAL_WORLD_REPO: i64 = 800_000;
/// GitHub deployments (production and staging); a deployment's statuses are `10 × its id + k`.
pub const DEPLOYMENT: i64 = 3_000_000;
/// Tags' releases.
pub const RELEASE: i64 = 5_000_000;
/// CI check runs.
pub const CHECK_RUN: i64 = 20_000_000;
/// GitHub Actions workflow runs: `WORKFLOW_RUN + the id of their first check run`.
pub const WORKFLOW_RUN: i64 = 30_000_000;
/// Jira changelog entries.
pub const CHANGELOG: i64 = 40_000_000;
/// Pull request timeline events (labels, review requests, ...).
pub const PULL_EVENT: i64 = 60_000_000;
/// Pull request reviews.
pub const REVIEW: i64 = 80_000_000;
/// Review comments (on the diff) and their replies.
pub const REVIEW_COMMENT: i64 = 90_000_000;
/// Conversation comments on pull requests.
pub const ISSUE_COMMENT: i64 = 95_000_000;
/// Jira tickets: `TICKET + their place` (their own id space, not the counter's).
pub const TICKET: i64 = 10_000;
/// Jira issue links: `ISSUE_LINK + 10 × the ticket's place + the link's place`.
pub const ISSUE_LINK: i64 = 90_000;
/// Jira sprints: `board id × SPRINTS_PER_BOARD + SPRINT + k`.
pub const SPRINT: i64 = 500;
/// Pull requests: `PULLS_PER_REPO × their repository's id + their number` (a repository's
/// numbers stay below it).
pub const PULLS_PER_REPO: i64 = 1000;
/// Room for one board's sprints.
pub const SPRINTS_PER_BOARD: i64 = 1000;
