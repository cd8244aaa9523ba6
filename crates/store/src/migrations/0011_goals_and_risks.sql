-- Goals and the risk register (issue 20, 1 and 5).

-- A Jira issue's components (names), which goals can map work by.
ALTER TABLE tickets ADD COLUMN components TEXT NOT NULL DEFAULT '[]';

-- An objective for a quarter, kept here (edited in the app, or imported from a file).
CREATE TABLE goals (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    quarter     TEXT NOT NULL,              -- 2026-Q4
    team        TEXT,                       -- a team key; none for the organisation's
    owner       TEXT,                       -- who answers for it, as the manager wrote it
    description TEXT NOT NULL DEFAULT '',
    due_at      INTEGER NOT NULL,           -- the quarter's end unless set
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (quarter, title)
);

-- A goal's key results: progress from its linked work (items or points done of all), or bound to
-- a metric with a target.
CREATE TABLE key_results (
    id        INTEGER PRIMARY KEY,
    goal_id   INTEGER NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    title     TEXT NOT NULL,
    measure   TEXT NOT NULL,                -- items, points or metric
    metric    TEXT,                         -- for measure = metric: lead_time_days, ...
    target    REAL,                         -- the metric's target (items and points: done of all)
    baseline  REAL,                         -- the metric's value when the goal was set
    UNIQUE (goal_id, position)
);

-- How work maps to a goal: a rule matches tickets (epic, initiative, label, component, project) or
-- names one (ticket, a manual link). A rule with a key result narrows that key result's work.
CREATE TABLE goal_rules (
    id            INTEGER PRIMARY KEY,
    goal_id       INTEGER NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    key_result_id INTEGER REFERENCES key_results(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    value         TEXT NOT NULL,
    UNIQUE (goal_id, key_result_id, kind, value)
);
CREATE INDEX goal_rules_goal ON goal_rules (goal_id);

-- The risk register: risks proposed from evidence, which enter it only when the manager accepts
-- them. One row per condition (kind and subject); re-evaluation updates its evidence and says
-- whether the condition holds, got worse or cleared.
CREATE TABLE risks (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    subject        TEXT NOT NULL,           -- goal:3, repo:acme/api, service:payments, team:harbor
    title          TEXT NOT NULL,
    status         TEXT NOT NULL,           -- proposed, accepted, dismissed
    condition      TEXT NOT NULL,           -- holds, worse, cleared
    likelihood     INTEGER NOT NULL,        -- 1 (rare) to 5 (almost certain)
    impact         INTEGER NOT NULL,        -- 1 (minor) to 5 (severe)
    owner          TEXT,
    mitigation     TEXT NOT NULL,
    review_at      INTEGER,
    why            TEXT NOT NULL,
    evidence       TEXT NOT NULL DEFAULT '[]',
    team           TEXT,
    measure        REAL NOT NULL,           -- how bad now, in the kind's own unit
    baseline       REAL NOT NULL,           -- how bad when proposed or last decided: worse above it
    first_seen_at  INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    cleared_at     INTEGER,
    decided_at     INTEGER,
    decided_by     TEXT,
    note           TEXT,
    edited         INTEGER NOT NULL DEFAULT 0, -- the manager set likelihood, impact, owner, ...
    UNIQUE (kind, subject)
);
