;;;; lisp/src/pathnames.lisp — pathnames (CLHS 19): the PATHNAME and
;;;; LOGICAL-PATHNAME structures, Unix and logical namestring syntax,
;;;; MERGE-PATHNAMES (19.2.3), wildcards (wild-pathname-p, pathname-match-p,
;;;; translate-pathname), logical pathname translations, and #P printing.
;;;;
;;;; Physical pathnames (Unix namestrings):
;;;;   host NIL, device NIL; directory (:absolute|:relative . components),
;;;;   a component being a string, :wild ("*"), :wild-inferiors ("**") or
;;;;   :up (".."); name and type strings, :wild, or strings containing "*"
;;;;   (wild patterns); the type is what follows the last dot of the file
;;;;   name unless that dot is its first character (".bashrc" has no type);
;;;;   version NIL, or :newest after merging.  A leading "~/" is the
;;;;   directory (:absolute :home ...), the user's home directory, expanded
;;;;   when the system is asked (as SBCL does).  No escape syntax: otherwise
;;;;   a namestring is exactly the native path the system calls get.
;;;; Logical pathnames: "HOST:DIR;DIR;NAME.TYPE.VERSION", components upper
;;;;   case; hosts exist once (setf logical-pathname-translations) defines
;;;;   them.  Translating one to a physical pathname lower-cases the pieces
;;;;   that the wildcards carry over (the customary case of Unix is lower).
;;;;   The hosts live in SYS::*LOGICAL-HOSTS*, written by (setf
;;;;   logical-pathname-translations) without a lock: like SBCL, defining
;;;;   hosts is configuration done at load time, not from racing threads.
;;;; *default-pathname-defaults* is #P"" (empty): relative pathnames stay
;;;; relative and the system resolves them against the process's current
;;;; directory, so a saved core does not carry the build directory.

(in-package "PETREL-SYSTEM")

(defun %print-pathname (p stream)
  (let ((s (namestring p)))
    (if (or *print-escape* *print-readably*)
        (progn (write-string "#P" stream) (prin1 s stream))
        (write-string s stream))))

(defstruct (pathname (:constructor %make-pathname (host device directory name type version))
                     (:copier nil) (:predicate pathnamep) (:conc-name %pathname-)
                     (:print-object %print-pathname))
  host device directory name type version)

(defstruct (logical-pathname (:include pathname)
                             (:constructor %make-logical-pathname (host device directory name type version))
                             (:copier nil) (:predicate %logical-pathname-p) (:conc-name %lpn-)))

(defvar *default-pathname-defaults* (%make-pathname nil nil nil nil nil nil))
(defvar *logical-hosts* nil)  ; alist (HOST-STRING . translations), newest first

;;; ---- designators ----

(defun pathname (pathspec)
  "The pathname PATHSPEC designates (a pathname, a namestring, or a file stream)."
  (cond ((pathnamep pathspec) pathspec)
        ((stringp pathspec) (values (parse-namestring pathspec)))
        ((and (streamp pathspec) (%stream-file-name pathspec))
         (pathname (%stream-file-name pathspec)))
        (t (error 'type-error :datum pathspec :expected-type '(or pathname string file-stream)))))

(defun %in-case (component case p)
  ;; :case :common asks for the common case: upper where the local case is
  ;; lower (19.2.2.1.2); logical pathnames are in the common case already
  (if (and (eq case :common) (not (%logical-pathname-p p)))
      (if (consp component) (mapcar #'%translate-case component) (%translate-case component))
      component))

(defun pathname-host (pathname &key (case :local))
  (let ((p (pathname pathname))) (%in-case (%pathname-host p) case p)))
(defun pathname-device (pathname &key (case :local))
  (let ((p (pathname pathname))) (%in-case (%pathname-device p) case p)))
(defun pathname-directory (pathname &key (case :local))
  (let ((p (pathname pathname))) (%in-case (%pathname-directory p) case p)))
(defun pathname-name (pathname &key (case :local))
  (let ((p (pathname pathname))) (%in-case (%pathname-name p) case p)))
(defun pathname-type (pathname &key (case :local))
  (let ((p (pathname pathname))) (%in-case (%pathname-type p) case p)))
(defun pathname-version (pathname)
  (%pathname-version (pathname pathname)))

;;; ---- parsing ----

(defun %split-string (string char)
  (let ((parts nil) (start 0))
    (dotimes (i (length string))
      (when (char= (char string i) char)
        (push (subseq string start i) parts)
        (setq start (1+ i))))
    (push (subseq string start) parts)
    (nreverse parts)))

(defun %wild-component (s)
  (cond ((string= s "*") :wild)
        ((string= s "**") :wild-inferiors)
        (t s)))

(defun %parse-directory-component (s)
  (cond ((string= s "..") :up)
        (t (%wild-component s))))

;;; "name.type" → (values name type)
(defun %parse-file-part (s)
  (if (string= s "")
      (values nil nil)
      (let ((dot (position #\. s :from-end t)))
        (if (or (null dot) (= dot 0))
            (values (%wild-component s) nil)
            (values (%wild-component (subseq s 0 dot))
                    (%wild-component (subseq s (1+ dot))))))))

(defun %parse-unix-namestring (s)
  (let* ((slash (position #\/ s :from-end t))
         (dir-part (if slash (subseq s 0 (1+ slash)) ""))
         (file-part (if slash (subseq s (1+ slash)) s))
         (directory
           (cond ((string= dir-part "") nil)
                 (t (let ((comps nil))
                      (dolist (c (%split-string dir-part #\/))
                        (unless (string= c "") (push (%parse-directory-component c) comps)))
                      (setq comps (nreverse comps))
                      (cond ((char= (char dir-part 0) #\/) (cons :absolute comps))
                            ((equal (car comps) "~") (list* :absolute :home (cdr comps)))
                            (t (cons :relative comps))))))))
    (multiple-value-bind (name type) (%parse-file-part file-part)
      (%make-pathname nil nil directory name type nil))))

(defun %logical-host-p (host)
  (and (stringp host) (assoc host *logical-hosts* :test #'string-equal) t))

;;; A word of a logical namestring (CLHS 19.3.1): letters, digits, hyphens,
;;; and * as a wildcard; anything else is a parse-error.
(defun %logical-word (s)
  (dotimes (i (length s))
    (let ((c (char s i)))
      (unless (or (alphanumericp c) (char= c #\-) (char= c #\*))
        (error 'parse-error))))
  (%wild-component (string-upcase s)))

;;; "HOST:DIR;DIR;NAME.TYPE.VERSION" (host given separately when absent)
(defun %parse-logical-namestring (s host)
  (let* ((colon (position #\: s))
         (host (if colon (string-upcase (subseq s 0 colon)) host))
         (rest (if colon (subseq s (1+ colon)) s))
         (semi (position #\; rest :from-end t))
         (dir-part (if semi (subseq rest 0 (1+ semi)) ""))
         (file-part (if semi (subseq rest (1+ semi)) rest))
         (directory nil) (name nil) (type nil) (version nil))
    (unless (string= dir-part "")
      (let ((relative (char= (char dir-part 0) #\;)) (comps nil))
        (dolist (c (%split-string dir-part #\;))
          (unless (string= c "") (push (%logical-word c) comps)))
        (setq directory (cons (if relative :relative :absolute) (nreverse comps)))))
    (let ((pieces (%split-string file-part #\.)))
      (when (and pieces (string/= (first pieces) "")) (setq name (%logical-word (first pieces))))
      (when (second pieces) (setq type (%logical-word (second pieces))))
      (when (third pieces)
        (let ((v (third pieces)))
          (setq version (cond ((string= v "*") :wild)
                              ((string-equal v "NEWEST") :newest)
                              (t (parse-integer v)))))))
    (%make-logical-pathname host :unspecific directory name type version)))

(defun %logical-namestring-p (s)
  (let ((colon (position #\: s)))
    (and colon (%logical-host-p (subseq s 0 colon)))))

(defun parse-namestring (thing &optional host (default-pathname *default-pathname-defaults*)
                         &key (start 0) end junk-allowed)
  "Parses THING (a string, pathname or file stream) into a pathname; second value the end index."
  (declare (ignore default-pathname))
  (cond ((stringp thing)
         (let* ((end (or end (length thing)))
                (s (subseq thing start end)))
           (cond ((%logical-host-p host)
                  (handler-case (values (%parse-logical-namestring s host) end)
                    (parse-error (c) (if junk-allowed (values nil start) (error c)))))
                 ;; "HOST:..." is logical when it parses as such, else a Unix name (as SBCL)
                 ((%logical-namestring-p s)
                  (values (handler-case (%parse-logical-namestring s host)
                            (parse-error () (%parse-unix-namestring s)))
                          end))
                 (t (values (%parse-unix-namestring s) end)))))
        ((pathnamep thing) (values thing start))
        ((streamp thing) (values (pathname thing) start))
        (t (error 'type-error :datum thing :expected-type '(or pathname string file-stream)))))

(defun logical-pathname (pathspec)
  "The logical pathname PATHSPEC designates."
  (cond ((%logical-pathname-p pathspec) pathspec)
        ((stringp pathspec)
         (unless (position #\: pathspec)
           (error 'type-error :datum pathspec :expected-type 'logical-pathname))
         (%parse-logical-namestring pathspec nil))
        ((streamp pathspec) (logical-pathname (pathname pathspec)))
        (t (error 'type-error :datum pathspec :expected-type 'logical-pathname))))

;;; ---- namestrings ----

(defun %component-string (c)
  (cond ((eq c :wild) "*")
        ((eq c :wild-inferiors) "**")
        ((eq c :up) "..")
        ((eq c :back) "..")
        ((eq c :home) "~")
        (t c)))

(defun %directory-string (p)
  (let ((dir (%pathname-directory p))
        (sep (if (%logical-pathname-p p) ";" "/")))
    (with-output-to-string (out)
      (when dir
        (if (%logical-pathname-p p)
            (when (eq (car dir) :relative) (write-string ";" out))
            (when (and (eq (car dir) :absolute) (not (eq (cadr dir) :home))) (write-string "/" out)))
        (dolist (c (cdr dir))
          (write-string (%component-string c) out)
          (write-string sep out))))))

(defun %file-string (p)
  (let ((name (%pathname-name p)) (type (%pathname-type p)) (version (%pathname-version p)))
    (with-output-to-string (out)
      (when name (write-string (%component-string name) out))
      (when (and type (not (eq type :unspecific)))
        (write-string "." out)
        (write-string (%component-string type) out))
      (when (and (%logical-pathname-p p) version (not (eq version :unspecific)))
        (write-string "." out)
        (cond ((eq version :wild) (write-string "*" out))
              ((eq version :newest) (write-string "NEWEST" out))
              (t (princ version out)))))))

(defun namestring (pathname)
  "The full namestring of PATHNAME."
  (let ((p (pathname pathname)))
    (concatenate 'string (host-namestring p)
                 (if (%logical-pathname-p p) ":" "")
                 (%directory-string p) (%file-string p))))

(defun file-namestring (pathname) (%file-string (pathname pathname)))
(defun directory-namestring (pathname) (%directory-string (pathname pathname)))
(defun host-namestring (pathname)
  (let ((h (%pathname-host (pathname pathname))))
    (if (stringp h) h "")))

(defun enough-namestring (pathname &optional (defaults *default-pathname-defaults*))
  "The shortest namestring that merged with DEFAULTS gives PATHNAME."
  (let* ((p (pathname pathname)) (d (pathname defaults))
         (pdir (%pathname-directory p)) (ddir (%pathname-directory d)))
    (if (and (consp pdir) (consp ddir) (eq (car pdir) :absolute) (eq (car ddir) :absolute)
             (equal (%pathname-host p) (%pathname-host d))
             (<= (length ddir) (length pdir))
             (equal (subseq pdir 0 (length ddir)) ddir))
        (let ((rest (nthcdr (length ddir) pdir)))
          (namestring (%copy-with p :directory (if rest (cons :relative rest) nil))))
        (namestring p))))

(defun %copy-with (p &key (directory (%pathname-directory p)) (name (%pathname-name p))
                       (type (%pathname-type p)) (version (%pathname-version p)))
  (funcall (if (%logical-pathname-p p) #'%make-logical-pathname #'%make-pathname)
           (%pathname-host p) (%pathname-device p) directory name type version))

;;; ---- construction and merging ----

(defun %translate-case (c)
  ;; :common case <-> the local (lower) case: all upper ↔ all lower, mixed unchanged
  (cond ((not (stringp c)) c)
        ((string= c (string-upcase c)) (string-downcase c))
        ((string= c (string-downcase c)) (string-upcase c))
        (t c)))

(defun %canonical-directory (d)
  (cond ((stringp d) (list :absolute d))
        ((eq d :wild) (list :absolute :wild-inferiors))
        ((and (consp d) (member (car d) '(:absolute :relative)))
         (cons (car d) (mapcar (lambda (c) (if (eq c :back) :up c)) (cdr d))))
        ((null d) nil)
        (t (error 'type-error :datum d :expected-type '(or list string (member :wild))))))

(defun make-pathname (&key (host nil host-p) (device nil device-p) (directory nil directory-p)
                        (name nil name-p) (type nil type-p) (version nil version-p)
                        (defaults nil defaults-p) (case :local))
  "A pathname from components; missing ones come from DEFAULTS."
  (let* ((d (if defaults-p (pathname defaults) nil))
         (host (cond (host-p host) (d (%pathname-host d))
                     (t (%pathname-host *default-pathname-defaults*))))
         (tr (if (eq case :common) #'%translate-case #'identity))
         (logical (%logical-host-p host)))
    (flet ((pick (given given-p slot)
             (cond (given-p given) (d (funcall slot d)) (t nil))))
      (let ((dir (%canonical-directory (pick directory directory-p #'%pathname-directory))))
        (when (and (eq case :common) (consp dir))
          (setq dir (cons (car dir) (mapcar tr (cdr dir)))))
        (funcall (if logical #'%make-logical-pathname #'%make-pathname)
                 host
                 (pick device device-p #'%pathname-device)
                 dir
                 (funcall (if name-p tr #'identity) (pick name name-p #'%pathname-name))
                 (funcall (if type-p tr #'identity) (pick type type-p #'%pathname-type))
                 (pick version version-p #'%pathname-version))))))

(defun %merge-directories (pdir ddir)
  (cond ((null pdir) ddir)
        ((and (eq (car pdir) :relative) (consp ddir))
         (let ((result (reverse ddir)))
           ;; a leading :up after a named component cancels it (19.2.2.4.3, :back)
           (dolist (c (cdr pdir))
             (if (and (eq c :back) (stringp (car result)))
                 (pop result)
                 (push c result)))
           (nreverse result)))
        (t pdir)))

(defun merge-pathnames (pathname &optional (defaults *default-pathname-defaults*) (default-version :newest))
  "PATHNAME with its missing components filled from DEFAULTS (CLHS 19.2.3)."
  (let* ((d (pathname defaults))
         (p (if (stringp pathname)
                (values (parse-namestring pathname (%pathname-host d)))
                (pathname pathname)))
         (host (or (%pathname-host p) (%pathname-host d)))
         (version (or (%pathname-version p)
                      (if (%pathname-name p) nil (%pathname-version d))
                      default-version)))
    (funcall (if (%logical-host-p host) #'%make-logical-pathname #'%make-pathname)
             host
             (or (%pathname-device p) (%pathname-device d))
             (%merge-directories (%pathname-directory p) (%pathname-directory d))
             (or (%pathname-name p) (%pathname-name d))
             (or (%pathname-type p) (%pathname-type d))
             version)))

;;; ---- wildcards ----

(defun %wild-string-p (c) (and (stringp c) (position #\* c) t))
(defun %wild-p (c) (or (member c '(:wild :wild-inferiors)) (%wild-string-p c)))

(defun wild-pathname-p (pathname &optional field-key)
  "True if PATHNAME (or its FIELD-KEY component) has wildcards."
  (let ((p (pathname pathname)))
    (flet ((dir-wild () (some #'%wild-p (cdr (%pathname-directory p)))))
      (case field-key
        ((nil) (or (%wild-p (%pathname-host p)) (%wild-p (%pathname-device p)) (dir-wild)
                   (%wild-p (%pathname-name p)) (%wild-p (%pathname-type p))
                   (eq (%pathname-version p) :wild)))
        (:host (%wild-p (%pathname-host p)))
        (:device (%wild-p (%pathname-device p)))
        (:directory (dir-wild))
        (:name (%wild-p (%pathname-name p)))
        (:type (%wild-p (%pathname-type p)))
        (:version (eq (%pathname-version p) :wild))
        (t (error 'type-error :datum field-key
                  :expected-type '(member nil :host :device :directory :name :type :version)))))))

;;; Matches string s against pattern (with * for any run); returns the list
;;; of the runs the stars matched, or :fail.
(defun %glob (pattern s &optional (wi 0) (si 0))
  (cond ((= wi (length pattern)) (if (= si (length s)) nil :fail))
        ((char= (char pattern wi) #\*)
         (do ((k si (1+ k))) ((> k (length s)) :fail)
           (let ((rest (%glob pattern s (1+ wi) k)))
             (unless (eq rest :fail) (return (cons (subseq s si k) rest))))))
        ((and (< si (length s)) (char= (char pattern wi) (char s si)))
         (%glob pattern s (1+ wi) (1+ si)))
        (t :fail)))

;;; One component against a wildcard component: the list of pieces the
;;; wildcards matched, or :fail.
(defun %match-component (wild c)
  (cond ((or (null wild) (eq wild :wild)) (list c))
        ((%wild-string-p wild) (if (stringp c) (%glob wild c) :fail))
        ((and (stringp wild) (stringp c)) (if (string= wild c) nil :fail))
        ((equal wild c) nil)
        (t :fail)))

;;; Directory component lists (without the :absolute/:relative head).
(defun %match-directory (wild dir)
  (cond ((null wild) (if (null dir) nil :fail))
        ((eq (car wild) :wild-inferiors)
         (do ((k 0 (1+ k))) ((> k (length dir)) :fail)
           (let ((rest (%match-directory (cdr wild) (nthcdr k dir))))
             (unless (eq rest :fail) (return (cons (subseq dir 0 k) rest))))))
        ((null dir) :fail)
        (t (let ((here (%match-component (car wild) (car dir))))
             (if (eq here :fail)
                 :fail
                 (let ((rest (%match-directory (cdr wild) (cdr dir))))
                   (if (eq rest :fail) :fail (append here rest))))))))

(defun %match-pathnames (p w)
  ;; (values dir-pieces name-pieces type-pieces) or :fail
  (let ((wdir (%pathname-directory w)) (pdir (%pathname-directory p)))
    (let ((dirs (cond ((null wdir) (list (cdr pdir)))
                      ((and pdir (not (eq (car wdir) (car pdir)))) :fail)
                      (t (%match-directory (cdr wdir) (cdr pdir)))))
          (names (%match-component (%pathname-name w) (%pathname-name p)))
          (types (%match-component (%pathname-type w) (%pathname-type p)))
          (versions (let ((v (%pathname-version w)))
                      (if (or (null v) (eq v :wild) (eql v (%pathname-version p))
                              (and (eq v :newest) (null (%pathname-version p))))
                          nil :fail))))
      (if (or (eq dirs :fail) (eq names :fail) (eq types :fail) (eq versions :fail))
          :fail
          (list dirs names types)))))

(defun pathname-match-p (pathname wildcard)
  "True if PATHNAME matches the wildcard pathname WILDCARD (missing components match anything)."
  (let ((p (pathname pathname)) (w (pathname wildcard)))
    (when (and (%logical-pathname-p w) (not (%logical-pathname-p p)))
      (return-from pathname-match-p nil))
    (not (eq (%match-pathnames p w) :fail))))

;;; Fills a to-component from the pieces its source component's wildcards
;;; matched; returns (values component remaining-pieces).
(defun %fill-component (to pieces source case-fn)
  (cond ((null to) (values source pieces))
        ((eq to :wild)
         (if pieces (values (funcall case-fn (car pieces)) (cdr pieces)) (values source nil)))
        ((%wild-string-p to)
         (let ((out (make-string-output-stream)))
           (dotimes (i (length to))
             (if (char= (char to i) #\*)
                 (when pieces (write-string (funcall case-fn (pop pieces)) out))
                 (write-char (char to i) out)))
           (values (get-output-stream-string out) pieces)))
        (t (values to pieces))))

(defun %fill-directory (to pieces case-fn)
  (let ((out nil))
    (dolist (c (cdr to))
      (cond ((eq c :wild-inferiors)
             (let ((piece (pop pieces)))
               (dolist (x (if (listp piece) piece (list piece))) (push (funcall case-fn x) out))))
            ((or (eq c :wild) (%wild-string-p c))
             (push (%fill-component c (list (pop pieces)) nil case-fn) out))
            (t (push c out))))
    (cons (car to) (nreverse out))))

(defun translate-pathname (source from-wildcard to-wildcard &key)
  "SOURCE translated from the wildcard FROM-WILDCARD's pattern to TO-WILDCARD's."
  (let* ((p (pathname source)) (from (pathname from-wildcard)) (to (pathname to-wildcard))
         (m (%match-pathnames p from)))
    (when (eq m :fail)
      (error "TRANSLATE-PATHNAME: ~S does not match ~S" source from-wildcard))
    (let ((case-fn (if (and (%logical-pathname-p p) (not (%logical-pathname-p to)))
                       (lambda (x) (if (stringp x) (string-downcase x) x))
                       #'identity)))
      (funcall (if (%logical-pathname-p to) #'%make-logical-pathname #'%make-pathname)
               (%pathname-host to)
               (%pathname-device to)
               (if (%pathname-directory to)
                   (%fill-directory (%pathname-directory to) (first m) case-fn)
                   (%pathname-directory p))
               (values (%fill-component (%pathname-name to) (second m)
                                        (funcall case-fn (%pathname-name p)) case-fn))
               (values (%fill-component (%pathname-type to) (third m)
                                        (funcall case-fn (%pathname-type p)) case-fn))
               (if (eq (%pathname-version to) :wild) (%pathname-version p) (%pathname-version to))))))

;;; ---- logical pathname translations ----

(defun logical-pathname-translations (host)
  "The translations of the logical HOST: a list of (from-wildcard to-wildcard)."
  (let ((entry (assoc (string host) *logical-hosts* :test #'string-equal)))
    (unless entry
      (error "LOGICAL-PATHNAME-TRANSLATIONS: ~S is not a defined logical host" host))
    (cdr entry)))

(defun (setf logical-pathname-translations) (translations host)
  (let* ((host (string-upcase (string host)))
         (entry (or (assoc host *logical-hosts* :test #'string-equal)
                    (car (push (cons host nil) *logical-hosts*)))))
    (setf (cdr entry)
          (mapcar (lambda (tr)
                    (list (if (pathnamep (first tr))
                              (first tr)
                              (%parse-logical-namestring (first tr) host))
                          (pathname (second tr))))
                  translations))
    translations))

(defun load-logical-pathname-translations (host)
  "True if HOST was already defined; Petrel keeps no translation files to load."
  (if (%logical-host-p (string host))
      nil
      (error "LOAD-LOGICAL-PATHNAME-TRANSLATIONS: no translations known for the host ~S" host)))

(defun translate-logical-pathname (pathname &key)
  "The physical pathname PATHNAME (a logical pathname) translates to."
  (let ((p (pathname pathname)))
    (if (not (%logical-pathname-p p))
        p
        (dolist (tr (logical-pathname-translations (%pathname-host p))
                    (%file-error p "TRANSLATE-LOGICAL-PATHNAME: no translation for ~A" (namestring p)))
          (when (pathname-match-p p (first tr))
            (return (translate-logical-pathname (translate-pathname p (first tr) (second tr)))))))))

;;; ---- the system's view ----

;;; The native path a pathname designator names: merged with the defaults,
;;; translated if logical.
(defun %native-namestring (pathspec)
  (let* ((p (translate-logical-pathname (merge-pathnames pathspec)))
         (dir (%pathname-directory p))
         (home (and (eq (cadr dir) :home) (user-homedir-pathname))))
    (namestring (if home
                    (%copy-with p :directory (append (%pathname-directory home) (cddr dir)))
                    p))))

(defun user-homedir-pathname (&optional host)
  "The user's home directory as a directory pathname, or NIL if unknown."
  (declare (ignore host))
  (let ((home (%home-directory)))
    (and home (%parse-unix-namestring
               (if (and (> (length home) 0) (char= (char home (1- (length home))) #\/))
                   home
                   (concatenate 'string home "/"))))))

(in-package "COMMON-LISP-USER")
