//! `bosun init`: the first-run wizard in a terminal, the same steps as the app's welcome page
//! (`bosun_app::onboarding`): check a GitHub token live, choose the organisation and its
//! repositories, keep the proposed teams, you and your reports, then sync.

use crate::progress;
use bosun_app::App;
use bosun_app::onboarding::{self, GithubDiscovery, GithubSetup, Setup, TokenInput};
use clap::Args;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The GitHub API [default: https://api.github.com; Enterprise: https://HOST/api/v3].
    #[arg(long, value_name = "URL")]
    pub github_url: Option<String>,
    /// Read the GitHub token from standard input (first line) instead of asking.
    #[arg(long, conflicts_with = "gh")]
    pub token_stdin: bool,
    /// Use the GitHub CLI's token (`gh auth token`).
    #[arg(long)]
    pub gh: bool,
    /// The organisation (or user) [default: the token's first organisation].
    #[arg(long, value_name = "ORG")]
    pub owner: Option<String>,
    /// Keep every proposal without asking (the active repositories, the teams found, you from
    /// the token, your reports from your teams).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Do not start the first sync.
    #[arg(long)]
    pub no_sync: bool,
}

struct Ask {
    interactive: bool,
}

impl Ask {
    fn line(&self, prompt: &str, default: &str) -> anyhow::Result<String> {
        if !self.interactive {
            return Ok(default.to_string());
        }
        eprint!("{prompt} [{default}]: ");
        std::io::stderr().flush().ok();
        let mut l = String::new();
        std::io::stdin().lock().read_line(&mut l)?;
        let l = l.trim();
        Ok(if l.is_empty() {
            default.to_string()
        } else {
            l.to_string()
        })
    }

    fn yes(&self, prompt: &str) -> anyhow::Result<bool> {
        let a = self.line(&format!("{prompt} (y/n)"), "y")?;
        Ok(a.eq_ignore_ascii_case("y") || a.eq_ignore_ascii_case("yes"))
    }
}

fn names(d: &GithubDiscovery, handles: &[String]) -> String {
    handles
        .iter()
        .map(|h| {
            d.people
                .iter()
                .find(|p| &p.handle == h)
                .and_then(|p| p.name.clone())
                .map_or_else(|| h.clone(), |n| format!("{n} ({h})"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run(app: &mut App, args: InitArgs, json: bool) -> anyhow::Result<()> {
    let ask = Ask {
        interactive: !args.yes && std::io::stdin().is_terminal() && !args.token_stdin,
    };
    let rt = crate::runtime()?;
    let base = args
        .github_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let token = if args.gh {
        TokenInput {
            token: None,
            from_gh_cli: true,
        }
    } else if args.token_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        TokenInput {
            token: Some(line.trim().to_string()),
            from_gh_cli: false,
        }
    } else if !ask.interactive {
        anyhow::bail!(bosun_app::AppError::InvalidInput(
            "no token: pass --token-stdin or --gh (or run `bosun init` in a terminal)".into()
        ));
    } else {
        let use_gh = onboarding::gh_cli_available()
            && ask.yes("The GitHub CLI is logged in: use its token?")?;
        TokenInput {
            token: (!use_gh)
                .then(|| {
                    crate::tokens::read_passphrase(
                        "GitHub token (classic: repo, read:org; input hidden): ",
                    )
                    .map(|t| t.expose().trim().to_string())
                })
                .transpose()?,
            from_gh_cli: use_gh,
        }
    };

    // 1. The token, live.
    let check = rt.block_on(app.check_github(base, &token))?;
    eprintln!(
        "Token: {}{} ({} token), API {}",
        check.login,
        check
            .name
            .as_deref()
            .map(|n| format!(" — {n}"))
            .unwrap_or_default(),
        check.kind.replace('_', "-"),
        check.base_url
    );
    if let Some(s) = &check.scopes {
        eprintln!(
            "  scopes: {}",
            if s.is_empty() {
                "none".into()
            } else {
                s.join(", ")
            }
        );
    }
    if let (Some(r), Some(l)) = (check.rate_limit_remaining, check.rate_limit_limit) {
        eprintln!("  rate limit: {r} of {l} requests left");
    }
    for m in &check.missing {
        eprintln!("  missing {}: {}", m.permission, m.consequence);
    }
    if let Some(n) = &check.permissions_note {
        eprintln!("  {n}");
    }

    // 2. The organisation and its repositories.
    let default_owner = args.owner.clone().unwrap_or_else(|| {
        check
            .owners
            .iter()
            .find(|o| !o.is_user)
            .or(check.owners.first())
            .map(|o| o.login.clone())
            .unwrap_or_default()
    });
    if ask.interactive {
        let list: Vec<&str> = check.owners.iter().map(|o| o.login.as_str()).collect();
        eprintln!(
            "Organisations and accounts this token sees: {}",
            list.join(", ")
        );
    }
    let owner = ask.line("Organisation", &default_owner)?;
    let d = rt.block_on(app.discover_github(base, &token, &owner))?;
    let mut repos: Vec<String> = d
        .repos
        .iter()
        .filter(|r| r.selected)
        .map(|r| r.name.clone())
        .collect();
    eprintln!(
        "Repositories of {}: {} of {} chosen",
        d.owner,
        repos.len(),
        d.repos.len()
    );
    for r in &d.repos {
        eprintln!(
            "  [{}] {}{}",
            if r.selected { 'x' } else { ' ' },
            r.name,
            r.why_not
                .as_deref()
                .map(|w| format!(" ({w})"))
                .unwrap_or_default()
        );
    }
    let extra = ask.line(
        "Add or drop repositories (+name -name, space separated)",
        "",
    )?;
    for op in extra.split_whitespace() {
        if let Some(n) = op.strip_prefix('-') {
            repos.retain(|r| r != n);
        } else {
            let n = op.trim_start_matches('+');
            if d.repos.iter().any(|r| r.name == n) && !repos.iter().any(|r| r == n) {
                repos.push(n.to_string());
            } else if !d.repos.iter().any(|r| r.name == n) {
                eprintln!("  no repository {n} in {}", d.owner);
            }
        }
    }
    let mut workflows: Vec<String> = Vec::new();
    for r in d.repos.iter().filter(|r| repos.contains(&r.name)) {
        for w in &r.deploy_workflows {
            if !workflows.contains(w) {
                workflows.push(w.clone());
            }
        }
    }
    if !workflows.is_empty() {
        eprintln!("Workflows that look like deploys: {}", workflows.join(", "));
        if !ask.yes("Count their runs on the default branch as deployments?")? {
            workflows.clear();
        }
    }

    // 3. Teams, you and your reports.
    let mut org = onboarding::proposed_org(&d);
    let names_of_repos: Vec<String> = repos.iter().map(|r| format!("{}/{r}", d.owner)).collect();
    for t in &mut org.teams {
        t.repos.retain(|r| names_of_repos.contains(r));
    }
    eprintln!(
        "People: {} ({}).",
        d.people.iter().filter(|p| !p.is_bot).count(),
        d.people_note
    );
    if let Some(n) = &d.teams_note {
        eprintln!("{n}.");
    }
    for t in &d.teams {
        eprintln!(
            "  team {} ({}, from {:?}): {} members, {} repositories",
            t.name,
            t.key,
            t.origin,
            t.members.len(),
            t.repos.len()
        );
    }
    org.me = ask.line("You are", &org.me)?;
    if !org.reports.is_empty() {
        eprintln!("Proposed direct reports: {}", names(&d, &org.reports));
    }
    let reports = ask.line(
        "Direct reports (handles, space separated; - for none)",
        &org.reports.join(" "),
    )?;
    org.reports = if reports.trim() == "-" {
        Vec::new()
    } else {
        reports.split_whitespace().map(str::to_string).collect()
    };

    // 4. Keep it all.
    let setup = Setup {
        github: Some(GithubSetup {
            name: "github".into(),
            base_url: base.map(str::to_string),
            owner: d.owner.clone(),
            repos,
            deploy_workflows: workflows,
            token,
        }),
        others: Vec::new(),
        org,
    };
    let finished = app.finish_onboarding(setup)?;
    eprintln!(
        "Kept: sources {}; {} teams and {} reports in {}. Jira, PagerDuty and Slack: `bosun sources add`.",
        finished.sources.join(", "),
        finished.teams,
        finished.reports,
        finished.org_file
    );
    if json {
        println!("{}", serde_json::to_string_pretty(&finished)?);
    }
    if args.no_sync {
        return Ok(());
    }
    let bars: Arc<progress::Bars> = Arc::new(progress::Bars::new());
    let outcomes = rt.block_on(app.sync(None, bars))?;
    crate::print_outcomes(&outcomes);
    Ok(())
}
