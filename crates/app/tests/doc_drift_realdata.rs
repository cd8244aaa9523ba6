//! Doc drift on a real project nobody here wrote: pyenv's documentation (README, COMMANDS,
//! CONTRIBUTING) and the code it describes (libexec/, completions/), as released
//! (tests/fixtures/pyenv/SOURCE.txt), in a git repository built from those files. As released,
//! none of what the docs name is stale. Then two changes a maintainer could make — rename
//! `PYENV_HOOK_PATH` in the code, drop `PYENV_DIR` — and exactly the doc lines naming them are
//! flagged, with the commit and the new name; nothing else of the real docs is.

use bosun_app::doc_drift::{Repo, stale_refs};
use bosun_connectors::git::drift;
use git2::{Repository, Signature, Time};
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pyenv")
}

/// Every code file of the fixture: (path in the repository, content).
fn code() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["libexec", "completions"] {
        let mut names: Vec<_> = std::fs::read_dir(fixture().join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        for n in names {
            let text = std::fs::read_to_string(fixture().join(dir).join(&n)).unwrap();
            out.push((format!("{dir}/{n}"), text));
        }
    }
    out
}

fn commit(repo: &Repository, at: i64, msg: &str, files: &[(String, String)]) {
    let mut index = repo.index().unwrap();
    for (path, content) in files {
        let full = repo.workdir().unwrap().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, content).unwrap();
        index.add_path(Path::new(path)).unwrap();
    }
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::new("A Maintainer", "maintainer@example.org", &Time::new(at, 0)).unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
        .unwrap();
}

fn docs() -> Vec<(&'static str, String)> {
    ["README.md", "COMMANDS.md", "CONTRIBUTING.md"]
        .into_iter()
        .map(|d| (d, std::fs::read_to_string(fixture().join(d)).unwrap()))
        .collect()
}

fn repo_facts(dir: &Path) -> Repo {
    let g = bosun_connectors::git::open(dir).unwrap();
    Repo {
        name: "pyenv".into(),
        team: None,
        facts: std::sync::Arc::new(drift::facts(&g, drift::MAX_COMMITS).unwrap()),
    }
}

#[test]
#[allow(clippy::print_stderr)] // the figures the closing note reports
fn the_real_docs_are_clean_as_released_and_exactly_the_changed_names_go_stale() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let released = code();
    commit(&repo, 1_700_000_000, "pyenv as released", &released);

    // As released: the docs name real variables and files, none stale.
    let facts = repo_facts(dir.path());
    let mut named = 0;
    let mut found = 0;
    for (_, text) in docs() {
        for r in bosun_knowledge::references::references(&text) {
            named += 1;
            let at_head = facts.has(&r);
            found += usize::from(at_head);
        }
        assert!(stale_refs(&text, std::slice::from_ref(&facts)).is_empty());
    }
    eprintln!("pyenv docs: {named} references, {found} found in the code at HEAD");
    assert!(named >= 20 && found >= 5, "{named} named, {found} found");

    // A rename in the code, then a variable dropped.
    let renamed: Vec<(String, String)> = released
        .iter()
        .filter(|(_, t)| t.contains("PYENV_HOOK_PATH"))
        .map(|(p, t)| (p.clone(), t.replace("PYENV_HOOK_PATH", "PYENV_HOOKS_PATH")))
        .collect();
    assert!(!renamed.is_empty());
    commit(
        &repo,
        1_700_100_000,
        "Rename PYENV_HOOK_PATH to PYENV_HOOKS_PATH",
        &renamed,
    );
    let dropped: Vec<(String, String)> = released
        .iter()
        .filter(|(_, t)| t.contains("PYENV_DIR"))
        .map(|(p, t)| {
            let kept = renamed
                .iter()
                .find(|(q, _)| q == p)
                .map_or(t.as_str(), |(_, t)| t.as_str());
            let lines: Vec<&str> = kept.lines().filter(|l| !l.contains("PYENV_DIR")).collect();
            (p.clone(), format!("{}\n", lines.join("\n")))
        })
        .collect();
    assert!(!dropped.is_empty());
    commit(
        &repo,
        1_700_200_000,
        "Drop PYENV_DIR: always start from the working directory",
        &dropped,
    );

    let facts = repo_facts(dir.path());
    let mut flagged = Vec::new();
    let mut expected = Vec::new();
    for (doc, text) in docs() {
        for (i, line) in text.lines().enumerate() {
            for name in ["PYENV_HOOK_PATH", "PYENV_DIR"] {
                if line.contains(&format!("`{name}`")) || line.contains(&format!("${name}")) {
                    expected.push((doc, i + 1, name.to_string()));
                }
            }
        }
        for (r, _, author) in stale_refs(&text, std::slice::from_ref(&facts)) {
            assert_eq!(author.as_deref(), Some("maintainer@example.org"));
            match r.name.as_str() {
                "PYENV_HOOK_PATH" => {
                    assert_eq!(r.renamed_to.as_deref(), Some("PYENV_HOOKS_PATH"));
                    assert_eq!(r.summary, "Rename PYENV_HOOK_PATH to PYENV_HOOKS_PATH");
                }
                "PYENV_DIR" => {
                    assert_eq!(r.renamed_to, None);
                    assert!(r.summary.starts_with("Drop PYENV_DIR"));
                }
                other => panic!(
                    "{doc}:{}: {other} flagged, but the code still has it",
                    r.line
                ),
            }
            flagged.push((doc, r.line, r.name));
        }
    }
    expected.sort();
    expected.dedup();
    flagged.sort();
    assert!(!expected.is_empty());
    assert_eq!(flagged, expected, "precision and recall 1 on the real docs");
    eprintln!(
        "pyenv docs after two changes: {} stale lines flagged, {} expected",
        flagged.len(),
        expected.len()
    );
}
