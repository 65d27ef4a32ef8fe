;;;; lisp/src/types.lisp — the type system in Lisp (CLHS chapter 4): DEFTYPE,
;;;; SUBTYPEP, COERCE, TYPECASE/ETYPECASE/CTYPECASE and the element-type
;;;; upgrader.  TYPEP and the checks behind THE are C (lisp/types.c).
;;;;
;;;; SUBTYPEP normalises each type to a set over a fixed partition of the
;;;; universe into disjoint classes (integer, ratio, the floats, character,
;;;; symbol, cons, the array classes, ...).  A set maps each class to a
;;;; descriptor: T for a whole flag class, a sorted list of disjoint
;;;; intervals for the real and array-length classes, (:in . objects) or
;;;; (:out . objects) for the member classes.  What the partition cannot
;;;; express (satisfies, cons and complex part types, condition and
;;;; structure subtypes, arrays of other ranks) is bracketed: each type
;;;; gets an UNDER set (contained in it) and an OVER set (containing it).
;;;; A <= B iff A and (not B) is empty: its OVER set empty proves T T, its
;;;; UNDER set non-empty proves NIL T; otherwise the answer is NIL NIL.
;;;; Never a wrong T: every step keeps UNDER within and OVER around the type.

(in-package "PETREL-SYSTEM")

;;; ---- deftype ----

(defun %deftype-lambda-list (lambda-list)
  ;; Optional and keyword parameters without a default default to '*.
  (let ((mode nil) (out nil))
    (dolist (p lambda-list (nreverse out))
      (cond ((member p '(&optional &key)) (setq mode p) (push p out))
            ((member p lambda-list-keywords) (setq mode nil) (push p out))
            ((and mode (symbolp p)) (push (list p ''*) out))
            ((and mode (consp p) (null (cdr p))) (push (list (car p) ''*) out))
            (t (push p out))))))

(defmacro deftype (name lambda-list &body body)
  (let ((whole (gensym "WHOLE")) (doc nil))
    (multiple-value-bind (decls forms) (%split-decls body)
      (when (and (stringp (car forms)) (cdr forms)) (setq doc (car forms) forms (cdr forms)))
      `(eval-when (:compile-toplevel :load-toplevel :execute)
         ,@(when doc `((%put ',name '%type-documentation ,doc)))
         (%put ',name '%deftype
               (function (lambda (,whole)
                 (destructuring-bind ,(%deftype-lambda-list lambda-list) (cdr ,whole)
                   ,@decls
                   (block ,name ,@forms)))))
         ',name))))

(defun %expand-type (spec)
  ;; Expands DEFTYPEs at the head of SPEC until it names no deftype.
  (let ((count 0))
    (loop
      (let* ((head (if (consp spec) (car spec) spec))
             (fn (and (symbolp head) (get head '%deftype))))
        (unless fn (return spec))
        (when (> (setq count (1+ count)) 1000)
          (error "DEFTYPE: expansion of ~S does not terminate" spec))
        (setq spec (funcall fn (if (consp spec) spec (list spec))))))))

;;; ---- element types ----

(defparameter *upgraded-element-types*
  ;; CLHS 15.1.2.1: the specialised element types, the narrowest first; the
  ;; C array layer (lisp/array.c) knows the same list.
  '(bit (unsigned-byte 8) (signed-byte 8) (unsigned-byte 16) (signed-byte 16)
    (unsigned-byte 32) (signed-byte 32) fixnum (unsigned-byte 64) (signed-byte 64)
    single-float double-float character))

(defun %upgraded-element-type (type)
  (cond ((member type '(t *)) t)
        (t (dolist (u *upgraded-element-types* t)
             (when (subtypep type u) (return u))))))

(defun upgraded-array-element-type (typespec &optional environment)
  (declare (ignore environment))
  (%upgraded-etype typespec))

(defparameter *array-etype-classes*
  ;; upgraded element type -> (simple-1d-class nonsimple-1d-class other-rank-class)
  '((character string vector-char array-char) (t svector vector-t array-t)
    (bit bitvector vector-bit array-bit)
    ((unsigned-byte 8) svec-ub8 vec-ub8 arr-ub8) ((signed-byte 8) svec-sb8 vec-sb8 arr-sb8)
    ((unsigned-byte 16) svec-ub16 vec-ub16 arr-ub16) ((signed-byte 16) svec-sb16 vec-sb16 arr-sb16)
    ((unsigned-byte 32) svec-ub32 vec-ub32 arr-ub32) ((signed-byte 32) svec-sb32 vec-sb32 arr-sb32)
    (fixnum svec-fix vec-fix arr-fix)
    ((unsigned-byte 64) svec-ub64 vec-ub64 arr-ub64) ((signed-byte 64) svec-sb64 vec-sb64 arr-sb64)
    (single-float svec-sf vec-sf arr-sf) (double-float svec-df vec-df arr-df)))

(defun upgraded-complex-part-type (typespec &optional environment)
  ;; Complex parts are stored as they are (num_complex.c): both rational, or
  ;; both floats of one format.
  (declare (ignore environment))
  (cond ((subtypep typespec 'single-float) 'single-float)
        ((subtypep typespec 'double-float) 'double-float)
        ((subtypep typespec 'float) 'float)
        ((subtypep typespec 'rational) 'rational)
        (t 'real)))

;;; ---- sets over the class partition ----

(defparameter *type-classes*
  ;; (class . kind): kind :range (reals), :length (array lengths), :member, :flag
  '((integer . :range) (ratio . :range) (single-float . :range) (double-float . :range)
    (complex-rational . :flag) (complex-single . :flag) (complex-double . :flag)
    (character . :member) (null . :flag) (symbol . :member) (cons . :flag)
    (string . :length) (svector . :length) (bitvector . :length)
    (vector-char . :length) (vector-t . :length) (vector-bit . :length)
    (array-char . :flag) (array-t . :flag) (array-bit . :flag)
    (svec-ub8 . :length) (vec-ub8 . :length) (arr-ub8 . :flag)
    (svec-sb8 . :length) (vec-sb8 . :length) (arr-sb8 . :flag)
    (svec-ub16 . :length) (vec-ub16 . :length) (arr-ub16 . :flag)
    (svec-sb16 . :length) (vec-sb16 . :length) (arr-sb16 . :flag)
    (svec-ub32 . :length) (vec-ub32 . :length) (arr-ub32 . :flag)
    (svec-sb32 . :length) (vec-sb32 . :length) (arr-sb32 . :flag)
    (svec-fix . :length) (vec-fix . :length) (arr-fix . :flag)
    (svec-ub64 . :length) (vec-ub64 . :length) (arr-ub64 . :flag)
    (svec-sb64 . :length) (vec-sb64 . :length) (arr-sb64 . :flag)
    (svec-sf . :length) (vec-sf . :length) (arr-sf . :flag)
    (svec-df . :length) (vec-df . :length) (arr-df . :flag)
    (function . :flag) (package . :flag) (stream . :flag) (hash-table . :flag)
    (condition . :flag) (structure . :flag) (random-state . :flag) (readtable . :flag)
    (pathname . :flag) (restart . :flag) (standard-object . :flag) (other . :flag)))

(defun %class-kind (class) (cdr (assoc class *type-classes*)))
(defun %counted-class-p (class)
  ;; integers and array lengths: intervals of integers
  (or (eq class 'integer) (eq (%class-kind class) :length)))

(defun %full-desc (class)
  (let ((kind (%class-kind class)))
    (cond ((eq kind :range) (list (cons nil nil)))
          ((eq kind :length) (list (cons 0 nil)))
          ((eq kind :member) (list :out))
          (t t))))

;; Bounds: NIL (unbounded), a real (inclusive) or (real) (exclusive).
(defun %bval (b) (if (consp b) (car b) b))
(defun %bexcl (b) (consp b))

(defun %lo<= (a b)
  ;; Does lower bound A admit at least what lower bound B admits (A no higher)?
  (cond ((null a) t) ((null b) nil)
        ((< (%bval a) (%bval b)) t) ((> (%bval a) (%bval b)) nil)
        (t (or (not (%bexcl a)) (%bexcl b)))))

(defun %hi>= (a b)
  (cond ((null a) t) ((null b) nil)
        ((> (%bval a) (%bval b)) t) ((< (%bval a) (%bval b)) nil)
        (t (or (not (%bexcl a)) (%bexcl b)))))

(defun %integer-bound (b lower)
  ;; The integer-class form of a bound: an inclusive integer, except the
  ;; huge float powers of two of (unsigned-byte n), which stay as they are.
  (let ((v (%bval b)))
    (cond ((null b) nil)
          ((and (floatp v) (>= (abs v) 1d18)) b)
          ;; at the fixnum limits an exclusive bound stays exclusive
          ((and (integerp v) (%bexcl b) (if lower (= v most-positive-fixnum) (= v most-negative-fixnum))) b)
          (lower (if (%bexcl b) (1+ (floor v)) (ceiling v)))
          (t (if (%bexcl b) (1- (ceiling v)) (floor v))))))

(defun %interval-empty-p (class lo hi)
  (cond ((or (null lo) (null hi)) nil)
        ((> (%bval lo) (%bval hi)) t)
        ((< (%bval lo) (%bval hi))
         (and (%counted-class-p class)
              (%bexcl lo) (%bexcl hi) (integerp (%bval lo)) (integerp (%bval hi))
              (< (%bval lo) most-positive-fixnum)
              (= (1+ (%bval lo)) (%bval hi))))
        ((or (%bexcl lo) (%bexcl hi)) t)
        ((eq class 'ratio) (let ((v (%bval lo)))
                             (if (floatp v) (multiple-value-bind (q r) (floor v) (declare (ignore q)) (= r 0))
                                 (integerp v))))
        (t nil)))

(defun %make-interval (class lo hi)
  ;; The interval as a one-element list, or NIL when it holds nothing of CLASS.
  (when (%counted-class-p class)
    (setq lo (%integer-bound lo t) hi (%integer-bound hi nil)))
  (if (%interval-empty-p class lo hi) nil (list (cons lo hi))))

(defun %max-lo (a b) (if (%lo<= a b) b a))
(defun %min-hi (a b) (if (%hi>= a b) b a))

(defun %ranges-intersect (class a b)
  (let ((out nil))
    (dolist (x a)
      (dolist (y b)
        (setq out (append out (%make-interval class (%max-lo (car x) (car y))
                                              (%min-hi (cdr x) (cdr y)))))))
    out))

(defun %flip (b) (if (consp b) (car b) (list b)))

(defun %ranges-complement (class ranges)
  ;; Gaps between the sorted disjoint intervals, within the class universe.
  (let ((out nil)
        (lo (car (car (%full-desc class)))))
    (dolist (r ranges)
      (when (car r)
        (setq out (append out (%make-interval class lo (%flip (car r))))))
      (setq lo (and (cdr r) (%flip (cdr r))))
      (unless (cdr r) (return-from %ranges-complement out)))
    (append out (%make-interval class lo nil))))

(defun %ranges-union (class a b)
  (%ranges-complement class (%ranges-intersect class (%ranges-complement class a)
                                               (%ranges-complement class b))))

(defun %items-union (a b)
  (let ((out (copy-list a)))
    (dolist (x b out) (unless (member x out) (push x out)))))
(defun %items-intersect (a b) (remove-if (lambda (x) (not (member x b))) a))
(defun %items-minus (a b) (remove-if (lambda (x) (member x b)) a))

(defun %members-op (op a b)
  ;; A and B are (:in . items) / (:out . items).
  (let ((ina (eq (car a) :in)) (inb (eq (car b) :in)) (xa (cdr a)) (xb (cdr b)))
    (if (eq op :union)
        (cond ((and ina inb) (cons :in (%items-union xa xb)))
              (ina (cons :out (%items-minus xb xa)))
              (inb (cons :out (%items-minus xa xb)))
              (t (cons :out (%items-intersect xa xb))))
        (cond ((and ina inb) (cons :in (%items-intersect xa xb)))
              (ina (cons :in (%items-minus xa xb)))
              (inb (cons :in (%items-minus xb xa)))
              (t (cons :out (%items-union xa xb)))))))

(defun %desc-empty-p (desc)
  (or (null desc) (and (consp desc) (eq (car desc) :in) (null (cdr desc)))))

(defun %desc-op (op class a b)
  (let ((kind (%class-kind class)))
    (cond ((member kind '(:range :length))
           (if (eq op :union) (%ranges-union class a b) (%ranges-intersect class a b)))
          ((eq kind :member) (%members-op op a b))
          (t t))))

(defun %desc-complement (class desc)
  (let ((kind (%class-kind class)))
    (cond ((member kind '(:range :length)) (%ranges-complement class desc))
          ((eq kind :member) (cons (if (eq (car desc) :in) :out :in) (cdr desc)))
          (t nil))))

(defun %set-add (set class desc)
  (if (%desc-empty-p desc) set (cons (cons class desc) set)))

(defun %set-union (a b)
  (let ((out nil))
    (dolist (c *type-classes* out)
      (let ((x (assoc (car c) a)) (y (assoc (car c) b)))
        (setq out (%set-add out (car c)
                            (cond ((and x y) (%desc-op :union (car c) (cdr x) (cdr y)))
                                  (x (cdr x))
                                  (y (cdr y)))))))))

(defun %set-intersect (a b)
  (let ((out nil))
    (dolist (c *type-classes* out)
      (let ((x (assoc (car c) a)) (y (assoc (car c) b)))
        (when (and x y)
          (setq out (%set-add out (car c) (%desc-op :intersect (car c) (cdr x) (cdr y)))))))))

(defun %set-complement (a)
  (let ((out nil))
    (dolist (c *type-classes* out)
      (let ((x (assoc (car c) a)))
        (setq out (%set-add out (car c) (if x (%desc-complement (car c) (cdr x))
                                            (%full-desc (car c)))))))))

(defun %set-of (&rest classes)
  (let ((out nil))
    (dolist (c classes out) (setq out (%set-add out c (%full-desc c))))))

(defun %all-set () (%set-complement nil))

;;; ---- normal forms: (values under over) ----

(defun %exact (set) (values set set))
(defun %bracket (under over) (values under over))

(defun %range-set (classes lo hi)
  (let ((out nil))
    (dolist (c classes out) (setq out (%set-add out c (%make-interval c lo hi))))))

(defun %bound-arg (b what spec)
  (cond ((eq b '*) nil)
        ((realp b) b)
        ((and (consp b) (realp (car b)) (null (cdr b))) b)
        (t (error "~S: bad bound ~S in type specifier ~S" what b spec))))

(defun %two-power (n)
  (if (< n 61) (ash 1 n) (let ((x 1d0)) (dotimes (i n x) (setq x (* x 2))))))

(defun %member-set (items)
  ;; (values under over) of (member ,@items).
  (let ((under nil) (over nil))
    (dolist (x items)
      (multiple-value-bind (u o) (%member-1 x)
        (setq under (%set-union under u) over (%set-union over o))))
    (values under over)))

(defun %member-1 (x)
  (cond ((null x) (%exact (%set-of 'null)))
        ((symbolp x) (%exact (list (cons 'symbol (list :in x)))))
        ((characterp x) (%exact (list (cons 'character (list :in x)))))
        ((and (floatp x) (zerop x))     ; -0.0 and 0.0 share one point interval
         (%bracket nil (%range-set (list (%real-class x)) x x)))
        ((realp x) (%exact (%range-set (list (%real-class x)) x x)))
        (t (let ((c (%object-class x))) (%bracket nil (%set-of c))))))

(defun %real-class (x)
  (cond ((integerp x) 'integer) ((typep x 'ratio) 'ratio)
        ((typep x 'single-float) 'single-float) (t 'double-float)))

(defun %array-object-class (x)
  (let ((c (cdr (assoc (array-element-type x) *array-etype-classes* :test #'equal))))
    (cond ((/= (array-rank x) 1) (third c))
          ((typep x 'simple-array) (first c))
          (t (second c)))))

(defun %object-class (x)
  (cond ((consp x) 'cons) ((arrayp x) (%array-object-class x)) ((functionp x) 'function) ((packagep x) 'package)
        ((streamp x) 'stream) ((hash-table-p x) 'hash-table)
        ((typep x 'condition) 'condition)
        ((complexp x) (cond ((rationalp (realpart x)) 'complex-rational)
                            ((typep (realpart x) 'single-float) 'complex-single)
                            (t 'complex-double)))
        ((typep x 'structure-object) 'structure) (t 'other)))

(defparameter *standard-chars*
  (let ((out (list #\Newline)))
    (dotimes (i 95 out) (push (code-char (+ 32 i)) out))))

(defparameter *atomic-type-sets*
  ;; name -> (under-classes over-classes) or a specifier to normalise.
  '((atom . (not cons)) (list . (or null cons)) (sequence . (or list vector))
    (cons (cons) (cons)) (null (null) (null))
    (complex (complex-rational complex-single complex-double)
             (complex-rational complex-single complex-double))
    (number . (or real complex)) (real . (or rational float)) (rational . (or integer ratio))
    (float . (or single-float double-float)) (short-float . single-float)
    (long-float . double-float) (integer . (integer * *)) (ratio . (ratio * *))
    (single-float . (single-float * *)) (double-float . (double-float * *))
    (fixnum . (integer #.most-negative-fixnum #.most-positive-fixnum))
    (bignum . (or (integer * (#.most-negative-fixnum)) (integer (#.most-positive-fixnum) *)))
    (bit . (integer 0 1)) (boolean . (member t nil))
    (unsigned-byte . (integer 0 *)) (signed-byte . integer)
    (character . (%class character)) (base-char . character) (extended-char . nil)
    (symbol . (or null (%class symbol)))
    (array . (array * *)) (simple-array . (simple-array * *)) (vector . (vector * *))
    (simple-vector . (simple-vector *)) (string . (string *)) (simple-string . (simple-string *))
    (base-string . (string *)) (simple-base-string . (simple-string *))
    (bit-vector . (bit-vector *)) (simple-bit-vector . (simple-bit-vector *))
    (function (function) (function)) (compiled-function (function) (function))
    (package (package) (package)) (stream (stream) (stream)) (hash-table (hash-table) (hash-table))
    (condition (condition) (condition)) (structure-object (structure) (structure))
    (random-state (random-state) (random-state)) (readtable (readtable) (readtable))
    (pathname (pathname) (pathname)) (logical-pathname () (pathname))
    (restart (restart) (restart))
    (standard-object (standard-object) (standard-object function))
    (string-stream () (stream)) (file-stream () (stream)) (broadcast-stream () (stream))
    (synonym-stream () (stream)) (two-way-stream () (stream)) (echo-stream () (stream))
    (concatenated-stream () (stream))
    (class () (standard-object)) (built-in-class () (standard-object))
    (structure-class () (standard-object)) (standard-class () (standard-object))
    (method () (standard-object)) (standard-method () (standard-object))
    (method-combination () (standard-object))
    (generic-function () (function)) (standard-generic-function () (function))))

(defun %normalize (spec)
  (setq spec (%expand-type spec))
  (cond ((eq spec t) (%exact (%all-set)))
        ((null spec) (%exact nil))
        ((eq spec 'keyword)
         ;; within the symbols, and never T
         (%bracket nil (list (cons 'symbol (list :out t)))))
        ((eq spec 'standard-char)
         (%exact (list (cons 'character (cons :in *standard-chars*)))))
        ((symbolp spec) (%normalize-name spec))
        ((and (consp spec) (symbolp (car spec))) (%normalize-compound spec))
        (t (error "SUBTYPEP: ~S is not a type specifier" spec))))

(defun %normalize-name (name)
  (let ((entry (assoc name *atomic-type-sets*)))
    (cond ((and entry (listp (cdr entry)) (cdr entry) (listp (car (cdr entry)))
                (cdr (cdr entry)))
           (%bracket (apply #'%set-of (car (cdr entry))) (apply #'%set-of (car (cdr (cdr entry))))))
          (entry (%normalize (cdr entry)))
          ((%condition-type-p name) (%bracket nil (%set-of 'condition)))
          ((%structure-type-p name) (%bracket nil (%set-of 'structure)))
          (t (error "SUBTYPEP: unknown type specifier ~S" name)))))

(defun %normalize-logic (op args)
  (let ((under (if (eq op 'and) (%all-set) nil)) (over (if (eq op 'and) (%all-set) nil)))
    (dolist (a args (values under over))
      (multiple-value-bind (u o) (%normalize a)
        (if (eq op 'and)
            (setq under (%set-intersect under u) over (%set-intersect over o))
            (setq under (%set-union under u) over (%set-union over o)))))))

(defun %normalize-compound (spec)
  (let ((op (car spec)) (args (cdr spec)))
    (cond ((member op '(and or)) (%normalize-logic op args))
          ((eq op 'not)
           (multiple-value-bind (u o) (%normalize (car args))
             (values (%set-complement o) (%set-complement u))))
          ((eq op 'member) (%member-set args))
          ((eq op 'eql) (%member-set args))
          ((eq op 'satisfies) (%bracket nil (%all-set)))
          ((eq op '%class) (%exact (%set-of (car args))))
          ((member op '(integer ratio rational real float single-float double-float
                        short-float long-float))
           (%normalize-range op args spec))
          ((eq op 'mod) (%exact (%range-set '(integer) 0 (list (car args)))))
          ((eq op 'unsigned-byte)
           (%exact (%range-set '(integer) 0 (if (member args '(nil (*)) :test #'equal) nil
                                                (list (%two-power (car args)))))))
          ((eq op 'signed-byte)
           (if (member args '(nil (*)) :test #'equal)
               (%normalize 'integer)
               (let ((h (%two-power (1- (car args)))))
                 (%exact (%range-set '(integer) (- h) (list h))))))
          ((eq op 'cons) (%normalize-cons spec))
          ((eq op 'complex) (%normalize-complex (if args (car args) '*)))
          ((member op '(array simple-array vector simple-vector string simple-string
                        base-string simple-base-string bit-vector simple-bit-vector))
           (%normalize-array spec))
          ((member op '(function values)) (%bracket nil (%set-of 'function)))
          ((and (null args) (assoc op *atomic-type-sets*)) (%normalize op))
          (t (error "SUBTYPEP: unknown type specifier ~S" spec)))))

;;; A complex's parts are both rational, both single-floats or both doubles
;;; (num_complex.c): one class each.  (complex P) holds the classes whose
;;; part type lies inside P (under) or meets P (over).
(defun %normalize-complex (part)
  (let ((under nil) (over nil))
    (dolist (c '((rational . complex-rational) (single-float . complex-single)
                 (double-float . complex-double)))
      (cond ((or (eq part '*) (subtypep (car c) part))
             (push (cdr c) under) (push (cdr c) over))
            ((not (subtypep (list 'and (car c) part) nil))
             (push (cdr c) over))))
    (%bracket (apply #'%set-of under) (apply #'%set-of over))))

(defun %normalize-range (op args spec)
  (let* ((lo (%bound-arg (if args (car args) '*) op spec))
         (hi (%bound-arg (if (cdr args) (car (cdr args)) '*) op spec))
         (classes (cdr (assoc op '((integer integer) (ratio ratio) (rational integer ratio)
                                   (real integer ratio single-float double-float)
                                   (float single-float double-float)
                                   (single-float single-float) (short-float single-float)
                                   (double-float double-float) (long-float double-float))))))
    (%exact (%range-set classes lo hi))))

(defun %type-universal-p (spec) (or (eq spec '*) (eq spec t)))

(defun %normalize-cons (spec)
  (let ((a (if (cdr spec) (car (cdr spec)) '*))
        (d (if (cdr (cdr spec)) (car (cdr (cdr spec))) '*)))
    (cond ((and (%type-universal-p a) (%type-universal-p d)) (%exact (%set-of 'cons)))
          ((or (and (not (eq a '*)) (null (nth-value 1 (%normalize a))))
               (and (not (eq d '*)) (null (nth-value 1 (%normalize d)))))
           (%exact nil))
          (t (%bracket nil (%set-of 'cons))))))

(defun %array-classes (et)
  ;; (simple-1d-class nonsimple-1d-class other-rank-class) per upgraded element type.
  (if (eq et '*)
      (mapcar #'cdr *array-etype-classes*)
      (list (cdr (assoc (%upgraded-etype et) *array-etype-classes* :test #'equal)))))

(defun %length-set (class len)
  (list (cons class (if len (%make-interval class len len) (%full-desc class)))))

(defun %normalize-array (spec)
  ;; Rank-1 arrays are exact (simple and not, by length); other ranks are
  ;; only bracketed.
  (let* ((op (car spec)) (args (cdr spec))
         (simple (member op '(simple-array simple-vector simple-string simple-base-string
                              simple-bit-vector)))
         (et (cond ((member op '(array simple-array vector)) (if args (car args) '*))
                   ((member op '(simple-vector)) t)
                   ((member op '(bit-vector simple-bit-vector)) 'bit)
                   (t 'character)))
         (size-arg (if (member op '(array simple-array vector)) (cdr args) args))
         (dims (cond ((member op '(array simple-array))
                      (if size-arg (car size-arg) '*))
                     (t (list (if size-arg (car size-arg) '*)))))
         (rank1 (or (eql dims 1) (and (consp dims) (null (cdr dims)))))
         (len (if (and (consp dims) (null (cdr dims)) (integerp (car dims))) (car dims) nil))
         (under nil) (over nil))
    (dolist (c (%array-classes et) (values under over))
      (let* ((s1 (if (or rank1 (eq dims '*)) (%length-set (car c) len) nil))
             (n1 (if (and (not simple) (or rank1 (eq dims '*))) (%length-set (car (cdr c)) len) nil))
             (other (%set-of (car (cdr (cdr c)))))
             (exact (%set-union s1 n1)))
        (setq under (%set-union under exact))
        (setq over (%set-union over (if rank1 exact (%set-union exact other))))
        (when (and (not simple) (eq dims '*))
          (setq under (%set-union under other)))))))

;;; ---- subtypep ----

(defun %nonempty-name-p (spec)
  (and (symbolp spec)
       (or (%condition-type-p spec) (%structure-type-p spec))))

(defun %subtypep-structural (a b)
  ;; (values result certain decided): rules on and/or before normalising.
  (cond ((equal a b) (values t t t))
        ((and (symbolp a) (symbolp b) (%condition-type-p a) (%condition-type-p b))
         (values (%condition-subtype-p a b) t t))
        ((and (symbolp a) (symbolp b) (%structure-type-p a) (%structure-type-p b))
         (values (%structure-subtype-p a b) t t))
        ((and (eq b 'keyword) (consp a) (member (car a) '(member eql))
              (null (remove-if #'keywordp (cdr a))))
         (values t t t))
        ((and (consp a) (eq (car a) 'or))
         (%subtypep-all (cdr a) b t))
        ((and (consp b) (eq (car b) 'and))
         (%subtypep-all (cdr b) a nil))
        ((and (consp a) (eq (car a) 'and)
              (let ((found nil))
                (dolist (x (cdr a) found) (when (subtypep x b) (setq found t)))))
         (values t t t))
        ((and (consp b) (eq (car b) 'or)
              (let ((found nil))
                (dolist (x (cdr b) found) (when (subtypep a x) (setq found t)))))
         (values t t t))
        (t (values nil nil nil))))

(defun %subtypep-all (types other left)
  ;; Every (subtypep x other) for LEFT, else every (subtypep other x).
  (let ((all t))
    (dolist (x types)
      (multiple-value-bind (r c) (if left (subtypep x other) (subtypep other x))
        (cond ((and (not r) c) (return-from %subtypep-all (values nil t t)))
              ((not r) (setq all nil)))))
    (if all (values t t t) (values nil nil nil))))

(defun subtypep (type-1 type-2 &optional environment)
  (declare (ignore environment))
  (let ((a (%expand-type type-1)) (b (%expand-type type-2)))
    (when (or (null a) (eq b t)) (return-from subtypep (values t t)))
    (multiple-value-bind (r c decided) (%subtypep-structural a b)
      (when decided (return-from subtypep (values r c))))
    (multiple-value-bind (ua oa) (%normalize a)
      (multiple-value-bind (ub ob) (%normalize b)
        (let ((over (%set-intersect oa (%set-complement ub)))
              (under (%set-intersect ua (%set-complement ob))))
          (cond ((null over) (values t t))
                (under (values nil t))
                ((and (%nonempty-name-p a) (null (%set-intersect oa ob))) (values nil t))
                (t (values nil nil))))))))

;;; ---- coerce ----

(defun %coerce-error (object type)
  (error 'type-error :datum object :expected-type type))

(defun %sequence-to-list (seq)
  (if (listp seq) seq (let ((out nil)) (dotimes (i (length seq) (nreverse out)) (push (elt seq i) out)))))

(defun coerce (object result-type)
  (let ((type (%expand-type result-type)))
    (cond ((eq type t) object)
          ((and (not (member (if (consp type) (car type) type) '(function values)))
                (typep object type)
                ;; an integer is never coerced to a float by being one already
                t)
           object)
          ((and (or (listp object) (vectorp object)) (subtypep type 'list))
           (let ((l (%sequence-to-list object)))
             (if (typep l type) l (%coerce-error object result-type))))
          ((and (or (listp object) (vectorp object)) (subtypep type 'vector))
           (%coerce-to-vector object type result-type))
          ((eq type 'character) (character object))
          ((eq type 'function)
           (cond ((and (symbolp object) (or (macro-function object) (special-operator-p object)))
                  (error "COERCE: ~S names a macro or special operator, not a function" object))
                 ((symbolp object) (fdefinition object))
                 ((and (consp object) (eq (car object) 'lambda)) (compile nil object))
                 (t (%coerce-error object result-type))))
          ((and (realp object) (subtypep type 'float))
           (%coerce-to-float object type result-type))
          ((and (numberp object) (subtypep type 'complex))
           ;; CLHS COERCE: a real becomes (complex real (coerce 0 (type-of real))),
           ;; or, for (complex float-type), a complex of that part type.
           (let* ((part (if (and (consp type) (cdr type)) (cadr type) '*))
                  (re (if (complexp object) (realpart object) object))
                  (im (if (complexp object) (imagpart object) 0)))
             (if (member part '(* real rational integer))
                 (if (complexp object) object (complex re (* 0 re)))
                 (complex (coerce re part) (coerce im part)))))
          (t (%coerce-error object result-type)))))

(defun %coerce-to-float (object type result-type)
  (let ((r (cond ((subtypep type 'double-float) (float object 1d0))
                 ((subtypep type 'single-float) (float object 1.0))
                 ((floatp object) object)
                 (t (float object 1.0)))))
    (if (typep r type) r (%coerce-error object result-type))))

(defun %coerce-to-vector (object type result-type)
  ;; CONCATENATE builds a vector of the type's element type (type-error on
  ;; an element that does not fit, e.g. 2 into a bit vector).
  (let ((v (handler-case (concatenate type object)
             (type-error () (%coerce-error object result-type)))))
    (if (typep v type) v (%coerce-error object result-type))))

;;; ---- typecase ----

(defun %typecase-clauses (key clauses)
  (mapcar (lambda (c)
            (cond ((not (consp c)) (error "TYPECASE: malformed clause ~S" c))
                  ((member (car c) '(t otherwise)) (cons t (or (cdr c) (list nil))))
                  (t (cons (list 'typep key (list 'quote (car c))) (or (cdr c) (list nil))))))
          clauses))

(defmacro typecase (keyform &body clauses)
  (let ((k (gensym "KEY")))
    `(let ((,k ,keyform))
       (cond ,@(%typecase-clauses k clauses)))))

(defun %typecase-union (clauses)
  (cons 'or (mapcar #'car clauses)))

(defmacro etypecase (keyform &body clauses)
  (let ((k (gensym "KEY")))
    `(let ((,k ,keyform))
       (cond ,@(%typecase-clauses k clauses)
             (t (error 'type-error :datum ,k :expected-type ',(%typecase-union clauses)))))))

(defmacro ctypecase (keyplace &body clauses)
  ;; With restarts: a STORE-VALUE restart sets the place and tries again.
  (let ((k (gensym "KEY")) (again (gensym "AGAIN")) (v (gensym "VALUE")))
    (if (macro-function 'restart-case)
        `(block ,again
           (loop
             (let ((,k ,keyplace))
               (cond ,@(mapcar (lambda (c) (list (car c) (list 'return-from again (cons 'progn (cdr c)))))
                               (%typecase-clauses k clauses))
                     (t (restart-case
                            (error 'type-error :datum ,k
                                               :expected-type ',(%typecase-union clauses))
                          (store-value (,v)
                            :report (lambda (s) (format s "Supply a new value of ~S." ',keyplace))
                            :interactive (lambda ()
                                           (format *query-io* "~&New value for ~S: " ',keyplace)
                                           (list (eval (read *query-io*))))
                            (setf ,keyplace ,v))))))))
        `(etypecase ,keyplace ,@clauses))))

(in-package "COMMON-LISP-USER")
