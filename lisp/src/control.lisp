;;;; lisp/src/control.lisp — data and control flow operators (CLHS ch. 5)
;;;; and evaluation helpers (ch. 3) written in Lisp: CONSTANTLY, COMPLEMENT,
;;;; ECASE/CCASE with the type-errors and restarts the spec asks for,
;;;; compiler macros, FUNCTION-LAMBDA-EXPRESSION, PI.  Loaded after the
;;;; condition system and setf.

(in-package "PETREL-SYSTEM")

(defconstant pi 3.141592653589793d0)

(defun constantly (value)
  "A function that takes any arguments and returns VALUE."
  (lambda (&rest arguments) (declare (ignore arguments)) value))

(defun complement (function)
  "A function returning the opposite truth value of FUNCTION."
  (lambda (&rest arguments) (not (apply function arguments))))

(defun %case-type (clauses)
  (list* 'member (%case-keys clauses)))

;;; ECASE: no clause matched → TYPE-ERROR whose expected type is the member
;;; type of all the keys (CLHS ECASE).
(defmacro ecase (keyform &body clauses)
  (let ((k (gensym "KEY")))
    `(let ((,k ,keyform))
       (case ,k ,@clauses
         (t (error 'type-error :datum ,k :expected-type ',(%case-type clauses)))))))

;;; CCASE: the same error, with a STORE-VALUE restart that sets the place and
;;; tries again.
(defmacro ccase (keyplace &body clauses)
  (let ((k (gensym "KEY")) (again (gensym "AGAIN")) (block (gensym "CCASE")))
    `(block ,block
       (tagbody
          ,again
          (let ((,k ,keyplace))
            (return-from ,block
              (case ,k ,@clauses
                (t (restart-case
                       (error 'type-error :datum ,k :expected-type ',(%case-type clauses))
                     (store-value (new)
                       :report (lambda (s) (format s "Supply a new value for ~S." ',keyplace))
                       :interactive (lambda ()
                                      (format *query-io* "~&New value for ~S: " ',keyplace)
                                      (list (eval (read *query-io*))))
                       (setf ,keyplace new)
                       (go ,again)))))))))))

;;; Compiler macros are stored and returned; the compiler is free not to use
;;; them (CLHS 3.2.2.1), and this one does not yet.
(defun compiler-macro-function (name &optional environment)
  (declare (ignore environment))
  (get (if (consp name) (second name) name)
       (if (consp name) '%setf-compiler-macro '%compiler-macro)))

(defun (setf compiler-macro-function) (function name &optional environment)
  (declare (ignore environment))
  (setf (get (if (consp name) (second name) name)
             (if (consp name) '%setf-compiler-macro '%compiler-macro))
        function))

(defmacro define-compiler-macro (name lambda-list &body body)
  (let ((block-name (if (consp name) (second name) name)))
    `(progn
       (setf (compiler-macro-function ',name)
             (function ,(%make-macro-function block-name lambda-list body)))
       ',name)))

(defun function-lambda-expression (function)
  "The source is not kept: NIL, T (closure-p is unknown) and the name."
  (unless (functionp function)
    (error 'type-error :datum function :expected-type 'function))
  (values nil t (%function-name function)))

(in-package "COMMON-LISP-USER")
