#!/usr/bin/env bash
# Retrieval quality (not a test): per corpus, recall@1, recall@5, MRR, citation-span accuracy and
# precision, refusal of unanswerable questions and false refusals, for BM25 only, dense only and
# hybrid, on every eval set in demo/eval/ (docs/knowledge.md#evaluation).
#
# An eval set names its corpus folder (`corpus`) and the Debian package that ships it (`package`).
# When the folder is not installed, the package is fetched with `apt-get download` into
# $BOSUN_EVAL_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/bosun/eval-corpora) and extracted there
# with `dpkg-deb -x`; nothing is installed. The handbook (questions.toml) is demo/docs.
#
# Usage: bench/knowledge-eval.sh [--fails] [SET.toml...]. Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/models --check
target=${CARGO_TARGET_DIR:-target}
cache=${BOSUN_EVAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bosun/eval-corpora}
cargo build --release --locked -q -p bosun-knowledge --examples

flags=()
sets=()
for a in "$@"; do
  case $a in
    --*) flags+=("$a") ;;
    *) sets+=("$a") ;;
  esac
done
if [[ ${#sets[@]} -eq 0 ]]; then
  sets=(demo/eval/questions.toml demo/eval/nodejs-api.toml demo/eval/git-howto.toml
    demo/eval/python-howto.toml demo/eval/valgrind.toml)
fi

# The value of a top-level `key = "value"` line of a TOML eval set.
field() { sed -n "s/^$1 *= *\"\\(.*\\)\"\$/\\1/p" "$2" | head -n 1; }

# The folder holding the corpus: installed, or extracted from the package into the cache.
corpus_dir() {
  local set=$1 corpus package
  corpus=$(field corpus "$set")
  package=$(field package "$set")
  if [[ -z $corpus ]]; then
    echo demo/docs
    return
  fi
  if [[ -d $corpus ]]; then
    echo "$corpus"
    return
  fi
  if [[ -z $package ]]; then
    echo "$set: $corpus is not installed and the set names no package" >&2
    return 1
  fi
  local dir=$cache/$package
  if [[ ! -d $dir/root$corpus ]]; then
    mkdir -p "$dir"
    rm -f "$dir"/*.deb
    (cd "$dir" && apt-get download "$package" >&2)
    rm -rf "$dir/root"
    dpkg-deb -x "$dir"/*.deb "$dir/root"
  fi
  echo "$dir/root$corpus"
}

for set in "${sets[@]}"; do
  docs=$(corpus_dir "$set")
  "$target/release/examples/eval" --questions "$set" --docs "$docs" "${flags[@]}"
  echo
done
