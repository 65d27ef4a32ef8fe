;;;; lisp/src/print-macros.lisp — printer macros of CLHS 22.4:
;;;; PRINT-UNREADABLE-OBJECT, WITH-STANDARD-IO-SYNTAX (CLHS 2.1.1 / 22.1.1
;;;; standard values) and FORMATTER.  No state; any thread.

(in-package "PETREL-SYSTEM")

(defun %print-unreadable-object (object stream type identity body)
  (let ((stream (%out-stream stream)))
    (when *print-readably*
      (error 'print-not-readable :object object))
    (write-string "#<" stream)
    (when type
      (write (type-of object) :stream stream)
      (write-char #\Space stream))
    (when body (funcall body))
    (when identity
      (when body (write-char #\Space stream))
      (write-string (%object-address object) stream))
    (write-char #\> stream)
    nil))

(defmacro print-unreadable-object ((object stream &key type identity) &body body)
  "Print OBJECT as #<[type] body [identity]> on STREAM; an error under *print-readably*."
  `(%print-unreadable-object ,object ,stream ,type ,identity
                             ,(if body `(lambda () ,@body) nil)))

(defmacro with-standard-io-syntax (&body body)
  "Run BODY with the reader and printer variables at their standard values."
  `(let ((*package* (find-package "COMMON-LISP-USER"))
         (*print-array* t)
         (*print-base* 10)
         (*print-case* :upcase)
         (*print-circle* nil)
         (*print-escape* t)
         (*print-gensym* t)
         (*print-length* nil)
         (*print-level* nil)
         (*print-lines* nil)
         (*print-miser-width* nil)
         (*print-pprint-dispatch* *standard-pprint-dispatch*)
         (*print-pretty* nil)
         (*print-radix* nil)
         (*print-readably* t)
         (*print-right-margin* nil)
         (*read-base* 10)
         (*read-default-float-format* 'single-float)
         (*read-eval* t)
         (*read-suppress* nil)
         (*readtable* (%standard-readtable)))
     ,@body))

; %STANDARD-READTABLE (readtable.c) is the standard readtable itself.

(defmacro formatter (control-string)
  "A function of (stream &rest args) doing FORMAT with CONTROL-STRING; it returns the unused args."
  (unless (stringp control-string)
    (error 'type-error :datum control-string :expected-type 'string))
  (let ((stream (gensym "STREAM")) (args (gensym "ARGS")))
    `(function (lambda (,stream &rest ,args)
       (%format-rest ,stream ,control-string ,args)))))

(in-package "COMMON-LISP-USER")
