#!/usr/bin/env bash
# Sync benchmark (not a test). For each scale: start the fake GitHub serving the generated demo
# organisation (`bosun demo providers`, timed as "generate"), then time a full sync through the
# real connector over HTTP and a re-sync with nothing changed. Prints wall time, records/s, HTTP
# requests per pull request and peak RSS of the syncing process.
# Targets on 2 cores: scale 10 full sync < 60 s; no-change re-sync < 3 s.
# Usage: bench/sync.sh [scales...]   (default: 1 10)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p bosun-cli
bosun=$PWD/target/release/bosun
as_of=2026-11-20T09:00:00Z
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

sync_once() { # LABEL DIR SCALE TOKEN
  local label=$1 dir=$2 scale=$3 token=$4
  BOSUN_TOKEN_BENCH=$token /usr/bin/time -f '%e %M' -o "$out/time.txt" \
    "$bosun" --data-dir "$dir" --as-of "$as_of" --json sync >"$out/report.json" 2>/dev/null
  read -r wall rss_kb <"$out/time.txt"
  "$bosun" --data-dir "$dir" status --json >"$out/status.json"
  python3 - "$label" "$scale" "$wall" "$rss_kb" "$out/report.json" "$out/status.json" <<'PY'
import json, sys
label, scale, wall, rss_kb, report, status = sys.argv[1:]
wall, rss = float(wall), int(rss_kb) / 1024
o = json.load(open(report))["sources"][0]
counts = json.load(open(status))["counts"]
records = sum(v for k, v in counts.items() if k != "raw_payloads")
prs = max(counts["pull_requests"], 1)
print(f"{label:<20} scale {scale:>3}  wall {wall:7.2f}s  records {records:>7}  {records / wall:>8.0f} rec/s  "
      f"requests {o['requests']:>6} ({o['not_modified']:>4} not modified, {o['requests'] / prs:.2f}/PR)  "
      f"PRs fetched {o['items']:>5}  peak RSS {rss:5.0f} MiB")
PY
}

for scale in ${@:-1 10}; do
  started=$(date +%s.%N)
  coproc PROV { exec "$bosun" --as-of "$as_of" --json demo providers --scale "$scale" 2>/dev/null; }
  pids+=("$PROV_PID")
  read -r line <&"${PROV[0]}"
  generated=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$started" "$(date +%s.%N)")
  url=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["providers"]["github"])' "$line")
  token=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "$line")
  echo "generate + serve     scale $(printf %3d "$scale")  ${generated}s"
  dir=$(mktemp -d)
  "$bosun" --data-dir "$dir" sources add github --name bench --owner tidewater --base-url "$url" >/dev/null
  sync_once "full sync" "$dir" "$scale" "$token"
  sync_once "re-sync, no change" "$dir" "$scale" "$token"
  kill "$PROV_PID" 2>/dev/null || true
  wait "$PROV_PID" 2>/dev/null || true
  rm -rf "$dir"
done
