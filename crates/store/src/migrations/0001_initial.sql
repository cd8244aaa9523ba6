-- Bosun schema, version 1: the whole data model (docs/data-model.md).
-- Timestamps are INTEGER seconds since the Unix epoch, UTC. JSON columns hold TEXT.
-- Migrations only add: a later migration may create tables, columns and indexes, never drop or
-- rename them.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- ---------------------------------------------------------------------------------------------
-- Sync: sources, cursors, conditional-request validators, jobs, raw payloads
-- ---------------------------------------------------------------------------------------------
CREATE TABLE sources (
    id                    INTEGER PRIMARY KEY,
    kind                  TEXT NOT NULL,             -- github, jira, pagerduty, slack, git, docs
    name                  TEXT NOT NULL UNIQUE,
    base_url              TEXT,
    settings              TEXT NOT NULL DEFAULT '{}',-- JSON; never a secret
    enabled               INTEGER NOT NULL DEFAULT 1,
    demo                  INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL,
    last_sync_started_at  INTEGER,
    last_sync_finished_at INTEGER,
    last_sync_status      TEXT,                      -- ok, failed, running
    last_error            TEXT
);

CREATE TABLE cursors (
    source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,                        -- e.g. "tidewater/harbor-auth:pulls"
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (source_id, scope)
);

CREATE TABLE etags (
    source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    etag       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (source_id, url)
);

CREATE TABLE jobs (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,                    -- e.g. repo, jira-issues
    scope          TEXT NOT NULL,
    state          TEXT NOT NULL,                    -- running, done, failed
    attempts       INTEGER NOT NULL DEFAULT 0,
    progress_done  INTEGER,
    progress_total INTEGER,
    last_error     TEXT,
    started_at     INTEGER,
    finished_at    INTEGER,
    UNIQUE (source_id, kind, scope)
);

CREATE TABLE raw_payloads (
    id         INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,                        -- e.g. github.pull
    key        TEXT NOT NULL,                        -- e.g. "tidewater/harbor-auth#12"
    url        TEXT,
    fetched_at INTEGER NOT NULL,
    sha256     TEXT NOT NULL,                        -- of the uncompressed body
    encoding   TEXT NOT NULL DEFAULT 'deflate',
    body       BLOB NOT NULL,
    UNIQUE (source_id, kind, key)
);

-- ---------------------------------------------------------------------------------------------
-- Identity: teams, people, accounts per provider, code owners
-- ---------------------------------------------------------------------------------------------
CREATE TABLE teams (
    id                INTEGER PRIMARY KEY,
    key               TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    mission           TEXT,
    manager_person_id INTEGER REFERENCES people(id)
);

CREATE TABLE people (
    id                 INTEGER PRIMARY KEY,
    key                TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    primary_email      TEXT,
    title              TEXT,
    is_bot             INTEGER NOT NULL DEFAULT 0,
    team_id            INTEGER REFERENCES teams(id),
    manager_id         INTEGER REFERENCES people(id),
    utc_offset_minutes INTEGER,
    created_at         INTEGER NOT NULL
);

CREATE TABLE person_emails (
    email     TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE
);

CREATE TABLE team_members (
    team_id   INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role      TEXT NOT NULL DEFAULT 'member',        -- member, manager
    PRIMARY KEY (team_id, person_id)
);

CREATE TABLE time_off (
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    starts_on TEXT NOT NULL,                         -- YYYY-MM-DD, inclusive
    ends_on   TEXT NOT NULL,                         -- YYYY-MM-DD, inclusive
    PRIMARY KEY (person_id, starts_on)
);

CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY,
    provider         TEXT NOT NULL,
    external_id      TEXT NOT NULL,
    login            TEXT,
    display_name     TEXT,
    email            TEXT,
    is_bot           INTEGER NOT NULL DEFAULT 0,
    html_url         TEXT,
    person_id        INTEGER REFERENCES people(id) ON DELETE SET NULL,
    match_method     TEXT,                           -- email, name, override, login
    match_confidence REAL,
    UNIQUE (provider, external_id)
);
CREATE INDEX accounts_login ON accounts (provider, login);
CREATE INDEX accounts_person ON accounts (person_id);

-- ---------------------------------------------------------------------------------------------
-- Code: repositories, commits and the commit graph, tags, branches
-- ---------------------------------------------------------------------------------------------
CREATE TABLE repos (
    id             INTEGER PRIMARY KEY,
    source_id      INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    provider       TEXT NOT NULL,
    external_id    TEXT,
    owner          TEXT NOT NULL,
    name           TEXT NOT NULL,
    full_name      TEXT NOT NULL,
    default_branch TEXT,
    description    TEXT,
    html_url       TEXT,
    archived       INTEGER NOT NULL DEFAULT 0,
    service        TEXT,                             -- the deployed service, when known
    team_id        INTEGER REFERENCES teams(id),
    UNIQUE (provider, full_name)
);

CREATE TABLE code_owners (
    repo_id  INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    pattern  TEXT NOT NULL,
    owners   TEXT NOT NULL,                          -- JSON array of logins / org/team slugs
    PRIMARY KEY (repo_id, position)
);

CREATE TABLE commits (
    id                   INTEGER PRIMARY KEY,
    repo_id              INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    sha                  TEXT NOT NULL,
    author_name          TEXT,
    author_email         TEXT,
    author_account_id    INTEGER REFERENCES accounts(id),
    authored_at          INTEGER NOT NULL,
    committer_name       TEXT,
    committer_email      TEXT,
    committer_account_id INTEGER REFERENCES accounts(id),
    committed_at         INTEGER NOT NULL,
    message              TEXT NOT NULL,
    parent_count         INTEGER NOT NULL,
    on_default_branch    INTEGER NOT NULL DEFAULT 0,
    html_url             TEXT,
    UNIQUE (repo_id, sha)
);
CREATE INDEX commits_committed ON commits (repo_id, committed_at);

CREATE TABLE commit_parents (
    repo_id    INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    sha        TEXT NOT NULL,
    position   INTEGER NOT NULL,
    parent_sha TEXT NOT NULL,
    PRIMARY KEY (repo_id, sha, position)
);
CREATE INDEX commit_parents_parent ON commit_parents (repo_id, parent_sha);

CREATE TABLE tags (
    repo_id   INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    sha       TEXT NOT NULL,                         -- the commit the tag points at
    tagged_at INTEGER,                               -- tagger date (annotated) when known
    annotated INTEGER,
    message   TEXT,
    PRIMARY KEY (repo_id, name)
);

CREATE TABLE branches (
    repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    sha     TEXT NOT NULL,
    PRIMARY KEY (repo_id, name)
);

-- ---------------------------------------------------------------------------------------------
-- Pull requests and everything hanging off them
-- ---------------------------------------------------------------------------------------------
CREATE TABLE pull_requests (
    id                   INTEGER PRIMARY KEY,
    repo_id              INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    number               INTEGER NOT NULL,
    external_id          TEXT,
    title                TEXT NOT NULL,
    body                 TEXT,
    state                TEXT NOT NULL,              -- open, closed
    draft                INTEGER NOT NULL DEFAULT 0,
    merged               INTEGER NOT NULL DEFAULT 0,
    author_account_id    INTEGER REFERENCES accounts(id),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    closed_at            INTEGER,
    merged_at            INTEGER,
    merged_by_account_id INTEGER REFERENCES accounts(id),
    merge_commit_sha     TEXT,
    head_sha             TEXT,
    head_ref             TEXT,
    base_ref             TEXT,
    additions            INTEGER,
    deletions            INTEGER,
    changed_files        INTEGER,
    commits_count        INTEGER,
    labels               TEXT NOT NULL DEFAULT '[]', -- JSON array
    html_url             TEXT,
    UNIQUE (repo_id, number)
);
CREATE INDEX pull_requests_updated ON pull_requests (repo_id, updated_at);
CREATE INDEX pull_requests_author ON pull_requests (author_account_id);

CREATE TABLE pr_commits (
    pr_id    INTEGER NOT NULL REFERENCES pull_requests(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sha      TEXT NOT NULL,
    PRIMARY KEY (pr_id, position)
);
CREATE INDEX pr_commits_sha ON pr_commits (sha);

CREATE TABLE reviews (
    id                  INTEGER PRIMARY KEY,
    pr_id               INTEGER NOT NULL REFERENCES pull_requests(id) ON DELETE CASCADE,
    external_id         TEXT NOT NULL,
    reviewer_account_id INTEGER REFERENCES accounts(id),
    state               TEXT NOT NULL,
    submitted_at        INTEGER,
    body                TEXT,
    commit_sha          TEXT,
    html_url            TEXT,
    UNIQUE (pr_id, external_id)
);
CREATE INDEX reviews_reviewer ON reviews (reviewer_account_id);

-- Reviews currently requested (pending). The history of requests lives in pr_events.
CREATE TABLE review_requests (
    pr_id      INTEGER NOT NULL REFERENCES pull_requests(id) ON DELETE CASCADE,
    reviewer   TEXT NOT NULL,                        -- "user:<provider user id>" or "team:<slug>"
    account_id INTEGER REFERENCES accounts(id),
    team_slug  TEXT,
    PRIMARY KEY (pr_id, reviewer)
);

CREATE TABLE pr_comments (
    id                 INTEGER PRIMARY KEY,
    pr_id              INTEGER NOT NULL REFERENCES pull_requests(id) ON DELETE CASCADE,
    kind               TEXT NOT NULL,                -- review (diff line), issue (conversation)
    external_id        TEXT NOT NULL,
    author_account_id  INTEGER REFERENCES accounts(id),
    body               TEXT NOT NULL,
    path               TEXT,
    line               INTEGER,
    in_reply_to        TEXT,
    review_external_id TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER,
    html_url           TEXT,
    UNIQUE (kind, external_id)
);
CREATE INDEX pr_comments_pr ON pr_comments (pr_id);

CREATE TABLE check_runs (
    id           INTEGER PRIMARY KEY,
    repo_id      INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    external_id  TEXT NOT NULL,
    head_sha     TEXT NOT NULL,
    name         TEXT NOT NULL,
    status       TEXT NOT NULL,
    conclusion   TEXT,
    started_at   INTEGER,
    completed_at INTEGER,
    app          TEXT,
    html_url     TEXT,
    UNIQUE (repo_id, external_id)
);
CREATE INDEX check_runs_sha ON check_runs (repo_id, head_sha);

CREATE TABLE pr_events (
    id                 INTEGER PRIMARY KEY,
    pr_id              INTEGER NOT NULL REFERENCES pull_requests(id) ON DELETE CASCADE,
    external_id        TEXT NOT NULL,
    event              TEXT NOT NULL,                -- ready_for_review, review_requested, ...
    actor_account_id   INTEGER REFERENCES accounts(id),
    subject_account_id INTEGER REFERENCES accounts(id),
    detail             TEXT,
    created_at         INTEGER NOT NULL,
    UNIQUE (pr_id, external_id)
);

-- ---------------------------------------------------------------------------------------------
-- Delivery: deployments with their status history, releases
-- ---------------------------------------------------------------------------------------------
CREATE TABLE deployments (
    id                 INTEGER PRIMARY KEY,
    repo_id            INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    kind               TEXT NOT NULL,                -- github_deployment, tag, release
    external_id        TEXT NOT NULL,
    sha                TEXT NOT NULL,
    ref_name           TEXT,
    environment        TEXT NOT NULL,
    production         INTEGER NOT NULL DEFAULT 0,
    task               TEXT,
    description        TEXT,
    creator_account_id INTEGER REFERENCES accounts(id),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER,
    payload            TEXT,
    UNIQUE (repo_id, kind, external_id)
);
CREATE INDEX deployments_created ON deployments (repo_id, created_at);

CREATE TABLE deployment_statuses (
    id            INTEGER PRIMARY KEY,
    deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
    external_id   TEXT NOT NULL,
    state         TEXT NOT NULL,
    description   TEXT,
    environment   TEXT,
    created_at    INTEGER NOT NULL,
    log_url       TEXT,
    UNIQUE (deployment_id, external_id)
);

CREATE TABLE releases (
    id                INTEGER PRIMARY KEY,
    repo_id           INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    external_id       TEXT NOT NULL,
    tag_name          TEXT NOT NULL,
    name              TEXT,
    target_commitish  TEXT,
    draft             INTEGER NOT NULL DEFAULT 0,
    prerelease        INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER,
    published_at      INTEGER,
    author_account_id INTEGER REFERENCES accounts(id),
    body              TEXT,
    html_url          TEXT,
    UNIQUE (repo_id, external_id)
);

-- ---------------------------------------------------------------------------------------------
-- Planning: tickets with changelog, links, sprints and sprint membership over time
-- ---------------------------------------------------------------------------------------------
CREATE TABLE tickets (
    id                  INTEGER PRIMARY KEY,
    source_id           INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    provider            TEXT NOT NULL,
    external_id         TEXT NOT NULL,
    key                 TEXT NOT NULL,
    project_key         TEXT,
    summary             TEXT NOT NULL,
    description         TEXT,
    issue_type          TEXT,
    work_type           TEXT,                        -- feature, defect, risk, debt, other
    status              TEXT,
    status_category     TEXT,                        -- todo, active, waiting, done
    priority            TEXT,
    assignee_account_id INTEGER REFERENCES accounts(id),
    reporter_account_id INTEGER REFERENCES accounts(id),
    story_points        REAL,
    flagged             INTEGER NOT NULL DEFAULT 0,
    labels              TEXT NOT NULL DEFAULT '[]',
    parent_key          TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    resolved_at         INTEGER,
    due_at              INTEGER,
    html_url            TEXT,
    UNIQUE (provider, key)
);

CREATE TABLE ticket_changes (
    id                INTEGER PRIMARY KEY,
    ticket_id         INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    external_id       TEXT NOT NULL,                 -- history id + item index
    author_account_id INTEGER REFERENCES accounts(id),
    created_at        INTEGER NOT NULL,
    field             TEXT NOT NULL,
    from_value        TEXT,
    from_string       TEXT,
    to_value          TEXT,
    to_string         TEXT,
    UNIQUE (ticket_id, external_id)
);
CREATE INDEX ticket_changes_field ON ticket_changes (field, created_at);

-- Derived from the changelog: one row per stay in a status.
CREATE TABLE ticket_status_periods (
    ticket_id       INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    status          TEXT NOT NULL,
    status_category TEXT NOT NULL,
    entered_at      INTEGER NOT NULL,
    left_at         INTEGER,
    PRIMARY KEY (ticket_id, position)
);

CREATE TABLE ticket_links (
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    link_type   TEXT NOT NULL,                       -- Blocks, Relates, ...
    direction   TEXT NOT NULL,                       -- outward ("blocks"), inward ("is blocked by")
    description TEXT,
    other_key   TEXT NOT NULL,
    PRIMARY KEY (ticket_id, link_type, direction, other_key)
);

CREATE TABLE sprints (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    provider    TEXT NOT NULL,
    external_id TEXT NOT NULL,
    board_id    TEXT,
    name        TEXT NOT NULL,
    state       TEXT NOT NULL,                       -- future, active, closed
    goal        TEXT,
    start_at    INTEGER,
    end_at      INTEGER,
    complete_at INTEGER,
    team_id     INTEGER REFERENCES teams(id),
    UNIQUE (provider, external_id)
);

-- Membership over time, reconstructed from the changelog: a ticket may enter and leave a sprint
-- more than once (position counts the stays).
CREATE TABLE sprint_membership (
    sprint_id  INTEGER NOT NULL REFERENCES sprints(id) ON DELETE CASCADE,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL DEFAULT 0,
    added_at   INTEGER,
    removed_at INTEGER,
    PRIMARY KEY (sprint_id, ticket_id, position)
);

-- ---------------------------------------------------------------------------------------------
-- Operations: services, incidents with log entries
-- ---------------------------------------------------------------------------------------------
CREATE TABLE services (
    id          INTEGER PRIMARY KEY,
    provider    TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    key         TEXT,
    team_id     INTEGER REFERENCES teams(id),
    repo_id     INTEGER REFERENCES repos(id),
    html_url    TEXT,
    UNIQUE (provider, external_id)
);

CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    provider        TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    number          INTEGER,
    title           TEXT NOT NULL,
    status          TEXT NOT NULL,                   -- triggered, acknowledged, resolved
    urgency         TEXT,
    priority        TEXT,
    service_id      INTEGER REFERENCES services(id),
    created_at      INTEGER NOT NULL,
    acknowledged_at INTEGER,
    resolved_at     INTEGER,
    html_url        TEXT,
    deployment_id   INTEGER REFERENCES deployments(id), -- an explicit link, when one exists
    UNIQUE (provider, external_id)
);

CREATE TABLE incident_assignments (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    assigned_at INTEGER,
    PRIMARY KEY (incident_id, account_id)
);

CREATE TABLE incident_log_entries (
    id               INTEGER PRIMARY KEY,
    incident_id      INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    external_id      TEXT NOT NULL,
    kind             TEXT NOT NULL,                  -- trigger, acknowledge, annotate, resolve, ...
    created_at       INTEGER NOT NULL,
    agent_account_id INTEGER REFERENCES accounts(id),
    summary          TEXT,
    UNIQUE (incident_id, external_id)
);

-- ---------------------------------------------------------------------------------------------
-- Chat
-- ---------------------------------------------------------------------------------------------
CREATE TABLE chat_channels (
    id          INTEGER PRIMARY KEY,
    provider    TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    purpose     TEXT,
    UNIQUE (provider, external_id)
);

CREATE TABLE chat_messages (
    id                INTEGER PRIMARY KEY,
    channel_id        INTEGER NOT NULL REFERENCES chat_channels(id) ON DELETE CASCADE,
    ts                TEXT NOT NULL,
    thread_ts         TEXT,
    author_account_id INTEGER REFERENCES accounts(id),
    text              TEXT NOT NULL,
    posted_at         INTEGER NOT NULL,
    reply_count       INTEGER,
    UNIQUE (channel_id, ts)
);

-- ---------------------------------------------------------------------------------------------
-- Derived: signals, metric snapshots, alerts, actions, the audit ledger, private notes
-- ---------------------------------------------------------------------------------------------
CREATE TABLE signals (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    dedupe_key       TEXT NOT NULL UNIQUE,
    severity         TEXT NOT NULL,                  -- low, medium, high
    subject_kind     TEXT NOT NULL,                  -- pull_request, ticket, sprint, ...
    subject_ref      TEXT NOT NULL,
    title            TEXT NOT NULL,
    why              TEXT NOT NULL,
    evidence         TEXT NOT NULL DEFAULT '[]',     -- JSON array of record links
    suggested_action TEXT,
    team_id          INTEGER REFERENCES teams(id),
    person_id        INTEGER REFERENCES people(id),
    status           TEXT NOT NULL DEFAULT 'open',   -- open, acknowledged, snoozed, resolved
    first_seen_at    INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL,
    acknowledged_at  INTEGER,
    snoozed_until    INTEGER,
    resolved_at      INTEGER,
    escalated_at     INTEGER
);

CREATE TABLE metric_snapshots (
    id           INTEGER PRIMARY KEY,
    metric       TEXT NOT NULL,
    scope        TEXT NOT NULL,
    window_start INTEGER,
    window_end   INTEGER,
    computed_at  INTEGER NOT NULL,
    value        TEXT NOT NULL,                      -- JSON with the evidence ids
    UNIQUE (metric, scope, window_start, window_end)
);

CREATE TABLE alerts (
    id                INTEGER PRIMARY KEY,
    signal_id         INTEGER REFERENCES signals(id) ON DELETE SET NULL,
    kind              TEXT NOT NULL,                 -- new, escalated, brief
    fired_at          INTEGER NOT NULL,
    title             TEXT NOT NULL,
    body              TEXT NOT NULL,
    reason            TEXT NOT NULL,
    delivered         INTEGER NOT NULL DEFAULT 0,
    suppressed_reason TEXT
);

CREATE TABLE actions (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,                   -- slack_message, pr_comment, ...
    status          TEXT NOT NULL,                   -- draft, approved, sending, sent, failed, rejected
    signal_id       INTEGER REFERENCES signals(id) ON DELETE SET NULL,
    target          TEXT NOT NULL,                   -- JSON
    preview         TEXT NOT NULL,
    body            TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    decided_by      TEXT,
    sent_at         INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    result          TEXT
);

-- Append-only and hash-chained: hash = sha256(prev_hash || canonical entry).
CREATE TABLE audit_entries (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT,
    result    TEXT NOT NULL,
    trace     TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

-- The manager's private notes (1:1 follow-ups). Never sent anywhere.
CREATE TABLE private_notes (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    body       TEXT NOT NULL,
    follow_up  INTEGER NOT NULL DEFAULT 0,
    done_at    INTEGER
);

-- ---------------------------------------------------------------------------------------------
-- Knowledge: documents, chunks with exact spans, full-text index, embeddings
-- ---------------------------------------------------------------------------------------------
CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER REFERENCES sources(id) ON DELETE CASCADE,
    root         TEXT NOT NULL,
    path         TEXT NOT NULL,                      -- relative to root
    kind         TEXT NOT NULL,                      -- markdown, html, text, ticket, pull_request
    title        TEXT,
    content_hash TEXT NOT NULL,
    size         INTEGER NOT NULL,
    mtime        INTEGER,
    indexed_at   INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'indexed',    -- indexed, skipped, pending
    note         TEXT,
    UNIQUE (root, path)
);

CREATE TABLE chunks (
    id             INTEGER PRIMARY KEY,
    document_id    INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal        INTEGER NOT NULL,
    heading_path   TEXT NOT NULL,
    text           TEXT NOT NULL,
    byte_start     INTEGER NOT NULL,
    byte_end       INTEGER NOT NULL,
    line_start     INTEGER NOT NULL,                 -- 1-based, inclusive
    line_end       INTEGER NOT NULL,                 -- 1-based, inclusive
    token_estimate INTEGER NOT NULL,
    UNIQUE (document_id, ordinal)
);

CREATE VIRTUAL TABLE chunks_fts USING fts5(
    text, heading_path, content = 'chunks', content_rowid = 'id', tokenize = 'porter unicode61'
);
CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, text, heading_path) VALUES (new.id, new.text, new.heading_path);
END;
CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, text, heading_path)
        VALUES ('delete', old.id, old.text, old.heading_path);
END;
CREATE TRIGGER chunks_fts_update AFTER UPDATE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, text, heading_path)
        VALUES ('delete', old.id, old.text, old.heading_path);
    INSERT INTO chunks_fts (rowid, text, heading_path) VALUES (new.id, new.text, new.heading_path);
END;

CREATE TABLE embeddings (
    chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
    model_id TEXT NOT NULL,
    dims     INTEGER NOT NULL,
    vector   BLOB NOT NULL,                          -- little-endian f32 × dims
    PRIMARY KEY (chunk_id, model_id)
);
