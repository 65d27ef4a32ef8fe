;;;; lisp/src/loop.lisp — the LOOP facility (CLHS 6.1): the simple loop of
;;;; compound forms and the extended loop with its clauses, written from the
;;;; spec.  Replaces the simple-only LOOP of boot.lisp, which the library
;;;; code loaded before this file keeps in its expansions.
;;;;
;;;; The expansion (CLHS 6.1.1.4, 6.1.1.6):
;;;;
;;;;   (block NAME
;;;;     (let (ACCUMULATORS FIRST-FLAG)
;;;;       (let/let*/iterator scopes, one per WITH or FOR/AS group, in clause order
;;;;         (macrolet ((loop-finish () '(go END)))
;;;;           (tagbody
;;;;              INITIALLY forms
;;;;              first-iteration code of the leading FOR/AS groups
;;;;            NEXT
;;;;              the main clauses, in order
;;;;              stepping code of the leading FOR/AS groups
;;;;              (go NEXT)
;;;;            END
;;;;              FINALLY forms
;;;;              (return-from NAME result))))))
;;;;
;;;; Invariants kept by the expansion:
;;;; - every FOR/AS group (clauses joined by AND) has a first-iteration and a
;;;;   stepping phase, each run as: all steps in parallel, then the
;;;;   termination tests, then the pseudo-steps (the user variables taking
;;;;   their values from the internal ones) in parallel — so variables are
;;;;   stepped before termination is tested (CLHS 6.1.2.1), and a group's
;;;;   clauses see each other's old values;
;;;; - groups run in clause order; a group written after a main clause
;;;;   (which the spec does not allow but implementations accept) runs at
;;;;   its place in the body, choosing its phase by FIRST-FLAG;
;;;; - a form of the user is evaluated exactly where and as often as the
;;;;   spec says: FOR forms (list, limits, BY) once, in written order, when
;;;;   the group is bound; FOR = forms each iteration; REPEAT's form once;
;;;; - the code in the TAGBODY is only compound forms, so nothing the user
;;;;   writes or the expansion builds can be taken for a tag;
;;;; - malformed loops signal PROGRAM-ERROR while the macro expands, the
;;;;   message naming the offending token.
;;;;
;;;; Keywords are recognised by name in any package, as CLHS 6.1.1.2 asks.
;;;; The expansion state lives in special variables bound by %LOOP-EXPAND,
;;;; so nested LOOP forms expand independently.

(in-package "PETREL-SYSTEM")

(defvar *loop-tokens* nil "The clauses not parsed yet.")
(defvar *loop-name* nil "The block name (NAMED), NIL by default.")
(defvar *loop-scopes* nil "Reversed list of (:let bindings), (:let* bindings), (:wrap function).")
(defvar *loop-prologue* nil "Reversed INITIALLY forms.")
(defvar *loop-epilogue* nil "Reversed FINALLY forms.")
(defvar *loop-first* nil "Reversed first-iteration code of the leading FOR/AS groups.")
(defvar *loop-steps* nil "Reversed stepping code of the leading FOR/AS groups.")
(defvar *loop-body* nil "Reversed code of the main clauses and trailing FOR/AS groups.")
(defvar *loop-main-seen* nil "True once a main clause was parsed.")
(defvar *loop-first-flag* nil "The variable true during the first iteration, when needed.")
(defvar *loop-accumulators* nil "Entries (var class tail flag) for each accumulation variable.")
(defvar *loop-default* nil "The default accumulation's entry, or NIL.")
(defvar *loop-terminator* nil "ALWAYS, NEVER or THEREIS when one is used, for the default result.")
(defvar *loop-end* nil "The tag of the epilogue.")
(defvar *loop-it* nil "Inside a conditional clause: the variable holding the test's value.")
(defvar *loop-bound* nil "Variables bound by WITH and FOR/AS, to refuse duplicates.")

;;; ---- tokens and errors ----

(defun %loop-error (control &rest arguments)
  ;; Malformed loops are program errors at macroexpansion (CLHS 6.1).
  (error 'program-error :format-control (concatenate 'string "LOOP: " control)
                        :format-arguments arguments))

(defun %loop-keyword-p (token &rest names)
  ;; Loop keywords are compared by name (CLHS 6.1.1.2).
  (and (symbolp token) token
       (member (symbol-name token) names :test #'string=)))

(defun %loop-next-is (&rest names)
  (and *loop-tokens* (apply #'%loop-keyword-p (car *loop-tokens*) names)))

(defun %loop-pop-form (after)
  (unless *loop-tokens*
    (%loop-error "a form is missing after ~S." after))
  (pop *loop-tokens*))

(defun %loop-pop-form-or-it (after)
  ;; IT stands for the test value inside a conditional (CLHS 6.1.6).
  (let ((form (%loop-pop-form after)))
    (if (and *loop-it* (%loop-keyword-p form "IT")) *loop-it* form)))

(defun %loop-compound-forms (after)
  ;; DO, INITIALLY, FINALLY: one or more compound forms.
  (let ((forms nil))
    (do () ((not (and *loop-tokens* (consp (car *loop-tokens*)))))
      (push (pop *loop-tokens*) forms))
    (unless forms
      (%loop-error "~S needs at least one compound form~@[, not ~S~]."
                   after (car *loop-tokens*)))
    (nreverse forms)))

;;; ---- types (CLHS 6.1.1.7) ----

(defparameter *loop-simple-types*
  '("FIXNUM" "FLOAT" "T" "NIL" "INTEGER" "NUMBER" "REAL" "RATIONAL" "RATIO" "BIT"
    "SINGLE-FLOAT" "DOUBLE-FLOAT" "SHORT-FLOAT" "LONG-FLOAT" "COMPLEX"
    "LIST" "CONS" "SYMBOL" "KEYWORD" "STRING" "SIMPLE-STRING" "CHARACTER"
    "VECTOR" "SIMPLE-VECTOR" "SEQUENCE" "ARRAY" "ATOM" "NULL")
  "Type names accepted without OF-TYPE (the spec's FIXNUM FLOAT T NIL and common peers).")

(defun %loop-parse-type (destructuring-p)
  ;; [OF-TYPE type | simple-type | (destructuring types)] → the type or NIL.
  (let ((token (car *loop-tokens*)))
    (cond ((null *loop-tokens*) nil)
          ((%loop-keyword-p token "OF-TYPE")
           (pop *loop-tokens*)
           (%loop-pop-form 'of-type))
          ((and (symbolp token) (member (symbol-name token) *loop-simple-types* :test #'string=)
                (eq (symbol-package token) (find-package "COMMON-LISP")))
           (pop *loop-tokens*))
          ((and destructuring-p (consp token))
           (pop *loop-tokens*))
          (t nil))))

(defun %loop-type-default (type)
  ;; WITH and numeric accumulation variables start at a value of their type.
  (let ((name (if (consp type) (car type) type)))
    (cond ((not (symbolp name)) nil)
          ((%loop-keyword-p name "FIXNUM" "INTEGER" "NUMBER" "REAL" "RATIONAL" "BIT" "RATIO"
                            "UNSIGNED-BYTE" "SIGNED-BYTE" "MOD")
           0)
          ((%loop-keyword-p name "DOUBLE-FLOAT" "LONG-FLOAT") 0.0d0)
          ((%loop-keyword-p name "FLOAT" "SINGLE-FLOAT" "SHORT-FLOAT") 0.0)
          (t nil))))

;;; ---- destructuring (CLHS 6.1.1.7) ----

(defun %loop-pattern-vars (pattern)
  ;; The variables of a destructuring pattern; NIL parts are ignored.
  (cond ((null pattern) nil)
        ((symbolp pattern) (list pattern))
        ((consp pattern) (append (%loop-pattern-vars (car pattern))
                                 (%loop-pattern-vars (cdr pattern))))
        (t (%loop-error "~S cannot be a variable." pattern))))

(defun %loop-note-bound (pattern)
  (dolist (var (%loop-pattern-vars pattern))
    (when (or (keywordp var) (eq var t) (constantp var))
      (%loop-error "the constant ~S cannot be a variable." var))
    (when (member var *loop-bound*)
      (%loop-error "the variable ~S is bound more than once." var))
    (push var *loop-bound*)))

(defun %loop-dsetq (pattern form)
  ;; Code assigning FORM's value to PATTERN (NIL: evaluate for effect).
  (cond ((null pattern) (if (consp form) form nil))
        ((symbolp pattern) `(setq ,pattern ,form))
        ((symbolp form)
         (let ((parts (remove nil (list (%loop-dsetq (car pattern) `(car ,form))
                                        (%loop-dsetq (cdr pattern) `(cdr ,form))))))
           (if (cdr parts) `(progn ,@parts) (car parts))))
        (t (let ((tmp (gensym "LOOP-DESTRUCTURE")))
             `(let ((,tmp ,form)) ,(or (%loop-dsetq pattern tmp) tmp))))))

(defun %loop-destructure-bindings (pattern form)
  ;; LET* bindings of PATTERN's variables to the parts of FORM's value.
  (cond ((null pattern) (list (list (gensym "LOOP-IGNORE") form)))
        ((symbolp pattern) (list (list pattern form)))
        (t (let ((tmp (gensym "LOOP-DESTRUCTURE")))
             (cons (list tmp form)
                   (append (if (car pattern) (%loop-destructure-bindings (car pattern) `(car ,tmp)))
                           (if (cdr pattern) (%loop-destructure-bindings (cdr pattern) `(cdr ,tmp)))))))))

(defun %loop-parallel-assign (pairs)
  ;; Assignments (pattern form) done in parallel: all forms, then all stores.
  (cond ((null pairs) nil)
        ((null (cdr pairs)) (remove nil (list (%loop-dsetq (car (car pairs)) (cadr (car pairs))))))
        (t (let ((temps (mapcar (lambda (p) (declare (ignore p)) (gensym "LOOP-NEW")) pairs)))
             (list `(let ,(mapcar (lambda (tmp p) (list tmp (cadr p))) temps pairs)
                      ,@(remove nil (mapcar (lambda (tmp p) (if (car p) (%loop-dsetq (car p) tmp)))
                                            temps pairs))
                      nil))))))

;;; ---- FOR/AS drivers (CLHS 6.1.2.1) ----
;;; A driver is a list (bindings wrappers first-phase step-phase); a phase
;;; is (steps tests pseudo-steps), steps and pseudo-steps (pattern form).

(defun %loop-make-driver (bindings wrappers first step)
  (list bindings wrappers first step))

(defun %loop-pattern-bindings (pattern)
  (mapcar (lambda (v) (list v nil)) (%loop-pattern-vars pattern)))

(defun %loop-by-function-call (fn arg)
  ;; BY #'CDDR calls CDDR directly; other BY forms were bound to a variable.
  (if (and (consp fn) (member (car fn) '(function quote)) (symbolp (cadr fn)))
      `(,(cadr fn) ,arg)
      `(funcall ,fn ,arg)))

(defun %loop-for-list (pattern on-p)
  ;; FOR x IN/ON list [BY step-fun]
  (let* ((list (gensym "LOOP-LIST"))
         (bindings (list (list list (%loop-pop-form (if on-p 'on 'in)))))
         (step-fn nil))
    (when (%loop-next-is "BY")
      (pop *loop-tokens*)
      (let ((fn (%loop-pop-form 'by)))
        (if (and (consp fn) (member (car fn) '(function quote)) (symbolp (cadr fn)))
            (setq step-fn fn)
            (let ((var (gensym "LOOP-BY")))
              (setq bindings (append bindings (list (list var fn))) step-fn var)))))
    (let ((test (if on-p `(atom ,list) `(endp ,list)))
          (pseudo (if pattern (list (list pattern (if on-p list `(car ,list))))))
          (advance (if step-fn (%loop-by-function-call step-fn list) `(cdr ,list))))
      (%loop-make-driver (append bindings (%loop-pattern-bindings pattern)) nil
                         (list nil (list test) pseudo)
                         (list (list (list list advance)) (list test) pseudo)))))

(defun %loop-for-equals (pattern)
  ;; FOR x = form [THEN form]
  (let ((first (%loop-pop-form '=)))
    (if (%loop-next-is "THEN")
        (progn (pop *loop-tokens*)
               (let ((then (%loop-pop-form 'then)))
                 (%loop-make-driver (%loop-pattern-bindings pattern) nil
                                    (list nil nil (list (list pattern first)))
                                    (list (list (list pattern then)) nil nil))))
        ;; Without THEN the form is a step: in an AND group it sees the
        ;; other variables' values before they step.
        (%loop-make-driver (%loop-pattern-bindings pattern) nil
                           (list nil nil (list (list pattern first)))
                           (list (list (list pattern first)) nil nil)))))

(defun %loop-for-across (pattern)
  ;; FOR x ACROSS vector
  (let ((vector (gensym "LOOP-VECTOR")) (index (gensym "LOOP-INDEX")))
    (let ((test `(>= ,index (length ,vector)))
          (pseudo (if pattern (list (list pattern `(aref ,vector ,index))))))
      (%loop-make-driver (append (list (list vector (%loop-pop-form 'across)) (list index 0))
                                 (%loop-pattern-bindings pattern))
                         nil
                         (list nil (list test) pseudo)
                         (list (list (list index `(1+ ,index))) (list test) pseudo)))))

(defun %loop-check-by (step)
  ;; BY must be a positive number (CLHS 6.1.2.1.1).
  (unless (and (realp step) (plusp step))
    (error 'type-error :datum step :expected-type '(real (0))))
  step)

(defun %loop-arithmetic-preposition (token)
  ;; → the preposition's line (:from :to :by) and its name, or NIL.
  (let ((name (and (symbolp token) token (symbol-name token))))
    (cond ((null name) nil)
          ((member name '("FROM" "DOWNFROM" "UPFROM") :test #'string=) (values :from name))
          ((member name '("TO" "UPTO" "DOWNTO" "BELOW" "ABOVE") :test #'string=) (values :to name))
          ((string= name "BY") (values :by name))
          (t nil))))

(defun %loop-for-arithmetic (var)
  ;; FOR i [FROM|DOWNFROM|UPFROM a] [TO|UPTO|DOWNTO|BELOW|ABOVE b] [BY c], any order.
  (unless (symbolp var)
    (%loop-error "the arithmetic FOR variable ~S cannot be destructured." var))
  (let ((var (or var (gensym "LOOP-I"))) (bindings nil) (from nil) (to nil) (by nil)
        (limit nil) (step 1))
    (do () ((not (and *loop-tokens* (%loop-arithmetic-preposition (car *loop-tokens*)))))
      (multiple-value-bind (line name) (%loop-arithmetic-preposition (pop *loop-tokens*))
        (let ((form (%loop-pop-form (intern name "KEYWORD"))))
          (ecase line
            (:from (when from (%loop-error "~A after ~A in FOR ~S." name from var))
                   (setq from name)
                   (push (list var form) bindings))
            (:to (when to (%loop-error "~A after ~A in FOR ~S." name to var))
                 (setq to name)
                 (if (numberp form)
                     (setq limit form)
                     (progn (setq limit (gensym "LOOP-LIMIT"))
                            (push (list limit form) bindings))))
            (:by (when by (%loop-error "BY given twice in FOR ~S." var))
                 (setq by name)
                 (if (and (realp form) (plusp form))
                     (setq step form)
                     (progn (setq step (gensym "LOOP-STEP"))
                            (push (list step `(%loop-check-by ,form)) bindings))))))))
    (let ((down (or (member from '("DOWNFROM") :test #'equal)
                    (member to '("DOWNTO" "ABOVE") :test #'equal))))
      (when (and down (or (member from '("UPFROM") :test #'equal)
                          (member to '("UPTO" "BELOW") :test #'equal)))
        (%loop-error "FOR ~S mixes ~A and ~A." var from to))
      (unless from
        (when down (%loop-error "FOR ~S counts down with ~A but has no FROM or DOWNFROM." var to))
        (setq bindings (append bindings (list (list var 0)))))
      (let ((test (and to `(,(cond ((equal to "BELOW") '>=) ((equal to "ABOVE") '<=)
                                   (down '<) (t '>))
                            ,var ,limit))))
        (%loop-make-driver (reverse bindings) nil
                           (list nil (if test (list test)) nil)
                           (list (list (list var `(,(if down '- '+) ,var ,step)))
                                 (if test (list test)) nil))))))

(defun %loop-iterator-driver (pattern bindings wrapper iterator other-pattern)
  ;; A driver calling ITERATOR (a WITH-...-ITERATOR macro name) each
  ;; iteration: more-p, then PATTERN's and OTHER-PATTERN's values.
  (let ((more (gensym "LOOP-MORE")) (a (gensym "LOOP-A")) (b (gensym "LOOP-B")))
    (let ((phase (list (list (list nil `(multiple-value-setq (,more ,a ,b) (,iterator))))
                       (list `(not ,more))
                       (remove nil (list (if pattern (list pattern a))
                                         (if other-pattern (list other-pattern b)))))))
      (%loop-make-driver (append bindings (list (list more nil) (list a nil) (list b nil))
                                 (%loop-pattern-bindings pattern)
                                 (%loop-pattern-bindings other-pattern))
                         (list wrapper) phase phase))))

(defun %loop-for-hash (pattern kind)
  ;; FOR x BEING {EACH|THE} {HASH-KEY[S]|HASH-VALUE[S]} {OF|IN} table [USING (HASH-VALUE|HASH-KEY v)]
  (unless (%loop-next-is "OF" "IN")
    (%loop-error "OF or IN expected after ~A, not ~S." kind (car *loop-tokens*)))
  (pop *loop-tokens*)
  (let* ((table (gensym "LOOP-TABLE")) (iterator (gensym "LOOP-HASH-ITERATOR"))
         (keys-p (member kind '("HASH-KEY" "HASH-KEYS") :test #'string=))
         (bindings (list (list table (%loop-pop-form 'of))))
         (other nil))
    (when (%loop-next-is "USING")
      (pop *loop-tokens*)
      (let ((using (%loop-pop-form 'using)))
        (unless (and (consp using) (consp (cdr using)) (null (cddr using))
                     (%loop-keyword-p (car using) (if keys-p "HASH-VALUE" "HASH-KEY")))
          (%loop-error "bad USING clause ~S after ~A." using kind))
        (setq other (cadr using))
        (%loop-note-bound other)))
    (let ((key (if keys-p pattern other)) (value (if keys-p other pattern)))
      (let ((driver (%loop-iterator-driver key bindings
                                           (lambda (body) `(with-hash-table-iterator (,iterator ,table) ,body))
                                           iterator value)))
        driver))))

(defun %loop-for-package (pattern kind)
  ;; FOR s BEING {EACH|THE} {SYMBOL[S]|PRESENT-SYMBOL[S]|EXTERNAL-SYMBOL[S]} [{OF|IN} package]
  (let ((package (gensym "LOOP-PACKAGE")) (iterator (gensym "LOOP-PACKAGE-ITERATOR"))
        (form '*package*)
        (types (cond ((member kind '("SYMBOL" "SYMBOLS") :test #'string=) '(:internal :external :inherited))
                     ((member kind '("PRESENT-SYMBOL" "PRESENT-SYMBOLS") :test #'string=) '(:internal :external))
                     (t '(:external)))))
    (when (%loop-next-is "OF" "IN")
      (pop *loop-tokens*)
      (setq form (%loop-pop-form 'of)))
    (%loop-iterator-driver pattern (list (list package form))
                           (lambda (body) `(with-package-iterator (,iterator ,package ,@types) ,body))
                           iterator nil)))

(defun %loop-for-being (pattern)
  (when (%loop-next-is "EACH" "THE") (pop *loop-tokens*))
  (let ((kind (car *loop-tokens*)))
    (cond ((%loop-keyword-p kind "HASH-KEY" "HASH-KEYS" "HASH-VALUE" "HASH-VALUES")
           (pop *loop-tokens*)
           (%loop-for-hash pattern (symbol-name kind)))
          ((%loop-keyword-p kind "SYMBOL" "SYMBOLS" "PRESENT-SYMBOL" "PRESENT-SYMBOLS"
                            "EXTERNAL-SYMBOL" "EXTERNAL-SYMBOLS")
           (pop *loop-tokens*)
           (%loop-for-package pattern (symbol-name kind)))
          (t (%loop-error "~S is not a BEING iteration (HASH-KEYS, HASH-VALUES, SYMBOLS, ...)." kind)))))

(defun %loop-for-subclause ()
  ;; var [type-spec] preposition ... → a driver.
  (let ((pattern (%loop-pop-form 'for)))
    (%loop-note-bound pattern)
    (%loop-parse-type (consp pattern))
    (let ((token (car *loop-tokens*)))
      (cond ((null *loop-tokens*) (%loop-error "FOR ~S has no iteration keyword." pattern))
            ((%loop-keyword-p token "IN") (pop *loop-tokens*) (%loop-for-list pattern nil))
            ((%loop-keyword-p token "ON") (pop *loop-tokens*) (%loop-for-list pattern t))
            ((%loop-keyword-p token "=") (pop *loop-tokens*) (%loop-for-equals pattern))
            ((%loop-keyword-p token "ACROSS") (pop *loop-tokens*) (%loop-for-across pattern))
            ((%loop-keyword-p token "BEING") (pop *loop-tokens*) (%loop-for-being pattern))
            ((%loop-arithmetic-preposition token) (%loop-for-arithmetic pattern))
            (t (%loop-error "~S is not a FOR/AS keyword (IN ON = ACROSS BEING FROM TO BELOW ...) in FOR ~S."
                            token pattern))))))

(defun %loop-phase-code (phases)
  ;; One phase of a group: steps in parallel, tests, pseudo-steps in parallel.
  (let ((steps (mapcan (lambda (p) (copy-list (car p))) phases))
        (tests (mapcan (lambda (p) (copy-list (cadr p))) phases))
        (pseudo (mapcan (lambda (p) (copy-list (caddr p))) phases)))
    (append (%loop-parallel-assign steps)
            (if tests (list `(when ,(if (cdr tests) `(or ,@tests) (car tests)) (go ,*loop-end*))))
            (%loop-parallel-assign pseudo))))

(defun %loop-parse-for ()
  ;; FOR/AS subclause {AND subclause}*: one group, bound and stepped together.
  (let ((drivers (list (%loop-for-subclause))))
    (do () ((not (%loop-next-is "AND")))
      (pop *loop-tokens*)
      (push (%loop-for-subclause) drivers))
    (setq drivers (nreverse drivers))
    (push (list :let (mapcan (lambda (d) (copy-list (car d))) drivers)) *loop-scopes*)
    (dolist (d drivers)
      (dolist (wrapper (cadr d)) (push (list :wrap wrapper) *loop-scopes*)))
    (let ((first (%loop-phase-code (mapcar #'caddr drivers)))
          (step (%loop-phase-code (mapcar #'cadddr drivers))))
      (if *loop-main-seen*
          (progn
            (unless *loop-first-flag* (setq *loop-first-flag* (gensym "LOOP-FIRST")))
            (push `(if ,*loop-first-flag* (progn ,@first nil) (progn ,@step nil)) *loop-body*))
          (progn (setq *loop-first* (append (reverse first) *loop-first*))
                 (setq *loop-steps* (append (reverse step) *loop-steps*)))))))

;;; ---- WITH (CLHS 6.1.2.2) ----

(defun %loop-parse-with ()
  ;; WITH var [type] [= form] {AND var [type] [= form]}*: bound in parallel.
  (let ((bindings nil) (destructured nil))
    (do ((more t (and (%loop-next-is "AND") (pop *loop-tokens*))))
        ((not more))
      (let* ((pattern (%loop-pop-form 'with))
             (type (progn (%loop-note-bound pattern) (%loop-parse-type (consp pattern)))))
        (let ((form (if (%loop-next-is "=")
                        (progn (pop *loop-tokens*) (%loop-pop-form '=))
                        (%loop-type-default type))))
          (if (and pattern (symbolp pattern))
              (push (list pattern form) bindings)
              (let ((tmp (gensym "LOOP-WITH")))
                (push (list tmp form) bindings)
                (setq destructured (append destructured (%loop-destructure-bindings pattern tmp))))))))
    (push (list :let (nreverse bindings)) *loop-scopes*)
    (when destructured (push (list :let* destructured) *loop-scopes*))))

;;; ---- accumulation (CLHS 6.1.3) ----

(defun %loop-accumulation-class (kind)
  (cond ((member kind '("COLLECT" "COLLECTING" "APPEND" "APPENDING" "NCONC" "NCONCING") :test #'string=) :list)
        ((member kind '("COUNT" "COUNTING" "SUM" "SUMMING") :test #'string=) :sum)
        (t :extremum)))

(defun %loop-accumulator (var kind type)
  ;; The entry (var class tail flag) for VAR (NIL: the default), made on first use.
  (let* ((class (%loop-accumulation-class kind))
         (entry (if var (assoc var *loop-accumulators*) *loop-default*)))
    (cond (entry
           (unless (eq (cadr entry) class)
             (%loop-error "~A cannot accumulate into ~:[the loop's result~;~:*~S~], which another clause accumulates as ~(~A~)."
                          kind var (cadr entry))))
          (t
           (setq entry (list (or var (gensym "LOOP-RESULT")) class
                             (if (eq class :list) (gensym "LOOP-TAIL"))
                             (if (eq class :extremum) (gensym "LOOP-EMPTY"))
                             (if (eq class :list) nil (or (%loop-type-default type) 0))))
           (push entry *loop-accumulators*)
           (unless var (setq *loop-default* entry))))
    entry))

(defun %loop-accumulate-code (kind form entry)
  (let ((var (car entry)) (tail (caddr entry)) (flag (cadddr entry)) (new (gensym "LOOP-NEW")))
    (cond ((%loop-keyword-p kind "COLLECT" "COLLECTING")
           `(let ((,new (list ,form)))
              (if ,tail (rplacd ,tail ,new) (setq ,var ,new))
              (setq ,tail ,new)))
          ((%loop-keyword-p kind "APPEND" "APPENDING" "NCONC" "NCONCING")
           `(let ((,new ,(if (%loop-keyword-p kind "APPEND" "APPENDING") `(copy-list ,form) form)))
              (when ,new
                (if ,tail (rplacd ,tail ,new) (setq ,var ,new))
                (setq ,tail (last ,new)))))
          ((%loop-keyword-p kind "COUNT" "COUNTING") `(when ,form (setq ,var (1+ ,var))))
          ((%loop-keyword-p kind "SUM" "SUMMING") `(setq ,var (+ ,var ,form)))
          (t `(let ((,new ,form))
                (when (or ,flag (,(if (%loop-keyword-p kind "MAXIMIZE" "MAXIMIZING") '> '<) ,new ,var))
                  (setq ,var ,new))
                (setq ,flag nil))))))

(defun %loop-parse-accumulation (kind)
  (let* ((form (%loop-pop-form-or-it kind)) (var nil) (type nil))
    (when (%loop-next-is "INTO")
      (pop *loop-tokens*)
      (setq var (%loop-pop-form 'into))
      (unless (and var (symbolp var) (not (keywordp var)) (not (eq var t)))
        (%loop-error "INTO needs a variable name, not ~S." var)))
    (unless (eq (%loop-accumulation-class (symbol-name kind)) :list)
      (setq type (%loop-parse-type nil)))
    (%loop-accumulate-code kind form (%loop-accumulator var (symbol-name kind) type))))

;;; ---- conditionals and the other selectable clauses (CLHS 6.1.5, 6.1.6) ----

(defun %loop-parse-selectable (token)
  ;; One unconditional, accumulation or conditional clause → its code.
  (cond ((not (symbolp token))
         (%loop-error "~S appears where a clause (DO, COLLECT, WHEN, ...) was expected." token))
        ((%loop-keyword-p token "DO" "DOING") `(progn ,@(%loop-compound-forms token) nil))
        ((%loop-keyword-p token "RETURN") `(return-from ,*loop-name* ,(%loop-pop-form-or-it token)))
        ((%loop-keyword-p token "COLLECT" "COLLECTING" "APPEND" "APPENDING" "NCONC" "NCONCING"
                          "COUNT" "COUNTING" "SUM" "SUMMING" "MAXIMIZE" "MAXIMIZING"
                          "MINIMIZE" "MINIMIZING")
         (%loop-parse-accumulation token))
        ((%loop-keyword-p token "WHEN" "IF" "UNLESS") (%loop-parse-conditional token))
        (t (%loop-error "~S is not a clause allowed here (DO, RETURN, COLLECT, WHEN, ...)." token))))

(defun %loop-parse-selectable-chain (it after)
  ;; clause {AND clause}*, IT naming the enclosing test's value.
  (let ((forms (list (let ((*loop-it* it)) (%loop-parse-selectable (%loop-pop-form after))))))
    (do () ((not (%loop-next-is "AND")))
      (pop *loop-tokens*)
      (push (let ((*loop-it* it)) (%loop-parse-selectable (%loop-pop-form 'and))) forms))
    (nreverse forms)))

(defun %loop-parse-conditional (token)
  ;; {WHEN|IF|UNLESS} form clauses [ELSE clauses] [END]: each ELSE and END
  ;; belongs to the innermost conditional without one (CLHS 6.1.6).
  (let* ((test (%loop-pop-form token)) (it (gensym "LOOP-IT"))
         (then (%loop-parse-selectable-chain it token))
         (else (when (%loop-next-is "ELSE")
                 (pop *loop-tokens*)
                 (%loop-parse-selectable-chain it 'else))))
    (when (%loop-next-is "END") (pop *loop-tokens*))
    (when (%loop-keyword-p token "UNLESS") (rotatef then else))
    `(let ((,it ,test))
       (if ,it (progn ,@then nil) (progn ,@else nil)))))

;;; ---- clauses ----

(defun %loop-parse-termination (token)
  (let ((form (%loop-pop-form token)) (end *loop-end*))
    (cond ((%loop-keyword-p token "WHILE") `(unless ,form (go ,end)))
          ((%loop-keyword-p token "UNTIL") `(when ,form (go ,end)))
          ((%loop-keyword-p token "REPEAT")
           (let ((count (gensym "LOOP-REPEAT")))
             (push (list :let (list (list count form))) *loop-scopes*)
             `(if (<= ,count 0) (go ,end) (setq ,count (1- ,count)))))
          (t (setq *loop-terminator* (symbol-name token))
             (cond ((%loop-keyword-p token "ALWAYS") `(unless ,form (return-from ,*loop-name* nil)))
                   ((%loop-keyword-p token "NEVER") `(when ,form (return-from ,*loop-name* nil)))
                   (t (let ((value (gensym "LOOP-THEREIS")))
                        `(let ((,value ,form))
                           (when ,value (return-from ,*loop-name* ,value))))))))))

(defun %loop-parse-clause ()
  (let ((token (pop *loop-tokens*)))
    (cond ((not (and (symbolp token) token))
           (%loop-error "~S appears where a loop keyword was expected." token))
          ((%loop-keyword-p token "NAMED")
           (%loop-error "NAMED must be the first clause."))
          ((%loop-keyword-p token "WITH") (%loop-parse-with))
          ((%loop-keyword-p token "FOR" "AS") (%loop-parse-for))
          ((%loop-keyword-p token "INITIALLY")
           (setq *loop-prologue* (append (reverse (%loop-compound-forms token)) *loop-prologue*)))
          ((%loop-keyword-p token "FINALLY")
           (setq *loop-epilogue* (append (reverse (%loop-compound-forms token)) *loop-epilogue*)))
          ((%loop-keyword-p token "WHILE" "UNTIL" "REPEAT" "ALWAYS" "NEVER" "THEREIS")
           (setq *loop-main-seen* t)
           (push (%loop-parse-termination token) *loop-body*))
          ((%loop-keyword-p token "DO" "DOING" "RETURN" "COLLECT" "COLLECTING" "APPEND" "APPENDING"
                            "NCONC" "NCONCING" "COUNT" "COUNTING" "SUM" "SUMMING" "MAXIMIZE"
                            "MAXIMIZING" "MINIMIZE" "MINIMIZING" "WHEN" "IF" "UNLESS")
           (setq *loop-main-seen* t)
           (push (%loop-parse-selectable token) *loop-body*))
          (t (%loop-error "~S is not a loop keyword." token)))))

;;; ---- assembling the expansion ----

(defun %loop-wrap-scopes (scopes inner)
  ;; SCOPES is innermost first; each wraps what follows it.
  (dolist (scope scopes inner)
    (setq inner (ecase (car scope)
                  (:let (if (cadr scope) `(let ,(cadr scope) ,inner) inner))
                  (:let* `(let* ,(cadr scope) ,inner))
                  (:wrap (funcall (cadr scope) inner))))))

(defun %loop-result-form ()
  (when (and *loop-default* *loop-terminator*)
    (%loop-error "~A cannot be used with an accumulation that has no INTO." *loop-terminator*))
  (cond (*loop-default* (car *loop-default*))
        ((member *loop-terminator* '("ALWAYS" "NEVER") :test #'equal) t)
        (t nil)))

(defun %loop-outer-bindings ()
  ;; The accumulation variables, their tails and emptiness flags, FIRST-FLAG.
  (let ((bindings (if *loop-first-flag* (list (list *loop-first-flag* t)))))
    (dolist (entry *loop-accumulators* bindings)
      (push (list (car entry) (nth 4 entry)) bindings)
      (when (caddr entry) (push (list (caddr entry) nil) bindings))
      (when (cadddr entry) (push (list (cadddr entry) t) bindings)))))

(defun %loop-expand (clauses)
  (let ((*loop-tokens* clauses) (*loop-name* nil) (*loop-scopes* nil) (*loop-prologue* nil)
        (*loop-epilogue* nil) (*loop-first* nil) (*loop-steps* nil) (*loop-body* nil)
        (*loop-main-seen* nil) (*loop-first-flag* nil) (*loop-accumulators* nil)
        (*loop-default* nil) (*loop-terminator* nil) (*loop-end* (gensym "LOOP-END"))
        (*loop-it* nil) (*loop-bound* nil) (next (gensym "LOOP-NEXT")))
    (when (%loop-next-is "NAMED")
      (pop *loop-tokens*)
      (setq *loop-name* (%loop-pop-form 'named))
      (unless (symbolp *loop-name*) (%loop-error "NAMED needs a symbol, not ~S." *loop-name*)))
    (do () ((null *loop-tokens*)) (%loop-parse-clause))
    ;; now: every clause is parsed; the pieces are in reverse order.
    (let ((result (%loop-result-form)))
      `(block ,*loop-name*
         ,(%loop-wrap-scopes
           (append *loop-scopes* (list (list :let (%loop-outer-bindings))))
           `(macrolet ((loop-finish () '(go ,*loop-end*)))
              (tagbody
                 ,@(reverse *loop-prologue*)
                 ,@(reverse *loop-first*)
                 ,next
                 ,@(reverse *loop-body*)
                 ,@(if *loop-first-flag* (list `(setq ,*loop-first-flag* nil)))
                 ,@(reverse *loop-steps*)
                 (go ,next)
                 ,*loop-end*
                 ,@(reverse *loop-epilogue*)
                 (return-from ,*loop-name* ,result))))))))

(defmacro loop (&body body)
  "The simple loop of compound forms, or the extended loop of clauses (CLHS 6.1)."
  (let ((simple t))
    (dolist (form body) (unless (consp form) (setq simple nil)))
    (if simple
        (let ((tag (gensym "LOOP")))
          `(block nil (tagbody ,tag ,@body (go ,tag))))
        (%loop-expand body))))

(defmacro loop-finish ()
  "Within an extended LOOP, ends the iteration normally: the epilogue runs."
  (%loop-error "LOOP-FINISH is only meaningful inside an extended LOOP."))

(in-package "COMMON-LISP-USER")
