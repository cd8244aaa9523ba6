#!/usr/bin/env bash
# Knowledge benchmarks (not tests), release build, with the real embedding model (scripts/models):
#   1. indexing throughput of the whole pipeline next to raw fastembed on the same texts, same run
#      (target: pipeline overhead < 15%);
#   2. hybrid query latency p50/p95 at 10k and 100k chunks (target: p95 < 50 ms at 100k);
#   3. peak RSS of `bosun index add` on 1× and 4× the handbook (bounded: streaming, not corpus-sized).
# Usage: bench/knowledge.sh [copies]   (default 4). Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/models --check
copies=${1:-4}
target=${CARGO_TARGET_DIR:-target}
cargo build --release --locked -q -p bosun-cli -p bosun-knowledge --examples
bench=$target/release/examples/bench
bosun=$target/release/bosun

echo "== indexing throughput"
"$bench" throughput --docs demo/docs --copies "$copies"

echo "== query latency"
for n in 10000 100000; do "$bench" latency --chunks "$n"; done

echo "== peak memory of bosun index add"
for c in 1 "$copies"; do
  work=$(mktemp -d)
  for i in $(seq "$c"); do
    mkdir -p "$work/docs/copy$i" && cp -r demo/docs/. "$work/docs/copy$i/"
    find "$work/docs/copy$i" -type f -exec sh -c 'printf "\nCopy %s.\n" "$1" >>"$2"' _ "$i" {} \;
  done
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$bosun" --data-dir "$work/data" index add "$work/docs" >/dev/null
  read -r wall rss_kb <"$work/time.txt"
  chunks=$("$bosun" --data-dir "$work/data" --json index status | python3 -c 'import json,sys; print(json.load(sys.stdin)["chunks"])')
  echo "$c× handbook: $chunks chunks in ${wall}s, peak RSS $((rss_kb / 1024)) MiB"
  rm -rf "$work"
done
