//! What a document names that code can make wrong: file paths (`scripts/deploy.sh`), environment
//! variables (`GW_UPSTREAM_TIMEOUT_MS`), make targets (`make seed-db`), endpoints, configuration
//! keys and the long options a command gives a script (`--region`), each with its 1-based line,
//! in Markdown or text ([`references`]) and in HTML ([`html_references`]). Only what is written as code — an inline code span, a fenced block, a `$VARIABLE` — or
//! a path with a folder and an extension counts, so prose is never taken for a reference.

use regex::Regex;
use std::sync::LazyLock;

/// What a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefKind {
    /// A file, relative to a repository (`scripts/dev-setup.sh`).
    Path,
    /// An environment variable or a constant (`GW_UPSTREAM_TIMEOUT_MS`).
    EnvVar,
    /// A make target (`make seed-db`).
    MakeTarget,
    /// An HTTP endpoint's path (`/v1/quotes`).
    Endpoint,
    /// A configuration key (`api.retries`, `timeout_ms`).
    ConfigKey,
    /// A command-line option given to a script the document runs (`--region` of
    /// `scripts/deploy.sh --region eu`); the script is in [`Reference::of`].
    ScriptOption,
}

/// One thing a document names, where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reference {
    /// What it names.
    pub kind: RefKind,
    /// As written, without a leading `./` or `/` for paths.
    pub name: String,
    /// 1-based.
    pub line: usize,
    /// For an option, the script it is given to (as written, like a path).
    pub of: Option<String>,
}

static CODE_SPAN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`\n]+)`").expect("valid"));
static PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s(\[`'])((?:\./|/)?(?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_-][A-Za-z0-9_.-]*\.[A-Za-z0-9]{1,8})(?:$|[\s)\]`',:;.!?])")
        .expect("valid")
});
/// A path written as code may have no extension (`libexec/pyenv-install`, `bin/deploy`).
static CODE_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\./[A-Za-z0-9_][A-Za-z0-9_.-]*|(?:\./)?[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.-]+)+)$")
        .expect("valid")
});
/// An endpoint written as code: an absolute path of URL-safe segments, no trailing `/`.
static ENDPOINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.{}:-]+)*$").expect("valid"));
/// A configuration key written as code: dotted (`api.retries`) or snake case (`timeout_ms`).
static CONFIG_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$|^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
        .expect("valid")
});
/// Last segments that make a dotted word a file name, not a key.
const FILE_ENDINGS: [&str; 44] = [
    "md", "txt", "sh", "py", "go", "rs", "ts", "js", "kt", "java", "rb", "yaml", "yml", "json",
    "toml", "ini", "env", "conf", "cfg", "html", "css", "sql", "lock", "xml", "c", "h", "cpp",
    "hpp", "img", "iso", "qcow2", "raw", "tar", "gz", "zip", "log", "csv", "pem", "crt", "key",
    "db", "png", "svg", "pdf",
];
/// The first folder of an absolute path that is the machine's, never a repository's file or an
/// endpoint (`/tmp/overlay.qcow2`, `/etc/hosts`).
const SYSTEM_ROOTS: [&str; 10] = [
    "tmp", "etc", "usr", "var", "home", "opt", "dev", "proc", "sys", "root",
];

fn system_path(name: &str) -> bool {
    name.strip_prefix('/')
        .and_then(|p| p.split('/').next())
        .is_some_and(|root| SYSTEM_ROOTS.contains(&root))
}
static ENV: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b").expect("valid"));
static DOLLAR_ENV: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\}?").expect("valid"));
/// A long option as a command line writes it (`--region`, `--dry-run=true`).
static OPTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(--[a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?:=.*)?$").expect("valid"));
static MAKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[\s;&|`])make\s+([a-z0-9][a-z0-9_.-]*)").expect("valid"));

/// Names that look like variables but are conventions of the trade, not configuration.
const NOT_VARIABLES: [&str; 6] = [
    "HTTP_1",
    "TODO_LIST",
    "UTF_8",
    "ISO_8601",
    "RFC_3339",
    "SHA_256",
];

/// Every reference in `text` (a document as written), in order of line, each once per line.
pub fn references(text: &str) -> Vec<Reference> {
    DocText::markdown(text).references()
}

/// The references of an HTML document, by line of its source (see [`DocText::html`]).
pub fn html_references(source: &str) -> Vec<Reference> {
    DocText::html(source).references()
}

/// A document read once, line by line, as text with its code marked: what [`DocText::references`]
/// and [`Names::find`] both read.
pub struct DocText {
    lines: Vec<DocLine>,
}

/// A line of a document as text, code spans in backticks.
struct DocLine {
    /// 1-based.
    n: usize,
    text: String,
    /// The whole line is code (a fenced, indented or `<pre>` block).
    block: bool,
}

/// Whether `lower` (a lower-cased line) has the tag `<name` itself (`<head>`, `<head lang=…>`),
/// not one that starts the same (`<header>`).
fn has_tag(lower: &str, name: &str) -> bool {
    let open = format!("<{name}");
    lower.match_indices(&open).any(|(i, _)| {
        matches!(
            lower[i + open.len()..].chars().next(),
            None | Some('>' | ' ' | '\t' | '/')
        )
    })
}

impl DocText {
    /// A Markdown or text document; fenced and indented blocks are code.
    pub fn markdown(text: &str) -> DocText {
        let mut lines = Vec::new();
        let mut fenced = false;
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fenced = !fenced;
                continue;
            }
            lines.push(DocLine {
                n: i + 1,
                text: line.to_string(),
                block: fenced || line.starts_with("    ") || line.starts_with('\t'),
            });
        }
        DocText { lines }
    }

    /// An HTML document, by line of its source: `<code>`, `<kbd>`, `<samp>` and `<tt>` are code
    /// spans and a `<pre>` block is a fenced block; tags are dropped, entities decoded, and
    /// `<script>`, `<style>` and `<head>` skipped (`<header>` is content).
    pub fn html(source: &str) -> DocText {
        let mut lines = Vec::new();
        let (mut pre, mut skipped) = (false, false);
        for (i, line) in source.lines().enumerate() {
            let lower = line.to_ascii_lowercase();
            let closes_skipped = ["script", "style", "head"]
                .iter()
                .any(|t| has_tag(&lower, &format!("/{t}")));
            if skipped {
                skipped = !closes_skipped;
                continue;
            }
            if ["script", "style", "head"]
                .iter()
                .any(|t| has_tag(&lower, t))
                && !closes_skipped
            {
                skipped = true;
                continue;
            }
            let opens = has_tag(&lower, "pre");
            let closes = has_tag(&lower, "/pre");
            let code = CODE_TAG.replace_all(line, "`");
            lines.push(DocLine {
                n: i + 1,
                text: crate::html::visible_text(&code).replace('\n', " "),
                block: pre || opens,
            });
            if opens && !closes {
                pre = true;
            } else if closes {
                pre = false;
            }
        }
        DocText { lines }
    }

    /// A document of either kind.
    pub fn read(text: &str, html: bool) -> DocText {
        if html {
            DocText::html(text)
        } else {
            DocText::markdown(text)
        }
    }

    /// Every reference it holds, in order of line, each once per line.
    pub fn references(&self) -> Vec<Reference> {
        let mut out: Vec<Reference> = Vec::new();
        for l in &self.lines {
            line_references(l.n, &l.text, l.block, &mut out);
        }
        sorted(out)
    }
}

/// Names to look for in documents (services' former names), compiled once for every document.
/// A whole-word match: a name with a hyphen, an underscore, a dot or a digit (`checkout-api`)
/// counts anywhere, in any case; one of several plain words (`Web App`) counts anywhere as
/// written (so "the web app" in prose is not it); a single plain word (`payments`) only written
/// as code, in any case — prose is never taken for a name.
pub struct Names {
    /// (index into the names given, pattern, whether prose counts).
    patterns: Vec<(usize, Regex, bool)>,
}

impl Names {
    /// The patterns of `names`; an empty name is never found.
    pub fn new(names: &[&str]) -> Names {
        let patterns = names
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let symbols = name
                    .chars()
                    .any(|c| matches!(c, '-' | '_' | '.') || c.is_ascii_digit());
                let words: Vec<String> = name.split_whitespace().map(regex::escape).collect();
                if words.is_empty() {
                    return None;
                }
                let several = words.len() > 1;
                Regex::new(&format!(
                    r"{}(?:^|[^A-Za-z0-9_-])({})(?:$|[^A-Za-z0-9_-])",
                    if several && !symbols { "" } else { "(?i)" },
                    words.join(r"\s+")
                ))
                .ok()
                .map(|r| (i, r, symbols || several))
            })
            .collect();
        Names { patterns }
    }

    /// Where `doc` names one of the names, as (1-based line, index into the names given).
    pub fn find(&self, doc: &DocText) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for l in &doc.lines {
            for (i, re, prose) in &self.patterns {
                let found = if *prose || l.block {
                    re.is_match(&l.text)
                } else {
                    CODE_SPAN.captures_iter(&l.text).any(|c| re.is_match(&c[1]))
                };
                if found {
                    out.push((l.n, *i));
                }
            }
        }
        out
    }
}

/// A tag that makes its content code: `<code>`, `<kbd>`, `<samp>`, `<tt>`, opening or closing.
static CODE_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)</?(?:code|kbd|samp|tt)\b[^>]*>").expect("valid"));

fn sorted(mut out: Vec<Reference>) -> Vec<Reference> {
    out.sort_by(|a, b| {
        a.line
            .cmp(&b.line)
            .then(a.kind.cmp(&b.kind))
            .then(a.name.cmp(&b.name))
    });
    out
}

/// The references line `n` holds, `block` when the whole line is code (a fenced or indented
/// block).
fn line_references(n: usize, line: &str, block: bool, out: &mut Vec<Reference>) {
    let code: Vec<&str> = if block {
        vec![line]
    } else {
        CODE_SPAN
            .captures_iter(line)
            .filter_map(|c| c.get(1).map(|m| m.as_str()))
            .collect()
    };
    let mut add = |kind: RefKind, name: &str, of: Option<&str>| {
        if matches!(kind, RefKind::Path | RefKind::Endpoint) && system_path(name) {
            return;
        }
        let name = if kind == RefKind::Path {
            name.trim_start_matches("./").trim_start_matches('/')
        } else {
            name
        };
        if name.is_empty() || name.contains("://") {
            return;
        }
        let r = Reference {
            kind,
            name: name.to_string(),
            line: n,
            of: of.map(|p| {
                p.trim_start_matches("./")
                    .trim_start_matches('/')
                    .to_string()
            }),
        };
        if !out.contains(&r) {
            out.push(r);
        }
    };
    // Paths: anywhere on the line (a folder and an extension), never inside a URL.
    let without_urls: String = line
        .split_whitespace()
        .filter(|w| !w.contains("://") && !w.starts_with("www."))
        .collect::<Vec<_>>()
        .join(" ");
    for c in PATH.captures_iter(&without_urls) {
        if let Some(m) = c.get(1) {
            add(RefKind::Path, m.as_str(), None);
        }
    }
    for part in &code {
        // The script a command runs, once a word names one: its long options follow it.
        let mut script: Option<&str> = None;
        for word in part.split_whitespace() {
            if matches!(word, "|" | "&&" | "||" | ";") {
                script = None;
                continue;
            }
            let word = word.trim_end_matches([',', ';', ')']);
            if CODE_PATH.is_match(word) {
                add(RefKind::Path, word, None);
                if script.is_none() {
                    script = Some(word);
                }
                continue;
            }
            if let (Some(of), Some(c)) = (script, OPTION.captures(word)) {
                add(RefKind::ScriptOption, &c[1], Some(of));
                continue;
            }
            // An endpoint, alone or as a URL's path.
            let path = match word.split_once("://") {
                Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
                None => word,
            };
            let path = path.split(['?', '#']).next().unwrap_or(path);
            if ENDPOINT.is_match(path) && path.len() > 1 {
                add(RefKind::Endpoint, path, None);
            }
            if CONFIG_KEY.is_match(word)
                && !FILE_ENDINGS.contains(&word.rsplit('.').next().unwrap_or(""))
            {
                add(RefKind::ConfigKey, word, None);
            }
        }
        for c in ENV.captures_iter(part) {
            let v = &c[1];
            if v.len() >= 5 && !NOT_VARIABLES.contains(&v) {
                add(RefKind::EnvVar, v, None);
            }
        }
        for c in MAKE.captures_iter(part) {
            add(RefKind::MakeTarget, &c[1], None);
        }
    }
    for c in DOLLAR_ENV.captures_iter(line) {
        add(RefKind::EnvVar, &c[1], None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str, kind: RefKind) -> Vec<(usize, String)> {
        references(text)
            .into_iter()
            .filter(|r| r.kind == kind)
            .map(|r| (r.line, r.name))
            .collect()
    }

    #[test]
    fn paths_need_a_folder_and_an_extension_and_are_never_urls() {
        let text = "Run `./scripts/dev-setup.sh` first.\n\
                    The limiter lives in internal/ratelimit/bucket.go, see https://example.com/a/b.html.\n\
                    Read the README and docs/ then ask, and/or not.\n\
                    Edit /etc/hosts or config/app.yaml; `libexec/pyenv-install` has no extension.\n\
                    Flags like `-f/--force` and `~/.bashrc` or `docs/` are not files of a repository.";
        assert_eq!(
            names(text, RefKind::Path),
            [
                (1, "scripts/dev-setup.sh".to_string()),
                (2, "internal/ratelimit/bucket.go".to_string()),
                (4, "config/app.yaml".to_string()),
                (4, "libexec/pyenv-install".to_string()),
            ]
        );
    }

    #[test]
    fn endpoints_and_configuration_keys_count_only_as_code() {
        let text = "Call `/v1/quotes` or `curl https://api.example.com/v1/bookings?id=1`.\n\
                    Set `api.retries` and `timeout_ms`; `config/app.yaml` is a file, /v1/prose is not code.\n\
                    `https://example.com/` has no path, `v1.14.2` is a version.";
        assert_eq!(
            names(text, RefKind::Endpoint),
            [
                (1, "/v1/bookings".to_string()),
                (1, "/v1/quotes".to_string())
            ]
        );
        assert_eq!(
            names(text, RefKind::ConfigKey),
            [
                (2, "api.retries".to_string()),
                (2, "timeout_ms".to_string())
            ]
        );
    }

    #[test]
    fn long_options_belong_to_the_script_the_command_runs() {
        let text = "Run `./scripts/deploy.sh --region eu --dry-run=true -v` then `./configure --prefix=/opt`\n\
                    ```sh\n\
                    bin/release --tag v1 | tee out.log --quiet\n\
                    ```\n\
                    Prose --region is not code; `make beta --jobs 2` has no script.";
        let options: Vec<(usize, String, Option<String>)> = references(text)
            .into_iter()
            .filter(|r| r.kind == RefKind::ScriptOption)
            .map(|r| (r.line, r.name, r.of))
            .collect();
        assert_eq!(
            options,
            [
                (1, "--dry-run".into(), Some("scripts/deploy.sh".into())),
                (1, "--prefix".into(), Some("configure".into())),
                (1, "--region".into(), Some("scripts/deploy.sh".into())),
                (3, "--tag".into(), Some("bin/release".into())),
            ]
        );
    }

    #[test]
    fn html_code_and_pre_count_as_code_on_their_source_lines() {
        let html = "<html><head>\n<title>Set-up</title>\n<style>code { X_NOT_VAR: 1 }</style>\n</head>\n<body>\n\
                    <p>Run <code>scripts/setup-ios.sh</code> and set <kbd>MOBILE_API_URL</kbd>.</p>\n\
                    <pre>\nmake beta &amp;&amp; curl /v1/quotes\n</pre>\n\
                    <p>Prose MOBILE_PROSE_ONLY and /v1/prose are not code.</p>\n</body></html>";
        let refs: Vec<(usize, RefKind, String)> = html_references(html)
            .into_iter()
            .map(|r| (r.line, r.kind, r.name))
            .collect();
        assert_eq!(
            refs,
            [
                (6, RefKind::Path, "scripts/setup-ios.sh".into()),
                (6, RefKind::EnvVar, "MOBILE_API_URL".into()),
                (8, RefKind::MakeTarget, "beta".into()),
                (8, RefKind::Endpoint, "/v1/quotes".into()),
            ]
        );
        // `<header>` is content, not the `<head>`; `<preview>` is not a `<pre>` block.
        let page = "<body>\n<header class=\"top\">\n<p>Run <code>scripts/top.sh</code></p>\n</header>\n<preview>MOBILE_PROSE_ONLY</preview>\n</body>";
        let refs: Vec<(usize, String)> = html_references(page)
            .into_iter()
            .map(|r| (r.line, r.name))
            .collect();
        assert_eq!(refs, [(3, "scripts/top.sh".to_string())]);
    }

    #[test]
    fn service_names_are_whole_words_and_plain_words_only_as_code() {
        let text = "Page the Checkout-API service (not checkout-api-v2).\n\
                    Payments owns it; ask in `payments` or the Checkout   API channel.\n\
                    The checkout api in prose is not the service.\n\
                    ```\n\
                    pd trigger --service payments\n\
                    ```";
        let names = ["checkout-api", "payments", "Checkout API", "refunds"];
        let found = Names::new(&names);
        assert_eq!(
            found.find(&DocText::markdown(text)),
            [(1, 0), (2, 1), (2, 2), (5, 1)]
        );
        let html = "<p>Escalate to <code>payments</code>, then checkout-api.</p>";
        assert_eq!(found.find(&DocText::html(html)), [(1, 0), (1, 1)]);
        // An empty name is never found, and the others keep their places.
        let with_empty = Names::new(&["", "payments"]);
        assert_eq!(with_empty.find(&DocText::html(html)), [(1, 1)]);
    }

    #[test]
    fn variables_and_make_targets_count_only_as_code() {
        let text = "Set `GW_UPSTREAM_TIMEOUT_MS` (not UTF_8), then\n\
                    ```sh\n\
                    export TWCTL_ENV=prod\n\
                    make seed-db\n\
                    ```\n\
                    In PROSE_ONLY words nothing counts, but $HOME_DIR_PATH does; `make lint` too.";
        assert_eq!(
            names(text, RefKind::EnvVar),
            [
                (1, "GW_UPSTREAM_TIMEOUT_MS".to_string()),
                (3, "TWCTL_ENV".to_string()),
                (6, "HOME_DIR_PATH".to_string()),
            ]
        );
        assert_eq!(
            names(text, RefKind::MakeTarget),
            [(4, "seed-db".to_string()), (6, "lint".to_string())]
        );
    }
}
