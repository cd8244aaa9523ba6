-- Independent reference for Bosun's pull request cycle time (docs/metric-definitions.md), in DuckDB
-- SQL. Runs after dora.sql's analysis part, whose tables it reads (pr, pr_own, pr_ship,
-- account_who); the scope comes from the same variables (since, until, team, repo).
--
-- For human PRs (author not a bot, R1 in dora.sql) merged in [since, until]:
--   ready    = the last `ready_for_review` event, else the PR's creation;
--   coding   = ready − the author time of the PR's first commit;
--   pickup   = the first review by a human who is not the author (reviewer account linked to a
--              person, not a bot), submitted at or after ready, state ≠ PENDING − ready;
--   review   = merge − that first review;
--   deploy   = the first production deployment that shipped the PR − merge;
--   cycle    = that deployment − the first commit;
--   merged_without_review = no such review; size = additions + deletions, bucketed
--   XS ≤ 10 < S ≤ 50 < M ≤ 250 < L ≤ 1000 < XL.

-- @@ scope
WITH m AS (
    SELECT pr.*
    FROM pr
    JOIN repos r ON r.id = pr.repo_id
    LEFT JOIN teams t ON t.id = r.team_id
    WHERE NOT pr.author_is_bot
      AND pr.merged_at BETWEEN getvariable('since') AND getvariable('until')
      AND (getvariable('repo') IS NULL OR r.id = getvariable('repo'))
      AND (getvariable('team') IS NULL OR t.key = getvariable('team'))
), first_commit AS (
    SELECT pr_id, min(authored_at) AS authored_at FROM pr_own GROUP BY pr_id
), first_review AS (
    SELECT m.id AS pr_id, min(rv.submitted_at) AS submitted_at
    FROM m
    JOIN reviews rv ON rv.pr_id = m.id
    JOIN account_who a ON a.account_id = rv.reviewer_account_id
    WHERE rv.submitted_at IS NOT NULL
      AND a.person_id IS NOT NULL
      AND NOT a.is_bot
      AND a.person_id IS DISTINCT FROM m.author_person
      AND rv.submitted_at >= m.ready_at
      AND rv.state <> 'PENDING'
    GROUP BY m.id
), rec AS (
    SELECT m.id,
           m.size,
           (m.ready_at - fc.authored_at)::DOUBLE AS coding,
           (fr.submitted_at - m.ready_at)::DOUBLE AS pickup,
           (m.merged_at - fr.submitted_at)::DOUBLE AS review,
           (sh.deployed_at - m.merged_at)::DOUBLE AS deploy,
           (sh.deployed_at - fc.authored_at)::DOUBLE AS cycle,
           sh.dep_id AS deployment
    FROM m
    LEFT JOIN first_commit fc ON fc.pr_id = m.id
    LEFT JOIN first_review fr ON fr.pr_id = m.id
    LEFT JOIN pr_ship sh ON sh.pr_id = m.id
)
SELECT
    count(*) AS merged,
    count(*) FILTER (WHERE pickup IS NULL) AS merged_without_review,
    count(coding) AS coding_n, quantile_cont(coding, [0.5, 0.75, 0.9]) AS coding_q,
    count(pickup) AS pickup_n, quantile_cont(pickup, [0.5, 0.75, 0.9]) AS pickup_q,
    count(review) AS review_n, quantile_cont(review, [0.5, 0.75, 0.9]) AS review_q,
    count(deploy) AS deploy_n, quantile_cont(deploy, [0.5, 0.75, 0.9]) AS deploy_q,
    count(cycle) AS cycle_n, quantile_cont(cycle, [0.5, 0.75, 0.9]) AS cycle_q,
    count(*) FILTER (WHERE size <= 10) AS xs,
    count(*) FILTER (WHERE size > 10 AND size <= 50) AS s,
    count(*) FILTER (WHERE size > 50 AND size <= 250) AS m,
    count(*) FILTER (WHERE size > 250 AND size <= 1000) AS l,
    count(*) FILTER (WHERE size > 1000) AS xl,
    coalesce(list(id ORDER BY id), []) AS pr_ids,
    coalesce(list(id ORDER BY id) FILTER (WHERE pickup IS NULL), []) AS unreviewed_ids
FROM rec
