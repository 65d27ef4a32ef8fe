;;;; lisp/src/pprint.lisp — the pretty printer (CLHS 22.2): logical blocks,
;;;; conditional newlines, indentation and tabs, PPRINT-FILL, -LINEAR,
;;;; -TABULAR and PPRINT.
;;;;
;;;; (PRINT-UNREADABLE-OBJECT, WITH-STANDARD-IO-SYNTAX and FORMATTER are in
;;;; print-macros.lisp, the dispatch tables and code layouts in
;;;; pprint-dispatch.lisp.)
;;;;
;;;; The model is Waters' (CLHS 22.2.1): output inside the outermost logical
;;;; block is queued as text and operations (block start/end, newline,
;;;; indentation, tab), then laid out when that block ends.  Text written by
;;;; the body goes to an ordinary string output stream (the "buffer"); each
;;;; operation notes the buffer position it falls at, so the queue holds the
;;;; output in order.  Layout walks the queue once: a block whose
;;;; section (up to the next newline of its parent) fits on the line is
;;;; written flat, without looking inside; otherwise its linear newlines
;;;; break, its fill newlines break when the next section does not fit or the
;;;; previous one took several lines, and its miser newlines break when the
;;;; block starts within *print-miser-width* of the right margin.  Whether a
;;;; section fits is found by measuring it flat, stopping at the margin.
;;;;
;;;; A stream is "pretty" while it is the buffer of a block being printed:
;;;; *pp-states* maps those buffers to their queues, bound dynamically, so an
;;;; error unwinding out of a block leaves nothing behind.  The C printer
;;;; (printer.c) hands each object to %PPRINT-OBJECT when *print-pretty* is
;;;; true, and binds *print-depth* (for *print-level*) and
;;;; *print-circle-state* (the #n= labels of the print in progress).
;;;; Per-thread state only (special bindings); any thread.

(in-package "PETREL-SYSTEM")

(defvar *print-right-margin* nil)
(defvar *print-miser-width* nil)
(defvar *print-lines* nil)
(defvar *print-depth* 0 "Logical blocks and lists entered by the print in progress.")
(defvar *print-circle-state* nil "(table . next-label) of the *print-circle* print in progress.")
(defvar *pp-states* nil "Alist (buffer-stream . pp-state) of the blocks being printed.")
(defvar *print-labelled* nil "The object the C printer has just given its #n= label.")

(defconstant +pp-default-line-length+ 80)
;;; Elements a print may pop before it gives up with "..." (the C printer
;;; has the same kind of guard): circular lists printed without
;;; *print-circle* or *print-length* end instead of filling the heap.
(defconstant +pp-budget+ 2000000)

;;; ---- The queue ----

;;; Operations, in queue order (depth = blocks open around the operation):
;;;   "text"                             characters, never a newline
;;;   #(:newline kind depth)             kind :linear :fill :miser :mandatory :literal
;;;   #(:indent relative-to n)           :block or :current
;;;   #(:tab kind colnum colinc)
;;;   #(:start prefix per-line-p suffix depth)
;;;   #(:end suffix)
;;; While the block is printed, the state records each operation with the
;;; buffer position it happened at; the text between positions becomes the
;;; text operations when the outermost block ends (pp-queue).  The buffer
;;; also receives the prefixes and suffixes (skipped when the text is cut up)
;;; and, first, as many blanks as the target's column: so its own column is
;;; the column the output would have printed flat, which FRESH-LINE and
;;; ~& inside a block rely on.
(defstruct (pp-state (:constructor make-pp-state (target buffer)))
  target          ; the stream the outermost block prints on
  buffer          ; string output stream the body writes to
  (ops nil)       ; (position skip . operation), newest first
  (depth 0)       ; blocks open now
  (budget +pp-budget+)) ; pops left: circular data without *print-circle* ends

(defun %pretty-stream-p (stream)
  (and (assoc stream *pp-states* :test #'eq) t))

(defun pp-state-of (stream)
  (cdr (assoc stream *pp-states* :test #'eq)))

;;; Records op at the buffer's current position; skip characters written
;;; there next (a prefix or suffix) are not text.
(defun pp-enqueue (state op &optional (skip 0))
  (push (list* (%string-output-position (pp-state-buffer state)) skip op) (pp-state-ops state)))

;;; The operations with the text between them, in order, as a vector.
(defun pp-queue (state)
  (let* ((text (get-output-stream-string (pp-state-buffer state)))
         (out nil)
         (cursor 0)
         (depth 0))
    (flet ((add-text (end)
             (loop (when (>= cursor end) (return))
                   (let ((nl (position #\Newline text :start cursor :end end)))
                     (when (< cursor (or nl end)) (push (subseq text cursor (or nl end)) out))
                     (unless nl (setq cursor end) (return))
                     (push (vector :newline :literal depth) out)
                     (setq cursor (1+ nl))))))
      (dolist (entry (reverse (pp-state-ops state)))
        (destructuring-bind (pos skip . op) entry
          (add-text pos)
          (case (svref op 0)
            (:start (incf depth))
            (:end (decf depth)))
          (unless (eq (svref op 0) :skip) (push op out))
          (setq cursor (+ pos skip))))
      (add-text (length text)))
    (coerce (nreverse out) 'simple-vector)))

;;; ---- Layout ----

(defstruct (pp-block (:constructor make-pp-block (start-col indent line-prefix section-line suffix)))
  start-col       ; column just after the prefix
  indent          ; column new lines start at
  line-prefix     ; what starts each new line (enclosing per-line prefixes)
  section-line    ; line on which the current section began
  (section-col start-col)
  suffix)

(defstruct (pp-layout (:constructor make-pp-layout (queue target col width)))
  queue           ; vector of operations
  target
  col             ; current column
  width           ; right margin
  (line 0)
  (blocks nil)    ; open pp-blocks, innermost first
  (text (make-string-output-stream)) ; the current line, held back to trim its trailing blanks
  ends            ; per index: where a start's or newline's section ends (nil: the end)
  closes)         ; per index of a start: index of its end

(defun pp-op-kind (op) (if (stringp op) :text (svref op 0)))

;;; Section ends (the next newline no deeper than the operation) and
;;; matching ends of blocks.
(defun pp-analyse (layout)
  (let* ((q (pp-layout-queue layout))
         (n (length q))
         (ends (make-array n :initial-element nil))
         (closes (make-array n :initial-element nil))
         (pending nil)
         (open nil))
    (dotimes (i n)
      (let ((op (svref q i)))
        (case (pp-op-kind op)
          (:newline
           (let ((depth (svref op 2)) (keep nil))
             (dolist (p pending)
               (if (<= depth (cdr p)) (setf (svref ends (car p)) i) (push p keep)))
             (setq pending (cons (cons i depth) (nreverse keep)))))
          (:start
           (push (cons i (svref op 4)) pending)
           (push i open))
          (:end
           (when open (setf (svref closes (pop open)) i))))))
    (setf (pp-layout-ends layout) ends
          (pp-layout-closes layout) closes)))

(defun pp-tab-spaces (kind colnum colinc col section-col)
  (let* ((relative (member kind '(:line-relative :section-relative)))
         (origin (if (member kind '(:section :section-relative)) section-col 0))
         (cur (- col origin)))
    (if relative
        (let ((target (+ cur colnum)))
          (when (plusp colinc) (setq target (* (ceiling target colinc) colinc)))
          (- target cur))
        (cond ((< cur colnum) (- colnum cur))
              ((plusp colinc) (- colinc (rem (- cur colnum) colinc)))
              (t 0)))))

(defun pp-section-col (layout)
  (let ((b (first (pp-layout-blocks layout))))
    (if b (pp-block-section-col b) 0)))

;;; True if the operations from i up to end (nil: all) print flat within the
;;; margin from column col.
(defun pp-fits-p (layout i end col)
  (let* ((q (pp-layout-queue layout))
         (stop (or end (length q)))
         (width (pp-layout-width layout)))
    (do ((k i (1+ k)))
        ((>= k stop) (<= col width))
      (let ((op (svref q k)))
        (case (pp-op-kind op)
          (:text (incf col (length op)))
          ((:start :end) (incf col (length (svref op 1))))
          ;; a tab is not counted, as in SBCL (its width is known only when laid out)
          (:tab nil)
          (:newline (when (member (svref op 1) '(:mandatory :literal)) (return nil))))
        (when (> col width) (return nil))))))

(defun pp-write (layout string)
  (write-string string (pp-layout-text layout))
  (incf (pp-layout-col layout) (length string)))

(defun pp-spaces (layout n)
  (when (plusp n) (pp-write layout (make-string n :initial-element #\Space))))

(defun pp-misering-p (layout block)
  (and *print-miser-width* block
       (<= (- (pp-layout-width layout) (pp-block-start-col block)) *print-miser-width*)))

;;; Ends the current line.  *print-lines* reached: " .." and the suffixes of
;;; the open blocks instead, and the layout stops.
(defun pp-break-line (layout kind)
  (let* ((line (get-output-stream-string (pp-layout-text layout)))
         (block (first (pp-layout-blocks layout)))
         (target (pp-layout-target layout)))
    (write-string (if (eq kind :literal) line (string-right-trim " " line)) target)
    (when (and *print-lines* (not *print-readably*) (>= (1+ (pp-layout-line layout)) *print-lines*))
      (write-string " .." target)
      (dolist (b (pp-layout-blocks layout)) (write-string (pp-block-suffix b) target))
      (throw 'pp-lines-done nil))
    (terpri target)
    (incf (pp-layout-line layout))
    (setf (pp-layout-col layout) 0)
    (when block
      (let ((prefix (pp-block-line-prefix block)))
        (pp-write layout prefix)
        (unless (eq kind :literal)
          (pp-spaces layout (- (pp-block-indent block) (length prefix))))
        (setf (pp-block-section-line block) (pp-layout-line layout)
              (pp-block-section-col block) (pp-layout-col layout))))))

(defun pp-break-p (layout i kind block)
  (case kind
    ((:mandatory :literal :linear) t)
    (:miser (pp-misering-p layout block))
    (:fill (or (pp-misering-p layout block)
               (and block (> (pp-layout-line layout) (pp-block-section-line block)))
               (not (pp-fits-p layout (1+ i) (svref (pp-layout-ends layout) i)
                               (pp-layout-col layout)))))))

;;; Writes operations i..end (inclusive) flat; returns end.  Section tabs
;;; count from the start of the innermost block, flat or not.
(defun pp-write-flat (layout i end)
  (let ((q (pp-layout-queue layout))
        (sections (list (pp-section-col layout))))
    (do ((k i (1+ k))) ((> k end) end)
      (let ((op (svref q k)))
        (case (pp-op-kind op)
          (:text (pp-write layout op))
          (:start (pp-write layout (svref op 1)) (push (pp-layout-col layout) sections))
          (:end (pp-write layout (svref op 1)) (when (cdr sections) (pop sections)))
          (:tab (pp-spaces layout (pp-tab-spaces (svref op 1) (svref op 2) (svref op 3)
                                                 (pp-layout-col layout) (car sections)))))))))

(defun pp-start-block (layout op)
  (let* ((outer (first (pp-layout-blocks layout)))
         (prefix (svref op 1))
         (col (pp-layout-col layout))
         (line-prefix (if outer (pp-block-line-prefix outer) "")))
    (when (svref op 2)
      (setq line-prefix
            (concatenate 'string line-prefix
                         (make-string (max 0 (- col (length line-prefix))) :initial-element #\Space)
                         prefix)))
    (pp-write layout prefix)
    (push (make-pp-block (pp-layout-col layout) (pp-layout-col layout) line-prefix
                         (pp-layout-line layout) (svref op 3))
          (pp-layout-blocks layout))))

(defun pp-indent (layout op)
  (let ((block (first (pp-layout-blocks layout))))
    (when (and block (not (pp-misering-p layout block)))
      (setf (pp-block-indent block)
            (max 0 (+ (round (svref op 2))
                      (if (eq (svref op 1) :block)
                          (pp-block-start-col block)
                          (pp-layout-col layout))))))))

(defun pp-run-layout (layout)
  (let* ((q (pp-layout-queue layout))
         (n (length q))
         (i 0))
    (loop
      (when (>= i n) (return))
      (let ((op (svref q i)))
        (case (pp-op-kind op)
          (:text (pp-write layout op))
          (:start
           (let ((close (svref (pp-layout-closes layout) i)))
             (if (and close (pp-fits-p layout i (svref (pp-layout-ends layout) i) (pp-layout-col layout)))
                 (setq i (pp-write-flat layout i close))
                 (pp-start-block layout op))))
          (:end
           (pp-write layout (svref op 1))
           (pop (pp-layout-blocks layout)))
          (:newline
           (when (pp-break-p layout i (svref op 1) (first (pp-layout-blocks layout)))
             (pp-break-line layout (svref op 1))))
          (:indent (pp-indent layout op))
          (:tab (pp-write-flat layout i i))))
      (incf i))
    (write-string (get-output-stream-string (pp-layout-text layout)) (pp-layout-target layout))))

(defun pp-line-width (stream)
  (declare (ignore stream))
  (or *print-right-margin* +pp-default-line-length+))

;;; The outermost block has ended: lay the queue out onto the target.
(defun pp-finish (state start-col)
  (let* ((target (pp-state-target state))
         (layout (make-pp-layout (pp-queue state) target start-col (pp-line-width target))))
    (pp-analyse layout)
    (catch 'pp-lines-done (pp-run-layout layout))))

;;; ---- Logical blocks ----

(defun %out-stream (designator)
  (cond ((null designator) *standard-output*)
        ((eq designator t) *terminal-io*)
        (t designator)))

(defun pp-check-string (x)
  (unless (stringp x)
    (error 'type-error :datum x :expected-type 'string))
  x)

;;; The function behind PPRINT-LOGICAL-BLOCK and ~<...~:>: body is called
;;; with the stream to print on and the list.
(defun %pprint-logical-block (stream object prefix per-line-prefix suffix body)
  (let ((stream (%out-stream stream)))
    (when (and prefix per-line-prefix)
      (error "PPRINT-LOGICAL-BLOCK: both :PREFIX and :PER-LINE-PREFIX were given"))
    (let ((prefix (pp-check-string (or per-line-prefix prefix "")))
          (suffix (pp-check-string (or suffix ""))))
      (cond ((not (listp object)) (write object :stream stream))
            ((and *print-circle* (consp object) (not (consp *print-circle-state*)))
             ;; outside any print (FORMAT's ~<...~:>): label this block's object
             (let ((*print-circle-state* (%circle-begin object)))
               (%pprint-logical-block stream object prefix per-line-prefix suffix body)))
            ((and *print-circle* (consp object) (not (eq object *print-labelled*))
                  (%circle-label object stream)))
            ((and *print-level* (not *print-readably*) (>= *print-depth* *print-level*))
             (write-char #\# stream))
            ((not *print-pretty*)
             (let ((*print-depth* (1+ *print-depth*)))
               (write-string prefix stream)
               (funcall body stream object)
               (write-string suffix stream)))
            (t
             (let ((*print-depth* (1+ *print-depth*))
                   (state (pp-state-of stream)))
               (if state
                   (pp-block-in state stream object prefix (and per-line-prefix t) suffix body)
                   (let* ((buffer (make-string-output-stream))
                          (state (make-pp-state stream buffer))
                          (col (%stream-column stream))
                          (*pp-states* (acons buffer state *pp-states*)))
                     (pp-enqueue state (vector :skip) col)
                     (write-string (make-string col :initial-element #\Space) buffer)
                     (pp-block-in state buffer object prefix (and per-line-prefix t) suffix body)
                     (pp-finish state col))))))))
  nil)

(defun pp-block-in (state stream object prefix per-line-p suffix body)
  (pp-enqueue state (vector :start prefix per-line-p suffix (pp-state-depth state)) (length prefix))
  (write-string prefix stream)
  (incf (pp-state-depth state))
  (funcall body stream object)
  (pp-enqueue state (vector :end suffix) (length suffix))
  (write-string suffix stream)
  (decf (pp-state-depth state)))

;;; PPRINT-POP's test (CLHS pprint-pop): true if the next element may be popped.
(defun %pprint-pop-ok (list count stream)
  (cond ((not (listp list))
         (write-string ". " stream) (write list :stream stream) nil)
        ((and *print-length* (not *print-readably*) (>= count *print-length*))
         (write-string "..." stream) nil)
        ((and list (plusp count) *print-circle* (%circle-shared-p list))
         (write-string ". " stream) (write list :stream stream) nil)
        ((let ((state (pp-state-of stream)))
           (if state (minusp (decf (pp-state-budget state))) (>= count +pp-budget+)))
         (write-string "..." stream) nil)
        (t t)))

(defmacro pprint-logical-block ((stream-symbol object &key (prefix nil) (per-line-prefix nil)
                                               (suffix "")) &body body)
  "Print OBJECT's list as a logical block on the stream STREAM-SYMBOL names."
  (let ((var (cond ((null stream-symbol) '*standard-output*)
                   ((eq stream-symbol t) '*terminal-io*)
                   (t stream-symbol)))
        (list (gensym "LIST")) (count (gensym "COUNT")) (blk (gensym "BLOCK")))
    `(%pprint-logical-block ,var ,object ,prefix ,per-line-prefix ,suffix
        (lambda (,var ,list)
          (declare (ignorable ,var ,list))
          (let ((,count 0))
            (declare (ignorable ,count))
            (block ,blk
              (macrolet ((pprint-pop ()
                           '(if (%pprint-pop-ok ,list ,count ,var)
                                (progn (setq ,count (1+ ,count)) (pop ,list))
                                (return-from ,blk nil)))
                         (pprint-exit-if-list-exhausted ()
                           '(when (null ,list) (return-from ,blk nil)))
                         (%pprint-rest () ',list))
                ,@body)))))))

(defmacro pprint-pop ()
  "Pop the next element of the enclosing PPRINT-LOGICAL-BLOCK's list."
  '(error "PPRINT-POP used outside PPRINT-LOGICAL-BLOCK"))

(defmacro pprint-exit-if-list-exhausted ()
  "Leave the enclosing PPRINT-LOGICAL-BLOCK if its list is exhausted."
  '(error "PPRINT-EXIT-IF-LIST-EXHAUSTED used outside PPRINT-LOGICAL-BLOCK"))

;;; ~<...~:> of FORMAT (called from format_justify.c).
(defun %format-logical-block (stream list prefix per-line-p suffix control start end fill-p)
  (%pprint-logical-block stream list (if per-line-p nil prefix) (if per-line-p prefix nil) suffix
                         (lambda (s l) (%format-block-body s l control start end fill-p))))

;;; ---- Newlines, indentation, tabs ----

(defun pp-check-member (x kinds)
  (unless (member x kinds)
    (error 'type-error :datum x :expected-type (cons 'member kinds))))

(defun pprint-newline (kind &optional stream)
  "A conditional newline of KIND (:linear :fill :miser :mandatory) in the current logical block."
  (pp-check-member kind '(:linear :fill :miser :mandatory))
  (let ((state (pp-state-of (%out-stream stream))))
    (when (and state *print-pretty*)
      (pp-enqueue state (vector :newline kind (pp-state-depth state)))))
  nil)

(defun pprint-indent (relative-to n &optional stream)
  "Set the indentation of the current logical block (:block or :current, N columns)."
  (pp-check-member relative-to '(:block :current))
  (unless (realp n) (error 'type-error :datum n :expected-type 'real))
  (let ((state (pp-state-of (%out-stream stream))))
    (when (and state *print-pretty*)
      (pp-enqueue state (vector :indent relative-to n))))
  nil)

(defun pprint-tab (kind colnum colinc &optional stream)
  "Tab as ~T would (:line :section :line-relative :section-relative)."
  (pp-check-member kind '(:line :section :line-relative :section-relative))
  (unless (and (integerp colnum) (>= colnum 0))
    (error 'type-error :datum colnum :expected-type '(integer 0)))
  (unless (and (integerp colinc) (>= colinc 0))
    (error 'type-error :datum colinc :expected-type '(integer 0)))
  (let ((state (pp-state-of (%out-stream stream))))
    (when (and state *print-pretty*)
      (pp-enqueue state (vector :tab kind colnum colinc))))
  nil)

;;; ---- Printing lists: PPRINT-FILL, -LINEAR, -TABULAR ----

(defun pp-list-printer (stream list colon-p kind)
  (pprint-logical-block (stream list :prefix (if colon-p "(" "") :suffix (if colon-p ")" ""))
    (pprint-exit-if-list-exhausted)
    (loop
      (write (pprint-pop) :stream stream)
      (pprint-exit-if-list-exhausted)
      (write-char #\Space stream)
      (pprint-newline kind stream))))

(defun pprint-fill (stream object &optional (colon-p t) at-sign-p)
  "Print OBJECT's elements with fill newlines between them (parenthesised if COLON-P)."
  (declare (ignore at-sign-p))
  (pp-list-printer (%out-stream stream) object colon-p :fill)
  nil)

(defun pprint-linear (stream object &optional (colon-p t) at-sign-p)
  "Print OBJECT's elements with linear newlines between them (parenthesised if COLON-P)."
  (declare (ignore at-sign-p))
  (pp-list-printer (%out-stream stream) object colon-p :linear)
  nil)

(defun pprint-tabular (stream object &optional (colon-p t) at-sign-p (tabsize 16))
  "Print OBJECT's elements in columns TABSIZE wide (parenthesised if COLON-P)."
  (declare (ignore at-sign-p))
  (let ((stream (%out-stream stream)))
    (pprint-logical-block (stream object :prefix (if colon-p "(" "") :suffix (if colon-p ")" ""))
      (pprint-exit-if-list-exhausted)
      (loop
        (write (pprint-pop) :stream stream)
        (pprint-exit-if-list-exhausted)
        (write-char #\Space stream)
        (pprint-tab :section-relative 0 tabsize stream)
        (pprint-newline :fill stream))))
  nil)

;;; ---- PPRINT, WRITE helpers ----

(defun pprint (object &optional stream)
  "Newline, then OBJECT printed pretty with escapes; no values."
  (let ((stream (%out-stream stream)))
    (terpri stream)
    (let ((*print-pretty* t) (*print-escape* t))
      (write object :stream stream))
    (values)))

(in-package "COMMON-LISP-USER")
