;;;; bench/sort.lisp — SORT and STABLE-SORT of 1,000,000 pseudo-random
;;;; fixnums in a list and in a vector, and SORT of 100,000 strings with
;;;; STRING<.  Keys come from a linear congruential generator so every Lisp
;;;; sorts the same data.  Portable CL: runs under petrel --script, clisp
;;;; (compiled), sbcl --script; every Lisp must print the same checksums.

(defun lcg-list (n seed)
  (let ((l nil) (x seed))
    (dotimes (i n l)
      (setq x (mod (+ (* x 1103515245) 12345) 2147483648))
      (push (ash x -4) l))))

(defun checksum (seq)
  ;; position-weighted sum of a sorted sequence, plus a sortedness check
  (let ((sum 0) (i 0) (prev nil) (sorted t))
    (map nil (lambda (x)
               (setq sum (mod (+ sum (* (+ i 1) x)) 1000000007) i (+ i 1))
               (when (and prev (< x prev)) (setq sorted nil))
               (setq prev x))
         seq)
    (list sum sorted)))

(defun string-checksum (v)
  (let ((sorted t))
    (dotimes (i (- (length v) 1))
      (when (string< (aref v (+ i 1)) (aref v i)) (setq sorted nil)))
    (list (aref v 0) (aref v (floor (length v) 2)) (aref v (- (length v) 1)) sorted)))

(defun run-sort ()
  (let* ((data (lcg-list 1000000 12345))
         (list1 (sort (copy-list data) #'<))
         (list2 (stable-sort (copy-list data) #'<))
         (vec1 (sort (coerce data 'vector) #'<))
         (vec2 (stable-sort (coerce data 'vector) #'>))
         (strings (map 'vector (lambda (x) (format nil "s~36R" x)) (subseq data 0 100000)))
         (strings (sort strings #'string<)))
    (list (checksum list1) (checksum list2) (checksum vec1) (checksum (reverse vec2))
          (string-checksum strings))))

(print (run-sort))
(terpri)
