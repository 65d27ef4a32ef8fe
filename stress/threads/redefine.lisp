;;;; stress/threads/redefine.lisp — SPEC.md "Redefinition": while one thread
;;;; redefines a function (DEFUN through EVAL or COMPILE, (SETF FDEFINITION),
;;;; (SETF SYMBOL-FUNCTION)), threads calling it run a whole old or a whole
;;;; new definition, never garbage; once the redefinition returns, calls
;;;; that start after it (in a thread that has synchronized with it) run the
;;;; new one; and a caller never goes back to an older version.
(let ((f (format nil "~A" *load-truename*)))
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "lib.lisp")))
(in-package "STRESS")

(defun target (x) (list 0 x))
(defvar *version* (list 0))

(defun make-version (v)
  "Definition V: a closure with its own state, returning (V x)."
  (let ((tag v))
    (lambda (x) (list tag x))))

(defun install (v how)
  (ecase how
    (:setf-fdefinition (setf (fdefinition 'target) (make-version v)))
    (:setf-symbol-function (setf (symbol-function 'target) (make-version v)))
    (:eval-defun (eval `(defun target (x) (list ,v x))))
    (:compile (compile 'target `(lambda (x) (list ,v x))))))

(defun redefinition-run (hows versions)
  (atomic-write (car *version*) 0)
  (install 0 :setf-fdefinition)
  (let* ((stop (list nil))
         (callers
           (loop for i below *threads*
                 collect (spawn (format nil "caller-~D" i)
                                (lambda ()
                                  (let ((calls 0) (last 0))
                                    (loop for n from 0
                                          do (let* ((done (atomic-read (car stop)))
                                                    (floor-v (atomic-read (car *version*)))
                                                    (r (target n)))
                                               (check (and (consp r) (integerp (first r)) (eql (second r) n))
                                                      "TARGET returned ~S" r)
                                               (when (integerp (first r))
                                                 (check (>= (first r) last) "went back from version ~D to ~D"
                                                        last (first r))
                                                 (check (>= (first r) floor-v)
                                                        "ran version ~D after version ~D was installed"
                                                        (first r) floor-v)
                                                 (setf last (first r)))
                                               (incf calls)
                                               (when done (return))))
                                    calls))))))
    (loop for v from 1 to versions
          do (install v (nth (mod v (length hows)) hows))
             (atomic-write (car *version*) v))
    (atomic-write (car stop) t)
    (let ((calls (join-all callers)))
      (check (equal (target :x) (list versions :x)) "the last definition is not in effect")
      (note :versions versions)
      (note :calls (reduce #'+ (remove nil calls))))))

(defcase setf-fdefinition ()
  (redefinition-run '(:setf-fdefinition :setf-symbol-function) *iterations*))

(defcase eval-defun ()
  (redefinition-run '(:eval-defun) (max 5 (floor *iterations* 10))))

(defcase compile-and-mixed ()
  (redefinition-run '(:compile :setf-fdefinition :eval-defun :setf-symbol-function)
                    (max 5 (floor *iterations* 10))))

(defun arity-1 (a) (list :one a))

(defcase change-lambda-list ()
  ;; The new definition takes other arguments: callers passing one argument
  ;; either get the old result or the new definition's own argument error
  ;; (a PROGRAM-ERROR), never a crash.
  (setf (fdefinition 'arity-1) (lambda (a) (list :one a)))
  (let* ((stop (list nil))
         (errors (list 0))
         (started (make-semaphore))
         (callers (loop for i below *threads*
                        collect (spawn "caller"
                                       (lambda ()
                                         (signal-semaphore started)
                                         (loop until (atomic-read (car stop))
                                               do (handler-case
                                                      (let ((r (arity-1 7)))
                                                        (check (member r '((:one 7) (:opt 7 nil)) :test #'equal)
                                                               "ARITY-1 returned ~S" r))
                                                    (program-error () (atomic-incf (car errors))))))))))
    (dotimes (i *threads*) (wait-on-semaphore started))
    (dotimes (k (max 600 (floor *iterations* 3)))
      ;; Each two-argument definition is a closure over freshly compiled
      ;; code: a new, still unnamed code object.
      (setf (fdefinition 'arity-1)
            (case (mod k 4)
              ((0 2) (funcall (compile nil `(lambda () (let ((k ,k)) (lambda (a b) (list :two a b k)))))))
              (1 (lambda (a &optional b) (list :opt a b)))
              (t (lambda (a) (list :one a)))))
      ;; let the callers run into the two-argument definition
      (when (evenp k) (sleep 0.0005)))
    (atomic-write (car stop) t)
    (join-all callers)
    (note :argument-errors (car errors))))

(defun flicker (x) (list :defined x))

(defcase fmakunbound-race ()
  ;; One thread alternately FMAKUNBOUNDs and redefines a function (also as a
  ;; macro now and then); callers get the function's result or an
  ;; UNDEFINED-FUNCTION error, and FBOUNDP/FDEFINITION never see garbage.
  (let* ((stop (list nil))
         (undefined (list 0))
         (started (make-semaphore))
         (callers (loop for i below *threads*
                        collect (spawn "caller"
                                       (lambda ()
                                         (signal-semaphore started)
                                         (loop until (atomic-read (car stop))
                                               do (handler-case
                                                      (let ((r (flicker 1)))
                                                        (check (equal r '(:defined 1)) "FLICKER returned ~S" r))
                                                    (undefined-function () (atomic-incf (car undefined)))
                                                    ;; calling a name that is a macro right now
                                                    (error () nil))
                                                  (let ((f (and (fboundp 'flicker) (ignore-errors (fdefinition 'flicker)))))
                                                    (check (or (null f) (functionp f)) "FDEFINITION gave ~S" f))))))))
    (dotimes (i *threads*) (wait-on-semaphore started))
    (dotimes (k (max 3000 *iterations*))
      (case (mod k 3)
        (0 (fmakunbound 'flicker))
        (1 (setf (fdefinition 'flicker) (lambda (x) (list :defined x))))
        (t (setf (macro-function 'flicker) (lambda (form env) (declare (ignore env)) `(list :defined ,(second form))))
           (setf (fdefinition 'flicker) (lambda (x) (list :defined x))))))
    (atomic-write (car stop) t)
    (join-all callers)
    (setf (fdefinition 'flicker) (lambda (x) (list :defined x)))
    (note :undefined-calls (car undefined))))

(run-cases)
