;;;; bench/ctak.lisp — Gabriel's CTAK: TAK whose results come back through
;;;; THROW to an enclosing CATCH, so it measures non-local exit (catch frames,
;;;; dynamic unwinding) as much as calls.  (ctak 18 12 6) = 7.
;;;; Portable CL: runs under petrel --script, clisp (compiled), sbcl --script.

(defun ctak-aux (x y z)
  (if (not (< y x))
      (throw 'ctak z)
      (ctak-aux (catch 'ctak (ctak-aux (- x 1) y z))
                (catch 'ctak (ctak-aux (- y 1) z x))
                (catch 'ctak (ctak-aux (- z 1) x y)))))

(defun ctak (x y z)
  (catch 'ctak (ctak-aux x y z)))

(defun run-ctak (times result)
  (if (= times 0)
      result
      (run-ctak (- times 1) (ctak 18 12 6))))

(print (run-ctak 400 nil))
(terpri)
