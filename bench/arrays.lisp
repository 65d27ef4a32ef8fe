;;;; bench/arrays.lisp — specialised arrays: a sieve of Eratosthenes on a
;;;; bit vector (BIT/SBIT reads and stores) and an (unsigned-byte 8) array
;;;; filled and summed (AREF and its SETF on a specialised vector, values
;;;; checked against the element type on every store), plus a 2-D array walk
;;;; with two subscripts.  Portable CL: petrel --script, clisp (compiled),
;;;; sbcl --script all print the same list.

(defun sieve (n)
  (let ((composite (make-array (1+ n) :element-type 'bit :initial-element 0))
        (count 0))
    (do ((i 2 (1+ i))) ((> i n) count)
      (when (zerop (sbit composite i))
        (setq count (1+ count))
        (do ((j (* i i) (+ j i))) ((> j n))
          (setf (sbit composite j) 1))))))

(defun bytes-fill-sum (n rounds)
  (let ((a (make-array n :element-type '(unsigned-byte 8)))
        (sum 0))
    (dotimes (r rounds sum)
      (dotimes (i n)
        (setf (aref a i) (logand (+ i r) 255)))
      (dotimes (i n)
        (setq sum (+ sum (aref a i)))))))

(defun matrix-trace (n rounds)
  (let ((m (make-array (list n n) :initial-element 1))
        (tr 0))
    (dotimes (r rounds tr)
      (dotimes (i n)
        (dotimes (j n)
          (setf (aref m i j) (+ i j r))))
      (dotimes (i n)
        (setq tr (+ tr (aref m i i)))))))

(print (list (sieve 1000000) (sieve 1000000) (bytes-fill-sum 20000 100) (matrix-trace 200 25)))
(terpri)
