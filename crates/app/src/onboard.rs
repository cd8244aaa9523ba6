//! Onboarding (docs/onboarding.md): who joined recently, and for each a 30-day plan built from
//! what Bosun already syncs and indexes — the team's docs to read in the first week, the code to
//! know, the people to meet with an on-call buddy, first tickets and a first on-call shadow shift
//! — and their progress (first commit, pull request, review, on-call shift, tenth merged pull
//! request) against the team's earlier joiners. For the manager's eyes only: never sent.
//!
//! A join date comes from `[onboarding] joined`, else from the person's first activity when it
//! came at least [`HISTORY_MARGIN_DAYS`] after the synced history begins for most people (the
//! median first activity; earlier, it is only where the history starts). Every item says why it is there.

use crate::{App, AppError, Result};
use bosun_core::model::StatusCategory;
use bosun_core::time::{DAY, Ts, rfc3339};
use bosun_metrics::data::Dataset;
use bosun_store::onboarding as db;
use chrono::DateTime;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The database entry (meta) holding the join dates set in the app: `{person key: date}`.
const JOINED_KEY: &str = "onboarding.joined";

/// A first activity this close to the start of the synced history says nothing about joining.
pub const HISTORY_MARGIN_DAYS: i64 = 30;
/// Week-1 reading: at most this many documents.
const DOCS: usize = 10;
/// First tickets: at most this many.
const TICKETS: usize = 5;
/// "Recent" for code activity and reviewed paths.
const RECENT_DAYS: i64 = 90;
/// Incidents whose responders count as the team's service experts.
const EXPERT_DAYS: i64 = 180;
/// A shadow shift is proposed once the joiner has this many days of history.
const SHADOW_AFTER_DAYS: i64 = 7;

/// Where a join date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum JoinedFrom {
    /// `[onboarding] joined` in the configuration.
    Config,
    /// Set in the app (Team → New joiners), kept in the database.
    App,
    /// Their first commit, pull request, review, message or on-call shift.
    FirstActivity,
}

/// A person who joined recently.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Joiner {
    pub person_id: i64,
    pub key: String,
    pub name: String,
    pub team: String,
    /// `YYYY-MM-DD`.
    pub joined: String,
    pub joined_from: JoinedFrom,
    /// Days since they joined.
    pub days: i64,
}

/// `bosun onboard --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct JoinersView {
    pub joiners: Vec<Joiner>,
    /// Joiners of the last this many days are listed.
    pub window_days: i64,
}

/// What kind of document a week-1 read is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum DocKind {
    SetupGuide,
    Readme,
    Architecture,
    Runbook,
    TeamPage,
    Other,
}

/// A document to read in the first week.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanDoc {
    /// The indexed folder, and the file relative to it.
    pub root: String,
    pub path: String,
    pub title: Option<String>,
    pub kind: DocKind,
    /// The team's names it mentions (team, repositories, services).
    pub names: Vec<String>,
    pub reason: String,
}

/// A repository of the team's to know.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanCode {
    pub repo: String,
    pub service: Option<String>,
    /// Pull requests merged in the last 90 days.
    pub merged_prs: usize,
    /// Code-owner rules: `pattern owners…`.
    pub owners: Vec<String>,
    /// The folders that changed most in the last 90 days, busiest first.
    pub busiest: Vec<String>,
    /// What `busiest` was counted from.
    pub busiest_from: ChangeBasis,
    pub reason: String,
}

/// What a repository's busiest folders were counted from, the best the sync has first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ChangeBasis {
    /// The files of the pull requests merged (GitHub's `/pulls/{n}/files`).
    MergedPullRequests,
    /// The files the main line's commits changed (a local clone).
    Commits,
    /// The files review comments were on (nothing better was synced).
    ReviewComments,
    /// Nothing changed in the period.
    None,
}

impl ChangeBasis {
    fn words(self) -> &'static str {
        match self {
            ChangeBasis::MergedPullRequests => "merged pull requests touching each",
            ChangeBasis::Commits => "commits touching each",
            ChangeBasis::ReviewComments => "review comments on each",
            ChangeBasis::None => "",
        }
    }
}

/// The folder a file is counted in: its first two folders (`internal/ratelimit/`), or its one.
fn folder_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() > 2 {
        format!("{}/{}/", parts[0], parts[1])
    } else if parts.len() == 2 {
        format!("{}/", parts[0])
    } else {
        path.to_string()
    }
}

/// Why someone is on the list of people to meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum MeetRole {
    Manager,
    OnCallBuddy,
    Teammate,
    CodeOwner,
    ServiceExpert,
}

/// A person to meet.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanPerson {
    pub person_id: i64,
    pub name: String,
    pub roles: Vec<MeetRole>,
    pub reason: String,
}

/// A first ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanTicket {
    pub key: String,
    pub summary: String,
    pub points: Option<f64>,
    pub sprint: Option<String>,
    pub labels: Vec<String>,
    pub reason: String,
}

/// A first on-call shift to shadow.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Shadow {
    pub person_id: i64,
    pub name: String,
    pub start: String,
    pub end: String,
    pub reason: String,
}

/// A first the progress tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum MilestoneKind {
    FirstCommit,
    FirstPrOpened,
    FirstPrMerged,
    FirstReview,
    FirstOnCall,
    TenthPrMerged,
}

const MILESTONES: [MilestoneKind; 6] = [
    MilestoneKind::FirstCommit,
    MilestoneKind::FirstPrOpened,
    MilestoneKind::FirstPrMerged,
    MilestoneKind::FirstReview,
    MilestoneKind::FirstOnCall,
    MilestoneKind::TenthPrMerged,
];

/// One first: when, how many days after joining, and the team's norm.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Milestone {
    pub kind: MilestoneKind,
    pub at: Option<String>,
    /// Days from joining (fractional).
    pub days: Option<f64>,
    pub url: Option<String>,
    /// The median days of the team's earlier joiners who reached it.
    pub team_norm_days: Option<f64>,
}

/// Progress since joining.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    pub milestones: Vec<Milestone>,
    pub prs_opened: usize,
    pub prs_merged: usize,
    /// The team's earlier joiners the norm is taken from.
    pub earlier_joiners: Vec<String>,
    pub note: String,
}

/// `bosun onboard PERSON --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OnboardPlan {
    pub person: Joiner,
    pub team: String,
    pub docs: Vec<PlanDoc>,
    pub code: Vec<PlanCode>,
    pub people: Vec<PlanPerson>,
    pub tickets: Vec<PlanTicket>,
    pub shadow: Option<Shadow>,
    pub progress: Progress,
}

fn date_of(ts: Ts) -> String {
    DateTime::from_timestamp(ts, 0).map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
}

/// The milestones a person reached, by their index in [`MILESTONES`]: when, and the link.
type Reached = BTreeMap<usize, (Ts, Option<String>)>;

/// Everyone's firsts, from the store.
struct Firsts {
    commit: HashMap<i64, db::FirstRow>,
    review: HashMap<i64, db::FirstRow>,
    oncall: HashMap<i64, db::FirstRow>,
    message: HashMap<i64, db::FirstRow>,
    prs: HashMap<i64, Vec<db::AuthoredPr>>,
}

impl Firsts {
    fn read(conn: &bosun_store::Connection) -> Result<Firsts> {
        let by = |rows: Vec<db::FirstRow>| rows.into_iter().map(|r| (r.person_id, r)).collect();
        let mut prs: HashMap<i64, Vec<db::AuthoredPr>> = HashMap::new();
        for p in db::authored_prs(conn)? {
            prs.entry(p.person_id).or_default().push(p);
        }
        Ok(Firsts {
            commit: by(db::first_commits(conn)?),
            review: by(db::first_reviews(conn)?),
            oncall: by(db::first_oncall(conn)?),
            message: by(db::first_messages(conn)?),
            prs,
        })
    }

    /// A person's first activity of any kind.
    fn first(&self, person: i64) -> Option<Ts> {
        [&self.commit, &self.review, &self.oncall, &self.message]
            .iter()
            .filter_map(|m| m.get(&person).map(|r| r.at))
            .chain(
                self.prs
                    .get(&person)
                    .and_then(|p| p.first())
                    .map(|p| p.created_at),
            )
            .min()
    }

    /// When the synced history begins for most people: the median of everyone's first
    /// activity (one early source, a repository cloned with a longer history, does not move it).
    fn history_start(&self, people: &[i64]) -> Option<Ts> {
        let mut firsts: Vec<Ts> = people.iter().filter_map(|p| self.first(*p)).collect();
        firsts.sort_unstable();
        firsts.get(firsts.len().saturating_sub(1) / 2).copied()
    }

    /// Each milestone of `person`: (when, link).
    fn milestones(&self, person: i64) -> Reached {
        let mut out = BTreeMap::new();
        let prs = self.prs.get(&person).map(Vec::as_slice).unwrap_or(&[]);
        let mut merged: Vec<&db::AuthoredPr> =
            prs.iter().filter(|p| p.merged_at.is_some()).collect();
        merged.sort_by_key(|p| p.merged_at);
        for (i, kind) in MILESTONES.iter().enumerate() {
            let found = match kind {
                MilestoneKind::FirstCommit => {
                    self.commit.get(&person).map(|r| (r.at, r.url.clone()))
                }
                MilestoneKind::FirstPrOpened => prs.first().map(|p| (p.created_at, p.url.clone())),
                MilestoneKind::FirstPrMerged => merged
                    .first()
                    .and_then(|p| Some((p.merged_at?, p.url.clone()))),
                MilestoneKind::FirstReview => {
                    self.review.get(&person).map(|r| (r.at, r.url.clone()))
                }
                MilestoneKind::FirstOnCall => {
                    self.oncall.get(&person).map(|r| (r.at, r.url.clone()))
                }
                MilestoneKind::TenthPrMerged => merged
                    .get(9)
                    .and_then(|p| Some((p.merged_at?, p.url.clone()))),
            };
            if let Some(f) = found {
                out.insert(i, f);
            }
        }
        out
    }
}

/// The kind of a document from its path and title, and the weight that kind carries; `None` for
/// a dated file (a postmortem, meeting notes): history, not reading for week one.
fn doc_kind(path: &str, title: Option<&str>) -> Option<(DocKind, f64)> {
    let lower = format!(
        "{} {}",
        path.to_lowercase(),
        title.unwrap_or("").to_lowercase()
    );
    let stem = std::path::Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let dated = stem.len() >= 10
        && stem.as_bytes()[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if dated {
        return None;
    }
    Some(
        if has(&[
            "onboarding",
            "getting-started",
            "getting started",
            "getting_started",
            "setup",
            "set-up",
            "set up",
            "dev-environment",
            "development environment",
            "contributing",
            "first-week",
            "first week",
            "install",
        ]) {
            (DocKind::SetupGuide, 3.0)
        } else if stem == "readme" {
            (DocKind::Readme, 2.0)
        } else if has(&["runbook", "playbook", "on-call", "oncall", "escalation"]) {
            (DocKind::Runbook, 1.5)
        } else if has(&[
            "architecture",
            "/adr",
            "adr/",
            "decision",
            "design",
            "overview",
        ]) {
            (DocKind::Architecture, 1.5)
        } else {
            (DocKind::Other, 0.0)
        },
    )
}

/// Week-1 reading from the candidates (best first): the set-up guides and the team's pages,
/// then a few of each other kind, then the best of the rest, [`DOCS`] in all.
fn pick_docs(candidates: Vec<(f64, PlanDoc)>) -> Vec<PlanDoc> {
    let caps = [
        (DocKind::SetupGuide, 3),
        (DocKind::TeamPage, 3),
        (DocKind::Architecture, 2),
        (DocKind::Runbook, 2),
        (DocKind::Readme, 2),
    ];
    let mut taken = vec![false; candidates.len()];
    let mut out = Vec::new();
    for (kind, cap) in caps {
        for (i, (_, d)) in candidates.iter().enumerate() {
            if out.len() >= DOCS {
                break;
            }
            if !taken[i]
                && d.kind == kind
                && out.iter().filter(|o: &&PlanDoc| o.kind == kind).count() < cap
            {
                taken[i] = true;
                out.push(d.clone());
            }
        }
    }
    for (i, (_, d)) in candidates.iter().enumerate() {
        if out.len() >= DOCS {
            break;
        }
        if !taken[i] {
            out.push(d.clone());
        }
    }
    out
}

fn kind_words(k: DocKind) -> &'static str {
    match k {
        DocKind::SetupGuide => "Set-up guide",
        DocKind::Readme => "README",
        DocKind::Architecture => "Architecture note",
        DocKind::Runbook => "Runbook",
        DocKind::TeamPage => "The team's or a service's page",
        DocKind::Other => "Document",
    }
}

/// The median of `v` (empty: none).
fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The join dates set in the app, by person key.
fn joined_in_app(conn: &bosun_store::Connection) -> Result<BTreeMap<String, chrono::NaiveDate>> {
    Ok(match bosun_store::meta::get(conn, JOINED_KEY)? {
        Some(v) => serde_json::from_str(&v)?,
        None => BTreeMap::new(),
    })
}

impl App {
    /// Set (or, with `None`, forget) the day `who` joined their team, audited.
    pub fn set_join_date(&self, who: &str, date: Option<chrono::NaiveDate>) -> Result<JoinersView> {
        let now = self.now();
        let mut store = self.store()?;
        let person = crate::notes::resolve_person(store.conn(), who)?;
        if let Some(d) = date
            && d.and_hms_opt(0, 0, 0)
                .is_some_and(|t| t.and_utc().timestamp() > now)
        {
            return Err(AppError::InvalidInput(format!(
                "{d} is after today: a join date is a day that has come"
            )));
        }
        let mut dates = joined_in_app(store.conn())?;
        match date {
            Some(d) => dates.insert(person.key.clone(), d),
            None => dates.remove(&person.key),
        };
        let value = serde_json::to_string(&dates)?;
        let actor = self.actor();
        store.write(|tx| {
            bosun_store::meta::set(tx, JOINED_KEY, &value)?;
            bosun_store::audit::append(
                tx,
                &bosun_store::audit::NewEntry {
                    at: now,
                    actor: &actor,
                    action: "onboard.joined",
                    subject: Some(&format!("person:{}", person.key)),
                    result: "ok",
                    trace: serde_json::json!({"joined": date.map(|d| d.to_string())}),
                },
            )
        })?;
        drop(store);
        self.joiners()
    }

    /// Everyone's join date that is known: from the configuration, else a first activity well
    /// after the history begins. (person, day joined, where from).
    fn join_dates(
        &self,
        conn: &bosun_store::Connection,
        firsts: &Firsts,
        people: &[db::TeamPerson],
    ) -> Result<HashMap<i64, (Ts, JoinedFrom)>> {
        let mut out = HashMap::new();
        for (who, date) in &self.config.onboarding.joined {
            // Someone not synced yet (a first day before their accounts exist) is no error:
            // the other joiners are listed, and this one once their accounts are synced.
            let p = match crate::notes::resolve_person(conn, who) {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!("[onboarding] joined: {who:?} is nobody Bosun knows yet: {e}");
                    continue;
                }
            };
            let at = date
                .and_hms_opt(0, 0, 0)
                .map_or(0, |d| d.and_utc().timestamp());
            out.insert(p.id, (at, JoinedFrom::Config));
        }
        // Dates set in the app are the manager's latest word: they win over the configuration.
        for (key, date) in joined_in_app(conn)? {
            let Ok(p) = crate::notes::resolve_person(conn, &key) else {
                continue; // a person since forgotten
            };
            let at = date
                .and_hms_opt(0, 0, 0)
                .map_or(0, |d| d.and_utc().timestamp());
            out.insert(p.id, (at, JoinedFrom::App));
        }
        let mut ids: Vec<i64> = people.iter().map(|p| p.person_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let Some(start) = firsts.history_start(&ids) else {
            return Ok(out);
        };
        for p in people {
            if out.contains_key(&p.person_id) {
                continue;
            }
            if let Some(first) = firsts.first(p.person_id)
                && first >= start + HISTORY_MARGIN_DAYS * DAY
            {
                let day = first - first.rem_euclid(DAY);
                out.insert(p.person_id, (day, JoinedFrom::FirstActivity));
            }
        }
        Ok(out)
    }

    /// The people who joined a team within `[onboarding] window_days`, most recent first.
    pub fn joiners(&self) -> Result<JoinersView> {
        let store = self.store()?;
        let conn = store.conn();
        let firsts = Firsts::read(conn)?;
        let people = db::team_people(conn)?;
        let joined = self.join_dates(conn, &firsts, &people)?;
        Ok(JoinersView {
            joiners: self.joiners_of(&people, &joined),
            window_days: self.config.onboarding.window_days,
        })
    }

    fn joiners_of(
        &self,
        people: &[db::TeamPerson],
        joined: &HashMap<i64, (Ts, JoinedFrom)>,
    ) -> Vec<Joiner> {
        let now = self.now();
        let window = self.config.onboarding.window_days * DAY;
        let mut seen = HashSet::new();
        let mut out: Vec<Joiner> = people
            .iter()
            .filter(|p| p.role == "member")
            .filter_map(|p| {
                let (at, from) = *joined.get(&p.person_id)?;
                (at <= now && at >= now - window && seen.insert(p.person_id)).then(|| Joiner {
                    person_id: p.person_id,
                    key: p.key.clone(),
                    name: p.name.clone(),
                    team: p.team.clone(),
                    joined: date_of(at),
                    joined_from: from,
                    days: (now - at).div_euclid(DAY),
                })
            })
            .collect();
        out.sort_by(|a, b| a.days.cmp(&b.days).then(a.name.cmp(&b.name)));
        out
    }

    /// The 30-day plan and progress of `who` (a name, email, key or account).
    pub fn onboard_plan(&self, who: &str) -> Result<OnboardPlan> {
        self.onboard_plan_of(&self.dataset()?, who)
    }

    /// [`App::onboard_plan`] on a dataset already loaded (the API's cached one).
    pub fn onboard_plan_of(&self, data: &Dataset, who: &str) -> Result<OnboardPlan> {
        let store = self.store()?;
        let conn = store.conn();
        let person = crate::notes::resolve_person(conn, who)?;
        let firsts = Firsts::read(conn)?;
        let people = db::team_people(conn)?;
        let joined = self.join_dates(conn, &firsts, &people)?;
        let now = self.now();
        let Some(team) = people
            .iter()
            .find(|p| p.person_id == person.id && p.role == "member")
            .or_else(|| people.iter().find(|p| p.person_id == person.id))
            .map(|p| p.team.clone())
        else {
            return Err(AppError::NotFound(format!(
                "{} is in no team: add them to one (Settings → organisation) to plan their onboarding",
                person.name
            )));
        };
        let (joined_at, joined_from) = joined.get(&person.id).copied().unwrap_or_else(|| {
            (
                firsts
                    .first(person.id)
                    .map_or(now, |f| f - f.rem_euclid(DAY)),
                JoinedFrom::FirstActivity,
            )
        });
        let joiner = Joiner {
            person_id: person.id,
            key: person.key.clone(),
            name: person.name.clone(),
            team: team.clone(),
            joined: date_of(joined_at),
            joined_from,
            days: (now - joined_at).div_euclid(DAY),
        };
        let mates: Vec<&db::TeamPerson> = people.iter().filter(|p| p.team == team).collect();
        let repos: Vec<&bosun_metrics::data::Repo> = data
            .repos
            .iter()
            .filter(|r| r.team.as_deref() == Some(team.as_str()))
            .collect();
        let services: Vec<String> = db::team_services(conn)?
            .into_iter()
            .filter(|(_, t)| *t == team)
            .map(|(s, _)| s)
            .chain(repos.iter().filter_map(|r| r.service.clone()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let docs = self.plan_docs(conn, &team, &repos, &services)?;
        let code = plan_code(conn, data, &repos, now)?;
        let oncall = bosun_store::planning::first_oncall_shifts(conn, now, now + 45 * DAY)?;
        let people_plan = plan_people(conn, &person, &mates, &repos, &team, &oncall, now)?;
        let tickets = self.plan_tickets(conn, data, &team, person.id, now)?;
        let shadow = plan_shadow(&mates, person.id, &oncall, joined_at, now);
        let progress = progress(&firsts, &joined, &mates, person.id, joined_at);
        Ok(OnboardPlan {
            person: joiner,
            team,
            docs,
            code,
            people: people_plan,
            tickets,
            shadow,
            progress,
        })
    }

    /// Week-1 reading: set-up guides for everyone, the team's and its services' pages, then the
    /// architecture notes, runbooks and READMEs that name the team, its repositories or its
    /// services (a few of each kind), then anything else naming them most.
    fn plan_docs(
        &self,
        conn: &bosun_store::Connection,
        team: &str,
        repos: &[&bosun_metrics::data::Repo],
        services: &[String],
    ) -> Result<Vec<PlanDoc>> {
        let team_name = db::team_name(conn, team)?.unwrap_or_else(|| team.to_string());
        let own: Vec<String> = vec![team_name.to_lowercase(), team.to_lowercase()];
        // (name, weight): the team's names, then its repositories' and services'.
        let mut terms: Vec<(String, f64)> = vec![(team_name.clone(), 3.0), (team.to_string(), 3.0)];
        let mut subjects: Vec<String> = Vec::new();
        for r in repos {
            let short = r
                .full_name
                .rsplit('/')
                .next()
                .unwrap_or(&r.full_name)
                .to_string();
            subjects.push(short.to_lowercase());
            terms.push((short, 2.0));
        }
        for s in services {
            subjects.push(s.to_lowercase());
            terms.push((s.clone(), 2.0));
        }
        terms.sort_by_key(|a| a.0.to_lowercase());
        terms.dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
        let mut named: HashMap<i64, Vec<(String, f64, i64)>> = HashMap::new();
        for (term, w) in &terms {
            for (doc, hits) in db::docs_naming(conn, term)? {
                named.entry(doc).or_default().push((term.clone(), *w, hits));
            }
        }
        let mut candidates: Vec<(f64, PlanDoc)> = Vec::new();
        for d in db::indexed_docs(conn)? {
            let Some((mut kind, base)) = doc_kind(&d.path, d.title.as_deref()) else {
                continue;
            };
            let hits = named.get(&d.id).cloned().unwrap_or_default();
            let names_score: f64 = hits.iter().map(|(_, w, n)| w * (*n).min(2) as f64).sum();
            let stem = std::path::Path::new(&d.path)
                .file_stem()
                .map(|s| s.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let page_of = if own.contains(&stem) {
                Some(team_name.clone())
            } else {
                subjects.iter().find(|s| **s == stem).cloned()
            };
            if kind == DocKind::Other && page_of.is_some() {
                kind = DocKind::TeamPage;
            }
            let relevant = match kind {
                DocKind::SetupGuide | DocKind::TeamPage => true,
                DocKind::Readme | DocKind::Architecture | DocKind::Runbook => names_score > 0.0,
                DocKind::Other => names_score >= 4.0,
            };
            if !relevant {
                continue;
            }
            let mut names: Vec<String> = hits.iter().map(|(t, _, _)| t.clone()).collect();
            names.sort();
            let reason = match (kind, &page_of, names.is_empty()) {
                (DocKind::TeamPage, Some(p), _) if own.contains(&p.to_lowercase()) => {
                    format!("{team_name}'s own page: how the team works")
                }
                (DocKind::TeamPage, Some(p), _) => {
                    format!("The page of {p}, which {team_name} owns")
                }
                (DocKind::SetupGuide, _, true) => "Set-up guide for every new engineer".to_string(),
                (k, _, true) => kind_words(k).to_string(),
                (k, _, false) => format!("{} naming {}", kind_words(k), names.join(", ")),
            };
            candidates.push((
                names_score + base,
                PlanDoc {
                    root: d.root,
                    path: d.path,
                    title: d.title,
                    kind,
                    names,
                    reason,
                },
            ));
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.path.cmp(&b.1.path)));
        Ok(pick_docs(candidates))
    }

    /// First tickets: the team's unfinished tickets in its current or next sprint, unassigned
    /// (or the joiner's), not flagged, nothing blocking them; labelled as starters or small.
    fn plan_tickets(
        &self,
        conn: &bosun_store::Connection,
        data: &Dataset,
        team: &str,
        person: i64,
        now: Ts,
    ) -> Result<Vec<PlanTicket>> {
        let labels: HashMap<i64, Vec<String>> = bosun_store::planning::ticket_marks(conn)?
            .into_iter()
            .map(|m| (m.id, m.labels))
            .collect();
        let starter = |l: &String| {
            self.config
                .onboarding
                .starter_labels
                .iter()
                .any(|s| s.eq_ignore_ascii_case(l))
        };
        let sprints: HashMap<i64, &bosun_metrics::data::Sprint> = data
            .sprints
            .iter()
            .filter(|s| s.team.as_deref() == Some(team))
            .filter(|s| s.state == "active" || s.state == "future")
            .map(|s| (s.id, s))
            .collect();
        let mut out: Vec<(f64, PlanTicket)> = Vec::new();
        for t in data
            .tickets
            .iter()
            .filter(|t| t.team.as_deref() == Some(team))
        {
            if t.status_category == StatusCategory::Done
                || t.flagged
                || !t.blocked_by.is_empty()
                || t.assignee.is_some_and(|a| a != person)
            {
                continue;
            }
            let Some(stay) = t.sprints.iter().rev().find(|s| s.removed_at.is_none()) else {
                continue;
            };
            let Some(sprint) = sprints.get(&stay.sprint) else {
                continue;
            };
            let own = labels.get(&t.id).cloned().unwrap_or_default();
            let marked = own.iter().any(starter);
            let small = t.story_points.is_some_and(|p| p <= 2.0);
            if !marked && !small {
                continue;
            }
            let mut why = Vec::new();
            if let Some(l) = own.iter().find(|l| starter(l)) {
                why.push(format!("labelled {l}"));
            }
            if let Some(p) = t.story_points {
                why.push(format!("{p} point{}", if p == 1.0 { "" } else { "s" }));
            }
            why.push(if t.assignee.is_some() {
                "already yours".to_string()
            } else {
                "unassigned".to_string()
            });
            why.push("nothing blocks it".into());
            let current = sprint.start_at.is_some_and(|s| s <= now);
            why.push(format!(
                "in {} sprint {}",
                if current { "the current" } else { "the next" },
                sprint.name
            ));
            let score = if marked { 2.0 } else { 0.0 }
                + match t.story_points {
                    Some(p) if p <= 1.0 => 1.0,
                    Some(p) if p <= 2.0 => 0.5,
                    _ => 0.0,
                }
                + if current { 0.3 } else { 0.0 };
            out.push((
                score,
                PlanTicket {
                    key: t.key.clone(),
                    summary: t.summary.clone(),
                    points: t.story_points,
                    sprint: Some(sprint.name.clone()),
                    labels: own,
                    reason: why.join("; "),
                },
            ));
        }
        out.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.key.cmp(&b.1.key)));
        Ok(out.into_iter().take(TICKETS).map(|(_, t)| t).collect())
    }
}

/// The team's repositories, busiest first, with their code owners and most-reviewed folders.
fn plan_code(
    conn: &bosun_store::Connection,
    data: &Dataset,
    repos: &[&bosun_metrics::data::Repo],
    now: Ts,
) -> Result<Vec<PlanCode>> {
    let since = now - RECENT_DAYS * DAY;
    let ids: Vec<i64> = repos.iter().map(|r| r.id).collect();
    let owners = bosun_store::signal_inputs::code_owners(conn, Some(&ids))?;
    // Changes by folder, from the best each repository has: the merged pull requests that
    // changed it (bots' left out: one dependency bump touches a hundred files), else its local
    // clone's commits, else review comments. A change counts once per folder it touched.
    type Counts = BTreeMap<String, usize>;
    let bots: HashSet<i64> = data
        .pull_requests
        .iter()
        .filter(|p| p.author_is_bot)
        .map(|p| p.id)
        .collect();
    let mut from_prs: HashMap<i64, Counts> = HashMap::new();
    let mut seen: HashSet<(i64, String)> = HashSet::new();
    for c in db::merged_changes(conn, since)? {
        let folder = folder_of(&c.path);
        if bots.contains(&c.pr_id) || !seen.insert((c.pr_id, folder.clone())) {
            continue;
        }
        *from_prs
            .entry(c.repo_id)
            .or_default()
            .entry(folder)
            .or_default() += 1;
    }
    let mut from_reviews: HashMap<i64, Counts> = HashMap::new();
    for (repo, path) in db::reviewed_paths(conn, since)? {
        *from_reviews
            .entry(repo)
            .or_default()
            .entry(folder_of(&path))
            .or_default() += 1;
    }
    let clones = if repos.iter().all(|r| from_prs.contains_key(&r.id)) {
        Vec::new()
    } else {
        crate::doc_drift::repos(conn)?
    };
    // (counts, commits in the period).
    let from_commits = |r: &bosun_metrics::data::Repo| -> Option<(Counts, usize)> {
        let short = r.full_name.rsplit('/').next().unwrap_or(&r.full_name);
        let clone = clones
            .iter()
            .find(|c| c.name == r.full_name || c.name == short)?;
        let (mut counts, mut commits) = (Counts::new(), 0);
        for (at, paths) in &clone.facts.changes {
            if *at >= since && *at <= now {
                commits += 1;
                let folders: BTreeSet<String> = paths.iter().map(|p| folder_of(p)).collect();
                for folder in folders {
                    *counts.entry(folder).or_default() += 1;
                }
            }
        }
        (!counts.is_empty()).then_some((counts, commits))
    };
    let mut out: Vec<PlanCode> = repos
        .iter()
        .map(|r| {
            let merged_prs = data
                .pull_requests
                .iter()
                .filter(|p| {
                    p.repo == r.id && p.merged_at.is_some_and(|m| m >= since) && !p.author_is_bot
                })
                .count();
            let rules: Vec<String> = owners
                .iter()
                .filter(|o| o.repo_id == r.id)
                .map(|o| format!("{} {}", o.pattern, o.owners.join(" ")))
                .collect();
            let mut commits = 0;
            let (basis, counts) = from_prs
                .remove(&r.id)
                .map(|c| (ChangeBasis::MergedPullRequests, c))
                .or_else(|| {
                    from_commits(r).map(|(c, n)| {
                        commits = n;
                        (ChangeBasis::Commits, c)
                    })
                })
                .or_else(|| {
                    from_reviews
                        .remove(&r.id)
                        .map(|c| (ChangeBasis::ReviewComments, c))
                })
                .unwrap_or((ChangeBasis::None, Counts::new()));
            let mut busiest: Vec<(String, usize)> = counts.into_iter().collect();
            busiest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            busiest.truncate(3);
            // A repository Bosun reads only from a local clone has no pull requests: say what
            // its history shows instead.
            let mut reason = if merged_prs == 0 && basis == ChangeBasis::Commits {
                format!("{commits} commits on its main line in the last {RECENT_DAYS} days")
            } else {
                format!("{merged_prs} pull requests merged in the last {RECENT_DAYS} days")
            };
            if let Some(s) = &r.service {
                reason.push_str(&format!("; deploys {s}"));
            }
            if !busiest.is_empty() {
                reason.push_str(&format!(
                    "; most changed: {} (by {})",
                    busiest
                        .iter()
                        .map(|(f, n)| format!("{f} {n}×"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    basis.words()
                ));
            }
            PlanCode {
                repo: r.full_name.clone(),
                service: r.service.clone(),
                merged_prs,
                owners: rules,
                busiest: busiest.into_iter().map(|(f, _)| f).collect(),
                busiest_from: basis,
                reason,
            }
        })
        .collect();
    out.sort_by(|a, b| b.merged_prs.cmp(&a.merged_prs).then(a.repo.cmp(&b.repo)));
    Ok(out)
}

/// Teammates, the manager, the on-call buddy, code owners of the team's repositories and the
/// people who answered the team's services' incidents.
fn plan_people(
    conn: &bosun_store::Connection,
    person: &crate::notes::PersonRef,
    mates: &[&db::TeamPerson],
    repos: &[&bosun_metrics::data::Repo],
    team: &str,
    oncall: &[(i64, Ts, Ts)],
    now: Ts,
) -> Result<Vec<PlanPerson>> {
    let mut found: BTreeMap<i64, (String, Vec<MeetRole>, Vec<String>)> = BTreeMap::new();
    let names: HashMap<i64, String> = bosun_store::notes::humans(conn)?
        .into_iter()
        .map(|h| (h.id, h.name))
        .collect();
    let mut add = |id: i64, role: MeetRole, why: String| {
        if id == person.id {
            return;
        }
        let Some(name) = names.get(&id) else {
            return;
        };
        let e = found
            .entry(id)
            .or_insert_with(|| (name.clone(), Vec::new(), Vec::new()));
        if !e.1.contains(&role) {
            e.1.push(role);
        }
        if !e.2.contains(&why) {
            e.2.push(why);
        }
    };
    for m in mates {
        if m.role == "manager" {
            add(m.person_id, MeetRole::Manager, "your manager".into());
        } else {
            let what = m.title.clone().unwrap_or_else(|| "engineer".into());
            add(
                m.person_id,
                MeetRole::Teammate,
                format!("teammate ({})", what.to_lowercase()),
            );
        }
    }
    let members: HashSet<i64> = mates.iter().map(|m| m.person_id).collect();
    if let Some((p, start, _)) = oncall
        .iter()
        .filter(|(p, s, _)| members.contains(p) && *p != person.id && *s >= now - DAY)
        .min_by_key(|(_, s, _)| *s)
    {
        add(
            *p,
            MeetRole::OnCallBuddy,
            format!(
                "on call next (from {}): your on-call buddy",
                date_of(*start)
            ),
        );
    }
    let logins: HashMap<String, i64> = db::github_logins(conn)?
        .into_iter()
        .map(|(p, l)| (l.to_lowercase(), p))
        .collect();
    let ids: Vec<i64> = repos.iter().map(|r| r.id).collect();
    for rule in bosun_store::signal_inputs::code_owners(conn, Some(&ids))? {
        let repo = repos
            .iter()
            .find(|r| r.id == rule.repo_id)
            .map(|r| {
                r.full_name
                    .rsplit('/')
                    .next()
                    .unwrap_or(&r.full_name)
                    .to_string()
            })
            .unwrap_or_default();
        for o in &rule.owners {
            let login = o.trim_start_matches('@').to_lowercase();
            if let Some(&p) = logins.get(&login) {
                add(
                    p,
                    MeetRole::CodeOwner,
                    format!("owns {} in {repo}", rule.pattern),
                );
            }
        }
    }
    let mut experts = 0;
    for (t, service, p, n) in db::incident_responders(conn, now - EXPERT_DAYS * DAY)? {
        if t != team || experts >= 3 || p == person.id {
            continue;
        }
        experts += 1;
        add(
            p,
            MeetRole::ServiceExpert,
            format!(
                "answered {n} incident{} of {service}",
                if n == 1 { "" } else { "s" }
            ),
        );
    }
    let mut out: Vec<PlanPerson> = found
        .into_iter()
        .map(|(id, (name, mut roles, reasons))| {
            roles.sort();
            PlanPerson {
                person_id: id,
                name,
                roles,
                reason: reasons.join("; "),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        a.roles[0]
            .cmp(&b.roles[0])
            .then(b.roles.len().cmp(&a.roles.len()))
            .then(a.name.cmp(&b.name))
    });
    Ok(out)
}

/// The first on-call shift of a teammate once the joiner has a week of history.
fn plan_shadow(
    mates: &[&db::TeamPerson],
    person: i64,
    oncall: &[(i64, Ts, Ts)],
    joined: Ts,
    now: Ts,
) -> Option<Shadow> {
    let from = (joined + SHADOW_AFTER_DAYS * DAY).max(now);
    let (p, start, end) = oncall
        .iter()
        .filter(|(p, s, _)| *p != person && *s >= from && mates.iter().any(|m| m.person_id == *p))
        .min_by_key(|(_, s, _)| *s)?;
    let name = mates.iter().find(|m| m.person_id == *p)?.name.clone();
    Some(Shadow {
        person_id: *p,
        name: name.clone(),
        start: rfc3339(*start),
        end: rfc3339(*end),
        reason: format!(
            "the first shift after a week in the team: shadow {name} from {} to {}",
            date_of(*start),
            date_of(*end)
        ),
    })
}

/// The joiner's firsts, against the median of the team's earlier joiners.
fn progress(
    firsts: &Firsts,
    joined: &HashMap<i64, (Ts, JoinedFrom)>,
    mates: &[&db::TeamPerson],
    person: i64,
    joined_at: Ts,
) -> Progress {
    let mine = firsts.milestones(person);
    let earlier: Vec<(&db::TeamPerson, Ts)> = mates
        .iter()
        .filter(|m| m.person_id != person && m.role == "member")
        .filter_map(|m| joined.get(&m.person_id).map(|(at, _)| (*m, *at)))
        .filter(|(_, at)| *at < joined_at)
        .collect();
    let days = |from: Ts, at: Ts| round1((at - from) as f64 / DAY as f64);
    let theirs: Vec<(Reached, Ts)> = earlier
        .iter()
        .map(|(m, at)| (firsts.milestones(m.person_id), *at))
        .collect();
    let milestones = MILESTONES
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            // (A first before someone's join date says the date is not when they started.)
            let norm = median(
                theirs
                    .iter()
                    .filter_map(|(ms, at)| {
                        ms.get(&i)
                            .filter(|(t, _)| t >= at)
                            .map(|(t, _)| days(*at, *t))
                    })
                    .collect(),
            );
            Milestone {
                kind: *kind,
                at: mine.get(&i).map(|(t, _)| rfc3339(*t)),
                days: mine.get(&i).map(|(t, _)| days(joined_at, *t)),
                url: mine.get(&i).and_then(|(_, u)| u.clone()),
                team_norm_days: norm,
            }
        })
        .collect();
    let prs = firsts.prs.get(&person).map(Vec::as_slice).unwrap_or(&[]);
    let note = if earlier.is_empty() {
        "No earlier joiner in this team's synced history to compare with.".to_string()
    } else {
        format!(
            "The norm is the median of {} earlier joiner{} of the team.",
            earlier.len(),
            if earlier.len() == 1 { "" } else { "s" }
        )
    };
    Progress {
        milestones,
        prs_opened: prs.len(),
        prs_merged: prs.iter().filter(|p| p.merged_at.is_some()).count(),
        earlier_joiners: earlier.iter().map(|(m, _)| m.name.clone()).collect(),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_kinded_by_their_path_and_title() {
        let kind = |p: &str, t: Option<&str>| doc_kind(p, t).map(|k| k.0);
        assert_eq!(
            kind("onboarding/dev-environment-setup.md", None),
            Some(DocKind::SetupGuide)
        );
        assert_eq!(kind("CONTRIBUTING.md", None), Some(DocKind::SetupGuide));
        assert_eq!(
            kind("services/gateway/README.md", None),
            Some(DocKind::Readme)
        );
        assert_eq!(
            kind("runbooks/gateway-5xx-spike.md", None),
            Some(DocKind::Runbook)
        );
        assert_eq!(
            kind("adr/0005-redis-token-bucket.md", None),
            Some(DocKind::Architecture)
        );
        assert_eq!(
            kind("notes.md", Some("System overview")),
            Some(DocKind::Architecture)
        );
        // A dated file is history: a postmortem is not week-one reading, whatever it names.
        assert_eq!(
            kind("incidents/2026-01-22-gateway-rate-limit-429s.md", None),
            None
        );
        assert_eq!(
            kind("engineering/branching-strategy.md", None),
            Some(DocKind::Other)
        );
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![4.0, 1.0, 9.0]), Some(4.0));
        assert_eq!(median(vec![4.0, 1.0, 9.0, 2.0]), Some(3.0));
    }
}

/// The two drafts that introduce a joiner, waiting for approval like every action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OnboardDrafts {
    /// The welcome message in the team's channel (none: drafted before, or no channel).
    pub welcome: Option<i64>,
    pub channel: Option<String>,
    /// The buddy introduction, a DM to the on-call buddy (else the first teammate).
    pub buddy: Option<i64>,
    pub buddy_name: Option<String>,
}

fn first_name(name: &str) -> &str {
    name.split(' ').next().unwrap_or(name)
}

impl App {
    /// Draft the welcome message for the team's channel and the buddy introduction DM of
    /// `who`'s onboarding (each once per joiner; the policy decides, the audit records).
    pub fn draft_onboarding(&self, who: &str) -> Result<OnboardDrafts> {
        self.draft_onboarding_of(&self.dataset()?, who)
    }

    /// [`App::draft_onboarding`] on a dataset already loaded (the API's cached one).
    pub fn draft_onboarding_of(&self, data: &Dataset, who: &str) -> Result<OnboardDrafts> {
        use bosun_signals::Suggestion;
        let plan = self.onboard_plan_of(data, who)?;
        let mut store = self.store()?;
        let settings = bosun_signals::Settings::default();
        let extra = crate::signals::load_extra(store.conn(), &self.config, &settings, self.now())?;
        let drafter = crate::drafts::Drafter::load(self, store.conn(), extra)?;
        let team = drafter
            .extra()
            .teams
            .iter()
            .find(|t| t.key == plan.team)
            .cloned();
        let team_name = team.as_ref().map_or(plan.team.clone(), |t| t.name.clone());
        let joiner = &plan.person;
        let first = first_name(&joiner.name).to_string();
        let buddy = plan
            .people
            .iter()
            .find(|p| p.roles.contains(&MeetRole::OnCallBuddy))
            .or_else(|| {
                plan.people
                    .iter()
                    .find(|p| p.roles.contains(&MeetRole::Teammate))
            });
        let mut out = OnboardDrafts {
            welcome: None,
            channel: None,
            buddy: None,
            buddy_name: buddy.map(|b| b.name.clone()),
        };
        if let Some(channel) = team.as_ref().and_then(|t| t.channels.first()) {
            let mut body = format!(
                "Please welcome {} to {team_name}! {first} joined on {}.",
                joiner.name, joiner.joined
            );
            if let Some(b) = buddy {
                body.push_str(&format!(
                    " {} is {first}'s buddy for the first month.",
                    b.name
                ));
            }
            if let Some(d) = plan.docs.first() {
                body.push_str(&format!(
                    " If you remember what you wished you had known in your first week, tell {first} — and start them at {}.",
                    d.path
                ));
            }
            let summary = format!(
                "Message in #{channel}: welcome {} to {team_name}",
                joiner.name
            );
            let sug = Suggestion::channel_message(channel.clone(), body, summary);
            out.channel = Some(channel.clone());
            let key = format!("onboard:welcome:{}", joiner.person_id);
            let trace = serde_json::json!({"person": joiner.person_id, "team": plan.team, "channel": channel, "draft": "welcome"});
            out.welcome = drafter.write(
                &mut store,
                &crate::drafts::OwnDraft::of(&sug, &key, "onboarding", "onboard.draft", trace),
            )?;
        }
        if let Some(b) = buddy {
            let mut body = format!(
                "Hi {}, {} joined {team_name} on {}. Would you be their buddy for the first month: a coffee this week, and a first look at the code together?",
                first_name(&b.name),
                joiner.name,
                joiner.joined
            );
            let tickets: Vec<&str> = plan
                .tickets
                .iter()
                .take(3)
                .map(|t| t.key.as_str())
                .collect();
            if !tickets.is_empty() {
                body.push_str(&format!(
                    " First tickets picked for them: {}.",
                    tickets.join(", ")
                ));
            }
            if let Some(s) = &plan.shadow
                && s.person_id == b.person_id
            {
                body.push_str(&format!(
                    " They would shadow your on-call shift from {}.",
                    &s.start[..10]
                ));
            }
            let summary = format!("DM to {}: be {}'s onboarding buddy", b.name, joiner.name);
            let sug = Suggestion::dm(b.person_id, body, summary);
            let key = format!("onboard:buddy:{}", joiner.person_id);
            let trace = serde_json::json!({"person": joiner.person_id, "team": plan.team, "buddy": b.person_id, "draft": "buddy"});
            out.buddy = drafter.write(
                &mut store,
                &crate::drafts::OwnDraft::of(&sug, &key, "onboarding", "onboard.draft", trace),
            )?;
        }
        Ok(out)
    }
}
