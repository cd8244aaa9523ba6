//! An incident's summary as a note: what happened and for how long, the pager's timeline (its
//! notes included), the likely cause, who is on it and its follow-ups — every statement linked to
//! its record. Deterministic; optionally rewritten in prose by the configured language model
//! through the notes' polish (redacted for the privacy tier, budgeted, audited, and the
//! deterministic note kept when the answer drops a link, adds one or the call fails).

use crate::incident_follow_ups::FollowUpState;
use crate::incidents::{EntryKind, IncidentView};
use crate::notes::Polished;
use crate::postmortem::{likely, mins, service, short, stamp};
use crate::{App, Result};
use bosun_core::time::{Ts, rfc3339};
use bosun_notes::note::{Item, Link, Note, NoteKind, Section};
use serde::Serialize;

/// At most this many timeline entries in the summary (the pager's own first).
pub const MAX_SUMMARY_TIMELINE: usize = 12;

/// `bosun incident ID --summary`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncidentSummaryNote {
    /// The incident's provider id.
    pub incident: String,
    /// The summary in Markdown: the model's prose when polished, else the deterministic note.
    pub markdown: String,
    /// The deterministic note, in Markdown (what the model was given, before redaction).
    pub deterministic: String,
    pub polished: bool,
    /// Why the deterministic note was kept, when a polish was asked for.
    pub fallback: Option<String>,
    pub model: Option<String>,
    pub tokens: u64,
    /// The `llm.call` audit entry, when a model was called (or refused by the budget).
    pub audit_seq: Option<i64>,
}

fn web(url: Option<&str>) -> Option<&str> {
    url.filter(|u| bosun_core::is_web_url(u))
}

/// The summary of `v` at `now`.
pub fn note(v: &IncidentView, now: Ts) -> Note {
    let i = &v.incident;
    let svc = service(i);
    let incident_link = web(i.url.as_deref()).map(|u| Link::new(format!("incident {}", i.id), u));
    let with_incident = |item: Item| match &incident_link {
        Some(l) => item.link(l.clone()),
        None => item,
    };

    let mut what = Section::new("What happened", "");
    let until = match (&i.resolved_at, i.time_to_resolve_secs) {
        (Some(r), Some(t)) => format!("resolved {} after {}", stamp(r), mins(t)),
        _ => "still open".to_string(),
    };
    what.items.push(with_incident(Item::new(format!(
        "{svc}: “{}” ({} urgency{}), started {}, {until}.",
        i.title,
        i.urgency.as_deref().unwrap_or("unknown"),
        i.priority
            .as_deref()
            .map_or_else(String::new, |p| format!(", {p}")),
        stamp(&i.started_at)
    ))));
    what.items
        .push(with_incident(Item::new(match i.time_to_acknowledge_secs {
            Some(a) => format!("Acknowledged after {}.", mins(a)),
            None => "Not acknowledged yet.".to_string(),
        })));

    let mut timeline = Section::new("Timeline", "Nothing on the pager's log.");
    let pager = |k: EntryKind| {
        !matches!(
            k,
            EntryKind::Deployment | EntryKind::Merge | EntryKind::Chat | EntryKind::Signal
        )
    };
    let cause_sha = likely(v).map(|s| short(&s.sha).to_string());
    let mut picked: Vec<&crate::incidents::TimelineEntry> = v
        .timeline
        .iter()
        .filter(|e| {
            pager(e.kind)
                || (e.kind == EntryKind::Deployment
                    && cause_sha.as_deref().is_some_and(|s| e.text.contains(s)))
        })
        .collect();
    if picked.len() > MAX_SUMMARY_TIMELINE {
        // Keep the first and the last entries: the trigger and how it ended.
        let last = picked.split_off(picked.len() - MAX_SUMMARY_TIMELINE / 2);
        picked.truncate(MAX_SUMMARY_TIMELINE - last.len());
        picked.extend(last);
    }
    for e in picked {
        let mut item = Item::new(format!("{} — {}", stamp(&e.at), e.text.trim()));
        if let Some(u) = web(e.link.as_deref()) {
            item = item.link(Link::new("record", u));
        }
        timeline.items.push(item);
    }

    let mut cause = Section::new(
        "Likely cause",
        "No deployment stands out: nothing named by the incident or shipped just before it.",
    );
    if let Some(s) = likely(v) {
        let mut item = Item::new(format!(
            "{} {} deployed {}: {}.",
            s.repo,
            short(&s.sha),
            stamp(&s.at),
            s.reasons.join("; ")
        ));
        for p in &s.prs {
            if let Some(u) = web(p.url.as_deref()) {
                item = item.link(Link::new(format!("{}#{}", p.repo, p.number), u));
            }
        }
        cause.items.push(item);
        if let Some(r) = &v.rollback_to {
            cause
                .items
                .push(Item::new(format!("Rollback candidate: deployment {r}.")));
        }
    }

    let mut who = Section::new("Who", "");
    who.items.push(Item::new(if v.responders.is_empty() {
        "No responder yet.".to_string()
    } else {
        format!("Responders: {}.", v.responders.join(", "))
    }));
    let now_on: Vec<&str> = v
        .oncall
        .iter()
        .filter(|o| o.when == crate::incidents::OnCallWhen::Now)
        .map(|o| o.name.as_str())
        .collect();
    if !now_on.is_empty() {
        who.items
            .push(Item::new(format!("On call now: {}.", now_on.join(", "))));
    }

    let mut follow = Section::new("Follow-ups", "No follow-up ticket yet.");
    for f in v
        .follow_ups
        .iter()
        .filter(|f| !matches!(f.state, FollowUpState::Dropped | FollowUpState::Failed))
    {
        let state = match f.state {
            FollowUpState::Drafted => "drafted, waiting for approval".to_string(),
            FollowUpState::Queued => "approved".to_string(),
            FollowUpState::Created => "created".to_string(),
            _ => f.status.clone().unwrap_or_else(|| "open".to_string()),
        };
        let mut item = Item::new(format!(
            "{}{} ({state}{})",
            f.key
                .as_deref()
                .map_or_else(String::new, |k| format!("{k} ")),
            f.summary,
            f.assignee
                .as_deref()
                .map_or_else(String::new, |a| format!(", {a}"))
        ));
        if let (Some(k), Some(u)) = (&f.key, web(f.link.as_deref())) {
            item = item.link(Link::new(k.clone(), u));
        }
        follow.items.push(item);
    }

    Note {
        kind: NoteKind::IncidentSummary,
        title: format!("Incident {}: {}", i.id, i.title),
        subtitle: format!(
            "From Bosun's records as of {}; check it before sharing.",
            stamp(&rfc3339(now))
        ),
        sections: vec![what, timeline, cause, who, follow],
    }
}

impl App {
    /// The summary of incident `reference`; rewritten by the configured language model when
    /// `polish` (the deterministic note when the tier, the budget or the answer says no).
    pub async fn incident_summary(
        &self,
        reference: &str,
        polish: bool,
    ) -> Result<IncidentSummaryNote> {
        let view = self.incident(reference)?;
        let n = note(&view, self.now());
        let deterministic = n.to_markdown();
        let p = if polish {
            self.polish(&n).await?
        } else {
            Polished {
                text: deterministic.clone(),
                polished: false,
                fallback: None,
                model: None,
                tokens: 0,
                audit_seq: None,
            }
        };
        Ok(IncidentSummaryNote {
            incident: view.incident.id,
            markdown: p.text,
            deterministic,
            polished: p.polished,
            fallback: p.fallback,
            model: p.model,
            tokens: p.tokens,
            audit_seq: p.audit_seq,
        })
    }
}
