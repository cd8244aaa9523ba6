//! Small shapes every page uses: a window of time, a statistic, a ratio, names for ids.

use crate::error::{ApiError, Result};
use bosun_app::App;
use bosun_core::time::{DAY, Ts, rfc3339};
use bosun_metrics::data::Dataset;
use bosun_metrics::dora::Scope;
use bosun_metrics::stats::Summary;
use bosun_store::links::WebLinks;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

/// No arguments.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct NoArgs {}

/// A window ending now (or at `until`), optionally one team's.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct WindowArgs {
    /// A team key or name; all teams when absent.
    pub team: Option<String>,
    /// Days before the end of the window [default 90].
    pub days: Option<u32>,
    /// A custom window instead: its first and last day (YYYY-MM-DD, both included).
    #[ts(optional = nullable)]
    pub from: Option<String>,
    #[ts(optional = nullable)]
    pub to: Option<String>,
    /// One repository (`owner/name` or `name`); all of the scope's when absent.
    #[ts(optional = nullable)]
    pub repo: Option<String>,
}

/// A duration statistic in seconds: median, p75, p90 and the sample size.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Stat {
    pub n: u32,
    pub median: Option<f64>,
    pub p75: Option<f64>,
    pub p90: Option<f64>,
}

impl From<&Summary> for Stat {
    fn from(s: &Summary) -> Stat {
        Stat {
            n: s.n as u32,
            median: s.median,
            p75: s.p75,
            p90: s.p90,
        }
    }
}

/// A count over a count, both shown.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Rate {
    pub value: Option<f64>,
    pub part: u32,
    pub total: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Count {
    pub label: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TeamRef {
    pub key: String,
    pub name: String,
}

/// The window a page computed over.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Window {
    pub since: String,
    pub until: String,
    pub weeks: f64,
    pub team: Option<String>,
    pub teams: Vec<TeamRef>,
    /// The repository it is filtered to, and the ones it could be.
    pub repo: Option<String>,
    pub repos: Vec<String>,
}

pub fn scope(app: &App, args: &WindowArgs) -> Result<(Scope, Window)> {
    let now = app.now();
    let day = |s: &Option<String>, what: &str| -> Result<Option<Ts>> {
        s.as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| {
                bosun_core::time::parse_user_time(s)
                    .map(|t| t.timestamp())
                    .ok_or_else(|| {
                        ApiError::invalid(format!("{what} must be a date (YYYY-MM-DD), not {s:?}"))
                    })
            })
            .transpose()
    };
    let (since, until) = match (day(&args.from, "from")?, day(&args.to, "to")?) {
        (Some(from), to) => {
            let until = to.map_or(now, |t| (t + DAY).min(now));
            if from >= until {
                return Err(ApiError::invalid(
                    "the window must start before it ends".to_string(),
                ));
            }
            (from, until)
        }
        (None, Some(_)) => {
            return Err(ApiError::invalid(
                "a custom window needs its first day (from)".to_string(),
            ));
        }
        (None, None) => {
            let days = args.days.unwrap_or(90);
            if days == 0 || days > 3660 {
                return Err(ApiError::invalid(format!(
                    "days must be between 1 and 3660, not {days}"
                )));
            }
            (now - i64::from(days) * DAY, now)
        }
    };
    if until - since > 3660 * DAY {
        return Err(ApiError::invalid(
            "a window is at most 3660 days".to_string(),
        ));
    }
    let team = args
        .team
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(|t| app.team_key(t))
        .transpose()?;
    let scope = Scope {
        since,
        until,
        team: team.clone(),
        repo: None,
    };
    let window = Window {
        since: rfc3339(scope.since),
        until: rfc3339(scope.until),
        weeks: scope.weeks(),
        team,
        teams: teams(app),
        repo: None,
        repos: Vec::new(),
    };
    Ok((scope, window))
}

pub fn teams(app: &App) -> Vec<TeamRef> {
    app.config
        .teams
        .iter()
        .map(|t| TeamRef {
            key: t.key.clone(),
            name: t.name.clone(),
        })
        .collect()
}

/// The repository a page is filtered to (`owner/name`, or `name` when one repository has it).
pub fn repo_arg(d: &Dataset, repo: Option<&str>) -> Result<Option<i64>> {
    let Some(r) = repo.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let hits: Vec<&bosun_metrics::data::Repo> = d
        .repos
        .iter()
        .filter(|x| {
            x.full_name.eq_ignore_ascii_case(r)
                || x.full_name
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case(r))
        })
        .collect();
    match hits.as_slice() {
        [one] => Ok(Some(one.id)),
        [] => Err(ApiError::invalid(format!("no repository {r:?}"))),
        many => Err(ApiError::invalid(format!(
            "{r:?} names {} repositories: {}",
            many.len(),
            many.iter()
                .map(|x| x.full_name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The repositories a page can be filtered to, by full name.
pub fn repo_names(d: &Dataset) -> Vec<String> {
    let mut v: Vec<String> = d.repos.iter().map(|r| r.full_name.clone()).collect();
    v.sort();
    v
}

/// Names for the ids in a dataset.
pub struct Names<'a> {
    pub people: HashMap<i64, &'a str>,
    pub repos: HashMap<i64, &'a str>,
    /// Pull requests by store id: (repo, number, title).
    pub prs: HashMap<i64, (i64, i64, &'a str)>,
    /// Each record's page at its provider (empty unless [`Names::with_links`]).
    pub links: WebLinks,
}

/// Every record's page at its provider, for links out.
pub fn web_links(app: &App) -> Result<WebLinks> {
    let store = app.store()?;
    Ok(bosun_store::links::web_links(store.conn())?)
}

impl<'a> Names<'a> {
    pub fn new(d: &'a Dataset) -> Names<'a> {
        Names {
            people: d.people.iter().map(|p| (p.id, p.name.as_str())).collect(),
            repos: d
                .repos
                .iter()
                .map(|r| (r.id, r.full_name.as_str()))
                .collect(),
            prs: d
                .pull_requests
                .iter()
                .map(|p| (p.id, (p.repo, p.number, p.title.as_str())))
                .collect(),
            links: WebLinks::default(),
        }
    }

    /// The same names, with the records' pages at their providers.
    pub fn with_links(mut self, links: WebLinks) -> Names<'a> {
        self.links = links;
        self
    }

    pub fn person(&self, id: Option<i64>) -> Option<String> {
        id.and_then(|i| self.people.get(&i)).map(|s| s.to_string())
    }

    pub fn repo(&self, id: i64) -> String {
        self.repos
            .get(&id)
            .map_or_else(|| format!("repo {id}"), |s| s.to_string())
    }

    pub fn pr(&self, id: i64) -> Option<PrRef> {
        self.prs.get(&id).map(|(repo, number, title)| PrRef {
            id,
            repo: self.repo(*repo),
            number: *number,
            title: title.to_string(),
            url: self.links.pull_requests.get(&id).cloned(),
        })
    }
}

/// A pull request named the way people say it: `repo#number title`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PrRef {
    #[ts(type = "number")]
    pub id: i64,
    pub repo: String,
    #[ts(type = "number")]
    pub number: i64,
    pub title: String,
    /// Its page at the provider, when known.
    pub url: Option<String>,
}

pub fn time(t: Ts) -> String {
    rfc3339(t)
}

pub fn opt_time(t: Option<Ts>) -> Option<String> {
    t.map(rfc3339)
}
