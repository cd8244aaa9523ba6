//! Timestamps. The store keeps UTC seconds since the epoch (`Ts`); providers speak RFC 3339.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

/// Seconds since the Unix epoch, UTC.
pub type Ts = i64;

/// One hour in seconds.
pub const HOUR: Ts = 3_600;
/// One day in seconds (a UTC day: no leap seconds).
pub const DAY: Ts = 86_400;
/// One week in seconds.
pub const WEEK: Ts = 7 * DAY;

/// Seconds since the epoch of a UTC time.
pub fn to_ts(t: DateTime<Utc>) -> Ts {
    t.timestamp()
}

/// The UTC time of `ts` (the earliest representable time when out of range).
pub fn from_ts(ts: Ts) -> DateTime<Utc> {
    Utc.timestamp_opt(ts, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// RFC 3339 with a `Z` and whole seconds, the way GitHub writes timestamps.
pub fn rfc3339(ts: Ts) -> String {
    from_ts(ts).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parse an RFC 3339 timestamp (any offset) into UTC seconds.
pub fn parse_rfc3339(s: &str) -> Option<Ts> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc).timestamp())
}

/// Parse `--as-of`/`--since` style input: RFC 3339, or a plain date (midnight UTC).
pub fn parse_user_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_github_timestamps() {
        let ts = parse_rfc3339("2011-01-26T19:01:12Z").unwrap();
        assert_eq!(ts, 1_296_068_472);
        assert_eq!(rfc3339(ts), "2011-01-26T19:01:12Z");
        assert_eq!(parse_rfc3339("2011-01-26T21:01:12+02:00"), Some(ts));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn user_time_accepts_dates() {
        assert_eq!(
            parse_user_time("2026-11-20").map(to_ts),
            parse_rfc3339("2026-11-20T00:00:00Z")
        );
        assert!(parse_user_time("20/11/2026").is_none());
    }
}
