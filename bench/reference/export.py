#!/usr/bin/env python3
"""Read-only export of the tables the DORA and PR metrics need, from a Bosun SQLite file to CSV.

Usage: export.py BOSUN_DB OUT_DIR

Only Python's standard library: the database is opened read-only (`mode=ro`), every table is
written as OUT_DIR/<table>.csv with a header row. Text is quoted and NULL is an empty unquoted
field, so the loader can tell NULL from '' (DuckDB: allow_quoted_nulls = false).
"""

import os
import sqlite3
import sys

# table -> the columns the reference reads (nothing else leaves the database).
TABLES = {
    "teams": ["id", "key", "name"],
    "repos": ["id", "full_name", "name", "service", "team_id"],
    "services": ["id", "key"],
    "people": ["id", "is_bot"],
    "person_emails": ["email", "person_id"],
    "accounts": ["id", "person_id", "is_bot", "login"],
    "commits": ["repo_id", "sha", "authored_at", "committed_at", "author_account_id", "author_email", "author_name", "message"],
    "commit_parents": ["repo_id", "sha", "position", "parent_sha"],
    "pull_requests": [
        "id", "repo_id", "number", "title", "body", "author_account_id", "created_at", "merged_at",
        "merge_commit_sha", "additions", "deletions", "labels",
    ],
    "pr_commits": ["pr_id", "position", "sha"],
    "reviews": ["id", "pr_id", "reviewer_account_id", "state", "submitted_at"],
    "pr_events": ["pr_id", "event", "created_at"],
    "deployments": ["id", "repo_id", "kind", "external_id", "sha", "environment", "production", "created_at", "payload", "description"],
    "deployment_statuses": ["id", "deployment_id", "state", "created_at"],
    "incidents": ["id", "external_id", "service_id", "created_at", "resolved_at", "deployment_id", "urgency"],
    "incident_log_entries": ["incident_id", "kind", "created_at", "summary"],
}


def field(v) -> str:
    """One CSV field: NULL → empty, numbers bare, text always quoted (quotes doubled)."""
    if v is None:
        return ""
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, bytes):
        v = v.decode("utf-8", "replace")
    return '"' + str(v).replace('"', '""') + '"'


def export(db: str, out_dir: str) -> dict:
    """Write one CSV per table; returns {table: rows}."""
    if not os.path.exists(db):
        raise SystemExit(f"export.py: no such database: {db}")
    os.makedirs(out_dir, exist_ok=True)
    conn = sqlite3.connect(f"file:{os.path.abspath(db)}?mode=ro", uri=True)
    counts = {}
    try:
        for table, cols in TABLES.items():
            path = os.path.join(out_dir, f"{table}.csv")
            with open(path, "w", newline="", encoding="utf-8") as f:
                f.write(",".join(cols) + "\n")
                n = 0
                for row in conn.execute(f"SELECT {', '.join(cols)} FROM {table}"):
                    f.write(",".join(field(v) for v in row) + "\n")
                    n += 1
            counts[table] = n
    finally:
        conn.close()
    return counts


def main() -> None:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    counts = export(sys.argv[1], sys.argv[2])
    for t, n in counts.items():
        print(f"{t:<22} {n:>7}")


if __name__ == "__main__":
    main()
