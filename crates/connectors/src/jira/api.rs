//! Jira payloads. Issue `fields` stay a JSON map: custom field ids differ per site and are
//! resolved from `/rest/api/3/field`.

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Cloud.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Data Center.
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub email_address: Option<String>,
    #[serde(default)]
    pub account_type: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FieldSchema {
    #[serde(default)]
    pub custom: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub custom: bool,
    #[serde(default)]
    pub schema: Option<FieldSchema>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StatusCategory {
    pub key: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub id: String,
    pub name: String,
    pub status_category: StatusCategory,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub field: String,
    #[serde(default)]
    pub field_id: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub from_string: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub to_string: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct History {
    pub id: String,
    #[serde(default)]
    pub author: Option<User>,
    /// A timestamp in one of Jira's shapes (see `time`).
    #[serde(default)]
    pub created: Value,
    #[serde(default)]
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Changelog {
    #[serde(default)]
    pub start_at: i64,
    #[serde(default)]
    pub max_results: i64,
    #[serde(default)]
    pub total: i64,
    #[serde(default)]
    pub histories: Vec<History>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    pub id: String,
    pub key: String,
    pub fields: serde_json::Map<String, Value>,
    #[serde(default)]
    pub changelog: Option<Changelog>,
}

/// `/rest/api/3/search/jql` (Cloud's enhanced search).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchJql {
    pub issues: Vec<Value>,
    #[serde(default)]
    pub next_page_token: Option<String>,
    #[serde(default)]
    pub is_last: Option<bool>,
}

/// `/rest/api/3/search` (classic, `startAt` paging).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchClassic {
    pub start_at: i64,
    pub max_results: i64,
    pub total: i64,
    pub issues: Vec<Value>,
}

/// `/rest/api/3/issue/{key}/changelog`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangelogPage {
    pub start_at: i64,
    pub max_results: i64,
    pub total: i64,
    #[serde(default)]
    pub is_last: Option<bool>,
    pub values: Vec<History>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgilePage<T> {
    #[serde(default)]
    pub start_at: i64,
    #[serde(default)]
    pub max_results: i64,
    #[serde(default)]
    pub is_last: Option<bool>,
    #[serde(default)]
    pub total: Option<i64>,
    pub values: Vec<T>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Board {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sprint {
    pub id: i64,
    pub state: String,
    pub name: String,
    #[serde(default)]
    pub start_date: Value,
    #[serde(default)]
    pub end_date: Value,
    #[serde(default)]
    pub complete_date: Value,
    #[serde(default)]
    pub goal: Option<String>,
    #[serde(default)]
    pub origin_board_id: Option<i64>,
}
