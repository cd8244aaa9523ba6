//! Every chunk's span cuts the original file exactly: bytes, and the same bytes as whole lines.

use crate::support::*;
use bosun_knowledge::chunk::{self, DocKind, MAX_TOKENS};
use bosun_knowledge::files::{self, Filter, Loaded};
use bosun_knowledge::html;
use bosun_store::Store;

/// Check one chunk against its source: the byte range is a run of whole lines, the line range names
/// exactly those lines, and the text is the cut (Markdown, text) or its visible text (HTML).
fn check(
    kind: DocKind,
    src: &str,
    text: &str,
    bs: usize,
    be: usize,
    ls: usize,
    le: usize,
    ctx: &str,
) {
    let cut = &src[bs..be];
    let lines: Vec<&str> = src.split('\n').collect();
    assert!(
        ls >= 1 && le >= ls && le <= lines.len(),
        "{ctx}: lines {ls}-{le}"
    );
    assert_eq!(
        lines[ls - 1..le].join("\n"),
        cut,
        "{ctx}: lines {ls}-{le} are not bytes {bs}..{be}"
    );
    assert!(
        bs == 0 || src.as_bytes()[bs - 1] == b'\n',
        "{ctx}: starts mid-line"
    );
    match kind {
        DocKind::Html => assert_eq!(html::visible_text(cut), text, "{ctx}"),
        _ => assert_eq!(cut, text, "{ctx}"),
    }
    assert!(!text.trim().is_empty(), "{ctx}: empty chunk");
}

#[test]
fn every_demo_chunk_cuts_its_file_exactly_and_covers_it() {
    let root = demo_docs();
    let entries = files::walk(&root, Filter::All).unwrap();
    assert!(entries.len() >= 40, "{}", entries.len());
    let mut chunks = 0;
    for e in entries {
        let (loaded, _) = files::load(&e.abs, &e.rel, e.size).unwrap();
        let Loaded::Doc { kind, text: src } = loaded else {
            panic!("{} skipped", e.rel)
        };
        let c = chunk::chunk(kind, &src);
        assert!(!c.chunks.is_empty(), "{}", e.rel);
        let mut last_end = 0;
        for ch in &c.chunks {
            let ctx = format!("{} {}-{}", e.rel, ch.line_start, ch.line_end);
            check(
                kind,
                &src,
                &ch.text,
                ch.byte_start,
                ch.byte_end,
                ch.line_start,
                ch.line_end,
                &ctx,
            );
            assert!(
                ch.byte_start >= last_end,
                "{ctx}: overlaps the previous chunk"
            );
            assert!(
                ch.token_estimate <= MAX_TOKENS,
                "{ctx}: {} tokens",
                ch.token_estimate
            );
            // Nothing with words is left between chunks (only blank lines, rules or markup).
            let gap = &src[last_end..ch.byte_start];
            let gap_words = if kind == DocKind::Html {
                html::visible_text(gap)
            } else {
                gap.to_string()
            };
            assert!(
                gap_words.chars().all(|c| !c.is_alphanumeric())
                    || last_end == 0 && kind == DocKind::Html,
                "{ctx}: text lost between chunks: {gap_words:?}"
            );
            last_end = ch.byte_end;
        }
        chunks += c.chunks.len();
    }
    assert!(chunks > 150, "{chunks}");
}

/// path, kind, text, byte start, byte end, line start, line end, heading path
type Row = (String, String, String, i64, i64, i64, i64, String);

#[test]
fn stored_spans_match_the_files_and_the_gold_citation() {
    let root = demo_docs();
    let mut store = Store::open_in_memory().unwrap();
    let report = index(&mut store, &root, None);
    assert_eq!(report.skipped, 0);
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT d.path, d.kind, c.text, c.byte_start, c.byte_end, c.line_start, c.line_end, c.heading_path
             FROM chunks c JOIN documents d ON d.id = c.document_id",
        )
        .unwrap();
    let rows: Vec<Row> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (path, kind, text, bs, be, ls, le, _) in &rows {
        let src = std::fs::read_to_string(root.join(path)).unwrap();
        let kind = match kind.as_str() {
            "html" => DocKind::Html,
            "markdown" => DocKind::Markdown,
            _ => DocKind::Text,
        };
        check(
            kind,
            &src,
            text,
            *bs as usize,
            *be as usize,
            *ls as usize,
            *le as usize,
            path,
        );
    }
    // The eval set's gold answer for "who decides the severity" is one whole chunk with its heading path.
    let gold = rows
        .iter()
        .find(|r| r.0 == "incidents/incident-process.md" && r.5 <= 35 && r.6 >= 38)
        .expect("a chunk covers lines 35-38");
    assert_eq!(
        gold.7,
        "Incident process > Severity levels > Who decides the severity"
    );
    assert_eq!((gold.5, gold.6), (33, 38));
    // HTML: visible text only, section headings in the path.
    let html = rows
        .iter()
        .find(|r| r.0 == "oncall/escalation-policy.html" && r.5 <= 35 && r.6 >= 35)
        .expect("a chunk covers the escalation levels");
    assert!(html.7.ends_with("Escalation levels"), "{}", html.7);
    assert!(!html.2.contains("<td>"), "{}", html.2);
}

#[test]
fn html_without_headings_and_crlf_text_keep_exact_spans() {
    let crlf = "Title\r\n=====\r\n\r\nFirst paragraph line one\r\nline two\r\n\r\nSecond\r\n";
    let c = chunk::chunk(DocKind::Text, crlf);
    for ch in &c.chunks {
        check(
            DocKind::Text,
            crlf,
            &ch.text,
            ch.byte_start,
            ch.byte_end,
            ch.line_start,
            ch.line_end,
            "crlf",
        );
    }
    let page = "<html><body>\n<p>Only a paragraph &amp; a <b>bold</b> word.</p>\n</body></html>\n";
    let c = chunk::chunk(DocKind::Html, page);
    assert_eq!(c.chunks.len(), 1);
    assert_eq!(c.chunks[0].text, "Only a paragraph & a bold word.");
    assert_eq!((c.chunks[0].line_start, c.chunks[0].line_end), (2, 2));
    // A single enormous line is split at spaces, within the limit.
    let long = format!("# H\n\n{}\n", "lorem ipsum ".repeat(2000));
    let c = chunk::chunk(DocKind::Markdown, &long);
    assert!(c.chunks.len() > 5);
    assert!(c.chunks.iter().all(|ch| ch.token_estimate <= MAX_TOKENS));
    assert_eq!(
        c.chunks
            .iter()
            .map(|c| c.text.as_str())
            .collect::<String>()
            .matches("lorem")
            .count(),
        2000
    );
}
