//! The extra records the detectors read beside the metrics dataset: repositories, pull requests,
//! checks, tickets, deployments, incidents, chat and the roster. The store reads the rows
//! ([`bosun_store::signal_inputs`]); this puts them into the detectors' [`Extra`].

use super::DAY;
use crate::{AppError, Result};
use bosun_core::time::Ts;
use bosun_signals::Settings;
use bosun_signals::input::*;
use bosun_store::Connection;
use bosun_store::signal_inputs as db;
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

/// The documents that name what the local repositories removed or renamed (doc drift): for the
/// signal cache only, at every evaluation (a repository's history is read again only when its
/// HEAD moved). A repository that cannot be read is skipped with a warning, never a failed
/// evaluation.
pub fn load_stale_docs(conn: &Connection) -> Vec<bosun_signals::input::StaleDocInput> {
    let _q = tracing::debug_span!("extra.stale_docs").entered();
    crate::doc_drift::stale_docs(conn).unwrap_or_else(|e| {
        tracing::warn!("doc drift not checked: {e}");
        Vec::new()
    })
}

/// The repositories (URLs, code owners), their pull requests and check runs.
fn load_code_extra(
    conn: &Connection,
    settings: &Settings,
    as_of: Ts,
    part: &Part,
    x: &mut Extra,
) -> Result<()> {
    let repos = part.repos.as_deref();
    // Check runs and finished PRs matter only while recent (flaky checks, agreements' week).
    let recent = as_of - (settings.flaky_window_days.max(7.0) * DAY as f64) as i64;
    let _q = tracing::debug_span!("extra.repos").entered();
    for (id, url) in db::repo_urls(conn, repos)? {
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
    for r in db::code_owners(conn, repos)? {
        x.repos
            .entry(r.repo_id)
            .or_default()
            .code_owners
            .push(OwnerRule {
                pattern: r.pattern,
                owners: r.owners,
            });
    }

    drop(_q);
    let _q = tracing::debug_span!("extra.prs").entered();
    // Pull requests that are open or finished recently.
    for pr in db::recent_prs(conn, recent, repos)? {
        x.prs.insert(
            pr.id,
            PrExtra {
                html_url: pr.html_url,
                head_ref: pr.head_ref,
                ..Default::default()
            },
        );
    }
    drop(_q);
    let _q = tracing::debug_span!("extra.review_requests").entered();
    for (pr, person, at) in db::review_requests(conn, as_of, repos)? {
        x.prs.entry(pr).or_default().requested_at.push((person, at));
    }
    drop(_q);
    let _q = tracing::debug_span!("extra.pr_activity").entered();
    for (pr, at) in db::pr_last_activity(conn, as_of, repos)? {
        x.prs.entry(pr).or_default().last_activity = Some(at);
    }
    drop(_q);
    let _q = tracing::debug_span!("extra.pr_paths").entered();
    for (pr, path) in db::open_pr_comment_paths(conn, repos)? {
        x.prs.entry(pr).or_default().paths.push(path);
    }

    drop(_q);
    let _q = tracing::debug_span!("extra.checks").entered();
    // Check runs: recent ones, and every run on the head of one of its repository's open PRs (a
    // run is only ever matched with its own repository's pull requests).
    for r in db::check_runs(conn, recent, repos)? {
        if r.started_at.is_some_and(|t| t > as_of) {
            continue;
        }
        x.checks.entry(r.repo_id).or_default().push(CheckRun {
            sha: r.head_sha,
            name: r.name,
            conclusion: r.conclusion,
            started_at: r.started_at,
            completed_at: r.completed_at,
            html_url: r.html_url,
        });
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
    let tickets = part.tickets.as_deref();
    let since = as_of - horizon(settings);

    // Tickets not done, or done recently (follow-ups, blockers).
    let _q = tracing::debug_span!("extra.tickets").entered();
    for t in db::recent_tickets(conn, since, tickets)? {
        x.tickets.insert(
            t.id,
            TicketExtra {
                html_url: t.html_url,
                labels: t.labels,
                due_at: t.due_at,
                priority: t.priority,
                ..Default::default()
            },
        );
    }
    drop(_q);
    let _q = tracing::debug_span!("extra.ticket_changes").entered();
    load_ticket_changes(conn, settings, as_of, since, tickets, x)?;

    drop(_q);
    let _q = tracing::debug_span!("extra.deployments").entered();
    for d in db::deployment_outcomes(conn, since, as_of, part.repos.as_deref())? {
        x.deployments.insert(
            d.deployment_id,
            DeploymentExtra {
                state: d.state,
                at: d.at,
                url: d.log_url,
            },
        );
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

/// The tickets' last change, and when they were flagged, linked as blocked or labelled blocked.
fn load_ticket_changes(
    conn: &Connection,
    settings: &Settings,
    as_of: Ts,
    since: Ts,
    tickets: Option<&[i64]>,
    x: &mut Extra,
) -> Result<()> {
    let link = regex::Regex::new(r"(?i)blocked by\s+([A-Z][A-Z0-9]+-[0-9]+)")
        .map_err(|e| AppError::InvalidInput(e.to_string()))?;
    // The last change of each ticket, then the few changes the detectors read the fields of.
    for (id, at) in db::ticket_last_changes(conn, as_of, since, tickets)? {
        if let Some(t) = x.tickets.get_mut(&id) {
            t.last_change_at = Some(at);
        }
    }
    let blocked_labels: Vec<String> = settings
        .blocked_labels
        .iter()
        .map(|l| l.to_lowercase())
        .collect();
    for c in db::ticket_flag_changes(conn, as_of, since, tickets)? {
        let Some(t) = x.tickets.get_mut(&c.ticket_id) else {
            continue;
        };
        let at = c.created_at;
        let field = c.field.to_lowercase();
        let to_s = c.to_string.unwrap_or_default();
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
                if had(&to_s) && !had(c.from_string.as_deref().unwrap_or("")) {
                    t.blocked_label_at = Some(at);
                }
            }
            _ => {}
        }
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
    for i in db::recent_incidents(conn, since, ids.as_deref())? {
        x.incidents.insert(
            i.id,
            IncidentExtra {
                number: i.number,
                status: i.status,
                html_url: i.html_url,
                service_name: i.service_name,
                team: i.team,
                assignees: Vec::new(),
            },
        );
    }
    for (i, p) in db::incident_assignees(conn, ids.as_deref())? {
        if let Some(inc) = x.incidents.get_mut(&i) {
            inc.assignees.push(p);
        }
    }
    Ok(())
}

/// The chat messages of the window before `as_of`.
fn load_chat(conn: &Connection, settings: &Settings, as_of: Ts) -> Result<Vec<ChatMessage>> {
    let window = (settings.chat_window_hours * 3600.0) as i64;
    Ok(db::chat_window(conn, as_of - window, as_of)?
        .into_iter()
        .map(|m| ChatMessage {
            id: m.id,
            channel: m.channel,
            ts: m.ts,
            author: m.author_person_id,
            text: m.text,
            posted_at: m.posted_at,
            url: m.url,
        })
        .collect())
}

/// People (names, time zones, chat and code accounts) and teams (members, manager, channels).
pub fn load_roster(
    conn: &Connection,
    config: &crate::Config,
) -> Result<(HashMap<i64, PersonExtra>, Vec<TeamExtra>)> {
    let mut people: HashMap<i64, PersonExtra> = db::people(conn)?
        .into_iter()
        .map(|p| {
            (
                p.id,
                PersonExtra {
                    name: p.name,
                    utc_offset_minutes: p.utc_offset_minutes,
                    team: p.team,
                    is_bot: p.is_bot,
                    ..Default::default()
                },
            )
        })
        .collect();
    for a in db::linked_accounts(conn)? {
        let Some(p) = people.get_mut(&a.person_id) else {
            continue;
        };
        match a.provider.as_str() {
            "slack" if p.slack_id.is_none() => p.slack_id = Some(a.external_id),
            "github" if p.github_login.is_none() => p.github_login = a.login,
            "jira" if p.jira_account.is_none() => p.jira_account = Some(a.external_id),
            _ => {}
        }
    }
    let channels: HashMap<&str, &Vec<String>> = config
        .teams
        .iter()
        .map(|t| (t.key.as_str(), &t.channels))
        .collect();
    let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
    for (team, person) in db::team_members(conn)? {
        members.entry(team).or_default().push(person);
    }
    let teams = db::teams(conn)?
        .into_iter()
        .map(|t| TeamExtra {
            members: members.remove(&t.id).unwrap_or_default(),
            channels: channels
                .get(t.key.as_str())
                .map(|c| {
                    c.iter()
                        .map(|c| c.trim_start_matches('#').to_string())
                        .collect()
                })
                .unwrap_or_default(),
            key: t.key,
            name: t.name,
            manager: t.manager_person_id,
        })
        .collect();
    Ok((people, teams))
}
