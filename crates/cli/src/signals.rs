//! `bosun signals`, `bosun actions list|approve|reject|send` and `bosun audit verify|log`.

use bosun_app::outbox::{ActionView, Delivered};
use bosun_app::{App, AppError};
use bosun_core::model::ActionStatus;
use bosun_core::time::{Ts, rfc3339};
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct SignalsArgs {
    #[command(subcommand)]
    pub command: Option<SignalsCommand>,
    /// Also show resolved signals.
    #[arg(long)]
    pub all: bool,
    /// Only signals of this kind (e.g. review_waiting, ticket_blocked).
    #[arg(long)]
    pub kind: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SignalsCommand {
    /// Acknowledge a signal: it stays until its condition clears, and comes back if it gets worse.
    Ack { id: i64 },
    /// Snooze a signal until a time (RFC 3339 or YYYY-MM-DD).
    Snooze {
        id: i64,
        #[arg(long, value_name = "TIME")]
        until: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ActionsCommand {
    /// Drafts and what happened to approved actions.
    List {
        /// Only actions in this status (draft, approved, sent, failed, rejected, denied, withdrawn).
        #[arg(long)]
        status: Option<String>,
    },
    /// Approve a draft (optionally with your own text) and send it, unless policy defers or denies it.
    Approve {
        id: i64,
        /// Send this text instead of the draft's.
        #[arg(long)]
        body: Option<String>,
    },
    /// Reject a draft: it is never sent.
    Reject {
        id: i64,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Send approved actions that are due (deferred by quiet hours, or interrupted).
    Send,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the ledger's hash chain: any edited, deleted or reordered entry is named.
    Verify,
    /// The newest entries.
    Log {
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

fn time(ts: Option<Ts>) -> String {
    ts.map_or_else(|| "-".into(), rfc3339)
}

fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

pub fn signals(app: &App, a: SignalsArgs, json: bool) -> anyhow::Result<()> {
    match a.command {
        Some(SignalsCommand::Ack { id }) => {
            let s = app.set_signal_status(id, None)?;
            if json {
                print_json(&s)?;
            } else {
                println!("Signal {id} acknowledged: {}", s.title);
            }
            return Ok(());
        }
        Some(SignalsCommand::Snooze { id, until }) => {
            let t = bosun_core::time::parse_user_time(&until).ok_or_else(|| {
                AppError::InvalidInput(format!(
                    "--until {until:?}: expected RFC 3339 or YYYY-MM-DD"
                ))
            })?;
            let s = app.set_signal_status(id, Some(t.timestamp()))?;
            if json {
                print_json(&s)?;
            } else {
                println!(
                    "Signal {id} snoozed until {}: {}",
                    rfc3339(t.timestamp()),
                    s.title
                );
            }
            return Ok(());
        }
        None => {}
    }
    if let Some(k) = &a.kind
        && bosun_app::signals::Kind::parse(k).is_none()
    {
        let kinds: Vec<&str> = bosun_app::signals::Kind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect();
        return Err(
            AppError::InvalidInput(format!("--kind {k:?}: one of {}", kinds.join(", "))).into(),
        );
    }
    let statuses: &[&str] = if a.all {
        &[]
    } else {
        &["open", "acknowledged", "snoozed"]
    };
    let mut view = app.refresh_signals(statuses)?;
    if let Some(k) = &a.kind {
        view.signals.retain(|s| &s.kind == k);
    }
    if let Some(w) = &view.policy_warning {
        eprintln!("warning: {w}");
    }
    if json {
        return print_json(&view);
    }
    let drafts = app.actions(&[ActionStatus::Draft])?;
    let draft_of = |signal: i64| {
        drafts
            .actions
            .iter()
            .find(|d| d.row.signal_id == Some(signal))
            .map(|d| d.row.id)
    };
    if view.signals.is_empty() {
        println!("No open signals as of {}.", view.as_of);
        return Ok(());
    }
    let mut kinds: Vec<&str> = view.signals.iter().map(|s| s.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    println!(
        "{} signals of {} kinds as of {} ({} new, {} resolved since the last look).",
        view.signals.len(),
        kinds.len(),
        view.as_of,
        view.applied.new + view.applied.reopened,
        view.applied.resolved
    );
    for s in &view.signals {
        let status = if s.status == "open" {
            String::new()
        } else {
            format!(" [{}]", s.status)
        };
        println!();
        println!(
            "#{:<4} {:<6} {:<26} {}{}",
            s.id,
            s.severity.to_uppercase(),
            s.kind,
            s.title,
            status
        );
        println!("      why: {}", s.why);
        for e in s.evidence.as_array().into_iter().flatten() {
            let url = e["url"]
                .as_str()
                .map(|u| format!("  {u}"))
                .unwrap_or_default();
            println!(
                "      - {} {}: {}{}",
                e["kind"].as_str().unwrap_or(""),
                e["ref"].as_str().unwrap_or(""),
                e["title"].as_str().unwrap_or(""),
                url
            );
        }
        if let Some(sug) = &s.suggestion {
            let draft = draft_of(s.id)
                .map(|d| format!(" (draft {d}: `bosun actions approve {d}`)"))
                .unwrap_or_default();
            println!(
                "      suggested: {}{draft}",
                sug["summary"].as_str().unwrap_or("")
            );
        }
    }
    let fired = &view.alerts;
    if !fired.is_empty() {
        println!();
        println!("Alerts today:");
        for a in fired {
            let state = if a.delivered {
                "notified".to_string()
            } else {
                format!(
                    "not notified ({})",
                    a.suppressed_reason.as_deref().unwrap_or("?")
                )
            };
            println!("  {:<10} {} — {} [{state}]", a.kind, a.title, a.reason);
        }
    }
    Ok(())
}

fn action_line(a: &ActionView) {
    let when = match a.row.status {
        ActionStatus::Sent => format!(" sent {}", time(a.row.sent_at)),
        ActionStatus::Approved if a.row.not_before.is_some() => {
            format!(" not before {}", time(a.row.not_before))
        }
        _ => String::new(),
    };
    println!(
        "#{:<4} {:<9} {:<17} {:<7} {}{when}",
        a.row.id, a.row.status, a.row.kind, a.provider, a.row.summary
    );
    if let Some(e) = &a.row.last_error
        && a.row.status != ActionStatus::Sent
    {
        println!("      {e}");
    }
}

fn print_delivered(d: &Delivered) {
    let a = &d.action;
    match a.row.status {
        ActionStatus::Sent => {
            let r = d.receipt.as_ref();
            let already = d.attempts.iter().any(|x| x.result == "already_delivered");
            println!(
                "Action {} sent through {} ({}){}: {}",
                a.row.id,
                a.provider,
                r.map(|r| r.id.as_str()).unwrap_or("-"),
                if already {
                    " — it had already landed; not sent twice"
                } else {
                    ""
                },
                a.row.summary
            );
            if let Some(u) = r.and_then(|r| r.url.as_deref()) {
                println!("  {u}");
            }
        }
        ActionStatus::Approved => println!(
            "Action {} approved; policy defers it until {}: {}",
            a.row.id,
            time(a.row.not_before),
            d.decision
                .as_ref()
                .map(|x| x.defer.join("; "))
                .unwrap_or_default()
        ),
        other => println!("Action {} is {other}: {}", a.row.id, a.row.summary),
    }
    for x in &d.attempts {
        if let Some(e) = &x.error {
            println!("  attempt {}: {} ({e})", x.attempt, x.result);
        }
    }
}

pub fn actions(app: &App, c: ActionsCommand, json: bool) -> anyhow::Result<()> {
    let rt = crate::runtime()?;
    match c {
        ActionsCommand::List { status } => {
            let statuses = status
                .iter()
                .map(|s| {
                    ActionStatus::parse(s).ok_or_else(|| {
                        let all: Vec<&str> = ActionStatus::ALL.iter().map(|a| a.as_str()).collect();
                        anyhow::anyhow!("no action status {s:?}: one of {}", all.join(", "))
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let view = app.actions(&statuses)?;
            if json {
                return print_json(&view);
            }
            if view.actions.is_empty() {
                println!("No actions. `bosun signals` drafts them from what it finds.");
            }
            for a in &view.actions {
                action_line(a);
            }
        }
        ActionsCommand::Approve { id, body } => {
            let d = rt.block_on(app.approve_action(id, body.as_deref()))?;
            if let Some(w) = &d.policy_warning {
                eprintln!("warning: {w}");
            }
            if json {
                print_json(&d)?;
            } else {
                print_delivered(&d);
            }
            match d.action.row.status {
                ActionStatus::Denied => {
                    return Err(AppError::PolicyDenied {
                        action: id,
                        explain: d.decision.as_ref().map(|x| x.explain()).unwrap_or_default(),
                    }
                    .into());
                }
                ActionStatus::Failed => {
                    return Err(AppError::SendFailed {
                        action: id,
                        error: d.action.row.last_error.clone().unwrap_or_default(),
                    }
                    .into());
                }
                _ => {}
            }
        }
        ActionsCommand::Reject { id, reason } => {
            let a = app.reject_action(id, reason.as_deref())?;
            if json {
                print_json(&a)?;
            } else {
                println!("Action {id} rejected: {}", a.row.summary);
            }
        }
        ActionsCommand::Send => {
            let sent = rt.block_on(app.send_due())?;
            if json {
                print_json(&serde_json::json!({ "delivered": sent }))?;
            } else if sent.is_empty() {
                println!("Nothing is due.");
            } else {
                for d in &sent {
                    print_delivered(d);
                }
            }
        }
    }
    Ok(())
}

pub fn audit(app: &App, c: AuditCommand, json: bool) -> anyhow::Result<()> {
    match c {
        AuditCommand::Verify => {
            let v = app.audit_verify()?;
            if json {
                print_json(&v)?;
            } else if v.ok {
                println!(
                    "The audit ledger is intact: {} entries, head {}.",
                    v.entries,
                    v.head.as_deref().unwrap_or("(empty)")
                );
                match (&v.anchor, &v.anchor_unchecked) {
                    (Some(a), _) => println!(
                        "It agrees with its anchor outside the database ({}, entry {}, {}).",
                        a.path,
                        a.seq,
                        a.key.describe()
                    ),
                    (None, Some(why)) => println!("It was not checked against its anchor: {why}."),
                    (None, None) => {}
                }
            } else {
                for p in &v.problems {
                    println!("entry {}: {} — {}", p.seq, p.kind.as_str(), p.message);
                }
            }
            if !v.ok {
                let first = &v.problems[0];
                return Err(AppError::AuditTampered {
                    problems: v.problems.len(),
                    first_seq: first.seq,
                    first: first.message.clone(),
                }
                .into());
            }
        }
        AuditCommand::Log { limit } => {
            let entries = app.audit_entries(limit)?;
            if json {
                return print_json(&serde_json::json!({ "entries": entries }));
            }
            for e in entries.iter().rev() {
                println!(
                    "{:>5} {} {:<20} {:<16} {:<14} {}",
                    e.seq,
                    rfc3339(e.at),
                    e.actor,
                    e.action,
                    e.result,
                    e.subject.as_deref().unwrap_or("")
                );
            }
        }
    }
    Ok(())
}
