#!/usr/bin/env bash
# Benchmark of the metrics (issue 4) on the demo organisation at a scale (default 100), with the
# independent DuckDB reference measured in the same run on the same database. Not a test: it
# prints figures and ratios. Release build, 2 cores.
#
#   cold: read the whole store, analyse every deployment, then every metric — the organisation's
#         DORA, PR cycle time and flow over six months, and each team's DORA, PRs, flow and sprint
#         health with its 10,000-run forecast;
#   warm: the desktop app's cache after each of 5 small syncs (a PR, a deployment, an incident
#         note, a ticket), refreshed and the organisation's DORA recomputed;
#   reference: bench/reference/reference.py (SQLite → CSV export, DuckDB load, analysis, one scope).
#
# Usage: bench/metrics.sh [SCALE]
# Env: BOSUN_BENCH_DIR (default /tmp/bosun-bench-metrics-SCALE) keeps the synced demo between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-100}
as_of=2026-11-20T09:00:00Z
as_of_unix=$(date -d "$as_of" +%s)
since=$(date -u -d "@$((as_of_unix - 182 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
dir=${BOSUN_BENCH_DIR:-/tmp/bosun-bench-metrics-$scale}
venv=${BOSUN_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/bosun/venv}

target=${CARGO_TARGET_DIR:-target}

scripts/setup
echo "==> building (release)" >&2
cargo build --release --locked -q -p bosun-cli
cargo build --release --locked -q -p bosun-app --example metrics_bench

if [[ ! -f $dir/synced ]]; then
  echo "==> syncing the scale-$scale demo into $dir (once; kept for later runs)" >&2
  rm -rf "$dir" && mkdir -p "$dir"
  /usr/bin/time -f "%e s, %M KiB" -o "$dir/sync.time" \
    "$target/release/bosun" --data-dir "$dir/data" --as-of "$as_of" demo sync --scale "$scale" >"$dir/sync.log"
  touch "$dir/synced"
fi
echo "==> demo sync at scale $scale took $(cat "$dir/sync.time")" >&2

# The benchmark writes small syncs: work on a copy.
cp "$dir/data/bosun.db" "$dir/scratch.db"
rm -f "$dir/scratch.db-wal" "$dir/scratch.db-shm"
echo "==> bosun" >&2
"$target/release/examples/metrics_bench" "$dir/scratch.db" "$as_of_unix" 5 >"$dir/bosun.json"
echo "==> DuckDB reference" >&2
"$venv/bin/python" bench/reference/reference.py "$dir/data/bosun.db" --as-of "$as_of" --since "$since" --until "$as_of" \
  >"$dir/reference.json" 2>"$dir/reference.err"
rm -f "$dir/scratch.db"*

"$venv/bin/python" - "$dir/bosun.json" "$dir/reference.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
t = r["timing"]
ref_compute = (t["analysis_secs"] + t["scope_secs"]) * 1000
ref_cold = (t["export_secs"] + t["sql_secs"]) * 1000
agree = (r["dora"]["deployments"], r["dora"]["lead_time_seconds"]["n"], r["dora"]["change_failure_rate"]["failed"], r["prs"]["merged"]) == \
        (b["org_six_months"]["deployments"], b["org_six_months"]["lead_time_n"], b["org_six_months"]["failed"], b["org_six_months"]["prs_merged"])
s = b["scale"]
print(f"scale: {s['repos']} repos, {s['commits']:,} commits, {s['pull_requests']:,} PRs, {s['deployments']:,} deployments, "
      f"{s['incidents']:,} incidents, {s['tickets']:,} tickets, {s['teams']} teams")
print(f"six months, whole organisation: {b['org_six_months']['deployments']:,} deployments, "
      f"{b['org_six_months']['lead_time_n']:,} changes, {b['org_six_months']['failed']} failed, {b['org_six_months']['prs_merged']:,} PRs"
      f" — reference {'agrees' if agree else 'DISAGREES'}")
rows = [
    ("load the store (SQLite → dataset)", b["load_ms"]),
    ("analyse every deployment", b["analyse_ms"]),
    ("organisation DORA, 6 months", b["org_dora_ms"]),
    ("organisation PR cycle time", b["org_prs_ms"]),
    ("flow; per-team DORA, PRs, flow, sprint forecast", b["flow_teams_sprints_ms"]),
    ("full recompute (all of the above but the load)", b["compute_ms"]),
    ("cold total (load + recompute)", b["cold_total_ms"]),
    ("refresh after a small sync (median of 5)", b["refresh_ms_median"]),
    ("refresh + organisation DORA (median of 5)", b["refresh_and_org_dora_ms_median"]),
]
for name, v in rows:
    print(f"  {name:<52} {v:>10.1f} ms")
if "sprint_parts_equal" in b:
    print(f"  sprint health from each team's part equals a reading of every ticket ({b['sprint_parts_checked']} teams sampled): "
          f"{b['sprint_parts_equal']}")
print(f"  peak RSS: {b['peak_rss_mib_cold']:.0f} MiB cold, {b['peak_rss_mib']:.0f} MiB with the cache")
print(f"DuckDB reference: export {t['export_secs']*1000:.0f} ms, CSV load {t['load_secs']*1000:.0f} ms, "
      f"analysis {t['analysis_secs']*1000:.0f} ms, scope {t['scope_secs']*1000:.0f} ms")
bosun_same = b["dora_and_prs_ms"]
print(f"ratio, DORA + PR cycle time computed from loaded data: bosun {bosun_same:.0f} ms vs DuckDB {ref_compute:.0f} ms "
      f"= {bosun_same / ref_compute:.2f}× (below 1 = bosun faster)")
print(f"ratio, cold from the store: bosun {b['load_ms'] + bosun_same:.0f} ms vs DuckDB export + load + SQL {ref_cold:.0f} ms "
      f"= {(b['load_ms'] + bosun_same) / ref_cold:.2f}×")
PY
