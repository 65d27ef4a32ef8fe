;;;; bench/ffi-call.sbcl.lisp — SBCL's side of bench/ffi-call.lisp: 10 million
;;;; calls of pft_id_int through sb-alien (define-alien-routine, not inlined:
;;;; a full call of the Lisp wrapper each time, as DEFCFUN's is in Petrel).
(sb-alien:load-shared-object (sb-ext:posix-getenv "PETREL_FFI_TEST_LIB"))
(sb-alien:define-alien-routine ("pft_id_int" pft-id-int) sb-alien:int (x sb-alien:int))
(declaim (notinline pft-id-int))

(defun by-name (n)
  (let ((sum 0))
    (dotimes (i n sum) (incf sum (pft-id-int i)))))

(print (by-name 10000000))
