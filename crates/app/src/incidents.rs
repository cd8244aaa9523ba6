//! The incident view: one incident with its timeline (the pager's log, deployments and merges to
//! the service's repositories before and during it, chat messages naming it, its signals), the
//! ranked suspect changes with the rollback candidate, the responders, runbook passages cited to
//! the line, and a status update draft while it is open.

use crate::{App, AppError, Result};
use bosun_core::time::{DAY, HOUR, Ts, rfc3339};
use bosun_metrics::data::Dataset;
use bosun_metrics::dora::{self, DoraOptions};
use bosun_metrics::suspects::{self, Reason, Rework, Risk, SuspectOptions};
use bosun_store::incidents::{self as rows, IncidentRow};
use bosun_store::{links, signals as signal_rows};
use serde::Serialize;
use std::collections::HashMap;

/// How long before the start the timeline reaches back (deployments and merges).
pub const TIMELINE_BEFORE_SECS: i64 = DAY;
/// At most this many chat messages on the timeline.
pub const MAX_MENTIONS: usize = 50;
/// At most this many runbook passages.
pub const MAX_RUNBOOK: usize = 3;
/// Experts on the service: pull requests merged to its repositories this long before now.
pub const EXPERT_WINDOW_SECS: i64 = 90 * DAY;
/// At most this many experts from the code, and this many more from the runbook's owners.
pub const MAX_EXPERTS: usize = 5;
/// A suspect is named in the responders' status update from this many points: named by the
/// incident, or deployed within about an hour and a half of the start
/// (`bosun_metrics::suspects` has the points).
pub const LIKELY_SUSPECT_POINTS: f64 = 25.0;

/// An incident as the list shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncidentSummary {
    /// The provider's id (what `bosun incident ID` takes, as does the number).
    pub id: String,
    pub number: Option<i64>,
    pub title: String,
    /// triggered, acknowledged or resolved.
    pub status: String,
    pub urgency: Option<String>,
    pub priority: Option<String>,
    pub service: Option<String>,
    pub service_name: Option<String>,
    pub team: Option<String>,
    pub started_at: String,
    pub acknowledged_at: Option<String>,
    pub resolved_at: Option<String>,
    /// Start to acknowledgement, in seconds.
    pub time_to_acknowledge_secs: Option<i64>,
    /// Start to resolution, in seconds.
    pub time_to_resolve_secs: Option<i64>,
    pub url: Option<String>,
}

/// What a timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Trigger,
    Notify,
    Acknowledge,
    Escalate,
    Reassign,
    Note,
    Resolve,
    /// Another entry of the pager's log.
    Page,
    Deployment,
    Merge,
    Chat,
    Signal,
}

impl EntryKind {
    /// A PagerDuty log entry type (`acknowledge_log_entry`) as a timeline kind.
    pub fn of_log(kind: &str) -> EntryKind {
        match kind.trim_end_matches("_log_entry") {
            "trigger" => EntryKind::Trigger,
            "notify" => EntryKind::Notify,
            "acknowledge" => EntryKind::Acknowledge,
            "escalate" => EntryKind::Escalate,
            "assign" | "reassign" | "delegate" => EntryKind::Reassign,
            "annotate" => EntryKind::Note,
            "resolve" => EntryKind::Resolve,
            _ => EntryKind::Page,
        }
    }
}

/// One moment of an incident.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimelineEntry {
    pub at: String,
    pub kind: EntryKind,
    pub text: String,
    /// The record's page, when there is one.
    pub link: Option<String>,
}

/// A pull request a suspect shipped.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SuspectPr {
    pub repo: String,
    pub number: i64,
    pub title: String,
    pub url: Option<String>,
    /// Who opened it (a person's name; none for bots and unknown authors).
    pub author: Option<String>,
}

/// A suspected deployment, explained.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SuspectView {
    /// The deployment's provider id.
    pub deployment: String,
    pub repo: String,
    pub sha: String,
    pub at: String,
    /// Points (see `bosun_metrics::suspects`).
    pub score: f64,
    /// Why, in words, strongest first.
    pub reasons: Vec<String>,
    /// The same reasons, typed (`bosun_metrics::suspects::Reason`).
    #[cfg_attr(feature = "ts", ts(type = "unknown[]"))]
    pub evidence: Vec<Reason>,
    pub prs: Vec<SuspectPr>,
}

/// A runbook passage for the incident, cited to the line.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunbookPassage {
    /// The indexed folder it is under (for opening it at its lines).
    pub root: String,
    pub file: String,
    pub start_line: i64,
    pub end_line: i64,
    pub heading: String,
    pub text: String,
}

/// A message drafted for people to read (never sent from here: approving and sending go through
/// the actions, like every message).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DraftView {
    /// `status_update`.
    pub kind: &'static str,
    /// `channel` (the responders) or `stakeholders`.
    pub audience: &'static str,
    pub text: String,
}

/// Whether an on-call shift is the current one or the one after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum OnCallWhen {
    Now,
    Next,
}

/// Someone on call for the incident's service.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OnCallView {
    pub when: OnCallWhen,
    /// 1 is paged first.
    pub level: i64,
    pub name: String,
    pub schedule: Option<String>,
    /// None: always.
    pub start: Option<String>,
    /// None: never.
    pub end: Option<String>,
}

/// Someone who knows the service: from its code (recent merged pull requests authored and
/// reviewed) and from its runbook (the cited documents' owners and authors).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServiceExpertView {
    pub name: String,
    pub team: Option<String>,
    /// Merged pull requests to the service's repositories they authored in the window.
    pub authored: u32,
    /// Others' merged pull requests there they reviewed in the window.
    pub reviewed: u32,
    /// Why, in words: "authored 4 merged pull requests … in the last 90 days", "owner of …".
    pub reasons: Vec<String>,
    /// The runbook documents they own, wrote or changed (paths in their folder).
    pub documents: Vec<String>,
}

/// `bosun incident ID`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncidentView {
    pub incident: IncidentSummary,
    /// Oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Most likely first.
    pub suspects: Vec<SuspectView>,
    /// The deployment to roll back to (provider id): the latest earlier one of the first
    /// suspect's repository that nothing judged failed.
    pub rollback_to: Option<String>,
    /// Everyone assigned or acting on it so far, in the order they joined.
    pub responders: Vec<String>,
    /// Who is on call for its service now, level by level, and who is next.
    pub oncall: Vec<OnCallView>,
    /// Why nobody is listed on call, when nobody is.
    pub oncall_note: Option<String>,
    /// Who knows the service, most likely first: its code's recent authors and reviewers, then
    /// its runbook's owners.
    pub experts: Vec<ServiceExpertView>,
    pub runbook: Vec<RunbookPassage>,
    /// Why no runbook passage is cited, when none is.
    pub runbook_note: Option<String>,
    pub drafts: Vec<DraftView>,
    /// Its follow-up tickets: synced ones labelled with its id, then the postmortem's drafts not
    /// read back yet.
    pub follow_ups: Vec<crate::incident_follow_ups::FollowUpTicketView>,
}

/// `bosun incident`: every incident, newest first, with optional filters.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub team: Option<String>,
    pub service: Option<String>,
    /// Only those not resolved.
    pub open: bool,
}

fn summary(i: &IncidentRow) -> IncidentSummary {
    IncidentSummary {
        id: i.external_id.clone(),
        number: i.number,
        title: i.title.clone(),
        status: i.status.clone(),
        urgency: i.urgency.clone(),
        priority: i.priority.clone(),
        service: i.service.clone(),
        service_name: i.service_name.clone(),
        team: i.team.clone(),
        started_at: rfc3339(i.created_at),
        acknowledged_at: i.acknowledged_at.map(rfc3339),
        resolved_at: i.resolved_at.map(rfc3339),
        time_to_acknowledge_secs: i.acknowledged_at.map(|a| a - i.created_at),
        time_to_resolve_secs: i.resolved_at.map(|r| r - i.created_at),
        url: i.html_url.clone().filter(|u| bosun_core::is_web_url(u)),
    }
}

impl App {
    /// Every incident, newest first.
    pub fn incidents(&self, filter: &IncidentFilter) -> Result<Vec<IncidentSummary>> {
        let store = self.store()?;
        Ok(rows::list(store.conn())?
            .iter()
            .filter(|i| filter.team.is_none() || i.team == filter.team)
            .filter(|i| filter.service.is_none() || i.service == filter.service)
            .filter(|i| !filter.open || i.resolved_at.is_none())
            .map(summary)
            .collect())
    }

    /// One incident, whole: see [`IncidentView`].
    pub fn incident(&self, reference: &str) -> Result<IncidentView> {
        let store = self.store()?;
        let conn = store.conn();
        let inc = rows::find(conn, reference)?.ok_or_else(|| {
            AppError::NotFound(format!(
                "no incident {reference:?} (its PagerDuty id or number; `bosun incident` lists them)"
            ))
        })?;
        let now = self.now();
        let data = crate::metrics::load(conn)?;
        let analysis = dora::analyse(&data, &DoraOptions::default());
        let web = links::web_links(conn)?;
        let ranked = suspects::suspects(&data, &analysis, inc.id, SuspectOptions::default());
        let names = Names::of(&data, &web);
        let suspects: Vec<SuspectView> = ranked
            .ranked
            .iter()
            .map(|s| SuspectView {
                deployment: s.external_id.clone(),
                repo: names.repo(s.repo),
                sha: s.sha.clone(),
                at: rfc3339(s.at),
                score: s.score,
                reasons: s.reasons.iter().map(|r| names.reason(r)).collect(),
                evidence: s.reasons.clone(),
                prs: s
                    .pull_requests
                    .iter()
                    .filter_map(|id| names.pr(*id))
                    .collect(),
            })
            .collect();
        let rollback_to = ranked
            .rollback_to
            .and_then(|id| data.deployments.iter().find(|d| d.id == id))
            .map(|d| d.external_id.clone());
        let end = inc.resolved_at.unwrap_or(now);
        let mut timeline = Vec::new();
        for l in rows::log(conn, inc.id)? {
            let who = l.agent.map(|a| format!("{a}: ")).unwrap_or_default();
            timeline.push((
                l.at,
                TimelineEntry {
                    at: rfc3339(l.at),
                    kind: EntryKind::of_log(&l.kind),
                    text: format!("{who}{}", l.summary.unwrap_or_else(|| l.kind.clone())),
                    link: inc.html_url.clone().filter(|u| bosun_core::is_web_url(u)),
                },
            ));
        }
        let from = inc.created_at - TIMELINE_BEFORE_SECS;
        let service_repos: Vec<i64> = data
            .repos
            .iter()
            .filter(|r| inc.service.is_some() && r.service == inc.service)
            .map(|r| r.id)
            .collect();
        for r in analysis
            .records
            .iter()
            .filter(|r| service_repos.contains(&r.repo) && r.at >= from && r.at <= end)
        {
            timeline.push((
                r.at,
                TimelineEntry {
                    at: rfc3339(r.at),
                    kind: EntryKind::Deployment,
                    text: format!(
                        "{} deployed {} to production ({} pull request{})",
                        names.repo(r.repo),
                        r.sha.get(..7).unwrap_or(&r.sha),
                        r.pull_requests.len(),
                        if r.pull_requests.len() == 1 { "" } else { "s" }
                    ),
                    link: None,
                },
            ));
        }
        for p in data.pull_requests.iter().filter(|p| {
            service_repos.contains(&p.repo) && p.merged_at.is_some_and(|m| m >= from && m <= end)
        }) {
            let at = p.merged_at.unwrap_or(p.created_at);
            timeline.push((
                at,
                TimelineEntry {
                    at: rfc3339(at),
                    kind: EntryKind::Merge,
                    text: format!("{}#{} merged: {}", names.repo(p.repo), p.number, p.title),
                    link: web.pull_requests.get(&p.id).cloned(),
                },
            ));
        }
        let mut needles: Vec<String> = vec![inc.external_id.clone()];
        if let Some(n) = inc.number {
            needles.push(format!("incident {n}"));
            needles.push(format!("#{n}"));
        }
        let needle_refs: Vec<&str> = needles.iter().map(String::as_str).collect();
        let workspace = bosun_store::meta::get(conn, "slack.workspace_url")?;
        for m in rows::mentions(conn, &needle_refs, inc.created_at - HOUR, end, MAX_MENTIONS)? {
            let who = m.author.map(|a| format!("{a}: ")).unwrap_or_default();
            timeline.push((
                m.posted_at,
                TimelineEntry {
                    at: rfc3339(m.posted_at),
                    kind: EntryKind::Chat,
                    text: format!("#{} {who}{}", m.channel, m.text),
                    link: workspace
                        .as_deref()
                        .map(|w| bosun_store::chat::permalink(w, &m.channel_external_id, &m.ts)),
                },
            ));
        }
        for s in signal_rows::list(conn, &[])?
            .iter()
            .filter(|s| s.subject_kind == "incident" && s.subject_ref == inc.external_id)
        {
            timeline.push((
                s.first_seen_at,
                TimelineEntry {
                    at: rfc3339(s.first_seen_at),
                    kind: EntryKind::Signal,
                    text: format!("signal ({}): {}", s.severity, s.title),
                    link: None,
                },
            ));
        }
        timeline.sort_by_key(|(at, _)| *at);
        let responders = rows::responders(conn, inc.id)?;
        let (oncall, oncall_note) = match &inc.escalation_policy {
            Some(policy) => {
                let (current, next) = rows::on_call(conn, policy, now)?;
                let view = |when: OnCallWhen, r: rows::OnCallRow| OnCallView {
                    when,
                    level: r.level,
                    name: r.name,
                    schedule: r.schedule_name,
                    start: r.start_at.map(rfc3339),
                    end: r.end_at.map(rfc3339),
                };
                let all: Vec<OnCallView> = current
                    .into_iter()
                    .map(|r| view(OnCallWhen::Now, r))
                    .chain(next.into_iter().map(|r| view(OnCallWhen::Next, r)))
                    .collect();
                let note = all.is_empty().then(|| {
                    "no on-call shift synced for its escalation policy (a key that may not read on-calls?)".to_string()
                });
                (all, note)
            }
            None => (
                Vec::new(),
                Some("its service names no escalation policy (not synced from PagerDuty?)".into()),
            ),
        };
        let follow_ups = crate::incident_follow_ups::follow_ups(conn, &inc.external_id, now)?;
        drop(store);
        let (runbook, runbook_note, doc_experts) = self.runbook(&inc);
        let code_experts = bosun_metrics::experts::code_experts(
            &data,
            &service_repos,
            now - EXPERT_WINDOW_SECS,
            now,
            MAX_EXPERTS,
        );
        let experts = experts(&data, &code_experts, doc_experts);
        let view = summary(&inc);
        let drafts = if inc.resolved_at.is_none() {
            status_update_drafts(
                &view,
                &responders,
                suspects.first(),
                now,
                self.config.incidents.update_every_minutes,
            )
        } else {
            Vec::new()
        };
        Ok(IncidentView {
            incident: view,
            timeline: timeline.into_iter().map(|(_, e)| e).collect(),
            suspects,
            rollback_to,
            responders,
            oncall,
            oncall_note,
            experts,
            runbook,
            runbook_note,
            drafts,
            follow_ups,
        })
    }

    /// The docs passages answering "how do I handle this on this service", cited to the line,
    /// and the people the cited documents name as their owners or authors.
    fn runbook(
        &self,
        inc: &IncidentRow,
    ) -> (
        Vec<RunbookPassage>,
        Option<String>,
        Vec<bosun_knowledge::experts::Expert>,
    ) {
        let service = inc
            .service_name
            .clone()
            .or_else(|| inc.service.clone())
            .unwrap_or_default();
        let question = format!("runbook {service} {}", inc.title);
        // Docs only: tickets and pull requests (indexed under `store:` roots) are not runbooks.
        let docs = |a: crate::knowledge::AskView| -> Vec<crate::knowledge::AnswerView> {
            a.answers
                .into_iter()
                .filter(|p| !p.root.starts_with("store:"))
                .take(MAX_RUNBOOK)
                .collect()
        };
        match self
            .ask(&question, 10)
            .map(|a| (a.refusal.clone(), a.experts.clone(), docs(a)))
        {
            Ok((_, experts, passages)) if !passages.is_empty() => (
                passages
                    .into_iter()
                    .map(|p| RunbookPassage {
                        root: p.root,
                        file: p.file,
                        start_line: p.start_line,
                        end_line: p.end_line,
                        heading: p.heading,
                        text: p.text,
                    })
                    .collect(),
                None,
                experts,
            ),
            Ok((refusal, _, _)) => (
                Vec::new(),
                Some(refusal.unwrap_or_else(|| {
                    "no passage of the indexed docs (tickets and pull requests left out) answers it"
                        .into()
                })),
                Vec::new(),
            ),
            Err(e) => (Vec::new(), Some(e.to_string()), Vec::new()),
        }
    }
}

/// The code's experts in words, then the runbook's owners (reasons added to a code expert of the
/// same name, at most [`MAX_EXPERTS`] others).
fn experts(
    data: &Dataset,
    code: &[bosun_metrics::experts::CodeExpert],
    docs: Vec<bosun_knowledge::experts::Expert>,
) -> Vec<ServiceExpertView> {
    let days = EXPERT_WINDOW_SECS / DAY;
    let mut out: Vec<ServiceExpertView> = code
        .iter()
        .filter_map(|e| {
            let p = data.people.iter().find(|p| p.id == e.person)?;
            let mut reasons = Vec::new();
            if e.authored > 0 {
                reasons.push(format!(
                    "authored {} merged pull request{} to the service's repositories in the last {days} days",
                    e.authored,
                    if e.authored == 1 { "" } else { "s" }
                ));
            }
            if e.reviewed > 0 {
                reasons.push(format!(
                    "reviewed {} merged pull request{} there",
                    e.reviewed,
                    if e.reviewed == 1 { "" } else { "s" }
                ));
            }
            Some(ServiceExpertView {
                name: p.name.clone(),
                team: p.team.clone(),
                authored: e.authored,
                reviewed: e.reviewed,
                reasons,
                documents: Vec::new(),
            })
        })
        .collect();
    let from_code = out.len();
    // Only what the runbook itself says: the code half is counted above.
    for d in docs.into_iter().filter(|d| !d.doc_reasons.is_empty()) {
        let name = bosun_identity::normalize_name(&d.name);
        let same = |v: &ServiceExpertView| bosun_identity::normalize_name(&v.name) == name;
        if let Some(v) = out.iter_mut().find(|v| same(v)) {
            v.reasons.extend(d.doc_reasons);
            v.documents.extend(d.documents);
        } else if out.len() < from_code + MAX_EXPERTS {
            out.push(ServiceExpertView {
                name: d.name,
                team: d.team,
                authored: 0,
                reviewed: 0,
                reasons: d.doc_reasons,
                documents: d.documents,
            });
        }
    }
    out
}

/// Names for ids, and reasons in words.
struct Names<'a> {
    repos: HashMap<i64, &'a str>,
    people: HashMap<i64, &'a str>,
    prs: HashMap<i64, &'a bosun_metrics::data::PullRequest>,
    web: &'a links::WebLinks,
}

impl<'a> Names<'a> {
    fn of(data: &'a Dataset, web: &'a links::WebLinks) -> Names<'a> {
        Names {
            repos: data
                .repos
                .iter()
                .map(|r| (r.id, r.full_name.as_str()))
                .collect(),
            people: data
                .people
                .iter()
                .filter(|p| !p.is_bot)
                .map(|p| (p.id, p.name.as_str()))
                .collect(),
            prs: data.pull_requests.iter().map(|p| (p.id, p)).collect(),
            web,
        }
    }

    fn repo(&self, id: i64) -> String {
        self.repos
            .get(&id)
            .map_or_else(|| format!("repository {id}"), |r| r.to_string())
    }

    fn pr(&self, id: i64) -> Option<SuspectPr> {
        let p = self.prs.get(&id)?;
        Some(SuspectPr {
            repo: self.repo(p.repo),
            number: p.number,
            title: p.title.clone(),
            url: self.web.pull_requests.get(&id).cloned(),
            author: p
                .author
                .filter(|_| !p.author_is_bot)
                .and_then(|a| self.people.get(&a))
                .map(|n| n.to_string()),
        })
    }

    fn pr_ref(&self, id: i64) -> String {
        self.pr(id).map_or_else(
            || format!("pull request {id}"),
            |p| format!("{}#{}", p.repo, p.number),
        )
    }

    fn reason(&self, r: &Reason) -> String {
        match r {
            Reason::Named => "the incident names this deployment".into(),
            Reason::Before { minutes } => format!(
                "reached production {} before the incident started",
                crate::incidents::duration(*minutes)
            ),
            Reason::Latest => "the last deployment of its repository before the start".into(),
            Reason::Reworked { how, .. } => match how {
                Rework::Revert => "later reverted".into(),
                Rework::Rollback => "later rolled back".into(),
                Rework::Hotfix => "a hotfix followed it".into(),
            },
            Reason::Size { lines } => format!("{lines} lines changed"),
            Reason::Risky { pull_request, what } => format!(
                "{} looks risky: {}",
                self.pr_ref(*pull_request),
                match what {
                    Risk::Migration => "a migration",
                    Risk::Config => "a configuration change",
                    Risk::Dependency => "a dependency change",
                }
            ),
        }
    }
}

/// `95` minutes → "1 h 35 min".
pub fn duration(minutes: i64) -> String {
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m % 60 == 0 => format!("{} h", m / 60),
        m => format!("{} h {} min", m / 60, m % 60),
    }
}

/// The status update drafts of an open incident: one for the channel of responders, one for
/// stakeholders (no suspect named to them: a guess is not news).
pub(crate) fn status_update_drafts(
    i: &IncidentSummary,
    responders: &[String],
    top: Option<&SuspectView>,
    now: Ts,
    every_minutes: i64,
) -> Vec<DraftView> {
    let next = if every_minutes > 0 {
        format!(" Next update in {}.", duration(every_minutes))
    } else {
        " Next update when there is news.".to_string()
    };
    let service = i
        .service_name
        .as_deref()
        .or(i.service.as_deref())
        .unwrap_or("an unmapped service");
    let started = i.started_at.replace('T', " ").replace('Z', " UTC");
    let since = bosun_core::time::from_ts(now)
        - chrono::DateTime::parse_from_rfc3339(&i.started_at)
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|_| bosun_core::time::from_ts(now));
    let open_for = duration(since.num_minutes().max(0));
    let who = if responders.is_empty() {
        "nobody has acknowledged it yet".to_string()
    } else {
        format!("{} on it", responders.join(", "))
    };
    let state = match i.status.as_str() {
        "acknowledged" => "acknowledged and being worked on",
        _ => "open, not yet acknowledged",
    };
    let mut channel = format!(
        "Status update: {} ({service}). Started {started} ({open_for} ago), {state}; {who}.",
        i.title
    );
    if let Some(s) = top.filter(|s| s.score >= LIKELY_SUSPECT_POINTS) {
        channel.push_str(&format!(
            " Most likely change: {} {} at {} ({}).",
            s.repo,
            s.sha.get(..7).unwrap_or(&s.sha),
            s.at,
            s.reasons.first().cloned().unwrap_or_default()
        ));
    }
    channel.push_str(&next);
    let stakeholders = format!(
        "{service} is degraded: {}. We have been on it since {started} ({open_for}); {state}.{next}",
        i.title
    );
    vec![
        DraftView {
            kind: "status_update",
            audience: "channel",
            text: channel,
        },
        DraftView {
            kind: "status_update",
            audience: "stakeholders",
            text: stakeholders,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_log_kinds_map_to_timeline_kinds() {
        assert_eq!(
            EntryKind::of_log("acknowledge_log_entry"),
            EntryKind::Acknowledge
        );
        assert_eq!(EntryKind::of_log("annotate_log_entry"), EntryKind::Note);
        assert_eq!(EntryKind::of_log("reassign_log_entry"), EntryKind::Reassign);
        assert_eq!(EntryKind::of_log("snooze_log_entry"), EntryKind::Page);
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(5), "5 min");
        assert_eq!(duration(120), "2 h");
        assert_eq!(duration(95), "1 h 35 min");
    }
}
