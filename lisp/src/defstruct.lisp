;;;; lisp/src/defstruct.lisp — DEFSTRUCT (CLHS 8.1), over the primitives of
;;;; lisp/builtins_struct.c.
;;;;
;;;; A structure's description, kept on its name's plist under
;;;; STRUCTURE-DESCRIPTION at macroexpansion, compile and load time, is what
;;;; a later (:include name) needs:
;;;;   (type size slots names)
;;;;   type   NIL (a real structure: KIND_INSTANCE), LIST or VECTOR
;;;;   size   slot count (NIL type) or length of the list/vector (typed)
;;;;   slots  list of slot descriptors (name initform type read-only index accessor)
;;;;   names  typed :named structures: ((index . name) ...) for itself and
;;;;          its named ancestors, filled in by the constructors
;;;; Instances of real structures are made by %MAKE-STRUCTURE, whose layout
;;;; (on the plist under STRUCTURE-LAYOUT) the printer, typep and #S use.
;;;; Initforms are expanded into the constructors, which sit where the
;;;; DEFSTRUCT form is, so they see its lexical environment.

(in-package "PETREL-SYSTEM")

(defun %ds-sym (&rest parts)
  (intern (apply (function concatenate) 'string (mapcar (function string) parts))))

(defun %ds-keyword (symbol) (intern (symbol-name symbol) "KEYWORD"))

(defun %ds-slot-name (s) (car s))
(defun %ds-slot-initform (s) (car (cdr s)))
(defun %ds-slot-read-only (s) (nth 3 s))
(defun %ds-slot-index (s) (nth 4 s))
(defun %ds-slot-accessor (s) (nth 5 s))

;;; name | (name [initform [[:type type | :read-only flag | :documentation doc]]])
(defun %ds-parse-slot (desc index conc-name)
  (let* ((name (if (consp desc) (car desc) desc))
         (initform (if (consp desc) (car (cdr desc)) nil))
         (options (if (consp desc) (cdr (cdr desc)) nil)))
    (unless (and (symbolp name) name)
      (error "DEFSTRUCT: bad slot description ~S" desc))
    (list name initform (getf options :type t) (if (getf options :read-only) t nil)
          index (if conc-name (%ds-sym conc-name name) name))))

;;; An inherited slot, with the (:include parent overrides...) applied.
(defun %ds-inherit-slot (slot overrides conc-name)
  (let* ((name (%ds-slot-name slot))
         (o (dolist (o overrides nil)
              (when (eq (if (consp o) (car o) o) name) (return o))))
         (new (copy-list slot)))
    (setf (nth 5 new) (if conc-name (%ds-sym conc-name name) name))
    (when o
      (setf (nth 1 new) (if (consp o) (car (cdr o)) nil))
      (when (consp o)
        (let ((ro (getf (cdr (cdr o)) :read-only :none)))
          (unless (eq ro :none)
            (when (and (%ds-slot-read-only slot) (not ro))
              (error "DEFSTRUCT: slot ~S of the included structure is read-only" name))
            (setf (nth 3 new) (if ro t nil)))
          (setf (nth 2 new) (getf (cdr (cdr o)) :type (nth 2 slot))))))
    new))

;;; The options, as a plist of what DEFSTRUCT needs.
(defun %ds-parse-options (name options)
  (let* ((sname (symbol-name name))
         (conc-name (concatenate 'string sname "-"))
         (ctors nil) (ctor-given nil)
         (copier (%ds-sym "COPY-" sname)) (predicate (%ds-sym sname "-P"))
         (include nil) (overrides nil) (printer nil) (print-kind 0)
         (type nil) (named nil) (offset 0))
    (dolist (opt options)
      (let ((key (if (consp opt) (car opt) opt))
            (args (if (consp opt) (cdr opt) nil)))
        (case key
          (:conc-name (setq conc-name (if (car args) (string (car args)) nil)))
          (:constructor
           (setq ctor-given t)
           (cond ((null args) (push (list (%ds-sym "MAKE-" sname)) ctors))
                 ((null (car args)))
                 ((cdr args) (push (list (car args) (car (cdr args))) ctors))
                 (t (push (list (car args)) ctors))))
          (:copier (when args (setq copier (car args))))
          (:predicate (when args (setq predicate (car args))))
          (:include (setq include (car args) overrides (cdr args)))
          (:print-function (when args (setq printer (car args) print-kind 3)))
          (:print-object (when args (setq printer (car args) print-kind 2)))
          (:type (setq type (car args)))
          (:named (setq named t))
          (:initial-offset (setq offset (car args)))
          (t (error "DEFSTRUCT ~S: unknown option ~S" name opt)))))
    (unless ctor-given (push (list (%ds-sym "MAKE-" sname)) ctors))
    (let ((kind (cond ((null type) nil)
                      ((eq type 'list) 'list)
                      ((or (eq type 'vector) (and (consp type) (eq (car type) 'vector))) 'vector)
                      (t (error "DEFSTRUCT ~S: bad :type ~S" name type)))))
      (when (and kind printer)
        (error "DEFSTRUCT ~S: :print-function/:print-object need a structure without :type" name))
      (when (and (not kind) (or named (/= offset 0)))
        (error "DEFSTRUCT ~S: :named and :initial-offset need :type" name))
      (list :conc-name conc-name :constructors (reverse ctors) :copier copier
            :predicate (if (or (not kind) named) predicate nil)
            :include include :overrides overrides :printer printer :print-kind print-kind
            :type kind :named named :offset offset))))

;;; ---- constructors ----

(defun %ds-slot-default (var slots)
  (dolist (s slots nil)
    (when (eq (%ds-slot-name s) var) (return (%ds-slot-initform s)))))

;;; A BOA lambda list (CLHS 3.4.6): &optional and &key variables without a
;;; default take the slot's initform; returns (lambda-list . bound-vars).
(defun %ds-boa-lambda-list (ll slots)
  (let ((state nil) (out nil) (vars nil))
    (dolist (p ll)
      (cond ((member p lambda-list-keywords) (setq state p) (push p out))
            ((or (eq state '&optional) (eq state '&key))
             (let* ((var-spec (if (consp p) (car p) p))
                    (var (if (consp var-spec) (car (cdr var-spec)) var-spec)))
               (push var vars)
               (push (if (and (consp p) (cdr p))
                         p
                         (list var-spec (%ds-slot-default var slots)))
                     out)
               (when (and (consp p) (cdr (cdr p))) (push (car (cdr (cdr p))) vars))))
            ((eq state '&aux) (push (if (consp p) (car p) p) vars) (push p out))
            (t (push p vars) (push p out))))
    (cons (reverse out) vars)))

;;; The forms that make the object from the slot value forms (by index).
(defun %ds-make-form (name type size names slots value-of)
  (if (null type)
      (list* '%make-structure (list 'quote name) (mapcar value-of slots))
      (let ((items nil))
        (dotimes (i size)
          (let ((slot (dolist (s slots nil) (when (= (%ds-slot-index s) i) (return s))))
                (nm (assoc i names)))
            (push (cond (slot (funcall value-of slot))
                        (nm (list 'quote (cdr nm)))
                        (t nil))
                  items)))
        (cons type (reverse items)))))

(defun %ds-constructor (name type size names slots ctor)
  (if (cdr ctor)
      (let* ((boa (%ds-boa-lambda-list (car (cdr ctor)) slots))
             (vars (cdr boa)))
        (list 'defun (car ctor) (car boa)
              (%ds-make-form name type size names slots
                             (function (lambda (s)
                               (if (member (%ds-slot-name s) vars)
                                   (%ds-slot-name s)
                                   (%ds-slot-initform s)))))))
      (let ((temps (mapcar (function (lambda (s) (make-symbol (symbol-name (%ds-slot-name s)))))
                           slots)))
        (list 'defun (car ctor)
              (cons '&key (mapcar (function (lambda (s tmp)
                                    (list (list (%ds-keyword (%ds-slot-name s)) tmp)
                                          (%ds-slot-initform s))))
                                  slots temps))
              (%ds-make-form name type size names slots
                             (function (lambda (s) (nth (position s slots) temps))))))))

;;; ---- accessors, predicate, copier ----

(defun %ds-accessors (name type slots parent-slots)
  (let ((forms nil))
    (dolist (s slots)
      (let* ((acc (%ds-slot-accessor s)) (i (%ds-slot-index s))
             (inherited (dolist (p parent-slots nil)
                          (when (eq (%ds-slot-accessor p) acc) (return t)))))
        ;; An accessor the included structure already defines under the same
        ;; name works on this structure too: leave it alone.
        (unless inherited
          ;; PETREL-THREADS:COMPARE-AND-SWAP and ATOMIC-INCF find the slot here.
          (unless type
            (push (list 'eval-when '(:compile-toplevel :load-toplevel :execute)
                        (list '%put (list 'quote acc) ''structure-accessor (list 'quote (cons name i))))
                  forms))
          (push (list 'defun acc '(object)
                      (case type
                        ((nil) (list '%structure-ref 'object (list 'quote name) i))
                        (list (list 'nth i 'object))
                        (t (list 'aref 'object i))))
                forms)
          (unless (%ds-slot-read-only s)
            (push (list 'defun (list 'setf acc) '(value object)
                        (case type
                          ((nil) (list '%structure-set 'object (list 'quote name) i 'value))
                          (list (list 'setf (list 'nth i 'object) 'value))
                          (t (list 'setf (list 'aref 'object i) 'value))))
                  forms)))))
    (reverse forms)))

(defun %ds-predicate (name type pred name-index)
  (when pred
    (list (list 'defun pred '(object)
                (case type
                  ((nil) (list '%structure-typep 'object (list 'quote name)))
                  (list (list 'and '(listp object)
                              (list 'eq (list 'nth name-index 'object) (list 'quote name))))
                  (t (list 'and '(vectorp object) (list '> '(length object) name-index)
                           (list 'eq (list 'aref 'object name-index) (list 'quote name)))))))))

(defun %ds-copier (type copier)
  (when copier
    (list (list 'defun copier '(object)
                (case type
                  ((nil) '(copy-structure object))
                  (list '(copy-list object))
                  (t '(copy-seq object)))))))

;;; ---- DEFSTRUCT ----

(defun %ds-expand (name-and-options slot-descs)
  (let* ((name (if (consp name-and-options) (car name-and-options) name-and-options))
         (o (%ds-parse-options name (if (consp name-and-options) (cdr name-and-options) nil)))
         (type (getf o :type)) (conc-name (getf o :conc-name))
         (include (getf o :include))
         (parent (when include
                   (or (get include 'structure-description)
                       (error "DEFSTRUCT ~S: ~S is not a defined structure" name include))))
         (doc (when (stringp (car slot-descs)) (car slot-descs)))
         (own (if doc (cdr slot-descs) slot-descs))
         (slots (mapcar (function (lambda (s) (%ds-inherit-slot s (getf o :overrides) conc-name)))
                        (nth 2 parent)))
         (base (if parent (nth 1 parent) 0))
         (names (nth 3 parent))
         (name-index nil))
    (unless (and (symbolp name) name) (error "DEFSTRUCT: bad structure name ~S" name))
    (when (and parent (not (eq (car parent) type)))
      (error "DEFSTRUCT ~S: the included structure ~S has a different :type" name include))
    (when type
      (setq base (+ base (getf o :offset)))
      (when (getf o :named)
        (setq name-index base base (+ base 1) names (cons (cons name-index name) names))))
    (dolist (d own)
      (setq slots (append slots (list (%ds-parse-slot d base conc-name))) base (+ base 1)))
    (let* ((desc (list type base slots names))
           (ctors (getf o :constructors))
           (std-ctor (car (dolist (c ctors nil) (unless (cdr c) (return c))))))
      (append
       (list 'progn
             (list 'eval-when '(:compile-toplevel :load-toplevel :execute)
                   (list '%ds-define (list 'quote name) (list 'quote desc) (list 'quote include)
                         (let ((p (getf o :printer))) (if p (list 'function p) nil))
                         (getf o :print-kind) (list 'quote std-ctor) doc)))
       (%ds-accessors name type slots (nth 2 parent))
       (mapcar (function (lambda (c) (%ds-constructor name type base names slots c))) ctors)
       (%ds-predicate name type (getf o :predicate) name-index)
       (%ds-copier type (getf o :copier))
       (list (list 'quote name))))))

(defun %ds-define (name desc include printer print-kind constructor doc)
  (%put name 'structure-description desc)
  (when doc (%put name 'structure-documentation doc))
  (unless (car desc)
    (when (nth-value 1 (%define-structure-layout name include
                                                 (mapcar (function car) (nth 2 desc))
                                                 printer print-kind constructor))
      ;; WARN comes with the condition system; the kernel may lack it.
      (let ((msg "DEFSTRUCT ~S: incompatible redefinition; existing instances are obsolete"))
        (if (fboundp 'warn)
            (warn msg name)
            (format *error-output* "~&WARNING: ~?~%" msg (list name)))))
    ;; CLOS (src/clos.lisp) keeps the structure's class in step.
    (when (fboundp '%structure-class-changed) (funcall '%structure-class-changed name)))
  name)

(defmacro defstruct (name-and-options &rest slot-descriptions)
  (%ds-expand name-and-options slot-descriptions))

;;; ---- literal structures in compiled files (CLHS make-load-form) ----

;; CLHS: the methods for structure-object (and standard-object, condition)
;; signal an error, so a literal structure is dumped only where its class has
;; a method.  MAKE-LOAD-FORM is a generic function (src/clos-objects.lisp)
;; whose default methods call this.
(defun %make-load-form-error (object)
  ;; The object is often circular: the message is made now, printed safely.
  (error "~A" (let ((*print-circle* t) (*print-length* 10) (*print-level* 4))
                (format nil "~S has no MAKE-LOAD-FORM method, so it cannot be dumped into a compiled file ~
                             (a method usually returns (make-load-form-saving-slots object))" object))))

;; The creation form makes an instance with every slot NIL; the initialization
;; form stores the saved slots (an unsaved slot keeps NIL: Petrel's structure
;; slots have no unbound state).
;; MAKE-LOAD-FORM-SAVING-SLOTS (src/clos-objects.lisp) for a structure.
(defun %structure-load-form-saving-slots (object slot-names slot-names-p)
  (let ((name (%structure-name object)))
    (unless name
      (error 'type-error :datum object :expected-type 'structure-object))
    (let ((slots (nth 2 (get name 'structure-description))) (stores nil))
      (dolist (slot slots)
        (when (or (not slot-names-p) (member (%ds-slot-name slot) slot-names))
          (push (list '%structure-set object (list 'quote name) (%ds-slot-index slot)
                      (list 'quote (%structure-ref object name (%ds-slot-index slot))))
                stores)))
      (values (list* '%make-structure (list 'quote name) (make-list (length slots)))
              (cons 'progn (nreverse stores))))))

(in-package "COMMON-LISP-USER")
