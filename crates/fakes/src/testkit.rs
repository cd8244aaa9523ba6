//! What the fakes' own tests share.

use bosun_core::time::parse_user_time;
use bosun_demo::{GenOptions, Org, World, generate};
use serde_json::Value;
use std::sync::{Arc, OnceLock};

/// The demo world, two months of it, generated once for all the tests.
pub fn demo() -> Arc<World> {
    static W: OnceLock<Arc<World>> = OnceLock::new();
    W.get_or_init(|| {
        let as_of = parse_user_time("2026-11-20T09:00:00Z").unwrap();
        Arc::new(generate(
            &Org::bundled().unwrap(),
            &GenOptions {
                months: 2,
                ..GenOptions::new(as_of)
            },
        ))
    })
    .clone()
}

/// An answer of a fake: status, headers, text and the text as JSON (`Null` when it is not).
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `rel="next"` URL of the `Link` header.
    pub fn next(&self) -> Option<String> {
        self.header("link")?.split(", ").find_map(|part| {
            let (url, rel) = part.split_once("; ")?;
            (rel == "rel=\"next\"").then(|| {
                url.trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
        })
    }
}

/// Send a request and read the whole answer.
pub async fn send(req: reqwest::RequestBuilder) -> Answer {
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        text,
        body,
    }
}
