//! Flaky checks: a check that fails and then passes on the same commit, again and again, across
//! several pull requests.

use crate::ctx::Ctx;
use crate::input::CheckRun;
use crate::model::{Evidence, Kind, Severity, Signal, Subject, Suggestion};
use crate::reruns;
use crate::time::DAY;
use bosun_core::time::Ts;
use bosun_metrics::data::PullRequest;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub fn detect(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    let since = cx.as_of - (cx.settings.flaky_window_days * DAY as f64) as i64;
    let mut repos: Vec<i64> = cx
        .input
        .extra
        .checks
        .keys()
        .copied()
        .filter(|r| cx.repo_in_scope(*r))
        .collect();
    repos.sort_unstable();
    // The pull requests of each repository, in dataset order (built once, when first needed).
    let mut prs_by_repo: Option<HashMap<i64, Vec<&PullRequest>>> = None;
    for &repo in &repos {
        let runs = &cx.input.extra.checks[&repo];
        // name → flips as (sha, failed run, the re-run that passed), among the window's runs.
        let mut flips: BTreeMap<&str, Vec<(&str, &CheckRun, &CheckRun)>> = BTreeMap::new();
        let in_window = runs
            .iter()
            .filter(|c| c.at() >= since && c.at() <= cx.as_of);
        for a in reruns::attempts(in_window) {
            for (failed, passed) in a.passed_on_rerun() {
                flips
                    .entry(a.name)
                    .or_default()
                    .push((a.sha, failed, passed));
            }
        }
        if flips.is_empty() {
            continue;
        }
        // Which PR each sha belongs to (a PR's commits or head).
        let shas: BTreeSet<&str> = flips.values().flatten().map(|(s, _, _)| *s).collect();
        let mut pr_of: HashMap<&str, String> = HashMap::new();
        let by_repo = prs_by_repo.get_or_insert_with(|| {
            let mut m: HashMap<i64, Vec<&PullRequest>> = HashMap::new();
            for p in cx.prs.iter().copied() {
                if repos.binary_search(&p.repo).is_ok() {
                    m.entry(p.repo).or_default().push(p);
                }
            }
            m
        });
        for pr in by_repo.get(&repo).into_iter().flatten() {
            for sha in pr
                .commits
                .iter()
                .map(String::as_str)
                .chain(pr.head_sha.as_deref())
            {
                if let Some(s) = shas.get(sha) {
                    pr_of.entry(s).or_insert_with(|| cx.pr_short(pr));
                }
            }
        }
        for (name, fl) in flips {
            let prs: BTreeSet<&str> = fl
                .iter()
                .filter_map(|(s, _, _)| pr_of.get(s).map(String::as_str))
                .collect();
            if fl.len() < cx.settings.flaky_min_flips || prs.len() < cx.settings.flaky_min_prs {
                continue;
            }
            let repo_name = cx.repo_name(repo);
            let short = repo_name.rsplit('/').next().unwrap_or(repo_name);
            let severity = if fl.len() >= 3 * cx.settings.flaky_min_flips {
                Severity::High
            } else {
                Severity::Medium
            };
            let mut s = Signal::new(
                Kind::FlakyCheck,
                Subject {
                    kind: "check".into(),
                    reference: format!("{repo_name}:{name}"),
                    title: format!("{name} in {short}"),
                    url: None,
                },
                severity,
            );
            s.team = cx.repo_team(repo).map(str::to_string);
            let first: Ts = fl.iter().map(|(_, f, _)| f.at()).min().unwrap_or(since);
            s.since = Some(first);
            s.why = format!(
                "`{name}` in {short} failed and then passed on the same commit {} times across {} PRs in the last {} days.",
                fl.len(),
                prs.len(),
                cx.settings.flaky_window_days
            );
            for (sha, f, p) in fl.iter().rev().take(10) {
                let pr = pr_of.get(sha).map_or(String::new(), |p| format!(" ({p})"));
                s.evidence.push(
                    Evidence::new(
                        "check_run",
                        format!("{name}@{}", &sha[..sha.len().min(7)]),
                        format!("failed, then passed on re-run{pr}"),
                    )
                    .url(p.html_url.as_deref().or(f.html_url.as_deref()))
                    .at(Some(f.at())),
                );
            }
            let channel = cx.team_channel(s.team.as_deref());
            s.suggestion = channel.map(|c| Suggestion::channel_message(
                c.clone(),
                format!(
                    "`{name}` in {short} looks flaky: it failed and then passed on re-run {} times across {} PRs in the last {} days. Could someone quarantine or fix it this sprint?",
                    fl.len(),
                    prs.len(),
                    cx.settings.flaky_window_days
                ),
                format!("Message in #{c}: `{name}` is flaky"),
            ));
            out.push(s);
        }
    }
}
