;;;; lisp/src/finalize.lisp — PETREL-EXT:FINALIZE and CANCEL-FINALIZATION,
;;;; and the finalizer thread that runs them (lisp/finalize.c keeps the
;;;; registrations and queues a function when the collector finds its object
;;;; dead; this file runs the queue).

(in-package "PETREL-SYSTEM")

(export '(petrel-ext::finalize petrel-ext::cancel-finalization) "PETREL-EXT")

(defvar *finalizer-thread* nil
  "The thread that runs finalizers, started by the first FINALIZE.")
(defvar *finalizer-start-lock* (petrel-threads:make-lock "finalizer start"))

(defun %run-finalizers ()
  "The finalizer thread's loop: each function due runs once; an error in one
is reported on *ERROR-OUTPUT* and the loop goes on."
  (loop
    (let ((function (%next-finalizer)))
      (handler-case (funcall function)
        (error (e)
          (ignore-errors
           (format *error-output* "~&petrel: a finalizer (~S) signalled ~S: ~A~%" function (type-of e) e)
           (finish-output *error-output*)))))))

(defun %ensure-finalizer-thread ()
  (unless (and *finalizer-thread* (petrel-threads:thread-alive-p *finalizer-thread*))
    (petrel-threads:with-lock-held (*finalizer-start-lock*)
      (unless (and *finalizer-thread* (petrel-threads:thread-alive-p *finalizer-thread*))
        (setf *finalizer-thread* (petrel-threads:make-thread #'%run-finalizers :name "finalizer"))))))

(defun petrel-ext::finalize (object function)
  "Arranges for FUNCTION, a function of no arguments, to be called once OBJECT
has been garbage collected, on the finalizer thread (never during a
collection pause).  FUNCTION does not receive OBJECT and must not refer to
it: a function that does keeps OBJECT alive, so it never runs.  OBJECT may
have several finalizers.  Returns OBJECT.  Finalizers are not saved in core
images."
  (%finalize object function)
  (%ensure-finalizer-thread)
  object)

(defun petrel-ext::cancel-finalization (object)
  "Removes every finalizer of OBJECT; true if it had any."
  (%cancel-finalization object))
