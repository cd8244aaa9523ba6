-- A page (a new high-urgency incident on the manager's teams) is delivered outside the daily
-- budget: it is marked, so the budget counts every other delivered alert only.
ALTER TABLE alerts ADD COLUMN page INTEGER NOT NULL DEFAULT 0;
