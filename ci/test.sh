#!/usr/bin/env bash
# ci/test.sh — build (ci/build.sh) and run every test registered with ctest:
# the Check unit tests of each module and the pytest suites (tests/e2e, ...).
# The last lines printed are ctest's summary ("100% tests passed, 0 tests
# failed out of N", then "Total Test time").
#
# Environment (besides ci/build.sh's BUILD_DIR, BUILD_TYPE, SANITIZE):
#   PETREL_GC_TORTURE=N   collect every N allocations in every test (passed through)
#   PETREL_GC_VERIFY=1    verify the heap after each collection (passed through)
#   CTEST_ARGS            extra ctest arguments, e.g. "-R e2e" (word-split)
#   CTEST_PARALLEL        ctest -j value (default 2)
#   PETREL_TSAN_PASS      1: run the short TSan pass of the thread specs
#                         (ci/tsan.sh, TSAN_QUICK=1) before ctest; 0: don't;
#                         default: only in a plain run (no SANITIZE, no
#                         PETREL_GC_TORTURE)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The pytest suites need python3-pytest (always installed by build.sh);
# hypothesis is used by the garbage-input tests when present.
# The conformance matrix also runs the peer Lisps (skipped when missing).
export PETREL_EXTRA_PACKAGES="${PETREL_EXTRA_PACKAGES:-} python3-hypothesis sbcl ecl clisp"

case "${SANITIZE:-}" in
    "")      export BUILD_DIR="${BUILD_DIR:-build}" ;;
    address) export BUILD_DIR="${BUILD_DIR:-build-asan}"
             # Report every UBSan finding as a failure; keep ASan's exit code
             # distinct from Petrel's own exit 1 for an unhandled Lisp error.
             export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
             export ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=86:detect_leaks=1}" ;;
    thread)  export BUILD_DIR="${BUILD_DIR:-build-tsan}"
             export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:exitcode=86}"
             # TSan cannot follow a fork of a threaded process (TOOLCHAIN.md).
             export CK_FORK="${CK_FORK:-no}" ;;
esac

bash ci/build.sh

if [ -n "${PETREL_GC_TORTURE:-}" ]; then
    export PETREL_GC_TORTURE
    echo "test.sh: GC torture mode, PETREL_GC_TORTURE=$PETREL_GC_TORTURE"
fi

# A short ThreadSanitizer pass over the thread-safety specs (its own clang
# build in build-tsan/); before ctest, whose summary must close the log.
tsan_pass="${PETREL_TSAN_PASS:-auto}"
if [ "$tsan_pass" = auto ]; then
    tsan_pass=0
    if [ -z "${SANITIZE:-}" ] && [ -z "${PETREL_GC_TORTURE:-}" ]; then tsan_pass=1; fi
fi
if [ "$tsan_pass" = 1 ]; then
    echo "test.sh: short TSan pass of the thread specs (ci/tsan.sh)"
    (unset BUILD_DIR; TSAN_QUICK=1 bash ci/tsan.sh)
fi

# shellcheck disable=SC2206
extra=(${CTEST_ARGS:-})
exec ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error \
    -j"${CTEST_PARALLEL:-2}" "${extra[@]}"
