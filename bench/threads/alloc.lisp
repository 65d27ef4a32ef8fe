;;;; bench/threads/alloc.lisp — allocation scaling: THREADS threads (env,
;;;; default 1) share 40 million conses of short-lived lists; with 2 threads
;;;; on 2 cores the ideal is half the time of 1.
(load (merge-pathnames "shim.lisp" *load-truename*))
(defun work (n) (let ((acc nil) (k 0)) (dotimes (i n) (push i acc) (when (= (incf k) 1000) (setq acc nil k 0))) n))
(let* ((threads (env-int "THREADS" 1)) (total 40000000))
  (print (reduce #'+ (mapcar #'join (loop repeat threads collect (spawn (lambda () (work (floor total threads)))))))))
