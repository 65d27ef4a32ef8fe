"""End-to-end tests of CLHS chapter 15 (arrays), issue 8 item 4: printing and
reading arrays back (#*, #nA, specialised vectors, *print-array*,
*print-length*/*print-level*), the errors of AREF, stores and fill
pointers, strings with fill pointers under FORMAT and WITH-OUTPUT-TO-STRING,
arrays as constants in compiled files and in a saved core, and the array
layer under a collection every 50 allocations.

CASES pairs a form with the printed list of its values; the strings are
SBCL's answers (`sbcl --script`), which test_cases_agree_with_sbcl re-checks
when sbcl is installed.  Errors are caught by class in the form itself.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_arrays.py
"""
import shutil

import pytest

from case_table import check_output, program, sbcl_stdout
from test_cli import eval_args, run, script

E = "(type-error () :type-error) (error () :error)"

CASES = [
    # printing (CLHS 22.1.3.6-7) and reading back (2.4.8.4, 2.4.8.12)
    ("(let ((*print-array* t)) (prin1-to-string (make-array '(2 3) :initial-contents '((1 2 3) (4 5 6)))))",
     '("#2A((1 2 3) (4 5 6))")'),
    ("(let ((*print-array* t)) (prin1-to-string (make-array '(2 2 2) :initial-element 0)))",
     '("#3A(((0 0) (0 0)) ((0 0) (0 0)))")'),
    ("(let ((*print-array* t)) (prin1-to-string (make-array '() :initial-element 'x)))",
     '("#0AX")'),
    ("(let ((*print-array* t)) (prin1-to-string (make-array '(2 0))))",
     '("#2A(() ())")'),
    ("(let ((*print-array* t)) (prin1-to-string (coerce '(1 0 1 1 0) 'bit-vector)))",
     '("#*10110")'),
    ("(let ((*print-array* t)) (prin1-to-string (make-array 0 :element-type 'bit)))",
     '("#*")'),
    ("(let ((*print-array* t)) (prin1-to-string (make-array 8 :element-type 'bit :fill-pointer 3 :initial-element 1)))",
     '("#*111")'),
    ("(let ((*print-array* t)) (prin1-to-string (make-array 3 :element-type '(signed-byte 8) :initial-contents '(-1 0 1))))",
     '("#(-1 0 1)")'),
    ("(let ((*print-array* t)) (prin1-to-string (make-array 2 :element-type 'double-float :initial-element 0.5d0)))",
     '("#(0.5d0 0.5d0)")'),
    ("(let ((*print-array* t) (*print-length* 2)) (prin1-to-string (make-array '(3 3) :initial-element 7)))",
     '("#2A((7 7 ...) (7 7 ...) ...)")'),
    ("(let ((*print-array* t) (*print-level* 1)) (prin1-to-string (make-array '(2 2) :initial-element 7)))",
     '("#2A(# #)")'),
    ("(let ((*print-array* nil)) (subseq (prin1-to-string (make-array '(2 2))) 0 2))",
     '("#<")'),
    ("(let ((*print-array* nil)) (prin1-to-string (make-array 3 :element-type 'character :initial-element #\\a)))",
     '("\\"aaa\\"")'),
    ('(let ((v (read-from-string "#*0110"))) (list (length v) (bit v 1) (simple-bit-vector-p v)))',
     '((4 1 T))'),
    ('(coerce (read-from-string "#6*01") \'list)',
     '((0 1 1 1 1 1))'),
    ('(let ((a (read-from-string "#2A((a b) (c d))"))) (list (array-dimensions a) (aref a 1 0)))',
     '(((2 2) C))'),
    ('(let ((a (read-from-string "#0A7"))) (list (array-rank a) (aref a)))',
     '((0 7))'),
    ('(array-dimensions (read-from-string "#3A()"))',
     '((0 0 0))'),
    ('(let ((*read-suppress* t)) (read-from-string "#*0121 #2A(x)"))',
     '(NIL 7)'),
    (f'(handler-case (read-from-string "#*012") (reader-error () :reader-error) {E})',
     '(:READER-ERROR)'),
    (f'(handler-case (read-from-string "#2*011") (reader-error () :reader-error) {E})',
     '(:READER-ERROR)'),
    ("(let* ((*print-array* t) (a (make-array '(2 2) :initial-contents '((1 #*01) (\"s\" #(x))))))"
     " (equalp a (read-from-string (prin1-to-string a))))",
     '(T)'),
    # errors (CLHS 15.2 and 1.4.4.3 type-errors)
    (f"(handler-case (aref (make-array '(2 3)) 1 3) {E})", '(:TYPE-ERROR)'),
    (f"(handler-case (aref (make-array '(2 3)) 1 'a) {E})", '(:TYPE-ERROR)'),
    ("(handler-case (aref (make-array '(2 3)) 1) (error () :error))", '(:ERROR)'),
    (f"(handler-case (setf (aref (make-array 3 :element-type '(unsigned-byte 8)) 0) 300) {E})",
     '(:TYPE-ERROR)'),
    (f"(handler-case (setf (aref (make-array 3 :element-type 'double-float) 0) 'x) {E})",
     '(:TYPE-ERROR)'),
    ("(handler-case (make-array 2 :fill-pointer 3) (error () :error))", '(:ERROR)'),
    (f"(handler-case (fill-pointer (make-array 2)) {E})", '(:TYPE-ERROR)'),
    (f"(handler-case (svref (make-array 2 :adjustable t) 0) {E})", '(:TYPE-ERROR)'),
    (f"(handler-case (sbit (make-array 2 :element-type 'bit :adjustable t) 0) {E})", '(:TYPE-ERROR)'),
    (f"(handler-case (make-array 4 :displaced-to (make-array 3)) {E})", '(:ERROR)'),
    (f"(handler-case (adjust-array (make-array '(2 2)) '(3)) {E})", '(:ERROR)'),
    # strings with fill pointers
    ("(let ((s (make-array 0 :element-type 'character :adjustable t :fill-pointer 0)))"
     " (format s \"~A-~D\" :k 12) (with-output-to-string (o s) (princ 'z o)) (list s (length s) (stringp s)))",
     '(("K-12Z" 5 T))'),
    ("(let ((s (make-array 0 :element-type 'character :adjustable t :fill-pointer 0)))"
     " (dotimes (i 300) (vector-push-extend (code-char (+ 97 (mod i 26))) s))"
     " (list (length s) (subseq s 0 3) (search \"xyz\" s) (string-upcase (subseq s 26 29))))",
     '((300 "abc" 23 "ABC"))'),
    ("(let ((s (make-array 3 :element-type 'character :adjustable t :initial-contents \"abc\")))"
     " (nstring-upcase s :start 1) (list s (char s 2) (intern s \"KEYWORD\")))",
     '(("aBC" #\\C :|aBC|))'),
    # sequence results of the right type
    ("(type-of (concatenate '(vector (unsigned-byte 8)) '(1 2) #(3)))",
     '((SIMPLE-ARRAY (UNSIGNED-BYTE 8) (3)))'),
    ("(type-of (coerce '(1 0) 'bit-vector))", '((SIMPLE-BIT-VECTOR 2))'),
    ("(let ((v (map '(vector double-float) #'float '(1d0 2d0)))) (list (aref v 1) (array-element-type v)))",
     '((2.0d0 DOUBLE-FLOAT))'),
    ("(let ((v (make-array 4 :element-type '(unsigned-byte 16) :initial-contents '(4 3 2 1))))"
     " (list (sort v #'<) (reverse v) (subseq v 1 3) (position 3 v) (remove 2 v)))",
     '((#(1 2 3 4) #(4 3 2 1) #(2 3) 2 #(1 3 4)))'),
]


def test_array_cases(tmp_path):
    r = run(["--script", script(tmp_path, program("", CASES))], timeout=120)
    assert r.rc == 0, r
    check_output(r.out, CASES)


@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl is not installed")
def test_cases_agree_with_sbcl(tmp_path):
    """The expectations are SBCL's answers (portable CL, not Petrel's)."""
    check_output(sbcl_stdout(script(tmp_path, program("", CASES))), CASES)


def test_vector_push_extend_on_a_vector_that_is_not_adjustable():
    """CLHS: an error when it must extend a vector that is not actually
    adjustable (SBCL makes every fill-pointer vector adjustable, so this is
    Petrel's own check, not in the SBCL-checked table)."""
    r = run(eval_args("(let ((v (make-array 2 :fill-pointer 2)))"
                      " (print (adjustable-array-p v))"
                      " (print (handler-case (vector-push-extend 1 v) (error () :error))))"))
    assert r.rc == 0, r
    assert r.out.split() == ["NIL", ":ERROR"]


def test_error_message_names_array_subscripts_and_dimensions():
    r = run(eval_args("(handler-case (aref (make-array '(2 3)) 1 7)"
                      " (type-error (c) (princ (princ-to-string c))))"))
    assert r.rc == 0, r
    assert "(1 7)" in r.out and "(2 3)" in r.out and "#2A" in r.out, r.out


# Literal arrays of every kind in a compiled file, loaded in a fresh process.
FASL_SOURCE = r"""(defparameter *a* #2A((1 2) (3 "x")))
(defparameter *b* #*1011)
(defparameter *u* #.(make-array 3 :element-type '(unsigned-byte 8) :initial-contents '(7 8 255)))
(defparameter *d* #.(make-array 2 :element-type 'double-float :initial-contents '(1.5d0 -2d0)))
(defparameter *f* #.(make-array 4 :fill-pointer 2 :adjustable t :initial-contents '(a b c d)))
(defun show ()
  (let ((*print-array* t))
    (print (list *a* *b* *u* *d* *f* (array-element-type *u*) (array-element-type *d*)
                 (adjustable-array-p *f*) (fill-pointer *f*) (aref *f* 3)))))
"""
FASL_OUT = '(#2A((1 2) (3 "x")) #*1011 #(7 8 255) #(1.5d0 -2.0d0) #(A B) (UNSIGNED-BYTE 8) DOUBLE-FLOAT T 2 D)'


def test_array_constants_in_compiled_files(tmp_path):
    src = tmp_path / "arr.lisp"
    src.write_text(FASL_SOURCE)
    fasl = tmp_path / "arr.fasl"
    r = run(eval_args(f'(compile-file "{src}" :output-file "{fasl}")'), torture=False, timeout=60)
    assert r.rc == 0 and fasl.exists(), r
    r = run(eval_args(f'(load "{fasl}")', "(show)"), torture=False, timeout=60)
    assert r.rc == 0, r
    assert r.out.strip() == FASL_OUT


def test_arrays_survive_a_saved_core(tmp_path):
    core = tmp_path / "arr.core"
    r = run(eval_args(
        "(defparameter *a* (make-array '(2 2) :element-type '(signed-byte 32) :initial-contents '((1 -2) (3 4))))",
        "(defparameter *s* (make-array 0 :element-type 'character :fill-pointer 0 :adjustable t))",
        "(format *s* \"saved\")",
        "(defparameter *b* (make-array 70 :element-type 'bit :initial-element 1))",
        f'(petrel-ext:save-lisp-and-die "{core}")'), torture=False, timeout=60)
    assert r.rc == 0 and core.exists(), r
    r = run(["--core", str(core)] + eval_args(
        "(vector-push-extend #\\! *s*)",
        "(print (list (aref *a* 0 1) (array-element-type *a*) *s* (count 1 *b*)))"), torture=False)
    assert r.rc == 0, r
    assert r.out.strip() == '(-2 (SIGNED-BYTE 32) "saved!" 70)'


def test_array_layer_under_gc_torture(tmp_path):
    """Every path that allocates while holding arrays in C locals (double
    elements, growing vectors, adjust-array, printing, equalp) with a
    collection every 50 allocations."""
    text = r"""
(let ((v (make-array 0 :adjustable t :fill-pointer 0))
      (d (make-array 0 :element-type 'double-float :adjustable t :fill-pointer 0))
      (s (make-array 0 :element-type 'character :adjustable t :fill-pointer 0)))
  (dotimes (i 500)
    (vector-push-extend (list i) v)
    (vector-push-extend (float i 1d0) d)
    (vector-push-extend (code-char (+ 65 (mod i 26))) s))
  (let ((m (make-array '(20 25) :displaced-to v)))
    (adjust-array v 600 :initial-element :new)
    (print (list (length v) (car (aref v 499)) (reduce #'+ d) (subseq s 0 5)
                 (length (prin1-to-string m)) (equalp d (map 'vector #'identity d))
                 (car (aref m 19 24))))))
"""
    r = run(["--script", script(tmp_path, text)], env={"PETREL_GC_TORTURE": "50"}, timeout=120)
    assert r.rc == 0, r
    assert r.out.split()[:3] == ["(500", "499", "124750.0d0"], r.out


def test_print_readably_keeps_element_types():
    """*print-readably*: a specialised array prints as a #. form that reads
    back with its element type; without *read-eval*, print-not-readable."""
    r = run(eval_args(
        "(let ((*print-readably* t))"
        " (dolist (a (list (make-array 3 :element-type '(unsigned-byte 8) :initial-contents '(1 2 3))"
        "                  (make-array '(2 2) :element-type 'double-float :initial-element 1d0)"
        "                  (make-array 4 :element-type 'bit :initial-element 1)"
        "                  (make-array '(2 1) :initial-element 'x)))"
        "   (let ((b (read-from-string (prin1-to-string a))))"
        "     (print (list (equalp a b) (equal (array-element-type a) (array-element-type b)))))))",
        "(print (let ((*print-readably* t) (*read-eval* nil))"
        " (handler-case (prin1-to-string (make-array 2 :element-type 'fixnum)) (print-not-readable () :pnr))))"))
    assert r.rc == 0, r
    assert r.out.split() == ["(T", "T)"] * 4 + [":PNR"]
