//! Which URLs may become links: a provider's page is `http(s)://…` and nothing else. A
//! `javascript:`, `data:` or `file:` URL from a provider payload or a setting is never rendered as a
//! link or stored as one.

/// True for an `http://` or `https://` URL with a host and no whitespace, control characters,
/// quotes or angle brackets (which could end the link in Markdown or HTML).
pub fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    !rest.is_empty()
        && !rest.starts_with('/')
        && !url.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '<' | '>' | '"' | '\'' | '`' | '(' | ')')
        })
}

#[cfg(test)]
mod tests {
    use super::is_web_url;

    #[test]
    fn only_http_and_https_urls_are_links() {
        for ok in [
            "https://github.com/t/r/pull/12",
            "http://127.0.0.1:8080/browse/TIDE-1",
            "HTTPS://Example.com",
        ] {
            assert!(is_web_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "\tjavascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "vbscript:x",
            "https://",
            "https:///x",
            "https://x.example/a b",
            "https://x.example/\"onmouseover=\"x",
            "https://x.example/)[y](javascript:x",
            "",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }
}
