//! The outbox: drafts the manager approves (optionally edited), rejects, or policy refuses; and
//! delivery of approved actions through the connectors, exactly once.
//!
//! Delivery protocol, per attempt, each step committed before the next:
//! 1. claim: `approved` → `sending`, attempts + 1, and an audit entry. A claim is a lease held by
//!    this process's deliverer id until `claimed_until` (see [`App::claim_lease_secs`]): several
//!    deliverers may run at once (the one-minute tick, `bosun actions send`, another window) and
//!    none touches a live claim; only an expired one (its holder crashed or hung) is re-taken;
//! 2. if the action was claimed before (a re-taken lease, or a retry after an answer that never
//!    came), ask the provider whether a write carrying its idempotency key is already there — if
//!    so, it is `sent`;
//! 3. otherwise write it; the provider's answer makes it `sent`; an ambiguous failure (5xx, a lost
//!    answer) goes back to `approved` for another attempt (which starts at step 2); a definite one
//!    is `failed`.
//!
//! Every approval, rejection, policy decision and attempt is in the audit ledger.

pub use crate::config::ActionsConfig;
use crate::demo::{DEMO_WORLD, DemoWorld};
use crate::policy::{Asked, nameable, policy_error, policy_input};
use crate::{App, AppError, Result};
use bosun_connectors::http::{Auth, HttpClient};
use bosun_connectors::outbox::{self, Outbound, Receipt};
use bosun_core::Sensitive;
use bosun_core::model::ActionStatus;
use bosun_core::model::Provider;
use bosun_core::time::Ts;
use bosun_policy::{Bundle, Decision};
use bosun_signals::input::Extra;
use bosun_signals::{ActionKind, Target};
use bosun_store::Connection;
use bosun_store::sync_state::{self, Source};
use bosun_store::{Store, accounts, actions, audit, chat, code, planning, signals};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// A provider to deliver through: its API base and an authenticated client.
pub struct Endpoint {
    pub api: String,
    pub http: HttpClient,
}

/// Endpoints by source id, plus what keeps them alive (demo fakes started for the delivery).
#[derive(Default)]
pub struct Endpoints {
    pub by_source: HashMap<i64, Endpoint>,
    pub demo: Option<crate::demo::Providers>,
}

impl Endpoints {
    pub async fn shutdown(self) {
        if let Some(p) = self.demo {
            p.shutdown().await;
        }
    }
}

/// One action as the front doors show it.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    #[serde(flatten)]
    pub row: actions::ActionRow,
    pub provider: String,
    /// The signal's kind and title, when the signal is still stored.
    pub signal_kind: Option<String>,
    pub signal_title: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionsView {
    pub actions: Vec<ActionView>,
}

/// What approving (or sending) did.
#[derive(Debug, Clone, Serialize)]
pub struct Delivered {
    pub action: ActionView,
    /// The policy's decision at approval.
    pub decision: Option<Decision>,
    pub attempts: Vec<Attempt>,
    pub receipt: Option<Receipt>,
    pub policy_warning: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub attempt: i64,
    /// sent, already_delivered, retry, failed
    pub result: String,
    pub error: Option<String>,
}

fn view(conn: &Connection, row: actions::ActionRow) -> Result<ActionView> {
    let (signal_kind, signal_title) = match row.signal_id {
        Some(id) => match signals::kind_and_title(conn, id)? {
            Some((kind, title)) => (Some(kind), Some(title)),
            None => (None, None),
        },
        None => (None, None),
    };
    Ok(ActionView {
        provider: row.kind.provider().as_str().to_string(),
        row,
        signal_kind,
        signal_title,
    })
}

fn get(conn: &Connection, id: i64) -> Result<actions::ActionRow> {
    actions::get(conn, id)?
        .ok_or_else(|| AppError::NotFound(format!("no action {id} (see `bosun actions list`)")))
}

/// The write an action makes, with the source it goes through.
pub fn outbound(conn: &Connection, row: &actions::ActionRow) -> Result<(i64, Outbound)> {
    let kind = row.kind;
    let t: Target = serde_json::from_value(row.target.clone())
        .map_err(|e| AppError::InvalidInput(format!("action {}: target: {e}", row.id)))?;
    let missing = |what: &str| AppError::InvalidInput(format!("action {}: no {what}", row.id));
    let account = |person: i64, provider: &str| -> Result<Option<(String, Option<String>)>> {
        Ok(accounts::first_of_person(conn, person, provider)?)
    };
    let source_of_kind = |k: Provider| -> Result<i64> {
        sync_state::first_enabled_source(conn, k)?.ok_or_else(|| {
            AppError::NotFound(format!("no {k} source to send action {} through", row.id))
        })
    };
    let repo_source = |repo: &str| -> Result<i64> {
        match code::github_repo_source(conn, repo)? {
            Some(id) => Ok(id),
            None => source_of_kind(Provider::Github),
        }
    };
    let ticket_source = |key: &str| -> Result<i64> {
        match planning::ticket_source(conn, key)? {
            Some(id) => Ok(id),
            None => source_of_kind(Provider::Jira),
        }
    };
    Ok(match kind {
        ActionKind::SlackDm => {
            let p = *t.people.first().ok_or_else(|| missing("recipient"))?;
            let (user, _) = account(p, Provider::Slack.as_str())?
                .ok_or_else(|| missing("Slack account for the recipient"))?;
            (
                source_of_kind(Provider::Slack)?,
                Outbound::SlackDm {
                    user,
                    text: row.body.clone(),
                },
            )
        }
        ActionKind::SlackMessage => {
            let name = t.channel.as_deref().ok_or_else(|| missing("channel"))?;
            let channel = chat::channel_external_id(conn, name.trim_start_matches('#'))?
                .ok_or_else(|| AppError::NotFound(format!("no Slack channel #{name}")))?;
            (
                source_of_kind(Provider::Slack)?,
                Outbound::SlackMessage {
                    channel,
                    text: row.body.clone(),
                },
            )
        }
        ActionKind::PrComment => {
            let repo = t.repo.clone().ok_or_else(|| missing("repository"))?;
            let number = t.number.ok_or_else(|| missing("pull request number"))?;
            (
                repo_source(&repo)?,
                Outbound::PrComment {
                    repo,
                    number,
                    text: row.body.clone(),
                },
            )
        }
        ActionKind::ReviewerRequest => {
            let repo = t.repo.clone().ok_or_else(|| missing("repository"))?;
            let number = t.number.ok_or_else(|| missing("pull request number"))?;
            let mut reviewers = Vec::new();
            for p in &t.people {
                let (_, login) = account(*p, Provider::Github.as_str())?
                    .ok_or_else(|| missing("GitHub account for a reviewer"))?;
                reviewers.push(login.ok_or_else(|| missing("GitHub login for a reviewer"))?);
            }
            if reviewers.is_empty() {
                return Err(missing("reviewer"));
            }
            (
                repo_source(&repo)?,
                Outbound::ReviewerRequest {
                    repo,
                    number,
                    reviewers,
                },
            )
        }
        ActionKind::TicketComment => {
            let key = t.ticket.clone().ok_or_else(|| missing("ticket"))?;
            (
                ticket_source(&key)?,
                Outbound::TicketComment {
                    key,
                    text: row.body.clone(),
                },
            )
        }
        ActionKind::TicketTransition => {
            let key = t.ticket.clone().ok_or_else(|| missing("ticket"))?;
            let status = t.status.clone().ok_or_else(|| missing("target status"))?;
            (
                ticket_source(&key)?,
                Outbound::TicketTransition { key, status },
            )
        }
        ActionKind::TicketCreate => {
            let project = t.project.clone().ok_or_else(|| missing("project"))?;
            let summary = t.title.clone().ok_or_else(|| missing("ticket summary"))?;
            // The owner, when they have a Jira account; else the ticket is created unassigned.
            let assignee = match t.assignee {
                Some(p) => account(p, Provider::Jira.as_str())?.map(|(id, _)| id),
                None => None,
            };
            (
                source_of_kind(Provider::Jira)?,
                Outbound::TicketCreate {
                    project,
                    summary,
                    description: row.body.clone(),
                    assignee,
                    labels: t.labels.clone(),
                    due: t.due.clone(),
                },
            )
        }
    })
}

fn client(source: &Source, token: Sensitive<String>, cfg: &crate::Config) -> Result<Endpoint> {
    let api = source
        .base_url
        .clone()
        .or_else(|| crate::secrets::default_base_url(source.kind).map(str::to_string))
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string();
    let auth = match source.kind {
        Provider::Jira => match source.settings.get("email").and_then(Value::as_str) {
            Some(e) => Auth::Basic {
                user: e.to_string(),
                token,
            },
            None => Auth::Bearer(token),
        },
        _ => Auth::Bearer(token),
    };
    let headers = outbox::headers(source.kind);
    let http = HttpClient::new(
        &source.name,
        &api,
        auth,
        headers,
        cfg.http(),
        Arc::new(bosun_connectors::NullSink),
    )?;
    Ok(Endpoint { api, http })
}

/// Whether something listens at `base_url` (a demo source's fakes may have stopped).
async fn reachable(base_url: &str) -> bool {
    let host = base_url
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    matches!(
        tokio::time::timeout(
            std::time::Duration::from_millis(500),
            tokio::net::TcpStream::connect(host)
        )
        .await,
        Ok(Ok(_))
    )
}

impl App {
    /// Clients for `sources`. Demo sources whose fakes stopped (they stop after `demo sync`) are
    /// served again, from the recorded demo world, keeping their writes under
    /// `<data dir>/demo-fakes/`.
    pub async fn endpoints(&self, sources: &[i64]) -> Result<Endpoints> {
        // Read what is needed first: no connection is held across an await (the future stays
        // Send, for the listeners that run it in a task).
        let (found, demo_world) = {
            let store = self.store()?;
            let mut found = Vec::new();
            for id in sources {
                found.push(
                    sync_state::source_by_id(store.conn(), *id)?
                        .ok_or_else(|| AppError::NotFound(format!("no source {id}")))?,
                );
            }
            (found, bosun_store::meta::get(store.conn(), DEMO_WORLD)?)
        };
        let mut out = Endpoints::default();
        for source in found {
            let id = &source.id.clone();
            let token = if source.demo {
                Sensitive::new(crate::demo::DEMO_TOKEN.to_string())
            } else {
                let (kind, name, base) =
                    (source.kind, source.name.clone(), source.base_url.clone());
                let tokens = self.tokens().clone();
                match tokio::task::spawn_blocking(move || {
                    tokens.resolve(kind, &name, base.as_deref())
                })
                .await
                .map_err(|e| AppError::Keychain(e.to_string()))??
                {
                    Some((t, _)) => t,
                    None => {
                        return Err(AppError::Keychain(format!(
                            "no token for source {}: {}",
                            source.name,
                            crate::secrets::missing_hint(source.kind, &source.name)
                        )));
                    }
                }
            };
            let mut source = source;
            if source.demo && !reachable(source.base_url.as_deref().unwrap_or_default()).await {
                if out.demo.is_none() {
                    out.demo = Some(self.start_demo_fakes(demo_world.clone()).await?);
                }
                let p = out
                    .demo
                    .as_ref()
                    .ok_or_else(|| AppError::Demo("no fakes".into()))?;
                let url = match source.kind {
                    Provider::Github => &p.github.base_url,
                    Provider::Jira => &p.jira.base_url,
                    Provider::Slack => &p.slack.base_url,
                    Provider::Pagerduty | Provider::Gitlab | Provider::Linear | Provider::Git => {
                        &p.pagerduty.base_url
                    }
                };
                source.base_url = Some(url.clone());
            }
            out.by_source
                .insert(*id, client(&source, token, &self.config)?);
        }
        Ok(out)
    }

    async fn start_demo_fakes(&self, world: Option<String>) -> Result<crate::demo::Providers> {
        let w: String = world.ok_or_else(|| {
                AppError::Demo("this data dir has demo sources but no record of the demo world: run `bosun demo sync` again".into())
            })?;
        let w: DemoWorld = serde_json::from_str(&w).map_err(|e| AppError::Demo(e.to_string()))?;
        let as_of = bosun_core::time::parse_user_time(&w.as_of)
            .ok_or_else(|| AppError::Demo(format!("bad demo as_of {:?}", w.as_of)))?;
        let opts = crate::demo::DemoOptions {
            scale: w.scale,
            seed: w.seed,
            months: w.months,
        };
        let world = tokio::task::spawn_blocking(move || crate::demo::world(opts, as_of))
            .await
            .map_err(|e| AppError::Demo(e.to_string()))??;
        crate::demo::start_with(Arc::new(world), 0, Some(self.demo_fakes_dir())).await
    }

    /// Where the demo fakes journal the writes they receive.
    pub fn demo_fakes_dir(&self) -> std::path::PathBuf {
        self.paths.data_dir.join("demo-fakes")
    }

    /// Actions in `statuses` (all when empty), oldest first.
    pub fn actions(&self, statuses: &[ActionStatus]) -> Result<ActionsView> {
        let store = self.store()?;
        let rows = actions::list(store.conn(), statuses)?;
        Ok(ActionsView {
            actions: rows
                .into_iter()
                .map(|r| view(store.conn(), r))
                .collect::<Result<_>>()?,
        })
    }

    /// Reject a draft.
    pub fn reject_action(&self, id: i64, reason: Option<&str>) -> Result<ActionView> {
        self.reject_action_by(id, reason, &self.actor())
    }

    /// [`App::reject_action`] by `who` (the audit's actor: the manager here, or their Slack
    /// account when they pressed Reject in Slack).
    pub fn reject_action_by(&self, id: i64, reason: Option<&str>, who: &str) -> Result<ActionView> {
        let mut store = self.store()?;
        let now = self.now();
        let who = who.to_string();
        store.write(|tx| {
            let row = actions::get(tx, id)?;
            let Some(row) = row else {
                return Ok(Err(AppError::NotFound(format!("no action {id} (see `bosun actions list`)"))));
            };
            if !actions::decide(tx, id, ActionStatus::Rejected, now, &who, None, &row.decision.to_string(), None)? {
                return Ok(Err(AppError::InvalidInput(format!(
                    "action {id} is {}, not a draft: only drafts can be rejected",
                    row.status
                ))));
            }
            audit::append(
                tx,
                &audit::NewEntry {
                    at: now,
                    actor: &who,
                    action: "action.reject",
                    subject: Some(&format!("action:{id}")),
                    result: "rejected",
                    trace: json!({"kind": row.kind, "summary": row.summary, "reason": reason, "idempotency_key": row.idempotency_key}),
                },
            )?;
            Ok(Ok(()))
        })??;
        view(store.conn(), get(store.conn(), id)?)
    }

    /// Approve a draft (with an edited body, if given), ask the policy, and deliver it now unless
    /// the policy defers it (the recipient's quiet hours, the daily cap) or denies it.
    pub async fn approve_action(&self, id: i64, body: Option<&str>) -> Result<Delivered> {
        self.approve_action_by(id, body, &self.actor()).await
    }

    /// [`App::approve_action`] by `who` (the audit's actor and the approver the policy sees:
    /// the manager here, or their Slack account when they pressed Approve in Slack).
    pub async fn approve_action_by(
        &self,
        id: i64,
        body: Option<&str>,
        who: &str,
    ) -> Result<Delivered> {
        let mut store = self.store()?;
        let policy = self.policy(store.conn())?;
        let now = self.now();
        let who = who.to_string();
        let row = get(store.conn(), id)?;
        if row.status != ActionStatus::Draft {
            return Err(AppError::InvalidInput(format!(
                "action {id} is {}, not a draft: only drafts can be approved",
                row.status
            )));
        }
        if body.is_some_and(|b| b.trim().is_empty()) {
            return Err(AppError::InvalidInput("the edited text is empty".into()));
        }
        let text = body.unwrap_or(&row.body);
        let decision = self
            .decide(&store, &policy.bundle, &row, text, Some(&who), now)?
            .at(now);
        let decision_json = serde_json::to_string(&decision)?;
        let subject = format!("action:{id}");
        let (status, not_before, result) = if decision.denied() {
            (ActionStatus::Denied, None, "denied")
        } else if let Some(until) = decision.defer_until {
            (ActionStatus::Approved, Some(until), "deferred")
        } else {
            (ActionStatus::Approved, None, "allowed")
        };
        store.write(|tx| {
            if !actions::decide(tx, id, status, now, &who, body, &decision_json, not_before)? {
                return Ok(false);
            }
            if status == ActionStatus::Denied {
                actions::deny(tx, id, &decision_json, &decision.explain())?;
            }
            audit::append(
                tx,
                &audit::NewEntry {
                    at: now,
                    actor: &who,
                    action: "action.approve",
                    subject: Some(&subject),
                    result: "ok",
                    trace: json!({"kind": row.kind, "summary": row.summary, "edited": body.is_some(), "body": text, "idempotency_key": row.idempotency_key}),
                },
            )?;
            audit::append(
                tx,
                &audit::NewEntry {
                    at: now,
                    actor: "policy",
                    action: "policy.decide",
                    subject: Some(&subject),
                    result,
                    trace: json!({"stage": "approval", "decision": decision, "not_before": not_before}),
                },
            )?;
            Ok(true)
        })?
        .then_some(())
        .ok_or_else(|| AppError::InvalidInput(format!("action {id} was decided by someone else first")))?;
        drop(store);
        let mut out = Delivered {
            action: view(self.store()?.conn(), get(self.store()?.conn(), id)?)?,
            decision: Some(decision),
            attempts: Vec::new(),
            receipt: None,
            policy_warning: policy.warning,
        };
        if status == ActionStatus::Approved && not_before.is_none() {
            let sent = self.deliver(&[id]).await?;
            if let Some(d) = sent.into_iter().next() {
                out.attempts = d.attempts;
                out.receipt = d.receipt;
                out.action = d.action;
            }
        }
        Ok(out)
    }

    fn decide(
        &self,
        store: &Store,
        bundle: &Bundle,
        row: &actions::ActionRow,
        text: &str,
        approved_by: Option<&str>,
        now: Ts,
    ) -> Result<Decision> {
        let t: Target = serde_json::from_value(row.target.clone()).unwrap_or_default();
        let signal_kind: String = row
            .signal_id
            .and_then(|s| {
                signals::kind_and_title(store.conn(), s)
                    .ok()
                    .flatten()
                    .map(|(kind, _)| kind)
            })
            .unwrap_or_default();
        // The draft as generated: its preview is the summary and the text Bosun wrote (an edit
        // changes the body, never the preview).
        let generated = row
            .preview
            .strip_prefix(row.summary.as_str())
            .and_then(|p| p.strip_prefix("\n\n"))
            .unwrap_or(&row.body);
        let input = policy_input(
            store.conn(),
            &Extra::default(),
            &Asked {
                kind: row.kind,
                body: text,
                generated: Some(generated),
                summary: &row.summary,
                signal_kind: &signal_kind,
                people: &t.people,
            },
            &nameable(store.conn())?,
            approved_by,
            now,
        )?;
        bundle.decide(&input).map_err(policy_error)
    }

    /// Deliver every approved action that is due (and any left half-sent by a crash).
    pub async fn send_due(&self) -> Result<Vec<Delivered>> {
        let store = self.store()?;
        let ids: Vec<i64> = actions::due(store.conn(), self.now())?
            .into_iter()
            .map(|a| a.id)
            .collect();
        drop(store);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.deliver(&ids).await
    }

    /// Deliver these approved actions, starting whatever providers they need.
    pub async fn deliver(&self, ids: &[i64]) -> Result<Vec<Delivered>> {
        let mut store = self.store()?;
        let mut plan = Vec::new();
        let mut out = Vec::new();
        for id in ids {
            let row = get(store.conn(), *id)?;
            match outbound(store.conn(), &row) {
                Ok((source, ob)) => plan.push((*id, source, ob)),
                // A draft that cannot become a write (no such channel, no account for the
                // recipient) fails for good, on the record; the others still go.
                Err(e @ (AppError::InvalidInput(_) | AppError::NotFound(_))) => {
                    let msg = e.to_string();
                    let now = self.now();
                    let lease = actions::Lease {
                        owner: self.deliverer(),
                        until: now + self.claim_lease_secs(),
                    };
                    let failed = store.write(|tx| {
                        let failed = actions::claim(tx, *id, now, lease)?.is_some()
                            && actions::mark_attempt_failed(tx, *id, lease.owner, &msg, None)?;
                        if failed {
                            audit::append(
                                tx,
                                &audit::NewEntry {
                                    at: now,
                                    actor: "bosun",
                                    action: "action.send",
                                    subject: Some(&format!("action:{id}")),
                                    result: "failed",
                                    trace: json!({"idempotency_key": row.idempotency_key, "error": msg}),
                                },
                            )?;
                        }
                        Ok(failed)
                    })?;
                    if !failed {
                        // Another deliverer holds it (or it is no longer approved).
                        continue;
                    }
                    let row = get(store.conn(), *id)?;
                    out.push(Delivered {
                        attempts: vec![Attempt {
                            attempt: row.attempts,
                            result: "failed".into(),
                            error: Some(msg),
                        }],
                        action: view(store.conn(), row)?,
                        decision: None,
                        receipt: None,
                        policy_warning: None,
                    });
                }
                Err(e) => return Err(e),
            }
        }
        drop(store);
        if plan.is_empty() {
            return Ok(out);
        }
        let mut sources: Vec<i64> = plan.iter().map(|p| p.1).collect();
        sources.sort_unstable();
        sources.dedup();
        let endpoints = self.endpoints(&sources).await?;
        let bundle = self.policy(self.store()?.conn())?.bundle;
        let mut err = None;
        for (id, source, ob) in plan {
            // The policy decides again at send time, one action after the other: an edit since
            // the approval counts, and the daily cap sees what this run already sent.
            match self.recheck(id, &bundle) {
                Ok(Some(held)) => {
                    out.push(held);
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    err = Some(e);
                    break;
                }
            }
            let ep = &endpoints.by_source[&source];
            match self.deliver_one(id, ep, &ob).await {
                Ok(d) => out.push(d),
                Err(e) => {
                    err = Some(e);
                    break;
                }
            }
        }
        endpoints.shutdown().await;
        match err {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Ask the policy again before an approved action goes: `Some` when it may not go now —
    /// denied (the policy changed since the approval) or deferred (quiet hours, the daily cap,
    /// counted at this moment) — recorded on the action and in the audit ledger.
    fn recheck(&self, id: i64, bundle: &Bundle) -> Result<Option<Delivered>> {
        let mut store = self.store()?;
        let row = get(store.conn(), id)?;
        if row.status != ActionStatus::Approved {
            // A re-taken claim passed this check before its first attempt.
            return Ok(None);
        }
        let now = self.now();
        let by = row.decided_by.clone();
        let decision = self
            .decide(&store, bundle, &row, &row.body, by.as_deref(), now)?
            .at(now);
        let denied = decision.denied();
        if !denied && !decision.deferred() {
            return Ok(None);
        }
        let decision_json = serde_json::to_string(&decision)?;
        let not_before = decision.defer_until.unwrap_or(now + 60);
        store.write(|tx| {
            if denied {
                actions::deny(tx, id, &decision_json, &decision.explain())?;
            } else {
                actions::defer(tx, id, not_before, &decision_json)?;
            }
            audit::append(
                tx,
                &audit::NewEntry {
                    at: now,
                    actor: "policy",
                    action: "policy.decide",
                    subject: Some(&format!("action:{id}")),
                    result: if denied { "denied" } else { "deferred" },
                    trace: json!({"stage": "send", "decision": decision,
                        "not_before": (!denied).then_some(not_before)}),
                },
            )
        })?;
        Ok(Some(Delivered {
            action: view(store.conn(), get(store.conn(), id)?)?,
            decision: Some(decision),
            attempts: Vec::new(),
            receipt: None,
            policy_warning: None,
        }))
    }

    /// How long a claim lasts: longer than one attempt can take (a lookup and a write, each with
    /// the HTTP client's retries and rate-limit waits), so that a live delivery is never taken
    /// for a crashed one; at least two minutes.
    pub fn claim_lease_secs(&self) -> i64 {
        let s = &self.config.sync;
        let one_request = s.timeout_secs.saturating_mul(u64::from(s.max_attempts) + 1);
        let attempt = one_request
            .saturating_mul(2)
            .saturating_add(s.max_rate_wait_secs.saturating_mul(2));
        i64::try_from(attempt.max(120)).unwrap_or(i64::MAX / 4)
    }

    /// The delivery protocol for one action through `ep` (see the module docs).
    pub async fn deliver_one(&self, id: i64, ep: &Endpoint, ob: &Outbound) -> Result<Delivered> {
        let max = self.config.actions.max_attempts.max(1) as i64;
        let backoff = self.config.actions.retry_backoff_ms;
        let subject = format!("action:{id}");
        let mut attempts = Vec::new();
        let mut receipt = None;
        loop {
            let mut store = self.store()?;
            let now = self.now();
            let row = get(store.conn(), id)?;
            let lease = actions::Lease {
                owner: self.deliverer(),
                until: now + self.claim_lease_secs(),
            };
            // A live claim of another deliverer is left alone; an expired one is re-taken, and
            // then (like any attempt after the first) the provider is asked before writing.
            let claimed = store.write(|tx| {
                let Some(claim) = actions::claim(tx, id, now, lease)? else {
                    return Ok(None);
                };
                let n = claim.attempt();
                audit::append(
                    tx,
                    &audit::NewEntry {
                        at: now,
                        actor: "bosun",
                        action: "action.send",
                        subject: Some(&subject),
                        result: "attempt",
                        trace: json!({"attempt": n, "idempotency_key": row.idempotency_key, "kind": row.kind,
                            "deliverer": lease.owner, "claimed_until": lease.until,
                            "retaken": matches!(claim, actions::Claimed::Retaken { .. })}),
                    },
                )?;
                Ok(Some(claim))
            })?;
            let Some(claim) = claimed else { break };
            let n = claim.attempt();
            drop(store);
            let key = row.idempotency_key.clone();
            let landed = if claim.must_look() {
                outbox::find(&ep.http, &ep.api, ob, &key).await
            } else {
                Ok(None)
            };
            let result = match landed {
                Ok(Some(r)) => Ok((r, true)),
                Ok(None) => outbox::send(&ep.http, &ep.api, ob, &key)
                    .await
                    .map(|r| (r, false)),
                Err(e) => Err(e),
            };
            let mut store = self.store()?;
            let now = self.now();
            match result {
                Ok((r, already)) => {
                    let detail = serde_json::to_string(&r)?;
                    store.write(|tx| {
                        actions::mark_sent(tx, id, now, &detail)?;
                        audit::append(
                            tx,
                            &audit::NewEntry {
                                at: now,
                                actor: "bosun",
                                action: "action.send",
                                subject: Some(&subject),
                                result: "sent",
                                trace: json!({"attempt": n, "idempotency_key": key, "receipt": r, "found_already_delivered": already}),
                            },
                        )
                    })?;
                    attempts.push(Attempt {
                        attempt: n,
                        result: if already { "already_delivered" } else { "sent" }.into(),
                        error: None,
                    });
                    receipt = Some(r);
                    break;
                }
                Err(e) => {
                    let retry = outbox::retryable(&e) && n < max;
                    let msg = e.to_string();
                    store.write(|tx| {
                        // Nothing changes when the lease expired meanwhile and another deliverer
                        // took the action over: it is theirs now.
                        actions::mark_attempt_failed(
                            tx,
                            id,
                            lease.owner,
                            &msg,
                            retry.then_some(now),
                        )?;
                        audit::append(
                            tx,
                            &audit::NewEntry {
                                at: now,
                                actor: "bosun",
                                action: "action.send",
                                subject: Some(&subject),
                                result: if retry { "retry" } else { "failed" },
                                trace: json!({"attempt": n, "idempotency_key": key, "error": msg, "code": bosun_core::HasCode::code(&e).as_str()}),
                            },
                        )
                    })?;
                    attempts.push(Attempt {
                        attempt: n,
                        result: if retry { "retry" } else { "failed" }.into(),
                        error: Some(msg),
                    });
                    if !retry {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(
                        backoff.saturating_mul(1 << (n - 1).min(6)),
                    ))
                    .await;
                }
            }
        }
        let store = self.store()?;
        Ok(Delivered {
            action: view(store.conn(), get(store.conn(), id)?)?,
            decision: None,
            attempts,
            receipt,
            policy_warning: None,
        })
    }

    /// The ledger's chain, and the ledger against its anchor outside the database.
    pub fn audit_verify(&self) -> Result<audit::Verification> {
        let store = self.store()?;
        Ok(match self.ledger_anchor() {
            Ok(anchor) => audit::verify_anchored(store.conn(), anchor)?,
            Err(why) => audit::Verification {
                anchor_unchecked: Some(why.to_string()),
                ..audit::verify(store.conn())?
            },
        })
    }

    /// The newest audit entries.
    pub fn audit_entries(&self, limit: usize) -> Result<Vec<audit::Entry>> {
        let store = self.store()?;
        Ok(audit::entries(store.conn(), Some(limit))?)
    }
}
