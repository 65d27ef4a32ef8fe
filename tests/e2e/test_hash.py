"""End-to-end tests of hash tables (CLHS chapter 18; issue 8 item 5):
MAKE-HASH-TABLE and its options, GETHASH/(SETF GETHASH) with defaults,
REMHASH, CLRHASH, MAPHASH (REMHASH and SETF of the current entry during the
traversal, CLHS 18.1.2), WITH-HASH-TABLE-ITERATOR, the four tests (EQUALP
keys: "ABC"/"abc", 1/1.0, #(1 2)/#(1.0 2)), SXHASH consistent with EQUAL,
100,000-entry tables, tables surviving a collection, and type-errors.

CASES pairs a form with the printed list of its values.  The expected strings
were produced by SBCL (`sbcl --script`); test_cases_agree_with_sbcl re-checks
them whenever sbcl is installed, so they stay portable CL, not Petrel's word.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_hash.py
"""
import shutil

import pytest

from case_table import check_output, program, sbcl_stdout
from test_cli import run, script

PRELUDE = r"""
(defstruct ht-point x y)
(defun ht-fill (h n) (dotimes (i n h) (setf (gethash i h) (* i i))))
(defun ht-sorted-entries (h)
  (let ((l nil)) (maphash (lambda (k v) (push (cons k v) l)) h)
    (sort l (lambda (a b) (< (car a) (car b))))))
(defun ht-iterated (h)
  (let ((l nil))
    (with-hash-table-iterator (next h)
      (loop (multiple-value-bind (more k v) (next)
              (unless more (return))
              (push (cons k v) l))))
    (sort l (lambda (a b) (< (car a) (car b))))))
"""

CASES = [
    # construction and properties
    ('(hash-table-p (make-hash-table))', '(T)'),
    ('(list (hash-table-p nil) (hash-table-p #(1)) (hash-table-p (list 1)))', '((NIL NIL NIL))'),
    ('(mapcar (lambda (x) (hash-table-test (make-hash-table :test x))) '
     '(list \'eq \'eql \'equal \'equalp #\'eq #\'eql #\'equal #\'equalp))',
     '((EQ EQL EQUAL EQUALP EQ EQL EQUAL EQUALP))'),
    ('(hash-table-test (make-hash-table))', '(EQL)'),
    ('(hash-table-count (make-hash-table :size 0))', '(0)'),
    ('(>= (hash-table-size (make-hash-table :size 100)) 100)', '(T)'),
    ('(hash-table-rehash-size (make-hash-table :rehash-size 3))', '(3)'),
    ('(hash-table-rehash-size (make-hash-table :rehash-size 2.0))', '(2.0)'),
    ('(hash-table-rehash-threshold (make-hash-table :rehash-threshold 0.5))', '(0.5)'),
    ('(let ((h (make-hash-table :size 3 :rehash-size 1))) (ht-fill h 100) '
     '(list (hash-table-count h) (gethash 99 h)))', '((100 9801))'),
    ('(let ((h (make-hash-table :rehash-threshold 0.1))) (ht-fill h 50) (gethash 7 h))', '(49 T)'),
    ('(type-of (make-hash-table))', '(HASH-TABLE)'),
    ('(typep (make-hash-table) \'hash-table)', '(T)'),
    # gethash, (setf gethash)
    ('(gethash 1 (make-hash-table))', '(NIL NIL)'),
    ('(gethash 1 (make-hash-table) :none)', '(:NONE NIL)'),
    ('(let ((h (make-hash-table))) (setf (gethash 1 h) nil) (gethash 1 h :none))', '(NIL T)'),
    ('(let ((h (make-hash-table))) (list (setf (gethash 1 h) 10) (setf (gethash 1 h) 20) '
     '(gethash 1 h) (hash-table-count h)))', '((10 20 20 1))'),
    ('(let ((h (make-hash-table))) (push 1 (gethash :k h)) (push 2 (gethash :k h)) (gethash :k h))',
     '((2 1) T)'),
    ('(let ((h (make-hash-table)) (n 0)) (setf (gethash :k h (incf n)) 5) (list n (gethash :k h)))',
     '((1 5))'),
    ('(let ((h (make-hash-table))) (incf (gethash :c h 10) 5) (gethash :c h))', '(15 T)'),
    # the four tests
    ('(let ((h (make-hash-table :test \'eq))) (setf (gethash \'a h) 1 (gethash :b h) 2) '
     '(list (gethash \'a h) (gethash :b h) (gethash "a" h)))', '((1 2 NIL))'),
    ('(let ((h (make-hash-table))) (setf (gethash 1.5d0 h) :d (gethash 3/4 h) :r (gethash #\\a h) :c) '
     '(list (gethash 1.5d0 h) (gethash 3/4 h) (gethash #\\a h) (gethash 1.5 h) (gethash #\\A h)))',
     '((:D :R :C NIL NIL))'),
    ('(let ((h (make-hash-table))) (setf (gethash 0.0 h) :z) (list (gethash 0.0 h) (gethash -0.0 h)))',
     '((:Z NIL))'),
    ('(let ((h (make-hash-table :test \'equal))) (setf (gethash "abc" h) 1 (gethash \'(1 (2 "x")) h) 2) '
     '(list (gethash (copy-seq "abc") h) (gethash "ABC" h) (gethash (list 1 (list 2 "x")) h) '
     '(gethash 1 h)))', '((1 NIL 2 NIL))'),
    ('(let ((h (make-hash-table :test \'equal))) (setf (gethash 1 h) :int) '
     '(list (gethash 1 h) (gethash 1.0 h)))', '((:INT NIL))'),
    ('(let ((h (make-hash-table :test \'equalp))) (setf (gethash "ABC" h) 1) '
     '(list (gethash "abc" h) (gethash "aBc" h) (gethash "abcd" h)))', '((1 1 NIL))'),
    ('(let ((h (make-hash-table :test \'equalp))) (setf (gethash 1 h) :one) '
     '(list (gethash 1.0 h) (gethash 1.0d0 h) (gethash 1 h) (gethash 2 h)))', '((:ONE :ONE :ONE NIL))'),
    ('(let ((h (make-hash-table :test \'equalp))) (setf (gethash 0.5 h) :half) '
     '(list (gethash 1/2 h) (gethash 0.5d0 h) (gethash -0.0 h)))', '((:HALF :HALF NIL))'),
    ('(let ((h (make-hash-table :test \'equalp))) (setf (gethash #(1 2) h) :v) '
     '(list (gethash #(1 2) h) (gethash (vector 1.0 2) h) (gethash #(1 2 3) h)))', '((:V :V NIL))'),
    ('(let ((h (make-hash-table :test \'equalp))) (setf (gethash "ab" h) :s) '
     '(list (gethash (vector #\\A #\\b) h) (gethash #\\a h)))', '((:S NIL))'),
    ('(let ((h (make-hash-table :test \'equalp))) (setf (gethash #\\a h) :c (gethash \'(1 "X") h) :l) '
     '(list (gethash #\\A h) (gethash (list 1.0 "x") h)))', '((:C :L))'),
    ('(let ((h (make-hash-table :test \'equalp))) (setf (gethash (make-ht-point :x 1 :y "a") h) :p) '
     '(list (gethash (make-ht-point :x 1.0 :y "A") h) (gethash (make-ht-point :x 2 :y "a") h)))',
     '((:P NIL))'),
    # remhash, clrhash
    ('(let ((h (ht-fill (make-hash-table) 10))) (list (remhash 3 h) (remhash 3 h) (gethash 3 h) '
     '(hash-table-count h)))', '((T NIL NIL 9))'),
    ('(let ((h (ht-fill (make-hash-table) 200))) (dotimes (i 200) (when (evenp i) (remhash i h))) '
     '(list (hash-table-count h) (gethash 199 h) (gethash 198 h)))', '((100 39601 NIL))'),
    ('(let ((h (make-hash-table))) (dotimes (r 50) (dotimes (i 20) (setf (gethash (+ (* r 100) i) h) i)) '
     '(dotimes (i 20) (remhash (+ (* r 100) i) h))) (hash-table-count h))', '(0)'),
    ('(let ((h (ht-fill (make-hash-table) 100))) (list (eq (clrhash h) h) (hash-table-count h) '
     '(gethash 5 h)))', '((T 0 NIL))'),
    ('(let ((h (ht-fill (make-hash-table) 100))) (clrhash h) (ht-fill h 3) (ht-sorted-entries h))',
     '(((0 . 0) (1 . 1) (2 . 4)))'),
    # maphash and with-hash-table-iterator
    ('(maphash (lambda (k v) (list k v)) (ht-fill (make-hash-table) 5))', '(NIL)'),
    ('(ht-sorted-entries (ht-fill (make-hash-table) 5))', '(((0 . 0) (1 . 1) (2 . 4) (3 . 9) (4 . 16)))'),
    ('(let ((h (ht-fill (make-hash-table) 1000))) (maphash (lambda (k v) (declare (ignore v)) '
     '(when (oddp k) (remhash k h))) h) (list (hash-table-count h) (gethash 500 h) (gethash 501 h)))',
     '((500 250000 NIL))'),
    ('(let ((h (ht-fill (make-hash-table) 1000)) (n 0)) (maphash (lambda (k v) (declare (ignore v)) '
     '(incf n) (remhash k h)) h) (list n (hash-table-count h)))', '((1000 0))'),
    ('(let ((h (ht-fill (make-hash-table) 100))) (maphash (lambda (k v) (setf (gethash k h) (- v))) h) '
     '(list (hash-table-count h) (gethash 9 h)))', '((100 -81))'),
    ('(maphash #\'list (make-hash-table))', '(NIL)'),
    ('(let ((h (ht-fill (make-hash-table) 300))) (equal (ht-iterated h) (ht-sorted-entries h)))', '(T)'),
    ('(with-hash-table-iterator (next (make-hash-table)) (multiple-value-list (next)))', '((NIL))'),
    ('(let ((h (ht-fill (make-hash-table) 3)) (l nil)) (with-hash-table-iterator (next h) '
     '(loop (multiple-value-bind (more k) (next) (unless more (return)) (remhash k h) (push k l)))) '
     '(list (sort l #\'<) (hash-table-count h)))', '(((0 1 2) 0))'),
    ('(let ((a (ht-fill (make-hash-table) 2)) (b (ht-fill (make-hash-table) 3)) (n 0)) '
     '(with-hash-table-iterator (na a) (with-hash-table-iterator (nb b) '
     '(loop (unless (or (na) (nb)) (return)) (incf n)))) n)', '(5)'),
    # big tables and collection
    ('(let ((h (make-hash-table))) (ht-fill h 100000) (list (hash-table-count h) (gethash 99999 h) '
     '(gethash 100000 h)))', '((100000 9999800001 NIL))'),
    ('(let ((h (make-hash-table :test \'equal))) (dotimes (i 100000) (setf (gethash (format nil "k~D" i) h) i)) '
     '(let ((ok t)) (dotimes (i 100000) (unless (eql (gethash (format nil "k~D" i) h) i) (setq ok nil))) '
     '(list ok (hash-table-count h))))', '((T 100000))'),
    ('(let ((h (make-hash-table :test \'eq)) (keys (let ((l nil)) (dotimes (i 5000 l) (push (list i) l))))) '
     '(dolist (k keys) (setf (gethash k h) (car k))) (dotimes (i 30) (make-list 10000)) '
     '(list (every (lambda (k) (eql (gethash k h) (car k))) keys) (gethash (list 1) h)))', '((T NIL))'),
    # sxhash
    ('(= (sxhash "abc") (sxhash (copy-seq "abc")))', '(T)'),
    ('(= (sxhash (list 1 "ab" #\\c \'d 2.5d0)) (sxhash (list 1 (copy-seq "ab") #\\c \'d 2.5d0)))', '(T)'),
    ('(= (sxhash 1/3) (sxhash (/ 2 6)))', '(T)'),
    ('(every (lambda (x) (typep (sxhash x) \'(and fixnum (integer 0 *)))) '
     '(list 0 -1 most-positive-fixnum 1.5 -2.5d0 1/3 #\\x "" "abc" \'sym nil (list 1 2) #(1) '
     '(make-hash-table) #\'car))', '(T)'),
    ('(let ((l (list 1 2))) (setf (cdr (last l)) l) (typep (sxhash l) \'fixnum))', '(T)'),
    ('(let ((x (list 1))) (dotimes (i 10000) (setq x (list x))) (typep (sxhash x) \'fixnum))', '(T)'),
    # errors
    ('(handler-case (gethash 1 nil) (type-error () :type-error))', '(:TYPE-ERROR)'),
    ('(handler-case (gethash 1 (list 1)) (type-error () :type-error))', '(:TYPE-ERROR)'),
    ('(handler-case (remhash 1 #(1)) (type-error () :type-error))', '(:TYPE-ERROR)'),
    ('(handler-case (clrhash nil) (type-error () :type-error))', '(:TYPE-ERROR)'),
    ('(handler-case (maphash #\'list nil) (type-error () :type-error))', '(:TYPE-ERROR)'),
    ('(handler-case (hash-table-count "x") (type-error () :type-error))', '(:TYPE-ERROR)'),
    ('(handler-case (hash-table-test 1) (type-error () :type-error))', '(:TYPE-ERROR)'),
    ('(handler-case (setf (gethash 1 nil) 2) (type-error () :type-error))', '(:TYPE-ERROR)'),
    ('(handler-case (make-hash-table :size -1) (type-error () :type-error))', '(:TYPE-ERROR)'),
    ('(handler-case (make-hash-table :rehash-size 0) (type-error () :type-error))', '(:TYPE-ERROR)'),
    ('(handler-case (make-hash-table :rehash-threshold 2) (type-error () :type-error))', '(:TYPE-ERROR)'),
]


def test_hash_cases(tmp_path):
    r = run(["--script", script(tmp_path, program(PRELUDE, CASES))], timeout=300, torture=False)
    assert r.rc == 0, r
    check_output(r.out, CASES)


@pytest.mark.skipif(shutil.which("sbcl") is None, reason="sbcl is not installed")
def test_cases_agree_with_sbcl(tmp_path):
    """The expectations are SBCL's answers (portable CL, not Petrel's)."""
    check_output(sbcl_stdout(script(tmp_path, program(PRELUDE, CASES)), timeout=300), CASES)


def lisp_lines(tmp_path, text):
    r = run(["--script", script(tmp_path, text)], torture=False, timeout=300)
    assert r.rc == 0, r
    return r.out.split("\n")


def test_tables_survive_collection(tmp_path):
    """EQ, EQL, EQUAL and EQUALP tables answer the same before and after
    (petrel-ext:gc): the collector does not move objects, so address-hashed
    keys stay where they were hashed."""
    text = """
(defvar *keys* (let ((l nil)) (dotimes (i 20000 l) (push (if (evenp i) (list i) (format nil "s~D" i)) l))))
(defvar *tables* (mapcar (lambda (test) (make-hash-table :test test)) '(eq eql equal equalp)))
(dolist (h *tables*) (dolist (k *keys*) (setf (gethash k h) k)))
(defun check () (every (lambda (h) (every (lambda (k) (eq (gethash k h) k)) *keys*)) *tables*))
(print (check))
(petrel-ext:gc)
(dotimes (i 50) (make-list 5000))
(petrel-ext:gc)
(print (check))
(print (mapcar #'hash-table-count *tables*))
"""
    out = " ".join(lisp_lines(tmp_path, text))
    assert out.split() == ["T", "T", "(20000", "20000", "20000", "20000)"], out


def test_printed_form_and_extensions(tmp_path):
    """#<HASH-TABLE :TEST EQUAL :COUNT n {address}>; :SYNCHRONIZED is
    recorded and reported; :WEAKNESS is recorded (test_weak.py tests it) and
    a bad one is a type-error."""
    text = """
(let ((h (make-hash-table :test 'equal))) (setf (gethash 1 h) 2) (print h))
(print (list (petrel-ext:hash-table-synchronized-p (make-hash-table :synchronized t))
             (petrel-ext:hash-table-synchronized-p (make-hash-table))
             (petrel-ext:hash-table-weakness (make-hash-table))))
(print (list (petrel-ext:hash-table-weakness (make-hash-table :weakness :key))
             (handler-case (make-hash-table :weakness :strong) (type-error () :refused))))
(print (handler-case (let ((*print-readably* t)) (prin1-to-string (make-hash-table)))
         (print-not-readable () :not-readable)))
"""
    lines = [l.strip() for l in lisp_lines(tmp_path, text) if l.strip()]
    assert lines[0].startswith("#<HASH-TABLE :TEST EQUAL :COUNT 1 {") and lines[0].endswith("}>"), lines
    assert lines[1:] == ["(T NIL NIL)", "(:KEY :REFUSED)", ":NOT-READABLE"], lines
