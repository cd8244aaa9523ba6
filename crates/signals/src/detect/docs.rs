//! Docs that no longer match the code (global): one `stale_doc` signal per document naming
//! files, variables or make targets its repositories removed or renamed — low, medium when the
//! document is one a new hire follows step by step (a set-up guide, a runbook, a README). Each
//! stale line is evidence with the commit that made it stale; the suggestion is a ticket for
//! the person who made the change, in their team's project, saying what to replace.

use crate::ctx::Ctx;
use crate::input::{StaleDocInput, StaleRefInput};
use crate::model::{ActionKind, Evidence, Kind, Severity, Signal, Subject, Suggestion, Target};
use crate::time::date;

pub fn detect(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    for d in &cx.input.extra.stale_docs {
        if d.refs.is_empty() {
            continue;
        }
        out.push(signal(d));
    }
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(7)]
}

fn what(kind: &str) -> &'static str {
    match kind {
        "env_var" => "variable",
        "make_target" => "make target",
        "endpoint" => "endpoint",
        "config_key" => "configuration key",
        _ => "file",
    }
}

/// What to write instead, in one line.
pub fn fix(r: &StaleRefInput) -> String {
    match &r.renamed_to {
        Some(to) => format!(
            "line {}: replace `{}` with `{to}` (renamed in {} {} “{}”)",
            r.line,
            r.name,
            r.repo,
            short(&r.sha),
            r.summary
        ),
        None => format!(
            "line {}: rewrite the step naming `{}` (the {} was removed in {} {} “{}”)",
            r.line,
            r.name,
            what(&r.kind),
            r.repo,
            short(&r.sha),
            r.summary
        ),
    }
}

/// A document a new hire follows step by step.
fn followed(path: &str) -> bool {
    let p = path.to_lowercase();
    [
        "setup",
        "set-up",
        "onboarding",
        "getting-started",
        "runbook",
        "readme",
        "install",
        "first-week",
    ]
    .iter()
    .any(|w| p.contains(w))
}

fn signal(d: &StaleDocInput) -> Signal {
    let n = d.refs.len();
    let mut s = Signal::new(
        Kind::StaleDoc,
        Subject {
            kind: "document".into(),
            reference: format!("{}/{}", d.folder, d.path),
            title: format!(
                "{} names {n} thing{} the code no longer has",
                d.path,
                if n == 1 { "" } else { "s" }
            ),
            url: None,
        },
        if followed(&d.path) {
            Severity::Medium
        } else {
            Severity::Low
        },
    );
    s.team = d.team.clone();
    s.person = d.owner;
    s.since = d.refs.iter().map(|r| r.at).min();
    let renamed = d.refs.iter().filter(|r| r.renamed_to.is_some()).count();
    s.why = format!(
        "Of the {n} thing{} it names that the code no longer has, {renamed} {} renamed and {} removed (the latest on {}): someone following it now hits a dead end.",
        if n == 1 { "" } else { "s" },
        if renamed == 1 { "was" } else { "were" },
        n - renamed,
        d.refs
            .iter()
            .map(|r| r.at)
            .max()
            .map(date)
            .unwrap_or_default()
    );
    for r in &d.refs {
        s.evidence.push(Evidence::new(
            "doc_line",
            format!("{}:{}", d.path, r.line),
            format!("`{}`", r.name),
        ));
        s.evidence.push(
            Evidence::new(
                "commit",
                format!("{}@{}", r.repo, short(&r.sha)),
                match &r.renamed_to {
                    Some(to) => format!("{} — renamed `{}` to `{to}`", r.summary, r.name),
                    None => format!("{} — removed `{}`", r.summary, r.name),
                },
            )
            .at(Some(r.at)),
        );
    }
    let fixes: Vec<String> = d.refs.iter().map(fix).collect();
    if let Some(project) = &d.project {
        s.suggestion = Some(Suggestion {
            kind: ActionKind::TicketCreate,
            target: Target {
                project: Some(project.clone()),
                title: Some(format!(
                    "Update {}: {n} stale reference{}",
                    d.path,
                    if n == 1 { "" } else { "s" }
                )),
                assignee: d.owner,
                labels: vec!["docs".into(), "stale-doc".into()],
                ..Default::default()
            },
            text: format!(
                "{} (in the docs folder {}) no longer matches the code:\n{}",
                d.path,
                d.folder,
                fixes
                    .iter()
                    .map(|f| format!("- {f}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            summary: format!("A ticket in {project} to update {}", d.path),
        });
    }
    s
}
