use super::*;
use crate::data::Dataset;
use crate::testkit::*;
use bosun_core::model::DeploymentKind;

fn scope(since: Ts, until: Ts) -> Scope {
    Scope {
        since,
        until,
        team: None,
        repo: None,
    }
}

fn run(data: &Dataset, since: Ts, until: Ts) -> Dora {
    dora(
        data,
        &analyse(data, &DoraOptions::default()),
        &scope(since, until),
    )
}

fn linear() -> Dataset {
    // c1 ← c2 ← c3 ← c4 on main; deployed at c2, then c4.
    Dataset {
        repos: vec![repo(1, "core", "api")],
        commits: vec![
            commit(1, "c1", &[], T0),
            commit(1, "c2", &["c1"], T0 + H),
            commit(1, "c3", &["c2"], T0 + 2 * H),
            commit(1, "c4", &["c3"], T0 + 3 * H),
        ],
        deployments: vec![deploy(1, 1, "c2", T0 + 5 * H), deploy(2, 1, "c4", T0 + D)],
        ..Default::default()
    }
}

#[test]
fn a_commit_is_counted_at_the_first_deployment_that_contains_it() {
    let d = run(&linear(), T0, T0 + 7 * D);
    assert_eq!(d.deployments, 2);
    let shas: Vec<Vec<&str>> = d
        .evidence
        .iter()
        .map(|r| r.changes.iter().map(|c| c.sha.as_str()).collect())
        .collect();
    assert_eq!(shas, vec![vec!["c2", "c1"], vec!["c4", "c3"]]);
    // Lead times: 5h, 4h (first deploy); 21h, 22h (second).
    let mut leads: Vec<i64> = d
        .evidence
        .iter()
        .flat_map(|r| r.changes.iter().map(|c| c.lead_time_secs))
        .collect();
    leads.sort_unstable();
    assert_eq!(leads, vec![4 * H, 5 * H, 21 * H, 22 * H]);
    assert_eq!(d.lead_time_seconds.n, 4);
    assert_eq!(d.lead_time_seconds.median, Some(13.0 * H as f64));
    assert_eq!(d.change_failure_rate.value, Some(0.0));
}

#[test]
fn the_window_selects_deployments_by_their_date() {
    let data = linear();
    let first = run(&data, T0, T0 + 12 * H);
    assert_eq!(first.deployments, 1);
    let second = run(&data, T0 + 12 * H, T0 + 7 * D);
    assert_eq!(second.deployments, 1);
    // Changes of the second deployment do not depend on the window.
    assert_eq!(second.lead_time_seconds.n, 2);
}

#[test]
fn squash_merges_count_the_pull_requests_own_commits() {
    // PR #7's commits b1, b2 never reach main; main gets the squash commit s.
    let mut data = Dataset {
        repos: vec![repo(1, "core", "api")],
        commits: vec![
            commit(1, "c0", &[], T0),
            commit(1, "b1", &["c0"], T0 + H),
            commit(1, "b2", &["b1"], T0 + 2 * H),
            commit(1, "s", &["c0"], T0 + 10 * H), // GitHub stamps the squash with the merge time
        ],
        pull_requests: vec![pr(70, 1, 7, &["b1", "b2"], Some("s"), Some(T0 + 10 * H))],
        deployments: vec![
            deploy(1, 1, "c0", T0 + H / 2),
            deploy(2, 1, "s", T0 + 11 * H),
        ],
        ..Default::default()
    };
    data.commits[3].subject = "Add retries (#7)".into();
    let d = run(&data, T0 + H, T0 + 7 * D);
    let changes: Vec<(&str, i64, Option<i64>)> = d.evidence[0]
        .changes
        .iter()
        .map(|c| (c.sha.as_str(), c.lead_time_secs, c.pull_request))
        .collect();
    assert_eq!(
        changes,
        vec![("b1", 10 * H, Some(70)), ("b2", 9 * H, Some(70))]
    );
    assert_eq!(d.evidence[0].pull_requests, vec![70]);
    // "PR first commit" start: both changes start at b1.
    let a = analyse(
        &data,
        &DoraOptions {
            lead_time_start: LeadTimeStart::PrFirstCommit,
            ..Default::default()
        },
    );
    let d = dora(&data, &a, &scope(T0 + H, T0 + 7 * D));
    assert!(
        d.evidence[0]
            .changes
            .iter()
            .all(|c| c.lead_time_secs == 10 * H)
    );
}

#[test]
fn merge_commits_are_not_changes_but_bots_changes_are_and_are_counted_apart() {
    let mut data = Dataset {
        repos: vec![repo(1, "core", "api")],
        commits: vec![
            commit(1, "c0", &[], T0),
            commit(1, "f1", &["c0"], T0 + H),
            commit(1, "bot", &["c0"], T0 + 3 * H),
            commit(1, "m", &["c0", "f1"], T0 + 3 * H),
            commit(1, "m2", &["m", "bot"], T0 + 4 * H),
        ],
        deployments: vec![deploy(1, 1, "c0", T0), deploy(2, 1, "m2", T0 + 5 * H)],
        ..Default::default()
    };
    data.commits[2].author_is_bot = true;
    let d = run(&data, T0 + 1, T0 + D);
    let changes: Vec<(&str, bool)> = d.evidence[0]
        .changes
        .iter()
        .map(|c| (c.sha.as_str(), c.bot))
        .collect();
    assert_eq!(changes, vec![("bot", true), ("f1", false)]);
    // Lead times 2 h (the bot's) and 4 h (f1): both counted, the bot's said apart.
    let lead = &d.lead_time_seconds;
    assert_eq!((lead.n, lead.bots, lead.bots_excluded), (2, 1, false));
    assert_eq!(lead.median, Some(3.0 * H as f64));
    assert_eq!(lead.median_without_bots, Some(4.0 * H as f64));
    // The human-only view: the bot's change is left out of n and the quantiles, still reported.
    let human = dora_with(
        &data,
        &analyse(&data, &DoraOptions::default()),
        &scope(T0 + 1, T0 + D),
        Bots::Exclude,
    );
    let lead = &human.lead_time_seconds;
    assert_eq!((lead.n, lead.bots, lead.bots_excluded), (1, 1, true));
    assert_eq!(
        (lead.median, lead.p90),
        (Some(4.0 * H as f64), Some(4.0 * H as f64))
    );
    assert_eq!(human.weekly[0].lead_time_median_secs, Some(4.0 * H as f64));
    assert_eq!(human.lead_times(), vec![4 * H]);
    assert_eq!(d.lead_times(), vec![2 * H, 4 * H]);
    assert_eq!(d.weekly[0].lead_time_median_secs, Some(3.0 * H as f64));
}

#[test]
fn a_bots_squash_merged_pull_request_ships_bot_changes() {
    // Dependabot's PR #9 (commit u1) is squash-merged as s; a human PR #8's squash has one
    // commit by a bot (pre-commit.ci's fix-up) among the human's.
    let mut data = Dataset {
        repos: vec![repo(1, "core", "api")],
        commits: vec![
            commit(1, "c0", &[], T0),
            commit(1, "u1", &["c0"], T0 + H),
            commit(1, "s", &["c0"], T0 + 2 * H),
            commit(1, "h1", &["s"], T0 + 3 * H),
            commit(1, "h2", &["h1"], T0 + 4 * H),
            commit(1, "s2", &["s"], T0 + 5 * H),
        ],
        pull_requests: vec![
            pr(90, 1, 9, &["u1"], Some("s"), Some(T0 + 2 * H)),
            pr(80, 1, 8, &["h1", "h2"], Some("s2"), Some(T0 + 5 * H)),
        ],
        deployments: vec![deploy(1, 1, "c0", T0), deploy(2, 1, "s2", T0 + 6 * H)],
        ..Default::default()
    };
    data.pull_requests[0].author_is_bot = true;
    data.commits[4].author_is_bot = true;
    let d = run(&data, T0 + 1, T0 + D);
    let mut changes: Vec<(&str, bool, i64)> = d.evidence[0]
        .changes
        .iter()
        .map(|c| (c.sha.as_str(), c.bot, c.lead_time_secs))
        .collect();
    changes.sort();
    assert_eq!(
        changes,
        vec![
            ("h1", false, 3 * H),
            ("h2", true, 2 * H),
            ("u1", true, 5 * H)
        ]
    );
    assert_eq!(d.lead_time_seconds.bots, 2);
    assert_eq!(
        d.lead_time_seconds.median_without_bots,
        Some(3.0 * H as f64)
    );
}

#[test]
fn committer_time_is_an_option() {
    let data = linear();
    let a = analyse(
        &data,
        &DoraOptions {
            lead_time_start: LeadTimeStart::CommitterTime,
            ..Default::default()
        },
    );
    let d = dora(&data, &a, &scope(T0, T0 + 12 * H));
    let leads: Vec<i64> = d.evidence[0]
        .changes
        .iter()
        .map(|c| c.lead_time_secs)
        .collect();
    assert_eq!(leads, vec![4 * H - 60, 5 * H - 60]);
}

fn three_deploys() -> Dataset {
    Dataset {
        repos: vec![repo(1, "core", "api")],
        commits: vec![
            commit(1, "a", &[], T0),
            commit(1, "b", &["a"], T0 + H),
            commit(1, "c", &["b"], T0 + 2 * H),
        ],
        deployments: vec![
            deploy(1, 1, "a", T0 + H),
            deploy(2, 1, "b", T0 + 2 * H),
            deploy(3, 1, "c", T0 + 3 * H),
        ],
        ..Default::default()
    }
}

#[test]
fn an_incident_within_the_window_and_before_the_next_deployment_fails_it() {
    let mut data = three_deploys();
    // 30 minutes after deployment 2, before deployment 3: deployment 2 failed.
    data.incidents.push(incident(
        1,
        "api",
        T0 + 2 * H + 30 * 60,
        Some(T0 + 2 * H + 50 * 60),
    ));
    // Another incident on the same deployment does not count it twice.
    data.incidents
        .push(incident(2, "api", T0 + 2 * H + 40 * 60, Some(T0 + 4 * H)));
    // An incident on another service does not count.
    data.incidents
        .push(incident(3, "web", T0 + H + 5 * 60, None));
    let d = run(&data, T0, T0 + D);
    let failed: Vec<i64> = d
        .evidence
        .iter()
        .filter(|r| !r.failures.is_empty())
        .map(|r| r.id)
        .collect();
    assert_eq!(failed, vec![2]);
    assert_eq!(
        (d.change_failure_rate.failed, d.change_failure_rate.total),
        (1, 3),
        "failed deployments / deployments, not incidents"
    );
    // Recovery: the next deployment (3h) comes after the first incident resolved (2h50)... the
    // earliest of "next good deployment" and "linked incident resolved" wins.
    assert_eq!(d.evidence[1].recovery_secs, Some(50 * 60));
    assert_eq!(d.recovery_time_seconds.n, 1);
}

#[test]
fn an_incident_after_the_window_or_after_the_next_deployment_is_not_attributed() {
    let mut data = three_deploys();
    // After deployment 3 (the last): within 24h → deployment 3.
    data.incidents
        .push(incident(1, "api", T0 + 3 * H + 23 * H, None));
    // 25h after deployment 3 → nobody.
    data.incidents
        .push(incident(2, "api", T0 + 3 * H + 25 * H, None));
    let d = run(&data, T0, T0 + 3 * D);
    let failed: Vec<(i64, usize)> = d
        .evidence
        .iter()
        .filter(|r| !r.failures.is_empty())
        .map(|r| (r.id, r.failures.len()))
        .collect();
    assert_eq!(failed, vec![(3, 1)]);
    assert_eq!(
        d.unrecovered,
        vec![3],
        "still failing: no later deployment, incident open"
    );
    // A narrower window: not attributed at all.
    let a = analyse(
        &data,
        &DoraOptions {
            incident_window_secs: 12 * H,
            ..Default::default()
        },
    );
    assert!(
        dora(&data, &a, &scope(T0, T0 + 3 * D))
            .evidence
            .iter()
            .all(|r| r.failures.is_empty())
    );
}

#[test]
fn an_explicit_link_in_the_incident_notes_counts_whatever_the_timing() {
    let mut data = three_deploys();
    let mut inc = incident(1, "api", T0 + 3 * H + 2 * D, Some(T0 + 3 * H + 2 * D + H));
    inc.notes
        .push("Caused by deploy b (deployment 9002). Rolling back.".into());
    data.incidents.push(inc);
    let d = run(&data, T0, T0 + 7 * D);
    assert!(matches!(
        d.evidence[1].failures[..],
        [FailureEvidence::IncidentLink { incident: 1, .. }]
    ));
}

#[test]
fn rollbacks_fail_the_rolled_back_deployment_and_are_rework() {
    let mut data = three_deploys();
    // Deployment 4 redeploys "b" after "c": c was rolled back.
    data.deployments
        .push(deploy(4, 1, "b", T0 + 3 * H + 20 * 60));
    let d = run(&data, T0, T0 + D);
    assert_eq!(
        d.evidence[2].failures,
        vec![FailureEvidence::Rollback { deployment: 4 }]
    );
    assert_eq!(d.evidence[3].unplanned, Some(Unplanned::Rollback));
    assert_eq!(d.evidence[2].recovery_secs, Some(20 * 60));
    assert_eq!((d.rework_rate.unplanned, d.rework_rate.total), (1, 4));
    // The same through the payload, which names the provider's deployment id.
    let mut data = three_deploys();
    let mut rb = deploy(4, 1, "a", T0 + 4 * H);
    rb.payload = r#"{"rollback_of": 9002}"#.into();
    data.deployments.push(rb);
    let d = run(&data, T0, T0 + D);
    assert!(
        d.evidence[1]
            .failures
            .contains(&FailureEvidence::Rollback { deployment: 4 })
    );
}

#[test]
fn a_rollback_payload_names_the_providers_deployment_id_not_the_store_id() {
    // The demo's deployment 206 ({"rollback_of": 3003971}) rolled back deployment 199 (GitHub
    // deployment 3003971); matching store ids left 199 unfailed. Here deployment 4 ships a new
    // commit (so it is no redeploy of an older one) and says it rolls back GitHub deployment 9002.
    let mut data = three_deploys();
    data.commits.push(commit(1, "d", &["c"], T0 + 3 * H));
    let mut rb = deploy(4, 1, "d", T0 + 4 * H);
    rb.payload = r#"{"rollback_of":9002}"#.into();
    data.deployments.push(rb);
    // A store id in the payload is not a provider id: deployment 5 names nothing that exists.
    data.commits.push(commit(1, "e", &["d"], T0 + 5 * H));
    let mut other = deploy(5, 1, "e", T0 + 6 * H);
    other.payload = r#"{"rollback_of": 3}"#.into();
    data.deployments.push(other);
    let d = run(&data, T0, T0 + D);
    let failed: Vec<(i64, &[FailureEvidence])> = d
        .evidence
        .iter()
        .filter(|r| !r.failures.is_empty())
        .map(|r| (r.id, &r.failures[..]))
        .collect();
    assert_eq!(
        failed,
        vec![(2, &[FailureEvidence::Rollback { deployment: 4 }][..])]
    );
    assert_eq!(
        (d.evidence[3].unplanned, d.evidence[4].unplanned),
        (Some(Unplanned::Rollback), Some(Unplanned::Rollback))
    );
}

#[test]
fn a_named_rollback_that_also_redeploys_an_older_commit_fails_both() {
    // Deployment 4 redeploys "a" (an ancestor of deployment 3's "c") and names GitHub deployment
    // 9002: deployment 2's and deployment 3's changes are both gone.
    let mut data = three_deploys();
    let mut rb = deploy(4, 1, "a", T0 + 4 * H);
    rb.payload = r#"{"rollback_of": 9002}"#.into();
    data.deployments.push(rb);
    let d = run(&data, T0, T0 + D);
    let failed: Vec<i64> = d
        .evidence
        .iter()
        .filter(|r| !r.failures.is_empty())
        .map(|r| r.id)
        .collect();
    assert_eq!(failed, vec![2, 3]);
    assert_eq!(
        d.evidence[1].failures,
        vec![FailureEvidence::Rollback { deployment: 4 }],
        "one piece of evidence per rollback"
    );
}

#[test]
fn reverts_and_hotfixes_point_at_what_they_fix() {
    let mut data = three_deploys();
    data.commits.push(commit(1, "r", &["c"], T0 + 5 * H));
    data.commits.push(commit(1, "h", &["r"], T0 + 7 * H));
    data.pull_requests
        .push(pr(20, 1, 20, &["b"], Some("b"), Some(T0 + H)));
    let mut revert = pr(40, 1, 40, &["r"], Some("r"), Some(T0 + 5 * H));
    revert.title = "Revert \"PR 20\"".into();
    revert.body = "Reverts org/r1#20".into();
    data.pull_requests.push(revert);
    let mut hotfix = pr(50, 1, 50, &["h"], Some("h"), Some(T0 + 7 * H));
    hotfix.labels = vec!["hotfix".into()];
    data.pull_requests.push(hotfix);
    data.deployments.push(deploy(4, 1, "r", T0 + 6 * H));
    data.deployments.push(deploy(5, 1, "h", T0 + 8 * H));
    let d = run(&data, T0, T0 + D);
    let by_id = |id: i64| d.evidence.iter().find(|r| r.id == id).unwrap();
    assert!(
        matches!(
            by_id(2).failures[..],
            [FailureEvidence::Revert { deployment: 4, .. }]
        ),
        "{:?}",
        by_id(2).failures
    );
    // The hotfix names no PR: the deployment just before it (the revert) is the one it fixes.
    assert!(
        matches!(
            by_id(4).failures[..],
            [FailureEvidence::Hotfix {
                deployment: 5,
                pull_request: Some(50)
            }]
        ),
        "{:?}",
        by_id(4).failures
    );
    assert_eq!(
        (by_id(4).unplanned, by_id(5).unplanned),
        (Some(Unplanned::Revert), Some(Unplanned::Hotfix))
    );
    assert_eq!(d.change_failure_rate.failed, 2);
}

#[test]
fn failed_deploy_jobs_and_other_environments_are_not_deployments() {
    let mut data = three_deploys();
    let mut failed_job = deploy(9, 1, "c", T0 + 3 * H);
    failed_job.succeeded_at = None;
    data.deployments.push(failed_job);
    let mut staging = deploy(10, 1, "c", T0 + 2 * H);
    staging.production = false;
    data.deployments.push(staging);
    assert_eq!(run(&data, T0, T0 + D).deployments, 3);
}

#[test]
fn frequency_and_days_per_week() {
    let mut data = three_deploys(); // three deployments on one day
    data.deployments.push(deploy(4, 1, "c", T0 + 2 * D)); // nothing new, still a deployment
    let d = run(&data, T0, T0 + 14 * D);
    assert!((d.deployment_frequency_per_week - 2.0).abs() < 1e-9);
    assert!((d.deployment_days_per_week - 1.0).abs() < 1e-9);
    assert_eq!(d.weekly.len(), 3);
    assert_eq!(
        (d.weekly[0].deployments, d.weekly[0].deployment_days),
        (4, 2)
    );
}

#[test]
fn negative_lead_times_are_reported_not_hidden() {
    let mut data = linear();
    data.commits[1].authored_at = T0 + 6 * H; // authored after it was deployed (clock skew)
    let d = run(&data, T0, T0 + 12 * H);
    assert!(d.evidence[0].changes.iter().any(|c| c.lead_time_secs < 0));
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("before its start time")),
        "{:?}",
        d.warnings
    );
}

fn lv(per_week: f64, lead: Option<f64>, cfr: Option<f64>, recovery: Option<f64>) -> Levels {
    levels(&LevelInput {
        per_week,
        days_per_week: per_week.min(5.0),
        lead,
        lead_n: 50,
        cfr,
        deployments: 50,
        recovery,
        recovery_n: 10,
    })
}

#[test]
fn levels_only_where_the_definition_allows() {
    let base = LevelInput {
        per_week: 10.0,
        days_per_week: 4.0,
        lead: Some(3600.0),
        lead_n: 40,
        cfr: Some(0.05),
        deployments: 40,
        recovery: Some(1800.0),
        recovery_n: 1,
    };
    // One recovery: no recovery level (a "high" from n=1 says nothing), and it is said why.
    let l = levels(&base);
    assert_eq!(l.recovery_time, None);
    assert_eq!(l.withheld, ["recovery time: n=1, a level needs at least 5"]);
    assert_eq!(l.deployment_frequency, Some("elite"));
    assert_eq!(
        l.overall,
        Some("elite"),
        "the overall is of the levels given"
    );
    // Ten deployments all on one day a week: frequent, but not on demand.
    let bursty = levels(&LevelInput {
        days_per_week: 1.0,
        ..base
    });
    assert_eq!(bursty.deployment_frequency, Some("high"));
    // Nine deployments: no failure rate level.
    let few = levels(&LevelInput {
        deployments: 9,
        lead_n: 4,
        recovery_n: 5,
        ..base
    });
    assert_eq!((few.change_failure_rate, few.lead_time), (None, None));
    assert_eq!(few.recovery_time, Some("elite"));
    assert_eq!(
        few.withheld,
        [
            "lead time: n=4, a level needs at least 5",
            "change failure rate: n=9, a level needs at least 10"
        ]
    );
}

#[test]
fn levels_follow_the_2024_clusters() {
    let levels = |a, b, c, d| lv(a, b, c, d);
    let l = levels(10.0, Some(3.0 * 3600.0), Some(0.04), Some(1800.0));
    assert_eq!((l.year, l.overall), (2024, Some("elite")));
    let l = levels(2.0, Some(2.0 * 86_400.0), Some(0.18), Some(5.0 * 3600.0));
    assert_eq!(
        (
            l.deployment_frequency,
            l.lead_time,
            l.change_failure_rate,
            l.recovery_time
        ),
        (Some("high"), Some("high"), Some("high"), Some("high"))
    );
    assert_eq!(
        levels(2.0, Some(2.0 * 86_400.0), Some(0.09), Some(3.0 * 86_400.0)).overall,
        Some("medium")
    );
    assert_eq!(levels(0.1, None, None, None).overall, Some("low"));
    assert!(levels(0.1, None, None, None).withheld.is_empty());
    let q = quick_check(14.0, Some(30.0 * 60.0), Some(0.16), Some(2.0 * 86_400.0));
    assert_eq!(
        q.deployment_frequency,
        Some("on demand (multiple deploys per day)")
    );
    assert_eq!(q.lead_time, Some("less than one hour"));
    assert_eq!(q.change_failure_rate, Some("16-30%"));
    assert_eq!(q.recovery_time, Some("between one day and one week"));
}

#[test]
fn team_and_repo_scopes_select_deployments() {
    let mut data = three_deploys();
    data.repos.push(repo(2, "web", "site"));
    data.commits.push(commit(2, "w1", &[], T0));
    data.deployments.push(deploy(7, 2, "w1", T0 + H));
    let a = analyse(&data, &DoraOptions::default());
    let team = |t: &str| {
        dora(
            &data,
            &a,
            &Scope {
                since: T0,
                until: T0 + D,
                team: Some(t.into()),
                repo: None,
            },
        )
        .deployments
    };
    assert_eq!((team("core"), team("web"), team("nobody")), (3, 1, 0));
    assert_eq!(
        dora(
            &data,
            &a,
            &Scope {
                since: T0,
                until: T0 + D,
                team: None,
                repo: Some(2)
            }
        )
        .deployments,
        1
    );
}

/// a ← b ← c ← d with 8-hex shas, deployed at 1h, 2h, 3h; "d" (the fix) at 5h.
fn hex_deploys() -> Dataset {
    Dataset {
        repos: vec![repo(1, "core", "api")],
        commits: vec![
            commit(1, "aaaaaaa1", &[], T0),
            commit(1, "bbbbbbb2", &["aaaaaaa1"], T0 + H),
            commit(1, "ccccccc3", &["bbbbbbb2"], T0 + 2 * H),
            commit(1, "ddddddd4", &["ccccccc3"], T0 + 4 * H),
        ],
        deployments: vec![
            deploy(1, 1, "aaaaaaa1", T0 + H),
            deploy(2, 1, "bbbbbbb2", T0 + 2 * H),
            deploy(3, 1, "ccccccc3", T0 + 3 * H),
        ],
        ..Default::default()
    }
}

fn failed_with(d: &Dora) -> Vec<(i64, Vec<&'static str>)> {
    let kind = |f: &FailureEvidence| match f {
        FailureEvidence::IncidentLink { .. } => "incident_link",
        FailureEvidence::Rollback { .. } => "rollback",
        FailureEvidence::Revert { .. } => "revert",
        FailureEvidence::Hotfix { .. } => "hotfix",
        FailureEvidence::IncidentAfter { .. } => "incident_after",
        FailureEvidence::DeployFailed => "deploy_failed",
    };
    d.evidence
        .iter()
        .filter(|r| !r.failures.is_empty())
        .map(|r| (r.id, r.failures.iter().map(kind).collect()))
        .collect()
}

#[test]
fn the_commit_a_note_rolls_back_to_is_not_the_cause() {
    // The demo's incident QD00129 ("Investigating. Rolling back to ce7abc0.") named the good
    // deployment 197 that deployment 206 went back to, and failed it. The note names the target.
    let mut data = hex_deploys();
    let mut inc = incident(1, "api", T0 + 3 * H + 30 * 60, Some(T0 + 5 * H));
    inc.notes
        .push("Investigating. Rolling back to bbbbbbb.".into());
    data.incidents.push(inc);
    data.deployments.push(deploy(4, 1, "bbbbbbb2", T0 + 4 * H));
    let d = run(&data, T0, T0 + D);
    // Deployment 3 failed: rolled back by 4, and the (now unlinked) incident followed it.
    assert_eq!(
        failed_with(&d),
        vec![(3, vec!["rollback", "incident_after"])]
    );
    // Every phrasing of "back to" is a target; other words before a sha name the cause.
    for (note, cause) in [
        ("Rolled back to bbbbbbb2", None),
        ("rollback to  bbbbbbb", None),
        ("REVERTING TO bbbbbbb", None),
        ("Caused by deploy bbbbbbb, rolling back to aaaaaaa", Some(2)),
        ("bbbbbbb: rolling back to it", Some(2)),
        ("feedback to bbbbbbb", Some(2)),
        ("back to bbbbbbb", Some(2)),
        ("rolling back to:bbbbbbb", Some(2)),
        ("(rolling back to bbbbbbb", Some(2)),
        ("roll back,to bbbbbbb", Some(2)),
        ("rolling  back\nto bbbbbbb", None),
    ] {
        let mut data = hex_deploys();
        let mut inc = incident(1, "api", T0 + 3 * H + 30 * 60, None);
        inc.notes.push(note.into());
        data.incidents.push(inc);
        let d = run(&data, T0, T0 + D);
        let linked: Vec<i64> = d
            .evidence
            .iter()
            .filter(|r| {
                r.failures
                    .iter()
                    .any(|f| matches!(f, FailureEvidence::IncidentLink { .. }))
            })
            .map(|r| r.id)
            .collect();
        assert_eq!(linked, cause.into_iter().collect::<Vec<_>>(), "{note:?}");
    }
}

#[test]
fn a_note_naming_a_commit_deployed_only_after_the_incident_links_nothing() {
    // "Fix in ddddddd4" names the fix, deployed after the incident started: not its cause (this
    // used to fall back to the first deployment of the sha, and failed the fix).
    let mut data = hex_deploys();
    let mut inc = incident(1, "api", T0 + 3 * H + 30 * 60, Some(T0 + 6 * H));
    inc.notes.push("Fix in ddddddd4, deploying.".into());
    data.incidents.push(inc);
    data.deployments.push(deploy(4, 1, "ddddddd4", T0 + 5 * H));
    let d = run(&data, T0, T0 + D);
    assert_eq!(failed_with(&d), vec![(3, vec!["incident_after"])]);
    assert_eq!(d.evidence[3].unplanned, Some(Unplanned::IncidentFix));
}

/// The api's three deployments, and a web repository whose deployment 7 an incident on the web
/// service follows by 20 minutes; the incident's note blames the api's deployment 2 by its id.
fn web_incident_naming_the_api() -> Dataset {
    let mut data = three_deploys();
    data.repos.push(repo(2, "web", "web"));
    data.commits.push(commit(2, "w", &[], T0));
    data.deployments
        .push(deploy(7, 2, "w", T0 + 2 * H + 10 * 60));
    let mut inc = incident(1, "web", T0 + 2 * H + 30 * 60, Some(T0 + 3 * H));
    inc.notes
        .push("Started with deployment 9002 of the api".into());
    data.incidents.push(inc);
    data
}

#[test]
fn an_explicit_link_counts_across_services_and_keeps_the_incident_out_of_the_window_rule() {
    // Deployment 2 is blamed, not web's deployment 7 (which the window rule would otherwise).
    let data = web_incident_naming_the_api();
    let d = run(&data, T0, T0 + D);
    let failed: Vec<(i64, &[FailureEvidence])> = d
        .evidence
        .iter()
        .filter(|r| !r.failures.is_empty())
        .map(|r| (r.id, &r.failures[..]))
        .collect();
    assert_eq!(
        failed,
        vec![(
            2,
            &[FailureEvidence::IncidentLink {
                incident: 1,
                incident_ref: "P1".into()
            }][..]
        )]
    );
}

#[test]
fn a_revert_naming_several_pull_requests_fails_every_deployment_that_shipped_one() {
    let mut data = three_deploys();
    data.pull_requests
        .push(pr(10, 1, 1, &[], Some("b"), Some(T0 + H + 30 * 60)));
    data.pull_requests
        .push(pr(11, 1, 2, &[], Some("c"), Some(T0 + 2 * H + 30 * 60)));
    data.commits.push(commit(1, "r", &["c"], T0 + 4 * H));
    let mut revert = pr(12, 1, 3, &[], Some("r"), Some(T0 + 4 * H));
    revert.title = "Revert \"two changes\"".into();
    revert.body = "Reverts #1 and #2.".into();
    data.pull_requests.push(revert);
    data.deployments.push(deploy(4, 1, "r", T0 + 5 * H));
    let d = run(&data, T0, T0 + D);
    let failed: Vec<i64> = d
        .evidence
        .iter()
        .filter(|r| !r.failures.is_empty())
        .map(|r| r.id)
        .collect();
    assert_eq!(failed, vec![2, 3]);
    assert_eq!(d.evidence[3].unplanned, Some(Unplanned::Revert));
}

#[test]
fn a_hotfix_release_tag_fails_the_release_before_it() {
    let mut data = three_deploys();
    for d in &mut data.deployments {
        d.kind = DeploymentKind::Tag;
        d.description = format!("Release 1.{}.0", d.id);
    }
    data.commits.push(commit(1, "fix", &["c"], T0 + 4 * H));
    let mut fix = deploy(4, 1, "fix", T0 + 5 * H);
    fix.kind = DeploymentKind::Tag;
    fix.description = "Hotfix 1.3.1".into();
    data.deployments.push(fix);
    let d = run(&data, T0, T0 + D);
    assert_eq!(
        d.evidence[2].failures,
        vec![FailureEvidence::Hotfix {
            deployment: 4,
            pull_request: None
        }]
    );
    assert_eq!(d.evidence[3].unplanned, Some(Unplanned::Hotfix));
    assert_eq!(d.evidence[2].recovery_secs, Some(2 * H));
}

#[test]
fn a_scope_lists_its_repositories_ascending() {
    let data = Dataset {
        repos: vec![
            repo(7, "core", "api"),
            repo(2, "core", "web"),
            repo(5, "ops", "infra"),
        ],
        ..Default::default()
    };
    let s = |team: Option<&str>, repo: Option<i64>| Scope {
        team: team.map(str::to_string),
        repo,
        ..scope(0, 1)
    };
    assert_eq!(s(None, None).repo_ids(&data), None, "every repository");
    assert_eq!(s(Some("core"), None).repo_ids(&data), Some(vec![2, 7]));
    assert_eq!(s(None, Some(5)).repo_ids(&data), Some(vec![5]));
    assert_eq!(s(Some("core"), Some(7)).repo_ids(&data), Some(vec![7]));
    assert_eq!(
        s(Some("core"), Some(5)).repo_ids(&data),
        Some(vec![]),
        "the repository is not the team's"
    );
    assert_eq!(s(Some("nobody"), None).repo_ids(&data), Some(vec![]));
}

#[test]
fn a_repository_analysed_alone_beside_the_others_deployments_agrees_with_the_whole() {
    // Web analysed alone (as a cache re-analyses the repository a sync wrote) must not blame its
    // deployment 7 by the window rule, as the analysis of everything does not.
    let data = web_incident_naming_the_api();
    let opts = DoraOptions::default();
    let whole = analyse(&data, &opts);
    // (Records compare by their debug form: they hold floats.)
    let of_web = |a: &Analysis| -> Vec<String> {
        a.records
            .iter()
            .filter(|r| r.repo == 2)
            .map(|r| format!("{r:?}"))
            .collect()
    };
    let failed = |a: &Analysis| {
        a.records
            .iter()
            .any(|r| r.repo == 2 && !r.failures.is_empty())
    };
    let web = Dataset {
        repos: data.repos.clone(),
        commits: data
            .commits
            .iter()
            .filter(|c| c.repo == 2)
            .cloned()
            .collect(),
        deployments: data
            .deployments
            .iter()
            .filter(|d| d.repo == 2)
            .cloned()
            .collect(),
        incidents: data.incidents.clone(),
        ..Default::default()
    };
    let others: Vec<&Deployment> = data.deployments.iter().filter(|d| d.repo != 2).collect();
    let beside = analyse_beside(&web, &others, &opts);
    assert_eq!(of_web(&beside), of_web(&whole));
    assert!(!failed(&whole));
    // Alone, without the others' deployments, the window rule would blame deployment 7.
    assert!(failed(&analyse(&web, &opts)));
}

/// A deploy workflow run: `Ok(at)` succeeded at `at`, `Err(at)` failed at `at`, `None` concluded
/// otherwise (cancelled, skipped: the loader sets neither time).
fn workflow_run(id: i64, sha: &str, end: Option<Result<Ts, Ts>>) -> Deployment {
    let mut d = deploy(id, 1, sha, T0);
    d.kind = DeploymentKind::WorkflowRun;
    d.succeeded_at = end.and_then(|e| e.ok());
    d.failed_at = end.and_then(|e| e.err());
    d
}

fn three_commits() -> Vec<crate::data::Commit> {
    vec![
        commit(1, "c1", &[], T0),
        commit(1, "c2", &["c1"], T0 + H),
        commit(1, "c3", &["c2"], T0 + 2 * H),
    ]
}

#[test]
fn workflow_runs_success_failure_cancelled_are_two_deployments_one_failed() {
    // Runs of the deploy workflow: success at c1 (2h), failure at c2 (4h), cancelled at c3.
    let data = Dataset {
        repos: vec![repo(1, "core", "api")],
        commits: three_commits(),
        deployments: vec![
            workflow_run(1, "c1", Some(Ok(T0 + 2 * H))),
            workflow_run(2, "c2", Some(Err(T0 + 4 * H))),
            workflow_run(3, "c3", None),
        ],
        ..Default::default()
    };
    let d = run(&data, T0, T0 + D);
    assert_eq!(d.deployments, 2);
    assert_eq!(
        d.change_failure_rate,
        FailureRate {
            value: Some(0.5),
            failed: 1,
            total: 2
        }
    );
    let failed = d.evidence.iter().find(|r| r.id == 2).unwrap();
    assert_eq!(failed.failures, vec![FailureEvidence::DeployFailed]);
    assert_eq!(failed.at, T0 + 4 * H);
    // The failed run shipped nothing: lead time is c1's only, 2h from its author time to run 1.
    assert!(failed.changes.is_empty() && failed.pull_requests.is_empty());
    assert_eq!(d.lead_time_seconds.n, 1);
    assert_eq!(d.lead_time_seconds.median, Some(2.0 * H as f64));
    // Nothing succeeded after it: not recovered.
    assert_eq!(d.unrecovered, vec![2]);
    assert_eq!(d.recovery_time_seconds.n, 0);
}

#[test]
fn a_failed_runs_commits_ship_with_the_next_success_which_recovers_it() {
    let data = Dataset {
        repos: vec![repo(1, "core", "api")],
        commits: three_commits(),
        deployments: vec![
            workflow_run(1, "c1", Some(Ok(T0 + 2 * H))),
            workflow_run(2, "c2", Some(Err(T0 + 4 * H))),
            workflow_run(3, "c3", None),
            workflow_run(4, "c3", Some(Ok(T0 + 6 * H))),
        ],
        ..Default::default()
    };
    let d = run(&data, T0, T0 + D);
    assert_eq!(d.deployments, 3);
    assert_eq!(
        (d.change_failure_rate.failed, d.change_failure_rate.total),
        (1, 3)
    );
    // Run 4 ships c3 (6h − 2h = 4h) and c2 (6h − 1h = 5h): lead times 2h, 4h, 5h → median 4h.
    let four = d.evidence.iter().find(|r| r.id == 4).unwrap();
    let mut shipped: Vec<&str> = four.changes.iter().map(|c| c.sha.as_str()).collect();
    shipped.sort_unstable();
    assert_eq!(shipped, ["c2", "c3"]);
    assert_eq!(d.lead_time_seconds.n, 3);
    assert_eq!(d.lead_time_seconds.median, Some(4.0 * H as f64));
    // Recovered when run 4 succeeded, 2h after the failure; run 4 is not rework.
    assert!(d.unrecovered.is_empty());
    assert_eq!(d.recovery_time_seconds.median, Some(2.0 * H as f64));
    assert!(four.failures.is_empty() && four.unplanned.is_none());
}

#[test]
fn a_failed_run_of_an_older_commit_is_not_a_rollback() {
    // Success at c2, then a failed run of c1 (an ancestor): a failed deploy, not a rollback.
    let data = Dataset {
        repos: vec![repo(1, "core", "api")],
        commits: three_commits(),
        deployments: vec![
            workflow_run(1, "c2", Some(Ok(T0 + 2 * H))),
            workflow_run(2, "c1", Some(Err(T0 + 4 * H))),
        ],
        ..Default::default()
    };
    let d = run(&data, T0, T0 + D);
    let by_id = |id| d.evidence.iter().find(|r| r.id == id).unwrap();
    assert!(by_id(1).failures.is_empty());
    assert_eq!(by_id(2).failures, vec![FailureEvidence::DeployFailed]);
    assert_eq!(by_id(2).unplanned, None);
}

#[test]
fn a_workflow_run_titled_hotfix_is_not_a_hotfix_tag() {
    // A run's description is a commit subject: "Hotfix …" there blames nothing (only tags and
    // releases described as hotfixes do).
    let mut hot = workflow_run(2, "c3", Some(Ok(T0 + 4 * H)));
    hot.description = "Hotfix the login page".into();
    let data = Dataset {
        repos: vec![repo(1, "core", "api")],
        commits: three_commits(),
        deployments: vec![workflow_run(1, "c1", Some(Ok(T0 + 2 * H))), hot],
        ..Default::default()
    };
    let d = run(&data, T0, T0 + D);
    assert_eq!(d.change_failure_rate.failed, 0);
    assert!(d.evidence.iter().all(|r| r.unplanned.is_none()));
}
