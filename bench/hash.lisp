;;;; bench/hash.lisp — hash tables: an EQL table with 1,000,000 fixnum keys
;;;; (insert, look up every key and as many absent ones, REMHASH half) and an
;;;; EQUAL table with 200,000 string keys (the same three phases).  Keys come
;;;; from a linear congruential generator so every Lisp sees the same ones.
;;;; Portable CL: runs under petrel --script, clisp (compiled), sbcl --script;
;;;; every Lisp must print the same checksums.

(defun lcg-keys (n seed)
  ;; n distinct-ish pseudo-random fixnums below 2^28
  (let ((v (make-array n)) (x seed))
    (dotimes (i n v)
      (setq x (mod (+ (* x 1103515245) 12345) 2147483648))
      (setf (svref v i) (ash x -3)))))

(defun eql-phase (keys)
  (let ((h (make-hash-table :test 'eql)) (hits 0) (sum 0))
    (dotimes (i (length keys)) (setf (gethash (svref keys i) h) i))
    (dotimes (i (length keys))
      (let ((v (gethash (svref keys i) h)))
        (when v (setq sum (+ sum v)))))
    (dotimes (i (length keys))
      (when (gethash (- -1 (svref keys i)) h) (setq hits (+ hits 1))))
    (dotimes (i (length keys))
      (when (evenp i) (remhash (svref keys i) h)))
    (list (hash-table-count h) (mod sum 1000000007) hits)))

(defun equal-phase (keys)
  (let ((h (make-hash-table :test 'equal)) (strings (make-array (length keys))) (sum 0) (hits 0))
    (dotimes (i (length keys))
      (setf (svref strings i) (format nil "key-~D" (svref keys i))))
    (dotimes (i (length keys)) (setf (gethash (svref strings i) h) i))
    (dotimes (i (length keys))
      (let ((v (gethash (copy-seq (svref strings i)) h)))
        (when v (setq sum (+ sum v)))))
    (dotimes (i (length keys))
      (when (gethash (svref strings i) h) (setq hits (+ hits 1))))
    (dotimes (i (length keys))
      (when (oddp i) (remhash (svref strings i) h)))
    (list (hash-table-count h) (mod sum 1000000007) hits)))

(defun run-hash ()
  (list (eql-phase (lcg-keys 1000000 42))
        (equal-phase (lcg-keys 200000 7))))

(print (run-hash))
(terpri)
