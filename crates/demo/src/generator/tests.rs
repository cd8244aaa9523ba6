//! The generator's promises: determinism and the realistic shapes the demo depends on.

use super::*;
use crate::calendar::weekday;
use std::sync::OnceLock;

fn as_of() -> DateTime<Utc> {
    bosun_core::time::parse_user_time("2026-11-20T09:00:00Z").unwrap()
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| generate(&Org::bundled().unwrap(), &GenOptions::new(as_of())))
}

#[test]
fn same_seed_and_as_of_give_identical_data() {
    let org = Org::bundled().unwrap();
    let a = serde_json::to_string(&generate(&org, &GenOptions::new(as_of()))).unwrap();
    let b = serde_json::to_string(world()).unwrap();
    assert_eq!(a, b);
    let other = GenOptions {
        seed: 8,
        ..GenOptions::new(as_of())
    };
    assert_ne!(serde_json::to_string(&generate(&org, &other)).unwrap(), b);
}

#[test]
fn volumes_match_the_demo_promise() {
    let w = world();
    let prs: usize = w.repos.iter().map(|r| r.pulls.len()).sum();
    let reviews: usize = w
        .repos
        .iter()
        .flat_map(|r| &r.pulls)
        .map(|p| p.reviews.len())
        .sum();
    let commits: usize = w.repos.iter().map(|r| r.commits.len()).sum();
    let deploys: usize = w
        .repos
        .iter()
        .map(|r| {
            r.deployments
                .iter()
                .filter(|d| d.environment == "production")
                .count()
        })
        .sum();
    assert!((300..3000).contains(&prs), "{prs} PRs");
    assert!(reviews >= 300, "{reviews} reviews");
    assert!(commits >= 1000, "{commits} commits");
    assert!(deploys >= 36, "{deploys} deploys");
    assert!(w.tickets.len() >= 200, "{} tickets", w.tickets.len());
    assert!(w.sprints.len() >= 3 * 12, "{} sprints", w.sprints.len());
    assert!(w.messages.len() >= 500, "{} messages", w.messages.len());
}

#[test]
fn nothing_happens_after_as_of() {
    let w = world();
    let t = w.as_of;
    for r in &w.repos {
        assert!(
            r.commits
                .iter()
                .all(|c| c.author.at <= t && c.committer.at <= t)
        );
        for p in &r.pulls {
            assert!(p.created_at <= t && p.updated_at <= t);
            assert!(p.reviews.iter().all(|x| x.submitted_at <= t));
            assert!(p.merged_at.is_none_or(|m| m <= t));
        }
        assert!(
            r.deployments
                .iter()
                .flat_map(|d| &d.statuses)
                .all(|s| s.at <= t)
        );
        assert!(r.check_runs.iter().all(|c| c.started_at <= t));
    }
    assert!(
        w.tickets
            .iter()
            .flat_map(|x| &x.changelog)
            .all(|c| c.at <= t)
    );
    assert!(w.incidents.iter().flat_map(|i| &i.log).all(|l| l.at <= t));
    assert!(w.messages.iter().all(|m| m.at <= t));
}

#[test]
fn weekends_are_quiet_for_humans() {
    let w = world();
    let mut weekday_commits = 0;
    let mut weekend_commits = 0;
    for r in &w.repos {
        for c in &r.commits {
            let Some(u) = c.author.user.and_then(|u| w.users[u].person) else {
                continue;
            };
            let offset = w.org.people[u].utc_offset * 3600;
            let day = (c.author.at + offset).div_euclid(86_400);
            if weekday(day) >= 5 {
                weekend_commits += 1;
            } else {
                weekday_commits += 1;
            }
        }
    }
    assert!(weekday_commits > 500);
    assert!(
        weekend_commits * 50 < weekday_commits,
        "{weekend_commits} weekend vs {weekday_commits}"
    );
}

#[test]
fn pull_requests_have_the_awkward_cases() {
    let w = world();
    let t = w.as_of;
    let all: Vec<(&world::Repo, &world::Pull)> = w
        .repos
        .iter()
        .flat_map(|r| r.pulls.iter().map(move |p| (r, p)))
        .collect();
    let open = |p: &&world::Pull| p.closed_at.is_none();
    let stuck = all
        .iter()
        .filter(|(_, p)| {
            open(p) && !p.draft && p.reviews.is_empty() && p.created_at < t - 2 * 86_400
        })
        .count();
    let approved_unmerged = all
        .iter()
        .filter(|(_, p)| {
            open(p)
                && p.reviews
                    .iter()
                    .any(|r| r.state == "APPROVED" && r.submitted_at < t - 86_400)
        })
        .count();
    let drafts = all.iter().filter(|(_, p)| open(p) && p.draft).count();
    let bots = all.iter().filter(|(_, p)| w.users[p.author].is_bot).count();
    let large = all
        .iter()
        .filter(|(_, p)| p.additions + p.deletions > 1000)
        .count();
    let abandoned = all
        .iter()
        .filter(|(_, p)| p.closed_at.is_some() && p.merged_at.is_none())
        .count();
    assert!(stuck >= 2, "stuck {stuck}");
    assert!(
        approved_unmerged >= 1,
        "approved but unmerged {approved_unmerged}"
    );
    assert!(drafts >= 1, "drafts {drafts}");
    assert!(bots >= 50, "bot PRs {bots}");
    assert!(large >= 3, "large PRs {large}");
    assert!(abandoned >= 3, "abandoned {abandoned}");
    // Each merged PR has its landing commit on the default branch.
    for (r, p) in &all {
        if let Some(sha) = &p.merge_commit_sha {
            assert!(
                r.main.iter().any(|&i| &r.commits[i].sha == sha),
                "{}#{} landing commit not on main",
                r.name,
                p.number
            );
        }
    }
    // Squash repos land one commit per PR whose message names the PR.
    let gw = w.repo("harbor-gateway").unwrap();
    let squashed = gw.pulls.iter().find(|p| p.merged_at.is_some()).unwrap();
    let landing = gw
        .commits
        .iter()
        .find(|c| Some(&c.sha) == squashed.merge_commit_sha.as_ref())
        .unwrap();
    assert!(
        landing.message.contains(&format!("(#{})", squashed.number)),
        "{}",
        landing.message
    );
    assert_eq!(landing.parents.len(), 1);
    // Merge-commit repos have two-parent merges.
    let auth = w.repo("harbor-auth").unwrap();
    assert!(
        auth.commits
            .iter()
            .any(|c| c.parents.len() == 2 && c.message.starts_with("Merge pull request #"))
    );
}

#[test]
fn the_flaky_check_fails_then_passes_on_the_same_commit() {
    let w = world();
    let r = w.repo("compass-payments").unwrap();
    let mut reruns = 0;
    for c in r
        .check_runs
        .iter()
        .filter(|c| c.name == "integration-tests" && c.conclusion.as_deref() == Some("failure"))
    {
        if r.check_runs.iter().any(|o| {
            o.head_sha == c.head_sha
                && o.name == c.name
                && o.started_at > c.started_at
                && o.conclusion.as_deref() == Some("success")
        }) {
            reruns += 1;
        }
    }
    assert!(reruns >= 5, "{reruns} flaky re-runs");
    let prs_with_flake: std::collections::BTreeSet<_> = r
        .check_runs
        .iter()
        .filter(|c| c.name == "integration-tests" && c.conclusion.as_deref() == Some("failure"))
        .filter_map(|c| c.pull_number)
        .collect();
    assert!(prs_with_flake.len() >= 3, "clustered across PRs");
    // Some open PR has a failing required check on its head commit.
    let failing_open = w.repos.iter().any(|r| {
        r.pulls.iter().filter(|p| p.closed_at.is_none()).any(|p| {
            let head = p.head_sha(r).unwrap_or("");
            r.check_runs
                .iter()
                .any(|c| c.head_sha == head && c.conclusion.as_deref() == Some("failure"))
        })
    });
    assert!(failing_open);
}

#[test]
fn bad_deploys_cause_incidents_and_get_remediated() {
    let w = world();
    let caused: Vec<_> = w
        .incidents
        .iter()
        .filter(|i| i.caused_by.is_some())
        .collect();
    assert!(caused.len() >= 6, "{} deploy incidents", caused.len());
    let mut kinds = std::collections::BTreeSet::new();
    for inc in &caused {
        let (repo, dep) = inc.caused_by.unwrap();
        let r = &w.repos[repo];
        let d = r.deployments.iter().find(|d| d.id == dep).unwrap();
        assert!(
            d.created_at < inc.created_at,
            "the deploy precedes the incident"
        );
        for later in r
            .deployments
            .iter()
            .filter(|x| x.created_at > d.created_at && x.environment == "production")
        {
            if later.created_at < inc.created_at {
                assert_ne!(
                    later.reason, "release",
                    "no regular deploy between a bad deploy and its incident"
                );
            }
        }
        if let Some(fix) = r
            .deployments
            .iter()
            .find(|x| x.created_at > inc.created_at && x.reason != "release" && x.reason != "retry")
        {
            kinds.insert(fix.reason.clone());
        }
    }
    assert!(
        kinds.contains("revert") && kinds.contains("hotfix") && kinds.contains("rollback"),
        "{kinds:?}"
    );
    assert!(
        w.incidents.iter().any(|i| i.resolved_at.is_none()),
        "one incident is open"
    );
    assert!(
        w.repos
            .iter()
            .flat_map(|r| &r.deployments)
            .any(|d| d.statuses.last().is_some_and(|s| s.state == "failure"))
    );
    let rev = w
        .repos
        .iter()
        .flat_map(|r| &r.pulls)
        .find(|p| p.title.starts_with("Revert \""))
        .unwrap();
    assert!(rev.labels.contains(&"revert".to_string()));
}

#[test]
fn sprints_show_scope_creep_carry_over_and_blocked_work() {
    let w = world();
    let active: Vec<_> = w.sprints.iter().filter(|s| s.state == "active").collect();
    assert_eq!(active.len(), 3, "one active sprint per team");
    let creep = |s: &world::Sprint| {
        w.tickets
            .iter()
            .filter(|t| {
                t.changelog.iter().any(|c| {
                    c.at > s.start
                        && c.items.iter().any(|i| {
                            i.field == "Sprint"
                                && i.to
                                    .as_deref()
                                    .is_some_and(|to| to.contains(&s.id.to_string()))
                                && !i
                                    .from
                                    .as_deref()
                                    .is_some_and(|f| f.contains(&s.id.to_string()))
                        })
                })
            })
            .count()
    };
    assert!(
        active.iter().any(|s| creep(s) >= 3),
        "scope creep in an active sprint"
    );
    let carried = w.tickets.iter().filter(|t| t.sprints.len() >= 2).count();
    assert!(carried >= 5, "{carried} carried-over tickets");
    let blocked_now = w.tickets.iter().filter(|t| t.status == "Blocked").count();
    let blocked_ever = w
        .tickets
        .iter()
        .filter(|t| {
            t.changelog.iter().any(|c| {
                c.items
                    .iter()
                    .any(|i| i.to_string.as_deref() == Some("Blocked"))
            })
        })
        .count();
    assert!(blocked_ever >= 10, "{blocked_ever} blocked at some point");
    assert!(
        blocked_now + w.tickets.iter().filter(|t| t.flagged).count() >= 1,
        "something is blocked at as_of"
    );
    assert!(
        w.tickets
            .iter()
            .any(|t| t.links.iter().any(|l| l.direction == "inward"))
    );
    let overdue = w
        .tickets
        .iter()
        .filter(|t| {
            t.labels.contains(&"postmortem".into())
                && t.resolved_at.is_none()
                && t.due_at.is_some_and(|d| d < w.as_of)
        })
        .count();
    assert!(overdue >= 1, "an overdue postmortem follow-up");
}

#[test]
fn chat_names_blockers_and_waiting_prs() {
    let w = world();
    assert!(
        w.messages
            .iter()
            .any(|m| m.text.contains("blocked on TIDE-"))
    );
    assert!(
        w.messages
            .iter()
            .any(|m| m.text.contains("waiting for review on "))
    );
    assert!(w.messages.iter().any(|m| m.thread_ts.is_some()));
    let mut ts: Vec<_> = w.messages.iter().map(|m| (&m.channel, &m.ts)).collect();
    let n = ts.len();
    ts.sort();
    ts.dedup();
    assert_eq!(ts.len(), n, "message timestamps are unique per channel");
}

#[test]
fn time_off_means_no_activity() {
    let w = world();
    let aiko = w
        .org
        .people
        .iter()
        .position(|p| p.key == "aiko-tanaka")
        .unwrap();
    let login = &w.org.people[aiko].github;
    let off_start = w.as_of - 12 * 86_400;
    let off_end = off_start + 7 * 86_400;
    let during = w
        .repos
        .iter()
        .flat_map(|r| &r.commits)
        .filter(|c| {
            c.author.user.is_some_and(|u| &w.users[u].login == login)
                && c.author.at > off_start + 86_400
                && c.author.at < off_end - 86_400
        })
        .count();
    assert_eq!(during, 0);
}

#[test]
fn scale_ten_is_ten_times_the_organisation() {
    let w = generate(
        &Org::bundled().unwrap(),
        &GenOptions {
            scale: 10,
            months: 1,
            ..GenOptions::new(as_of())
        },
    );
    assert_eq!(w.repos.len(), 60);
    assert_eq!(w.org.people.len(), 160);
}

/// The demo runs at whatever "now" the user has: the awkward cases must exist for any date and
/// seed, not only for the one the snapshot tests use.
#[test]
fn the_awkward_cases_exist_for_other_seeds_and_dates() {
    let org = Org::bundled().unwrap();
    for (seed, date) in [
        (1, "2026-03-02T07:00:00Z"),
        (2, "2026-07-18T15:30:00Z"),
        (99, "2027-01-06T12:00:00Z"),
        (7, "2026-11-22T20:00:00Z"),
    ] {
        let as_of = bosun_core::time::parse_user_time(date).unwrap();
        let w = generate(
            &org,
            &GenOptions {
                seed,
                ..GenOptions::new(as_of)
            },
        );
        let t = w.as_of;
        let pulls: Vec<&world::Pull> = w.repos.iter().flat_map(|r| &r.pulls).collect();
        let open: Vec<&&world::Pull> = pulls.iter().filter(|p| p.closed_at.is_none()).collect();
        let ctx = format!("seed {seed} at {date}");
        assert!(open.iter().any(|p| p.draft), "draft: {ctx}");
        assert!(
            open.iter()
                .any(|p| !p.draft && p.reviews.is_empty() && p.created_at < t - 86_400),
            "waiting for review: {ctx}"
        );
        assert!(
            open.iter()
                .any(|p| p.reviews.iter().any(|r| r.state == "APPROVED")),
            "approved, unmerged: {ctx}"
        );
        assert!(
            w.tickets.iter().any(|x| x.status == "Blocked"),
            "blocked ticket: {ctx}"
        );
        assert!(
            w.incidents.iter().any(|i| i.resolved_at.is_none()),
            "open incident: {ctx}"
        );
        assert!(
            w.incidents.iter().filter(|i| i.caused_by.is_some()).count() >= 4,
            "deploy incidents: {ctx}"
        );
        assert!(
            w.sprints.iter().filter(|s| s.state == "active").count() == 3,
            "active sprints: {ctx}"
        );
    }
}

#[test]
fn the_local_repository_has_history_and_release_tags() {
    let w = world();
    let r = &w.local_repos[0];
    assert_eq!(r.name, "lighthouse-mobile");
    assert!(r.commits.len() > 200, "{} commits", r.commits.len());
    assert!(r.commits.iter().any(|c| c.parents.len() == 2), "merges");
    assert!(
        r.commits.iter().any(|c| c.committer.at != c.author.at),
        "rebased commits"
    );
    assert!(
        r.commits
            .iter()
            .all(|c| c.parents.iter().all(|&p| p < r.commits.len()))
    );
    assert!(
        r.tags.len() >= 10 && r.tags.iter().any(|t| t.name.ends_with(".1")),
        "{:?}",
        r.tags.iter().map(|t| &t.name).collect::<Vec<_>>()
    );
    assert!(
        r.tags
            .iter()
            .all(|t| t.tagger.at >= r.commits[t.commit].committer.at || t.name.ends_with(".1"))
    );
    assert!(
        r.commits
            .iter()
            .all(|c| c.author.at <= w.as_of && c.committer.at <= w.as_of)
    );
}

#[test]
fn the_on_call_shifts_are_who_the_incidents_paged() {
    let w = world();
    let team_of = |service: &str| {
        w.org
            .services
            .iter()
            .find(|s| s.key == service)
            .map(|s| s.team.clone())
            .unwrap()
    };
    let on_call = |team: &str, at: Ts| -> Vec<usize> {
        w.oncalls
            .iter()
            .filter(|o| o.team == team && o.level == 1)
            .filter(|o| o.start.is_none_or(|s| s <= at) && o.end.is_none_or(|e| at < e))
            .map(|o| o.person)
            .collect()
    };
    let mut checked = 0;
    for i in w.incidents.iter().filter(|i| !i.assignees.is_empty()) {
        let team = team_of(&i.service);
        // Paged at the trigger: whoever was on call that UTC day.
        let day_noon = i.created_at.div_euclid(DAY) * DAY + 12 * HOUR;
        assert_eq!(
            on_call(&team, day_noon),
            vec![i.assignees[0]],
            "incident {} on {}",
            i.id,
            i.service
        );
        checked += 1;
    }
    assert!(checked > 20, "{checked} incidents");
    // Shifts of one team never overlap at level 1, and reach two weeks past now.
    for team in &w.org.teams {
        let mut shifts: Vec<_> = w
            .oncalls
            .iter()
            .filter(|o| o.team == team.key && o.level == 1)
            .collect();
        shifts.sort_by_key(|o| o.start);
        assert!(
            shifts.windows(2).all(|p| p[0].end <= p[1].start),
            "{}",
            team.key
        );
        assert!(shifts.last().unwrap().end.unwrap() >= w.as_of + 14 * DAY);
        assert_eq!(
            w.oncalls
                .iter()
                .filter(|o| o.team == team.key && o.level == 2)
                .count(),
            1,
            "the manager at level 2"
        );
    }
}

/// The onboarding demo: Inês joined Harbor 14 days before "now": nothing of hers before, her
/// first pull requests and a review after, no on-call shift yet; Harbor's next sprint holds
/// three starter tickets, small, unassigned and unblocked.
#[test]
fn the_recent_joiner_starts_two_weeks_ago_with_starter_tickets_waiting() {
    let w = world();
    let ines = w
        .org
        .people
        .iter()
        .position(|p| p.key == "ines-duarte")
        .unwrap();
    assert_eq!(w.org.people[ines].joined_days_ago, Some(14));
    let user = w.users.iter().position(|u| u.person == Some(ines)).unwrap();
    let joined = w.as_of - 14 * 86_400 - 86_400;
    let pulls: Vec<_> = w
        .repos
        .iter()
        .flat_map(|r| &r.pulls)
        .filter(|p| p.author == user)
        .collect();
    assert!(pulls.len() >= 2, "{} pull requests", pulls.len());
    assert!(pulls.iter().all(|p| p.created_at > joined));
    assert!(pulls.iter().any(|p| p.merged_at.is_some()));
    let commits_before = w
        .repos
        .iter()
        .flat_map(|r| &r.commits)
        .filter(|c| c.author.user == Some(user) && c.author.at < joined)
        .count();
    assert_eq!(commits_before, 0);
    let reviews: Vec<_> = w
        .repos
        .iter()
        .flat_map(|r| &r.pulls)
        .flat_map(|p| &p.reviews)
        .filter(|r| r.reviewer == user)
        .collect();
    assert_eq!(reviews.len(), 1);
    assert!(reviews[0].submitted_at > joined);
    assert!(w.oncalls.iter().all(|o| o.person != ines));
    let next = w
        .sprints
        .iter()
        .find(|s| s.team == "harbor" && s.state == "future")
        .unwrap();
    let starters: Vec<_> = w
        .tickets
        .iter()
        .filter(|t| t.labels.iter().any(|l| l == "good-first-issue"))
        .collect();
    assert_eq!(starters.len(), 3);
    for t in starters {
        assert_eq!(t.team, "harbor");
        assert_eq!(t.sprints.last(), Some(&next.id));
        assert!(t.assignee.is_none() && t.links.is_empty() && !t.flagged);
        assert!(t.story_points.unwrap() <= 2.0);
        assert_eq!(t.status, "To Do");
    }
}
