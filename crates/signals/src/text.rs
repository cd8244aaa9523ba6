//! Finding references in free text: ticket keys (`TIDE-262`) and pull requests (`harbor-auth#187`,
//! `tidewater/harbor-auth#187`, or a GitHub pull URL).

use regex::Regex;
use std::sync::OnceLock;

fn ticket_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\b([A-Z][A-Z0-9]{1,9}-[0-9]{1,7})\b").expect("valid regex"))
}

fn pr_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?:https?://[^\s/]+/([\w.-]+/[\w.-]+)/pull/([0-9]+))|(?:\b([\w.-]+(?:/[\w.-]+)?)#([0-9]+))",
        )
        .expect("valid regex")
    })
}

/// A reference found in text, in the order it appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    /// A ticket key (`PAY-1042`).
    Ticket(String),
    /// (repository as written — `owner/name` or `name` — and number).
    Pull(String, i64),
}

/// Ticket keys mentioned in `text`, in order, without repeats.
pub fn ticket_keys(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    add_ticket_keys(text, &mut out);
    out
}

/// The ticket keys of `text` not yet in `out`, appended in order.
pub fn add_ticket_keys(text: &str, out: &mut Vec<String>) {
    for m in ticket_re().find_iter(text) {
        if !out.iter().any(|k| k == m.as_str()) {
            out.push(m.as_str().to_string());
        }
    }
}

/// Every ticket and pull-request reference in `text`, in order of appearance.
pub fn refs(text: &str) -> Vec<Ref> {
    let mut found: Vec<(usize, Ref)> = Vec::new();
    for c in pr_re().captures_iter(text) {
        let start = c.get(0).map_or(0, |m| m.start());
        let (repo, num) = match (c.get(1), c.get(2), c.get(3), c.get(4)) {
            (Some(r), Some(n), _, _) | (_, _, Some(r), Some(n)) => (r.as_str(), n.as_str()),
            _ => continue,
        };
        if let Ok(n) = num.parse() {
            found.push((start, Ref::Pull(repo.to_string(), n)));
        }
    }
    for m in ticket_re().find_iter(text) {
        // Skip keys inside a PR reference (`tide-1#2` cannot happen: keys are upper case).
        found.push((m.start(), Ref::Ticket(m.as_str().to_string())));
    }
    found.sort_by_key(|(i, _)| *i);
    let mut out: Vec<Ref> = Vec::new();
    for (_, r) in found {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// The clauses of `text` that name a blocker: from a phrase (case-insensitive) to the next `;`,
/// `.` followed by a space, or line end.
pub fn blocker_clauses<'t>(text: &'t str, phrases: &[String]) -> Vec<&'t str> {
    let lower = text.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII; fall back to no match then.
    if lower.len() != text.len() {
        return Vec::new();
    }
    let mut starts: Vec<usize> = Vec::new();
    for p in phrases {
        let p = p.to_lowercase();
        if p.is_empty() {
            continue;
        }
        let mut from = 0;
        while let Some(i) = lower[from..].find(&p) {
            starts.push(from + i);
            from += i + p.len();
        }
    }
    starts.sort_unstable();
    starts.dedup();
    let mut out = Vec::new();
    let mut covered = 0;
    for s in starts {
        if s < covered {
            continue;
        }
        let rest = &text[s..];
        let end = rest
            .char_indices()
            .find(|&(i, c)| {
                c == ';'
                    || c == '\n'
                    || (c == '.' && rest[i + 1..].starts_with([' ', '\n']))
                    || (c == '.' && i + 1 == rest.len())
            })
            .map_or(rest.len(), |(i, _)| i);
        out.push(&rest[..end]);
        covered = s + end;
    }
    out
}

/// `1 blocker`, `3 blockers`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tickets_and_pulls_in_order() {
        let t = "blocked on TIDE-262: waiting for TIDE-105 to land; waiting for review on harbor-auth#187 (88h) and https://github.com/tidewater/harbor-gateway/pull/12";
        assert_eq!(
            refs(t),
            vec![
                Ref::Ticket("TIDE-262".into()),
                Ref::Ticket("TIDE-105".into()),
                Ref::Pull("harbor-auth".into(), 187),
                Ref::Pull("tidewater/harbor-gateway".into(), 12),
            ]
        );
        assert_eq!(
            ticket_keys("TIDE-1 fix, TIDE-1 again, OPS-22"),
            ["TIDE-1", "OPS-22"]
        );
        assert!(ticket_keys("utf-8 and x-1 are not keys").is_empty());
    }

    #[test]
    fn blocker_clauses_stop_at_the_clause_end() {
        let phrases: Vec<String> = vec!["blocked on".into(), "waiting for review on".into()];
        let t = "Today: TIDE-1. Blockers: blocked on TIDE-262: waiting for TIDE-105 to land; waiting for review on harbor-auth#187 (88h).";
        assert_eq!(
            blocker_clauses(t, &phrases),
            vec![
                "blocked on TIDE-262: waiting for TIDE-105 to land",
                "waiting for review on harbor-auth#187 (88h)"
            ]
        );
        assert!(blocker_clauses("No blockers.", &phrases).is_empty());
    }
}
