#!/usr/bin/env bash
# bench/ffi.sh — the FFI's call and callback overhead, Petrel against SBCL
# (sb-alien), calling the same C code: pft_id_int and pft_call_n of the FFI
# test library (tests/ffi/libpetrel_ffi_test.c, built by CMake).
#
#   ffi-call       10 million calls of int pft_id_int(int)
#                  petrel:        DEFCFUN (a dlsym by name per call)
#                  petrel-cached: FOREIGN-FUNCALL on a pointer looked up once
#                  sbcl:          define-alien-routine, called out of line
#   ffi-callback   one call of pft_call_n, which calls a Lisp callback
#                  (DEFCALLBACK / sb-alien::define-alien-callable) 1 million times
#
# Each benchmark is one hyperfine session with every Lisp in it; then the
# medians and the ratios petrel/sbcl (and petrel-cached/sbcl) are printed.
# Times include process start-up (tens of ms; SBCL's core is larger).
#
# Environment: BENCH_RUNS (default 3), BENCH_WARMUP (default 1), BENCH_OUT
# (default bench/results), BUILD_DIR (default build; built as Release).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export BUILD_DIR="${BUILD_DIR:-build}"
PETREL_EXTRA_PACKAGES="${PETREL_EXTRA_PACKAGES:-} hyperfine sbcl" BUILD_TYPE=Release \
    BUILD_TARGETS="petrel petrel_ffi_test" bash ci/build.sh >/dev/null
PETREL="$BUILD_DIR/petrel"
export PETREL_FFI_TEST_LIB="$BUILD_DIR/tests/ffi/libpetrel_ffi_test.so"
OUT="${BENCH_OUT:-bench/results}"
mkdir -p "$OUT"

# Same answer from both, or the timings mean nothing.
check() {
    local want got
    want=$(sbcl --script "bench/$1.sbcl.lisp" | tr -d '[:space:]')
    got=$("$PETREL" --script "bench/$1.lisp" | tr -d '[:space:]')
    if [ "$got" != "$want" ] || [ -z "$want" ]; then
        echo "ffi.sh: $1: petrel printed '$got', sbcl '$want'" >&2
        exit 1
    fi
}

for b in ffi-call ffi-callback; do
    check "$b"
    cmds=(-n petrel "$PETREL --script bench/$b.lisp")
    if [ "$b" = ffi-call ]; then
        cmds+=(-n petrel-cached "env FFI_BENCH_CACHED=1 $PETREL --script bench/$b.lisp")
    fi
    cmds+=(-n sbcl "sbcl --script bench/$b.sbcl.lisp")
    echo "== $b"
    hyperfine --warmup "${BENCH_WARMUP:-1}" --runs "${BENCH_RUNS:-3}" -N \
        --export-json "$OUT/$b.json" "${cmds[@]}"
done

/usr/bin/python3 - "$OUT/ffi-call.json" "$OUT/ffi-callback.json" <<'EOF'
import json, os, sys
print(f"{'benchmark':14s} {'command':14s} {'median (s)':>10s} {'vs sbcl':>8s}")
for path in sys.argv[1:]:
    res = {r["command"]: r["median"] for r in json.load(open(path))["results"]}
    name = os.path.basename(path)[:-5]
    for cmd, t in res.items():
        print(f"{name:14s} {cmd:14s} {t:10.3f} {t / res['sbcl']:8.1f}")
EOF
