//! Incremental PagerDuty sync: users, services, then incidents created since a week before the
//! cursor plus every still-open incident; an incident whose payload is unchanged is skipped,
//! otherwise it is written with its whole log in one transaction.

use super::{api, normalize};
use crate::db::Db;
use crate::events::{Event, EventSink};
use crate::http::{Auth, HttpConfig};
use crate::session::{Opening, Session, sha256_hex, store_err};
use crate::{ConnectorError, Result};
use bosun_core::Sensitive;
use bosun_core::model::Provider;
use bosun_core::time::{DAY, Ts, rfc3339};
use bosun_store::sync_state::Source;
use bosun_store::{accounts, ops};
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutySettings {
    /// Only incidents of these service ids (default: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PagerDutyStats {
    pub requests: u64,
    pub incidents_fetched: u64,
    pub incidents_unchanged: u64,
    /// On-call shifts read (eight weeks back, four ahead).
    pub oncall_shifts: u64,
    /// What could not be read and was left out (the sync went on).
    pub warnings: Vec<String>,
}

/// How far back and ahead each sync reads who is on call: eight weeks back (the on-call load of
/// the sprints capacity planning learns from) and four ahead (the next sprint's); PagerDuty's
/// `/oncalls` takes at most 90 days between `since` and `until`.
pub const ONCALL_BEHIND_SECS: Ts = 56 * DAY;
/// See [`ONCALL_BEHIND_SECS`].
pub const ONCALL_AHEAD_SECS: Ts = 28 * DAY;

/// Every item of a PagerDuty list endpoint (`limit`/`offset`/`more`), with its raw JSON.
async fn all<T: DeserializeOwned>(
    s: &Session,
    path_and_query: &str,
    key: &str,
) -> Result<Vec<(T, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut offset = 0;
    let sep = if path_and_query.contains('?') {
        '&'
    } else {
        '?'
    };
    loop {
        let url = format!("{}{path_and_query}{sep}limit=100&offset={offset}", s.api);
        let Some((page, _)) = s.http.get_json::<Value>(&url, None).await? else {
            break;
        };
        let items =
            page.get(key)
                .and_then(Value::as_array)
                .ok_or_else(|| ConnectorError::Malformed {
                    url: url.clone(),
                    detail: format!("no `{key}` list"),
                })?;
        for (i, v) in items.iter().enumerate() {
            let t = serde_json::from_value(v.clone()).map_err(|e| ConnectorError::Malformed {
                url: url.clone(),
                detail: format!("{key}[{i}]: {e}"),
            })?;
            out.push((t, crate::wire::raw_json(v)));
        }
        offset += items.len();
        if !page.get("more").and_then(Value::as_bool).unwrap_or(false) || items.is_empty() {
            break;
        }
    }
    Ok(out)
}

pub async fn sync_source(
    db: &Db,
    source: &Source,
    token: Sensitive<String>,
    cfg: HttpConfig,
    now: Ts,
    sink: Arc<dyn EventSink>,
) -> Result<PagerDutyStats> {
    let settings: PagerDutySettings = crate::wire::settings(source)?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static("application/vnd.pagerduty+json;version=2"),
    );
    let how = Opening {
        api: Opening::base_url(source, "https://api.pagerduty.com"),
        auth: Auth::PagerDuty(token),
        headers,
    };
    let s = Session::open(db, source, how, cfg, now, sink.clone())?;
    sink.emit(Event::SourceStarted {
        source: source.name.clone(),
        scopes: 1,
    });
    let mut stats = PagerDutyStats::default();
    s.job("pagerduty", "incidents", async {
        let users = all::<api::User>(&s, "/users", "users").await?;
        let services = all::<api::Service>(&s, "/services", "services").await?;
        let policies: Vec<String> = services
            .iter()
            .filter(|(sv, _)| settings.services.is_empty() || settings.services.contains(&sv.id))
            .filter_map(|(sv, _)| sv.escalation_policy.as_ref().map(|p| p.id.clone()))
            .collect();
        let (sid, now2) = (s.source_id, s.now);
        s.db.write(move |tx| {
            for (u, raw) in &users {
                accounts::upsert(tx, &normalize::user(u)).map_err(store_err)?;
                bosun_store::sync_state::save_raw(
                    tx,
                    sid,
                    "pagerduty.user",
                    &u.id,
                    None,
                    raw,
                    now2,
                )
                .map_err(store_err)?;
            }
            let listed: Vec<(String, String)> = services
                .iter()
                .map(|(sv, _)| {
                    let n = normalize::service(sv);
                    (n.external_id, n.name)
                })
                .collect();
            ops::note_service_listing(
                tx,
                sid,
                Provider::Pagerduty.as_str(),
                "pagerduty.service",
                &listed,
                now2,
            )
            .map_err(store_err)?;
            for (sv, raw) in &services {
                ops::upsert_service(tx, &normalize::service(sv)).map_err(store_err)?;
                bosun_store::sync_state::save_raw(
                    tx,
                    sid,
                    "pagerduty.service",
                    &sv.id,
                    None,
                    raw,
                    now2,
                )
                .map_err(store_err)?;
            }
            Ok(())
        })
        .await?;
        on_call(&s, &policies, &mut stats).await?;
        incidents(&s, &settings, &mut stats).await
    })
    .await?;
    stats.requests = s.http.request_count();
    Ok(stats)
}

/// Who is on call for `policies` (the synced services'), from eight weeks back to four weeks ahead; the
/// shifts of that window are replaced. A key that may not read on-calls (HTTP 401/403/404 on
/// `/oncalls`) leaves them out with a warning: incidents still sync.
async fn on_call(s: &Session, policies: &[String], stats: &mut PagerDutyStats) -> Result<()> {
    if policies.is_empty() {
        return Ok(());
    }
    let (from, until) = (s.now - ONCALL_BEHIND_SECS, s.now + ONCALL_AHEAD_SECS);
    let ids: String = policies
        .iter()
        .map(|p| format!("&escalation_policy_ids[]={p}"))
        .collect();
    let path = format!(
        "/oncalls?since={}&until={}&time_zone=UTC{ids}",
        rfc3339(from),
        rfc3339(until)
    );
    let list = match all::<api::OnCall>(s, &path, "oncalls").await {
        Ok(list) => list,
        Err(e @ (ConnectorError::Auth { .. } | ConnectorError::NotFound { .. })) => {
            stats.warnings.push(format!(
                "on-call not read (who is on call will not show): {e}"
            ));
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let shifts: Vec<_> = list
        .iter()
        .filter(|(o, _)| policies.contains(&o.escalation_policy.id))
        .filter_map(|(o, _)| normalize::on_call(o))
        .collect();
    stats.oncall_shifts = shifts.len() as u64;
    let sid = s.source_id;
    s.db.write(move |tx| ops::replace_oncall(tx, sid, from, until, &shifts).map_err(store_err))
        .await
}

async fn incidents(
    s: &Session,
    settings: &PagerDutySettings,
    stats: &mut PagerDutyStats,
) -> Result<()> {
    let cursor = s.cursor_ts("incidents").await?;
    let services: String = settings
        .services
        .iter()
        .map(|id| format!("&service_ids[]={id}"))
        .collect();
    let recent = match cursor {
        // Incidents change after they are created: look a week back.
        Some(c) => format!(
            "/incidents?since={}&until={}&sort_by=created_at:asc&time_zone=UTC{services}",
            rfc3339(c - 7 * DAY),
            rfc3339(s.now + DAY)
        ),
        None => format!("/incidents?date_range=all&sort_by=created_at:asc&time_zone=UTC{services}"),
    };
    let open = format!(
        "/incidents?date_range=all&statuses[]=triggered&statuses[]=acknowledged&sort_by=created_at:asc&time_zone=UTC{services}"
    );
    let mut list = all::<api::Incident>(s, &recent, "incidents").await?;
    for (i, raw) in all::<api::Incident>(s, &open, "incidents").await? {
        if !list.iter().any(|(x, _)| x.id == i.id) {
            list.push((i, raw));
        }
    }
    let max = list.iter().map(|(i, _)| i.created_at.0).max().max(cursor);
    let total = list.len() as u64;
    for (n, (incident, raw)) in list.into_iter().enumerate() {
        if s.raw_sha("pagerduty.incident", &incident.id)
            .await?
            .as_deref()
            == Some(sha256_hex(&raw).as_str())
        {
            stats.incidents_unchanged += 1;
            continue;
        }
        let log = all::<api::LogEntry>(
            s,
            &format!("/incidents/{}/log_entries?is_overview=false", incident.id),
            "log_entries",
        )
        .await?;
        let rec = normalize::incident(
            &incident,
            &log.iter().map(|(e, _)| e.clone()).collect::<Vec<_>>(),
        );
        let log_raw = {
            let mut b = b"[".to_vec();
            for (k, (_, r)) in log.iter().enumerate() {
                if k > 0 {
                    b.push(b',');
                }
                b.extend_from_slice(r);
            }
            b.push(b']');
            b
        };
        let (sid, now) = (s.source_id, s.now);
        s.db.write(move |tx| {
            ops::upsert_incident(tx, Some(sid), &rec).map_err(store_err)?;
            bosun_store::sync_state::save_raw(
                tx,
                sid,
                "pagerduty.incident",
                &rec.external_id,
                None,
                &raw,
                now,
            )
            .map_err(store_err)?;
            bosun_store::sync_state::save_raw(
                tx,
                sid,
                "pagerduty.log",
                &rec.external_id,
                None,
                &log_raw,
                now,
            )
            .map_err(store_err)?;
            Ok(())
        })
        .await?;
        stats.incidents_fetched += 1;
        if (n + 1) % 10 == 0 || n as u64 + 1 == total {
            s.progress("incidents", "incidents", n as u64 + 1, total);
        }
    }
    let (sid, now, value) = (s.source_id, s.now, max.map(|m| m.to_string()));
    s.db.write(move |tx| {
        if let Some(v) = &value {
            bosun_store::sync_state::set_cursor(tx, sid, "incidents", v, now).map_err(store_err)?;
        }
        Ok(())
    })
    .await
}
