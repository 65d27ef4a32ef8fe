;;;; stress/threads/interrupt.lisp — SPEC.md "Interrupts": INTERRUPT-THREAD
;;;; runs a function in the target thread (with the target's dynamic
;;;; environment) soon, also when the target is blocked in a wait;
;;;; DESTROY-THREAD unwinds the target, running its UNWIND-PROTECT cleanups,
;;;; and JOIN-THREAD then reports it as aborted.
(let ((f (format nil "~A" *load-truename*)))
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "lib.lisp")))
(in-package "STRESS")

(defvar *who* :global)

(defun busy-loop (stop)
  "Computes until STOP's car is true: reaches safepoints but never blocks."
  (loop for i from 0 until (atomic-read (car stop)) do (car (list i))))

(defcase interrupt-running ()
  ;; Each interrupt runs exactly once, in the target, seeing the target's
  ;; special bindings; the target carries on afterwards.
  (let* ((stop (list nil)) (ran (list 0)) (where (list nil))
         (target (spawn "target" (lambda () (let ((*who* :target)) (busy-loop stop) :finished)))))
    (sleep 0.01)
    (dotimes (n *iterations*)
      (interrupt-thread target (lambda ()
                                 (atomic-incf (car ran))
                                 (unless (and (eq (current-thread) target) (eq *who* :target))
                                   (atomic-write (car where) (list (current-thread) *who*))))))
    (loop for k below 5000 until (eql (atomic-read (car ran)) *iterations*) do (sleep 0.002))
    (atomic-write (car stop) t)
    (check (eq (join-thread target) :finished) "the interrupted target did not finish normally")
    (check (eql (car ran) *iterations*) "~D of ~D interrupts ran" (car ran) *iterations*)
    (check (null (car where)) "an interrupt ran outside the target's dynamic environment: ~S" (car where))))

(defcase destroy-running-runs-cleanup ()
  (dotimes (n (max 1 (floor *iterations* 2)))
    (let* ((stop (list nil)) (cleaned (list nil)) (entered (make-semaphore))
           (target (make-thread (lambda ()
                                  (unwind-protect
                                       (progn (signal-semaphore entered) (busy-loop stop))
                                    (atomic-write (car cleaned) t))))))
      (wait-on-semaphore entered)
      (destroy-thread target)
      (let ((r (handler-case (join-thread target :timeout 30)
                 (join-thread-error (e) (join-thread-error-reason e)))))
        (check (eq r :aborted) "JOIN-THREAD of a destroyed thread: ~S" r))
      (check (eq (thread-status target) :aborted) "status ~S" (thread-status target))
      (check (car cleaned) "the UNWIND-PROTECT cleanup did not run")
      (atomic-write (car stop) t))))

(defcase interrupt-throw ()
  ;; An interrupt may THROW to a CATCH of the target: the target unwinds to
  ;; it (cleanups run) and continues from there.
  (let* ((stop (list nil)) (entered (make-semaphore)) (cleaned (list 0))
         (target (make-thread (lambda ()
                                (let ((caught 0))
                                  (loop repeat *iterations*
                                        do (catch 'resume
                                             (unwind-protect
                                                  (progn (signal-semaphore entered) (busy-loop stop))
                                               (atomic-incf (car cleaned))))
                                           (incf caught))
                                  caught)))))
    (dotimes (n *iterations*)
      (wait-on-semaphore entered)
      (interrupt-thread target (lambda () (throw 'resume nil))))
    (check (eql (join-thread target :timeout 30) *iterations*) "the target did not resume after each throw")
    (check (eql (car cleaned) *iterations*) "~D of ~D cleanups ran" (car cleaned) *iterations*)))

(defcase interrupt-error-kills ()
  ;; An error signalled by an interrupt function with no handler in the
  ;; target kills the target like any unhandled error.
  (let* ((stop (list nil)) (entered (make-semaphore))
         (target (make-thread (lambda () (signal-semaphore entered) (busy-loop stop)))))
    (wait-on-semaphore entered)
    (interrupt-thread target (lambda () (error "from interrupt")))
    (let ((r (handler-case (join-thread target :timeout 30) (join-thread-error (e) (join-thread-error-reason e)))))
      (check (and (typep r 'error) (equal (princ-to-string r) "from interrupt")) "join reason ~S" r))))

(defmacro within-blocked-wait ((entered) wait-form)
  "A target that signals ENTERED and then blocks in WAIT-FORM with a cleanup."
  `(let ((cleaned (list nil)))
     (values (make-thread (lambda ()
                            (unwind-protect (progn (signal-semaphore ,entered) ,wait-form)
                              (atomic-write (car cleaned) t))))
             cleaned)))

(defun destroy-blocked (make-wait)
  "Destroys a thread blocked in the wait MAKE-WAIT returns; checks it ends
aborted, with its cleanup run, within 2 s."
  (let ((entered (make-semaphore)) (cleaned (list nil)))
    (let ((target (make-thread (lambda ()
                                 (unwind-protect (funcall make-wait entered)
                                   (atomic-write (car cleaned) t))))))
      (wait-on-semaphore entered)
      (sleep 0.05)
      (destroy-thread target)
      (let ((r (handler-case (progn (join-thread target :timeout 2) :returned)
                 (join-thread-error (e) (join-thread-error-reason e)))))
        (when (eq r :timeout)
          (stuck "a destroyed thread blocked in a wait did not end within 2 s"))
        (check (eq r :aborted) "join of the destroyed thread: ~S" r))
      (check (car cleaned) "the UNWIND-PROTECT cleanup did not run"))))

(defcase destroy-during-sleep-runs-cleanup ()
  ;; A short sleep, so this case shows the cleanup whether or not the
  ;; destroy is delivered during the sleep (INTERRUPT-WAKES-SLEEP tests that).
  (destroy-blocked (lambda (entered) (signal-semaphore entered) (sleep 0.5))))

(defcase interrupt-wakes-sleep ()
  ;; An interrupt reaches a thread sleeping for long within 1 s.
  (let* ((entered (make-semaphore)) (ran (make-semaphore))
         (target (make-thread (lambda () (signal-semaphore entered) (sleep 3) :slept))))
    (wait-on-semaphore entered)
    (sleep 0.05)
    (interrupt-thread target (lambda () (signal-semaphore ran)))
    (check (wait-on-semaphore ran :timeout 1) "the interrupt did not run within 1 s")
    (destroy-thread target)))

(defcase destroy-lock-waiter ()
  (let ((lock (make-lock "held forever")))
    (acquire-lock lock)
    (destroy-blocked (lambda (entered) (signal-semaphore entered) (acquire-lock lock)))
    (release-lock lock)))

(defcase destroy-semaphore-waiter ()
  (destroy-blocked (lambda (entered) (signal-semaphore entered) (wait-on-semaphore (make-semaphore)))))

(defcase destroy-condition-waiter ()
  (let ((lock (make-lock)) (cv (make-condition-variable)))
    (destroy-blocked (lambda (entered)
                       (with-lock-held (lock)
                         (signal-semaphore entered)
                         (loop (condition-wait cv lock)))))
    (check (null (lock-owner lock)) "the destroyed waiter left the lock owned by ~S" (lock-owner lock))))

(run-cases)
