//! Tokens live in the environment, the OS keychain (Secret Service on Linux) or the encrypted
//! token file — never in the database, the config file or a log line. They travel as
//! `Sensitive<String>`. Which of the keychain and the file is in use, and the file's key while it
//! is unlocked, is the [`TokenStore`] the `App` owns (`store.rs`); the keychain calls are in
//! `keychain.rs`, the file's format and cryptography in `token_file.rs`.
//!
//! A kind-wide environment token (`BOSUN_GITHUB_TOKEN`, …) is bound to one origin (scheme, host
//! and port): the provider's public API, or the origin named by `BOSUN_<KIND>_TOKEN_ORIGIN`. A
//! source of that kind on any other origin does not get it (adding a source that points at another
//! host must not hand it the token); `BOSUN_TOKEN_<SOURCE>`, the keychain and the file are per
//! source.

mod keychain;
mod store;
pub mod token_file;

use crate::{AppError, Result};
use bosun_core::Sensitive;
use bosun_core::model::Provider;
use serde::Serialize;
pub use store::{FILE_NAME, Moved, PASSPHRASE_VAR, StoreKind, TokenStore, TokenStoreStatus};
pub use token_file::TokenFileError;

/// Where a source's token comes from (shown to the user; never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TokenOrigin {
    Environment(String),
    Keychain,
    /// The encrypted token file (`<data dir>/tokens.enc`).
    TokenFile,
    Demo,
    /// The source needs no token (a local git repository).
    NotNeeded,
    Missing,
    /// The store could not be asked (the keychain locked or absent, the file unreadable).
    Unknown(String),
}

/// The environment variables checked for a source, most specific first.
pub fn env_vars(kind: Provider, source: &str) -> Vec<String> {
    vars_for(kind.as_str(), source)
}

/// [`env_vars`] for anything with a kind name (`llm` for the language model endpoint).
pub(crate) fn vars_for(kind: &str, source: &str) -> Vec<String> {
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
pub fn default_base_url(kind: Provider) -> Option<&'static str> {
    match kind {
        Provider::Github => Some("https://api.github.com"),
        Provider::Gitlab => Some(bosun_connectors::gitlab::GITLAB_COM),
        Provider::Linear => Some(bosun_connectors::linear::LINEAR_API),
        Provider::Pagerduty => Some("https://api.pagerduty.com"),
        Provider::Slack => Some("https://slack.com"),
        Provider::Jira | Provider::Git => None,
    }
}

/// The variable that moves a kind-wide token to another origin (GitHub Enterprise, a Jira site).
pub fn origin_var(kind: Provider) -> String {
    format!("BOSUN_{}_TOKEN_ORIGIN", kind.as_str().to_uppercase())
}

/// The origin a kind-wide environment token may be sent to, if any.
fn kind_token_origin(kind: Provider, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    match env(&origin_var(kind)) {
        Some(o) => bosun_connectors::http::origin_of(o.trim()),
        None => default_base_url(kind).and_then(bosun_connectors::http::origin_of),
    }
}

/// The environment token of a source of `kind` named `source` whose API is `base_url` (None: the
/// kind's public API), read through `env`: `BOSUN_TOKEN_<SOURCE>`, else the kind-wide variable
/// when the source is on the origin that variable is bound to.
pub fn env_token(
    kind: Provider,
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
pub fn missing_hint(kind: Provider, source: &str) -> String {
    let vars = env_vars(kind, source);
    let bound = default_base_url(kind).map_or_else(
        || format!("only with {} naming this source's origin", origin_var(kind)),
        |b| format!("{b} only, unless {} names another origin", origin_var(kind)),
    );
    format!("set {} or {} ({bound})", vars[0], vars[1])
}

/// Whether the OS keychain answers (a lookup of an entry that does not exist).
pub fn probe() -> std::result::Result<(), String> {
    keychain::probe()
}

impl TokenStore {
    /// The token of a source on `base_url`: environment first (explicit beats stored; see
    /// [`env_token`]), then the store in use (the keychain, or the encrypted file, which must be
    /// unlocked if it holds a token for `source`).
    pub fn resolve(
        &self,
        kind: Provider,
        source: &str,
        base_url: Option<&str>,
    ) -> Result<Option<(Sensitive<String>, TokenOrigin)>> {
        if let Some(t) = env_token(kind, source, base_url, &|v| std::env::var(v).ok()) {
            return Ok(Some(t));
        }
        let origin = match self.kind() {
            StoreKind::Keychain => TokenOrigin::Keychain,
            StoreKind::File => TokenOrigin::TokenFile,
        };
        match self.get(source) {
            Ok(t) => Ok(t.map(|t| (t, origin))),
            Err(AppError::Keychain(e)) => Err(AppError::Keychain(format!(
                "no usable environment token ({}) and the OS keychain could not be read ({e})",
                missing_hint(kind, source)
            ))),
            Err(e) => Err(e),
        }
    }

    /// Where the token would come from, without failing when the store cannot be read (and
    /// without the file's passphrase: its entry names are not secret).
    pub fn origin(&self, kind: Provider, source: &str, base_url: Option<&str>) -> TokenOrigin {
        if let Some((_, o)) = env_token(kind, source, base_url, &|v| std::env::var(v).ok()) {
            return o;
        }
        match (self.holds(source), self.kind()) {
            (Ok(true), StoreKind::Keychain) => TokenOrigin::Keychain,
            (Ok(true), StoreKind::File) => TokenOrigin::TokenFile,
            (Ok(false), _) => TokenOrigin::Missing,
            (Err(e), _) => TokenOrigin::Unknown(e.to_string()),
        }
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
            var_of(env_token(Provider::Github, "gh", None, &e)).as_deref(),
            Some("BOSUN_GITHUB_TOKEN")
        );
        let api = Some("https://api.github.com/");
        assert!(env_token(Provider::Github, "gh", api, &e).is_some());
        for elsewhere in [
            "https://evil.example",
            "http://api.github.com",
            "https://api.github.com:8443",
            "http://127.0.0.1:9000",
        ] {
            assert!(
                env_token(Provider::Github, "gh", Some(elsewhere), &e).is_none(),
                "{elsewhere}"
            );
        }
        // Jira has no public API: its kind-wide token needs an origin named.
        let jira = [("BOSUN_JIRA_TOKEN", "j")];
        let site = Some("https://acme.atlassian.net");
        assert!(env_token(Provider::Jira, "j", site, &env(&jira)).is_none());
        // Moved to a GitHub Enterprise host: only that host (scheme, host and port) gets it.
        let moved = [
            ("BOSUN_GITHUB_TOKEN", "ghp_x"),
            ("BOSUN_GITHUB_TOKEN_ORIGIN", "http://127.0.0.1:9000/"),
        ];
        let e = env(&moved);
        assert!(
            env_token(
                Provider::Github,
                "gh",
                Some("http://127.0.0.1:9000/api/v3"),
                &e
            )
            .is_some()
        );
        assert!(
            env_token(
                Provider::Github,
                "gh",
                Some("http://127.0.0.1:9001/api/v3"),
                &e
            )
            .is_none()
        );
        assert!(env_token(Provider::Github, "gh", None, &e).is_none());
        // A source's own variable is its own, wherever it points.
        let own = [("BOSUN_TOKEN_GH", "t")];
        assert_eq!(
            var_of(env_token(
                Provider::Github,
                "gh",
                Some("https://evil.example"),
                &env(&own)
            ))
            .as_deref(),
            Some("BOSUN_TOKEN_GH")
        );
    }
}
