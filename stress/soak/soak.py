#!/usr/bin/python3
"""Soak and fragmentation driver (issue 6 item 6; stress/soak/README.md).

Runs petrel on stress/soak/churn.lisp for SECONDS, reads its per-second
"sample" lines, samples the process's VmRSS from /proc/PID/status every
second as well, writes soak.csv, draws soak.png (when matplotlib is
installed), writes summary.txt and summary.json, shows one progress line
about every 10 s on stderr, and exits 1 with the reasons when the run
fails its checks (judge() below), 2 on a usage error.

    stress/soak/soak.py --seconds 60 --out /tmp/soak
    stress/soak/soak.py --seconds 300 --env PETREL_GC_CONCURRENT=0

Only the standard library is needed; matplotlib is optional.
"""

import argparse
import csv
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# ---- Thresholds (README.md, "Thresholds") ----
# Issue 6: "RSS / live bytes stays below 1.5 for the whole run".  The whole
# run means every sample after warm-up: before the live set is built and
# the collector's pacing has seen it, live bytes (as of the last
# collection) lag far behind RSS and the ratio means nothing.
MAX_RSS_PER_LIVE = 1.5
# Warm-up: the longest of 10 s, the first 20 % of the run, and 2 s after
# the program reports its live set built ("steady").  10 s covers several
# collections at the steady live size even on a short run; 20 % lets the
# heap reach its largest pre-collection size (the RSS plateau) on a long
# one; the 2 s let the first collections after the fill report the real
# live size.
WARMUP_MIN_S = 10.0
WARMUP_FRACTION = 0.2
WARMUP_AFTER_STEADY_S = 2.0
# Issue 6: "fails if RSS keeps growing once the live set is flat" and
# "flat after warm-up".  The post-warm-up samples are cut in thirds, and the
# run fails if the 90th percentile of RSS over the last third exceeds that
# of the first third by more than 5 %.  Equal windows, so that a longer
# window's larger extremes are not taken for growth; a high quantile, not a
# mean or a regression slope, because RSS is either a high-water mark that
# steps up when one cycle lets the heap overshoot (freed pages not returned
# to the OS: a step anywhere after the first third stays visible in the
# last) or a sawtooth following the heap (pages returned), whose peaks are
# what a user pays for; and the 90th percentile rather than the maximum so
# that one random peak of a sawtooth is not growth.  5 % is well above the
# drift of a flat run (about 1 % in 5 minutes) and small enough that a leak
# (which never stops) trips it on a run of a few minutes.  The
# least-squares slope is reported too.
MAX_RSS_GROWTH = 0.05
# The live set is flat by construction (churn.lisp replaces it slot by
# slot), so live bytes growing means the collector retains garbage: also a
# failure.  Medians of the first and last thirds, not maxima: live bytes
# are one number per collection, and one concurrent cycle that ends with
# much floating garbage is a spike (it shows in RSS / live), not a leak.
MAX_LIVE_GROWTH = 0.10
MIN_JUDGED_SAMPLES = 6

# Known failures of the RSS / live target, by collector, for --xfail-known
# (ctest and ci/soak.sh): the run still fails on anything else, and fails
# if the target is met (a stale entry must go, as in conformance/expected).
# Measured on seed 1, 128 MB target, 40-60 s runs (about 165 MB live as the
# stop-the-world collector counts it, 200 MB as the concurrent one does:
# floating garbage and objects allocated during the mark).  The concurrent
# collector (the default, target percent 30) meets the target: RSS / live
# 1.38-1.40 (1.39-1.49 at 35, the first default, in CI on a loaded machine).
KNOWN_RATIO_FAILURES = {
    "stw": "RSS / live 2.1: a collection starts when the bytes allocated since the last "
           "one reach the live bytes (target percent 100), so the heap grows to 2x live "
           "before each; 1.40 at target percent 25 (earlier measurement)",
}
SKIP_EXIT = 77   # ctest SKIP_RETURN_CODE
# --skip-instrumented: the environment variables under which the figures
# would measure the instrumentation (a collection every N allocations, a
# sanitizer's shadow memory, a stop-the-world re-mark after every
# concurrent mark), not the collector.
INSTRUMENTATION_VARS = ("PETREL_GC_TORTURE", "PETREL_SANITIZE", "PETREL_GC_CHECK_BARRIER")

CSV_COLUMNS = ["seconds", "rss_bytes", "heap_bytes", "live_bytes", "free_in_pages",
               "fragmentation", "collections", "max_pause_ms", "estimated_live_bytes"]
KNOWN_PREFIXES = ("soak ", "sample ", "steady ", "done ")


def parse_fields(line):
    """'sample t=1.0 rss=5 ...' -> {'t': '1.0', 'rss': '5', ...}."""
    out = {}
    for word in line.split()[1:]:
        k, sep, v = word.partition("=")
        if sep:
            out[k] = v
    return out


def sample_from_line(line, vm_rss=None):
    """A sample dict from a 'sample' line; rss falls back to vm_rss."""
    f = parse_fields(line)

    def num(key, conv=int, default=-1):
        try:
            return conv(f[key])
        except (KeyError, ValueError):
            return default

    rss = num("rss")
    if rss < 0 and vm_rss is not None:
        rss = vm_rss
    return {
        "seconds": num("t", float, 0.0),
        "phase": f.get("phase", "steady"),
        "rss_bytes": rss,
        "heap_bytes": num("heap"),
        "live_bytes": num("live"),
        "free_in_pages": num("free"),
        "fragmentation": num("frag", float, -1.0),
        "collections": num("gcs"),
        "max_pause_ms": num("pause_max_ns") / 1e6 if num("pause_max_ns") >= 0 else -1.0,
        "estimated_live_bytes": num("est"),
        "pause_total_ms": num("pause_total_ns") / 1e6 if num("pause_total_ns") >= 0 else -1.0,
        "vm_rss_bytes": vm_rss if vm_rss is not None else -1,
    }


def warmup_seconds(duration, steady_at):
    w = max(WARMUP_MIN_S, WARMUP_FRACTION * duration)
    if steady_at is not None:
        w = max(w, steady_at + WARMUP_AFTER_STEADY_S)
    return w


def quantile(xs, q):
    """The nearest-rank q-quantile of xs (0 < q <= 1)."""
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, -(-int(q * 1000) * len(xs) // 1000) - 1))]


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def slope_per_min(xs, ys):
    """Least-squares slope of ys over xs (seconds), per minute."""
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return 0.0
    return 60.0 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def collector_of(env):
    """'concurrent' (the default) or 'stw', from the environment petrel runs with."""
    return "stw" if env.get("PETREL_GC_CONCURRENT", "") == "0" else "concurrent"


def judge(samples, duration, returncode=0, stderr_text="", done=True,
          unexpected=(), steady_at=None, xfail_ratio=None):
    """The verdict on a run: (ok, failures, figures).

    samples: dicts as made by sample_from_line (seconds, rss_bytes,
    live_bytes, heap_bytes, fragmentation, collections, max_pause_ms).
    duration: the requested run length in seconds.  returncode, stderr_text,
    done (the program printed its 'done' line), unexpected (stdout lines
    outside the protocol) describe how the program ended; steady_at is when
    it reported its live set built (None: unknown).  xfail_ratio, when
    given, is the reason the RSS / live target is known to fail: then a
    ratio over the limit is noted in figures["xfail"] instead of failing,
    and a ratio within it fails (the known failure is gone)."""
    failures = []
    if returncode != 0:
        failures.append(f"petrel exited with status {returncode} (crash or error)")
    err_lines = [l for l in stderr_text.splitlines()
                 if l.strip() and not l.startswith("petrel: gc ")]
    if err_lines:
        failures.append("petrel printed on stderr: " + " | ".join(err_lines[:5]))
    if unexpected:
        failures.append("unexpected output: " + " | ".join(list(unexpected)[:5]))
    if not done:
        failures.append("the program did not finish (no 'done' line)")

    warm = warmup_seconds(duration, steady_at)
    post = [s for s in samples if s["seconds"] >= warm and s.get("phase", "steady") == "steady"]
    figures = {"samples": len(samples), "judged_samples": len(post), "warmup_s": warm,
               "duration_s": duration}
    if samples:
        last = samples[-1]
        figures.update({
            "collections": last["collections"],
            "max_pause_ms": max(s["max_pause_ms"] for s in samples),
            "mean_pause_ms": (last.get("pause_total_ms", -1) / last["collections"]
                              if last["collections"] > 0 and last.get("pause_total_ms", -1) >= 0
                              else -1.0),
            "rss_max_mb": max(s["rss_bytes"] for s in samples) / 2**20,
        })
    if len(post) < MIN_JUDGED_SAMPLES:
        failures.append(f"only {len(post)} samples after the {warm:.0f} s warm-up "
                        f"(need {MIN_JUDGED_SAMPLES}): run longer")
        return (not failures), failures, figures

    bad_live = [s for s in post if s["live_bytes"] <= 0 or s["rss_bytes"] <= 0]
    if bad_live:
        failures.append(f"{len(bad_live)} samples lack RSS or live bytes "
                        f"(first at {bad_live[0]['seconds']:.0f} s)")
        return False, failures, figures

    ratios = [s["rss_bytes"] / s["live_bytes"] for s in post]
    worst = max(range(len(post)), key=lambda i: ratios[i])
    heap_ratios = [s["heap_bytes"] / s["live_bytes"] for s in post]
    frags = [s["fragmentation"] for s in post]
    third = len(post) // 3
    first, last3 = post[:third], post[2 * third:]
    rss_first = quantile([s["rss_bytes"] for s in first], 0.9)
    rss_last = quantile([s["rss_bytes"] for s in last3], 0.9)
    live_first = median([s["live_bytes"] for s in first])
    live_last = median([s["live_bytes"] for s in last3])
    rss_growth = rss_last / rss_first - 1
    live_growth = live_last / live_first - 1
    xs = [s["seconds"] for s in post]
    mean_live = sum(s["live_bytes"] for s in post) / len(post)
    est = [s.get("estimated_live_bytes", -1) for s in post]
    figures.update({
        "rss_per_live_max": ratios[worst],
        "rss_per_live_max_at_s": post[worst]["seconds"],
        "rss_per_live_min": min(ratios),
        "heap_per_live_max": max(heap_ratios),
        "heap_mb_min": min(s["heap_bytes"] for s in post) / 2**20,
        "heap_mb_max": max(s["heap_bytes"] for s in post) / 2**20,
        "live_mb_mean": mean_live / 2**20,
        "live_mb_min": min(s["live_bytes"] for s in post) / 2**20,
        "live_mb_max": max(s["live_bytes"] for s in post) / 2**20,
        "rss_mb_judged_max": max(s["rss_bytes"] for s in post) / 2**20,
        "fragmentation_min": min(frags),
        "fragmentation_max": max(frags),
        "rss_growth_p90_last_vs_first_third": rss_growth,
        "live_growth_median_last_vs_first_third": live_growth,
        "rss_slope_mb_per_min": slope_per_min(xs, [s["rss_bytes"] / 2**20 for s in post]),
        "live_slope_mb_per_min": slope_per_min(xs, [s["live_bytes"] / 2**20 for s in post]),
    })
    if all(e > 0 for e in est):
        figures["rss_per_estimated_live_max"] = max(
            s["rss_bytes"] / e for s, e in zip(post, est))
        figures["estimated_live_mb_mean"] = sum(est) / len(est) / 2**20

    if ratios[worst] > MAX_RSS_PER_LIVE:
        s = post[worst]
        msg = (f"RSS / live bytes reached {ratios[worst]:.2f} (limit {MAX_RSS_PER_LIVE}) at "
               f"{s['seconds']:.0f} s: RSS {s['rss_bytes'] / 2**20:.1f} MB, live "
               f"{s['live_bytes'] / 2**20:.1f} MB, heap {s['heap_bytes'] / 2**20:.1f} MB")
        if xfail_ratio:
            figures["xfail"] = f"{msg} [known failure: {xfail_ratio}]"
        else:
            failures.append(msg)
    elif xfail_ratio:
        failures.append(
            f"RSS / live bytes stayed within {MAX_RSS_PER_LIVE} (max {ratios[worst]:.2f}) but "
            f"the run expected it to fail: remove the known failure from soak.py "
            f"(KNOWN_RATIO_FAILURES)")
    if live_growth > MAX_LIVE_GROWTH:
        failures.append(
            f"live bytes keep growing with a flat live set: median of the last third "
            f"{live_last / 2**20:.1f} MB vs {live_first / 2**20:.1f} MB in the first "
            f"(+{100 * live_growth:.1f} %, limit {100 * MAX_LIVE_GROWTH:.0f} %): garbage retained")
    if rss_growth > MAX_RSS_GROWTH:
        failures.append(
            f"RSS grew after warm-up: 90th percentile {rss_last / 2**20:.1f} MB over the last "
            f"third ({last3[0]['seconds']:.0f}-{last3[-1]['seconds']:.0f} s) vs "
            f"{rss_first / 2**20:.1f} MB over the first ({first[0]['seconds']:.0f}-"
            f"{first[-1]['seconds']:.0f} s): +{100 * rss_growth:.1f} %, limit "
            f"{100 * MAX_RSS_GROWTH:.0f} % (slope {figures['rss_slope_mb_per_min']:.1f} MB/min)")
    return (not failures), failures, figures


# ---- Running petrel ----

def vm_rss(pid):
    """(VmRSS, VmHWM) of pid in bytes, or (None, None) once it is gone."""
    rss = hwm = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return rss, hwm


def pump(stream, q, tag):
    for line in iter(stream.readline, ""):
        q.put((tag, line.rstrip("\n")))
    q.put((tag, None))


def run_petrel(args, env, out_dir):
    cmd = [args.petrel, "--script", str(HERE / "churn.lisp"),
           str(args.seconds), str(args.seed), str(args.live_mb)]
    print("soak: " + " ".join(f"{k}={v}" for k, v in args.env_pairs) +
          (" " if args.env_pairs else "") + " ".join(cmd), file=sys.stderr, flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=str(out_dir))
    q = queue.Queue()
    for stream, tag in ((proc.stdout, "out"), (proc.stderr, "err")):
        threading.Thread(target=pump, args=(stream, q, tag), daemon=True).start()
    res = new_result()
    open_streams = 2
    deadline = time.monotonic() + args.seconds * 1.5 + 120
    last_progress = time.monotonic()
    last_rss = None
    next_poll = time.monotonic()
    while open_streams:
        now = time.monotonic()
        if now >= next_poll:            # VmRSS every second, in case churn.lisp has none
            rss, hwm = vm_rss(proc.pid)
            if rss is not None:
                last_rss = rss
            if hwm is not None:
                res["hwm"] = hwm
            next_poll = now + 1.0
        if now > deadline:
            res["timed_out"] = True
            proc.kill()
            break
        try:
            tag, line = q.get(timeout=max(0.05, next_poll - time.monotonic()))
        except queue.Empty:
            continue
        if line is None:
            open_streams -= 1
            continue
        s = absorb(res, tag, line, last_rss)
        if s and time.monotonic() - last_progress >= 10:
            last_progress = time.monotonic()
            print(progress_line(s, args.seconds), file=sys.stderr, flush=True)
    res["returncode"] = proc.wait()
    return res


def new_result():
    return {"samples": [], "stdout": [], "stderr": [], "unexpected": [], "done": False,
            "steady_at": None, "hwm": None, "timed_out": False}


def absorb(res, tag, line, vm_rss_now):
    """Records one line of petrel's stdout ('out') or stderr ('err');
    returns the sample it was, if it was one."""
    if tag == "err":
        res["stderr"].append(line)
        return None
    res["stdout"].append(line)
    if line.startswith("sample "):
        s = sample_from_line(line, vm_rss_now)
        res["samples"].append(s)
        return s
    if line.startswith("steady "):
        res["steady_at"] = float(parse_fields(line).get("t", "0"))
    elif line.startswith("done "):
        res["done"] = True
    elif not line.startswith(KNOWN_PREFIXES):
        res["unexpected"].append(line)
    return None


def reload_run(out):
    """The result of an earlier run from its directory (--rejudge)."""
    res = new_result()
    for tag, name in (("out", "stdout.log"), ("err", "stderr.log")):
        path = out / name
        if path.exists():
            for line in path.read_text().splitlines():
                if line or tag == "out":
                    absorb(res, tag, line, None)
    res["stdout"] = [l for l in res["stdout"] if l]
    res["unexpected"] = [l for l in res["unexpected"] if l]
    old = {}
    if (out / "summary.json").exists():
        old = json.loads((out / "summary.json").read_text())
    res["returncode"] = old.get("returncode", 0)
    res["hwm"] = old.get("vm_hwm_bytes")
    first = parse_fields(res["stdout"][0]) if res["stdout"] else {}
    return res, old, first


def progress_line(s, duration):
    mb = 2**20
    ratio = s["rss_bytes"] / s["live_bytes"] if s["live_bytes"] > 0 else float("nan")
    return (f"soak: {s['seconds']:5.0f}/{duration} s  rss {s['rss_bytes'] / mb:7.1f} MB  "
            f"heap {s['heap_bytes'] / mb:7.1f} MB  live {s['live_bytes'] / mb:7.1f} MB  "
            f"rss/live {ratio:4.2f}  frag {s['fragmentation']:.3f}  gcs {s['collections']}  "
            f"max pause {s['max_pause_ms']:.1f} ms")


# ---- Output ----

def write_csv(path, samples):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for s in samples:
            w.writerow([f"{s['seconds']:.3f}", s["rss_bytes"], s["heap_bytes"], s["live_bytes"],
                        s["free_in_pages"], f"{s['fragmentation']:.6f}", s["collections"],
                        f"{s['max_pause_ms']:.3f}", s["estimated_live_bytes"]])


def draw_chart(path, samples, warm, title):
    """The PNG chart, or a reason it was skipped."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (Debian: python3-matplotlib): chart skipped"
    mb = 2**20
    t = [s["seconds"] for s in samples]
    fig, ax = plt.subplots(figsize=(11, 5.5))
    ax.plot(t, [s["rss_bytes"] / mb for s in samples], label="RSS", color="tab:red")
    ax.plot(t, [s["heap_bytes"] / mb for s in samples], label="heap (pages in use)",
            color="tab:blue", linewidth=0.8)
    ax.plot(t, [s["live_bytes"] / mb for s in samples], label="live (last GC)", color="tab:green")
    ax.plot(t, [MAX_RSS_PER_LIVE * s["live_bytes"] / mb for s in samples],
            label=f"{MAX_RSS_PER_LIVE} x live (RSS limit)", color="tab:green", linestyle=":")
    ax.axvline(warm, color="grey", linestyle="--", linewidth=0.8, label="end of warm-up")
    ax.set_xlabel("seconds")
    ax.set_ylabel("MB")
    ax.set_ylim(bottom=0)
    ax2 = ax.twinx()
    ax2.plot(t, [s["fragmentation"] for s in samples], label="fragmentation",
             color="tab:purple", linewidth=0.7, alpha=0.7)
    ax2.set_ylabel("fragmentation (free in used pages / heap)")
    ax2.set_ylim(0, 1)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="lower right", fontsize=8)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def summary_text(ok, failures, figures, args, res):
    lines = [f"soak: {'PASS' if ok else 'FAIL'}  ({args.seconds} s, seed {args.seed}, "
             f"live target {args.live_mb} MB, env {' '.join(f'{k}={v}' for k, v in args.env_pairs) or '-'})"]
    for k, v in figures.items():
        if k == "xfail":
            continue
        lines.append(f"  {k}: {v:.4g}" if isinstance(v, float) else f"  {k}: {v}")
    if res.get("hwm"):
        lines.append(f"  vm_hwm_mb (peak RSS seen by the driver): {res['hwm'] / 2**20:.1f}")
    if "xfail" in figures:
        lines.append("XFAIL (known, not counted): " + figures["xfail"])
    for f in failures:
        lines.append("FAIL: " + f)
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--live-mb", type=int, default=128,
                    help="size of the long-lived set churn.lisp builds (its estimate)")
    ap.add_argument("--petrel", default=os.environ.get("PETREL_BIN") or str(ROOT / "build" / "petrel"))
    ap.add_argument("--out", default=None, help="result directory (default soak-YYYYmmdd-HHMMSS)")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                    help="set in petrel's environment (repeatable), e.g. PETREL_GC_CONCURRENT=0")
    ap.add_argument("--xfail-known", action="store_true",
                    help="the RSS / live target is a known failure for this collector "
                         "(KNOWN_RATIO_FAILURES): report it, do not fail on it, fail if it passes")
    ap.add_argument("--skip-instrumented", action="store_true",
                    help=f"exit {SKIP_EXIT} (skipped) under PETREL_GC_TORTURE, a sanitizer "
                         "build (PETREL_SANITIZE) or PETREL_GC_CHECK_BARRIER, where RSS and "
                         "timing mean nothing")
    ap.add_argument("--rejudge", metavar="DIR",
                    help="do not run petrel: judge the run saved in DIR again (its stdout.log, "
                         "stderr.log, summary.json) and rewrite its CSV, chart and summary")
    args = ap.parse_args(argv)
    args.env_pairs = []
    for e in args.env:
        k, sep, v = e.partition("=")
        if not sep or not k:
            ap.error(f"--env wants NAME=VALUE, got {e!r}")
        args.env_pairs.append((k, v))
    if not args.rejudge and not os.access(args.petrel, os.X_OK):
        ap.error(f"no petrel binary at {args.petrel} (--petrel or PETREL_BIN)")
    if args.skip_instrumented:
        why = [v for v in INSTRUMENTATION_VARS if os.environ.get(v, "") not in ("", "0")]
        if why:
            print(f"soak: skipped under {', '.join(f'{v}={os.environ[v]}' for v in why)}: "
                  "the figures would measure the instrumentation", file=sys.stderr)
            return SKIP_EXIT
    if args.rejudge:
        out = Path(args.rejudge).resolve()
        res, old, first = reload_run(out)
        args.env_pairs = sorted(old.get("env", {}).items())
        args.seconds = int(first.get("seconds", old.get("seconds", args.seconds)))
        args.seed = int(first.get("seed", old.get("seed", args.seed)))
        args.live_mb = int(first.get("live_mb", old.get("live_mb", args.live_mb)))
        env = dict(args.env_pairs)
    else:
        out = Path(args.out or time.strftime("soak-%Y%m%d-%H%M%S")).resolve()
        out.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.update(dict(args.env_pairs))
        res = run_petrel(args, env, out)
        (out / "stdout.log").write_text("\n".join(res["stdout"]) + "\n")
        (out / "stderr.log").write_text("\n".join(res["stderr"]) + "\n")
    samples = res["samples"]
    rc = res["returncode"] if not res["timed_out"] else "killed after the time limit"
    ok, failures, figures = judge(samples, args.seconds, 0 if rc == 0 else rc,
                                  "\n".join(res["stderr"]), res["done"], res["unexpected"],
                                  res["steady_at"],
                                  KNOWN_RATIO_FAILURES.get(collector_of(env)) if args.xfail_known else None)
    write_csv(out / "soak.csv", samples)
    warm = figures.get("warmup_s", warmup_seconds(args.seconds, res["steady_at"]))
    title = (f"Petrel soak {args.seconds} s, seed {args.seed}, "
             f"{' '.join(f'{k}={v}' for k, v in args.env_pairs) or 'default collector'}: "
             f"{'PASS' if ok else 'FAIL'}{' (RSS/live target: known failure)' if 'xfail' in figures else ''}; max RSS/live "
             f"{figures.get('rss_per_live_max', float('nan')):.2f}")
    skipped = draw_chart(out / "soak.png", samples, warm, title) if samples else "no samples: chart skipped"
    text = summary_text(ok, failures, figures, args, res)
    if skipped:
        text += "note: " + skipped + "\n"
    (out / "summary.txt").write_text(text)
    figures.update({"ok": ok, "failures": failures, "env": dict(args.env_pairs),
                    "seconds": args.seconds, "seed": args.seed, "live_mb": args.live_mb,
                    "vm_hwm_bytes": res.get("hwm"), "collector": collector_of(env),
                    "returncode": rc})
    (out / "summary.json").write_text(json.dumps(figures, indent=1, default=str) + "\n")
    sys.stderr.write(text)
    print(f"soak: results in {out}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
