//! The detectors, one module per area. Each appends the signals that hold at `as_of` for the
//! scope's teams (or, for the global ones, everywhere).

pub mod chat;
pub mod checks;
pub mod deploys;
pub mod docs;
pub mod ops;
pub mod ownership;
pub mod prs;
pub mod reviews;
pub mod sprints;
pub mod tickets;

use crate::ctx::Ctx;
use bosun_metrics::data::PullRequest;

/// A CODEOWNERS pattern as a matcher over repository-relative paths (gitignore-style: a leading
/// `/` or an inner `/` anchors to the root, a trailing `/` matches a directory, `*` and `?` stay
/// within a segment, `**` crosses them). A pattern also matches everything below a directory it
/// names.
pub struct OwnerPattern {
    glob: Vec<u8>,
    anchored: bool,
    dir: bool,
    pub everything: bool,
}

impl OwnerPattern {
    pub fn new(pattern: &str) -> OwnerPattern {
        let p = pattern.trim();
        let everything = matches!(p, "*" | "/*" | "**" | "/**");
        let anchored = p.starts_with('/') || p.trim_end_matches('/').contains('/');
        let body = p.trim_start_matches('/');
        OwnerPattern {
            dir: body.ends_with('/'),
            glob: body.trim_end_matches('/').as_bytes().to_vec(),
            anchored,
            everything,
        }
    }

    pub fn matches(&self, path: &str) -> bool {
        if self.everything {
            return true;
        }
        let t = path.trim_start_matches('/').as_bytes();
        let mut starts = vec![0];
        if !self.anchored {
            starts.extend(
                t.iter()
                    .enumerate()
                    .filter(|(_, c)| **c == b'/')
                    .map(|(i, _)| i + 1),
            );
        }
        starts.into_iter().any(|s| {
            let mut ends = Vec::new();
            glob_ends(&self.glob, t, 0, s, &mut ends);
            ends.into_iter().any(|e| {
                if self.dir {
                    e < t.len() && t[e] == b'/'
                } else {
                    e == t.len() || t[e] == b'/'
                }
            })
        })
    }
}

/// Every end position at which `p[pi..]` matches `t[ti..end]`.
fn glob_ends(p: &[u8], t: &[u8], pi: usize, ti: usize, out: &mut Vec<usize>) {
    if pi == p.len() {
        out.push(ti);
        return;
    }
    match p[pi] {
        b'*' if p.get(pi + 1) == Some(&b'*') => {
            for k in ti..=t.len() {
                glob_ends(p, t, pi + 2, k, out);
            }
        }
        b'*' => {
            let mut k = ti;
            loop {
                glob_ends(p, t, pi + 1, k, out);
                if k == t.len() || t[k] == b'/' {
                    break;
                }
                k += 1;
            }
        }
        b'?' => {
            if ti < t.len() && t[ti] != b'/' {
                glob_ends(p, t, pi + 1, ti + 1, out);
            }
        }
        c => {
            if ti < t.len() && t[ti] == c {
                glob_ends(p, t, pi + 1, ti + 1, out);
            }
        }
    }
}

/// Who should review `pr`: individual code owners of the files it touches (later rules win),
/// else of the catch-all rule and its teams, else the author's team; never the author or a bot;
/// the one with the fewest pending review requests first.
pub fn suggest_reviewer(cx: &Ctx<'_>, pr: &PullRequest) -> Option<i64> {
    let extra = cx.input.extra;
    let rules = extra
        .repos
        .get(&pr.repo)
        .map(|r| r.code_owners.as_slice())
        .unwrap_or_default();
    let paths = extra
        .prs
        .get(&pr.id)
        .map(|x| x.paths.as_slice())
        .unwrap_or_default();
    let mut owners: Vec<&str> = Vec::new();
    for path in paths {
        if let Some(rule) = rules
            .iter()
            .rev()
            .find(|r| OwnerPattern::new(&r.pattern).matches(path))
        {
            owners.extend(rule.owners.iter().map(String::as_str));
        }
    }
    if owners.is_empty()
        && let Some(rule) = rules
            .iter()
            .find(|r| OwnerPattern::new(&r.pattern).everything)
    {
        owners.extend(rule.owners.iter().map(String::as_str));
    }
    let mut candidates: Vec<i64> = Vec::new();
    for o in owners {
        if let Some(slug) = o.split('/').nth(1) {
            if let Some(t) = cx.team(slug) {
                candidates.extend(t.members.iter().copied());
            }
        } else if let Some(p) = cx.person_by_login.get(o) {
            candidates.push(*p);
        }
    }
    if candidates.is_empty()
        && let Some(team) = cx.repo_team(pr.repo).and_then(|k| cx.team(k))
    {
        candidates.extend(team.members.iter().copied());
    }
    candidates.sort_unstable();
    candidates.dedup();
    candidates
        .into_iter()
        .filter(|c| Some(*c) != pr.author)
        .filter(|c| cx.person(*c).is_some_and(|p| !p.is_bot))
        .min_by_key(|c| (cx.pending(*c), cx.name(Some(*c))))
}

#[cfg(test)]
mod tests {
    use super::OwnerPattern;

    #[test]
    fn codeowners_patterns() {
        let m = |p: &str, path: &str| OwnerPattern::new(p).matches(path);
        assert!(m("*", "anything/at/all.rs"));
        assert!(m("/src/refunds/", "src/refunds/api.kt"));
        assert!(!m("/src/refunds/", "lib/src/refunds/api.kt"));
        assert!(m("docs/", "a/docs/x.md"));
        assert!(m("*.go", "cmd/auth/api.go"));
        assert!(!m("*.go", "cmd/auth/api.kt"));
        assert!(m("/migrations/", "migrations/001.sql"));
        assert!(m("src/**/api.kt", "src/a/b/api.kt"));
        assert!(!m("/deploy/", "deployment/x"));
    }
}
