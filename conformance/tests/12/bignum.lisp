;;;; Chapter 12 -- Numbers: integers of any size (12.1.1), ratios with big
;;;; parts (12.1.3), rounding division, comparison and contagion with
;;;; bignums (12.1.4).  Bignums are built with EXPT (no literals: see
;;;; README), so most tests compare inside the form.
(in-section "12.1.1")

(cf-setup
 (defun cf12-big (k) (expt 10 k))
 (defun cf12-fact (n) (do ((i 2 (+ i 1)) (r 1 (* r i))) ((> i n) r))))

(deftest bignum.plus.1 (- (+ (cf12-big 30) 1) (cf12-big 30)) 1)
(deftest bignum.plus.2 (+ most-positive-fixnum 1 (- most-positive-fixnum)) 1)
(deftest bignum.plus.3 (typep (+ most-positive-fixnum 1) 'bignum) t)
(deftest bignum.plus.4 (typep (- (+ most-positive-fixnum 1) 1) 'fixnum) t)
(deftest bignum.plus.5 (= (+ (cf12-big 40) (- (cf12-big 40))) 0) t)
(deftest bignum.minus.1 (- (cf12-big 20) (cf12-big 20)) 0)
(deftest bignum.minus.2 (= (- (- (cf12-big 25))) (cf12-big 25)) t)
(deftest bignum.minus.3 (- (- most-negative-fixnum 1) most-negative-fixnum) -1)
(deftest bignum.minus.4 (typep (- most-negative-fixnum) 'bignum) t)
(deftest bignum.times.1 (= (* (cf12-big 20) (cf12-big 20)) (cf12-big 40)) t)
(deftest bignum.times.2 (= (* (- (cf12-big 20)) (cf12-big 20)) (- (cf12-big 40))) t)
(deftest bignum.times.3 (/ (cf12-fact 30) (cf12-fact 28)) 870)
(deftest bignum.times.4 (* (cf12-big 30) 0) 0)
(deftest bignum.divide.1 (/ (cf12-big 30) (cf12-big 28)) 100)
(deftest bignum.divide.2 (/ (cf12-big 28) (cf12-big 30)) 1/100)
(deftest bignum.divide.3 (= (/ (* 3 (cf12-big 30)) 6) (/ (cf12-big 30) 2)) t)
(deftest bignum.divide.4 (typep (/ (cf12-big 30) 7) 'ratio) t)
(deftest bignum.divide.5 (* (/ (cf12-big 30) 7) 7/1000000000000000000000000000000) 1)
(deftest bignum.divide.6 (signals-error (/ (cf12-big 30) 0) division-by-zero) t)

(deftest bignum.compare.1 (< most-positive-fixnum (+ most-positive-fixnum 1)) t)
(deftest bignum.compare.2 (> most-negative-fixnum (- most-negative-fixnum 1)) t)
(deftest bignum.compare.3 (< (- (cf12-big 30)) 0 (cf12-big 30)) t)
(deftest bignum.compare.4 (= (cf12-big 30) (cf12-big 30)) t)
(deftest bignum.compare.5 (/= (cf12-big 30) (+ 1 (cf12-big 30))) t)
(deftest bignum.compare.6 (= (max (cf12-big 30) (cf12-big 29) 5) (cf12-big 30)) t)
(deftest bignum.compare.7 (= (min (- (cf12-big 30)) 5) (- (cf12-big 30))) t)
(deftest bignum.compare.8 (< (/ (cf12-big 30) 3) (/ (+ 1 (cf12-big 30)) 3)) t)
(deftest bignum.compare.9 (eql (cf12-big 30) (cf12-big 30)) t)
(deftest bignum.compare.10 (equal (list (cf12-big 30)) (list (cf12-big 30))) t)
(deftest bignum.compare.11 (equalp (cf12-big 30) (float (cf12-big 30) 1d0)) nil)
(deftest bignum.compare.12 (eql (/ (cf12-big 30) 7) (/ (cf12-big 30) 7)) t)

;;; Comparison with floats is exact (12.1.4.1: the float becomes a rational).
(deftest bignum.float-compare.1 :section "12.1.4.1"
  (let ((f (float (expt 2 80) 1d0))) (list (= f (expt 2 80)) (< f (+ 1 (expt 2 80))) (> f (- (expt 2 80) 1))))
  (t t t))
(deftest bignum.float-compare.2 :section "12.1.4.1" (= (+ 1 (expt 2 60)) (float (expt 2 60) 1d0)) nil)
(deftest bignum.float-compare.3 :section "12.1.4.1" (< (cf12-big 400) most-positive-double-float) nil)
(deftest bignum.float-compare.4 :section "12.1.4.1" (> (- (cf12-big 400)) most-negative-double-float) nil)
;;; Float contagion: the bignum becomes a float (12.1.4.1).
(deftest bignum.contagion.1 :section "12.1.4.1" (+ (expt 2 70) 1d0) 1.1805916207174113d21)
(deftest bignum.contagion.2 :section "12.1.4.1" (float (expt 2 100) 1d0) 1.2676506002282294d30)
(deftest bignum.contagion.3 :section "12.1.4.1" (float (/ (expt 2 100) (expt 3 70)) 1d0) 5.064210344501357d-4)
(deftest bignum.contagion.4 :section "12.1.4.1" (float (- (expt 2 80)) 1.0) -1.2089258e24)
(deftest bignum.rational.1 (= (rational (float (expt 2 70) 1d0)) (expt 2 70)) t)
(deftest bignum.rational.2 (= (rational 1d-30) (/ (integer-decode-float 1d-30) (expt 2 152))) t)

;;; Rounding division with bignums (12.2 FLOOR, etc.).
(deftest bignum.floor.1 :section "12.2"
  (multiple-value-bind (q r) (floor (+ 1 (cf12-big 30)) (- (cf12-big 20)))
    (list (= q (- -1 (cf12-big 10))) (= r (+ 1 (- (cf12-big 20))))))
  (t t))
(deftest bignum.floor.2 :section "12.2" (floor (cf12-big 30) (cf12-big 29)) 10 0)
(deftest bignum.ceiling.1 :section "12.2"
  (multiple-value-bind (q r) (ceiling (+ 1 (cf12-big 30)) (cf12-big 20))
    (list (= q (+ 1 (cf12-big 10))) (= r (- 1 (cf12-big 20)))))
  (t t))
(deftest bignum.truncate.1 :section "12.2"
  (multiple-value-bind (q r) (truncate (- (cf12-big 30)) 7)
    (list (= q (- (floor (cf12-big 30) 7))) r))
  (t -1))
(deftest bignum.round.1 :section "12.2"
  (multiple-value-bind (q r) (round (+ (cf12-big 30) (/ (cf12-big 20) 2)) (cf12-big 20))
    (list (= q (cf12-big 10)) (= r (/ (cf12-big 20) 2))))
  (t t))
(deftest bignum.round.2 :section "12.2"
  (multiple-value-bind (q r) (round (* 5 (cf12-big 30)) (* 2 (cf12-big 30)))
    (list q (= r (cf12-big 30))))
  (2 t))
(deftest bignum.mod.1 :section "12.2" (mod (- (expt 2 100)) 7) 5)
(deftest bignum.rem.1 :section "12.2" (rem (- (expt 2 100)) 7) -2)
(deftest bignum.floor.3 :section "12.2" (= (floor (float (expt 2 80) 1d0)) (expt 2 80)) t)
(deftest bignum.floor.4 :section "12.2" (floor (/ (expt 10 30) 3) (/ (expt 10 29) 3)) 10 0)

;;; Integer functions.
(deftest bignum.gcd.1 :section "12.2" (gcd (expt 2 100) (expt 6 50)) 1125899906842624)
(deftest bignum.gcd.2 :section "12.2" (= (gcd (- (expt 10 30)) 0) (expt 10 30)) t)
(deftest bignum.lcm.1 :section "12.2" (= (lcm (expt 2 70) (expt 3 40)) (* (expt 2 70) (expt 3 40))) t)
(deftest bignum.isqrt.1 :section "12.2" (= (isqrt (expt 10 40)) (expt 10 20)) t)
(deftest bignum.isqrt.2 :section "12.2" (= (isqrt (- (expt 10 40) 1)) (- (expt 10 20) 1)) t)
(deftest bignum.expt.1 :section "12.2" (= (expt 2/3 100) (/ (expt 2 100) (expt 3 100))) t)
(deftest bignum.expt.2 :section "12.2" (= (expt -2 101) (- (expt 2 101))) t)
(deftest bignum.expt.3 :section "12.2" (* (expt 10 -30) (expt 10 30)) 1)
(deftest bignum.abs.1 :section "12.2" (= (abs (- (expt 10 30))) (expt 10 30)) t)
(deftest bignum.signum.1 :section "12.2" (signum (- (expt 10 30))) -1)
(deftest bignum.numerator.1 :section "12.2" (= (numerator (/ (expt 10 30) 7)) (expt 10 30)) t)
(deftest bignum.denominator.1 :section "12.2" (= (denominator (/ 7 (expt 10 30))) (expt 10 30)) t)
(deftest bignum.evenp.1 :section "12.2" (list (evenp (expt 10 30)) (oddp (1+ (expt 10 30)))) (t t))
(deftest bignum.zerop.1 :section "12.2" (list (zerop (expt 10 30)) (plusp (expt 10 30)) (minusp (- (expt 10 30)))) (nil t t))
(deftest bignum.1+.1 :section "12.2" (= (1- (1+ (expt 10 30))) (expt 10 30)) t)
(deftest bignum.log.1 :section "12.2" (< 690 (log (expt 10 300)) 691) t)
(deftest bignum.sqrt.1 :section "12.2" (< (abs (- (/ (sqrt (expt 10 30)) (expt 10 15)) 1)) 1/1000) t)
(deftest bignum.parse-integer.1 :section "12.2" (= (parse-integer "1000000000000000000000000000000") (expt 10 30)) t)
(deftest bignum.parse-integer.2 :section "12.2" (= (parse-integer "-ffffffffffffffffffff" :radix 16) (- 1 (expt 2 80))) t)
(deftest bignum.random.1 :section "12.2"
  (let ((r (random (expt 10 30)))) (and (integerp r) (<= 0 r) (< r (expt 10 30)))) t)
(deftest bignum.print.1 :section "22.1.3.1.1" (prin1-to-string (expt 10 30)) "1000000000000000000000000000000")
(deftest bignum.print.2 :section "22.1.3.1.1"
  (let ((*print-base* 16)) (prin1-to-string (- (expt 2 80)))) "-100000000000000000000")
(deftest bignum.print.3 :section "22.1.3.1.1"
  (let ((*print-base* 2) (*print-radix* t)) (prin1-to-string (expt 2 64))) "#b10000000000000000000000000000000000000000000000000000000000000000")
(deftest bignum.print.4 :section "22.1.3.1.2" (prin1-to-string (/ (expt 10 30) 7)) "1000000000000000000000000000000/7")
(deftest bignum.read.1 :section "2.3.2.1.1" (= (read-from-string "123456789012345678901234567890") (+ 345678901234567890 (* 123456789012 (expt 10 18)))) t)
(deftest bignum.read.2 :section "2.3.2.1.1" (= (read-from-string "#x-100000000000000000000") (- (expt 2 80))) t)
(deftest bignum.read.3 :section "2.3.2.1.1" (= (read-from-string "200000000000000000000000000000/2") (expt 10 29)) t)
(deftest bignum.read.4 :section "2.3.2.1.1" (= (read-from-string "100000000000000000000000000000.") (expt 10 29)) t)
