//! `bosun serve`'s guard: the launch token, the Host and Origin checks, the CSP, and the API
//! behind them.

use bosun_api::{Api, StartOptions};
use bosun_app::Paths;
use bosun_core::FixedClock;
use bosun_server::{CSP, ServeOptions, serve};
use std::sync::Arc;

/// A GET written by hand, so the path reaches the server exactly as given.
async fn raw_get(addr: std::net::SocketAddr, path: &str) -> String {
    let path = path.to_string();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            addr.port()
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        stream.read_to_end(&mut out).unwrap();
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .unwrap()
}

async fn server() -> (bosun_server::Running, tempfile::TempDir) {
    server_with(|_| {}).await
}

/// [`server`], after `prepare` ran on the data dir.
async fn server_with(
    prepare: impl FnOnce(&std::path::Path),
) -> (bosun_server::Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    prepare(&dir.path().join("data"));
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

    // The printed URL carries the token in its fragment (never sent to a server); the UI's own
    // files load without it, and the page sends the token as a header.
    assert_eq!(s.url, format!("{base}/#token={}", s.token));
    let r = c.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-security-policy"], CSP);
    assert!(r.text().await.unwrap().contains("<title>Bosun</title>"));
    let r = c.get(format!("{base}/assets/app.js")).send().await.unwrap();
    assert_eq!(
        r.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    // Paths out of the UI folder fall back to the app, never to the file. An HTTP client
    // normalises `/../` before sending, so the request is written by hand, byte for byte, with
    // the encoded forms too.
    for path in [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
    ] {
        let answer = raw_get(s.addr, path).await;
        assert!(answer.starts_with("HTTP/1.1 "), "{path}: {answer}");
        assert!(
            !answer.contains("not for you"),
            "{path} served a file outside the UI"
        );
    }
    assert!(
        raw_get(s.addr, "/assets/app.js")
            .await
            .contains("console.log(1)"),
        "the hand-written request does reach files"
    );
    let r = c
        .get(format!("{base}/"))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "the UI's files keep the Host check");

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

/// Issue 16.3: browsers send cookies to every port of 127.0.0.1, so the `bosun_token` cookie
/// reached any other local server, and a page on another port could plant a second one that
/// locked the UI out. The token now travels only in the `Authorization` header: a cookie is
/// neither set nor accepted, and a planted one changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bosun_token_cookie_is_neither_set_nor_accepted() {
    let (s, _dir) = server().await;
    let base = format!("http://127.0.0.1:{}", s.addr.port());
    let c = client();
    let cookie = format!("bosun_token={}", s.token);
    // The right token, as a cookie only: refused on every API route.
    let r = c
        .post(format!("{base}/api/call/app_info"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "unauthorized"
    );
    let r = c
        .get(format!("{base}/api/events?after=0&wait_ms=10"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The old query-string launch URL sets no cookie any more (nor does any other page).
    for url in [format!("{base}/?token={}", s.token), format!("{base}/")] {
        let r = c.get(&url).send().await.unwrap();
        assert!(r.headers().get("set-cookie").is_none(), "{url}");
    }
    // A second, planted cookie (another port's page can set one) cannot lock out a client
    // that authenticates with the header.
    let r = c
        .post(format!("{base}/api/call/app_info"))
        .bearer_auth(&s.token)
        .header(
            "cookie",
            format!("bosun_token={}; {cookie}", "0".repeat(48)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    s.shutdown().await;
}

/// Issue 15.2: with the tokens in the encrypted file, adding a source before the file is
/// unlocked was to be a clear error the UI can act on, never an HTTP 500; a wrong passphrase is
/// bad input; the right one unlocks the file for the running server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_token_file_is_a_typed_error_until_unlocked() {
    let (s, _dir) = server_with(|data| {
        // Made by an earlier run (`bosun tokens use-file`): this server starts locked.
        bosun_app::secrets::TokenStore::new(&Paths::in_dir(data))
            .use_file(
                &bosun_core::Sensitive::new("correct horse battery".into()),
                &[],
            )
            .unwrap();
    })
    .await;
    let base = format!("http://{}", s.addr);
    let c = client();
    let call = |name: &str, body: serde_json::Value| {
        c.post(format!("{base}/api/call/{name}"))
            .bearer_auth(&s.token)
            .json(&body)
            .send()
    };
    let store = call("token_store", serde_json::json!({})).await.unwrap();
    let store: serde_json::Value = store.json().await.unwrap();
    assert_eq!(store["store"], "file");
    assert_eq!(store["locked"], true);
    let add = serde_json::json!({
        "kind": "github", "name": "gh", "settings": {"owner": "acme"}, "token": "ghp_x"
    });
    let r = call("add_source", add.clone()).await.unwrap();
    assert_eq!(r.status(), 503);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["code"], "keychain");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("unlock the token file"),
        "{e}"
    );
    let r = call(
        "unlock_token_file",
        serde_json::json!({"passphrase": "correct horse batterY"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["code"],
        "invalid_input"
    );
    let r = call(
        "unlock_token_file",
        serde_json::json!({"passphrase": "correct horse battery"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["locked"],
        false
    );
    let r = call("add_source", add).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["token"],
        "token_file"
    );
    s.shutdown().await;
}
