#!/usr/bin/env python3
"""Independent reference for Bosun's DORA and PR cycle-time numbers: export the store to CSV
(export.py, Python's sqlite3, read-only), load it into DuckDB and compute the metrics with SQL
written from the definitions (dora.sql, prs.sql).

Usage:
  reference.py DB [--since D] [--until D] [--team T] [--repo R] [--as-of T] [--explain]
  reference.py DB --scopes FILE [--as-of T] [--explain]

DB is a Bosun SQLite file (DATA_DIR/bosun.db). Times are RFC 3339 or YYYY-MM-DD (UTC midnight),
as for `bosun metrics`: --until defaults to --as-of (default: now), --since to 90 days before
--until. --team is a team key or name, --repo a repository full name, name or id.

Prints one JSON document: {"scope", "dora", "prs", "timing"}; "dora" and "prs" use the field names
of `bosun --json metrics dora` / `metrics prs`, plus "failed_deployments" (ids). With --scopes (a
JSON list of {"name", "since", "until", "team", "repo"}), the export and the analysis run once and
"results" holds one {"scope", "dora", "prs"} per scope. --explain adds per-deployment and per-PR
records. Timing (wall seconds): export (SQLite → CSV) and sql (CSV load + analysis + scope
queries), also printed to stderr.
"""

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the repository

import export as exporter  # noqa: E402

try:
    import duckdb  # noqa: E402
except ImportError:  # pragma: no cover
    sys.exit("reference.py: DuckDB is missing: run scripts/setup and use its venv python (~/.cache/bosun/venv/bin/python)")

# Column types of the exported CSVs (the SQLite declared types).
TYPES = {
    "teams": {"id": "BIGINT", "key": "VARCHAR", "name": "VARCHAR"},
    "repos": {"id": "BIGINT", "full_name": "VARCHAR", "name": "VARCHAR", "service": "VARCHAR", "team_id": "BIGINT"},
    "services": {"id": "BIGINT", "key": "VARCHAR"},
    "people": {"id": "BIGINT", "is_bot": "BIGINT"},
    "person_emails": {"email": "VARCHAR", "person_id": "BIGINT"},
    "accounts": {"id": "BIGINT", "person_id": "BIGINT", "is_bot": "BIGINT", "login": "VARCHAR"},
    "commits": {
        "repo_id": "BIGINT", "sha": "VARCHAR", "authored_at": "BIGINT", "committed_at": "BIGINT",
        "author_account_id": "BIGINT", "author_email": "VARCHAR", "author_name": "VARCHAR", "message": "VARCHAR",
    },
    "commit_parents": {"repo_id": "BIGINT", "sha": "VARCHAR", "position": "BIGINT", "parent_sha": "VARCHAR"},
    "pull_requests": {
        "id": "BIGINT", "repo_id": "BIGINT", "number": "BIGINT", "title": "VARCHAR", "body": "VARCHAR",
        "author_account_id": "BIGINT", "created_at": "BIGINT", "merged_at": "BIGINT", "merge_commit_sha": "VARCHAR",
        "additions": "BIGINT", "deletions": "BIGINT", "labels": "VARCHAR",
    },
    "pr_commits": {"pr_id": "BIGINT", "position": "BIGINT", "sha": "VARCHAR"},
    "reviews": {"id": "BIGINT", "pr_id": "BIGINT", "reviewer_account_id": "BIGINT", "state": "VARCHAR", "submitted_at": "BIGINT"},
    "pr_events": {"pr_id": "BIGINT", "event": "VARCHAR", "created_at": "BIGINT"},
    "deployments": {
        "id": "BIGINT", "repo_id": "BIGINT", "kind": "VARCHAR", "external_id": "VARCHAR", "sha": "VARCHAR",
        "environment": "VARCHAR", "production": "BIGINT", "created_at": "BIGINT", "payload": "VARCHAR",
        "description": "VARCHAR",
    },
    "deployment_statuses": {"id": "BIGINT", "deployment_id": "BIGINT", "state": "VARCHAR", "created_at": "BIGINT"},
    "incidents": {
        "id": "BIGINT", "external_id": "VARCHAR", "service_id": "BIGINT", "created_at": "BIGINT",
        "resolved_at": "BIGINT", "deployment_id": "BIGINT", "urgency": "VARCHAR",
    },
    "incident_log_entries": {"incident_id": "BIGINT", "kind": "VARCHAR", "created_at": "BIGINT", "summary": "VARCHAR"},
}
assert TYPES.keys() == exporter.TABLES.keys()

SCOPE_MARK = "-- @@ scope"
QUANTILES = ("median", "p75", "p90")
SIZE_BUCKETS = [("XS", 10), ("S", 50), ("M", 250), ("L", 1000), ("XL", None)]


def parse_time(s: str) -> int:
    """RFC 3339 or YYYY-MM-DD (midnight UTC), to unix seconds."""
    try:
        d = dt.datetime.strptime(s, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        try:
            d = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            raise SystemExit(f"reference.py: {s!r}: expected RFC 3339 or YYYY-MM-DD")
        if d.tzinfo is None:
            raise SystemExit(f"reference.py: {s!r}: RFC 3339 needs an offset")
    return int(d.timestamp())


def sql_parts(name: str) -> tuple[str, str]:
    text = open(os.path.join(HERE, name), encoding="utf-8").read()
    # The marker is a line of its own.
    analysis, mark, scope = text.partition("\n" + SCOPE_MARK + "\n")
    if not mark:
        raise SystemExit(f"reference.py: {name} has no '{SCOPE_MARK}' line")
    return analysis, scope


def load(con, csv_dir: str) -> None:
    for table, cols in TYPES.items():
        path = os.path.join(csv_dir, f"{table}.csv").replace("'", "''")
        columns = "{" + ", ".join(f"'{c}': '{t}'" for c, t in cols.items()) + "}"
        con.execute(
            f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv('{path}', header = true, columns = {columns}, "
            f"delim = ',', quote = '\"', escape = '\"', nullstr = '', allow_quoted_nulls = false, auto_detect = false)"
        )


def summary(n, q) -> dict:
    q = q or [None, None, None]
    return {"n": n, **dict(zip(QUANTILES, q))}


def share(part: int, total: int):
    return part / total if total else None


class Reference:
    def __init__(self, db: str):
        self.timing = {}
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="bosun-ref-") as tmp:
            exporter.export(db, tmp)
            t1 = time.perf_counter()
            self.con = duckdb.connect()
            load(self.con, tmp)
        t2 = time.perf_counter()
        dora_analysis, self.dora_scope = sql_parts("dora.sql")
        prs_analysis, self.prs_scope = sql_parts("prs.sql")
        self.con.execute(dora_analysis)
        if prs_analysis.strip():
            self.con.execute(prs_analysis)
        t3 = time.perf_counter()
        self.timing = {"export_secs": t1 - t0, "load_secs": t2 - t1, "analysis_secs": t3 - t2, "scope_secs": 0.0}

    def resolve(self, since, until, team, repo, as_of) -> dict:
        until_ts = parse_time(until) if until else (parse_time(as_of) if as_of else int(time.time()))
        since_ts = parse_time(since) if since else until_ts - 90 * 86400
        if since_ts >= until_ts:
            raise SystemExit("reference.py: --since must be before --until")
        team_key = repo_id = None
        if team is not None:
            row = self.con.execute("SELECT key FROM teams WHERE key = $1 OR lower(name) = lower($1)", [team]).fetchone()
            if row is None:
                raise SystemExit(f"reference.py: no team {team!r}")
            team_key = row[0]
        if repo is not None:
            row = self.con.execute(
                "SELECT id FROM repos WHERE full_name = $1 OR name = $1 OR CAST(id AS VARCHAR) = $1 ORDER BY id LIMIT 1", [repo]
            ).fetchone()
            if row is None:
                raise SystemExit(f"reference.py: no repository {repo!r}")
            repo_id = row[0]
        return {"since": since_ts, "until": until_ts, "team": team_key, "repo": repo_id}

    def _set(self, scope: dict) -> None:
        self.con.execute(f"SET VARIABLE since = {int(scope['since'])}::BIGINT")
        self.con.execute(f"SET VARIABLE until = {int(scope['until'])}::BIGINT")
        if scope["team"] is None:
            self.con.execute("SET VARIABLE team = NULL::VARCHAR")
        else:
            self.con.execute("SET VARIABLE team = $1::VARCHAR", [scope["team"]])
        self.con.execute(f"SET VARIABLE repo = {'NULL' if scope['repo'] is None else int(scope['repo'])}::BIGINT")

    def _row(self, sql: str) -> dict:
        cur = self.con.execute(sql)
        cols = [d[0] for d in cur.description]
        return dict(zip(cols, cur.fetchone()))

    def run(self, scope: dict, explain: bool = False) -> dict:
        t0 = time.perf_counter()
        self._set(scope)
        d = self._row(self.dora_scope)
        p = self._row(self.prs_scope)
        out = {
            "scope": scope,
            "dora": {
                "since": scope["since"],
                "until": scope["until"],
                "deployments": d["deployments"],
                "deployment_frequency_per_week": d["deployment_frequency_per_week"],
                "deployment_days_per_week": d["deployment_days_per_week"],
                "lead_time_seconds": {
                    **summary(d["lead_n"], d["lead_q"]),
                    "bots": d["lead_bots"],
                    "median_without_bots": d["lead_human_median"],
                },
                "change_failure_rate": {"value": share(d["failed"], d["deployments"]), "failed": d["failed"], "total": d["deployments"]},
                "recovery_time_seconds": summary(d["recovery_n"], d["recovery_q"]),
                "rework_rate": {"value": share(d["unplanned"], d["deployments"]), "unplanned": d["unplanned"], "total": d["deployments"]},
                "unrecovered": d["unrecovered"],
                "failed_deployments": d["failed_ids"],
            },
            "prs": {
                "since": scope["since"],
                "until": scope["until"],
                "merged": p["merged"],
                "merged_without_review": p["merged_without_review"],
                **{f"{k}_seconds": summary(p[f"{k}_n"], p[f"{k}_q"]) for k in ("coding", "pickup", "review", "deploy", "cycle")},
                "sizes": [
                    {"label": label, "max_lines": mx, "count": p[label.lower()]} for label, mx in SIZE_BUCKETS
                ],
            },
        }
        self.timing["scope_secs"] += time.perf_counter() - t0
        if explain:  # not timed: the records are for reading, not for the benchmark
            out["dora"]["evidence"] = self._deployments()
            out["prs"]["evidence"] = self._prs()
        return out

    def _deployments(self) -> list:
        rows = self.con.execute(
            """
            SELECT d.id, d.external_id, d.repo_id, d.sha, d.deployed_at AS at, d.failed, d.recovery_secs, d.unplanned,
                   (SELECT coalesce(list({'sha': c.sha, 'lead_time_secs': c.lead_time} ORDER BY c.sha, c.lead_time), [])
                    FROM change c WHERE c.dep_id = d.id) AS changes,
                   (SELECT coalesce(list({'kind': f.kind, 'ref': f.ref} ORDER BY f.kind, f.ref), [])
                    FROM failure f WHERE f.dep_id = d.id) AS failures,
                   (SELECT coalesce(list(s.pr_id ORDER BY s.pr_id), []) FROM pr_ship s WHERE s.dep_id = d.id) AS pull_requests
            FROM dep_result d
            JOIN repos r ON r.id = d.repo_id
            LEFT JOIN teams t ON t.id = r.team_id
            WHERE d.deployed_at BETWEEN getvariable('since') AND getvariable('until')
              AND (getvariable('repo') IS NULL OR r.id = getvariable('repo'))
              AND (getvariable('team') IS NULL OR t.key = getvariable('team'))
            ORDER BY d.repo_id, d.k
            """
        )
        cols = [c[0] for c in rows.description]
        return [dict(zip(cols, r)) for r in rows.fetchall()]

    def _prs(self) -> list:
        # The per-PR records of prs.sql's scope query, without the aggregation.
        body = self.prs_scope
        head, _, _ = body.rpartition("SELECT\n    count(*) AS merged")
        rows = self.con.execute(head + "SELECT * FROM rec ORDER BY id")
        cols = [c[0] for c in rows.description]
        return [dict(zip(cols, r)) for r in rows.fetchall()]


def main() -> None:
    ap = argparse.ArgumentParser(description="DuckDB reference for bosun metrics dora / prs")
    ap.add_argument("db")
    ap.add_argument("--since")
    ap.add_argument("--until")
    ap.add_argument("--team")
    ap.add_argument("--repo")
    ap.add_argument("--as-of", dest="as_of")
    ap.add_argument("--scopes", help="JSON file: a list of {name, since, until, team, repo}")
    ap.add_argument("--explain", action="store_true")
    a = ap.parse_args()
    t0 = time.perf_counter()
    ref = Reference(a.db)
    if a.scopes:
        scopes = json.load(open(a.scopes, encoding="utf-8"))
        results = []
        for s in scopes:
            r = ref.run(ref.resolve(s.get("since"), s.get("until"), s.get("team"), s.get("repo"), a.as_of), a.explain)
            r["name"] = s.get("name")
            results.append(r)
        doc = {"results": results}
    else:
        doc = ref.run(ref.resolve(a.since, a.until, a.team, a.repo, a.as_of), a.explain)
    t = ref.timing
    t["sql_secs"] = t["load_secs"] + t["analysis_secs"] + t["scope_secs"]
    t["total_secs"] = time.perf_counter() - t0
    doc["timing"] = t
    print(
        f"reference timing: export {t['export_secs']:.3f}s, sql {t['sql_secs']:.3f}s "
        f"(load {t['load_secs']:.3f}s, analysis {t['analysis_secs']:.3f}s, scopes {t['scope_secs']:.3f}s)",
        file=sys.stderr,
    )
    json.dump(doc, sys.stdout, indent=2, default=str)
    print()


if __name__ == "__main__":
    main()
