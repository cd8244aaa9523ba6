//! Every endpoint once: its name, argument type and result type. The same table drives the
//! dispatcher both doors call (`call`: the Tauri command and `POST /api/<name>`) and the
//! TypeScript `Endpoints` map the UI's client is typed by.

use crate::error::{ApiError, ErrorCode, Result};
use crate::state::Api;
use crate::status::AppInfo;
use crate::views::{
    common, data, delivery, knowledge, ledger, notes, onboard, onboarding, settings, slack, tokens,
    work,
};
use std::sync::Arc;

fn app_info(api: &Api, _: common::NoArgs) -> Result<AppInfo> {
    Ok(api.info())
}

macro_rules! endpoints {
    ($( $(#[doc = $doc:literal])* $name:ident : $args:ty => $res:ty = $f:path ;)*) => {
        /// The endpoint names, in table order.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Run one endpoint with its JSON arguments (`null` = defaults). The work runs on the
        /// blocking pool: endpoints read SQLite and compute metrics.
        pub async fn call(api: &Arc<Api>, name: &str, args: serde_json::Value) -> Result<serde_json::Value> {
            let args = if args.is_null() { serde_json::json!({}) } else { args };
            let api = api.clone();
            match name {
                $(stringify!($name) => {
                    let a: $args = serde_json::from_value(args).map_err(|e| {
                        ApiError::invalid(format!("{}: bad arguments: {e}", stringify!($name)))
                    })?;
                    let r: $res = tokio::task::spawn_blocking(move || $f(&api, a))
                        .await
                        .map_err(|e| ApiError::internal(e.to_string()))??;
                    serde_json::to_value(r).map_err(|e| ApiError::internal(e.to_string()))
                })*
                other => Err(ApiError::new(ErrorCode::NotFound, format!("no endpoint {other:?}"))),
            }
        }

        /// `export interface Endpoints { name: { args: A; result: R } ... }` and every type it
        /// names, for `ui/src/lib/api.gen.ts`.
        pub fn typescript() -> String {
            let mut out = crate::typescript::Collector::default();
            let mut map = String::from("/** Every endpoint: its arguments and its result. */\nexport interface Endpoints {\n");
            $(
                map.push_str(&format!("  /** {} */\n", concat!($($doc),*).trim()));
                map.push_str(&format!(
                    "  {}: {{ args: {}; result: {} }};\n",
                    stringify!($name),
                    out.add::<$args>(),
                    out.add::<$res>()
                ));
            )*
            map.push_str("}\n");
            out.add::<crate::events::EventEnvelope>();
            out.add::<crate::error::ApiError>();
            out.finish(&map)
        }
    };
}

endpoints! {
    /// The phase, mode and sync state shown around every page.
    app_info: common::NoArgs => AppInfo = app_info;
    /// Open signals, what changed since yesterday, meetings to prepare.
    today: common::NoArgs => work::Today = work::today;
    /// The pull request triage queue.
    pr_queue: crate::views::common::WindowArgs => work::PrQueue = work::pr_queue;
    /// Sprint health with its burndown and forecast.
    sprint: work::SprintArgs => work::SprintPage = work::sprint_page;
    /// DORA, pull request cycle time and flow, with the records behind every number.
    delivery: crate::views::common::WindowArgs => delivery::Delivery = delivery::delivery;
    /// Every team's five keys and PR cycle time side by side, with sample sizes.
    team_comparison: crate::views::common::WindowArgs => delivery::TeamComparison = delivery::team_comparison;
    /// Investment balance: each team's finished tickets per month by category, with the rules.
    investment: delivery::InvestmentArgs => bosun_app::investment::InvestmentView = delivery::investment;
    /// Each team's next sprint: people's working days (time zone, holidays, time off, on call),
    /// the focus factor and the commitment to recommend with its chance.
    capacity: crate::views::planning::CapacityArgs => bosun_app::capacity::CapacityView = crate::views::planning::capacity;
    /// When an epic will be done: the 50/85/95 % dates, the burn-up and the forecast cone.
    forecast: crate::views::planning::ForecastArgs => bosun_app::forecast::ForecastView = crate::views::planning::forecast;
    /// Every epic with work left, each with its forecast, soonest 85 % date first.
    open_epics: crate::views::planning::EpicsArgs => Vec<bosun_app::forecast::ForecastView> = crate::views::planning::open_epics;
    /// The goals with progress, forecasts and each team's unaligned work.
    goals: crate::views::planning::GoalsArgs => bosun_app::goals::GoalsView = crate::views::planning::goals;
    /// Every goal as stored, to edit.
    goal_inputs: common::NoArgs => Vec<bosun_app::goals::GoalInput> = crate::views::planning::goal_inputs;
    /// Add or change a goal (audited).
    save_goal: bosun_app::goals::GoalInput => crate::views::planning::GoalSaved = crate::views::planning::save_goal;
    /// Delete a goal (audited).
    delete_goal: crate::views::planning::GoalId => crate::views::planning::GoalSaved = crate::views::planning::delete_goal;
    /// The risk register: proposals re-evaluated now, and the manager's decisions.
    risks: common::NoArgs => bosun_app::risks::RisksView = crate::views::planning::risks;
    /// Accept, dismiss or reopen a proposed risk (audited).
    decide_risk: crate::views::planning::DecideRiskArgs => bosun_app::risks::RiskView = crate::views::planning::decide_risk;
    /// Set a risk's likelihood, impact, owner, mitigation or review date (audited).
    edit_risk: crate::views::planning::EditRiskArgs => bosun_app::risks::RiskView = crate::views::planning::edit_risk;
    /// The accepted register as Markdown.
    risks_markdown: common::NoArgs => crate::views::planning::RisksMarkdown = crate::views::planning::risks_markdown;
    /// A metric's definition (docs/metric-definitions.md), one click from its number.
    metric_definition: delivery::DefinitionArgs => delivery::Definition = delivery::metric_definition;
    /// Incidents, newest first, with filters.
    incidents: crate::views::incidents::IncidentListArgs => crate::views::incidents::IncidentList = crate::views::incidents::incidents;
    /// One incident whole: timeline, ranked suspect changes, responders, runbook passages, drafts.
    incident: crate::views::incidents::IncidentArgs => bosun_app::incidents::IncidentView = crate::views::incidents::incident;
    /// Incident metrics per service or team: count against the window before, time to acknowledge
    /// and resolve, linked to a deployment, repeats.
    incident_metrics: crate::views::incidents::IncidentMetricsArgs => bosun_app::incident_metrics::IncidentMetricsView = crate::views::incidents::incident_metrics;
    /// An incident's postmortem draft (Markdown), written to the notes folder when `export`.
    postmortem: crate::views::incidents::PostmortemArgs => bosun_app::postmortem::PostmortemView = crate::views::incidents::postmortem;
    /// Keep a postmortem's follow-ups as their owners' private 1:1 follow-ups (once).
    keep_follow_ups: crate::views::incidents::IncidentArgs => bosun_app::postmortem::KeptFollowUps = crate::views::incidents::keep_follow_ups;
    /// An incident's summary as a note, every line linked; rewritten by the configured language
    /// model when `polish` (redacted, budgeted, audited; the deterministic summary when not).
    incident_summary: crate::views::incidents::IncidentSummaryArgs => bosun_app::incident_summary::IncidentSummaryNote = crate::views::incidents::incident_summary;
    /// Draft a postmortem's follow-ups as Jira tickets (created once each, when approved).
    draft_follow_up_tickets: crate::views::incidents::IncidentArgs => bosun_app::postmortem::DraftedTickets = crate::views::incidents::draft_follow_up_tickets;
    /// People, their review load and what they are working on.
    team: crate::views::common::WindowArgs => work::TeamPage = work::team_page;
    /// The people who joined a team recently (join date from the configuration or first activity).
    joiners: common::NoArgs => bosun_app::onboard::JoinersView = onboard::joiners;
    /// A new hire's 30-day plan (docs, code, people, first tickets, shadow shift) and progress.
    onboard_plan: onboard::OnboardArgs => bosun_app::onboard::OnboardPlan = onboard::onboard_plan;
    /// Keep the day someone joined their team (audited), or forget the one kept.
    set_join_date: onboard::JoinDateArgs => bosun_app::onboard::JoinersView = onboard::set_join_date;
    /// Draft a joiner's welcome message and buddy introduction (sent only once approved).
    draft_onboarding: onboard::OnboardArgs => bosun_app::onboard::OnboardDrafts = onboard::draft_onboarding;
    /// A meeting note from the store: standup, sprint report, 1:1 prep, triage or the brief.
    note: notes::NoteArgs => notes::NoteView = notes::note;
    /// Keep a private note or a follow-up about a person (on this machine only; never sent).
    add_private_note: notes::AddPrivateNoteArgs => notes::PrivateNoteRow = notes::add_private_note;
    /// Mark a follow-up done.
    complete_private_note: notes::PrivateNoteId => notes::PrivateNoteRow = notes::complete_private_note;
    /// Answers from the docs, with citations.
    ask: knowledge::AskArgs => knowledge::Answer = knowledge::ask;
    /// A cited file (only inside an indexed folder).
    doc: knowledge::DocArgs => knowledge::DocView = knowledge::doc;
    /// Signals and action drafts.
    signals: common::NoArgs => ledger::SignalsPage = ledger::signals_page;
    /// Approve an action draft (optionally edited): policy decides, then it is delivered.
    approve_action: ledger::ApproveArgs => ledger::ActionResult = ledger::approve_action;
    /// Reject an action draft.
    reject_action: ledger::RejectArgs => ledger::ActionResult = ledger::reject_action;
    /// Acknowledge a signal, or snooze it.
    signal_status: ledger::SignalStatusArgs => ledger::SignalView = ledger::signal_status;
    /// The audit ledger, verified.
    audit: common::NoArgs => ledger::AuditPage = ledger::audit_page;
    /// Sources, configuration, the Ask index, alert pause.
    settings: common::NoArgs => settings::Settings = settings::settings;
    /// Where tokens are kept: the OS keychain or the encrypted token file (locked or not).
    token_store: common::NoArgs => tokens::TokenStoreView = tokens::token_store;
    /// Keep tokens in an encrypted file from now on (where no keychain works); moves the keychain's.
    use_token_file: tokens::PassphraseArgs => tokens::TokenFileMade = tokens::use_token_file;
    /// Unlock the encrypted token file for this run (the key stays in memory only).
    unlock_token_file: tokens::PassphraseArgs => tokens::TokenStoreView = tokens::unlock_token_file;
    /// Add a source; its token goes to the token store (the OS keychain, or the encrypted file).
    add_source: settings::AddSourceArgs => settings::SourceRow = settings::add_source;
    /// Remove a source (its records stay; its token is forgotten).
    remove_source: settings::RemoveSourceArgs => settings::SourceRow = settings::remove_source;
    /// Pause alerts for some hours or until tomorrow morning; 0 hours resumes.
    pause_alerts: settings::PauseArgs => settings::Paused = settings::pause_alerts;
    /// Sync every source now (progress arrives as events).
    sync_now: common::NoArgs => settings::SyncStarted = settings::sync_now;
    /// What Bosun stores: tables with rows, sizes and retention, and the data dir's files.
    storage: common::NoArgs => data::Storage = data::storage;
    /// Identity's merge suggestions (accounts a rule linked), to accept or reject.
    identity_suggestions: common::NoArgs => work::IdentitySuggestions = work::identity_suggestions;
    /// Accept (one person) or reject (two people) a link between two accounts; kept and audited.
    decide_identity: work::DecideIdentityArgs => work::IdentitySuggestions = work::decide_identity;
    /// The doctor's checks: keychain, model, runtime, sources, clock, database, disk, permissions.
    doctor: common::NoArgs => data::Doctor = data::doctor;
    /// Slack commands as set up: on or off, the source, its app-level token, the listener.
    slack_commands: common::NoArgs => slack::SlackCommandsView = slack::slack_commands;
    /// Check Slack commands live: app-level token, connection, bot token and scopes, your account.
    check_slack_commands: common::NoArgs => bosun_app::doctor::Report = slack::check_slack_commands;
    /// Check a Slack app-level token with Slack and keep it (audited); the listener restarts.
    set_slack_app_token: slack::SlackAppTokenArgs => slack::SlackAppTokenKept = slack::set_slack_app_token;
    /// The welcome page: whether anything is configured, the keychain, the GitHub CLI.
    welcome: common::NoArgs => onboarding::Welcome = onboarding::welcome;
    /// First run: check a GitHub token live (who, scopes and what is missing, rate limit, organisations).
    onboarding_check_github: onboarding::CheckGithubArgs => bosun_app::onboarding::GithubCheck = onboarding::check_github;
    /// First run: an organisation's repositories, teams, people and deploy workflows, with proposals.
    onboarding_discover: onboarding::DiscoverArgs => bosun_app::onboarding::GithubDiscovery = onboarding::discover_github;
    /// First run: check a Jira, PagerDuty or Slack token live.
    onboarding_check_source: bosun_app::onboarding::OtherSetup => bosun_app::onboarding::SourceCheck = onboarding::check_source;
    /// First run: keep the sources (tokens to the keychain) and the organisation; the first sync starts.
    onboarding_finish: bosun_app::onboarding::Setup => onboarding::FinishedView = onboarding::finish;
    /// From the welcome page: serve the demo organisation (in a throwaway folder).
    explore_demo: common::NoArgs => onboarding::DemoStarted = onboarding::explore_demo;
    /// The organisation Bosun keeps (teams, people linked by hand, you and your reports).
    org_settings: common::NoArgs => onboarding::OrgPage = onboarding::org_settings;
    /// Keep an edited organisation (written to org.toml, applied at once, audited).
    save_org_settings: bosun_app::org::OrgSettings => onboarding::OrgPage = onboarding::save_org_settings;
}
