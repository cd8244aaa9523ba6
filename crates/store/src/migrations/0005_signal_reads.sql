-- Indexes for what the signal engine reads (the extra records beside the metrics dataset, see
-- bosun-app's signals::load_extra): open pull requests (a few thousand among a hundred thousand),
-- recent check runs, a deployment's latest status, the tickets not done or done recently and
-- their changes. Without them each read scanned a whole
-- table: 1.4 s of reading at the scale-100 demo, on every start and every time "now" moves.
CREATE INDEX IF NOT EXISTS pull_requests_open ON pull_requests (repo_id) WHERE state = 'open';
CREATE INDEX IF NOT EXISTS check_runs_at ON check_runs (coalesce(completed_at, started_at, 0));
CREATE INDEX IF NOT EXISTS deployment_statuses_at ON deployment_statuses (deployment_id, created_at, id);
CREATE INDEX IF NOT EXISTS tickets_window ON tickets (status_category, resolved_at, updated_at);
CREATE INDEX IF NOT EXISTS ticket_changes_at ON ticket_changes (ticket_id, created_at);
