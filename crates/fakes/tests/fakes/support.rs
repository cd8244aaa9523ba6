use bosun_demo::{GenOptions, Org, RealWorld, World, generate};
use bosun_fakes::{DEMO_TOKEN, RunningFake, ServeOptions, start_github};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::sync::{Arc, OnceLock};

/// Extra pull requests of the real-world shape's big repository in these tests.
pub const BIG_REPO_PULLS: usize = 450;

/// The demo world, two months of it.
pub fn demo() -> Arc<World> {
    static W: OnceLock<Arc<World>> = OnceLock::new();
    W.get_or_init(|| {
        let as_of = bosun_core::time::parse_user_time("2026-11-20T09:00:00Z").unwrap();
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

/// The same world in the real-world shape.
pub fn shaped() -> Arc<World> {
    static W: OnceLock<Arc<World>> = OnceLock::new();
    W.get_or_init(|| {
        Arc::new((*demo()).clone().real_world_shaped(RealWorld {
            big_repo_pulls: BIG_REPO_PULLS,
        }))
    })
    .clone()
}

pub async fn serve(world: Arc<World>, scopes: &str) -> RunningFake {
    let opts = ServeOptions {
        github_scopes: scopes.to_string(),
        ..Default::default()
    };
    start_github(world, &opts).await.unwrap()
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `rel="next"` URL of the `Link` header.
    pub fn next(&self) -> Option<String> {
        let link = self.header("link")?;
        link.split(',').find_map(|part| {
            let (url, rel) = part.split_once(';')?;
            rel.contains("rel=\"next\"").then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
        })
    }
}

/// `GET base + path` with the demo token, as a client of GitHub sends it.
pub async fn get(fake: &RunningFake, path: &str) -> Answer {
    get_url(&format!("{}{path}", fake.base_url)).await
}

pub async fn get_url(url: &str) -> Answer {
    let resp = reqwest::Client::new()
        .get(url)
        .header("authorization", format!("token {DEMO_TOKEN}"))
        .header("accept", "application/vnd.github+json")
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

/// Every item of a list, following `Link: rel="next"`; also how many pages it took.
pub async fn all_pages(fake: &RunningFake, path: &str) -> (Vec<Value>, usize) {
    let mut url = Some(format!("{}{path}", fake.base_url));
    let (mut items, mut pages) = (Vec::new(), 0);
    while let Some(u) = url.take() {
        let a = get_url(&u).await;
        assert_eq!(a.status, StatusCode::OK, "{u}: {}", a.body);
        items.extend(a.body.as_array().unwrap().iter().cloned());
        pages += 1;
        url = a.next();
    }
    (items, pages)
}

pub fn strings(items: &[Value], key: &str) -> Vec<String> {
    items
        .iter()
        .map(|v| v[key].as_str().unwrap().to_string())
        .collect()
}
