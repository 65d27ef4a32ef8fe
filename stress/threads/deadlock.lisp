;;;; stress/threads/deadlock.lisp — SPEC.md "Deadlock detection": a lock
;;;; wait that would close a cycle of threads waiting for locks signals
;;;; PETREL-THREADS:DEADLOCK in one waiting thread, naming the threads and
;;;; locks of the cycle; once that thread gives up its locks the others go on.
(let ((f (format nil "~A" *load-truename*)))
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "lib.lisp")))
(in-package "STRESS")

(defun cycle-run (n)
  "N threads, N locks: thread i holds lock i, then takes lock i+1 mod N."
  (let* ((locks (loop for i below n collect (make-lock (format nil "L~D" i))))
         (holding (make-semaphore))
         (threads
           (loop for i below n
                 collect (let ((i i))
                           (make-thread
                            (lambda ()
                              (handler-case
                                  (with-lock-held ((nth i locks))
                                    (signal-semaphore holding)
                                    ;; wait until every thread holds its first lock
                                    (loop until (every #'lock-owner locks) do (sleep 0.001))
                                    (with-lock-held ((nth (mod (1+ i) n) locks))
                                      :acquired))
                                (deadlock (e) (list :deadlock (deadlock-threads e) (deadlock-locks e)))))
                            :name (format nil "T~D" i))))))
    (dotimes (i n) (wait-on-semaphore holding))
    (let* ((results (mapcar (lambda (th)
                              (handler-case (join-thread th :timeout 10)
                                (join-thread-error (e)
                                  (if (eq (join-thread-error-reason e) :timeout)
                                      (stuck "a thread of the ~D-cycle did not finish in 10 s: deadlock not detected" n)
                                      (list :join-error e)))))
                            threads))
           (detected (remove-if-not (lambda (r) (and (consp r) (eq (first r) :deadlock))) results)))
      (check (>= (length detected) 1) "no thread of the ~D-cycle got DEADLOCK: ~S" n results)
      (check (every (lambda (r) (or (eq r :acquired) (member r detected))) results)
             "a thread ended otherwise: ~S" results)
      (check (member :acquired results) "no thread went on after the deadlock was broken: ~S" results)
      (dolist (d detected)
        (destructuring-bind (tag dthreads dlocks) d
          (declare (ignore tag))
          (check (and (= (length dthreads) n) (null (set-exclusive-or dthreads threads)))
                 "DEADLOCK-THREADS ~S does not name the ~D threads of the cycle" (mapcar #'thread-name dthreads) n)
          (check (and (= (length dlocks) n) (null (set-exclusive-or dlocks locks)))
                 "DEADLOCK-LOCKS ~S does not name the ~D locks of the cycle" (mapcar #'lock-name dlocks) n)))
      (check (notany #'lock-owner locks) "a lock is still owned after all threads ended")
      (length detected))))

(defcase two-threads-two-locks ()
  (let ((detections 0))
    (dotimes (k *iterations*) (incf detections (cycle-run 2)))
    (note :runs *iterations*) (note :detections detections)))

(defcase three-thread-cycle ()
  (dotimes (k *iterations*) (cycle-run 3)))

(defcase report-names-threads-and-locks ()
  ;; The DEADLOCK condition's report names both threads and both locks.
  (let* ((a (make-lock "LOCK-ALPHA")) (b (make-lock "LOCK-BETA")) (holding (make-semaphore))
         (report (list nil))
         (body (lambda (first second)
                 (lambda ()
                   (handler-case
                       (with-lock-held (first)
                         (signal-semaphore holding)
                         (loop until (and (lock-owner a) (lock-owner b)) do (sleep 0.001))
                         (with-lock-held (second) :acquired))
                     (deadlock (e) (atomic-write (car report) (princ-to-string e)) :deadlock)))))
         (t1 (make-thread (funcall body a b) :name "THREAD-ONE"))
         (t2 (make-thread (funcall body b a) :name "THREAD-TWO")))
    (join-thread t1 :timeout 10) (join-thread t2 :timeout 10)
    (let ((text (car report)))
      (check (stringp text) "no DEADLOCK was signalled")
      (when (stringp text)
        (dolist (name '("THREAD-ONE" "THREAD-TWO" "LOCK-ALPHA" "LOCK-BETA"))
          (check (search name text) "the report does not name ~A: ~A" name text))))))

(defcase no-false-deadlock ()
  ;; Threads taking two locks in the same order never get DEADLOCK.
  (let ((a (make-lock)) (b (make-lock)) (count (list 0)))
    (run-threads *threads*
                 (lambda (i rng)
                   (dotimes (n (* 20 *iterations*))
                     (handler-case (with-lock-held (a) (with-lock-held (b) (atomic-incf (car count))))
                       (deadlock (e) (fail "false DEADLOCK in thread ~D: ~A" i e)))
                     (when (zerop (rng rng 5)) (thread-yield)))))
    (check (eql (car count) (* *threads* 20 *iterations*)) "count ~D" (car count))))

(run-cases)
