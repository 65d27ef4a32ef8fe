#!/usr/bin/python3
"""bench/gc-pacing.py — what the pacing target costs and buys (issue 6).

PETREL_GC_TARGET_PERCENT sets how much a program may allocate between
collections, as a percentage of the live heap: a low target keeps RSS close
to the live set and runs more cycles.  This runs the soak workload
(stress/soak/churn.lisp: a flat live set of about LIVE-MB megabytes, churned
with mixed objects) for SECONDS at each target, in interleaved rounds so
that the machine's drift hits every target alike, and prints medians:

  iter/s     the workload's iterations per second (mutator throughput)
  vs first   that throughput relative to the first target listed
  cpu s      user + system CPU of the process (the mark workers included)
  gcs        collections in the run
  rss/live   the largest RSS / live bytes after warm-up (the soak's figure)
  heap/live  the same for the heap's pages in use

    bench/gc-pacing.py [--targets 100,50,40,30] [--seconds 15] [--rounds 3]
                       [--live-mb 128] [--petrel build/petrel]

Progress goes to stderr, the table to stdout.  Machines here are shared:
read the ratios, not the absolute figures."""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHURN = ROOT / "stress" / "soak" / "churn.lisp"
WARMUP_S = 10.0  # the soak's minimum warm-up (stress/soak/soak.py)


def parse_fields(line):
    return dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)


def run_once(petrel, target, seconds, live_mb):
    env = dict(os.environ, PETREL_GC_TARGET_PERCENT=str(target))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    proc = subprocess.run([petrel, "--script", str(CHURN), str(seconds), "1", str(live_mb)],
                          env=env, capture_output=True, text=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"gc-pacing: target {target}: petrel exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    samples, done = [], None
    for line in proc.stdout.splitlines():
        if line.startswith("sample "):
            samples.append(parse_fields(line))
        elif line.startswith("done "):
            done = parse_fields(line)
    if not done:
        sys.exit(f"gc-pacing: target {target}: no 'done' line in the output")
    steady = [s for s in samples if float(s["t"]) >= WARMUP_S and int(s["live"]) > 0]
    if not steady:
        sys.exit(f"gc-pacing: target {target}: no samples after {WARMUP_S:.0f} s; run longer")
    return {
        "iter_per_s": int(done["iterations"]) / float(done["t"]),
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "wall_s": wall,
        "gcs": int(samples[-1]["gcs"]),
        "rss_per_live": max(int(s["rss"]) / int(s["live"]) for s in steady),
        "heap_per_live": max(int(s["heap"]) / int(s["live"]) for s in steady),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--targets", default="100,50,40,30")
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--live-mb", type=int, default=128)
    ap.add_argument("--petrel", default=os.environ.get("PETREL_BIN", str(ROOT / "build" / "petrel")))
    args = ap.parse_args()
    if args.seconds <= WARMUP_S:
        ap.error(f"--seconds must exceed the {WARMUP_S:.0f} s warm-up")
    targets = [int(t) for t in args.targets.split(",")]
    results = {t: [] for t in targets}
    for r in range(args.rounds):
        for t in targets:
            print(f"gc-pacing: round {r + 1}/{args.rounds}, target {t}% ({args.seconds} s)",
                  file=sys.stderr, flush=True)
            results[t].append(run_once(args.petrel, t, args.seconds, args.live_mb))
    med = {t: {k: statistics.median(run[k] for run in runs) for k in runs[0]}
           for t, runs in results.items()}
    base = med[targets[0]]["iter_per_s"]
    print(f"churn.lisp, {args.live_mb} MB estimated live, {args.seconds} s, "
          f"medians of {args.rounds} rounds")
    print(f"{'target':>6} {'iter/s':>8} {'vs first':>8} {'cpu s':>6} {'gcs':>5} "
          f"{'rss/live':>8} {'heap/live':>9}")
    for t in targets:
        m = med[t]
        print(f"{t:>5}% {m['iter_per_s']:8.0f} {m['iter_per_s'] / base:8.2f} {m['cpu_s']:6.1f} "
              f"{m['gcs']:5.0f} {m['rss_per_live']:8.2f} {m['heap_per_live']:9.2f}")


if __name__ == "__main__":
    main()
