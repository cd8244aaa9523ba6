//! Reconstructing a ticket's past from its changelog: the statuses it went through (with the
//! flow category of each) and the sprints it was in, with when it entered and left each.

use bosun_core::model::{SprintStay, StatusCategory, StatusPeriod, TicketChange};
use bosun_core::time::Ts;
use std::collections::{BTreeSet, HashMap};

/// Status name → flow category. Jira's own categories give todo (`new`), active
/// (`indeterminate`) and done (`done`); statuses configured as waiting (review, blocked, ...)
/// become `waiting` whatever Jira says.
#[derive(Debug, Clone, Default)]
pub struct StatusMap {
    by_name: HashMap<String, StatusCategory>,
    waiting: Vec<String>,
}

/// Statuses that mean "nobody is working on it right now" unless configured otherwise.
pub const DEFAULT_WAITING: &[&str] = &[
    "in review",
    "code review",
    "review",
    "blocked",
    "waiting",
    "on hold",
    "waiting for customer",
    "ready for qa",
    "awaiting deploy",
    "ready to deploy",
];

impl StatusMap {
    pub fn new(waiting: &[String]) -> StatusMap {
        StatusMap {
            by_name: HashMap::new(),
            waiting: waiting.iter().map(|w| w.to_lowercase()).collect(),
        }
    }

    /// Record a status and its Jira category key (`new`, `indeterminate`, `done`).
    pub fn add(&mut self, name: &str, jira_category: &str) {
        let cat = match jira_category {
            "new" | "undefined" => StatusCategory::Todo,
            "done" => StatusCategory::Done,
            _ => StatusCategory::Active,
        };
        self.by_name.insert(name.to_lowercase(), cat);
    }

    /// The category of a status, with the issue's own `statusCategory.key` when the payload
    /// carries it (authoritative for that issue), else the site's status list.
    pub fn category_of(&self, name: &str, jira_category: Option<&str>) -> StatusCategory {
        if self.waiting.contains(&name.to_lowercase()) {
            return StatusCategory::Waiting;
        }
        match jira_category {
            Some("new" | "undefined") => StatusCategory::Todo,
            Some("done") => StatusCategory::Done,
            Some(_) => StatusCategory::Active,
            None => self.category(name),
        }
    }

    pub fn category(&self, name: &str) -> StatusCategory {
        let lower = name.to_lowercase();
        if self.waiting.contains(&lower) {
            return StatusCategory::Waiting;
        }
        match self.by_name.get(&lower) {
            Some(c) => *c,
            // Unknown to /status (renamed or deleted since): guess from the name.
            None if lower.contains("done")
                || lower.contains("closed")
                || lower.contains("resolved") =>
            {
                StatusCategory::Done
            }
            None if lower.contains("to do")
                || lower.contains("backlog")
                || lower == "open"
                || lower == "new" =>
            {
                StatusCategory::Todo
            }
            None => StatusCategory::Active,
        }
    }
}

fn sorted<'a>(changes: &'a [TicketChange], field: &str) -> Vec<&'a TicketChange> {
    let mut v: Vec<&TicketChange> = changes
        .iter()
        .filter(|c| c.field.eq_ignore_ascii_case(field))
        .collect();
    v.sort_by(|a, b| {
        (a.created_at, natural(&a.external_id)).cmp(&(b.created_at, natural(&b.external_id)))
    });
    v
}

/// Order "10001/0" before "9999/0" numerically.
fn natural(id: &str) -> (u64, String) {
    let head: String = id.chars().take_while(char::is_ascii_digit).collect();
    (head.parse().unwrap_or(u64::MAX), id.to_string())
}

/// The statuses a ticket stayed in, oldest first; the last one is open (`left_at` None).
pub fn status_periods(
    created_at: Ts,
    current: &str,
    changes: &[TicketChange],
    map: &StatusMap,
) -> Vec<StatusPeriod> {
    let moves = sorted(changes, "status");
    let initial = moves
        .first()
        .and_then(|c| c.from_string.clone())
        .unwrap_or_else(|| current.to_string());
    let mut periods = vec![StatusPeriod {
        category: map.category(&initial),
        status: initial,
        entered_at: created_at,
        left_at: None,
    }];
    for c in moves {
        let Some(to) = c.to_string.clone() else {
            continue;
        };
        let at = c.created_at.max(created_at);
        if let Some(last) = periods.last_mut() {
            last.left_at = Some(at);
        }
        periods.push(StatusPeriod {
            category: map.category(&to),
            status: to,
            entered_at: at,
            left_at: None,
        });
    }
    periods
}

/// Sprint ids in a Sprint field value ("12, 13" → ["12", "13"]).
pub fn sprint_ids(value: Option<&str>) -> BTreeSet<String> {
    value
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The sprints a ticket was in, each stay with when it was added and removed. `current` is the
/// Sprint field now; when the changelog disagrees with it (history trimmed by an admin), the
/// current value wins with unknown times.
pub fn sprint_stays(
    created_at: Ts,
    current: &[String],
    changes: &[TicketChange],
) -> Vec<SprintStay> {
    let moves = sorted(changes, "sprint");
    let initial: BTreeSet<String> = match moves.first() {
        Some(c) => sprint_ids(c.from_value.as_deref()),
        None => current.iter().cloned().collect(),
    };
    let mut stays: Vec<SprintStay> = initial
        .iter()
        .map(|s| SprintStay {
            sprint_external_id: s.clone(),
            added_at: Some(created_at),
            removed_at: None,
        })
        .collect();
    for c in moves {
        let from = sprint_ids(c.from_value.as_deref());
        let to = sprint_ids(c.to_value.as_deref());
        for gone in from.difference(&to) {
            if let Some(s) = stays
                .iter_mut()
                .rev()
                .find(|s| &s.sprint_external_id == gone && s.removed_at.is_none())
            {
                s.removed_at = Some(c.created_at);
            }
        }
        for new in to.difference(&from) {
            let open = stays
                .iter()
                .any(|s| &s.sprint_external_id == new && s.removed_at.is_none());
            if !open {
                stays.push(SprintStay {
                    sprint_external_id: new.clone(),
                    added_at: Some(c.created_at),
                    removed_at: None,
                });
            }
        }
    }
    for cur in current {
        if !stays
            .iter()
            .any(|s| &s.sprint_external_id == cur && s.removed_at.is_none())
        {
            stays.push(SprintStay {
                sprint_external_id: cur.clone(),
                added_at: None,
                removed_at: None,
            });
        }
    }
    stays
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: &str, at: Ts, field: &str, from: Option<&str>, to: Option<&str>) -> TicketChange {
        TicketChange {
            external_id: id.into(),
            author: None,
            created_at: at,
            field: field.into(),
            from_value: from.map(str::to_string),
            from_string: from.map(str::to_string),
            to_value: to.map(str::to_string),
            to_string: to.map(str::to_string),
        }
    }

    fn map() -> StatusMap {
        let mut m = StatusMap::new(
            &DEFAULT_WAITING
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
        );
        m.add("To Do", "new");
        m.add("In Progress", "indeterminate");
        m.add("In Review", "indeterminate");
        m.add("Done", "done");
        m
    }

    #[test]
    fn status_periods_follow_the_changelog() {
        let changes = vec![
            change("3/0", 300, "status", Some("In Progress"), Some("In Review")),
            change("1/0", 100, "status", Some("To Do"), Some("In Progress")),
            change("2/0", 200, "assignee", None, Some("x")),
            change("4/0", 400, "status", Some("In Review"), Some("Done")),
        ];
        let p = status_periods(50, "Done", &changes, &map());
        let got: Vec<(&str, StatusCategory, Ts, Option<Ts>)> = p
            .iter()
            .map(|x| (x.status.as_str(), x.category, x.entered_at, x.left_at))
            .collect();
        assert_eq!(
            got,
            vec![
                ("To Do", StatusCategory::Todo, 50, Some(100)),
                ("In Progress", StatusCategory::Active, 100, Some(300)),
                ("In Review", StatusCategory::Waiting, 300, Some(400)),
                ("Done", StatusCategory::Done, 400, None),
            ]
        );
    }

    #[test]
    fn a_ticket_that_never_moved_has_one_open_period() {
        let p = status_periods(50, "To Do", &[], &map());
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].entered_at, p[0].left_at), (50, None));
    }

    #[test]
    fn unknown_statuses_are_guessed_from_their_names() {
        let m = map();
        assert_eq!(m.category("Closed"), StatusCategory::Done);
        assert_eq!(m.category("Backlog"), StatusCategory::Todo);
        assert_eq!(m.category("Blocked"), StatusCategory::Waiting);
        assert_eq!(m.category("Deploying"), StatusCategory::Active);
    }

    #[test]
    fn sprint_stays_record_carry_over_and_removal() {
        // Created into sprint 10, carried over to 11, then removed from 11.
        let changes = vec![
            change("1/0", 1000, "Sprint", Some("10"), Some("10, 11")),
            change("2/0", 2000, "Sprint", Some("10, 11"), Some("10")),
        ];
        let stays = sprint_stays(100, &["10".to_string()], &changes);
        let got: Vec<(&str, Option<Ts>, Option<Ts>)> = stays
            .iter()
            .map(|s| (s.sprint_external_id.as_str(), s.added_at, s.removed_at))
            .collect();
        assert_eq!(
            got,
            vec![("10", Some(100), None), ("11", Some(1000), Some(2000))]
        );
    }

    #[test]
    fn sprint_stays_trust_the_current_value_when_history_is_missing() {
        let stays = sprint_stays(
            100,
            &["7".to_string()],
            &[change("1/0", 500, "Sprint", None, Some("5"))],
        );
        let got: Vec<(&str, Option<Ts>)> = stays
            .iter()
            .map(|s| (s.sprint_external_id.as_str(), s.added_at))
            .collect();
        assert_eq!(got, vec![("5", Some(500)), ("7", None)]);
    }
}
