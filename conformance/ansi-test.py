#!/usr/bin/python3
"""Run the public ANSI test suite (Paul Dietz's ansi-test) on a Lisp.

    conformance/ansi-test.py --lisp {petrel,sbcl,ecl,clisp} [--petrel PATH]
        [--timeout SECONDS] [--only PATTERN] ANSI_TEST_DIR

ANSI_TEST_DIR is a checkout the user already has
(git clone https://gitlab.common-lisp.net/ansi-test/ansi-test.git); this
script neither contains nor downloads the suite.  The last line printed is
always `N passed, M failed`; the failing test names are listed above it.

How the suite is driven (facts from the suite's own files):
  * gclload1.lsp loads the RT framework (rt-package.lsp, rt.lsp, package
    REGRESSION-TEST, nicknames RT/RTEST), the CL-TEST package and the
    auxiliary files; gclload2.lsp then loads every chapter's
    "<chapter>/load.lsp".  Newer checkouts also have init.lsp, which does
    both.  doit.lsp does the same and then runs (regression-test:do-tests)
    and quits, so it is not used here: the driver below loads the suite
    itself, runs DO-TESTS and then prints its own result lines from RT's
    *PASSED-TESTS* / *FAILED-TESTS*.  The per-implementation tweaks in
    doit.lsp (RT:DISABLE-NOTE for CLISP, Allegro, CMUCL...) are not applied,
    so a peer's counts may differ slightly from the suite's `make test`.
  * All paths are relative to the checkout, so the Lisp runs with the
    checkout as current directory and *DEFAULT-PATHNAME-DEFAULTS*; tests
    that write files run in sandbox/ (as doit.lsp arranges).
  * RT prints `Test NAME failed` followed by Form/Expected/Actual for each
    failure, the names of passing tests on lines that start with one space,
    and a summary: `F failures with U unexpected failures and S unexpected
    successes out of N tests.` then `Failures:` and one name per line
    (current RT), or `F out of N total tests failed: (NAME ...)` /
    `No tests failed.` (older RT).
  * Subsets: RT:REM-TEST removes a test before DO-TESTS runs (--only
    PATTERN); loading gclload1.lsp and a single "<chapter>/load.lsp"
    runs one chapter (--only CHAPTER/, as the suite's makefile does);
    RT:*COMPILE-TESTS* compiles each test before running it (--compile).

Counts come, in this order of preference, from the driver's own result
lines (RT's *PASSED-TESTS*/*FAILED-TESTS*: tests skipped because of a
disabled RT note are in neither), from RT's printed summary, and, when the
Lisp died or timed out before any summary, from the `Test NAME failed`
lines and the passing-test lines seen so far (the run is then reported as
incomplete).

Exit status: 0 when the run completed (whatever the counts); 1 when the Lisp
crashed or timed out before printing a summary (what was parsed is still
printed); 2 on a usage error, a missing or non-ansi-test directory, or a
missing Lisp binary.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
IMPLS = ("petrel", "sbcl", "ecl", "clisp")
MARK = "ANSI-HOOK-"


class UsageError(Exception):
    pass


# --------------------------------------------------------------------------
# Locating things

def lisp_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dir_name(path):
    """PATH as a Lisp directory namestring (trailing slash)."""
    return os.path.abspath(path).rstrip("/") + "/"


def find_root(path):
    """The directory holding the suite's load files: the checkout itself, or
    its ansi-tests/ subdirectory in the old (pre-2013) layout."""
    if not os.path.isdir(path):
        raise UsageError("ansi-test directory not found: %s" % path)
    for cand in (path, os.path.join(path, "ansi-tests")):
        has = lambda f: os.path.isfile(os.path.join(cand, f))
        if has("gclload1.lsp") or (has("init.lsp") and has("rt.lsp")):
            return os.path.abspath(cand)
    raise UsageError("%s does not look like an ansi-test checkout (no gclload1.lsp "
                     "or init.lsp + rt.lsp; clone "
                     "https://gitlab.common-lisp.net/ansi-test/ansi-test.git)" % path)


def find_binary(impl, args):
    if impl == "petrel":
        cands = [args.petrel or args.binary, os.environ.get("PETREL_BIN"),
                 os.path.join(os.path.dirname(HERE), "build", "petrel")]
        for c in cands:
            if c and os.path.isfile(c) and os.access(c, os.X_OK):
                return os.path.abspath(c)
        raise UsageError("petrel binary not found: pass --petrel PATH or set PETREL_BIN")
    if args.binary:
        if os.path.isfile(args.binary) and os.access(args.binary, os.X_OK):
            return os.path.abspath(args.binary)
        raise UsageError("not an executable: %s" % args.binary)
    found = shutil.which(impl)
    if not found:
        raise UsageError("%s not found on PATH (pass --binary PATH)" % impl)
    return found


# Simple "(load "file")" lines: when gclload2.lsp consists only of those (and
# comments), each file is loaded on its own so that one broken chapter does
# not hide the others.
LOAD_LINE = re.compile(r'^\(load\s+"([^"\\]+)"\)\s*(;.*)?$')


def plain_loads(path):
    files = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            s = line.strip()
            if not s or s.startswith(";"):
                continue
            m = LOAD_LINE.match(s)
            if not m:
                return None
            files.append(m.group(1))
    return files or None


def load_plan(root, entry, chapters):
    """[(file, fatal_if_it_fails)] to load, relative to root, and a label."""
    has = lambda f: os.path.isfile(os.path.join(root, f))
    if chapters:
        if not has("gclload1.lsp"):
            raise UsageError("--only CHAPTER/ needs gclload1.lsp in %s" % root)
        plan = [("gclload1.lsp", True)]
        for c in chapters:
            f = c.rstrip("/") + "/load.lsp"
            if not has(f):
                raise UsageError("no chapter %s in %s (no %s)" % (c, root, f))
            plan.append((f, False))
        return plan, "gclload1.lsp + " + ", ".join(f for f, _ in plan[1:])
    if entry == "auto":
        entry = "init" if has("init.lsp") else "gclload"
    if entry == "init":
        if not has("init.lsp"):
            raise UsageError("no init.lsp in %s" % root)
        return [("init.lsp", True)], "init.lsp"
    if not (has("gclload1.lsp") and has("gclload2.lsp")):
        raise UsageError("no gclload1.lsp/gclload2.lsp in %s" % root)
    files = plain_loads(os.path.join(root, "gclload2.lsp"))
    if files is None:
        return [("gclload1.lsp", True), ("gclload2.lsp", False)], "gclload1.lsp + gclload2.lsp"
    return ([("gclload1.lsp", True)] + [(f, False) for f in files],
            "gclload1.lsp + gclload2.lsp (%d files)" % len(files))


def name_globs(patterns):
    """--only patterns on test names -> case-insensitive globs.  A pattern
    without * ? is a test name or a name prefix up to a dot: `car` selects
    CAR, CAR.1, CAR.ERROR.1 but not CADR.1."""
    globs = []
    for p in patterns:
        if any(ch in p for ch in "*?"):
            globs.append(p)
        else:
            globs += [p, p + ".*"]
    return globs


# --------------------------------------------------------------------------
# The driver: one form, read before any of the suite is loaded, so it names
# RT's symbols only through FIND-SYMBOL.  Result lines start with MARK.  It
# is passed with --eval/-x rather than loaded from a file, so *LOAD-PATHNAME*
# is NIL while the tests run (LOAD-PATHNAME.1 and LOAD-TRUENAME.1 expect
# that).  RT's entries (after a dummy head cell in *ENTRIES*) are structures
# or lists depending on the RT version; RT::NAME reads the name of either.
# Steps whose second element is T are fatal when their LOAD fails; a failing
# chapter is reported and skipped.

DRIVER = r"""
(let ((hook-root %(root)s)
      (hook-plan '%(plan)s)
      (hook-globs '%(globs)s)
      (hook-rt nil))
  (labels ((hook-say (fmt &rest args)
             (fresh-line)
             (apply #'format t fmt args)
             (terpri)
             (finish-output))
           (hook-text (x)
             (or (ignore-errors (princ-to-string x)) "#<unprintable>"))
           (hook-name (n)
             (if (symbolp n) (symbol-name n) (hook-text n)))
           (hook-glob (p s i j)
             (cond ((= i (length p)) (= j (length s)))
                   ((char= (char p i) #\*)
                    (or (hook-glob p s (+ i 1) j)
                        (and (< j (length s)) (hook-glob p s i (+ j 1)))))
                   ((>= j (length s)) nil)
                   ((or (char= (char p i) #\?) (char-equal (char p i) (char s j)))
                    (hook-glob p s (+ i 1) (+ j 1)))
                   (t nil)))
           (hook-rt-fn (name)
             (let ((s (and hook-rt (find-symbol name hook-rt))))
               (and s (fboundp s) (not (macro-function s)) s)))
           (hook-rt-var (name)
             (let ((s (and hook-rt (find-symbol name hook-rt))))
               (and s (boundp s) s))))
    (ignore-errors (setq *default-pathname-defaults* (pathname hook-root)))
    %(clean)s
    (dolist (step hook-plan)
      (hook-say "%(mark)sLOAD ~A" (car step))
      (handler-case (load (car step))
        (error (c)
          (hook-say "%(mark)sLOAD-ERROR ~A: ~A" (car step) (hook-text c))
          (when (cadr step) (return)))))
    (setq hook-rt (find-package "REGRESSION-TEST"))
    (cond
      ((not (hook-rt-fn "DO-TESTS"))
       (hook-say "%(mark)sFATAL the RT package (REGRESSION-TEST:DO-TESTS) was not loaded"))
      (t
       (when hook-globs
         (let ((entries (hook-rt-var "*ENTRIES*"))
               (name-fn (hook-rt-fn "NAME"))
               (names nil))
           (when entries
             (dolist (e (cdr (symbol-value entries)))
               (push (if name-fn (funcall name-fn e) (cadr e)) names)))
           (dolist (n names)
             (let ((s (hook-name n)))
               (unless (dolist (g hook-globs nil)
                         (when (hook-glob g s 0 0) (return t)))
                 (funcall (hook-rt-fn "REM-TEST") n))))))
       %(compile)s
       %(sandbox)s
       (setq *package* (or (find-package "CL-TEST") *package*))
       (hook-say "%(mark)sRUN")
       (funcall (hook-rt-fn "DO-TESTS"))
       (let ((passed (hook-rt-var "*PASSED-TESTS*"))
             (failed (hook-rt-var "*FAILED-TESTS*")))
         (when (and passed failed)
           (hook-say "%(mark)sRESULT ~D ~D"
                     (length (symbol-value passed)) (length (symbol-value failed)))
           (dolist (n (symbol-value failed))
             (hook-say "%(mark)sFAIL ~A" (hook-name n)))))
       (hook-say "%(mark)sDONE"))))
  (values))
"""

# Delete this Lisp's compiled files left in the checkout, as doit.lsp does:
# ECL and CLISP both use .fas, and a stale or foreign one breaks loading.
CLEAN = r"""(ignore-errors
      (let ((type (pathname-type (compile-file-pathname "doit.lsp"))))
        (when (and (stringp type) (not (string-equal type "lsp")))
          (dolist (d '(nil (:relative :wild) (:relative "printer" "format")))
            (dolist (f (directory (make-pathname :directory d :name :wild :type type)))
              (ignore-errors (delete-file f)))))))"""


def driver_form(root, plan, globs, compile_tests, clean):
    sandbox = os.path.join(root, "sandbox")
    return DRIVER % {
        "root": lisp_string(dir_name(root)),
        "plan": "(%s)" % " ".join("(%s %s)" % (lisp_string(f), "t" if fatal else "nil")
                                   for f, fatal in plan),
        "globs": "(%s)" % " ".join(lisp_string(g) for g in globs),
        "clean": CLEAN if clean else "",
        "compile": ('(setf (symbol-value (find-symbol "*COMPILE-TESTS*" hook-rt)) t)'
                    if compile_tests else ""),
        "sandbox": ("(ignore-errors (setq *default-pathname-defaults* (pathname %s)))"
                    % lisp_string(dir_name(sandbox)) if os.path.isdir(sandbox) else ""),
        "mark": MARK,
    }


def command(impl, binary, form, extra):
    if impl == "petrel":
        return [binary] + extra + ["--non-interactive", "--eval", form]
    if impl == "sbcl":
        return [binary, "--noinform"] + extra + ["--non-interactive", "--no-sysinit",
                                                 "--no-userinit", "--eval", form]
    if impl == "ecl":
        return [binary, "--norc"] + extra + ["--eval", form, "--eval", "(ext:quit 0)"]
    if impl == "clisp":
        return [binary, "-norc", "-q", "-ansi", "-on-error", "exit"] + extra + ["-x", form]
    raise UsageError("unknown Lisp: %s" % impl)


# --------------------------------------------------------------------------
# Running

def run(argv, cwd, timeout, echo, log):
    """Run argv; return (output text, returncode or None, timed_out)."""
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, env=env)
    chunks = []

    def reader():
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace")
            chunks.append(line)
            if log:
                log.write(line)
            if echo:
                sys.stderr.write(line)
                sys.stderr.flush()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.wait()
    t.join(5)
    return "".join(chunks), (None if timed_out else proc.returncode), timed_out


# --------------------------------------------------------------------------
# Parsing RT's output

class Result:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []      # names, in order
        self.complete = False   # a summary was seen
        self.source = "none"    # where the counts came from
        self.load_errors = []   # "file: condition"
        self.fatal = None


NEW_SUMMARY = re.compile(r"^(\d+) failures? with (\d+) unexpected failures? and (\d+) "
                         r"unexpected success(?:es)? out of (\d+) tests?\.", re.M)
OLD_SUMMARY = re.compile(r"^(\d+) out of (\d+) total tests failed", re.M)
NO_FAILED = re.compile(r"^No tests failed\.", re.M)
DOING = re.compile(r"^Doing (\d+) pending tests? of (\d+) tests? total\.", re.M)
FAILED_LINE = re.compile(r"^Test (.+) failed\s*$", re.M)
PASS_TOKEN = re.compile(r"""^[^\s()"';`|,]+$""")


def clean_name(name):
    name = name.strip()
    for prefix in ("CL-TEST::", "CL-TEST:"):
        if name.upper().startswith(prefix):
            return name[len(prefix):]
    return name


def _failed_lines(text):
    return [clean_name(m.group(1)) for m in FAILED_LINE.finditer(text)]


def _count_passes(text):
    """Best effort, for a run cut short: RT prints each passing test's name
    after a single space, on lines that start with one space."""
    m = DOING.search(text)
    if not m:
        return 0
    n = 0
    for line in text[m.end():].splitlines():
        if line.startswith(" ") and not line.startswith("  "):
            toks = line.split()
            if toks and all(PASS_TOKEN.match(t) for t in toks):
                n += len(toks)
    return n


def _new_summary_names(text, start):
    """Names under `Failures:` after a current-RT summary."""
    lines = text[start:].splitlines()
    names, on = [], False
    for line in lines:
        if not on:
            if line.startswith("Failures:"):
                on = True
            elif line.startswith("No failures"):
                return names
            continue
        if line.startswith("  ") and line.strip():
            names.append(clean_name(line))
        else:
            break
    return names


def _old_summary_names(text, start):
    """Names in `(A\\nB\\nC)` after an older-RT summary."""
    rest = text[start:]
    i = rest.find("(")
    j = rest.find(")", i + 1)
    if i < 0 or j < 0:
        return []
    return [clean_name(t) for t in rest[i + 1:j].split() if t.strip()]


def parse(text):
    r = Result()
    for m in re.finditer(r"^%sLOAD-ERROR (.*)$" % MARK, text, re.M):
        r.load_errors.append(m.group(1))
    m = re.search(r"^%sFATAL (.*)$" % MARK, text, re.M)
    if m:
        r.fatal = m.group(1)

    m = re.search(r"^%sRESULT (\d+) (\d+)\s*$" % MARK, text, re.M)
    if m:
        r.passed, r.failed = int(m.group(1)), int(m.group(2))
        r.failures = [clean_name(x) for x in re.findall(r"^%sFAIL (.*)$" % MARK, text, re.M)]
        r.complete, r.source = True, "RT's *PASSED-TESTS*/*FAILED-TESTS*"
        return r

    m = NEW_SUMMARY.search(text)
    if m:
        r.failed, total = int(m.group(1)), int(m.group(4))
        r.passed = max(total - r.failed, 0)
        r.failures = _new_summary_names(text, m.end()) or _failed_lines(text)
        r.complete, r.source = True, "RT's summary"
        return r
    m = OLD_SUMMARY.search(text)
    if m:
        r.failed, total = int(m.group(1)), int(m.group(2))
        r.passed = max(total - r.failed, 0)
        r.failures = _old_summary_names(text, m.end()) or _failed_lines(text)
        r.complete, r.source = True, "RT's summary"
        return r
    if NO_FAILED.search(text):
        d = DOING.search(text)
        r.passed = int(d.group(1)) if d else _count_passes(text)
        r.complete, r.source = True, "RT's summary"
        return r

    r.failures = _failed_lines(text)
    r.failed = len(r.failures)
    r.passed = _count_passes(text)
    r.source = "partial output (Test ... failed lines, passing-test lines)"
    return r


# --------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="ansi-test.py",
        description="Run Paul Dietz's ansi-test suite from an existing checkout on a "
                    "Lisp and print `N passed, M failed`.",
        epilog="Exit status: 0 run completed, 1 crash/timeout before RT's summary, "
               "2 usage error or missing directory/binary.")
    ap.add_argument("--lisp", required=True, choices=IMPLS)
    ap.add_argument("--petrel", metavar="PATH",
                    help="petrel binary (default $PETREL_BIN, then build/petrel)")
    ap.add_argument("--binary", metavar="PATH", help="binary for --lisp (default: on PATH)")
    ap.add_argument("--timeout", type=float, default=3600.0, metavar="SECONDS",
                    help="wall-clock limit for the whole run (default 3600)")
    ap.add_argument("--only", action="append", default=[], metavar="PATTERN",
                    help="run a subset: CHAPTER/ (trailing slash: load only that "
                         "directory's load.lsp, e.g. cons/), or test names: a glob "
                         "with * and ? (case-insensitive, e.g. 'format.~a.*'), or a "
                         "name/prefix (car = CAR and CAR.*); repeatable, commas allowed")
    ap.add_argument("--entry", choices=("auto", "init", "gclload"), default="auto",
                    help="how to load the whole suite: init.lsp or gclload1.lsp + "
                         "gclload2.lsp (default: init.lsp when present)")
    ap.add_argument("--compile", action="store_true",
                    help="set RT:*COMPILE-TESTS* (compile each test before running it)")
    ap.add_argument("--no-clean", action="store_true",
                    help="keep this Lisp's compiled files in the checkout (by default "
                         "they are deleted first, as doit.lsp does)")
    ap.add_argument("--extra", action="append", default=[], metavar="ARG",
                    help="extra argument for the Lisp, before the driver "
                         "(repeatable; e.g. --extra=--dynamic-space-size --extra=4096)")
    ap.add_argument("--failures-file", metavar="PATH",
                    help="write the failing test names there, one per line")
    ap.add_argument("--log", metavar="PATH", help="write the Lisp's whole output there")
    ap.add_argument("--max-list", type=int, default=200, metavar="N",
                    help="list at most N failing tests on the terminal (default 200)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="echo the Lisp's output to stderr as it runs")
    ap.add_argument("ansi_test_dir", metavar="ANSI_TEST_DIR")
    args = ap.parse_args(argv)

    try:
        if args.timeout <= 0:
            raise UsageError("--timeout must be positive")
        root = find_root(args.ansi_test_dir)
        patterns = [p.strip() for o in args.only for p in o.split(",") if p.strip()]
        chapters = [p for p in patterns if p.endswith("/")]
        globs = name_globs([p for p in patterns if not p.endswith("/")])
        plan, label = load_plan(root, args.entry, chapters)
        binary = find_binary(args.lisp, args)
    except UsageError as e:
        print("ansi-test.py: error: %s" % e, file=sys.stderr)
        return 2

    form = driver_form(root, plan, globs, args.compile, not args.no_clean)
    argv_ = command(args.lisp, binary, form, args.extra)
    log = open(args.log, "w", encoding="utf-8") if args.log else None
    t0 = time.monotonic()
    try:
        text, rc, timed_out = run(argv_, root, args.timeout, args.verbose, log)
    finally:
        if log:
            log.close()
    secs = time.monotonic() - t0
    r = parse(text)

    print("ansi-test: %s (%s) on %s, loading %s%s; %.1f s" % (
        args.lisp, binary, root, label,
        "; only " + ", ".join(patterns) if patterns else "", secs))
    for e in r.load_errors:
        print("load error: %s" % e)
    if r.failures:
        shown = r.failures[:max(args.max_list, 0)]
        print("failing tests (%d):" % len(r.failures))
        for n in shown:
            print("  " + n)
        if len(shown) < len(r.failures):
            print("  ... and %d more%s" % (len(r.failures) - len(shown),
                  " (see %s)" % args.failures_file if args.failures_file
                  else " (use --failures-file for the full list)"))
    if args.failures_file:
        with open(args.failures_file, "w", encoding="utf-8") as fh:
            fh.writelines(n + "\n" for n in r.failures)

    status = 0
    if not r.complete:
        status = 1
        if timed_out:
            why = "timed out after %g s" % args.timeout
        elif r.fatal:
            why = r.fatal
        else:
            why = "the Lisp exited with status %s" % rc
        print("run incomplete (%s): no RT summary; counts are from the partial "
              "output" % why)
        tail = [l for l in text.splitlines() if l.strip()][-8:]
        if tail:
            print("last output:\n  " + "\n  ".join(tail), file=sys.stderr)
    print("%d passed, %d failed" % (r.passed, r.failed))
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main())
