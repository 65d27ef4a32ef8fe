;;;; bench/threads/lock.lisp — an uncontended lock: 5 million
;;;; acquire/release pairs (with-lock-held around an increment) in one thread.
(load (merge-pathnames "shim.lisp" *load-truename*))
(let ((lock (new-lock)) (n 0))
  (dotimes (i 5000000) (holding (lock) (incf n)))
  (print n))
