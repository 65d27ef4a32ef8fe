;;;; bench/tak.lisp — Takeuchi function (Gabriel benchmarks): calls and
;;;; fixnum arithmetic.  (tak 18 12 6) = 7, 63609 calls; repeated so that it
;;;; takes about a second under compiled CLISP.
;;;; Portable CL: runs under petrel --script, clisp (compiled), sbcl --script.

(defun tak (x y z)
  (if (not (< y x))
      z
      (tak (tak (- x 1) y z)
           (tak (- y 1) z x)
           (tak (- z 1) x y))))

(defun run-tak (times result)
  (if (= times 0)
      result
      (run-tak (- times 1) (tak 18 12 6))))

(print (run-tak 650 nil))
(terpri)
