//! Linear's GraphQL answers, as much of them as Bosun reads. Everything the schema makes
//! nullable is an `Option`.

use serde::Deserialize;

pub use crate::wire::Time;

/// A GraphQL answer: `data`, and `errors` (which may come with partial data and HTTP 200).
#[derive(Debug, Deserialize)]
pub struct Answer<T> {
    /// Missing or `null` when the query failed.
    pub data: Option<T>,
    #[serde(default)]
    pub errors: Vec<GraphqlError>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GraphqlError {
    pub message: String,
    #[serde(default)]
    pub extensions: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    #[serde(default)]
    pub end_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection<T> {
    pub nodes: Vec<T>,
    pub page_info: PageInfo,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Nodes<T> {
    pub nodes: Vec<T>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// An application user (an integration), not a person.
    #[serde(default)]
    pub app: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    #[serde(rename = "urlKey")]
    pub url_key: String,
}

#[derive(Debug, Deserialize)]
pub struct Viewer {
    pub viewer: User,
    pub organization: Organization,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Team {
    pub id: String,
    pub key: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct Teams {
    pub teams: Connection<Team>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct State {
    pub id: String,
    pub name: String,
    /// triage, backlog, unstarted, started, completed or canceled.
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Deserialize)]
pub struct TeamStates {
    pub team: Option<StatesOf>,
}

#[derive(Debug, Deserialize)]
pub struct StatesOf {
    pub states: Connection<State>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cycle {
    pub id: String,
    pub number: f64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub starts_at: Time,
    pub ends_at: Time,
    #[serde(default)]
    pub completed_at: Option<Time>,
}

#[derive(Debug, Deserialize)]
pub struct TeamCycles {
    pub team: Option<CyclesOf>,
}

#[derive(Debug, Deserialize)]
pub struct CyclesOf {
    pub cycles: Connection<Cycle>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IssueRef {
    pub identifier: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Id {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Relation {
    /// blocks, duplicate, related (and similar).
    #[serde(rename = "type")]
    pub kind: String,
    pub related_issue: IssueRef,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InverseRelation {
    #[serde(rename = "type")]
    pub kind: String,
    pub issue: IssueRef,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    pub id: String,
    pub identifier: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// 0 none, 1 urgent, 2 high, 3 medium, 4 low.
    #[serde(default)]
    pub priority: Option<f64>,
    #[serde(default)]
    pub priority_label: Option<String>,
    #[serde(default)]
    pub estimate: Option<f64>,
    pub created_at: Time,
    pub updated_at: Time,
    #[serde(default)]
    pub completed_at: Option<Time>,
    #[serde(default)]
    pub canceled_at: Option<Time>,
    /// A date (`2026-11-30`), not a time.
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    pub state: State,
    #[serde(default)]
    pub assignee: Option<User>,
    #[serde(default)]
    pub creator: Option<User>,
    pub labels: Nodes<Label>,
    #[serde(default)]
    pub parent: Option<IssueRef>,
    #[serde(default)]
    pub cycle: Option<Id>,
    pub relations: Nodes<Relation>,
    pub inverse_relations: Nodes<InverseRelation>,
}

#[derive(Debug, Deserialize)]
pub struct Issues {
    pub issues: Connection<Issue>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct History {
    pub id: String,
    pub created_at: Time,
    #[serde(default)]
    pub actor: Option<User>,
    #[serde(default)]
    pub from_state: Option<State>,
    #[serde(default)]
    pub to_state: Option<State>,
    #[serde(default)]
    pub from_cycle: Option<Id>,
    #[serde(default)]
    pub to_cycle: Option<Id>,
    #[serde(default)]
    pub from_assignee: Option<User>,
    #[serde(default)]
    pub to_assignee: Option<User>,
    #[serde(default)]
    pub from_estimate: Option<f64>,
    #[serde(default)]
    pub to_estimate: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub struct IssueHistory {
    pub issue: Option<HistoryOf>,
}

#[derive(Debug, Deserialize)]
pub struct HistoryOf {
    pub history: Connection<History>,
}
