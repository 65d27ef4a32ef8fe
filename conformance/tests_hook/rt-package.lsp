;;; Stand-in RT package (see README).
(let ((pkg (or (find-package "REGRESSION-TEST")
               (make-package "REGRESSION-TEST" :nicknames '("RTEST" "RT")
                             :use '("COMMON-LISP")))))
  (dolist (name '("DEFTEST" "DO-TESTS" "DO-TEST" "REM-TEST" "REM-ALL-TESTS"
                  "*PASSED-TESTS*" "*FAILED-TESTS*" "*COMPILE-TESTS*"))
    (export (intern name pkg) pkg)))
