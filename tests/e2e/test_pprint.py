"""End-to-end tests of the pretty printer's layout of code (CLHS 22.2; issue 8
item 7): PPRINT of the forms in golden/pprint/code.lisp under a fixed
*print-right-margin* (20, 30, 50, 70) and of the short forms in
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
