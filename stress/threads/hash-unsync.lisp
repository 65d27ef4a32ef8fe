;;;; stress/threads/hash-unsync.lisp — SPEC.md "Unsynchronized hash tables":
;;;; an ordinary table misused by many threads at once never crashes the
;;;; process or corrupts memory.  Entries may be lost, reads may be stale,
;;;; and a value may come back paired with another key that raced for the
;;;; same slot, but every value read is one some thread stored in the table
;;;; (never an internal marker), nothing loops forever, and after CLRHASH
;;;; the table is exact again.
(let ((f (format nil "~A" *load-truename*)))
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "lib.lisp")))
(in-package "STRESS")

(defun key-value (key tag)
  "The value stored under KEY: it encodes KEY, so a read can be checked."
  (+ (* 8 (if (stringp key) (length key) key)) tag))

(defun value-ok (key v)
  "V is NIL or a value some thread stored in the table: KEY-VALUE of some key.
(Under misuse it may be another key's: an update can land in a slot a
racing REMHASH and PUTHASH just gave to another key; SPEC.md.)"
  (declare (ignore key))
  (or (null v) (and (integerp v) (>= v 0))))

(defvar *errors* (list 0))
(defvar *bad-reads* (list 0))

(defun misuse (table rng n keyfn)
  "N random operations on TABLE.  A value read that was never stored under
its key, or a negative count, is counted in *BAD-READS* (MISUSE-VALUES
checks those); a Lisp error is counted in *ERRORS*."
  (flet ((read-ok (ok what key value)
           (unless ok
             (when (< (atomic-incf (car *bad-reads*)) 3)
               (fail-later what key value)))))
    (dotimes (i n)
      (let* ((k (funcall keyfn (rng rng 500))) (op (rng rng 100)))
        (handler-case
            (cond ((< op 40) (setf (gethash k table) (key-value k (rng rng 8))))
                  ((< op 60) (remhash k table))
                  ((< op 90) (let ((v (gethash k table)))
                               (read-ok (value-ok k v) "GETHASH" k v)))
                  ((< op 97) (let ((c (hash-table-count table)))
                               (read-ok (>= c 0) "HASH-TABLE-COUNT" :count c)))
                  ((< op 99) (maphash (lambda (kk v) (read-ok (value-ok kk v) "MAPHASH" kk v)) table))
                  (t (clrhash table)))
          (error (e)
            ;; Misuse may signal an error (e.g. MAPHASH over a table another
            ;; thread reshapes); counted, not a failure.  A crash is.
            (atomic-incf (car *errors*))
            (when (< (car *errors*) 3) (format t "~&  note: ~A: ~A~%" (type-of e) e))))))))

(defvar *bad-read-messages* nil)
(defvar *bad-read-lock* (make-lock))

(defun fail-later (what key value)
  (with-lock-held (*bad-read-lock*)
    (push (format nil "~A ~A gave ~S, never stored in the table"
                  what (if (stringp key) (format nil "a ~D-character string" (length key)) key) value)
          *bad-read-messages*)))

(defun check-usable (table keyfn)
  "After the misuse: consistent, and exact again under single-threaded use."
  (let ((entries nil))
    (maphash (lambda (k v) (push (cons k v) entries)) table)
    ;; The count is a plain counter: racing updates may leave it off from
    ;; the entries until the next CLRHASH (SPEC.md); only report it.
    (unless (eql (length entries) (hash-table-count table))
      (note :count-drift (- (hash-table-count table) (length entries))))
    ;; Racing puts can tear or duplicate an entry, and a racing REMHASH can
    ;; cut a probe chain (SPEC.md): counted and reported, not failures.
    (let ((unreachable 0))
      (dolist (e entries)
        (check (value-ok (car e) (cdr e)) "entry ~S => ~S" (car e) (cdr e))
        (unless (eql (gethash (car e) table) (cdr e)) (incf unreachable)))
      (when (plusp unreachable) (note :gethash-misses unreachable)))
    (let ((seen (make-hash-table :test 'equal)) (duplicates 0))
      (dolist (e entries)
        (if (gethash (car e) seen) (incf duplicates) (setf (gethash (car e) seen) t)))
      (when (plusp duplicates) (note :duplicate-keys duplicates))))
  (clrhash table)
  (check (zerop (hash-table-count table)) "CLRHASH left ~D entries" (hash-table-count table))
  (dotimes (k 1000) (setf (gethash (funcall keyfn k) table) (key-value (funcall keyfn k) 1)))
  (check (eql (hash-table-count table) 1000) "1000 fresh puts gave count ~D" (hash-table-count table))
  (check (loop for k below 1000 always (eql (gethash (funcall keyfn k) table) (key-value (funcall keyfn k) 1)))
         "fresh entries are not all found"))

(defun string-key (n) (make-string (1+ n) :initial-element #\k))

(defun misuse-run (test keyfn)
  (setf (car *errors*) 0)
  (let ((table (make-hash-table :test test)))
    (run-threads *threads* (lambda (i rng) (declare (ignore i)) (misuse table rng *iterations* keyfn)))
    (check-usable table keyfn)))

(defcase eql-table-misuse ()
  ;; Never crashes, the heap verifies, the table is usable afterwards.
  (setf (car *bad-reads*) 0)
  (misuse-run 'eql #'identity)
  (note :lisp-errors (car *errors*))
  (note :bad-reads (car *bad-reads*)))

(defcase equal-table-misuse ()
  (setf (car *bad-reads*) 0)
  (misuse-run 'equal #'string-key)
  (note :lisp-errors (car *errors*))
  (note :bad-reads (car *bad-reads*)))

(defcase misuse-values ()
  ;; Every value a read returns is one some thread stored in the table
  ;; (never an internal marker), and HASH-TABLE-COUNT is never negative.
  ;; Up to 100 rounds of both tables, stopping at the first bad read.
  (setf (car *bad-reads*) 0 *bad-read-messages* nil)
  (loop for round below 100
        until (plusp (car *bad-reads*))
        do (misuse-run 'eql #'identity)
           (misuse-run 'equal #'string-key)
        finally (note :rounds round))
  (dolist (m (reverse *bad-read-messages*)) (fail "~A" m)))

;; Threads stuck in a table operation are detected by JOIN-THREAD's timeout,
;; so a livelock fails the case quickly instead of running into the budget.
(defun run-threads-or-stuck (n function seconds)
  (let ((threads (loop for i below n
                       collect (let ((i i)) (spawn (format nil "worker-~D" i) function i)))))
    (loop for th in threads
          never (eq :stuck (handler-case (join-thread th :timeout seconds)
                             (join-thread-error (e)
                               (declare (ignore e))
                               (stuck "~A did not finish within ~D s: stuck in a hash table operation"
                                      (thread-name th) seconds)))))))

(defcase growth-race ()
  ;; Many threads inserting distinct keys into a small table at once, so
  ;; every resize races; repeated over fresh tables.  Entries may be lost,
  ;; nothing else; no operation may loop forever.
  (let ((rounds (max 40 (floor *iterations* 10))) (kept 0) (inserted 0) (ok t))
    (dotimes (r rounds)
      (let ((table (make-hash-table :size 4)))
        (unless (run-threads-or-stuck
                 *threads*
                 (lambda (i)
                   (dotimes (n 500)
                     (let ((k (+ (* i 100000) n))) (setf (gethash k table) (key-value k 0)))))
                 3)
          (setf ok nil)
          (return))
        (incf kept (hash-table-count table))
        (incf inserted (* *threads* 500))
        (check-usable table #'identity)))
    (when ok
      (note :rounds rounds) (note :kept kept) (note :inserted inserted))))

(run-cases)
