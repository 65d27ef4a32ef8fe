"""End-to-end tests of DEFSTRUCT (CLHS 8.1), #S printing (22.1.3.12) and
#S reading (2.4.8.13): one program per group of options, run by `petrel
--script`; the expected stdout is what SBCL prints for the same program
(test_expected_matches_sbcl re-checks that when sbcl is installed).

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_defstruct.py
"""
import shutil

import pytest

from case_table import PETREL, TIMEOUT, check_program_on_petrel, check_program_on_sbcl, run_file

CASES = {
    "basic": (
        r"""(defstruct point x (y 0) (z (+ 2 3) :type integer))
(let ((p (make-point :x 1)))
  (format t "~S~%" p)
  (format t "~S~%" (list (point-x p) (point-y p) (point-z p) (point-p p) (point-p 5)))
  (setf (point-x p) 10)
  (incf (point-y p) 2)
  (format t "~S~%" p)
  (let ((q (copy-point p)))
    (format t "~S~%" (list (eq p q) (point-x q))))
  (let ((r (copy-structure p)))
    (setf (point-x r) 99)
    (format t "~S~%" (list (point-x p) (point-x r))))
  (format t "~S~%" (handler-case (point-x 5) (type-error () 'type-error)))
  (format t "~A~%" p))
(format t "~S~%" (defstruct tmp a))
""",
        r"""#S(POINT :X 1 :Y 0 :Z 5)
(1 0 5 T NIL)
#S(POINT :X 10 :Y 2 :Z 5)
(NIL 10)
(10 99)
TYPE-ERROR
#S(POINT :X 10 :Y 2 :Z 5)
TMP
"""),
    "conc": (
        r"""(defstruct (a1 (:conc-name a1-get-)) x)
(defstruct (a2 (:conc-name nil)) a2x)
(defstruct (a3 :conc-name) a3y)
(defstruct (a4 (:conc-name "Q4-")) x)
(format t "~S~%" (list (a1-get-x (make-a1 :x 1)) (a2x (make-a2 :a2x 2)) (a3y (make-a3 :a3y 3))
                       (funcall (intern "Q4-X") (make-a4 :x 4))))
(let ((o (make-a2 :a2x 1))) (setf (a2x o) 5) (format t "~S~%" o))
""",
        r"""(1 2 3 4)
#S(A2 :A2X 5)
"""),
    "copier": (
        r"""(defstruct (c1 (:copier nil) (:predicate nil)) a)
(defstruct (c2 (:copier dup-c2) (:predicate is-c2)) a)
(defstruct (c3 :copier :predicate) a)
(format t "~S~%" (mapcar (lambda (f) (not (null (fboundp f)))) (quote (copy-c1 c1-p copy-c3 c3-p))))
(let ((x (make-c2 :a (list 1))))
  (format t "~S~%" (list (is-c2 x) (is-c2 (make-c1)) (eq (c2-a (dup-c2 x)) (c2-a x)) (eq (dup-c2 x) x))))
""",
        r"""(NIL NIL T T)
(T NIL T NIL)
"""),
    "ctor": (
        r"""(defstruct (bo (:constructor mk-bo (a &optional (b 7) c &rest r &key (k 9) &aux (z (length r)) (w 0)))
               (:constructor make-bo)
               (:constructor bo2 (a b)))
   a b (c 33) r k z (w 44) (q 55))
(format t "~S~%" (mk-bo 1))
(format t "~S~%" (mk-bo 1 2 3 :k 4))
(format t "~S~%" (make-bo :q 1))
(format t "~S~%" (bo2 1 2))
(defstruct (opt (:constructor mk-opt (&optional (a 1 a-p) &key ((:bee b) (if a-p 'given 'default)))))
  a b)
(format t "~S~%" (list (mk-opt) (mk-opt 5) (mk-opt 5 :bee 6)))
(defstruct (nc (:constructor new-nc (x))) x)
(format t "~S~%" (list (fboundp 'make-nc) (new-nc 3)))
(format t "~S~%" (handler-case (read-from-string "#S(nc :x 1)") (error () 'error)))
(defvar *counter* 0)
(defstruct cnt (id (incf *counter*)))
(format t "~S~%" (list (cnt-id (make-cnt)) (cnt-id (make-cnt)) (cnt-id (make-cnt :id 10)) *counter*))
(defstruct (empty-boa (:constructor mk-eb ())) (v 3))
(format t "~S~%" (mk-eb))
""",
        r"""#S(BO :A 1 :B 7 :C 33 :R NIL :K 9 :Z 0 :W 0 :Q 55)
#S(BO :A 1 :B 2 :C 3 :R (:K 4) :K 4 :Z 2 :W 0 :Q 55)
#S(BO :A NIL :B NIL :C 33 :R NIL :K NIL :Z NIL :W 44 :Q 1)
#S(BO :A 1 :B 2 :C 33 :R NIL :K NIL :Z NIL :W 44 :Q 55)
(#S(OPT :A 1 :B DEFAULT) #S(OPT :A 5 :B GIVEN) #S(OPT :A 5 :B 6))
(NIL #S(NC :X 3))
ERROR
(1 2 10 2)
#S(EMPTY-BOA :V 3)
"""),
    "include": (
        r"""(defstruct person name (age 0))
(defstruct (employee (:include person (age 18) (name "anon" :read-only t))) (salary 100))
(defstruct (manager (:include employee) (:conc-name mgr-)) reports)
(let ((e (make-employee :salary 5)) (m (make-manager :name "m" :reports '(a))))
  (format t "~S~%" e)
  (format t "~S~%" m)
  (format t "~S~%" (list (person-name e) (employee-age e) (person-p e) (employee-p (make-person))
                         (person-p m) (employee-p m) (manager-p e) (mgr-name m) (mgr-salary m)
                         (person-age m)))
  (setf (person-age m) 40)
  (format t "~S~%" (list (mgr-age m) (employee-age m)))
  (format t "~S~%" (handler-case (employee-salary (make-person)) (type-error () 'type-error)))
  (format t "~S~%" (list (not (null (fboundp '(setf employee-name)))) (not (null (fboundp '(setf person-name)))))))
""",
        r"""#S(EMPLOYEE :NAME "anon" :AGE 18 :SALARY 5)
#S(MANAGER :NAME "m" :AGE 18 :SALARY 100 :REPORTS (A))
("anon" 18 T NIL T T NIL "m" 100 18)
(40 40)
TYPE-ERROR
(NIL T)
"""),
    "misc": (
        r"""(defstruct (ro) (a 1 :read-only t) (b 2))
(format t "~S~%" (list (not (null (fboundp '(setf ro-a)))) (not (null (fboundp '(setf ro-b))))))
(format t "~S~%" (handler-case (eval '(setf (ro-a (make-ro)) 3)) (error () 'error)))
(defstruct doc-struct "A documented structure." a)
(format t "~S~%" (doc-struct-a (make-doc-struct :a 1)))
(defstruct rd x y)
(let* ((p (make-rd :x (list 1 "two" #\3) :y (make-rd :x 'sym)))
       (s (prin1-to-string p))
       (q (read-from-string s)))
  (format t "~A~%" s)
  (format t "~S~%" (list (eq p q) (rd-p q) (rd-p (rd-y q)) (prin1-to-string q))))
(format t "~S~%" (rd-x (read-from-string "#s(rd :x 42)")))
(format t "~S~%" (rd-x (read-from-string "#S(RD x 43 \"Y\" 1)")))
(format t "~S~%" (handler-case (read-from-string "#S(no-such-struct :a 1)") (error () 'error)))
(format t "~S~%" (let ((*read-suppress* t)) (read-from-string "#S(no-such-struct :a 1)")))
(defstruct redef a b)
(defvar *old* (make-redef :a 1))
(defstruct redef a b)
(format t "~S~%" (list (redef-a *old*) (redef-p *old*) (make-redef :b 2)))
(let ((x 10))
  (defstruct (clos (:constructor mk-clos)) (v (incf x)))
  (format t "~S~%" (list (clos-v (mk-clos)) (clos-v (mk-clos)) x)))
""",
        r"""(NIL T)
ERROR
1
#S(RD :X (1 "two" #\3) :Y #S(RD :X SYM :Y NIL))
(NIL T T "#S(RD :X (1 \"two\" #\\3) :Y #S(RD :X SYM :Y NIL))")
42
43
ERROR
NIL
(1 T #S(REDEF :A NIL :B 2))
(11 12 12)
"""),
    "print": (
        r"""(defstruct (pp (:print-function (lambda (o s d) (format s "<pp ~a ~a>" (pp-v o) d)))) v)
(defstruct (po (:print-object (lambda (o s) (format s "<po ~a>" (po-v o))))) v)
(defstruct (po2 (:include po)) w)
(defun print-pf (o s d) (declare (ignore d)) (write-string "<named-fn " s) (prin1 (pf-v o) s) (write-string ">" s))
(defstruct (pf (:print-function print-pf)) v)
(format t "~S~%" (list (make-pp :v 1) (make-po :v 2) (make-po2 :v 3) (make-pf :v "s")))
(format t "~A~%" (prin1-to-string (make-po :v 4)))
(defstruct node val next)
(format t "~S~%" (make-node :val (list 1 2) :next (make-node :val "x")))
(let ((*print-length* 1)) (format t "~S~%" (make-node :val 1)))
(let ((*print-level* 1)) (format t "~S~%" (list (make-node :val 1))) (format t "~S~%" (make-node :val (list 1))))
(let ((*print-level* 2)) (format t "~S~%" (make-node :val (list (list 1)))))
(format t "~A~%" (make-node :val "str" :next #\c))
(let ((n (make-node :val 1)))
  (setf (node-next n) n)
  (let ((*print-circle* t)) (format t "~S~%" n)))
(let ((*print-readably* t)) (format t "~S~%" (make-node :val "r")))
(format t "~S~%" (make-node :val :kw :next 'sym))
""",
        r"""(<pp 1 1> <po 2> <po 3> <named-fn "s">)
<po 4>
#S(NODE :VAL (1 2) :NEXT #S(NODE :VAL "x" :NEXT NIL))
#S(NODE :VAL 1 ...)
(#)
#S(NODE :VAL # :NEXT NIL)
#S(NODE :VAL (#) :NEXT NIL)
#S(NODE :VAL str :NEXT c)
#1=#S(NODE :VAL 1 :NEXT #1#)
#S(NODE :VAL "r" :NEXT NIL)
#S(NODE :VAL :KW :NEXT SYM)
"""),
    "typed": (
        r"""(defstruct (l1 (:type list)) a (b 2))
(defstruct (l2 (:type list) :named) a b)
(defstruct (l3 (:type list) :named (:include l2)) c)
(defstruct (v1 (:type vector)) a b)
(defstruct (v2 (:type vector) :named (:initial-offset 1)) a)
(defstruct (l4 (:type list) (:initial-offset 2)) x)
(format t "~S~%" (list (make-l1 :a 1) (make-l2 :a 1 :b 2) (make-l3 :a 1 :c 3) (make-l4 :x 9)))
(format t "~S~%" (list (make-v1 :a 1 :b 2) (length (make-v2 :a 5)) (aref (make-v2 :a 5) 1) (v2-a (make-v2 :a 5))))
(format t "~S~%" (list (l1-b (list 1 2)) (l2-b '(l2 1 2)) (l3-c (make-l3 :c 7)) (l2-a (make-l3 :a 8))))
(format t "~S~%" (list (l2-p (make-l2)) (l2-p (make-l3)) (l3-p (make-l2)) (l2-p '(x)) (fboundp 'l1-p)
                       (v2-p (make-v2)) (v2-p (vector 1 2))))
(let ((x (make-v1 :a 1)) (y (make-l2 :a 1)))
  (setf (v1-b x) 'bb (l2-b y) 'lb)
  (format t "~S~%" (list x y (copy-l2 y) (eq y (copy-l2 y)))))
""",
        r"""((1 2) (L2 1 2) (L2 1 NIL L3 3) (NIL NIL 9))
(#(1 2) 3 V2 5)
(2 2 7 8)
(T T NIL NIL NIL T NIL)
(#(1 BB) (L2 1 LB) (L2 1 LB) NIL)
"""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_defstruct(name, tmp_path):
    check_program_on_petrel(*CASES[name], tmp_path)


@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl is not installed")
@pytest.mark.parametrize("name", sorted(CASES))
def test_expected_matches_sbcl(name, tmp_path):
    check_program_on_sbcl(*CASES[name], tmp_path)


def test_incompatible_redefinition_warns(tmp_path):
    program = "(defstruct rw a) (defvar *o* (make-rw :a 1)) (defstruct rw a b)\n" \
              "(format t \"~S ~S~%\" (make-rw :b 2) (rw-p *o*))\n"
    rc, out, err = run_file([PETREL, "--script"], program, tmp_path, TIMEOUT)
    assert rc == 0, err
    assert "incompatible redefinition" in err
    assert out == "#S(RW :A NIL :B 2) NIL\n"
