;;;; bench/mutation.lisp — pointer stores into a large live heap, so that the
;;;; write barrier is on the hot path (issue 6).  The live structure (about
;;;; 100 MB on a 64-bit Lisp with 16-byte conses):
;;;;   - CELLS: a simple-vector of 3,000,000 conses (I . next cell), linked
;;;;     into one long list;
;;;;   - ROWS: 2,048 simple-vectors of 1,024 slots, each slot a cell;
;;;;   - TABLE: an EQL hash table of 65,536 fixnum keys to cells.
;;;; Then ROUNDS rounds of stores, every index drawn from a linear
;;;; congruential generator (never RANDOM, so every Lisp does the same work):
;;;;   - copy a row into another one (1,024 SETF SVREF of existing objects);
;;;;   - point 256 consecutive cells' CARs at cells elsewhere and re-link their
;;;;     CDRs to a different run of cells (SETF CAR / SETF CDR);
;;;;   - store 64 fresh conses into a row and 16 into the cells' CARs;
;;;;   - 64 hash-table puts of existing cells and fresh conses.
;;;; Stores overwrite pointers to live objects with pointers to other live
;;;; objects or to fresh ones, in tight loops with little else to do.
;;;; About 33 million stores in all.  At the end a checksum of what the
;;;; structure holds (the fixnum each slot reaches in one step; every 7th cell)
;;;; must agree between every Lisp.
;;;; Portable CL: runs under petrel --script, clisp and ecl (compiled), sbcl
;;;; --script.

(defconstant +ncells+ 3000000)
(defconstant +nrows+ 2048)
(defconstant +row+ 1024)
(defconstant +nkeys+ 65536)
(defconstant +rounds+ 20000)

(defvar *seed* 2463534)

(defun rnd (limit)
  (setq *seed* (mod (+ (* *seed* 1103515245) 12345) 2147483648))
  (mod (ash *seed* -4) limit))

(defun build-cells ()
  (let ((cells (make-array +ncells+)) (next nil))
    (do ((i (- +ncells+ 1) (- i 1)))
        ((< i 0) cells)
      (setq next (cons i next))
      (setf (svref cells i) next))))

(defun build-rows (cells)
  (let ((rows (make-array +nrows+)))
    (dotimes (r +nrows+ rows)
      (let ((row (make-array +row+)) (base (rnd (- +ncells+ +row+))))
        (dotimes (k +row+)
          (setf (svref row k) (svref cells (+ base k))))
        (setf (svref rows r) row)))))

(defun build-table (cells)
  (let ((table (make-hash-table :test 'eql)))
    (dotimes (k +nkeys+ table)
      (setf (gethash k table) (svref cells (rnd +ncells+))))))

(defun copy-row (rows)
  (let ((from (svref rows (rnd +nrows+))) (to (svref rows (rnd +nrows+))))
    (dotimes (k +row+)
      (setf (svref to k) (svref from (- (- +row+ 1) k))))))

(defun relink-cells (cells)
  (let ((a (rnd (- +ncells+ 257))) (b (rnd (- +ncells+ 257))))
    (dotimes (k 256)
      (let ((c (svref cells (+ a k))))
        (setf (car c) (svref cells (+ b k)))
        (setf (cdr c) (svref cells (+ b k 1)))))))

(defun fresh-stores (round cells rows)
  (let ((row (svref rows (rnd +nrows+))) (start (rnd (- +row+ 64))))
    (dotimes (k 64)
      (setf (svref row (+ start k)) (cons round k))))
  (let ((a (rnd (- +ncells+ 16))))
    (dotimes (k 16)
      (setf (car (svref cells (+ a k))) (cons k round)))))

(defun table-puts (round cells table)
  (dotimes (k 64)
    (setf (gethash (rnd +nkeys+) table)
          (if (evenp k) (svref cells (rnd +ncells+)) (cons round k)))))

(defun value-of (x)
  ;; the fixnum X reaches in one step: itself, or the CAR of a cons
  (cond ((integerp x) x)
        ((and (consp x) (integerp (car x))) (car x))
        (t 1)))

(defun checksum (cells rows table)
  (let ((sum 0))
    (do ((i 0 (+ i 7)))                  ; every 7th cell: the rest is time
        ((>= i +ncells+))                  ; spent outside the stores
      (let ((c (svref cells i)))
        (setq sum (mod (+ (* sum 31) (value-of (car c)) (value-of (cdr c))) 1000000007))))
    (dotimes (r +nrows+)
      (let ((row (svref rows r)))
        (dotimes (k +row+)
          (setq sum (mod (+ (* sum 31) (value-of (svref row k))) 1000000007)))))
    (dotimes (k +nkeys+)
      (setq sum (mod (+ (* sum 31) (value-of (gethash k table))) 1000000007)))
    sum))

(defun run-mutation ()
  (let* ((cells (build-cells))
         (rows (build-rows cells))
         (table (build-table cells)))
    (dotimes (round +rounds+)
      (copy-row rows)
      (relink-cells cells)
      (fresh-stores round cells rows)
      (table-puts round cells table))
    (checksum cells rows table)))

(print (run-mutation))
(terpri)
