;;;; stress/threads/join.lisp — SPEC.md "Thread lifecycle": JOIN-THREAD
;;;; returns all the thread's values (to any number of joiners, any number
;;;; of times), signals JOIN-THREAD-ERROR for a thread that died, was
;;;; aborted or did not finish in time (or returns :DEFAULT), and the
;;;; thread's status, name and error are reported.
(let ((f (format nil "~A" *load-truename*)))
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "lib.lisp")))
(in-package "STRESS")

(defun join-error-reason (thread &rest args)
  (handler-case (progn (apply #'join-thread thread args) :no-error)
    (join-thread-error (e)
      (check (eq (join-thread-error-thread e) thread) "JOIN-THREAD-ERROR-THREAD is not the joined thread")
      (join-thread-error-reason e))))

(defcase values-and-many-joiners ()
  (dotimes (n *iterations*)
    (let* ((th (make-thread (lambda () (values n (list n) "three")) :name (format nil "v~D" n)))
           (joiners (loop repeat 3 collect (spawn "joiner" (lambda () (multiple-value-list (join-thread th)))))))
      (check (equal (multiple-value-list (join-thread th)) (list n (list n) "three"))
             "JOIN-THREAD did not return every value")
      (dolist (r (join-all joiners))
        (check (equal r (list n (list n) "three")) "a concurrent joiner got ~S" r))
      (check (equal (multiple-value-list (join-thread th)) (list n (list n) "three")) "a second join differs")
      (check (eq (thread-status th) :finished) "status ~S" (thread-status th))
      (check (not (thread-alive-p th)) "a joined thread is alive")
      (check (string= (thread-name th) (format nil "v~D" n)) "name ~S" (thread-name th))
      (check (null (thread-error th)) "a finished thread has an error"))))

(defcase died-thread ()
  (progn                                 ; the runtime reports each death on stderr
    (dotimes (n (max 1 (floor *iterations* 5)))
      (let ((th (make-thread (lambda () (error "death ~D" n)))))
        (let ((reason (join-error-reason th)))
          (check (typep reason 'simple-error) "reason of a thread that died: ~S" reason)
          (check (equal (princ-to-string reason) (format nil "death ~D" n)) "reason message ~A" reason)
          (check (eq (thread-error th) reason) "THREAD-ERROR is not the join reason"))
        (check (eq (thread-status th) :died) "status ~S" (thread-status th))
        (check (eql (join-thread th :default :dflt) :dflt) "JOIN-THREAD :DEFAULT of a dead thread")
        (check (typep (join-error-reason th) 'simple-error) "a second join of a dead thread")))))

(defcase aborted-thread ()
  (dotimes (n (max 1 (floor *iterations* 5)))
    (let ((th (make-thread (lambda () (abort)))))
      (check (eq (join-error-reason th) :aborted) "reason for an ABORTed thread: ~S" (join-error-reason th))
      (check (eq (thread-status th) :aborted) "status ~S" (thread-status th)))))

(defcase join-timeout ()
  (let* ((release (make-semaphore))
         (th (make-thread (lambda () (wait-on-semaphore release) :finished))))
    (check (eq (join-error-reason th :timeout 0.02) :timeout) "JOIN-THREAD :TIMEOUT on a running thread")
    (check (eq (join-thread th :timeout 0.02 :default :late) :late) "JOIN-THREAD :TIMEOUT :DEFAULT")
    (check (eq (thread-status th) :running) "status ~S" (thread-status th))
    (check (thread-alive-p th) "a running thread is not alive")
    (check (member th (all-threads)) "ALL-THREADS lacks a running thread")
    (signal-semaphore release)
    (check (eq (join-thread th :timeout 30) :finished) "the thread did not finish after release")))

(defcase all-threads-after-join ()
  ;; Once JOIN-THREAD has returned, the thread is no longer running:
  ;; THREAD-ALIVE-P is false and ALL-THREADS does not list it.
  (let ((listed 0) (alive 0) (n (max 100 *iterations*)))
    (dotimes (k n)
      (let ((th (make-thread (lambda () k))))
        (join-thread th)
        (when (thread-alive-p th) (incf alive))
        (when (member th (all-threads)) (incf listed))))
    (check (zerop alive) "~D of ~D joined threads were THREAD-ALIVE-P" alive n)
    (check (zerop listed) "~D of ~D joined threads were still in ALL-THREADS" listed n)))

(defcase current-thread-identity ()
  (let ((results (run-threads *threads* (lambda (i rng) (declare (ignore rng)) (list i (current-thread))))))
    (check (eql (length (remove-duplicates (mapcar #'second results))) *threads*) "CURRENT-THREAD not distinct")
    (check (notany (lambda (r) (eq (second r) (current-thread))) results) "a worker is the main thread")
    (check (threadp (current-thread)) "THREADP of CURRENT-THREAD")))

(defcase make-thread-errors ()
  (check (handler-case (progn (make-thread 42) nil) (type-error () t)) "MAKE-THREAD of a non-function: TYPE-ERROR")
  (check (handler-case (progn (join-thread :x) nil) (type-error () t)) "JOIN-THREAD of a non-thread: TYPE-ERROR"))

(defcase many-short-threads ()
  ;; Create and join many threads, several at a time.
  (let ((total 0))
    (dotimes (n *iterations*)
      (incf total (reduce #'+ (join-all (loop for i below *threads* collect (spawn "short" (lambda () 1)))))))
    (check (eql total (* *threads* *iterations*)) "~D threads returned, ~D created" total (* *threads* *iterations*))
    (note :threads total)))

(run-cases)
