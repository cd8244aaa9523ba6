//! What doc drift reads from a real HTML document nobody here wrote: QEMU's qemu-img manual as
//! Debian ships it (tests/fixtures/qemu). Reading it caught two mistakes: file names written as
//! code (`base.qcow2`) were taken for dotted configuration keys, and the machine's own paths
//! (`/tmp/overlay.qcow2`) for repository files and endpoints.

use bosun_knowledge::references::{RefKind, html_references};

#[test]
#[allow(clippy::print_stderr)] // the figure the closing note reports
fn a_real_html_manual_yields_its_code_names_and_nothing_of_its_prose() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/qemu/qemu-img.html"
    );
    let html = std::fs::read_to_string(path).unwrap();
    let refs = html_references(&html);
    let lines: Vec<&str> = html.lines().collect();
    // Every reference is on a line that writes it as code (in <code>, <kbd>, <samp>, <tt> or a
    // <pre> block), so prose never counts.
    for r in &refs {
        if r.kind == RefKind::Path {
            continue; // a path with a folder and an extension counts anywhere
        }
        let window = lines[r.line.saturating_sub(40)..r.line].join("\n");
        assert!(
            window.contains("<code") || window.contains("<pre"),
            "{r:?} is not code"
        );
    }
    let of = |kind: RefKind| -> Vec<&str> {
        refs.iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.name.as_str())
            .collect()
    };
    // qcow2 options written as code are configuration keys; image files are not.
    let keys = of(RefKind::ConfigKey);
    for key in [
        "backing_file",
        "backing_fmt",
        "cluster_size",
        "lazy_refcounts",
        "data_file",
    ] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    assert!(
        keys.iter()
            .all(|k| !k.ends_with(".qcow2") && !k.ends_with(".img")),
        "{keys:?}"
    );
    // The source file it names is a path; the machine's /tmp is neither a path nor an endpoint.
    let paths = of(RefKind::Path);
    assert!(paths.contains(&"include/block/block.h"), "{paths:?}");
    assert!(paths.iter().all(|p| !p.starts_with("tmp/")), "{paths:?}");
    assert!(of(RefKind::Endpoint).is_empty(), "{refs:?}");
    // The <head> (title, styles, scripts) is skipped: the first reference is in the body.
    let body = lines.iter().position(|l| l.contains("<body")).unwrap() + 1;
    assert!(refs.iter().all(|r| r.line > body));
    eprintln!("qemu-img.html: {} references", refs.len());
}
