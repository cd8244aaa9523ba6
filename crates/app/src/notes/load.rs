//! Everything a note reads, in one pass over the store: the metrics dataset, the signals engine's
//! extra records ([`crate::signals::load_extra`]), the few records only notes need (review links,
//! time off, private notes, base branches, the files recently merged pull requests touched), and
//! the signals that hold now (the blockers).

use crate::{AppError, Result};
use bosun_core::time::Ts;
use bosun_metrics::data::Dataset;
use bosun_notes::signals::{Extra, Scope, Settings, Signal};
use bosun_notes::{Input, More, PrivateNote, TimeOff};
use bosun_store::rusqlite::{Connection, params};

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

pub fn private_notes(conn: &Connection, person: Option<i64>) -> Result<Vec<PrivateNote>> {
    let mut s = conn.prepare(
        "SELECT id, person_id, created_at, body, follow_up, done_at FROM private_notes
         WHERE ?1 IS NULL OR person_id = ?1 ORDER BY created_at, id",
    )?;
    let rows = s
        .query_map([person], |r| {
            Ok(PrivateNote {
                id: r.get(0)?,
                person: r.get(1)?,
                created_at: r.get(2)?,
                body: r.get(3)?,
                follow_up: r.get(4)?,
                done_at: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

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
    let since = as_of - 90 * 86_400;
    let mut s = conn.prepare(
        "SELECT DISTINCT c.pr_id, c.path FROM pr_comments c JOIN pull_requests p ON p.id = c.pr_id
         WHERE p.merged_at >= ?1 AND p.merged_at <= ?2 AND c.path IS NOT NULL ORDER BY 1, 2",
    )?;
    for r in s.query_map(params![since, as_of], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })? {
        let (pr, path) = r?;
        let x = extra.prs.entry(pr).or_default();
        if !x.paths.contains(&path) {
            x.paths.push(path);
        }
    }
    let mut more = More::default();
    let mut s = conn.prepare(
        "SELECT r.pr_id, a.person_id, r.submitted_at, r.html_url FROM reviews r JOIN accounts a ON a.id = r.reviewer_account_id
         WHERE a.person_id IS NOT NULL AND r.submitted_at IS NOT NULL AND r.html_url IS NOT NULL",
    )?;
    for r in s.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Ts>(2)?,
            r.get::<_, String>(3)?,
        ))
    })? {
        let (pr, person, at, url) = r?;
        more.review_urls.insert((pr, person, at), url);
    }
    let mut s = conn.prepare(
        "SELECT id, base_ref FROM pull_requests WHERE state = 'open' AND base_ref IS NOT NULL",
    )?;
    for r in s.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (id, base) = r?;
        more.base_refs.insert(id, base);
    }
    let mut s = conn.prepare("SELECT person_id, starts_on, ends_on FROM time_off ORDER BY 1, 2")?;
    for r in s.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (person, from, to) = r?;
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
    let mut s = conn.prepare(
        "SELECT lower(login), person_id FROM accounts
         WHERE provider = 'github' AND login IS NOT NULL AND person_id IS NOT NULL ORDER BY id",
    )?;
    for r in s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (login, person) = r?;
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
    let mut s = conn.prepare(
        "SELECT dedupe_key FROM signals WHERE status = 'snoozed' AND coalesce(snoozed_until, 0) > ?1",
    )?;
    let snoozed: std::collections::HashSet<String> = s
        .query_map([as_of], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    signals.retain(|x| !snoozed.contains(&x.dedupe_key));
    Ok(Loaded {
        data,
        extra,
        more,
        signals,
        as_of,
    })
}
