//! Bus factor: code-owned paths that only one person has authored, reviewed or owned actively in
//! the window. A path's people are the authors and human reviewers of the PRs touching it (files
//! known from review comments; the catch-all rule covers every PR) plus its code owners (people,
//! or members of owning teams) who authored or reviewed anything in the repository.

use super::OwnerPattern;
use crate::ctx::{Ctx, is_open};
use crate::model::{Evidence, Kind, Severity, Signal, Subject};
use crate::time::DAY;
use bosun_metrics::data::PullRequest;
use std::collections::{BTreeMap, BTreeSet};

pub fn detect(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    let since = cx.as_of - (cx.settings.bus_factor_days * DAY as f64) as i64;
    let extra = cx.input.extra;
    let mut repos: Vec<i64> = extra
        .repos
        .iter()
        .filter(|(id, r)| !r.code_owners.is_empty() && cx.repo_in_scope(**id))
        .map(|(id, _)| *id)
        .collect();
    if repos.is_empty() {
        return;
    }
    repos.sort_unstable();
    let mut prs_of: BTreeMap<i64, Vec<&PullRequest>> = BTreeMap::new();
    for pr in cx.prs.iter().copied() {
        if pr.author_is_bot || pr.created_at > cx.as_of {
            continue;
        }
        if repos.binary_search(&pr.repo).is_err() {
            continue;
        }
        let active = pr.created_at >= since
            || pr.merged_at.is_some_and(|m| m >= since)
            || pr.reviews.iter().any(|r| r.at >= since);
        if active {
            prs_of.entry(pr.repo).or_default().push(pr);
        }
    }
    for repo in repos {
        let prs = prs_of.get(&repo).map(Vec::as_slice).unwrap_or_default();
        // People who worked in the repository in the window (authored or reviewed).
        let people_of = |pr: &PullRequest| -> Vec<i64> {
            let mut v: Vec<i64> = pr.author.into_iter().collect();
            if pr.created_at < since && pr.merged_at.is_none_or(|m| m < since) {
                v.clear();
            }
            v.extend(
                pr.reviews
                    .iter()
                    .filter(|r| !r.reviewer_is_bot && r.at >= since && r.at <= cx.as_of)
                    .filter_map(|r| r.reviewer),
            );
            v
        };
        let active_in_repo: BTreeSet<i64> = prs.iter().flat_map(|p| people_of(p)).collect();
        let rules = &extra.repos[&repo].code_owners;
        let repo_name = cx.repo_name(repo);
        let short = repo_name.rsplit('/').next().unwrap_or(repo_name);
        for rule in rules {
            let pat = OwnerPattern::new(&rule.pattern);
            let touching: Vec<&&PullRequest> = prs
                .iter()
                .filter(|p| {
                    pat.everything
                        || extra
                            .prs
                            .get(&p.id)
                            .is_some_and(|x| x.paths.iter().any(|f| pat.matches(f)))
                })
                .collect();
            let mut knowers: BTreeSet<i64> = touching.iter().flat_map(|p| people_of(p)).collect();
            let mut owners: BTreeSet<i64> = BTreeSet::new();
            for o in &rule.owners {
                if let Some(slug) = o.split('/').nth(1) {
                    if let Some(t) = cx.team(slug) {
                        owners.extend(t.members.iter().copied());
                    }
                } else if let Some(p) = cx.person_by_login.get(o.as_str()) {
                    owners.insert(*p);
                }
            }
            knowers.extend(owners.iter().filter(|o| active_in_repo.contains(o)));
            knowers.retain(|p| cx.person(*p).is_none_or(|x| !x.is_bot));
            // No pull request touched the path in the window: nothing shows the knowledge is in one
            // head (a lone CODEOWNERS entry is configuration, not a risk seen in the work).
            if knowers.len() != 1 || touching.is_empty() {
                continue;
            }
            let Some(&only) = knowers.iter().next() else {
                continue;
            };
            // Medium when an open PR touches the path (its review needs the one person now).
            let severity = if touching.iter().any(|p| is_open(p)) {
                Severity::Medium
            } else {
                Severity::Low
            };
            let mut s = Signal::new(
                Kind::BusFactor,
                Subject {
                    kind: "path".into(),
                    reference: format!("{repo_name}:{}", rule.pattern),
                    title: format!("{} in {short}", rule.pattern),
                    url: extra.repos.get(&repo).and_then(|r| r.html_url.clone()),
                },
                severity,
            );
            s.team = cx.repo_team(repo).map(str::to_string);
            s.person = Some(only);
            s.since = Some(since);
            s.why = format!(
                "Only {} authored, reviewed or actively owns {} in {short} in the last {} days ({} touching it; owners: {}).",
                cx.name(Some(only)),
                rule.pattern,
                cx.settings.bus_factor_days,
                crate::text::plural(touching.len(), "PR", "PRs"),
                rule.owners.join(", ")
            );
            s.evidence.push(Evidence::new(
                "code_owners",
                format!("{repo_name}:CODEOWNERS"),
                format!("{} {}", rule.pattern, rule.owners.join(" ")),
            ));
            for p in touching.iter().rev().take(10) {
                s.evidence.push(cx.pr_evidence(p));
            }
            out.push(s);
        }
    }
}
