;;;; lisp/src/compile.lisp — COMPILE-FILE's warnings and compilation units
;;;; (CLHS compile-file, with-compilation-unit, 3.2.5).
;;;;
;;;; The C compiler, in file mode, reports the free variables and functions a
;;;; top-level form uses that are not defined yet (%note-undefined, called by
;;;; compiler_top.c).  A variable gets a WARNING at once; a function is
;;;; remembered and gets a STYLE-WARNING at the end of the compilation unit
;;;; unless it was defined by then (later in the file, or by a DEFUN seen at
;;;; compile time).  COMPILE-FILE turns the warnings it saw into its
;;;; warnings-p and failure-p values.  All state is special, so per thread.

(in-package "PETREL-SYSTEM")

(defvar *in-compilation-unit* nil)
(defvar *undefined-functions* nil "Names called in this unit before any definition.")
(defvar *defined-functions* nil "Names a DEFUN in this unit defined at compile time.")

(define-condition undefined-variable-warning (warning)
  ((name :initarg :name :reader undefined-warning-name))
  (:report (lambda (c stream) (format stream "undefined variable: ~S" (undefined-warning-name c)))))

(define-condition undefined-function-warning (style-warning)
  ((name :initarg :name :reader undefined-warning-name))
  (:report (lambda (c stream) (format stream "undefined function: ~S" (undefined-warning-name c)))))

(defun %note-undefined (variables functions)
  (dolist (name variables)
    (warn 'undefined-variable-warning :name name))
  (dolist (name functions)
    (pushnew name *undefined-functions* :test (function equal))))

(defun %note-defined-function (name)
  (push name *defined-functions*))

(defun %report-undefined-functions ()
  (dolist (name (reverse *undefined-functions*))
    (unless (or (fboundp name) (member name *defined-functions* :test (function equal)))
      (warn 'undefined-function-warning :name name))))

(defun %call-with-compilation-unit (thunk &key override)
  (if (and *in-compilation-unit* (not override))
      (funcall thunk)
      (let ((*in-compilation-unit* t)
            (*undefined-functions* nil)
            (*defined-functions* nil))
        (multiple-value-prog1 (funcall thunk)
          (%report-undefined-functions)))))

(defmacro with-compilation-unit ((&rest options &key override) &body body)
  (declare (ignore override))
  `(%call-with-compilation-unit (lambda () ,@body) ,@options))

(defun compile-file (input-file &rest arguments &key output-file verbose print external-format)
  (declare (ignore output-file verbose print external-format))
  (let ((warnings-p nil) (failure-p nil))
    (handler-bind ((warning (lambda (condition)
                              (setq warnings-p t)
                              (unless (typep condition 'style-warning)
                                (setq failure-p t)))))
      (let ((truename (with-compilation-unit ()
                        (apply (function %compile-file) input-file arguments))))
        (values truename warnings-p failure-p)))))
