;;;; stress/threads/sync.lisp — SPEC.md "Locks", "Condition variables",
;;;; "Semaphores": mutual exclusion, ownership errors, recursion, WAIT-P and
;;;; timeouts, no lost wake-ups, exact semaphore counts.
(let ((f (format nil "~A" *load-truename*)))
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "lib.lisp")))
(in-package "STRESS")

(defcase mutual-exclusion ()
  ;; A plain (non-atomic) read-modify-write under WITH-LOCK-HELD counts
  ;; exactly, and no two threads are ever inside at once.
  (let ((lock (make-lock "counter")) (cell (list 0)) (inside (list 0)))
    (run-threads *threads*
                 (lambda (i rng)
                   (dotimes (n *iterations*)
                     (with-lock-held (lock)
                       (check (eql (atomic-incf (car inside)) 0) "two threads inside the lock")
                       (check (eq (lock-owner lock) (current-thread)) "LOCK-OWNER is not the holder")
                       (let ((v (car cell)))
                         (when (zerop (rng rng 8)) (thread-yield))
                         (setf (car cell) (1+ v)))
                       (atomic-decf (car inside))))))
    (check (eql (car cell) (* *threads* *iterations*)) "counted ~S, expected ~D" (car cell)
           (* *threads* *iterations*))
    (check (null (lock-owner lock)) "the lock is still owned after all released")))

(defcase ownership-errors ()
  (let ((lock (make-lock "plain")))
    (check (eq (acquire-lock lock) t) "ACQUIRE-LOCK does not return T")
    (check (handler-case (progn (acquire-lock lock) nil) (error () t))
           "re-acquiring a non-recursive lock by its owner must signal an error, not deadlock")
    (let ((r (first (join-all (list (spawn "other" (lambda ()
                                                     (list (acquire-lock lock nil)
                                                           (acquire-lock lock :wait-p nil)
                                                           (handler-case (progn (release-lock lock) :released)
                                                             (error () :error))))))))))
      (check (equal r '(nil nil :error)) "another thread: wait-p NIL gave ~S, release gave ~S"
             (butlast r) (third r)))
    (release-lock lock)
    (check (handler-case (progn (release-lock lock) nil) (error () t)) "releasing an unheld lock must signal")
    (check (handler-case (progn (acquire-lock 42) nil) (type-error () t)) "ACQUIRE-LOCK of a non-lock: TYPE-ERROR")))

(defcase recursive-lock ()
  (let ((lock (make-recursive-lock "rec")) (cell (list 0)))
    (run-threads *threads*
                 (lambda (i rng)
                   (dotimes (n *iterations*)
                     (let ((depth (1+ (rng rng 4))))
                       (labels ((enter (d)
                                  (with-recursive-lock-held (lock)
                                    (if (> d 1) (enter (1- d)) (setf (car cell) (1+ (car cell)))))))
                         (enter depth))
                       (check (not (eq (lock-owner lock) (current-thread)))
                              "thread ~D still owns the lock after leaving depth ~D" i depth)))))
    (check (eql (car cell) (* *threads* *iterations*)) "counted ~S" (car cell))))

(defcase lock-timeouts ()
  ;; A holder keeps the lock for long: waiters with a short timeout or
  ;; WAIT-P NIL return NIL without it; a waiter with a long timeout gets it
  ;; once the holder releases.
  (let* ((lock (make-lock "held")) (got (make-semaphore)) (release (make-semaphore))
         (holder (spawn "holder" (lambda ()
                                   (with-lock-held (lock)
                                     (signal-semaphore got)
                                     (wait-on-semaphore release))))))
    (wait-on-semaphore got)
    (check (null (acquire-lock lock :timeout 0.05)) "ACQUIRE-LOCK :TIMEOUT 0.05 got a held lock")
    (check (null (acquire-lock lock :wait-p nil)) "ACQUIRE-LOCK :WAIT-P NIL got a held lock")
    (check (null (with-lock-held (lock :timeout 0.02) :ran)) "WITH-LOCK-HELD :TIMEOUT ran its body")
    (check (null (with-lock-held (lock :wait-p nil) :ran)) "WITH-LOCK-HELD :WAIT-P NIL ran its body")
    (let ((waiter (spawn "waiter" (lambda () (acquire-lock lock :timeout 30)))))
      (sleep 0.05)
      (signal-semaphore release)
      (join-all (list holder))
      (check (eq (join-thread waiter) t) "a waiter with a long timeout did not get the lock")
      (check (eq (lock-owner lock) waiter) "LOCK-OWNER is ~S, not the waiter that took it" (lock-owner lock)))))

(defcase condition-variable-queue ()
  ;; Producers and consumers share a queue under one lock and one condition
  ;; variable: every item is consumed exactly once, no wake-up is lost.
  (let* ((lock (make-lock "queue")) (cv (make-condition-variable)) (queue nil) (done-producers 0)
         (producers (max 1 (floor *threads* 2))) (consumers (max 1 (- *threads* producers)))
         (n *iterations*)
         (pthreads (loop for p below producers
                         collect (let ((p p))
                                   (spawn "producer"
                                          (lambda ()
                                            (dotimes (k n)
                                              (with-lock-held (lock)
                                                (push (+ (* p 1000000) k) queue)
                                                (condition-notify cv)))
                                            (with-lock-held (lock)
                                              (incf done-producers)
                                              (condition-broadcast cv)))))))
         (cthreads (loop repeat consumers
                         collect (spawn "consumer"
                                        (lambda ()
                                          (let ((got nil))
                                            (loop
                                              (with-lock-held (lock)
                                                (loop while (and (null queue) (< done-producers producers))
                                                      do (condition-wait cv lock))
                                                (check (eq (lock-owner lock) (current-thread))
                                                       "CONDITION-WAIT returned without the lock")
                                                (cond (queue (push (pop queue) got))
                                                      (t (return got))))))))))
         (all (progn (join-all pthreads) (apply #'append (join-all cthreads)))))
    (check (eql (length all) (* producers n)) "consumed ~D items, produced ~D" (length all) (* producers n))
    (check (eql (length (remove-duplicates all)) (length all)) "an item was consumed twice")
    (note :items (length all))))

(defcase condition-wait-timeout ()
  (let ((lock (make-lock)) (cv (make-condition-variable)))
    (with-lock-held (lock)
      (check (null (condition-wait cv lock :timeout 0.02)) "CONDITION-WAIT :TIMEOUT with no notify returned true")
      (check (eq (lock-owner lock) (current-thread)) "CONDITION-WAIT :TIMEOUT returned without the lock"))
    ;; notified in time: returns true
    (let* ((ready (make-semaphore))
           (waiter (spawn "waiter" (lambda ()
                                     (with-lock-held (lock)
                                       (signal-semaphore ready)
                                       (condition-wait cv lock :timeout 30))))))
      (wait-on-semaphore ready)
      (loop for k from 0 below 2000
            while (thread-alive-p waiter)
            do (with-lock-held (lock) (condition-notify cv))
               (sleep 0.005))
      (check (join-thread waiter) "a notified CONDITION-WAIT :TIMEOUT 30 returned false"))))

(defcase broadcast-wakes-all ()
  (let* ((lock (make-lock)) (cv (make-condition-variable)) (go nil) (waiting 0)
         (waiters (loop for i below *threads*
                        collect (spawn "waiter" (lambda ()
                                                  (with-lock-held (lock)
                                                    (incf waiting)
                                                    (loop until go do (condition-wait cv lock))
                                                    :woke))))))
    (loop until (with-lock-held (lock) (eql waiting *threads*)) do (sleep 0.001))
    (with-lock-held (lock) (setf go t) (condition-broadcast cv))
    (check (every (lambda (r) (eq r :woke)) (join-all waiters)) "not every waiter woke")))

(defcase semaphore-counts ()
  (let ((s (make-semaphore :name "s" :count 3)))
    (check (eql (semaphore-count s) 3) "initial count ~S" (semaphore-count s))
    (dotimes (k 3) (wait-on-semaphore s))
    (check (null (wait-on-semaphore s :timeout 0.02)) "WAIT-ON-SEMAPHORE :TIMEOUT on count 0 returned true")
    (signal-semaphore s 2)
    (check (eql (semaphore-count s) 2) "count after SIGNAL-SEMAPHORE 2 is ~S" (semaphore-count s)))
  ;; Producers signal exactly N*T times; consumers wait exactly as often.
  (let* ((s (make-semaphore :count 0)) (n *iterations*) (half (max 1 (floor *threads* 2))))
    (join-all (append (loop repeat half collect (spawn "signaller" (lambda () (dotimes (k n) (signal-semaphore s)))))
                      (loop repeat half collect (spawn "waiter" (lambda () (dotimes (k n) (wait-on-semaphore s)))))))
    (check (eql (semaphore-count s) 0) "count ~S after equal signals and waits" (semaphore-count s))
    (check (null (wait-on-semaphore s :timeout 0.01)) "a wait succeeded with count 0")))

(run-cases)
