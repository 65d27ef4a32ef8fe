#!/usr/bin/env bash
# ci/conformance.sh — the full conformance matrix: Petrel, SBCL, ECL and CLISP
# over every chapter (pytest: unexpected failures and unexpected passes both
# fail), then the Markdown and HTML matrix report in $REPORT_DIR.
#
# Environment:
#   BUILD_DIR    Petrel build directory (default build; built as Release)
#   REPORT_DIR   where report.md and report.html go (default $BUILD_DIR/conformance)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export BUILD_DIR="${BUILD_DIR:-build}"
PETREL_EXTRA_PACKAGES="${PETREL_EXTRA_PACKAGES:-} sbcl ecl clisp" bash ci/build.sh
case "$BUILD_DIR" in
    /*) export PETREL_BIN="$BUILD_DIR/petrel" ;;
    *)  export PETREL_BIN="$PWD/$BUILD_DIR/petrel" ;;
esac
REPORT_DIR="${REPORT_DIR:-$BUILD_DIR/conformance}"
mkdir -p "$REPORT_DIR"

status=0
CONFORMANCE_IMPLS=petrel,sbcl,ecl,clisp /usr/bin/python3 -m pytest -q -p no:cacheprovider conformance || status=$?
/usr/bin/python3 conformance/report.py -o "$REPORT_DIR/report"
echo "conformance.sh: report in $REPORT_DIR/report.md and $REPORT_DIR/report.html"
exit "$status"
