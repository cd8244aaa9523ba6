//! The command-line grammar (docs/cli.md).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "bosun",
    version,
    about = "An engineering manager's chief of staff, on your machine.",
    propagate_version = true
)]
pub struct Cli {
    /// Where Bosun keeps its database [default: the user's data dir; env BOSUN_DATA_DIR].
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Configuration file [default: <data dir>/config.toml with --data-dir, else ~/.config/bosun/config.toml].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The injected "now" (RFC 3339 or YYYY-MM-DD): metrics, signals and demo data are computed as of it.
    #[arg(long, global = true, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Print one JSON document on stdout instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The first run: check a GitHub token, choose the organisation, its repositories, teams,
    /// you and your reports, then sync (the same steps as the app's welcome page).
    Init(crate::init::InitArgs),
    /// The offline demo organisation, served by fake providers on 127.0.0.1.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Manage the sources Bosun syncs.
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Sync all sources (or one), incrementally; safe to interrupt and re-run.
    Sync {
        /// A source name or id.
        source: Option<String>,
        /// Keep running: re-sync git sources whenever their repository changes.
        #[arg(long)]
        watch: bool,
    },
    /// Delivery metrics: DORA, pull requests, flow, sprint health — each with its evidence.
    Metrics(crate::metrics::MetricsArgs),
    /// Index docs for `ask`: folders, repository docs, tickets and pull requests.
    #[command(subcommand)]
    Index(crate::knowledge::IndexCommand),
    /// Answer a question from the indexed docs: passages cited by file and lines, and who knows.
    Ask(crate::knowledge::AskArgs),
    /// Open signals (blockers and risks) with severity, why and evidence; drafts suggested actions.
    Signals(crate::signals::SignalsArgs),
    /// Suggested actions: drafts until you approve them; approved ones are sent exactly once.
    #[command(subcommand)]
    Actions(crate::signals::ActionsCommand),
    /// The append-only, hash-chained audit ledger.
    #[command(subcommand)]
    Audit(crate::signals::AuditCommand),
    /// The standup of a team: done since the last working day, in progress and blockers, per person.
    Standup(crate::notes::StandupArgs),
    /// Pull requests waiting for review, ranked, with suggested reviewers and nudge drafts.
    Triage(crate::notes::TriageArgs),
    /// Incidents, or one incident whole: timeline, ranked suspect changes, responders, runbook.
    Incident(crate::incidents::IncidentArgs),
    /// Each team's next sprint: working days per person (time zone, public holidays, time off,
    /// on call), the focus factor learned from past sprints, and what to commit to.
    Capacity(crate::planning::CapacityArgs),
    /// When an epic will be done: a Monte Carlo forecast on the team's throughput and the epic's
    /// scope growth, with the 50/85/95 % dates; `--backtest` checks it on finished epics.
    Forecast(crate::planning::ForecastArgs),
    /// The people who joined recently, or one new hire's 30-day plan (docs to read, code to know,
    /// people to meet, first tickets, an on-call shadow shift) and their progress.
    Onboard(crate::onboard::OnboardArgs),
    /// The quarter's goals: key results, progress from linked work or metrics, forecasts, and
    /// each team's unaligned work; `import`, `export` and `delete` goals.
    Goals(crate::goals::GoalsArgs),
    /// The risk register: risks Bosun proposes from evidence, and the ones you accepted;
    /// `accept`, `dismiss`, `edit` and `export` (Markdown).
    Risks(crate::risks::RisksArgs),
    /// Slack commands: `listen` answers /standup, /sprint-health, /triage, /ask and /brief over
    /// Socket Mode from this terminal.
    #[command(subcommand)]
    Slack(crate::slack::SlackCommand),
    /// The sprint health report: burndown, risks, scope changes, carry-over and the forecast.
    SprintHealth(crate::notes::SprintArgs),
    /// 1:1 prep packs for your direct reports, and your private notes about them.
    #[command(subcommand)]
    Prep(crate::notes::PrepCommand),
    /// The morning brief: blockers, pull requests waiting, sprints and incidents.
    Brief(crate::notes::BriefArgs),
    /// Notes files: export today's notes (Markdown and SVG charts) into the notes folder.
    #[command(subcommand)]
    Notes(crate::notes::NotesCommand),
    /// People with their linked accounts (GitHub, Jira, Slack, PagerDuty, git), and the accounts
    /// nobody could be matched to; identity's merge suggestions, to accept or reject.
    People {
        #[command(subcommand)]
        command: Option<PeopleCommand>,
    },
    /// Per-source sync state and per-entity record counts.
    Status {
        /// Also run SQLite's integrity check.
        #[arg(long)]
        check: bool,
    },
    /// Your data: export everything as JSON Lines, or see what Bosun stores.
    #[command(subcommand)]
    Data(crate::data::DataCommand),
    /// Erase a person: their messages, notes, names, emails and logins (a pseudonym stays in
    /// the aggregates), everywhere in the data dir.
    Forget(crate::forget::ForgetArgs),
    /// A consistent copy of the database, with the config inside it.
    Backup(crate::backup::BackupArgs),
    /// Replace the database with a backup, after checking it.
    Restore(crate::backup::RestoreArgs),
    /// Where tokens are kept: the OS keychain, or an encrypted file where no keychain works.
    #[command(subcommand)]
    Tokens(crate::tokens::TokensCommand),
    /// Check the keychain and the token store, model files, runtime, sources (auth, rate limit, clock), database,
    /// disk and permissions; exit 1 only when a check fails.
    Doctor,
    /// The UI in a browser: serve it and its API on 127.0.0.1 (the first line printed is the URL
    /// to open, with a per-launch token).
    Serve(crate::serve::ServeArgs),
}

#[derive(Debug, Args, Clone, Copy)]
pub struct DemoArgs {
    /// Size of the organisation: 1 = the demo; 10 and 100 for benchmarks.
    #[arg(long, default_value_t = 1)]
    pub scale: u32,
    /// Seed of the generator (same seed and --as-of give identical data).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Months of history to generate.
    #[arg(long, default_value_t = 6)]
    pub months: u32,
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Start the fake providers and sync the demo organisation into --data-dir through the real connectors.
    Sync {
        #[command(flatten)]
        demo: DemoArgs,
        /// The first sync of the demo's GitHub reads the last DAYS days first, then backfills
        /// (0: one pass) [default: 30].
        #[arg(long, value_name = "DAYS")]
        first_pass_days: Option<u32>,
    },
    /// Type a slash command into the running demo's Slack (`bosun serve --demo`, the desktop
    /// demo) as one of its people and print the answer they would see.
    Slack(crate::slack::DemoSlackArgs),
    /// Press Approve or Reject on a draft Bosun offered in the running demo's Slack, as one of
    /// its people (only the manager's press counts), and print what replaced the message.
    SlackPress(crate::slack::DemoPressArgs),
    /// Run only the fake providers and print their base URLs (until interrupted).
    Providers {
        #[command(flatten)]
        demo: DemoArgs,
        /// Port for the fake GitHub (0 = any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The organisation's shape: `demo`, or `real-world` (no teams or CODEOWNERS, most
        /// profiles nameless, bots, forks, archived and empty repositories, a big repository).
        #[arg(long, value_enum, default_value_t = Shape::Demo)]
        shape: Shape,
        /// With --shape real-world: closed pull requests added to the big repository [default: 3000].
        #[arg(long, value_name = "N")]
        big_repo_pulls: Option<usize>,
        /// The fake GitHub token's OAuth scopes, as a classic token's [default: "repo, read:org,
        /// read:user"; "repo" with --shape real-world, so without read:org].
        #[arg(long, value_name = "SCOPES")]
        token_scopes: Option<String>,
    },
}

/// What the fake providers' organisation looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shape {
    /// The demo organisation as generated.
    Demo,
    /// The demo organisation shaped like a real one on GitHub.
    RealWorld,
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// List sources and where their tokens come from.
    List,
    /// Add a source.
    #[command(subcommand)]
    Add(AddSource),
    /// Remove a source (its synced records stay) and forget its token.
    Remove {
        /// The source's name or id.
        source: String,
    },
    /// A GitHub source's workflows, repository by repository: those that look like deploys are
    /// proposed for --deploy-workflow, those already configured are marked.
    Workflows {
        /// The source's name or id.
        source: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AddSource {
    /// A GitHub organisation or user (github.com or GitHub Enterprise).
    Github {
        /// A name for this source.
        #[arg(long)]
        name: String,
        /// The organisation or user whose repositories to sync.
        #[arg(long)]
        owner: String,
        /// Only these repositories (repeatable); default: all of them.
        #[arg(long = "repo", value_name = "NAME")]
        repos: Vec<String>,
        /// API base URL, e.g. https://ghe.example.com/api/v3 [default: https://api.github.com].
        #[arg(long)]
        base_url: Option<String>,
        /// A workflow whose runs are deployments (GitHub Actions as the delivery pipeline): its
        /// name or file, e.g. deploy.yml (repeatable; `bosun sources workflows` proposes some).
        #[arg(long = "deploy-workflow", value_name = "NAME")]
        deploy_workflows: Vec<String>,
        /// With --deploy-workflow: a run counts when one of its jobs deployed to this environment
        /// [default: a run on the default branch for a push or a manual dispatch].
        #[arg(long, value_name = "ENV", requires = "deploy_workflows")]
        deploy_environment: Option<String>,
        /// The first sync reads the last DAYS days of every repository first, then backfills the
        /// rest (0: all in one pass) [default: 30].
        #[arg(long, value_name = "DAYS")]
        first_pass_days: Option<u32>,
        /// Read a token from standard input and keep it in the OS keychain (or the encrypted
        /// token file, when `bosun tokens use-file` chose it).
        #[arg(long)]
        token_stdin: bool,
    },
    /// A GitLab group (subgroups included) or projects, on gitlab.com or self-managed. A
    /// personal, group or project access token with the `read_api` scope.
    Gitlab {
        /// A name for this source.
        #[arg(long)]
        name: String,
        /// The group whose projects to sync, e.g. acme/platform.
        #[arg(long, required_unless_present = "projects")]
        group: Option<String>,
        /// Only these projects, by full path (repeatable), e.g. acme/platform/api.
        #[arg(long = "project", value_name = "PATH")]
        projects: Vec<String>,
        /// A self-managed instance, e.g. https://gitlab.example.com [default: https://gitlab.com].
        #[arg(long)]
        base_url: Option<String>,
        /// An environment that is production (repeatable) [default: the environments of the
        /// production tier].
        #[arg(long = "production-environment", value_name = "ENV")]
        production_environments: Vec<String>,
        /// Sync archived projects too.
        #[arg(long)]
        include_archived: bool,
        /// Read a token from standard input and keep it in the OS keychain (or the encrypted
        /// token file).
        #[arg(long)]
        token_stdin: bool,
    },
    /// Linear teams (a personal API key, read access).
    Linear {
        #[arg(long)]
        name: String,
        /// A team key to sync (repeatable), e.g. ENG [default: every team the key can see].
        #[arg(long = "team", value_name = "KEY")]
        teams: Vec<String>,
        /// A state that counts as waiting (repeatable; default: review, blocked, on hold, ...).
        #[arg(long = "waiting-status", value_name = "STATE")]
        waiting: Vec<String>,
        /// [default: https://api.linear.app]
        #[arg(long)]
        base_url: Option<String>,
        #[arg(long)]
        token_stdin: bool,
    },
    /// A Jira project (Cloud, or Data Center with --api classic).
    Jira {
        #[arg(long)]
        name: String,
        /// The site, e.g. https://example.atlassian.net.
        #[arg(long)]
        base_url: String,
        /// The project key, e.g. TIDE.
        #[arg(long)]
        project: String,
        /// Your Atlassian account email (Cloud API tokens); omit for a Data Center bearer token.
        #[arg(long)]
        email: Option<String>,
        /// cloud (enhanced JQL search) or classic (startAt paging, Data Center).
        #[arg(long, default_value = "cloud")]
        api: String,
        /// A status that counts as waiting (repeatable; default: review, blocked, on hold, ...).
        #[arg(long = "waiting-status", value_name = "STATUS")]
        waiting: Vec<String>,
        #[arg(long)]
        token_stdin: bool,
    },
    /// A PagerDuty account (incidents of all services, or of --service ids).
    Pagerduty {
        #[arg(long)]
        name: String,
        /// [default: https://api.pagerduty.com]
        #[arg(long)]
        base_url: Option<String>,
        #[arg(long = "service", value_name = "ID")]
        services: Vec<String>,
        #[arg(long)]
        token_stdin: bool,
    },
    /// Slack channels to read (a bot token with channels:history and users:read).
    Slack {
        #[arg(long)]
        name: String,
        /// [default: https://slack.com]
        #[arg(long)]
        base_url: Option<String>,
        /// A channel name or id (repeatable); '*' for every channel the bot is in.
        #[arg(long = "channel", value_name = "CHANNEL", required = true)]
        channels: Vec<String>,
        #[arg(long)]
        token_stdin: bool,
    },
    /// A local git repository (a clone or a bare repository); no token needed.
    Git {
        /// Path of the repository.
        path: std::path::PathBuf,
        /// A name for this source [default: the directory name].
        #[arg(long)]
        name: Option<String>,
        /// Tags matching this regular expression are production deployments, e.g. '^v\d+'.
        #[arg(long)]
        release_tags: Option<String>,
        /// The default branch [default: the repository's HEAD].
        #[arg(long)]
        default_branch: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PeopleCommand {
    /// Links a rule made (same email, a GitHub noreply address, same name) that you have not
    /// answered yet.
    Suggestions,
    /// Two accounts are one person: linked for sure from now on.
    Accept {
        /// An account as `provider:login-or-id` (as `bosun people` and the suggestions show it).
        a: String,
        b: String,
    },
    /// Two accounts are two people: no rule links them again.
    Reject { a: String, b: String },
}
