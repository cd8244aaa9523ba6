//! The incident view on the synced demo organisation, against what the generator did: which
//! deployment caused each incident (its ground truth), measured as suspect@1 and suspect@3 over
//! every such incident, both where the on-call engineer's note names the deploy and where it does
//! not.

use bosun_app::demo::{self, DemoOptions};
use bosun_app::incidents::{EntryKind, IncidentFilter, OnCallWhen};
use bosun_app::{App, Paths};
use bosun_connectors::events::NullSink;
use bosun_core::clock::FixedClock;
use bosun_core::model::ActionStatus;
use std::collections::HashMap;
use std::sync::Arc;

const AS_OF: &str = "2026-11-20T09:00:00Z";

#[test]
#[allow(clippy::print_stderr)] // the figures the closing note reports
fn suspects_find_the_deployment_that_caused_each_demo_incident() {
    let dir = tempfile::tempdir().unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339(AS_OF)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut app = App::new(Paths::in_dir(dir.path()), Arc::new(FixedClock(as_of))).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let report = rt
        .block_on(demo::sync(
            &mut app,
            DemoOptions::default(),
            Arc::new(NullSink),
        ))
        .unwrap();
    assert!(
        report.outcomes.iter().all(|o| o.ok),
        "{:?}",
        report.outcomes
    );
    let world = demo::world(DemoOptions::default(), as_of).unwrap();

    // (incident, the deployment that caused it, whether a note names it)
    let truth: Vec<(String, String, bool)> = world
        .incidents
        .iter()
        .filter_map(|i| {
            let (_, dep) = i.caused_by?;
            let named = i.log.iter().any(|l| l.summary.contains("Caused by deploy"));
            Some((i.id.clone(), dep.to_string(), named))
        })
        .collect();
    assert!(
        truth.len() >= 6,
        "{} incidents with a known cause",
        truth.len()
    );
    let (mut at1, mut at3, mut unnamed, mut unnamed_at1) = (0, 0, 0, 0);
    for (incident, cause, named) in &truth {
        let v = app.incident(incident).unwrap();
        let ids: Vec<&str> = v.suspects.iter().map(|s| s.deployment.as_str()).collect();
        let first = ids.first() == Some(&cause.as_str());
        at1 += usize::from(first);
        at3 += usize::from(ids.iter().take(3).any(|d| d == cause));
        if !named {
            unnamed += 1;
            unnamed_at1 += usize::from(first);
        }
        // Every suspect explains itself and lists what it shipped; the order is by score.
        assert!(
            v.suspects.iter().all(|s| !s.reasons.is_empty()),
            "{incident}"
        );
        assert!(v.suspects.windows(2).all(|w| w[0].score >= w[1].score));
        // The timeline holds the pager's trigger and the cause's deployment, in order.
        assert!(
            v.timeline.iter().any(|e| e.kind == EntryKind::Trigger),
            "{incident}"
        );
        assert!(
            v.timeline.iter().any(|e| e.kind == EntryKind::Deployment),
            "{incident}: {:#?}",
            v.timeline
        );
        assert!(v.timeline.windows(2).all(|w| w[0].at <= w[1].at));
        assert!(
            !v.responders.is_empty(),
            "{incident}: the on-call engineer acted"
        );
        assert!(
            v.drafts.is_empty(),
            "{incident} is resolved: no status update"
        );
    }
    let n = truth.len();
    eprintln!(
        "suspect@1 {at1}/{n} = {:.2}, suspect@3 {at3}/{n} = {:.2}; where no note names the deploy: @1 {unnamed_at1}/{unnamed}",
        at1 as f64 / n as f64,
        at3 as f64 / n as f64
    );
    // Pinned to what this ranking measures on the demo (see the closing note of issue 19).
    assert_eq!(at1, n, "suspect@1");
    assert_eq!(at3, n, "suspect@3");
    assert!(unnamed > 0, "some incidents name no deploy");

    // The open incident: a status update for the channel and for stakeholders, drafts only.
    let open = app
        .incidents(&IncidentFilter {
            open: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    let v = app.incident(&open[0].id).unwrap();
    let audiences: Vec<&str> = v.drafts.iter().map(|d| d.audience).collect();
    assert_eq!(audiences, vec!["channel", "stakeholders"]);
    assert!(v.drafts[0].text.contains(&v.incident.title));
    // By number too.
    let number = open[0].number.unwrap();
    assert_eq!(
        app.incident(&number.to_string()).unwrap().incident.id,
        open[0].id
    );
    assert!(app.incident("no-such-incident").is_err());

    // On call for its service now, as the generator's rota has it: level 1 the engineer whose
    // shift covers now, level 2 the team's manager (always), and who takes level 1 over next.
    let wi = world.incidents.iter().find(|i| i.id == open[0].id).unwrap();
    let team = &world
        .repos
        .iter()
        .find(|r| r.service == wi.service)
        .unwrap()
        .team;
    let now = world.as_of;
    let name = |p: usize| world.org.people[p].name.clone();
    let rota: Vec<_> = world.oncalls.iter().filter(|o| &o.team == team).collect();
    let shift_now = rota
        .iter()
        .find(|o| {
            o.level == 1 && o.start.is_some_and(|s| s <= now) && o.end.is_some_and(|e| e > now)
        })
        .unwrap();
    let shift_next = rota
        .iter()
        .filter(|o| o.level == 1 && o.start.is_some_and(|s| s > now))
        .min_by_key(|o| o.start)
        .unwrap();
    let manager = rota.iter().find(|o| o.level == 2).unwrap();
    let got = |when: OnCallWhen, level: i64| -> Vec<String> {
        v.oncall
            .iter()
            .filter(|o| o.when == when && o.level == level)
            .map(|o| o.name.clone())
            .collect()
    };
    assert_eq!(
        got(OnCallWhen::Now, 1),
        vec![name(shift_now.person)],
        "{:#?}",
        v.oncall
    );
    assert_eq!(got(OnCallWhen::Now, 2), vec![name(manager.person)]);
    assert_eq!(got(OnCallWhen::Next, 1), vec![name(shift_next.person)]);
    assert!(v.oncall_note.is_none());

    // Experts on the service: its repositories' merged pull requests of the last 90 days,
    // counted here from the generator's world (authors twice, each other reviewer once).
    let from = now - bosun_app::incidents::EXPERT_WINDOW_SECS;
    let mut expected: HashMap<String, (u32, u32)> = HashMap::new();
    for r in world.repos.iter().filter(|r| r.service == wi.service) {
        for pr in r
            .pulls
            .iter()
            .filter(|p| p.merged_at.is_some_and(|m| m >= from && m <= now))
        {
            let person = |u: usize| world.users[u].person.filter(|_| !world.users[u].is_bot);
            if let Some(a) = person(pr.author) {
                expected.entry(name(a)).or_default().0 += 1;
            }
            let mut seen = Vec::new();
            for rv in &pr.reviews {
                match person(rv.reviewer) {
                    Some(p) if Some(p) != person(pr.author) && !seen.contains(&p) => {
                        seen.push(p);
                        expected.entry(name(p)).or_default().1 += 1;
                    }
                    _ => {}
                }
            }
        }
    }
    let score = |(a, r): (u32, u32)| 2 * a + r;
    let best = expected.values().copied().map(score).max().unwrap();
    let code: Vec<_> = v
        .experts
        .iter()
        .filter(|e| e.authored + e.reviewed > 0)
        .collect();
    assert!(!code.is_empty(), "{:#?}", v.experts);
    assert_eq!(score((code[0].authored, code[0].reviewed)), best);
    for e in &code {
        assert_eq!(
            expected.get(&e.name).copied(),
            Some((e.authored, e.reviewed)),
            "{}",
            e.name
        );
        assert!(!e.reasons.is_empty());
    }
    assert!(code.windows(2).all(|w| score((w[0].authored, w[0].reviewed)) >= score((w[1].authored, w[1].reviewed))));

    // The postmortem of an incident a deploy caused: every section, the timeline whole, and the
    // first follow-up owned by the author of the pull request the causing deployment shipped (the
    // generator's truth: the pull merged as the deployed commit).
    let (incident, pull_author) = world
        .incidents
        .iter()
        .filter(|i| i.resolved_at.is_some())
        .find_map(|i| {
            let (r, dep) = i.caused_by?;
            let repo = &world.repos[r];
            let d = repo.deployments.iter().find(|d| d.id == dep)?;
            let pr = repo
                .pulls
                .iter()
                .find(|p| p.merge_commit_sha.as_deref() == Some(d.sha.as_str()))?;
            let author = world.users[pr.author]
                .person
                .filter(|_| !world.users[pr.author].is_bot)?;
            Some((i.id.clone(), name(author)))
        })
        .expect("a resolved incident caused by a person's pull request");
    let pm = app.postmortem(&incident, true).unwrap();
    let view = app.incident(&incident).unwrap();
    for section in [
        "## Summary",
        "## Impact",
        "## Timeline",
        "## Contributing changes",
        "## What went well",
        "## What did not go well",
        "## Follow-up actions",
    ] {
        assert!(
            pm.markdown.contains(section),
            "{section} missing:\n{}",
            pm.markdown
        );
    }
    let timeline = pm.markdown.split("## Timeline").nth(1).unwrap();
    let rows = timeline
        .split("## Contributing changes")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("| 20"))
        .count();
    assert_eq!(rows, view.timeline.len());
    assert_eq!(
        pm.follow_ups[0].owner.as_deref(),
        Some(pull_author.as_str()),
        "{:#?}",
        pm.follow_ups
    );
    let written = std::fs::read_to_string(pm.exported.as_deref().unwrap()).unwrap();
    assert_eq!(written, pm.markdown);

    // Its follow-ups kept for their owners' 1:1s, once.
    let kept = app.keep_follow_ups(&incident).unwrap();
    let owned = pm.follow_ups.iter().filter(|f| f.owner.is_some()).count();
    assert_eq!(kept.added.len(), owned);
    assert_eq!(kept.added[0].owner, pull_author);
    let again = app.keep_follow_ups(&incident).unwrap();
    assert!(again.added.is_empty());
    assert_eq!(again.already, owned);

    // Its follow-ups drafted as Jira tickets (once), each created once in the fake Jira when
    // approved, assigned to its owner and linked back to the incident.
    let t = app.draft_follow_up_tickets(&incident).unwrap();
    assert_eq!(t.drafted.len(), pm.follow_ups.len());
    assert_eq!(t.project, world.org.company.jira_project);
    assert_eq!(
        app.draft_follow_up_tickets(&incident).unwrap().already,
        t.drafted.len()
    );
    for id in &t.drafted {
        let d = rt.block_on(app.approve_action(*id, None)).unwrap();
        assert_eq!(d.action.row.status, ActionStatus::Sent, "{d:#?}");
    }
    for id in &t.drafted {
        assert!(
            rt.block_on(app.approve_action(*id, None)).is_err(),
            "sent once"
        );
    }
    let journal = std::fs::read_to_string(app.demo_fakes_dir().join("jira.jsonl")).unwrap();
    let created: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["kind"] == "issue")
        .collect();
    assert_eq!(created.len(), pm.follow_ups.len(), "{created:#?}");
    for (c, f) in created.iter().zip(&pm.follow_ups) {
        assert_eq!(c["issue"]["fields"]["summary"], f.summary.as_str());
        assert!(
            c["issue"]["fields"]["description"]
                .to_string()
                .contains(&incident)
        );
    }
    assert!(!created[0]["issue"]["fields"]["assignee"]["accountId"].is_null());

    // Linked back to the incident: created, then read back by the next sync, open and assigned
    // to their owners; the owners' 1:1 prep and their team's sprint health list them, and the
    // overdue follow-ups signal flags them once their due date has passed.
    use bosun_app::incident_follow_ups::FollowUpState;
    let keys: Vec<String> = created
        .iter()
        .map(|c| c["key"].as_str().unwrap().to_string())
        .collect();
    // (The demo's own follow-ups of the incident, labelled with its id, are linked too.)
    let ours = |v: Vec<bosun_app::incident_follow_ups::FollowUpTicketView>| {
        v.into_iter()
            .filter(|f| f.action.is_some())
            .collect::<Vec<_>>()
    };
    let linked = ours(app.incident(&incident).unwrap().follow_ups);
    assert_eq!(
        linked
            .iter()
            .map(|f| (f.key.clone().unwrap(), f.state))
            .collect::<Vec<_>>(),
        keys.iter()
            .map(|k| (k.clone(), FollowUpState::Created))
            .collect::<Vec<_>>()
    );
    let again = rt
        .block_on(demo::sync(
            &mut app,
            DemoOptions::default(),
            Arc::new(NullSink),
        ))
        .unwrap();
    assert!(again.outcomes.iter().all(|o| o.ok), "{:?}", again.outcomes);
    let linked = ours(app.incident(&incident).unwrap().follow_ups);
    assert_eq!(linked.len(), pm.follow_ups.len(), "{linked:#?}");
    for (l, f) in linked.iter().zip(&pm.follow_ups) {
        assert_eq!(l.state, FollowUpState::Open, "{l:#?}");
        assert_eq!(l.status.as_deref(), Some("To Do"));
        assert_eq!(l.assignee, f.owner, "{l:#?}");
        assert!(l.due.is_some() && l.action.is_some());
    }
    let owner = pm.follow_ups[0].owner.clone().unwrap();
    let prep = app.one_on_one(&owner).unwrap().to_markdown();
    let section = prep.split("## Incident follow-ups").nth(1).unwrap();
    let section = section.split("\n## ").next().unwrap();
    assert!(section.contains(&keys[0]), "{prep}");
    assert!(section.contains(&incident), "{section}");
    let team = app.incident(&incident).unwrap().incident.team.unwrap();
    let (_, sprint) = app.sprint_report(None, Some(&team)).unwrap();
    let sprint = sprint.to_markdown();
    let section = sprint.split("## Incident follow-ups").nth(1).unwrap();
    assert!(section.contains(&keys[0]), "{sprint}");

    // Incident metrics per service over 90 days, counted again here from the generator's world:
    // incidents started in the window and the one before, the median time to acknowledge, and
    // every incident a deploy caused among those linked to a deployment.
    let days = bosun_app::incident_metrics::DEFAULT_DAYS;
    let m = app.incident_metrics(days, false).unwrap();
    let to = world.as_of;
    let from = to - days * 86_400;
    assert!(!m.groups.is_empty());
    for g in &m.groups {
        let of = |a: i64, b: i64| -> Vec<&bosun_demo::world::Incident> {
            world
                .incidents
                .iter()
                .filter(|i| i.service == g.key && i.created_at >= a && i.created_at < b)
                .collect()
        };
        let now = of(from, to);
        assert_eq!(g.count, now.len(), "{}", g.key);
        assert_eq!(g.previous, of(from - (to - from), from).len(), "{}", g.key);
        let mut ack: Vec<f64> = now
            .iter()
            .filter_map(|i| i.acknowledged_at.map(|a| (a - i.created_at) as f64))
            .collect();
        ack.sort_by(f64::total_cmp);
        assert_eq!(g.acknowledged, ack.len());
        assert_eq!(
            g.acknowledge_median_secs,
            bosun_metrics::stats::quantile(&ack, 0.5),
            "{}",
            g.key
        );
        let caused = now.iter().filter(|i| i.caused_by.is_some()).count();
        assert!(
            g.linked_to_deployment >= caused && g.linked_to_deployment <= g.count,
            "{}: {} linked, {caused} caused",
            g.key,
            g.linked_to_deployment
        );
    }
    let total: usize = m.groups.iter().map(|g| g.count).sum();
    let by_team: usize = app
        .incident_metrics(days, true)
        .unwrap()
        .groups
        .iter()
        .map(|g| g.count)
        .sum();
    assert_eq!(total, by_team);

    // Status updates at the configured cadence (30 min): one draft for the responders' channel
    // now, none again until the next half hour, then a new one that withdraws the older; approved,
    // it is posted in the channel.
    let first = app.draft_status_updates().unwrap();
    assert_eq!(first.len(), 1, "{first:#?}");
    assert_eq!(
        (first[0].incident.as_str(), first[0].channel.as_str()),
        (open[0].id.as_str(), "incidents")
    );
    assert!(
        first[0].text.contains("Next update in 30 min"),
        "{}",
        first[0].text
    );
    assert!(app.draft_status_updates().unwrap().is_empty());
    let later = App::new(
        Paths::in_dir(dir.path()),
        Arc::new(FixedClock(as_of + chrono::Duration::minutes(30))),
    )
    .unwrap();
    let second = later.draft_status_updates().unwrap();
    assert_eq!(second.len(), 1);
    {
        let store = later.store().unwrap();
        let old = bosun_store::actions::get(store.conn(), first[0].action)
            .unwrap()
            .unwrap();
        assert_eq!(old.status, ActionStatus::Withdrawn);
    }
    let sent = rt
        .block_on(later.approve_action(second[0].action, None))
        .unwrap();
    assert_eq!(sent.action.row.status, ActionStatus::Sent, "{sent:#?}");

    // Twenty days on, the follow-ups are past their due date.
    let late = App::new(
        Paths::in_dir(dir.path()),
        Arc::new(FixedClock(as_of + chrono::Duration::days(20))),
    )
    .unwrap();
    let flagged = late.refresh_signals(&[]).unwrap().signals;
    for k in &keys {
        assert!(
            flagged
                .iter()
                .any(|s| s.kind == "incident_followups_overdue" && &s.subject_ref == k),
            "{k} not flagged overdue"
        );
    }
    let prep = late.one_on_one(&owner).unwrap().to_markdown();
    assert!(
        prep.lines()
            .any(|l| l.contains("due date")
                && l.contains(&format!("{} (incident {incident})", keys[0]))),
        "{prep}"
    );
}
