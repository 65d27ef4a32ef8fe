;;;; stress/threads/sbcl-shim.lisp — the PETREL-THREADS and PETREL-EXT names the specs use,
;;;; mapped onto SBCL (sb-thread), so the specs themselves can be checked on
;;;; SBCL: `STRESS_SEED=1 STRESS_ITERATIONS=100 sbcl --script stress/threads/PROGRAM.lisp`.
;;;; lib.lisp loads it when not running on Petrel.  Not used by CI.
(defpackage "PETREL-EXT" (:use "CL")
  (:export "*POSIX-ARGV*" "GETENV" "QUIT" "VERIFY-HEAP" "GC" "HASH-TABLE-SYNCHRONIZED-P"))
(in-package "PETREL-EXT")
(defvar *posix-argv* sb-ext:*posix-argv*)
(defun getenv (n) (sb-ext:posix-getenv n))
(defun quit (&optional (code 0)) (finish-output) (sb-ext:exit :code code :abort t))
(defun verify-heap () 0)
(defun gc (&rest r) (declare (ignore r)) (sb-ext:gc))
(defun hash-table-synchronized-p (h) (sb-ext:hash-table-synchronized-p h))

(defpackage "PETREL-THREADS" (:use "CL")
  (:export "THREAD" "MAKE-THREAD" "JOIN-THREAD" "CURRENT-THREAD" "ALL-THREADS" "THREAD-NAME" "THREAD-ALIVE-P"
           "THREADP" "THREAD-STATUS" "THREAD-ERROR" "THREAD-YIELD" "INTERRUPT-THREAD" "DESTROY-THREAD"
           "MAKE-LOCK" "MAKE-RECURSIVE-LOCK" "ACQUIRE-LOCK" "RELEASE-LOCK" "LOCK-OWNER" "LOCK-NAME"
           "WITH-LOCK-HELD" "WITH-RECURSIVE-LOCK-HELD" "MAKE-CONDITION-VARIABLE" "CONDITION-WAIT"
           "CONDITION-NOTIFY" "CONDITION-BROADCAST" "MAKE-SEMAPHORE" "SIGNAL-SEMAPHORE" "WAIT-ON-SEMAPHORE"
           "SEMAPHORE-COUNT" "COMPARE-AND-SWAP" "ATOMIC-INCF" "ATOMIC-DECF" "JOIN-THREAD-ERROR"
           "JOIN-THREAD-ERROR-THREAD" "JOIN-THREAD-ERROR-REASON" "DEADLOCK" "DEADLOCK-THREADS" "DEADLOCK-LOCKS"))
(in-package "PETREL-THREADS")

(defvar *info* (make-hash-table :test 'eq :weakness :key :synchronized t))   ; thread -> (status . error)
(defun set-info (th status error) (setf (gethash th *info*) (cons status error)))

(defun make-thread (fn &key name initial-bindings)
  (unless (functionp fn) (error 'type-error :datum fn :expected-type 'function))
  (let ((syms (mapcar #'car initial-bindings)) (vals (mapcar #'cdr initial-bindings)))
    (sb-thread:make-thread
     (lambda ()
       (let ((me sb-thread:*current-thread*) (ok nil))
         (unwind-protect
              (handler-bind ((error (lambda (c) (set-info me :died c) (sb-thread:abort-thread))))
                (multiple-value-prog1 (progv syms vals (funcall fn))
                  (setf ok t)))
           (unless (gethash me *info*) (set-info me (if ok :finished :aborted) nil)))))
     :name (or name "anonymous"))))

(define-condition join-thread-error (error)
  ((thread :initarg :thread :reader join-thread-error-thread)
   (reason :initarg :reason :reader join-thread-error-reason)))

(defun thread-status (th)
  (if (sb-thread:thread-alive-p th) :running (or (car (gethash th *info*)) :finished)))
(defun thread-error (th) (cdr (gethash th *info*)))

(defun join-thread (th &key (default nil default-p) timeout)
  (unless (typep th 'sb-thread:thread) (error 'type-error :datum th :expected-type 'sb-thread:thread))
  (handler-case (if timeout (sb-thread:join-thread th :timeout timeout) (sb-thread:join-thread th))
    (sb-thread:join-thread-error (e)
      (if default-p default
          (error 'join-thread-error :thread th
                 :reason (cond ((eq (sb-thread::join-thread-problem e) :timeout) :timeout)
                               ((thread-error th))
                               (t :aborted)))))))

(defun current-thread () sb-thread:*current-thread*)
(defun all-threads () (sb-thread:list-all-threads))
(defun thread-name (th) (sb-thread:thread-name th))
(defun thread-alive-p (th) (sb-thread:thread-alive-p th))
(defun threadp (x) (typep x 'sb-thread:thread))
(defun thread-yield () (sb-thread:thread-yield))
(defun interrupt-thread (th fn) (sb-thread:interrupt-thread th fn) t)
(defun destroy-thread (th) (sb-thread:terminate-thread th) t)

(defstruct rlock mutex (count 0))
(defun make-lock (&optional name) (sb-thread:make-mutex :name name))
(defun make-recursive-lock (&optional name) (make-rlock :mutex (sb-thread:make-mutex :name name)))
(defun acquire-lock (lock &rest args)
  (let ((wait-p t) timeout)
    (cond ((and args (not (keywordp (first args)))) (setf wait-p (first args)))
          (t (setf wait-p (getf args :wait-p t) timeout (getf args :timeout))))
    (if (rlock-p lock)
        (let ((m (rlock-mutex lock)))
          (cond ((eq (sb-thread:mutex-owner m) sb-thread:*current-thread*) (incf (rlock-count lock)) t)
                ((sb-thread:grab-mutex m :waitp wait-p :timeout timeout) (setf (rlock-count lock) 1) t)))
        (and (sb-thread:grab-mutex lock :waitp wait-p :timeout timeout) t))))
(defun release-lock (lock)
  (if (rlock-p lock)
      (when (zerop (decf (rlock-count lock))) (sb-thread:release-mutex (rlock-mutex lock)))
      (sb-thread:release-mutex lock :if-not-owner :error)))
(defun lock-owner (lock) (sb-thread:mutex-owner (if (rlock-p lock) (rlock-mutex lock) lock)))
(defun lock-name (lock) (sb-thread:mutex-name (if (rlock-p lock) (rlock-mutex lock) lock)))
(defmacro with-lock-held ((lock &key (wait-p t) timeout) &body body)
  (let ((l (gensym)) (got (gensym)))
    `(let* ((,l ,lock) (,got nil))
       (unwind-protect (when (setq ,got (acquire-lock ,l :wait-p ,wait-p :timeout ,timeout)) (locally ,@body))
         (when ,got (release-lock ,l))))))
(defmacro with-recursive-lock-held ((lock &rest keys) &body body) `(with-lock-held (,lock ,@keys) ,@body))

(defun make-condition-variable () (sb-thread:make-waitqueue))
(defun condition-wait (cv lock &key timeout) (sb-thread:condition-wait cv lock :timeout timeout))
(defun condition-notify (cv) (sb-thread:condition-notify cv))
(defun condition-broadcast (cv) (sb-thread:condition-broadcast cv))
(defun make-semaphore (&key name (count 0)) (sb-thread:make-semaphore :name name :count count))
(defun signal-semaphore (s &optional (n 1)) (sb-thread:signal-semaphore s n))
(defun wait-on-semaphore (s &key timeout) (sb-thread:wait-on-semaphore s :timeout timeout))
(defun semaphore-count (s) (sb-thread:semaphore-count s))

(defmacro compare-and-swap (place old new) `(sb-ext:compare-and-swap ,place ,old ,new))
(defmacro atomic-incf (place &optional (delta 1))
  (let ((o (gensym)) (d (gensym)))
    `(let ((,d ,delta)) (loop (let ((,o ,place)) (when (eq (sb-ext:compare-and-swap ,place ,o (+ ,o ,d)) ,o) (return ,o)))))))
(defmacro atomic-decf (place &optional (delta 1)) `(atomic-incf ,place (- ,delta)))

(deftype deadlock () 'sb-thread:thread-deadlock)
(defun deadlock-threads (e) (mapcar (lambda (x) (if (consp x) (car x) x)) (sb-thread:thread-deadlock-cycle e)))
(defun deadlock-locks (e) (mapcar (lambda (x) (let ((l (cdr x))) (if (consp l) (car l) l))) (sb-thread:thread-deadlock-cycle e)))
