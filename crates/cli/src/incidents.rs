//! `bosun incident [ID]`: the incidents, or one incident whole (timeline, suspect changes,
//! responders, runbook passages, status update drafts).

use bosun_app::App;
use bosun_app::incidents::{IncidentFilter, IncidentSummary, IncidentView, OnCallWhen, duration};

#[derive(Debug, clap::Args)]
pub struct IncidentArgs {
    /// The incident: its PagerDuty id or number. Without it, the list.
    pub id: Option<String>,
    /// Only the incidents of this team's services.
    #[arg(long)]
    pub team: Option<String>,
    /// Only the incidents of this service (its key).
    #[arg(long)]
    pub service: Option<String>,
    /// Only the ones not resolved.
    #[arg(long)]
    pub open: bool,
    /// Incident metrics per service (or per team with --by team) over --days, against the
    /// window before.
    #[arg(long, conflicts_with = "id")]
    pub metrics: bool,
    /// With --metrics: `service` or `team`.
    #[arg(long, default_value = "service", value_parser = ["service", "team"], requires = "metrics")]
    pub by: String,
    /// With --metrics: the window's length in days, ending now.
    #[arg(long, default_value_t = bosun_app::incident_metrics::DEFAULT_DAYS, requires = "metrics")]
    pub days: i64,
    /// Draft the status updates due for open incidents (every `[incidents] update_every_minutes`
    /// from the start; drafts only, approved with `bosun actions approve ID`).
    #[arg(long, conflicts_with_all = ["id", "metrics"])]
    pub draft_updates: bool,
    /// The incident's postmortem draft (Markdown) instead of its view.
    #[arg(long, requires = "id")]
    pub postmortem: bool,
    /// With --postmortem: also write it to the notes folder.
    #[arg(long, requires = "postmortem")]
    pub export: bool,
    /// With --postmortem: keep its follow-ups as their owners' private 1:1 follow-ups (once).
    #[arg(long, requires = "postmortem")]
    pub keep_follow_ups: bool,
    /// With --postmortem: draft its follow-ups as Jira tickets, created once each when approved
    /// (`bosun actions approve ID`).
    #[arg(long, requires = "postmortem")]
    pub draft_tickets: bool,
    /// The incident's summary as a note (what happened, the pager's timeline, the likely cause,
    /// who is on it, follow-ups), every line linked to its record.
    #[arg(long, requires = "id", conflicts_with = "postmortem")]
    pub summary: bool,
    /// With --summary: rewrite it in prose with the configured language model (redacted for the
    /// privacy tier, within the daily token budget, audited; the deterministic summary is kept
    /// when the call fails or the answer drops or adds a link). `[llm] enabled` does it always.
    #[arg(long, requires = "summary", conflicts_with = "no_polish")]
    pub polish: bool,
    /// With --summary: never call a language model.
    #[arg(long, requires = "summary")]
    pub no_polish: bool,
}

fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    let out = serde_json::to_string_pretty(v)?;
    #[allow(clippy::print_stdout)]
    {
        println!("{out}");
    }
    Ok(())
}

pub fn incident(app: &App, a: IncidentArgs, json: bool) -> anyhow::Result<()> {
    if a.draft_updates {
        let drafted = app.draft_status_updates()?;
        if json {
            return print_json(&serde_json::json!({ "drafted": drafted }));
        }
        #[allow(clippy::print_stdout)]
        {
            if drafted.is_empty() {
                println!("No status update due.");
            }
            for d in &drafted {
                println!(
                    "Drafted a status update on {} for #{} as action {}: {}",
                    d.incident, d.channel, d.action, d.text
                );
            }
        }
        return Ok(());
    }
    if a.metrics {
        let m = app.incident_metrics(a.days, a.by == "team")?;
        if json {
            return print_json(&m);
        }
        print_metrics(&m);
        return Ok(());
    }
    match &a.id {
        Some(id) if a.postmortem => postmortem(app, id, &a, json),
        Some(id) if a.summary => {
            let polish = !a.no_polish && (a.polish || app.config.llm.enabled);
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let s = rt.block_on(app.incident_summary(id, polish))?;
            if let Some(why) = &s.fallback {
                eprintln!("note: kept the deterministic summary ({why})");
            }
            if json {
                print_json(&s)
            } else {
                #[allow(clippy::print_stdout)]
                {
                    print!("{}", s.markdown);
                }
                Ok(())
            }
        }
        Some(id) => {
            let view = app.incident(id)?;
            if json {
                print_json(&view)
            } else {
                print_view(&view);
                Ok(())
            }
        }
        None => {
            let list = app.incidents(&IncidentFilter {
                team: a.team,
                service: a.service,
                open: a.open,
            })?;
            if json {
                print_json(&serde_json::json!({ "incidents": list }))
            } else {
                print_list(&list);
                Ok(())
            }
        }
    }
}

fn postmortem(app: &App, id: &str, a: &IncidentArgs, json: bool) -> anyhow::Result<()> {
    let pm = app.postmortem(id, a.export)?;
    let kept = if a.keep_follow_ups {
        Some(app.keep_follow_ups(id)?)
    } else {
        None
    };
    let tickets = if a.draft_tickets {
        Some(app.draft_follow_up_tickets(id)?)
    } else {
        None
    };
    if json {
        return print_json(
            &serde_json::json!({ "postmortem": pm, "kept": kept, "tickets": tickets }),
        );
    }
    #[allow(clippy::print_stdout)]
    {
        print!("{}", pm.markdown);
        if let Some(p) = &pm.exported {
            println!("\nWritten to {p}");
        }
        if let Some(k) = kept {
            for f in &k.added {
                println!("Kept for {}'s next 1:1: {}", f.owner, f.text);
            }
            if k.already > 0 {
                println!("{} follow-up(s) already kept.", k.already);
            }
            if k.unowned > 0 {
                println!("{} follow-up(s) without an owner not kept.", k.unowned);
            }
        }
        if let Some(t) = tickets {
            for id in &t.drafted {
                println!(
                    "Drafted a Jira ticket in {} as action {id}: approve it with `bosun actions approve {id}`",
                    t.project
                );
            }
            if t.already > 0 {
                println!("{} ticket(s) drafted before.", t.already);
            }
        }
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_metrics(m: &bosun_app::incident_metrics::IncidentMetricsView) {
    println!(
        "Incidents by {} from {} to {} (against the window before):",
        m.by, m.from, m.to
    );
    if m.groups.is_empty() {
        println!("  none");
    }
    let secs = |s: Option<f64>| minutes(s.map(|v| v as i64));
    for g in &m.groups {
        println!(
            "  {:<20} {:>3} (before {:>3})  ack median {} p90 {} (n={})  resolve median {} p90 {} (n={})  linked to a deployment {}/{}  repeats {}",
            g.key,
            g.count,
            g.previous,
            secs(g.acknowledge_median_secs),
            secs(g.acknowledge_p90_secs),
            g.acknowledged,
            secs(g.resolve_median_secs),
            secs(g.resolve_p90_secs),
            g.resolved,
            g.linked_to_deployment,
            g.count,
            g.repeats
        );
        if !g.repeated_titles.is_empty() {
            println!("      repeated: {}", g.repeated_titles.join("; "));
        }
    }
}

fn minutes(secs: Option<i64>) -> String {
    secs.map_or_else(|| "—".into(), |s| duration(s / 60))
}

#[allow(clippy::print_stdout)]
fn print_list(list: &[IncidentSummary]) {
    if list.is_empty() {
        println!("No incidents.");
        return;
    }
    println!(
        "{} incident{}, newest first:",
        list.len(),
        if list.len() == 1 { "" } else { "s" }
    );
    for i in list {
        println!(
            "  {:<10} {:<12} {:<20} {}  ack {}  resolve {}  {}",
            i.id,
            i.status,
            i.service.as_deref().unwrap_or("—"),
            &i.started_at[..16.min(i.started_at.len())],
            minutes(i.time_to_acknowledge_secs),
            minutes(i.time_to_resolve_secs),
            i.title
        );
    }
}

#[allow(clippy::print_stdout)]
fn print_view(v: &IncidentView) {
    let i = &v.incident;
    println!("Incident {} — {}", i.id, i.title);
    println!(
        "  {} · service {} · team {} · started {} · acknowledged after {} · resolved after {}",
        i.status,
        i.service_name
            .as_deref()
            .or(i.service.as_deref())
            .unwrap_or("—"),
        i.team.as_deref().unwrap_or("—"),
        i.started_at,
        minutes(i.time_to_acknowledge_secs),
        minutes(i.time_to_resolve_secs)
    );
    if let Some(url) = &i.url {
        println!("  {url}");
    }
    println!("\nSuspect changes (most likely first):");
    if v.suspects.is_empty() {
        println!("  none: no production deployment of the service's repositories before it");
    }
    for (n, s) in v.suspects.iter().enumerate() {
        println!(
            "  {}. {} {} at {} — score {:.1}",
            n + 1,
            s.repo,
            &s.sha[..7.min(s.sha.len())],
            s.at,
            s.score
        );
        for r in &s.reasons {
            println!("       · {r}");
        }
        for p in &s.prs {
            println!("       {}#{} {}", p.repo, p.number, p.title);
        }
    }
    if let Some(r) = &v.rollback_to {
        println!(
            "  Roll back to deployment {r} (the last one before the first suspect that nothing judged failed)."
        );
    }
    println!(
        "\nResponders: {}",
        if v.responders.is_empty() {
            "none yet".into()
        } else {
            v.responders.join(", ")
        }
    );
    println!("On call:");
    if let Some(note) = &v.oncall_note {
        println!("  {note}");
    }
    for o in &v.oncall {
        let when = match o.when {
            OnCallWhen::Now => format!(
                "now, until {}",
                o.end.as_deref().unwrap_or("further notice")
            ),
            OnCallWhen::Next => format!("next, from {}", o.start.as_deref().unwrap_or("—")),
        };
        println!(
            "  level {} {} ({when}{})",
            o.level,
            o.name,
            o.schedule
                .as_deref()
                .map(|s| format!("; {s}"))
                .unwrap_or_default()
        );
    }
    if !v.experts.is_empty() {
        println!("\nExperts on the service:");
        for e in &v.experts {
            println!("  {}: {}", e.name, e.reasons.join("; "));
        }
    }
    println!("\nTimeline:");
    for e in &v.timeline {
        println!(
            "  {}  {:<11} {}",
            e.at,
            format!("{:?}", e.kind).to_lowercase(),
            e.text
        );
    }
    println!("\nRunbook:");
    match &v.runbook_note {
        Some(note) if v.runbook.is_empty() => println!("  {note}"),
        _ => {
            for p in &v.runbook {
                println!(
                    "  {}:{}-{}  {}",
                    p.file, p.start_line, p.end_line, p.heading
                );
            }
        }
    }
    for d in &v.drafts {
        println!(
            "\nDraft ({}, for the {}):\n  {}",
            d.kind, d.audience, d.text
        );
    }
}
