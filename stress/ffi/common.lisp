;;;; stress/ffi/common.lisp — what the FFI stress programs share: their
;;;; package, the FFI test library (PETREL_FFI_TEST_LIB, when set), counts
;;;; from the environment, RSS and the library's malloc counter.  Each
;;;; program loads it first, then says (in-package :ffi-stress).
(defpackage :ffi-stress (:use :cl :petrel-ffi))
(in-package :ffi-stress)
(let ((lib (petrel-ext:getenv "PETREL_FFI_TEST_LIB")))
  (when lib (load-foreign-library lib)))

(defun env-count (name default)
  (let ((s (petrel-ext:getenv name))) (if s (parse-integer s) default)))

(defvar *page-size* (foreign-funcall "getpagesize" :int))
(defun rss ()
  ;; /proc/self/statm: size resident shared ... in pages
  (with-open-file (s "/proc/self/statm") (read s) (* *page-size* (read s))))
(defun malloc-in-use () (foreign-funcall "pft_malloc_in_use" :size))
