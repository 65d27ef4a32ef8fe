;;;; lisp/src/conditions.lisp — the condition system's Lisp half (CLHS ch. 9):
;;;; define-condition, restarts (restart-bind, restart-case,
;;;; with-simple-restart, compute-restarts, find-restart, invoke-restart, the
;;;; standard restart functions), warn, cerror, break, *break-on-signals*,
;;;; assert, check-type, and the interactive debugger.
;;;;
;;;; The C core (cond.c) holds condition objects, the type hierarchy,
;;;; signalling and the entry to the debugger; restart objects are made by
;;;; builtins_restarts.c (layout in cond_impl.h).  Dynamic state is special
;;;; variables, so it is per thread:
;;;;   *restart-clusters*    list of clusters (lists of restarts), innermost
;;;;                         first; the global value holds the top level's ABORT
;;;;   *condition-restarts*  list of (condition . restarts): the associations
;;;;                         with-condition-restarts made (CLHS 9.1.4.2.4)
;;;;   *interactive-debugger* true where the REPL wants the debugger
;;;;                         (cond.c calls %debugger-loop then)

(in-package "PETREL-SYSTEM")

;;; ---- restarts ----

(defvar *restart-clusters*
  (list (list (%make-restart 'abort
                             (lambda (&rest arguments)
                               (declare (ignore arguments))
                               (throw '%toplevel :abort))
                             "Return to top level."))))

(defvar *condition-restarts* nil)
(defvar *interactive-debugger* nil)

(defmacro restart-bind (bindings &body forms)
  (list* 'let
         (list (list '*restart-clusters*
                     (list 'cons
                           (cons 'list (mapcar (function %restart-bind-maker) bindings))
                           '*restart-clusters*)))
         forms))

(defun %restart-bind-maker (binding)
  (destructuring-bind (name function &key interactive-function report-function test-function) binding
    `(%make-restart ',name ,function ,report-function ,interactive-function ,test-function)))

(defmacro with-condition-restarts (condition-form restarts-form &body forms)
  `(let ((*condition-restarts* (cons (cons ,condition-form ,restarts-form) *condition-restarts*)))
     ,@forms))

;; A restart is visible for a condition when it is associated with that
;; condition or with none at all (CLHS compute-restarts).
(defun %restart-applies-p (restart condition)
  (let ((associated nil))
    (dolist (entry *condition-restarts* (not associated))
      (when (member restart (cdr entry) :test (function eq))
        (if (eq (car entry) condition)
            (return t)
            (setq associated t))))))

(defun compute-restarts (&optional condition)
  (let ((result nil))
    (dolist (cluster *restart-clusters*)
      (dolist (restart cluster)
        (when (and (or (null condition) (%restart-applies-p restart condition))
                   (%restart-visible-p restart condition))
          (push restart result))))
    (nreverse result)))

(defun find-restart (identifier &optional condition)
  (dolist (restart (compute-restarts condition))
    (when (or (eq restart identifier)
              (and identifier (symbolp identifier) (eq (restart-name restart) identifier)))
      (return restart))))

(defun %active-restart-p (restart)
  (dolist (cluster *restart-clusters*)
    (when (member restart cluster :test (function eq)) (return t))))

(defun %find-restart-or-lose (identifier)
  (or (if (%restart-p identifier)
          (and (%active-restart-p identifier) identifier)
          (find-restart identifier))
      (error 'control-error
             :format-control "There is no active restart ~S."
             :format-arguments (list identifier))))

(defun invoke-restart (restart &rest arguments)
  (apply (%restart-function (%find-restart-or-lose restart)) arguments))

(defun invoke-restart-interactively (restart)
  (let* ((r (%find-restart-or-lose restart))
         (interactive (%restart-interactive r)))
    (apply (%restart-function r) (if interactive (funcall interactive) nil))))

;;; restart-case: each clause's restart records its arguments and GOes to
;;; the clause, unwinding out of the form; the clause then runs its body.
(defmacro restart-case (&environment env expression &body clauses)
  (let* ((block (gensym "RESTART-CASE"))
         (args (gensym "ARGS"))
         (tags (mapcar (lambda (c) (declare (ignore c)) (gensym "RESTART")) clauses))
         (parsed (mapcar (function %parse-restart-clause) clauses)))
    `(block ,block
       (let ((,args nil))
         (declare (ignorable ,args))
         (tagbody
            (restart-bind ,(mapcar (lambda (p tag) (%restart-case-binding p tag args)) parsed tags)
              (return-from ,block ,(%restart-case-expression expression env)))
            ,@(mapcan (lambda (p tag)
                        (list tag `(return-from ,block
                                     (apply (lambda ,(second p) ,@(sixth p)) ,args))))
                      parsed tags))))))

;; (name lambda-list [[:report r | :interactive i | :test t]] body...) →
;; (name lambda-list report interactive test body)
(defun %parse-restart-clause (clause)
  (unless (and (consp clause) (symbolp (car clause)) (consp (cdr clause)) (listp (cadr clause)))
    (error "RESTART-CASE: malformed clause ~S" clause))
  (let ((rest (cddr clause)) (report nil) (interactive nil) (test nil))
    (loop
      (unless (and (consp rest) (consp (cdr rest)) (member (car rest) '(:report :interactive :test)))
        (return))
      (case (car rest)
        (:report (setq report (cadr rest)))
        (:interactive (setq interactive (cadr rest)))
        (:test (setq test (cadr rest))))
      (setq rest (cddr rest)))
    (list (car clause) (cadr clause) report interactive test rest)))

(defun %restart-case-binding (parsed tag args)
  (let ((temp (gensym "ARGS")) (stream (gensym "STREAM")) (report (third parsed)))
    `(,(first parsed)
      (lambda (&rest ,temp) (setq ,args ,temp) (go ,tag))
      ,@(when report
          (list :report-function
                (if (stringp report)
                    `(lambda (,stream) (write-string ,report ,stream))
                    `(function ,report))))
      ,@(when (fourth parsed) (list :interactive-function `(function ,(fourth parsed))))
      ,@(when (fifth parsed) (list :test-function `(function ,(fifth parsed)))))))

;; CLHS 9.1.4.2.4: when the form is (or expands to) a call of signal, error,
;; cerror or warn, the condition is associated with the new restarts.
(defun %restart-case-expression (expression env)
  (let ((form (macroexpand expression env)))
    (if (and (consp form) (member (car form) '(signal error cerror warn)))
        (let ((c (gensym "CONDITION")) (fmt (gensym "FORMAT")))
          (if (eq (car form) 'cerror)
              `(let* ((,fmt ,(second form))
                      (,c (%coerce-to-condition ,(third form) (list ,@(cdddr form)) 'simple-error 'cerror)))
                 (with-condition-restarts ,c (car *restart-clusters*) (cerror ,fmt ,c)))
              `(let ((,c (%coerce-to-condition ,(second form) (list ,@(cddr form))
                                               ',(case (car form)
                                                   (signal 'simple-condition)
                                                   (warn 'simple-warning)
                                                   (t 'simple-error))
                                               ',(car form))))
                 (with-condition-restarts ,c (car *restart-clusters*) (,(car form) ,c)))))
        expression)))

(defmacro with-simple-restart ((name format-control &rest format-arguments) &body forms)
  (let ((stream (gensym "STREAM")))
    `(restart-case (progn ,@forms)
       (,name ()
         :report (lambda (,stream) (format ,stream ,format-control ,@format-arguments))
         (values nil t)))))

;;; The standard restart functions (CLHS 9.2): abort and muffle-warning must
;;; find their restart; the others return NIL when there is none.
(defun %no-restart (name)
  (error 'control-error :format-control "There is no active ~S restart."
                        :format-arguments (list name)))

(defun abort (&optional condition)
  (let ((r (find-restart 'abort condition)))
    (if r (invoke-restart r) (%no-restart 'abort))))

(defun muffle-warning (&optional condition)
  (let ((r (find-restart 'muffle-warning condition)))
    (if r (invoke-restart r) (%no-restart 'muffle-warning))))

(defun continue (&optional condition)
  (let ((r (find-restart 'continue condition)))
    (when r (invoke-restart r))))

(defun store-value (value &optional condition)
  (let ((r (find-restart 'store-value condition)))
    (when r (invoke-restart r value))))

(defun use-value (value &optional condition)
  (let ((r (find-restart 'use-value condition)))
    (when r (invoke-restart r value))))

;;; ---- signalling with restarts ----

;; cond.c calls these when the VM meets an unbound variable or an undefined
;; function; the value a restart returns replaces the missing one.
(defun %unbound-variable-error (name)
  (restart-case (error 'unbound-variable :name name)
    (use-value (value)
      :report (lambda (stream) (format stream "Specify a value of ~S to use this time." name))
      :interactive (lambda () (%read-new-value name))
      value)
    (store-value (value)
      :report (lambda (stream) (format stream "Set ~S to a new value and use it." name))
      :interactive (lambda () (%read-new-value name))
      (setf (symbol-value name) value))))

(defun %undefined-function-error (name)
  (flet ((as-function (value)
           (if (functionp value) value (fdefinition value))))
    (restart-case (error 'undefined-function :name name)
      (use-value (value)
        :report (lambda (stream) (format stream "Specify a function to call instead of ~S this time." name))
        :interactive (lambda () (%read-new-value name))
        (as-function value))
      (store-value (value)
        :report (lambda (stream) (format stream "Define ~S as a new function and call it." name))
        :interactive (lambda () (%read-new-value name))
        (setf (fdefinition name) (as-function value))))))


(defun warn (datum &rest arguments)
  (let ((c (%coerce-to-condition datum arguments 'simple-warning 'warn)))
    (unless (%condition-typep c 'warning)
      (error 'type-error :datum c :expected-type 'warning))
    (restart-case (with-condition-restarts c (car *restart-clusters*) (signal c))
      (muffle-warning () :report "Skip warning." (return-from warn nil)))
    (format *error-output* "~&~:[WARNING~;STYLE-WARNING~]: ~A~%" (%condition-typep c 'style-warning) c)
    nil))

(defun cerror (continue-format-control datum &rest arguments)
  (let ((c (%coerce-to-condition datum arguments 'simple-error 'cerror)))
    (restart-case (with-condition-restarts c (car *restart-clusters*) (error c))
      (continue ()
        :report (lambda (stream) (apply (function format) stream continue-format-control arguments))
        nil))
    nil))

(defun break (&optional (format-control "Break") &rest format-arguments)
  (with-simple-restart (continue "Return from BREAK.")
    (let ((*debugger-hook* nil))
      (invoke-debugger (make-condition 'simple-condition :format-control format-control
                                                         :format-arguments format-arguments))))
  nil)

;; Called by cond.c's signal when the condition is of type *break-on-signals*.
(defun %break-on-signal (condition)
  (let ((*break-on-signals* nil))
    (break "~A~%BREAK was entered because of *BREAK-ON-SIGNALS* (now rebound to NIL)." condition)))

;; CLOS reports these from method combination; Petrel's CLOS will call them.
(defun invalid-method-error (method format-control &rest arguments)
  (error "Invalid method ~S: ~?" method format-control arguments))

(defun method-combination-error (format-control &rest arguments)
  (error "Method combination error: ~?" format-control arguments))

;;; ---- define-condition ----

(defmacro define-condition (name parent-types slot-specs &rest options)
  (let ((slots nil) (functions nil) (report nil) (documentation nil) (default-initargs nil))
    (dolist (spec slot-specs)
      (multiple-value-bind (slot functions-of-slot) (%condition-slot-spec name spec)
        (push slot slots)
        (setq functions (append functions functions-of-slot))))
    (dolist (option options)
      (case (car option)
        (:report (let ((r (cadr option)))
                   (setq report (cond ((stringp r) r)
                                      ((symbolp r) (list 'quote r))
                                      (t (list 'function r))))))
        (:documentation (setq documentation (cadr option)))
        (:default-initargs
         (do ((l (cdr option) (cddr l))) ((null l))
           (push (list 'quote (car l)) default-initargs)
           (push `(lambda () ,(cadr l)) default-initargs)))
        (t (error "DEFINE-CONDITION ~S: unknown option ~S" name option))))
    `(progn
       (%define-condition-type ',name ',parent-types (list ,@(reverse slots))
                               (list ,@(reverse default-initargs)) ,report ,documentation)
       ,@(when documentation `((%put ',name '%type-documentation ,documentation)))
       ;; CLOS (src/clos.lisp) keeps the condition's class in step.
       (when (fboundp '%condition-class-changed) (funcall '%condition-class-changed ',name))
       ,@functions
       ',name)))

;; One slot spec → (values form-making-its-descriptor reader/writer-defuns).
(defun %condition-slot-spec (name spec)
  (let* ((spec (if (consp spec) spec (list spec)))
         (slot (car spec)) (initargs nil) (initform nil) (initform-p nil) (functions nil)
         (class-p nil))
    (do ((o (cdr spec) (cddr o))) ((null o))
      (let ((key (car o)) (value (cadr o)))
        (case key
          (:initarg (push value initargs))
          (:initform (setq initform value initform-p t))
          (:reader (push (%condition-reader value slot) functions))
          (:writer (push (%condition-writer value slot) functions))
          (:accessor (push (%condition-reader value slot) functions)
                     (push (%condition-writer (list 'setf value) slot) functions))
          (:allocation (case value
                         (:class (setq class-p t))
                         (:instance nil)
                         (t (error "DEFINE-CONDITION ~S: slot ~S has :allocation ~S, not :instance or :class"
                                   name slot value))))
          ((:type :documentation) nil)
          (t (error "DEFINE-CONDITION ~S: unknown slot option ~S" name key)))))
    ;; A class slot's shared cell (cond.c) is made, and its initform
    ;; evaluated, once, when the definition is evaluated.
    (values (if class-p
                `(list ',slot ',(reverse initargs) nil (list ,initform))
                `(list ',slot ',(reverse initargs) ,(if initform-p `(lambda () ,initform) nil)))
            (reverse functions))))

(defun %condition-reader (reader slot)
  `(defun ,reader (condition) (%condition-slot-value condition ',slot)))

(defun %condition-writer (writer slot)
  `(defun ,writer (new-value condition) (%set-condition-slot-value condition ',slot new-value)))

;;; ---- assert and check-type ----

;; TYPEP once the type system is loaded (types.lisp comes later); until then
;; condition types and a few common names.
(defun %typep (object type)
  (if (fboundp 'typep)
      (funcall 'typep object type)
      (%kernel-typep object type)))

(defun %kernel-typep (object type)
  (cond ((eq type t) t)
        ((null type) nil)
        ((%condition-type-p type) (%condition-typep object type))
        ((consp type)
         (case (car type)
           (or (dolist (ty (cdr type) nil) (when (%kernel-typep object ty) (return t))))
           (and (dolist (ty (cdr type) t) (unless (%kernel-typep object ty) (return nil))))
           (not (not (%kernel-typep object (cadr type))))
           (member (if (member object (cdr type) :test (function eql)) t nil))
           (eql (eql object (cadr type)))
           (satisfies (if (funcall (cadr type) object) t nil))
           (t (error "CHECK-TYPE: the type ~S needs TYPEP, which is not loaded yet" type))))
        (t (let ((predicate (cdr (assoc type '((integer . integerp) (fixnum . integerp) (number . numberp)
                                               (real . realp) (rational . rationalp) (float . floatp)
                                               (string . stringp) (symbol . symbolp) (list . listp)
                                               (cons . consp) (null . null) (character . characterp)
                                               (function . functionp) (keyword . keywordp)
                                               (vector . vectorp) (atom . atom))))))
             (if predicate
                 (if (funcall predicate object) t nil)
                 (error "CHECK-TYPE: the type ~S needs TYPEP, which is not loaded yet" type))))))

(defun %read-new-value (what)
  (format *error-output* "~&Enter a form to be evaluated for ~A: " what)
  (finish-output *error-output*)
  (list (eval (read *standard-input*))))

(defmacro check-type (place type &optional type-string)
  (let ((value (gensym "VALUE")))
    `(do ((,value ,place ,place))
         ((%typep ,value ',type) nil)
       (setf ,place (%check-type-error ',place ,value ',type ,type-string)))))

(defun %check-type-error (place value type type-string)
  (restart-case
      (error 'simple-type-error
             :datum value :expected-type type
             :format-control "The value of ~S is ~S, which is not ~A."
             :format-arguments (list place value
                                     (or type-string (format nil "of type ~S" type))))
    (store-value (new-value)
      :report (lambda (stream) (format stream "Supply a new value for ~S." place))
      :interactive (lambda () (%read-new-value place))
      new-value)))

;; The CONTINUE restart retries the test; invoked interactively it first asks
;; for new values of the places (CLHS assert).
(defmacro assert (test-form &optional places datum &rest arguments)
  (let ((start (gensym "ASSERT")) (values (gensym "VALUES")))
    `(tagbody
        ,start
        (unless ,test-form
          (let ((,values (%assert-failed ',test-form ',places ,datum (list ,@arguments))))
            (declare (ignorable ,values))
            ,@(let ((i -1))
                (mapcar (lambda (place)
                          (setq i (+ i 1))
                          `(when (nthcdr ,i ,values) (setf ,place (nth ,i ,values))))
                        places)))
          (go ,start)))))

(defun %assert-failed (test-form places datum arguments)
  (let ((c (if datum
               (%coerce-to-condition datum arguments 'simple-error 'assert)
               (make-condition 'simple-error :format-control "The assertion ~S failed."
                                             :format-arguments (list test-form)))))
    (restart-case (with-condition-restarts c (car *restart-clusters*) (error c))
      (continue (&rest new-values)
        :report (lambda (stream)
                  (if places
                      (format stream "Retry assertion with new value~P for ~{~S~^, ~}." (length places) places)
                      (write-string "Retry assertion." stream)))
        :interactive (lambda ()
                       (mapcar (lambda (place) (car (%read-new-value place))) places))
        new-values))))

;;; ---- the interactive debugger ----

(defvar *debug-level* 0)
(defvar *debug-condition* nil)
(defvar *debug-restarts* nil)
(defvar *debug-backtrace* "")
(defconstant +max-debug-level+ 30)

(defun %safe-princ (object)
  (handler-case (princ-to-string object)
    (error () "#<error printing object>")))

(defun %print-debug-restarts (restarts stream)
  (format stream "~&restarts (invokable by number):~%")
  (let ((i 0))
    (dolist (r restarts)
      (if (restart-name r)
          (format stream "  ~D: [~A] ~A~%" i (restart-name r) (%safe-princ r))
          (format stream "  ~D: ~A~%" i (%safe-princ r)))
      (setq i (+ i 1)))))

;; Once a program has several threads, the banner says which one stopped.
(defun %debugger-thread-name ()
  (when (rest (petrel-threads:all-threads))
    (petrel-threads:thread-name (petrel-threads:current-thread))))

(defun %debugger-banner (condition restarts backtrace stream)
  (format stream "~&debugger invoked on a ~S~@[ in thread ~S~]: ~A~%~%" (type-of condition)
          (%debugger-thread-name) (%safe-princ condition))
  (%print-debug-restarts restarts stream)
  (format stream "~%Backtrace:~%~A" backtrace)
  (finish-output stream))

(defun %debugger-help (stream)
  (format stream "~&Debugger commands:
  N            invoke restart number N
  :abort       invoke the innermost ABORT restart
  :continue    invoke the innermost CONTINUE restart
  :restarts    list the restarts
  :backtrace   print the backtrace
  :error       print the condition again
  :top         return to the top level
  anything else is evaluated and its values printed; end of input returns to the top level.~%"))

;; Called by cond.c (cond_invoke_debugger) when the REPL enabled the
;; debugger.  Leaves only by a transfer of control: a restart, or the top
;; level's catch.
(defun %debugger-loop (condition)
  (let* ((backtrace (%debugger-backtrace))
         (level (+ *debug-level* 1))
         (*debug-level* level)
         (*debug-condition* condition)
         (*debug-restarts* (compute-restarts condition))
         (*debug-backtrace* backtrace)
         (*handler-clusters* nil)
         (stream *error-output*))
    (when (> level +max-debug-level+)
      (format stream "~&debugger invoked on a ~S: ~A~%Too many nested debuggers; returning to top level.~%"
              (type-of condition) (%safe-princ condition))
      (throw '%toplevel :abort))
    (%debugger-banner condition *debug-restarts* backtrace stream)
    (loop
      (with-simple-restart (abort "Return to debug level ~D." level)
        (%debugger-step level stream)))))

(defun %debugger-step (level stream)
  (let ((thread (%debugger-thread-name)))  ; "worker 0] " once there are several threads
    (if (= level 1)
        (format stream "~&~@[~A ~]0] " thread)
        (format stream "~&~@[~A ~]0[~D] " thread level)))
  (finish-output stream)
  (let ((form (%debugger-read stream)))
    (cond ((eq form '%no-form))
          ((eq form '%end-of-input)
           (terpri stream)
           (throw '%toplevel :abort))
          ((integerp form) (%debugger-choose form stream))
          ((and (keywordp form) (%debugger-command form stream)))
          (t (%debugger-eval form)))))

(defun %debugger-read (stream)
  (handler-case (read *standard-input* nil '%end-of-input)
    (end-of-file () '%end-of-input)
    (reader-error (c)
      (format stream "~&~A~%" (%safe-princ c))
      (handler-case (read-line *standard-input* nil nil) (error () nil))
      '%no-form)))

(defun %debugger-choose (n stream)
  (let ((restart (and (>= n 0) (nth n *debug-restarts*))))
    (if restart
        (invoke-restart-interactively restart)
        (format stream "~&There is no restart numbered ~D.~%" n))))

(defun %debugger-named-restart (name stream)
  (let ((restart (dolist (r *debug-restarts*) (when (eq (restart-name r) name) (return r)))))
    (if restart
        (invoke-restart-interactively restart)
        (format stream "~&There is no ~S restart.~%" name))))

;; True if the keyword was a command (else it is evaluated).
(defun %debugger-command (command stream)
  (case command
    (:abort (%debugger-named-restart 'abort stream) t)
    (:continue (%debugger-named-restart 'continue stream) t)
    ((:backtrace :bt) (format stream "~&Backtrace:~%~A" *debug-backtrace*) t)
    (:restarts (%print-debug-restarts *debug-restarts* stream) t)
    (:error (format stream "~&~A~%" (%safe-princ *debug-condition*)) t)
    ((:top :q) (throw '%toplevel :abort))
    (:help (%debugger-help stream) t)
    (t nil)))

(defun %debugger-eval (form)
  (let ((values (multiple-value-list (eval form))))
    (setq - form)
    (setq +++ ++ ++ + + form)
    (setq /// // // / / values)
    (setq *** ** ** * * (car values))
    (dolist (v values) (prin1 v) (terpri))
    (finish-output)))

(in-package "COMMON-LISP-USER")
