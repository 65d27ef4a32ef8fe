;;;; stress/soak/churn.lisp — the soak and fragmentation workload (issue 6 item 6).
;;;;
;;;;     petrel --script stress/soak/churn.lisp [SECONDS [SEED [LIVE-MB]]]
;;;;     sbcl --script stress/soak/churn.lisp [SECONDS [SEED [LIVE-MB]]]
;;;;
;;;; or with the environment variables SOAK_SECONDS (default 60), SOAK_SEED
;;;; (default 1) and SOAK_LIVE_MB (default 128); the command line wins.
;;;;
;;;; It builds a long-lived set of about LIVE-MB megabytes (estimated from
;;;; Petrel's object layout: 16-byte conses, 8-byte vector slots, 4-byte
;;;; characters, a 16-byte header) out of mixed objects — lists, small and
;;;; medium vectors, strings up to 64 KB, vectors over 8 KB (page runs), hash
;;;; tables — then, until SECONDS have passed, replaces it piecewise (one slot
;;;; at a time, so the live set stays flat) while making several times as much
;;;; short-lived garbage of the same kinds and growing and shrinking a few
;;;; long-lived hash tables (PUTHASH many, REMHASH most, CLRHASH sometimes).
;;;; All sizes come from the seeded Lehmer generator below, never RANDOM, so
;;;; a run repeats on every implementation.
;;;;
;;;; Output, one line each, fields "key=value" separated by spaces:
;;;;   soak impl=... seed=S seconds=N live_mb=M slots=... (first line)
;;;;   sample t=SECONDS phase=fill|steady rss=BYTES heap=BYTES live=BYTES
;;;;          free=BYTES frag=RATIO gcs=N pause_max_ns=N pause_total_ns=N
;;;;          alloc=BYTES est=BYTES
;;;;          (about once a second; -1 when a figure is unknown; est is the
;;;;          program's own estimate of its long-lived set)
;;;;   done t=SECONDS iterations=N (last line, only after a clean run)
;;;; rss is read from /proc/self/statm (4096-byte pages); the rest comes from
;;;; PETREL-EXT:GC-STATISTICS (on another Lisp: -1, heap from what it has).
;;;; stress/soak/soak.py drives it and judges the figures.

(defpackage "PETREL-SOAK" (:use "CL"))
(in-package "PETREL-SOAK")

;;; ---- Command line, environment, clock ----

(defun getenv (name)
  #+petrel (petrel-ext:getenv name)
  #+sbcl (sb-ext:posix-getenv name)
  #-(or petrel sbcl) (declare (ignore name))
  #-(or petrel sbcl) nil)

(defun script-args ()
  "The command-line arguments after this file's name (SBCL's --script
leaves only the program name before them)."
  (let* ((argv #+petrel petrel-ext:*posix-argv* #+sbcl sb-ext:*posix-argv* #-(or petrel sbcl) nil)
         (tail (member-if (lambda (a)
                            (let ((n (length a)))
                              (and (>= n 10) (string= "churn.lisp" a :start2 (- n 10)))))
                          argv)))
    (if tail (rest tail) #+sbcl (rest argv) #-sbcl nil)))

(defun int-param (index env default)
  (let ((v (or (nth index (script-args)) (getenv env))))
    (if (and v (plusp (length v))) (parse-integer v) default)))

(defun now ()
  "Seconds since an arbitrary origin, as a double."
  (/ (coerce (get-internal-real-time) 'double-float) internal-time-units-per-second))

;;; ---- The generator: Lehmer / Park–Miller, x' = 48271 x mod (2^31 - 1).
;;; Products stay below 2^47, a fixnum on every 64-bit Lisp.

(defvar *rng* 1)

(defun seed-rng (seed)
  (setf *rng* (1+ (mod seed 2147483646))))

(defun rnd (n)
  "An integer in [0, N)."
  (setf *rng* (mod (* *rng* 48271) 2147483647))
  (mod *rng* n))

(defun rnd-range (lo hi)
  "An integer in [LO, HI]."
  (+ lo (rnd (1+ (- hi lo)))))

;;; ---- Objects.  Each maker returns the object and its estimated size in
;;; bytes (Petrel's layout; another Lisp's differs a little).

(defconstant +header+ 16)

(defun make-cons-list (n)
  (values (loop for i below n collect i) (* 16 n)))

(defun make-vec (n)
  (let ((v (make-array n :initial-element nil)))
    (when (plusp n) (setf (svref v 0) (cons n n)))
    (values v (+ +header+ (* 8 n) (if (plusp n) 16 0)))))

(defun make-str (n)
  (let ((s (make-string n :initial-element #\x)))
    (when (plusp n) (setf (char s (rnd n)) #\y))
    (values s (+ +header+ (* 4 n)))))

(defun make-table (n)
  "An EQUAL table of N string keys to conses."
  (let ((h (make-hash-table :test 'equal)))
    (dotimes (i n) (setf (gethash (format nil "k~D" i) h) (cons i i)))
    ;; Per entry: key string (~16 + 4*6), a cons, about four words of table.
    (values h (+ 256 (* n (+ 40 16 32))))))

(defun make-item ()
  "A random long-lived or short-lived object and its estimated size."
  (let ((k (rnd 100)))
    (cond ((< k 30) (make-cons-list (rnd-range 1 200)))          ; lists
          ((< k 50) (make-vec (rnd-range 1 120)))                ; small vectors
          ((< k 62) (make-vec (rnd-range 121 1000)))             ; medium (to 8 KB)
          ((< k 82) (make-str (rnd-range 1 16384)))              ; strings to 64 KB
          ((< k 90) (make-vec (rnd-range 1100 16384)))           ; > 8 KB: page runs
          ((< k 95) (make-str (rnd-range 1 64)))                 ; short strings
          (t (make-table (rnd-range 1 300))))))                  ; small tables

;;; ---- The workload ----

(defvar *sink* nil "Keeps the last garbage object reachable for a moment.")

(defun churn-table (h)
  "Grows H by many entries, then removes most of them (sometimes all)."
  (let ((n (rnd-range 100 3000)))
    (dotimes (i n) (setf (gethash i h) (make-array (rnd-range 1 8) :initial-element i)))
    (if (zerop (rnd 8))
        (clrhash h)
        (dotimes (i n)
          (unless (zerop (rnd 10)) (remhash i h))))))

(defun statistic (plist key)
  (let ((v (getf plist key)))
    (if v v -1)))

(defun rss-bytes ()
  (handler-case
      (with-open-file (s "/proc/self/statm")
        (let* ((line (read-line s))
               (sp (position #\Space line)))
          (* 4096 (parse-integer line :start (1+ sp) :end (position #\Space line :start (1+ sp))))))
    (error () -1)))

(defun print-sample (elapsed phase estimate)
  (let ((st #+petrel (petrel-ext:gc-statistics) #-petrel nil)
        (rss (rss-bytes)))
    (format t "sample t=~,3F phase=~A rss=~D heap=~D live=~D free=~D frag=~,6F gcs=~D pause_max_ns=~D pause_total_ns=~D alloc=~D est=~D~%"
            elapsed phase rss
            #+petrel (statistic st :heap-bytes)
            #+sbcl (sb-kernel:dynamic-usage)
            #-(or petrel sbcl) -1
            (statistic st :live-bytes) (statistic st :free-bytes-in-pages)
            (let ((f (getf st :fragmentation))) (if f f -1))
            (statistic st :collections) (statistic st :pause-max-ns) (statistic st :pause-total-ns)
            (statistic st :bytes-allocated) estimate)
    (finish-output)))

(defun run (seconds seed live-mb)
  (seed-rng seed)
  (let* ((start (now))
         (next-sample 1d0)
         (target (* live-mb 1024 1024))
         (fill '())
         (estimate 0)
         (tables (loop repeat 8 collect (make-hash-table)))
         (phase "fill")
         (iterations 0)
         slots sizes nslots)
    (flet ((tick ()
             (let ((elapsed (- (now) start)))
               (when (>= elapsed next-sample)
                 (print-sample elapsed phase estimate)
                 (loop while (<= next-sample elapsed) do (incf next-sample 1d0)))
               elapsed)))
      ;; Fill: long-lived items until the estimate reaches the target.
      (loop while (< estimate target)
            do (multiple-value-bind (obj size) (make-item)
                 (push (cons obj size) fill)
                 (incf estimate size)
                 (tick)))
      (setf nslots (length fill)
            slots (make-array nslots)
            sizes (make-array nslots))
      (loop for i from 0 for (obj . size) in fill
            do (setf (svref slots i) obj (svref sizes i) size))
      (setf fill nil
            phase "steady")
      (format t "steady t=~,3F slots=~D estimate=~D~%" (- (now) start) nslots estimate)
      (finish-output)
      ;; Steady state: per iteration one slot replaced, four garbage items,
      ;; a burst of conses; a table churned every 16 iterations.
      (loop
        (when (>= (tick) seconds) (return))
        (incf iterations)
        (let ((i (rnd nslots)))
          (multiple-value-bind (obj size) (make-item)
            (decf estimate (svref sizes i))
            (incf estimate size)
            (setf (svref slots i) obj (svref sizes i) size)))
        (dotimes (k 4) (setf *sink* (make-item)))
        (setf *sink* (make-cons-list (rnd-range 1 64)))
        (when (zerop (mod iterations 16))
          (churn-table (nth (rnd (length tables)) tables))))
      (format t "done t=~,3F iterations=~D slots=~D estimate=~D~%"
              (- (now) start) iterations nslots estimate)
      (finish-output)
      ;; Keep the live set reachable to the end.
      (length slots))))

(let ((seconds (int-param 0 "SOAK_SECONDS" 60))
      (seed (int-param 1 "SOAK_SEED" 1))
      (live-mb (int-param 2 "SOAK_LIVE_MB" 128)))
  (format t "soak impl=~A seed=~D seconds=~D live_mb=~D~%"
          (remove #\Space (lisp-implementation-type)) seed seconds live-mb)
  (finish-output)
  (run seconds seed live-mb))
