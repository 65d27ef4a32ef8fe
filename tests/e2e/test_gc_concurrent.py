"""The concurrent collection cycle (gc/concurrent.c; Petrel's default
collector): several threads churn and keep a growing table while
cycles run.  Every cycle is checked by the barrier checker (a stop-the-world
re-mark from the precise roots at the end of each concurrent mark, fatal on
any reachable object the concurrent mark missed) and the heap verifier; the
program checks its own data.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_gc_concurrent.py
"""
import re

import pytest

from test_cli import run, script

# A 64 MB heap: the collector's smallest trigger is then 8 MB (an eighth of
# the heap) rather than 32, so these short runs see several cycles.
SMALL_HEAP = ["--dynamic-space-size", "64"]

CHURN = r"""
(use-package "PETREL-THREADS")
(defvar *keep* (make-hash-table :synchronized t))
(defvar *shared* (make-array 64 :initial-element nil))
(defun churn (id n)
  (let ((acc nil) (sum 0))
    (dotimes (i n)
      (push (make-list 10 :initial-element i) acc)
      ;; overwrite shared slots all the time: the barrier must log the old values
      (setf (svref *shared* (mod i 64)) (list id i))
      (when (zerop (mod i 97)) (setf (gethash (+ (* id 1000000) i) *keep*) (list i (make-string 20))))
      (when (> (length acc) 2000) (setq sum (+ sum (length acc))) (setq acc nil)))
    sum))
(print (mapcar #'join-thread (loop for id below 3 collect (let ((id id)) (make-thread (lambda () (churn id 150000)))))))
(print (hash-table-count *keep*))
(let ((bad 0))
  (maphash (lambda (k v) (unless (and (= (first v) (mod k 1000000)) (= 20 (length (second v)))) (incf bad))) *keep*)
  (print bad))
(print (every (lambda (x) (and (consp x) (integerp (second x)))) *shared*))
(print (petrel-ext:verify-heap))
"""


@pytest.mark.parametrize("markers", ["1", "3"])
def test_concurrent_cycles_miss_nothing(tmp_path, markers):
    # 1: one worker marks alone; 3: workers share work (more than the cores,
    # so they also get preempted mid-round)
    env = {"PETREL_GC_CONCURRENT": "1", "PETREL_GC_CHECK_BARRIER": "1", "PETREL_GC_VERIFY": "1",
           "PETREL_GC_LOG": "1", "PETREL_GC_MARKERS": markers}
    r = run(SMALL_HEAP + ["--script", script(tmp_path, CHURN)], env=env, timeout=240, torture=False)
    assert r.rc == 0, r.err[-3000:]
    assert r.out.split() == ["(148074", "148074", "148074)", "4641", "0", "T", "0"], r.out
    cycles = re.findall(r"gc \d+ \(concurrent, (?:1 marker|\d+ markers)\): first pause ([\d.]+) ms, mark ([\d.]+) ms, final pause ([\d.]+) ms", r.err)
    assert len(cycles) >= 3, r.err[-2000:]


# Mutator assists (gc/workers.c): one mark worker against a thread that
# allocates as fast as it can over a 64 MB live set falls behind the
# mark's schedule, so the allocating thread marks too.  The statistics
# count the assists; the data must come through whole.
ASSIST = r"""
(defvar *keep* (make-array 200000))
(dotimes (i 200000) (setf (svref *keep* i) (make-list 20 :initial-element i)))
(dotimes (k 3000000)
  (let ((j (mod (* k 7919) 200000)))
    (setf (svref *keep* j) (make-list 20 :initial-element j))))
(let ((bad 0))
  (dotimes (j 200000)
    (let ((l (svref *keep* j)))
      (unless (and (= (length l) 20) (every (lambda (x) (eql x j)) l)) (incf bad))))
  (print bad))
(let ((s (petrel-ext:gc-statistics)))
  (print (list (plusp (getf s :assists)) (plusp (getf s :assist-ns)) (>= (getf s :collections) 3))))
"""


def test_mutator_assists_when_the_mark_falls_behind(tmp_path):
    env = {"PETREL_GC_CONCURRENT": "1", "PETREL_GC_MARKERS": "1", "PETREL_GC_CHECK_BARRIER": "0"}
    r = run(["--script", script(tmp_path, ASSIST)], env=env, timeout=240, torture=False)
    assert r.rc == 0, r.err[-3000:]
    assert r.out.split() == ["0", "(T", "T", "T)"], r.out


@pytest.mark.parametrize("concurrent, expected", [("1", 30), ("0", 100)])
def test_default_pacing_target_per_collector(concurrent, expected):
    """The concurrent collector paces at 30 % of the live heap (RSS within
    1.5 x live: stress/soak), the stop-the-world one at 100 % (each of its
    cycles stops the program); the variable and the function override both."""
    show = "(progn (print (petrel-ext:gc-target-percent)) (print (getf (petrel-ext:gc-statistics) :target-percent)))"
    env = {"PETREL_GC_CONCURRENT": concurrent, "PETREL_GC_TARGET_PERCENT": ""}
    r = run(["--eval", show, "--eval", "(petrel-ext:quit)"], env=env, torture=False)
    assert r.out.split() == [str(expected)] * 2, r.out + r.err
    r = run(["--eval", show, "--eval", "(petrel-ext:quit)"],
            env={**env, "PETREL_GC_TARGET_PERCENT": "70"}, torture=False)
    assert r.out.split() == ["70"] * 2, r.out + r.err
    r = run(["--eval", "(petrel-ext:gc-target-percent 55)", "--eval", show, "--eval", "(petrel-ext:quit)"],
            env=env, torture=False)
    assert r.out.split() == ["55"] * 2, r.out + r.err
