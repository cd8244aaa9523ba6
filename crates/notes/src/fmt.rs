//! Dates and durations the way a manager reads them, in the team's time zone.

use bosun_core::time::Ts;
use chrono::{Datelike, NaiveDate, Weekday};

pub use bosun_core::time::{DAY, HOUR};

pub use bosun_signals::time::human as duration;

/// The date of `t` in the zone `offset_minutes` east of UTC.
pub fn local_date(t: Ts, offset_minutes: i32) -> NaiveDate {
    bosun_core::time::from_ts(t + i64::from(offset_minutes) * 60).date_naive()
}

/// Midnight of `d` in the zone, as UTC seconds.
pub fn day_start(d: NaiveDate, offset_minutes: i32) -> Ts {
    d.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp())
        - i64::from(offset_minutes) * 60
}

/// Saturday or Sunday.
pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The working day before `d` (Friday for a Monday).
pub fn previous_working_day(d: NaiveDate) -> NaiveDate {
    let mut p = d.pred_opt().unwrap_or(d);
    while is_weekend(p) {
        p = p.pred_opt().unwrap_or(p);
    }
    p
}

/// `Friday 20 November 2026`.
pub fn long_date(d: NaiveDate) -> String {
    d.format("%A %-d %B %Y").to_string()
}

/// `Fri 20 Nov`.
pub fn short_date(d: NaiveDate) -> String {
    d.format("%a %-d %b").to_string()
}

/// `Fri 20 Nov 14:05 UTC` (or the zone's offset).
pub fn when(t: Ts, offset_minutes: i32) -> String {
    let local = bosun_core::time::from_ts(t + i64::from(offset_minutes) * 60);
    let zone = if offset_minutes == 0 {
        "UTC".to_string()
    } else {
        format!(
            "UTC{}{:02}:{:02}",
            if offset_minutes < 0 { '-' } else { '+' },
            offset_minutes.abs() / 60,
            offset_minutes.abs() % 60
        )
    };
    format!("{} {zone}", local.format("%a %-d %b %H:%M"))
}

/// Whole hours, one decimal.
pub fn hours(secs: i64) -> f64 {
    (secs as f64 / HOUR as f64 * 10.0).round() / 10.0
}

/// `1 blocker`, `3 blockers`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `12.5` → "12.5", `12.0` → "12".
pub fn points(p: f64) -> String {
    if (p - p.round()).abs() < 1e-9 {
        format!("{}", p.round() as i64)
    } else {
        format!("{p:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mondays_look_back_to_friday_and_zones_move_midnight() {
        let mon = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
        assert_eq!(
            previous_working_day(mon),
            NaiveDate::from_ymd_opt(2026, 11, 13).unwrap()
        );
        assert_eq!(long_date(mon), "Monday 16 November 2026");
        assert_eq!(day_start(mon, 0), 1_794_787_200);
        assert_eq!(day_start(mon, 60), 1_794_787_200 - 3600);
        // 23:30 UTC on Sunday is already Monday in UTC+1.
        assert_eq!(local_date(1_794_787_200 - 1800, 60), mon);
        assert_eq!(when(1_794_787_200 + 9 * HOUR, 0), "Mon 16 Nov 09:00 UTC");
        assert_eq!(points(12.0), "12");
        assert_eq!(points(2.5), "2.5");
    }
}
