"""The conformance matrix as pytest: implementations x CLHS chapters.

    /usr/bin/python3 -m pytest -q conformance
    CONFORMANCE_IMPLS=petrel,sbcl /usr/bin/python3 -m pytest -q conformance

Each (implementation, chapter) test fails on an unexpected failure (a test
that does not pass and is not in expected/<impl>.txt) and on an unexpected
pass (a listed test that passes: the list must stay true).  An
implementation whose binary is missing is skipped; Petrel's binary comes
from $PETREL_BIN.  All selected runs happen once, in parallel, the first
time a result is needed.
"""

import os
import re
import threading

import pytest

import expected
import run

IMPLS = [i for i in os.environ.get("CONFORMANCE_IMPLS", ",".join(run.IMPLS)).split(",") if i]
CHAPTERS = sorted(run.CHAPTERS, key=int)

_lock = threading.Lock()
_cache = {}


def _selected_impls(session):
    wanted = set()
    for item in session.items:
        cs = getattr(item, "callspec", None)
        if cs and "impl" in cs.params and item.name.startswith("test_chapter"):
            wanted.add(cs.params["impl"])
    return sorted(wanted, key=IMPLS.index) or IMPLS


def results(request, impl, chapter):
    with _lock:
        if impl not in _cache:
            todo = [i for i in _selected_impls(request.session)
                    if i not in _cache and run.binary(i)]
            if impl not in todo:
                todo.append(impl)
            chapters = CHAPTERS
            m = run.run_matrix(todo, chapters)
            _cache.update(m)
    return _cache[impl][chapter]


def _need(impl):
    if not run.binary(impl):
        where = "$PETREL_BIN" if impl == "petrel" else "PATH"
        pytest.skip("%s binary not found (%s)" % (impl, where))


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("impl", IMPLS)
def test_chapter(request, impl, chapter):
    _need(impl)
    res = results(request, impl, chapter)
    exp = expected.load(impl)
    unexpected_fail = sorted(n for n, r in res.items() if r["status"] != "pass" and n not in exp)
    unexpected_pass = sorted(n for n, r in res.items() if r["status"] == "pass" and n in exp)
    msg = []
    for n in unexpected_fail:
        r = res[n]
        msg.append("UNEXPECTED %s: %s  got %s  expected %s" % (
            r["status"].upper(), n, r["got"][:200], r["expected"][:200]))
    for n in unexpected_pass:
        msg.append("UNEXPECTED PASS: %s (listed in expected/%s.txt: %s)" % (n, impl, exp[n]))
    assert not msg, "\n".join(msg)


@pytest.mark.parametrize("impl", IMPLS)
def test_expected_list_is_sound(impl):
    """Every entry names an existing test and has a reason."""
    names = {n for c in CHAPTERS for n, _ in run.chapter_tests(c)}
    exp = expected.load(impl)
    unknown = sorted(n for n in exp if n not in names)
    no_reason = sorted(n for n, why in exp.items() if not why)
    assert not unknown, "entries for tests that do not exist: %s" % unknown
    assert not no_reason, "entries without a reason: %s" % no_reason


def test_names_unique():
    seen = {}
    dups = []
    for c in CHAPTERS:
        for n, f in run.chapter_tests(c):
            if n in seen:
                dups.append("%s (%s and %s)" % (n, seen[n], f))
            seen[n] = f
    assert not dups, "duplicate test names: %s" % dups


TRAILING_OPTION = re.compile(r"^\(deftest \S+ .* :(test|section|symbols) \S+\)\s*$", re.M)


def test_options_before_form():
    """Options go between the name and the form; trailing ones would be
    read as expected values."""
    bad = []
    for c in CHAPTERS:
        for f in run.chapter_files(c):
            with open(f, encoding="utf-8") as fh:
                for m in TRAILING_OPTION.finditer(fh.read()):
                    bad.append("%s: %s" % (os.path.basename(f), m.group(0)[:80]))
    assert not bad, "\n".join(bad)
