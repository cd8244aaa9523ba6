//! `bosun standup`, `triage`, `sprint-health`, `prep`, `brief` and `notes export`: the notes the
//! app service writes, printed as Markdown or JSON, optionally polished and exported.

use bosun_app::App;
use bosun_app::notes::Polished;
use bosun_notes::Note;
use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Md,
    Json,
}

#[derive(Debug, Args, Clone)]
pub struct Output {
    /// md (Markdown, the default) or json (the same as --json).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Also write the note (Markdown and its SVG charts) into the notes folder.
    #[arg(long)]
    pub export: bool,
    /// Polish the note with the configured language model for this command ([llm] enabled does it always).
    #[arg(long, conflicts_with = "no_polish")]
    pub polish: bool,
    /// Never call a language model for this command.
    #[arg(long)]
    pub no_polish: bool,
}

#[derive(Debug, Args)]
pub struct StandupArgs {
    /// A team key [default: the team you manage].
    #[arg(long)]
    pub team: Option<String>,
    /// The day of the standup (YYYY-MM-DD) [default: today in the team's time zone].
    #[arg(long)]
    pub date: Option<String>,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Debug, Args)]
pub struct TriageArgs {
    /// Only this team's repositories.
    #[arg(long)]
    pub team: Option<String>,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Debug, Args)]
pub struct SprintArgs {
    /// A sprint id or name [default: the running sprint of --team].
    #[arg(long)]
    pub sprint: Option<String>,
    /// A team key [default: the team you manage].
    #[arg(long)]
    pub team: Option<String>,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Debug, Subcommand)]
pub enum PrepCommand {
    /// The 1:1 prep pack for one of your direct reports.
    OneOnOne {
        /// A name, email, person key or any account id or login.
        person: String,
        #[command(flatten)]
        out: Output,
    },
    /// Keep a private note about a person (stored on this machine only, never sent anywhere).
    Note {
        person: String,
        text: String,
        /// Something to follow up on at the next 1:1.
        #[arg(long)]
        follow_up: bool,
    },
    /// Mark a follow-up done.
    Done {
        /// The note's id (shown when it was added, and in the prep pack's links).
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct BriefArgs {
    /// Only if it is due now (a working day, past [notes] brief_at, not raised yet today); raising it records it.
    #[arg(long)]
    pub if_due: bool,
    #[command(flatten)]
    pub out: Output,
}

#[derive(Debug, Subcommand)]
pub enum NotesCommand {
    /// Record time off (standups mark the person out, triage skips them).
    TimeOff {
        person: String,
        /// First day off (YYYY-MM-DD).
        from: String,
        /// Last day off, inclusive [default: the first].
        to: Option<String>,
    },
    /// Draft this week's delivery digest for each team's channel now (it is drafted on its own on
    /// `[notes] digest_day`); drafts wait for `bosun actions approve`.
    Digest,
    /// Write today's notes into the notes folder: the standup, triage, sprint health and brief of
    /// your team, and a 1:1 prep pack per direct report.
    Export {
        /// A team key [default: the team you manage].
        #[arg(long)]
        team: Option<String>,
        /// Polish each note with the configured language model.
        #[arg(long)]
        polish: bool,
    },
}

fn polish(app: &App, note: &Note, out: &Output) -> anyhow::Result<Option<Polished>> {
    if out.no_polish || !(out.polish || app.config.llm.enabled) {
        return Ok(None);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let p = rt.block_on(app.polish(note))?;
    if let Some(why) = &p.fallback {
        eprintln!("note: kept the deterministic note ({why})");
    }
    Ok(Some(p))
}

#[derive(serde::Serialize)]
struct NoteJson<'a, T: serde::Serialize> {
    #[serde(flatten)]
    note: &'a Note,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a T>,
    markdown: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    polish: Option<&'a Polished>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exported: Option<&'a bosun_app::notes::Exported>,
}

/// Print (and export) one note.
fn emit<T: serde::Serialize>(
    app: &App,
    note: &Note,
    data: Option<&T>,
    scope: &str,
    out: &Output,
    json: bool,
) -> anyhow::Result<()> {
    let polished = polish(app, note, out)?;
    let markdown = polished
        .as_ref()
        .map_or_else(|| note.to_markdown(), |p| p.text.clone());
    let exported = if out.export {
        let e = app.export_note(note, scope, &markdown)?;
        eprintln!("Exported {}", e.markdown.display());
        Some(e)
    } else {
        None
    };
    if json || out.format == Some(Format::Json) {
        crate::print_json(&NoteJson {
            note,
            data,
            markdown,
            polish: polished.as_ref(),
            exported: exported.as_ref(),
        })?;
    } else {
        print!("{markdown}");
    }
    Ok(())
}

fn date(s: Option<&str>) -> anyhow::Result<Option<chrono::NaiveDate>> {
    s.map(|d| {
        chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
            bosun_app::AppError::InvalidInput(format!("{d:?}: expected a date, YYYY-MM-DD")).into()
        })
    })
    .transpose()
}

pub fn standup(app: &App, a: StandupArgs, json: bool) -> anyhow::Result<()> {
    let team = app.notes_team(a.team.as_deref())?;
    let note = app.standup(Some(&team), date(a.date.as_deref())?)?;
    emit::<()>(app, &note, None, &team, &a.out, json)
}

pub fn triage(app: &App, a: TriageArgs, json: bool) -> anyhow::Result<()> {
    let (t, note) = app.triage(a.team.as_deref())?;
    if json || a.out.format == Some(Format::Json) {
        // The queue is the document; the note rides along for the UI.
        let exported = if a.out.export {
            Some(app.export_note(&note, a.team.as_deref().unwrap_or(""), &note.to_markdown())?)
        } else {
            None
        };
        return crate::print_json(&serde_json::json!({
            "queue": t.queue,
            "note": note,
            "markdown": note.to_markdown(),
            "exported": exported,
        }));
    }
    emit(
        app,
        &note,
        Some(&t),
        a.team.as_deref().unwrap_or(""),
        &a.out,
        json,
    )
}

pub fn sprint_health(app: &App, a: SprintArgs, json: bool) -> anyhow::Result<()> {
    let (h, note) = app.sprint_report(a.sprint.as_deref(), a.team.as_deref())?;
    let scope = format!("sprint-{}", h.sprint_id);
    emit(app, &note, Some(&h), &scope, &a.out, json)
}

pub fn prep(app: &App, c: PrepCommand, json: bool) -> anyhow::Result<()> {
    match c {
        PrepCommand::OneOnOne { person, out } => {
            let p = app.person(&person)?;
            let note = app.one_on_one(&person)?;
            emit::<()>(app, &note, None, &p.key, &out, json)
        }
        PrepCommand::Note {
            person,
            text,
            follow_up,
        } => {
            let n = app.add_private_note(&person, &text, follow_up)?;
            if json {
                crate::print_json(&n)
            } else {
                println!(
                    "Kept private note {} about {}{} (on this machine only).",
                    n.note.id,
                    n.person_name,
                    if follow_up { " as a follow-up" } else { "" }
                );
                Ok(())
            }
        }
        PrepCommand::Done { id } => {
            let n = app.complete_private_note(id)?;
            if json {
                crate::print_json(&n)
            } else {
                println!("Follow-up {id} about {} is done.", n.person_name);
                Ok(())
            }
        }
    }
}

pub fn brief(app: &App, a: BriefArgs, json: bool) -> anyhow::Result<()> {
    let b = if a.if_due {
        match app.brief_if_due()? {
            Some(b) => b,
            None => {
                if json {
                    crate::print_json(&serde_json::json!({"due": false}))?;
                }
                return Ok(());
            }
        }
    } else {
        app.brief()?
    };
    if !json && a.out.format != Some(Format::Json) {
        eprintln!("{}", b.headline);
    }
    emit(app, &b.note, Some(&b), "", &a.out, json)
}

pub fn notes(app: &App, c: NotesCommand, json: bool) -> anyhow::Result<()> {
    let (team, polish) = match c {
        NotesCommand::Export { team, polish } => (team, polish),
        NotesCommand::Digest => {
            let drafted = app.draft_digests(true)?;
            if json {
                crate::print_json(&drafted)?;
            } else if drafted.is_empty() {
                println!("No team has a chat channel to send a digest to ([[teams]] channels).");
            } else {
                for d in &drafted {
                    match d.action {
                        Some(id) => println!(
                            "Drafted #{id} for #{} (approve with `bosun actions approve {id}`):\n{}\n",
                            d.channel, d.text
                        ),
                        None => println!(
                            "#{}: this week's digest was drafted already (see `bosun actions list`).",
                            d.channel
                        ),
                    }
                }
            }
            return Ok(());
        }
        NotesCommand::TimeOff { person, from, to } => {
            let from_d = date(Some(&from))?.unwrap_or_default();
            let to_d = date(to.as_deref())?.unwrap_or(from_d);
            let p = app.add_time_off(&person, from_d, to_d)?;
            if json {
                crate::print_json(
                    &serde_json::json!({"person": p, "from": from_d.to_string(), "to": to_d.to_string()}),
                )?;
            } else {
                println!("{} is off {from_d} – {to_d}.", p.name);
            }
            return Ok(());
        }
    };
    let team = app.notes_team(team.as_deref())?;
    let out = Output {
        format: None,
        export: true,
        polish,
        no_polish: !polish,
    };
    let mut written = Vec::new();
    let mut put = |note: &Note, scope: &str| -> anyhow::Result<()> {
        let p = self::polish(app, note, &out)?;
        let md = p.map_or_else(|| note.to_markdown(), |p| p.text);
        written.push(app.export_note(note, scope, &md)?);
        Ok(())
    };
    put(&app.standup(Some(&team), None)?, &team)?;
    let (_, t) = app.triage(Some(&team))?;
    put(&t, &team)?;
    match app.sprint_report(None, Some(&team)) {
        Ok((h, n)) => put(&n, &format!("sprint-{}", h.sprint_id))?,
        Err(e) => eprintln!("note: no sprint report ({e})"),
    }
    put(&app.brief()?.note, "")?;
    for p in app.direct_reports()? {
        put(&app.one_on_one(&p.key)?, &p.key)?;
    }
    if json {
        crate::print_json(&serde_json::json!({ "exported": written }))?;
    } else {
        for e in &written {
            println!("{}", e.markdown.display());
            for c in &e.charts {
                println!("{}", c.display());
            }
        }
    }
    Ok(())
}
