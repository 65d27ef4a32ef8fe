;;;; stress/ffi/callbacks.lisp — callbacks called many times (driven by
;;;; test_ffi_stress.py, which judges).
;;;;
;;;; Each of ROUNDS rounds: qsort of a foreign array of +ELEMENTS+ pseudo-random
;;;; ints with a Lisp comparator (callbacks on a thread inside FOREIGN-FUNCALL),
;;;; then a thread C creates calling a Lisp callback +THREAD-CALLS+ times (each
;;;; call attaches the thread and detaches it).  Per round it prints
;;;; "round <r> <sorted-p> <comparator-calls> <thread-sum-ok-p> <rss-bytes> <malloc-in-use>".
;;;; Environment: FFI_STRESS_ROUNDS (default 12), PETREL_FFI_TEST_LIB.
(load (merge-pathnames "common.lisp" *load-truename*))
(in-package :ffi-stress)

(defvar *rounds* (env-count "FFI_STRESS_ROUNDS" 12))
(defconstant +elements+ 100000)
(defconstant +thread-calls+ 20000)

(defvar *compares* 0)
(defcallback compare-ints :int ((a :pointer) (b :pointer))
  (incf *compares*)
  (let ((x (mem-ref a :int)) (y (mem-ref b :int)))
    (cond ((< x y) -1) ((> x y) 1) (t 0))))

;; Conses a little on each call, so the C thread's calls allocate and meet
;; collections; returns 2x.
(defcallback on-c-thread :int ((x :int))
  (let ((l (list x x)))
    (+ (first l) (second l))))

(defvar *seed* 12345)
(defun next-random ()                   ; an LCG: the same data every run
  (setf *seed* (mod (+ (* *seed* 1103515245) 12345) 2147483648)))

(defun sort-round ()
  (with-foreign-object (arr :int +elements+)
    (dotimes (i +elements+) (setf (mem-aref arr :int i) (- (next-random) 1073741824)))
    (setf *compares* 0)
    (foreign-funcall "qsort" :pointer arr :size +elements+ :size (foreign-type-size :int)
                     :pointer (callback compare-ints) :void)
    (values (loop for i from 1 below +elements+
                  always (<= (mem-aref arr :int (1- i)) (mem-aref arr :int i)))
            *compares*)))

(defun thread-round ()
  ;; sum of 2x for x below n
  (= (foreign-funcall "pft_call_n_on_new_thread" :pointer (callback on-c-thread)
                      :int +thread-calls+ :long)
     (* +thread-calls+ (1- +thread-calls+))))

(dotimes (r *rounds*)
  (multiple-value-bind (sorted compares) (sort-round)
    (let ((thread-ok (thread-round)))
      (format t "round ~D ~A ~D ~A ~D ~D~%" r (if sorted 1 0) compares (if thread-ok 1 0)
              (rss) (malloc-in-use))
      (finish-output))))
