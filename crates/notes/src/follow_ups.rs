//! Incident follow-ups in the notes: the open tickets carrying one of the follow-up labels (as
//! Bosun's postmortem tickets do), with the incident they came from and their due date, for the
//! 1:1 prep of their assignee and the sprint health of their team.

use crate::fmt;
use crate::input::Input;
use crate::links;
use crate::note::Item;
use bosun_core::model::StatusCategory;
use bosun_core::time::Ts;
use bosun_metrics::data::{Incident, Ticket};

/// An open follow-up ticket.
pub struct FollowUp<'a> {
    /// The ticket.
    pub ticket: &'a Ticket,
    /// The incident it follows up, when a label or its summary names one.
    pub incident: Option<&'a Incident>,
    /// Its due date, when it has one.
    pub due_at: Option<Ts>,
}

impl FollowUp<'_> {
    /// Past its due date at `as_of`.
    pub fn overdue(&self, as_of: Ts) -> bool {
        self.due_at.is_some_and(|d| d < as_of)
    }
}

/// The open follow-ups at `as_of` that `keep` keeps, oldest first.
pub fn open<'a>(input: &Input<'a>, as_of: Ts, keep: impl Fn(&Ticket) -> bool) -> Vec<FollowUp<'a>> {
    let labels = &input.more.followup_labels;
    if labels.is_empty() {
        return Vec::new();
    }
    let data = input.data;
    let mut out: Vec<FollowUp<'a>> = data
        .tickets
        .iter()
        .filter(|t| t.created_at <= as_of && t.status_category != StatusCategory::Done)
        .filter(|t| keep(t))
        .filter_map(|t| {
            let x = input.extra.tickets.get(&t.id)?;
            if !x
                .labels
                .iter()
                .any(|l| labels.iter().any(|f| f.eq_ignore_ascii_case(l)))
            {
                return None;
            }
            // Its incident as the overdue follow-ups signal finds it: a label, else a word of
            // the summary.
            let incident = bosun_signals::incident_candidates(t, x).find_map(|w| {
                data.incidents
                    .iter()
                    .find(|i| i.external_id.eq_ignore_ascii_case(&w))
            });
            Some(FollowUp {
                ticket: t,
                incident,
                due_at: x.due_at,
            })
        })
        .collect();
    out.sort_by_key(|f| (f.ticket.created_at, f.ticket.id));
    out
}

/// A follow-up as a note's line: key, summary, status, the incident, the due date.
pub fn item(
    input: &Input<'_>,
    f: &FollowUp<'_>,
    as_of: Ts,
    offset: i32,
    with_assignee: bool,
) -> Item {
    let t = f.ticket;
    let mut text = format!("{} “{}” ({}", t.key, t.summary.trim(), t.status);
    if let Some(d) = f.due_at {
        let date = fmt::short_date(fmt::local_date(d, offset));
        if f.overdue(as_of) {
            text.push_str(&format!(
                ", was due {date}, {} ago",
                fmt::duration(as_of - d)
            ));
        } else {
            text.push_str(&format!(", due {date}"));
        }
    }
    text.push(')');
    if with_assignee {
        text.push_str(&match t.assignee {
            Some(a) => format!(" — {}", input.name(Some(a))),
            None => " — nobody assigned".to_string(),
        });
    }
    let mut item = Item::new(text).link(links::ticket(input, t));
    if let Some(i) = f.incident {
        item = item.link(links::incident(input, i));
    }
    item
}
