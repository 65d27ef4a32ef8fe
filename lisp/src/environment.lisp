;;;; lisp/src/environment.lisp — CLHS chapter 25, the environment: decoding
;;;; and encoding times (25.1.4), TIME, DOCUMENTATION, DESCRIBE and
;;;; DESCRIBE-OBJECT, APROPOS and APROPOS-LIST, TRACE and UNTRACE, STEP,
;;;; DRIBBLE, ED and INSPECT.  The clocks, the machine and system queries and
;;;; the function objects' docstrings and lambda lists are builtins
;;;; (lisp/builtins_env.c).
;;;;
;;;; Choices where CLHS leaves them to the implementation:
;;;; - INTERNAL-TIME-UNITS-PER-SECOND is 1000000 (microseconds).
;;;; - DOCUMENTATION: a function's docstring lives in its code object (the
;;;;   compiler keeps it; builtins carry theirs); other docstrings are on the
;;;;   name's plist under %VARIABLE-DOCUMENTATION, %TYPE-DOCUMENTATION, ...
;;;;   (DEFVAR, DEFTYPE, DEFSTRUCT, DEFINE-CONDITION, DEFSETF put them there);
;;;;   a package's are in *PACKAGE-DOCUMENTATION* (packages.lisp).
;;;;   DESCRIBE-OBJECT and DOCUMENTATION are ordinary functions: there is no
;;;;   CLOS to add methods to yet.
;;;; - TRACE wraps the global definition in a closure that prints the call
;;;;   and its values to *TRACE-OUTPUT*, indented by depth; UNTRACE puts the
;;;;   original back (unless the name was redefined meanwhile).  Calls that
;;;;   do not go through the global definition are not seen: a compiled
;;;;   function calling itself directly, and builtins the compiler open-codes
;;;;   (CAR, +, ...).
;;;; - STEP has no stepper behind it: it evaluates its form, as several
;;;;   implementations do.
;;;; - DRIBBLE sends a copy of everything read from *STANDARD-INPUT* and
;;;;   written to *STANDARD-OUTPUT*, *ERROR-OUTPUT* and *TERMINAL-IO* to the
;;;;   file (echo and broadcast streams in place of the process streams
;;;;   behind them), so the REPL's transcript lands in the file.
;;;; - ED runs $VISUAL or $EDITOR on a file; Petrel records no source
;;;;   locations, so ED on a function name is an error that says so.
;;;; - INSPECT is a small textual inspector on *QUERY-IO*: it describes the
;;;;   object, numbers its parts, and reads a part number, U (up) or Q.

(in-package "PETREL-SYSTEM")

;; TRACE's table: function name -> (original-function . wrapper).
(defvar *traced* (make-hash-table :test 'equal :synchronized t))
(defvar *trace-depth* 0)

(defconstant internal-time-units-per-second 1000000
  "Internal time (GET-INTERNAL-REAL-TIME, GET-INTERNAL-RUN-TIME) is in microseconds.")

;;; ---- universal time (CLHS 25.1.4) ----

;; Days from 1900-01-01 to the given proleptic Gregorian date (Hinnant's
;; days-from-civil, shifted from the Unix epoch by 25567 days).
(defun %days-from-civil (year month day)
  (let* ((y (if (<= month 2) (1- year) year))
         (era (floor y 400))
         (yoe (- y (* era 400)))
         (doy (+ (floor (+ (* 153 (+ month (if (> month 2) -3 9))) 2) 5) (1- day)))
         (doe (+ (* yoe 365) (floor yoe 4) (- (floor yoe 100)) doy)))
    (- (+ (* era 146097) doe) 693901)))

;; The inverse: (values year month day) of a day count from 1900-01-01.
(defun %civil-from-days (days)
  (let* ((z (+ days 693901))
         (era (floor z 146097))
         (doe (- z (* era 146097)))
         (yoe (floor (- (+ doe (floor doe 36524)) (floor doe 1460) (floor doe 146096)) 365))
         (doy (- doe (+ (* 365 yoe) (floor yoe 4) (- (floor yoe 100)))))
         (mp (floor (+ (* 5 doy) 2) 153))
         (day (1+ (- doy (floor (+ (* 153 mp) 2) 5))))
         (month (if (< mp 10) (+ mp 3) (- mp 9))))
    (values (+ yoe (* era 400) (if (<= month 2) 1 0)) month day)))

(defun %check-time-zone (tz operator)
  (unless (and (rationalp tz) (<= -24 tz 24) (integerp (* tz 3600)))
    (error 'type-error :datum tz :expected-type '(rational -24 24)
                       :format-control "~S: the time zone ~S is not a rational multiple of 1/3600 between -24 and 24"
                       :format-arguments (list operator tz))))

(defun %check-time-field (value low high operator what)
  (unless (and (integerp value) (<= low value) (or (null high) (<= value high)))
    (error 'type-error :datum value :expected-type (list 'integer low (or high '*))
                       :format-control "~S: the ~A ~S is not an integer from ~D to ~:[any~;~:*~D~]"
                       :format-arguments (list operator what value low high))))

(defun decode-universal-time (universal-time &optional (time-zone nil time-zone-p))
  "Second, minute, hour, date, month, year, day of week (0 = Monday),
daylight-saving-p and zone of UNIVERSAL-TIME, in TIME-ZONE (hours west of
Greenwich) or, if it is not given, in the local zone with its daylight saving."
  (%check-time-field universal-time 0 nil 'decode-universal-time "universal time")
  (let ((offset 0) (dst nil) (zone time-zone))
    (if time-zone-p
        (progn (%check-time-zone time-zone 'decode-universal-time)
               (setq offset (- (* time-zone 3600))))
        (multiple-value-bind (east dst-p) (%local-time-offset universal-time)
          (setq offset east dst dst-p
                zone (- (/ (- east (if dst-p 3600 0)) 3600)))))
    (multiple-value-bind (days seconds) (floor (+ universal-time offset) 86400)
      (multiple-value-bind (year month date) (%civil-from-days days)
        (multiple-value-bind (hour rest) (floor seconds 3600)
          (multiple-value-bind (minute second) (floor rest 60)
            (values second minute hour date month year (mod days 7) dst zone)))))))

(defun get-decoded-time ()
  "The current time, decoded in the local zone (DECODE-UNIVERSAL-TIME)."
  (decode-universal-time (get-universal-time)))

(defun %days-in-month (month year)
  (if (= month 2)
      (if (and (zerop (mod year 4)) (or (plusp (mod year 100)) (zerop (mod year 400)))) 29 28)
      (nth (1- month) '(31 28 31 30 31 30 31 31 30 31 30 31))))

;; CLHS 25.1.4.1: a year from 0 to 99 means the one within 50 years of now.
(defun %full-year (year)
  (if (>= year 100)
      year
      (let ((now (nth-value 5 (decode-universal-time (get-universal-time) 0))))
        (+ year (* 100 (ceiling (- now 50 year) 100))))))

(defun encode-universal-time (second minute hour date month year &optional (time-zone nil time-zone-p))
  "The universal time of the given date and time in TIME-ZONE (hours west of
Greenwich) or, if it is not given, in the local zone with its daylight saving.
A YEAR from 0 to 99 is the year within 50 years of the current one."
  (%check-time-field second 0 59 'encode-universal-time "second")
  (%check-time-field minute 0 59 'encode-universal-time "minute")
  (%check-time-field hour 0 23 'encode-universal-time "hour")
  (%check-time-field month 1 12 'encode-universal-time "month")
  (%check-time-field year 0 nil 'encode-universal-time "year")
  (let ((year (%full-year year)))
    (%check-time-field date 1 (%days-in-month month year) 'encode-universal-time "date")
    (let* ((utc (+ (* 86400 (%days-from-civil year month date)) (* 3600 hour) (* 60 minute) second))
           (universal
             (if time-zone-p
                 (progn (%check-time-zone time-zone 'encode-universal-time)
                        (+ utc (* time-zone 3600)))
                 ;; The offset depends on the instant: two steps settle it,
                 ;; also across a daylight saving change.
                 (let ((guess (- utc (%local-time-offset (max utc 0)))))
                   (- utc (%local-time-offset (max guess 0)))))))
      (when (minusp universal)
        (error 'type-error :datum universal :expected-type '(integer 0 *)
                           :format-control "ENCODE-UNIVERSAL-TIME: the time is before 1900-01-01 00:00 GMT (universal time ~D)"
                           :format-arguments (list universal)))
      universal)))

;;; ---- TIME ----

(defmacro time (form)
  "Evaluates FORM, prints the real and run time, the collections and the bytes
allocated to *TRACE-OUTPUT*, and returns FORM's values."
  `(%time (lambda () ,form)))

(defun %time (thunk)
  (let ((gc0 (gc-statistics)) (real0 (get-internal-real-time)))
    (multiple-value-bind (user0 system0) (%cpu-times)
      (let ((values (multiple-value-list (funcall thunk))))
        (multiple-value-bind (user1 system1) (%cpu-times)
          (let ((real1 (get-internal-real-time)) (gc1 (gc-statistics)))
            (flet ((delta (key) (- (getf gc1 key) (getf gc0 key)))
                   (seconds (us) (/ us 1000000d0)))
              (format *trace-output*
                      "~&Evaluation took:~%  ~,3F seconds of real time~%  ~
                       ~,3F seconds of total run time (~,3F user, ~,3F system)~%  ~
                       ~D GC collection~:P, ~,3F seconds of GC pause time~%  ~
                       ~:D bytes consed~%"
                      (seconds (- real1 real0))
                      (seconds (- (+ user1 system1) user0 system0))
                      (seconds (- user1 user0)) (seconds (- system1 system0))
                      (delta :collections) (/ (delta :pause-total-ns) 1d9)
                      (delta :bytes-allocated)))))
        (values-list values)))))

;;; ---- DOCUMENTATION (CLHS 25.2 documentation) ----

(defun %doc-indicator (doc-type)
  (case doc-type
    (variable '%variable-documentation)
    (type '%type-documentation)
    (structure 'structure-documentation)
    (compiler-macro '%compiler-macro-documentation)
    (setf '%setf-documentation)
    (method-combination '%method-combination-documentation)
    (function '%function-documentation)
    (t nil)))

(defun %function-name-p (x)
  (or (symbolp x) (and (consp x) (eq (car x) 'setf) (consp (cdr x)) (symbolp (cadr x)) (null (cddr x)))))

;; Where the docstring of a function name is, as (symbol . indicator).
(defun %function-doc-place (name)
  (if (consp name)
      (cons (cadr name) '%setf-function-documentation)
      (cons name '%function-documentation)))

;; The function object behind a function name (the original if traced), or NIL.
(defun %documented-function (name)
  (cond ((and (symbolp name) (special-operator-p name)) nil)
        ((and (symbolp name) (macro-function name)) (macro-function name))
        ((fboundp name) (let ((entry (gethash name *traced*)))
                          (if entry (car entry) (fdefinition name))))
        (t nil)))

(defun documentation (x doc-type)
  "The docstring of X for DOC-TYPE (FUNCTION, VARIABLE, TYPE, STRUCTURE,
COMPILER-MACRO, SETF, or T for a function or package object), or NIL."
  (cond ((functionp x)
         (and (member doc-type '(t function)) (%function-documentation x)))
        ((packagep x)
         (and (eq doc-type t) (values (gethash x *package-documentation*))))
        ((and (eq doc-type 'function) (%function-name-p x))
         (let ((place (%function-doc-place x)) (fn (%documented-function x)))
           (or (and fn (%function-documentation fn))
               (get (car place) (cdr place)))))
        ((and (eq doc-type 'compiler-macro) (%function-name-p x))
         (or (and (symbolp x) (get x '%compiler-macro-documentation))
             (let ((fn (compiler-macro-function x)))
               (and fn (%function-documentation fn)))))
        ((and (eq doc-type 'setf) (symbolp x))
         (or (get x '%setf-documentation)
             (let ((fn (get x '%setf-expander)))
               (and (functionp fn) (%function-documentation fn)))))
        ((and (eq doc-type 'type) (symbolp x))
         (or (get x '%type-documentation) (get x 'structure-documentation)))
        ((and (symbolp x) (%doc-indicator doc-type))
         (get x (%doc-indicator doc-type)))
        ((symbolp x) nil)
        (t (error 'type-error :datum x :expected-type '(or symbol function package cons)
                              :format-control "DOCUMENTATION: ~S has no documentation of type ~S"
                              :format-arguments (list x doc-type)))))

(defun (setf documentation) (new-value x doc-type)
  "Sets the docstring of X for DOC-TYPE (see DOCUMENTATION)."
  (unless (or (null new-value) (stringp new-value))
    (error 'type-error :datum new-value :expected-type '(or null string)))
  (cond ((functionp x)
         (%set-function-documentation x new-value))
        ((packagep x)
         (if new-value
             (setf (gethash x *package-documentation*) new-value)
             (remhash x *package-documentation*)))
        ;; A defined function keeps its docstring itself (a later DEFUN
        ;; replaces it); a name not defined yet keeps it on the plist.
        ((and (eq doc-type 'function) (%function-name-p x))
         (let ((place (%function-doc-place x)) (fn (%documented-function x)))
           (if fn
               (progn (%set-function-documentation fn new-value)
                      (remprop (car place) (cdr place)))
               (%put (car place) (cdr place) new-value))))
        ((and (symbolp x) (eq doc-type 'type) (get x 'structure-description))
         (%put x 'structure-documentation new-value)
         (%put x '%type-documentation new-value))
        ((and (symbolp x) (%doc-indicator doc-type))
         (%put x (%doc-indicator doc-type) new-value))
        (t (error 'type-error :datum x :expected-type '(or symbol function package cons)
                              :format-control "(SETF DOCUMENTATION): cannot document ~S as ~S"
                              :format-arguments (list x doc-type))))
  new-value)

;;; ---- DESCRIBE (CLHS describe, describe-object) ----

(defun describe (object &optional stream)
  "Prints a description of OBJECT to STREAM (NIL: *STANDARD-OUTPUT*, T:
*TERMINAL-IO*) and returns no values."
  (let ((stream (cond ((null stream) *standard-output*) ((eq stream t) *terminal-io*) (t stream))))
    (describe-object object stream)
    (values)))

(defmethod describe-object ((object t) stream)  ; the generic function is in clos-objects.lisp
  "Writes the description DESCRIBE prints of OBJECT to STREAM."
  (fresh-line stream)
  (typecase object
    (symbol (%describe-symbol object stream))
    (function (format stream "~S is a function.~%" object)
              (%describe-function object stream "  "))
    (integer (format stream "~S is an integer (~S), ~D bit~:P long.~%  #x~X, #o~O, #b~B~%"
                     object (type-of object) (integer-length object) object object object))
    (ratio (format stream "~S is a ratio: numerator ~S, denominator ~S.~%"
                   object (numerator object) (denominator object)))
    (float (multiple-value-bind (significand exponent sign) (integer-decode-float object)
             (format stream "~S is a ~(~A~): sign ~D, significand ~D, exponent ~D.~%"
                     object (type-of object) sign significand exponent)))
    (complex (format stream "~S is a complex number: real part ~S, imaginary part ~S.~%"
                     object (realpart object) (imagpart object)))
    (character (format stream "~S is a character, code ~D~@[, named ~S~].~%"
                       object (char-code object) (char-name object)))
    (string (format stream "~S is a ~:[~;simple ~]string of length ~D.~%"
                    object (simple-string-p object) (length object)))
    (cons (%describe-cons object stream))
    (array (%describe-array object stream))
    (hash-table (%describe-hash-table object stream))
    (package (%describe-package object stream))
    (condition (format stream "~S is a condition of type ~S.~%  Report: ~A~%"
                       object (type-of object) (princ-to-string object)))
    (t (cond ((%structure-name object) (%describe-structure object stream))
             ((petrel-threads:threadp object)
              (format stream "~S is a thread named ~S, status ~S~:[, finished~;, alive~].~%"
                      object (petrel-threads:thread-name object) (petrel-threads:thread-status object)
                      (petrel-threads:thread-alive-p object)))
             (t (format stream "~S is an object of type ~S.~%" object (type-of object))))))
  (values))

(defun %describe-symbol (symbol stream)
  (let ((package (symbol-package symbol)))
    (if package
        (format stream "~S is a symbol, ~(~A~) in package ~A.~%" symbol
                (nth-value 1 (find-symbol (symbol-name symbol) package)) (package-name package))
        (format stream "~S is an uninterned symbol.~%" symbol)))
  (when (boundp symbol)
    (format stream "  It is a ~:[special variable~;constant~]; its value is ~S.~%"
            (constantp symbol) (symbol-value symbol)))
  (let ((doc (documentation symbol 'variable)))
    (when doc (format stream "  Variable documentation:~%    ~A~%" doc)))
  (cond ((special-operator-p symbol)
         (format stream "  It names a special operator.~%"))
        ((macro-function symbol)
         (format stream "  It names a macro.~%  Lambda-list: ~S~%" (get symbol '%macro-lambda-list))
         (let ((doc (documentation symbol 'function)))
           (when doc (format stream "  Documentation:~%    ~A~%" doc))))
        ((fboundp symbol)
         (format stream "  It names a function~:[~; (traced)~].~%" (gethash symbol *traced*))
         (%describe-function (%documented-function symbol) stream "  ")))
  (when (compiler-macro-function symbol)
    (format stream "  It has a compiler macro.~%"))
  (let ((doc (documentation symbol 'type)))
    (when doc (format stream "  Type documentation:~%    ~A~%" doc)))
  (when (get symbol 'structure-description)
    (format stream "  It names a structure type.~%"))
  ;; Petrel's own indicators (documentation, structure layouts...) are not shown.
  (let ((plist (loop for (key value) on (symbol-plist symbol) by #'cddr
                     unless (and (symbolp key) (eq (symbol-package key) (find-package "PETREL-SYSTEM")))
                       append (list key value))))
    (when plist
      (format stream "  Property list: ~S~%" plist))))

(defun %describe-function (fn stream indent)
  (multiple-value-bind (lambda-list known) (%function-lambda-list fn)
    (when known
      (if (stringp lambda-list)
          (format stream "~ALambda-list: (~A)~%" indent lambda-list)
          (format stream "~ALambda-list: ~S~%" indent lambda-list))))
  (let ((doc (%function-documentation fn)))
    (when doc (format stream "~ADocumentation:~%~A  ~A~%" indent indent doc))))

;; (values kind length): kind :proper, :dotted or :circular.
(defun %list-shape (list)
  (do ((slow list) (fast list (cddr fast)) (n 0 (+ n 2)))
      (nil)
    (cond ((null fast) (return (values :proper n)))
          ((atom fast) (return (values :dotted n)))
          ((null (cdr fast)) (return (values :proper (1+ n))))
          ((atom (cdr fast)) (return (values :dotted (1+ n)))))
    (when (and (plusp n) (eq fast slow)) (return (values :circular nil)))
    (setq slow (cdr slow))
    (when (eq (cddr fast) slow) (return (values :circular nil)))))

(defun %describe-cons (list stream)
  (multiple-value-bind (kind length) (%list-shape list)
    (let ((*print-circle* t) (*print-length* 20))
      (ecase kind
        (:circular (format stream "~S is a circular list.~%" list))
        (:proper (format stream "~S is a list of length ~D.~%" list length))
        (:dotted (format stream "~S is a dotted list.~%" list))))))

(defun %describe-array (array stream)
  (format stream "~S is ~:[an~;a simple~] array of rank ~D, dimensions ~S, element type ~S.~%"
          array (typep array 'simple-array) (array-rank array) (array-dimensions array)
          (array-element-type array))
  (when (array-has-fill-pointer-p array)
    (format stream "  Fill pointer: ~D~%" (fill-pointer array)))
  (when (adjustable-array-p array)
    (format stream "  It is adjustable.~%")))

(defun %describe-hash-table (table stream)
  (format stream "~S is a hash table, test ~S, ~D entr~:@P (size ~D~@[, weakness ~S~]~:[~;, synchronized~]).~%"
          table (hash-table-test table) (hash-table-count table) (hash-table-size table)
          (hash-table-weakness table) (hash-table-synchronized-p table))
  (let ((shown 0))
    (block entries
      (maphash (lambda (key value)
                 (when (>= shown 10)
                   (format stream "  ...~%")
                   (return-from entries))
                 (format stream "  ~S -> ~S~%" key value)
                 (incf shown))
               table))))

(defun %describe-package (package stream)
  (let ((internal 0) (external 0))
    (do-symbols (s package)
      (when (eq (symbol-package s) package)
        (if (eq (nth-value 1 (find-symbol (symbol-name s) package)) :external)
            (incf external)
            (incf internal))))
    (format stream "~S is a package named ~A~@[, nicknames ~{~A~^, ~}~].~%  ~
                    ~D external and ~D internal symbols of its own.~%  Uses: ~:[none~;~:*~{~A~^, ~}~]~%  Used by: ~:[none~;~:*~{~A~^, ~}~]~%"
            package (package-name package) (package-nicknames package) external internal
            (mapcar #'package-name (package-use-list package))
            (mapcar #'package-name (package-used-by-list package)))
    (let ((doc (documentation package t)))
      (when doc (format stream "  Documentation:~%    ~A~%" doc)))))

(defun %structure-slots (object)
  ;; ((slot-name . value) ...) of a structure instance
  (let* ((name (%structure-name object))
         (desc (get name 'structure-description)))
    (mapcar (lambda (slot) (cons (car slot) (%structure-ref object name (nth 4 slot))))
            (nth 2 desc))))

(defun %describe-structure (object stream)
  (format stream "~S is a structure of type ~S.~%" object (%structure-name object))
  (dolist (slot (%structure-slots object))
    (format stream "  ~A: ~S~%" (car slot) (cdr slot))))

;;; ---- APROPOS (CLHS apropos, apropos-list) ----

(defun apropos-list (string &optional package external-only)
  "The symbols whose names contain STRING (case-insensitively): those
accessible in PACKAGE (only its external ones if EXTERNAL-ONLY), or in every
package if PACKAGE is NIL.  Each symbol appears once."
  (let ((name (string string)) (seen (make-hash-table :test 'eq)) (result '()))
    (flet ((consider (symbol)
             (when (and (not (gethash symbol seen)) (search name (symbol-name symbol) :test #'char-equal))
               (setf (gethash symbol seen) t)
               (push symbol result))))
      (cond ((and package external-only) (do-external-symbols (s package) (consider s)))
            (package (do-symbols (s package) (consider s)))
            (external-only (dolist (p (list-all-packages)) (do-external-symbols (s p) (consider s))))
            (t (do-all-symbols (s) (consider s)))))
    result))

(defun apropos (string &optional package external-only)
  "Prints the symbols APROPOS-LIST finds, sorted, each with what it names;
returns no values."
  (dolist (symbol (sort (apropos-list string package external-only) #'string< :key #'symbol-name))
    (format t "~&~S~:[~; (fbound)~]~:[~; (bound)~]~%"
            symbol (fboundp symbol) (boundp symbol)))
  (values))

;;; ---- TRACE / UNTRACE (CLHS trace) ----


(defmacro trace (&rest names)
  "Traces the functions NAMES: each call prints its arguments and its values
to *TRACE-OUTPUT*, indented by depth.  Without names, the list of traced names."
  (if names `(%trace ',names) '(%traced-names)))

(defmacro untrace (&rest names)
  "Stops tracing NAMES, or every traced function if none are given."
  `(%untrace ',(or names :all)))

(defun %traced-names ()
  (let ((names '()))
    (maphash (lambda (name entry) (declare (ignore entry)) (push name names)) *traced*)
    names))

(defun %trace-line (depth control &rest arguments)
  (let ((stream *trace-output*))
    (fresh-line stream)
    (write-string (make-string (* 2 (1+ (min depth 30))) :initial-element #\Space) stream)
    (format stream "~D: " depth)
    (apply #'format stream control arguments)
    (terpri stream)
    (force-output stream)))

(defun %traced-call (name function arguments)
  (let ((depth *trace-depth*))
    (%trace-line depth "~S" (cons name arguments))
    (let ((values (let ((*trace-depth* (1+ depth)))
                    (multiple-value-list (apply function arguments)))))
      (%trace-line depth "~S returned~{ ~S~}" name values)
      (values-list values))))

(defun %trace (names)
  (let ((done '()))
    (dolist (name names (nreverse done))
      (cond ((not (%function-name-p name))
             (warn "TRACE: ~S is not a function name" name))
            ((and (symbolp name) (or (special-operator-p name) (macro-function name)))
             (warn "TRACE: ~S names a macro or special operator, not a function" name))
            ((not (fboundp name))
             (warn "TRACE: ~S is not a defined function" name))
            ((let ((entry (gethash name *traced*)))
               (and entry (eq (fdefinition name) (cdr entry))))
             (push name done))
            (t (let* ((original (fdefinition name))
                      (wrapper (lambda (&rest arguments) (%traced-call name original arguments))))
                 (setf (gethash name *traced*) (cons original wrapper))
                 (%fset name wrapper)
                 (push name done)))))))

(defun %untrace (names)
  (let ((done '()))
    (dolist (name (if (eq names :all) (%traced-names) names) (nreverse done))
      (let ((entry (gethash name *traced*)))
        (when entry
          ;; A name redefined since TRACE keeps its new definition.
          (when (and (fboundp name) (eq (fdefinition name) (cdr entry)))
            (%fset name (car entry)))
          (remhash name *traced*)
          (push name done))))))

;;; ---- STEP, DRIBBLE, ED, INSPECT ----

(defmacro step (form)
  "Petrel has no stepper: STEP evaluates FORM and returns its values."
  form)

;; While dribbling: (file stdin stdout stderr terminal-io) as they were.
(defvar *dribble* nil)

(defun dribble (&optional pathname)
  "With PATHNAME, starts copying the session's input and output to that file
(appending); without, stops and closes the file."
  (when *dribble*
    (destructuring-bind (file stdin stdout stderr terminal-io) *dribble*
      (setq *stdin* stdin *stdout* stdout *stderr* stderr *terminal-io* terminal-io *dribble* nil)
      (format file "~&;;; Dribble finished~%")
      (close file)))
  (when pathname
    (let ((file (open pathname :direction :output :if-exists :append :if-does-not-exist :create)))
      (format file ";;; Dribble started~%")
      (setq *dribble* (list file *stdin* *stdout* *stderr* *terminal-io*))
      (setq *stdin* (make-echo-stream *stdin* file)
            *stdout* (make-broadcast-stream *stdout* file)
            *stderr* (make-broadcast-stream *stderr* file)
            *terminal-io* (make-two-way-stream *stdin* *stdout*))))
  (values))

(defun %split-words (string)
  (let ((words '()) (start nil))
    (dotimes (i (length string))
      (if (member (char string i) '(#\Space #\Tab))
          (when start (push (subseq string start i) words) (setq start nil))
          (unless start (setq start i))))
    (when start (push (subseq string start) words))
    (nreverse words)))

(defun ed (&optional x)
  "Runs the editor named by $VISUAL or $EDITOR on the file X (a pathname
designator), or with no file if X is not given."
  (let ((file (cond ((null x) nil)
                    ((or (stringp x) (pathnamep x)) (namestring (merge-pathnames x)))
                    (t (error "ED: Petrel does not record where ~S is defined; give ED a file name" x))))
        (editor (or (%split-words (or (getenv "VISUAL") ""))
                    (%split-words (or (getenv "EDITOR") "")))))
    (unless editor
      (error "ED: no editor: set the EDITOR (or VISUAL) environment variable"))
    (let ((status (%run-program (car editor) (append (cdr editor) (if file (list file) nil)))))
      (unless (zerop status)
        (warn "ED: the editor ~A exited with status ~D" (car editor) status)))
    (values)))

;; The parts of an object INSPECT can go into: ((label . value) ...).
(defun %inspect-parts (object)
  (cond ((and (consp object) (eq (%list-shape object) :proper))
         (mapcar (lambda (x) (cons nil x)) object))
        ((consp object) (list (cons "car" (car object)) (cons "cdr" (cdr object))))
        ((and (vectorp object) (not (stringp object)))
         (let ((parts '()))
           (dotimes (i (min (length object) 100) (nreverse parts)) (push (cons nil (aref object i)) parts))))
        ((hash-table-p object)
         (let ((parts '()))
           (maphash (lambda (k v) (push (cons (prin1-to-string k) v) parts)) object)
           (nreverse parts)))
        ((and (symbolp object) object)
         (append (and (boundp object) (list (cons "value" (symbol-value object))))
                 (and (fboundp object) (not (macro-function object)) (not (special-operator-p object))
                      (list (cons "function" (fdefinition object))))
                 (list (cons "package" (symbol-package object)) (cons "plist" (symbol-plist object)))))
        ((%structure-name object)
         (mapcar (lambda (slot) (cons (string (car slot)) (cdr slot))) (%structure-slots object)))
        (t nil)))

(defun inspect (object)
  "A textual inspector on *QUERY-IO*: describes OBJECT and numbers its parts;
type a number to inspect that part, U to go back up, Q (or end of input) to quit."
  (let ((io *query-io*) (stack (list object)))
    (loop
      (let* ((current (car stack)) (parts (%inspect-parts current)))
        (describe current io)
        (let ((n -1))
          (dolist (part parts)
            (format io "  [~D]~@[ ~A:~] ~S~%" (incf n) (car part) (cdr part))))
        (format io "~&inspect (number, U, Q)> ")
        (force-output io)
        (let ((line (read-line io nil nil)))
          (when (null line) (return))
          (let* ((command (string-trim " " line))
                 (index (ignore-errors (parse-integer command))))
            (cond ((string-equal command "q") (return))
                  ((string-equal command "u") (when (cdr stack) (pop stack)))
                  ((and index (< -1 index (length parts))) (push (cdr (nth index parts)) stack))
                  (t (format io "Type a part number, U or Q.~%")))))))
    (values)))
