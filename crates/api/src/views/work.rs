//! Today, the pull request triage queue, sprint health and the team.

use super::common::{
    Names, NoArgs, PrRef, Rate, TeamRef, WindowArgs, opt_time, scope, teams, time, web_links,
};
use super::ledger::{self, SignalView};
use crate::error::{ApiError, Result};
use crate::state::Api;
use bosun_app::App;
use bosun_core::time::{DAY, Ts};
use bosun_metrics::data::{Dataset, PullRequest, Sprint};
use bosun_metrics::{prs, review, sprint};
use bosun_store::identity;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

// ---------------------------------------------------------------------------------------------
// The pull request triage queue

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QueuedPr {
    pub pull_request: PrRef,
    pub author: Option<String>,
    pub team: Option<String>,
    /// One definition with the triage note and standups (`bosun_metrics::review`).
    pub state: PrState,
    /// Waiting for review again: the author pushed after changes were requested.
    pub again: bool,
    /// Since when it has waited in this state.
    pub waiting_since: String,
    #[ts(type = "number")]
    pub waiting_secs: i64,
    #[ts(type = "number")]
    pub size: i64,
    pub requested: Vec<String>,
    pub reviewers: Vec<String>,
    pub labels: Vec<String>,
}

/// Where an open pull request stands with its reviewers ([`review::ReviewState`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PrState {
    /// No verdict and no comments yet, or updated after changes were requested.
    WaitingForReview,
    /// Comments but no verdict: still waiting on reviewers.
    InReview,
    /// Waiting on the author.
    ChangesRequested,
    ApprovedNotMerged,
}

impl PrState {
    /// True when the next move is a reviewer's.
    pub fn waits_on_reviewers(self) -> bool {
        matches!(self, PrState::WaitingForReview | PrState::InReview)
    }
}

impl From<review::ReviewState> for PrState {
    fn from(s: review::ReviewState) -> PrState {
        match s {
            review::ReviewState::WaitingForReview => PrState::WaitingForReview,
            review::ReviewState::InReview => PrState::InReview,
            review::ReviewState::ChangesRequested => PrState::ChangesRequested,
            review::ReviewState::Approved => PrState::ApprovedNotMerged,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PrQueue {
    pub now: String,
    pub team: Option<String>,
    pub teams: Vec<TeamRef>,
    /// Open, non-draft pull requests by people, the longest waiting first.
    pub queue: Vec<QueuedPr>,
    pub drafts: u32,
    pub bots: u32,
}

fn queued(
    n: &Names<'_>,
    d: &Dataset,
    commits: &HashMap<(i64, &str), Ts>,
    p: &PullRequest,
    now: Ts,
) -> QueuedPr {
    let ready = p.ready();
    let human: Vec<_> = p
        .reviews
        .iter()
        .filter(|r| !r.reviewer_is_bot && r.reviewer != p.author && r.at >= ready)
        .collect();
    let standing = review::standing(p, |sha| commits.get(&(p.repo, sha)).copied(), now);
    let (state, since) = (PrState::from(standing.state), standing.since);
    let mut reviewers: Vec<String> = human.iter().filter_map(|r| n.person(r.reviewer)).collect();
    reviewers.dedup();
    let team = d
        .repos
        .iter()
        .find(|r| r.id == p.repo)
        .and_then(|r| r.team.clone());
    QueuedPr {
        pull_request: PrRef {
            id: p.id,
            repo: n.repo(p.repo),
            number: p.number,
            title: p.title.clone(),
            url: n.links.pull_requests.get(&p.id).cloned(),
        },
        author: n.person(p.author),
        team,
        state,
        again: standing.again,
        waiting_since: time(since),
        waiting_secs: now - since,
        size: p.size(),
        requested: p
            .requested
            .iter()
            .filter_map(|r| n.person(Some(*r)))
            .collect(),
        reviewers,
        labels: p.labels.clone(),
    }
}

fn open_prs<'a>(d: &'a Dataset, team: Option<&str>) -> impl Iterator<Item = &'a PullRequest> {
    let team_repos: Option<Vec<i64>> = team.map(|t| {
        d.repos
            .iter()
            .filter(|r| r.team.as_deref() == Some(t))
            .map(|r| r.id)
            .collect()
    });
    d.pull_requests.iter().filter(move |p| {
        p.merged_at.is_none()
            && p.closed_at.is_none()
            && team_repos.as_ref().is_none_or(|ids| ids.contains(&p.repo))
    })
}

fn queue(d: &Dataset, n: &Names<'_>, team: Option<&str>, now: Ts) -> (Vec<QueuedPr>, u32, u32) {
    let (mut drafts, mut bots) = (0, 0);
    let mut q: Vec<QueuedPr> = Vec::new();
    let commits: HashMap<(i64, &str), Ts> = d
        .commits
        .iter()
        .map(|c| ((c.repo, c.sha.as_str()), c.committed_at))
        .collect();
    for p in open_prs(d, team) {
        if p.author_is_bot {
            bots += 1;
        } else if p.draft {
            drafts += 1;
        } else {
            q.push(queued(n, d, &commits, p, now));
        }
    }
    q.sort_by(|a, b| {
        b.waiting_secs
            .cmp(&a.waiting_secs)
            .then(a.pull_request.id.cmp(&b.pull_request.id))
    });
    (q, drafts, bots)
}

/// The team filter of a page, validated.
fn team_arg(app: &App, team: Option<&str>) -> Result<Option<String>> {
    Ok(team
        .filter(|t| !t.is_empty())
        .map(|t| app.team_key(t))
        .transpose()?)
}

pub fn pr_queue(api: &Api, args: WindowArgs) -> Result<PrQueue> {
    api.ready()?;
    api.with_data(|app, data, _| {
        let team = team_arg(app, args.team.as_deref())?;
        let now = app.now();
        let n = Names::new(data).with_links(web_links(app)?);
        let (queue, drafts, bots) = queue(data, &n, team.as_deref(), now);
        Ok(PrQueue {
            now: time(now),
            team,
            teams: teams(app),
            queue,
            drafts,
            bots,
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Sprint health

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct SprintArgs {
    /// A sprint id or name [default: the team's active sprint, else the latest started].
    pub sprint: Option<String>,
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SprintRef {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub team: Option<String>,
    pub state: String,
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SprintItem {
    pub key: String,
    pub summary: String,
    pub points: Option<f64>,
    pub status: String,
    pub at: Option<String>,
    pub why: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Forecast {
    pub probability: f64,
    pub runs: u32,
    #[ts(type = "number")]
    pub seed: u64,
    pub working_days_left: u32,
    pub remaining_points: f64,
    pub history_days: u32,
    pub expected_points_p50: f64,
    pub expected_points_p15: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SprintHealth {
    pub sprint: SprintRef,
    pub committed: Vec<SprintItem>,
    pub committed_points: f64,
    pub added: Vec<SprintItem>,
    pub removed: Vec<SprintItem>,
    pub completed: Vec<SprintItem>,
    pub completed_points: f64,
    pub carry_over: Vec<SprintItem>,
    pub carried_in: Vec<SprintItem>,
    pub planning_accuracy: Rate,
    pub planning_accuracy_points: Option<f64>,
    pub scope_change: Option<f64>,
    pub blocked: Vec<SprintItem>,
    pub at_risk: Vec<SprintItem>,
    pub remaining_points: f64,
    pub forecast: Option<Forecast>,
    /// The burndown: remaining points per day against the ideal line.
    pub burndown: super::charts::ChartData,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SprintPage {
    pub teams: Vec<TeamRef>,
    /// The sprints to choose from, newest first.
    pub sprints: Vec<SprintRef>,
    pub health: SprintHealth,
}

fn sprint_ref(s: &Sprint) -> SprintRef {
    SprintRef {
        id: s.id,
        name: s.name.clone(),
        team: s.team.clone(),
        state: s.state.clone(),
        start: opt_time(s.start_at),
        end: opt_time(s.end_at),
    }
}

fn items(v: &[sprint::Item]) -> Vec<SprintItem> {
    v.iter()
        .map(|i| SprintItem {
            key: i.key.clone(),
            summary: i.summary.clone(),
            points: i.points,
            status: i.status.clone(),
            at: opt_time(i.at),
            why: i.why.clone(),
        })
        .collect()
}

pub fn health(data: &Dataset, s: &Sprint, at: Ts) -> Result<SprintHealth> {
    let h = sprint::sprint_health(data, s, at, &sprint::SprintOptions::default())
        .ok_or_else(|| ApiError::not_found(format!("sprint {} has no dates", s.name)))?;
    Ok(SprintHealth {
        sprint: sprint_ref(s),
        committed: items(&h.committed),
        committed_points: h.committed_points,
        added: items(&h.added),
        removed: items(&h.removed),
        completed: items(&h.completed),
        completed_points: h.completed_points,
        carry_over: items(&h.carry_over),
        carried_in: items(&h.carried_in),
        planning_accuracy: Rate {
            value: h.planning_accuracy.value,
            part: h.planning_accuracy.part as u32,
            total: h.planning_accuracy.total as u32,
        },
        planning_accuracy_points: h.planning_accuracy_points,
        scope_change: h.scope_change,
        blocked: items(&h.blocked),
        at_risk: items(&h.at_risk),
        remaining_points: h.remaining_points,
        forecast: h.forecast.as_ref().map(|f| Forecast {
            probability: f.probability,
            runs: f.runs as u32,
            seed: f.seed,
            working_days_left: f.working_days_left as u32,
            remaining_points: f.remaining_points,
            history_days: f.history_days as u32,
            expected_points_p50: f.expected_points_p50,
            expected_points_p15: f.expected_points_p15,
        }),
        burndown: super::charts::burndown(&h.burndown),
    })
}

pub fn sprint_page(api: &Api, args: SprintArgs) -> Result<SprintPage> {
    api.ready()?;
    api.with_data(|app, data, _| {
        let team = team_arg(app, args.team.as_deref())?;
        let now = app.now();
        let s =
            bosun_app::metrics::choose_sprint(data, args.sprint.as_deref(), team.as_deref(), now)?;
        let mut sprints: Vec<&Sprint> = data
            .sprints
            .iter()
            .filter(|x| team.as_deref().is_none_or(|t| x.team.as_deref() == Some(t)))
            .collect();
        sprints.sort_by_key(|x| std::cmp::Reverse((x.start_at, x.id)));
        Ok(SprintPage {
            teams: teams(app),
            sprints: sprints.into_iter().map(sprint_ref).collect(),
            health: health(data, s, now)?,
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Team

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Member {
    pub key: String,
    pub name: String,
    pub email: Option<String>,
    pub team: Option<String>,
    pub team_name: Option<String>,
    pub manager: Option<String>,
    /// One of the manager's own direct reports (1:1 prep is for them).
    pub direct_report: bool,
    /// Providers with a linked account, e.g. github, jira, slack.
    pub accounts: Vec<String>,
    /// In the window: pull requests merged, reviews given (one per PR).
    pub merged: u32,
    pub reviews_given: u32,
    /// Now: open pull requests (not drafts), review requests waiting on them, tickets in
    /// progress (active or waiting) and, of those, the blocked ones (waiting, flagged or blocked by
    /// an unfinished ticket).
    pub open_prs: u32,
    pub reviews_pending: u32,
    pub in_progress: Vec<String>,
    pub blocked: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TeamPage {
    pub window: super::common::Window,
    pub me: Option<String>,
    pub members: Vec<Member>,
    /// Accounts nobody could be matched to a person.
    pub unmatched: u32,
}

/// Person id → key, and the keys of the manager's direct reports.
/// Person ids by key, the keys of my direct reports, and my name.
type KeysAndReports = (HashMap<String, i64>, Vec<String>, Option<String>);

fn keys_and_reports(app: &App) -> Result<KeysAndReports> {
    let store = app.store()?;
    let conn = store.conn();
    let ids: HashMap<String, i64> = identity::person_ids_by_key(conn)?.into_iter().collect();
    let me = app.config.identity.me.trim().to_lowercase();
    let mut reports = Vec::new();
    let mut me_name = None;
    for (key, manager) in identity::reports_of(conn, &me)? {
        reports.push(key);
        me_name = Some(manager);
    }
    Ok((ids, reports, me_name))
}

pub fn team_page(api: &Api, args: WindowArgs) -> Result<TeamPage> {
    api.ready()?;
    let app = api.app();
    let people = app.people()?;
    let (ids, reports, me) = keys_and_reports(&app)?;
    api.with_data(|app, data, analysis| {
        let (scope, window) = scope(
            app,
            &WindowArgs {
                days: Some(args.days.unwrap_or(30)),
                ..args.clone()
            },
        )?;
        let m = prs::pr_metrics(data, analysis, &scope);
        let merged = |id: i64| {
            data.pull_requests
                .iter()
                .filter(|p| p.author == Some(id) && p.merged_at.is_some_and(|t| scope.contains(t)))
                .count() as u32
        };
        use bosun_core::model::StatusCategory;
        let started = |id: i64| {
            data.tickets.iter().filter(move |t| {
                t.assignee == Some(id)
                    && matches!(
                        t.status_category,
                        StatusCategory::Active | StatusCategory::Waiting
                    )
            })
        };
        let done: std::collections::HashSet<&str> = data
            .tickets
            .iter()
            .filter(|t| t.status_category == StatusCategory::Done)
            .map(|t| t.key.as_str())
            .collect();
        let is_blocked = |t: &bosun_metrics::data::Ticket| {
            t.status_category == StatusCategory::Waiting
                || t.flagged
                || t.blocked_by.iter().any(|k| !done.contains(k.as_str()))
        };
        let members = people
            .people
            .iter()
            .filter(|p| !p.is_bot)
            .filter(|p| {
                scope
                    .team
                    .as_deref()
                    .is_none_or(|t| p.team.as_deref() == Some(t))
            })
            .map(|p| {
                let id = ids.get(&p.key).copied().unwrap_or(-1);
                let load = m.review_load.iter().find(|l| l.person == id);
                let mut accounts: Vec<String> =
                    p.accounts.iter().map(|a| a.provider.clone()).collect();
                accounts.dedup();
                Member {
                    key: p.key.clone(),
                    name: p.name.clone(),
                    email: p.email.clone(),
                    team: p.team.clone(),
                    team_name: p.team_name.clone(),
                    manager: p.manager.clone(),
                    direct_report: reports.contains(&p.key),
                    accounts,
                    merged: merged(id),
                    reviews_given: load.map_or(0, |l| l.reviews as u32),
                    open_prs: open_prs(data, None)
                        .filter(|pr| pr.author == Some(id) && !pr.draft)
                        .count() as u32,
                    reviews_pending: load.map_or(0, |l| l.pending as u32),
                    in_progress: started(id).map(|t| t.key.clone()).collect(),
                    blocked: started(id)
                        .filter(|t| is_blocked(t))
                        .map(|t| t.key.clone())
                        .collect(),
                }
            })
            .collect();
        Ok(TeamPage {
            window,
            me: me.clone(),
            members,
            unmatched: people.unmatched.len() as u32,
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Today

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Happening {
    /// merged, deployed, deploy_failed, incident, done
    pub kind: String,
    pub at: String,
    pub title: String,
    pub detail: String,
    /// Its page at the provider (the pull request, the incident, the ticket), when known.
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Meeting {
    /// standup, sprint_review, one_on_one
    pub kind: String,
    pub title: String,
    pub detail: String,
    /// The page that shows its data: sprint, team, prs.
    pub page: String,
    /// The note that prepares it (`note` endpoint): standup, sprint_report or one_on_one, for
    /// this team or person.
    pub note_kind: String,
    pub team: Option<String>,
    pub person: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Today {
    pub now: String,
    pub me: Option<String>,
    pub signals: Vec<SignalView>,
    /// Subjects with an open signal, one card each, the most severe first (acknowledged and
    /// snoozed ones are not here, nor in any count).
    pub signal_groups: Vec<ledger::SignalGroup>,
    /// Open pull requests by people, not drafts (the triage queue's length).
    pub waiting_prs: u32,
    /// Of those, the ones waiting on reviewers for more than a day (all of them, not the list's
    /// length).
    pub waiting_over_day: u32,
    /// The pull requests counted in `waiting_over_day`, the longest first (at most 5).
    pub longest_waiting: Vec<QueuedPr>,
    pub blocked: Vec<SprintItem>,
    pub open_incidents: u32,
    /// What changed in the last 24 hours, newest first.
    pub since_yesterday: Vec<Happening>,
    pub meetings: Vec<Meeting>,
}

pub fn today(api: &Api, _: NoArgs) -> Result<Today> {
    api.ready()?;
    let app = api.app();
    let signals = ledger::open_signals(&app)?;
    let (_, reports, me) = keys_and_reports(&app)?;
    let people = app.people()?;
    api.with_data(|app, data, analysis| {
        let now = app.now();
        let since = now - DAY;
        let n = Names::new(data).with_links(web_links(app)?);
        let (queue, _, _) = queue(data, &n, None, now);
        let over_day: Vec<&QueuedPr> = queue
            .iter()
            .filter(|q| q.state.waits_on_reviewers() && q.waiting_secs > DAY)
            .collect();
        let mut happened = Vec::new();
        for p in &data.pull_requests {
            if let Some(at) = p.merged_at.filter(|t| *t > since && *t <= now) {
                happened.push((
                    at,
                    Happening {
                        kind: "merged".into(),
                        at: time(at),
                        title: format!("{}#{} {}", n.repo(p.repo), p.number, p.title),
                        detail: n.person(p.author).unwrap_or_default(),
                        url: n.links.pull_requests.get(&p.id).cloned(),
                    },
                ));
            }
        }
        for r in analysis
            .records
            .iter()
            .filter(|r| r.at > since && r.at <= now)
        {
            let failed = !r.failures.is_empty();
            happened.push((
                r.at,
                Happening {
                    kind: if failed { "deploy_failed" } else { "deployed" }.into(),
                    at: time(r.at),
                    title: format!("{} {}", n.repo(r.repo), r.external_id),
                    url: None,
                    detail: format!(
                        "{} change{}, {} pull request{}",
                        r.changes.len(),
                        if r.changes.len() == 1 { "" } else { "s" },
                        r.pull_requests.len(),
                        if r.pull_requests.len() == 1 { "" } else { "s" }
                    ),
                },
            ));
        }
        for i in data
            .incidents
            .iter()
            .filter(|i| i.created_at > since && i.created_at <= now)
        {
            happened.push((
                i.created_at,
                Happening {
                    kind: "incident".into(),
                    at: time(i.created_at),
                    title: format!("{} {}", i.external_id, i.title),
                    url: n.links.incidents.get(&i.id).cloned(),
                    detail: match i.resolved_at {
                        Some(r) if r <= now => "resolved".into(),
                        _ => "open".into(),
                    },
                },
            ));
        }
        for t in &data.tickets {
            if let Some(at) = t.done_at().filter(|d| *d > since && *d <= now) {
                happened.push((
                    at,
                    Happening {
                        kind: "done".into(),
                        at: time(at),
                        title: format!("{} {}", t.key, t.summary),
                        detail: n.person(t.assignee).unwrap_or_default(),
                        url: n.links.tickets.get(&t.id).cloned(),
                    },
                ));
            }
        }
        happened.sort_by_key(|h| std::cmp::Reverse(h.0));
        let mut meetings = Vec::new();
        let mut blocked = Vec::new();
        // Each team's tickets once, not every ticket of the organisation for each active sprint.
        let per_team = sprint::SprintData::per_team(data);
        for s in data.sprints.iter().filter(|s| s.state == "active") {
            let team = s.team.clone().unwrap_or_default();
            meetings.push(Meeting {
                kind: "standup".into(),
                title: format!("{} standup", team_name(app, &team)),
                detail: s.name.clone(),
                page: "sprint".into(),
                note_kind: "standup".into(),
                team: s.team.clone(),
                person: None,
            });
            let health = per_team.get(&s.team.as_deref()).and_then(|d| {
                sprint::sprint_health_in(d, s, now, &sprint::SprintOptions::default())
            });
            if let Some(h) = health {
                blocked.extend(items(&h.blocked));
                if s.end_at.is_some_and(|e| e - now <= 2 * DAY && e > now) {
                    meetings.push(Meeting {
                        kind: "sprint_review".into(),
                        title: format!("{} sprint review", s.name),
                        detail: format!(
                            "{} of {} committed items done",
                            h.planning_accuracy.part, h.planning_accuracy.total
                        ),
                        page: "sprint".into(),
                        note_kind: "sprint_report".into(),
                        team: s.team.clone(),
                        person: None,
                    });
                }
            }
        }
        for p in people.people.iter().filter(|p| reports.contains(&p.key)) {
            meetings.push(Meeting {
                kind: "one_on_one".into(),
                title: format!("1:1 with {}", p.name),
                detail: p.team_name.clone().unwrap_or_default(),
                page: "team".into(),
                note_kind: "one_on_one".into(),
                team: p.team.clone(),
                person: Some(p.key.clone()),
            });
        }
        Ok(Today {
            now: time(now),
            me: me.clone(),
            signals: signals.clone(),
            signal_groups: ledger::group_signals(&signals)
                .into_iter()
                .filter(|g| g.status == bosun_signals::lifecycle::Status::Open)
                .collect(),
            waiting_prs: queue.len() as u32,
            waiting_over_day: over_day.len() as u32,
            longest_waiting: over_day.into_iter().take(5).cloned().collect(),
            blocked,
            open_incidents: data
                .incidents
                .iter()
                .filter(|i| i.created_at <= now && i.resolved_at.is_none_or(|r| r > now))
                .count() as u32,
            since_yesterday: happened.into_iter().map(|(_, h)| h).take(40).collect(),
            meetings,
        })
    })
}

fn team_name(app: &App, key: &str) -> String {
    app.config
        .teams
        .iter()
        .find(|t| t.key == key)
        .map_or_else(|| key.to_string(), |t| t.name.clone())
}

// ---------------------------------------------------------------------------------------------
// Identity suggestions

/// One account of a suggested link.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SuggestedAccount {
    /// `provider:login-or-id`.
    pub handle: String,
    pub provider: String,
    pub login: Option<String>,
    pub name: Option<String>,
    pub emails: Vec<String>,
}

/// Two accounts a rule linked into one person.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IdentitySuggestion {
    pub a: SuggestedAccount,
    pub b: SuggestedAccount,
    /// email, noreply or name.
    pub method: String,
    pub confidence: f64,
    /// The rule, in words.
    pub why: String,
    /// The person they are one of now.
    pub person: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IdentitySuggestions {
    pub suggestions: Vec<IdentitySuggestion>,
    /// Accounts that are a person of their own (nobody matched them).
    pub unmatched: u32,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct DecideIdentityArgs {
    /// Two account handles (`provider:login-or-id`).
    pub a: String,
    pub b: String,
    /// True: one person (linked for sure). False: two people (never linked by a rule again).
    pub same: bool,
}

fn suggestions_view(app: &bosun_app::App) -> Result<IdentitySuggestions> {
    let side = |a: bosun_app::identity::SuggestedAccount| SuggestedAccount {
        handle: a.handle,
        provider: a.provider,
        login: a.login,
        name: a.name,
        emails: a.emails,
    };
    Ok(IdentitySuggestions {
        suggestions: app
            .identity_suggestions()?
            .into_iter()
            .map(|s| IdentitySuggestion {
                a: side(s.a),
                b: side(s.b),
                method: s.method,
                confidence: s.confidence,
                why: s.why,
                person: s.person,
            })
            .collect(),
        unmatched: app.people()?.unmatched.len() as u32,
    })
}

pub fn identity_suggestions(api: &Api, _: NoArgs) -> Result<IdentitySuggestions> {
    api.ready()?;
    suggestions_view(&api.app())
}

pub fn decide_identity(api: &Api, args: DecideIdentityArgs) -> Result<IdentitySuggestions> {
    api.ready()?;
    let app = api.app();
    app.decide_identity(&args.a, &args.b, args.same)?;
    api.mark_stale();
    suggestions_view(&app)
}
