//! Adding, listing, syncing and removing a real (non-demo) GitHub source against the fake GitHub,
//! with the token in the environment or in the OS keychain — never on disk.

use crate::support::{AS_OF, Providers, bosun, json, ok, run};
use std::io::Write;
use std::process::Stdio;

#[test]
fn a_github_source_syncs_with_a_token_from_the_environment() {
    let providers = Providers::start("1");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &[
            "sources",
            "add",
            "github",
            "--name",
            "acme",
            "--owner",
            "tidewater",
            "--repo",
            "harbor-auth",
            "--base-url",
            &providers.github,
        ],
    );
    // No token anywhere: a clear failure naming the variables to set.
    let o = run(d, &["sync"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("BOSUN_TOKEN_ACME") && e.contains("BOSUN_GITHUB_TOKEN"),
        "{e}"
    );

    let o = bosun()
        .arg("--data-dir")
        .arg(d)
        .args(["--as-of", AS_OF, "--json", "sync"])
        .env("BOSUN_GITHUB_TOKEN", &providers.token)
        .env("BOSUN_GITHUB_TOKEN_ORIGIN", &providers.github)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let status = json(d, &["status", "--json"]);
    assert_eq!(status["counts"]["repos"], 1, "only the chosen repository");
    assert!(status["counts"]["pull_requests"].as_i64().unwrap() > 10);
    // The token is nowhere on disk (the database, its WAL, the log files...).
    let mut files = vec![d.to_path_buf()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes
                .windows(providers.token.len())
                .any(|w| w == providers.token.as_bytes()),
            "token written to disk"
        );
    }
    let list = json(d, &["--json", "sources", "list"]);
    // Nothing stored: "missing" where a keychain answers, "unknown" where none runs.
    let kind = list["sources"][0]["token"]["kind"]
        .as_str()
        .unwrap()
        .to_string();
    let keychain = std::env::var("BOSUN_TEST_KEYCHAIN").as_deref() == Ok("1");
    assert_eq!(kind, if keychain { "missing" } else { "unknown" });
    ok(d, &["sources", "remove", "acme"]);
    assert_eq!(
        json(d, &["--json", "sources", "list"])["sources"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert!(
        json(d, &["status", "--json"])["counts"]["pull_requests"]
            .as_i64()
            .unwrap()
            > 10,
        "records stay"
    );
}

/// With a Secret Service running (`.ci/run` starts one), the token round-trips through the
/// keychain; without one, adding a token fails clearly and records nothing.
#[test]
fn tokens_go_to_the_keychain_or_nowhere() {
    let providers = Providers::start("1");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut child = bosun()
        .arg("--data-dir")
        .arg(d)
        .args([
            "sources",
            "add",
            "github",
            "--name",
            "kc",
            "--owner",
            "tidewater",
            "--repo",
            "compass-billing",
            "--base-url",
            &providers.github,
            "--token-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{}\n", providers.token).as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    if std::env::var("BOSUN_TEST_KEYCHAIN").as_deref() == Ok("1") {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let list = json(d, &["--json", "sources", "list"]);
        assert_eq!(list["sources"][0]["token"]["kind"], "keychain");
        let o = run(d, &["--as-of", AS_OF, "sync"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        ok(d, &["sources", "remove", "kc"]);
    } else {
        assert_eq!(o.status.code(), Some(1));
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(
            e.starts_with("error[keychain]:") && e.contains("BOSUN_GITHUB_TOKEN"),
            "{e}"
        );
        assert_eq!(
            json(d, &["--json", "sources", "list"])["sources"]
                .as_array()
                .unwrap()
                .len(),
            0,
            "no source without its token"
        );
    }
}

/// Issue 15.2: where no keychain works, `tokens use-file` makes the encrypted token file the
/// store. A token added then is kept there (never in clear); a process without the passphrase
/// cannot read it and says to unlock the file; `BOSUN_TOKENS_PASSPHRASE` unlocks it.
#[test]
fn tokens_go_to_the_encrypted_file_once_chosen() {
    let providers = Providers::start("1");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pass = "correct horse battery";
    let with_stdin = |args: &[&str], input: &str, passphrase: Option<&str>| {
        let mut c = bosun();
        c.arg("--data-dir").arg(d).args(args);
        if let Some(p) = passphrase {
            c.env("BOSUN_TOKENS_PASSPHRASE", p);
        }
        let mut child = c
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    // Two different passphrases: refused, no file.
    let o = with_stdin(&["tokens", "use-file"], &format!("{pass}\n{pass}!\n"), None);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!d.join("tokens.enc").exists());
    let o = with_stdin(&["tokens", "use-file"], &format!("{pass}\n{pass}\n"), None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("tokens.enc"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let add = [
        "sources",
        "add",
        "github",
        "--name",
        "gh",
        "--owner",
        "tidewater",
        "--repo",
        "compass-billing",
        "--base-url",
        &providers.github,
        "--token-stdin",
    ];
    // Locked (another process, no passphrase, no terminal): refused, nothing recorded.
    let o = with_stdin(&add, &format!("{}\n", providers.token), None);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.starts_with("error[keychain]:") && e.contains("unlock the token file"),
        "{e}"
    );
    let o = with_stdin(&add, &format!("{}\n", providers.token), Some(pass));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let file = std::fs::read_to_string(d.join("tokens.enc")).unwrap();
    assert!(!file.contains(&providers.token), "never in clear");
    let list = json(d, &["--json", "sources", "list"]);
    assert_eq!(list["sources"][0]["token"]["kind"], "token_file");
    let status = json(d, &["--json", "tokens", "status"]);
    assert_eq!(status["store"], "file");
    assert_eq!(status["locked"], true);
    assert_eq!(status["sources"], serde_json::json!(["gh"]));
    // A sync without the passphrase says to unlock the file; a wrong one says it is wrong.
    let o = run(d, &["--as-of", AS_OF, "sync"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("unlock the token file"), "{e}");
    let o = with_stdin(&["--as-of", AS_OF, "sync"], "", Some("not the passphrase"));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("BOSUN_TOKENS_PASSPHRASE is not its passphrase"),
        "{e}"
    );
    let o = with_stdin(&["--as-of", AS_OF, "sync"], "", Some(pass));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // One file only.
    let o = with_stdin(&["tokens", "use-file"], &format!("{pass}\n{pass}\n"), None);
    assert_eq!(o.status.code(), Some(2));
    ok(d, &["sources", "remove", "gh"]);
    assert_eq!(
        json(d, &["--json", "tokens", "status"])["sources"],
        serde_json::json!([])
    );
}

/// A plain HTTP listener on 127.0.0.1 that answers `[]` to everything and keeps every request's
/// head (request line and headers, lower-cased).
struct Recorder {
    base: String,
    seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Recorder {
    fn start() -> Recorder {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                log.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).to_ascii_lowercase());
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]",
                );
            }
        });
        Recorder { base, seen }
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// Issue 16.2: `BOSUN_GITHUB_TOKEN` was sent to every GitHub source, so adding a source that
/// points at another host handed that host the token. The kind-wide token now goes only to the
/// origin it is bound to; a source on another port of the same host gets no Authorization header.
#[test]
fn environment_token_is_not_sent_to_a_source_on_another_origin() {
    let home = Recorder::start();
    let other = Recorder::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, base) in [("home", &home.base), ("other", &other.base)] {
        ok(
            d,
            &[
                "sources",
                "add",
                "github",
                "--name",
                name,
                "--owner",
                "tidewater",
                "--base-url",
                base,
            ],
        );
    }
    let o = bosun()
        .arg("--data-dir")
        .arg(d)
        .args(["--as-of", AS_OF, "--json", "sync"])
        .env("BOSUN_GITHUB_TOKEN", "ghp_bound_to_home")
        .env("BOSUN_GITHUB_TOKEN_ORIGIN", &home.base)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let home_seen = home.requests();
    assert!(
        !home_seen.is_empty()
            && home_seen
                .iter()
                .all(|r| r.contains("authorization: bearer ghp_bound_to_home")),
        "the bound origin gets the token: {home_seen:?} {out}"
    );
    let other_seen = other.requests();
    assert!(
        other_seen.iter().all(|r| !r.contains("authorization")),
        "another origin got credentials: {other_seen:?}"
    );
    assert!(
        out.contains("BOSUN_GITHUB_TOKEN_ORIGIN"),
        "the other source says why it has no token: {out}"
    );
}

/// `bosun sources workflows` lists each repository's workflows and proposes the ones that look
/// like deploys; `--deploy-workflow` makes a workflow's runs deployments, and the sync stores them.
#[test]
fn sources_workflows_proposes_deploys_and_deploy_workflow_runs_become_deployments() {
    let providers = Providers::start("1");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let with_token = |args: &[&str]| {
        let o = bosun()
            .arg("--data-dir")
            .arg(d)
            .args(["--as-of", AS_OF])
            .args(args)
            .env("BOSUN_GITHUB_TOKEN", &providers.token)
            .env("BOSUN_GITHUB_TOKEN_ORIGIN", &providers.github)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    ok(
        d,
        &[
            "sources",
            "add",
            "github",
            "--name",
            "acme",
            "--owner",
            "tidewater",
            "--repo",
            "harbor-auth",
            "--repo",
            "harbor-gateway",
            "--base-url",
            &providers.github,
        ],
    );
    // Not configured yet: deploy.yml is proposed, nothing is configured.
    let v: serde_json::Value =
        serde_json::from_str(&with_token(&["--json", "sources", "workflows", "acme"])).unwrap();
    let repos = v["repos"].as_array().unwrap();
    assert_eq!(repos.len(), 2, "{v}");
    let auth = repos
        .iter()
        .find(|r| r["repo"] == "tidewater/harbor-auth")
        .unwrap();
    let marks: Vec<(String, bool, bool)> = auth["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["path"].as_str().unwrap().to_string(),
                w["looks_like_deploy"].as_bool().unwrap(),
                w["configured"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(
        marks.contains(&(".github/workflows/deploy.yml".into(), true, false)),
        "{marks:?}"
    );
    assert!(
        marks.contains(&(".github/workflows/ci.yml".into(), false, false)),
        "{marks:?}"
    );
    let text = with_token(&["sources", "workflows", "acme"]);
    assert!(
        text.contains("proposed") && text.contains("--deploy-workflow deploy.yml"),
        "{text}"
    );
    // A source naming it: marked configured, and its runs are the repository's deployments.
    ok(
        d,
        &[
            "sources",
            "add",
            "github",
            "--name",
            "acme2",
            "--owner",
            "tidewater",
            "--repo",
            "harbor-auth",
            "--base-url",
            &providers.github,
            "--deploy-workflow",
            "deploy.yml",
        ],
    );
    let text = with_token(&["sources", "workflows", "acme2"]);
    assert!(
        text.lines()
            .any(|l| l.contains("configured") && l.contains("deploy.yml")),
        "{text}"
    );
    with_token(&["sync", "acme2"]);
    let dora = json(
        d,
        &[
            "--as-of",
            AS_OF,
            "--json",
            "metrics",
            "dora",
            "--repo",
            "harbor-auth",
        ],
    );
    assert!(dora["deployments"].as_i64().unwrap() > 0, "{dora}");
    // --deploy-environment needs --deploy-workflow; other kinds have no workflows.
    let o = run(
        d,
        &[
            "sources",
            "add",
            "github",
            "--name",
            "x",
            "--owner",
            "o",
            "--deploy-environment",
            "production",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let o = run(d, &["sources", "workflows", "nosuch"]);
    assert_eq!(o.status.code(), Some(1));
}
