//! PagerDuty payloads.

use crate::wire::Time;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Service {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub escalation_policy: Option<Reference>,
}

/// An entry of `/oncalls`: who is on call at one level of an escalation policy, and when.
#[derive(Debug, Clone, Deserialize)]
pub struct OnCall {
    pub user: Reference,
    #[serde(default)]
    pub schedule: Option<Reference>,
    pub escalation_policy: Reference,
    pub escalation_level: i64,
    /// Null for a person named in the policy directly (always on call).
    #[serde(default)]
    pub start: Option<Time>,
    #[serde(default)]
    pub end: Option<Time>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Assignment {
    #[serde(default)]
    pub at: Option<Time>,
    pub assignee: Reference,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Acknowledgement {
    #[serde(default)]
    pub at: Option<Time>,
    pub acknowledger: Reference,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Priority {
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Incident {
    pub id: String,
    #[serde(default)]
    pub incident_number: Option<i64>,
    pub title: String,
    pub status: String,
    #[serde(default)]
    pub urgency: Option<String>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub service: Option<Reference>,
    pub created_at: Time,
    #[serde(default)]
    pub updated_at: Option<Time>,
    #[serde(default)]
    pub resolved_at: Option<Time>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    #[serde(default)]
    pub acknowledgements: Vec<Acknowledgement>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Channel {
    #[serde(default)]
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogEntry {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: Time,
    #[serde(default)]
    pub agent: Option<Reference>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub channel: Option<Channel>,
}
