//! Applying identity resolution to the store: people, their accounts, teams from the config.

use crate::Result;
use crate::config::Config;
use bosun_core::time::Ts;
use bosun_identity::{AccountInfo, Decision, Override, Rules, resolve};
use bosun_store::Store;
use bosun_store::identity as db;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, Default, Serialize)]
pub struct IdentityReport {
    pub people: usize,
    pub bots: usize,
    pub linked_accounts: usize,
    pub unmatched: usize,
    /// Links a rule made that the manager has not accepted or rejected (`bosun people suggestions`).
    pub suggestions: usize,
    /// Config references (team members, managers) that matched nobody.
    pub unresolved: Vec<String>,
}

/// The link method of an account that identity could tie to nobody else and the config does not
/// name: a person of its own, listed by `bosun people` as unmatched for the manager to review.
pub const UNMATCHED: &str = "unmatched";

const PUBLIC_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "yahoo.com",
    "icloud.com",
    "proton.me",
    "protonmail.com",
    "users.noreply.github.com",
];

/// Domains that at least two accounts of the chat, ticket or paging tools use: the company's.
fn guess_domains(rows: &[db::AccountRow]) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows.iter().filter(|r| {
        matches!(
            r.provider.as_str(),
            "jira" | "linear" | "slack" | "pagerduty"
        )
    }) {
        for e in &r.emails {
            if let Some((_, d)) = e.rsplit_once('@')
                && !PUBLIC_DOMAINS.contains(&d)
            {
                *counts.entry(d.to_string()).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(d, _)| d)
        .collect()
}

fn slug(s: &str) -> String {
    let raw: String = bosun_identity::normalize_name(s)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let out = raw
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if out.is_empty() {
        "person".to_string()
    } else {
        out
    }
}

/// Resolve identities and write people, links and teams, in one transaction.
pub fn apply(store: &mut Store, config: &Config, now: Ts) -> Result<IdentityReport> {
    let tx = store.begin()?;
    db::ensure_email_accounts(&tx)?;
    let rows = db::accounts_with_emails(&tx)?;
    let infos: Vec<AccountInfo> = rows
        .iter()
        .map(|r| AccountInfo {
            provider: r.provider.clone(),
            external_id: r.external_id.clone(),
            login: r.login.clone(),
            display_name: r.display_name.clone(),
            emails: r.emails.clone(),
            is_bot: r.is_bot,
        })
        .collect();
    let domains = if config.identity.company_domains.is_empty() {
        guess_domains(&rows)
    } else {
        config.identity.company_domains.clone()
    };
    let rules = Rules {
        overrides: config
            .people
            .iter()
            .map(|p| Override {
                name: p.name.clone(),
                accounts: p.accounts.clone(),
            })
            .collect(),
        bot_patterns: config.identity.bot_patterns.clone(),
        company_domains: domains.clone(),
        decisions: db::match_decisions(&tx)?
            .into_iter()
            .map(|d| Decision {
                a: d.a,
                b: d.b,
                same: d.same,
            })
            .collect(),
    };
    let res = resolve(&infos, &rules);
    let suggestions: Vec<db::MatchSuggestion> = res
        .suggestions
        .iter()
        .map(|s| db::MatchSuggestion {
            a: infos[s.a].handle(),
            b: infos[s.b].handle(),
            method: s.link.method.to_string(),
            confidence: s.link.confidence,
        })
        .collect();
    db::set_match_suggestions(&tx, &suggestions)?;
    let unmatched: HashSet<usize> = res.unmatched.iter().copied().collect();
    let mut report = IdentityReport {
        unmatched: unmatched.len(),
        suggestions: db::match_suggestions(&tx)?.len(),
        ..Default::default()
    };
    let mut used = HashSet::new();
    for p in &res.people {
        // Nobody is dropped for being unconfigured: an account linked to no other is a person of
        // its own (so its reviews, PRs and commits count in every metric, note and signal), and
        // its link says so, which is how `bosun people` lists it for the manager to review.
        let alone = p.accounts.len() == 1 && unmatched.contains(&p.accounts[0].0);
        let base = match (&p.primary_email, p.is_bot) {
            (Some(e), false) if domains.iter().any(|d| e.ends_with(&format!("@{d}"))) => {
                slug(e.split('@').next().unwrap_or(e))
            }
            _ => slug(&p.name),
        };
        let mut key = base.clone();
        let mut n = 2;
        while !used.insert(key.clone()) {
            key = format!("{base}-{n}");
            n += 1;
        }
        let pid = db::upsert_person(
            &tx,
            &key,
            &p.name,
            p.primary_email.as_deref(),
            p.is_bot,
            now,
        )?;
        db::set_person_emails(&tx, pid, &p.emails)?;
        for (i, link) in &p.accounts {
            let method = if alone { UNMATCHED } else { link.method };
            db::link_account(
                &tx,
                rows[*i].id,
                Some(pid),
                Some(method),
                Some(link.confidence),
            )?;
            if !alone {
                report.linked_accounts += 1;
            }
        }
        if p.is_bot {
            report.bots += 1;
        } else {
            report.people += 1;
        }
    }
    db::set_people_utc_offsets(&tx)?;
    db::reset_memberships(&tx)?;
    for t in &config.teams {
        let manager = match &t.manager {
            Some(m) => {
                let pid = db::person_by_ref(&tx, m)?;
                if pid.is_none() {
                    report
                        .unresolved
                        .push(format!("team {}: manager {m}", t.key));
                }
                pid
            }
            None => None,
        };
        let tid = db::upsert_team(&tx, &t.key, &t.name, manager)?;
        if let Some(m) = manager {
            db::add_member(&tx, tid, m, "manager", None)?;
        }
        for member in &t.members {
            match db::person_by_ref(&tx, member)? {
                Some(pid) => db::add_member(&tx, tid, pid, "member", manager)?,
                None => report
                    .unresolved
                    .push(format!("team {}: member {member}", t.key)),
            }
        }
        for r in &t.repos {
            db::set_repo_team(&tx, r, tid)?;
        }
        for b in &t.boards {
            db::set_board_team(&tx, b, tid)?;
        }
    }
    for s in &config.services {
        db::link_service(&tx, &s.name, s.repo.as_deref(), s.pagerduty.as_deref())?;
    }
    let me = if config.identity.me.is_empty() {
        None
    } else {
        match db::person_by_ref(&tx, &config.identity.me)? {
            Some(pid) => {
                bosun_store::meta::set(&tx, "me_person_id", &pid.to_string())?;
                Some(pid)
            }
            None => {
                report
                    .unresolved
                    .push(format!("identity.me {}", config.identity.me));
                None
            }
        }
    };
    for r in &config.identity.reports {
        match (me, db::person_by_ref(&tx, r)?) {
            (Some(me), Some(pid)) if pid != me => db::set_manager(&tx, pid, me)?,
            (_, Some(_)) => {}
            (_, None) => report.unresolved.push(format!("identity.reports {r}")),
        }
    }
    tx.commit()?;
    for u in &report.unresolved {
        tracing::warn!("identity: {u} matches no one");
    }
    Ok(report)
}

/// One side of a suggested link.
#[derive(Debug, Clone, Serialize)]
pub struct SuggestedAccount {
    /// `provider:login-or-id`: what `bosun people accept|reject` and the config's `[[people]]` take.
    pub handle: String,
    pub provider: String,
    pub login: Option<String>,
    pub name: Option<String>,
    pub emails: Vec<String>,
}

/// Two accounts a rule linked into one person, for the manager to accept or reject.
#[derive(Debug, Clone, Serialize)]
pub struct MatchSuggestionView {
    pub a: SuggestedAccount,
    pub b: SuggestedAccount,
    /// `email`, `noreply` or `name`.
    pub method: String,
    pub confidence: f64,
    /// The rule, in words.
    pub why: String,
    /// The person they are one of now.
    pub person: Option<String>,
}

/// What a rule's link means, for people.
pub fn why(method: &str) -> &'static str {
    match method {
        "email" => "they share an email address",
        "noreply" => "a GitHub noreply address names the login",
        "name" => "they have the same name",
        _ => "a rule linked them",
    }
}

/// The open suggestions, with both accounts as the store knows them.
pub fn suggestions(store: &Store) -> Result<Vec<MatchSuggestionView>> {
    let conn = store.conn();
    let rows = db::accounts_with_emails(conn)?;
    let by_handle: BTreeMap<String, &db::AccountRow> =
        rows.iter().map(|r| (handle(r), r)).collect();
    let side = |h: &str| -> SuggestedAccount {
        let r = by_handle.get(h);
        SuggestedAccount {
            handle: h.to_string(),
            provider: r.map_or_else(
                || h.split(':').next().unwrap_or("").to_string(),
                |r| r.provider.clone(),
            ),
            login: r.and_then(|r| r.login.clone()),
            name: r.and_then(|r| r.display_name.clone()),
            emails: r.map(|r| r.emails.clone()).unwrap_or_default(),
        }
    };
    let mut out = Vec::new();
    for s in db::match_suggestions(conn)? {
        let person = match by_handle.get(&s.a) {
            Some(r) => bosun_store::accounts::person_name(conn, r.id)
                .ok()
                .flatten(),
            None => None,
        };
        out.push(MatchSuggestionView {
            a: side(&s.a),
            b: side(&s.b),
            why: why(&s.method).to_string(),
            method: s.method,
            confidence: s.confidence,
            person,
        });
    }
    Ok(out)
}

/// An account's handle, as identity names it.
fn handle(r: &db::AccountRow) -> String {
    format!(
        "{}:{}",
        r.provider,
        r.login.as_deref().unwrap_or(&r.external_id)
    )
}

/// Whether `handle` names a synced account.
pub fn known_handle(store: &Store, h: &str) -> Result<bool> {
    Ok(db::account_handle_exists(store.conn(), h)?)
}
