//! Meeting notes built from the store (standup, sprint report, 1:1 prep, triage, the brief),
//! each line with links to its evidence.

use crate::error::{ApiError, Result};
use crate::state::Api;
use bosun_notes::{Item, Note};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct NoteArgs {
    /// standup, sprint_report, one_on_one, triage or brief.
    pub kind: String,
    /// A team key or name (standup, sprint report, triage) [default: mine].
    pub team: Option<String>,
    /// A person key, name or email (1:1 prep).
    pub person: Option<String>,
    /// A sprint id or name (sprint report) [default: the running one].
    pub sprint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct NoteLink {
    pub label: String,
    /// A web link, or `bosun://<kind>/<id>` for a record inside Bosun.
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct NoteItem {
    pub text: String,
    pub links: Vec<NoteLink>,
    pub details: Vec<NoteItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct NoteSection {
    pub heading: String,
    pub lead: Option<String>,
    pub items: Vec<NoteItem>,
    pub when_empty: String,
    pub chart_svg: Option<String>,
    /// The manager's own notes: shown to them, never sent to a language model.
    pub private: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct NoteView {
    pub kind: String,
    pub title: String,
    pub subtitle: String,
    pub sections: Vec<NoteSection>,
    /// The same note as Markdown, to copy or export.
    pub markdown: String,
    /// The note as a standalone HTML page for people outside Bosun (private sections left out).
    pub html: String,
}

fn item(i: &Item) -> NoteItem {
    NoteItem {
        text: i.text.clone(),
        links: i
            .links
            .iter()
            .map(|l| NoteLink {
                label: l.label.clone(),
                url: l.url.clone(),
            })
            .collect(),
        details: i.details.iter().map(item).collect(),
    }
}

fn view(n: &Note) -> NoteView {
    NoteView {
        kind: n.kind.slug().to_string(),
        title: n.title.clone(),
        subtitle: n.subtitle.clone(),
        sections: n
            .sections
            .iter()
            .map(|s| NoteSection {
                heading: s.heading.clone(),
                lead: s.lead.clone(),
                items: s.items.iter().map(item).collect(),
                when_empty: s.when_empty.clone(),
                chart_svg: s.chart.as_ref().map(|c| c.svg.clone()),
                private: s.private,
            })
            .collect(),
        markdown: n.to_markdown(),
        html: n.to_html(),
    }
}

pub fn note(api: &Api, args: NoteArgs) -> Result<NoteView> {
    api.ready()?;
    let app = api.app();
    let team = args.team.as_deref().filter(|t| !t.is_empty());
    let note = match args.kind.as_str() {
        "standup" => app.standup(team, None)?,
        "sprint_report" => {
            app.sprint_report(args.sprint.as_deref().filter(|s| !s.is_empty()), team)?
                .1
        }
        "triage" => app.triage(team)?.1,
        "one_on_one" => {
            let person = args
                .person
                .as_deref()
                .filter(|p| !p.is_empty())
                .ok_or_else(|| ApiError::invalid("1:1 prep for whom? Give a person"))?;
            app.one_on_one(person)?
        }
        "brief" => app.brief()?.note,
        other => {
            return Err(ApiError::invalid(format!(
                "no note kind {other:?}: standup, sprint_report, one_on_one, triage or brief"
            )));
        }
    };
    Ok(view(&note))
}

// ---------------------------------------------------------------------------------------------
// Private notes and follow-ups (kept on this machine only, never sent anywhere)

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct AddPrivateNoteArgs {
    /// A name, email, person key or any account id or login.
    pub person: String,
    pub text: String,
    /// Something to follow up on at the next 1:1.
    pub follow_up: bool,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(default)]
pub struct PrivateNoteId {
    #[ts(type = "number")]
    pub id: i64,
}

/// A private note about a person.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PrivateNoteRow {
    #[ts(type = "number")]
    pub id: i64,
    pub person: String,
    pub text: String,
    pub follow_up: bool,
    pub created_at: String,
    pub done_at: Option<String>,
}

fn private_row(v: bosun_app::notes::PrivateNoteView) -> PrivateNoteRow {
    PrivateNoteRow {
        id: v.note.id,
        person: v.person_name,
        text: v.note.body,
        follow_up: v.note.follow_up,
        created_at: super::common::time(v.note.created_at),
        done_at: super::common::opt_time(v.note.done_at),
    }
}

/// Keep a private note (or a follow-up for the next 1:1) about a person.
pub fn add_private_note(api: &Api, args: AddPrivateNoteArgs) -> Result<PrivateNoteRow> {
    api.ready()?;
    let v = api
        .app()
        .add_private_note(&args.person, &args.text, args.follow_up)?;
    Ok(private_row(v))
}

/// Mark a follow-up done.
pub fn complete_private_note(api: &Api, args: PrivateNoteId) -> Result<PrivateNoteRow> {
    api.ready()?;
    Ok(private_row(api.app().complete_private_note(args.id)?))
}
