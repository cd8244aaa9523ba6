//! An HTTP client for provider APIs: bounded concurrency, conditional requests, `Link`
//! pagination, primary and secondary rate limits honoured, 5xx / timeouts / dropped connections
//! retried with exponential backoff and jitter, and clear errors for everything else.
//!
//! A client is bound to its source's origin (scheme, host and port of the API base): it sends no
//! request, and so no credentials, anywhere else. A `Link: rel="next"` or a redirect to another
//! origin stops the sync with [`ConnectorError::ForeignOrigin`] instead of being followed.

use crate::events::{Event, EventSink};
use crate::{ConnectorError, Result};
use bosun_core::{Rng, Sensitive};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Per-request timeout.
    pub timeout: Duration,
    /// Attempts for a transiently failing request (5xx, timeout, connection error).
    pub max_attempts: u32,
    /// First backoff; doubles each attempt, with ±50% jitter, capped at 30 s.
    pub base_backoff: Duration,
    /// The longest a rate limit may make us wait before the sync fails instead.
    pub max_rate_wait: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// The first wait after a secondary rate limit that gives no `Retry-After` (GitHub: "wait at
    /// least one minute"); it doubles with each such limit in a row.
    pub secondary_wait: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Duration::from_secs(30),
            max_attempts: 5,
            base_backoff: Duration::from_millis(250),
            max_rate_wait: Duration::from_secs(15 * 60),
            concurrency: 8,
            secondary_wait: Duration::from_secs(60),
        }
    }
}

/// The result of a GET.
#[derive(Debug)]
pub enum Fetched {
    /// `304 Not Modified`: the stored copy is current.
    NotModified,
    Ok(Response),
}

#[derive(Debug, Default)]
pub struct Response {
    pub url: String,
    pub body: Vec<u8>,
    pub etag: Option<String>,
    /// The `rel="next"` page, when paginated.
    pub next: Option<String>,
    /// The response's headers (a token's scopes and rate limit are read from them).
    pub headers: HeaderMap,
    /// The `rel="last"` page, when paginated and not on it.
    pub last: Option<String>,
}

impl Response {
    /// Decode the body; a decoding failure names the URL and the JSON path that broke.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| ConnectorError::Malformed {
            url: self.url.clone(),
            detail: if e.is_eof() {
                format!(
                    "the response ended early (truncated JSON, {} bytes)",
                    self.body.len()
                )
            } else {
                e.to_string()
            },
        })
    }
}

/// How credentials are sent.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `Authorization: Bearer <token>` (GitHub, Slack, Jira Data Center personal tokens).
    Bearer(Sensitive<String>),
    /// `Authorization: Basic base64(user:token)` (Jira Cloud: account email + API token).
    Basic {
        user: String,
        token: Sensitive<String>,
    },
    /// `Authorization: Token token=<token>` (PagerDuty).
    PagerDuty(Sensitive<String>),
    /// `Authorization: <token>`, the key alone (Linear's personal API keys).
    Raw(Sensitive<String>),
    None,
}

pub struct HttpClient {
    client: reqwest::Client,
    /// The only origin requests (and credentials) go to.
    origin: reqwest::Url,
    auth: Auth,
    extra_headers: HeaderMap,
    cfg: HttpConfig,
    permits: Arc<Semaphore>,
    jitter: Mutex<Rng>,
    source: String,
    sink: Arc<dyn EventSink>,
    pub requests: AtomicU64,
    pub not_modified: AtomicU64,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

enum Attempt {
    Done(Fetched),
    /// Retry after this long, counting an attempt.
    Transient(String),
    /// Wait this long (a rate limit), not counting an attempt.
    Wait(Duration, &'static str),
    /// A secondary rate limit that names no time: wait [`HttpConfig::secondary_wait`], doubling
    /// with each one in a row, not counting an attempt.
    Secondary,
}

/// A 403 body that is a secondary rate limit: today's wording ("You have exceeded a secondary rate
/// limit") and the older one ("You have triggered an abuse detection mechanism").
fn is_secondary_limit(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("rate limit") || m.contains("abuse detection")
}

/// The origin (`scheme://host:port`) of a URL, or None when it has none (not http(s)).
pub fn origin_of(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.origin().ascii_serialization())
}

impl HttpClient {
    /// A client for `source`, whose requests and credentials go only to the origin of `base`
    /// (the source's API base URL).
    pub fn new(
        source: &str,
        base: &str,
        auth: Auth,
        extra_headers: HeaderMap,
        cfg: HttpConfig,
        sink: Arc<dyn EventSink>,
    ) -> Result<HttpClient> {
        let origin = reqwest::Url::parse(base)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                ConnectorError::Config(format!(
                    "source {source}: the base URL {base:?} is not an http(s) URL"
                ))
            })?;
        // Redirects are followed only within the origin (reqwest would follow them anywhere).
        let redirects = reqwest::redirect::Policy::custom(|attempt| {
            let same = attempt
                .previous()
                .first()
                .is_some_and(|first| first.origin() == attempt.url().origin());
            if same && attempt.previous().len() < 10 {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let client = reqwest::Client::builder()
            .redirect(redirects)
            .timeout(cfg.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("bosun/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConnectorError::Config(format!("HTTP client: {e}")))?;
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Ok(HttpClient {
            client,
            origin,
            auth,
            extra_headers,
            permits: Arc::new(Semaphore::new(cfg.concurrency.max(1))),
            cfg,
            jitter: Mutex::new(Rng::seed(seed)),
            source: source.to_string(),
            sink,
            requests: AtomicU64::new(0),
            not_modified: AtomicU64::new(0),
        })
    }

    /// Refuse a URL outside the client's origin (before anything is sent).
    fn check_origin(&self, url: &str) -> Result<()> {
        match reqwest::Url::parse(url) {
            Ok(u) if u.origin() == self.origin.origin() => Ok(()),
            _ => Err(ConnectorError::ForeignOrigin {
                url: url.into(),
                origin: self.origin.origin().ascii_serialization(),
            }),
        }
    }

    fn jitter(&self) -> f64 {
        self.jitter.lock().unwrap_or_else(|e| e.into_inner()).f64()
    }

    /// GET `url`, conditionally when `etag` is given.
    pub async fn get(&self, url: &str, etag: Option<&str>) -> Result<Fetched> {
        self.send(url, Method::Get(etag)).await
    }

    /// POST a read-only query (GraphQL) to `url`, retried, rate-limited and failing like a GET:
    /// the query changes nothing, so sending it again is safe.
    pub async fn query(&self, url: &str, body: &serde_json::Value) -> Result<Response> {
        match self.send(url, Method::Query(body)).await? {
            Fetched::Ok(r) => Ok(r),
            Fetched::NotModified => Err(ConnectorError::Malformed {
                url: url.into(),
                detail: "304 Not Modified to a POST".into(),
            }),
        }
    }

    async fn send(&self, url: &str, method: Method<'_>) -> Result<Fetched> {
        let mut attempts = 0u32;
        let mut waits = 0u32;
        let mut secondary = 0u32;
        loop {
            attempts += 1;
            let outcome = {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .map_err(|_| ConnectorError::Cancelled)?;
                self.attempt(url, method).await?
            };
            let (wait, why) = match outcome {
                Attempt::Done(f) => return Ok(f),
                Attempt::Wait(d, why) => (d, why),
                Attempt::Secondary => {
                    // No time named: at least the configured wait, doubling with each in a row.
                    let d = self.cfg.secondary_wait * 2u32.pow(secondary.min(10));
                    secondary += 1;
                    if d > self.cfg.max_rate_wait {
                        return Err(ConnectorError::RateLimited {
                            url: url.into(),
                            until: now_secs() + d.as_secs(),
                            max_wait_secs: self.cfg.max_rate_wait.as_secs(),
                        });
                    }
                    (d + self.small_jitter(), "rate limited (secondary)")
                }
                Attempt::Transient(reason) => {
                    if attempts >= self.cfg.max_attempts {
                        return Err(ConnectorError::Unavailable {
                            url: url.into(),
                            attempts,
                            last: reason,
                        });
                    }
                    let exp = self.cfg.base_backoff.as_secs_f64() * 2f64.powi(attempts as i32 - 1);
                    let delay = Duration::from_secs_f64((exp * (0.5 + self.jitter())).min(30.0));
                    self.sink.emit(Event::Retrying {
                        source: self.source.clone(),
                        url: url.into(),
                        attempt: attempts,
                        reason,
                    });
                    tokio::time::sleep(delay).await;
                    continue;
                }
            };
            attempts -= 1;
            waits += 1;
            if waits > 20 {
                return Err(ConnectorError::Unavailable {
                    url: url.into(),
                    attempts: waits,
                    last: format!("still {why} after 20 waits"),
                });
            }
            self.sink.emit(Event::RateLimited {
                source: self.source.clone(),
                url: url.into(),
                wait_secs: wait.as_secs(),
            });
            tokio::time::sleep(wait).await;
        }
    }

    fn authorize(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.auth {
            Auth::Bearer(token) => req.bearer_auth(token.expose()),
            Auth::Basic { user, token } => req.basic_auth(user, Some(token.expose())),
            Auth::PagerDuty(token) => req.header(
                header::AUTHORIZATION,
                format!("Token token={}", token.expose()),
            ),
            Auth::Raw(token) => req.header(header::AUTHORIZATION, token.expose().as_str()),
            Auth::None => req,
        }
    }

    async fn attempt(&self, url: &str, method: Method<'_>) -> Result<Attempt> {
        self.check_origin(url)?;
        let mut req = match method {
            Method::Get(_) => self.client.get(url),
            Method::Query(body) => self.client.post(url).json(body),
        };
        req = self.authorize(req.headers(self.extra_headers.clone()));
        if let Method::Get(Some(e)) = method {
            req = req.header(header::IF_NONE_MATCH, e);
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Ok(Attempt::Transient("timed out".into())),
            Err(e) if e.is_connect() || e.is_request() || e.is_body() => {
                return Ok(Attempt::Transient(format!("connection failed: {e}")));
            }
            Err(e) => {
                return Err(ConnectorError::Unavailable {
                    url: url.into(),
                    attempts: 1,
                    last: e.to_string(),
                });
            }
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        if status == StatusCode::NOT_MODIFIED {
            self.not_modified.fetch_add(1, Ordering::Relaxed);
            return Ok(Attempt::Done(Fetched::NotModified));
        }
        if status.is_success() {
            let next = next_link(&headers);
            let last = headers
                .get(header::LINK)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| parse_rel(l, "last"));
            if let Some(n) = &next {
                // Checked here, not when it is fetched: the sync stops at this page, loudly.
                self.check_origin(n)?;
            }
            let body = match resp.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) => return Ok(Attempt::Transient(format!("reading the body failed: {e}"))),
            };
            return Ok(Attempt::Done(Fetched::Ok(Response {
                url: url.to_string(),
                body,
                etag: headers
                    .get(header::ETAG)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                next,
                headers,
                last,
            })));
        }
        let body = resp.text().await.unwrap_or_default();
        let parsed = serde_json::from_str::<serde_json::Value>(&body).ok();
        let message = parsed
            .as_ref()
            .and_then(|v| {
                v.get("message")
                    .or_else(|| v.pointer("/errors/0/message"))
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| body.chars().take(200).collect());
        // GraphQL APIs (Linear) answer 400 with a code for auth errors and rate limits.
        let graphql_code = parsed
            .as_ref()
            .and_then(|v| v.pointer("/errors/0/extensions/code"))
            .and_then(|c| c.as_str());
        match graphql_code {
            Some("AUTHENTICATION_ERROR") => {
                return Err(ConnectorError::Auth {
                    url: url.into(),
                    status: status.as_u16(),
                });
            }
            Some("RATELIMITED") => {
                let reset_ms = header_u64(&headers, "x-ratelimit-requests-reset")
                    .into_iter()
                    .chain(header_u64(&headers, "x-ratelimit-complexity-reset"))
                    .max();
                let now_ms = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64);
                let wait = match reset_ms {
                    Some(ms) => ms.saturating_sub(now_ms).div_ceil(1000).max(1),
                    None => self.cfg.secondary_wait.as_secs(),
                };
                return self.wait_for(
                    url,
                    Duration::from_secs(wait) + self.small_jitter(),
                    "rate limited (reset)",
                );
            }
            _ => {}
        }
        match status {
            StatusCode::UNAUTHORIZED => Err(ConnectorError::Auth {
                url: url.into(),
                status: status.as_u16(),
            }),
            StatusCode::NOT_FOUND => Err(ConnectorError::NotFound { url: url.into() }),
            StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS => {
                if let Some(secs) = header_u64(&headers, header::RETRY_AFTER.as_str()) {
                    return self.wait_for(
                        url,
                        Duration::from_secs(secs) + self.small_jitter(),
                        "rate limited (Retry-After)",
                    );
                }
                // GitHub's `X-RateLimit-*`, GitLab's `RateLimit-*`.
                let remaining = header_u64(&headers, "x-ratelimit-remaining")
                    .or_else(|| header_u64(&headers, "ratelimit-remaining"));
                if remaining == Some(0) {
                    let reset = header_u64(&headers, "x-ratelimit-reset")
                        .or_else(|| header_u64(&headers, "ratelimit-reset"))
                        .unwrap_or_else(|| now_secs() + 60);
                    let wait = reset.saturating_sub(now_secs()) + 1;
                    if Duration::from_secs(wait) > self.cfg.max_rate_wait {
                        return Err(ConnectorError::RateLimited {
                            url: url.into(),
                            until: reset,
                            max_wait_secs: self.cfg.max_rate_wait.as_secs(),
                        });
                    }
                    return self.wait_for(
                        url,
                        Duration::from_secs(wait) + self.small_jitter(),
                        "rate limited (reset)",
                    );
                }
                if status == StatusCode::TOO_MANY_REQUESTS || is_secondary_limit(&message) {
                    // A secondary limit without Retry-After: GitHub asks for at least a minute,
                    // and longer each time it repeats.
                    return Ok(Attempt::Secondary);
                }
                Err(ConnectorError::Http {
                    url: url.into(),
                    status: status.as_u16(),
                    message,
                })
            }
            s if s.is_server_error() => Ok(Attempt::Transient(format!("HTTP {}", s.as_u16()))),
            s => Err(ConnectorError::Http {
                url: url.into(),
                status: s.as_u16(),
                message,
            }),
        }
    }

    fn small_jitter(&self) -> Duration {
        Duration::from_millis((self.jitter() * 250.0) as u64)
    }

    fn wait_for(&self, url: &str, d: Duration, why: &'static str) -> Result<Attempt> {
        if d > self.cfg.max_rate_wait {
            return Err(ConnectorError::RateLimited {
                url: url.into(),
                until: now_secs() + d.as_secs(),
                max_wait_secs: self.cfg.max_rate_wait.as_secs(),
            });
        }
        Ok(Attempt::Wait(d, why))
    }

    /// GET and decode; `None` on `304`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        etag: Option<&str>,
    ) -> Result<Option<(T, Response)>> {
        match self.get(url, etag).await? {
            Fetched::NotModified => Ok(None),
            Fetched::Ok(r) => Ok(Some((r.json()?, r))),
        }
    }

    /// Every page of a paginated list, following `Link: rel="next"`. `first_etag` makes the first
    /// page conditional: `None` is returned when it is unchanged. `keep_going` sees each decoded
    /// page and returns false to stop early.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        url: &str,
        first_etag: Option<&str>,
        mut keep_going: impl FnMut(&[T]) -> bool,
    ) -> Result<Option<(Vec<T>, Vec<Response>)>> {
        let mut items = Vec::new();
        let mut pages = Vec::new();
        let mut next = Some(url.to_string());
        let mut first = true;
        while let Some(u) = next.take() {
            let etag = if first { first_etag } else { None };
            let Some((page, resp)) = self.get_json::<Vec<T>>(&u, etag).await? else {
                return Ok(None);
            };
            first = false;
            let go = keep_going(&page);
            next = if go { resp.next.clone() } else { None };
            items.extend(page);
            pages.push(resp);
        }
        Ok(Some((items, pages)))
    }

    /// POST a JSON body (no retries: the caller owns idempotency) and decode the JSON answer.
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<T> {
        self.post_raw(url, body).await?.json()
    }

    /// POST a JSON body (no retries) and return the answer as JSON, `Null` when it has no body
    /// (`204 No Content`).
    pub async fn post_value(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value> {
        let resp = self.post_raw(url, body).await?;
        if resp.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        resp.json()
    }

    async fn post_raw(&self, url: &str, body: &serde_json::Value) -> Result<Response> {
        self.check_origin(url)?;
        let req = self.authorize(
            self.client
                .post(url)
                .headers(self.extra_headers.clone())
                .json(body),
        );
        self.requests.fetch_add(1, Ordering::Relaxed);
        let resp = req.send().await.map_err(|e| ConnectorError::Unavailable {
            url: url.into(),
            attempts: 1,
            last: e.to_string(),
        })?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| ConnectorError::Unavailable {
                url: url.into(),
                attempts: 1,
                last: e.to_string(),
            })?;
        if status == StatusCode::UNAUTHORIZED {
            return Err(ConnectorError::Auth {
                url: url.into(),
                status: status.as_u16(),
            });
        }
        if !status.is_success() {
            return Err(ConnectorError::Http {
                url: url.into(),
                status: status.as_u16(),
                message: String::from_utf8_lossy(&body).chars().take(200).collect(),
            });
        }
        Ok(Response {
            url: url.to_string(),
            body: body.to_vec(),
            etag: None,
            next: None,
            headers: HeaderMap::new(),
            last: None,
        })
    }

    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}

/// What a request does: a (conditional) GET, or a read-only query POSTed as JSON.
#[derive(Clone, Copy)]
enum Method<'a> {
    Get(Option<&'a str>),
    Query(&'a serde_json::Value),
}

fn header_u64(h: &HeaderMap, name: &str) -> Option<u64> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse().ok())
}

/// The `rel="next"` target of a `Link` header.
pub fn next_link(h: &HeaderMap) -> Option<String> {
    let link = h.get(header::LINK)?.to_str().ok()?;
    parse_next(link)
}

pub fn parse_next(link: &str) -> Option<String> {
    parse_rel(link, "next")
}

/// The target of a `Link` header's `rel` (`next`, `last`, ...).
pub fn parse_rel(link: &str, rel: &str) -> Option<String> {
    let wanted = format!("rel=\"{rel}\"");
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == wanted)
            .then(|| {
                target
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

/// Headers GitHub asks clients to send.
pub fn github_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        header::ACCEPT,
        HeaderValue::from_static("application/vnd.github+json"),
    );
    h.insert(
        "x-github-api-version",
        HeaderValue::from_static("2022-11-28"),
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_github_link_headers() {
        let l = r#"<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", <https://api.github.com/repositories/1300192/issues?page=4>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last""#;
        assert_eq!(
            parse_next(l).as_deref(),
            Some("https://api.github.com/repositories/1300192/issues?page=4")
        );
        assert_eq!(parse_next(r#"<https://x/y?page=1>; rel="first""#), None);
        assert_eq!(
            parse_rel(l, "last").as_deref(),
            Some("https://api.github.com/repositories/1300192/issues?page=515")
        );
    }
}
