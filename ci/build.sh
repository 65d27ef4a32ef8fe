#!/usr/bin/env bash
# ci/build.sh — install what the build needs (only if missing), configure and build.
#
#   ci/build.sh                      Release build in build/
#   BUILD_TYPE=Debug ci/build.sh     Debug build
#   SANITIZE=address ci/build.sh     ASan+UBSan with clang in build-asan/
#   SANITIZE=thread ci/build.sh      TSan with clang in build-tsan/
#
# Environment:
#   BUILD_DIR       build directory (default build, build-asan, build-tsan)
#   BUILD_TYPE      CMAKE_BUILD_TYPE (default Release)
#   SANITIZE        "" | address | thread
#   CMAKE_ARGS      extra arguments for the configure step (word-split)
#   BUILD_TARGETS   build only these targets (word-split; default: all)
#   PETREL_EXTRA_PACKAGES  more Debian packages to install (ci/test.sh, ci/fuzz.sh use it)
#   PETREL_SKIP_INSTALL=1  never call apt-get
#
# Idempotent: a second run installs nothing and rebuilds only what changed.
# Works from any directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(cmake pkg-config check libffi-dev libgmp-dev clang libclang-rt-14-dev gcc make
          python3-pytest)
# shellcheck disable=SC2206
PACKAGES+=(${PETREL_EXTRA_PACKAGES:-})

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_missing() {
    local missing=() p
    for p in "$@"; do
        installed "$p" || missing+=("$p")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    if [ "${PETREL_SKIP_INSTALL:-0}" = 1 ]; then
        echo "build.sh: missing packages (install skipped): ${missing[*]}" >&2
        return 0
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo=(sudo)
    fi
    echo "build.sh: installing ${missing[*]}" >&2
    "${sudo[@]}" apt-get update -q >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q "${missing[@]}" >&2
}

install_missing "${PACKAGES[@]}"

SANITIZE="${SANITIZE:-}"
BUILD_TYPE="${BUILD_TYPE:-Release}"
case "$SANITIZE" in
    "")      BUILD_DIR="${BUILD_DIR:-build}" ;;
    address) BUILD_DIR="${BUILD_DIR:-build-asan}"; export CC="${CC:-clang}" ;;
    thread)  BUILD_DIR="${BUILD_DIR:-build-tsan}"; export CC="${CC:-clang}" ;;
    *) echo "build.sh: SANITIZE must be empty, address or thread (got '$SANITIZE')" >&2; exit 2 ;;
esac

# shellcheck disable=SC2206
extra=(${CMAKE_ARGS:-})
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DSANITIZE="$SANITIZE" "${extra[@]}"
targets=()
for t in ${BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$BUILD_DIR" -j"$(nproc)" "${targets[@]}"
