//! Incremental, resumable Jira sync of one project: boards and their sprints, then issues
//! updated since the cursor (JQL, oldest update first), each with its complete changelog, written
//! one ticket per transaction. Tickets whose stored `updated` already matches are skipped, so a
//! resumed sync only does the unfinished part; the cursor is saved when the project is done.

use super::api;
use super::history::{DEFAULT_WAITING, StatusMap};
use super::normalize::{FieldIds, Normalizer, WorkTypes, sprint};
use crate::db::Db;
use crate::events::{Event, EventSink};
use crate::http::{Auth, HttpConfig};
use crate::session::{Opening, Session, store_err};
use crate::{ConnectorError, Result};
use bosun_core::Sensitive;
use bosun_core::model::WorkType;
use bosun_core::time::{DAY, Ts, from_ts};
use bosun_store::planning;
use bosun_store::sync_state::Source;
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JiraApi {
    /// Jira Cloud: `/rest/api/3/search/jql` paged by `nextPageToken`.
    #[default]
    Cloud,
    /// Jira Data Center / older Cloud: `/rest/api/3/search` paged by `startAt`.
    Classic,
}

/// The `settings` JSON of a Jira source.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JiraSettings {
    /// The project key, e.g. `TIDE`.
    pub project: String,
    #[serde(default)]
    pub api: JiraApi,
    /// Account email for Jira Cloud's basic auth (email + API token); without it the token is
    /// sent as a bearer token (Data Center personal access tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The site's web address for ticket links (default: the API base URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_url: Option<String>,
    /// Statuses that count as waiting (default: review, blocked, on hold, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_statuses: Option<Vec<String>>,
    /// Issue type → work type overrides, e.g. `{"Task": "debt"}`.
    #[serde(default, skip_serializing_if = "HashMap::is_empty")]
    pub work_types: HashMap<String, WorkType>,
    /// The story points field id when it is not called "Story point estimate"/"Story Points".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub story_points_field: Option<String>,
    /// Issues per search page (max 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct JiraStats {
    pub requests: u64,
    pub not_modified: u64,
    pub tickets_fetched: u64,
    pub tickets_unchanged: u64,
    pub sprints: u64,
    /// Values refused on the way (unusable timestamps), one line each.
    pub refused: Vec<String>,
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub async fn sync_source(
    db: &Db,
    source: &Source,
    token: Sensitive<String>,
    cfg: HttpConfig,
    now: Ts,
    sink: Arc<dyn EventSink>,
) -> Result<JiraStats> {
    let settings: JiraSettings = crate::wire::settings(source)?;
    if settings.project.trim().is_empty() {
        return Err(ConnectorError::Config(format!(
            "source {}: no project key",
            source.name
        )));
    }
    let api = source.base_url.clone().ok_or_else(|| {
        ConnectorError::Config(format!(
            "source {}: no base URL (https://SITE.atlassian.net)",
            source.name
        ))
    })?;
    let api = api.trim_end_matches('/').to_string();
    let auth = match &settings.email {
        Some(email) => Auth::Basic {
            user: email.clone(),
            token,
        },
        None => Auth::Bearer(token),
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    let how = Opening {
        api: api.clone(),
        auth,
        headers,
    };
    let s = Session::open(db, source, how, cfg, now, sink.clone())?;

    // Who am I (fails fast on bad credentials), which fields and statuses does the site have.
    s.http
        .get_json::<api::User>(&format!("{api}/rest/api/3/myself"), None)
        .await?;
    let (fields, _) = s
        .http
        .get_json::<Vec<api::Field>>(&format!("{api}/rest/api/3/field"), None)
        .await?
        .unwrap_or_default();
    let (statuses, _) = s
        .http
        .get_json::<Vec<api::Status>>(&format!("{api}/rest/api/3/status"), None)
        .await?
        .unwrap_or_default();
    let waiting = settings
        .waiting_statuses
        .clone()
        .unwrap_or_else(|| DEFAULT_WAITING.iter().map(|s| s.to_string()).collect());
    let mut status_map = StatusMap::new(&waiting);
    for st in &statuses {
        status_map.add(&st.name, &st.status_category.key);
    }
    let norm = Normalizer {
        fields: FieldIds::from_fields(&fields, settings.story_points_field.as_deref()),
        statuses: status_map,
        work_types: WorkTypes::new(&settings.work_types),
        web: settings.web_url.clone().unwrap_or_else(|| api.clone()),
    };
    sink.emit(Event::SourceStarted {
        source: source.name.clone(),
        scopes: 1,
    });
    let project = settings.project.trim().to_string();
    let mut stats = JiraStats::default();
    s.job("jira-project", &project.clone(), async {
        stats.sprints = sprints(&s, &project, &mut stats.refused).await?;
        issues(&s, &settings, &project, &norm, &mut stats).await
    })
    .await?;
    stats.requests = s.http.request_count();
    stats.not_modified = s
        .http
        .not_modified
        .load(std::sync::atomic::Ordering::Relaxed);
    for r in &stats.refused {
        tracing::warn!(source = %source.name, "refused: {r}");
    }
    Ok(stats)
}

/// Boards of the project and every sprint of each board.
async fn sprints(s: &Session, project: &str, refused: &mut Vec<String>) -> Result<u64> {
    let mut boards = Vec::new();
    let mut start = 0;
    loop {
        let url = format!(
            "{}/rest/agile/1.0/board?projectKeyOrId={}&startAt={start}&maxResults=50",
            s.api,
            enc(project)
        );
        let Some((page, _)) = s
            .http
            .get_json::<api::AgilePage<api::Board>>(&url, None)
            .await?
        else {
            break;
        };
        let n = page.values.len() as i64;
        boards.extend(page.values);
        if page.is_last.unwrap_or(n == 0) || n == 0 {
            break;
        }
        start += n;
    }
    let mut count = 0;
    for b in &boards {
        let mut start = 0;
        loop {
            let url = format!(
                "{}/rest/agile/1.0/board/{}/sprint?startAt={start}&maxResults=50",
                s.api, b.id
            );
            let Some((page, resp)) = s
                .http
                .get_json::<api::AgilePage<api::Sprint>>(&url, None)
                .await?
            else {
                break;
            };
            let n = page.values.len() as i64;
            let mut recs = Vec::new();
            for sp in &page.values {
                let (rec, r) = sprint(sp, Some(b.id));
                refused.extend(r);
                recs.push(rec);
            }
            count += recs.len() as u64;
            let (sid, key, body) = (s.source_id, format!("{}/{start}", b.id), resp.body.clone());
            let session_now = s.now;
            s.db.write(move |tx| {
                for r in &recs {
                    planning::upsert_sprint(tx, Some(sid), "jira", r).map_err(store_err)?;
                }
                bosun_store::sync_state::save_raw(
                    tx,
                    sid,
                    "jira.sprints",
                    &key,
                    None,
                    &body,
                    session_now,
                )
                .map_err(store_err)?;
                Ok(())
            })
            .await?;
            if page.is_last.unwrap_or(n == 0) || n == 0 {
                break;
            }
            start += n;
        }
    }
    Ok(count)
}

/// The `updated` of an issue payload, when parseable (to skip unchanged tickets).
fn updated_of(issue: &Value) -> Option<Ts> {
    super::time::parse(issue.get("fields").and_then(|f| f.get("updated")))
        .ok()
        .flatten()
}

async fn issues(
    s: &Session,
    settings: &JiraSettings,
    project: &str,
    norm: &Normalizer,
    stats: &mut JiraStats,
) -> Result<()> {
    let scope = format!("{project}:issues");
    let cursor = s.cursor_ts(&scope).await?;
    let mut jql = format!("project = {project}");
    if let Some(c) = cursor {
        // JQL dates are read in the user's time zone, which we do not know: two days of overlap.
        jql.push_str(&format!(
            " AND updated >= \"{}\"",
            from_ts(c - 2 * DAY).format("%Y-%m-%d")
        ));
    }
    jql.push_str(" ORDER BY updated ASC");
    let size = settings.page_size.unwrap_or(100).clamp(1, 100);
    let base = match settings.api {
        JiraApi::Cloud => format!(
            "{}/rest/api/3/search/jql?jql={}&maxResults={size}&fields=*all&expand=changelog",
            s.api,
            enc(&jql)
        ),
        JiraApi::Classic => format!(
            "{}/rest/api/3/search?jql={}&maxResults={size}&fields=*all&expand=changelog",
            s.api,
            enc(&jql)
        ),
    };
    let mut max = cursor;
    let mut token: Option<String> = None;
    let mut start_at = 0i64;
    let mut done = 0u64;
    loop {
        let url = match (settings.api, &token) {
            (JiraApi::Cloud, Some(t)) => format!("{base}&nextPageToken={}", enc(t)),
            (JiraApi::Cloud, None) => base.clone(),
            (JiraApi::Classic, _) => format!("{base}&startAt={start_at}"),
        };
        let (issues, last, next_token, total) = match settings.api {
            JiraApi::Cloud => {
                let Some((page, _)) = s.http.get_json::<api::SearchJql>(&url, None).await? else {
                    break;
                };
                let last = page.is_last.unwrap_or(page.next_page_token.is_none())
                    || page.issues.is_empty();
                (page.issues, last, page.next_page_token, None)
            }
            JiraApi::Classic => {
                let Some((page, _)) = s.http.get_json::<api::SearchClassic>(&url, None).await?
                else {
                    break;
                };
                let last = page.start_at + page.issues.len() as i64 >= page.total
                    || page.issues.is_empty();
                (page.issues, last, None, Some(page.total))
            }
        };
        start_at += issues.len() as i64;
        for raw in issues {
            let key = raw
                .get("key")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            let issue: api::Issue =
                serde_json::from_value(raw.clone()).map_err(|e| ConnectorError::Malformed {
                    url: url.clone(),
                    detail: format!("issue {key}: {e}"),
                })?;
            let updated = updated_of(&raw);
            max = max.max(updated);
            let k = key.clone();
            let stored = s
                .db
                .read(move |st| planning::ticket_version(st.conn(), "jira", &k).map_err(store_err))
                .await?;
            if updated.is_some() && stored == updated {
                stats.tickets_unchanged += 1;
                continue;
            }
            let (histories, extra) = full_changelog(s, &issue).await?;
            let normalized = match norm.ticket(&issue, &histories) {
                Ok(n) => n,
                Err(why) => {
                    stats.refused.push(why);
                    continue;
                }
            };
            stats.refused.extend(normalized.refused);
            let ticket = normalized.ticket;
            let body = crate::wire::raw_json(&raw);
            let sess = (s.source_id, s.now);
            s.db.write(move |tx| {
                planning::upsert_ticket(tx, Some(sess.0), "jira", &ticket).map_err(store_err)?;
                bosun_store::sync_state::save_raw(
                    tx,
                    sess.0,
                    "jira.issue",
                    &ticket.key,
                    None,
                    &body,
                    sess.1,
                )
                .map_err(store_err)?;
                if let Some(extra) = &extra {
                    bosun_store::sync_state::save_raw(
                        tx,
                        sess.0,
                        "jira.changelog",
                        &ticket.key,
                        None,
                        extra,
                        sess.1,
                    )
                    .map_err(store_err)?;
                }
                Ok(())
            })
            .await?;
            stats.tickets_fetched += 1;
            done += 1;
            if done.is_multiple_of(25) {
                s.progress(project, "issues", done, total.map_or(done, |t| t as u64));
            }
        }
        if last {
            break;
        }
        token = next_token;
        if settings.api == JiraApi::Cloud && token.is_none() {
            break;
        }
    }
    s.progress(project, "issues", done, done);
    let (value, sid, now) = (max.map(|m| m.to_string()), s.source_id, s.now);
    s.db.write(move |tx| {
        if let Some(v) = &value {
            bosun_store::sync_state::set_cursor(tx, sid, &scope, v, now).map_err(store_err)?;
        }
        Ok(())
    })
    .await
}

/// The issue's whole changelog: the inline part of the search result, then the rest paged from
/// `/issue/{key}/changelog`. Returns the histories and the extra pages' raw JSON, if any.
async fn full_changelog(
    s: &Session,
    issue: &api::Issue,
) -> Result<(Vec<api::History>, Option<Vec<u8>>)> {
    let inline = issue.changelog.clone().unwrap_or(api::Changelog {
        start_at: 0,
        max_results: 0,
        total: 0,
        histories: Vec::new(),
    });
    let mut histories = inline.histories;
    if (histories.len() as i64) >= inline.total {
        return Ok((histories, None));
    }
    let mut raws = Vec::new();
    let mut start = histories.len() as i64;
    while start < inline.total {
        let url = format!(
            "{}/rest/api/3/issue/{}/changelog?startAt={start}&maxResults=100",
            s.api,
            enc(&issue.key)
        );
        let Some((page, resp)) = s.http.get_json::<api::ChangelogPage>(&url, None).await? else {
            break;
        };
        if page.values.is_empty() {
            break;
        }
        start += page.values.len() as i64;
        raws.push(resp.body);
        histories.extend(page.values);
        if page.is_last == Some(true) {
            break;
        }
    }
    let mut raw = b"[".to_vec();
    for (i, r) in raws.iter().enumerate() {
        if i > 0 {
            raw.push(b',');
        }
        raw.extend_from_slice(r);
    }
    raw.push(b']');
    Ok((histories, Some(raw)))
}
