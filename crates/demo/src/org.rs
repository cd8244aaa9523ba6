//! The readable definition of the demo company (`demo/org.toml`) and its scaling for benchmarks.

use crate::calendar::{Calendar, DAY};
use bosun_core::time::Ts;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The organisation bundled with Bosun.
pub const BUNDLED_ORG: &str = include_str!("../../../demo/org.toml");

#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error("demo organisation: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("demo organisation: {0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Org {
    pub version: u32,
    pub company: Company,
    pub calendar: CalendarDef,
    pub teams: Vec<Team>,
    pub people: Vec<Person>,
    pub bots: Vec<Bot>,
    pub repos: Vec<RepoDef>,
    #[serde(default)]
    pub local_repos: Vec<LocalRepoDef>,
    pub services: Vec<ServiceDef>,
    pub channels: Vec<ChannelDef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub name: String,
    pub domain: String,
    pub github_org: String,
    pub jira_site: String,
    pub jira_project: String,
    pub jira_project_name: String,
    pub slack_team: String,
    pub me: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarDef {
    pub sprint_length_days: i64,
    pub sprint_anchor: chrono::NaiveDate,
    pub working_days: Vec<String>,
    #[serde(default)]
    pub company_days: Vec<CompanyDayDef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub key: String,
    pub name: String,
    pub mission: String,
    pub manager: String,
    pub board_id: i64,
    pub slack_channel: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Manager,
    Engineer,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeOff {
    /// Starts this many days before the demo's "now" (activity stops for it).
    #[serde(default)]
    pub from_days_ago: Option<i64>,
    /// Or starts this many days after the next sprint's first day (what capacity plans for).
    #[serde(default)]
    pub next_sprint_day: Option<i64>,
    /// Working days off.
    pub days: i64,
}

/// A day the whole company is off, planted in the next sprint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyDayDef {
    /// Days after the next sprint's first day.
    pub next_sprint_day: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub key: String,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub extra_emails: Vec<String>,
    pub team: String,
    pub role: Role,
    #[serde(default)]
    pub title: Option<String>,
    pub github: String,
    #[serde(default)]
    pub extra_github: Vec<String>,
    pub jira: String,
    pub slack: String,
    pub pagerduty: String,
    pub utc_offset: i64,
    /// ISO 3166-1 alpha-2: the public holidays capacity planning counts.
    #[serde(default)]
    pub country: Option<String>,
    pub activity: f64,
    #[serde(default)]
    pub time_off: Vec<TimeOff>,
    /// Joined the team this many days before the demo's "now": nothing before, no on-call
    /// rotation yet, a few first pull requests and reviews after (the onboarding demo).
    #[serde(default)]
    pub joined_days_ago: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bot {
    pub github: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MergeStrategy {
    Squash,
    Merge,
    Rebase,
}

/// How a repository's production deploys reach GitHub: as GitHub deployments with statuses (the
/// Deployments API), or only as runs of a deploy workflow (GitHub Actions, no environments).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    #[default]
    Deployments,
    Actions,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoDef {
    pub name: String,
    pub team: String,
    pub description: String,
    pub language: String,
    pub merge_strategy: MergeStrategy,
    pub service: String,
    pub deploys_per_week: f64,
    pub release_tags: bool,
    pub checks: Vec<String>,
    #[serde(default)]
    pub flaky_check: Option<String>,
    /// `deployments` (default) or `actions`: the same deploys, served as workflow runs.
    #[serde(default)]
    pub delivery: Delivery,
    pub codeowners: Vec<String>,
}

/// A repository synced from a local clone (no code host API): commits and release tags only.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalRepoDef {
    pub name: String,
    pub team: String,
    pub description: String,
    pub release_tags: String,
    pub commits_per_week: f64,
    /// Plant the tooling history docs drift from ([`crate::drift`]).
    #[serde(default)]
    pub tooling: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDef {
    pub key: String,
    pub name: String,
    pub pagerduty_id: String,
    pub team: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelDef {
    pub name: String,
    pub id: String,
    pub purpose: String,
}

impl Org {
    /// When the first sprint starting after `as_of` starts (sprints start at 09:30 UTC on the
    /// anchor's weekday, `sprint_length_days` apart).
    pub fn next_sprint_start(&self, as_of: Ts) -> Ts {
        let len = self.calendar.sprint_length_days * DAY;
        let anchor = self
            .calendar
            .sprint_anchor
            .and_hms_opt(9, 30, 0)
            .map_or(0, |d| d.and_utc().timestamp());
        anchor + ((as_of - anchor).div_euclid(len) + 1) * len
    }

    /// A person's days off, as their local dates: the working days each `time_off` entry covers.
    pub fn days_off(&self, p: &Person, as_of: Ts) -> Vec<NaiveDate> {
        let cal = Calendar::new(p.utc_offset, &self.calendar.working_days);
        let mut out = Vec::new();
        for off in &p.time_off {
            let mut day = match (off.from_days_ago, off.next_sprint_day) {
                (Some(ago), _) => cal.local_day(as_of) - ago,
                (None, Some(n)) => cal.local_day(self.next_sprint_start(as_of)) + n,
                (None, None) => continue,
            };
            let mut left = off.days;
            while left > 0 {
                if cal.is_working_day(day) {
                    out.extend(
                        NaiveDate::from_ymd_opt(1970, 1, 1)
                            .and_then(|e| e.checked_add_signed(chrono::Duration::days(day))),
                    );
                    left -= 1;
                }
                day += 1;
            }
        }
        out
    }

    /// The company days off planted relative to the next sprint after `as_of`.
    pub fn company_days(&self, as_of: Ts) -> Vec<(NaiveDate, String)> {
        let start = self.next_sprint_start(as_of);
        self.calendar
            .company_days
            .iter()
            .filter_map(|c| {
                let t = start + c.next_sprint_day * DAY;
                Some((
                    chrono::DateTime::from_timestamp(t, 0)?.date_naive(),
                    c.name.clone(),
                ))
            })
            .collect()
    }

    pub fn bundled() -> Result<Org, OrgError> {
        Org::parse(BUNDLED_ORG)
    }

    pub fn parse(text: &str) -> Result<Org, OrgError> {
        let org: Org = toml::from_str(text)?;
        org.validate()?;
        Ok(org)
    }

    fn validate(&self) -> Result<(), OrgError> {
        let bad = |m: String| Err(OrgError::Invalid(m));
        if self.calendar.sprint_length_days <= 0 {
            return bad("sprint_length_days must be positive".into());
        }
        for p in &self.people {
            if !self.teams.iter().any(|t| t.key == p.team) {
                return bad(format!("person {} is in unknown team {}", p.key, p.team));
            }
        }
        for t in &self.teams {
            if !self
                .people
                .iter()
                .any(|p| p.key == t.manager && p.role == Role::Manager)
            {
                return bad(format!("team {} has no manager {}", t.key, t.manager));
            }
            if !self.channels.iter().any(|c| c.name == t.slack_channel) {
                return bad(format!(
                    "team {} uses unknown channel {}",
                    t.key, t.slack_channel
                ));
            }
        }
        for r in &self.local_repos {
            if !self.teams.iter().any(|t| t.key == r.team) {
                return bad(format!(
                    "local repo {} owned by unknown team {}",
                    r.name, r.team
                ));
            }
        }
        for r in &self.repos {
            if !self.teams.iter().any(|t| t.key == r.team) {
                return bad(format!("repo {} owned by unknown team {}", r.name, r.team));
            }
            if !self.services.iter().any(|s| s.key == r.service) {
                return bad(format!(
                    "repo {} deploys unknown service {}",
                    r.name, r.service
                ));
            }
        }
        if !self.people.iter().any(|p| p.key == self.company.me) {
            return bad(format!("company.me {} is not a person", self.company.me));
        }
        Ok(())
    }

    pub fn team(&self, key: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.key == key)
    }

    pub fn person(&self, key: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.key == key)
    }

    /// The organisation replicated `scale` times (scale 1 = as defined). Copy k > 1 of a team,
    /// its people, repos, services and channels get a `-k` suffix (`harbor-2`, `truiz-2`, ...):
    /// the same shape at `scale` times the size, for benchmarks.
    pub fn scaled(&self, scale: u32) -> Org {
        let scale = scale.max(1);
        if scale == 1 {
            return self.clone();
        }
        let mut out = self.clone();
        out.teams.clear();
        out.people.clear();
        out.repos.clear();
        out.local_repos.clear();
        out.services.clear();
        out.channels.clear();
        for k in 1..=scale {
            let sfx = |s: &str| {
                if k == 1 {
                    s.to_string()
                } else {
                    format!("{s}-{k}")
                }
            };
            let team_channels: Vec<&str> = self
                .teams
                .iter()
                .map(|t| t.slack_channel.as_str())
                .collect();
            for t in &self.teams {
                out.teams.push(Team {
                    key: sfx(&t.key),
                    name: if k == 1 {
                        t.name.clone()
                    } else {
                        format!("{} {k}", t.name)
                    },
                    mission: t.mission.clone(),
                    manager: sfx(&t.manager),
                    board_id: t.board_id + 100 * (i64::from(k) - 1),
                    slack_channel: sfx(&t.slack_channel),
                });
            }
            for p in &self.people {
                let email = |e: &str| match (k, e.split_once('@')) {
                    (1, _) | (_, None) => e.to_string(),
                    (_, Some((user, domain))) => format!("{user}{k}@{domain}"),
                };
                out.people.push(Person {
                    key: sfx(&p.key),
                    name: if k == 1 {
                        p.name.clone()
                    } else {
                        format!("{} {k}", p.name)
                    },
                    email: email(&p.email),
                    extra_emails: p.extra_emails.iter().map(|e| email(e)).collect(),
                    team: sfx(&p.team),
                    github: sfx(&p.github),
                    extra_github: p.extra_github.iter().map(|g| sfx(g)).collect(),
                    jira: if k == 1 {
                        p.jira.clone()
                    } else {
                        format!("{}-{k}", p.jira)
                    },
                    slack: sfx(&p.slack),
                    pagerduty: sfx(&p.pagerduty),
                    ..p.clone()
                });
            }
            for r in &self.repos {
                let mut r2 = r.clone();
                r2.name = sfx(&r.name);
                r2.team = sfx(&r.team);
                r2.service = sfx(&r.service);
                if k > 1 {
                    // Owners in CODEOWNERS are logins and team slugs: suffix them too.
                    r2.codeowners = r
                        .codeowners
                        .iter()
                        .map(|line| {
                            line.split_whitespace()
                                .enumerate()
                                .map(|(i, w)| {
                                    if i > 0 && w.starts_with('@') {
                                        format!("{w}-{k}")
                                    } else {
                                        w.to_string()
                                    }
                                })
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .collect();
                }
                out.repos.push(r2);
            }
            for l in &self.local_repos {
                out.local_repos.push(LocalRepoDef {
                    name: sfx(&l.name),
                    team: sfx(&l.team),
                    ..l.clone()
                });
            }
            for s in &self.services {
                out.services.push(ServiceDef {
                    key: sfx(&s.key),
                    name: if k == 1 {
                        s.name.clone()
                    } else {
                        format!("{} {k}", s.name)
                    },
                    pagerduty_id: sfx(&s.pagerduty_id),
                    team: sfx(&s.team),
                });
            }
            for c in &self.channels {
                // Team channels are per copy; company-wide channels exist once.
                if k == 1 || team_channels.contains(&c.name.as_str()) {
                    out.channels.push(ChannelDef {
                        name: sfx(&c.name),
                        id: sfx(&c.id),
                        purpose: c.purpose.clone(),
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_org_is_valid_and_shaped_as_promised() {
        let org = Org::bundled().unwrap();
        assert_eq!(org.teams.len(), 3);
        assert_eq!(org.people.len(), 16);
        assert_eq!(org.repos.len(), 6);
        assert!(org.bots.iter().any(|b| b.github == "dependabot[bot]"));
        for t in &org.teams {
            assert_eq!(
                org.people
                    .iter()
                    .filter(|p| p.team == t.key && p.role == Role::Manager)
                    .count(),
                1
            );
        }
        for r in &org.repos {
            assert!(!r.codeowners.is_empty(), "{} has CODEOWNERS", r.name);
        }
    }

    #[test]
    fn scaling_multiplies_and_keeps_names_unique() {
        let org = Org::bundled().unwrap().scaled(10);
        assert_eq!(org.teams.len(), 30);
        assert_eq!(org.people.len(), 160);
        assert_eq!(org.repos.len(), 60);
        let mut logins: Vec<_> = org.people.iter().map(|p| p.github.clone()).collect();
        logins.sort();
        logins.dedup();
        assert_eq!(logins.len(), 160);
        let r = org
            .repos
            .iter()
            .find(|r| r.name == "harbor-gateway-3")
            .unwrap();
        assert!(r.codeowners[1].contains("@truiz-3"), "{:?}", r.codeowners);
        assert!(org.validate().is_ok());
    }

    #[test]
    fn rejects_unknown_fields_and_dangling_references() {
        let text = BUNDLED_ORG.replace(
            "team = \"harbor\"\nrole = \"manager\"",
            "team = \"nowhere\"\nrole = \"manager\"",
        );
        assert!(
            Org::parse(&text)
                .unwrap_err()
                .to_string()
                .contains("unknown team")
        );
        let text = format!("{BUNDLED_ORG}\nsurprise = 1\n");
        assert!(Org::parse(&text).is_err());
    }
}
