;;;; stress/threads/readtable.lisp — SPEC.md "Readtables": many threads
;;;; reading with one readtable while another thread changes its macro
;;;; characters never crash, and each read sees the old or the new
;;;; definition of a character, never a mix or garbage.
(let ((f (format nil "~A" *load-truename*)))
  (load (concatenate 'string (subseq f 0 (1+ (position #\/ f :from-end t))) "lib.lisp")))
(in-package "STRESS")

(defcase concurrent-read ()
  ;; Reading with the standard readtable from many threads gives the same
  ;; objects as reading in one thread.
  (let* ((texts '("(a b . c)" "#(1 2 3)" "\"str\\\"ing\"" "(quote x)" "'(y z)" "#\\a" "12345"
                  "-7/3" "1.5d0" "#'car" "`(a ,b ,@c)" "(#:g |Mixed Case| :key)" "; comment
(after)" "#+(or) no yes" "#-(or) yes"))
         (expected (mapcar (lambda (s) (prin1-to-string (read-from-string s))) texts))
         (results (run-threads *threads*
                    (lambda (i rng) (declare (ignore i))
                      (loop repeat *iterations*
                            count (let ((k (rng rng (length texts))))
                                    (string= (prin1-to-string (read-from-string (nth k texts)))
                                             (nth k expected))))))))
    (check (eql (reduce #'+ results) (* *threads* *iterations*)) "~D of ~D reads gave a different object"
           (- (* *threads* *iterations*) (reduce #'+ results)) (* *threads* *iterations*))))

(defun make-reader (tag)
  (lambda (stream char) (declare (ignore stream char)) tag))

(defcase macro-character-change ()
  ;; One thread flips the macro character #\! of a shared readtable between
  ;; two reader functions (returning :OLD and :NEW) and #\? between a macro
  ;; character and a constituent; readers reading "!" and "?x" see one of
  ;; the two definitions each time.
  (let* ((rt (copy-readtable nil))
         (old (make-reader :old)) (new (make-reader :new))
         (stop (list nil)))
    (set-macro-character #\! old nil rt)
    (let ((changer (spawn "changer"
                          (lambda ()
                            (loop for k from 0 until (atomic-read (car stop))
                                  do (set-macro-character #\! (if (evenp k) new old) nil rt)
                                     (if (evenp k)
                                         (set-macro-character #\? (make-reader :q) t rt)
                                         (set-syntax-from-char #\? #\a rt))
                                     (check (member (get-macro-character #\! rt) (list old new))
                                            "GET-MACRO-CHARACTER returned a third function")))))
          (seen (run-threads *threads*
                  (lambda (i rng) (declare (ignore i rng))
                    (let ((*readtable* rt) (olds 0) (news 0))
                      (dotimes (n *iterations* (list olds news))
                        (let ((x (read-from-string "!")))
                          (case x (:old (incf olds)) (:new (incf news))
                            (t (fail "reading ! gave ~S" x)))
                          (let ((y (read-from-string "?x")))
                            (check (or (eq y :q) (and (symbolp y) (string= (symbol-name y) "?X")))
                                   "reading ?x gave ~S" y)))))))))
      (atomic-write (car stop) t)
      (join-all (list changer))
      (note :old (reduce #'+ (mapcar #'first seen)))
      (note :new (reduce #'+ (mapcar #'second seen))))
    (check (eq (get-macro-character #\! (copy-readtable nil)) nil)
           "changing a copied readtable changed the standard one")))

(run-cases)
