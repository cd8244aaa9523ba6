//! A note: a title, then one section per topic, each a list of statements with the links to the
//! records behind them. Rendered to Markdown (one `##` section per topic) or serialised to JSON for
//! the UI; the same input gives byte-identical output.

use serde::Serialize;

/// A link to a record: its page at the provider, or a `bosun://` deep link that opens it in the
/// app when it has no page (a deployment, a signal, a private note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The text shown.
    pub label: String,
    /// Where it goes.
    pub url: String,
}

impl Link {
    /// A link to a web page.
    pub fn new(label: impl Into<String>, url: impl Into<String>) -> Link {
        Link {
            label: label.into(),
            url: url.into(),
        }
    }

    /// `bosun://<kind>/<id>`.
    pub fn app(label: impl Into<String>, kind: &str, id: impl std::fmt::Display) -> Link {
        Link {
            label: label.into(),
            url: format!("bosun://{kind}/{id}"),
        }
    }
}

/// One statement and the links to the records behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The statement.
    pub text: String,
    /// The records behind it.
    pub links: Vec<Link>,
    /// Details under the statement (reviewers suggested for a PR, the blockers of a person).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Item>,
}

impl Item {
    /// A statement with no links yet.
    pub fn new(text: impl Into<String>) -> Item {
        Item {
            text: text.into(),
            links: Vec::new(),
            details: Vec::new(),
        }
    }

    /// With one more link.
    pub fn link(mut self, link: Link) -> Item {
        self.links.push(link);
        self
    }

    /// With these links too.
    pub fn links(mut self, links: impl IntoIterator<Item = Link>) -> Item {
        self.links.extend(links);
        self
    }

    /// With one more detail under it.
    pub fn detail(mut self, item: Item) -> Item {
        self.details.push(item);
        self
    }
}

/// One topic of a note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// The `##` heading.
    pub heading: String,
    /// One paragraph before the list (a summary line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    /// The statements.
    pub items: Vec<Item>,
    /// What to say when there are no items: a section is never just empty.
    pub when_empty: String,
    /// An SVG chart shown under the heading: (file name when exported, the SVG text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<Chart>,
    /// The manager's own notes: shown to them, never sent to a language model.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub private: bool,
}

/// A chart in a section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    /// Its file name when the note is exported.
    pub file: String,
    /// Its title (the image's alt text).
    pub title: String,
    /// The SVG (not in the JSON).
    #[serde(skip)]
    pub svg: String,
}

impl Section {
    /// An empty section that says `when_empty` until items come.
    pub fn new(heading: impl Into<String>, when_empty: impl Into<String>) -> Section {
        Section {
            heading: heading.into(),
            lead: None,
            items: Vec::new(),
            when_empty: when_empty.into(),
            chart: None,
            private: false,
        }
    }

    /// With a summary line before the list.
    pub fn lead(mut self, lead: impl Into<String>) -> Section {
        self.lead = Some(lead.into());
        self
    }

    /// With one more item.
    pub fn item(mut self, item: Item) -> Section {
        self.items.push(item);
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
/// Which note it is.
pub enum NoteKind {
    /// The standup: what moved, what is stuck.
    Standup,
    /// The pull request triage: the review queue, ranked.
    Triage,
    /// The sprint health report.
    SprintHealth,
    /// The 1:1 prep pack for one person.
    OneOnOne,
    /// The morning brief.
    Brief,
    /// An incident's summary: what happened, when, the likely cause, who is on it.
    IncidentSummary,
}

impl NoteKind {
    /// The name used in file names and the UI: `standup`, `triage`, `sprint-health`, `one-on-one`,
    /// `brief`, `incident-summary`.
    pub fn slug(self) -> &'static str {
        match self {
            NoteKind::Standup => "standup",
            NoteKind::Triage => "triage",
            NoteKind::SprintHealth => "sprint-health",
            NoteKind::OneOnOne => "one-on-one",
            NoteKind::Brief => "brief",
            NoteKind::IncidentSummary => "incident-summary",
        }
    }
}

/// A note: a title, then its sections.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// Which note.
    pub kind: NoteKind,
    /// The `#` title.
    pub title: String,
    /// The line under the title: scope and the time it was written for.
    pub subtitle: String,
    /// Its topics, in order.
    pub sections: Vec<Section>,
}

/// Text from synced records (PR titles, names, ticket summaries) as Markdown that shows it as
/// text: angle brackets are escaped so that no raw HTML (`<script>`, `<img onerror>`) reaches a
/// Markdown viewer.
fn text_md(text: &str) -> String {
    text.replace('<', "\\<").replace('>', "\\>")
}

fn escape(text: &str) -> String {
    // Raw HTML, and what would break a list line or a link label.
    text_md(text)
        .replace('\n', " ")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// A `bosun://<kind>/<id>` deep link as [`Link::app`] makes it.
fn is_app_link(url: &str) -> bool {
    url.strip_prefix("bosun://").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/'))
    })
}

/// `[label](url)` for an http(s) or `bosun://` link; the label alone for anything else.
fn link_md(l: &Link) -> String {
    if bosun_core::is_web_url(&l.url) || is_app_link(&l.url) {
        format!("[{}]({})", escape(&l.label), l.url)
    } else {
        escape(&l.label)
    }
}

fn item_md(out: &mut String, item: &Item, depth: usize) {
    let indent = "  ".repeat(depth);
    out.push_str(&format!("{indent}- {}", escape(&item.text)));
    if !item.links.is_empty() {
        let links: Vec<String> = item.links.iter().map(link_md).collect();
        out.push_str(&format!(" ({})", links.join(", ")));
    }
    out.push('\n');
    for d in &item.details {
        item_md(out, d, depth + 1);
    }
}

fn section_md(out: &mut String, s: &Section) {
    out.push_str(&format!("\n## {}\n\n", text_md(&s.heading)));
    if let Some(c) = &s.chart {
        out.push_str(&format!("![{}]({})\n\n", escape(&c.title), c.file));
    }
    if let Some(lead) = &s.lead {
        out.push_str(&format!("{}\n\n", text_md(lead)));
    }
    if s.items.is_empty() {
        out.push_str(&format!("_{}_\n", text_md(&s.when_empty)));
    }
    for item in &s.items {
        item_md(out, item, 0);
    }
}

impl Note {
    /// Markdown: `# title`, the subtitle, then `## heading` per section with its list.
    pub fn to_markdown(&self) -> String {
        self.markdown(true)
    }

    /// The Markdown without the private sections: what may leave the machine.
    pub fn to_public_markdown(&self) -> String {
        self.markdown(false)
    }

    /// The private sections alone (appended, unchanged, after a polished text).
    pub fn private_markdown(&self) -> String {
        let mut out = String::new();
        for s in self.sections.iter().filter(|s| s.private) {
            section_md(&mut out, s);
        }
        out
    }

    fn markdown(&self, private: bool) -> String {
        let mut out = format!(
            "# {}\n\n{}\n",
            text_md(&self.title),
            text_md(&self.subtitle)
        );
        for s in self.sections.iter().filter(|s| private || !s.private) {
            section_md(&mut out, s);
        }
        out
    }

    /// Every chart of the note (exported next to the Markdown).
    pub fn charts(&self) -> Vec<&Chart> {
        self.sections
            .iter()
            .filter_map(|s| s.chart.as_ref())
            .collect()
    }

    /// Every link in the note (for checking that each resolves to a record).
    pub fn links(&self) -> Vec<&Link> {
        fn walk<'a>(items: &'a [Item], out: &mut Vec<&'a Link>) {
            for i in items {
                out.extend(i.links.iter());
                walk(&i.details, out);
            }
        }
        let mut out = Vec::new();
        for s in &self.sections {
            walk(&s.items, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_has_one_section_per_topic_and_never_an_empty_one() {
        let mut done = Section::new("Done", "Nothing merged or closed.");
        done.items.push(
            Item::new("Merged [WIP] retry budget")
                .link(Link::new(
                    "harbor-gateway#12",
                    "https://github.com/t/harbor-gateway/pull/12",
                ))
                .detail(Item::new("reviewed by Chen Wei").link(Link::app("review", "review", 7))),
        );
        let note = Note {
            kind: NoteKind::Standup,
            title: "Standup — Harbor".into(),
            subtitle: "For Friday 20 November 2026.".into(),
            sections: vec![done, Section::new("Blockers", "No blockers.")],
        };
        assert_eq!(
            note.to_markdown(),
            "# Standup — Harbor\n\nFor Friday 20 November 2026.\n\n## Done\n\n\
             - Merged \\[WIP\\] retry budget ([harbor-gateway#12](https://github.com/t/harbor-gateway/pull/12))\n  \
             - reviewed by Chen Wei ([review](bosun://review/7))\n\n## Blockers\n\n_No blockers._\n"
        );
        assert_eq!(note.links().len(), 2);
    }

    /// Issue 16.8: exported Markdown carried synced text's raw HTML (`<img onerror>` in a PR
    /// title) and any link a payload named (`javascript:`) into Markdown viewers.
    #[test]
    fn markdown_escapes_raw_html_and_drops_non_http_links() {
        let mut s = Section::new("Done <b>now</b>", "None <i>at all</i>.");
        s.items.push(
            Item::new("Merged <img src=x onerror=alert(1)> & <script>alert(2)</script>")
                .link(Link::new("<b>#12</b>", "javascript:alert(3)"))
                .link(Link::new("#13", "https://github.com/t/r/pull/13")),
        );
        let note = Note {
            kind: NoteKind::Standup,
            title: "Standup <script>".into(),
            subtitle: "For <u>Friday</u>.".into(),
            sections: vec![s.lead("Lead <iframe src=x>"), Section::new("Empty", "<hr>")],
        };
        let md = note.to_markdown();
        let raw_tag = md.match_indices('<').any(|(i, _)| !md[..i].ends_with('\\'));
        assert!(!raw_tag, "an unescaped < in {md}");
        assert!(!md.contains("javascript:"), "{md}");
        assert!(
            md.contains("Merged \\<img src=x onerror=alert(1)\\> & \\<script\\>"),
            "{md}"
        );
        assert!(
            md.contains("(\\<b\\>#12\\</b\\>, [#13](https://github.com/t/r/pull/13))"),
            "{md}"
        );
    }
}
