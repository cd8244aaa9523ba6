//! Public holidays by country, from the dataset bundled in `data/holidays.tsv`: national
//! holidays of 64 countries for the years the file's `# years` line names, generated from the
//! `holidays` package on PyPI by `scripts/update-holidays` (rerun yearly, review the diff).
//! Regional holidays are not in it; a team adds the days it observes as company days off.

use chrono::{Datelike, NaiveDate, Weekday};
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

const BUNDLED: &str = include_str!("../data/holidays.tsv");

/// Countries whose weekend is Friday and Saturday (the rest: Saturday and Sunday).
const FRIDAY_SATURDAY_WEEKEND: &[&str] = &["EG", "IL", "SA"];

/// The holiday calendar: `(country, date)` → the holiday's name.
#[derive(Debug, Default)]
pub struct Holidays {
    days: HashMap<(String, NaiveDate), String>,
    countries: Vec<String>,
    first_year: i32,
    last_year: i32,
}

impl Holidays {
    /// The bundled dataset (parsed once).
    pub fn bundled() -> &'static Holidays {
        static CELL: OnceLock<Holidays> = OnceLock::new();
        CELL.get_or_init(|| Holidays::parse(BUNDLED))
    }

    /// Reads the dataset's format: `# years\tFIRST\tLAST`, then `CC\tYYYY-MM-DD\tName` lines.
    /// Lines that do not parse are skipped (the file is generated and checked by a test).
    pub fn parse(text: &str) -> Holidays {
        let mut h = Holidays::default();
        for line in text.lines() {
            let mut f = line.split('\t');
            match (f.next(), f.next(), f.next()) {
                (Some("# years"), Some(a), Some(b)) => {
                    h.first_year = a.trim().parse().unwrap_or(0);
                    h.last_year = b.trim().parse().unwrap_or(0);
                }
                (Some(c), Some(d), Some(name)) if !c.starts_with('#') => {
                    if let Ok(date) = NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                        if !h.countries.iter().any(|x| x == c) {
                            h.countries.push(c.to_string());
                        }
                        h.days.insert((c.to_string(), date), name.to_string());
                    }
                }
                _ => {}
            }
        }
        h
    }

    /// The holiday on `date` in `country` (ISO 3166-1 alpha-2, any case), if any.
    pub fn on(&self, country: &str, date: NaiveDate) -> Option<&str> {
        self.days
            .get(&(country.to_ascii_uppercase(), date))
            .map(String::as_str)
    }

    /// Whether the dataset has `country` at all.
    pub fn knows(&self, country: &str) -> bool {
        let c = country.to_ascii_uppercase();
        self.countries.contains(&c)
    }

    /// Whether the dataset covers `year` (outside it, no holiday is known for any country).
    pub fn covers(&self, year: i32) -> bool {
        (self.first_year..=self.last_year).contains(&year)
    }

    /// The years covered, first and last.
    pub fn years(&self) -> (i32, i32) {
        (self.first_year, self.last_year)
    }
}

/// Whether `date` is a weekend day in `country` (Saturday and Sunday unless the country rests
/// on Friday and Saturday; unknown countries rest on Saturday and Sunday).
pub fn is_weekend(country: Option<&str>, date: NaiveDate) -> bool {
    let fri_sat = country.is_some_and(|c| {
        FRIDAY_SATURDAY_WEEKEND
            .iter()
            .any(|x| x.eq_ignore_ascii_case(c))
    });
    match date.weekday() {
        Weekday::Fri => fri_sat,
        Weekday::Sat => true,
        Weekday::Sun => !fri_sat,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_bundled_dataset_knows_dated_national_holidays() {
        let h = Holidays::bundled();
        assert!(h.covers(2026) && h.covers(2028), "{:?}", h.years());
        assert!(h.knows("us") && h.knows("JP") && h.knows("DE") && !h.knows("XX"));
        // Movable feasts computed, not copied: Thanksgiving is the fourth Thursday of November,
        // Japan's Labor Thanksgiving Day falls on a Monday in 2026, Easter Monday moves.
        assert_eq!(h.on("US", d("2026-11-26")), Some("Thanksgiving Day"));
        assert_eq!(h.on("US", d("2027-11-25")), Some("Thanksgiving Day"));
        assert_eq!(h.on("JP", d("2026-11-23")), Some("Labor Thanksgiving Day"));
        assert_eq!(h.on("DE", d("2026-04-06")), Some("Easter Monday"));
        assert_eq!(h.on("DE", d("2027-03-29")), Some("Easter Monday"));
        assert_eq!(h.on("GB", d("2026-12-25")), Some("Christmas Day"));
        assert_eq!(h.on("US", d("2026-11-27")), None);
        assert_eq!(h.on("DE", d("2026-11-26")), None);
        // Every country has at least its new year or a handful of days each year covered.
        for c in ["US", "GB", "IN", "BR", "NG", "AU", "CN"] {
            let n = (1..=365)
                .filter_map(|i| d("2026-01-01").checked_add_days(chrono::Days::new(i - 1)))
                .filter(|x| h.on(c, *x).is_some())
                .count();
            assert!((5..40).contains(&n), "{c}: {n} holidays in 2026");
        }
    }

    #[test]
    fn weekends_follow_the_country() {
        // 2026-12-04 is a Friday, 2026-12-06 a Sunday.
        assert!(!is_weekend(Some("US"), d("2026-12-04")));
        assert!(is_weekend(Some("US"), d("2026-12-06")));
        assert!(is_weekend(Some("SA"), d("2026-12-04")));
        assert!(!is_weekend(Some("il"), d("2026-12-06")));
        assert!(is_weekend(None, d("2026-12-05")));
    }
}
