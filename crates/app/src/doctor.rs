//! `bosun doctor` (docs/data.md): every check ends ok, warn or fail with a one-line reason.
//! The keychain and the token store in use, the embedding model's files against their pinned checksums, ONNX Runtime, each
//! source's token and rate limit (one live request), the clock against the providers' `Date`,
//! the database's integrity and size, free disk, and the permissions of the data dir and database.

use crate::secrets::{self, StoreKind, TokenOrigin, TokenStore};
use crate::{App, Result};
use bosun_core::model::Provider;
use bosun_core::time::{DAY, Ts};
use bosun_knowledge::embed;
use bosun_store::sync_state::{self, Source};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::Duration;

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CheckLevel"))]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warn => "warn",
            Level::Fail => "fail",
        }
    }
}

/// One check: its name, how it ended, and why in one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "DoctorCheck"))]
pub struct Check {
    pub name: String,
    pub level: Level,
    pub reason: String,
}

/// A list of checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "Doctor"))]
pub struct Report {
    /// No check failed.
    pub ok: bool,
    pub checks: Vec<Check>,
}

pub(crate) fn check(name: &str, level: Level, reason: impl Into<String>) -> Check {
    Check {
        name: name.to_string(),
        level,
        reason: reason.into(),
    }
}

/// Clocks further apart than this make signed requests and "since" windows unreliable.
pub const MAX_SKEW_SECS: i64 = 120;
const FREE_WARN: u64 = 1 << 30;
const FREE_FAIL: u64 = 100 << 20;

/// What one live request to a provider told.
struct Probe {
    check: Check,
    /// The provider's `Date`, when it answered.
    date: Option<Ts>,
}

impl App {
    /// Run every check (the live ones concurrently, each within a few seconds).
    pub async fn doctor(&self) -> Result<Report> {
        let mut checks = vec![self.check_data_dir()];
        checks.extend(self.check_database());
        if self.paths.database().exists() {
            checks.push(self.check_ledger());
        }
        checks.push(check_disk(&self.paths.data_dir));
        let sources = if self.paths.database().exists() {
            sync_state::sources(self.store()?.conn())?
        } else {
            Vec::new()
        };
        let (listed, tokens) = (sources.clone(), self.tokens().clone());
        checks.extend(
            tokio::task::spawn_blocking(move || {
                let needing = keychain_sources(&tokens, &listed);
                [
                    check_keychain(&tokens, &needing),
                    check_token_store(&tokens),
                ]
            })
            .await
            .unwrap_or_else(|e| {
                let failed = |name| check(name, Level::Fail, e.to_string());
                [failed("keychain"), failed("token_store")]
            }),
        );
        checks.extend(check_model(&embed::models_dir()));
        checks.push(check_runtime(&embed::models_dir()));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| crate::AppError::Io {
                path: "the HTTP client".into(),
                source: std::io::Error::other(e),
            })?;
        let mut dates = Vec::new();
        for s in &sources {
            let p = self.check_source(&client, s).await;
            if let Some(d) = p.date {
                dates.push((s.name.clone(), d));
            }
            checks.push(p.check);
        }
        checks.push(check_clock(self.now(), &dates));
        Ok(Report {
            ok: checks.iter().all(|c| c.level != Level::Fail),
            checks,
        })
    }

    fn check_data_dir(&self) -> Check {
        let dir = &self.paths.data_dir;
        match std::fs::metadata(dir) {
            Err(_) => check(
                "data_dir",
                Level::Warn,
                format!("{} does not exist yet (a sync creates it)", dir.display()),
            ),
            Ok(m) => permissions("data_dir", dir, &m, 0o700),
        }
    }

    fn check_database(&self) -> Vec<Check> {
        let db = self.paths.database();
        let meta = match std::fs::metadata(&db) {
            Ok(m) => m,
            Err(_) => {
                return vec![check(
                    "database",
                    Level::Warn,
                    format!("no database at {} yet (run a sync)", db.display()),
                )];
            }
        };
        let wal = std::fs::metadata(db.with_extension("db-wal")).map_or(0, |m| m.len());
        let integrity = match bosun_store::lifecycle::check_copy(&db) {
            Ok(v) => check(
                "database",
                Level::Ok,
                format!(
                    "schema v{v}, integrity ok, {} (+{} write-ahead log)",
                    human_bytes(meta.len()),
                    human_bytes(wal)
                ),
            ),
            Err(e) => check("database", Level::Fail, e.to_string()),
        };
        vec![
            integrity,
            permissions("database_permissions", &db, &meta, 0o600),
        ]
    }

    /// The audit ledger: its chain, and where its anchor's key is.
    fn check_ledger(&self) -> Check {
        let v = match self.audit_verify() {
            Ok(v) => v,
            Err(e) => return check("audit_ledger", Level::Fail, e.to_string()),
        };
        if let Some(p) = v.problems.first() {
            return check(
                "audit_ledger",
                Level::Fail,
                format!(
                    "{} problem(s), first at entry {}: {} (see `bosun audit verify`)",
                    v.problems.len(),
                    p.seq,
                    p.message
                ),
            );
        }
        match (&v.anchor, &v.anchor_unchecked) {
            (Some(a), _) if a.key == bosun_store::audit::anchor::KeyPlace::Keychain => check(
                "audit_ledger",
                Level::Ok,
                format!(
                    "{} entries, anchored outside the database (key in the OS keychain)",
                    v.entries
                ),
            ),
            (Some(_), _) => check(
                "audit_ledger",
                Level::Warn,
                format!(
                    "{} entries, anchored outside the database with a key file ({}), as no keychain answered: edits made through the database are caught, but not by someone who can also read that file",
                    v.entries,
                    crate::ledger::key_file(&self.paths).display()
                ),
            ),
            (None, why) => check(
                "audit_ledger",
                Level::Warn,
                format!(
                    "{} entries, chain intact, not checked against its anchor: {}",
                    v.entries,
                    why.as_deref().unwrap_or("no anchor yet")
                ),
            ),
        }
    }

    async fn check_source(&self, client: &reqwest::Client, s: &Source) -> Probe {
        let name = format!("source:{}", s.name);
        let done = |level, reason: String| Probe {
            check: check(&name, level, reason),
            date: None,
        };
        if !s.enabled {
            return done(Level::Ok, "disabled".into());
        }
        if s.demo {
            return done(
                Level::Ok,
                format!(
                    "demo {} source (served by the fake providers; not checked live)",
                    s.kind
                ),
            );
        }
        if s.kind == Provider::Git {
            return match bosun_connectors::git::GitSettings::from_source(s)
                .map_err(|e| e.to_string())
                .and_then(|(g, _)| {
                    bosun_connectors::git::read::open(&g.path)
                        .map(drop)
                        .map_err(|e| e.to_string())
                }) {
                Ok(()) => done(Level::Ok, "repository opens".into()),
                Err(e) => done(Level::Fail, e),
            };
        }
        let (kind, source, base) = (s.kind, s.name.clone(), s.base_url.clone());
        let tokens = self.tokens().clone();
        let token =
            tokio::task::spawn_blocking(move || tokens.resolve(kind, &source, base.as_deref()))
                .await;
        let token = match token {
            Ok(Ok(Some((t, _)))) => t,
            Ok(Ok(None)) => {
                let vars = secrets::env_vars(s.kind, &s.name).join(" or ");
                return done(Level::Fail, format!("no token (token store or {vars})"));
            }
            Ok(Err(e)) => return done(Level::Fail, e.to_string()),
            Err(e) => return done(Level::Fail, e.to_string()),
        };
        let base = s
            .base_url
            .clone()
            .or_else(|| secrets::default_base_url(s.kind).map(str::to_string))
            .unwrap_or_default();
        let base = base.trim_end_matches('/');
        let req = match s.kind {
            Provider::Github => client
                .get(format!("{base}/user"))
                .bearer_auth(token.expose())
                .header("accept", "application/vnd.github+json")
                .header("user-agent", "bosun-doctor"),
            Provider::Gitlab => client
                .get(format!("{}/user", bosun_connectors::gitlab::api_base(base)))
                .bearer_auth(token.expose()),
            Provider::Linear => client
                .post(format!("{base}/graphql"))
                .header("authorization", token.expose().as_str())
                .json(&serde_json::json!({
                    "query": bosun_connectors::linear::queries::VIEWER,
                    "operationName": "Viewer",
                })),
            Provider::Jira => {
                let email = s.settings.get("email").and_then(|e| e.as_str());
                let r = client.get(format!("{base}/rest/api/3/myself"));
                match email {
                    Some(e) => r.basic_auth(e, Some(token.expose())),
                    None => r.bearer_auth(token.expose()),
                }
            }
            Provider::Pagerduty => client
                .get(format!("{base}/abilities"))
                .header("authorization", format!("Token token={}", token.expose())),
            Provider::Slack => client
                .post(format!("{base}/api/auth.test"))
                .bearer_auth(token.expose()),
            Provider::Git => return done(Level::Warn, "no live check for git sources".into()),
        };
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return done(Level::Fail, format!("{base} unreachable: {e}")),
        };
        let h = resp.headers();
        let date = h
            .get("date")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
            .map(|d| d.timestamp());
        let header = |n: &str| {
            h.get(n)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok())
        };
        let rate = match (
            header("x-ratelimit-remaining")
                .or_else(|| header("ratelimit-remaining"))
                .or_else(|| header("x-ratelimit-requests-remaining")),
            header("x-ratelimit-limit")
                .or_else(|| header("ratelimit-limit"))
                .or_else(|| header("x-ratelimit-requests-limit")),
        ) {
            (Some(r), Some(l)) => Some((r, l)),
            (Some(r), None) => Some((r, -1)),
            _ => None,
        };
        let status = resp.status();
        // Slack and Linear refuse a token in the body (Slack with HTTP 200, Linear with 400).
        let body_error = match s.kind {
            Provider::Slack if status.is_success() => resp
                .json::<serde_json::Value>()
                .await
                .ok()
                .and_then(|v| match v["ok"].as_bool() {
                    Some(true) => None,
                    _ => Some(v["error"].as_str().unwrap_or("not ok").to_string()),
                }),
            Provider::Linear => resp.json::<serde_json::Value>().await.ok().and_then(|v| {
                v.pointer("/errors/0/message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            }),
            _ => None,
        };
        let (level, reason) = if status.as_u16() == 401 || status.as_u16() == 403 {
            (
                Level::Fail,
                format!("token refused (HTTP {})", status.as_u16()),
            )
        } else if let Some(e) = body_error {
            (Level::Fail, format!("token refused ({e})"))
        } else if !status.is_success() {
            (Level::Warn, format!("HTTP {} from {base}", status.as_u16()))
        } else {
            match rate {
                Some((0, _)) => (
                    Level::Warn,
                    "authenticated; rate limit exhausted (0 requests left)".to_string(),
                ),
                Some((r, l)) if l > 0 => (
                    Level::Ok,
                    format!("authenticated; rate limit {r}/{l} requests left"),
                ),
                Some((r, _)) => (
                    Level::Ok,
                    format!("authenticated; rate limit {r} requests left"),
                ),
                None => (
                    Level::Ok,
                    "authenticated; no rate-limit headers".to_string(),
                ),
            }
        };
        Probe {
            check: check(&name, level, reason),
            date,
        }
    }
}

fn check_keychain(tokens: &TokenStore, needing: &[String]) -> Check {
    match secrets::probe() {
        Ok(()) => check("keychain", Level::Ok, "the OS keychain answers"),
        Err(_) if tokens.kind() == StoreKind::File => check(
            "keychain",
            Level::Ok,
            "no OS keychain answers (not needed: tokens are kept in the encrypted token file)",
        ),
        Err(e) if needing.is_empty() => check(
            "keychain",
            Level::Warn,
            format!("{e} (tokens can come from BOSUN_TOKEN_<SOURCE> instead)"),
        ),
        Err(e) => check("keychain", Level::Fail, e),
    }
}

/// Each pinned model file: present and with its checksum.
pub fn check_model(dir: &Path) -> Vec<Check> {
    let mut missing = Vec::new();
    let mut bad = Vec::new();
    for (rel, sum) in embed::PINNED_FILES {
        if rel.starts_with("onnxruntime/") {
            continue;
        }
        match std::fs::read(dir.join(rel)) {
            Err(_) => missing.push(*rel),
            Ok(bytes) => {
                let got: String = Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                if got != *sum {
                    bad.push(format!("{rel} (sha256 {})", &got[..12]));
                }
            }
        }
    }
    vec![if !bad.is_empty() {
        check(
            "model",
            Level::Fail,
            format!(
                "checksum mismatch: {}; delete them and run scripts/models",
                bad.join(", ")
            ),
        )
    } else if !missing.is_empty() {
        check(
            "model",
            Level::Warn,
            format!(
                "{} missing in {} (Ask uses BM25 only; run scripts/models)",
                missing.join(", "),
                dir.display()
            ),
        )
    } else {
        check(
            "model",
            Level::Ok,
            format!("{} verified in {}", embed::MINILM_ID, dir.display()),
        )
    }]
}

/// ONNX Runtime where the embedder looks for it (a pinned file when it is the bundled one).
pub fn check_runtime(dir: &Path) -> Check {
    let dylib = match std::env::var_os("ORT_DYLIB_PATH").filter(|v| !v.is_empty()) {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            let Some((rel, sum)) = embed::PINNED_FILES
                .iter()
                .find(|(p, _)| p.starts_with("onnxruntime/"))
            else {
                return check("onnx_runtime", Level::Warn, "no pinned runtime");
            };
            let path = dir.join(rel);
            return match std::fs::read(&path) {
                Err(_) => check(
                    "onnx_runtime",
                    Level::Warn,
                    format!(
                        "not in {} (run scripts/models, or set ORT_DYLIB_PATH)",
                        path.display()
                    ),
                ),
                Ok(bytes) => {
                    let got: String = Sha256::digest(&bytes)
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    if got == *sum {
                        check(
                            "onnx_runtime",
                            Level::Ok,
                            format!("{} verified", path.display()),
                        )
                    } else {
                        check(
                            "onnx_runtime",
                            Level::Fail,
                            format!("{}: checksum mismatch", path.display()),
                        )
                    }
                }
            };
        }
    };
    if dylib.is_file() {
        check(
            "onnx_runtime",
            Level::Ok,
            format!("{} (ORT_DYLIB_PATH)", dylib.display()),
        )
    } else {
        check(
            "onnx_runtime",
            Level::Fail,
            format!("ORT_DYLIB_PATH {} does not exist", dylib.display()),
        )
    }
}

/// The largest difference between our clock and a provider's `Date`.
fn check_clock(now: Ts, dates: &[(String, Ts)]) -> Check {
    let Some((source, date)) = dates.iter().max_by_key(|(_, d)| (now - d).abs()) else {
        return check("clock", Level::Ok, "not measured: no live source answered");
    };
    let skew = now - date;
    let reason = format!(
        "{} {} {}'s clock",
        human_secs(skew.abs()),
        if skew >= 0 { "ahead of" } else { "behind" },
        source
    );
    if skew.abs() > MAX_SKEW_SECS {
        check(
            "clock",
            Level::Warn,
            format!("{reason}: fix the system time"),
        )
    } else {
        check("clock", Level::Ok, reason)
    }
}

fn check_disk(dir: &Path) -> Check {
    // The nearest existing folder (the data dir may not exist yet).
    let mut at = dir.to_path_buf();
    while !at.exists() {
        match at.parent() {
            Some(p) => at = p.to_path_buf(),
            None => break,
        }
    }
    match free_bytes(&at) {
        Err(e) => check("disk", Level::Warn, format!("{}: {e}", at.display())),
        Ok(free) if free < FREE_FAIL => check(
            "disk",
            Level::Fail,
            format!(
                "{} free at {}: syncs will fail",
                human_bytes(free),
                at.display()
            ),
        ),
        Ok(free) if free < FREE_WARN => check(
            "disk",
            Level::Warn,
            format!("only {} free at {}", human_bytes(free), at.display()),
        ),
        Ok(free) => check("disk", Level::Ok, format!("{} free", human_bytes(free))),
    }
}

/// Free bytes for unprivileged users at `path`, from POSIX `df -Pk` (the workspace forbids
/// `unsafe`, so no statvfs call).
fn free_bytes(path: &Path) -> std::io::Result<u64> {
    let out = std::process::Command::new("df")
        .arg("-Pk")
        .arg(path)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| std::io::Error::other("df gave no free space"))
}

#[cfg(unix)]
fn permissions(name: &str, path: &Path, meta: &std::fs::Metadata, want: u32) -> Check {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        check(name, Level::Ok, format!("{} is {mode:o}", path.display()))
    } else {
        check(
            name,
            Level::Warn,
            format!(
                "{} is {mode:o}: other users can read it (chmod {want:o} it)",
                path.display()
            ),
        )
    }
}

#[cfg(not(unix))]
fn permissions(name: &str, path: &Path, _: &std::fs::Metadata, _: u32) -> Check {
    check(name, Level::Ok, format!("{} exists", path.display()))
}

/// Bytes for people: 512 B, 3.4 MB.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn human_secs(s: i64) -> String {
    if s < 120 {
        format!("{s}s")
    } else if s < 7200 {
        format!("{}m", s / 60)
    } else if s < 172_800 {
        format!("{}h", s / 3600)
    } else {
        format!("{}d", s / DAY)
    }
}

/// Where tokens are kept: the keychain (a warning when none answers and no token file is set
/// up), or the encrypted file (a warning while it is locked, a failure when it cannot be read).
fn check_token_store(tokens: &TokenStore) -> Check {
    let status = tokens.status();
    let name = "token_store";
    match (status.store, &status.file_problem) {
        (StoreKind::Keychain, _) if status.keychain_ok => {
            check(name, Level::Ok, "tokens are kept in the OS keychain")
        }
        (StoreKind::Keychain, _) => check(
            name,
            Level::Warn,
            format!(
                "no OS keychain answers and no encrypted token file is set up: `bosun tokens use-file` keeps tokens in {}, or set BOSUN_TOKEN_<SOURCE>",
                status.file
            ),
        ),
        (StoreKind::File, Some(problem)) => check(name, Level::Fail, problem.clone()),
        (StoreKind::File, None) if status.locked => check(
            name,
            Level::Warn,
            format!(
                "tokens are kept in the encrypted file {}, which is locked: unlock it (the app or `bosun` asks for its passphrase) or set {}",
                status.file,
                secrets::PASSPHRASE_VAR
            ),
        ),
        (StoreKind::File, None) => check(
            name,
            Level::Ok,
            format!(
                "tokens are kept in the encrypted file {} (unlocked; {} tokens)",
                status.file,
                tokens.file_sources().map_or(0, |s| s.len())
            ),
        ),
    }
}

/// Sources whose token is in the keychain (the keychain must work for them).
pub fn keychain_sources(tokens: &TokenStore, sources: &[Source]) -> Vec<String> {
    sources
        .iter()
        .filter(|s| !s.demo && s.kind != Provider::Git)
        .filter(|s| tokens.origin(s.kind, &s.name, s.base_url.as_deref()) == TokenOrigin::Keychain)
        .map(|s| s.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_checks_tell_missing_from_tampered() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(check_model(dir.path())[0].level, Level::Warn);
        for (rel, _) in embed::PINNED_FILES {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, b"not the model").unwrap();
        }
        let c = &check_model(dir.path())[0];
        assert_eq!(c.level, Level::Fail, "{c:?}");
        assert!(c.reason.contains("model.onnx"), "{c:?}");
    }

    #[test]
    fn clock_skew_beyond_two_minutes_warns() {
        let dates = vec![("gh".to_string(), 1_000), ("jira".to_string(), 1_000 - 600)];
        let c = check_clock(1_000, &dates);
        assert_eq!(c.level, Level::Warn);
        assert_eq!(c.reason, "10m ahead of jira's clock: fix the system time");
        assert_eq!(check_clock(1_000, &dates[..1]).level, Level::Ok);
    }
}
