//! The GraphQL documents the connector sends, one operation each. Every field they select is
//! checked against Linear's published schema (`tests/fixtures/linear/schema.graphql`).

/// Who the key belongs to, and the workspace (its `urlKey` makes issue links).
pub const VIEWER: &str =
    "query Viewer { viewer { id name displayName email } organization { id name urlKey } }";

pub const TEAMS: &str = "query Teams($first: Int!, $after: String) { teams(first: $first, after: $after) { nodes { id key name } pageInfo { hasNextPage endCursor } } }";

pub const WORKFLOW_STATES: &str = "query WorkflowStates($team: String!, $first: Int!, $after: String) { team(id: $team) { id states(first: $first, after: $after) { nodes { id name type } pageInfo { hasNextPage endCursor } } } }";

pub const CYCLES: &str = "query Cycles($team: String!, $first: Int!, $after: String) { team(id: $team) { id cycles(first: $first, after: $after) { nodes { id number name description startsAt endsAt completedAt updatedAt } pageInfo { hasNextPage endCursor } } } }";

/// A team's issues updated since `$since` (archived ones included: an archived issue still
/// happened), least recently updated first.
pub const ISSUES: &str = "query Issues($team: ID!, $since: DateTimeOrDuration!, $first: Int!, $after: String) { issues(first: $first, after: $after, orderBy: updatedAt, includeArchived: true, filter: { team: { id: { eq: $team } }, updatedAt: { gte: $since } }) { nodes { id identifier number title description priority priorityLabel estimate createdAt updatedAt startedAt completedAt canceledAt dueDate url state { id name type } assignee { id name displayName email app } creator { id name displayName email app } labels { nodes { id name } } parent { identifier } cycle { id } relations { nodes { id type relatedIssue { identifier } } } inverseRelations { nodes { id type issue { identifier } } } } pageInfo { hasNextPage endCursor } } }";

/// One issue's history: state, cycle, assignee and estimate changes.
pub const ISSUE_HISTORY: &str = "query IssueHistory($id: String!, $first: Int!, $after: String) { issue(id: $id) { id history(first: $first, after: $after) { nodes { id createdAt actor { id name displayName email app } fromState { id name type } toState { id name type } fromCycle { id } toCycle { id } fromAssignee { id name displayName email app } toAssignee { id name displayName email app } fromEstimate toEstimate } pageInfo { hasNextPage endCursor } } } }";

/// Every document, with its operation name (for the schema test).
pub const ALL: &[(&str, &str)] = &[
    ("Viewer", VIEWER),
    ("Teams", TEAMS),
    ("WorkflowStates", WORKFLOW_STATES),
    ("Cycles", CYCLES),
    ("Issues", ISSUES),
    ("IssueHistory", ISSUE_HISTORY),
];
