;;;; stress/threads/hash-sync.lisp — SPEC.md "Synchronized hash tables":
;;;; tables made with :SYNCHRONIZED T are linearizable: every operation
;;;; behaves as if it happened atomically at one instant between its call and
;;;; its return, whatever mix of operations the threads run.
(let ((f (format nil "~A" *load-truename*)))
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "lib.lisp")))
(in-package "STRESS")

(defun sync-table (&optional (test 'eql))
  (make-hash-table :test test :synchronized t))

(defun table-entries (table)
  "The entries of TABLE as a list of (key . value), read under one MAPHASH."
  (let ((l nil)) (maphash (lambda (k v) (push (cons k v) l)) table) l))

(defcase disjoint-writers ()
  ;; Thread i writes only keys it owns; its own reads must see exactly its own
  ;; last writes, its reads of other keys only values their owner wrote, and
  ;; the final table must be the union of the per-thread models.
  (let* ((table (sync-table))
         (keys 64)
         (models (run-threads *threads*
                   (lambda (i rng)
                     (let ((model (make-hash-table)))
                       (dotimes (n *iterations* model)
                         (let* ((k (+ (* i 1000) (rng rng keys)))
                                (op (rng rng 4)))
                           (case op
                             (0 (let ((v (list i n))) (setf (gethash k table) v (gethash k model) v)))
                             (1 (check (eq (remhash k table) (remhash k model))
                                       "thread ~D: REMHASH ~D disagreed with the thread's own writes" i k))
                             (2 (multiple-value-bind (v found) (gethash k table)
                                  (multiple-value-bind (mv mfound) (gethash k model)
                                    (check (and (eq found mfound) (eq v mv))
                                           "thread ~D: GETHASH ~D returned ~S ~S, its own last write was ~S ~S"
                                           i k v found mv mfound))))
                             (3 (let* ((j (rng rng *threads*))
                                       (v (gethash (+ (* j 1000) (rng rng keys)) table)))
                                  (check (or (null v) (and (consp v) (eql (first v) j)))
                                         "thread ~D read ~S under a key of thread ~D" i v j)))))))))))
    (let ((expected 0))
      (loop for model in models for i from 0
            when model
              do (incf expected (hash-table-count model))
                 (maphash (lambda (k v)
                            (check (eq (gethash k table) v) "final value of ~D is ~S, thread ~D wrote ~S"
                                   k (gethash k table) i v))
                          model))
      (check (eql (hash-table-count table) expected) "HASH-TABLE-COUNT ~D, the threads' models hold ~D"
             (hash-table-count table) expected)
      (check (eql (length (table-entries table)) expected) "MAPHASH visits ~D entries, expected ~D"
             (length (table-entries table)) expected)
      (note :entries expected))))

(defcase remhash-race ()
  ;; Every thread removes every key: for each key exactly one REMHASH returns T.
  (let* ((table (sync-table))
         (n (max 16 (* 4 *iterations*))))
    (dotimes (k n) (setf (gethash k table) k))
    (let* ((wins (run-threads *threads*
                   (lambda (i rng)
                     (let ((order (make-array n)) (won nil))
                       (dotimes (k n) (setf (aref order k) k))
                       (loop for k from (1- n) downto 1
                             do (rotatef (aref order k) (aref order (rng rng (1+ k)))))
                       (loop for k across order when (remhash k table) do (push k won))
                       won))))
           (all (apply #'append wins))
           (seen (make-array n :initial-element 0)))
      (dolist (k all) (incf (aref seen k)))
      (check (eql (length all) n) "~D successful REMHASHes for ~D keys" (length all) n)
      (check (every (lambda (c) (eql c 1)) seen) "some key was removed ~S times"
             (find-if-not (lambda (c) (eql c 1)) seen))
      (check (zerop (hash-table-count table)) "count ~D after removing all" (hash-table-count table))
      (note :keys n))))

(defcase same-key-writers ()
  ;; All threads write the same few keys; each final value must be the LAST
  ;; write of some thread to that key (an earlier write of a thread cannot
  ;; follow that thread's later one).
  (let* ((table (sync-table 'equal))
         (keys (loop for k below 8 collect (format nil "key-~D" k)))
         (lasts (run-threads *threads*
                  (lambda (i rng)
                    (let ((last (make-hash-table :test 'equal)))
                      (dotimes (n *iterations* last)
                        (let ((k (nth (rng rng 8) keys)))
                          (setf (gethash (copy-seq k) table) (list i n)
                                (gethash k last) (list i n)))))))))
    (dolist (k keys)
      (let ((v (gethash k table)))
        (when v
          (check (equal v (gethash k (nth (first v) lasts)))
                 "final ~A = ~S, which is not the last write of thread ~D (~S)"
                 k v (first v) (gethash k (nth (first v) lasts))))))
    (check (<= (hash-table-count table) 8) "~D entries for 8 EQUAL keys" (hash-table-count table))))

(defcase maphash-snapshot ()
  ;; While writers insert and remove, a MAPHASH sees a consistent table: each
  ;; key once, HASH-TABLE-COUNT inside the traversal equals the number of
  ;; entries it visits, every value is one its key was given.
  (let* ((table (sync-table))
         (stop (list nil))
         (traversals (list 0))
         (observer (spawn "observer"
                          (lambda ()
                            (loop until (atomic-read (car stop))
                                  do (let ((visited 0) (count nil) (seen (make-hash-table)))
                                       (maphash (lambda (k v)
                                                  (unless count (setf count (hash-table-count table)))
                                                  (check (null (gethash k seen)) "MAPHASH visited ~S twice" k)
                                                  (setf (gethash k seen) t)
                                                  (check (eql v (* 3 k)) "key ~S has value ~S" k v)
                                                  (incf visited))
                                                table)
                                       (when count
                                         (check (eql count visited)
                                                "HASH-TABLE-COUNT ~D inside MAPHASH, which visited ~D"
                                                count visited))
                                       (incf (car traversals))))))))
    (run-threads *threads*
                 (lambda (i rng)
                   (dotimes (n *iterations*)
                     (let ((k (rng rng 200)))
                       (if (zerop (rng rng 2)) (setf (gethash k table) (* 3 k)) (remhash k table))))))
    (atomic-write (car stop) t)
    (join-all (list observer))
    (note :traversals (car traversals))))

(defcase count-monotonic ()
  ;; With inserts only, successive HASH-TABLE-COUNTs never decrease and end
  ;; at the number of distinct keys; the table grows under contention.  The
  ;; writers start once the observer is reading.
  (let* ((table (sync-table))
         (stop (list nil))
         (reads (list 0))
         (reading (make-semaphore))
         (n (max 2000 *iterations*))
         (observer (spawn "observer"
                          (lambda ()
                            (let ((last 0))
                              (loop for k from 0 until (atomic-read (car stop))
                                    do (let ((c (hash-table-count table)))
                                         (check (>= c last) "HASH-TABLE-COUNT went from ~D to ~D" last c)
                                         (setf last c)
                                         (incf (car reads))
                                         (when (eql k 0) (signal-semaphore reading)))))))))
    (wait-on-semaphore reading)
    (run-threads *threads*
                 (lambda (i rng) (declare (ignore rng))
                   (dotimes (k n) (setf (gethash (+ (* i 1000000) k) table) k))))
    (atomic-write (car stop) t)
    (join-all (list observer))
    (check (eql (hash-table-count table) (* *threads* n)) "final count ~D, expected ~D"
           (hash-table-count table) (* *threads* n))
    (note :count-reads (car reads))))

(defcase mixed-with-clrhash ()
  ;; Any mix (puthash, remhash, gethash, maphash, clrhash, count) on EQUAL
  ;; string keys; afterwards the table is self-consistent.
  (let ((table (sync-table 'equal)))
    (run-threads *threads*
                 (lambda (i rng)
                   (dotimes (n *iterations*)
                     (let ((k (format nil "k~D" (rng rng 300))) (op (rng rng 100)))
                       (cond ((< op 45) (setf (gethash k table) (length k)))
                             ((< op 70) (remhash k table))
                             ((< op 90) (let ((v (gethash k table)))
                                          (check (or (null v) (eql v (length k))) "~S has value ~S" k v)))
                             ((< op 99) (maphash (lambda (kk v) (check (eql v (length kk)) "~S has ~S" kk v)) table))
                             (t (clrhash table)))))))
    (let ((entries (table-entries table)))
      (check (eql (length entries) (hash-table-count table)) "MAPHASH ~D entries, count ~D"
             (length entries) (hash-table-count table))
      (dolist (e entries)
        (check (eql (gethash (copy-seq (car e)) table) (cdr e)) "GETHASH disagrees with MAPHASH on ~S" (car e))))
    (check (petrel-ext:hash-table-synchronized-p table) "HASH-TABLE-SYNCHRONIZED-P is false")))

(defcase nested-maphash-ops ()
  ;; MAPHASH holds the table's lock, which is recursive: the function may
  ;; call GETHASH, (SETF GETHASH) on the current key and REMHASH on it, while
  ;; other threads wait.
  (let ((table (sync-table)))
    (dotimes (k 100) (setf (gethash k table) k))
    (run-threads *threads*
                 (lambda (i rng) (declare (ignore rng))
                   (dotimes (n (max 1 (floor *iterations* 100)))
                     (maphash (lambda (k v)
                                (check (eql (gethash k table) v) "GETHASH inside MAPHASH")
                                (setf (gethash k table) (if (evenp i) k v)))
                              table))))
    (check (eql (hash-table-count table) 100) "count ~D" (hash-table-count table))))

(run-cases)
