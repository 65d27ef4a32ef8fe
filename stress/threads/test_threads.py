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
}


# Known problems only a ThreadSanitizer build shows (a TSan report).
XFAIL_TSAN = {
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
