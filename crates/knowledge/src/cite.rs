//! Cite the lines that answer: within a chunk (the context), the paragraph that carries the
//! query's words, as exact 1-based lines of the file.
//!
//! A chunk is cut into units at blank lines (HTML: also where a line opens a block tag such as
//! `<p>`, `<li>`, `<dt>`, `<pre>`, `<table>`; a table's rows stay one unit); a fenced code block
//! is one unit, and heading lines are never
//! cited on their own. Each unit scores the IDF-weighted share of the query's stems it contains
//! (the same stems and IDF as BM25). The best unit is cited; a unit ending in `:` takes the unit
//! after it (the command or example it introduces), a code unit the sentence before it, and
//! neighbours scoring at least [`EXTEND`] of the best join it. When no unit holds a query word the
//! whole chunk is cited: the lines that answer are not known.

use crate::html;
use crate::lexical::LexicalIndex;
use bosun_store::knowledge::ChunkRow;

/// A neighbour joins the cited unit when it scores at least this share of the best unit's score.
pub const EXTEND: f64 = 0.75;

/// One line of a chunk: its 1-based number, its source and what a reader sees of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// 1-based line number in the file.
    pub number: i64,
    /// The line as written (HTML: with its tags).
    pub source: String,
    /// Its visible text (the source, except for HTML).
    pub visible: String,
}

/// A run of lines cited or not as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// First line (1-based).
    pub start: i64,
    /// Last line (1-based, inclusive).
    pub end: i64,
    /// The visible text of its lines.
    pub text: String,
    /// A heading line (Markdown `#`, an underlined title, HTML `<hN>`).
    pub heading: bool,
    /// Code: a fenced or indented block.
    pub code: bool,
}

/// The lines of a chunk: its text for Markdown and plain text (which is exactly the cut of the
/// file), the file's bytes for HTML (whose chunk text is visible text, not lines). `None` when an
/// HTML file can no longer be read at that byte range.
pub fn chunk_lines(row: &ChunkRow) -> Option<Vec<Line>> {
    if row.kind != "html" {
        return Some(
            row.text
                .lines()
                .enumerate()
                .map(|(i, l)| Line {
                    number: row.line_start + i as i64,
                    source: l.to_string(),
                    visible: l.to_string(),
                })
                .collect(),
        );
    }
    let path = std::path::Path::new(&row.root).join(&row.path);
    let bytes = std::fs::read(path).ok()?;
    let (a, b) = (
        usize::try_from(row.byte_start).ok()?,
        usize::try_from(row.byte_end).ok()?,
    );
    let src = std::str::from_utf8(bytes.get(a..b)?).ok()?;
    Some(html_lines(src, row.line_start))
}

/// HTML source lines from line `first` with the visible text of each (a tag spanning lines counts
/// on none of them; scripts, styles and comments are dropped by [`html::visible_text`]).
pub fn html_lines(src: &str, first: i64) -> Vec<Line> {
    let mut out = Vec::new();
    let mut open_tag = String::new();
    for (i, line) in src.lines().enumerate() {
        // Carry an unterminated tag over to the next line so its attributes are not text.
        let joined = format!("{open_tag}{line}");
        let (complete, rest) = match (joined.rfind('<'), joined.rfind('>')) {
            (Some(lt), Some(gt)) if lt > gt => (&joined[..lt], &joined[lt..]),
            (Some(lt), None) => (&joined[..lt], &joined[lt..]),
            _ => (joined.as_str(), ""),
        };
        let visible = html::visible_text(complete).replace('\n', " ");
        out.push(Line {
            number: first + i as i64,
            source: line.to_string(),
            visible: visible.trim().to_string(),
        });
        open_tag = rest.to_string();
    }
    out
}

const BLOCK_TAGS: &[&str] = &[
    "<p",
    "<li",
    "<dt",
    "<dd",
    "<pre",
    "<div",
    "<table",
    "<blockquote",
    "<ul",
    "<ol",
    "<h1",
    "<h2",
    "<h3",
    "<h4",
    "<h5",
    "<h6",
];

fn opens_block(source: &str) -> bool {
    let t = source.trim_start().to_ascii_lowercase();
    BLOCK_TAGS.iter().any(|tag| {
        t.starts_with(tag)
            && t[tag.len()..]
                .chars()
                .next()
                .is_none_or(|c| c == '>' || c.is_whitespace())
    })
}

/// The line opens an `<h1>`–`<h6>` (DocBook wraps them in `<div>`s on the same line).
fn has_heading_tag(source: &str) -> bool {
    let t = source.to_ascii_lowercase();
    (1..=6).any(|n| {
        let tag = format!("<h{n}");
        t.match_indices(&tag).any(|(i, _)| {
            t[i + tag.len()..]
                .chars()
                .next()
                .is_none_or(|c| c == '>' || c.is_whitespace())
        })
    })
}

fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

fn is_underline(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 3
        && ['=', '-', '~', '^', '*', '#', '+']
            .iter()
            .any(|&c| t.chars().all(|x| x == c))
}

/// A line that can be underlined into a title: text, not code, not a rule itself.
fn is_title(line: &str) -> bool {
    !line.trim().is_empty() && !is_indented(line) && !is_underline(line)
}

fn is_indented(line: &str) -> bool {
    line.starts_with("    ") || line.starts_with('\t')
}

/// Cut a chunk's lines into units (see the module docs).
pub fn units(lines: &[Line], html: bool) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut current: Vec<&Line> = Vec::new();
    let mut in_fence = false;
    let flush = |current: &mut Vec<&Line>, out: &mut Vec<Unit>, code: bool| {
        if current.is_empty() {
            return;
        }
        let text: Vec<&str> = current.iter().map(|l| l.visible.as_str()).collect();
        let heading = !code && current.len() <= 2 && {
            let first = current[0];
            let md = first.visible.trim_start().starts_with('#');
            let setext = current.len() == 2 && is_underline(&current[1].visible);
            let tag = html && has_heading_tag(&first.source);
            md || setext || tag
        };
        let indented = !code
            && current
                .iter()
                .all(|l| is_indented(&l.source) || l.visible.trim().is_empty());
        out.push(Unit {
            start: current[0].number,
            end: current[current.len() - 1].number,
            text: text.join("\n"),
            heading,
            code: code || indented,
        });
        current.clear();
    };
    for line in lines {
        if !html && is_fence(&line.source) {
            if in_fence {
                current.push(line);
                flush(&mut current, &mut out, true);
                in_fence = false;
            } else {
                flush(&mut current, &mut out, false);
                current.push(line);
                in_fence = true;
            }
            continue;
        }
        if in_fence {
            current.push(line);
            continue;
        }
        if line.visible.trim().is_empty() {
            // HTML: a line of tags only (`<div>`) neither splits nor joins.
            if !html || line.source.trim().is_empty() {
                flush(&mut current, &mut out, false);
            }
            continue;
        }
        if html && opens_block(&line.source) {
            flush(&mut current, &mut out, false);
        }
        // A Markdown heading is a unit of its own.
        if !html && line.visible.trim_start().starts_with('#') {
            flush(&mut current, &mut out, false);
            current.push(line);
            flush(&mut current, &mut out, false);
            continue;
        }
        current.push(line);
        // An underlined title (`Title` then `=====`) is a unit of its own.
        if !html
            && current.len() >= 2
            && is_underline(&line.visible)
            && is_title(&current[current.len() - 2].source)
        {
            let title = current.len() - 2;
            let mut before: Vec<&Line> = current.drain(..title).collect();
            flush(&mut before, &mut out, false);
            flush(&mut current, &mut out, false);
        }
    }
    flush(&mut current, &mut out, in_fence);
    out
}

/// IDF-weighted share of the query's stems found in `text` (0 when the query has none).
pub fn coverage(lexical: &LexicalIndex, stems: &[String], text: &str) -> f64 {
    if stems.is_empty() {
        return 0.0;
    }
    let present = crate::lexical::text_stems(text);
    let (mut found, mut total) = (0.0, 0.0);
    for s in stems {
        let idf = f64::from(lexical.idf(s));
        total += idf;
        if present.contains(s) {
            found += idf;
        }
    }
    if total > 0.0 { found / total } else { 0.0 }
}

/// The lines to cite within a chunk for a query, as (first, last), 1-based inclusive; `None` when
/// no unit holds a word of the query (cite the whole chunk).
pub fn cited_lines(lexical: &LexicalIndex, stems: &[String], units: &[Unit]) -> Option<(i64, i64)> {
    let scores: Vec<f64> = units
        .iter()
        .map(|u| {
            if u.heading {
                0.0
            } else {
                coverage(lexical, stems, &u.text)
            }
        })
        .collect();
    // The best unit; the first of equals.
    let mut best = 0;
    for (i, &score) in scores.iter().enumerate() {
        if score > scores[best] {
            best = i;
        }
    }
    let top = *scores.get(best)?;
    if top <= 0.0 {
        return None;
    }
    let (mut lo, mut hi) = (best, best);
    // Neighbours nearly as good join (an answer spread over two paragraphs).
    while lo > 0 && !units[lo - 1].heading && scores[lo - 1] >= EXTEND * top {
        lo -= 1;
    }
    while hi + 1 < units.len() && !units[hi + 1].heading && scores[hi + 1] >= EXTEND * top {
        hi += 1;
    }
    // A sentence introducing a command takes the command; a command takes its sentence.
    if units[hi].text.trim_end().ends_with(':') && hi + 1 < units.len() && !units[hi + 1].heading {
        hi += 1;
    }
    if units[lo].code && lo > 0 && !units[lo - 1].heading && !units[lo - 1].code {
        lo -= 1;
    }
    Some((units[lo].start, units[hi].end))
}

/// The lines to cite for `row` (the whole chunk when nothing narrower is known).
pub fn cite(lexical: &LexicalIndex, stems: &[String], row: &ChunkRow) -> (i64, i64) {
    let whole = (row.line_start, row.line_end);
    let Some(lines) = chunk_lines(row) else {
        return whole;
    };
    let units = units(&lines, row.kind == "html");
    cited_lines(lexical, stems, &units).unwrap_or(whole)
}

/// What a reader sees of lines `start..=end` of `row` (blank lines dropped); the passage's text
/// when its lines cannot be read.
pub fn cited_text(row: &ChunkRow, start: i64, end: i64) -> String {
    let Some(lines) = chunk_lines(row) else {
        return row.text.clone();
    };
    let text: Vec<&str> = lines
        .iter()
        .filter(|l| l.number >= start && l.number <= end && !l.visible.trim().is_empty())
        .map(|l| l.visible.as_str())
        .collect();
    if text.is_empty() {
        row.text.clone()
    } else {
        text.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, first: i64) -> Vec<Line> {
        text.lines()
            .enumerate()
            .map(|(i, l)| Line {
                number: first + i as i64,
                source: l.to_string(),
                visible: l.to_string(),
            })
            .collect()
    }

    #[test]
    fn units_split_at_blank_lines_keep_fences_whole_and_mark_headings() {
        let text = "## Deploys\n\nShip on Tuesdays.\nNever on Fridays.\n\n```sh\nmake\n\nmake deploy\n```\n\n    indented code\n";
        let u = units(&lines(text, 10), false);
        let spans: Vec<(i64, i64, bool, bool)> = u
            .iter()
            .map(|u| (u.start, u.end, u.heading, u.code))
            .collect();
        assert_eq!(
            spans,
            vec![
                (10, 10, true, false),
                (12, 13, false, false),
                (15, 19, false, true),
                (21, 21, false, true)
            ]
        );
    }

    #[test]
    fn html_lines_drop_tags_even_when_a_tag_spans_lines() {
        let l = html_lines(
            "<p>Compile with <code>-g</code> and\n<a\nhref=\"x\">more</a> text</p>",
            7,
        );
        let visible: Vec<&str> = l.iter().map(|l| l.visible.as_str()).collect();
        assert_eq!(visible, vec!["Compile with -g and", "", "more text"]);
        assert_eq!(l[2].number, 9);
    }

    #[test]
    fn html_units_start_at_block_tags() {
        let l = html_lines(
            "<h2>2. Preparing</h2>\n<p>Compile with -g so\nline numbers show.</p>\n<p>Do not use -O2.</p>",
            40,
        );
        let u = units(&l, true);
        let spans: Vec<(i64, i64, bool)> = u.iter().map(|u| (u.start, u.end, u.heading)).collect();
        assert_eq!(
            spans,
            vec![(40, 40, true), (41, 42, false), (43, 43, false)]
        );
    }

    /// The handbook's own documents, chunked and indexed as `index` would, then asked.
    fn cite_in(path: &str, kind: crate::chunk::DocKind, question: &str) -> (i64, i64) {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/docs");
        let src = std::fs::read_to_string(format!("{root}/{path}")).expect("demo doc");
        let chunks = crate::chunk::chunk(kind, &src).chunks;
        let lexical = LexicalIndex::from_rows(
            chunks
                .iter()
                .enumerate()
                .map(|(i, c)| (i as i64, c.text.as_str(), c.heading_path.as_str())),
        );
        let stems = crate::lexical::query_stems(question);
        // The passage search would put first: the best BM25 chunk.
        let (best, _) = lexical.score(&stems).top(1)[0];
        let c = &chunks[best as usize];
        let row = ChunkRow {
            chunk_id: best,
            document_id: 1,
            root: root.to_string(),
            path: path.to_string(),
            kind: kind.as_str().to_string(),
            title: None,
            heading_path: c.heading_path.clone(),
            text: c.text.clone(),
            byte_start: c.byte_start as i64,
            byte_end: c.byte_end as i64,
            line_start: c.line_start as i64,
            line_end: c.line_end as i64,
            indexed_at: 0,
        };
        let cited = cite(&lexical, &stems, &row);
        assert!(
            cited.0 >= row.line_start && cited.1 <= row.line_end,
            "{cited:?} outside the passage {}-{}",
            row.line_start,
            row.line_end
        );
        cited
    }

    #[test]
    fn a_markdown_passage_cites_the_paragraph_that_answers() {
        // incidents/incident-process.md: the passage runs from the severity levels' list (lines
        // 21-31) through "Who decides the severity"; the answer is the paragraph at 35-38.
        let cited = cite_in(
            "incidents/incident-process.md",
            crate::chunk::DocKind::Markdown,
            "Who decides the severity of an incident, and who may change it?",
        );
        assert_eq!(cited, (35, 38));
    }

    #[test]
    fn an_html_passage_cites_the_paragraph_that_answers() {
        // oncall/escalation-policy.html: after the levels' table, the paragraph at 42-44 says
        // what happens when a page reaches every manager.
        let cited = cite_in(
            "oncall/escalation-policy.html",
            crate::chunk::DocKind::Html,
            "What happens when a page reaches all the managers?",
        );
        assert_eq!(cited, (42, 44));
    }
}
