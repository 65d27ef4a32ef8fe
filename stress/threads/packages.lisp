;;;; stress/threads/packages.lisp — SPEC.md "Packages": INTERN, EXPORT,
;;;; FIND-SYMBOL, MAKE-PACKAGE and the reader's interning are atomic per
;;;; call: one symbol per name and package however many threads intern it,
;;;; and the package's tables stay consistent.
(let ((f (format nil "~A" *load-truename*)))
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "lib.lisp")))
(in-package "STRESS")

(defvar *package-counter* (list 0))

(defun fresh-package (&rest options)
  (apply #'make-package (format nil "STRESS-PKG-~D-~D" *seed* (atomic-incf (car *package-counter*)))
         (append options '(:use nil))))

(defun package-symbols (package &optional (kind :internal))
  (let ((l nil))
    (if (eq kind :external)
        (do-external-symbols (s package) (push s l))
        (do-symbols (s package) (when (eq (symbol-package s) package) (push s l))))
    l))

(defcase intern-same-names ()
  ;; Every thread interns the same names in a random order: for each name all
  ;; threads get the same (EQ) symbol, and the package holds each name once.
  (let* ((pkg (fresh-package))
         (n (max 10 *iterations*))
         (names (loop for k below n collect (format nil "SYM-~D" k)))
         (results (run-threads *threads*
                    (lambda (i rng) (declare (ignore i))
                      (let ((v (make-array n)))
                        (dotimes (j (* 2 n) v)
                          (let ((k (rng rng n)))
                            (setf (aref v k) (intern (copy-seq (nth k names)) pkg))))
                        (dotimes (k n v) (setf (aref v k) (intern (nth k names) pkg))))))))
    (dotimes (k n)
      (let ((syms (remove-duplicates (mapcar (lambda (v) (aref v k)) results))))
        (check (eql (length syms) 1) "~D distinct symbols named ~A" (length syms) (nth k names))
        (check (eq (symbol-package (first syms)) pkg) "home package of ~S is ~S" (first syms)
               (symbol-package (first syms)))
        (check (eq (find-symbol (nth k names) pkg) (first syms)) "FIND-SYMBOL ~A disagrees" (nth k names))))
    (let ((all (package-symbols pkg)))
      (check (eql (length all) n) "DO-SYMBOLS sees ~D symbols, ~D were interned" (length all) n)
      (check (eql (length (remove-duplicates (mapcar #'symbol-name all) :test #'string=)) (length all))
             "DO-SYMBOLS sees duplicate names"))
    (note :names n)))

(defcase intern-status ()
  ;; INTERN's second value: exactly one thread creates each symbol (NIL);
  ;; every other call finds it (:INTERNAL).
  (let* ((pkg (fresh-package))
         (n (max 10 *iterations*))
         (created (run-threads *threads*
                    (lambda (i rng) (declare (ignore i rng))
                      (loop for k below n
                            count (null (nth-value 1 (intern (format nil "S~D" k) pkg))))))))
    (check (eql (reduce #'+ created) n) "~D INTERN calls created a symbol, for ~D names"
           (reduce #'+ created) n)))

(defcase intern-distinct-names ()
  ;; Threads intern disjoint name sets into one package: all present after,
  ;; none lost while the package's table grows.
  (let* ((pkg (fresh-package))
         (n (max 10 *iterations*)))
    (run-threads *threads*
                 (lambda (i rng) (declare (ignore rng))
                   (dotimes (k n) (intern (format nil "T~D-~D" i k) pkg))))
    (let ((missing (loop for i below *threads*
                         sum (loop for k below n count (null (find-symbol (format nil "T~D-~D" i k) pkg))))))
      (check (zerop missing) "~D interned names are missing" missing))
    (check (eql (length (package-symbols pkg)) (* n *threads*)) "~D symbols, expected ~D"
           (length (package-symbols pkg)) (* n *threads*))))

(defcase export-concurrently ()
  ;; Threads intern and export names (some the same) while others look them
  ;; up through a package that uses the first: every exported name is
  ;; external afterwards and inherited by the user, and a lookup never sees
  ;; a half-exported state (a symbol found is the one interned).
  (let* ((pkg (fresh-package))
         (user (fresh-package :use (list pkg)))
         (n (max 10 *iterations*)))
    (run-threads *threads*
                 (lambda (i rng)
                   (dotimes (j n)
                     (let* ((k (rng rng n)) (name (format nil "E~D" k)))
                       (if (evenp i)
                           (export (intern name pkg) pkg)
                           (multiple-value-bind (s status) (find-symbol name user)
                             (check (or (null status)
                                        (and (eq status :inherited) (eq s (find-symbol name pkg))))
                                    "~A in the user package: ~S ~S" name s status)))))))
    (let ((externals (package-symbols pkg :external)))
      (dolist (s externals)
        (check (eq (nth-value 1 (find-symbol (symbol-name s) user)) :inherited)
               "~S is external but not inherited" s))
      (check (eql (length externals) (length (remove-duplicates externals))) "duplicate externals")
      (dolist (s (package-symbols pkg))
        (multiple-value-bind (found status) (find-symbol (symbol-name s) pkg)
          (check (eq found s) "~S not found in its home package" s)
          (check (member status '(:internal :external)) "status ~S" status)))
      (note :exported (length externals)))))

(defcase reader-interns ()
  ;; READ-FROM-STRING from many threads interns through the reader: the
  ;; same text read in any thread gives EQ symbols.
  (let* ((pkg (fresh-package))
         (*package* pkg)
         (n (max 10 *iterations*))
         (pname (package-name pkg))
         (results (run-threads *threads*
                    (lambda (i rng) (declare (ignore i rng))
                      (let ((*package* (find-package pname)))
                        (loop for k below n collect (read-from-string (format nil "(r~D . #:u)" k))))))))
    (dotimes (k n)
      (let ((syms (remove-duplicates (mapcar (lambda (l) (car (nth k l))) results))))
        (check (eql (length syms) 1) "reading r~D gave ~D symbols" k (length syms))
        (check (eq (symbol-package (first syms)) pkg) "r~D is in ~S" k (symbol-package (first syms)))))
    (check (eql (length (package-symbols pkg)) n) "~D symbols for ~D names" (length (package-symbols pkg)) n)))

(defcase intern-unintern ()
  ;; Threads intern, unintern and look up the same names at random: afterwards
  ;; each name is in the package at most once, FIND-SYMBOL agrees with
  ;; DO-SYMBOLS, and every symbol found has the name it was looked up by.
  ;; (IMPORT and EXPORT are left out: their conflict errors print symbols,
  ;; see PRINT-WHILE-UNINTERN.)
  (let* ((pkg (fresh-package))
         (n 50))
    (run-threads *threads*
                 (lambda (i rng)
                   (dotimes (j (max 30000 *iterations*))
                     (let ((name (format nil "U~D" (rng rng n))))
                       (case (rng rng 3)
                         (0 (intern name pkg))
                         (1 (let ((s (find-symbol name pkg))) (when s (unintern s pkg))))
                         (t (multiple-value-bind (s status) (find-symbol name pkg)
                              (check (or (null status) (string= (symbol-name s) name))
                                     "thread ~D: FIND-SYMBOL ~A gave ~S" i name s))))))))
    (let ((seen (make-hash-table :test 'equal)))
      (do-symbols (s pkg)
        (check (null (gethash (symbol-name s) seen)) "~A is accessible twice" (symbol-name s))
        (setf (gethash (symbol-name s) seen) s)
        (check (eq (find-symbol (symbol-name s) pkg) s) "FIND-SYMBOL ~A disagrees with DO-SYMBOLS"
               (symbol-name s))
        (check (eq (symbol-package s) pkg) "~A's home package is ~S" (symbol-name s) (symbol-package s)))
      (note :accessible (hash-table-count seen)))))

(defcase print-while-unintern ()
  ;; Printing a symbol while another thread uninterns it prints it with or
  ;; without its package prefix (as #:NAME), never crashes.
  (let* ((pkg (fresh-package))
         (name (package-name pkg))
         (stop (list nil))
         (printed (list 0))
         (printers (loop repeat (max 1 (1- *threads*))
                         collect (spawn "printer"
                                        (lambda ()
                                          (loop until (atomic-read (car stop))
                                                do (let ((s (find-symbol "S" pkg)))
                                                     (when s
                                                       (let ((text (prin1-to-string s)))
                                                         (check (member text (list "#:S" (format nil "~A::S" name))
                                                                        :test #'string=)
                                                                "printed as ~A" text))
                                                       (atomic-incf (car printed))))))))))
    (dotimes (k (* 100 *iterations*))
      (unintern (intern "S" pkg) pkg))
    (atomic-write (car stop) t)
    (join-all printers)
    (note :printed (car printed))))

(defcase make-package-race ()
  ;; Threads race to create the same package names: for each name exactly
  ;; one MAKE-PACKAGE succeeds, the others signal PACKAGE-ERROR, and
  ;; FIND-PACKAGE returns the winner's package.  Up to 20 rounds of 100
  ;; names, stopping at the first round with a failure.
  (loop repeat 20
        until (plusp (car *failure-count*))
        do (let* ((n (max 100 (floor *iterations* 3)))
                  (base (format nil "STRESS-RACE-~D-~D" *seed* (atomic-incf (car *package-counter*))))
                  (names (loop for k below n collect (format nil "~A-~D" base k)))
                  (made (run-threads *threads*
                          (lambda (i rng) (declare (ignore i rng))
                            (loop for name in names
                                  collect (handler-case (make-package name :use nil)
                                            (package-error () nil)))))))
             (loop for name in names for k from 0
                   do (let ((winners (remove nil (mapcar (lambda (l) (nth k l)) made))))
                        (check (eql (length winners) 1) "~D threads created package ~A" (length winners) name)
                        (check (eq (find-package name) (first winners))
                               "FIND-PACKAGE ~A is not the created package" name)))
             (dolist (name names) (delete-package name))
             (check (notany #'find-package names) "DELETE-PACKAGE left a package"))))

(run-cases)
