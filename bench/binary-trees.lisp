;;;; bench/binary-trees.lisp — allocation and collection of short-lived
;;;; structure (issue 6): the classic binary-trees benchmark.  A node is a
;;;; cons of its two subtrees; a leaf is (NIL . NIL).  Steps:
;;;;   1. build and count a "stretch" tree of depth MAX+1, then drop it;
;;;;   2. build a long-lived tree of depth MAX, kept until the end;
;;;;   3. for depth D = 4, 6, ..., MAX: build 2^(MAX-D+4) trees of depth D one
;;;;      after the other, count the nodes of each, and print the total;
;;;;   4. count the long-lived tree.
;;;; Almost all the time is allocation of conses that die young while a live
;;;; tree of 2^(MAX+1) conses stays reachable, plus walking them.
;;;; Portable CL: runs under petrel --script, clisp and ecl (compiled), sbcl
;;;; --script; every Lisp must print the same lines.  MAX is 17: compiled
;;;; CLISP takes a few seconds.

(defconstant +min-depth+ 4)
(defconstant +max-depth+ 17)

(defun build-tree (depth)
  (if (= depth 0)
      (cons nil nil)
      (let ((d (- depth 1)))
        (cons (build-tree d) (build-tree d)))))

(defun count-nodes (tree)
  (if (null (car tree))
      1
      (+ 1 (count-nodes (car tree)) (count-nodes (cdr tree)))))

(defun churn (depth iterations)
  ;; builds ITERATIONS trees of DEPTH one at a time; the sum of their sizes
  (let ((sum 0))
    (dotimes (i iterations sum)
      (setq sum (+ sum (count-nodes (build-tree depth)))))))

(defun run-binary-trees (max)
  (format t "stretch ~D ~D~%" (+ max 1) (count-nodes (build-tree (+ max 1))))
  (let ((long-lived (build-tree max)))
    (do ((d +min-depth+ (+ d 2)))
        ((> d max))
      (let ((n (expt 2 (+ (- max d) +min-depth+))))
        (format t "~D trees ~D ~D~%" n d (churn d n))))
    (format t "long-lived ~D ~D~%" max (count-nodes long-lived))))

(run-binary-trees +max-depth+)
