//! The lexical side of search, in memory: Okapi BM25 over the chunks' words, with the formula and
//! constants of SQLite FTS5's `bm25()` (k1 = 1.2, b = 0.75, IDF = ln((N − n + 0.5) / (n + 0.5))
//! floored at 1e-6, the heading path weighing 0.5 and the text 1).
//!
//! Why not FTS5 itself: its `bm25()` counts every row matching each query word (for the IDF) and
//! scores every matching row on every call, even with `LIMIT` or `rowid IN (…)`. At 100k chunks a
//! question with a common word matches 10–20k rows and costs well over 100 ms on these machines;
//! summing posting lists held in memory costs a few milliseconds. FTS5 still serves the phrase
//! lookups for identifiers, whose posting lists are short.
//!
//! Words: maximal runs of letters and digits, lower-cased, then the Snowball English stemmer
//! (`decides` and `decide` are one word); stopwords count in a chunk's length, as in FTS5, but
//! are dropped from queries ([`query_terms`]).

use crate::error::Result;
use bosun_store::Store;
use bosun_store::knowledge as kstore;
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{HashMap, HashSet};

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Weight of a word found in the heading path (the text weighs 1).
pub const HEADING_WEIGHT: f32 = 0.5;

#[derive(Debug, Clone, Copy)]
struct Posting {
    row: u32,
    /// Occurrences in the text plus [`HEADING_WEIGHT`] × occurrences in the heading path.
    freq: f32,
}

/// Every chunk's words, ready to score a query.
#[derive(Debug, Default)]
pub struct LexicalIndex {
    /// Row → chunk id.
    ids: Vec<i64>,
    /// Row → words in text and heading path.
    lens: Vec<u32>,
    avgdl: f64,
    /// Stem → term number; term number → its postings, by row.
    terms: HashMap<Box<str>, u32>,
    postings: Vec<Vec<Posting>>,
}

/// Split `text` into stemmed words (the same for chunks and queries).
pub fn words(stemmer: &Stemmer, text: &str, mut f: impl FnMut(String)) {
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if w.is_empty() {
            continue;
        }
        let lower = w.to_lowercase();
        f(stemmer.stem(&lower).into_owned());
    }
}

fn stemmer() -> Stemmer {
    Stemmer::create(Algorithm::English)
}

const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "again",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "even",
    "ever",
    "few",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "let",
    "me",
    "more",
    "most",
    "must",
    "my",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "really",
    "same",
    "say",
    "she",
    "should",
    "so",
    "some",
    "someone",
    "somebody",
    "something",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "us",
    "very",
    "want",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
];

/// Query words for FTS5 (stopwords dropped, lower-cased, deduplicated).
pub fn query_terms(query: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    query
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.len() > 1 || w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .filter(|w| seen.insert(w.clone()))
        .collect()
}

/// The stems of a query's words (stopwords dropped, each stem once).
pub fn query_stems(query: &str) -> Vec<String> {
    let s = stemmer();
    let mut out: Vec<String> = Vec::new();
    for t in query_terms(query) {
        words(&s, &t, |w| {
            if !out.contains(&w) {
                out.push(w);
            }
        });
    }
    out
}

/// The distinct stems of a text (every word, stopwords included).
pub fn text_stems(text: &str) -> HashSet<String> {
    let s = stemmer();
    let mut out = HashSet::new();
    words(&s, text, |w| {
        out.insert(w);
    });
    out
}

impl LexicalIndex {
    /// The IDF of a stem, as BM25 weighs it (FTS5's formula, floored at 1e-6); a stem no chunk
    /// has weighs as if one chunk had it.
    pub fn idf(&self, stem: &str) -> f32 {
        let n = self.ids.len() as f64;
        let hits = self
            .terms
            .get(stem)
            .map_or(1.0, |&t| self.postings[t as usize].len() as f64);
        let idf = ((n - hits + 0.5) / (hits + 0.5)).ln();
        if idf <= 0.0 { 1e-6 } else { idf as f32 }
    }

    /// Every chunk in the store.
    pub fn load(store: &Store) -> Result<LexicalIndex> {
        let mut b = Builder::new();
        kstore::for_each_chunk_text(store.conn(), |id, text, heading| b.add(id, text, heading))?;
        Ok(b.finish())
    }

    /// From (chunk id, text, heading path) rows (tests and benchmarks).
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = (i64, &'a str, &'a str)>) -> LexicalIndex {
        let mut b = Builder::new();
        for (id, text, heading) in rows {
            b.add(id, text, heading);
        }
        b.finish()
    }

    /// Chunks indexed.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// No chunk indexed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Approximate heap size in bytes (benchmarks).
    pub fn heap_bytes(&self) -> usize {
        self.ids.len() * 12
            + self.terms.keys().map(|k| k.len() + 32).sum::<usize>()
            + self
                .postings
                .iter()
                .map(|v| 24 + v.capacity() * std::mem::size_of::<Posting>())
                .sum::<usize>()
    }

    /// BM25 of every chunk containing at least one of `stems` (from [`query_stems`]).
    pub fn score(&self, stems: &[String]) -> Scores {
        self.score_matching(stems, 1)
    }

    /// BM25 of every chunk containing all of `stems` (the words of an identifier).
    pub fn score_all_of(&self, stems: &[String]) -> Scores {
        self.score_matching(stems, stems.len().max(1))
    }

    fn score_matching(&self, stems: &[String], at_least: usize) -> Scores {
        let n = self.ids.len() as f64;
        // A dense accumulator over rows (cheaper than a map when a common word matches many).
        let mut acc: Vec<f32> = vec![0.0; self.ids.len()];
        let mut matched: Vec<u8> = vec![0; self.ids.len()];
        let mut touched: Vec<u32> = Vec::new();
        for stem in stems {
            let Some(list) = self
                .terms
                .get(stem.as_str())
                .map(|&t| &self.postings[t as usize])
            else {
                continue;
            };
            let hits = list.len() as f64;
            let idf = ((n - hits + 0.5) / (hits + 0.5)).ln();
            let idf = if idf <= 0.0 { 1e-6 } else { idf } as f32;
            let k1 = K1 as f32;
            let (one_minus_b, b_over_avgdl) = ((1.0 - B) as f32, (B / self.avgdl) as f32);
            for p in list {
                let r = p.row as usize;
                let d = self.lens[r] as f32;
                let norm = k1 * (one_minus_b + b_over_avgdl * d);
                if matched[r] == 0 {
                    touched.push(p.row);
                }
                matched[r] = matched[r].saturating_add(1);
                acc[r] += idf * (p.freq * (k1 + 1.0)) / (p.freq + norm);
            }
        }
        let mut by_id: Vec<(i64, f64)> = touched
            .into_iter()
            .filter(|&r| usize::from(matched[r as usize]) >= at_least)
            .map(|r| (self.ids[r as usize], f64::from(acc[r as usize])))
            .collect();
        by_id.sort_unstable_by_key(|e| e.0);
        Scores { by_id }
    }
}

/// The BM25 scores of one query.
#[derive(Debug, Default)]
pub struct Scores {
    /// Sorted by chunk id.
    by_id: Vec<(i64, f64)>,
}

impl Scores {
    /// The `k` best chunks, best first (ties by chunk id).
    pub fn top(&self, k: usize) -> Vec<(i64, f64)> {
        let mut all = self.by_id.clone();
        let cmp = |a: &(i64, f64), b: &(i64, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if all.len() > k && k > 0 {
            all.select_nth_unstable_by(k - 1, cmp);
            all.truncate(k);
        } else if k == 0 {
            all.clear();
        }
        all.sort_by(cmp);
        all
    }

    /// The score of chunk `id`, if it matched.
    pub fn get(&self, id: i64) -> Option<f64> {
        self.by_id
            .binary_search_by_key(&id, |e| e.0)
            .ok()
            .map(|i| self.by_id[i].1)
    }

    /// Chunks that matched.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// No chunk matched.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

struct Builder {
    stemmer: Stemmer,
    index: LexicalIndex,
    total: u64,
    /// Word as written → its term number (a corpus has far fewer distinct words than words).
    words: HashMap<String, u32>,
    /// This chunk's terms and weighted counts.
    counts: Vec<(u32, f32)>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            stemmer: stemmer(),
            index: LexicalIndex::default(),
            total: 0,
            words: HashMap::new(),
            counts: Vec::new(),
        }
    }

    fn term(&mut self, word: &str) -> u32 {
        if let Some(&t) = self.words.get(word) {
            return t;
        }
        let stem = self.stemmer.stem(&word.to_lowercase()).into_owned();
        let next = self.index.postings.len() as u32;
        let t = *self
            .index
            .terms
            .entry(stem.into_boxed_str())
            .or_insert(next);
        if t == next {
            self.index.postings.push(Vec::new());
        }
        self.words.insert(word.to_string(), t);
        t
    }

    /// Count the terms of `text` with `weight`; returns how many words it has.
    fn count(&mut self, text: &str, weight: f32) -> u32 {
        let mut n = 0;
        for w in text.split(|c: char| !c.is_alphanumeric()) {
            if w.is_empty() {
                continue;
            }
            n += 1;
            let t = self.term(w);
            self.counts.push((t, weight));
        }
        n
    }

    fn add(&mut self, id: i64, text: &str, heading: &str) {
        let row = self.index.ids.len() as u32;
        self.counts.clear();
        let len = self.count(text, 1.0) + self.count(heading, HEADING_WEIGHT);
        self.counts.sort_unstable_by_key(|c| c.0);
        let mut i = 0;
        while i < self.counts.len() {
            let t = self.counts[i].0;
            let mut freq = 0.0;
            while i < self.counts.len() && self.counts[i].0 == t {
                freq += self.counts[i].1;
                i += 1;
            }
            self.index.postings[t as usize].push(Posting { row, freq });
        }
        self.index.ids.push(id);
        self.index.lens.push(len);
        self.total += u64::from(len);
    }

    fn finish(mut self) -> LexicalIndex {
        let n = self.index.ids.len();
        self.index.avgdl = if n == 0 {
            1.0
        } else {
            (self.total as f64 / n as f64).max(1.0)
        };
        for list in &mut self.index.postings {
            list.shrink_to_fit();
        }
        self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> LexicalIndex {
        LexicalIndex::from_rows([
            (
                10,
                "Who decides the severity? The incident commander decides.",
                "Incidents > Severity",
            ),
            (
                11,
                "Rotate the database credentials every ninety days.",
                "Runbooks > Database",
            ),
            (12, "The deploy train leaves on Tuesdays.", "Releases"),
            (13, "", ""),
        ])
    }

    #[test]
    fn bm25_matches_the_fts5_formula_by_hand() {
        let ix = index();
        // Chunk 10: 8 text words + 2 heading words; "decid" twice in the text, "sever" once in the
        // text and once in the heading (weight 0.5).
        let stems = query_stems("Who decides the severity?");
        assert_eq!(stems, vec!["decid", "sever"]);
        let n = 4.0_f64;
        let avgdl = (10.0 + 9.0 + 7.0 + 0.0) / n;
        let idf = ((n - 1.0 + 0.5) / (1.0 + 0.5)).ln();
        let term = |f: f64, d: f64| idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * d / avgdl));
        let expected = term(2.0, 10.0) + term(1.5, 10.0);
        let s = ix.score(&stems);
        assert_eq!(s.len(), 1);
        assert!(
            // Accumulated in f32: the f64 formula to float precision.
            (s.get(10).unwrap() - expected).abs() < 1e-5 * expected,
            "{:?}",
            s.get(10)
        );
        assert_eq!(s.top(5), vec![(10, s.get(10).unwrap())]);
    }

    #[test]
    fn common_words_get_a_tiny_idf_not_a_negative_one() {
        let ix = LexicalIndex::from_rows([
            (1, "alpha beta", ""),
            (2, "alpha gamma", ""),
            (3, "alpha", ""),
        ]);
        let s = ix.score(&query_stems("alpha"));
        assert_eq!(s.len(), 3);
        assert!(s.top(3).iter().all(|&(_, v)| v > 0.0 && v < 1e-5));
    }

    #[test]
    fn top_breaks_ties_by_id_and_honours_k() {
        let ix = LexicalIndex::from_rows([
            (5, "rotate keys", ""),
            (3, "rotate keys", ""),
            (4, "rotate locks", ""),
        ]);
        let s = ix.score(&query_stems("rotate"));
        let top = s.top(1);
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].0, 3);
        assert!(s.top(0).is_empty());
        assert_eq!(s.len(), 3);
        assert!(ix.score(&query_stems("nothing here")).is_empty());
        let both = ix.score_all_of(&query_stems("rotate zebra"));
        assert!(both.is_empty());
        assert_eq!(ix.score_all_of(&query_stems("rotate keys")).len(), 2);
    }

    #[test]
    fn query_terms_drop_stopwords_and_empty_pieces() {
        assert_eq!(
            query_terms("Who decides the severity?"),
            vec!["decides", "severity"]
        );
        assert!(query_terms("the of").is_empty());
        assert_eq!(query_terms("PAY-1042"), vec!["pay", "1042"]);
        assert_eq!(query_terms("  v2 -- x"), vec!["v2"]);
    }
}
