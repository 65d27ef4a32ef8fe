;;;; bench/ffi-call.lisp — 10 million calls of a trivial C function,
;;;; pft_id_int (int -> int, tests/ffi/libpetrel_ffi_test.c) through
;;;; PETREL-FFI; bench/ffi.sh runs it against ffi-call.sbcl.lisp (sb-alien,
;;;; the same C function).  Prints the sum of the results.
;;;; FFI_BENCH_CACHED=1: FOREIGN-FUNCALL on a pointer looked up once, instead
;;;; of DEFCFUN's call by name (a dlsym per call, ffi/README.md "Limits").
(use-package :petrel-ffi)
(load-foreign-library (petrel-ext:getenv "PETREL_FFI_TEST_LIB"))
(defcfun "pft_id_int" :int (x :int))

(defun by-name (n)
  (let ((sum 0))
    (dotimes (i n sum) (incf sum (pft-id-int i)))))

(defun by-pointer (n)
  (let ((f (foreign-symbol-pointer "pft_id_int")) (sum 0))
    (dotimes (i n sum) (incf sum (foreign-funcall f :int i :int)))))

(print (if (equal (petrel-ext:getenv "FFI_BENCH_CACHED") "1")
           (by-pointer 10000000)
           (by-name 10000000)))
