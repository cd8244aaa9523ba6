//! Meeting notes in the app (issue 8): the standup, PR triage, sprint health report, 1:1 prep
//! pack and morning brief — loaded from the store in one pass ([`load`]), written by the pure
//! `bosun-notes` engine at the injected "now", optionally polished by a language model ([`llm`]),
//! exported as Markdown with SVG charts into the notes folder, and the manager's private notes.
//! Every front door (CLI, HTTP, desktop) calls these functions.

pub mod llm;
pub mod load;
pub mod planning;

use crate::{App, AppError, Result};
use bosun_core::time::Ts;
use bosun_metrics::sprint::{SprintHealth, SprintOptions};
use bosun_notes::brief::Brief;
use bosun_notes::one_on_one::PrepOptions;
use bosun_notes::triage::{Triage, TriageOptions};
use bosun_notes::{Note, PrivateNote, fmt};
use bosun_store::Connection;
use bosun_store::notes as db;
use chrono::NaiveDate;
use serde::Serialize;
use std::path::PathBuf;

pub use crate::config::{LlmConfig, NotesConfig, PrivacyConfig, parse_clock, validate};
pub use llm::Polished;
pub use load::Loaded;

/// A private note as stored.
#[derive(Debug, Clone, Serialize)]
pub struct PrivateNoteView {
    #[serde(flatten)]
    pub note: PrivateNote,
    pub person_name: String,
}

/// Where an exported note went.
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    pub markdown: PathBuf,
    pub charts: Vec<PathBuf>,
}

/// A person as the notes name them: id, name, team.
#[derive(Debug, Clone, Serialize)]
pub struct PersonRef {
    pub id: i64,
    pub key: String,
    pub name: String,
}

impl From<db::PersonKeyRow> for PersonRef {
    fn from(p: db::PersonKeyRow) -> PersonRef {
        PersonRef {
            id: p.id,
            key: p.key,
            name: p.name,
        }
    }
}

impl App {
    /// Everything the notes read, as of now.
    pub fn notes_data(&self) -> Result<Loaded> {
        self.notes_data_at(self.now())
    }

    /// Everything the notes read, as of `at` (a standup for an earlier day sees that morning).
    pub fn notes_data_at(&self, at: Ts) -> Result<Loaded> {
        let store = self.store()?;
        load::load(store.conn(), &self.config, &self.config.signals, at)
    }

    /// The person `me` names in the configuration.
    pub(crate) fn me(&self, conn: &Connection) -> Result<Option<i64>> {
        let me = self.config.identity.me.trim();
        if me.is_empty() {
            return Ok(None);
        }
        Ok(resolve_person(conn, me).ok().map(|p| p.id))
    }

    /// A team key: the one given (checked), else the team I manage, else the only team.
    pub fn notes_team(&self, team: Option<&str>) -> Result<String> {
        let store = self.store()?;
        let conn = store.conn();
        let teams = db::team_managers(conn)?;
        if let Some(t) = team {
            return teams
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(t))
                .map(|(k, _)| k.clone())
                .ok_or_else(|| {
                    AppError::NotFound(format!(
                        "no team {t:?}; teams: {}",
                        teams
                            .iter()
                            .map(|(k, _)| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                });
        }
        let me = self.me(conn)?;
        if let Some((k, _)) = teams.iter().find(|(_, m)| me.is_some() && *m == me) {
            return Ok(k.clone());
        }
        match teams.as_slice() {
            [(k, _)] => Ok(k.clone()),
            [] => Err(AppError::NotFound(
                "no teams yet: add [[teams]] to the configuration and sync".into(),
            )),
            _ => Err(AppError::InvalidInput(format!(
                "several teams and [identity] me manages none of them: pass --team ({})",
                teams
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// The standup of `team` (default: mine) on `date` (default: today in the team's zone).
    pub fn standup(&self, team: Option<&str>, date: Option<NaiveDate>) -> Result<Note> {
        let team = self.notes_team(team)?;
        let loaded = self.notes_data()?;
        let offset = loaded.input().extra.team_offset_minutes(Some(&team));
        let date = date.unwrap_or_else(|| fmt::local_date(loaded.as_of, offset));
        let at = bosun_notes::standup::moment(date, loaded.as_of, offset);
        // An earlier day's standup sees the blockers and work of that morning.
        let loaded = if at < loaded.as_of {
            self.notes_data_at(at)?
        } else {
            loaded
        };
        Ok(bosun_notes::standup::standup(
            &loaded.input(),
            &team,
            date,
            at,
        ))
    }

    /// The triage queue of every repository (or one team's).
    pub fn triage(&self, team: Option<&str>) -> Result<(Triage, Note)> {
        let team = team.map(|t| self.notes_team(Some(t))).transpose()?;
        let loaded = self.notes_data()?;
        let input = loaded.input();
        let opts = TriageOptions {
            team: team.clone(),
            ..TriageOptions::default()
        };
        let t = bosun_notes::triage::triage(&input, loaded.as_of, &opts);
        let note = bosun_notes::triage::note(&input, &t, loaded.as_of, team.as_deref());
        Ok((t, note))
    }

    /// The sprint health report: `sprint` by id or name, else the running sprint of `team`
    /// (default: mine).
    pub fn sprint_report(
        &self,
        sprint: Option<&str>,
        team: Option<&str>,
    ) -> Result<(SprintHealth, Note)> {
        let loaded = self.notes_data()?;
        let input = loaded.input();
        let chosen = match sprint {
            Some(s) => {
                let s = s.trim();
                input
                    .data
                    .sprints
                    .iter()
                    .find(|x| x.id.to_string() == s || x.name.eq_ignore_ascii_case(s))
                    .ok_or_else(|| {
                        AppError::NotFound(format!("no sprint {s:?} (give its id or name)"))
                    })?
            }
            None => {
                let team = self.notes_team(team)?;
                bosun_notes::sprint::current(&input, Some(&team), loaded.as_of).ok_or_else(
                    || AppError::NotFound(format!("team {team} has no started sprint")),
                )?
            }
        };
        let opts = SprintOptions {
            seed: self.config.signals.forecast_seed,
            runs: self.config.signals.forecast_runs,
            ..SprintOptions::default()
        };
        let (h, mut note) = bosun_notes::sprint::report(&input, chosen, loaded.as_of, &opts)
            .ok_or_else(|| {
                AppError::InvalidInput(format!(
                    "sprint {:?} has not started (no start and end dates yet)",
                    chosen.name
                ))
            })?;
        let keys: std::collections::HashSet<&str> = h
            .committed
            .iter()
            .chain(&h.added)
            .map(|i| i.key.as_str())
            .collect();
        let section = planning::for_sprint(self, &loaded.data, chosen.team.as_deref(), &keys)?;
        note.sections.push(section);
        Ok((h, note))
    }

    /// Resolve PERSON (name, key, email or any account id or login) to one person.
    pub fn person(&self, person: &str) -> Result<PersonRef> {
        let store = self.store()?;
        resolve_person(store.conn(), person)
    }

    /// The 1:1 prep pack for `person` (one of my reports when `[identity] me` is set).
    pub fn one_on_one(&self, person: &str) -> Result<Note> {
        let store = self.store()?;
        let conn = store.conn();
        let p = resolve_person(conn, person)?;
        if let Some(me) = self.me(conn)? {
            let mine = db::reports_to(conn, p.id, me)?;
            if !mine || p.id == me {
                return Err(AppError::InvalidInput(format!(
                    "{} is not one of your direct reports: 1:1 prep packs are for your own reports",
                    p.name
                )));
            }
        }
        drop(store);
        let loaded = self.notes_data()?;
        let opts = PrepOptions {
            days: self.config.notes.one_on_one_days,
        };
        let mut note =
            bosun_notes::one_on_one::one_on_one(&loaded.input(), p.id, loaded.as_of, &opts);
        let section = planning::for_person(self, &loaded.data, p.id, &p.name)?;
        let at = note
            .sections
            .iter()
            .position(|s| s.private)
            .unwrap_or(note.sections.len());
        note.sections.insert(at, section);
        Ok(note)
    }

    /// My direct reports (people I manage, or members of teams I manage), by name; everyone
    /// with a team when `[identity] me` is not set.
    pub fn direct_reports(&self) -> Result<Vec<PersonRef>> {
        let store = self.store()?;
        let conn = store.conn();
        let me = self.me(conn)?;
        Ok(db::direct_reports(conn, me)?
            .into_iter()
            .map(PersonRef::from)
            .collect())
    }

    /// Keep a private note about `person` (a follow-up for the next 1:1 when `follow_up`).
    pub fn add_private_note(
        &self,
        person: &str,
        body: &str,
        follow_up: bool,
    ) -> Result<PrivateNoteView> {
        let body = body.trim();
        if body.is_empty() {
            return Err(AppError::InvalidInput("the note is empty".into()));
        }
        let store = self.store()?;
        let conn = store.conn();
        let p = resolve_person(conn, person)?;
        let id = db::add_private_note(conn, p.id, self.now(), body, follow_up)?;
        let note = load::private_notes(conn, Some(p.id))?
            .into_iter()
            .find(|n| n.id == id)
            .ok_or_else(|| AppError::NotFound(format!("private note {id}")))?;
        Ok(PrivateNoteView {
            note,
            person_name: p.name,
        })
    }

    /// Record time off (inclusive dates): standups mark the person out and look back past it,
    /// triage does not suggest them, 1:1 packs mention it.
    pub fn add_time_off(&self, person: &str, from: NaiveDate, to: NaiveDate) -> Result<PersonRef> {
        if to < from {
            return Err(AppError::InvalidInput(format!(
                "time off ends ({to}) before it starts ({from})"
            )));
        }
        let store = self.store()?;
        let conn = store.conn();
        let p = resolve_person(conn, person)?;
        db::set_time_off(conn, p.id, &from.to_string(), &to.to_string())?;
        Ok(p)
    }

    /// Mark a follow-up done.
    pub fn complete_private_note(&self, id: i64) -> Result<PrivateNoteView> {
        let store = self.store()?;
        let conn = store.conn();
        let newly_done = db::complete_private_note(conn, id, self.now())?;
        let Some((person, name)) = db::private_note_person(conn, id)? else {
            return Err(AppError::NotFound(format!("no private note {id}")));
        };
        if !newly_done {
            tracing::debug!(id, "private note was already done");
        }
        let note = load::private_notes(conn, Some(person))?
            .into_iter()
            .find(|x| x.id == id)
            .ok_or_else(|| AppError::NotFound(format!("no private note {id}")))?;
        Ok(PrivateNoteView {
            note,
            person_name: name,
        })
    }

    /// The morning brief for the teams I manage (every team when `me` manages none).
    pub fn brief(&self) -> Result<Brief> {
        let store = self.store()?;
        let conn = store.conn();
        let me = self.me(conn)?;
        let teams = db::teams_managed_by(conn, me)?;
        drop(store);
        let loaded = self.notes_data()?;
        let input = loaded.input();
        let t = bosun_notes::triage::triage(&input, loaded.as_of, &TriageOptions::default());
        let t = Triage {
            queue: t
                .queue
                .into_iter()
                .filter(|e| {
                    teams.is_empty()
                        || input
                            .data
                            .pull_requests
                            .iter()
                            .find(|p| p.id == e.pr_id)
                            .and_then(|p| input.data.repos.iter().find(|r| r.id == p.repo))
                            .and_then(|r| r.team.as_ref())
                            .is_some_and(|k| teams.contains(k))
                })
                .collect(),
        };
        Ok(bosun_notes::brief::brief(&input, &teams, &t, loaded.as_of))
    }

    /// The brief if it is due now (a working day, past `[notes] brief_at` in my time zone, not
    /// raised yet today); raising it records it as a delivered `brief` alert.
    pub fn brief_if_due(&self) -> Result<Option<Brief>> {
        let Some(at) = parse_clock(&self.config.notes.brief_at) else {
            return Ok(None);
        };
        let store = self.store()?;
        let conn = store.conn();
        let offset = self.my_offset_minutes(conn);
        let last = db::last_brief_at(conn)?;
        let now = self.now();
        if !bosun_notes::brief::due(now, at, offset, last) {
            return Ok(None);
        }
        drop(store);
        let brief = self.brief()?;
        let store = self.store()?;
        db::record_brief(
            store.conn(),
            now,
            &brief.headline,
            &brief.note.to_markdown(),
        )?;
        Ok(Some(brief))
    }

    /// The notes folder: `[notes] folder`, else `<data dir>/notes`.
    pub fn notes_folder(&self) -> PathBuf {
        let f = self.config.notes.folder.trim();
        if f.is_empty() {
            self.paths.data_dir.join("notes")
        } else if let Some(rest) = f.strip_prefix("~/") {
            std::env::var_os("HOME")
                .map_or_else(|| PathBuf::from(f), |h| PathBuf::from(h).join(rest))
        } else {
            PathBuf::from(f)
        }
    }

    /// Write `markdown` as `<date>-<name>.md` in the notes folder (written whole, then renamed).
    pub fn export_markdown(&self, name: &str, markdown: &str) -> Result<PathBuf> {
        let dir = self.notes_folder();
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let date = bosun_core::time::from_ts(self.now()).format("%Y-%m-%d");
        let md = dir.join(format!("{date}-{}.md", file_slug(name)));
        write(&md, markdown)?;
        Ok(md)
    }

    /// Whether `person` has an open follow-up whose text is `body`.
    pub fn has_open_follow_up(&self, person: &str, body: &str) -> Result<bool> {
        let store = self.store()?;
        let conn = store.conn();
        let p = resolve_person(conn, person)?;
        Ok(load::private_notes(conn, Some(p.id))?
            .iter()
            .any(|n| n.follow_up && n.done_at.is_none() && n.body == body.trim()))
    }

    /// Write `markdown` (the note, polished or not) as `<date>-<kind>-<scope>.md` and the note's
    /// charts beside it, replacing files of the same name (written whole, then renamed).
    pub fn export_note(&self, note: &Note, scope: &str, markdown: &str) -> Result<Exported> {
        let dir = self.notes_folder();
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let date = bosun_core::time::from_ts(self.now()).format("%Y-%m-%d");
        let scope = file_slug(scope);
        let stem = if scope.is_empty() {
            format!("{date}-{}", note.kind.slug())
        } else {
            format!("{date}-{}-{scope}", note.kind.slug())
        };
        let md = dir.join(format!("{stem}.md"));
        write(&md, markdown)?;
        let mut charts = Vec::new();
        for c in note.charts() {
            let path = dir.join(&c.file);
            write(&path, &c.svg)?;
            charts.push(path);
        }
        Ok(Exported {
            markdown: md,
            charts,
        })
    }
}

/// A name safe in a file name: ASCII letters, digits and dashes, lower case.
fn file_slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn io(path: &std::path::Path, e: std::io::Error) -> AppError {
    AppError::Io {
        path: path.display().to_string(),
        source: e,
    }
}

fn write(path: &std::path::Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
}

/// PERSON: a person key, name (or a unique first name), email, or any account's id or login
/// (`github:login` works too).
pub fn resolve_person(conn: &Connection, q: &str) -> Result<PersonRef> {
    let q = q.trim();
    let bare = q.split_once(':').map_or(q, |(_, v)| v);
    let mut found: Vec<PersonRef> = db::people_named(conn, q, bare)?
        .into_iter()
        .map(PersonRef::from)
        .collect();
    if found.is_empty() {
        found = db::people_by_first_name(conn, q)?
            .into_iter()
            .map(PersonRef::from)
            .collect();
    }
    // Typed loosely: accents, case and spacing ignored ("Tomas Ruiz", "tomas" for Tomás Ruiz).
    let folded = bosun_identity::normalize_name(q);
    if found.is_empty() && !folded.is_empty() {
        let humans: Vec<PersonRef> = db::humans(conn)?.into_iter().map(PersonRef::from).collect();
        let name_of = |p: &PersonRef| bosun_identity::normalize_name(&p.name);
        found = humans
            .iter()
            .filter(|p| {
                let name = name_of(p);
                name == folded
                    || name.split(' ').next() == Some(folded.as_str())
                    || p.key.eq_ignore_ascii_case(q)
            })
            .cloned()
            .collect();
        if found.is_empty() {
            // Suggest people sharing the start of a word with the query.
            let words: Vec<String> = folded
                .split(' ')
                .filter(|w| w.chars().count() >= 3)
                .map(|w| w.chars().take(3).collect())
                .collect();
            let near: Vec<&str> = humans
                .iter()
                .filter(|p| {
                    name_of(p)
                        .split(' ')
                        .any(|n| words.iter().any(|w| n.starts_with(w.as_str())))
                })
                .map(|p| p.name.as_str())
                .take(5)
                .collect();
            if !near.is_empty() {
                return Err(AppError::NotFound(format!(
                    "no person {q:?}: did you mean {}? (see `bosun people`)",
                    near.join(" or ")
                )));
            }
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(AppError::NotFound(format!(
            "no person {q:?}: give a name, email, person key or account id (see `bosun people`)"
        ))),
        _ => Err(AppError::InvalidInput(format!(
            "{q:?} could be {}: be more specific",
            found
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_notes::redact::PrivacyTier;

    #[test]
    fn people_are_found_without_accents_or_case_and_near_misses_are_suggested() {
        let store = bosun_store::Store::open_in_memory().unwrap();
        let c = store.conn();
        c.execute_batch(
            "INSERT INTO people (id, key, name, created_at) VALUES
                (1, 'tomas-ruiz', 'Tomás Ruiz', 0), (2, 'tom-baker', 'Tom Baker', 0),
                (3, 'noah', 'Noah Williams', 0);",
        )
        .unwrap();
        for q in [
            "Tomas Ruiz",
            "tomás ruiz",
            "  TOMAS   RUIZ ",
            "tomas",
            "Tomás",
        ] {
            assert_eq!(resolve_person(c, q).unwrap().key, "tomas-ruiz", "{q}");
        }
        assert_eq!(resolve_person(c, "noah williams").unwrap().id, 3);
        let e = resolve_person(c, "Tomasz Ruis").unwrap_err().to_string();
        assert!(e.contains("did you mean Tomás Ruiz"), "{e}");
        let e = resolve_person(c, "Zed").unwrap_err().to_string();
        assert!(
            e.contains("no person \"Zed\"") && !e.contains("did you mean"),
            "{e}"
        );
    }

    #[test]
    fn notes_settings_are_checked() {
        let c = crate::Config::defaults();
        assert_eq!(c.privacy.parsed().unwrap(), PrivacyTier::Names);
        assert!(!c.llm.enabled, "the polish is off by default");
        assert_eq!(parse_clock("08:45"), Some(525));
        assert_eq!(parse_clock("24:00"), None);
        let bad = |toml: &str| {
            crate::Config::from_layers(Some(toml), &[], "f")
                .unwrap_err()
                .to_string()
        };
        assert!(bad("[notes]\nbrief_at = \"8.45\"\n").contains("[notes] brief_at"));
        assert!(
            bad("[privacy]\ntier = \"secret\"\n").contains("expected standard, names or local")
        );
        assert!(bad("[llm]\nbase_url = \"localhost:11434\"\n").contains("[llm] base_url"));
        assert!(bad("[notes]\none_on_one_days = 0\n").contains("one_on_one_days"));
    }
}
