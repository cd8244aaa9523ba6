//! The OAuth scopes of the fake GitHub's token, as a classic personal access token carries them:
//! every answer names them in `X-OAuth-Scopes`, and the organisation endpoints check them
//! (`orgs.rs`). Scopes that include others count as them (`admin:org` ⊃ `write:org` ⊃
//! `read:org`; `user` ⊃ `read:user`), as GitHub's scope documentation lists them.

/// What the demo's token carries: everything Bosun reads.
pub const DEMO_SCOPES: &str = "repo, read:org, read:user";
/// What a manager's first token often carries: repositories only, no `read:org`.
pub const REAL_WORLD_SCOPES: &str = "repo";

/// A classic token's OAuth scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Scopes separated by commas and/or spaces (`"repo, read:org"`, `"repo read:org"`).
    pub fn parse(text: &str) -> Scopes {
        let mut out: Vec<String> = Vec::new();
        for s in text
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
        Scopes(out)
    }

    /// The `X-OAuth-Scopes` value: the scopes joined by `", "`, as GitHub writes it.
    pub fn header(&self) -> String {
        self.0.join(", ")
    }

    fn has(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    /// Reads the organisation: its teams, their members and repositories, concealed members.
    pub fn reads_org(&self) -> bool {
        self.has("read:org") || self.has("write:org") || self.has("admin:org")
    }

    /// May list the user's organisations (`GET /user/orgs` wants `read:org` or `user`).
    pub fn lists_orgs(&self) -> bool {
        self.reads_org() || self.has("user")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_githubs_header_and_knows_which_scopes_include_read_org() {
        let s = Scopes::parse(DEMO_SCOPES);
        assert_eq!(s.header(), "repo, read:org, read:user");
        assert!(s.reads_org() && s.lists_orgs());
        let repo = Scopes::parse(REAL_WORLD_SCOPES);
        assert_eq!(repo.header(), "repo");
        assert!(!repo.reads_org() && !repo.lists_orgs());
        assert!(Scopes::parse("admin:org").reads_org());
        let user = Scopes::parse("repo user repo");
        assert_eq!(user.header(), "repo, user");
        assert!(!user.reads_org() && user.lists_orgs());
        assert!(!Scopes::parse("read:user").lists_orgs());
        assert_eq!(Scopes::parse("").header(), "");
    }
}
