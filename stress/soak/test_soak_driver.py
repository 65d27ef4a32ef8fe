"""The soak driver's verdict (soak.judge) on synthetic runs: the checks
themselves are tested here, without running Petrel.  ctest stress_soak_driver."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import soak  # noqa: E402

MB = 2**20
DURATION = 60


def series(rss=lambda t: 300 * MB, live=lambda t: 250 * MB, heap=None, n=DURATION,
           steady_from=2):
    """One sample a second for n seconds; rss and live are functions of t."""
    out = []
    for t in range(1, n + 1):
        out.append({
            "seconds": float(t),
            "phase": "steady" if t >= steady_from else "fill",
            "rss_bytes": int(rss(t)),
            "heap_bytes": int(heap(t) if heap else rss(t) - 10 * MB),
            "live_bytes": int(live(t)),
            "free_in_pages": 20 * MB,
            "fragmentation": 0.1,
            "collections": t * 2,
            "max_pause_ms": 5.0,
            "estimated_live_bytes": 200 * MB,
        })
    return out


def test_flat_series_passes():
    ok, failures, fig = soak.judge(series(), DURATION, steady_at=1.5)
    assert ok, failures
    assert fig["rss_per_live_max"] == pytest.approx(1.2)
    assert fig["judged_samples"] == DURATION - 12 + 1   # warm-up: 20 % of 60 s


def test_sawtooth_flat_series_passes():
    # RSS moving with the collection cycle but not growing: not a leak.
    ok, failures, _ = soak.judge(series(rss=lambda t: (280 + 60 * (t % 4 == 0)) * MB),
                                 DURATION)
    assert ok, failures


def test_warmup_growth_is_not_judged():
    # RSS climbs during the first 10 s (building the live set), then flat;
    # live is tiny before the first steady collection.
    ok, failures, _ = soak.judge(series(rss=lambda t: min(t, 10) * 30 * MB,
                                        live=lambda t: 250 * MB if t > 8 else 5 * MB), DURATION)
    assert ok, failures


def test_growing_rss_fails():
    # A leak of 2 MB/s with a flat live set: ratio stays < 1.5 over 60 s
    # (300 -> 418 MB against 300 MB live), but RSS keeps growing.
    ok, failures, fig = soak.judge(series(rss=lambda t: (300 + 2 * t) * MB,
                                          live=lambda t: 300 * MB), DURATION)
    assert not ok
    assert any("RSS grew after warm-up" in f for f in failures), failures
    assert fig["rss_slope_mb_per_min"] == pytest.approx(120, rel=0.01)


def test_rss_step_in_the_middle_fails():
    # A cycle lets the heap overshoot once and the pages stay resident:
    # RSS steps up 40 % in the middle of the judged time, flat after it.
    ok, failures, fig = soak.judge(series(rss=lambda t: (330 if t < 33 else 460) * MB,
                                          live=lambda t: 300 * MB), DURATION)
    assert not ok
    assert any("RSS grew after warm-up: 90th percentile 460.0 MB" in f for f in failures), failures


def test_sawtooth_with_one_high_peak_late_passes():
    # RSS following the heap (pages returned): one cycle's peak late in the
    # run above every earlier one is not growth.
    ok, failures, _ = soak.judge(series(rss=lambda t: (300 + 40 * (t % 3 == 0) + 30 * (t == 55)) * MB,
                                        live=lambda t: 250 * MB), DURATION)
    assert ok, failures


def test_sawtooth_with_rising_peaks_fails():
    ok, failures, _ = soak.judge(series(rss=lambda t: (280 + (40 + 2 * t) * (t % 3 == 0)) * MB,
                                        live=lambda t: 300 * MB), DURATION)
    assert not ok and failures == [f for f in failures if "RSS grew" in f], failures


def test_quantile():
    assert soak.quantile([5, 1, 4, 2, 3], 0.9) == 5
    assert soak.quantile(list(range(1, 21)), 0.9) == 18
    assert soak.quantile([7], 0.9) == 7


def test_single_live_spike_is_not_a_leak():
    ok, failures, _ = soak.judge(series(rss=lambda t: 300 * MB,
                                        live=lambda t: (280 if t == 50 else 250) * MB), DURATION)
    assert ok, failures


def test_growth_within_tolerance_passes():
    # 2 % between the middle and last thirds: noise, not a leak.
    ok, failures, _ = soak.judge(series(rss=lambda t: (300 * (1.02 if t > 44 else 1)) * MB),
                                 DURATION)
    assert ok, failures


def test_ratio_over_limit_fails():
    ok, failures, fig = soak.judge(series(rss=lambda t: 400 * MB, live=lambda t: 250 * MB),
                                   DURATION)
    assert not ok
    assert fig["rss_per_live_max"] == pytest.approx(1.6)
    assert any("RSS / live bytes reached 1.60" in f for f in failures), failures


def test_single_spike_over_ratio_fails():
    # "below 1.5 for the whole run": one sample is enough.
    ok, failures, _ = soak.judge(series(rss=lambda t: (390 if t == 30 else 300) * MB),
                                 DURATION)
    assert not ok and any("reached 1.56" in f for f in failures), failures


def test_ratio_during_warmup_is_ignored():
    ok, failures, _ = soak.judge(series(rss=lambda t: (600 if t < 10 else 300) * MB), DURATION)
    assert ok, failures


def test_growing_live_fails():
    ok, failures, _ = soak.judge(series(rss=lambda t: 300 * MB,
                                        live=lambda t: (150 + 1.5 * t) * MB), DURATION)
    assert not ok
    assert any("live bytes keep growing" in f for f in failures), failures


@pytest.mark.parametrize("kw,needle", [
    ({"returncode": 1}, "exited with status 1"),
    ({"returncode": -11}, "exited with status -11"),
    ({"stderr_text": "debugger invoked on a TYPE-ERROR"}, "printed on stderr"),
    ({"done": False}, "did not finish"),
    ({"unexpected": ["Heap exhausted"]}, "unexpected output"),
])
def test_crashed_or_erroring_program_fails(kw, needle):
    ok, failures, _ = soak.judge(series(), DURATION, **kw)
    assert not ok
    assert any(needle in f for f in failures), failures


def test_crash_early_fails_for_lack_of_samples():
    ok, failures, _ = soak.judge(series(n=5), DURATION, returncode=1, done=False)
    assert not ok
    assert any("exited with status 1" in f for f in failures)
    assert any("only 0 samples" in f for f in failures), failures


def test_gc_log_on_stderr_is_not_an_error():
    ok, failures, _ = soak.judge(series(), DURATION,
                                 stderr_text="petrel: gc 1: pause 1.0 ms, live 5 KiB, heap 9 KiB")
    assert ok, failures


def test_missing_live_figure_fails():
    ok, failures, _ = soak.judge(series(live=lambda t: -1), DURATION)
    assert not ok and any("lack RSS or live" in f for f in failures), failures


def test_known_ratio_failure_is_reported_not_failed():
    ok, failures, fig = soak.judge(series(rss=lambda t: 500 * MB), DURATION,
                                   xfail_ratio="pacing")
    assert ok, failures
    assert "reached 2.00" in fig["xfail"] and "pacing" in fig["xfail"]


def test_known_ratio_failure_still_fails_on_growth_and_crash():
    ok, failures, _ = soak.judge(series(rss=lambda t: (500 + 3 * t) * MB), DURATION,
                                 returncode=1, xfail_ratio="pacing")
    assert not ok
    assert any("RSS grew after warm-up" in f for f in failures)
    assert any("exited with status 1" in f for f in failures)


def test_known_ratio_failure_that_passes_fails():
    ok, failures, _ = soak.judge(series(), DURATION, xfail_ratio="pacing")
    assert not ok and any("expected it to fail" in f for f in failures), failures


def test_warmup_definition():
    assert soak.warmup_seconds(30, None) == 10          # short run: 10 s
    assert soak.warmup_seconds(3600, None) == 720       # long run: 20 %
    assert soak.warmup_seconds(30, 15.0) == 17          # slow fill: 2 s after steady


def test_sample_line_parsing_and_rss_fallback():
    line = ("sample t=3.001 phase=steady rss=-1 heap=300 live=200 free=10 frag=0.033333 "
            "gcs=4 pause_max_ns=2500000 alloc=999 est=150")
    s = soak.sample_from_line(line, vm_rss=4096)
    assert s["rss_bytes"] == 4096 and s["heap_bytes"] == 300 and s["live_bytes"] == 200
    assert s["max_pause_ms"] == 2.5 and s["collections"] == 4 and s["seconds"] == 3.001
    assert soak.sample_from_line(line.replace("rss=-1", "rss=8192"), 4096)["rss_bytes"] == 8192


def test_csv_columns(tmp_path):
    soak.write_csv(tmp_path / "s.csv", series(n=3))
    header, first = (tmp_path / "s.csv").read_text().splitlines()[:2]
    assert header.split(",")[:8] == ["seconds", "rss_bytes", "heap_bytes", "live_bytes",
                                     "free_in_pages", "fragmentation", "collections",
                                     "max_pause_ms"]
    assert first.startswith("1.000,")


def test_collector_of():
    assert soak.collector_of({}) == "concurrent"
    assert soak.collector_of({"PETREL_GC_CONCURRENT": "0"}) == "stw"
    assert soak.collector_of({"PETREL_GC_CONCURRENT": "1"}) == "concurrent"


@pytest.mark.parametrize("var", soak.INSTRUMENTATION_VARS)
def test_skip_instrumented(var, monkeypatch, tmp_path):
    for v in soak.INSTRUMENTATION_VARS:
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setenv(var, "1")
    assert soak.main(["--skip-instrumented", "--petrel", "/bin/true",
                      "--out", str(tmp_path / "o")]) == soak.SKIP_EXIT
    assert not (tmp_path / "o").exists()


def test_rejudge_a_saved_run(tmp_path):
    # A saved flat run at RSS/live 1.2 passes; with a crash line it fails.
    lines = ["soak impl=Petrel seed=7 seconds=60 live_mb=128", "steady t=1.500 slots=9 estimate=9"]
    for t in range(1, 61):
        lines.append(f"sample t={t}.000 phase=steady rss={300 * MB} heap={290 * MB} "
                     f"live={250 * MB} free=0 frag=0.1 gcs={t} pause_max_ns=1000 alloc=1 est=9")
    lines.append("done t=60.000 iterations=1")
    d = tmp_path / "run"
    d.mkdir()
    (d / "stdout.log").write_text("\n".join(lines) + "\n")
    (d / "stderr.log").write_text("\n")
    assert soak.main(["--rejudge", str(d)]) == 0
    assert (d / "soak.csv").read_text().count("\n") == 61
    assert "seed 7" in (d / "summary.txt").read_text()
    (d / "stderr.log").write_text("debugger invoked on a SIMPLE-ERROR\n")
    assert soak.main(["--rejudge", str(d)]) == 1
    assert "printed on stderr" in (d / "summary.txt").read_text()
