#!/usr/bin/env bash
# Local git connector benchmark (not a test). Builds a synthetic history with `git fast-import`
# in a temporary bare repository (main with feature branches merged into it, a few unmerged
# branches left over, annotated release tags, realistic dates: working hours, quiet weekends,
# several authors and time zones), then runs crates/connectors/examples/git_bench.rs on it:
# `git::read` of the whole history, a full sync into a fresh SQLite file, a re-sync with nothing
# changed and an incremental sync after 100 new commits. Prints wall time and commits/s.
# Usage: bench/git.sh [COMMITS] [TAGS] [--release]   (default 20000 500, debug build: our crate
#        unoptimised, dependencies such as libgit2 and SQLite optimised as in every dev build)
set -euo pipefail
cd "$(dirname "$0")/.."
commits=20000 tags=500 profile=()
positional=()
for a in "$@"; do
  case $a in
    --release) profile=(--release) ;;
    *) positional+=("$a") ;;
  esac
done
[ ${#positional[@]} -ge 1 ] && commits=${positional[0]}
[ ${#positional[@]} -ge 2 ] && tags=${positional[1]}

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
repo=$dir/history.git
git init -q --bare --initial-branch=main "$repo"

started=$(date +%s.%N)
python3 - "$commits" "$tags" <<'PY' | git -C "$repo" fast-import --quiet
import random, sys
n, n_tags = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(42)
out = sys.stdout.buffer
authors = [(f"Dev {i:02d}", f"dev{i:02d}@example.com", rng.choice(["+0000", "+0100", "+0200", "-0500", "-0800", "+0530"])) for i in range(25)]
t = 1_640_995_200 + 9 * 3600  # 2022-01-01 09:00 UTC
mark = 0
count = 0

def tick():
    global t
    t += int(rng.expovariate(1 / 2400)) + 60
    day = (t // 86400 + 3) % 7  # 0 = Monday
    if day >= 5:
        t += (7 - day) * 86400
    hour = t % 86400 // 3600
    if hour >= 19:
        t += (24 - hour + 9) * 3600

def data(b):
    out.write(b"data %d\n" % len(b) + b + b"\n")

def commit(ref, msg, parent=None, merge=None, author=None, committer=None):
    global mark, count
    tick()
    mark += 1
    count += 1
    a = author or rng.choice(authors)
    c = committer or a
    at = t - rng.randint(0, 3 * 86400) if committer else t
    out.write(f"commit {ref}\nmark :{mark}\n".encode())
    out.write(f"author {a[0]} <{a[1]}> {at} {a[2]}\n".encode())
    out.write(f"committer {c[0]} <{c[1]}> {t} {c[2]}\n".encode())
    data(msg.encode())
    if parent:
        out.write(f"from :{parent}\n".encode())
    if merge:
        out.write(f"merge :{merge}\n".encode())
    path = f"src/module{rng.randint(0, 199)}/file{rng.randint(0, 9)}.rs"
    body = f"// {msg}\npub const V: u32 = {mark};\n".encode()
    out.write(f"M 100644 inline {path}\n".encode())
    data(body)
    return mark

github = ("GitHub", "noreply@github.com", "+0000")
main = commit("refs/heads/main", "Initial commit")
interval = max(n // max(n_tags, 1), 1)
next_tag, n_tagged, version, stale = interval, 0, [1, 0, 0], 0
while count < n:
    r = rng.random()
    if r < 0.3 and count + 6 < n:
        base, tip = main, main
        for j in range(rng.randint(1, 4)):
            tip = commit("refs/heads/wip", f"Feature {mark}: step {j}", parent=tip)
        if rng.random() < 0.5:
            main = commit("refs/heads/main", f"Hotfix {mark}", parent=main)
        main = commit("refs/heads/main", f"Merge pull request #{mark} from team/feature-{mark}",
                      parent=main, merge=tip, committer=github)
    elif r < 0.302 and count + 3 < n:
        stale += 1
        tip = commit(f"refs/heads/stale/experiment-{stale}", "Experiment", parent=main)
        commit(f"refs/heads/stale/experiment-{stale}", "Experiment, continued", parent=tip)
    else:
        main = commit("refs/heads/main", f"Change {mark}", parent=main)
    if count >= next_tag and n_tagged < n_tags:
        next_tag += interval
        n_tagged += 1
        version[2] += 1
        if version[2] == 10:
            version[1], version[2] = version[1] + 1, 0
        name = "v%d.%d.%d" % tuple(version)
        tick()
        out.write(f"tag {name}\nfrom :{main}\ntagger Release Bot <release@example.com> {t} +0000\n".encode())
        data(f"Release {name}\n".encode())
while n_tagged < n_tags:  # any left over (tiny histories)
    n_tagged += 1
    tick()
    out.write(f"tag extra-{n_tagged}\nfrom :{main}\ntagger Release Bot <release@example.com> {t} +0000\n".encode())
    data(b"extra\n")
PY
generated=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$started" "$(date +%s.%N)")
echo "fast-import          $(git -C "$repo" rev-list --all | wc -l) commits, $(git -C "$repo" tag | wc -l) tags, $(git -C "$repo" branch | wc -l) branches in ${generated}s"

cargo run -q "${profile[@]}" -p bosun-connectors --example git_bench -- \
  "$repo" "$dir/bosun.db" --release-tags '^v\d+\.\d+\.\d+$' --add-commits 100
