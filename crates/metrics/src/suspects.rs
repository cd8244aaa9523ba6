//! Which change most likely caused an incident: the production deployments before it, ranked and
//! explained, and the deployment to roll back to.
//!
//! A candidate is a production deployment of a repository of the incident's service (every
//! repository when the incident names no service) in the [`SuspectOptions::lookback_secs`] before
//! the incident started, or any deployment the incident names (an explicit link, or its id or sha
//! in the incident's notes, as the change failure rate reads them). Points, each with its reason:
//!
//! | evidence | points |
//! |---|---|
//! | the incident names the deployment | 60 |
//! | nearness: `30 · e^(−hours before the start / 6)` | 0–30 |
//! | the last deployment of its repository before the start | 10 |
//! | later reverted, rolled back or hot-fixed | 15 |
//! | size: `5 · min(1, log10(1 + changed lines) / 4)` | 0–5 |
//! | a risky change in it (a migration, a configuration or dependency change, by title or label) | 5 |
//!
//! A deployment a later one reverted or rolled back *before* the incident started is no longer
//! live and is not a suspect (unless the incident names it).
//!
//! The weights are fixed and documented, not fitted to any organisation: an incident on a service
//! with one deployment that morning ranks it first by nearness alone; an incident that names a
//! deployment ranks it first whatever else shipped. The rollback candidate is the latest earlier
//! production deployment of the first suspect's repository that nothing judged failed.

use crate::data::{Dataset, Deployment, PullRequest};
use crate::dora::{Analysis, DeploymentRecord, FailureEvidence};
use bosun_core::time::{HOUR, Ts};
use serde::Serialize;
use std::collections::HashMap;

/// Points for a deployment the incident names.
pub const NAMED_POINTS: f64 = 60.0;
/// Points for nearness at the start (decaying with [`NEARNESS_HALF_HOURS`]).
pub const NEARNESS_POINTS: f64 = 30.0;
/// Hours over which the nearness points fall by a factor e.
pub const NEARNESS_HALF_HOURS: f64 = 6.0;
/// Points for the last deployment of its repository before the start.
pub const LATEST_POINTS: f64 = 10.0;
/// Points for a deployment later reverted, rolled back or hot-fixed.
pub const REWORKED_POINTS: f64 = 15.0;
/// Points for size, at most.
pub const SIZE_POINTS: f64 = 5.0;
/// Points for a risky change.
pub const RISKY_POINTS: f64 = 5.0;

/// How far back to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuspectOptions {
    /// Deployments this long before the start are candidates (named ones always are).
    pub lookback_secs: i64,
    /// At most this many suspects.
    pub limit: usize,
}

impl Default for SuspectOptions {
    fn default() -> Self {
        SuspectOptions {
            lookback_secs: 72 * HOUR,
            limit: 5,
        }
    }
}

/// Why a deployment is suspected.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The incident names it (an explicit link, or its id or sha in a note).
    Named,
    /// It reached production this long before the incident started.
    Before {
        /// Minutes between the deployment and the start.
        minutes: i64,
    },
    /// The last deployment of its repository before the start.
    Latest,
    /// A later deployment reverted, rolled back or hot-fixed it.
    Reworked {
        /// `revert`, `rollback` or `hotfix`.
        how: Rework,
        /// The deployment that did (store id).
        by: i64,
    },
    /// Its pull requests changed this many lines.
    Size {
        /// Added plus deleted lines.
        lines: i64,
    },
    /// A pull request in it looks risky by its title or labels.
    Risky {
        /// The pull request (store id).
        pull_request: i64,
        /// What made it risky.
        what: Risk,
    },
}

/// How a later deployment undid a suspect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rework {
    /// A revert of what it shipped.
    Revert,
    /// A rollback to an earlier commit.
    Rollback,
    /// A hotfix after it.
    Hotfix,
}

/// A kind of risky change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// A database or schema migration.
    Migration,
    /// A configuration or feature-flag change.
    Config,
    /// A dependency bump.
    Dependency,
}

/// One suspected deployment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suspect {
    /// The deployment (store id).
    pub deployment: i64,
    /// The provider's id of the deployment.
    pub external_id: String,
    /// Its repository (store id).
    pub repo: i64,
    /// The commit deployed.
    pub sha: String,
    /// When it reached production.
    pub at: Ts,
    /// Points, the sum of the reasons' (see the module docs).
    pub score: f64,
    /// Why, strongest first.
    pub reasons: Vec<Reason>,
    /// The pull requests it shipped (store ids).
    pub pull_requests: Vec<i64>,
}

/// The ranked suspects of one incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suspects {
    /// Highest score first.
    pub ranked: Vec<Suspect>,
    /// The deployment to roll back to: the latest earlier production deployment of the first
    /// suspect's repository that nothing judged failed.
    pub rollback_to: Option<i64>,
}

/// Rank the deployments that may have caused `incident` (store id); empty when it is unknown.
pub fn suspects(
    data: &Dataset,
    analysis: &Analysis,
    incident: i64,
    opts: SuspectOptions,
) -> Suspects {
    let none = Suspects {
        ranked: Vec::new(),
        rollback_to: None,
    };
    let Some(inc) = data.incidents.iter().find(|i| i.id == incident) else {
        return none;
    };
    let start = inc.created_at;
    let service_repos: Vec<i64> = data
        .repos
        .iter()
        .filter(|r| inc.service.is_none() || r.service == inc.service)
        .map(|r| r.id)
        .collect();
    let deployments: HashMap<i64, &Deployment> =
        data.deployments.iter().map(|d| (d.id, d)).collect();
    let prs: HashMap<i64, &PullRequest> = data.pull_requests.iter().map(|p| (p.id, p)).collect();
    let named = |r: &DeploymentRecord| {
        inc.deployment == Some(r.id)
            || r.failures.iter().any(|f| {
                matches!(f, FailureEvidence::IncidentLink { incident: i, .. } if *i == incident)
            })
    };
    // The last deployment of each repository before the start.
    let mut latest: HashMap<i64, (Ts, i64)> = HashMap::new();
    for r in &analysis.records {
        if r.at <= start && service_repos.contains(&r.repo) {
            let e = latest.entry(r.repo).or_insert((r.at, r.id));
            if (r.at, r.id) > *e {
                *e = (r.at, r.id);
            }
        }
    }
    let at_of: HashMap<i64, Ts> = analysis.records.iter().map(|r| (r.id, r.at)).collect();
    // Undone before the start: its change was no longer in production.
    let undone = |r: &DeploymentRecord| {
        rework(r).is_some_and(|(how, by)| {
            how != Rework::Hotfix && at_of.get(&by).is_some_and(|&at| at <= start)
        })
    };
    let mut ranked: Vec<Suspect> = analysis
        .records
        .iter()
        .filter(|r| {
            named(r)
                || (service_repos.contains(&r.repo)
                    && r.at <= start
                    && start - r.at <= opts.lookback_secs
                    && !undone(r))
        })
        .map(|r| {
            let mut reasons = Vec::new();
            let mut score = 0.0;
            if named(r) {
                score += NAMED_POINTS;
                reasons.push(Reason::Named);
            }
            if r.at <= start {
                let hours = (start - r.at) as f64 / HOUR as f64;
                score += NEARNESS_POINTS * (-hours / NEARNESS_HALF_HOURS).exp();
                reasons.push(Reason::Before {
                    minutes: (start - r.at) / 60,
                });
            }
            if latest.get(&r.repo).is_some_and(|&(_, id)| id == r.id) {
                score += LATEST_POINTS;
                reasons.push(Reason::Latest);
            }
            if let Some((how, by)) = rework(r).filter(|_| !undone(r)) {
                score += REWORKED_POINTS;
                reasons.push(Reason::Reworked { how, by });
            }
            let shipped: Vec<&PullRequest> = r
                .pull_requests
                .iter()
                .filter_map(|id| prs.get(id).copied())
                .collect();
            let lines: i64 = shipped.iter().map(|p| p.additions + p.deletions).sum();
            if lines > 0 {
                score += SIZE_POINTS * ((1.0 + lines as f64).log10() / 4.0).min(1.0);
                reasons.push(Reason::Size { lines });
            }
            if let Some((pull_request, what)) = shipped
                .iter()
                .find_map(|p| risk_of(p).map(|risk| (p.id, risk)))
            {
                score += RISKY_POINTS;
                reasons.push(Reason::Risky { pull_request, what });
            }
            Suspect {
                deployment: r.id,
                external_id: r.external_id.clone(),
                repo: r.repo,
                sha: r.sha.clone(),
                at: r.at,
                score: (score * 10.0).round() / 10.0,
                reasons,
                pull_requests: r.pull_requests.clone(),
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.at.cmp(&a.at))
            .then(b.deployment.cmp(&a.deployment))
    });
    ranked.truncate(opts.limit);
    let rollback_to = ranked.first().and_then(|top| {
        analysis
            .records
            .iter()
            .filter(|r| r.repo == top.repo && r.at < top.at && r.failures.is_empty())
            .filter(|r| deployments.get(&r.id).is_none_or(|d| d.production))
            .max_by_key(|r| (r.at, r.id))
            .map(|r| r.id)
    });
    Suspects {
        ranked,
        rollback_to,
    }
}

/// A revert, rollback or hotfix of `r` by a later deployment.
fn rework(r: &DeploymentRecord) -> Option<(Rework, i64)> {
    r.failures.iter().find_map(|f| match f {
        FailureEvidence::Revert { deployment, .. } => Some((Rework::Revert, *deployment)),
        FailureEvidence::Rollback { deployment } => Some((Rework::Rollback, *deployment)),
        FailureEvidence::Hotfix { deployment, .. } => Some((Rework::Hotfix, *deployment)),
        _ => None,
    })
}

/// What makes a pull request risky, from its title and labels (whole words, any case).
pub fn risk_of(p: &PullRequest) -> Option<Risk> {
    let words: Vec<String> = std::iter::once(p.title.as_str())
        .chain(p.labels.iter().map(String::as_str))
        .flat_map(|s| s.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    if has(&["migration", "migrations", "migrate", "schema", "ddl"]) {
        Some(Risk::Migration)
    } else if has(&[
        "dependencies",
        "dependency",
        "deps",
        "bump",
        "bumps",
        "upgrade",
    ]) {
        Some(Risk::Dependency)
    } else if has(&[
        "config",
        "configuration",
        "flag",
        "flags",
        "settings",
        "env",
    ]) {
        Some(Risk::Config)
    } else {
        None
    }
}

/// suspect@k over incidents whose cause is known: the share whose true deployment is among the
/// first `k` suspects. `truth` pairs an incident with the deployment that caused it (store ids).
pub fn hit_rate(
    data: &Dataset,
    analysis: &Analysis,
    truth: &[(i64, i64)],
    k: usize,
    opts: SuspectOptions,
) -> Option<f64> {
    if truth.is_empty() {
        return None;
    }
    let hits = truth
        .iter()
        .filter(|(incident, cause)| {
            suspects(data, analysis, *incident, opts)
                .ranked
                .iter()
                .take(k)
                .any(|s| s.deployment == *cause)
        })
        .count();
    Some(hits as f64 / truth.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Incident, Repo};
    use crate::dora::{DoraOptions, analyse};

    const T0: Ts = 1_750_000_000;

    fn repo(id: i64, service: &str) -> Repo {
        Repo {
            id,
            full_name: format!("acme/r{id}"),
            team: None,
            service: Some(service.into()),
        }
    }

    fn deploy(id: i64, repo: i64, at: Ts) -> Deployment {
        Deployment {
            id,
            external_id: (3000 + id).to_string(),
            repo,
            environment: "production".into(),
            production: true,
            sha: format!("abc{id:04}{:033}", 0),
            created_at: at,
            succeeded_at: Some(at),
            failed_at: None,
            kind: bosun_core::model::DeploymentKind::GithubDeployment,
            description: String::new(),
            payload: String::new(),
        }
    }

    fn incident(id: i64, service: &str, at: Ts, notes: &[&str]) -> Incident {
        Incident {
            id,
            external_id: format!("P{id}"),
            service: Some(service.into()),
            created_at: at,
            resolved_at: Some(at + HOUR),
            deployment: None,
            notes: notes.iter().map(|n| n.to_string()).collect(),
            urgency: Some("high".into()),
            title: "errors".into(),
        }
    }

    fn data() -> Dataset {
        Dataset {
            repos: vec![repo(1, "api"), repo(2, "web")],
            deployments: vec![
                deploy(10, 1, T0 - 30 * HOUR),
                deploy(11, 1, T0 - 5 * HOUR),
                deploy(12, 1, T0 - HOUR / 2),
                // Another service's, nearer still: never a suspect.
                deploy(20, 2, T0 - 60),
                // After the start: never a suspect.
                deploy(13, 1, T0 + HOUR),
            ],
            incidents: vec![
                incident(100, "api", T0, &[]),
                incident(
                    101,
                    "api",
                    T0 + 10,
                    &["Caused by deploy abc0011, rolling back"],
                ),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn nearness_ranks_the_last_deployment_of_the_service_first_with_points_by_hand() {
        let d = data();
        let a = analyse(&d, &DoraOptions::default());
        let s = suspects(&d, &a, 100, SuspectOptions::default());
        let ids: Vec<i64> = s.ranked.iter().map(|s| s.deployment).collect();
        assert_eq!(
            ids,
            vec![12, 11, 10],
            "the service's deployments before the start only"
        );
        // 30·e^(−0.5/6) + 10 (latest) = 27.6 + 10.
        assert_eq!(s.ranked[0].score, 37.6);
        assert_eq!(
            s.ranked[0].reasons,
            vec![Reason::Before { minutes: 30 }, Reason::Latest]
        );
        // 30·e^(−5/6) = 13.0.
        assert_eq!(s.ranked[1].score, 13.0);
        assert_eq!(
            s.rollback_to,
            Some(10),
            "the latest earlier one nothing judged failed (incident 101 names 11)"
        );
    }

    #[test]
    fn a_deployment_the_incident_names_ranks_first() {
        let d = data();
        let a = analyse(&d, &DoraOptions::default());
        let s = suspects(&d, &a, 101, SuspectOptions::default());
        assert_eq!(s.ranked[0].deployment, 11, "{:#?}", s.ranked);
        assert!(s.ranked[0].reasons.contains(&Reason::Named));
        assert_eq!(s.rollback_to, Some(10));
        assert_eq!(
            hit_rate(
                &d,
                &a,
                &[(100, 12), (101, 11)],
                1,
                SuspectOptions::default()
            ),
            Some(1.0)
        );
        assert_eq!(
            hit_rate(&d, &a, &[(100, 10)], 1, SuspectOptions::default()),
            Some(0.0)
        );
        assert_eq!(hit_rate(&d, &a, &[], 1, SuspectOptions::default()), None);
    }

    #[test]
    fn a_deployment_rolled_back_before_the_start_is_no_longer_a_suspect() {
        let mut rolled_back = deploy(12, 1, T0 - 2 * HOUR);
        rolled_back.payload = r#"{"rollback_of": 3011}"#.into(); // 12 rolls 11 back
        let d = Dataset {
            repos: vec![repo(1, "api")],
            deployments: vec![
                deploy(10, 1, T0 - 30 * HOUR),
                deploy(11, 1, T0 - 5 * HOUR),
                rolled_back,
            ],
            incidents: vec![
                incident(100, "api", T0, &[]),
                incident(101, "api", T0 + 10, &["Caused by deploy abc0011"]),
            ],
            ..Default::default()
        };
        let a = analyse(&d, &DoraOptions::default());
        let r11 = a.records.iter().find(|r| r.id == 11).unwrap();
        assert_eq!(
            rework(r11),
            Some((Rework::Rollback, 12)),
            "{:?}",
            r11.failures
        );
        let ids: Vec<i64> = suspects(&d, &a, 100, SuspectOptions::default())
            .ranked
            .iter()
            .map(|s| s.deployment)
            .collect();
        assert_eq!(ids, vec![12, 10], "11 was no longer live");
        // Named, it stays a suspect whatever happened to it.
        let s = suspects(&d, &a, 101, SuspectOptions::default());
        assert_eq!(s.ranked[0].deployment, 11);
    }

    #[test]
    fn an_unknown_incident_has_no_suspects() {
        let d = data();
        let a = analyse(&d, &DoraOptions::default());
        let s = suspects(&d, &a, 999, SuspectOptions::default());
        assert!(s.ranked.is_empty());
        assert_eq!(s.rollback_to, None);
    }

    #[test]
    fn risky_changes_are_read_from_titles_and_labels_as_whole_words() {
        let pr = |title: &str, labels: &[&str]| PullRequest {
            title: title.into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            ..crate::testkit::pr(1, 1, 1, &[], None, None)
        };
        assert_eq!(
            risk_of(&pr("Add orders table migration", &[])),
            Some(Risk::Migration)
        );
        assert_eq!(
            risk_of(&pr("chore: bump serde to 1.0.200", &[])),
            Some(Risk::Dependency)
        );
        assert_eq!(risk_of(&pr("x", &["dependencies"])), Some(Risk::Dependency));
        assert_eq!(
            risk_of(&pr("Turn on the new checkout flag", &[])),
            Some(Risk::Config)
        );
        assert_eq!(
            risk_of(&pr("Reconfigure nothing: environmental copy", &[])),
            None
        );
    }
}
