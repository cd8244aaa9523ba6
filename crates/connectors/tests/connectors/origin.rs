//! Issue 16.2: credentials stay on the source's origin. Pagination followed `Link: rel="next"` to
//! any host with the `Authorization` header; now a next link, a redirect or a request to another
//! origin (here: another port of 127.0.0.1) stops the sync before anything is sent there.

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use bosun_connectors::ConnectorError;
use bosun_connectors::http::{Auth, HttpClient, HttpConfig};
use bosun_core::Sensitive;
use std::sync::{Arc, Mutex};

/// A server on 127.0.0.1 that keeps the `Authorization` header (or "-") of every request and
/// answers each with `respond()`.
struct Server {
    base: String,
    seen: Arc<Mutex<Vec<String>>>,
}

async fn start(
    respond: impl Fn() -> axum::response::Response + Clone + Send + Sync + 'static,
) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = Router::new().fallback(get(move |h: HeaderMap| {
        let log = log.clone();
        let respond = respond.clone();
        async move {
            let auth = h
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-")
                .to_string();
            log.lock().unwrap().push(auth);
            respond()
        }
    }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server { base, seen }
}

impl Server {
    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn client(base: &str) -> HttpClient {
    HttpClient::new(
        "test",
        base,
        Auth::Bearer(Sensitive::new("ghp_secret".to_string())),
        Default::default(),
        HttpConfig {
            max_attempts: 1,
            ..HttpConfig::default()
        },
        Arc::new(bosun_connectors::NullSink),
    )
    .unwrap()
}

#[tokio::test]
async fn next_link_to_another_origin_is_not_followed_with_the_token() {
    let other = start(|| axum::Json(vec![2]).into_response()).await;
    let next = format!("<{}/items?page=2>; rel=\"next\"", other.base);
    let home =
        start(move || ([(header::LINK, next.clone())], axum::Json(vec![1])).into_response()).await;
    let err = client(&home.base)
        .get_all::<i64>(&format!("{}/items", home.base), None, |_| true)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::ForeignOrigin { url, .. } if url.starts_with(&other.base)),
        "{err}"
    );
    assert_eq!(home.seen(), vec!["Bearer ghp_secret".to_string()]);
    assert!(other.seen().is_empty(), "{:?}", other.seen());
}

#[tokio::test]
async fn redirect_to_another_origin_is_not_followed_with_the_token() {
    let other = start(|| axum::Json(vec![2]).into_response()).await;
    let to = format!("{}/items", other.base);
    let home =
        start(move || (StatusCode::FOUND, [(header::LOCATION, to.clone())]).into_response()).await;
    let err = client(&home.base)
        .get_all::<i64>(&format!("{}/items", home.base), None, |_| true)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Http { status: 302, .. }),
        "{err}"
    );
    assert_eq!(home.seen().len(), 1);
    assert!(other.seen().is_empty(), "{:?}", other.seen());
}

#[tokio::test]
async fn a_client_sends_nothing_outside_its_origin() {
    let other = start(|| axum::Json(vec![2]).into_response()).await;
    let home = start(|| axum::Json(vec![1]).into_response()).await;
    let c = client(&home.base);
    let err = c
        .get_json::<Vec<i64>>(&format!("{}/items", other.base), None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::ForeignOrigin { .. }), "{err}");
    let err = c
        .post_value(&format!("{}/items", other.base), &serde_json::json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::ForeignOrigin { .. }), "{err}");
    assert!(other.seen().is_empty(), "{:?}", other.seen());
    // Same origin, another path: fine.
    let (v, _) = c
        .get_json::<Vec<i64>>(&format!("{}/other/path", home.base), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v, vec![1]);
}
