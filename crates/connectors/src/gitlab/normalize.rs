//! GitLab payloads → Bosun records: a merge request is a pull request, its approvals and
//! change requests (GitLab's system notes) and the discussions others start are its reviews, its
//! notes are its comments, a pipeline's jobs are check runs, and a deployment to an environment
//! is a deployment whose one status is where it ended.

use super::api;
use crate::github::Production;
use bosun_core::model::{
    Account, CheckRun, CommentKind, Commit, Deployment, DeploymentKind, DeploymentStatus,
    PrComment, PrEvent, PrState, Provider, PullRequest, Release, Repo, Review, Tag,
};
use std::collections::HashMap;

/// GitLab's own bot users: project, group and service-account token users
/// (`project_12_bot_3f2a`, `group_7_bot`, `service_account_…`), the instance's internal users
/// (`ghost`, `support-bot`, `alert-bot`, ...) and GitHub-style `[bot]` apps. A person's account
/// that automates things (`release-bot`) is an account like any other, as on GitHub; the
/// configuration's `bot_patterns` names those.
pub fn is_bot_username(username: &str) -> bool {
    let u = username.to_ascii_lowercase();
    let token_bot = ["project_", "group_"].iter().any(|p| {
        u.strip_prefix(p).is_some_and(|rest| {
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && rest[digits..].starts_with("_bot")
        })
    });
    const INTERNAL: &[&str] = &[
        "ghost",
        "support-bot",
        "alert-bot",
        "visual-review-bot",
        "migration-bot",
        "security-bot",
        "automation-bot",
        "admin-bot",
        "suggested-reviewers-bot",
        "llm-bot",
        "duo-code-review-bot",
    ];
    token_bot
        || u.starts_with("service_account_")
        || u.ends_with("[bot]")
        || INTERNAL.contains(&u.as_str())
}

pub fn account(u: &api::User) -> Account {
    Account {
        provider: Provider::Gitlab,
        external_id: u.id.to_string(),
        login: Some(u.username.clone()),
        display_name: u.name.clone().filter(|n| !n.trim().is_empty()),
        email: u.public_email.clone().filter(|e| !e.is_empty()),
        is_bot: u.bot == Some(true) || is_bot_username(&u.username),
        html_url: u.web_url.clone(),
    }
}

fn account_opt(u: &Option<api::User>) -> Option<Account> {
    u.as_ref().map(account)
}

pub fn repo(p: &api::Project) -> Repo {
    Repo {
        provider: Provider::Gitlab,
        external_id: p.id.to_string(),
        owner: p.namespace.full_path.clone(),
        name: p.path.clone(),
        default_branch: p.default_branch.clone().unwrap_or_else(|| "main".into()),
        description: p.description.clone().filter(|d| !d.is_empty()),
        html_url: p.web_url.clone(),
        archived: p.archived,
    }
}

/// A commit; GitLab's lists give names and emails, not accounts (identity links them by email).
/// A payload without dates (older GitLab) takes `created_at` for both.
pub fn commit(c: &api::Commit) -> Option<Commit> {
    let authored = c.authored_date.or(c.created_at).or(c.committed_date)?.0;
    let committed = c.committed_date.or(c.created_at).map_or(authored, |t| t.0);
    Some(Commit {
        sha: c.id.clone(),
        author_name: c.author_name.clone(),
        author_email: c.author_email.clone(),
        author: None,
        authored_at: authored,
        committer_name: c.committer_name.clone(),
        committer_email: c.committer_email.clone(),
        committer: None,
        committed_at: committed,
        message: c
            .message
            .clone()
            .or_else(|| c.title.clone())
            .unwrap_or_default(),
        parents: c.parent_ids.clone(),
        html_url: c.web_url.clone(),
    })
}

/// A merge request as a pull request. A merged one is closed when it merged (GitLab leaves
/// `closed_at` empty); its merge commit is the squash commit when there is no merge commit.
pub fn pull(m: &api::MergeRequest) -> PullRequest {
    let merged = m.state == "merged" || m.merged_at.is_some();
    let merged_at = m.merged_at.map(|t| t.0).or(if merged {
        // GitLab before 13.x could leave a merged MR's `merged_at` empty: its last update is
        // the closest time it gives.
        Some(m.updated_at.0)
    } else {
        None
    });
    let state = if m.state == "opened" || m.state == "locked" {
        PrState::Open
    } else {
        PrState::Closed
    };
    PullRequest {
        external_id: m.id.to_string(),
        number: m.iid,
        title: m.title.clone(),
        body: m.description.clone().filter(|d| !d.is_empty()),
        state,
        draft: m.draft.or(m.work_in_progress).unwrap_or(false),
        merged,
        author: account_opt(&m.author),
        created_at: m.created_at.0,
        updated_at: m.updated_at.0,
        closed_at: m.closed_at.map(|t| t.0).or(merged_at),
        merged_at,
        merged_by: account_opt(&m.merge_user).or_else(|| account_opt(&m.merged_by)),
        merge_commit_sha: if merged {
            m.merge_commit_sha
                .clone()
                .or_else(|| m.squash_commit_sha.clone())
        } else {
            None
        },
        head_sha: m.sha.clone(),
        head_ref: m.source_branch.clone(),
        base_ref: m.target_branch.clone(),
        additions: None,
        deletions: None,
        changed_files: m
            .changes_count
            .as_deref()
            .and_then(|c| c.trim_end_matches('+').parse().ok()),
        commits_count: None,
        labels: m.labels.clone(),
        html_url: m.web_url.clone(),
        requested_reviewers: m.reviewers.iter().map(account).collect(),
        requested_teams: Vec::new(),
    }
}

/// What a system note records, when it is one Bosun reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemNote {
    Approved,
    Unapproved,
    RequestedChanges,
    ReviewRequested(Vec<String>),
    Ready,
    Draft,
    Labeled(Vec<String>),
    Assigned(Vec<String>),
}

/// Read a system note's body (`approved this merge request`, `requested review from @a and @b`,
/// `added ~"backend" ~"bug" labels`, ...); `None` for the many Bosun does not use.
pub fn system_note(body: &str) -> Option<SystemNote> {
    let b = body.trim();
    let lower = b.to_ascii_lowercase();
    if lower.starts_with("approved this merge request") {
        return Some(SystemNote::Approved);
    }
    if lower.starts_with("unapproved this merge request") {
        return Some(SystemNote::Unapproved);
    }
    if lower.starts_with("requested changes") {
        return Some(SystemNote::RequestedChanges);
    }
    if let Some(rest) = lower.strip_prefix("requested review from ") {
        return Some(SystemNote::ReviewRequested(mentions(
            &b[b.len() - rest.len()..],
        )));
    }
    if lower.starts_with("marked this merge request as **ready**")
        || lower.starts_with("marked this merge request as ready")
        || lower.starts_with("marked as ready")
    {
        return Some(SystemNote::Ready);
    }
    if lower.starts_with("marked this merge request as **draft**")
        || lower.starts_with("marked this merge request as draft")
        || lower.starts_with("marked as a **work in progress**")
    {
        return Some(SystemNote::Draft);
    }
    if let Some(rest) = lower.strip_prefix("assigned to ") {
        return Some(SystemNote::Assigned(mentions(&b[b.len() - rest.len()..])));
    }
    if lower.starts_with("added ~") {
        let labels = labels_added(b);
        return (!labels.is_empty()).then_some(SystemNote::Labeled(labels));
    }
    None
}

/// `@alice and @bob` → alice, bob (up to the first sentence that is not a list of mentions).
fn mentions(text: &str) -> Vec<String> {
    text.split_whitespace()
        .take_while(|w| w.starts_with('@') || *w == "and" || *w == ",")
        .filter_map(|w| w.strip_prefix('@'))
        .map(|w| w.trim_end_matches([',', '.']).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The labels of `added ~"a b" ~bug labels` (and `and removed ...`: only what was added).
fn labels_added(body: &str) -> Vec<String> {
    let added = body.split(" and removed ").next().unwrap_or(body);
    let mut out = Vec::new();
    let mut rest = added;
    while let Some(i) = rest.find('~') {
        rest = &rest[i + 1..];
        if let Some(quoted) = rest.strip_prefix('"') {
            if let Some(end) = quoted.find('"') {
                out.push(quoted[..end].to_string());
                rest = &quoted[end + 1..];
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let name = &rest[..end];
            // `~123` is a label by id, which the API resolves only with another request.
            if !name.is_empty() && !name.chars().all(|c| c.is_ascii_digit()) {
                out.push(name.to_string());
            }
            rest = &rest[end..];
        }
    }
    out
}

/// What a merge request's discussions and approvals say: reviews, events and comments.
#[derive(Debug, Default)]
pub struct Conversation {
    pub reviews: Vec<Review>,
    pub events: Vec<PrEvent>,
    pub comments: Vec<PrComment>,
}

/// Reviews, events and comments from a merge request's discussions, plus approvals that left
/// no note (an approval is always written as a note by GitLab, but a token may not see notes).
///
/// - `approved this merge request` → APPROVED, `requested changes` → CHANGES_REQUESTED,
///   `unapproved this merge request` → DISMISSED, at the note's time;
/// - a discussion a human other than the author starts → COMMENTED at its first note (GitLab has
///   no review object: a thread opened on someone's merge request is review feedback);
/// - every note that is not a system note is a comment (on the diff when it has a position),
///   replies pointing at their thread's first note.
pub fn conversation(
    m: &api::MergeRequest,
    discussions: &[api::Discussion],
    approvals: &api::Approvals,
) -> Conversation {
    let mut out = Conversation::default();
    let author_id = m.author.as_ref().map(|a| a.id);
    // Usernames a system note may mention, with their accounts.
    let mut people: HashMap<String, &api::User> = HashMap::new();
    for u in m
        .reviewers
        .iter()
        .chain(m.author.iter())
        .chain(approvals.approved_by.iter().map(|a| &a.user))
        .chain(
            discussions
                .iter()
                .flat_map(|d| &d.notes)
                .filter_map(|n| n.author.as_ref()),
        )
    {
        people.entry(u.username.to_ascii_lowercase()).or_insert(u);
    }
    let find = |name: &str| people.get(&name.to_ascii_lowercase()).map(|u| account(u));
    for d in discussions {
        let Some(first) = d.notes.first() else {
            continue;
        };
        for n in &d.notes {
            if n.system {
                system_records(&mut out, n, &find, m);
                continue;
            }
            let diff = n.position.as_ref();
            out.comments.push(PrComment {
                external_id: n.id.to_string(),
                kind: if n.kind.as_deref() == Some("DiffNote") || diff.is_some() {
                    CommentKind::Review
                } else {
                    CommentKind::Issue
                },
                pr_number: m.iid,
                author: account_opt(&n.author),
                body: n.body.clone(),
                path: diff.and_then(|p| p.new_path.clone().or_else(|| p.old_path.clone())),
                line: diff.and_then(|p| p.new_line.or(p.old_line)),
                in_reply_to: (n.id != first.id).then(|| first.id.to_string()),
                review_external_id: None,
                created_at: n.created_at.0,
                updated_at: n.updated_at.map(|t| t.0),
                html_url: m.web_url.as_ref().map(|u| format!("{u}#note_{}", n.id)),
            });
        }
        let opener = first.author.as_ref();
        let by_other_human = opener.is_some_and(|a| {
            Some(a.id) != author_id && a.bot != Some(true) && !is_bot_username(&a.username)
        });
        if !first.system && by_other_human {
            out.reviews.push(Review {
                external_id: first.id.to_string(),
                reviewer: opener.map(account),
                state: "COMMENTED".into(),
                submitted_at: Some(first.created_at.0),
                body: Some(first.body.clone()).filter(|b| !b.is_empty()),
                commit_sha: first.position.as_ref().and_then(|p| p.head_sha.clone()),
                html_url: m.web_url.as_ref().map(|u| format!("{u}#note_{}", first.id)),
            });
        }
    }
    // Approvals GitLab lists with no note seen: kept, without a time.
    for a in &approvals.approved_by {
        let noted = out.reviews.iter().any(|r| {
            r.state == "APPROVED"
                && r.reviewer.as_ref().map(|x| x.external_id.as_str())
                    == Some(&a.user.id.to_string())
        });
        if !noted {
            out.reviews.push(Review {
                external_id: format!("approval-{}", a.user.id),
                reviewer: Some(account(&a.user)),
                state: "APPROVED".into(),
                submitted_at: None,
                body: None,
                commit_sha: None,
                html_url: m.web_url.clone(),
            });
        }
    }
    out
}

fn system_records(
    out: &mut Conversation,
    n: &api::Note,
    find: &impl Fn(&str) -> Option<Account>,
    m: &api::MergeRequest,
) {
    let Some(what) = system_note(&n.body) else {
        return;
    };
    let review = |state: &str| Review {
        external_id: n.id.to_string(),
        reviewer: account_opt(&n.author),
        state: state.into(),
        submitted_at: Some(n.created_at.0),
        body: None,
        commit_sha: None,
        html_url: m.web_url.as_ref().map(|u| format!("{u}#note_{}", n.id)),
    };
    let event = |i: usize, name: &str, subject: Option<Account>, detail: Option<String>| PrEvent {
        external_id: if i == 0 {
            n.id.to_string()
        } else {
            format!("{}-{i}", n.id)
        },
        event: name.into(),
        actor: account_opt(&n.author),
        subject,
        detail,
        created_at: n.created_at.0,
    };
    match what {
        SystemNote::Approved => out.reviews.push(review("APPROVED")),
        SystemNote::RequestedChanges => out.reviews.push(review("CHANGES_REQUESTED")),
        SystemNote::Unapproved => out.reviews.push(review("DISMISSED")),
        SystemNote::Ready => out.events.push(event(0, "ready_for_review", None, None)),
        SystemNote::Draft => out.events.push(event(0, "convert_to_draft", None, None)),
        SystemNote::ReviewRequested(names) => {
            for (i, name) in names.iter().enumerate() {
                out.events
                    .push(event(i, "review_requested", find(name), None));
            }
        }
        SystemNote::Assigned(names) => {
            for (i, name) in names.iter().enumerate() {
                out.events.push(event(i, "assigned", find(name), None));
            }
        }
        SystemNote::Labeled(labels) => {
            for (i, label) in labels.into_iter().enumerate() {
                out.events.push(event(i, "labeled", None, Some(label)));
            }
        }
    }
}

/// A pipeline job as a check run (GitHub's words for its state: a failed job allowed to fail
/// is `neutral`, as it does not fail the pipeline).
pub fn check_run(j: &api::Job, sha: &str) -> CheckRun {
    let (status, conclusion) = match j.status.as_str() {
        "success" => ("completed", Some("success")),
        "failed" if j.allow_failure => ("completed", Some("neutral")),
        "failed" => ("completed", Some("failure")),
        "canceled" | "canceling" => ("completed", Some("cancelled")),
        "skipped" => ("completed", Some("skipped")),
        "manual" => ("completed", Some("action_required")),
        "running" => ("in_progress", None),
        _ => ("queued", None),
    };
    CheckRun {
        external_id: j.id.to_string(),
        head_sha: j
            .commit
            .as_ref()
            .and_then(|c| c.id.clone())
            .unwrap_or_else(|| sha.to_string()),
        name: match j.stage.as_deref() {
            Some(stage) if !stage.is_empty() => format!("{stage} / {}", j.name),
            _ => j.name.clone(),
        },
        status: status.into(),
        conclusion: conclusion.map(str::to_string),
        started_at: j.started_at.or(j.created_at).map(|t| t.0),
        completed_at: if status == "completed" {
            j.finished_at.map(|t| t.0)
        } else {
            None
        },
        app: Some("gitlab-ci".into()),
        html_url: j.web_url.clone(),
    }
}

/// GitLab's deployment status in GitHub's words (what the deployment metrics read).
fn deployment_state(status: &str) -> &'static str {
    match status {
        "success" => "success",
        "failed" => "failure",
        "canceled" | "skipped" => "error",
        "running" => "in_progress",
        "blocked" => "pending",
        _ => "queued",
    }
}

/// A deployment with one status, where it stands now (at when it finished, or its last update).
/// Production: the source's names or pattern when it gives some, else the environment's tier,
/// else a name like production.
pub fn deployment(d: &api::Deployment, production: &Production) -> Deployment {
    let state = deployment_state(&d.status);
    let at = d
        .finished_at
        .or(d.updated_at)
        .map_or(d.created_at.0, |t| t.0);
    let tier = d.environment.tier.as_deref();
    Deployment {
        external_id: d.id.to_string(),
        kind: DeploymentKind::GitlabDeployment,
        sha: d.sha.clone(),
        ref_name: d.ref_name.clone(),
        environment: d.environment.name.clone(),
        production: production.is_production(&d.environment.name, tier.map(|t| t == "production")),
        task: Some("deploy".into()),
        description: None,
        creator: account_opt(&d.user),
        created_at: d.created_at.0,
        updated_at: Some(at),
        payload: d
            .iid
            .map(|iid| serde_json::json!({ "iid": iid }).to_string()),
        statuses: vec![DeploymentStatus {
            external_id: format!("{}-{}", d.id, d.status),
            state: state.into(),
            description: None,
            environment: Some(d.environment.name.clone()),
            created_at: at,
            log_url: d.deployable.as_ref().and_then(|j| j.web_url.clone()),
        }],
    }
}

pub fn release(r: &api::Release) -> Release {
    Release {
        external_id: r.tag_name.clone(),
        tag_name: r.tag_name.clone(),
        name: r.name.clone().filter(|n| !n.is_empty()),
        target_commitish: r.commit.as_ref().map(|c| c.id.clone()),
        draft: false,
        prerelease: r.upcoming_release,
        created_at: r.created_at.map(|t| t.0),
        published_at: r.released_at.or(r.created_at).map(|t| t.0),
        author: account_opt(&r.author),
        body: r.description.clone().filter(|d| !d.is_empty()),
        html_url: r.links.as_ref().and_then(|l| l.self_url.clone()),
    }
}

/// A tag; `None` when it names no commit.
pub fn tag(t: &api::Tag) -> Option<Tag> {
    let sha = t
        .commit
        .as_ref()
        .map(|c| c.id.clone())
        .or_else(|| t.target.clone())?;
    let message = t.message.clone().filter(|m| !m.trim().is_empty());
    Some(Tag {
        name: t.name.clone(),
        sha,
        tagged_at: None,
        annotated: Some(message.is_some()),
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_notes_read() {
        assert_eq!(
            system_note("approved this merge request"),
            Some(SystemNote::Approved)
        );
        assert_eq!(
            system_note("requested review from @alice and @bob"),
            Some(SystemNote::ReviewRequested(vec![
                "alice".into(),
                "bob".into()
            ]))
        );
        assert_eq!(
            system_note(r#"added ~"needs review" ~backend labels and removed ~"wip" label"#),
            Some(SystemNote::Labeled(vec![
                "needs review".into(),
                "backend".into()
            ]))
        );
        assert_eq!(
            system_note("marked this merge request as **ready**"),
            Some(SystemNote::Ready)
        );
        assert_eq!(system_note("added 3 commits\n\n* abc"), None);
        assert_eq!(system_note("mentioned in issue #12"), None);
    }

    #[test]
    fn bot_usernames() {
        for bot in [
            "project_278964_bot_3f2a1c",
            "group_9970_bot",
            "project_12_bot1",
            "service_account_group_9970_3f2a",
            "support-bot",
            "ghost",
            "dependabot[bot]",
        ] {
            assert!(is_bot_username(bot), "{bot}");
        }
        // A person's automation account is an account like any other (as on GitHub).
        for human in [
            "tkuah",
            "project_manager",
            "robot",
            "bottomley",
            "group_lead",
            "tidewater-release-bot",
        ] {
            assert!(!is_bot_username(human), "{human}");
        }
    }
}
