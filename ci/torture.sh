#!/usr/bin/env bash
# ci/torture.sh — the whole test suite with the collector in torture mode:
# a full collection every PETREL_GC_TORTURE allocations (default 200), so a
# Lisp value that C code forgot to keep visible to the GC dies quickly.
# Reuses the Release build in build/ unless BUILD_DIR says otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PETREL_GC_TORTURE="${PETREL_GC_TORTURE:-200}"
export BUILD_DIR="${BUILD_DIR:-build}"
exec bash ci/test.sh "$@"
