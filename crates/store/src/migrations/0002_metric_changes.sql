-- What changed since the metrics engine last read the store, kept by triggers and drained by the
-- app's metrics cache: after a small sync it re-reads and re-analyses only the repositories,
-- services' incidents, tickets and sprints that were written, instead of everything. (Not `INSERT
-- OR IGNORE`: an upsert's conflict handling would override the trigger's.) People, accounts, teams,
-- repositories and services are small: the cache compares them whole on every refresh.
CREATE TABLE metric_changes (
    kind TEXT NOT NULL,                              -- repo, service, ticket, sprint
    key  INTEGER NOT NULL,                           -- its id (0: an incident with no service)
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;

CREATE TRIGGER metric_changes_commits_insert AFTER INSERT ON commits BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_commits_update AFTER UPDATE ON commits BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_commits_delete AFTER DELETE ON commits BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(OLD.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_commit_parents_insert AFTER INSERT ON commit_parents BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_commit_parents_update AFTER UPDATE ON commit_parents BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_commit_parents_delete AFTER DELETE ON commit_parents BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(OLD.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_pull_requests_insert AFTER INSERT ON pull_requests BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_pull_requests_update AFTER UPDATE ON pull_requests BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_pull_requests_delete AFTER DELETE ON pull_requests BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(OLD.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_deployments_insert AFTER INSERT ON deployments BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_deployments_update AFTER UPDATE ON deployments BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(NEW.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_deployments_delete AFTER DELETE ON deployments BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce(OLD.repo_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_pr_commits_insert AFTER INSERT ON pr_commits BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = NEW.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_pr_commits_update AFTER UPDATE ON pr_commits BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = NEW.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_pr_commits_delete AFTER DELETE ON pr_commits BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = OLD.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_reviews_insert AFTER INSERT ON reviews BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = NEW.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_reviews_update AFTER UPDATE ON reviews BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = NEW.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_reviews_delete AFTER DELETE ON reviews BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = OLD.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_review_requests_insert AFTER INSERT ON review_requests BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = NEW.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_review_requests_update AFTER UPDATE ON review_requests BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = NEW.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_review_requests_delete AFTER DELETE ON review_requests BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = OLD.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_pr_events_insert AFTER INSERT ON pr_events BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = NEW.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_pr_events_update AFTER UPDATE ON pr_events BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = NEW.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_pr_events_delete AFTER DELETE ON pr_events BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM pull_requests WHERE id = OLD.pr_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_deployment_statuses_insert AFTER INSERT ON deployment_statuses BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM deployments WHERE id = NEW.deployment_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_deployment_statuses_update AFTER UPDATE ON deployment_statuses BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM deployments WHERE id = NEW.deployment_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_deployment_statuses_delete AFTER DELETE ON deployment_statuses BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'repo', v FROM (SELECT coalesce((SELECT repo_id FROM deployments WHERE id = OLD.deployment_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'repo' AND key = v);
END;
CREATE TRIGGER metric_changes_incidents_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'service', v FROM (SELECT coalesce(coalesce(NEW.service_id, 0), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'service' AND key = v);
END;
CREATE TRIGGER metric_changes_incidents_update AFTER UPDATE ON incidents BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'service', v FROM (SELECT coalesce(coalesce(NEW.service_id, 0), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'service' AND key = v);
END;
CREATE TRIGGER metric_changes_incidents_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'service', v FROM (SELECT coalesce(coalesce(OLD.service_id, 0), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'service' AND key = v);
END;
CREATE TRIGGER metric_changes_incident_log_entries_insert AFTER INSERT ON incident_log_entries BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'service', v FROM (SELECT coalesce((SELECT coalesce(service_id, 0) FROM incidents WHERE id = NEW.incident_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'service' AND key = v);
END;
CREATE TRIGGER metric_changes_incident_log_entries_update AFTER UPDATE ON incident_log_entries BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'service', v FROM (SELECT coalesce((SELECT coalesce(service_id, 0) FROM incidents WHERE id = NEW.incident_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'service' AND key = v);
END;
CREATE TRIGGER metric_changes_incident_log_entries_delete AFTER DELETE ON incident_log_entries BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'service', v FROM (SELECT coalesce((SELECT coalesce(service_id, 0) FROM incidents WHERE id = OLD.incident_id), 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'service' AND key = v);
END;
CREATE TRIGGER metric_changes_tickets_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(NEW.id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER metric_changes_tickets_update AFTER UPDATE ON tickets BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(NEW.id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER metric_changes_tickets_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(OLD.id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER metric_changes_ticket_status_periods_insert AFTER INSERT ON ticket_status_periods BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(NEW.ticket_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER metric_changes_ticket_status_periods_update AFTER UPDATE ON ticket_status_periods BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(NEW.ticket_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER metric_changes_ticket_status_periods_delete AFTER DELETE ON ticket_status_periods BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(OLD.ticket_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER metric_changes_ticket_links_insert AFTER INSERT ON ticket_links BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(NEW.ticket_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER metric_changes_ticket_links_update AFTER UPDATE ON ticket_links BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(NEW.ticket_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER metric_changes_ticket_links_delete AFTER DELETE ON ticket_links BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(OLD.ticket_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER metric_changes_sprint_membership_insert AFTER INSERT ON sprint_membership BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(NEW.ticket_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER metric_changes_sprint_membership_update AFTER UPDATE ON sprint_membership BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(NEW.ticket_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER metric_changes_sprint_membership_delete AFTER DELETE ON sprint_membership BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'ticket', v FROM (SELECT coalesce(OLD.ticket_id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'ticket' AND key = v);
END;
CREATE TRIGGER metric_changes_sprints_insert AFTER INSERT ON sprints BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'sprint', v FROM (SELECT coalesce(NEW.id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'sprint' AND key = v);
END;
CREATE TRIGGER metric_changes_sprints_update AFTER UPDATE ON sprints BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'sprint', v FROM (SELECT coalesce(NEW.id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'sprint' AND key = v);
END;
CREATE TRIGGER metric_changes_sprints_delete AFTER DELETE ON sprints BEGIN
    INSERT INTO metric_changes (kind, key) SELECT 'sprint', v FROM (SELECT coalesce(OLD.id, 0) AS v)
        WHERE NOT EXISTS (SELECT 1 FROM metric_changes WHERE kind = 'sprint' AND key = v);
END;
