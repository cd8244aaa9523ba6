//! Time off from an iCalendar file (RFC 5545), as an out-of-office calendar exports it: every
//! event is time off. All-day events cover their dates (DTEND exclusive); timed events of four
//! hours or more cover the dates they touch, shorter ones (an appointment) are not a day off.
//! Recurring events count their first occurrence only (the count is reported); cancelled ones
//! do not count.

use chrono::{Days, NaiveDate, NaiveDateTime};

/// Timed events shorter than this are not a day off.
const MIN_TIMED_SECS: i64 = 4 * 3600;

/// What a calendar file says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalendarTimeOff {
    /// Days off: first and last date inclusive, and the event's summary.
    pub ranges: Vec<(NaiveDate, NaiveDate, String)>,
    /// Recurring events read as their first occurrence.
    pub recurring: usize,
    /// Timed events too short to be a day off.
    pub short: usize,
}

/// A DTSTART/DTEND value: a date, or a date and time (its zone ignored: the date is the
/// person's own).
#[derive(Debug, Clone, Copy, PartialEq)]
enum When {
    Date(NaiveDate),
    At(NaiveDateTime),
}

fn parse_when(v: &str) -> Option<When> {
    let v = v.trim().trim_end_matches('Z');
    if v.len() == 8 {
        return NaiveDate::parse_from_str(v, "%Y%m%d").ok().map(When::Date);
    }
    NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S")
        .ok()
        .map(When::At)
}

/// `P1D`, `P2W`, `PT8H`, `P1DT4H` as seconds (the forms calendars write for events).
fn parse_duration(v: &str) -> Option<i64> {
    let v = v.trim().trim_start_matches('+').strip_prefix('P')?;
    let (mut total, mut n, mut in_time) = (0i64, 0i64, false);
    for c in v.chars() {
        match c {
            '0'..='9' => n = n * 10 + i64::from(c.to_digit(10)?),
            'T' => in_time = true,
            'W' => (total, n) = (total + n * 7 * 86_400, 0),
            'D' => (total, n) = (total + n * 86_400, 0),
            'H' if in_time => (total, n) = (total + n * 3600, 0),
            'M' if in_time => (total, n) = (total + n * 60, 0),
            'S' if in_time => (total, n) = (total + n, 0),
            _ => return None,
        }
    }
    Some(total)
}

/// Reads `text` (an `.ics` file). Errors name the line that could not be read.
pub fn parse(text: &str) -> Result<CalendarTimeOff, String> {
    // Unfold: a line starting with a space or a tab continues the one before.
    let mut lines: Vec<String> = Vec::new();
    for raw in text.lines() {
        match raw.strip_prefix([' ', '\t']) {
            Some(rest) if !lines.is_empty() => {
                if let Some(last) = lines.last_mut() {
                    last.push_str(rest);
                }
            }
            _ => lines.push(raw.to_string()),
        }
    }
    if !lines
        .iter()
        .any(|l| l.trim().eq_ignore_ascii_case("BEGIN:VCALENDAR"))
    {
        return Err("not an iCalendar file (no BEGIN:VCALENDAR)".into());
    }
    let mut out = CalendarTimeOff::default();
    let mut depth = 0usize; // nesting inside a VEVENT (VALARM and the like)
    let (mut start, mut end, mut duration): (Option<When>, Option<When>, Option<i64>) =
        (None, None, None);
    let (mut summary, mut recurring, mut cancelled) = (String::new(), false, false);
    for (i, line) in lines.iter().enumerate() {
        let Some((head, value)) = line.split_once(':') else {
            continue;
        };
        let name = head.split(';').next().unwrap_or("").to_ascii_uppercase();
        let value = value.trim();
        match (name.as_str(), value.to_ascii_uppercase().as_str()) {
            ("BEGIN", "VEVENT") if depth == 0 => {
                depth = 1;
                (start, end, duration) = (None, None, None);
                (summary, recurring, cancelled) = (String::new(), false, false);
            }
            ("BEGIN", _) if depth > 0 => depth += 1,
            ("END", "VEVENT") if depth == 1 => {
                depth = 0;
                if cancelled {
                    continue;
                }
                let Some(s) = start else {
                    return Err(format!("line {}: an event without DTSTART", i + 1));
                };
                if recurring {
                    out.recurring += 1;
                }
                let range = match (s, end, duration) {
                    (When::Date(a), Some(When::Date(b)), _) => {
                        Some((a, b.checked_sub_days(Days::new(1)).unwrap_or(a).max(a)))
                    }
                    (When::Date(a), _, Some(secs)) => Some((
                        a,
                        a.checked_add_days(Days::new((secs / 86_400).max(1i64) as u64 - 1))
                            .unwrap_or(a),
                    )),
                    (When::Date(a), _, None) => Some((a, a)),
                    (When::At(a), e, d) => {
                        let b = match (e, d) {
                            (Some(When::At(b)), _) => b,
                            (Some(When::Date(b)), _) => b.and_hms_opt(0, 0, 0).unwrap_or(a),
                            (None, Some(secs)) => a + chrono::Duration::seconds(secs),
                            (None, None) => a,
                        };
                        if (b - a).num_seconds() < MIN_TIMED_SECS {
                            out.short += 1;
                            None
                        } else {
                            // The last date touched (an end at midnight does not touch its day).
                            let last = (b - chrono::Duration::seconds(1)).date();
                            Some((a.date(), last.max(a.date())))
                        }
                    }
                };
                if let Some((a, b)) = range {
                    out.ranges.push((a, b, summary.clone()));
                }
            }
            ("END", _) if depth > 1 => depth -= 1,
            _ if depth == 1 => match name.as_str() {
                "DTSTART" => {
                    start = Some(
                        parse_when(value)
                            .ok_or_else(|| format!("line {}: DTSTART {value:?}", i + 1))?,
                    );
                }
                "DTEND" => {
                    end = Some(
                        parse_when(value)
                            .ok_or_else(|| format!("line {}: DTEND {value:?}", i + 1))?,
                    );
                }
                "DURATION" => duration = parse_duration(value),
                "SUMMARY" => summary = value.replace("\\,", ",").replace("\\;", ";"),
                "RRULE" | "RDATE" => recurring = true,
                "STATUS" => cancelled = value.eq_ignore_ascii_case("CANCELLED"),
                _ => {}
            },
            _ => {}
        }
    }
    out.ranges.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn all_day_timed_short_cancelled_and_folded_events() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Holiday in\r\n  Lisbon\r\n\
                   DTSTART;VALUE=DATE:20261130\r\nDTEND;VALUE=DATE:20261203\r\nEND:VEVENT\r\n\
                   BEGIN:VEVENT\r\nSUMMARY:Dentist\r\nDTSTART:20261207T090000Z\r\nDTEND:20261207T100000Z\r\nEND:VEVENT\r\n\
                   BEGIN:VEVENT\r\nSUMMARY:Conference\r\nDTSTART;TZID=Europe/Berlin:20261208T090000\r\n\
                   DURATION:P1DT9H\r\nBEGIN:VALARM\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n\
                   BEGIN:VEVENT\r\nSUMMARY:Off\r\nSTATUS:CANCELLED\r\nDTSTART;VALUE=DATE:20261224\r\nEND:VEVENT\r\n\
                   BEGIN:VEVENT\r\nSUMMARY:Day\r\nDTSTART;VALUE=DATE:20261211\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let c = parse(ics).unwrap();
        assert_eq!(
            c.ranges,
            vec![
                (d("2026-11-30"), d("2026-12-02"), "Holiday in Lisbon".into()),
                (d("2026-12-08"), d("2026-12-09"), "Conference".into()),
                (d("2026-12-11"), d("2026-12-11"), "Day".into()),
            ]
        );
        assert_eq!((c.short, c.recurring), (1, 0));
    }

    /// A real export nobody here wrote: Mozilla Calendar's sample (in pyparsing's examples, MIT),
    /// every property folded onto its own line, an all-day event from 14 July to 15 August 2004
    /// (DTEND exclusive) that recurs monthly, and an alarm nested in it.
    #[test]
    fn a_real_mozilla_calendar_export() {
        let c = parse(include_str!("../tests/data/mozilla.ics")).unwrap();
        assert_eq!(
            c.ranges,
            vec![(d("2004-07-14"), d("2004-08-14"), "Test event".into())]
        );
        assert_eq!(c.recurring, 1);
    }

    #[test]
    fn what_is_not_a_calendar_says_so() {
        assert!(parse("hello").unwrap_err().contains("VCALENDAR"));
        let bad = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:tomorrow\nEND:VEVENT\nEND:VCALENDAR\n";
        assert!(parse(bad).unwrap_err().contains("line 3"));
    }
}
