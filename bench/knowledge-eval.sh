#!/usr/bin/env bash
# Retrieval quality (not a test): recall@1, recall@5, MRR, citation-span accuracy and rejection rate
# for BM25 only, dense only and hybrid, on the demo handbook and on the Node.js API docs that
# Debian's nodejs package ships (/usr/share/doc/nodejs/api; skipped when absent).
# Usage: bench/knowledge-eval.sh [--fails]. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/models --check
target=${CARGO_TARGET_DIR:-target}
cargo build --release --locked -q -p bosun-knowledge --examples
"$target/release/examples/eval" --questions demo/eval/questions.toml --docs demo/docs "$@"
if [[ -d /usr/share/doc/nodejs/api ]]; then
  "$target/release/examples/eval" --questions demo/eval/nodejs-api.toml "$@"
else
  echo "(no /usr/share/doc/nodejs/api: apt-get install nodejs for the second corpus)"
fi
