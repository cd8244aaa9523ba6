//! The written answer, the pure half (issue 18.5): what a language model is asked (the question
//! and the cited passages, numbered) and whether its answer may be shown — one to three
//! sentences, each ending with the number of a passage it was given (`[1]`), no link the passages
//! do not have. Anything else is discarded and the passages stand alone. The app makes the call
//! (redacted, budgeted, audited, with a timeout).

/// The system prompt of the written answer.
pub const SYSTEM: &str = "You answer a question using only the numbered passages from a team's \
documentation that follow it. Write one to three short sentences. End every sentence with the \
number of the passage it rests on in square brackets, like [1]. Do not use anything the passages \
do not say. If the passages do not answer the question, reply only: NO ANSWER";

/// At most this many sentences.
pub const MAX_SENTENCES: usize = 3;

/// A passage the model is given.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Where it is: `file:start-end`.
    pub label: &'a str,
    /// Its text.
    pub text: &'a str,
}

/// The user message: the question, then each passage under its number.
pub fn prompt(question: &str, sources: &[Source<'_>]) -> String {
    let mut out = format!("Question: {}\n\nPassages:\n", question.trim());
    for (i, s) in sources.iter().enumerate() {
        out.push_str(&format!("\n[{}] {}\n{}\n", i + 1, s.label, s.text.trim()));
    }
    out
}

/// One sentence of an accepted answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sentence {
    /// The sentence, without its passage marks.
    pub text: String,
    /// The passages it rests on (1-based, as numbered in the prompt).
    pub cites: Vec<usize>,
}

/// Why an answer was discarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ungrounded {
    /// Nothing but white space.
    Empty,
    /// The model said the passages do not answer.
    NoAnswer,
    /// A sentence without a passage mark.
    Uncited(String),
    /// A mark for a passage it was not given.
    UnknownPassage(usize),
    /// More sentences than asked for.
    TooLong(usize),
    /// A link no passage has.
    AddedLink(String),
}

impl std::fmt::Display for Ungrounded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ungrounded::Empty => write!(f, "the answer was empty"),
            Ungrounded::NoAnswer => write!(f, "the model found no answer in the passages"),
            Ungrounded::Uncited(s) => write!(f, "a sentence cites no passage: {s:?}"),
            Ungrounded::UnknownPassage(n) => {
                write!(f, "it cites passage [{n}], which it was not given")
            }
            Ungrounded::TooLong(n) => {
                write!(f, "it is {n} sentences long, more than {MAX_SENTENCES}")
            }
            Ungrounded::AddedLink(u) => write!(f, "it adds the link {u}"),
        }
    }
}

/// `[1]`, `[1, 2]` or `[1][2]` at `s[at..]`: the numbers and the length, when it is a mark.
fn mark(s: &str) -> Option<(Vec<usize>, usize)> {
    let rest = s.strip_prefix('[')?;
    let end = rest.find(']')?;
    let inner = &rest[..end];
    if inner.trim().is_empty() {
        return None;
    }
    let nums: Option<Vec<usize>> = inner
        .split([',', ' '])
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect();
    Some((nums?, end + 2))
}

/// Sentences with their marks: the text is cut after `.`, `!` or `?` followed by white space (or
/// the end), and a mark just after a sentence's full stop (`… stop. [2]`) belongs to it.
fn sentences(answer: &str) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    let mut text = String::new();
    let mut cites: Vec<usize> = Vec::new();
    let mut i = 0;
    let flush = |text: &mut String, cites: &mut Vec<usize>, out: &mut Vec<(String, Vec<usize>)>| {
        // Where a mark stood before the stop ("… over [1]."), no space is left before it.
        let t = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace(" .", ".")
            .replace(" ,", ",")
            .replace(" !", "!")
            .replace(" ?", "?");
        if t.chars().any(char::is_alphanumeric) {
            out.push((t, std::mem::take(cites)));
        } else if let Some(last) = out.last_mut() {
            // Marks alone after a full stop: the sentence before's.
            last.1.append(cites);
        }
        text.clear();
    };
    while i < answer.len() {
        let rest = &answer[i..];
        if let Some((nums, len)) = mark(rest) {
            cites.extend(nums);
            i += len;
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        i += c.len_utf8();
        if c == '\n' {
            flush(&mut text, &mut cites, &mut out);
            continue;
        }
        text.push(c);
        if matches!(c, '.' | '!' | '?') {
            let next = answer[i..].chars().next();
            if next.is_none_or(char::is_whitespace) {
                // A mark after the stop (` [2]`) still belongs to this sentence.
                let after = answer[i..].trim_start_matches([' ', '\t']);
                if let Some((nums, len)) = mark(after) {
                    cites.extend(nums);
                    i = answer.len() - after.len() + len;
                }
                flush(&mut text, &mut cites, &mut out);
            }
        }
    }
    flush(&mut text, &mut cites, &mut out);
    out
}

fn links(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | '"' | '\''))
        .filter(|w| {
            let l = w.to_ascii_lowercase();
            l.starts_with("http://") || l.starts_with("https://") || l.starts_with("www.")
        })
        .map(|w| w.trim_end_matches(['.', ',', ';', ':', '!', '?', ']']))
}

/// The answer's sentences, or why it may not be shown. `sources` are the passages it was given.
pub fn check(answer: &str, sources: &[Source<'_>]) -> Result<Vec<Sentence>, Ungrounded> {
    let trimmed = answer.trim();
    if trimmed.is_empty() {
        return Err(Ungrounded::Empty);
    }
    if trimmed
        .trim_start_matches(['*', '_', '"'])
        .to_ascii_uppercase()
        .starts_with("NO ANSWER")
    {
        return Err(Ungrounded::NoAnswer);
    }
    if let Some(u) = links(trimmed).find(|u| !sources.iter().any(|s| s.text.contains(u))) {
        return Err(Ungrounded::AddedLink(u.to_string()));
    }
    let found = sentences(trimmed);
    if found.len() > MAX_SENTENCES {
        return Err(Ungrounded::TooLong(found.len()));
    }
    let mut out = Vec::new();
    for (text, mut cites) in found {
        if cites.is_empty() {
            return Err(Ungrounded::Uncited(text));
        }
        if let Some(&n) = cites.iter().find(|&&n| n == 0 || n > sources.len()) {
            return Err(Ungrounded::UnknownPassage(n));
        }
        cites.sort_unstable();
        cites.dedup();
        out.push(Sentence { text, cites });
    }
    if out.is_empty() {
        return Err(Ungrounded::Empty);
    }
    Ok(out)
}

/// The accepted answer as one line of text: each sentence followed by its marks.
pub fn render(sentences: &[Sentence]) -> String {
    sentences
        .iter()
        .map(|s| {
            let marks: String = s.cites.iter().map(|n| format!("[{n}]")).collect();
            format!("{} {marks}", s.text)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> Vec<Source<'static>> {
        vec![
            Source {
                label: "runbooks/db.md:10-14",
                text: "Fail over with `pgctl promote`. See https://wiki.example/db for the checklist.",
            },
            Source {
                label: "handbook/oncall.md:3-5",
                text: "Page the secondary after 15 minutes.",
            },
        ]
    }

    #[test]
    fn the_prompt_numbers_each_passage_under_the_question() {
        let p = prompt(" How do I fail over? ", &sources());
        assert!(p.starts_with(
            "Question: How do I fail over?\n\nPassages:\n\n[1] runbooks/db.md:10-14\nFail over"
        ));
        assert!(p.contains("\n[2] handbook/oncall.md:3-5\nPage the secondary"));
    }

    #[test]
    fn grounded_sentences_are_kept_with_their_marks_wherever_they_stand() {
        let s = sources();
        for answer in [
            "Run `pgctl promote` to fail over [1]. Page the secondary after 15 minutes [2].",
            "Run `pgctl promote` to fail over. [1] Page the secondary after 15 minutes. [2]",
            "Run `pgctl promote` to fail over [1].\nPage the secondary after 15 minutes [2]",
        ] {
            let got = check(answer, &s).unwrap();
            assert_eq!(got.len(), 2, "{answer}: {got:?}");
            assert_eq!(got[0].cites, vec![1], "{answer}");
            assert_eq!(got[1].cites, vec![2], "{answer}");
            assert!(got[0].text.starts_with("Run `pgctl promote`"), "{got:?}");
            assert!(!got[0].text.contains('['), "{got:?}");
        }
        let both = check("Fail over with pgctl, then page the secondary [1, 2].", &s).unwrap();
        assert_eq!(both[0].cites, vec![1, 2]);
        assert_eq!(
            render(&both),
            "Fail over with pgctl, then page the secondary. [1][2]"
        );
        // A link a passage has is fine.
        assert!(check("The checklist is at https://wiki.example/db [1].", &s).is_ok());
    }

    #[test]
    fn ungrounded_answers_are_discarded_with_the_reason() {
        let s = sources();
        assert_eq!(check("  ", &s), Err(Ungrounded::Empty));
        assert_eq!(check("NO ANSWER", &s), Err(Ungrounded::NoAnswer));
        assert_eq!(
            check("Fail over with pgctl [1]. Then restart everything.", &s),
            Err(Ungrounded::Uncited("Then restart everything.".into()))
        );
        assert_eq!(
            check("Fail over with pgctl [3].", &s),
            Err(Ungrounded::UnknownPassage(3))
        );
        assert_eq!(
            check("Fail over [1]. Page [2]. Wait [1]. Celebrate [2].", &s),
            Err(Ungrounded::TooLong(4))
        );
        assert_eq!(
            check("Log in at https://evil.example/login first [1].", &s),
            Err(Ungrounded::AddedLink("https://evil.example/login".into()))
        );
        assert_eq!(check("[1] [2]", &s), Err(Ungrounded::Empty));
    }
}
