;;;; lisp/src/numbers.lisp — the parts of CLHS chapter 12 written in Lisp
;;;; over the C arithmetic (builtins_num.c, bignum.c, num_*.c): byte
;;;; specifiers and the byte functions (12.1.1.3.2), RATIONALIZE, and
;;;; random states.  Loaded after defstruct (RANDOM-STATE is a structure,
;;;; so it prints readably as #S(RANDOM-STATE ...), as CLHS 12.1.6 asks).

(in-package "PETREL-SYSTEM")

;;; Byte specifiers: a cons (size . position).
(defun %check-index (x operator)
  (unless (and (integerp x) (>= x 0))
    (error 'type-error :datum x :expected-type '(integer 0 *)))
  operator)

(defun byte (size position)
  "A byte specifier for SIZE bits starting at bit POSITION."
  (%check-index size 'byte)
  (%check-index position 'byte)
  (cons size position))

(defun %bytespec (bytespec)
  (unless (and (consp bytespec) (integerp (car bytespec)) (integerp (cdr bytespec)))
    (error 'type-error :datum bytespec :expected-type 'cons))
  bytespec)

(defun byte-size (bytespec) "The size of BYTESPEC." (car (%bytespec bytespec)))
(defun byte-position (bytespec) "The position of BYTESPEC." (cdr (%bytespec bytespec)))

(defun %byte-mask (bytespec)
  (%bytespec bytespec)
  (ash (1- (ash 1 (car bytespec))) (cdr bytespec)))

(defun ldb (bytespec integer)
  "The byte of INTEGER that BYTESPEC designates, as a non-negative integer."
  (%bytespec bytespec)
  (logand (ash integer (- (cdr bytespec))) (1- (ash 1 (car bytespec)))))

(defun mask-field (bytespec integer)
  "INTEGER with every bit outside BYTESPEC cleared."
  (logand integer (%byte-mask bytespec)))

(defun ldb-test (bytespec integer)
  "True if any bit of INTEGER inside BYTESPEC is one."
  (/= 0 (mask-field bytespec integer)))

(defun dpb (newbyte bytespec integer)
  "INTEGER with the byte BYTESPEC replaced by the low bits of NEWBYTE."
  (let ((mask (%byte-mask bytespec)))
    (logior (logand integer (lognot mask))
            (logand (ash newbyte (cdr bytespec)) mask))))

(defun deposit-field (newbyte bytespec integer)
  "INTEGER with the bits inside BYTESPEC taken from NEWBYTE (unshifted)."
  (let ((mask (%byte-mask bytespec)))
    (logior (logand integer (lognot mask)) (logand newbyte mask))))

;;; RATIONALIZE: the simplest rational that reads back as the float, i.e.
;;; the simplest one strictly inside the interval of reals that round to it.
(defun %simplest-in (lo hi)
  ;; 0 <= lo < hi: the rational with the smallest denominator (then
  ;; numerator) in the open interval (lo, hi), by continued fractions.
  (let ((fl (floor lo)))
    (cond ((< (1+ fl) hi) (1+ fl))
          ((= fl lo) (+ fl (/ (1+ (floor (/ (- hi fl)))))))
          (t (+ fl (/ (%simplest-in (/ (- hi fl)) (/ (- lo fl)))))))))

(defun rationalize (number)
  "A rational approximating the real NUMBER to within its float precision."
  (cond ((rationalp number) number)
        ((floatp number)
         (if (zerop number)
             0
             (multiple-value-bind (m e s) (integer-decode-float number)
               (if (>= e 0)
                   (* s m (expt 2 e))   ; an integral float: that integer
               (let* ((low-gap (if (= m (ash 1 (1- (float-digits number)))) 4 2))
                      (lo (* (- (* low-gap m) 1) (expt 2 e) (/ low-gap)))
                      (hi (* (+ (* 2 m) 1) (expt 2 e) 1/2))
                      (r (%simplest-in lo hi)))
                 (if (minusp s) (- r) r))))))
        (t (error 'type-error :datum number :expected-type 'real))))

;;; Random states: the 64-bit state of the generator in SYS:%RANDOM.
;;; Threads: RANDOM updates its state without a lock.  Threads sharing one
;;; state may draw the same number twice (never memory-unsafe: the slot is
;;; one word, stored through the barrier); bind *RANDOM-STATE* per thread to
;;; keep draws independent.
(defstruct (random-state (:constructor %make-random-state (bits))
                         (:constructor %random-state-from-slots) ; for #S (printed states read back)
                         (:copier nil) (:predicate random-state-p))
  (bits 0))

(defvar *random-state* (%make-random-state 88172645463325252))

(defun make-random-state (&optional state)
  "A fresh random state: a copy of STATE, of *RANDOM-STATE* (NIL), or newly seeded (T)."
  (cond ((null state) (%make-random-state (random-state-bits *random-state*)))
        ((eq state t) (%make-random-state (%random-seed)))
        ((random-state-p state) (%make-random-state (random-state-bits state)))
        (t (error 'type-error :datum state :expected-type '(or random-state boolean)))))

(defun random (limit &optional (random-state *random-state*))
  "A pseudo-random number of LIMIT's type in [0, LIMIT)."
  (unless (random-state-p random-state)
    (error 'type-error :datum random-state :expected-type 'random-state))
  (multiple-value-bind (value next) (%random limit (random-state-bits random-state))
    (setf (random-state-bits random-state) next)
    value))
