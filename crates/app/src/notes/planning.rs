//! What the 1:1 prep and the sprint health report say about goals and risks (issue 20.6): the
//! goals a person's open work serves or they own, and the risks that name them; the goals a
//! sprint's tickets serve, how much of the sprint serves none, and the team's risks.

use crate::goals::{GoalStatus, GoalView};
use crate::risks::{Condition, RiskStatus, RiskView};
use crate::{App, Result};
use bosun_metrics::data::Dataset;
use bosun_notes::note::{Item, Link, Section};
use std::collections::HashSet;

/// The heading both notes use.
pub const HEADING: &str = "Goals and risks";

/// `2026-12-08` as the notes write dates (`Tue 8 Dec`).
fn due(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map_or_else(|_| iso.to_string(), bosun_notes::fmt::short_date)
}

fn goal_line(g: &GoalView) -> String {
    format!(
        "{} ({}, {}, due {})",
        g.title,
        g.status.words(),
        g.progress
            .map_or("progress unknown".to_string(), |p| format!(
                "{:.0} %",
                p * 100.0
            )),
        due(&g.due)
    )
}

fn risk_item(r: &RiskView) -> Item {
    Item::new(format!(
        "Risk #{} ({}{}, likelihood {} × impact {}): {}",
        r.id,
        r.status.as_str(),
        if r.condition == Condition::Worse {
            ", worse"
        } else {
            ""
        },
        r.likelihood,
        r.impact,
        r.title
    ))
    .link(Link::app(format!("risk #{}", r.id), "risk", r.id))
}

/// Goals still running (not done, or due from today on).
fn live_goals(app: &App, data: &Dataset) -> Result<Vec<GoalView>> {
    let analysis = bosun_metrics::dora::analyse(data, &Default::default());
    let today = bosun_core::time::from_ts(app.now())
        .date_naive()
        .to_string();
    Ok(app
        .goals_of(data, &analysis, None, None)?
        .goals
        .into_iter()
        .filter(|g| g.status != GoalStatus::Done || g.due >= today)
        .collect())
}

/// Risks in play: proposed or accepted, their condition not cleared.
fn live_risks(app: &App) -> Result<Vec<RiskView>> {
    Ok(app
        .stored_risks()?
        .into_iter()
        .filter(|r| r.status != RiskStatus::Dismissed && r.condition != Condition::Cleared)
        .collect())
}

/// For a 1:1 with `person` (`name`): the goals their open tickets serve or they own, and the
/// risks they own or that name them.
pub fn for_person(app: &App, data: &Dataset, person: i64, name: &str) -> Result<Section> {
    let mut s = Section::new(
        HEADING,
        "No goal counts on their open work and no risk names them.",
    );
    let open: HashSet<&str> = data
        .tickets
        .iter()
        .filter(|t| t.assignee == Some(person))
        .map(|t| t.key.as_str())
        .collect();
    for g in live_goals(app, data)? {
        let theirs: Vec<_> = g
            .work
            .iter()
            .filter(|w| !w.done && open.contains(w.key.as_str()))
            .collect();
        let owns = g
            .owner
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case(name));
        if theirs.is_empty() && !owns {
            continue;
        }
        let mut text = goal_line(&g);
        if owns {
            text.push_str(": they own it");
        }
        if !theirs.is_empty() {
            text.push_str(&format!(
                "{} {} of their open tickets serve{} it",
                if owns { ";" } else { ":" },
                theirs.len(),
                if theirs.len() == 1 { "s" } else { "" }
            ));
        }
        let mut item = Item::new(text).link(Link::app("goal", "goal", g.id));
        for w in theirs {
            if let Some(u) = &w.url {
                item = item.link(Link::new(w.key.clone(), u.clone()));
            }
        }
        s = s.item(item);
    }
    for r in live_risks(app)? {
        let named = r
            .owner
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case(name))
            || r.title.contains(name)
            || r.evidence
                .iter()
                .any(|e| e.kind == "person" && e.reference == name);
        if named {
            s = s.item(risk_item(&r));
        }
    }
    Ok(s)
}

/// For a sprint of `team` made of `keys`: the goals its tickets serve, the share that serves
/// none, and the team's risks.
pub fn for_sprint(
    app: &App,
    data: &Dataset,
    team: Option<&str>,
    keys: &HashSet<&str>,
) -> Result<Section> {
    let mut s = Section::new(
        HEADING,
        "No goal links this sprint's tickets and no risk concerns the team.",
    );
    let mut served: HashSet<&str> = HashSet::new();
    let goals = live_goals(app, data)?;
    for g in &goals {
        let here: Vec<_> = g
            .work
            .iter()
            .filter(|w| keys.contains(w.key.as_str()))
            .collect();
        if here.is_empty() {
            continue;
        }
        served.extend(here.iter().map(|w| w.key.as_str()));
        let open = here.iter().filter(|w| !w.done).count();
        s = s.item(
            Item::new(format!(
                "{}: {} of the sprint's tickets serve it ({} not done)",
                goal_line(g),
                here.len(),
                open
            ))
            .link(Link::app("goal", "goal", g.id)),
        );
    }
    if !keys.is_empty() {
        let loose = keys.len() - served.len().min(keys.len());
        s.lead = Some(format!(
            "{} of the sprint's {} tickets serve a goal; {loose} serve{} none.",
            served.len(),
            keys.len(),
            if loose == 1 { "s" } else { "" }
        ));
    }
    for r in live_risks(app)? {
        if team.is_some() && r.team.as_deref() == team {
            s = s.item(risk_item(&r));
        }
    }
    Ok(s)
}
