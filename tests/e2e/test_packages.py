"""End-to-end tests of packages (CLHS chapter 11): one program per area,
run by `petrel --script`; the expected stdout is what SBCL prints for the
same program (test_expected_matches_sbcl re-checks that when sbcl is
installed).  Name conflicts (11.1.1.2.5) must be package-errors naming the
package; test_conflict_restarts checks the CONTINUE / KEEP-OLD restarts
once RESTART-CASE exists (Petrel-only: SBCL's restarts differ).

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_packages.py
"""
import shutil

import pytest

from case_table import PETREL, TIMEOUT, check_program_on_petrel, check_program_on_sbcl, run_file

CASES = {
    "names_and_present_symbols": (
        r"""(defun show (x) (format t "~S~%" x))
(defun names (syms) (sort (mapcar #'symbol-name syms) #'string<))
;; make-package, nicknames, find-package, rename, list-all-packages
(let ((p (make-package "PT-A" :nicknames '("PTA" #\Q) :use '())))
  (show (list (package-name p) (length (package-nicknames p)) (eq (find-package "PTA") p) (eq (find-package "Q") p)
              (eq (find-package 'pt-a) p) (and (member p (list-all-packages)) t)))
  (show (handler-case (make-package "PTA") (package-error (c) (list :package-error (not (null (package-error-package c)))))))
  (rename-package p "PT-A2" '("PTA2"))
  (show (list (package-name p) (package-nicknames p) (find-package "PT-A") (find-package "PTA") (eq (find-package "PTA2") p)))
  (show (handler-case (rename-package p "COMMON-LISP") (package-error () :package-error)))
  (show (eq (rename-package p 'pt-a3) p))
  (show (list (package-name p) (package-nicknames p))))
;; intern/export/unexport/import
(let ((a (make-package "PT-B" :use nil)) (b (make-package "PT-C" :use '("PT-B"))))
  (show (package-use-list b))
  (show (package-used-by-list a))
  (let ((x (intern "X" a)))
    (show (multiple-value-list (find-symbol "X" b)))
    (export x a)
    (show (multiple-value-list (find-symbol "X" b)))
    (show (multiple-value-list (find-symbol "X" a)))
    (show (multiple-value-list (intern "X" b)))
    (import x b)
    (show (multiple-value-list (find-symbol "X" b)))
    (unexport x a)
    (show (multiple-value-list (find-symbol "X" a)))
    (show (multiple-value-list (find-symbol "X" b)))
    (show (unintern x b))
    (show (multiple-value-list (find-symbol "X" b)))
    (show (unintern x b))
    (show (symbol-package x))
    (show (unintern x a))
    (show (list (symbol-package x) (multiple-value-list (find-symbol "X" a))))
    (import x b)
    (show (list (eq (symbol-package x) b) (multiple-value-list (find-symbol "X" b))))
    (export x b)
    (show (multiple-value-list (find-symbol "X" b))))
  (unuse-package a b)
  (show (list (package-use-list b) (package-used-by-list a))))
""",
        r"""("PT-A" 2 T T T T)
(:PACKAGE-ERROR T)
("PT-A2" ("PTA2") NIL NIL T)
:PACKAGE-ERROR
T
("PT-A3" NIL)
(#<PACKAGE "PT-B">)
(#<PACKAGE "PT-C">)
(NIL NIL)
(PT-B:X :INHERITED)
(PT-B:X :EXTERNAL)
(PT-B:X :INHERITED)
(PT-B:X :INTERNAL)
(PT-B::X :INTERNAL)
(PT-B::X :INTERNAL)
T
(NIL NIL)
NIL
#<PACKAGE "PT-B">
T
(NIL (NIL NIL))
(T (PT-C::X :INTERNAL))
(PT-C:X :EXTERNAL)
(NIL NIL)
"""),
    "name_conflicts": (
        r"""(defun show (x) (format t "~S~%" x))
(defun isort (l) (let ((r nil)) (dolist (x l r) (setq r (merge-in x r)))))
(defun merge-in (x r) (cond ((null r) (list x)) ((string< x (car r)) (cons x r)) (t (cons (car r) (merge-in x (cdr r))))))
(defun names (syms) (isort (mapcar #'symbol-name syms)))
(defmacro perr (form) `(handler-case ,form (package-error (c) (list :package-error (package-name (package-error-package c))))))
(let ((a (make-package "PK-A" :use nil)) (b (make-package "PK-B" :use nil)) (c (make-package "PK-C" :use nil)))
  (export (intern "S" a) a)
  (export (intern "S" b) b)
  (intern "T2" c)
  ;; use-package conflict with a present symbol
  (intern "S" c)
  (show (perr (use-package a c)))
  (show (package-use-list c))
  ;; shadow resolves it
  (shadow "S" c)
  (show (names (package-shadowing-symbols c)))
  (use-package a c)
  (show (list (package-use-list c) (multiple-value-list (find-symbol "S" c))))
  (use-package b c)
  (show (length (package-use-list c)))
  ;; unintern of the shadowing symbol uncovers A:S vs B:S
  (show (perr (unintern (find-symbol "S" c) c)))
  (show (multiple-value-list (find-symbol "S" c))))
(let ((a (make-package "PK-D" :use nil)) (d (make-package "PK-E" :use nil)))
  (export (intern "S" a) a)
  (use-package a d)
  ;; import conflict with an inherited symbol
  (show (perr (import (make-symbol "S") d)))
  ;; shadowing-import never conflicts
  (let ((s (make-symbol "S")))
    (shadowing-import s d)
    (show (list (eq (find-symbol "S" d) s) (eq (symbol-package s) (find-package "PK-E"))
                (multiple-value-list (find-symbol "S" d)) (length (package-shadowing-symbols d)))))
  ;; shadowing-import replaces a present symbol
  (let ((old (intern "Q" d)) (new (make-symbol "Q")))
    (shadowing-import new d)
    (show (list (eq (find-symbol "Q" d) new) (symbol-package old))))
  ;; export conflict in a user
  (let ((e (make-package "PK-F" :use '("PK-E"))))
    (declare (ignore e))
    (intern "R" "PK-F")
    (intern "R" d)
    (show (perr (export (find-symbol "R" d) d)))
    (show (nth-value 1 (find-symbol "R" d))))
  ;; export of an inaccessible symbol, unexport of one
  (show (perr (export (make-symbol "ZZ") d)))
  (show (perr (unexport (make-symbol "ZZ") d)))
  ;; export of an inherited symbol makes it present and external
  (unintern (find-symbol "S" d) d) (export (find-symbol "S" a) d)
  (show (nth-value 1 (find-symbol "S" d))))
;; find-all-symbols
(let ((p (make-package "PK-G" :use nil)))
  (intern "CAR" p)
  (show (length (find-all-symbols "CAR")))
  (show (length (find-all-symbols 'car))))
""",
        r"""(:PACKAGE-ERROR "PK-C")
NIL
("S")
((#<PACKAGE "PK-A">) (PK-C::S :INTERNAL))
2
(:PACKAGE-ERROR "PK-C")
(PK-C::S :INTERNAL)
(:PACKAGE-ERROR "PK-E")
(T NIL (#:S :INTERNAL) 1)
(T NIL)
(:PACKAGE-ERROR "PK-F")
:INTERNAL
(:PACKAGE-ERROR "PK-E")
(:PACKAGE-ERROR "PK-E")
:EXTERNAL
2
2
"""),
    "iteration_and_delete": (
        r"""(defun show (x) (format t "~S~%" x))
(defun merge-in (x r) (cond ((null r) (list x)) ((string< x (car r)) (cons x r)) (t (cons (car r) (merge-in x (cdr r))))))
(defun isort (l) (let ((r nil)) (dolist (x l r) (setq r (merge-in x r)))))
(defun names (syms) (isort (mapcar #'symbol-name syms)))
(let ((a (make-package "PI-A" :use nil)) (b (make-package "PI-B" :use '("PI-A"))))
  (dolist (n '("E1" "E2" "I1")) (intern n a))
  (export (list (find-symbol "E1" a) (find-symbol "E2" a)) a)
  (dolist (n '("J1" "J2")) (intern n b))
  (shadow "E2" b)
  (let ((r nil)) (do-symbols (s b) (push s r)) (show (names r)))
  (let ((r nil)) (do-symbols (s "PI-A") (push s r)) (show (names r)))
  (let ((r nil)) (do-external-symbols (s a) (push s r)) (show (names r)))
  (show (do-symbols (s b (list :done s)) (declare (ignorable s))))
  (show (do-external-symbols (s a 42) (when (string= (symbol-name s) "E1") (return :early))))
  (show (let ((n 0)) (do-symbols (s a n) (when (symbolp s) (go skip)) (incf n) skip)))
  (let ((found nil)) (do-all-symbols (s) (when (eq s (find-symbol "J1" b)) (setq found t))) (show found))
  (show (do-all-symbols (s :fin) (declare (ignore s))))
  (let ((r nil)) (with-package-iterator (next (list a b) :internal) (loop (multiple-value-bind (m s) (next) (unless m (return)) (push s r)))) (show (names r)))
  (let ((r nil)) (with-package-iterator (next (list a b) :external) (loop (multiple-value-bind (m s) (next) (unless m (return)) (push s r)))) (show (names r)))
  (let ((r nil)) (with-package-iterator (next b :inherited) (loop (multiple-value-bind (m s) (next) (unless m (return)) (push s r)))) (show (names r)))
  (let ((r nil))
    (with-package-iterator (next (list a b) :internal :inherited)
      (loop (multiple-value-bind (more s status pkg) (next)
              (unless more (return))
              (push (list (symbol-name s) status (package-name pkg)) r))))
    (dolist (x (isort (mapcar #'prin1-to-string r))) (write-line x)))
  (let ((r nil))
    (with-package-iterator (next "PI-A" :external)
      (loop (multiple-value-bind (more s) (next)
              (unless more (return))
              (push s r))))
    (show (names r)))
  (show (multiple-value-list (with-package-iterator (next nil :internal) (next))))
  (show (handler-case (macroexpand '(with-package-iterator (x "CL") (x))) (program-error () :program-error)))
  (show (handler-case (macroexpand '(with-package-iterator (x "CL" :bogus) (x))) (program-error () :program-error))))
;; delete-package
(let* ((a (make-package "PD-A" :use nil)) (b (make-package "PD-B" :use (list a))) (s (intern "S" a)) (other (intern "O" b)))
  (export s a)
  (import other a)
  (show (handler-case (delete-package a) (package-error () :package-error)))
  (unuse-package a b)
  (show (delete-package a))
  (show (list (package-name a) (find-package "PD-A") (symbol-package s) (package-use-list b) (eq (symbol-package other) b)
              (packagep a) (delete-package a)))
  (show (multiple-value-list (find-symbol "S" b)))
  (show (handler-case (delete-package "PD-NOPE") (package-error () :package-error)))
  (show (let ((p (make-package "PD-A" :use nil))) (package-name p))))
""",
        r"""("E1" "E2" "J1" "J2")
("E1" "E2" "I1")
("E1" "E2")
(:DONE NIL)
:EARLY
0
T
:FIN
("E2" "I1" "J1" "J2")
("E1" "E2")
("E1")
("E1" :INHERITED "PI-B")
("E2" :INTERNAL "PI-B")
("I1" :INTERNAL "PI-A")
("J1" :INTERNAL "PI-B")
("J2" :INTERNAL "PI-B")
("E1" "E2")
(NIL)
:PROGRAM-ERROR
:PROGRAM-ERROR
:PACKAGE-ERROR
T
(NIL NIL NIL NIL T T NIL)
(NIL NIL)
:PACKAGE-ERROR
"PD-A"
"""),
    "defpackage_and_in_package": (
        r"""(defun show (x) (format t "~S~%" x))
(defun merge-in (x r) (cond ((null r) (list x)) ((string< x (car r)) (cons x r)) (t (cons (car r) (merge-in x (cdr r))))))
(defun isort (l) (let ((r nil)) (dolist (x l r) (setq r (merge-in x r)))))
(defun names (syms) (isort (mapcar #'symbol-name syms)))
(defpackage "PP-BASE" (:use) (:export "ALPHA" "BETA" "GAMMA"))
(defpackage #:pp-other (:use) (:export #:beta))
(show (defpackage :pp-main
  (:nicknames "PPM" #:pp-main-2)
  (:documentation "A test package.")
  (:size 10)
  (:use "PP-BASE" "COMMON-LISP")
  (:shadow "CAR" #:gamma)
  (:shadowing-import-from "PP-OTHER" "BETA")
  (:import-from "PP-OTHER")
  (:intern "LOCAL1" :local2)
  (:export "CAR" "ALPHA" "NEWSYM")))
(show (isort (package-nicknames "PP-MAIN")))
(show (mapcar #'package-name (package-use-list "PPM")))
(show (names (package-shadowing-symbols "PP-MAIN")))
(dolist (n '("CAR" "GAMMA" "BETA" "ALPHA" "LOCAL1" "LOCAL2" "NEWSYM" "CONS"))
  (multiple-value-bind (s st) (find-symbol n "PP-MAIN")
    (show (list n (package-name (symbol-package s)) st))))
(show (eq (find-symbol "BETA" "PP-MAIN") (find-symbol "BETA" "PP-OTHER")))
(show (nth-value 1 (find-symbol "ALPHA" "PP-BASE")))
;; redefinition: same options is quiet, new exports are added
(show (eq (defpackage :pp-main (:nicknames "PPM" #:pp-main-2) (:use "PP-BASE" "COMMON-LISP") (:shadow "CAR" #:gamma)
            (:shadowing-import-from "PP-OTHER" "BETA") (:intern "LOCAL1" :local2)
            (:export "CAR" "ALPHA" "NEWSYM" "MORE"))
          (find-package "PP-MAIN")))
(show (nth-value 1 (find-symbol "MORE" "PP-MAIN")))
;; variance warns
(show (handler-case (defpackage "PP-BASE" (:use) (:export "ALPHA")) (warning () :warned)))
(show (nth-value 1 (find-symbol "GAMMA" "PP-BASE")))
;; option errors
(dolist (form '((defpackage "PP-E1" (:shadow "A") (:intern "A"))
                (defpackage "PP-E2" (:export "A") (:intern "A"))
                (defpackage "PP-E3" (:import-from "PP-BASE" "ALPHA") (:shadowing-import-from "PP-BASE" "ALPHA"))
                (defpackage "PP-E4" (:size 1) (:size 2))
                (defpackage "PP-E5" (:documentation "a") (:documentation "b"))
                (defpackage "PP-E6" (:bogus 1))))
  (show (handler-case (macroexpand-1 form) (program-error () :program-error))))
(show (handler-case (defpackage "PP-E7" (:import-from "PP-BASE" "NOPE")) (package-error () :package-error)))
(show (handler-case (defpackage "PP-E8" (:use "PP-NO-SUCH-PACKAGE")) (package-error () :package-error)))
(show (handler-case (defpackage "PP-E9" (:nicknames "PPM")) (package-error () :package-error)))
;; in-package
(show (let ((*package* *package*)) (in-package :pp-main) (package-name *package*)))
(show (let ((*package* *package*)) (in-package #:ppm) (list (package-name *package*) (symbol-package (read-from-string "zork")))))
(show (handler-case (in-package "PP-NO-SUCH") (package-error () :package-error)))
(show (package-name *package*))
(show (packagep (find-package "PP-MAIN")))
(show (packagep 'pp-main))
(show (handler-case (package-name "PP-NO-SUCH") (package-error () :package-error)))
(show (handler-case (funcall 'find-package (car (list 3))) (type-error () :type-error)))
""",
        r"""#<PACKAGE "PP-MAIN">
("PP-MAIN-2" "PPM")
("COMMON-LISP" "PP-BASE")
("BETA" "CAR" "GAMMA")
("CAR" "PP-MAIN" :EXTERNAL)
("GAMMA" "PP-MAIN" :INTERNAL)
("BETA" "PP-OTHER" :INTERNAL)
("ALPHA" "PP-BASE" :EXTERNAL)
("LOCAL1" "PP-MAIN" :INTERNAL)
("LOCAL2" "PP-MAIN" :INTERNAL)
("NEWSYM" "PP-MAIN" :EXTERNAL)
("CONS" "COMMON-LISP" :INHERITED)
T
:EXTERNAL
T
:EXTERNAL
:WARNED
:EXTERNAL
:PROGRAM-ERROR
:PROGRAM-ERROR
:PROGRAM-ERROR
:PROGRAM-ERROR
:PROGRAM-ERROR
:PROGRAM-ERROR
:PACKAGE-ERROR
:PACKAGE-ERROR
:PACKAGE-ERROR
"PP-MAIN"
("PP-MAIN" #<PACKAGE "PP-MAIN">)
:PACKAGE-ERROR
"COMMON-LISP-USER"
T
NIL
:PACKAGE-ERROR
:TYPE-ERROR
"""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_packages(name, tmp_path):
    check_program_on_petrel(*CASES[name], tmp_path)


@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl is not installed")
@pytest.mark.parametrize("name", sorted(CASES))
def test_expected_matches_sbcl(name, tmp_path):
    check_program_on_sbcl(*CASES[name], tmp_path)


RESTARTS = r"""(defun show (x) (format t "~S~%" x))
(defmacro choosing (restart form)
  `(handler-bind ((package-error (lambda (c) (declare (ignore c)) (invoke-restart ',restart)))) ,form))
(let ((a (make-package "PR-A" :use nil)) (b (make-package "PR-B" :use nil)))
  (export (intern "S" a) a)
  (let ((old (intern "S" b)))
    (choosing continue (use-package a b))
    (show (list (eq (find-symbol "S" b) (find-symbol "S" a)) (length (package-shadowing-symbols b))
                (symbol-package old))))
  (let ((c (make-package "PR-C" :use nil)))
    (let ((old (intern "S" c)))
      (choosing sys::keep-old (use-package a c))
      (show (list (eq (find-symbol "S" c) old) (package-shadowing-symbols c) (package-use-list c)))))
  (let ((d (make-package "PR-D" :use nil)) (new (make-symbol "S")))
    (intern "S" d)
    (choosing continue (import new d))
    (show (eq (find-symbol "S" d) new))
    (choosing sys::keep-old (import (intern "S" a) d))
    (show (eq (find-symbol "S" d) new)))
  (let ((e (make-package "PR-E" :use (list b))) (x (make-symbol "ZZ")))
    (show (choosing continue (export x e)))
    (show (multiple-value-list (find-symbol "ZZ" e))))
  (let ((f (make-package "PR-F" :use nil)))
    (use-package a f)
    (show (choosing continue (delete-package a)))
    (show (list (package-use-list f) (package-name a)))))
"""

RESTARTS_EXPECTED = """(T 1 NIL)
(T (PR-C::S) (#<PACKAGE "PR-A">))
T
T
T
(PR-E:ZZ :EXTERNAL)
T
(NIL NIL)
"""


def test_conflict_restarts(tmp_path):
    rc, out, err = run_file([PETREL, "--script"], RESTARTS, tmp_path, TIMEOUT)
    assert rc == 0, err
    assert out == RESTARTS_EXPECTED


def test_conflict_is_package_error_naming_package(tmp_path):
    program = r"""(let ((a (make-package "PE-A" :use nil)) (b (make-package "PE-B" :use nil)))
  (export (intern "S" a) a) (intern "S" b)
  (handler-case (use-package a b)
    (package-error (c) (format t "~A~%" (package-name (package-error-package c))))))
"""
    rc, out, err = run_file([PETREL, "--script"], program, tmp_path, TIMEOUT)
    assert rc == 0, err
    assert out == "PE-B\n"
