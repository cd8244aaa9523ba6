//! `bosun index` and `bosun ask` end to end, with the real embedding model that `scripts/models`
//! caches (run by `scripts/setup`), and without any model.

use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn demo_docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../demo/docs")
        .canonicalize()
        .unwrap()
}

fn ask_json(dir: &Path, q: &str) -> serde_json::Value {
    json(dir, &["--json", "ask", q])
}

#[test]
fn index_the_handbook_and_ask_with_citations_experts_and_refusals() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let docs = demo_docs();
    let out = ok(d, &["index", "add", docs.to_str().unwrap()]);
    assert!(out.contains("43 files — 43 new or changed"), "{out}");
    assert!(
        !out.contains("BM25 only"),
        "the model must be available (run scripts/setup): {out}"
    );

    let v = ask_json(d, "who decides the severity during an incident?");
    let top = &v["answers"][0];
    assert_eq!(top["file"], "incidents/incident-process.md", "{v:#}");
    let (start, end) = (
        top["start_line"].as_i64().unwrap(),
        top["end_line"].as_i64().unwrap(),
    );
    assert_eq!(
        (start, end),
        (35, 38),
        "cites {start}-{end}, the paragraph that answers is 35-38"
    );
    // The passage it is in stays as the context.
    assert!(
        top["context_start_line"].as_i64().unwrap() <= 33
            && top["context_end_line"].as_i64().unwrap() >= 38,
        "{top:#}"
    );
    assert!(
        top["text"]
            .as_str()
            .unwrap()
            .contains("The incident commander decides the severity")
    );
    assert!(top["score"].as_f64().unwrap() > 0.0);
    assert_eq!(v["index"]["documents"], 43);
    assert_eq!(v["index"]["model"], "all-MiniLM-L6-v2-int8");
    assert!(v["index"]["updated_at"].is_string());
    let experts: Vec<&str> = v["experts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        experts[0], "Elena Petrova",
        "the process document's owner: {experts:?}"
    );

    // Nothing in the handbook answers this: no citations at all.
    let v = ask_json(d, "What is the parental leave policy?");
    assert_eq!(v["answers"], serde_json::json!([]), "{v:#}");
    // The refusal explains itself with the number that decided it and the bar it missed.
    let why = v["refusal"].as_str().unwrap();
    assert!(
        why.starts_with("Nothing in the docs answers this confidently: the closest passage's")
            && why.contains("Bosun cites from"),
        "{why}"
    );
    assert_eq!(v["experts"], serde_json::json!([]));
    let human = ok(d, &["ask", "What is the parental leave policy?"]);
    assert!(
        human.starts_with("Found nothing in the indexed docs"),
        "{human}"
    );

    let human = ok(d, &["ask", "who decides the severity during an incident?"]);
    assert!(
        human.contains("1. incidents/incident-process.md:35-38"),
        "{human}"
    );
    assert!(human.contains("Who knows this:"), "{human}");

    // Re-running `index add` re-embeds nothing; status agrees.
    let out = ok(d, &["index", "add", docs.to_str().unwrap()]);
    assert!(
        out.contains("0 new or changed, 43 unchanged") && out.contains("0 embedded"),
        "{out}"
    );
    let s = json(d, &["--json", "index", "status"]);
    assert_eq!(s["documents"], 43);
    assert_eq!(s["embedded"], s["chunks"]);
    assert_eq!(s["roots"][0]["path"], docs.to_str().unwrap());
}

struct Watch(Child);
impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn an_edited_doc_is_reflected_in_answers_within_seconds() {
    let data = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    let docs = folder.path().canonicalize().unwrap();
    let write = |name: &str, text: &str| std::fs::write(docs.join(name), text).unwrap();
    write(
        "deploys.md",
        "# Deploys\n\n## Freeze\n\nNo production deploys on Fridays after 15:00.\n",
    );
    write(
        "oncall.md",
        "# On-call\n\n## Pager\n\nThe primary carries the pager for a week.\n",
    );
    let d = data.path();
    ok(d, &["index", "add", docs.to_str().unwrap()]);
    let _watch = Watch(
        Command::new(env!("CARGO_BIN_EXE_bosun"))
            .arg("--data-dir")
            .arg(d)
            .args(["index", "watch"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_millis(1500));
    let edited = Instant::now();
    write(
        "deploys.md",
        "# Deploys\n\n## Freeze\n\nProduction deploys pause during the billing freeze from the 28th to the 2nd.\n",
    );
    loop {
        let v = ask_json(d, "when is the billing freeze for production deploys?");
        if v["answers"][0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("28th to the 2nd"))
        {
            assert_eq!(v["answers"][0]["file"], "deploys.md");
            break;
        }
        assert!(
            edited.elapsed() < Duration::from_secs(15),
            "not reflected after 15 s: {v:#}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    // Deleted: gone from answers.
    std::fs::remove_file(docs.join("oncall.md")).unwrap();
    loop {
        let v = ask_json(d, "who carries the pager?");
        let cited: Vec<&str> = v["answers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["file"].as_str().unwrap())
            .collect();
        if !cited.contains(&"oncall.md") {
            break;
        }
        assert!(
            edited.elapsed() < Duration::from_secs(30),
            "still cited after deletion: {cited:?}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn without_a_model_everything_works_by_bm25_and_says_so() {
    let data = tempfile::tempdir().unwrap();
    let models = tempfile::tempdir().unwrap();
    let d = data.path();
    let run = |args: &[&str]| {
        let out = bosun()
            .env("BOSUN_MODELS_DIR", models.path())
            .env_remove("ORT_DYLIB_PATH")
            .arg("--data-dir")
            .arg(d)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let out = run(&["index", "add", demo_docs().to_str().unwrap()]);
    assert!(out.contains("BM25 only"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&run(&[
        "--json",
        "ask",
        "rotate the compass-payments Postgres credentials",
    ]))
    .unwrap();
    assert_eq!(v["index"]["mode"], "bm25");
    assert!(
        v["index"]["note"]
            .as_str()
            .unwrap()
            .starts_with("BM25 only"),
        "{v:#}"
    );
    assert_eq!(
        v["answers"][0]["file"], "runbooks/rotate-payments-db-credentials.md",
        "{v:#}"
    );
    let human = run(&["ask", "rotate the compass-payments Postgres credentials"]);
    assert!(human.contains("BM25 only"), "{human}");
    let s: serde_json::Value = serde_json::from_str(&run(&["--json", "index", "status"])).unwrap();
    assert_eq!(s["embedded"], 0);
    assert!(s["available_model"].is_null());
    assert!(
        s["note"].as_str().unwrap().contains("no embedding model"),
        "{s:#}"
    );
}
