;;;; stress/threads/gc.lisp — SPEC.md "GC with threads": threads allocating
;;;; heavily while others force collections keep every object they can
;;;; reach intact (their data checks out afterwards), a thread blocked in a
;;;; wait never delays a collection, and the heap verifies at the end
;;;; (PETREL-EXT:VERIFY-HEAP returns 0; lib.lisp checks it after every case).
(let ((f (format nil "~A" *load-truename*)))
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "lib.lisp")))
(in-package "STRESS")

(defstruct node key (items nil) (next nil))
(defvar *s* nil)
(defun mix-fn (x) (list 0 x))

(defun build (rng n)
  "A structure of N mixed objects whose checksum is N*(N-1)/2."
  (let ((head nil))
    (dotimes (k n head)
      (setf head
            (case (rng rng 5)
              (0 (make-node :key k :items (list (make-string 3 :initial-element #\x)) :next head))
              (1 (make-node :key k :items (vector k (list k) "s") :next head))
              (2 (make-node :key k :items (let ((h (make-hash-table))) (setf (gethash k h) (cons k k)) h) :next head))
              (3 (make-node :key k :items (make-array 4 :initial-element k) :next head))
              (t (make-node :key k :items (format nil "~D" k) :next head)))))))

(defun checksum (head)
  (loop for node = head then (node-next node)
        while node
        sum (node-key node)
        do (let ((k (node-key node)) (it (node-items node)))
             (check (typecase it
                      (cons (equal (car it) "xxx"))
                      (hash-table (equal (gethash k it) (cons k k)))
                      (simple-vector (if (eql (length it) 4)
                                         (every (lambda (x) (eql x k)) it)
                                         (and (eql (svref it 0) k) (equal (svref it 1) (list k))
                                              (equal (svref it 2) "s"))))
                      (string (equal it (format nil "~D" k)))
                      (t nil))
                    "node ~D holds a damaged object ~S" k it))))

(defun collector (stop collections)
  (loop until (atomic-read (car stop))
        do (petrel-ext:gc)
           (atomic-incf (car collections))
           (thread-yield)))

(defcase allocate-while-collecting ()
  ;; Workers build and check structures; one thread collects in a loop.
  (let* ((stop (list nil)) (collections (list 0))
         (gc-thread (spawn "collector" #'collector stop collections)))
    (run-threads *threads*
                 (lambda (i rng)
                   (dotimes (r (max 1 (floor *iterations* 10)))
                     (let* ((n (+ 50 (rng rng 200))) (head (build rng n)))
                       (thread-yield)
                       (check (eql (checksum head) (/ (* n (1- n)) 2))
                              "thread ~D: the checksum of ~D nodes is wrong" i n)))))
    (atomic-write (car stop) t)
    (join-all (list gc-thread))
    (note :collections (car collections))))

(defcase collect-from-every-thread ()
  ;; Every worker both allocates and calls GC: concurrent requests for a
  ;; pause from several threads.
  (let ((keep (run-threads *threads*
                           (lambda (i rng)
                             (let ((head (build rng 100)))
                               (dotimes (r (max 1 (floor *iterations* 30)))
                                 (build rng 50)
                                 (petrel-ext:gc))
                               (list i head))))))
    (dolist (k keep)
      (when k (check (eql (checksum (second k)) 4950) "thread ~D's kept structure is damaged" (first k))))))

(defcase blocked-threads-do-not-delay-gc ()
  ;; Threads blocked in a lock wait, a condition wait, a semaphore wait,
  ;; JOIN-THREAD and SLEEP are in a safe state: collections complete while
  ;; they wait, and what they hold survives.
  (let* ((lock (make-lock)) (cv (make-condition-variable)) (sem (make-semaphore))
         (go (list nil)) (release (make-semaphore))
         (held (list (build (make-rng 1) 100)))
         (blocker (progn (acquire-lock lock) nil))
         (sleeper (spawn "sleeper" (lambda () (let ((mine (build (make-rng 2) 100))) (sleep 0.5) (checksum mine)))))
         (waiters (list (spawn "lock-waiter" (lambda () (let ((mine (build (make-rng 3) 100)))
                                                         (with-lock-held (lock) (checksum mine)))))
                        (spawn "cv-waiter" (lambda () (let ((mine (build (make-rng 4) 100)))
                                                       (with-lock-held (lock)
                                                         (loop until (atomic-read (car go)) do (condition-wait cv lock :timeout 0.2)))
                                                       (checksum mine))))
                        (spawn "sem-waiter" (lambda () (let ((mine (build (make-rng 5) 100)))
                                                        (wait-on-semaphore sem) (checksum mine))))
                        (spawn "joiner" (lambda () (let ((mine (build (make-rng 6) 100)))
                                                    (join-thread sleeper) (checksum mine)))))))
    (declare (ignore blocker release))
    (sleep 0.05)
    (dotimes (k (max 3 (floor *iterations* 30))) (petrel-ext:gc) (build (make-rng k) 200))
    (release-lock lock)
    (atomic-write (car go) t)
    (with-lock-held (lock) (condition-broadcast cv))
    (signal-semaphore sem)
    (let ((sums (join-all (cons sleeper waiters))))
      (check (every (lambda (s) (eql s 4950)) sums) "checksums after waiting: ~S" sums))
    (check (eql (checksum (car held)) 4950) "the main thread's structure is damaged")))

(defcase shared-structure-under-gc ()
  ;; Threads push onto and pop from one shared list (under a lock) while
  ;; collections run: nothing pushed is lost or damaged.
  (let* ((lock (make-lock)) (shared nil) (stop (list nil)) (collections (list 0))
         (gc-thread (spawn "collector" #'collector stop collections))
         (popped (run-threads *threads*
                   (lambda (i rng)
                     (let ((mine nil))
                       (dotimes (n *iterations*)
                         (let ((obj (list i n (make-string 2 :initial-element #\p))))
                           (with-lock-held (lock) (push obj shared)))
                         (when (zerop (rng rng 2))
                           (let ((o (with-lock-held (lock) (pop shared))))
                             (when o (push o mine)))))
                       mine)))))
    (atomic-write (car stop) t)
    (join-all (list gc-thread))
    (let ((all (append shared (apply #'append popped))))
      (check (eql (length all) (* *threads* *iterations*)) "~D objects, ~D pushed" (length all) (* *threads* *iterations*))
      (check (every (lambda (o) (and (integerp (first o)) (integerp (second o)) (equal (third o) "pp"))) all)
             "a shared object is damaged")
      (check (eql (length (remove-duplicates all :test #'equal)) (length all)) "an object was duplicated"))
    (note :collections (car collections))))

(defcase mixed-workload ()
  ;; The other specs' operations at once, with collections: synchronized
  ;; table writes, interning, special bindings, atomics, redefinition.
  (let* ((table (make-hash-table :synchronized t))
         (pkg (make-package (format nil "STRESS-GC-MIX-~D" *seed*) :use nil))
         (counter (list 0)) (stop (list nil)) (collections (list 0))
         (gc-thread (spawn "collector" #'collector stop collections)))
    (setf (fdefinition 'mix-fn) (lambda (x) (list 0 x)))
    (run-threads *threads*
                 (lambda (i rng)
                   (dotimes (n *iterations*)
                     (case (rng rng 5)
                       (0 (setf (gethash (+ (* i 100000) n) table) (list i n)))
                       (1 (intern (format nil "M~D" (rng rng 100)) pkg))
                       (2 (let ((*s* (list i n)))
                            (build rng 10)
                            (check (equal *s* (list i n)) "binding lost under GC")))
                       (3 (atomic-incf (car counter)))
                       (t (if (zerop i)
                              (setf (fdefinition 'mix-fn) (let ((v n)) (lambda (x) (list v x))))
                              (let ((r (mix-fn n)))
                                (check (and (consp r) (integerp (first r)) (eql (second r) n)) "MIX-FN gave ~S" r))))))))
    (atomic-write (car stop) t)
    (join-all (list gc-thread))
    (maphash (lambda (k v) (check (equal v (list (floor k 100000) (mod k 100000))) "entry ~D => ~S" k v)) table)
    (let ((names 0)) (do-symbols (s pkg) (incf names)) (check (<= names 100) "~D symbols for 100 names" names))
    (delete-package pkg)
    (note :collections (car collections))))

(defcase interrupts-while-allocating ()
  ;; Interrupts that allocate, delivered to threads that allocate, while
  ;; collections run: every interrupt runs once, all data checks out.
  (let* ((stop (list nil)) (ran (list 0)) (collections (list 0))
         (gc-thread (spawn "collector" #'collector stop collections))
         (targets (loop for i below (max 1 (1- *threads*))
                        collect (let ((i i))
                                  (spawn "allocator"
                                         (lambda ()
                                           (let ((rng (make-rng (+ *seed* i))) (rounds 0))
                                             (loop until (atomic-read (car stop))
                                                   do (let ((head (build rng 60)))
                                                        (check (eql (checksum head) 1770) "allocator ~D: damaged" i)
                                                        (incf rounds)))
                                             rounds)))))))
    (dotimes (n (max 20 *iterations*))
      (dolist (th targets)
        (interrupt-thread th (let ((seed n))      ; a binding of its own, not the loop's
                               (lambda ()
                               (let ((junk (build (make-rng seed) 20)))
                                 (when (eql (checksum junk) 190) (atomic-incf (car ran))))))))
      (sleep 0.001))
    (loop for k below 5000 until (eql (atomic-read (car ran)) (* (length targets) (max 20 *iterations*)))
          do (sleep 0.002))
    (atomic-write (car stop) t)
    (join-all (cons gc-thread targets))
    (check (eql (car ran) (* (length targets) (max 20 *iterations*))) "~D of ~D interrupts ran"
           (car ran) (* (length targets) (max 20 *iterations*)))
    (note :interrupts (car ran))
    (note :collections (car collections))))

(run-cases)
