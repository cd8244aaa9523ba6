-- Independent reference for Bosun's DORA numbers (docs/metric-definitions.md), in DuckDB SQL over
-- the CSV export of the raw store tables (bench/reference/export.py). Written from the definitions,
-- not from the Rust engine (crates/metrics/src/dora.rs): it must agree with it exactly on the demo
-- organisation.
--
-- Two parts. Everything above the `-- @@ scope` line analyses every deployment once (changes,
-- failures, rework and recovery depend on history outside any window) into tables; the single
-- SELECT below it summarises one scope, read from variables set by reference.py:
--   since, until  (unix seconds, both inclusive), team (teams.key or NULL), repo (repos.id or NULL).
--
-- Readings of the definitions where they leave a choice (also in bench/reference/README.md):
--  R1 Identity: an account is a bot when accounts.is_bot, its login ends in "[bot]", or its person
--     is a bot; a commit's person is its account's person, else the person owning its author email
--     (case-insensitive); a commit is a bot commit when that person or account is a bot or its
--     author name ends in "[bot]".
--  R2 A deployment is a production deployment (deployments.production) that succeeded: a GitHub
--     deployment at its first `success` status; tags and releases have no statuses and count when
--     made (created_at). Order within a repository: (time, id).
--  R3 Rebase merges: GitHub lands each PR commit as a copy (same author time and subject), the
--     landing commit (merge_commit_sha, not one of the PR's own commits) being the copy of the
--     last one. Walking first parents down from the landing commit, the i-th single-parent commit
--     is a copy while it matches the PR's i-th commit from the end. Copies belong to the PR and
--     are changes in their own right (one per PR commit). Only a landing commit that is not a
--     copy is a squash commit and stands for the PR's own commits (otherwise a rebased PR of n
--     commits would count 2n-1 changes), and a squash commit's first parent is not the PR's.
--  R4 `rollback_of` in a deployment's payload names the provider's deployment id (what GitHub
--     knows), i.e. deployments.external_id of an earlier deployment of the same repository. A
--     deployment that names one and also redeploys an ancestor of the previous deployment's
--     commit rolls back both (two pieces of evidence, either suffices).
--  R5 Explicit incident links (incident.deployment_id, "deployment <id>" or a sha prefix in an
--     annotation) do not depend on the incident's service; only the implicit "incident after a
--     deployment" rule and the "open incident" rework rule use the repository's service.
--  R6 A sha prefix in a note (a word of 7-40 lowercase hex digits) links the latest deployment of
--     that sha that is not after the incident started; a sha deployed only later (say, the fix)
--     links nothing. A sha the note rolls back to — right after "roll back to", "rolling back to",
--     "rolled back to", "rollback to", "revert to", "reverting to" or "reverted to" (whole words,
--     any case, whitespace between) — is the known-good target, not the cause, and links nothing
--     (docs/metric-definitions.md: an incident fails a deployment it *links*; the demo's "Rolling
--     back to ce7abc0" would otherwise fail the good deployment the service was rolled back to).
--  R7 A revert or hotfix PR blames every earlier deployment that first shipped a PR its body
--     references (`#N`, same repository); a hotfix with no such reference blames the deployment
--     just before the one that shipped it.
--  R8 A tag or release whose description starts with "hotfix" (any case) is a hotfix: unplanned,
--     and it blames the deployment just before it in its repository. (Only tags and releases: a
--     workflow run's description is a commit subject, which may start with anything.)
--  R9 A workflow run (deployments.kind = 'workflow_run') is what its latest status says (the
--     latest attempt's conclusion, by time then id): `success` is a deployment at that status's
--     time; `failure` or `timed_out` is a deployment at that time that failed (evidence
--     deploy_failed) and ships nothing — its commits go with the next deployment that ships them,
--     and it is never a rollback itself; anything else is not a deployment. A production GitHub
--     deployment of the same repository and commit created while a production run that counts
--     ran (from its creation to that status, a minute either side) is the same deploy seen twice
--     (a job deploying to an environment) and is left out.

-- ---------------------------------------------------------------------------------------------
-- Identity (R1)
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE TABLE account_who AS
SELECT a.id AS account_id,
       a.person_id,
       (a.is_bot = 1 OR ends_with(coalesce(a.login, ''), '[bot]') OR coalesce(p.is_bot, 0) = 1) AS is_bot
FROM accounts a
LEFT JOIN people p ON p.id = a.person_id;

CREATE OR REPLACE TABLE commit_info AS
SELECT c.repo_id,
       c.sha,
       c.authored_at,
       split_part(c.message, chr(10), 1) AS subject,
       (SELECT count(*) FROM commit_parents p WHERE p.repo_id = c.repo_id AND p.sha = c.sha) AS n_parents,
       (coalesce(aw.is_bot, false)
        OR coalesce(pe.is_bot, 0) = 1
        OR ends_with(coalesce(c.author_name, ''), '[bot]')) AS is_bot
FROM commits c
LEFT JOIN account_who aw ON aw.account_id = c.author_account_id
LEFT JOIN person_emails e ON aw.person_id IS NULL AND lower(e.email) = lower(c.author_email)
LEFT JOIN people pe ON pe.id = e.person_id;

-- ---------------------------------------------------------------------------------------------
-- Deployments (R2) and the commits each one deploys for the first time
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE TABLE dep AS
WITH latest AS (  -- R9: a workflow run's latest status
    SELECT s.deployment_id, arg_max(s.state, (s.created_at, s.id)) AS state, max(s.created_at) AS at
    FROM deployment_statuses s JOIN deployments d ON d.id = s.deployment_id
    WHERE d.kind = 'workflow_run'
    GROUP BY s.deployment_id
), run AS (
    SELECT d.id, d.repo_id, d.sha, d.created_at, l.at, l.state IN ('failure', 'timed_out') AS failed
    FROM deployments d JOIN latest l ON l.deployment_id = d.id
    WHERE d.production = 1 AND l.state IN ('success', 'failure', 'timed_out')
), d AS (
    SELECT d.id, d.repo_id, d.external_id, d.sha, d.payload, d.kind, coalesce(d.description, '') AS description,
           CASE WHEN d.kind = 'github_deployment'
                THEN (SELECT min(s.created_at) FROM deployment_statuses s WHERE s.deployment_id = d.id AND s.state = 'success')
                WHEN d.kind = 'workflow_run'
                THEN (SELECT r.at FROM run r WHERE r.id = d.id)
                ELSE d.created_at END AS deployed_at,
           coalesce((SELECT r.failed FROM run r WHERE r.id = d.id), false) AS failed_run
    FROM deployments d
    WHERE d.production = 1
      AND NOT (d.kind = 'github_deployment'
               AND EXISTS (SELECT 1 FROM run r
                           WHERE r.repo_id = d.repo_id AND r.sha = d.sha
                             AND d.created_at BETWEEN r.created_at - 60 AND r.at + 60))
)
SELECT id, repo_id, external_id, sha, payload, kind, description, deployed_at, failed_run,
       row_number() OVER (PARTITION BY repo_id ORDER BY deployed_at, id) AS k
FROM d
WHERE deployed_at IS NOT NULL;

-- Every (deployment, commit reachable from its sha).
CREATE OR REPLACE TABLE reach AS
WITH RECURSIVE r(dep_id, repo_id, sha) AS (
    SELECT id, repo_id, sha FROM dep
    UNION
    SELECT r.dep_id, r.repo_id, p.parent_sha
    FROM r JOIN commit_parents p ON p.repo_id = r.repo_id AND p.sha = r.sha
)
SELECT * FROM r;

-- The first deployment (in repository order) containing each commit: a commit belongs to the
-- changes of that deployment and of no other. A failed workflow run ships nothing (R9).
CREATE OR REPLACE TABLE first_dep AS
SELECT r.repo_id, r.sha, arg_min(d.id, d.k) AS dep_id
FROM reach r JOIN dep d ON d.id = r.dep_id
WHERE NOT d.failed_run
GROUP BY r.repo_id, r.sha;

-- ---------------------------------------------------------------------------------------------
-- Pull requests and the commits that stand for them on the default branch (R3)
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE TABLE pr AS
SELECT p.id, p.repo_id, p.number, p.title, coalesce(p.body, '') AS body, p.labels, p.created_at, p.merged_at,
       p.merge_commit_sha,
       coalesce(p.additions, 0) + coalesce(p.deletions, 0) AS size,
       aw.person_id AS author_person,
       coalesce(aw.is_bot, false) AS author_is_bot,
       coalesce((SELECT max(e.created_at) FROM pr_events e WHERE e.pr_id = p.id AND e.event = 'ready_for_review'),
                p.created_at) AS ready_at
FROM pull_requests p
LEFT JOIN account_who aw ON aw.account_id = p.author_account_id;

-- The PR's own commits that are in the synced history.
CREATE OR REPLACE TABLE pr_own AS
SELECT pc.pr_id, pr.repo_id, ci.sha, ci.authored_at, ci.subject, ci.n_parents, ci.is_bot,
       row_number() OVER (PARTITION BY pc.pr_id ORDER BY pc.position DESC) - 1 AS from_last
FROM pr_commits pc
JOIN pr ON pr.id = pc.pr_id
JOIN commit_info ci ON ci.repo_id = pr.repo_id AND ci.sha = pc.sha;

-- Landing commits of merged PRs that are not one of the PR's own commits.
CREATE OR REPLACE TABLE landing AS
SELECT pr.id AS pr_id, pr.repo_id, pr.merge_commit_sha AS sha
FROM pr
WHERE pr.merged_at IS NOT NULL AND pr.merge_commit_sha IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM pr_commits pc WHERE pc.pr_id = pr.id AND pc.sha = pr.merge_commit_sha);

CREATE OR REPLACE TABLE rebase_copy AS
WITH RECURSIVE chain(pr_id, repo_id, sha, step) AS (
    SELECT l.pr_id, l.repo_id, l.sha, 0
    FROM landing l
    JOIN commit_info c ON c.repo_id = l.repo_id AND c.sha = l.sha
    JOIN pr_own o ON o.pr_id = l.pr_id AND o.from_last = 0
    WHERE c.n_parents = 1 AND c.authored_at = o.authored_at AND c.subject = o.subject
    UNION ALL
    SELECT ch.pr_id, ch.repo_id, p.parent_sha, ch.step + 1
    FROM chain ch
    JOIN commit_parents p ON p.repo_id = ch.repo_id AND p.sha = ch.sha AND p.position = 0
    JOIN commit_info c ON c.repo_id = ch.repo_id AND c.sha = p.parent_sha
    JOIN pr_own o ON o.pr_id = ch.pr_id AND o.from_last = ch.step + 1
    WHERE c.n_parents = 1 AND c.authored_at = o.authored_at AND c.subject = o.subject
)
SELECT pr_id, repo_id, sha FROM chain;

-- Squash commits: a single-parent (or root) landing commit that is not a rebase copy.
CREATE OR REPLACE TABLE squash AS
SELECT l.pr_id, l.repo_id, l.sha
FROM landing l
JOIN commit_info c ON c.repo_id = l.repo_id AND c.sha = l.sha
WHERE c.n_parents <= 1
  AND NOT EXISTS (SELECT 1 FROM rebase_copy r WHERE r.pr_id = l.pr_id AND r.sha = l.sha);

-- (PR, commit) for every commit that brings a PR to the branch: its own commits, its merge
-- commit (merge, squash or rebase landing), its rebase copies.
CREATE OR REPLACE TABLE pr_map AS
SELECT pc.pr_id, pr.repo_id, pc.sha FROM pr_commits pc JOIN pr ON pr.id = pc.pr_id
UNION
SELECT pr.id, pr.repo_id, pr.merge_commit_sha FROM pr WHERE pr.merged_at IS NOT NULL AND pr.merge_commit_sha IS NOT NULL
UNION
SELECT pr_id, repo_id, sha FROM rebase_copy;

-- The deployment that first shipped each PR.
CREATE OR REPLACE TABLE pr_ship AS
SELECT m.pr_id, arg_min(d.id, d.k) AS dep_id, arg_min(d.deployed_at, d.k) AS deployed_at
FROM pr_map m
JOIN first_dep f ON f.repo_id = m.repo_id AND f.sha = m.sha
JOIN dep d ON d.id = f.dep_id
GROUP BY m.pr_id;

-- ---------------------------------------------------------------------------------------------
-- Changes: non-merge commits first deployed by each deployment, bots' included (DORA counts every
-- change); a squash commit stands for its PR's own non-merge commits. A change is a bot's when its
-- commit is (R1) or it came through a bot's pull request. Lead time = deployed − authored.
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE TABLE change AS
WITH c AS (
    SELECT f.dep_id, ci.repo_id, ci.sha, ci.authored_at, ci.is_bot,
           EXISTS (SELECT 1 FROM pr_map m JOIN pr ON pr.id = m.pr_id
                   WHERE m.repo_id = ci.repo_id AND m.sha = ci.sha AND pr.author_is_bot) AS bot_pr
    FROM first_dep f
    JOIN commit_info ci ON ci.repo_id = f.repo_id AND ci.sha = f.sha
    WHERE ci.n_parents <= 1
), expanded AS (
    SELECT c.dep_id, o.sha, o.authored_at, (o.is_bot OR c.bot_pr) AS is_bot
    FROM c
    JOIN squash s ON s.repo_id = c.repo_id AND s.sha = c.sha
    JOIN pr_own o ON o.pr_id = s.pr_id
    WHERE o.n_parents <= 1
    UNION ALL
    SELECT c.dep_id, c.sha, c.authored_at, (c.is_bot OR c.bot_pr) AS is_bot
    FROM c
    WHERE NOT EXISTS (SELECT 1 FROM squash s WHERE s.repo_id = c.repo_id AND s.sha = c.sha)
)
SELECT e.dep_id, e.sha, e.authored_at, d.deployed_at - e.authored_at AS lead_time, e.is_bot
FROM expanded e JOIN dep d ON d.id = e.dep_id;

-- ---------------------------------------------------------------------------------------------
-- Failure evidence: (failed deployment, kind, the deployment / incident / PR that shows it)
-- ---------------------------------------------------------------------------------------------
-- Rollbacks (R4): the payload names the rolled-back deployment, or the deployment redeploys an
-- older commit: an ancestor of the previous deployment's commit, shipping no change (a failed
-- workflow run rolls nothing back, R9).
CREATE OR REPLACE TABLE rollback AS
WITH payload AS (
    SELECT d.*,
           CASE WHEN json_valid(d.payload) AND json_type(d.payload, '$.rollback_of') IN ('UBIGINT', 'BIGINT')
                THEN json_extract_string(d.payload, '$.rollback_of') END AS rollback_of
    FROM dep d
)
SELECT p.id AS by_dep, t.id AS target, 'payload' AS how
FROM payload p LEFT JOIN dep t ON t.repo_id = p.repo_id AND t.k < p.k AND t.external_id = p.rollback_of
WHERE p.rollback_of IS NOT NULL
UNION ALL
SELECT d.id, prev.id, 'redeploy'
FROM dep d
JOIN dep prev ON prev.repo_id = d.repo_id AND prev.k = d.k - 1
WHERE d.sha <> prev.sha
  AND NOT d.failed_run
  AND NOT EXISTS (SELECT 1 FROM change c WHERE c.dep_id = d.id)
  AND EXISTS (SELECT 1 FROM reach r WHERE r.dep_id = prev.id AND r.sha = d.sha);

-- Revert and hotfix PRs, by the deployment that shipped them (R7).
CREATE OR REPLACE TABLE fixing_pr AS
SELECT s.dep_id AS by_dep, pr.id AS pr_id, pr.repo_id, pr.body,
       starts_with(pr.title, 'Revert "') AS is_revert,
       (starts_with(lower(pr.title), 'hotfix')
        OR list_contains(list_transform(CASE WHEN json_valid(pr.labels) THEN json_extract_string(pr.labels, '$[*]') END,
                                        lambda x: lower(x)), 'hotfix')) AS is_hotfix
FROM pr_ship s JOIN pr ON pr.id = s.pr_id
WHERE starts_with(pr.title, 'Revert "')
   OR starts_with(lower(pr.title), 'hotfix')
   OR list_contains(list_transform(CASE WHEN json_valid(pr.labels) THEN json_extract_string(pr.labels, '$[*]') END,
                                   lambda x: lower(x)), 'hotfix');

CREATE OR REPLACE TABLE fix_blame AS
WITH refs AS (
    SELECT f.by_dep, f.pr_id, f.repo_id, f.is_revert, TRY_CAST(n AS BIGINT) AS number
    FROM fixing_pr f, unnest(regexp_extract_all(f.body, '#([0-9]+)', 1)) AS t(n)
), resolved AS (
    SELECT r.by_dep, r.pr_id, r.is_revert, qs.dep_id AS target
    FROM refs r
    JOIN pr q ON q.repo_id = r.repo_id AND q.number = r.number
    JOIN pr_ship qs ON qs.pr_id = q.id
    JOIN dep t ON t.id = qs.dep_id
    JOIN dep b ON b.id = r.by_dep
    WHERE t.k < b.k
)
SELECT DISTINCT by_dep, pr_id, is_revert, target FROM resolved
UNION ALL
SELECT f.by_dep, f.pr_id, false, prev.id
FROM fixing_pr f
JOIN dep b ON b.id = f.by_dep
JOIN dep prev ON prev.repo_id = b.repo_id AND prev.k = b.k - 1
WHERE NOT f.is_revert AND f.is_hotfix
  AND NOT EXISTS (SELECT 1 FROM resolved r WHERE r.by_dep = f.by_dep AND r.pr_id = f.pr_id)
UNION ALL
-- R8: a tag or release described as a hotfix ("Hotfix 2.35.1") blames the deployment before it.
SELECT d.id, NULL, false, prev.id
FROM dep d
JOIN dep prev ON prev.repo_id = d.repo_id AND prev.k = d.k - 1
WHERE d.kind IN ('tag', 'release') AND starts_with(lower(ltrim(d.description)), 'hotfix');

-- Incidents, with their service key.
CREATE OR REPLACE TABLE inc AS
SELECT i.id, i.external_id, sv.key AS service, i.created_at, i.resolved_at, i.deployment_id, i.urgency
FROM incidents i LEFT JOIN services sv ON sv.id = i.service_id;

CREATE OR REPLACE TABLE note AS
SELECT incident_id, summary FROM incident_log_entries WHERE kind = 'annotate' AND summary IS NOT NULL;

-- Explicit links (R5, R6).
CREATE OR REPLACE TABLE inc_link AS
WITH tokens AS (  -- a note as alternating runs of ASCII letters/digits and of anything else
    SELECT incident_id, t, generate_subscripts(t, 1) AS i
    FROM (SELECT incident_id, regexp_extract_all(summary, '[A-Za-z0-9]+|[^A-Za-z0-9]+') AS t FROM note)
), words AS (  -- sha-like words, except one the note rolls back to (R6): the phrase's words are
               -- separated by whitespace only, and preceded by whitespace or nothing
    SELECT DISTINCT incident_id, t[i] AS w
    FROM tokens
    WHERE regexp_full_match(t[i], '[0-9a-f]{7,40}')
      AND NOT coalesce(
          (i >= 5 AND regexp_full_match(t[i - 1], '\s+') AND lower(t[i - 2]) = 'to' AND regexp_full_match(t[i - 3], '\s+')
           AND lower(t[i - 4]) IN ('rollback', 'revert', 'reverting', 'reverted')
           AND (i = 5 OR regexp_matches(t[i - 5], '\s$')))
          OR (i >= 7 AND regexp_full_match(t[i - 1], '\s+') AND lower(t[i - 2]) = 'to' AND regexp_full_match(t[i - 3], '\s+')
              AND lower(t[i - 4]) = 'back' AND regexp_full_match(t[i - 5], '\s+')
              AND lower(t[i - 6]) IN ('roll', 'rolling', 'rolled')
              AND (i = 7 OR regexp_matches(t[i - 7], '\s$'))),
          false)
), by_sha AS (
    SELECT w.incident_id, w.w, d.id, d.deployed_at, d.k, d.repo_id, i.created_at
    FROM words w JOIN inc i ON i.id = w.incident_id JOIN dep d ON starts_with(d.sha, w.w)
)
SELECT i.id AS incident_id, d.id AS dep_id, 'deployment_id' AS how
FROM inc i JOIN dep d ON d.id = i.deployment_id
UNION
SELECT n.incident_id, d.id, 'note_id'
FROM (SELECT incident_id, unnest(regexp_extract_all(summary, 'deployment ([0-9]+)', 1)) AS ext FROM note) n
JOIN dep d ON d.external_id = n.ext
UNION
SELECT incident_id, arg_max(id, (deployed_at, k)), 'note_sha'
FROM by_sha
WHERE deployed_at <= created_at
GROUP BY incident_id, w, repo_id;

-- An incident with no explicit link fails the deployment of its service it follows within 24h,
-- if it starts no later than the next deployment of that repository.
CREATE OR REPLACE TABLE inc_after AS
SELECT d.id AS dep_id, i.id AS incident_id
FROM dep d
JOIN repos r ON r.id = d.repo_id
JOIN inc i ON i.service = r.service
LEFT JOIN dep nx ON nx.repo_id = d.repo_id AND nx.k = d.k + 1
WHERE i.deployment_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM inc_link l WHERE l.incident_id = i.id)
  AND i.created_at > d.deployed_at
  AND i.created_at <= least(d.deployed_at + 86400, coalesce(nx.deployed_at, d.deployed_at + 86400));

CREATE OR REPLACE TABLE failure AS
SELECT target AS dep_id, 'rollback' AS kind, by_dep AS ref FROM rollback WHERE target IS NOT NULL
UNION ALL
SELECT target, CASE WHEN is_revert THEN 'revert' ELSE 'hotfix' END, by_dep FROM fix_blame
UNION ALL
SELECT dep_id, 'incident_link', incident_id FROM inc_link
UNION ALL
SELECT dep_id, 'incident_after', incident_id FROM inc_after
UNION ALL
SELECT id, 'deploy_failed', NULL FROM dep WHERE failed_run;

-- ---------------------------------------------------------------------------------------------
-- Per deployment: failed, recovery, unplanned
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE TABLE dep_result AS
WITH failed AS (SELECT DISTINCT dep_id FROM failure),
inc_of AS (  -- incidents behind a failure
    SELECT dep_id, incident_id FROM inc_link UNION SELECT dep_id, incident_id FROM inc_after
)
SELECT d.id, d.repo_id, d.external_id, d.sha, d.deployed_at, d.k,
       f.dep_id IS NOT NULL AS failed,
       CASE WHEN f.dep_id IS NOT NULL THEN
           least((SELECT min(g.deployed_at) FROM dep g
                  WHERE g.repo_id = d.repo_id AND g.k > d.k AND g.id NOT IN (SELECT dep_id FROM failed)),
                 (SELECT min(i.resolved_at) FROM inc_of o JOIN inc i ON i.id = o.incident_id WHERE o.dep_id = d.id))
           - d.deployed_at END AS recovery_secs,
       CASE
           WHEN EXISTS (SELECT 1 FROM rollback r WHERE r.by_dep = d.id) THEN 'rollback'
           WHEN EXISTS (SELECT 1 FROM fixing_pr x WHERE x.by_dep = d.id AND x.is_revert) THEN 'revert'
           WHEN EXISTS (SELECT 1 FROM fixing_pr x WHERE x.by_dep = d.id) THEN 'hotfix'
           WHEN d.kind IN ('tag', 'release') AND starts_with(lower(ltrim(d.description)), 'hotfix') THEN 'hotfix'
           WHEN EXISTS (SELECT 1 FROM inc i JOIN repos r ON r.service = i.service
                        WHERE r.id = d.repo_id AND i.created_at <= d.deployed_at
                          AND (i.resolved_at IS NULL OR i.resolved_at >= d.deployed_at)
                          AND i.urgency IS DISTINCT FROM 'low') THEN 'incident_fix'
       END AS unplanned
FROM dep d LEFT JOIN failed f ON f.dep_id = d.id;

-- @@ scope
WITH s AS (
    SELECT d.*
    FROM dep_result d
    JOIN repos r ON r.id = d.repo_id
    LEFT JOIN teams t ON t.id = r.team_id
    WHERE d.deployed_at BETWEEN getvariable('since') AND getvariable('until')
      AND (getvariable('repo') IS NULL OR r.id = getvariable('repo'))
      AND (getvariable('team') IS NULL OR t.key = getvariable('team'))
), weeks AS (
    SELECT greatest(getvariable('until') - getvariable('since'), 1) / 604800.0 AS w
), lead AS (
    SELECT c.lead_time::DOUBLE AS x, c.is_bot FROM change c JOIN s ON s.id = c.dep_id
), rec AS (
    SELECT recovery_secs::DOUBLE AS x FROM s WHERE failed AND recovery_secs IS NOT NULL
)
SELECT
    (SELECT count(*) FROM s) AS deployments,
    (SELECT count(*) FROM s) / (SELECT w FROM weeks) AS deployment_frequency_per_week,
    (SELECT count(DISTINCT floor(deployed_at / 86400)) FROM s) / (SELECT w FROM weeks) AS deployment_days_per_week,
    (SELECT count(*) FROM lead) AS lead_n,
    (SELECT quantile_cont(x, [0.5, 0.75, 0.9]) FROM lead) AS lead_q,
    (SELECT count(*) FILTER (WHERE is_bot) FROM lead) AS lead_bots,
    (SELECT quantile_cont(x, 0.5) FILTER (WHERE NOT is_bot) FROM lead) AS lead_human_median,
    (SELECT count(*) FILTER (WHERE failed) FROM s) AS failed,
    (SELECT count(*) FROM rec) AS recovery_n,
    (SELECT quantile_cont(x, [0.5, 0.75, 0.9]) FROM rec) AS recovery_q,
    (SELECT count(*) FILTER (WHERE unplanned IS NOT NULL) FROM s) AS unplanned,
    (SELECT coalesce(list(id ORDER BY id) FILTER (WHERE failed), []) FROM s) AS failed_ids,
    (SELECT coalesce(list(id ORDER BY id) FILTER (WHERE failed AND recovery_secs IS NULL), []) FROM s) AS unrecovered
