//! The postmortem draft of an incident, written from what Bosun holds about it: a summary, the
//! impact (duration, time to acknowledge and resolve, the service), the timeline, the changes
//! that likely contributed, prompts for what went well and what did not (with the evidence
//! Bosun has for each), and follow-up actions with a proposed owner.
//!
//! It is a draft for the manager to edit: shown in the app, exported as Markdown to the notes
//! folder on request. Its follow-ups can be kept as the owners' private 1:1 follow-ups, where the
//! next 1:1 prep shows them and the overdue follow-ups signal tracks them.

use crate::incidents::{
    EntryKind, IncidentSummary, IncidentView, LIKELY_SUSPECT_POINTS, SuspectView, duration,
};
use crate::{App, Result};
use bosun_core::time::Ts;
use serde::Serialize;

/// Acknowledged later than this: the paging gets a follow-up.
pub const SLOW_ACK_SECS: i64 = 15 * 60;
/// Resolved later than this: it counts as long in the prompts.
pub const LONG_RESOLVE_SECS: i64 = 60 * 60;

/// A follow-up action the postmortem proposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FollowUpDraft {
    /// What to do (a ticket's summary).
    pub summary: String,
    /// Why it is proposed: the evidence, in words.
    pub why: String,
    /// Who is proposed to own it (a person's name), when someone fits.
    pub owner: Option<String>,
}

/// `bosun incident ID --postmortem`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PostmortemView {
    pub incident: IncidentSummary,
    /// The whole draft, in Markdown.
    pub markdown: String,
    pub follow_ups: Vec<FollowUpDraft>,
    /// Where the draft was written, when it was exported.
    pub exported: Option<String>,
}

/// A follow-up kept as its owner's private 1:1 note.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeptFollowUp {
    /// The private note's id.
    pub id: i64,
    /// The owner's name.
    pub owner: String,
    pub text: String,
}

/// What keeping the follow-ups did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeptFollowUps {
    /// Follow-ups added to their owners' 1:1 notes.
    pub added: Vec<KeptFollowUp>,
    /// Already kept (an open follow-up with the same text), not added twice.
    pub already: usize,
    /// Without an owner, so not kept (a person to follow up with is needed).
    pub unowned: usize,
}

/// What drafting the follow-ups as tickets did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DraftedTickets {
    /// The new drafts (action ids), waiting for approval in Signals & actions.
    pub drafted: Vec<i64>,
    /// Drafted before (in any status): not drafted twice.
    pub already: usize,
    /// The project the tickets go in.
    pub project: String,
}

/// The idempotency key of a follow-up's ticket: the incident and the follow-up's text, so a
/// follow-up is drafted (and created) once however often the postmortem is drafted.
pub fn ticket_key(incident: &str, f: &FollowUpDraft) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(format!("postmortem\n{incident}\n{}", f.summary).as_bytes());
    let hex: String = d.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("bosun-{hex}")
}

impl App {
    /// Draft each follow-up of the postmortem of `reference` as a Jira ticket in its team's
    /// project, assigned to its owner, linked back to the incident: drafts only, created when
    /// approved (exactly once, like every action). A second call drafts nothing new.
    pub fn draft_follow_up_tickets(&self, reference: &str) -> Result<DraftedTickets> {
        use bosun_signals::{ActionKind, Target};
        let view = self.incident(reference)?;
        let follow_ups = follow_ups(&view);
        let mut store = self.store()?;
        let project =
            bosun_store::planning::team_project(store.conn(), view.incident.team.as_deref())?
                .ok_or_else(|| {
                    crate::AppError::NotFound(
                        "no Jira project to put the follow-ups in (no ticket synced yet)".into(),
                    )
                })?;
        let drafter =
            crate::drafts::Drafter::load(self, store.conn(), bosun_signals::Extra::default())?;
        let i = &view.incident;
        let mut out = DraftedTickets {
            drafted: Vec::new(),
            already: 0,
            project: project.clone(),
        };
        let link = i
            .url
            .as_deref()
            .filter(|u| bosun_core::is_web_url(u))
            .map_or_else(String::new, |u| format!(" ({u})"));
        // Due when the overdue follow-ups signal would call an undated one late.
        let days = self.config.signals.followup_days.max(1.0);
        let due = bosun_core::time::from_ts(self.now() + (days * 86_400.0) as i64)
            .format("%Y-%m-%d")
            .to_string();
        for f in &follow_ups {
            let assignee = match &f.owner {
                Some(o) => Some(crate::notes::resolve_person(store.conn(), o)?.id),
                None => None,
            };
            let target = Target {
                project: Some(project.clone()),
                title: Some(f.summary.clone()),
                assignee,
                labels: follow_up_labels(&self.config.signals.followup_labels, &i.id),
                due: Some(due.clone()),
                ..Target::default()
            };
            let body = format!(
                "Follow-up from the postmortem of incident {} {}{link}.\n\nWhy: {}.{}",
                i.id,
                i.title,
                f.why,
                f.owner
                    .as_deref()
                    .map_or_else(String::new, |o| format!("\nProposed owner: {o}."))
            );
            let summary = format!("Jira ticket in {project}: {}", f.summary);
            let drafted = drafter.write(
                &mut store,
                &crate::drafts::OwnDraft {
                    kind: ActionKind::TicketCreate,
                    target: &target,
                    body: &body,
                    summary: &summary,
                    idempotency_key: &ticket_key(&i.id, f),
                    series: Some(&format!("incident:{}", i.id)),
                    signal_kind: "",
                    audit_action: "postmortem.follow_up_drafted",
                    trace: serde_json::json!({"incident": i.id, "summary": f.summary, "owner": f.owner, "project": project}),
                },
            )?;
            match drafted {
                Some(action) => out.drafted.push(action),
                None => out.already += 1,
            }
        }
        Ok(out)
    }

    /// The postmortem draft of incident `reference`; written to the notes folder when `export`.
    pub fn postmortem(&self, reference: &str, export: bool) -> Result<PostmortemView> {
        let view = self.incident(reference)?;
        let follow_ups = follow_ups(&view);
        let markdown = render(&view, &follow_ups, self.now());
        let exported = if export {
            let path =
                self.export_markdown(&format!("postmortem-{}", view.incident.id), &markdown)?;
            Some(path.display().to_string())
        } else {
            None
        };
        Ok(PostmortemView {
            incident: view.incident,
            markdown,
            follow_ups,
            exported,
        })
    }

    /// Keep the postmortem's owned follow-ups as their owners' private 1:1 follow-ups, once: a
    /// second call adds nothing.
    pub fn keep_follow_ups(&self, reference: &str) -> Result<KeptFollowUps> {
        let view = self.incident(reference)?;
        let mut kept = KeptFollowUps {
            added: Vec::new(),
            already: 0,
            unowned: 0,
        };
        for f in follow_ups(&view) {
            let Some(owner) = &f.owner else {
                kept.unowned += 1;
                continue;
            };
            let text = follow_up_text(&view.incident, &f);
            if self.has_open_follow_up(owner, &text)? {
                kept.already += 1;
                continue;
            }
            let n = self.add_private_note(owner, &text, true)?;
            kept.added.push(KeptFollowUp {
                id: n.note.id,
                owner: n.person_name,
                text: n.note.body,
            });
        }
        Ok(kept)
    }
}

/// The labels a follow-up ticket carries so the overdue follow-ups signal tracks it and it links
/// back to its incident: the first follow-up label the signal looks for, and the incident's id.
pub fn follow_up_labels(followup_labels: &[String], incident: &str) -> Vec<String> {
    followup_labels
        .first()
        .cloned()
        .into_iter()
        .chain(std::iter::once(incident.to_string()))
        .collect()
}

/// A follow-up as its owner's 1:1 note: the action, and the incident it came from.
pub fn follow_up_text(i: &IncidentSummary, f: &FollowUpDraft) -> String {
    format!("{} (postmortem of {} {})", f.summary, i.id, i.title)
}

pub(crate) fn service(i: &IncidentSummary) -> &str {
    i.service_name
        .as_deref()
        .or(i.service.as_deref())
        .unwrap_or("an unmapped service")
}

pub(crate) fn likely(v: &IncidentView) -> Option<&SuspectView> {
    v.suspects
        .first()
        .filter(|s| s.score >= LIKELY_SUSPECT_POINTS)
}

pub(crate) fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

pub(crate) fn mins(secs: i64) -> String {
    duration(secs / 60)
}

/// The follow-ups the evidence supports, most important first.
pub fn follow_ups(v: &IncidentView) -> Vec<FollowUpDraft> {
    let i = &v.incident;
    let svc = service(i);
    let first_responder = v.responders.first().cloned();
    let top_expert = v.experts.first().map(|e| e.name.clone());
    let mut out = Vec::new();
    match likely(v) {
        Some(s) => {
            let pr = s.prs.first();
            let what = pr.map_or_else(
                || format!("{} {}", s.repo, short(&s.sha)),
                |p| format!("{}#{} ({})", p.repo, p.number, p.title),
            );
            out.push(FollowUpDraft {
                summary: format!(
                    "Add a test or check that would have stopped {what} before production"
                ),
                why: format!(
                    "the most likely contributing change: {} {} deployed {}; {}",
                    s.repo,
                    short(&s.sha),
                    stamp(&s.at),
                    s.reasons.first().cloned().unwrap_or_default()
                ),
                owner: pr
                    .and_then(|p| p.author.clone())
                    .or_else(|| top_expert.clone()),
            });
        }
        None if i.time_to_resolve_secs.is_none_or(|t| t > LONG_RESOLVE_SECS) => {
            out.push(FollowUpDraft {
                summary: format!("Find what caused \"{}\" on {svc}", i.title),
                why: "no deployment before it stands out as the cause".into(),
                owner: first_responder.clone().or_else(|| top_expert.clone()),
            });
        }
        None => {}
    }
    if let Some(tta) = i.time_to_acknowledge_secs.filter(|t| *t > SLOW_ACK_SECS) {
        out.push(FollowUpDraft {
            summary: format!(
                "Review the paging of {svc}: why it took {} to acknowledge",
                mins(tta)
            ),
            why: format!(
                "acknowledged after {}, more than {}",
                mins(tta),
                mins(SLOW_ACK_SECS)
            ),
            owner: first_responder.clone(),
        });
    }
    match v.runbook.first() {
        None => out.push(FollowUpDraft {
            summary: format!(
                "Write a runbook for {svc}: what to check when \"{}\"",
                i.title
            ),
            why: "no passage of the team's docs answered it".into(),
            owner: top_expert,
        }),
        Some(r) => out.push(FollowUpDraft {
            summary: format!("Update {} with what this incident taught", r.file),
            why: format!(
                "the runbook cited for it (lines {}-{})",
                r.start_line, r.end_line
            ),
            owner: v
                .experts
                .iter()
                .find(|e| e.documents.contains(&r.file))
                .or(v.experts.first())
                .map(|e| e.name.clone()),
        }),
    }
    out
}

/// A table cell: one line, pipes escaped.
fn cell(s: &str) -> String {
    s.replace('\n', " ").replace('|', "\\|")
}

pub(crate) fn stamp(rfc: &str) -> String {
    rfc.replace('T', " ").replace('Z', " UTC")
}

/// The draft in Markdown.
pub fn render(v: &IncidentView, follow_ups: &[FollowUpDraft], now: Ts) -> String {
    let i = &v.incident;
    let svc = service(i);
    let mut md = String::new();
    let push = |md: &mut String, s: &str| {
        md.push_str(s);
        md.push('\n');
    };
    push(&mut md, &format!("# Postmortem (draft): {}", i.title));
    push(&mut md, "");
    let mut head = format!("{} · {svc}", i.id);
    if let Some(t) = &i.team {
        head.push_str(&format!(" · team {t}"));
    }
    head.push_str(&format!(" · {}", i.status));
    if let Some(u) = i.url.as_deref().filter(|u| bosun_core::is_web_url(u)) {
        head.push_str(&format!(" · [open in PagerDuty]({u})"));
    }
    push(&mut md, &head);
    push(&mut md, "");
    push(
        &mut md,
        &format!(
            "_A draft from Bosun's records ({}): check every line before sharing it._",
            stamp(&bosun_core::time::rfc3339(now))
        ),
    );
    push(&mut md, "");

    push(&mut md, "## Summary");
    push(&mut md, "");
    let until = match (&i.resolved_at, i.time_to_resolve_secs) {
        (Some(r), Some(t)) => format!("until {} ({})", stamp(r), mins(t)),
        _ => "and it is still open".into(),
    };
    let mut summary = format!(
        "{svc} was hit by \"{}\" from {} {until}.",
        i.title,
        stamp(&i.started_at)
    );
    match (i.time_to_acknowledge_secs, v.responders.is_empty()) {
        (Some(t), false) => summary.push_str(&format!(
            " It was acknowledged after {} and handled by {}.",
            mins(t),
            v.responders.join(", ")
        )),
        (Some(t), true) => summary.push_str(&format!(" It was acknowledged after {}.", mins(t))),
        (None, _) => summary.push_str(" Nobody acknowledged it."),
    }
    match likely(v) {
        Some(s) => summary.push_str(&format!(
            " The most likely contributing change is {} {} deployed {} ({}).",
            s.repo,
            short(&s.sha),
            stamp(&s.at),
            s.reasons.join("; ")
        )),
        None => summary.push_str(" No deployment before it stands out as the cause."),
    }
    push(&mut md, &summary);
    push(&mut md, "");

    push(&mut md, "## Impact");
    push(&mut md, "");
    push(&mut md, "| | |");
    push(&mut md, "|---|---|");
    push(&mut md, &format!("| Service | {} |", cell(svc)));
    let urgency = [i.urgency.as_deref(), i.priority.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    if !urgency.is_empty() {
        push(&mut md, &format!("| Urgency | {} |", cell(&urgency)));
    }
    push(&mut md, &format!("| Started | {} |", stamp(&i.started_at)));
    push(
        &mut md,
        &format!(
            "| Time to acknowledge | {} |",
            i.time_to_acknowledge_secs
                .map_or_else(|| "not acknowledged".into(), mins)
        ),
    );
    push(
        &mut md,
        &format!(
            "| Time to resolve | {} |",
            i.time_to_resolve_secs
                .map_or_else(|| "still open".into(), mins)
        ),
    );
    push(
        &mut md,
        &format!(
            "| Responders | {} |",
            if v.responders.is_empty() {
                "none recorded".into()
            } else {
                cell(&v.responders.join(", "))
            }
        ),
    );
    push(&mut md, "");

    push(&mut md, "## Timeline");
    push(&mut md, "");
    push(&mut md, "| Time (UTC) | What | |");
    push(&mut md, "|---|---|---|");
    for e in &v.timeline {
        let text = match &e.link {
            Some(l) => format!("[{}]({l})", cell(&e.text).replace(']', "\\]")),
            None => cell(&e.text),
        };
        push(
            &mut md,
            &format!("| {} | {} | {text} |", stamp(&e.at), kind_word(e.kind)),
        );
    }
    push(&mut md, "");

    push(&mut md, "## Contributing changes");
    push(&mut md, "");
    if v.suspects.is_empty() {
        push(
            &mut md,
            "No production deployment of the service's repositories came before it in the window Bosun looks at.",
        );
    }
    for (n, s) in v.suspects.iter().enumerate() {
        push(
            &mut md,
            &format!(
                "{}. **{}** `{}` deployed {} — {} points{}",
                n + 1,
                s.repo,
                short(&s.sha),
                stamp(&s.at),
                s.score,
                if s.score >= LIKELY_SUSPECT_POINTS {
                    " (likely)"
                } else {
                    ""
                }
            ),
        );
        for r in &s.reasons {
            push(&mut md, &format!("   - {r}"));
        }
        for p in &s.prs {
            let name = format!("{}#{}", p.repo, p.number);
            let link = p
                .url
                .as_deref()
                .map_or_else(|| name.clone(), |u| format!("[{name}]({u})"));
            let by = p
                .author
                .as_deref()
                .map_or_else(String::new, |a| format!(" by {a}"));
            push(&mut md, &format!("   - {link} {}{by}", p.title));
        }
    }
    if let Some(r) = &v.rollback_to {
        push(&mut md, "");
        push(&mut md, &format!("Roll-back candidate: deployment {r}."));
    }
    push(&mut md, "");

    push(&mut md, "## What went well");
    push(&mut md, "");
    let mut well = Vec::new();
    if let Some(t) = i.time_to_acknowledge_secs.filter(|t| *t <= SLOW_ACK_SECS) {
        well.push(format!("Acknowledged within {}.", mins(t)));
    }
    if let Some(r) = v.runbook.first() {
        well.push(format!(
            "A runbook covered it: {} (lines {}-{}). Did it help?",
            r.file, r.start_line, r.end_line
        ));
    }
    if v.rollback_to.is_some() {
        well.push("A known-good deployment was there to roll back to.".into());
    }
    well.push("_What else helped? (tools, people, timing)_".into());
    for w in well {
        push(&mut md, &format!("- {w}"));
    }
    push(&mut md, "");

    push(&mut md, "## What did not go well");
    push(&mut md, "");
    let mut badly = Vec::new();
    if let Some(t) = i.time_to_acknowledge_secs.filter(|t| *t > SLOW_ACK_SECS) {
        badly.push(format!("Acknowledged only after {}.", mins(t)));
    }
    if let Some(t) = i.time_to_resolve_secs.filter(|t| *t > LONG_RESOLVE_SECS) {
        badly.push(format!("It took {} to resolve.", mins(t)));
    }
    if let Some(s) = likely(v) {
        badly.push(format!(
            "A change reached production and likely caused it: {} {}. What would have caught it?",
            s.repo,
            short(&s.sha)
        ));
    }
    if v.runbook.is_empty() {
        badly.push("No runbook passage answered it.".into());
    }
    badly.push("_What slowed the response down?_".into());
    for b in badly {
        push(&mut md, &format!("- {b}"));
    }
    push(&mut md, "");
    push(&mut md, "## Where we got lucky");
    push(&mut md, "");
    push(&mut md, "- _What could have made it worse?_");
    push(&mut md, "");

    push(&mut md, "## Follow-up actions");
    push(&mut md, "");
    for f in follow_ups {
        let owner = f
            .owner
            .as_deref()
            .map_or_else(|| "owner to decide".into(), |o| format!("owner: {o}"));
        push(
            &mut md,
            &format!("- [ ] {} — {owner}. _Why: {}._", f.summary, f.why),
        );
    }
    md
}

fn kind_word(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Trigger => "triggered",
        EntryKind::Notify => "notified",
        EntryKind::Acknowledge => "acknowledged",
        EntryKind::Escalate => "escalated",
        EntryKind::Reassign => "reassigned",
        EntryKind::Note => "note",
        EntryKind::Resolve => "resolved",
        EntryKind::Page => "pager",
        EntryKind::Deployment => "deployment",
        EntryKind::Merge => "merge",
        EntryKind::Chat => "chat",
        EntryKind::Signal => "signal",
    }
}
