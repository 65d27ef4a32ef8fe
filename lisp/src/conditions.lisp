;;;; lisp/src/conditions.lisp — part of the Lisp library (core-language issue).

(in-package "PETREL-SYSTEM")

(in-package "COMMON-LISP-USER")
