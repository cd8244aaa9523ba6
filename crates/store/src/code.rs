//! Code-host records: repositories, code owners, commits and the commit graph, pull requests with
//! their commits, reviews, review requests, comments, check runs and timeline events,
//! deployments with status history, releases and tags.

use crate::{Result, accounts};
use bosun_core::model::{
    CheckRun, CodeOwnerRule, Commit, Deployment, DeploymentStatus, PrComment, PrEvent,
    PullRequestBundle, Release, Repo, Review, Tag,
};
use rusqlite::{Connection, OptionalExtension, params};

pub fn upsert_repo(conn: &Connection, source_id: Option<i64>, r: &Repo) -> Result<i64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO repos (source_id, provider, external_id, owner, name, full_name, default_branch, description,
                            html_url, archived)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (provider, full_name) DO UPDATE SET
             source_id = coalesce(excluded.source_id, repos.source_id),
             external_id = excluded.external_id, default_branch = excluded.default_branch,
             description = excluded.description, html_url = excluded.html_url, archived = excluded.archived
         RETURNING id",
    )?;
    Ok(stmt.query_row(
        params![
            source_id,
            r.provider.as_str(),
            r.external_id,
            r.owner,
            r.name,
            r.full_name(),
            r.default_branch,
            r.description,
            r.html_url,
            r.archived
        ],
        |row| row.get(0),
    )?)
}

pub fn repo_id(conn: &Connection, provider: &str, full_name: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM repos WHERE provider = ?1 AND full_name = ?2",
            params![provider, full_name],
            |r| r.get(0),
        )
        .optional()?)
}

/// Replace a repository's CODEOWNERS rules.
pub fn replace_code_owners(conn: &Connection, repo_id: i64, rules: &[CodeOwnerRule]) -> Result<()> {
    conn.execute("DELETE FROM code_owners WHERE repo_id = ?1", [repo_id])?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO code_owners (repo_id, position, pattern, owners) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, rule) in rules.iter().enumerate() {
        stmt.execute(params![
            repo_id,
            i as i64,
            rule.pattern,
            crate::to_json(&rule.owners)?
        ])?;
    }
    Ok(())
}

/// Insert or update a commit and its parents. `on_default_branch` only ever turns on.
pub fn upsert_commit(
    conn: &Connection,
    repo_id: i64,
    c: &Commit,
    on_default_branch: bool,
) -> Result<()> {
    let author = accounts::upsert_opt(conn, c.author.as_ref())?;
    let committer = accounts::upsert_opt(conn, c.committer.as_ref())?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO commits (repo_id, sha, author_name, author_email, author_account_id, authored_at, committer_name,
                              committer_email, committer_account_id, committed_at, message, parent_count,
                              on_default_branch, html_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (repo_id, sha) DO UPDATE SET
             author_account_id = coalesce(excluded.author_account_id, commits.author_account_id),
             committer_account_id = coalesce(excluded.committer_account_id, commits.committer_account_id),
             on_default_branch = max(commits.on_default_branch, excluded.on_default_branch),
             html_url = coalesce(excluded.html_url, commits.html_url)",
    )?;
    stmt.execute(params![
        repo_id,
        c.sha,
        c.author_name,
        c.author_email,
        author,
        c.authored_at,
        c.committer_name,
        c.committer_email,
        committer,
        c.committed_at,
        c.message,
        c.parents.len() as i64,
        on_default_branch,
        c.html_url
    ])?;
    let mut parents =
        conn.prepare_cached("INSERT OR IGNORE INTO commit_parents (repo_id, sha, position, parent_sha) VALUES (?1, ?2, ?3, ?4)")?;
    for (i, p) in c.parents.iter().enumerate() {
        parents.execute(params![repo_id, c.sha, i as i64, p])?;
    }
    Ok(())
}

/// Write one pull request and everything fetched with it. Child sets that the provider reports
/// in full (commits, pending review requests) are replaced; the rest are upserted.
pub fn upsert_pull_request(conn: &Connection, repo_id: i64, b: &PullRequestBundle) -> Result<i64> {
    let pr = &b.pr;
    let author = accounts::upsert_opt(conn, pr.author.as_ref())?;
    let merged_by = accounts::upsert_opt(conn, pr.merged_by.as_ref())?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO pull_requests (repo_id, number, external_id, title, body, state, draft, merged, author_account_id,
                                    created_at, updated_at, closed_at, merged_at, merged_by_account_id, merge_commit_sha,
                                    head_sha, head_ref, base_ref, additions, deletions, changed_files, commits_count,
                                    labels, html_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)
         ON CONFLICT (repo_id, number) DO UPDATE SET
             external_id = excluded.external_id, title = excluded.title, body = excluded.body, state = excluded.state,
             draft = excluded.draft, merged = excluded.merged, author_account_id = excluded.author_account_id,
             created_at = excluded.created_at, updated_at = excluded.updated_at, closed_at = excluded.closed_at,
             merged_at = excluded.merged_at, merged_by_account_id = excluded.merged_by_account_id,
             merge_commit_sha = excluded.merge_commit_sha, head_sha = excluded.head_sha, head_ref = excluded.head_ref,
             base_ref = excluded.base_ref,
             additions = coalesce(excluded.additions, pull_requests.additions),
             deletions = coalesce(excluded.deletions, pull_requests.deletions),
             changed_files = coalesce(excluded.changed_files, pull_requests.changed_files),
             commits_count = coalesce(excluded.commits_count, pull_requests.commits_count),
             labels = excluded.labels, html_url = excluded.html_url
         RETURNING id",
    )?;
    let pr_id: i64 = stmt.query_row(
        params![
            repo_id,
            pr.number,
            pr.external_id,
            pr.title,
            pr.body,
            pr.state.as_str(),
            pr.draft,
            pr.merged,
            author,
            pr.created_at,
            pr.updated_at,
            pr.closed_at,
            pr.merged_at,
            merged_by,
            pr.merge_commit_sha,
            pr.head_sha,
            pr.head_ref,
            pr.base_ref,
            pr.additions,
            pr.deletions,
            pr.changed_files,
            pr.commits_count,
            crate::to_json(&pr.labels)?,
            pr.html_url
        ],
        |r| r.get(0),
    )?;

    // A pull request always has a commit: none means they could not be read this time (the
    // provider refused them), and the ones stored before are kept.
    if !b.commits.is_empty() {
        conn.execute("DELETE FROM pr_commits WHERE pr_id = ?1", [pr_id])?;
    }
    let mut pc =
        conn.prepare_cached("INSERT INTO pr_commits (pr_id, position, sha) VALUES (?1, ?2, ?3)")?;
    for (i, c) in b.commits.iter().enumerate() {
        upsert_commit(conn, repo_id, c, false)?;
        pc.execute(params![pr_id, i as i64, c.sha])?;
    }

    for r in &b.reviews {
        upsert_review(conn, pr_id, r)?;
    }

    // Files, like commits: none means they could not be read this time.
    if !b.files.is_empty() {
        conn.execute("DELETE FROM pr_files WHERE pr_id = ?1", [pr_id])?;
    }
    let mut pf = conn.prepare_cached(
        "INSERT OR REPLACE INTO pr_files (pr_id, path, status, additions, deletions, previous_path)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for f in &b.files {
        pf.execute(params![
            pr_id,
            f.path,
            f.status,
            f.additions,
            f.deletions,
            f.previous_path
        ])?;
    }

    conn.execute("DELETE FROM review_requests WHERE pr_id = ?1", [pr_id])?;
    let mut rr =
        conn.prepare_cached("INSERT OR IGNORE INTO review_requests (pr_id, reviewer, account_id, team_slug) VALUES (?1, ?2, ?3, ?4)")?;
    for a in &pr.requested_reviewers {
        let id = accounts::upsert(conn, a)?;
        rr.execute(params![
            pr_id,
            format!("user:{}", a.external_id),
            id,
            Option::<String>::None
        ])?;
    }
    for t in &pr.requested_teams {
        rr.execute(params![pr_id, format!("team:{t}"), Option::<i64>::None, t])?;
    }

    for c in &b.check_runs {
        upsert_check_run(conn, repo_id, c)?;
    }
    for e in &b.events {
        upsert_pr_event(conn, pr_id, e)?;
    }
    Ok(pr_id)
}

/// Re-decide which of a repository's GitHub deployments are production, by environment name
/// (after the source's production rule changed; already stored deployments are not re-fetched).
/// Returns how many changed.
pub fn redecide_production(
    conn: &Connection,
    repo_id: i64,
    is_production: impl Fn(&str) -> bool,
) -> Result<usize> {
    let envs: Vec<String> = conn
        .prepare_cached(
            "SELECT DISTINCT environment FROM deployments WHERE repo_id = ?1 AND kind = 'github_deployment'",
        )?
        .query_map([repo_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut changed = 0;
    let mut stmt = conn.prepare_cached(
        "UPDATE deployments SET production = ?3
         WHERE repo_id = ?1 AND kind = 'github_deployment' AND environment = ?2 AND production != ?3",
    )?;
    for env in envs {
        changed += stmt.execute(params![repo_id, env, is_production(&env)])?;
    }
    Ok(changed)
}

pub fn upsert_review(conn: &Connection, pr_id: i64, r: &Review) -> Result<()> {
    let reviewer = accounts::upsert_opt(conn, r.reviewer.as_ref())?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO reviews (pr_id, external_id, reviewer_account_id, state, submitted_at, body, commit_sha, html_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (pr_id, external_id) DO UPDATE SET
             reviewer_account_id = excluded.reviewer_account_id, state = excluded.state,
             submitted_at = excluded.submitted_at, body = excluded.body, commit_sha = excluded.commit_sha,
             html_url = excluded.html_url",
    )?;
    stmt.execute(params![
        pr_id,
        r.external_id,
        reviewer,
        r.state,
        r.submitted_at,
        r.body,
        r.commit_sha,
        r.html_url
    ])?;
    Ok(())
}

pub fn upsert_check_run(conn: &Connection, repo_id: i64, c: &CheckRun) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO check_runs (repo_id, external_id, head_sha, name, status, conclusion, started_at, completed_at, app, html_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (repo_id, external_id) DO UPDATE SET
             head_sha = excluded.head_sha, name = excluded.name, status = excluded.status,
             conclusion = excluded.conclusion, started_at = excluded.started_at,
             completed_at = excluded.completed_at, app = excluded.app, html_url = excluded.html_url",
    )?;
    stmt.execute(params![
        repo_id,
        c.external_id,
        c.head_sha,
        c.name,
        c.status,
        c.conclusion,
        c.started_at,
        c.completed_at,
        c.app,
        c.html_url
    ])?;
    Ok(())
}

pub fn upsert_pr_event(conn: &Connection, pr_id: i64, e: &PrEvent) -> Result<()> {
    let actor = accounts::upsert_opt(conn, e.actor.as_ref())?;
    let subject = accounts::upsert_opt(conn, e.subject.as_ref())?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO pr_events (pr_id, external_id, event, actor_account_id, subject_account_id, detail, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (pr_id, external_id) DO UPDATE SET
             event = excluded.event, actor_account_id = excluded.actor_account_id,
             subject_account_id = excluded.subject_account_id, detail = excluded.detail,
             created_at = excluded.created_at",
    )?;
    stmt.execute(params![
        pr_id,
        e.external_id,
        e.event,
        actor,
        subject,
        e.detail,
        e.created_at
    ])?;
    Ok(())
}

/// Write a comment on pull request `pr_number`; `Ok(false)` when that PR is not in the store.
pub fn upsert_pr_comment(conn: &Connection, repo_id: i64, c: &PrComment) -> Result<bool> {
    let pr_id: Option<i64> = conn
        .query_row(
            "SELECT id FROM pull_requests WHERE repo_id = ?1 AND number = ?2",
            params![repo_id, c.pr_number],
            |r| r.get(0),
        )
        .optional()?;
    let Some(pr_id) = pr_id else { return Ok(false) };
    let author = accounts::upsert_opt(conn, c.author.as_ref())?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO pr_comments (pr_id, kind, external_id, author_account_id, body, path, line, in_reply_to,
                                  review_external_id, created_at, updated_at, html_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (kind, external_id) DO UPDATE SET
             pr_id = excluded.pr_id, author_account_id = excluded.author_account_id, body = excluded.body,
             path = excluded.path, line = excluded.line, in_reply_to = excluded.in_reply_to,
             review_external_id = excluded.review_external_id, created_at = excluded.created_at,
             updated_at = excluded.updated_at, html_url = excluded.html_url",
    )?;
    stmt.execute(params![
        pr_id,
        c.kind.as_str(),
        c.external_id,
        author,
        c.body,
        c.path,
        c.line,
        c.in_reply_to,
        c.review_external_id,
        c.created_at,
        c.updated_at,
        c.html_url
    ])?;
    Ok(true)
}

pub fn upsert_deployment(conn: &Connection, repo_id: i64, d: &Deployment) -> Result<i64> {
    let creator = accounts::upsert_opt(conn, d.creator.as_ref())?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO deployments (repo_id, kind, external_id, sha, ref_name, environment, production, task, description,
                                  creator_account_id, created_at, updated_at, payload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (repo_id, kind, external_id) DO UPDATE SET
             sha = excluded.sha, ref_name = excluded.ref_name, environment = excluded.environment,
             production = excluded.production, task = excluded.task, description = excluded.description,
             creator_account_id = excluded.creator_account_id, created_at = excluded.created_at,
             updated_at = excluded.updated_at, payload = excluded.payload
         RETURNING id",
    )?;
    let id: i64 = stmt.query_row(
        params![
            repo_id,
            d.kind.as_str(),
            d.external_id,
            d.sha,
            d.ref_name,
            d.environment,
            d.production,
            d.task,
            d.description,
            creator,
            d.created_at,
            d.updated_at,
            d.payload
        ],
        |r| r.get(0),
    )?;
    let mut st = conn.prepare_cached(
        "INSERT INTO deployment_statuses (deployment_id, external_id, state, description, environment, created_at, log_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (deployment_id, external_id) DO UPDATE SET
             state = excluded.state, description = excluded.description, environment = excluded.environment,
             created_at = excluded.created_at, log_url = excluded.log_url",
    )?;
    for s in &d.statuses {
        st.execute(params![
            id,
            s.external_id,
            s.state,
            s.description,
            s.environment,
            s.created_at,
            s.log_url
        ])?;
    }
    Ok(id)
}

/// Add or update statuses of a stored deployment; `Ok(false)` when the deployment is unknown.
pub fn upsert_deployment_statuses(
    conn: &Connection,
    repo_id: i64,
    kind: &str,
    external_id: &str,
    statuses: &[DeploymentStatus],
) -> Result<bool> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM deployments WHERE repo_id = ?1 AND kind = ?2 AND external_id = ?3",
            params![repo_id, kind, external_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(id) = id else { return Ok(false) };
    let mut st = conn.prepare_cached(
        "INSERT INTO deployment_statuses (deployment_id, external_id, state, description, environment, created_at, log_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (deployment_id, external_id) DO UPDATE SET
             state = excluded.state, description = excluded.description, environment = excluded.environment,
             created_at = excluded.created_at, log_url = excluded.log_url",
    )?;
    for s in statuses {
        st.execute(params![
            id,
            s.external_id,
            s.state,
            s.description,
            s.environment,
            s.created_at,
            s.log_url
        ])?;
    }
    Ok(true)
}

/// Deployments of a repo with whether their latest status is final (success, failure, error,
/// inactive).
pub fn deployment_states(
    conn: &Connection,
    repo_id: i64,
) -> Result<std::collections::HashMap<String, bool>> {
    let mut stmt = conn.prepare(
        "SELECT d.external_id,
                coalesce((SELECT s.state FROM deployment_statuses s WHERE s.deployment_id = d.id
                          ORDER BY s.created_at DESC, s.id DESC LIMIT 1), 'pending')
         FROM deployments d WHERE d.repo_id = ?1 AND d.kind = 'github_deployment'",
    )?;
    let rows = stmt
        .query_map([repo_id], |r| {
            let state: String = r.get(1)?;
            Ok((
                r.get::<_, String>(0)?,
                matches!(state.as_str(), "success" | "failure" | "error" | "inactive"),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// GitHub deployments of a repo as (environment, sha, created_at): the trace a workflow job leaves
/// when it deploys to an environment.
pub fn environment_deployments(
    conn: &Connection,
    repo_id: i64,
) -> Result<Vec<(String, String, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT environment, sha, created_at FROM deployments
         WHERE repo_id = ?1 AND kind = 'github_deployment' ORDER BY created_at, id",
    )?;
    let rows = stmt
        .query_map([repo_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Stored `updated_at` of a repo's deployments of one kind, by external id (to skip unchanged
/// workflow runs).
pub fn deployment_versions(
    conn: &Connection,
    repo_id: i64,
    kind: &str,
) -> Result<std::collections::HashMap<String, Option<i64>>> {
    let mut stmt = conn.prepare(
        "SELECT external_id, updated_at FROM deployments WHERE repo_id = ?1 AND kind = ?2",
    )?;
    let rows = stmt
        .query_map(params![repo_id, kind], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Stored `updated_at` of each pull request of a repo (to skip unchanged ones).
pub fn pull_request_versions(
    conn: &Connection,
    repo_id: i64,
) -> Result<std::collections::HashMap<i64, i64>> {
    let mut stmt =
        conn.prepare("SELECT number, updated_at FROM pull_requests WHERE repo_id = ?1")?;
    let rows = stmt
        .query_map([repo_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// GitHub deployments whose latest status is not final yet (their statuses may still change).
pub fn unfinished_deployments(conn: &Connection, repo_id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT d.external_id FROM deployments d
         WHERE d.repo_id = ?1 AND d.kind = 'github_deployment'
           AND coalesce((SELECT s.state FROM deployment_statuses s WHERE s.deployment_id = d.id
                          ORDER BY s.created_at DESC, s.id DESC LIMIT 1), 'pending')
               IN ('pending', 'queued', 'in_progress')
         ORDER BY d.created_at",
    )?;
    let ids = stmt
        .query_map([repo_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

pub fn upsert_release(conn: &Connection, repo_id: i64, r: &Release) -> Result<()> {
    let author = accounts::upsert_opt(conn, r.author.as_ref())?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO releases (repo_id, external_id, tag_name, name, target_commitish, draft, prerelease, created_at,
                               published_at, author_account_id, body, html_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (repo_id, external_id) DO UPDATE SET
             tag_name = excluded.tag_name, name = excluded.name, target_commitish = excluded.target_commitish,
             draft = excluded.draft, prerelease = excluded.prerelease, created_at = excluded.created_at,
             published_at = excluded.published_at, author_account_id = excluded.author_account_id,
             body = excluded.body, html_url = excluded.html_url",
    )?;
    stmt.execute(params![
        repo_id,
        r.external_id,
        r.tag_name,
        r.name,
        r.target_commitish,
        r.draft,
        r.prerelease,
        r.created_at,
        r.published_at,
        author,
        r.body,
        r.html_url
    ])?;
    Ok(())
}

/// Replace the repository's tag set with `tags` (a provider lists tags in full).
pub fn replace_tags(conn: &Connection, repo_id: i64, tags: &[Tag]) -> Result<()> {
    conn.execute("DELETE FROM tags WHERE repo_id = ?1", [repo_id])?;
    let mut stmt = conn.prepare_cached(
        "INSERT OR REPLACE INTO tags (repo_id, name, sha, tagged_at, annotated, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for t in tags {
        stmt.execute(params![
            repo_id,
            t.name,
            t.sha,
            t.tagged_at,
            t.annotated,
            t.message
        ])?;
    }
    Ok(())
}

/// Open pull requests of a repo with their head commit (to re-check CI on them).
pub fn open_pull_request_heads(conn: &Connection, repo_id: i64) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare(
        "SELECT number, head_sha FROM pull_requests WHERE repo_id = ?1 AND state = 'open' AND head_sha IS NOT NULL
         ORDER BY number",
    )?;
    let rows = stmt
        .query_map([repo_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Code-owner rules of a repo in file order.
pub fn code_owners(conn: &Connection, repo_id: i64) -> Result<Vec<CodeOwnerRule>> {
    let mut stmt = conn
        .prepare("SELECT pattern, owners FROM code_owners WHERE repo_id = ?1 ORDER BY position")?;
    let rows = stmt
        .query_map([repo_id], |r| {
            let owners: String = r.get(1)?;
            Ok(CodeOwnerRule {
                pattern: r.get(0)?,
                owners: crate::json_list(&owners),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Local git repositories (appended for the git connector)
// ---------------------------------------------------------------------------------------------

/// The `external_id` of a repository by its natural key (`None` when the repo is unknown or has
/// none): the git connector keeps a clone's canonical path there to detect two clones whose
/// names collide.
pub fn repo_external_id(
    conn: &Connection,
    provider: &str,
    full_name: &str,
) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT external_id FROM repos WHERE provider = ?1 AND full_name = ?2",
            params![provider, full_name],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

/// Replace the repository's branch set with `branches` as `(name, sha)` pairs.
pub fn replace_branches(
    conn: &Connection,
    repo_id: i64,
    branches: &[(String, String)],
) -> Result<()> {
    conn.execute("DELETE FROM branches WHERE repo_id = ?1", [repo_id])?;
    let mut stmt = conn.prepare_cached(
        "INSERT OR REPLACE INTO branches (repo_id, name, sha) VALUES (?1, ?2, ?3)",
    )?;
    for (name, sha) in branches {
        stmt.execute(params![repo_id, name, sha])?;
    }
    Ok(())
}

/// Branches of a repo as `(name, sha)`, by name.
pub fn branches(conn: &Connection, repo_id: i64) -> Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare("SELECT name, sha FROM branches WHERE repo_id = ?1 ORDER BY name")?;
    let rows = stmt
        .query_map([repo_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Every stored commit of a repo with its `on_default_branch` flag.
pub fn commit_flags(conn: &Connection, repo_id: i64) -> Result<Vec<(String, bool)>> {
    let mut stmt =
        conn.prepare("SELECT sha, on_default_branch FROM commits WHERE repo_id = ?1 ORDER BY sha")?;
    let rows = stmt
        .query_map([repo_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Set `on_default_branch` of the given commits (either way, unlike [`upsert_commit`], which
/// only ever turns it on: a rewritten default branch leaves commits that are no longer on it).
pub fn set_on_default_branch(
    conn: &Connection,
    repo_id: i64,
    shas: &[String],
    on: bool,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "UPDATE commits SET on_default_branch = ?3 WHERE repo_id = ?1 AND sha = ?2 AND on_default_branch <> ?3",
    )?;
    for sha in shas {
        stmt.execute(params![repo_id, sha, on])?;
    }
    Ok(())
}

/// Delete commits (and their parent links) of a repo: history rewritten away in a local clone.
pub fn delete_commits(conn: &Connection, repo_id: i64, shas: &[String]) -> Result<usize> {
    let mut commits = conn.prepare_cached("DELETE FROM commits WHERE repo_id = ?1 AND sha = ?2")?;
    let mut parents =
        conn.prepare_cached("DELETE FROM commit_parents WHERE repo_id = ?1 AND sha = ?2")?;
    let mut n = 0;
    for sha in shas {
        n += commits.execute(params![repo_id, sha])?;
        parents.execute(params![repo_id, sha])?;
    }
    Ok(n)
}

/// Delete a repo's deployments of `kind` whose external id is not in `keep`, with their statuses
/// (tags deleted or no longer matching the release pattern). Returns how many went.
pub fn delete_deployments_except(
    conn: &Connection,
    repo_id: i64,
    kind: &str,
    keep: &[String],
) -> Result<usize> {
    let keep: std::collections::HashSet<&str> = keep.iter().map(String::as_str).collect();
    let stale: Vec<(i64, String)> = conn
        .prepare("SELECT id, external_id FROM deployments WHERE repo_id = ?1 AND kind = ?2")?
        .query_map(params![repo_id, kind], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(i64, String)>>>()?
        .into_iter()
        .filter(|(_, ext)| !keep.contains(ext.as_str()))
        .collect();
    for (id, _) in &stale {
        conn.execute(
            "DELETE FROM deployment_statuses WHERE deployment_id = ?1",
            [id],
        )?;
        conn.execute("DELETE FROM deployments WHERE id = ?1", [id])?;
    }
    Ok(stale.len())
}

/// The repository `key` names: its `owner/name`, its name or its id (the lowest id first).
pub fn repo_id_by_key(conn: &Connection, key: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM repos WHERE full_name = ?1 OR name = ?1 OR CAST(id AS TEXT) = ?1 ORDER BY id LIMIT 1",
            params![key],
            |r| r.get(0),
        )
        .optional()?)
}

/// The source a GitHub repository (`owner/name`) was synced from, when known.
pub fn github_repo_source(conn: &Connection, full_name: &str) -> Result<Option<i64>> {
    let s: Option<Option<i64>> = conn
        .query_row(
            "SELECT source_id FROM repos WHERE full_name = ?1 AND provider = 'github'",
            [full_name],
            |r| r.get(0),
        )
        .optional()?;
    Ok(s.flatten())
}
