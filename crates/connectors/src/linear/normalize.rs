//! Linear answers → Bosun records. An issue is a ticket keyed by its identifier (`ENG-123`) in
//! its team's project (the team key); a cycle is a sprint of the team's board (the team id); a
//! workflow state's type is its flow category (`unstarted`/`backlog`/`triage` → todo, `started`
//! → active, or waiting when its name says so, `completed`/`canceled` → done); the history's
//! state, cycle, assignee and estimate changes are the changelog from which status periods and
//! sprint stays are rebuilt, exactly as for Jira.

use super::api;
use crate::jira::history::{self, StatusMap};
use crate::jira::normalize::WorkTypes;
use bosun_core::model::{
    Account, Provider, Sprint, StatusCategory, Ticket, TicketChange, TicketLink, WorkType,
};
use bosun_core::time::{Ts, parse_rfc3339};

pub fn account(u: &api::User) -> Account {
    Account {
        provider: Provider::Linear,
        external_id: u.id.clone(),
        login: u.display_name.clone().filter(|n| !n.is_empty()),
        display_name: u.name.clone().filter(|n| !n.is_empty()),
        email: u.email.clone().filter(|e| !e.is_empty()),
        is_bot: u.app == Some(true),
        html_url: None,
    }
}

/// The Jira-style category key of a Linear state type, for [`StatusMap::add`].
fn category_key(state_type: &str) -> &'static str {
    match state_type {
        "completed" | "canceled" => "done",
        "started" => "indeterminate",
        // triage, backlog, unstarted
        _ => "new",
    }
}

/// Learn a team's states (name → category) for the history's status periods.
pub fn add_states(map: &mut StatusMap, states: &[api::State]) {
    for s in states {
        map.add(&s.name, category_key(&s.kind));
    }
}

/// The flow category of an issue's current state.
pub fn category(map: &StatusMap, state: &api::State) -> StatusCategory {
    map.category_of(&state.name, Some(category_key(&state.kind)))
}

/// A cycle as a sprint of the board named by the team's key (`ENG`, what people see in every
/// issue identifier and write in `[[teams]] boards`): closed once completed, active while `now` is within
/// it, else future (or closed, when it ended without being completed: Linear completes cycles
/// itself, so an ended one is over).
pub fn sprint(c: &api::Cycle, team_key: &str, now: Ts) -> Sprint {
    let (start, end) = (c.starts_at.0, c.ends_at.0);
    let state = if c.completed_at.is_some() || end <= now {
        "closed"
    } else if start <= now {
        "active"
    } else {
        "future"
    };
    Sprint {
        external_id: c.id.clone(),
        board_id: Some(team_key.to_string()),
        name: c
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("Cycle {}", c.number)),
        state: state.into(),
        goal: c.description.clone().filter(|d| !d.trim().is_empty()),
        start_at: Some(start),
        end_at: Some(end),
        complete_at: c.completed_at.map(|t| t.0),
    }
}

/// The changelog of an issue from its history: one change per field a history entry moved.
pub fn changes(history: &[api::History]) -> Vec<TicketChange> {
    let mut out = Vec::new();
    for h in history {
        let mut push = |i: usize,
                        field: &str,
                        from: (Option<String>, Option<String>),
                        to: (Option<String>, Option<String>)| {
            out.push(TicketChange {
                external_id: format!("{}/{i}", h.id),
                author: h.actor.as_ref().map(account),
                created_at: h.created_at.0,
                field: field.into(),
                from_value: from.0,
                from_string: from.1,
                to_value: to.0,
                to_string: to.1,
            });
        };
        // An entry with no state before is the issue getting its first state (at creation or
        // import), not a move: the next move's state before, or the current one, says it.
        if h.from_state.is_some() {
            let s = |st: &Option<api::State>| {
                (
                    st.as_ref().map(|s| s.id.clone()),
                    st.as_ref().map(|s| s.name.clone()),
                )
            };
            push(0, "status", s(&h.from_state), s(&h.to_state));
        }
        if h.from_cycle.is_some() || h.to_cycle.is_some() {
            let c = |c: &Option<api::Id>| (c.as_ref().map(|c| c.id.clone()), None);
            push(1, "Sprint", c(&h.from_cycle), c(&h.to_cycle));
        }
        if h.from_assignee.is_some() || h.to_assignee.is_some() {
            let a = |u: &Option<api::User>| {
                (
                    u.as_ref().map(|u| u.id.clone()),
                    u.as_ref().and_then(|u| u.name.clone()),
                )
            };
            push(2, "assignee", a(&h.from_assignee), a(&h.to_assignee));
        }
        if h.from_estimate != h.to_estimate {
            let e = |v: Option<f64>| (v.map(|v| v.to_string()), v.map(|v| v.to_string()));
            push(3, "Story Points", e(h.from_estimate), e(h.to_estimate));
        }
    }
    out
}

/// A relation in Jira's words: (link type, this direction's phrase).
fn link_type(kind: &str) -> (&'static str, &'static str, &'static str) {
    match kind {
        "blocks" => ("Blocks", "blocks", "is blocked by"),
        "duplicate" => ("Duplicate", "duplicates", "is duplicated by"),
        _ => ("Relates", "relates to", "relates to"),
    }
}

/// The issue's work type: the first of its labels that names one (`Bug`, `Feature`, `Tech
/// Debt`, ...), else other. Linear has no issue types; teams label them.
pub fn work_type(labels: &[String], types: &WorkTypes) -> (Option<String>, WorkType) {
    labels
        .iter()
        .map(|l| (l, types.of(l)))
        .find(|(_, t)| *t != WorkType::Other)
        .map_or((None, WorkType::Other), |(l, t)| (Some(l.clone()), t))
}

/// A date (`2026-11-30`) as the end of that day, UTC; `None` when it is not one.
fn due(date: &str) -> Option<Ts> {
    parse_rfc3339(&format!("{date}T23:59:59Z"))
}

/// An issue with its history as a ticket in `team_key`'s project.
pub fn ticket(
    i: &api::Issue,
    history: &[api::History],
    team_key: &str,
    states: &StatusMap,
    types: &WorkTypes,
) -> Ticket {
    let labels: Vec<String> = i.labels.nodes.iter().map(|l| l.name.clone()).collect();
    let (issue_type, work_type) = work_type(&labels, types);
    let changes = changes(history);
    let current_cycle: Vec<String> = i.cycle.iter().map(|c| c.id.clone()).collect();
    let mut links: Vec<TicketLink> = i
        .relations
        .nodes
        .iter()
        .map(|r| {
            let (kind, out, _) = link_type(&r.kind);
            TicketLink {
                link_type: kind.into(),
                direction: "outward".into(),
                description: Some(out.into()),
                other_key: r.related_issue.identifier.clone(),
            }
        })
        .collect();
    links.extend(i.inverse_relations.nodes.iter().map(|r| {
        let (kind, _, inward) = link_type(&r.kind);
        TicketLink {
            link_type: kind.into(),
            direction: "inward".into(),
            description: Some(inward.into()),
            other_key: r.issue.identifier.clone(),
        }
    }));
    Ticket {
        external_id: i.id.clone(),
        key: i.identifier.clone(),
        project_key: Some(team_key.to_string()),
        summary: i.title.clone(),
        description: i.description.clone().filter(|d| !d.is_empty()),
        issue_type,
        work_type,
        status: Some(i.state.name.clone()),
        status_category: category(states, &i.state),
        priority: i
            .priority_label
            .clone()
            .filter(|_| i.priority.is_some_and(|p| p > 0.0)),
        assignee: i.assignee.as_ref().map(account),
        reporter: i.creator.as_ref().map(account),
        story_points: i.estimate,
        flagged: false,
        labels,
        components: Vec::new(),
        parent_key: i.parent.as_ref().map(|p| p.identifier.clone()),
        created_at: i.created_at.0,
        updated_at: i.updated_at.0,
        resolved_at: i.completed_at.or(i.canceled_at).map(|t| t.0),
        due_at: i.due_date.as_deref().and_then(due),
        html_url: i.url.clone(),
        status_periods: history::status_periods(i.created_at.0, &i.state.name, &changes, states),
        sprint_stays: history::sprint_stays(i.created_at.0, &current_cycle, &changes),
        links,
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(name: &str, kind: &str) -> api::State {
        api::State {
            id: format!("s-{name}"),
            name: name.into(),
            kind: kind.into(),
        }
    }

    fn entry(id: &str, at: Ts, from: Option<api::State>, to: api::State) -> api::History {
        api::History {
            id: id.into(),
            created_at: api::Time(at),
            actor: None,
            from_state: from,
            to_state: Some(to),
            from_cycle: None,
            to_cycle: None,
            from_assignee: None,
            to_assignee: None,
            from_estimate: None,
            to_estimate: None,
        }
    }

    #[test]
    fn a_first_state_with_nothing_before_is_where_the_issue_starts_not_a_move() {
        let (backlog, started, done) = (
            state("Backlog", "backlog"),
            state("In Progress", "started"),
            state("Done", "completed"),
        );
        let history = [
            entry("h1", 100, None, backlog.clone()),
            entry("h2", 200, Some(backlog.clone()), started.clone()),
            entry("h3", 300, Some(started.clone()), done.clone()),
        ];
        let changes = changes(&history);
        assert_eq!(changes.len(), 2, "{changes:?}");
        let mut map = StatusMap::new(&[]);
        add_states(&mut map, &[backlog, started, done]);
        let periods = history::status_periods(100, "Done", &changes, &map);
        let got: Vec<(&str, StatusCategory, Ts, Option<Ts>)> = periods
            .iter()
            .map(|p| (p.status.as_str(), p.category, p.entered_at, p.left_at))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Backlog", StatusCategory::Todo, 100, Some(200)),
                ("In Progress", StatusCategory::Active, 200, Some(300)),
                ("Done", StatusCategory::Done, 300, None),
            ]
        );
    }
}
