;;; A minimal RT written for the hook's self-test (see README).  An entry is
;;; a list (name form values); the hook reaches names through RT::NAME.
(in-package "REGRESSION-TEST")

(defvar *entries* (list nil))           ; leading dummy cell, as in RT
(defvar *passed-tests* nil)
(defvar *failed-tests* nil)
(defvar *compile-tests* nil)

(defun name (entry) (car entry))

(defun rem-test (name)
  (do ((cell *entries* (cdr cell)))
      ((null (cdr cell)) nil)
    (when (equal (name (cadr cell)) name)
      (setf (cdr cell) (cddr cell))
      (return name))))

(defun rem-all-tests () (setq *entries* (list nil)) nil)

(defmacro deftest (name form &rest values)
  `(progn (rem-test ',name)
          (setf (cdr (last *entries*)) (list (list ',name ',form ',values)))
          ',name))

(defun run-entry (entry)
  "True when ENTRY passes; prints a failure report otherwise."
  (let ((got (handler-case
                 (multiple-value-list
                  (if *compile-tests*
                      (funcall (compile nil `(lambda () ,(cadr entry))))
                      (eval (cadr entry))))
               (error (c) (list c)))))
    (if (equal got (caddr entry))
        t
        (progn
          (format t "~&Test ~S failed~%Form: ~S~%Expected value:~%" (name entry) (cadr entry))
          (dolist (v (caddr entry)) (format t "          ~S~%" v))
          (format t "Actual value:~%")
          (dolist (v got) (format t "          ~S~%" v))
          nil))))

(defun do-test (name)
  (dolist (e (cdr *entries*))
    (when (equal (name e) name) (return (run-entry e)))))

(defun do-tests ()
  (setq *passed-tests* nil *failed-tests* nil)
  (let ((n (length (cdr *entries*))))
    (format t "~&Doing ~D pending tests of ~D tests total.~%" n n)
    (finish-output)
    (dolist (e (cdr *entries*))
      (cond ((run-entry e)
             (push (name e) *passed-tests*)
             (format t " ~S" (name e)))
            (t (push (name e) *failed-tests*)))
      (finish-output))
    (setq *passed-tests* (reverse *passed-tests*)
          *failed-tests* (reverse *failed-tests*))
    (format t "~&~D failures with ~D unexpected failures and 0 unexpected successes out of ~D tests.~%"
            (length *failed-tests*) (length *failed-tests*) n)
    (if *failed-tests*
        (progn (format t "Failures: ~%")
               (dolist (f *failed-tests*) (format t "  ~S~%" f)))
        (format t "No failures~%"))
    (finish-output)
    (null *failed-tests*)))
