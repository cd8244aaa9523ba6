//! `bosun serve`'s guard: the launch token, the Host and Origin checks, the CSP, and the API
//! behind them.

use bosun_api::{Api, StartOptions};
use bosun_app::Paths;
use bosun_core::FixedClock;
use bosun_server::{CSP, ServeOptions, serve};
use std::sync::Arc;

async fn server() -> (bosun_server::Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(ui.join("assets")).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html><title>Bosun</title>").unwrap();
    std::fs::write(ui.join("assets/app.js"), "console.log(1)").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "not for you").unwrap();
    let clock = Arc::new(FixedClock(
        chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00Z")
            .unwrap()
            .to_utc(),
    ));
    let api = Api::new(
        Paths::in_dir(&dir.path().join("data")),
        clock,
        &StartOptions::default(),
    )
    .unwrap();
    api.start(StartOptions::default()).await;
    let running = serve(
        api,
        ServeOptions {
            port: 0,
            ui_dir: ui,
        },
    )
    .await
    .unwrap();
    (running, dir)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_need_the_token_and_our_own_host_and_origin() {
    let (s, _dir) = server().await;
    assert!(s.url.starts_with("http://127.0.0.1:"), "{}", s.url);
    assert!(s.addr.ip().is_loopback());
    let base = format!("http://127.0.0.1:{}", s.addr.port());
    let c = client();
    let call = format!("{base}/api/call/app_info");

    // No token: refused, with a typed error.
    let r = c.post(&call).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");
    // A wrong token: refused.
    let r = c
        .post(&call)
        .bearer_auth("0".repeat(48))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The right token: answered, with the CSP.
    let r = c.post(&call).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-security-policy"], CSP);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["phase"]["state"], "ready");
    // A foreign Host (DNS rebinding) and a foreign Origin (another site): refused even with it.
    let r = c
        .post(&call)
        .bearer_auth(&s.token)
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .post(&call)
        .bearer_auth(&s.token)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .post(&call)
        .bearer_auth(&s.token)
        .header("origin", format!("http://localhost:{}", s.addr.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // The printed URL trades the token for a strict, HTTP-only cookie and drops it from the URL.
    let r = c.get(&s.url).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let pair = cookie.split(';').next().unwrap();
    let r = c
        .get(format!("{base}/"))
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("<title>Bosun</title>"));
    let r = c
        .get(format!("{base}/assets/app.js"))
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    // Paths out of the UI folder fall back to the app, never to the file.
    let r = c
        .get(format!("{base}/../secret.txt"))
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert!(!r.text().await.unwrap().contains("not for you"));
    let r = c.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(r.status(), 401, "the UI itself needs the token too");

    // Endpoint errors keep their code and map to HTTP statuses.
    let r = c
        .post(format!("{base}/api/call/nope"))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = c
        .post(format!("{base}/api/call/delivery"))
        .bearer_auth(&s.token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "invalid_input"
    );
    // Events: long-polling returns what happened after `after` (start-up's phase changes).
    let r = c
        .get(format!("{base}/api/events?after=0&wait_ms=10"))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    let events: Vec<serde_json::Value> = r.json().await.unwrap();
    assert!(events.iter().any(|e| e["name"] == "app://phase"));
    s.shutdown().await;
}
