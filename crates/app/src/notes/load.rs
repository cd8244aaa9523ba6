//! Everything a note reads, in one pass over the store: the metrics dataset, the signals engine's
//! extra records ([`crate::signals::load_extra`]), the few records only notes need (review links,
//! time off, private notes, base branches, the files recently merged pull requests touched), and
//! the signals that hold now (the blockers).

use crate::{AppError, Result};
use bosun_core::time::{DAY, Ts};
use bosun_metrics::data::Dataset;
use bosun_notes::signals::{Extra, Scope, Settings, Signal};
use bosun_notes::{Input, More, PrivateNote, TimeOff};
use bosun_store::Connection;
use bosun_store::notes as db;
use bosun_store::signals as signals_db;

pub struct Loaded {
    pub data: Dataset,
    pub extra: Extra,
    pub more: More,
    pub signals: Vec<Signal>,
    pub as_of: Ts,
}

impl Loaded {
    pub fn input(&self) -> Input<'_> {
        Input {
            data: &self.data,
            extra: &self.extra,
            more: &self.more,
            signals: &self.signals,
        }
    }
}

/// The private notes about `person` (or everyone), oldest first.
pub fn private_notes(conn: &Connection, person: Option<i64>) -> Result<Vec<PrivateNote>> {
    Ok(db::private_notes(conn, person)?
        .into_iter()
        .map(|n| PrivateNote {
            id: n.id,
            person: n.person_id,
            created_at: n.created_at,
            body: n.body,
            follow_up: n.follow_up,
            done_at: n.done_at,
        })
        .collect())
}

/// Everything a note reads as of `as_of`, with the signals that hold then (less those snoozed).
pub fn load(
    conn: &Connection,
    config: &crate::Config,
    settings: &Settings,
    as_of: Ts,
) -> Result<Loaded> {
    let data = crate::metrics::load(conn)?;
    let mut extra = crate::signals::load_extra(conn, config, settings, as_of)?;
    // Records without a page get a deep link into the app.
    for m in &mut extra.messages {
        if m.url.is_none() {
            m.url = Some(format!("bosun://chat_message/{}", m.id));
        }
    }
    for (id, d) in &mut extra.deployments {
        if d.url.is_none() {
            d.url = Some(format!("bosun://deployment/{id}"));
        }
    }
    // The files merged pull requests touched recently ("who changed these files").
    let since = as_of - 90 * DAY;
    for (pr, path) in db::merged_pr_paths(conn, since, as_of)? {
        let x = extra.prs.entry(pr).or_default();
        if !x.paths.contains(&path) {
            x.paths.push(path);
        }
    }
    let mut more = More::default();
    for r in db::review_links(conn)? {
        more.review_urls
            .insert((r.pr_id, r.person_id, r.submitted_at), r.html_url);
    }
    more.base_refs.extend(db::open_pr_base_refs(conn)?);
    for (person, from, to) in db::time_off(conn)? {
        let date = |s: &str| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|e| AppError::InvalidInput(format!("time_off date {s:?}: {e}")))
        };
        more.time_off.push(TimeOff {
            person,
            starts_on: date(&from)?,
            ends_on: date(&to)?,
        });
    }
    more.private_notes = private_notes(conn, None)?;
    more.followup_labels = settings.followup_labels.clone();
    for (login, person) in db::github_logins(conn)? {
        more.logins.entry(login).or_insert(person);
    }
    let input = Input {
        data: &data,
        extra: &extra,
        more: &more,
        signals: &[],
    };
    let mut signals = bosun_notes::signals::evaluate(
        bosun_notes::signals::Input {
            data: input.data,
            extra: input.extra,
        },
        settings,
        as_of,
        &Scope::all(),
    );
    // Signals the manager snoozed stay out of the notes until the snooze ends.
    let snoozed: std::collections::HashSet<String> =
        signals_db::snoozed_keys(conn, as_of)?.into_iter().collect();
    signals.retain(|x| !snoozed.contains(&x.dedupe_key));
    Ok(Loaded {
        data,
        extra,
        more,
        signals,
        as_of,
    })
}
