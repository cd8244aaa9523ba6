//! An installed layout (docs/packaging.md): `PREFIX/bin/bosun` finds the embedding model in
//! `PREFIX/lib/bosun/models` and the UI in `PREFIX/share/bosun/ui`, with no path fixed at compile
//! time.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// `PREFIX/bin/bosun` as a hard link to the built binary, in a temp dir beside it (the same file
/// system). A symbolic link would not do: the executable's path is resolved through it.
fn prefix() -> tempfile::TempDir {
    let built = Path::new(env!("CARGO_BIN_EXE_bosun"));
    let prefix = tempfile::Builder::new()
        .prefix("installed-")
        .tempdir_in(built.parent().unwrap())
        .unwrap();
    let p = prefix.path();
    std::fs::create_dir_all(p.join("bin")).unwrap();
    std::fs::hard_link(built, p.join("bin/bosun")).unwrap();
    std::fs::create_dir_all(p.join("lib/bosun/models")).unwrap();
    std::fs::create_dir_all(p.join("share/bosun/ui")).unwrap();
    std::fs::write(
        p.join("share/bosun/ui/index.html"),
        "<!doctype html><title>installed UI</title>",
    )
    .unwrap();
    prefix
}

fn installed(prefix: &Path, data: &Path) -> Command {
    let mut c = Command::new(prefix.join("bin/bosun"));
    c.env_remove("BOSUN_MODELS_DIR")
        .env_remove("BOSUN_UI_DIR")
        .env_remove("BOSUN_DATA_DIR")
        .env_remove("BOSUN_CONFIG")
        .arg("--data-dir")
        .arg(data);
    c
}

#[test]
fn an_installed_bosun_finds_its_model_and_ui_under_its_prefix() {
    let prefix = prefix();
    let p = prefix.path();
    let data = tempfile::tempdir().unwrap();

    let out = installed(p, data.path())
        .args(["doctor", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let model = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "model")
        .unwrap()
        .clone();
    let models = p.join("lib/bosun/models");
    assert!(
        model["reason"]
            .as_str()
            .unwrap()
            .contains(models.to_str().unwrap()),
        "the model is looked for in {}: {model}",
        models.display()
    );

    // `bosun serve` serves PREFIX/share/bosun/ui.
    let mut serve = installed(p, data.path())
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(serve.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let addr = url
        .trim()
        .strip_prefix("http://")
        .and_then(|u| u.split('/').next())
        .unwrap_or_else(|| panic!("no URL first: {url:?}"))
        .to_string();
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut page = String::new();
    conn.read_to_string(&mut page).unwrap();
    serve.kill().ok();
    serve.wait().ok();
    assert!(page.contains("installed UI"), "{page}");
}
