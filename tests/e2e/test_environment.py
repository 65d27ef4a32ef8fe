"""End-to-end tests of CLHS chapter 25 (the environment) where Petrel's
behaviour goes beyond what the portable suite may require
(conformance/tests/25): docstrings are kept for every kind of definition,
TRACE's output, DESCRIBE's output, TIME's report, DRIBBLE's transcript,
INSPECT driven from standard input, ED's error without a file, and local
time (DST) agreeing with SBCL in several zones.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_environment.py
"""
import shutil
import subprocess

import pytest

from test_cli import eval_args, run, script

DOCS = r"""
(defun f1 (a &optional (b 2) &key c) "F1 doc." (list a b c))
(defvar *v1* 1 "V1 doc.")
(defparameter *v2* 2 "V2 doc.")
(defconstant +c1+ 3 "C1 doc.")
(defmacro m1 (x &body body) "M1 doc." `(list ,x ,@body))
(deftype t1 () "T1 doc." 'integer)
(defstruct (s1 (:constructor make-s1 (a b))) "S1 doc." a b)
(define-condition c1 (error) () (:documentation "Cond doc."))
(defsetf s1-foo set-s1-foo "Setf doc.")
(define-compiler-macro f1 (&whole w a &rest r) "CM doc." (declare (ignore a r)) w)
(defpackage "P1" (:use) (:documentation "P1 doc."))
(defun (setf f2) (v x) "Setf F2 doc." (list v x))
(print (list (documentation 'f1 'function) (documentation #'f1 t)
             (documentation '*v1* 'variable) (documentation '*v2* 'variable) (documentation '+c1+ 'variable)
             (documentation 'm1 'function) (documentation 't1 'type) (documentation 's1 'structure)
             (documentation 's1 'type) (documentation 'c1 'type) (documentation 's1-foo 'setf)
             (documentation 'f1 'compiler-macro) (documentation (find-package "P1") t)
             (documentation '(setf f2) 'function)))
(setf (documentation 'f1 'function) "New F1.")
(print (list (documentation 'f1 'function) (documentation #'f1 t)))
(defun f1 (a) "Redefined." a)
(print (documentation 'f1 'function))
(setf (documentation 'not-yet-defined 'function) "Early.")
(print (documentation 'not-yet-defined 'function))
(print (documentation 'car 'function))
"""


def test_documentation_kept_for_every_definition(tmp_path):
    r = run(["--script", script(tmp_path, DOCS)])
    lines = [l.strip() for l in r.out.splitlines() if l.strip()]
    assert lines[0] == ('("F1 doc." "F1 doc." "V1 doc." "V2 doc." "C1 doc." "M1 doc." "T1 doc." "S1 doc." '
                        '"S1 doc." "Cond doc." "Setf doc." "CM doc." "P1 doc." "Setf F2 doc.")')
    assert lines[1] == '("New F1." "New F1.")'
    assert lines[2] == '"Redefined."'
    assert lines[3] == '"Early."'
    assert lines[4].startswith('"') and "car" in lines[4].lower()


TRACE = r"""
(defun fact (n) (if (< n 2) 1 (* n (fact (- n 1)))))
(defun two (x) (values x (* 2 x)))
(let ((*trace-output* *standard-output*))
  (print (trace fact two))
  (terpri)
  (fact 2)
  (two 5)
  (print (sort (mapcar #'symbol-name (trace)) #'string<))
  (print (untrace))
  (terpri)
  (fact 3)
  (print (trace)))
"""


def test_trace_prints_calls_and_values_by_depth(tmp_path):
    r = run(["--script", script(tmp_path, TRACE)])
    lines = r.out.splitlines()
    body = [l for l in lines if ": " in l]
    assert body == ["  0: (FACT 2)", "    1: (FACT 1)", "    1: FACT returned 1", "  0: FACT returned 2",
                    "  0: (TWO 5)", "  0: TWO returned 5 10"]
    assert '("FACT" "TWO")' in r.out
    assert lines[-1].strip() == "NIL"   # after UNTRACE, nothing is traced and FACT prints nothing


def test_describe_output(tmp_path):
    src = r"""
(defun dfun (x &key y) "Dfun doc." (list x y))
(defstruct dpt x (y 2))
(describe 'dfun)
(describe (make-dpt :x 1))
(describe (let ((h (make-hash-table :test 'equal))) (setf (gethash "k" h) 1) h))
(describe 42)
(describe "abc")
(describe (find-package "COMMON-LISP"))
(print (multiple-value-list (describe nil)))
"""
    r = run(["--script", script(tmp_path, src)])
    out = r.out
    for want in ["DFUN is a symbol", "Lambda-list: (X &KEY Y)", "Dfun doc.",
                 "is a structure of type DPT", "  X: 1", "  Y: 2",
                 "is a hash table, test EQUAL, 1 entry", '"k" -> 1',
                 "42 is an integer", '"abc" is a simple string of length 3',
                 "is a package named COMMON-LISP"]:
        assert want in out, (want, out)
    assert out.rstrip().endswith("NIL")


def test_time_reports_to_trace_output(tmp_path):
    src = r"""
(let* ((s (make-string-output-stream))
       (v (multiple-value-list (let ((*trace-output* s)) (time (length (make-list 10000)))))))
  (print v)
  (write-string (get-output-stream-string s)))
"""
    r = run(["--script", script(tmp_path, src)])
    assert "(10000)" in r.out
    for want in ["Evaluation took:", "seconds of real time", "seconds of total run time",
                 "GC collection", "bytes consed"]:
        assert want in r.out


def test_dribble_records_the_session(tmp_path):
    log = tmp_path / "session.txt"
    stdin = f'(dribble "{log}")\n(+ 1 2)\n(print "hello")\n(dribble)\n(+ 40 2)\n'
    r = run([], stdin=stdin)
    assert "42" in r.out
    text = log.read_text()
    assert "(+ 1 2)" in text and "3" in text and '"hello"' in text
    assert "(+ 40 2)" not in text and "42" not in text


def test_inspect_reads_commands(tmp_path):
    r = run(eval_args('(inspect (list 1 (list 2 3) "x"))'), stdin="1\n0\nu\nq\n")
    assert "(1 (2 3) \"x\") is a list of length 3." in r.out
    assert "(2 3) is a list of length 2." in r.out
    assert "2 is an integer" in r.out


def test_ed_needs_a_file_or_an_editor(tmp_path):
    r = run(eval_args('(handler-case (ed (quote car)) (error (e) (princ e) (terpri)))'))
    assert "does not record where CAR is defined" in r.out
    f = tmp_path / "f.lisp"
    r = run(eval_args(f'(ed "{f}")', '(print :done)'), env={"EDITOR": "touch", "VISUAL": ""})
    assert ":DONE" in r.out and f.exists()


LOCAL_TIME = r"""
(dolist (d '((0 0 0 1 1 2000) (0 30 2 31 3 2024) (0 0 12 1 7 2020) (59 59 23 31 12 1999) (0 0 3 5 11 2023)))
  (let ((u (apply #'encode-universal-time d)))
    (print (list u (multiple-value-list (decode-universal-time u))))))
"""


@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl not installed")
@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"])
def test_local_time_agrees_with_sbcl(tmp_path, zone):
    path = script(tmp_path, LOCAL_TIME)
    mine = run(["--script", path], env={"TZ": zone}).out.split()
    theirs = subprocess.run(["sbcl", "--script", path], capture_output=True, text=True,
                            env={"TZ": zone, "PATH": "/usr/bin:/bin"}, timeout=60).stdout.split()
    assert mine == theirs
