;;;; stress/ffi/exits.lisp — WITH-FOREIGN-OBJECT(S) and WITH-FOREIGN-STRING(S)
;;;; left by non-local exits (THROW, RETURN-FROM, an error handled outside,
;;;; GO) in a loop (driven by test_ffi_stress.py, which judges).
;;;;
;;;; Prints "sample <iteration> <rss-bytes> <malloc-in-use>" about 50 times and
;;;; at the end "result <iterations> <exits-taken> <malloc-growth>", where
;;;; exits-taken counts the exits that reached their target (4 per iteration
;;;; if none was lost) and malloc-growth is malloc's bytes in use at the end
;;;; minus after a first warm-up pass.
;;;; Environment: FFI_STRESS_N (default 100000), PETREL_FFI_TEST_LIB.
(load (merge-pathnames "common.lisp" *load-truename*))
(in-package :ffi-stress)

(defvar *n* (env-count "FFI_STRESS_N" 100000))

;; 300 characters: each foreign copy is a 301-byte malloc.
(defvar *text* (make-string 300 :initial-element #\x))
(defvar *taken* 0)

(defun by-throw (i)
  (catch 'out
    (with-foreign-object (p :int64 32)          ; 256 bytes
      (setf (mem-aref p :int64 31) i)
      (throw 'out (incf *taken*)))))

(defun by-return-from (i)
  (block done
    (with-foreign-string (s *text*)
      (with-foreign-objects ((a :double 16) (b :char 100))
        (setf (mem-aref a :double 0) (float i 1d0) (mem-aref b :char 0) 1)
        (when (= (mem-ref s :char) (char-code #\x))
          (return-from done (incf *taken*)))))))

(defun by-handled-error (i)
  (handler-case
      (with-foreign-strings ((s1 *text*) (s2 "ünïcödé"))
        (with-foreign-object (p :pointer 8)
          (setf (mem-aref p :pointer 0) s1 (mem-aref p :pointer 1) s2)
          (error "deliberate ~D" i)))
    (simple-error () (incf *taken*))))

(defun by-go (i)
  (tagbody
     (with-foreign-pointer (p 200)
       (setf (mem-ref p :int) i)
       (go out))
     (return-from by-go nil)
   out
     (incf *taken*)))

(defun pass (count sample-every)
  (dotimes (i count)
    (by-throw i) (by-return-from i) (by-handled-error i) (by-go i)
    (when (and sample-every (zerop (mod (1+ i) sample-every)))
      (format t "sample ~D ~D ~D~%" (1+ i) (rss) (malloc-in-use))
      (finish-output))))

(pass 1000 nil)                               ; warm-up: malloc's caches, the heap
(setf *taken* 0)
(defvar *malloc-before* (malloc-in-use))
(pass *n* (max 1 (floor *n* 50)))
(format t "result ~D ~D ~D~%" *n* *taken* (- (malloc-in-use) *malloc-before*))
