-- Drafts sent to the manager in Slack (issue 22, 4): one direct message per draft, with Approve
-- and Reject buttons. The row is claimed before the message is posted (ts NULL until Slack
-- answers), so a draft is never offered twice.
CREATE TABLE action_slack_dms (
    action_id INTEGER PRIMARY KEY REFERENCES actions(id) ON DELETE CASCADE,
    channel   TEXT NOT NULL,
    ts        TEXT,
    sent_at   INTEGER NOT NULL
);
