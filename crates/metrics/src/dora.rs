//! DORA's five keys (docs/metric-definitions.md), each with the records behind it.
//!
//! - A **deployment** is a production deployment that succeeded (a failed deploy job is not one),
//!   or a run of a deploy workflow that concluded — successfully, or as a failed deployment
//!   ([`Deployment::failed_at`]: it counts, fails with [`FailureEvidence::DeployFailed`] and ships
//!   no changes; what it would have shipped goes with the next deployment that succeeds).
//! - Its **changes** are the commits it deploys for the first time: walking the commit graph from
//!   its sha, every commit not already deployed earlier (by date) in the same repository. A commit
//!   that lands a squash-merged pull request stands for the PR's own commits. Merge commits are
//!   not changes; bots' commits are (a dependency update reaches production too) and are marked.
//! - **Lead time for changes**: deployment time − commit author time (or committer time, or the
//!   PR's first commit), over every change; the summary says how many were bots' and gives the
//!   median without them, and [`Bots::Exclude`] gives the human-only view.
//! - A deployment **failed** when an incident links it, a later deployment rolls it back (its
//!   payload says so, or it redeploys an older commit), a later deployment reverts what it shipped,
//!   a hotfix follows it, or an incident on its service starts within the incident window after it
//!   and before the next deployment. Every failure keeps its evidence.
//! - **Change failure rate** = failed deployments / deployments (never incidents / deployments).
//! - **Failed deployment recovery time** = failed deployment → the first later deployment that did
//!   not fail, or the linked incident's resolution, whichever comes first.
//! - **Deployment rework rate** (DORA 2024) = unplanned deployments (rollbacks, reverts, hotfixes,
//!   deploys during an open incident on the service) / deployments.

use crate::data::{Dataset, Deployment, Incident, Index, of_repos};
use crate::stats::{Summary, summarize};
use bosun_core::model::DeploymentKind;
use bosun_core::time::{DAY, Ts, WEEK};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};

/// When a change's lead time starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadTimeStart {
    /// The commit's author time (the default).
    AuthorTime,
    /// The commit's committer time.
    CommitterTime,
    /// The first commit of its pull request (else the author time).
    PrFirstCommit,
}

/// Which part of the organisation, and which time window.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Window start (inclusive).
    pub since: Ts,
    /// Window end (inclusive).
    pub until: Ts,
    /// Only this team's repositories.
    pub team: Option<String>,
    /// A repository id.
    pub repo: Option<i64>,
}

impl Scope {
    /// The repositories in the scope, ascending (its team's, or the one asked for; both: the one
    /// if it is the team's); `None`: every repository.
    pub fn repo_ids(&self, data: &Dataset) -> Option<Vec<i64>> {
        let Some(team) = self.team.as_deref() else {
            return self.repo.map(|only| vec![only]);
        };
        let mut ids: Vec<i64> = data
            .repos
            .iter()
            .filter(|r| r.team.as_deref() == Some(team))
            .map(|r| r.id)
            .filter(|id| self.repo.is_none_or(|only| only == *id))
            .collect();
        ids.sort_unstable();
        Some(ids)
    }

    /// Whether `t` is in the window.
    pub fn contains(&self, t: Ts) -> bool {
        t >= self.since && t <= self.until
    }

    /// The window's length in weeks.
    pub fn weeks(&self) -> f64 {
        ((self.until - self.since).max(1)) as f64 / WEEK as f64
    }
}

/// How DORA metrics are computed.
#[derive(Debug, Clone)]
pub struct DoraOptions {
    /// When a change's lead time starts.
    pub lead_time_start: LeadTimeStart,
    /// How long after a deployment an incident on its service still counts as caused by it.
    pub incident_window_secs: i64,
}

impl Default for DoraOptions {
    fn default() -> Self {
        DoraOptions {
            lead_time_start: LeadTimeStart::AuthorTime,
            incident_window_secs: DAY,
        }
    }
}

/// Why a deployment counts as failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailureEvidence {
    /// An incident names the deployment (a link, or its id or sha in the incident's notes).
    IncidentLink {
        /// The incident (store id).
        incident: i64,
        /// The incident's provider id.
        incident_ref: String,
    },
    /// A later deployment rolled it back.
    Rollback {
        /// The rollback (store id).
        deployment: i64,
    },
    /// A later deployment reverted what it shipped.
    Revert {
        /// The deployment that shipped the revert.
        deployment: i64,
        /// The revert commit.
        commit: String,
    },
    /// A hotfix followed it.
    Hotfix {
        /// The deployment that shipped the hotfix.
        deployment: i64,
        /// The hotfix's pull request, when known.
        pull_request: Option<i64>,
    },
    /// An incident on its service started within the window, before the next deployment.
    IncidentAfter {
        /// The incident (store id).
        incident: i64,
        /// The incident's provider id.
        incident_ref: String,
        /// Minutes between the deployment and the incident.
        minutes_after: i64,
    },
    /// The deploy itself failed: a deploy workflow run that concluded `failure` or `timed_out`.
    DeployFailed,
}

/// Why a deployment was unplanned work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unplanned {
    /// It rolled back an earlier deployment.
    Rollback,
    /// It shipped a revert.
    Revert,
    /// It shipped a hotfix.
    Hotfix,
    /// It shipped while an incident on its service was open.
    IncidentFix,
}

/// A change a deployment shipped.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// The commit.
    pub sha: String,
    /// The pull request it came through (store id), when known.
    pub pull_request: Option<i64>,
    /// When its lead time starts.
    pub started_at: Ts,
    /// Start to deployment, in seconds.
    pub lead_time_secs: i64,
    /// A bot authored it (or the bot's pull request it came through): counted in lead time, and
    /// counted apart so the human-only view can leave it out.
    pub bot: bool,
}

/// A production deployment, analysed.
#[derive(Debug, Clone, Serialize)]
pub struct DeploymentRecord {
    /// Its store id.
    pub id: i64,
    /// The provider's id (GitHub deployment id, tag name).
    pub external_id: String,
    /// Its repository.
    pub repo: i64,
    /// The commit deployed.
    pub sha: String,
    /// When it counts (it succeeded, or failed as a deployment).
    pub at: Ts,
    /// The changes it shipped for the first time.
    pub changes: Vec<Change>,
    /// Why it counts as failed (empty: it did not fail).
    pub failures: Vec<FailureEvidence>,
    /// Why it was unplanned work, if it was.
    pub unplanned: Option<Unplanned>,
    /// Seconds until recovery, for a failed deployment that has recovered.
    pub recovery_secs: Option<i64>,
    /// Pull requests shipped by this deployment for the first time.
    pub pull_requests: Vec<i64>,
}

/// One week of DORA numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Week {
    /// Monday 00:00 UTC.
    pub start: Ts,
    /// Deployments.
    pub deployments: usize,
    /// Days with a deployment.
    pub deployment_days: usize,
    /// Failed deployments.
    pub failed: usize,
    /// Median lead time of the changes deployed.
    pub lead_time_median_secs: Option<f64>,
}

/// The DORA performance cluster of each key metric (`elite`, `high`, `medium`, `low`).
#[derive(Debug, Clone, Serialize)]
pub struct Levels {
    /// The DORA report the clusters come from.
    pub year: u16,
    /// Deployment frequency's cluster.
    pub deployment_frequency: Option<&'static str>,
    /// Lead time's cluster.
    pub lead_time: Option<&'static str>,
    /// Change failure rate's cluster.
    pub change_failure_rate: Option<&'static str>,
    /// Recovery time's cluster.
    pub recovery_time: Option<&'static str>,
    /// The lowest of the four (a team is as fast as its slowest key).
    pub overall: Option<&'static str>,
    /// The levels not given and why (too few samples for a cluster to mean anything).
    pub withheld: Vec<String>,
}

/// What the levels are computed from: the four keys and their sample sizes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelInput {
    /// Deployments per week.
    pub per_week: f64,
    /// Days with at least one deployment, per week.
    pub days_per_week: f64,
    /// The median lead time in seconds, and how many changes it is of.
    pub lead: Option<f64>,
    /// Changes behind the lead time.
    pub lead_n: usize,
    /// The change failure rate.
    pub cfr: Option<f64>,
    /// Deployments behind the failure rate.
    pub deployments: usize,
    /// The median recovery time in seconds.
    pub recovery: Option<f64>,
    /// Recoveries behind it.
    pub recovery_n: usize,
}

/// A lead time or recovery level needs at least this many samples.
pub const MIN_SAMPLES_FOR_LEVEL: usize = 5;
/// A change failure rate level needs at least this many deployments.
pub const MIN_DEPLOYMENTS_FOR_CFR_LEVEL: usize = 10;
/// "Elite" frequency is on demand: deployments on most working days (3 or more of 5 a week on
/// average), not five deployments on one day.
pub const ELITE_DAYS_PER_WEEK: f64 = 3.0;

/// The DORA Quick Check's answer for each key metric.
#[derive(Debug, Clone, Serialize)]
pub struct QuickCheck {
    /// Deployment frequency's answer.
    pub deployment_frequency: Option<&'static str>,
    /// Lead time's answer.
    pub lead_time: Option<&'static str>,
    /// Change failure rate's answer.
    pub change_failure_rate: Option<&'static str>,
    /// Recovery time's answer.
    pub recovery_time: Option<&'static str>,
}

/// Failed deployments / deployments.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FailureRate {
    /// The rate, when there were deployments.
    pub value: Option<f64>,
    /// Failed deployments.
    pub failed: usize,
    /// Deployments.
    pub total: usize,
}

/// Unplanned deployments / deployments.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReworkRate {
    /// The rate, when there were deployments.
    pub value: Option<f64>,
    /// Unplanned deployments.
    pub unplanned: usize,
    /// Deployments.
    pub total: usize,
}

fn share(part: usize, total: usize) -> Option<f64> {
    (total > 0).then(|| part as f64 / total as f64)
}

/// Lead time for changes: the summary of every change counted (bots' included unless the view
/// excludes them), how many of them were bots', and the median without them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadTime {
    /// Changes counted.
    pub n: usize,
    /// Median, in seconds.
    pub median: Option<f64>,
    /// 75th percentile, in seconds.
    pub p75: Option<f64>,
    /// 90th percentile, in seconds.
    pub p90: Option<f64>,
    /// Bot changes among the deployed changes of the window (also when the view excludes them).
    pub bots: usize,
    /// The median of the human changes alone.
    pub median_without_bots: Option<f64>,
    /// True in the human-only view (`--exclude-bots`): `n`, `median`, `p75` and `p90` leave the
    /// bots' changes out.
    pub bots_excluded: bool,
}

impl LeadTime {
    /// Summarise `(lead time seconds, bot)` samples.
    pub fn of(samples: impl IntoIterator<Item = (f64, bool)>, bots: Bots) -> LeadTime {
        let (mut all, mut humans) = (Vec::new(), Vec::new());
        let mut bot_count = 0;
        for (secs, bot) in samples {
            all.push(secs);
            if bot {
                bot_count += 1;
            } else {
                humans.push(secs);
            }
        }
        let human = summarize(humans);
        let counted = match bots {
            Bots::Count => summarize(all),
            Bots::Exclude => human,
        };
        LeadTime {
            n: counted.n,
            median: counted.median,
            p75: counted.p75,
            p90: counted.p90,
            bots: bot_count,
            median_without_bots: human.median,
            bots_excluded: bots == Bots::Exclude,
        }
    }

    /// The counted changes' summary.
    pub fn summary(&self) -> Summary {
        Summary {
            n: self.n,
            median: self.median,
            p75: self.p75,
            p90: self.p90,
        }
    }
}

/// Whether DORA's lead time counts bots' changes (the definition: it does) or leaves them out
/// (the human-only view a manager may ask for).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bots {
    /// Bots' changes count (DORA's definition).
    #[default]
    Count,
    /// Bots' changes are left out.
    Exclude,
}

impl Bots {
    /// Whether `change` counts in lead time under this view.
    pub fn counts(self, change: &Change) -> bool {
        self == Bots::Count || !change.bot
    }
}

/// The DORA metrics of a scope and window.
#[derive(Debug, Clone, Serialize)]
pub struct Dora {
    /// Window start.
    pub since: Ts,
    /// Window end.
    pub until: Ts,
    /// Production deployments in the window.
    pub deployments: usize,
    /// Deployments per week.
    pub deployment_frequency_per_week: f64,
    /// Days with a deployment, per week.
    pub deployment_days_per_week: f64,
    /// Lead time for changes.
    pub lead_time_seconds: LeadTime,
    /// Failed deployments / deployments.
    pub change_failure_rate: FailureRate,
    /// Time to restore after a failed deployment.
    pub recovery_time_seconds: Summary,
    /// Unplanned deployments / deployments.
    pub rework_rate: ReworkRate,
    /// The performance clusters.
    pub level: Levels,
    /// The Quick Check answers.
    pub quick_check: QuickCheck,
    /// Week by week.
    pub weekly: Vec<Week>,
    /// The deployments in the window with their changes, failures and rework.
    pub evidence: Vec<DeploymentRecord>,
    /// Failed deployments not recovered by `until`.
    pub unrecovered: Vec<i64>,
    /// Data oddities that affect the numbers (negative lead times, unknown commits).
    pub warnings: Vec<String>,
}

/// Every production deployment of every repository analysed once: changes, failures, rework and
/// recovery depend on history outside any window, so windows and scopes select from this.
pub struct Analysis {
    /// Ordered by repository, then time and id.
    pub records: Vec<DeploymentRecord>,
    /// In record order.
    pub warnings: Vec<Warning>,
}

/// Something odd in a deployment's analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// The deployment.
    pub deployment: i64,
    /// Its repository.
    pub repo: i64,
    /// What is odd.
    pub text: String,
}

/// When a production deployment counts: when it succeeded, or when it failed as a deployment (a
/// deploy workflow run); `None`: not a deployment.
fn succeeded(d: &Deployment) -> Option<Ts> {
    if d.production {
        d.succeeded_at.or(d.failed_at)
    } else {
        None
    }
}

/// A deployment that failed as such (a failed deploy workflow run): it ships nothing.
fn deploy_failed(d: &Deployment) -> bool {
    d.succeeded_at.is_none() && d.failed_at.is_some()
}

fn payload_number(payload: &str, key: &str) -> Option<i64> {
    let i = payload.find(&format!("\"{key}\""))?;
    let rest = &payload[i + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// `#123` references in a text.
fn pr_refs(text: &str) -> Vec<i64> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' {
            let digits: String = text[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse() {
                out.push(n);
            }
        }
    }
    out
}

fn is_hotfix(title: &str, labels: &[String]) -> bool {
    labels.iter().any(|l| l.eq_ignore_ascii_case("hotfix"))
        || title.to_ascii_lowercase().starts_with("hotfix")
}

fn is_revert(subject: &str) -> bool {
    subject.starts_with("Revert \"")
}

/// Analyse every production deployment of `data` (see [`Analysis`]).
pub fn analyse(data: &Dataset, opts: &DoraOptions) -> Analysis {
    analyse_beside(data, &[], opts)
}

/// [`analyse`] of some repositories' records (`data`) beside the deployments of the other
/// repositories (`others`, not analysed): an incident whose note names one of those is linked
/// there, so the window rule leaves it out here, as an analysis of everything does. (A cache
/// re-analysing the repositories a sync wrote passes the rest of the organisation's deployments.)
pub fn analyse_beside(data: &Dataset, others: &[&Deployment], opts: &DoraOptions) -> Analysis {
    let ix = Index::new(data);
    // PR membership of commits: originals, and rebased copies on the default branch.
    let shas: usize = data.pull_requests.iter().map(|p| p.commits.len() + 1).sum();
    let mut pr_of: HashMap<(i64, &str), usize> =
        HashMap::with_capacity_and_hasher(shas, Default::default());
    let mut rebased: HashSet<(i64, &str)> = HashSet::default();
    for (i, p) in data.pull_requests.iter().enumerate() {
        for sha in &p.commits {
            pr_of.insert((p.repo, sha.as_str()), i);
        }
        if let Some(m) = p
            .merge_commit_sha
            .as_deref()
            .filter(|_| p.merged_at.is_some())
        {
            pr_of.entry((p.repo, m)).or_insert(i);
            // Rebase merges: the landing commit is the last of a chain of copies of the PR's
            // commits (same author time and subject, newest first). A squash commit is not.
            if !p.commits.iter().any(|s| s == m) {
                let mut cur = ix.commit(p.repo, m);
                for original in p.commits.iter().rev().filter_map(|s| ix.commit(p.repo, s)) {
                    let Some(copy) = cur.filter(|c| {
                        c.parents.len() == 1
                            && c.authored_at == original.authored_at
                            && c.subject == original.subject
                    }) else {
                        break;
                    };
                    pr_of.entry((p.repo, copy.sha.as_str())).or_insert(i);
                    rebased.insert((p.repo, copy.sha.as_str()));
                    cur = copy.parents.first().and_then(|s| ix.commit(p.repo, s));
                }
            }
        }
    }

    let mut by_repo: HashMap<i64, Vec<&Deployment>> = HashMap::default();
    for d in data.deployments.iter().filter(|d| succeeded(d).is_some()) {
        by_repo.entry(d.repo).or_default().push(d);
    }
    let links = explicit_links(data, &by_repo, others);
    let mut repos: Vec<(i64, Vec<&Deployment>)> = by_repo.into_iter().collect();
    repos.sort_unstable_by_key(|(repo, _)| *repo);
    let walk = Walk {
        data,
        ix,
        pr_of,
        rebased,
        links,
        opts,
    };
    // Each repository's deployments are analysed on their own: two runs of repositories of about
    // half the deployments each, on two cores when there are two, joined in repository order.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let split = if cores > 1 {
        halfway(&repos)
    } else {
        repos.len()
    };
    let (first, second) = repos.split_at_mut(split);
    let (mut analysis, rest) = std::thread::scope(|s| {
        let other = s.spawn(|| walk.run(second));
        let mine = walk.run(first);
        (
            mine,
            other.join().expect("a repository's analysis panicked"),
        )
    });
    analysis.records.extend(rest.records);
    analysis.warnings.extend(rest.warnings);
    analysis
}

/// Where to split repositories (in order, with their deployments) into two runs of about half the
/// deployments each.
fn halfway(repos: &[(i64, Vec<&Deployment>)]) -> usize {
    let total: usize = repos.iter().map(|(_, d)| d.len()).sum();
    let mut seen = 0;
    repos
        .iter()
        .position(|(_, d)| {
            seen += d.len();
            seen * 2 >= total
        })
        .map_or(repos.len(), |i| i + 1)
}

/// What walking a repository's deployments reads: the dataset's index, which PR each commit
/// belongs to (rebased copies included), and the incidents' explicit links.
struct Walk<'a> {
    data: &'a Dataset,
    ix: Index<'a>,
    pr_of: HashMap<(i64, &'a str), usize>,
    rebased: HashSet<(i64, &'a str)>,
    links: Links<'a>,
    opts: &'a DoraOptions,
}

impl Walk<'_> {
    /// The records and warnings of a run of repositories, in its order.
    fn run(&self, run: &mut [(i64, Vec<&Deployment>)]) -> Analysis {
        let mut out = Analysis {
            records: Vec::new(),
            warnings: Vec::new(),
        };
        for (repo, deps) in run {
            deps.sort_by_key(|d| (succeeded(d).unwrap_or(0), d.id));
            let first = out.records.len();
            self.repo(*repo, deps, &mut out);
            let (data, ix, links) = (self.data, &self.ix, &self.links);
            classify(data, ix, deps, &mut out.records[first..], links, self.opts);
        }
        out
    }

    /// One record per deployment of `repo` (in time order): the changes it shipped first, each
    /// with its lead time, and the PRs they came from.
    fn repo(&self, repo: i64, deps: &[&Deployment], out: &mut Analysis) {
        let (data, ix, opts) = (self.data, &self.ix, self.opts);
        let mut deployed: HashSet<&str> = HashSet::default();
        for d in deps {
            let at = succeeded(d).unwrap_or(d.created_at);
            let mut changes = Vec::new();
            let mut prs: Vec<i64> = Vec::new();
            if deploy_failed(d) {
                // A failed deploy ships nothing: its commits go with the next one that succeeds.
                out.records.push(DeploymentRecord {
                    id: d.id,
                    external_id: d.external_id.clone(),
                    repo,
                    sha: d.sha.clone(),
                    at,
                    changes,
                    failures: vec![FailureEvidence::DeployFailed],
                    unplanned: None,
                    recovery_secs: None,
                    pull_requests: prs,
                });
                continue;
            }
            if ix.commit(repo, &d.sha).is_none() {
                let text = format!(
                    "deployment {} deploys {} which is not in the synced history; its changes are unknown",
                    d.id, &d.sha
                );
                out.warnings.push(Warning {
                    deployment: d.id,
                    repo,
                    text,
                });
            }
            let mut stack: Vec<&str> = vec![d.sha.as_str()];
            while let Some(sha) = stack.pop() {
                if !deployed.insert(sha) {
                    continue;
                }
                let Some(c) = ix.commit(repo, sha) else {
                    continue;
                };
                stack.extend(c.parents.iter().map(String::as_str));
                let pr = self
                    .pr_of
                    .get(&(repo, sha))
                    .map(|&i| &data.pull_requests[i]);
                if let Some(p) = pr
                    && !prs.contains(&p.id)
                {
                    prs.push(p.id);
                }
                if c.parents.len() > 1 {
                    continue;
                }
                // Bots' changes count (a dependency update reached production too) and say so.
                let bot_pr = pr.is_some_and(|p| p.author_is_bot);
                // A squash commit stands for the PR's own commits (which never reach the branch).
                let squash = pr.filter(|p| {
                    p.merge_commit_sha.as_deref() == Some(sha)
                        && !p.commits.iter().any(|s| s == sha)
                        && !self.rebased.contains(&(repo, sha))
                });
                let originals: Vec<&crate::data::Commit> = match squash {
                    Some(p) => p
                        .commits
                        .iter()
                        .filter_map(|s| ix.commit(repo, s))
                        .filter(|o| o.parents.len() <= 1)
                        .collect(),
                    None => vec![c],
                };
                // Only that option reads the PR's first commit: looked up once, when it does.
                let pr_first = pr
                    .filter(|_| opts.lead_time_start == LeadTimeStart::PrFirstCommit)
                    .and_then(|p| {
                        p.commits
                            .iter()
                            .filter_map(|s| ix.commit(repo, s))
                            .map(|x| x.authored_at)
                            .min()
                    });
                for o in originals {
                    let start = match opts.lead_time_start {
                        LeadTimeStart::AuthorTime => o.authored_at,
                        LeadTimeStart::CommitterTime => o.committed_at,
                        LeadTimeStart::PrFirstCommit => pr_first.unwrap_or(o.authored_at),
                    };
                    let lead = at - start;
                    if lead < 0 {
                        out.warnings.push(Warning {
                            deployment: d.id,
                            repo,
                            text: format!(
                                "commit {} was deployed {}s before its start time (deployment {})",
                                &o.sha, -lead, d.id
                            ),
                        });
                    }
                    changes.push(Change {
                        sha: o.sha.clone(),
                        pull_request: pr.map(|p| p.id),
                        started_at: start,
                        lead_time_secs: lead,
                        bot: bot_pr || o.author_is_bot,
                    });
                }
            }
            out.records.push(DeploymentRecord {
                id: d.id,
                external_id: d.external_id.clone(),
                repo,
                sha: d.sha.clone(),
                at,
                changes,
                failures: Vec::new(),
                unplanned: None,
                recovery_secs: None,
                pull_requests: prs,
            });
        }
    }
}

/// Failures, rework and recovery for one repository's deployments (in time order).
fn classify(
    data: &Dataset,
    ix: &Index<'_>,
    deps: &[&Deployment],
    recs: &mut [DeploymentRecord],
    links: &Links<'_>,
    opts: &DoraOptions,
) {
    let repo = deps.first().map(|d| d.repo);
    let service = repo
        .and_then(|r| ix.repo_by_id.get(&r))
        .and_then(|r| r.service.as_deref());
    let mut incidents: Vec<&Incident> = data
        .incidents
        .iter()
        .filter(|i| service.is_some() && i.service.as_deref() == service)
        .collect();
    incidents.sort_by_key(|i| (i.created_at, i.id));
    let n = recs.len();
    let pr = |id: i64| ix.pull_request(id);
    for k in 0..n {
        let (sha, id) = (recs[k].sha.clone(), recs[k].id);
        // Rollback: the payload names an earlier deployment, or an older commit is redeployed.
        let rollback_of = payload_number(&deps[k].payload, "rollback_of");
        let redeploys_older = k > 0 && !deploy_failed(deps[k]) && recs[k].changes.is_empty() && {
            let prev = &recs[k - 1].sha;
            prev != &sha && is_ancestor(ix, deps[k].repo, &sha, prev)
        };
        if rollback_of.is_some() || redeploys_older {
            recs[k].unplanned = Some(Unplanned::Rollback);
            // The payload names the provider's deployment id (GitHub knows no store ids); a
            // redeployed older commit rolls back the previous deployment, whatever the payload says.
            let named = rollback_of.and_then(|t| {
                recs[..k]
                    .iter()
                    .rposition(|r| r.external_id == t.to_string())
            });
            let previous = redeploys_older.then(|| k - 1);
            for t in [named, previous].into_iter().flatten() {
                let ev = FailureEvidence::Rollback { deployment: id };
                if !recs[t].failures.contains(&ev) {
                    recs[t].failures.push(ev);
                }
            }
        }
        // Reverts and hotfixes shipped by this deployment point back at what they fix.
        let shipped: Vec<i64> = recs[k].pull_requests.clone();
        for p in shipped.iter().filter_map(|&id| pr(id)) {
            let revert = is_revert(&p.title);
            let hotfix = is_hotfix(&p.title, &p.labels);
            if !revert && !hotfix {
                continue;
            }
            recs[k].unplanned.get_or_insert(if revert {
                Unplanned::Revert
            } else {
                Unplanned::Hotfix
            });
            let refs: Vec<i64> = pr_refs(&p.body)
                .into_iter()
                .filter_map(|n| {
                    ix.pr_by_number
                        .get(&(p.repo, n))
                        .map(|&i| data.pull_requests[i].id)
                })
                .collect();
            let mut culprits: Vec<usize> = (0..k)
                .filter(|&j| recs[j].pull_requests.iter().any(|x| refs.contains(x)))
                .collect();
            if culprits.is_empty() && !revert {
                culprits.extend(k.checked_sub(1));
            }
            for j in culprits {
                let ev = if revert {
                    FailureEvidence::Revert {
                        deployment: id,
                        commit: p.merge_commit_sha.clone().unwrap_or_default(),
                    }
                } else {
                    FailureEvidence::Hotfix {
                        deployment: id,
                        pull_request: Some(p.id),
                    }
                };
                if !recs[j].failures.contains(&ev) {
                    recs[j].failures.push(ev);
                }
            }
        }
    }
    // A tag or release described as a hotfix ("Hotfix 2.35.1") fixes the release before it.
    for k in 1..n {
        if matches!(deps[k].kind, DeploymentKind::Tag | DeploymentKind::Release)
            && deps[k]
                .description
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("hotfix")
        {
            recs[k].unplanned.get_or_insert(Unplanned::Hotfix);
            let ev = FailureEvidence::Hotfix {
                deployment: recs[k].id,
                pull_request: None,
            };
            if !recs[k - 1].failures.contains(&ev) {
                recs[k - 1].failures.push(ev);
            }
        }
    }
    link_incidents(deps, recs, &incidents, links, opts);
    // Recovery: the first later deployment that did not fail, or a linked incident's resolution.
    for k in 0..n {
        if recs[k].failures.is_empty() {
            continue;
        }
        let at = recs[k].at;
        let next_good = recs[k + 1..]
            .iter()
            .find(|r| r.failures.is_empty())
            .map(|r| r.at);
        let resolved = recs[k]
            .failures
            .iter()
            .filter_map(|f| match f {
                FailureEvidence::IncidentLink { incident, .. }
                | FailureEvidence::IncidentAfter { incident, .. } => Some(*incident),
                _ => None,
            })
            .filter_map(|id| ix.incident(id).and_then(|i| i.resolved_at))
            .min();
        recs[k].recovery_secs = [next_good, resolved]
            .into_iter()
            .flatten()
            .min()
            .map(|t| t - at);
    }
}

/// Explicit incident links, whatever the incident's service: deployment id → the incidents naming
/// it, in incident order; and the incidents that name any deployment at all.
pub(crate) struct Links<'a> {
    by_deployment: HashMap<i64, Vec<&'a Incident>>,
    linked: HashSet<i64>,
}

/// An incident links a deployment by its store id, or by naming it in a note: "deployment
/// 3000123" (the provider's id), or the first 7+ hex digits of its sha — per repository, the
/// latest deployment of that sha not after the incident started (a commit deployed only later,
/// such as the fix, links nothing, and neither does the commit a note rolls back to, which is the
/// known-good one).
/// An incident naming only one of `others` (deployments of repositories not analysed) links
/// nothing here but is linked, so the window rule leaves it out.
fn explicit_links<'a>(
    data: &'a Dataset,
    by_repo: &HashMap<i64, Vec<&'a Deployment>>,
    others: &[&Deployment],
) -> Links<'a> {
    let deployments = || by_repo.values().flatten();
    let ids: HashSet<i64> = deployments().map(|d| d.id).collect();
    let mut by_external: HashMap<&str, Vec<i64>> = HashMap::default();
    let mut by_sha7: HashMap<&str, Vec<&Deployment>> = HashMap::default();
    for d in deployments() {
        by_external
            .entry(d.external_id.as_str())
            .or_default()
            .push(d.id);
        if d.sha.len() >= 7 {
            by_sha7.entry(&d.sha[..7]).or_default().push(d);
        }
    }
    let mut incidents: Vec<&Incident> = data.incidents.iter().collect();
    incidents.sort_by_key(|i| (i.created_at, i.id));
    let mut links = Links {
        by_deployment: HashMap::default(),
        linked: HashSet::default(),
    };
    for inc in incidents {
        let mut targets: Vec<i64> = inc
            .deployment
            .filter(|d| ids.contains(d))
            .into_iter()
            .collect();
        for note in &inc.notes {
            targets.extend(
                deployment_refs(note)
                    .filter_map(|ext| by_external.get(ext))
                    .flatten(),
            );
            for word in hex_words(note) {
                let mut latest: HashMap<i64, &Deployment> = HashMap::default();
                for d in by_sha7
                    .get(&word[..7])
                    .into_iter()
                    .flatten()
                    .filter(|d| d.sha.starts_with(word))
                {
                    let at = succeeded(d).unwrap_or(d.created_at);
                    if at <= inc.created_at
                        && latest.get(&d.repo).is_none_or(|l| {
                            (succeeded(l).unwrap_or(l.created_at), l.id) < (at, d.id)
                        })
                    {
                        latest.insert(d.repo, d);
                    }
                }
                targets.extend(latest.values().map(|d| d.id));
            }
        }
        targets.sort_unstable();
        targets.dedup();
        if !targets.is_empty() || inc.deployment.is_some() {
            links.linked.insert(inc.id);
        }
        for t in targets {
            links.by_deployment.entry(t).or_default().push(inc);
        }
    }
    link_elsewhere(data, by_repo, others, &mut links);
    links
}

/// What some incidents name: deployments by store id, and in their notes by provider id or sha
/// prefix (7 characters).
struct Named<'n> {
    ids: Vec<i64>,
    external: Vec<&'n str>,
    sha7: Vec<&'n str>,
}

impl<'n> Named<'n> {
    fn of(incidents: impl IntoIterator<Item = &'n Incident>) -> Named<'n> {
        let mut n = Named {
            ids: Vec::new(),
            external: Vec::new(),
            sha7: Vec::new(),
        };
        for i in incidents {
            n.ids.extend(i.deployment);
            for note in &i.notes {
                n.external.extend(deployment_refs(note));
                n.sha7.extend(hex_words(note).map(|w| &w[..7]));
            }
        }
        for v in [&mut n.external, &mut n.sha7] {
            v.sort_unstable();
            v.dedup();
        }
        n.ids.sort_unstable();
        n
    }

    fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.external.is_empty() && self.sha7.is_empty()
    }

    /// Whether `d` may be one of them (a superset: sha prefixes and timing are not checked).
    fn may_be(&self, d: &Deployment) -> bool {
        self.ids.binary_search(&d.id).is_ok()
            || self.external.binary_search(&d.external_id.as_str()).is_ok()
            || d.sha
                .get(..7)
                .is_some_and(|p| self.sha7.binary_search(&p).is_ok())
    }
}

/// The repositories whose deployments these incidents name (a superset, see [`Named`]). A change
/// to such an incident changes those deployments' records, so a cache re-analyses them.
pub fn named_repos<'a>(
    incidents: impl IntoIterator<Item = &'a Incident>,
    deployments: &[Deployment],
) -> HashSet<i64> {
    let named = Named::of(incidents);
    if named.is_empty() {
        return HashSet::default();
    }
    deployments
        .iter()
        .filter(|d| named.may_be(d))
        .map(|d| d.repo)
        .collect()
}

/// Mark linked the incidents on the analysed repositories' services that name one of `others`
/// (as [`explicit_links`] over every deployment would): by its provider id, or by a sha prefix
/// deployed no later than the incident started. Only what those incidents name is looked for.
fn link_elsewhere(
    data: &Dataset,
    by_repo: &HashMap<i64, Vec<&Deployment>>,
    others: &[&Deployment],
    links: &mut Links<'_>,
) {
    if others.is_empty() {
        return;
    }
    let services: HashSet<&str> = data
        .repos
        .iter()
        .filter(|r| by_repo.contains_key(&r.id))
        .filter_map(|r| r.service.as_deref())
        .collect();
    let candidates: Vec<&Incident> = data
        .incidents
        .iter()
        .filter(|i| !links.linked.contains(&i.id))
        .filter(|i| i.service.as_deref().is_some_and(|s| services.contains(s)))
        .collect();
    let maybe = Named::of(candidates.iter().copied());
    if maybe.is_empty() {
        return;
    }
    let named: Vec<&Deployment> = others
        .iter()
        .copied()
        .filter(|d| succeeded(d).is_some() && maybe.may_be(d))
        .collect();
    for i in candidates {
        let names = |note: &str| {
            deployment_refs(note).any(|e| named.iter().any(|d| d.external_id == e))
                || hex_words(note).any(|w| {
                    named.iter().any(|d| {
                        d.sha.starts_with(w) && succeeded(d).unwrap_or(d.created_at) <= i.created_at
                    })
                })
        };
        if i.notes.iter().any(|n| names(n)) {
            links.linked.insert(i.id);
        }
    }
}

/// Incident evidence for one repository's deployments (in time order):
/// - the incidents that link a deployment explicitly ([`explicit_links`]) fail it;
/// - an incident on the repository's service with no explicit link fails the deployment it
///   follows within the window, before the next deployment;
/// - a deployment made while a non-low-urgency incident is open on the service is an incident fix.
fn link_incidents(
    deps: &[&Deployment],
    recs: &mut [DeploymentRecord],
    incidents: &[&Incident],
    links: &Links<'_>,
    opts: &DoraOptions,
) {
    for rec in recs.iter_mut() {
        for inc in links.by_deployment.get(&rec.id).into_iter().flatten() {
            rec.failures.push(FailureEvidence::IncidentLink {
                incident: inc.id,
                incident_ref: inc.external_id.clone(),
            });
        }
    }
    let unlinked: Vec<&Incident> = incidents
        .iter()
        .copied()
        .filter(|i| !links.linked.contains(&i.id))
        .collect();
    let mut open: Vec<&Incident> = Vec::new();
    let mut next_incident = 0;
    for (k, rec) in recs.iter_mut().enumerate() {
        let at = rec.at;
        let next_at = deps
            .get(k + 1)
            .and_then(|d| succeeded(d))
            .unwrap_or(i64::MAX);
        let window_end = (at + opts.incident_window_secs).min(next_at);
        let first = unlinked.partition_point(|i| i.created_at <= at);
        for inc in unlinked[first..]
            .iter()
            .take_while(|i| i.created_at <= window_end)
        {
            rec.failures.push(FailureEvidence::IncidentAfter {
                incident: inc.id,
                incident_ref: inc.external_id.clone(),
                minutes_after: (inc.created_at - at) / 60,
            });
        }
        while next_incident < incidents.len() && incidents[next_incident].created_at <= at {
            open.push(incidents[next_incident]);
            next_incident += 1;
        }
        open.retain(|i| i.resolved_at.is_none_or(|r| r >= at));
        if rec.unplanned.is_none() && open.iter().any(|i| i.urgency.as_deref() != Some("low")) {
            rec.unplanned = Some(Unplanned::IncidentFix);
        }
    }
}

/// External deployment ids named in a note: "deployment 3000123".
fn deployment_refs(note: &str) -> impl Iterator<Item = &str> {
    note.match_indices("deployment ").filter_map(move |(i, m)| {
        let rest = &note[i + m.len()..];
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    })
}

/// Words of 7 to 40 lowercase hex digits (commit shas, possibly abbreviated) naming what the
/// incident is about: not a commit the note rolls back to ("Rolling back to 1a2b3c4").
fn hex_words(note: &str) -> impl Iterator<Item = &str> {
    note.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            (7..=40).contains(&w.len())
                && w.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
        .filter(move |w| !rolls_back_to(&note[..w.as_ptr() as usize - note.as_ptr() as usize]))
}

/// Does the text before a word end in "roll back to", "rolling back to", "rolled back to",
/// "rollback to", "revert to", "reverting to" or "reverted to" (whole words, any case, separated
/// by whitespace only)?
fn rolls_back_to(before: &str) -> bool {
    let words: Vec<String> = before
        .split_whitespace()
        .rev()
        .take(3)
        .map(str::to_ascii_lowercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    before.ends_with(char::is_whitespace)
        && matches!(
            words[..],
            ["to", "back", "roll" | "rolling" | "rolled", ..]
                | ["to", "rollback" | "revert" | "reverting" | "reverted", ..]
        )
}

/// Is `a` an ancestor of `b` (or equal)?
fn is_ancestor(ix: &Index<'_>, repo: i64, a: &str, b: &str) -> bool {
    let mut seen = HashSet::default();
    let mut stack = vec![b];
    while let Some(s) = stack.pop() {
        if s == a {
            return true;
        }
        if !seen.insert(s) || seen.len() > 200_000 {
            continue;
        }
        if let Some(c) = ix.commit(repo, s) {
            stack.extend(c.parents.iter().map(String::as_str));
        }
    }
    false
}

/// Monday 00:00 UTC of the week containing `t`.
pub fn week_start(t: Ts) -> Ts {
    let day = t.div_euclid(DAY);
    let weekday = (day + 3).rem_euclid(7); // Monday = 0
    (day - weekday) * DAY
}

impl Dora {
    /// The lead times (seconds) of the changes its lead time counts, in evidence order: every
    /// change, or the people's only in the human-only view.
    pub fn lead_times(&self) -> Vec<i64> {
        let view = if self.lead_time_seconds.bots_excluded {
            Bots::Exclude
        } else {
            Bots::Count
        };
        self.evidence
            .iter()
            .flat_map(|r| r.changes.iter())
            .filter(|c| view.counts(c))
            .map(|c| c.lead_time_secs)
            .collect()
    }
}

/// DORA for a scope, from an analysis of every deployment; lead time counts every change.
pub fn dora(data: &Dataset, analysis: &Analysis, scope: &Scope) -> Dora {
    dora_with(data, analysis, scope, Bots::Count)
}

/// [`dora`], with bots' changes counted in lead time or left out (the human-only view; their
/// number is reported either way).
pub fn dora_with(data: &Dataset, analysis: &Analysis, scope: &Scope, bots: Bots) -> Dora {
    let recs: Vec<&DeploymentRecord> =
        of_repos(&analysis.records, scope.repo_ids(data).as_deref(), |r| {
            r.repo
        })
        .into_iter()
        .filter(|r| scope.contains(r.at))
        .collect();
    let weeks = scope.weeks();
    let days: HashSet<i64> = recs.iter().map(|r| r.at.div_euclid(DAY)).collect();
    let counted = |c: &&Change| bots.counts(c);
    let lead = LeadTime::of(
        recs.iter()
            .flat_map(|r| r.changes.iter().map(|c| (c.lead_time_secs as f64, c.bot))),
        bots,
    );
    let failed: Vec<&&DeploymentRecord> = recs.iter().filter(|r| !r.failures.is_empty()).collect();
    let recovery: Vec<f64> = failed
        .iter()
        .filter_map(|r| r.recovery_secs)
        .map(|s| s as f64)
        .collect();
    let unrecovered: Vec<i64> = failed
        .iter()
        .filter(|r| r.recovery_secs.is_none())
        .map(|r| r.id)
        .collect();
    let unplanned = recs.iter().filter(|r| r.unplanned.is_some()).count();
    let cfr = FailureRate {
        value: share(failed.len(), recs.len()),
        failed: failed.len(),
        total: recs.len(),
    };
    let rec = summarize(recovery);
    let freq = recs.len() as f64 / weeks;

    let mut weekly = Vec::new();
    let mut w = week_start(scope.since);
    while w <= scope.until {
        let in_week: Vec<&&DeploymentRecord> = recs
            .iter()
            .filter(|r| r.at >= w && r.at < w + WEEK)
            .collect();
        let ds: HashSet<i64> = in_week.iter().map(|r| r.at.div_euclid(DAY)).collect();
        weekly.push(Week {
            start: w,
            deployments: in_week.len(),
            deployment_days: ds.len(),
            failed: in_week.iter().filter(|r| !r.failures.is_empty()).count(),
            lead_time_median_secs: summarize(
                in_week
                    .iter()
                    .flat_map(|r| r.changes.iter().filter(counted))
                    .map(|c| c.lead_time_secs as f64)
                    .collect(),
            )
            .median,
        });
        w += WEEK;
    }
    let ids: HashSet<i64> = recs.iter().map(|r| r.id).collect();
    let warnings = analysis
        .warnings
        .iter()
        .filter(|w| ids.contains(&w.deployment))
        .map(|w| w.text.clone())
        .collect();
    Dora {
        since: scope.since,
        until: scope.until,
        deployments: recs.len(),
        deployment_frequency_per_week: freq,
        deployment_days_per_week: days.len() as f64 / weeks,
        level: levels(&LevelInput {
            per_week: freq,
            days_per_week: days.len() as f64 / weeks,
            lead: lead.median,
            lead_n: lead.n,
            cfr: cfr.value,
            deployments: recs.len(),
            recovery: rec.median,
            recovery_n: rec.n,
        }),
        quick_check: quick_check(freq, lead.median, cfr.value, rec.median),
        lead_time_seconds: lead,
        change_failure_rate: cfr,
        recovery_time_seconds: rec,
        rework_rate: ReworkRate {
            value: share(unplanned, recs.len()),
            unplanned,
            total: recs.len(),
        },
        weekly,
        evidence: recs.into_iter().cloned().collect(),
        unrecovered,
        warnings,
    }
}

const HOUR: f64 = bosun_core::time::HOUR as f64;
const DAY_F: f64 = DAY as f64;

/// DORA 2024 performance clusters (Accelerate State of DevOps 2024). The report describes four
/// clusters by their typical values; each metric is assigned to its cluster:
/// - deployment frequency: elite on demand (at least daily), high between daily and weekly,
///   medium between weekly and monthly, low less often;
/// - lead time for changes: elite < 1 day, high < 1 week, medium < 1 month, low longer;
/// - change failure rate: the clusters' values are elite 5 %, medium 10 %, high 20 %, low 40 %
///   (not monotonic in the report), so a rate goes to the nearest of those values;
/// - failed deployment recovery time: elite < 1 hour, high < 1 day, medium < 1 week, low longer.
///
/// The overall level is the lowest of the four: a team is as fast as its slowest key.
///
/// Levels are given only where the definition allows: "elite" frequency needs deployments on most
/// days ([`ELITE_DAYS_PER_WEEK`]); lead time and recovery need [`MIN_SAMPLES_FOR_LEVEL`] samples
/// and the change failure rate [`MIN_DEPLOYMENTS_FOR_CFR_LEVEL`] deployments. What is withheld is
/// said in [`Levels::withheld`].
pub fn levels(x: &LevelInput) -> Levels {
    let freq_per_week = x.per_week;
    let mut withheld = Vec::new();
    let enough = |n: usize, min: usize, what: &str, withheld: &mut Vec<String>| {
        if n < min {
            withheld.push(format!("{what}: n={n}, a level needs at least {min}"));
        }
        n >= min
    };
    let lead = x
        .lead
        .filter(|_| enough(x.lead_n, MIN_SAMPLES_FOR_LEVEL, "lead time", &mut withheld));
    let cfr = x.cfr.filter(|_| {
        enough(
            x.deployments,
            MIN_DEPLOYMENTS_FOR_CFR_LEVEL,
            "change failure rate",
            &mut withheld,
        )
    });
    let recovery = x.recovery.filter(|_| {
        enough(
            x.recovery_n,
            MIN_SAMPLES_FOR_LEVEL,
            "recovery time",
            &mut withheld,
        )
    });
    let df = if freq_per_week >= 5.0 && x.days_per_week >= ELITE_DAYS_PER_WEEK {
        "elite"
    } else if freq_per_week >= 1.0 {
        "high"
    } else if freq_per_week >= 12.0 / 52.0 {
        "medium"
    } else {
        "low"
    };
    let lt = lead.map(|l| {
        if l < DAY_F {
            "elite"
        } else if l < 7.0 * DAY_F {
            "high"
        } else if l < 30.0 * DAY_F {
            "medium"
        } else {
            "low"
        }
    });
    let cf = cfr.map(|c| {
        let centres = [
            ("elite", 0.05),
            ("medium", 0.10),
            ("high", 0.20),
            ("low", 0.40),
        ];
        centres
            .iter()
            .min_by(|a, b| (a.1 - c).abs().total_cmp(&(b.1 - c).abs()))
            .map_or("low", |x| x.0)
    });
    let rt = recovery.map(|r| {
        if r < HOUR {
            "elite"
        } else if r < DAY_F {
            "high"
        } else if r < 7.0 * DAY_F {
            "medium"
        } else {
            "low"
        }
    });
    let rank = |l: &str| {
        ["low", "medium", "high", "elite"]
            .iter()
            .position(|x| *x == l)
            .unwrap_or(0)
    };
    let all: Vec<&'static str> = [Some(df), lt, cf, rt].into_iter().flatten().collect();
    let overall = all.iter().min_by_key(|l| rank(l)).copied();
    Levels {
        year: 2024,
        deployment_frequency: Some(df),
        lead_time: lt,
        change_failure_rate: cf,
        recovery_time: rt,
        overall,
        withheld,
    }
}

/// The DORA Quick Check's six answers per metric.
pub fn quick_check(
    freq_per_week: f64,
    lead: Option<f64>,
    cfr: Option<f64>,
    recovery: Option<f64>,
) -> QuickCheck {
    let per_day = freq_per_week / 7.0;
    let df = if per_day > 1.0 {
        "on demand (multiple deploys per day)"
    } else if freq_per_week >= 5.0 {
        "between once per hour and once per day"
    } else if freq_per_week >= 1.0 {
        "between once per day and once per week"
    } else if freq_per_week >= 12.0 / 52.0 {
        "between once per week and once per month"
    } else if freq_per_week >= 2.0 / 52.0 {
        "between once per month and once every six months"
    } else {
        "fewer than once per six months"
    };
    let duration = |s: f64| {
        if s < HOUR {
            "less than one hour"
        } else if s < DAY_F {
            "between one hour and one day"
        } else if s < 7.0 * DAY_F {
            "between one day and one week"
        } else if s < 30.0 * DAY_F {
            "between one week and one month"
        } else if s < 182.0 * DAY_F {
            "between one month and six months"
        } else {
            "more than six months"
        }
    };
    let cf = cfr.map(|c| match (c * 100.0).round() as i64 {
        0..=15 => "0-15%",
        16..=30 => "16-30%",
        31..=45 => "31-45%",
        46..=60 => "46-60%",
        61..=75 => "61-75%",
        _ => "76-100%",
    });
    QuickCheck {
        deployment_frequency: Some(df),
        lead_time: lead.map(duration),
        change_failure_rate: cf,
        recovery_time: recovery.map(duration),
    }
}

#[cfg(test)]
mod tests;
