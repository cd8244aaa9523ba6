//! Durations the way a manager reads them, and working time (weekends excluded, in a given time
//! zone).

use bosun_core::time::Ts;

pub use bosun_core::time::{DAY, HOUR};

/// Seconds between `from` and `to` that fall on a Monday–Friday in the zone `offset_minutes`
/// east of UTC. Zero when `to <= from`.
pub fn working_secs(from: Ts, to: Ts, offset_minutes: i32) -> i64 {
    if to <= from {
        return 0;
    }
    let off = i64::from(offset_minutes) * 60;
    let (a, b) = (from + off, to + off);
    let mut total = 0;
    let mut day = a.div_euclid(DAY);
    let last = (b - 1).div_euclid(DAY);
    // Whole weeks at once, then the remainder day by day.
    let span = last - day;
    if span > 14 {
        let weeks = (span - 7) / 7;
        // The days strictly inside [day+1, day+1+7*weeks) are whole weeks: 5 working days each.
        let first_full = day + 1;
        total += weeks * 5 * DAY;
        let mut d = first_full + weeks * 7;
        total += day_part(a, b, day);
        while d <= last {
            total += day_part(a, b, d);
            d += 1;
        }
        return total;
    }
    while day <= last {
        total += day_part(a, b, day);
        day += 1;
    }
    total
}

fn day_part(a: Ts, b: Ts, day: i64) -> i64 {
    // 1970-01-01 was a Thursday: weekday 0 = Monday.
    let weekday = (day + 3).rem_euclid(7);
    if weekday >= 5 {
        return 0;
    }
    let (s, e) = (day * DAY, day * DAY + DAY);
    (b.min(e) - a.max(s)).max(0)
}

/// `5 min`, `7 h`, `3.5 days`.
pub fn human(secs: i64) -> String {
    let secs = secs.max(0);
    if secs < HOUR {
        format!("{} min", secs / 60)
    } else if secs < 2 * DAY {
        format!("{} h", (secs as f64 / HOUR as f64).round() as i64)
    } else {
        let d = secs as f64 / DAY as f64;
        if d < 10.0 {
            format!("{d:.1} days")
        } else {
            format!("{} days", d.round() as i64)
        }
    }
}

/// `2026-11-20`.
pub fn date(ts: Ts) -> String {
    bosun_core::time::from_ts(ts).format("%Y-%m-%d").to_string()
}

/// The local time of day (minutes after midnight) and weekday (0 = Monday) at `t`.
pub fn local_clock(t: Ts, offset_minutes: i32) -> (i64, i64) {
    let local = t + i64::from(offset_minutes) * 60;
    let minutes = local.rem_euclid(DAY) / 60;
    let weekday = (local.div_euclid(DAY) + 3).rem_euclid(7);
    (minutes, weekday)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-16 is a Monday.
    const MON: Ts = 1_794_787_200;

    #[test]
    fn weekends_do_not_count() {
        assert_eq!(working_secs(MON, MON + DAY, 0), DAY);
        // Friday noon → Monday noon is one working day.
        let fri_noon = MON + 4 * DAY + 12 * HOUR;
        assert_eq!(working_secs(fri_noon, fri_noon + 3 * DAY, 0), DAY);
        // A whole week is five days, also in the long-span path.
        assert_eq!(working_secs(MON, MON + 7 * DAY, 0), 5 * DAY);
        assert_eq!(working_secs(MON, MON + 35 * DAY, 0), 25 * DAY);
        assert_eq!(working_secs(MON + HOUR, MON + 35 * DAY + HOUR, 0), 25 * DAY);
        assert_eq!(working_secs(MON, MON - 1, 0), 0);
    }

    #[test]
    fn long_spans_match_day_by_day() {
        for start in [MON - 5 * HOUR, MON + 2 * DAY + 7 * HOUR, MON + 5 * DAY + 1] {
            for len in [15 * DAY + 3 * HOUR, 23 * DAY, 60 * DAY + 11 * HOUR] {
                let mut slow = 0;
                let mut d = start.div_euclid(DAY);
                while d <= (start + len - 1).div_euclid(DAY) {
                    slow += day_part(start, start + len, d);
                    d += 1;
                }
                assert_eq!(working_secs(start, start + len, 0), slow, "{start} {len}");
            }
        }
    }

    #[test]
    fn time_zones_move_the_weekend() {
        // Sunday 22:00 UTC is already Monday 07:00 in UTC+9.
        let sun_22 = MON - 2 * HOUR;
        assert_eq!(working_secs(sun_22, MON, 0), 0);
        assert_eq!(working_secs(sun_22, MON, 9 * 60), 2 * HOUR);
        assert_eq!(local_clock(sun_22, 9 * 60), (7 * 60, 0));
    }

    #[test]
    fn humane_durations() {
        assert_eq!(human(90), "1 min");
        assert_eq!(human(26 * HOUR), "26 h");
        assert_eq!(human(3 * DAY + 12 * HOUR), "3.5 days");
        assert_eq!(human(12 * DAY), "12 days");
    }
}
