//! Pull request cycle time (docs/metric-definitions.md), for human pull requests merged in the
//! window:
//!
//! - **coding**: first commit (author time) → ready for review (leaving draft, else opening);
//! - **pickup**: ready → the first review by a human who is not the author, submitted after ready;
//! - **review**: that first review → merge;
//! - **deploy**: merge → the first production deployment that shipped it.
//!
//! Bot pull requests and self-reviews are left out. A PR merged without a human review has no
//! pickup or review sample and is counted as such. Also: PR sizes and review load per person.

use crate::data::{Dataset, PullRequest, of_repos};
use crate::dora::{Analysis, Scope, week_start};
use crate::stats::{Summary, summarize};
use bosun_core::time::{Ts, WEEK};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Serialize;
use std::collections::BTreeMap;

/// A merged pull request's stages.
#[derive(Debug, Clone, Serialize)]
pub struct PrRecord {
    /// Its store id.
    pub id: i64,
    /// Its repository.
    pub repo: i64,
    /// Its number.
    pub number: i64,
    /// Its author (person id).
    pub author: Option<i64>,
    /// Lines changed.
    pub size: i64,
    /// First commit → ready for review, in seconds.
    pub coding_secs: Option<i64>,
    /// Ready for review → first human review, in seconds.
    pub pickup_secs: Option<i64>,
    /// First human review → merged, in seconds.
    pub review_secs: Option<i64>,
    /// Merged → deployed, in seconds.
    pub deploy_secs: Option<i64>,
    /// The deployment that shipped it.
    pub deployment: Option<i64>,
    /// Who reviewed it first (person id).
    pub first_reviewer: Option<i64>,
}

/// How many pull requests are of one size.
#[derive(Debug, Clone, Serialize)]
pub struct SizeBucket {
    /// `XS`, `S`, `M`, `L` or `XL`.
    pub label: &'static str,
    /// Lines changed, inclusive upper bound (None for the last bucket).
    pub max_lines: Option<i64>,
    /// Pull requests of that size.
    pub count: usize,
}

/// One reviewer's load.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewLoad {
    /// The reviewer (person id).
    pub person: i64,
    /// Their name.
    pub name: String,
    /// Reviews given in the window (one per pull request).
    pub reviews: usize,
    /// Reviews requested from them now.
    pub pending: usize,
}

/// One week of pull request stages.
#[derive(Debug, Clone, Serialize)]
pub struct WeekStages {
    /// Monday 00:00 UTC.
    pub start: Ts,
    /// Pull requests merged.
    pub merged: usize,
    /// Median coding time, in seconds.
    pub coding_median_secs: Option<f64>,
    /// Median pickup time, in seconds.
    pub pickup_median_secs: Option<f64>,
    /// Median review time, in seconds.
    pub review_median_secs: Option<f64>,
    /// Median deploy time, in seconds.
    pub deploy_median_secs: Option<f64>,
}

/// The pull request metrics of a scope and window.
#[derive(Debug, Clone, Serialize)]
pub struct PrMetrics {
    /// Window start.
    pub since: Ts,
    /// Window end.
    pub until: Ts,
    /// Pull requests merged in the window.
    pub merged: usize,
    /// Of which merged without a human review.
    pub merged_without_review: usize,
    /// First commit → ready for review.
    pub coding_seconds: Summary,
    /// Ready for review → first human review.
    pub pickup_seconds: Summary,
    /// First human review → merged.
    pub review_seconds: Summary,
    /// Merged → deployed.
    pub deploy_seconds: Summary,
    /// First commit → deployed, for PRs that are deployed.
    pub cycle_seconds: Summary,
    /// How many pull requests of each size.
    pub sizes: Vec<SizeBucket>,
    /// Lines changed.
    pub size_lines: Summary,
    /// Reviews per reviewer.
    pub review_load: Vec<ReviewLoad>,
    /// Week by week.
    pub weekly: Vec<WeekStages>,
    /// The merged pull requests behind the numbers.
    pub evidence: Vec<PrRecord>,
}

/// Size buckets: label and inclusive upper bound in lines changed.
pub const SIZE_BUCKETS: &[(&str, Option<i64>)] = &[
    ("XS", Some(10)),
    ("S", Some(50)),
    ("M", Some(250)),
    ("L", Some(1000)),
    ("XL", None),
];

/// The size bucket of `size` lines changed.
pub fn bucket(size: i64) -> &'static str {
    SIZE_BUCKETS
        .iter()
        .find(|(_, max)| max.is_none_or(|m| size <= m))
        .map_or("XL", |(l, _)| l)
}

fn first_human_review(p: &PullRequest) -> Option<(Option<i64>, Ts)> {
    let ready = p.ready();
    p.reviews
        .iter()
        .filter(|r| {
            !r.reviewer_is_bot
                && r.reviewer != p.author
                && r.reviewer.is_some()
                && r.at >= ready
                && r.state != "PENDING"
        })
        .map(|r| (r.reviewer, r.at))
        .min_by_key(|(_, at)| *at)
}

/// The pull request metrics of `scope`.
pub fn pr_metrics(data: &Dataset, analysis: &Analysis, scope: &Scope) -> PrMetrics {
    let repos = scope.repo_ids(data);
    let repos = repos.as_deref();
    // When each PR was first shipped (by a deployment of its own repository).
    let mut shipped: HashMap<i64, (i64, Ts)> = HashMap::default();
    for r in of_repos(&analysis.records, repos, |r| r.repo) {
        for p in &r.pull_requests {
            shipped.entry(*p).or_insert((r.id, r.at));
        }
    }
    let prs = of_repos(&data.pull_requests, repos, |p| p.repo);
    let merged: Vec<&PullRequest> = prs
        .iter()
        .copied()
        .filter(|p| !p.author_is_bot)
        .filter(|p| p.merged_at.is_some_and(|m| scope.contains(m)))
        .collect();
    // When the merged PRs' own commits were authored: only those are looked up (an index of
    // every commit of the organisation cost more than one team's metrics).
    let shas: usize = merged.iter().map(|p| p.commits.len()).sum();
    let mut wanted: HashSet<(i64, &str)> =
        HashSet::with_capacity_and_hasher(shas, Default::default());
    wanted.extend(
        merged
            .iter()
            .flat_map(|p| p.commits.iter().map(move |s| (p.repo, s.as_str()))),
    );
    let mut authored: HashMap<(i64, &str), Ts> =
        HashMap::with_capacity_and_hasher(wanted.len(), Default::default());
    authored.extend(
        of_repos(&data.commits, repos, |c| c.repo)
            .into_iter()
            .filter(|c| wanted.contains(&(c.repo, c.sha.as_str())))
            .map(|c| ((c.repo, c.sha.as_str()), c.authored_at)),
    );
    // Each merged PR's first commit, in `merged`'s order.
    let first_commits: Vec<Option<Ts>> = merged
        .iter()
        .map(|p| {
            p.commits
                .iter()
                .filter_map(|s| authored.get(&(p.repo, s.as_str())).copied())
                .min()
        })
        .collect();
    let mut records = Vec::new();
    for (p, first_commit) in merged.iter().zip(&first_commits) {
        let merged_at = p.merged_at.unwrap_or(0);
        let first_commit = *first_commit;
        let review = first_human_review(p);
        let deployed = shipped.get(&p.id).copied();
        records.push(PrRecord {
            id: p.id,
            repo: p.repo,
            number: p.number,
            author: p.author,
            size: p.size(),
            coding_secs: first_commit.map(|f| p.ready() - f),
            pickup_secs: review.map(|(_, at)| at - p.ready()),
            review_secs: review.map(|(_, at)| merged_at - at),
            deploy_secs: deployed.map(|(_, at)| at - merged_at),
            deployment: deployed.map(|(d, _)| d),
            first_reviewer: review.and_then(|(r, _)| r),
        });
    }
    let col = |f: fn(&PrRecord) -> Option<i64>, recs: &[&PrRecord]| {
        summarize(recs.iter().filter_map(|r| f(r)).map(|s| s as f64).collect())
    };
    let all: Vec<&PrRecord> = records.iter().collect();
    let cycle: Vec<f64> = merged
        .iter()
        .zip(&records)
        .zip(&first_commits)
        .filter_map(|((p, r), first)| {
            let first = (*first)?;
            let d = r.deploy_secs?;
            Some((p.merged_at? + d - first) as f64)
        })
        .collect();
    let mut sizes: Vec<SizeBucket> = SIZE_BUCKETS
        .iter()
        .map(|(l, m)| SizeBucket {
            label: l,
            max_lines: *m,
            count: 0,
        })
        .collect();
    for r in &records {
        let b = bucket(r.size);
        if let Some(s) = sizes.iter_mut().find(|s| s.label == b) {
            s.count += 1;
        }
    }
    // Review load: reviews given in the window (one per PR and reviewer), pending requests now.
    let mut given: BTreeMap<i64, usize> = BTreeMap::new();
    for p in prs.iter().filter(|p| !p.author_is_bot) {
        let mut reviewers: Vec<i64> = p
            .reviews
            .iter()
            .filter(|r| !r.reviewer_is_bot && r.reviewer != p.author && scope.contains(r.at))
            .filter_map(|r| r.reviewer)
            .collect();
        reviewers.sort_unstable();
        reviewers.dedup();
        for r in reviewers {
            *given.entry(r).or_default() += 1;
        }
    }
    let mut pending: BTreeMap<i64, usize> = BTreeMap::new();
    for p in prs.iter().filter(|p| p.closed_at.is_none()) {
        for r in &p.requested {
            *pending.entry(*r).or_default() += 1;
        }
    }
    let names: HashMap<i64, &str> = data
        .people
        .iter()
        .map(|p| (p.id, p.name.as_str()))
        .collect();
    let bots: Vec<i64> = data
        .people
        .iter()
        .filter(|p| p.is_bot)
        .map(|p| p.id)
        .collect();
    let mut people: Vec<i64> = given
        .keys()
        .chain(pending.keys())
        .copied()
        .filter(|p| !bots.contains(p))
        .collect();
    people.sort_unstable();
    people.dedup();
    let mut review_load: Vec<ReviewLoad> = people
        .into_iter()
        .map(|p| ReviewLoad {
            person: p,
            name: names
                .get(&p)
                .map_or_else(|| format!("person {p}"), |n| n.to_string()),
            reviews: given.get(&p).copied().unwrap_or(0),
            pending: pending.get(&p).copied().unwrap_or(0),
        })
        .collect();
    review_load.sort_by(|a, b| b.reviews.cmp(&a.reviews).then(a.name.cmp(&b.name)));

    let mut weekly = Vec::new();
    let mut w = week_start(scope.since);
    while w <= scope.until {
        let in_week: Vec<&PrRecord> = merged
            .iter()
            .zip(&records)
            .filter(|(p, _)| p.merged_at.is_some_and(|m| m >= w && m < w + WEEK))
            .map(|(_, r)| r)
            .collect();
        weekly.push(WeekStages {
            start: w,
            merged: in_week.len(),
            coding_median_secs: col(|r| r.coding_secs, &in_week).median,
            pickup_median_secs: col(|r| r.pickup_secs, &in_week).median,
            review_median_secs: col(|r| r.review_secs, &in_week).median,
            deploy_median_secs: col(|r| r.deploy_secs, &in_week).median,
        });
        w += WEEK;
    }
    PrMetrics {
        since: scope.since,
        until: scope.until,
        merged: records.len(),
        merged_without_review: records.iter().filter(|r| r.pickup_secs.is_none()).count(),
        coding_seconds: col(|r| r.coding_secs, &all),
        pickup_seconds: col(|r| r.pickup_secs, &all),
        review_seconds: col(|r| r.review_secs, &all),
        deploy_seconds: col(|r| r.deploy_secs, &all),
        cycle_seconds: summarize(cycle),
        size_lines: summarize(records.iter().map(|r| r.size as f64).collect()),
        sizes,
        review_load,
        weekly,
        evidence: records,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Review;
    use crate::dora::{DoraOptions, analyse};
    use crate::testkit::*;

    fn review(who: i64, at: Ts) -> Review {
        Review {
            reviewer: Some(who),
            reviewer_is_bot: false,
            state: "APPROVED".into(),
            at,
        }
    }

    fn dataset() -> Dataset {
        let mut p = pr(10, 1, 1, &["c1", "c2"], Some("c2"), Some(T0 + 30 * H));
        p.created_at = T0 + 4 * H;
        p.ready_at = Some(T0 + 6 * H); // a draft until 6h
        p.reviews = vec![
            review(1, T0 + 7 * H),  // self-review: ignored
            review(2, T0 + 5 * H),  // while a draft: not the pickup
            review(3, T0 + 10 * H), // the pickup
            review(2, T0 + 20 * H),
        ];
        let mut bot = pr(11, 1, 2, &["c3"], Some("c3"), Some(T0 + 31 * H));
        bot.author_is_bot = true;
        let mut solo = pr(12, 1, 3, &["c3"], Some("c3"), Some(T0 + 32 * H));
        solo.additions = 3000;
        Dataset {
            repos: vec![repo(1, "core", "api")],
            commits: vec![
                commit(1, "c1", &[], T0),
                commit(1, "c2", &["c1"], T0 + H),
                commit(1, "c3", &["c2"], T0 + 31 * H),
            ],
            pull_requests: vec![p, bot, solo],
            deployments: vec![
                deploy(1, 1, "c2", T0 + 40 * H),
                deploy(2, 1, "c3", T0 + 50 * H),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn stages_follow_the_definitions() {
        let data = dataset();
        let a = analyse(&data, &DoraOptions::default());
        let m = pr_metrics(
            &data,
            &a,
            &Scope {
                since: T0,
                until: T0 + 7 * D,
                team: None,
                repo: None,
            },
        );
        assert_eq!(m.merged, 2, "the bot PR is left out");
        let r = &m.evidence[0];
        assert_eq!(
            r.coding_secs,
            Some(6 * H),
            "first commit → ready (leaving draft)"
        );
        assert_eq!(
            r.pickup_secs,
            Some(4 * H),
            "ready → first human non-author review after ready"
        );
        assert_eq!(r.first_reviewer, Some(3));
        assert_eq!(r.review_secs, Some(20 * H));
        assert_eq!((r.deploy_secs, r.deployment), (Some(10 * H), Some(1)));
        assert_eq!(m.merged_without_review, 1);
        assert_eq!(m.cycle_seconds.n, 2);
        let xl = m.sizes.iter().find(|s| s.label == "XL").unwrap();
        assert_eq!(xl.count, 1);
        let load: Vec<(i64, usize)> = m
            .review_load
            .iter()
            .map(|l| (l.person, l.reviews))
            .collect();
        assert_eq!(
            load,
            vec![(2, 1), (3, 1)],
            "one review per PR and reviewer; self-reviews excluded"
        );
    }

    #[test]
    fn buckets() {
        assert_eq!(
            (
                bucket(0),
                bucket(10),
                bucket(11),
                bucket(250),
                bucket(1000),
                bucket(1001)
            ),
            ("XS", "XS", "S", "M", "L", "XL")
        );
    }
}
