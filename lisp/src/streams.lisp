;;;; lisp/src/streams.lisp — the parts of CLHS 20 and 21 written in Lisp over
;;;; the stream layer in C (lisp/stream*.c, builtins_streams.c,
;;;; builtins_files.c): OPEN's argument defaulting, the WITH- macros,
;;;; READ-SEQUENCE / WRITE-SEQUENCE for any sequence, the file functions
;;;; (probe-file, truename, delete-file, rename-file, directory,
;;;; ensure-directories-exist, ...) over pathnames (src/pathnames.lisp),
;;;; and the standard stream variables.
;;;;
;;;; Standard streams, as SBCL arranges them: the streams over the process's
;;;; file descriptors live in SYS:*STDIN*, *STDOUT*, *STDERR*;
;;;; *standard-input*, *standard-output* and *error-output* are synonym
;;;; streams to them, *terminal-io* a two-way stream over stdin and stdout,
;;;; and *query-io*, *debug-io* and *trace-output* synonym streams to
;;;; *terminal-io*.  Rebinding *terminal-io* thus moves all three.

(in-package "PETREL-SYSTEM")

;;; ---- the WITH- macros ----

;;; (values declarations body) of a body that may start with declarations.
(defun %split-declarations (body)
  (let ((decls nil))
    (loop while (and (consp body) (consp (car body)) (eq (caar body) 'declare))
          do (push (pop body) decls))
    (values (nreverse decls) body)))

(defmacro with-open-stream ((var stream) &body body)
  (multiple-value-bind (decls forms) (%split-declarations body)
    `(let ((,var ,stream))
       ,@decls
       (unwind-protect (progn ,@forms)
         (when ,var (close ,var))))))

(defmacro with-open-file ((var filespec &rest options) &body body)
  (let ((abort (gensym "ABORT")))
    (multiple-value-bind (decls forms) (%split-declarations body)
      `(let ((,var (open ,filespec ,@options)) (,abort t))
         ,@decls
         (unwind-protect (multiple-value-prog1 (progn ,@forms) (setq ,abort nil))
           (when ,var (close ,var :abort ,abort)))))))

(defmacro with-input-from-string ((var string &key index (start 0) end) &body body)
  (multiple-value-bind (decls forms) (%split-declarations body)
    `(let ((,var (make-string-input-stream ,string ,start ,end)))
       ,@decls
       ,(if index
            `(multiple-value-prog1 (progn ,@forms) (setf ,index (file-position ,var)))
            `(progn ,@forms)))))

(defmacro with-output-to-string ((var &optional string &key element-type) &body body)
  (declare (ignore element-type))
  (multiple-value-bind (decls forms) (%split-declarations body)
    (if string
        ;; output goes to the end of STRING (a string with a fill pointer)
        (let ((target (gensym "STRING")))
          `(let ((,target ,string) (,var (make-string-output-stream)))
             ,@decls
             (unwind-protect (progn ,@forms)
               (%append-to-fill-pointer-string ,target (get-output-stream-string ,var)))))
        `(let ((,var (make-string-output-stream)))
           ,@decls
           ,@forms
           (get-output-stream-string ,var)))))

(defun %append-to-fill-pointer-string (target text)
  (dotimes (i (length text) target)
    (vector-push-extend (char text i) target)))

;;; ---- OPEN ----

(defun %canonical-element-type (type)
  (cond ((member type '(character base-char standard-char extended-char :default)) 'character)
        ((member type '(unsigned-byte bit)) '(unsigned-byte 8))
        ((eq type 'signed-byte) '(signed-byte 8))
        ((and (consp type) (member (car type) '(unsigned-byte signed-byte))
              (integerp (cadr type)) (plusp (cadr type)))
         (list (car type) (* 8 (ceiling (cadr type) 8))))
        ((and (consp type) (eq (car type) 'mod) (integerp (cadr type)) (plusp (cadr type)))
         (list 'unsigned-byte (* 8 (ceiling (integer-length (1- (cadr type))) 8))))
        ((subtypep type 'character) 'character)
        ((subtypep type '(unsigned-byte 8)) '(unsigned-byte 8))
        ((subtypep type '(signed-byte 8)) '(signed-byte 8))
        (t (error "OPEN: unsupported :element-type ~S" type))))

(defun open (filespec &key (direction :input) (element-type 'character)
                        (if-exists nil if-exists-p) (if-does-not-exist nil if-does-not-exist-p)
                        (external-format :default))
  "Opens the file FILESPEC names and returns a stream (CLHS OPEN)."
  (unless (member direction '(:input :output :io :probe))
    (error 'type-error :datum direction :expected-type '(member :input :output :io :probe)))
  (let* ((pathname (merge-pathnames filespec))
         (native (%native-namestring pathname)))
    (when (wild-pathname-p pathname)
      (%file-error pathname "OPEN: ~A is a wild pathname" (namestring pathname)))
    (unless if-exists-p
      ;; no file versions here: :new-version behaves as :error, as in SBCL
      (setq if-exists :error))
    (unless if-does-not-exist-p
      (setq if-does-not-exist
            (cond ((eq direction :probe) nil)
                  ((or (eq direction :input) (member if-exists '(:overwrite :append))) :error)
                  (t :create))))
    (when (eq if-exists :new-version) (setq if-exists :error))
    (%open native pathname direction (%canonical-element-type element-type)
           if-exists if-does-not-exist external-format)))

;;; ---- sequences ----

(defun read-sequence (sequence stream &key (start 0) end)
  "Fills SEQUENCE from STREAM; returns the index of the first element not filled."
  (let ((stream (%input-stream stream)))
    (or (%read-sequence sequence stream start end)
        (let* ((end (or end (length sequence)))
               (chars (subtypep (stream-element-type stream) 'character)))
          (do ((i start (1+ i)))
              ((>= i end) i)
            (let ((x (if chars (read-char stream nil nil) (read-byte stream nil nil))))
              (unless x (return i))
              (setf (elt sequence i) x)))))))

(defun write-sequence (sequence stream &key (start 0) end)
  "Writes the elements of SEQUENCE between START and END to STREAM; returns SEQUENCE."
  (let ((stream (%output-stream stream)))
    (unless (%write-sequence sequence stream start end)
      (let ((end (or end (length sequence))))
        (do ((i start (1+ i))) ((>= i end))
          (let ((x (elt sequence i)))
            (if (characterp x) (write-char x stream) (write-byte x stream))))))
    sequence))

(defun %input-stream (designator)
  (cond ((null designator) *standard-input*)
        ((eq designator t) *terminal-io*)
        (t designator)))

(defun %output-stream (designator)
  (cond ((null designator) *standard-output*)
        ((eq designator t) *terminal-io*)
        (t designator)))

;;; ---- files ----

(defun %directory-form (namestring)
  ;; "/a/b" → #P"/a/b/"
  (pathname (if (and (> (length namestring) 0)
                     (char= (char namestring (1- (length namestring))) #\/))
                namestring
                (concatenate 'string namestring "/"))))

(defun probe-file (pathspec)
  "The truename of the file PATHSPEC names, or NIL if there is none."
  (let* ((pathname (merge-pathnames pathspec))
         (native (%native-namestring pathname)))
    (when (wild-pathname-p pathname)
      (%file-error pathname "PROBE-FILE: ~A is a wild pathname" (namestring pathname)))
    (let ((real (%realpath (if (string= native "") "." native) pathname)))
      (cond ((null real) nil)
            ((eq (%file-kind real pathname) :directory) (%directory-form real))
            (t (pathname real))))))

(defun truename (filespec)
  "The canonical name of the file FILESPEC names; file-error if there is none."
  (or (probe-file filespec)
      (%file-error (pathname filespec) "TRUENAME: ~A: No such file or directory"
                   (namestring (merge-pathnames filespec)))))

(defun delete-file (filespec)
  "Deletes the file FILESPEC names; T."
  (let ((pathname (merge-pathnames filespec)))
    (when (and (streamp filespec) (open-stream-p filespec)) (close filespec))
    (%delete-file (%native-namestring pathname) pathname)))

(defun rename-file (filespec new-name)
  "Renames the file; values: the new name (merged), the old truename, the new truename."
  (let* ((old (merge-pathnames filespec))
         (old-truename (truename old))
         (new (merge-pathnames new-name old)))
    (%rename-file (%native-namestring old) (%native-namestring new) old)
    (values new old-truename (truename new))))

(defun file-write-date (pathspec)
  "The universal time the file was last written."
  (let ((pathname (merge-pathnames pathspec)))
    (%file-write-date (%native-namestring pathname) pathname)))

(defun file-author (pathspec)
  "The login name of the file's owner, or NIL."
  (let ((pathname (merge-pathnames pathspec)))
    (%file-author (%native-namestring pathname) pathname)))

(defun ensure-directories-exist (pathspec &key verbose)
  "Creates the directories of PATHSPEC that are missing; values PATHSPEC and whether any was made."
  (let* ((pathname (%parse-unix-namestring (%native-namestring pathspec)))
         (dir (pathname-directory pathname))
         (created nil))
    (when (wild-pathname-p pathname :directory)
      (%file-error pathname "ENSURE-DIRECTORIES-EXIST: ~A is a wild pathname" (namestring pathname)))
    (when (consp dir)
      (let ((path (if (eq (car dir) :absolute) "/" "")))
        (dolist (c (cdr dir))
          (setq path (concatenate 'string path (%component-string c) "/"))
          (when (%mkdir path pathname)
            (setq created t)
            (when verbose (format *standard-output* "~&; created directory ~A~%" path))))))
    (values pathspec created)))

;;; DIRECTORY: walks the directory components (wild ones by listing), then
;;; matches the entries of each directory reached against name and type.
(defun %entry-pathname (dirpath entry)
  (let ((full (concatenate 'string dirpath (car entry))))
    (if (cdr entry) (%directory-form full) (pathname full))))

(defun %expand-directories (paths comps)
  ;; paths: native directory prefixes ending in "/" (or ""), comps: components left
  (if (null comps)
      paths
      (let ((c (car comps)) (next nil))
        (dolist (p paths)
          (cond ((eq c :wild-inferiors)
                 (labels ((walk (dir)
                            (push dir next)
                            (dolist (e (%directory-entries dir))
                              (when (eq (cdr e) :directory)
                                (walk (concatenate 'string dir (car e) "/"))))))
                   (walk p)))
                ((%wild-p c)
                 (dolist (e (%directory-entries p))
                   (when (and (cdr e) (not (eq (%match-component c (car e)) :fail)))
                     (push (concatenate 'string p (car e) "/") next))))
                (t (let ((d (concatenate 'string p (%component-string c) "/")))
                     (when (eq (%file-kind d) :directory) (push d next))))))
        (%expand-directories (nreverse next) (cdr comps)))))

(defun directory (pathspec &key)
  "The truenames of the files matching the (possibly wild) PATHSPEC."
  (let* ((pattern (%parse-unix-namestring (%native-namestring pathspec)))
         (dir (pathname-directory pattern))
         (roots (list (if (and (consp dir) (eq (car dir) :absolute)) "/" "")))
         (dirs (%expand-directories roots (cdr dir)))
         (name (pathname-name pattern)) (type (pathname-type pattern))
         (result nil))
    (dolist (d dirs)
      (if (and (null name) (null type))
          (let ((p (probe-file (if (string= d "") "./" d)))) (when p (push p result)))
          (dolist (e (%directory-entries d))
            (multiple-value-bind (ename etype) (%parse-file-part (car e))
              (when (and (not (eq (%match-component name ename) :fail))
                         (not (eq (%match-component type etype) :fail)))
                (let ((p (probe-file (%entry-pathname d e)))) (when p (push p result))))))))
    (remove-duplicates (nreverse result) :test #'equal)))

;;; ---- LOAD and COMPILE-FILE take pathname designators ----

;;; Source from a stream: each form read and evaluated in turn (CLHS LOAD),
;;; with *package* and *readtable* rebound so the file's IN-PACKAGE stays in it.
(defun %load-stream (stream verbose print pathname truename)
  (let ((*package* *package*) (*readtable* *readtable*)
        (*load-pathname* pathname) (*load-truename* truename)
        (eof (list nil)))
    (when verbose (format *standard-output* "~&; loading ~A~%" (or pathname stream)))
    (loop (let ((form (read stream nil eof)))
            (when (eq form eof) (return t))
            (let ((values (multiple-value-list (eval form))))
              (when print (format *standard-output* "~&~{~S~^, ~}~%" values)))))))

(unless (fboundp '%load-file) (setf (fdefinition '%load-file) (fdefinition 'load)))
(unless (fboundp '%compile-file) (setf (fdefinition '%compile-file) (fdefinition 'compile-file)))
(defvar *load-verbose* nil)
(defvar *load-print* nil)
(defvar *compile-verbose* nil)
(defvar *compile-print* nil)

(defun load (filespec &key (verbose *load-verbose*) (print *load-print*)
                        (if-does-not-exist t) (external-format :default))
  "Loads a source or FASL file (by its contents), or the forms of an input stream."
  (if (streamp filespec)
      (%load-stream filespec verbose print (ignore-errors (pathname filespec))
                    (ignore-errors (probe-file filespec)))
      (let* ((pathname (merge-pathnames filespec))
             (candidates (if (pathname-type pathname)
                             (list pathname)
                             (list pathname (merge-pathnames (make-pathname :type "fasl") pathname)
                                   (merge-pathnames (make-pathname :type "lisp") pathname))))
             (found (find-if (lambda (p) (eq (%file-kind (%native-namestring p)) :file)) candidates)))
        (cond ((and found (%fasl-file-p (%native-namestring found)))
               (%load-file (%native-namestring found) :verbose verbose))
              (found
               (with-open-file (s found :external-format external-format)
                 (%load-stream s verbose print found (truename s))))
              ((null if-does-not-exist) nil)
              (t (%file-error pathname "LOAD: cannot open ~A: No such file or directory"
                              (namestring pathname)))))))

(defun compile-file-pathname (input-file &key output-file &allow-other-keys)
  "The pathname COMPILE-FILE writes for INPUT-FILE."
  (let ((input (merge-pathnames input-file (make-pathname :type "lisp"))))
    (if output-file
        (merge-pathnames output-file (make-pathname :type "fasl" :defaults input))
        (make-pathname :type "fasl" :defaults input))))

(defun compile-file (input-file &key output-file (verbose *compile-verbose*) (print *compile-print*)
                                  (external-format :default))
  "Compiles INPUT-FILE into a FASL; values its truename, warnings-p and failure-p."
  (declare (ignore external-format))
  (let* ((given (merge-pathnames input-file))
         (input (if (or (pathname-type given) (probe-file given))
                    given
                    (make-pathname :type "lisp" :defaults given)))
         (output (compile-file-pathname input :output-file output-file)))
    (multiple-value-bind (truename warnings-p failure-p)
        (%compile-file (%native-namestring input) :output-file (%native-namestring output)
                       :verbose verbose :print print)
      (values (and truename (pathname truename)) warnings-p failure-p))))

;;; ---- standard streams ----

(defvar *stdin* *standard-input*)
(defvar *stdout* *standard-output*)
(defvar *stderr* *error-output*)
(setq *terminal-io* (make-two-way-stream *stdin* *stdout*))
(setq *standard-input* (make-synonym-stream '*stdin*))
(setq *standard-output* (make-synonym-stream '*stdout*))
(setq *error-output* (make-synonym-stream '*stderr*))
(setq *query-io* (make-synonym-stream '*terminal-io*))
(setq *debug-io* (make-synonym-stream '*terminal-io*))
(setq *trace-output* (make-synonym-stream '*terminal-io*))

;;; ---- questions (CLHS y-or-n-p, yes-or-no-p) ----

(defun %ask (control arguments answers prompt)
  ;; answers: list of (string . value); asks on *query-io* until one is given
  (loop
    (let ((io *query-io*))
      (fresh-line io)
      (when control (apply #'format io control arguments))
      (write-string prompt io)
      (finish-output io)
      (let ((line (read-line io nil nil)))
        (unless line (return nil))
        (let ((hit (assoc (string-trim " 	" line) answers :test #'string-equal)))
          (when hit (return (cdr hit))))
        (format io "~&Please answer ~{~A~^ or ~}.~%" (mapcar #'car answers))))))

(defun y-or-n-p (&optional control &rest arguments)
  "Asks a yes/no question on *query-io*; true for y, false for n."
  (%ask control arguments '(("y" . t) ("n" . nil) ("yes" . t) ("no" . nil)) " (y or n) "))

(defun yes-or-no-p (&optional control &rest arguments)
  "Asks a question on *query-io* that must be answered yes or no in full."
  (%ask control arguments '(("yes" . t) ("no" . nil)) " (yes or no) "))

(in-package "COMMON-LISP-USER")
