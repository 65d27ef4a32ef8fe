#!/usr/bin/python3
"""Expected-failure lists: conformance/expected/<impl>.txt.

Format: one entry per line, `TEST-NAME  one-line reason`; `#` starts a
comment line.  Every entry needs a reason.  pytest fails when a listed test
passes (the list must stay true) and when an unlisted test does not pass.

    /usr/bin/python3 conformance/expected.py petrel     # regenerate petrel.txt

Regenerating runs the implementation and rewrites the file: entries that
still fail keep the reason written by hand; new failures get a reason
derived from what happened (for Petrel, the kernel feature that is missing)
which should be reviewed; entries that now pass are dropped.
"""

import os
import re
import sys

import run

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected")

# Which Petrel issue brings what a chapter needs (see `issues list`).
PETREL_ISSUE = {
    "3": "issue 4", "4": "issue 4", "5": "issue 4", "6": "issue 8", "7": "no CLOS yet",
    "8": "issue 4", "9": "issue 4", "10": "issue 4", "11": "issue 4", "12": "issue 8",
    "13": "issue 8", "14": "issue 8", "15": "issue 8", "16": "issue 8", "17": "issue 8",
    "18": "issue 8", "19": "issue 8", "20": "issue 8", "21": "issue 8", "22": "issue 8",
    "23": "issue 2", "24": "issue 4", "25": "issue 8",
}


def path(impl):
    return os.path.join(EXPECTED, impl + ".txt")


def load(impl):
    """{name: reason} from expected/<impl>.txt (empty when missing)."""
    out = {}
    p = path(impl)
    if not os.path.exists(p):
        return out
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            out[parts[0].upper()] = parts[1].strip() if len(parts) > 1 else ""
    return out


def _short(s, n=90):
    s = s.replace("\\n", " ").replace("\t", " ")
    s = re.sub(r"\s+", " ", s).strip()
    return s if len(s) <= n else s[: n - 3] + "..."


def derive_reason(impl, chapter, r):
    """A one-line reason from a result record (to be reviewed by a human)."""
    got, status = r["got"], r["status"]
    prefix = ""
    if impl == "petrel":
        prefix = "kernel (%s): " % PETREL_ISSUE.get(chapter, "?")
    m = re.search(r"The function (\S+) is undefined", got)
    if m and m.group(1).startswith(("CF8", "MAKE-CF8", "COPY-CF8")):
        return prefix + "DEFSTRUCT not implemented yet (the structure's functions are undefined)"
    if m and m.group(1).startswith("CF7"):
        return prefix + "CLOS not implemented yet (DEFCLASS/DEFGENERIC setup failed)"
    if m and m.group(1).startswith("CF"):
        return prefix + "the setup form defining %s uses an operator not implemented yet" % m.group(1)
    if m:
        return prefix + "%s not implemented yet" % m.group(1)
    if impl == "petrel" and r.get("name", "").startswith(("LOOP.", "LOOP-FINISH")):
        return prefix + "extended LOOP not implemented yet (the kernel's simple LOOP runs forever)"
    m = re.search(r"The variable (\S+) is unbound", got)
    if m:
        return prefix + "variable %s not defined yet" % m.group(1)
    if "bignums are not supported" in got:
        return prefix + "no bignums yet (fixnum overflow signals an error)"
    m = re.search(r"READ error[^:]*: (.*)", got)
    if m:
        return prefix + "reader: " + _short(m.group(1), 70)
    if status == "crash":
        if "abandoned" in got or "no output" in got or "deadline" in got:
            return prefix + "hangs (the operator under test is missing and the form loops)"
        return prefix + "the Lisp process died: " + _short(got, 60)
    if got.startswith("((:NO-ERROR"):
        return prefix + "does not signal the condition the spec requires: " + _short(got, 50)
    if got.startswith("((:WRONG-CONDITION"):
        return prefix + "signals a different condition type than the spec requires: " + _short(got, 50)
    if status == "error":
        return prefix + "unexpected error: " + _short(got, 70)
    op = r.get("name", "").split(".")[0]
    return prefix + "%s gives a wrong result: got %s, expected %s" % (
        op, _short(got, 40), _short(r["expected"], 40))


def old_header(impl):
    """The leading comment block of the existing file (kept on rewrite)."""
    out = []
    if os.path.exists(path(impl)):
        with open(path(impl), encoding="utf-8") as fh:
            for line in fh:
                if not line.startswith("#"):
                    break
                out.append(line.rstrip("\n"))
    return out


def write(impl, matrix_for_impl):
    old = load(impl)
    lines = old_header(impl) or [
        "# Expected failures of the conformance suite on %s." % impl,
        "# Format: TEST-NAME  one-line reason.  Regenerate with expected.py, then review."]
    for chapter in sorted(matrix_for_impl, key=int):
        res = matrix_for_impl[chapter]
        bad = [(n, r) for n, r in res.items() if r["status"] != "pass"]
        if not bad:
            continue
        lines.append("")
        lines.append("# chapter %s, %s: %d of %d" % (chapter, run.CHAPTERS[chapter], len(bad), len(res)))
        order = [n for n, _ in run.chapter_tests(chapter)]
        bad.sort(key=lambda nr: order.index(nr[0]) if nr[0] in order else 0)
        for n, r in bad:
            reason = old.get(n) or derive_reason(impl, chapter, dict(r, name=n))
            lines.append("%-40s %s" % (n, reason))
    os.makedirs(EXPECTED, exist_ok=True)
    with open(path(impl), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def main(argv):
    impls = argv or run.IMPLS
    chapters = sorted(run.CHAPTERS, key=int)
    for impl in impls:
        if not run.binary(impl):
            print("skipping %s: binary not found" % impl, file=sys.stderr)
            continue
        m = run.run_matrix([impl], chapters)
        write(impl, m[impl])
        print("wrote", path(impl))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
