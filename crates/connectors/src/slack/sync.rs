//! Incremental Slack sync of the selected channels. Per channel: history from a week before the
//! cursor (so new replies to recent threads are seen), threads re-read when their parent changed,
//! one transaction per page, the cursor saved when the channel is done.

use super::normalize::Record;
use super::{api, normalize};
use crate::db::Db;
use crate::events::{Event, EventSink};
use crate::http::{Auth, HttpClient, HttpConfig};
use crate::session::{Opening, Session, sha256_hex, store_err};
use crate::{ConnectorError, Result};
use bosun_core::Sensitive;
use bosun_core::time::{Ts, WEEK};
use bosun_store::sync_state::Source;
use bosun_store::{accounts, chat};
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackSettings {
    /// Channel names (without `#`) or ids to read; `["*"]` for every channel Bosun is in.
    pub channels: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SlackStats {
    pub requests: u64,
    pub channels: u64,
    /// Messages stored, edits and deletions applied.
    pub messages: u64,
    /// Channel events (joins, leaves, topic changes, …) read and not kept as messages.
    pub events: u64,
    /// A channel that could not be read (gone, left, a bad page), named with the reason; the
    /// other channels were read.
    pub warnings: Vec<String>,
}

/// GET a Web API method and check `ok`.
async fn call(s: &Session, method: &str, query: &str) -> Result<(Value, Vec<u8>)> {
    let url = format!("{}/api/{method}?{query}", s.api);
    let Some((v, resp)) = s.http.get_json::<Value>(&url, None).await? else {
        return Err(ConnectorError::Malformed {
            url,
            detail: "unexpected 304".into(),
        });
    };
    api::check(&v, &url)?;
    Ok((v, resp.body))
}

/// Every page of a cursor-paginated method, items under `key`.
async fn pages<T: serde::de::DeserializeOwned>(
    s: &Session,
    method: &str,
    query: &str,
    key: &str,
) -> Result<Vec<(T, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("{query}&cursor={c}"),
            None => query.to_string(),
        };
        let (v, _) = call(s, method, &q).await?;
        let items =
            v.get(key)
                .and_then(Value::as_array)
                .ok_or_else(|| ConnectorError::Malformed {
                    url: format!("{}/api/{method}", s.api),
                    detail: format!("no `{key}` list"),
                })?;
        for (i, item) in items.iter().enumerate() {
            let t =
                serde_json::from_value(item.clone()).map_err(|e| ConnectorError::Malformed {
                    url: format!("{}/api/{method}", s.api),
                    detail: format!("{key}[{i}]: {e}"),
                })?;
            out.push((t, crate::wire::raw_json(item)));
        }
        cursor = api::next_cursor(&v);
        if cursor.is_none() {
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
) -> Result<SlackStats> {
    let settings: SlackSettings = crate::wire::settings(source)?;
    if settings.channels.is_empty() {
        return Err(ConnectorError::Config(format!(
            "source {}: choose the channels to read (or \"*\")",
            source.name
        )));
    }
    let how = Opening {
        api: Opening::base_url(source, "https://slack.com"),
        auth: Auth::Bearer(token),
        headers: HeaderMap::new(),
    };
    let s = Session::open(db, source, how, cfg, now, sink.clone())?;
    let (me, _) = call(&s, "auth.test", "").await?;
    // The workspace's address makes each message's permalink (…/archives/<channel>/p<ts>).
    let workspace = me
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| bosun_core::is_web_url(u))
        .map(str::to_string);
    let members = pages::<api::Member>(&s, "users.list", "limit=200", "members").await?;
    let channels = pages::<api::Channel>(
        &s,
        "conversations.list",
        "types=public_channel,private_channel&exclude_archived=true&limit=200",
        "channels",
    )
    .await?;
    let all = settings.channels.iter().any(|c| c == "*");
    let mut chosen = Vec::new();
    let mut warnings = Vec::new();
    for want in &settings.channels {
        if want == "*" {
            continue;
        }
        let want = want.trim_start_matches('#');
        match channels
            .iter()
            .find(|(c, _)| c.name == want || c.id == want)
        {
            Some((c, raw)) => chosen.push((c.clone(), raw.clone())),
            // Renamed, archived or never joined: say so and read the others.
            None => {
                let known: Vec<&str> = channels.iter().map(|(c, _)| c.name.as_str()).collect();
                warnings.push(format!(
                    "#{want}: no such channel among the workspace's open channels (known: {})",
                    known.join(", ")
                ));
            }
        }
    }
    if all {
        chosen = channels
            .iter()
            .filter(|(c, _)| c.is_member != Some(false))
            .cloned()
            .collect();
    }
    let (sid, now2) = (s.source_id, s.now);
    s.db.write(move |tx| {
        if let Some(w) = &workspace {
            bosun_store::meta::set(tx, bosun_store::chat::WORKSPACE_URL, w).map_err(store_err)?;
        }
        for (m, raw) in &members {
            let id = accounts::upsert(tx, &normalize::member(m)).map_err(store_err)?;
            let minutes = m.tz_offset.and_then(|s| i32::try_from(s / 60).ok());
            accounts::set_utc_offset(tx, id, minutes).map_err(store_err)?;
            bosun_store::sync_state::save_raw(tx, sid, "slack.user", &m.id, None, raw, now2)
                .map_err(store_err)?;
        }
        Ok(())
    })
    .await?;
    sink.emit(Event::SourceStarted {
        source: source.name.clone(),
        scopes: chosen.len(),
    });
    let mut stats = SlackStats {
        channels: chosen.len() as u64,
        warnings,
        ..Default::default()
    };
    // A malformed page stops the sync once every other channel was read.
    let mut failed = None;
    for (c, raw) in chosen {
        let scope = format!("#{}", c.name);
        match s
            .job("slack-channel", &scope.clone(), channel(&s, &c, raw))
            .await
        {
            Ok(read) => {
                stats.messages += read.messages;
                stats.events += read.events;
            }
            // The job recorded the error on the channel; its cursor did not move, so nothing
            // is lost and the next sync reads it again.
            Err(e) if refused_channel(&e) => stats.warnings.push(format!("{scope}: {e}")),
            Err(e @ ConnectorError::Malformed { .. }) => {
                failed.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    stats.requests = s.http.request_count();
    Ok(stats)
}

/// Slack refusing one channel (`channel_not_found`, `not_in_channel`, `is_archived`, …: an
/// `ok: false` answer that is not about the credentials): a warning naming the channel, and the
/// sync goes on. Credentials, rate limits that outlast the retries, an unreachable Slack or the
/// store stop it.
fn refused_channel(e: &ConnectorError) -> bool {
    matches!(
        e,
        ConnectorError::NotFound { .. } | ConnectorError::Http { status: 200, .. }
    )
}

/// What one channel's read applied.
#[derive(Debug, Default)]
struct ChannelRead {
    messages: u64,
    events: u64,
}

async fn channel(s: &Session, c: &api::Channel, raw: Vec<u8>) -> Result<ChannelRead> {
    let rec = normalize::channel(c);
    let (sid, now) = (s.source_id, s.now);
    let channel_id =
        s.db.write(move |tx| {
            let id = chat::upsert_channel(tx, &rec).map_err(store_err)?;
            bosun_store::sync_state::save_raw(
                tx,
                sid,
                "slack.channel",
                &rec.external_id,
                None,
                &raw,
                now,
            )
            .map_err(store_err)?;
            Ok(id)
        })
        .await?;
    let scope = format!("{}:history", c.id);
    let cursor = s.cursor_ts(&scope).await?;
    let oldest = cursor.map(|c| c - WEEK).unwrap_or(0);
    let mut page_cursor: Option<String> = None;
    let mut max = cursor;
    let mut read = ChannelRead::default();
    loop {
        let mut q = format!("channel={}&limit=200&oldest={oldest}.000000", c.id);
        if let Some(pc) = &page_cursor {
            q.push_str(&format!("&cursor={pc}"));
        }
        let (v, _) = call(s, "conversations.history", &q).await?;
        let items = v
            .get("messages")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut batch: Vec<(String, Record, Vec<u8>)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let m: api::Message =
                serde_json::from_value(item.clone()).map_err(|e| ConnectorError::Malformed {
                    url: format!("{}/api/conversations.history", s.api),
                    detail: format!("messages[{i}]: {e}"),
                })?;
            let raw = crate::wire::raw_json(item);
            max = max.max(Some(normalize::ts_secs(&m.ts)));
            let record = normalize::record(&m);
            // A thread whose parent changed (new replies) is re-read.
            let key = format!("{}/{}", c.id, m.ts);
            let changed = s.raw_sha("slack.message", &key).await?.as_deref()
                != Some(sha256_hex(&raw).as_str());
            if matches!(record, Record::Message(_)) && m.reply_count.unwrap_or(0) > 0 && changed {
                for (r, rraw) in pages::<api::Message>(
                    s,
                    "conversations.replies",
                    &format!("channel={}&ts={}&limit=200", c.id, m.ts),
                    "messages",
                )
                .await?
                {
                    if r.ts != m.ts {
                        batch.push((r.ts.clone(), normalize::record(&r), rraw));
                    }
                }
            }
            batch.push((m.ts.clone(), record, raw));
        }
        for (_, r, _) in &batch {
            match r {
                Record::Event => read.events += 1,
                Record::Message(_) | Record::Deleted { .. } => read.messages += 1,
            }
        }
        let (sid, now, cid) = (s.source_id, s.now, c.id.clone());
        s.db.write(move |tx| {
            for (ts, record, raw) in &batch {
                match record {
                    Record::Message(m) => chat::upsert_message(tx, channel_id, m),
                    Record::Deleted { ts, at } => chat::delete_message(tx, channel_id, ts, *at),
                    Record::Event => chat::forget_event(tx, channel_id, ts),
                }
                .map_err(store_err)?;
                bosun_store::sync_state::save_raw(
                    tx,
                    sid,
                    "slack.message",
                    &format!("{cid}/{ts}"),
                    None,
                    raw,
                    now,
                )
                .map_err(store_err)?;
            }
            Ok(())
        })
        .await?;
        s.progress(
            &format!("#{}", c.name),
            "messages",
            read.messages,
            read.messages,
        );
        page_cursor = api::next_cursor(&v);
        if page_cursor.is_none() {
            break;
        }
    }
    let (sid, now, value) = (s.source_id, s.now, max.map(|m| m.to_string()));
    s.db.write(move |tx| {
        if let Some(v) = &value {
            bosun_store::sync_state::set_cursor(tx, sid, &scope, v, now).map_err(store_err)?;
        }
        Ok(())
    })
    .await?;
    Ok(read)
}

/// POST a Web API `method` with a JSON body and check `ok`: the answer, or Slack's error typed
/// (see `api::check`).
pub async fn post_api(
    http: &HttpClient,
    api_base: &str,
    method: &str,
    body: &Value,
) -> Result<Value> {
    let url = format!("{}/api/{method}", api_base.trim_end_matches('/'));
    let v: Value = http.post_json(&url, body).await?;
    api::check(&v, &url)?;
    Ok(v)
}

/// `chat.postMessage`: post `text` to a channel or user id (a DM); returns the message's `ts`.
pub async fn post_message(
    http: &HttpClient,
    api_base: &str,
    channel: &str,
    text: &str,
    thread_ts: Option<&str>,
) -> Result<String> {
    let mut body = serde_json::json!({"channel": channel, "text": text, "unfurl_links": false});
    if let Some(t) = thread_ts {
        body["thread_ts"] = serde_json::json!(t);
    }
    let v = post_api(http, api_base, "chat.postMessage", &body).await?;
    v.get("ts")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| ConnectorError::Malformed {
            url: format!("{}/api/chat.postMessage", api_base.trim_end_matches('/')),
            detail: "no ts in the answer".into(),
        })
}
