//! Signals in the app: the extra records the detectors read ([`load_extra`], beside the metrics
//! [`Dataset`] from [`crate::metrics`]), one evaluation (detectors plus the policy bundle's working
//! agreements), and what it does to the store: the lifecycle (new, still open, escalated,
//! resolved), alerts under the budget and quiet hours, and a draft for every suggested action.
//!
//! [`SignalCache`] keeps the dataset and the last evaluation in memory: after a sync it re-reads
//! only what the sync wrote (the metrics cache) and re-evaluates only the teams it touched.

use crate::metrics::{MetricsCache, Refreshed, union};
use crate::{App, AppError, Result};
use bosun_core::time::Ts;
use bosun_metrics::data::{Dataset, repo_range};
use bosun_metrics::dora::DoraOptions;
use bosun_policy::Bundle;
use bosun_signals::alerts::{self, AlertKind, AlertSettings, Candidate, Outcome};
use bosun_signals::input::*;
use bosun_signals::lifecycle::{self, Event, Status, Stored};
use bosun_signals::{Evaluation, Input, Lookups, Scope, Settings, Severity, Signal};
use bosun_store::rusqlite::{Connection, params};
use bosun_store::{
    actions, alerts as alert_rows, audit, metric_changes, signal_changes, signals as rows,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

pub use bosun_signals::Kind;

const DAY: i64 = 86_400;

/// `[alerts]` in the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    pub daily_budget: usize,
    pub quiet_hours: String,
    pub min_severity: String,
    pub escalate_after_hours: f64,
}

impl AlertsConfig {
    /// The engine's settings, in the manager's time zone.
    pub fn settings(&self, utc_offset_minutes: i32) -> Result<AlertSettings> {
        let bad = |m: String| AppError::Config {
            path: "[alerts]".into(),
            message: m,
        };
        let (quiet_start, quiet_end) = alerts::parse_quiet_hours(&self.quiet_hours).map_err(bad)?;
        let min_severity = Severity::parse(&self.min_severity).ok_or_else(|| {
            bad(format!(
                "min_severity {:?}: expected low, medium or high",
                self.min_severity
            ))
        })?;
        Ok(AlertSettings {
            daily_budget: self.daily_budget,
            quiet_start,
            quiet_end,
            min_severity,
            escalate_after_hours: self.escalate_after_hours,
            utc_offset_minutes,
        })
    }
}

/// How far back the loader reads records that only matter while recent.
fn horizon(settings: &Settings) -> i64 {
    let days = settings
        .flaky_window_days
        .max(settings.bus_factor_days)
        .max(settings.aging_history_days)
        .max(30.0);
    (days * DAY as f64) as i64
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Which records [`load_extra_part`] reads: the repositories (URL, code owners) with their pull
/// requests, checks and deployments, and the tickets — some (`Some(ids)`) or all (`None`); and
/// the small parts, each whole or not at all.
#[derive(Debug, Clone, Default)]
pub struct Part {
    pub repos: Option<Vec<i64>>,
    pub tickets: Option<Vec<i64>>,
    /// Open and recent incidents with their assignees: these (`Some(ids)`), all, or none.
    pub incidents: Option<Option<Vec<i64>>>,
    /// The chat window.
    pub chat: bool,
    /// People and teams ([`load_roster`]).
    pub roster: bool,
}

impl Part {
    /// Everything.
    pub fn all() -> Part {
        Part {
            repos: None,
            tickets: None,
            incidents: Some(None),
            chat: true,
            roster: true,
        }
    }
}

/// ` AND <col> IN (ids)`, or nothing for all. Ids are integers: safe to inline.
fn only(col: &str, ids: &Option<Vec<i64>>) -> String {
    match ids {
        None => String::new(),
        Some(ids) => format!(
            " AND {col} IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    }
}

/// The extra records the detectors read, for `as_of`.
pub fn load_extra(
    conn: &Connection,
    config: &crate::Config,
    settings: &Settings,
    as_of: Ts,
) -> Result<Extra> {
    load_extra_part(conn, config, settings, as_of, &Part::all())
}

/// [`load_extra`] restricted to `part`. (Reading the two halves on two connections side by side
/// was measured no faster at scale 100: the second connection's page cache starts cold and the
/// two slowed each other down.)
pub fn load_extra_part(
    conn: &Connection,
    config: &crate::Config,
    settings: &Settings,
    as_of: Ts,
    part: &Part,
) -> Result<Extra> {
    let mut x = Extra::default();
    load_code_extra(conn, settings, as_of, part, &mut x)?;
    load_work_extra(conn, config, settings, as_of, part, &mut x)?;
    Ok(x)
}

/// The repositories (URLs, code owners), their pull requests and check runs.
fn load_code_extra(
    conn: &Connection,
    settings: &Settings,
    as_of: Ts,
    part: &Part,
    x: &mut Extra,
) -> Result<()> {
    let and_repo = only("repo_id", &part.repos);
    let and_p_repo = only("p.repo_id", &part.repos);
    // Check runs and finished PRs matter only while recent (flaky checks, agreements' week).
    let recent = as_of - (settings.flaky_window_days.max(7.0) * DAY as f64) as i64;
    let and_id_repo = only("id", &part.repos);
    let _q = tracing::debug_span!("extra.repos").entered();
    let mut s = conn.prepare(&format!(
        "SELECT id, html_url FROM repos WHERE 1 = 1{and_id_repo}"
    ))?;
    for r in s.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
    })? {
        let (id, url) = r?;
        x.repos.insert(
            id,
            RepoExtra {
                html_url: url,
                code_owners: Vec::new(),
            },
        );
    }
    drop(_q);
    let _q = tracing::debug_span!("extra.code_owners").entered();
    let mut s = conn.prepare(&format!(
        "SELECT repo_id, pattern, owners FROM code_owners WHERE 1 = 1{and_repo} ORDER BY repo_id, position"
    ))?;
    for r in s.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (repo, pattern, owners) = r?;
        x.repos
            .entry(repo)
            .or_default()
            .code_owners
            .push(OwnerRule {
                pattern,
                owners: json_list(&owners),
            });
    }

    drop(_q);
    let _q = tracing::debug_span!("extra.prs").entered();
    // Pull requests that are open or finished recently.
    let mut s = conn.prepare(&format!(
        "SELECT id, html_url, head_ref FROM pull_requests
         WHERE (state = 'open' OR coalesce(merged_at, closed_at, 0) >= ?1){and_repo}"
    ))?;
    for r in s.query_map([recent], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })? {
        let (id, url, head) = r?;
        x.prs.insert(
            id,
            PrExtra {
                html_url: url,
                head_ref: head,
                ..Default::default()
            },
        );
    }
    drop(_q);
    let _q = tracing::debug_span!("extra.review_requests").entered();
    let mut s = conn.prepare(&format!(
        "SELECT e.pr_id, a.person_id, max(e.created_at) FROM pull_requests p
           CROSS JOIN pr_events e ON e.pr_id = p.id JOIN accounts a ON a.id = e.subject_account_id
         WHERE p.state = 'open' AND e.event = 'review_requested' AND a.person_id IS NOT NULL AND e.created_at <= ?1{and_p_repo}
         GROUP BY e.pr_id, a.person_id ORDER BY e.pr_id, a.person_id"
    ))?;
    for r in s.query_map([as_of], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, Ts>(2)?))
    })? {
        let (pr, person, at) = r?;
        x.prs.entry(pr).or_default().requested_at.push((person, at));
    }
    drop(_q);
    let _q = tracing::debug_span!("extra.pr_activity").entered();
    let mut s = conn.prepare(&format!(
        "SELECT p.id, max(
             coalesce((SELECT max(c.committed_at) FROM pr_commits pc CROSS JOIN commits c ON c.repo_id = p.repo_id AND c.sha = pc.sha
                       WHERE pc.pr_id = p.id AND c.committed_at <= ?1), 0),
             coalesce((SELECT max(submitted_at) FROM reviews WHERE pr_id = p.id AND submitted_at <= ?1), 0),
             coalesce((SELECT max(created_at) FROM pr_comments WHERE pr_id = p.id AND created_at <= ?1), 0),
             coalesce((SELECT max(created_at) FROM pr_events WHERE pr_id = p.id AND created_at <= ?1), 0),
             p.created_at)
         FROM pull_requests p WHERE p.state = 'open'{and_p_repo}"
    ))?;
    for r in s.query_map([as_of], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Ts>(1)?)))? {
        let (pr, at) = r?;
        x.prs.entry(pr).or_default().last_activity = Some(at);
    }
    drop(_q);
    let _q = tracing::debug_span!("extra.pr_paths").entered();
    let mut s = conn.prepare(&format!(
        "SELECT DISTINCT c.pr_id, c.path FROM pull_requests p CROSS JOIN pr_comments c ON c.pr_id = p.id
         WHERE p.state = 'open' AND c.path IS NOT NULL{and_p_repo} ORDER BY c.pr_id, c.path"
    ))?;
    for r in s.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (pr, path) = r?;
        x.prs.entry(pr).or_default().paths.push(path);
    }

    drop(_q);
    let _q = tracing::debug_span!("extra.checks").entered();
    // Check runs: recent ones, and every run on the head of one of its repository's open PRs (a
    // run is only ever matched with its own repository's pull requests).
    let mut s = conn.prepare(&format!(
        "SELECT repo_id, head_sha, name, conclusion, started_at, completed_at, html_url FROM check_runs
         WHERE id IN (SELECT id FROM check_runs WHERE coalesce(completed_at, started_at, 0) >= ?1{and_repo}
                      UNION SELECT c.id FROM pull_requests p CROSS JOIN check_runs c ON c.repo_id = p.repo_id AND c.head_sha = p.head_sha
                      WHERE p.state = 'open'{and_p_repo})
         ORDER BY repo_id, id"
    ))?;
    for r in s.query_map([recent], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            CheckRun {
                sha: r.get(1)?,
                name: r.get(2)?,
                conclusion: r.get(3)?,
                started_at: r.get(4)?,
                completed_at: r.get(5)?,
                html_url: r.get(6)?,
            },
        ))
    })? {
        let (repo, run) = r?;
        if run.started_at.is_some_and(|t| t > as_of) {
            continue;
        }
        x.checks.entry(repo).or_default().push(run);
    }
    Ok(())
}

/// The tickets with their changes, the deployments' outcomes, incidents, chat and the roster.
fn load_work_extra(
    conn: &Connection,
    config: &crate::Config,
    settings: &Settings,
    as_of: Ts,
    part: &Part,
    x: &mut Extra,
) -> Result<()> {
    let and_d_repo = only("d.repo_id", &part.repos);
    let and_id = only("id", &part.tickets);
    let and_c_ticket = only("c.ticket_id", &part.tickets);
    let since = as_of - horizon(settings);

    // Tickets not done, or done recently (follow-ups, blockers).
    let _q = tracing::debug_span!("extra.tickets").entered();
    let mut s = conn.prepare(&format!(
        "SELECT id, html_url, labels, due_at, priority FROM tickets
         WHERE (coalesce(status_category, 'todo') != 'done' OR coalesce(resolved_at, updated_at) >= ?1){and_id}"
    ))?;
    for r in s.query_map([since], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<Ts>>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })? {
        let (id, url, labels, due, priority) = r?;
        x.tickets.insert(
            id,
            TicketExtra {
                html_url: url,
                labels: json_list(&labels),
                due_at: due,
                priority,
                ..Default::default()
            },
        );
    }
    let link = regex::Regex::new(r"(?i)blocked by\s+([A-Z][A-Z0-9]+-[0-9]+)")
        .map_err(|e| AppError::InvalidInput(e.to_string()))?;
    drop(_q);
    let _q = tracing::debug_span!("extra.ticket_changes").entered();
    // From the tickets in the window to their changes (most tickets are done and old). The last
    // change of each, then the few changes the detectors read the fields of.
    let in_window = format!(
        "FROM tickets t CROSS JOIN ticket_changes c ON c.ticket_id = t.id
         WHERE c.created_at <= ?1{and_c_ticket} AND (coalesce(t.status_category, 'todo') != 'done' OR coalesce(t.resolved_at, t.updated_at) >= ?2)"
    );
    let mut s = conn.prepare(&format!(
        "SELECT c.ticket_id, max(c.created_at) {in_window} GROUP BY c.ticket_id"
    ))?;
    for r in s.query_map(params![as_of, since], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Ts>(1)?))
    })? {
        let (id, at) = r?;
        if let Some(t) = x.tickets.get_mut(&id) {
            t.last_change_at = Some(at);
        }
    }
    let mut s = conn.prepare(&format!(
        "SELECT c.ticket_id, c.created_at, c.field, c.from_string, c.to_string {in_window}
           AND lower(c.field) IN ('flagged', 'link', 'labels')
         ORDER BY c.ticket_id, c.created_at, c.id"
    ))?;
    let blocked_labels: Vec<String> = settings
        .blocked_labels
        .iter()
        .map(|l| l.to_lowercase())
        .collect();
    for r in s.query_map(params![as_of, since], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Ts>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })? {
        let (id, at, field, from, to) = r?;
        let Some(t) = x.tickets.get_mut(&id) else {
            continue;
        };
        let field = field.to_lowercase();
        let to_s = to.unwrap_or_default();
        match field.as_str() {
            "flagged" if !to_s.is_empty() => t.flagged_at = Some(at),
            "link" => {
                if let Some(c) = link.captures(&to_s) {
                    t.blocked_link_at.insert(c[1].to_string(), at);
                }
            }
            "labels" => {
                let had = |s: &str| {
                    let l = s.to_lowercase();
                    blocked_labels
                        .iter()
                        .any(|b| l.split_whitespace().any(|w| w == b))
                };
                if had(&to_s) && !had(from.as_deref().unwrap_or("")) {
                    t.blocked_label_at = Some(at);
                }
            }
            _ => {}
        }
    }

    drop(_q);
    let _q = tracing::debug_span!("extra.deployments").entered();
    let mut s = conn.prepare(&format!(
        "SELECT d.id, s.state, s.created_at, s.log_url FROM deployments d
           JOIN deployment_statuses s ON s.id = (SELECT id FROM deployment_statuses WHERE deployment_id = d.id AND created_at <= ?2
                                                 ORDER BY created_at DESC, id DESC LIMIT 1)
         WHERE d.created_at >= ?1 AND d.created_at <= ?2{and_d_repo}"
    ))?;
    for r in s.query_map(params![since, as_of], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            DeploymentExtra {
                state: r.get(1)?,
                at: r.get(2)?,
                url: r.get(3)?,
            },
        ))
    })? {
        let (id, d) = r?;
        x.deployments.insert(id, d);
    }

    drop(_q);
    if let Some(ids) = &part.incidents {
        tracing::debug_span!("extra.incidents").in_scope(|| load_incidents(conn, since, ids, x))?;
    }
    if part.chat {
        x.messages =
            tracing::debug_span!("extra.chat").in_scope(|| load_chat(conn, settings, as_of))?;
    }
    if part.roster {
        (x.people, x.teams) =
            tracing::debug_span!("extra.roster").in_scope(|| load_roster(conn, config))?;
    }
    Ok(())
}

/// Open incidents and those resolved since `since` (of `ids`, or all), with their assignees.
fn load_incidents(
    conn: &Connection,
    since: Ts,
    ids: &Option<Vec<i64>>,
    x: &mut Extra,
) -> Result<()> {
    let and_id = only("i.id", ids);
    let and_incident = only("ia.incident_id", ids);
    let mut s = conn.prepare(&format!(
        "SELECT i.id, i.number, i.status, i.html_url, sv.name, t.key FROM incidents i
           LEFT JOIN services sv ON sv.id = i.service_id LEFT JOIN teams t ON t.id = sv.team_id
         WHERE (i.status != 'resolved' OR coalesce(i.resolved_at, i.created_at) >= ?1){and_id}"
    ))?;
    for r in s.query_map([since], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            IncidentExtra {
                number: r.get(1)?,
                status: r.get(2)?,
                html_url: r.get(3)?,
                service_name: r.get(4)?,
                team: r.get(5)?,
                assignees: Vec::new(),
            },
        ))
    })? {
        let (id, i) = r?;
        x.incidents.insert(id, i);
    }
    let mut s = conn.prepare(&format!(
        "SELECT ia.incident_id, a.person_id FROM incident_assignments ia JOIN accounts a ON a.id = ia.account_id
         WHERE a.person_id IS NOT NULL{and_incident} ORDER BY 1, 2"
    ))?;
    for r in s.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (i, p) = r?;
        if let Some(inc) = x.incidents.get_mut(&i) {
            inc.assignees.push(p);
        }
    }
    Ok(())
}

/// The chat messages of the window before `as_of`.
fn load_chat(conn: &Connection, settings: &Settings, as_of: Ts) -> Result<Vec<ChatMessage>> {
    let mut messages = Vec::new();
    let window = (settings.chat_window_hours * 3600.0) as i64;
    let mut s = conn.prepare(
        "SELECT m.id, c.name, m.ts, a.person_id, m.text, m.posted_at FROM chat_messages m
           JOIN chat_channels c ON c.id = m.channel_id LEFT JOIN accounts a ON a.id = m.author_account_id
         WHERE m.posted_at > ?1 AND m.posted_at <= ?2 ORDER BY m.posted_at, m.id",
    )?;
    for r in s.query_map(params![as_of - window, as_of], |r| {
        Ok(ChatMessage {
            id: r.get(0)?,
            channel: r.get(1)?,
            ts: r.get(2)?,
            author: r.get(3)?,
            text: r.get(4)?,
            posted_at: r.get(5)?,
            url: None,
        })
    })? {
        messages.push(r?);
    }
    Ok(messages)
}

/// People (names, time zones, chat and code accounts) and teams (members, manager, channels).
pub fn load_roster(
    conn: &Connection,
    config: &crate::Config,
) -> Result<(HashMap<i64, PersonExtra>, Vec<TeamExtra>)> {
    let mut x = Extra::default();
    let mut s = conn.prepare(
        "SELECT p.id, p.name, p.utc_offset_minutes, t.key, p.is_bot FROM people p LEFT JOIN teams t ON t.id = p.team_id",
    )?;
    for r in s.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            PersonExtra {
                name: r.get(1)?,
                utc_offset_minutes: r.get(2)?,
                team: r.get(3)?,
                is_bot: r.get(4)?,
                ..Default::default()
            },
        ))
    })? {
        let (id, p) = r?;
        x.people.insert(id, p);
    }
    let mut s = conn.prepare(
        "SELECT person_id, provider, external_id, login FROM accounts WHERE person_id IS NOT NULL ORDER BY id",
    )?;
    for r in s.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })? {
        let (person, provider, external, login) = r?;
        let Some(p) = x.people.get_mut(&person) else {
            continue;
        };
        match provider.as_str() {
            "slack" if p.slack_id.is_none() => p.slack_id = Some(external),
            "github" if p.github_login.is_none() => p.github_login = login,
            "jira" if p.jira_account.is_none() => p.jira_account = Some(external),
            _ => {}
        }
    }
    let channels: HashMap<&str, &Vec<String>> = config
        .teams
        .iter()
        .map(|t| (t.key.as_str(), &t.channels))
        .collect();
    let mut s = conn.prepare("SELECT id, key, name, manager_person_id FROM teams ORDER BY id")?;
    let teams: Vec<(i64, TeamExtra)> = s
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                TeamExtra {
                    key: r.get(1)?,
                    name: r.get(2)?,
                    manager: r.get(3)?,
                    members: Vec::new(),
                    channels: Vec::new(),
                },
            ))
        })?
        .collect::<std::result::Result<_, _>>()?;
    let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut s = conn.prepare(
        "SELECT team_id, person_id FROM team_members WHERE role != 'manager' ORDER BY team_id, person_id",
    )?;
    for r in s.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (team, person) = r?;
        members.entry(team).or_default().push(person);
    }
    for (id, mut t) in teams {
        t.members = members.remove(&id).unwrap_or_default();
        t.channels = channels
            .get(t.key.as_str())
            .map(|c| {
                c.iter()
                    .map(|c| c.trim_start_matches('#').to_string())
                    .collect()
            })
            .unwrap_or_default();
        x.teams.push(t);
    }
    Ok((x.people, x.teams))
}

/// Working agreements: the policy's violations for the evaluation's scope, as signals.
pub fn agreements(ev: &Evaluation<'_>, bundle: &Bundle) -> Result<Vec<Signal>> {
    let input = tracing::debug_span!("policy_input").in_scope(|| ev.policy_input());
    let _s = tracing::debug_span!("violations").entered();
    let violations: Vec<bosun_signals::agreements::Violation> = bundle
        .violations(input)
        .map_err(policy_error)?
        .into_iter()
        .map(|v| bosun_signals::agreements::Violation {
            rule: v.rule,
            subject_kind: v.subject_kind,
            subject_ref: v.subject_ref,
            severity: v.severity,
            why: v.why,
            suggest: v.suggest,
        })
        .collect();
    drop(_s);
    Ok(tracing::debug_span!("agreement_signals").in_scope(|| ev.agreement_signals(&violations)))
}

pub(crate) fn policy_error(e: bosun_policy::PolicyError) -> AppError {
    AppError::Policy(e)
}

/// Every signal for the scope: the detectors and the working agreements, most severe first.
pub fn evaluate(
    input: Input<'_>,
    settings: &Settings,
    bundle: &Bundle,
    as_of: Ts,
    scope: &Scope,
) -> Result<Vec<Signal>> {
    evaluate_with(input, None, settings, bundle, as_of, scope)
}

/// [`evaluate`] with the detectors' [`Lookups`] kept from an earlier evaluation of the same data.
pub fn evaluate_with(
    input: Input<'_>,
    lookups: Option<&Lookups>,
    settings: &Settings,
    bundle: &Bundle,
    as_of: Ts,
    scope: &Scope,
) -> Result<Vec<Signal>> {
    let ev = Evaluation::new(input, lookups, settings, as_of, scope);
    // The working agreements run beside the detectors (one job among theirs).
    let (mut out, agreed) =
        ev.detect_with(|| tracing::debug_span!("agreements").in_scope(|| agreements(&ev, bundle)));
    out.extend(agreed?);
    bosun_signals::sort(&mut out);
    Ok(out)
}

/// What one evaluation changed in the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub new: usize,
    pub reopened: usize,
    pub escalated: usize,
    pub resolved: usize,
    pub open: usize,
    pub alerts_delivered: usize,
    pub alerts_held: usize,
    pub alerts_over_budget: usize,
    pub drafts: usize,
    pub drafts_withdrawn: usize,
}

fn stored(rows: Vec<rows::LifeRow>) -> Vec<Stored> {
    rows.into_iter()
        .filter_map(|r| {
            Some(Stored {
                id: r.id,
                kind: bosun_signals::Kind::parse(&r.kind)?,
                severity: Severity::parse(&r.severity)?,
                status: Status::parse(&r.status)?,
                dedupe_key: r.dedupe_key,
                team: r.team,
                first_seen_at: r.first_seen_at,
                snoozed_until: r.snoozed_until,
                escalated_at: r.escalated_at,
            })
        })
        .collect()
}

/// Whether a stored signal belongs to the part of the organisation `scope` covers.
pub fn covered(scope: &Scope, s: &Stored) -> bool {
    bosun_signals::is_global(s.kind) || scope.includes(s.team.as_deref())
}

/// The idempotency key of the draft for a signal's episode.
pub fn idempotency_key(dedupe_key: &str, episode: Ts, kind: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(format!("{dedupe_key}\n{episode}\n{kind}").as_bytes());
    let hex: String = d.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("bosun-{hex}")
}

/// Write a fresh evaluation: lifecycle, alerts and drafts, in one transaction. `bundle` decides
/// on the drafts (every decision goes to the audit ledger).
#[allow(clippy::too_many_arguments)]
pub fn apply(
    store: &mut bosun_store::Store,
    fresh: &[Signal],
    scope: &Scope,
    as_of: Ts,
    alert_settings: &AlertSettings,
    bundle: &Bundle,
    extra: &Extra,
) -> Result<Applied> {
    let tx = store.begin()?;
    let conn: &Connection = &tx;
    let before = stored(rows::lifecycle_rows(conn)?);
    let transitions = lifecycle::reconcile(&before, fresh, as_of, |s| covered(scope, s));
    let mut done = Applied::default();
    let mut open: Vec<(i64, Signal, Ts, Option<Ts>)> = Vec::new();
    for t in &transitions {
        match (&t.signal, t.event) {
            (None, _) => {
                if let Some(id) = t.id {
                    rows::resolve(conn, id, as_of)?;
                    done.resolved += 1;
                    done.drafts_withdrawn +=
                        actions::withdraw_for_signal(conn, &t.dedupe_key, as_of)?;
                }
            }
            (Some(sig), event) => {
                let evidence = serde_json::to_string(&sig.evidence).unwrap_or_else(|_| "[]".into());
                let suggestion = sig
                    .suggestion
                    .as_ref()
                    .and_then(|s| serde_json::to_string(s).ok());
                let detail = serde_json::json!({
                    "subject_url": sig.subject.url,
                    "subject_title": sig.subject.title,
                    "since": sig.since,
                    "rule": sig.rule,
                })
                .to_string();
                let id = rows::upsert(
                    conn,
                    &rows::Write {
                        dedupe_key: &sig.dedupe_key,
                        kind: sig.kind.as_str(),
                        severity: sig.severity.as_str(),
                        subject_kind: &sig.subject.kind,
                        subject_ref: &sig.subject.reference,
                        title: &sig.title,
                        why: &sig.why,
                        evidence: &evidence,
                        suggestion: suggestion.as_deref(),
                        team: sig.team.as_deref(),
                        person_id: sig.person,
                        status: t.status.as_str(),
                        first_seen_at: t.first_seen_at,
                        seen_at: as_of,
                        escalated_at: t.escalated_at,
                        detail: &detail,
                    },
                )?;
                match event {
                    Event::New => done.new += 1,
                    Event::Reopened => done.reopened += 1,
                    Event::Escalated => done.escalated += 1,
                    _ => {}
                }
                if t.status == Status::Open {
                    open.push((id, sig.clone(), t.first_seen_at, t.escalated_at));
                }
            }
        }
    }
    done.open = open.len();

    // Alerts.
    let mut candidates = Vec::new();
    for (id, sig, first, escalated) in &open {
        let mut push = |kind: AlertKind, since: Ts| -> Result<()> {
            let existing = alert_rows::existing(conn, *id, kind.as_str(), since)?;
            candidates.push(Candidate {
                signal_id: *id,
                kind,
                severity: sig.severity,
                since,
                title: sig.title.clone(),
                why: sig.why.clone(),
                already: existing.is_some(),
                held_alert: existing
                    .filter(|(_, delivered, why)| {
                        !delivered && why.as_deref() == Some("quiet_hours")
                    })
                    .map(|(a, _, _)| a),
            });
            Ok(())
        };
        push(AlertKind::New, *first)?;
        if let Some(e) = escalated {
            push(AlertKind::Escalated, *e)?;
        }
    }
    let delivered_today = alert_rows::delivered_since(conn, alert_settings.day_start(as_of))?;
    for d in alerts::plan(candidates, delivered_today, alert_settings, as_of) {
        let c = &d.candidate;
        let (delivered, suppressed) = match d.outcome {
            Outcome::Deliver => (true, None),
            Outcome::HeldQuietHours => (false, Some("quiet_hours")),
            Outcome::OverBudget => (false, Some("daily_budget")),
        };
        match d.outcome {
            Outcome::Deliver => done.alerts_delivered += 1,
            Outcome::HeldQuietHours => done.alerts_held += 1,
            Outcome::OverBudget => done.alerts_over_budget += 1,
        }
        match c.held_alert {
            Some(a) => alert_rows::release(conn, a, as_of, delivered, &d.reason)?,
            None => {
                alert_rows::insert(
                    conn,
                    &alert_rows::NewAlert {
                        signal_id: c.signal_id,
                        kind: c.kind.as_str(),
                        severity: c.severity.as_str(),
                        episode_at: c.since,
                        fired_at: as_of,
                        title: &c.title,
                        body: &c.why,
                        reason: &d.reason,
                        delivered,
                        suppressed_reason: suppressed,
                    },
                )?;
            }
        }
    }

    // Drafts: one per suggestion per episode. The policy decides on all of them in one batch.
    let mut pending = Vec::new();
    let named = crate::outbox::nameable(conn)?;
    for (id, sig, first, _) in &open {
        let Some(sug) = &sig.suggestion else { continue };
        let key = idempotency_key(&sig.dedupe_key, *first, sug.kind.as_str());
        let exists: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM actions WHERE idempotency_key = ?1)")?
            .query_row([&key], |r| r.get(0))?;
        if exists {
            continue;
        }
        let input = crate::outbox::policy_input(
            conn,
            extra,
            &crate::outbox::Asked {
                kind: sug.kind.as_str(),
                body: &sug.text,
                generated: None,
                summary: &sug.summary,
                signal_kind: sig.kind.as_str(),
                people: &sug.target.people,
            },
            &named,
            None,
            as_of,
        )?;
        pending.push((*id, sig, sug, key, input));
    }
    let inputs: Vec<serde_json::Value> = pending.iter().map(|p| p.4.clone()).collect();
    let decisions = bundle.decide_all(&inputs).map_err(policy_error)?;
    for ((id, sig, sug, key, input), decision) in pending.into_iter().zip(decisions) {
        let decision = decision.at(as_of);
        let target = serde_json::to_string(&sug.target).unwrap_or_else(|_| "{}".into());
        let preview = format!("{}\n\n{}", sug.summary, sug.text);
        let decision_json = serde_json::to_string(&decision).unwrap_or_else(|_| "{}".into());
        let Some(action) = actions::insert_draft(
            conn,
            &actions::NewAction {
                kind: sug.kind.as_str(),
                signal_id: Some(id),
                signal_key: Some(&sig.dedupe_key),
                target: &target,
                preview: &preview,
                body: &sug.text,
                summary: &sug.summary,
                idempotency_key: &key,
                created_at: as_of,
                decision: &decision_json,
            },
        )?
        else {
            continue;
        };
        done.drafts += 1;
        // Read the decision's fields, never its sentences: a draft is denied only by a `deny`;
        // waiting for the manager (`needs_approval`) and waiting for the recipient's working
        // hours (`defer`) keep it a draft, and approving it decides again.
        let denied = decision.denied();
        let subject = format!("action:{action}");
        audit::append(
            conn,
            &audit::NewEntry {
                at: as_of,
                actor: "policy",
                action: "policy.decide",
                subject: Some(&subject),
                result: if denied {
                    "denied"
                } else if decision.deferred() {
                    "deferred"
                } else {
                    "needs_approval"
                },
                trace: serde_json::json!({"stage": "draft", "signal": sig.dedupe_key, "decision": decision, "input": input}),
            },
        )?;
        if denied {
            actions::deny(conn, action, &decision_json, &decision.explain())?;
        }
    }
    tx.commit()?;
    Ok(done)
}

/// The policy bundle in force, and a warning when the user's files do not compile (the last
/// bundle that compiled stays in force).
pub struct Policy {
    pub bundle: Bundle,
    pub dir: std::path::PathBuf,
    pub warning: Option<String>,
}

const LAST_GOOD: &str = "policy_last_good";

impl App {
    /// The folder of policy files: `[actions] policy_dir`, else `policy/` beside the config file.
    pub fn policy_dir(&self) -> std::path::PathBuf {
        let configured = self.config.actions.policy_dir.trim();
        if configured.is_empty() {
            self.paths
                .config_file
                .parent()
                .map_or_else(|| self.paths.data_dir.join("policy"), |d| d.join("policy"))
        } else {
            std::path::PathBuf::from(configured)
        }
    }

    /// Load the policy (installing the default bundle on first use). A folder that does not
    /// compile keeps the last bundle that did (saved in the database) in force, with a warning;
    /// with no earlier bundle, the built-in one.
    pub fn policy(&self, conn: &Connection) -> Result<Policy> {
        let dir = self.policy_dir();
        let installed = bosun_policy::install_defaults(&dir).map_err(|e| AppError::Io {
            path: dir.display().to_string(),
            source: e,
        })?;
        for p in &installed.upgraded {
            tracing::info!(file = %p.display(), "policy: an unedited earlier default brought up to date (the old copy kept beside it as .previous)");
        }
        match Bundle::load_dir(&dir) {
            Ok(bundle) => {
                let files = serde_json::to_string(&bundle.files).unwrap_or_default();
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![LAST_GOOD, files],
                )?;
                Ok(Policy {
                    bundle,
                    dir,
                    warning: None,
                })
            }
            Err(e) => {
                let saved: Option<String> = conn
                    .query_row("SELECT value FROM meta WHERE key = ?1", [LAST_GOOD], |r| {
                        r.get(0)
                    })
                    .ok();
                let previous = saved
                    .and_then(|s| serde_json::from_str::<Vec<(String, String)>>(&s).ok())
                    .and_then(|files| Bundle::from_files(files).ok());
                let (bundle, which) = match previous {
                    Some(b) => (b, "the previous policy stays in force"),
                    None => (Bundle::builtin(), "the built-in policy is in force"),
                };
                Ok(Policy {
                    bundle,
                    dir,
                    warning: Some(format!("{e}; {which}")),
                })
            }
        }
    }

    /// The manager's time zone (the `me` person's), minutes east of UTC.
    pub fn my_offset_minutes(&self, conn: &Connection) -> i32 {
        let me = self.config.identity.me.trim();
        if me.is_empty() {
            return 0;
        }
        conn.query_row(
            "SELECT p.utc_offset_minutes FROM people p
             WHERE lower(p.primary_email) = lower(?1)
                OR p.id IN (SELECT person_id FROM person_emails WHERE email = ?1)
                OR p.id IN (SELECT person_id FROM accounts WHERE provider || ':' || coalesce(login, external_id) = ?1)
             LIMIT 1",
            [me],
            |r| r.get::<_, Option<i32>>(0),
        )
        .ok()
        .flatten()
        .unwrap_or(0)
    }

    /// Evaluate every signal now, write what changed (lifecycle, alerts, drafts) and return the
    /// stored signals in `statuses` (all when empty).
    pub fn refresh_signals(&self, statuses: &[&str]) -> Result<SignalsView> {
        self.refresh_signals_in(&mut None, statuses)
    }

    /// The dataset, the extra records and the signals at this moment, to keep (see
    /// [`SignalCache`]).
    pub fn signal_cache(&self, conn: &Connection) -> Result<SignalCache> {
        SignalCache::load(conn, &self.config, &self.policy(conn)?.bundle, self.now())
    }

    /// [`App::refresh_signals`] keeping what it read in `cache` for the next call (the running
    /// app's): the store is then re-read only where the syncs since wrote, and the signals are
    /// evaluated from memory.
    pub fn refresh_signals_in(
        &self,
        cache: &mut Option<SignalCache>,
        statuses: &[&str],
    ) -> Result<SignalsView> {
        self.refresh_signals_at(cache, statuses, self.now())
    }

    /// [`App::refresh_signals_in`] at the moment of the cache's last evaluation (now when there
    /// is no cache yet): on start-up, the cache just loaded for the pages was evaluated seconds
    /// ago, and evaluating again at "now" would re-read and re-evaluate everything for nothing.
    pub fn refresh_signals_at_cache_moment(
        &self,
        cache: &mut Option<SignalCache>,
        statuses: &[&str],
    ) -> Result<SignalsView> {
        let as_of = cache
            .as_ref()
            .map_or_else(|| self.now(), SignalCache::as_of);
        self.refresh_signals_at(cache, statuses, as_of)
    }

    fn refresh_signals_at(
        &self,
        cache: &mut Option<SignalCache>,
        statuses: &[&str],
        as_of: Ts,
    ) -> Result<SignalsView> {
        let mut store = self.store()?;
        let policy = self.policy(store.conn())?;
        let cache = match cache {
            Some(c) => {
                c.refresh(store.conn(), &self.config, &policy.bundle, as_of)?;
                c
            }
            None => cache.insert(SignalCache::load(
                store.conn(),
                &self.config,
                &policy.bundle,
                as_of,
            )?),
        };
        let alert_settings = self
            .config
            .alerts
            .settings(self.my_offset_minutes(store.conn()))?;
        let applied = apply(
            &mut store,
            &cache.signals,
            &Scope::all(),
            as_of,
            &alert_settings,
            &policy.bundle,
            &cache.extra,
        )?;
        let signals = rows::list(store.conn(), statuses)?;
        let alerts = alert_rows::list(store.conn(), alert_settings.day_start(as_of))?;
        Ok(SignalsView {
            as_of: bosun_core::time::rfc3339(as_of),
            applied,
            policy_warning: policy.warning,
            signals,
            alerts,
        })
    }

    /// Acknowledge a signal, or snooze it until `until`.
    pub fn set_signal_status(&self, id: i64, snooze_until: Option<Ts>) -> Result<rows::SignalRow> {
        let store = self.store()?;
        let status = if snooze_until.is_some() {
            "snoozed"
        } else {
            "acknowledged"
        };
        if !rows::set_status(store.conn(), id, status, self.now(), snooze_until)? {
            return Err(AppError::NotFound(format!(
                "no open signal {id} (see `bosun signals`)"
            )));
        }
        rows::get(store.conn(), id)?.ok_or_else(|| AppError::NotFound(format!("no signal {id}")))
    }
}

/// `bosun signals`.
#[derive(Debug, Clone, Serialize)]
pub struct SignalsView {
    pub as_of: String,
    pub applied: Applied,
    pub policy_warning: Option<String>,
    pub signals: Vec<rows::SignalRow>,
    pub alerts: Vec<alert_rows::AlertRow>,
}

/// The dataset, the extra records and the last evaluation, kept in memory between syncs.
pub struct SignalCache {
    metrics: MetricsCache,
    /// What refreshes of the metrics alone ([`SignalCache::refresh_metrics`]) saw since the last
    /// [`SignalCache::refresh`]: it must know (the metrics change log is drained once).
    metrics_seen: Refreshed,
    pub extra: Extra,
    pub signals: Vec<Signal>,
    lookups: Lookups,
    settings: Settings,
    as_of: Ts,
    /// [`metric_changes::identity_version`] when the people and teams were read.
    identity_version: i64,
}

/// What a refresh re-evaluated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reevaluated {
    /// Every team (the dataset was reloaded whole).
    pub full: bool,
    /// The teams re-evaluated (`None` = records without a team).
    pub teams: Vec<Option<String>>,
    pub signals: usize,
}

impl SignalCache {
    pub fn load(
        conn: &Connection,
        config: &crate::Config,
        bundle: &Bundle,
        as_of: Ts,
    ) -> Result<SignalCache> {
        signal_changes::drain(conn)?;
        let identity_version = metric_changes::identity_version(conn)?;
        let metrics = MetricsCache::load(conn, DoraOptions::default())?;
        let settings = config.signals.clone();
        let extra = load_extra(conn, config, &settings, as_of)?;
        let input = Input {
            data: &metrics.data,
            extra: &extra,
        };
        let lookups = Lookups::new(input, &settings, as_of);
        let signals = evaluate_with(
            input,
            Some(&lookups),
            &settings,
            bundle,
            as_of,
            &Scope::all(),
        )?;
        Ok(SignalCache {
            metrics,
            metrics_seen: Refreshed::default(),
            extra,
            signals,
            lookups,
            settings,
            as_of,
            identity_version,
        })
    }

    pub fn data(&self) -> &Dataset {
        &self.metrics.data
    }

    /// The dataset and the DORA analysis the signals read (the app's pages read them too).
    pub fn metrics(&self) -> &MetricsCache {
        &self.metrics
    }

    /// The moment of the last evaluation.
    pub fn as_of(&self) -> Ts {
        self.as_of
    }

    /// Bring the dataset up to date without evaluating (a page wants fresh numbers before the
    /// signals are re-evaluated). The next [`SignalCache::refresh`] still learns what changed.
    pub fn refresh_metrics(&mut self, conn: &Connection) -> Result<()> {
        let r = self.metrics.refresh(conn)?;
        self.metrics_seen.merge(&r);
        Ok(())
    }

    /// The teams whose records changed, from the signal change log, and the teams of `people`
    /// (whose pending review requests or reviews given changed, on any team's pull requests).
    fn touched(
        &self,
        conn: &Connection,
        c: &signal_changes::Changes,
        people: &HashSet<i64>,
    ) -> Result<BTreeSet<Option<String>>> {
        let d = &self.metrics.data;
        let mut teams = BTreeSet::new();
        for p in people {
            if let Some(p) = self.extra.people.get(p) {
                teams.insert(p.team.clone());
            }
        }
        let repos: HashSet<i64> = c.repos.iter().copied().collect();
        for r in d.repos.iter().filter(|r| repos.contains(&r.id)) {
            teams.insert(r.team.clone());
        }
        // The dataset's tickets are ordered by id.
        let ticket = |id: &i64| {
            d.tickets
                .binary_search_by_key(id, |t| t.id)
                .ok()
                .map(|i| &d.tickets[i])
        };
        let mut keys: HashSet<&str> = HashSet::new();
        for t in c.tickets.iter().filter_map(ticket) {
            teams.insert(t.team.clone());
            keys.insert(t.key.as_str());
        }
        // A changed ticket may block another team's tickets: their signals say whether it is
        // done.
        if !keys.is_empty() {
            for t in d
                .tickets
                .iter()
                .filter(|t| t.blocked_by.iter().any(|k| keys.contains(k.as_str())))
            {
                teams.insert(t.team.clone());
            }
        }
        let sprints: HashSet<i64> = c.sprints.iter().copied().collect();
        for s in d.sprints.iter().filter(|s| sprints.contains(&s.id)) {
            teams.insert(s.team.clone());
        }
        if !c.incidents.is_empty() {
            // Follow-up tickets naming a changed incident (their signal quotes it).
            let changed: HashSet<i64> = c.incidents.iter().copied().collect();
            let ids: HashSet<String> = d
                .incidents
                .iter()
                .filter(|i| changed.contains(&i.id))
                .map(|i| i.external_id.to_lowercase())
                .collect();
            let labels = &self.settings.followup_labels;
            for (id, x) in &self.extra.tickets {
                if !x
                    .labels
                    .iter()
                    .any(|l| labels.iter().any(|f| f.eq_ignore_ascii_case(l)))
                {
                    continue;
                }
                if let Some(t) = ticket(id)
                    && bosun_signals::incident_candidates(t, x).any(|w| ids.contains(&w))
                {
                    teams.insert(t.team.clone());
                }
            }
            // An incident may fail a deployment: its service's team.
            let list = serde_json::to_string(&c.incidents).unwrap_or_else(|_| "[]".into());
            let mut s = conn.prepare(
                "SELECT DISTINCT t.key FROM incidents i JOIN services sv ON sv.id = i.service_id LEFT JOIN teams t ON t.id = sv.team_id
                 WHERE i.id IN (SELECT value FROM json_each(?1))",
            )?;
            for k in s.query_map([list], |r| r.get::<_, Option<String>>(0))? {
                teams.insert(k?);
            }
        }
        Ok(teams)
    }

    /// Re-read the extra records of the repositories (with their pull requests, checks,
    /// deployments and code owners) and tickets that changed, the incidents when one changed and
    /// the chat window when a channel did. People and teams stay (see [`SignalCache::refresh`]).
    fn merge_extra(
        &mut self,
        conn: &Connection,
        config: &crate::Config,
        as_of: Ts,
        c: &signal_changes::Changes,
    ) -> Result<()> {
        let part = Part {
            repos: Some(c.repos.clone()),
            tickets: Some(c.tickets.clone()),
            incidents: (!c.incidents.is_empty()).then(|| Some(c.incidents.clone())),
            chat: !c.channels.is_empty(),
            roster: false,
        };
        let fresh = load_extra_part(conn, config, &self.settings, as_of, &part)?;
        let d = &self.metrics.data;
        let x = &mut self.extra;
        // The dataset's pull requests and deployments are ordered by repository.
        for r in &c.repos {
            for pr in &d.pull_requests[repo_range(&d.pull_requests, *r, |p| p.repo)] {
                x.prs.remove(&pr.id);
            }
            for dep in &d.deployments[repo_range(&d.deployments, *r, |d| d.repo)] {
                x.deployments.remove(&dep.id);
            }
            x.checks.remove(r);
            x.repos.remove(r);
        }
        x.prs.extend(fresh.prs);
        x.checks.extend(fresh.checks);
        x.repos.extend(fresh.repos);
        x.deployments.extend(fresh.deployments);
        for t in &c.tickets {
            x.tickets.remove(t);
        }
        x.tickets.extend(fresh.tickets);
        for i in &c.incidents {
            x.incidents.remove(i);
        }
        x.incidents.extend(fresh.incidents);
        if part.chat {
            x.messages = fresh.messages;
        }
        Ok(())
    }

    /// Re-read what changed since the last refresh and re-evaluate the teams it touched (and the
    /// global detectors). People and teams are re-read when the identity version moved (see
    /// [`metric_changes::identity_version`]) and, when they differ from the cached ones,
    /// everything is evaluated again, as when the metrics cache reloads its identity or `as_of`
    /// moves.
    pub fn refresh(
        &mut self,
        conn: &Connection,
        config: &crate::Config,
        bundle: &Bundle,
        as_of: Ts,
    ) -> Result<Reevaluated> {
        let _span = tracing::debug_span!("signals.refresh").entered();
        let mut changes = signal_changes::drain(conn)?;
        let mut refreshed =
            tracing::debug_span!("metrics.refresh").in_scope(|| self.metrics.refresh(conn))?;
        refreshed.merge(&std::mem::take(&mut self.metrics_seen));
        // What the metrics log saw and this one did not (a review, a link, a status period
        // written without its pull request or ticket): re-read and re-evaluated too.
        union(&mut changes.repos, &refreshed.repo_ids);
        union(&mut changes.tickets, &refreshed.ticket_ids);
        union(&mut changes.sprints, &refreshed.sprint_ids);
        let moved = as_of != self.as_of;
        self.as_of = as_of;
        let version = metric_changes::identity_version(conn)?;
        let roster = version != self.identity_version && {
            let (people, teams) = load_roster(conn, config)?;
            people != self.extra.people || teams != self.extra.teams
        };
        self.identity_version = version;
        if changes.is_empty() && !refreshed.full && !moved && !roster {
            return Ok(Reevaluated::default());
        }
        let full = refreshed.full || moved || roster;
        if full {
            self.extra = load_extra(conn, config, &self.settings, as_of)?;
        } else {
            tracing::debug_span!("merge_extra")
                .in_scope(|| self.merge_extra(conn, config, as_of, &changes))?;
        }
        let input = Input {
            data: &self.metrics.data,
            extra: &self.extra,
        };
        if full {
            self.lookups = Lookups::new(input, &self.settings, as_of);
            self.signals = evaluate_with(
                input,
                Some(&self.lookups),
                &self.settings,
                bundle,
                as_of,
                &Scope::all(),
            )?;
            return Ok(Reevaluated {
                full: true,
                teams: Vec::new(),
                signals: self.signals.len(),
            });
        }
        let reviewers = tracing::debug_span!("lookups").in_scope(|| {
            if !changes.sprints.is_empty() {
                // Their tickets' teams follow the sprints': all were re-read.
                self.lookups.index_tickets(input);
            } else {
                self.lookups.update_tickets(input, &changes.tickets);
            }
            self.lookups
                .update_repos(input, &changes.repos.iter().copied().collect())
        });
        let teams = tracing::debug_span!("touched")
            .in_scope(|| self.touched(conn, &changes, &reviewers))?;
        let scope = Scope::teams(teams.iter().cloned());
        let fresh = evaluate_with(
            input,
            Some(&self.lookups),
            &self.settings,
            bundle,
            as_of,
            &scope,
        )?;
        self.signals
            .retain(|s| !(bosun_signals::is_global(s.kind) || scope.includes(s.team.as_deref())));
        self.signals.extend(fresh);
        bosun_signals::sort(&mut self.signals);
        Ok(Reevaluated {
            full: false,
            teams: teams.into_iter().collect(),
            signals: self.signals.len(),
        })
    }
}
