//! The demo world reshaped like a real GitHub organisation, for trying Bosun's first-run wizard
//! (and a first sync) against the fakes as against a real organisation:
//!
//! - no GitHub teams (the team listings are empty) and no CODEOWNERS files (contents 404);
//! - two thirds of the people keep their profile's name empty (`"name": null`), and only a third
//!   made their membership of the organisation public;
//! - bots of type `Bot` (`dependabot[bot]`, `renovate[bot]`, `github-actions[bot]`) and a machine
//!   user of type `User` (`<org>-release-bot`) author pull requests and commits;
//! - extra repositories: two forks of outside projects, two archived ones, one empty (no commits:
//!   GitHub answers 409 "Git Repository is empty." to its commit list);
//! - one repository (the first) with [`RealWorld::big_repo_pulls`] more closed or merged pull
//!   requests from the year before the demo's history, each reviewed by a person, so that a sync
//!   has to page through thousands of them.
//!
//! The token such an organisation's manager first pastes usually lacks `read:org`: that is the
//! fake's business (`bosun_fakes::github::REAL_WORLD_SCOPES`), not the world's.
//!
//! Deterministic: the same world and options give the same result, drawn from the world's seed.

use crate::calendar::{DAY, HOUR};
use crate::org::{Delivery, MergeStrategy};
use crate::world::{Commit, Pull, PullEvent, Repo, Review, Signature, User, World};
use bosun_core::Rng;
use bosun_core::time::Ts;
use sha2::{Digest, Sha256};

/// Options of [`World::real_world_shaped`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RealWorld {
    /// Closed or merged pull requests added to the first repository (the big one).
    pub big_repo_pulls: usize,
}

impl Default for RealWorld {
    fn default() -> Self {
        RealWorld {
            big_repo_pulls: 3000,
        }
    }
}

/// The forks: (repository name, the project it forks, its description).
pub const FORKS: [(&str, &str, &str); 2] = [
    (
        "grpc-gateway",
        "grpc-ecosystem/grpc-gateway",
        "Fork: gRPC to JSON proxy generator, with our header-forwarding patch.",
    ),
    (
        "pgx",
        "jackc/pgx",
        "Fork: PostgreSQL driver and toolkit for Go, pinned for the billing service.",
    ),
];
/// The archived repositories.
pub const ARCHIVED: [(&str, &str); 2] = [
    (
        "legacy-billing",
        "The billing monolith, replaced by compass-billing.",
    ),
    (
        "shipper-portal-v1",
        "The first shipper portal (AngularJS). Read-only.",
    ),
];
/// The repository with no commits.
pub const EMPTY: &str = "infra-sandbox";
/// The bots (type `Bot`) the shaped world has, whether or not the organisation defined them.
pub const BOTS: [(&str, &str); 3] = [
    ("dependabot[bot]", "Dependabot"),
    ("renovate[bot]", "Renovate"),
    ("github-actions[bot]", "GitHub Actions"),
];
/// Ids of everything added here start above the generator's.
const ID_BASE: i64 = 4_000_000_000;

/// The machine user's login: a plain account (type `User`) that automation signs in as.
pub fn machine_user(world: &World) -> String {
    format!("{}-release-bot", world.org.company.github_org)
}

impl World {
    /// This world as a real organisation shows it on GitHub (see the module's documentation).
    /// Jira, PagerDuty, Slack and local git see the same world as before.
    pub fn real_world_shaped(mut self, opts: RealWorld) -> World {
        let mut shaper = Shaper {
            rng: Rng::seed(self.seed).fork("real-world"),
            seed: self.seed,
            next_id: ID_BASE,
        };
        self.github_teams = false;
        for r in &mut self.repos {
            r.codeowners.clear();
        }
        shaper.hide_names_and_memberships(&mut self.users);
        let bots = shaper.add_bots(&mut self);
        shaper.add_repos(&mut self);
        if !self.repos.is_empty() {
            shaper.add_big_repo_pulls(&mut self, &bots, opts.big_repo_pulls);
        }
        self
    }
}

struct Shaper {
    rng: Rng,
    seed: u64,
    next_id: i64,
}

impl Shaper {
    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    fn sha(&self, parts: &[&str]) -> String {
        let mut h = Sha256::new();
        h.update(self.seed.to_le_bytes());
        h.update(b"real-world");
        for p in parts {
            h.update([0]);
            h.update(p.as_bytes());
        }
        h.finalize()
            .iter()
            .take(20)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Two thirds of the people's accounts lose their public name; a third of the members keep
    /// their membership public.
    fn hide_names_and_memberships(&mut self, users: &mut [User]) {
        let mut people: Vec<usize> = (0..users.len())
            .filter(|&u| users[u].person.is_some())
            .collect();
        self.rng.shuffle(&mut people);
        let nameless = people.len() * 2 / 3;
        for &u in &people[..nameless] {
            users[u].public_name = false;
        }
        let mut members: Vec<usize> = (0..users.len()).filter(|&u| users[u].org_member).collect();
        self.rng.shuffle(&mut members);
        let public = members.len() / 3;
        for (k, &u) in members.iter().enumerate() {
            users[u].public_member = k < public;
        }
    }

    /// The bots and the machine user, added when missing; their user indices, machine user last.
    fn add_bots(&mut self, w: &mut World) -> Vec<usize> {
        let mut out = Vec::new();
        let machine = machine_user(w);
        let wanted = BOTS
            .iter()
            .map(|&(login, name)| (login.to_string(), name.to_string(), true))
            .chain([(machine, "Release automation".to_string(), false)]);
        for (k, (login, name, is_bot)) in wanted.enumerate() {
            let u = match w.user_by_login(&login) {
                Some(u) => u,
                None => {
                    w.users.push(User {
                        id: crate::ids::REAL_WORLD_BOT_USER + k as i64,
                        login,
                        name,
                        email: None,
                        is_bot,
                        person: None,
                        public_name: true,
                        org_member: !is_bot,
                        public_member: false,
                    });
                    w.users.len() - 1
                }
            };
            out.push(u);
        }
        out
    }

    fn new_repo(&mut self, w: &World, name: &str, description: &str, created_at: Ts) -> Repo {
        let k = w.repos.len() as i64;
        Repo {
            id: crate::ids::REAL_WORLD_REPO + k * 13,
            name: name.to_string(),
            team: String::new(),
            service: String::new(),
            description: description.to_string(),
            language: "Go".into(),
            default_branch: "main".into(),
            merge_strategy: MergeStrategy::Merge,
            delivery: Delivery::Deployments,
            codeowners: String::new(),
            fork_of: None,
            archived: false,
            created_at,
            commits: Vec::new(),
            main: Vec::new(),
            pulls: Vec::new(),
            check_runs: Vec::new(),
            deployments: Vec::new(),
            releases: Vec::new(),
            tags: Vec::new(),
            review_comments: Vec::new(),
            issue_comments: Vec::new(),
        }
    }

    /// A straight line of `n` commits on `main`, one every `step` seconds from `from`, authored
    /// by `author(k)`.
    fn history(
        &mut self,
        repo: &mut Repo,
        n: usize,
        from: Ts,
        step: Ts,
        mut author: impl FnMut(usize, Ts) -> Signature,
        subject: &str,
    ) {
        for k in 0..n {
            let at = from + k as Ts * step;
            let sig = author(k, at);
            let sha = self.sha(&[&repo.name, "history", &repo.commits.len().to_string()]);
            let parents = repo.commits.last().map(|c| c.sha.clone()).into_iter();
            repo.commits.push(Commit {
                sha,
                author: sig.clone(),
                committer: sig,
                message: format!("{subject} ({})", k + 1),
                parents: parents.collect(),
            });
            repo.main.push(repo.commits.len() - 1);
        }
    }

    fn add_repos(&mut self, w: &mut World) {
        let people: Vec<usize> = (0..w.users.len())
            .filter(|&u| w.users[u].org_member && w.users[u].person.is_some())
            .collect();
        for (k, (name, upstream, description)) in FORKS.iter().enumerate() {
            let mut r = self.new_repo(w, name, description, w.start - (200 + 40 * k as i64) * DAY);
            r.fork_of = Some((*upstream).to_string());
            // Upstream's history: authors with no account linked (GitHub shows `author: null`).
            let from = r.created_at - 300 * DAY;
            self.history(
                &mut r,
                24,
                from,
                12 * DAY,
                |i, at| Signature {
                    name: format!("Upstream Contributor {}", i % 5 + 1),
                    email: format!("contributor{}@example.org", i % 5 + 1),
                    user: None,
                    at,
                },
                "Upstream change",
            );
            if let Some(&u) = people.get(k) {
                let at = r.created_at + 2 * DAY;
                let sig = signature(w, u, at);
                self.history(&mut r, 1, at, 0, |_, _| sig.clone(), "Our patch");
            }
            w.repos.push(r);
        }
        for (k, (name, description)) in ARCHIVED.iter().enumerate() {
            let created = w.start - (900 - 100 * k as i64) * DAY;
            let mut r = self.new_repo(w, name, description, created);
            r.archived = true;
            r.language = if k == 0 { "Ruby" } else { "JavaScript" }.into();
            if !people.is_empty() {
                let mut rng = self.rng.fork(name);
                let authors: Vec<usize> = (0..30).map(|_| rng.pick(&people)).collect();
                self.history(
                    &mut r,
                    30,
                    created + DAY,
                    9 * DAY,
                    |i, at| signature(w, authors[i], at),
                    "Maintenance",
                );
            }
            w.repos.push(r);
        }
        let r = self.new_repo(
            w,
            EMPTY,
            "Scratch space for infrastructure experiments.",
            w.as_of - 3 * DAY,
        );
        w.repos.push(r);
    }

    /// `n` closed pull requests in the first repository, spread over the year before the
    /// history starts: one commit each, most merged after a person's approval, one in six by a
    /// bot or the machine user.
    fn add_big_repo_pulls(&mut self, w: &mut World, bots: &[usize], n: usize) {
        let people: Vec<usize> = (0..w.users.len())
            .filter(|&u| w.users[u].org_member && w.users[u].person.is_some())
            .collect();
        if people.len() < 2 {
            return;
        }
        let mut rng = self.rng.fork("big-repo");
        let first = w.repos[0]
            .main
            .first()
            .map(|&i| w.repos[0].commits[i].sha.clone());
        // Numbered after the repository's existing pull requests.
        let last = w.repos[0].pulls.iter().map(|p| p.number).max().unwrap_or(0);
        let (from, span) = (w.start - 365 * DAY, 364 * DAY);
        for k in 0..n {
            let number = last + 1 + k as i64;
            let created_at = from + (span as i128 * k as i128 / n.max(1) as i128) as Ts;
            let author = if k % 6 == 5 {
                bots[(k / 6) % bots.len()]
            } else {
                rng.pick(&people)
            };
            let reviewer = loop {
                let r = rng.pick(&people);
                if r != author {
                    break r;
                }
            };
            let merged = !rng.chance(0.1);
            let reviewed_at = created_at + rng.range(HOUR, 20 * HOUR);
            let closed_at = reviewed_at + rng.range(10 * 60, 4 * HOUR);
            let automated = w.users[author].person.is_none();
            let (title, head_ref, labels) = if automated {
                automated_pull(&w.users[author].login, k)
            } else {
                (
                    format!("{} ({k})", TITLES[k % TITLES.len()]),
                    format!("work/{k}"),
                    Vec::new(),
                )
            };
            let sha = self.sha(&[&w.repos[0].name, "pull", &k.to_string()]);
            let sig = signature(w, author, created_at - 600);
            let repo = &mut w.repos[0];
            repo.commits.push(Commit {
                sha: sha.clone(),
                author: sig.clone(),
                committer: sig,
                message: title.clone(),
                parents: first.clone().into_iter().collect(),
            });
            let commit = repo.commits.len() - 1;
            let review = Review {
                id: self.id(),
                reviewer,
                state: if merged { "APPROVED" } else { "COMMENTED" }.into(),
                submitted_at: reviewed_at,
                body: String::new(),
                commit_sha: sha.clone(),
            };
            let closer = if merged { reviewer } else { author };
            let mut events = vec![PullEvent {
                id: self.id(),
                event: "closed".into(),
                actor: closer,
                subject: None,
                label: None,
                at: closed_at,
            }];
            if merged {
                events.insert(
                    0,
                    PullEvent {
                        id: self.id(),
                        event: "merged".into(),
                        actor: closer,
                        subject: None,
                        label: None,
                        at: closed_at,
                    },
                );
            }
            repo.pulls.push(Pull {
                id: self.id(),
                number,
                title,
                body: String::new(),
                author,
                created_at,
                updated_at: closed_at,
                draft: false,
                head_ref,
                base_ref: repo.default_branch.clone(),
                commits: vec![commit],
                additions: rng.range(1, 400),
                deletions: rng.range(0, 200),
                changed_files: rng.range(1, 12),
                labels,
                requested_reviewers: Vec::new(),
                reviews: vec![review],
                events,
                merged_at: merged.then_some(closed_at),
                merged_by: merged.then_some(reviewer),
                merge_commit_sha: merged.then(|| sha.clone()),
                closed_at: Some(closed_at),
                ticket: None,
                files: Vec::new(),
            });
        }
    }
}

const TITLES: [&str; 6] = [
    "Tidy request logging",
    "Retry upstream timeouts once",
    "Document the routing table",
    "Bump the Go toolchain",
    "Fix flaky integration test",
    "Add metrics for rejected requests",
];

/// Title, branch and labels of the `k`th pull request of a bot or the machine user.
fn automated_pull(login: &str, k: usize) -> (String, String, Vec<String>) {
    match login {
        "dependabot[bot]" => (
            format!("Bump golang.org/x/net from 0.{k}.0 to 0.{k}.1"),
            format!("dependabot/go_modules/golang.org/x/net-0.{k}.1"),
            vec!["dependencies".into()],
        ),
        "renovate[bot]" => (
            format!("chore(deps): update module github.com/jackc/pgx/v5 to v5.{k}.0"),
            format!("renovate/pgx-5.{k}"),
            vec!["dependencies".into()],
        ),
        "github-actions[bot]" => (
            format!("Update generated API client ({k})"),
            format!("automation/generated-client-{k}"),
            Vec::new(),
        ),
        _ => (
            format!("Release 1.{k}.0"),
            format!("release/1.{k}.0"),
            vec!["release".into()],
        ),
    }
}

/// How user `u` signs a commit at `at`: a person with their name and email, an account without
/// a person with its GitHub no-reply address.
fn signature(w: &World, u: usize, at: Ts) -> Signature {
    let user = &w.users[u];
    match user.person.map(|p| &w.org.people[p]) {
        Some(p) => Signature {
            name: p.name.clone(),
            email: p.email.clone(),
            user: Some(u),
            at,
        },
        None => Signature {
            name: user.name.clone(),
            email: format!("{}+{}@users.noreply.github.com", user.id, user.login),
            user: Some(u),
            at,
        },
    }
}

#[cfg(test)]
mod tests;
