#!/usr/bin/python3
"""Coverage meter: how many of the 978 external symbols of COMMON-LISP
(cl-symbols.txt, generated once with SBCL's DO-EXTERNAL-SYMBOLS) are
exercised by at least one test, per CLHS chapter.

A symbol counts for a chapter when it appears in a test's :symbols option or
anywhere in the text of a test file of that chapter (the forms are scanned
token by token; strings and comments are skipped).

    /usr/bin/python3 conformance/coverage.py            # table
    /usr/bin/python3 conformance/coverage.py --missing  # also list uncovered symbols
"""

import os
import re
import sys

import run

HERE = os.path.dirname(os.path.abspath(__file__))


def cl_symbols():
    with open(os.path.join(HERE, "cl-symbols.txt")) as fh:
        return [l.strip() for l in fh if l.strip()]


TOKEN = re.compile(r"[^\s()'`,\"#;|]+")


def strip_strings_and_comments(text):
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == ";":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append(" ")
        elif c == "#" and i + 1 < n and text[i + 1] == "\\":
            out.append(" ")
            i += 3
        else:
            out.append(c)
            i += 1
    return "".join(out)


def tokens_of_file(path):
    with open(path, encoding="utf-8") as fh:
        text = strip_strings_and_comments(fh.read())
    toks = set()
    for t in TOKEN.findall(text):
        t = t.upper()
        if t.startswith("CL:") or t.startswith("COMMON-LISP:"):
            t = t.split(":")[-1]
        toks.add(t)
    return toks


def coverage():
    """{chapter: set of CL symbols exercised}."""
    syms = set(cl_symbols())
    per = {}
    for c in run.CHAPTERS:
        s = set()
        for f in run.chapter_files(c):
            s |= tokens_of_file(f) & syms
        per[c] = s
    return per


def main(argv):
    syms = cl_symbols()
    per = coverage()
    allc = set().union(*per.values()) if per else set()
    print("| chapter | title | tests | CL symbols exercised |")
    print("|---|---|---:|---:|")
    for c in sorted(run.CHAPTERS, key=int):
        print("| %s | %s | %d | %d |" % (c, run.CHAPTERS[c], len(run.chapter_tests(c)), len(per[c])))
    total = sum(len(run.chapter_tests(c)) for c in run.CHAPTERS)
    print("| all | | %d | **%d of %d** |" % (total, len(allc), len(syms)))
    if "--missing" in argv:
        miss = [s for s in syms if s not in allc]
        print("\nNot exercised (%d):" % len(miss))
        print(" ".join(miss))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
