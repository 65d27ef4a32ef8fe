;;;; stress/threads/specials.lisp — SPEC.md "Special bindings" and "Dynamic
;;;; stacks": a LET/PROGV binding of a special variable is seen only by the
;;;; thread that made it; the global value is shared by every thread without
;;;; a binding; MAKE-THREAD's :INITIAL-BINDINGS bind in the new thread only;
;;;; handlers, restarts and catch tags belong to the thread that established
;;;; them.
(let ((f (format nil "~A" *load-truename*)))
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "lib.lisp")))
(in-package "STRESS")

(defvar *s* :global)
(defvar *unbound-later*)
(defvar *g* (list 0))

(defcase let-isolation ()
  ;; Each thread binds *S* to its own value, nested and re-bound, and checks
  ;; after every yield that it still sees its own binding; meanwhile the
  ;; global value is untouched.
  (setf *s* :global)
  (run-threads *threads*
               (lambda (i rng)
                 (dotimes (n *iterations*)
                   (let ((*s* (list i n)))
                     (when (zerop (rng rng 4)) (thread-yield))
                     (check (equal *s* (list i n)) "thread ~D sees *S* = ~S, bound (~D ~D)" i *s* i n)
                     (let ((*s* i))
                       (setf *s* (+ i 1000))
                       (check (eql (symbol-value '*s*) (+ i 1000)) "SETF of a bound *S* in thread ~D" i))
                     (check (equal *s* (list i n)) "inner binding did not unwind in thread ~D: ~S" i *s*)))))
  (check (eq *s* :global) "the global value became ~S" *s*))

(defcase progv-isolation ()
  (run-threads *threads*
               (lambda (i rng) (declare (ignore rng))
                 (dotimes (n *iterations*)
                   (progv '(*s* *unbound-later*) (list i (- i))
                     (check (and (eql *s* i) (eql *unbound-later* (- i))) "PROGV in thread ~D: ~S ~S"
                            i *s* *unbound-later*))
                   (check (not (boundp '*unbound-later*)) "PROGV's binding leaked out in thread ~D" i))))
  (check (eq *s* :global) "the global value became ~S" *s*))

(defcase global-shared ()
  ;; A thread without a binding writes the global value; after joining, the
  ;; parent sees it.  A thread with a binding that writes does not.
  (setf *s* :global)
  (join-all (list (spawn "setter" (lambda () (setf *s* :from-thread)))))
  (check (eq *s* :from-thread) "a global write from a thread is not seen: ~S" *s*)
  (let ((*s* :parent-binding))
    ;; the parent's binding is not inherited: the child sees the global
    (let ((seen (first (join-all (list (spawn "reader" (lambda () *s*)))))))
      (check (eq seen :from-thread) "a child saw ~S, not the global value" seen)))
  (join-all (list (spawn "binder" (lambda () (let ((*s* :bound)) (setf *s* :bound-write))))))
  (check (eq *s* :from-thread) "a bound write leaked into the global value: ~S" *s*)
  (setf *s* :global)
  ;; Unsynchronized writers of the global value: the final value is one of
  ;; those written (atomic word stores), read through a lock here.
  (let ((lock (make-lock)))
    (run-threads *threads*
                 (lambda (i rng) (declare (ignore rng))
                   (dotimes (n *iterations*) (with-lock-held (lock) (setf *s* i)))))
    (check (with-lock-held (lock) (and (integerp *s*) (< -1 *s* *threads*))) "final global ~S" *s*))
  (setf *s* :global))

(defcase initial-bindings ()
  (setf *s* :global)
  (let ((results (join-all (loop for i below *threads*
                                 collect (make-thread (lambda () (list *s* *unbound-later* (boundp '*g*)))
                                                      :initial-bindings (list (cons '*s* i)
                                                                              (cons '*unbound-later* (* 2 i))))))))
    (loop for r in results for i from 0
          do (check (equal r (list i (* 2 i) t)) "thread ~D saw ~S" i r)))
  (check (eq *s* :global) "initial bindings changed the global value: ~S" *s*)
  (check (not (boundp '*unbound-later*)) "an initial binding made the global value bound"))

(define-condition probe (condition) ((owner :initarg :owner :reader probe-owner)))

(defcase handler-stacks ()
  ;; Each thread's HANDLER-BIND handlers see only its own signals; a signal
  ;; in one thread never runs another thread's handler.
  (let ((crossed (list 0)))
    (handler-bind ((probe (lambda (c) (declare (ignore c)) (atomic-incf (car crossed)))))
      (run-threads *threads*
                   (lambda (i rng) (declare (ignore rng))
                     (let ((mine 0))
                       (handler-bind ((probe (lambda (c)
                                               (if (eql (probe-owner c) i)
                                                   (incf mine)
                                                   (atomic-incf (car crossed))))))
                         (dotimes (n *iterations*)
                           (signal 'probe :owner i)
                           (check (equal (handler-case (error "e~D" i) (error (e) (princ-to-string e)))
                                         (format nil "e~D" i))
                                  "thread ~D's HANDLER-CASE caught another error" i)))
                       (check (eql mine *iterations*) "thread ~D handled ~D of its ~D signals" i mine
                              *iterations*))))
      (check (zerop (car crossed)) "~D signals reached another thread's handler" (car crossed)))))

(defcase restart-stacks ()
  ;; Every thread establishes a restart named MINE: each sees exactly one
  ;; MINE (its own), and invoking it returns to its own RESTART-CASE.
  (run-threads *threads*
               (lambda (i rng)
                 (dotimes (n *iterations*)
                   (let ((r (restart-case
                                (progn
                                  (when (zerop (rng rng 3)) (thread-yield))
                                  (let ((mine (count 'mine (compute-restarts) :key #'restart-name)))
                                    (check (eql mine 1) "thread ~D sees ~D restarts named MINE" i mine))
                                  (invoke-restart 'mine (list i n)))
                              (mine (x) (list :restarted x)))))
                     (check (equal r (list :restarted (list i n))) "thread ~D: ~S" i r))
                   (check (null (find-restart 'mine)) "thread ~D sees MINE outside its RESTART-CASE" i)))))

(defcase catch-stacks ()
  ;; Every thread catches the same tag; a THROW reaches the thrower's own
  ;; CATCH.  A THROW to a tag only another thread has established is a
  ;; CONTROL-ERROR in the thrower.
  (let ((errors (run-threads *threads*
                  (lambda (i rng)
                    (let ((control-errors 0))
                      (dotimes (n *iterations* control-errors)
                        (let ((r (catch 'shared-tag
                                   (when (zerop (rng rng 3)) (thread-yield))
                                   (throw 'shared-tag (list i n)))))
                          (check (equal r (list i n)) "thread ~D caught ~S" i r))
                        (when (eql i 0)
                          (handler-case (throw (intern (format nil "ONLY-IN-~D" (mod (1+ n) *threads*)) "STRESS") 1)
                            (control-error () (incf control-errors))))))))))
    (check (eql (first errors) *iterations*) "~S of ~D throws to other threads' tags were CONTROL-ERRORs"
           (first errors) *iterations*)))

(defcase no-inherited-handlers ()
  ;; A new thread starts with no handlers, restarts or catch tags of its
  ;; creator: an error in it is unhandled there (join reports it).
  (handler-case
      (handler-bind ((error (lambda (c) (declare (ignore c)) (throw 'parent-tag :parent-handler-ran))))
        (catch 'parent-tag
         (restart-case
          (let ((th (make-thread (lambda ()
                                   (list (mapcar #'restart-name (compute-restarts))
                                         (handler-case (throw 'parent-tag :thrown)
                                           (control-error () :control-error)))))))
            (let ((r (join-thread th)))
              (check (eq (second r) :control-error) "a child threw to its parent's catch: ~S" r)
              (check (not (member 'parent-restart (first r))) "the child saw the parent's restart")))
          (parent-restart () nil))))
    (error (e) (fail "unexpected ~A" e))))

(run-cases)
