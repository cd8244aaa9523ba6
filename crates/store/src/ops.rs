//! Operations records: services and incidents with assignments and log entries.

use crate::{Result, accounts};
use bosun_core::model::{Incident, OnCallShift, Service};
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, params};

/// Before writing a listing of `source_id`'s services (`kind`, the raw payloads' kind, names
/// which services came from this source): keep the old name of each listed service whose name
/// changed, mark a service this source listed before and no longer lists as gone at `now`,
/// and a listed one as not gone.
pub fn note_service_listing(
    conn: &Connection,
    source_id: i64,
    provider: &str,
    kind: &str,
    listed: &[(String, String)],
    now: Ts,
) -> Result<()> {
    let mut find = conn
        .prepare_cached("SELECT id, name FROM services WHERE provider = ?1 AND external_id = ?2")?;
    for (id, name) in listed {
        let known: Option<(i64, String)> = find
            .query_row(params![provider, id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((sid, old)) = known else { continue };
        if old != *name {
            conn.execute(
                "INSERT OR REPLACE INTO service_names (service_id, name, replaced_at) VALUES (?1, ?2, ?3)",
                params![sid, old, now],
            )?;
        }
        conn.execute("UPDATE services SET gone_at = NULL WHERE id = ?1", [sid])?;
    }
    let before: Vec<String> = conn
        .prepare("SELECT key FROM raw_payloads WHERE source_id = ?1 AND kind = ?2")?
        .query_map(params![source_id, kind], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in before {
        if !listed.iter().any(|(l, _)| *l == id) {
            conn.execute(
                "UPDATE services SET gone_at = ?3 WHERE provider = ?1 AND external_id = ?2 AND gone_at IS NULL",
                params![provider, id, now],
            )?;
        }
    }
    Ok(())
}

pub fn upsert_service(conn: &Connection, s: &Service) -> Result<i64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO services (provider, external_id, name, html_url, escalation_policy) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (provider, external_id) DO UPDATE SET name = excluded.name, html_url = excluded.html_url,
             escalation_policy = excluded.escalation_policy
         RETURNING id",
    )?;
    Ok(stmt.query_row(
        params![
            s.provider.as_str(),
            s.external_id,
            s.name,
            s.html_url,
            s.escalation_policy
        ],
        |r| r.get(0),
    )?)
}

/// Replace the on-call shifts of `source_id` that overlap `from..until` (what one read of
/// `/oncalls` covers) with `shifts`, their people as accounts.
pub fn replace_oncall(
    conn: &Connection,
    source_id: i64,
    from: Ts,
    until: Ts,
    shifts: &[OnCallShift],
) -> Result<()> {
    conn.execute(
        "DELETE FROM oncall_shifts WHERE source_id = ?1
           AND coalesce(start_at, ?3) <= ?3 AND coalesce(end_at, ?2) >= ?2",
        params![source_id, from, until],
    )?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO oncall_shifts (source_id, provider, account_id, policy, policy_name, level, schedule,
                                    schedule_name, start_at, end_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for s in shifts {
        let account = accounts::upsert(conn, &s.user)?;
        stmt.execute(params![
            source_id,
            s.provider.as_str(),
            account,
            s.policy,
            s.policy_name,
            s.level,
            s.schedule,
            s.schedule_name,
            s.start,
            s.end
        ])?;
    }
    Ok(())
}

/// Write an incident; assignments are replaced, log entries upserted.
pub fn upsert_incident(conn: &Connection, source_id: Option<i64>, i: &Incident) -> Result<i64> {
    let provider = i.provider.as_str();
    let service_id: Option<i64> = match &i.service_external_id {
        Some(s) => conn
            .query_row(
                "SELECT id FROM services WHERE provider = ?1 AND external_id = ?2",
                params![provider, s],
                |r| r.get(0),
            )
            .ok(),
        None => None,
    };
    let mut stmt = conn.prepare_cached(
        "INSERT INTO incidents (source_id, provider, external_id, number, title, status, urgency, priority, service_id,
                                created_at, acknowledged_at, resolved_at, html_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (provider, external_id) DO UPDATE SET
             source_id = coalesce(excluded.source_id, incidents.source_id), number = excluded.number,
             title = excluded.title, status = excluded.status, urgency = excluded.urgency,
             priority = excluded.priority, service_id = excluded.service_id, created_at = excluded.created_at,
             acknowledged_at = excluded.acknowledged_at, resolved_at = excluded.resolved_at, html_url = excluded.html_url
         RETURNING id",
    )?;
    let id: i64 = stmt.query_row(
        params![
            source_id,
            provider,
            i.external_id,
            i.number,
            i.title,
            i.status,
            i.urgency,
            i.priority,
            service_id,
            i.created_at,
            i.acknowledged_at,
            i.resolved_at,
            i.html_url
        ],
        |r| r.get(0),
    )?;
    conn.execute(
        "DELETE FROM incident_assignments WHERE incident_id = ?1",
        [id],
    )?;
    let mut asg = conn.prepare_cached(
        "INSERT OR REPLACE INTO incident_assignments (incident_id, account_id, assigned_at) VALUES (?1, ?2, ?3)",
    )?;
    for (a, at) in &i.assignees {
        let aid = accounts::upsert(conn, a)?;
        asg.execute(params![id, aid, at])?;
    }
    let mut log = conn.prepare_cached(
        "INSERT INTO incident_log_entries (incident_id, external_id, kind, created_at, agent_account_id, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (incident_id, external_id) DO UPDATE SET
             kind = excluded.kind, created_at = excluded.created_at, agent_account_id = excluded.agent_account_id,
             summary = excluded.summary",
    )?;
    for e in &i.log {
        let agent = accounts::upsert_opt(conn, e.agent.as_ref())?;
        log.execute(params![
            id,
            e.external_id,
            e.kind,
            e.created_at,
            agent,
            e.summary
        ])?;
    }
    Ok(id)
}
