//! What a document names that code can make wrong: file paths (`scripts/deploy.sh`), environment
//! variables (`GW_UPSTREAM_TIMEOUT_MS`) and make targets (`make seed-db`), each with its 1-based
//! line. Only what is written as code — an inline code span, a fenced block, a `$VARIABLE` — or
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
}

static CODE_SPAN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`\n]+)`").expect("valid"));
static PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s(\[`'])((?:\./|/)?(?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_-][A-Za-z0-9_.-]*\.[A-Za-z0-9]{1,8})(?:$|[\s)\]`',:;.!?])")
        .expect("valid")
});
/// A path written as code may have no extension (`libexec/pyenv-install`, `bin/deploy`).
static CODE_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\./)?[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.-]+)+$").expect("valid")
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
const FILE_ENDINGS: [&str; 24] = [
    "md", "txt", "sh", "py", "go", "rs", "ts", "js", "kt", "java", "rb", "yaml", "yml", "json",
    "toml", "ini", "env", "conf", "cfg", "html", "css", "sql", "lock", "xml",
];
static ENV: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b").expect("valid"));
static DOLLAR_ENV: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\}?").expect("valid"));
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
    let mut out: Vec<Reference> = Vec::new();
    let mut fenced = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        // The parts of the line written as code.
        let code: Vec<&str> = if fenced || line.starts_with("    ") || line.starts_with('\t') {
            vec![line]
        } else {
            CODE_SPAN
                .captures_iter(line)
                .filter_map(|c| c.get(1).map(|m| m.as_str()))
                .collect()
        };
        let mut add = |kind: RefKind, name: &str| {
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
                add(RefKind::Path, m.as_str());
            }
        }
        for part in &code {
            for word in part.split_whitespace() {
                let word = word.trim_end_matches([',', ';', ')']);
                if CODE_PATH.is_match(word) {
                    add(RefKind::Path, word);
                }
                // An endpoint, alone or as a URL's path.
                let path = match word.split_once("://") {
                    Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
                    None => word,
                };
                let path = path.split(['?', '#']).next().unwrap_or(path);
                if ENDPOINT.is_match(path) && path.len() > 1 {
                    add(RefKind::Endpoint, path);
                }
                if CONFIG_KEY.is_match(word)
                    && !FILE_ENDINGS.contains(&word.rsplit('.').next().unwrap_or(""))
                {
                    add(RefKind::ConfigKey, word);
                }
            }
            for c in ENV.captures_iter(part) {
                let v = &c[1];
                if v.len() >= 5 && !NOT_VARIABLES.contains(&v) {
                    add(RefKind::EnvVar, v);
                }
            }
            for c in MAKE.captures_iter(part) {
                add(RefKind::MakeTarget, &c[1]);
            }
        }
        for c in DOLLAR_ENV.captures_iter(line) {
            add(RefKind::EnvVar, &c[1]);
        }
    }
    out.sort_by(|a, b| {
        a.line
            .cmp(&b.line)
            .then(a.kind.cmp(&b.kind))
            .then(a.name.cmp(&b.name))
    });
    out
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
