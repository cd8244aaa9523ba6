//! Deployment failure streaks: the latest production deployments of a repository all failed.

use crate::ctx::Ctx;
use crate::model::{Evidence, Kind, Severity, Signal, Subject, Suggestion};
use bosun_metrics::data::Deployment;
use std::collections::BTreeMap;

pub fn detect(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    let mut by_repo: BTreeMap<(i64, &str), Vec<&Deployment>> = BTreeMap::new();
    for d in cx.deployments.iter().copied() {
        // A workflow run that concluded otherwise (cancelled, skipped) deployed nothing: it
        // neither fails nor ends a streak.
        let not_a_deploy = d.kind == bosun_core::model::DeploymentKind::WorkflowRun
            && d.succeeded_at.is_none()
            && d.failed_at.is_none();
        if d.production && d.created_at <= cx.as_of && !not_a_deploy {
            by_repo
                .entry((d.repo, d.environment.as_str()))
                .or_default()
                .push(d);
        }
    }
    let need = cx.settings.deploy_failure_streak.max(1);
    for ((repo, env), mut deps) in by_repo {
        deps.sort_by_key(|d| (d.created_at, d.id));
        let failed = |d: &Deployment| {
            cx.input
                .extra
                .deployments
                .get(&d.id)
                .is_some_and(|x| x.failed() && x.at <= cx.as_of)
        };
        let streak: Vec<&Deployment> = deps
            .iter()
            .rev()
            .take_while(|d| failed(d))
            .copied()
            .collect();
        if streak.len() < need {
            continue;
        }
        let repo_name = cx.repo_name(repo);
        let short = repo_name.rsplit('/').next().unwrap_or(repo_name);
        let severity = if streak.len() > need {
            Severity::High
        } else {
            Severity::Medium
        };
        let mut s = Signal::new(
            Kind::DeployFailureStreak,
            Subject {
                kind: "repo".into(),
                reference: format!("{repo_name}:{env}"),
                title: format!("{short} deployments to {env}"),
                url: cx
                    .input
                    .extra
                    .repos
                    .get(&repo)
                    .and_then(|r| r.html_url.clone()),
            },
            severity,
        );
        s.team = cx.repo_team(repo).map(str::to_string);
        s.since = streak.last().map(|d| d.created_at);
        let last_good = deps.iter().rev().find(|d| !failed(d)).map(|d| d.created_at);
        s.why = format!(
            "The last {} {env} deployments of {short} failed{}.",
            streak.len(),
            last_good.map_or(" and none has succeeded yet".to_string(), |t| format!(
                "; the last good one was on {}",
                crate::time::date(t)
            ))
        );
        for d in &streak {
            let x = cx.input.extra.deployments.get(&d.id);
            s.evidence.push(
                Evidence::new(
                    "deployment",
                    d.external_id.clone(),
                    format!(
                        "{} of {} ({})",
                        x.map_or("failed", |x| x.state.as_str()),
                        &d.sha[..d.sha.len().min(7)],
                        d.description
                    ),
                )
                .url(x.and_then(|x| x.url.as_deref()))
                .at(Some(d.created_at)),
            );
        }
        let channel = cx.team_channel(s.team.as_deref());
        s.suggestion = channel.map(|c| Suggestion::channel_message(
            c.clone(),
            format!(
                "The last {} {env} deployments of {short} failed. Let's pause merges to {short} until the pipeline is green and find out why.",
                streak.len()
            ),
            format!("Message in #{c}: {short} deploys keep failing"),
        ));
        out.push(s);
    }
}
