-- The files a pull request changed (GitHub's /pulls/{n}/files), for the areas of a repository
-- that change most (issue 21: an onboarding plan's "code to know").
CREATE TABLE pr_files (
    pr_id         INTEGER NOT NULL REFERENCES pull_requests(id) ON DELETE CASCADE,
    path          TEXT NOT NULL,
    status        TEXT NOT NULL,                     -- added, modified, removed, renamed, …
    additions     INTEGER NOT NULL DEFAULT 0,
    deletions     INTEGER NOT NULL DEFAULT 0,
    previous_path TEXT,
    PRIMARY KEY (pr_id, path)
);

-- Names a service had before the incident tool renamed it, as Bosun saw them across syncs, and
-- when a service disappeared from the tool's listing (deleted): docs naming either are stale.
CREATE TABLE service_names (
    service_id  INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    replaced_at INTEGER NOT NULL,
    PRIMARY KEY (service_id, name)
);
ALTER TABLE services ADD COLUMN gone_at INTEGER;
