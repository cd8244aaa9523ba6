//! Who knows a set of repositories' code: the people who recently authored and reviewed its merged
//! pull requests. Used for an incident's service, where the people who changed the code lately
//! are the ones to pull in.
//!
//! A pull request counts when it was merged in the window. Its author gets
//! [`AUTHORED_POINTS`]; each other person who reviewed it gets [`REVIEWED_POINTS`] once, however
//! many reviews they left. Bots count for nothing. Ties go to the most recent contribution, then
//! to the name, so the order never depends on load order.

use crate::data::Dataset;
use bosun_core::time::Ts;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Points for authoring a merged pull request.
pub const AUTHORED_POINTS: u32 = 2;
/// Points for reviewing someone else's merged pull request.
pub const REVIEWED_POINTS: u32 = 1;

/// Someone who knows the code, with the counts behind the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeExpert {
    /// The person's store id.
    pub person: i64,
    /// Merged pull requests they authored in the window.
    pub authored: u32,
    /// Others' merged pull requests they reviewed in the window.
    pub reviewed: u32,
    /// `AUTHORED_POINTS · authored + REVIEWED_POINTS · reviewed`.
    pub score: u32,
    /// Their latest merge or review in the window.
    pub last_at: Ts,
}

/// The people who know the code of `repos` from pull requests merged in `[from, to]`, most
/// points first, at most `limit`.
pub fn code_experts(
    data: &Dataset,
    repos: &[i64],
    from: Ts,
    to: Ts,
    limit: usize,
) -> Vec<CodeExpert> {
    let repos: HashSet<i64> = repos.iter().copied().collect();
    let bots: HashSet<i64> = data
        .people
        .iter()
        .filter(|p| p.is_bot)
        .map(|p| p.id)
        .collect();
    let mut by_person: BTreeMap<i64, CodeExpert> = BTreeMap::new();
    for pr in &data.pull_requests {
        let Some(merged) = pr.merged_at else { continue };
        if !repos.contains(&pr.repo) || merged < from || merged > to {
            continue;
        }
        let author = pr.author.filter(|a| !pr.author_is_bot && !bots.contains(a));
        if let Some(a) = author {
            entry(&mut by_person, a, merged).authored += 1;
        }
        let mut seen = HashSet::new();
        for r in &pr.reviews {
            let Some(who) = r.reviewer else { continue };
            if r.reviewer_is_bot || bots.contains(&who) || Some(who) == pr.author {
                continue;
            }
            if seen.insert(who) {
                entry(&mut by_person, who, r.at.min(merged)).reviewed += 1;
            }
        }
    }
    let mut all: Vec<CodeExpert> = by_person
        .into_values()
        .map(|mut e| {
            e.score = AUTHORED_POINTS * e.authored + REVIEWED_POINTS * e.reviewed;
            e
        })
        .collect();
    all.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.last_at.cmp(&a.last_at))
            .then(a.person.cmp(&b.person))
    });
    all.truncate(limit);
    all
}

/// The person's running tally, created at their first contribution; `last_at` kept the latest.
fn entry(by_person: &mut BTreeMap<i64, CodeExpert>, person: i64, at: Ts) -> &mut CodeExpert {
    let e = by_person.entry(person).or_insert(CodeExpert {
        person,
        authored: 0,
        reviewed: 0,
        score: 0,
        last_at: at,
    });
    e.last_at = e.last_at.max(at);
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Person, PullRequest, Review};
    use crate::testkit;

    fn person(id: i64, bot: bool) -> Person {
        Person {
            id,
            name: format!("p{id}"),
            team: None,
            is_bot: bot,
        }
    }

    fn pr(id: i64, repo: i64, author: i64, merged: Option<Ts>, reviewers: &[i64]) -> PullRequest {
        PullRequest {
            author: Some(author),
            reviews: reviewers
                .iter()
                .map(|r| Review {
                    reviewer: Some(*r),
                    reviewer_is_bot: false,
                    state: "approved".into(),
                    at: merged.unwrap_or(0) - 10,
                })
                .collect(),
            ..testkit::pr(id, repo, id, &[], None, merged)
        }
    }

    #[test]
    fn authors_count_twice_reviewers_once_per_pull_request_and_bots_never() {
        let data = Dataset {
            repos: vec![testkit::repo(1, "t", "s")],
            people: vec![
                person(10, false),
                person(11, false),
                person(12, false),
                person(99, true),
            ],
            pull_requests: vec![
                // 10 authors two merged PRs; 11 reviews both (twice on the first); 99 is a bot.
                pr(1, 1, 10, Some(1_000), &[11, 11, 99]),
                pr(2, 1, 10, Some(2_000), &[11, 10]),
                // 12 authors one, reviewed by 10.
                pr(3, 1, 12, Some(1_500), &[10]),
                // Not counted: open, outside the window, another repository, a bot's.
                pr(4, 1, 11, None, &[10]),
                pr(5, 1, 11, Some(50), &[10]),
                pr(6, 2, 11, Some(1_200), &[10]),
                pr(7, 1, 99, Some(1_300), &[12]),
            ],
            ..Dataset::default()
        };
        let got = code_experts(&data, &[1], 100, 3_000, 10);
        let summary: Vec<(i64, u32, u32, u32)> = got
            .iter()
            .map(|e| (e.person, e.authored, e.reviewed, e.score))
            .collect();
        // 10: 2 authored (4) + 1 reviewed (1) = 5; 11: 2 reviewed = 2; 12: 1 authored + 1 reviewed
        // of the bot's PR = 3.
        assert_eq!(summary, vec![(10, 2, 1, 5), (12, 1, 1, 3), (11, 0, 2, 2)]);
        assert_eq!(got[0].last_at, 2_000);
        assert_eq!(code_experts(&data, &[1], 100, 3_000, 1).len(), 1);
        assert!(code_experts(&data, &[3], 0, 3_000, 10).is_empty());
    }
}
