;;;; bench/mark-heavy.lisp — marking a big live heap (issue 6: parallel-mark
;;;; speedup).  Builds MARK_HEAVY_MB megabytes (default 512; sizes counted
;;;; with 16-byte conses and 8-byte slots) of live data made so that marking
;;;; can be shared between workers:
;;;;   - half in 2^15-1-cons binary trees (car and cdr are subtrees),
;;;;   - a quarter in 1000-cons lists,
;;;;   - a quarter in 255-slot simple-vectors, each slot a fresh cons,
;;;; all hanging from one simple-vector, then
;;;;   1. runs MARK_HEAVY_GCS (default 5) full collections, each timed with
;;;;      GET-INTERNAL-REAL-TIME: nearly all of a full collection is marking
;;;;      the live heap, the garbage is small (on Petrel PETREL-EXT:GC is a
;;;;      stop-the-world collection even with PETREL_GC_CONCURRENT=1);
;;;;   2. allocates 4 times the live size in garbage 8 KB vectors (timed), so
;;;;      that the collector's own pacing runs several cycles while the program
;;;;      keeps allocating (with PETREL_GC_CONCURRENT=1 those cycles mark
;;;;      concurrently).
;;;; Prints the object counts (the same on every Lisp), then "full-gc-ms:"
;;;; with each collection's time and their median, and "churn-ms:"; those two
;;;; lines are also appended to the file MARK_HEAVY_LOG names, if set
;;;; (bench/gc-throughput.sh collects them from every hyperfine run).
;;;; Run: petrel --dynamic-space-size 4096 --script bench/mark-heavy.lisp ;
;;;; sbcl --dynamic-space-size 4096 --script bench/mark-heavy.lisp

(defun env-string (name)
  (let ((v #+petrel (petrel-ext:getenv name) #+sbcl (sb-ext:posix-getenv name)
           #+ecl (ext:getenv name) #+clisp (ext:getenv name)
           #-(or petrel sbcl ecl clisp) nil))
    (if (and v (plusp (length v))) v nil)))

(defun env-int (name default)
  (let ((v (env-string name)))
    (if v (parse-integer v) default)))

(defun log-line (control &rest args)
  ;; to standard output, and appended to MARK_HEAVY_LOG when set
  (apply #'format t control args)
  (let ((log (env-string "MARK_HEAVY_LOG")))
    (when log
      (with-open-file (s log :direction :output :if-exists :append :if-does-not-exist :create)
        (apply #'format s control args)))))

(defun full-gc ()
  #+petrel (petrel-ext:gc :full t)
  #+sbcl (sb-ext:gc :full t)
  #+ecl (si:gc t)
  #+clisp (ext:gc)
  #-(or petrel sbcl ecl clisp) nil)

(defun now-ms ()
  (/ (* (get-internal-real-time) 1000.0) internal-time-units-per-second))

(defconstant +tree-depth+ 14)            ; 2^15-1 conses, 512 KB
(defconstant +list-length+ 1000)         ; 16 KB
(defconstant +vector-length+ 255)        ; 2 KB of slots + 255 conses

(defun build-tree (depth)
  (if (= depth 0)
      (cons depth depth)
      (cons (build-tree (- depth 1)) (build-tree (- depth 1)))))

(defun build-vector (i)
  (let ((v (make-array +vector-length+)))
    (dotimes (k +vector-length+ v)
      (setf (svref v k) (cons i k)))))

(defun build-heap (mb)
  ;; a simple-vector of every part; the counts of each kind
  (let* ((bytes (* mb 1024 1024))
         (ntrees (floor (floor bytes 2) (* 16 (- (expt 2 (+ +tree-depth+ 1)) 1))))
         (nlists (floor (floor bytes 4) (* 16 +list-length+)))
         (nvectors (floor (floor bytes 4) (+ 16 (* 8 +vector-length+) (* 16 +vector-length+))))
         (top (make-array (+ ntrees nlists nvectors)))
         (j 0))
    (dotimes (i ntrees) (setf (svref top j) (build-tree +tree-depth+)) (setq j (+ j 1)))
    (dotimes (i nlists) (setf (svref top j) (make-list +list-length+ :initial-element i)) (setq j (+ j 1)))
    (dotimes (i nvectors) (setf (svref top j) (build-vector i)) (setq j (+ j 1)))
    (values top (list ntrees nlists nvectors))))

(defvar *heap* nil)
(defvar *garbage* nil)

(defun median (times)
  (let ((s (sort (copy-list times) #'<)))
    (nth (floor (length s) 2) s)))

(defun run-mark-heavy ()
  (let ((mb (env-int "MARK_HEAVY_MB" 512))
        (gcs (env-int "MARK_HEAVY_GCS" 5))
        (times '()))
    (multiple-value-bind (top counts) (build-heap mb)
      (setq *heap* top)
      (format t "trees ~D lists ~D vectors ~D~%" (first counts) (second counts) (third counts)))
    (full-gc)                            ; the garbage of building goes first
    (dotimes (i gcs)
      (let ((t0 (now-ms)))
        (full-gc)
        (push (- (now-ms) t0) times)))
    (setq times (reverse times))
    (log-line "full-gc-ms:~{ ~,1F~} median ~,1F~%" times (median times))
    (let ((t0 (now-ms))
          (n (floor (* 4 mb 1024 1024) (* 8 1024))))
      (dotimes (i n)
        (setq *garbage* (make-array 1023)))
      (log-line "churn-ms: ~,1F~%" (- (now-ms) t0)))
    (length *heap*)))

(run-mark-heavy)
