;;;; bench/threads/shim.lisp — the few thread operations the thread
;;;; benchmarks use, for Petrel (PETREL-THREADS) and SBCL (SB-THREAD).
(defun spawn (fn) #+petrel (petrel-threads:make-thread fn) #+sbcl (sb-thread:make-thread fn))
(defun join (th) #+petrel (petrel-threads:join-thread th) #+sbcl (sb-thread:join-thread th))
(defun new-lock () #+petrel (petrel-threads:make-lock "bench") #+sbcl (sb-thread:make-mutex :name "bench"))
(defmacro holding ((lock) &body body)
  #+petrel `(petrel-threads:with-lock-held (,lock) ,@body)
  #+sbcl `(sb-thread:with-mutex (,lock) ,@body))
(defun env-int (name default)
  (let ((v #+petrel (petrel-ext:getenv name) #+sbcl (sb-ext:posix-getenv name)))
    (if (and v (plusp (length v))) (parse-integer v) default)))
