-- On call (issue 19, 3): who is paged for a service now and next. A service names the escalation
-- policy that pages for it; PagerDuty's /oncalls gives, per policy and level, who is on call and
-- when. Each sync replaces the shifts of its source that overlap the window it read.
ALTER TABLE services ADD COLUMN escalation_policy TEXT;

CREATE TABLE oncall_shifts (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER REFERENCES sources(id) ON DELETE CASCADE,
    provider      TEXT NOT NULL,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    policy        TEXT NOT NULL,                   -- the escalation policy's provider id
    policy_name   TEXT,
    level         INTEGER NOT NULL,                -- 1 is paged first
    schedule      TEXT,                            -- none: named in the policy directly
    schedule_name TEXT,
    start_at      INTEGER,                         -- none: always
    end_at        INTEGER                          -- none: never
);
CREATE INDEX oncall_shifts_policy ON oncall_shifts (policy, level, start_at);
