//! Identity resolution: which provider accounts belong to the same person.
//!
//! Pure: accounts (with every email seen for them) and the user's overrides in, people out. Each
//! account's link to its person records how it was made and how sure it is:
//!
//! | method | confidence | rule |
//! |---|---|---|
//! | `override` | 1.0 | the config lists the account under a person |
//! | `email` | 0.95 | two accounts share an email address (case-insensitive) |
//! | `noreply` | 0.95 | a GitHub `ID+login@users.noreply.github.com` address names the login |
//! | `name` | 0.7 | same normalized display name (accents, case and spacing ignored) — unless the two sides carry different addresses at the same company domain, which means two people |
//!
//! Bots (provider flags, `[bot]` logins, configured patterns) are never merged with anyone. An
//! account linked to no other is reported as unmatched for the manager to review.
//!
//! Every link made by a rule (email, noreply, name) is also a [`Suggestion`] for the manager to
//! accept or reject. Their [`Decision`]s come back in the [`Rules`]: an accepted pair is linked
//! for sure (method `confirmed`, 1.0) and no longer suggested; a rejected pair is never linked by
//! a rule again (the two stay apart unless an override joins them).

#![warn(missing_docs)]

use bosun_core::model::is_bot_login;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One account in one tool, as the resolver sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    /// `github`, `jira`, `slack`, `pagerduty`, `git`.
    pub provider: String,
    /// The provider's id for the account.
    pub external_id: String,
    /// The login or handle, when the provider has one.
    pub login: Option<String>,
    /// The name the account shows.
    pub display_name: Option<String>,
    /// Every address seen for the account (its profile, commits it authored).
    pub emails: Vec<String>,
    /// The provider says the account is a bot.
    pub is_bot: bool,
}

impl AccountInfo {
    /// `provider:login-or-id`, how people and the config refer to an account.
    pub fn handle(&self) -> String {
        format!(
            "{}:{}",
            self.provider,
            self.login.as_deref().unwrap_or(&self.external_id)
        )
    }
}

/// A person the user declared, with references to their accounts: `github:login`,
/// `jira:accountId`, `slack:U123`, `pagerduty:P123`, `email:a@b.c` (any account with that
/// address) or a bare email address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Override {
    /// The person's name.
    pub name: String,
    /// References to their accounts (see above).
    pub accounts: Vec<String>,
}

/// The manager's answer to a [`Suggestion`]: the two accounts (as [`AccountInfo::handle`]s) are
/// one person, or are not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// One account's handle.
    pub a: String,
    /// The other account's handle.
    pub b: String,
    /// They are the same person.
    pub same: bool,
}

/// Two accounts a rule linked, for the manager to accept or reject (indices into the input).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Suggestion {
    /// One account (an index into the input).
    pub a: usize,
    /// The other account (an index into the input).
    pub b: usize,
    /// The rule that linked them and how sure it is.
    pub link: Link,
}

/// What the manager configured: declared people, bot patterns, company domains, answers.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// People declared with their accounts; these win over every rule.
    pub overrides: Vec<Override>,
    /// Glob patterns (`*` wildcard) on logins and names that mark bots, e.g. `*[bot]`, `jenkins*`.
    pub bot_patterns: Vec<String>,
    /// The company's email domains: differing addresses at these domains mean different people.
    pub company_domains: Vec<String>,
    /// The manager's answers to earlier suggestions.
    pub decisions: Vec<Decision>,
}

/// How an account joined a person.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Link {
    /// The rule: `override`, `confirmed`, `noreply`, `email`, `name`, ...
    pub method: &'static str,
    /// How sure the rule is, from 0 to 1.
    pub confidence: f64,
}

/// One person: the accounts the rules joined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    /// The name shown for the person.
    pub name: String,
    /// The address shown for the person, when one is known.
    pub primary_email: Option<String>,
    /// Every address of the person's accounts.
    pub emails: Vec<String>,
    /// A bot, never merged with anyone.
    pub is_bot: bool,
    /// Indices into the input accounts, with how each joined.
    pub accounts: Vec<(usize, Link)>,
}

/// What the resolver found: people, accounts left alone, links to confirm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolution {
    /// The people, each with their accounts.
    pub people: Vec<Person>,
    /// Accounts nobody else could be linked to (indices into the input).
    pub unmatched: Vec<usize>,
    /// Links a rule made that the manager has not answered yet.
    pub suggestions: Vec<Suggestion>,
}

fn glob(pattern: &str, text: &str) -> bool {
    let p = pattern.to_lowercase();
    let t = text.to_lowercase();
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == t;
    }
    let mut rest = t.as_str();
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        match rest.find(part) {
            Some(pos) if i > 0 || pos == 0 => rest = &rest[pos + part.len()..],
            _ => return false,
        }
    }
    parts.last().is_none_or(|l| l.is_empty() || t.ends_with(l))
}

/// Lowercase, accents folded, punctuation dropped, single spaces: "Tomás  Ruiz" → "tomas ruiz".
pub fn normalize_name(name: &str) -> String {
    let folded: String = name
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' | 'À' | 'Â' | 'Ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'Í' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'Ó' | 'Ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ü' => 'u',
            'ñ' | 'Ñ' => 'n',
            'ç' | 'Ç' => 'c',
            'ß' => 's',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A GitHub noreply address's login: `12345+octo@users.noreply.github.com` → `octo`.
pub fn noreply_login(email: &str) -> Option<String> {
    let local = email
        .to_lowercase()
        .strip_suffix("@users.noreply.github.com")?
        .to_string();
    Some(
        local
            .split_once('+')
            .map_or(local.clone(), |(_, l)| l.to_string()),
    )
}

fn domain(email: &str) -> Option<String> {
    email.rsplit_once('@').map(|(_, d)| d.to_lowercase())
}

struct Dsu {
    parent: Vec<usize>,
    /// Pairs of accounts the manager said are two people.
    apart: Vec<(usize, usize)>,
}

impl Dsu {
    /// Whether joining the groups of `a` and `b` would put a pair the manager kept apart into
    /// one person.
    fn kept_apart(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        ra != rb
            && (0..self.apart.len()).any(|k| {
                let (x, y) = self.apart[k];
                let (rx, ry) = (self.find(x), self.find(y));
                (rx == ra && ry == rb) || (rx == rb && ry == ra)
            })
    }

    fn find(&mut self, x: usize) -> usize {
        let p = self.parent[x];
        if p == x {
            return x;
        }
        let r = self.find(p);
        self.parent[x] = r;
        r
    }

    fn union(&mut self, a: usize, b: usize) -> usize {
        let (ra, rb) = (self.find(a), self.find(b));
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[hi] = lo;
        lo
    }
}

/// A bot: the provider says so (GitHub's account type `Bot`), its login ends in `[bot]`, or a
/// configured pattern matches its login, its name, or one of its addresses (whole, or the part
/// before `@`, so `*[bot]` catches `49699333+dependabot[bot]@users.noreply.github.com`).
pub fn is_bot(a: &AccountInfo, rules: &Rules) -> bool {
    a.is_bot
        || a.login.as_deref().is_some_and(is_bot_login)
        || rules.bot_patterns.iter().any(|p| {
            a.login.as_deref().is_some_and(|l| glob(p, l))
                || a.display_name.as_deref().is_some_and(|n| glob(p, n))
                || a.emails.iter().any(|e| email_matches(p, e))
        })
}

fn email_matches(pattern: &str, email: &str) -> bool {
    glob(pattern, email)
        || email
            .split_once('@')
            .is_some_and(|(local, _)| glob(pattern, local))
}

/// Whether a git commit author (no provider account: a name and an address) is a bot: a name
/// ending in `[bot]`, or a configured pattern matching the name or the address.
pub fn is_bot_author(name: Option<&str>, email: Option<&str>, bot_patterns: &[String]) -> bool {
    name.is_some_and(is_bot_login)
        || bot_patterns
            .iter()
            .any(|p| name.is_some_and(|n| glob(p, n)) || email.is_some_and(|e| email_matches(p, e)))
}

fn matches_ref(a: &AccountInfo, r: &str) -> bool {
    let r = r.trim();
    let (kind, value) = match r.split_once(':') {
        Some((k, v)) => (k.to_lowercase(), v),
        None if r.contains('@') => ("email".to_string(), r),
        None => return false,
    };
    if kind == "email" {
        return a.emails.iter().any(|e| e.eq_ignore_ascii_case(value));
    }
    a.provider == kind
        && (a.external_id == value
            || a.login
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(value)))
}

/// Resolve accounts into people.
pub fn resolve(accounts: &[AccountInfo], rules: &Rules) -> Resolution {
    let n = accounts.len();
    let by_handle: HashMap<String, usize> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.handle(), i))
        .collect();
    // The answered pairs whose two accounts are both here.
    let pairs = |same: bool| -> Vec<(usize, usize)> {
        rules
            .decisions
            .iter()
            .filter(|d| d.same == same)
            .filter_map(|d| Some((*by_handle.get(&d.a)?, *by_handle.get(&d.b)?)))
            .filter(|(a, b)| a != b)
            .collect()
    };
    let (accepted, rejected) = (pairs(true), pairs(false));
    let mut dsu = Dsu {
        parent: (0..n).collect(),
        apart: rejected.clone(),
    };
    let mut link: Vec<Option<Link>> = vec![None; n];
    let bots: Vec<bool> = accounts.iter().map(|a| is_bot(a, rules)).collect();
    let set_link = |link: &mut Vec<Option<Link>>, i: usize, l: Link| {
        if link[i].is_none_or(|old| l.confidence > old.confidence) {
            link[i] = Some(l);
        }
    };
    // Links made by a rule, for the manager to answer.
    let mut suggested: Vec<Suggestion> = Vec::new();

    // 1. Overrides: everything listed under one person is one person, for sure.
    let mut override_name: HashMap<usize, String> = HashMap::new();
    for o in &rules.overrides {
        let members: Vec<usize> = (0..n)
            .filter(|&i| o.accounts.iter().any(|r| matches_ref(&accounts[i], r)))
            .collect();
        if let Some(&first) = members.first() {
            for &m in &members {
                dsu.union(first, m);
                set_link(
                    &mut link,
                    m,
                    Link {
                        method: "override",
                        confidence: 1.0,
                    },
                );
            }
            override_name.insert(first, o.name.clone());
        }
    }
    // The manager's accepted suggestions are as sure as an override.
    for &(a, b) in &accepted {
        dsu.union(a, b);
        for i in [a, b] {
            set_link(
                &mut link,
                i,
                Link {
                    method: "confirmed",
                    confidence: 1.0,
                },
            );
        }
    }

    // 2. Shared email addresses, and GitHub noreply addresses naming a login.
    let mut by_email: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in accounts.iter().enumerate().filter(|(i, _)| !bots[*i]) {
        for e in &a.emails {
            by_email.entry(e.to_lowercase()).or_default().push(i);
            if let Some(login) = noreply_login(e) {
                for (j, b) in accounts.iter().enumerate() {
                    if j != i
                        && b.provider == "github"
                        && b.login
                            .as_deref()
                            .is_some_and(|l| l.eq_ignore_ascii_case(&login))
                        && !bots[j]
                        && !dsu.kept_apart(i, j)
                    {
                        if dsu.find(i) != dsu.find(j) {
                            suggested.push(Suggestion {
                                a: i,
                                b: j,
                                link: Link {
                                    method: "noreply",
                                    confidence: 0.95,
                                },
                            });
                        }
                        dsu.union(i, j);
                        set_link(
                            &mut link,
                            i,
                            Link {
                                method: "noreply",
                                confidence: 0.95,
                            },
                        );
                        set_link(
                            &mut link,
                            j,
                            Link {
                                method: "noreply",
                                confidence: 0.95,
                            },
                        );
                    }
                }
            }
        }
    }
    for members in by_email.values().filter(|m| m.len() > 1) {
        for &m in members {
            if dsu.kept_apart(members[0], m) {
                continue;
            }
            if dsu.find(members[0]) != dsu.find(m) {
                suggested.push(Suggestion {
                    a: members[0],
                    b: m,
                    link: Link {
                        method: "email",
                        confidence: 0.95,
                    },
                });
            }
            dsu.union(members[0], m);
            set_link(
                &mut link,
                m,
                Link {
                    method: "email",
                    confidence: 0.95,
                },
            );
        }
    }

    // 3. Same name, unless the two groups have different company addresses.
    let company: BTreeSet<String> = rules
        .company_domains
        .iter()
        .map(|d| d.to_lowercase())
        .collect();
    let company_emails = |dsu: &mut Dsu, root: usize| -> BTreeSet<String> {
        (0..n)
            .filter(|&i| dsu.find(i) == root)
            .flat_map(|i| {
                accounts[i]
                    .emails
                    .iter()
                    .map(|e| e.to_lowercase())
                    .collect::<Vec<_>>()
            })
            .filter(|e| domain(e).is_some_and(|d| company.contains(&d)))
            .collect()
    };
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in accounts.iter().enumerate().filter(|(i, _)| !bots[*i]) {
        if let Some(name) = a
            .display_name
            .as_deref()
            .map(normalize_name)
            .filter(|n| n.contains(' '))
        {
            by_name.entry(name).or_default().push(i);
        }
    }
    for members in by_name.values().filter(|m| m.len() > 1) {
        for &m in &members[1..] {
            let (ra, rb) = (dsu.find(members[0]), dsu.find(m));
            if ra == rb {
                continue;
            }
            let (ea, eb) = (company_emails(&mut dsu, ra), company_emails(&mut dsu, rb));
            if !ea.is_empty() && !eb.is_empty() && ea.is_disjoint(&eb) {
                continue; // two people with the same name
            }
            if dsu.kept_apart(ra, rb) {
                continue;
            }
            suggested.push(Suggestion {
                a: members[0],
                b: m,
                link: Link {
                    method: "name",
                    confidence: 0.7,
                },
            });
            dsu.union(ra, rb);
            set_link(
                &mut link,
                members[0],
                Link {
                    method: "name",
                    confidence: 0.7,
                },
            );
            set_link(
                &mut link,
                m,
                Link {
                    method: "name",
                    confidence: 0.7,
                },
            );
        }
    }

    // Groups → people.
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = dsu.find(i);
        groups.entry(r).or_default().push(i);
    }
    let mut people = Vec::new();
    let mut unmatched = Vec::new();
    for (root, members) in groups {
        if members.len() == 1 && !override_name.contains_key(&root) && !bots[members[0]] {
            unmatched.push(members[0]);
        }
        let emails: BTreeSet<String> = members
            .iter()
            .flat_map(|&i| accounts[i].emails.iter().map(|e| e.to_lowercase()))
            .filter(|e| noreply_login(e).is_none())
            .collect();
        let primary = emails
            .iter()
            .find(|e| domain(e).is_some_and(|d| company.contains(&d)))
            .or_else(|| emails.iter().next())
            .cloned();
        let name = override_name
            .iter()
            .find(|(k, _)| dsu.find(**k) == root)
            .map(|(_, v)| v.clone())
            .or_else(|| best_name(accounts, &members))
            .unwrap_or_else(|| {
                accounts[members[0]]
                    .login
                    .clone()
                    .unwrap_or_else(|| accounts[members[0]].handle())
            });
        let is_bot = members.iter().all(|&i| bots[i]);
        let linked = members
            .iter()
            .map(|&i| {
                (
                    i,
                    if members.len() == 1 {
                        Link {
                            method: "only",
                            confidence: 1.0,
                        }
                    } else {
                        link[i].unwrap_or(Link {
                            method: "name",
                            confidence: 0.7,
                        })
                    },
                )
            })
            .collect();
        people.push(Person {
            name,
            primary_email: primary,
            emails: emails.into_iter().collect(),
            is_bot,
            accounts: linked,
        });
    }
    people.sort_by_key(|a| (a.is_bot, a.name.to_lowercase()));
    Resolution {
        people,
        unmatched,
        suggestions: suggested,
    }
}

/// The most complete display name of a group (Jira and Slack carry real names; logins do not).
fn best_name(accounts: &[AccountInfo], members: &[usize]) -> Option<String> {
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for &i in members {
        if let Some(n) = accounts[i]
            .display_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
        {
            let e = counts
                .entry(n.trim().to_string())
                .or_insert((0, n.split_whitespace().count()));
            e.0 += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(n, (count, words))| {
            (
                *words >= 2,
                *count,
                n.chars().filter(|c| !c.is_ascii()).count(),
            )
        })
        .map(|(n, _)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(
        provider: &str,
        id: &str,
        login: Option<&str>,
        name: Option<&str>,
        emails: &[&str],
    ) -> AccountInfo {
        AccountInfo {
            provider: provider.into(),
            external_id: id.into(),
            login: login.map(str::to_string),
            display_name: name.map(str::to_string),
            emails: emails.iter().map(|e| e.to_string()).collect(),
            is_bot: false,
        }
    }

    fn rules() -> Rules {
        Rules {
            overrides: vec![],
            bot_patterns: vec!["jenkins*".into()],
            company_domains: vec!["tidewater.dev".into()],
            decisions: vec![],
        }
    }

    /// A GitHub login, a Jira account with the same name and a personal address, and a Slack
    /// account sharing the GitHub address: two rule-made links, both suggested.
    fn trio() -> Vec<AccountInfo> {
        vec![
            acc(
                "github",
                "1",
                Some("mkeller"),
                Some("Mia Keller"),
                &["mia@example.org"],
            ),
            acc("jira", "j-9", None, Some("Mia Keller"), &[]),
            acc("slack", "U1", None, Some("mia"), &["mia@example.org"]),
        ]
    }

    #[test]
    fn every_rule_made_link_is_suggested_once() {
        let r = resolve(&trio(), &rules());
        assert_eq!(r.people.len(), 1);
        let mut got: Vec<(usize, usize, &str)> = r
            .suggestions
            .iter()
            .map(|s| (s.a.min(s.b), s.a.max(s.b), s.link.method))
            .collect();
        got.sort();
        assert_eq!(got, vec![(0, 1, "name"), (0, 2, "email")]);
    }

    #[test]
    fn a_rejected_suggestion_keeps_the_two_apart_and_is_not_suggested_again() {
        let mut rules = rules();
        rules.decisions.push(Decision {
            a: "jira:j-9".into(),
            b: "github:mkeller".into(),
            same: false,
        });
        let r = resolve(&trio(), &rules);
        assert_eq!(r.people.len(), 2, "{r:#?}");
        assert_ne!(person_of(&r, 0), person_of(&r, 1));
        assert_eq!(person_of(&r, 0), person_of(&r, 2), "the email link stands");
        assert_eq!(r.suggestions.len(), 1);
        assert_eq!(r.suggestions[0].link.method, "email");
        // The Jira account is alone now: a person of its own, unmatched.
        assert_eq!(r.unmatched, vec![1]);
    }

    #[test]
    fn an_accepted_suggestion_is_confirmed_and_no_longer_suggested() {
        let mut rules = rules();
        rules.decisions.push(Decision {
            a: "github:mkeller".into(),
            b: "jira:j-9".into(),
            same: true,
        });
        let r = resolve(&trio(), &rules);
        assert_eq!(r.people.len(), 1);
        let p = &r.people[0];
        let method = |i: usize| p.accounts.iter().find(|(a, _)| *a == i).unwrap().1;
        assert_eq!(method(1).method, "confirmed");
        assert_eq!(method(1).confidence, 1.0);
        assert_eq!(r.suggestions.len(), 1, "only the email link is still open");
        // Accepted without any rule linking them: still one person.
        let strangers = vec![
            acc("github", "1", Some("zed"), Some("Zed Q"), &[]),
            acc("jira", "j-1", None, Some("Z. Quinn"), &[]),
        ];
        let mut rules = self::rules();
        rules.decisions.push(Decision {
            a: "github:zed".into(),
            b: "jira:j-1".into(),
            same: true,
        });
        let r = resolve(&strangers, &rules);
        assert_eq!(r.people.len(), 1);
        assert!(r.suggestions.is_empty() && r.unmatched.is_empty());
    }

    fn person_of(r: &Resolution, i: usize) -> usize {
        r.people
            .iter()
            .position(|p| p.accounts.iter().any(|(a, _)| *a == i))
            .unwrap()
    }

    #[test]
    fn bot_patterns_match_logins_names_and_addresses() {
        let patterns = vec!["*[bot]".to_string(), "renovate*".into(), "deploybot".into()];
        let r = Rules {
            bot_patterns: patterns.clone(),
            ..rules()
        };
        let bot = |a: AccountInfo| is_bot(&a, &r);
        // A git-only author whose address names the bot (a commit by Dependabot through the web).
        assert!(bot(acc(
            "email",
            "e1",
            None,
            None,
            &["49699333+dependabot[bot]@users.noreply.github.com"]
        )));
        assert!(bot(acc("git", "e2", None, Some("Renovate Bot"), &[])));
        assert!(bot(acc(
            "email",
            "e3",
            None,
            None,
            &["DeployBot@ci.example"]
        )));
        assert!(!bot(acc(
            "email",
            "e4",
            None,
            Some("Dana Deploy"),
            &["dana@tidewater.dev"]
        )));
        // Commit authors of a local git repository: name or address.
        assert!(is_bot_author(Some("github-actions[bot]"), None, &[]));
        assert!(is_bot_author(
            Some("Someone"),
            Some("renovate@whitesourcesoftware.com"),
            &patterns
        ));
        assert!(!is_bot_author(
            Some("Ada Lovelace"),
            Some("ada@example.org"),
            &patterns
        ));
        assert!(!is_bot_author(None, None, &patterns));
    }

    #[test]
    fn one_person_across_four_providers_by_email() {
        let a = vec![
            acc(
                "github",
                "1",
                Some("truiz"),
                None,
                &["tomas.ruiz@tidewater.dev"],
            ),
            acc(
                "jira",
                "5f1a",
                None,
                Some("Tomás Ruiz"),
                &["tomas.ruiz@tidewater.dev"],
            ),
            acc(
                "slack",
                "U02",
                Some("tomasruiz"),
                Some("Tomás Ruiz"),
                &["Tomas.Ruiz@tidewater.dev"],
            ),
            acc(
                "pagerduty",
                "PT",
                None,
                Some("Tomás Ruiz"),
                &["tomas.ruiz@tidewater.dev"],
            ),
        ];
        let r = resolve(&a, &rules());
        assert_eq!(r.people.len(), 1);
        assert_eq!(r.people[0].name, "Tomás Ruiz");
        assert_eq!(
            r.people[0].primary_email.as_deref(),
            Some("tomas.ruiz@tidewater.dev")
        );
        assert!(
            r.people[0]
                .accounts
                .iter()
                .all(|(_, l)| l.method == "email")
        );
        assert!(r.unmatched.is_empty());
    }

    #[test]
    fn same_person_with_a_personal_email_is_matched_by_name_with_lower_confidence() {
        let a = vec![
            acc(
                "jira",
                "j",
                None,
                Some("Jonas Becker"),
                &["jonas.becker@tidewater.dev"],
            ),
            acc(
                "git",
                "jonas@becker.family",
                None,
                Some("Jonas Becker"),
                &["jonas@becker.family"],
            ),
        ];
        let r = resolve(&a, &rules());
        assert_eq!(r.people.len(), 1);
        let link = r.people[0]
            .accounts
            .iter()
            .find(|(i, _)| *i == 1)
            .unwrap()
            .1;
        assert_eq!((link.method, link.confidence), ("name", 0.7));
    }

    #[test]
    fn two_people_with_the_same_name_stay_two() {
        let a = vec![
            acc(
                "jira",
                "a",
                None,
                Some("Alex Smith"),
                &["alex.smith@tidewater.dev"],
            ),
            acc(
                "jira",
                "b",
                None,
                Some("Alex Smith"),
                &["alex.smith2@tidewater.dev"],
            ),
        ];
        let r = resolve(&a, &rules());
        assert_eq!(r.people.len(), 2);
        assert_ne!(person_of(&r, 0), person_of(&r, 1));
    }

    #[test]
    fn two_github_logins_join_through_noreply_or_override() {
        let a = vec![
            acc(
                "github",
                "1",
                Some("chenwei-dev"),
                None,
                &["chen.wei@tidewater.dev"],
            ),
            acc("github", "2", Some("cwei-old"), None, &[]),
            acc(
                "git",
                "x",
                None,
                Some("Chen Wei"),
                &["10063+cwei-old@users.noreply.github.com"],
            ),
            acc(
                "jira",
                "j",
                None,
                Some("Chen Wei"),
                &["chen.wei@tidewater.dev"],
            ),
        ];
        let r = resolve(&a, &rules());
        assert_eq!(r.people.len(), 1, "{:?}", r.people);
        assert_eq!(
            r.people[0].emails,
            vec!["chen.wei@tidewater.dev"],
            "noreply addresses are not emails to show"
        );
        // Without the noreply trail, an override does it.
        let b = vec![a[0].clone(), a[1].clone()];
        assert_eq!(resolve(&b, &rules()).people.len(), 2);
        let mut with = rules();
        with.overrides.push(Override {
            name: "Chen Wei".into(),
            accounts: vec!["github:cwei-old".into(), "chen.wei@tidewater.dev".into()],
        });
        let r = resolve(&b, &with);
        assert_eq!(r.people.len(), 1);
        assert_eq!(r.people[0].name, "Chen Wei");
        assert!(
            r.people[0]
                .accounts
                .iter()
                .all(|(_, l)| l.method == "override" && l.confidence == 1.0)
        );
    }

    #[test]
    fn bots_are_flagged_and_never_merged() {
        let mut dependabot = acc(
            "github",
            "49",
            Some("dependabot[bot]"),
            Some("Dependabot"),
            &["support@github.com"],
        );
        dependabot.is_bot = false; // flagged by its login alone
        let a = vec![
            dependabot,
            acc(
                "github",
                "50",
                Some("jenkins-ci"),
                None,
                &["support@github.com"],
            ),
            acc(
                "slack",
                "U9",
                Some("someone"),
                Some("Some One"),
                &["support@github.com"],
            ),
        ];
        let r = resolve(&a, &rules());
        assert_eq!(r.people.iter().filter(|p| p.is_bot).count(), 2);
        assert!(
            r.people
                .iter()
                .filter(|p| p.is_bot)
                .all(|p| p.accounts.len() == 1)
        );
    }

    #[test]
    fn lone_accounts_are_reported_unmatched() {
        let a = vec![
            acc("github", "7", Some("contractor"), None, &[]),
            acc(
                "jira",
                "j",
                None,
                Some("Maya Okafor"),
                &["maya@tidewater.dev"],
            ),
        ];
        let r = resolve(&a, &rules());
        assert_eq!(r.unmatched, vec![0, 1]);
    }

    #[test]
    fn globs() {
        assert!(glob("*[bot]", "renovate[bot]"));
        assert!(glob("jenkins*", "Jenkins-CI"));
        assert!(glob("deploybot", "DeployBot"));
        assert!(!glob("*[bot]", "robot"));
        assert!(glob("*bot*", "the-bot-x"));
    }

    #[test]
    fn names_normalize() {
        assert_eq!(normalize_name("  Tomás   RUIZ "), "tomas ruiz");
        assert_eq!(normalize_name("Liam O'Connor"), "liam o connor");
    }
}
