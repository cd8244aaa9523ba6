//! Docs that no longer match the code (global): one `stale_doc` signal per document naming
//! files, variables, make targets, endpoints, configuration keys or script options its
//! repositories removed or renamed, or services the incident tool renamed or deleted — low, medium when the
//! document is one a new hire follows step by step (a set-up guide, a runbook, a README). Each
//! stale line is evidence with the commit that made it stale; the suggestion is a ticket for
//! the person who made the change, in their team's project, saying what to replace.

use crate::ctx::Ctx;
use crate::input::{StaleDocInput, StaleKind, StaleRefInput};
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

/// Where the change was made, in words: `lighthouse-mobile 3226bca “…”`, or the service's
/// incident tool.
fn change_words(r: &StaleRefInput) -> String {
    match r.kind {
        StaleKind::Service => format!("{} (Bosun saw it on {})", r.repo, date(r.at)),
        _ => format!("{} {} “{}”", r.repo, short(&r.sha), r.summary),
    }
}

/// What to write instead, in one line.
pub fn fix(r: &StaleRefInput) -> String {
    match (r.kind, &r.of) {
        (StaleKind::ScriptOption, Some(script)) => {
            return match &r.renamed_to {
                Some(to) => format!(
                    "line {}: `{script}` takes `{to}` instead of `{}` (changed in {})",
                    r.line,
                    r.name,
                    change_words(r)
                ),
                None => format!(
                    "line {}: `{script}` no longer takes `{}` (removed in {})",
                    r.line,
                    r.name,
                    change_words(r)
                ),
            };
        }
        (StaleKind::Service, _) => {
            return match &r.renamed_to {
                Some(to) => format!(
                    "line {}: the service `{}` is now `{to}` (renamed in {})",
                    r.line,
                    r.name,
                    change_words(r)
                ),
                None => format!(
                    "line {}: the service `{}` no longer exists (deleted in {})",
                    r.line,
                    r.name,
                    change_words(r)
                ),
            };
        }
        _ => {}
    }
    match &r.renamed_to {
        Some(to) => format!(
            "line {}: replace `{}` with `{to}` (renamed in {})",
            r.line,
            r.name,
            change_words(r)
        ),
        None => format!(
            "line {}: rewrite the step naming `{}` (the {} was removed in {})",
            r.line,
            r.name,
            r.kind.words(),
            change_words(r)
        ),
    }
}

/// A document a new hire follows step by step.
/// `, 2 of them after the document was last edited on 2026-10-01` when its edit date is known
/// and some changes came after it.
fn after_edit(d: &StaleDocInput) -> String {
    let Some(edited) = d.edited else {
        return String::new();
    };
    let after = d.refs.iter().filter(|r| r.at > edited).count();
    match after {
        0 => String::new(),
        n if n == d.refs.len() => format!(
            ", all after the document was last edited on {}",
            date(edited)
        ),
        n => format!(
            ", {n} of them after the document was last edited on {}",
            date(edited)
        ),
    }
}

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
        "Of the {n} thing{} it names that the code no longer has, {renamed} {} renamed and {} removed (the latest on {}){}: someone following it now hits a dead end.",
        if n == 1 { "" } else { "s" },
        if renamed == 1 { "was" } else { "were" },
        n - renamed,
        d.refs
            .iter()
            .map(|r| r.at)
            .max()
            .map(date)
            .unwrap_or_default(),
        after_edit(d)
    );
    for r in &d.refs {
        let named = match &r.of {
            Some(script) => format!("`{script} {}`", r.name),
            None => format!("`{}`", r.name),
        };
        s.evidence.push(Evidence::new(
            "doc_line",
            format!("{}:{}", d.path, r.line),
            named,
        ));
        let change = match r.kind {
            StaleKind::Service => Evidence::new(
                "service",
                format!("{}:{}", r.repo.to_lowercase(), r.sha),
                match &r.renamed_to {
                    Some(to) => format!("renamed `{}` to `{to}` in {}", r.name, r.repo),
                    None => format!("`{}` deleted in {}", r.name, r.repo),
                },
            ),
            _ => Evidence::new(
                "commit",
                format!("{}@{}", r.repo, short(&r.sha)),
                match (&r.renamed_to, &r.of) {
                    (Some(to), Some(script)) => format!(
                        "{} — renamed `{script} {}` to `{script} {to}`",
                        r.summary, r.name
                    ),
                    (None, Some(script)) => {
                        format!("{} — removed `{script} {}`", r.summary, r.name)
                    }
                    (Some(to), None) => format!("{} — renamed `{}` to `{to}`", r.summary, r.name),
                    (None, None) => format!("{} — removed `{}`", r.summary, r.name),
                },
            ),
        };
        s.evidence.push(change.at(Some(r.at)));
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
