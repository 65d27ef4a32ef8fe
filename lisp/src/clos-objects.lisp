;;;; lisp/src/clos-objects.lisp — the generic functions that connect CLOS
;;;; to the rest of the system: PRINT-OBJECT (the printer calls it for
;;;; standard instances, lisp/printer.c), MAKE-LOAD-FORM (COMPILE-FILE calls
;;;; it for instances, lisp/fasl.c) and MAKE-LOAD-FORM-SAVING-SLOTS,
;;;; DESCRIBE-OBJECT, CHANGE-CLASS and the instance update protocol
;;;; (CLHS 7.2, 7.3), MAKE-INSTANCES-OBSOLETE, and SUBTYPEP on classes.

(in-package "PETREL-SYSTEM")

;;; ---- print-object ----

(%replace-with-generic 'print-object)
(defgeneric print-object (object stream))

(defvar *%condition-print-object-types* nil)

(defmethod print-object ((object t) stream)
  (cond ((%std-instance-p object)
         (print-unreadable-object (object stream :type t :identity t)))
        ((typep object 'condition)
         ;; The standard printing, not the user's methods again (lisp/printer.c).
         (let ((*%condition-print-object-types* nil)) (write object :stream stream)))
        (t (let ((*print-pretty* nil)) (write object :stream stream))))
  object)

(defmethod print-object ((object class) stream)
  (print-unreadable-object (object stream :type t :identity t)
    (write (%class-name* object) :stream stream))
  object)

(defmethod print-object ((object generic-function) stream)
  (print-unreadable-object (object stream :type t :identity t)
    (write (%gf-name object) :stream stream))
  object)

(defmethod print-object ((object standard-method) stream)
  (print-unreadable-object (object stream :type t :identity t)
    (write (and (%method-gf object) (%gf-name (%method-gf object))) :stream stream)
    (dolist (q (%method-qualifiers object)) (write-char #\Space stream) (write q :stream stream))
    (write-char #\Space stream)
    (write (mapcar (lambda (s) (if (consp s) s (%class-name* s))) (%method-specializers object))
           :stream stream))
  object)

;; A structure without a printer of its own prints through PRINT-OBJECT once
;; a method is defined for its class (or a superclass): its layout's printer
;; becomes PRINT-OBJECT (fields 5 and 6 of lisp/builtins_struct.c's layout).
(defun %note-print-object-method (gf method)
  (when (eq (%gf-name gf) 'print-object)
    (let ((s (car (%method-specializers method))))
      (when (and (%class-object-p s) (eq (%class-name* (class-of s)) 'condition-class))
        (pushnew (%class-name* s) *%condition-print-object-types*))
      (when (and (%class-object-p s) (eq (%class-name* (class-of s)) 'structure-class))
        ;; Every structure type that includes it, class made yet or not.
        (let ((target (%structure-layout (%class-name* s))))
          (when target
            (do-all-symbols (name)
              (let ((layout (and (symbolp name) (%structure-layout name))))
                (when (and layout (or (null (svref layout 5)) (eq (svref layout 5) #'print-object))
                           (do ((l layout (svref l 1))) ((null l) nil) (when (eq l target) (return t))))
                  (setf (svref layout 5) #'print-object (svref layout 6) 2))))))))))

;;; ---- make-load-form ----

(%replace-with-generic 'make-load-form)
(defgeneric make-load-form (object &optional environment))
(defmethod make-load-form ((object standard-object) &optional environment)
  (declare (ignore environment))
  (%make-load-form-error object))
(defmethod make-load-form ((object structure-object) &optional environment)
  (declare (ignore environment))
  (%make-load-form-error object))
(defmethod make-load-form ((object condition) &optional environment)
  (declare (ignore environment))
  (%make-load-form-error object))
(defmethod make-load-form ((object class) &optional environment)
  (declare (ignore environment))
  (let ((name (%class-name* object)))
    (if (and name (eq (find-class name nil) object))
        `(find-class ',name)
        (%make-load-form-error object))))

(defun make-load-form-saving-slots (object &key (slot-names nil slot-names-p) environment)
  "Forms that remake OBJECT with the values of its SLOT-NAMES (all slots by default)."
  (declare (ignore environment))
  (if (%std-instance-p object)
      (let* ((class (%check-instance-current object))
             (name (%class-name* class))
             (stores nil))
        (dolist (s (%class-slots class))
          (let ((n (%slotd-name s)))
            (when (and (integerp (%slotd-location s)) (or (not slot-names-p) (member n slot-names)))
              (push (if (slot-boundp object n)
                        `(setf (slot-value ,object ',n) ',(slot-value object n))
                        `(slot-makunbound ,object ',n))
                    stores))))
        (values `(allocate-instance (find-class ',name))
                `(progn ,@(nreverse stores))))
      (%structure-load-form-saving-slots object slot-names slot-names-p)))

;;; ---- describe-object ----

(%replace-with-generic 'describe-object)
(defgeneric describe-object (object stream))
(defmethod describe-object ((object t) stream)
  (format stream "~&~S~%  [~S]~%" object (type-of object))
  (values))
(defmethod describe-object ((object standard-object) stream)
  (let ((class (class-of object)))
    (format stream "~&~S~%  [an instance of class ~S]~%" object (%class-name* class))
    (when (%class-slots class)
      (format stream "  Slots:~%")
      (dolist (s (%class-slots class))
        (let ((n (%slotd-name s)))
          (if (slot-boundp object n)
              (format stream "    ~S = ~S~%" n (slot-value object n))
              (format stream "    ~S: unbound~%" n))))))
  (values))

;;; ---- instance update and change-class (CLHS 4.3.6, 7.2) ----

(defgeneric update-instance-for-redefined-class
    (instance added-slots discarded-slots property-list &rest initargs &key &allow-other-keys))
(defmethod update-instance-for-redefined-class ((instance standard-object) added discarded plist &rest initargs)
  (declare (ignore discarded plist))
  (apply #'shared-initialize instance added initargs))

(defgeneric update-instance-for-different-class (previous current &rest initargs &key &allow-other-keys))
(defmethod update-instance-for-different-class ((previous standard-object) (current standard-object) &rest initargs)
  (let ((added (remove-if (lambda (n) (slot-exists-p previous n))
                          (mapcar #'%slotd-name (%class-slots (class-of current))))))
    (apply #'shared-initialize current added initargs)))

(defgeneric change-class (instance new-class &rest initargs &key &allow-other-keys))
(defmethod change-class ((instance t) (new-class symbol) &rest initargs)
  (apply #'change-class instance (find-class new-class) initargs))
(defun %metaobject-class-p (class)
  (some (lambda (n) (member (find-class n) (class-precedence-list class) :test #'eq))
        '(class generic-function method)))

(defmethod change-class ((instance standard-object) (new-class standard-class) &rest initargs)
  (when (or (%metaobject-class-p (class-of instance)) (%metaobject-class-p new-class))
    (error "CHANGE-CLASS: ~S cannot become an instance of ~S (metaobjects do not change class)"
           instance (%class-name* new-class)))
  (%check-instance-current instance)
  (%ensure-finalized new-class)
  (let* ((previous (%make-std-instance (%std-instance-layout instance)
                                       (copy-seq (%std-instance-slots instance))))
         (layout (%class-layout new-class))
         (names (svref layout 1))
         (slots (make-array (length names) :initial-element '%unbound-slot)))
    (dotimes (i (length names))
      (let ((n (svref names i)))
        (when (and (slot-exists-p previous n) (slot-boundp previous n))
          (setf (svref slots i) (slot-value previous n)))))
    (%set-std-instance-slots instance slots)
    (%set-std-instance-layout instance layout)
    (apply #'update-instance-for-different-class previous instance initargs)
    instance))

(defgeneric make-instances-obsolete (class))
(defmethod make-instances-obsolete ((class symbol))
  (make-instances-obsolete (find-class class))
  class)
(defmethod make-instances-obsolete ((class standard-class))
  (let ((layout (%class-layout class)))
    (setf (%class-layout class) (%make-layout class (copy-seq (svref layout 1)))))
  class)

(defgeneric function-keywords (method))
(defmethod function-keywords ((method standard-method))
  (let ((p (%parse-ll (%gslot method 3))))
    (values (fifth p) (sixth p))))

;;; ---- subtypep and classes ----

(defvar *%subtypep-without-classes* #'subtypep)

(defun %class-type-name (x)
  ;; A class object as a type specifier: its proper name, else itself.
  (if (and (%class-object-p x) (%class-name* x) (eq (find-class (%class-name* x) nil) x))
      (%class-name* x)
      x))

(defun %standard-class-named (x)
  (let ((c (cond ((%class-object-p x) x)
                 ((and (symbolp x) x) (get x '%class))
                 (t nil))))
    (and c (eq (%class-name* (class-of c)) 'standard-class) c)))

(defun %class-spec (x)
  ;; A type specifier with proper class objects named and DEFTYPEs at the
  ;; head expanded.
  (let ((x (%class-type-name x)))
    (if (or (symbolp x) (consp x)) (%expand-type x) x)))

(defun %mentions-std-class-p (spec)
  (cond ((consp spec)
         (and (member (car spec) '(and or not))
              (some (lambda (x) (%mentions-std-class-p (%class-spec x))) (cdr spec))))
        (t (or (%standard-class-named spec) (%class-object-p spec)))))

(defun %class-subtypep (a b)
  ;; SUBTYPEP where a standard class (or an anonymous class) takes part.
  ;; Instances of standard classes are disjoint from every built-in type;
  ;; two standard classes may share instances through a common subclass.
  (let ((a (%class-spec a)) (b (%class-spec b)))
    (flet ((sub (x y) (multiple-value-list (%class-subtypep x y))))
      (cond ((null a) (values t t))
            ((member b '(t atom)) (values t t))
            ((and (consp a) (eq (car a) 'or))
             (let ((rs (mapcar (lambda (x) (sub x b)) (cdr a))))
               (cond ((every #'car rs) (values t t))
                     ((some (lambda (r) (and (not (car r)) (cadr r))) rs) (values nil t))
                     (t (values nil nil)))))
            ((and (consp b) (eq (car b) 'and))
             (let ((rs (mapcar (lambda (y) (sub a y)) (cdr b))))
               (cond ((every #'car rs) (values t t))
                     ((some (lambda (r) (and (not (car r)) (cadr r))) rs) (values nil t))
                     (t (values nil nil)))))
            ((and (consp a) (eq (car a) 'and))
             (if (some (lambda (x) (car (sub x b))) (cdr a)) (values t t) (values nil nil)))
            ((and (consp b) (eq (car b) 'or))
             (cond ((some (lambda (y) (car (sub a y))) (cdr b)) (values t t))
                   ;; a standard class against built-in types only: disjoint
                   ((and (%standard-class-named a)
                         (every (lambda (y) (let ((y (%class-spec y)))
                                              (and (symbolp y) (not (%mentions-std-class-p y)))))
                                (cdr b)))
                    (values nil t))
                   (t (values nil nil))))
            ((and (consp b) (eq (car b) 'not))
             (let ((x (%class-spec (car (cdr b)))))
               (cond ((and (%standard-class-named a) (not (%mentions-std-class-p x))
                           (not (member x '(t atom standard-object))) (symbolp x))
                      (values t t))          ; disjoint from a built-in type
                     ((car (sub a x)) (values nil t))
                     (t (values nil nil)))))
            ((and (consp a) (member (car a) '(eql member)))
             (values (every (lambda (v) (typep v b)) (cdr a)) t))
            ((consp a) (values nil nil))
            ((consp b) (values nil (and (%standard-class-named a) (symbolp (car b))
                                        (not (member (car b) '(not satisfies)))
                                        t)))
            (t (%class-subtypep-atomic a b))))))

(defun %class-subtypep-atomic (a b)
  (let ((ca (or (%standard-class-named a) (and (%class-object-p a) a)))
        (cb (or (%standard-class-named b) (and (%class-object-p b) b)
                (and (symbolp b) (find-class b nil)))))
    (cond ((and ca cb) (values (not (null (member cb (class-precedence-list ca) :test #'eq))) t))
          (ca (values nil t))                 ; b names no class: a built-in type
          ((%standard-class-named b) (values nil t))
          (t (values nil nil)))))

(defun subtypep (type-1 type-2 &optional environment)
  "True if TYPE-1 is a subtype of TYPE-2; the second value says whether that is certain."
  (declare (ignore environment))
  (let ((a (%class-spec type-1)) (b (%class-spec type-2)))
    (if (or (%mentions-std-class-p a) (%mentions-std-class-p b))
        (%class-subtypep a b)
        (funcall *%subtypep-without-classes* a b))))

(in-package "COMMON-LISP-USER")
