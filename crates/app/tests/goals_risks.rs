//! Goals and the risk register on the synced demo at 2026-11-20 (issue 20.1 and 20.5), against
//! the generator's ground truth: every demo goal counts exactly the stories of its epics (or the
//! tickets of its label) and how many were done; unaligned work is what no goal links; the
//! register proposes at least four kinds of risk, keeps the manager's decisions and edits through
//! re-evaluation, clears a condition that goes away, and audits all of it.

#[path = "support/demo.rs"]
mod support;

use bosun_app::goals::{GoalInput, GoalStatus, KeyResultInput, Measure};
use bosun_app::risks::{Condition, RiskEdit, RiskKind, RiskStatus};
use std::collections::HashSet;

#[test]
fn goals_and_risks_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let (app, as_of) = support::synced_demo(dir.path());
    let world = support::world(as_of);
    let now = as_of.timestamp();
    let done = |t: &bosun_demo::world::Ticket| t.resolved_at.is_some_and(|r| r <= now);

    // Goals: the demo imported one roadmap per team and the reliability goal.
    let view = app.goals(Some("2026-Q4"), None).unwrap();
    assert_eq!(view.quarter, "2026-Q4");
    assert_eq!(
        view.goals.len(),
        world.org.teams.len() + 1,
        "{:?}",
        view.goals.iter().map(|g| &g.title).collect::<Vec<_>>()
    );
    for g in &view.goals {
        let truth: Vec<&bosun_demo::world::Ticket> = world
            .tickets
            .iter()
            .filter(|t| t.issue_type != "Epic")
            .filter(|t| {
                t.parent.as_ref().is_some_and(|p| g.rules.epics.contains(p))
                    || t.labels.iter().any(|l| g.rules.labels.contains(l))
            })
            .collect();
        assert!(!truth.is_empty(), "{} links work", g.title);
        assert_eq!(g.items_total, truth.len(), "{}", g.title);
        assert_eq!(
            g.items_done,
            truth.iter().filter(|t| done(t)).count(),
            "{}",
            g.title
        );
        let pts: f64 = truth.iter().filter_map(|t| t.story_points).sum();
        assert!((g.points_total - pts).abs() < 1e-9, "{}", g.title);
        assert_eq!(g.work.len(), truth.len());
        // The items key result is the goal's done of all; the metric one starts at its baseline.
        let items = g
            .key_results
            .iter()
            .find(|k| k.measure == Measure::Items)
            .unwrap();
        assert_eq!(items.current, Some(g.items_done as f64));
        assert_eq!(items.total, Some(g.items_total as f64));
        let metric = g
            .key_results
            .iter()
            .find(|k| k.measure == Measure::Metric)
            .unwrap();
        assert!(metric.current.is_some(), "{}: {}", g.title, metric.detail);
        assert_eq!(
            metric.baseline, metric.current,
            "measured when the demo set it"
        );
        let p = g.progress.unwrap();
        assert!((0.0..=1.0).contains(&p));
    }
    // The roadmap of the team with the most epic work left is due 18 days after the demo's day,
    // which its pace does not make.
    let release = (as_of + chrono::Duration::days(bosun_demo::goals::RELEASE_AFTER_DAYS))
        .date_naive()
        .to_string();
    let harbor = view.goals.iter().find(|g| g.due == release).unwrap();
    assert!(harbor.team.is_some());
    assert_eq!(harbor.status, GoalStatus::OffTrack, "{harbor:#?}");
    assert!(harbor.items_done < harbor.items_total);
    assert!(!harbor.epics.is_empty());
    assert!(
        harbor.pull_requests > 0,
        "pull requests reach goals through their tickets"
    );
    // Unaligned work: each team's tickets done this quarter that no goal links.
    let q4 = chrono::NaiveDate::from_ymd_opt(2026, 10, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    for u in &view.unaligned {
        let team = u.team.as_deref().unwrap();
        let finished: Vec<&bosun_demo::world::Ticket> = world
            .tickets
            .iter()
            .filter(|t| t.team == team && t.issue_type != "Epic")
            .filter(|t| t.resolved_at.is_some_and(|r| r >= q4 && r <= now))
            .collect();
        let linked = |t: &&bosun_demo::world::Ticket| {
            view.goals.iter().any(|g| {
                t.parent.as_ref().is_some_and(|p| g.rules.epics.contains(p))
                    || t.labels.iter().any(|l| g.rules.labels.contains(l))
            })
        };
        assert_eq!(u.finished, finished.len(), "{team}");
        assert_eq!(
            u.unaligned,
            finished.iter().filter(|t| !linked(t)).count(),
            "{team}"
        );
        assert!(u.unaligned > 0 && u.unaligned < u.finished, "{team}: {u:?}");
    }

    // The risk register: proposals from four kinds of evidence at least, none in it yet. The
    // demo plants time off for a key person of its default (six-month) world; this two-month one
    // has other key people, so the one who finished most of a team's tickets in the last 90 days
    // takes two days off in the last week of the team's next sprint (23 Nov – 7 Dec).
    let since = now - 90 * 86_400;
    let mut finished: std::collections::HashMap<(&str, usize), usize> = Default::default();
    let mut team_total: std::collections::HashMap<&str, usize> = Default::default();
    for t in world.tickets.iter().filter(|t| t.issue_type != "Epic") {
        if t.resolved_at.is_some_and(|r| r > since && r <= now) {
            *team_total.entry(t.team.as_str()).or_default() += 1;
            if let Some(a) = t.assignee {
                *finished.entry((t.team.as_str(), a)).or_default() += 1;
            }
        }
    }
    let ((team, who), n) = finished
        .iter()
        .filter(|((team, _), _)| *team == "lighthouse")
        .max_by_key(|(k, n)| (**n, std::cmp::Reverse(k.1)))
        .unwrap();
    assert!(*n as f64 / team_total[team] as f64 >= bosun_app::risks::KEY_PERSON_SHARE);
    let key = &world.org.people[*who];
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    app.add_time_off(&key.email, day("2026-12-01"), day("2026-12-02"))
        .unwrap();
    let risks = app.risks().unwrap();
    let kinds: HashSet<RiskKind> = risks.risks.iter().map(|r| r.kind).collect();
    for k in [
        RiskKind::GoalLate,
        RiskKind::OverdueFollowUps,
        RiskKind::SprintMisses,
        RiskKind::KeyPersonAway,
    ] {
        assert!(kinds.contains(&k), "{k:?} proposed: {kinds:?}");
    }
    assert!(risks.risks.iter().all(|r| r.status == RiskStatus::Proposed));
    assert_eq!(
        risks.changes.len(),
        risks.risks.len(),
        "every proposal is new"
    );
    let away = risks
        .risks
        .iter()
        .find(|r| r.kind == RiskKind::KeyPersonAway)
        .unwrap();
    assert!(
        risks.risks.iter().any(|r| r.kind == RiskKind::KeyPersonAway
            && r.title == format!("{} is away in the last week of the next sprint", key.name)),
        "{:?}",
        risks.risks.iter().map(|r| &r.title).collect::<Vec<_>>()
    );
    assert!(away.evidence.iter().any(|e| e.kind == "time_off"));
    let late = risks
        .risks
        .iter()
        .find(|r| r.kind == RiskKind::GoalLate && r.subject == format!("goal:{}", harbor.id))
        .unwrap();
    assert!(
        late.evidence
            .iter()
            .any(|e| e.kind == "ticket" && e.url.is_some())
    );
    assert!(
        risks
            .risks
            .iter()
            .all(|r| !r.evidence.is_empty() && r.owner.is_some())
    );

    // Accept one, dismiss one, edit the accepted one; a re-evaluation changes none of it.
    let follow = risks
        .risks
        .iter()
        .find(|r| r.kind == RiskKind::OverdueFollowUps)
        .unwrap();
    let a = app
        .decide_risk(late.id, RiskStatus::Accepted, None)
        .unwrap();
    assert_eq!(a.status, RiskStatus::Accepted);
    let d = app
        .decide_risk(
            follow.id,
            RiskStatus::Dismissed,
            Some("In the next sprint already"),
        )
        .unwrap();
    assert_eq!(d.note.as_deref(), Some("In the next sprint already"));
    let e = app
        .edit_risk(
            late.id,
            &RiskEdit {
                likelihood: Some(5),
                owner: Some("Kofi".into()),
                review: Some("2026-12-01".into()),
                ..RiskEdit::default()
            },
        )
        .unwrap();
    assert_eq!((e.likelihood, e.score), (5, 20));
    assert!(
        app.edit_risk(
            late.id,
            &RiskEdit {
                impact: Some(9),
                ..RiskEdit::default()
            }
        )
        .is_err()
    );
    let again = app.risks().unwrap();
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    let kept = again.risks.iter().find(|r| r.id == late.id).unwrap();
    assert_eq!(
        (kept.status, kept.likelihood, kept.owner.as_deref()),
        (RiskStatus::Accepted, 5, Some("Kofi"))
    );
    assert_eq!(kept.review.as_deref(), Some("2026-12-01"));
    assert_eq!(
        again.risks[0].id, late.id,
        "the register lists accepted risks first"
    );
    let md = app.risks_markdown().unwrap();
    assert!(
        md.contains(&kept.title) && !md.contains(&follow.title),
        "{md}"
    );

    // The goal goes away: its risk's condition clears (and says so once).
    app.delete_goal(harbor.id).unwrap();
    let after = app.risks().unwrap();
    let cleared = after.risks.iter().find(|r| r.id == late.id).unwrap();
    assert_eq!(cleared.condition, Condition::Cleared);
    assert!(
        after
            .changes
            .iter()
            .any(|c| c == &format!("cleared #{}", late.id)),
        "{:?}",
        after.changes
    );

    // Every decision, edit and proposal is in the audit ledger.
    let store = app.store().unwrap();
    let entries = bosun_store::audit::entries(store.conn(), None).unwrap();
    let has = |action: &str, subject: &str| {
        entries
            .iter()
            .any(|e| e.action == action && e.subject.as_deref() == Some(subject))
    };
    assert!(has("risk.accept", &format!("risk:{}", late.id)));
    assert!(has("risk.dismiss", &format!("risk:{}", follow.id)));
    assert!(has("risk.edit", &format!("risk:{}", late.id)));
    assert!(has("risk.propose", &format!("risk:{}", away.id)));
    assert!(has("risk.cleared", &format!("risk:{}", late.id)));
    assert!(has("goal.delete", &format!("goal:{}", harbor.id)));
    assert!(bosun_store::audit::verify(store.conn()).unwrap().ok);
}

#[test]
fn goals_are_checked_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _) = support::synced_demo(dir.path());
    let before = app.goals(None, None).unwrap().goals.len();
    // A typo'd key, a bad quarter, an unknown team, a metric without a target: each refused
    // with its reason, and nothing of the file written.
    for (text, says) in [
        (
            "[[goals]]\ntitle = \"A\"\nquarter = \"2026-Q4\"\nepic = [\"TIDE-1\"]\n",
            "unknown field `epic`",
        ),
        (
            "[[goals]]\ntitle = \"A\"\nquarter = \"Q4\"\n",
            "is not like 2026-Q4",
        ),
        (
            "[[goals]]\ntitle = \"A\"\nquarter = \"2026-Q4\"\n[[goals]]\ntitle = \"B\"\nquarter = \"2026-Q4\"\nteam = \"nope\"\n",
            "nope",
        ),
        (
            "[[goals]]\ntitle = \"A\"\nquarter = \"2026-Q4\"\n[[goals.key_results]]\ntitle = \"k\"\nmeasure = \"metric\"\nmetric = \"lead_time_days\"\n",
            "target",
        ),
        ("", "no [[goals]]"),
    ] {
        let err = app
            .import_goals_text(text, "goals.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains(says), "{err}");
    }
    assert_eq!(app.goals(None, None).unwrap().goals.len(), before);
    // Added by hand with a label rule and a points key result; importing the same title and
    // quarter replaces it rather than adding another.
    let g = GoalInput {
        title: "Harden the gateway".into(),
        quarter: "2026-q4".into(),
        team: Some("Harbor".into()),
        labels: vec!["dependencies".into()],
        key_results: vec![KeyResultInput {
            title: "Points".into(),
            measure: Measure::Points,
            ..KeyResultInput::default()
        }],
        ..GoalInput::default()
    };
    let id = app.save_goal(&g).unwrap();
    let v = app.goals(Some("2026-Q4"), Some("harbor")).unwrap();
    let saved = v.goals.iter().find(|x| x.id == id).unwrap();
    assert_eq!(saved.quarter, "2026-Q4");
    assert_eq!(saved.team.as_deref(), Some("harbor"));
    assert_eq!(saved.due, "2026-12-31", "the quarter's last day");
    let ids = app
        .import_goals_text(
            "[[goals]]\ntitle = \"Harden the gateway\"\nquarter = \"2026-Q4\"\nteam = \"harbor\"\ncomponents = [\"gateway\"]\n",
            "goals.toml",
        )
        .unwrap();
    assert_eq!(ids, [id]);
    let text = app.goals_file_text().unwrap();
    assert!(text.contains("components = [\"gateway\"]"), "{text}");
    assert!(!text.contains("id ="), "{text}");
}
