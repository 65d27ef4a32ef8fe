;;;; lisp/src/hashtables.lisp — the Lisp half of the hash-table dictionary
;;;; (CLHS 18.2): the function (SETF GETHASH) and WITH-HASH-TABLE-ITERATOR.
;;;; The tables themselves are lisp/hashtable.c; the builtins used here are in
;;;; lisp/builtins_hash.c.  Loaded after setf.lisp and control.lisp.

(in-package "PETREL-SYSTEM")

;;; (setf (gethash key table default) new) calls this with the new value
;;; first (setf.lisp, %setf-function-expansion); DEFAULT is evaluated there
;;; and ignored here (CLHS GETHASH).
(%fset '(setf gethash) #'%setf-gethash)

;;; Each (NAME) returns T, key and value of the next entry, then the single
;;; value NIL.  The state lives in a variable only this expansion names, so
;;; nested iterators with distinct names do not interfere (CLHS 18.2).
(defmacro with-hash-table-iterator ((name hash-table) &body body)
  "Within BODY, (NAME) returns the entries of HASH-TABLE one by one: more-p, key, value."
  (let ((state (gensym "HT-ITERATOR")))
    `(let ((,state (%hash-table-iterator ,hash-table)))
       (macrolet ((,name () '(%hash-table-iterator-next ,state)))
         ,@body))))
