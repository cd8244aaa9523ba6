//! GitHub payloads → Bosun records.

use super::api;
use crate::{ConnectorError, Result};
use bosun_core::model::{
    Account, CheckRun, CodeOwnerRule, CommentKind, Commit, Deployment, DeploymentKind,
    DeploymentStatus, PrComment, PrEvent, PrState, Provider, PullRequest, Release, Repo, Review,
    Tag, is_bot_login, parse_codeowners,
};

pub fn account(u: &api::User) -> Account {
    Account {
        provider: Provider::Github,
        external_id: u.id.to_string(),
        login: Some(u.login.clone()),
        display_name: u.name.clone(),
        email: u.email.clone(),
        is_bot: u.kind.as_deref() == Some("Bot") || is_bot_login(&u.login),
        html_url: u.html_url.clone(),
    }
}

fn account_opt(u: &Option<api::User>) -> Option<Account> {
    u.as_ref().map(account)
}

pub fn repo(r: &api::Repo) -> Repo {
    Repo {
        provider: Provider::Github,
        external_id: r.id.to_string(),
        owner: r.owner.login.clone(),
        name: r.name.clone(),
        default_branch: r.default_branch.clone().unwrap_or_else(|| "main".into()),
        description: r.description.clone(),
        html_url: r.html_url.clone(),
        archived: r.archived,
    }
}

pub fn commit(c: &api::Commit) -> Commit {
    Commit {
        sha: c.sha.clone(),
        author_name: c.commit.author.name.clone(),
        author_email: c.commit.author.email.clone(),
        author: account_opt(&c.author),
        authored_at: c.commit.author.date.0,
        committer_name: c.commit.committer.name.clone(),
        committer_email: c.commit.committer.email.clone(),
        committer: account_opt(&c.committer),
        committed_at: c.commit.committer.date.0,
        message: c.commit.message.clone(),
        parents: c.parents.iter().map(|p| p.sha.clone()).collect(),
        html_url: c.html_url.clone(),
    }
}

pub fn pull(p: &api::Pull) -> PullRequest {
    let state = if p.state == "open" {
        PrState::Open
    } else {
        PrState::Closed
    };
    PullRequest {
        external_id: p.id.to_string(),
        number: p.number,
        title: p.title.clone(),
        body: p.body.clone(),
        state,
        draft: p.draft.unwrap_or(false),
        merged: p.merged.unwrap_or(p.merged_at.is_some()),
        author: account_opt(&p.user),
        created_at: p.created_at.0,
        updated_at: p.updated_at.0,
        closed_at: p.closed_at.map(|t| t.0),
        merged_at: p.merged_at.map(|t| t.0),
        merged_by: account_opt(&p.merged_by),
        // GitHub reports a test-merge sha for open PRs; only a merged PR's is real.
        merge_commit_sha: p.merged_at.and(p.merge_commit_sha.clone()),
        head_sha: Some(p.head.sha.clone()),
        head_ref: Some(p.head.name.clone()),
        base_ref: Some(p.base.name.clone()),
        additions: p.additions,
        deletions: p.deletions,
        changed_files: p.changed_files,
        commits_count: p.commits,
        labels: p.labels.iter().map(|l| l.name.clone()).collect(),
        html_url: p.html_url.clone(),
        requested_reviewers: p.requested_reviewers.iter().map(account).collect(),
        requested_teams: p.requested_teams.iter().map(|t| t.slug.clone()).collect(),
    }
}

pub fn pull_file(f: &api::PullFile) -> bosun_core::model::PrFile {
    bosun_core::model::PrFile {
        path: f.filename.clone(),
        status: f.status.clone().unwrap_or_else(|| "modified".into()),
        additions: f.additions,
        deletions: f.deletions,
        previous_path: f.previous_filename.clone(),
    }
}

pub fn review(r: &api::Review) -> Review {
    Review {
        external_id: r.id.to_string(),
        reviewer: account_opt(&r.user),
        state: r.state.clone(),
        submitted_at: r.submitted_at.map(|t| t.0),
        body: r.body.clone().filter(|b| !b.is_empty()),
        commit_sha: r.commit_id.clone(),
        html_url: r.html_url.clone(),
    }
}

pub fn check_run(c: &api::CheckRun) -> CheckRun {
    CheckRun {
        external_id: c.id.to_string(),
        head_sha: c.head_sha.clone(),
        name: c.name.clone(),
        status: c.status.clone(),
        conclusion: c.conclusion.clone(),
        started_at: c.started_at.map(|t| t.0),
        completed_at: c.completed_at.map(|t| t.0),
        app: c.app.as_ref().and_then(|a| a.slug.clone()),
        html_url: c.html_url.clone(),
    }
}

/// Timeline items worth keeping as events (issue events with an id and a time).
pub fn events(items: &[api::TimelineItem]) -> Vec<PrEvent> {
    items
        .iter()
        .filter_map(|i| {
            let event = i.event.as_deref()?;
            if !api::KEPT_EVENTS.contains(&event) {
                return None;
            }
            Some(PrEvent {
                external_id: i.id?.to_string(),
                event: event.to_string(),
                actor: account_opt(&i.actor),
                subject: i
                    .requested_reviewer
                    .as_ref()
                    .or(i.assignee.as_ref())
                    .map(account),
                detail: i
                    .label
                    .as_ref()
                    .map(|l| l.name.clone())
                    .or_else(|| {
                        i.requested_team
                            .as_ref()
                            .map(|t| format!("team:{}", t.slug))
                    })
                    .or_else(|| i.commit_id.clone()),
                created_at: i.created_at?.0,
            })
        })
        .collect()
}

/// The number at the end of an API URL (`.../pulls/12`, `.../issues/12`).
pub fn trailing_number(url: &str) -> Option<i64> {
    url.rsplit('/').next()?.parse().ok()
}

/// A review comment, `None` when it names no pull request: older comments carry it only in
/// `_links.pull_request.href`, which is read when `pull_request_url` is missing.
pub fn review_comment(c: &api::ReviewComment) -> Option<PrComment> {
    let pr_number = c
        .pull_request_url
        .as_deref()
        .or_else(|| Some(c.links.as_ref()?.pull_request.as_ref()?.href.as_str()))
        .and_then(trailing_number)?;
    Some(PrComment {
        external_id: c.id.to_string(),
        kind: CommentKind::Review,
        pr_number,
        author: account_opt(&c.user),
        body: c.body.clone(),
        path: c.path.clone(),
        line: c.line.or(c.original_line),
        in_reply_to: c.in_reply_to_id.map(|i| i.to_string()),
        review_external_id: c.pull_request_review_id.map(|i| i.to_string()),
        created_at: c.created_at.0,
        updated_at: Some(c.updated_at.0),
        html_url: c.html_url.clone(),
    })
}

/// An issue comment, when it was made on a pull request (`None` for plain issues).
pub fn issue_comment(c: &api::IssueComment) -> Option<PrComment> {
    if !c.html_url.contains("/pull/") {
        return None;
    }
    Some(PrComment {
        external_id: c.id.to_string(),
        kind: CommentKind::Issue,
        pr_number: trailing_number(&c.issue_url)?,
        author: account_opt(&c.user),
        body: c.body.clone().unwrap_or_default(),
        path: None,
        line: None,
        in_reply_to: None,
        review_external_id: None,
        created_at: c.created_at.0,
        updated_at: Some(c.updated_at.0),
        html_url: Some(c.html_url.clone()),
    })
}

/// Statuses oldest first.
pub fn deployment_statuses(statuses: &[api::DeploymentStatus]) -> Vec<DeploymentStatus> {
    let mut sts: Vec<DeploymentStatus> = statuses
        .iter()
        .map(|s| DeploymentStatus {
            external_id: s.id.to_string(),
            state: s.state.clone(),
            description: s.description.clone(),
            environment: s.environment.clone(),
            created_at: s.created_at.0,
            log_url: s.log_url.clone().or_else(|| s.target_url.clone()),
        })
        .collect();
    sts.sort_by(|a, b| (a.created_at, &a.external_id).cmp(&(b.created_at, &b.external_id)));
    sts
}

pub fn deployment(
    d: &api::Deployment,
    statuses: &[api::DeploymentStatus],
    production: &super::Production,
) -> Deployment {
    let sts = deployment_statuses(statuses);
    let payload = match &d.payload {
        serde_json::Value::Null => None,
        serde_json::Value::Object(m) if m.is_empty() => None,
        v => Some(v.to_string()),
    };
    Deployment {
        external_id: d.id.to_string(),
        kind: DeploymentKind::GithubDeployment,
        sha: d.sha.clone(),
        ref_name: d.ref_name.clone(),
        environment: d.environment.clone(),
        production: production.is_production(&d.environment, d.production_environment),
        task: d.task.clone(),
        description: d.description.clone(),
        creator: account_opt(&d.creator),
        created_at: d.created_at.0,
        updated_at: Some(d.updated_at.0),
        payload,
        statuses: sts,
    }
}

/// A completed run of a deploy workflow as a deployment row: the run's commit, its branch, the
/// workflow as the task, the run's title as the description, and one status per attempt whose
/// `state` is the attempt's conclusion (at the run's last update) — the metrics read the latest
/// one ([`bosun_core::model::RunOutcome::of_state`]). The payload keeps the workflow, event,
/// run number and attempt.
pub fn workflow_run_deployment(
    run: &api::WorkflowRun,
    workflow: &api::Workflow,
    environment: &str,
    production: bool,
) -> Deployment {
    let attempt = run.run_attempt.unwrap_or(1);
    let conclusion = run.conclusion.clone().unwrap_or_else(|| "unknown".into());
    let description = run
        .display_title
        .clone()
        .filter(|t| !t.is_empty())
        .or_else(|| {
            run.head_commit
                .as_ref()
                .and_then(|c| c.message.as_deref())
                .and_then(|m| m.lines().next())
                .map(str::to_string)
        })
        .or_else(|| run.name.clone().filter(|n| !n.is_empty()))
        .unwrap_or_else(|| workflow.name.clone());
    let payload = serde_json::json!({
        "workflow": workflow.name,
        "workflow_id": workflow.id,
        "event": run.event,
        "run_number": run.run_number,
        "run_attempt": attempt,
        "conclusion": conclusion,
    });
    Deployment {
        external_id: run.id.to_string(),
        kind: DeploymentKind::WorkflowRun,
        sha: run.head_sha.clone(),
        ref_name: run.head_branch.clone(),
        environment: environment.to_string(),
        production,
        task: Some(
            workflow
                .path
                .split('@')
                .next()
                .unwrap_or(&workflow.path)
                .to_string(),
        ),
        description: Some(description),
        creator: account_opt(&run.triggering_actor).or_else(|| account_opt(&run.actor)),
        created_at: run.created_at.0,
        updated_at: Some(run.updated_at.0),
        payload: Some(payload.to_string()),
        statuses: vec![DeploymentStatus {
            external_id: format!("attempt-{attempt}"),
            state: conclusion.clone(),
            description: Some(format!("run attempt {attempt}: {conclusion}")),
            environment: Some(environment.to_string()),
            created_at: run.updated_at.0,
            log_url: run.html_url.clone(),
        }],
    }
}

pub fn release(r: &api::Release) -> Release {
    Release {
        external_id: r.id.to_string(),
        tag_name: r.tag_name.clone(),
        name: r.name.clone(),
        target_commitish: r.target_commitish.clone(),
        draft: r.draft,
        prerelease: r.prerelease,
        created_at: r.created_at.map(|t| t.0),
        published_at: r.published_at.map(|t| t.0),
        author: account_opt(&r.author),
        body: r.body.clone(),
        html_url: r.html_url.clone(),
    }
}

pub fn tag(t: &api::Tag) -> Tag {
    Tag {
        name: t.name.clone(),
        sha: t.commit.sha.clone(),
        tagged_at: None,
        annotated: None,
        message: None,
    }
}

/// Decode a contents-API file (base64, possibly with line breaks) into CODEOWNERS rules.
pub fn codeowners(c: &api::Content, url: &str) -> Result<Vec<CodeOwnerRule>> {
    let malformed = |detail: &str| ConnectorError::Malformed {
        url: url.to_string(),
        detail: detail.to_string(),
    };
    if c.kind != "file" || c.encoding.as_deref() != Some("base64") {
        return Err(malformed("CODEOWNERS is not a base64-encoded file"));
    }
    let bytes = base64_decode(c.content.as_deref().unwrap_or(""))
        .ok_or_else(|| malformed("invalid base64"))?;
    let text = String::from_utf8(bytes).map_err(|_| malformed("CODEOWNERS is not UTF-8"))?;
    Ok(parse_codeowners(&text))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let trimmed: Vec<u8> = clean.iter().copied().take_while(|&b| b != b'=').collect();
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    for chunk in trimmed.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_with_line_breaks() {
        assert_eq!(base64_decode("Zm9v\nYmFy\n").unwrap(), b"foobar");
        assert_eq!(base64_decode("Zm8=").unwrap(), b"fo");
        assert_eq!(base64_decode("Zg==").unwrap(), b"f");
        assert!(base64_decode("Zm9*").is_none());
    }

    #[test]
    fn trailing_numbers() {
        assert_eq!(
            trailing_number("https://api.github.com/repos/o/r/pulls/1347"),
            Some(1347)
        );
        assert_eq!(
            trailing_number("https://api.github.com/repos/o/r/pulls/x"),
            None
        );
    }
}
