//! "When will this epic be done" (issue 20.4): the metrics engine runs the Monte Carlo; this finds
//! the work (the tickets naming KEY as their parent), its team and the team's finished tickets.

use crate::{App, AppError, Result};
use bosun_core::time::rfc3339;
use bosun_metrics::data::Dataset;
use bosun_metrics::forecast::{self, BacktestCase, Child, Forecast, ForecastOptions};
use bosun_store::planning as db;
use serde::Serialize;
use std::collections::HashMap;

/// Finished epics with fewer children are left out of the backtest (too small to forecast).
pub const BACKTEST_MIN_CHILDREN: usize = 3;

/// `bosun forecast KEY`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ForecastView {
    /// The epic (or parent ticket).
    pub key: String,
    /// Its title, when it is synced.
    pub summary: Option<String>,
    /// The team whose throughput the forecast draws on.
    pub team: Option<String>,
    /// When it was made.
    pub as_of: String,
    /// Its child tickets, not done first.
    pub children: Vec<ChildRow>,
    /// The numbers.
    #[serde(flatten)]
    pub forecast: Forecast,
}

/// A child ticket.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChildRow {
    pub key: String,
    pub summary: String,
    pub status: String,
    pub done: bool,
}

/// `bosun forecast --backtest`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BacktestView {
    /// Finished epics forecast from their halfway point.
    pub cases: Vec<BacktestCase>,
    /// Of them, finished by the 85 % date.
    pub on_time: usize,
    /// `on_time` / cases (none without cases).
    pub on_time_share: Option<f64>,
    /// Finished epics left out for having fewer children than this.
    pub min_children: usize,
}

/// The team most of `keys` belong to.
fn team_of<'a>(data: &'a Dataset, keys: &[&str]) -> Option<&'a str> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for t in data
        .tickets
        .iter()
        .filter(|t| keys.contains(&t.key.as_str()))
    {
        if let Some(team) = t.team.as_deref() {
            *count.entry(team).or_default() += 1;
        }
    }
    count
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(t, _)| t)
}

fn children<'a>(data: &'a Dataset, keys: &[&str]) -> Vec<&'a bosun_metrics::data::Ticket> {
    data.tickets
        .iter()
        .filter(|t| keys.contains(&t.key.as_str()))
        .collect()
}

fn team_done(data: &Dataset, team: Option<&str>) -> Vec<i64> {
    data.tickets
        .iter()
        .filter(|t| team.is_none() || t.team.as_deref() == team)
        .filter_map(|t| t.done_at())
        .collect()
}

/// `(parent, its children's keys)` from the store's parent links (sorted by parent).
fn by_parent(links: &[(String, String)]) -> Vec<(&str, Vec<&str>)> {
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    for (p, c) in links {
        match out.last_mut() {
            Some((k, v)) if *k == p.as_str() => v.push(c),
            _ => out.push((p, vec![c])),
        }
    }
    out
}

/// Each parent with at least one child not done by `now`, with its children's keys and team.
fn open_parents<'a>(
    data: &'a Dataset,
    links: &'a [(String, String)],
    now: i64,
) -> Vec<(&'a str, Vec<&'a str>, Option<&'a str>)> {
    by_parent(links)
        .into_iter()
        .filter(|(_, keys)| {
            children(data, keys)
                .iter()
                .any(|t| t.done_at().is_none_or(|d| d > now))
        })
        .map(|(p, keys)| {
            let team = team_of(data, &keys);
            (p, keys, team)
        })
        .collect()
}

fn as_children(kids: &[&bosun_metrics::data::Ticket]) -> Vec<Child> {
    kids.iter()
        .map(|t| Child {
            key: t.key.clone(),
            created_at: t.created_at,
            done_at: t.done_at(),
        })
        .collect()
}

impl App {
    /// The forecast of epic `key`.
    pub fn forecast(&self, key: &str) -> Result<ForecastView> {
        let data = {
            let store = self.store()?;
            crate::metrics::load(store.conn())?
        };
        self.forecast_of(&data, key)
    }

    /// [`App::forecast`] over a dataset already loaded (the API's cached one).
    pub fn forecast_of(&self, data: &Dataset, key: &str) -> Result<ForecastView> {
        let links = {
            let store = self.store()?;
            db::parent_links(store.conn())?
        };
        let key = key.trim();
        let keys: Vec<&str> = links
            .iter()
            .filter(|(p, _)| p.eq_ignore_ascii_case(key))
            .map(|(_, c)| c.as_str())
            .collect();
        if keys.is_empty() {
            return Err(AppError::NotFound(format!(
                "no ticket names {key} as its parent: a forecast needs an epic with child tickets"
            )));
        }
        // An epic is not in the dataset (not work itself): its team is its stories'.
        let team = team_of(data, &keys);
        let open_in_team = open_parents(data, &links, self.now())
            .iter()
            .filter(|(_, _, t)| *t == team)
            .count();
        self.forecast_in(data, key, &keys, team, open_in_team)
    }

    /// The forecast of `key` made of the tickets `keys`, for `team`, which has `open_in_team` open
    /// epics: without its own history, the epic gets an even share of the team among them.
    fn forecast_in(
        &self,
        data: &Dataset,
        key: &str,
        keys: &[&str],
        team: Option<&str>,
        open_in_team: usize,
    ) -> Result<ForecastView> {
        let parent = {
            let store = self.store()?;
            db::ticket_brief(store.conn(), key)?
        };
        let kids = children(data, keys);
        let now = self.now();
        let opts = ForecastOptions {
            fallback_share: 1.0 / open_in_team.max(1) as f64,
            ..ForecastOptions::default()
        };
        let f = forecast::forecast(&as_children(&kids), &team_done(data, team), now, &opts);
        let mut rows: Vec<ChildRow> = kids
            .iter()
            .map(|t| ChildRow {
                key: t.key.clone(),
                summary: t.summary.clone(),
                status: t.status.clone(),
                done: t.done_at().is_some_and(|d| d <= now),
            })
            .collect();
        rows.sort_by(|a, b| (a.done, &a.key).cmp(&(b.done, &b.key)));
        Ok(ForecastView {
            key: parent
                .as_ref()
                .map_or_else(|| key.to_string(), |p| p.0.clone()),
            summary: parent.map(|p| p.1),
            team: team.map(str::to_string),
            as_of: rfc3339(now),
            children: rows,
            forecast: f,
        })
    }

    /// [`App::open_epics_of`] over a freshly loaded dataset.
    pub fn open_epics(&self, team: Option<&str>) -> Result<Vec<ForecastView>> {
        let data = {
            let store = self.store()?;
            crate::metrics::load(store.conn())?
        };
        self.open_epics_of(&data, team)
    }

    /// Every epic with work left (of `team` when given), soonest 85 % date first.
    pub fn open_epics_of(&self, data: &Dataset, team: Option<&str>) -> Result<Vec<ForecastView>> {
        let links = {
            let store = self.store()?;
            db::parent_links(store.conn())?
        };
        let open = open_parents(data, &links, self.now());
        let mut out = Vec::new();
        for (p, keys, owner) in &open {
            if team.is_some_and(|t| *owner != Some(t)) {
                continue;
            }
            let open_in_team = open.iter().filter(|(_, _, t)| t == owner).count();
            out.push(self.forecast_in(data, p, keys, *owner, open_in_team)?);
        }
        out.sort_by(|a, b| {
            let d = |v: &ForecastView| v.forecast.dates.as_ref().and_then(|d| d.p85.clone());
            (d(a).is_none(), d(a), &a.key).cmp(&(d(b).is_none(), d(b), &b.key))
        });
        Ok(out)
    }

    /// Every finished epic forecast from its halfway point (of `team` when given).
    pub fn forecast_backtest(&self, team: Option<&str>) -> Result<BacktestView> {
        let (data, links) = {
            let store = self.store()?;
            (
                crate::metrics::load(store.conn())?,
                db::parent_links(store.conn())?,
            )
        };
        let mut cases = Vec::new();
        for (parent, keys) in by_parent(&links) {
            let owner = team_of(&data, &keys);
            if team.is_some_and(|t| owner != Some(t)) {
                continue;
            }
            cases.extend(forecast::backtest(
                &[(parent.to_string(), as_children(&children(&data, &keys)))],
                &team_done(&data, owner),
                BACKTEST_MIN_CHILDREN,
                &ForecastOptions::default(),
            ));
        }
        let on_time = cases.iter().filter(|c| c.on_time).count();
        Ok(BacktestView {
            on_time_share: (!cases.is_empty()).then(|| on_time as f64 / cases.len() as f64),
            on_time,
            cases,
            min_children: BACKTEST_MIN_CHILDREN,
        })
    }
}
