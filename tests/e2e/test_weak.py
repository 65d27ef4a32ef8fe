"""Weak pointers (PETREL-EXT: make-weak-pointer, weak-pointer-value,
weak-pointer-p; gc/weak.c): broken once the referent is otherwise
unreachable, kept while it is reachable, restored from a core image, and
safe under the concurrent collector while threads read them (the read
barrier keeps a value read during a mark alive).

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_weak.py
"""
from test_cli import eval_args, run, script

# A 64 MB heap: the collector's smallest trigger is then 8 MB (an eighth of
# the heap) rather than 32, so these short runs see several cycles.
SMALL_HEAP = ["--dynamic-space-size", "64"]

BASIC = r"""
(use-package "PETREL-EXT")
(defvar *keep* (list 1 2 3))
(defvar *live* (make-weak-pointer *keep*))
(defun make-dead () (make-weak-pointer (list 4 5 6)))
(defvar *dead* (make-dead))
(defvar *fixnum* (make-weak-pointer 42))
(defvar *nil* (make-weak-pointer nil))
(gc)
(print (multiple-value-list (weak-pointer-value *live*)))
(print (multiple-value-list (weak-pointer-value *dead*)))
(print (multiple-value-list (weak-pointer-value *fixnum*)))
(print (multiple-value-list (weak-pointer-value *nil*)))
(setq *keep* nil)
(dotimes (i 3) (make-list 1000) (gc))  ; overwrite stale stack words (conservative scan)
(print (multiple-value-list (weak-pointer-value *live*)))
(print (list (type-of *live*) (typep *live* 'weak-pointer) (weak-pointer-p *live*) (weak-pointer-p 3)))
(print (handler-case (weak-pointer-value 3) (type-error (e) (type-error-expected-type e))))
(print (>= (getf (gc-statistics) :weak-pointers-broken) 2))
"""


def test_broken_when_unreachable():
    r = run(["--non-interactive", "--eval", "(load *standard-input*)"], stdin=BASIC)
    assert r.rc == 0, r
    assert r.values == ["((1 2 3) T)", "(NIL NIL)", "(42 T)", "(NIL T)", "(NIL NIL)",
                        "(WEAK-POINTER T T NIL)", "WEAK-POINTER", "T"], r


def test_many_weak_pointers_and_their_holders_die():
    # 100,000 weak pointers, most of them garbage themselves: the registry
    # shrinks with them, and the survivors see exactly the live referents.
    prog = r"""
(use-package "PETREL-EXT")
(defvar *objs* (make-array 1000))
(dotimes (i 1000) (setf (aref *objs* i) (list i)))
(defvar *wps* (loop for i below 1000 collect (make-weak-pointer (if (evenp i) (aref *objs* i) (list i)))))
(dotimes (i 99000) (make-weak-pointer (aref *objs* (mod i 1000))))
(gc)
(print (count-if (lambda (w) (nth-value 1 (weak-pointer-value w))) *wps*))
(print (loop for w in *wps* for i from 0
             always (if (evenp i) (eq (weak-pointer-value w) (aref *objs* i))
                        (null (weak-pointer-value w)))))
(print (<= (getf (gc-statistics) :weak-pointers) 1100))
"""
    r = run(["--non-interactive", "--eval", "(load *standard-input*)"], stdin=prog, timeout=120)
    assert r.rc == 0, r
    assert r.values == ["500", "T", "T"], r


def test_restored_from_core(tmp_path):
    core = tmp_path / "weak.core"
    r = run(eval_args('(defvar *keep* (list :kept))',
                      '(defvar *w* (petrel-ext:make-weak-pointer *keep*))',
                      f'(petrel-ext:save-lisp-and-die "{core}")'), torture=False, timeout=60)
    assert r.rc == 0, r
    r = run(["--core", str(core)] + eval_args(
        "(petrel-ext:gc)", "(print (equal (petrel-ext:weak-pointer-value *w*) '(:kept)))",
        # stale stack words from that call could keep the list (conservative
        # scan): later calls overwrite them
        "(setq *keep* nil)", "(dotimes (i 3) (make-list 1000) (petrel-ext:gc))",
        "(print (multiple-value-list (petrel-ext:weak-pointer-value *w*)))"))
    assert r.rc == 0, r
    assert r.values == ["T", "(NIL NIL)"], r


# Threads keep reading weak pointers to objects that are only weakly
# reachable and store what they read in a shared table, while concurrent
# cycles run with the barrier checker and the verifier: every value read
# must stay a whole, live object.
CONCURRENT = r"""
(use-package "PETREL-THREADS")
(use-package "PETREL-EXT")
(defvar *table* (make-hash-table :synchronized t))
(defun worker (id)
  (let ((wps nil) (got 0))
    (dotimes (i 40000)
      (push (make-weak-pointer (list id i (make-string 8 :initial-element #\w))) wps)
      (when (> (length wps) 200) (setq wps (subseq wps 0 100)))
      (let ((v (weak-pointer-value (nth (mod i (length wps)) wps))))
        (when v
          (incf got)
          (setf (gethash (+ (* id 1000000) (mod i 5000)) *table*) v))))
    got))
(print (every #'plusp (mapcar #'join-thread
                              (loop for id below 3 collect (let ((id id)) (make-thread (lambda () (worker id))))))))
(let ((bad 0))
  (maphash (lambda (k v) (unless (and (= (first v) (floor k 1000000)) (integerp (second v))
                                      (string= (third v) "wwwwwwww"))
                           (incf bad)))
           *table*)
  (print bad))
(print (petrel-ext:verify-heap))
"""


def run_checked_concurrent(tmp_path, program):
    """PROGRAM under concurrent cycles with the barrier checker and the heap
    verifier; it prints T, 0, 0 when its data came through whole."""
    env = {"PETREL_GC_CONCURRENT": "1", "PETREL_GC_CHECK_BARRIER": "1", "PETREL_GC_VERIFY": "1",
           "PETREL_GC_LOG": "1", "PETREL_GC_MARKERS": "2"}
    r = run(SMALL_HEAP + ["--script", script(tmp_path, program)], env=env, timeout=240, torture=False)
    assert r.rc == 0, r.err[-3000:]
    assert r.values == ["T", "0", "0"], r
    assert r.err.count("(concurrent") >= 2, r.err[-2000:]


def test_concurrent_reads_keep_values(tmp_path):
    run_checked_concurrent(tmp_path, CONCURRENT)


# ---------------------------------------------------------------- weak hash tables

TABLES = r"""
(use-package "PETREL-EXT")
(defun fill-table (weakness)
  (let ((h (make-hash-table :weakness weakness :test 'eq)))
    (dotimes (i 1000) (setf (gethash (list i) h) (list i)))   ; both halves garbage
    h))
(defvar *k* (list :k))
(defvar *v* (list :v))
(defun probe (weakness)
  (let ((h (fill-table weakness)))
    (setf (gethash *k* h) (list :v1))      ; key live, value only here
    (setf (gethash (list :k2) h) *v*)      ; value live, key only here
    (dotimes (i 3) (make-list 1000) (gc))
    (list weakness (hash-table-count h) (hash-table-weakness h)
          (let ((n 0)) (maphash (lambda (k v) (declare (ignore k v)) (incf n)) h) n)
          (gethash *k* h))))
(dolist (w '(nil :key :value :key-and-value :key-or-value)) (print (probe w)))
(print (handler-case (make-hash-table :weakness :bogus) (type-error (e) (type-error-expected-type e))))
;; an ephemeron: the value refers to its key, nothing else does: the entry goes
(let ((h (make-hash-table :weakness :key)))
  (let ((k (list 1))) (setf (gethash k h) (list k)))
  (dotimes (i 3) (make-list 1000) (gc))
  (print (hash-table-count h)))
;; a chain through two tables: k1 live -> v1 (= k2 of the other table) -> v2 kept
(let ((a (make-hash-table :weakness :key)) (b (make-hash-table :weakness :key)))
  (let ((k2 (list :k2)))
    (setf (gethash *k* a) k2 (gethash k2 b) (list :v2)))
  (dotimes (i 3) (make-list 1000) (gc))
  (print (list (hash-table-count a) (hash-table-count b) (gethash (gethash *k* a) b))))
;; a synchronized weak table, and one that grows and is rebuilt between collections
(let ((h (make-hash-table :weakness :value :synchronized t :test 'equal)))
  (dotimes (i 20000) (setf (gethash (format nil "k~D" i) h) (if (zerop (mod i 100)) *v* (list i))))
  (dotimes (i 3) (make-list 1000) (gc))
  (print (list (hash-table-count h) (gethash "k100" h) (gethash "k101" h))))
"""


def test_weak_tables():
    r = run(["--non-interactive", "--eval", "(load *standard-input*)"], stdin=TABLES, timeout=120)
    assert r.rc == 0, r
    assert r.values == [
        "(NIL 1002 NIL 1002 (:V1))", "(:KEY 1 :KEY 1 (:V1))", "(:VALUE 1 :VALUE 1 NIL)",
        "(:KEY-AND-VALUE 0 :KEY-AND-VALUE 0 NIL)", "(:KEY-OR-VALUE 2 :KEY-OR-VALUE 2 (:V1))",
        "(MEMBER NIL :KEY :VALUE :KEY-AND-VALUE :KEY-OR-VALUE)", "0", "(1 1 (:V2))",
        "(200 (:V) NIL)"], r


def test_weak_table_restored_from_core(tmp_path):
    core = tmp_path / "wt.core"
    r = run(eval_args('(defvar *keep* (list :kept))',
                      '(defvar *h* (make-hash-table :weakness :key))',
                      '(setf (gethash *keep* *h*) 1 (gethash (list :gone) *h*) 2)',
                      f'(petrel-ext:save-lisp-and-die "{core}")'), torture=False, timeout=60)
    assert r.rc == 0, r
    r = run(["--core", str(core)] + eval_args(
        "(dotimes (i 3) (make-list 1000) (petrel-ext:gc))",
        "(print (list (hash-table-count *h*) (gethash *keep* *h*) (hash-table-weakness *h*)))"))
    assert r.rc == 0, r
    assert r.values == ["(1 1 :KEY)"], r


# Threads read a weak :value table whose values are only weakly held and
# store what they get into a strong table while concurrent cycles run with
# the barrier checker: what a read returned stays a whole, live object.
CONCURRENT_TABLES = r"""
(use-package "PETREL-THREADS")
(defvar *weak* (make-hash-table :weakness :value :synchronized t))
(defvar *strong* (make-hash-table :synchronized t))
(defun worker (id)
  (let ((got 0))
    (dotimes (i 30000)
      (setf (gethash (+ (* id 100000) (mod i 3000)) *weak*) (list id i (make-string 8 :initial-element #\w)))
      (make-array 60)  ; garbage, so that several cycles run
      (let ((v (gethash (+ (* id 100000) (mod (* 7 i) 3000)) *weak*)))
        (when v (incf got) (setf (gethash (+ (* id 100000) (mod i 500)) *strong*) v)))
      (when (zerop (mod i 1000))
        (maphash (lambda (k v) (declare (ignore k)) (setf (gethash (- -1 id) *strong*) v)) *weak*)))
    got))
(print (every #'plusp (mapcar #'join-thread
                              (loop for id below 3 collect (let ((id id)) (make-thread (lambda () (worker id))))))))
(let ((bad 0))
  (maphash (lambda (k v) (declare (ignore k))
             (unless (and (integerp (first v)) (integerp (second v)) (string= (third v) "wwwwwwww")) (incf bad)))
           *strong*)
  (print bad))
(print (petrel-ext:verify-heap))
"""


def test_concurrent_weak_table_reads(tmp_path):
    run_checked_concurrent(tmp_path, CONCURRENT_TABLES)


def test_pause_checks_only_unsettled_weak_entries():
    """Before pause 2 a mark worker presorts the weak tables
    (lisp/hashtable_weak.c): entries with both halves marked are settled,
    and the pause looks only at the others.  A :key table of 100,000 live
    entries, several concurrent cycles: the pauses examine far fewer than
    100,000 entries a cycle (without the presort: every entry, every
    cycle), and dropping half the keys still removes exactly those."""
    prog = r"""
(defvar *keep* (make-array 100000))
(defvar *table* (make-hash-table :test 'eq :weakness :key))
(dotimes (i 100000) (let ((o (list i))) (setf (aref *keep* i) o (gethash o *table*) i)))
(defun checks () (petrel-system::%weak-table-pause-checks))
(defun cycles () (getf (petrel-ext:gc-statistics) :collections))
(defun churn (n) (let ((c0 (cycles))) (loop until (>= (- (cycles) c0) n) do (make-list 1000))))
(churn 2)  ; the table's building rehashes are behind us
(defvar *c0* (cycles))
(defvar *k0* (checks))
(churn 6)
(let ((n (- (cycles) *c0*)) (k (- (checks) *k0*)))
  (print (list (>= n 6) (< k (* 100000 n 1/2)))))
(dotimes (i 50000) (setf (aref *keep* (* 2 i)) nil))
(churn 3)
(print (list (hash-table-count *table*)
             (loop for i from 1 below 100000 by 2 always (eql (gethash (aref *keep* i) *table*) i))))
"""
    env = {"PETREL_GC_CONCURRENT": "1", "PETREL_GC_CHECK_BARRIER": "0"}
    r = run(["--non-interactive", "--eval", "(load *standard-input*)"], stdin=prog, env=env,
            timeout=120, torture=False)
    assert r.rc == 0, r
    assert r.values == ["(T T)", "(50000 T)"], r
