#!/usr/bin/env bash
# The metrics against their independent reference (issue 4): `bosun --json metrics dora|prs`
# versus DuckDB SQL written from the definitions (bench/reference/), over several scopes of one
# synced data directory — the whole 6 months before AS_OF, the default window, each team, each
# repository, and the 6 months in two halves. Counts must be equal, durations and ratios within
# 1e-6, failed deployment sets identical. One line per scope; exit 1 on any disagreement.
#
# Usage: bench/metrics-reference.sh DATA_DIR [AS_OF]     (AS_OF default 2026-11-20T09:00:00Z)
#   DATA_DIR holds bosun.db, e.g. from: bosun --data-dir DIR --as-of AS_OF demo sync
# Env: BOSUN_BIN (default: target/debug/bosun, built with `cargo build -p bosun-cli`),
#      BOSUN_VENV (default ~/.cache/bosun/venv, made by scripts/setup, with DuckDB).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: bench/metrics-reference.sh DATA_DIR [AS_OF]" >&2
  exit 2
fi
data_dir=$(cd "$1" && pwd)
as_of=${2:-2026-11-20T09:00:00Z}

venv=${BOSUN_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/bosun/venv}
python=$venv/bin/python
if ! "$python" -c "import duckdb" 2>/dev/null; then
  echo "error: no DuckDB in $venv: run scripts/setup" >&2
  exit 1
fi

bosun=${BOSUN_BIN:-}
if [[ -z $bosun ]]; then
  (cd "$root" && cargo build -q -p bosun-cli)
  bosun=$root/target/debug/bosun
fi

exec "$python" "$root/bench/reference/compare.py" "$bosun" "$data_dir" "$as_of"
