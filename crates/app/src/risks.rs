//! The risk register (issue 20.5). Bosun *proposes* risks from evidence — a goal forecast past
//! its due date, knowledge in one head on code with open work, repeat incidents on a service,
//! overdue incident follow-ups, a team missing its sprints three running, a key person away in a
//! release week — each with likelihood, impact, a proposed owner, a mitigation and a review date.
//! Nothing enters the register until the manager accepts it; they can edit or dismiss it too, and
//! every decision is audited. Each evaluation brings every proposal's evidence up to date and says
//! whether its condition still holds, got worse, or cleared.

use crate::goals::GoalStatus;
use crate::{App, AppError, Result};
use bosun_core::time::{DAY, Ts, from_ts, rfc3339};
use bosun_metrics::data::Dataset;
use bosun_metrics::dora::Analysis;
use bosun_metrics::sprint::{self, SprintOptions};
use bosun_signals::Kind as SignalKind;
use bosun_store::risks::{self as db, Change, RiskRow};
use bosun_store::signals::SignalRow;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The signal statuses whose condition still holds.
const LIVE_SIGNALS: [&str; 3] = ["open", "acknowledged", "snoozed"];

/// Days until a new proposal's review.
pub const REVIEW_AFTER_DAYS: i64 = 14;
/// Closed sprints finishing less than this share of their commitment missed it.
pub const SPRINT_MISSED_BELOW: f64 = 0.8;
/// Sprints in a row at risk or missed that make a risk.
pub const SPRINTS_RUNNING: usize = 3;
/// A person finishing this share of a team's tickets (last 90 days) is key to it.
pub const KEY_PERSON_SHARE: f64 = 0.25;

/// What kind of risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RiskKind {
    /// A goal's forecast lands after its due date.
    GoalLate,
    /// Code with open work that only one person knows.
    BusFactor,
    /// The same incident again and again on a service.
    RepeatIncidents,
    /// Incident follow-ups past their due date.
    OverdueFollowUps,
    /// A team at risk of missing, or missing, its sprint three sprints running.
    SprintMisses,
    /// A key person away during a release week.
    KeyPersonAway,
}

impl RiskKind {
    pub const ALL: [RiskKind; 6] = [
        RiskKind::GoalLate,
        RiskKind::BusFactor,
        RiskKind::RepeatIncidents,
        RiskKind::OverdueFollowUps,
        RiskKind::SprintMisses,
        RiskKind::KeyPersonAway,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            RiskKind::GoalLate => "goal_late",
            RiskKind::BusFactor => "bus_factor",
            RiskKind::RepeatIncidents => "repeat_incidents",
            RiskKind::OverdueFollowUps => "overdue_follow_ups",
            RiskKind::SprintMisses => "sprint_misses",
            RiskKind::KeyPersonAway => "key_person_away",
        }
    }

    pub fn parse(s: &str) -> Option<RiskKind> {
        RiskKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Its name in tables.
    pub const fn label(self) -> &'static str {
        match self {
            RiskKind::GoalLate => "Goal late",
            RiskKind::BusFactor => "Bus factor",
            RiskKind::RepeatIncidents => "Repeat incidents",
            RiskKind::OverdueFollowUps => "Overdue follow-ups",
            RiskKind::SprintMisses => "Sprints missed",
            RiskKind::KeyPersonAway => "Key person away",
        }
    }
}

/// Where a risk is in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RiskStatus {
    /// Bosun proposes it; not in the register.
    Proposed,
    /// The manager accepted it: it is in the register.
    Accepted,
    /// The manager dismissed it.
    Dismissed,
}

impl RiskStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            RiskStatus::Proposed => "proposed",
            RiskStatus::Accepted => "accepted",
            RiskStatus::Dismissed => "dismissed",
        }
    }

    fn parse(s: &str) -> RiskStatus {
        match s {
            "accepted" => RiskStatus::Accepted,
            "dismissed" => RiskStatus::Dismissed,
            _ => RiskStatus::Proposed,
        }
    }
}

/// What the latest evaluation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// As when proposed or last decided.
    Holds,
    /// Worse than when proposed or last decided.
    Worse,
    /// The evidence no longer shows it.
    Cleared,
}

impl Condition {
    fn parse(s: &str) -> Condition {
        match s {
            "worse" => Condition::Worse,
            "cleared" => Condition::Cleared,
            _ => Condition::Holds,
        }
    }
}

/// A record behind a risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RiskEvidence {
    /// goal, ticket, pull_request, incident, sprint, person, code_owners, forecast, time_off.
    pub kind: String,
    /// `TIDE-12`, `acme/api#4`, `goal:3`.
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub url: Option<String>,
}

fn ev(kind: &str, reference: impl Into<String>, title: impl Into<String>) -> RiskEvidence {
    RiskEvidence {
        kind: kind.into(),
        reference: reference.into(),
        title: title.into(),
        url: None,
    }
}

/// A risk.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RiskView {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub kind: RiskKind,
    /// What it is about: `goal:3`, `repo:acme/api`, `team:harbor`.
    pub subject: String,
    pub title: String,
    pub status: RiskStatus,
    pub condition: Condition,
    /// 1 (rare) to 5 (almost certain).
    pub likelihood: u8,
    /// 1 (minor) to 5 (severe).
    pub impact: u8,
    /// likelihood × impact (1–25).
    pub score: u8,
    pub owner: Option<String>,
    pub mitigation: String,
    /// `YYYY-MM-DD`.
    pub review: Option<String>,
    /// Why Bosun proposes it, with the numbers.
    pub why: String,
    pub evidence: Vec<RiskEvidence>,
    pub team: Option<String>,
    pub first_seen: String,
    pub last_seen: String,
    pub cleared: Option<String>,
    pub decided: Option<String>,
    pub decided_by: Option<String>,
    pub note: Option<String>,
    /// The manager set its likelihood, impact, owner, mitigation or review date.
    pub edited: bool,
}

/// `bosun risks`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RisksView {
    pub as_of: String,
    /// Accepted first, then proposed, then dismissed; by score within each.
    pub risks: Vec<RiskView>,
    /// What this evaluation changed: new proposals, worse, cleared, returned.
    pub changes: Vec<String>,
    /// How each kind is proposed, in words.
    pub rules: Vec<String>,
}

/// The manager's values for a risk.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct RiskEdit {
    pub likelihood: Option<u8>,
    pub impact: Option<u8>,
    pub owner: Option<String>,
    pub mitigation: Option<String>,
    /// `YYYY-MM-DD`; an empty string clears it.
    pub review: Option<String>,
}

/// A condition seen in the evidence now.
#[derive(Debug, Clone, PartialEq)]
struct Candidate {
    kind: RiskKind,
    subject: String,
    title: String,
    likelihood: u8,
    impact: u8,
    owner: Option<String>,
    mitigation: String,
    why: String,
    evidence: Vec<RiskEvidence>,
    team: Option<String>,
    /// How bad, in the kind's own unit.
    measure: f64,
}

fn day(t: Ts) -> String {
    from_ts(t).date_naive().to_string()
}

fn view(r: RiskRow) -> Option<RiskView> {
    let kind = RiskKind::parse(&r.kind)?;
    let clamp = |x: i64| x.clamp(1, 5) as u8;
    Some(RiskView {
        id: r.id,
        kind,
        subject: r.subject,
        title: r.title,
        status: RiskStatus::parse(&r.status),
        condition: Condition::parse(&r.condition),
        likelihood: clamp(r.likelihood),
        impact: clamp(r.impact),
        score: clamp(r.likelihood) * clamp(r.impact),
        owner: r.owner,
        mitigation: r.mitigation,
        review: r.review_at.map(day),
        why: r.why,
        evidence: serde_json::from_value(r.evidence).unwrap_or_default(),
        team: r.team,
        first_seen: rfc3339(r.first_seen_at),
        last_seen: rfc3339(r.last_seen_at),
        cleared: r.cleared_at.map(rfc3339),
        decided: r.decided_at.map(rfc3339),
        decided_by: r.decided_by,
        note: r.note,
        edited: r.edited,
    })
}

impl RiskView {
    /// Its status in a word.
    pub fn status_word(&self) -> &'static str {
        self.status.as_str()
    }

    /// Its condition in a word.
    pub fn condition_word(&self) -> &'static str {
        match self.condition {
            Condition::Holds => "holds",
            Condition::Worse => "worse",
            Condition::Cleared => "cleared",
        }
    }
}

fn order(v: &mut [RiskView]) {
    let rank = |s: RiskStatus| match s {
        RiskStatus::Accepted => 0,
        RiskStatus::Proposed => 1,
        RiskStatus::Dismissed => 2,
    };
    v.sort_by(|a, b| {
        (
            rank(a.status),
            a.condition == Condition::Cleared,
            std::cmp::Reverse(a.score),
            a.id,
        )
            .cmp(&(
                rank(b.status),
                b.condition == Condition::Cleared,
                std::cmp::Reverse(b.score),
                b.id,
            ))
    });
}

/// Everything the proposals read, gathered by the caller.
pub struct RiskInputs<'a> {
    pub data: &'a Dataset,
    pub analysis: &'a Analysis,
    /// The stored signals still open (the latest evaluation's).
    pub signals: &'a [SignalRow],
}

impl App {
    /// The manager's name (the `me` person's), for proposed owners.
    fn manager_name(&self, data: &Dataset) -> Option<String> {
        let store = self.store().ok()?;
        let me = self.config.identity.me.trim();
        let id = bosun_store::identity::person_by_ref(store.conn(), me).ok()??;
        data.people
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
    }

    /// A team's name as configured (its key when it has none).
    fn team_name(&self, key: &str) -> String {
        self.config
            .teams
            .iter()
            .find(|t| t.key == key)
            .map_or_else(|| key.to_string(), |t| t.name.clone())
    }

    /// A team's manager's name (its `manager` setting), else the manager's own.
    fn team_owner(&self, data: &Dataset, team: Option<&str>) -> Option<String> {
        let store = self.store().ok()?;
        let set = team
            .and_then(|t| self.config.teams.iter().find(|c| c.key == t))
            .and_then(|t| t.manager.as_deref())
            .and_then(|m| {
                bosun_store::identity::person_by_ref(store.conn(), m)
                    .ok()
                    .flatten()
            })
            .and_then(|id| data.people.iter().find(|p| p.id == id))
            .map(|p| p.name.clone());
        drop(store);
        set.or_else(|| self.manager_name(data))
    }

    fn candidates(&self, inp: &RiskInputs<'_>) -> Result<Vec<Candidate>> {
        let now = self.now();
        let mut out = Vec::new();
        self.goal_risks(inp, now, &mut out)?;
        self.signal_risks(inp, &mut out);
        self.sprint_risks(inp, now, &mut out);
        self.away_risks(inp, now, &mut out)?;
        Ok(out)
    }

    fn goal_risks(&self, inp: &RiskInputs<'_>, now: Ts, out: &mut Vec<Candidate>) -> Result<()> {
        let goals = self.goals_of(inp.data, inp.analysis, None, None)?;
        for g in goals.goals {
            if !matches!(g.status, GoalStatus::AtRisk | GoalStatus::OffTrack) {
                continue;
            }
            let due = NaiveDate::parse_from_str(&g.due, "%Y-%m-%d").ok();
            let late_days = |d: &Option<String>| -> Option<i64> {
                let d = NaiveDate::parse_from_str(d.as_deref()?, "%Y-%m-%d").ok()?;
                Some((d - due?).num_days())
            };
            let (p50, p85) = g
                .forecast
                .as_ref()
                .map_or((None, None), |f| (f.p50.clone(), f.p85.clone()));
            // Days the 85 % date lands after the due date (a year when it never does).
            let late = if g.forecast.is_some() {
                late_days(&p85).unwrap_or(365).max(0)
            } else {
                let due_ts = due
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map_or(now, |t| t.and_utc().timestamp());
                ((now - due_ts) / DAY).max(0)
            };
            let left = g.items_total - g.items_done;
            let likelihood = if g.status == GoalStatus::OffTrack {
                4
            } else {
                3
            };
            let mut evidence = vec![RiskEvidence {
                kind: "goal".into(),
                reference: format!("goal:{}", g.id),
                title: format!("{} ({}, due {})", g.title, g.quarter, g.due),
                url: None,
            }];
            if g.forecast.is_some() {
                evidence.push(ev(
                    "forecast",
                    format!("goal:{}", g.id),
                    format!(
                        "{left} of {} tickets left: 50 % by {}, 85 % by {}",
                        g.items_total,
                        p50.as_deref().unwrap_or("never"),
                        p85.as_deref().unwrap_or("never")
                    ),
                ));
            }
            for w in g.work.iter().filter(|w| !w.done).take(8) {
                evidence.push(RiskEvidence {
                    kind: "ticket".into(),
                    reference: w.key.clone(),
                    title: format!("{} ({})", w.summary, w.status),
                    url: w.url.clone(),
                });
            }
            let why = match &g.forecast {
                Some(_) if p50.is_none() => format!(
                    "{} is due {}; at its team's pace the {left} tickets left do not finish within three years (scope grows as fast as it is done, or nothing of it is being finished).",
                    g.title, g.due
                ),
                Some(_) => format!(
                    "{} is due {}; at its team's pace the {left} tickets left finish by {} (50 %) and {} (85 %), {}.",
                    g.title,
                    g.due,
                    p50.as_deref().unwrap_or("never"),
                    p85.as_deref().unwrap_or("never"),
                    if late >= 365 {
                        "not within three years at this pace".to_string()
                    } else {
                        format!("{late} days after it")
                    }
                ),
                None => format!(
                    "{} was due {} and its key results are not met ({}).",
                    g.title,
                    g.due,
                    g.key_results
                        .iter()
                        .map(|k| k.detail.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            };
            out.push(Candidate {
                kind: RiskKind::GoalLate,
                subject: format!("goal:{}", g.id),
                title: format!("{} will miss {}", g.title, g.due),
                likelihood,
                impact: 4,
                owner: g.owner.clone().or_else(|| self.team_owner(inp.data, g.team.as_deref())),
                mitigation: "Agree now what to cut or move: trim the goal to what its 85 % date allows, add people to its open work, or move the due date and tell whoever relies on it.".into(),
                why,
                evidence,
                team: g.team.clone(),
                measure: late as f64,
            });
        }
        Ok(())
    }

    /// Bus factor, repeat incidents and overdue follow-ups, from the open signals.
    fn signal_risks(&self, inp: &RiskInputs<'_>, out: &mut Vec<Candidate>) {
        let sig_ev = |s: &SignalRow| -> Vec<RiskEvidence> {
            serde_json::from_value::<Vec<RiskEvidence>>(s.evidence.clone()).unwrap_or_default()
        };
        // Bus factor: one proposal per repository, from paths with an open pull request (the
        // signal is medium then) — knowledge in one head where work is waiting on it.
        let mut by_repo: BTreeMap<String, Vec<&SignalRow>> = BTreeMap::new();
        for s in inp
            .signals
            .iter()
            .filter(|s| s.kind == SignalKind::BusFactor.as_str())
        {
            let repo = s
                .subject_ref
                .split_once(':')
                .map_or(s.subject_ref.as_str(), |(r, _)| r);
            by_repo.entry(repo.to_string()).or_default().push(s);
        }
        for (repo, sigs) in by_repo {
            if !sigs.iter().any(|s| s.severity != "low") {
                continue;
            }
            let people: Vec<String> = {
                let mut v: Vec<String> = sigs.iter().filter_map(|s| s.person.clone()).collect();
                v.sort();
                v.dedup();
                v
            };
            let team = sigs.iter().find_map(|s| s.team.clone());
            let mut evidence: Vec<RiskEvidence> = sigs
                .iter()
                .map(|s| ev("signal", format!("signal:{}", s.id), s.why.clone()))
                .collect();
            evidence.extend(sigs.iter().flat_map(|s| sig_ev(s)).take(10));
            out.push(Candidate {
                kind: RiskKind::BusFactor,
                subject: format!("repo:{repo}"),
                title: format!("Only {} knows parts of {repo}", people.join(" / ")),
                likelihood: 3,
                impact: 4,
                owner: self.team_owner(inp.data, team.as_deref()),
                mitigation: format!(
                    "Spread the knowledge: pair someone with {} on the open work, make them the second reviewer of these paths, and write down what only they know.",
                    people.join(" and ")
                ),
                why: format!(
                    "{} of {repo} had one person authoring, reviewing or owning them in the bus-factor window, with open work touching them: {}",
                    bosun_signals::text::plural(sigs.len(), "path", "paths"),
                    sigs.iter().map(|s| s.why.as_str()).collect::<Vec<_>>().join(" ")
                ),
                evidence,
                team,
                measure: sigs.len() as f64,
            });
        }
        for s in inp
            .signals
            .iter()
            .filter(|s| s.kind == SignalKind::RepeatIncidents.as_str())
        {
            let n = sig_ev(s)
                .iter()
                .filter(|e| e.kind == "incident")
                .count()
                .max(1);
            out.push(Candidate {
                kind: RiskKind::RepeatIncidents,
                subject: format!("{}:{}", s.subject_kind, s.subject_ref),
                title: format!("Failing the same way again and again: {}", s.title),
                likelihood: 4,
                impact: 3,
                owner: self.team_owner(inp.data, s.team.as_deref()),
                mitigation: "Fix the cause, not the symptom: give the shared root cause one owner and one ticket, and check the postmortems' follow-ups are done.".into(),
                why: s.why.clone(),
                evidence: sig_ev(s),
                team: s.team.clone(),
                measure: n as f64,
            });
        }
        // Overdue follow-ups: one proposal per team.
        let mut by_team: BTreeMap<Option<String>, Vec<&SignalRow>> = BTreeMap::new();
        for s in inp
            .signals
            .iter()
            .filter(|s| s.kind == SignalKind::IncidentFollowupsOverdue.as_str())
        {
            by_team.entry(s.team.clone()).or_default().push(s);
        }
        for (team, sigs) in by_team {
            let n = sigs.len();
            let name = team.clone().unwrap_or_else(|| "no team".into());
            out.push(Candidate {
                kind: RiskKind::OverdueFollowUps,
                subject: format!("team:{name}"),
                title: format!(
                    "{} postmortem follow-up{} overdue ({})",
                    n,
                    if n == 1 { "" } else { "s" },
                    team.as_deref().map_or_else(|| name.clone(), |t| self.team_name(t))
                ),
                likelihood: if n >= 5 { 4 } else { 3 },
                impact: 3,
                owner: self.team_owner(inp.data, team.as_deref()),
                mitigation: "Put the overdue follow-ups into the next sprint's commitment (or close the ones no longer worth doing, saying why), oldest first.".into(),
                why: format!(
                    "{} from past incidents are past their due date: the fixes that stop those incidents coming back are not in.",
                    bosun_signals::text::plural(n, "follow-up", "follow-ups")
                ),
                evidence: sigs
                    .iter()
                    .map(|s| RiskEvidence {
                        kind: "ticket".into(),
                        reference: s.subject_ref.clone(),
                        title: s.why.clone(),
                        url: sig_ev(s).into_iter().find_map(|e| e.url),
                    })
                    .collect(),
                team,
                measure: n as f64,
            });
        }
    }

    /// A team whose last three sprints were each missed (closed under 80 % of the commitment) or
    /// at risk (the running one's forecast).
    fn sprint_risks(&self, inp: &RiskInputs<'_>, now: Ts, out: &mut Vec<Candidate>) {
        let data = inp.data;
        let threshold = self.config.signals.sprint_risk_probability;
        let per_team = sprint::SprintData::per_team(data);
        for team in sprint_teams(data) {
            let Some(sd) = per_team.get(&Some(team)) else {
                continue;
            };
            let mut sprints: Vec<&bosun_metrics::data::Sprint> = data
                .sprints
                .iter()
                .filter(|s| s.team.as_deref() == Some(team))
                .filter(|s| s.start_at.is_some_and(|t| t <= now))
                .collect();
            sprints.sort_by_key(|s| std::cmp::Reverse(s.start_at));
            let mut run: Vec<(String, String)> = Vec::new();
            for s in sprints.iter().take(6) {
                let Some(h) = sprint::sprint_health_in(sd, s, now, &SprintOptions::default())
                else {
                    break;
                };
                let closed = s.state == "closed" || s.end_at.is_some_and(|e| e <= now);
                let what = if closed {
                    match h.planning_accuracy.value {
                        Some(v) if v < SPRINT_MISSED_BELOW => format!(
                            "finished {} of {} committed tickets ({:.0} %)",
                            h.planning_accuracy.part,
                            h.planning_accuracy.total,
                            v * 100.0
                        ),
                        _ => break,
                    }
                } else {
                    match &h.forecast {
                        Some(f)
                            if f.history_days > 0
                                && f.remaining_points > 0.0
                                && f.probability < threshold =>
                        {
                            format!(
                                "{:.0} % chance to finish the {} points left",
                                f.probability * 100.0,
                                f.remaining_points
                            )
                        }
                        _ => break,
                    }
                };
                run.push((s.name.clone(), what));
            }
            if run.len() < SPRINTS_RUNNING {
                continue;
            }
            out.push(Candidate {
                kind: RiskKind::SprintMisses,
                subject: format!("team:{team}"),
                title: format!("{} has missed {} sprints running", self.team_name(team), run.len()),
                likelihood: 4,
                impact: 3,
                owner: self.team_owner(data, Some(team)),
                mitigation: "Commit to what the team finishes, not what it hopes: plan the next sprint to the capacity recommendation (bosun capacity), and find what keeps adding or blocking work mid-sprint.".into(),
                why: format!(
                    "The last {} sprints each missed their commitment (closed under {:.0} % of it) or are forecast to: {}.",
                    run.len(),
                    SPRINT_MISSED_BELOW * 100.0,
                    run.iter().map(|(n, w)| format!("{n} {w}")).collect::<Vec<_>>().join("; ")
                ),
                evidence: run
                    .iter()
                    .map(|(n, w)| ev("sprint", n.clone(), w.clone()))
                    .collect(),
                team: Some(team.to_string()),
                measure: run.len() as f64,
            });
        }
    }

    /// A key person — someone only they know code of (bus factor), or who finished a quarter or
    /// more of their team's tickets in the last 90 days — with time off in a release week: the
    /// last week of their team's current or next sprint, or the week before a goal of the team is
    /// due.
    fn away_risks(&self, inp: &RiskInputs<'_>, now: Ts, out: &mut Vec<Candidate>) -> Result<()> {
        let data = inp.data;
        let time_off = self.time_off_by_person()?;
        if time_off.is_empty() {
            return Ok(());
        }
        // Why each person is key.
        let mut key: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for s in inp
            .signals
            .iter()
            .filter(|s| s.kind == SignalKind::BusFactor.as_str())
        {
            if let Some(p) = s.person_id {
                key.entry(p)
                    .or_default()
                    .push(format!("the only one who knows {}", s.subject_ref));
            }
        }
        let since = now - 90 * DAY;
        let mut done: HashMap<(Option<&str>, i64), usize> = HashMap::new();
        let mut team_done: HashMap<Option<&str>, usize> = HashMap::new();
        for t in &data.tickets {
            if t.done_at().is_some_and(|d| d > since && d <= now) {
                *team_done.entry(t.team.as_deref()).or_default() += 1;
                if let Some(a) = t.assignee {
                    *done.entry((t.team.as_deref(), a)).or_default() += 1;
                }
            }
        }
        for ((team, person), n) in &done {
            let all = team_done.get(team).copied().unwrap_or(0);
            if all >= 10 && *n as f64 / all as f64 >= KEY_PERSON_SHARE {
                key.entry(*person).or_default().push(format!(
                    "finished {n} of {}'s {all} tickets in the last 90 days",
                    team.unwrap_or("their team")
                ));
            }
        }
        // Release weeks per team: (label, first day, last day).
        let date = |t: Ts| from_ts(t).date_naive();
        let mut weeks: HashMap<Option<String>, Vec<(String, NaiveDate, NaiveDate)>> =
            HashMap::new();
        for team in sprint_teams(data) {
            let sprints: Vec<&bosun_metrics::data::Sprint> = data
                .sprints
                .iter()
                .filter(|s| s.team.as_deref() == Some(team))
                .collect();
            let current = sprints
                .iter()
                .filter(|s| s.state != "closed")
                .filter(|s| {
                    s.start_at.is_some_and(|a| a <= now) && s.end_at.is_some_and(|e| e > now)
                })
                .filter_map(|s| Some((s.name.clone(), s.end_at?)));
            let next = crate::capacity::next_sprint(&sprints, now).map(|w| {
                let name = if w.projected {
                    "the next sprint".to_string()
                } else {
                    w.name
                };
                (name, w.end)
            });
            for (name, end) in current.chain(next) {
                // The sprint's last seven days, its end (a 09:30 start) not among them.
                weeks.entry(Some(team.to_string())).or_default().push((
                    format!("the last week of {name}"),
                    date(end - 7 * DAY),
                    date(end - 1),
                ));
            }
        }
        {
            let store = self.store()?;
            for g in bosun_store::goals::all(store.conn())?
                .into_iter()
                .map(|s| s.goal)
            {
                if g.due_at < now || g.due_at > now + 91 * DAY {
                    continue;
                }
                weeks.entry(g.team.clone()).or_default().push((
                    format!("the week before {} is due", g.title),
                    date(g.due_at - 6 * DAY),
                    date(g.due_at),
                ));
            }
        }
        let today = date(now);
        for (person, reasons) in &key {
            let Some(p) = data.people.iter().find(|p| p.id == *person) else {
                continue;
            };
            let Some(off) = time_off.get(person) else {
                continue;
            };
            for (label, a, b) in weeks.get(&p.team).into_iter().flatten() {
                let days: i64 = off
                    .iter()
                    .filter(|(f, t)| *t >= today && f <= b && t >= a)
                    .map(|(f, t)| ((*t).min(*b) - (*f).max(*a)).num_days() + 1)
                    .sum();
                if days <= 0 {
                    continue;
                }
                let ranges: Vec<String> = off
                    .iter()
                    .filter(|(f, t)| f <= b && t >= a)
                    .map(|(f, t)| format!("{f} – {t}"))
                    .collect();
                let mut evidence = vec![ev("person", p.name.clone(), reasons.join("; "))];
                evidence.extend(
                    ranges
                        .iter()
                        .map(|r| ev("time_off", p.name.clone(), r.clone())),
                );
                out.push(Candidate {
                    kind: RiskKind::KeyPersonAway,
                    subject: format!("person:{}:{b}", p.id),
                    title: format!("{} is away in {label}", p.name),
                    likelihood: 4,
                    impact: 3,
                    owner: self.team_owner(data, p.team.as_deref()),
                    mitigation: format!(
                        "Plan the handover before {} leaves: who reviews and releases in their place, what must land before, and whether the release should move.",
                        p.name
                    ),
                    why: format!(
                        "{} is key ({}) and off {} in {label} ({a} – {b}).",
                        p.name,
                        reasons.join("; "),
                        bosun_signals::text::plural(days as usize, "day", "days"),
                    ),
                    evidence,
                    team: p.team.clone(),
                    measure: days as f64,
                });
            }
        }
        Ok(())
    }

    /// Evaluate the proposals now and write what changed (audited), then return the register.
    pub fn risks_with(&self, inp: &RiskInputs<'_>) -> Result<RisksView> {
        let now = self.now();
        let found = self.candidates(inp)?;
        let mut store = self.store()?;
        let changes = store.write(|tx| {
            let mut seen = Vec::new();
            let mut changes = Vec::new();
            for c in &found {
                let evidence = serde_json::to_value(&c.evidence)?;
                let (id, change) = db::seen(
                    tx,
                    &db::Seen {
                        kind: c.kind.as_str(),
                        subject: &c.subject,
                        title: &c.title,
                        likelihood: i64::from(c.likelihood),
                        impact: i64::from(c.impact),
                        owner: c.owner.as_deref(),
                        mitigation: &c.mitigation,
                        review_at: Some(now + REVIEW_AFTER_DAYS * DAY),
                        why: &c.why,
                        evidence: &evidence,
                        team: c.team.as_deref(),
                        measure: c.measure,
                    },
                    now,
                )?;
                seen.push(id);
                let what = match change {
                    Change::Proposed => "risk.propose",
                    Change::Returned => "risk.returned",
                    Change::Worse => "risk.worse",
                    Change::Same => continue,
                };
                let word = match change {
                    Change::Proposed => "new",
                    Change::Returned => "back",
                    _ => "worse",
                };
                changes.push(format!("{word} #{id}: {}", c.title));
                audit(tx, now, "bosun", what, id, serde_json::json!({
                    "kind": c.kind.as_str(), "subject": c.subject, "why": c.why, "measure": c.measure,
                }))?;
            }
            for id in db::clear_unseen(tx, &seen, now)? {
                changes.push(format!("cleared #{id}"));
                audit(tx, now, "bosun", "risk.cleared", id, serde_json::json!({}))?;
            }
            Ok(changes)
        })?;
        let mut risks: Vec<RiskView> = db::all(store.conn())?
            .into_iter()
            .filter_map(view)
            .collect();
        order(&mut risks);
        Ok(RisksView {
            as_of: rfc3339(now),
            risks,
            changes,
            rules: rules(),
        })
    }

    /// The stored signals whose condition still holds (open, acknowledged or snoozed): what the
    /// proposals read.
    pub fn live_signals(&self) -> Result<Vec<SignalRow>> {
        let store = self.store()?;
        Ok(bosun_store::signals::list(store.conn(), &LIVE_SIGNALS)?)
    }

    /// [`App::risks_with`] reading everything itself: the stored open signals are brought up to
    /// date first (as `bosun signals` does).
    pub fn risks(&self) -> Result<RisksView> {
        let signals = self.refresh_signals(&LIVE_SIGNALS)?.signals;
        let data = {
            let store = self.store()?;
            crate::metrics::load(store.conn())?
        };
        let analysis = bosun_metrics::dora::analyse(&data, &Default::default());
        self.risks_with(&RiskInputs {
            data: &data,
            analysis: &analysis,
            signals: &signals,
        })
    }

    /// The register as it is stored (no evaluation).
    pub fn stored_risks(&self) -> Result<Vec<RiskView>> {
        let store = self.store()?;
        let mut v: Vec<RiskView> = db::all(store.conn())?
            .into_iter()
            .filter_map(view)
            .collect();
        order(&mut v);
        Ok(v)
    }

    /// Accept a proposal into the register, dismiss it, or put it back (audited).
    pub fn decide_risk(&self, id: i64, status: RiskStatus, note: Option<&str>) -> Result<RiskView> {
        let (now, who) = (self.now(), self.actor());
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        let mut store = self.store()?;
        let before = db::get(store.conn(), id)?
            .ok_or_else(|| AppError::NotFound(format!("no risk {id}")))?;
        store.write(|tx| {
            db::decide(tx, id, status.as_str(), &who, note, now)?;
            let action = match status {
                RiskStatus::Accepted => "risk.accept",
                RiskStatus::Dismissed => "risk.dismiss",
                RiskStatus::Proposed => "risk.reopen",
            };
            audit(
                tx,
                now,
                &who,
                action,
                id,
                serde_json::json!({
                    "kind": before.kind, "subject": before.subject, "title": before.title,
                    "from": before.status, "note": note,
                }),
            )
        })?;
        db::get(store.conn(), id)?
            .and_then(view)
            .ok_or_else(|| AppError::NotFound(format!("no risk {id}")))
    }

    /// Set a risk's likelihood, impact, owner, mitigation or review date (audited); later
    /// evaluations keep them.
    pub fn edit_risk(&self, id: i64, e: &RiskEdit) -> Result<RiskView> {
        let (now, who) = (self.now(), self.actor());
        let mut store = self.store()?;
        let old = db::get(store.conn(), id)?
            .ok_or_else(|| AppError::NotFound(format!("no risk {id}")))?;
        let scale = |v: Option<u8>, old: i64, what: &str| -> Result<i64> {
            match v {
                Some(x) if (1..=5).contains(&x) => Ok(i64::from(x)),
                Some(x) => Err(AppError::InvalidInput(format!(
                    "{what} {x} is not between 1 and 5"
                ))),
                None => Ok(old),
            }
        };
        let likelihood = scale(e.likelihood, old.likelihood, "likelihood")?;
        let impact = scale(e.impact, old.impact, "impact")?;
        let review_at = match e.review.as_deref().map(str::trim) {
            None => old.review_at,
            Some("") => None,
            Some(d) => Some(
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| {
                        AppError::InvalidInput(format!("review date {d:?} is not YYYY-MM-DD"))
                    })?
                    .and_hms_opt(9, 0, 0)
                    .map_or(now, |t| t.and_utc().timestamp()),
            ),
        };
        let owner = match e.owner.as_deref().map(str::trim) {
            None => old.owner.clone(),
            Some("") => None,
            Some(o) => Some(o.to_string()),
        };
        let mitigation = e
            .mitigation
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map_or(old.mitigation.clone(), str::to_string);
        store.write(|tx| {
            db::edit(
                tx,
                id,
                &db::Edit {
                    likelihood,
                    impact,
                    owner: owner.as_deref(),
                    mitigation: &mitigation,
                    review_at,
                },
            )?;
            audit(
                tx,
                now,
                &who,
                "risk.edit",
                id,
                serde_json::json!({
                    "likelihood": [old.likelihood, likelihood], "impact": [old.impact, impact],
                    "owner": [old.owner, owner], "mitigation_changed": old.mitigation != mitigation,
                    "review": [old.review_at.map(day), review_at.map(day)],
                }),
            )
        })?;
        db::get(store.conn(), id)?
            .and_then(view)
            .ok_or_else(|| AppError::NotFound(format!("no risk {id}")))
    }

    /// The accepted register as Markdown for leadership: one table, then each risk's mitigation
    /// and evidence.
    pub fn risks_markdown(&self) -> Result<String> {
        let risks: Vec<RiskView> = self
            .stored_risks()?
            .into_iter()
            .filter(|r| r.status == RiskStatus::Accepted)
            .collect();
        Ok(markdown(&risks, &day(self.now())))
    }
}

/// The teams with sprints, by key.
fn sprint_teams(data: &Dataset) -> Vec<&str> {
    let mut teams: Vec<&str> = data
        .sprints
        .iter()
        .filter_map(|s| s.team.as_deref())
        .collect();
    teams.sort_unstable();
    teams.dedup();
    teams
}

fn audit(
    tx: &bosun_store::Connection,
    at: Ts,
    actor: &str,
    action: &str,
    id: i64,
    trace: serde_json::Value,
) -> bosun_store::Result<()> {
    bosun_store::audit::append(
        tx,
        &bosun_store::audit::NewEntry {
            at,
            actor,
            action,
            subject: Some(&format!("risk:{id}")),
            result: "ok",
            trace,
        },
    )?;
    Ok(())
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The register as Markdown.
pub fn markdown(risks: &[RiskView], date: &str) -> String {
    let mut out = format!("# Risk register — {date}\n\n");
    if risks.is_empty() {
        out.push_str("No accepted risks.\n");
        return out;
    }
    out.push_str(
        "| # | Risk | Kind | Likelihood | Impact | Score | Owner | Review | Now |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in risks {
        out.push_str(&format!(
            "| {} | {} | {} | {}/5 | {}/5 | {} | {} | {} | {} |\n",
            r.id,
            cell(&r.title),
            r.kind.label(),
            r.likelihood,
            r.impact,
            r.score,
            cell(r.owner.as_deref().unwrap_or("—")),
            r.review.as_deref().unwrap_or("—"),
            match r.condition {
                Condition::Holds => "holds",
                Condition::Worse => "**worse**",
                Condition::Cleared => "cleared",
            }
        ));
    }
    for r in risks {
        out.push_str(&format!(
            "\n## {}. {}\n\n{}\n\n**Mitigation:** {}\n",
            r.id, r.title, r.why, r.mitigation
        ));
        if let Some(n) = &r.note {
            out.push_str(&format!("\n**Note:** {n}\n"));
        }
        if !r.evidence.is_empty() {
            out.push_str("\n**Evidence:**\n\n");
            for e in &r.evidence {
                match &e.url {
                    Some(u) => out.push_str(&format!("- [{}]({u}) {}\n", e.reference, e.title)),
                    None => out.push_str(&format!("- {} {}\n", e.reference, e.title)),
                }
            }
        }
    }
    out
}

fn rules() -> Vec<String> {
    vec![
        "Goal late: a goal whose forecast 85 % date is after its due date (likelihood 4 when even the 50 % date is).".into(),
        "Bus factor: a repository with paths only one person authored, reviewed or owned in the bus-factor window, and an open pull request touching them.".into(),
        "Repeat incidents: the repeat-incidents signal (the same failure on a service again and again).".into(),
        "Overdue follow-ups: a team's postmortem follow-up tickets past their due date (likelihood 4 from five).".into(),
        format!("Sprints missed: a team's last {SPRINTS_RUNNING} sprints each closed under {:.0} % of the tickets committed, or, the running one, forecast likely to miss.", SPRINT_MISSED_BELOW * 100.0),
        format!("Key person away: someone only they know code of, or who finished {:.0} % or more of their team's tickets in 90 days, off during the last week of their team's sprint or the week before a team goal is due.", KEY_PERSON_SHARE * 100.0),
        "A proposal enters the register only when accepted. Each evaluation refreshes its evidence: worse when its measure (days late, paths, incidents, follow-ups, sprints, days away) grows beyond what it was when proposed or last decided; cleared when the evidence no longer shows it.".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn risk(id: i64, status: RiskStatus, score: (u8, u8)) -> RiskView {
        RiskView {
            id,
            kind: RiskKind::BusFactor,
            subject: format!("repo:r{id}"),
            title: format!("Risk | {id}"),
            status,
            condition: Condition::Holds,
            likelihood: score.0,
            impact: score.1,
            score: score.0 * score.1,
            owner: None,
            mitigation: "m".into(),
            review: Some("2026-12-01".into()),
            why: "w".into(),
            evidence: vec![RiskEvidence {
                kind: "ticket".into(),
                reference: "A-1".into(),
                title: "t".into(),
                url: Some("https://x.example/A-1".into()),
            }],
            team: None,
            first_seen: String::new(),
            last_seen: String::new(),
            cleared: None,
            decided: None,
            decided_by: None,
            note: None,
            edited: false,
        }
    }

    #[test]
    fn the_register_orders_accepted_first_then_by_score() {
        let mut v = vec![
            risk(1, RiskStatus::Proposed, (5, 5)),
            risk(2, RiskStatus::Accepted, (2, 2)),
            risk(3, RiskStatus::Dismissed, (5, 5)),
            risk(4, RiskStatus::Accepted, (4, 4)),
        ];
        order(&mut v);
        assert_eq!(v.iter().map(|r| r.id).collect::<Vec<_>>(), [4, 2, 1, 3]);
    }

    #[test]
    fn markdown_escapes_cells_and_links_evidence() {
        let md = markdown(&[risk(7, RiskStatus::Accepted, (3, 4))], "2026-12-07");
        assert!(
            md.contains("| 7 | Risk \\| 7 | Bus factor | 3/5 | 4/5 | 12 |"),
            "{md}"
        );
        assert!(md.contains("- [A-1](https://x.example/A-1) t"));
        assert!(markdown(&[], "d").contains("No accepted risks."));
    }

    #[test]
    fn kinds_round_trip() {
        for k in RiskKind::ALL {
            assert_eq!(RiskKind::parse(k.as_str()), Some(k));
        }
    }
}
