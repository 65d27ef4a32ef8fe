"""End-to-end tests of the pretty printer's layout of code (CLHS 22.2; issue 8
item 7): PPRINT of the forms in golden/pprint/code.lisp under a fixed
*print-right-margin* (20, 30, 50, 70), of everyday code in
golden/pprint/real.lisp (25, 40, 60, 80), of definitions and binding forms in
golden/pprint/more.lisp (30, 50, 80) and of the short forms in
golden/pprint/short.lisp at 100 columns must print exactly the golden files.

The golden files were checked by hand against what SBCL prints for the same
forms and margins (SBCL 2.2.9, *print-miser-width* NIL as SBCL has it);
test_golden_files_agree_with_sbcl re-checks them whenever sbcl is installed.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_pprint.py
"""
import shutil
import subprocess
from pathlib import Path

import pytest

from test_cli import run, script

GOLDEN = Path(__file__).resolve().parent / "golden" / "pprint"
CASES = [("code.lisp", 20), ("code.lisp", 30), ("code.lisp", 50), ("code.lisp", 70),
         ("real.lisp", 25), ("real.lisp", 40), ("real.lisp", 60), ("real.lisp", 80),
         ("more.lisp", 30), ("more.lisp", 50), ("more.lisp", 80),
         ("short.lisp", 100)]


def lisp_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pprint_program(forms_file, margin):
    """A program that PPRINTs each form of forms_file, then a blank line."""
    text = (GOLDEN / forms_file).read_text()
    return ("(let ((s (make-string-input-stream %s)) (*package* (find-package \"CL-USER\"))\n"
            "      (*print-miser-width* nil))\n"
            "  (loop (let ((form (read s nil :eof)))\n"
            "          (when (eq form :eof) (return))\n"
            "          (let ((*print-right-margin* %d)) (pprint form))\n"
            "          (terpri))))\n") % (lisp_string(text), margin)


def golden(forms_file, margin):
    return (GOLDEN / f"{Path(forms_file).stem}_{margin}.txt").read_text()


@pytest.mark.parametrize("forms_file,margin", CASES)
def test_pprint_layout_matches_golden(tmp_path, forms_file, margin):
    r = run(["--script", script(tmp_path, pprint_program(forms_file, margin))], torture=False)
    assert r.rc == 0, r.err
    assert r.out == golden(forms_file, margin)


@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl not installed")
@pytest.mark.parametrize("forms_file,margin", CASES)
def test_golden_files_agree_with_sbcl(tmp_path, forms_file, margin):
    path = script(tmp_path, pprint_program(forms_file, margin))
    proc = subprocess.run(["sbcl", "--script", path], capture_output=True, timeout=120)
    assert proc.stdout.decode() == golden(forms_file, margin)


def test_pprint_survives_gc_torture(tmp_path):
    """The layout code keeps its queue alive across collections."""
    prog = pprint_program("code.lisp", 30)
    r = run(["--script", script(tmp_path, prog)], env={"PETREL_GC_TORTURE": "200"})
    assert r.rc == 0, r.err
    assert r.out == golden("code.lisp", 30)


# Random data printed pretty under random margins, *print-length*,
# *print-level*, *print-lines* and *print-circle* (not with *print-lines*:
# SBCL leaves unlabelled what the line limit cuts off, Petrel labels it).
# The generator is a seeded linear congruential one, the same in any Lisp.
RANDOM_DATA = r"""
(defvar *pp-syms* '(a bb ccc dddd :k))
(defvar *pp-rs* SEED)
(defun pp-rnd (n) (setq *pp-rs* (mod (+ (* *pp-rs* 69069) 12345) 4294967296)) (mod (floor *pp-rs* 65536) n))
(defun pp-gen (d)
  (let ((r (pp-rnd 10)))
    (cond ((or (> d 5) (< r 3))
           (case (pp-rnd 6) (0 (nth (pp-rnd (length *pp-syms*)) *pp-syms*)) (1 (pp-rnd 1000))
                 (2 "str") (3 #\x) (4 nil) (5 1.5)))
          ((< r 4) (let ((v (make-array (pp-rnd 4) :initial-element nil)))
                     (dotimes (i (length v)) (setf (svref v i) (pp-gen (1+ d)))) v))
          (t (let ((l (loop repeat (pp-rnd 6) collect (pp-gen (1+ d)))))
               (when (and l (< (pp-rnd 10) 2)) (setf (cdr (last l)) (pp-gen 9)))
               (if (< (pp-rnd 10) 6) (cons (nth (pp-rnd (length *pp-syms*)) *pp-syms*) l) l))))))
(dotimes (i COUNT)
  (let* ((x (pp-gen 0))
         (lines (if (< (pp-rnd 4) 1) (1+ (pp-rnd 4)) nil)))
    (let ((*print-pretty* t) (*print-right-margin* (+ 5 (pp-rnd 60)))
          (*print-length* (if (< (pp-rnd 3) 1) (pp-rnd 5) nil))
          (*print-level* (if (< (pp-rnd 3) 1) (pp-rnd 5) nil))
          (*print-lines* lines)
          (*print-circle* (and (null lines) (< (pp-rnd 4) 1)))
          (*print-miser-width* nil))
      (format t "~A~%----~%" (write-to-string x)))))
"""


def random_data(seed, count):
    return RANDOM_DATA.replace("SEED", str(seed)).replace("COUNT", str(count))


@pytest.mark.parametrize("seed", [1, 7])
def test_random_data_prints(tmp_path, seed):
    r = run(["--script", script(tmp_path, random_data(seed, 1500))], torture=False)
    assert r.rc == 0, r.err
    assert r.out.count("----\n") == 1500


@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl not installed")
@pytest.mark.parametrize("seed", [1, 7])
def test_random_data_layout_agrees_with_sbcl(tmp_path, seed):
    path = script(tmp_path, random_data(seed, 1500))
    mine = run(["--script", path], torture=False).out
    sbcl = subprocess.run(["sbcl", "--script", path], capture_output=True, timeout=120).stdout.decode()
    assert mine == sbcl
