//! Working agreements are checked by policy (Rego, see `bosun-policy`); this module builds the
//! policy's input from the data and turns the violations it returns into signals. Input: open pull
//! requests, and pull requests merged and production deployments of the last `window_days`.

use crate::ctx::{Ctx, is_open};
use crate::detect::suggest_reviewer;
use crate::model::{ActionKind, Evidence, Kind, Severity, Signal, Subject, Suggestion, Target};
use crate::time::{DAY, local_clock};
use bosun_core::time::Ts;
use bosun_metrics::data::{Deployment, PullRequest};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// Days of merged PRs and deployments the agreements look at.
pub const WINDOW_DAYS: i64 = 7;

/// A violation as the policy returns it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Violation {
    /// The rule broken.
    pub rule: String,
    /// What broke it: `pull_request`, `deployment`, ...
    pub subject_kind: String,
    /// Which one (`repo#123`, ...).
    pub subject_ref: String,
    /// `low`, `medium` or `high`.
    pub severity: String,
    /// Why it counts as broken, in one sentence.
    pub why: String,
    /// What to do about it, when the rule says.
    #[serde(default)]
    pub suggest: Option<String>,
}

fn approvals(pr: &PullRequest, until: Ts) -> usize {
    let mut latest: BTreeMap<i64, &str> = BTreeMap::new();
    for r in &pr.reviews {
        if r.reviewer_is_bot || r.reviewer == pr.author || r.at > until {
            continue;
        }
        if let Some(p) = r.reviewer
            && matches!(
                r.state.as_str(),
                "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED"
            )
        {
            latest.insert(p, r.state.as_str());
        }
    }
    latest.values().filter(|s| **s == "APPROVED").count()
}

fn in_window(pr: &PullRequest, as_of: Ts) -> bool {
    if pr.created_at > as_of {
        return false;
    }
    is_open(pr)
        || pr
            .merged_at
            .is_some_and(|m| m > as_of - WINDOW_DAYS * DAY && m <= as_of)
}

/// A production deployment that succeeded in the window (the policy's input).
fn deploy_in_window(cx: &Ctx<'_>, d: &Deployment) -> bool {
    d.production
        && d.succeeded_at
            .is_some_and(|at| at <= cx.as_of && at > cx.as_of - WINDOW_DAYS * DAY)
}

/// The policy input for the scope's teams.
pub(crate) fn policy_input(cx: &Ctx<'_>) -> Value {
    let (input, as_of) = (cx.input, cx.as_of);
    let mut prs = Vec::new();
    for pr in cx.prs.iter().copied() {
        if !in_window(pr, as_of) {
            continue;
        }
        let merged = pr.merged_at.is_some_and(|m| m <= as_of);
        let x = input.extra.prs.get(&pr.id);
        prs.push(json!({
            "ref": cx.pr_ref(pr),
            "short": cx.pr_short(pr),
            "title": pr.title,
            "branch": x.and_then(|x| x.head_ref.clone()).unwrap_or_default(),
            "body": pr.body.get(..pr.body.len().min(2000)).unwrap_or(""),
            "size": pr.size(),
            "approvals": approvals(pr, pr.merged_at.unwrap_or(as_of).min(as_of)),
            "merged": merged,
            "draft": pr.draft,
            "bot": pr.author_is_bot,
            "team": cx.repo_team(pr.repo),
        }));
    }
    let mut deployments = Vec::new();
    for d in cx
        .deployments
        .iter()
        .copied()
        .filter(|d| deploy_in_window(cx, d))
    {
        let Some(at) = d.succeeded_at else { continue };
        let team = cx.repo_team(d.repo);
        let (minutes, weekday) = local_clock(at, cx.team_offset(team));
        deployments.push(json!({
            "ref": format!("{}@{}", cx.repo_name(d.repo), d.external_id),
            "repo": cx.repo_name(d.repo).rsplit('/').next().unwrap_or_default(),
            "environment": d.environment,
            "production": d.production,
            "local_weekday": weekday,
            "local_minutes": minutes,
            "local_time": format!("{:02}:{:02}", minutes / 60, minutes % 60),
            "team": team,
        }));
    }
    json!({"pull_requests": prs, "deployments": deployments})
}

/// Signals for the violations the policy found.
pub(crate) fn signals(cx: &Ctx<'_>, violations: &[Violation]) -> Vec<Signal> {
    let (input, as_of) = (cx.input, cx.as_of);
    let wanted: std::collections::HashSet<&str> =
        violations.iter().map(|v| v.subject_ref.as_str()).collect();
    let prs: HashMap<String, &PullRequest> = cx
        .prs
        .iter()
        .copied()
        .filter(|p| in_window(p, as_of))
        .map(|p| (cx.pr_ref(p), p))
        .filter(|(r, _)| wanted.contains(r.as_str()))
        .collect();
    let deploys: HashMap<String, &Deployment> = cx
        .deployments
        .iter()
        .copied()
        .filter(|d| deploy_in_window(cx, d))
        .map(|d| (format!("{}@{}", cx.repo_name(d.repo), d.external_id), d))
        .filter(|(r, _)| wanted.contains(r.as_str()))
        .collect();
    let mut out = Vec::new();
    for v in violations {
        let severity = Severity::parse(&v.severity).unwrap_or(Severity::Low);
        let mut s = match v.subject_kind.as_str() {
            "pull_request" => {
                let Some(pr) = prs.get(&v.subject_ref) else {
                    continue;
                };
                let mut s = Signal::new(Kind::WorkingAgreement, cx.pr_subject(pr), severity);
                s.team = cx.repo_team(pr.repo).map(str::to_string);
                s.person = pr.author;
                s.since = Some(pr.merged_at.unwrap_or(pr.created_at));
                s.evidence.push(cx.pr_evidence(pr));
                s.suggestion = suggestion(cx, v, pr);
                s
            }
            "deployment" => {
                let Some(d) = deploys.get(&v.subject_ref) else {
                    continue;
                };
                let name = cx.repo_name(d.repo);
                let mut s = Signal::new(
                    Kind::WorkingAgreement,
                    Subject {
                        kind: "deployment".into(),
                        reference: v.subject_ref.clone(),
                        title: format!(
                            "{} deployment {}",
                            name.rsplit('/').next().unwrap_or(name),
                            d.external_id
                        ),
                        url: None,
                    },
                    severity,
                );
                s.team = cx.repo_team(d.repo).map(str::to_string);
                s.since = d.succeeded_at;
                s.evidence.push(
                    Evidence::new(
                        "deployment",
                        d.external_id.clone(),
                        format!("{} to {}", &d.sha[..d.sha.len().min(7)], d.environment),
                    )
                    .url(
                        input
                            .extra
                            .deployments
                            .get(&d.id)
                            .and_then(|x| x.url.as_deref()),
                    )
                    .at(d.succeeded_at),
                );
                s
            }
            _ => continue,
        };
        s.rule = Some(v.rule.clone());
        s.dedupe_key = format!(
            "working_agreement:{}:{}:{}",
            v.rule, v.subject_kind, v.subject_ref
        );
        s.title = format!("{} ({})", s.subject.title, v.rule.replace('_', " "));
        s.why = v.why.clone();
        out.push(s);
    }
    out
}

fn suggestion(cx: &Ctx<'_>, v: &Violation, pr: &PullRequest) -> Option<Suggestion> {
    if !is_open(pr) {
        return None;
    }
    match v.suggest.as_deref() {
        Some("second_reviewer") => {
            let r = suggest_reviewer(cx, pr).filter(|r| !pr.reviews.iter().any(|x| x.reviewer == Some(*r)))?;
            Some(Suggestion {
                kind: ActionKind::ReviewerRequest,
                target: Target {
                    people: vec![r],
                    repo: Some(cx.repo_name(pr.repo).to_string()),
                    number: Some(pr.number),
                    ..Default::default()
                },
                text: format!("Request a second review from {} (working agreement: PRs this large need two).", cx.name(Some(r))),
                summary: format!("Ask {} for a second review of {}", cx.name(Some(r)), cx.pr_short(pr)),
            })
        }
        Some("ask_for_ticket") => Some(Suggestion {
            kind: ActionKind::PrComment,
            target: Target {
                people: pr.author.into_iter().collect(),
                repo: Some(cx.repo_name(pr.repo).to_string()),
                number: Some(pr.number),
                ..Default::default()
            },
            text: "Which ticket does this PR belong to? Our working agreement is that every PR links one: please add its key (e.g. TIDE-123) to the title or description.".into(),
            summary: format!("Comment on {}: ask for the ticket", cx.pr_short(pr)),
        }),
        _ => None,
    }
}
