//! Who knows a topic: the cited documents' owners, authors and reviewers (from their header
//! lines), the people who changed those files (git history, when the root is a work tree), and the
//! people who author and review pull requests in the repositories the question or the passages
//! name. Names are linked to people in the store when they match.

use crate::error::Result;
use bosun_store::Store;
use regex::Regex;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// Someone to ask about a question, from the documents cited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expert {
    /// Their name.
    pub name: String,
    /// The person's key in the store, when the name is linked to one.
    pub person: Option<String>,
    /// Their team, when known.
    pub team: Option<String>,
    /// How strongly the documents point at them.
    pub score: f64,
    /// Why: "owner of incidents/incident-process.md", "3 commits to runbooks/x.md", ...
    pub reasons: Vec<String>,
    /// Of `reasons`, those from the cited documents themselves (owners, authors, commits to
    /// them), not from the repositories they name.
    #[serde(skip)]
    pub doc_reasons: Vec<String>,
    /// The cited documents those reasons are about (paths in their folder).
    #[serde(skip)]
    pub documents: Vec<String>,
}

/// A cited document.
#[derive(Debug, Clone)]
pub struct Cited<'a> {
    /// The indexed folder.
    pub root: &'a str,
    /// The document's path in it.
    pub path: &'a str,
    /// The document's text.
    pub text: &'a str,
}

fn name_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\b([A-Z][\p{L}'’-]+(?:\s+(?:van|de|da|von|O'|Mc)?\s*[A-Z][\p{L}'’-]+){1,2})\b")
            .unwrap_or_else(|e| unreachable!("{e}"))
    })
}

fn role_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)^[\s>*_-]*(?:\*\*)?(owners?|authors?|maintainers?|reviewers?|written by|created by)(?:\*\*)?\s*:?\s*(?:\*\*)?\s*(.+)$")
            .unwrap_or_else(|e| unreachable!("{e}"))
    })
}

fn created_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)(created|last updated|updated|written)\s+by\s+([A-Z][^,.;<]+)")
            .unwrap_or_else(|e| unreachable!("{e}"))
    })
}

/// People named in a document's header (its first 25 lines): (name, role, weight).
pub fn doc_authors(text: &str) -> Vec<(String, &'static str, f64)> {
    let mut out = Vec::new();
    let plain = crate::html::visible_text(&text.lines().take(40).collect::<Vec<_>>().join("\n"));
    for line in plain.lines().take(25) {
        if let Some(c) = role_re().captures(line) {
            let role = c[1].to_lowercase();
            let (label, weight) = if role.starts_with("review") {
                ("reviewer", 1.0)
            } else if role.starts_with("author")
                || role.starts_with("written")
                || role.starts_with("created")
            {
                ("author", 3.0)
            } else {
                ("owner", 3.0)
            };
            for m in name_re().captures_iter(&c[2]) {
                out.push((m[1].trim().to_string(), label, weight));
            }
            continue;
        }
        for c in created_re().captures_iter(line) {
            let label = if c[1].to_lowercase().contains("updated") {
                "editor"
            } else {
                "author"
            };
            if let Some(m) = name_re().captures(&c[2]) {
                out.push((m[1].trim().to_string(), label, 2.0));
            }
        }
    }
    // Words like "Applies To" are not people: a name has no common words.
    out.retain(|(n, _, _)| {
        !n.split_whitespace().any(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "applies"
                    | "to"
                    | "the"
                    | "last"
                    | "reviewed"
                    | "service"
                    | "team"
                    | "status"
                    | "date"
            )
        })
    });
    out
}

/// Authors of commits that touched `path` (relative to `root`) in the git work tree containing it:
/// (name, commits). Looks at the last 1,000 commits.
pub fn git_authors(root: &Path, path: &str) -> Vec<(String, usize)> {
    let Ok(repo) = git2::Repository::discover(root) else {
        return Vec::new();
    };
    let Some(workdir) = repo.workdir() else {
        return Vec::new();
    };
    let (Ok(workdir), Ok(abs)) = (
        std::fs::canonicalize(workdir),
        std::fs::canonicalize(root.join(path)),
    ) else {
        return Vec::new();
    };
    let Ok(rel) = abs.strip_prefix(&workdir) else {
        return Vec::new();
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    let Ok(mut walk) = repo.revwalk() else {
        return Vec::new();
    };
    if walk.push_head().is_err() {
        return Vec::new();
    }
    for oid in walk.take(1000).flatten() {
        let Ok(commit) = repo.find_commit(oid) else {
            continue;
        };
        let entry = |c: &git2::Commit<'_>| {
            c.tree()
                .ok()
                .and_then(|t| t.get_path(rel).ok())
                .map(|e| e.id())
        };
        let mine = entry(&commit);
        if mine.is_none() {
            continue;
        }
        let changed = if commit.parent_count() == 0 {
            true
        } else {
            commit.parents().all(|p| entry(&p) != mine)
        };
        if changed {
            let name = commit.author().name().unwrap_or("unknown").to_string();
            *counts.entry(name).or_default() += 1;
        }
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Repository and service names known to the store (for the identifier boost and expertise).
pub fn known_names(store: &Store) -> Result<Vec<String>> {
    let names = bosun_store::knowledge::known_names(store.conn())?;
    Ok(names.into_iter().filter(|n| n.len() >= 3).collect())
}

/// Experts for a question and the passages cited for it, best first (at most `limit`).
pub fn experts(
    store: &Store,
    query: &str,
    cited: &[Cited<'_>],
    known: &[String],
    now: i64,
    limit: usize,
) -> Result<Vec<Expert>> {
    let mut by_name: HashMap<String, Expert> = HashMap::new();
    let mut add = |name: &str,
                   person: Option<String>,
                   team: Option<String>,
                   score: f64,
                   reason: String,
                   from_doc: Option<&str>| {
        // One entry per person (a name and a login of one person are one expert), else per
        // name as written.
        let e = by_name
            .entry(person.clone().unwrap_or_else(|| name.to_lowercase()))
            .or_insert_with(|| Expert {
                name: name.to_string(),
                person: None,
                team: None,
                score: 0.0,
                reasons: Vec::new(),
                doc_reasons: Vec::new(),
                documents: Vec::new(),
            });
        e.score += score;
        if e.person.is_none() {
            e.person = person;
        }
        if e.team.is_none() {
            e.team = team;
        }
        if let Some(doc) = from_doc {
            if !e.doc_reasons.contains(&reason) {
                e.doc_reasons.push(reason.clone());
            }
            if !e.documents.iter().any(|d| d == doc) {
                e.documents.push(doc.to_string());
            }
        }
        if !e.reasons.contains(&reason) {
            e.reasons.push(reason);
        }
    };
    let mut seen_docs = Vec::new();
    for (rank, c) in cited.iter().enumerate() {
        if seen_docs.contains(&(c.root, c.path)) {
            continue;
        }
        seen_docs.push((c.root, c.path));
        // Earlier citations count more.
        let w = 1.0 / (1.0 + rank as f64 * 0.5);
        let file = Path::new(c.root).join(c.path);
        let header = std::fs::read_to_string(&file).unwrap_or_else(|_| c.text.to_string());
        let named = doc_authors(&header);
        let has_owner = !named.is_empty();
        for (name, role, weight) in named {
            let linked = bosun_store::knowledge::person_by_name(store.conn(), &name)?;
            let (display, key, team) = match linked {
                Some((n, k, t)) => (n, Some(k), t),
                None => (name.clone(), None, None),
            };
            add(
                &display,
                key,
                team,
                weight * w,
                format!("{role} of {}", c.path),
                Some(c.path),
            );
        }
        if !c.root.starts_with("store:") {
            for (name, commits) in git_authors(Path::new(c.root), c.path).into_iter().take(3) {
                let linked = bosun_store::knowledge::person_by_name(store.conn(), &name)?;
                // A page that names its owner is answered for by its owner: committers nobody
                // here knows (the docs' repository may be another team's, or a tool's) are not
                // experts on it.
                let (display, key, team) = match linked {
                    Some((n, k, t)) => (n, Some(k), t),
                    None if has_owner => continue,
                    None => (name.clone(), None, None),
                };
                let s = if commits == 1 { "" } else { "s" };
                add(
                    &display,
                    key,
                    team,
                    (commits as f64).min(5.0) * 0.5 * w,
                    format!("{commits} commit{s} to {}", c.path),
                    Some(c.path),
                );
            }
        }
    }
    // Repositories and services named in the question or the top passage.
    let mut names = crate::search::identifiers(query, known);
    if let Some(top) = cited.first() {
        for n in crate::search::identifiers(top.text, known) {
            if known.iter().any(|k| k.eq_ignore_ascii_case(&n)) && !names.contains(&n) {
                names.push(n);
            }
        }
    }
    let since = now - 180 * 86_400;
    for n in names
        .iter()
        .filter(|n| known.iter().any(|k| k.eq_ignore_ascii_case(n)))
        .take(3)
    {
        for c in bosun_store::knowledge::repo_contributors(store.conn(), n, since)? {
            let (name, key, team, prs, reviews) =
                (c.name, c.key, c.team, c.prs_authored, c.reviews_given);
            let score = ((prs + reviews) as f64 * 0.1).min(2.5);
            add(
                &name,
                Some(key),
                team,
                score,
                format!("{prs} PRs and {reviews} reviews in {n} (180 days)"),
                None,
            );
        }
    }
    let mut out: Vec<Expert> = by_name.into_values().collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
    out.truncate(limit);
    for e in &mut out {
        e.score = (e.score * 100.0).round() / 100.0;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A commit of `file` with `text`, by `who`.
    fn commit(repo: &git2::Repository, file: &str, text: &str, who: &str) {
        std::fs::write(repo.workdir().unwrap().join(file), text).unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new(file)).unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig =
            git2::Signature::now(who, &format!("{}@example.com", who.replace(' ', "."))).unwrap();
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, "docs", &tree, &parents)
            .unwrap();
    }

    #[test]
    fn a_page_with_an_owner_is_not_answered_for_by_unknown_committers() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        commit(
            &repo,
            "owned.md",
            "# Runbook\n\nOwner: Elena Petrova\n\nRestart it.\n",
            "Tool Author",
        );
        commit(&repo, "loose.md", "# Notes\n\nRestart it.\n", "Tool Author");
        let store = Store::open_in_memory().unwrap();
        let root = dir.path().display().to_string();
        let ask = |path: &str| {
            let cited = [Cited {
                root: &root,
                path,
                text: "Restart it.",
            }];
            experts(&store, "restart", &cited, &[], 0, 5).unwrap()
        };
        let owned: Vec<String> = ask("owned.md").into_iter().map(|e| e.name).collect();
        assert_eq!(
            owned,
            ["Elena Petrova"],
            "the committer is nobody here: the owner answers"
        );
        let loose: Vec<String> = ask("loose.md").into_iter().map(|e| e.name).collect();
        assert_eq!(
            loose,
            ["Tool Author"],
            "without an owner, the committers are all we know"
        );
    }

    #[test]
    fn owners_authors_and_reviewers_from_headers() {
        let md = "# 3. Use locks\n\n- Date: 2025-07-21\n- Status: Accepted\n- Author: Liam O'Connor\n- Reviewers: Fatima Haddad, Tomás Ruiz\n";
        let got: Vec<(String, &str)> = doc_authors(md)
            .into_iter()
            .map(|(n, r, _)| (n, r))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Liam O'Connor".to_string(), "author"),
                ("Fatima Haddad".to_string(), "reviewer"),
                ("Tomás Ruiz".to_string(), "reviewer")
            ]
        );
        let owner = doc_authors(
            "# Incident process\n\nOwner: Elena Petrova. Applies to all engineering teams.\n",
        );
        assert_eq!(owner[0].0, "Elena Petrova");
        let html = "<p class=\"page-metadata\">Created by Daniel Mensah, last updated by Elena Petrova on 2026-01-12.</p>";
        let names: Vec<String> = doc_authors(html).into_iter().map(|x| x.0).collect();
        assert_eq!(names, vec!["Daniel Mensah", "Elena Petrova"]);
        let txt = "Owner:        Harbor (Jonas Becker)\n";
        assert_eq!(doc_authors(txt)[0].0, "Jonas Becker");
    }
}
