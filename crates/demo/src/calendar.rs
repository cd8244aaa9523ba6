//! Working time: people work on working days between 09:00 and 18:00 in their own time zone, and
//! not on their days off. Durations of work are counted in working seconds.

use bosun_core::time::Ts;

pub use bosun_core::time::{DAY, HOUR};

pub const WORK_START: i64 = 9 * HOUR;
pub const WORK_END: i64 = 18 * HOUR;
const WORK_SECS_PER_DAY: i64 = WORK_END - WORK_START;

#[derive(Debug, Clone)]
pub struct Calendar {
    /// Offset of local time from UTC, seconds.
    pub offset: i64,
    /// Working days, Monday = 0.
    pub working_days: [bool; 7],
    /// Local day numbers (days since the epoch in local time) that are days off.
    pub days_off: Vec<i64>,
}

/// Monday = 0 for a local day number (1970-01-01 was a Thursday).
pub fn weekday(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

impl Calendar {
    pub fn new(offset_hours: i64, working_days: &[String]) -> Calendar {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let mut wd = [false; 7];
        for (i, n) in names.iter().enumerate() {
            wd[i] = working_days.iter().any(|d| d.eq_ignore_ascii_case(n));
        }
        Calendar {
            offset: offset_hours * HOUR,
            working_days: wd,
            days_off: Vec::new(),
        }
    }

    pub fn local_day(&self, t: Ts) -> i64 {
        (t + self.offset).div_euclid(DAY)
    }

    pub fn is_working_day(&self, day: i64) -> bool {
        self.working_days[weekday(day)] && !self.days_off.contains(&day)
    }

    /// Is `t` inside working hours on a working day?
    pub fn is_working(&self, t: Ts) -> bool {
        let local = t + self.offset;
        let day = local.div_euclid(DAY);
        let sec = local.rem_euclid(DAY);
        self.is_working_day(day) && (WORK_START..WORK_END).contains(&sec)
    }

    /// `t` itself when it is working time, else the start of the next working period.
    pub fn next_working(&self, t: Ts) -> Ts {
        let local = t + self.offset;
        let mut day = local.div_euclid(DAY);
        let sec = local.rem_euclid(DAY);
        if self.is_working_day(day) && sec < WORK_END {
            return if sec >= WORK_START {
                t
            } else {
                day * DAY + WORK_START - self.offset
            };
        }
        // Bounded: at least one working day per week unless every day is off.
        for _ in 0..400 {
            day += 1;
            if self.is_working_day(day) {
                return day * DAY + WORK_START - self.offset;
            }
        }
        t
    }

    /// Start of the local working day `day` (09:00 local) in UTC.
    pub fn day_start(&self, day: i64) -> Ts {
        day * DAY + WORK_START - self.offset
    }

    /// The moment `work` working seconds after `t`.
    pub fn add_work(&self, t: Ts, work: i64) -> Ts {
        let mut t = self.next_working(t);
        let mut left = work.max(0);
        for _ in 0..4000 {
            let local = t + self.offset;
            let day = local.div_euclid(DAY);
            let end_today = day * DAY + WORK_END - self.offset;
            let room = end_today - t;
            if left <= room {
                return t + left;
            }
            left -= room;
            t = self.next_working(end_today);
        }
        t + left
    }

    /// Working seconds between `a` and `b` (0 when `b <= a`).
    pub fn work_between(&self, a: Ts, b: Ts) -> i64 {
        if b <= a {
            return 0;
        }
        let mut total = 0;
        let mut t = self.next_working(a);
        while t < b {
            let day = (t + self.offset).div_euclid(DAY);
            let end_today = (day * DAY + WORK_END - self.offset).min(b);
            total += (end_today - t).max(0);
            t = self.next_working(day * DAY + WORK_END - self.offset);
        }
        total.min(WORK_SECS_PER_DAY * ((b - a) / DAY + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_core::time::parse_rfc3339;

    fn cal() -> Calendar {
        let days: Vec<String> = ["Mon", "Tue", "Wed", "Thu", "Fri"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        Calendar::new(1, &days)
    }

    #[test]
    fn weekends_and_nights_are_skipped() {
        let c = cal();
        // Friday 2026-11-20 17:30 local (16:30Z) + 1 working hour = Monday 09:30 local (08:30Z).
        let fri = parse_rfc3339("2026-11-20T16:30:00Z").unwrap();
        assert!(c.is_working(fri));
        assert_eq!(
            c.add_work(fri, HOUR),
            parse_rfc3339("2026-11-23T08:30:00Z").unwrap()
        );
        let sat = parse_rfc3339("2026-11-21T12:00:00Z").unwrap();
        assert!(!c.is_working(sat));
        assert_eq!(
            c.next_working(sat),
            parse_rfc3339("2026-11-23T08:00:00Z").unwrap()
        );
        assert_eq!(c.work_between(fri, c.add_work(fri, HOUR)), HOUR);
    }

    #[test]
    fn days_off_are_not_working() {
        let mut c = cal();
        let mon = parse_rfc3339("2026-11-23T10:00:00Z").unwrap();
        c.days_off.push(c.local_day(mon));
        assert!(!c.is_working(mon));
        assert_eq!(
            c.next_working(mon),
            parse_rfc3339("2026-11-24T08:00:00Z").unwrap()
        );
    }
}
