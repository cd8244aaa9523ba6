//! The extra records the detectors read beside the metrics dataset: repositories, pull requests,
//! checks, tickets, deployments, incidents, chat and the roster.

use super::DAY;
use crate::{AppError, Result};
use bosun_core::time::Ts;
use bosun_signals::Settings;
use bosun_signals::input::*;
use bosun_store::rusqlite::{Connection, params};
use std::collections::HashMap;

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
