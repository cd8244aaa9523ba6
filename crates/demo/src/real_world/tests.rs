//! What the real-world shape promises, checked on the world itself (the fake GitHub's answers
//! are checked over HTTP in `bosun-fakes`).

use super::*;
use crate::{GenOptions, Org, generate};
use std::collections::HashSet;
use std::sync::OnceLock;

const EXTRA: usize = 250;

fn demo() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let as_of = bosun_core::time::parse_user_time("2026-11-20T09:00:00Z").unwrap();
        generate(
            &Org::bundled().unwrap(),
            &GenOptions {
                months: 2,
                ..GenOptions::new(as_of)
            },
        )
    })
}

fn shaped() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        demo().clone().real_world_shaped(RealWorld {
            big_repo_pulls: EXTRA,
        })
    })
}

fn json<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

#[test]
fn the_demo_world_keeps_teams_owners_names_and_no_extra_repositories() {
    let w = demo();
    assert!(w.github_teams);
    assert_eq!(w.repos.len(), 6);
    assert!(w.repos.iter().all(|r| !r.codeowners.is_empty()));
    assert!(w.repos.iter().all(|r| !r.archived && r.fork_of.is_none()));
    assert!(w.repos.iter().all(|r| !r.is_empty()));
    assert!(w.users.iter().all(|u| u.public_name));
    // Members are the people's current logins, all public; old logins and bots are not members.
    let members: Vec<&str> = w
        .users
        .iter()
        .filter(|u| u.org_member)
        .map(|u| u.login.as_str())
        .collect();
    assert_eq!(members.len(), w.org.people.len());
    assert!(
        w.users
            .iter()
            .filter(|u| u.org_member)
            .all(|u| u.public_member)
    );
}

#[test]
fn no_teams_no_codeowners_and_two_thirds_of_the_people_nameless() {
    let w = shaped();
    assert!(!w.github_teams);
    assert!(w.repos.iter().all(|r| r.codeowners.is_empty()));
    let people: Vec<&User> = w.users.iter().filter(|u| u.person.is_some()).collect();
    let nameless = people.iter().filter(|u| !u.public_name).count();
    assert_eq!(nameless, people.len() * 2 / 3, "of {}", people.len());
    let members = w.users.iter().filter(|u| u.org_member).count();
    let public = w.users.iter().filter(|u| u.public_member).count();
    assert_eq!(public, members / 3);
    assert!(
        w.users
            .iter()
            .filter(|u| u.public_member)
            .all(|u| u.org_member)
    );
}

#[test]
fn bots_are_bots_and_the_machine_user_is_a_member_of_type_user() {
    let w = shaped();
    for (login, _) in BOTS {
        let u = &w.users[w.user_by_login(login).expect(login)];
        assert!(u.is_bot && !u.org_member, "{login}");
    }
    let machine = machine_user(w);
    assert_eq!(machine, "tidewater-release-bot");
    let m = &w.users[w.user_by_login(&machine).unwrap()];
    assert!(!m.is_bot && m.org_member && m.person.is_none());
    // Each of them authors pull requests and the commits of those pull requests.
    let big = &w.repos[0];
    for login in BOTS.iter().map(|b| b.0).chain([machine.as_str()]) {
        let u = w.user_by_login(login).unwrap();
        let prs: Vec<&Pull> = big.pulls.iter().filter(|p| p.author == u).collect();
        assert!(!prs.is_empty(), "{login} authors pull requests");
        assert!(
            prs.iter()
                .all(|p| big.commits[p.commits[0]].author.user == Some(u)),
            "{login} authors their commits"
        );
    }
}

#[test]
fn forks_archived_and_an_empty_repository_are_added() {
    let (d, w) = (demo(), shaped());
    assert_eq!(w.repos.len(), d.repos.len() + 5);
    let forks: Vec<&Repo> = w.repos.iter().filter(|r| r.fork_of.is_some()).collect();
    assert_eq!(
        forks.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["grpc-gateway", "pgx"]
    );
    assert_eq!(
        forks[0].fork_of.as_deref(),
        Some("grpc-ecosystem/grpc-gateway")
    );
    // Upstream's authors have no account; our patch is ours.
    assert!(
        forks[0].commits[..24]
            .iter()
            .all(|c| c.author.user.is_none())
    );
    assert!(forks[0].commits[24].author.user.is_some());
    let archived: Vec<&str> = w
        .repos
        .iter()
        .filter(|r| r.archived)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(archived, ["legacy-billing", "shipper-portal-v1"]);
    let empty: Vec<&str> = w
        .repos
        .iter()
        .filter(|r| r.is_empty())
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(empty, [EMPTY]);
    let ids: HashSet<i64> = w.repos.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), w.repos.len(), "repository ids are unique");
    for r in &w.repos {
        let shas: HashSet<&str> = r.commits.iter().map(|c| c.sha.as_str()).collect();
        assert_eq!(
            shas.len(),
            r.commits.len(),
            "{}: commit shas unique",
            r.name
        );
    }
}

#[test]
fn the_big_repository_gets_the_extra_closed_pull_requests_reviewed_by_people() {
    let (d, w) = (demo(), shaped());
    let (before, after) = (&d.repos[0], &w.repos[0]);
    assert_eq!(after.pulls.len(), before.pulls.len() + EXTRA);
    let extra = &after.pulls[before.pulls.len()..];
    let numbers: HashSet<i64> = after.pulls.iter().map(|p| p.number).collect();
    assert_eq!(numbers.len(), after.pulls.len(), "numbers unique");
    for p in extra {
        assert!(p.closed_at.is_some(), "#{} is closed", p.number);
        assert!(p.created_at < w.start, "#{} predates the history", p.number);
        let rv = &p.reviews[0];
        assert_ne!(rv.reviewer, p.author);
        assert!(
            w.users[rv.reviewer].person.is_some(),
            "reviewed by a person"
        );
        assert_eq!(p.head_sha(after), Some(rv.commit_sha.as_str()));
    }
    let merged = extra.iter().filter(|p| p.merged_at.is_some()).count();
    assert!(merged > EXTRA * 3 / 4 && merged < EXTRA, "{merged} merged");
    let ids: HashSet<i64> = w
        .repos
        .iter()
        .flat_map(|r| r.pulls.iter())
        .flat_map(|p| {
            [p.id]
                .into_iter()
                .chain(p.reviews.iter().map(|r| r.id))
                .chain(p.events.iter().map(|e| e.id))
        })
        .collect();
    let count: usize = w
        .repos
        .iter()
        .flat_map(|r| r.pulls.iter())
        .map(|p| 1 + p.reviews.len() + p.events.len())
        .sum();
    assert_eq!(ids.len(), count, "pull, review and event ids are unique");
}

#[test]
fn the_shape_is_deterministic_and_leaves_the_other_providers_alone() {
    let (d, w) = (demo(), shaped());
    let again = demo().clone().real_world_shaped(RealWorld {
        big_repo_pulls: EXTRA,
    });
    assert_eq!(json(&again), json(w));
    let mut other = demo().clone();
    other.seed += 1;
    let other = other.real_world_shaped(RealWorld {
        big_repo_pulls: EXTRA,
    });
    assert_ne!(json(&other.users), json(&w.users));
    assert_eq!(json(&w.tickets), json(&d.tickets));
    assert_eq!(json(&w.sprints), json(&d.sprints));
    assert_eq!(json(&w.incidents), json(&d.incidents));
    assert_eq!(json(&w.messages), json(&d.messages));
    assert_eq!(json(&w.org), json(&d.org));
    // The demo's repositories keep their history; the first (the big one) gains pull requests
    // after its own, and the shape's extra repositories (forks, archived, empty) come after them.
    assert!(w.repos.len() > d.repos.len());
    for (i, (a, b)) in d.repos.iter().zip(&w.repos).enumerate() {
        assert_eq!(a.name, b.name);
        if i == 0 {
            // Its extra pull requests bring their commits, after the repository's own.
            assert_eq!(
                json(&a.commits),
                json(&b.commits[..a.commits.len()]),
                "{}",
                a.name
            );
            assert_eq!(b.pulls.len(), a.pulls.len() + EXTRA, "{}", a.name);
            assert_eq!(
                json(&a.pulls),
                json(&b.pulls[..a.pulls.len()]),
                "{}",
                a.name
            );
        } else {
            assert_eq!(json(&a.commits), json(&b.commits), "{}", a.name);
            assert_eq!(json(&a.pulls), json(&b.pulls), "{}", a.name);
        }
    }
}
