//! What is removed from a note before it goes to a language model, and put back after.
//!
//! Always: secrets (provider tokens, API keys, bearer values, private keys, long random strings)
//! and email addresses. With the `names` privacy tier also people's names (and logins), which
//! become `Person 1`, `Person 2`… and are restored in the answer; secrets and emails are never
//! restored (the model never saw them, so the polished text carries the placeholder, and the
//! caller keeps the deterministic note whenever a placeholder would be left in).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivacyTier {
    /// Secrets and emails are redacted; names go to the model.
    Standard,
    /// Names and logins are redacted too (and restored in the answer).
    Names,
    /// Nothing leaves the machine: no model is called at all.
    Local,
}

impl PrivacyTier {
    pub fn parse(s: &str) -> Option<PrivacyTier> {
        match s {
            "standard" => Some(PrivacyTier::Standard),
            "names" => Some(PrivacyTier::Names),
            "local" => Some(PrivacyTier::Local),
            _ => None,
        }
    }
}

pub const SECRET: &str = "[secret]";
pub const EMAIL: &str = "[email]";

/// A redacted text and how to put the names back.
#[derive(Debug, Clone, PartialEq)]
pub struct Redacted {
    pub text: String,
    /// (placeholder, original), longest placeholder first.
    names: Vec<(String, String)>,
    pub secrets: usize,
    pub emails: usize,
}

impl Redacted {
    /// Put the names back into a model's answer.
    pub fn restore(&self, answer: &str) -> String {
        let mut out = answer.to_string();
        for (placeholder, original) in &self.names {
            out = out.replace(placeholder, original);
        }
        out
    }

    pub fn names_redacted(&self) -> usize {
        self.names.len()
    }
}

/// Redact `text` for `tier`; `names` are the people (names and logins) to hide with `Names`.
pub fn redact(text: &str, tier: PrivacyTier, names: &[String]) -> Redacted {
    let (text, secrets) = replace_words(text, is_secret, SECRET);
    let (mut text, emails) = replace_words(&text, is_email, EMAIL);
    let mut mapping = Vec::new();
    if tier != PrivacyTier::Standard {
        // Longest first, so "Chen Wei" goes before "Chen"; each through a marker, numbered by
        // first appearance afterwards (Person 1 is whoever the note mentions first).
        let mut sorted: Vec<&String> = names.iter().filter(|n| n.chars().count() >= 3).collect();
        sorted.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        sorted.dedup();
        let mut found: Vec<&String> = Vec::new();
        for name in sorted {
            if contains_word(&text, name) {
                text = replace_word(&text, name, &format!("\u{1}{}\u{2}", found.len()));
                found.push(name);
            }
        }
        let mut numbered: Vec<Option<usize>> = vec![None; found.len()];
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(start) = rest.find('\u{1}') {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find('\u{2}')
                .map_or(rest.len(), |e| start + e);
            let id: usize = rest[start + 1..end].parse().unwrap_or(0);
            let next = numbered.iter().flatten().count() + 1;
            let n = *numbered[id].get_or_insert(next);
            out.push_str(&format!("Person {n}"));
            rest = &rest[(end + 1).min(rest.len())..];
        }
        out.push_str(rest);
        text = out;
        for (id, name) in found.iter().enumerate() {
            if let Some(n) = numbered[id] {
                mapping.push((format!("Person {n}"), (*name).clone()));
            }
        }
        // "Person 12" before "Person 1" when restoring.
        mapping.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(b.0.cmp(&a.0)));
    }
    Redacted {
        text,
        names: mapping,
        secrets,
        emails,
    }
}

/// Words separated by whitespace and brackets, so a secret in `(token: ghp_x)` is a word too.
fn replace_words(text: &str, matches: fn(&str) -> bool, with: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String, count: &mut usize| {
        let trimmed = word.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"']);
        if !trimmed.is_empty() && matches(trimmed) {
            out.push_str(with);
            out.push_str(&word[trimmed.len()..]);
            *count += 1;
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace()
            || matches!(
                c,
                '(' | ')' | '[' | ']' | '<' | '>' | '`' | '"' | '\'' | '|' | '{' | '}'
            )
        {
            flush(&mut word, &mut out, &mut count);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out, &mut count);
    (out, count)
}

fn is_email(w: &str) -> bool {
    let w = w.strip_prefix("mailto:").unwrap_or(w);
    let Some((local, domain)) = w.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// Known token shapes, `key=value` secrets, and long strings that look random.
pub fn is_secret(w: &str) -> bool {
    const PREFIXES: [&str; 14] = [
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
        "xoxb-",
        "xoxp-",
        "xoxa-",
        "xapp-",
        "sk-",
        "AKIA",
        "ATATT",
    ];
    if PREFIXES
        .iter()
        .any(|p| w.starts_with(p) && w.len() >= p.len() + 8)
    {
        return true;
    }
    if w.starts_with("-----BEGIN") {
        return true;
    }
    if let Some((key, value)) = w.split_once('=') {
        let key = key.to_ascii_lowercase();
        if [
            "token", "secret", "password", "passwd", "apikey", "api_key", "key",
        ]
        .iter()
        .any(|k| key.ends_with(k))
            && !value.is_empty()
        {
            return true;
        }
    }
    // A long run of letters and digits mixing cases and digits (a key), but not a git sha (hex,
    // which notes cite on purpose) or a URL.
    let long = w.len() >= 24
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '='));
    let hex = w.chars().all(|c| c.is_ascii_hexdigit());
    let mixed = w.chars().any(|c| c.is_ascii_uppercase())
        && w.chars().any(|c| c.is_ascii_lowercase())
        && w.chars().any(|c| c.is_ascii_digit());
    long && !hex && mixed && !w.contains("://")
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

fn word_positions<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(word).map(|(i, _)| i).filter(move |&i| {
        let before = text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !is_word_char(c));
        let after = text[i + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !is_word_char(c));
        before && after
    })
}

fn contains_word(text: &str, word: &str) -> bool {
    word_positions(text, word).next().is_some()
}

fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for i in word_positions(text, word).collect::<Vec<_>>() {
        out.push_str(&text[last..i]);
        out.push_str(with);
        last = i + word.len();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_emails_never_go_out() {
        let text = "Deploy with ghp_abcdefghijklmnopqrstuvwx1234 (ask chen.wei@tidewater.dev), \
                    token=hunter2hunter2; key AKIAIOSFODNN7EXAMPLE; slack xoxb-1234567890-abcdefghij. \
                    Commit 3fae73e3055a251fe6eb4d1f5606a9ac50f19601 and https://github.com/tidewater/harbor-auth/pull/12 stay.";
        let r = redact(text, PrivacyTier::Standard, &[]);
        for gone in ["ghp_", "chen.wei@", "hunter2", "AKIA", "xoxb-"] {
            assert!(!r.text.contains(gone), "{gone} leaked: {}", r.text);
        }
        assert_eq!((r.secrets, r.emails), (4, 1), "{}", r.text);
        assert!(
            r.text.contains("3fae73e3055a251fe6eb4d1f5606a9ac50f19601"),
            "shas are evidence, not secrets"
        );
        assert!(
            r.text
                .contains("https://github.com/tidewater/harbor-auth/pull/12")
        );
        assert!(
            r.text.contains("(ask [email]),"),
            "punctuation stays: {}",
            r.text
        );
    }

    #[test]
    fn names_are_hidden_and_restored_with_the_names_tier() {
        let people = vec![
            "Chen Wei".to_string(),
            "Chen".to_string(),
            "Ana Lima".to_string(),
            "priya-nat".to_string(),
        ];
        let text =
            "Chen Wei reviewed #12 for Ana Lima; priya-nat is blocked. Chenille is not a name.";
        let r = redact(text, PrivacyTier::Names, &people);
        assert_eq!(
            r.text,
            "Person 1 reviewed #12 for Person 2; Person 3 is blocked. Chenille is not a name."
        );
        assert_eq!(
            r.restore("In short: Person 1 helped Person 2, and Person 3 waits."),
            "In short: Chen Wei helped Ana Lima, and priya-nat waits."
        );
        let standard = redact(text, PrivacyTier::Standard, &people);
        assert_eq!(standard.text, text, "the standard tier keeps names");
        let many: Vec<String> = (1..=12).map(|i| format!("Name{i:02}")).collect();
        let r = redact(&many.join(" "), PrivacyTier::Names, &many);
        assert_eq!(
            r.restore(&r.text),
            many.join(" "),
            "Person 12 is not Person 1 followed by 2"
        );
    }
}
