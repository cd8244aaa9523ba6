//! Builders for hand-made datasets in tests.

use crate::data::*;
use bosun_core::model::{StatusCategory, WorkType};
use bosun_core::time::Ts;

pub const H: i64 = bosun_core::time::HOUR;
pub const D: i64 = bosun_core::time::DAY;
/// Monday 2026-01-05 00:00:00 UTC.
pub const T0: Ts = 1_767_571_200;

pub fn repo(id: i64, team: &str, service: &str) -> Repo {
    Repo {
        id,
        full_name: format!("org/r{id}"),
        team: Some(team.into()),
        service: Some(service.into()),
    }
}

pub fn commit(repo: i64, sha: &str, parents: &[&str], authored: Ts) -> Commit {
    Commit {
        repo,
        sha: sha.into(),
        authored_at: authored,
        committed_at: authored + 60,
        parents: parents.iter().map(|p| p.to_string()).collect(),
        author: Some(1),
        author_is_bot: false,
        subject: format!("change {sha}"),
    }
}

pub fn deploy(id: i64, repo: i64, sha: &str, at: Ts) -> Deployment {
    Deployment {
        id,
        external_id: format!("{}", 9000 + id),
        repo,
        environment: "production".into(),
        production: true,
        sha: sha.into(),
        created_at: at - 300,
        succeeded_at: Some(at),
        failed_at: None,
        kind: bosun_core::model::DeploymentKind::GithubDeployment,
        description: String::new(),
        payload: String::new(),
    }
}

pub fn pr(
    id: i64,
    repo: i64,
    number: i64,
    commits: &[&str],
    merge_sha: Option<&str>,
    merged: Option<Ts>,
) -> PullRequest {
    PullRequest {
        id,
        repo,
        number,
        title: format!("PR {number}"),
        body: String::new(),
        author: Some(1),
        author_is_bot: false,
        created_at: merged.unwrap_or(T0) - 2 * D,
        ready_at: None,
        draft: false,
        merged_at: merged,
        closed_at: merged,
        merge_commit_sha: merge_sha.map(str::to_string),
        head_sha: commits.last().map(|s| s.to_string()),
        additions: 40,
        deletions: 10,
        labels: vec![],
        commits: commits.iter().map(|s| s.to_string()).collect(),
        reviews: vec![],
        requested: vec![],
    }
}

pub fn incident(id: i64, service: &str, created: Ts, resolved: Option<Ts>) -> Incident {
    Incident {
        id,
        external_id: format!("P{id}"),
        service: Some(service.into()),
        created_at: created,
        resolved_at: resolved,
        deployment: None,
        notes: vec![],
        urgency: Some("high".into()),
        title: "down".into(),
    }
}

pub fn ticket(id: i64, team: &str, periods: &[(StatusCategory, Ts)], points: f64) -> Ticket {
    let ps: Vec<StatusPeriod> = periods
        .iter()
        .enumerate()
        .map(|(i, (c, t))| StatusPeriod {
            category: *c,
            status: format!("{c:?}"),
            entered_at: *t,
            left_at: periods.get(i + 1).map(|n| n.1),
        })
        .collect();
    let last = ps.last().map_or(StatusCategory::Todo, |p| p.category);
    Ticket {
        id,
        key: format!("T-{id}"),
        summary: format!("ticket {id}"),
        team: Some(team.into()),
        work_type: WorkType::Feature,
        status: format!("{last:?}"),
        status_category: last,
        created_at: periods.first().map_or(T0, |p| p.1),
        resolved_at: (last == StatusCategory::Done).then(|| ps.last().map_or(T0, |p| p.entered_at)),
        story_points: Some(points),
        assignee: Some(1),
        flagged: false,
        blocked_by: vec![],
        periods: ps,
        sprints: vec![],
    }
}
