;;;; lisp/src/arrays.lisp — the parts of CLHS chapter 15 written in Lisp:
;;;; the array limits.  Everything else is C (lisp/builtins_array.c over
;;;; the array layer of lisp/array.c); the setf expanders of AREF,
;;;; FILL-POINTER and ROW-MAJOR-AREF are in setf.lisp.

(in-package "PETREL-SYSTEM")

;; Dimensions and total sizes are fixnums; the rank limit is the C
;; parser's (ARR_RANK_LIMIT in builtins_array.c).
(defconstant array-rank-limit 256
  "One more than the largest rank an array may have.")
(defconstant array-dimension-limit most-positive-fixnum
  "One more than the largest dimension of an array.")
(defconstant array-total-size-limit most-positive-fixnum
  "One more than the largest total size of an array.")

(in-package "COMMON-LISP-USER")
