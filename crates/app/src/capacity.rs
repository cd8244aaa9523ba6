//! Capacity per team for its next sprint (issue 20.3): the metrics engine counts days and runs the
//! Monte Carlo; this gathers who is on each team, their country and time off (`[planning]`, the
//! time off `bosun notes time-off` keeps, calendar files), their first on-call shifts from
//! PagerDuty, and the team's sprints and finished tickets.

use crate::config::PlanningConfig;
use crate::{App, AppError, Result};
use bosun_core::time::{Ts, rfc3339};
use bosun_metrics::capacity::{
    self, CapacityOptions, CompanyDay, Member, SprintWindow, TeamCapacity, TeamInput,
};
use bosun_metrics::data::{Dataset, Sprint};
use bosun_metrics::holidays::Holidays;
use bosun_store::{identity as ident_db, notes as notes_db, planning as db};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// `bosun capacity`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CapacityView {
    /// When it was computed.
    pub as_of: String,
    /// Each team's next sprint.
    pub teams: Vec<TeamCapacity>,
    /// Where public holidays come from, and the years covered.
    pub holidays: String,
    /// How the numbers are made, in words.
    pub rules: Vec<String>,
    /// What could not be read (a calendar file, a person the configuration names).
    pub warnings: Vec<String>,
}

fn window(s: &Sprint) -> Option<SprintWindow> {
    Some(SprintWindow {
        sprint_id: Some(s.id),
        name: s.name.clone(),
        start: s.start_at?,
        end: s.end_at?,
        projected: false,
    })
}

/// The sprint to plan: the team's first sprint starting after `now`, else one projected after
/// the active (or latest) sprint.
pub(crate) fn next_sprint(sprints: &[&Sprint], now: Ts) -> Option<SprintWindow> {
    if let Some(w) = sprints
        .iter()
        .filter(|s| s.state != "closed" && s.start_at.is_some_and(|t| t > now))
        .min_by_key(|s| s.start_at)
        .and_then(|s| window(s))
    {
        return Some(w);
    }
    let current = sprints
        .iter()
        .filter(|s| s.start_at.is_some_and(|t| t <= now))
        .max_by_key(|s| s.start_at)
        .and_then(|s| window(s))?;
    let mut w = capacity::projected_after(&current);
    while w.end <= now {
        w = capacity::projected_after(&w);
    }
    Some(w)
}

/// Everyone's country and time off the configuration, the time-off table and calendar files
/// give, by person id; with what could not be read.
struct Facts {
    country: HashMap<i64, String>,
    time_off: HashMap<i64, Vec<(NaiveDate, NaiveDate)>>,
    warnings: Vec<String>,
}

fn facts(
    conn: &bosun_store::Connection,
    planning: &PlanningConfig,
    config_dir: &Path,
) -> Result<Facts> {
    let mut f = Facts {
        country: HashMap::new(),
        time_off: HashMap::new(),
        warnings: Vec::new(),
    };
    for (person, from, to) in notes_db::time_off(conn)? {
        let parse = |s: &str| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|e| AppError::InvalidInput(format!("time_off date {s:?}: {e}")))
        };
        f.time_off
            .entry(person)
            .or_default()
            .push((parse(&from)?, parse(&to)?));
    }
    for p in &planning.people {
        let Some(id) = ident_db::person_by_ref(conn, &p.who)? else {
            f.warnings.push(format!(
                "[[planning.people]] {:?} is nobody Bosun knows (see `bosun people`).",
                p.who
            ));
            continue;
        };
        if let Some(c) = &p.country {
            f.country.insert(id, c.to_ascii_uppercase());
        }
        let days = f.time_off.entry(id).or_default();
        days.extend(p.time_off.iter().map(|r| (r.from, r.to)));
        if let Some(file) = &p.calendar {
            let path = config_dir.join(file);
            match std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|t| crate::time_off::parse(&t))
            {
                Ok(cal) => {
                    days.extend(cal.ranges.iter().map(|(a, b, _)| (*a, *b)));
                    if cal.recurring > 0 {
                        f.warnings.push(format!(
                            "{}: {} recurring event(s) counted once (their first day).",
                            path.display(),
                            cal.recurring
                        ));
                    }
                }
                Err(e) => f.warnings.push(format!(
                    "{}: not read ({e}); {}'s time off from it is not counted.",
                    path.display(),
                    p.who
                )),
            }
        }
    }
    Ok(f)
}

impl App {
    /// Everyone's time off (the time-off table, `[[planning.people]]` and calendar files), by
    /// person id, as inclusive date ranges.
    pub fn time_off_by_person(&self) -> Result<HashMap<i64, Vec<(NaiveDate, NaiveDate)>>> {
        let store = self.store()?;
        Ok(facts(store.conn(), &self.config.planning, &self.config_dir())?.time_off)
    }

    /// The folder of the config file (calendar files are named relative to it).
    fn config_dir(&self) -> std::path::PathBuf {
        self.paths
            .config_file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// The capacity of `team` (every team with sprints when none) for its next sprint.
    pub fn capacity(&self, team: Option<&str>) -> Result<CapacityView> {
        let data = {
            let store = self.store()?;
            crate::metrics::load(store.conn())?
        };
        self.capacity_of(&data, team)
    }

    /// [`App::capacity`] over a dataset already loaded (the API's cached one).
    pub fn capacity_of(&self, data: &Dataset, team: Option<&str>) -> Result<CapacityView> {
        let now = self.now();
        let planning = &self.config.planning;
        let opts = CapacityOptions {
            history_sprints: planning.history_sprints,
            oncall_day_cost: planning.oncall_day_cost,
            confidence: planning.confidence,
            ..CapacityOptions::default()
        };
        let holidays = Holidays::bundled();
        let config_dir = self.config_dir();
        let mut keys: Vec<&str> = data
            .sprints
            .iter()
            .filter_map(|s| s.team.as_deref())
            .filter(|k| team.is_none_or(|t| t.eq_ignore_ascii_case(k)))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        if let Some(t) = team
            && keys.is_empty()
        {
            return Err(AppError::NotFound(format!(
                "no team {t:?} with sprints (capacity plans a team's next sprint)"
            )));
        }
        let store = self.store()?;
        let conn = store.conn();
        let mut facts = facts(conn, planning, &config_dir)?;
        let company: Vec<CompanyDay> = planning
            .holidays
            .iter()
            .map(|h| CompanyDay {
                date: h.date,
                name: h.name.clone(),
            })
            .collect();
        let mut teams = Vec::new();
        for key in keys {
            let sprints: Vec<&Sprint> = data
                .sprints
                .iter()
                .filter(|s| s.team.as_deref() == Some(key))
                .collect();
            let Some(target) = next_sprint(&sprints, now) else {
                continue;
            };
            let history: Vec<SprintWindow> = sprints
                .iter()
                .filter(|s| s.state == "closed")
                .filter_map(|s| window(s))
                .collect();
            let from = history
                .iter()
                .map(|w| w.start)
                .min()
                .unwrap_or(target.start);
            let shifts = db::first_oncall_shifts(conn, from, target.end)?;
            let members = db::sprint_members(conn, key)?
                .into_iter()
                .map(|m| Member {
                    id: m.person_id,
                    name: m.name,
                    utc_offset_minutes: m.utc_offset_minutes.unwrap_or(0),
                    country: facts.country.get(&m.person_id).cloned(),
                    time_off: facts
                        .time_off
                        .get(&m.person_id)
                        .cloned()
                        .unwrap_or_default(),
                    oncall: shifts
                        .iter()
                        .filter(|(p, _, _)| *p == m.person_id)
                        .map(|(_, a, b)| (*a, *b))
                        .collect(),
                })
                .collect();
            let done = data
                .tickets
                .iter()
                .filter(|t| t.team.as_deref() == Some(key))
                .filter_map(|t| Some((t.done_at()?, t.story_points)))
                .collect();
            let input = TeamInput {
                team: key.to_string(),
                target,
                history,
                members,
                company_days: company.clone(),
                done,
            };
            teams.push(capacity::team_capacity(&input, holidays, &opts));
        }
        let (y0, y1) = holidays.years();
        Ok(CapacityView {
            as_of: rfc3339(now),
            teams,
            holidays: format!(
                "National public holidays of 64 countries, {y0}–{y1}, bundled from python-holidays \
                 (PyPI) by scripts/update-holidays; company days from [[planning.holidays]]."
            ),
            rules: vec![
                "A person's working day: a weekday of their country in their own time zone whose \
                 09:00–18:00 overlaps the sprint by half or more."
                    .into(),
                "Lost to a public holiday of their country, a company day off, or their time off \
                 (bosun notes time-off, [[planning.people]], a calendar file)."
                    .into(),
                format!(
                    "A day first on call (PagerDuty) counts {:.0} % of a day.",
                    (1.0 - opts.oncall_day_cost) * 100.0
                ),
                format!(
                    "Focus factor: points and tickets the team finished per available person-day \
                     in its last {} closed sprints; capacity = focus × person-days.",
                    opts.history_sprints
                ),
                format!(
                    "Recommendation: {} simulated sprints (seed {}), each day drawing a past day's \
                     points per person-day; commit what {:.0} % of them finish.",
                    opts.runs,
                    opts.seed,
                    opts.confidence * 100.0
                ),
            ],
            warnings: std::mem::take(&mut facts.warnings),
        })
    }
}
