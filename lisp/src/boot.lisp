;;;; lisp/src/boot.lisp — the kernel's library written in Lisp: the standard
;;;; macros (defmacro, defun, control flow, binding, setf on the basic
;;;; places, handler-bind/handler-case) over the special operators and the C
;;;; builtins.  Compiled into the binary and loaded at startup; the core image
;;;; (a later issue) will save the result instead.
;;;;
;;;; Written in PETREL-SYSTEM, which uses COMMON-LISP and PETREL-EXT, so the
;;;; standard names below are the CL symbols and helpers stay internal.

(setq *package* (find-package "PETREL-SYSTEM"))

;;; defmacro itself, by hand: its expander is built by %make-macro-function,
;;; which handles the whole macro lambda list (&whole, &environment,
;;; destructuring, &optional, &rest/&body, &key, &aux).
(%set-macro 'defmacro
  (function
   (lambda (form env)
     (declare (ignore env))
     (%check-arg-count (cdr form) 2 nil 'defmacro)
     (let* ((name (car (cdr form)))
            (lambda-list (car (cdr (cdr form))))
            (body (cdr (cdr (cdr form)))))
       (if (symbolp name) nil (error "DEFMACRO: the name ~S is not a symbol" name))
       ;; The expander's code keeps the docstring; the lambda list is noted
       ;; for DESCRIBE (the expander's own is (form env)).
       (list 'progn
             (list 'eval-when '(:compile-toplevel :load-toplevel :execute)
                   (list '%set-macro (list 'quote name)
                         (list 'function (%make-macro-function name lambda-list body)))
                   (list '%put (list 'quote name) ''%macro-lambda-list (list 'quote lambda-list)))
             (list 'quote name))))))

(defmacro lambda (&whole whole lambda-list &body body)
  (declare (ignore lambda-list body))
  (list 'function whole))

(defmacro defun (name lambda-list &body body)
  ;; named-lambda: a lambda whose body is in (block name ...), declarations
  ;; and docstring kept in front (the compiler does the wrapping).  At compile
  ;; time the name is noted as defined, for COMPILE-FILE's warnings.
  (list 'progn
        (list 'eval-when '(:compile-toplevel) (list '%note-defined-function (list 'quote name)))
        (list '%fset (list 'quote name)
              (list 'function (list* 'named-lambda name lambda-list body)))
        (list 'quote name)))

;;; ---- multiple values ----

(defmacro multiple-value-bind (vars form &body body) (list* '%mv-bind vars form body))

(defmacro multiple-value-list (form) (list 'multiple-value-call '(function list) form))

(defmacro nth-value (n form) (list 'nth n (list 'multiple-value-list form)))

(defmacro multiple-value-setq (vars form)
  (let ((temps (mapcar (function (lambda (v) (declare (ignore v)) (gensym "V"))) vars)))
    (list 'multiple-value-bind temps form
          (cons 'progn (mapcar (function (lambda (v tmp) (list 'setq v tmp))) vars temps))
          (if temps (car temps) nil))))

(defmacro destructuring-bind (lambda-list expression &body body)
  (multiple-value-bind (decls forms) (%split-decls body)
    (list* 'let* (%destructure lambda-list expression 'destructuring-bind)
           (append decls forms))))

;;; ---- control flow ----

(defmacro when (test &body body) (list 'if test (cons 'progn body) nil))
(defmacro unless (test &body body) (list 'if test nil (cons 'progn body)))

(defmacro and (&rest forms)
  (if (null forms) t
      (if (null (cdr forms)) (car forms)
          (list 'if (car forms) (cons 'and (cdr forms)) nil))))

(defmacro or (&rest forms)
  (if (null forms) nil
      (if (null (cdr forms)) (car forms)
          (let ((tmp (gensym "OR")))
            (list 'let (list (list tmp (car forms)))
                  (list 'if tmp tmp (cons 'or (cdr forms))))))))

(defmacro cond (&rest clauses)
  (if (null clauses) nil
      (let ((clause (car clauses)))
        (if (consp clause) nil (error "COND: malformed clause ~S" clause))
        (if (null (cdr clause))
            (list 'or (car clause) (cons 'cond (cdr clauses)))
            (list 'if (car clause) (cons 'progn (cdr clause)) (cons 'cond (cdr clauses)))))))

(defmacro return (&optional value) (list 'return-from nil value))

(defmacro prog1 (first &body rest)
  (let ((tmp (gensym "PROG1")))
    (list* 'let (list (list tmp first)) (append rest (list tmp)))))

(defmacro prog2 (first second &body rest)
  (list 'progn first (list* 'prog1 second rest)))

(defmacro loop (&body body)
  ;; The simple loop only (CLHS 6.1.1.1.1: compound forms); extended LOOP
  ;; comes with the standard library and is refused rather than misread.
  (mapc (function (lambda (form)
                     (unless (consp form)
                       (error "LOOP: extended LOOP syntax (at ~S) is not supported yet" form))))
        body)
  (let ((tag (gensym "LOOP")))
    (list 'block nil (list* 'tagbody tag (append body (list (list 'go tag)))))))

(defmacro do-loop-internal (let-op setq-op vars end body)
  (let ((start (gensym "DO")) (test (car end)) (result (cdr end)))
    (let ((steps nil))
      (mapc (function (lambda (v)
              (if (and (consp v) (cdr (cdr v)))
                  (setq steps (append steps (list (car v) (car (cdr (cdr v)))))))))
            vars)
      (multiple-value-bind (decls forms) (%split-decls body)
        (list 'block nil
              (list* let-op (mapcar (function (lambda (v) (if (consp v) (list (car v) (car (cdr v))) v))) vars)
                     (append decls
                             (list (list* 'tagbody start
                                          (list 'if test (list 'return-from nil (cons 'progn result)))
                                          (append forms
                                                  (list (cons setq-op steps) (list 'go start))))))))))))

(%fset '%split-decls
       (function (lambda (body)
         (let ((decls nil))
           (tagbody
            next
              (if (and (consp (car body)) (eq (car (car body)) 'declare))
                  (progn (setq decls (cons (car body) decls)) (setq body (cdr body)) (go next))))
           (values (reverse decls) body)))))

(defmacro do (vars end &body body) (list 'do-loop-internal 'let 'psetq vars end body))
(defmacro do* (vars end &body body) (list 'do-loop-internal 'let* 'setq vars end body))

(defmacro dolist ((var list &optional result) &body body)
  (let ((l (gensym "LIST")) (start (gensym "START")))
    (multiple-value-bind (decls forms) (%split-decls body)
      (list 'block nil
            (list 'let (list (list l list))
                  (list 'tagbody start
                        (list 'if (list 'endp l)
                              (list 'return-from nil (list* 'let (list (list var nil))
                                                            (list 'declare (list 'ignorable var))
                                                            (list result))))
                        (list* 'let (list (list var (list 'car l)))
                               (append decls forms))
                        (list 'setq l (list 'cdr l))
                        (list 'go start)))))))

(defmacro dotimes ((var count &optional result) &body body)
  (let ((n (gensym "COUNT")) (start (gensym "START")))
    (multiple-value-bind (decls forms) (%split-decls body)
      (list 'block nil
            (list* 'let (list (list n count) (list var 0))
                   (append decls
                           (list (list 'tagbody start
                                       (list 'if (list '>= var n) (list 'return-from nil result))
                                       (cons 'tagbody forms)
                                       (list 'setq var (list '1+ var))
                                       (list 'go start)))))))))

(defmacro prog (vars &body body)
  (multiple-value-bind (decls forms) (%split-decls body)
    (list 'block nil (list* 'let vars (append decls (list (cons 'tagbody forms)))))))

(defmacro prog* (vars &body body)
  (multiple-value-bind (decls forms) (%split-decls body)
    (list 'block nil (list* 'let* vars (append decls (list (cons 'tagbody forms)))))))

(defmacro case (key &body clauses)
  (let ((k (gensym "KEY")))
    (list 'let (list (list k key))
          (cons 'cond
                (mapcar (function
                         (lambda (c)
                           (let ((keys (car c)))
                             (cons (cond ((or (eq keys t) (eq keys 'otherwise)) t)
                                         ((listp keys) (list 'member k (list 'quote keys)))
                                         (t (list 'eql k (list 'quote keys))))
                                   (or (cdr c) (list nil))))))
                        clauses)))))

(defmacro ecase (key &body clauses)
  (let ((k (gensym "KEY")))
    (list 'let (list (list k key))
          (append (list 'case k) clauses
                  (list (list t (list 'error "ECASE: ~S fell through (expected one of ~S)"
                                      k (list 'quote (%case-keys clauses)))))))))

(%fset '%case-keys
       (function (lambda (clauses)
         (mapcan (function (lambda (c) (if (listp (car c)) (copy-list (car c)) (list (car c))))) clauses))))

;;; ---- variables ----

;; CLHS defvar: at top level the compiler must know the name is special, so
;; COMPILE-FILE proclaims it at compile time too.
;; A docstring is kept on the symbol's plist (DOCUMENTATION, doc-type VARIABLE).
(%fset '%variable-doc-form
       (function (lambda (name doc)
         (if doc (list '%put (list 'quote name) ''%variable-documentation doc) nil))))

(defmacro defvar (name &optional (value nil value-p) doc)
  (list 'progn
        (list 'eval-when '(:compile-toplevel) (list '%proclaim-special (list 'quote name)))
        (list '%proclaim-special (list 'quote name))
        (if value-p (list 'unless (list 'boundp (list 'quote name)) (list 'setq name value)))
        (%variable-doc-form name doc)
        (list 'quote name)))

(defmacro defparameter (name value &optional doc)
  (list 'progn
        (list 'eval-when '(:compile-toplevel) (list '%proclaim-special (list 'quote name)))
        (list '%proclaim-special (list 'quote name)) (list 'setq name value)
        (%variable-doc-form name doc) (list 'quote name)))

(defmacro defconstant (name value &optional doc)
  (list 'eval-when '(:compile-toplevel :load-toplevel :execute)
        (%variable-doc-form name doc)
        (list '%defconstant (list 'quote name) value)))

(defmacro define-symbol-macro (name expansion)
  (list 'eval-when '(:compile-toplevel :load-toplevel :execute)
        (list '%define-symbol-macro (list 'quote name) (list 'quote expansion))))

(defmacro psetq (&rest pairs)
  (let ((bindings nil) (sets nil))
    (tagbody
     next
       (when pairs
         (let ((tmp (gensym "PSETQ")))
           (setq bindings (cons (list tmp (car (cdr pairs))) bindings))
           (setq sets (cons (list 'setq (car pairs) tmp) sets))
           (setq pairs (cdr (cdr pairs)))
           (go next))))
    (list* 'let (reverse bindings) (append (reverse sets) (list nil)))))

(defmacro declaim (&rest specs)
  (list* 'eval-when '(:compile-toplevel :load-toplevel :execute)
         (mapcar (function (lambda (s) (list 'proclaim (list 'quote s)))) specs)))

(%fset 'proclaim
       (function (lambda (spec)
         (when (and (consp spec) (eq (car spec) 'special))
           (mapc (function %proclaim-special) (cdr spec)))
         nil)))

(defmacro in-package (name)
  (list 'eval-when '(:compile-toplevel :load-toplevel :execute)
        (list 'setq '*package* (list '%find-package-or-lose (list 'quote name)))))

;; WITH-COMPILATION-UNIT: Petrel defers no warnings to the end of a unit, so
;; the body just runs; :override and other options are accepted and ignored.
(%fset '%find-package-or-lose
       (function (lambda (name)
         (or (find-package name) (error "IN-PACKAGE: there is no package named ~S" (string name))))))

;;; ---- setf on the basic places (the full setf machinery comes with the
;;; core-language issue) ----

(%fset '%setf-expand
       (function (lambda (place value env)
         (if (symbolp place)
             (list 'setq place value)
             (let ((op (car place)) (args (cdr place)))
               (cond ((eq op 'car) (list '%rplaca-value (car args) value))
                     ((eq op 'cdr) (list '%rplacd-value (car args) value))
                     ((eq op 'first) (list '%rplaca-value (car args) value))
                     ((eq op 'rest) (list '%rplacd-value (car args) value))
                     ((eq op 'cadr) (list '%rplaca-value (list 'cdr (car args)) value))
                     ((eq op 'second) (list '%rplaca-value (list 'cdr (car args)) value))
                     ((eq op 'cddr) (list '%rplacd-value (list 'cdr (car args)) value))
                     ((eq op 'nth) (list '%rplaca-value (list 'nthcdr (car args) (car (cdr args))) value))
                     ((eq op 'aref) (list* '%aset (car args) (append (cdr args) (list value))))
                     ((eq op 'svref) (list '%svset (car args) (car (cdr args)) value))
                     ((eq op 'symbol-value) (list 'set (car args) value))
                     ((eq op 'symbol-function) (list '%fset (car args) value))
                     ((eq op 'fdefinition) (list '%fset (car args) value))
                     ((eq op 'symbol-plist) (list '%set-symbol-plist (car args) value))
                     ((eq op 'get) (list '%put (car args) (car (cdr args)) value))
                     ((eq op 'getf)
                      (let ((tmp (gensym "NEW")))
                        (list 'let (list (list tmp value))
                              (%setf-expand (car args)
                                            (list '%putf (car args) (car (cdr args)) tmp) env)
                              tmp)))
                     ((eq op 'the) (%setf-expand (car (cdr args)) value env))
                     (t
                      (multiple-value-bind (expansion expanded) (macroexpand-1 place env)
                        (if expanded
                            (%setf-expand expansion value env)
                            (list* 'funcall (list 'function (list 'setf op)) value args))))))))))

(defmacro setf (&environment env &rest pairs)
  (cond ((null pairs) nil)
        ((null (cdr pairs)) (error "SETF: odd number of arguments"))
        ((null (cdr (cdr pairs))) (%setf-expand (car pairs) (car (cdr pairs)) env))
        (t (let ((forms nil))
             (tagbody
              next
                (when pairs
                  (setq forms (cons (%setf-expand (car pairs) (car (cdr pairs)) env) forms))
                  (setq pairs (cdr (cdr pairs)))
                  (go next)))
             (cons 'progn (reverse forms))))))

(%fset '%rplaca-value (function (lambda (cons value) (rplaca cons value) value)))
(%fset '%rplacd-value (function (lambda (cons value) (rplacd cons value) value)))
(defun %put (symbol indicator value)
         (let ((plist (symbol-plist symbol)))
           (tagbody
            next
              (when plist
                (when (eq (car plist) indicator)
                  (rplaca (cdr plist) value)
                  (return-from %put value))
                (setq plist (cdr (cdr plist)))
                (go next)))
           (%set-symbol-plist symbol (list* indicator value (symbol-plist symbol)))
           value))
(defun %putf (plist indicator value)
         (let ((l plist))
           (tagbody
            next
              (when l
                (when (eq (car l) indicator)
                  (rplaca (cdr l) value)
                  (return-from %putf plist))
                (setq l (cdr (cdr l)))
                (go next)))
           (list* indicator value plist)))

(defmacro push (item place) (list 'setf place (list 'cons item place)))
(defmacro pop (place)
  (let ((tmp (gensym "POP")))
    (list 'let (list (list tmp place))
          (list 'setf place (list 'cdr tmp))
          (list 'car tmp))))
(defmacro pushnew (item place &rest keys)
  (list 'setf place (list* 'adjoin item place keys)))
(defmacro incf (place &optional (delta 1)) (list 'setf place (list '+ place delta)))
(defmacro decf (place &optional (delta 1)) (list 'setf place (list '- place delta)))

;;; ---- conditions (kernel: handlers without restarts) ----

(defmacro handler-bind (bindings &body body)
  (list* 'let
         (list (list '*handler-clusters*
                     (list 'cons
                           (cons 'list
                                 (mapcar (function (lambda (b)
                                           (list 'cons (list 'quote (car b)) (car (cdr b)))))
                                         bindings))
                           '*handler-clusters*)))
         body))

(defmacro handler-case (form &rest clauses)
  ;; Each clause's handler records the condition and GOes to the clause's
  ;; tag, unwinding out of the signal; :no-error receives the form's values.
  (let* ((no-error (assoc :no-error clauses))
         (block (gensym "HANDLER-CASE"))
         (cvar (gensym "CONDITION"))
         (clauses (remove no-error clauses))
         (tags (mapcar (function (lambda (c) (declare (ignore c)) (gensym "CLAUSE"))) clauses))
         (bindings (mapcar (function (lambda (c tag)
                                       `(,(car c) (lambda (c) (setq ,cvar c) (go ,tag)))))
                           clauses tags))
         (protected (if no-error
                        `(multiple-value-call (function (lambda ,@(cdr no-error)))
                           (handler-bind ,bindings ,form))
                        `(handler-bind ,bindings ,form))))
    `(block ,block
       (let ((,cvar nil))
         (declare (ignorable ,cvar))
         (tagbody
            (return-from ,block ,protected)
            ,@(mapcan (function
                       (lambda (c tag)
                         (let ((var (car (car (cdr c)))) (body (cdr (cdr c))))
                           (list tag
                                 `(return-from ,block
                                    ,(if var
                                         `(let ((,var ,cvar)) ,@body)
                                         `(progn ,@body)))))))
                      clauses tags))))))

(defmacro ignore-errors (&body forms)
  (list 'handler-case (cons 'progn forms)
        (list 'error '(c) '(values nil c))))

;;; ---- streams: WITH-OUTPUT-TO-STRING and the other WITH- macros are in streams.lisp ----

;;; ---- symbols of PETREL-EXT that Lisp code defines ----

(%fset '%gensyms-list
       (function (lambda (n) (let ((l nil)) (dotimes (i n) (push (gensym) l)) l))))

(setq *package* (find-package "COMMON-LISP-USER"))
