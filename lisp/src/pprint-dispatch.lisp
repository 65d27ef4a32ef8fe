;;;; lisp/src/pprint-dispatch.lisp — pprint dispatch tables (CLHS 22.2.1.4,
;;;; COPY-PPRINT-DISPATCH, SET-PPRINT-DISPATCH, PPRINT-DISPATCH) and the
;;;; standard layouts of code and data the initial table uses.
;;;;
;;;; A table holds the entries users set (type, priority, function), highest
;;;; priority first.  Every table falls back on the standard layouts below,
;;;; which rank under any entry a user sets: a list whose car names a known
;;;; operator is laid out as code (DEFUN, LET, IF, COND, DO, LOOP ... with
;;;; the indentation SBCL uses), quote and friends print abbreviated ('x #'f
;;;; `x ,x ,@x), other lists and vectors fill their lines.
;;;; The code layouts table is written only while this file loads.  A
;;;; dispatch table changes by one store of its whole entry list
;;;; (SET-PPRINT-DISPATCH), so a thread printing meanwhile sees the old list
;;;; or the new one; the standard table is never changed.

(in-package "PETREL-SYSTEM")

(defstruct (pprint-dispatch-table (:constructor %make-pprint-dispatch-table (entries))
                                  (:copier nil) (:predicate pprint-dispatch-table-p))
  (entries nil))   ; list of (type priority function), highest priority first

(defun pp-table-designator (table)
  (cond ((null table) *standard-pprint-dispatch*)
        ((pprint-dispatch-table-p table) table)
        (t (error 'type-error :datum table :expected-type '(or null pprint-dispatch-table)))))

(defun copy-pprint-dispatch (&optional (table *print-pprint-dispatch*))
  "A fresh copy of TABLE (NIL: of the standard table)."
  (%make-pprint-dispatch-table (copy-list (pprint-dispatch-table-entries (pp-table-designator table)))))

(defun set-pprint-dispatch (type-specifier function &optional (priority 0)
                                                      (table *print-pprint-dispatch*))
  "Make FUNCTION print objects of TYPE-SPECIFIER in TABLE (NIL FUNCTION: remove the entry)."
  (unless (realp priority) (error 'type-error :datum priority :expected-type 'real))
  (unless (pprint-dispatch-table-p table)
    (error 'type-error :datum table :expected-type 'pprint-dispatch-table))
  (when (eq table *standard-pprint-dispatch*)
    (error "SET-PPRINT-DISPATCH: the standard pprint dispatch table cannot be modified"))
  (unless (or (null function) (functionp function) (symbolp function))
    (error 'type-error :datum function :expected-type '(or function symbol)))
  (let ((others (remove type-specifier (pprint-dispatch-table-entries table)
                        :key #'first :test #'equal)))
    (setf (pprint-dispatch-table-entries table)
          (if function
              (stable-sort (cons (list type-specifier priority function) others)
                           #'> :key #'second)
              others)))
  nil)

(defun pp-user-entry (object table)
  (dolist (e (pprint-dispatch-table-entries table) nil)
    (when (typep object (first e)) (return (third e)))))

;;; The standard layout for object, or NIL.
(defun pp-standard-printer (object)
  (cond ((consp object)
         (let ((head (car object)))
           (cond ((not (symbolp head)) #'pp-data-list)
                 ((gethash head *pp-code-layouts*)
                  (or (pp-layout-applies-p head object) #'pp-data-list))
                 ((fboundp head) #'pp-call-aligned)   ; a call: arguments under the first
                 (t #'pp-data-list))))
        ((and (typep object 'simple-vector) *print-array*)
         #'pp-vector)
        (t nil)))

(defun pp-layout-applies-p (head object)
  (let ((fn (gethash head *pp-code-layouts*)))
    (if (member head '(quote function quasiquote unquote unquote-splicing unquote-nsplicing))
        (and (consp (cdr object)) (null (cddr object)) fn)
        fn)))

(defun pprint-dispatch (object &optional (table *print-pprint-dispatch*))
  "The function that prints OBJECT under TABLE, and true if an entry matched."
  (let* ((table (pp-table-designator table))
         (fn (or (pp-user-entry object table) (pp-standard-printer object))))
    (if fn
        (values fn t)
        (values (lambda (stream object) (let ((*print-pretty* nil)) (write object :stream stream)))
                nil))))

;;; Called by the C printer for each object when *print-pretty* is true:
;;; prints object and returns true, or returns NIL to leave it to C.
(defun %pprint-object (object stream)
  (let* ((table *print-pprint-dispatch*)
         (fn (or (and (pprint-dispatch-table-p table) (pp-user-entry object table))
                 (pp-standard-printer object))))
    (when fn
      (funcall fn stream object)
      t)))

;;; ---- Standard layouts ----

(defun pp-data-list (stream list)
  (pprint-fill stream list t))

(defun pp-vector (stream vector)
  (pprint-logical-block (stream nil :prefix "#(" :suffix ")")
    (let ((n (length vector)))
      (dotimes (i n)
        (when (and *print-length* (not *print-readably*) (>= i *print-length*))
          (write-string "..." stream)
          (return))
        (write (svref vector i) :stream stream)
        (when (< (1+ i) n)
          (write-char #\Space stream)
          (pprint-newline :fill stream))))))

(defun pp-abbreviation (prefix)
  (lambda (stream form)
    (write-string prefix stream)
    (write (cadr form) :stream stream)))

;;; (op arg ...): args filled after the operator, aligned under the first.
(defun pp-call-aligned (stream form)
  (pprint-logical-block (stream form :prefix "(" :suffix ")")
    (pprint-exit-if-list-exhausted)
    (write (pprint-pop) :stream stream)
    (pprint-exit-if-list-exhausted)
    (write-char #\Space stream)
    (pprint-newline :fill stream)
    (pprint-indent :current 0 stream)
    (loop (write (pprint-pop) :stream stream)
          (pprint-exit-if-list-exhausted)
          (write-char #\Space stream)
          (pprint-newline :fill stream))))

;;; The body forms of a block-like layout: each on its own line at the block
;;; indentation when the form does not fit (the first break mandatory if
;;; asked).
(defmacro pp-body (stream &key mandatory)
  `(progn
     (pprint-indent :block 1 ,stream)
     (pprint-exit-if-list-exhausted)
     (cond ((not (consp (%pprint-rest))) (write-char #\Space ,stream)) ; ". x" follows
           (,mandatory (pprint-newline :mandatory ,stream))
           (t (write-char #\Space ,stream) (pprint-newline :linear ,stream)))
     (loop (write (pprint-pop) :stream ,stream)
           (pprint-exit-if-list-exhausted)
           (write-char #\Space ,stream)
           (pprint-newline :linear ,stream))))

;;; (op distinguished... body...): n distinguished forms on the first line
;;; (else indented 4), the body indented 2.
(defun pp-block-layout (n &key mandatory lambda-list data spec (first :fill) kinds)
  (lambda (stream form)
    (pprint-logical-block (stream form :prefix "(" :suffix ")")
      (pprint-exit-if-list-exhausted)
      (write (pprint-pop) :stream stream)
      (pprint-indent :block 3 stream)
      (dotimes (i n)
        (pprint-exit-if-list-exhausted)
        (write-char #\Space stream)
        (pprint-newline (cond (kinds (nth i kinds)) ((zerop i) first) (t :linear)) stream)
        (cond ((and lambda-list (zerop i)) (pp-lambda-list stream (pprint-pop)))
              ((and data (zerop i)) (pp-data-list-or-atom stream (pprint-pop)))
              ((and spec (zerop i))   ; (var list-form result): aligned after the variable
               (let ((x (pprint-pop)))
                 (if (and (listp x) (not (pp-abbreviated-p x)))
                     (pp-call-aligned stream x)
                     (write x :stream stream))))
              (t (write (pprint-pop) :stream stream))))
      (pp-body stream :mandatory mandatory))))

;;; (case key clause...): the clauses are data, one per line when they do
;;; not all fit.
(defun pp-case (stream form)
  (pprint-logical-block (stream form :prefix "(" :suffix ")")
    (pprint-exit-if-list-exhausted)
    (write (pprint-pop) :stream stream)
    (pprint-indent :block 3 stream)
    (pprint-exit-if-list-exhausted)
    (write-char #\Space stream)
    (pprint-newline :fill stream)
    (write (pprint-pop) :stream stream)
    (pprint-indent :block 1 stream)
    (loop (pprint-exit-if-list-exhausted)
          (write-char #\Space stream)
          (pprint-newline :linear stream)
          (pp-data-list-or-atom stream (pprint-pop)))))

;;; (progn form...): forms at indentation 1.
(defun pp-progn (stream form)
  (pprint-logical-block (stream form :prefix "(" :suffix ")")
    (pprint-exit-if-list-exhausted)
    (write (pprint-pop) :stream stream)
    (loop (pprint-exit-if-list-exhausted)
          (write-char #\Space stream)
          (pprint-newline :linear stream)
          (write (pprint-pop) :stream stream))))

;;; True if the rest of a lambda list starts with a lambda-list keyword.
(defun pp-lambda-keyword-p (rest)
  (and (consp rest) (symbolp (car rest))
       (member (car rest) '(&optional &rest &key &aux &body &whole &environment &allow-other-keys))))

;;; A lambda list: filled, with a line per lambda-list keyword when it
;;; does not fit.
(defun pp-lambda-list (stream list)
  (if (and (listp list) (not (pp-abbreviated-p list)))
      (pprint-logical-block (stream list :prefix "(" :suffix ")")
        (pprint-exit-if-list-exhausted)
        (loop (write (pprint-pop) :stream stream)
              (pprint-exit-if-list-exhausted)
              (write-char #\Space stream)
              (pprint-newline (if (pp-lambda-keyword-p (%pprint-rest)) :linear :fill) stream)))
      (write list :stream stream)))

;;; (defun name lambda-list body...)
(defun pp-defun (stream form)
  (pprint-logical-block (stream form :prefix "(" :suffix ")")
    (pprint-exit-if-list-exhausted)
    (write (pprint-pop) :stream stream)
    (pprint-exit-if-list-exhausted)
    (write-char #\Space stream)
    (pprint-newline :miser stream)
    (pprint-indent :current 0 stream)
    (write (pprint-pop) :stream stream)
    (loop (pprint-exit-if-list-exhausted)   ; DEFMETHOD's qualifiers
          (let ((rest (%pprint-rest)))
            (when (or (not (consp rest)) (listp (car rest))) (return)))
          (write-char #\Space stream)
          (write (pprint-pop) :stream stream))
    (pprint-exit-if-list-exhausted)
    (write-char #\Space stream)
    (pprint-newline :fill stream)
    (pp-lambda-list stream (pprint-pop))
    (pp-body stream)))

;;; A local function of FLET, LABELS, MACROLET: (name lambda-list body...)
(defun pp-local-function (stream form)
  (pprint-logical-block (stream form :prefix "(" :suffix ")")
    (pprint-exit-if-list-exhausted)
    (write (pprint-pop) :stream stream)
    (pprint-exit-if-list-exhausted)
    (write-char #\Space stream)
    (pprint-newline :miser stream)
    (pp-lambda-list stream (pprint-pop))
    (pp-body stream :mandatory t)))

;;; Bindings one per line when they do not all fit.
(defun pp-bindings (stream bindings &optional (each #'pp-data-list-or-atom))
  (if (and (listp bindings) (not (pp-abbreviated-p bindings)))
      (pprint-logical-block (stream bindings :prefix "(" :suffix ")")
        (pprint-exit-if-list-exhausted)
        (loop (funcall each stream (pprint-pop))
              (pprint-exit-if-list-exhausted)
              (write-char #\Space stream)
              (pprint-newline :linear stream)))
      (write bindings :stream stream)))

(defun pp-data-list-or-atom (stream x)
  (if (and (listp x) (not (pp-abbreviated-p x)))
      (pprint-fill stream x t)
      (write x :stream stream)))

;;; True for forms printed with a reader abbreviation: 'x #'x `x ,x ,@x ,.x
(defun pp-abbreviated-p (x)
  (and (consp x)
       (member (car x) '(quote function quasiquote unquote unquote-splicing unquote-nsplicing))
       (consp (cdr x)) (null (cddr x))))

(defun pp-let-layout (each)
  (lambda (stream form)
    (pprint-logical-block (stream form :prefix "(" :suffix ")")
      (pprint-exit-if-list-exhausted)
      (write (pprint-pop) :stream stream)
      (pprint-exit-if-list-exhausted)
      (write-char #\Space stream)
      (pprint-newline :miser stream)
      (pp-bindings stream (pprint-pop) each)
      (pp-body stream :mandatory t))))

;;; (if test then else): the branches under the test, one per line.
(defun pp-if (stream form)
  (pprint-logical-block (stream form :prefix "(" :suffix ")")
    (pprint-exit-if-list-exhausted)
    (write (pprint-pop) :stream stream)
    (pprint-exit-if-list-exhausted)
    (write-char #\Space stream)
    (pprint-indent :current 0 stream)
    (write (pprint-pop) :stream stream)
    (loop (pprint-exit-if-list-exhausted)
          (pprint-newline :mandatory stream)
          (write (pprint-pop) :stream stream))))

;;; (setq place value ...): one pair per line, the places aligned after the
;;; operator; a value that does not fit beside its place goes under it,
;;; indented 2 more.  The pairs are not blocks of their own (as in SBCL: a
;;; pair breaks when the SETQ does in miser style).
(defun pp-setq-pairs (stream form)
  (let ((key-col (1+ (if (symbolp (car form)) (length (symbol-name (car form))) 4))))
    (pprint-logical-block (stream form :prefix "(" :suffix ")")
      (pprint-exit-if-list-exhausted)
      (write (pprint-pop) :stream stream)
      (pprint-exit-if-list-exhausted)
      (write-char #\Space stream)
      (pprint-newline :miser stream)
      (loop (pprint-indent :block key-col stream)
            (write (pprint-pop) :stream stream)
            (pprint-exit-if-list-exhausted)
            (write-char #\Space stream)
            (pprint-indent :block (+ key-col 2) stream)
            (pprint-newline :fill stream)
            (write (pprint-pop) :stream stream)
            (pprint-exit-if-list-exhausted)
            (pprint-indent :block key-col stream)
            (pprint-newline :mandatory stream)))))

;;; (tagbody tag statement ...): tags at indentation 1, statements at 2.
(defun pp-tagbody (stream form)
  (let ((rest (cdr form)))
    (pprint-logical-block (stream form :prefix "(" :suffix ")")
      (pprint-exit-if-list-exhausted)
      (write (pprint-pop) :stream stream)
      (loop (pprint-exit-if-list-exhausted)
            (pprint-indent :block (if (and (consp rest) (consp (car rest))) 1 0) stream)
            (write-char #\Space stream)
            (pprint-newline :linear stream)
            (write (pprint-pop) :stream stream)
            (when (consp rest) (setq rest (cdr rest)))))))

;;; A DO variable: (var init step), the step under the init.
(defun pp-do-var (stream spec)
  (if (and (listp spec) (not (pp-abbreviated-p spec)))
      (pprint-logical-block (stream spec :prefix "(" :suffix ")")
        (pprint-exit-if-list-exhausted)
        (write (pprint-pop) :stream stream)
        (pprint-exit-if-list-exhausted)
        (write-char #\Space stream)
        (pprint-indent :current 0 stream)
        (loop (write (pprint-pop) :stream stream)
              (pprint-exit-if-list-exhausted)
              (write-char #\Space stream)
              (pprint-newline :linear stream)))
      (write spec :stream stream)))

;;; (do (var...) (end-test result...) body...): the variables one per line
;;; (mandatory newlines, as SBCL has them: several variables never share a
;;; line), the end test under them, the body indented 2.
(defun pp-do (stream form)
  (pprint-logical-block (stream form :prefix "(" :suffix ")")
    (pprint-exit-if-list-exhausted)
    (write (pprint-pop) :stream stream)
    (pprint-exit-if-list-exhausted)
    (write-char #\Space stream)
    (pprint-indent :current 0 stream)
    (let ((vars (pprint-pop)))
      (if (and (listp vars) (not (pp-abbreviated-p vars)))
          (pprint-logical-block (stream vars :prefix "(" :suffix ")")
            (pprint-exit-if-list-exhausted)
            (loop (pp-do-var stream (pprint-pop))
                  (pprint-exit-if-list-exhausted)
                  (pprint-newline :mandatory stream)))
          (write vars :stream stream)))
    (pprint-exit-if-list-exhausted)
    (write-char #\Space stream)
    (pprint-newline :linear stream)
    (pp-data-list-or-atom stream (pprint-pop))
    (pp-body stream)))

(defparameter *pp-loop-keywords*
  '("FOR" "AS" "WITH" "INITIALLY" "FINALLY" "DO" "DOING" "COLLECT" "COLLECTING" "APPEND"
    "APPENDING" "NCONC" "NCONCING" "SUM" "SUMMING" "COUNT" "COUNTING" "MAXIMIZE" "MAXIMIZING"
    "MINIMIZE" "MINIMIZING" "WHEN" "IF" "UNLESS" "WHILE" "UNTIL" "ALWAYS" "NEVER" "THEREIS"
    "REPEAT" "RETURN" "NAMED" "ELSE" "END" "AND"))

;;; (loop clause...): a clause per line, aligned after LOOP.
(defun pp-loop (stream form)
  (if (or (atom (cdr form)) (not (symbolp (cadr form))))
      (pp-call-aligned stream form)   ; the simple loop
      (pprint-logical-block (stream form :prefix "(" :suffix ")")
        (write (pprint-pop) :stream stream)
        (pprint-exit-if-list-exhausted)
        (write-char #\Space stream)
        (pprint-indent :current 0 stream)
        (let ((first t))
          (loop (pprint-exit-if-list-exhausted)
                (let ((rest (%pprint-rest)))
                  (unless first
                    (if (and (consp rest) (symbolp (car rest))
                             (member (symbol-name (car rest)) *pp-loop-keywords* :test #'string=))
                        (pprint-newline :mandatory stream)
                        (write-char #\Space stream)))
                  (setq first nil)
                  (write (pprint-pop) :stream stream)))))))

(defvar *pp-code-layouts* (make-hash-table :test 'eq))

(defun pp-define-layouts (names function)
  (dolist (name names) (setf (gethash name *pp-code-layouts*) function)))

(pp-define-layouts '(quote) (pp-abbreviation "'"))
(pp-define-layouts '(function) (pp-abbreviation "#'"))
(pp-define-layouts '(quasiquote) (pp-abbreviation "`"))
(pp-define-layouts '(unquote) (pp-abbreviation ","))
(pp-define-layouts '(unquote-splicing) (pp-abbreviation ",@"))
(pp-define-layouts '(unquote-nsplicing) (pp-abbreviation ",."))
(pp-define-layouts '(funcall apply multiple-value-call cond) #'pp-call-aligned)
(pp-define-layouts '(defun defmacro defmethod define-compiler-macro deftype define-setf-expander)
                   #'pp-defun)
(pp-define-layouts '(let let* symbol-macrolet handler-bind restart-bind)
                   (pp-let-layout #'pp-data-list-or-atom))
(pp-define-layouts '(flet labels macrolet) (pp-let-layout #'pp-local-function))
(pp-define-layouts '(lambda) (pp-block-layout 1 :lambda-list t))
(pp-define-layouts '(destructuring-bind) (pp-block-layout 2 :lambda-list t :first :linear))
(pp-define-layouts '(case ecase ccase typecase etypecase ctypecase) #'pp-case)
(pp-define-layouts '(when unless block unwind-protect catch return-from with-standard-io-syntax
                     defvar defparameter defconstant prog1 multiple-value-prog1)
                   (pp-block-layout 1))
(pp-define-layouts '(dolist dotimes do-symbols do-external-symbols do-all-symbols)
                   (pp-block-layout 1 :spec t))
(pp-define-layouts '(eval-when with-open-file with-output-to-string with-input-from-string with-open-stream
                     prog prog* print-unreadable-object pprint-logical-block)
                   (pp-block-layout 1 :data t))
(pp-define-layouts '(progv) (pp-block-layout 2 :data t :first :linear))
(pp-define-layouts '(with-slots with-accessors) (pp-block-layout 2 :data t))
(pp-define-layouts '(multiple-value-bind defstruct) (pp-block-layout 2))
(pp-define-layouts '(defgeneric) (pp-block-layout 2 :kinds '(:fill :mandatory) :lambda-list t))
(pp-define-layouts '(define-condition) (pp-block-layout 3 :kinds '(:fill :mandatory :linear)))
(pp-define-layouts '(defpackage restart-case) (pp-block-layout 1 :mandatory t))
(pp-define-layouts '(defclass) #'pp-call-aligned)
(pp-define-layouts '(progn locally) #'pp-progn)
(pp-define-layouts '(if) #'pp-if)
(pp-define-layouts '(setq setf psetq psetf) #'pp-setq-pairs)
(pp-define-layouts '(tagbody) #'pp-tagbody)
(pp-define-layouts '(do do*) #'pp-do)
(pp-define-layouts '(loop) #'pp-loop)

(defvar *standard-pprint-dispatch* (%make-pprint-dispatch-table nil)
  "The standard pprint dispatch table (never modified).")
(defvar *print-pprint-dispatch* (%make-pprint-dispatch-table nil))

(in-package "COMMON-LISP-USER")
