//! HTTP plumbing shared by the fakes: the guard middleware (auth, faults, ETags, rate-limit
//! headers), pagination with `Link` headers, and small response helpers.

use crate::faults::{Faults, Verdict};
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone)]
pub struct Guard {
    pub faults: Arc<Faults>,
    pub token: String,
    pub style: Style,
}

/// How a provider answers bad credentials.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// 401 with a JSON message.
    Http401,
    /// Slack: HTTP 200 with `{"ok": false, "error": "invalid_auth"}`.
    SlackOk,
    /// GitLab: the token in `PRIVATE-TOKEN` too, 401 `{"message": "401 Unauthorized"}`,
    /// `RateLimit-*` headers on every answer, and every rate limit answered 429 with
    /// `Retry-After` and `{"message": "429 Too Many Requests"}`.
    GitLab,
    /// Linear (GraphQL): the bare token in `Authorization` too (personal API keys carry no
    /// `Bearer`), bad credentials and rate limits answered 400 with GraphQL `errors`
    /// (`AUTHENTICATION_ERROR`, `RATELIMITED`, no `Retry-After`), and the
    /// `X-RateLimit-Requests-*` / `X-RateLimit-Complexity-*` headers (resets in epoch
    /// milliseconds) on every answer.
    Linear,
}

/// The complexity points a Linear API key may spend per hour.
const LINEAR_COMPLEXITY_LIMIT: u64 = 3_000_000;

pub fn json_response(status: StatusCode, v: &Value) -> Response {
    // A `Value` always prints (its keys are strings): the compact JSON text, never empty.
    let mut r = (status, v.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

pub fn json(v: &Value) -> Response {
    json_response(StatusCode::OK, v)
}

/// Any serializable value as a 200 JSON answer; a 500 naming the error if it cannot be encoded.
pub fn json_of<T: serde::Serialize>(v: &T) -> Response {
    match serde_json::to_value(v) {
        Ok(v) => json(&v),
        Err(e) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({"message": format!("encoding the answer: {e}")}),
        ),
    }
}

pub fn not_found() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        &json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}),
    )
}

/// Accepts the token as `Bearer T`, `token T` (GitHub), `Token token=T` (PagerDuty) or as the
/// password of `Basic user:T` (Jira Cloud's email + API token).
fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    if let Some(b64) = v.strip_prefix("Basic ") {
        return base64_decode(b64.trim())
            .and_then(|b| String::from_utf8(b).ok())
            .is_some_and(|s| s.split_once(':').is_some_and(|(_, p)| p == token));
    }
    let given = v
        .strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("token "))
        .or_else(|| v.strip_prefix("Token token="))
        .unwrap_or("");
    given == token
}

pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let bytes: Vec<u8> = s.bytes().take_while(|&b| b != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        out.extend_from_slice(
            &[(n >> 16) as u8, (n >> 8) as u8, n as u8][..chunk.len().saturating_sub(1)],
        );
    }
    Some(out)
}

fn etag_of(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let hex: String = d.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// Well-formed JSON of the wrong shape, in place of `bytes`.
fn malformed(bytes: &[u8]) -> Vec<u8> {
    let v = if bytes.first() == Some(&b'[') {
        json!([{"id": "not-a-number", "number": "seven", "user": 42, "created_at": 1, "sha": null}])
    } else {
        json!({"id": "not-a-number", "number": "seven", "state": 7, "check_runs": "none", "created_at": false})
    };
    serde_json::to_vec(&v).unwrap_or_default()
}

/// The bare token in `Authorization: T` (Linear's personal API keys).
fn bare_token(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == token)
}

/// GitLab's `PRIVATE-TOKEN: T` header.
fn private_token(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get("private-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == token)
}

fn rate_headers(style: Style, h: &mut HeaderMap, remaining: u64, reset: u64) {
    let set = |h: &mut HeaderMap, k: &'static str, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    };
    if style == Style::Linear {
        // Linear's resets are epoch milliseconds; the complexity budget follows the requests'.
        let reset_ms = reset.saturating_mul(1000).to_string();
        let complexity = LINEAR_COMPLEXITY_LIMIT * remaining.min(5000) / 5000;
        set(h, "x-ratelimit-requests-limit", "5000".into());
        set(h, "x-ratelimit-requests-remaining", remaining.to_string());
        set(h, "x-ratelimit-requests-reset", reset_ms.clone());
        set(
            h,
            "x-ratelimit-complexity-limit",
            LINEAR_COMPLEXITY_LIMIT.to_string(),
        );
        set(
            h,
            "x-ratelimit-complexity-remaining",
            complexity.to_string(),
        );
        set(h, "x-ratelimit-complexity-reset", reset_ms);
        // The handler sets the query's own complexity; a refused request costs nothing.
        if !h.contains_key("x-complexity") {
            set(h, "x-complexity", "0".into());
        }
        return;
    }
    if style == Style::GitLab {
        set(h, "ratelimit-limit", "5000".into());
        set(
            h,
            "ratelimit-observed",
            (5000 - remaining.min(5000)).to_string(),
        );
        set(h, "ratelimit-remaining", remaining.to_string());
        set(h, "ratelimit-reset", reset.to_string());
        return;
    }
    set(h, "x-ratelimit-limit", "5000".into());
    set(h, "x-ratelimit-remaining", remaining.to_string());
    set(
        h,
        "x-ratelimit-used",
        (5000 - remaining.min(5000)).to_string(),
    );
    set(h, "x-ratelimit-reset", reset.to_string());
    set(h, "x-ratelimit-resource", "core".into());
}

/// Auth, faults, conditional requests and rate-limit headers around every provider route.
pub async fn guard(State(g): State<Guard>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| req.uri().path().to_string(), |m| m.as_str().to_string());
    let path = req.uri().path().to_string();
    let response = guarded(&g, &path, req, next).await;
    g.faults.record(&route, response.status().as_u16());
    response
}

/// GitLab's answer to a rate-limited request: 429, `Retry-After`, its message.
fn gitlab_limited(retry_after: Option<u64>, remaining: u64, reset: u64) -> Response {
    let mut r = json_response(
        StatusCode::TOO_MANY_REQUESTS,
        &json!({"message": "429 Too Many Requests"}),
    );
    if let Some(secs) = retry_after {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    rate_headers(Style::GitLab, r.headers_mut(), remaining, reset);
    r
}

/// Linear's answer to a rate-limited request: 400 `RATELIMITED`, no requests left until `reset`
/// (unix seconds), no `Retry-After`.
fn linear_limited(reset: u64) -> Response {
    let mut r = json_response(
        StatusCode::BAD_REQUEST,
        &json!({"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]}),
    );
    rate_headers(Style::Linear, r.headers_mut(), 0, reset);
    r
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

async fn guarded(g: &Guard, path: &str, req: Request, next: Next) -> Response {
    let gitlab = g.style == Style::GitLab;
    let linear = g.style == Style::Linear;
    let known = authorized(req.headers(), &g.token)
        || (gitlab && private_token(req.headers(), &g.token))
        || (linear && bare_token(req.headers(), &g.token));
    if !known {
        return match g.style {
            Style::SlackOk => json(&json!({"ok": false, "error": "invalid_auth"})),
            Style::Http401 => json_response(
                StatusCode::UNAUTHORIZED,
                &json!({"message": "Bad credentials", "errorMessages": ["You are not authenticated."], "status": "401"}),
            ),
            Style::GitLab => {
                let mut r = json_response(
                    StatusCode::UNAUTHORIZED,
                    &json!({"message": "401 Unauthorized"}),
                );
                let (remaining, reset) = g.faults.rate_window();
                rate_headers(g.style, r.headers_mut(), remaining, reset);
                r
            }
            Style::Linear => {
                let mut r = json_response(
                    StatusCode::BAD_REQUEST,
                    &json!({"errors": [{
                        "message": "Authentication required, not authenticated",
                        "extensions": {
                            "type": "authentication error",
                            "code": "AUTHENTICATION_ERROR",
                            "userPresentableMessage": "You need to authenticate to access this operation."
                        }
                    }]}),
                );
                let (remaining, reset) = g.faults.rate_window();
                rate_headers(g.style, r.headers_mut(), remaining, reset);
                r
            }
        };
    }
    if let Some(ms) = g.faults.delay_ms(path) {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    let (remaining, reset) = g.faults.rate_window();
    match g.faults.decide(path) {
        Verdict::PrimaryLimited { reset } if gitlab => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            gitlab_limited(Some(reset.saturating_sub(now).max(1)), 0, reset)
        }
        Verdict::SecondaryLimited { retry_after, .. } if gitlab => {
            gitlab_limited(retry_after, remaining, reset)
        }
        Verdict::PrimaryLimited { reset } if linear => linear_limited(reset),
        Verdict::SecondaryLimited { retry_after, .. } if linear => {
            // Linear names no `Retry-After`: the wait is in the reset header, even for a limit
            // configured without one.
            let secs = retry_after
                .or_else(|| {
                    g.faults
                        .config()
                        .secondary_rate_limit
                        .map(|s| s.retry_after_secs)
                })
                .unwrap_or(60);
            linear_limited(now_secs() + secs)
        }
        Verdict::PrimaryLimited { reset } => {
            let mut r = json_response(
                StatusCode::FORBIDDEN,
                &json!({
                    "message": "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.",
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
                    "status": "403"
                }),
            );
            rate_headers(g.style, r.headers_mut(), 0, reset);
            r
        }
        Verdict::SecondaryLimited {
            status,
            retry_after,
        } => {
            let message = match retry_after {
                Some(_) => {
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
                }
                None => {
                    "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again."
                }
            };
            let mut r = json_response(
                StatusCode::from_u16(status).unwrap_or(StatusCode::TOO_MANY_REQUESTS),
                &json!({
                    "message": message,
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
                    "status": status.to_string()
                }),
            );
            if let Some(secs) = retry_after {
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            rate_headers(g.style, r.headers_mut(), remaining, reset);
            r
        }
        Verdict::ServerError { status } => {
            let mut r = (
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
                "<html><body><h1>Server Error</h1></body></html>",
            )
                .into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            if linear {
                rate_headers(g.style, r.headers_mut(), remaining, reset);
            }
            r
        }
        Verdict::Serve {
            truncate,
            malformed: bad_shape,
        } => {
            let if_none_match = req
                .headers()
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let resp = next.run(req).await;
            let (mut parts, body) = resp.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, 256 * 1024 * 1024).await else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            rate_headers(g.style, &mut parts.headers, remaining, reset);
            if parts.status != StatusCode::OK {
                return Response::from_parts(parts, Body::from(bytes));
            }
            let etag = etag_of(&bytes);
            if let Ok(v) = HeaderValue::from_str(&etag) {
                parts.headers.insert(header::ETAG, v);
            }
            if if_none_match.as_deref() == Some(etag.as_str()) {
                parts.status = StatusCode::NOT_MODIFIED;
                parts.headers.remove(header::CONTENT_TYPE);
                parts.headers.remove(header::CONTENT_LENGTH);
                return Response::from_parts(parts, Body::empty());
            }
            let out = if bad_shape {
                malformed(&bytes)
            } else if truncate {
                bytes[..bytes.len() / 2].to_vec()
            } else {
                bytes.to_vec()
            };
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(out))
        }
    }
}

/// `page` / `per_page` query parameters, GitHub style (per_page default 30, max 100).
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: usize,
    pub per_page: usize,
}

impl Page {
    /// The index of this page's first item (saturating: `page=99999999999` is an empty page,
    /// not an overflow).
    pub fn start(self) -> usize {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

pub fn page_of(q: &HashMap<String, String>) -> Page {
    let page = q
        .get("page")
        .and_then(|v| v.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let per_page = q
        .get("per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(30usize)
        .clamp(1, 100);
    Page { page, per_page }
}

/// The absolute base URL a request was made to (from its Host header).
pub fn base_of(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// Serve one page of `items` with a GitHub `Link` header (first/prev/next/last).
pub fn paginate(
    base: &str,
    path: &str,
    q: &HashMap<String, String>,
    items: Vec<Value>,
    page: Page,
) -> Response {
    paginate_wrapped(base, path, q, items, page, None)
}

/// Like [`paginate`], but wrap the page as `{total_count, <key>: [...]}` (check runs).
pub fn paginate_wrapped(
    base: &str,
    path: &str,
    q: &HashMap<String, String>,
    items: Vec<Value>,
    page: Page,
    key: Option<&str>,
) -> Response {
    let total = items.len();
    let slice: Vec<Value> = items
        .into_iter()
        .skip(page.start())
        .take(page.per_page)
        .collect();
    page_response(base, path, q, total, slice, page, key)
}

/// One page already cut from a listing of `total` items: the body (wrapped under `key` when
/// given) and its `Link` header. For listings that render only the page asked for.
pub fn page_response(
    base: &str,
    path: &str,
    q: &HashMap<String, String>,
    total: usize,
    slice: Vec<Value>,
    page: Page,
    key: Option<&str>,
) -> Response {
    let last = total.div_ceil(page.per_page).max(1);
    let body = match key {
        Some(k) => json!({ "total_count": total, k: slice }),
        None => Value::Array(slice),
    };
    let mut r = json(&body);
    let link_for = |p: usize| {
        let mut pairs: Vec<(String, String)> = q
            .iter()
            .filter(|(k, _)| k.as_str() != "page")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        pairs.sort();
        pairs.push(("page".into(), p.to_string()));
        let qs = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        format!("{base}{path}?{qs}")
    };
    let mut links = Vec::new();
    if page.page < last {
        links.push(format!("<{}>; rel=\"next\"", link_for(page.page + 1)));
        links.push(format!("<{}>; rel=\"last\"", link_for(last)));
    }
    if page.page > 1 {
        links.push(format!("<{}>; rel=\"first\"", link_for(1)));
        links.push(format!("<{}>; rel=\"prev\"", link_for(page.page - 1)));
    }
    if !links.is_empty()
        && let Ok(v) = HeaderValue::from_str(&links.join(", "))
    {
        r.headers_mut().insert(header::LINK, v);
    }
    r
}

/// Percent-encode a query value.
pub fn encode(s: &str) -> String {
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

/// Standard base64 with line breaks every 60 characters, as GitHub's contents API sends it.
pub fn base64_wrapped(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s.as_bytes()
        .chunks(60)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let plain = |s: &str| base64_wrapped(s.as_bytes()).replace('\n', "");
        assert_eq!(plain(""), "");
        assert_eq!(plain("f"), "Zg==");
        assert_eq!(plain("fo"), "Zm8=");
        assert_eq!(plain("foo"), "Zm9v");
        assert_eq!(plain("foobar"), "Zm9vYmFy");
    }
}
