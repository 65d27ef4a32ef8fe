;;;; bench/strings.lisp — string building and searching on a few megabytes:
;;;; WITH-OUTPUT-TO-STRING with WRITE-STRING/PRINC of integers (about 3 MB),
;;;; CONCATENATE of small strings in a loop, STRING-UPCASE of the big string,
;;;; and SEARCH counting the occurrences of a pattern through it.  Portable
;;;; CL: runs under petrel --script, clisp (compiled), sbcl --script; every
;;;; Lisp must print the same checksums.

(defun build-text (n)
  (with-output-to-string (s)
    (dotimes (i n)
      (write-string "item-" s)
      (princ i s)
      (write-char (if (zerop (mod i 16)) #\Newline #\Space) s))))

(defun concatenate-loop (n)
  ;; fresh strings from small pieces; the checksum is their total length
  (let ((total 0) (piece "ab"))
    (dotimes (i n total)
      (let ((s (concatenate 'string piece "-" (if (evenp i) "even" "odd") "/" piece)))
        (setq total (+ total (length s)))
        (when (> (length s) 40) (setq piece "ab"))
        (setq piece (subseq s 0 (min (length s) 12)))))))

(defun count-occurrences (pattern text)
  (do ((start 0) (count 0))
      (nil)
    (let ((p (search pattern text :start2 start)))
      (if p
          (setq count (+ count 1) start (+ p 1))
          (return count)))))

(defun run-strings (times)
  (let ((result nil))
    (dotimes (i times result)
      (let* ((text (build-text 250000))
             (upper (string-upcase text)))
        (setq result (list (length text)
                           (count-occurrences "ITEM-1999" upper)
                           (count-occurrences "m-24999" text)
                           (count #\Newline text)
                           (concatenate-loop 200000)))))))

(print (run-strings 1))
(terpri)
