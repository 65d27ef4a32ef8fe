;;;; lisp/src/setf.lisp — generalised references (CLHS 5.1): setf expansions
;;;; (GET-SETF-EXPANSION), DEFSETF, DEFINE-SETF-EXPANDER, the standard places
;;;; of CLHS 5.1.2, and the macros built on expansions: SETF, PSETF, SHIFTF,
;;;; ROTATEF, PUSH, PUSHNEW, POP, INCF, DECF, REMF, DEFINE-MODIFY-MACRO.
;;;;
;;;; boot.lisp has a bootstrap SETF (%setf-expand) and PUSH/POP/INCF/DECF/
;;;; PUSHNEW for the library code loaded before this file; those macros are
;;;; redefined here, and code compiled earlier keeps its expansions.
;;;;
;;;; Invariants kept by every expansion built here (CLHS 5.1.1.1):
;;;; - each subform of a place is evaluated exactly once, left to right, and
;;;;   before the new value form (a constant subform needs no temporary);
;;;; - expanders make fresh temporaries and store variables on every call,
;;;;   so PSETF, SHIFTF and ROTATEF may combine several expansions;
;;;; - a setf expander (DEFSETF, DEFINE-SETF-EXPANDER) is stored on its
;;;;   access function's plist under %SETF-EXPANDER as a function of
;;;;   (place-form environment) returning the five values, and it yields to
;;;;   a local function or macro of the same name (FLET, LABELS, MACROLET);
;;;; - a place with no expander that is no macro form is a call of the
;;;;   function (SETF name), new value first (CLHS 5.1.2.9), so defstruct
;;;;   accessors and user setf functions need nothing registered here.
;;;; Places whose operators Petrel lacks (LDB, BIT, GETHASH, ...) signal an
;;;; error when expanded while the operator is not fbound.

(in-package "PETREL-SYSTEM")

;;; ---- errors and small helpers ----

(defun %setf-error (control &rest arguments)
  ;; Malformed places and macro calls are program errors (CLHS 3.5.1.1 style).
  (error 'program-error :format-control control :format-arguments arguments))

(defun %setf-constant-subform-p (form)
  ;; A subform whose value cannot change while the place is updated: it can
  ;; appear in both the store and the access form without a temporary.
  (or (and (atom form) (not (symbolp form)))
      (keywordp form) (null form) (eq form t)
      (and (consp form) (eq (car form) 'quote))))

(defun %place-arg-temps (args)
  ;; → temps, their value forms, and per argument the symbol (temp) or the
  ;; constant form that stands for it in store and access forms.
  (let ((temps nil) (vals nil) (syms nil))
    (dolist (a args)
      (if (%setf-constant-subform-p a)
          (push a syms)
          (let ((g (gensym "ARG")))
            (push g temps) (push a vals) (push g syms))))
    (values (nreverse temps) (nreverse vals) (nreverse syms))))

(defun %nest-bindings (specs body)
  ;; SPECS: a list of (variables form), outermost first.  One variable is a
  ;; LET* binding (consecutive ones share a LET*), several a
  ;; MULTIPLE-VALUE-BIND, none a form evaluated for effect.
  (let ((result body) (pending nil))
    (dolist (spec (reverse specs))
      (let ((vars (car spec)) (form (car (cdr spec))))
        (if (and vars (null (cdr vars)))
            (push (list (car vars) form) pending)
            (progn
              (when pending
                (setq result (list 'let* pending result))
                (setq pending nil))
              (setq result (if vars
                               (list 'multiple-value-bind vars form result)
                               (list 'progn form result)))))))
    (if pending (list 'let* pending result) result)))

(defun %temp-specs (temps vals)
  (mapcar (function (lambda (tmp val) (list (list tmp) val))) temps vals))

(defun %plain-variable-p (place env)
  ;; A symbol that names a variable, not a (local or global) symbol macro.
  (and (symbolp place)
       (not (nth-value 1 (macroexpand-1 place env)))))

(defun %set-setf-expander (name expander)
  (%put name '%setf-expander expander)
  name)

;;; ---- GET-SETF-EXPANSION (CLHS 5.1.1.2, 5.1.2) ----

(defun %setf-function-expansion (place)
  ;; CLHS 5.1.2.9: (setf (f a b) v) calls #'(setf f) with v first.
  (multiple-value-bind (temps vals syms) (%place-arg-temps (cdr place))
    (let ((new (gensym "NEW")))
      (values temps vals (list new)
              (list* 'funcall (list 'function (list 'setf (car place))) new syms)
              (cons (car place) syms)))))

(defun get-setf-expansion (place &optional environment)
  "The setf expansion of PLACE in ENVIRONMENT: temporaries, their value forms,
store variables, the storing form and the accessing form (CLHS 5.1.1.2)."
  (cond ((symbolp place)
         (multiple-value-bind (expansion expanded) (macroexpand-1 place environment)
           (cond (expanded (get-setf-expansion expansion environment))
                 ((or (null place) (eq place t) (keywordp place) (constantp place))
                  (%setf-error "~S is a constant, not a place" place))
                 (t (let ((new (gensym "NEW")))
                      (values nil nil (list new) (list 'setq place new) place))))))
        ((and (consp place) (symbolp (car place)))
         (let ((expander (if (%local-operator-p (car place) environment)
                             nil
                             (get (car place) '%setf-expander))))
           (if expander
               (funcall expander place environment)
               (multiple-value-bind (expansion expanded) (macroexpand-1 place environment)
                 (if expanded
                     (get-setf-expansion expansion environment)
                     (%setf-function-expansion place))))))
        (t (%setf-error "~S is not a place" place))))

;;; ---- DEFSETF and DEFINE-SETF-EXPANDER ----

(defun %short-defsetf-expansion (place update)
  ;; (update arg... new): update must return new.
  (multiple-value-bind (temps vals syms) (%place-arg-temps (cdr place))
    (let ((new (gensym "NEW")))
      (values temps vals (list new)
              (append (list update) syms (list new))
              (cons (car place) syms)))))

(defun %short-defsetf-expander (update)
  (function (lambda (place env)
              (declare (ignore env))
              (%short-defsetf-expansion place update))))

(defun %long-defsetf-expander (nstores body-fn)
  ;; BODY-FN is a macro-style function of ((access store... arg...) env):
  ;; the defsetf lambda list is bound to the temporaries of the place's
  ;; argument forms, the store variables to fresh symbols (CLHS DEFSETF).
  (function (lambda (place env)
              (multiple-value-bind (temps vals syms) (%place-arg-temps (cdr place))
                (let ((stores nil))
                  (dotimes (i nstores) (push (gensym "NEW") stores))
                  (values temps vals stores
                          (funcall body-fn (cons (car place) (append stores syms)) env)
                          (cons (car place) syms)))))))

;; DEFSETF's docstring goes on the plist (DOCUMENTATION, doc-type SETF).
(defun %setf-doc-form (name doc)
  (if doc (list '%put (list 'quote name) ''%setf-documentation doc) nil))

(defmacro defsetf (access-fn &rest spec)
  "Short form (defsetf access update [doc]); long form
(defsetf access lambda-list (store-var*) [[decl* | doc]] form*)."
  (unless (symbolp access-fn) (%setf-error "DEFSETF: ~S is not a symbol" access-fn))
  (cond ((and spec (symbolp (car spec)) (car spec))
         (when (and (cdr spec) (or (cdr (cdr spec)) (not (stringp (car (cdr spec))))))
           (%setf-error "DEFSETF: malformed short form ~S" (cons access-fn spec)))
         (list 'eval-when '(:compile-toplevel :load-toplevel :execute)
               (%setf-doc-form access-fn (car (cdr spec)))
               (list '%set-setf-expander (list 'quote access-fn)
                     (list '%short-defsetf-expander (list 'quote (car spec))))))
        ((and (consp spec) (listp (car spec)) (consp (cdr spec)) (listp (car (cdr spec))))
         (let ((lambda-list (car spec)) (stores (car (cdr spec))) (body (cdr (cdr spec))))
           (when (member '&aux lambda-list)
             (%setf-error "DEFSETF: &AUX is not allowed in ~S" lambda-list))
           (unless (and (listp stores) (null (remove-if (function symbolp) stores)))
             (%setf-error "DEFSETF: malformed store variables ~S" stores))
           (list 'eval-when '(:compile-toplevel :load-toplevel :execute)
                 (%setf-doc-form access-fn (and (stringp (car body)) (cdr body) (car body)))
                 (list '%set-setf-expander (list 'quote access-fn)
                       (list '%long-defsetf-expander (length stores)
                             (list 'function
                                   (%make-macro-function access-fn (append stores lambda-list)
                                                         body)))))))
        (t (%setf-error "DEFSETF: malformed definition ~S" (cons access-fn spec)))))

(defmacro define-setf-expander (access-fn lambda-list &body body)
  "Defines how SETF expands (ACCESS-FN ...): BODY, run with LAMBDA-LIST (a
macro lambda list, &environment allowed) bound to the place's subforms,
returns the five values of a setf expansion."
  (unless (symbolp access-fn)
    (%setf-error "DEFINE-SETF-EXPANDER: ~S is not a symbol" access-fn))
  (list 'eval-when '(:compile-toplevel :load-toplevel :execute)
        (list '%set-setf-expander (list 'quote access-fn)
              (list 'function (%make-macro-function access-fn lambda-list body)))))

;;; ---- the macros over expansions ----

(defun %store-spec (stores form)
  (list stores form))

(defun %setf-one (place value env)
  (if (%plain-variable-p place env)
      (list 'setq place value)
      (multiple-value-bind (temps vals stores store) (get-setf-expansion place env)
        (%nest-bindings (append (%temp-specs temps vals) (list (%store-spec stores value)))
                        store))))

(defun %check-pairs (op pairs)
  (do ((p pairs (cdr (cdr p)))) ((null p))
    (unless (consp (cdr p))
      (%setf-error "~S: odd number of arguments in ~S" op (cons op pairs)))))

(defmacro setf (&environment env &rest pairs)
  "Stores each value in its place, left to right; returns the last value."
  (%check-pairs 'setf pairs)
  (let ((forms nil))
    (do ((p pairs (cdr (cdr p)))) ((null p))
      (push (%setf-one (car p) (car (cdr p)) env) forms))
    (if (and forms (null (cdr forms)))
        (car forms)
        (cons 'progn (nreverse forms)))))

(defmacro psetf (&environment env &rest pairs)
  "Like SETF, but every subform and value is evaluated before any store; NIL."
  (%check-pairs 'psetf pairs)
  (let ((specs nil) (stores nil))
    (do ((p pairs (cdr (cdr p)))) ((null p))
      (multiple-value-bind (temps vals svars store) (get-setf-expansion (car p) env)
        (setq specs (append specs (%temp-specs temps vals)
                            (list (%store-spec svars (car (cdr p))))))
        (push store stores)))
    (%nest-bindings specs (cons 'progn (append (nreverse stores) (list nil))))))

(defun %expansions (places env)
  ;; → a list of (temps vals stores store access), one per place.
  (mapcar (function (lambda (place)
                      (multiple-value-list (get-setf-expansion place env))))
          places))

(defmacro shiftf (&environment env &rest args)
  "(shiftf place... new): each place gets the old value of the next one, the
last gets NEW; returns the old value of the first place."
  (when (null (cdr args)) (%setf-error "SHIFTF: needs a place and a new value, got ~S" args))
  (let* ((exps (%expansions (butlast args) env))
         (results (mapcar (function (lambda (s) (declare (ignore s)) (gensym "OLD")))
                          (third (car exps))))
         (specs nil)
         (target results))
    (dolist (e exps)
      (setq specs (append specs (%temp-specs (first e) (second e))
                          (list (%store-spec target (fifth e)))))
      (setq target (third e)))
    (setq specs (append specs (list (%store-spec target (car (last args))))))
    (%nest-bindings specs (append (list 'progn) (mapcar (function fourth) exps)
                                  (list (cons 'values results))))))

(defmacro rotatef (&environment env &rest places)
  "Each place gets the old value of the next one, the last the old value of
the first; NIL."
  (let ((exps (%expansions places env)) (specs nil) (target nil))
    (dolist (e exps)
      (setq specs (append specs (%temp-specs (first e) (second e))))
      (when target (setq specs (append specs (list (%store-spec target (fifth e))))))
      (setq target (third e)))
    (when (cdr exps)
      (setq specs (append specs (list (%store-spec target (fifth (car exps)))))))
    (%nest-bindings specs (append (list 'progn)
                                  (if (cdr exps) (mapcar (function fourth) exps) nil)
                                  (list nil)))))

(defun %modify-expansion (place env update-fn)
  ;; (let* (temps) (store ← (funcall update-fn access))) store-form
  (multiple-value-bind (temps vals stores store access) (get-setf-expansion place env)
    (%nest-bindings (append (%temp-specs temps vals)
                            (list (%store-spec stores (funcall update-fn access))))
                    store)))

(defun %item-spec (item)
  ;; → (values form-standing-for-item specs): ITEM is evaluated before the place.
  (if (%setf-constant-subform-p item)
      (values item nil)
      (let ((g (gensym "ITEM")))
        (values g (list (list (list g) item))))))

(defmacro push (&environment env item place)
  "Conses ITEM onto the list in PLACE; returns the new list."
  (if (%plain-variable-p place env)
      (list 'setq place (list 'cons item place))
      (multiple-value-bind (i specs) (%item-spec item)
        (%nest-bindings specs
                        (%modify-expansion place env
                                           (function (lambda (access) (list 'cons i access))))))))

(defmacro pushnew (&environment env item place &rest keys)
  "Like PUSH unless ITEM is already in the list (ADJOIN with :key :test :test-not)."
  (multiple-value-bind (i specs) (%item-spec item)
    (%nest-bindings specs
                    (%modify-expansion place env
                                       (function (lambda (access)
                                                   (list* 'adjoin i access keys)))))))

(defmacro pop (&environment env place)
  "Returns the car of the list in PLACE and stores its cdr there."
  (multiple-value-bind (temps vals stores store access) (get-setf-expansion place env)
    (let ((l (gensym "LIST")))
      (%nest-bindings (append (%temp-specs temps vals) (list (list (list l) access)))
                      (list 'prog1 (list 'car l)
                            (%nest-bindings (list (%store-spec stores (list 'cdr l))) store))))))

(defun %remf-plist (plist indicator)
  ;; → the plist without INDICATOR's first pair (spliced out destructively
  ;; unless it is the first) and whether there was one.
  (cond ((atom plist) (values plist nil))
        ((eq (car plist) indicator) (values (cdr (cdr plist)) t))
        (t (do ((prev (cdr plist) (cdr (cdr prev))))
               ((atom (cdr prev)) (values plist nil))
             (when (eq (car (cdr prev)) indicator)
               (rplacd prev (cdr (cdr (cdr prev))))
               (return (values plist t)))))))

(defmacro remf (&environment env place indicator)
  "Removes INDICATOR's property from the plist in PLACE; true if there was one."
  (multiple-value-bind (temps vals stores store access) (get-setf-expansion place env)
    (let ((ind (gensym "INDICATOR")) (new (gensym "PLIST")) (found (gensym "FOUND")))
      (%nest-bindings (append (%temp-specs temps vals) (list (list (list ind) indicator)))
                      (list 'multiple-value-bind (list new found) (list '%remf-plist access ind)
                            (list 'when found
                                  (%nest-bindings (list (%store-spec stores new)) store))
                            found)))))

(defun %modify-macro-parameters (lambda-list)
  ;; → the required and optional variables in order, and the &rest variable.
  (let ((vars nil) (rest nil))
    (do ((l lambda-list (cdr l))) ((null l))
      (let ((p (car l)))
        (cond ((eq p '&optional))
              ((eq p '&rest)
               (unless (and (consp (cdr l)) (symbolp (car (cdr l))) (null (cdr (cdr l))))
                 (%setf-error "DEFINE-MODIFY-MACRO: malformed &rest in ~S" lambda-list))
               (setq rest (car (cdr l)))
               (return))
              ((member p lambda-list-keywords)
               (%setf-error "DEFINE-MODIFY-MACRO: ~S is not allowed in ~S" p lambda-list))
              ((symbolp p) (push p vars))
              ((and (consp p) (symbolp (car p))) (push (car p) vars))
              (t (%setf-error "DEFINE-MODIFY-MACRO: malformed lambda list ~S" lambda-list)))))
    (values (nreverse vars) rest)))

(defmacro define-modify-macro (name lambda-list function &optional documentation)
  "Defines NAME as (NAME place . LAMBDA-LIST), which stores in PLACE the value
of (FUNCTION old-value . arguments)."
  (declare (ignore documentation))
  (multiple-value-bind (vars rest) (%modify-macro-parameters lambda-list)
    (let ((place (gensym "PLACE")) (env (gensym "ENV")))
      (list 'defmacro name (list* '&environment env place lambda-list)
            (list '%modify-macro-expansion (list 'quote function) place env
                  (list* 'list* (append vars (list rest))))))))

(defun %modify-macro-expansion (function place env args)
  (if (%plain-variable-p place env)
      (list 'setq place (list* function place args))
      (%modify-expansion place env
                         (function (lambda (access) (list* function access args))))))

(define-modify-macro incf (&optional (delta 1)) +
  "Adds DELTA to the number in PLACE.")
(define-modify-macro decf (&optional (delta 1)) -
  "Subtracts DELTA from the number in PLACE.")

;;; ---- ADJOIN (for PUSHNEW) when the list library lacks it ----

(unless (fboundp 'adjoin)
  (defun adjoin (item list &rest keys &key key test test-not)
    "LIST if ITEM (under KEY) is already a member by TEST, else (cons ITEM LIST)."
    (declare (ignore test test-not))
    (if (apply (function member) (if key (funcall key item) item) list keys)
        list
        (cons item list))))

;;; ---- the standard places (CLHS 5.1.2.2 - 5.1.2.9) ----

(defun %setf-nth (n list new) (rplaca (nthcdr n list) new) new)
(defun %setf-fdefinition (name new) (%fset name new) new)
(defun %setf-symbol-function (symbol new) (%set-symbol-function symbol new) new)
(defun %setf-symbol-plist (symbol new) (%set-symbol-plist symbol new) new)
(defun %setf-macro-function (symbol &rest environment-and-new)
  ;; (setf (macro-function symbol [environment]) new): the environment must be NIL.
  (let ((new (car (last environment-and-new))))
    (%set-macro symbol new)
    new))

(defun %setf-aref (array &rest subscripts-and-new)
  (apply (function %aset) array subscripts-and-new))

(defun (setf aref) (new array &rest subscripts)
  (apply (function %aset) array (append subscripts (list new))))

(defun %setf-subseq (sequence start end new)
  ;; CLHS SUBSEQ: like REPLACE; the shorter of the two ranges counts.
  (if (fboundp 'replace)
      (funcall 'replace sequence new :start1 start :end1 end)
      (let* ((end (or end (length sequence)))
             (n (min (- end start) (length new))))
        (dotimes (i n) (%setelt sequence (+ start i) (elt new i)))))
  new)

(dolist (entry '((car %rplaca-value) (cdr %rplacd-value)
                 (first %rplaca-value) (rest %rplacd-value)
                 (nth %setf-nth) (elt %setelt) (svref %svset)
                 (char %set-char) (schar %set-char) (aref %aset)
                 (fill-pointer %set-fill-pointer) (row-major-aref %set-row-major-aref)
                 (symbol-value set) (symbol-function %setf-symbol-function)
                 (fdefinition %setf-fdefinition) (symbol-plist %setf-symbol-plist)
                 (macro-function %setf-macro-function)))
  (%set-setf-expander (car entry) (%short-defsetf-expander (car (cdr entry)))))

;;; c[ad]{2,4}r: (cadr x) is the place (car (cdr x)).
(dolist (name '(caar cadr cdar cddr caaar caadr cadar caddr cdaar cdadr cddar cdddr
                caaaar caaadr caadar caaddr cadaar cadadr caddar cadddr
                cdaaar cdaadr cdadar cdaddr cddaar cddadr cdddar cddddr))
  (let* ((s (symbol-name name))
         (outer (if (char= (char s 1) #\A) 'car 'cdr))
         (inner (find-symbol (concatenate 'string "C" (subseq s 2)) "COMMON-LISP"))
         (op name))
    (%set-setf-expander
     name
     (function (lambda (place env)
                 (unless (and (consp (cdr place)) (null (cdr (cdr place))))
                   (%setf-error "~S: one argument expected in ~S" op place))
                 (get-setf-expansion (list outer (list inner (car (cdr place)))) env))))))

;;; second ... tenth: the place (nth k x).
(let ((k 1))
  (dolist (name '(second third fourth fifth sixth seventh eighth ninth tenth))
    (let ((index k) (op name))
      (%set-setf-expander
       name
       (function (lambda (place env)
                   (unless (and (consp (cdr place)) (null (cdr (cdr place))))
                     (%setf-error "~S: one argument expected in ~S" op place))
                   (get-setf-expansion (list 'nth index (car (cdr place))) env)))))
    (setq k (+ k 1))))

(defun %check-place-args (place min max)
  (let ((n (length (cdr place))))
    (when (or (< n min) (and max (> n max)))
      (%setf-error "~S: wrong number of arguments in the place ~S" (car place) place))))

;;; (get symbol indicator [default]): the default is evaluated, then unused.
(define-setf-expander get (&whole place &rest args)
  (declare (ignore args))
  (%check-place-args place 2 3)
  (multiple-value-bind (temps vals syms) (%place-arg-temps (cdr place))
    (let ((new (gensym "NEW")))
      (values temps vals (list new)
              (list '%put (first syms) (second syms) new)
              (cons 'get syms)))))

;;; (getf place indicator [default]) stores a new plist into PLACE.
(define-setf-expander getf (&whole form place indicator &optional (default nil default-p)
                            &environment env)
  (declare (ignore form))
  (multiple-value-bind (temps vals stores store access) (get-setf-expansion place env)
    (let ((ind (gensym "INDICATOR")) (def (gensym "DEFAULT")) (new (gensym "NEW")))
      (values (append temps (list ind) (if default-p (list def) nil))
              (append vals (list indicator) (if default-p (list default) nil))
              (list new)
              (list 'let (cons (list (car stores) (list '%putf access ind new)) (cdr stores))
                    store new)
              (list* 'getf access ind (if default-p (list def) nil))))))

(define-setf-expander subseq (&whole place &rest args)
  (declare (ignore args))
  (%check-place-args place 2 3)
  (multiple-value-bind (temps vals syms) (%place-arg-temps (cdr place))
    (let ((new (gensym "NEW")))
      (values temps vals (list new)
              (list '%setf-subseq (first syms) (second syms) (third syms) new)
              (cons 'subseq syms)))))

;;; (the type place): the type is moved to the new value (CLHS 5.1.2.4).
(define-setf-expander the (type place &environment env)
  (multiple-value-bind (temps vals stores store access) (get-setf-expansion place env)
    (values temps vals stores
            (if (and stores (null (cdr stores)))
                (list 'let (list (list (car stores) (list 'the type (car stores)))) store)
                (list 'multiple-value-bind stores (list 'the type (cons 'values stores)) store))
            (list 'the type access))))

;;; (values place...): one store variable per place (CLHS 5.1.2.3); a
;;; place's further store variables are bound to NIL.
(define-setf-expander values (&rest places &environment env)
  (let ((temps nil) (vals nil) (stores nil) (extra nil) (store-forms nil) (accesses nil))
    (dolist (place places)
      (multiple-value-bind (tt vv ss store access) (get-setf-expansion place env)
        (setq temps (append temps tt) vals (append vals vv))
        (push (if ss (car ss) (gensym "IGNORED")) stores)
        (setq extra (append extra (cdr ss)))
        (push store store-forms)
        (push access accesses)))
    (setq stores (nreverse stores))
    (values temps vals stores
            (list* 'let extra (append (nreverse store-forms) (list (cons 'values stores))))
            (cons 'values (nreverse accesses)))))

;;; (apply #'f arg... list): calls #'(setf f) the same way (CLHS 5.1.2.5).
(define-setf-expander apply (&whole place function &rest args)
  (declare (ignore args))
  (unless (and (consp function) (member (car function) '(function quote))
               (consp (cdr function)) (symbolp (car (cdr function))))
    (%setf-error "SETF of APPLY: ~S is not #'name" function))
  (multiple-value-bind (temps vals syms) (%place-arg-temps (cdr (cdr place)))
    (let ((new (gensym "NEW")) (name (car (cdr function))))
      (values temps vals (list new)
              (list* 'apply (list 'function (list 'setf name)) new syms)
              (list* 'apply (list 'function name) syms)))))

(defun %require-operator (op place)
  (unless (fboundp op)
    (%setf-error "SETF of ~S: ~S is not supported yet" place op)))

;;; (ldb bytespec place), (mask-field bytespec place) (CLHS 5.1.2.6).
(defun %byte-place-expansion (place env reader writer)
  (%require-operator writer place)
  (%check-place-args place 2 2)
  (multiple-value-bind (temps vals stores store access)
      (get-setf-expansion (car (cdr (cdr place))) env)
    (let ((byte (gensym "BYTE")) (new (gensym "NEW")))
      (values (cons byte temps) (cons (car (cdr place)) vals) (list new)
              (list 'let (cons (list (car stores) (list writer new byte access)) (cdr stores))
                    store new)
              (list reader byte access)))))

(%set-setf-expander 'ldb (function (lambda (place env)
                                     (%byte-place-expansion place env 'ldb 'dpb))))
(%set-setf-expander 'mask-field (function (lambda (place env)
                                            (%byte-place-expansion place env 'mask-field
                                                                   'deposit-field))))

;;; bit, sbit, gethash: plain setf-function calls, once the operators exist.
(dolist (op '(bit sbit))
  (let ((op op))
    (%set-setf-expander op (function (lambda (place env)
                                       (declare (ignore env))
                                       (%require-operator op place)
                                       (%short-defsetf-expansion place '%aset))))))

(%set-setf-expander 'gethash (function (lambda (place env)
                                         (declare (ignore env))
                                         (%require-operator 'gethash place)
                                         (%check-place-args place 2 3)
                                         (%setf-function-expansion place))))

;;; (setf (readtable-case rt) mode): readtable.c checks both.
(defsetf readtable-case (readtable) (mode) `(%set-readtable-case ,mode ,readtable))

(in-package "COMMON-LISP-USER")
