;;;; lisp/src/ffi.lisp — PETREL-FFI, the Lisp half of the foreign function
;;;; interface (the C half is ffi/, design in ffi/README.md): libraries as
;;;; objects, the type parser (built-in keywords, (:pointer ...), structures),
;;;; MEM-REF and friends with SETF, allocation macros that free on any exit,
;;;; DEFCSTRUCT, DEFCFUN and DEFCALLBACK.  Names and semantics follow CFFI.
;;;; The built-in primitives are PETREL-SYSTEM::%... functions from ffi/.

(in-package "PETREL-FFI")

(export '(foreign-error load-foreign-library-error foreign-pointer
          load-foreign-library close-foreign-library foreign-library foreign-library-p
          foreign-library-name foreign-symbol-pointer
          foreign-type-size foreign-type-alignment
          foreign-alloc mem-ref mem-aref
          with-foreign-object with-foreign-objects with-foreign-pointer
          foreign-string-to-lisp lisp-string-to-foreign with-foreign-string with-foreign-strings
          defcstruct foreign-slot-value foreign-slot-pointer foreign-slot-offset foreign-slot-names
          with-foreign-slots
          defcfun defcallback callback get-callback))

(define-condition foreign-error (simple-error) ()
  (:documentation "An error of the foreign function interface (a bad type, a missing symbol, a null pointer)."))

(define-condition load-foreign-library-error (foreign-error) ()
  (:documentation "A foreign library could not be loaded: the message names it and gives dlerror's text."))

(defun %ffi-error (control &rest arguments)
  (error 'foreign-error :format-control control :format-arguments arguments))

;;; ------------------------------------------------------------ libraries

(defstruct (foreign-library (:constructor %make-foreign-library (name handle)))
  "A library LOAD-FOREIGN-LIBRARY opened: NAME as given, HANDLE a pointer (NIL once closed)."
  name handle)

(defun load-foreign-library (library)
  "Loads LIBRARY (a path or a soname such as \"libm.so.6\", a string or a
pathname) with dlopen (RTLD_NOW, RTLD_GLOBAL) and returns a FOREIGN-LIBRARY.
Signals LOAD-FOREIGN-LIBRARY-ERROR if it cannot be loaded."
  (let ((name (if (pathnamep library) (namestring library) library)))
    (%make-foreign-library name (petrel-system::%dlopen name))))

(defun close-foreign-library (library)
  "Closes LIBRARY (from LOAD-FOREIGN-LIBRARY); true if it was open."
  (unless (foreign-library-p library)
    (error 'type-error :datum library :expected-type 'foreign-library))
  (let ((handle (foreign-library-handle library)))
    (when handle
      (setf (foreign-library-handle library) nil)
      (petrel-system::%dlclose handle))))

(defun foreign-symbol-pointer (name &key (library :default))
  "The address of the foreign symbol NAME (a string) as a pointer, or NIL.
LIBRARY :DEFAULT searches the program and every loaded library."
  (petrel-system::%foreign-symbol-pointer
   name (cond ((eq library :default) nil)
              ((and (foreign-library-p library) (foreign-library-handle library)))
              (t (%ffi-error "FOREIGN-SYMBOL-POINTER: ~S is not an open foreign library" library)))))

;;; ------------------------------------------------------------ types

(defstruct (%cstruct (:constructor %make-cstruct (name slots size alignment)))
  name slots size alignment)            ; slots: list of (name type offset count)

(defvar *cstructs* (make-hash-table :test 'eq :synchronized t)
  "Structure name -> %CSTRUCT (DEFCSTRUCT).")

(defun %parse-type (type)
  "A built-in type keyword, or a %CSTRUCT for (:struct name) or a structure name."
  (cond ((keywordp type)
         (if (petrel-system::%builtin-foreign-type-p type)
             type
             (let ((s (gethash type *cstructs*)))
               (or s (%ffi-error "~S is not a known foreign type (expected a keyword such as :INT, ~
                                   :DOUBLE, :POINTER, :STRING, or (:STRUCT name))" type)))))
        ((and (consp type) (eq (car type) :pointer)) :pointer)
        ((and (consp type) (eq (car type) :struct) (consp (cdr type)))
         (or (gethash (cadr type) *cstructs*)
             (%ffi-error "(:STRUCT ~S) is not a defined foreign structure" (cadr type))))
        ((and (symbolp type) (gethash type *cstructs*)))
        (t (%ffi-error "~S is not a known foreign type" type))))

(defun foreign-type-size (type)
  "Size in bytes of the foreign TYPE, padding included for a structure."
  (let ((ty (%parse-type type)))
    (if (keywordp ty) (petrel-system::%foreign-type-size ty) (%cstruct-size ty))))

(defun foreign-type-alignment (type)
  "Alignment in bytes of the foreign TYPE."
  (let ((ty (%parse-type type)))
    (if (keywordp ty) (petrel-system::%foreign-type-alignment ty) (%cstruct-alignment ty))))

;;; ------------------------------------------------------------ memory

(defun mem-ref (ptr type &optional (offset 0))
  "The value of foreign TYPE at PTR plus OFFSET bytes; for a structure type, a
pointer to it.  A null pointer signals FOREIGN-ERROR."
  (if (keywordp type)
      (petrel-system::%mem-ref ptr type offset)
      (let ((ty (%parse-type type)))
        (if (keywordp ty) (petrel-system::%mem-ref ptr ty offset) (inc-pointer ptr offset)))))

(defun (setf mem-ref) (value ptr type &optional (offset 0))
  (let ((ty (if (keywordp type) type (%parse-type type))))
    (unless (keywordp ty)
      (%ffi-error "(SETF MEM-REF): cannot store a whole structure (~S); set its slots" type))
    (petrel-system::%mem-set value ptr ty offset)))

(defun mem-aref (ptr type &optional (index 0))
  "Element INDEX of the foreign array of TYPE at PTR."
  (mem-ref ptr type (* index (foreign-type-size type))))

(defun (setf mem-aref) (value ptr type &optional (index 0))
  (setf (mem-ref ptr type (* index (foreign-type-size type))) value))

(defun foreign-alloc (type &key (count 1 count-p) (initial-element nil initial-element-p)
                               (initial-contents nil initial-contents-p))
  "Allocates zeroed foreign memory for COUNT objects of TYPE (malloc); free it
with FOREIGN-FREE.  INITIAL-ELEMENT fills every element, INITIAL-CONTENTS (a
sequence) the first ones; COUNT defaults to its length."
  (when (and initial-contents-p (not count-p))
    (setf count (length initial-contents)))
  (unless (and (integerp count) (>= count 0))
    (error 'type-error :datum count :expected-type '(integer 0)))
  (when (and initial-contents-p (> (length initial-contents) count))
    (%ffi-error "FOREIGN-ALLOC: ~D initial contents do not fit ~D elements" (length initial-contents) count))
  (let* ((size (foreign-type-size type))
         (ptr (petrel-system::%foreign-alloc (* size (max count 1))))
         (done nil))
    (unwind-protect
         (progn
           (when initial-element-p
             (dotimes (i count) (setf (mem-aref ptr type i) initial-element)))
           (when initial-contents-p
             (let ((i 0))
               (map nil (lambda (x) (setf (mem-aref ptr type i) x) (incf i)) initial-contents)))
           (setf done t)
           ptr)
      (unless done (foreign-free ptr)))))

(defmacro with-foreign-object ((var type &optional (count 1)) &body body)
  "Binds VAR to foreign memory for COUNT objects of TYPE during BODY; the
memory is freed however BODY exits."
  `(let ((,var (foreign-alloc ,type :count ,count)))
     (unwind-protect (progn ,@body)
       (foreign-free ,var))))

(defmacro with-foreign-objects (bindings &body body)
  "WITH-FOREIGN-OBJECT for each (var type &optional count) of BINDINGS."
  (if (null bindings)
      `(progn ,@body)
      `(with-foreign-object ,(car bindings)
         (with-foreign-objects ,(cdr bindings) ,@body))))

(defmacro with-foreign-pointer ((var size &optional size-var) &body body)
  "Binds VAR to SIZE bytes of foreign memory (and SIZE-VAR to SIZE) during BODY."
  (let ((n (or size-var (gensym "SIZE"))))
    `(let* ((,n ,size)
            (,var (petrel-system::%foreign-alloc ,n)))
       (unwind-protect (progn ,@body)
         (foreign-free ,var)))))

;;; ------------------------------------------------------------ strings

(defun foreign-string-to-lisp (pointer &key (offset 0) count max-chars)
  "The Lisp string of the NUL-terminated UTF-8 string at POINTER plus OFFSET
(at most COUNT bytes); NIL for a null pointer."
  (let ((s (petrel-system::%foreign-string-to-lisp pointer offset count)))
    (if (and s max-chars (> (length s) max-chars)) (subseq s 0 max-chars) s)))

(defun lisp-string-to-foreign (string buffer bufsize &key (start 0) end (offset 0))
  "Copies STRING (from START to END) into BUFFER plus OFFSET as NUL-terminated
UTF-8, at most BUFSIZE bytes with the NUL; returns BUFFER."
  (let ((s (if (or (/= start 0) end) (subseq string start end) string)))
    (petrel-system::%lisp-string-to-foreign s buffer bufsize offset)))

(defmacro with-foreign-string ((var-or-vars string &rest args) &body body)
  "Binds VAR to a foreign copy of STRING (UTF-8, NUL-terminated) during BODY;
with (VAR SIZE-VAR), SIZE-VAR gets its size in bytes with the NUL.  Freed
however BODY exits."
  (declare (ignore args))
  (let ((var (if (consp var-or-vars) (first var-or-vars) var-or-vars))
        (size-var (if (consp var-or-vars) (second var-or-vars) nil)))
    `(let ((,var (foreign-string-alloc ,string)))
       (unwind-protect
            (let (,@(when size-var
                      `((,size-var (1+ (petrel-system::%foreign-string-length ,var))))))
              ,@body)
         (foreign-free ,var)))))

(defmacro with-foreign-strings (bindings &body body)
  (if (null bindings)
      `(progn ,@body)
      `(with-foreign-string ,(car bindings)
         (with-foreign-strings ,(cdr bindings) ,@body))))

(defun petrel-system::%foreign-string-length (pointer)
  (foreign-funcall "strlen" :pointer pointer :size))

;;; ------------------------------------------------------------ structures

(defun %align-up (n alignment) (* alignment (ceiling n alignment)))

(defun %define-cstruct (name slot-specs)
  (let ((offset 0) (alignment 1) (slots '()))
    (dolist (spec slot-specs)
      (destructuring-bind (slot-name type &key (count 1) ((:offset fixed))) spec
        (let ((a (foreign-type-alignment type)))
          (setf offset (or fixed (%align-up offset a))
                alignment (max alignment a))
          (push (list slot-name type offset count) slots)
          (setf offset (+ offset (* count (foreign-type-size type)))))))
    (setf (gethash name *cstructs*)
          (%make-cstruct name (nreverse slots) (%align-up offset alignment) alignment))
    name))

(defmacro defcstruct (name-and-options &body slots)
  "Defines the C structure NAME, laid out as a C compiler does (each slot at
its type's alignment, the size padded to the largest).  A slot is
(name type &key count offset).  Its type is then (:STRUCT NAME)."
  (let ((name (if (consp name-and-options) (car name-and-options) name-and-options)))
    ;; at compile time too: DEFCFUN and DEFCALLBACK parse types when they expand
    `(eval-when (:compile-toplevel :load-toplevel :execute)
       (%define-cstruct ',name ',(remove-if #'stringp slots)))))

(defun %find-slot (type slot-name)
  (let ((s (%parse-type type)))
    (when (keywordp s) (%ffi-error "~S is not a foreign structure type" type))
    (or (assoc slot-name (%cstruct-slots s))
        (%ffi-error "~S has no slot named ~S (slots: ~S)" type slot-name (mapcar #'car (%cstruct-slots s))))))

(defun foreign-slot-offset (type slot-name)
  (third (%find-slot type slot-name)))

(defun foreign-slot-names (type)
  (let ((s (%parse-type type)))
    (when (keywordp s) (%ffi-error "~S is not a foreign structure type" type))
    (mapcar #'car (%cstruct-slots s))))

(defun foreign-slot-pointer (ptr type slot-name)
  (inc-pointer ptr (foreign-slot-offset type slot-name)))

(defun foreign-slot-value (ptr type slot-name)
  "The value of slot SLOT-NAME of the structure of TYPE at PTR; a pointer to
it for an array slot (:count) or a structure slot."
  (destructuring-bind (name slot-type offset count) (%find-slot type slot-name)
    (declare (ignore name))
    (if (= count 1)
        (mem-ref ptr slot-type offset)
        (inc-pointer ptr offset))))

(defun (setf foreign-slot-value) (value ptr type slot-name)
  (destructuring-bind (name slot-type offset count) (%find-slot type slot-name)
    (declare (ignore name))
    (unless (= count 1)
      (%ffi-error "(SETF FOREIGN-SLOT-VALUE): slot ~S of ~S is an array; set its elements" slot-name type))
    (setf (mem-ref ptr slot-type offset) value)))

(defmacro with-foreign-slots ((vars ptr type) &body body)
  "Each of VARS names a slot of the structure of TYPE at PTR (or is (var
slot)), read and set with FOREIGN-SLOT-VALUE, during BODY."
  (let ((p (gensym "PTR")))
    `(let ((,p ,ptr))
       (symbol-macrolet
           ,(mapcar (lambda (v)
                      (let ((var (if (consp v) (first v) v))
                            (slot (if (consp v) (second v) v)))
                        `(,var (foreign-slot-value ,p ',type ',slot))))
                    vars)
         ,@body))))

;;; ------------------------------------------------------------ functions

(defun %call-type (type)
  "The keyword FOREIGN-FUNCALL wants for TYPE in an argument or return position."
  (let ((ty (%parse-type type)))
    (if (keywordp ty)
        ty
        (%ffi-error "~S: structures by value are not supported; pass a :POINTER" type))))

(defun %lisp-name-of (c-name)
  (intern (string-upcase (substitute #\- #\_ c-name))))

(defmacro defcfun (name-and-options return-type &body args)
  "Defines a Lisp function that calls a foreign function.  NAME-AND-OPTIONS is
\"c_name\" (the Lisp name made from it: underscores to hyphens), or
(\"c_name\" lisp-name) or (lisp-name \"c_name\").  ARGS are (name type); a
docstring may come first."
  (let* ((c-name (if (consp name-and-options)
                     (find-if #'stringp name-and-options)
                     name-and-options))
         (lisp-name (if (consp name-and-options)
                        (find-if #'symbolp name-and-options)
                        (%lisp-name-of name-and-options)))
         (doc (when (stringp (car args)) (list (pop args)))))
    (unless (and (stringp c-name) lisp-name)
      (%ffi-error "DEFCFUN: bad name ~S (expected \"c_name\" or (\"c_name\" lisp-name))" name-and-options))
    (when (member '&rest args)
      (%ffi-error "DEFCFUN ~S: variadic functions are not supported; use FOREIGN-FUNCALL" lisp-name))
    (let ((names (mapcar #'first args))
          (types (mapcar (lambda (a) (%call-type (second a))) args)))
      `(defun ,lisp-name ,names
         ,@doc
         (foreign-funcall ,c-name
                          ,@(mapcan #'list types names)
                          ,(%call-type return-type))))))

;;; ------------------------------------------------------------ callbacks

(defvar *callback-lock* (petrel-threads:make-lock "ffi callbacks"))
(defvar *callback-functions* (make-array 16 :initial-element nil)
  "Callback index -> Lisp function; replaced (never changed in place) when it grows.")
(defvar *callback-count* 0)
(defvar *callbacks* (make-hash-table :test 'eq :synchronized t)
  "Callback name -> (index return-type arg-types pointer).")

(defun petrel-system::%ffi-run-callback (index &rest arguments)
  (apply (svref *callback-functions* index) arguments))

(defun %defcallback (name return-type arg-types function)
  (petrel-threads:with-lock-held (*callback-lock*)
    (let ((entry (gethash name *callbacks*)))
      (if (and entry (equal (second entry) return-type) (equal (third entry) arg-types))
          (setf (svref *callback-functions* (first entry)) function)
          (let ((index *callback-count*)
                (table *callback-functions*))
            (when (>= index (length table))
              (let ((new (make-array (* 2 (length table)) :initial-element nil)))
                (replace new table)
                (setf table new)))
            (setf (svref table index) function
                  *callback-functions* table)
            (let ((pointer (petrel-system::%make-callback index return-type arg-types)))
              (setf *callback-count* (1+ index)
                    (gethash name *callbacks*) (list index return-type arg-types pointer)))))))
  name)

(defmacro defcallback (name return-type args &body body)
  "Defines a callback NAME: a C function of ARGS ((name type) ...) returning
RETURN-TYPE that runs BODY.  (CALLBACK NAME) is its address.  It may be
called from any thread, C-created ones included.  A non-local exit out of it
stops at its C boundary: it returns 0 to C and the exit resumes when the
foreign call around it returns (ffi/README.md)."
  `(%defcallback ',name ',(%call-type return-type)
                 ',(mapcar (lambda (a) (%call-type (second a))) args)
                 (lambda ,(mapcar #'first args) ,@body)))

(defun get-callback (name)
  "The pointer of callback NAME."
  (let ((entry (gethash name *callbacks*)))
    (unless entry (%ffi-error "~S is not a defined callback" name))
    (fourth entry)))

(defmacro callback (name)
  "The pointer of callback NAME (unevaluated)."
  `(get-callback ',name))
