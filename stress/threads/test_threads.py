"""Thread-safety specs (stress/threads/SPEC.md) driven by pytest.

Every stress/threads/*.lisp program except lib.lisp and sbcl-shim.lisp is a spec; each of its
cases (listed by the program itself with STRESS_LIST=1) becomes one test per
mode (or, with STRESS_GROUP=1, its passing cases one test per program and
mode); a known runtime bug (XFAIL, and under TSan XFAIL_TSAN) is a strict
xfail of its own, run in release mode only (XFAIL ones not under a
sanitizer):
  release  the case at its full iteration count;
  torture  PETREL_GC_TORTURE=500 with a short iteration count.
A run prints "seed=S iterations=N ..." first; a failure message repeats the
command line that re-runs it.

Environment:
  PETREL_BIN       the petrel binary (default: build/petrel of this checkout)
  PETREL_SANITIZE  "thread" when PETREL_BIN is a TSan build: smaller counts,
                   longer time limits, and TSan's exit code 86 is a failure
  STRESS_SEED      fixed seed for every run (default: a fresh random one)
  STRESS_SCALE     multiplies every iteration count (default 1; TSan 0.2)
  STRESS_REPEAT    runs every test this many times (default 1)
  STRESS_MODES     comma-separated subset of "release,torture"
  STRESS_GROUP     1: one run per program and mode for its passing cases
                   (default under a sanitizer), 0: one run per case
  STRESS_KNOWN_BUGS  "xfail" (default): the known-bug cases run as strict
                   xfails; "skip": they do not run (short passes)
  PETREL_GC_TORTURE  if set: only the torture mode runs, at this interval
"""

import os
import random
import shlex
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PETREL = os.environ.get("PETREL_BIN") or str(ROOT / "build" / "petrel")
SANITIZE = os.environ.get("PETREL_SANITIZE", "")
TSAN = SANITIZE == "thread"
SCALE = float(os.environ.get("STRESS_SCALE") or (0.2 if SANITIZE else 1))
REPEAT = int(os.environ.get("STRESS_REPEAT", "1"))
# Under an outer PETREL_GC_TORTURE (ci/test.sh's torture pass) only the
# torture mode runs, at that collection interval.
OUTER_TORTURE = os.environ.get("PETREL_GC_TORTURE", "")
MODES = [m for m in os.environ.get("STRESS_MODES",
                                   "torture" if OUTER_TORTURE else "release,torture").split(",") if m]
SLOW = 6 if SANITIZE else 1          # time-limit multiplier for sanitized builds
KNOWN_BUGS = os.environ.get("STRESS_KNOWN_BUGS", "xfail")   # or "skip"
# One process per program and mode (all its passing cases) instead of one per
# case: a sanitized process costs more to start and to end.
GROUP = os.environ.get("STRESS_GROUP", "1" if SANITIZE else "0") == "1"

# Iterations per program: (release, torture).  Chosen so the whole suite
# stays well under 60 s on two cores.
ITERATIONS = {
    "atomics": (2000, 100),
    "hash-sync": (2000, 100),
    "hash-unsync": (2000, 100),
    "packages": (300, 30),
    "readtable": (300, 30),
    "redefine": (2000, 100),
    "specials": (300, 30),
    "sync": (200, 20),
    "join": (50, 10),
    "interrupt": (20, 5),
    "deadlock": (5, 2),
    "gc": (300, 30),
}

# Known runtime bugs: "program::case" -> reason.  strict=True, so a fix makes
# the suite fail until the entry is removed.
XFAIL = {
    "packages::print-while-unintern":
        "SEGFAULT: print_symbol reads the symbol's home package twice; an UNINTERN in between makes "
        "external_p call pkg_find_symbol on NIL",
    "hash-unsync::misuse-values":
        "concurrent misuse of an unsynchronized table lets GETHASH/MAPHASH return an internal marker object "
        "and HASH-TABLE-COUNT go negative",
    "join::all-threads-after-join":
        "ALL-THREADS lists every attached context: a thread stays listed after JOIN-THREAD returns until it detaches",
    "packages::make-package-race":
        "MAKE-PACKAGE checks the name and registers the package in two steps: two threads can both create one name",
    "hash-unsync::growth-race":
        "a PUTHASH racing a resize of an unsynchronized table can loop forever in C (no safepoint)",
    "readtable::macro-character-change":
        "COPY-READTABLE / SET-MACRO-CHARACTER / GET-MACRO-CHARACTER are undefined",
    "interrupt::destroy-during-sleep-runs-cleanup":
        "an interrupt pending as UNWIND-PROTECT's protected form returns (a DESTROY-THREAD during a SLEEP "
        "in tail position) unwinds without running the cleanup forms",
    "interrupt::interrupt-wakes-sleep":
        "INTERRUPT-THREAD is not delivered to a thread blocked in SLEEP until the sleep ends",
    "interrupt::destroy-lock-waiter":
        "INTERRUPT-THREAD/DESTROY-THREAD never reach a thread blocked in ACQUIRE-LOCK",
    "interrupt::destroy-semaphore-waiter":
        "INTERRUPT-THREAD/DESTROY-THREAD never reach a thread blocked in WAIT-ON-SEMAPHORE",
    "interrupt::destroy-condition-waiter":
        "INTERRUPT-THREAD/DESTROY-THREAD never reach a thread blocked in CONDITION-WAIT",
}


# Known problems only a ThreadSanitizer build shows (a TSan report).
XFAIL_TSAN = {
    "redefine::fmakunbound-race":
        "FBOUNDP/FDEFINITION read the function cell with a plain load (the VM's calls use acquire): "
        "TSan reports fdefinition_of vs FMAKUNBOUND, and FUNCTIONP reading a closure published without sync",
    "packages::intern-unintern":
        "UNINTERN reads PACKAGE-SHADOWING-SYMBOLS without the package lock while another thread's UNINTERN "
        "rewrites that list under it (TSan: cl_package_shadowing_symbols vs pkg_remove_present)",
    "redefine::change-lambda-list":
        "%FSET stores the function cell, then names the closure's code object; a caller's argument-count "
        "error reads that name (TSan: race in code_name)",
    "hash-sync::count-monotonic":
        "HASH-TABLE-COUNT reads a synchronized table's count without its lock (TSan: race with put_locked)",
    "atomics::plain-read-cas-idiom":
        "plain CAR/(SETF CAR) are non-atomic C accesses: a Lisp-level race on a cons is a C data race (TSan)",
}

# Programs that do not run under TSan, with the reason.
SKIP_TSAN = {
    "hash-unsync":
        "misusing an unsynchronized table from many threads is a data race by definition; TSan reports it",
}


def programs():
    return sorted(p.stem for p in HERE.glob("*.lisp") if p.stem not in ("lib", "sbcl-shim"))


def list_cases(program):
    env = dict(os.environ, STRESS_LIST="1")
    out = subprocess.run([PETREL, "--script", str(HERE / f"{program}.lisp")],
                         capture_output=True, text=True, timeout=60 * SLOW, env=env)
    if out.returncode != 0:
        return ["<listing failed>"]
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]


def known_bug(key):
    return XFAIL.get(key) or (TSAN and XFAIL_TSAN.get(key)) or None


def params():
    result = []
    if not os.path.exists(PETREL):
        return [pytest.param("none", ("none",), "release", 0,
                             marks=pytest.mark.skip(reason=f"no petrel binary at {PETREL}"))]
    for program in programs():
        if TSAN and program in SKIP_TSAN:
            result.append(pytest.param(program, ("*",), "release", 0, id=f"{program}-tsan",
                                       marks=pytest.mark.skip(reason=SKIP_TSAN[program])))
            continue
        cases = list_cases(program)
        good = [c for c in cases if not known_bug(f"{program}::{c}")]
        bad = [c for c in cases if known_bug(f"{program}::{c}")]
        for mode in MODES:
            for rep in range(REPEAT):
                suffix = f"-{mode}" + (f"-{rep}" if REPEAT > 1 else "")
                # The known bugs show in the release run; under GC torture
                # some of their races open too rarely for a strict xfail,
                # and their hangs would only cost time.
                groups = [(tuple(good), f"{program}{suffix}")] if GROUP else \
                         [((c,), f"{program}::{c}{suffix}") for c in good]
                if mode == "release":
                    groups += [((c,), f"{program}::{c}{suffix}") for c in bad]
                # Under a sanitizer the release-build bugs (XFAIL) are not
                # re-run: the slower timing makes their races too rare for
                # a strict xfail.  TSan's own (XFAIL_TSAN) do run.
                if SANITIZE:
                    groups = [(g, ident) for g, ident in groups
                              if not (len(g) == 1 and f"{program}::{g[0]}" in XFAIL)]
                for group, ident in groups:
                    if not group:
                        continue
                    reason = known_bug(f"{program}::{group[0]}") if len(group) == 1 else None
                    marks = []
                    if reason and KNOWN_BUGS == "skip":
                        marks = [pytest.mark.skip(reason="known bug: " + reason)]
                    elif reason:
                        marks = [pytest.mark.xfail(reason=reason, strict=True)]
                    result.append(pytest.param(program, group, mode, rep, marks=marks, id=ident))
    return result


@pytest.mark.parametrize("program,cases,mode,rep", params())
def test_spec(program, cases, mode, rep):
    release, torture = ITERATIONS.get(program, (100, 10))
    iterations = max(1, int((release if mode == "release" else torture) * SCALE))
    seed = int(os.environ.get("STRESS_SEED") or random.randrange(1, 2**31 - 1))
    budget = 20 * SLOW * (3 if mode == "torture" else 1) * max(1, len(cases) // 3)
    env = dict(os.environ, STRESS_BUDGET=str(budget))
    env.pop("STRESS_LIST", None)
    env.pop("PETREL_GC_TORTURE", None)
    if mode == "torture":
        env["PETREL_GC_TORTURE"] = OUTER_TORTURE or "500"
    if TSAN:
        env.setdefault("TSAN_OPTIONS", "halt_on_error=1:exitcode=86")
    case_arg = ",".join(cases)
    cmd = [PETREL, "--script", str(HERE / f"{program}.lisp"), str(seed), str(iterations), case_arg]
    rerun = " ".join(f"{k}={env[k]}" for k in ("PETREL_GC_TORTURE",) if k in env)
    rerun = (rerun + " " if rerun else "") + " ".join(shlex.quote(c) for c in cmd)
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=budget + 15)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"no result within {budget + 15} s (the watchdog did not fire)\n"
                    f"re-run: {rerun}\n{e.stdout or ''}")
    report = f"re-run: {rerun}\nexit {out.returncode}\n--- stdout\n{out.stdout}\n--- stderr\n{out.stderr[-6000:]}"
    assert out.returncode != 86 and "ThreadSanitizer" not in out.stderr, \
        "ThreadSanitizer reported a problem\n" + report
    assert out.stdout.startswith(f"seed={seed} iterations={iterations}"), report
    for case in cases:
        assert f"\nPASS {case}:" in out.stdout, report
    assert out.returncode == 0, report
