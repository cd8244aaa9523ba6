#!/usr/bin/env bash
# Benchmark of the signal engine (issue 7) on the demo organisation at a scale (default 100).
# Not a test: it prints figures. Release build, 2 cores.
#
#   load:        the metrics dataset and the extra records the detectors read, from SQLite;
#   full:        every detector and the policy's working agreements over the whole organisation
#                (median of five) — target < 500 ms at scale 100;
#   apply:       writing it: lifecycle, alerts, drafts with their policy decisions (first time,
#                then again with nothing new);
#   incremental: after each of 5 small syncs (a PR merged and deployed, an incident note, a ticket
#                done), the cache re-reads what the sync wrote and re-evaluates the teams it
#                touched — target < 50 ms; checked equal to a full evaluation of the same data;
#   moved:       one more small sync refreshed ten minutes later, as the running app does (every
#                team again, the windowed extra records re-read); checked against the store.
#
# Usage: bench/signals.sh [SCALE]
# Env: BOSUN_BENCH_DIR (default /tmp/bosun-bench-metrics-SCALE, shared with bench/metrics.sh)
# keeps the synced demo between runs; the benchmark works on a copy of its database.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-100}
as_of=2026-11-20T09:00:00Z
as_of_unix=$(date -d "$as_of" +%s)
dir=${BOSUN_BENCH_DIR:-/tmp/bosun-bench-metrics-$scale}
target=${CARGO_TARGET_DIR:-target}

echo "==> building (release)" >&2
cargo build --release --locked -q -p bosun-app --example signals_bench

if [[ ! -f $dir/synced ]]; then
  echo "==> syncing the scale-$scale demo into $dir (once; kept for later runs)" >&2
  cargo build --release --locked -q -p bosun-cli
  rm -rf "$dir" && mkdir -p "$dir"
  "$target/release/bosun" --data-dir "$dir/data" --as-of "$as_of" demo sync --scale "$scale" >"$dir/sync.log"
  touch "$dir/synced"
fi

# The benchmark writes signals and small syncs: work on a copy.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$dir/data/bosun.db" "$scratch/bosun.db"
cp "$dir/data/config.toml" "$scratch/config.toml"
"$target/release/examples/signals_bench" "$scratch/bosun.db" "$scratch/config.toml" "$as_of_unix" 5 | tee "$scratch/out.json" >/dev/null

python3 - "$scratch/out.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
s = b["scale"]
print(f"scale: {s['repos']} repos, {s['pull_requests']:,} PRs, {s['tickets']:,} tickets, {s['deployments']:,} deployments, {s['people']} people")
print(f"signals: {b['signals']} of {len(b['kinds'])} kinds: " + ", ".join(f"{k} {v}" for k, v in b["kinds"].items()))
print(f"load: dataset {b['load_dataset_ms']:.0f} ms, extra records {b['load_extra_ms']:.0f} ms")
print(f"full evaluation: median {b['full_evaluation_ms']:.1f} ms {['%.1f' % x for x in b['full_ms']]} (detectors only {b['detectors_ms']:.1f} ms)  [target < 500 ms]")
print(f"apply: first {b['apply_first_ms']:.0f} ms ({b['apply_first']['drafts']} drafts), again {b['apply_again_ms']:.0f} ms")
print(f"incremental after a small sync: median {b['incremental_median_ms']:.1f} ms {['%.1f' % x for x in b['incremental_ms']]}  [target < 50 ms]; "
      f"teams re-evaluated {b['incremental_teams']}; equal to a full evaluation: {b['incremental_equals_full']}")
print(f"after a sync with the moment moved (the running app): {b['moved_ms']:.0f} ms; equal to a fresh read of the store: {b['moved_equals_store']}")
print(f"peak RSS: {b['peak_rss_mib']:.0f} MiB")
PY
