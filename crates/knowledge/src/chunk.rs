//! Heading-aware chunking with exact spans.
//!
//! A document is cut into sections at its headings (Markdown ATX and setext headings, HTML
//! `<h1>`–`<h6>`, underlined titles in plain text); small neighbouring sections are merged and
//! large ones split at paragraph boundaries, aiming at [`TARGET_TOKENS`] and never above
//! [`MAX_TOKENS`] (except an unbreakable line). Every chunk keeps the path of headings above it and
//! the exact byte range and 1-based inclusive line range it was cut from: for Markdown and text
//! `&source[byte_start..byte_end]` *is* the chunk's text; for HTML the text is the visible text of
//! that range.

use crate::html;

/// Below this many (estimated) tokens a section is merged with the next one when both fit.
pub const MIN_TOKENS: usize = 80;
/// Sections are split into pieces of about this size.
pub const TARGET_TOKENS: usize = 260;
/// No chunk is larger, except a single line that cannot be broken.
pub const MAX_TOKENS: usize = 400;

/// The kind of a document, which decides how it is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Markdown: split at headings.
    Markdown,
    /// HTML: split at headings, read as visible text.
    Html,
    /// Plain text: split at underlined titles.
    Text,
}

impl DocKind {
    /// Its name in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Markdown => "markdown",
            DocKind::Html => "html",
            DocKind::Text => "text",
        }
    }
}

/// A passage of a document: what is searched, cited and embedded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Headings above the chunk, outermost first, joined with " > ".
    pub heading_path: String,
    /// The text that is searched and shown.
    pub text: String,
    /// Where it starts in the document (bytes).
    pub byte_start: usize,
    /// Where it ends in the document (bytes, exclusive).
    pub byte_end: usize,
    /// 1-based, inclusive.
    pub line_start: usize,
    /// 1-based, inclusive.
    pub line_end: usize,
    /// Its size in model tokens, roughly ([`MAX_TOKENS`] at most).
    pub token_estimate: usize,
}

/// A chunked document: its title and chunks in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunked {
    /// The document's title, when it has one.
    pub title: Option<String>,
    /// Its chunks, in document order.
    pub chunks: Vec<Chunk>,
}

/// Rough token count of the model's word-piece tokenizer: about four bytes of English per token.
pub fn estimate_tokens(text: &str) -> usize {
    let words = text.split_whitespace().count();
    // Word pieces: long words and punctuation split further; ~1.3 tokens per word in prose, more in code.
    (words * 13).div_ceil(10).max(text.len().div_ceil(6))
}

#[derive(Debug, Clone)]
struct Section {
    path: Vec<String>,
    start: usize,
    end: usize,
}

/// Chunk `source` of the given kind.
pub fn chunk(kind: DocKind, source: &str) -> Chunked {
    let (title, sections) = match kind {
        DocKind::Markdown => markdown_sections(source, true),
        DocKind::Text => markdown_sections(source, false),
        DocKind::Html => html_sections(source),
    };
    let lines = LineIndex::new(source);
    let visible = |start: usize, end: usize| -> String {
        match kind {
            DocKind::Html => html::visible_text(&source[start..end]),
            _ => source[start..end].to_string(),
        }
    };
    // Trim each section to its content, drop empty ones.
    let mut pieces: Vec<Section> = Vec::new();
    for s in sections {
        let (start, end) = trim_span(kind, source, s.start, s.end);
        if start < end && !visible(start, end).trim().is_empty() {
            pieces.push(Section {
                path: s.path,
                start,
                end,
            });
        }
    }
    // Split big sections at paragraph (or line) boundaries.
    let mut split: Vec<Section> = Vec::new();
    for s in pieces {
        let tokens = estimate_tokens(&visible(s.start, s.end));
        if tokens <= MAX_TOKENS {
            split.push(s);
            continue;
        }
        for (a, b) in split_section(kind, source, s.start, s.end, &visible) {
            let (a, b) = trim_span(kind, source, a, b);
            if a < b && !visible(a, b).trim().is_empty() {
                split.push(Section {
                    path: s.path.clone(),
                    start: a,
                    end: b,
                });
            }
        }
    }
    // Merge small neighbours (a heading with one line under it, a short preamble).
    let mut merged: Vec<Section> = Vec::new();
    for s in split {
        if let Some(last) = merged.last_mut() {
            let last_tokens = estimate_tokens(&visible(last.start, last.end));
            let both = estimate_tokens(&visible(last.start, s.end));
            let sibling_or_child = s.path.len() >= last.path.len()
                && s.path[..last.path.len().saturating_sub(1)]
                    == last.path[..last.path.len().saturating_sub(1)];
            if last_tokens < MIN_TOKENS && both <= TARGET_TOKENS && sibling_or_child {
                last.end = s.end;
                continue;
            }
        }
        merged.push(s);
    }
    let chunks = merged
        .into_iter()
        .map(|s| {
            let text = visible(s.start, s.end);
            Chunk {
                heading_path: s.path.join(" > "),
                token_estimate: estimate_tokens(&text),
                text,
                byte_start: s.start,
                byte_end: s.end,
                line_start: lines.line_of(s.start),
                line_end: lines.line_of(s.end - 1),
            }
        })
        .collect();
    Chunked { title, chunks }
}

/// Byte offset → 1-based line number.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// The line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line `byte` is on.
    pub fn line_of(&self, byte: usize) -> usize {
        self.starts.partition_point(|&s| s <= byte)
    }
}

/// Lines with their byte ranges (without the newline).
fn lines_with_offsets(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        out.push((start, i));
        start = i + 1;
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

fn is_rule(line: &str, ch: char) -> bool {
    let t = line.trim();
    t.len() >= 3 && t.chars().all(|c| c == ch)
}

fn atx_heading(line: &str) -> Option<(usize, String)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let t = &line[indent..];
    let level = t.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &t[level..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    let title = rest.trim().trim_end_matches('#').trim().to_string();
    Some((level, clean_heading(&title)))
}

fn clean_heading(t: &str) -> String {
    t.replace(['*', '`'], "").trim().to_string()
}

/// Sections of Markdown (and of plain text, where only underlined titles count).
fn markdown_sections(source: &str, markdown: bool) -> (Option<String>, Vec<Section>) {
    let lines = lines_with_offsets(source);
    let mut heads: Vec<(usize, usize, String)> = Vec::new(); // (line index, level, title)
    let mut fence: Option<&str> = None;
    let mut i = 0;
    // YAML front matter belongs to the first section and holds no headings.
    if markdown
        && lines.first().is_some_and(|&(a, b)| &source[a..b] == "---")
        && let Some(end) = lines
            .iter()
            .skip(1)
            .position(|&(a, b)| matches!(&source[a..b], "---" | "..."))
    {
        i = end + 2;
    }
    while i < lines.len() {
        let line = &source[lines[i].0..lines[i].1];
        let trimmed = line.trim_start();
        if markdown {
            for marker in ["```", "~~~"] {
                if trimmed.starts_with(marker) {
                    fence = match fence {
                        None => Some(marker),
                        Some(m) if m == marker => None,
                        other => other,
                    };
                }
            }
            if fence.is_some() || trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                i += 1;
                continue;
            }
            if let Some((level, title)) = atx_heading(line) {
                heads.push((i, level, title));
                i += 1;
                continue;
            }
        }
        // Setext: a text line underlined with === (level 1) or --- (level 2).
        if i + 1 < lines.len()
            && !line.trim().is_empty()
            && !is_rule(line, '-')
            && !is_rule(line, '=')
        {
            let next = &source[lines[i + 1].0..lines[i + 1].1];
            let prev_blank = i == 0
                || source[lines[i - 1].0..lines[i - 1].1].trim().is_empty()
                || is_rule(&source[lines[i - 1].0..lines[i - 1].1], '-')
                || is_rule(&source[lines[i - 1].0..lines[i - 1].1], '=');
            let short = line.trim().len() <= 100;
            if prev_blank && short && (is_rule(next, '=') || is_rule(next, '-')) {
                let level = if is_rule(next, '=') { 1 } else { 2 };
                heads.push((i, level, clean_heading(line.trim())));
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    let title = heads
        .iter()
        .find(|h| h.1 == 1)
        .or(heads.first())
        .map(|h| h.2.clone());
    let mut sections = Vec::new();
    let first_start = heads.first().map_or(source.len(), |h| lines[h.0].0);
    if first_start > 0 {
        sections.push(Section {
            path: Vec::new(),
            start: 0,
            end: first_start,
        });
    }
    let mut stack: Vec<(usize, String)> = Vec::new();
    for (k, (line, level, title)) in heads.iter().enumerate() {
        while stack.last().is_some_and(|(l, _)| l >= level) {
            stack.pop();
        }
        stack.push((*level, title.clone()));
        let start = lines[*line].0;
        let end = heads
            .get(k + 1)
            .map_or(source.len(), |next| lines[next.0].0);
        sections.push(Section {
            path: stack.iter().map(|(_, t)| t.clone()).collect(),
            start,
            end,
        });
    }
    (title, sections)
}

fn html_sections(source: &str) -> (Option<String>, Vec<Section>) {
    let body = html::body_range(source);
    let heads = html::headings(source, body.clone());
    let title = html::title(source).or_else(|| {
        heads
            .iter()
            .find(|h| h.level == 1)
            .or(heads.first())
            .map(|h| h.text.clone())
    });
    let mut sections = Vec::new();
    let first = heads.first().map_or(body.end, |h| h.start);
    if first > body.start {
        sections.push(Section {
            path: Vec::new(),
            start: body.start,
            end: first,
        });
    }
    let mut stack: Vec<(usize, String)> = Vec::new();
    for (k, h) in heads.iter().enumerate() {
        while stack.last().is_some_and(|(l, _)| *l >= h.level) {
            stack.pop();
        }
        stack.push((h.level, h.text.clone()));
        let end = heads.get(k + 1).map_or(body.end, |n| n.start);
        sections.push(Section {
            path: stack.iter().map(|(_, t)| t.clone()).collect(),
            start: h.start,
            end,
        });
    }
    (title, sections)
}

/// Shrink `[start, end)` to whole lines with content: leading and trailing blank lines go, and so
/// do trailing rules (text) and trailing lines of pure markup (HTML).
fn trim_span(kind: DocKind, source: &str, start: usize, end: usize) -> (usize, usize) {
    let mut a = start;
    let mut b = end;
    // Leading blank lines.
    while a < b {
        let line_end = source[a..b].find('\n').map_or(b, |i| a + i);
        let line = &source[a..line_end];
        let empty = line.trim().is_empty()
            || (kind == DocKind::Html
                && html::visible_text(line).trim().is_empty()
                && !html::opens_heading(line));
        if empty && line_end < b {
            a = line_end + 1;
        } else {
            break;
        }
    }
    // Trailing lines without content.
    loop {
        let content = source[a..b].trim_end_matches(['\n', '\r', ' ', '\t']);
        b = a + content.len();
        if b <= a {
            return (a, a);
        }
        let line_start = source[a..b].rfind('\n').map_or(a, |i| a + i + 1);
        let line = &source[line_start..b];
        let drop = match kind {
            DocKind::Html => html::visible_text(line).trim().is_empty(),
            _ => is_rule(line, '-') || is_rule(line, '='),
        };
        if drop && line_start > a {
            b = line_start;
        } else {
            break;
        }
    }
    // A CRLF line keeps its '\r': spans are whole lines.
    if source[b..].starts_with("\r\n") {
        b += 1;
    }
    (a, b)
}

/// Cut `[start, end)` into pieces of about [`TARGET_TOKENS`]: at blank lines (paragraphs) outside
/// code fences when possible, else at line ends, else at spaces.
fn split_section(
    kind: DocKind,
    source: &str,
    start: usize,
    end: usize,
    visible: &dyn Fn(usize, usize) -> String,
) -> Vec<(usize, usize)> {
    // Candidate cut points: starts of paragraphs, then starts of lines.
    let text = &source[start..end];
    let lines = lines_with_offsets(text);
    let mut paragraph_starts = Vec::new();
    let mut line_starts = Vec::new();
    let mut fence = false;
    for (k, &(a, b)) in lines.iter().enumerate() {
        let line = &text[a..b];
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            fence = !fence;
        }
        if k == 0 {
            continue;
        }
        let prev = &text[lines[k - 1].0..lines[k - 1].1];
        let html_block = kind == DocKind::Html
            && [
                "<p", "<li", "<tr", "<ul", "<ol", "<table", "<pre", "<div", "<section", "<dl",
                "<dt",
            ]
            .iter()
            .any(|t| line.trim_start().starts_with(t));
        if !fence && (prev.trim().is_empty() || html_block) && !line.trim().is_empty() {
            paragraph_starts.push(start + a);
        }
        line_starts.push(start + a);
    }
    let mut cuts = vec![start];
    let mut cur = start;
    while estimate_tokens(&visible(cur, end)) > MAX_TOKENS {
        // The furthest paragraph start that keeps the piece within the target, else within max,
        // else the furthest line start within max, else a space.
        let fits = |p: usize, limit: usize| p > cur && estimate_tokens(&visible(cur, p)) <= limit;
        let next = paragraph_starts
            .iter()
            .rev()
            .find(|&&p| fits(p, TARGET_TOKENS))
            .or_else(|| {
                paragraph_starts
                    .iter()
                    .rev()
                    .find(|&&p| fits(p, MAX_TOKENS))
            })
            .or_else(|| line_starts.iter().rev().find(|&&p| fits(p, TARGET_TOKENS)))
            .copied()
            .or_else(|| split_at_space(source, cur, end));
        match next {
            Some(n) if n > cur => {
                cuts.push(n);
                cur = n;
            }
            _ => break,
        }
    }
    cuts.push(end);
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

/// A cut inside one long line: after about TARGET_TOKENS words, at a space.
fn split_at_space(source: &str, start: usize, end: usize) -> Option<usize> {
    let text = &source[start..end];
    let mut words = 0;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            words += 1;
            if words * 13 / 10 >= TARGET_TOKENS {
                return Some(start + i + c.len_utf8());
            }
        }
    }
    // No spaces: cut at a char boundary near TARGET_TOKENS * 4 bytes.
    let mut cut = (start + TARGET_TOKENS * 4).min(end);
    while cut < end && !source.is_char_boundary(cut) {
        cut += 1;
    }
    (cut < end).then_some(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_spans(kind: DocKind, src: &str) -> Chunked {
        let c = chunk(kind, src);
        let lines: Vec<&str> = src.split('\n').collect();
        for ch in &c.chunks {
            let cut = &src[ch.byte_start..ch.byte_end];
            if kind != DocKind::Html {
                assert_eq!(cut, ch.text);
            }
            let by_lines = lines[ch.line_start - 1..ch.line_end].join("\n");
            assert!(by_lines.contains(cut.trim()), "{ch:?}");
            assert!(
                cut.starts_with(lines[ch.line_start - 1].trim_start())
                    || cut.starts_with(lines[ch.line_start - 1])
            );
        }
        c
    }

    #[test]
    fn markdown_sections_keep_heading_paths_and_exact_spans() {
        let src = "# Incident process\n\nOwner: Elena.\n\n## Severity\n\nSEV1 is bad.\n\n### Who decides\n\nThe **incident commander** decides.\n\n```\n# not a heading\n```\n\n## Roles\n\nIC runs it.\n";
        let c = check_spans(DocKind::Markdown, src);
        assert_eq!(c.title.as_deref(), Some("Incident process"));
        // Small sections merge; the merged chunk starts at the first heading.
        assert!(c.chunks.iter().all(|ch| !ch.text.is_empty()));
        let all: String = c
            .chunks
            .iter()
            .map(|c| c.text.clone())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(all.contains("# not a heading"));
        assert_eq!(c.chunks[0].line_start, 1);
    }

    #[test]
    fn large_sections_split_at_paragraphs_within_the_limit() {
        let para = "word ".repeat(60);
        let mut src = String::from("# Big\n\n");
        for i in 0..20 {
            src.push_str(&format!("Paragraph {i} {para}\n\n"));
        }
        let c = check_spans(DocKind::Markdown, &src);
        assert!(c.chunks.len() >= 4, "{}", c.chunks.len());
        for ch in &c.chunks {
            assert!(ch.token_estimate <= MAX_TOKENS, "{}", ch.token_estimate);
            assert_eq!(ch.heading_path, "Big");
        }
        // Pieces are contiguous and cover every paragraph.
        for w in c.chunks.windows(2) {
            assert!(w[0].byte_end <= w[1].byte_start);
            assert!(w[0].line_end < w[1].line_start);
        }
    }

    #[test]
    fn text_files_use_underlined_titles() {
        let src = "CERTIFICATE RENEWAL\n===================\n\nOwner: Harbor\n\n-----\n1. PUBLIC EDGE\n-----\n\nACM renews them.\n\n-----\n2. INTERNAL\n-----\n\ncert-manager does.\n";
        let c = check_spans(DocKind::Text, src);
        let paths: Vec<&str> = c.chunks.iter().map(|c| c.heading_path.as_str()).collect();
        assert!(
            paths.iter().any(|p| p.contains("CERTIFICATE RENEWAL")),
            "{paths:?}"
        );
        assert_eq!(c.title.as_deref(), Some("CERTIFICATE RENEWAL"));
    }

    #[test]
    fn line_index_is_one_based() {
        let li = LineIndex::new("a\nbb\n\nc");
        assert_eq!(li.line_of(0), 1);
        assert_eq!(li.line_of(1), 1);
        assert_eq!(li.line_of(2), 2);
        assert_eq!(li.line_of(5), 3);
        assert_eq!(li.line_of(6), 4);
    }
}
