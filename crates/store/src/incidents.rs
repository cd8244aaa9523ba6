//! Incidents as the incident view reads them: the list, one incident's log and responders, and
//! the chat messages that name it.

use crate::Result;
use bosun_core::time::Ts;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// One incident with its service and team.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRow {
    pub id: i64,
    pub provider: String,
    pub external_id: String,
    pub number: Option<i64>,
    pub title: String,
    /// triggered, acknowledged or resolved.
    pub status: String,
    pub urgency: Option<String>,
    pub priority: Option<String>,
    /// The service key (what repositories name), else its provider id.
    pub service: Option<String>,
    pub service_name: Option<String>,
    /// The team owning the service.
    pub team: Option<String>,
    pub created_at: Ts,
    pub acknowledged_at: Option<Ts>,
    pub resolved_at: Option<Ts>,
    pub html_url: Option<String>,
    /// The escalation policy paging for its service (the provider's id).
    pub escalation_policy: Option<String>,
}

const SELECT: &str = "SELECT i.id, i.provider, i.external_id, i.number, i.title, i.status, i.urgency, i.priority,
        coalesce(sv.key, sv.external_id), sv.name, t.key, i.created_at, i.acknowledged_at, i.resolved_at, i.html_url,
        sv.escalation_policy
     FROM incidents i LEFT JOIN services sv ON sv.id = i.service_id LEFT JOIN teams t ON t.id = sv.team_id";

fn row(r: &Row<'_>) -> rusqlite::Result<IncidentRow> {
    Ok(IncidentRow {
        id: r.get(0)?,
        provider: r.get(1)?,
        external_id: r.get(2)?,
        number: r.get(3)?,
        title: r.get(4)?,
        status: r.get(5)?,
        urgency: r.get(6)?,
        priority: r.get(7)?,
        service: r.get(8)?,
        service_name: r.get(9)?,
        team: r.get(10)?,
        created_at: r.get(11)?,
        acknowledged_at: r.get(12)?,
        resolved_at: r.get(13)?,
        html_url: r.get(14)?,
        escalation_policy: r.get(15)?,
    })
}

/// A ticket that follows an incident up: it carries the incident's id as a label (as Bosun's
/// postmortem follow-ups do) or names it in its summary ("PT4KHLK follow-up: …").
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpTicketRow {
    pub key: String,
    pub summary: String,
    pub status: Option<String>,
    pub status_category: Option<bosun_core::model::StatusCategory>,
    /// The assignee's name (their person's, else the account's).
    pub assignee: Option<String>,
    pub due_at: Option<Ts>,
    pub html_url: Option<String>,
}

/// The tickets labelled with incident `external_id` or naming it as a word of their summary
/// (ignoring case, as the overdue follow-ups signal reads them), oldest first.
pub fn follow_up_tickets(conn: &Connection, external_id: &str) -> Result<Vec<FollowUpTicketRow>> {
    let mut stmt = conn.prepare(
        "SELECT t.key, t.summary, t.status, t.status_category, coalesce(p.name, a.display_name, a.login),
                t.due_at, t.html_url,
                EXISTS (SELECT 1 FROM json_each(t.labels) l WHERE lower(l.value) = lower(?1))
           FROM tickets t
           LEFT JOIN accounts a ON a.id = t.assignee_account_id
           LEFT JOIN people p ON p.id = a.person_id
          WHERE EXISTS (SELECT 1 FROM json_each(t.labels) l WHERE lower(l.value) = lower(?1))
             OR instr(lower(t.summary), lower(?1)) > 0
          ORDER BY t.created_at, t.key",
    )?;
    let rows = stmt
        .query_map([external_id], |r| {
            let labelled: bool = r.get(7)?;
            Ok((
                labelled,
                FollowUpTicketRow {
                    key: r.get(0)?,
                    summary: r.get(1)?,
                    status: r.get(2)?,
                    status_category: r
                        .get::<_, Option<String>>(3)?
                        .as_deref()
                        .and_then(bosun_core::model::StatusCategory::parse),
                    assignee: r.get(4)?,
                    due_at: r.get(5)?,
                    html_url: r.get(6)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // A summary names it only as a whole word: `PT4KHLK`, not `PT4KHLKX`.
    let named = |summary: &str| {
        summary
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w.eq_ignore_ascii_case(external_id))
    };
    Ok(rows
        .into_iter()
        .filter(|(labelled, t)| *labelled || named(&t.summary))
        .map(|(_, t)| t)
        .collect())
}

/// Every incident, newest first.
pub fn list(conn: &Connection) -> Result<Vec<IncidentRow>> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY i.created_at DESC, i.id DESC"))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The incident `reference` names: its provider id (`Q1A2B3`), its number (`1042`, `#1042`) or
/// its store id.
pub fn find(conn: &Connection, reference: &str) -> Result<Option<IncidentRow>> {
    let r = reference.trim().trim_start_matches('#');
    let by = |clause: &str, value: &dyn rusqlite::ToSql| -> Result<Option<IncidentRow>> {
        Ok(conn
            .query_row(
                &format!("{SELECT} WHERE {clause} ORDER BY i.id LIMIT 1"),
                [value],
                row,
            )
            .optional()?)
    };
    if let Some(found) = by("i.external_id = ?1", &r)? {
        return Ok(Some(found));
    }
    match r.parse::<i64>() {
        Ok(n) => match by("i.number = ?1", &n)? {
            Some(found) => Ok(Some(found)),
            None => by("i.id = ?1", &n),
        },
        Err(_) => Ok(None),
    }
}

/// One entry of an incident's log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRow {
    pub external_id: String,
    /// The provider's kind, e.g. `trigger_log_entry`, `acknowledge_log_entry`.
    pub kind: String,
    pub at: Ts,
    /// Who did it: the person's name, else the account's.
    pub agent: Option<String>,
    pub summary: Option<String>,
}

/// The log of incident `id`, in order.
pub fn log(conn: &Connection, id: i64) -> Result<Vec<LogRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.external_id, l.kind, l.created_at, coalesce(p.name, a.display_name, a.login), l.summary
         FROM incident_log_entries l
         LEFT JOIN accounts a ON a.id = l.agent_account_id LEFT JOIN people p ON p.id = a.person_id
         WHERE l.incident_id = ?1 ORDER BY l.created_at, l.id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(LogRow {
            external_id: r.get(0)?,
            kind: r.get(1)?,
            at: r.get(2)?,
            agent: r.get(3)?,
            summary: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The people assigned to incident `id` and everyone who acted in its log, by name, each once, in
/// the order they joined.
pub fn responders(conn: &Connection, id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM (
             SELECT coalesce(p.name, a.display_name, a.login) AS name, coalesce(x.assigned_at, 0) AS at
             FROM incident_assignments x JOIN accounts a ON a.id = x.account_id
             LEFT JOIN people p ON p.id = a.person_id WHERE x.incident_id = ?1
             UNION ALL
             SELECT coalesce(p.name, a.display_name, a.login), l.created_at
             FROM incident_log_entries l JOIN accounts a ON a.id = l.agent_account_id
             LEFT JOIN people p ON p.id = a.person_id WHERE l.incident_id = ?1)
         WHERE name IS NOT NULL GROUP BY name ORDER BY min(at), name",
    )?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Someone on call at one level of an escalation policy.
#[derive(Debug, Clone, PartialEq)]
pub struct OnCallRow {
    /// 1 is paged first.
    pub level: i64,
    /// The person's name, else the account's.
    pub name: String,
    pub schedule_name: Option<String>,
    /// None: always.
    pub start_at: Option<Ts>,
    /// None: never.
    pub end_at: Option<Ts>,
}

/// Who is on call for `policy` at `at`, level by level, and the shift that follows each (the
/// next person at that level), as `(now, next)`.
pub fn on_call(
    conn: &Connection,
    policy: &str,
    at: Ts,
) -> Result<(Vec<OnCallRow>, Vec<OnCallRow>)> {
    let read = |sql: &str| -> Result<Vec<OnCallRow>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![policy, at], |r| {
            Ok(OnCallRow {
                level: r.get(0)?,
                name: r.get(1)?,
                schedule_name: r.get(2)?,
                start_at: r.get(3)?,
                end_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    const COLUMNS: &str =
        "s.level, coalesce(p.name, a.display_name, a.login, a.external_id), s.schedule_name,
        s.start_at, s.end_at FROM oncall_shifts s JOIN accounts a ON a.id = s.account_id
        LEFT JOIN people p ON p.id = a.person_id WHERE s.policy = ?1";
    let now = read(&format!(
        "SELECT {COLUMNS} AND coalesce(s.start_at, ?2) <= ?2 AND coalesce(s.end_at, ?2 + 1) > ?2
         ORDER BY s.level, s.start_at, s.id"
    ))?;
    // Per level, the first shift starting after now.
    let next = read(&format!(
        "SELECT {COLUMNS} AND s.start_at > ?2
           AND s.start_at = (SELECT min(n.start_at) FROM oncall_shifts n
                             WHERE n.policy = s.policy AND n.level = s.level AND n.start_at > ?2)
         ORDER BY s.level, s.id"
    ))?;
    Ok((now, next))
}

/// A chat message that names an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub channel: String,
    pub channel_external_id: String,
    pub ts: String,
    pub author: Option<String>,
    pub text: String,
    pub posted_at: Ts,
}

/// Messages posted between `from` and `to` whose text contains any of `needles` (ignoring ASCII
/// case), oldest first, at most `limit`.
pub fn mentions(
    conn: &Connection,
    needles: &[&str],
    from: Ts,
    to: Ts,
    limit: usize,
) -> Result<Vec<Mention>> {
    let needles: Vec<String> = needles
        .iter()
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| n.len() >= 3)
        .collect();
    if needles.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::to_json(&needles)?;
    let mut stmt = conn.prepare_cached(
        "SELECT c.name, c.external_id, m.ts, coalesce(p.name, a.display_name, a.login), m.text, m.posted_at
         FROM chat_messages m JOIN chat_channels c ON c.id = m.channel_id
         LEFT JOIN accounts a ON a.id = m.author_account_id LEFT JOIN people p ON p.id = a.person_id
         WHERE m.posted_at BETWEEN ?2 AND ?3 AND m.deleted_at IS NULL
           AND EXISTS (SELECT 1 FROM json_each(?1) n WHERE instr(lower(m.text), n.value) > 0)
         ORDER BY m.posted_at, m.id LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![list, from, to, limit as i64], |r| {
        Ok(Mention {
            channel: r.get(0)?,
            channel_external_id: r.get(1)?,
            ts: r.get(2)?,
            author: r.get(3)?,
            text: r.get(4)?,
            posted_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn seeded() -> Store {
        let store = Store::open_in_memory().unwrap();
        store
            .conn()
            .execute_batch(
                "INSERT INTO teams (id, key, name) VALUES (1, 'harbor', 'Harbor');
                 INSERT INTO people (id, key, name, team_id, created_at) VALUES (5, 'mia', 'Mia Keller', 1, 0);
                 INSERT INTO accounts (id, provider, external_id, display_name, person_id) VALUES
                     (7, 'pagerduty', 'PU1', 'mia k', 5), (8, 'pagerduty', 'PU2', 'Ops Bot', NULL),
                     (9, 'slack', 'U1', 'mia', 5);
                 INSERT INTO services (id, provider, external_id, name, key, team_id) VALUES
                     (3, 'pagerduty', 'PS1', 'Checkout API', 'checkout', 1);
                 INSERT INTO sources (id, kind, name, settings, created_at) VALUES (1, 'pagerduty', 'pd', '{}', 0);
                 INSERT INTO incidents (id, provider, external_id, number, title, status, service_id, created_at, resolved_at)
                     VALUES (11, 'pagerduty', 'Q1AB', 1042, 'Checkout: 5xx', 'resolved', 3, 1000, 5000),
                            (12, 'pagerduty', 'Q2CD', 1043, 'Other', 'triggered', NULL, 2000, NULL);
                 INSERT INTO incident_assignments (incident_id, account_id, assigned_at) VALUES (11, 7, 1010);
                 INSERT INTO incident_log_entries (incident_id, external_id, kind, created_at, agent_account_id, summary) VALUES
                     (11, 'L2', 'acknowledge_log_entry', 1100, 7, 'Acknowledged'),
                     (11, 'L1', 'trigger_log_entry', 1000, NULL, 'Triggered'),
                     (11, 'L3', 'annotate_log_entry', 1200, 8, 'Rolling back');
                 INSERT INTO chat_channels (id, provider, external_id, name) VALUES (1, 'slack', 'C1', 'inc-checkout');
                 INSERT INTO chat_messages (channel_id, ts, author_account_id, text, posted_at) VALUES
                     (1, '1.1', 9, 'Looking at INCIDENT 1042 now', 1150),
                     (1, '1.2', 9, 'lunch?', 1160),
                     (1, '1.3', 9, 'incident 1042 again', 9000);",
            )
            .unwrap();
        store
    }

    #[test]
    fn an_incident_is_found_by_provider_id_number_or_store_id_with_its_service_and_team() {
        let store = seeded();
        let c = store.conn();
        let by_ext = find(c, "Q1AB").unwrap().unwrap();
        assert_eq!(by_ext.id, 11);
        assert_eq!(by_ext.service.as_deref(), Some("checkout"));
        assert_eq!(by_ext.service_name.as_deref(), Some("Checkout API"));
        assert_eq!(by_ext.team.as_deref(), Some("harbor"));
        assert_eq!(find(c, "#1042").unwrap().unwrap().id, 11);
        assert_eq!(find(c, "12").unwrap().unwrap().id, 12);
        assert_eq!(find(c, "nope").unwrap(), None);
        let all: Vec<i64> = list(c).unwrap().iter().map(|i| i.id).collect();
        assert_eq!(all, vec![12, 11], "newest first");
    }

    #[test]
    fn the_log_is_in_order_with_people_named_and_responders_are_listed_once() {
        let store = seeded();
        let c = store.conn();
        let l = log(c, 11).unwrap();
        let kinds: Vec<&str> = l.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec![
                "trigger_log_entry",
                "acknowledge_log_entry",
                "annotate_log_entry"
            ]
        );
        assert_eq!(l[1].agent.as_deref(), Some("Mia Keller"));
        assert_eq!(l[2].agent.as_deref(), Some("Ops Bot"));
        assert_eq!(responders(c, 11).unwrap(), vec!["Mia Keller", "Ops Bot"]);
    }

    #[test]
    fn on_call_now_and_next_per_level() {
        use bosun_core::model::{Account, OnCallShift, Provider};
        let store = seeded();
        let c = store.conn();
        let acc = |id: &str, name: &str| Account {
            provider: Provider::Pagerduty,
            external_id: id.into(),
            login: None,
            display_name: Some(name.into()),
            email: None,
            is_bot: false,
            html_url: None,
        };
        let shift = |who: Account, level, start: Option<Ts>, end: Option<Ts>| OnCallShift {
            provider: Provider::Pagerduty,
            user: who,
            policy: "PE1".into(),
            policy_name: Some("Checkout".into()),
            level,
            schedule: start.map(|_| "PS1".into()),
            schedule_name: start.map(|_| "Weekly".into()),
            start,
            end,
        };
        crate::ops::replace_oncall(
            c,
            1,
            0,
            10_000,
            &[
                shift(acc("PU1", "mia k"), 1, Some(0), Some(1000)),
                shift(acc("PU3", "Sam"), 1, Some(1000), Some(2000)),
                shift(acc("PU4", "Lee"), 1, Some(2000), Some(3000)),
                shift(acc("PU9", "Boss"), 2, None, None),
            ],
        )
        .unwrap();
        let (now, next) = on_call(c, "PE1", 500).unwrap();
        let names: Vec<(i64, &str)> = now.iter().map(|r| (r.level, r.name.as_str())).collect();
        assert_eq!(
            names,
            vec![(1, "Mia Keller"), (2, "Boss")],
            "the person's name first"
        );
        let next: Vec<&str> = next.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(next, vec!["Sam"]);
        let (now, _) = on_call(c, "PE1", 1000).unwrap();
        assert_eq!(now[0].name, "Sam", "a shift ends where the next begins");
        // A second read of the window replaces, never duplicates.
        crate::ops::replace_oncall(
            c,
            1,
            0,
            10_000,
            &[shift(acc("PU3", "Sam"), 1, Some(0), Some(9000))],
        )
        .unwrap();
        let (now, next) = on_call(c, "PE1", 500).unwrap();
        assert_eq!((now.len(), next.len()), (1, 0));
        assert_eq!(on_call(c, "nope", 500).unwrap(), (vec![], vec![]));
    }

    #[test]
    fn mentions_match_any_needle_ignoring_case_inside_the_window() {
        let store = seeded();
        let m = mentions(store.conn(), &["incident 1042", "Q1AB"], 1000, 5000, 10).unwrap();
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].author.as_deref(), Some("Mia Keller"));
        assert_eq!(m[0].channel, "inc-checkout");
        assert!(
            mentions(store.conn(), &["", "x"], 0, 10_000, 10)
                .unwrap()
                .is_empty()
        );
    }
}
