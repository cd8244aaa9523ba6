//! Investment balance (issue 20.2): where a team's finished work went, per calendar month (UTC) —
//! feature, defect, debt, risk, unplanned or other — by items and story points. A finished ticket
//! counts once, in the month it was done, for its team. Unplanned work is decided by the caller
//! (incident follow-ups and hotfixes, from labels the metrics do not hold) and wins over the work
//! type; every other ticket counts under its work type. The rules travel with the numbers.

use crate::data::{Dataset, Ticket};
use crate::dora::Scope;
use bosun_core::model::WorkType;
use bosun_core::time::{Ts, from_ts};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Where a finished ticket's effort went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// New value for users.
    Feature,
    /// Fixing what was broken.
    Defect,
    /// Paying down technical debt.
    Debt,
    /// Security, compliance, risk reduction.
    Risk,
    /// Work nobody planned: incident follow-ups, hotfixes.
    Unplanned,
    /// Anything else.
    Other,
}

impl Category {
    /// Every category, in the order tables show them.
    pub const ALL: [Category; 6] = [
        Category::Feature,
        Category::Defect,
        Category::Debt,
        Category::Risk,
        Category::Unplanned,
        Category::Other,
    ];

    /// Its name in the API and tables.
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Feature => "feature",
            Category::Defect => "defect",
            Category::Debt => "debt",
            Category::Risk => "risk",
            Category::Unplanned => "unplanned",
            Category::Other => "other",
        }
    }

    fn of(work: WorkType) -> Category {
        match work {
            WorkType::Feature => Category::Feature,
            WorkType::Defect => Category::Defect,
            WorkType::Debt => Category::Debt,
            WorkType::Risk => Category::Risk,
            WorkType::Other => Category::Other,
        }
    }
}

/// One category's share of a month.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Share {
    /// The category.
    pub category: Category,
    /// Tickets finished in it.
    pub items: usize,
    /// Their story points (tickets without points add none).
    pub points: f64,
    /// Of the month's items (0–1).
    pub share_items: f64,
}

/// A finished ticket and where it counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Counted {
    /// The ticket's key.
    pub key: String,
    /// Where it counted.
    pub category: Category,
    /// Its story points.
    pub points: Option<f64>,
    /// Why it is unplanned, when it is.
    pub unplanned_because: Option<String>,
}

/// A team's month.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// The team (none: tickets of no team).
    pub team: Option<String>,
    /// Every category, in [`Category::ALL`] order, zeros included.
    pub shares: Vec<Share>,
    /// Tickets finished in the month.
    pub items: usize,
    /// Their story points.
    pub points: f64,
    /// The tickets behind the numbers.
    pub tickets: Vec<Counted>,
}

fn month_of(t: Ts) -> String {
    from_ts(t).format("%Y-%m").to_string()
}

/// The investment balance of the tickets finished in `scope` (its team, or every team apart),
/// per team and month, oldest month first. `unplanned` says why a ticket is unplanned work.
pub fn investment(data: &Dataset, scope: &Scope, unplanned: &HashMap<i64, String>) -> Vec<Month> {
    // (month, team) → its finished tickets with their categories.
    type Key = (String, Option<String>);
    let mut groups: BTreeMap<Key, Vec<(&Ticket, Category)>> = BTreeMap::new();
    for t in &data.tickets {
        if scope
            .team
            .as_deref()
            .is_some_and(|team| t.team.as_deref() != Some(team))
        {
            continue;
        }
        let Some(done) = t.done_at().filter(|d| scope.contains(*d)) else {
            continue;
        };
        let category = if unplanned.contains_key(&t.id) {
            Category::Unplanned
        } else {
            Category::of(t.work_type)
        };
        groups
            .entry((month_of(done), t.team.clone()))
            .or_default()
            .push((t, category));
    }
    groups
        .into_iter()
        .map(|((month, team), mut tickets)| {
            tickets.sort_by(|a, b| a.0.key.cmp(&b.0.key));
            let items = tickets.len();
            let shares = Category::ALL
                .iter()
                .map(|&c| {
                    let of: Vec<&&Ticket> = tickets
                        .iter()
                        .filter(|(_, k)| *k == c)
                        .map(|(t, _)| t)
                        .collect();
                    Share {
                        category: c,
                        items: of.len(),
                        points: of.iter().filter_map(|t| t.story_points).sum(),
                        share_items: if items == 0 {
                            0.0
                        } else {
                            of.len() as f64 / items as f64
                        },
                    }
                })
                .collect();
            Month {
                month,
                team,
                shares,
                items,
                points: tickets.iter().filter_map(|(t, _)| t.story_points).sum(),
                tickets: tickets
                    .iter()
                    .map(|(t, c)| Counted {
                        key: t.key.clone(),
                        category: *c,
                        points: t.story_points,
                        unplanned_because: unplanned.get(&t.id).cloned(),
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit;
    use bosun_core::model::StatusCategory;

    fn day(y: i32, m: u32, d: u32) -> Ts {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|t| t.and_utc().timestamp())
            .unwrap_or_default()
    }

    /// A ticket of `team` done on `at`, `work` and `points`.
    fn done(id: i64, team: &str, work: WorkType, points: f64, at: Ts) -> Ticket {
        let mut t = testkit::ticket(
            id,
            team,
            &[
                (StatusCategory::Active, at - 86_400),
                (StatusCategory::Done, at),
            ],
            points,
        );
        t.work_type = work;
        t
    }

    #[test]
    fn each_finished_ticket_counts_once_in_its_month_and_unplanned_wins() {
        let mut d = Dataset::default();
        let mut open = testkit::ticket(
            5,
            "harbor",
            &[(StatusCategory::Active, day(2026, 10, 2))],
            8.0,
        );
        open.work_type = WorkType::Feature;
        d.tickets = vec![
            // October, harbor: a feature (3 points), a defect (2), a feature that was a hotfix (1).
            done(1, "harbor", WorkType::Feature, 3.0, day(2026, 10, 3)),
            done(2, "harbor", WorkType::Defect, 2.0, day(2026, 10, 30)),
            done(3, "harbor", WorkType::Feature, 1.0, day(2026, 10, 12)),
            // November, compass: debt. And a ticket not done.
            done(4, "compass", WorkType::Debt, 5.0, day(2026, 11, 2)),
            open,
        ];
        let unplanned = HashMap::from([(3, "label hotfix".to_string())]);
        let scope = Scope {
            since: day(2026, 10, 1),
            until: day(2026, 11, 30),
            team: None,
            repo: None,
        };
        let m = investment(&d, &scope, &unplanned);
        assert_eq!(m.len(), 2);
        let oct = &m[0];
        assert_eq!(
            (oct.month.as_str(), oct.team.as_deref()),
            ("2026-10", Some("harbor"))
        );
        assert_eq!(oct.items, 3);
        assert_eq!(oct.points, 6.0);
        let share = |c: Category| oct.shares.iter().find(|s| s.category == c).unwrap().clone();
        assert_eq!(
            (
                share(Category::Feature).items,
                share(Category::Feature).points
            ),
            (1, 3.0)
        );
        assert_eq!(share(Category::Defect).items, 1);
        assert_eq!(share(Category::Unplanned).items, 1);
        assert!((share(Category::Feature).share_items - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(
            oct.shares.iter().map(|s| s.items).sum::<usize>(),
            oct.items,
            "the shares sum to the month's tickets"
        );
        assert_eq!(
            oct.tickets
                .iter()
                .find(|t| t.key == "T-3")
                .unwrap()
                .unplanned_because
                .as_deref(),
            Some("label hotfix")
        );
        assert_eq!(
            (m[1].month.as_str(), m[1].team.as_deref(), m[1].points),
            ("2026-11", Some("compass"), 5.0)
        );
        // One team's view.
        let scope = Scope {
            team: Some("compass".into()),
            ..scope
        };
        assert_eq!(investment(&d, &scope, &unplanned).len(), 1);
    }
}
