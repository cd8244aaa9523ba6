//! A note as a Slack message (Block Kit): a header with the title, the subtitle as context, then
//! one `mrkdwn` section per topic — its lead, its statements as bullets with their links, details
//! indented under them. Only public sections: a private one never leaves the machine. Links Slack
//! cannot open (`bosun://`) keep their label without the link; text from synced records is
//! escaped (`&`, `<`, `>`) so it cannot mention `@channel` or forge a link.

use crate::note::{Item, Note, Section};
use serde::Serialize;

/// Slack's limit for a `mrkdwn` section's text.
const SECTION_CHARS: usize = 3000;
/// Slack's limit for a header's text.
const HEADER_CHARS: usize = 150;
/// Slack's limit on blocks in one message.
const MAX_BLOCKS: usize = 50;

/// A text object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum Text {
    /// Shown as it is.
    #[serde(rename = "plain_text")]
    Plain {
        /// The text.
        text: String,
    },
    /// Slack's markup (`*bold*`, `<url|label>`).
    #[serde(rename = "mrkdwn")]
    Mrkdwn {
        /// The text.
        text: String,
    },
}

/// One Block Kit block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A large title.
    Header {
        /// Plain text only.
        text: Text,
    },
    /// A paragraph.
    Section {
        /// Its text.
        text: Text,
    },
    /// Small grey text.
    Context {
        /// Its texts.
        elements: Vec<Text>,
    },
    /// A rule.
    Divider,
}

/// A Slack message: `text` is what notifications and screen readers show, `blocks` the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// The fallback text.
    pub text: String,
    /// The blocks.
    pub blocks: Vec<Block>,
}

/// Escape text for `mrkdwn` (Slack's three control characters).
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `text` cut to at most `max` characters, an ellipsis marking the cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn links(item: &Item) -> String {
    let shown: Vec<String> = item
        .links
        .iter()
        .map(|l| {
            let label = escape(&l.label).replace('|', "¦");
            if l.url.starts_with("https://") || l.url.starts_with("http://") {
                format!(
                    "<{}|{label}>",
                    l.url.replace('>', "%3E").replace('|', "%7C")
                )
            } else {
                label
            }
        })
        .collect();
    if shown.is_empty() {
        String::new()
    } else {
        format!(" ({})", shown.join(", "))
    }
}

fn item_lines(item: &Item, depth: usize, out: &mut Vec<String>) {
    let bullet = if depth == 0 { "•" } else { "◦" };
    out.push(format!(
        "{}{bullet} {}{}",
        "    ".repeat(depth),
        escape(&item.text.replace('\n', " ")),
        links(item)
    ));
    for d in &item.details {
        item_lines(d, depth + 1, out);
    }
}

/// A section's blocks: its heading and lead, then its lines, split where a block would pass
/// Slack's limit.
fn section_blocks(s: &Section) -> Vec<Block> {
    let mut lines = vec![format!("*{}*", escape(&s.heading))];
    if let Some(lead) = &s.lead {
        lines.push(escape(lead));
    }
    if s.items.is_empty() {
        lines.push(format!("_{}_", escape(&s.when_empty)));
    }
    for i in &s.items {
        item_lines(i, 0, &mut lines);
    }
    let mut blocks = Vec::new();
    let mut text = String::new();
    for line in lines {
        let line = cut(&line, SECTION_CHARS);
        if !text.is_empty() && text.chars().count() + 1 + line.chars().count() > SECTION_CHARS {
            blocks.push(Block::Section {
                text: Text::Mrkdwn {
                    text: std::mem::take(&mut text),
                },
            });
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&line);
    }
    if !text.is_empty() {
        blocks.push(Block::Section {
            text: Text::Mrkdwn { text },
        });
    }
    blocks
}

/// `note` as a Slack message (public sections only), within Slack's 50 blocks: what does not fit
/// is counted in a last line that says where to read it all.
pub fn message(note: &Note) -> Message {
    let mut blocks = vec![
        Block::Header {
            text: Text::Plain {
                text: cut(&note.title, HEADER_CHARS),
            },
        },
        Block::Context {
            elements: vec![Text::Mrkdwn {
                text: escape(&note.subtitle),
            }],
        },
    ];
    let body: Vec<Block> = note
        .sections
        .iter()
        .filter(|s| !s.private)
        .flat_map(section_blocks)
        .collect();
    let room = MAX_BLOCKS - blocks.len() - 1;
    let left = body.len().saturating_sub(room);
    blocks.extend(body.into_iter().take(room));
    if left > 0 {
        blocks.push(Block::Context {
            elements: vec![Text::Mrkdwn {
                text: format!("… {left} more part(s): open Bosun for the whole note."),
            }],
        });
    }
    Message {
        text: format!("{} — {}", note.title, note.subtitle),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{Link, NoteKind};

    #[test]
    fn a_note_is_a_header_its_subtitle_and_one_escaped_section_per_public_topic() {
        let mut done = Section::new("Done", "Nothing merged.");
        done.items.push(
            Item::new("Merged <b>retry</b> & backoff <!channel>")
                .link(Link::new(
                    "harbor#12",
                    "https://github.com/t/harbor/pull/12",
                ))
                .link(Link::app("review", "review", 7))
                .detail(Item::new("reviewed by Chen")),
        );
        let mut private = Section::new("My notes", "None.");
        private.private = true;
        private.items.push(Item::new("ask about the move"));
        let note = Note {
            kind: NoteKind::Standup,
            title: "Standup — Harbor".into(),
            subtitle: "For Friday 20 November 2026.".into(),
            sections: vec![done, Section::new("Blockers", "No blockers."), private],
        };
        let m = message(&note);
        assert_eq!(m.blocks.len(), 4, "{m:?}");
        assert_eq!(
            m.blocks[2],
            Block::Section {
                text: Text::Mrkdwn {
                    text: "*Done*\n• Merged &lt;b&gt;retry&lt;/b&gt; &amp; backoff &lt;!channel&gt; \
                           (<https://github.com/t/harbor/pull/12|harbor#12>, review)\n    ◦ reviewed by Chen"
                        .into()
                }
            }
        );
        assert_eq!(
            m.blocks[3],
            Block::Section {
                text: Text::Mrkdwn {
                    text: "*Blockers*\n_No blockers._".into()
                }
            }
        );
        assert!(!format!("{m:?}").contains("ask about the move"));
    }

    #[test]
    fn a_long_note_stays_within_slacks_limits_and_says_what_was_left_out() {
        let mut big = Section::new("Queue", "Empty.");
        for n in 0..5_000 {
            big.items.push(Item::new(format!(
                "pull request number {n} waits for a review"
            )));
        }
        let note = Note {
            kind: NoteKind::Triage,
            title: "T".repeat(400),
            subtitle: "s".into(),
            sections: vec![big],
        };
        let m = message(&note);
        assert_eq!(m.blocks.len(), 50);
        for b in &m.blocks {
            match b {
                Block::Header {
                    text: Text::Plain { text },
                } => {
                    assert_eq!(text.chars().count(), 150)
                }
                Block::Section {
                    text: Text::Mrkdwn { text },
                } => {
                    assert!(text.chars().count() <= 3000)
                }
                _ => {}
            }
        }
        let Block::Context { elements } = m.blocks.last().unwrap() else {
            panic!()
        };
        assert!(
            matches!(&elements[0], Text::Mrkdwn { text } if text.contains("more part(s)")),
            "{elements:?}"
        );
    }
}
