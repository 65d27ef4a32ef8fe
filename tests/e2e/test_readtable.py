"""End-to-end tests of readtables (CLHS 2.1.1, 23.2): *readtable* and
copy-readtable, macro characters that read recursively (sharing #n= labels
with the outer read), dispatching macro characters of one's own, standard
functions reused on other characters (get-macro-character, set-syntax-from-
char), read-delimited-list, every readtable case, and the standard readtable
refusing changes.  The expected values are SBCL's (re-checked when sbcl is
installed).

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_readtable.py
"""
import shutil

import pytest

from case_table import check_output, program, run_file, sbcl_stdout, PETREL, TIMEOUT
from test_cli import script

PRELUDE = r"""
(defvar *rt* (copy-readtable nil))
(defun rt-read (string) (let ((*readtable* *rt*)) (values (read-from-string string))))
(let ((*readtable* *rt*))
  (set-macro-character #\! (lambda (s c) (declare (ignore c)) (list :bang (read s t nil t))))
  (set-macro-character #\] (get-macro-character #\)))
  (set-macro-character #\[ (lambda (s c) (declare (ignore c)) (read-delimited-list #\] s t)))
  (make-dispatch-macro-character #\$)
  (set-dispatch-macro-character #\$ #\v (lambda (s c n) (declare (ignore c)) (list :v n (read s t nil t))))
  (set-dispatch-macro-character #\# #\z (lambda (s c n) (declare (ignore s c n)) :zed))
  (set-macro-character #\{ (lambda (s c) (declare (ignore c)) (loop until (char= (read-char s) #\})) (values)))
  (set-syntax-from-char #\% #\;))
(defun case-read (mode string)
  (let ((*readtable* (copy-readtable nil)))
    (setf (readtable-case *readtable*) mode)
    (symbol-name (read-from-string string))))
"""

CASES = [
    ("(readtablep *readtable*)", "(T)"),
    ("(eq *readtable* (copy-readtable))", "(NIL)"),
    ("(readtable-case (copy-readtable nil))", "(:UPCASE)"),
    ("(rt-read \"!foo\")", "((:BANG FOO))"),
    ("(rt-read \"(a !b c)\")", "((A (:BANG B) C))"),
    ("(rt-read \"[1 2 [3] !x]\")", "((1 2 (3) (:BANG X)))"),
    ("(rt-read \"$3v(x)\")", "((:V 3 (X)))"),
    ("(rt-read \"$v7\")", "((:V NIL 7))"),
    ("(rt-read \"#z\")", "(:ZED)"),
    ("(rt-read \"({ comment } a { b } c)\")", "((A C))"),
    ("(rt-read \"% ignored to the end of the line\n  x\")", "(X)"),
    ("(let ((x (rt-read \"(#1=(a) !#1#)\"))) (eq (first x) (second (second x))))", "(T)"),
    ("(rt-read \"#(1 #b101 #\\\\a)\")", "(#(1 5 #\\a))"),
    ("(with-input-from-string (s \"a b) c\") (read-delimited-list #\\) s))", "((A B))"),
    ("(with-input-from-string (s \"abc def\") (list (read-preserving-whitespace s) (char-code (read-char s))))",
     "((ABC 32))"),
    ("(with-input-from-string (s \"abc def\") (list (read s) (read-char s)))", "((ABC #\\d))"),
    ("(nth-value 1 (get-macro-character #\\#))", "(T)"),
    ("(nth-value 1 (get-macro-character #\\())", "(NIL)"),
    ("(get-macro-character #\\a)", "(NIL NIL)"),
    ("(functionp (get-dispatch-macro-character #\\# #\\'))", "(T)"),
    ("(let ((*readtable* (copy-readtable nil))) (set-dispatch-macro-character #\\# #\\' nil) (get-dispatch-macro-character #\\# #\\'))",
     "(NIL)"),
    ("(case-read :upcase \"Abc\")", "(\"ABC\")"),
    ("(case-read :downcase \"Abc\")", "(\"abc\")"),
    ("(case-read :preserve \"Abc\")", "(\"Abc\")"),
    ("(case-read :invert \"abc\")", "(\"ABC\")"),
    ("(case-read :invert \"ABC\")", "(\"abc\")"),
    ("(case-read :invert \"Abc\")", "(\"Abc\")"),
    ("(case-read :invert \"a|b|C\")", "(\"abC\")"),
    ("(let ((r (copy-readtable nil))) (setf (readtable-case r) :preserve) (readtable-case (copy-readtable r)))",
     "(:PRESERVE)"),
    ("(handler-case (setf (readtable-case (copy-readtable nil)) :bogus) (type-error () :type-error))", "(:TYPE-ERROR)"),
    ("(handler-case (set-macro-character 5 (lambda (s c) s)) (type-error () :type-error))", "(:TYPE-ERROR)"),
]


def test_readtable_cases(tmp_path):
    rc, out, err = run_file([PETREL, "--script"], program(PRELUDE, CASES), tmp_path, TIMEOUT)
    assert rc == 0, err
    check_output(out, CASES)


@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl is not installed")
def test_cases_agree_with_sbcl(tmp_path):
    """The expectations are SBCL's answers (portable CL, not Petrel's)."""
    check_output(sbcl_stdout(script(tmp_path, program(PRELUDE, CASES))), CASES)


def test_standard_readtable_refuses_changes(tmp_path):
    """CLHS 2.1.1.2: the standard readtable must not be changed; Petrel
    signals an error (the consequences are undefined, SBCL too signals)."""
    prog = ('(print (handler-case (with-standard-io-syntax (set-macro-character #\\! (function list)))'
            ' (error () :refused)))\n'
            '(print (handler-case (set-macro-character #\\! (function list) nil (copy-readtable nil))'
            ' (error () :refused)))\n')
    rc, out, err = run_file([PETREL, "--script"], prog, tmp_path, TIMEOUT)
    assert rc == 0, err
    assert out.split() == [":REFUSED", "T"], out
