//! Pull requests: waiting for a first review past the SLA, approved but unmerged, failing checks
//! on the latest commit, oversized, stale.

use super::suggest_reviewer;
use crate::ctx::{Ctx, is_open};
use crate::input::CheckRun;
use crate::model::{ActionKind, Evidence, Kind, Severity, Signal, Suggestion, Target};
use crate::reruns;
use crate::text::plural;
use crate::time::{DAY, HOUR, human, working_secs};
use bosun_core::time::Ts;
use bosun_metrics::data::PullRequest;
use std::collections::{BTreeMap, HashMap};

pub fn detect(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    let prs: Vec<&PullRequest> = cx
        .prs
        .iter()
        .copied()
        .filter(|p| is_open(p) && p.created_at <= cx.as_of)
        .collect();
    // Check runs of the open PRs' latest commits, by repository and sha.
    let mut heads: HashMap<i64, HashMap<&str, Vec<&CheckRun>>> = HashMap::new();
    for pr in &prs {
        if let Some(h) = pr.head_sha.as_deref() {
            heads.entry(pr.repo).or_default().insert(h, Vec::new());
        }
    }
    for (repo, by_sha) in heads.iter_mut() {
        for c in cx.input.extra.checks.get(repo).into_iter().flatten() {
            if let Some(v) = by_sha.get_mut(c.sha.as_str())
                && c.at() <= cx.as_of
            {
                v.push(c);
            }
        }
    }
    for pr in prs {
        let stale = stale(cx, pr);
        if let Some(s) = stale {
            out.push(s);
        }
        if pr.author_is_bot || pr.draft {
            continue;
        }
        out.extend(review_waiting(cx, pr));
        out.extend(approved_unmerged(cx, pr));
        let checks = pr
            .head_sha
            .as_deref()
            .and_then(|h| heads.get(&pr.repo).and_then(|m| m.get(h)));
        if let Some(checks) = checks {
            out.extend(failing_checks(cx, pr, checks));
        }
        out.extend(oversized(cx, pr));
    }
}

fn base(cx: &Ctx<'_>, kind: Kind, pr: &PullRequest, severity: Severity) -> Signal {
    let mut s = Signal::new(kind, cx.pr_subject(pr), severity);
    s.team = cx.repo_team(pr.repo).map(str::to_string);
    s.person = pr.author;
    s.evidence.push(cx.pr_evidence(pr));
    s
}

fn human_reviews(pr: &PullRequest) -> impl Iterator<Item = &bosun_metrics::data::Review> {
    pr.reviews
        .iter()
        .filter(move |r| !r.reviewer_is_bot && r.reviewer.is_some() && r.reviewer != pr.author)
}

fn review_waiting(cx: &Ctx<'_>, pr: &PullRequest) -> Option<Signal> {
    let ready = pr.ready();
    if human_reviews(pr).any(|r| r.at >= ready && r.at <= cx.as_of) {
        return None;
    }
    let team = cx.repo_team(pr.repo);
    let waited = working_secs(ready, cx.as_of, cx.team_offset(team));
    let st = cx.settings;
    if (waited as f64) <= st.review_sla_hours * HOUR as f64 {
        return None;
    }
    let severity = if waited as f64 > st.review_sla_high_hours * HOUR as f64 {
        Severity::High
    } else {
        Severity::Medium
    };
    let mut s = base(cx, Kind::ReviewWaiting, pr, severity);
    s.since = Some(ready);
    let requested: Vec<(i64, Option<Ts>)> = pr
        .requested
        .iter()
        .map(|p| {
            let at = cx
                .input
                .extra
                .prs
                .get(&pr.id)
                .and_then(|x| x.requested_at.iter().find(|(q, _)| q == p).map(|(_, t)| *t));
            (*p, at)
        })
        .collect();
    let who = if requested.is_empty() {
        "no reviewer requested".to_string()
    } else {
        format!(
            "review requested from {}",
            requested
                .iter()
                .map(|(p, _)| cx.name(Some(*p)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    s.why = format!(
        "{} by {} has waited {} working hours for a first review (SLA {} h); {who}.",
        cx.pr_short(pr),
        cx.name(pr.author),
        waited / HOUR,
        st.review_sla_hours
    );
    for (p, at) in &requested {
        s.evidence.push(
            Evidence::new("person", cx.name(Some(*p)), "review requested".to_string()).at(*at),
        );
    }
    let url = cx.pr_url(pr).unwrap_or_default();
    s.suggestion = if let Some((reviewer, _)) = requested.first() {
        Some(Suggestion::dm(
            *reviewer,
            format!(
                "Hi {} — {} \"{}\" by {} has been waiting {} for a first review. Could you take a look today? {url}",
                cx.first_name(Some(*reviewer)),
                cx.pr_short(pr),
                pr.title,
                cx.name(pr.author),
                human(cx.as_of - ready)
            ),
            format!(
                "Slack DM to {}: review nudge for {}",
                cx.name(Some(*reviewer)),
                cx.pr_short(pr)
            ),
        ))
    } else {
        suggest_reviewer(cx, pr).map(|r| Suggestion {
            kind: ActionKind::ReviewerRequest,
            target: Target {
                people: vec![r],
                repo: Some(cx.repo_name(pr.repo).to_string()),
                number: Some(pr.number),
                ..Default::default()
            },
            text: format!(
                "Request a review from {} (code owner with the fewest pending reviews: {}).",
                cx.name(Some(r)),
                cx.pending(r)
            ),
            summary: format!("Ask {} to review {}", cx.name(Some(r)), cx.pr_short(pr)),
        })
    };
    Some(s)
}

fn approved_unmerged(cx: &Ctx<'_>, pr: &PullRequest) -> Option<Signal> {
    // The latest decisive review per reviewer.
    let mut latest: BTreeMap<i64, (&str, Ts)> = BTreeMap::new();
    for r in human_reviews(pr).filter(|r| r.at <= cx.as_of) {
        if matches!(
            r.state.as_str(),
            "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED"
        ) && let Some(p) = r.reviewer
        {
            latest.insert(p, (r.state.as_str(), r.at));
        }
    }
    if latest.values().any(|(s, _)| *s == "CHANGES_REQUESTED") {
        return None;
    }
    let approvals: Vec<(i64, Ts)> = latest
        .iter()
        .filter(|(_, (s, _))| *s == "APPROVED")
        .map(|(p, (_, t))| (*p, *t))
        .collect();
    let approved_at = approvals.iter().map(|(_, t)| *t).min()?;
    let team = cx.repo_team(pr.repo);
    let waited = working_secs(approved_at, cx.as_of, cx.team_offset(team));
    let limit = cx.settings.approved_unmerged_hours * HOUR as f64;
    if waited as f64 <= limit {
        return None;
    }
    let severity = if waited as f64 > 3.0 * limit {
        Severity::High
    } else {
        Severity::Medium
    };
    let mut s = base(cx, Kind::ApprovedUnmerged, pr, severity);
    s.since = Some(approved_at);
    let names: Vec<String> = approvals.iter().map(|(p, _)| cx.name(Some(*p))).collect();
    s.why = format!(
        "{} was approved by {} {} ago ({} working hours) and is still not merged.",
        cx.pr_short(pr),
        names.join(" and "),
        human(cx.as_of - approved_at),
        waited / HOUR
    );
    for (p, t) in &approvals {
        s.evidence.push(
            Evidence::new(
                "review",
                format!("{} approval", cx.name(Some(*p))),
                "APPROVED",
            )
            .at(Some(*t)),
        );
    }
    s.suggestion = pr.author.map(|a| {
        Suggestion::dm(
            a,
            format!(
                "Hi {} — {} \"{}\" was approved by {} {} ago. Anything stopping the merge? {}",
                cx.first_name(Some(a)),
                cx.pr_short(pr),
                pr.title,
                names.join(" and "),
                human(cx.as_of - approved_at),
                cx.pr_url(pr).unwrap_or_default()
            ),
            format!(
                "Slack DM to {}: merge reminder for {}",
                cx.name(Some(a)),
                cx.pr_short(pr)
            ),
        )
    });
    Some(s)
}

fn failing_checks(cx: &Ctx<'_>, pr: &PullRequest, checks: &[&CheckRun]) -> Option<Signal> {
    // Per check, its attempts on the head commit in time order (every run after the first is a
    // re-run); failing = the latest attempt failed.
    let mut failing: Vec<(&str, Ts, &CheckRun, usize)> = Vec::new();
    for a in reruns::attempts(checks.iter().copied()) {
        let last = a.latest();
        if !last.failed() {
            continue;
        }
        // Failing since the first failure of the trailing run of failures.
        let since = a
            .runs
            .iter()
            .rev()
            .take_while(|c| c.failed())
            .last()
            .map_or(last.at(), |c| c.at());
        failing.push((a.name, since, last, a.reruns()));
    }
    let since = failing.iter().map(|(_, t, _, _)| *t).min()?;
    let hours = (cx.as_of - since) as f64 / HOUR as f64;
    if hours <= cx.settings.failing_checks_hours {
        return None;
    }
    let severity = if cx.as_of - since > DAY {
        Severity::High
    } else {
        Severity::Medium
    };
    let mut s = base(cx, Kind::FailingChecks, pr, severity);
    s.since = Some(since);
    let names: Vec<&str> = failing.iter().map(|(n, _, _, _)| *n).collect();
    let rerun: Vec<String> = failing
        .iter()
        .filter(|(_, _, _, r)| *r > 0)
        .map(|(n, _, _, r)| format!("{n} ({})", plural(*r, "re-run", "re-runs")))
        .collect();
    s.why = format!(
        "{} on the latest commit of {} {} been failing for {} ({}){}.",
        plural(names.len(), "check", "checks"),
        cx.pr_short(pr),
        if names.len() == 1 { "has" } else { "have" },
        human(cx.as_of - since),
        names.join(", "),
        if rerun.is_empty() {
            String::new()
        } else {
            format!("; re-run and still failing: {}", rerun.join(", "))
        }
    );
    for (name, at, run, reruns) in &failing {
        s.evidence.push(
            Evidence::new(
                "check_run",
                format!("{}@{}", name, &run.sha[..run.sha.len().min(7)]),
                if *reruns == 0 {
                    "failure".to_string()
                } else {
                    format!(
                        "failure, still failing after {}",
                        plural(*reruns, "re-run", "re-runs")
                    )
                },
            )
            .url(run.html_url.as_deref())
            .at(Some(*at)),
        );
    }
    s.suggestion = pr.author.map(|a| {
        Suggestion::dm(
            a,
            format!(
                "Hi {} — {} on {} {} failing for {}. Need a hand, or should we re-run it? {}",
                cx.first_name(Some(a)),
                names.join(", "),
                cx.pr_short(pr),
                if names.len() == 1 {
                    "has been"
                } else {
                    "have been"
                },
                human(cx.as_of - since),
                cx.pr_url(pr).unwrap_or_default()
            ),
            format!(
                "Slack DM to {}: failing checks on {}",
                cx.name(Some(a)),
                cx.pr_short(pr)
            ),
        )
    });
    Some(s)
}

fn oversized(cx: &Ctx<'_>, pr: &PullRequest) -> Option<Signal> {
    let limit = cx.settings.oversized_pr_lines;
    let size = pr.size();
    if size <= limit {
        return None;
    }
    let severity = if size > 2 * limit {
        Severity::Medium
    } else {
        Severity::Low
    };
    let mut s = base(cx, Kind::OversizedPr, pr, severity);
    s.since = Some(pr.created_at);
    s.why = format!(
        "{} changes {size} lines (+{} −{}), over the {limit}-line limit: big PRs wait longer for review and hide defects.",
        cx.pr_short(pr),
        pr.additions,
        pr.deletions
    );
    s.suggestion = Some(Suggestion {
        kind: ActionKind::PrComment,
        target: Target {
            people: pr.author.into_iter().collect(),
            repo: Some(cx.repo_name(pr.repo).to_string()),
            number: Some(pr.number),
            ..Default::default()
        },
        text: format!(
            "This PR changes {size} lines. Could it be split into smaller, independently reviewable PRs? Smaller changes get reviewed faster and more thoroughly."
        ),
        summary: format!("Comment on {}: suggest splitting it", cx.pr_short(pr)),
    });
    Some(s)
}

fn stale(cx: &Ctx<'_>, pr: &PullRequest) -> Option<Signal> {
    if pr.author_is_bot && !cx.settings.stale_include_bots {
        return None;
    }
    let mut last = pr.created_at;
    if let Some(x) = cx.input.extra.prs.get(&pr.id).and_then(|x| x.last_activity) {
        last = last.max(x.min(cx.as_of));
    }
    for r in pr.reviews.iter().filter(|r| r.at <= cx.as_of) {
        last = last.max(r.at);
    }
    let idle = cx.as_of - last;
    let limit = cx.settings.stale_pr_days * DAY as f64;
    if idle as f64 <= limit {
        return None;
    }
    let severity = if idle as f64 > 3.0 * limit {
        Severity::Medium
    } else {
        Severity::Low
    };
    let mut s = base(cx, Kind::StalePr, pr, severity);
    s.since = Some(last);
    s.why = format!(
        "{}{} has had no activity (commits, reviews, comments) for {}, since {}.",
        cx.pr_short(pr),
        if pr.draft { " (draft)" } else { "" },
        human(idle),
        crate::time::date(last)
    );
    s.suggestion = Some(Suggestion {
        kind: ActionKind::PrComment,
        target: Target {
            people: pr.author.into_iter().collect(),
            repo: Some(cx.repo_name(pr.repo).to_string()),
            number: Some(pr.number),
            ..Default::default()
        },
        text: format!(
            "This PR has been quiet for {}. Is it still needed? If so, what would get it moving; if not, could we close it?",
            human(idle)
        ),
        summary: format!("Comment on {}: still needed?", cx.pr_short(pr)),
    });
    Some(s)
}
