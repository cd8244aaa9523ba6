//! A note as one self-contained HTML page, for people outside Bosun: printable (the browser's
//! "Save as PDF"), no script, no external resource. Text from synced records is escaped; links are
//! kept only when they are http(s) (a `bosun://` link means nothing outside the app: its label
//! stays); charts are the metrics engine's SVG, inlined. Private sections are left out.

use crate::note::{Item, Link, Note, Section};

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn link(l: &Link) -> String {
    if bosun_core::is_web_url(&l.url) {
        format!("<a href=\"{}\">{}</a>", esc(&l.url), esc(&l.label))
    } else {
        esc(&l.label)
    }
}

fn item(out: &mut String, i: &Item) {
    out.push_str("<li>");
    out.push_str(&esc(&i.text));
    if !i.links.is_empty() {
        let links: Vec<String> = i.links.iter().map(link).collect();
        out.push_str(&format!(
            " <span class=\"links\">({})</span>",
            links.join(", ")
        ));
    }
    if !i.details.is_empty() {
        out.push_str("<ul>");
        for d in &i.details {
            item(out, d);
        }
        out.push_str("</ul>");
    }
    out.push_str("</li>\n");
}

fn section(out: &mut String, s: &Section) {
    out.push_str(&format!("<section>\n<h2>{}</h2>\n", esc(&s.heading)));
    if let Some(lead) = &s.lead {
        out.push_str(&format!("<p>{}</p>\n", esc(lead)));
    }
    if let Some(c) = &s.chart {
        // The engine's own SVG (plotters): drawn from numbers, no text from payloads unescaped.
        out.push_str(&format!(
            "<figure aria-label=\"{}\">{}</figure>\n",
            esc(&c.title),
            c.svg
        ));
    }
    if s.items.is_empty() {
        out.push_str(&format!("<p class=\"empty\">{}</p>\n", esc(&s.when_empty)));
    } else {
        out.push_str("<ul>\n");
        for i in &s.items {
            item(out, i);
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

const STYLE: &str = "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#17202a;max-width:860px;margin:32px auto;padding:0 20px}\
h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #dde1e6;padding-bottom:4px}\
.sub{color:#5b6673;margin:0 0 16px}.empty{color:#5b6673;font-style:italic}.links{color:#5b6673;font-size:13px}\
a{color:#1f6feb}figure{margin:8px 0}figure svg{max-width:100%;height:auto}li{margin:3px 0}\
footer{color:#5b6673;font-size:12px;margin-top:32px;border-top:1px solid #dde1e6;padding-top:8px}\
@media print{body{margin:0}a{color:inherit}}";

impl Note {
    /// The note as a standalone HTML page without its private sections.
    pub fn to_html(&self) -> String {
        let mut out = format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
             <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n",
            esc(&self.title),
            esc(&self.title),
            esc(&self.subtitle)
        );
        for s in self.sections.iter().filter(|s| !s.private) {
            section(&mut out, s);
        }
        out.push_str("<footer>Written by Bosun from your team's records; every line links to its evidence.</footer>\n</body>\n</html>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::note::{Item, Link, Note, NoteKind, Section};

    #[test]
    fn text_is_escaped_links_kept_only_when_web_and_private_sections_left_out() {
        let mut public = Section::new("Done", "Nothing.");
        public.items.push(
            Item::new("<script>alert(1)</script> & \"quotes\"")
                .link(Link::new(
                    "acme/api#7",
                    "https://github.com/acme/api/pull/7",
                ))
                .link(Link::new("evil", "javascript:alert(1)"))
                .link(Link::app("TIDE-1", "ticket", 3)),
        );
        let mut private = Section::new("My notes", "None.");
        private.private = true;
        private.items.push(Item::new("a private thought"));
        let note = Note {
            kind: NoteKind::Standup,
            title: "Standup <b>".into(),
            subtitle: "For team core.".into(),
            sections: vec![public, private],
        };
        let h = note.to_html();
        assert!(h.starts_with("<!doctype html>"));
        assert!(h.contains("<title>Standup &lt;b&gt;</title>"));
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"));
        assert!(!h.contains("<script"), "no script anywhere");
        assert!(h.contains("<a href=\"https://github.com/acme/api/pull/7\">acme/api#7</a>"));
        assert!(!h.contains("javascript:"), "{h}");
        assert!(h.contains("evil") && h.contains("TIDE-1") && !h.contains("bosun://"));
        assert!(!h.contains("private thought") && !h.contains("My notes"));
    }
}
