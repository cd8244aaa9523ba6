//! Where an open pull request stands with its reviewers: one definition for the triage queue,
//! Today's counts, the triage note, standups and 1:1 notes, so a pull request never waits "for a
//! review" on one page and "on its author" on another.
//!
//! Only people count: reviews by bots and by the author are ignored. A *verdict* is an approval, a
//! request for changes or a dismissal; comments are not verdicts. The latest verdict decides:
//!
//! | latest verdict | state | since |
//! |---|---|---|
//! | none, no comments | waiting for review | ready for review |
//! | none, comments | in review (still waiting for a verdict) | ready for review |
//! | changes requested, author pushed since | waiting for review (again) | the first push after it |
//! | changes requested, no push since | changes requested (waits on the author) | the request |
//! | approved | approved, not merged | the approval |
//! | dismissed | waiting for review (again) | the dismissal |

use crate::data::PullRequest;
use bosun_core::time::Ts;

/// Where a pull request stands with its reviewers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewState {
    /// No verdict yet and no comments, or re-review needed after changes or a dismissal.
    WaitingForReview,
    /// Reviewers commented but nobody gave a verdict: still waiting on reviewers.
    InReview,
    /// Changes were requested and the author has not pushed since: waiting on the author.
    ChangesRequested,
    /// Approved and not merged.
    Approved,
}

impl ReviewState {
    /// The state's code, as the API and notes show it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReviewState::WaitingForReview => "waiting_for_review",
            ReviewState::InReview => "in_review",
            ReviewState::ChangesRequested => "changes_requested",
            ReviewState::Approved => "approved_not_merged",
        }
    }

    /// True when the next move is a reviewer's.
    pub const fn waits_on_reviewers(self) -> bool {
        matches!(self, ReviewState::WaitingForReview | ReviewState::InReview)
    }
}

/// A pull request's [`ReviewState`] and since when it has been in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Where it stands.
    pub state: ReviewState,
    /// Since when (see the table above).
    pub since: Ts,
    /// Waiting for review again, after changes were requested (and pushed) or a dismissal.
    pub again: bool,
}

/// Where `pr` stands at `as_of`. `commit_time` gives the time of one of the pull request's own
/// commits (by sha), when known; it tells whether the author pushed after a request for changes.
pub fn standing(pr: &PullRequest, commit_time: impl Fn(&str) -> Option<Ts>, as_of: Ts) -> Standing {
    let ready = pr.ready();
    let human = pr
        .reviews
        .iter()
        .filter(|r| !r.reviewer_is_bot && r.reviewer != pr.author && r.at <= as_of);
    let is = |state: &str, s: &str| state.eq_ignore_ascii_case(s);
    let verdict = human
        .clone()
        .filter(|r| {
            is(&r.state, "APPROVED")
                || is(&r.state, "CHANGES_REQUESTED")
                || is(&r.state, "DISMISSED")
        })
        .max_by_key(|r| r.at);
    let waiting = |since: Ts, again: bool| Standing {
        state: ReviewState::WaitingForReview,
        since,
        again,
    };
    match verdict {
        None if human.clone().any(|r| is(&r.state, "COMMENTED")) => Standing {
            state: ReviewState::InReview,
            since: ready,
            again: false,
        },
        None => waiting(ready, false),
        Some(r) if is(&r.state, "APPROVED") => Standing {
            state: ReviewState::Approved,
            since: r.at,
            again: false,
        },
        Some(r) if is(&r.state, "DISMISSED") => waiting(r.at, true),
        Some(r) => match pr
            .commits
            .iter()
            .filter_map(|sha| commit_time(sha))
            .filter(|&t| t > r.at && t <= as_of)
            .min()
        {
            Some(pushed) => waiting(pushed, true),
            None => Standing {
                state: ReviewState::ChangesRequested,
                since: r.at,
                again: false,
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Review;

    const H: Ts = 3_600;

    fn pr(reviews: Vec<(i64, &str, Ts)>) -> PullRequest {
        let mut p = crate::testkit::pr(1, 1, 7, &["a", "b"], None, None);
        p.author = Some(10);
        p.created_at = 0;
        p.ready_at = Some(2 * H);
        p.reviews = reviews
            .into_iter()
            .map(|(who, state, at)| Review {
                reviewer: Some(who),
                reviewer_is_bot: who >= 100,
                state: state.into(),
                at,
            })
            .collect();
        p
    }

    fn at(pr: &PullRequest, commits: &[(&str, Ts)], as_of: Ts) -> (ReviewState, Ts, bool) {
        let s = standing(
            pr,
            |sha| commits.iter().find(|c| c.0 == sha).map(|c| c.1),
            as_of,
        );
        (s.state, s.since, s.again)
    }

    #[test]
    fn every_row_of_the_table() {
        use ReviewState::*;
        let none = pr(vec![]);
        assert_eq!(at(&none, &[], 10 * H), (WaitingForReview, 2 * H, false));
        // The author's own comment and a bot's approval change nothing.
        let noise = pr(vec![(10, "COMMENTED", 3 * H), (100, "APPROVED", 4 * H)]);
        assert_eq!(at(&noise, &[], 10 * H), (WaitingForReview, 2 * H, false));
        let commented = pr(vec![(11, "COMMENTED", 3 * H)]);
        assert_eq!(at(&commented, &[], 10 * H), (InReview, 2 * H, false));
        let changes = pr(vec![(11, "CHANGES_REQUESTED", 4 * H)]);
        assert_eq!(
            at(&changes, &[("a", H)], 10 * H),
            (ChangesRequested, 4 * H, false)
        );
        // Pushed twice after the request: waiting again since the first push.
        let pushes = [("a", 5 * H), ("b", 6 * H)];
        assert_eq!(
            at(&changes, &pushes, 10 * H),
            (WaitingForReview, 5 * H, true)
        );
        // ... but not before the push happened.
        assert_eq!(
            at(&changes, &pushes, 4 * H + 1),
            (ChangesRequested, 4 * H, false)
        );
        let approved = pr(vec![
            (11, "CHANGES_REQUESTED", 4 * H),
            (12, "approved", 8 * H),
        ]);
        assert_eq!(at(&approved, &[], 10 * H), (Approved, 8 * H, false));
        let dismissed = pr(vec![(11, "APPROVED", 4 * H), (12, "DISMISSED", 9 * H)]);
        assert_eq!(at(&dismissed, &[], 10 * H), (WaitingForReview, 9 * H, true));
        assert!(WaitingForReview.waits_on_reviewers() && InReview.waits_on_reviewers());
        assert!(!ChangesRequested.waits_on_reviewers() && !Approved.waits_on_reviewers());
    }

    /// Real payloads (GitHub's webhook and REST examples, shipped with the connector's tests):
    /// webhooks spell states in lower case ("commented", "dismissed") where REST says
    /// "APPROVED", and the examples' author reviews their own pull request.
    #[test]
    fn real_github_reviews_lower_case_states_and_self_reviews() {
        use ReviewState::*;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../connectors/tests/fixtures/github");
        let read = |rel: &str| -> serde_json::Value {
            serde_json::from_slice(&std::fs::read(dir.join(rel)).unwrap()).unwrap()
        };
        let ts =
            |v: &serde_json::Value| bosun_core::time::parse_rfc3339(v.as_str().unwrap()).unwrap();
        let ids = |login: &str| if login == "Codertocat" { 1 } else { 2 };
        let review = |v: &serde_json::Value| Review {
            reviewer: Some(ids(v["user"]["login"].as_str().unwrap())),
            reviewer_is_bot: v["user"]["type"] == "Bot",
            state: v["state"].as_str().unwrap().to_string(),
            at: ts(&v["submitted_at"]),
        };
        let hook = read("webhooks/pull_request_review.submitted.0.json");
        let dismissed = read("webhooks/pull_request_review.dismissed.1.json");
        let rest = read("openapi/pulls_list-reviews__200__default.json");
        let p = &hook["pull_request"];
        let mut pr = crate::testkit::pr(1, 1, 2, &[], None, None);
        pr.author = Some(ids(p["user"]["login"].as_str().unwrap()));
        pr.created_at = ts(&p["created_at"]);
        pr.ready_at = None;
        // The author's own "commented" and "dismissed": no reviewer has spoken.
        pr.reviews = vec![review(&hook["review"]), review(&dismissed["review"])];
        let far = ts(&rest[0]["submitted_at"]) + 3_600;
        let s = standing(&pr, |_| None, far);
        assert_eq!((s.state, s.since), (WaitingForReview, pr.created_at));
        // octocat's REST approval (upper case) makes it approved, from its submission.
        pr.reviews.push(review(&rest[0]));
        let s = standing(&pr, |_| None, far);
        assert_eq!((s.state, s.since), (Approved, ts(&rest[0]["submitted_at"])));
        // A lower-case dismissal by someone else, later: waiting for review again.
        let mut later = dismissed["review"].clone();
        later["user"]["login"] = "octocat".into();
        later["submitted_at"] = bosun_core::time::rfc3339(far - 60).into();
        pr.reviews.push(review(&later));
        let s = standing(&pr, |_| None, far);
        assert_eq!(
            (s.state, s.since, s.again),
            (WaitingForReview, far - 60, true)
        );
    }
}
