//! The organisation Bosun keeps for you: teams, people's account links, who you are and your
//! direct reports, as chosen in the first-run wizard (`bosun init`, the welcome page) and edited
//! in Settings. It lives in `org.toml` beside your `config.toml`, which Bosun never rewrites:
//! your file's teams are added to these (a team with the same key is yours) and any other
//! setting in it wins.

use crate::config::{Config, PersonConfig, TeamConfig};
pub use crate::config::{ORG_FILE, org_file};
use crate::{App, AppError, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What the organisation file holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct OrgSettings {
    /// You: an email or an account (`github:login`).
    pub me: String,
    /// Your direct reports besides the members of teams you manage.
    pub reports: Vec<String>,
    pub teams: Vec<OrgTeam>,
    /// Accounts that are one person (links identity could not make on its own).
    pub people: Vec<OrgPerson>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct OrgTeam {
    /// Short id used in commands (`--team KEY`): letters, digits, `-` and `_`.
    pub key: String,
    pub name: String,
    pub manager: Option<String>,
    /// Emails or accounts (`github:login`).
    pub members: Vec<String>,
    /// `owner/name` of GitHub repositories, or the path of a git source.
    pub repos: Vec<String>,
    /// Jira board ids whose sprints are the team's.
    pub boards: Vec<String>,
    /// Slack channels for standup chatter.
    pub channels: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct OrgPerson {
    pub name: String,
    pub accounts: Vec<String>,
}

/// The file as written: the identity part under `[identity]`, like the configuration.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct OrgFileToml {
    identity: IdentityToml,
    teams: Vec<TeamConfig>,
    people: Vec<PersonConfig>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct IdentityToml {
    #[serde(skip_serializing_if = "String::is_empty")]
    me: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reports: Vec<String>,
}

const HEADER: &str = "\
# Your organisation, as you chose it in Bosun's first-run wizard and Settings. Bosun rewrites this
# file when you change them there; your own config.toml (beside it) is never rewritten, and its
# teams and settings are added to these (a team with the same key, or a setting it names, wins).

";

impl OrgSettings {
    /// Check what a person typed: team keys, names and references.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(AppError::InvalidInput(m));
        let mut keys = std::collections::BTreeSet::new();
        for t in &self.teams {
            if !crate::config::is_valid_key(&t.key) {
                return bad(format!(
                    "team key {:?}: use letters, digits, '-' and '_'",
                    t.key
                ));
            }
            if t.name.trim().is_empty() {
                return bad(format!("team {} needs a name", t.key));
            }
            if !keys.insert(t.key.clone()) {
                return bad(format!("two teams have the key {:?}", t.key));
            }
        }
        for p in &self.people {
            if p.name.trim().is_empty() || p.accounts.len() < 2 {
                return bad(
                    "a person linked by hand needs a name and at least two accounts".to_string(),
                );
            }
        }
        Ok(())
    }

    fn to_toml(&self) -> Result<String> {
        let clean = |v: &[String]| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for s in v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                if !out.iter().any(|o| o == s) {
                    out.push(s.to_string());
                }
            }
            out
        };
        let file = OrgFileToml {
            identity: IdentityToml {
                me: self.me.trim().to_string(),
                reports: clean(&self.reports),
            },
            teams: self
                .teams
                .iter()
                .map(|t| TeamConfig {
                    key: t.key.trim().to_string(),
                    name: t.name.trim().to_string(),
                    manager: t
                        .manager
                        .as_deref()
                        .map(str::trim)
                        .filter(|m| !m.is_empty())
                        .map(str::to_string),
                    members: clean(&t.members),
                    repos: clean(&t.repos),
                    boards: clean(&t.boards),
                    channels: clean(&t.channels),
                })
                .collect(),
            people: self
                .people
                .iter()
                .map(|p| PersonConfig {
                    name: p.name.trim().to_string(),
                    accounts: clean(&p.accounts),
                })
                .collect(),
        };
        let body = toml::to_string_pretty(&file)
            .map_err(|e| AppError::InvalidInput(format!("organisation: {e}")))?;
        Ok(format!("{HEADER}{body}"))
    }

    fn from_toml(text: &str, origin: &Path) -> Result<OrgSettings> {
        let f: OrgFileToml = toml::from_str(text).map_err(|e| AppError::Config {
            path: origin.display().to_string(),
            message: e.to_string().trim().to_string(),
        })?;
        Ok(OrgSettings {
            me: f.identity.me,
            reports: f.identity.reports,
            teams: f
                .teams
                .into_iter()
                .map(|t| OrgTeam {
                    key: t.key,
                    name: t.name,
                    manager: t.manager,
                    members: t.members,
                    repos: t.repos,
                    boards: t.boards,
                    channels: t.channels,
                })
                .collect(),
            people: f
                .people
                .into_iter()
                .map(|p| OrgPerson {
                    name: p.name,
                    accounts: p.accounts,
                })
                .collect(),
        })
    }
}

impl App {
    /// The organisation file's path.
    pub fn org_file(&self) -> PathBuf {
        org_file(&self.paths.config_file)
    }

    /// The organisation as Bosun keeps it (empty before the wizard ran).
    pub fn org_settings(&self) -> Result<OrgSettings> {
        let path = self.org_file();
        match std::fs::read_to_string(&path) {
            Ok(text) => OrgSettings::from_toml(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(OrgSettings::default()),
            Err(source) => Err(AppError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Keep `org` (replacing what was kept), check that the configuration still loads with it,
    /// reload it, re-apply identity (teams, reports) and record it in the audit ledger. The file
    /// is replaced atomically; a configuration that would not load leaves the old file in place.
    pub fn save_org_settings(
        &mut self,
        org: &OrgSettings,
    ) -> Result<crate::identity::IdentityReport> {
        org.validate()?;
        let text = org.to_toml()?;
        // The whole configuration must still load with it (the user's file may clash).
        let user = std::fs::read_to_string(&self.paths.config_file).ok();
        Config::from_all_layers(
            Some(&text),
            user.as_deref(),
            &[],
            &self.org_file().display().to_string(),
        )?;
        let path = self.org_file();
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|source| AppError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let io = |source| AppError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&path).map_err(|e| io(e.error))?;
        self.reload_config()?;
        let report = self.resolve_identity()?;
        self.audit_org_change(org)?;
        Ok(report)
    }

    fn audit_org_change(&self, org: &OrgSettings) -> Result<()> {
        let mut store = self.store()?;
        let detail = serde_json::json!({
            "file": self.org_file().display().to_string(),
            "me": org.me,
            "reports": org.reports.len(),
            "teams": org.teams.iter().map(|t| serde_json::json!({
                "key": t.key, "members": t.members.len(), "repos": t.repos.len()
            })).collect::<Vec<_>>(),
            "people_linked_by_hand": org.people.len(),
        });
        let (now, who) = (self.now(), self.actor());
        store.write(|tx| {
            bosun_store::audit::append(
                tx,
                &bosun_store::audit::NewEntry {
                    at: now,
                    actor: &who,
                    action: "settings.organisation",
                    subject: Some("org.toml"),
                    result: "ok",
                    trace: detail.clone(),
                },
            )?;
            Ok(())
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> OrgSettings {
        OrgSettings {
            me: "github:maya".into(),
            reports: vec!["github:tomas".into(), " github:tomas ".into()],
            teams: vec![OrgTeam {
                key: "harbor".into(),
                name: "Harbor".into(),
                manager: Some("github:maya".into()),
                members: vec!["github:tomas".into(), "github:priya".into()],
                repos: vec!["acme/gateway".into()],
                ..Default::default()
            }],
            people: vec![OrgPerson {
                name: "Chen Wei".into(),
                accounts: vec!["github:cwei".into(), "chen@example.com".into()],
            }],
        }
    }

    #[test]
    fn the_file_round_trips_and_loads_as_configuration() {
        let text = sample().to_toml().unwrap();
        let back = OrgSettings::from_toml(&text, Path::new("org.toml")).unwrap();
        assert_eq!(back.reports, vec!["github:tomas"], "trimmed, once");
        assert_eq!(back.teams, sample().teams);
        let c = Config::from_all_layers(Some(&text), None, &[], "t").unwrap();
        assert_eq!(c.identity.me, "github:maya");
        assert_eq!(c.identity.reports, vec!["github:tomas"]);
        assert_eq!(c.teams.len(), 1);
        assert_eq!(c.people.len(), 1);
    }

    #[test]
    fn the_users_file_adds_teams_and_wins_on_the_same_key_and_settings() {
        let org = sample().to_toml().unwrap();
        let user = r#"
[identity]
me = "maya@example.com"

[[teams]]
key = "harbor"
name = "Harbor (mine)"

[[teams]]
key = "reef"
name = "Reef"
members = ["github:ana"]
"#;
        let c = Config::from_all_layers(Some(&org), Some(user), &[], "t").unwrap();
        assert_eq!(c.identity.me, "maya@example.com", "the user's setting wins");
        assert_eq!(c.identity.reports, vec!["github:tomas"], "Bosun's stays");
        let names: Vec<&str> = c.teams.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, vec!["Harbor (mine)", "Reef"]);
        assert_eq!(c.people.len(), 1);
    }

    #[test]
    fn bad_teams_are_refused_in_words() {
        let mut o = sample();
        o.teams[0].key = "har bor".into();
        assert!(o.validate().unwrap_err().to_string().contains("har bor"));
        let mut o = sample();
        o.teams.push(o.teams[0].clone());
        assert!(o.validate().unwrap_err().to_string().contains("two teams"));
        let mut o = sample();
        o.people[0].accounts.truncate(1);
        assert!(o.validate().is_err());
    }
}
