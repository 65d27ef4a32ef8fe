;;;; bench/fib.lisp — naive doubly recursive Fibonacci on fixnums: function
;;;; call, fixnum compare and add.  (fib 30) = 832040, 1.6 million calls.
;;;; Portable CL: runs under petrel --script, clisp (compiled), sbcl --script.

(defun fib (n)
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(defun run-fib (times result)
  (if (= times 0)
      result
      (run-fib (- times 1) (fib 30))))

(print (run-fib 12 nil))
(terpri)
