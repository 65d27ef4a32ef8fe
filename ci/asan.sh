#!/usr/bin/env bash
# ci/asan.sh — the whole test suite under ASan+UBSan (clang, build-asan/).
# Same knobs as ci/test.sh (PETREL_GC_TORTURE, CTEST_ARGS, ...).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export SANITIZE=address
export BUILD_DIR="${BUILD_DIR:-build-asan}"
exec bash ci/test.sh "$@"
