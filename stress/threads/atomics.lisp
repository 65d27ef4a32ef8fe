;;;; stress/threads/atomics.lisp — SPEC.md "Atomics": COMPARE-AND-SWAP and
;;;; ATOMIC-INCF/ATOMIC-DECF count exactly under contention, on every place
;;;; kind (car, cdr, svref, symbol-value, structure slot).
(let ((f (format nil "~A" *load-truename*)))
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "lib.lisp")))
(in-package "STRESS")

(defstruct counter (n 0) (other :x))
(defvar *global-counter* 0)

(defmacro count-in-threads ((place-var init-form place) &body check)
  "Every thread ATOMIC-INCFs PLACE *ITERATIONS* times; the old values every
thread saw, merged, must be exactly 0 .. total-1."
  `(let* ((,place-var ,init-form)
          (olds (run-threads *threads*
                             (lambda (i rng)
                               (declare (ignore i rng))
                               (loop repeat *iterations* collect (atomic-incf ,place)))))
          (total (* *threads* *iterations*)))
     (check (eql ,place total) "~S ended at ~S, expected ~D" ',place ,place total)
     (let ((seen (make-array total :initial-element nil)) (bad 0))
       (dolist (l olds)
         (dolist (o l)
           (if (and (integerp o) (< -1 o total) (not (aref seen o)))
               (setf (aref seen o) t)
               (incf bad))))
       (check (zerop bad) "~D old values returned by ATOMIC-INCF on ~S were repeated or out of range"
              bad ',place))
     ,@check
     (note :total total)))

(defcase atomic-incf-car ()
  (count-in-threads (c (list 0 :rest) (car c))
    (check (equal (cdr c) '(:rest)) "the cdr changed: ~S" c)))

(defcase atomic-incf-cdr ()
  (count-in-threads (c (cons :head 0) (cdr c))
    (check (eq (car c) :head) "the car changed: ~S" c)))

(defcase atomic-incf-svref ()
  (count-in-threads (v (vector :a 0 :b) (svref v 1))
    (check (and (eq (svref v 0) :a) (eq (svref v 2) :b)) "neighbours changed: ~S" v)))

(defcase atomic-incf-symbol-value ()
  (count-in-threads (s (progn (setf *global-counter* 0) '*global-counter*) (symbol-value s))))

(defcase atomic-incf-struct ()
  (count-in-threads (c (make-counter) (counter-n c))
    (check (eq (counter-other c) :x) "the other slot changed: ~S" c)))

(defcase atomic-decf ()
  (let* ((total (* *threads* *iterations*))
         (c (list total)))
    (run-threads *threads* (lambda (i rng) (declare (ignore i rng))
                             (loop repeat *iterations* do (atomic-decf (car c)))))
    (check (eql (car c) 0) "ATOMIC-DECF from ~D ended at ~S" total (car c))
    (check (eql (atomic-decf (car c) 5) 0) "ATOMIC-DECF does not return the old value")
    (check (eql (atomic-incf (car c) 7) -5) "ATOMIC-INCF with a delta does not return the old value")
    (check (eql (car c) 2) "delta arithmetic is wrong: ~S" (car c))
    (note :total total)))

(defcase cas-loop ()
  ;; Increment by a CAS retry loop on every place kind at once; count the retries.
  (let* ((cell (list 0)) (vec (vector 0)) (st (make-counter)) (retries (list 0))
         (total (* *threads* *iterations*)))
    (setf *global-counter* 0)
    (run-threads *threads*
                 (lambda (i rng)
                   (declare (ignore i rng))
                   (dotimes (k *iterations*)
                     (loop for old = (atomic-read (car cell))
                           until (eql (compare-and-swap (car cell) old (1+ old)) old)
                           do (atomic-incf (car retries)))
                     (loop for old = (atomic-read (svref vec 0))
                           until (eql (compare-and-swap (svref vec 0) old (1+ old)) old))
                     (loop for old = (atomic-read (counter-n st))
                           until (eql (compare-and-swap (counter-n st) old (1+ old)) old))
                     (loop for old = (atomic-read (symbol-value '*global-counter*))
                           until (eql (compare-and-swap (symbol-value '*global-counter*) old (1+ old)) old)))))
    (check (eql (car cell) total) "CAS on car counted ~S, expected ~D" (car cell) total)
    (check (eql (svref vec 0) total) "CAS on svref counted ~S, expected ~D" (svref vec 0) total)
    (check (eql (counter-n st) total) "CAS on a structure slot counted ~S, expected ~D" (counter-n st) total)
    (check (eql *global-counter* total) "CAS on symbol-value counted ~S, expected ~D" *global-counter* total)
    (note :total total)
    (note :car-retries (car retries))))

(defcase cas-semantics ()
  ;; Single-threaded contract: returns the old value; stores only on EQ match.
  (let ((c (list :a)))
    (check (eq (compare-and-swap (car c) :b :c) :a) "failed CAS must return the current value")
    (check (eq (car c) :a) "failed CAS must not store")
    (check (eq (compare-and-swap (car c) :a :c) :a) "successful CAS must return the old value")
    (check (eq (car c) :c) "successful CAS must store")
    (let ((s (copy-seq "abc")))
      (setf (car c) s)
      (compare-and-swap (car c) (copy-seq "abc") :no)
      (check (eq (car c) s) "CAS compares with EQ (an EQUAL but different string must not match)")))
  ;; Exactly one of many racing CASes from the same old value wins.
  (dotimes (k (max 1 (floor *iterations* 10)))
    (let* ((cell (list :free))
           (wins (run-threads *threads*
                              (lambda (i rng) (declare (ignore rng))
                                (if (eq (compare-and-swap (car cell) :free i) :free) 1 0)))))
      (check (eql (reduce #'+ wins) 1) "~D threads won the same CAS" (reduce #'+ wins)))))

(defcase symbol-value-cas-sees-global ()
  ;; COMPARE-AND-SWAP on SYMBOL-VALUE works on the value the thread sees:
  ;; a thread's own binding when it has one, else the global value.
  (setf *global-counter* 0)
  (let ((r (run-threads *threads*
                        (lambda (i rng) (declare (ignore rng))
                          (let ((*global-counter* 100))
                            (dotimes (k *iterations*) (atomic-incf (symbol-value '*global-counter*)))
                            (list i *global-counter*))))))
    (check (eql *global-counter* 0) "threads' bound ATOMIC-INCFs leaked into the global value: ~S" *global-counter*)
    (dolist (x r)
      (check (eql (second x) (+ 100 *iterations*)) "thread ~D's own binding counted ~S" (first x) (second x)))))

(defcase plain-read-cas-idiom ()
  ;; The usual idiom reads the place with a plain CAR, then CASes; plain
  ;; reads and writes racing with each other or with a CAS return a value
  ;; some thread wrote (no tearing), and the CAS loop counts exactly.
  (let ((cell (list 0)) (flag (list :a)) (total (* *threads* *iterations*)))
    (run-threads *threads*
                 (lambda (i rng) (declare (ignore rng))
                   (dotimes (k *iterations*)
                     (loop for old = (car cell)
                           until (eql (compare-and-swap (car cell) old (1+ old)) old))
                     (setf (car flag) (if (evenp i) :a :b))
                     (check (member (car flag) '(:a :b)) "a plain read gave ~S" (car flag)))))
    (check (eql (car cell) total) "counted ~S, expected ~D" (car cell) total)))

(run-cases)
