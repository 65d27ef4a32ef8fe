#!/usr/bin/python3
"""bench/ratios.py — table of median times and petrel/clisp (and petrel/ecl,
petrel/sbcl, when ECL or SBCL ran) ratios from
hyperfine --export-json files (one per benchmark, named BENCH.json).

    /usr/bin/python3 bench/ratios.py bench/results/fib.json bench/results/tak.json
    /usr/bin/python3 bench/ratios.py --cpu bench/results/*.json

A ratio below 1 means Petrel is faster than compiled CLISP on that benchmark.
With --cpu the table uses mean CPU time (user + system) instead of median wall
time: on a loaded machine a process waiting for a core counts in wall time
but not in CPU time (a collector or runtime with several threads counts all
of them, though).
"""
import json
import math
import os
import sys


def medians(path, cpu=False):
    """Command name -> median wall time in seconds (or mean user + system
    time with cpu), from one hyperfine export."""
    with open(path) as f:
        data = json.load(f)
    if cpu:
        return {r["command"]: r["user"] + r["system"] for r in data["results"]}
    return {r["command"]: r["median"] for r in data["results"]}


def main(args):
    cpu = "--cpu" in args
    paths = [a for a in args if a != "--cpu"]
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = []
    impls = []
    for path in paths:
        name = os.path.splitext(os.path.basename(path))[0]
        m = medians(path, cpu)
        for impl in m:
            if impl not in impls:
                impls.append(impl)
        rows.append((name, m))
    # petrel/clisp always; petrel/ecl and petrel/sbcl when some benchmark ran them too.
    peers = ["clisp"] + [p for p in ("ecl", "sbcl") if p in impls]
    header = ["benchmark"] + [f"{i} (s)" for i in impls] + [f"petrel/{p}" for p in peers]
    table = []
    ratios = {p: [] for p in peers}
    for name, m in rows:
        line = [name] + [f"{m[i]:.3f}" if i in m else "-" for i in impls]
        for p in peers:
            if "petrel" in m and p in m and m[p] > 0:
                r = m["petrel"] / m[p]
                ratios[p].append(r)
                line.append(f"{r:.2f}")
            else:
                line.append("-")
        table.append(line)
    if any(len(r) > 1 for r in ratios.values()):
        geo = [f"{math.exp(sum(math.log(x) for x in ratios[p]) / len(ratios[p])):.2f}" if ratios[p] else "-"
               for p in peers]
        table.append(["geomean"] + [""] * len(impls) + geo)
    widths = [max(len(str(c)) for c in col) for col in zip(header, *table)]
    fmt = lambda cells: "  ".join(str(c).ljust(w) if k == 0 else str(c).rjust(w)
                                  for k, (c, w) in enumerate(zip(cells, widths)))
    print()
    what = "mean CPU time, user + system" if cpu else "median wall time"
    print(f"{what} (hyperfine); ratio < 1: Petrel faster than compiled CLISP")
    print(fmt(header))
    print(fmt(["-" * w for w in widths]))
    for line in table:
        print(fmt(line))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
