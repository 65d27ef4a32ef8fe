"""Self-test of conformance/ansi-test.py, the hook that runs Paul Dietz's
ansi-test suite from a checkout the user has.  No checkout is needed: the
stand-in in conformance/tests_hook/ (a minimal RT and three tests, two
passing) is copied to a temporary directory and run there.  The Lisps are
the ones CONFORMANCE_IMPLS names (default all four); a missing binary is
skipped.  Takes a few seconds.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
HOOK = os.path.join(HERE, "ansi-test.py")
FAKE = os.path.join(HERE, "tests_hook")
IMPLS = [i for i in os.environ.get("CONFORMANCE_IMPLS", "petrel,sbcl,ecl,clisp").split(",") if i]
FINAL = re.compile(r"^(\d+) passed, (\d+) failed$")

_spec = importlib.util.spec_from_file_location("ansi_test_hook", HOOK)
hook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hook)


def run_hook(*args, timeout=60):
    p = subprocess.run([sys.executable, HOOK] + list(args), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def last_line(out):
    lines = out.strip().splitlines()
    return lines[-1] if lines else ""


@pytest.fixture
def checkout(tmp_path):
    d = tmp_path / "ansi-test"
    shutil.copytree(FAKE, str(d))
    (d / "sandbox").mkdir()
    return str(d)


def need(impl):
    if impl not in IMPLS:
        pytest.skip("%s not in CONFORMANCE_IMPLS" % impl)
    if impl == "petrel":
        b = os.environ.get("PETREL_BIN") or os.path.join(os.path.dirname(HERE), "build", "petrel")
        if not os.access(b, os.X_OK):
            pytest.skip("petrel binary not found (PETREL_BIN)")
        return ["--petrel", b]
    if not shutil.which(impl):
        pytest.skip("%s not installed" % impl)
    return []


# ---- usage errors: exit 2 with a message, no Lisp started ----

def test_missing_directory(tmp_path):
    rc, out, err = run_hook("--lisp", "sbcl", str(tmp_path / "nowhere"))
    assert rc == 2
    assert "not found" in err


def test_not_a_checkout(tmp_path):
    rc, out, err = run_hook("--lisp", "sbcl", str(tmp_path))
    assert rc == 2
    assert "does not look like an ansi-test checkout" in err


def test_bad_arguments(checkout):
    assert run_hook("--lisp", "nolisp", checkout)[0] == 2
    assert run_hook("--lisp", "sbcl")[0] == 2
    assert run_hook("--lisp", "sbcl", "--timeout", "0", checkout)[0] == 2
    rc, out, err = run_hook("--lisp", "sbcl", "--only", "nochapter/", checkout)
    assert rc == 2 and "no chapter" in err


# ---- the fake checkout on each Lisp ----

@pytest.mark.parametrize("impl", ["sbcl", "ecl", "clisp"])
def test_fake_suite(impl, checkout, tmp_path):
    extra = need(impl)
    ff = str(tmp_path / "failures.txt")
    rc, out, err = run_hook("--lisp", impl, "--failures-file", ff, *extra, checkout)
    assert rc == 0, out + err
    assert last_line(out) == "2 passed, 1 failed"
    assert "  FAKE-WRONG.1" in out.splitlines()
    with open(ff) as fh:
        assert fh.read() == "FAKE-WRONG.1\n"


def test_petrel_runs_or_reports(checkout):
    """Petrel cannot load RT yet (no MAKE-PACKAGE): the hook must say so, exit
    1 and still end with the counts line; once it can, the counts are right."""
    extra = need("petrel")
    rc, out, err = run_hook("--lisp", "petrel", *extra, checkout)
    assert FINAL.match(last_line(out)), out + err
    if rc == 0:
        assert last_line(out) == "2 passed, 1 failed"
    else:
        assert rc == 1 and "run incomplete" in out


def test_only_patterns(checkout):
    need("sbcl")
    rc, out, err = run_hook("--lisp", "sbcl", "--only", "fake-c*,FAKE-WRONG", checkout)
    assert rc == 0 and last_line(out) == "1 passed, 1 failed", out + err
    rc, out, err = run_hook("--lisp", "sbcl", "--only", "fake-plus", "--compile", checkout)
    assert rc == 0 and last_line(out) == "1 passed, 0 failed", out + err


def test_old_layout(tmp_path):
    """Before 2013 the suite lived in an ansi-tests/ subdirectory."""
    need("sbcl")
    top = tmp_path / "old"
    shutil.copytree(FAKE, str(top / "ansi-tests"))
    rc, out, err = run_hook("--lisp", "sbcl", str(top))
    assert rc == 0 and last_line(out) == "2 passed, 1 failed", out + err


def test_timeout_reports_partial(checkout):
    need("sbcl")
    rc, out, err = run_hook("--lisp", "sbcl", "--only", "hang/", "--timeout", "1.5", checkout)
    assert rc == 1, out + err
    assert "timed out" in out
    assert "  FAKE-WRONG.2" in out.splitlines()
    assert last_line(out) == "1 passed, 1 failed"


# ---- parsing RT's output (no Lisp) ----

NEW_RT = """Doing 5 pending tests of 5 tests total.
 CAR.1 CAR.2
Test CAR.3 failed
Form: (CAR '(1))
Expected value:
          2
Actual value:
          1
 CDR.1
Test CL-TEST::CDR.2 failed
Form: (CDR 'A)
Expected value:
          T
Actual value:
          #<TYPE-ERROR {1001}> [The value A is not of type LIST]
2 failures with 2 unexpected failures and 0 unexpected successes out of 5 tests.
Failures: 
  CAR.3
  CL-TEST::CDR.2
Unexpected failures: 
  CAR.3
  CL-TEST::CDR.2
No unexpected successes
"""

OLD_RT = """Doing 4 pending tests of 4 tests total.
 A.1 A.2
Test B.1 failed
Form: (B)
Expected value:
          1
Actual value:
          2
 B.2
1 out of 4 total tests failed: 
(B.1)
No unexpected failures."""


def test_parse_current_rt_summary():
    r = hook.parse(NEW_RT)
    assert r.complete and (r.passed, r.failed) == (3, 2)
    assert r.failures == ["CAR.3", "CDR.2"]


def test_parse_older_rt_summary():
    r = hook.parse(OLD_RT)
    assert r.complete and (r.passed, r.failed) == (3, 1)
    assert r.failures == ["B.1"]
    r = hook.parse("Doing 7 pending tests of 7 tests total.\n A B C D E F G\nNo tests failed.")
    assert r.complete and (r.passed, r.failed, r.failures) == (7, 0, [])


def test_parse_hook_lines_win():
    text = NEW_RT + "ANSI-HOOK-RESULT 2 2\nANSI-HOOK-FAIL CAR.3\nANSI-HOOK-FAIL CDR.2\n"
    r = hook.parse(text)       # a test skipped by a disabled note is in neither list
    assert r.complete and (r.passed, r.failed) == (2, 2)


def test_parse_partial_output():
    cut = NEW_RT[:NEW_RT.index("2 failures with")]
    r = hook.parse(cut)
    assert not r.complete
    assert (r.passed, r.failed) == (3, 2)
    assert r.failures == ["CAR.3", "CDR.2"]
