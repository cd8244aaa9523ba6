//! Operations: open incidents and repeated incidents on a service (global), and incident
//! follow-ups past their due date (their ticket's team).

use crate::ctx::Ctx;
use crate::input::TicketExtra;
use crate::model::{ActionKind, Evidence, Kind, Severity, Signal, Subject, Suggestion, Target};
use crate::time::{DAY, date, human};
use bosun_core::model::StatusCategory;
use bosun_metrics::data::{Incident, Ticket};
use std::collections::HashMap;

pub fn detect(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    open_incidents(cx, out);
    repeat_incidents(cx, out);
    followups(cx, out);
}

/// A service hit by incidents of one kind (`bosun_metrics::incident_stats::title_kind`) at least
/// `repeat_incidents` times within the repeat window before now: one signal per service and kind,
/// medium, high from twice the threshold; the incidents are its evidence.
fn repeat_incidents(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    use bosun_metrics::incident_stats::{REPEAT_WINDOW_SECS, title_kind};
    let min = cx.settings.repeat_incidents.max(2);
    let mut groups: std::collections::BTreeMap<(String, String), Vec<&Incident>> =
        std::collections::BTreeMap::new();
    for i in &cx.input.data.incidents {
        // A service nobody mapped in the config has no key: its provider's name groups it, so an
        // unconfigured organisation's repeats are not dropped.
        let Some(service) = i.service.clone().or_else(|| {
            cx.input
                .extra
                .incidents
                .get(&i.id)
                .and_then(|x| x.service_name.clone())
        }) else {
            continue;
        };
        if i.created_at > cx.as_of || i.created_at < cx.as_of - REPEAT_WINDOW_SECS {
            continue;
        }
        groups
            .entry((service, title_kind(&i.title)))
            .or_default()
            .push(i);
    }
    for ((service, kind), mut incidents) in groups {
        if incidents.len() < min {
            continue;
        }
        incidents.sort_by_key(|i| (i.created_at, i.id));
        let latest = incidents[incidents.len() - 1];
        let x = cx.input.extra.incidents.get(&latest.id);
        let service_name = x
            .and_then(|x| x.service_name.clone())
            .unwrap_or_else(|| service.clone());
        let mut s = Signal::new(
            Kind::RepeatIncidents,
            Subject {
                kind: "service".into(),
                reference: format!("{service}:{kind}"),
                title: format!(
                    "{service_name}: \"{}\" {} times",
                    latest.title,
                    incidents.len()
                ),
                url: None,
            },
            if incidents.len() >= 2 * min {
                Severity::High
            } else {
                Severity::Medium
            },
        );
        s.team = x.and_then(|x| x.team.clone());
        s.since = Some(incidents[min - 1].created_at);
        s.why = format!(
            "{} incidents like \"{}\" on {service_name} in the last {}, the latest {} ago: look for a cause not yet fixed.",
            incidents.len(),
            latest.title,
            human(REPEAT_WINDOW_SECS),
            human(cx.as_of - latest.created_at)
        );
        for i in incidents.iter().rev() {
            let xi = cx.input.extra.incidents.get(&i.id);
            s.evidence.push(
                Evidence::new("incident", i.external_id.clone(), i.title.clone())
                    .url(xi.and_then(|x| x.html_url.as_deref()))
                    .at(Some(i.created_at)),
            );
        }
        out.push(s);
    }
}

fn incident_subject(cx: &Ctx<'_>, i: &Incident) -> Subject {
    let x = cx.input.extra.incidents.get(&i.id);
    Subject {
        kind: "incident".into(),
        reference: i.external_id.clone(),
        title: format!(
            "{}{}",
            x.and_then(|x| x.number)
                .map_or(String::new(), |n| format!("#{n} ")),
            i.title
        ),
        url: x.and_then(|x| x.html_url.clone()),
    }
}

fn open_incidents(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    for i in &cx.input.data.incidents {
        let Some(x) = cx.input.extra.incidents.get(&i.id) else {
            continue;
        };
        let open = x.status != "resolved" && i.resolved_at.is_none_or(|r| r > cx.as_of);
        if !open || i.created_at > cx.as_of {
            continue;
        }
        let high = i.urgency.as_deref() == Some("high");
        let mut s = Signal::new(
            Kind::IncidentOpen,
            incident_subject(cx, i),
            if high {
                Severity::High
            } else {
                Severity::Medium
            },
        );
        s.team = x.team.clone();
        s.person = x.assignees.first().copied();
        s.since = Some(i.created_at);
        s.why = format!(
            "{}-urgency incident on {} is {} and has been open for {}{}.",
            if high { "High" } else { "Low" },
            x.service_name
                .as_deref()
                .or(i.service.as_deref())
                .unwrap_or("an unknown service"),
            x.status,
            human(cx.as_of - i.created_at),
            if x.assignees.is_empty() {
                String::new()
            } else {
                format!(
                    "; on it: {}",
                    x.assignees
                        .iter()
                        .map(|p| cx.name(Some(*p)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
        s.evidence.push(
            Evidence::new("incident", i.external_id.clone(), i.title.clone())
                .url(x.html_url.as_deref())
                .at(Some(i.created_at)),
        );
        // Suspects: production deployments of the service in the day before it started.
        let mut repos: Vec<i64> = cx
            .input
            .data
            .repos
            .iter()
            .filter(|r| r.service.is_some() && r.service == i.service)
            .map(|r| r.id)
            .collect();
        repos.sort_unstable();
        let suspects = repos
            .iter()
            .flat_map(|r| cx.repo_deployments(*r))
            .filter(|d| {
                d.production && d.created_at <= i.created_at && d.created_at > i.created_at - DAY
            });
        for d in suspects {
            s.evidence.push(
                Evidence::new(
                    "deployment",
                    d.external_id.clone(),
                    format!(
                        "deployed {} {} before the incident",
                        &d.sha[..d.sha.len().min(7)],
                        human(i.created_at - d.created_at)
                    ),
                )
                .at(Some(d.created_at)),
            );
        }
        out.push(s);
    }
}

/// The words of a follow-up ticket that may name its incident's id, lowercase, in the order they
/// are tried: its labels, then the words of its summary.
pub fn incident_candidates<'a>(
    t: &'a Ticket,
    x: &'a TicketExtra,
) -> impl Iterator<Item = String> + 'a {
    x.labels.iter().map(|l| l.to_lowercase()).chain(
        t.summary
            .split(|c: char| !c.is_ascii_alphanumeric())
            .map(str::to_lowercase),
    )
}

/// A string compared and hashed ignoring ASCII case.
#[derive(Debug, Clone, Copy)]
struct NoCase<'a>(&'a str);

impl PartialEq for NoCase<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for NoCase<'_> {}

impl std::hash::Hash for NoCase<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
        state.write_u8(0xff);
    }
}

/// Follow-ups belong to their ticket's team (the incident only names them).
fn followups(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    let labels = &cx.settings.followup_labels;
    if labels.is_empty() {
        return;
    }
    // By id, ignoring (ASCII) case, without a lower-cased copy of each of the organisation's
    // incident ids: this runs on every evaluation, scoped or not.
    let incidents: HashMap<NoCase<'_>, &Incident> = cx
        .input
        .data
        .incidents
        .iter()
        .map(|i| (NoCase(&i.external_id), i))
        .collect();
    for t in cx.tickets.iter().copied() {
        let Some(x) = cx.input.extra.tickets.get(&t.id) else {
            continue;
        };
        if !x
            .labels
            .iter()
            .any(|l| labels.iter().any(|f| f.eq_ignore_ascii_case(l)))
        {
            continue;
        }
        if t.created_at > cx.as_of
            || t.status_category == StatusCategory::Done
            || t.category_at(cx.as_of) == Some(StatusCategory::Done)
        {
            continue;
        }
        let due = x
            .due_at
            .unwrap_or(t.created_at + (cx.settings.followup_days * DAY as f64) as i64);
        if cx.as_of <= due {
            continue;
        }
        let late = cx.as_of - due;
        let incident = incident_candidates(t, x).find_map(|w| incidents.get(&NoCase(&w)).copied());
        let severity = if late > 14 * DAY {
            Severity::High
        } else {
            Severity::Medium
        };
        let mut s = Signal::new(
            Kind::IncidentFollowupsOverdue,
            cx.ticket_subject(t),
            severity,
        );
        s.team = t.team.clone();
        s.person = t.assignee;
        s.since = Some(due);
        s.why = format!(
            "{} follow-up {} was due {} ({} ago) and is still {}{}.",
            incident.map_or("An incident".to_string(), |i| format!(
                "Incident {}",
                i.external_id
            )),
            t.key,
            date(due),
            human(late),
            t.status,
            if t.assignee.is_some() {
                format!(" ({})", cx.name(t.assignee))
            } else {
                ", with nobody assigned".to_string()
            }
        );
        s.evidence.push(cx.ticket_evidence(t));
        if let Some(i) = incident {
            let ix = cx.input.extra.incidents.get(&i.id);
            s.evidence.push(
                Evidence::new("incident", i.external_id.clone(), i.title.clone())
                    .url(ix.and_then(|x| x.html_url.as_deref()))
                    .at(Some(i.created_at)),
            );
        }
        let mention = t
            .assignee
            .map_or(String::new(), |a| format!("{}, ", cx.first_name(Some(a))));
        s.suggestion = Some(Suggestion {
            kind: ActionKind::TicketComment,
            target: Target {
                people: t.assignee.into_iter().collect(),
                ticket: Some(t.key.clone()),
                ..Default::default()
            },
            text: format!(
                "{mention}this follow-up{} was due on {}. Can we schedule it into the next sprint, or agree a new date?",
                incident.map_or(String::new(), |i| format!(
                    " from incident {}",
                    i.external_id
                )),
                date(due)
            ),
            summary: format!("Comment on {}: overdue follow-up", t.key),
        });
        out.push(s);
    }
}
