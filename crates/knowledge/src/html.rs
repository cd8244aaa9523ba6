//! Just enough HTML for search: the body's byte range, the headings with their offsets, the
//! title, and visible text (tags, comments, scripts and styles dropped, entities decoded). Exported
//! wiki pages and generated docs are well-formed enough for this; nothing here executes anything.

use std::ops::Range;

/// A heading of an HTML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// Byte offset of the `<hN` tag.
    pub start: usize,
    /// 1 to 6 (`<h1>` to `<h6>`).
    pub level: usize,
    /// Its visible text.
    pub text: String,
}

fn find_ci(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || from >= h.len() {
        return None;
    }
    (from..=h.len().saturating_sub(n.len())).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// The inside of `<body>` (the whole text when there is no body tag).
pub fn body_range(src: &str) -> Range<usize> {
    let start = find_ci(src, "<body", 0)
        .and_then(|i| src[i..].find('>').map(|j| i + j + 1))
        .unwrap_or(0);
    let end = find_ci(src, "</body", start).unwrap_or(src.len());
    start..end
}

/// The text of the document's `<title>`.
pub fn title(src: &str) -> Option<String> {
    let a = find_ci(src, "<title", 0)?;
    let a = a + src[a..].find('>')? + 1;
    let b = find_ci(src, "</title", a)?;
    let t = visible_text(&src[a..b]).trim().to_string();
    (!t.is_empty()).then_some(t)
}

/// Does this line open a heading tag?
pub fn opens_heading(line: &str) -> bool {
    let b = line.as_bytes();
    (0..b.len().saturating_sub(2))
        .any(|i| b[i] == b'<' && (b[i + 1] | 0x20) == b'h' && (b'1'..=b'6').contains(&b[i + 2]))
}

/// `<h1>`–`<h6>` inside `range`, in order.
pub fn headings(src: &str, range: Range<usize>) -> Vec<Heading> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = range.start;
    while i + 3 < range.end {
        if b[i] == b'<'
            && (b[i + 1] | 0x20) == b'h'
            && (b'1'..=b'6').contains(&b[i + 2])
            && (b[i + 3] == b'>' || b[i + 3].is_ascii_whitespace())
        {
            let level = (b[i + 2] - b'0') as usize;
            let close = format!("</h{level}");
            if let Some(open_end) = src[i..range.end].find('>').map(|j| i + j + 1)
                && let Some(end) = find_ci(src, &close, open_end).filter(|&e| e < range.end)
            {
                let text = visible_text(&src[open_end..end]).trim().to_string();
                if !text.is_empty() {
                    out.push(Heading {
                        start: i,
                        level,
                        text,
                    });
                }
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Visible text: tags removed (block tags become line breaks), `<script>`, `<style>`, `<head>` and
/// comments dropped, common entities decoded, runs of spaces collapsed.
pub fn visible_text(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let b = src.as_bytes();
    while i < b.len() {
        if b[i] == b'<' {
            if src[i..].starts_with("<!--") {
                i = src[i..].find("-->").map_or(b.len(), |j| i + j + 3);
                continue;
            }
            let name_end = src[i + 1..]
                .find(|c: char| c == '>' || c.is_whitespace())
                .map_or(b.len(), |j| i + 1 + j);
            let name = src[i + 1..name_end]
                .trim_start_matches('/')
                .to_ascii_lowercase();
            if matches!(name.as_str(), "script" | "style" | "head")
                && !src[i + 1..].starts_with('/')
            {
                let close = format!("</{name}");
                i = find_ci(src, &close, i)
                    .and_then(|j| src[j..].find('>').map(|k| j + k + 1))
                    .unwrap_or(b.len());
                continue;
            }
            let Some(end) = src[i..].find('>').map(|j| i + j + 1) else {
                // An unterminated '<' is text.
                out.push('<');
                i += 1;
                continue;
            };
            let block = matches!(
                name.as_str(),
                "p" | "br"
                    | "div"
                    | "li"
                    | "tr"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "pre"
                    | "section"
                    | "table"
                    | "ul"
                    | "ol"
                    | "dt"
                    | "dd"
                    | "blockquote"
            );
            if block {
                out.push('\n');
            } else if matches!(name.as_str(), "td" | "th") {
                out.push(' ');
            }
            i = end;
            continue;
        }
        if b[i] == b'&'
            && let Some(semi) = src[i..].find(';').filter(|&j| j <= 10)
        {
            let entity = &src[i + 1..i + semi];
            let decoded = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some(' '),
                "mdash" => Some('—'),
                "ndash" => Some('–'),
                "hellip" => Some('…'),
                "rarr" => Some('→'),
                e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            if let Some(c) = decoded {
                out.push(c);
                i += semi + 1;
                continue;
            }
        }
        let c = src[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    // Collapse spaces within lines and blank lines between them.
    let mut clean = String::with_capacity(out.len());
    for line in out.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        if !clean.is_empty() {
            clean.push('\n');
        }
        clean.push_str(&words.join(" "));
    }
    clean
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_text_drops_markup_and_decodes_entities() {
        let t = visible_text(
            "<p>Fish &amp; chips <code>GW-429</code></p><script>x()</script><!-- c --><td>a</td><td>b</td>",
        );
        assert_eq!(t, "Fish & chips GW-429\na b");
    }

    #[test]
    fn headings_have_offsets_and_levels() {
        let src = "<html><head><title>T &amp; U</title></head><body><h1>One</h1><p>x</p><h2 id=a>Two <em>b</em></h2></body></html>";
        let body = body_range(src);
        let h = headings(src, body);
        assert_eq!(h.len(), 2);
        assert_eq!((h[0].level, h[0].text.as_str()), (1, "One"));
        assert_eq!((h[1].level, h[1].text.as_str()), (2, "Two b"));
        assert!(src[h[1].start..].starts_with("<h2"));
        assert_eq!(title(src).as_deref(), Some("T & U"));
    }
}
