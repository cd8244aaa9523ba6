//! What is removed from a note before it goes to a language model, and put back after.
//!
//! Always: secrets and email addresses. With the `names` privacy tier also people's names (and
//! logins), in any letter case, which become `Person 1`, `Person 2`… and are restored in the
//! answer; secrets and emails are never restored (the model never saw them, so the polished text
//! carries the placeholder, and the caller keeps the deterministic note whenever a placeholder
//! would be left in).
//!
//! Secrets are found by shape and by context, and redacted conservatively (a false positive costs
//! a `[secret]` in a prompt; a false negative sends a credential away):
//! - provider token shapes (GitHub, GitLab, Slack including `xoxe.` rotation tokens, AWS key ids,
//!   OpenAI/Anthropic, Stripe, Google, npm, Hugging Face, PyPI, SendGrid, Atlassian, PagerDuty
//!   user keys and routing keys), JWTs, Slack/Discord/Teams webhook URLs;
//! - PEM blocks, from `-----BEGIN` to `-----END` (or the end of the text), and the tail of a
//!   private key whose `BEGIN` line was cut off;
//! - credentials in a URL (`postgres://user:pass@host` keeps only scheme and host);
//! - `Authorization:` values and `Bearer`/`Basic` credentials;
//! - the value after a secret-named key in `key=value`, `KEY="…"`, JSON `"key": "…"` and YAML
//!   `key: …` forms (password, passwd, pwd, passphrase, secret, token, credential(s), any `…key`),
//!   quoted values whole (symbols and spaces included), bare values up to the next whitespace;
//! - a bare 32-hex string outside a URL (API keys: PagerDuty integration keys and the like), and a
//!   long run of letters and digits mixing cases and digits (a random key).
//!
//! Kept on purpose: a bare 40-hex (or 64-hex) string. Notes cite commits by sha in prose and in
//! evidence links (`…/commit/<sha>`), and the polish refuses an answer that loses a link, so shas
//! must reach the model; a 40-hex *key* is redacted when it stands in a credential context
//! (`api_key=…`, `"token": "…"`, `Authorization: token …`, `X-Api-Key: …`, a URL's user info).

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::OnceLock;

/// What the polish may send to a language model.
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
    /// `standard`, `names` or `local`.
    pub fn parse(s: &str) -> Option<PrivacyTier> {
        match s {
            "standard" => Some(PrivacyTier::Standard),
            "names" => Some(PrivacyTier::Names),
            "local" => Some(PrivacyTier::Local),
            _ => None,
        }
    }
}

/// What a redacted secret becomes.
pub const SECRET: &str = "[secret]";
/// What a redacted email address becomes.
pub const EMAIL: &str = "[email]";

/// A redacted text and how to put the names back.
#[derive(Debug, Clone, PartialEq)]
pub struct Redacted {
    /// The redacted text.
    pub text: String,
    /// (placeholder, original), longest placeholder first.
    names: Vec<(String, String)>,
    /// Secrets redacted.
    pub secrets: usize,
    /// Email addresses redacted.
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

    /// Names redacted.
    pub fn names_redacted(&self) -> usize {
        self.names.len()
    }
}

/// Redact `text` for `tier`; `names` are the people (names and logins) to hide with `Names`.
pub fn redact(text: &str, tier: PrivacyTier, names: &[String]) -> Redacted {
    let (text, secrets) = replace_spans(text, &secret_spans(text), SECRET);
    let (mut text, emails) = replace_spans(&text, &email_spans(&text), EMAIL);
    let mut mapping = Vec::new();
    if tier != PrivacyTier::Standard {
        // Longest first, so "Chen Wei" goes before "Chen"; each through a marker, numbered by
        // first appearance afterwards (Person 1 is whoever the note mentions first).
        // Any letter case ("CHEN WEI", "chen wei"), any run of spaces between the parts.
        let mut sorted: Vec<&String> = names.iter().filter(|n| n.chars().count() >= 3).collect();
        sorted.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        sorted.dedup_by(|a, b| a.to_lowercase() == b.to_lowercase());
        let mut found: Vec<&String> = Vec::new();
        for name in sorted {
            let spans = name_spans(&text, name);
            if !spans.is_empty() {
                let marker = format!("\u{1}{}\u{2}", found.len());
                text = replace_spans(&text, &spans, &marker).0;
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

/// `text` with each of `spans` (sorted, not overlapping) replaced by `with`, and how many.
fn replace_spans(text: &str, spans: &[Range<usize>], with: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for s in spans {
        out.push_str(&text[last..s.start]);
        out.push_str(with);
        last = s.end;
    }
    out.push_str(&text[last..]);
    (out, spans.len())
}

/// Sorted, overlapping spans merged into one.
fn merge(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.retain(|s| s.start < s.end);
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

/// Where the secrets of `text` are (see the module documentation for what counts).
fn secret_spans(text: &str) -> Vec<Range<usize>> {
    static WHOLE: OnceLock<Vec<Regex>> = OnceLock::new();
    static VALUE: OnceLock<Vec<Regex>> = OnceLock::new();
    static BARE_HEX: OnceLock<Regex> = OnceLock::new();
    static URL: OnceLock<Regex> = OnceLock::new();
    static WORD: OnceLock<Regex> = OnceLock::new();
    // Matched whole.
    let whole = WHOLE.get_or_init(|| {
        [
            // PEM blocks (the body and the last line too), and a private key's tail alone.
            r"(?s)-----BEGIN [A-Z0-9 ]+-----.*?(?:-----END [A-Z0-9 ]+-----|\z)",
            r"(?m)(?:^[ \t]*[A-Za-z0-9+/=]{8,}[ \t]*\r?\n)*[^\n]*-----END [A-Z0-9 ]*PRIVATE KEY-----",
            // Provider token shapes.
            r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,})",
            r"\b(?:xox[abposer]-[A-Za-z0-9-]{8,}|xoxe\.xox[a-z]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,})",
            r"\b(?:sk-[A-Za-z0-9_-]{16,}|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,})",
            r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|AROA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b",
            r"\b(?:ATATT[A-Za-z0-9_=-]{20,}|AIza[A-Za-z0-9_-]{30,}|npm_[A-Za-z0-9]{30,}|hf_[A-Za-z0-9]{30,})",
            r"\b(?:pypi-[A-Za-z0-9_-]{40,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}|glc_[A-Za-z0-9+/=]{20,})",
            // PagerDuty: user API keys (`u+…`) and Events v2 routing keys (`R0…`).
            r"\bu\+[A-Za-z0-9_+-]{18,}|\bR0[0-9A-Z]{30}\b",
            // JSON Web Tokens (an unsigned one ends with the dot).
            r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",
            // Webhook URLs: whoever has one can post.
            r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]+",
            r"https?://(?:[a-z]+\.)?discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]+",
            r"https?://[A-Za-z0-9.-]*\.webhook\.office\.com/[^\s)>\]]+",
        ]
        .iter()
        .map(|p| re(p))
        .collect()
    });
    // Only the capture group `s`: the credential, its context kept.
    let value = VALUE.get_or_init(|| {
        [
            // User info in a URL (`scheme://user:pass@host`).
            r"(?i)\b[a-z][a-z0-9+.-]*://(?P<s>[^\s/?#@]+(?:@[^\s/?#@]+)*)@[^\s/?#@]",
            // Authorization header values, with or without a scheme.
            r#"(?i)\bauthorization["']?[ \t]*[:=][ \t]*["']?(?:(?:bearer|basic|token|bot|digest)[ \t]+)?(?P<s>[^\s"']+)"#,
            // Bearer / Basic credentials anywhere (JWTs and opaque tokens alike).
            r"(?i)\b(?:bearer|basic)[ \t]+(?P<s>[A-Za-z0-9._~+/=-]*[0-9+/=._~-][A-Za-z0-9._~+/=-]*)",
            // key=value, KEY="…", "key": "…", key: … for secret-named keys.
            concat!(
                r#"(?i)(?:[A-Za-z0-9_.-]*(?:password|passwd|pwd|passphrase|secret|token|credentials?)"#,
                r#"|[A-Za-z0-9_.-]*[A-Za-z0-9][ _.-]?key|apikey)"#,
                r#"["']?[ \t]*(?:=>|:=|[:=])[ \t]*"#,
                r#"(?:"(?P<dq>(?:[^"\\\n]|\\.)*)"|'(?P<sq>[^'\n]*)'|(?P<s>[^\s"'`]+))"#,
            ),
            // Any `…key=value` (the old rule: `key=`, `apikey=`, `monkey=` alike).
            r#"(?i)[A-Za-z0-9_.-]*key[ \t]*=[ \t]*(?P<s>[^\s"'`]+)"#,
        ]
        .iter()
        .map(|p| re(p))
        .collect()
    });
    let mut spans: Vec<Range<usize>> = Vec::new();
    for r in whole {
        spans.extend(r.find_iter(text).map(|m| m.range()));
    }
    for r in value {
        for c in r.captures_iter(text) {
            let Some(m) = c.name("s").or(c.name("dq")).or(c.name("sq")) else {
                continue;
            };
            let mut range = m.range();
            if c.name("s").is_some() {
                // A bare value loses the punctuation that ends its sentence or bracket.
                let trimmed = m
                    .as_str()
                    .trim_end_matches(['.', ',', ';', ')', ']', '}', '>']);
                range.end = range.start + trimmed.len();
            }
            spans.push(range);
        }
    }
    let urls: Vec<Range<usize>> = URL
        .get_or_init(|| re(r#"[A-Za-z][A-Za-z0-9+.-]*://[^\s<>"'`)\]]+"#))
        .find_iter(text)
        .map(|m| m.range())
        .collect();
    let in_url = |r: &Range<usize>| urls.iter().any(|u| u.start <= r.start && r.end <= u.end);
    // 32-hex API keys, outside URLs (a 40-hex sha stays: see the module documentation).
    for m in BARE_HEX
        .get_or_init(|| re(r"\b[0-9A-Fa-f]{32}\b"))
        .find_iter(text)
    {
        let s = m.as_str();
        let letters = s.chars().any(|c| c.is_ascii_alphabetic());
        let digits = s.chars().any(|c| c.is_ascii_digit());
        if letters && digits && !in_url(&m.range()) {
            spans.push(m.range());
        }
    }
    // Long random-looking words.
    for m in WORD
        .get_or_init(|| re(r#"[^\s()\[\]<>`"'|{},;]+"#))
        .find_iter(text)
    {
        let w = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?']);
        if looks_random(w) && !in_url(&m.range()) {
            spans.push(m.start()..m.start() + w.len());
        }
    }
    merge(spans)
}

/// A long run of letters and digits mixing cases and digits (a key), but not hex (a sha, which
/// notes cite on purpose) or a URL.
fn looks_random(w: &str) -> bool {
    let long = w.len() >= 24
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '='));
    let hex = w.chars().all(|c| c.is_ascii_hexdigit());
    let mixed = w.chars().any(|c| c.is_ascii_uppercase())
        && w.chars().any(|c| c.is_ascii_lowercase())
        && w.chars().any(|c| c.is_ascii_digit());
    long && !hex && mixed && !w.contains("://")
}

/// Whether `w` holds a secret (the whole word is not needed: any secret inside counts).
pub fn is_secret(w: &str) -> bool {
    !secret_spans(w).is_empty()
}

/// Email addresses, wherever they stand: joined by commas, wrapped in Markdown, before a `/`.
fn email_spans(text: &str) -> Vec<Range<usize>> {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        re(r"[A-Za-z0-9%+-][A-Za-z0-9._%+-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}")
    })
    .find_iter(text)
    .map(|m| m.range())
    .collect()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// Where `name` stands in `text` as whole words, in any letter case.
fn name_spans(text: &str, name: &str) -> Vec<Range<usize>> {
    let parts: Vec<String> = name.split_whitespace().map(regex::escape).collect();
    let Ok(re) = Regex::new(&format!("(?i){}", parts.join(r"\s+"))) else {
        return Vec::new();
    };
    re.find_iter(text)
        .filter(|m| {
            let before = text[..m.start()]
                .chars()
                .next_back()
                .is_none_or(|c| !is_word_char(c));
            let after = text[m.end()..]
                .chars()
                .next()
                .is_none_or(|c| !is_word_char(c));
            before && after
        })
        .map(|m| m.range())
        .collect()
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

    #[derive(serde::Deserialize)]
    struct Corpus {
        secret: Vec<SecretCase>,
        keep: Vec<KeepCase>,
    }

    #[derive(serde::Deserialize)]
    struct SecretCase {
        name: String,
        text: String,
        secrets: Vec<String>,
    }

    #[derive(serde::Deserialize)]
    struct KeepCase {
        name: String,
        text: String,
    }

    fn corpus() -> Corpus {
        toml::from_str(include_str!("../tests/fixtures/secrets.toml")).expect("valid corpus")
    }

    /// Issue 16 (6): comma-joined and Markdown-wrapped emails, JWTs after `Bearer`, quoted,
    /// JSON and YAML passwords, PagerDuty and hex keys, webhooks, URL credentials, `xoxe.`
    /// tokens, the last line of a private key… all went out unredacted.
    #[test]
    fn redaction_misses_no_secret_format_of_the_corpus() {
        let corpus = corpus();
        assert!(corpus.secret.len() >= 20, "the corpus covers every format");
        let mut leaks = Vec::new();
        for case in &corpus.secret {
            let r = redact(&case.text, PrivacyTier::Standard, &[]);
            for secret in &case.secrets {
                assert!(
                    case.text.contains(secret.as_str()),
                    "{}: bad fixture",
                    case.name
                );
                if r.text.contains(secret.as_str()) {
                    leaks.push(format!("{}: {secret} survived in {:?}", case.name, r.text));
                }
            }
            if r.secrets + r.emails == 0 {
                leaks.push(format!("{}: nothing counted", case.name));
            }
        }
        assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    }

    #[test]
    fn redaction_keeps_ordinary_text_shas_and_links() {
        for case in corpus().keep {
            let r = redact(&case.text, PrivacyTier::Standard, &[]);
            assert_eq!(r.text, case.text, "{}", case.name);
            assert_eq!((r.secrets, r.emails), (0, 0), "{}", case.name);
        }
    }

    #[test]
    fn redaction_keeps_the_context_of_a_secret() {
        let r = redact(
            "DB_PASSWORD=\"p@ss w0rd\" then postgres://u:p@db.internal:5432/app, \
             {\"password\": \"x\"}, token: abc. Ask a@b.dev,c@d.dev",
            PrivacyTier::Standard,
            &[],
        );
        assert_eq!(
            r.text,
            "DB_PASSWORD=\"[secret]\" then postgres://[secret]@db.internal:5432/app, \
             {\"password\": \"[secret]\"}, token: [secret]. Ask [email],[email]"
        );
        assert_eq!((r.secrets, r.emails), (4, 2));
    }

    /// Issue 16 (6): "chen wei" or "CHEN WEI" went to the model with the `names` tier.
    #[test]
    fn name_redaction_misses_no_case_variant() {
        let people = vec!["Chen Wei".to_string(), "priya-nat".to_string()];
        let text = "chen wei and CHEN WEI and Chen\n Wei; Priya-Nat and PRIYA-NAT. Chenille stays.";
        let r = redact(text, PrivacyTier::Names, &people);
        assert_eq!(
            r.text,
            "Person 1 and Person 1 and Person 1; Person 2 and Person 2. Chenille stays."
        );
        assert_eq!(
            r.restore("Person 1 helped Person 2"),
            "Chen Wei helped priya-nat"
        );
    }
}
