//! Goals (issue 20.1): objectives per quarter with key results, kept in the database, edited in
//! the app or imported from a TOML file. Work maps to a goal by rules — Jira epics, initiatives,
//! labels, components, projects — and manual links (a ticket, or an epic and its children); pull
//! requests through the tickets they name. A key result's progress comes from its linked work
//! (items or points done of all) or from a metric against a target ("lead time under 2 days"
//! tracks DORA). Each goal also gets a forecast of its remaining work against its due date, and
//! each team the share of its finished work that serves no goal.

use crate::{App, AppError, Result};
use bosun_core::time::{DAY, Ts, from_ts, rfc3339};
use bosun_metrics::data::{Dataset, Ticket};
use bosun_metrics::dora::{self, Analysis, Scope};
use bosun_metrics::forecast::{self, Child, Dates, ForecastOptions};
use bosun_store::goals::{self as db, GoalWrite, KeyResultWrite, WorkItem};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Days of history a metric key result is measured over.
pub const METRIC_WINDOW_DAYS: i64 = 28;

/// What a rule matches work by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleKind {
    /// Children of an epic.
    Epic,
    /// Children of an initiative, and their children.
    Initiative,
    /// A label (any case).
    Label,
    /// A Jira component (any case).
    Component,
    /// A Jira project's tickets.
    Project,
    /// One ticket linked by hand (an epic's children with it).
    Ticket,
}

impl RuleKind {
    pub const ALL: [RuleKind; 6] = [
        RuleKind::Epic,
        RuleKind::Initiative,
        RuleKind::Label,
        RuleKind::Component,
        RuleKind::Project,
        RuleKind::Ticket,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            RuleKind::Epic => "epic",
            RuleKind::Initiative => "initiative",
            RuleKind::Label => "label",
            RuleKind::Component => "component",
            RuleKind::Project => "project",
            RuleKind::Ticket => "ticket",
        }
    }

    pub fn parse(s: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn matches(self, value: &str, w: &WorkItem) -> bool {
        let eq = |o: &Option<String>| o.as_deref().is_some_and(|k| k.eq_ignore_ascii_case(value));
        let any = |v: &[String]| v.iter().any(|l| l.eq_ignore_ascii_case(value));
        match self {
            RuleKind::Epic => eq(&w.parent_key),
            RuleKind::Initiative => eq(&w.parent_key) || eq(&w.grandparent_key),
            RuleKind::Label => any(&w.labels),
            RuleKind::Component => any(&w.components),
            RuleKind::Project => eq(&w.project_key),
            RuleKind::Ticket => w.key.eq_ignore_ascii_case(value) || eq(&w.parent_key),
        }
    }
}

/// Rules, one list per kind (the shape of the import file and the editor).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    pub epics: Vec<String>,
    pub initiatives: Vec<String>,
    pub labels: Vec<String>,
    pub components: Vec<String>,
    pub projects: Vec<String>,
    /// Tickets linked by hand.
    pub tickets: Vec<String>,
}

impl Rules {
    fn list(&self, kind: RuleKind) -> &[String] {
        match kind {
            RuleKind::Epic => &self.epics,
            RuleKind::Initiative => &self.initiatives,
            RuleKind::Label => &self.labels,
            RuleKind::Component => &self.components,
            RuleKind::Project => &self.projects,
            RuleKind::Ticket => &self.tickets,
        }
    }

    fn list_mut(&mut self, kind: RuleKind) -> &mut Vec<String> {
        match kind {
            RuleKind::Epic => &mut self.epics,
            RuleKind::Initiative => &mut self.initiatives,
            RuleKind::Label => &mut self.labels,
            RuleKind::Component => &mut self.components,
            RuleKind::Project => &mut self.projects,
            RuleKind::Ticket => &mut self.tickets,
        }
    }

    /// `(kind, value)` pairs, trimmed, empty values left out.
    fn pairs(&self) -> Vec<(RuleKind, &str)> {
        RuleKind::ALL
            .into_iter()
            .flat_map(|k| {
                self.list(k)
                    .iter()
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())
                    .map(move |v| (k, v))
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs().is_empty()
    }

    fn matches(&self, w: &WorkItem) -> bool {
        self.pairs().iter().any(|(k, v)| k.matches(v, w))
    }

    /// The rules in words ("epic TIDE-12", "label payments").
    pub fn describe(&self) -> Vec<String> {
        self.pairs()
            .iter()
            .map(|(k, v)| format!("{} {v}", k.as_str()))
            .collect()
    }
}

/// How a key result is measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Linked tickets done of all.
    #[default]
    Items,
    /// Linked story points done of all.
    Points,
    /// A metric against a target.
    Metric,
}

impl Measure {
    pub const fn as_str(self) -> &'static str {
        match self {
            Measure::Items => "items",
            Measure::Points => "points",
            Measure::Metric => "metric",
        }
    }

    fn parse(s: &str) -> Measure {
        match s {
            "points" => Measure::Points,
            "metric" => Measure::Metric,
            _ => Measure::Items,
        }
    }
}

/// A metric a key result can be bound to, measured over the team's last 28 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum GoalMetric {
    /// DORA lead time for changes, median, days.
    LeadTimeDays,
    /// Production deployments per week.
    DeploymentsPerWeek,
    /// Failed deployments of all, percent.
    ChangeFailureRate,
    /// Time to restore after a failed deployment, median, hours.
    RecoveryHours,
    /// Ticket flow time, median, days.
    FlowTimeDays,
    /// Tickets finished per week.
    ThroughputPerWeek,
}

impl GoalMetric {
    pub const ALL: [GoalMetric; 6] = [
        GoalMetric::LeadTimeDays,
        GoalMetric::DeploymentsPerWeek,
        GoalMetric::ChangeFailureRate,
        GoalMetric::RecoveryHours,
        GoalMetric::FlowTimeDays,
        GoalMetric::ThroughputPerWeek,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            GoalMetric::LeadTimeDays => "lead_time_days",
            GoalMetric::DeploymentsPerWeek => "deployments_per_week",
            GoalMetric::ChangeFailureRate => "change_failure_rate",
            GoalMetric::RecoveryHours => "recovery_hours",
            GoalMetric::FlowTimeDays => "flow_time_days",
            GoalMetric::ThroughputPerWeek => "throughput_per_week",
        }
    }

    pub fn parse(s: &str) -> Option<GoalMetric> {
        GoalMetric::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Smaller is better (a lead time); else larger is (deployments per week).
    pub const fn lower_is_better(self) -> bool {
        !matches!(
            self,
            GoalMetric::DeploymentsPerWeek | GoalMetric::ThroughputPerWeek
        )
    }

    /// Its name in words.
    pub const fn label(self) -> &'static str {
        match self {
            GoalMetric::LeadTimeDays => "lead time",
            GoalMetric::DeploymentsPerWeek => "deployments",
            GoalMetric::ChangeFailureRate => "change failure rate",
            GoalMetric::RecoveryHours => "time to restore",
            GoalMetric::FlowTimeDays => "flow time",
            GoalMetric::ThroughputPerWeek => "throughput",
        }
    }

    pub const fn unit(self) -> &'static str {
        match self {
            GoalMetric::LeadTimeDays | GoalMetric::FlowTimeDays => "days",
            GoalMetric::DeploymentsPerWeek | GoalMetric::ThroughputPerWeek => "per week",
            GoalMetric::ChangeFailureRate => "%",
            GoalMetric::RecoveryHours => "hours",
        }
    }

    /// Its value for `team` (every team when none) over the window ending at `now`.
    pub fn value(
        self,
        data: &Dataset,
        analysis: &Analysis,
        team: Option<&str>,
        now: Ts,
    ) -> Option<f64> {
        let scope = Scope {
            since: now - METRIC_WINDOW_DAYS * DAY,
            until: now,
            team: team.map(str::to_string),
            repo: None,
        };
        match self {
            GoalMetric::LeadTimeDays => dora::dora(data, analysis, &scope)
                .lead_time_seconds
                .median
                .map(|s| s / DAY as f64),
            GoalMetric::DeploymentsPerWeek => {
                Some(dora::dora(data, analysis, &scope).deployment_frequency_per_week)
            }
            GoalMetric::ChangeFailureRate => dora::dora(data, analysis, &scope)
                .change_failure_rate
                .value
                .map(|v| v * 100.0),
            GoalMetric::RecoveryHours => dora::dora(data, analysis, &scope)
                .recovery_time_seconds
                .median
                .map(|s| s / 3600.0),
            GoalMetric::FlowTimeDays => bosun_metrics::flow::flow(data, &scope)
                .flow_time_seconds
                .median
                .map(|s| s / DAY as f64),
            GoalMetric::ThroughputPerWeek => {
                Some(bosun_metrics::flow::flow(data, &scope).velocity_items_per_week)
            }
        }
    }
}

/// A key result as written (the editor, the import file).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, deny_unknown_fields)]
pub struct KeyResultInput {
    pub title: String,
    pub measure: Measure,
    /// For `measure = "metric"`.
    pub metric: Option<GoalMetric>,
    /// For a metric: the value to reach.
    pub target: Option<f64>,
    /// For a metric: its value when the goal was set (measured on saving when left out).
    pub baseline: Option<f64>,
    /// Rules narrowing this key result to some of the goal's work (all of it when none).
    pub epics: Vec<String>,
    pub initiatives: Vec<String>,
    pub labels: Vec<String>,
    pub components: Vec<String>,
    pub projects: Vec<String>,
    /// Tickets linked by hand.
    pub tickets: Vec<String>,
}

/// A goal as written (the editor, the import file).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, deny_unknown_fields)]
pub struct GoalInput {
    /// Set to change a stored goal; none adds one.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub id: Option<i64>,
    pub title: String,
    /// `2026-Q4`.
    pub quarter: String,
    /// A team key; none for the whole organisation.
    pub team: Option<String>,
    pub owner: Option<String>,
    pub description: String,
    /// `YYYY-MM-DD`; the quarter's last day when none.
    pub due: Option<String>,
    pub key_results: Vec<KeyResultInput>,
    /// Rules: the work that serves it.
    pub epics: Vec<String>,
    pub initiatives: Vec<String>,
    pub labels: Vec<String>,
    pub components: Vec<String>,
    pub projects: Vec<String>,
    /// Tickets linked by hand.
    pub tickets: Vec<String>,
}

/// The rule lists of an input, as [`Rules`].
macro_rules! rules_of_input {
    ($t:ty) => {
        impl $t {
            pub fn rules(&self) -> Rules {
                Rules {
                    epics: self.epics.clone(),
                    initiatives: self.initiatives.clone(),
                    labels: self.labels.clone(),
                    components: self.components.clone(),
                    projects: self.projects.clone(),
                    tickets: self.tickets.clone(),
                }
            }

            fn set_rules(&mut self, r: Rules) {
                self.epics = r.epics;
                self.initiatives = r.initiatives;
                self.labels = r.labels;
                self.components = r.components;
                self.projects = r.projects;
                self.tickets = r.tickets;
            }
        }
    };
}
rules_of_input!(GoalInput);
rules_of_input!(KeyResultInput);

/// `goals.toml`: `[[goals]]` entries.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GoalsFile {
    #[serde(default)]
    goals: Vec<GoalInput>,
}

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Every linked ticket is done and every metric met.
    Done,
    /// The forecast's 85 % date is by the due date.
    OnTrack,
    /// The 50 % date is by the due date, the 85 % one after.
    AtRisk,
    /// Even the 50 % date is after the due date (or the work cannot finish at this pace).
    OffTrack,
    /// No linked work and no metric yet.
    NoWork,
}

impl GoalStatus {
    /// In words: "on track", "off track", ...
    pub const fn words(self) -> &'static str {
        match self {
            GoalStatus::Done => "done",
            GoalStatus::OnTrack => "on track",
            GoalStatus::AtRisk => "at risk",
            GoalStatus::OffTrack => "off track",
            GoalStatus::NoWork => "no work linked",
        }
    }
}

/// A key result with its progress.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeyResultView {
    pub title: String,
    pub measure: Measure,
    pub metric: Option<GoalMetric>,
    pub target: Option<f64>,
    pub baseline: Option<f64>,
    /// The metric's value now, or the items or points done.
    pub current: Option<f64>,
    /// Items or points: all linked.
    pub total: Option<f64>,
    /// 0–1; none when it cannot be told (no linked work, no metric value).
    pub progress: Option<f64>,
    /// In words: "5 of 9 tickets", "lead time 1.6 days (target ≤ 2, from 3.1)".
    pub detail: String,
    /// Its own rules, when it narrows the goal's work.
    pub rules: Rules,
}

/// A linked ticket.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoalWork {
    pub key: String,
    pub summary: String,
    pub status: String,
    pub done: bool,
    pub points: Option<f64>,
    pub team: Option<String>,
    pub url: Option<String>,
    /// The rule that linked it ("epic TIDE-12").
    pub via: String,
}

/// A goal with its progress, work and forecast.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoalView {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub title: String,
    pub quarter: String,
    pub team: Option<String>,
    pub owner: Option<String>,
    pub description: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    pub key_results: Vec<KeyResultView>,
    /// The epics its work is in (its epic rules and the epics of its linked tickets).
    pub epics: Vec<String>,
    pub rules: Rules,
    /// 0–1: the mean of its key results' progress (its work's items done of all without any).
    pub progress: Option<f64>,
    pub status: GoalStatus,
    pub items_done: usize,
    pub items_total: usize,
    pub points_done: f64,
    pub points_total: f64,
    /// Pull requests naming its tickets.
    pub pull_requests: usize,
    /// When its remaining work will be done at the team's pace (none when nothing is left).
    pub forecast: Option<Dates>,
    pub work: Vec<GoalWork>,
}

/// A team's finished work in the quarter that serves no goal.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Unaligned {
    pub team: Option<String>,
    pub finished: usize,
    pub unaligned: usize,
    /// `unaligned / finished`.
    pub share: Option<f64>,
    /// A few of them, latest first.
    pub examples: Vec<String>,
}

/// `bosun goals`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoalsView {
    pub as_of: String,
    /// The quarter shown (every quarter's goals when none was asked for, the unaligned share of
    /// the current one).
    pub quarter: String,
    pub goals: Vec<GoalView>,
    pub unaligned: Vec<Unaligned>,
    /// How work was mapped and counted, in words.
    pub rules: Vec<String>,
}

/// `2026-Q4` → (first day, the day after its last) in UTC.
pub fn quarter_bounds(q: &str) -> Option<(Ts, Ts)> {
    let (y, n) = q
        .trim()
        .split_once("-Q")
        .or_else(|| q.trim().split_once("-q"))?;
    let (y, n): (i32, u32) = (y.parse().ok()?, n.parse().ok()?);
    if !(1..=4).contains(&n) {
        return None;
    }
    let start = NaiveDate::from_ymd_opt(y, 3 * (n - 1) + 1, 1)?;
    let end = if n == 4 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(y, 3 * n + 1, 1)?
    };
    let ts = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp());
    Some((ts(start)?, ts(end)?))
}

/// The quarter `t` is in (UTC).
pub fn quarter_of(t: Ts) -> String {
    let d = from_ts(t).date_naive();
    format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

fn day(t: Ts) -> String {
    from_ts(t).date_naive().to_string()
}

fn parse_day(s: &str) -> Option<Ts> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()?
        .and_hms_opt(23, 59, 59)
        .map(|t| t.and_utc().timestamp())
}

fn invalid(what: &str, msg: String) -> AppError {
    AppError::InvalidInput(format!("goal {what:?}: {msg}"))
}

/// The rule list of a stored goal (or of one of its key results).
fn rules_of(rows: &[db::RuleRow], key_result: Option<i64>) -> Rules {
    let mut out = Rules::default();
    for r in rows.iter().filter(|r| r.key_result == key_result) {
        if let Some(k) = RuleKind::parse(&r.kind) {
            out.list_mut(k).push(r.value.clone());
        }
    }
    out
}

/// The first rule of `rules` linking `w`, in words.
fn via(rules: &Rules, w: &WorkItem) -> Option<String> {
    rules
        .pairs()
        .into_iter()
        .find(|(k, v)| k.matches(v, w))
        .map(|(k, v)| format!("{} {v}", k.as_str()))
}

/// Progress towards a metric target from a baseline: 1 once met, 0 at or behind the baseline.
fn metric_progress(m: GoalMetric, current: f64, target: f64, baseline: Option<f64>) -> f64 {
    let met = if m.lower_is_better() {
        current <= target
    } else {
        current >= target
    };
    if met {
        return 1.0;
    }
    match baseline {
        Some(b) if (b - target).abs() > 1e-9 => ((b - current) / (b - target)).clamp(0.0, 1.0),
        _ => 0.0,
    }
}

fn fmt_num(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{:.0}", x)
    } else {
        format!("{:.1}", x)
    }
}

/// The goals' work: the metrics dataset's tickets (containers left out) with what rules match.
struct Work<'a> {
    items: Vec<(&'a WorkItem, &'a Ticket)>,
}

impl<'a> Work<'a> {
    fn new(items: &'a [WorkItem], data: &'a Dataset) -> Work<'a> {
        let by_id: HashMap<i64, &Ticket> = data.tickets.iter().map(|t| (t.id, t)).collect();
        Work {
            items: items
                .iter()
                .filter_map(|w| by_id.get(&w.id).map(|t| (w, *t)))
                .collect(),
        }
    }

    fn matching(&self, rules: &Rules) -> Vec<(&'a WorkItem, &'a Ticket)> {
        if rules.is_empty() {
            return Vec::new();
        }
        self.items
            .iter()
            .filter(|(w, _)| rules.matches(w))
            .copied()
            .collect()
    }
}

/// When a goal's work will be done: each of its epics (and its tickets outside any epic, as one
/// more group) forecast as `bosun forecast` does — its own share of the team and scope growth —
/// and the goal done when the last of them is, at each confidence.
fn goal_forecast(linked: &[(&WorkItem, &Ticket)], team_done: &[Ts], now: Ts) -> Dates {
    let mut groups: BTreeMap<Option<&str>, Vec<Child>> = BTreeMap::new();
    for (w, t) in linked {
        groups
            .entry(w.parent_key.as_deref())
            .or_default()
            .push(Child {
                key: t.key.clone(),
                created_at: t.created_at,
                done_at: t.done_at(),
            });
    }
    let open: Vec<&Vec<Child>> = groups
        .values()
        .filter(|kids| kids.iter().any(|c| c.done_at.is_none_or(|d| d > now)))
        .collect();
    let opts = ForecastOptions {
        fallback_share: 1.0 / open.len().max(1) as f64,
        ..ForecastOptions::default()
    };
    let dates: Vec<Option<Dates>> = open
        .iter()
        .map(|kids| forecast::forecast(kids, team_done, now, &opts).dates)
        .collect();
    // The latest date at each confidence; never when any group never finishes.
    let latest = |pick: fn(&Dates) -> &Option<String>| -> Option<String> {
        let mut out: Option<String> = None;
        for d in &dates {
            let v = d.as_ref().and_then(|d| pick(d).clone())?;
            if out.as_ref().is_none_or(|o| v > *o) {
                out = Some(v);
            }
        }
        out
    };
    Dates {
        p50: latest(|d| &d.p50),
        p85: latest(|d| &d.p85),
        p95: latest(|d| &d.p95),
    }
}

fn done_by(t: &Ticket, now: Ts) -> bool {
    t.done_at().is_some_and(|d| d <= now)
}

/// `(done, total)` items and points of `work`.
fn counts(work: &[(&WorkItem, &Ticket)], now: Ts) -> (usize, usize, f64, f64) {
    let done = work.iter().filter(|(_, t)| done_by(t, now));
    let points =
        |it: &mut dyn Iterator<Item = &&Ticket>| -> f64 { it.filter_map(|t| t.story_points).sum() };
    (
        done.clone().count(),
        work.len(),
        points(&mut done.map(|(_, t)| t)),
        points(&mut work.iter().map(|(_, t)| t)),
    )
}

impl App {
    /// [`App::goals_of`] over a freshly loaded dataset.
    pub fn goals(&self, quarter: Option<&str>, team: Option<&str>) -> Result<GoalsView> {
        let data = {
            let store = self.store()?;
            crate::metrics::load(store.conn())?
        };
        let analysis = dora::analyse(&data, &bosun_metrics::dora::DoraOptions::default());
        self.goals_of(&data, &analysis, quarter, team)
    }

    /// The goals of `quarter` (every quarter when none) and `team` (every team when none), with
    /// progress and forecasts, and each team's unaligned work in the quarter (the current one
    /// when none).
    pub fn goals_of(
        &self,
        data: &Dataset,
        analysis: &Analysis,
        quarter: Option<&str>,
        team: Option<&str>,
    ) -> Result<GoalsView> {
        let now = self.now();
        let quarter = quarter.map(str::trim).filter(|q| !q.is_empty());
        if let Some(q) = quarter {
            quarter_bounds(q).ok_or_else(|| {
                AppError::InvalidInput(format!("quarter {q:?} is not like 2026-Q4"))
            })?;
        }
        let team = team.map(|t| self.team_key(t)).transpose()?;
        let (stored, items) = {
            let store = self.store()?;
            (db::all(store.conn())?, db::work_items(store.conn())?)
        };
        let work = Work::new(&items, data);
        let mut goals = Vec::new();
        for db::StoredGoal {
            goal: g,
            key_results: krs,
            rules,
        } in &stored
        {
            if quarter.is_some_and(|q| !g.quarter.eq_ignore_ascii_case(q)) {
                continue;
            }
            if team.is_some() && g.team != team {
                continue;
            }
            goals.push(self.goal_view(data, analysis, &work, g, krs, rules, now));
        }
        let shown = quarter.map_or_else(|| quarter_of(now), str::to_string);
        let unaligned = unaligned(&work, &stored, &shown, team.as_deref(), now);
        Ok(GoalsView {
            as_of: rfc3339(now),
            quarter: shown,
            goals,
            unaligned,
            rules: vec![
                "Work serves a goal when a rule links it: an epic's children, an initiative's children and grandchildren, a label or component (any case), a project, or a ticket linked by hand (an epic's children with it). Epics and initiatives themselves are containers, not counted.".into(),
                "A key result counts its own rules' work, else all of its goal's; items are tickets done of all, points their story points (tickets without points add none).".into(),
                format!("A metric key result is measured over the goal team's last {METRIC_WINDOW_DAYS} days; its progress runs from the baseline (its value when the goal was set) to the target."),
                "A goal's forecast: each of its epics (and its tickets outside any epic, as one group) forecast as `bosun forecast` does, on the team's weekly throughput with the epic's share and scope growth; the goal is done when the last is. On track when the 85 % date is by the due date, at risk when only the 50 % one is, off track otherwise.".into(),
                "Unaligned work: tickets a team finished in the quarter that no goal of the quarter links.".into(),
            ],
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn goal_view(
        &self,
        data: &Dataset,
        analysis: &Analysis,
        work: &Work<'_>,
        g: &db::GoalRow,
        krs: &[db::KeyResultRow],
        rules: &[db::RuleRow],
        now: Ts,
    ) -> GoalView {
        let goal_rules = rules_of(rules, None);
        let linked = work.matching(&goal_rules);
        let (items_done, items_total, points_done, points_total) = counts(&linked, now);
        let mut key_results = Vec::new();
        for kr in krs {
            let own = rules_of(rules, Some(kr.position));
            let measure = Measure::parse(&kr.measure);
            let metric = kr.metric.as_deref().and_then(GoalMetric::parse);
            let (current, total, progress, detail) = match (measure, metric) {
                (Measure::Metric, Some(m)) => {
                    let cur = m.value(data, analysis, g.team.as_deref(), now);
                    let progress = cur
                        .zip(kr.target)
                        .map(|(c, t)| metric_progress(m, c, t, kr.baseline));
                    let sep = if m.unit() == "%" { "" } else { " " };
                    let detail = format!(
                        "{} {} (target {} {}{}, last {METRIC_WINDOW_DAYS} days)",
                        m.label(),
                        cur.map_or("no data".to_string(), |c| format!(
                            "{}{sep}{}",
                            fmt_num(c),
                            m.unit()
                        )),
                        if m.lower_is_better() { "≤" } else { "≥" },
                        kr.target.map_or("?".to_string(), fmt_num),
                        kr.baseline
                            .map_or(String::new(), |b| format!(", from {}", fmt_num(b)))
                    );
                    (cur, None, progress, detail)
                }
                (Measure::Metric, None) => (
                    None,
                    None,
                    None,
                    format!("unknown metric {:?}", kr.metric.as_deref().unwrap_or("")),
                ),
                (m, _) => {
                    let mine = if own.is_empty() {
                        linked.clone()
                    } else {
                        work.matching(&own)
                    };
                    let (d, n, pd, pn) = counts(&mine, now);
                    if m == Measure::Points {
                        let p = (pn > 0.0).then(|| pd / pn);
                        let detail = format!("{} of {} points done", fmt_num(pd), fmt_num(pn));
                        (Some(pd), Some(pn), p, detail)
                    } else {
                        let p = (n > 0).then(|| d as f64 / n as f64);
                        let detail = format!("{d} of {n} tickets done");
                        (Some(d as f64), Some(n as f64), p, detail)
                    }
                }
            };
            key_results.push(KeyResultView {
                title: kr.title.clone(),
                measure,
                metric,
                target: kr.target,
                baseline: kr.baseline,
                current,
                total,
                progress,
                detail,
                rules: own,
            });
        }
        let known: Vec<f64> = key_results.iter().filter_map(|k| k.progress).collect();
        let progress = if key_results.is_empty() {
            (items_total > 0).then(|| items_done as f64 / items_total as f64)
        } else if known.is_empty() {
            None
        } else {
            Some(known.iter().sum::<f64>() / known.len() as f64)
        };
        // The forecast of what is left, at the pace of the team most of the work belongs to.
        let team = g.team.clone().or_else(|| {
            let mut count: HashMap<&str, usize> = HashMap::new();
            for (_, t) in &linked {
                if let Some(team) = t.team.as_deref() {
                    *count.entry(team).or_default() += 1;
                }
            }
            count
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                .map(|(t, _)| t.to_string())
        });
        let forecast = (items_total > items_done).then(|| {
            let team_done: Vec<Ts> = data
                .tickets
                .iter()
                .filter(|t| team.is_none() || t.team == team)
                .filter_map(|t| t.done_at())
                .collect();
            goal_forecast(&linked, &team_done, now)
        });
        let due = day(g.due_at);
        let metrics_met = key_results
            .iter()
            .filter(|k| k.measure == Measure::Metric)
            .all(|k| k.progress.is_some_and(|p| p >= 1.0));
        let by_due = |d: &Option<String>| d.as_deref().is_some_and(|d| d <= due.as_str());
        let status = match &forecast {
            _ if items_total == 0 && key_results.iter().all(|k| k.progress.is_none()) => {
                GoalStatus::NoWork
            }
            None if metrics_met => GoalStatus::Done,
            None => {
                if progress.unwrap_or(0.0) >= 0.5 || g.due_at > now {
                    GoalStatus::AtRisk
                } else {
                    GoalStatus::OffTrack
                }
            }
            Some(d) if by_due(&d.p85) => GoalStatus::OnTrack,
            Some(d) if by_due(&d.p50) => GoalStatus::AtRisk,
            Some(_) => GoalStatus::OffTrack,
        };
        let mut epics: BTreeSet<String> = goal_rules.epics.iter().cloned().collect();
        epics.extend(linked.iter().filter_map(|(w, _)| w.parent_key.clone()));
        let keys: HashSet<&str> = linked.iter().map(|(w, _)| w.key.as_str()).collect();
        let pull_requests = data
            .pull_requests
            .iter()
            .filter(|p| {
                bosun_signals::text::ticket_keys(&format!("{} {}", p.title, p.body))
                    .iter()
                    .any(|k| keys.contains(k.as_str()))
            })
            .count();
        let mut rows: Vec<GoalWork> = linked
            .iter()
            .map(|(w, t)| GoalWork {
                key: t.key.clone(),
                summary: t.summary.clone(),
                status: t.status.clone(),
                done: done_by(t, now),
                points: t.story_points,
                team: t.team.clone(),
                url: w.html_url.clone().filter(|u| bosun_core::is_web_url(u)),
                via: via(&goal_rules, w).unwrap_or_default(),
            })
            .collect();
        rows.sort_by(|a, b| (a.done, &a.key).cmp(&(b.done, &b.key)));
        GoalView {
            id: g.id,
            title: g.title.clone(),
            quarter: g.quarter.clone(),
            team: g.team.clone(),
            owner: g.owner.clone(),
            description: g.description.clone(),
            due,
            key_results,
            epics: epics.into_iter().collect(),
            rules: goal_rules,
            progress,
            status,
            items_done,
            items_total,
            points_done,
            points_total,
            pull_requests,
            forecast,
            work: rows,
        }
    }

    /// Add or change a goal (audited). Metric key results without a baseline get today's value.
    pub fn save_goal(&self, input: &GoalInput) -> Result<i64> {
        let analysis_data = if input
            .key_results
            .iter()
            .any(|k| k.measure == Measure::Metric && k.baseline.is_none())
        {
            let store = self.store()?;
            let data = crate::metrics::load(store.conn())?;
            let analysis = dora::analyse(&data, &bosun_metrics::dora::DoraOptions::default());
            Some((data, analysis))
        } else {
            None
        };
        self.save_goal_with(input, analysis_data.as_ref().map(|(d, a)| (d, a)))
    }

    /// [`App::save_goal`] with the dataset and analysis already loaded (the API's).
    pub fn save_goal_with(
        &self,
        input: &GoalInput,
        metrics: Option<(&Dataset, &Analysis)>,
    ) -> Result<i64> {
        let g = self.checked_goal(input)?;
        let now = self.now();
        let baselines: Vec<Option<f64>> = g
            .key_results
            .iter()
            .map(|k| {
                k.baseline.or_else(|| {
                    let (data, analysis) = metrics?;
                    k.metric?.value(data, analysis, g.team.as_deref(), now)
                })
            })
            .collect();
        let goal_rules = g.rules();
        let kr_rules: Vec<Rules> = g.key_results.iter().map(KeyResultInput::rules).collect();
        let write = GoalWrite {
            title: g.title.trim(),
            quarter: &g.quarter,
            team: g.team.as_deref(),
            owner: g.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()),
            description: g.description.trim(),
            due_at: g
                .due
                .as_deref()
                .and_then(parse_day)
                .unwrap_or_else(|| quarter_bounds(&g.quarter).map_or(now, |(_, end)| end - 1)),
            key_results: g
                .key_results
                .iter()
                .zip(&baselines)
                .zip(&kr_rules)
                .map(|((k, b), r)| KeyResultWrite {
                    title: k.title.trim(),
                    measure: k.measure.as_str(),
                    metric: k.metric.map(GoalMetric::as_str),
                    target: k.target,
                    baseline: *b,
                    rules: r
                        .pairs()
                        .into_iter()
                        .map(|(k, v)| (k.as_str(), v))
                        .collect(),
                })
                .collect(),
            rules: goal_rules
                .pairs()
                .into_iter()
                .map(|(k, v)| (k.as_str(), v))
                .collect(),
        };
        let who = self.actor();
        let mut store = self.store()?;
        let id = store.write(|tx| {
            let id = db::save(tx, g.id, &write, now)?;
            if let Some(id) = id {
                bosun_store::audit::append(
                    tx,
                    &bosun_store::audit::NewEntry {
                        at: now,
                        actor: &who,
                        action: if g.id.is_some() {
                            "goal.edit"
                        } else {
                            "goal.add"
                        },
                        subject: Some(&format!("goal:{id}")),
                        result: "ok",
                        trace: serde_json::json!({
                            "title": write.title, "quarter": write.quarter, "team": write.team,
                            "owner": write.owner, "key_results": write.key_results.len(),
                            "rules": goal_rules.describe(),
                        }),
                    },
                )?;
            }
            Ok(id)
        })?;
        id.ok_or_else(|| AppError::NotFound(format!("no goal {}", g.id.unwrap_or_default())))
    }

    /// Validate a goal as written: a title, a quarter like `2026-Q4`, a known team, a due date,
    /// metric key results with a metric and a target. The team comes back as its key.
    fn checked_goal(&self, input: &GoalInput) -> Result<GoalInput> {
        let mut g = input.clone();
        let name = g.title.trim().to_string();
        if name.is_empty() {
            return Err(AppError::InvalidInput("a goal needs a title".into()));
        }
        g.quarter = g.quarter.trim().to_ascii_uppercase();
        if quarter_bounds(&g.quarter).is_none() {
            return Err(invalid(
                &name,
                format!("quarter {:?} is not like 2026-Q4", input.quarter),
            ));
        }
        g.team = match g.team.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => Some(self.team_key(t)?),
            None => None,
        };
        if let Some(d) = g.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            if parse_day(d).is_none() {
                return Err(invalid(&name, format!("due date {d:?} is not YYYY-MM-DD")));
            }
        } else {
            g.due = None;
        }
        for (i, k) in g.key_results.iter_mut().enumerate() {
            if k.title.trim().is_empty() {
                return Err(invalid(&name, format!("key result {} has no title", i + 1)));
            }
            if k.measure == Measure::Metric && (k.metric.is_none() || k.target.is_none()) {
                return Err(invalid(
                    &name,
                    format!(
                        "key result {:?} is measured by a metric: give `metric` (one of {}) and `target`",
                        k.title,
                        GoalMetric::ALL.map(GoalMetric::as_str).join(", ")
                    ),
                ));
            }
            if k.measure != Measure::Metric {
                k.metric = None;
                k.target = None;
                k.baseline = None;
            }
        }
        Ok(g)
    }

    /// Delete a goal (audited).
    pub fn delete_goal(&self, id: i64) -> Result<()> {
        let (now, who) = (self.now(), self.actor());
        let mut store = self.store()?;
        let gone = store.write(|tx| {
            let gone = db::delete(tx, id)?;
            if gone {
                bosun_store::audit::append(
                    tx,
                    &bosun_store::audit::NewEntry {
                        at: now,
                        actor: &who,
                        action: "goal.delete",
                        subject: Some(&format!("goal:{id}")),
                        result: "ok",
                        trace: serde_json::json!({}),
                    },
                )?;
            }
            Ok(gone)
        })?;
        if gone {
            Ok(())
        } else {
            Err(AppError::NotFound(format!("no goal {id}")))
        }
    }

    /// Import goals from a TOML file (`[[goals]]` entries): a goal with the title and quarter of a
    /// stored one replaces it. Every goal is checked before any is written. Returns the ids.
    pub fn import_goals(&self, path: &std::path::Path) -> Result<Vec<i64>> {
        let text = std::fs::read_to_string(path).map_err(|source| AppError::Io {
            path: path.display().to_string(),
            source,
        })?;
        self.import_goals_text(&text, &path.display().to_string())
    }

    /// [`App::import_goals`] from the file's text (`origin` names it in errors).
    pub fn import_goals_text(&self, text: &str, origin: &str) -> Result<Vec<i64>> {
        let file: GoalsFile = toml::from_str(text).map_err(|e| AppError::Config {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        if file.goals.is_empty() {
            return Err(AppError::InvalidInput(format!(
                "{origin}: no [[goals]] in it"
            )));
        }
        let mut checked = Vec::new();
        for g in &file.goals {
            checked.push(self.checked_goal(g).map_err(|e| AppError::Config {
                path: origin.to_string(),
                message: e.to_string(),
            })?);
        }
        let existing = {
            let store = self.store()?;
            checked
                .iter()
                .map(|g| db::find(store.conn(), &g.quarter, g.title.trim()))
                .collect::<bosun_store::Result<Vec<_>>>()?
        };
        let mut ids = Vec::new();
        for (mut g, id) in checked.into_iter().zip(existing) {
            g.id = id;
            ids.push(self.save_goal(&g)?);
        }
        Ok(ids)
    }

    /// Every goal as the text of an import file (without ids: importing matches by title and
    /// quarter).
    pub fn goals_file_text(&self) -> Result<String> {
        let mut goals = self.goals_as_input()?;
        for g in &mut goals {
            g.id = None;
        }
        toml::to_string(&GoalsFile { goals })
            .map_err(|e| AppError::Internal(format!("goals as TOML: {e}")))
    }

    /// The goals as an import file would give them (to edit and import again).
    pub fn goals_as_input(&self) -> Result<Vec<GoalInput>> {
        let store = self.store()?;
        Ok(db::all(store.conn())?
            .into_iter()
            .map(
                |db::StoredGoal {
                     goal: g,
                     key_results: krs,
                     rules,
                 }| {
                    let mut out = GoalInput {
                        id: Some(g.id),
                        title: g.title,
                        quarter: g.quarter,
                        team: g.team,
                        owner: g.owner,
                        description: g.description,
                        due: Some(day(g.due_at)),
                        key_results: krs
                            .iter()
                            .map(|k| {
                                let mut kr = KeyResultInput {
                                    title: k.title.clone(),
                                    measure: Measure::parse(&k.measure),
                                    metric: k.metric.as_deref().and_then(GoalMetric::parse),
                                    target: k.target,
                                    baseline: k.baseline,
                                    ..KeyResultInput::default()
                                };
                                kr.set_rules(rules_of(&rules, Some(k.position)));
                                kr
                            })
                            .collect(),
                        ..GoalInput::default()
                    };
                    out.set_rules(rules_of(&rules, None));
                    out
                },
            )
            .collect())
    }
}

/// Per team, its tickets finished in `quarter` and how many no goal of the quarter links.
fn unaligned(
    work: &Work<'_>,
    goals: &[db::StoredGoal],
    quarter: &str,
    team: Option<&str>,
    now: Ts,
) -> Vec<Unaligned> {
    let Some((start, end)) = quarter_bounds(quarter) else {
        return Vec::new();
    };
    let end = end.min(now + 1);
    let rules: Vec<Rules> = goals
        .iter()
        .filter(|s| s.goal.quarter.eq_ignore_ascii_case(quarter))
        .flat_map(|s| {
            std::iter::once(rules_of(&s.rules, None))
                .chain(
                    s.key_results
                        .iter()
                        .map(|k| rules_of(&s.rules, Some(k.position))),
                )
                .collect::<Vec<_>>()
        })
        .collect();
    let mut teams: Vec<Option<&str>> = work.items.iter().map(|(_, t)| t.team.as_deref()).collect();
    teams.sort();
    teams.dedup();
    teams
        .into_iter()
        .filter(|t| team.is_none() || *t == team)
        .filter_map(|t| {
            let mut finished: Vec<(&WorkItem, &Ticket)> = work
                .items
                .iter()
                .filter(|(_, x)| x.team.as_deref() == t)
                .filter(|(_, x)| x.done_at().is_some_and(|d| d >= start && d < end))
                .copied()
                .collect();
            if finished.is_empty() {
                return None;
            }
            finished.sort_by_key(|(_, x)| std::cmp::Reverse(x.done_at()));
            let loose: Vec<&str> = finished
                .iter()
                .filter(|(w, _)| !rules.iter().any(|r| r.matches(w)))
                .map(|(_, x)| x.key.as_str())
                .collect();
            Some(Unaligned {
                team: t.map(str::to_string),
                finished: finished.len(),
                unaligned: loose.len(),
                share: Some(loose.len() as f64 / finished.len() as f64),
                examples: loose.iter().take(5).map(|k| k.to_string()).collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str, parent: Option<&str>, grand: Option<&str>) -> WorkItem {
        WorkItem {
            id: 1,
            key: key.into(),
            summary: String::new(),
            project_key: Some("PAY".into()),
            issue_type: Some("Story".into()),
            labels: vec!["Payments".into()],
            components: vec!["Billing API".into()],
            parent_key: parent.map(str::to_string),
            grandparent_key: grand.map(str::to_string),
            html_url: None,
        }
    }

    #[test]
    fn rules_match_by_epic_initiative_label_component_project_and_hand() {
        let w = item("PAY-7", Some("PAY-1"), Some("INIT-3"));
        let m = |k: RuleKind, v: &str| k.matches(v, &w);
        assert!(m(RuleKind::Epic, "pay-1"));
        assert!(!m(RuleKind::Epic, "INIT-3"), "an epic rule is one level");
        assert!(m(RuleKind::Initiative, "INIT-3"));
        assert!(m(RuleKind::Label, "payments"));
        assert!(m(RuleKind::Component, "billing api"));
        assert!(!m(RuleKind::Component, "billing"));
        assert!(m(RuleKind::Project, "PAY"));
        assert!(m(RuleKind::Ticket, "PAY-7"));
        assert!(
            m(RuleKind::Ticket, "PAY-1"),
            "linking an epic by hand links its children"
        );
        assert!(!m(RuleKind::Ticket, "PAY-70"));
        let none = Rules::default();
        assert!(!none.matches(&w), "no rules link nothing");
        let blank = Rules {
            labels: vec!["  ".into()],
            ..Rules::default()
        };
        assert!(blank.is_empty());
    }

    #[test]
    fn quarters_have_bounds_and_reject_nonsense() {
        let (s, e) = quarter_bounds("2026-Q4").unwrap();
        assert_eq!(rfc3339(s), "2026-10-01T00:00:00Z");
        assert_eq!(rfc3339(e), "2027-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(quarter_bounds("2027-q1").unwrap().1),
            "2027-04-01T00:00:00Z"
        );
        assert!(quarter_bounds("2026-Q5").is_none());
        assert!(quarter_bounds("Q4 2026").is_none());
        assert_eq!(quarter_of(s), "2026-Q4");
        assert_eq!(quarter_of(e - 1), "2026-Q4");
    }

    #[test]
    fn metric_progress_runs_from_baseline_to_target() {
        let lt = GoalMetric::LeadTimeDays;
        assert_eq!(metric_progress(lt, 1.5, 2.0, Some(4.0)), 1.0);
        assert!((metric_progress(lt, 3.0, 2.0, Some(4.0)) - 0.5).abs() < 1e-9);
        assert_eq!(
            metric_progress(lt, 5.0, 2.0, Some(4.0)),
            0.0,
            "worse than the baseline"
        );
        assert_eq!(metric_progress(lt, 3.0, 2.0, None), 0.0);
        let df = GoalMetric::DeploymentsPerWeek;
        assert!((metric_progress(df, 6.0, 10.0, Some(2.0)) - 0.5).abs() < 1e-9);
        assert_eq!(metric_progress(df, 10.0, 10.0, Some(2.0)), 1.0);
    }

    #[test]
    fn the_import_file_is_strict() {
        let ok: GoalsFile = toml::from_str(
            r#"
            [[goals]]
            title = "Faster checkout"
            quarter = "2026-Q4"
            team = "payments"
            epics = ["PAY-1"]
            labels = ["checkout"]
            [[goals.key_results]]
            title = "Ship the epic"
            [[goals.key_results]]
            title = "Lead time under 2 days"
            measure = "metric"
            metric = "lead_time_days"
            target = 2.0
            "#,
        )
        .unwrap();
        let g = &ok.goals[0];
        assert_eq!(g.rules().epics, ["PAY-1"]);
        assert_eq!(g.key_results[1].metric, Some(GoalMetric::LeadTimeDays));
        assert_eq!(g.key_results[0].measure, Measure::Items);
        let typo = toml::from_str::<GoalsFile>(
            "[[goals]]\ntitle = \"x\"\nquarter = \"2026-Q4\"\nepic = [\"A-1\"]\n",
        );
        assert!(typo.is_err(), "an unknown key is refused, not ignored");
    }
}
