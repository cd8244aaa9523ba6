//! Outbound writes for approved actions: a Slack message or DM, a pull request comment, a reviewer
//! request, a ticket comment or a ticket transition — and, for each, a way to tell whether it
//! already landed.
//!
//! Exactly-once delivery is the caller's protocol (see `bosun-app`'s outbox): claim the action,
//! ask [`find`] whether a write carrying its idempotency key is already at the provider (a crash or
//! a lost answer may have left one there), and only if not, [`send`] it. The key travels with the
//! write in the provider's own vocabulary: Slack message metadata, a hidden HTML comment at the end
//! of a GitHub comment, a Jira comment property, a label on a ticket Bosun creates (found again by
//! a JQL search). Reviewer requests and transitions are checked by their effect (the reviewers are
//! requested, the ticket is in the target status).

use crate::error::{ConnectorError, Result};
use crate::http::{HttpClient, github_headers};
use bosun_core::model::Provider;
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde_json::{Value, json};

/// The headers a provider's write API expects.
pub fn headers(provider: Provider) -> HeaderMap {
    match provider {
        Provider::Github => github_headers(),
        _ => {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
            h
        }
    }
}

/// Slack metadata event type of messages Bosun sends.
pub const SLACK_EVENT_TYPE: &str = "bosun_action";
/// Jira comment property key holding the idempotency key.
pub const JIRA_PROPERTY: &str = "bosun.action";

/// One write.
#[derive(Debug, Clone, PartialEq)]
pub enum Outbound {
    /// A message in a channel (`channel`: the provider's channel id).
    SlackMessage {
        channel: String,
        text: String,
    },
    /// A direct message to a user (`user`: the provider's user id).
    SlackDm {
        user: String,
        text: String,
    },
    /// A comment on a pull request's conversation (`repo`: `owner/name`).
    PrComment {
        repo: String,
        number: i64,
        text: String,
    },
    /// Request reviews from these logins.
    ReviewerRequest {
        repo: String,
        number: i64,
        reviewers: Vec<String>,
    },
    TicketComment {
        key: String,
        text: String,
    },
    /// Move a ticket to the status named `status`.
    TicketTransition {
        key: String,
        status: String,
    },
    /// Create a task in `project`, assigned to `assignee` (an Atlassian account id) when set,
    /// with `labels` besides Bosun's own and a due date (`YYYY-MM-DD`) when set.
    TicketCreate {
        project: String,
        summary: String,
        description: String,
        assignee: Option<String>,
        labels: Vec<String>,
        due: Option<String>,
    },
}

/// Jira label on every ticket Bosun creates.
pub const JIRA_CREATED_LABEL: &str = "bosun-follow-up";

/// The Jira label carrying an idempotency key (labels hold no spaces; other characters are kept
/// as dashes).
pub fn jira_key_label(key: &str) -> String {
    let safe: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if safe.starts_with("bosun-") {
        safe
    } else {
        format!("bosun-{safe}")
    }
}

/// What the provider holds after a delivery.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Receipt {
    /// The provider's id of the write: a message `ts`, a comment id, the new status.
    pub id: String,
    pub url: Option<String>,
    /// The answer, trimmed to what identifies the write.
    pub detail: Value,
}

/// Whether a failed attempt may have landed anyway (the request went out and the answer was
/// lost, or the provider failed half-way) — so the next attempt must look before it writes —
/// and may be retried.
pub fn retryable(e: &ConnectorError) -> bool {
    match e {
        ConnectorError::Unavailable { .. } | ConnectorError::RateLimited { .. } => true,
        ConnectorError::Http { status, .. } => *status >= 500 || *status == 429,
        _ => false,
    }
}

fn github_marker(key: &str) -> String {
    format!("<!-- bosun-action: {key} -->")
}

/// The text of a GitHub comment carrying `key`.
pub fn github_body(text: &str, key: &str) -> String {
    format!("{text}\n\n{}", github_marker(key))
}

/// Atlassian Document Format for plain text (one paragraph per line).
fn adf(text: &str) -> Value {
    let paragraphs: Vec<Value> = text
        .lines()
        .map(|l| {
            if l.is_empty() {
                json!({"type": "paragraph", "content": []})
            } else {
                json!({"type": "paragraph", "content": [{"type": "text", "text": l}]})
            }
        })
        .collect();
    json!({"type": "doc", "version": 1, "content": paragraphs})
}

fn base(api: &str) -> &str {
    api.trim_end_matches('/')
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

/// A created (or found) ticket: its key, and its page on the site its `self` link names.
fn created_receipt(v: &Value) -> Receipt {
    let key = v["key"].as_str().unwrap_or_default().to_string();
    let url = v["self"]
        .as_str()
        .and_then(|s| {
            s.find("/rest/")
                .map(|i| format!("{}/browse/{key}", &s[..i]))
        })
        .filter(|_| !key.is_empty());
    Receipt {
        id: key,
        url,
        detail: json!({"id": v["id"], "key": v["key"], "self": v["self"]}),
    }
}

async fn get(http: &HttpClient, url: &str) -> Result<Value> {
    match http.get_json::<Value>(url, None).await? {
        Some((v, _)) => Ok(v),
        None => Err(ConnectorError::Malformed {
            url: url.into(),
            detail: "304 Not Modified to an unconditional request".into(),
        }),
    }
}

fn slack_ok(v: &Value, url: &str) -> Result<()> {
    if v.get("ok").and_then(Value::as_bool) == Some(true) {
        return Ok(());
    }
    let error = v
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("unknown_error");
    Err(ConnectorError::Http {
        url: url.into(),
        status: 200,
        message: format!("Slack said {error}"),
    })
}

/// The DM channel with `user` (`conversations.open`).
async fn slack_dm_channel(http: &HttpClient, api: &str, user: &str) -> Result<String> {
    let url = format!("{}/api/conversations.open", base(api));
    let v = http.post_value(&url, &json!({"users": user})).await?;
    slack_ok(&v, &url)?;
    v["channel"]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| ConnectorError::Malformed {
            url,
            detail: "no channel.id in the answer".into(),
        })
}

async fn slack_find(
    http: &HttpClient,
    api: &str,
    channel: &str,
    key: &str,
) -> Result<Option<Receipt>> {
    let mut cursor = String::new();
    // Recent history only: an action is retried within minutes, never weeks later.
    for _ in 0..5 {
        let mut url = format!(
            "{}/api/conversations.history?channel={}&include_all_metadata=true&limit=200",
            base(api),
            enc(channel)
        );
        if !cursor.is_empty() {
            url.push_str(&format!("&cursor={}", enc(&cursor)));
        }
        let v = get(http, &url).await?;
        slack_ok(&v, &url)?;
        for m in v["messages"].as_array().into_iter().flatten() {
            if m["metadata"]["event_type"] == SLACK_EVENT_TYPE
                && m["metadata"]["event_payload"]["idempotency_key"] == key
            {
                return Ok(Some(Receipt {
                    id: m["ts"].as_str().unwrap_or_default().to_string(),
                    url: None,
                    detail: json!({"channel": channel, "ts": m["ts"]}),
                }));
            }
        }
        cursor = v["response_metadata"]["next_cursor"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if cursor.is_empty() {
            break;
        }
    }
    Ok(None)
}

async fn slack_send(
    http: &HttpClient,
    api: &str,
    channel: &str,
    text: &str,
    key: &str,
) -> Result<Receipt> {
    let url = format!("{}/api/chat.postMessage", base(api));
    let body = json!({
        "channel": channel,
        "text": text,
        "unfurl_links": false,
        "metadata": {"event_type": SLACK_EVENT_TYPE, "event_payload": {"idempotency_key": key}},
    });
    let v = http.post_value(&url, &body).await?;
    slack_ok(&v, &url)?;
    Ok(Receipt {
        id: v["ts"].as_str().unwrap_or_default().to_string(),
        url: None,
        detail: json!({"channel": v["channel"], "ts": v["ts"]}),
    })
}

fn comment_receipt(v: &Value) -> Receipt {
    Receipt {
        id: match &v["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
        url: v["html_url"].as_str().map(str::to_string),
        detail: json!({"id": v["id"], "html_url": v["html_url"]}),
    }
}

/// Whether `d`'s write is already at the provider (`api`: the provider's API base).
pub async fn find(
    http: &HttpClient,
    api: &str,
    d: &Outbound,
    key: &str,
) -> Result<Option<Receipt>> {
    match d {
        Outbound::SlackMessage { channel, .. } => slack_find(http, api, channel, key).await,
        Outbound::SlackDm { user, .. } => {
            let channel = slack_dm_channel(http, api, user).await?;
            slack_find(http, api, &channel, key).await
        }
        Outbound::PrComment { repo, number, .. } => {
            let url = format!(
                "{}/repos/{repo}/issues/{number}/comments?per_page=100",
                base(api)
            );
            let marker = github_marker(key);
            let Some((comments, _)) = http.get_all::<Value>(&url, None, |_| true).await? else {
                return Ok(None);
            };
            Ok(comments
                .iter()
                .find(|c| c["body"].as_str().is_some_and(|b| b.contains(&marker)))
                .map(comment_receipt))
        }
        Outbound::ReviewerRequest {
            repo,
            number,
            reviewers,
        } => {
            let url = format!(
                "{}/repos/{repo}/pulls/{number}/requested_reviewers",
                base(api)
            );
            let v = get(http, &url).await?;
            let requested: Vec<&str> = v["users"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|u| u["login"].as_str())
                .collect();
            Ok(reviewers
                .iter()
                .all(|r| requested.contains(&r.as_str()))
                .then(|| Receipt {
                    id: reviewers.join(","),
                    url: None,
                    detail: json!({"requested_reviewers": requested}),
                }))
        }
        Outbound::TicketComment { key: ticket, .. } => {
            let url = format!(
                "{}/rest/api/3/issue/{}/comment?expand=properties&maxResults=5000",
                base(api),
                enc(ticket)
            );
            let v = get(http, &url).await?;
            Ok(v["comments"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| {
                    c["properties"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|p| p["key"] == JIRA_PROPERTY && p["value"]["idempotency_key"] == key)
                })
                .map(|c| Receipt {
                    id: c["id"].as_str().unwrap_or_default().to_string(),
                    url: None,
                    detail: json!({"id": c["id"], "self": c["self"]}),
                }))
        }
        Outbound::TicketCreate { .. } => {
            let jql = format!("labels = \"{}\"", jira_key_label(key));
            let url = format!(
                "{}/rest/api/3/search/jql?jql={}&fields=summary&maxResults=1",
                base(api),
                enc(&jql)
            );
            let v = get(http, &url).await?;
            Ok(v["issues"]
                .as_array()
                .and_then(|a| a.first())
                .map(created_receipt))
        }
        Outbound::TicketTransition {
            key: ticket,
            status,
        } => {
            let url = format!(
                "{}/rest/api/3/issue/{}?fields=status",
                base(api),
                enc(ticket)
            );
            let v = get(http, &url).await?;
            let now = v["fields"]["status"]["name"].as_str().unwrap_or_default();
            Ok(now.eq_ignore_ascii_case(status).then(|| Receipt {
                id: now.to_string(),
                url: None,
                detail: json!({"status": now}),
            }))
        }
    }
}

/// Make the write, carrying `key`.
pub async fn send(http: &HttpClient, api: &str, d: &Outbound, key: &str) -> Result<Receipt> {
    match d {
        Outbound::SlackMessage { channel, text } => slack_send(http, api, channel, text, key).await,
        Outbound::SlackDm { user, text } => slack_send(http, api, user, text, key).await,
        Outbound::PrComment { repo, number, text } => {
            let url = format!("{}/repos/{repo}/issues/{number}/comments", base(api));
            let v = http
                .post_value(&url, &json!({"body": github_body(text, key)}))
                .await?;
            Ok(comment_receipt(&v))
        }
        Outbound::ReviewerRequest {
            repo,
            number,
            reviewers,
        } => {
            let url = format!(
                "{}/repos/{repo}/pulls/{number}/requested_reviewers",
                base(api)
            );
            let v = http
                .post_value(&url, &json!({"reviewers": reviewers}))
                .await?;
            Ok(Receipt {
                id: reviewers.join(","),
                url: v["html_url"].as_str().map(str::to_string),
                detail: json!({"requested_reviewers": v["requested_reviewers"].as_array().map(|a| a.iter().filter_map(|u| u["login"].as_str()).collect::<Vec<_>>())}),
            })
        }
        Outbound::TicketComment { key: ticket, text } => {
            let url = format!("{}/rest/api/3/issue/{}/comment", base(api), enc(ticket));
            let body = json!({
                "body": adf(text),
                "properties": [{"key": JIRA_PROPERTY, "value": {"idempotency_key": key}}],
            });
            let v = http.post_value(&url, &body).await?;
            Ok(Receipt {
                id: v["id"].as_str().unwrap_or_default().to_string(),
                url: None,
                detail: json!({"id": v["id"], "self": v["self"]}),
            })
        }
        Outbound::TicketCreate {
            project,
            summary,
            description,
            assignee,
            labels,
            due,
        } => {
            let url = format!("{}/rest/api/3/issue", base(api));
            let mut all = vec![JIRA_CREATED_LABEL.to_string(), jira_key_label(key)];
            // Jira labels hold no spaces.
            for l in labels
                .iter()
                .map(|l| l.trim().replace(char::is_whitespace, "-"))
            {
                if !l.is_empty() && !all.contains(&l) {
                    all.push(l);
                }
            }
            let mut fields = json!({
                "project": {"key": project},
                "issuetype": {"name": "Task"},
                "summary": summary,
                "description": adf(description),
                "labels": all,
            });
            if let Some(a) = assignee {
                fields["assignee"] = json!({"accountId": a});
            }
            if let Some(d) = due {
                fields["duedate"] = json!(d);
            }
            let v = http.post_value(&url, &json!({"fields": fields})).await?;
            Ok(created_receipt(&v))
        }
        Outbound::TicketTransition {
            key: ticket,
            status,
        } => {
            let url = format!("{}/rest/api/3/issue/{}/transitions", base(api), enc(ticket));
            let v = get(http, &url).await?;
            let id = v["transitions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| {
                    t["to"]["name"]
                        .as_str()
                        .or(t["name"].as_str())
                        .is_some_and(|n| n.eq_ignore_ascii_case(status))
                })
                .and_then(|t| t["id"].as_str())
                .ok_or_else(|| ConnectorError::Http {
                    url: url.clone(),
                    status: 400,
                    message: format!("{ticket} has no transition to {status:?}"),
                })?
                .to_string();
            http.post_value(&url, &json!({"transition": {"id": id}}))
                .await?;
            Ok(Receipt {
                id: status.clone(),
                url: None,
                detail: json!({"transition": id, "status": status}),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_travel_in_the_providers_vocabulary() {
        let b = github_body("Could you take a look?", "act-7");
        assert!(b.ends_with("<!-- bosun-action: act-7 -->"), "{b}");
        let doc = adf("one\n\ntwo");
        assert_eq!(doc["content"].as_array().map(Vec::len), Some(3));
        assert_eq!(enc("TIDE-12"), "TIDE-12");
        assert_eq!(enc("a b/c"), "a%20b%2Fc");
    }

    #[test]
    fn only_ambiguous_failures_are_retried() {
        let http = |status| ConnectorError::Http {
            url: "u".into(),
            status,
            message: String::new(),
        };
        assert!(retryable(&http(502)));
        assert!(retryable(&http(429)));
        assert!(!retryable(&http(422)));
        assert!(!retryable(&ConnectorError::Auth {
            url: "u".into(),
            status: 401
        }));
    }
}
