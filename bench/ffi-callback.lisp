;;;; bench/ffi-callback.lisp — one C function (pft_call_n,
;;;; tests/ffi/libpetrel_ffi_test.c) calling a Lisp callback 1 million times
;;;; through PETREL-FFI's DEFCALLBACK; bench/ffi.sh runs it against
;;;; ffi-callback.sbcl.lisp.  Prints the sum C computed.
(use-package :petrel-ffi)
(load-foreign-library (petrel-ext:getenv "PETREL_FFI_TEST_LIB"))
(defcallback next :int ((x :int)) (1+ x))
(print (foreign-funcall "pft_call_n" :pointer (callback next) :int 1000000 :long))
