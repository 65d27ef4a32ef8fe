"""End-to-end tests of generalised references (CLHS 5.1; issue 4 item 6):
SETF over the standard places, GET-SETF-EXPANSION, DEFSETF (short and long),
DEFINE-SETF-EXPANDER, DEFINE-MODIFY-MACRO, PSETF SHIFTF ROTATEF PUSH PUSHNEW
POP INCF DECF REMF, symbol-macro places, and evaluation order (each subform of
a place evaluated once, left to right: CLHS 5.1.1.1).

CASES pairs a form with the printed list of its values.  The expected strings
were produced by SBCL (`sbcl --script`); test_cases_agree_with_sbcl re-checks
them whenever sbcl is installed, so they stay portable CL, not Petrel's word.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_setf.py
"""
import shutil

import pytest

from case_table import check_output, program, sbcl_stdout
from test_cli import run, script

# Definitions the cases use: setf functions, defsetf short and long forms
# (with &optional, &key, &rest, &environment and several store variables),
# define-setf-expander, define-modify-macro, symbol and ordinary macros.
PRELUDE = r"""
(define-symbol-macro sf-gsm (car *sf-cell*))
(defparameter *sf-cell* (list 1 2))
(defmacro sf-my-car (x) `(car ,x))
(defun (setf sf-elem) (new v i) (setf (svref v i) new))
(defun sf-elem (v i) (svref v i))
(defun sf-first-of (l) (car l))
(defun sf-set-first (l v) (rplaca l v) v)
(defsetf sf-first-of sf-set-first)
(defun sf-sub (seq &optional (start 0) &key (end 2)) (subseq seq start end))
(defsetf sf-sub (seq &optional (start 0) &key (end 2)) (new)
  `(progn (setf (subseq ,seq ,start ,end) ,new) ,new))
(defsetf sf-pair (x) (a b) `(progn (setf (car ,x) ,a (cdr ,x) ,b) (values ,a ,b)))
(defsetf sf-rest-place (x &rest idx) (new) `(setf (aref ,x (+ ,@idx)) ,new))
(defmacro sf-car-macro (x) `(car ,x))
(defsetf sf-env-place (x &environment env) (new)
  ;; The environment is usable: expand a macro place through it.
  (multiple-value-bind (temps vals stores store) (get-setf-expansion `(sf-car-macro ,x) env)
    `(let* (,@(mapcar #'list temps vals) (,(car stores) ,new)) ,store)))
(define-setf-expander sf-lastcar (x &environment env)
  (multiple-value-bind (temps vals stores store access) (get-setf-expansion x env)
    (declare (ignore stores store))
    (let ((new (gensym)) (tmp (gensym)))
      (values (append temps (list tmp)) (append vals (list `(last ,access))) (list new)
              `(progn (rplaca ,tmp ,new) ,new) `(car ,tmp)))))
(define-modify-macro sf-appendf (&rest lists) append)
(define-modify-macro sf-mulf (&optional (factor 2)) *)
(defmacro sf-eval-expansion (place value &environment env)
  ;; Builds the SETF by hand from GET-SETF-EXPANSION's five values.
  (multiple-value-bind (temps vals stores store access) (get-setf-expansion place env)
    `(let* (,@(mapcar #'list temps vals))
       (multiple-value-bind ,stores ,value
         (list ,store ,access)))))
(defmacro sf-gse-symbol-macro (place &environment env)
  (multiple-value-bind (temps vals stores store access) (get-setf-expansion place env)
    `(let* (,@(mapcar #'list temps vals))
       (list ,access (multiple-value-bind ,stores 99 ,store)))))
"""

CASES = [
    # variables and the cons places
    ('(let ((x 1)) (list (setf x 2) x))',
     '((2 2))'),
    ("(let ((x (list 1 2 3 4 5))) (setf (car x) 'a (cadr x) 'b (caddr x) 'c (cdddr x) '(d)) x)",
     '((A B C D))'),
    ('(setf)',
     '(NIL)'),
    ('(let ((x (list 1 2 3))) (setf (first x) 10 (second x) 20 (third x) 30) x)',
     '((10 20 30))'),
    ("(let ((x (list 1 2 3 4 5 6 7 8 9 10 11))) (setf (fourth x) 'd (fifth x) 'e (sixth x) 'f (seventh x) 'g (eighth x) 'h (ninth x) 'i (tenth x) 'j) x)",
     '((1 2 3 D E F G H I J 11))'),
    ("(let ((x (list 1 2 3))) (setf (rest x) '(z)) x)",
     '((1 Z))'),
    ("(let ((x (list 1 2 3))) (list (setf (nth 2 x) 'n) x))",
     '((N (1 2 N)))'),
    ("(let ((x (list (list 1 2) (list 3 4)))) (setf (caar x) 'a (cdar x) '(b) (cadadr x) 'c) x)",
     '(((A B) (3 C)))'),
    ("(let ((x (list (list (list (list 1)))))) (setf (caaaar x) 'deep) x)",
     '(((((DEEP)))))'),
    ('(let ((x (list 1 2 3 4 5))) (setf (cddddr x) nil) x)',
     '((1 2 3 4))'),
    ('(let ((x (list 1 2))) (setf (cadr x) (values 10 20)))',
     '(10)'),
    # arrays, sequences, strings
    ("(let ((v (vector 1 2 3))) (setf (aref v 0) 'a (svref v 1) 'b (elt v 2) 'c) v)",
     '(#(A B C))'),
    ('(let ((s (copy-seq "abc"))) (setf (char s 0) #\\x (schar s 1) #\\y) s)',
     '("xyc")'),
    ("(let ((l (list 1 2 3))) (setf (elt l 1) 'e) l)",
     '((1 E 3))'),
    ("(let ((s (list 1 2 3 4 5))) (list (setf (subseq s 1 3) '(a b c d)) s))",
     '(((A B C D) (1 A B 4 5)))'),
    ('(let ((s (copy-seq "hello"))) (setf (subseq s 1) "EY") s)',
     '("hEYlo")'),
    ("(let ((v (vector 1 2 3))) (setf (apply #'aref v (list 1)) 'z) v)",
     '(#(1 Z 3))'),
    # symbols and property lists
    ("(progn (setf (symbol-value 'sf-global-1) 42) (symbol-value 'sf-global-1))",
     '(42)'),
    ("(progn (setf (symbol-function 'sf-fn-1) (lambda (x) (* x 2))) (sf-fn-1 21))",
     '(42)'),
    ("(progn (setf (fdefinition 'sf-fn-2) (lambda () :ok)) (sf-fn-2))",
     '(:OK)'),
    ("(progn (setf (symbol-plist 'sf-sym-1) (list 'a 1)) (get 'sf-sym-1 'a))",
     '(1)'),
    ("(progn (setf (get 'sf-sym-2 'color) 'red) (list (get 'sf-sym-2 'color) (setf (get 'sf-sym-2 'color 'dflt) 'blue) (get 'sf-sym-2 'color)))",
     '((RED BLUE BLUE))'),
    ('(let ((pl (list :a 1))) (setf (getf pl :b) 2) (setf (getf pl :a) 10) pl)',
     '((:B 2 :A 10))'),
    ('(let ((pl nil)) (incf (getf pl :count 0)) (incf (getf pl :count 0)) pl)',
     '((:COUNT 2))'),
    ('(let ((pl (list :a 1 :b 2 :c 3))) (list (remf pl :b) (copy-list pl) (remf pl :a) (copy-list pl) (remf pl :z) pl))',
     '((T (:A 1 :C 3) T (:C 3) NIL (:C 3)))'),
    ('(let ((x (list (list :a 1)))) (list (remf (car x) :a) x))',
     '((T (NIL)))'),
    ("(progn (setf (macro-function 'sf-m) (lambda (form env) (declare (ignore env)) (list 'quote (cdr form)))) (eval '(sf-m 1 2)))",
     '((1 2))'),
    ("(progn (setf (fdefinition '(setf sf-q)) (lambda (n x) (setf (car x) n))) (let ((l (list 1))) (setf (sf-q l) 5) l))",
     '((5))'),
    ("(let ((x (list 1 2))) (symbol-macrolet ((s (car x))) (let ((s 10)) (setf s 20) (list s x))))",
     '((20 (1 2)))'),
    ("(let ((pl (list (list :a 1)))) (setf (getf (car pl) :b) 2) pl)",
     '(((:B 2 :A 1)))'),
    ("(let ((x 5)) (incf (the fixnum x) 2) x)",
     '(7)'),
    ("(let ((a 1) (b 2)) (setf (values a b) (values b a)) (list a b))",
     '((2 1))'),
    # THE and VALUES places
    ('(let ((x (list 1 2))) (setf (the integer (car x)) 5) x)',
     '((5 2))'),
    ('(let (a b c) (list (multiple-value-list (setf (values a b c) (values 1 2))) a b c))',
     '(((1 2 NIL) 1 2 NIL))'),
    ('(let ((x (list 1 2))) (setf (values (car x) (cadr x)) (floor 7 2)) x)',
     '((3 1))'),
    # psetf shiftf rotatef
    ('(let ((x 1) (y 2)) (psetf x y y x) (list x y))',
     '((2 1))'),
    ('(let ((x (list 1 2))) (list (psetf (car x) (cadr x) (cadr x) (car x)) x))',
     '((NIL (2 1)))'),
    ('(let ((x 1) (y 2)) (list (shiftf x y 3) x y))',
     '((1 2 3))'),
    ("(let ((x (list 1 2 3))) (list (shiftf (car x) (cadr x) (caddr x) 'z) x))",
     '((1 (2 3 Z)))'),
    ('(let ((x 1) (y 2) (z 3)) (list (rotatef x y z) x y z))',
     '((NIL 2 3 1))'),
    ('(let ((x 1)) (list (rotatef x) x))',
     '((NIL 1))'),
    ('(rotatef)',
     '(NIL)'),
    ('(let ((v (vector 1 2 3 4))) (rotatef (aref v 0) (aref v 3)) v)',
     '(#(4 2 3 1))'),
    # push pushnew pop incf decf
    ('(let ((l nil)) (push 1 l) (list (push 2 l) l))',
     '(((2 1) (2 1)))'),
    ('(let ((l (list nil))) (push 1 (car l)) (push 2 (car l)) l)',
     '(((2 1)))'),
    ('(let ((l (list 1 2))) (pushnew 1 l) (pushnew 3 l) l)',
     '((3 1 2))'),
    ("(let ((l (list (list 1 'a)))) (pushnew (list 1 'b) l :key #'car) (pushnew (list 2 'c) l :key #'car) l)",
     '(((2 C) (1 A)))'),
    ('(let ((l (list "a"))) (pushnew "a" l :test #\'equal) (pushnew "b" l :test #\'equal) l)',
     '(("b" "a"))'),
    ("(let ((l (list 1 2))) (pushnew 1 l :test-not #'eql) l)",
     '((1 2))'),
    ('(let ((l (list 1 2 3))) (list (pop l) (pop l) l))',
     '((1 2 (3)))'),
    ('(let ((l (list (list 1 2)))) (list (pop (car l)) l))',
     '((1 ((2))))'),
    ('(let ((x 5)) (list (incf x) (incf x 10) (decf x) (decf x 3) x))',
     '((6 16 15 12 12))'),
    ('(let ((v (vector 1 2))) (list (incf (aref v 1) 5) v))',
     '((7 #(1 7)))'),
    # each subform once, left to right (CLHS 5.1.1.1)
    ('(let ((i 0) (v (vector 0 0 0 0))) (incf (aref v (incf i))) (list i v))',
     '((1 #(0 1 0 0)))'),
    ('(let ((i 0) (v (vector 0 0 0 0))) (setf (aref v (incf i)) (incf i)) (list i v))',
     '((2 #(0 2 0 0)))'),
    ("(let ((i -1) (v (vector 'a 'b 'c 'd))) (rotatef (aref v (incf i)) (aref v (incf i)) (aref v (incf i))) (list i v))",
     '((2 #(B C A D)))'),
    ("(let ((i -1) (v (vector 'a 'b 'c 'd))) (list (shiftf (aref v (incf i)) (aref v (incf i)) 'new) i v))",
     '((A 1 #(B NEW C D)))'),
    ("(let ((order nil) (l (list 1 2 3))) (push (progn (push 'item order) 'x) (nth (progn (push 'idx order) 1) (progn (push 'list order) l))) (list (reverse order) l))",
     '(((ITEM IDX LIST) (1 (X . 2) 3)))'),
    ("(let ((order nil) (pl (list :a 1))) (setf (getf pl (progn (push 'ind order) :a) (progn (push 'def order) 0)) (progn (push 'val order) 5)) (list (reverse order) pl))",
     '(((IND DEF VAL) (:A 5)))'),
    ("(let ((order nil) (x (list 1 2)) (y (list 3 4))) (psetf (car (progn (push 'p1 order) x)) (progn (push 'v1 order) 10) (car (progn (push 'p2 order) y)) (progn (push 'v2 order) 20)) (list (reverse order) x y))",
     '(((P1 V1 P2 V2) (10 2) (20 4)))'),
    ('(let ((n 0) (l (list (list 1 2) (list 3 4)))) (pop (nth (incf n) l)) (list n l))',
     '((1 ((1 2) (4))))'),
    ('(let ((n 0) (pl (list (list :a 1 :b 2)))) (remf (nth (prog1 n (incf n)) pl) :b) (list n pl))',
     '((1 ((:A 1))))'),
    ('(let ((k 0) (l (list 1 2))) (pushnew (incf k) (cdr (progn (incf k) l))) (list k l))',
     '((2 (1 1 2)))'),
    ('(let ((i 0) (v (vector 1 2 3))) (list (decf (svref v (incf i)) (incf i)) i v))',
     '((0 2 #(1 0 3)))'),
    # symbol macros, local and global, and macro places
    ('(let ((x (list 1 2 3))) (symbol-macrolet ((h (car x)) (tl (cdr x))) (setf h 9) (incf h) (push 0 tl) (pop tl) (list h x)))',
     '((10 (10 2 3)))'),
    ("(progn (setf sf-gsm 'g) (incf (cadr *sf-cell*)) *sf-cell*)",
     '((G 3))'),
    ("(let ((l (list 1 2))) (setf (sf-my-car l) 'm) (incf (sf-my-car (cdr l))) l)",
     '((M 3))'),
    ("(let ((l (list 1 2))) (macrolet ((lm (x) `(cadr ,x))) (setf (lm l) 'local)) l)",
     '((1 LOCAL))'),
    ("(let ((l (list 1 2))) (macrolet ((sf-first-of (y) `(cadr ,y))) (setf (sf-first-of l) 'm)) l)",
     '((1 M))'),
    # setf functions, defsetf, define-setf-expander, define-modify-macro
    ("(let ((v (vector 1 2))) (list (setf (sf-elem v 1) 'x) (incf (sf-elem v 0)) v))",
     '((X 2 #(2 X)))'),
    ("(let ((l (list 1 2))) (list (setf (sf-first-of l) 'a) (push 'p (sf-first-of l)) l))",
     '((A (P . A) ((P . A) 2)))'),
    ("(let ((v (vector 1 2 3 4 5))) (setf (sf-sub v) '(a b)) (setf (sf-sub v 2 :end 4) '(c d)) v)",
     '(#(A B C D 5))'),
    ("(let ((c (cons 1 2))) (list (multiple-value-list (setf (sf-pair c) (values 'x 'y))) c))",
     '(((X Y) (X . Y)))'),
    ("(let ((v (vector 0 0 0 0))) (setf (sf-rest-place v 1 2) 'r) v)",
     '(#(0 0 0 R))'),
    ("(let ((l (list 1 2 3))) (list (setf (sf-lastcar l) 'end) (incf (sf-lastcar (cdr (list 1 5)))) l))",
     '((END 6 (1 2 END)))'),
    ("(let ((x (list 1))) (sf-appendf x '(2) '(3)) x)",
     '((1 2 3))'),
    ('(let ((x 3) (v (vector 5))) (sf-mulf x) (sf-mulf (aref v 0) 10) (list x v))',
     '((6 #(50)))'),
    ("(let ((l (list 1 2))) (list (setf (sf-env-place l) 'e) l))",
     '((E (E 2)))'),
    # get-setf-expansion
    ("(multiple-value-bind (temps vals stores store access) (get-setf-expansion 'foo) (list temps vals (length stores) (car store) (eq (cadr store) 'foo) access))",
     '((NIL NIL 1 SETQ T FOO))'),
    ("(multiple-value-bind (temps vals stores store access) (get-setf-expansion '(car (foo))) (list (length temps) vals (length stores) (consp store) (car access)))",
     '((1 ((FOO)) 1 T CAR))'),
    ('(let ((x (list 1 2))) (list (sf-eval-expansion (cadr x) 7) x))',
     '(((7 7) (1 7)))'),
    ('(let ((x (list 1 2))) (symbol-macrolet ((h (cadr x))) (list (sf-gse-symbol-macro h) x)))',
     '(((2 99) (1 99)))'),
    ("(length (multiple-value-list (get-setf-expansion '(aref v 1))))",
     '(5)'),
    # errors
    ("(let ((l (list 1 2))) (flet ((sf-first-of (y) (cadr y))) (declare (ignorable (function sf-first-of))) (handler-case (setf (sf-first-of l) 'z) (undefined-function () :undefined-function))))",
     '(:UNDEFINED-FUNCTION)'),
    ('(handler-case (setf (sf-undefined-accessor 1) 2) (undefined-function () :undefined-function))',
     '(:UNDEFINED-FUNCTION)'),
    ("(handler-case (eval '(setf x)) (error () :error))",
     '(:ERROR)'),
    ("(handler-case (eval '(let ((x 0) (y 0)) (psetf x 1 y))) (error () :error))",
     '(:ERROR)'),
    ("(handler-case (eval '(setf (car (list 1) 2) 1)) (error () :error))",
     '(:ERROR)'),
    ("(handler-case (eval '(setf (get 'a) 1)) (error () :error))",
     '(:ERROR)'),
    # a local setf function (flet/labels of (setf name)) shadows the global one
    ("(let ((c (list 1))) (flet (((setf kar) (v c) (setf (car c) (* 10 v)))) (setf (kar c) 5) (list c (funcall #'(setf kar) 7 c) c)))",
     '(((70) 70 (70)))'),
]


def test_setf_cases(tmp_path):
    r = run(["--script", script(tmp_path, program(PRELUDE, CASES))], timeout=120)
    assert r.rc == 0, r
    check_output(r.out, CASES)


@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl is not installed")
def test_cases_agree_with_sbcl(tmp_path):
    """The expectations are SBCL's answers (portable CL, not Petrel's)."""
    check_output(sbcl_stdout(script(tmp_path, program(PRELUDE, CASES))), CASES)


# ---------------------------------------------------------------- errors

def lisp_values(tmp_path, text):
    r = run(["--script", script(tmp_path, text)], torture=False)
    assert r.rc == 0, r
    return r.out.split()


def test_malformed_places_are_program_errors(tmp_path):
    """Expansion-time errors (odd argument counts, constants and non-places,
    bad defsetf / define-modify-macro syntax) are PROGRAM-ERRORs."""
    forms = [
        "(setf x)", "(psetf x 1 y)", "(shiftf x)", "(setf 1 2)", "(setf nil 1)",
        "(setf :key 1)", "(setf sf-constant 3)", "(setf ((lambda (x) x) y) 1)",
        "(incf 5)", "(push 1 \"string\")",
        "(defsetf sf-bad (x) (1) x)",
        "(define-modify-macro sf-bad-modify (&key k) list)",
        "(get-setf-expansion 42)",
    ]
    text = "(defconstant sf-constant 1)\n" + "".join(
        f"(print (handler-case (progn (macroexpand-1 '{f}) (eval '{f}) :no-error)"
        f" (program-error () :program-error) (error (c) (type-of c))))\n"
        for f in forms)
    assert lisp_values(tmp_path, text) == [":PROGRAM-ERROR"] * len(forms)


def test_missing_setf_function_is_undefined_function_at_run_time(tmp_path):
    """(setf (f ...) v) with no expander calls #'(setf f): compiling it is
    fine, running it signals UNDEFINED-FUNCTION naming (SETF F)."""
    text = """
(defun sf-later () (setf (sf-no-such-accessor 1) 2))
(print (handler-case (sf-later)
         (undefined-function (c) (list :undefined (cell-error-name c)))))
(defun (setf sf-no-such-accessor) (new x) (declare (ignore x)) new)
(print (sf-later))
"""
    assert lisp_values(tmp_path, text) == ["(:UNDEFINED", "(SETF", "SF-NO-SUCH-ACCESSOR))", "2"]


def test_unsupported_operator_places_fail_at_expansion(tmp_path):
    """LDB, MASK-FIELD, BIT, SBIT and GETHASH places need their operators:
    while those are missing, expanding the place is a PROGRAM-ERROR rather
    than code that fails later."""
    text = """
(dolist (place '((ldb (byte 2 0) x) (mask-field (byte 2 0) x) (bit v 0) (sbit v 0) (gethash k h)))
  (print (if (fboundp (if (eq (car place) 'ldb) 'dpb
                          (if (eq (car place) 'mask-field) 'deposit-field (car place))))
             :supported
             (handler-case (progn (get-setf-expansion place) :expanded)
               (program-error () :program-error)))))
"""
    assert set(lisp_values(tmp_path, text)) <= {":PROGRAM-ERROR", ":SUPPORTED"}


def test_expansion_shape(tmp_path):
    """GET-SETF-EXPANSION's five values (CLHS 5.1.1.2): fresh store variables
    on every call, the same number of temporaries as value forms, constant
    subforms need no temporary."""
    text = """
(multiple-value-bind (t1 v1 s1) (get-setf-expansion '(aref v (incf i)))
  (multiple-value-bind (t2 v2 s2) (get-setf-expansion '(aref v (incf i)))
    (print (list (= (length t1) (length v1)) (equal v1 v2)
                 (not (eq (car s1) (car s2))) (not (eq (car t1) (car t2)))))))
(print (nth-value 1 (get-setf-expansion '(svref v 3))))
"""
    assert lisp_values(tmp_path, text) == ["(T", "T", "T", "T)", "(V)"]
