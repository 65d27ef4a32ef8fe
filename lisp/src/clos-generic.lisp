;;;; lisp/src/clos-generic.lisp — generic functions and methods (CLHS 7.6):
;;;; DEFGENERIC, DEFMETHOD, lambda-list congruence (7.6.4), applicable
;;;; methods and their order (7.6.6), standard method combination and the
;;;; simple built-in ones (+ and or progn list append nconc max min), the
;;;; dispatch cache, CALL-NEXT-METHOD, and the standard generic functions
;;;; of object creation (7.1): MAKE-INSTANCE, INITIALIZE-INSTANCE,
;;;; SHARED-INITIALIZE, REINITIALIZE-INSTANCE, ALLOCATE-INSTANCE.
;;;;
;;;; A generic function is a closure made by %MAKE-DISPATCHER around its
;;;; metaobject (lisp/builtins_clos.c recognises it by its code).  A method
;;;; function takes (args next) where NEXT is the effective method of the
;;;; next methods, a function of the argument list, or NIL.  The dispatch
;;;; cache maps the classes of the required arguments (or, at positions with
;;;; EQL specializers, the matching specializer) to an effective method; it
;;;; is dropped when *%CLOS-EPOCH* moves (any class or method change).
;;;; Not synchronised: defining methods while another thread calls the
;;;; generic function may make it miss the new method once (the cache is
;;;; replaced, never mutated in place).

(in-package "PETREL-SYSTEM")

(defconstant +gf-slots+
  '(name lambda-list methods method-combination cache epoch documentation nreq
    eql-positions function required-only))
(defconstant +method-slots+
  '(generic-function specializers qualifiers lambda-list function documentation from-defgeneric))

(defmacro %gslot (gf index) `(svref (%std-instance-slots ,gf) ,index))

(defun %define-meta-slots (class-name slot-names)
  (let ((c (find-class class-name)))
    (setf (%class-direct-slots c)
          (mapcar (lambda (n) (%make-slotd :name n :initfunction (lambda () nil))) slot-names))
    (%finalize-class c)))

(%define-meta-slots 'standard-generic-function +gf-slots+)
(%define-meta-slots 'standard-method +method-slots+)

(defun %new-meta-instance (class-name)
  (let* ((c (find-class class-name))
         (n (length (svref (%class-layout c) 1))))
    (%make-std-instance (%class-layout c) (make-array n :initial-element nil))))

(defun %gf-name (gf) (%gslot gf 0))
(defun %gf-methods (gf) (%gslot gf 2))
(defun %method-gf (m) (%gslot m 0))
(defun %method-specializers (m) (%gslot m 1))
(defun %method-qualifiers (m) (%gslot m 2))
(defun %method-function (m) (%gslot m 4))

(defun method-qualifiers (method) (%method-qualifiers method))
(defun method-specializers (method) (%method-specializers method))
(defun method-generic-function (method)
  (let ((gf (%method-gf method))) (and gf (%gf-function gf))))
(defun method-lambda-list (method) (%gslot method 3))
(defun method-function (method) (%method-function method))
(defun generic-function-name (gf) (%gf-name (%gf-object gf)))
(defun generic-function-methods (gf) (%gf-methods (%gf-object gf)))
(defun generic-function-lambda-list (gf) (%gslot (%gf-object gf) 1))

(defun %gf-object (f)
  (or (%closure-gf f)
      (and (%std-instance-p f) (typep f 'generic-function) f)
      (error 'type-error :datum f :expected-type 'generic-function)))

;;; ---- lambda lists ----

(defun %parse-ll (ll)
  ;; (required optional rest-p key-p keys allow-other-keys-p)
  (let ((req nil) (opt nil) (rest-p nil) (key-p nil) (keys nil) (aok nil) (state :req))
    (dolist (x ll)
      (case x
        (&optional (setq state :opt))
        ((&rest &body) (setq state :rest rest-p t))
        (&key (setq state :key key-p t))
        (&allow-other-keys (setq aok t))
        (&aux (setq state :aux))
        (t (case state
             (:req (push x req))
             (:opt (push x opt))
             (:key (push (let ((v (if (consp x) (car x) x)))
                           (if (consp v) (car v) (intern (symbol-name v) "KEYWORD")))
                         keys))))))
    (list (nreverse req) (nreverse opt) rest-p key-p (nreverse keys) aok)))

(defun %check-congruent (gf-name gf-ll method-ll)
  ;; CLHS 7.6.4 rules 1-3.
  (let ((g (%parse-ll gf-ll)) (m (%parse-ll method-ll)))
    (unless (= (length (first g)) (length (first m)))
      (error "~S: the method lambda list ~S has ~D required parameters, the generic function's ~S has ~D"
             gf-name method-ll (length (first m)) gf-ll (length (first g))))
    (unless (= (length (second g)) (length (second m)))
      (error "~S: the method lambda list ~S has ~D optional parameters, the generic function's ~S has ~D"
             gf-name method-ll (length (second m)) gf-ll (length (second g))))
    (unless (eq (or (third g) (fourth g)) (or (third m) (fourth m)))
      (error "~S: the method lambda list ~S and the generic function's ~S disagree on &REST/&KEY"
             gf-name method-ll gf-ll))
    ;; Rule 4: the generic function's keywords, unless the method allows
    ;; other keys or takes &rest without &key.
    (when (and (fourth g) (fourth m) (not (sixth m)))
      (dolist (k (fifth g))
        (unless (member k (fifth m))
          (error "~S: the method lambda list ~S does not accept the keyword ~S of the generic function"
                 gf-name method-ll k))))))

(defun %gf-ll-from-method (ll)
  (let ((p (%parse-ll ll)))
    (append (first p)
            (and (second p) (cons '&optional (second p)))
            (and (or (third p) (fourth p)) (not (fourth p)) '(&rest args))
            (and (fourth p) '(&key)))))

;;; ---- generic function objects ----

(defun %make-dispatcher (gf)
  (lambda (&rest args)
    (let ((emf (%gf-lookup gf args)))   ; the cache, in C (lisp/builtins_clos.c)
      (if emf (funcall (car emf) args (cdr emf)) (%dispatch gf args)))))

(setq *%gf-codes* (list (%make-dispatcher nil)))
;; Names the dispatcher code once (SETF FDEFINITION names a nameless code
;; object), so generic functions do not take each other's names in backtraces.
(setf (fdefinition '%generic-function-dispatcher) (car *%gf-codes*))

(defun %make-gf (name ll)
  (let ((gf (%new-meta-instance 'standard-generic-function)))
    (setf (%gslot gf 0) name (%gslot gf 1) ll (%gslot gf 2) nil (%gslot gf 3) '(standard)
          (%gslot gf 7) (length (first (%parse-ll ll))))
    (setf (%gslot gf 9) (%make-dispatcher gf))
    gf))

(defun %gf-function (gf) (%gslot gf 9))

(defun ensure-generic-function (function-name &key (lambda-list nil ll-p) documentation
                                                   (method-combination nil mc-p) &allow-other-keys)
  "The generic function named FUNCTION-NAME, made or updated."
  (let* ((existing (and (fboundp function-name)
                        (not (and (symbolp function-name) (macro-function function-name)))
                        (fdefinition function-name)))
         (gf (and existing (%closure-gf existing))))
    (when (or (and (symbolp function-name) (special-operator-p function-name))
              (and (symbolp function-name) (macro-function function-name))
              (and existing (not gf)))
      (error 'program-error
             :format-control "ENSURE-GENERIC-FUNCTION: ~S already names an ordinary function, macro or special operator"
             :format-arguments (list function-name)))
    (unless gf
      (setq gf (%make-gf function-name (if ll-p lambda-list nil)))
      (setf (fdefinition function-name) (%gf-function gf)))
    (when ll-p
      (dolist (m (%gf-methods gf)) (%check-congruent function-name lambda-list (%gslot m 3)))
      (setf (%gslot gf 1) lambda-list (%gslot gf 7) (length (first (%parse-ll lambda-list))))
      (%gf-changed gf))
    (when documentation (setf (%gslot gf 6) documentation))
    (when mc-p (setf (%gslot gf 3) (or method-combination '(standard))))
    (setf (%gslot gf 4) nil)
    (%gf-function gf)))

(defmacro defgeneric (function-name lambda-list &rest options)
  "Define the generic function FUNCTION-NAME."
  (let ((doc nil) (mc nil) (methods nil))
    (dolist (o options)
      (unless (consp o)
        (error 'program-error :format-control "DEFGENERIC ~S: bad option ~S" :format-arguments (list function-name o)))
      (case (car o)
        (:documentation (setq doc (car (cdr o))))
        (:method-combination (setq mc (cdr o)))
        (:method (push `(defmethod ,function-name ,@(cdr o)) methods))
        ((declare :argument-precedence-order :generic-function-class :method-class) nil)
        (t (error 'program-error :format-control "DEFGENERIC ~S: unknown option ~S"
                                 :format-arguments (list function-name o)))))
    (let ((seen nil))
      (dolist (x lambda-list)
        (let ((v (if (consp x) (car x) x)))
          (when (and (symbolp v) (not (member v lambda-list-keywords)))
            (when (member v seen)
              (error 'program-error :format-control "DEFGENERIC ~S: parameter ~S appears twice"
                                    :format-arguments (list function-name v)))
            (push v seen)))))
    `(progn
       (eval-when (:compile-toplevel) (%note-accessors '(,function-name)))
       (%defgeneric-clear ',function-name)
       (ensure-generic-function ',function-name :lambda-list ',lambda-list
                                :documentation ',doc
                                ,@(and mc `(:method-combination ',mc)))
       ,@(mapcar (lambda (m) `(%mark-from-defgeneric ,m)) (reverse methods))
       (fdefinition ',function-name))))

(defun %defgeneric-clear (name)
  ;; CLHS DEFGENERIC: methods a previous DEFGENERIC defined are removed.
  (let ((gf (and (fboundp name) (%closure-gf (fdefinition name)))))
    (when gf
      (setf (%gslot gf 2) (remove-if (lambda (m) (%gslot m 6)) (%gslot gf 2)))
      (%gf-changed gf))))

(defun %mark-from-defgeneric (method)
  (setf (%gslot method 6) t)
  method)

(defun %gf-changed (gf)
  (setf (%gslot gf 4) nil)
  (let ((ll (%gslot gf 1)))
    (setf (%gslot gf 10) (and (%gslot gf 1) (equal ll (first (%parse-ll ll))))))
  (setq *%clos-epoch* (1+ *%clos-epoch*))
  (let ((eqls nil))
    (dolist (m (%gslot gf 2))
      (loop for s in (%method-specializers m) for i from 0
            when (consp s) do (pushnew i eqls)))
    (setf (%gslot gf 8) eqls)))

;;; ---- methods ----

;; Redefined by src/clos-objects.lisp (structures printed by PRINT-OBJECT).
(defun %note-print-object-method (gf method) (declare (ignore gf method)) nil)

(defun %specializer (s)
  (cond ((%class-object-p s) s)
        ((and (consp s) (eq (car s) 'eql)) s)
        ((symbolp s) (find-class s))
        (t (error "DEFMETHOD: ~S is not a specializer" s))))

(defun %find-method-1 (gf qualifiers specializers)
  (find-if (lambda (m) (and (equal (%method-qualifiers m) qualifiers)
                            (= (length specializers) (length (%method-specializers m)))
                            (every (lambda (a b) (or (eq a b) (and (consp a) (consp b) (eql (second a) (second b)))))
                                   (%method-specializers m) specializers)))
           (%gf-methods gf)))

(defun add-method (generic-function method)
  "Adds METHOD to GENERIC-FUNCTION, replacing a method with the same specializers and qualifiers."
  (let* ((gf (%gf-object generic-function)))
    (when (and (%method-gf method) (not (eq (%method-gf method) gf)))
      (error "ADD-METHOD: ~S already belongs to another generic function" method))
    (if (%gslot gf 1)
        (%check-congruent (%gf-name gf) (%gslot gf 1) (%gslot method 3))
        (setf (%gslot gf 1) (%gf-ll-from-method (%gslot method 3))
              (%gslot gf 7) (length (first (%parse-ll (%gslot method 3))))))
    (let ((old (%find-method-1 gf (%method-qualifiers method) (%method-specializers method))))
      (setf (%gslot gf 2) (cons method (remove old (%gslot gf 2) :test #'eq))))
    (setf (%gslot method 0) gf)
    (%gf-changed gf)
    (%note-print-object-method gf method)
    generic-function))

(defun remove-method (generic-function method)
  "Removes METHOD from GENERIC-FUNCTION."
  (let ((gf (%gf-object generic-function)))
    (when (member method (%gslot gf 2) :test #'eq)
      (setf (%gslot gf 2) (remove method (%gslot gf 2) :test #'eq))
      (setf (%gslot method 0) nil)
      (%gf-changed gf))
    generic-function))

(defun find-method (generic-function qualifiers specializers &optional (errorp t))
  "The method of GENERIC-FUNCTION with QUALIFIERS and SPECIALIZERS."
  (let* ((gf (%gf-object generic-function))
         (m (%find-method-1 gf qualifiers (mapcar #'%specializer specializers))))
    (or m (and errorp (error "FIND-METHOD: ~S has no method with qualifiers ~S and specializers ~S"
                             (%gf-name gf) qualifiers specializers)))))

(defun %add-method-from-defmethod (name qualifiers specializers lambda-list function doc)
  (unless (and (fboundp name) (%closure-gf (fdefinition name)))
    (ensure-generic-function name))
  (let ((m (%new-meta-instance 'standard-method)))
    (setf (%gslot m 1) (mapcar #'%specializer specializers)
          (%gslot m 2) qualifiers (%gslot m 3) lambda-list (%gslot m 4) function
          (%gslot m 5) doc)
    (add-method (fdefinition name) m)
    m))

(defun %split-body (body)
  ;; (values declarations-and-doc body doc)
  (let ((decls nil) (doc nil))
    (loop while (or (and (consp (car body)) (eq (car (car body)) 'declare))
                    (and (stringp (car body)) (cdr body) (null doc)))
          do (if (stringp (car body)) (setq doc (car body)) (push (car body) decls))
             (setq body (cdr body)))
    (values (nreverse decls) body doc)))

(defun %tree-mentions (tree syms)
  (cond ((symbolp tree) (member tree syms))
        ((consp tree) (or (%tree-mentions (car tree) syms) (%tree-mentions (cdr tree) syms)))
        (t nil)))

(defmacro defmethod (name &rest rest)
  "Define a method of the generic function NAME."
  (let ((qualifiers nil))
    (loop while (and rest (not (listp (car rest)))) do (push (pop rest) qualifiers))
    (setq qualifiers (nreverse qualifiers))
    (let* ((specialized (pop rest))
           (body rest)
           (required-end (or (position-if (lambda (x) (member x lambda-list-keywords)) specialized)
                             (length specialized)))
           (required (subseq specialized 0 required-end))
           (ll (append (mapcar (lambda (p) (if (consp p) (car p) p)) required)
                       (subseq specialized required-end)))
           (specializers (mapcar (lambda (p) (if (consp p) (car (cdr p)) t)) required))
           (p (%parse-ll ll))
           (fn-ll (if (and (fourth p) (not (sixth p))) (append ll '(&allow-other-keys)) ll))
           (block-name (if (consp name) (car (cdr name)) name))
           (m (gensym "METHOD")))
      (multiple-value-bind (decls forms doc) (%split-body body)
        (let* ((inner (if (equal ll (first p))
                          ;; Required parameters only: bind them straight from
                          ;; the argument list (the dispatcher checked its length).
                          `(let ,(loop for v in ll for i from 0 collect `(,v (nth ,i %args)))
                             (declare (ignorable ,@ll))
                             ,@decls
                             (block ,block-name ,@forms))
                          `(apply (lambda ,fn-ll
                                    (declare (ignorable ,@(first p)))
                                    ,@decls
                                    (block ,block-name ,@forms))
                                  %args)))
               (fname `(method ,block-name ,@qualifiers ,specializers)) ; the compiler blocks on the 2nd element
               (fn (if (%tree-mentions forms '(call-next-method next-method-p))
                       `(named-lambda ,fname (%args %next)
                          (flet ((call-next-method (&rest cnm-args)
                                   (if %next
                                       (funcall %next (or cnm-args %args))
                                       (apply #'no-next-method (%gf-function (%method-gf ,m)) ,m (or cnm-args %args))))
                                 (next-method-p () (not (null %next))))
                            ,inner))
                       `(named-lambda ,fname (%args %next) (declare (ignore %next)) ,inner)))
               (fn `(function ,fn)))
          `(progn
            (eval-when (:compile-toplevel) (%note-accessors '(,name)))
            (let ((,m nil))
             (setq ,m (%add-method-from-defmethod
                       ',name ',qualifiers
                       (list ,@(mapcar (lambda (s) (if (and (consp s) (eq (car s) 'eql))
                                                       `(list 'eql ,(car (cdr s)))
                                                       `',s))
                                       specializers))
                       ',ll ,fn ,doc)))))))))

;;; ---- applicable methods and their order (CLHS 7.6.6.1) ----

(defun %specializer-applies-p (s arg arg-class)
  (if (consp s)
      (eql arg (car (cdr s)))
      (member s (%class-cpl arg-class) :test #'eq)))

(defun %more-specific-p (m1 m2 classes)
  (loop for s1 in (%method-specializers m1)
        for s2 in (%method-specializers m2)
        for c in classes
        do (cond ((eq s1 s2))
                 ((consp s1) (return t))
                 ((consp s2) (return nil))
                 (t (let ((cpl (%class-cpl c)))
                      (return (< (position s1 cpl) (position s2 cpl))))))
        finally (return nil)))

(defun %applicable-methods (gf args)
  (let* ((n (%gslot gf 7))
         (req (subseq args 0 n))
         (classes (mapcar #'class-of req))
         (app (remove-if-not (lambda (m)
                               (every #'%specializer-applies-p (%method-specializers m) req classes))
                             (%gf-methods gf))))
    (sort (copy-list app) (lambda (a b) (%more-specific-p a b classes)))))

(defun compute-applicable-methods (generic-function arguments)
  (%applicable-methods (%gf-object generic-function) arguments))

;;; ---- effective methods ----

(defun %chain (methods final)
  (if (null methods)
      final
      (let ((mf (%method-function (car methods)))
            (next (%chain (cdr methods) final)))
        (lambda (args) (funcall mf args next)))))

(defun %standard-emf (gf methods)
  (let ((primary nil) (before nil) (after nil) (around nil))
    (dolist (m methods)
      (let ((q (%method-qualifiers m)))
        (cond ((null q) (push m primary))
              ((equal q '(:before)) (push m before))
              ((equal q '(:after)) (push m after))
              ((equal q '(:around)) (push m around))
              (t (error "~S: method ~S has qualifiers ~S, which standard method combination does not allow"
                        (%gf-name gf) m q)))))
    (setq primary (nreverse primary) before (nreverse before) around (nreverse around))
    ;; AFTER is now least specific first, the order they run in.
    (when (null primary)
      (return-from %standard-emf
        (lambda (args) (error "~S: no primary method is applicable to ~S" (%gf-name gf) args))))
    (let* ((main-chain (%chain primary nil))
           (main (if (or before after)
                     (let ((bfs (mapcar #'%method-function before))
                           (afs (mapcar #'%method-function after)))
                       (lambda (args)
                         (dolist (b bfs) (funcall b args nil))
                         (multiple-value-prog1 (funcall main-chain args)
                           (dolist (a afs) (funcall a args nil)))))
                     main-chain)))
      (%chain around main))))

(defvar *%short-combinations*
  ;; name -> operator: the built-in method combination types (CLHS 7.6.6.4)
  ;; and the short forms of DEFINE-METHOD-COMBINATION.
  (mapcar (lambda (op) (cons op op)) '(+ and or progn list append nconc max min)))

(defmacro define-method-combination (name &rest options)
  "Define a method combination type; only the short form (CLHS 7.6.6.4) is supported."
  (when (and options (listp (car options)))
    (error "DEFINE-METHOD-COMBINATION ~S: the long form is not supported" name))
  (let ((operator (getf options :operator name)))
    `(progn
       (setq *%short-combinations*
             (cons (cons ',name ',operator) (remove ',name *%short-combinations* :key #'car)))
       ',name)))

(defun invalid-method-error (method format-control &rest args)
  (error "Invalid method ~S: ~?" method format-control args))

(defun method-combination-error (format-control &rest args)
  (error "Method combination error: ~?" format-control args))

(defun %operator-emf (gf methods name op order)
  (let ((primary nil) (around nil))
    (dolist (m methods)
      (let ((q (%method-qualifiers m)))
        (cond ((equal q (list name)) (push m primary))
              ((equal q '(:around)) (push m around))
              (t (error "~S: method ~S has qualifiers ~S, which ~S method combination does not allow"
                        (%gf-name gf) m q name)))))
    (setq primary (if (eq order :most-specific-last) primary (nreverse primary))
          around (nreverse around))
    (when (null primary)
      (return-from %operator-emf
        (lambda (args) (error "~S: no primary method is applicable to ~S" (%gf-name gf) args))))
    (let* ((fns (mapcar #'%method-function primary))
           (main (lambda (args)
                   (case op
                     (and (let ((v t)) (dolist (f fns v) (setq v (funcall f args nil)) (unless v (return nil)))))
                     (or (dolist (f fns nil) (let ((v (funcall f args nil))) (when v (return v)))))
                     (progn (let ((v nil)) (dolist (f fns v) (setq v (funcall f args nil)))))
                     (t (let ((values (mapcar (lambda (f) (funcall f args nil)) fns)))
                          (if (and (symbolp op) (macro-function op))
                              (eval (cons op (mapcar (lambda (v) (list 'quote v)) values)))
                              (apply op values))))))))
      (%chain around main))))

(defun %emf-pair (emf)
  (cons (lambda (args next) (declare (ignore next)) (funcall emf args)) nil))

(defun %compute-emf (gf args)
  ;; The cached form of an effective method: (function . next), called as
  ;; (funcall function args next).  With primary methods only, FUNCTION is
  ;; the first method's own function, one call less per generic call.
  (let ((methods (%applicable-methods gf args))
        (mc (%gslot gf 3)))
    (cond ((null methods)
           (%emf-pair (lambda (args) (apply #'no-applicable-method (%gf-function gf) args))))
          ((and (eq (car mc) 'standard) (every (lambda (m) (null (%method-qualifiers m))) methods))
           (%check-keys-emf gf methods (cons (%method-function (car methods)) (%chain (cdr methods) nil))))
          ((eq (car mc) 'standard) (%check-keys-emf gf methods (%emf-pair (%standard-emf gf methods))))
          ((assoc (car mc) *%short-combinations*)
           (%check-keys-emf gf methods
                            (%emf-pair (%operator-emf gf methods (car mc)
                                                      (cdr (assoc (car mc) *%short-combinations*))
                                                      (car (cdr mc))))))
          (t (error "~S: unknown method combination ~S" (%gf-name gf) mc)))))

(defun %check-keys-emf (gf methods pair)
  ;; CLHS 7.6.5: the keyword arguments accepted are those of the generic
  ;; function and of the applicable methods (any, if one allows other keys).
  (let ((p (%parse-ll (%gslot gf 1))))
    (if (or (not (fourth p)) (sixth p)
            (some (lambda (m) (sixth (%parse-ll (%gslot m 3)))) methods))
        pair
        (let ((skip (+ (length (first p)) (length (second p))))
              (keys (append (fifth p) (loop for m in methods append (fifth (%parse-ll (%gslot m 3)))))))
          (cons
           (lambda (args next)
            (let ((rest (nthcdr skip args)))
              (when (oddp (length rest))
                (error 'program-error :format-control "~S: odd number of keyword arguments ~S"
                                      :format-arguments (list (%gf-name gf) rest)))
              (unless (getf rest :allow-other-keys)
                (do ((l rest (cddr l))) ((null l))
                  (unless (or (member (car l) keys) (eq (car l) :allow-other-keys))
                    (error 'program-error :format-control "~S: unknown keyword argument ~S (accepted: ~S)"
                                          :format-arguments (list (%gf-name gf) (car l) keys))))))
            (funcall (car pair) args next))
           (cdr pair))))))

;;; ---- dispatch ----

(defun %dispatch-key (gf args)
  ;; The classes of the required arguments, or the EQL specializer that
  ;; matches at a position that has EQL specializers.
  (let ((eqls (%gslot gf 8)) (key nil) (i 0))
    (dotimes (k (%gslot gf 7))
      (when (null args)
        (error 'program-error :format-control "~S: too few arguments (~D required)"
                              :format-arguments (list (%gf-name gf) (%gslot gf 7))))
      (let ((a (car args)))
        (push (or (and eqls (member i eqls)
                       (dolist (m (%gslot gf 2) nil)
                         (let ((s (nth i (%method-specializers m))))
                           (when (and (consp s) (eql a (car (cdr s)))) (return s)))))
                  (class-of a))
              key))
      (setq args (cdr args) i (1+ i)))
    (nreverse key)))

(defun %wrong-arg-count (gf args)
  (error 'program-error :format-control "~S: called with ~D arguments, but it takes exactly ~D"
                        :format-arguments (list (%gf-name gf) (length args) (%gslot gf 7))))

(defun %dispatch (gf args)
  (unless (eql (%gslot gf 5) *%clos-epoch*)
    (setf (%gslot gf 4) nil (%gslot gf 5) *%clos-epoch*))
  (when (and (%gslot gf 10) (not (eql (length args) (%gslot gf 7))))
    (%wrong-arg-count gf args))
  ;; Fast path: one required argument, no EQL specializers: the key is its class.
  (when (and (eql (%gslot gf 7) 1) (null (%gslot gf 8)) args)
    (let* ((class (class-of (car args)))
           (hit (dolist (e (%gslot gf 4) nil)
                  (when (eq (car e) class) (return (cdr e))))))
      (unless hit
        (setq hit (%compute-emf gf args))
        (setf (%gslot gf 4) (cons (cons class hit) (%gslot gf 4))))
      (return-from %dispatch (funcall (car hit) args (cdr hit)))))
  (let* ((key (%dispatch-key gf args))
         (hit (dolist (e (%gslot gf 4) nil)
                (when (let ((a (car e)) (b key))
                        (loop (when (null a) (return t))
                              (unless (eq (car a) (car b)) (return nil))
                              (setq a (cdr a) b (cdr b))))
                  (return (cdr e))))))
    (unless hit
      (setq hit (%compute-emf gf args))
      (setf (%gslot gf 4) (cons (cons key hit) (%gslot gf 4))))
    (funcall (car hit) args (cdr hit))))

;;; ---- the generic functions of chapter 7 ----

;; A library file that defined one of these as an ordinary function before
;; CLOS was loaded gives way to the generic function.
(defun %replace-with-generic (name)
  (when (and (fboundp name) (not (%closure-gf (fdefinition name))))
    (fmakunbound name)))

(defgeneric no-applicable-method (generic-function &rest function-arguments))
(defmethod no-applicable-method ((gf t) &rest args)
  (error "~S: no applicable method for the arguments ~S" (%gf-name (%gf-object gf)) args))

(defgeneric no-next-method (generic-function method &rest args))
(defmethod no-next-method ((gf t) (method t) &rest args)
  (error "~S: no next method after ~S for the arguments ~S" (%gf-name (%gf-object gf)) method args))

(defgeneric slot-missing (class object slot-name operation &optional new-value))
(defmethod slot-missing ((class t) object slot-name operation &optional new-value)
  (declare (ignore new-value))
  (error "~S: ~S has no slot named ~S" operation object slot-name))

(defun unbound-slot-instance (condition)
  "The instance whose slot was unbound (CLHS unbound-slot)."
  (%condition-slot-value condition :instance))

(defgeneric slot-unbound (class instance slot-name))
(defmethod slot-unbound ((class t) instance slot-name)
  (%unbound-slot-error instance slot-name))

(defgeneric allocate-instance (class &rest initargs &key &allow-other-keys))
(defmethod allocate-instance ((class standard-class) &rest initargs)
  (declare (ignore initargs))
  (%ensure-finalized class)
  (let ((layout (%class-layout class)))
    (%make-std-instance layout (make-array (length (svref layout 1)) :initial-element '%unbound-slot))))
(defmethod allocate-instance ((class structure-class) &rest initargs)
  (declare (ignore initargs))
  (apply #'%make-structure (%class-name* class)
         (make-list (length (nth 2 (get (%class-name* class) 'structure-description))))))

(defun %slot-initarg-value (slotd initargs)
  ;; (values value found-p): the first initarg of the slot in INITARGS.
  (do ((l initargs (cddr l))) ((null l) (values nil nil))
    (when (member (car l) (%slotd-initargs slotd) :test #'eq)
      (return (values (car (cdr l)) t)))))

(defgeneric shared-initialize (instance slot-names &rest initargs &key &allow-other-keys))
(defmethod shared-initialize ((instance standard-object) slot-names &rest initargs)
  ;; The instance is current after the check, so each slot's location
  ;; (an index or a class slot's cons) is used directly.
  (let ((class (%check-instance-current instance))
        (slots (%std-instance-slots instance)))
    (dolist (s (%class-slots class))
      (let ((loc (%slotd-location s)))
        (multiple-value-bind (v found) (%slot-initarg-value s initargs)
          (cond (found (if (consp loc) (setf (cdr loc) v) (setf (svref slots loc) v)))
                ((and (%slotd-initfunction s)
                      (or (eq slot-names t) (member (%slotd-name s) slot-names :test #'eq))
                      (eq (if (consp loc) (cdr loc) (svref slots loc)) '%unbound-slot))
                 (let ((v (funcall (%slotd-initfunction s))))
                   (if (consp loc) (setf (cdr loc) v) (setf (svref slots loc) v))))))))
    instance))

(defgeneric initialize-instance (instance &rest initargs &key &allow-other-keys))
(defmethod initialize-instance ((instance standard-object) &rest initargs)
  (apply #'shared-initialize instance t initargs))

(defgeneric reinitialize-instance (instance &rest initargs &key &allow-other-keys))
(defmethod reinitialize-instance ((instance standard-object) &rest initargs)
  (%check-initargs (class-of instance) initargs +reinitialize-gfs+)
  (apply #'shared-initialize instance nil initargs))

(defun %method-keys (gf-name args)
  ;; Keyword names the applicable methods of GF-NAME accept, or T for &allow-other-keys.
  (let ((keys nil))
    (dolist (m (%applicable-methods (%gf-object (fdefinition gf-name)) args) keys)
      (let ((p (%parse-ll (%gslot m 3))))
        (when (sixth p) (return t))
        (setq keys (append (fifth p) keys))))))

(defvar +make-instance-gfs+ '(make-instance initialize-instance shared-initialize allocate-instance))
(defvar +reinitialize-gfs+ '(reinitialize-instance shared-initialize))

(defun %check-initargs (class initargs gf-names)
  ;; CLHS 7.1.2: an initarg is valid if a slot or a method of the
  ;; initialization generic functions declares it.
  (when (oddp (length initargs))
    (error 'program-error :format-control "~S: odd number of initialization arguments ~S"
                          :format-arguments (list (%class-name* class) initargs)))
  (when (and initargs (not (getf initargs :allow-other-keys)))
    (let ((valid (%valid-initargs class gf-names)))
      (unless (eq valid t)
        (do ((l initargs (cddr l))) ((null l))
          (unless (or (member (car l) valid :test #'eq) (eq (car l) :allow-other-keys))
            (error 'program-error :format-control "~S: invalid initialization argument ~S for class ~S"
                                  :format-arguments (list (car gf-names) (car l) (%class-name* class)))))))))

(defun %valid-initargs (class gf-names)
  ;; The initargs of the slots, the default initargs and the keyword
  ;; parameters of the applicable methods of GF-NAMES (T: any), kept per
  ;; class and list of generic functions until the next class or method change.
  (let ((cached (assoc gf-names (%class-valid-initargs class) :test #'eq)))
    (if (and cached (eql (car (cdr cached)) *%clos-epoch*))
        (cdr (cdr cached))
        (let* ((proto (allocate-instance class))
               (keys (append (loop for s in (%class-slots class) append (%slotd-initargs s))
                             (mapcar #'car (%class-default-initargs class)))))
          (dolist (g gf-names)
            (let ((ks (%method-keys g (case g
                                        ((allocate-instance make-instance) (list class))
                                        (shared-initialize (list proto t))
                                        (t (list proto))))))
              (setq keys (if (or (eq ks t) (eq keys t)) t (append ks keys)))))
          (setf (%class-valid-initargs class)
                (cons (cons gf-names (cons *%clos-epoch* keys))
                      (remove gf-names (%class-valid-initargs class) :key #'car :test #'eq)))
          keys))))

(defgeneric make-instance (class &rest initargs &key &allow-other-keys))
(defmethod make-instance ((class symbol) &rest initargs)
  (apply #'make-instance (find-class class) initargs))
(defmethod make-instance ((class standard-class) &rest initargs)
  (%ensure-finalized class)
  (let ((defaults (%class-default-initargs class)))
    (when defaults
      (let ((extra nil))
        (dolist (d defaults)
          (unless (do ((l initargs (cddr l))) ((null l) nil) (when (eq (car l) (car d)) (return t)))
            (setq extra (append extra (list (car d) (funcall (third d)))))))
        (setq initargs (append initargs extra))))
    (%check-initargs class initargs +make-instance-gfs+)
    (if (%standard-init-p class)
        (%fast-initialize (allocate-instance class) class initargs)
        (let ((instance (apply #'allocate-instance class initargs)))
          (apply #'initialize-instance instance initargs)
          instance))))

;; The standard methods of the initialization protocol; a class whose
;; instances see only these is initialized without the generic calls (what
;; they would do, CLHS 7.1.4-7.1.5).
(defvar *%standard-init-methods* nil)

(defun %standard-init-p (class)
  ;; Cached in the class's PROTOTYPE slot as (epoch . answer).
  (let ((cached (%cslot class 13)))
    (if (and (consp cached) (eql (car cached) *%clos-epoch*))
        (cdr cached)
        (let* ((proto (allocate-instance class))
               (answer (every (lambda (g args)
                                (every (lambda (m) (member m *%standard-init-methods* :test #'eq))
                                       (%applicable-methods (%gf-object (fdefinition g)) args)))
                              '(allocate-instance initialize-instance shared-initialize)
                              (list (list class) (list proto) (list proto t)))))
          (setf (%cslot class 13) (cons *%clos-epoch* answer))
          answer))))

(defun %fast-initialize (instance class initargs)
  ;; SHARED-INITIALIZE of a fresh instance with slot-names T.
  (let ((slots (%std-instance-slots instance)))
    (dolist (s (%class-slots class))
      (let ((loc (%slotd-location s)) (found nil) (v nil))
        (do ((l initargs (cddr l))) ((null l))
          (when (member (car l) (%slotd-initargs s) :test #'eq)
            (setq found t v (car (cdr l)))
            (return)))
        (cond (found (if (consp loc) (setf (cdr loc) v) (setf (svref slots loc) v)))
              ((and (%slotd-initfunction s)
                    (eq (if (consp loc) (cdr loc) (svref slots loc)) '%unbound-slot))
               (let ((v (funcall (%slotd-initfunction s))))
                 (if (consp loc) (setf (cdr loc) v) (setf (svref slots loc) v)))))))
    instance))

(setq *%standard-init-methods*
      (list (find-method #'allocate-instance nil (list (find-class 'standard-class)))
            (find-method #'initialize-instance nil (list (find-class 'standard-object)))
            (find-method #'shared-initialize nil (list (find-class 'standard-object) (find-class t)))))

;;; ---- accessors made by DEFCLASS ----

(defun %add-accessor-method (name class slot-name writer-p)
  ;; SLOT-VALUE and %SET-SLOT-VALUE are C with a fast path for local slots
  ;; (lisp/builtins_clos.c), faster than any cache kept here.
  (let ((ll (if writer-p '(new-value object) '(object))))
    (%add-method-from-defmethod
     name nil (if writer-p (list t class) (list class)) ll
     (if writer-p
         (lambda (args next) (declare (ignore next)) (%set-slot-value (car (cdr args)) slot-name (car args)))
         (lambda (args next) (declare (ignore next)) (slot-value (car args) slot-name)))
     nil)))

;; Classes defined before the accessors could be made have none; the
;; metaobject classes need none.

(in-package "COMMON-LISP-USER")
