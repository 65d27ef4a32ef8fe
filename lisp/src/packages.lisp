;;;; lisp/src/packages.lisp — packages (CLHS chapter 11) over the SYS::%
;;;; primitives of builtins_packages.c: the operators that change a
;;;; package's structure with their name-conflict checks (CLHS 11.1.1.2.5),
;;;; defpackage, the iteration macros, and in-package's error.
;;;;
;;;; Every conflict is signalled as a package-error (naming the package)
;;;; before the structure changes.  When RESTART-CASE exists at load time the
;;;; error is correctable: CONTINUE resolves the conflict in favour of the
;;;; new symbol, KEEP-OLD in favour of the one already accessible (both by
;;;; making the winner a shadowing symbol).  Without restarts it just signals.
;;;;
;;;; Threads: each operator that changes package structure runs whole under
;;;; *PACKAGE-SYSTEM-LOCK* (a recursive lock: the conflict handlers and
;;;; restarts may call more package operators), so a check and the change it
;;;; allows are one critical section; interning alone is atomic in package.c.

(in-package "PETREL-SYSTEM")

;;; ---- designators ----

(defun %string-list (x)
  "A list of strings from a string designator or a list of them."
  (mapcar (function string) (if (listp x) x (list x))))

(defun %package-list (x)
  "A list of live packages from a package designator or a list of them."
  (mapcar (function %package-or-lose) (if (listp x) x (list x))))

(defun %symbol-list (x)
  (let ((l (if (listp x) x (list x))))
    (dolist (s l) (unless (symbolp s) (error 'type-error :datum s :expected-type 'symbol)))
    l))

(defun %present-p (symbol package)
  (multiple-value-bind (s status) (find-symbol (symbol-name symbol) package)
    (and (eq s symbol) (or (eq status :internal) (eq status :external)))))

(defun %memq (x l) (if (member x l :test (function eq)) t nil))

;;; ---- one package operation at a time ----

(defvar *package-system-lock* (petrel-threads:make-recursive-lock "package system"))

;; DEFUN whose body runs holding *package-system-lock* (docstring and
;; declarations kept in front).
(defmacro %defun-locked (name lambda-list &body body)
  (let* ((doc (when (and (stringp (car body)) (cdr body)) (list (car body))))
         (forms (if doc (cdr body) body))
         (decls (loop while (and (consp (car forms)) (eq (caar forms) 'declare)) collect (pop forms))))
    `(defun ,name ,lambda-list
       ,@doc
       ,@decls
       (petrel-threads:acquire-lock *package-system-lock*)
       (unwind-protect (progn ,@forms)
         (petrel-threads:release-lock *package-system-lock*)))))

;;; ---- correctable package errors ----

(if (macro-function 'restart-case)
    (eval
     '(progn
       (defun %resolve-conflict (package new-text old-text control &rest args)
         "Signals a name conflict; returns :NEW or :OLD by the restart chosen."
         (restart-case (apply (function %package-error) package control args)
           (continue ()
             :report (lambda (s) (write-string new-text s))
             :new)
           (keep-old ()
             :report (lambda (s) (write-string old-text s))
             :old)))
       (defun %correctable-package-error (package continue-text control &rest args)
         "Signals a package-error; returns NIL if CONTINUE is chosen."
         (restart-case (apply (function %package-error) package control args)
           (continue ()
             :report (lambda (s) (write-string continue-text s))
             nil)))))
    (progn
      (%fset '%resolve-conflict
             (function (lambda (package new-text old-text control &rest args)
               (declare (ignore new-text old-text))
               (apply (function %package-error) package control args))))
      (%fset '%correctable-package-error
             (function (lambda (package continue-text control &rest args)
               (declare (ignore continue-text))
               (apply (function %package-error) package control args))))))

(defun %find-package-or-lose (name)
  (or (find-package name)
      (%package-error (string name) "The name ~S does not designate any package." (string name))))

;;; ---- making, naming and deleting packages ----

(defun %check-package-names-free (names except)
  (let ((other (%find-package-any names except)))
    (when other
      (%package-error other "A package named ~S already exists (~S)."
                      (let ((hit nil))
                        (dolist (n names) (when (and (null hit) (eq (find-package n) other)) (setq hit n)))
                        hit)
                      other))))

(%defun-locked make-package (package-name &key nicknames (use '()))
  "Creates and returns a new package named PACKAGE-NAME."
  (let* ((name (string package-name))
         (nicks (%string-list nicknames))
         (used (%package-list use)))
    (%check-package-names-free (cons name nicks) nil)
    (let ((p (%make-package-object (copy-seq name) nicks)))
      (use-package used p)
      p)))

(%defun-locked rename-package (package new-name &optional new-nicknames)
  "Replaces PACKAGE's name and nicknames; returns PACKAGE."
  (let* ((p (%package-or-lose package))
         (name (if (packagep new-name) (package-name new-name) (string new-name)))
         (nicks (%string-list new-nicknames)))
    (%check-package-names-free (cons name nicks) p)
    (%rename-package-object p (copy-seq name) nicks)))

(%defun-locked delete-package (package)
  "Deletes PACKAGE: T, or NIL if it was already deleted."
  (let ((p (if (packagep package) package (find-package package))))
    (cond ((null p)
           (%correctable-package-error (string package) "Return NIL."
                                       "There is no package named ~S." (string package))
           nil)
          ((null (package-name p)) nil)
          (t
           (when (package-used-by-list p)
             (%correctable-package-error
              p "Remove the dependency in the packages that use it, and delete it."
              "Package ~S is used by ~S." p (package-used-by-list p))
             (dolist (q (package-used-by-list p)) (unuse-package p q)))
           (%delete-package-object p)))))

;;; ---- using ----

(%defun-locked use-package (packages-to-use &optional (package *package*))
  "Makes PACKAGE inherit the external symbols of PACKAGES-TO-USE."
  (let ((p (%package-or-lose package)))
    (dolist (u (%package-list packages-to-use) t)
      (when (eq u (find-package "KEYWORD"))
        (%package-error p "Cannot use the KEYWORD package."))
      (unless (or (eq u p) (%memq u (package-use-list p)))
        (dolist (s (%package-symbols u nil t nil))
          (multiple-value-bind (old status) (find-symbol (symbol-name s) p)
            (when (and status (not (eq old s)) (not (%memq old (package-shadowing-symbols p))))
              (if (eq :new (%resolve-conflict
                            p "Shadowing-import the symbol of the used package."
                            "Keep the symbol already accessible (make it shadowing)."
                            "USE-PACKAGE ~S causes a name conflict in ~S between ~S and ~S."
                            u p s old))
                  (shadowing-import s p)
                  (shadowing-import old p)))))
        (%package-use p u)))))

(%defun-locked unuse-package (packages-to-unuse &optional (package *package*))
  "Removes PACKAGES-TO-UNUSE from PACKAGE's use list."
  (let ((p (%package-or-lose package)))
    (dolist (u (%package-list packages-to-unuse) t)
      (%package-unuse p u))))

;;; ---- import, shadow ----

(%defun-locked import (symbols &optional (package *package*))
  "Makes SYMBOLS present (internal) in PACKAGE."
  (let ((p (%package-or-lose package)))
    (dolist (sym (%symbol-list symbols) t)
      (multiple-value-bind (old status) (find-symbol (symbol-name sym) p)
        (cond ((and status (not (eq old sym)))
               (when (eq :new (%resolve-conflict
                               p "Shadowing-import the new symbol."
                               "Keep the symbol already accessible; don't import."
                               "IMPORT ~S causes a name conflict in ~S with ~S." sym p old))
                 (shadowing-import sym p)))
              ((or (null status) (eq status :inherited))
               (%package-add-present p sym nil))
              ((null (symbol-package sym))
               (%package-add-present p sym (eq status :external))))))))

(%defun-locked shadowing-import (symbols &optional (package *package*))
  "Imports SYMBOLS into PACKAGE, displacing any present symbol of the same name, and makes them shadowing symbols."
  (let ((p (%package-or-lose package)))
    (dolist (sym (%symbol-list symbols) t)
      (unless (%present-p sym p)
        (%package-add-present p sym nil nil))
      (%package-add-shadowing p sym))))

(%defun-locked shadow (symbol-names &optional (package *package*))
  "Makes a present symbol named by each of SYMBOL-NAMES (created if need be) a shadowing symbol of PACKAGE."
  (let ((p (%package-or-lose package)))
    (dolist (name (%string-list symbol-names) t)
      (multiple-value-bind (s status) (find-symbol name p)
        (unless (or (eq status :internal) (eq status :external))
          (setq s (make-symbol name))
          (%package-add-present p s nil))
        (%package-add-shadowing p s)))))

;;; ---- export, unexport, unintern ----

(defun %export-check-users (sym p)
  (dolist (q (package-used-by-list p))
    (multiple-value-bind (old status) (find-symbol (symbol-name sym) q)
      (when (and status (not (eq old sym)) (not (%memq old (package-shadowing-symbols q))))
        (if (eq :new (%resolve-conflict
                      q "Shadowing-import the exported symbol into the using package."
                      "Keep the symbol already accessible there (make it shadowing)."
                      "EXPORT ~S from ~S causes a name conflict in ~S with ~S." sym p q old))
            (shadowing-import sym q)
            (shadowing-import old q))))))

(%defun-locked export (symbols &optional (package *package*))
  "Makes SYMBOLS external in PACKAGE."
  (let ((p (%package-or-lose package)))
    (dolist (sym (%symbol-list symbols) t)
      (multiple-value-bind (s status) (find-symbol (symbol-name sym) p)
        (unless (and status (eq s sym))
          (%correctable-package-error p "Import the symbol, then export it."
                                      "~S is not accessible in ~S." sym p)
          (import sym p)
          (setq status :internal))
        (unless (eq status :external)
          (%export-check-users sym p)
          (if (eq status :inherited)
              (%package-add-present p sym t)
              (%package-set-external p sym t)))))))

(%defun-locked unexport (symbols &optional (package *package*))
  "Makes SYMBOLS, external in PACKAGE, internal."
  (let ((p (%package-or-lose package)))
    (dolist (sym (%symbol-list symbols) t)
      (multiple-value-bind (s status) (find-symbol (symbol-name sym) p)
        (unless (and status (eq s sym))
          (%package-error p "~S is not accessible in ~S." sym p))
        (when (eq status :external)
          (%package-set-external p sym nil))))))

(%defun-locked unintern (symbol &optional (package *package*))
  "Removes SYMBOL from PACKAGE: T if it was present, else NIL."
  (let ((p (%package-or-lose package)))
    (unless (%present-p symbol p) (return-from unintern nil))
    (let ((winner nil))
      (when (%memq symbol (package-shadowing-symbols p))
        (let ((candidates nil))
          (dolist (u (package-use-list p))
            (multiple-value-bind (s status) (find-symbol (symbol-name symbol) u)
              (when (and (eq status :external) (not (%memq s candidates)))
                (setq candidates (cons s candidates)))))
          (when (cdr candidates)
            (%correctable-package-error
             p "Shadowing-import the first of them."
             "Uninterning ~S from ~S uncovers a name conflict between ~S." symbol p candidates)
            (setq winner (car (last candidates))))))
      (%package-remove-present p symbol)
      (when winner (shadowing-import winner p))
      t)))

;;; ---- finding ----

(defun find-all-symbols (string)
  "All symbols named STRING present in any package."
  (let ((name (string string)) (found nil))
    (dolist (p (list-all-packages) found)
      (multiple-value-bind (s status) (find-symbol name p)
        (when (and (or (eq status :internal) (eq status :external)) (not (%memq s found)))
          (setq found (cons s found)))))))

(defvar *gentemp-counter* 0)

(defun gentemp (&optional (prefix "T") (package *package*))
  "Interns and returns a fresh symbol named PREFIX followed by a counter."
  (let ((prefix (string prefix)) (p (%package-or-lose package)))
    (loop
      (setq *gentemp-counter* (+ *gentemp-counter* 1))
      (let ((name (format nil "~A~D" prefix *gentemp-counter*)))
        (unless (nth-value 1 (find-symbol name p))
          (return (values (intern name p))))))))

;;; ---- iteration ----

(defun %all-present-symbols ()
  (let ((all nil))
    (dolist (p (list-all-packages) all)
      (setq all (nconc (%package-symbols p t t nil) all)))))

(defmacro %do-symbol-list ((var list-form result) body)
  "Runs BODY (declarations, then tagbody statements) with VAR bound to each element of LIST-FORM, in BLOCK NIL; VAR is NIL while RESULT runs."
  (let ((l (gensym "SYMBOLS")) (start (gensym "START")))
    (multiple-value-bind (decls forms) (%split-decls body)
      `(block nil
         (let ((,l ,list-form))
           (tagbody
              ,start
              (when (endp ,l)
                (return-from nil (let ((,var nil)) (declare (ignorable ,var)) ,result)))
              (let ((,var (car ,l)))
                ,@decls
                (tagbody ,@forms))
              (setq ,l (cdr ,l))
              (go ,start)))))))

(defmacro do-symbols ((var &optional (package '*package*) result) &body body)
  "Evaluates BODY with VAR bound to each symbol accessible in PACKAGE."
  `(%do-symbol-list (,var (%package-symbols (%package-or-lose ,package) t t t) ,result) ,body))

(defmacro do-external-symbols ((var &optional (package '*package*) result) &body body)
  "Evaluates BODY with VAR bound to each external symbol of PACKAGE."
  `(%do-symbol-list (,var (%package-symbols (%package-or-lose ,package) nil t nil) ,result) ,body))

(defmacro do-all-symbols ((var &optional result) &body body)
  "Evaluates BODY with VAR bound to each symbol present in any registered package."
  `(%do-symbol-list (,var (%all-present-symbols) ,result) ,body))

(defun %package-iterator-entries (package-list types)
  "A list of (symbol status package) for WITH-PACKAGE-ITERATOR."
  (let ((entries nil))
    (dolist (p (%package-list package-list) (nreverse entries))
      (dolist (type types)
        (dolist (s (%package-symbols p (eq type :internal) (eq type :external) (eq type :inherited)))
          (setq entries (cons (list s type p) entries)))))))

(defun %package-iterator-next (box)
  (let ((l (car box)))
    (if l
        (let ((e (car l)))
          (rplaca box (cdr l))
          (values t (car e) (car (cdr e)) (car (cdr (cdr e)))))
        nil)))

(defmacro with-package-iterator ((name package-list-form &rest symbol-types) &body body)
  "Within BODY, (NAME) returns the next symbol of the packages: more-p, symbol, accessibility, package."
  (unless symbol-types
    (error 'program-error
           :format-control "WITH-PACKAGE-ITERATOR: at least one of :INTERNAL, :EXTERNAL or :INHERITED must be given."
           :format-arguments nil))
  (dolist (type symbol-types)
    (unless (member type '(:internal :external :inherited))
      (error 'program-error
             :format-control "WITH-PACKAGE-ITERATOR: ~S is not one of :INTERNAL, :EXTERNAL or :INHERITED."
             :format-arguments (list type))))
  (let ((box (gensym "ITERATOR")))
    `(let ((,box (list (%package-iterator-entries ,package-list-form ',symbol-types))))
       (macrolet ((,name () '(%package-iterator-next ,box)))
         ,@body))))

;;; ---- defpackage ----

(defun %defpackage-error (control &rest args)
  (error 'program-error :format-control (concatenate 'string "DEFPACKAGE: " control)
                        :format-arguments args))

(defun %defpackage-parse (name options)
  "Checks DEFPACKAGE's options (CLHS defpackage) and returns them as a plist of normalised values."
  (let ((nicknames nil) (doc nil) (doc-p nil) (size-p nil) (use nil) (use-p nil)
        (shadow nil) (shadowing-imports nil) (imports nil) (interns nil) (exports nil))
    (dolist (option options)
      (unless (and (consp option) (listp (cdr option)))
        (%defpackage-error "bad option ~S" option))
      (let ((key (car option)) (args (cdr option)))
        (cond ((eq key :nicknames) (setq nicknames (append nicknames (%string-list args))))
              ((eq key :documentation)
               (when doc-p (%defpackage-error "can't give :DOCUMENTATION more than once"))
               (setq doc-p t doc (car args)))
              ((eq key :size)
               (when size-p (%defpackage-error "can't give :SIZE more than once"))
               (setq size-p t))
              ((eq key :use) (setq use-p t use (append use (%string-list args))))
              ((eq key :shadow) (setq shadow (append shadow (%string-list args))))
              ((eq key :shadowing-import-from)
               (setq shadowing-imports
                     (append shadowing-imports (list (cons (string (car args)) (%string-list (cdr args)))))))
              ((eq key :import-from)
               (setq imports (append imports (list (cons (string (car args)) (%string-list (cdr args)))))))
              ((eq key :intern) (setq interns (append interns (%string-list args))))
              ((eq key :export) (setq exports (append exports (%string-list args))))
              (t (%defpackage-error "bad option ~S" option)))))
    (%defpackage-check-disjoint
     (list (cons :shadow shadow) (cons :intern interns)
           (cons :import-from (mapcan (function (lambda (e) (copy-list (cdr e)))) imports))
           (cons :shadowing-import-from (mapcan (function (lambda (e) (copy-list (cdr e)))) shadowing-imports))))
    (%defpackage-check-disjoint (list (cons :export exports) (cons :intern interns)))
    (list (string name) nicknames doc use use-p shadow shadowing-imports imports interns exports)))

(defun %defpackage-check-disjoint (groups)
  "Signals program-error if a name appears in two of GROUPS ((option . names) ...)."
  (do ((g groups (cdr g))) ((null g))
    (dolist (other (cdr g))
      (dolist (n (cdr (car g)))
        (when (member n (cdr other) :test (function string=))
          (%defpackage-error "~S appears in both ~S and ~S" n (car (car g)) (car other)))))))

(defmacro defpackage (defined-package-name &rest options)
  "Defines (or redefines) a package: CLHS defpackage."
  `(eval-when (:compile-toplevel :load-toplevel :execute)
     (apply (function %defpackage) ',(%defpackage-parse defined-package-name options))))

(defun %defpackage-symbol (package-name name)
  (multiple-value-bind (s status) (find-symbol name package-name)
    (unless status
      (%correctable-package-error (find-package package-name) "Ignore it."
                                  "DEFPACKAGE: no symbol named ~S in ~S." name package-name))
    (values s status)))

(defun %defpackage-variance (p use-p use exports)
  "Warns, as SBCL does, when an existing package does more than the new definition says."
  (let ((extra-uses nil) (extra-exports nil))
    (when use-p
      (dolist (u (package-use-list p))
        (unless (%memq u (%package-list use)) (setq extra-uses (cons u extra-uses)))))
    (do-external-symbols (s p)
      (unless (member (symbol-name s) exports :test (function string=))
        (setq extra-exports (cons s extra-exports))))
    (when extra-uses
      (warn "~A also uses the following packages:~%  ~S" (package-name p) extra-uses))
    (when extra-exports
      (warn "~A also exports the following symbols:~%  ~S" (package-name p) extra-exports))))

;; Docstrings of packages (DOCUMENTATION with doc-type T), by package object.
(defvar *package-documentation* (make-hash-table :test 'eq :synchronized t))

(%defun-locked %defpackage (name nicknames doc use use-p shadow shadowing-imports imports interns exports)
  (let ((p (find-package name)))
    (if p
        (progn
          (%defpackage-variance p use-p use exports)
          (unless (and (null (%string-set-difference nicknames (package-nicknames p)))
                       (null (%string-set-difference (package-nicknames p) nicknames)))
            (rename-package p (package-name p) nicknames)))
        (setq p (make-package name :nicknames nicknames :use nil)))
    ;; CLHS defpackage: 1. :shadow and :shadowing-import-from
    (shadow shadow p)
    (dolist (entry shadowing-imports)
      (dolist (n (cdr entry))
        (multiple-value-bind (s status) (%defpackage-symbol (car entry) n)
          (when status (shadowing-import (list s) p)))))
    ;; 2. :use
    (use-package (%package-list use) p)
    ;; 3. :import-from and :intern
    (dolist (entry imports)
      (dolist (n (cdr entry))
        (multiple-value-bind (s status) (%defpackage-symbol (car entry) n)
          (when status (import (list s) p)))))
    (dolist (n interns) (intern n p))
    ;; 4. :export
    (export (mapcar (function (lambda (n) (intern n p))) exports) p)
    (when doc (setf (gethash p *package-documentation*) doc))
    p))

(defun %string-set-difference (a b)
  (let ((r nil))
    (dolist (x a (nreverse r))
      (unless (member x b :test (function string=)) (setq r (cons x r))))))

;;; ---- in-package ----

(defmacro in-package (name)
  "Sets *PACKAGE* to the package named NAME (a string designator, not evaluated)."
  `(eval-when (:compile-toplevel :load-toplevel :execute)
     (setq *package* (%find-package-or-lose ',(string name)))))

(in-package "COMMON-LISP-USER")
