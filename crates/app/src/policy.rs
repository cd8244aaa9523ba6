//! The policy bundle in force (the user's files, else the last that compiled, else the
//! built-in one) and what the policy is asked about an action. Signals (drafting) and the outbox
//! (approving, sending) both read it from here.

use crate::{App, AppError, Result};
use bosun_core::time::Ts;
use bosun_policy::Bundle;
use bosun_signals::ActionKind;
use bosun_signals::carries::{self, Named};
use bosun_signals::input::Extra;
use bosun_signals::time::local_clock;
use bosun_store::Connection;
use bosun_store::{actions, identity, meta};
use serde_json::{Value, json};

/// A policy error as the app reports it (a configuration error of `policy`).
pub(crate) fn policy_error(e: bosun_policy::PolicyError) -> AppError {
    AppError::Config {
        path: "policy".into(),
        message: e.to_string(),
    }
}

/// The policy bundle in force, and a warning when the user's files do not compile (the last
/// bundle that compiled stays in force).
pub struct Policy {
    pub bundle: Bundle,
    pub dir: std::path::PathBuf,
    pub warning: Option<String>,
}

const LAST_GOOD: &str = "policy_last_good";

impl App {
    /// The folder of policy files: `[actions] policy_dir`, else `policy/` beside the config file.
    pub fn policy_dir(&self) -> std::path::PathBuf {
        let configured = self.config.actions.policy_dir.trim();
        if configured.is_empty() {
            self.paths
                .config_file
                .parent()
                .map_or_else(|| self.paths.data_dir.join("policy"), |d| d.join("policy"))
        } else {
            std::path::PathBuf::from(configured)
        }
    }

    /// Load the policy (installing the default bundle on first use). A folder that does not
    /// compile keeps the last bundle that did (saved in the database) in force, with a warning;
    /// with no earlier bundle, the built-in one.
    pub fn policy(&self, conn: &Connection) -> Result<Policy> {
        let dir = self.policy_dir();
        let installed = bosun_policy::install_defaults(&dir).map_err(|e| AppError::Io {
            path: dir.display().to_string(),
            source: e,
        })?;
        for p in &installed.upgraded {
            tracing::info!(file = %p.display(), "policy: an unedited earlier default brought up to date (the old copy kept beside it as .previous)");
        }
        match Bundle::load_dir(&dir) {
            Ok(bundle) => {
                let files = serde_json::to_string(&bundle.files)?;
                meta::set(conn, LAST_GOOD, &files)?;
                Ok(Policy {
                    bundle,
                    dir,
                    warning: None,
                })
            }
            Err(e) => {
                let saved = meta::get(conn, LAST_GOOD).ok().flatten();
                let previous = saved
                    .and_then(|s| serde_json::from_str::<Vec<(String, String)>>(&s).ok())
                    .and_then(|files| Bundle::from_files(files).ok());
                let (bundle, which) = match previous {
                    Some(b) => (b, "the previous policy stays in force"),
                    None => (Bundle::builtin(), "the built-in policy is in force"),
                };
                Ok(Policy {
                    bundle,
                    dir,
                    warning: Some(format!("{e}; {which}")),
                })
            }
        }
    }
}

/// One action as the policy is asked about it.
pub struct Asked<'a> {
    pub kind: ActionKind,
    /// The text that would go out.
    pub body: &'a str,
    /// The text as Bosun drafted it, when `body` may be the manager's edit of it (the policy
    /// sees the figures the edit added; see `bosun_signals::carries`). `None` while drafting.
    pub generated: Option<&'a str>,
    pub summary: &'a str,
    pub signal_kind: &'a str,
    /// Who it reaches.
    pub people: &'a [i64],
}

/// Everyone an action's text may name (for [`policy_input`]).
pub fn nameable(conn: &Connection) -> Result<Vec<Named>> {
    Ok(actions::nameable_people(conn)?
        .into_iter()
        .map(|(id, name, logins)| {
            let logins: Vec<&str> = logins.iter().map(String::as_str).collect();
            Named::new(id, &name, &logins)
        })
        .collect())
}

/// The policy's input for one action (`data.bosun.actions.decision`): the action with what it
/// structurally carries (`carries`: people named, people given a figure, links), its
/// recipients' local time and today's count, and the time.
pub fn policy_input(
    conn: &Connection,
    extra: &Extra,
    a: &Asked<'_>,
    named: &[Named],
    approved_by: Option<&str>,
    now: Ts,
) -> Result<Value> {
    let mut recipients = Vec::new();
    for p in a.people {
        let (name, offset) = match extra.people.get(p) {
            Some(x) => (x.name.clone(), x.utc_offset_minutes.unwrap_or(0)),
            None => {
                identity::name_and_offset(conn, *p)?.unwrap_or_else(|| (format!("person {p}"), 0))
            }
        };
        let (minutes, weekday) = local_clock(now, offset);
        let day_start = now - minutes * 60 - (now % 60);
        let sent = actions::sent_to_person_since(conn, *p, day_start)?;
        recipients.push(json!({
            "id": p,
            "name": name,
            "local_minutes": minutes,
            "local_time": format!("{:02}:{:02}", minutes / 60, minutes % 60),
            "local_weekday": weekday,
            "sent_today": sent,
        }));
    }
    let carries = carries::tag(a.body, a.generated, named);
    Ok(json!({
        "action": {
            "kind": a.kind.as_str(),
            "provider": a.kind.provider().as_str(),
            "body": a.body,
            "summary": a.summary,
            "signal_kind": a.signal_kind,
            "carries": carries,
            "approved": approved_by.is_some(),
            "approved_by": approved_by.unwrap_or(""),
        },
        "recipients": recipients,
        "now": {"utc": bosun_core::time::rfc3339(now)},
    }))
}
