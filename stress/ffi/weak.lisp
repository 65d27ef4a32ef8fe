;;;; stress/ffi/weak.lisp — weak hash tables that map foreign-resource
;;;; handles to data shrink once the handles die (driven by
;;;; test_ffi_stress.py, which judges).
;;;;
;;;; Each of ROUNDS rounds puts PER-ROUND entries whose keys (a handle holding
;;;; a FOREIGN-POINTER) die at once, into a :KEY table and (the other way
;;;; round) a :VALUE table; +KEPT+ entries have keys that stay live all the
;;;; time.  After each round it collects and prints
;;;; "round <r> <key-table-before> <handles-held> <key-table-after> <value-table-after> <rss-bytes>";
;;;; at the end "kept <entries still found for the live keys>".
;;;; Environment: FFI_STRESS_ROUNDS (default 20).
(load (merge-pathnames "common.lisp" *load-truename*))
(in-package :ffi-stress)

(defvar *rounds* (env-count "FFI_STRESS_ROUNDS" 20))
(defconstant +per-round+ 50000)
(defconstant +kept+ 100)

(defstruct handle pointer)
(defvar *by-key* (make-hash-table :test 'eq :weakness :key))
(defvar *by-value* (make-hash-table :test 'eql :weakness :value))
(defvar *kept* (loop for i below +kept+ collect (make-handle :pointer (make-pointer (* 16 (1+ i))))))
(dolist (h *kept*)
  (setf (gethash h *by-key*) (list :kept (pointer-address (handle-pointer h)))
        (gethash (pointer-address (handle-pointer h)) *by-value*) h))

(defun fill-round (r)
  ;; The round's handles are held by a list until the count is taken (a
  ;; collection during the fill must not remove them yet), then referenced
  ;; from the tables only (weakly).
  (let ((hold '()))
    (dotimes (i +per-round+)
      (let* ((address (* 16 (+ 1000 (* r +per-round+) i)))
             (h (make-handle :pointer (make-pointer address))))
        (push h hold)
        (setf (gethash h *by-key*) (list address)
              (gethash address *by-value*) h)))
    (values (hash-table-count *by-key*) (length hold))))

(defun collect ()
  (dotimes (i 3) (make-list 1000) (petrel-ext:gc)))  ; overwrite stale stack words

(dotimes (r *rounds*)
  (multiple-value-bind (before held) (fill-round r)
    (collect)
    (format t "round ~D ~D ~D ~D ~D ~D~%" r before held (hash-table-count *by-key*)
            (hash-table-count *by-value*) (rss))
    (finish-output)))
(format t "kept ~D~%" (count-if (lambda (h) (and (gethash h *by-key*)
                                                 (eq h (gethash (pointer-address (handle-pointer h)) *by-value*))))
                                *kept*))
