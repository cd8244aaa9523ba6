//! Jira timestamps, and what happens to the odd ones.
//!
//! Jira writes `2018-06-20T16:50:35.000+0300` (and Data Center sometimes `+03:00` or `Z`); due
//! dates are plain `2026-12-01`. Atlassian's own examples also contain an integer (`1492071429`,
//! epoch seconds) and strings dated 1970 (that same number read as milliseconds). The rule:
//! - strings in any of the shapes above are parsed with their offset;
//! - integers are epoch milliseconds when ≥ 10¹², else epoch seconds;
//! - anything before 2000-01-01 or from 2100 on is *implausible* (no Jira instance holds such
//!   dates; the 1970 values are unit mistakes) and rejected;
//! - a rejected value never becomes a timestamp: the caller drops the field (or the changelog
//!   entry) and counts it, so the sync report says how many values were refused.

use bosun_core::time::Ts;
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde_json::Value;

/// 2000-01-01T00:00:00Z.
pub const EARLIEST: Ts = 946_684_800;
/// 2100-01-01T00:00:00Z.
pub const LATEST: Ts = 4_102_444_800;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeError {
    /// Not a timestamp in any shape Jira uses.
    NotADate(String),
    /// A timestamp, but outside 2000–2100.
    Implausible(String),
}

impl std::fmt::Display for TimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimeError::NotADate(v) => write!(f, "{v} is not a date"),
            TimeError::Implausible(v) => write!(f, "{v} is outside 2000-2100 and was refused"),
        }
    }
}

fn plausible(ts: Ts, shown: &str) -> Result<Ts, TimeError> {
    if (EARLIEST..LATEST).contains(&ts) {
        Ok(ts)
    } else {
        Err(TimeError::Implausible(shown.to_string()))
    }
}

/// Parse a Jira timestamp string.
pub fn parse_str(s: &str) -> Result<Ts, TimeError> {
    let s = s.trim();
    let parsed = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z"))
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .map(|t| t.timestamp())
        .or_else(|_| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .map(|t| t.and_utc().timestamp())
        })
        .or_else(|_| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map(|d| {
                d.and_hms_opt(0, 0, 0)
                    .unwrap_or_default()
                    .and_utc()
                    .timestamp()
            })
        });
    match parsed {
        Ok(ts) => plausible(ts, s),
        Err(_) => Err(TimeError::NotADate(format!("{s:?}"))),
    }
}

/// Parse a JSON value holding a Jira timestamp (string or integer). `Ok(None)` for null/absent.
pub fn parse(v: Option<&Value>) -> Result<Option<Ts>, TimeError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => parse_str(s).map(Some),
        Some(Value::Number(n)) => {
            let Some(i) = n.as_i64() else {
                return Err(TimeError::NotADate(n.to_string()));
            };
            let secs = if i.abs() >= 1_000_000_000_000 {
                i / 1000
            } else {
                i
            };
            plausible(secs, &n.to_string()).map(Some)
        }
        Some(other) => Err(TimeError::NotADate(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> Ts {
        bosun_core::time::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn every_shape_jira_writes() {
        assert_eq!(
            parse_str("2018-06-20T16:50:35.000+0300"),
            Ok(at("2018-06-20T13:50:35Z"))
        );
        assert_eq!(
            parse_str("2016-02-01T08:17:04.000-0800"),
            Ok(at("2016-02-01T16:17:04Z"))
        );
        assert_eq!(
            parse_str("2015-04-11T15:22:00.000+10:00"),
            Ok(at("2015-04-11T05:22:00Z"))
        );
        assert_eq!(
            parse_str("2022-07-04T05:26:17.078+0000"),
            Ok(at("2022-07-04T05:26:17Z"))
        );
        assert_eq!(
            parse_str("2026-11-20T09:00:00Z"),
            Ok(at("2026-11-20T09:00:00Z"))
        );
        assert_eq!(parse_str("2026-12-01"), Ok(at("2026-12-01T00:00:00Z")));
    }

    #[test]
    fn integers_are_seconds_or_milliseconds() {
        // Atlassian's getBulkChangelogs example.
        assert_eq!(
            parse(Some(&json!(1492071429))),
            Ok(Some(at("2017-04-13T08:17:09Z")))
        );
        assert_eq!(
            parse(Some(&json!(1492071429000i64))),
            Ok(Some(at("2017-04-13T08:17:09Z")))
        );
    }

    #[test]
    fn garbage_never_becomes_a_timestamp() {
        // Atlassian's getChangeLogs example: the same instant read as milliseconds.
        assert!(matches!(
            parse_str("1970-01-18T06:27:51.429+0000"),
            Err(TimeError::Implausible(_))
        ));
        // getIssue's `"updated": 1`.
        assert!(matches!(
            parse(Some(&json!(1))),
            Err(TimeError::Implausible(_))
        ));
        assert!(matches!(
            parse_str("19/Feb/07"),
            Err(TimeError::NotADate(_))
        ));
        assert!(matches!(
            parse(Some(&json!(true))),
            Err(TimeError::NotADate(_))
        ));
        assert_eq!(parse(Some(&Value::Null)), Ok(None));
        assert_eq!(parse(None), Ok(None));
    }
}
