//! Tokens live in the OS keychain (Secret Service on Linux) or in an environment variable; never
//! in the database, the config file or a log line. They travel as `Sensitive<String>`.
//!
//! A kind-wide environment token (`BOSUN_GITHUB_TOKEN`, …) is bound to one origin (scheme, host
//! and port): the provider's public API, or the origin named by `BOSUN_<KIND>_TOKEN_ORIGIN`. A
//! source of that kind on any other origin does not get it (adding a source that points at another
//! host must not hand it the token); `BOSUN_TOKEN_<SOURCE>` and the keychain are per source.

use crate::{AppError, Result};
use bosun_core::Sensitive;
use serde::Serialize;

const SERVICE: &str = "bosun";

/// Where a source's token comes from (shown to the user; never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum TokenOrigin {
    Environment(String),
    Keychain,
    Demo,
    /// The source needs no token (a local git repository).
    NotNeeded,
    Missing,
    /// The keychain could not be asked (locked or absent).
    Unknown(String),
}

fn entry(source: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("source:{source}")).map_err(keychain_error)
}

fn keychain_error(e: keyring::Error) -> AppError {
    let hint = "set the token in an environment variable instead (e.g. BOSUN_GITHUB_TOKEN)";
    match e {
        keyring::Error::NoStorageAccess(inner) => AppError::Keychain(format!(
            "the OS keychain is locked or unavailable ({inner}); {hint}"
        )),
        keyring::Error::PlatformFailure(inner) => {
            AppError::Keychain(format!("the OS keychain failed ({inner}); {hint}"))
        }
        other => AppError::Keychain(format!("{other}; {hint}")),
    }
}

/// The environment variables checked for a source, most specific first.
pub fn env_vars(kind: &str, source: &str) -> Vec<String> {
    let name: String = source
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    vec![
        format!("BOSUN_TOKEN_{name}"),
        format!("BOSUN_{}_TOKEN", kind.to_uppercase()),
    ]
}

/// The public API a kind's sources talk to when they name no base URL.
pub fn default_base_url(kind: &str) -> Option<&'static str> {
    match kind {
        "github" => Some("https://api.github.com"),
        "pagerduty" => Some("https://api.pagerduty.com"),
        "slack" => Some("https://slack.com"),
        _ => None,
    }
}

/// The variable that moves a kind-wide token to another origin (GitHub Enterprise, a Jira site).
pub fn origin_var(kind: &str) -> String {
    format!("BOSUN_{}_TOKEN_ORIGIN", kind.to_uppercase())
}

/// The origin a kind-wide environment token may be sent to, if any.
fn kind_token_origin(kind: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    match env(&origin_var(kind)) {
        Some(o) => bosun_connectors::http::origin_of(o.trim()),
        None => default_base_url(kind).and_then(bosun_connectors::http::origin_of),
    }
}

/// The environment token of a source of `kind` named `source` whose API is `base_url` (None: the
/// kind's public API), read through `env`: `BOSUN_TOKEN_<SOURCE>`, else the kind-wide variable
/// when the source is on the origin that variable is bound to.
pub fn env_token(
    kind: &str,
    source: &str,
    base_url: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<(Sensitive<String>, TokenOrigin)> {
    let set = |var: &str| env(var).filter(|v| !v.trim().is_empty());
    let vars = env_vars(kind, source);
    if let Some(v) = set(&vars[0]) {
        return Some((
            Sensitive::new(v.trim().to_string()),
            TokenOrigin::Environment(vars[0].clone()),
        ));
    }
    let v = set(&vars[1])?;
    let source_origin = base_url
        .or(default_base_url(kind))
        .and_then(bosun_connectors::http::origin_of);
    match (source_origin, kind_token_origin(kind, env)) {
        (Some(s), Some(bound)) if s == bound => Some((
            Sensitive::new(v.trim().to_string()),
            TokenOrigin::Environment(vars[1].clone()),
        )),
        (s, bound) => {
            tracing::warn!(
                "{} is not used for source {source} ({}): it is bound to {} (set {} to move it)",
                vars[1],
                s.as_deref().unwrap_or("no origin"),
                bound.as_deref().unwrap_or("no origin"),
                origin_var(kind)
            );
            None
        }
    }
}

/// What to set when a source has no token.
pub fn missing_hint(kind: &str, source: &str) -> String {
    let vars = env_vars(kind, source);
    let bound = default_base_url(kind).map_or_else(
        || format!("only with {} naming this source's origin", origin_var(kind)),
        |b| format!("{b} only, unless {} names another origin", origin_var(kind)),
    );
    format!("set {} or {} ({bound})", vars[0], vars[1])
}

/// Store `token` for `source` in the keychain.
pub fn store(source: &str, token: &Sensitive<String>) -> Result<()> {
    entry(source)?
        .set_password(token.expose())
        .map_err(keychain_error)
}

/// Forget the stored token of `source` (absent is fine).
pub fn delete(source: &str) -> Result<()> {
    match entry(source)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keychain_error(e)),
    }
}

/// The token of a source on `base_url`: environment first (explicit beats stored; see
/// [`env_token`]), then the keychain.
pub fn resolve(
    kind: &str,
    source: &str,
    base_url: Option<&str>,
) -> Result<Option<(Sensitive<String>, TokenOrigin)>> {
    if let Some(t) = env_token(kind, source, base_url, &|v| std::env::var(v).ok()) {
        return Ok(Some(t));
    }
    let unreadable = |e: keyring::Error| {
        AppError::Keychain(format!(
            "no usable environment token ({}) and the OS keychain could not be read ({e})",
            missing_hint(kind, source)
        ))
    };
    match entry(source)?.get_password() {
        Ok(t) => Ok(Some((Sensitive::new(t), TokenOrigin::Keychain))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(unreadable(e)),
    }
}

/// Where the token would come from, without failing when the keychain is unavailable.
pub fn origin(kind: &str, source: &str, base_url: Option<&str>) -> TokenOrigin {
    match resolve(kind, source, base_url) {
        Ok(Some((_, o))) => o,
        Ok(None) => TokenOrigin::Missing,
        Err(e) => TokenOrigin::Unknown(e.to_string()),
    }
}

/// Whether the OS keychain answers (a lookup of an entry that does not exist).
pub fn probe() -> std::result::Result<(), String> {
    match entry("doctor-probe")
        .map_err(|e| e.to_string())?
        .get_password()
    {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keychain_error(e).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    fn var_of(t: Option<(Sensitive<String>, TokenOrigin)>) -> Option<String> {
        t.map(|(_, o)| match o {
            TokenOrigin::Environment(v) => v,
            other => panic!("{other:?}"),
        })
    }

    /// Issue 16.2: `BOSUN_GITHUB_TOKEN` went to any GitHub source, whatever its host.
    #[test]
    fn kind_wide_environment_token_is_bound_to_one_origin() {
        let plain = [("BOSUN_GITHUB_TOKEN", "ghp_x")];
        let e = env(&plain);
        assert_eq!(
            var_of(env_token("github", "gh", None, &e)).as_deref(),
            Some("BOSUN_GITHUB_TOKEN")
        );
        let api = Some("https://api.github.com/");
        assert!(env_token("github", "gh", api, &e).is_some());
        for elsewhere in [
            "https://evil.example",
            "http://api.github.com",
            "https://api.github.com:8443",
            "http://127.0.0.1:9000",
        ] {
            assert!(
                env_token("github", "gh", Some(elsewhere), &e).is_none(),
                "{elsewhere}"
            );
        }
        // Jira has no public API: its kind-wide token needs an origin named.
        let jira = [("BOSUN_JIRA_TOKEN", "j")];
        let site = Some("https://acme.atlassian.net");
        assert!(env_token("jira", "j", site, &env(&jira)).is_none());
        // Moved to a GitHub Enterprise host: only that host (scheme, host and port) gets it.
        let moved = [
            ("BOSUN_GITHUB_TOKEN", "ghp_x"),
            ("BOSUN_GITHUB_TOKEN_ORIGIN", "http://127.0.0.1:9000/"),
        ];
        let e = env(&moved);
        assert!(env_token("github", "gh", Some("http://127.0.0.1:9000/api/v3"), &e).is_some());
        assert!(env_token("github", "gh", Some("http://127.0.0.1:9001/api/v3"), &e).is_none());
        assert!(env_token("github", "gh", None, &e).is_none());
        // A source's own variable is its own, wherever it points.
        let own = [("BOSUN_TOKEN_GH", "t")];
        assert_eq!(
            var_of(env_token(
                "github",
                "gh",
                Some("https://evil.example"),
                &env(&own)
            ))
            .as_deref(),
            Some("BOSUN_TOKEN_GH")
        );
    }
}
