//! PagerDuty payloads → Bosun records.

use super::api;
use bosun_core::model::{Account, Incident, IncidentLogEntry, OnCallShift, Provider, Service};

pub fn user(u: &api::User) -> Account {
    Account {
        provider: Provider::Pagerduty,
        external_id: u.id.clone(),
        login: None,
        display_name: u.name.clone(),
        email: u.email.clone(),
        is_bot: false,
        html_url: u.html_url.clone(),
    }
}

/// A reference to a user becomes an account; references to services and integrations (the
/// system acting) do not.
pub fn agent(r: &api::Reference) -> Option<Account> {
    if r.kind.as_deref().is_some_and(|k| !k.starts_with("user")) {
        return None;
    }
    Some(Account {
        provider: Provider::Pagerduty,
        external_id: r.id.clone(),
        login: None,
        display_name: r.summary.clone(),
        email: None,
        is_bot: false,
        html_url: r.html_url.clone(),
    })
}

pub fn service(s: &api::Service) -> Service {
    Service {
        provider: Provider::Pagerduty,
        external_id: s.id.clone(),
        name: s
            .name
            .clone()
            .or_else(|| s.summary.clone())
            .unwrap_or_else(|| s.id.clone()),
        html_url: s.html_url.clone(),
        escalation_policy: s.escalation_policy.as_ref().map(|p| p.id.clone()),
    }
}

/// An on-call entry; `None` when it names no user.
pub fn on_call(o: &api::OnCall) -> Option<OnCallShift> {
    let user = agent(&o.user)?;
    Some(OnCallShift {
        provider: Provider::Pagerduty,
        user,
        policy: o.escalation_policy.id.clone(),
        policy_name: o.escalation_policy.summary.clone(),
        level: o.escalation_level,
        schedule: o.schedule.as_ref().map(|s| s.id.clone()),
        schedule_name: o.schedule.as_ref().and_then(|s| s.summary.clone()),
        start: o.start.map(|t| t.0),
        end: o.end.map(|t| t.0),
    })
}

pub fn log_entry(e: &api::LogEntry) -> IncidentLogEntry {
    IncidentLogEntry {
        external_id: e.id.clone(),
        kind: e.kind.trim_end_matches("_log_entry").to_string(),
        created_at: e.created_at.0,
        agent: e.agent.as_ref().and_then(agent),
        summary: e
            .channel
            .as_ref()
            .and_then(|c| c.summary.clone())
            .filter(|s| !s.is_empty())
            .or_else(|| e.summary.clone()),
    }
}

/// An incident with its timeline. Acknowledge and resolve times come from the log when the
/// incident itself does not carry them (PagerDuty drops acknowledgements once resolved).
pub fn incident(i: &api::Incident, log: &[api::LogEntry]) -> Incident {
    let mut entries: Vec<IncidentLogEntry> = log.iter().map(log_entry).collect();
    entries.sort_by(|a, b| (a.created_at, &a.external_id).cmp(&(b.created_at, &b.external_id)));
    let first = |kind: &str| {
        entries
            .iter()
            .find(|e| e.kind == kind)
            .map(|e| e.created_at)
    };
    let acknowledged_at = first("acknowledge").or_else(|| {
        i.acknowledgements
            .iter()
            .filter_map(|a| a.at.map(|t| t.0))
            .min()
    });
    let resolved_at = i
        .resolved_at
        .map(|t| t.0)
        .or_else(|| first("resolve"))
        .filter(|_| i.status == "resolved");
    let mut assignees: Vec<(Account, Option<i64>)> = i
        .assignments
        .iter()
        .filter_map(|a| agent(&a.assignee).map(|acc| (acc, a.at.map(|t| t.0))))
        .collect();
    if assignees.is_empty() {
        // Resolved incidents list no assignments: the people who acknowledged or were assigned.
        for e in entries
            .iter()
            .filter(|e| e.kind == "acknowledge" || e.kind == "assign")
        {
            if let Some(a) = &e.agent
                && !assignees
                    .iter()
                    .any(|(x, _)| x.external_id == a.external_id)
            {
                assignees.push((a.clone(), Some(e.created_at)));
            }
        }
    }
    Incident {
        provider: Provider::Pagerduty,
        external_id: i.id.clone(),
        number: i.incident_number,
        title: i.title.clone(),
        status: i.status.clone(),
        urgency: i.urgency.clone(),
        priority: i
            .priority
            .as_ref()
            .and_then(|p| p.summary.clone().or_else(|| p.name.clone())),
        service_external_id: i.service.as_ref().map(|s| s.id.clone()),
        created_at: i.created_at.0,
        acknowledged_at,
        resolved_at,
        html_url: i.html_url.clone(),
        assignees,
        log: entries,
    }
}
