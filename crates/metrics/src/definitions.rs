//! Every metric's definition, one click away in the UI as in the CLI: the sections of
//! `docs/metric-definitions.md` (the one contract for every number), embedded at build time so the
//! app and the docs can never disagree.

/// The definitions page, as written.
pub const PAGE: &str = include_str!("../../../docs/metric-definitions.md");

/// The metrics with a definition: key, name, and the heading of its section on [`PAGE`].
pub const METRICS: &[(&str, &str, &str)] = &[
    (
        "deployment_frequency",
        "Deployment frequency",
        "### Deployment frequency",
    ),
    (
        "lead_time",
        "Lead time for changes",
        "### Lead time for changes",
    ),
    (
        "change_failure_rate",
        "Change failure rate",
        "### Change failure rate",
    ),
    (
        "recovery_time",
        "Failed deployment recovery time",
        "### Failed deployment recovery time",
    ),
    (
        "rework_rate",
        "Deployment rework rate",
        "### Deployment rework rate",
    ),
    ("deployment", "Deployment", "### Deployment"),
    ("levels", "DORA levels", "### Levels"),
    (
        "pr_cycle",
        "Pull request cycle time",
        "## Pull request cycle time",
    ),
    ("flow", "Flow", "## Flow"),
    ("sprint", "Sprint health", "## Sprint health"),
];

/// A metric's definition: its name and the Markdown of its section (up to the next heading of the
/// same or a higher level). `None` for an unknown key.
pub fn definition(key: &str) -> Option<(&'static str, String)> {
    let (_, name, heading) = METRICS.iter().find(|(k, _, _)| *k == key)?;
    let level = heading.split(' ').next().unwrap_or("##").len();
    let mut out = Vec::new();
    let mut inside = false;
    for line in PAGE.lines() {
        if inside {
            let hashes = line.chars().take_while(|c| *c == '#').count();
            if hashes > 0 && hashes <= level && line[hashes..].starts_with(' ') {
                break;
            }
            out.push(line);
        } else if let Some(rest) = line.strip_prefix(heading)
            && (rest.is_empty() || rest.starts_with(" ("))
        {
            inside = true;
        }
    }
    Some((name, out.join("\n").trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_a_section_with_text() {
        for (key, _, heading) in METRICS {
            let (_, text) = definition(key).unwrap();
            assert!(
                text.len() > 80,
                "{key}: the section under {heading:?} is empty"
            );
        }
        // "### Deployment" is its own section, not "### Deployment frequency".
        let (_, d) = definition("deployment").unwrap();
        let (_, f) = definition("deployment_frequency").unwrap();
        assert_ne!(d, f);
        assert!(!d.contains("### Deployment frequency"), "{d}");
        assert!(f.contains("per week"), "{f}");
        assert!(definition("nope").is_none());
    }
}
