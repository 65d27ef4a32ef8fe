#!/usr/bin/python3
"""Run the Petrel conformance suite on one or more Common Lisp implementations.

    /usr/bin/python3 conformance/run.py                       # all Lisps, all chapters
    /usr/bin/python3 conformance/run.py -i sbcl -c 14 -c 12    # some of them
    /usr/bin/python3 conformance/run.py -i petrel --failures   # list what failed
    /usr/bin/python3 conformance/run.py --json out.json        # for report.py

One adapter per implementation (ADAPTERS) knows how to start it
non-interactively on a driver file that loads harness/harness.lisp and the
chapter's test files.  Each run of one chapter on one implementation has a
wall-clock deadline (--timeout) and an inactivity limit (--idle): a Lisp that
dies or hangs is restarted with the tests already reported (and the one that
killed it) skipped; the culprit is reported as "crash", and whatever is still
unreported when the deadline or the restart budget runs out is "crash" too.

Petrel's binary comes from $PETREL_BIN (default: build/petrel beside the
source tree).
"""

import argparse
import concurrent.futures
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "harness", "harness.lisp")
TESTS = os.path.join(HERE, "tests")

CHAPTERS = {
    "3": "Evaluation and Compilation",
    "4": "Types and Classes",
    "5": "Data and Control Flow",
    "6": "Iteration",
    "7": "Objects",
    "8": "Structures",
    "9": "Conditions",
    "10": "Symbols",
    "11": "Packages",
    "12": "Numbers",
    "13": "Characters",
    "14": "Conses",
    "15": "Arrays",
    "16": "Strings",
    "17": "Sequences",
    "18": "Hash Tables",
    "19": "Filenames",
    "20": "Files",
    "21": "Streams",
    "22": "Printer",
    "23": "Reader",
    "24": "System Construction",
    "25": "Environment",
}
IMPLS = ["petrel", "sbcl", "ecl", "clisp"]
HANG_LIMIT = 2      # hangs per file before the rest of the file is abandoned


def petrel_binary():
    env = os.environ.get("PETREL_BIN")
    if env:
        return env if os.access(env, os.X_OK) else None
    for cand in (os.path.join(os.path.dirname(HERE), "build", "petrel"),):
        if os.access(cand, os.X_OK):
            return cand
    return None


def _which(name):
    return shutil.which(name) or (os.access("/usr/bin/" + name, os.X_OK)
                                  and "/usr/bin/" + name) or None


# Each adapter: (function returning the binary path or None, argv builder).
ADAPTERS = {
    "petrel": (petrel_binary, lambda b, f: [b, "--script", f]),
    "sbcl": (lambda: _which("sbcl"), lambda b, f: [b, "--script", f]),
    "ecl": (lambda: _which("ecl"), lambda b, f: [b, "--norc", "--shell", f]),
    "clisp": (lambda: _which("clisp"), lambda b, f: [b, "-q", "-norc", f]),
}


def binary(impl):
    return ADAPTERS[impl][0]()


def chapter_files(chapter):
    d = os.path.join(TESTS, chapter)
    if not os.path.isdir(d):
        return []
    return [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".lisp")]


DEFTEST_RE = re.compile(r"^\s*\(deftest\s+([^\s()]+)", re.M | re.I)


def static_tests(path):
    """Names of the tests in a file, in order, as the harness prints them."""
    with open(path, encoding="utf-8") as fh:
        return [m.group(1).upper() for m in DEFTEST_RE.finditer(fh.read())]


def chapter_tests(chapter):
    """[(name, file)] for a chapter, in run order."""
    out = []
    for f in chapter_files(chapter):
        out.extend((n, f) for n in static_tests(f))
    return out


def lisp_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_driver(files, skip, tmpdir):
    fd, path = tempfile.mkstemp(prefix="cf-driver-", suffix=".lisp")
    with os.fdopen(fd, "w") as fh:
        fh.write("(load %s)\n" % lisp_string(HARNESS))
        fh.write("(setq *cf-tmpdir* %s)\n" % lisp_string(tmpdir.rstrip("/") + "/"))
        if skip:
            fh.write("(setq *cf-skip* '(%s))\n" % " ".join(lisp_string(s) for s in sorted(skip)))
        fh.write("(cf-run-files '(%s))\n" % " ".join(lisp_string(f) for f in files))
        fh.write("(cf-done)\n")
    return path


def _reader(stream, q):
    for line in iter(stream.readline, b""):
        q.put(line)
    q.put(None)


def run_once(argv, deadline, idle):
    """Run argv; return (lines, finished_normally, why).  Kills the process
    group on deadline or when no line came for `idle` seconds."""
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
    errf = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=errf, start_new_session=True, env=env)
    q = queue.Queue()
    t = threading.Thread(target=_reader, args=(proc.stdout, q), daemon=True)
    t.start()
    lines, why = [], None
    while True:
        wait = min(idle, deadline - time.monotonic())
        if wait <= 0:
            why = "deadline"
            break
        try:
            item = q.get(timeout=wait)
        except queue.Empty:
            why = "no output for %ds" % idle if deadline - time.monotonic() > 0 else "deadline"
            break
        if item is None:
            break
        lines.append(item.decode("utf-8", "replace").rstrip("\r\n"))
    if why:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    errf.seek(0)
    err = errf.read().decode("utf-8", "replace")
    errf.close()
    if why is None and proc.returncode not in (0, None):
        why = "exit status %s" % proc.returncode
    return lines, why, err


def _last_words(err):
    tail = [l.strip() for l in err.strip().splitlines() if l.strip()]
    return (" | ".join(tail[-3:]))[:300].replace("\t", " ")


def run_chapter(impl, chapter, timeout=240.0, idle=10.0, max_restarts=25):
    """Run one chapter on one implementation.
    Returns {name: {status, got, expected, section, file}} for every test of
    the chapter."""
    bin_ = binary(impl)
    tests = chapter_tests(chapter)
    files = chapter_files(chapter)
    results = {}
    if not tests:
        return results
    order = [n for n, _ in tests]
    file_of = dict(tests)
    deadline = time.monotonic() + timeout
    skip = set()
    file_errors = {}
    restarts = 0
    hangs = {}
    while True:
        tmpdir = tempfile.mkdtemp(prefix="cf-%s-%s-" % (impl, chapter))
        driver = write_driver(files, skip, tmpdir)
        try:
            lines, why, err = run_once(ADAPTERS[impl][1](bin_, driver), deadline, idle)
        finally:
            os.unlink(driver)
            shutil.rmtree(tmpdir, ignore_errors=True)
        done = False
        current_file = None
        for line in lines:
            f = line.split("\t")
            if f[0] == "RESULT" and len(f) >= 6:
                results[f[1]] = {"status": f[2], "got": f[3], "expected": f[4],
                                 "section": f[5], "file": file_of.get(f[1], "")}
            elif f[0] == "FILE" and len(f) >= 2:
                current_file = f[1]
            elif f[0] == "ENDFILE":
                current_file = None
            elif f[0] == "FILEERROR" and len(f) >= 3:
                file_errors[f[1]] = f[2]
            elif f[0] == "DONE":
                done = True
        if done:
            break
        # The Lisp died or hung: blame the first unreported test of the file
        # it was in (or of the whole chapter), skip it and restart.
        pending = [n for n in order if n not in results and n not in skip]
        if not pending:
            break
        culprit = next((n for n in pending if file_of[n] == current_file), pending[0])
        cfile = file_of[culprit]
        results[culprit] = {"status": "crash", "got": (why or "died") + ": " + _last_words(err),
                            "expected": "", "section": "", "file": cfile}
        # A Lisp that hangs costs `idle` seconds per test: after HANG_LIMIT
        # hangs in one file, give up on the rest of that file.
        if why and (why.startswith("no output") or why == "deadline"):
            hangs[cfile] = hangs.get(cfile, 0) + 1
            if hangs[cfile] >= HANG_LIMIT:
                for n in pending:
                    if file_of[n] == cfile and n not in results:
                        results[n] = {"status": "crash",
                                      "got": "not run: file abandoned after %d hangs" % HANG_LIMIT,
                                      "expected": "", "section": "", "file": cfile}
        skip = set(results)
        restarts += 1
        if restarts > max_restarts or time.monotonic() >= deadline:
            break
    for n in order:
        if n not in results:
            f = file_of[n]
            why = ("file aborted: " + file_errors[f]) if f in file_errors else "not reached"
            results[n] = {"status": "crash", "got": why[:300], "expected": "",
                          "section": "", "file": f}
    return results


def available(impls):
    return [i for i in impls if binary(i)]


def run_matrix(impls, chapters, jobs=None, timeout=240.0, idle=10.0, progress=None):
    """{impl: {chapter: results}} running (impl, chapter) pairs in parallel."""
    jobs = jobs or os.cpu_count() or 2
    out = {i: {} for i in impls}
    pairs = [(i, c) for i in impls for c in chapters]
    # Longest chapters first keeps the pool busy.
    pairs.sort(key=lambda p: -len(chapter_tests(p[1])))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = {pool.submit(run_chapter, i, c, timeout, idle): (i, c) for i, c in pairs}
        for fut in concurrent.futures.as_completed(futs):
            i, c = futs[fut]
            out[i][c] = fut.result()
            if progress:
                progress(i, c, out[i][c])
    return out


def summarize(res):
    n = len(res)
    p = sum(1 for r in res.values() if r["status"] == "pass")
    return p, n


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-i", "--impl", action="append", choices=IMPLS)
    ap.add_argument("-c", "--chapter", action="append", choices=sorted(CHAPTERS, key=int))
    ap.add_argument("-j", "--jobs", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds per chapter run")
    ap.add_argument("--idle", type=float, default=10.0, help="seconds without output = hung")
    ap.add_argument("--json", help="write all results to this file")
    ap.add_argument("--failures", action="store_true", help="print every non-passing test")
    args = ap.parse_args(argv)
    impls = args.impl or IMPLS
    missing = [i for i in impls if not binary(i)]
    for i in missing:
        print("skipping %s: binary not found" % i, file=sys.stderr)
    impls = [i for i in impls if i not in missing]
    chapters = args.chapter or sorted(CHAPTERS, key=int)

    def progress(i, c, res):
        p, n = summarize(res)
        print("%-7s ch %-3s %4d/%-4d" % (i, c, p, n), file=sys.stderr, flush=True)

    t0 = time.monotonic()
    matrix = run_matrix(impls, chapters, args.jobs, args.timeout, args.idle, progress)
    print("chapter " + "".join("%14s" % i for i in impls))
    totals = {i: [0, 0] for i in impls}
    for c in chapters:
        row = "%-8s" % c
        for i in impls:
            p, n = summarize(matrix[i][c])
            totals[i][0] += p
            totals[i][1] += n
            row += "%14s" % ("%d/%d" % (p, n))
        print(row)
    print("total   " + "".join("%14s" % ("%d/%d" % tuple(totals[i])) for i in impls))
    print("(%.1fs)" % (time.monotonic() - t0), file=sys.stderr)
    if args.failures:
        for i in impls:
            for c in chapters:
                for name, r in matrix[i][c].items():
                    if r["status"] != "pass":
                        print("%s\t%s\t%s\t%s\tgot %s\texpected %s" % (
                            i, c, name, r["status"], r["got"], r["expected"]))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(matrix, fh, indent=0, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
