#!/usr/bin/env bash
# ci/fuzz.sh — build the libFuzzer reader harness (clang, ASan+UBSan, coverage
# on the whole library) in build-fuzz/ and fuzz for FUZZ_SECONDS (default 60).
#
# Corpus order matters: libFuzzer writes new inputs into the FIRST directory,
# so a scratch directory comes first and the committed seeds
# (fuzz/corpus/reader) second.  A crash leaves crash-*/leak-*/timeout-* files in
# $FUZZ_ARTIFACTS and makes this script exit non-zero.
#
# Environment:
#   FUZZ_SECONDS     total fuzzing time (default 60)
#   FUZZ_JOBS        parallel fuzzing processes (default 1)
#   BUILD_DIR        default build-fuzz
#   FUZZ_WORK        scratch directory (default $BUILD_DIR/fuzz-work)
#   FUZZ_ARGS        extra libFuzzer flags (word-split)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
BUILD_DIR="${BUILD_DIR:-build-fuzz}"
FUZZ_WORK="${FUZZ_WORK:-$BUILD_DIR/fuzz-work}"
SEEDS=fuzz/corpus/reader

# Build: everything with ASan+UBSan (SANITIZE=address) and libFuzzer coverage
# instrumentation (fuzzer-no-link), so the fuzzer sees edges inside the reader;
# the harness itself adds -fsanitize=fuzzer (fuzz/CMakeLists.txt).
export CC="${CC:-clang}"
SANITIZE=address BUILD_DIR="$BUILD_DIR" BUILD_TARGETS=fuzz_reader BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
    CMAKE_ARGS="-DPETREL_FUZZ=ON -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link ${CMAKE_ARGS:-}" \
    bash ci/build.sh

FUZZER="$BUILD_DIR/fuzz/fuzz_reader"
[ -x "$FUZZER" ] || { echo "fuzz.sh: $FUZZER was not built" >&2; exit 1; }

mkdir -p "$FUZZ_WORK/corpus" "$FUZZ_WORK/artifacts" "$SEEDS"
rm -f "$FUZZ_WORK"/artifacts/crash-* "$FUZZ_WORK"/artifacts/leak-* \
      "$FUZZ_WORK"/artifacts/timeout-* "$FUZZ_WORK"/artifacts/oom-*
log="$FUZZ_WORK/fuzz.log"

# shellcheck disable=SC2206
extra=(${FUZZ_ARGS:-})
jobs=()
if [ "${FUZZ_JOBS:-1}" -gt 1 ]; then
    jobs=(-fork="$FUZZ_JOBS")
fi
echo "fuzz.sh: fuzzing the reader for ${FUZZ_SECONDS}s (scratch $FUZZ_WORK/corpus, seeds $SEEDS)"
status=0
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
"$FUZZER" -max_total_time="$FUZZ_SECONDS" -max_len=4096 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$FUZZ_WORK/artifacts/" "${jobs[@]}" "${extra[@]}" \
    "$FUZZ_WORK/corpus" "$SEEDS" >"$log" 2>&1 || status=$?

grep -vE '^"|^#+ .*dictionary' "$log" | tail -n 15
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n1 || true)
rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n1 || true)
[ -n "$rate" ] || rate=$(grep -o 'exec/s: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n1 || true)
echo "fuzz.sh: ${execs:-?} executions, ${rate:-?} exec/s, corpus $(ls "$FUZZ_WORK/corpus" | wc -l) new inputs"

crashes=$(find "$FUZZ_WORK/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' \
          -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
if [ "$status" -ne 0 ] || [ -n "$crashes" ]; then
    echo "fuzz.sh: FAILED (libFuzzer exit $status); reproduce with: $FUZZER <file>" >&2
    [ -n "$crashes" ] && echo "$crashes" >&2
    exit 1
fi
echo "fuzz.sh: no crashes"
