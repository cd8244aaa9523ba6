//! `bosun serve`: the UI and its JSON API over HTTP, on 127.0.0.1 only.
//!
//! Every API request (`/api/…`) must carry the per-launch token as `Authorization: Bearer
//! <token>`; every request must name this server in `Host` and — when the browser sends an
//! `Origin` — come from this server's own origin. Anything else is refused with
//! `{code: "unauthorized"}`: another site in the same browser cannot read or drive the API, and a
//! DNS-rebinding name pointing at 127.0.0.1 is turned away by the Host check.
//!
//! The printed URL carries the token in its fragment (`/#token=…`), which the browser never sends
//! to any server; the page keeps it in `sessionStorage` and sends it as the header. No cookie is
//! set or read: browsers share cookies across every port of 127.0.0.1, so another local server
//! would receive one and a page on another port could plant a second one. The built UI's files
//! (no data in them) are served without the token so that the page can load and read it.

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bosun_api::{Api, ApiError, ErrorCode};
use serde::Deserialize;
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The Content-Security-Policy of every page: our own scripts, styles and API only.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("the UI is not built: {0} has no index.html (run `npm run build` in ui/)")]
    NoUi(String),
    #[error("cannot make a launch token: {0}")]
    Token(std::io::Error),
}

impl bosun_core::HasCode for ServeError {
    fn code(&self) -> bosun_core::Code {
        match self {
            ServeError::NoUi(_) => bosun_core::Code::Config,
            _ => bosun_core::Code::Io,
        }
    }
}

pub struct ServeOptions {
    /// 0 = any free port.
    pub port: u16,
    /// The built UI (`ui/dist`).
    pub ui_dir: PathBuf,
}

/// The built UI: `BOSUN_UI_DIR`, else an installed package's `PREFIX/share/bosun/ui` (found from
/// the running executable, [`bosun_core::install`]), else this checkout's `ui/dist`.
pub fn default_ui_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("BOSUN_UI_DIR") {
        return PathBuf::from(d);
    }
    if let Some(installed) = bosun_core::install::installed_dir("share/bosun/ui")
        .filter(|p| p.join("index.html").is_file())
    {
        return installed;
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist")
}

#[derive(Clone)]
struct Ctx {
    api: Arc<Api>,
    token: Arc<str>,
    port: u16,
    ui: Arc<PathBuf>,
}

pub struct Running {
    /// `http://127.0.0.1:PORT/#token=…`: open it in a browser (the token stays in the page).
    pub url: String,
    pub addr: SocketAddr,
    pub token: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Wait until the server stops (it does not on its own).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

fn new_token() -> Result<String, ServeError> {
    let mut b = [0u8; 24];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .map_err(ServeError::Token)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Listen on 127.0.0.1 and serve until shut down.
pub async fn serve(api: Arc<Api>, opts: ServeOptions) -> Result<Running, ServeError> {
    if !opts.ui_dir.join("index.html").is_file() {
        return Err(ServeError::NoUi(opts.ui_dir.display().to_string()));
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", opts.port))
        .await
        .map_err(|source| ServeError::Bind {
            port: opts.port,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind {
        port: opts.port,
        source,
    })?;
    let token = new_token()?;
    let ctx = Ctx {
        api,
        token: token.as_str().into(),
        port: addr.port(),
        ui: Arc::new(opts.ui_dir),
    };
    let app = router(ctx);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let stop = async {
            let _ = rx.await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::error!("server stopped: {e}");
        }
    });
    Ok(Running {
        url: format!("http://127.0.0.1:{}/#token={token}", addr.port()),
        addr,
        token,
        shutdown: Some(tx),
        task,
    })
}

fn router(ctx: Ctx) -> Router {
    // The API's routes need the token; the UI's files (the fallback) do not.
    let api = Router::new()
        .route("/api/call/{name}", post(call))
        .route("/api/events", get(events))
        .route_layer(middleware::from_fn_with_state(ctx.clone(), need_token));
    Router::new()
        .merge(api)
        .fallback(get(asset))
        .layer(middleware::from_fn_with_state(ctx.clone(), guard))
        .with_state(ctx)
}

fn refuse(message: &str) -> Response {
    error_response(ApiError::new(ErrorCode::Unauthorized, message))
}

fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidInput | ErrorCode::Config => StatusCode::BAD_REQUEST,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::PolicyDenied => StatusCode::FORBIDDEN,
        ErrorCode::NotReady => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::ProviderUnavailable => StatusCode::BAD_GATEWAY,
        // No keychain answers, or the token file is locked: a state the UI offers a way out
        // of (the encrypted file, its unlock field), not a server failure.
        ErrorCode::Keychain => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn error_response(e: ApiError) -> Response {
    (status_of(e.code), axum::Json(e)).into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// Compare without an early exit on the first differing byte.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The API's routes: `Authorization: Bearer <launch token>`, nothing else (no cookie, no query).
async fn need_token(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    if !bearer(req.headers()).is_some_and(|t| same(t, &ctx.token)) {
        return refuse("missing launch token: open the URL `bosun serve` printed");
    }
    next.run(req).await
}

/// Every request: our own Host and Origin, and the security headers on every answer.
async fn guard(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let hosts = [
        format!("127.0.0.1:{}", ctx.port),
        format!("localhost:{}", ctx.port),
    ];
    let host_ok = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| hosts.iter().any(|x| x == h));
    if !host_ok {
        return refuse("foreign Host: this server answers only to 127.0.0.1 and localhost");
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .ok()
            .is_some_and(|o| hosts.iter().any(|h| o == format!("http://{h}")));
        if !ok {
            return refuse("foreign Origin: requests from other sites are refused");
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn call(
    State(ctx): State<Ctx>,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let args = if body.is_empty() {
        serde_json::Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => return error_response(ApiError::invalid(format!("body is not JSON: {e}"))),
        }
    };
    match bosun_api::endpoints::call(&ctx.api, &name, args).await {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => error_response(e),
    }
}

#[derive(Deserialize)]
struct EventsQuery {
    #[serde(default)]
    after: u64,
    /// Milliseconds to wait for the first event [default 25 s, at most 60 s].
    wait_ms: Option<u64>,
}

/// Long-polling: the events numbered after `after`, waiting for the first one.
async fn events(State(ctx): State<Ctx>, Query(q): Query<EventsQuery>) -> Response {
    let wait = Duration::from_millis(q.wait_ms.unwrap_or(25_000).min(60_000));
    axum::Json(ctx.api.bus.wait(q.after, wait).await).into_response()
}

fn content_type(path: &std::path::Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// A file of the built UI; any other path is the single-page app's index.
async fn asset(State(ctx): State<Ctx>, req: Request) -> Response {
    let rel = req.uri().path().trim_start_matches('/');
    let safe = !rel.split('/').any(|p| p == ".." || p.starts_with('.'));
    let file = if safe && !rel.is_empty() {
        let p = ctx.ui.join(rel);
        if p.is_file() {
            p
        } else {
            ctx.ui.join("index.html")
        }
    } else {
        ctx.ui.join("index.html")
    };
    match tokio::fs::read(&file).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type(&file))], bytes).into_response(),
        Err(e) => error_response(ApiError::new(
            ErrorCode::Io,
            format!("{}: {e}", file.display()),
        )),
    }
}
