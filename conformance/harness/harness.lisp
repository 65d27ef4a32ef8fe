;;;; conformance/harness/harness.lisp -- the portable test harness of the
;;;; Petrel ANSI conformance suite.
;;;;
;;;; Written from scratch for Petrel.  It must run unchanged on Petrel's young
;;;; kernel as well as on SBCL, ECL and CLISP, so it uses only the subset of
;;;; Common Lisp listed in conformance/README.md ("The harness subset"): no
;;;; packages (everything lives in CL-USER with a CF- prefix), no LOOP
;;;; keywords, no hash tables, no CLOS, no structures, no file streams (tests
;;;; are read with LOAD), no FORMAT directives beyond ~A ~S ~D ~% ~&, no
;;;; bignums, no TYPEP.
;;;;
;;;; A test file is a sequence of top-level forms:
;;;;
;;;;   (in-section "14.2")                          ; default CLHS section
;;;;   (deftest member.1 (member 2 '(1 2 3)) (2 3)) ; name, form, values...
;;;;   (deftest floor.1 (floor 7 2) 3 1)            ; two values expected
;;;;   (deftest equalp.3 :test equalp (vector 1) #(1))
;;;;   (deftest car.error.1 :symbols (car)
;;;;     (signals-error (car 1) type-error) t)
;;;;
;;;; Options between the name and the form, all optional:
;;;;   :section "12.2"   CLHS section (default: the last IN-SECTION)
;;;;   :symbols (+ -)    CL symbols exercised (the coverage meter also scans
;;;;                     the form itself)
;;;;   :test equalp      how each value is compared: equal, equalp, eql, eq
;;;;                     or boolean (both NIL or both non-NIL).  The default
;;;;                     is EQUAL, except that when every expected value is
;;;;                     T or NIL (and at least one is T) and the form is not
;;;;                     a SIGNALS-ERROR form, it is BOOLEAN: most predicates
;;;;                     (and SUBTYPEP's two values) are generalized booleans,
;;;;                     so any true value passes.  Say :test eq to insist on
;;;;                     T itself.
;;;;   :timeout 10       seconds, where the implementation supports per-test
;;;;                     timeouts (only SBCL, see CF-WITH-TIMEOUT)
;;;;
;;;; A DEFTEST form runs its test at once (when it is loaded), evaluating the
;;;; quoted test form with EVAL inside a handler, and prints one line:
;;;;
;;;;   RESULT<TAB>name<TAB>status<TAB>got<TAB>expected<TAB>section
;;;;
;;;; status is pass, fail (wrong values), error (an unexpected condition was
;;;; signalled; got is "TYPE: message") or timeout.  got and expected are the
;;;; printed lists of values, with newline, tab, return and backslash escaped
;;;; as \n \t \r \\ so that a line is always one line.  The Python runner
;;;; (conformance/run.py) adds the statuses crash (the Lisp died or hung
;;;; before reporting the test) and skip.

(defvar *cf-out* *standard-output*
  "The stream RESULT lines go to; tests run with *STANDARD-OUTPUT* rebound.")
(defvar *cf-section* "" "Default CLHS section, set by IN-SECTION.")
(defvar *cf-skip* nil
  "Names (strings) of tests not to run: the runner sets it when it restarts
an implementation after a crash.")
(defvar *cf-only* nil "When non-NIL, a list of names (strings): run only these.")
(defvar *cf-default-timeout* 5
  "Seconds per test, where supported; below the runner's 10 s inactivity limit.")
(defvar *cf-counts* (list 0 0 0 0) "pass fail error timeout")
(defvar *cf-tmpdir* "/tmp/"
  "A private scratch directory (namestring ending in /) for tests of files;
the runner sets it to a fresh directory per run.")

(defun cf-tmp (name)
  "The namestring of NAME in the scratch directory."
  (concatenate 'string *cf-tmpdir* name))

(defun cf-tab () (code-char 9))

(defmacro in-section (section)
  `(setq *cf-section* ,section))

;;; Printing that never hangs and never breaks a line.

(defun cf-escape (string)
  (with-output-to-string (out)
    (let ((i 0) (n (length string)))
      (do () ((>= i n))
        (let* ((ch (char string i)) (code (char-code ch)))
          (cond ((= code 10) (write-string "\\n" out))
                ((= code 9) (write-string "\\t" out))
                ((= code 13) (write-string "\\r" out))
                ((= code 92) (write-string "\\\\" out))
                (t (write-char ch out))))
        (setq i (+ i 1))))))

(defun cf-print (object)
  "OBJECT printed readably-ish on one line; never hangs on circularity."
  (handler-case
      (let ((*print-circle* t)
            (*print-length* 50)
            (*print-level* 8)
            (*print-pretty* nil)
            (*print-escape* t)
            (*print-readably* nil)
            (*print-base* 10)
            (*print-radix* nil)
            (*print-case* :upcase)
            (*print-array* t)
            (*print-gensym* t))
        (cf-escape (prin1-to-string object)))
    (serious-condition () "#<unprintable>")))

(defun cf-type-name (condition)
  (handler-case (cf-print (type-of condition))
    (serious-condition () "?")))

(defun cf-condition-string (condition)
  (let ((message (handler-case (princ-to-string condition)
                   (serious-condition () "#<unprintable condition>"))))
    (cf-escape (with-output-to-string (s)
                 (write-string (cf-type-name condition) s)
                 (write-string ": " s)
                 (write-string message s)))))

(defun cf-line (&rest fields)
  "Write FIELDS (strings) as one tab-separated line to *CF-OUT*."
  (let ((out *cf-out*))
    (fresh-line out)
    (let ((first t))
      (dolist (f fields)
        (if first (setq first nil) (write-char (cf-tab) out))
        (write-string f out)))
    (terpri out)
    (finish-output out)))

;;; Expectations.

(defun cf-no-signal (values)
  (cons :no-error values))

(defmacro signals-error (form type)
  "T when evaluating FORM signals a condition of type TYPE (not evaluated);
otherwise (:NO-ERROR . values) or (:WRONG-CONDITION type-name)."
  `(handler-case (cf-no-signal (multiple-value-list ,form))
     (,type () t)
     (error (c) (list :wrong-condition (cf-type-name c)))))

(defun cf-compare (test a b)
  (cond ((eq test 'equalp) (equalp a b))
        ((eq test 'eql) (eql a b))
        ((eq test 'eq) (eq a b))
        ((eq test 'boolean) (eq (null a) (null b)))
        (t (equal a b))))

(defun cf-values-match (test got expected)
  (cond ((and (null got) (null expected)) t)
        ((or (null got) (null expected)) nil)
        ((cf-compare test (car got) (car expected))
         (cf-values-match test (cdr got) (cdr expected)))
        (t nil)))

;;; Timeouts.  Only SBCL offers a portable-enough per-test timeout
;;; (SB-EXT:WITH-TIMEOUT).  ECL, CLISP and Petrel have none here: a test
;;; that hangs there is caught by the runner's wall-clock timeout for the
;;; whole chapter, reported as "crash", and the runner restarts the Lisp
;;; after that test.

(defun cf-eval-values (form timeout)
  #+sbcl
  (handler-case
      (sb-ext:with-timeout timeout
        (multiple-value-list (eval form)))
    (sb-ext:timeout () :timeout))
  #-sbcl
  (progn timeout (multiple-value-list (eval form))))

;;; Running one test.

(defun cf-selected-p (name)
  (let ((s (symbol-name name)))
    (and (not (member s *cf-skip* :test #'string=))
         (or (null *cf-only*) (member s *cf-only* :test #'string=)))))

(defun cf-bump (index)
  (let ((cell (nthcdr index *cf-counts*)))
    (setf (car cell) (+ (car cell) 1))))

(defun cf-run-test (name form expected test section timeout)
  (when (cf-selected-p name)
    (let ((status "error") (got "") (section (or section *cf-section*)))
      (handler-case
          (let ((vals (let ((*standard-output* (make-string-output-stream))
                            (*standard-input* (make-string-input-stream "")))
                        (cf-eval-values form timeout))))
            (cond ((eq vals :timeout)
                   (setq status "timeout"))
                  (t
                   (setq got (cf-print vals))
                   (setq status (if (cf-values-match test vals expected)
                                    "pass" "fail")))))
        (serious-condition (c)
          (setq status "error")
          (setq got (cf-condition-string c))))
      (cond ((string= status "pass") (cf-bump 0))
            ((string= status "fail") (cf-bump 1))
            ((string= status "error") (cf-bump 2))
            (t (cf-bump 3)))
      (cf-line "RESULT" (symbol-name name) status got (cf-print expected)
               section)
      name)))

(defun cf-parse-options (body)
  "Split BODY after the test name into (options form . expected)."
  (let ((options nil))
    (do () ((not (and (consp body) (consp (cdr body))
                      (member (car body) '(:section :symbols :test :timeout)))))
      (setq options (cons (car body) (cons (cadr body) options)))
      (setq body (cddr body)))
    (cons options body)))

(defun cf-option (plist key default)
  (cond ((null plist) default)
        ((eq (car plist) key) (cadr plist))
        (t (cf-option (cddr plist) key default))))

(defun cf-all-booleans-p (values)
  (cond ((null values) t)
        ((or (eq (car values) t) (eq (car values) nil))
         (cf-all-booleans-p (cdr values)))
        (t nil)))

(defun cf-default-test (form expected)
  (if (and (member t expected)
           (cf-all-booleans-p expected)
           (not (and (consp form) (eq (car form) 'signals-error))))
      'boolean
      'equal))

(defmacro deftest (name &rest body)
  (let* ((parsed (cf-parse-options body))
         (options (car parsed))
         (form (cadr parsed))
         (expected (cddr parsed))
         (section (cf-option options :section nil))
         (test (cf-option options :test (cf-default-test form expected)))
         (timeout (cf-option options :timeout '*cf-default-timeout*)))
    `(cf-run-test ',name ',form ',expected ',test ,section ,timeout)))

;;; Setup forms.  A top-level form of a test file that is not a DEFTEST
;;; (a DEFUN, DEFSTRUCT, DEFCLASS ... the tests need) is wrapped in CF-SETUP,
;;; so that an implementation lacking the operator reports a SETUPERROR line
;;; and the tests that depend on it fail one by one, instead of the error
;;; aborting the LOAD of the whole file.

(defun cf-run-setup (forms)
  (dolist (form forms)
    (handler-case (let ((*standard-output* (make-string-output-stream)))
                    (eval form))
      (serious-condition (c)
        (cf-line "SETUPERROR" (cf-print form) (cf-condition-string c))))))

(defmacro cf-setup (&rest forms)
  `(cf-run-setup ',forms))

;;; Running files.

(defun cf-run-files (files)
  "Load each test file in FILES (strings); errors that escape a file (such
as a reader error) are reported as FILEERROR lines and the next file runs."
  (dolist (file files)
    (setq *cf-section* "")
    (cf-line "FILE" file)
    (handler-case (load file)
      (serious-condition (c)
        (cf-line "FILEERROR" file (cf-condition-string c))))
    (cf-line "ENDFILE" file)))

(defun cf-done ()
  (cf-line "DONE"
           (princ-to-string (car *cf-counts*))
           (princ-to-string (cadr *cf-counts*))
           (princ-to-string (caddr *cf-counts*))
           (princ-to-string (cadddr *cf-counts*))))
