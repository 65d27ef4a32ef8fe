#!/usr/bin/env bash
# ci/fuzz.sh — build the libFuzzer harnesses (clang, ASan+UBSan, coverage on
# the whole library) in build-fuzz/ and fuzz the reader for FUZZ_SECONDS
# (default 60), then the numbers harness (fuzz/fuzz_numbers.c: float and
# rational print/read round trips, the reader on ASCII text) for
# FUZZ_NUMBERS_SECONDS (default half of FUZZ_SECONDS).
#
# Corpus order matters: libFuzzer writes new inputs into the FIRST directory,
# so a scratch directory comes first and the committed seeds
# (fuzz/corpus/<name>) second.  A crash leaves crash-*/leak-*/timeout-* files in
# $FUZZ_WORK/<name>/artifacts and makes this script exit non-zero.
#
# Environment:
#   FUZZ_SECONDS     reader fuzzing time (default 60)
#   FUZZ_NUMBERS_SECONDS  numbers fuzzing time (default FUZZ_SECONDS / 2)
#   FUZZ_TARGETS     which harnesses, in order (default "reader numbers")
#   FUZZ_JOBS        parallel fuzzing processes (default 1)
#   BUILD_DIR        default build-fuzz
#   FUZZ_WORK        scratch directory (default $BUILD_DIR/fuzz-work)
#   FUZZ_ARGS        extra libFuzzer flags (word-split)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
BUILD_DIR="${BUILD_DIR:-build-fuzz}"
FUZZ_WORK="${FUZZ_WORK:-$BUILD_DIR/fuzz-work}"
FUZZ_TARGETS="${FUZZ_TARGETS:-reader numbers}"
FUZZ_NUMBERS_SECONDS="${FUZZ_NUMBERS_SECONDS:-$(( FUZZ_SECONDS / 2 ))}"

# Build: everything with ASan+UBSan (SANITIZE=address) and libFuzzer coverage
# instrumentation (fuzzer-no-link), so the fuzzer sees edges inside the reader;
# the harness itself adds -fsanitize=fuzzer (fuzz/CMakeLists.txt).
export CC="${CC:-clang}"
SANITIZE=address BUILD_DIR="$BUILD_DIR" BUILD_TARGETS="fuzz_reader fuzz_numbers" BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
    CMAKE_ARGS="-DPETREL_FUZZ=ON -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link ${CMAKE_ARGS:-}" \
    bash ci/build.sh

# run_fuzzer NAME SEEDS SECONDS MAX_LEN: fuzzes one harness with its own
# scratch corpus and artifacts under $FUZZ_WORK/NAME; sets failed=1 on a
# crash or a non-zero libFuzzer exit.
failed=0
run_fuzzer() {
    local name="$1" seeds="$2" seconds="$3" max_len="$4"
    local fuzzer="$BUILD_DIR/fuzz/fuzz_$name" work="$FUZZ_WORK/$name"
    [ -x "$fuzzer" ] || { echo "fuzz.sh: $fuzzer was not built" >&2; exit 1; }
    mkdir -p "$work/corpus" "$work/artifacts" "$seeds"
    rm -f "$work"/artifacts/crash-* "$work"/artifacts/leak-* \
          "$work"/artifacts/timeout-* "$work"/artifacts/oom-*
    local log="$work/fuzz.log"
    echo "fuzz.sh: fuzzing $name for ${seconds}s (scratch $work/corpus, seeds $seeds)"
    local status=0
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    "$fuzzer" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" "${jobs[@]}" "${extra[@]}" \
        "$work/corpus" "$seeds" >"$log" 2>&1 || status=$?

    grep -vE '^"|^#+ .*dictionary' "$log" | tail -n 15
    local execs rate crashes
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n1 || true)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n1 || true)
    [ -n "$rate" ] || rate=$(grep -o 'exec/s: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n1 || true)
    echo "fuzz.sh: $name: ${execs:-?} executions, ${rate:-?} exec/s, corpus $(ls "$work/corpus" | wc -l) new inputs"

    crashes=$(find "$work/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' \
              -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    if [ "$status" -ne 0 ] || [ -n "$crashes" ]; then
        echo "fuzz.sh: $name FAILED (libFuzzer exit $status); reproduce with: $fuzzer <file>" >&2
        [ -n "$crashes" ] && echo "$crashes" >&2
        failed=1
    fi
}

# shellcheck disable=SC2206
extra=(${FUZZ_ARGS:-})
jobs=()
if [ "${FUZZ_JOBS:-1}" -gt 1 ]; then
    jobs=(-fork="$FUZZ_JOBS")
fi
for target in $FUZZ_TARGETS; do
    case "$target" in
        reader)  run_fuzzer reader fuzz/corpus/reader "$FUZZ_SECONDS" 4096 ;;
        numbers) run_fuzzer numbers fuzz/corpus/numbers "$FUZZ_NUMBERS_SECONDS" 512 ;;
        *) echo "fuzz.sh: unknown fuzz target $target (reader, numbers)" >&2; exit 2 ;;
    esac
done
[ "$failed" -eq 0 ] || exit 1
echo "fuzz.sh: no crashes"
