#!/usr/bin/env bash
# Benchmarks of the desktop app (issue 6). Not a test: it prints figures. Release builds.
#
#   first-paint: bosun-desktop on an already-synced demo data dir, launched through tauri-driver
#                under Xvfb, 3 launches: the app process's start (/proc) → the first frame with
#                Today's cards (a performance mark the UI sets) — target < 1.5 s; and, for
#                comparison, the WebDriver session request → the cards found in the DOM;
#   idle-pss:    bosun-desktop idle on that data dir after 30 s: PSS summed over the app and its
#                WebKit processes — target within 1.25× of a hello-world Tauri 2 app (257 MiB
#                here, ../shared/notes/desktop-on-debian.md), i.e. < 321 MiB;
#   render:      `bosun serve` on the scale-10 organisation, Chromium: Today → Delivery (the
#                heaviest page) until its numbers are painted, and the `delivery` call alone.
#
# Usage: bench/desktop.sh [first-paint|idle-pss|render|all]
# Env: BOSUN_BENCH_DIR_1 / BOSUN_BENCH_DIR_10 keep the synced demos between runs (defaults
# /tmp/bosun-bench-desktop-1 and /tmp/bosun-bench-metrics-10, the latter shared with bench/metrics.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
as_of=2026-11-20T09:00:00Z
target=${CARGO_TARGET_DIR:-target}
export CARGO_TARGET_DIR=$target
dir1=${BOSUN_BENCH_DIR_1:-/tmp/bosun-bench-desktop-1}
dir10=${BOSUN_BENCH_DIR_10:-/tmp/bosun-bench-metrics-10}

echo "==> building the UI, bosun and bosun-desktop (release)" >&2
(cd ui && npm run -s build)
cargo build --release --locked -q -p bosun-cli -p bosun-desktop

synced() { # DIR SCALE
  if [[ ! -f $1/synced ]]; then
    echo "==> syncing the scale-$2 demo into $1 (once; kept for later runs)" >&2
    rm -rf "$1" && mkdir -p "$1"
    "$target/release/bosun" --data-dir "$1/data" --as-of "$as_of" demo sync --scale "$2" >"$1/sync.log"
    touch "$1/synced"
  fi
}

export BOSUN_BIN=$PWD/$target/release/bosun BOSUN_DESKTOP_BIN=$PWD/$target/release/bosun-desktop
if [[ $which == all || $which == first-paint || $which == idle-pss ]]; then
  synced "$dir1" 1
fi
if [[ $which == all || $which == first-paint ]]; then
  echo "==> first paint (3 launches)" >&2
  for _ in 1 2 3; do
    (cd ui && xvfb-run -a -s "-screen 0 1366x900x24" node test/bench.mjs first-paint "$dir1/data")
  done
fi
if [[ $which == all || $which == idle-pss ]]; then
  echo "==> idle PSS after 30 s" >&2
  (cd ui && xvfb-run -a -s "-screen 0 1366x900x24" node test/bench.mjs idle-pss "$dir1/data")
fi
if [[ $which == all || $which == render ]]; then
  synced "$dir10" 10
  echo "==> heaviest page (Delivery) at scale 10" >&2
  (cd ui && node test/bench.mjs render "$dir10/data")
fi
