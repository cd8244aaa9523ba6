#!/usr/bin/env python3
"""Compare `bosun --json metrics dora|prs` with the DuckDB reference over a list of scopes.

Usage: compare.py BOSUN_BIN DATA_DIR AS_OF        (run by bench/metrics-reference.sh)

Scopes: the whole 6 months before AS_OF, the default window (no --since), each team and each
repository over those 6 months, and the 6 months in two halves. Counts must be equal; durations
and ratios may differ by 1e-6 at most (floating interpolation); the sets of failed and unrecovered
deployments must be equal. Prints one line per scope (agree, or the first difference and the
first disagreeing record) and exits 1 on any disagreement.
"""

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the repository

import reference  # noqa: E402

TOL = 1e-6
SUMMARIES_DORA = ("lead_time_seconds", "recovery_time_seconds")
SUMMARIES_PRS = ("coding_seconds", "pickup_seconds", "review_seconds", "deploy_seconds", "cycle_seconds")


def iso(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def six_months_before(as_of: str) -> str:
    t = dt.datetime.fromtimestamp(reference.parse_time(as_of), dt.timezone.utc)
    y, m = (t.year, t.month - 6) if t.month > 6 else (t.year - 1, t.month + 6)
    return f"{y:04d}-{m:02d}-{min(t.day, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31):02d}"


def scopes(db: str, as_of: str) -> list:
    conn = sqlite3.connect(f"file:{os.path.abspath(db)}?mode=ro", uri=True)
    teams = [r[0] for r in conn.execute("SELECT key FROM teams ORDER BY key")]
    repos = [r[0] for r in conn.execute("SELECT full_name FROM repos ORDER BY id")]
    conn.close()
    since = six_months_before(as_of)
    until = reference.parse_time(as_of)
    mid = iso(reference.parse_time(since) + (until - reference.parse_time(since)) // 2)
    out = [{"name": f"6 months since {since}", "since": since}, {"name": "default window (90 days)"}]
    out += [{"name": f"team {t}", "since": since, "team": t} for t in teams]
    out += [{"name": f"repo {r}", "since": since, "repo": r} for r in repos]
    out += [
        {"name": f"first half {since} .. {mid}", "since": since, "until": mid},
        {"name": f"second half {mid} .. {as_of}", "since": mid, "until": as_of},
    ]
    return out


def bosun_json(bosun: str, data_dir: str, as_of: str, metric: str, scope: dict) -> dict:
    args = [bosun, "--data-dir", data_dir, "--as-of", as_of, "--json", "metrics", metric]
    for flag in ("since", "until", "team", "repo"):
        if scope.get(flag) is not None:
            args += [f"--{flag}", scope[flag]]
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({out.returncode}): {out.stderr.strip()}")
    return json.loads(out.stdout)


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= TOL


def first_difference(b: dict, r: dict) -> list:
    """(field, bosun, reference) for the fields that differ, in a fixed order."""
    diffs = []

    def exact(field, x, y):
        if x != y:
            diffs.append((field, x, y))

    def approx(field, x, y):
        if not close(x, y):
            diffs.append((field, x, y))

    def summary(field, x, y):
        exact(f"{field}.n", x["n"], y["n"])
        for q in ("median", "p75", "p90"):
            approx(f"{field}.{q}", x[q], y[q])

    bd, rd = b["dora"], r["dora"]
    exact("dora.deployments", bd["deployments"], rd["deployments"])
    approx("dora.deployment_frequency_per_week", bd["deployment_frequency_per_week"], rd["deployment_frequency_per_week"])
    approx("dora.deployment_days_per_week", bd["deployment_days_per_week"], rd["deployment_days_per_week"])
    for f in SUMMARIES_DORA:
        summary(f"dora.{f}", bd[f], rd[f])
    exact("dora.lead_time_seconds.bots", bd["lead_time_seconds"]["bots"], rd["lead_time_seconds"]["bots"])
    approx(
        "dora.lead_time_seconds.median_without_bots",
        bd["lead_time_seconds"]["median_without_bots"],
        rd["lead_time_seconds"]["median_without_bots"],
    )
    for f, parts in (("change_failure_rate", ("failed", "total")), ("rework_rate", ("unplanned", "total"))):
        for p in parts:
            exact(f"dora.{f}.{p}", bd[f][p], rd[f][p])
        approx(f"dora.{f}.value", bd[f]["value"], rd[f]["value"])
    exact("dora.failed_deployments", sorted(e["id"] for e in bd["evidence"] if e["failures"]), sorted(rd["failed_deployments"]))
    exact("dora.unrecovered", sorted(bd["unrecovered"]), sorted(rd["unrecovered"]))

    bp, rp = b["prs"], r["prs"]
    exact("prs.merged", bp["merged"], rp["merged"])
    exact("prs.merged_without_review", bp["merged_without_review"], rp["merged_without_review"])
    for f in SUMMARIES_PRS:
        summary(f"prs.{f}", bp[f], rp[f])
    exact("prs.sizes", [(s["label"], s["count"]) for s in bp["sizes"]], [(s["label"], s["count"]) for s in rp["sizes"]])
    return diffs


def first_record(b: dict, r: dict, field: str) -> str:
    """The first deployment or pull request whose record differs (for the report)."""
    if field.startswith("dora."):
        ref = {e["id"]: e for e in r["dora"].get("evidence", [])}
        for e in sorted(b["dora"]["evidence"], key=lambda e: (e["repo"], e["at"], e["id"])):
            x = ref.get(e["id"])
            if x is None:
                return f"deployment {e['id']} ({e['external_id']}) is only in bosun"
            mine = {
                "lead times": sorted(c["lead_time_secs"] for c in e["changes"]),
                "failed": bool(e["failures"]),
                "recovery": e["recovery_secs"],
                "unplanned": e["unplanned"] is not None,
                "pull requests": sorted(e["pull_requests"]),
            }
            theirs = {
                "lead times": sorted(c["lead_time_secs"] for c in x["changes"]),
                "failed": bool(x["failed"]),
                "recovery": x["recovery_secs"],
                "unplanned": x["unplanned"] is not None,
                "pull requests": sorted(x["pull_requests"]),
            }
            for k in mine:
                if mine[k] != theirs[k]:
                    show = (lambda v: f"{len(v)} {v[:6]}...") if k == "lead times" else (lambda v: v)
                    return (
                        f"deployment {e['id']} ({e['external_id']}, repo {e['repo']}): {k} bosun {show(mine[k])} "
                        f"reference {show(theirs[k])}; bosun failures {json.dumps(e['failures'])}, reference {x['failures']}"
                    )
        extra = sorted(set(ref) - {e["id"] for e in b["dora"]["evidence"]})
        return f"deployments only in the reference: {extra[:5]}" if extra else "no single record differs"
    ref = {e["id"]: e for e in r["prs"].get("evidence", [])}
    for e in sorted(b["prs"]["evidence"], key=lambda e: e["id"]):
        x = ref.get(e["id"])
        if x is None:
            return f"pull request {e['id']} (repo {e['repo']} #{e['number']}) is only in bosun"
        for k, rk in (("coding_secs", "coding"), ("pickup_secs", "pickup"), ("review_secs", "review"), ("deploy_secs", "deploy"),
                      ("deployment", "deployment"), ("size", "size")):
            if not close(e[k], x[rk]):
                return f"pull request {e['id']} (repo {e['repo']} #{e['number']}): {k} bosun {e[k]} reference {x[rk]}"
    extra = sorted(set(ref) - {e["id"] for e in b["prs"]["evidence"]})
    return f"pull requests only in the reference: {extra[:5]}" if extra else "no single record differs"


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit("usage: compare.py BOSUN_BIN DATA_DIR AS_OF")
    bosun, data_dir, as_of = sys.argv[1:]
    db = os.path.join(data_dir, "bosun.db")
    if not os.path.exists(db):
        sys.exit(f"compare.py: no database at {db} (run: bosun --data-dir {data_dir} --as-of {as_of} demo sync)")
    todo = scopes(db, as_of)
    t0 = time.perf_counter()
    ref = reference.Reference(db)
    bosun_secs = 0.0
    failures = 0
    width = max(len(s["name"]) for s in todo)
    for s in todo:
        r = ref.run(ref.resolve(s.get("since"), s.get("until"), s.get("team"), s.get("repo"), as_of), explain=True)
        tb = time.perf_counter()
        b = {m: bosun_json(bosun, data_dir, as_of, m, s) for m in ("dora", "prs")}
        bosun_secs += time.perf_counter() - tb
        diffs = first_difference(b, r)
        d, p = r["dora"], r["prs"]
        counts = (f"{d['deployments']:>4} deployments, {d['lead_time_seconds']['n']:>5} changes, "
                  f"{d['change_failure_rate']['failed']:>3} failed, {p['merged']:>4} PRs")
        if diffs:
            failures += 1
            field, x, y = diffs[0]
            print(f"DIFFER  {s['name']:<{width}}  {counts}  first difference: {field} bosun={x} reference={y}"
                  f" ({len(diffs)} field(s)); {first_record(b, r, field)}")
        else:
            print(f"agree   {s['name']:<{width}}  {counts}")
    t = ref.timing
    print(f"reference: export {t['export_secs']:.3f}s, SQL {t['load_secs'] + t['analysis_secs'] + t['scope_secs']:.3f}s "
          f"(load {t['load_secs']:.3f}s, analysis {t['analysis_secs']:.3f}s, {len(todo)} scopes {t['scope_secs']:.3f}s); "
          f"bosun {bosun_secs:.3f}s for {2 * len(todo)} runs; total {time.perf_counter() - t0:.3f}s")
    if failures:
        print(f"{failures} of {len(todo)} scopes disagree")
        sys.exit(1)
    print(f"all {len(todo)} scopes agree")


if __name__ == "__main__":
    main()
