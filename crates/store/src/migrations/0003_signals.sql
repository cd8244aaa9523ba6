-- Signals, alerts, actions and the audit ledger (issue 7).
--
-- 1. `signal_changes`: what the signal engine must look at again after a sync, kept by triggers
--    like `metric_changes` (a separate log: the metrics cache and the signal cache each drain
--    their own). Parent rows are upserted whenever their children change (a pull request with its
--    reviews, checks and events; a ticket with its changelog and links; an incident with its log),
--    so INSERT and UPDATE triggers on the parents, plus the children written on their own, cover
--    every write.
-- 2. Columns the lifecycle, alerts and outbox need.
-- 3. The audit ledger is append-only: UPDATE and DELETE are refused by triggers.
CREATE TABLE signal_changes (
    kind TEXT NOT NULL,                              -- repo, ticket, sprint, incident, chat
    key  INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;

CREATE TRIGGER signal_changes_pull_requests_insert AFTER INSERT ON pull_requests BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER signal_changes_pull_requests_update AFTER UPDATE ON pull_requests BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER signal_changes_check_runs_insert AFTER INSERT ON check_runs BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER signal_changes_check_runs_update AFTER UPDATE ON check_runs BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER signal_changes_code_owners_insert AFTER INSERT ON code_owners BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER signal_changes_code_owners_update AFTER UPDATE ON code_owners BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER signal_changes_deployments_insert AFTER INSERT ON deployments BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER signal_changes_deployments_update AFTER UPDATE ON deployments BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER signal_changes_pr_comments_insert AFTER INSERT ON pr_comments BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = NEW.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER signal_changes_pr_comments_update AFTER UPDATE ON pr_comments BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = NEW.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER signal_changes_deployment_statuses_insert AFTER INSERT ON deployment_statuses BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM deployments WHERE id = NEW.deployment_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER signal_changes_tickets_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(NEW.id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER signal_changes_sprints_insert AFTER INSERT ON sprints BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'sprint', v FROM (SELECT coalesce(NEW.id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'sprint' AND key = v);
END;
CREATE TRIGGER signal_changes_incidents_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'incident', v FROM (SELECT coalesce(NEW.id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'incident' AND key = v);
END;
CREATE TRIGGER signal_changes_chat_messages_insert AFTER INSERT ON chat_messages BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'chat', v FROM (SELECT coalesce(NEW.channel_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'chat' AND key = v);
END;
CREATE TRIGGER signal_changes_tickets_update AFTER UPDATE ON tickets BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(NEW.id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER signal_changes_sprints_update AFTER UPDATE ON sprints BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'sprint', v FROM (SELECT coalesce(NEW.id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'sprint' AND key = v);
END;
CREATE TRIGGER signal_changes_incidents_update AFTER UPDATE ON incidents BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'incident', v FROM (SELECT coalesce(NEW.id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'incident' AND key = v);
END;
CREATE TRIGGER signal_changes_chat_messages_update AFTER UPDATE ON chat_messages BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'chat', v FROM (SELECT coalesce(NEW.channel_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'chat' AND key = v);
END;
CREATE TRIGGER signal_changes_sprint_membership_insert AFTER INSERT ON sprint_membership BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(NEW.ticket_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER signal_changes_incident_assignments_insert AFTER INSERT ON incident_assignments BEGIN
    INSERT INTO signal_changes (kind, key) SELECT 'incident', v FROM (SELECT coalesce(NEW.incident_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM signal_changes WHERE kind = 'incident' AND key = v);
END;

-- Signals: the detail the table lacks (subject URL, since, rule) as JSON.
ALTER TABLE signals ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';
CREATE INDEX signals_status ON signals (status, severity);

-- Alerts belong to one episode of a signal (its first_seen_at when the alert fired).
ALTER TABLE alerts ADD COLUMN episode_at INTEGER;
ALTER TABLE alerts ADD COLUMN severity TEXT;
ALTER TABLE alerts ADD COLUMN delivered_at INTEGER;
CREATE INDEX alerts_signal ON alerts (signal_id, kind, episode_at);
CREATE INDEX alerts_fired ON alerts (fired_at);

-- Actions: the one-line summary, the policy's decision, and "not before" (the recipient's quiet
-- hours defer an approved action).
ALTER TABLE actions ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE actions ADD COLUMN decision TEXT NOT NULL DEFAULT '{}';
ALTER TABLE actions ADD COLUMN not_before INTEGER;
ALTER TABLE actions ADD COLUMN signal_key TEXT;
CREATE INDEX actions_status ON actions (status);
CREATE INDEX actions_signal ON actions (signal_key);

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN
    SELECT RAISE(ABORT, 'the audit ledger is append-only');
END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN
    SELECT RAISE(ABORT, 'the audit ledger is append-only');
END;
