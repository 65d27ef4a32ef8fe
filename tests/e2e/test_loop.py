"""End-to-end tests of the LOOP facility (CLHS 6.1; issue 8 item 6): the
simple loop, and the extended loop's clauses — NAMED, WITH, INITIALLY and
FINALLY, FOR/AS (arithmetic, IN, ON, =/THEN, ACROSS, BEING hash tables and
packages, destructuring, AND for parallel stepping), the accumulations with
INTO and types, WHILE UNTIL REPEAT ALWAYS NEVER THEREIS LOOP-FINISH, the
conditionals with IT, ELSE and END, DO and RETURN.

CASES pairs a form with the printed list of its values.  The expected strings
were produced by SBCL (`sbcl --script`); test_cases_agree_with_sbcl re-checks
them whenever sbcl is installed, so they stay portable CL, not Petrel's word.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_loop.py
"""
import shutil

import pytest

from case_table import check_output, program, sbcl_stdout
from test_cli import run, script

PRELUDE = r"""
(defvar *lp-log* nil)
(defun lp-note (x) (push x *lp-log*) x)
(defpackage "LP-PKG" (:use) (:export "EX1" "EX2") (:intern "IN1"))
"""

CASES = [
    # the simple loop (CLHS 6.1.1.1.1)
    ('(let ((i 0)) (loop (incf i) (when (> i 3) (return i))))', '(4)'),
    ("(loop (return (values 1 2)))", '(1 2)'),
    ("(block nil (loop (return-from nil 'out)))", '(OUT)'),

    # arithmetic FOR (CLHS 6.1.2.1.1)
    ('(loop for i from 1 to 5 collect i)', '((1 2 3 4 5))'),
    ('(loop for i below 4 collect i)', '((0 1 2 3))'),
    ('(loop for i upto 2 collect i)', '((0 1 2))'),
    ('(loop for i from 0 below 10 by 3 collect i)', '((0 3 6 9))'),
    ('(loop for i upfrom 5 below 8 collect i)', '((5 6 7))'),
    ('(loop for i from 10 downto 1 by 3 collect i)', '((10 7 4 1))'),
    ('(loop for i from 3 above 0 collect i)', '((3 2 1))'),
    ('(loop for i downfrom 3 to 1 collect i)', '((3 2 1))'),
    ('(loop for i downfrom 3 above 1 collect i)', '((3 2))'),
    ('(loop for i by 2 from 1 to 7 collect i)', '((1 3 5 7))'),
    ('(loop for i from 5 to 1 collect i)', '(NIL)'),
    ('(loop for i from 1 downto 5 collect i)', '(NIL)'),
    ('(loop for i from 1 to 1 collect i)', '((1))'),
    ('(loop for i from 1.0 to 2.0 by 0.5 collect i)', '((1.0 1.5 2.0))'),
    ('(loop for i from 1/2 to 2 collect i)', '((1/2 3/2))'),
    ('(let ((x 1)) (loop for i from x by (incf x) to 10 collect i))', '((1 3 5 7 9))'),
    ('(let ((x 1)) (loop for i by (incf x) from x to 10 collect i))', '((2 4 6 8 10))'),
    ("(let ((n 0)) (loop for i from 0 to (progn (incf n) 3) do (+ i 1)) n)", '(1)'),
    ('(loop for i from 0 for j from 10 by 2 repeat 3 collect (list i j))', '(((0 10) (1 12) (2 14)))'),
    ('(loop for i fixnum from 1 to 3 sum i)', '(6)'),
    ('(loop for i of-type (integer 0 10) from 1 to 3 collect i)', '((1 2 3))'),
    ('(loop for nil from 1 to 3 count t)', '(3)'),

    # IN and ON (CLHS 6.1.2.1.2, 6.1.2.1.3)
    ("(loop for x in '(a b c) collect x)", '((A B C))'),
    ("(loop for x in '() collect x)", '(NIL)'),
    ("(loop for x in '(1 2 3 4 5 6) by #'cddr collect x)", '((1 3 5))'),
    ("(loop for x in '(1 2 3 4 5 6) by 'cdddr collect x)", '((1 4))'),
    ("(let ((f #'cddr)) (loop for x in '(1 2 3 4 5) by f collect x))", '((1 3 5))'),
    ("(loop for x on '(1 2 3) collect x)", '(((1 2 3) (2 3) (3)))'),
    ("(loop for x on '(1 2 3 . 4) collect x)", '(((1 2 3 . 4) (2 3 . 4) (3 . 4)))'),
    ("(loop for x on '(1 2 3 4 5) by #'cddr collect x)", '(((1 2 3 4 5) (3 4 5) (5)))'),
    ("(loop for (a b) on '(1 2 3 4) by #'cddr collect (+ a b))", '((3 7))'),
    ("(loop for x on '() collect x)", '(NIL)'),
    ("(loop for x of-type symbol in '(a b) collect x)", '((A B))'),

    # = and THEN (CLHS 6.1.2.1.4)
    ("(loop for item = 1 then (+ item 10) for i from 1 to 5 collect item)", '((1 11 21 31 41))'),
    ("(loop for x in '(1 2 3) for y = (* x 10) collect y)", '((10 20 30))'),
    ("(loop for x in '(1 2 3) for y = 0 then x collect y)", '((0 2 3))'),
    ("(let ((n 0)) (loop for x = (incf n) repeat 3 collect x))", '((1 2 3))'),

    # AND: parallel binding and stepping (CLHS 6.1.2.1)
    ("(loop for x in '(1 2 3) and y = 0 then x collect y)", '((0 1 2))'),
    ("(loop for x = 1 then (+ x 1) and y = x then (list x) repeat 3 collect y)", '((NIL (1) (2)))'),
    ("(loop for a = 0 then b and b = 1 then (+ a b) repeat 8 collect a)", '((0 1 1 2 3 5 8 13))'),
    ("(let ((x 5)) (loop for x from 1 to 3 and y = x collect y))", '((1 1 2))'),
    ("(loop for x in '(1 2 3) and y = x collect y)", '((NIL 1 2))'),
    ("(loop for x in '(a b c) and i from 0 collect (list i x))", '(((0 A) (1 B) (2 C)))'),

    # ACROSS (CLHS 6.1.2.1.5)
    ('(loop for c across "abc" collect c)', '((#\\a #\\b #\\c))'),
    ("(loop for x across #(1 2 3) sum x)", '(6)'),
    ('(loop for x across "" collect x)', '(NIL)'),
    ("(loop for (a . b) across (vector '(1 . 2) '(3 . 4)) collect (+ a b))", '((3 7))'),
    ("(loop for x across (vector 5 6) for i from 0 collect (cons i x))", '(((0 . 5) (1 . 6)))'),

    # BEING the symbols of a package (CLHS 6.1.2.1.7)
    ('(sort (loop for s being the external-symbols of "LP-PKG" collect (symbol-name s)) #\'string<)',
     '(("EX1" "EX2"))'),
    ('(sort (loop for s being each present-symbol in (find-package "LP-PKG") collect (symbol-name s)) #\'string<)',
     '(("EX1" "EX2" "IN1"))'),
    ('(sort (loop for s being the symbols of "LP-PKG" collect (symbol-name s)) #\'string<)',
     '(("EX1" "EX2" "IN1"))'),
    ('(let ((*package* (find-package "LP-PKG"))) (loop for s being the symbols count s))', '(3)'),

    # destructuring (CLHS 6.1.1.7)
    ("(loop for (a nil . c) in '((1 2 3) (4 5 6)) collect (list a c))", '(((1 (3)) (4 (6))))'),
    ("(loop for (a (b c)) in '((1 (2 3)) (4 (5 6))) collect (+ a b c))", '((6 15))'),
    ("(loop for (a . b) in '((1 . 2) (3 . 4)) sum (* a b))", '(14)'),
    ("(loop for (a b) in '((1) (2 3 4)) collect (list a b))", '(((1 NIL) (2 3)))'),
    ("(loop for (a b) (fixnum fixnum) in '((1 2)) collect (+ a b))", '((3))'),
    ("(loop for (a b) = '(1 2) then (list b a) repeat 3 collect a)", '((1 2 1))'),

    # WITH (CLHS 6.1.2.2)
    ("(loop with a = 1 with b = (+ a 1) return (list a b))", '((1 2))'),
    ("(let ((a 10)) (loop with a = 1 and b = a return (list a b)))", '((1 10))'),
    ("(loop with x fixnum with y float with z return (list x y z))", '((0 0.0 NIL))'),
    ("(loop with x of-type integer with y of-type double-float return (list x y))", '((0 0.0d0))'),
    ("(loop with (a (b) . c) = '(1 (2) 3 4) return (list a b c))", '((1 2 (3 4)))'),
    ("(loop with (a nil c) = '(1 2 3) return (list a c))", '((1 3))'),

    # INITIALLY, FINALLY, NAMED, RETURN (CLHS 6.1.7, 6.1.5)
    ("(let ((*lp-log* nil)) (loop for x in '(1 2) initially (lp-note 'start) do (lp-note x) finally (lp-note 'end)) (reverse *lp-log*))",
     '((START 1 2 END))'),
    ("(let ((*lp-log* nil)) (loop for x in '() initially (lp-note 'start) finally (lp-note 'end)) (reverse *lp-log*))",
     '((START END))'),
    ("(loop for x in '(1 2 3) finally (return 'done))", '(DONE)'),
    ("(loop for x in '(1 2 3) sum x into s finally (return (* s 2)))", '(12)'),
    ("(loop for x in '(1 2 3) collect x finally (return 'overridden))", '(OVERRIDDEN)'),
    ("(loop named foo for i from 0 do (when (= i 3) (return-from foo (values i 'x))))", '(3 X)'),
    ("(block nil (loop named outer for x in '(1 2) do (return (list :nil x))))", '((:NIL 1))'),
    ("(loop for x in '(1 2 3) when (= x 2) return (* x 100))", '(200)'),
    ("(loop named b for x in '(1 2 3) when (= x 2) return x)", '(2)'),
    ("(loop for i from 1 return i)", '(1)'),
    ("(loop for x in '(1 2 3) do (lp-note x) (lp-note (- x)) finally (return :ok))", '(:OK)'),
    ("(loop for x in '(1 2) doing (lp-note x))", '(NIL)'),

    # accumulation (CLHS 6.1.3)
    ("(loop for x in '(1 2) append (list x x))", '((1 1 2 2))'),
    ("(loop for x in '((1) () (2 3)) appending x)", '((1 2 3))'),
    ("(loop for x in '(1 2) nconc (list x x))", '((1 1 2 2))'),
    ("(let ((l (list 1 2))) (loop for x in (list l) append x) (eq l (loop for x in (list l) append x)))", '(NIL)'),
    ("(loop for x in '(1 nil 3 nil) count x)", '(2)'),
    ("(loop for x in '(1 2 3) counting (oddp x))", '(2)'),
    ("(loop for x in '(1 2 3) sum x)", '(6)'),
    ("(loop for x in '(1.5 2) summing x)", '(3.5)'),
    ("(loop for x in '(3 9 2) maximize x)", '(9)'),
    ("(loop for x in '(3 9 2) minimizing x)", '(2)'),
    ("(loop for x in '(-3 -9 -2) maximize x)", '(-2)'),
    ("(loop for x in '() sum x)", '(0)'),
    ("(loop for x in '() count x)", '(0)'),
    ("(loop for x in '() collect x)", '(NIL)'),
    ("(loop for x in '(1 2 3) collect x into r finally (return (nreverse r)))", '((3 2 1))'),
    ("(loop for x in '(1 2 3) sum x into s fixnum count t into n finally (return (/ s n)))", '(2)'),
    ("(loop for x in '(1.0 2.0) sum x into s float finally (return s))", '(3.0)'),
    ("(loop for x in '(3 1 2) minimize x into m maximize x into n finally (return (list m n)))", '((1 3))'),
    ("(loop for x in '(1 2 3) collect x collect (* x 10))", '((1 10 2 20 3 30))'),
    ("(loop for x in '(1 2) collect x append (list :a :b) nconc (list x))", '((1 :A :B 1 2 :A :B 2))'),
    ("(loop for x in '(1 2) collect x into r append (list 0) into r finally (return r))", '((1 0 2 0))'),
    ("(loop for x in '(1 2 3) sum x count (oddp x))", '(8)'),
    ("(loop for x in '(1 5 3) maximize x maximize (* x 2))", '(10)'),
    ("(loop for x in '(1 2 3) collecting x into l counting x into n finally (return (list l n)))", '(((1 2 3) 3))'),

    # termination (CLHS 6.1.4)
    ("(loop for x in '(1 2 3 4) while (< x 3) collect x)", '((1 2))'),
    ("(loop for x in '(1 2 3 4) until (> x 2) collect x)", '((1 2))'),
    ("(loop repeat 3 collect 1)", '((1 1 1))'),
    ("(loop repeat 0 collect 1)", '(NIL)'),
    ("(loop repeat -3 collect 1)", '(NIL)'),
    ("(let ((n 0)) (loop repeat (incf n 2) collect n))", '((2 2))'),
    ("(loop for x in '(1 2 3) always (numberp x))", '(T)'),
    ("(loop for x in '(1 a 3) always (numberp x))", '(NIL)'),
    ("(loop for x in '() always nil)", '(T)'),
    ("(loop for x in '(1 2 3) never (symbolp x))", '(T)'),
    ("(loop for x in '(1 b 3) never (symbolp x))", '(NIL)'),
    ("(loop for x in '(1 2 3) thereis (and (> x 1) (* x 10)))", '(20)'),
    ("(loop for x in '(1 2 3) thereis (> x 5))", '(NIL)'),
    ("(loop for i from 0 thereis (and (> i 10) i))", '(11)'),
    ("(let ((*lp-log* nil)) (list (loop for i from 0 to 10 always (< i 9) finally (lp-note 'no)) *lp-log*))",
     '((NIL NIL))'),
    ("(let ((*lp-log* nil)) (list (loop for i from 1 to 3 thereis (> i 11) finally (lp-note 'yes)) *lp-log*))",
     '((NIL (YES)))'),
    ("(loop for x in '(1 2 3) always (numberp x) finally (return :finally))", '(:FINALLY)'),
    ("(loop for x in '(1 2 3) while (< x 3) always (numberp x))", '(T)'),
    ("(loop for x in '(1 2 3) collect x into r always t finally (return r))", '((1 2 3))'),
    ("(loop for i below 5 when (= i 3) do (loop-finish) collect i)", '((0 1 2))'),
    ("(loop for i from 1 sum i into s when (> s 5) do (loop-finish) finally (return s))", '(6)'),
    ("(loop for x in '(1 2 3) do (lp-note x) while (< x 2))", '(NIL)'),
    ("(loop for x in '(1 2 3 4) while (< x 3) for y = (* x 10) collect y)", '((10 20))'),
    ("(loop repeat 2 for x in '(a b c) collect x)", '((A B))'),

    # conditionals (CLHS 6.1.6)
    ("(loop for x in '(1 2 3 4 5 6) when (evenp x) collect x)", '((2 4 6))'),
    ("(loop for x in '(1 2 3 4 5) unless (evenp x) collect x)", '((1 3 5))'),
    ("(loop for x in '(1 2 3 4) if (oddp x) collect 'o else collect 'e)", '((O E O E))'),
    ("(loop for x in '(1 2 3 4 5 6) when (evenp x) collect x into e else collect x into o end finally (return (list e o)))",
     '(((2 4 6) (1 3 5)))'),
    ("(loop for x in '(1 nil 3) when x collect it)", '((1 3))'),
    ("(loop for x in '(1 2 3) when (find x '(2 3)) return it)", '(2)'),
    ("(loop for x in '((a . 1) (b . 2)) when (cdr x) sum it)", '(3)'),
    ("(loop for x in '(1 2 3) when (oddp x) collect x and collect (* x 10) else collect 0)", '((1 10 0 3 30))'),
    ("(loop for x in '(1 2 3 4) when (evenp x) when (> x 2) collect x else collect (- x) end else collect 0)",
     '((0 -2 0 4))'),
    ("(loop for x in '(1 2 3 4) when (evenp x) if (> x 2) collect x end else collect 0)", '((0 0 4))'),
    ("(loop for x in '(1 2 3 4 5) unless (= x 3) collect x else do (lp-note x) and collect :three)",
     '((1 2 :THREE 4 5))'),
    ("(loop for i from 1 to 3 for j = (* i i) if (oddp i) collect j and sum j into s else count t into c end finally (return (list s c)))",
     '((10 1))'),
    ("(loop for x in '(1 2 3) when (> x 1) do (lp-note x) and return (list :at x))", '((:AT 2))'),
    ("(let ((it 5)) (loop for x in '(1) collect it))", '((5))'),

    # FOR/AS synonyms and order of evaluation
    ("(loop for x in '(a b c) as y from 1 collect (list x y))", '(((A 1) (B 2) (C 3)))'),
    ("(let ((*lp-log* nil)) (loop for x in (lp-note '(1 2)) for y = (lp-note (list x)) do (lp-note :body)) (reverse *lp-log*))",
     '(((1 2) (1) :BODY (2) :BODY))'),

    # BY must be positive; a type error at run time
    ("(handler-case (loop for i from 1 to 10 by (- 1) collect i) (type-error () :type-error))", '(:TYPE-ERROR)'),
    ("(handler-case (loop for i from 1 to 10 by (- 1 1) collect i) (type-error () :type-error))", '(:TYPE-ERROR)'),
]

# Hash-table iteration (CLHS 6.1.2.1.6) needs hash tables; run when they exist.
HASH_PRELUDE = r"""
(defvar *lp-h* (make-hash-table))
(setf (gethash 'a *lp-h*) 1 (gethash 'b *lp-h*) 2 (gethash 'c *lp-h*) 3)
"""

HASH_CASES = [
    ("(sort (loop for k being the hash-keys of *lp-h* using (hash-value v) collect (list k v)) #'< :key #'second)",
     '(((A 1) (B 2) (C 3)))'),
    ("(sort (loop for v being each hash-value in *lp-h* collect v) #'<)", '((1 2 3))'),
    ("(sort (loop for v being the hash-values of *lp-h* using (hash-key k) collect (cons v k)) #'< :key #'car)",
     '(((1 . A) (2 . B) (3 . C)))'),
    ("(loop for k being the hash-key of *lp-h* count k)", '(3)'),
    ("(loop for v being the hash-values of *lp-h* sum v)", '(6)'),
    ("(loop for v being the hash-values of (make-hash-table) collect v)", '(NIL)'),
    ("(loop for k being the hash-keys in *lp-h* thereis (eq k 'b))", '(T)'),
]


def test_loop_cases(tmp_path):
    r = run(["--script", script(tmp_path, program(PRELUDE, CASES))], timeout=120)
    assert r.rc == 0, r
    check_output(r.out, CASES)


@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl is not installed")
def test_cases_agree_with_sbcl(tmp_path):
    """The expectations are SBCL's answers (portable CL, not Petrel's)."""
    check_output(sbcl_stdout(script(tmp_path, program(PRELUDE, CASES))), CASES)
    check_output(sbcl_stdout(script(tmp_path, program(HASH_PRELUDE, HASH_CASES))), HASH_CASES)


def lisp_values(tmp_path, text):
    r = run(["--script", script(tmp_path, text)], torture=False)
    assert r.rc == 0, r
    return r.out.split()


def test_hash_table_clauses(tmp_path):
    """BEING THE HASH-KEYS/HASH-VALUES expand into WITH-HASH-TABLE-ITERATOR;
    skipped while Petrel has no hash tables."""
    if lisp_values(tmp_path, "(print (and (fboundp 'make-hash-table) t))") != ["T"]:
        pytest.skip("hash tables are not there yet")
    r = run(["--script", script(tmp_path, program(HASH_PRELUDE, HASH_CASES))], timeout=120)
    assert r.rc == 0, r
    check_output(r.out, HASH_CASES)


# ---------------------------------------------------------------- errors

MALFORMED = [
    "(loop for x frob 3)",            # unknown FOR preposition
    "(loop for)",                     # missing variable
    "(loop for x)",                   # no preposition
    "(loop for x in)",                # missing form
    "(loop frob 3)",                  # unknown clause keyword
    "(loop for x in '(1) (print x))",  # compound form where a keyword belongs
    "(loop 3)",                       # atom that is no keyword
    "(loop for i from 1 upto 5 downto 0)",  # two limits
    "(loop for i from 1 from 2)",     # two starts
    "(loop for i from 1 by 1 by 2)",  # two steps
    "(loop for i upfrom 1 downto 0)",  # direction conflict
    "(loop for i downto 0)",          # counting down needs FROM
    "(loop for (a b) from 1 to 2)",   # arithmetic variables are not destructured
    "(loop with x = 1 with x = 2)",   # variable bound twice
    "(loop for x in '(1) collect x count x)",      # incompatible default accumulations
    "(loop for x in '(1) collect x into r sum x into r)",  # incompatible into
    "(loop for x in '(1) collect x always t)",     # ALWAYS with a default accumulation
    "(loop for x in '(1) sum x thereis x)",        # THEREIS likewise
    "(loop do)",                      # DO needs a compound form
    "(loop initially 3)",             # so does INITIALLY
    "(loop for x in '(1) named foo)",  # NAMED must be first
    "(loop named (a) do (f))",        # NAMED needs a symbol
    "(loop for x in '(1) collect x into 3)",  # INTO needs a variable
    "(loop for x in '(1) when x while t)",    # WHILE is no selectable clause
    "(loop for x being the frobs of y)",      # unknown BEING iteration
    "(loop for x being the hash-keys of h using (hash-key k))",  # wrong USING
    "(loop with :k = 1)",             # constant as variable
]


def test_malformed_loops_are_program_errors(tmp_path):
    """Malformed loops signal PROGRAM-ERROR at macroexpansion (CLHS 6.1)."""
    text = "".join(
        f"(print (handler-case (progn (macroexpand-1 '{f}) :expanded)"
        f" (program-error () :program-error) (error (c) (type-of c))))\n"
        for f in MALFORMED)
    assert lisp_values(tmp_path, text) == [":PROGRAM-ERROR"] * len(MALFORMED)


def test_error_message_names_the_token(tmp_path):
    text = """
(print (handler-case (macroexpand-1 '(loop for x frob 3)) (program-error (c) (princ-to-string c))))
(print (handler-case (macroexpand-1 '(loop blorp 3)) (program-error (c) (princ-to-string c))))
"""
    out = lisp_values(tmp_path, text)
    joined = " ".join(out)
    assert "FROB" in joined and "BLORP" in joined, joined


def test_loop_finish_outside_loop_is_an_error(tmp_path):
    text = "(print (handler-case (macroexpand-1 '(loop-finish)) (program-error () :program-error)))"
    assert lisp_values(tmp_path, text) == [":PROGRAM-ERROR"]


def test_expansion_evaluates_forms_once(tmp_path):
    """The list, limit and BY forms are evaluated once, in written order; a
    FOR = form once per iteration (CLHS 6.1.2.1)."""
    text = """
(defvar *log* nil)
(defun n (x) (push x *log*) x)
(loop for x in (n '(1 2 3)) by (progn (n :by) #'cdr)
      for i from (n 0) to (n 10) by (n 1) for y = (n :y) do (n :b))
(print (reverse *log*))
"""
    assert lisp_values(tmp_path, text) == ["((1", "2", "3)", ":BY", "0", "10", "1",
                                           ":Y", ":B", ":Y", ":B", ":Y", ":B)"]
