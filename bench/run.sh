#!/usr/bin/env bash
# bench/run.sh — Petrel against compiled CLISP and compiled ECL (and SBCL,
# for reference, when installed) with hyperfine, on the same machine in the
# same run; prints the median times and the ratios petrel/clisp, petrel/ecl
# (and petrel/sbcl) per benchmark.
#
#   bench/run.sh                 all benchmarks (fib tak ctak arrays io bignum strings hash sort float
#                                binary-trees mutation)
#   bench/run.sh fib tak         some of them
#
# Environment:
#   BENCH_RUNS      hyperfine --runs (default 10)
#   BENCH_WARMUP    hyperfine --warmup (default 1)
#   BENCH_OUT       where the JSON exports go (default bench/results)
#   BUILD_DIR       Petrel build directory (default build; built as Release)
#   BENCH_NO_SBCL=1 leave SBCL out even if installed
#   BENCH_NO_ECL=1  leave ECL out
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export BUILD_DIR="${BUILD_DIR:-build}"
# hyperfine, clisp and ecl are installed here (only if missing) by ci/build.sh.
PETREL_EXTRA_PACKAGES="${PETREL_EXTRA_PACKAGES:-} hyperfine clisp ecl" BUILD_TYPE=Release BUILD_TARGETS=petrel \
    bash ci/build.sh >/dev/null

PETREL="$BUILD_DIR/petrel"
OUT="${BENCH_OUT:-bench/results}"
mkdir -p "$OUT"
FAS_DIR="$(mktemp -d)"
trap 'rm -rf "$FAS_DIR"' EXIT

benches=("$@")
[ "${#benches[@]}" -gt 0 ] || benches=(fib tak ctak arrays io bignum strings hash sort float binary-trees mutation)

have_sbcl=0
if [ "${BENCH_NO_SBCL:-0}" != 1 ] && command -v sbcl >/dev/null; then
    have_sbcl=1
fi
have_ecl=0
if [ "${BENCH_NO_ECL:-0}" != 1 ] && command -v ecl >/dev/null; then
    have_ecl=1
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
    # ECL also runs its compiled code (compile-file through the C compiler);
    # when it prints another answer it is left out of this benchmark.
    if [ "$have_ecl" = 1 ]; then
        if ecl -norc -eval "(ext:quit (if (compile-file \"$src\" :output-file \"$FAS_DIR/$b-ecl.fas\") 0 1))" \
               >"$FAS_DIR/$b-ecl.log" 2>&1; then
            ecl_got=$(ecl -norc -shell "$FAS_DIR/$b-ecl.fas" | tr -d '[:space:]') || true
            if [ "$ecl_got" = "$want" ]; then
                cmds+=(-n ecl "ecl -norc -shell $FAS_DIR/$b-ecl.fas")
            else
                echo "run.sh: $b: ecl printed '$ecl_got', clisp '$want': ECL left out" >&2
            fi
        else
            echo "run.sh: $b: ECL failed to compile it (see below): ECL left out" >&2
            tail -5 "$FAS_DIR/$b-ecl.log" >&2
        fi
    fi
    if [ "$have_sbcl" = 1 ]; then
        cmds+=(-n sbcl "sbcl --script $src")
    fi
    echo "== $b"
    hyperfine --warmup "${BENCH_WARMUP:-1}" --runs "${BENCH_RUNS:-10}" -N \
        --export-json "$OUT/$b.json" "${cmds[@]}"
    jsons+=("$OUT/$b.json")
done

/usr/bin/python3 bench/ratios.py "${jsons[@]}"
/usr/bin/python3 bench/ratios.py --cpu "${jsons[@]}"
