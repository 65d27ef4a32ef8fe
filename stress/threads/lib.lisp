;;;; stress/threads/lib.lisp — the harness every thread spec loads.
;;;;
;;;; A spec program is run as
;;;;     petrel --script stress/threads/NAME.lisp [SEED [ITERATIONS [CASE]]]
;;;; or with the environment variables STRESS_SEED, STRESS_ITERATIONS,
;;;; STRESS_CASE (the command line wins; CASE may be a comma-separated list).  STRESS_THREADS sets the number of
;;;; worker threads (default 4) and STRESS_BUDGET the time budget in seconds
;;;; (default 40).  The program prints "seed=S iterations=N threads=T" first,
;;;; then one line per case: "PASS case: k=v ..." or "FAIL case: what went
;;;; wrong", and exits 0 only if every case it ran passed and the heap
;;;; verifies (PETREL-EXT:VERIFY-HEAP returns 0).  Petrel has no clock yet, so
;;;; the time bound is a watchdog thread that prints "FAIL timeout" and exits
;;;; 2 once the budget has passed.

#-petrel
(let ((f (format nil "~A" *load-truename*)))   ; SBCL: the names through sb-thread
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "sbcl-shim.lisp")))

(defpackage "STRESS"
  (:use "CL" "PETREL-THREADS")
  (:export "*SEED*" "*ITERATIONS*" "*THREADS*" "DEFCASE" "RUN-CASES" "CHECK" "FAIL" "STUCK"
           "MAKE-RNG" "RNG" "SPAWN" "JOIN-ALL" "RUN-THREADS" "NOTE"
           "ATOMIC-READ" "ATOMIC-WRITE"))

(in-package "STRESS")

(defvar *seed* 1)
(defvar *iterations* 100)
(defvar *threads* 4)
(defvar *budget* 40)
(defvar *cases* nil "Alist (name . function) in definition order.")
(defvar *failures* nil "Messages of the failed checks of the running case.")
(defvar *failure-count* (list 0))
(defvar *failure-lock* (make-lock "stress failures"))
(defvar *notes* nil "Plist of numbers the running case reports on its PASS line.")

(defun arg-or-env (index env default)
  (let* ((argv petrel-ext:*posix-argv*)
         (script (position "--script" argv :test #'string=))
         (value (or (and script (nth (+ script 2 index) argv))
                    (petrel-ext:getenv env))))
    (if (and value (plusp (length value))) value default)))

(defun int-arg (index env default)
  "The integer in command-line argument INDEX after the script (NIL: none), else in ENV."
  (let ((v (if index (arg-or-env index env nil) (petrel-ext:getenv env))))
    (if (and v (plusp (length v))) (parse-integer v) default)))

;;; Shared flags and counters are read and written atomically, so the specs
;;; themselves are free of data races (ThreadSanitizer checks the runtime,
;;; not deliberate races in a test).  A failed COMPARE-AND-SWAP against a
;;; value never stored is an atomic load.
(defmacro atomic-read (place)
  `(compare-and-swap ,place '%never-stored% '%never-stored%))

(defmacro atomic-write (place value)
  (let ((old (gensym)) (new (gensym)))
    `(let ((,new ,value))
       (loop for ,old = (atomic-read ,place)
             until (eq (compare-and-swap ,place ,old ,new) ,old))
       ,new)))

;;; A small deterministic generator per thread (Park-Miller minimal standard),
;;; so a seed reproduces each thread's choices.
(defun make-rng (seed)
  (list (1+ (mod (abs seed) 2147483646))))

(defun rng (state n)
  "A pseudo-random integer in [0, N)."
  (let ((x (mod (* (car state) 48271) 2147483647)))
    (setf (car state) x)
    (mod x n)))

(defun fail (format-control &rest args)
  (let ((msg (apply #'format nil format-control args)))
    (atomic-incf (car *failure-count*))
    (with-lock-held (*failure-lock*)
      (when (< (length *failures*) 5) (push msg *failures*))))
  nil)

;;; The name of the running case, for STUCK.
(defvar *case* nil)

(defun stuck (format-control &rest args)
  "Ends the program at once with a FAIL line: a thread is stuck where no
safepoint is reached, so neither VERIFY-HEAP nor a clean exit can wait for it."
  (format t "FAIL ~(~A~): ~?~%" *case* format-control args)
  (finish-output)
  (petrel-ext:quit 1))

(defmacro check (form format-control &rest args)
  "Records a failure (with the message) unless FORM is true; returns FORM's value."
  (let ((v (gensym)))
    `(let ((,v ,form))
       (unless ,v (fail ,format-control ,@args))
       ,v)))

(defun note (key value)
  (with-lock-held (*failure-lock*)
    (setf (getf *notes* key) value)))

(defun spawn (name function &rest args)
  "A thread named NAME running FUNCTION on ARGS; an unhandled error in it is a failure."
  (make-thread (lambda ()
                 (handler-bind ((error (lambda (c)
                                         (fail "thread ~A: unhandled ~A: ~A" name (type-of c) c))))
                   (apply function args)))
               :name name))

(defun join-all (threads)
  "Joins THREADS; returns the list of their first values (NIL for a thread that died)."
  (mapcar (lambda (th)
            (handler-case (join-thread th)
              (join-thread-error (e)
                (fail "join ~A: ~A" (thread-name th) e)
                nil)))
          threads))

(defun run-threads (n function)
  "Runs (FUNCTION i RNG) in N threads i = 0..N-1, each with its own generator
seeded from *SEED*; returns their results in order.  The threads start
FUNCTION together (a start gate), so they really contend."
  (let ((ready (list 0)))
    (join-all (loop for i below n
                    collect (spawn (format nil "worker-~D" i)
                                   (lambda (i rng)
                                     (atomic-incf (car ready))
                                     (loop until (>= (atomic-read (car ready)) n) do (thread-yield))
                                     (funcall function i rng))
                                   i (make-rng (+ (* *seed* 7919) (* i 104729) 1)))))))

(defmacro defcase (name (&rest lambda-list) &body body)
  "Defines the case NAME: BODY runs with LAMBDA-LIST () and records failures with CHECK."
  `(progn
     (setf *cases* (append (remove ',name *cases* :key #'car) (list (cons ',name (lambda ,lambda-list ,@body)))))
     ',name))

(defvar *all-done* (make-semaphore :name "cases done"))

(defun start-watchdog ()
  ;; Waits on a semaphore rather than sleeping, so it ends as soon as the
  ;; cases are done (a thread still running at exit costs a TSan build 1 s).
  (make-thread (lambda ()
                 (unless (wait-on-semaphore *all-done* :timeout *budget*)
                   (format t "~&FAIL timeout: the time budget of ~D s was exceeded (seed=~D iterations=~D)~%"
                           *budget* *seed* *iterations*)
                   (finish-output)
                   (petrel-ext:quit 2)))
               :name "stress watchdog"))

(defun split-commas (string)
  (loop for start = 0 then (1+ end)
        for end = (or (position #\, string :start start) (length string))
        collect (subseq string start end)
        while (< end (length string))))

(defun run-cases ()
  (setf *seed* (int-arg 0 "STRESS_SEED" 1)
        *iterations* (int-arg 1 "STRESS_ITERATIONS" 100)
        *threads* (int-arg nil "STRESS_THREADS" 4)
        *budget* (int-arg nil "STRESS_BUDGET" 40))
  (let ((only (arg-or-env 2 "STRESS_CASE" nil))
        (all-ok t))
    (when (petrel-ext:getenv "STRESS_LIST")
      (format t "~{~(~A~)~%~}" (mapcar #'car *cases*))
      (petrel-ext:quit 0))
    (format t "seed=~D iterations=~D threads=~D~@[ case=~A~]~%" *seed* *iterations* *threads* only)
    (finish-output)
    (let ((watchdog (start-watchdog)))
    (loop for (name . fn) in *cases*
          when (or (null only) (member (symbol-name name) (split-commas only) :test #'string-equal))
            do (setf *failures* nil (car *failure-count*) 0 *notes* nil *case* name)
               (handler-case (funcall fn)
                 (error (e) (fail "unhandled ~A: ~A" (type-of e) e)))
               (let ((heap (petrel-ext:verify-heap)))
                 (unless (eql heap 0) (fail "verify-heap returned ~S" heap)))
               (cond ((zerop (car *failure-count*))
                      (format t "PASS ~(~A~):~{ ~(~A~)=~S~}~%" name *notes*))
                     (t (setf all-ok nil)
                        (format t "FAIL ~(~A~): ~D failed check~:P~{~%  ~A~}~%"
                                name (car *failure-count*) (reverse *failures*))))
               (finish-output))
      (signal-semaphore *all-done*)
      (join-thread watchdog :default nil))
    (petrel-ext:quit (if all-ok 0 1))))
