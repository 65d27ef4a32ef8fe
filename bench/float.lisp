;;;; bench/float.lisp — double-float code: the Mandelbrot set on a 200x200
;;;; grid (at most 100 iterations a point) and a small n-body simulation
;;;; (5 bodies, 2,500 steps).  Boxed doubles are what a bytecode VM pays
;;;; for.  Portable CL: runs under petrel --script, clisp (compiled),
;;;; sbcl --script; every Lisp must print the same checksums (IEEE doubles,
;;;; the same operations in the same order).

(defun mandelbrot (size max-iter)
  (let ((inside 0) (iterations 0))
    (dotimes (py size)
      (dotimes (px size)
        (let ((cr (- (/ (* 3.0d0 px) size) 2.0d0))
              (ci (- (/ (* 2.5d0 py) size) 1.25d0))
              (zr 0.0d0) (zi 0.0d0) (n 0))
          (loop
            (when (or (>= n max-iter) (> (+ (* zr zr) (* zi zi)) 4.0d0)) (return))
            (let ((tr (+ (- (* zr zr) (* zi zi)) cr)))
              (setq zi (+ (* 2.0d0 zr zi) ci) zr tr n (+ n 1))))
          (setq iterations (+ iterations n))
          (when (= n max-iter) (setq inside (+ inside 1))))))
    (list inside iterations)))

(defun nbody (steps)
  ;; bodies: x y z vx vy vz mass, in a simple vector of vectors
  (let ((bodies (vector (vector 0d0 0d0 0d0 0d0 0d0 0d0 39.47d0)
                        (vector 4.84d0 -1.16d0 -0.10d0 0.60d0 2.81d0 -0.02d0 0.037d0)
                        (vector 8.34d0 4.12d0 -0.40d0 -1.01d0 1.82d0 0.008d0 0.011d0)
                        (vector 12.89d0 -15.11d0 -0.22d0 1.08d0 0.86d0 -0.01d0 0.0017d0)
                        (vector 15.37d0 -25.91d0 0.17d0 0.97d0 0.59d0 -0.03d0 0.002d0)))
        (dt 0.01d0))
    (dotimes (s steps)
      (dotimes (i 5)
        (let ((a (svref bodies i)))
          (do ((j (+ i 1) (+ j 1))) ((= j 5))
            (let* ((b (svref bodies j))
                   (dx (- (svref a 0) (svref b 0)))
                   (dy (- (svref a 1) (svref b 1)))
                   (dz (- (svref a 2) (svref b 2)))
                   (d2 (+ (* dx dx) (* dy dy) (* dz dz)))
                   (mag (/ dt (* d2 (sqrt d2)))))
              (setf (svref a 3) (- (svref a 3) (* dx (svref b 6) mag))
                    (svref a 4) (- (svref a 4) (* dy (svref b 6) mag))
                    (svref a 5) (- (svref a 5) (* dz (svref b 6) mag))
                    (svref b 3) (+ (svref b 3) (* dx (svref a 6) mag))
                    (svref b 4) (+ (svref b 4) (* dy (svref a 6) mag))
                    (svref b 5) (+ (svref b 5) (* dz (svref a 6) mag)))))))
      (dotimes (i 5)
        (let ((a (svref bodies i)))
          (setf (svref a 0) (+ (svref a 0) (* dt (svref a 3)))
                (svref a 1) (+ (svref a 1) (* dt (svref a 4)))
                (svref a 2) (+ (svref a 2) (* dt (svref a 5)))))))
    ;; the positions, rounded to 1e-6 so the checksum is an integer
    (let ((sum 0))
      (dotimes (i 5 sum)
        (let ((a (svref bodies i)))
          (setq sum (+ sum (round (* 1000000 (+ (svref a 0) (svref a 1) (svref a 2)))))))))))

(print (list (mandelbrot 200 100) (nbody 2500)))
(terpri)
