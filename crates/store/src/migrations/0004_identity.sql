-- 1. Indexes for reads by something other than the key: matching accounts to people reads each
--    account's commits (without, the identity step scanned every commit once per account); the
--    metrics cache re-reads a ticket's sprint stays and a service's incidents after a sync.
-- 2. Who is who: people, their accounts and e-mails, teams and their members, repositories and
-- services. It changes rarely, yet the metrics and signal caches used to re-read and compare it
-- whole on every refresh. These triggers count the writes that change what the caches read (an
-- upsert writing the same values does not count); a cache reloads everything when the count has
-- moved since it last looked.
CREATE TABLE identity_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO identity_version (id, n) VALUES (1, 0);

CREATE INDEX IF NOT EXISTS commits_author_account ON commits (author_account_id);
CREATE INDEX sprint_membership_ticket ON sprint_membership (ticket_id);
CREATE INDEX incidents_service ON incidents (service_id);

CREATE TRIGGER identity_version_people_insert AFTER INSERT ON people BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_people_delete AFTER DELETE ON people BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_people_update AFTER UPDATE ON people
    WHEN OLD.id IS NOT NEW.id
     OR OLD.name IS NOT NEW.name
     OR OLD.is_bot IS NOT NEW.is_bot
     OR OLD.team_id IS NOT NEW.team_id
     OR OLD.utc_offset_minutes IS NOT NEW.utc_offset_minutes
BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_teams_insert AFTER INSERT ON teams BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_teams_delete AFTER DELETE ON teams BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_teams_update AFTER UPDATE ON teams
    WHEN OLD.id IS NOT NEW.id
     OR OLD.key IS NOT NEW.key
     OR OLD.name IS NOT NEW.name
     OR OLD.manager_person_id IS NOT NEW.manager_person_id
BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_accounts_insert AFTER INSERT ON accounts BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_accounts_delete AFTER DELETE ON accounts BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_accounts_update AFTER UPDATE ON accounts
    WHEN OLD.id IS NOT NEW.id
     OR OLD.provider IS NOT NEW.provider
     OR OLD.external_id IS NOT NEW.external_id
     OR OLD.login IS NOT NEW.login
     OR OLD.is_bot IS NOT NEW.is_bot
     OR OLD.person_id IS NOT NEW.person_id
BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_person_emails_insert AFTER INSERT ON person_emails BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_person_emails_delete AFTER DELETE ON person_emails BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_person_emails_update AFTER UPDATE ON person_emails
    WHEN OLD.email IS NOT NEW.email
     OR OLD.person_id IS NOT NEW.person_id
BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_services_insert AFTER INSERT ON services BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_services_delete AFTER DELETE ON services BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_services_update AFTER UPDATE ON services
    WHEN OLD.id IS NOT NEW.id
     OR OLD.key IS NOT NEW.key
     OR OLD.name IS NOT NEW.name
     OR OLD.team_id IS NOT NEW.team_id
BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_repos_insert AFTER INSERT ON repos BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_repos_delete AFTER DELETE ON repos BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_repos_update AFTER UPDATE ON repos
    WHEN OLD.id IS NOT NEW.id
     OR OLD.full_name IS NOT NEW.full_name
     OR OLD.team_id IS NOT NEW.team_id
     OR OLD.service IS NOT NEW.service
BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_team_members_insert AFTER INSERT ON team_members BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_team_members_delete AFTER DELETE ON team_members BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER identity_version_team_members_update AFTER UPDATE ON team_members
    WHEN OLD.team_id IS NOT NEW.team_id
     OR OLD.person_id IS NOT NEW.person_id
     OR OLD.role IS NOT NEW.role
BEGIN
    UPDATE identity_version SET n = n + 1 WHERE id = 1;
END;
