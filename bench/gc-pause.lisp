;;;; bench/gc-pause.lisp — GC pauses as a running thread sees them (issue 6).
;;;;
;;;; Builds a live heap of conses, vectors, strings and hash tables
;;;; (GC_PAUSE_MB megabytes of conses, about as much again in the rest;
;;;; default 256), then for GC_PAUSE_SECONDS (default 10) mutates it from the
;;;; main thread — replacing list cells, vector slots, strings and table
;;;; entries with fresh objects, so garbage and old-to-young stores keep
;;;; coming, plus 1 KB of garbage per mutation so that collections happen
;;;; during the measurement — while a probe thread spins reading the clock and records every
;;;; gap between two of its iterations.  Prints the largest gap and the
;;;; 99.9th percentile in milliseconds, and the heap built.
;;;;
;;;; Portable between Petrel and SBCL: threads, clock and environment through
;;;; the small shim below.  Run: petrel --dynamic-space-size 4096 --script
;;;; bench/gc-pause.lisp ; sbcl --dynamic-space-size 4096 --script bench/gc-pause.lisp
;;;; (Petrel: PETREL_GC_CONCURRENT=1 for the concurrent collector.)

(defun env-int (name default)
  (let ((v #+petrel (petrel-ext:getenv name) #+sbcl (sb-ext:posix-getenv name) #-(or petrel sbcl) nil))
    (if (and v (plusp (length v))) (parse-integer v) default)))

(defun spawn (fn) #+petrel (petrel-threads:make-thread fn) #+sbcl (sb-thread:make-thread fn))
(defun join (th) #+petrel (petrel-threads:join-thread th) #+sbcl (sb-thread:join-thread th))

(defun now-us () (floor (* (get-internal-real-time) 1000000) internal-time-units-per-second))

(defvar *mb* (env-int "GC_PAUSE_MB" 256))
(defvar *seconds* (env-int "GC_PAUSE_SECONDS" 10))
(defvar *stop* nil)
(defvar *garbage* nil)

;;; The live set: *mb* MB of conses in 1000-element lists, plus vectors of
;;; strings and hash tables of lists.
(defvar *lists* (make-array (floor (* *mb* 1024 1024) (* 16 1000))))
(defvar *vectors* (make-array 2000))
(defvar *tables* (make-array 64))

(defun build ()
  (dotimes (i (length *lists*)) (setf (svref *lists* i) (make-list 1000 :initial-element i)))
  (dotimes (i (length *vectors*))
    (let ((v (make-array 1000)))
      (dotimes (j 1000) (setf (svref v j) (make-string 16 :initial-element #\x)))
      (setf (svref *vectors* i) v)))
  (dotimes (i (length *tables*))
    (let ((h (make-hash-table)))
      (dotimes (j 5000) (setf (gethash j h) (list i j)))
      (setf (svref *tables* i) h))))

(defun mutate (seconds)
  (let ((end (+ (now-us) (* seconds 1000000))) (n 0) (state 12345))
    (flet ((rnd (limit) (setq state (mod (+ (* state 1103515245) 12345) 2147483648)) (mod state limit)))
      (loop while (< (now-us) end)
            do (dotimes (k 1000)
                 (let ((l (svref *lists* (rnd (length *lists*)))))
                   (setf (car (nthcdr (rnd 1000) l)) (list n)))
                 (setf (svref (svref *vectors* (rnd 2000)) (rnd 1000)) (make-string (rnd 64)))
                 (setf (gethash (rnd 5000) (svref *tables* (rnd 64))) (cons n n))
                 (setq *garbage* (make-list 64))  ; 1 KB of garbage per mutation: cycles must run
                 (incf n))))
    n))

;;; Gaps go into a histogram of microseconds (no allocation that grows with
;;; the run, so the probe does not stall itself); the largest is kept apart.
(defconstant +buckets+ 200000)

(defun probe ()
  (let ((hist (make-array +buckets+ :element-type 'fixnum :initial-element 0))
        (last (now-us)) (max 0) (n 0) (junk nil))
    (loop until *stop*
          do (setq junk (cons 1 junk))          ; a little allocation: it reaches safepoints
             (when (> (length junk) 100) (setq junk nil))
             (let* ((now (now-us)) (gap (- now last)))
               (incf (aref hist (min gap (1- +buckets+))))
               (setq max (max max gap) last now n (1+ n))))
    (list hist max n)))

(defun percentile (hist n p)
  (let ((want (ceiling (* p n))) (seen 0))
    (dotimes (i (length hist) (length hist))
      (incf seen (aref hist i))
      (when (>= seen want) (return i)))))

(let ((t0 (now-us)))
  (build)
  (format t "built ~D MB of lists + vectors, strings, tables in ~,1F s~%" *mb* (/ (- (now-us) t0) 1e6))
  (finish-output))
(let* ((prober (spawn #'probe))
       (mutations (mutate *seconds*)))
  (setq *stop* t)
  (destructuring-bind (hist max n) (join prober)
    (format t "~D mutations, ~D probe iterations~%" mutations n)
    (format t "max gap ~,3F ms, p99.9 ~,3F ms, p99 ~,3F ms~%"
            (/ max 1000.0) (/ (percentile hist n 0.999) 1000.0) (/ (percentile hist n 0.99) 1000.0))))
