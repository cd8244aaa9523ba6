//! Blockers people mention in chat ("blocked on TIDE-262", "waiting for review on
//! harbor-auth#187"), linked to the ticket or pull request they name. Global: a message in any
//! channel may name any team's work. A mention of work that is already done or merged is not a
//! blocker any more.

use super::suggest_reviewer;
use crate::ctx::{Ctx, is_open};
use crate::input::ChatMessage;
use crate::model::{ActionKind, Evidence, Kind, Severity, Signal, Suggestion, Target};
use crate::text::{Ref, blocker_clauses, refs};
use crate::time::{HOUR, human};
use bosun_core::model::StatusCategory;
use bosun_metrics::data::{PullRequest, Ticket};
use std::collections::{BTreeMap, HashMap, HashSet};

enum Thing<'a> {
    Pull(&'a PullRequest),
    Ticket(&'a Ticket),
}

struct Mention<'a> {
    message: &'a ChatMessage,
    clause: String,
    /// The other references of the clause (what blocks the subject).
    others: Vec<Ref>,
}

pub fn detect(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    let since = cx.as_of - (cx.settings.chat_window_hours * HOUR as f64) as i64;
    let mut found: Vec<(&ChatMessage, String, Vec<Ref>)> = Vec::new();
    for m in &cx.input.extra.messages {
        if m.posted_at <= since || m.posted_at > cx.as_of {
            continue;
        }
        let Some(author) = m.author else { continue };
        if cx.person(author).is_some_and(|p| p.is_bot) {
            continue;
        }
        for clause in blocker_clauses(&m.text, &cx.settings.chat_blocker_phrases) {
            let r = refs(clause);
            if !r.is_empty() {
                found.push((m, clause.trim().to_string(), r));
            }
        }
    }
    if found.is_empty() {
        return;
    }
    // Resolve what the clauses name.
    let keys: HashSet<&str> = found
        .iter()
        .flat_map(|(_, _, r)| r.iter())
        .filter_map(|r| match r {
            Ref::Ticket(k) => Some(k.as_str()),
            Ref::Pull(..) => None,
        })
        .collect();
    let pulls: HashSet<(i64, i64)> = found
        .iter()
        .flat_map(|(_, _, r)| r.iter())
        .filter_map(|r| match r {
            Ref::Pull(repo, n) => cx.repo_by_name.get(repo.as_str()).map(|id| (*id, *n)),
            Ref::Ticket(_) => None,
        })
        .collect();
    let tickets: HashMap<&str, &Ticket> = keys
        .into_iter()
        .filter_map(|k| cx.ticket(k).map(|t| (k, t)))
        .collect();
    let prs: HashMap<(i64, i64), &PullRequest> = pulls
        .into_iter()
        .filter_map(|(r, n)| cx.pull_request(r, n).map(|p| ((r, n), p)))
        .collect();
    let resolve = |r: &Ref| -> Option<Thing<'_>> {
        match r {
            Ref::Ticket(k) => tickets.get(k.as_str()).map(|t| Thing::Ticket(t)),
            Ref::Pull(repo, n) => cx
                .repo_by_name
                .get(repo.as_str())
                .and_then(|id| prs.get(&(*id, *n)))
                .map(|p| Thing::Pull(p)),
        }
    };
    // Group mentions by subject (the first reference of the clause that resolves).
    let mut groups: BTreeMap<String, (Thing<'_>, Vec<Mention<'_>>)> = BTreeMap::new();
    for (m, clause, r) in &found {
        let Some((i, thing)) = r
            .iter()
            .enumerate()
            .find_map(|(i, x)| resolve(x).map(|t| (i, t)))
        else {
            continue;
        };
        let still = match &thing {
            Thing::Pull(p) => is_open(p),
            Thing::Ticket(t) => t.category_at(cx.as_of) != Some(StatusCategory::Done),
        };
        if !still {
            continue;
        }
        let key = match &thing {
            Thing::Pull(p) => format!("pull_request:{}", cx.pr_ref(p)),
            Thing::Ticket(t) => format!("ticket:{}", t.key),
        };
        let others: Vec<Ref> = r
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, x)| x.clone())
            .collect();
        groups
            .entry(key)
            .or_insert_with(|| (thing, Vec::new()))
            .1
            .push(Mention {
                message: m,
                clause: clause.clone(),
                others,
            });
    }
    for (_, (thing, mut mentions)) in groups {
        mentions.sort_by_key(|m| (m.message.posted_at, m.message.id));
        let Some(latest) = mentions.last() else {
            continue;
        };
        let first_at = mentions[0].message.posted_at;
        let (subject, team, evidence) = match &thing {
            Thing::Pull(p) => (
                cx.pr_subject(p),
                cx.repo_team(p.repo).map(str::to_string),
                cx.pr_evidence(p),
            ),
            Thing::Ticket(t) => (cx.ticket_subject(t), t.team.clone(), cx.ticket_evidence(t)),
        };
        let mut s = Signal::new(Kind::ChatBlocker, subject, Severity::Medium);
        s.team = team.or_else(|| {
            cx.input
                .extra
                .teams
                .iter()
                .find(|t| t.channels.contains(&latest.message.channel))
                .map(|t| t.key.clone())
        });
        s.person = latest.message.author;
        s.since = Some(first_at);
        let times = if mentions.len() > 1 {
            format!(
                " (mentioned {} times since {})",
                mentions.len(),
                human(cx.as_of - first_at) + " ago"
            )
        } else {
            String::new()
        };
        s.why = format!(
            "{} said in #{} {} ago: \"{}\"{times}.",
            cx.name(latest.message.author),
            latest.message.channel,
            human(cx.as_of - latest.message.posted_at),
            latest.clause
        );
        s.evidence.push(evidence);
        for m in mentions.iter().rev() {
            s.evidence.push(
                Evidence::new(
                    "chat_message",
                    format!("#{} {}", m.message.channel, m.message.ts),
                    format!("{}: {}", cx.name(m.message.author), m.clause),
                )
                .url(m.message.url.as_deref())
                .at(Some(m.message.posted_at)),
            );
        }
        let blocker: Option<&Ticket> = latest.others.iter().find_map(|r| match resolve(r) {
            Some(Thing::Ticket(t))
                if t.assignee.is_some() && t.assignee != latest.message.author =>
            {
                Some(t)
            }
            _ => None,
        });
        if let Some(b) = blocker {
            s.evidence.push(cx.ticket_evidence(b));
        }
        s.suggestion = suggestion(cx, &thing, latest, blocker);
        out.push(s);
    }
}

fn suggestion(
    cx: &Ctx<'_>,
    thing: &Thing<'_>,
    m: &Mention<'_>,
    blocker: Option<&Ticket>,
) -> Option<Suggestion> {
    let author = m.message.author;
    let dm = Suggestion::dm;
    match thing {
        Thing::Pull(p) => {
            if let Some(r) = p.requested.iter().find(|r| Some(**r) != author) {
                Some(dm(
                    *r,
                    format!(
                        "Hi {} — {} mentioned in #{} that they are waiting for your review of {} \"{}\". Could you take a look? {}",
                        cx.first_name(Some(*r)),
                        cx.first_name(author),
                        m.message.channel,
                        cx.pr_short(p),
                        p.title,
                        cx.pr_url(p).unwrap_or_default()
                    ),
                    format!("Slack DM to {}: review {}", cx.name(Some(*r)), cx.pr_short(p)),
                ))
            } else {
                suggest_reviewer(cx, p).map(|r| Suggestion {
                    kind: ActionKind::ReviewerRequest,
                    target: Target {
                        people: vec![r],
                        repo: Some(cx.repo_name(p.repo).to_string()),
                        number: Some(p.number),
                        ..Default::default()
                    },
                    text: format!("Request a review from {} (code owner with the fewest pending reviews).", cx.name(Some(r))),
                    summary: format!("Ask {} to review {}", cx.name(Some(r)), cx.pr_short(p)),
                })
            }
        }
        Thing::Ticket(t) => match blocker.and_then(|b| b.assignee.map(|a| (b, a))) {
            Some((b, owner)) => Some(dm(
                owner,
                format!(
                    "Hi {} — {} is blocked on {} waiting for your {} \"{}\". Is there an ETA I can pass on? {}",
                    cx.first_name(Some(owner)),
                    cx.first_name(author),
                    t.key,
                    b.key,
                    b.summary,
                    cx.ticket_url(b).unwrap_or_default()
                ),
                format!("Slack DM to {}: {} waits for {}", cx.name(Some(owner)), t.key, b.key),
            )),
            None => author.map(|a| {
                dm(
                    a,
                    format!(
                        "Hi {} — I saw you're blocked on {} (\"{}\"). What do you need from me to get it moving?",
                        cx.first_name(Some(a)),
                        t.key,
                        m.clause
                    ),
                    format!("Slack DM to {}: offer help with {}", cx.name(Some(a)), t.key),
                )
            }),
        },
    }
}
