#!/usr/bin/env bash
# ci/valgrind.sh — build petrel with debug information and the debug
# assertions (RelWithDebInfo, -O2 -g, plus PETREL_DEBUG=1, which a Debug
# build would set: PT_ASSERT on) in build-valgrind/ and run under Valgrind
# memcheck
#   1. every Check unit test ctest registers (gc/, lisp/, ffi/ tests: the
#      tests whose command is a binary of the build tree, found with
#      `ctest --show-only=json-v1`), with CK_FORK=no (forked Check children
#      give false "possibly lost" reports; TOOLCHAIN.md);
#   2. the FFI end-to-end tests (tests/e2e/test_ffi.py), petrel wrapped in
#      valgrind through PETREL_WRAPPER (tests/e2e/test_cli.py's run()), less
#      the one that needs real time (the 2-second foreign call racing an
#      allocating thread, which under valgrind's serialised threads proves
#      nothing); PETREL_SANITIZE=valgrind scales their timeouts and replaces
#      the malloc-reuse probe by the leak check.
# Options: --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,
# and gc/valgrind.supp, which suppresses exactly the conservative stack scan's
# reads of uninitialised stack words.  Any memcheck error or definitely lost
# byte fails the run (exit 99 from the process, so a failed Check binary or
# pytest case).  Petrel's heap is its own mmap'd memory: what memcheck checks
# for leaks is malloc'd memory (the C runtime, foreign memory, libffi).  It
# does catch the FFI's own leaks (with call.c's free of the strings copied for
# a call removed, two FFI tests fail: definitely lost); a foreign buffer a
# Lisp program drops need not count as "definitely" lost, since its address may
# still sit in the (scanned) Lisp heap: stress/ffi checks those by volume.
#
#   ci/valgrind.sh                  everything (168 s after the build on 2 shared
#                                   cores: 23 unit tests 114 s, 13 FFI e2e tests 55 s)
#   VALGRIND_UNIT=0 ci/valgrind.sh  the FFI e2e tests only
#   VALGRIND_E2E=0 ci/valgrind.sh   the Check unit tests only
#
# Environment: VALGRIND_BUILD_DIR (default build-valgrind), VALGRIND_BUILD_TYPE
# (default RelWithDebInfo; Debug, at -O0, gave the same result in 692 s rather
# than 168 s), VALGRIND_JOBS (unit tests run at once, default 2),
# VALGRIND_ONLY (a regex: unit tests whose ctest name matches), PETREL_SKIP_INSTALL.
# Logs: <build dir>/valgrind/<test>.log.  Prints "valgrind.sh: PASS" or exits non-zero.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VG_BUILD_DIR="${VALGRIND_BUILD_DIR:-build-valgrind}"
case "$VG_BUILD_DIR" in /*) ;; *) VG_BUILD_DIR="$PWD/$VG_BUILD_DIR" ;; esac
# Optimised code is checked the way it ships, and the run is shorter.
PETREL_EXTRA_PACKAGES="${PETREL_EXTRA_PACKAGES:-} valgrind" BUILD_DIR="$VG_BUILD_DIR" \
    BUILD_TYPE="${VALGRIND_BUILD_TYPE:-RelWithDebInfo}" CMAKE_ARGS="-DCMAKE_C_FLAGS=-DPETREL_DEBUG=1" \
    SANITIZE= bash ci/build.sh >/dev/null

LOGS="$VG_BUILD_DIR/valgrind"
rm -rf "$LOGS"
mkdir -p "$LOGS"
VG="valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
VG="$VG --suppressions=$PWD/gc/valgrind.supp --num-callers=30"
export PYTHONDONTWRITEBYTECODE=1
# An outer torture setting would make every run hundreds of times slower.
unset PETREL_GC_TORTURE
start=$SECONDS

if [ "${VALGRIND_UNIT:-1}" = 1 ]; then
    echo "valgrind.sh: Check unit tests under memcheck (logs in $LOGS)"
    ctest --test-dir "$VG_BUILD_DIR" --show-only=json-v1 >"$LOGS/tests.json"
    # One valgrind per unit test, VALGRIND_JOBS at a time, each with the
    # environment and working directory ctest would give it.
    VG="$VG" LOGS="$LOGS" BUILD="$VG_BUILD_DIR" /usr/bin/python3 - <<'EOF'
import concurrent.futures, json, os, re, shlex, subprocess, sys, time
tests = json.load(open(os.path.join(os.environ["LOGS"], "tests.json")))["tests"]
only = re.compile(os.environ.get("VALGRIND_ONLY", ""))
units = []
for t in tests:
    cmd = t.get("command") or []
    # Check binaries live in the build tree; pytest suites run /usr/bin/python3.
    if not cmd or not cmd[0].startswith(os.environ["BUILD"] + "/") or not only.search(t["name"]):
        continue
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    env = dict(os.environ, CK_FORK="no")
    for kv in props.get("ENVIRONMENT", []):
        k, _, v = kv.partition("=")
        env[k] = v
    units.append((t["name"], cmd, props.get("WORKING_DIRECTORY"), env))
if not units:
    sys.exit("valgrind.sh: no unit tests found")

def run(unit):
    name, cmd, cwd, env = unit
    log = os.path.join(os.environ["LOGS"], name + ".log")
    t0 = time.time()
    with open(log, "wb") as f:
        p = subprocess.run(shlex.split(os.environ["VG"]) + cmd, cwd=cwd, env=env, stdout=f,
                           stderr=subprocess.STDOUT, timeout=1800)
    return name, p.returncode, time.time() - t0, log

failed = []
with concurrent.futures.ThreadPoolExecutor(int(os.environ.get("VALGRIND_JOBS", "2"))) as ex:
    for name, rc, secs, log in ex.map(run, units):
        text = open(log, errors="replace").read()
        summary = re.findall(r"ERROR SUMMARY: \d+ errors", text)
        checks = re.findall(r"\d+%: Checks: \d+, Failures: \d+, Errors: \d+", text)
        print(f"  {name:28s} rc={rc:<3d} {secs:6.1f}s  {checks[-1:] or ['?']}  {summary[-1:] or ['?']}",
              flush=True)
        if rc != 0:
            failed.append(name)
            print("\n".join(text.splitlines()[-60:]))
if failed:
    sys.exit(f"valgrind.sh: unit tests failed under memcheck: {' '.join(failed)}")
print(f"valgrind.sh: {len(units)} unit tests clean")
EOF
fi

if [ "${VALGRIND_E2E:-1}" = 1 ]; then
    echo "valgrind.sh: FFI e2e tests with petrel under memcheck"
    PETREL_BIN="$VG_BUILD_DIR/petrel" PETREL_FFI_TEST_LIB="$VG_BUILD_DIR/tests/ffi/libpetrel_ffi_test.so" \
        PETREL_SANITIZE=valgrind PETREL_WRAPPER="$VG" \
        /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/e2e/test_ffi.py -k "not long_foreign_call"
fi
echo "valgrind.sh: PASS in $((SECONDS - start)) s (after the build)"
