//! A tiny organisation for the engine's unit tests: one team of four (and its manager), one
//! repository owned by one person, and helpers to add pull requests.

use crate::input::{Input, More};
use bosun_core::time::Ts;
use bosun_metrics::data::{Dataset, Person, PullRequest, Repo, Review};
use bosun_signals::input::{OwnerRule, PersonExtra, RepoExtra, TeamExtra};
use bosun_signals::{Extra, Signal};

/// Monday 16 November 2026, 00:00 UTC.
pub const MON: Ts = 1_794_787_200;
pub use bosun_core::time::{DAY, HOUR};

pub struct Org {
    pub data: Dataset,
    pub extra: Extra,
    pub more: More,
    pub signals: Vec<Signal>,
}

pub const NAMES: [&str; 6] = ["Ana", "Ben", "Cleo", "Dev", "Maya", "Eve"];

impl Org {
    pub fn new() -> Org {
        let mut data = Dataset {
            repos: vec![Repo {
                id: 1,
                full_name: "acme/api".into(),
                team: Some("t".into()),
                service: None,
            }],
            ..Default::default()
        };
        let mut extra = Extra::default();
        for (i, name) in NAMES.iter().enumerate() {
            let id = i as i64 + 1;
            let team = (id <= 5).then(|| "t".to_string());
            data.people.push(Person {
                id,
                name: (*name).into(),
                team: team.clone(),
                is_bot: false,
            });
            extra.people.insert(
                id,
                PersonExtra {
                    name: (*name).into(),
                    github_login: Some(name.to_lowercase()),
                    team,
                    ..Default::default()
                },
            );
        }
        extra.teams.push(TeamExtra {
            key: "t".into(),
            name: "Team".into(),
            manager: Some(5),
            members: vec![1, 2, 3, 4],
            channels: vec![],
        });
        extra.repos.insert(
            1,
            RepoExtra {
                html_url: Some("https://github.com/acme/api".into()),
                code_owners: vec![OwnerRule {
                    pattern: "*".into(),
                    owners: vec!["ana".into()],
                }],
            },
        );
        Org {
            data,
            extra,
            more: More::default(),
            signals: Vec::new(),
        }
    }

    pub fn input(&self) -> Input<'_> {
        Input {
            data: &self.data,
            extra: &self.extra,
            more: &self.more,
            signals: &self.signals,
        }
    }

    /// A pull request by `author`, opened at `at`; merged at `merged` when given.
    pub fn pr(&mut self, author: i64, at: Ts, merged: Option<Ts>) -> &mut PullRequest {
        let id = self.data.pull_requests.len() as i64 + 1;
        self.data.pull_requests.push(PullRequest {
            id,
            repo: 1,
            number: id,
            title: format!("Change {id}"),
            body: String::new(),
            author: Some(author),
            author_is_bot: false,
            created_at: at,
            ready_at: None,
            draft: false,
            merged_at: merged,
            closed_at: merged,
            merge_commit_sha: None,
            head_sha: None,
            additions: 30,
            deletions: 10,
            labels: vec![],
            commits: vec![],
            reviews: vec![],
            requested: vec![],
        });
        self.data
            .pull_requests
            .last_mut()
            .unwrap_or_else(|| unreachable!())
    }
}

pub fn review(reviewer: i64, state: &str, at: Ts) -> Review {
    Review {
        reviewer: Some(reviewer),
        reviewer_is_bot: false,
        state: state.into(),
        at,
    }
}
