//! Delivery: DORA's five keys, pull request cycle time and flow, each number with the records
//! behind it (the drill-down) and its chart.

use super::charts::{self, ChartData};
use super::common::{
    Count, Names, PrRef, Rate, Stat, Window, WindowArgs, opt_time, repo_arg, repo_names, scope,
    time, web_links,
};
use crate::error::Result;
use crate::state::Api;
use bosun_core::time::WEEK;
use bosun_metrics::dora::{self, FailureEvidence, Unplanned};
use bosun_metrics::{flow, prs};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Levels {
    /// The DORA report whose clusters these are.
    pub year: u16,
    pub deployment_frequency: Option<String>,
    pub lead_time: Option<String>,
    pub change_failure_rate: Option<String>,
    pub recovery_time: Option<String>,
    pub overall: Option<String>,
    /// Levels not given and why ("recovery time: n=1, a level needs at least 5").
    pub withheld: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Change {
    pub sha: String,
    pub pull_request: Option<PrRef>,
    #[ts(type = "number")]
    pub lead_time_secs: i64,
    /// A bot's change (a dependency update, a generated commit).
    pub bot: bool,
}

/// Why a deployment failed: the rule and the record behind it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Failure {
    /// incident_link, rollback, revert, hotfix, incident_after or deploy_failed.
    pub rule: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DeploymentRow {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub repo: String,
    pub sha: String,
    pub at: String,
    pub changes: Vec<Change>,
    pub pull_requests: Vec<PrRef>,
    pub failures: Vec<Failure>,
    /// rollback, revert, hotfix or incident_fix.
    pub unplanned: Option<String>,
    #[ts(type = "number | null")]
    pub recovery_secs: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DoraView {
    pub deployments: u32,
    pub per_week: f64,
    pub days_per_week: f64,
    /// Every change counted unless `lead_time_bots_excluded` (the config's human-only view).
    pub lead_time: Stat,
    /// How many of the window's deployed changes were bots'.
    pub lead_time_bots: u32,
    /// The median lead time of the human changes alone.
    pub lead_time_median_without_bots: Option<f64>,
    pub lead_time_bots_excluded: bool,
    pub change_failure_rate: Rate,
    pub recovery_time: Stat,
    pub rework_rate: Rate,
    pub levels: Levels,
    pub unrecovered: u32,
    pub warnings: Vec<String>,
    /// Every deployment in the window with its changes, failures, rework and recovery.
    pub records: Vec<DeploymentRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PrRow {
    pub pull_request: PrRef,
    pub merged_at: Option<String>,
    pub author: Option<String>,
    #[ts(type = "number")]
    pub size: i64,
    #[ts(type = "number | null")]
    pub coding_secs: Option<i64>,
    #[ts(type = "number | null")]
    pub pickup_secs: Option<i64>,
    #[ts(type = "number | null")]
    pub review_secs: Option<i64>,
    #[ts(type = "number | null")]
    pub deploy_secs: Option<i64>,
    pub first_reviewer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReviewLoad {
    pub name: String,
    pub reviews: u32,
    pub pending: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PrStats {
    pub merged: u32,
    pub merged_without_review: u32,
    pub coding: Stat,
    pub pickup: Stat,
    pub review: Stat,
    pub deploy: Stat,
    pub cycle: Stat,
    pub sizes: Vec<Count>,
    pub review_load: Vec<ReviewLoad>,
    pub records: Vec<PrRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FlowRow {
    pub key: String,
    /// The ticket's page at its provider, when known.
    pub url: Option<String>,
    pub work_type: String,
    pub started_at: Option<String>,
    pub done_at: Option<String>,
    #[ts(type = "number | null")]
    pub flow_secs: Option<i64>,
    #[ts(type = "number | null")]
    pub active_secs: Option<i64>,
    pub story_points: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AgingRow {
    pub key: String,
    pub url: Option<String>,
    pub summary: String,
    #[ts(type = "number")]
    pub age_secs: i64,
    pub status: String,
    pub over_p85: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FlowView {
    pub finished: u32,
    pub flow_time: Stat,
    pub efficiency: Option<f64>,
    pub efficiency_median: Option<f64>,
    pub load: u32,
    pub items_per_week: f64,
    pub points_per_week: f64,
    pub distribution_finished: Vec<Count>,
    pub distribution_in_progress: Vec<Count>,
    pub p85_flow_secs: Option<f64>,
    pub aging: Vec<AgingRow>,
    pub records: Vec<FlowRow>,
}

/// The numbers behind each chart (the page draws them; the CLI and notes keep the engine's SVG).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DeliveryCharts {
    pub deployments_per_week: ChartData,
    pub lead_time: ChartData,
    pub pr_stages: ChartData,
    pub cumulative_flow: ChartData,
}

/// A headline number against the window before it, and its weekly course.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Trend {
    /// The same number over the previous window of the same length.
    pub previous: Option<f64>,
    /// Its value per week of this window, oldest first (the sparkline; none: no data that week).
    pub weekly: Vec<Option<f64>>,
    /// True when a smaller value is the better one (lead time, failure rate, recovery).
    pub lower_is_better: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Trends {
    pub deployment_frequency: Trend,
    pub lead_time: Trend,
    pub change_failure_rate: Trend,
    pub recovery_time: Trend,
    pub rework_rate: Trend,
    pub pr_cycle: Trend,
    pub flow_time: Trend,
    pub velocity: Trend,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Delivery {
    pub window: Window,
    /// The previous window's dates (the comparison every trend makes).
    pub previous_since: String,
    pub trends: Trends,
    pub dora: DoraView,
    pub prs: PrStats,
    pub flow: FlowView,
    pub charts: DeliveryCharts,
}

impl From<&dora::FailureRate> for Rate {
    fn from(r: &dora::FailureRate) -> Rate {
        Rate {
            value: r.value,
            part: r.failed as u32,
            total: r.total as u32,
        }
    }
}

impl From<&dora::ReworkRate> for Rate {
    fn from(r: &dora::ReworkRate) -> Rate {
        Rate {
            value: r.value,
            part: r.unplanned as u32,
            total: r.total as u32,
        }
    }
}

impl From<&dora::Levels> for Levels {
    fn from(l: &dora::Levels) -> Levels {
        let s = |v: Option<&'static str>| v.map(str::to_string);
        Levels {
            year: l.year,
            deployment_frequency: s(l.deployment_frequency),
            lead_time: s(l.lead_time),
            change_failure_rate: s(l.change_failure_rate),
            recovery_time: s(l.recovery_time),
            overall: s(l.overall),
            withheld: l.withheld.clone(),
        }
    }
}

fn counts(m: &std::collections::BTreeMap<&str, usize>) -> Vec<Count> {
    let mut v: Vec<Count> = m
        .iter()
        .map(|(k, n)| Count {
            label: k.to_string(),
            count: *n as u32,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    v
}

fn failure(n: &Names<'_>, f: &FailureEvidence, deployments: &[dora::DeploymentRecord]) -> Failure {
    let dep = |id: &i64| {
        deployments
            .iter()
            .find(|d| d.id == *id)
            .map_or_else(|| format!("deployment {id}"), |d| d.external_id.clone())
    };
    let (rule, detail) = match f {
        FailureEvidence::IncidentLink { incident_ref, .. } => {
            ("incident_link", format!("incident {incident_ref} names it"))
        }
        FailureEvidence::Rollback { deployment } => {
            ("rollback", format!("rolled back by {}", dep(deployment)))
        }
        FailureEvidence::Revert { deployment, commit } => (
            "revert",
            format!(
                "reverted by {} (commit {})",
                dep(deployment),
                &commit[..commit.len().min(7)]
            ),
        ),
        FailureEvidence::Hotfix {
            deployment,
            pull_request,
        } => (
            "hotfix",
            match pull_request.and_then(|p| n.pr(p)) {
                Some(p) => format!(
                    "hotfix {}#{} shipped by {}",
                    p.repo,
                    p.number,
                    dep(deployment)
                ),
                None => format!("hotfix shipped by {}", dep(deployment)),
            },
        ),
        FailureEvidence::IncidentAfter {
            incident_ref,
            minutes_after,
            ..
        } => (
            "incident_after",
            format!("incident {incident_ref} started {minutes_after} min later on its service"),
        ),
        FailureEvidence::DeployFailed => (
            "deploy_failed",
            "the deploy workflow run failed".to_string(),
        ),
    };
    Failure {
        rule: rule.into(),
        detail,
    }
}

fn unplanned(u: Unplanned) -> &'static str {
    match u {
        Unplanned::Rollback => "rollback",
        Unplanned::Revert => "revert",
        Unplanned::Hotfix => "hotfix",
        Unplanned::IncidentFix => "incident_fix",
    }
}

fn median(v: Vec<f64>) -> Option<f64> {
    bosun_metrics::stats::summarize(v).median
}

/// Each headline number against the previous window of the same length, and per week.
fn trends(
    data: &bosun_metrics::data::Dataset,
    analysis: &dora::Analysis,
    scope: &dora::Scope,
    app: &bosun_app::App,
    m: &dora::Dora,
    p: &prs::PrMetrics,
) -> Trends {
    let len = scope.until - scope.since;
    let prev_scope = dora::Scope {
        since: scope.since - len,
        until: scope.since,
        ..scope.clone()
    };
    let bots = app.config.metrics.lead_time_bots;
    let pm = dora::dora_with(data, analysis, &prev_scope, bots);
    let pp = prs::pr_metrics(data, analysis, &prev_scope);
    let pf = flow::flow(data, &prev_scope);
    // The deployments of each week of the window (the weeks the charts show).
    let weeks: Vec<Vec<&dora::DeploymentRecord>> = m
        .weekly
        .iter()
        .map(|w| {
            m.evidence
                .iter()
                .filter(|r| r.at >= w.start && r.at < w.start + WEEK)
                .collect()
        })
        .collect();
    let per_week = |f: &dyn Fn(&[&dora::DeploymentRecord]) -> Option<f64>| -> Vec<Option<f64>> {
        weeks.iter().map(|w| f(w)).collect()
    };
    let rate = |w: &[&dora::DeploymentRecord], hit: &dyn Fn(&dora::DeploymentRecord) -> bool| {
        (!w.is_empty()).then(|| w.iter().filter(|r| hit(r)).count() as f64 / w.len() as f64)
    };
    let trend = |previous: Option<f64>, weekly: Vec<Option<f64>>, lower_is_better: bool| Trend {
        previous,
        weekly,
        lower_is_better,
    };
    Trends {
        deployment_frequency: trend(
            Some(pm.deployment_frequency_per_week),
            m.weekly
                .iter()
                .map(|w| Some(w.deployments as f64))
                .collect(),
            false,
        ),
        lead_time: trend(
            pm.lead_time_seconds.median,
            m.weekly.iter().map(|w| w.lead_time_median_secs).collect(),
            true,
        ),
        change_failure_rate: trend(
            pm.change_failure_rate.value,
            per_week(&|w| rate(w, &|r| !r.failures.is_empty())),
            true,
        ),
        recovery_time: trend(
            pm.recovery_time_seconds.median,
            per_week(&|w| {
                median(
                    w.iter()
                        .filter_map(|r| r.recovery_secs.map(|s| s as f64))
                        .collect(),
                )
            }),
            true,
        ),
        rework_rate: trend(
            pm.rework_rate.value,
            per_week(&|w| rate(w, &|r| r.unplanned.is_some())),
            true,
        ),
        pr_cycle: trend(
            pp.cycle_seconds.median,
            p.weekly
                .iter()
                .map(|w| {
                    let parts = [
                        w.coding_median_secs,
                        w.pickup_median_secs,
                        w.review_median_secs,
                        w.deploy_median_secs,
                    ];
                    parts
                        .iter()
                        .any(Option::is_some)
                        .then(|| parts.iter().flatten().sum())
                })
                .collect(),
            true,
        ),
        // Flow has no weekly series: its cards compare with the previous window only.
        flow_time: trend(pf.flow_time_seconds.median, Vec::new(), true),
        velocity: trend(Some(pf.velocity_items_per_week), Vec::new(), false),
    }
}

pub fn delivery(api: &Api, args: WindowArgs) -> Result<Delivery> {
    api.ready()?;
    api.with_data(|app, data, analysis| {
        let (mut scope, mut window) = scope(app, &args)?;
        scope.repo = repo_arg(data, args.repo.as_deref())?;
        window.repo = scope.repo.map(|id| Names::new(data).repo(id));
        window.repos = repo_names(data);
        let links = web_links(app)?;
        let ticket_urls: std::collections::HashMap<&str, &String> = data
            .tickets
            .iter()
            .filter_map(|t| Some((t.key.as_str(), links.tickets.get(&t.id)?)))
            .collect();
        let ticket_url = |key: &str| ticket_urls.get(key).map(|u| u.to_string());
        let n = Names::new(data).with_links(links.clone());
        let m = dora::dora_with(data, analysis, &scope, app.config.metrics.lead_time_bots);
        let lead_samples = m.lead_times();
        let records = m
            .evidence
            .iter()
            .map(|r| DeploymentRow {
                id: r.id,
                name: r.external_id.clone(),
                repo: n.repo(r.repo),
                sha: r.sha.chars().take(10).collect(),
                at: time(r.at),
                changes: r
                    .changes
                    .iter()
                    .map(|c| Change {
                        sha: c.sha.chars().take(10).collect(),
                        pull_request: c.pull_request.and_then(|p| n.pr(p)),
                        lead_time_secs: c.lead_time_secs,
                        bot: c.bot,
                    })
                    .collect(),
                pull_requests: r.pull_requests.iter().filter_map(|p| n.pr(*p)).collect(),
                failures: r
                    .failures
                    .iter()
                    .map(|f| failure(&n, f, &m.evidence))
                    .collect(),
                unplanned: r.unplanned.map(|u| unplanned(u).to_string()),
                recovery_secs: r.recovery_secs,
            })
            .collect();
        let dora_view = DoraView {
            deployments: m.deployments as u32,
            per_week: m.deployment_frequency_per_week,
            days_per_week: m.deployment_days_per_week,
            lead_time: (&m.lead_time_seconds.summary()).into(),
            lead_time_bots: m.lead_time_seconds.bots as u32,
            lead_time_median_without_bots: m.lead_time_seconds.median_without_bots,
            lead_time_bots_excluded: m.lead_time_seconds.bots_excluded,
            change_failure_rate: (&m.change_failure_rate).into(),
            recovery_time: (&m.recovery_time_seconds).into(),
            rework_rate: (&m.rework_rate).into(),
            levels: (&m.level).into(),
            unrecovered: m.unrecovered.len() as u32,
            warnings: m.warnings.clone(),
            records,
        };
        let p = prs::pr_metrics(data, analysis, &scope);
        let merged_at: std::collections::HashMap<i64, Option<i64>> = data
            .pull_requests
            .iter()
            .map(|p| (p.id, p.merged_at))
            .collect();
        let prs_view = PrStats {
            merged: p.merged as u32,
            merged_without_review: p.merged_without_review as u32,
            coding: (&p.coding_seconds).into(),
            pickup: (&p.pickup_seconds).into(),
            review: (&p.review_seconds).into(),
            deploy: (&p.deploy_seconds).into(),
            cycle: (&p.cycle_seconds).into(),
            sizes: p
                .sizes
                .iter()
                .map(|b| Count {
                    label: b.label.to_string(),
                    count: b.count as u32,
                })
                .collect(),
            review_load: p
                .review_load
                .iter()
                .map(|l| ReviewLoad {
                    name: l.name.clone(),
                    reviews: l.reviews as u32,
                    pending: l.pending as u32,
                })
                .collect(),
            records: p
                .evidence
                .iter()
                .filter_map(|r| {
                    Some(PrRow {
                        pull_request: n.pr(r.id)?,
                        merged_at: opt_time(merged_at.get(&r.id).copied().flatten()),
                        author: n.person(r.author),
                        size: r.size,
                        coding_secs: r.coding_secs,
                        pickup_secs: r.pickup_secs,
                        review_secs: r.review_secs,
                        deploy_secs: r.deploy_secs,
                        first_reviewer: n.person(r.first_reviewer),
                    })
                })
                .collect(),
        };
        let f = flow::flow(data, &scope);
        let flow_view = FlowView {
            finished: f.finished as u32,
            flow_time: (&f.flow_time_seconds).into(),
            efficiency: f.flow_efficiency,
            efficiency_median: f.flow_efficiency_median,
            load: f.load as u32,
            items_per_week: f.velocity_items_per_week,
            points_per_week: f.velocity_points_per_week,
            distribution_finished: counts(&f.distribution_finished),
            distribution_in_progress: counts(&f.distribution_in_progress),
            p85_flow_secs: f.p85_flow_seconds,
            aging: f
                .aging
                .iter()
                .map(|a| AgingRow {
                    key: a.key.clone(),
                    url: ticket_url(&a.key),
                    summary: a.summary.clone(),
                    age_secs: a.age_secs,
                    status: a.status.clone(),
                    over_p85: a.over_p85,
                })
                .collect(),
            records: f
                .evidence
                .iter()
                .map(|i| FlowRow {
                    key: i.key.clone(),
                    url: ticket_url(&i.key),
                    work_type: i.work_type.as_str().to_string(),
                    started_at: opt_time(i.started_at),
                    done_at: opt_time(i.done_at),
                    flow_secs: i.flow_secs,
                    active_secs: i.active_secs,
                    story_points: i.story_points,
                })
                .collect(),
        };
        let charts = DeliveryCharts {
            deployments_per_week: charts::deployments_per_week(&m.weekly, scope.since, scope.until),
            lead_time: charts::lead_time(&lead_samples),
            pr_stages: charts::pr_stages(&p.weekly, scope.since, scope.until),
            cumulative_flow: charts::cumulative_flow(&f.cumulative_flow),
        };
        let trends = trends(data, analysis, &scope, app, &m, &p);
        Ok(Delivery {
            previous_since: time(scope.since - (scope.until - scope.since)),
            trends,
            window,
            dora: dora_view,
            prs: prs_view,
            flow: flow_view,
            charts,
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Teams side by side

/// One team's five keys and cycle time, with the sample sizes behind them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TeamRow {
    /// The team's key; none for the whole organisation (the last row).
    pub team: Option<String>,
    pub name: String,
    pub repos: u32,
    pub deployments: u32,
    pub per_week: f64,
    pub days_per_week: f64,
    pub lead_time: Stat,
    pub change_failure_rate: Rate,
    pub recovery_time: Stat,
    pub rework_rate: Rate,
    pub pr_cycle: Stat,
    pub levels: Levels,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TeamComparison {
    pub window: Window,
    pub rows: Vec<TeamRow>,
}

/// The five keys and PR cycle time of every team side by side (and the organisation's).
pub fn team_comparison(api: &Api, args: WindowArgs) -> Result<TeamComparison> {
    api.ready()?;
    api.with_data(|app, data, analysis| {
        let (base, window) = scope(
            app,
            &WindowArgs {
                team: None,
                ..args.clone()
            },
        )?;
        let bots = app.config.metrics.lead_time_bots;
        let mut teams: Vec<(Option<String>, String)> = app
            .config
            .teams
            .iter()
            .map(|t| (Some(t.key.clone()), t.name.clone()))
            .collect();
        teams.push((None, "All teams".into()));
        let rows = teams
            .into_iter()
            .map(|(team, name)| {
                let scope = dora::Scope {
                    team: team.clone(),
                    ..base.clone()
                };
                let m = dora::dora_with(data, analysis, &scope, bots);
                let p = prs::pr_metrics(data, analysis, &scope);
                TeamRow {
                    repos: scope.repo_ids(data).map_or(data.repos.len(), |r| r.len()) as u32,
                    team,
                    name,
                    deployments: m.deployments as u32,
                    per_week: m.deployment_frequency_per_week,
                    days_per_week: m.deployment_days_per_week,
                    lead_time: (&m.lead_time_seconds.summary()).into(),
                    change_failure_rate: (&m.change_failure_rate).into(),
                    recovery_time: (&m.recovery_time_seconds).into(),
                    rework_rate: (&m.rework_rate).into(),
                    pr_cycle: (&p.cycle_seconds).into(),
                    levels: (&m.level).into(),
                }
            })
            .collect();
        Ok(TeamComparison { window, rows })
    })
}

// ---------------------------------------------------------------------------------------------
// Definitions

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct DefinitionArgs {
    /// deployment_frequency, lead_time, change_failure_rate, recovery_time, rework_rate,
    /// deployment, levels, pr_cycle, flow or sprint.
    pub key: String,
}

/// A metric's definition, as docs/metric-definitions.md gives it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Definition {
    pub key: String,
    pub name: String,
    /// Markdown.
    pub text: String,
}

pub fn metric_definition(_: &Api, args: DefinitionArgs) -> Result<Definition> {
    let (name, text) = bosun_metrics::definitions::definition(&args.key).ok_or_else(|| {
        crate::error::ApiError::invalid(format!(
            "no metric {:?}; one of: {}",
            args.key,
            bosun_metrics::definitions::METRICS
                .iter()
                .map(|m| m.0)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    Ok(Definition {
        key: args.key,
        name: name.to_string(),
        text,
    })
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct InvestmentArgs {
    /// A team key; every team apart when none.
    pub team: Option<String>,
    /// Calendar months, the current one included [default 6].
    #[ts(type = "number | null")]
    pub months: Option<u32>,
}

pub fn investment(
    api: &Api,
    args: InvestmentArgs,
) -> Result<bosun_app::investment::InvestmentView> {
    api.ready()?;
    let months = args
        .months
        .unwrap_or(bosun_app::investment::DEFAULT_MONTHS)
        .clamp(1, 24);
    let team = args.team.as_deref().filter(|t| !t.is_empty());
    api.with_data(|app, data, _| Ok(app.investment_of(data, team, months)?))
}
