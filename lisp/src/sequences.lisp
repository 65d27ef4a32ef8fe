;;;; lisp/src/sequences.lisp — the parts of CLHS chapters 14 (conses) and
;;;; 17 (sequences) not written in C: list utilities (MAKE-LIST … TAILP),
;;;; the -IF forms of MEMBER/ASSOC/RASSOC, trees (SUBST, SUBLIS, TREE-EQUAL),
;;;; sets (UNION … SUBSETP), and the sequence functions MAKE-SEQUENCE, MAP,
;;;; MAP-INTO, REDUCE, SOME/EVERY, SEARCH, MISMATCH, REPLACE, SUBSTITUTE,
;;;; REMOVE-DUPLICATES and MERGE.  SORT and STABLE-SORT are in
;;;; builtins_seq.c; ELT, FILL, FIND, POSITION, COUNT, REMOVE, DELETE in
;;;; builtins_vector.c.
;;;;
;;;; Conventions: sequence arguments are checked with LENGTH (type-error for
;;;; non-sequences and dotted lists); bounding indices with %BOUNDS
;;;; (type-error, CLHS 17.1.1); :TEST with :TEST-NOT is a program-error.
;;;; Results of the set functions keep SBCL's element order, so output
;;;; matches it.  The N- variants may reuse their arguments; here most are
;;;; the non-destructive versions, which the spec permits.
;;;; Loaded after control.lisp; uses no LOOP.

(in-package "PETREL-SYSTEM")

;;; ------------------------------------------------------------ helpers

(defun %proper-list (x)
  "X, after checking that it is a proper list (type-error LIST otherwise)."
  (unless (listp x) (error 'type-error :datum x :expected-type 'list))
  (length x)
  x)

(defun %bounds (sequence start end)
  "Checked bounding indices of SEQUENCE: (values start end length)."
  (let ((len (length sequence)))
    (unless (and (integerp start) (<= 0 start len))
      (error 'type-error :datum start :expected-type (list 'integer 0 len)))
    (when (null end) (setq end len))
    (unless (and (integerp end) (<= start end len))
      (error 'type-error :datum end :expected-type (list 'integer start len)))
    (values start end len)))

(defun %test2 (test test-not)
  "A two-argument predicate from :TEST / :TEST-NOT (default EQL)."
  (cond ((and test test-not)
         (error 'program-error))
        (test test)
        (test-not (lambda (a b) (not (funcall test-not a b))))
        (t #'eql)))

(defun %key (key x) (if key (funcall key x) x))

(defun %range-list (sequence start end)
  "A fresh list of the elements of SEQUENCE in [START, END), bounds checked."
  (multiple-value-bind (s e) (%bounds sequence start end)
    (if (listp sequence)
        (let ((result nil) (l (nthcdr s sequence)))
          (dotimes (i (- e s)) (push (pop l) result))
          (nreverse result))
        (let ((result nil))
          (do ((i (1- e) (1- i))) ((< i s) result)
            (push (aref sequence i) result))))))

(defun %range-vector (sequence start end)
  "A fresh simple vector of the elements of SEQUENCE in [START, END)."
  (concatenate 'simple-vector (%range-list sequence start end)))

;;; ------------------------------------------------------------ lists (14.2)

(defun make-list (size &key initial-element)
  "A list of SIZE elements, each INITIAL-ELEMENT."
  (unless (and (integerp size) (>= size 0))
    (error 'type-error :datum size :expected-type '(integer 0 *)))
  (let ((result nil))
    (dotimes (i size result) (push initial-element result))))

(defun copy-alist (alist)
  "A copy of ALIST whose conses, and the conses of its elements, are fresh."
  (mapcar (lambda (x) (if (consp x) (cons (car x) (cdr x)) x)) (%proper-list alist)))

(defun tree-equal (x y &key test test-not)
  "True if X and Y are isomorphic trees with leaves satisfying the test."
  (let ((test (%test2 test test-not)))
    (labels ((walk (a b)
               (cond ((consp a) (and (consp b) (walk (car a) (car b)) (walk (cdr a) (cdr b))))
                     ((consp b) nil)
                     (t (and (funcall test a b) t)))))
      (walk x y))))

(defun nbutlast (list &optional (n 1))
  "LIST without its last N conses, destructively."
  (unless (and (integerp n) (>= n 0))
    (error 'type-error :datum n :expected-type '(integer 0 *)))
  (let ((len (length (%proper-list list))))
    (if (<= len n)
        nil
        (progn (setf (cdr (nthcdr (- len n 1) list)) nil) list))))

(defun revappend (list tail)
  "The elements of LIST reversed, followed by TAIL."
  (dolist (x (%proper-list list) tail) (setq tail (cons x tail))))

(defun nreconc (list tail)
  "REVAPPEND, reusing LIST's conses."
  (%proper-list list)
  (do ((l list)) ((atom l) tail)
    (let ((next (cdr l)))
      (setf (cdr l) tail)
      (setq tail l l next))))

(defun ldiff (list object)
  "A fresh copy of the conses of LIST before the tail OBJECT."
  (unless (listp list) (error 'type-error :datum list :expected-type 'list))
  (let ((result nil))
    (do ((l list (cdr l)))
        ((or (eql l object) (atom l))
         (let ((r (nreverse result)))
           (when (and (atom l) (not (eql l object)) (consp r)) (setf (cdr (last r)) l))
           (if (and (atom l) (not (eql l object)) (null r)) l r)))
      (push (car l) result))))

(defun tailp (object list)
  "True if OBJECT is a tail of LIST (including its terminating atom)."
  (unless (listp list) (error 'type-error :datum list :expected-type 'list))
  (do ((l list (cdr l)))
      ((atom l) (eql l object))
    (when (eql l object) (return t))))

(defun member-if (predicate list &key key)
  "The tail of LIST from the first element satisfying PREDICATE."
  (do ((l list (cdr l)))
      ((endp l) nil)
    (when (funcall predicate (%key key (car l))) (return l))))

(defun member-if-not (predicate list &key key)
  "The tail of LIST from the first element not satisfying PREDICATE."
  (member-if (complement predicate) list :key key))

(defun assoc-if (predicate alist &key key)
  "The first pair of ALIST whose car satisfies PREDICATE."
  (dolist (pair alist nil)
    (when (and pair (funcall predicate (%key key (car pair)))) (return pair))))

(defun assoc-if-not (predicate alist &key key)
  (assoc-if (complement predicate) alist :key key))

(defun rassoc-if (predicate alist &key key)
  "The first pair of ALIST whose cdr satisfies PREDICATE."
  (dolist (pair alist nil)
    (when (and pair (funcall predicate (%key key (cdr pair)))) (return pair))))

(defun rassoc-if-not (predicate alist &key key)
  (rassoc-if (complement predicate) alist :key key))

(defun get-properties (plist indicator-list)
  "The first property of PLIST whose indicator is in INDICATOR-LIST:
(values indicator value tail), or three NILs."
  (do ((l plist (cddr l)))
      ((atom l) (values nil nil nil))
    (unless (consp (cdr l))
      (error 'type-error :datum plist :expected-type 'list))
    (when (member (car l) indicator-list :test #'eq)
      (return (values (car l) (cadr l) l)))))

;;; ------------------------------------------------------------ trees

(defun %subst-tree (new match tree copy)
  "TREE with every subtree satisfying MATCH replaced by NEW; COPY nil → destructive."
  (labels ((walk (x)
             (cond ((funcall match x) new)
                   ((atom x) x)
                   (copy
                    (let ((a (walk (car x))) (d (walk (cdr x))))
                      (if (and (eq a (car x)) (eq d (cdr x))) x (cons a d))))
                   (t (setf (car x) (walk (car x)) (cdr x) (walk (cdr x))) x))))
    (walk tree)))

(defun %item-matcher (item test test-not key)
  (let ((test (%test2 test test-not)))
    (lambda (x) (funcall test item (%key key x)))))

(defun %pred-matcher (predicate key negate)
  (lambda (x) (let ((r (funcall predicate (%key key x)))) (if negate (not r) r))))

(defun subst (new old tree &key key test test-not)
  "A copy of TREE with subtrees matching OLD replaced by NEW."
  (%subst-tree new (%item-matcher old test test-not key) tree t))

(defun subst-if (new predicate tree &key key)
  (%subst-tree new (%pred-matcher predicate key nil) tree t))

(defun subst-if-not (new predicate tree &key key)
  (%subst-tree new (%pred-matcher predicate key t) tree t))

(defun nsubst (new old tree &key key test test-not)
  (%subst-tree new (%item-matcher old test test-not key) tree nil))

(defun nsubst-if (new predicate tree &key key)
  (%subst-tree new (%pred-matcher predicate key nil) tree nil))

(defun nsubst-if-not (new predicate tree &key key)
  (%subst-tree new (%pred-matcher predicate key t) tree nil))

(defun %sublis-tree (alist tree key test test-not copy)
  (let ((test (%test2 test test-not)))
    (labels ((lookup (x)
               (let ((k (%key key x)))
                 (dolist (pair alist nil)
                   (when (and pair (funcall test (car pair) k)) (return pair)))))
             (walk (x)
               (let ((pair (lookup x)))
                 (cond (pair (cdr pair))
                       ((atom x) x)
                       (copy
                        (let ((a (walk (car x))) (d (walk (cdr x))))
                          (if (and (eq a (car x)) (eq d (cdr x))) x (cons a d))))
                       (t (setf (car x) (walk (car x)) (cdr x) (walk (cdr x))) x)))))
      (walk tree))))

(defun sublis (alist tree &key key test test-not)
  "A copy of TREE with subtrees that are keys of ALIST replaced by their values."
  (%sublis-tree alist tree key test test-not t))

(defun nsublis (alist tree &key key test test-not)
  (%sublis-tree alist tree key test test-not nil))

;;; ------------------------------------------------------------ sets (14.1.2.2)

(defun %set-member (x list key test)
  "True if (KEY X) matches the key of some element of LIST under TEST."
  (let ((kx (%key key x)))
    (dolist (y list nil)
      (when (funcall test kx (%key key y)) (return t)))))

(defun union (list1 list2 &key key test test-not)
  "The elements of LIST1 and LIST2, each once where it was once in either."
  (%proper-list list2)
  (when (and (null key) (null test) (null test-not) (< (length list1) (length list2)))
    (rotatef list1 list2))          ; the order SBCL gives
  (let ((test (%test2 test test-not)) (result list2))
    (dolist (x list1 result)
      (unless (%set-member x list2 key test) (push x result)))))

(defun nunion (list1 list2 &key key test test-not)
  (union list1 list2 :key key :test test :test-not test-not))

(defun intersection (list1 list2 &key key test test-not)
  "The elements of LIST1 that match some element of LIST2."
  (let ((test (%test2 test test-not)) (result nil))
    (%proper-list list2)
    (dolist (x list1 result)
      (when (%set-member x list2 key test) (push x result)))))

(defun nintersection (list1 list2 &key key test test-not)
  (intersection list1 list2 :key key :test test :test-not test-not))

(defun set-difference (list1 list2 &key key test test-not)
  "The elements of LIST1 that match no element of LIST2."
  (let ((test (%test2 test test-not)) (result nil))
    (%proper-list list2)
    (if (null list2)
        list1
        (dolist (x list1 result)
          (unless (%set-member x list2 key test) (push x result))))))

(defun nset-difference (list1 list2 &key key test test-not)
  (set-difference list1 list2 :key key :test test :test-not test-not))

(defun set-exclusive-or (list1 list2 &key key test test-not)
  "The elements that are in exactly one of LIST1 and LIST2."
  (let* ((test (%test2 test test-not))
         (swapped (lambda (a b) (funcall test b a)))
         (result nil))
    (dolist (x list1)
      (unless (%set-member x list2 key test) (push x result)))
    (dolist (x list2 result)
      (unless (%set-member x list1 key swapped) (push x result)))))

(defun nset-exclusive-or (list1 list2 &key key test test-not)
  (set-exclusive-or list1 list2 :key key :test test :test-not test-not))

(defun subsetp (list1 list2 &key key test test-not)
  "True if every element of LIST1 matches some element of LIST2."
  (let ((test (%test2 test test-not)))
    (%proper-list list2)
    (dolist (x list1 t)
      (unless (%set-member x list2 key test) (return nil)))))

;;; ------------------------------------------------------------ making sequences

(defun %type-size (type)
  "The length a sequence type specifier demands, or NIL."
  (when (consp type)
    (let* ((head (car type))
           (dim (if (member head '(vector array simple-array)) (third type) (second type))))
      (when (and (consp dim) (null (cdr dim))) (setq dim (car dim)))
      (when (and (member head '(vector array simple-array simple-vector string simple-string
                                base-string simple-base-string bit-vector simple-bit-vector))
                 (integerp dim))
        dim))))

(defun %check-result-size (result type)
  (let ((size (%type-size type)))
    (when (and size (/= size (length result)))
      (error 'type-error :datum result :expected-type type))
    result))

(defun make-sequence (result-type size &key (initial-element nil iep))
  "A sequence of RESULT-TYPE with SIZE elements, each INITIAL-ELEMENT."
  (unless (and (integerp size) (>= size 0))
    (error 'type-error :datum size :expected-type '(integer 0 *)))
  (multiple-value-bind (et vectorp) (%vector-type-element-type result-type)
    (%check-result-size
     (cond ((not vectorp) (make-list size :initial-element initial-element))
           (iep (make-array size :element-type et :initial-element initial-element))
           (t (make-array size :element-type et)))
     result-type)))

(defun %map-min-length (sequences)
  (let ((n nil))
    (dolist (s sequences n)
      (let ((len (length s))) (when (or (null n) (< len n)) (setq n len))))))

(defun %map-each (function sequences)
  "Calls FUNCTION on the i-th elements of SEQUENCES for i below their shortest
length; returns the list of results."
  (let ((n (%map-min-length sequences))
        (cursors (copy-list sequences))
        (result nil))
    (dotimes (i n (nreverse result))
      (let ((args nil))
        (do ((c cursors (cdr c))) ((null c))
          (let ((s (car c)))
            (if (listp s)
                (progn (push (car s) args) (setf (car c) (cdr s)))
                (push (aref s i) args))))
        (push (apply function (nreverse args)) result)))))

(defun map (result-type function sequence &rest more-sequences)
  "The sequence of RESULT-TYPE of FUNCTION applied to successive elements."
  (let ((values (%map-each function (cons sequence more-sequences))))
    (if (null result-type)
        nil
        (%check-result-size (concatenate result-type values) result-type))))

(defun map-into (result-sequence function &rest sequences)
  "Stores FUNCTION of successive elements of SEQUENCES into RESULT-SEQUENCE.
A fill pointer is ignored while storing and then set to the number stored."
  (let* ((fp (and (vectorp result-sequence) (array-has-fill-pointer-p result-sequence)))
         (n (if fp (array-dimension result-sequence 0) (length result-sequence)))
         (values (if sequences
                     (%map-each function sequences)
                     (let ((r nil)) (dotimes (i n (nreverse r)) (push (funcall function) r))))))
    (if (listp result-sequence)
        (do ((l result-sequence (cdr l)) (v values (cdr v)))
            ((or (null l) (null v)))
          (setf (car l) (car v)))
        (let ((i 0))
          (dolist (v values)
            (when (>= i n) (return))
            (setf (aref result-sequence i) v)
            (incf i))
          (when fp (setf (fill-pointer result-sequence) i))))
    result-sequence))

;;; ------------------------------------------------------------ REDUCE, SOME, EVERY

(defun reduce (function sequence &key key from-end (start 0) end (initial-value nil ivp))
  "Combines the elements of SEQUENCE in [START, END) with FUNCTION."
  (let ((items (%range-list sequence start end)))
    (when key (setq items (mapcar key items)))
    (when from-end (setq items (nreverse items)))
    (cond ((and (null items) (not ivp)) (funcall function))
          ((and (null (cdr items)) (not ivp)) (car items))
          (t (let ((acc (if ivp initial-value (pop items))))
               (dolist (x items acc)
                 (setq acc (if from-end (funcall function x acc) (funcall function acc x)))))))))

(defun some (predicate sequence &rest more-sequences)
  "The first true value of PREDICATE on successive elements, or NIL."
  (block nil
    (%map-each (lambda (&rest args)
                 (let ((r (apply predicate args))) (when r (return r))))
               (cons sequence more-sequences))
    nil))

(defun every (predicate sequence &rest more-sequences)
  "True if PREDICATE is true of all successive elements."
  (block nil
    (%map-each (lambda (&rest args) (unless (apply predicate args) (return nil)))
               (cons sequence more-sequences))
    t))

(defun notany (predicate sequence &rest more-sequences)
  (not (apply #'some predicate sequence more-sequences)))

(defun notevery (predicate sequence &rest more-sequences)
  (not (apply #'every predicate sequence more-sequences)))

;;; ------------------------------------------------------------ SEARCH, MISMATCH

(defun mismatch (sequence1 sequence2 &key from-end test test-not key
                                          (start1 0) end1 (start2 0) end2)
  "Index in SEQUENCE1 of the first (or, from the end, one past the last)
position where the two ranges differ, or NIL."
  (let ((v1 (%range-vector sequence1 start1 end1))
        (v2 (%range-vector sequence2 start2 end2))
        (test (%test2 test test-not)))
    (flet ((same (i j) (funcall test (%key key (svref v1 i)) (%key key (svref v2 j)))))
      (let ((n1 (length v1)) (n2 (length v2)))
        (if from-end
            (let ((i n1) (j n2))
              (do () ((or (zerop i) (zerop j) (not (same (1- i) (1- j)))))
                (decf i) (decf j))
              (if (and (zerop i) (zerop j)) nil (+ start1 i)))
            (let ((i 0))
              (do () ((or (= i n1) (= i n2) (not (same i i))))
                (incf i))
              (if (and (= i n1) (= i n2)) nil (+ start1 i))))))))

(defun search (sequence1 sequence2 &key from-end test test-not key
                                        (start1 0) end1 (start2 0) end2)
  "Index in SEQUENCE2 of the leftmost (rightmost with FROM-END) subsequence
matching SEQUENCE1's range, or NIL."
  ;; Two simple strings under the default test: a direct scan in C, without
  ;; copying SEQUENCE2's range (a loop of SEARCHes with :START2 stays linear).
  (when (and (simple-string-p sequence1) (simple-string-p sequence2)
             (null key) (null test-not)
             (or (null test) (eq test #'eql) (eq test 'eql) (eq test #'char=) (eq test 'char=)))
    (multiple-value-bind (s1 e1) (%bounds sequence1 start1 end1)
      (multiple-value-bind (s2 e2) (%bounds sequence2 start2 end2)
        (return-from search (%string-search sequence1 sequence2 s1 e1 s2 e2 from-end)))))
  (let* ((v1 (%range-vector sequence1 start1 end1))
         (v2 (%range-vector sequence2 start2 end2))
         (test (%test2 test test-not))
         (n1 (length v1)) (n2 (length v2))
         (found nil))
    (flet ((match-at (p)
             (dotimes (i n1 t)
               (unless (funcall test (%key key (svref v1 i)) (%key key (svref v2 (+ p i))))
                 (return nil)))))
      (if from-end
          (do ((p (- n2 n1) (1- p))) ((< p 0))
            (when (match-at p) (setq found p) (return)))
          (do ((p 0 (1+ p))) ((> p (- n2 n1)))
            (when (match-at p) (setq found p) (return))))
      (and found (+ start2 found)))))

;;; ------------------------------------------------------------ REPLACE, SUBSTITUTE

(defun replace (sequence1 sequence2 &key (start1 0) end1 (start2 0) end2)
  "Copies the elements of SEQUENCE2's range over SEQUENCE1's; returns SEQUENCE1."
  (multiple-value-bind (s1 e1) (%bounds sequence1 start1 end1)
    (let* ((items (%range-list sequence2 start2 end2))
           (n (min (- e1 s1) (length items))))
      (if (listp sequence1)
          (let ((l (nthcdr s1 sequence1)))
            (dotimes (i n) (setf (car l) (pop items)) (setq l (cdr l))))
          (dotimes (i n) (setf (aref sequence1 (+ s1 i)) (pop items))))
      sequence1)))

(defun %nsubstitute (new match sequence from-end start end count)
  "Replaces with NEW the elements of SEQUENCE's range satisfying MATCH, at most
COUNT of them (from the right with FROM-END); returns SEQUENCE."
  (multiple-value-bind (s e) (%bounds sequence start end)
    (let ((hits nil))
      (if (listp sequence)
          (do ((l (nthcdr s sequence) (cdr l)) (i s (1+ i))) ((>= i e))
            (when (funcall match (car l)) (push l hits)))
          (do ((i s (1+ i))) ((>= i e))
            (when (funcall match (aref sequence i)) (push i hits))))
      (unless from-end (setq hits (nreverse hits)))
      (when count (setq hits (subseq hits 0 (max 0 (min count (length hits))))))
      (dolist (h hits sequence)
        (if (listp sequence) (setf (car h) new) (setf (aref sequence h) new))))))

(defun nsubstitute (new old sequence &key from-end test test-not (start 0) end count key)
  (%nsubstitute new (%item-matcher old test test-not key) sequence from-end start end count))

(defun nsubstitute-if (new predicate sequence &key from-end (start 0) end count key)
  (%nsubstitute new (%pred-matcher predicate key nil) sequence from-end start end count))

(defun nsubstitute-if-not (new predicate sequence &key from-end (start 0) end count key)
  (%nsubstitute new (%pred-matcher predicate key t) sequence from-end start end count))

(defun substitute (new old sequence &key from-end test test-not (start 0) end count key)
  "A copy of SEQUENCE with elements matching OLD replaced by NEW."
  (%nsubstitute new (%item-matcher old test test-not key) (copy-seq sequence)
                from-end start end count))

(defun substitute-if (new predicate sequence &key from-end (start 0) end count key)
  (%nsubstitute new (%pred-matcher predicate key nil) (copy-seq sequence)
                from-end start end count))

(defun substitute-if-not (new predicate sequence &key from-end (start 0) end count key)
  (%nsubstitute new (%pred-matcher predicate key t) (copy-seq sequence)
                from-end start end count))

;;; ------------------------------------------------------------ REMOVE-DUPLICATES, MERGE

(defun %same-kind (sequence list)
  "LIST's elements as a sequence of the same kind as SEQUENCE."
  (cond ((listp sequence) list)
        (t (replace (make-array (length list) :element-type (array-element-type sequence)) list))))

(defun remove-duplicates (sequence &key from-end test test-not (start 0) end key)
  "SEQUENCE without the elements of [START, END) that match a later one
(an earlier one with FROM-END)."
  (multiple-value-bind (s e len) (%bounds sequence start end)
    (let* ((test (%test2 test test-not))
           (items (%range-list sequence s e))
           (kept nil))
      (if from-end
          (dolist (x items)
            (let ((kx (%key key x)))
              (unless (dolist (y kept nil) (when (funcall test (%key key y) kx) (return t)))
                (push x kept))))
          (do ((l items (cdr l))) ((null l))
            (let ((kx (%key key (car l))))
              (unless (dolist (y (cdr l) nil) (when (funcall test kx (%key key y)) (return t)))
                (push (car l) kept)))))
      (%same-kind sequence
                  (append (%range-list sequence 0 s) (nreverse kept)
                          (if (listp sequence) (nthcdr e sequence) (%range-list sequence e len)))))))

(defun delete-duplicates (sequence &key from-end test test-not (start 0) end key)
  (remove-duplicates sequence :from-end from-end :test test :test-not test-not
                              :start start :end end :key key))

(defun merge (result-type sequence1 sequence2 predicate &key key)
  "The elements of the sorted SEQUENCE1 and SEQUENCE2 merged stably by
PREDICATE into a sequence of RESULT-TYPE."
  (let ((a (%range-list sequence1 0 nil)) (b (%range-list sequence2 0 nil)) (result nil))
    (do () ((or (null a) (null b)))
      (if (funcall predicate (%key key (car b)) (%key key (car a)))
          (push (pop b) result)
          (push (pop a) result)))
    (%check-result-size (concatenate result-type (nreconc result (if a a b))) result-type)))

(in-package "COMMON-LISP-USER")
