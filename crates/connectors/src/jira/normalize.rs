//! Jira payloads → Bosun tickets and sprints.

use super::api;
use super::history::{StatusMap, sprint_stays, status_periods};
use super::time::{self, TimeError};
use bosun_core::model::{Account, Provider, Sprint, Ticket, TicketChange, TicketLink, WorkType};
use serde_json::Value;
use std::collections::HashMap;

/// Where this site keeps the custom fields Bosun reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldIds {
    pub story_points: Option<String>,
    pub sprint: Option<String>,
    pub flagged: Option<String>,
    /// Classic projects' "Epic Link" (the epic's key as text); next-gen projects use `parent`.
    pub epic_link: Option<String>,
}

impl FieldIds {
    /// Find the fields by name (and the sprint field by its plugin type); `points` overrides.
    pub fn from_fields(fields: &[api::Field], points: Option<&str>) -> FieldIds {
        let by_name = |names: &[&str]| {
            fields
                .iter()
                .find(|f| names.iter().any(|n| f.name.eq_ignore_ascii_case(n)))
                .map(|f| f.id.clone())
        };
        let sprint = fields
            .iter()
            .find(|f| {
                f.schema.as_ref().and_then(|s| s.custom.as_deref())
                    == Some("com.pyxis.greenhopper.jira:gh-sprint")
            })
            .map(|f| f.id.clone())
            .or_else(|| by_name(&["Sprint"]));
        FieldIds {
            story_points: points
                .map(str::to_string)
                .or_else(|| by_name(&["Story point estimate", "Story Points", "Story points"])),
            sprint,
            flagged: by_name(&["Flagged"]),
            epic_link: fields
                .iter()
                .find(|f| {
                    f.schema.as_ref().and_then(|s| s.custom.as_deref())
                        == Some("com.pyxis.greenhopper.jira:gh-epic-link")
                })
                .map(|f| f.id.clone())
                .or_else(|| by_name(&["Epic Link"])),
        }
    }
}

/// Issue type → work type: defaults below, overridden per source.
#[derive(Debug, Clone)]
pub struct WorkTypes(HashMap<String, WorkType>);

impl WorkTypes {
    pub fn new(overrides: &HashMap<String, WorkType>) -> WorkTypes {
        let mut m = HashMap::new();
        for (names, t) in [
            (
                &[
                    "story",
                    "feature",
                    "epic",
                    "new feature",
                    "improvement",
                    "task",
                    "sub-task",
                    "subtask",
                ][..],
                WorkType::Feature,
            ),
            (
                &["bug", "defect", "incident", "problem"][..],
                WorkType::Defect,
            ),
            (
                &["risk", "spike", "security", "vulnerability", "compliance"][..],
                WorkType::Risk,
            ),
            (
                &[
                    "tech debt",
                    "technical debt",
                    "debt",
                    "chore",
                    "refactoring",
                    "maintenance",
                ][..],
                WorkType::Debt,
            ),
        ] {
            for n in names {
                m.insert((*n).to_string(), t);
            }
        }
        for (k, v) in overrides {
            m.insert(k.to_lowercase(), *v);
        }
        WorkTypes(m)
    }

    pub fn of(&self, issue_type: &str) -> WorkType {
        self.0
            .get(&issue_type.to_lowercase())
            .copied()
            .unwrap_or(WorkType::Other)
    }
}

pub struct Normalizer {
    pub fields: FieldIds,
    pub statuses: StatusMap,
    pub work_types: WorkTypes,
    /// The site's web address, for `/browse/KEY` links.
    pub web: String,
}

/// A ticket, plus the values that were refused on the way (bad timestamps).
#[derive(Debug, Clone)]
pub struct Normalized {
    pub ticket: Ticket,
    pub refused: Vec<String>,
}

pub fn account(u: &api::User) -> Option<Account> {
    let id = u
        .account_id
        .clone()
        .or_else(|| u.key.clone())
        .or_else(|| u.name.clone())?;
    Some(Account {
        provider: Provider::Jira,
        external_id: id,
        login: u.name.clone().filter(|n| !n.is_empty()),
        display_name: u.display_name.clone(),
        email: u.email_address.clone().filter(|e| !e.is_empty()),
        is_bot: u.account_type.as_deref() == Some("app"),
        html_url: None,
    })
}

fn user(v: Option<&Value>) -> Option<Account> {
    v.filter(|v| !v.is_null())
        .and_then(|v| serde_json::from_value::<api::User>(v.clone()).ok())
        .as_ref()
        .and_then(account)
}

fn str_at<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a str> {
    v?.get(key)?.as_str()
}

/// Plain text of a description: Atlassian Document Format (v3) or a plain string (v2).
pub fn plain_text(v: Option<&Value>) -> Option<String> {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(t)) = o.get("text") {
                    out.push_str(t);
                }
                if let Some(Value::Array(children)) = o.get("content") {
                    for c in children {
                        walk(c, out);
                    }
                }
                if matches!(
                    o.get("type").and_then(Value::as_str),
                    Some("paragraph" | "heading" | "listItem" | "codeBlock")
                ) {
                    out.push_str("\n\n");
                }
                if o.get("type").and_then(Value::as_str) == Some("hardBreak") {
                    out.push('\n');
                }
            }
            Value::Array(a) => a.iter().for_each(|c| walk(c, out)),
            _ => {}
        }
    }
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => {
            let mut out = String::new();
            walk(other, &mut out);
            let t = out.trim().to_string();
            (!t.is_empty()).then_some(t)
        }
    }
}

/// Sprint ids from a Sprint field: objects with `id` (Cloud) or Data Center's
/// `com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=12,...]` strings.
pub fn sprint_field_ids(v: Option<&Value>) -> Vec<String> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| match i {
            Value::Object(o) => o
                .get("id")
                .map(|id| id.to_string().trim_matches('"').to_string()),
            Value::String(s) => s
                .split("[id=")
                .nth(1)
                .and_then(|r| r.split([',', ']']).next())
                .map(str::to_string),
            _ => None,
        })
        .collect()
}

fn flagged(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Object(_)) => true,
        _ => false,
    }
}

fn links(v: Option<&Value>) -> Vec<TicketLink> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|l| {
            let ty = l.get("type")?;
            let name = ty
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let (direction, other, phrase) = if let Some(i) = l.get("inwardIssue") {
                ("inward", i, ty.get("inward"))
            } else {
                ("outward", l.get("outwardIssue")?, ty.get("outward"))
            };
            Some(TicketLink {
                link_type: name,
                direction: direction.to_string(),
                description: phrase.and_then(Value::as_str).map(str::to_string),
                other_key: other.get("key")?.as_str()?.to_string(),
            })
        })
        .collect()
}

/// Changelog entries as ticket changes; entries with an unusable date are refused.
pub fn changes(
    histories: &[api::History],
    refused: &mut Vec<String>,
    key: &str,
) -> Vec<TicketChange> {
    let mut out = Vec::new();
    for h in histories {
        let at = match time::parse(Some(&h.created)) {
            Ok(Some(t)) => t,
            Ok(None) => {
                refused.push(format!("{key}: changelog {} has no date", h.id));
                continue;
            }
            Err(e) => {
                refused.push(format!("{key}: changelog {}: {e}", h.id));
                continue;
            }
        };
        let author = h.author.as_ref().and_then(account);
        for (i, item) in h.items.iter().enumerate() {
            out.push(TicketChange {
                external_id: format!("{}/{i}", h.id),
                author: author.clone(),
                created_at: at,
                field: item.field.clone(),
                from_value: item.from.clone(),
                from_string: item.from_string.clone(),
                to_value: item.to.clone(),
                to_string: item.to_string.clone(),
            });
        }
    }
    out
}

impl Normalizer {
    /// Normalize an issue whose changelog `histories` is complete. `Err` (with the reason) when
    /// the issue cannot be a ticket (no key, no creation date).
    pub fn ticket(
        &self,
        issue: &api::Issue,
        histories: &[api::History],
    ) -> Result<Normalized, String> {
        let f = &issue.fields;
        let mut refused = Vec::new();
        let key = issue.key.clone();
        let time_field = |name: &str, refused: &mut Vec<String>| match time::parse(f.get(name)) {
            Ok(t) => t,
            Err(e) => {
                refused.push(format!("{key}: {name}: {e}"));
                None
            }
        };
        let created = match time::parse(f.get("created")) {
            Ok(Some(t)) => t,
            Ok(None) => return Err(format!("{key} has no creation date")),
            Err(TimeError::Implausible(v)) | Err(TimeError::NotADate(v)) => {
                return Err(format!("{key}: created {v} is not a usable date"));
            }
        };
        let changes = changes(histories, &mut refused, &key);
        let latest_change = changes.iter().map(|c| c.created_at).max();
        let updated = time_field("updated", &mut refused)
            .or(latest_change)
            .unwrap_or(created)
            .max(created);
        let status_name = str_at(f.get("status"), "name").map(str::to_string);
        let current = status_name.clone().unwrap_or_default();
        let issue_type = str_at(f.get("issuetype"), "name").map(str::to_string);
        let sprints = self
            .fields
            .sprint
            .as_ref()
            .map(|id| sprint_field_ids(f.get(id)))
            .unwrap_or_default();
        let periods = status_periods(created, &current, &changes, &self.statuses);
        let stays = sprint_stays(created, &sprints, &changes);
        let ticket = Ticket {
            external_id: issue.id.clone(),
            key: key.clone(),
            project_key: str_at(f.get("project"), "key")
                .map(str::to_string)
                .or_else(|| key.split('-').next().map(str::to_string)),
            summary: f
                .get("summary")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            description: plain_text(f.get("description")),
            work_type: self.work_types.of(issue_type.as_deref().unwrap_or("")),
            issue_type,
            status_category: self.statuses.category_of(
                &current,
                f.get("status")
                    .and_then(|s| s.get("statusCategory"))
                    .and_then(|c| c.get("key"))
                    .and_then(Value::as_str),
            ),
            status: status_name,
            priority: str_at(f.get("priority"), "name").map(str::to_string),
            assignee: user(f.get("assignee")),
            reporter: user(f.get("reporter")),
            story_points: self
                .fields
                .story_points
                .as_ref()
                .and_then(|id| f.get(id))
                .and_then(Value::as_f64),
            flagged: self
                .fields
                .flagged
                .as_ref()
                .is_some_and(|id| flagged(f.get(id))),
            labels: f
                .get("labels")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|l| l.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            components: f
                .get("components")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|c| str_at(Some(c), "name").map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            // The parent (next-gen), else the classic "Epic Link" field, else the Agile API's
            // `epic` object (its issues carry the epic that way).
            parent_key: str_at(f.get("parent"), "key")
                .map(str::to_string)
                .or_else(|| {
                    let id = self.fields.epic_link.as_ref()?;
                    f.get(id)
                        .and_then(Value::as_str)
                        .filter(|k| !k.is_empty())
                        .map(str::to_string)
                })
                .or_else(|| str_at(f.get("epic"), "key").map(str::to_string)),
            created_at: created,
            updated_at: updated,
            resolved_at: time_field("resolutiondate", &mut refused),
            due_at: time_field("duedate", &mut refused),
            html_url: Some(format!("{}/browse/{key}", self.web.trim_end_matches('/'))),
            links: links(f.get("issuelinks")),
            changes,
            status_periods: periods,
            sprint_stays: stays,
        };
        Ok(Normalized { ticket, refused })
    }
}

/// A board's sprint; dates refused like any other (a refused date is left empty).
pub fn sprint(s: &api::Sprint, board: Option<i64>) -> (Sprint, Vec<String>) {
    let mut refused = Vec::new();
    let mut t = |v: &Value, what: &str| match time::parse(Some(v)) {
        Ok(x) => x,
        Err(e) => {
            refused.push(format!("sprint {}: {what}: {e}", s.id));
            None
        }
    };
    let sprint = Sprint {
        external_id: s.id.to_string(),
        board_id: s.origin_board_id.or(board).map(|b| b.to_string()),
        name: s.name.clone(),
        state: s.state.clone(),
        goal: s.goal.clone().filter(|g| !g.is_empty()),
        start_at: t(&s.start_date, "startDate"),
        end_at: t(&s.end_date, "endDate"),
        complete_at: t(&s.complete_date, "completeDate"),
    };
    (sprint, refused)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn data_center_sprint_strings_and_cloud_objects() {
        let v = json!(["com.atlassian.greenhopper.service.sprint.Sprint@14b1c359[id=12,rapidViewId=3,state=ACTIVE,name=S1]", {"id": 13, "name": "S2"}]);
        assert_eq!(sprint_field_ids(Some(&v)), vec!["12", "13"]);
    }

    #[test]
    fn custom_fields_are_found_by_name_and_plugin() {
        let fields: Vec<api::Field> = serde_json::from_value(json!([
            {"id": "customfield_10020", "name": "Sprint", "custom": true, "schema": {"custom": "com.pyxis.greenhopper.jira:gh-sprint"}},
            {"id": "customfield_10030", "name": "Sprint name (old)", "custom": true, "schema": {"custom": "com.pyxis.greenhopper.jira:gh-sprint"}},
            {"id": "customfield_10016", "name": "Story point estimate", "custom": true},
            {"id": "customfield_10021", "name": "Flagged", "custom": true}
        ]))
        .unwrap();
        let ids = FieldIds::from_fields(&fields, None);
        assert_eq!(ids.sprint.as_deref(), Some("customfield_10020"));
        assert_eq!(ids.story_points.as_deref(), Some("customfield_10016"));
        assert_eq!(ids.flagged.as_deref(), Some("customfield_10021"));
        assert_eq!(
            FieldIds::from_fields(&fields, Some("customfield_99"))
                .story_points
                .as_deref(),
            Some("customfield_99")
        );
    }

    #[test]
    fn adf_to_text() {
        let v = json!({"type": "doc", "version": 1, "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Main order flow"}, {"type": "text", "text": " broken"}]},
            {"type": "paragraph", "content": [{"type": "text", "text": "Second"}]}
        ]});
        assert_eq!(
            plain_text(Some(&v)).as_deref(),
            Some("Main order flow broken\n\nSecond")
        );
        assert_eq!(plain_text(Some(&json!("plain"))).as_deref(), Some("plain"));
    }

    #[test]
    fn work_types_default_and_override() {
        let mut o = HashMap::new();
        o.insert("Task".to_string(), WorkType::Debt);
        let w = WorkTypes::new(&o);
        assert_eq!(w.of("Bug"), WorkType::Defect);
        assert_eq!(w.of("Story"), WorkType::Feature);
        assert_eq!(w.of("task"), WorkType::Debt);
        assert_eq!(w.of("Tech Debt"), WorkType::Debt);
        assert_eq!(w.of("Spike"), WorkType::Risk);
        assert_eq!(w.of("Initiative"), WorkType::Other);
    }
}
