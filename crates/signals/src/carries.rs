//! What an outbound action carries, as data the policy reads instead of its wording
//! (`input.action.carries`): the people it names, the links it holds, and the people it gives a
//! figure about (an individual metric: "Ana did 18 reviews", "Ana: eighteen reviews", "Ana, 18!").
//!
//! Names are the store's people (their name, first name and logins) found whole in the text;
//! links are its http(s) URLs. Figures are tagged in what a person wrote, not in what the
//! generator wrote: Bosun's own drafts name PRs and tickets whose titles carry numbers ("Fix 3
//! flaky tests") and no generator puts one person's numbers in a draft (the only signal about them,
//! review load, is never sent, by kind). So a figure is a number (digits, or a number word)
//! standing alone in a sentence, added or changed by the manager's edit, that names a person.
//! PR and issue references (`#12`, `api#12`), ticket keys (`TIDE-12`), times, dates, versions
//! and numbers inside links are not figures.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The structural content of one action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carries {
    /// People named (store ids).
    pub names: Vec<i64>,
    /// People the text gives a figure about (store ids).
    pub person_figures: Vec<i64>,
    /// Links (http and https URLs).
    pub links: Vec<String>,
}

/// A person as the text may name them.
#[derive(Debug, Clone)]
pub struct Named {
    /// The person's store id.
    pub id: i64,
    /// Full name, first name, logins: each matched whole, case-sensitively (names are proper
    /// nouns; "Will" the person, not "will" the verb).
    pub names: Vec<String>,
}

impl Named {
    /// A person known by `name` and any logins: the full name, its first word when it has three
    /// letters or more, and the logins.
    pub fn new(id: i64, name: &str, logins: &[&str]) -> Named {
        let mut names = vec![name.trim().to_string()];
        if let Some(first) = name.split_whitespace().next()
            && first.chars().count() >= 3
            && first != name.trim()
        {
            names.push(first.to_string());
        }
        names.extend(
            logins
                .iter()
                .filter(|l| l.len() >= 3)
                .map(|l| l.to_string()),
        );
        names.retain(|n| !n.is_empty());
        Named { id, names }
    }
}

const NUMBER_WORDS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "dozen",
    "dozens",
    "twice",
    "thrice",
];

/// Tag `text`. `generated`: the text as Bosun drafted it, when `text` is the manager's edit of it
/// (figures are looked for in the sentences the edit added or changed); `None` for Bosun's own
/// draft (no figures are looked for).
pub fn tag(text: &str, generated: Option<&str>, people: &[Named]) -> Carries {
    let links: Vec<String> = urls(text).into_iter().collect();
    let names: BTreeSet<i64> = people
        .iter()
        .filter(|p| p.names.iter().any(|n| contains_word(text, n)))
        .map(|p| p.id)
        .collect();
    let mut figures = BTreeSet::new();
    if let Some(generated) = generated {
        let before: BTreeSet<String> = sentences(generated).map(normal).collect();
        for s in sentences(text).filter(|s| !before.contains(&normal(s))) {
            if !has_figure(s) {
                continue;
            }
            for p in people {
                if p.names.iter().any(|n| contains_word(s, n)) {
                    figures.insert(p.id);
                }
            }
        }
    }
    Carries {
        names: names.into_iter().collect(),
        person_figures: figures.into_iter().collect(),
        links,
    }
}

fn normal(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Sentences: split at `.`, `!`, `?` followed by a space or the end, `;` and newlines (a URL's
/// dots are not followed by spaces).
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let next_blank = chars.get(i + 1).is_none_or(|(_, n)| n.is_whitespace());
        if c == '\n' || c == ';' || (matches!(c, '.' | '!' | '?') && next_blank) {
            out.push(&text[start..at]);
            start = at + c.len_utf8();
        }
    }
    out.push(&text[start..]);
    out.into_iter().map(str::trim).filter(|s| !s.is_empty())
}

fn urls(text: &str) -> BTreeSet<String> {
    text.split_whitespace()
        .filter_map(|w| {
            let at = w.find("https://").or_else(|| w.find("http://"))?;
            let u = w[at..].trim_end_matches(|c: char| ".,;:!?)]}>\"'".contains(c));
            (u.len() > "https://".len()).then(|| u.to_string())
        })
        .collect()
}

fn contains_word(text: &str, word: &str) -> bool {
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
    text.match_indices(word).any(|(at, _)| {
        boundary(text[..at].chars().next_back()) && boundary(text[at + word.len()..].chars().next())
    })
}

/// A number standing alone in `sentence` (outside links, references, keys, times and versions).
fn has_figure(sentence: &str) -> bool {
    sentence.split_whitespace().any(|w| {
        if w.contains("://") {
            return false;
        }
        let t = w.trim_matches(|c: char| "()[]{}\"'.,;:!?*_~".contains(c));
        let lower = t.to_lowercase();
        if NUMBER_WORDS.contains(&lower.as_str()) {
            return true;
        }
        // Digits with an optional unit or suffix (18, 18x, 3rd, 40%), never after `#`, `-`, `v`,
        // `:` or `/` (references, keys, versions, times, dates).
        let digits = t.trim_end_matches(|c: char| c.is_alphabetic() || c == '%');
        !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit() || c == ',')
            && digits.chars().next().is_some_and(|c| c.is_ascii_digit())
            && !t.contains(['#', '/', ':'])
            && !t.starts_with(['v', 'V'])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team() -> Vec<Named> {
        vec![
            Named::new(1, "Ana Lima", &["analima"]),
            Named::new(2, "Bo Chen", &["bochen"]),
            Named::new(3, "Will Park", &["wpark"]),
        ]
    }

    const DRAFT: &str = "Hi Ana — Bo mentioned in #platform that they are waiting for your review of api#42 \"Fix 3 flaky tests\". Could you take a look? https://github.example/acme/api/pull/42";

    #[test]
    fn bosuns_own_draft_names_and_links_but_gives_no_figure() {
        let c = tag(DRAFT, None, &team());
        assert_eq!(c.names, vec![1]);
        assert_eq!(c.links, vec!["https://github.example/acme/api/pull/42"]);
        assert!(c.person_figures.is_empty());
        // The same text "edited" without change adds no figure either (the title's 3 was ours).
        assert!(tag(DRAFT, Some(DRAFT), &team()).person_figures.is_empty());
    }

    /// However the manager words an individual metric, it is tagged as one.
    #[test]
    fn a_figure_about_a_person_is_caught_in_any_wording() {
        for added in [
            "Ana gave 18 reviews this sprint.",
            "Ana: eighteen reviews, thanks!",
            "Shout-out to analima, who closed 7.",
            "Ana did twice as many reviews as anyone.",
            "Reviews given — Ana 18, Bo 3.",
            "Ana is at 40% of the team's reviews.",
        ] {
            let text = format!("{DRAFT}\n{added}");
            let c = tag(&text, Some(DRAFT), &team());
            assert!(c.person_figures.contains(&1), "{added}: {c:?}");
        }
    }

    #[test]
    fn references_times_and_plain_words_are_not_figures() {
        for added in [
            "Ana, see TIDE-123 and api#42 before 10:30.",
            "Ana, v2 is out: https://example.com/releases/2",
            "Will you look at it today, Ana?",
            "The team merged 12 pull requests.",
        ] {
            let text = format!("{DRAFT}\n{added}");
            let c = tag(&text, Some(DRAFT), &team());
            assert!(c.person_figures.is_empty(), "{added}: {c:?}");
        }
        // "Will" the verb is not Will the person.
        assert!(!tag("will you look?", None, &team()).names.contains(&3));
    }
}
