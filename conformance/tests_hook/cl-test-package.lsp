(unless (find-package "CL-TEST")
  (make-package "CL-TEST" :use '("COMMON-LISP" "REGRESSION-TEST")))
