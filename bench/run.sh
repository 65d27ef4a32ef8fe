#!/usr/bin/env bash
# bench/run.sh — Petrel against compiled CLISP (and SBCL, for reference, when
# installed) with hyperfine, on the same machine in the same run; prints the
# median times and the ratios petrel/clisp (and petrel/sbcl) per benchmark.
#
#   bench/run.sh                 all benchmarks (fib tak ctak arrays io bignum strings hash sort float)
#   bench/run.sh fib tak         some of them
#
# Environment:
#   BENCH_RUNS      hyperfine --runs (default 10)
#   BENCH_WARMUP    hyperfine --warmup (default 1)
#   BENCH_OUT       where the JSON exports go (default bench/results)
#   BUILD_DIR       Petrel build directory (default build; built as Release)
#   BENCH_NO_SBCL=1 leave SBCL out even if installed
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export BUILD_DIR="${BUILD_DIR:-build}"
# hyperfine and clisp are installed here (only if missing) by ci/build.sh.
PETREL_EXTRA_PACKAGES="${PETREL_EXTRA_PACKAGES:-} hyperfine clisp" BUILD_TYPE=Release BUILD_TARGETS=petrel \
    bash ci/build.sh >/dev/null

PETREL="$BUILD_DIR/petrel"
OUT="${BENCH_OUT:-bench/results}"
mkdir -p "$OUT"
FAS_DIR="$(mktemp -d)"
trap 'rm -rf "$FAS_DIR"' EXIT

benches=("$@")
[ "${#benches[@]}" -gt 0 ] || benches=(fib tak ctak arrays io bignum strings hash sort float)

have_sbcl=0
if [ "${BENCH_NO_SBCL:-0}" != 1 ] && command -v sbcl >/dev/null; then
    have_sbcl=1
fi

jsons=()
for b in "${benches[@]}"; do
    src="bench/$b.lisp"
    [ -f "$src" ] || { echo "run.sh: no $src" >&2; exit 2; }
    # CLISP runs its compiled code: compile once, outside the timing.
    if ! clisp -q -c "$src" -o "$FAS_DIR/$b.fas" >"$FAS_DIR/$b.log" 2>&1; then
        cat "$FAS_DIR/$b.log" >&2
        exit 1
    fi
    # Same answer from every implementation, or the timings mean nothing.
    want=$(clisp -q "$FAS_DIR/$b.fas" | tr -d '[:space:]')
    got=$("$PETREL" --script "$src" | tr -d '[:space:]') || true
    if [ "$got" != "$want" ]; then
        echo "run.sh: $b: petrel printed '$got', clisp '$want'" >&2
        exit 1
    fi
    cmds=(-n petrel "$PETREL --script $src"
          -n clisp "clisp -q $FAS_DIR/$b.fas")
    if [ "$have_sbcl" = 1 ]; then
        cmds+=(-n sbcl "sbcl --script $src")
    fi
    echo "== $b"
    hyperfine --warmup "${BENCH_WARMUP:-1}" --runs "${BENCH_RUNS:-10}" -N \
        --export-json "$OUT/$b.json" "${cmds[@]}"
    jsons+=("$OUT/$b.json")
done

/usr/bin/python3 bench/ratios.py "${jsons[@]}"
