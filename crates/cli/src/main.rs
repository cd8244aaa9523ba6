//! `bosun`: the command-line front door. Parsing and printing only; the work is the app
//! service's.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod backup;
mod cli;
mod data;
mod doctor;
mod forget;
mod goals;
mod incidents;
mod init;
mod knowledge;
mod metrics;
mod notes;
mod onboard;
mod planning;
mod progress;
mod risks;
mod serve;
mod signals;
mod slack;
mod tokens;

use anyhow::Context;
use bosun_app::demo::{self, DemoOptions};
use bosun_app::{App, AppError, NewSourceSpec, Paths};
use bosun_core::model::Provider;
use bosun_core::{Clock, FixedClock, HasCode, Sensitive, SystemClock};
use clap::Parser;
use cli::{AddSource, Cli, Command, DemoCommand, PeopleCommand, Shape, SourcesCommand};

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

/// The most pull requests `demo providers --big-repo-pulls` adds (they are kept in memory).
const MAX_BIG_REPO_PULLS: usize = 200_000;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // BOSUN_LOG=bosun_app=debug,bosun_signals=debug also times each phase (a line as each
    // span closes: loading, evaluating, each detector).
    let filter = tracing_subscriber::EnvFilter::try_from_env("BOSUN_LOG");
    let spans = if filter.is_ok() {
        tracing_subscriber::fmt::format::FmtSpan::CLOSE
    } else {
        tracing_subscriber::fmt::format::FmtSpan::NONE
    };
    // Warnings on stderr; the same and info lines also go to <data dir>/logs/bosun.log
    // (rotated by size), so a sync's story can be read afterwards.
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let stderr = tracing_subscriber::fmt::layer()
        .with_span_events(spans)
        .with_writer(std::io::stderr)
        .with_filter(filter.unwrap_or_else(|_| "warn".into()));
    let paths = Paths::resolve(cli.data_dir.clone(), cli.config.clone());
    let file = bosun_app::logs::RotatingFile::open(
        &bosun_app::logs::dir(&paths.data_dir),
        bosun_app::logs::MAX_BYTES,
        bosun_app::logs::KEEP,
    )
    .ok()
    .map(|f| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || f.clone())
            .with_filter(tracing_subscriber::EnvFilter::new("info"))
    });
    tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let code = error_code(&e);
            eprintln!("error[{}]: {}", code.as_str(), one_line(&e));
            // Bad input is bad usage (2); everything else is a failure (1).
            ExitCode::from(if code == bosun_core::Code::InvalidInput {
                2
            } else {
                1
            })
        }
    }
}

/// A failure the CLI reports itself (a sync whose sources failed), with the code of its cause.
#[derive(Debug)]
struct Coded {
    code: bosun_core::Code,
    message: String,
}

impl Coded {
    fn of(code: Option<bosun_core::Code>, message: String) -> Coded {
        Coded {
            code: code.unwrap_or(bosun_core::Code::ProviderUnavailable),
            message,
        }
    }
}

impl std::fmt::Display for Coded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Coded {}

/// The code of the first coded error in the chain (an app or connector error, or the CLI's own
/// [`Coded`], wherever context wrapped it); an uncoded error is a failed operation of the CLI's own.
fn error_code(e: &anyhow::Error) -> bosun_core::Code {
    e.chain()
        .find_map(|c| {
            c.downcast_ref::<AppError>()
                .map(HasCode::code)
                .or_else(|| c.downcast_ref::<Coded>().map(|c| c.code))
                .or_else(|| {
                    c.downcast_ref::<bosun_connectors::ConnectorError>()
                        .map(HasCode::code)
                })
        })
        // Uncoded: the CLI's own reading and writing (output, files).
        .unwrap_or(bosun_core::Code::Io)
}

fn one_line(e: &anyhow::Error) -> String {
    e.chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ")
        .replace('\n', " ")
}

fn clock(as_of: Option<&str>) -> anyhow::Result<Arc<dyn Clock>> {
    Ok(match as_of {
        Some(s) => {
            let t = bosun_core::time::parse_user_time(s).ok_or_else(|| {
                AppError::InvalidInput(format!("--as-of {s:?}: expected RFC 3339 or YYYY-MM-DD"))
            })?;
            Arc::new(FixedClock(t))
        }
        None => Arc::new(SystemClock),
    })
}

fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let clock = clock(cli.as_of.as_deref())?;
    let paths = Paths::resolve(cli.data_dir.clone(), cli.config.clone());
    let mut app = App::new(paths, clock)?;
    if needs_tokens(&cli.command) {
        tokens::unlock_if_needed(&app)?;
    }
    match cli.command {
        Command::Serve(args) => return serve::run(cli.data_dir, cli.config, app.clock(), args),
        Command::Init(args) => init::run(&mut app, args, cli.json)?,
        Command::Demo(DemoCommand::Sync {
            demo: d,
            first_pass_days,
        }) => {
            let opts = DemoOptions {
                scale: d.scale,
                seed: d.seed,
                months: d.months,
            };
            let started = std::time::Instant::now();
            let report = runtime()?.block_on(demo::sync_with(
                &mut app,
                opts,
                first_pass_days,
                Arc::new(progress::Bars::new()),
            ))?;
            let failed: Vec<_> = report.outcomes.iter().filter(|o| !o.ok).collect();
            if cli.json {
                print_json(&report)?;
            } else {
                println!(
                    "Synced the demo organisation (seed {}, scale {}, {} months, as of {}) into {} in {:.1}s.",
                    report.seed,
                    report.scale,
                    report.months,
                    report.as_of,
                    app.paths.data_dir.display(),
                    started.elapsed().as_secs_f64()
                );
                print_status(&app.status(false)?);
            }
            if let Some(f) = failed.first() {
                return Err(Coded::of(
                    f.error_code,
                    format!("{}: {}", f.source, f.error.clone().unwrap_or_default()),
                )
                .into());
            }
        }
        Command::Demo(DemoCommand::Providers {
            demo: d,
            port,
            shape,
            big_repo_pulls,
            token_scopes,
        }) => {
            let opts = DemoOptions {
                scale: d.scale,
                seed: d.seed,
                months: d.months,
            };
            let real_world = match (shape, big_repo_pulls) {
                (Shape::Demo, Some(_)) => {
                    return Err(AppError::InvalidInput(
                        "--big-repo-pulls needs --shape real-world".into(),
                    )
                    .into());
                }
                (Shape::Demo, None) => None,
                (Shape::RealWorld, Some(n)) if n > MAX_BIG_REPO_PULLS => {
                    return Err(AppError::InvalidInput(format!(
                        "--big-repo-pulls must be at most {MAX_BIG_REPO_PULLS}, not {n}"
                    ))
                    .into());
                }
                (Shape::RealWorld, n) => Some(demo::RealWorld {
                    big_repo_pulls: n.unwrap_or(demo::RealWorld::default().big_repo_pulls),
                }),
            };
            let scopes = token_scopes.unwrap_or_else(|| {
                match shape {
                    Shape::Demo => demo::DEMO_SCOPES,
                    Shape::RealWorld => demo::REAL_WORLD_SCOPES,
                }
                .to_string()
            });
            let shape_name = if real_world.is_some() {
                "real-world"
            } else {
                "demo"
            };
            let as_of = app.clock().now();
            let rt = runtime()?;
            rt.block_on(async {
                let mut world = demo::world(opts, as_of)?;
                if let Some(rw) = real_world {
                    world = world.real_world_shaped(rw);
                }
                let fakes = demo::FakesOptions {
                    port,
                    state_dir: Some(app.demo_fakes_dir()),
                    github_scopes: Some(scopes.clone()),
                };
                let providers = demo::start_serving(Arc::new(world), &fakes).await?;
                if cli.json {
                    let urls: serde_json::Map<String, serde_json::Value> =
                        providers.urls().into_iter().map(|(n, u)| (n.to_string(), serde_json::Value::String(u))).collect();
                    println!("{}", serde_json::json!({"providers": urls, "token": bosun_fakes_token(), "token_scopes": scopes, "shape": shape_name, "as_of": as_of.to_rfc3339()}));
                } else {
                    for (name, url) in providers.urls() {
                        println!("{name} {url}");
                    }
                    println!("token {}", bosun_fakes_token());
                    eprintln!(
                        "Fake providers running ({shape_name} shape, GitHub token scopes \"{scopes}\", as of {as_of}); Ctrl-C to stop."
                    );
                }
                use std::io::Write;
                std::io::stdout().flush().ok();
                tokio::signal::ctrl_c().await.ok();
                providers.shutdown().await;
                Ok::<_, AppError>(())
            })?;
        }
        Command::Sources(SourcesCommand::List) => {
            let sources = app.sources()?;
            if cli.json {
                print_json(&serde_json::json!({ "sources": sources }))?;
            } else if sources.is_empty() {
                println!(
                    "No sources yet. Add one with `bosun sources add github --name NAME --owner ORG --token-stdin`."
                );
            } else {
                for s in sources {
                    println!(
                        "{:>3}  {:<16} {:<8} {:<40} token: {}",
                        s.id,
                        s.name,
                        s.kind,
                        s.base_url.as_deref().unwrap_or("(default)"),
                        token_label(&s.token)
                    );
                }
            }
        }
        Command::Sources(SourcesCommand::Add(add)) => {
            let spec = source_spec(add)?;
            let view = app.add_source(spec)?;
            if cli.json {
                print_json(&view)?;
            } else {
                println!(
                    "Added source {} ({}); token: {}.",
                    view.name,
                    view.kind,
                    token_label(&view.token)
                );
            }
        }
        Command::Metrics(m) => metrics::run(&app, m, cli.json)?,
        Command::Index(c) => knowledge::index(&app, c, cli.json)?,
        Command::Ask(a) => knowledge::ask(&app, a, cli.json)?,
        Command::Standup(a) => notes::standup(&app, a, cli.json)?,
        Command::Triage(a) => notes::triage(&app, a, cli.json)?,
        Command::Incident(a) => incidents::incident(&app, a, cli.json)?,
        Command::Capacity(a) => planning::capacity(&app, a, cli.json)?,
        Command::Forecast(a) => planning::forecast(&app, a, cli.json)?,
        Command::Onboard(a) => onboard::run(&app, a, cli.json)?,
        Command::Goals(a) => goals::goals(&app, a, cli.json)?,
        Command::Risks(a) => risks::risks(&app, a, cli.json)?,
        Command::Slack(slack::SlackCommand::Listen) => slack::listen(app)?,
        Command::Slack(slack::SlackCommand::Check) => {
            if !slack::check(&app, cli.json)? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Slack(slack::SlackCommand::AppToken {
            source,
            token_stdin,
        }) => slack::app_token(&app, &source, read_token(token_stdin)?)?,
        Command::Demo(DemoCommand::Slack(a)) => slack::demo(cli.data_dir.as_deref(), a, cli.json)?,
        Command::Demo(DemoCommand::SlackPress(a)) => {
            slack::press(cli.data_dir.as_deref(), a, cli.json)?
        }
        Command::SprintHealth(a) => notes::sprint_health(&app, a, cli.json)?,
        Command::Prep(c) => notes::prep(&app, c, cli.json)?,
        Command::Brief(a) => notes::brief(&app, a, cli.json)?,
        Command::Notes(c) => notes::notes(&app, c, cli.json)?,
        Command::Signals(a) => signals::signals(&app, a, cli.json)?,
        Command::Actions(c) => signals::actions(&app, c, cli.json)?,
        Command::Audit(c) => signals::audit(&app, c, cli.json)?,
        Command::People { command: None } => {
            let people = app.people()?;
            if cli.json {
                print_json(&people)?;
            } else {
                print_people(&people);
            }
        }
        Command::People {
            command: Some(PeopleCommand::Suggestions),
        } => {
            let s = app.identity_suggestions()?;
            if cli.json {
                print_json(&s)?;
            } else {
                print_suggestions(&s);
            }
        }
        Command::People {
            command: Some(PeopleCommand::Accept { a, b }),
        } => decide_identity(&app, &a, &b, true, cli.json)?,
        Command::People {
            command: Some(PeopleCommand::Reject { a, b }),
        } => decide_identity(&app, &a, &b, false, cli.json)?,
        Command::Sources(SourcesCommand::Workflows { source }) => {
            let rt = runtime()?;
            let repos = rt.block_on(app.source_workflows(&source))?;
            if cli.json {
                print_json(&serde_json::json!({ "source": source, "repos": repos }))?;
            } else {
                print_workflows(&repos);
            }
        }
        Command::Sources(SourcesCommand::Remove { source }) => {
            let view = app.remove_source(&source)?;
            if cli.json {
                print_json(&view)?;
            } else {
                println!("Removed source {} (its synced records stay).", view.name);
            }
        }
        Command::Sync { source, watch } => {
            let rt = runtime()?;
            let bars: Arc<progress::Bars> = Arc::new(progress::Bars::new());
            let outcomes = rt.block_on(app.sync(source.as_deref(), bars.clone()))?;
            if cli.json && !watch {
                print_json(&serde_json::json!({ "sources": outcomes }))?;
            } else {
                print_outcomes(&outcomes);
            }
            let failed: Vec<_> = outcomes.iter().filter(|o| !o.ok).collect();
            if !failed.is_empty() && !watch {
                return Err(Coded::of(
                    failed[0].error_code,
                    format!(
                        "{} of {} sources failed: {}",
                        failed.len(),
                        outcomes.len(),
                        failed
                            .iter()
                            .map(|o| format!(
                                "{}: {}",
                                o.source,
                                o.error.clone().unwrap_or_default()
                            ))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                )
                .into());
            }
            if watch {
                rt.block_on(app.watch_git(
                    bars,
                    async {
                        tokio::signal::ctrl_c().await.ok();
                    },
                    || eprintln!("Watching git sources for changes; Ctrl-C to stop."),
                    print_outcomes,
                ))?;
            }
        }
        Command::Data(c) => data::run(&app, c, cli.json)?,
        Command::Forget(a) => forget::run(&app, a, cli.json)?,
        Command::Backup(a) => backup::backup(&app, a, cli.json)?,
        Command::Restore(a) => backup::restore(&app, a, cli.json)?,
        Command::Tokens(c) => tokens::run(&app, c, cli.json)?,
        Command::Doctor => {
            if !doctor::run(&app, cli.json)? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Status { check } => {
            let status = app.status(check)?;
            if cli.json {
                print_json(&status)?;
            } else {
                print_status(&status);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Commands that read or keep a source's token: the token file, if locked, is unlocked first
/// (asked on the terminal). `serve` is not one: its UI unlocks the file, or it reads
/// BOSUN_TOKENS_PASSPHRASE.
fn needs_tokens(command: &Command) -> bool {
    use signals::ActionsCommand;
    matches!(
        command,
        Command::Init(_)
            | Command::Sync { .. }
            | Command::Doctor
            | Command::Sources(SourcesCommand::Workflows { .. })
            | Command::Actions(ActionsCommand::Approve { .. } | ActionsCommand::Send)
            | Command::Slack(_)
    ) || matches!(command, Command::Sources(SourcesCommand::Add(add)) if !matches!(add, AddSource::Git { .. }))
}

fn read_token(token_stdin: bool) -> anyhow::Result<Option<Sensitive<String>>> {
    if !token_stdin {
        return Ok(None);
    }
    let mut t = String::new();
    std::io::stdin()
        .read_to_string(&mut t)
        .context("reading the token from standard input")?;
    let t = t.trim().to_string();
    if t.is_empty() {
        return Err(
            AppError::InvalidInput("--token-stdin: standard input was empty".into()).into(),
        );
    }
    Ok(Some(Sensitive::new(t)))
}

/// Command-line flags → a source specification (the app validates the settings).
fn source_spec(add: AddSource) -> anyhow::Result<NewSourceSpec> {
    use serde_json::json;
    Ok(match add {
        AddSource::Github {
            name,
            owner,
            repos,
            base_url,
            deploy_workflows,
            deploy_environment,
            first_pass_days,
            token_stdin,
        } => {
            let mut settings = json!({"owner": owner, "repos": repos});
            if let Some(days) = first_pass_days {
                settings["first_pass_days"] = json!(days);
            }
            if !deploy_workflows.is_empty() {
                settings["deploy_workflows"] = json!(deploy_workflows);
            }
            if let Some(env) = deploy_environment {
                settings["deploy_environment"] = json!(env);
            }
            NewSourceSpec {
                kind: Provider::Github,
                name,
                base_url,
                settings,
                token: read_token(token_stdin)?,
            }
        }
        AddSource::Gitlab {
            name,
            group,
            projects,
            base_url,
            production_environments,
            include_archived,
            token_stdin,
        } => {
            let mut settings = json!({"projects": projects, "include_archived": include_archived});
            if let Some(g) = group {
                settings["group"] = json!(g);
            }
            if !production_environments.is_empty() {
                settings["production_environments"] = json!(production_environments);
            }
            NewSourceSpec {
                kind: Provider::Gitlab,
                name,
                base_url,
                settings,
                token: read_token(token_stdin)?,
            }
        }
        AddSource::Linear {
            name,
            teams,
            waiting,
            base_url,
            token_stdin,
        } => {
            let mut settings = json!({"teams": teams});
            if !waiting.is_empty() {
                settings["waiting_statuses"] = json!(waiting);
            }
            NewSourceSpec {
                kind: Provider::Linear,
                name,
                base_url,
                settings,
                token: read_token(token_stdin)?,
            }
        }
        AddSource::Jira {
            name,
            base_url,
            project,
            email,
            api,
            waiting,
            token_stdin,
        } => {
            let mut settings = json!({"project": project, "api": api});
            if let Some(e) = email {
                settings["email"] = json!(e);
            }
            if !waiting.is_empty() {
                settings["waiting_statuses"] = json!(waiting);
            }
            NewSourceSpec {
                kind: Provider::Jira,
                name,
                base_url: Some(base_url),
                settings,
                token: read_token(token_stdin)?,
            }
        }
        AddSource::Pagerduty {
            name,
            base_url,
            services,
            token_stdin,
        } => NewSourceSpec {
            kind: Provider::Pagerduty,
            name,
            base_url,
            settings: json!({"services": services}),
            token: read_token(token_stdin)?,
        },
        AddSource::Slack {
            name,
            base_url,
            channels,
            token_stdin,
        } => NewSourceSpec {
            kind: Provider::Slack,
            name,
            base_url,
            settings: json!({"channels": channels}),
            token: read_token(token_stdin)?,
        },
        AddSource::Git {
            path,
            name,
            release_tags,
            default_branch,
        } => {
            let abs = std::fs::canonicalize(&path)
                .map_err(|e| AppError::InvalidInput(format!("{}: {e}", path.display())))?;
            let name = name.unwrap_or_else(|| {
                let dir = abs
                    .file_name()
                    .map(|n| n.to_string_lossy().trim_end_matches(".git").to_string())
                    .unwrap_or_else(|| "git".into());
                dir.chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect()
            });
            let mut settings = json!({"path": abs.display().to_string()});
            if let Some(r) = release_tags {
                settings["release_tags"] = json!(r);
            }
            if let Some(b) = default_branch {
                settings["default_branch"] = json!(b);
            }
            NewSourceSpec {
                kind: Provider::Git,
                name,
                base_url: None,
                settings,
                token: None,
            }
        }
    })
}

fn print_outcomes(outcomes: &[bosun_connectors::engine::SourceOutcome]) {
    for o in outcomes {
        match &o.error {
            None => println!(
                "{}: ok ({} requests, {} unchanged, {} items fetched)",
                o.source, o.requests, o.not_modified, o.items
            ),
            Some(e) => println!("{}: failed: {e}", o.source),
        }
        if !o.warnings.is_empty() {
            println!(
                "  {} value(s) refused or skipped, e.g. {}",
                o.warnings.len(),
                o.warnings[0]
            );
        }
    }
}

/// `bosun people accept|reject A B`.
fn decide_identity(
    app: &bosun_app::App,
    a: &str,
    b: &str,
    same: bool,
    json: bool,
) -> anyhow::Result<()> {
    let report = app.decide_identity(a, b, same)?;
    if json {
        return print_json(&report);
    }
    if same {
        println!("{a} and {b} are one person from now on.");
    } else {
        println!("{a} and {b} are two people from now on.");
    }
    if report.suggestions > 0 {
        println!(
            "{} suggestions still open (bosun people suggestions).",
            report.suggestions
        );
    }
    Ok(())
}

fn print_suggestions(v: &[bosun_app::identity::MatchSuggestionView]) {
    if v.is_empty() {
        println!("No open suggestions: every link a rule made has been answered.");
        return;
    }
    let side = |a: &bosun_app::identity::SuggestedAccount| {
        let mut s = a.handle.clone();
        if let Some(n) = &a.name {
            s.push_str(&format!(" ({n})"));
        }
        if let Some(e) = a.emails.first() {
            s.push_str(&format!(" <{e}>"));
        }
        s
    };
    for x in v {
        println!(
            "{}  {}  ({}, {:.2}{})",
            side(&x.a),
            side(&x.b),
            x.why,
            x.confidence,
            x.person
                .as_deref()
                .map(|p| format!("; now one person: {p}"))
                .unwrap_or_default()
        );
    }
    println!("Answer with: bosun people accept A B  |  bosun people reject A B");
}

/// Each repository's workflows: `configured` (its runs are deployments) or `proposed` (it looks
/// like a deploy), then how to configure the proposals.
fn print_workflows(repos: &[bosun_connectors::github::actions::RepoWorkflows]) {
    let mut proposed: Vec<String> = Vec::new();
    for r in repos {
        println!("{} (default branch {})", r.repo, r.default_branch);
        if let Some(e) = &r.error {
            println!("  workflows not readable: {e}");
            continue;
        }
        if r.workflows.is_empty() {
            println!("  no workflows");
        }
        for w in &r.workflows {
            let mark = if w.configured {
                "configured"
            } else if w.looks_like_deploy {
                "proposed"
            } else {
                ""
            };
            println!("  {mark:<11} {:<32} {}", w.name, w.path);
            if w.looks_like_deploy && !w.configured {
                let file = w.path.rsplit('/').next().unwrap_or(&w.path).to_string();
                if !proposed.contains(&file) {
                    proposed.push(file);
                }
            }
        }
    }
    if !proposed.is_empty() {
        println!(
            "\nLooks like a deploy: {}. To count their runs on the default branch as deployments, add the source with{}.",
            proposed.join(", "),
            proposed
                .iter()
                .map(|f| format!(" --deploy-workflow {f}"))
                .collect::<String>()
        );
    }
}

fn print_people(v: &bosun_app::PeopleView) {
    for p in &v.people {
        let team = p
            .team_name
            .as_deref()
            .unwrap_or(if p.is_bot { "bot" } else { "-" });
        println!(
            "{:<22} {:<11} {}",
            p.name,
            team,
            p.email.as_deref().unwrap_or("")
        );
        for a in &p.accounts {
            let who = a.login.as_deref().or(a.name.as_deref()).unwrap_or(&a.id);
            let how = match (a.match_method.as_deref(), a.confidence) {
                (Some(m), Some(c)) => format!("{m} {c:.2}"),
                _ => String::new(),
            };
            println!("    {:<10} {:<32} {how}", a.provider, who);
        }
    }
    if !v.unmatched.is_empty() {
        println!("Unmatched accounts (add them to a [[people]] entry in the config to link them):");
        for a in &v.unmatched {
            println!(
                "    {:<10} {:<32} {}",
                a.provider,
                a.login.as_deref().or(a.name.as_deref()).unwrap_or(&a.id),
                a.email.as_deref().unwrap_or("")
            );
        }
    }
}

fn bosun_fakes_token() -> &'static str {
    bosun_app::demo::DEMO_TOKEN
}

fn token_label(t: &bosun_app::secrets::TokenOrigin) -> String {
    use bosun_app::secrets::TokenOrigin;
    match t {
        TokenOrigin::Environment(v) => format!("environment ({v})"),
        TokenOrigin::Keychain => "keychain".into(),
        TokenOrigin::TokenFile => "token file".into(),
        TokenOrigin::Demo => "demo".into(),
        TokenOrigin::NotNeeded => "not needed".into(),
        TokenOrigin::Missing => "missing".into(),
        TokenOrigin::Unknown(e) => format!("unknown ({e})"),
    }
}

fn print_status(s: &bosun_app::Status) {
    if !s.initialized {
        println!(
            "No data in {} yet: run `bosun demo sync` or add a source and `bosun sync`.",
            s.data_dir
        );
        return;
    }
    println!(
        "Data      {} ({:.1} MB, schema v{})",
        s.database,
        s.size_bytes as f64 / 1e6,
        s.schema_version
    );
    if let Some(i) = &s.integrity {
        println!("Integrity {i}");
    }
    println!("Sources");
    for src in &s.sources {
        let v = &src.source;
        let when = v
            .last_sync_finished_at
            .as_deref()
            .or(v.last_sync_started_at.as_deref())
            .unwrap_or("never");
        let state = v.last_sync_status.as_deref().unwrap_or("not synced");
        println!(
            "  {:<16} {:<7} {:<11} {}  ({} jobs, {} cursors)",
            v.name,
            v.kind,
            state,
            when,
            src.jobs.len(),
            src.cursors
        );
        if let Some(h) = v.history.as_ref().filter(|h| h.state != "complete") {
            println!("    history: {}", h.summary);
        }
        if let Some(e) = &v.last_error {
            println!("    last error: {e}");
        }
        for j in src.jobs.iter().filter(|j| j.state != "done") {
            println!(
                "    {} {}: {}{}",
                j.kind,
                j.scope,
                j.state,
                j.last_error
                    .as_deref()
                    .map(|e| format!(" — {e}"))
                    .unwrap_or_default()
            );
        }
    }
    println!("Records");
    let nonzero: Vec<_> = s.counts.iter().filter(|(_, n)| **n > 0).collect();
    for row in nonzero.chunks(3) {
        let line: Vec<String> = row.iter().map(|(k, n)| format!("{k:<20} {n:>8}")).collect();
        println!("  {}", line.join("   "));
    }
}

/// Bytes for people: 512 B, 3.4 MB.
fn human_bytes(bytes: i64) -> String {
    bosun_app::doctor::human_bytes(bytes.max(0) as u64)
}
