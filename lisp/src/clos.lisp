;;;; lisp/src/clos.lisp — CLOS metaobjects and instances (CLHS 7.1-7.5,
;;;; 4.3): classes as objects, the built-in class tree, FIND-CLASS, the
;;;; class precedence list (4.3.5), DEFCLASS, slot access and instance
;;;; structure, over the standard instances of lisp/builtins_clos.c.
;;;;
;;;; Every class metaobject is a standard instance whose slots are
;;;; +CLASS-SLOTS+ in that order (lisp/builtins_clos.c reads NAME and CPL by
;;;; index).  An instance's layout is #(class local-slot-names); a class gets
;;;; a fresh layout when its local slots change, and instances with an old
;;;; layout are updated on their next slot access (CLHS 4.3.6).  Class slots
;;;; (:allocation :class) live in a cons (name . value) owned by the class
;;;; that defines them.  A class is found through its name's plist (%CLASS).
;;;; *%CLOS-EPOCH* counts class and method changes; the dispatch caches of
;;;; src/clos-generic.lisp are valid for one epoch.  Class definition is
;;;; not synchronised with other threads (like DEFSTRUCT).

(in-package "PETREL-SYSTEM")

(defvar *%clos-epoch* 0)
(defvar *%gf-codes* nil)

(defconstant +class-slots+
  '(name direct-superclasses direct-subclasses class-precedence-list direct-slots slots
    layout direct-default-initargs default-initargs documentation finalized-p
    class-slot-cells valid-initargs prototype))

(defmacro %cslot (class index) `(svref (%std-instance-slots ,class) ,index))
(defmacro %class-name* (c) `(%cslot ,c 0))
(defmacro %class-direct-supers (c) `(%cslot ,c 1))
(defmacro %class-direct-subs (c) `(%cslot ,c 2))
(defmacro %class-cpl (c) `(%cslot ,c 3))
(defmacro %class-direct-slots (c) `(%cslot ,c 4))
(defmacro %class-slots (c) `(%cslot ,c 5))
(defmacro %class-layout (c) `(%cslot ,c 6))
(defmacro %class-direct-initargs (c) `(%cslot ,c 7))
(defmacro %class-default-initargs (c) `(%cslot ,c 8))
(defmacro %class-doc (c) `(%cslot ,c 9))
(defmacro %class-finalized (c) `(%cslot ,c 10))
(defmacro %class-cells (c) `(%cslot ,c 11))
(defmacro %class-valid-initargs (c) `(%cslot ,c 12))

;; A slot definition.  LOCATION: index in the instance's slot vector, or
;; the (name . value) cons of a class slot.
(defstruct (%slotd (:constructor %make-slotd) (:copier nil) (:predicate %slotd-p))
  name initform initfunction initargs readers writers (allocation :instance)
  (type t) documentation location)

(defun %make-layout (class names) (vector class (coerce names 'simple-vector)))

;; One vector of names for every class metaobject's layout: %CLASS-OBJECT-P
;; checks for it.
(defvar *%class-slot-names* (coerce +class-slots+ 'simple-vector))

(defun %allocate-class-object (metaclass)
  (%make-std-instance (%class-layout metaclass)
                      (make-array (length +class-slots+) :initial-element nil)))

;;; ---- bootstrap: STANDARD-CLASS is an instance of itself ----

(defvar *%standard-class*
  (let* ((names *%class-slot-names*)
         (layout (vector nil names))
         (c (%make-std-instance layout (make-array (length names) :initial-element nil))))
    (setf (svref layout 0) c)
    (setf (%class-layout c) layout)
    (setf (%class-name* c) 'standard-class)
    c))

(setf (get 'standard-class '%class) *%standard-class*)

;;; ---- find-class ----

(defun %find-class-quiet (name)
  (or (get name '%class)
      (cond ((and (symbolp name) (%structure-layout name)) (%ensure-structure-class name))
            ((and (symbolp name) name (%condition-type-p name)) (%ensure-condition-class name))
            (t nil))))

(defun find-class (symbol &optional (errorp t) environment)
  "The class named SYMBOL; NIL or an error if there is none."
  (declare (ignore environment))
  (unless (symbolp symbol) (error 'type-error :datum symbol :expected-type 'symbol))
  (or (%find-class-quiet symbol)
      (and errorp (error "FIND-CLASS: there is no class named ~S" symbol))))

(defun (setf find-class) (new-class symbol &optional errorp environment)
  (declare (ignore errorp environment))
  (unless (symbolp symbol) (error 'type-error :datum symbol :expected-type 'symbol))
  (if new-class
      (progn (unless (%class-object-p new-class)
               (error 'type-error :datum new-class :expected-type 'class))
             (setf (get symbol '%class) new-class))
      (remprop symbol '%class))
  (setq *%clos-epoch* (1+ *%clos-epoch*))
  new-class)

(defun %class-object-p (x)
  (and (%std-instance-p x) (eq (svref (%std-instance-layout x) 1) *%class-slot-names*)))

(defun %class-designator (x &optional (who "a class designator"))
  (cond ((%class-object-p x) x)
        ((and x (symbolp x)) (find-class x))
        (t (error 'type-error :datum x :expected-type `(or symbol class) :format-control who))))

(defun class-name (class)
  "The name of CLASS."
  (unless (%class-object-p class) (error 'type-error :datum class :expected-type 'class))
  (%class-name* class))

(defun (setf class-name) (new-name class)
  (unless (%class-object-p class) (error 'type-error :datum class :expected-type 'class))
  (setf (%class-name* class) new-name))

(defun class-precedence-list (class) (%ensure-finalized class) (%class-cpl class))
(defun class-direct-superclasses (class) (%class-direct-supers class))
(defun class-direct-subclasses (class) (%class-direct-subs class))
(defun class-finalized-p (class) (%class-finalized class))

;;; ---- class precedence list (CLHS 4.3.5) ----

(defun %all-superclasses (class)
  (let ((seen nil))
    (labels ((walk (c) (unless (member c seen :test #'eq)
                         (push c seen)
                         (dolist (s (%class-direct-supers c)) (walk s)))))
      (walk class))
    seen))

(defun %compute-cpl (class)
  ;; Topological sort of the local precedence orders; ties go to the
  ;; candidate that is a direct superclass of the rightmost class so far.
  (let* ((classes (%all-superclasses class))
         (pairs nil) (result nil))
    (dolist (c classes)
      (let ((prev c))
        (dolist (s (%class-direct-supers c))
          (push (cons prev s) pairs)
          (setq prev s))))
    (loop while classes do
      (let ((candidates (remove-if (lambda (c) (find c pairs :key #'cdr :test #'eq)) classes)))
        (when (null candidates)
          (error "Inconsistent class precedence list for class ~S" (%class-name* class)))
        (let ((next (if (null (cdr candidates))
                        (car candidates)
                        (dolist (r result (car candidates))
                          (let ((hit (find-if (lambda (c) (member c (%class-direct-supers r) :test #'eq))
                                              candidates)))
                            (when hit (return hit)))))))
          (setq result (cons next result))
          (setq classes (remove next classes :test #'eq))
          (setq pairs (remove next pairs :key #'car :test #'eq)))))
    (nreverse result)))

;;; ---- finalization: effective slots, layout, default initargs ----

(defun %effective-slot (name cpl)
  (let ((slotds (loop for c in cpl
                      for d = (find name (%class-direct-slots c) :key #'%slotd-name :test #'eq)
                      when d collect (cons c d))))
    (let* ((first (cdr (car slotds)))
           (init (find-if #'%slotd-initfunction slotds :key #'cdr))
           (e (%make-slotd :name name :allocation (%slotd-allocation first)
                           :type (%slotd-type first)
                           :documentation (%slotd-documentation first)
                           :initargs (remove-duplicates (loop for (nil . d) in slotds append (%slotd-initargs d)))
                           :initform (and init (%slotd-initform (cdr init)))
                           :initfunction (and init (%slotd-initfunction (cdr init))))))
      (when (eq (%slotd-allocation first) :class)
        (let* ((owner (car (car slotds))))
          (setf (%slotd-location e) (%class-slot-cell owner name))))
      e)))

(defun %class-slot-cell (owner name)
  (or (assoc name (%class-cells owner) :test #'eq)
      (let* ((d (find name (%class-direct-slots owner) :key #'%slotd-name :test #'eq))
             (cell (cons name (if (and d (%slotd-initfunction d)) (funcall (%slotd-initfunction d)) '%unbound-slot))))
        (push cell (%class-cells owner))
        cell)))

(defun %finalize-class (class)
  (let* ((cpl (%compute-cpl class))
         (names nil))
    (setf (%class-cpl class) cpl)
    (dolist (c (reverse cpl))
      (dolist (d (%class-direct-slots c))
        (unless (member (%slotd-name d) names :test #'eq)
          (setq names (append names (list (%slotd-name d)))))))
    (let* ((slots (mapcar (lambda (n) (%effective-slot n cpl)) names))
           (local (remove :class slots :key #'%slotd-allocation))
           (old (%class-layout class)))
      (loop for s in local for i from 0 do (setf (%slotd-location s) i))
      (setf (%class-slots class) slots)
      (unless (or (and old (eq (svref old 1) *%class-slot-names*))
                  (and old (equal (coerce (svref old 1) 'list) (mapcar #'%slotd-name local))))
        (setf (%class-layout class) (%make-layout class (mapcar #'%slotd-name local)))))
    (let ((inits nil))
      (dolist (c cpl)
        (dolist (i (%class-direct-initargs c))
          (unless (assoc (car i) inits :test #'eq) (setq inits (append inits (list i))))))
      (setf (%class-default-initargs class) inits))
    (setf (%class-valid-initargs class) nil)
    (setf (%class-finalized class) t)
    (setq *%clos-epoch* (1+ *%clos-epoch*))
    (dolist (sub (%class-direct-subs class)) (%finalize-class sub))
    class))

(defun %ensure-finalized (class)
  (unless (%class-finalized class) (%finalize-class class))
  class)

(defun finalize-inheritance (class) (%finalize-class class))

;;; ---- making classes ----

(defun %make-class (metaclass name supers &optional direct-slots)
  (let ((c (%allocate-class-object metaclass)))
    (setf (%class-name* c) name
          (%class-direct-supers c) supers
          (%class-direct-slots c) direct-slots)
    (dolist (s supers) (push c (%class-direct-subs s)))
    (when name (setf (get name '%class) c))
    (%finalize-class c)))

(defun %bootstrap-class (meta name super-names)
  (%make-class meta name (mapcar (lambda (n) (get n '%class)) super-names)))

(%bootstrap-class *%standard-class* 't nil)
(%bootstrap-class *%standard-class* 'standard-object '(t))
(%bootstrap-class *%standard-class* 'class '(standard-object))
(setf (%class-direct-supers *%standard-class*) (list (find-class 'class)))
(push *%standard-class* (%class-direct-subs (find-class 'class)))
(%finalize-class *%standard-class*)
(%bootstrap-class *%standard-class* 'built-in-class '(class))
(%bootstrap-class *%standard-class* 'structure-class '(class))
(%bootstrap-class *%standard-class* 'condition-class '(class))
(%bootstrap-class *%standard-class* 'forward-referenced-class '(class))
;; Metaclasses other than standard-class share its slots, each with its own layout.
(dolist (n '(built-in-class structure-class condition-class forward-referenced-class))
  (let ((c (find-class n)))
    (setf (%class-layout c) (%make-layout c *%class-slot-names*))))
(let ((t-class (find-class t)) (bic (find-class 'built-in-class)))
  ;; T is a built-in class: move it to its metaclass.
  (%set-std-instance-layout t-class (%class-layout bic)))

(defvar *%built-in-classes*
  '((number t) (real number) (rational real) (integer rational) (ratio rational)
    (float real) (single-float float) (double-float float) (complex number)
    (character t) (symbol t) (sequence t) (list sequence) (cons list) (null symbol list)
    (array t) (vector array sequence) (string vector) (bit-vector vector)
    (hash-table t) (package t) (readtable t) (function t)
    (stream t) (file-stream stream) (string-stream stream) (broadcast-stream stream)
    (synonym-stream stream) (two-way-stream stream) (echo-stream stream)
    (concatenated-stream stream)))

(dolist (e *%built-in-classes*)
  (%bootstrap-class (find-class 'built-in-class) (car e) (cdr e)))
(%bootstrap-class (find-class 'structure-class) 'structure-object '(t))
(%bootstrap-class *%standard-class* 'method '(standard-object))
(%bootstrap-class *%standard-class* 'standard-method '(method))
(%bootstrap-class *%standard-class* 'method-combination '(standard-object))
(%bootstrap-class *%standard-class* 'generic-function '(standard-object function))
(%bootstrap-class *%standard-class* 'standard-generic-function '(generic-function))

;;; ---- structure and condition classes (made on first use) ----

(defun %structure-supers-and-slots (name)
  (let* ((parent (svref (%structure-layout name) 1)))
    (values (list (if parent (find-class (svref parent 0)) (find-class 'structure-object)))
            (mapcar (lambda (s) (%make-slotd :name (car s) :initform (car (cdr s))))
                    (nth 2 (get name 'structure-description))))))

(defun %ensure-structure-class (name)
  (multiple-value-bind (supers slots) (%structure-supers-and-slots name)
    (%make-class (find-class 'structure-class) name supers slots)))

(defun %condition-supers (name)
  (or (mapcar #'find-class (reverse (get name 'condition))) (list (find-class t))))

(defun %ensure-condition-class (name)
  (%make-class (find-class 'condition-class) name (%condition-supers name)))

(defun %reparent-class (class supers slots)
  (dolist (s (%class-direct-supers class))
    (setf (%class-direct-subs s) (remove class (%class-direct-subs s) :test #'eq)))
  (setf (%class-direct-supers class) supers (%class-direct-slots class) slots)
  (dolist (s supers) (pushnew class (%class-direct-subs s) :test #'eq))
  (%finalize-class class))

;; DEFSTRUCT and DEFINE-CONDITION call these after (re)defining a type, so
;; a class made earlier follows the new definition.
(defun %structure-class-changed (name)
  (let ((c (get name '%class)))
    (when (and c (eq (%class-name* (class-of c)) 'structure-class))
      (multiple-value-bind (supers slots) (%structure-supers-and-slots name)
        (%reparent-class c supers slots)))))

(defun %condition-class-changed (name)
  (let ((c (get name '%class)))
    (when (and c (eq (%class-name* (class-of c)) 'condition-class))
      (%reparent-class c (%condition-supers name) nil))))

(defun %class-of-fallback (object)
  (or (%find-class-quiet (%builtin-class-name object)) (find-class t)))

;;; ---- instances and slots ----

(defun %instance-class (x) (svref (%std-instance-layout x) 0))

(defun %check-instance-current (x)
  ;; An instance made before its class's layout changed is updated now (CLHS 4.3.6).
  (let* ((layout (%std-instance-layout x))
         (class (svref layout 0)))
    (unless (eq layout (%class-layout class))
      (%update-obsolete-instance x layout class))
    class))

(defun %update-obsolete-instance (x old-layout class)
  (let* ((old-names (svref old-layout 1))
         (old-slots (%std-instance-slots x))
         (new-layout (%class-layout class))
         (new-names (svref new-layout 1))
         (new-slots (make-array (length new-names) :initial-element '%unbound-slot))
         (discarded nil) (plist nil) (added nil))
    (dotimes (i (length old-names))
      (let* ((n (svref old-names i)) (j (position n new-names :test #'eq)))
        (if j
            (setf (svref new-slots j) (svref old-slots i))
            (progn (push n discarded)
                   (unless (eq (svref old-slots i) '%unbound-slot)
                     (setq plist (list* n (svref old-slots i) plist)))))))
    (dotimes (j (length new-names))
      (unless (find (svref new-names j) old-names :test #'eq) (push (svref new-names j) added)))
    (%set-std-instance-slots x new-slots)
    (%set-std-instance-layout x new-layout)
    (if (fboundp 'update-instance-for-redefined-class)
        (update-instance-for-redefined-class x (nreverse added) (nreverse discarded) plist)
        x)))

(defun %slot-location (class name)
  ;; Index into the slot vector, a class-slot cons, or NIL.
  (let ((i (position name (svref (%class-layout class) 1) :test #'eq)))
    (or i
        (let ((s (find name (%class-slots class) :key #'%slotd-name :test #'eq)))
          (and s (%slotd-location s))))))

(defun %structure-slot-index (object name)
  (let ((s (find name (nth 2 (get (%structure-name object) 'structure-description))
                 :key #'car :test #'eq)))
    (and s (nth 4 s))))

;; SLOT-VALUE and %SET-SLOT-VALUE are C (lisp/builtins_clos.c): they read
;; and write a bound local slot of a current instance, and call these for
;; everything else.
(defun %slot-value-slow (object slot-name)
  (cond ((%std-instance-p object)
         (let* ((class (%check-instance-current object))
                (loc (%slot-location class slot-name))
                (v (cond ((integerp loc) (svref (%std-instance-slots object) loc))
                         ((consp loc) (cdr loc))
                         (t (return-from %slot-value-slow
                              (values (slot-missing class object slot-name 'slot-value)))))))
           (if (eq v '%unbound-slot) (values (slot-unbound class object slot-name)) v)))
        ((and (%structure-name object) (%structure-slot-index object slot-name))
         (%structure-ref object (%structure-name object) (%structure-slot-index object slot-name)))
        ((typep object 'condition)
         (%condition-slot-value object slot-name))
        (t (values (slot-missing (class-of object) object slot-name 'slot-value)))))

(defun %set-slot-value-slow (object slot-name value)
  (cond ((%std-instance-p object)
         (let* ((class (%check-instance-current object))
                (loc (%slot-location class slot-name)))
           (cond ((integerp loc) (setf (svref (%std-instance-slots object) loc) value))
                 ((consp loc) (setf (cdr loc) value))
                 (t (slot-missing class object slot-name 'setf value) value))))
        ((and (%structure-name object) (%structure-slot-index object slot-name))
         (%structure-set object (%structure-name object) (%structure-slot-index object slot-name) value))
        ((typep object 'condition)
         (%set-condition-slot-value object slot-name value))
        (t (slot-missing (class-of object) object slot-name 'setf value) value)))

(defun (setf slot-value) (value object slot-name) (%set-slot-value object slot-name value))

(defun slot-boundp (instance slot-name)
  "True if the slot named SLOT-NAME of INSTANCE has a value."
  (if (%std-instance-p instance)
      (let* ((class (%check-instance-current instance))
             (loc (%slot-location class slot-name)))
        (cond ((integerp loc) (not (eq (svref (%std-instance-slots instance) loc) '%unbound-slot)))
              ((consp loc) (not (eq (cdr loc) '%unbound-slot)))
              (t (values (slot-missing class instance slot-name 'slot-boundp)))))
      (progn (slot-value instance slot-name) t)))

(defun slot-makunbound (instance slot-name)
  "Makes the slot named SLOT-NAME of INSTANCE unbound; returns INSTANCE."
  (if (%std-instance-p instance)
      (let* ((class (%check-instance-current instance))
             (loc (%slot-location class slot-name)))
        (cond ((integerp loc) (setf (svref (%std-instance-slots instance) loc) '%unbound-slot))
              ((consp loc) (setf (cdr loc) '%unbound-slot))
              (t (slot-missing class instance slot-name 'slot-makunbound))))
      (error "SLOT-MAKUNBOUND: ~S has no unbound slots" instance))
  instance)

(defun slot-exists-p (object slot-name)
  "True if OBJECT has a slot named SLOT-NAME."
  (cond ((%std-instance-p object)
         (not (null (%slot-location (%check-instance-current object) slot-name))))
        ((%structure-name object) (not (null (%structure-slot-index object slot-name))))
        (t nil)))

(defmacro with-slots (slot-entries instance-form &body body)
  "Evaluate BODY with each slot name (or (var slot-name)) a symbol macro for SLOT-VALUE."
  (let ((in (gensym "INSTANCE")))
    `(let ((,in ,instance-form))
       (declare (ignorable ,in))
       (symbol-macrolet ,(mapcar (lambda (e)
                                   (let ((var (if (consp e) (car e) e))
                                         (slot (if (consp e) (car (cdr e)) e)))
                                     `(,var (slot-value ,in ',slot))))
                                 slot-entries)
         ,@body))))

(defmacro with-accessors (slot-entries instance-form &body body)
  "Evaluate BODY with each (var accessor) a symbol macro for (accessor instance)."
  (let ((in (gensym "INSTANCE")))
    `(let ((,in ,instance-form))
       (declare (ignorable ,in))
       (symbol-macrolet ,(mapcar (lambda (e) `(,(car e) (,(car (cdr e)) ,in))) slot-entries)
         ,@body))))

;;; ---- DEFCLASS ----

(defun %canonical-slot (class-name spec)
  (when (symbolp spec) (setq spec (list spec)))
  (let ((name (car spec)) (initform nil) (initform-p nil) (initargs nil) (readers nil)
        (writers nil) (allocation nil) (type nil) (doc nil) (seen nil))
    (unless (and (symbolp name) name (not (keywordp name)) (not (constantp name)))
      (error 'program-error :format-control "DEFCLASS ~S: ~S is not a valid slot name"
                            :format-arguments (list class-name name)))
    (do ((l (cdr spec) (cddr l))) ((null l))
      (unless (consp (cdr l))
        (error 'program-error :format-control "DEFCLASS ~S: odd slot options in ~S"
                              :format-arguments (list class-name spec)))
      (let ((k (car l)) (v (car (cdr l))))
        (when (and (member k '(:initform :allocation :type :documentation)) (member k seen))
          (error 'program-error :format-control "DEFCLASS ~S: slot option ~S given twice for slot ~S"
                                :format-arguments (list class-name k name)))
        (push k seen)
        (case k
          (:initform (setq initform v initform-p t))
          (:initarg (push v initargs))
          (:reader (push v readers))
          (:writer (push v writers))
          (:accessor (push v readers) (push `(setf ,v) writers))
          (:allocation (setq allocation v))
          (:type (setq type v))
          (:documentation (setq doc v))
          (t (error 'program-error :format-control "DEFCLASS ~S: unknown slot option ~S"
                                   :format-arguments (list class-name k))))))
    `(list ',name ,(if initform-p `(lambda () ,initform) nil) ',initform ',(nreverse initargs)
           ',(nreverse readers) ',(nreverse writers) ',(or allocation :instance) ',(or type t) ',doc)))

(defun %slot-spec-to-slotd (spec)
  (destructuring-bind (name initfunction initform initargs readers writers allocation type doc) spec
    (%make-slotd :name name :initfunction initfunction :initform initform :initargs initargs
                 :readers readers :writers writers :allocation allocation :type type :documentation doc)))

(defmacro defclass (name direct-superclasses direct-slots &rest options)
  "Define (or redefine) the standard class NAME."
  (let ((names (mapcar (lambda (s) (if (consp s) (car s) s)) direct-slots))
        (default-initargs nil) (di-seen nil) (doc nil) (metaclass nil))
    (loop for (n . rest) on names
          when (member n rest) do
            (error 'program-error :format-control "DEFCLASS ~S: slot ~S appears twice"
                                  :format-arguments (list name n)))
    (dolist (o options)
      (case (and (consp o) (car o))
        (:default-initargs
         (when di-seen
           (error 'program-error :format-control "DEFCLASS ~S: :DEFAULT-INITARGS given twice"
                                 :format-arguments (list name)))
         (setq di-seen t)
         (do ((l (cdr o) (cddr l))) ((null l))
           (push `(list ',(car l) ',(car (cdr l)) (lambda () ,(car (cdr l)))) default-initargs)))
        (:documentation (setq doc (car (cdr o))))
        (:metaclass (setq metaclass (car (cdr o))))
        (t (error 'program-error :format-control "DEFCLASS ~S: unknown class option ~S"
                                 :format-arguments (list name o)))))
    `(progn
       (eval-when (:compile-toplevel)
         (%note-accessors ',(loop for s in direct-slots
                                  when (consp s)
                                    append (loop for (k v) on (cdr s) by #'cddr
                                                 when (member k '(:reader :accessor :writer)) collect v
                                                 when (eq k :accessor) collect `(setf ,v)))))
       (%ensure-class ',name ',direct-superclasses
                      (list ,@(mapcar (lambda (s) (%canonical-slot name s)) direct-slots))
                      (list ,@(reverse default-initargs)) ',doc ',metaclass))))

;; At compile time: the accessors are defined functions for COMPILE-FILE's
;; undefined-function warnings (src/compile.lisp).
(defun %note-accessors (names)
  (when (fboundp '%note-defined-function)
    (dolist (n names) (funcall '%note-defined-function n))))

(defun %ensure-class (name super-names slot-specs default-initargs doc metaclass)
  (when (and metaclass (not (eq metaclass 'standard-class)))
    (error "DEFCLASS ~S: only STANDARD-CLASS is supported as a metaclass, not ~S" name metaclass))
  (let* ((supers (mapcar (lambda (n) (or (find-class n nil) (%forward-class n)))
                         (or super-names '(standard-object))))
         (slotds (mapcar #'%slot-spec-to-slotd slot-specs))
         (old (find-class name nil))
         (class (if (and old (member (%class-name* (class-of old)) '(standard-class forward-referenced-class)))
                    old
                    (%allocate-class-object *%standard-class*))))
    (when (eq (%class-name* (class-of class)) 'forward-referenced-class)
      (%set-std-instance-layout class (%class-layout *%standard-class*)))
    (when (eq class old) (%remove-accessors class (%class-direct-slots class)))
    (dolist (s (%class-direct-supers class))
      (setf (%class-direct-subs s) (remove class (%class-direct-subs s) :test #'eq)))
    (setf (%class-name* class) name
          (%class-direct-supers class) supers
          (%class-direct-slots class) slotds
          (%class-direct-initargs class) default-initargs
          (%class-doc class) doc
          (%class-cells class) (remove-if-not (lambda (cell) (find (car cell) slotds :key #'%slotd-name))
                                              (%class-cells class)))
    (dolist (s supers) (pushnew class (%class-direct-subs s) :test #'eq))
    (setf (get name '%class) class)
    (unless (find-if (lambda (s) (eq (%class-name* (class-of s)) 'forward-referenced-class))
                     (%all-superclasses class))
      (%finalize-class class))
    (%install-accessors class slotds)
    class))


(defun %forward-class (name)
  (let ((c (%allocate-class-object (find-class 'forward-referenced-class))))
    (setf (%class-name* c) name)
    (setf (get name '%class) c)
    c))

(defun %remove-accessors (class slotds)
  ;; A redefinition drops the accessor methods of the old definition.
  (when (fboundp '%add-accessor-method)
    (flet ((drop (name specializers)
             (let* ((f (and (fboundp name) (fdefinition name)))
                    (m (and f (%closure-gf f) (find-method f nil specializers nil))))
               (when m (remove-method f m)))))
      (dolist (d slotds)
        (dolist (r (%slotd-readers d)) (drop r (list class)))
        (dolist (w (%slotd-writers d)) (drop w (list (find-class t) class)))))))

(defun %install-accessors (class slotds)
  (when (fboundp '%add-accessor-method)
    (dolist (d slotds)
      (dolist (r (%slotd-readers d)) (%add-accessor-method r class (%slotd-name d) nil))
      (dolist (w (%slotd-writers d)) (%add-accessor-method w class (%slotd-name d) t)))))

(in-package "COMMON-LISP-USER")
