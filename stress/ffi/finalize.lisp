;;;; stress/ffi/finalize.lisp — foreign buffers owned by Lisp objects and
;;;; freed by finalizers (driven by test_ffi_stress.py, which judges).
;;;;
;;;; N handles (a structure holding a FOREIGN-ALLOC'd buffer) are made, a
;;;; window of WINDOW of them live at a time; each handle's finalizer frees
;;;; its buffer and marks its index.  Every SAMPLE-EVERY handles the program
;;;; prints "sample <made> <rss-bytes> <malloc-in-use>".  At the end it drops
;;;; the window, collects until every finalizer has run (or a deadline), and
;;;; prints "result <made> <frees> <ran-twice> <malloc-growth>".
;;;; Environment: FFI_STRESS_N (default 1500000), PETREL_FFI_TEST_LIB.
(load (merge-pathnames "common.lisp" *load-truename*))
(in-package :ffi-stress)

(defvar *n* (env-count "FFI_STRESS_N" 1500000))
(defconstant +window+ 1000)
(defconstant +buffer-bytes+ 64)
(defvar *sample-every* (max 1 (floor *n* 60)))


(defstruct handle buffer index)
;; Written only by the finalizer thread; read by this thread under the lock.
(defvar *runs* (make-array *n* :element-type '(unsigned-byte 8) :initial-element 0))
(defvar *frees* (list 0))
(defvar *lock* (petrel-threads:make-lock "runs"))

(defun make-owned (i)
  (let* ((buf (foreign-alloc :uint8 :count +buffer-bytes+))
         (h (make-handle :buffer buf :index i)))
    (setf (mem-aref buf :uint8 0) (ldb (byte 8 0) i))
    ;; The closure holds the pointer and the index, never the handle: a
    ;; finalizer that referred to its object would keep it alive.
    (petrel-ext:finalize h (lambda ()
                             (foreign-free buf)
                             (petrel-threads:with-lock-held (*lock*)
                               (when (< (aref *runs* i) 255) (incf (aref *runs* i)))
                               (incf (car *frees*)))))
    h))

(defun frees () (petrel-threads:with-lock-held (*lock*) (car *frees*)))

(defun churn (window)
  (dotimes (i *n*)
    (setf (svref window (mod i +window+)) (make-owned i))
    (when (zerop (mod (1+ i) *sample-every*))
      (format t "sample ~D ~D ~D~%" (1+ i) (rss) (malloc-in-use))
      (finish-output))))

(defvar *malloc-before* (malloc-in-use))
(defun main ()
  (let ((window (make-array +window+ :initial-element nil)))
    (churn window)
    (fill window nil))
  ;; Drain: overwrite stale stack words, collect, let the finalizer thread run.
  (loop repeat 600 until (= (frees) *n*)
        do (make-list 1000) (petrel-ext:gc) (sleep 0.05))
  (petrel-threads:with-lock-held (*lock*)
    (format t "result ~D ~D ~D ~D~%" *n* (car *frees*) (count-if (lambda (c) (> c 1)) *runs*)
            (- (malloc-in-use) *malloc-before*))))
(main)
