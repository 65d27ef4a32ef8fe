;;;; bench/bignum.lisp — bignum arithmetic: factorials (bignum times fixnum),
;;;; Fibonacci numbers (bignum additions), a pi-digit spigot (bignum
;;;; multiplications and divisions by bignums) and printing a big integer in
;;;; decimal.  Portable CL: runs under petrel --script, clisp (compiled),
;;;; sbcl --script; every Lisp must print the same checksums.

(defun factorial (n)
  (do ((i 2 (+ i 1)) (r 1 (* r i))) ((> i n) r)))

(defun fib-big (n)
  (do ((i 0 (+ i 1)) (a 0 b) (b 1 (+ a b))) ((= i n) a)))

;;; Gibbons' unbounded spigot for the decimal digits of pi: the sum of the
;;; first N digits.
(defun pi-digit-sum (n)
  (let ((q 1) (r 0) (s 1) (k 1) (d 3) (l 3) (count 0) (sum 0))
    (loop
      (when (= count n) (return sum))
      (if (< (- (+ (* 4 q) r) s) (* d s))
          (let ((nd (- (floor (* 10 (+ (* 3 q) r)) s) (* 10 d))))
            (setq sum (+ sum d) count (+ count 1))
            (setq r (* 10 (- r (* d s))) q (* 10 q) d nd))
          (let ((nd (floor (+ (* q (+ (* 7 k) 2)) (* r l)) (* s l))))
            (setq r (* (+ (* 2 q) r) l) q (* q k) s (* s l) k (+ k 1) d nd l (+ l 2)))))))

(defun run-bignum (times)
  (let ((result nil))
    (dotimes (i times result)
      (let ((f (factorial 3000)))
        (setq result (list (mod f 1000000007)
                           (length (princ-to-string f))
                           (integer-length (fib-big 20000))
                           (pi-digit-sum 600)))))))

(print (run-bignum 4))
(terpri)
