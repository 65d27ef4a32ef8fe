#!/usr/bin/env bash
# bench/threads/run.sh — thread costs, Petrel against SBCL (sb-thread) in the
# same hyperfine session (issue 5): make-thread+join, an uncontended lock,
# and allocation scaling from 1 to 2 threads.  Prints medians and ratios.
#   BUILD_DIR (default build), BENCH_RUNS (default 5)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BUILD_DIR="${BUILD_DIR:-build}"
PETREL="$BUILD_DIR/petrel"
OUT="${BENCH_OUT:-bench/results}"
mkdir -p "$OUT"
command -v sbcl >/dev/null || { echo "run.sh: sbcl is needed" >&2; exit 2; }
runs="${BENCH_RUNS:-5}"
hf() { hyperfine -N --warmup 1 --runs "$runs" --export-json "$OUT/$1.json" "${@:2}"; }
hf threads-create -n petrel "$PETREL --script bench/threads/create-join.lisp" \
   -n sbcl "sbcl --script bench/threads/create-join.lisp"
hf threads-lock -n petrel "$PETREL --script bench/threads/lock.lisp" \
   -n sbcl "sbcl --script bench/threads/lock.lisp"
for t in 1 2; do
  hf "threads-alloc$t" -n petrel "env THREADS=$t $PETREL --script bench/threads/alloc.lisp" \
     -n sbcl "env THREADS=$t sbcl --script bench/threads/alloc.lisp"
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys, statistics
out = sys.argv[1]
def med(name):
    r = {x["command"]: statistics.median(x["times"]) for x in json.load(open(f"{out}/{name}.json"))["results"]}
    return r["petrel"], r["sbcl"]
print("benchmark        petrel (s)  sbcl (s)  petrel/sbcl")
for n in ["threads-create", "threads-lock", "threads-alloc1", "threads-alloc2"]:
    p, s = med(n)
    print(f"{n:16} {p:10.3f} {s:9.3f} {p/s:12.2f}")
p1, s1 = med("threads-alloc1"); p2, s2 = med("threads-alloc2")
print(f"alloc scaling 1->2 threads (time ratio, 0.5 is ideal): petrel {p2/p1:.2f}, sbcl {s2/s1:.2f}")
PY
