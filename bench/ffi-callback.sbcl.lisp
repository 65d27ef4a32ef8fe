;;;; bench/ffi-callback.sbcl.lisp — SBCL's side of bench/ffi-callback.lisp:
;;;; pft_call_n calling an sb-alien callable 1 million times.
(sb-alien:load-shared-object (sb-ext:posix-getenv "PETREL_FFI_TEST_LIB"))
(sb-alien::define-alien-callable next sb-alien:int ((x sb-alien:int)) (1+ x))
(print (sb-alien:alien-funcall
        (sb-alien:extern-alien "pft_call_n" (function sb-alien:long sb-sys:system-area-pointer sb-alien:int))
        (sb-alien:alien-sap (sb-alien::alien-callable-function 'next))
        1000000))
