// Generated from the Rust API types (crates/api) by ts-rs. Do not edit:
// `cargo run -p bosun-api --example gen-ts` rewrites it; a test fails when it is stale.

/**
 * An outbound action Bosun can draft. Every one is a draft until the manager approves it.
 */

export type ActionKind = "slack_dm" | "slack_message" | "pr_comment" | "ticket_comment" | "reviewer_request" | "ticket_transition" | "ticket_create";

/**
 * What a decision did.
 */

export type ActionResult = { id: number, 
/**
 * The action's status now: sent, approved (deferred by policy), denied, failed, rejected.
 */
status: ActionStatus, 
/**
 * The policy's warning, a deferral or the delivery error, when there is one.
 */
note: string | null, };

/**
 * Where an action (a draft Bosun wrote for the manager) stands: drafted, decided, delivered.
 */

export type ActionStatus = "draft" | "approved" | "sending" | "sent" | "failed" | "rejected" | "denied" | "withdrawn";

export type ActionView = { id: number, kind: ActionKind, status: ActionStatus, summary: string, preview: string, body: string, target: unknown, signal_id: number | null, created_at: string, decided_at: string | null, decided_by: string | null, sent_at: string | null, last_error: string | null, 
/**
 * What policy decided (allowed, needs approval, denied) and why.
 */
decision: unknown, };

export type AddPrivateNoteArgs = { 
/**
 * A name, email, person key or any account id or login.
 */
person: string, text: string, 
/**
 * Something to follow up on at the next 1:1.
 */
follow_up: boolean, };

/**
 * A new source. `token` is kept in the token store (the OS keychain or the encrypted file) and
 * never returned.
 */

export type AddSourceArgs = { kind: Provider, name: string, base_url: string | null, 
/**
 * The connector's settings, e.g. {"owner": "acme"} for GitHub, {"path": "/src/app"} for git.
 */
settings: Record<string, unknown>, token: string | null, };

export type AgingRow = { key: string, url: string | null, summary: string, age_secs: number, status: string, over_p85: boolean, };

export type Answer = { question: string, 
/**
 * Empty when nothing in the docs answers it (Bosun says so instead of citing noise).
 */
citations: Array<Citation>, experts: Array<ExpertView>, documents: number, chunks: number, 
/**
 * hybrid, or bm25 (no embedding model).
 */
mode: string, note: string | null, index_updated_at: string | null, best_score: number | null, threshold: number, 
/**
 * Why nothing is cited, in words, from the numbers that decided it.
 */
refusal: string | null, 
/**
 * The language model's answer from the cited passages, grounded: each sentence names the
 * citations (1-based) it rests on.
 */
written: WrittenAnswer | null, 
/**
 * Why there is no written answer, when one was asked for.
 */
written_note: string | null, };

/**
 * What every endpoint fails with, on every door (Tauri IPC, HTTP).
 */

export type ApiError = { code: ErrorCode, message: string, };

export type AppEvent = { "kind": "phase", phase: Phase, } | { "kind": "sync_started", sources: Array<string>, } | { "kind": "sync_progress", source: string, scope: string, step: string, done: number, total: number, pass: string, eta_secs: number | null, } | { "kind": "sync_pass", source: string, pass: string, scopes_done: number, scopes: number, eta_secs: number | null, finished: boolean, } | { "kind": "sync_recent", sources: Array<string>, } | { "kind": "source_synced", source: string, error: string | null, } | { "kind": "sync_finished", ok: boolean, message: string, items: number, } | { "kind": "index_progress", root: string, files_done: number, files: number, chunks: number, } | { "kind": "index_finished", documents: number, chunks: number, } | { "kind": "signals_changed", open: number, high: number, } | { "kind": "alerts_paused", until: string | null, } | { "kind": "alert", id: number, 
/**
 * new, escalated or brief.
 */
alert: string, severity: string | null, title: string, body: string, 
/**
 * Why it fired.
 */
reason: string, };

/**
 * What the shell around every page needs: the phase, the mode and the sync state.
 */

export type AppInfo = { phase: Phase, version: string, 
/**
 * The fake providers serve the demo organisation (Tidewater Labs).
 */
demo: boolean, 
/**
 * Sources are configured; without any (and outside the demo) the app opens on the welcome
 * page.
 */
configured: boolean, 
/**
 * "desktop" (Tauri IPC) or "browser" (`bosun serve`).
 */
door: string, data_dir: string, 
/**
 * The injected "now" (RFC 3339).
 */
now: string, syncing: boolean, 
/**
 * Docs are being indexed for Ask (in the background; Ask answers from what is indexed).
 */
indexing: boolean, last_sync_finished_at: string | null, last_sync_error: string | null, 
/**
 * Tray and notification alerts are paused until this time.
 */
alerts_paused_until: string | null, 
/**
 * The highest sequence number of the event stream so far.
 */
event_seq: number, };

export type ApproveArgs = { id: number, 
/**
 * The edited message; the draft's own body when absent.
 */
body: string | null, };

export type AskArgs = { question: string, 
/**
 * At most this many passages [default 5].
 */
limit: number | null, 
/**
 * Also have the configured language model write a short answer from the cited passages
 * (`[llm] enabled` does it always).
 */
write: boolean, };

export type AuditEntry = { seq: number, at: string, actor: string, action: string, subject: string | null, result: string, trace: string, hash: string, };

export type AuditPage = { 
/**
 * The hash chain checked end to end.
 */
ok: boolean, total: number, problems: Array<AuditProblem>, 
/**
 * The newest entries first (at most 500).
 */
entries: Array<AuditEntry>, };

export type AuditProblem = { seq: number, kind: string, message: string, };

/**
 * One week of the burn-up: the scope and what was done by its end.
 */

export type BurnUpWeek = { 
/**
 * The week's end.
 */
at: number, 
/**
 * Tickets in the work by then.
 */
scope: number, 
/**
 * Tickets done by then.
 */
done: number, };

export type CapacityArgs = { 
/**
 * A team key; every team with sprints when none.
 */
team: string | null, };

/**
 * `bosun capacity`.
 */

export type CapacityView = { 
/**
 * When it was computed.
 */
as_of: string, 
/**
 * Each team's next sprint.
 */
teams: Array<TeamCapacity>, 
/**
 * Where public holidays come from, and the years covered.
 */
holidays: string, 
/**
 * How the numbers are made, in words.
 */
rules: Array<string>, 
/**
 * What could not be read (a calendar file, a person the configuration names).
 */
warnings: Array<string>, };

/**
 * Where a finished ticket's effort went.
 */

export type Category = "feature" | "defect" | "debt" | "risk" | "unplanned" | "other";

export type Change = { sha: string, pull_request: PrRef | null, lead_time_secs: number, 
/**
 * A bot's change (a dependency update, a generated commit).
 */
bot: boolean, };

/**
 * What a repository's busiest folders were counted from, the best the sync has first.
 */

export type ChangeBasis = "merged_pull_requests" | "commits" | "review_comments" | "none";

export type ChartData = { kind: ChartKind, unit: ChartUnit, points: Array<ChartPoint>, series: Array<ChartSeries>, };

/**
 * How the series are drawn.
 */

export type ChartKind = "stacked_bars" | "stacked_area" | "lines";

/**
 * One point of the x axis: a week, a day or a bucket, with the range it covers.
 */

export type ChartPoint = { label: string, 
/**
 * The range it covers: times (ISO 8601) for weeks and days, none for buckets.
 */
from: string | null, to: string | null, 
/**
 * A bucket's range in seconds (lead time), when it is one.
 */
min_secs: number | null, max_secs: number | null, 
/**
 * A week the window cuts (its first or last): fewer days than the others, drawn apart so it
 * reads neither as a dip nor as a spike.
 */
partial: boolean, };

export type ChartSeries = { name: string, tone: Tone, 
/**
 * One value per point (none: no data that week).
 */
values: Array<number | null>, };

/**
 * What the values count.
 */

export type ChartUnit = "count" | "seconds" | "points";

export type CheckGithubArgs = { 
/**
 * The API (default GitHub's public one; an Enterprise `…/api/v3`).
 */
base_url: string | null, 
/**
 * A pasted token (never returned, never logged).
 */
token: string | null, 
/**
 * Use the GitHub CLI's token (`gh auth token`).
 */
from_gh_cli: boolean, };

/**
 * How a check ended.
 */

export type CheckLevel = "ok" | "warn" | "fail";

/**
 * A child ticket.
 */

export type ChildRow = { key: string, summary: string, status: string, done: boolean, };

export type Citation = { 
/**
 * Relative to `root`; for tickets and pull requests, their key (`owner/repo#123`).
 */
file: string, root: string, 
/**
 * The lines that answer (1-based, inclusive).
 */
start_line: number, end_line: number, 
/**
 * The whole passage they are in (the context; `text` is its text).
 */
context_start_line: number, context_end_line: number, score: number, heading: string, 
/**
 * The whole passage's text.
 */
text: string, 
/**
 * What the cited lines say.
 */
cited_text: string, indexed_at: string, 
/**
 * The file can be opened at its lines (a file under an indexed folder).
 */
openable: boolean, 
/**
 * For a ticket or a pull request: its page at the provider.
 */
url: string | null, };

/**
 * A commitment and its chance.
 */

export type Commitment = { 
/**
 * Points to commit to.
 */
points: number, 
/**
 * Tickets to commit to.
 */
items: number, 
/**
 * Share of the simulated sprints that finish those points.
 */
probability: number, };

/**
 * What the latest evaluation found.
 */

export type Condition = "holds" | "worse" | "cleared";

/**
 * One future week of the cone: done by then, at each confidence, and the median scope.
 */

export type ConeWeek = { 
/**
 * The week's end.
 */
at: number, 
/**
 * Done by then in half the runs (the median).
 */
done_p50: number, 
/**
 * Done by then in 85 % of the runs (the pessimistic line).
 */
done_p85: number, 
/**
 * Done by then in 95 % of the runs.
 */
done_p95: number, 
/**
 * The median run's scope by then.
 */
scope_p50: number, };

export type Count = { label: string, count: number, };

/**
 * A finished ticket and where it counted.
 */

export type Counted = { 
/**
 * The ticket's key.
 */
key: string, 
/**
 * Where it counted.
 */
category: Category, 
/**
 * Its story points.
 */
points: number | null, 
/**
 * Why it is unplanned, when it is.
 */
unplanned_because: string | null, };

/**
 * Dates at each confidence, `YYYY-MM-DD` (UTC); none when that share of the runs did not
 * finish within `max_weeks` (never, at this pace).
 */

export type Dates = { 
/**
 * Half the runs finish by then.
 */
p50: string | null, 
/**
 * 85 % of the runs.
 */
p85: string | null, 
/**
 * 95 % of the runs.
 */
p95: string | null, };

/**
 * A dated reason a day is lost.
 */

export type DayNote = { 
/**
 * The local date, `YYYY-MM-DD`.
 */
date: string, 
/**
 * Why (the holiday's name, "time off", "first on call").
 */
why: string, };

export type DecideIdentityArgs = { 
/**
 * Two account handles (`provider:login-or-id`).
 */
a: string, b: string, 
/**
 * True: one person (linked for sure). False: two people (never linked by a rule again).
 */
same: boolean, };

export type DecideRiskArgs = { id: number, status: RiskStatus, note: string | null, };

/**
 * A metric's definition, as docs/metric-definitions.md gives it.
 */

export type Definition = { key: string, name: string, 
/**
 * Markdown.
 */
text: string, };

export type DefinitionArgs = { 
/**
 * deployment_frequency, lead_time, change_failure_rate, recovery_time, rework_rate,
 * deployment, levels, pr_cycle, flow or sprint.
 */
key: string, };

export type Delivery = { window: Window, 
/**
 * The previous window's dates (the comparison every trend makes).
 */
previous_since: string, trends: Trends, dora: DoraView, prs: PrStats, flow: FlowView, charts: DeliveryCharts, };

/**
 * The numbers behind each chart (the page draws them; the CLI and notes keep the engine's SVG).
 */

export type DeliveryCharts = { deployments_per_week: ChartData, lead_time: ChartData, pr_stages: ChartData, cumulative_flow: ChartData, };

/**
 * Leave the welcome page for the demo organisation (in a throwaway folder).
 */

export type DemoStarted = { data_dir: string, };

export type DeploymentRow = { id: number, name: string, repo: string, sha: string, at: string, changes: Array<Change>, pull_requests: Array<PrRef>, failures: Array<Failure>, 
/**
 * rollback, revert, hotfix or incident_fix.
 */
unplanned: string | null, recovery_secs: number | null, };

export type DiscoverArgs = { base_url: string | null, 
/**
 * The organisation (or user) chosen.
 */
owner: string, 
/**
 * A pasted token (never returned, never logged).
 */
token: string | null, 
/**
 * Use the GitHub CLI's token (`gh auth token`).
 */
from_gh_cli: boolean, };

export type DocArgs = { root: string, file: string, };

/**
 * What kind of document a week-1 read is.
 */

export type DocKind = "setup_guide" | "readme" | "architecture" | "runbook" | "team_page" | "other";

export type DocView = { root: string, file: string, path: string, 
/**
 * The file's lines (line 1 first).
 */
lines: Array<string>, };

/**
 * A list of checks.
 */

export type Doctor = { 
/**
 * No check failed.
 */
ok: boolean, checks: Array<DoctorCheck>, };

/**
 * One check: its name, how it ended, and why in one line.
 */

export type DoctorCheck = { name: string, level: CheckLevel, reason: string, };

export type DoraView = { deployments: number, per_week: number, days_per_week: number, 
/**
 * Every change counted unless `lead_time_bots_excluded` (the config's human-only view).
 */
lead_time: Stat, 
/**
 * How many of the window's deployed changes were bots'.
 */
lead_time_bots: number, 
/**
 * The median lead time of the human changes alone.
 */
lead_time_median_without_bots: number | null, lead_time_bots_excluded: boolean, change_failure_rate: Rate, recovery_time: Stat, rework_rate: Rate, levels: Levels, unrecovered: number, warnings: Array<string>, 
/**
 * Every deployment in the window with its changes, failures, rework and recovery.
 */
records: Array<DeploymentRow>, };

/**
 * A message drafted for people to read (never sent from here: approving and sending go through
 * the actions, like every message).
 */

export type DraftView = { 
/**
 * `status_update`.
 */
kind: string, 
/**
 * `channel` (the responders) or `stakeholders`.
 */
audience: string, text: string, };

/**
 * What drafting the follow-ups as tickets did.
 */

export type DraftedTickets = { 
/**
 * The new drafts (action ids), waiting for approval in Signals & actions.
 */
drafted: Array<number>, 
/**
 * Drafted before (in any status): not drafted twice.
 */
already: number, 
/**
 * The project the tickets go in.
 */
project: string, };

export type EditRiskArgs = { id: number, likelihood: number | null, impact: number | null, owner: string | null, mitigation: string | null, 
/**
 * `YYYY-MM-DD`; an empty string clears it.
 */
review: string | null, };

/**
 * What a timeline entry is.
 */

export type EntryKind = "trigger" | "notify" | "acknowledge" | "escalate" | "reassign" | "note" | "resolve" | "page" | "deployment" | "merge" | "chat" | "signal";

export type EpicsArgs = { 
/**
 * A team key; every team when none.
 */
team: string | null, };

/**
 * The codes the UI can switch on: the app service's [`Code`]s plus the API's own.
 */

export type ErrorCode = "invalid_input" | "config" | "not_found" | "store" | "provider_unavailable" | "auth" | "rate_limited" | "malformed_payload" | "keychain" | "io" | "cancelled" | "policy_denied" | "internal" | "not_ready" | "unauthorized";

export type EventEnvelope = { 
/**
 * Increasing from 1 within one launch.
 */
seq: number, name: string, event: AppEvent, };

export type ExpertView = { name: string, team: string | null, score: number, reasons: Array<string>, };

/**
 * Why a deployment failed: the rule and the record behind it.
 */

export type Failure = { 
/**
 * incident_link, rollback, revert, hotfix, incident_after or deploy_failed.
 */
rule: string, detail: string, };

/**
 * The wizard's choices kept; the first sync starts in the background (progress as events).
 */

export type FinishedView = { sync_started: boolean, sources: Array<string>, org_file: string, teams: number, reports: number, };

export type FlowRow = { key: string, 
/**
 * The ticket's page at its provider, when known.
 */
url: string | null, work_type: string, started_at: string | null, done_at: string | null, flow_secs: number | null, active_secs: number | null, story_points: number | null, };

export type FlowView = { finished: number, flow_time: Stat, efficiency: number | null, efficiency_median: number | null, load: number, items_per_week: number, points_per_week: number, distribution_finished: Array<Count>, distribution_in_progress: Array<Count>, p85_flow_secs: number | null, aging: Array<AgingRow>, records: Array<FlowRow>, };

/**
 * A follow-up action the postmortem proposes.
 */

export type FollowUpDraft = { 
/**
 * What to do (a ticket's summary).
 */
summary: string, 
/**
 * Why it is proposed: the evidence, in words.
 */
why: string, 
/**
 * Who is proposed to own it (a person's name), when someone fits.
 */
owner: string | null, };

/**
 * Where a follow-up ticket stands.
 */

export type FollowUpState = "drafted" | "queued" | "created" | "open" | "done" | "dropped" | "failed";

/**
 * A follow-up of the incident.
 */

export type FollowUpTicketView = { 
/**
 * The ticket's key, once created.
 */
key: string | null, summary: string, state: FollowUpState, 
/**
 * The tracker's status name, once synced.
 */
status: string | null, assignee: string | null, 
/**
 * `YYYY-MM-DD`.
 */
due: string | null, 
/**
 * Past its due date and not done.
 */
overdue: boolean, link: string | null, 
/**
 * The draft's action id, when Bosun drafted it.
 */
action: number | null, };

export type Forecast = { probability: number, runs: number, seed: number, working_days_left: number, remaining_points: number, history_days: number, expected_points_p50: number, expected_points_p15: number, };

export type ForecastArgs = { 
/**
 * The epic's key.
 */
key: string, };

/**
 * `bosun forecast KEY`.
 */

export type ForecastView = { 
/**
 * The epic (or parent ticket).
 */
key: string, 
/**
 * Its title, when it is synced.
 */
summary: string | null, 
/**
 * The team whose throughput the forecast draws on.
 */
team: string | null, 
/**
 * When it was made.
 */
as_of: string, 
/**
 * Its child tickets, not done first.
 */
children: Array<ChildRow>, 
/**
 * Tickets in it now.
 */
total: number, 
/**
 * Done.
 */
done: number, 
/**
 * Not done.
 */
remaining: number, 
/**
 * The team's finished tickets per week (mean over the history).
 */
team_throughput_per_week: number, 
/**
 * The work's share of it.
 */
share: number, 
/**
 * What the runs expect per week for this work: team throughput × share.
 */
throughput_per_week: number, 
/**
 * Tickets added per week (mean over the weeks drawn from).
 */
growth_per_week: number, 
/**
 * Weeks from now (none when the team finishes nothing).
 */
weeks: Quantiles | null, 
/**
 * The dates.
 */
dates: Dates | null, 
/**
 * Share of runs that never finished within `max_weeks`.
 */
unfinished_share: number, 
/**
 * Weekly history since the work's first ticket.
 */
burnup: Array<BurnUpWeek>, 
/**
 * Weekly projection up to the 95 % date.
 */
cone: Array<ConeWeek>, 
/**
 * Runs and seed.
 */
runs: number, 
/**
 * See `runs`.
 */
seed: number, 
/**
 * What the numbers assume, in words.
 */
caveats: Array<string>, };

/**
 * A GitHub token, checked live.
 */

export type GithubCheck = { 
/**
 * The API checked (`https://api.github.com` or an Enterprise / fake one).
 */
base_url: string, login: string, name: string | null, 
/**
 * classic, fine_grained, oauth, app or other.
 */
kind: string, 
/**
 * The scopes GitHub lists (classic and OAuth tokens); null when it lists none.
 */
scopes: Array<string> | null, missing: Array<Missing>, 
/**
 * Fine-grained tokens list no permissions: what they may read shows in the next step.
 */
permissions_note: string | null, rate_limit_remaining: number | null, rate_limit_limit: number | null, rate_limit_resets_at: string | null, owners: Array<OwnerChoice>, };

/**
 * What GitHub shows of an owner, for the wizard to propose.
 */

export type GithubDiscovery = { owner: string, repos: Array<RepoChoice>, teams: Array<TeamChoice>, 
/**
 * Why teams were not read from GitHub, when they were not.
 */
teams_note: string | null, 
/**
 * Humans first (by name), bots last.
 */
people: Array<PersonChoice>, 
/**
 * Where the people come from, in words.
 */
people_note: string, 
/**
 * You, from the token.
 */
me: PersonChoice, 
/**
 * Members proposed as your direct reports: those of GitHub teams whose members include you.
 */
proposed_reports: Array<string>, };

/**
 * The GitHub part of a finished wizard.
 */

export type GithubSetup = { 
/**
 * The source's name (default `github`).
 */
name: string, base_url: string | null, owner: string, 
/**
 * The repositories chosen (names within `owner`).
 */
repos: Array<string>, 
/**
 * Workflows whose runs are deployments.
 */
deploy_workflows: Array<string>, 
/**
 * A pasted token (never returned, never logged).
 */
token: string | null, 
/**
 * Use the GitHub CLI's token (`gh auth token`).
 */
from_gh_cli: boolean, };

export type GoalId = { id: number, };

/**
 * A goal as written (the editor, the import file).
 */

export type GoalInput = { 
/**
 * Set to change a stored goal; none adds one.
 */
id: number | null, title: string, 
/**
 * `2026-Q4`.
 */
quarter: string, 
/**
 * A team key; none for the whole organisation.
 */
team: string | null, owner: string | null, description: string, 
/**
 * `YYYY-MM-DD`; the quarter's last day when none.
 */
due: string | null, key_results: Array<KeyResultInput>, 
/**
 * Rules: the work that serves it.
 */
epics: Array<string>, initiatives: Array<string>, labels: Array<string>, components: Array<string>, projects: Array<string>, 
/**
 * Tickets linked by hand.
 */
tickets: Array<string>, };

/**
 * A metric a key result can be bound to, measured over the team's last 28 days.
 */

export type GoalMetric = "lead_time_days" | "deployments_per_week" | "change_failure_rate" | "recovery_hours" | "flow_time_days" | "throughput_per_week";

export type GoalSaved = { id: number, };

/**
 * Where a goal stands.
 */

export type GoalStatus = "done" | "on_track" | "at_risk" | "off_track" | "no_work";

/**
 * A goal with its progress, work and forecast.
 */

export type GoalView = { id: number, title: string, quarter: string, team: string | null, owner: string | null, description: string, 
/**
 * `YYYY-MM-DD`.
 */
due: string, key_results: Array<KeyResultView>, 
/**
 * The epics its work is in (its epic rules and the epics of its linked tickets).
 */
epics: Array<string>, rules: Rules, 
/**
 * 0–1: the mean of its key results' progress (its work's items done of all without any).
 */
progress: number | null, status: GoalStatus, items_done: number, items_total: number, points_done: number, points_total: number, 
/**
 * Pull requests naming its tickets.
 */
pull_requests: number, 
/**
 * When its remaining work will be done at the team's pace (none when nothing is left).
 */
forecast: Dates | null, work: Array<GoalWork>, };

/**
 * A linked ticket.
 */

export type GoalWork = { key: string, summary: string, status: string, done: boolean, points: number | null, team: string | null, url: string | null, 
/**
 * The rule that linked it ("epic TIDE-12").
 */
via: string, };

export type GoalsArgs = { 
/**
 * `2026-Q4`; every quarter's goals when none.
 */
quarter: string | null, 
/**
 * A team key; every team's goals when none.
 */
team: string | null, };

/**
 * `bosun goals`.
 */

export type GoalsView = { as_of: string, 
/**
 * The quarter shown (every quarter's goals when none was asked for, the unaligned share of
 * the current one).
 */
quarter: string, goals: Array<GoalView>, unaligned: Array<Unaligned>, 
/**
 * How work was mapped and counted, in words.
 */
rules: Array<string>, };

export type Happening = { 
/**
 * merged, deployed, deploy_failed, incident, done
 */
kind: string, at: string, title: string, detail: string, 
/**
 * Its page at the provider (the pull request, the incident, the ticket), when known.
 */
url: string | null, };

/**
 * One closed sprint the focus factor learned from.
 */

export type HistorySprint = { 
/**
 * The sprint.
 */
name: string, 
/**
 * When it started.
 */
start: number, 
/**
 * Available person-days in it (today's team, that sprint's days off).
 */
person_days: number, 
/**
 * Points finished in it.
 */
points: number, 
/**
 * Tickets finished in it.
 */
items: number, };

/**
 * Two accounts a rule linked into one person.
 */

export type IdentitySuggestion = { a: SuggestedAccount, b: SuggestedAccount, 
/**
 * email, noreply or name.
 */
method: string, confidence: number, 
/**
 * The rule, in words.
 */
why: string, 
/**
 * The person they are one of now.
 */
person: string | null, };

export type IdentitySuggestions = { suggestions: Array<IdentitySuggestion>, 
/**
 * Accounts that are a person of their own (nobody matched them).
 */
unmatched: number, };

export type IncidentArgs = { 
/**
 * Its PagerDuty id or number.
 */
id: string, };

export type IncidentList = { 
/**
 * Newest first.
 */
incidents: Array<IncidentSummary>, 
/**
 * Every team with an incident, for the filter.
 */
teams: Array<string>, };

export type IncidentListArgs = { 
/**
 * Only the incidents of this team's services.
 */
team: string | null, 
/**
 * Only the incidents of this service (its key).
 */
service: string | null, 
/**
 * Only those not resolved.
 */
open: boolean, };

export type IncidentMetricsArgs = { 
/**
 * The window's length in days, ending now (default 90).
 */
days: number | null, 
/**
 * Per team instead of per service.
 */
by_team: boolean, };

/**
 * `bosun incident --metrics`.
 */

export type IncidentMetricsView = { from: string, to: string, 
/**
 * `service` or `team`.
 */
by: string, 
/**
 * Most incidents first.
 */
groups: Array<IncidentStatsView>, };

/**
 * One service's or team's incident metrics.
 */

export type IncidentStatsView = { 
/**
 * The service or team key (`none`: not mapped).
 */
key: string, 
/**
 * Started in the window.
 */
count: number, 
/**
 * Started in the window before (as long).
 */
previous: number, 
/**
 * Start to acknowledgement, seconds: median, 90th percentile, over `acknowledged` incidents.
 */
acknowledge_median_secs: number | null, acknowledge_p90_secs: number | null, acknowledged: number, 
/**
 * Start to resolution, seconds: median, 90th percentile, over `resolved` incidents.
 */
resolve_median_secs: number | null, resolve_p90_secs: number | null, resolved: number, 
/**
 * Of `count`, those a failed deployment's evidence names (what change failure rate counts).
 */
linked_to_deployment: number, 
/**
 * Of `count`, those repeating an earlier one on the service within 30 days.
 */
repeats: number, 
/**
 * The titles that repeated.
 */
repeated_titles: Array<string>, };

/**
 * An incident as the list shows it.
 */

export type IncidentSummary = { 
/**
 * The provider's id (what `bosun incident ID` takes, as does the number).
 */
id: string, number: number | null, title: string, 
/**
 * triggered, acknowledged or resolved.
 */
status: string, urgency: string | null, priority: string | null, service: string | null, service_name: string | null, team: string | null, started_at: string, acknowledged_at: string | null, resolved_at: string | null, 
/**
 * Start to acknowledgement, in seconds.
 */
time_to_acknowledge_secs: number | null, 
/**
 * Start to resolution, in seconds.
 */
time_to_resolve_secs: number | null, url: string | null, };

export type IncidentSummaryArgs = { 
/**
 * Its PagerDuty id or number.
 */
id: string, 
/**
 * Rewrite it with the configured language model.
 */
polish: boolean, };

/**
 * `bosun incident ID --summary`.
 */

export type IncidentSummaryNote = { 
/**
 * The incident's provider id.
 */
incident: string, 
/**
 * The summary in Markdown: the model's prose when polished, else the deterministic note.
 */
markdown: string, 
/**
 * The deterministic note, in Markdown (what the model was given, before redaction).
 */
deterministic: string, polished: boolean, 
/**
 * Why the deterministic note was kept, when a polish was asked for.
 */
fallback: string | null, model: string | null, tokens: number, 
/**
 * The `llm.call` audit entry, when a model was called (or refused by the budget).
 */
audit_seq: number | null, };

/**
 * `bosun incident ID`.
 */

export type IncidentView = { incident: IncidentSummary, 
/**
 * Oldest first.
 */
timeline: Array<TimelineEntry>, 
/**
 * Most likely first.
 */
suspects: Array<SuspectView>, 
/**
 * The deployment to roll back to (provider id): the latest earlier one of the first
 * suspect's repository that nothing judged failed.
 */
rollback_to: string | null, 
/**
 * Everyone assigned or acting on it so far, in the order they joined.
 */
responders: Array<string>, 
/**
 * Who is on call for its service now, level by level, and who is next.
 */
oncall: Array<OnCallView>, 
/**
 * Why nobody is listed on call, when nobody is.
 */
oncall_note: string | null, 
/**
 * Who knows the service, most likely first: its code's recent authors and reviewers, then
 * its runbook's owners.
 */
experts: Array<ServiceExpertView>, runbook: Array<RunbookPassage>, 
/**
 * Why no runbook passage is cited, when none is.
 */
runbook_note: string | null, drafts: Array<DraftView>, 
/**
 * Its follow-up tickets: synced ones labelled with its id, then the postmortem's drafts not
 * read back yet.
 */
follow_ups: Array<FollowUpTicketView>, };

export type IndexRoot = { path: string, kind: RootKind, documents: number, indexed_at: string | null, };

export type InvestmentArgs = { 
/**
 * A team key; every team apart when none.
 */
team: string | null, 
/**
 * Calendar months, the current one included [default 6].
 */
months: number | null, };

/**
 * `bosun metrics investment`.
 */

export type InvestmentView = { 
/**
 * The window: the first day of the oldest month to now.
 */
since: string, until: string, team: string | null, 
/**
 * How each finished ticket was counted, in words.
 */
rules: Array<string>, 
/**
 * Per team and month, oldest first.
 */
months: Array<Month>, };

/**
 * A join date to keep (`None`: forget the one set in the app).
 */

export type JoinDateArgs = { 
/**
 * A name, email, key or account.
 */
person: string, 
/**
 * `YYYY-MM-DD`.
 */
date: string | null, };

/**
 * Where a join date came from.
 */

export type JoinedFrom = "config" | "app" | "first_activity";

/**
 * A person who joined recently.
 */

export type Joiner = { person_id: number, key: string, name: string, team: string, 
/**
 * `YYYY-MM-DD`.
 */
joined: string, joined_from: JoinedFrom, 
/**
 * Days since they joined.
 */
days: number, };

/**
 * `bosun onboard --json`.
 */

export type JoinersView = { joiners: Array<Joiner>, 
/**
 * Joiners of the last this many days are listed.
 */
window_days: number, };

/**
 * A follow-up kept as its owner's private 1:1 note.
 */

export type KeptFollowUp = { 
/**
 * The private note's id.
 */
id: number, 
/**
 * The owner's name.
 */
owner: string, text: string, };

/**
 * What keeping the follow-ups did.
 */

export type KeptFollowUps = { 
/**
 * Follow-ups added to their owners' 1:1 notes.
 */
added: Array<KeptFollowUp>, 
/**
 * Already kept (an open follow-up with the same text), not added twice.
 */
already: number, 
/**
 * Without an owner, so not kept (a person to follow up with is needed).
 */
unowned: number, };

/**
 * A key result as written (the editor, the import file).
 */

export type KeyResultInput = { title: string, measure: Measure, 
/**
 * For `measure = "metric"`.
 */
metric: GoalMetric | null, 
/**
 * For a metric: the value to reach.
 */
target: number | null, 
/**
 * For a metric: its value when the goal was set (measured on saving when left out).
 */
baseline: number | null, 
/**
 * Rules narrowing this key result to some of the goal's work (all of it when none).
 */
epics: Array<string>, initiatives: Array<string>, labels: Array<string>, components: Array<string>, projects: Array<string>, 
/**
 * Tickets linked by hand.
 */
tickets: Array<string>, };

/**
 * A key result with its progress.
 */

export type KeyResultView = { title: string, measure: Measure, metric: GoalMetric | null, target: number | null, baseline: number | null, 
/**
 * The metric's value now, or the items or points done.
 */
current: number | null, 
/**
 * Items or points: all linked.
 */
total: number | null, 
/**
 * 0–1; none when it cannot be told (no linked work, no metric value).
 */
progress: number | null, 
/**
 * In words: "5 of 9 tickets", "lead time 1.6 days (target ≤ 2, from 3.1)".
 */
detail: string, 
/**
 * Its own rules, when it narrows the goal's work.
 */
rules: Rules, };

export type Levels = { 
/**
 * The DORA report whose clusters these are.
 */
year: number, deployment_frequency: string | null, lead_time: string | null, change_failure_rate: string | null, recovery_time: string | null, overall: string | null, 
/**
 * Levels not given and why ("recovery time: n=1, a level needs at least 5").
 */
withheld: Array<string>, };

/**
 * Where the listener's connection is.
 */

export type ListenerPhase = "connecting" | "connected" | "retrying" | "refused" | "stopped";

/**
 * The Slack commands listener running in this app.
 */

export type ListenerView = { phase: ListenerPhase, 
/**
 * The Slack app connected as (from Slack's `hello`).
 */
app_id: string | null, 
/**
 * Why it is retrying, or why Slack refused the token.
 */
error: string | null, 
/**
 * Commands, button presses and mentions received.
 */
delivered: number, connections: number, 
/**
 * Reconnections Slack asked for, and connections lost.
 */
refreshes: number, drops: number, };

/**
 * How a key result is measured.
 */

export type Measure = "items" | "points" | "metric";

/**
 * Why someone is on the list of people to meet.
 */

export type MeetRole = "manager" | "on_call_buddy" | "teammate" | "code_owner" | "service_expert";

export type Meeting = { 
/**
 * standup, sprint_review, one_on_one
 */
kind: string, title: string, detail: string, 
/**
 * The page that shows its data: sprint, team, prs.
 */
page: string, 
/**
 * The note that prepares it (`note` endpoint): standup, sprint_report or one_on_one, for
 * this team or person.
 */
note_kind: string, team: string | null, person: string | null, };

export type Member = { key: string, name: string, email: string | null, team: string | null, team_name: string | null, manager: string | null, 
/**
 * One of the manager's own direct reports (1:1 prep is for them).
 */
direct_report: boolean, 
/**
 * Providers with a linked account, e.g. github, jira, slack.
 */
accounts: Array<string>, 
/**
 * In the window: pull requests merged, reviews given (one per PR).
 */
merged: number, reviews_given: number, 
/**
 * Now: open pull requests (not drafts), review requests waiting on them, tickets in
 * progress (active or waiting) and, of those, the blocked ones (waiting, flagged or blocked by
 * an unfinished ticket).
 */
open_prs: number, reviews_pending: number, in_progress: Array<string>, blocked: Array<string>, };

/**
 * One first: when, how many days after joining, and the team's norm.
 */

export type Milestone = { kind: MilestoneKind, at: string | null, 
/**
 * Days from joining (fractional).
 */
days: number | null, url: string | null, 
/**
 * The median days of the team's earlier joiners who reached it.
 */
team_norm_days: number | null, };

/**
 * A first the progress tracks.
 */

export type MilestoneKind = "first_commit" | "first_pr_opened" | "first_pr_merged" | "first_review" | "first_on_call" | "tenth_pr_merged";

/**
 * A permission the token lacks and what that means for you.
 */

export type Missing = { 
/**
 * The scope or permission, as GitHub names it (`read:org`).
 */
permission: string, 
/**
 * What Bosun cannot do without it, in plain words.
 */
consequence: string, };

/**
 * A team's month.
 */

export type Month = { 
/**
 * `YYYY-MM`.
 */
month: string, 
/**
 * The team (none: tickets of no team).
 */
team: string | null, 
/**
 * Every category, in [`Category::ALL`] order, zeros included.
 */
shares: Array<Share>, 
/**
 * Tickets finished in the month.
 */
items: number, 
/**
 * Their story points.
 */
points: number, 
/**
 * The tickets behind the numbers.
 */
tickets: Array<Counted>, };

/**
 * No arguments.
 */

export type NoArgs = Record<symbol, never>;

export type NoteArgs = { 
/**
 * standup, sprint_report, one_on_one, triage or brief.
 */
kind: string, 
/**
 * A team key or name (standup, sprint report, triage) [default: mine].
 */
team: string | null, 
/**
 * A person key, name or email (1:1 prep).
 */
person: string | null, 
/**
 * A sprint id or name (sprint report) [default: the running one].
 */
sprint: string | null, };

export type NoteItem = { text: string, links: Array<NoteLink>, details: Array<NoteItem>, };

export type NoteLink = { label: string, 
/**
 * A web link, or `bosun://<kind>/<id>` for a record inside Bosun.
 */
url: string, };

export type NoteSection = { heading: string, lead: string | null, items: Array<NoteItem>, when_empty: string, chart_svg: string | null, 
/**
 * The manager's own notes: shown to them, never sent to a language model.
 */
private: boolean, };

export type NoteView = { kind: string, title: string, subtitle: string, sections: Array<NoteSection>, 
/**
 * The same note as Markdown, to copy or export.
 */
markdown: string, 
/**
 * The note as a standalone HTML page for people outside Bosun (private sections left out).
 */
html: string, };

/**
 * Someone on call for the incident's service.
 */

export type OnCallView = { when: OnCallWhen, 
/**
 * 1 is paged first.
 */
level: number, name: string, schedule: string | null, 
/**
 * None: always.
 */
start: string | null, 
/**
 * None: never.
 */
end: string | null, };

/**
 * Whether an on-call shift is the current one or the one after it.
 */

export type OnCallWhen = "now" | "next";

/**
 * Whose plan.
 */

export type OnboardArgs = { 
/**
 * A name, email, key or account.
 */
person: string, };

/**
 * The two drafts that introduce a joiner, waiting for approval like every action.
 */

export type OnboardDrafts = { 
/**
 * The welcome message in the team's channel (none: drafted before, or no channel).
 */
welcome: number | null, channel: string | null, 
/**
 * The buddy introduction, a DM to the on-call buddy (else the first teammate).
 */
buddy: number | null, buddy_name: string | null, };

/**
 * `bosun onboard PERSON --json`.
 */

export type OnboardPlan = { person: Joiner, team: string, docs: Array<PlanDoc>, code: Array<PlanCode>, people: Array<PlanPerson>, tickets: Array<PlanTicket>, shadow: Shadow | null, progress: Progress, };

/**
 * The organisation as Settings edits it.
 */

export type OrgPage = { 
/**
 * What Bosun keeps (the wizard's choices and Settings' edits).
 */
org: OrgSettings, org_file: string, 
/**
 * Teams your own config.toml defines (read-only here: Bosun never rewrites that file).
 */
config_teams: Array<TeamRef>, 
/**
 * Everyone Bosun knows, to pick members, reports and links from.
 */
people: Array<OrgPersonOption>, 
/**
 * Config references (team members, you, reports) that match nobody synced yet.
 */
unresolved: Array<string>, };

export type OrgPerson = { name: string, accounts: Array<string>, };

export type OrgPersonOption = { 
/**
 * What a team, `me` or a report names: `github:login`, an email, ...
 */
handle: string, name: string, is_bot: boolean, };

/**
 * What the organisation file holds.
 */

export type OrgSettings = { 
/**
 * You: an email or an account (`github:login`).
 */
me: string, 
/**
 * Your direct reports besides the members of teams you manage.
 */
reports: Array<string>, teams: Array<OrgTeam>, 
/**
 * Accounts that are one person (links identity could not make on its own).
 */
people: Array<OrgPerson>, };

export type OrgTeam = { 
/**
 * Short id used in commands (`--team KEY`): letters, digits, `-` and `_`.
 */
key: string, name: string, manager: string | null, 
/**
 * Emails or accounts (`github:login`).
 */
members: Array<string>, 
/**
 * `owner/name` of GitHub repositories, or the path of a git source.
 */
repos: Array<string>, 
/**
 * Jira board ids whose sprints are the team's.
 */
boards: Array<string>, 
/**
 * Slack channels for standup chatter.
 */
channels: Array<string>, };

/**
 * Another source of a finished wizard.
 */

export type OtherSetup = { 
/**
 * jira, pagerduty or slack.
 */
kind: string, name: string, base_url: string | null, settings: Record<string, unknown>, token: string | null, };

/**
 * An owner of repositories the token can see.
 */

export type OwnerChoice = { login: string, description: string | null, 
/**
 * The token's own account rather than an organisation.
 */
is_user: boolean, };

/**
 * A passphrase for the token file (never logged: its `Debug` is redacted).
 */

export type PassphraseArgs = { passphrase: string, };

export type PauseArgs = { 
/**
 * Pause for this many hours; 0 resumes.
 */
hours: number | null, 
/**
 * Pause until 08:00 tomorrow (UTC).
 */
until_tomorrow: boolean, };

export type Paused = { until: string | null, };

/**
 * One person's days in the sprint.
 */

export type PersonCapacity = { 
/**
 * Their store id.
 */
person_id: number, 
/**
 * Their name.
 */
name: string, 
/**
 * Their country, if known.
 */
country: string | null, 
/**
 * Their UTC offset, minutes.
 */
utc_offset_minutes: number, 
/**
 * Working days of their calendar inside the sprint, before anything is taken off.
 */
working_days: number, 
/**
 * Public holidays of their country on those days.
 */
holidays: Array<DayNote>, 
/**
 * Company days off on those days.
 */
company_days: Array<DayNote>, 
/**
 * Their time off on those days.
 */
time_off: Array<DayNote>, 
/**
 * Days they are first on call during working hours.
 */
oncall: Array<DayNote>, 
/**
 * Working days left, on-call days counted in part.
 */
available_days: number, };

/**
 * A person as the wizard offers them.
 */

export type PersonChoice = { 
/**
 * `github:login`: what teams, `me` and reports name.
 */
handle: string, login: string, name: string | null, is_bot: boolean, };

/**
 * `Starting` while the demo organisation (or the first load) is being prepared, then `Ready`;
 * `Failed` keeps the error so the UI can show it instead of empty pages.
 */

export type Phase = { "state": "starting", step: string, } | { "state": "ready" } | { "state": "failed", error: ApiError, };

/**
 * A repository of the team's to know.
 */

export type PlanCode = { repo: string, service: string | null, 
/**
 * Pull requests merged in the last 90 days.
 */
merged_prs: number, 
/**
 * Code-owner rules: `pattern owners…`.
 */
owners: Array<string>, 
/**
 * The folders that changed most in the last 90 days, busiest first.
 */
busiest: Array<string>, 
/**
 * What `busiest` was counted from.
 */
busiest_from: ChangeBasis, reason: string, };

/**
 * A document to read in the first week.
 */

export type PlanDoc = { 
/**
 * The indexed folder, and the file relative to it.
 */
root: string, path: string, title: string | null, kind: DocKind, 
/**
 * The team's names it mentions (team, repositories, services).
 */
names: Array<string>, reason: string, };

/**
 * A person to meet.
 */

export type PlanPerson = { person_id: number, name: string, roles: Array<MeetRole>, reason: string, };

/**
 * A first ticket.
 */

export type PlanTicket = { key: string, summary: string, points: number | null, sprint: string | null, labels: Array<string>, reason: string, };

export type PostmortemArgs = { 
/**
 * Its PagerDuty id or number.
 */
id: string, 
/**
 * Also write it to the notes folder.
 */
export: boolean, };

/**
 * `bosun incident ID --postmortem`.
 */

export type PostmortemView = { incident: IncidentSummary, 
/**
 * The whole draft, in Markdown.
 */
markdown: string, follow_ups: Array<FollowUpDraft>, 
/**
 * Where the draft was written, when it was exported.
 */
exported: string | null, };

export type PrQueue = { now: string, team: string | null, teams: Array<TeamRef>, 
/**
 * Open, non-draft pull requests by people, the longest waiting first.
 */
queue: Array<QueuedPr>, drafts: number, bots: number, };

/**
 * A pull request named the way people say it: `repo#number title`.
 */

export type PrRef = { id: number, repo: string, number: number, title: string, 
/**
 * Its page at the provider, when known.
 */
url: string | null, };

export type PrRow = { pull_request: PrRef, merged_at: string | null, author: string | null, size: number, coding_secs: number | null, pickup_secs: number | null, review_secs: number | null, deploy_secs: number | null, first_reviewer: string | null, };

/**
 * Where an open pull request stands with its reviewers ([`review::ReviewState`]).
 */

export type PrState = "waiting_for_review" | "in_review" | "changes_requested" | "approved_not_merged";

export type PrStats = { merged: number, merged_without_review: number, coding: Stat, pickup: Stat, review: Stat, deploy: Stat, cycle: Stat, sizes: Array<Count>, review_load: Array<ReviewLoad>, records: Array<PrRow>, };

export type PrivateNoteId = { id: number, };

/**
 * A private note about a person.
 */

export type PrivateNoteRow = { id: number, person: string, text: string, follow_up: boolean, created_at: string, done_at: string | null, };

/**
 * Progress since joining.
 */

export type Progress = { milestones: Array<Milestone>, prs_opened: number, prs_merged: number, 
/**
 * The team's earlier joiners the norm is taken from.
 */
earlier_joiners: Array<string>, note: string, };

/**
 * A tool Bosun reads from.
 */

export type Provider = "github" | "gitlab" | "jira" | "linear" | "pagerduty" | "slack" | "git";

/**
 * Weeks from now at each confidence.
 */

export type Quantiles = { 
/**
 * Half the runs finish by then.
 */
p50: number, 
/**
 * 85 % of the runs.
 */
p85: number, 
/**
 * 95 % of the runs.
 */
p95: number, };

export type QueuedPr = { pull_request: PrRef, author: string | null, team: string | null, 
/**
 * One definition with the triage note and standups (`bosun_metrics::review`).
 */
state: PrState, 
/**
 * Waiting for review again: the author pushed after changes were requested.
 */
again: boolean, 
/**
 * Since when it has waited in this state.
 */
waiting_since: string, waiting_secs: number, size: number, requested: Array<string>, reviewers: Array<string>, labels: Array<string>, };

/**
 * A count over a count, both shown.
 */

export type Rate = { value: number | null, part: number, total: number, };

export type RejectArgs = { id: number, reason: string | null, };

export type RemoveSourceArgs = { 
/**
 * A source name or id.
 */
source: string, };

/**
 * A repository as the wizard offers it.
 */

export type RepoChoice = { name: string, full_name: string, description: string | null, archived: boolean, fork: boolean, empty: boolean, pushed_at: string | null, 
/**
 * Preselected: active (pushed within 180 days), not archived, not a fork, not empty.
 */
selected: boolean, 
/**
 * Why it is not preselected.
 */
why_not: string | null, 
/**
 * Workflows whose names look like deploys (proposed as the delivery pipeline).
 */
deploy_workflows: Array<string>, };

export type ReviewLoad = { name: string, reviews: number, pending: number, };

/**
 * A record behind a risk.
 */

export type RiskEvidence = { 
/**
 * goal, ticket, pull_request, incident, sprint, person, code_owners, forecast, time_off.
 */
kind: string, 
/**
 * `TIDE-12`, `acme/api#4`, `goal:3`.
 */
ref: string, title: string, url: string | null, };

/**
 * What kind of risk.
 */

export type RiskKind = "goal_late" | "bus_factor" | "repeat_incidents" | "overdue_follow_ups" | "sprint_misses" | "key_person_away";

/**
 * Where a risk is in the register.
 */

export type RiskStatus = "proposed" | "accepted" | "dismissed";

/**
 * A risk.
 */

export type RiskView = { id: number, kind: RiskKind, 
/**
 * What it is about: `goal:3`, `repo:acme/api`, `team:harbor`.
 */
subject: string, title: string, status: RiskStatus, condition: Condition, 
/**
 * 1 (rare) to 5 (almost certain).
 */
likelihood: number, 
/**
 * 1 (minor) to 5 (severe).
 */
impact: number, 
/**
 * likelihood × impact (1–25).
 */
score: number, owner: string | null, mitigation: string, 
/**
 * `YYYY-MM-DD`.
 */
review: string | null, 
/**
 * Why Bosun proposes it, with the numbers.
 */
why: string, evidence: Array<RiskEvidence>, team: string | null, first_seen: string, last_seen: string, cleared: string | null, decided: string | null, decided_by: string | null, note: string | null, 
/**
 * The manager set its likelihood, impact, owner, mitigation or review date.
 */
edited: boolean, };

export type RisksMarkdown = { markdown: string, };

/**
 * `bosun risks`.
 */

export type RisksView = { as_of: string, 
/**
 * Accepted first, then proposed, then dismissed; by score within each.
 */
risks: Array<RiskView>, 
/**
 * What this evaluation changed: new proposals, worse, cleared, returned.
 */
changes: Array<string>, 
/**
 * How each kind is proposed, in words.
 */
rules: Array<string>, };

/**
 * What an indexed root is.
 */

export type RootKind = "folder" | "repository" | "tickets" | "pull_requests";

/**
 * Rules, one list per kind (the shape of the import file and the editor).
 */

export type Rules = { epics: Array<string>, initiatives: Array<string>, labels: Array<string>, components: Array<string>, projects: Array<string>, 
/**
 * Tickets linked by hand.
 */
tickets: Array<string>, };

/**
 * A runbook passage for the incident, cited to the line.
 */

export type RunbookPassage = { 
/**
 * The indexed folder it is under (for opening it at its lines).
 */
root: string, file: string, start_line: number, end_line: number, heading: string, text: string, };

/**
 * Someone who knows the service: from its code (recent merged pull requests authored and
 * reviewed) and from its runbook (the cited documents' owners and authors).
 */

export type ServiceExpertView = { name: string, team: string | null, 
/**
 * Merged pull requests to the service's repositories they authored in the window.
 */
authored: number, 
/**
 * Others' merged pull requests there they reviewed in the window.
 */
reviewed: number, 
/**
 * Why, in words: "authored 4 merged pull requests … in the last 90 days", "owner of …".
 */
reasons: Array<string>, 
/**
 * The runbook documents they own, wrote or changed (paths in their folder).
 */
documents: Array<string>, };

export type Settings = { data_dir: string, config_file: string, sources: Array<SourceRow>, teams: Array<TeamRef>, me: string, bot_patterns: Array<string>, index_documents: number, index_chunks: number, index_model: string | null, index_note: string | null, index_roots: Array<IndexRoot>, alerts_paused_until: string | null, };

/**
 * Everything the wizard chose.
 */

export type Setup = { github: GithubSetup | null, others: Array<OtherSetup>, org: OrgSettings, };

/**
 * A first on-call shift to shadow.
 */

export type Shadow = { person_id: number, name: string, start: string, end: string, reason: string, };

/**
 * One category's share of a month.
 */

export type Share = { 
/**
 * The category.
 */
category: Category, 
/**
 * Tickets finished in it.
 */
items: number, 
/**
 * Their story points (tickets without points add none).
 */
points: number, 
/**
 * Of the month's items (0–1).
 */
share_items: number, };

/**
 * Every signal about one subject (a pull request, a ticket, a sprint, a path) as one card with
 * all its reasons: a pull request approved but unmerged, failing its checks and named in chat
 * is one thing to look at, not three.
 */

export type SignalGroup = { 
/**
 * `kind reference`, e.g. `pull_request acme/api#7`.
 */
subject: string, title: string, 
/**
 * The most severe open reason's (of all reasons, when none is open).
 */
severity: SignalSeverity, 
/**
 * open when any reason is open; else acknowledged or snoozed.
 */
status: SignalStatus, team: string | null, person: string | null, 
/**
 * Most severe first.
 */
reasons: Array<SignalView>, };

/**
 * How much a signal matters.
 */

export type SignalSeverity = "low" | "medium" | "high";

/**
 * Where a signal stands with the manager.
 */

export type SignalStatus = "open" | "acknowledged" | "snoozed" | "resolved";

export type SignalStatusArgs = { id: number, 
/**
 * Snooze for this many hours; acknowledge when absent.
 */
snooze_hours: number | null, };

export type SignalView = { id: number, kind: string, severity: SignalSeverity, subject: string, title: string, 
/**
 * One line: why am I seeing this.
 */
why: string, 
/**
 * The records behind it (links, ids), as the signals engine wrote them.
 */
evidence: unknown, suggestion: unknown, team: string | null, person: string | null, status: SignalStatus, first_seen_at: string, last_seen_at: string, snoozed_until: string | null, };

export type SignalsPage = { signals: Array<SignalView>, 
/**
 * The same signals, one card per subject.
 */
groups: Array<SignalGroup>, 
/**
 * Subjects with an open signal (what the counts everywhere say).
 */
open: number, 
/**
 * Subjects whose every signal is acknowledged or snoozed: listed, not counted.
 */
set_aside: number, actions: Array<ActionView>, };

/**
 * An app-level token to check and keep (its `Debug` is redacted).
 */

export type SlackAppTokenArgs = { 
/**
 * The Slack source it belongs to.
 */
source: string, 
/**
 * `xapp-…`.
 */
token: string, };

/**
 * The token was kept; the listener starts again with it.
 */

export type SlackAppTokenKept = { 
/**
 * Where it is kept.
 */
store: StoreKind, 
/**
 * The Slack app it belongs to (from Slack's `hello`).
 */
app_id: string | null, commands: SlackCommandsView, };

/**
 * Slack commands as set up, without asking Slack.
 */

export type SlackCommandsView = { 
/**
 * `[slack] commands` in the configuration.
 */
commands: boolean, 
/**
 * The Slack source that answers, if any.
 */
source: string | null, 
/**
 * Where its app-level token comes from.
 */
app_token: TokenOrigin, 
/**
 * The listener in this app, when one runs.
 */
listening: ListenerView | null, 
/**
 * Serving the demo (its fake Slack needs no token).
 */
demo: boolean, };

/**
 * An optional source (Jira, PagerDuty, Slack), checked live.
 */

export type SourceCheck = { ok: boolean, 
/**
 * Who the token is, when the provider says.
 */
who: string | null, 
/**
 * What was checked or what went wrong, in words.
 */
detail: string, };

export type SourceRow = { id: number, name: string, kind: Provider, base_url: string | null, enabled: boolean, demo: boolean, 
/**
 * Where the token comes from: keychain, token_file, environment, demo, not_needed, missing,
 * unknown.
 */
token: string, token_detail: string | null, last_sync_finished_at: string | null, last_sync_status: string | null, last_error: string | null, 
/**
 * A first sync split in a recent pass and a backfill, while it is not complete: "backfilling,
 * 40 % (older than 2026-11-05)".
 */
history: string | null, };

export type SprintArgs = { 
/**
 * A sprint id or name [default: the team's active sprint, else the latest started].
 */
sprint: string | null, team: string | null, };

export type SprintHealth = { sprint: SprintRef, committed: Array<SprintItem>, committed_points: number, added: Array<SprintItem>, removed: Array<SprintItem>, completed: Array<SprintItem>, completed_points: number, carry_over: Array<SprintItem>, carried_in: Array<SprintItem>, planning_accuracy: Rate, planning_accuracy_points: number | null, scope_change: number | null, blocked: Array<SprintItem>, at_risk: Array<SprintItem>, remaining_points: number, forecast: Forecast | null, 
/**
 * The burndown: remaining points per day against the ideal line.
 */
burndown: ChartData, };

export type SprintItem = { key: string, summary: string, points: number | null, status: string, at: string | null, why: string | null, };

export type SprintPage = { teams: Array<TeamRef>, 
/**
 * The sprints to choose from, newest first.
 */
sprints: Array<SprintRef>, health: SprintHealth, };

export type SprintRef = { id: number, name: string, team: string | null, state: string, start: string | null, end: string | null, };

/**
 * A span of time the team works in: a sprint.
 */

export type SprintWindow = { 
/**
 * The sprint's store id (none for a sprint projected from the cadence).
 */
sprint_id: number | null, 
/**
 * Its name.
 */
name: string, 
/**
 * When it starts.
 */
start: number, 
/**
 * When it ends.
 */
end: number, 
/**
 * Not in the tracker yet: the next sprint projected from the current one's length.
 */
projected: boolean, };

/**
 * A duration statistic in seconds: median, p75, p90 and the sample size.
 */

export type Stat = { n: number, median: number | null, p75: number | null, p90: number | null, };

/**
 * What Bosun stores: every table, its rows, size and retention, and the data dir's other files.
 */

export type Storage = { database: string, size_bytes: number, wal_bytes: number, tables: Array<StoredTable>, files: Array<StoredFile>, };

/**
 * Where tokens that are not in the environment are kept.
 */

export type StoreKind = "keychain" | "file";

export type StoredFile = { 
/**
 * Relative to the data dir.
 */
path: string, bytes: number, };

export type StoredTable = { name: string, rows: number, bytes: number, 
/**
 * A full-text index rebuilt from other tables (never exported).
 */
derived: boolean, 
/**
 * How long its rows (or their text) are kept: "forever", "30 days", "text 90 days".
 */
retention: string, };

/**
 * One account of a suggested link.
 */

export type SuggestedAccount = { 
/**
 * `provider:login-or-id`.
 */
handle: string, provider: string, login: string | null, name: string | null, emails: Array<string>, };

/**
 * A pull request a suspect shipped.
 */

export type SuspectPr = { repo: string, number: number, title: string, url: string | null, 
/**
 * Who opened it (a person's name; none for bots and unknown authors).
 */
author: string | null, };

/**
 * A suspected deployment, explained.
 */

export type SuspectView = { 
/**
 * The deployment's provider id.
 */
deployment: string, repo: string, sha: string, at: string, 
/**
 * Points (see `bosun_metrics::suspects`).
 */
score: number, 
/**
 * Why, in words, strongest first.
 */
reasons: Array<string>, 
/**
 * The same reasons, typed (`bosun_metrics::suspects::Reason`).
 */
evidence: unknown[], prs: Array<SuspectPr>, };

export type SyncStarted = { 
/**
 * False when a sync was already running (its events keep coming).
 */
started: boolean, };

/**
 * A team's capacity for a sprint.
 */

export type TeamCapacity = { 
/**
 * The team's key.
 */
team: string, 
/**
 * The sprint's name.
 */
sprint: string, 
/**
 * The sprint.
 */
window: SprintWindow, 
/**
 * Working days in the sprint on the company calendar (weekdays less company days off).
 */
working_days: number, 
/**
 * Available person-days.
 */
person_days: number, 
/**
 * Person-days before holidays, time off and on call.
 */
person_days_possible: number, 
/**
 * Points per available person-day over the history (none without history).
 */
focus_points_per_day: number | null, 
/**
 * Tickets per available person-day over the history.
 */
focus_items_per_day: number | null, 
/**
 * Focus factor × person-days, in points.
 */
capacity_points: number | null, 
/**
 * Focus factor × person-days, in tickets.
 */
capacity_items: number | null, 
/**
 * What to commit to with `confidence` chance (none without history).
 */
recommendation: Commitment | null, 
/**
 * Commitments at 50 %, 85 % and 95 %.
 */
alternatives: Array<Commitment>, 
/**
 * Monte Carlo runs and seed.
 */
runs: number, 
/**
 * See `runs`.
 */
seed: number, 
/**
 * Each person's days.
 */
people: Array<PersonCapacity>, 
/**
 * The sprints learned from, latest first.
 */
history: Array<HistorySprint>, 
/**
 * What the numbers could not account for, in plain words.
 */
caveats: Array<string>, };

export type TeamChoice = { key: string, name: string, origin: TeamOrigin, 
/**
 * Handles (`github:login`).
 */
members: Array<string>, 
/**
 * `owner/name`.
 */
repos: Array<string>, };

export type TeamComparison = { window: Window, rows: Array<TeamRow>, };

/**
 * Where a proposed team comes from.
 */

export type TeamOrigin = "github_team" | "code_owners" | "suggested";

export type TeamPage = { window: Window, me: string | null, members: Array<Member>, 
/**
 * Accounts nobody could be matched to a person.
 */
unmatched: number, };

export type TeamRef = { key: string, name: string, };

/**
 * One team's five keys and cycle time, with the sample sizes behind them.
 */

export type TeamRow = { 
/**
 * The team's key; none for the whole organisation (the last row).
 */
team: string | null, name: string, repos: number, deployments: number, per_week: number, days_per_week: number, lead_time: Stat, change_failure_rate: Rate, recovery_time: Stat, rework_rate: Rate, pr_cycle: Stat, levels: Levels, };

/**
 * One moment of an incident.
 */

export type TimelineEntry = { at: string, kind: EntryKind, text: string, 
/**
 * The record's page, when there is one.
 */
link: string | null, };

export type Today = { now: string, me: string | null, signals: Array<SignalView>, 
/**
 * Subjects with an open signal, one card each, the most severe first (acknowledged and
 * snoozed ones are not here, nor in any count).
 */
signal_groups: Array<SignalGroup>, 
/**
 * Open pull requests by people, not drafts (the triage queue's length).
 */
waiting_prs: number, 
/**
 * Of those, the ones waiting on reviewers for more than a day (all of them, not the list's
 * length).
 */
waiting_over_day: number, 
/**
 * The pull requests counted in `waiting_over_day`, the longest first (at most 5).
 */
longest_waiting: Array<QueuedPr>, blocked: Array<SprintItem>, open_incidents: number, 
/**
 * What changed in the last 24 hours, newest first.
 */
since_yesterday: Array<Happening>, meetings: Array<Meeting>, };

/**
 * The encrypted token file was made.
 */

export type TokenFileMade = { store: TokenStoreView, 
/**
 * The sources whose token moved there from the keychain.
 */
moved: Array<string>, 
/**
 * Why the keychain could not be read, when it could not.
 */
not_read: string | null, };

/**
 * Where a source's token comes from (shown to the user; never the token itself).
 */

export type TokenOrigin = { "kind": "environment", "detail": string } | { "kind": "keychain" } | { "kind": "token_file" } | { "kind": "demo" } | { "kind": "not_needed" } | { "kind": "missing" } | { "kind": "unknown", "detail": string };

/**
 * The token store: which one is in use, whether the encrypted file is locked, and the keychain.
 */

export type TokenStoreView = { 
/**
 * `keychain` by default; `file` once the encrypted token file was chosen.
 */
store: StoreKind, 
/**
 * The encrypted file's path (whether or not it exists).
 */
file: string, 
/**
 * The file is in use and not unlocked in this process: tokens cannot be read or added.
 */
locked: boolean, 
/**
 * BOSUN_TOKENS_PASSPHRASE is set (it unlocks the file at each start).
 */
passphrase_from_env: boolean, 
/**
 * Why the file cannot be opened (a wrong BOSUN_TOKENS_PASSPHRASE, a damaged file).
 */
file_problem: string | null, 
/**
 * The OS keychain answers; when it does not, `keychain_problem` says why.
 */
keychain_ok: boolean, keychain_problem: string | null, 
/**
 * The sources with a token in the store in use.
 */
sources: Array<string>, };

/**
 * A series' colour, by meaning (the theme decides the shade).
 */

export type Tone = "accent" | "good" | "warn" | "bad" | "muted" | "purple";

/**
 * A headline number against the window before it, and its weekly course.
 */

export type Trend = { 
/**
 * The same number over the previous window of the same length.
 */
previous: number | null, 
/**
 * Its value per week of this window, oldest first (the sparkline; none: no data that week).
 */
weekly: Array<number | null>, 
/**
 * True when a smaller value is the better one (lead time, failure rate, recovery).
 */
lower_is_better: boolean, };

export type Trends = { deployment_frequency: Trend, lead_time: Trend, change_failure_rate: Trend, recovery_time: Trend, rework_rate: Trend, pr_cycle: Trend, flow_time: Trend, velocity: Trend, };

/**
 * A team's finished work in the quarter that serves no goal.
 */

export type Unaligned = { team: string | null, finished: number, unaligned: number, 
/**
 * `unaligned / finished`.
 */
share: number | null, 
/**
 * A few of them, latest first.
 */
examples: Array<string>, };

/**
 * What the welcome page needs before the first step.
 */

export type Welcome = { 
/**
 * Sources or an organisation exist: the wizard is not needed (it can still be run).
 */
configured: boolean, demo: boolean, 
/**
 * The OS keychain answers; when it does not, `keychain_problem` says why.
 */
keychain_ok: boolean, keychain_problem: string | null, 
/**
 * The GitHub CLI is installed and logged in: its token can be used.
 */
gh_cli: boolean, default_github_url: string, 
/**
 * Where the configuration and the organisation file are.
 */
config_file: string, org_file: string, };

/**
 * The window a page computed over.
 */

export type Window = { since: string, until: string, weeks: number, team: string | null, teams: Array<TeamRef>, 
/**
 * The repository it is filtered to, and the ones it could be.
 */
repo: string | null, repos: Array<string>, };

/**
 * A window ending now (or at `until`), optionally one team's.
 */

export type WindowArgs = { 
/**
 * A team key or name; all teams when absent.
 */
team: string | null, 
/**
 * Days before the end of the window [default 90].
 */
days: number | null, 
/**
 * A custom window instead: its first and last day (YYYY-MM-DD, both included).
 */
from?: string | null, to?: string | null, 
/**
 * One repository (`owner/name` or `name`); all of the scope's when absent.
 */
repo?: string | null, };

/**
 * A written answer that passed the grounding check.
 */

export type WrittenAnswer = { 
/**
 * The sentences with their marks, as one paragraph (`… [1]. … [2].`).
 */
text: string, sentences: Array<WrittenSentence>, model: string, tokens: number, 
/**
 * Its `llm.call` audit entry.
 */
audit_seq: number, };

/**
 * One sentence of the written answer.
 */

export type WrittenSentence = { text: string, 
/**
 * The answers it rests on, 1-based (`answers[n - 1]`).
 */
cites: Array<number>, };

/** Every endpoint: its arguments and its result. */
export interface Endpoints {
  /** The phase, mode and sync state shown around every page. */
  app_info: { args: NoArgs; result: AppInfo };
  /** Open signals, what changed since yesterday, meetings to prepare. */
  today: { args: NoArgs; result: Today };
  /** The pull request triage queue. */
  pr_queue: { args: WindowArgs; result: PrQueue };
  /** Sprint health with its burndown and forecast. */
  sprint: { args: SprintArgs; result: SprintPage };
  /** DORA, pull request cycle time and flow, with the records behind every number. */
  delivery: { args: WindowArgs; result: Delivery };
  /** Every team's five keys and PR cycle time side by side, with sample sizes. */
  team_comparison: { args: WindowArgs; result: TeamComparison };
  /** Investment balance: each team's finished tickets per month by category, with the rules. */
  investment: { args: InvestmentArgs; result: InvestmentView };
  /** Each team's next sprint: people's working days (time zone, holidays, time off, on call), the focus factor and the commitment to recommend with its chance. */
  capacity: { args: CapacityArgs; result: CapacityView };
  /** When an epic will be done: the 50/85/95 % dates, the burn-up and the forecast cone. */
  forecast: { args: ForecastArgs; result: ForecastView };
  /** Every epic with work left, each with its forecast, soonest 85 % date first. */
  open_epics: { args: EpicsArgs; result: Array<ForecastView> };
  /** The goals with progress, forecasts and each team's unaligned work. */
  goals: { args: GoalsArgs; result: GoalsView };
  /** Every goal as stored, to edit. */
  goal_inputs: { args: NoArgs; result: Array<GoalInput> };
  /** Add or change a goal (audited). */
  save_goal: { args: GoalInput; result: GoalSaved };
  /** Delete a goal (audited). */
  delete_goal: { args: GoalId; result: GoalSaved };
  /** The risk register: proposals re-evaluated now, and the manager's decisions. */
  risks: { args: NoArgs; result: RisksView };
  /** Accept, dismiss or reopen a proposed risk (audited). */
  decide_risk: { args: DecideRiskArgs; result: RiskView };
  /** Set a risk's likelihood, impact, owner, mitigation or review date (audited). */
  edit_risk: { args: EditRiskArgs; result: RiskView };
  /** The accepted register as Markdown. */
  risks_markdown: { args: NoArgs; result: RisksMarkdown };
  /** A metric's definition (docs/metric-definitions.md), one click from its number. */
  metric_definition: { args: DefinitionArgs; result: Definition };
  /** Incidents, newest first, with filters. */
  incidents: { args: IncidentListArgs; result: IncidentList };
  /** One incident whole: timeline, ranked suspect changes, responders, runbook passages, drafts. */
  incident: { args: IncidentArgs; result: IncidentView };
  /** Incident metrics per service or team: count against the window before, time to acknowledge and resolve, linked to a deployment, repeats. */
  incident_metrics: { args: IncidentMetricsArgs; result: IncidentMetricsView };
  /** An incident's postmortem draft (Markdown), written to the notes folder when `export`. */
  postmortem: { args: PostmortemArgs; result: PostmortemView };
  /** Keep a postmortem's follow-ups as their owners' private 1:1 follow-ups (once). */
  keep_follow_ups: { args: IncidentArgs; result: KeptFollowUps };
  /** An incident's summary as a note, every line linked; rewritten by the configured language model when `polish` (redacted, budgeted, audited; the deterministic summary when not). */
  incident_summary: { args: IncidentSummaryArgs; result: IncidentSummaryNote };
  /** Draft a postmortem's follow-ups as Jira tickets (created once each, when approved). */
  draft_follow_up_tickets: { args: IncidentArgs; result: DraftedTickets };
  /** People, their review load and what they are working on. */
  team: { args: WindowArgs; result: TeamPage };
  /** The people who joined a team recently (join date from the configuration or first activity). */
  joiners: { args: NoArgs; result: JoinersView };
  /** A new hire's 30-day plan (docs, code, people, first tickets, shadow shift) and progress. */
  onboard_plan: { args: OnboardArgs; result: OnboardPlan };
  /** Keep the day someone joined their team (audited), or forget the one kept. */
  set_join_date: { args: JoinDateArgs; result: JoinersView };
  /** Draft a joiner's welcome message and buddy introduction (sent only once approved). */
  draft_onboarding: { args: OnboardArgs; result: OnboardDrafts };
  /** A meeting note from the store: standup, sprint report, 1:1 prep, triage or the brief. */
  note: { args: NoteArgs; result: NoteView };
  /** Keep a private note or a follow-up about a person (on this machine only; never sent). */
  add_private_note: { args: AddPrivateNoteArgs; result: PrivateNoteRow };
  /** Mark a follow-up done. */
  complete_private_note: { args: PrivateNoteId; result: PrivateNoteRow };
  /** Answers from the docs, with citations. */
  ask: { args: AskArgs; result: Answer };
  /** A cited file (only inside an indexed folder). */
  doc: { args: DocArgs; result: DocView };
  /** Signals and action drafts. */
  signals: { args: NoArgs; result: SignalsPage };
  /** Approve an action draft (optionally edited): policy decides, then it is delivered. */
  approve_action: { args: ApproveArgs; result: ActionResult };
  /** Reject an action draft. */
  reject_action: { args: RejectArgs; result: ActionResult };
  /** Acknowledge a signal, or snooze it. */
  signal_status: { args: SignalStatusArgs; result: SignalView };
  /** The audit ledger, verified. */
  audit: { args: NoArgs; result: AuditPage };
  /** Sources, configuration, the Ask index, alert pause. */
  settings: { args: NoArgs; result: Settings };
  /** Where tokens are kept: the OS keychain or the encrypted token file (locked or not). */
  token_store: { args: NoArgs; result: TokenStoreView };
  /** Keep tokens in an encrypted file from now on (where no keychain works); moves the keychain's. */
  use_token_file: { args: PassphraseArgs; result: TokenFileMade };
  /** Unlock the encrypted token file for this run (the key stays in memory only). */
  unlock_token_file: { args: PassphraseArgs; result: TokenStoreView };
  /** Add a source; its token goes to the token store (the OS keychain, or the encrypted file). */
  add_source: { args: AddSourceArgs; result: SourceRow };
  /** Remove a source (its records stay; its token is forgotten). */
  remove_source: { args: RemoveSourceArgs; result: SourceRow };
  /** Pause alerts for some hours or until tomorrow morning; 0 hours resumes. */
  pause_alerts: { args: PauseArgs; result: Paused };
  /** Sync every source now (progress arrives as events). */
  sync_now: { args: NoArgs; result: SyncStarted };
  /** What Bosun stores: tables with rows, sizes and retention, and the data dir's files. */
  storage: { args: NoArgs; result: Storage };
  /** Identity's merge suggestions (accounts a rule linked), to accept or reject. */
  identity_suggestions: { args: NoArgs; result: IdentitySuggestions };
  /** Accept (one person) or reject (two people) a link between two accounts; kept and audited. */
  decide_identity: { args: DecideIdentityArgs; result: IdentitySuggestions };
  /** The doctor's checks: keychain, model, runtime, sources, clock, database, disk, permissions. */
  doctor: { args: NoArgs; result: Doctor };
  /** Slack commands as set up: on or off, the source, its app-level token, the listener. */
  slack_commands: { args: NoArgs; result: SlackCommandsView };
  /** Check Slack commands live: app-level token, connection, bot token and scopes, your account. */
  check_slack_commands: { args: NoArgs; result: Doctor };
  /** Check a Slack app-level token with Slack and keep it (audited); the listener restarts. */
  set_slack_app_token: { args: SlackAppTokenArgs; result: SlackAppTokenKept };
  /** The welcome page: whether anything is configured, the keychain, the GitHub CLI. */
  welcome: { args: NoArgs; result: Welcome };
  /** First run: check a GitHub token live (who, scopes and what is missing, rate limit, organisations). */
  onboarding_check_github: { args: CheckGithubArgs; result: GithubCheck };
  /** First run: an organisation's repositories, teams, people and deploy workflows, with proposals. */
  onboarding_discover: { args: DiscoverArgs; result: GithubDiscovery };
  /** First run: check a Jira, PagerDuty or Slack token live. */
  onboarding_check_source: { args: OtherSetup; result: SourceCheck };
  /** First run: keep the sources (tokens to the keychain) and the organisation; the first sync starts. */
  onboarding_finish: { args: Setup; result: FinishedView };
  /** From the welcome page: serve the demo organisation (in a throwaway folder). */
  explore_demo: { args: NoArgs; result: DemoStarted };
  /** The organisation Bosun keeps (teams, people linked by hand, you and your reports). */
  org_settings: { args: NoArgs; result: OrgPage };
  /** Keep an edited organisation (written to org.toml, applied at once, audited). */
  save_org_settings: { args: OrgSettings; result: OrgPage };
}
