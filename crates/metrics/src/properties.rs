//! Property tests over seeded random organisations: a plan of pull requests landing (squash,
//! merge or rebase), deployments of whatever is on the default branch at the time, incidents,
//! hotfixes and reverts — materialised into a [`Dataset`] with a real commit graph.

use crate::data::*;
use crate::dora::{Analysis, Bots, Dora, DoraOptions, Scope, analyse, dora, dora_with};
use crate::prs::{PrMetrics, pr_metrics};
use crate::testkit::{D, H, T0};
use bosun_core::rng::Rng;
use bosun_core::time::Ts;

const WEEKS: i64 = 8;
const HUMANS: [i64; 5] = [1, 2, 3, 4, 5];
const BOT: i64 = 99;
const SERVICES: [&str; 2] = ["api", "web"];

#[derive(Clone, Copy, PartialEq)]
enum Strategy {
    Squash,
    Merge,
    Rebase,
}

#[derive(Clone)]
struct PlanPr {
    key: String,
    repo: i64,
    bot: bool,
    strategy: Strategy,
    commit_times: Vec<Ts>,
    created: Ts,
    ready: Option<Ts>,
    landed: Ts,
    author: i64,
    reviews: Vec<(i64, Ts)>,
    title: String,
    /// The plan key of the PR this one fixes or reverts.
    fixes: Option<String>,
}

#[derive(Clone)]
enum Event {
    Land(PlanPr),
    Deploy {
        repo: i64,
        at: Ts,
    },
    Incident {
        repo: i64,
        at: Ts,
        hours: i64,
        linked: bool,
    },
}

impl Event {
    fn at(&self) -> Ts {
        match self {
            Event::Land(p) => p.landed,
            Event::Deploy { at, .. } | Event::Incident { at, .. } => *at,
        }
    }
}

/// A working week of human activity for two repositories, at minute resolution.
fn human_plan(seed: u64) -> Vec<Event> {
    let mut rng = Rng::seed(seed).fork("humans");
    let mut events = Vec::new();
    for repo in [1, 2] {
        let mut keys: Vec<String> = Vec::new();
        for i in 0..rng.range(25, 45) {
            let landed = T0 + rng.range(1, WEEKS * 7 * 24 * 60 - 1) * 60;
            let created = landed - rng.range(2 * 60, 6 * 24 * 60) * 60;
            let n = rng.range(1, 4);
            let mut commit_times: Vec<Ts> = (0..n)
                .map(|_| created - rng.range(10, 48 * 60) * 60)
                .collect();
            commit_times.sort_unstable();
            let ready = rng
                .chance(0.3)
                .then(|| created + (landed - created) / 4 / 60 * 60);
            let author = rng.pick(&HUMANS);
            let from = ready.unwrap_or(created);
            let reviews: Vec<(i64, Ts)> = (0..rng.range(0, 2))
                .map(|_| {
                    (
                        rng.pick(&HUMANS),
                        from + rng.range(1, ((landed - from) / 60 - 1).max(1)) * 60,
                    )
                })
                .collect();
            let key = format!("r{repo}p{i}");
            let kind = rng.f64();
            let (title, fixes) = match keys.last() {
                Some(prev) if kind < 0.06 => {
                    (format!("Revert \"change {prev}\""), Some(prev.clone()))
                }
                Some(prev) if kind < 0.12 => (format!("Hotfix: {prev}"), Some(prev.clone())),
                _ => (format!("Change {key}"), None),
            };
            keys.push(key.clone());
            let strategy = rng.pick(&[Strategy::Squash, Strategy::Merge, Strategy::Rebase]);
            events.push(Event::Land(PlanPr {
                key,
                repo,
                bot: false,
                strategy,
                commit_times,
                created,
                ready,
                landed,
                author,
                reviews,
                title,
                fixes,
            }));
        }
        for _ in 0..rng.range(15, 30) {
            events.push(Event::Deploy {
                repo,
                at: T0 + rng.range(1, WEEKS * 7 * 24 * 60) * 60,
            });
        }
        for _ in 0..rng.range(2, 6) {
            let linked = rng.chance(0.5);
            events.push(Event::Incident {
                repo,
                at: T0 + rng.range(1, WEEKS * 7 * 24 * 60) * 60,
                hours: rng.range(1, 30),
                linked,
            });
        }
    }
    events
}

/// Dependabot-style pull requests, at odd half-minutes so they never tie with human events.
fn bot_plan(seed: u64, count: i64) -> Vec<Event> {
    let mut rng = Rng::seed(seed).fork("bots");
    (0..count)
        .map(|i| {
            let repo = rng.range(1, 2);
            let landed = T0 + rng.range(1, WEEKS * 7 * 24 * 60 - 1) * 60 + 30;
            let created = landed - rng.range(1, 72) * H;
            Event::Land(PlanPr {
                key: format!("bot{i}"),
                repo,
                bot: true,
                strategy: Strategy::Squash,
                commit_times: vec![created - 60],
                created,
                ready: None,
                landed,
                author: BOT,
                reviews: vec![(rng.pick(&HUMANS), created + 600)],
                title: format!("Bump dependency {i} from 1.0 to 1.1"),
                fixes: None,
            })
        })
        .collect()
}

fn materialise(mut events: Vec<Event>) -> Dataset {
    events.sort_by_key(|e| e.at());
    let mut data = Dataset {
        repos: vec![
            Repo {
                id: 1,
                full_name: "org/api".into(),
                team: Some("core".into()),
                service: Some(SERVICES[0].into()),
            },
            Repo {
                id: 2,
                full_name: "org/web".into(),
                team: Some("web".into()),
                service: Some(SERVICES[1].into()),
            },
        ],
        people: HUMANS
            .iter()
            .map(|&id| Person {
                id,
                name: format!("Person {id}"),
                team: None,
                is_bot: false,
            })
            .chain([Person {
                id: BOT,
                name: "dependabot[bot]".into(),
                team: None,
                is_bot: true,
            }])
            .collect(),
        ..Default::default()
    };
    // Each repository starts from an initial commit, deployed by nobody.
    let mut heads: [Option<String>; 3] = [None, Some("root1".into()), Some("root2".into())];
    for r in [1, 2] {
        data.commits.push(Commit {
            repo: r,
            sha: format!("root{r}"),
            authored_at: T0 - 30 * D,
            committed_at: T0 - 30 * D,
            parents: vec![],
            author: Some(1),
            author_is_bot: false,
            subject: "Initial commit".into(),
        });
    }
    let mut numbers: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    let mut last_deploy: [Option<(i64, Ts)>; 3] = [None, None, None];
    let mut next_id = 1;
    for ev in events {
        match ev {
            Event::Land(p) => {
                let r = p.repo;
                let head = heads[r as usize].clone();
                let mut commit = |sha: String, parents: Vec<String>, at: Ts, subject: &str| {
                    data.commits.push(Commit {
                        repo: r,
                        sha: sha.clone(),
                        authored_at: at,
                        committed_at: at + 60,
                        parents,
                        author: Some(p.author),
                        author_is_bot: p.bot,
                        subject: subject.to_string(),
                    });
                    sha
                };
                let mut own = Vec::new();
                let mut parent = head.clone();
                for (i, t) in p.commit_times.iter().enumerate() {
                    let sha = commit(
                        format!("{}c{i}", p.key),
                        parent.iter().cloned().collect(),
                        *t,
                        &p.title,
                    );
                    parent = Some(sha.clone());
                    own.push(sha);
                }
                let landing = match p.strategy {
                    Strategy::Squash => commit(
                        format!("{}s", p.key),
                        head.iter().cloned().collect(),
                        p.commit_times[0],
                        &p.title,
                    ),
                    Strategy::Merge => {
                        let parents = head.iter().cloned().chain(own.last().cloned()).collect();
                        commit(
                            format!("{}m", p.key),
                            parents,
                            p.landed,
                            "Merge pull request",
                        )
                    }
                    Strategy::Rebase => {
                        let mut parent = head.clone();
                        for (i, t) in p.commit_times.iter().enumerate() {
                            parent = Some(commit(
                                format!("{}r{i}", p.key),
                                parent.iter().cloned().collect(),
                                *t,
                                &p.title,
                            ));
                        }
                        parent.unwrap_or_default()
                    }
                };
                heads[r as usize] = Some(landing.clone());
                let number = numbers.len() as i64 + 1;
                numbers.insert(p.key.clone(), number);
                let body = p
                    .fixes
                    .as_ref()
                    .and_then(|k| numbers.get(k))
                    .map_or(String::new(), |n| format!("Fixes #{n}."));
                data.pull_requests.push(PullRequest {
                    id: 1000 + number,
                    repo: r,
                    number,
                    title: p.title.clone(),
                    body,
                    author: Some(p.author),
                    author_is_bot: p.bot,
                    created_at: p.created,
                    ready_at: p.ready,
                    draft: false,
                    merged_at: Some(p.landed),
                    closed_at: Some(p.landed),
                    merge_commit_sha: Some(landing),
                    head_sha: own.last().cloned(),
                    additions: 10 * p.commit_times.len() as i64,
                    deletions: 3,
                    labels: vec![],
                    commits: own,
                    reviews: p
                        .reviews
                        .iter()
                        .map(|&(who, at)| Review {
                            reviewer: Some(who),
                            reviewer_is_bot: false,
                            state: "APPROVED".into(),
                            at,
                        })
                        .collect(),
                    requested: vec![],
                });
            }
            Event::Deploy { repo, at } => {
                let Some(sha) = heads[repo as usize].clone() else {
                    continue;
                };
                let id = next_id;
                next_id += 1;
                data.deployments.push(Deployment {
                    id,
                    external_id: format!("{}", 7000 + id),
                    repo,
                    environment: "production".into(),
                    production: true,
                    sha,
                    created_at: at - 300,
                    succeeded_at: Some(at),
                    failed_at: None,
                    kind: bosun_core::model::DeploymentKind::GithubDeployment,
                    description: String::new(),
                    payload: String::new(),
                });
                last_deploy[repo as usize] = Some((7000 + id, at));
            }
            Event::Incident {
                repo,
                at,
                hours,
                linked,
            } => {
                let id = next_id;
                next_id += 1;
                let notes = match last_deploy[repo as usize].filter(|_| linked) {
                    Some((ext, _)) => vec![format!("Caused by deployment {ext}")],
                    None => vec![],
                };
                data.incidents.push(Incident {
                    id,
                    external_id: format!("P{id}"),
                    service: Some(SERVICES[repo as usize - 1].into()),
                    created_at: at,
                    resolved_at: Some(at + hours * H),
                    deployment: None,
                    notes,
                    urgency: Some("high".into()),
                    title: "errors".into(),
                });
            }
        }
    }
    data.order_by_repo();
    data
}

struct All {
    data: Dataset,
    analysis: Analysis,
}

impl All {
    fn new(data: Dataset) -> All {
        let analysis = analyse(&data, &DoraOptions::default());
        All { data, analysis }
    }

    fn dora(&self, scope: &Scope) -> Dora {
        dora(&self.data, &self.analysis, scope)
    }

    fn prs(&self, scope: &Scope) -> PrMetrics {
        pr_metrics(&self.data, &self.analysis, scope)
    }
}

fn scope(since: Ts, until: Ts) -> Scope {
    Scope {
        since,
        until,
        team: None,
        repo: None,
    }
}

fn whole() -> Scope {
    scope(T0, T0 + WEEKS * 7 * D)
}

fn lead_samples(d: &Dora) -> Vec<i64> {
    let mut v: Vec<i64> = d
        .evidence
        .iter()
        .flat_map(|r| r.changes.iter().map(|c| c.lead_time_secs))
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn the_generated_organisations_are_not_trivial() {
    for seed in 0..20 {
        let all = All::new(materialise(human_plan(seed)));
        let d = all.dora(&whole());
        assert!(
            d.deployments >= 20,
            "seed {seed}: {} deployments",
            d.deployments
        );
        assert!(d.lead_time_seconds.n >= 40, "seed {seed}");
        assert!(
            d.change_failure_rate.failed > 0,
            "seed {seed}: some deployments fail"
        );
        assert!(d.change_failure_rate.failed < d.deployments, "seed {seed}");
        assert!(all.prs(&whole()).merged >= 50, "seed {seed}");
    }
}

/// The lead times of people's changes only (bots' changes are counted apart).
fn human_lead_samples(d: &Dora) -> Vec<i64> {
    let mut v: Vec<i64> = d
        .evidence
        .iter()
        .flat_map(|r| {
            r.changes
                .iter()
                .filter(|c| !c.bot)
                .map(|c| c.lead_time_secs)
        })
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn adding_bot_pull_requests_never_changes_a_human_metric() {
    for seed in 0..20 {
        let humans = All::new(materialise(human_plan(seed)));
        let mut events = human_plan(seed);
        events.extend(bot_plan(seed, 12));
        let with_bots = All::new(materialise(events));
        assert!(with_bots.data.pull_requests.len() > humans.data.pull_requests.len());
        assert!(
            with_bots.dora(&whole()).lead_time_seconds.bots > 0,
            "seed {seed}: the bots' changes reach production"
        );
        for s in [
            whole(),
            scope(T0 + 7 * D, T0 + 30 * D),
            Scope {
                team: Some("web".into()),
                ..whole()
            },
        ] {
            let (a, b) = (humans.dora(&s), with_bots.dora(&s));
            assert_eq!(a.deployments, b.deployments, "seed {seed}");
            assert_eq!(
                a.deployment_days_per_week, b.deployment_days_per_week,
                "seed {seed}"
            );
            // Bots' changes count in lead time (DORA counts every change), said apart: the
            // people's changes and their median are exactly those without the bots.
            let (la, lb) = (&a.lead_time_seconds, &b.lead_time_seconds);
            assert_eq!(la.bots, 0, "seed {seed}");
            assert_eq!(
                lb.n,
                la.n + lb.bots,
                "seed {seed}: every bot change counted"
            );
            assert_eq!(lb.median_without_bots, la.median, "seed {seed}");
            assert_eq!(lead_samples(&a), human_lead_samples(&b), "seed {seed}");
            let human_view = dora_with(&with_bots.data, &with_bots.analysis, &s, Bots::Exclude);
            assert_eq!(
                (
                    human_view.lead_time_seconds.summary(),
                    human_view.lead_time_seconds.bots
                ),
                (la.summary(), lb.bots),
                "seed {seed}: the human-only view is the data without bots"
            );
            assert_eq!(a.change_failure_rate, b.change_failure_rate, "seed {seed}");
            assert_eq!(
                a.recovery_time_seconds, b.recovery_time_seconds,
                "seed {seed}"
            );
            assert_eq!(a.rework_rate, b.rework_rate, "seed {seed}");
            let (a, b) = (humans.prs(&s), with_bots.prs(&s));
            assert_eq!(a.merged, b.merged, "seed {seed}: bot PRs are not counted");
            assert_eq!(
                a.merged_without_review, b.merged_without_review,
                "seed {seed}"
            );
            for (x, y) in [
                (a.coding_seconds, b.coding_seconds),
                (a.pickup_seconds, b.pickup_seconds),
                (a.review_seconds, b.review_seconds),
                (a.deploy_seconds, b.deploy_seconds),
                (a.cycle_seconds, b.cycle_seconds),
                (a.size_lines, b.size_lines),
            ] {
                assert_eq!(x, y, "seed {seed}");
            }
            let load = |m: &PrMetrics| {
                m.review_load
                    .iter()
                    .map(|l| (l.person, l.reviews, l.pending))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                load(&a),
                load(&b),
                "seed {seed}: reviewing a bot's PR is not human review load"
            );
        }
    }
}

#[test]
fn splitting_a_window_in_two_is_consistent_with_the_whole() {
    for seed in 0..20 {
        let all = All::new(materialise(human_plan(seed)));
        let mut rng = Rng::seed(seed).fork("split");
        let w = whole();
        // Split at a day boundary so that deployment days add up too.
        let cut = T0 + rng.range(1, WEEKS * 7 - 1) * D;
        let (a, b, t) = (
            all.dora(&scope(w.since, cut - 1)),
            all.dora(&scope(cut, w.until)),
            all.dora(&w),
        );
        assert_eq!(a.deployments + b.deployments, t.deployments, "seed {seed}");
        let days = |d: &Dora| {
            (d.deployment_days_per_week * (d.until - d.since) as f64 / (7 * D) as f64).round()
                as usize
        };
        assert_eq!(days(&a) + days(&b), days(&t), "seed {seed}");
        assert_eq!(
            a.change_failure_rate.failed + b.change_failure_rate.failed,
            t.change_failure_rate.failed,
            "seed {seed}"
        );
        assert_eq!(
            a.rework_rate.unplanned + b.rework_rate.unplanned,
            t.rework_rate.unplanned,
            "seed {seed}"
        );
        assert_eq!(
            a.recovery_time_seconds.n + b.recovery_time_seconds.n,
            t.recovery_time_seconds.n,
            "seed {seed}"
        );
        let mut joined = [lead_samples(&a), lead_samples(&b)].concat();
        joined.sort_unstable();
        assert_eq!(
            joined,
            lead_samples(&t),
            "seed {seed}: the halves' changes are the whole's"
        );
        let (pa, pb, pt) = (
            all.prs(&scope(w.since, cut - 1)),
            all.prs(&scope(cut, w.until)),
            all.prs(&w),
        );
        assert_eq!(pa.merged + pb.merged, pt.merged, "seed {seed}");
        assert_eq!(
            pa.pickup_seconds.n + pb.pickup_seconds.n,
            pt.pickup_seconds.n,
            "seed {seed}"
        );
        assert_eq!(
            pa.deploy_seconds.n + pb.deploy_seconds.n,
            pt.deploy_seconds.n,
            "seed {seed}"
        );
        // The weekly series partitions the deployments of a window that starts on a Monday.
        assert_eq!(
            t.weekly.iter().map(|w| w.deployments).sum::<usize>(),
            t.deployments,
            "seed {seed}"
        );
    }
}

#[test]
fn durations_are_never_negative_unless_the_data_is_and_then_it_is_reported() {
    for seed in 0..20 {
        let mut data = materialise(human_plan(seed));
        let all = All::new(data.clone());
        let d = all.dora(&whole());
        assert!(d.warnings.is_empty(), "seed {seed}: {:?}", d.warnings);
        assert!(lead_samples(&d).iter().all(|&s| s >= 0), "seed {seed}");
        assert!(
            d.evidence
                .iter()
                .filter_map(|r| r.recovery_secs)
                .all(|s| s >= 0),
            "seed {seed}"
        );
        let p = all.prs(&whole());
        for r in &p.evidence {
            for s in [r.coding_secs, r.pickup_secs, r.review_secs, r.deploy_secs]
                .into_iter()
                .flatten()
            {
                assert!(
                    s >= 0,
                    "seed {seed}: PR {} has a negative stage: {r:?}",
                    r.number
                );
            }
        }
        // A clock-skewed commit (authored after it was deployed) is kept and reported, not hidden.
        let first = &d
            .evidence
            .iter()
            .find(|r| !r.changes.is_empty())
            .expect("a deployment with changes");
        let (sha, at) = (first.changes[0].sha.clone(), first.at);
        let c = data
            .commits
            .iter()
            .find(|c| c.sha == sha)
            .expect("the commit");
        let original = (c.repo, c.authored_at, c.subject.clone());
        // (and its rebased copy, if any: a rebase keeps the author time)
        for c in data
            .commits
            .iter_mut()
            .filter(|c| (c.repo, c.authored_at, c.subject.clone()) == original)
        {
            c.authored_at = at + 2 * H;
        }
        let skewed = All::new(data).dora(&whole());
        assert_eq!(
            skewed.lead_time_seconds.n, d.lead_time_seconds.n,
            "seed {seed}: the sample stays in"
        );
        assert!(lead_samples(&skewed).contains(&(-2 * H)), "seed {seed}");
        assert!(
            skewed.warnings.iter().any(|w| w.contains(&sha)),
            "seed {seed}: {:?}",
            skewed.warnings
        );
    }
}

#[test]
fn every_commit_of_a_shipped_pull_request_is_one_change_whatever_the_merge_strategy() {
    for seed in 0..20 {
        let all = All::new(materialise(human_plan(seed)));
        let everything = scope(T0 - 60 * D, T0 + 60 * D);
        let d = all.dora(&everything);
        let mut per_pr: std::collections::BTreeMap<i64, usize> = std::collections::BTreeMap::new();
        let mut without_pr = Vec::new();
        for c in d.evidence.iter().flat_map(|r| &r.changes) {
            match c.pull_request {
                Some(p) => *per_pr.entry(p).or_default() += 1,
                None => without_pr.push(c.sha.clone()),
            }
        }
        let shipped: std::collections::BTreeMap<i64, usize> = d
            .evidence
            .iter()
            .flat_map(|r| &r.pull_requests)
            .filter_map(|id| all.data.pull_requests.iter().find(|p| p.id == *id))
            .map(|p| (p.id, p.commits.len()))
            .collect();
        assert_eq!(
            per_pr, shipped,
            "seed {seed}: one change per PR commit (squash, merge and rebase alike)"
        );
        assert!(
            without_pr.iter().all(|s| s.starts_with("root")),
            "seed {seed}: {without_pr:?}"
        );
        for r in &d.evidence {
            let p = all.prs(&everything);
            for pr in r
                .pull_requests
                .iter()
                .filter_map(|id| p.evidence.iter().find(|e| e.id == *id))
            {
                assert_eq!(
                    pr.deployment,
                    Some(r.id),
                    "seed {seed}: PR {} ships with the deployment that first contains it",
                    pr.number
                );
            }
        }
    }
}
