;;;; bench/threads/create-join.lisp — cost of make-thread + join-thread:
;;;; 2000 threads, one at a time, each returning a number.
(load (merge-pathnames "shim.lisp" *load-truename*))
(let ((sum 0))
  (dotimes (i 2000) (incf sum (join (spawn (lambda () i)))))
  (print sum))
