;;;; lisp/src/threads.lisp — the Lisp half of PETREL-THREADS: the exported
;;;; names, the conditions (JOIN-THREAD-ERROR, DEADLOCK), the lock macros,
;;;; DESTROY-THREAD, and the atomic place macros COMPARE-AND-SWAP,
;;;; ATOMIC-INCF and ATOMIC-DECF.  Threads, locks, condition variables and
;;;; semaphores themselves are builtins (builtins_threads.c,
;;;; builtins_sync.c).  Names follow Bordeaux-Threads where it has them.

(in-package "PETREL-THREADS")

(export '(thread make-thread join-thread current-thread all-threads thread-name thread-alive-p
          threadp thread-status thread-error thread-yield interrupt-thread destroy-thread
          mutex make-lock make-recursive-lock acquire-lock release-lock lock-owner lock-name lockp
          with-lock-held with-recursive-lock-held
          waitqueue make-condition-variable condition-wait condition-notify condition-broadcast
          semaphore make-semaphore signal-semaphore wait-on-semaphore semaphore-count
          compare-and-swap atomic-incf atomic-decf atomic-update atomic-push atomic-pop
          join-thread-error join-thread-error-thread join-thread-error-reason
          deadlock deadlock-threads deadlock-locks print-backtraces))

(define-condition join-thread-error (error)
  ((thread :initarg :thread :reader join-thread-error-thread)
   (reason :initarg :reason :reader join-thread-error-reason))
  (:report (lambda (c stream)
             (let ((reason (join-thread-error-reason c)))
               (format stream "JOIN-THREAD: the thread ~S ~A" (thread-name (join-thread-error-thread c))
                       (case reason
                         (:timeout "did not finish in time")
                         (:aborted "was aborted (ABORT restart or DESTROY-THREAD)")
                         (:not-started "was never started")
                         (t (format nil "died of an unhandled error: ~A" reason))))))))

(define-condition deadlock (error)
  ((threads :initarg :threads :reader deadlock-threads)
   (locks :initarg :locks :reader deadlock-locks))
  (:report (lambda (c stream)
             (format stream "Deadlock: waiting would never end.~{~&  thread ~S waits for ~S~}"
                     (let ((threads (deadlock-threads c)) (locks (deadlock-locks c)) (lines nil))
                       ;; locks[i] is owned by threads[i]; the waiter of locks[0] is the current thread
                       (loop for lock in locks
                             for waiter in (cons (current-thread) threads)
                             do (push (or (thread-name waiter) waiter) lines)
                                (push (or (lock-name lock) lock) lines))
                       (nreverse lines))))))

(defun petrel-system::%join-thread-error (thread reason)
  (error 'join-thread-error :thread thread :reason reason))

(defun petrel-system::%deadlock-error (threads locks)
  (error 'deadlock :threads threads :locks locks))

(defmacro with-lock-held ((lock &key (wait-p t) timeout) &body body)
  "Runs BODY holding LOCK, released however BODY is left.  With WAIT-P false
or a TIMEOUT, BODY is skipped and NIL returned when the lock is not acquired."
  (let ((l (gensym "LOCK")) (got (gensym "GOT")))
    `(let* ((,l ,lock) (,got nil))
       (unwind-protect
            (when (setq ,got ,(if (and (eq wait-p t) (null timeout))
                                  `(acquire-lock ,l)   ; the common case: no keyword parsing
                                  `(acquire-lock ,l :wait-p ,wait-p :timeout ,timeout)))
              (locally ,@body))
         (when ,got (release-lock ,l))))))

(defmacro with-recursive-lock-held ((lock &key (wait-p t) timeout) &body body)
  "WITH-LOCK-HELD for a recursive lock (which this thread may already hold)."
  `(with-lock-held (,lock :wait-p ,wait-p :timeout ,timeout) ,@body))

(defun destroy-thread (thread)
  "Ends THREAD at its next safepoint by unwinding it (its UNWIND-PROTECT
cleanup forms run); JOIN-THREAD then reports it as aborted."
  (if (eq thread (current-thread))
      (throw 'petrel-system::%toplevel :destroyed)
      (interrupt-thread thread (lambda () (throw 'petrel-system::%toplevel :destroyed))))
  t)

;;; Atomic places: (car x) (cdr x) (first x) (rest x) (svref v i)
;;; (symbol-value s) and structure accessors of DEFSTRUCT (not :type).
(defun %atomic-place (place env)
  (let ((place (macroexpand place env)))
    (unless (and (consp place) (symbolp (car place)))
      (error "~S is not a place COMPARE-AND-SWAP or ATOMIC-INCF can work on" place))
    (case (car place)
      ((car first) (list ''car (second place) 0))
      ((cdr rest) (list ''cdr (second place) 0))
      (svref (list ''svref (second place) (third place)))
      (symbol-value (list ''symbol-value (second place) 0))
      (t (let ((info (get (car place) 'petrel-system::structure-accessor)))
           (unless info
             (error "~S is not a place COMPARE-AND-SWAP or ATOMIC-INCF can work on ~
                     (CAR CDR SVREF SYMBOL-VALUE or a structure accessor)" place))
           (let ((object (gensym "OBJECT")))
             (list ''petrel-system::structure-slot
                   `(let ((,object ,(second place)))
                      (petrel-system::%structure-ref ,object ',(car info) ,(cdr info))
                      ,object)
                   (cdr info))))))))

(defmacro compare-and-swap (place old new &environment env)
  "Atomically: if PLACE holds OLD (EQ), store NEW.  Returns the value PLACE
held before, so the swap happened iff that is EQ to OLD."
  (destructuring-bind (kind object index) (%atomic-place place env)
    `(petrel-system::%cas ,kind ,object ,index ,old ,new)))

(defmacro atomic-incf (place &optional (delta 1) &environment env)
  "Atomically adds DELTA to the fixnum in PLACE; returns the old value."
  (destructuring-bind (kind object index) (%atomic-place place env)
    `(petrel-system::%atomic-add ,kind ,object ,index ,delta)))

(defmacro atomic-decf (place &optional (delta 1) &environment env)
  "Atomically subtracts DELTA from the fixnum in PLACE; returns the old value."
  (destructuring-bind (kind object index) (%atomic-place place env)
    `(petrel-system::%atomic-add ,kind ,object ,index (- ,delta))))

;; Atomic read-modify-write of a place by compare-and-swap: FUNCTION is
;; called (perhaps several times, so without side effects) on the old value
;; and the extra arguments until the swap succeeds; returns the new value.
(defmacro atomic-update (place function &rest arguments &environment env)
  "Atomically replaces PLACE's value V by (FUNCTION V . ARGUMENTS); returns the new value."
  (destructuring-bind (kind object index) (%atomic-place place env)
    (let ((o (gensym "OBJECT")) (old (gensym "OLD")) (new (gensym "NEW")) (f (gensym "FN"))
          (args (loop repeat (length arguments) collect (gensym "ARG"))))
      `(let ((,o ,object) (,f ,function) ,@(mapcar #'list args arguments))
         (loop
           (let* ((,old (petrel-system::%atomic-read ,kind ,o ,index))
                  (,new (funcall ,f ,old ,@args)))
             (when (eq (petrel-system::%cas ,kind ,o ,index ,old ,new) ,old)
               (return ,new))))))))

(defmacro atomic-push (object place)
  "Atomically pushes OBJECT onto the list in PLACE; returns the new list."
  `(atomic-update ,place (lambda (list item) (cons item list)) ,object))

(defmacro atomic-pop (place &environment env)
  "Atomically pops the list in PLACE; returns the element removed (NIL if empty)."
  (destructuring-bind (kind object index) (%atomic-place place env)
    (let ((o (gensym "OBJECT")) (old (gensym "OLD")))
      `(let ((,o ,object))
         (loop
           (let ((,old (petrel-system::%atomic-read ,kind ,o ,index)))
             (when (eq (petrel-system::%cas ,kind ,o ,index ,old (cdr ,old)) ,old)
               (return (car ,old)))))))))

(defun print-backtraces (&optional (stream *standard-output*) (frames 20))
  "Prints a backtrace of every thread, all taken at one instant (the other
threads are stopped at a safepoint or in a blocking call meanwhile): the
thread, whether it was running, parked or blocked (safe), and its innermost
FRAMES frames."
  (let ((*print-length* 6) (*print-level* 3))
    (dolist (entry (petrel-system::%thread-backtraces))
      (destructuring-bind (thread state &rest calls) entry
        (format stream "~&Thread ~S (~A):~%"
                (thread-name thread)
                (cond ((eq thread (current-thread)) "this thread")
                      ((eq state :safe) "blocked or waiting")
                      ((eq state :parked) "running, stopped at a safepoint")
                      (t "running")))
        (loop for call in calls for i from 0 below frames
              do (format stream "  ~2D: ~S~%" i call))
        (when (> (length calls) frames) (format stream "  ...~%")))))
  (values))
